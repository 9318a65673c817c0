/*
 * Tariff engine throughput: batch evaluation of a year of 15-minute data (35040 intervals) for many
 * meters, for a flat tariff, a TOU tariff (Beijing C&I: 5 seasons, 3 day tables, sharp inside flat),
 * a tiered tariff (Beijing annual ladder) and TOU x tier (uniform, chronological, proportional),
 * plus streaming feeds and memcpy bandwidth for scale. Prints intervals per second per core
 * (process CPU time, best of 3 runs, so a loaded machine does not distort the figures).
 *
 *   meson setup build/tariff-rel --buildtype=release -Dtests=false && ninja -C build/tariff-rel
 *   build/tariff-rel/bench/bench_tariff [meters]
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
    prepay_time_days_from_date(y, m, d, &days);
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
    prepay_tariff_init(t);
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

static void run(const char *name, const prepay_tariff_t *t, const prepay_tariff_interval_t *data, int meters,
                int per_meter)
{
    prepay_tariff_plan_t plan;
    prepay_tariff_plan_init(&plan, t);
    double dt = 1e30;
    int64_t checksum = 0;
    for (int rep = 0; rep < 3; rep++) {
    double t0 = now();
    checksum = 0;
    for (int m = 0; m < meters; m++) {
        prepay_tariff_bill_t bill;
        prepay_tariff_bill_init(&bill, t, lines, LINES);
        int status = prepay_tariff_eval_batch(&plan, NULL, NULL, data + (size_t)m * (size_t)per_meter,
                                              (size_t)per_meter, &bill);
        if (status != PREPAY_OK) {
            fprintf(stderr, "%s: %s\n", name, prepay_strerror(status));
            exit(1);
        }
        checksum += bill.total;
    }
    double d = now() - t0;
    dt = d < dt ? d : dt;
    }
    double n = (double)meters * per_meter;
    printf("batch  %-28s %8.1f M intervals/s  (%d meters x %d, %.3f s, checksum %lld)\n", name, n / dt / 1e6,
           meters, per_meter, dt, (long long)checksum);
}

static void run_stream(const char *name, const prepay_tariff_t *t, const prepay_tariff_interval_t *data, int count)
{
    prepay_tariff_plan_t plan;
    prepay_tariff_plan_init(&plan, t);
    prepay_tariff_state_t st;
    prepay_tariff_state_init(&st);
    prepay_tariff_feed_result_t r;
    double t0 = now();
    int64_t due = 0;
    for (int i = 0; i < count; i++) {
        if (prepay_tariff_feed_interval(&plan, NULL, &st, data[i].start, data[i].end, data[i].energy, lines, LINES,
                                        &r) < 0) {
            fprintf(stderr, "stream failed\n");
            exit(1);
        }
        due += r.due;
    }
    double dt = now() - t0;
    printf("stream %-28s %8.2f M intervals/s  (%d feeds, %.3f s, due %lld)\n", name, count / dt / 1e6, count, dt,
           (long long)due);
}

int main(int argc, char **argv)
{
    int meters = argc > 1 ? atoi(argv[1]) : 256;
    if (meters < 1) {
        meters = 1;
    }
    size_t total = (size_t)meters * PER_YEAR;
    prepay_tariff_interval_t *data = malloc(total * sizeof *data);
    if (!data) {
        return 1;
    }
    prepay_time_t start = at(2024, 1, 1, 0);
    for (int m = 0; m < meters; m++) {
        for (int i = 0; i < PER_YEAR; i++) {
            prepay_tariff_interval_t *iv = &data[(size_t)m * PER_YEAR + (size_t)i];
            iv->start = start + (prepay_time_t)i * 900;
            iv->end = iv->start + 900;
            iv->energy = next_energy();
        }
    }
    static prepay_tariff_t flat, touonly, tiered, uniform, chrono, prop;
    prepay_tariff_init(&flat);
    flat.prices.band_price[0] = 48830000;
    tou(&touonly);
    prepay_tariff_init(&tiered);
    tiered.prices.band_price[0] = 48830000;
    tiers(&tiered, PREPAY_CYCLE_YEAR, 2880000, 4800000);
    tou(&uniform);
    tiers(&uniform, PREPAY_CYCLE_MONTH, 240000, 400000);
    chrono = uniform;
    chrono.tou_tier_mode = PREPAY_TOU_TIER_CHRONOLOGICAL;
    prop = uniform;
    prop.tou_tier_mode = PREPAY_TOU_TIER_PROPORTIONAL;
    run("flat", &flat, data, meters, PER_YEAR);
    run("tou (Beijing C&I)", &touonly, data, meters, PER_YEAR);
    run("tiered (annual ladder)", &tiered, data, meters, PER_YEAR);
    run("tou x tier uniform (monthly)", &uniform, data, meters, PER_YEAR);
    run("tou x tier chronological", &chrono, data, meters, PER_YEAR);
    run("tou x tier proportional", &prop, data, meters, PER_YEAR);
    run_stream("tou x tier chronological", &chrono, data, PER_YEAR);

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
    printf("memcpy %-28s %8.2f GB/s        (%.1f M intervals/s of 24-byte records)\n", "",
           (double)(total * sizeof *data) * reps / dt / 1e9, (double)total * reps / dt / 1e6);
    free(copy);
    free(data);
    return 0;
}
