/* SPDX-License-Identifier: MIT */
/*
 * A long prepay_meter_advance() takes runs of whole minutes as one step (meter_advance.c,
 * "runs of whole minutes"): what it leaves must be what minute-by-minute calls leave, to the
 * Wh and the fen, and its cost must follow band runs, days and kept load records, not minutes.
 *  - local mode, TOU tariff, purse through alarm 1, alarm 2 and cut-off (the trip at the same
 *    minute), recharge, 18 days (maxima checked), then 200 days over month ends and settlement freezes: one call equals
 *    60-second calls that decide the relay in full every minute, byte for byte (registers, purse, pricing state, demand window and maxima,
 *    frozen data, events, every load record);
 *  - the same with a bound wallet policy that has no time windows;
 *  - an hourly load profile in remote mode over 60 days: one call equals 60-second calls;
 *  - a jump to the last day of 2099 in one call: the steps it takes are counted (no clock),
 *    bounded by 10 per day plus the ring, and the energy is the closed form P x t.
 *
 * Fixture tariff (meter_fixtures.h): 7 band runs a day, peak 0.80, flat 0.50, valley 0.30 yuan/kWh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_fixtures.h"

#define RING 192

static prepay_meter_t other;
static prepay_load_record_t records_a[RING], records_b[RING];
static prepay_meter_load_ring_t ring_a, ring_b;

/* Equal in everything but the derived cache, the pricing cache and the ring's address; and the rings
 * hold the same records in the same slots. */
static void assert_same_meter(const prepay_meter_t *a, const prepay_meter_t *b)
{
    static prepay_meter_t x, y;
    x = *a;
    y = *b;
    memset(&x.derived, 0, sizeof x.derived);
    memset(&y.derived, 0, sizeof y.derived);
    memset(&x.tariff_state.cache, 0, sizeof x.tariff_state.cache);
    memset(&y.tariff_state.cache, 0, sizeof y.tariff_state.cache);
    x.load_ring = y.load_ring = NULL;
    assert_memory_equal(&x, &y, sizeof x);
    if (a->load_ring != NULL) {
        assert_non_null(b->load_ring);
        assert_int_equal(a->load_ring->first, b->load_ring->first);
        assert_int_equal(a->load_ring->count, b->load_ring->count);
        assert_memory_equal(a->load_ring->records, b->load_ring->records, RING * sizeof(prepay_load_record_t));
    }
}

/* a (one call) and b (60-second calls) from the same state, each with its own ring. */
static void twin(prepay_meter_t *a)
{
    assert_int_equal(prepay_meter_load_ring_init(&ring_a, records_a, RING), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(a, &ring_a), PREPAY_OK);
    other = *a;
    assert_int_equal(prepay_meter_load_ring_init(&ring_b, records_b, RING), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(&other, &ring_b), PREPAY_OK);
}

static void advance_both(prepay_meter_t *a, prepay_meter_t *b, int64_t seconds, const prepay_meter_load_t *load)
{
    assert_int_equal(prepay_meter_advance(a, seconds, load), PREPAY_OK);
    for (int64_t s = 0; s < seconds; s += 60) {
        b->derived.decided = 0; /* b decides in full every minute */
        assert_int_equal(prepay_meter_advance(b, 60, load), PREPAY_OK);
        assert_true(b->derived.steps == 1);
    }
}

static prepay_wallet_policy_t policy;

static void local_run_equals_minutes(bool bound_policy)
{
    prepay_meter_t *a = fx_setup();
    if (bound_policy) {
        /* a bound policy without time windows (the emulator's site policy): runs still apply */
        prepay_wallet_policy_default(&policy);
        policy.hysteresis = 150;
        policy.pretrip_level = 0;
        assert_int_equal(prepay_meter_bind(a, &fx_tariff, NULL, true, &policy, NULL), PREPAY_OK);
    }
    /* alarm 1 = 20.00, alarm 2 = 10.00, overdraft 3.00, restore above 5.00 yuan */
    assert_int_equal(prepay_meter_set_purse_parameters(a, 2000, 1000, 300, 0, 500), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(a, a->clock, 3000, 1), PREPAY_OK);
    twin(a);
    prepay_meter_t *b = &other;
    /* 1.5 kW: 30 yuan lasts about two days, so the relay trips on day 2 or 3. */
    prepay_meter_load_t load = fx_constant(1500);
    advance_both(a, b, 10L * 86400, &load);
    assert_same_meter(a, b);
    assert_true((a->relay & PREPAY_METER_RELAY_OPEN) != 0);
    assert_true(a->alarm_level >= 2); /* opened by the purse */
    assert_true(a->load_ring->count == RING);
    /* Steps: 10 days of at most 7 band runs, a midnight and a settlement hour, plus the minutes
     * around each purse threshold and the records kept -- far below the 14 400 minutes. */
    printf("10 days: %u steps in one call\n", (unsigned)a->derived.steps);
    assert_true(a->derived.steps <= 10u * 10u + 3u * 2u + RING + 8u);

    assert_int_equal(prepay_meter_recharge(a, a->clock, 60000, 2), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(b, b->clock, 60000, 2), PREPAY_OK);
    assert_false((a->relay & PREPAY_METER_RELAY_OPEN) != 0);
    advance_both(a, b, 18L * 86400, &load); /* to March 29: power on all the time */
    assert_same_meter(a, b);
    assert_int_equal(a->demand.max.forward[0].value, 15000); /* 1.5 kW in 0.1 W */
    assert_int_equal(a->demand.max.forward[2].value, 15000); /* peak band too */
    advance_both(a, b, 200L * 86400, &load);
    assert_same_meter(a, b);
    printf("200 days: %u steps in one call (%ld minutes)\n", (unsigned)a->derived.steps, 200L * 1440);
    assert_true(a->derived.steps <= 200u * 10u + 3u * 2u + RING + 8u);
    assert_true(a->settlement[0].time != 0); /* month-end freezes happened */
}

static void test_local_run_equals_minutes(void **state)
{
    (void)state;
    local_run_equals_minutes(false);
}

static void test_local_run_with_policy_equals_minutes(void **state)
{
    (void)state;
    local_run_equals_minutes(true);
}

static void test_profile_run_equals_minutes(void **state)
{
    (void)state;
    prepay_meter_t *a = fx_setup();
    assert_int_equal(prepay_meter_set_mode(a, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    twin(a);
    static const int32_t hourly[24] = {300, 250, 200, 200, 250, 400, 900, 1500, 1200, 800, 700, 900,
                                       1100, 800, 700, 700, 900, 1600, 2400, 2600, 2200, 1500, 900, 500};
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_PROFILE;
    load.profile = hourly;
    load.profile_len = 24;
    load.step = 3600;
    load.start = a->clock;
    advance_both(a, &other, 60L * 86400, &load);
    assert_same_meter(a, &other);
    printf("60 days hourly profile: %u steps in one call\n", (unsigned)a->derived.steps);
    /* the profile changes 24 times a day: the runs are its hours cut by the bands */
    assert_true(a->derived.steps <= 60u * (24u + 8u + 2u) + RING + 8u);
}

static void test_jump_to_2099_counts_days(void **state)
{
    (void)state;
    prepay_meter_t *a = fx_setup();
    assert_int_equal(prepay_meter_set_mode(a, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    assert_int_equal(prepay_meter_load_ring_init(&ring_a, records_a, RING), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(a, &ring_a), PREPAY_OK);
    prepay_time_t from = a->clock, to = fx_time(2099, 12, 31, 0, 0, 0);
    prepay_meter_load_t load = fx_constant(1000);
    assert_int_equal(prepay_meter_advance(a, to - from, &load), PREPAY_OK);
    assert_true(a->clock == to);
    int64_t days = (to - from) / 86400;
    printf("to 2099: %u steps for %ld days\n", (unsigned)a->derived.steps, (long)days);
    assert_true((int64_t)a->derived.steps <= days * 10 + RING + 8);
    /* 1 kW for the whole span: exactly 1000 x seconds / 3600 Wh (no remainder lost or doubled) */
    assert_true(a->forward[0] == 1000 * (to - from) / 3600);
    assert_true(a->forward[1] + a->forward[2] + a->forward[3] + a->forward[4] == a->forward[0]);
    /* the ring holds the last RING quarter hours before the jump's end */
    const prepay_load_record_t *newest = &ring_a.records[(ring_a.first + ring_a.count - 1) % RING];
    assert_true(ring_a.count == RING);
    assert_true(newest->time == to);
    assert_true(newest->forward_active_wh == a->forward[0] / 10 % 100000000 * 10); /* XXXXXX.XX kWh */
    const prepay_load_record_t *oldest = &ring_a.records[ring_a.first];
    assert_true(oldest->time == to - (RING - 1) * 900);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_run_equals_minutes),
        cmocka_unit_test(test_local_run_with_policy_equals_minutes),
        cmocka_unit_test(test_profile_run_equals_minutes),
        cmocka_unit_test(test_jump_to_2099_counts_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
