/* SPDX-License-Identifier: MIT */
/*
 * What the meter derives to make a step cheap must never change what it does:
 *  - skipping a relay decision that cannot come out differently: a meter stepped one second at a time
 *    with its decision memory erased before every call (so every decision is taken in full) stays byte
 *    for byte equal to one that keeps it, through alarm 1, pre-trip, acknowledgement, cut-off, overdraft,
 *    recharge, restore and purse-parameter changes;
 *  - the sealed plan and the band run: a price written over DL/T 645 through one meter reaches another
 *    meter bound read-only to the same tariff from its next step (the write touches the shared set);
 *    second-by-second stepping over a whole day equals one call;
 *  - the state sizes a firmware meter carries.
 *
 * Fixture tariff (meter_fixtures.h): valley 00-08, flat 08-10, peak 10-12, flat 12-18, peak 18-21,
 * flat 21-23, valley 23-24; peak 0.80, flat 0.50, valley 0.30 yuan/kWh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_fixtures.h"

static prepay_meter_t other;

/* Two meters are equal in everything but the derived cache (and the cache inside the pricing state). */
static void assert_same_meter(const prepay_meter_t *a, const prepay_meter_t *b)
{
    static prepay_meter_t x, y;
    x = *a;
    y = *b;
    memset(&x.derived, 0, sizeof x.derived);
    memset(&y.derived, 0, sizeof y.derived);
    memset(&x.tariff_state.cache, 0, sizeof x.tariff_state.cache);
    memset(&y.tariff_state.cache, 0, sizeof y.tariff_state.cache);
    assert_memory_equal(&x, &y, sizeof x);
}

static void test_skipped_decisions_change_nothing(void **state)
{
    (void)state;
    prepay_meter_t *a = fx_setup();
    /* alarm 1 = 20.00, alarm 2 = 10.00, overdraft 3.00, restore above 5.00 yuan; hoarding limit none */
    assert_int_equal(prepay_meter_set_purse_parameters(a, 2000, 1000, 300, 0, 500), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(a, a->clock, 2600, 1), PREPAY_OK);
    other = *a; /* same bound pointers, same everything */
    prepay_meter_t *b = &other;
    /* 5 kW: about 2.50 yuan an hour at flat price, so 26 yuan goes through every level in half a day. */
    prepay_meter_load_t load = fx_constant(5000);
    int acknowledged = 0, recharged = 0, retuned = 0;
    for (long second = 0; second < 16L * 3600; second++) {
        b->derived.decided = 0; /* b decides in full every time */
        assert_int_equal(prepay_meter_advance(a, 1, &load), PREPAY_OK);
        assert_int_equal(prepay_meter_advance(b, 1, &load), PREPAY_OK);
        assert_same_meter(a, b);
        bool open = (a->relay & PREPAY_METER_RELAY_OPEN) != 0;
        if (open && a->alarm_level == 2 && !acknowledged) {
            /* pre-trip: the customer acknowledges */
            acknowledged = 1;
            assert_int_equal(prepay_meter_press_button(a), PREPAY_OK);
            assert_int_equal(prepay_meter_press_button(b), PREPAY_OK);
        } else if (open && a->alarm_level == 3 && a->purse.balance <= -300 && !recharged) {
            /* cut off below the overdraft: 4.00 yuan is not enough to restore (needs > 5.00 after the debt)... */
            recharged = 1;
            assert_int_equal(prepay_meter_recharge(a, a->clock, 400, 2), PREPAY_OK);
            assert_int_equal(prepay_meter_recharge(b, b->clock, 400, 2), PREPAY_OK);
            assert_true((a->relay & PREPAY_METER_RELAY_OPEN) != 0);
            /* ... 20.00 more is */
            assert_int_equal(prepay_meter_recharge(a, a->clock, 2000, 3), PREPAY_OK);
            assert_int_equal(prepay_meter_recharge(b, b->clock, 2000, 3), PREPAY_OK);
            assert_false((a->relay & PREPAY_METER_RELAY_OPEN) != 0);
        } else if (recharged && !retuned && a->purse.balance < 1800) {
            /* the station lowers alarm 1 while the balance falls */
            retuned = 1;
            assert_int_equal(prepay_meter_set_purse_parameters(a, 1500, 1000, 300, 0, 500), PREPAY_OK);
            assert_int_equal(prepay_meter_set_purse_parameters(b, 1500, 1000, 300, 0, 500), PREPAY_OK);
        }
        assert_same_meter(a, b);
    }
    /* the scenario really went through every branch */
    assert_int_equal(acknowledged, 1);
    assert_int_equal(recharged, 1);
    assert_int_equal(retuned, 1);
    assert_true(a->event_counts[PREPAY_METER_EVENT_TRIP] >= 2);
    assert_true(a->event_counts[PREPAY_METER_EVENT_CLOSE] >= 2);
}

static void test_price_write_reaches_every_meter(void **state)
{
    (void)state;
#if !PREPAY_METER_TARIFF_WRITES
    skip(); /* tariff-programming writes left out of this configuration */
#else
    /* a: bound writable; other: bound read-only to the same tariff; both at 08:00, flat (0.50). */
    prepay_meter_t *a = fx_setup();
    prepay_dlt645_address_t address;
    assert_int_equal(prepay_dlt645_address_from_string("000000193601", 12, &address), PREPAY_OK);
    assert_int_equal(prepay_meter_init(&other, &address, a->clock), PREPAY_OK);
    assert_int_equal(prepay_meter_bind(&other, &fx_tariff, NULL, false, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(a, a->clock, 10000, 1), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(&other, other.clock, 10000, 1), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(a, 8 * 3600, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(&other, 8 * 3600, NULL), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(1000);
    /* 08:00-08:30 at 1000 W = 500 Wh flat: 0.25 yuan */
    for (int i = 0; i < 1800; i++) {
        assert_int_equal(prepay_meter_advance(a, 1, &load), PREPAY_OK);
        assert_int_equal(prepay_meter_advance(&other, 1, &load), PREPAY_OK);
    }
    assert_int_equal(a->purse.balance, 10000 - 25);
    assert_int_equal(other.purse.balance, 10000 - 25);
    /* flat 0.5000 -> 0.6000 written through a */
    uint8_t price[4] = {0x00, 0x60, 0x00, 0x00};
    assert_int_equal(fx_write(a, 0x04050103u, FX_PW2, price, 4), 0);
    /* 08:30-09:30 = 1000 Wh flat at the new price: 0.60 yuan on both meters */
    for (int i = 0; i < 3600; i++) {
        assert_int_equal(prepay_meter_advance(a, 1, &load), PREPAY_OK);
        assert_int_equal(prepay_meter_advance(&other, 1, &load), PREPAY_OK);
    }
    assert_int_equal(a->purse.balance, 10000 - 25 - 60);
    assert_int_equal(other.purse.balance, 10000 - 25 - 60);
    /* a day table written through a moves the band of both: valley all day from now on */
    uint8_t valley[3] = {0x04, 0x00, 0x00};
    assert_int_equal(fx_write(a, 0x04010001u, FX_PW2, valley, 3), 0);
    assert_int_equal(prepay_meter_advance(&other, 1800, &load), PREPAY_OK);
    /* 09:30-10:00 would be flat; now valley: 500 Wh on register 4 */
    assert_int_equal(other.forward[4], 500);
#endif
}

static void test_seconds_equal_one_call(void **state)
{
    (void)state;
    /* A day of 1-second calls and one call of a day give the same meter (a load that changes every 7 s). */
    prepay_meter_t *a = fx_setup();
    assert_int_equal(prepay_meter_recharge(a, a->clock, 100000, 1), PREPAY_OK);
    other = *a;
    static const int32_t profile[5] = {850, 3200, 0, 1200, 4100};
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_PROFILE;
    load.profile = profile;
    load.profile_len = 5;
    load.step = 7;
    load.start = a->clock;
    for (long second = 0; second < 86400; second++) {
        assert_int_equal(prepay_meter_advance(a, 1, &load), PREPAY_OK);
    }
    assert_int_equal(prepay_meter_advance(&other, 86400, &load), PREPAY_OK);
    assert_same_meter(a, &other);
    assert_true(a->forward[0] > 0);
    assert_true(a->daily[0].time == a->clock); /* the midnight freeze happened */
}

static void test_sizes(void **state)
{
    (void)state;
    /* the compact pricing state does not grow with the band capacity */
    assert_true(sizeof(prepay_tariff_compact_state_t) <= 128);
    printf("sizeof prepay_meter_t %zu, of which derived %zu and tariff_state %zu\n", sizeof(prepay_meter_t),
           sizeof(prepay_meter_derived_t), sizeof(prepay_tariff_compact_state_t));
}

/* A limit written over DL/T 645 (04001001, alarm 1) while a decision is cached: the next step
 * decides again. By default the cache compares the limits it used; with
 * PREPAY_METER_DECISION_PURSE 0 (the firmware configuration) the write forgets the decision. */
static void test_limit_write_decides_again(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK); /* 100.00 yuan */
    prepay_meter_load_t load = fx_constant(100);
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_OK);
    assert_int_equal(m->alarm_level, 0);
    assert_int_equal(m->derived.decided, 1);
    uint8_t amount[4] = {0x00, 0x50, 0x01, 0x00}; /* 150.00 yuan, above the balance */
    assert_int_equal(fx_write(m, 0x04001001u, FX_PW2, amount, 4), 0);
    assert_int_equal(m->purse.alarm1, 15000);
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_OK);
    assert_int_equal(m->alarm_level, 1);
    /* The same through prepay_meter_set_purse_parameters(): alarm 1 back below the balance. */
    assert_int_equal(prepay_meter_set_purse_parameters(m, 2000, 1000, 0, 0, 0), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_OK);
    assert_int_equal(m->alarm_level, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skipped_decisions_change_nothing),
        cmocka_unit_test(test_price_write_reaches_every_meter),
        cmocka_unit_test(test_seconds_equal_one_call),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_limit_write_decides_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
