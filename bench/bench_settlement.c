/* SPDX-License-Identifier: MIT */
/*
 * Benchmark: readings settled per second on one core, in memory and durable.
 *
 * A site of N prepaid remote accounts with one meter each (a TOU tariff with
 * two bands and a monthly ladder, the default wallet policy), every meter
 * read every 15 minutes; each round's readings arrive in random order and
 * are settled in batches of 8192 (prepay_settlement_settle(): validate, sort,
 * price through the tariff stream, post one transfer per reading as one
 * linked chain, decide).
 *
 * Steady state, as a site runs through a month: the meters' reading times
 * are spread over the day (meter i reads at (i mod 96) quarter-hours past
 * midnight, plus i mod 60 seconds, then every 15 minutes), so each round
 * holds the share of intervals that a day holds which cross a band change
 * or midnight (3 of 96 with this tariff: 08:00, 22:00, 24:00), wherever the
 * timed window lies. Two rounds prime, untimed: the first gives each meter
 * its register, the second its first interval of the billing cycle, where
 * the tariff stream builds its cache (once per meter and cycle, one reading
 * in 2 976 of a 31-day month); that second round is printed on its own
 * ("cycle start", at size N). Timed: every later round. Printed per site
 * size (x1, x10, x100 = N/100, N/10, N meters): readings/s of thread CPU
 * time (one core) and of wall time, ns per reading; then at size N with each
 * round settled in one call of N readings (`x100-round`: a polling round per
 * call, so the settle pass walks the site's records in order); then both
 * batch sizes at size N with a POSIX journal (one commit, i.e. one fsync,
 * per batch: `durable`, `durable-round`); and the machine's memcpy
 * bandwidth for scale. Site, work area and ledger come from
 * the library's hosted helpers (settlement_hosted.h, ledger_hosted.h: from
 * 2 MiB on, 2 MiB aligned and advised to transparent huge pages); the ledger
 * is touched before timing.
 *
 * Usage: bench_settlement [meters] [rounds] [journal-path]
 *        (default 100000 meters, 16 rounds, journal in /tmp; --smoke: tiny sizes)
 * Build:  meson setup build/rel --buildtype=release -Dtests=false
 *         ninja -C build/rel && build/rel/bench/bench_settlement
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, CLOCK_THREAD_CPUTIME_ID, unlink */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "prepay/journal.h"
#include "prepay/journal_posix.h"
#include "prepay/ledger_hosted.h"
#include "prepay/settlement.h"
#include "prepay/settlement_hosted.h"

#define BATCH 8192u
#define STEP (15 * 60)

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void die(const char *what, int status)
{
    fprintf(stderr, "bench_settlement: %s: %s\n", what, prepay_strerror(status));
    exit(1);
}

typedef struct bench {
    prepay_tariff_t tariff;
    prepay_settlement_tariff_t tariffs[1];
    prepay_wallet_policy_t policy;
    prepay_settlement_memory_t memory;
    prepay_settlement_site_t site;
    prepay_ledger_t ledger;
    prepay_ledger_memory_t lm;
    prepay_ledger_account_t *scratch;
    prepay_settlement_work_t work;
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    uint8_t *staging;
    prepay_settlement_books_t books;
    uint32_t batch; /* readings per prepay_settlement_settle() call */
} bench_t;

static void build(bench_t *b, uint32_t meters, uint32_t rounds, uint32_t batch, const char *journal)
{
    memset(b, 0, sizeof *b);
    b->batch = batch;
    prepay_tariff_t *e = &b->tariff;
    (void)prepay_tariff_init(e);
    e->band_count = 4;
    e->schedule.season_count = 1;
    e->schedule.day_table_count = 1;
    e->schedule.seasons[0] = (prepay_tou_season_t){1, 1, 0, 0, 0, 0};
    e->schedule.day_tables[0].slot_count = 3;
    e->schedule.day_tables[0].slots[0] = (prepay_tou_slot_t){0, PREPAY_BAND_VALLEY};
    e->schedule.day_tables[0].slots[1] = (prepay_tou_slot_t){8 * 60, PREPAY_BAND_PEAK};
    e->schedule.day_tables[0].slots[2] = (prepay_tou_slot_t){22 * 60, PREPAY_BAND_VALLEY};
    e->prices.band_price[PREPAY_BAND_PEAK - 1] = 70000000;
    e->prices.band_price[PREPAY_BAND_VALLEY - 1] = 40000000;
    e->tier_count = 2;
    e->ladders[0].upper[0] = 300000;
    e->ladders[0].upper[1] = PREPAY_TIER_UNBOUNDED;
    e->prices.tier_surcharge[1] = 10000000;
    (void)prepay_tariff_plan_init(&b->tariffs[0].plan, e);
    prepay_wallet_policy_default(&b->policy);
    prepay_settlement_config_t config;
    memset(&config, 0, sizeof config);
    config.tariffs = b->tariffs;
    config.tariff_count = 1;
    config.policies = &b->policy;
    config.policy_count = 1;
    config.restore_command = PREPAY_DLT645_RELAY_CLOSE_ALLOWED;
    config.period_start = (prepay_time_t)8766 * 86400; /* 2024-01-01 */
    config.period_end = (prepay_time_t)(8766 + 31) * 86400;
    prepay_settlement_sizes_t sizes = {meters, meters, 0, 0, 0};
    int status = prepay_settlement_memory_alloc(&b->memory, &sizes);
    if (status == PREPAY_OK) {
        status = prepay_settlement_init(&b->site, &b->memory, &config, NULL);
    }
    for (uint32_t i = 1; status == PREPAY_OK && i <= meters; i++) {
        prepay_settlement_account_config_t a;
        prepay_settlement_account_config_init(&a);
        a.id = i;
        status = prepay_settlement_add_account(&b->site, &a);
        prepay_settlement_meter_config_t m;
        prepay_settlement_meter_config_init(&m);
        m.id = i;
        m.account_id = i;
        if (status == PREPAY_OK) {
            status = prepay_settlement_add_meter(&b->site, &m);
        }
    }
    if (status != PREPAY_OK) {
        die("site", status);
    }
    uint32_t accounts = 3u * meters + 16u;
    uint32_t transfers = (uint32_t)((uint64_t)meters * (rounds + 3u) + 1024u);
    /* From the library's hosted helper, as a server would take it: 2 MiB aligned and advised to
     * transparent huge pages (ledger_hosted.h); touched before timing, as a server's ledger is
     * by the time it settles, so that page faults are not counted per reading. */
    b->scratch = calloc(accounts, sizeof *b->scratch);
    if (!b->scratch || prepay_ledger_memory_alloc(&b->lm, accounts, transfers) != PREPAY_OK) {
        die("ledger memory", PREPAY_E_CAPACITY);
    }
    memset(b->lm.entries, 0xA5, prepay_ledger_memory_size(accounts, transfers));
    status = prepay_ledger_init(&b->ledger, &b->lm);
    b->books.ledger = &b->ledger;
    if (status == PREPAY_OK && journal) {
        unlink(journal);
        b->staging = malloc(1u << 20);
        prepay_journal_recovery_t info;
        status = prepay_journal_posix_open(&b->file, journal, &b->io);
        if (status == PREPAY_OK) {
            status = prepay_journal_open(&b->journal, &b->io, b->staging, 1u << 20, NULL, &b->ledger, b->scratch,
                                         accounts, &info);
        }
        b->books.journal = &b->journal;
    }
    if (status == PREPAY_OK) {
        status = prepay_settlement_open(&b->site, &b->books, NULL);
    }
    prepay_settlement_work_sizes_t ws;
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_sizes_default(&b->site, batch, &ws);
    }
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_alloc(&b->work, &ws);
    }
    for (uint32_t i = 1; status >= 0 && i <= meters; i++) {
        prepay_settlement_recharge_t r = {i, 1, 100000, i, 0, config.period_start};
        status = prepay_settlement_recharge(&b->site, &b->books, &b->work, &r, NULL, NULL);
    }
    if (status < 0) {
        die("books", status);
    }
}

static void release(bench_t *b)
{
    if (b->books.journal) {
        (void)prepay_journal_posix_close(&b->file);
        free(b->staging);
    }
    prepay_settlement_memory_free(&b->memory);
    prepay_settlement_work_free(&b->work);
    prepay_ledger_memory_free(&b->lm);
    free(b->scratch);
}

typedef struct figures {
    double cpu, wall;
    uint64_t readings;
} figures_t;

/* Settles `rounds` timed rounds of readings of every meter after two priming
 * rounds (the register, then the cycle's first interval: its figures go to
 * `start_round` when not NULL). */
static figures_t run(bench_t *b, uint32_t meters, uint32_t rounds, figures_t *start_round)
{
    prepay_settlement_reading_t *round = malloc((size_t)meters * sizeof *round);
    prepay_energy_t *reg = calloc(meters + 1u, sizeof *reg);
    if (!round || !reg) {
        die("round memory", PREPAY_E_CAPACITY);
    }
    figures_t f = {0, 0, 0};
    prepay_time_t start = (prepay_time_t)8766 * 86400;
    for (uint32_t k = 0; k < rounds + 2u; k++) {
        for (uint32_t i = 0; i < meters; i++) {
            if (k > 0) {
                reg[i + 1] += (prepay_energy_t)(next() % 250u);
            }
            /* each meter at its own quarter-hour of the day, a few seconds apart within the round */
            prepay_time_t at = start + (prepay_time_t)((i % 96u) + k) * STEP + (prepay_time_t)(i % 60u);
            round[i] = (prepay_settlement_reading_t){i + 1, 0, at, reg[i + 1]};
        }
        for (uint32_t i = meters - 1; i > 0; i--) { /* random arrival order */
            uint32_t j = (uint32_t)(next() % (i + 1u));
            prepay_settlement_reading_t t = round[i];
            round[i] = round[j];
            round[j] = t;
        }
        double c0 = cpu_seconds(), w0 = wall_seconds();
        for (uint32_t i = 0; i < meters; i += b->batch) {
            uint32_t n = meters - i < b->batch ? meters - i : b->batch;
            prepay_settlement_result_t r;
            int status = prepay_settlement_settle(&b->site, &b->books, &b->work, round + i, n, &r);
            if (status < 0) {
                die("settle", status);
            }
        }
        figures_t *into = k >= 2u ? &f : (k == 1u ? start_round : NULL);
        if (into) {
            into->cpu += cpu_seconds() - c0;
            into->wall += wall_seconds() - w0;
            into->readings += meters;
        }
    }
    free(round);
    free(reg);
    return f;
}

static double memcpy_gbs(void)
{
    size_t n = 64u << 20;
    uint8_t *a = malloc(n), *b = malloc(n);
    memset(a, 1, n);
    memset(b, 2, n);
    double t0 = wall_seconds();
    for (int i = 0; i < 8; i++) {
        memcpy(b, a, n);
        a[i] = b[n - 1 - (size_t)i];
    }
    double t = wall_seconds() - t0;
    volatile uint8_t sink = b[n / 2];
    (void)sink;
    free(a);
    free(b);
    return 8.0 * (double)n / t / 1e9;
}

static void report(const char *what, uint32_t meters, figures_t f)
{
    printf("%-13s %7u meters  %9llu readings  %6.2f M/s cpu (%6.1f ns/reading)  %6.2f M/s wall\n", what, meters,
           (unsigned long long)f.readings, (double)f.readings / f.cpu / 1e6, f.cpu * 1e9 / (double)f.readings,
           (double)f.readings / f.wall / 1e6);
}

int main(int argc, char **argv)
{
    uint32_t meters = 100000, rounds = 16;
    const char *journal = "/tmp/bench_settlement.journal";
    int arg = 1;
    if (argc > 1 && strcmp(argv[1], "--smoke") == 0) {
        meters = 300;
        rounds = 2;
        arg = 2;
    }
    if (argc > arg) {
        meters = (uint32_t)strtoul(argv[arg], NULL, 10);
    }
    if (argc > arg + 1) {
        rounds = (uint32_t)strtoul(argv[arg + 1], NULL, 10);
    }
    if (argc > arg + 2) {
        journal = argv[arg + 2];
    }
    if (meters < 100u || rounds < 1u || meters > PREPAY_SETTLEMENT_SUBJECT_MAX) {
        fprintf(stderr, "usage: bench_settlement [--smoke] [meters >= 100] [rounds >= 1] [journal-path]\n");
        return 2;
    }
    printf("bench_settlement: batches of %u readings in random order, one transfer each, TOU + ladder tariff\n",
           BATCH);
    const uint32_t scale[3] = {meters / 100u, meters / 10u, meters};
    const char *names[3] = {"x1", "x10", "x100"};
    bench_t *b = malloc(sizeof *b);
    figures_t first = {0, 0, 0};
    for (int s = 0; s < 3; s++) {
        build(b, scale[s], rounds, BATCH, NULL);
        report(names[s], scale[s], run(b, scale[s], rounds, s == 2 ? &first : NULL));
        release(b);
    }
    report("cycle-start", meters, first);
    printf("          (in memory: each meter's first interval of the billing cycle, untimed above)\n");
    /* A polling round per call: every meter's reading of the round in one batch, so the settle
     * pass walks the site's records in order instead of picking one in twelve (docs/settlement.md
     * section 9, "Readings per call"). */
    build(b, meters, rounds, meters, NULL);
    report("x100-round", meters, run(b, meters, rounds, NULL));
    printf("          (in memory: one call per round of %u readings)\n", meters);
    release(b);
    const uint32_t batches[2] = {BATCH, meters};
    const char *durable[2] = {"durable", "durable-round"};
    for (int s = 0; s < 2; s++) {
        build(b, meters, rounds, batches[s], journal);
        figures_t f = run(b, meters, rounds, NULL);
        report(durable[s], meters, f);
        printf("          (one fsync per batch of %u: %llu syncs; journal %s)\n", batches[s],
               (unsigned long long)((f.readings + batches[s] - 1) / batches[s]), journal);
        release(b);
        unlink(journal);
    }
    free(b);
    printf("memcpy %.1f GB/s (64 MiB blocks)\n", memcpy_gbs());
    return 0;
}
