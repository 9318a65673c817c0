/* SPDX-License-Identifier: MIT */
/* A station session over a blocking TCP socket (hosted). */
#define _POSIX_C_SOURCE 200809L
#include "station_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

uint64_t station_link_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int station_link_open(station_link_t *link, const char *host, int port, const prepay_station_config_t *config)
{
    memset(link, 0, sizeof *link);
    link->fd = -1;
    if (prepay_station_init(&link->session, config) != PREPAY_OK) {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    link->fd = fd;
    return 0;
}

static int send_all(station_link_t *link, const uint8_t *bytes, size_t len)
{
    while (len > 0) {
        ssize_t n = send(link->fd, bytes, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        link->bytes_sent += (uint64_t)n;
        bytes += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Abandons the request after an error; a session that cannot be cancelled is the worse error. */
static int abandon(station_link_t *link, int status)
{
    int cancelled = prepay_station_cancel(&link->session);
    return cancelled != PREPAY_OK ? cancelled : status;
}

int station_link_exchange(station_link_t *link, const prepay_dlt645_frame_t *request, uint8_t *data, size_t data_cap,
                          prepay_station_result_t *result)
{
    uint8_t tx[PREPAY_STATION_TX_MAX];
    prepay_station_step_t step;
    int status = prepay_station_start(&link->session, request, data, data_cap, station_link_now_ms(), tx, sizeof tx,
                                      &step);
    if (status != PREPAY_OK) {
        return status;
    }
    for (;;) {
        if (step.action == PREPAY_STATION_DONE) {
            return prepay_station_result(&link->session, result);
        }
        if (step.action == PREPAY_STATION_SEND && send_all(link, tx, step.send_len) != 0) {
            return abandon(link, -1);
        }
        uint64_t now = station_link_now_ms();
        int timeout = step.wake_at_ms > now ? (int)(step.wake_at_ms - now) : 0;
        struct pollfd pfd = {link->fd, POLLIN, 0};
        int ready = poll(&pfd, 1, timeout);
        if (ready < 0 && errno != EINTR) {
            return abandon(link, -1);
        }
        now = station_link_now_ms();
        if (ready > 0) {
            uint8_t rx[2048];
            ssize_t n = recv(link->fd, rx, sizeof rx, 0);
            if (n <= 0) {
                return abandon(link, -1); /* connection closed: the caller decides */
            }
            link->bytes_received += (uint64_t)n;
            status = prepay_station_receive(&link->session, rx, (size_t)n, now, tx, sizeof tx, &step);
        } else {
            status = prepay_station_poll(&link->session, now, tx, sizeof tx, &step);
        }
        if (status != PREPAY_OK) {
            return abandon(link, status);
        }
    }
}

void station_link_close(station_link_t *link)
{
    if (link->fd >= 0) {
        close(link->fd);
    }
    link->fd = -1;
}
