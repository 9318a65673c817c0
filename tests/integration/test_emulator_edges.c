/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu at its edges, through the real program over loopback TCP:
 * time syncs routed like every other frame, a wrong year refused at once,
 * SIGTERM honoured during a long simulation, numeric options range-checked,
 * state files bounded and checked field by field, and no child process
 * left holding the caller's pipes when the caller dies.
 *
 * Each test names the defect of the earlier emulator it pins. Waits are
 * bounded by generous budgets (emu_child.h), never by a guess at speed.
 * argv: prepay-emu, prepay, site file, tariff file, scratch directory.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu_child.h"
#include "prepay/prepay.h"
#include "station_link.h"

static const char *emu_path, *tool_path, *site_path, *tariff_path, *scratch;

#define REPLY_BUDGET_MS 10000u

static prepay_dlt645_address_t addr(const char *text)
{
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string(text, 12, &a), PREPAY_OK);
    return a;
}

static prepay_time_t when(int year, int month, int day, int hour)
{
    prepay_civil_t c = {year, (uint8_t)month, (uint8_t)day, (uint8_t)hour, 0, 0, 0};
    prepay_time_t t;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
    return t;
}

static void open_link(station_link_t *link, int port)
{
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.reply_timeout_ms = REPLY_BUDGET_MS;
    cfg.retries = 0;
    assert_int_equal(station_link_open(link, "127.0.0.1", port, &cfg), 0);
}

/* Reads a 4-byte BCD item (0.01 units); -1 if no reply came within the budget. */
static int64_t read_bcd4(station_link_t *link, const char *address, uint32_t di)
{
    prepay_dlt645_frame_t req;
    prepay_dlt645_address_t a = addr(address);
    assert_int_equal(prepay_dlt645_request_read(&req, &a, di), PREPAY_OK);
    uint8_t data[16];
    prepay_station_result_t r;
    memset(&r, 0, sizeof r);
    assert_int_equal(station_link_exchange(link, &req, data, sizeof data, &r), PREPAY_OK);
    if (r.status != PREPAY_OK || r.data_len != 4) {
        return -1;
    }
    uint64_t v;
    assert_int_equal(prepay_bcd_decode(data, 4, &v), PREPAY_OK);
    return (int64_t)v;
}

/* Sends a time-sync frame (broadcast, or to `to`) and returns at once: no reply exists. */
static void send_time_sync(station_link_t *link, prepay_time_t t, const char *to)
{
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, t), PREPAY_OK);
    if (to) {
        req.address = addr(to);
    }
    uint8_t tx[PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(&req, tx, sizeof tx);
    assert_true(n > 0);
    assert_int_equal(send(link->fd, tx, (size_t)n, MSG_NOSIGNAL), n);
}

static void start_bus(emu_child_t *c, const char *const *extra)
{
    const char *args[16] = {"--bus-port", "0", NULL};
    for (int i = 0; extra && extra[i] && i < 12; i++) {
        args[2 + i] = extra[i];
        args[3 + i] = NULL;
    }
    int status = 0;
    if (emu_child_start(c, emu_path, site_path, scratch, "edges", args, &status) != 0) {
        emu_child_dump_log(c);
        fail_msg("emulator did not start (exit status %d)", status);
    }
}

static void stop_ok(emu_child_t *c)
{
    int status = emu_child_stop(c, EMU_CHILD_BUDGET_MS);
    if (status != 0) {
        emu_child_dump_log(c);
    }
    assert_int_equal(status, 0);
}

/* Defect: a time sync addressed to any one meter advanced the whole site
 * (every meter's energy and purse moved; the addressed meter rightly ignores it). */
static void test_addressed_sync_moves_nothing(void **state)
{
    (void)state;
    emu_child_t c;
    start_bus(&c, NULL);
    station_link_t link;
    open_link(&link, c.port);
    send_time_sync(&link, when(2026, 11, 1, 12), "000000000103");
    assert_int_equal(read_bcd4(&link, "000000000101", 0x00010000u), 0);
    assert_int_equal(read_bcd4(&link, "000000000103", 0x00010000u), 0);
    /* The broadcast does move them: 800 W x 12 h = 9.60 kWh. */
    send_time_sync(&link, when(2026, 11, 1, 12), NULL);
    assert_int_equal(read_bcd4(&link, "000000000101", 0x00010000u), 960);
    station_link_close(&link);
    stop_ok(&c);
}

/* Defect: a broadcast on one meter's own port (--port-base) advanced every meter of the site. */
static void test_broadcast_moves_its_port_only(void **state)
{
    (void)state;
    emu_child_t c;
    int base = 0;
    for (int attempt = 0; attempt < 20 && base == 0; attempt++) {
        char text[16];
        int candidate = 20000 + (int)((getpid() * 7 + attempt * 97) % 40000);
        snprintf(text, sizeof text, "%d", candidate);
        const char *args[] = {"--port-base", text, NULL};
        int status = 0;
        if (emu_child_start(&c, emu_path, site_path, scratch, "ports", args, &status) == 0) {
            base = candidate;
        }
    }
    assert_int_not_equal(base, 0);
    /* Meter 103 (third in the site file, on base + 2) is remote with 300 W: it would draw 3.60 kWh in 12 h. */
    station_link_t m101, m103;
    open_link(&m101, base);
    open_link(&m103, base + 2);
    send_time_sync(&m101, when(2026, 11, 1, 12), NULL);
    assert_int_equal(read_bcd4(&m101, "000000000101", 0x00010000u), 960);
    assert_int_equal(read_bcd4(&m103, "000000000103", 0x00010000u), 0);
    send_time_sync(&m103, when(2026, 11, 1, 12), NULL);
    assert_int_equal(read_bcd4(&m103, "000000000103", 0x00010000u), 360);
    station_link_close(&m101);
    station_link_close(&m103);
    stop_ok(&c);
}

/* Defect: one broadcast to 2099 (a master sending the year-first bytes)
 * stalled the emulator for tens of seconds and moved every meter 73 years.
 * Now each meter refuses it (its time-sync limit) and answers at once. */
static void test_wrong_year_refused_at_once(void **state)
{
    (void)state;
    emu_child_t c;
    start_bus(&c, NULL);
    station_link_t link;
    open_link(&link, c.port);
    send_time_sync(&link, when(2099, 12, 31, 23), NULL);
    assert_int_equal(read_bcd4(&link, "000000000101", 0x00010000u), 0);
    /* The meter's date is still the site's start: 04000101 is WW DD MM YY = 00 01 11 26. */
    prepay_dlt645_frame_t req;
    prepay_dlt645_address_t a = addr("000000000101");
    assert_int_equal(prepay_dlt645_request_read(&req, &a, 0x04000101u), PREPAY_OK);
    uint8_t data[8];
    prepay_station_result_t r;
    assert_int_equal(station_link_exchange(&link, &req, data, sizeof data, &r), PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.data_len, 4);
    assert_int_equal(data[1], 0x01);
    assert_int_equal(data[2], 0x11);
    assert_int_equal(data[3], 0x26);
    station_link_close(&link);
    stop_ok(&c);
}

/* Defect: during a long simulation SIGTERM was ignored until it ended. With
 * no limit (--sync-limit 0) a jump of 73 years is simulated in slices and a
 * SIGTERM still ends the emulator cleanly within a short budget. */
static void test_sigterm_during_long_jump(void **state)
{
    (void)state;
    emu_child_t c;
    const char *args[] = {"--sync-limit", "0", NULL};
    start_bus(&c, args);
    station_link_t link;
    open_link(&link, c.port);
    send_time_sync(&link, when(2099, 12, 31, 23), NULL);
    /* The emulator has the frame once this read is queued behind it. */
    prepay_dlt645_frame_t req;
    prepay_dlt645_address_t a = addr("000000000101");
    assert_int_equal(prepay_dlt645_request_read(&req, &a, 0x00010000u), PREPAY_OK);
    uint8_t tx[PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(&req, tx, sizeof tx);
    assert_int_equal(send(link.fd, tx, (size_t)n, MSG_NOSIGNAL), n);
    struct timespec pause = {0, 300 * 1000000L};
    nanosleep(&pause, NULL);
    unsigned long long t0 = emu_child_now_ms();
    int status = emu_child_stop(&c, 20000);
    unsigned long long took = emu_child_now_ms() - t0;
    if (status != 0) {
        emu_child_dump_log(&c);
    }
    assert_int_equal(status, 0);
    /* Simulating 73 years of meters that do not jump takes minutes (these jump: prepay_meter_jumps());
     * stopping must not wait for a simulation either way. */
    assert_true(took < 20000);
    station_link_close(&link);
}

/* Runs the emulator with `args` and expects it to refuse them: exit status 2
 * before listening, with `words` in its message. */
static void expect_refused(const char *const *args, const char *words)
{
    emu_child_t c;
    int status = 0;
    int started = emu_child_start(&c, emu_path, site_path, scratch, "refused", args, &status);
    if (started == 0) {
        emu_child_stop(&c, EMU_CHILD_BUDGET_MS);
        emu_child_dump_log(&c);
        fail_msg("the emulator started with %s %s", args[0], args[1] ? args[1] : "");
    }
    if (status != 2 || !emu_child_log_has(&c, words)) {
        emu_child_dump_log(&c);
        fail_msg("expected exit status 2 and \"%s\", got status %d", words, status);
    }
}

/* Defect: port options were not range-checked (--bus-port 70000 listened on 4464). */
static void test_numeric_options_range_checked(void **state)
{
    (void)state;
    const char *bus[] = {"--bus-port", "70000", NULL};
    expect_refused(bus, "0..65535");
    const char *base[] = {"--port-base", "65534", NULL}; /* 4 meters need up to 65537 */
    expect_refused(base, "above 65535");
    const char *speed[] = {"--clock", "wall", "--speed", "0", NULL};
    expect_refused(speed, "--speed");
    const char *delay[] = {"--delay-ms", "-5", NULL};
    expect_refused(delay, "--delay-ms");
}

/* Defect: --state DIR allocated the length ftell reports for a directory (LONG_MAX). */
static void test_state_directory_refused(void **state)
{
    (void)state;
    const char *args[] = {"--bus-port", "0", "--state", scratch, NULL};
    expect_refused(args, "not a regular file");
}

static void reseal(uint8_t *bytes, size_t size)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i + 8 < size; i++) {
        h = (h ^ bytes[i]) * 0x100000001B3ull;
    }
    for (size_t i = 0; i < 8; i++) {
        bytes[size - 8 + i] = (uint8_t)(h >> (8 * i));
    }
}

static size_t read_whole(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void write_whole(const char *path, const uint8_t *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Defect: the state file was copied raw over live meters, protected only by
 * a checksum anyone can recompute; a forged or oversized file was trusted
 * or read whole. */
static void test_forged_state_refused(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/edges-%d.state", scratch, (int)getpid());
    unlink(path);
    emu_child_t c;
    const char *args[] = {"--state", path, NULL};
    start_bus(&c, args);
    station_link_t link;
    open_link(&link, c.port);
    send_time_sync(&link, when(2026, 11, 2, 0), NULL);
    assert_int_equal(read_bcd4(&link, "000000000101", 0x00010000u), 1920);
    station_link_close(&link);
    stop_ok(&c);
    static uint8_t good[1 << 16], bad[1 << 16];
    size_t size = read_whole(path, good, sizeof good);
    assert_true(size > 64 && size < sizeof good);
    /* Meter 0's mode byte (docs/emulator.md, "State file": a 56-byte header and
     * the two format-3 dimensions, then the address) set to 7 and the checksum recomputed. */
    memcpy(bad, good, size);
    bad[60 + 6] = 7;
    reseal(bad, size);
    write_whole(path, bad, size);
    const char *load[] = {"--bus-port", "0", "--state", path, NULL};
    expect_refused(load, "\"mode\"");
    /* Every other meter byte is checked too: a clock in 2150 (meter 0's clock,
     * an 8-byte field) is refused by name. */
    size_t clock_at = 60 + 6 + 8 + 30 + 2 + 4 + 5 * 4;
    memcpy(bad, good, size);
    for (int i = 0; i < 8; i++) {
        bad[clock_at + (size_t)i] = (uint8_t)((4733510400LL >> (8 * i)) & 0xFF);
    }
    reseal(bad, size);
    write_whole(path, bad, size);
    expect_refused(load, "\"clock\"");
    /* A file far larger than this site's state is refused unread. */
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 1LL << 30), 0);
    close(fd);
    expect_refused(load, "bytes");
    /* The good file still loads and the meter goes on from it. */
    write_whole(path, good, size);
    start_bus(&c, args);
    open_link(&link, c.port);
    assert_int_equal(read_bcd4(&link, "000000000101", 0x00010000u), 1920);
    station_link_close(&link);
    stop_ok(&c);
    unlink(path);
}

/* A prepay-emu process with `needle` in its command line (a zombie counts as gone), or 0. */
static pid_t find_process(const char *needle)
{
    DIR *proc = opendir("/proc");
    if (!proc) {
        return 0;
    }
    struct dirent *d;
    pid_t found = 0;
    while (!found && (d = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(d->d_name, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == getpid()) {
            continue;
        }
        char path[64], cmd[4096];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *st = fopen(path, "r");
        char stat_state = '?';
        if (st) {
            int ignored = fscanf(st, "%*d %*s %c", &stat_state);
            (void)ignored;
            fclose(st);
        }
        if (stat_state == 'Z') {
            continue;
        }
        snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
        FILE *f = fopen(path, "rb");
        if (!f) {
            continue;
        }
        size_t n = fread(cmd, 1, sizeof cmd - 1, f);
        fclose(f);
        for (size_t i = 0; i < n; i++) {
            if (cmd[i] == '\0') {
                cmd[i] = ' ';
            }
        }
        cmd[n] = '\0';
        if (strstr(cmd, needle) && strstr(cmd, "prepay-emu")) {
            found = (pid_t)pid;
        }
    }
    closedir(proc);
    return found;
}

/* Defect: `prepay demo` (and the emulator tests) left the emulator child
 * holding the caller's stdout/stderr, so a crashed run kept a test runner
 * waiting for end-of-file until its timeout. The demo is killed outright
 * after its emulator started: the pipe must reach end-of-file at once. */
static void test_no_orphan_holds_the_pipe(void **state)
{
    (void)state;
    char out[600], ready[700];
    snprintf(out, sizeof out, "%s/orphan-%d", scratch, (int)getpid());
    snprintf(ready, sizeof ready, "%s/emulator.ready", out);
    mkdir(out, 0755);
    unlink(ready);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t demo = fork();
    assert_true(demo >= 0);
    if (demo == 0) {
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        execl(tool_path, tool_path, "demo", "--days", "30", "--meters", "40", "--out", out, "--emulator", emu_path,
              "--tariff", tariff_path, (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    unsigned long long end = emu_child_now_ms() + EMU_CHILD_BUDGET_MS;
    while (access(ready, F_OK) != 0 && emu_child_now_ms() < end) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(access(ready, F_OK), 0);
    kill(demo, SIGKILL);
    waitpid(demo, NULL, 0);
    /* Drain the pipe: end-of-file comes once nothing holds its write end. */
    bool eof = false;
    unsigned long long limit = emu_child_now_ms() + 20000;
    while (!eof && emu_child_now_ms() < limit) {
        struct pollfd p = {pipefd[0], POLLIN, 0};
        if (poll(&p, 1, 100) > 0) {
            char buf[4096];
            eof = read(pipefd[0], buf, sizeof buf) == 0;
        }
    }
    close(pipefd[0]);
    /* The emulator itself ends with its parent (--exit-with-parent). */
    pid_t orphan = find_process(out);
    while (orphan > 0 && emu_child_now_ms() < limit) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
        orphan = find_process(out);
    }
    if (orphan > 0) {
        kill(orphan, SIGKILL); /* clean up after a failure: this process only */
    }
    assert_true(eof);
    assert_int_equal(orphan, 0);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: test_emulator_edges PREPAY_EMU PREPAY SITE TARIFF SCRATCH_DIR\n");
        return 2;
    }
    emu_path = argv[1];
    tool_path = argv[2];
    site_path = argv[3];
    tariff_path = argv[4];
    scratch = argv[5];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addressed_sync_moves_nothing),
        cmocka_unit_test(test_broadcast_moves_its_port_only),
        cmocka_unit_test(test_wrong_year_refused_at_once),
        cmocka_unit_test(test_sigterm_during_long_jump),
        cmocka_unit_test(test_numeric_options_range_checked),
        cmocka_unit_test(test_state_directory_refused),
        cmocka_unit_test(test_forged_state_refused),
        cmocka_unit_test(test_no_orphan_holds_the_pipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
