/* SPDX-License-Identifier: MIT */
/*
 * Demand and capacity charges of the tariff engine (prepay_tariff_demand_t):
 * hand-worked months (flat tiers, TOU periods, capacity, an account's
 * capacity), billing demand with ratchets over months with and without data,
 * the two price sets, closing a month, the API's errors; and a property over
 * random tariffs with demand charges: streaming == batch line for line, sealed
 * or not, and the demand lines of a month equal prepay_tariff_demand_lines()
 * of the peaks the state measured.
 *
 * Hand working is in the comments; SAM's own expectations are in
 * test_tariff_demand_sam.c.
 */
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
#include "tariff_fixtures.h"
#include "tariff_random.h"
#include "test_support.h"

/* The demand tariffs of these tests need four demand rates, three periods and six bands: a smaller
 * configuration (the firmware one) cannot hold them, and the test reports itself skipped (exit 77). */
#if !(PREPAY_MAX_DEMAND_RATES >= 4 && PREPAY_MAX_DEMAND_PERIODS >= 3 && PREPAY_MAX_DEMAND_TIERS >= 2 && PREPAY_MAX_TARIFF_INDEX >= 6)
int main(void)
{
    printf("skipped: the configuration holds fewer demand rates, periods or bands than these tests use\n");
    return 77;
}
#else

#define CAP 512
/* The hand-worked tariffs need 3 demand rates and 2 periods x 2 tiers (the firmware configuration has 2 rates). */
#define SMALL_CONFIG (PREPAY_MAX_DEMAND_RATES < 3 || PREPAY_MAX_DEMAND_PERIODS < 2 || PREPAY_MAX_DEMAND_TIERS < 2)
#define SKIP_SMALL()                                                                                                   \
    do {                                                                                                               \
        if (SMALL_CONFIG) {                                                                                            \
            skip();                                                                                                    \
        }                                                                                                              \
    } while (0)
#define YUAN(y) ((prepay_price_t)(y) * 100000000) /* per kWh, kW or kVA */
#define KW(k) ((prepay_power_t)(k) * 1000)

static prepay_tariff_line_t lines[CAP], more[CAP];

/* Peak 08:00-22:00 (band 1), valley otherwise (band 2); 1 yuan/kWh; demand periods on (1) and off (2);
 * flat charge 10 yuan/kW up to 100 kW then 8; on-peak 5 yuan/kW; off-peak 1 yuan/kW; 20 yuan/kVA
 * for 315 kVA. */
static void two_part(prepay_tariff_t *t)
{
    assert_int_equal(prepay_tariff_init(t), PREPAY_OK);
    t->band_count = 2;
    t->schedule.season_count = 1;
    t->schedule.seasons[0] = (prepay_tou_season_t){1, 1, 0, 0, 0, 0};
    t->schedule.day_table_count = 1;
    t->schedule.day_tables[0].slot_count = 3;
    t->schedule.day_tables[0].slots[0] = (prepay_tou_slot_t){0, 2};
    t->schedule.day_tables[0].slots[1] = (prepay_tou_slot_t){8 * 60, 1};
    t->schedule.day_tables[0].slots[2] = (prepay_tou_slot_t){22 * 60, 2};
    t->prices.band_price[0] = t->prices.band_price[1] = YUAN(1);
    t->round_scope = PREPAY_ROUND_PER_BILL;
    prepay_tariff_demand_t *d = &t->demand;
    d->rate_count = 3;
    d->rates[0] = (prepay_demand_rate_t){2, {KW(100), PREPAY_DEMAND_UNBOUNDED}, {YUAN(10), YUAN(8)}};
    d->rates[1] = (prepay_demand_rate_t){1, {PREPAY_DEMAND_UNBOUNDED}, {YUAN(5)}};
    d->rates[2] = (prepay_demand_rate_t){1, {PREPAY_DEMAND_UNBOUNDED}, {YUAN(1)}};
    d->period_count = 2;
    d->period_of_band[0] = 1;
    d->period_of_band[1] = 2;
    for (unsigned m = 0; m < 12; m++) {
        d->flat_rate[m] = 1;
        d->period_rate[0][m] = 2;
        d->period_rate[1][m] = 3;
    }
    d->capacity_price = YUAN(20);
    d->capacity = 315000;
}

/* Lines equal member by member (padding is not part of a line). */
static void assert_lines_equal(const prepay_tariff_line_t *a, const prepay_tariff_line_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].kind, b[i].kind);
        assert_int_equal(a[i].cycle, b[i].cycle);
        assert_int_equal(a[i].price_set, b[i].price_set);
        assert_int_equal(a[i].band, b[i].band);
        assert_int_equal(a[i].tier, b[i].tier);
        assert_int_equal(a[i].fixed_index, b[i].fixed_index);
        assert_int_equal(a[i].item, b[i].item);
        assert_int_equal(a[i].quantity, b[i].quantity);
        assert_int_equal(a[i].price, b[i].price);
        assert_int_equal(a[i].amount.units, b[i].amount.units);
        assert_int_equal(a[i].amount.nanos, b[i].amount.nanos);
        assert_int_equal(a[i].money, b[i].money);
    }
}

static prepay_money_t finish_total(const prepay_tariff_t *t, const prepay_tariff_line_t *ls, size_t n,
                                   prepay_tariff_bill_t *bill, prepay_tariff_line_t *store)
{
    assert_int_equal(prepay_tariff_bill_init(bill, t, store, CAP), PREPAY_OK);
    assert_int_equal(prepay_tariff_bill_add(bill, ls, n), PREPAY_OK);
    assert_int_equal(prepay_tariff_bill_finish(bill), PREPAY_OK);
    return bill->total;
}

static const prepay_tariff_line_t *find(const prepay_tariff_line_t *ls, size_t n, prepay_line_kind_t kind,
                                        unsigned band, unsigned tier)
{
    for (size_t i = 0; i < n; i++) {
        if (ls[i].kind == kind && ls[i].band == band && ls[i].tier == tier) {
            return &ls[i];
        }
    }
    return NULL;
}

/* The line that must be there: never NULL, so that gcc -O3 (-Wnull-dereference) sees every use as safe;
 * the test fails here when it is missing. */
static const prepay_tariff_line_t *get(const prepay_tariff_line_t *ls, size_t n, prepay_line_kind_t kind,
                                       unsigned band, unsigned tier)
{
    const prepay_tariff_line_t *l = find(ls, n, kind, band, tier);
    if (l == NULL) {
        static const prepay_tariff_line_t none;
        fail_msg("no line kind %d band %u tier %u", (int)kind, band, tier);
        return &none;
    }
    return l;
}

static void expect_line(const prepay_tariff_line_t *ls, size_t n, prepay_line_kind_t kind, unsigned band,
                        unsigned tier, int64_t quantity, prepay_money_t money)
{
    const prepay_tariff_line_t *l = get(ls, n, kind, band, tier);
    assert_int_equal(l->quantity, quantity);
    assert_int_equal(l->money, money);
}

/* March 2024, 15-minute and hourly intervals:
 *   03-05 09:00 15 min 30 kWh -> 120 kW, peak band (on-peak)
 *   03-05 23:00 15 min 40 kWh -> 160 kW, valley (off-peak)
 *   03-06 10:00 15 min 25 kWh -> 100 kW, peak
 *   03-20 12:00 60 min 110 kWh -> 110 kW, peak
 * Peaks: flat 160 kW, on-peak 120 kW, off-peak 160 kW.
 * Flat: 100 kW x 10 + 60 kW x 8 = 1000 + 480; on-peak 120 x 5 = 600; off-peak 160 x 1 = 160;
 * capacity 315 kVA x 20 = 6300; energy 205 kWh x 1 = 205. Total 8745.00 yuan. */
static void test_two_part_month(void **state)
{
    (void)state;
    SKIP_SMALL();
    static prepay_tariff_t t;
    two_part(&t);
    assert_int_equal(prepay_tariff_validate(&t), PREPAY_OK);
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_plan_init(&plan, &t), PREPAY_OK);
    prepay_tariff_interval_t iv[4] = {
        {fx_time(2024, 3, 5, 9, 0), fx_time(2024, 3, 5, 9, 15), KWH(30)},
        {fx_time(2024, 3, 5, 23, 0), fx_time(2024, 3, 5, 23, 15), KWH(40)},
        {fx_time(2024, 3, 6, 10, 0), fx_time(2024, 3, 6, 10, 15), KWH(25)},
        {fx_time(2024, 3, 20, 12, 0), fx_time(2024, 3, 20, 13, 0), KWH(110)},
    };
    for (int sealed = 0; sealed < 2; sealed++) {
        if (sealed) {
            assert_int_equal(prepay_tariff_plan_seal(&plan), PREPAY_OK);
        }
        prepay_tariff_state_t st;
        assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
        prepay_tariff_feed_result_t r;
        size_t n = 0;
        for (int i = 0; i < 4; i++) {
            int k = prepay_tariff_feed_interval(&plan, NULL, &st, iv[i].start, iv[i].end, iv[i].energy, lines + n,
                                                CAP - n, &r);
            assert_true(k >= 0);
            n += (size_t)k;
        }
        /* no demand line before the month closes */
        assert_null(find(lines, n, PREPAY_LINE_DEMAND, 0, 1));
        assert_int_equal(st.demand.flat_peak, KW(160));
        assert_int_equal(st.demand.flat_time, iv[1].start);
        assert_int_equal(st.demand.peak[0], KW(120));
        assert_int_equal(st.demand.peak_time[0], iv[0].start);
        assert_int_equal(st.demand.peak[1], KW(160));
        int k = prepay_tariff_close_cycle(&plan, NULL, &st, lines + n, CAP - n, &r);
        assert_int_equal(k, 5);
        n += (size_t)k;
        expect_line(lines, n, PREPAY_LINE_DEMAND, 0, 1, KW(100), 100000);
        expect_line(lines, n, PREPAY_LINE_DEMAND, 0, 2, KW(60), 48000);
        expect_line(lines, n, PREPAY_LINE_DEMAND, 1, 1, KW(120), 60000);
        expect_line(lines, n, PREPAY_LINE_DEMAND, 2, 1, KW(160), 16000);
        expect_line(lines, n, PREPAY_LINE_CAPACITY, 0, 0, 315000, 630000);
        prepay_tariff_bill_t bill;
        static prepay_tariff_line_t store[CAP];
        assert_int_equal(finish_total(&t, lines, n, &bill, store), 874500);
        assert_int_equal(bill.demand_subtotal.units, 224000);
        assert_int_equal(bill.capacity_subtotal.units, 630000);
        assert_int_equal(bill.energy_subtotal.units, 20500);
        assert_int_equal(bill.energy_total, KWH(205));
        /* the month is closed: more energy in March is refused, April opens */
        assert_int_equal(prepay_tariff_feed_interval(&plan, NULL, &st, fx_time(2024, 3, 25, 0, 0),
                                                     fx_time(2024, 3, 25, 1, 0), 1, lines, CAP, &r),
                         PREPAY_E_TARIFF_CYCLE_CLOSED);
        assert_true(prepay_tariff_feed_interval(&plan, NULL, &st, fx_time(2024, 4, 1, 0, 0), fx_time(2024, 4, 1, 1, 0),
                                                KWH(5), lines, CAP, &r) >= 0);
        assert_int_equal(st.demand.flat_peak, KW(5));
        /* batch: the same bill */
        prepay_tariff_bill_t b2;
        static prepay_tariff_line_t store2[CAP];
        assert_int_equal(prepay_tariff_bill_init(&b2, &t, store2, CAP), PREPAY_OK);
        assert_int_equal(prepay_tariff_eval_batch(&plan, NULL, NULL, iv, 4, &b2), PREPAY_OK);
        assert_int_equal(b2.total, 874500);
        assert_int_equal(b2.line_count, bill.line_count);
        assert_lines_equal(b2.lines, bill.lines, bill.line_count);
    }
    /* An account's contracted capacity replaces the tariff's: 400 kVA x 20 = 8000. */
    prepay_tariff_account_t account;
    assert_int_equal(prepay_tariff_account_init(&account), PREPAY_OK);
    account.capacity = 400000;
    prepay_tariff_bill_t b3;
    static prepay_tariff_line_t store3[CAP];
    assert_int_equal(prepay_tariff_bill_init(&b3, &t, store3, CAP), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&plan, &account, NULL, iv, 4, &b3), PREPAY_OK);
    assert_int_equal(b3.total, 874500 - 630000 + 800000);
}

/* Billing demand, flat charge 10 yuan/kW; ratchet: 2 months back at 80 %, the month's own peak counts,
 * minimum 50 kW, set by the flat peak.
 *   Jan 200 kW -> max(50, 160, 200) = 200 -> 2000.00
 *   Feb 100    -> Jan 200 x 0.8 = 160 -> 1600.00
 *   Mar 40     -> Jan 160 (2 back) -> 1600.00
 *   Apr 10     -> Feb 80, Mar 32, own 10 -> 80 -> 800.00
 *   May: no data at all (the month never opens)
 *   Jun 30     -> Apr 8, May 0 (no history), own 30 -> minimum 50 -> 500.00 */
static void test_ratchet_months(void **state)
{
    (void)state;
    static prepay_tariff_t t;
    assert_int_equal(prepay_tariff_init(&t), PREPAY_OK);
    t.demand.rate_count = 1;
    t.demand.rates[0] = (prepay_demand_rate_t){1, {PREPAY_DEMAND_UNBOUNDED}, {YUAN(10)}};
    for (unsigned m = 0; m < 12; m++) {
        t.demand.flat_rate[m] = 1;
        t.demand.ratchet_ratio[m] = 800000;
    }
    t.demand.ratchet = 1;
    t.demand.ratchet_months = 2;
    t.demand.ratchet_current = 0x0FFF;
    t.demand.ratchet_minimum = KW(50);
    assert_int_equal(prepay_tariff_validate(&t), PREPAY_OK);
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_plan_init(&plan, &t), PREPAY_OK);
    static const struct {
        int month;
        int kw;
        prepay_money_t charge; /* of the previous month with data, 0: none expected */
    } steps[] = {{1, 200, 0}, {2, 100, 200000}, {3, 40, 160000}, {4, 10, 160000}, {6, 30, 80000}};
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_feed_result_t r;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        prepay_time_t s = fx_time(2024, steps[i].month, 10, 12, 0);
        int k = prepay_tariff_feed_interval(&plan, NULL, &st, s, s + 3600, KWH(steps[i].kw), lines, CAP, &r);
        assert_true(k >= 0);
        const prepay_tariff_line_t *l = find(lines, (size_t)k, PREPAY_LINE_DEMAND, 0, 1);
        if (steps[i].charge == 0) {
            assert_null(l);
        } else {
            assert_non_null(l);
            assert_int_equal(l->money, steps[i].charge);
        }
    }
    prepay_power_t billing = 0;
    assert_int_equal(prepay_tariff_demand_billing(&plan, &st.demand, &billing), PREPAY_OK);
    assert_int_equal(billing, KW(50));
    int k = prepay_tariff_close_cycle(&plan, NULL, &st, lines, CAP, &r);
    assert_int_equal(k, 1);
    assert_int_equal(lines[0].money, 50000);
    assert_int_equal(lines[0].quantity, KW(50));
    /* the history holds the closed months, May never opened */
    int32_t june = 0;
    assert_int_equal(prepay_tariff_cycle_of(&t, fx_time(2024, 6, 1, 0, 0), &june), PREPAY_OK);
    assert_int_equal(st.demand.history_cycle[june % 12], june);
    assert_int_equal(st.demand.history[june % 12], KW(30));
    assert_int_equal(st.demand.history_cycle[(june - 1) % 12], 0);
}

/* Two price sets: the month's demand charges use the set in force when the month was entered. */
static void test_price_sets(void **state)
{
    (void)state;
    SKIP_SMALL();
    static prepay_tariff_t a, b;
    two_part(&a);
    two_part(&b);
    b.demand.rates[1].price[0] = YUAN(7); /* on-peak 7 instead of 5 */
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_plan_init(&plan, &a), PREPAY_OK);
    plan.sets[1] = &b;
    plan.switch_time = fx_time(2024, 3, 15, 0, 0);
    assert_int_equal(prepay_tariff_plan_validate(&plan), PREPAY_OK);
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_feed_result_t r;
    /* March entered under set A (before the switch on the 15th), its charges stay set A's; April under set B. */
    assert_true(prepay_tariff_feed_interval(&plan, NULL, &st, fx_time(2024, 3, 10, 9, 0), fx_time(2024, 3, 10, 9, 15),
                                            KWH(10), lines, CAP, &r) >= 0);
    assert_true(prepay_tariff_feed_interval(&plan, NULL, &st, fx_time(2024, 3, 20, 9, 0), fx_time(2024, 3, 20, 9, 15),
                                            KWH(5), lines, CAP, &r) >= 0);
    int k = prepay_tariff_feed_interval(&plan, NULL, &st, fx_time(2024, 4, 2, 9, 0), fx_time(2024, 4, 2, 9, 15),
                                        KWH(10), lines, CAP, &r);
    const prepay_tariff_line_t *on = get(lines, (size_t)k, PREPAY_LINE_DEMAND, 1, 1);
    assert_non_null(on);
    assert_int_equal(on->price_set, 0);
    assert_int_equal(on->money, 40 * 500); /* 40 kW x 5 */
    k = prepay_tariff_close_cycle(&plan, NULL, &st, lines, CAP, &r);
    on = get(lines, (size_t)k, PREPAY_LINE_DEMAND, 1, 1);
    assert_non_null(on);
    assert_int_equal(on->price_set, 1);
    assert_int_equal(on->money, 40 * 700);
    /* Sets that disagree on the billing-demand rule cannot share a plan. */
    b.demand.ratchet = 1;
    assert_int_equal(prepay_tariff_plan_validate(&plan), PREPAY_E_TARIFF_SWITCH_MISMATCH);
}

static void test_demand_lines_api(void **state)
{
    (void)state;
    SKIP_SMALL();
    static prepay_tariff_t t;
    two_part(&t);
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_plan_init(&plan, &t), PREPAY_OK);
    prepay_tariff_demand_state_t d;
    memset(&d, 0, sizeof d);
    size_t count = 0;
    assert_int_equal(prepay_tariff_demand_lines(&plan, NULL, &d, lines, CAP, &count), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_cycle_of(&t, fx_time(2024, 3, 1, 0, 0), &d.cycle), PREPAY_OK);
    /* a meter's maximum-demand registers: total 160 kW, on-peak 120 kW, off-peak 160 kW */
    d.flat_peak = KW(160);
    d.peak[0] = KW(120);
    d.peak[1] = KW(160);
    assert_int_equal(prepay_tariff_demand_lines(&plan, NULL, &d, lines, 2, &count), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(count, 5);
    assert_int_equal(prepay_tariff_demand_lines(&plan, NULL, &d, lines, CAP, &count), PREPAY_OK);
    assert_int_equal(count, 5);
    expect_line(lines, count, PREPAY_LINE_DEMAND, 0, 2, KW(60), 48000);
    /* canonical order: flat tiers, periods, capacity */
    for (size_t i = 1; i < count; i++) {
        assert_true(lines[i - 1].kind < lines[i].kind ||
                    (lines[i - 1].kind == lines[i].kind &&
                     (lines[i - 1].band < lines[i].band ||
                      (lines[i - 1].band == lines[i].band && lines[i - 1].tier < lines[i].tier))));
    }
    d.peak[1] = -1;
    assert_int_equal(prepay_tariff_demand_lines(&plan, NULL, &d, lines, CAP, &count), PREPAY_E_TARIFF_BAD_STATE);
    /* remember */
    prepay_tariff_demand_state_t h;
    memset(&h, 0, sizeof h);
    h.cycle = d.cycle;
    assert_int_equal(prepay_tariff_demand_remember(&h, d.cycle, 5), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_demand_remember(&h, d.cycle - 1, -5), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_demand_remember(&h, 3, 5), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_demand_remember(&h, d.cycle - 1, 5), PREPAY_OK);
    assert_int_equal(h.history[(d.cycle - 1) % 12], 5);
    /* interval demand: round(E x 3600 / length), half-up */
    prepay_power_t w = 0;
    assert_int_equal(prepay_tariff_interval_demand(0, 7, 1, &w), PREPAY_OK);
    assert_int_equal(w, 514); /* 514.28 */
    assert_int_equal(prepay_tariff_interval_demand(0, 7, 3, &w), PREPAY_OK);
    assert_int_equal(w, 1543); /* 1542.86 */
    assert_int_equal(prepay_tariff_interval_demand(0, 8, 1, &w), PREPAY_OK);
    assert_int_equal(w, 450);
    assert_int_equal(prepay_tariff_interval_demand(0, 7200, 1, &w), PREPAY_OK);
    assert_int_equal(w, 1); /* 0.5 W: half-up */
    assert_int_equal(prepay_tariff_interval_demand(0, 900, KWH(30), &w), PREPAY_OK);
    assert_int_equal(w, KW(120));
    assert_int_equal(prepay_tariff_interval_demand(5, 5, 1, &w), PREPAY_E_TARIFF_BAD_INTERVAL);
    assert_int_equal(prepay_tariff_interval_demand(0, 5, -1, &w), PREPAY_E_TARIFF_BAD_INTERVAL);
    assert_int_equal(prepay_tariff_interval_demand(0, 5, 1, NULL), PREPAY_E_INVALID_ARGUMENT);
}

static void test_validation(void **state)
{
    (void)state;
    SKIP_SMALL();
    static prepay_tariff_t t;
#define BAD(change)                                                                                                    \
    do {                                                                                                               \
        two_part(&t);                                                                                                  \
        change;                                                                                                        \
        assert_int_equal(prepay_tariff_validate(&t), PREPAY_E_TARIFF_BAD_DEMAND);                                      \
    } while (0)
    BAD(t.demand.rates[0].upper[1] = KW(200));           /* last tier bounded */
    BAD(t.demand.rates[0].upper[0] = 0);                 /* a bound not positive */
    BAD(t.demand.rates[0].price[0] = -1);                /* negative price */
    BAD(t.demand.rates[0].tier_count = 0);
    BAD(t.demand.flat_rate[3] = 4);                      /* rate 4 of 3 */
    BAD(t.demand.period_rate[1][3] = 9);
    BAD(t.demand.period_rate[2][0] = 1);                 /* a period beyond period_count */
    BAD(t.demand.period_of_band[0] = 3);
    BAD(t.demand.period_of_band[5] = 1);                 /* a band beyond band_count */
    BAD(t.demand.ratchet = 2);
    BAD(t.demand.ratchet_months = 13);
    BAD(t.demand.ratchet_periods = 4);                   /* period 3 of 2 */
    BAD(t.demand.ratchet_current = 0x1000);
    BAD(t.demand.ratchet_ratio[0] = 10000001);
    BAD(t.demand.ratchet_minimum = -1);
    BAD(t.demand.capacity_price = -1);
    BAD(t.demand.capacity = -1);
    BAD(t.cycle_kind = PREPAY_CYCLE_YEAR);               /* demand is monthly */
    BAD(t.unit = PREPAY_TARIFF_UNIT_WATER);
#undef BAD
    two_part(&t);
    assert_int_equal(prepay_tariff_validate(&t), PREPAY_OK);
}

/* Compact states refuse demand tariffs unless energy-only; energy-only gives the energy lines of the full state. */
static void test_compact_states(void **state)
{
    (void)state;
    SKIP_SMALL();
    static prepay_tariff_t t;
    two_part(&t);
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_plan_init(&plan, &t), PREPAY_OK);
    prepay_tariff_compact_state_t c;
    assert_int_equal(prepay_tariff_compact_init(&c), PREPAY_OK);
    prepay_tariff_feed_result_t r;
    prepay_time_t s = fx_time(2024, 3, 5, 9, 0);
    assert_int_equal(prepay_tariff_compact_feed_interval(&plan, NULL, &c, s, s + 900, KWH(3), lines, CAP, &r),
                     PREPAY_E_TARIFF_NEEDS_DEMAND);
    assert_int_equal(prepay_tariff_plan_seal(&plan), PREPAY_OK);
    assert_int_equal(prepay_tariff_compact_feed_interval(&plan, NULL, &c, s, s + 900, KWH(3), lines, CAP, &r),
                     PREPAY_E_TARIFF_NEEDS_DEMAND);
    assert_int_equal(prepay_tariff_compact_energy_only(NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_compact_energy_only(&c), PREPAY_OK);
    assert_int_equal(prepay_tariff_compact_state_check(&c), PREPAY_OK);
    prepay_tariff_state_t full;
    assert_int_equal(prepay_tariff_state_init(&full), PREPAY_OK);
    for (int i = 0; i < 3; i++) {
        prepay_time_t a = s + i * 86400 * 20; /* March, March, April */
        int n1 = prepay_tariff_compact_feed_interval(&plan, NULL, &c, a, a + 900, KWH(3), lines, CAP, &r);
        int n2 = prepay_tariff_feed_interval(&plan, NULL, &full, a, a + 900, KWH(3), more, CAP, &r);
        assert_true(n1 >= 0 && n2 >= n1);
        int energy = 0;
        for (int k = 0; k < n2; k++) {
            if (more[k].kind == PREPAY_LINE_ENERGY) {
                assert_lines_equal(&lines[energy], &more[k], 1);
                energy++;
            }
        }
        assert_int_equal(energy, n1);
    }
    /* a full state holding peaks does not pack into a compact one */
    assert_int_equal(prepay_tariff_compact_from_state(&full, &c), PREPAY_E_TARIFF_NEEDS_DEMAND);
    assert_int_equal(prepay_tariff_state_check(&full), PREPAY_OK);
    full.demand.history_cycle[3] = 7;
    assert_int_equal(prepay_tariff_state_check(&full), PREPAY_E_TARIFF_BAD_STATE);
    assert_int_equal(prepay_tariff_feed_interval(&plan, NULL, &full, s + 86400 * 60, s + 86400 * 60 + 900, 1, lines,
                                                 CAP, &r),
                     PREPAY_E_TARIFF_BAD_STATE);
    /* the mark survives conversion */
    prepay_tariff_state_t expanded;
    assert_int_equal(prepay_tariff_compact_to_state(&c, &expanded), PREPAY_OK);
    prepay_tariff_compact_state_t back;
    assert_int_equal(prepay_tariff_compact_from_state(&expanded, &back), PREPAY_OK);
    assert_int_equal(back.flags, c.flags);
}

/* ---- property: streaming == batch with demand charges -------------------------------------------- */

static prepay_tariff_t rs[2];
static prepay_tariff_line_t sl[CAP * 4], bl[CAP * 4], fl[CAP];

static void test_stream_equals_batch(void **state)
{
    (void)state;
    rnd_t r = {0x44454D414E44ull, NULL, 0, 0};
    int lines_seen = 0;
    for (int c = 0; c < 300; c++) {
        rnd_tariff(&r, &rs[0], (int)rnd_range(&r, 0, 2));
        rnd_demand(&r, &rs[0]);
        if (prepay_tariff_validate(&rs[0]) != PREPAY_OK) {
            fail_msg("case %d: random tariff invalid", c);
        }
        prepay_tariff_plan_t plan;
        assert_int_equal(prepay_tariff_plan_init(&plan, &rs[0]), PREPAY_OK);
        if (rnd_range(&r, 0, 2) == 0) {
            rnd_second_set(&r, &rs[0], &rs[1]);
            prepay_tariff_demand_t keep = rs[0].demand;
            rs[1].demand = keep;
            for (unsigned i = 0; i < keep.rate_count; i++) {
                rs[1].demand.rates[i].price[0] = rnd_range(&r, 0, 3000000000);
            }
            for (unsigned b = 0; b < rs[1].band_count; b++) {
                rs[1].demand.period_of_band[b] = (uint8_t)rnd_range(&r, 0, keep.period_count);
            }
            for (unsigned b = rs[1].band_count; b < PREPAY_MAX_TARIFF_INDEX; b++) {
                rs[1].demand.period_of_band[b] = 0;
            }
            rs[1].unit = rs[0].unit;
            rs[1].cycle_kind = rs[0].cycle_kind;
            plan.sets[1] = &rs[1];
            plan.switch_time = (prepay_time_t)8766 * 86400 + rnd_range(&r, 0, 86400 * 60);
        }
        assert_int_equal(prepay_tariff_plan_validate(&plan), PREPAY_OK);
        if (rnd_range(&r, 0, 1)) {
            assert_int_equal(prepay_tariff_plan_seal(&plan), PREPAY_OK);
        }
        prepay_tariff_account_t account;
        assert_int_equal(prepay_tariff_account_init(&account), PREPAY_OK);
        account.capacity = rnd_range(&r, 0, 1) ? rnd_range(&r, 1, 500000) : 0;
        prepay_tariff_interval_t iv[80];
        size_t n = rnd_intervals(&r, iv, 80);
        /* stream */
        prepay_tariff_bill_t sbill, bbill;
        assert_int_equal(prepay_tariff_bill_init(&sbill, &rs[0], sl, CAP * 4), PREPAY_OK);
        prepay_tariff_state_t st, start;
        assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
        if (rnd_range(&r, 0, 1)) {
            int32_t c0 = 0;
            assert_int_equal(prepay_tariff_cycle_of(&rs[0], iv[0].start, &c0), PREPAY_OK);
            for (int m = 1; m <= 12; m++) {
                assert_int_equal(prepay_tariff_demand_remember(&st.demand, c0 - m, rnd_range(&r, 0, 40000)),
                                 PREPAY_OK);
            }
        }
        start = st;
        prepay_tariff_feed_result_t res;
        for (size_t i = 0; i < n; i++) {
            int k = prepay_tariff_feed_interval(&plan, &account, &st, iv[i].start, iv[i].end, iv[i].energy, fl, CAP,
                                                &res);
            if (k < 0) {
                fail_msg("case %d interval %zu: %d", c, i, k);
            }
            /* demand lines of a month equal prepay_tariff_demand_lines() of the peaks before it closed */
            assert_int_equal(prepay_tariff_bill_add(&sbill, fl, (size_t)k), PREPAY_OK);
        }
        prepay_tariff_demand_state_t before = st.demand;
        size_t expect_count = 0;
        assert_true(prepay_tariff_demand_lines(&plan, &account, &before, more, CAP, &expect_count) == PREPAY_OK);
        int k = prepay_tariff_close_cycle(&plan, &account, &st, fl, CAP, &res);
        assert_true(k >= (int)expect_count); /* proportional mode also emits the month's energy lines */
        size_t demand_lines = 0;
        for (int i = 0; i < k; i++) {
            if (fl[i].kind == PREPAY_LINE_DEMAND || fl[i].kind == PREPAY_LINE_CAPACITY) {
                assert_lines_equal(&fl[i], &more[demand_lines], 1);
                demand_lines++;
            }
        }
        assert_int_equal(demand_lines, expect_count);
        lines_seen += k;
        assert_int_equal(prepay_tariff_bill_add(&sbill, fl, (size_t)k), PREPAY_OK);
        assert_int_equal(prepay_tariff_bill_finish(&sbill), PREPAY_OK);
        /* batch */
        assert_int_equal(prepay_tariff_bill_init(&bbill, &rs[0], bl, CAP * 4), PREPAY_OK);
        assert_int_equal(prepay_tariff_eval_batch(&plan, &account, &start, iv, n, &bbill), PREPAY_OK);
        assert_int_equal(sbill.line_count, bbill.line_count);
        assert_lines_equal(sbill.lines, bbill.lines, sbill.line_count);
        assert_int_equal(sbill.total, bbill.total);
        assert_int_equal(prepay_amount_compare(sbill.demand_subtotal, bbill.demand_subtotal), 0);
        assert_memory_equal(&start.demand.history, &st.demand.history, sizeof st.demand.history);
        assert_memory_equal(&start.demand.history_cycle, &st.demand.history_cycle, sizeof st.demand.history_cycle);
    }
    assert_true(lines_seen > 100); /* the property saw demand lines */
}

int main(int argc, char **argv)
{
#if !PREPAY_TARIFF_DEMAND
    (void)argc;
    (void)argv;
    return 77; /* demand charges are left out of this configuration (PREPAY_TARIFF_DEMAND 0): skipped */
#endif
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_part_month),  cmocka_unit_test(test_ratchet_months),
        cmocka_unit_test(test_price_sets),      cmocka_unit_test(test_demand_lines_api),
        cmocka_unit_test(test_validation),      cmocka_unit_test(test_compact_states),
        cmocka_unit_test(test_stream_equals_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
