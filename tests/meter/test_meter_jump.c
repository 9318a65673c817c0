/* SPDX-License-Identifier: MIT */
/*
 * A long advance of a meter whose load repeats every day jumps (meter_jump.c): its registers go to a midnight
 * months before the end in closed form, and the last months are simulated. What it leaves must be
 * what the same span leaves in 20-day calls (which never jump; test_meter_runs.c shows those equal
 * minute-by-minute calls), field for field: registers and remainders, daily and settlement freezes,
 * demand window and maxima, every load record in its slot. And its cost must not grow with the
 * span: the steps of one call are counted (no clock), and 75 years cost no more than 3.
 *  - the fixture tariff (one season, 7 runs a day), 1 234 W from 07:13:29, 3 years;
 *  - a calendar with three seasons, weekday, Saturday, Sunday and holiday tables, holidays with
 *    and without their own table, override days, a reverse load (-777 W), 7 and 75 years, and
 *    826 years (two 400-year Gregorian periods counted at once, a holiday after them);
 *  - a price set B with another calendar taking effect mid-span;
 *  - an open relay and no load (nothing flows; only the clock and history move);
 *  - a local meter whose purse opens the relay early in a 5-year advance: the rest jumps;
 *  - local meters drawing power (test_local_drawing): the purse pays for whole days of one cycle
 *    and tier at once; monthly and yearly ladders, uniform and per band and tier, purses that run
 *    out (the alarm minutes and the trip found by the runs), 12 random local cases;
 *  - load profiles that repeat every day (hourly from an odd phase, quarter hours drawing and
 *    feeding back, 45-second steps): a day of fractional Wh, summed by floor sums;
 *  - 24 random calendars, loads, starts and spans (a fixed-seed generator);
 *  - prepay_meter_jumps() says which meters jump; what does not: a local meter before its first
 *    relay decision or with demand prices, a timed freeze, a profile whose period does not divide a
 *    day or beyond the power limit.
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_fixtures.h"

#define RING 192
#define CHUNK (20L * 86400) /* below the jump's horizon: 20-day calls never jump */

static prepay_meter_t other;
static prepay_load_record_t records_a[RING], records_b[RING];
static prepay_meter_load_ring_t ring_a, ring_b;
static prepay_tariff_t rich, rich_b;

/* Equal in everything but the derived cache and the ring's address; the rings hold the same records
 * in the same slots. */
static void assert_same_meter(const prepay_meter_t *a, const prepay_meter_t *b)
{
    static prepay_meter_t x, y;
    x = *a;
    y = *b;
    memset(&x.derived, 0, sizeof x.derived);
    memset(&y.derived, 0, sizeof y.derived);
    x.load_ring = y.load_ring = NULL;
    assert_true(a->forward[0] == b->forward[0] && a->reverse[0] == b->reverse[0]);
    for (unsigned i = 1; i <= PREPAY_METER_TARIFFS; i++) {
        assert_true(a->forward[i] == b->forward[i] && a->reverse[i] == b->reverse[i]);
    }
    assert_memory_equal(&x.demand, &y.demand, sizeof x.demand);
    assert_memory_equal(x.daily, y.daily, sizeof x.daily);
    assert_memory_equal(x.settlement, y.settlement, sizeof x.settlement);
    assert_memory_equal(&x, &y, sizeof x);
    assert_int_equal(a->load_ring->first, b->load_ring->first);
    assert_int_equal(a->load_ring->count, b->load_ring->count);
    assert_memory_equal(a->load_ring->records, b->load_ring->records, RING * sizeof(prepay_load_record_t));
}

/* A remote-mode fixture meter at `start` with a 15-minute load ring, and its twin. */
static prepay_meter_t *remote_meter(prepay_time_t start, const prepay_tariff_t *set_a, const prepay_tariff_t *set_b)
{
    prepay_meter_t *a = fx_setup();
    a->clock = start;
    assert_int_equal(prepay_meter_bind(a, set_a, set_b, false, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_set_mode(a, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    assert_int_equal(prepay_meter_load_ring_init(&ring_a, records_a, RING), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(a, &ring_a), PREPAY_OK);
    return a;
}

static void make_twin(prepay_meter_t *a)
{
    other = *a;
    assert_int_equal(prepay_meter_load_ring_init(&ring_b, records_b, RING), PREPAY_OK);
    memcpy(records_b, records_a, sizeof records_b);
    ring_b.first = ring_a.first;
    ring_b.count = ring_a.count;
    other.load_ring = &ring_b;
}

/* a in one call, its twin in 20-day calls; returns the steps of the one call. */
static uint32_t jump_both(prepay_meter_t *a, int64_t seconds, const prepay_meter_load_t *load)
{
    make_twin(a);
    assert_int_equal(prepay_meter_advance(a, seconds, load), PREPAY_OK);
    uint32_t steps = a->derived.steps;
    for (int64_t s = 0; s < seconds; s += CHUNK) {
        int64_t n = seconds - s < CHUNK ? seconds - s : CHUNK;
        assert_int_equal(prepay_meter_advance(&other, n, load), PREPAY_OK);
    }
    assert_same_meter(a, &other);
    return steps;
}

/* Steps a jump may take: the days simulated after it (at most 10 steps each: 7 band runs, a
 * midnight, a settlement hour) and the load records kept, plus the day before it. */
#define JUMP_STEPS ((31u * (PREPAY_METER_SETTLEMENTS + 2u) + PREPAY_METER_FROZEN_DAYS + 5u) * 12u + RING + 16u)

static void test_fixture_tariff_three_years(void **state)
{
    (void)state;
    prepay_meter_t *a = remote_meter(fx_time(2024, 3, 1, 7, 13, 29), &fx_tariff, NULL);
    prepay_meter_load_t load = fx_constant(1234);
    int64_t span = fx_time(2027, 2, 14, 16, 0, 7) - a->clock;
    assert_true(prepay_meter_jumps(a, &load) && prepay_meter_jumps(a, NULL));
    uint32_t steps = jump_both(a, span, &load);
    printf("3 years, fixture tariff: %u steps\n", (unsigned)steps);
    assert_true(steps <= JUMP_STEPS);
    /* 1 234 W over the span: the closed form P x t, no Wh lost or doubled */
    assert_true(a->forward[0] == 1234 * span / 3600);
    assert_true(a->forward[1] + a->forward[2] + a->forward[3] + a->forward[4] == a->forward[0]);
}

/* Three seasons; weekday (7 runs), Saturday (3), Sunday (1) and holiday (2) tables; summer
 * tables differ; holidays with the season's holiday table and with their own; override days. */
static void make_rich(prepay_tariff_t *t, int shift_hours)
{
    assert_int_equal(prepay_tariff_init(t), PREPAY_OK);
    t->band_count = 4;
    prepay_tou_schedule_t *s = &t->schedule;
    s->season_count = 3;
    const uint8_t starts[3][2] = {{1, 1}, {5, 1}, {10, 15}};
    for (unsigned i = 0; i < 3; i++) {
        s->seasons[i].start_month = starts[i][0];
        s->seasons[i].start_day = starts[i][1];
        s->seasons[i].weekday_table = i == 1 ? 4 : 0;
        s->seasons[i].saturday_table = 1;
        s->seasons[i].sunday_table = i == 1 ? 1 : 2;
        s->seasons[i].holiday_table = 3;
    }
    s->day_table_count = 5;
    prepay_tou_day_table_t *d = s->day_tables;
    memset(d, 0, 5 * sizeof *d);
    int h = shift_hours;
    fx_slot(&d[0], 0, 0, 4), fx_slot(&d[0], 8 + h, 0, 3), fx_slot(&d[0], 10 + h, 0, 2), fx_slot(&d[0], 12, 0, 3);
    fx_slot(&d[0], 18, 0, 2), fx_slot(&d[0], 21, 0, 3), fx_slot(&d[0], 23, 0, 4);
    fx_slot(&d[1], 6, 30, 3), fx_slot(&d[1], 19, 15, 2), fx_slot(&d[1], 22, 0, 4); /* wraps over midnight */
    fx_slot(&d[2], 0, 0, 4);
    fx_slot(&d[3], 0, 0, 4), fx_slot(&d[3], 17, 0, 3);
    fx_slot(&d[4], 0, 0, 4), fx_slot(&d[4], 7, 0, 3), fx_slot(&d[4], 11, 0, 1), fx_slot(&d[4], 15, 0, 2);
    fx_slot(&d[4], 19, 0, 3), fx_slot(&d[4], 22, 30, 4);
    /* holidays: early in a long span, near its end (in the simulated months), and after 400 years */
    const int holidays[][4] = {{2024, 10, 1, 0}, {2025, 1, 29, 2}, {2026, 5, 1, 0},  {2027, 1, 1, 5},
                               {2030, 10, 1, 0}, {2031, 1, 1, 0},  {2099, 10, 1, 0}, {2099, 11, 3, 1},
                               {2430, 2, 2, 0},  {2849, 3, 3, 2}};
    s->holiday_count = sizeof holidays / sizeof holidays[0];
    for (unsigned i = 0; i < s->holiday_count; i++) {
        assert_int_equal(prepay_time_days_from_date(holidays[i][0], (unsigned)holidays[i][1], (unsigned)holidays[i][2],
                                                    &s->holidays[i].day),
                         PREPAY_OK);
        s->holidays[i].table = (uint8_t)holidays[i][3];
    }
    /* overrides: a sharp afternoon on a weekday and two windows on a holiday, in the jump part */
    const int overrides[][6] = {{2025, 7, 16, 840, 960, 1}, {2026, 5, 1, 60, 120, 1}, {2026, 5, 1, 1300, 1440, 2}};
    s->override_count = 3;
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(prepay_time_days_from_date(overrides[i][0], (unsigned)overrides[i][1],
                                                    (unsigned)overrides[i][2], &s->overrides[i].day),
                         PREPAY_OK);
        s->overrides[i].start_minute = (uint16_t)overrides[i][3];
        s->overrides[i].end_minute = (uint16_t)overrides[i][4];
        s->overrides[i].band = (uint8_t)overrides[i][5];
    }
    t->prices.mode = PREPAY_PRICE_DIRECT;
    for (unsigned b = 0; b < 4; b++) {
        t->prices.band_price[b] = FX_PRICE(3000 + 1000 * b);
    }
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

static void test_rich_calendar_years(void **state)
{
    (void)state;
    make_rich(&rich, 0);
    prepay_meter_load_t forward = fx_constant(1234), reverse = fx_constant(-777);
    prepay_meter_t *a = remote_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, NULL);
    uint32_t seven = jump_both(a, fx_time(2031, 2, 20, 5, 30, 0) - a->clock, &forward);
    printf("7 years, three seasons, holidays, overrides: %u steps\n", (unsigned)seven);
    assert_true(seven <= JUMP_STEPS);
    /* every band had energy (the override's sharp band too) */
    for (unsigned b = 1; b <= 4; b++) {
        assert_true(a->forward[b] > 0);
    }
    uint32_t reversed = jump_both(a, 3L * 365 * 86400, &reverse);
    assert_true(reversed <= JUMP_STEPS);
    assert_true(a->reverse[0] > 0);

    prepay_meter_t *c = remote_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, NULL);
    uint32_t three = jump_both(c, fx_time(2027, 6, 3, 0, 0, 0) - c->clock, &forward);
    c = remote_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, NULL);
    uint32_t long_jump = jump_both(c, fx_time(2099, 12, 31, 0, 0, 0) - c->clock, &forward);
    printf("2024 -> 2099: %u steps (3 years: %u)\n", (unsigned)long_jump, (unsigned)three);
    assert_true(long_jump <= three + 16u); /* the span does not cost steps */
}

static void test_four_hundred_years(void **state)
{
    (void)state;
    make_rich(&rich, 0);
    /* two Gregorian periods counted at once, then the rest year by year; from two days after a
     * season start, so that a period of the wrong length would count other day types */
    prepay_meter_t *a = remote_meter(fx_time(2024, 5, 3, 0, 0, 0), &rich, NULL);
    prepay_meter_load_t load = fx_constant(2500);
    uint32_t steps = jump_both(a, fx_time(2850, 4, 1, 0, 0, 0) - a->clock, &load);
    printf("826 years: %u steps\n", (unsigned)steps);
    assert_true(steps <= JUMP_STEPS);
}

static void test_price_set_b_mid_span(void **state)
{
    (void)state;
    make_rich(&rich, 0);
    make_rich(&rich_b, 1); /* morning bands an hour later */
    prepay_meter_t *a = remote_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, &rich_b);
    a->switch_time[2] = fx_time(2026, 8, 17, 13, 0, 0);
    prepay_meter_load_t load = fx_constant(999);
    uint32_t steps = jump_both(a, fx_time(2029, 1, 1, 0, 0, 0) - a->clock, &load);
    printf("set B mid-span: %u steps\n", (unsigned)steps);
    assert_true(steps <= 2u * JUMP_STEPS);
}

static prepay_meter_load_t profile_load(const int32_t *profile, size_t len, uint32_t step, prepay_time_t start)
{
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_PROFILE;
    load.profile = profile;
    load.profile_len = len;
    load.step = step;
    load.start = start;
    return load;
}

/* Profiles whose period divides a day repeat every day: a day's energy need not be whole Wh, so
 * the carry moves from midnight to midnight and each table's days are summed as arithmetic
 * progressions (floor sums). Hourly from an odd phase; quarter hours drawing and feeding back
 * (both registers); 45-second steps. The cost follows the simulated months, not the span. */
static void test_daily_profiles(void **state)
{
    (void)state;
    make_rich(&rich, 0);
    static const int32_t hourly[24] = {301, 250, 200, 200, 250, 401, 900, 1500, 1201, 800, 700, 900,
                                       1100, 800, 703, 700, 900, 1600, 2400, 2601, 2200, 1500, 900, 503};
    prepay_meter_t *a = remote_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, NULL);
    prepay_meter_load_t load = profile_load(hourly, 24, 3600, fx_time(2024, 1, 1, 7, 13, 29));
    assert_true(prepay_meter_jumps(a, &load));
    uint32_t three = jump_both(a, 3L * 365 * 86400 + 5 * 3600, &load);
    a = remote_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, NULL);
    uint32_t thirty = jump_both(a, 30L * 365 * 86400 + 5 * 3600, &load);
    printf("hourly profile: 3 years %u steps, 30 years %u steps\n", (unsigned)three, (unsigned)thirty);
    assert_true(thirty <= three + 64u);
    assert_true(a->forward[0] > 0 && a->forward[1] > 0);

    static int32_t quarters[96];
    for (unsigned i = 0; i < 96; i++) {
        quarters[i] = (int32_t)((i * 37u) % 23u) * 97 - 700; /* -700 .. 1434 W */
    }
    quarters[5] = 2;   /* a day of neither whole Wh forward (E mod 3600 = 2700 Ws) ... */
    quarters[0] = -701; /* ... nor back (900 Ws): the carry moves every midnight, by a step that
                           7 days do not cancel */
    a = remote_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, NULL);
    load = profile_load(quarters, 96, 900, fx_time(2024, 1, 1, 0, 5, 0));
    uint32_t mixed = jump_both(a, (9L * 365 + 2) * 86400, &load);
    printf("quarter-hour profile, both directions, 9 years: %u steps\n", (unsigned)mixed);
    assert_true(a->forward[0] > 0 && a->reverse[0] > 0 && a->reverse[2] > 0);

    static int32_t fine[32];
    for (unsigned i = 0; i < 32; i++) {
        fine[i] = (int32_t)(i * i % 31u) * 53 + 7;
    }
    fine[0] = 8; /* a day of 2700 Ws beyond whole Wh */
    a = remote_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, NULL);
    load = profile_load(fine, 32, 45, fx_time(2024, 1, 1, 0, 0, 17));
    assert_true(prepay_meter_jumps(a, &load));
    (void)jump_both(a, 2L * 365 * 86400, &load);
}

/* A small deterministic generator (xorshift64*) for the random cases below. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rng(uint32_t bound)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 33) % bound;
}

/* A random valid calendar: 1..4 seasons, 1..4 day tables of 1..6 slots, up to 6 holidays and 4
 * override days over 2025..2040. */
static void make_random(prepay_tariff_t *t)
{
    assert_int_equal(prepay_tariff_init(t), PREPAY_OK);
    t->band_count = 4;
    prepay_tou_schedule_t *s = &t->schedule;
    unsigned tables = 1 + rng(4);
    s->day_table_count = (uint8_t)tables;
    for (unsigned i = 0; i < tables; i++) {
        prepay_tou_day_table_t *d = &s->day_tables[i];
        memset(d, 0, sizeof *d);
        unsigned slots = 1 + rng(6), minute = rng(120);
        for (unsigned k = 0; k < slots && minute < 1440; k++) {
            fx_slot(d, (int)(minute / 60), (int)(minute % 60), 1 + (int)rng(4));
            minute += 1 + rng(400);
        }
    }
    unsigned seasons = 1 + rng(4), month = 1;
    s->season_count = 0;
    for (unsigned i = 0; i < seasons && month <= 12; i++) {
        prepay_tou_season_t *se = &s->seasons[s->season_count++];
        se->start_month = (uint8_t)month;
        se->start_day = (uint8_t)(1 + rng(28));
        se->weekday_table = (uint8_t)rng(tables);
        se->saturday_table = (uint8_t)rng(tables);
        se->sunday_table = (uint8_t)rng(tables);
        se->holiday_table = (uint8_t)rng(tables);
        month += 1 + rng(5);
    }
    prepay_days_t day;
    assert_int_equal(prepay_time_days_from_date(2025, 1, 1, &day), PREPAY_OK);
    s->holiday_count = (uint16_t)rng(7);
    for (unsigned i = 0; i < s->holiday_count; i++) {
        day += 1 + (prepay_days_t)rng(900);
        s->holidays[i].day = day;
        s->holidays[i].table = (uint8_t)rng(tables + 1);
    }
    assert_int_equal(prepay_time_days_from_date(2025, 1, 1, &day), PREPAY_OK);
    s->override_count = (uint16_t)rng(5);
    for (unsigned i = 0; i < s->override_count; i++) {
        day += (prepay_days_t)rng(i == 0 ? 900 : 2) + (i > 0 && rng(2) ? 0 : 1); /* sometimes two on one day */
        s->overrides[i].day = day;
        unsigned start = i > 0 && s->overrides[i - 1].day == day ? s->overrides[i - 1].end_minute : rng(1200);
        if (start >= 1439) {
            start = 0;
            s->overrides[i].day = ++day;
        }
        s->overrides[i].start_minute = (uint16_t)start;
        s->overrides[i].end_minute = (uint16_t)(start + 1 + rng(1439 - start));
        s->overrides[i].band = (uint8_t)(1 + rng(4));
    }
    t->prices.mode = PREPAY_PRICE_DIRECT;
    for (unsigned b = 0; b < 4; b++) {
        t->prices.band_price[b] = FX_PRICE(3000 + 1000 * b);
    }
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

/* Random calendars, loads (constant either way, or a profile of 1..48 steps whose period divides a
 * day, from a random phase), start times and spans of 150 days to 12 years: one call equals 20-day
 * calls, field for field. */
static void test_random_cases(void **state)
{
    (void)state;
    static const uint32_t steps[] = {45, 60, 300, 900, 1800, 3600, 7200};
    static int32_t profile[48];
    for (unsigned n = 0; n < 24; n++) {
        make_random(&rich);
        prepay_time_t start = fx_time(2024, 1 + (int)rng(12), 1 + (int)rng(28), (int)rng(24), (int)rng(60), (int)rng(60));
        prepay_meter_t *a = remote_meter(start, &rich, NULL);
        prepay_meter_load_t load;
        if (rng(3) == 0) {
            load = fx_constant((int32_t)rng(5000) - 1000);
        } else {
            uint32_t step = steps[rng(7)];
            size_t len = 1 + rng(48);
            while (86400 % (step * len) != 0) {
                len--;
            }
            for (size_t i = 0; i < len; i++) {
                profile[i] = (int32_t)rng(4001) - 800;
            }
            load = profile_load(profile, len, step, start - rng(86400));
        }
        assert_true(prepay_meter_jumps(a, &load));
        int64_t span = (150 + (int64_t)rng(12 * 365 - 150)) * 86400 + rng(86400);
        (void)jump_both(a, span, &load);
    }
}

static void test_nothing_flows(void **state)
{
    (void)state;
    prepay_meter_t *a = remote_meter(fx_time(2024, 3, 1, 0, 0, 0), &fx_tariff, NULL);
    prepay_meter_load_t load = fx_constant(1500);
    assert_int_equal(prepay_meter_advance(a, 86400, &load), PREPAY_OK);
    prepay_energy_t before = a->forward[0];
    a->relay = (uint8_t)(a->relay | PREPAY_METER_RELAY_OPEN | PREPAY_METER_RELAY_REMOTE_TRIP);
    uint32_t steps = jump_both(a, 10L * 365 * 86400, &load);
    assert_true(steps <= JUMP_STEPS);
    assert_true(a->forward[0] == before);
    /* no load at all */
    a->relay = 0;
    assert_true(jump_both(a, 10L * 365 * 86400, NULL) <= JUMP_STEPS);
}

/* A local meter prices every band run while its relay is closed; once its purse has opened the
 * relay nothing flows and its decision holds (a wallet policy without time windows), so the rest
 * of a long advance jumps. */
static void local_after_trip(const prepay_wallet_policy_t *policy)
{
    prepay_meter_t *a = fx_setup();
    assert_int_equal(prepay_meter_bind(a, &fx_tariff, NULL, false, policy, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_set_purse_parameters(a, 2000, 1000, 300, 0, 500), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(a, a->clock, 3000, 1), PREPAY_OK);
    assert_int_equal(prepay_meter_load_ring_init(&ring_a, records_a, RING), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(a, &ring_a), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(1500);
    uint32_t steps = jump_both(a, 5L * 365 * 86400, &load);
    printf("local, 5 years, the purse trips on day 2 or 3: %u steps\n", (unsigned)steps);
    assert_true((a->relay & PREPAY_METER_RELAY_OPEN) != 0);
    assert_true(prepay_meter_jumps(a, &load));
    assert_true(steps <= JUMP_STEPS + 3u * 12u + 64u); /* plus the days up to the trip and its minutes */
}

static void test_local_after_trip(void **state)
{
    (void)state;
    local_after_trip(NULL);
    static prepay_wallet_policy_t timeless;
    prepay_wallet_policy_default(&timeless);
    timeless.hysteresis = 150;
    timeless.pretrip_level = 0;
    local_after_trip(&timeless);
    /* a no-disconnect window makes the decision depend on the time of day: no jump */
    static prepay_wallet_policy_t night;
    prepay_wallet_policy_default(&night);
    night.window_count = 1;
    night.windows[0].start_second = 22 * 3600;
    night.windows[0].end_second = 6 * 3600;
    prepay_meter_t *a = fx_setup();
    assert_int_equal(prepay_meter_bind(a, &fx_tariff, NULL, false, &night, NULL), PREPAY_OK);
    a->relay = (uint8_t)(a->relay | PREPAY_METER_RELAY_OPEN);
    assert_false(prepay_meter_jumps(a, NULL));
}

/* A local meter bound to `set_a` at `start` with `balance` in its purse, and a 15-minute load ring. */
static prepay_meter_t *local_meter(prepay_time_t start, const prepay_tariff_t *set_a, prepay_money_t balance)
{
    prepay_meter_t *a = fx_setup();
    a->clock = start;
    assert_int_equal(prepay_meter_bind(a, set_a, NULL, false, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_set_purse_parameters(a, 2000, 1000, 300, 0, 500), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(a, a->clock, balance, 1), PREPAY_OK);
    assert_int_equal(prepay_meter_load_ring_init(&ring_a, records_a, RING), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(a, &ring_a), PREPAY_OK);
    return a;
}

/* Three tiers over the bands of `t`: cycles of a month or a year from a billing day (and month);
 * tier prices as surcharges on every band (uniform) or a price per band and tier (chronological). */
static void add_ladder(prepay_tariff_t *t, prepay_cycle_kind_t kind, unsigned month, unsigned day, bool per_band,
                       prepay_energy_t first_kwh, prepay_energy_t second_kwh)
{
    t->cycle_kind = kind;
    t->cycle_start_month = (uint8_t)month;
    t->cycle_start_day = (uint8_t)day;
    t->tier_count = 3;
    t->ladders[0].upper[0] = first_kwh * 1000;
    t->ladders[0].upper[1] = second_kwh * 1000;
    t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    if (per_band) {
        t->tou_tier_mode = PREPAY_TOU_TIER_CHRONOLOGICAL;
        for (unsigned b = 0; b < t->band_count; b++) {
            for (unsigned k = 0; k < 3; k++) {
                t->prices.band_tier_price[b][k] = t->prices.band_price[b] + FX_PRICE(500 * k) + 7777 * b;
            }
        }
    } else {
        t->prices.tier_surcharge[1] = FX_PRICE(500);
        t->prices.tier_surcharge[2] = FX_PRICE(3000) + 1;
    }
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

/* Days of runs a local jump leaves per cycle at most: the cycle's first day (it opens the cycle),
 * the day of each tier crossing, the day before the cycle ends (cycles end at 00:00 of a billing
 * day, so at most a day), at 12 steps a day. */
#define LOCAL_STEPS_PER_CYCLE (5u * 12u + 8u)

/* A local meter drawing power jumps too: its purse pays for whole days of one cycle and tier in one
 * step (the money of many runs of one tier is the rounded sum of their exact amounts), and the runs
 * take the days where a cycle opens, a tier bound is crossed or the balance reaches the relay
 * decision's floor. One call equals 20-day calls, purse and tariff state included. */
static void test_local_drawing(void **state)
{
    (void)state;
    prepay_meter_load_t load = fx_constant(1234);
    prepay_meter_t *a = local_meter(fx_time(2024, 3, 1, 7, 13, 29), &fx_tariff, 100000000);
    assert_true(prepay_meter_jumps(a, &load));
    uint32_t two = jump_both(a, 2L * 365 * 86400, &load);
    a = local_meter(fx_time(2024, 3, 1, 7, 13, 29), &fx_tariff, 100000000);
    uint32_t six = jump_both(a, 6L * 365 * 86400, &load);
    printf("local, fixture tariff, monthly cycles: 2 years %u steps, 6 years %u steps (run by run: 15 330)\n",
           (unsigned)two, (unsigned)six);
    /* 29.6 kWh a day at 0.30-1.00 yuan: more than 10 yuan a day was paid, and the relay stayed closed */
    assert_true((a->relay & PREPAY_METER_RELAY_OPEN) == 0 && a->purse.balance < 100000000 - 6 * 365 * 1000);
    assert_true(six <= two + 4u * 12u * LOCAL_STEPS_PER_CYCLE);

    /* a monthly ladder crossed twice a month, uniform surcharges; a rich calendar */
    make_rich(&rich, 0);
    add_ladder(&rich, PREPAY_CYCLE_MONTH, 1, 17, false, 200, 400);
    load = fx_constant(1500); /* 36 kWh a day: tier 2 on day 6, tier 3 on day 12 */
    a = local_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, 100000000);
    uint32_t steps = jump_both(a, 5L * 365 * 86400, &load);
    printf("local, monthly ladder of 3 tiers, 5 years: %u steps\n", (unsigned)steps);
    assert_true(steps <= JUMP_STEPS + 5u * 12u * LOCAL_STEPS_PER_CYCLE);

    /* a yearly ladder from 15 July, a price per band and tier, an hourly profile */
    make_rich(&rich, 0);
    add_ladder(&rich, PREPAY_CYCLE_YEAR, 7, 15, true, 2880, 4800);
    static const int32_t hourly[24] = {301, 250, 200, 200, 250, 401, 900, 1500, 1201, 800, 700, 900,
                                       1100, 800, 703, 700, 900, 1600, 2400, 2601, 2200, 1500, 900, 503};
    load = profile_load(hourly, 24, 3600, fx_time(2024, 1, 1, 7, 13, 29));
    a = local_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, 100000000);
    assert_true(prepay_meter_jumps(a, &load));
    steps = jump_both(a, 4L * 365 * 86400 + 11 * 3600, &load);
    printf("local, yearly ladder per band and tier, hourly profile, 4 years: %u steps\n", (unsigned)steps);
    assert_true(a->forward[0] > 4 * 4800 * 1000); /* 8.2 MWh a year: the third tier every year */

    /* a purse that runs out after about 14 months: the jump stops before the alarm levels, the runs
     * find the minutes, the relay opens, and the rest jumps with nothing flowing */
    make_rich(&rich, 0);
    add_ladder(&rich, PREPAY_CYCLE_MONTH, 1, 1, false, 200, 400);
    load = fx_constant(800);
    a = local_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, 1000000);
    steps = jump_both(a, 4L * 365 * 86400, &load);
    printf("local, purse of 10 000 yuan runs out, 4 years: %u steps\n", (unsigned)steps);
    assert_true((a->relay & PREPAY_METER_RELAY_OPEN) != 0);
    assert_true(a->purse.balance <= 1000); /* the default policy trips at the second alarm amount */
    /* a small load (about 1.5 yuan a day): the alarm levels and the trip fall on days that a jump
     * stopping a few yuan late would have taken whole, and each is recorded with its minute */
    load = fx_constant(150);
    a = local_meter(fx_time(2024, 6, 3, 0, 0, 0), &rich, 50000);
    steps = jump_both(a, 2L * 365 * 86400, &load);
    printf("local, purse of 500 yuan at 150 W, 2 years: %u steps\n", (unsigned)steps);
    assert_true((a->relay & PREPAY_METER_RELAY_OPEN) != 0);
}

/* Random calendars, ladders, loads, purses, starts and spans in local mode: one call equals 20-day
 * calls, purse, tariff state and relay included. */
static void test_local_random_cases(void **state)
{
    (void)state;
    static const uint32_t steps[] = {60, 300, 900, 3600, 7200};
    static int32_t profile[48];
    for (unsigned n = 0; n < 12; n++) {
        make_random(&rich);
        unsigned ladder = rng(3);
        if (ladder != 0) {
            prepay_energy_t first = 20 + rng(400);
            add_ladder(&rich, ladder == 1 ? PREPAY_CYCLE_MONTH : PREPAY_CYCLE_YEAR, 1 + rng(12), 1 + rng(28),
                       rng(2) != 0, ladder == 1 ? first : first * 12, ladder == 1 ? first * 2 : first * 24);
        }
        prepay_time_t start = fx_time(2024, 1 + (int)rng(12), 1 + (int)rng(28), (int)rng(24), (int)rng(60), (int)rng(60));
        prepay_money_t balance = rng(2) ? 10000 + (prepay_money_t)rng(2000000) : 100000000;
        prepay_meter_t *a = local_meter(start, &rich, balance);
        prepay_meter_load_t load;
        if (rng(3) == 0) {
            load = fx_constant((int32_t)rng(5000) - 1000);
        } else {
            uint32_t step = steps[rng(5)];
            size_t len = 1 + rng(48);
            while (86400 % (step * len) != 0) {
                len--;
            }
            for (size_t i = 0; i < len; i++) {
                profile[i] = (int32_t)rng(4001) - 800;
            }
            load = profile_load(profile, len, step, start - rng(86400));
        }
        assert_true(prepay_meter_jumps(a, &load));
        int64_t span = (150 + (int64_t)rng(5 * 365 - 150)) * 86400 + rng(86400);
        (void)jump_both(a, span, &load);
    }
}

static void test_what_does_not_jump(void **state)
{
    (void)state;
    prepay_meter_load_t load = fx_constant(1234);
    /* a local meter whose relay has not been decided yet (a new meter, no purse) */
    prepay_meter_t *a = fx_setup();
    assert_false(prepay_meter_jumps(a, &load));
    assert_false(prepay_meter_jumps(NULL, NULL));
    /* a demand price: each interval's average power sets the month's peak */
    assert_int_equal(prepay_meter_recharge(a, a->clock, 100000000, 1), PREPAY_OK);
    assert_true(prepay_meter_jumps(a, &load));
    static prepay_tariff_t demand;
    demand = fx_tariff;
    demand.demand.rate_count = 1;
    demand.demand.rates[0].tier_count = 1;
    demand.demand.rates[0].upper[0] = INT64_MAX;
    demand.demand.rates[0].price[0] = 3000000000; /* 30 yuan per kW and month */
    memset(demand.demand.flat_rate, 1, sizeof demand.demand.flat_rate);
    assert_int_equal(prepay_tariff_validate(&demand), PREPAY_OK);
    assert_int_equal(prepay_meter_bind(a, &demand, NULL, false, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(a, a->clock, 100000000, 2), PREPAY_OK);
    assert_false(prepay_meter_jumps(a, &load));
    /* a timed freeze (every day at 12:34) may fall at any minute: no jump */
    a = remote_meter(fx_time(2024, 3, 1, 0, 0, 0), &fx_tariff, NULL);
    const uint8_t timed[4] = {0x34, 0x12, 0x99, 0x99};
    memcpy(a->freeze_pattern, timed, sizeof timed);
    assert_false(prepay_meter_jumps(a, &load));
    assert_int_equal(prepay_meter_advance(a, 2L * 365 * 86400, &load), PREPAY_OK);
    assert_true(a->derived.steps >= 2u * 365u * 1440u);
    /* a load profile whose period (5 hours) does not divide a day */
    a = remote_meter(fx_time(2024, 3, 1, 0, 0, 0), &fx_tariff, NULL);
    static const int32_t five[5] = {500, 1500, 700, 0, 900};
    prepay_meter_load_t varying;
    memset(&varying, 0, sizeof varying);
    varying.kind = PREPAY_METER_LOAD_PROFILE;
    varying.profile = five;
    varying.profile_len = 5;
    varying.step = 3600;
    assert_false(prepay_meter_jumps(a, &varying));
    /* a profile beyond the power limit (the overload timer must run) */
    static const int32_t two[2] = {500, 1500};
    prepay_meter_load_t peaks = varying;
    peaks.profile = two;
    peaks.profile_len = 2;
    assert_true(prepay_meter_jumps(a, &peaks));
    assert_int_equal(prepay_meter_set_power_limit(a, 1000, 60), PREPAY_OK);
    assert_false(prepay_meter_jumps(a, &peaks));
    /* ... unless the relay is open: behind it every load is 0 W */
    a->relay = (uint8_t)(a->relay | PREPAY_METER_RELAY_OPEN | PREPAY_METER_RELAY_REMOTE_TRIP);
    assert_true(prepay_meter_jumps(a, &varying));
    varying.start = a->clock;
    assert_true(jump_both(a, 4L * 365 * 86400, &varying) <= JUMP_STEPS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_tariff_three_years),
        cmocka_unit_test(test_rich_calendar_years),
        cmocka_unit_test(test_four_hundred_years),
        cmocka_unit_test(test_price_set_b_mid_span),
        cmocka_unit_test(test_daily_profiles),
        cmocka_unit_test(test_random_cases),
        cmocka_unit_test(test_nothing_flows),
        cmocka_unit_test(test_local_after_trip),
        cmocka_unit_test(test_local_drawing),
        cmocka_unit_test(test_local_random_cases),
        cmocka_unit_test(test_what_does_not_jump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
