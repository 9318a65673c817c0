/* SPDX-License-Identifier: MIT */
/*
 * A station session over TCP: read the purse and the energy register of the
 * meters behind a transparent DTU (or the emulator prepay-emu), the way a
 * concentrator or a billing server does.
 *
 *   prepay-emu ../sites/small.json --bus-port 0 --ready-file ready &
 *   station_session 127.0.0.1 PORT 000000000101 000000000102
 *
 * The session (prepay/station.h) is sans-I/O: it never touches the socket
 * or a clock. This program owns the I/O loop: it sends what the session asks
 * to send, waits with poll() until bytes come or the session's wake-up time
 * passes, and hands the session the bytes (prepay_station_receive) or the
 * time (prepay_station_poll) until the request is DONE. The same session
 * code runs unchanged on a concentrator's UART.
 * Build against an installed library:
 *   cc station_session.c $(pkg-config --cflags --libs prepay) -o station_session
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <prepay/prepay.h>

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int connect_to(const char *host, int port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/*
 * Runs one request to its end (a reply, an abnormal reply or a timeout).
 * Returns the library status of the calls, or -1 on a socket error; how the
 * request itself ended is in result->status.
 */
static int exchange(int fd, prepay_station_session_t *session, const prepay_dlt645_frame_t *request, uint8_t *data,
                    size_t data_cap, prepay_station_result_t *result)
{
    uint8_t tx[PREPAY_STATION_TX_MAX];
    prepay_station_step_t step;
    int status = prepay_station_start(session, request, data, data_cap, now_ms(), tx, sizeof tx, &step);
    while (status == PREPAY_OK && step.action != PREPAY_STATION_DONE) {
        if (step.action == PREPAY_STATION_SEND) {
            for (size_t sent = 0; sent < step.send_len;) {
                ssize_t n = send(fd, tx + sent, step.send_len - sent, MSG_NOSIGNAL);
                if (n < 0 && errno != EINTR) {
                    (void)prepay_station_cancel(session);
                    return -1;
                }
                sent += n > 0 ? (size_t)n : 0u;
            }
        }
        uint64_t now = now_ms();
        struct pollfd pfd = {fd, POLLIN, 0};
        int ready = poll(&pfd, 1, step.wake_at_ms > now ? (int)(step.wake_at_ms - now) : 0);
        if (ready < 0 && errno != EINTR) {
            (void)prepay_station_cancel(session);
            return -1;
        }
        if (ready > 0) {
            uint8_t rx[512];
            ssize_t n = recv(fd, rx, sizeof rx, 0);
            if (n <= 0) {
                (void)prepay_station_cancel(session); /* the DTU closed the connection */
                return -1;
            }
            status = prepay_station_receive(session, rx, (size_t)n, now_ms(), tx, sizeof tx, &step);
        } else {
            status = prepay_station_poll(session, now_ms(), tx, sizeof tx, &step);
        }
    }
    return status == PREPAY_OK ? prepay_station_result(session, result) : status;
}

/* Reads one item and prints "NAME = VALUE UNIT". Returns 0, or 1 after printing why not. */
static int read_item(int fd, prepay_station_session_t *session, const prepay_dlt645_address_t *meter, uint32_t di)
{
    prepay_dlt645_frame_t request;
    prepay_station_result_t result;
    uint8_t data[PREPAY_DLT645_MAX_DATA];
    int status = prepay_dlt645_request_read(&request, meter, di);
    if (status == PREPAY_OK) {
        status = exchange(fd, session, &request, data, sizeof data, &result);
    }
    if (status == PREPAY_OK) {
        status = result.status; /* a reply, PREPAY_E_DLT645_ABNORMAL or PREPAY_E_STATION_TIMEOUT */
    }
    prepay_dlt645_value_t value;
    if (status == PREPAY_OK) {
        status = prepay_dlt645_value_decode(di, data, result.data_len, &value);
    }
    char name[PREPAY_DLT645_NAME_MAX];
    char text[PREPAY_DLT645_VALUE_TEXT_MAX];
    if (prepay_dlt645_item_name(di, name, sizeof name) < 0) {
        snprintf(name, sizeof name, "DI %08lX", (unsigned long)di);
    }
    if (status != PREPAY_OK) {
        printf("  %s: %s\n", name, status < 0 && status != -1 ? prepay_strerror(status) : "connection lost");
        return 1;
    }
    if (prepay_dlt645_value_format(&value, text, sizeof text) < 0) {
        strcpy(text, "?");
    }
    printf("  %s = %s %s\n", name, text, prepay_dlt645_unit_symbol(value.unit));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: station_session HOST PORT METER-ADDRESS...\n");
        return 2;
    }
    int fd = connect_to(argv[1], atoi(argv[2]));
    if (fd < 0) {
        fprintf(stderr, "station_session: %s:%s: %s\n", argv[1], argv[2], strerror(errno));
        return 1;
    }
    /* Generous timing: a DTU on a cellular link, or a busy test machine. */
    prepay_station_config_t config;
    prepay_station_config_default(&config);
    config.reply_timeout_ms = 10000;
    static prepay_station_session_t session;
    if (prepay_station_init(&session, &config) != PREPAY_OK) {
        close(fd);
        return 1;
    }
    int failures = 0;
    for (int i = 3; i < argc; i++) {
        prepay_dlt645_address_t meter;
        int status = prepay_dlt645_address_from_string(argv[i], strlen(argv[i]), &meter);
        if (status != PREPAY_OK) {
            fprintf(stderr, "station_session: meter address '%s': %s\n", argv[i], prepay_strerror(status));
            failures++;
            continue;
        }
        printf("meter %s\n", argv[i]);
        failures += read_item(fd, &session, &meter, 0x00900200u); /* remaining amount (purse) */
        failures += read_item(fd, &session, &meter, 0x00010000u); /* forward active energy, total */
    }
    prepay_station_stats_t stats;
    (void)prepay_station_stats(&session, &stats);
    printf("%llu requests, %llu frames sent, %llu timeouts\n", (unsigned long long)stats.requests,
           (unsigned long long)stats.transmissions, (unsigned long long)stats.timeouts);
    close(fd);
    return failures == 0 ? 0 : 1;
}
