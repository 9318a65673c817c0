/* SPDX-License-Identifier: MIT */
/*
 * Hosted transports (prepay/transport.h) against peers in this process:
 * a pseudo-terminal for the serial path (settings, exclusive open, errors
 * with the system's text), a loopback TCP peer that drops the connection in
 * the middle of a request, and DTUs dialling in to a server (registration,
 * garbage, silence, a second registration replacing the first, heartbeats,
 * a full server, many DTUs at once). The peers answer DL/T 645 reads with a
 * fixed value; timeouts are generous (the tests wait for events, not for
 * time to pass, except where silence is the point).
 */
#define _DEFAULT_SOURCE /* openpty */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "prepay/transport.h"

#define DI_ENERGY 0x00010000u
#define BUDGET_MS 20000u /* generous: the tests wait for events, this only bounds a broken run */

static prepay_dlt645_address_t addr(const char *text)
{
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string(text, 12, &a), PREPAY_OK);
    return a;
}

/* ---- a peer answering reads: 1234.56 kWh for every meter --------------------- */

typedef struct peer {
    int fd;
    int answers_left;   /* answer this many requests, then stop answering */
    int close_after;    /* close the connection after reading this many requests (0: never) */
    int seen;
    const char *greeting; /* bytes to send first (a DTU registration), or NULL */
} peer_t;

static int answer(int fd, const prepay_dlt645_frame_t *req)
{
    if (req->function != PREPAY_DLT645_FN_READ) {
        return 0;
    }
    uint8_t data[8] = {(uint8_t)req->di, (uint8_t)(req->di >> 8), (uint8_t)(req->di >> 16), (uint8_t)(req->di >> 24),
                       0x56, 0x34, 0x12, 0x00};
    prepay_dlt645_frame_t reply;
    assert_int_equal(prepay_dlt645_frame_init(&reply, PREPAY_DLT645_EDITION_2007, &req->address, 0x91, data, 8),
                     PREPAY_OK);
    reply.preamble = 2;
    uint8_t wire[64];
    int n = prepay_dlt645_encode(&reply, wire, sizeof wire);
    return (int)write(fd, wire, (size_t)n) == n ? 0 : -1;
}

/* Reads frames from fd and answers them, until the peer's script ends or the fd closes. */
static void *peer_run(void *arg)
{
    peer_t *p = arg;
    if (p->greeting) {
        (void)!write(p->fd, p->greeting, strlen(p->greeting));
    }
    prepay_dlt645_stream_t stream;
    assert_int_equal(prepay_dlt645_stream_init(&stream, PREPAY_DLT645_EDITION_AUTO), PREPAY_OK);
    uint8_t buf[256];
    for (;;) {
        struct pollfd pfd = {p->fd, POLLIN, 0};
        if (poll(&pfd, 1, (int)BUDGET_MS) <= 0) {
            return NULL;
        }
        ssize_t n = read(p->fd, buf, sizeof buf);
        if (n <= 0) {
            return NULL;
        }
        assert_true(prepay_dlt645_stream_feed(&stream, buf, (size_t)n) >= 0);
        prepay_dlt645_frame_t f;
        while (prepay_dlt645_stream_next(&stream, &f) == 1) {
            p->seen++;
            if (p->close_after > 0 && p->seen >= p->close_after) {
                close(p->fd);
                p->fd = -1;
                return NULL;
            }
            if (p->answers_left > 0) {
                p->answers_left--;
                answer(p->fd, &f);
                if (p->answers_left == 0) {
                    return NULL; /* the script is done */
                }
            }
        }
    }
}

static void read_once(prepay_transport_t *t, const prepay_station_config_t *config, prepay_station_result_t *r,
                      int expect_call)
{
    prepay_station_session_t s;
    assert_int_equal(prepay_station_init(&s, config), PREPAY_OK);
    prepay_dlt645_frame_t req;
    prepay_dlt645_address_t a = addr("000000000101");
    assert_int_equal(prepay_dlt645_request_read(&req, &a, DI_ENERGY), PREPAY_OK);
    uint8_t data[16];
    int status = prepay_transport_exchange(t, &s, &req, data, sizeof data, r);
    if (status != expect_call) {
        fail_msg("exchange: %d (%s), want %d; transport: %s", status, prepay_strerror(status), expect_call, t->error);
    }
    if (status == PREPAY_OK && r->status == PREPAY_OK) {
        assert_int_equal(r->data_len, 4);
        assert_memory_equal(data, ((uint8_t[]){0x56, 0x34, 0x12, 0x00}), 4);
    }
}

/* ---- serial -------------------------------------------------------------------- */

static void test_serial_settings(void **state)
{
    (void)state;
    prepay_serial_settings_t s;
    prepay_serial_settings_default(&s);
    assert_int_equal(s.baud, 2400);
    assert_int_equal(s.data_bits, 8);
    assert_int_equal(s.parity, 'E');
    assert_int_equal(s.stop_bits, 1);
    /* 2400 8E1: 11 bits = 4583.3 us, rounded up. */
    assert_int_equal(prepay_serial_char_time_us(&s), 4584);
    assert_int_equal(prepay_serial_settings_parse("9600:8n1", &s), PREPAY_OK);
    assert_int_equal(s.baud, 9600);
    assert_int_equal(s.parity, 'N');
    /* 9600 8N1: 10 bits = 1041.7 us. */
    assert_int_equal(prepay_serial_char_time_us(&s), 1042);
    assert_int_equal(prepay_serial_settings_parse("1200", &s), PREPAY_OK);
    assert_int_equal(s.baud, 1200);
    assert_int_equal(s.parity, 'E');
    assert_int_equal(prepay_serial_settings_parse("115200:7O2", &s), PREPAY_OK);
    assert_int_equal(s.data_bits, 7);
    assert_int_equal(s.stop_bits, 2);
    const char *bad[] = {"", "600", "2400:8E3", "2400:9E1", "2400:8X1", "2400:8E", "2400x", "abc", "2400:8E1:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        prepay_serial_settings_t keep = s;
        assert_int_equal(prepay_serial_settings_parse(bad[i], &s), PREPAY_E_TRANSPORT_SETTINGS);
        assert_memory_equal(&keep, &s, sizeof s);
    }
}

static void test_serial_pty_exchange_and_exclusive_open(void **state)
{
    (void)state;
    int master, slave;
    char name[128];
    assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
    close(slave); /* the transport opens it by name, as a user would */
    /* Every rate DL/T 645 buses use, each with another frame setting; the
     * transport reads the speed back from the device (a pty keeps it). */
    const unsigned rates[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
    const char *frames[] = {"8E1", "8N1", "8O1", "8E2", "8N2", "7E1", "8O2", "8E1"};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        prepay_serial_settings_t s;
        char spec[32];
        snprintf(spec, sizeof spec, "%u:%s", rates[i], frames[i]);
        assert_int_equal(prepay_serial_settings_parse(spec, &s), PREPAY_OK);
        assert_int_equal(s.baud, rates[i]);
        prepay_transport_t t;
        int status = prepay_transport_open_serial(&t, name, &s);
        if (status != PREPAY_OK) {
            fail_msg("open %s at %u: %s", name, rates[i], t.error);
        }
        /* A second station on the same port is refused, with a reason. */
        prepay_transport_t other;
        assert_int_equal(prepay_transport_open_serial(&other, name, NULL), PREPAY_E_TRANSPORT_BUSY);
        assert_non_null(strstr(other.error, name));
        assert_int_equal(other.fd, -1);
        peer_t p = {master, 1, 0, 0, NULL};
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, peer_run, &p), 0);
        prepay_station_result_t r;
        read_once(&t, NULL, &r, PREPAY_OK);
        assert_int_equal(r.status, PREPAY_OK);
        assert_int_equal(r.attempts, 1);
        prepay_transport_close(&t);
        pthread_join(th, NULL);
        prepay_transport_close(&t); /* twice is fine */
    }
    close(master);
    /* A missing device and something that is not a serial port. */
    prepay_transport_t t;
    assert_int_equal(prepay_transport_open_serial(&t, "/dev/prepay-no-such-tty", NULL), PREPAY_E_TRANSPORT_OPEN);
    assert_string_equal(t.error, "/dev/prepay-no-such-tty: No such file or directory");
    assert_int_equal(prepay_transport_open_serial(&t, "/dev/null", NULL), PREPAY_E_TRANSPORT_OPEN);
    assert_non_null(strstr(t.error, "not a serial port"));
    prepay_serial_settings_t s;
    prepay_serial_settings_default(&s);
    s.baud = 3000;
    assert_int_equal(prepay_transport_open_serial(&t, "/dev/null", &s), PREPAY_E_TRANSPORT_SETTINGS);
}

/* ---- TCP client ---------------------------------------------------------------------- */

static int listen_any(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 8), 0);
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

typedef struct dropper {
    int listen_fd;
} dropper_t;

/* First connection: reads the request and closes; second: answers. */
static void *dropper_run(void *arg)
{
    dropper_t *d = arg;
    int first = accept(d->listen_fd, NULL, NULL);
    peer_t p1 = {first, 0, 1, 0, NULL};
    peer_run(&p1);
    if (p1.fd >= 0) {
        close(p1.fd);
    }
    int second = accept(d->listen_fd, NULL, NULL);
    peer_t p2 = {second, 1, 0, 0, NULL};
    peer_run(&p2);
    close(second);
    return NULL;
}

static void test_tcp_reconnects_during_a_request(void **state)
{
    (void)state;
    uint16_t port;
    dropper_t d = {listen_any(&port)};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, dropper_run, &d), 0);
    prepay_transport_t t;
    assert_int_equal(prepay_transport_open_tcp(&t, "127.0.0.1", port, BUDGET_MS), PREPAY_OK);
    prepay_station_config_t config;
    prepay_station_config_default(&config);
    config.reply_timeout_ms = BUDGET_MS;
    prepay_station_result_t r;
    read_once(&t, &config, &r, PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(t.reconnects, 1);
    prepay_transport_close(&t);
    pthread_join(th, NULL);
    close(d.listen_fd);
    /* Nobody listening: refused, with the system's text. */
    uint16_t dead;
    int fd = listen_any(&dead);
    close(fd);
    assert_int_equal(prepay_transport_open_tcp(&t, "127.0.0.1", dead, BUDGET_MS), PREPAY_E_TRANSPORT_OPEN);
    assert_non_null(strstr(t.error, "Connection refused"));
}

/* ---- DTUs dialling in ------------------------------------------------------------------ */

static int dial(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static char log_text[4096];

static void keep_log(void *context, const char *line)
{
    (void)context;
    size_t used = strlen(log_text);
    snprintf(log_text + used, sizeof log_text - used, "%s\n", line);
}

/* Polls the server until `done` says so (or the budget runs out). */
static void serve_until(prepay_dtu_server_t *server, bool (*done)(const prepay_dtu_server_t *, const void *),
                        const void *arg)
{
    uint64_t end = prepay_transport_now_ms() + BUDGET_MS;
    while (!done(server, arg)) {
        assert_true(prepay_transport_now_ms() < end);
        assert_true(prepay_dtu_server_poll(server, 100) >= 0);
    }
}

static bool refused_at_least(const prepay_dtu_server_t *server, const void *arg)
{
    return server->refused >= *(const uint64_t *)arg;
}

static bool registered_at_least(const prepay_dtu_server_t *server, const void *arg)
{
    return server->registered >= *(const uint64_t *)arg;
}

static void test_dtu_server_registrations(void **state)
{
    (void)state;
    prepay_dtu_format_t reg, hb;
    assert_int_equal(prepay_dtu_format_parse("prefix:REG:", 11, &reg), PREPAY_OK);
    assert_int_equal(prepay_dtu_format_parse("pattern:'HB'", 12, &hb), PREPAY_OK);
    prepay_dtu_server_t server;
    prepay_dtu_connection_t slots[3];
    assert_int_equal(prepay_dtu_server_open(&server, "127.0.0.1", 0, &reg, &hb, slots, 3), PREPAY_OK);
    prepay_dtu_server_set_log(&server, keep_log, NULL);
    prepay_dtu_server_set_registration_timeout(&server, 300); /* short for the silent peer only */
    uint16_t port = prepay_dtu_server_port(&server);
    assert_true(port > 0);
    log_text[0] = '\0';

    /* Garbage instead of a registration: dropped, and the log says what came. */
    int garbage = dial(port);
    assert_int_equal(write(garbage, "GET / HTTP/1.0\r\n", 16), 16);
    uint64_t one = 1;
    serve_until(&server, refused_at_least, &one);
    assert_non_null(strstr(log_text, "not a DTU registration packet; first bytes 47 45 54"));
    close(garbage);
    /* Silence: dropped after the registration time. */
    int silent = dial(port);
    uint64_t two = 2;
    serve_until(&server, refused_at_least, &two);
    assert_non_null(strstr(log_text, "no registration packet in time"));
    close(silent);
    prepay_dtu_server_set_registration_timeout(&server, BUDGET_MS);

    /* A DTU registers (in two pieces), sends heartbeats while idle. */
    int dtu = dial(port);
    assert_int_equal(write(dtu, "REG:DT", 6), 6);
    assert_int_equal(prepay_dtu_server_poll(&server, 50), 0);
    assert_int_equal(write(dtu, "U7", 2), 2);
    serve_until(&server, registered_at_least, &one);
    assert_int_equal(prepay_dtu_server_count(&server), 1);
    assert_string_equal(prepay_dtu_server_id(&server, 0), "DTU7");
    assert_int_equal(write(dtu, "HBHB", 4), 4);
    while (slots[0].heartbeats + slots[1].heartbeats + slots[2].heartbeats < 2) {
        assert_true(prepay_dtu_server_poll(&server, 100) >= 0);
    }

    /* The station attaches it and reads a meter behind it. */
    prepay_transport_t t;
    assert_int_equal(prepay_dtu_server_attach(&server, "DTU7", BUDGET_MS, &t), PREPAY_OK);
    prepay_transport_t again;
    assert_int_equal(prepay_dtu_server_attach(&server, "DTU7", 10, &again), PREPAY_E_BAD_STATE);
    peer_t p = {dtu, 1, 0, 0, NULL};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, peer_run, &p), 0);
    prepay_station_result_t r;
    read_once(&t, NULL, &r, PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
    pthread_join(th, NULL);

    /* It dials again (its old link is half dead): the new connection replaces the old. */
    int dtu2 = dial(port);
    peer_t p2 = {dtu2, 1, 0, 0, "REG:DTU7"};
    assert_int_equal(pthread_create(&th, NULL, peer_run, &p2), 0);
    uint64_t registrations = 2;
    serve_until(&server, registered_at_least, &registrations);
    assert_int_equal(server.replaced, 1);
    assert_non_null(strstr(log_text, "DTU DTU7 registered again"));
    /* The station's next request finds the old connection gone and goes out on the new one. */
    read_once(&t, NULL, &r, PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(t.reconnects, 1);
    prepay_transport_close(&t);
    pthread_join(th, NULL);
    close(dtu);
    close(dtu2);

    /* A DTU that never comes: a clear error. */
    assert_int_equal(prepay_dtu_server_attach(&server, "DTU9", 200, &t), PREPAY_E_TRANSPORT_NO_DTU);
    assert_non_null(strstr(t.error, "DTU DTU9 did not register within 200 ms"));

    /* Full: the fourth connection is refused at once. */
    int c[4];
    uint64_t refused = server.refused;
    for (int i = 0; i < 4; i++) {
        c[i] = dial(port);
    }
    uint64_t target = refused + 1;
    serve_until(&server, refused_at_least, &target);
    assert_non_null(strstr(log_text, "all 3 DTU slots are in use"));
    for (int i = 0; i < 4; i++) {
        close(c[i]);
    }
    prepay_dtu_server_close(&server);
    prepay_dtu_server_close(&server);
    /* The registration format must carry an id. */
    assert_int_equal(prepay_dtu_server_open(&server, "127.0.0.1", 0, &hb, NULL, slots, 3), PREPAY_E_INVALID_ARGUMENT);
}

/* Several DTUs, each with a meter, read at once through links in one loop. */
static void test_many_dtus_at_once(void **state)
{
    (void)state;
    enum { N = 6 };
    prepay_dtu_format_t reg;
    assert_int_equal(prepay_dtu_format_parse("prefix:REG:", 11, &reg), PREPAY_OK);
    prepay_dtu_server_t server;
    prepay_dtu_connection_t slots[N];
    assert_int_equal(prepay_dtu_server_open(&server, "127.0.0.1", 0, &reg, NULL, slots, N), PREPAY_OK);
    uint16_t port = prepay_dtu_server_port(&server);
    static char names[N][16];
    peer_t peers[N];
    pthread_t threads[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "REG:%02d", i);
        peers[i] = (peer_t){dial(port), 3, 0, 0, names[i]};
        assert_int_equal(pthread_create(&threads[i], NULL, peer_run, &peers[i]), 0);
    }
    static prepay_transport_t transports[N];
    static prepay_link_t links[N];
    prepay_link_t *list[N];
    for (int i = 0; i < N; i++) {
        char id[8];
        snprintf(id, sizeof id, "%02d", i);
        assert_int_equal(prepay_dtu_server_attach(&server, id, BUDGET_MS, &transports[i]), PREPAY_OK);
        assert_int_equal(prepay_link_init(&links[i], &transports[i], NULL), PREPAY_OK);
        list[i] = &links[i];
    }
    /* Three rounds of one read per DTU, all under way together. */
    for (int round = 0; round < 3; round++) {
        prepay_dlt645_frame_t req;
        prepay_dlt645_address_t a = addr("000000000101");
        assert_int_equal(prepay_dlt645_request_read(&req, &a, DI_ENERGY), PREPAY_OK);
        static uint8_t data[N][16];
        for (int i = 0; i < N; i++) {
            assert_int_equal(prepay_link_start(&links[i], &req, data[i], sizeof data[i]), PREPAY_OK);
        }
        assert_int_equal(prepay_link_start(&links[0], &req, NULL, 0), PREPAY_E_STATION_BUSY);
        uint64_t end = prepay_transport_now_ms() + BUDGET_MS;
        int done = 0;
        while (done < N) {
            assert_true(prepay_transport_now_ms() < end);
            assert_int_equal(prepay_links_poll(&server, list, N, 1000), PREPAY_OK);
            done = 0;
            for (int i = 0; i < N; i++) {
                done += prepay_link_done(&links[i]);
            }
        }
        for (int i = 0; i < N; i++) {
            prepay_station_result_t r;
            assert_int_equal(prepay_link_result(&links[i], &r), PREPAY_OK);
            assert_int_equal(r.status, PREPAY_OK);
            assert_memory_equal(data[i], ((uint8_t[]){0x56, 0x34, 0x12, 0x00}), 4);
        }
    }
    for (int i = 0; i < N; i++) {
        prepay_transport_close(&transports[i]);
        pthread_join(threads[i], NULL);
        close(peers[i].fd);
    }
    prepay_dtu_server_close(&server);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serial_settings),
        cmocka_unit_test(test_serial_pty_exchange_and_exclusive_open),
        cmocka_unit_test(test_tcp_reconnects_during_a_request),
        cmocka_unit_test(test_dtu_server_registrations),
        cmocka_unit_test(test_many_dtus_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
