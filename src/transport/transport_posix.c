/* SPDX-License-Identifier: MIT */
/*
 * Moving bytes on an open transport (hosted): send everything, then on a
 * serial line wait until it has left (tcdrain: DL/T 645-2007 clause 7.3,
 * the meter answers after the request); receive what has arrived; drop
 * stale bytes before a request.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "transport_posix_internal.h"

/* Time allowed for a blocked write to make progress. */
#define WRITE_STALL_MS 5000

static const char *what(const prepay_transport_t *t)
{
    return t->kind == PREPAY_TRANSPORT_DTU ? "DTU " : "";
}

int prepay_transport_send(prepay_transport_t *t, const uint8_t *bytes, size_t len)
{
    if (!t || (!bytes && len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (t->fd < 0) {
        return PREPAY_E_BAD_STATE;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = t->kind == PREPAY_TRANSPORT_SERIAL ? write(t->fd, bytes + done, len - done)
                                                       : send(t->fd, bytes + done, len - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
            t->bytes_sent += (uint64_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {t->fd, POLLOUT, 0};
            int ready = poll(&pfd, 1, WRITE_STALL_MS);
            if (ready > 0 || (ready < 0 && errno == EINTR)) {
                continue;
            }
            prepay__transport_error(t->error, "%s%s: write stalled for %d ms", what(t), t->name, WRITE_STALL_MS);
            return PREPAY_E_TRANSPORT_IO;
        }
        int e = n < 0 ? errno : EPIPE;
        prepay__transport_error(t->error, "%s%s: %s", what(t), t->name, strerror(e));
        return (e == EPIPE || e == ECONNRESET || e == ENOTCONN) ? PREPAY_E_TRANSPORT_CLOSED : PREPAY_E_TRANSPORT_IO;
    }
    if (t->kind == PREPAY_TRANSPORT_SERIAL) {
        while (tcdrain(t->fd) != 0) {
            if (errno != EINTR) {
                int e = errno;
                prepay__transport_error(t->error, "%s: %s", t->name, strerror(e));
                return PREPAY_E_TRANSPORT_IO;
            }
        }
    }
    return PREPAY_OK;
}

int prepay_transport_receive(prepay_transport_t *t, uint8_t *buf, size_t cap, uint32_t timeout_ms)
{
    if (!t || !buf || cap == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (t->fd < 0) {
        return PREPAY_E_BAD_STATE;
    }
    for (;;) {
        ssize_t n = read(t->fd, buf, cap > 0x7FFFFFFF ? 0x7FFFFFFF : cap);
        if (n > 0) {
            t->bytes_received += (uint64_t)n;
            return (int)n;
        }
        if (n == 0 && t->kind != PREPAY_TRANSPORT_SERIAL) {
            prepay__transport_error(t->error, "%s%s: connection closed by the other end", what(t), t->name);
            return PREPAY_E_TRANSPORT_CLOSED;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            int e = errno;
            prepay__transport_error(t->error, "%s%s: %s", what(t), t->name, strerror(e));
            return (e == ECONNRESET || e == ENOTCONN) ? PREPAY_E_TRANSPORT_CLOSED : PREPAY_E_TRANSPORT_IO;
        }
        if (timeout_ms == 0) {
            return 0;
        }
        struct pollfd pfd = {t->fd, POLLIN, 0};
        int ready = poll(&pfd, 1, (int)timeout_ms);
        if (ready == 0) {
            return 0;
        }
        if (ready < 0 && errno != EINTR) {
            int e = errno;
            prepay__transport_error(t->error, "%s%s: %s", what(t), t->name, strerror(e));
            return PREPAY_E_TRANSPORT_IO;
        }
        if (ready > 0 && t->kind == PREPAY_TRANSPORT_SERIAL && (pfd.revents & (POLLHUP | POLLERR)) &&
            !(pfd.revents & POLLIN)) {
            prepay__transport_error(t->error, "%s: the device hung up", t->name);
            return PREPAY_E_TRANSPORT_CLOSED;
        }
        timeout_ms = 0; /* read what came; the caller waits again if it wants more */
    }
}

int prepay_transport_drain(prepay_transport_t *t)
{
    if (!t) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (t->fd < 0) {
        return PREPAY_E_BAD_STATE;
    }
    int total = 0;
    uint8_t buf[256];
    for (;;) {
        int n = prepay_transport_receive(t, buf, sizeof buf, 0);
        if (n < 0) {
            return n;
        }
        if (n == 0) {
            return total;
        }
        total += n;
    }
}

void prepay_transport_close(prepay_transport_t *t)
{
    if (!t) {
        return;
    }
    if (t->fd >= 0) {
        if (t->kind == PREPAY_TRANSPORT_DTU && t->server) {
            prepay__dtu_server_release(t->server, t->fd);
        } else {
            close(t->fd);
        }
    }
    t->fd = -1;
    t->kind = PREPAY_TRANSPORT_NONE;
}
