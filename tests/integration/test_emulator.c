/* SPDX-License-Identifier: MIT */
/*
 * Station against the emulator over loopback TCP (hosted integration test).
 *
 * Starts prepay-emu on examples/sites/small.json, talks to its meters through
 * a station session on a socket, with and without injected faults, and
 * checks that every request ends in a reply, a typed abnormal reply or a
 * timeout; that the recharge purchase-count rule holds across lost replies;
 * that discovery finds every meter through wildcard collisions; and that a
 * clean shutdown saves the meters' state and a restart restores it.
 *
 * Nothing here depends on how fast the machine is: replies that must come
 * are waited for with a generous budget (seconds), and silence is proved
 * by a barrier — a read of another meter sent right after the probe on the
 * same connection: the emulator answers a connection's frames in order, so
 * once the barrier's reply is in, any reply to the probe would be too. The
 * emulator child logs to a file and dies with the test (emu_child.h).
 * argv: prepay-emu path, site file, scratch directory.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <signal.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "prepay/prepay.h"
#include "emu_child.h"
#include "station_link.h"

static const char *emu_path, *site_path, *scratch;

/* Reply timeout for requests that must be answered: generous, it only ends a hang. */
#define REPLY_BUDGET_MS 10000u

typedef struct emulator {
    emu_child_t child;
    int port;
} emulator_t;

static void start(emulator_t *e, const char *drop, const char *corrupt, const char *state)
{
    const char *args[16] = {"--bus-port", "0", "--quiet", "--drop", drop, "--corrupt", corrupt, "--seed", "3", NULL};
    if (state) {
        args[9] = "--state";
        args[10] = state;
        args[11] = NULL;
    }
    int status = 0;
    if (emu_child_start(&e->child, emu_path, site_path, scratch, "emu", args, &status) != 0) {
        emu_child_dump_log(&e->child);
        fail_msg("emulator did not start (exit status %d)", status);
    }
    e->port = e->child.port;
}

static void stop(emulator_t *e)
{
    int status = emu_child_stop(&e->child, EMU_CHILD_BUDGET_MS);
    if (status != 0) {
        emu_child_dump_log(&e->child);
    }
    assert_int_equal(status, 0);
}

static prepay_station_config_t generous(void)
{
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.reply_timeout_ms = REPLY_BUDGET_MS;
    cfg.retries = 0;
    return cfg;
}

static prepay_dlt645_address_t addr(const char *text)
{
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string(text, 12, &a), PREPAY_OK);
    return a;
}

static const char *meters[4] = {"000000000101", "000000000102", "000000000103", "000000000104"};
static const prepay_dlt645_credentials_t cred = {PREPAY_DLT645_PASSWORD_LEVEL_2, {0, 0, 0}, {1, 0, 0, 0}};

static prepay_station_result_t run(station_link_t *link, const prepay_dlt645_frame_t *req, uint8_t *data, size_t cap)
{
    prepay_station_result_t r;
    memset(&r, 0, sizeof r);
    assert_int_equal(station_link_exchange(link, req, data, cap, &r), PREPAY_OK);
    return r;
}

static int64_t read_value(station_link_t *link, const char *address, uint32_t di)
{
    prepay_dlt645_frame_t req;
    prepay_dlt645_address_t a = addr(address);
    assert_int_equal(prepay_dlt645_request_read(&req, &a, di), PREPAY_OK);
    uint8_t data[16];
    prepay_station_result_t r = run(link, &req, data, sizeof data);
    if (r.status != PREPAY_OK) {
        return -1;
    }
    uint64_t v;
    assert_int_equal(r.data_len, 4);
    assert_int_equal(prepay_bcd_decode(data, 4, &v), PREPAY_OK);
    return (int64_t)v;
}

static void time_sync(station_link_t *link, int day, int hour)
{
    prepay_civil_t c = {2026, 11, (uint8_t)day, (uint8_t)hour, 0, 0, 0};
    prepay_time_t t;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, t), PREPAY_OK);
    assert_int_equal(run(link, &req, NULL, 0).status, PREPAY_OK);
}

static prepay_station_result_t recharge(station_link_t *link, const char *address, uint64_t fen, uint32_t count)
{
    uint8_t value[PREPAY_METER_RECHARGE_DATA_SIZE];
    assert_int_equal(prepay_bcd_encode(fen, value, 4), PREPAY_OK);
    assert_int_equal(prepay_bcd_encode(count, value + 4, 4), PREPAY_OK);
    prepay_dlt645_frame_t req;
    prepay_dlt645_address_t a = addr(address);
    assert_int_equal(prepay_dlt645_request_write(&req, &a, PREPAY_METER_DI_RECHARGE, &cred, value, sizeof value),
                     PREPAY_OK);
    return run(link, &req, NULL, 0);
}

/* Sends `request` and then a barrier read of meter 101 on the link's socket,
 * and collects everything received up to the barrier's reply. Returns the
 * number of valid replies to `request` (copying the first to *answer) and
 * sets *garbage if bytes that are no frame arrived (a collision). */
static int probe(station_link_t *link, const prepay_dlt645_frame_t *request, prepay_dlt645_frame_t *answer,
                 bool *garbage)
{
    prepay_dlt645_frame_t barrier;
    prepay_dlt645_address_t a = addr(meters[0]);
    assert_int_equal(prepay_dlt645_request_read(&barrier, &a, 0x00010000u), PREPAY_OK);
    uint8_t tx[2 * PREPAY_DLT645_FRAME_MAX];
    int n1 = prepay_dlt645_encode(request, tx, sizeof tx);
    assert_true(n1 > 0);
    int n2 = prepay_dlt645_encode(&barrier, tx + n1, sizeof tx - (size_t)n1);
    assert_true(n2 > 0);
    assert_int_equal(send(link->fd, tx, (size_t)(n1 + n2), MSG_NOSIGNAL), n1 + n2);
    prepay_dlt645_stream_t stream;
    assert_int_equal(prepay_dlt645_stream_init(&stream, PREPAY_DLT645_EDITION_AUTO), PREPAY_OK);
    int answers = 0;
    unsigned long long end = emu_child_now_ms() + REPLY_BUDGET_MS;
    for (;;) {
        struct pollfd pfd = {link->fd, POLLIN, 0};
        unsigned long long now = emu_child_now_ms();
        assert_true(now < end); /* the barrier's reply must come */
        if (poll(&pfd, 1, (int)(end - now)) <= 0) {
            continue;
        }
        uint8_t rx[2048];
        ssize_t got = recv(link->fd, rx, sizeof rx, 0);
        assert_true(got > 0);
        size_t at = 0;
        while (at < (size_t)got) {
            int taken = prepay_dlt645_stream_feed(&stream, rx + at, (size_t)got - at);
            assert_true(taken >= 0);
            at += (size_t)taken;
            prepay_dlt645_frame_t f;
            while (prepay_dlt645_stream_next(&stream, &f) == 1) {
                if (prepay_dlt645_reply_check(&barrier, &f) == PREPAY_OK && f.length >= 4 && f.data[0] == 0x00 &&
                    f.data[1] == 0x00 && f.data[2] == 0x01 && f.data[3] == 0x00) {
                    prepay_dlt645_stream_stats_t st;
                    assert_int_equal(prepay_dlt645_stream_stats(&stream, &st), PREPAY_OK);
                    *garbage = st.bytes_dropped > 0;
                    return answers;
                }
                if (answers++ == 0 && answer) {
                    *answer = f;
                }
            }
        }
    }
}

static void test_clean_bus(void **state)
{
    (void)state;
    emulator_t e;
    start(&e, "0", "0", NULL);
    station_link_t link;
    prepay_station_config_t cfg = generous();
    assert_int_equal(station_link_open(&link, "127.0.0.1", e.port, &cfg), 0);
    /* 800 W for 12 hours = 9.60 kWh (site file), read as 960 x 0.01 kWh. */
    assert_int_equal(read_value(&link, meters[0], 0x00010000u), 0);
    time_sync(&link, 1, 12);
    assert_int_equal(read_value(&link, meters[0], 0x00010000u), 960);
    /* Opening purse 50.00 (site default), purchase count 1. */
    /* Meter 104's purse is 0.00 in the site file; it has no load. */
    int64_t before = read_value(&link, meters[3], 0x00900200u);
    assert_int_equal(before, 0);
    /* Recharge rule (its purchase count is 0): count 1 credits, count 1
     * again is a harmless repeat, count 5 is refused. */
    prepay_station_result_t r = recharge(&link, meters[3], 1000, 1);
    assert_int_equal(r.status, PREPAY_OK);
    int64_t after = read_value(&link, meters[3], 0x00900200u);
    assert_int_equal(after, before + 1000);
    r = recharge(&link, meters[3], 1000, 1);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(read_value(&link, meters[3], 0x00900200u), after);
    r = recharge(&link, meters[3], 1000, 5);
    assert_int_equal(r.status, PREPAY_E_DLT645_ABNORMAL);
    assert_int_equal(read_value(&link, meters[3], 0x00900200u), after);
    /* A meter that is offline (site file: 103 from 11-03 00:00 to 06:00) is silent; after the window it answers. */
    time_sync(&link, 3, 1);
    prepay_dlt645_frame_t req, answer;
    prepay_dlt645_address_t m103 = addr(meters[2]);
    assert_int_equal(prepay_dlt645_request_read(&req, &m103, 0x00010000u), PREPAY_OK);
    bool garbage = false;
    assert_int_equal(probe(&link, &req, &answer, &garbage), 0);
    assert_false(garbage);
    time_sync(&link, 3, 7);
    assert_int_equal(probe(&link, &req, &answer, &garbage), 1);
    assert_int_equal(prepay_dlt645_reply_check(&req, &answer), PREPAY_OK);

    /* Discovery over the bus: four meters share the low byte 01..04 of A0. A
     * probe that gets garbage and no valid reply collided (several meters). */
    prepay_station_discovery_t disc;
    prepay_dlt645_address_t found[8];
    assert_int_equal(prepay_station_discovery_init(&disc, found, 8), PREPAY_OK);
    prepay_dlt645_frame_t next;
    int probes = 0;
    while (prepay_station_discovery_next(&disc, &next) == 1) {
        probes++;
        int answers = probe(&link, &next, &answer, &garbage);
        prepay_station_probe_outcome_t outcome = PREPAY_STATION_PROBE_SILENT;
        if (answers == 1 && !garbage) {
            outcome = PREPAY_STATION_PROBE_ANSWERED;
        } else if (answers > 0 || garbage) {
            outcome = PREPAY_STATION_PROBE_COLLISION;
        }
        assert_int_equal(prepay_station_discovery_report(&disc, outcome,
                                                         outcome == PREPAY_STATION_PROBE_ANSWERED ? &answer.address
                                                                                                  : NULL),
                         PREPAY_OK);
    }
    assert_int_equal(prepay_station_discovery_count(&disc), 4);
    /* Root probe collides; A0 = 00..99 probed once each: 1 + 100 probes. */
    assert_int_equal(probes, 101);
    station_link_close(&link);
    stop(&e);
}

static void test_faults_never_hang(void **state)
{
    (void)state;
    emulator_t e;
    start(&e, "0.1", "0.1", NULL);
    station_link_t link;
    /* A lost or garbled reply costs one library-default timeout (1 s): long
     * beside a loopback round trip even on a loaded machine, short enough
     * for the test. The assertions hold whatever the load does to timing. */
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.retries = 1;
    assert_int_equal(station_link_open(&link, "127.0.0.1", e.port, &cfg), 0);
    int ok = 0, abnormal = 0, timeouts = 0;
    const int requests = 40;
    for (int i = 0; i < requests; i++) {
        prepay_dlt645_frame_t req;
        prepay_dlt645_address_t a = addr(meters[i % 4]);
        if (i % 5 == 4) {
            assert_int_equal(prepay_dlt645_request_relay_control(&req, &a, &cred, PREPAY_DLT645_RELAY_ALARM,
                                                                 30LL * 365 * 86400),
                             PREPAY_OK);
        } else {
            assert_int_equal(prepay_dlt645_request_read(&req, &a, i % 2 ? 0x00010000u : 0x00900200u), PREPAY_OK);
        }
        uint8_t data[32];
        prepay_station_result_t r = run(&link, &req, data, sizeof data);
        if (r.status == PREPAY_OK) {
            ok++;
        } else if (r.status == PREPAY_E_DLT645_ABNORMAL) {
            abnormal++;
        } else {
            assert_int_equal(r.status, PREPAY_E_STATION_TIMEOUT);
            timeouts++;
        }
    }
    /* Every request ended one of the three ways; with 10 % drops, 10 %
     * corruption and one retry, about 96 % get through: a quarter is a
     * bound no plausible run misses. */
    assert_int_equal(ok + abnormal + timeouts, requests);
    assert_true(ok >= requests / 4);
    /* Recharge across lost replies: keep sending the same count until a
     * normal reply; the purse is credited exactly once. */
    int64_t before = -1;
    while (before < 0) {
        before = read_value(&link, meters[0], 0x00900200u);
    }
    prepay_station_result_t r;
    do {
        r = recharge(&link, meters[0], 777, 2);
    } while (r.status != PREPAY_OK);
    int64_t after = -1;
    while (after < 0) {
        after = read_value(&link, meters[0], 0x00900200u);
    }
    assert_int_equal(after, before + 777);
    station_link_close(&link);
    stop(&e);
}

static void test_state_survives_restart(void **state)
{
    (void)state;
    char state_file[512];
    snprintf(state_file, sizeof state_file, "%s/emu-%d.state", scratch, (int)getpid());
    unlink(state_file);
    emulator_t e;
    start(&e, "0", "0", state_file);
    station_link_t link;
    prepay_station_config_t cfg = generous();
    assert_int_equal(station_link_open(&link, "127.0.0.1", e.port, &cfg), 0);
    /* Meter 101: 800 W for 24 h = 19.20 kWh, priced from its 50.00 purse. */
    time_sync(&link, 2, 0);
    int64_t energy = read_value(&link, meters[0], 0x00010000u);
    int64_t purse = read_value(&link, meters[0], 0x00900200u);
    assert_int_equal(energy, 1920);
    assert_true(purse > 0 && purse < 5000);
    assert_true(energy > 0);
    station_link_close(&link);
    stop(&e);
    start(&e, "0", "0", state_file);
    assert_int_equal(station_link_open(&link, "127.0.0.1", e.port, &cfg), 0);
    assert_int_equal(read_value(&link, meters[0], 0x00010000u), energy);
    assert_int_equal(read_value(&link, meters[0], 0x00900200u), purse);
    /* Time goes on from where it stopped: another 24 h adds 19.20 kWh. */
    time_sync(&link, 3, 0);
    assert_int_equal(read_value(&link, meters[0], 0x00010000u), energy + 1920);
    station_link_close(&link);
    stop(&e);
    unlink(state_file);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: test_emulator PREPAY_EMU SITE SCRATCH_DIR\n");
        return 2;
    }
    emu_path = argv[1];
    site_path = argv[2];
    scratch = argv[3];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_bus),
        cmocka_unit_test(test_faults_never_hang),
        cmocka_unit_test(test_state_survives_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
