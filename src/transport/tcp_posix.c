/* SPDX-License-Identifier: MIT */
/*
 * TCP client transport (hosted): a transparent DTU or a serial device server
 * at host:port, connected without blocking past the time allowed, and
 * connected again when the connection is lost.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport_posix_internal.h"

uint64_t prepay_transport_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One connection attempt to one address; returns the socket or -1 (errno set, or ETIMEDOUT). */
static int connect_one(const struct addrinfo *ai, uint32_t timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        struct pollfd pfd = {fd, POLLOUT, 0};
        int ready;
        do {
            ready = poll(&pfd, 1, (int)timeout_ms);
        } while (ready < 0 && errno == EINTR);
        if (ready == 0) {
            close(fd);
            errno = ETIMEDOUT;
            return -1;
        }
        int err = 0;
        socklen_t len = sizeof err;
        if (ready < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
            int e = ready < 0 ? errno : (err != 0 ? err : errno);
            close(fd);
            errno = e;
            return -1;
        }
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int connect_tcp(prepay_transport_t *t)
{
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)t->port);
    int rc = getaddrinfo(t->name, service, &hints, &list);
    if (rc != 0) {
        prepay__transport_error(t->error, "%s:%u: %s", t->name, (unsigned)t->port, gai_strerror(rc));
        return PREPAY_E_TRANSPORT_ADDRESS;
    }
    int fd = -1;
    int e = 0;
    for (const struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_one(ai, t->connect_timeout_ms);
        if (fd < 0) {
            e = errno;
        }
    }
    freeaddrinfo(list);
    if (fd < 0) {
        if (e == ETIMEDOUT) {
            prepay__transport_error(t->error, "%s:%u: no connection within %u ms", t->name, (unsigned)t->port,
                                    (unsigned)t->connect_timeout_ms);
            return PREPAY_E_TRANSPORT_TIMEOUT;
        }
        prepay__transport_error(t->error, "%s:%u: %s", t->name, (unsigned)t->port, strerror(e));
        return PREPAY_E_TRANSPORT_OPEN;
    }
    t->fd = fd;
    t->kind = PREPAY_TRANSPORT_TCP;
    t->error[0] = '\0';
    return PREPAY_OK;
}

int prepay_transport_open_tcp(prepay_transport_t *t, const char *host, uint16_t port, uint32_t timeout_ms)
{
    if (!t || !host) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(t, 0, sizeof *t);
    t->fd = -1;
    if (strlen(host) >= sizeof t->name) {
        prepay__transport_error(t->error, "host name too long");
        return PREPAY_E_INVALID_ARGUMENT;
    }
    snprintf(t->name, sizeof t->name, "%s", host);
    t->port = port;
    t->connect_timeout_ms = timeout_ms ? timeout_ms : PREPAY_TRANSPORT_DEFAULT_CONNECT_MS;
    return connect_tcp(t);
}

int prepay_transport_reconnect(prepay_transport_t *t)
{
    if (!t) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (t->kind == PREPAY_TRANSPORT_TCP) {
        if (t->fd >= 0) {
            close(t->fd);
            t->fd = -1;
        }
        int status = connect_tcp(t);
        if (status == PREPAY_OK) {
            t->reconnects++;
        }
        return status;
    }
    if (t->kind == PREPAY_TRANSPORT_DTU && t->server) {
        prepay_dtu_server_t *server = t->server;
        if (t->fd >= 0) {
            prepay__dtu_server_release_dead(server, t->fd);
            t->fd = -1;
        }
        char id[PREPAY_TRANSPORT_NAME_MAX];
        snprintf(id, sizeof id, "%s", t->name);
        uint32_t timeout = t->connect_timeout_ms;
        uint32_t reconnects = t->reconnects;
        int status = prepay_dtu_server_attach(server, id, timeout, t);
        if (status == PREPAY_OK) {
            t->reconnects = reconnects + 1u;
        } else {
            t->kind = PREPAY_TRANSPORT_DTU; /* still a (lost) DTU transport */
            t->server = server;
            snprintf(t->name, sizeof t->name, "%s", id);
            t->connect_timeout_ms = timeout;
        }
        return status;
    }
    return PREPAY_E_BAD_STATE;
}
