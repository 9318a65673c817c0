/* SPDX-License-Identifier: MIT */
/*
 * Purse, price table and flow of the reference water meter.
 *
 * Hand-worked charges use the price table of the published A010 frame in
 * tests/vectors/cjt188_frames.txt (record yinhe_write_price_table): 3.00,
 * 4.00, 5.00 yuan/m3 with steps 50 and 200 m3. The equivalence test feeds
 * the same random flows to the meter and to the tariff engine's streaming
 * API (a water tariff with the same ladder) and requires the same fen
 * deducted at every step: the meter's A010 semantics are the tariff
 * engine's chronological water ladder.
 */
#include <stdio.h>
#include <stdlib.h>

#include "prepay/tariff.h"
#include "test_support.h"
#include "water_fixtures.h"

#define YUAN(y) ((prepay_price_t)(y) * 100000000) /* whole yuan per m3 -> 1e-8 */

static prepay_water_meter_t meter;
static prepay_water_meter_t before;

static prepay_cjt188_price_table_t a010_table(void)
{
    prepay_cjt188_price_table_t t;
    memset(&t, 0, sizeof t);
    t.price[0] = YUAN(3);
    t.price[1] = YUAN(4);
    t.price[2] = YUAN(5);
    t.step_litres[0] = 50000;
    t.step_litres[1] = 200000;
    return t;
}

static void check(void)
{
    const char *member = NULL;
    if (prepay_water_meter_check_state(&meter, &member) != PREPAY_OK) {
        fail_msg("check_state refuses member %s", member ? member : "?");
    }
}

/* The published A010 ladder, worked by hand. */
static void test_ladder_by_hand(void **state)
{
    (void)state;
    wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0()); /* 2024-03-05, settlement day 1 */
    prepay_cjt188_price_table_t t = a010_table();
    assert_int_equal(prepay_water_meter_set_prices(&meter, &t), PREPAY_OK);
    assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 100000), PREPAY_OK); /* 1000.00 yuan */
    /* 60 m3: 50 x 3.00 + 10 x 4.00 = 190.00 yuan */
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 3600, 60000), PREPAY_OK);
    assert_int_equal(meter.balance, 100000 - 19000);
    assert_int_equal(meter.cycle_volume, 60000);
    /* 150 m3 more: 140 x 4.00 (to 200) + 10 x 5.00 = 610.00 yuan */
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 3600, 150000), PREPAY_OK);
    assert_int_equal(meter.balance, 81000 - 61000);
    assert_int_equal(meter.charged, 80000);
    check();
    /* 2024-04-01 00:00 starts a new cycle: 1 m3 at price 1 = 3.00 yuan. The litre
     * flowing in the second before 04-01 00:00:01 is in the new cycle. */
    const prepay_time_t april = wx_time(2024, 4, 1, 0, 0, 0);
    assert_int_equal(prepay_water_meter_advance(&meter, april + 1, 1000), PREPAY_OK);
    assert_int_equal(meter.cycle_start, april);
    assert_int_equal(meter.cycle_volume, 1000);
    assert_int_equal(meter.balance, 20000 - 300);
    /* the settlement froze the register at 04-01 00:00: 210 m3 */
    assert_int_equal(meter.history_count, 1);
    assert_int_equal(meter.history[0], 210000);
    /* litres flowing in the second before 05-01 00:00 are still April's: 1000 L at 3.00 */
    const prepay_time_t may = wx_time(2024, 5, 1, 0, 0, 0);
    assert_int_equal(prepay_water_meter_advance(&meter, may, 1000), PREPAY_OK);
    assert_int_equal(meter.cycle_volume, 0); /* then the cycle restarted at may */
    assert_int_equal(meter.balance, 19700 - 300);
    assert_int_equal(meter.history[0], 212000);
    check();
}

/* Sub-fen charges are carried, never lost: 3.45 yuan/m3 = 0.345 fen per litre. */
static void test_carry_by_hand(void **state)
{
    (void)state;
    wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0());
    prepay_cjt188_price_table_t t;
    memset(&t, 0, sizeof t);
    t.price[2] = 345000000;
    assert_int_equal(prepay_water_meter_set_prices(&meter, &t), PREPAY_OK);
    assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 100000), PREPAY_OK);
    /* running exact totals 0.345, 0.690, 1.035 fen: round half-up 0, 1, 1 */
    static const int64_t charged[] = {0, 1, 1};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 1, 1), PREPAY_OK);
        assert_int_equal(meter.charged, charged[i]);
    }
    /* 997 more litres: 1000 L = 345 fen exactly, carry 0 */
    for (int i = 0; i < 997; i++) {
        assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 1, 1), PREPAY_OK);
    }
    assert_int_equal(meter.charged, 345);
    assert_int_equal(meter.balance, 100000 - 345);
    assert_int_equal(meter.carry.units, 0);
    assert_int_equal(meter.carry.nanos, 0);
    /* Ties: 5.00 yuan/m3 is 0.5 fen per litre; half a fen rounds up (half-up, the
     * library's rule, not half-even): running totals 345.5, 346.0, 346.5 fen give
     * 346, 346, 347 charged. */
    t.price[2] = 500000000;
    assert_int_equal(prepay_water_meter_set_prices(&meter, &t), PREPAY_OK);
    static const int64_t tie_charged[] = {346, 346, 347};
    static const int64_t tie_units[] = {-1, 0, -1};
    static const uint32_t tie_nanos[] = {500000000, 0, 500000000};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 1, 1), PREPAY_OK);
        assert_int_equal(meter.charged, tie_charged[i]);
        assert_int_equal(meter.carry.units, tie_units[i]);
        assert_int_equal(meter.carry.nanos, tie_nanos[i]);
    }
    check();
}

static void water_tariff(prepay_tariff_t *t, const prepay_cjt188_price_table_t *table, uint8_t day, uint8_t month)
{
    assert_int_equal(prepay_tariff_init(t), PREPAY_OK);
    t->unit = PREPAY_TARIFF_UNIT_WATER;
    t->tou_tier_mode = PREPAY_TOU_TIER_CHRONOLOGICAL;
    t->cycle_kind = month == 0 ? PREPAY_CYCLE_MONTH : PREPAY_CYCLE_YEAR;
    t->cycle_start_month = month == 0 ? 1 : month;
    t->cycle_start_day = day;
    t->tier_count = 3;
    t->ladders[0].upper[0] = table->step_litres[0];
    t->ladders[0].upper[1] = table->step_litres[1];
    t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    for (int i = 0; i < 3; i++) {
        t->prices.band_tier_price[0][i] = table->price[i];
    }
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

static prepay_cjt188_price_table_t random_table(void)
{
    prepay_cjt188_price_table_t t;
    memset(&t, 0, sizeof t);
    t.step_litres[0] = 1000 + rand() % 20000;
    t.step_litres[1] = t.step_litres[0] + 1 + rand() % 50000;
    for (int i = 0; i < 3; i++) {
        /* a third are multiples of 0.50 yuan/m3 (0.05 fen per litre): running totals hit half fen */
        t.price[i] = rand() % 3 == 0 ? (prepay_price_t)(rand() % 20) * 50000000
                                     : (prepay_price_t)(rand() % 1000) * 1000000 + (rand() % 2 ? rand() % 1000000 : 0);
    }
    return t;
}

/* The meter's deductions equal the tariff engine's dues, step by step, for the same water ladder. */
static void test_equals_tariff_engine(void **state)
{
    (void)state;
    static prepay_tariff_t set_a, set_b;
    srand(17);
    int steps = 0;
    for (int round = 0; round < 24; round++) {
        const uint8_t day = (uint8_t)(1 + rand() % 28);
        const uint8_t month = round % 2 ? (uint8_t)(1 + rand() % 12) : 0;
        const prepay_cjt188_price_table_t ta = random_table(), tb = random_table();
        wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0() + rand() % 86400);
        assert_int_equal(prepay_water_meter_set_cycle(&meter, day, month), PREPAY_OK);
        assert_int_equal(prepay_water_meter_set_prices(&meter, &ta), PREPAY_OK);
        water_tariff(&set_a, &ta, day, month);
        water_tariff(&set_b, &tb, day, month);
        prepay_tariff_plan_t plan;
        assert_int_equal(prepay_tariff_plan_init(&plan, &set_a), PREPAY_OK);
        const bool switch_sets = round % 3 != 0;
        const prepay_time_t switch_time = meter.clock + 86400 * (10 + rand() % 200) + rand() % 86400;
        if (switch_sets) {
            plan.sets[1] = &set_b;
            plan.switch_time = switch_time;
            assert_int_equal(prepay_water_meter_schedule_prices(&meter, &tb, switch_time), PREPAY_OK);
        }
        assert_int_equal(prepay_tariff_plan_seal(&plan), PREPAY_OK);
        prepay_tariff_compact_state_t st;
        assert_int_equal(prepay_tariff_compact_init(&st), PREPAY_OK);
        /* The ladder cycle of the engine starts where the meter's does: the engine opens
         * its cycle at the first interval, the meter at init (same boundary). */
        assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 100000000), PREPAY_OK);
        for (int i = 0; i < 300; i++) {
            int64_t gap = rand() % 4 == 0 ? 1 + rand() % (40 * 86400) : 1 + rand() % 600;
            int64_t litres = rand() % 5 == 0 ? rand() % 30000 : rand() % 200;
            prepay_time_t now = meter.clock + gap;
            int64_t balance_before = meter.balance;
            assert_int_equal(prepay_water_meter_advance(&meter, now, litres), PREPAY_OK);
            prepay_tariff_line_t lines[8];
            prepay_tariff_feed_result_t res;
            int n = prepay_tariff_compact_feed_interval(&plan, NULL, &st, now - 1, now, litres, lines, 8, &res);
            assert_true(n >= 0);
            if (balance_before - meter.balance != res.due) {
                fail_msg("round %d step %d: meter deducted %lld, engine due %lld", round, i,
                         (long long)(balance_before - meter.balance), (long long)res.due);
            }
            steps++;
        }
        assert_int_equal(meter.charged, st.charged);
        assert_int_equal(meter.carry.units, st.carry.units);
        assert_int_equal(meter.carry.nanos, st.carry.nanos);
        check();
    }
    printf("meter == tariff engine over %d steps\n", steps);
}

/* A010 start day: 00:00 of the first date on or after today with that day (clamped in short months). */
static void test_price_start(void **state)
{
    (void)state;
    prepay_time_t at;
    const prepay_time_t now = wx_time(2024, 3, 5, 10, 0, 0);
    assert_int_equal(prepay_water_price_start(now, 5, &at), PREPAY_OK);
    assert_int_equal(at, wx_time(2024, 3, 5, 0, 0, 0)); /* today: at once */
    assert_int_equal(prepay_water_price_start(now, 15, &at), PREPAY_OK);
    assert_int_equal(at, wx_time(2024, 3, 15, 0, 0, 0));
    assert_int_equal(prepay_water_price_start(now, 1, &at), PREPAY_OK);
    assert_int_equal(at, wx_time(2024, 4, 1, 0, 0, 0));
    assert_int_equal(prepay_water_price_start(wx_time(2024, 2, 20, 0, 0, 0), 31, &at), PREPAY_OK);
    assert_int_equal(at, wx_time(2024, 2, 29, 0, 0, 0)); /* leap February */
    assert_int_equal(prepay_water_price_start(wx_time(2024, 12, 20, 0, 0, 0), 3, &at), PREPAY_OK);
    assert_int_equal(at, wx_time(2025, 1, 3, 0, 0, 0));
    assert_int_equal(prepay_water_price_start(now, 0, &at), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_water_price_start(now, 32, &at), PREPAY_E_INVALID_ARGUMENT);
}

/* Settlement day 31 settles on the last day of short months; 12 months of history. */
static void test_settlement_history(void **state)
{
    (void)state;
    wx_init(&meter, PREPAY_WATER_MODE_VOLUME, wx_time(2023, 1, 10, 0, 0, 0));
    assert_int_equal(prepay_water_meter_set_cycle(&meter, 31, 0), PREPAY_OK);
    assert_int_equal(meter.next_settlement, wx_time(2023, 1, 31, 0, 0, 0));
    assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 1000000), PREPAY_OK);
    /* 1000 L in the middle of every month for 14 months */
    for (int k = 0; k < 14; k++) {
        int y = 2023 + (k + 1) / 12, mo = (k + 1) % 12 + 1;
        assert_int_equal(prepay_water_meter_advance(&meter, wx_time(y, mo, 15, 12, 0, 0), 1000), PREPAY_OK);
    }
    /* Settlements 2023-01-31, 02-28, 03-31, ... 2024-01-31, 2024-02-29: 14, of which 12 are kept */
    assert_int_equal(meter.clock, wx_time(2024, 3, 15, 12, 0, 0));
    assert_int_equal(meter.next_settlement, wx_time(2024, 3, 31, 0, 0, 0));
    assert_int_equal(meter.history_count, 12);
    /* last settlement 2024-02-29 saw 13 flows (2023-02-15 .. 2024-02-15) */
    assert_int_equal(meter.history[0], 13000);
    assert_int_equal(meter.history[11], 2000);
    assert_int_equal(meter.volume, 14000);
    check();
}

/* A pending table takes effect at its time; litres before it at the old price. */
static void test_scheduled_prices(void **state)
{
    (void)state;
    wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0());
    prepay_cjt188_price_table_t t1, t2;
    memset(&t1, 0, sizeof t1);
    memset(&t2, 0, sizeof t2);
    t1.price[2] = YUAN(2);
    t2.price[2] = YUAN(6);
    assert_int_equal(prepay_water_meter_set_prices(&meter, &t1), PREPAY_OK);
    assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 100000), PREPAY_OK);
    const prepay_time_t at = meter.clock + 7200;
    assert_int_equal(prepay_water_meter_schedule_prices(&meter, &t2, at), PREPAY_OK);
    assert_int_equal(meter.switch_time, at);
    /* 1 m3 in the second before `at`: old price 2.00 */
    assert_int_equal(prepay_water_meter_advance(&meter, at, 1000), PREPAY_OK);
    assert_int_equal(meter.balance, 100000 - 200);
    assert_int_equal(meter.switch_time, PREPAY_WATER_NEVER);
    assert_int_equal(meter.prices[0].price[2], YUAN(6));
    assert_int_equal(prepay_water_meter_advance(&meter, at + 1, 1000), PREPAY_OK);
    assert_int_equal(meter.balance, 99800 - 600);
    /* scheduling at or before the clock: at once */
    assert_int_equal(prepay_water_meter_schedule_prices(&meter, &t1, meter.clock), PREPAY_OK);
    assert_int_equal(meter.prices[0].price[2], YUAN(2));
    /* bad tables change nothing */
    memcpy(&before, &meter, sizeof meter);
    prepay_cjt188_price_table_t bad = t1;
    bad.step_litres[0] = 10;
    bad.step_litres[1] = 5;
    assert_int_equal(prepay_water_meter_set_prices(&meter, &bad), PREPAY_E_WATER_BAD_PARAMETER);
    bad = t1;
    bad.price[0] = -1;
    assert_int_equal(prepay_water_meter_schedule_prices(&meter, &bad, meter.clock + 10), PREPAY_E_WATER_BAD_PARAMETER);
    assert_memory_equal(&before, &meter, sizeof meter);
    check();
}

/* litres_until_close is exact: one litre fewer keeps the valve open, that many closes it. */
static void test_litres_until_close(void **state)
{
    (void)state;
    srand(4);
    for (int round = 0; round < 200; round++) {
        bool money = round % 2 == 0;
        wx_init(&meter, money ? PREPAY_WATER_MODE_MONEY : PREPAY_WATER_MODE_VOLUME, wx_t0());
        prepay_cjt188_price_table_t t = random_table();
        t.price[0] += 1000000; /* never free */
        t.price[1] += 1000000;
        t.price[2] += 1000000;
        assert_int_equal(prepay_water_meter_set_prices(&meter, &t), PREPAY_OK);
        assert_int_equal(prepay_water_meter_set_purse(&meter, rand() % 3000, rand() % 2 ? rand() % 2000 : 0, 0),
                         PREPAY_OK);
        assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 1 + rand() % 50000), PREPAY_OK);
        /* some flow first, so that carry and ladder position are not trivial */
        (void)prepay_water_meter_advance(&meter, meter.clock + 1, rand() % 500);
        if (!prepay_water_meter_valve_open(&meter)) {
            (void)prepay_water_meter_valve(&meter, meter.clock, PREPAY_WATER_ACTOR_TENANT, true);
        }
        if (!prepay_water_meter_valve_open(&meter)) {
            int64_t zero;
            assert_int_equal(prepay_water_meter_litres_until_close(&meter, &zero), PREPAY_OK);
            assert_int_equal(zero, 0);
            continue;
        }
        int64_t n;
        assert_int_equal(prepay_water_meter_litres_until_close(&meter, &n), PREPAY_OK);
        assert_true(n >= 1 && n < INT64_MAX);
        memcpy(&before, &meter, sizeof meter);
        assert_int_equal(prepay_water_meter_advance(&meter, meter.clock, n - 1), PREPAY_OK);
        assert_true(prepay_water_meter_valve_open(&meter));
        memcpy(&meter, &before, sizeof meter);
        assert_int_equal(prepay_water_meter_advance(&meter, meter.clock, n), PREPAY_OK);
        assert_false(prepay_water_meter_valve_open(&meter));
    }
    wx_init(&meter, PREPAY_WATER_MODE_REMOTE, wx_t0());
    int64_t n;
    assert_int_equal(prepay_water_meter_litres_until_close(&meter, &n), PREPAY_OK);
    assert_int_equal(n, INT64_MAX);
    wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0()); /* free water: the purse never closes */
    assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 5000), PREPAY_OK);
    assert_int_equal(prepay_water_meter_litres_until_close(&meter, &n), PREPAY_OK);
    assert_int_equal(n, INT64_MAX);
}

/* Errors change nothing. */
static void test_errors_change_nothing(void **state)
{
    (void)state;
    wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0());
    prepay_cjt188_price_table_t t = a010_table();
    assert_int_equal(prepay_water_meter_set_prices(&meter, &t), PREPAY_OK);
    assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 100000), PREPAY_OK);
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 100, 1234), PREPAY_OK);
    memcpy(&before, &meter, sizeof meter);
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock - 1, 1), PREPAY_E_WATER_TIME_ORDER);
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 1, -1), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 1, PREPAY_WATER_MAX_STEP_LITRES + 1),
                     PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_water_meter_advance(&meter, wx_time(2100, 1, 1, 0, 0, 0), 1), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_water_meter_pulses(&meter, meter.clock + 1, -1), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_water_meter_set_balance(&meter, meter.clock, 10), PREPAY_E_WATER_WRONG_MODE);
    assert_memory_equal(&before, &meter, sizeof meter);
    /* the same call at the clock: only litres */
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock, 0), PREPAY_OK);
    assert_memory_equal(&before, &meter, sizeof meter);
    /* pulses: 3 x 10 L */
    meter.pulse_coefficient = 10;
    assert_int_equal(prepay_water_meter_pulses(&meter, meter.clock + 30, 3), PREPAY_OK);
    assert_int_equal(meter.volume, 1234 + 30);
    assert_int_equal(meter.flow_lph, 3600); /* 30 L in 30 s */
    check();
}

/* Volume purse: the balance is litres; set_balance is absolute (Modbus 0008H). */
static void test_volume_purse(void **state)
{
    (void)state;
    wx_init(&meter, PREPAY_WATER_MODE_VOLUME, wx_t0());
    assert_int_equal(prepay_water_meter_set_purse(&meter, 100, 50, 20000), PREPAY_OK);
    assert_int_equal(prepay_water_meter_set_balance(&meter, meter.clock, 1000), PREPAY_OK);
    assert_true(prepay_water_meter_valve_open(&meter));
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 60, 900), PREPAY_OK);
    assert_int_equal(meter.holds, PREPAY_WATER_HOLD_ALARM); /* 100 <= 100 */
    assert_int_equal(prepay_water_meter_set_balance(&meter, meter.clock, 20001), PREPAY_E_WATER_HOARDING_LIMIT);
    assert_int_equal(prepay_water_meter_set_balance(&meter, meter.clock, -1), PREPAY_E_WATER_BAD_PARAMETER);
    assert_int_equal(prepay_water_meter_set_balance(&meter, meter.clock, 20000), PREPAY_OK);
    assert_true(prepay_water_meter_valve_open(&meter)); /* above the alarm: re-armed and open */
    assert_int_equal(meter.event_counts[PREPAY_WATER_EVENT_PURSE_SET], 2);
    assert_int_equal(meter.charged, 0);
    check();
}

/* check_state refuses damaged members and names them. */
static void test_check_state(void **state)
{
    (void)state;
    wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0());
    assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 5000), PREPAY_OK);
    check();
    static const struct {
        size_t offset;
        size_t size;
        const char *member;
    } damage[] = {
        {offsetof(prepay_water_meter_t, mode), 1, "mode"},
        {offsetof(prepay_water_meter_t, settlement_day), 1, "settlement_day"},
        {offsetof(prepay_water_meter_t, holds), 1, "holds"},
        {offsetof(prepay_water_meter_t, next_cycle), 8, "next_cycle"},
        {offsetof(prepay_water_meter_t, balance), 8, "holds"},
        {offsetof(prepay_water_meter_t, carry), 8, "carry"},
        {offsetof(prepay_water_meter_t, record_next), 1, "record_next"},
    };
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++) {
        memcpy(&before, &meter, sizeof meter);
        uint8_t *p = (uint8_t *)&before + damage[i].offset;
        for (size_t k = 0; k < damage[i].size; k++) {
            p[k] = 0xEE;
        }
        const char *member = NULL;
        assert_int_equal(prepay_water_meter_check_state(&before, &member), PREPAY_E_WATER_BAD_STATE);
        assert_non_null(member);
        if (strcmp(member, damage[i].member) != 0) {
            fail_msg("damaging %s: check_state names %s", damage[i].member, member);
        }
    }
    assert_int_equal(prepay_water_meter_check_state(NULL, NULL), PREPAY_E_INVALID_ARGUMENT);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ladder_by_hand),        cmocka_unit_test(test_carry_by_hand),
        cmocka_unit_test(test_equals_tariff_engine),  cmocka_unit_test(test_price_start),
        cmocka_unit_test(test_settlement_history),    cmocka_unit_test(test_scheduled_prices),
        cmocka_unit_test(test_litres_until_close),    cmocka_unit_test(test_errors_change_nothing),
        cmocka_unit_test(test_volume_purse),          cmocka_unit_test(test_check_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
