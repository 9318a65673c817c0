/* SPDX-License-Identifier: MIT */
/*
 * Benchmark: the emulator at scale, over loopback TCP (hosted).
 *
 * Starts prepay-emu with a generated site of N meters behind one DTU port,
 * reports the state per meter (sizeof prepay_meter_t and the emulator's
 * resident memory per meter), then drives K connections (K buses, one
 * outstanding request each, as DL/T 645 allows) with reads of the forward
 * active energy and prints request/reply round trips per second; finally
 * one broadcast time sync advancing every meter by an hour.
 *
 * usage: bench_emulator PREPAY_EMU TARIFF.json [meters=10000] [connections=8] [seconds=5]
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "prepay/prepay.h"

extern char **environ;

#define MAX_CONNECTIONS 64

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
        }
    }
    if (f) {
        fclose(f);
    }
    return kib;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("bench_emulator: connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

typedef struct bus {
    int fd;
    prepay_station_session_t session;
    uint8_t tx[PREPAY_STATION_TX_MAX];
    size_t next_meter;
    uint64_t done;
} bus_t;

static prepay_dlt645_address_t meter_address(size_t i)
{
    char text[13];
    snprintf(text, sizeof text, "%012zu", i + 1);
    prepay_dlt645_address_t a;
    if (prepay_dlt645_address_from_string(text, 12, &a) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    return a;
}

static void start_read(bus_t *b, size_t meters)
{
    prepay_dlt645_frame_t req;
    prepay_dlt645_address_t a = meter_address(b->next_meter);
    b->next_meter = (b->next_meter + MAX_CONNECTIONS) % meters;
    if (prepay_dlt645_request_read(&req, &a, 0x00010000u) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    prepay_station_step_t step;
    if (prepay_station_start(&b->session, &req, NULL, 0, now_ms(), b->tx, sizeof b->tx, &step) != PREPAY_OK ||
        send(b->fd, b->tx, step.send_len, MSG_NOSIGNAL) != (ssize_t)step.send_len) {
        fprintf(stderr, "bench_emulator: send failed\n");
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_emulator PREPAY_EMU TARIFF.json [meters] [connections] [seconds]\n");
        return 2;
    }
    size_t meters = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 10000;
    int connections = argc > 4 ? atoi(argv[4]) : 8;
    int seconds = argc > 5 ? atoi(argv[5]) : 5;
    if (meters == 0 || connections < 1 || connections > MAX_CONNECTIONS || seconds < 1) {
        fprintf(stderr, "bench_emulator: bad arguments\n");
        return 2;
    }
    char site[] = "/tmp/prepay-bench-site-XXXXXX";
    int sfd = mkstemp(site);
    FILE *f = fdopen(sfd, "w");
    fprintf(f, "{\"format\": \"prepay-site/1\", \"name\": \"bench\", \"start\": \"2026-11-01 00:00\", \"tariff\": \"%s\",\n"
               " \"defaults\": {\"mode\": \"remote\"}, \"meters\": [\n", argv[2]);
    for (size_t i = 0; i < meters; i++) {
        fprintf(f, "  {\"address\": \"%012zu\", \"load\": {\"watts\": %zu}}%s\n", i + 1, 300 + i % 700,
                i + 1 < meters ? "," : "");
    }
    fprintf(f, "]}\n");
    fclose(f);
    char ready[] = "/tmp/prepay-bench-ready-XXXXXX";
    close(mkstemp(ready));
    unlink(ready);
    char bus_flag[] = "--bus-port", zero[] = "0", ready_flag[] = "--ready-file", quiet[] = "--quiet";
    char *args[] = {argv[1], site, bus_flag, zero, ready_flag, ready, quiet, NULL};
    pid_t pid;
    uint64_t t0 = now_ms();
    if (posix_spawn(&pid, argv[1], NULL, NULL, args, environ) != 0) {
        perror("bench_emulator: spawn");
        return 1;
    }
    int port = -1;
    for (int i = 0; i < 3000 && port < 0; i++) {
        FILE *r = fopen(ready, "r");
        if (r) {
            if (fscanf(r, "bus_port=%d", &port) != 1) {
                port = -1;
            }
            fclose(r);
        }
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    if (port < 0) {
        fprintf(stderr, "bench_emulator: the emulator did not start\n");
        kill(pid, SIGKILL);
        return 1;
    }
    uint64_t load_ms = now_ms() - t0;
    long rss = rss_kib(pid);
    printf("bench_emulator: %zu meters in one prepay-emu process (site loaded in %llu ms)\n", meters,
           (unsigned long long)load_ms);
    printf("  sizeof(prepay_meter_t)          %zu bytes\n", sizeof(prepay_meter_t));
    printf("  emulator resident memory        %ld KiB = %.0f bytes per meter (all overheads included)\n", rss,
           rss > 0 ? (double)rss * 1024.0 / (double)meters : 0.0);

    bus_t *buses = calloc((size_t)connections, sizeof *buses);
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.preamble = 0;
    for (int c = 0; c < connections; c++) {
        buses[c].fd = connect_to(port);
        if (prepay_station_init(&buses[c].session, &cfg) != PREPAY_OK) {
            abort(); /* a bench whose own step fails would time nothing */
        }
        buses[c].next_meter = (size_t)c % meters;
        start_read(&buses[c], meters);
    }
    struct pollfd pfd[MAX_CONNECTIONS];
    uint64_t start = now_ms(), end = start + (uint64_t)seconds * 1000u, total = 0, failed = 0;
    while (now_ms() < end) {
        for (int c = 0; c < connections; c++) {
            pfd[c].fd = buses[c].fd;
            pfd[c].events = POLLIN;
        }
        if (poll(pfd, (nfds_t)connections, 100) < 0 && errno != EINTR) {
            break;
        }
        for (int c = 0; c < connections; c++) {
            if (!(pfd[c].revents & POLLIN)) {
                continue;
            }
            uint8_t rx[512];
            ssize_t n = recv(buses[c].fd, rx, sizeof rx, 0);
            if (n <= 0) {
                fprintf(stderr, "bench_emulator: connection lost\n");
                return 1;
            }
            prepay_station_step_t step;
            if (prepay_station_receive(&buses[c].session, rx, (size_t)n, now_ms(), buses[c].tx, sizeof buses[c].tx,
                                       &step) != PREPAY_OK) {
                abort(); /* a bench whose own step fails would time nothing */
            }
            if (step.action == PREPAY_STATION_DONE) {
                prepay_station_result_t r;
                if (prepay_station_result(&buses[c].session, &r) != PREPAY_OK) {
                    abort(); /* a bench whose own step fails would time nothing */
                }
                failed += r.status != PREPAY_OK;
                buses[c].done++;
                total++;
                start_read(&buses[c], meters);
            }
        }
    }
    double elapsed = (double)(now_ms() - start) / 1000.0;
    printf("  round trips over loopback TCP   %.0f /s with %d connections (%llu requests, %llu failed)\n",
           (double)total / elapsed, connections, (unsigned long long)total, (unsigned long long)failed);

    /* One time sync moves every meter forward an hour (minute steps). */
    prepay_dlt645_frame_t sync;
    prepay_civil_t c1 = {2026, 11, 1, 1, 0, 0, 0};
    prepay_time_t t1;
    if (prepay_time_from_civil(&c1, &t1) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    if (prepay_dlt645_request_broadcast_time(&sync, t1) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    uint8_t tx[PREPAY_STATION_TX_MAX];
    int len = prepay_dlt645_encode(&sync, tx, sizeof tx);
    /* A fresh bus, so that no reply of the measurement above is in flight. */
    close(buses[0].fd);
    buses[0].fd = connect_to(port);
    if (prepay_station_init(&buses[0].session, &cfg) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    uint64_t s0 = now_ms();
    send(buses[0].fd, tx, (size_t)len, MSG_NOSIGNAL);
    /* The next read is answered only after the advance is done. */
    buses[0].next_meter = 0;
    start_read(&buses[0], meters);
    for (;;) {
        uint8_t rx[512];
        ssize_t n = recv(buses[0].fd, rx, sizeof rx, 0);
        if (n <= 0) {
            break;
        }
        prepay_station_step_t step;
        if (prepay_station_receive(&buses[0].session, rx, (size_t)n, now_ms(), buses[0].tx, sizeof buses[0].tx,
                                   &step) != PREPAY_OK) {
            abort(); /* a bench whose own step fails would time nothing */
        }
        if (step.action == PREPAY_STATION_DONE) {
            break;
        }
    }
    double advance_s = (double)(now_ms() - s0) / 1000.0;
    printf("  time sync advancing every meter by 1 h: %.2f s = %.0f meter-hours/s\n", advance_s,
           advance_s > 0 ? (double)meters / advance_s : 0.0);
    for (int k = 0; k < connections; k++) {
        close(buses[k].fd);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    unlink(site);
    unlink(ready);
    free(buses);
    return 0;
}
