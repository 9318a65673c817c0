/* SPDX-License-Identifier: MIT */
/*
 * prepay_water_price_table_from_tariff(): a water ladder tariff as the CJ/T 188 price table.
 *
 * Expected values by hand: the Beijing residential water ladder (examples/tariffs/
 * beijing_water_residential.json) is 5, 7, 9 yuan/m3 with bounds 180 and 260 m3, so the table is
 * prices 5.00 / 7.00 / 9.00 (500000000 in 1e-8 yuan) and steps 180000 / 260000 L; a two-tier ladder
 * 3 / 4 yuan bounded at 50 m3 repeats the second price and bound (3, 4, 4; 50000, 50000 L); a single
 * price 2.5 yuan gives 2.5 three times and steps 0. Refused: electricity, two bands, seasonal ladders,
 * per-day bounds, four tiers, a fixed charge (unsupported), 5.005 yuan (inexact: finer than a fen),
 * a bound of 180.5 m3 (inexact), a start day of 0 or 32; nothing is written on error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/tariff.h"
#include "prepay/water_meter.h"
#include "test_support.h"

#define CENTS(c) ((prepay_price_t)(c) * 1000000) /* fen per m3 -> 1e-8 yuan */

static void ladder(prepay_tariff_t *t, unsigned tiers, const prepay_price_t *prices, const prepay_energy_t *bounds)
{
    assert_int_equal(prepay_tariff_init(t), PREPAY_OK);
    t->unit = PREPAY_TARIFF_UNIT_WATER;
    t->tou_tier_mode = PREPAY_TOU_TIER_CHRONOLOGICAL;
    t->cycle_kind = PREPAY_CYCLE_YEAR;
    t->cycle_start_month = 1;
    t->cycle_start_day = 1;
    t->tier_count = (uint8_t)tiers;
    for (unsigned i = 0; i < tiers; i++) {
        t->ladders[0].upper[i] = i + 1 < tiers ? bounds[i] : PREPAY_TIER_UNBOUNDED;
        t->prices.band_tier_price[0][i] = prices[i];
    }
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

static void test_three_tiers(void **state)
{
    (void)state;
    prepay_tariff_t t;
    const prepay_price_t prices[] = {CENTS(500), CENTS(700), CENTS(900)};
    const prepay_energy_t bounds[] = {180000, 260000};
    ladder(&t, 3, prices, bounds);
    prepay_cjt188_price_table_t table;
    assert_int_equal(prepay_water_price_table_from_tariff(&t, 4, &table), PREPAY_OK);
    assert_int_equal(table.price[0], 500000000);
    assert_int_equal(table.price[1], 700000000);
    assert_int_equal(table.price[2], 900000000);
    assert_int_equal(table.step_litres[0], 180000);
    assert_int_equal(table.step_litres[1], 260000);
    assert_int_equal(table.start_day, 4);
    assert_int_equal(prepay_water_price_table_check(&table), PREPAY_OK);
}

static void test_fewer_tiers(void **state)
{
    (void)state;
    prepay_tariff_t t;
    const prepay_price_t two[] = {CENTS(300), CENTS(400)};
    const prepay_energy_t bound[] = {50000};
    ladder(&t, 2, two, bound);
    prepay_cjt188_price_table_t table;
    assert_int_equal(prepay_water_price_table_from_tariff(&t, 1, &table), PREPAY_OK);
    assert_int_equal(table.price[0], 300000000);
    assert_int_equal(table.price[1], 400000000);
    assert_int_equal(table.price[2], 400000000);
    assert_int_equal(table.step_litres[0], 50000);
    assert_int_equal(table.step_litres[1], 50000);
    const prepay_price_t one[] = {CENTS(250)};
    ladder(&t, 1, one, NULL);
    assert_int_equal(prepay_water_price_table_from_tariff(&t, 31, &table), PREPAY_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(table.price[i], 250000000);
    }
    assert_int_equal(table.step_litres[0], 0);
    assert_int_equal(table.step_litres[1], 0);
}

static void expect_refused(const prepay_tariff_t *t, uint8_t day, int status)
{
    prepay_cjt188_price_table_t table, before;
    memset(&table, 0x5A, sizeof table);
    before = table;
    assert_int_equal(prepay_water_price_table_from_tariff(t, day, &table), status);
    assert_memory_equal(&table, &before, sizeof table);
}

static void test_refused(void **state)
{
    (void)state;
    prepay_tariff_t t;
    const prepay_price_t prices[] = {CENTS(500), CENTS(700), CENTS(900), CENTS(1100)};
    const prepay_energy_t bounds[] = {180000, 260000, 400000};
    ladder(&t, 3, prices, bounds);
    expect_refused(&t, 0, PREPAY_E_OUT_OF_RANGE);
    expect_refused(&t, 32, PREPAY_E_OUT_OF_RANGE);
    ladder(&t, 4, prices, bounds);
    expect_refused(&t, 1, PREPAY_E_WATER_TARIFF_UNSUPPORTED);
    ladder(&t, 3, prices, bounds);
    t.fixed_charge_count = 1;
    t.fixed_charges[0].amount = 100;
    /* Without fixed-charge slots (PREPAY_MAX_FIXED_CHARGES 0) the count alone makes it invalid. */
    assert_int_equal(prepay_tariff_validate(&t), PREPAY_MAX_FIXED_CHARGES > 0 ? PREPAY_OK : PREPAY_E_TARIFF_CAPACITY);
    expect_refused(&t, 1, PREPAY_MAX_FIXED_CHARGES > 0 ? PREPAY_E_WATER_TARIFF_UNSUPPORTED : PREPAY_E_TARIFF_CAPACITY);
    ladder(&t, 3, prices, bounds);
    t.ladders[0].per_day = 1;
    /* Without PREPAY_TARIFF_DAILY_LADDERS a per-day ladder is not a valid tariff at all. */
    assert_int_equal(prepay_tariff_validate(&t), PREPAY_TARIFF_DAILY_LADDERS ? PREPAY_OK : PREPAY_E_TARIFF_BAD_ENUM);
    expect_refused(&t, 1, PREPAY_TARIFF_DAILY_LADDERS ? PREPAY_E_WATER_TARIFF_UNSUPPORTED : PREPAY_E_TARIFF_BAD_ENUM);
    ladder(&t, 3, prices, bounds);
    t.unit = PREPAY_TARIFF_UNIT_ENERGY;
    assert_int_equal(prepay_tariff_validate(&t), PREPAY_OK);
    expect_refused(&t, 1, PREPAY_E_WATER_TARIFF_UNSUPPORTED);
    const prepay_price_t fine[] = {CENTS(500) + 500000, CENTS(700), CENTS(900)};
    ladder(&t, 3, fine, bounds);
    expect_refused(&t, 1, PREPAY_E_CJT188_INEXACT);
    const prepay_energy_t half[] = {180500, 260000};
    ladder(&t, 3, prices, half);
    expect_refused(&t, 1, PREPAY_E_CJT188_INEXACT);
    expect_refused(NULL, 1, PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_water_price_table_from_tariff(&t, 1, NULL), PREPAY_E_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_tiers),
        cmocka_unit_test(test_fewer_tiers),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
