/* SPDX-License-Identifier: MIT */
/*
 * A tariff as DL/T 645 tables (prepay/dlt645_tariff.h): the Zhejiang
 * residential tariff of examples/tariffs/zhejiang_residential_tou.json
 * compiled into zone, day-table, price and ladder writes whose value bytes
 * were worked out by hand (below, per write); tables read back and rebuilt;
 * differences; and every refusal reason, each before anything is produced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/dlt645_tariff.h"

#define PRICE(yuan_e4) ((prepay_price_t)(yuan_e4) * 10000) /* XXXX.XXXX -> 1e-8 */

static prepay_tariff_t tariff; /* static: large */
static prepay_tariff_t rebuilt;

/* Zhejiang residential (docs in the example file): peak (band 2) 08:00-22:00
 * at 0.5680, valley (band 4) 22:00-08:00 at 0.2880, annual ladder 2760 /
 * 4800 kWh adding 0.05 and 0.30. */
static void make_zhejiang(prepay_tariff_t *t)
{
    assert_int_equal(prepay_tariff_init(t), PREPAY_OK);
    t->band_count = 4;
    t->schedule.season_count = 1;
    t->schedule.seasons[0].start_month = 1;
    t->schedule.seasons[0].start_day = 1;
    t->schedule.day_table_count = 1;
    t->schedule.day_tables[0].slot_count = 2;
    t->schedule.day_tables[0].slots[0].start_minute = 8 * 60;
    t->schedule.day_tables[0].slots[0].band = 2;
    t->schedule.day_tables[0].slots[1].start_minute = 22 * 60;
    t->schedule.day_tables[0].slots[1].band = 4;
    t->prices.mode = PREPAY_PRICE_DIRECT;
    t->prices.band_price[1] = PRICE(5680);
    t->prices.band_price[3] = PRICE(2880);
    t->cycle_kind = PREPAY_CYCLE_YEAR;
    t->cycle_start_month = 1;
    t->tier_count = 3;
    t->ladders[0].upper[0] = 2760000;
    t->ladders[0].upper[1] = 4800000;
    t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    t->prices.tier_surcharge[1] = PRICE(500);
    t->prices.tier_surcharge[2] = PRICE(3000);
    t->round_scope = PREPAY_ROUND_PER_BILL;
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

typedef struct expected_write {
    uint32_t di;
    uint8_t length;
    uint8_t bytes[8];
} expected_write_t;

/* Worked by hand: entries are NN mm hh / NN DD MM in BCD; numbers are BCD low
 * byte first (0.5680 yuan -> 00005680 -> 80 56 00 00; 2760.00 kWh ->
 * 00276000 -> 00 60 27 00). Set 2: DI2 = 02 for tables, DI1 = 02 for
 * prices, DI1 = 02 / 03 for ladder values / prices. */
static const expected_write_t zhejiang_writes[] = {
    {0x04020001u, 6, {0x02, 0x00, 0x08, 0x04, 0x00, 0x22}}, /* day table 1: 08:00 -> 2, 22:00 -> 4 */
    {0x04020000u, 3, {0x01, 0x01, 0x01}},                   /* zone: 01-01 -> table 1 */
    {0x04050201u, 4, {0x00, 0x00, 0x00, 0x00}},             /* tariff 1 (sharp, unused) 0 */
    {0x04050202u, 4, {0x80, 0x56, 0x00, 0x00}},             /* tariff 2 0.5680 */
    {0x04050203u, 4, {0x00, 0x00, 0x00, 0x00}},             /* tariff 3 (flat, unused) 0 */
    {0x04050204u, 4, {0x80, 0x28, 0x00, 0x00}},             /* tariff 4 0.2880 */
    {0x04060201u, 4, {0x00, 0x00, 0x00, 0x00}},             /* ladder value 1 = 0: collapse */
    {0x04060201u, 4, {0x00, 0x60, 0x27, 0x00}},             /* ladder value 1 2760.00 */
    {0x04060202u, 4, {0x00, 0x00, 0x48, 0x00}},             /* ladder value 2 4800.00 */
    {0x04060301u, 4, {0x00, 0x00, 0x00, 0x00}},             /* ladder price 1 0 */
    {0x04060302u, 4, {0x00, 0x05, 0x00, 0x00}},             /* ladder price 2 0.0500 */
    {0x04060303u, 4, {0x00, 0x30, 0x00, 0x00}},             /* ladder price 3 0.3000 */
    {0x04060304u, 4, {0x00, 0x00, 0x00, 0x00}},
    {0x04060305u, 4, {0x00, 0x00, 0x00, 0x00}},
    {0x04060306u, 4, {0x00, 0x00, 0x00, 0x00}},
    {0x04060307u, 4, {0x00, 0x00, 0x00, 0x00}},
};

static void test_compile_zhejiang(void **state)
{
    (void)state;
    make_zhejiang(&tariff);
    prepay_dlt645_tariff_tables_t t;
    prepay_dlt645_tariff_problem_t problem;
    assert_int_equal(prepay_dlt645_tariff_compile(&tariff, &t, &problem), PREPAY_OK);
    assert_int_equal(problem.reason, PREPAY_DLT645_TARIFF_OK);
    assert_int_equal(t.zone_count, 1);
    assert_int_equal(t.day_table_count, 1);
    assert_int_equal(t.tariff_count, 4);
    assert_int_equal(t.ladder_value_count, 2);
    size_t n = sizeof zhejiang_writes / sizeof zhejiang_writes[0];
    assert_int_equal(prepay_dlt645_tariff_write_count(&t), (int)n);
    for (size_t i = 0; i < n; i++) {
        prepay_dlt645_tariff_write_t w;
        assert_int_equal(prepay_dlt645_tariff_write_item(&t, 2, i, &w), PREPAY_OK);
        if (w.di != zhejiang_writes[i].di) {
            fail_msg("write %zu: DI %08X, want %08X", i, (unsigned)w.di, (unsigned)zhejiang_writes[i].di);
        }
        assert_int_equal(w.length, zhejiang_writes[i].length);
        assert_memory_equal(w.value, zhejiang_writes[i].bytes, w.length);
    }
    prepay_dlt645_tariff_write_t w;
    assert_int_equal(prepay_dlt645_tariff_write_item(&t, 2, n, &w), PREPAY_E_NOT_FOUND);
    assert_int_equal(prepay_dlt645_tariff_write_item(&t, 3, 0, &w), PREPAY_E_INVALID_ARGUMENT);
    /* Set 1 writes the first set's DIs. */
    assert_int_equal(prepay_dlt645_tariff_write_item(&t, 1, 0, &w), PREPAY_OK);
    assert_int_equal(w.di, 0x04010001u);
    assert_int_equal(prepay_dlt645_tariff_write_item(&t, 1, 3, &w), PREPAY_OK);
    assert_int_equal(w.di, 0x04050102u);
    assert_int_equal(prepay_dlt645_tariff_write_item(&t, 1, 7, &w), PREPAY_OK);
    assert_int_equal(w.di, 0x04060001u);
    assert_int_equal(prepay_dlt645_tariff_write_item(&t, 1, 10, &w), PREPAY_OK);
    assert_int_equal(w.di, 0x04060102u);
}

/* What a meter answers, taken back in any order, rebuilds the same tables and
 * a tariff that prices alike. */
static void test_read_back_and_rebuild(void **state)
{
    (void)state;
    make_zhejiang(&tariff);
    prepay_dlt645_tariff_tables_t t, back;
    assert_int_equal(prepay_dlt645_tariff_compile(&tariff, &t, NULL), PREPAY_OK);
    assert_int_equal(prepay_dlt645_tariff_tables_init(&back), PREPAY_OK);
    int n = prepay_dlt645_tariff_write_count(&t);
    for (int i = n - 1; i >= 0; i--) { /* backwards: the collapse write comes last here */
        prepay_dlt645_tariff_write_t w;
        assert_int_equal(prepay_dlt645_tariff_write_item(&t, 2, (size_t)i, &w), PREPAY_OK);
        if (w.di == 0x04060201u && w.value[1] == 0) {
            continue; /* a meter reads back the value, not the collapse */
        }
        assert_int_equal(prepay_dlt645_tariff_absorb(&back, w.di, w.value, w.length), PREPAY_OK);
    }
    assert_int_equal(prepay_dlt645_tariff_check(&back), PREPAY_OK);
    assert_int_equal(prepay_dlt645_tariff_diff(&t, &back, NULL, 0), 0);
    assert_int_equal(prepay_dlt645_tariff_rebuild(&back, &tariff, &rebuilt), PREPAY_OK);
    assert_int_equal(rebuilt.tou_tier_mode, PREPAY_TOU_TIER_UNIFORM);
    assert_int_equal(rebuilt.cycle_kind, PREPAY_CYCLE_YEAR);
    assert_int_equal(rebuilt.round_scope, PREPAY_ROUND_PER_BILL);
    for (unsigned band = 1; band <= 4; band++) {
        for (unsigned tier = 1; tier <= 3; tier++) {
            prepay_price_t p1, p2;
            assert_int_equal(prepay_tariff_price(&tariff, band, tier, &p1), PREPAY_OK);
            assert_int_equal(prepay_tariff_price(&rebuilt, band, tier, &p2), PREPAY_OK);
            assert_int_equal(p1, p2);
        }
    }
    prepay_dlt645_tariff_tables_t again;
    assert_int_equal(prepay_dlt645_tariff_compile(&rebuilt, &again, NULL), PREPAY_OK);
    assert_int_equal(prepay_dlt645_tariff_diff(&t, &again, NULL, 0), 0);
    /* A ladder value of 0 read back ends the ladder there. */
    const uint8_t zero[4] = {0, 0, 0, 0};
    assert_int_equal(prepay_dlt645_tariff_absorb(&back, 0x04060202u, zero, 4), PREPAY_OK);
    assert_int_equal(back.ladder_value_count, 1);
    /* Bad replies change nothing. */
    prepay_dlt645_tariff_tables_t before = back;
    const uint8_t bad_bcd[4] = {0x0A, 0, 0, 0};
    assert_int_equal(prepay_dlt645_tariff_absorb(&back, 0x04050201u, bad_bcd, 4), PREPAY_E_BAD_BCD);
    assert_int_equal(prepay_dlt645_tariff_absorb(&back, 0x04050201u, zero, 3), PREPAY_E_DLT645_VALUE_LENGTH);
    assert_int_equal(prepay_dlt645_tariff_absorb(&back, 0x04020001u, zero, 4), PREPAY_E_DLT645_VALUE_LENGTH);
    assert_int_equal(prepay_dlt645_tariff_absorb(&back, 0x00010000u, zero, 4), PREPAY_E_NOT_FOUND);
    uint8_t fifteen[45];
    memset(fifteen, 0x01, sizeof fifteen);
    assert_int_equal(prepay_dlt645_tariff_absorb(&back, 0x04020001u, fifteen, 45), PREPAY_E_DLT645_TARIFF_TABLES);
    assert_memory_equal(&before, &back, sizeof back);
}

static void test_differences(void **state)
{
    (void)state;
    make_zhejiang(&tariff);
    prepay_dlt645_tariff_tables_t a, b;
    assert_int_equal(prepay_dlt645_tariff_compile(&tariff, &a, NULL), PREPAY_OK);
    b = a;
    /* Unreferenced: a second day table and the price of tariff 3 (no slot names it). */
    b.day_table_count = 2;
    b.slot_count[1] = 1;
    b.slots[1][0] = (prepay_dlt645_entry_t){0, 0, 1};
    b.prices[2] = PRICE(9999);
    assert_int_equal(prepay_dlt645_tariff_diff(&a, &b, NULL, 0), 0);
    /* Referenced: the valley price, the peak start, a ladder value and a ladder price. */
    b.prices[3] = PRICE(3000);
    b.slots[0][0].first = 9;
    b.ladder_values[1] = 5000000;
    b.ladder_prices[2] = PRICE(2500);
    prepay_dlt645_tariff_difference_t d[8];
    int n = prepay_dlt645_tariff_diff(&a, &b, d, 8);
    assert_int_equal(n, 4);
    assert_int_equal(d[0].part, PREPAY_DLT645_TARIFF_PART_SLOT);
    assert_int_equal(d[0].index, 1);
    assert_int_equal(d[0].slot, 1);
    assert_int_equal(d[0].a_entry.first, 8);
    assert_int_equal(d[0].b_entry.first, 9);
    assert_int_equal(d[1].part, PREPAY_DLT645_TARIFF_PART_PRICE);
    assert_int_equal(d[1].index, 4);
    assert_int_equal(d[1].a_value, PRICE(2880));
    assert_int_equal(d[1].b_value, PRICE(3000));
    assert_int_equal(d[2].part, PREPAY_DLT645_TARIFF_PART_LADDER_VALUE);
    assert_int_equal(d[2].index, 2);
    assert_int_equal(d[3].part, PREPAY_DLT645_TARIFF_PART_LADDER_PRICE);
    assert_int_equal(d[3].index, 3);
    /* A short output array: the count is still right. */
    assert_int_equal(prepay_dlt645_tariff_diff(&a, &b, d, 1), 4);
    /* A zone table of a different length. */
    b = a;
    b.zone_count = 2;
    b.zones[1] = (prepay_dlt645_entry_t){7, 1, 1};
    n = prepay_dlt645_tariff_diff(&a, &b, d, 8);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].part, PREPAY_DLT645_TARIFF_PART_ZONE_COUNT);
    assert_int_equal(d[1].part, PREPAY_DLT645_TARIFF_PART_ZONE);
    assert_int_equal(d[1].index, 2);
    assert_false(d[1].a_present);
    assert_true(d[1].b_present);
}

static void expect_refusal(unsigned reason, unsigned index)
{
    prepay_dlt645_tariff_tables_t t;
    memset(&t, 0x5A, sizeof t);
    prepay_dlt645_tariff_problem_t problem;
    assert_int_equal(prepay_dlt645_tariff_compile(&tariff, &t, &problem), PREPAY_E_DLT645_TARIFF_UNSUPPORTED);
    if (problem.reason != reason) {
        fail_msg("reason %u (%s), want %u", problem.reason, prepay_dlt645_tariff_reason_text(problem.reason), reason);
    }
    assert_int_equal(problem.index, index);
    const uint8_t *bytes = (const uint8_t *)&t;
    for (size_t i = 0; i < sizeof t; i++) {
        assert_int_equal(bytes[i], 0x5A); /* nothing produced */
    }
}

static void test_refusals(void **state)
{
    (void)state;
    make_zhejiang(&tariff);
    tariff.prices.band_price[1] = 58886875; /* Guangzhou's 0.58886875: eight decimals */
    expect_refusal(PREPAY_DLT645_TARIFF_PRICE_PRECISION, 2);

    make_zhejiang(&tariff);
    tariff.ladders[0].upper[0] = 2760005;
    expect_refusal(PREPAY_DLT645_TARIFF_LADDER_PRECISION, 1);

    make_zhejiang(&tariff);
    tariff.prices.tier_surcharge[2] = 300001;
    expect_refusal(PREPAY_DLT645_TARIFF_LADDER_PRICE, 3);

    make_zhejiang(&tariff);
    tariff.schedule.day_table_count = 2;
    tariff.schedule.day_tables[1] = tariff.schedule.day_tables[0];
    tariff.schedule.seasons[0].sunday_table = 1;
    expect_refusal(PREPAY_DLT645_TARIFF_DAY_TYPES, 1);

    make_zhejiang(&tariff);
    tariff.schedule.holiday_count = 1;
    tariff.schedule.holidays[0].day = 9800;
    expect_refusal(PREPAY_DLT645_TARIFF_HOLIDAYS, 0);

    make_zhejiang(&tariff);
    tariff.schedule.override_count = 1;
    tariff.schedule.overrides[0] = (prepay_tou_override_t){9800, 600, 720, 1};
    expect_refusal(PREPAY_DLT645_TARIFF_OVERRIDES, 0);

    make_zhejiang(&tariff);
    tariff.tou_tier_mode = PREPAY_TOU_TIER_CHRONOLOGICAL;
    expect_refusal(PREPAY_DLT645_TARIFF_TIER_PRICES, 0);

#if PREPAY_MAX_TIERS >= 8 /* a configuration with fewer tiers cannot even hold such a tariff */
    make_zhejiang(&tariff);
    tariff.tier_count = 8;
    for (unsigned i = 0; i < 7; i++) {
        tariff.ladders[0].upper[i] = (prepay_energy_t)(i + 1) * 1000000;
    }
    tariff.ladders[0].upper[7] = PREPAY_TIER_UNBOUNDED;
    expect_refusal(PREPAY_DLT645_TARIFF_TOO_MANY_TIERS, 0);
#endif

    make_zhejiang(&tariff);
    tariff.ladder_count = 2;
    tariff.ladders[1] = tariff.ladders[0];
    tariff.ladders[1].upper[0] = 2000000;
    for (unsigned m = 4; m < 10; m++) {
        tariff.ladder_of_month[m] = 1;
    }
    expect_refusal(PREPAY_DLT645_TARIFF_SEASONAL_LADDER, 5);

    make_zhejiang(&tariff);
    tariff.ladders[0].per_day = 1;
    tariff.ladders[0].upper[0] = 10000;
    tariff.ladders[0].upper[1] = 20000;
    /* Without PREPAY_TARIFF_DAILY_LADDERS the tariff itself is invalid. */
    expect_refusal(PREPAY_TARIFF_DAILY_LADDERS ? PREPAY_DLT645_TARIFF_PER_DAY_LADDER : PREPAY_DLT645_TARIFF_INVALID, 0);

    make_zhejiang(&tariff);
    tariff.unit = PREPAY_TARIFF_UNIT_WATER;
    expect_refusal(PREPAY_DLT645_TARIFF_NOT_ENERGY, 0);

#if PREPAY_MAX_DAY_SLOTS >= 15 /* a smaller configuration cannot even hold such a day table */
    make_zhejiang(&tariff);
    tariff.schedule.day_tables[0].slot_count = 15;
    for (unsigned k = 0; k < 15; k++) {
        tariff.schedule.day_tables[0].slots[k].start_minute = (uint16_t)(k * 60u);
        tariff.schedule.day_tables[0].slots[k].band = 2;
    }
    expect_refusal(PREPAY_DLT645_TARIFF_TOO_MANY_SLOTS, 1);
#endif

    make_zhejiang(&tariff);
    tariff.schedule.day_tables[0].slot_count = 0; /* invalid tariff */
    expect_refusal(PREPAY_DLT645_TARIFF_INVALID, 0);

    /* The same tariff with one tier in a per-band mode is fine (its tier-1 prices). */
    make_zhejiang(&tariff);
    tariff.tou_tier_mode = PREPAY_TOU_TIER_CHRONOLOGICAL;
    tariff.tier_count = 1;
    tariff.ladders[0].upper[0] = PREPAY_TIER_UNBOUNDED;
    tariff.prices.band_tier_price[1][0] = PRICE(6000);
    tariff.prices.band_tier_price[3][0] = PRICE(3000);
    prepay_dlt645_tariff_tables_t t;
    assert_int_equal(prepay_dlt645_tariff_compile(&tariff, &t, NULL), PREPAY_OK);
    assert_int_equal(t.prices[1], PRICE(6000));
    assert_int_equal(t.ladder_value_count, 0);
    /* A flat tariff becomes one zone, one slot in its default band. */
    assert_int_equal(prepay_tariff_init(&tariff), PREPAY_OK);
    tariff.band_count = 3;
    tariff.schedule.default_band = 3;
    tariff.prices.band_price[2] = PRICE(5000);
    assert_int_equal(prepay_dlt645_tariff_compile(&tariff, &t, NULL), PREPAY_OK);
    assert_int_equal(t.zone_count, 1);
    assert_int_equal(t.slot_count[0], 1);
    assert_int_equal(t.slots[0][0].number, 3);
    assert_int_equal(prepay_dlt645_tariff_compile(NULL, &t, NULL), PREPAY_E_INVALID_ARGUMENT);
    for (unsigned r = 0; r < PREPAY_DLT645_TARIFF_REASON_COUNT; r++) {
        assert_string_not_equal(prepay_dlt645_tariff_reason_text(r), "unknown reason");
    }
    assert_string_equal(prepay_dlt645_tariff_reason_text(PREPAY_DLT645_TARIFF_REASON_COUNT), "unknown reason");
}

static void test_check_tables(void **state)
{
    (void)state;
    make_zhejiang(&tariff);
    prepay_dlt645_tariff_tables_t good, t;
    assert_int_equal(prepay_dlt645_tariff_compile(&tariff, &good, NULL), PREPAY_OK);
    assert_int_equal(prepay_dlt645_tariff_check(&good), PREPAY_OK);
    t = good;
    t.zone_count = 2;
    t.zones[1] = (prepay_dlt645_entry_t){1, 1, 1}; /* same start twice */
    assert_int_equal(prepay_dlt645_tariff_check(&t), PREPAY_E_DLT645_TARIFF_TABLES);
    t.zones[1] = (prepay_dlt645_entry_t){2, 29, 1}; /* 29 February */
    assert_int_equal(prepay_dlt645_tariff_check(&t), PREPAY_E_DLT645_TARIFF_TABLES);
    t.zones[1] = (prepay_dlt645_entry_t){2, 28, 2}; /* a table that does not exist */
    assert_int_equal(prepay_dlt645_tariff_check(&t), PREPAY_E_DLT645_TARIFF_TABLES);
    t = good;
    t.slots[0][1].number = 5; /* a tariff beyond the count */
    assert_int_equal(prepay_dlt645_tariff_check(&t), PREPAY_E_DLT645_TARIFF_TABLES);
    t = good;
    t.slots[0][1].first = 8; /* 08:00 twice */
    assert_int_equal(prepay_dlt645_tariff_check(&t), PREPAY_E_DLT645_TARIFF_TABLES);
    t = good;
    t.ladder_values[1] = t.ladder_values[0];
    assert_int_equal(prepay_dlt645_tariff_check(&t), PREPAY_E_DLT645_TARIFF_TABLES);
    assert_int_equal(prepay_dlt645_tariff_rebuild(&t, NULL, &rebuilt), PREPAY_E_DLT645_TARIFF_TABLES);
    assert_int_equal(prepay_dlt645_tariff_diff(&good, &t, NULL, 0), PREPAY_E_DLT645_TARIFF_TABLES);
    assert_int_equal(prepay_dlt645_tariff_write_count(&t), PREPAY_E_DLT645_TARIFF_TABLES);
    /* Rebuilt without a base: library defaults for what DL/T 645 does not carry. */
    assert_int_equal(prepay_dlt645_tariff_rebuild(&good, NULL, &rebuilt), PREPAY_OK);
    assert_int_equal(rebuilt.cycle_kind, PREPAY_CYCLE_MONTH);
    assert_int_equal(rebuilt.tier_count, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compile_zhejiang), cmocka_unit_test(test_read_back_and_rebuild),
        cmocka_unit_test(test_differences),      cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_check_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
