/* SPDX-License-Identifier: MIT */
/* Tariff model: validation (one distinct code per defect), derived prices, band resolution, cycles, bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_test_util.h"
#include "test_support.h"

static prepay_tariff_t base_tariff;

static void reset(prepay_tariff_t *t)
{
    fx_beijing_ci(t);
    t->tier_count = 3;
    t->ladders[0].upper[0] = KWH(240);
    t->ladders[0].upper[1] = KWH(400);
    t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    t->schedule.holiday_count = 2;
    t->schedule.holidays[0].day = fx_day(2024, 10, 1);
    t->schedule.holidays[1].day = fx_day(2024, 10, 2);
    t->schedule.override_count = 2;
    t->schedule.overrides[0] = (prepay_tou_override_t){fx_day(2024, 6, 20), 900, 1020, PREPAY_BAND_SHARP};
    t->schedule.overrides[1] = (prepay_tou_override_t){fx_day(2024, 6, 20), 1020, 1080, PREPAY_BAND_PEAK};
}

static void test_validation_codes(void **state)
{
    (void)state;
    prepay_tariff_t *t = &base_tariff;
    reset(t);
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
    assert_int_equal(prepay_tariff_validate(NULL), PREPAY_E_INVALID_ARGUMENT);
    int codes[48];
    int n = 0;
#define EXPECT(mutation, code)                                                                                         \
    do {                                                                                                               \
        reset(t);                                                                                                      \
        mutation;                                                                                                      \
        int got_ = prepay_tariff_validate(t);                                                                          \
        if (got_ != (code)) {                                                                                          \
            fail_msg("%s: got %d (%s), want %s", #mutation, got_, prepay_strerror(got_), #code);                       \
        }                                                                                                              \
        codes[n++] = got_;                                                                                             \
    } while (0)
    EXPECT(t->unit = (prepay_tariff_unit_t)7, PREPAY_E_TARIFF_BAD_ENUM);
    EXPECT(t->tou_tier_mode = (prepay_tou_tier_mode_t)3, PREPAY_E_TARIFF_BAD_ENUM);
    EXPECT(t->rounding = (prepay_rounding_t)9, PREPAY_E_TARIFF_BAD_ENUM);
    EXPECT(t->ladders[0].per_day = 2, PREPAY_E_TARIFF_BAD_ENUM);
    EXPECT(t->schedule.season_count = PREPAY_MAX_SEASONS + 1, PREPAY_E_TARIFF_CAPACITY);
    EXPECT(t->tier_count = PREPAY_MAX_TIERS + 1, PREPAY_E_TARIFF_CAPACITY);
    EXPECT(t->tier_count = 0, PREPAY_E_TARIFF_CAPACITY);
    EXPECT(t->schedule.holiday_count = PREPAY_MAX_HOLIDAYS + 1, PREPAY_E_TARIFF_CAPACITY);
    EXPECT(t->band_count = 0, PREPAY_E_TARIFF_BAD_BAND);
    EXPECT(t->schedule.day_tables[0].slots[2].band = 6, PREPAY_E_TARIFF_BAD_BAND);
    EXPECT(t->schedule.day_tables[0].slots[2].band = 0, PREPAY_E_TARIFF_BAD_BAND);
    EXPECT(t->schedule.seasons[2].start_month = 1, PREPAY_E_TARIFF_SEASON_ORDER);
    EXPECT(t->schedule.seasons[2] = t->schedule.seasons[1], PREPAY_E_TARIFF_SEASON_OVERLAP);
    EXPECT(t->schedule.seasons[0].start_day = 30 /* Feb 30 */, PREPAY_E_TARIFF_BAD_DATE);
    EXPECT(t->schedule.seasons[0].start_day = 29 /* Feb 29 as a recurring start */, PREPAY_E_TARIFF_BAD_DATE);
    EXPECT(t->schedule.seasons[1].start_month = 13, PREPAY_E_TARIFF_BAD_DATE);
    EXPECT(t->schedule.holidays[0].day = 4000000, PREPAY_E_TARIFF_BAD_DATE);
    EXPECT(t->schedule.day_tables[1].slots[3].start_minute = 600, PREPAY_E_TARIFF_SLOT_ORDER);
    EXPECT(t->schedule.day_tables[1].slots[3].start_minute = 660, PREPAY_E_TARIFF_SLOT_ORDER);
    EXPECT(t->schedule.day_tables[1].slots[7].start_minute = 1440, PREPAY_E_TARIFF_SLOT_RANGE);
    EXPECT(t->schedule.day_tables[2].slot_count = 0, PREPAY_E_TARIFF_DAY_TABLE_EMPTY);
    EXPECT(t->schedule.seasons[0].holiday_table = 3, PREPAY_E_TARIFF_BAD_DAY_TABLE);
    EXPECT(t->schedule.holidays[1].table = 4, PREPAY_E_TARIFF_BAD_DAY_TABLE);
    EXPECT(t->schedule.holidays[1].day = t->schedule.holidays[0].day, PREPAY_E_TARIFF_HOLIDAY_ORDER);
    EXPECT(t->schedule.overrides[1].start_minute = 1000, PREPAY_E_TARIFF_OVERRIDE_ORDER);
    EXPECT(t->schedule.overrides[1].day = fx_day(2024, 6, 19), PREPAY_E_TARIFF_OVERRIDE_ORDER);
    EXPECT(t->schedule.overrides[0].end_minute = 900, PREPAY_E_TARIFF_OVERRIDE_RANGE);
    EXPECT(t->schedule.overrides[1].end_minute = 1441, PREPAY_E_TARIFF_OVERRIDE_RANGE);
    EXPECT(t->ladders[0].upper[1] = KWH(240), PREPAY_E_TARIFF_TIER_ORDER);
    EXPECT(t->ladders[0].upper[0] = 0, PREPAY_E_TARIFF_TIER_ORDER);
    EXPECT(t->ladders[0].upper[2] = KWH(1000), PREPAY_E_TARIFF_TIER_FINITE_LAST);
    EXPECT(t->prices.band_price[3] = -1, PREPAY_E_TARIFF_BAD_PRICE);
    EXPECT(t->prices.tier_surcharge[1] = -5, PREPAY_E_TARIFF_BAD_PRICE);
    /* One price check for the whole library (prepay_price_check): above PREPAY_PRICE_MAX, and a
     * band price plus surcharge that together pass it. */
    EXPECT(t->prices.band_price[0] = PREPAY_PRICE_MAX + 1, PREPAY_E_TARIFF_BAD_PRICE);
    EXPECT((t->prices.band_price[0] = PREPAY_PRICE_MAX, t->prices.tier_surcharge[1] = 1), PREPAY_E_TARIFF_BAD_PRICE);
    EXPECT((t->prices.mode = PREPAY_PRICE_DERIVED, t->prices.derive_base = -1), PREPAY_E_TARIFF_BAD_DERIVATION);
    EXPECT((t->prices.mode = PREPAY_PRICE_DERIVED, t->prices.derive_quantum = 0), PREPAY_E_TARIFF_BAD_DERIVATION);
    EXPECT((t->prices.mode = PREPAY_PRICE_DERIVED, t->prices.band_ratio[0] = -1), PREPAY_E_TARIFF_BAD_DERIVATION);
    EXPECT(t->cycle_start_day = 29, PREPAY_E_TARIFF_BAD_CYCLE);
    EXPECT(t->cycle_start_month = 0, PREPAY_E_TARIFF_BAD_CYCLE);
    /* With PREPAY_MAX_FIXED_CHARGES 0 one charge is already above the capacity. */
    EXPECT((t->fixed_charge_count = 1, t->fixed_charges[0].amount = -1),
           PREPAY_MAX_FIXED_CHARGES > 0 ? PREPAY_E_TARIFF_BAD_FIXED_CHARGE : PREPAY_E_TARIFF_CAPACITY);
    /* One charge more than the capacity, a valid one (amount 0): in the firmware configuration
     * (no fixed charges) this is a tariff with one fixed charge. */
    EXPECT(t->fixed_charge_count = PREPAY_MAX_FIXED_CHARGES + 1, PREPAY_E_TARIFF_CAPACITY);
#undef EXPECT
    /* every tariff status code has its own text */
    for (int i = 0; i < n; i++) {
        assert_true(PREPAY_STATUS_MODULE(codes[i]) == PREPAY_MODULE_TARIFF);
        assert_string_not_equal(prepay_strerror(codes[i]), "unknown status");
    }
    for (int c = 1; c <= 31; c++) {
        assert_string_not_equal(prepay_strerror(PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, c)), "unknown status");
    }
}

static void test_validation_rejects_garbage(void **state)
{
    (void)state;
    /* arbitrary bytes must be rejected (or accepted) without undefined behaviour */
    static prepay_tariff_t t;
    uint64_t x = 0x9E3779B97F4A7C15u;
    int rejected = 0;
    for (int round = 0; round < 200; round++) {
        unsigned char *p = (unsigned char *)&t;
        for (size_t i = 0; i < sizeof t; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            p[i] = (unsigned char)x;
        }
        rejected += prepay_tariff_validate(&t) != PREPAY_OK;
    }
    assert_int_equal(rejected, 200);
}

static void test_plan_mismatch(void **state)
{
    (void)state;
    static fx_setup_t s;
    assert_int_equal(fx_build("switch", &s), 0);
    assert_int_equal(prepay_tariff_plan_validate(&s.plan), PREPAY_OK);
    s.sets[1].cycle_kind = PREPAY_CYCLE_YEAR;
    assert_int_equal(prepay_tariff_plan_validate(&s.plan), PREPAY_E_TARIFF_SWITCH_MISMATCH);
    s.sets[1].cycle_kind = PREPAY_CYCLE_MONTH;
    s.sets[1].rounding = PREPAY_ROUND_DOWN;
    assert_int_equal(prepay_tariff_plan_validate(&s.plan), PREPAY_E_TARIFF_SWITCH_MISMATCH);
    s.sets[1].rounding = PREPAY_ROUND_HALF_UP;
    s.sets[1].prices.band_price[2] = -1;
    assert_int_equal(prepay_tariff_plan_validate(&s.plan), PREPAY_E_TARIFF_BAD_PRICE);
    assert_int_equal(prepay_tariff_plan_validate(NULL), PREPAY_E_INVALID_ARGUMENT);
}

static void test_derived_prices_guangdong(void **state)
{
    (void)state;
    /* tariffs.md: flat 67.25 fen gives peak 114.33 and valley 25.56 fen, sharp 1.4291 yuan (half-up 0.0001) */
    prepay_tariff_t t;
    fx_guangdong(&t, 67250000, 0);
    assert_int_equal(prepay_tariff_validate(&t), PREPAY_OK);
    prepay_price_t p;
    assert_int_equal(prepay_tariff_price(&t, PREPAY_BAND_SHARP, 1, &p), PREPAY_OK);
    assert_int_equal(p, 142910000); /* 0.6725 x 2.125 = 1.4290625 -> 1.4291 */
    assert_int_equal(prepay_tariff_price(&t, PREPAY_BAND_PEAK, 1, &p), PREPAY_OK);
    assert_int_equal(p, 114330000); /* 0.6725 x 1.7 = 1.14325 -> 1.1433 (half-up) */
    assert_int_equal(prepay_tariff_price(&t, PREPAY_BAND_FLAT, 1, &p), PREPAY_OK);
    assert_int_equal(p, 67250000);
    assert_int_equal(prepay_tariff_price(&t, PREPAY_BAND_VALLEY, 1, &p), PREPAY_OK);
    assert_int_equal(p, 25560000); /* 0.6725 x 0.38 = 0.25555 -> 0.2556 (half-up) */
    /* Guangdong residential: 0.5802 floating + 0.00866875 funds (tariffs.md); hand-computed:
     * peak 0.98634 + 0.00866875 = 0.99500875 -> 0.9950 ; valley 0.220476 + 0.00866875 = 0.22914475 -> 0.2291 ;
     * flat 0.58886875 -> 0.5889 ; with quantum 1e-8 the exact 0.58886875 is kept */
    fx_guangdong(&t, 58020000, 866875);
    assert_int_equal(prepay_tariff_price(&t, PREPAY_BAND_PEAK, 1, &p), PREPAY_OK);
    assert_int_equal(p, 99500000);
    assert_int_equal(prepay_tariff_price(&t, PREPAY_BAND_VALLEY, 1, &p), PREPAY_OK);
    assert_int_equal(p, 22910000);
    assert_int_equal(prepay_tariff_price(&t, PREPAY_BAND_FLAT, 1, &p), PREPAY_OK);
    assert_int_equal(p, 58890000);
    t.prices.derive_quantum = 1;
    assert_int_equal(prepay_tariff_price(&t, PREPAY_BAND_FLAT, 1, &p), PREPAY_OK);
    assert_int_equal(p, 58886875);
    assert_int_equal(prepay_tariff_price(&t, PREPAY_BAND_PEAK, 1, &p), PREPAY_OK);
    assert_int_equal(p, 99500875);
    /* half-up vs down at an exact tie: 0.25555 -> 0.2555 when truncating */
    assert_int_equal(prepay_tariff_derive_price(67250000, 380000, 0, 10000, PREPAY_ROUND_DOWN, &p), PREPAY_OK);
    assert_int_equal(p, 25550000);
    assert_int_equal(prepay_tariff_derive_price(1, 1, 0, 0, PREPAY_ROUND_HALF_UP, &p), PREPAY_E_TARIFF_BAD_DERIVATION);
    assert_int_equal(prepay_tariff_derive_price(INT64_MAX, 2000000, 0, 1, PREPAY_ROUND_HALF_UP, &p), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_tariff_price(&t, 6, 1, &p), PREPAY_E_TARIFF_BAD_BAND);
    assert_int_equal(prepay_tariff_price(&t, 1, 2, &p), PREPAY_E_TARIFF_BAD_BAND);
}

static unsigned band(const prepay_tariff_t *t, int y, int mo, int d, int h, int mi)
{
    unsigned b = 99;
    assert_int_equal(prepay_tariff_band_at(t, fx_time(y, mo, d, h, mi), &b), PREPAY_OK);
    return b;
}

static void test_band_resolution_beijing_ci(void **state)
{
    (void)state;
    prepay_tariff_t t;
    fx_beijing_ci(&t);
    /* July: sharp 16-17 inside the 13-17 flat block, and 11-13 */
    assert_int_equal(band(&t, 2024, 7, 15, 15, 59), PREPAY_BAND_FLAT);
    assert_int_equal(band(&t, 2024, 7, 15, 16, 0), PREPAY_BAND_SHARP);
    assert_int_equal(band(&t, 2024, 7, 15, 16, 59), PREPAY_BAND_SHARP);
    assert_int_equal(band(&t, 2024, 7, 15, 17, 0), PREPAY_BAND_PEAK);
    assert_int_equal(band(&t, 2024, 7, 15, 11, 30), PREPAY_BAND_SHARP);
    assert_int_equal(band(&t, 2024, 7, 15, 10, 30), PREPAY_BAND_PEAK);
    /* valley 23-07 crosses midnight */
    assert_int_equal(band(&t, 2024, 7, 15, 23, 30), PREPAY_BAND_VALLEY);
    assert_int_equal(band(&t, 2024, 7, 16, 0, 0), PREPAY_BAND_VALLEY);
    assert_int_equal(band(&t, 2024, 7, 16, 6, 59), PREPAY_BAND_VALLEY);
    assert_int_equal(band(&t, 2024, 7, 16, 7, 0), PREPAY_BAND_FLAT);
    /* season edges: Jun 30 no sharp, Sep 1 no sharp, Aug 31 sharp */
    assert_int_equal(band(&t, 2024, 6, 30, 16, 30), PREPAY_BAND_FLAT);
    assert_int_equal(band(&t, 2024, 8, 31, 16, 30), PREPAY_BAND_SHARP);
    assert_int_equal(band(&t, 2024, 9, 1, 16, 30), PREPAY_BAND_FLAT);
    /* January and December 18-21 sharp; November and February not */
    assert_int_equal(band(&t, 2024, 12, 31, 19, 0), PREPAY_BAND_SHARP);
    assert_int_equal(band(&t, 2025, 1, 1, 19, 0), PREPAY_BAND_SHARP);
    assert_int_equal(band(&t, 2024, 11, 30, 19, 0), PREPAY_BAND_PEAK);
    assert_int_equal(band(&t, 2024, 2, 29, 19, 0), PREPAY_BAND_PEAK); /* leap day */
}

static void test_band_resolution_day_types(void **state)
{
    (void)state;
    prepay_tariff_t t;
    fx_shanghai(&t, PREPAY_TOU_TIER_CHRONOLOGICAL);
    prepay_tou_schedule_t *s = &t.schedule;
    /* tables: 0 weekday (peak 6-22), 1 Saturday all flat, 2 Sunday all valley, 3 holiday deep valley 10-14 */
    s->day_table_count = 4;
    fx_slot(&s->day_tables[1], 0, 0, PREPAY_BAND_FLAT);
    fx_slot(&s->day_tables[2], 0, 0, PREPAY_BAND_VALLEY);
    fx_slot(&s->day_tables[3], 10, 0, PREPAY_BAND_DEEP_VALLEY);
    fx_slot(&s->day_tables[3], 14, 0, PREPAY_BAND_FLAT);
    /* seasons wrapping the year end: winter from Nov 1 (wraps to Apr 30), summer from May 1 */
    s->season_count = 0;
    fx_season(s, 5, 1, 0);
    fx_season(s, 11, 1, 0);
    for (unsigned i = 0; i < 2; i++) {
        s->seasons[i].saturday_table = 1;
        s->seasons[i].sunday_table = 2;
        s->seasons[i].holiday_table = 3;
    }
    s->seasons[1].weekday_table = 1; /* winter weekdays: all flat */
    s->holiday_count = 2;
    s->holidays[0].day = fx_day(2024, 10, 1);
    s->holidays[1].day = fx_day(2024, 10, 2);
    s->holidays[1].table = 2; /* its own table: day table 1 (n - 1), all flat */
    assert_int_equal(prepay_tariff_validate(&t), PREPAY_OK);
    assert_int_equal(band(&t, 2024, 10, 8, 12, 0), PREPAY_BAND_PEAK);        /* Tuesday */
    assert_int_equal(band(&t, 2024, 10, 5, 12, 0), PREPAY_BAND_FLAT);        /* Saturday */
    assert_int_equal(band(&t, 2024, 10, 6, 12, 0), PREPAY_BAND_VALLEY);      /* Sunday */
    assert_int_equal(band(&t, 2024, 10, 1, 12, 0), PREPAY_BAND_DEEP_VALLEY); /* holiday, season table */
    assert_int_equal(band(&t, 2024, 10, 1, 9, 0), PREPAY_BAND_FLAT);         /* wraps from 14:00 slot */
    assert_int_equal(band(&t, 2024, 10, 2, 12, 0), PREPAY_BAND_FLAT);        /* holiday, own table */
    assert_int_equal(band(&t, 2025, 1, 7, 12, 0), PREPAY_BAND_FLAT);         /* winter weekday (wrapped) */
    assert_int_equal(band(&t, 2024, 4, 30, 12, 0), PREPAY_BAND_FLAT);        /* still winter */
    assert_int_equal(band(&t, 2024, 5, 1, 12, 0), PREPAY_BAND_PEAK);         /* Wednesday, summer */
    /* per-date overrides take precedence */
    s->override_count = 2;
    s->overrides[0] = (prepay_tou_override_t){fx_day(2024, 10, 8), 0, 60, PREPAY_BAND_SHARP};
    s->overrides[1] = (prepay_tou_override_t){fx_day(2024, 10, 8), 1380, 1440, PREPAY_BAND_SHARP};
    assert_int_equal(band(&t, 2024, 10, 8, 0, 30), PREPAY_BAND_SHARP);
    assert_int_equal(band(&t, 2024, 10, 8, 1, 0), PREPAY_BAND_VALLEY);
    assert_int_equal(band(&t, 2024, 10, 8, 22, 59), PREPAY_BAND_VALLEY);
    assert_int_equal(band(&t, 2024, 10, 8, 23, 0), PREPAY_BAND_SHARP);
    assert_int_equal(band(&t, 2024, 10, 9, 0, 30), PREPAY_BAND_VALLEY);
}

static void test_cycles(void **state)
{
    (void)state;
    prepay_tariff_t t;
    fx_beijing_month(&t);
    int32_t c;
    prepay_time_t a, b;
    assert_int_equal(prepay_tariff_cycle_of(&t, fx_time(2024, 2, 29, 23, 59), &c), PREPAY_OK);
    assert_int_equal(c, 2024 * 12 + 1);
    assert_int_equal(prepay_tariff_cycle_bounds(&t, c, &a, &b), PREPAY_OK);
    assert_true(a == fx_time(2024, 2, 1, 0, 0) && b == fx_time(2024, 3, 1, 0, 0));
    /* billing day 15 */
    t.cycle_start_day = 15;
    assert_int_equal(prepay_tariff_cycle_of(&t, fx_time(2024, 1, 14, 23, 59), &c), PREPAY_OK);
    assert_int_equal(c, 2023 * 12 + 11);
    assert_int_equal(prepay_tariff_cycle_bounds(&t, c, &a, &b), PREPAY_OK);
    assert_true(a == fx_time(2023, 12, 15, 0, 0) && b == fx_time(2024, 1, 15, 0, 0));
    /* year from July */
    t.cycle_kind = PREPAY_CYCLE_YEAR;
    t.cycle_start_month = 7;
    t.cycle_start_day = 1;
    assert_int_equal(prepay_tariff_cycle_of(&t, fx_time(2025, 3, 1, 0, 0), &c), PREPAY_OK);
    assert_int_equal(c, 2024 * 12 + 6);
    assert_int_equal(prepay_tariff_cycle_bounds(&t, c, &a, &b), PREPAY_OK);
    assert_true(a == fx_time(2024, 7, 1, 0, 0) && b == fx_time(2025, 7, 1, 0, 0));
    t.cycle_start_day = 0;
    assert_int_equal(prepay_tariff_cycle_of(&t, 0, &c), PREPAY_E_TARIFF_BAD_CYCLE);
}

static void test_tier_bounds_adjustment_and_proration(void **state)
{
    (void)state;
    prepay_tariff_t t;
    fx_beijing_year(&t);
    prepay_tariff_account_t acc;
    assert_int_equal(prepay_tariff_account_init(&acc), PREPAY_OK);
    prepay_energy_t up[PREPAY_MAX_TIERS];
    int32_t c2024 = 2024 * 12;
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), 3);
    assert_true(up[0] == KWH(2880) && up[1] == KWH(4800) && up[2] == PREPAY_TIER_UNBOUNDED);
    /* Shanghai-style +1200 kWh/yr for large households: additive on each bound */
    acc.tier_add[0] = acc.tier_add[1] = KWH(1200);
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), 3);
    assert_true(up[0] == KWH(4080) && up[1] == KWH(6000));
    /* multiplicative x 3/2 */
    assert_int_equal(prepay_tariff_account_init(&acc), PREPAY_OK);
    acc.tier_scale_num = 3;
    acc.tier_scale_den = 2;
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), 3);
    assert_true(up[0] == KWH(4320) && up[1] == KWH(7200));
    acc.tier_scale_den = 0;
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), PREPAY_E_TARIFF_BAD_ACCOUNT);
    /* an adjustment that unsorts the bounds is refused */
    assert_int_equal(prepay_tariff_account_init(&acc), PREPAY_OK);
    acc.tier_add[0] = KWH(3000);
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), PREPAY_E_TARIFF_BAD_ACCOUNT);
    /* proration: account opened 2024-07-01 */
    assert_int_equal(prepay_tariff_account_init(&acc), PREPAY_OK);
    acc.service_start = fx_time(2024, 7, 1, 0, 0);
    t.proration = PREPAY_PRORATE_NONE;
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), 3);
    assert_true(up[0] == KWH(2880) && up[1] == KWH(4800));
    if (!PREPAY_TARIFF_PRORATION) {
        /* Proration left out of this configuration: a prorating tariff is refused. */
        t.proration = PREPAY_PRORATE_BY_MONTH;
        assert_int_equal(prepay_tariff_validate(&t), PREPAY_E_TARIFF_BAD_ENUM);
        assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), PREPAY_E_TARIFF_BAD_ENUM);
        t.proration = PREPAY_PRORATE_BY_DAY;
        assert_int_equal(prepay_tariff_validate(&t), PREPAY_E_TARIFF_BAD_ENUM);
        return;
    }
    t.proration = PREPAY_PRORATE_BY_MONTH; /* 6/12 */
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), 3);
    assert_true(up[0] == KWH(1440) && up[1] == KWH(2400));
    t.proration = PREPAY_PRORATE_BY_DAY; /* 184/366: 1447868.85 -> 1447869 ; 2413114.75 -> 2413115 */
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), 3);
    assert_true(up[0] == 1447869 && up[1] == 2413115);
    /* 2023 (365 days), opened 2023-07-01: 184/365 -> 1451835.6 -> 1451836 ; 2419726.0 -> 2419726 */
    acc.service_start = fx_time(2023, 7, 1, 0, 0);
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, 2023 * 12, up, PREPAY_MAX_TIERS), 3);
    assert_true(up[0] == 1451836 && up[1] == 2419726);
    /* opened mid-month, by month: July counts as served (7 of 12 months: Jun 15 -> Jun..Dec) */
    acc.service_start = fx_time(2024, 6, 15, 12, 0);
    t.proration = PREPAY_PRORATE_BY_MONTH;
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), 3);
    assert_true(up[0] == KWH(1680) && up[1] == KWH(2800));
    /* closed account too: Jun 15 .. Sep 10 (Jun, Jul, Aug, Sep = 4 months) */
    acc.service_end = fx_time(2024, 9, 10, 0, 0);
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, PREPAY_MAX_TIERS), 3);
    assert_true(up[0] == KWH(960) && up[1] == KWH(1600));
    assert_int_equal(prepay_tariff_tier_bounds(&t, &acc, c2024, up, 2), PREPAY_E_BUFFER_TOO_SMALL);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation_codes),          cmocka_unit_test(test_validation_rejects_garbage),
        cmocka_unit_test(test_plan_mismatch),             cmocka_unit_test(test_derived_prices_guangdong),
        cmocka_unit_test(test_band_resolution_beijing_ci), cmocka_unit_test(test_band_resolution_day_types),
        cmocka_unit_test(test_cycles),                    cmocka_unit_test(test_tier_bounds_adjustment_and_proration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
