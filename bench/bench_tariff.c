/* SPDX-License-Identifier: MIT */
/*
 * Tariff engine throughput, batch and streaming side by side, on meter-years of 15-minute data
 * (35040 intervals per meter, 0..0.4 kWh each, from 2024-01-01) for a flat tariff, a TOU tariff
 * (Beijing C&I: 4 seasons, 3 day tables, sharp inside flat), a tiered tariff (Beijing annual ladder) and
 * TOU x tier (uniform, chronological, proportional, monthly ladder 240/400 kWh).
 *
 * What each figure times (process CPU time, best of 3 runs, so a loaded machine distorts less):
 *  - batch:  prepay_tariff_eval_batch() over one meter-year into a fresh bill (lines merged, amounts,
 *            totals), meter after meter; per interval = time / intervals.
 *  - stream: one streaming call per interval on a sealed plan (prepay_tariff_plan_seal()), meter after
 *            meter, each meter its own state: prepay_tariff_compact_feed_interval() (the 120-byte
 *            state) or, in proportional mode, prepay_tariff_feed_interval() with the full state plus
 *            prepay_tariff_close_cycle() at the end; every call writes its line and computes the
 *            whole minor units due (summed by the loop). Per interval = time / intervals.
 *  - stream, unsealed: the same calls on an unsealed plan, which validates the plan and runs the
 *            general engine on every call (the only streaming path before sealed plans).
 * Each case runs at x1, x10 and x100 the base size (1, 10, 100 meter-years by default) so that cost
 * growth shows; the exact totals of batch and stream are compared (they must be equal) and printed.
 * memcpy bandwidth over the interval array is printed for scale.
 *
 *   meson setup build/tariff-rel --buildtype=release -Dtests=false && ninja -C build/tariff-rel
 *   build/tariff-rel/bench/bench_tariff [meters-at-x1 [max-scale [case]]]   (defaults 1 100; smoke: 1 1)
 *
 * `case` runs only the tariffs whose name contains it (e.g. "chrono"). Instruction counts per interval,
 * independent of the machine's load (each side runs 3 times over meters x 35040 intervals):
 *   valgrind --tool=callgrind --toggle-collect=prepay_tariff_eval_batch bench_tariff 1 1 chrono
 *   valgrind --tool=callgrind --toggle-collect=prepay_tariff_compact_feed_interval bench_tariff 1 1 chrono
 *   -> "Collected" / (3 x 35040)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/civil_time.h"
#include "prepay/status.h"
#include "prepay/tariff.h"

#define PER_YEAR 35040
#define LINES 4096

static double now(void)
{
    struct timespec ts;
    /* CPU time of this process: per-core figures even on a shared, loaded machine */
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static prepay_time_t at(int y, unsigned m, unsigned d, int h)
{
    prepay_days_t days = 0;
    if (prepay_time_days_from_date(y, m, d, &days) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    return (prepay_time_t)days * 86400 + h * 3600;
}

static void slot(prepay_tou_day_table_t *t, unsigned h, uint8_t band)
{
    t->slots[t->slot_count].start_minute = (uint16_t)(h * 60);
    t->slots[t->slot_count].band = band;
    t->slot_count++;
}

static void season(prepay_tou_schedule_t *s, unsigned m, uint8_t table)
{
    prepay_tou_season_t *se = &s->seasons[s->season_count++];
    se->start_month = (uint8_t)m;
    se->start_day = 1;
    se->weekday_table = se->saturday_table = se->sunday_table = se->holiday_table = table;
}

/* Beijing C&I TOU (see tests/tariff/tariff_fixtures.h) */
static void tou(prepay_tariff_t *t)
{
    if (prepay_tariff_init(t) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    t->band_count = 5;
    prepay_tou_schedule_t *s = &t->schedule;
    s->day_table_count = 3;
    const unsigned base_h[] = {7, 10, 13, 17, 22, 23};
    const uint8_t base_b[] = {3, 2, 3, 2, 3, 4};
    const unsigned summer_h[] = {7, 10, 11, 13, 16, 17, 22, 23};
    const uint8_t summer_b[] = {3, 2, 1, 3, 1, 2, 3, 4};
    const unsigned winter_h[] = {7, 10, 13, 17, 18, 21, 22, 23};
    const uint8_t winter_b[] = {3, 2, 3, 2, 1, 2, 3, 4};
    for (unsigned i = 0; i < 6; i++) {
        slot(&s->day_tables[0], base_h[i], base_b[i]);
    }
    for (unsigned i = 0; i < 8; i++) {
        slot(&s->day_tables[1], summer_h[i], summer_b[i]);
        slot(&s->day_tables[2], winter_h[i], winter_b[i]);
    }
    season(s, 2, 0); /* the December season wraps over the year end to cover January */
    season(s, 7, 1);
    season(s, 9, 0);
    season(s, 12, 2);
    const prepay_price_t p[5] = {150000000, 130000000, 80000000, 35000000, 16000000};
    for (unsigned b = 0; b < 5; b++) {
        t->prices.band_price[b] = p[b];
        for (unsigned k = 0; k < 3; k++) {
            t->prices.band_tier_price[b][k] = p[b] + (prepay_price_t)k * 5000000;
        }
    }
}

static void tiers(prepay_tariff_t *t, prepay_cycle_kind_t kind, prepay_energy_t b1, prepay_energy_t b2)
{
    t->cycle_kind = kind;
    t->tier_count = 3;
    t->ladders[0].upper[0] = b1;
    t->ladders[0].upper[1] = b2;
    t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    t->prices.tier_surcharge[1] = 5000000;
    t->prices.tier_surcharge[2] = 30000000;
}

static uint64_t rng = 88172645463325252u;

static prepay_energy_t next_energy(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (prepay_energy_t)(rng % 400u); /* 0..0.4 kWh per quarter hour */
}

static prepay_tariff_line_t lines[LINES];

static void fail(const char *what, int status)
{
    fprintf(stderr, "bench_tariff: %s: %s\n", what, prepay_strerror(status));
    exit(1);
}

/* Batch over `meters` meter-years; returns seconds (best of 3) and the exact total of all bills. */
static double run_batch(const prepay_tariff_plan_t *plan, const prepay_tariff_interval_t *data, int meters,
                        prepay_amount_t *exact)
{
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        prepay_amount_t sum = {0, 0};
        double t0 = now();
        for (int m = 0; m < meters; m++) {
            prepay_tariff_bill_t bill;
            if (prepay_tariff_bill_init(&bill, plan->sets[0], lines, LINES) != PREPAY_OK) {
                abort(); /* a bench whose own step fails would time nothing */
            }
            int status = prepay_tariff_eval_batch(plan, NULL, NULL, data + (size_t)m * PER_YEAR, PER_YEAR, &bill);
            if (status != PREPAY_OK) {
                fail("batch", status);
            }
            if (prepay_amount_add(sum, bill.exact_total, &sum) != PREPAY_OK) {
                abort(); /* a bench whose own step fails would time nothing */
            }
        }
        double d = now() - t0;
        best = d < best ? d : best;
        *exact = sum;
    }
    return best;
}

/* One streaming call per interval; returns seconds (best of `reps`) and the exact total priced, read once
 * per meter from the final state (charged + carry is the running exact total of every line). */
static double run_stream(const prepay_tariff_plan_t *plan, const prepay_tariff_interval_t *data, int meters,
                         int reps, prepay_amount_t *exact)
{
    bool proportional = plan->sets[0]->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL;
    static prepay_tariff_state_t full;
    double best = 1e30;
    int64_t dues = 0;
    for (int rep = 0; rep < reps; rep++) {
        prepay_amount_t sum = {0, 0};
        double t0 = now();
        for (int m = 0; m < meters; m++) {
            const prepay_tariff_interval_t *iv = data + (size_t)m * PER_YEAR;
            prepay_tariff_feed_result_t r;
            prepay_money_t charged;
            prepay_amount_t carry;
            if (proportional) {
                if (prepay_tariff_state_init(&full) != PREPAY_OK) {
                    abort(); /* a bench whose own step fails would time nothing */
                }
                for (int i = 0; i < PER_YEAR; i++) {
                    int n = prepay_tariff_feed_interval(plan, NULL, &full, iv[i].start, iv[i].end, iv[i].energy,
                                                        lines, LINES, &r);
                    if (n < 0) {
                        fail("stream", n);
                    }
                    dues += r.due;
                }
                int n = prepay_tariff_close_cycle(plan, NULL, &full, lines, LINES, &r);
                if (n < 0) {
                    fail("close", n);
                }
                charged = full.charged;
                carry = full.carry;
            } else {
                prepay_tariff_compact_state_t st;
                if (prepay_tariff_compact_init(&st) != PREPAY_OK) {
                    abort(); /* a bench whose own step fails would time nothing */
                }
                for (int i = 0; i < PER_YEAR; i++) {
                    int n = prepay_tariff_compact_feed_interval(plan, NULL, &st, iv[i].start, iv[i].end, iv[i].energy,
                                                                lines, LINES, &r);
                    if (n < 0) {
                        fail("stream", n);
                    }
                    dues += r.due;
                }
                charged = st.charged;
                carry = st.carry;
            }
            if (prepay_amount_add(sum, prepay_amount_from_money(charged), &sum) != PREPAY_OK) {
                abort(); /* a bench whose own step fails would time nothing */
            }
            if (prepay_amount_add(sum, carry, &sum) != PREPAY_OK) {
                abort(); /* a bench whose own step fails would time nothing */
            }
        }
        double d = now() - t0;
        best = d < best ? d : best;
        *exact = sum;
    }
    if (dues < 0) {
        fail("dues", PREPAY_E_OVERFLOW); /* uses the dues, which prices never make negative */
    }
    return best;
}

static const char *only; /* run only the cases whose name contains this */

static void report(const char *name, const prepay_tariff_t *t, const prepay_tariff_interval_t *data, int base,
                   int max_scale)
{
    if (only && !strstr(name, only)) {
        return;
    }
    prepay_tariff_plan_t plan;
    if (prepay_tariff_plan_init(&plan, t) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    int status = prepay_tariff_plan_seal(&plan);
    if (status != PREPAY_OK) {
        fail("seal", status);
    }
    for (int scale = 1; scale <= max_scale; scale *= 10) {
        int meters = base * scale;
        prepay_amount_t batch_exact, stream_exact;
        double tb = run_batch(&plan, data, meters, &batch_exact);
        double ts = run_stream(&plan, data, meters, 3, &stream_exact);
        if (prepay_amount_compare(batch_exact, stream_exact) != 0) {
            fprintf(stderr, "bench_tariff: %s: stream total differs from batch\n", name);
            exit(1);
        }
        double n = (double)meters * PER_YEAR;
        printf("%-30s x%-4d %6d %9.2f %9.2f %7.2fx   %lld.%09u\n", name, scale, meters, tb * 1e9 / n, ts * 1e9 / n,
               ts / tb, (long long)stream_exact.units, (unsigned)stream_exact.nanos);
    }
}

int main(int argc, char **argv)
{
    int base = argc > 1 ? atoi(argv[1]) : 1;
    int max_scale = argc > 2 ? atoi(argv[2]) : 100;
    only = argc > 3 ? argv[3] : NULL;
    if (base < 1) {
        base = 1;
    }
    if (max_scale < 1) {
        max_scale = 1;
    }
    int most = base * (max_scale >= 100 ? 100 : max_scale >= 10 ? 10 : 1);
    size_t total = (size_t)most * PER_YEAR;
    prepay_tariff_interval_t *data = malloc(total * sizeof *data);
    if (!data) {
        return 1;
    }
    prepay_time_t start = at(2024, 1, 1, 0);
    for (int m = 0; m < most; m++) {
        for (int i = 0; i < PER_YEAR; i++) {
            prepay_tariff_interval_t *iv = &data[(size_t)m * PER_YEAR + (size_t)i];
            iv->start = start + (prepay_time_t)i * 900;
            iv->end = iv->start + 900;
            iv->energy = next_energy();
        }
    }
    static prepay_tariff_t flat, touonly, tiered, uniform, chrono, prop;
    if (prepay_tariff_init(&flat) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    flat.prices.band_price[0] = 48830000;
    tou(&touonly);
    if (prepay_tariff_init(&tiered) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    tiered.prices.band_price[0] = 48830000;
    tiers(&tiered, PREPAY_CYCLE_YEAR, 2880000, 4800000);
    tou(&uniform);
    tiers(&uniform, PREPAY_CYCLE_MONTH, 240000, 400000);
    chrono = uniform;
    chrono.tou_tier_mode = PREPAY_TOU_TIER_CHRONOLOGICAL;
    prop = uniform;
    prop.tou_tier_mode = PREPAY_TOU_TIER_PROPORTIONAL;

    printf("state sizes: prepay_tariff_compact_state_t %zu B, prepay_tariff_state_t %zu B "
           "(PREPAY_MAX_TARIFF_INDEX = %d)\n",
           sizeof(prepay_tariff_compact_state_t), sizeof(prepay_tariff_state_t), PREPAY_MAX_TARIFF_INDEX);
    printf("%-30s %-5s %6s %9s %9s %8s   %s\n", "tariff", "size", "meters", "batch", "stream", "ratio",
           "exact total (equal in batch and stream)");
    printf("%-30s %-5s %6s %9s %9s\n", "", "", "", "ns/intv", "ns/intv");
    report("flat", &flat, data, base, max_scale);
    report("tou (Beijing C&I)", &touonly, data, base, max_scale);
    report("tiered (annual ladder)", &tiered, data, base, max_scale);
    report("tou x tier uniform (monthly)", &uniform, data, base, max_scale);
    report("tou x tier chronological", &chrono, data, base, max_scale);
    report("tou x tier proportional", &prop, data, base, max_scale);

    if (only) {
        free(data);
        return 0;
    }
    /* The unsealed path for comparison: validation and the general engine on every call. */
    prepay_tariff_plan_t open;
    if (prepay_tariff_plan_init(&open, &chrono) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    prepay_amount_t exact;
    double tu = run_stream(&open, data, base, 1, &exact);
    printf("stream, unsealed plan: tou x tier chronological x1: %.1f ns/interval (validates the plan and runs "
           "the general engine every call)\n",
           tu * 1e9 / ((double)base * PER_YEAR));

    /* memcpy bandwidth over the same data, for scale */
    prepay_tariff_interval_t *copy = malloc(total * sizeof *copy);
    if (!copy) {
        return 1;
    }
    memset(copy, 0, total * sizeof *copy); /* fault the pages in before timing */
    double t0 = now();
    int reps = 5;
    for (int k = 0; k < reps; k++) {
        memcpy(copy, data, total * sizeof *data);
        data[k].energy ^= copy[total - 1 - (size_t)k].energy & 1;
    }
    double dt = now() - t0;
    printf("memcpy %.2f GB/s over %zu MB (%.1f M intervals/s of 24-byte records)\n",
           (double)(total * sizeof *data) * reps / dt / 1e9, total * sizeof *data >> 20,
           (double)total * reps / dt / 1e6);
    free(copy);
    free(data);
    return 0;
}
