/*
 * Station against the emulator over loopback TCP (hosted integration test).
 *
 * Starts prepay-emu on examples/sites/small.json, talks to its meters through
 * a station session on a socket, with and without injected faults, and
 * checks that every request ends in a reply, a typed abnormal reply or a
 * timeout; that the recharge purchase-count rule holds across lost replies;
 * that discovery finds every meter through wildcard collisions; and that a
 * clean shutdown saves the meters' state and a restart restores it.
 * argv: prepay-emu path, site file, scratch directory.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
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
#include <fcntl.h>

#include "prepay/prepay.h"
#include "station_link.h"

extern char **environ;

static const char *emu_path, *site_path, *scratch;
static pid_t live_emulator;

static void kill_live_emulator(void)
{
    if (live_emulator > 0) {
        kill(live_emulator, SIGKILL);
    }
}

typedef struct emulator {
    pid_t pid;
    int port;
} emulator_t;

static void start(emulator_t *e, const char *drop, const char *corrupt, const char *state)
{
    char ready[512];
    snprintf(ready, sizeof ready, "%s/emu-%d.ready", scratch, (int)getpid());
    unlink(ready);
    char *args[20];
    int n = 0;
    char a0[512], a1[512], a2[] = "--bus-port", a3[] = "0", a4[] = "--ready-file", a6[] = "--quiet", a7[] = "--drop",
                            a8[32], a9[] = "--corrupt", a10[32], a11[] = "--state", a12[512], a13[] = "--seed", a14[] = "3";
    snprintf(a0, sizeof a0, "%s", emu_path);
    snprintf(a1, sizeof a1, "%s", site_path);
    snprintf(a8, sizeof a8, "%s", drop);
    snprintf(a10, sizeof a10, "%s", corrupt);
    args[n++] = a0;
    args[n++] = a1;
    args[n++] = a2;
    args[n++] = a3;
    args[n++] = a4;
    args[n++] = ready;
    args[n++] = a6;
    args[n++] = a7;
    args[n++] = a8;
    args[n++] = a9;
    args[n++] = a10;
    args[n++] = a13;
    args[n++] = a14;
    if (state) {
        snprintf(a12, sizeof a12, "%s", state);
        args[n++] = a11;
        args[n++] = a12;
    }
    args[n] = NULL;
    /* The emulator's output goes to /dev/null so that a failed test never
     * leaves a child holding the test runner's pipes; atexit kills it. */
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    assert_int_equal(posix_spawn(&e->pid, emu_path, &actions, NULL, args, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    live_emulator = e->pid;
    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(ready, "r");
        if (f) {
            int got = fscanf(f, "bus_port=%d", &e->port);
            fclose(f);
            if (got == 1 && e->port > 0) {
                return;
            }
        }
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("emulator did not start");
}

static void stop(emulator_t *e)
{
    live_emulator = 0;
    kill(e->pid, SIGTERM);
    int status = 0;
    assert_int_equal(waitpid(e->pid, &status, 0), e->pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
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

static void test_clean_bus(void **state)
{
    (void)state;
    emulator_t e;
    start(&e, "0", "0", NULL);
    station_link_t link;
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.reply_timeout_ms = 50; /* loopback: a silent probe costs 50 ms, not a second */
    cfg.retries = 0;
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
    /* A meter that is offline (site file: 103 from 11-03 00:00 to 06:00) times out, typed. */
    time_sync(&link, 3, 1);
    assert_int_equal(read_value(&link, meters[2], 0x00010000u), -1);
    time_sync(&link, 3, 7);
    assert_true(read_value(&link, meters[2], 0x00010000u) > 0);

    /* Discovery over the bus: four meters share the low byte 01..04 of A0. */
    prepay_station_discovery_t disc;
    prepay_dlt645_address_t found[8];
    assert_int_equal(prepay_station_discovery_init(&disc, found, 8), PREPAY_OK);
    prepay_dlt645_frame_t probe;
    int probes = 0;
    while (prepay_station_discovery_next(&disc, &probe) == 1) {
        probes++;
        prepay_station_result_t pr = run(&link, &probe, NULL, 0);
        prepay_station_stats_t st;
        assert_int_equal(prepay_station_stats(&link.session, &st), PREPAY_OK);
        /* Garbled bytes without a valid reply mean several meters answered.
         * The dropped-byte counter is cumulative: only this probe's bytes count. */
        static uint64_t last_dropped;
        prepay_station_probe_outcome_t outcome = PREPAY_STATION_PROBE_ANSWERED;
        if (pr.status != PREPAY_OK) {
            outcome = st.bytes_dropped > last_dropped ? PREPAY_STATION_PROBE_COLLISION : PREPAY_STATION_PROBE_SILENT;
        }
        last_dropped = st.bytes_dropped;
        assert_int_equal(prepay_station_discovery_report(&disc, outcome, pr.status == PREPAY_OK ? &pr.reply.address
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
    start(&e, "0.2", "0.1", NULL);
    station_link_t link;
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.reply_timeout_ms = 100; /* generous: sanitized builds on a busy machine are slow */
    cfg.retries = 1;
    assert_int_equal(station_link_open(&link, "127.0.0.1", e.port, &cfg), 0);
    int ok = 0, abnormal = 0, timeouts = 0;
    for (int i = 0; i < 200; i++) {
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
    /* Every request ended one of the three ways; with 20 % drops and 10 %
     * corruption and one retry, most still get through. */
    assert_int_equal(ok + abnormal + timeouts, 200);
    assert_true(ok > 120);
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
    assert_int_equal(station_link_open(&link, "127.0.0.1", e.port, NULL), 0);
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
    assert_int_equal(station_link_open(&link, "127.0.0.1", e.port, NULL), 0);
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
    atexit(kill_live_emulator);
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
