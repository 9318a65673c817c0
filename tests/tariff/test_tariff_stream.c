/* SPDX-License-Identifier: MIT */
/* Streaming evaluation: register readings, buffer sizing, errors leave the state unchanged, dues. */
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

static fx_setup_t s;

static void test_register_readings_match_intervals(void **state)
{
    (void)state;
    assert_int_equal(fx_build("beijing_ci", &s), 0);
    prepay_tariff_state_t a, b;
    assert_int_equal(prepay_tariff_state_init(&a), PREPAY_OK);
    assert_int_equal(prepay_tariff_state_init(&b), PREPAY_OK);
    prepay_tariff_line_t la[16], lb[16];
    prepay_tariff_feed_result_t ra, rb;
    /* first reading primes: no lines */
    assert_int_equal(prepay_tariff_feed_reading(&s.plan, NULL, &a, fx_time(2024, 7, 15, 12, 0), 100000, la, 16, &ra), 0);
    assert_int_equal(ra.line_count, 0);
    int na = prepay_tariff_feed_reading(&s.plan, NULL, &a, fx_time(2024, 7, 15, 18, 0), 106000, la, 16, &ra);
    int nb = prepay_tariff_feed_interval(&s.plan, NULL, &b, fx_time(2024, 7, 15, 12, 0), fx_time(2024, 7, 15, 18, 0),
                                         6000, lb, 16, &rb);
    assert_int_equal(na, 4); /* sharp, flat, sharp, peak (consecutive pieces merged only when equal) */
    assert_int_equal(na, nb);
    for (int i = 0; i < na; i++) {
        assert_int_equal(la[i].band, lb[i].band);
        assert_int_equal(la[i].quantity, lb[i].quantity);
    }
    assert_int_equal(ra.due, 670);
    /* a reading lower than the last is refused; the state is unchanged */
    prepay_tariff_state_t before = a;
    assert_int_equal(prepay_tariff_feed_reading(&s.plan, NULL, &a, fx_time(2024, 7, 15, 19, 0), 105999, la, 16, &ra),
                     PREPAY_E_TARIFF_REGISTER_BACKWARDS);
    assert_memory_equal(&before, &a, sizeof a);
    assert_int_equal(prepay_tariff_feed_reading(&s.plan, NULL, &a, fx_time(2024, 7, 15, 17, 0), 107000, la, 16, &ra),
                     PREPAY_E_TARIFF_TIME_ORDER);
    assert_memory_equal(&before, &a, sizeof a);
    /* same time, same register: nothing to price */
    assert_int_equal(prepay_tariff_feed_reading(&s.plan, NULL, &a, fx_time(2024, 7, 15, 18, 0), 106000, la, 16, &ra), 0);
    /* same time, more energy: energy in zero time */
    assert_int_equal(prepay_tariff_feed_reading(&s.plan, NULL, &a, fx_time(2024, 7, 15, 18, 0), 106001, la, 16, &ra),
                     PREPAY_E_TARIFF_BAD_INTERVAL);
}

static void test_buffer_too_small_reports_needed(void **state)
{
    (void)state;
    assert_int_equal(fx_build("beijing_ci", &s), 0);
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_state_t before = st;
    prepay_tariff_line_t lines[16];
    prepay_tariff_feed_result_t r;
    prepay_time_t a = fx_time(2024, 7, 15, 0, 0), b = fx_time(2024, 7, 16, 0, 0);
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, a, b, 24000, lines, 2, &r),
                     PREPAY_E_BUFFER_TOO_SMALL);
    /* valley, flat, peak, sharp, flat, sharp, peak, flat, valley */
    assert_int_equal(r.line_count, 9);
    assert_memory_equal(&before, &st, sizeof st);
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, a, b, 24000, NULL, 0, &r),
                     PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, a, b, 24000, lines, r.line_count, &r), 9);
    prepay_energy_t sum = 0;
    for (int i = 0; i < 9; i++) {
        sum += lines[i].quantity;
    }
    assert_int_equal(sum, 24000);
    /* 7 h valley (0-7) + 1 h valley (23-24) = 8 kWh; flat 7-10,13-16? no: summer flat 7-10, 13-16, 22-23 = 7 */
    assert_int_equal(lines[0].band, PREPAY_BAND_VALLEY);
    assert_int_equal(lines[0].quantity, 7000);
    assert_int_equal(lines[8].quantity, 1000);
}

static void test_interval_errors_leave_state(void **state)
{
    (void)state;
    assert_int_equal(fx_build("beijing_month", &s), 0);
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_line_t lines[8];
    prepay_tariff_feed_result_t r;
    prepay_time_t t0 = fx_time(2024, 3, 1, 0, 0);
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, t0, t0 + 3600, 1000, lines, 8, &r), 1);
    prepay_tariff_state_t before = st;
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, t0 + 3600, t0, 1, lines, 8, &r),
                     PREPAY_E_TARIFF_BAD_INTERVAL);
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, t0 + 3600, t0 + 7200, -1, lines, 8, &r),
                     PREPAY_E_TARIFF_BAD_INTERVAL);
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, t0 + 60, t0 + 7200, 1, lines, 8, &r),
                     PREPAY_E_TARIFF_TIME_ORDER);
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, t0 + 3600, INT64_MAX, 1, lines, 8, &r),
                     PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, t0 + 3600, t0 + 7200, INT64_MAX, lines, 8, &r),
                     PREPAY_E_OVERFLOW);
    assert_memory_equal(&before, &st, sizeof st);
    prepay_tariff_state_t bad = st;
    bad.magic = 0;
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &bad, t0 + 3600, t0 + 7200, 1, lines, 8, &r),
                     PREPAY_E_TARIFF_BAD_STATE);
    bad = st;
    bad.cycle_energy = -5;
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &bad, t0 + 3600, t0 + 7200, 1, lines, 8, &r),
                     PREPAY_E_TARIFF_BAD_STATE);
    s.sets[0].ladders[0].upper[2] = KWH(1000); /* finite last tier: never a silently wrong bill */
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, t0 + 3600, t0 + 7200, 1, lines, 8, &r),
                     PREPAY_E_TARIFF_TIER_FINITE_LAST);
    assert_memory_equal(&before, &st, sizeof st);
    /* a gap is fine and carries no energy */
    s.sets[0].ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, t0 + 86400, t0 + 90000, 1000, lines, 8, &r), 1);
}

static void test_proportional_close(void **state)
{
    (void)state;
    if (!PREPAY_TARIFF_PROPORTIONAL) {
        skip(); /* proportional tiers left out of this configuration */
    }
    assert_int_equal(fx_build("shanghai_prop", &s), 0);
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_line_t lines[16];
    prepay_tariff_feed_result_t r;
    /* proportional lines wait for the cycle end */
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, fx_time(2024, 3, 1, 6, 0),
                                                 fx_time(2024, 3, 1, 22, 0), 4000000, lines, 16, &r),
                     0);
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, fx_time(2024, 3, 1, 22, 0),
                                                 fx_time(2024, 3, 2, 6, 0), 1000000, lines, 16, &r),
                     0);
    /* entering the next year closes 2024: 6 lines (2 bands x 3 tiers) */
    prepay_tariff_state_t copy = st;
    int n = prepay_tariff_feed_interval(&s.plan, NULL, &copy, fx_time(2025, 1, 1, 6, 0), fx_time(2025, 1, 1, 7, 0), 10,
                                        lines, 16, &r);
    assert_int_equal(n, 6);
    assert_int_equal(r.exact.units, 293052);
    /* explicit close: same lines; then the cycle refuses energy */
    n = prepay_tariff_close_cycle(&s.plan, NULL, &st, lines, 16, &r);
    assert_int_equal(n, 6);
    assert_int_equal(r.due, 293052);
    prepay_tariff_state_t before = st;
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, fx_time(2024, 3, 3, 6, 0),
                                                 fx_time(2024, 3, 3, 7, 0), 1, lines, 16, &r),
                     PREPAY_E_TARIFF_CYCLE_CLOSED);
    assert_memory_equal(&before, &st, sizeof st);
    assert_int_equal(prepay_tariff_close_cycle(&s.plan, NULL, &st, lines, 16, &r), 0);
}

static void test_proportional_largest_remainder(void **state)
{
    (void)state;
    if (!PREPAY_TARIFF_PROPORTIONAL) {
        skip(); /* proportional tiers left out of this configuration */
    }
    /* 3 bands with 1 Wh each over a 2-Wh first tier: quotas 2/3 each; floors 0, two leftover Wh go to the
     * lowest bands (equal remainders); the last tier takes what each band has left, so rows and columns sum. */
    assert_int_equal(fx_build("shanghai_prop", &s), 0);
    prepay_tariff_t *t = &s.sets[0];
    t->ladders[0].upper[0] = 2;
    t->ladders[0].upper[1] = 3;
    t->schedule.day_table_count = 1;
    memset(&t->schedule.day_tables[0], 0, sizeof t->schedule.day_tables[0]);
    fx_slot(&t->schedule.day_tables[0], 0, 0, PREPAY_BAND_PEAK);
    fx_slot(&t->schedule.day_tables[0], 8, 0, PREPAY_BAND_FLAT);
    fx_slot(&t->schedule.day_tables[0], 16, 0, PREPAY_BAND_VALLEY);
    for (unsigned i = 0; i < 3; i++) {
        t->prices.band_tier_price[PREPAY_BAND_FLAT - 1][i] = 40000000;
    }
    prepay_tariff_interval_t iv[3] = {{fx_time(2024, 3, 1, 0, 0), fx_time(2024, 3, 1, 1, 0), 1},
                                      {fx_time(2024, 3, 1, 8, 0), fx_time(2024, 3, 1, 9, 0), 1},
                                      {fx_time(2024, 3, 1, 16, 0), fx_time(2024, 3, 1, 17, 0), 1}};
    prepay_tariff_line_t lines[16];
    prepay_tariff_bill_t bill;
    assert_int_equal(prepay_tariff_bill_init(&bill, t, lines, 16), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&s.plan, NULL, NULL, iv, 3, &bill), PREPAY_OK);
    /* tier 1 (2 Wh): peak 1, flat 1 ; tier 2 (1 Wh, last reached): valley 1 */
    assert_int_equal(bill.line_count, 3);
    assert_true(lines[0].band == PREPAY_BAND_PEAK && lines[0].tier == 1 && lines[0].quantity == 1);
    assert_true(lines[1].band == PREPAY_BAND_FLAT && lines[1].tier == 1 && lines[1].quantity == 1);
    assert_true(lines[2].band == PREPAY_BAND_VALLEY && lines[2].tier == 2 && lines[2].quantity == 1);
}

static void test_dues_sum_to_rounded_total(void **state)
{
    (void)state;
    /* 1000 intervals of 7 Wh at 0.58886875: each 0.412208125 fen; dues are whole fen that always sum to
     * the running exact total rounded half-up */
    assert_int_equal(fx_build("guangzhou", &s), 0);
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_line_t lines[8];
    prepay_tariff_feed_result_t r;
    prepay_money_t dues = 0;
    prepay_amount_t exact = {0, 0};
    prepay_time_t t = fx_time(2024, 3, 1, 0, 0);
    for (int i = 0; i < 1000; i++) {
        assert_true(prepay_tariff_feed_interval(&s.plan, NULL, &st, t, t + 900, 7, lines, 8, &r) >= 0);
        t += 900;
        dues += r.due;
        assert_int_equal(prepay_amount_add(exact, r.exact, &exact), PREPAY_OK);
        prepay_money_t rounded;
        assert_int_equal(prepay_amount_round(exact, PREPAY_ROUND_HALF_UP, &rounded), PREPAY_OK);
        assert_int_equal(dues, rounded);
    }
    assert_int_equal(exact.units, 412); /* 7000 Wh x 0.58886875 = 412.208125 fen */
    assert_int_equal(exact.nanos, 208125000);
    assert_int_equal(dues, 412);
}

static void test_fast_path_tier_edge(void **state)
{
    (void)state;
    /* 8 quarter-hours of 3 Wh with a 10 Wh first tier: the 4th interval crosses the bound with 1 Wh of
     * room (hand: tier 1 = 10 Wh, tier 2 = 14 Wh), in batch (fast path) and streaming alike */
    assert_int_equal(fx_build("per_day_10", &s), 0);
    s.sets[0].ladders[0].per_day = 0;
    s.sets[0].ladders[0].upper[0] = 10;
    prepay_tariff_interval_t iv[8];
    prepay_time_t t = fx_time(2024, 3, 1, 0, 0);
    for (int i = 0; i < 8; i++) {
        iv[i].start = t + 900 * i;
        iv[i].end = t + 900 * (i + 1);
        iv[i].energy = 3;
    }
    prepay_tariff_line_t lines[8];
    prepay_tariff_bill_t bill;
    assert_int_equal(prepay_tariff_bill_init(&bill, &s.sets[0], lines, 8), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&s.plan, NULL, NULL, iv, 8, &bill), PREPAY_OK);
    assert_int_equal(bill.line_count, 2);
    assert_true(lines[0].tier == 1 && lines[0].quantity == 10);
    assert_true(lines[1].tier == 2 && lines[1].quantity == 14);
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_feed_result_t r;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, iv[i].start, iv[i].end, 3, lines, 8, &r), 1);
    }
    assert_int_equal(prepay_tariff_feed_interval(&s.plan, NULL, &st, iv[3].start, iv[3].end, 3, lines, 8, &r), 2);
    assert_true(lines[0].tier == 1 && lines[0].quantity == 1 && lines[1].tier == 2 && lines[1].quantity == 2);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_readings_match_intervals),
        cmocka_unit_test(test_buffer_too_small_reports_needed),
        cmocka_unit_test(test_interval_errors_leave_state),
        cmocka_unit_test(test_proportional_close),
        cmocka_unit_test(test_proportional_largest_remainder),
        cmocka_unit_test(test_dues_sum_to_rounded_total),
        cmocka_unit_test(test_fast_path_tier_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
