/* SPDX-License-Identifier: MIT */
/*
 * Links (hosted): a transport and a station session driven without
 * blocking, so that one poll loop runs many buses — many DTUs dialled in to
 * one server — at once; and prepay_transport_exchange(), one request run to
 * its end. A connection lost during a request is made again once (TCP) or
 * waited for (a DTU registering again) and the request sent again.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "transport_posix_internal.h"

#define MAX_POLL 1024
#define RX_CHUNK 512

int prepay_link_init(prepay_link_t *link, prepay_transport_t *t, const prepay_station_config_t *config)
{
    if (!link || !t) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(link, 0, sizeof *link);
    link->transport = t;
    return prepay_station_init(&link->session, config);
}

static void finish(prepay_link_t *link, int status)
{
    link->status = status;
    link->state = PREPAY_LINK_DONE;
    link->waiting_dtu = false;
}

static int begin(prepay_link_t *link);

/* The connection is gone while a request is under way: make it again once
 * (TCP), or wait for the DTU to register again; otherwise the request ends. */
static int lost(prepay_link_t *link, int status)
{
    (void)prepay_station_cancel(&link->session);
    prepay_transport_t *t = link->transport;
    if (link->restarts == 0 || (t->kind != PREPAY_TRANSPORT_TCP && t->kind != PREPAY_TRANSPORT_DTU)) {
        finish(link, status);
        return PREPAY_OK;
    }
    link->restarts--;
    if (t->kind == PREPAY_TRANSPORT_DTU && t->server) {
        if (t->fd >= 0) {
            prepay__dtu_server_release_dead(t->server, t->fd);
            t->fd = -1;
        }
        link->waiting_dtu = true;
        link->wait_until_ms = prepay_transport_now_ms() + t->connect_timeout_ms;
        return PREPAY_OK;
    }
    int rc = prepay_transport_reconnect(t);
    if (rc != PREPAY_OK) {
        finish(link, rc);
        return PREPAY_OK;
    }
    return begin(link);
}

/* Does what the session's step says: send (then tell it the bytes left), or record the end. */
static int act(prepay_link_t *link)
{
    while (link->step.action == PREPAY_STATION_SEND) {
        int status = prepay_transport_send(link->transport, link->tx, link->step.send_len);
        if (status != PREPAY_OK) {
            return lost(link, status);
        }
        status = prepay_station_sent(&link->session, prepay_transport_now_ms(), &link->step);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    if (link->step.action == PREPAY_STATION_DONE) {
        finish(link, prepay_station_result(&link->session, &link->result));
    }
    return PREPAY_OK;
}

/* (Re)starts the request held in the link. */
static int begin(prepay_link_t *link)
{
    int drained = prepay_transport_drain(link->transport);
    if (drained < 0) {
        link->state = PREPAY_LINK_BUSY;
        return lost(link, drained);
    }
    int status = prepay_station_start(&link->session, &link->request, link->data, link->data_cap,
                                      prepay_transport_now_ms(), link->tx, sizeof link->tx, &link->step);
    if (status != PREPAY_OK) {
        return status;
    }
    link->state = PREPAY_LINK_BUSY;
    return act(link);
}

int prepay_link_start(prepay_link_t *link, const prepay_dlt645_frame_t *request, uint8_t *data, size_t data_cap)
{
    if (!link || !request || (!data && data_cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (link->state != PREPAY_LINK_IDLE) {
        return PREPAY_E_STATION_BUSY;
    }
    link->request = *request;
    link->data = data;
    link->data_cap = data_cap;
    link->restarts = 1;
    link->waiting_dtu = false;
    link->status = PREPAY_OK;
    memset(&link->result, 0, sizeof link->result);
    return begin(link);
}

bool prepay_link_done(const prepay_link_t *link)
{
    return link && link->state == PREPAY_LINK_DONE;
}

int prepay_link_result(prepay_link_t *link, prepay_station_result_t *result)
{
    if (!link || !result) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (link->state != PREPAY_LINK_DONE) {
        return PREPAY_E_STATION_NOT_DONE;
    }
    *result = link->result;
    link->state = PREPAY_LINK_IDLE;
    return link->status;
}

/* Bytes arrived (or the line hung up) on a busy link. */
static int on_readable(prepay_link_t *link)
{
    uint8_t rx[RX_CHUNK];
    int n = prepay_transport_receive(link->transport, rx, sizeof rx, 0);
    if (n < 0) {
        return lost(link, n);
    }
    if (n == 0) {
        return PREPAY_OK;
    }
    int status = prepay_station_receive(&link->session, rx, (size_t)n, prepay_transport_now_ms(), link->tx,
                                        sizeof link->tx, &link->step);
    if (status != PREPAY_OK) {
        return status;
    }
    return act(link);
}

int prepay_links_poll(prepay_dtu_server_t *server, prepay_link_t *const *links, size_t count, uint32_t max_wait_ms)
{
    if ((!links && count > 0) || count > MAX_POLL / 2) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    struct pollfd fds[MAX_POLL];
    size_t owner[MAX_POLL]; /* link index of each fd entry after the server's */
    uint64_t now = prepay_transport_now_ms();
    int timeout = max_wait_ms > 0x7FFFFFFFu ? 0x7FFFFFFF : (int)max_wait_ms;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        prepay_link_t *link = links[i];
        if (!link || link->state != PREPAY_LINK_BUSY) {
            continue;
        }
        uint64_t wake = link->waiting_dtu ? link->wait_until_ms : link->step.wake_at_ms;
        if (link->waiting_dtu && server) {
            wake = now + 50; /* look again soon: the server below accepts the new connection */
        }
        int left = wake > now ? (wake - now > 0x7FFFFFFFu ? 0x7FFFFFFF : (int)(wake - now)) : 0;
        if (left < timeout) {
            timeout = left;
        }
        if (!link->waiting_dtu && link->transport->fd >= 0) {
            fds[n] = (struct pollfd){link->transport->fd, POLLIN, 0};
            owner[n] = i;
            n++;
        }
    }
    size_t link_fds = n;
    size_t server_fds = server ? prepay__dtu_server_fill(server, fds + n, MAX_POLL - n, now, &timeout) : 0;
    int ready = poll(fds, link_fds + server_fds, timeout);
    if (ready < 0 && errno != EINTR) {
        return PREPAY_E_TRANSPORT_IO;
    }
    if (server) {
        prepay__dtu_server_serve(server, fds + link_fds, ready > 0 ? server_fds : 0, prepay_transport_now_ms());
    }
    for (size_t k = 0; k < link_fds && ready > 0; k++) {
        prepay_link_t *link = links[owner[k]];
        if (link->state == PREPAY_LINK_BUSY && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
            int status = on_readable(link);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    now = prepay_transport_now_ms();
    for (size_t i = 0; i < count; i++) {
        prepay_link_t *link = links[i];
        if (!link || link->state != PREPAY_LINK_BUSY) {
            continue;
        }
        if (link->waiting_dtu) {
            prepay_transport_t *t = link->transport;
            int status = server ? prepay__dtu_server_try_attach(server, t->name, t) : PREPAY_E_TRANSPORT_NO_DTU;
            if (status == PREPAY_OK) {
                t->reconnects++;
                link->waiting_dtu = false;
                status = begin(link);
                if (status != PREPAY_OK) {
                    return status;
                }
            } else if (now >= link->wait_until_ms) {
                prepay__transport_error(t->error, "DTU %s did not register again within %u ms", t->name,
                                        (unsigned)t->connect_timeout_ms);
                finish(link, PREPAY_E_TRANSPORT_NO_DTU);
            }
            continue;
        }
        if (now >= link->step.wake_at_ms) {
            int status = prepay_station_poll(&link->session, now, link->tx, sizeof link->tx, &link->step);
            if (status == PREPAY_OK) {
                status = act(link);
            }
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    return PREPAY_OK;
}

int prepay_transport_exchange(prepay_transport_t *t, prepay_station_session_t *session,
                              const prepay_dlt645_frame_t *request, uint8_t *data, size_t data_cap,
                              prepay_station_result_t *result)
{
    if (!t || !session || !request || !result) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_link_t link;
    memset(&link, 0, sizeof link);
    link.transport = t;
    link.session = *session; /* the caller's session runs the request; copied back below */
    int status = prepay_link_start(&link, request, data, data_cap);
    prepay_link_t *const links[1] = {&link};
    while (status == PREPAY_OK && !prepay_link_done(&link)) {
        status = prepay_links_poll(t->kind == PREPAY_TRANSPORT_DTU ? t->server : NULL, links, 1, 1000);
    }
    if (status == PREPAY_OK) {
        status = prepay_link_result(&link, result);
    } else {
        (void)prepay_station_cancel(&link.session);
    }
    *session = link.session;
    return status;
}
