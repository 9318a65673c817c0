/* SPDX-License-Identifier: MIT */
/*
 * TCP server for DTUs that dial in (hosted). One poll loop serves the
 * listening socket and every connection not in use by a transport: new
 * peers must send a registration packet (prepay/dtu.h) within the
 * registration time, or they are dropped; a registration with an id already
 * connected replaces the older connection (a DTU that lost its link dials
 * again before the station notices); idle DTUs' heartbeats are counted.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport_posix_internal.h"

/* A registration whose id runs to the end of the bytes is complete once the
 * peer has been silent this long (TCP keeps no packet boundaries). */
#define REGISTRATION_GAP_MS 200u
#define MAX_POLL 1024

static void say(prepay_dtu_server_t *server, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void say(prepay_dtu_server_t *server, const char *fmt, ...)
{
    if (!server->log) {
        return;
    }
    char line[PREPAY_TRANSPORT_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    server->log(server->log_context, line);
}

static void free_slot(prepay_dtu_connection_t *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->state = PREPAY_DTU_FREE;
}

int prepay_dtu_server_open(prepay_dtu_server_t *server, const char *host, uint16_t port,
                           const prepay_dtu_format_t *registration, const prepay_dtu_format_t *heartbeat,
                           prepay_dtu_connection_t *connections, size_t capacity)
{
    if (!server || !registration || !connections || capacity == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(server, 0, sizeof *server);
    server->listen_fd = -1;
    if (!prepay_dtu_format_has_id(registration)) {
        prepay__transport_error(server->error, "the DTU registration format must carry an id");
        return PREPAY_E_INVALID_ARGUMENT;
    }
    server->registration = *registration;
    if (heartbeat) {
        server->heartbeat = *heartbeat;
        server->has_heartbeat = true;
    }
    server->connections = connections;
    server->capacity = capacity;
    server->registration_timeout_ms = PREPAY_DTU_DEFAULT_REGISTRATION_MS;
    for (size_t i = 0; i < capacity; i++) {
        memset(&connections[i], 0, sizeof connections[i]);
        connections[i].fd = -1;
    }
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        prepay__transport_error(server->error, "%s:%u: %s", host ? host : "*", (unsigned)port, gai_strerror(rc));
        return PREPAY_E_TRANSPORT_ADDRESS;
    }
    int e = 0;
    for (const struct addrinfo *ai = list; ai && server->listen_fd < 0; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
            e = errno;
            close(fd);
            continue;
        }
        server->listen_fd = fd;
    }
    freeaddrinfo(list);
    if (server->listen_fd < 0) {
        prepay__transport_error(server->error, "cannot listen on %s:%u: %s", host ? host : "*", (unsigned)port,
                                strerror(e));
        return PREPAY_E_TRANSPORT_OPEN;
    }
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    if (getsockname(server->listen_fd, (struct sockaddr *)&sa, &len) == 0) {
        server->port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                                      : ((struct sockaddr_in *)&sa)->sin_port);
    }
    return PREPAY_OK;
}

void prepay_dtu_server_set_log(prepay_dtu_server_t *server, prepay_dtu_log_fn log, void *context)
{
    if (server) {
        server->log = log;
        server->log_context = context;
    }
}

void prepay_dtu_server_set_registration_timeout(prepay_dtu_server_t *server, uint32_t timeout_ms)
{
    if (server && timeout_ms > 0) {
        server->registration_timeout_ms = timeout_ms;
    }
}

uint16_t prepay_dtu_server_port(const prepay_dtu_server_t *server)
{
    return server && server->listen_fd >= 0 ? server->port : 0;
}

size_t prepay_dtu_server_count(const prepay_dtu_server_t *server)
{
    size_t n = 0;
    for (size_t i = 0; server && i < server->capacity; i++) {
        uint8_t s = server->connections[i].state;
        n += s == PREPAY_DTU_REGISTERED || s == PREPAY_DTU_ATTACHED;
    }
    return n;
}

const char *prepay_dtu_server_id(const prepay_dtu_server_t *server, size_t index)
{
    for (size_t i = 0; server && i < server->capacity; i++) {
        const prepay_dtu_connection_t *c = &server->connections[i];
        if (c->state == PREPAY_DTU_REGISTERED || c->state == PREPAY_DTU_ATTACHED) {
            if (index-- == 0) {
                return c->id;
            }
        }
    }
    return NULL;
}

static void accept_all(prepay_dtu_server_t *server, uint64_t now)
{
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t len = sizeof sa;
        int fd = accept(server->listen_fd, (struct sockaddr *)&sa, &len);
        if (fd < 0) {
            return;
        }
        char peer[64] = "?";
        char host[48], port[8];
        if (getnameinfo((struct sockaddr *)&sa, len, host, sizeof host, port, sizeof port,
                        NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
            snprintf(peer, sizeof peer, "%s:%s", host, port);
        }
        prepay_dtu_connection_t *slot = NULL;
        for (size_t i = 0; i < server->capacity && !slot; i++) {
            if (server->connections[i].state == PREPAY_DTU_FREE) {
                slot = &server->connections[i];
            }
        }
        server->accepted++;
        if (!slot) {
            say(server, "refused %s: all %zu DTU slots are in use", peer, server->capacity);
            server->refused++;
            close(fd);
            continue;
        }
        int flags = fcntl(fd, F_GETFL);
        (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        memset(slot, 0, sizeof *slot);
        slot->fd = fd;
        slot->state = PREPAY_DTU_PENDING;
        slot->connected_ms = now;
        slot->last_seen_ms = now;
        snprintf(slot->peer, sizeof slot->peer, "%s", peer);
    }
}

static void hex_of(const uint8_t *b, size_t n, char *out, size_t cap)
{
    size_t at = 0;
    for (size_t i = 0; i < n && at + 3 < cap; i++) {
        at += (size_t)snprintf(out + at, cap - at, "%s%02X", i ? " " : "", b[i]);
    }
    out[at < cap ? at : cap - 1] = '\0';
}

static void drop(prepay_dtu_server_t *server, prepay_dtu_connection_t *c, const char *why)
{
    char first[3 * 16];
    hex_of(c->buffer, c->pending < 16 ? c->pending : 16, first, sizeof first);
    say(server, "dropped %s: %s%s%s", c->peer, why, c->pending ? "; first bytes " : "", c->pending ? first : "");
    server->refused++;
    free_slot(c);
}

/* A connection's registration is complete: keep it, replacing an older one with the same id. */
static void registered(prepay_dtu_server_t *server, prepay_dtu_connection_t *c, const prepay_dtu_packet_t *p,
                       uint64_t now)
{
    for (size_t i = 0; i < server->capacity; i++) {
        prepay_dtu_connection_t *old = &server->connections[i];
        if (old == c || strcmp(old->id, p->id) != 0 ||
            (old->state != PREPAY_DTU_REGISTERED && old->state != PREPAY_DTU_ATTACHED)) {
            continue;
        }
        say(server, "DTU %s registered again from %s; the connection from %s is closed", p->id, c->peer, old->peer);
        server->replaced++;
        if (old->state == PREPAY_DTU_ATTACHED) {
            /* Its transport owns the descriptor: make its reads end, and let
             * it release the slot (prepay_transport_reconnect()). */
            (void)shutdown(old->fd, SHUT_RDWR);
            old->id[0] = '\0';
        } else {
            free_slot(old);
        }
    }
    memcpy(c->id, p->id, sizeof c->id);
    c->state = PREPAY_DTU_REGISTERED;
    c->last_seen_ms = now;
    server->registered++;
    say(server, "DTU %s registered from %s", c->id, c->peer);
    /* Bytes after the registration (a heartbeat, stale data) are dropped. */
    c->pending = 0;
}

static void read_pending(prepay_dtu_server_t *server, prepay_dtu_connection_t *c, uint64_t now)
{
    for (;;) {
        if (c->pending == sizeof c->buffer) {
            break;
        }
        ssize_t n = read(c->fd, c->buffer + c->pending, sizeof c->buffer - c->pending);
        if (n > 0) {
            c->pending += (size_t)n;
            c->last_seen_ms = now;
            continue;
        }
        if (n == 0) {
            drop(server, c, "closed before registering");
            return;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            drop(server, c, strerror(errno));
            return;
        }
        break;
    }
    bool complete = c->pending == sizeof c->buffer || now - c->last_seen_ms >= REGISTRATION_GAP_MS;
    prepay_dtu_packet_t p;
    int got = prepay_dtu_match(&server->registration, c->buffer, c->pending, complete, &p);
    if (got > 0) {
        registered(server, c, &p, now);
    } else if (got < 0) {
        drop(server, c, "not a DTU registration packet");
    }
}

/* Bytes from an idle registered DTU: heartbeats, a registration repeated, or noise. */
static void read_idle(prepay_dtu_server_t *server, prepay_dtu_connection_t *c, uint64_t now)
{
    uint8_t buf[512];
    for (;;) {
        ssize_t n = read(c->fd, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
            say(server, "DTU %s (%s) disconnected", c->id, c->peer);
            free_slot(c);
            return;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        c->last_seen_ms = now;
        prepay_dtu_packet_t p;
        size_t at = 0;
        while (at < (size_t)n) {
            int got = server->has_heartbeat ? prepay_dtu_match(&server->heartbeat, buf + at, (size_t)n - at, true, &p)
                                            : PREPAY_E_TRANSPORT_NO_MATCH;
            if (got <= 0) {
                got = prepay_dtu_match(&server->registration, buf + at, (size_t)n - at, true, &p);
                if (got > 0 && strcmp(p.id, c->id) != 0) {
                    say(server, "DTU %s (%s) registered again as %s: refused", c->id, c->peer, p.id);
                    server->refused++;
                    free_slot(c);
                    return;
                }
            }
            if (got <= 0) {
                break; /* not a packet: noise from the bus, dropped */
            }
            c->heartbeats++;
            at += (size_t)got;
        }
    }
}

size_t prepay__dtu_server_fill(prepay_dtu_server_t *server, struct pollfd *fds, size_t cap, uint64_t now_ms,
                               int *timeout_ms)
{
    size_t n = 0;
    if (server->listen_fd >= 0 && n < cap) {
        fds[n++] = (struct pollfd){server->listen_fd, POLLIN, 0};
    }
    for (size_t i = 0; i < server->capacity && n < cap; i++) {
        prepay_dtu_connection_t *c = &server->connections[i];
        if (c->state != PREPAY_DTU_PENDING && c->state != PREPAY_DTU_REGISTERED) {
            continue;
        }
        fds[n++] = (struct pollfd){c->fd, POLLIN, 0};
        if (c->state == PREPAY_DTU_PENDING) {
            uint64_t wake = c->pending > 0 ? c->last_seen_ms + REGISTRATION_GAP_MS
                                           : c->connected_ms + server->registration_timeout_ms;
            int left = wake > now_ms ? (int)(wake - now_ms) : 0;
            if (left < *timeout_ms) {
                *timeout_ms = left;
            }
        }
    }
    return n;
}

static prepay_dtu_connection_t *slot_of(prepay_dtu_server_t *server, int fd)
{
    for (size_t i = 0; i < server->capacity; i++) {
        if (server->connections[i].state != PREPAY_DTU_FREE && server->connections[i].fd == fd) {
            return &server->connections[i];
        }
    }
    return NULL;
}

void prepay__dtu_server_serve(prepay_dtu_server_t *server, const struct pollfd *fds, size_t n, uint64_t now_ms)
{
    for (size_t k = 0; k < n; k++) {
        if (fds[k].fd == server->listen_fd) {
            if (fds[k].revents & POLLIN) {
                accept_all(server, now_ms);
            }
            continue;
        }
        prepay_dtu_connection_t *c = slot_of(server, fds[k].fd);
        if (!c || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
            continue;
        }
        if (c->state == PREPAY_DTU_PENDING) {
            read_pending(server, c, now_ms);
        } else if (c->state == PREPAY_DTU_REGISTERED) {
            read_idle(server, c, now_ms);
        }
    }
    /* Deadlines: silence or an unfinished registration. */
    for (size_t i = 0; i < server->capacity; i++) {
        prepay_dtu_connection_t *c = &server->connections[i];
        if (c->state != PREPAY_DTU_PENDING) {
            continue;
        }
        if (c->pending > 0 && now_ms - c->last_seen_ms >= REGISTRATION_GAP_MS) {
            read_pending(server, c, now_ms); /* the end of the packet is known now */
            if (c->state != PREPAY_DTU_PENDING) {
                continue;
            }
        }
        if (now_ms - c->connected_ms >= server->registration_timeout_ms) {
            drop(server, c, "no registration packet in time");
        }
    }
}

int prepay_dtu_server_poll(prepay_dtu_server_t *server, uint32_t timeout_ms)
{
    if (!server) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (server->listen_fd < 0) {
        return PREPAY_E_BAD_STATE;
    }
    struct pollfd fds[MAX_POLL];
    uint64_t now = prepay_transport_now_ms();
    int timeout = timeout_ms > 0x7FFFFFFFu ? 0x7FFFFFFF : (int)timeout_ms;
    size_t n = prepay__dtu_server_fill(server, fds, MAX_POLL, now, &timeout);
    int ready = poll(fds, n, timeout);
    if (ready < 0 && errno != EINTR) {
        prepay__transport_error(server->error, "poll: %s", strerror(errno));
        return PREPAY_E_TRANSPORT_IO;
    }
    prepay__dtu_server_serve(server, fds, ready > 0 ? n : 0, prepay_transport_now_ms());
    return (int)prepay_dtu_server_count(server);
}

int prepay__dtu_server_try_attach(prepay_dtu_server_t *server, const char *id, prepay_transport_t *t)
{
    for (size_t i = 0; i < server->capacity; i++) {
        prepay_dtu_connection_t *c = &server->connections[i];
        if (strcmp(c->id, id) != 0) {
            continue;
        }
        if (c->state == PREPAY_DTU_ATTACHED) {
            return PREPAY_E_BAD_STATE;
        }
        if (c->state != PREPAY_DTU_REGISTERED) {
            continue;
        }
        c->state = PREPAY_DTU_ATTACHED;
        t->fd = c->fd;
        t->kind = PREPAY_TRANSPORT_DTU;
        t->server = server;
        snprintf(t->name, sizeof t->name, "%s", id);
        t->error[0] = '\0';
        return PREPAY_OK;
    }
    return PREPAY_E_TRANSPORT_NO_DTU;
}

int prepay_dtu_server_attach(prepay_dtu_server_t *server, const char *id, uint32_t timeout_ms, prepay_transport_t *t)
{
    if (!server || !id || !t) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (server->listen_fd < 0) {
        return PREPAY_E_BAD_STATE;
    }
    memset(t, 0, sizeof *t);
    t->fd = -1;
    t->connect_timeout_ms = timeout_ms;
    uint64_t deadline = prepay_transport_now_ms() + timeout_ms;
    for (;;) {
        int status = prepay__dtu_server_try_attach(server, id, t);
        if (status != PREPAY_E_TRANSPORT_NO_DTU) {
            if (status == PREPAY_E_BAD_STATE) {
                prepay__transport_error(t->error, "DTU %s is in use by another transport", id);
            }
            return status;
        }
        uint64_t now = prepay_transport_now_ms();
        if (now >= deadline) {
            size_t count = prepay_dtu_server_count(server);
            prepay__transport_error(t->error, "DTU %s did not register within %u ms (%zu other DTU%s connected)", id,
                                    (unsigned)timeout_ms, count, count == 1 ? "" : "s");
            t->kind = PREPAY_TRANSPORT_NONE;
            return PREPAY_E_TRANSPORT_NO_DTU;
        }
        uint64_t left = deadline - now;
        status = prepay_dtu_server_poll(server, left > 1000 ? 1000u : (uint32_t)left);
        if (status < 0) {
            snprintf(t->error, sizeof t->error, "%s", server->error);
            return status;
        }
    }
}

void prepay__dtu_server_release_dead(prepay_dtu_server_t *server, int fd)
{
    prepay_dtu_connection_t *c = slot_of(server, fd);
    if (c) {
        say(server, "DTU %s (%s): connection lost", c->id[0] ? c->id : "?", c->peer);
        free_slot(c);
    } else {
        close(fd);
    }
}

void prepay__dtu_server_release(prepay_dtu_server_t *server, int fd)
{
    prepay_dtu_connection_t *c = slot_of(server, fd);
    if (c && c->state == PREPAY_DTU_ATTACHED && c->id[0] != '\0') {
        c->state = PREPAY_DTU_REGISTERED;
    } else if (c) {
        free_slot(c); /* replaced while attached */
    } else {
        close(fd);
    }
}

void prepay_dtu_server_close(prepay_dtu_server_t *server)
{
    if (!server) {
        return;
    }
    for (size_t i = 0; server->connections && i < server->capacity; i++) {
        if (server->connections[i].state != PREPAY_DTU_FREE) {
            free_slot(&server->connections[i]);
        }
    }
    if (server->listen_fd >= 0) {
        close(server->listen_fd);
    }
    server->listen_fd = -1;
}
