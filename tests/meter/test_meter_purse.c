/* SPDX-License-Identifier: MIT */
/*
 * Purse, wallet policy and relay: every transition of the local-control
 * state machine, the purchase-count rule, local vs remote mode, every 1C
 * command, keep-power, valid-until, the overload trip and the events they
 * record.
 *
 * Tariff: one band, flat 1.0000 yuan/kWh = 100 fen/kWh, so 1000 W costs
 * exactly 100 fen per hour (5 h = 5000 Wh = 500 fen). Purse defaults:
 * alarm 1 = 2000 fen, alarm 2 (pre-trip) = 1000 fen, cut-off at 0,
 * hysteresis 100 fen (prepay_wallet_policy_default()).
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_fixtures.h"

#define HOUR 3600

static prepay_meter_t *flat_meter(void)
{
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_tariff_init(&fx_tariff), PREPAY_OK);
    fx_tariff.prices.band_price[0] = FX_PRICE(10000);
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, NULL, true, NULL, NULL), PREPAY_OK);
    return m;
}

static bool relay_open(const prepay_meter_t *m)
{
    return (m->relay & PREPAY_METER_RELAY_OPEN) != 0;
}

static const prepay_meter_record_t *last_of(const prepay_meter_t *m, unsigned kind)
{
    for (size_t k = 0; k < PREPAY_METER_EVENT_RECORDS; k++) {
        size_t i = (m->record_next + PREPAY_METER_EVENT_RECORDS - 1u - k) % PREPAY_METER_EVENT_RECORDS;
        if (m->records[i].used && m->records[i].kind == kind) {
            return &m->records[i];
        }
    }
    return NULL;
}

/* The latest record of a kind, failing the test when there is none. */
static const prepay_meter_record_t *need_last_of(const prepay_meter_t *m, unsigned kind)
{
    const prepay_meter_record_t *r = last_of(m, kind);
    if (r == NULL) {
        fail_msg("no event record of kind %u", kind);
        abort(); /* not reached: fail_msg() does not return */
    }
    return r;
}

static void test_zero_balance_trips_on_first_decision(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    prepay_meter_load_t load = fx_constant(1000);
    assert_false(relay_open(m));
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_OK);
    /* Balance 0 <= cut-off point 0: the first decision trips; the first minute's energy (16 Wh) was used. */
    assert_true(relay_open(m));
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_TRIP], 1);
    assert_int_equal(m->forward[0], 16);
    /* Open relay: no more energy. */
    assert_int_equal(prepay_meter_advance(m, HOUR, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 16);
}

static void test_alarm_pretrip_cutoff_restore(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    prepay_meter_load_t load = fx_constant(1000);
    assert_int_equal(prepay_meter_recharge(m, m->clock, 2500, 1), PREPAY_OK);
    assert_int_equal(m->purse.balance, 2500);
    assert_int_equal(m->alarm_level, 0);
    /* 4 h 59 min: 498.33 fen used, 498 due: balance 2002 > 2000: level 0. */
    assert_int_equal(prepay_meter_advance(m, 5 * HOUR - 60, &load), PREPAY_OK);
    assert_int_equal(m->purse.balance, 2002);
    assert_int_equal(m->alarm_level, 0);
    /* 5 h: 500 fen: balance 2000 <= alarm 1: level 1, relay still closed. */
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_OK);
    assert_int_equal(m->purse.balance, 2000);
    assert_int_equal(m->alarm_level, 1);
    assert_false(relay_open(m));
    /* 15 h: balance 1000 <= alarm 2: level 2, pre-trip opens the relay. */
    assert_int_equal(prepay_meter_advance(m, 10 * HOUR, &load), PREPAY_OK);
    assert_int_equal(m->purse.balance, 1000);
    assert_int_equal(m->alarm_level, 2);
    assert_true(relay_open(m));
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_TRIP], 1);
    assert_int_equal(need_last_of(m, PREPAY_METER_EVENT_TRIP)->detail, 0xFFFFFFFFu); /* the meter's own decision */
    /* The relay stays open without acknowledgement: no energy, no charge. */
    assert_int_equal(prepay_meter_advance(m, HOUR, &load), PREPAY_OK);
    assert_int_equal(m->purse.balance, 1000);
    /* Customer presses the button: acknowledged, relay closes. */
    assert_int_equal(prepay_meter_press_button(m), PREPAY_OK);
    assert_false(relay_open(m));
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_CLOSE], 1);
    /* 10 h more: balance 0: cut-off. */
    assert_int_equal(prepay_meter_advance(m, 10 * HOUR, &load), PREPAY_OK);
    assert_int_equal(m->purse.balance, 0);
    assert_int_equal(m->alarm_level, 3);
    assert_true(relay_open(m));
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_TRIP], 2);
    /* The button does not close a cut-off. */
    assert_int_equal(prepay_meter_press_button(m), PREPAY_OK);
    assert_true(relay_open(m));
    /* Recharge 30.00 yuan: 3000 > 2000 + 100: level 0, restored. */
    assert_int_equal(prepay_meter_recharge(m, m->clock, 3000, 2), PREPAY_OK);
    assert_false(relay_open(m));
    assert_int_equal(m->alarm_level, 0);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_CLOSE], 2);
    assert_int_equal(m->purse.purchase_count, 2);
    assert_int_equal(m->purse.purchase_total, 5500);
}

static void test_close_allowed_amount(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    assert_int_equal(prepay_meter_set_purse_parameters(m, 2000, 1000, 0, 0, 1500), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(1000);
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_OK); /* trips at 0 */
    assert_true(relay_open(m));
    /* Balance was 0 minus the first minute's 16 Wh = 1.6 fen: 2 fen due (half-up): -2. */
    assert_int_equal(m->purse.balance, -2);
    /* 10.02 yuan: balance 1000 <= close-allowed 1500: stays open. */
    assert_int_equal(prepay_meter_recharge(m, m->clock, 1002, 1), PREPAY_OK);
    assert_true(relay_open(m));
    /* 6.00 more: 1600 > 1500: restored (level 1: 1600 <= 2000, relay closed). */
    assert_int_equal(prepay_meter_recharge(m, m->clock, 600, 2), PREPAY_OK);
    assert_false(relay_open(m));
    assert_int_equal(m->alarm_level, 1);
}

static void test_overdraft_limit(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    assert_int_equal(prepay_meter_set_purse_parameters(m, 2000, 1000, 500, 0, 0), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(m, m->clock, 1500, 1), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(1000);
    /* 5 h: 1000: pre-trip; acknowledge. */
    assert_int_equal(prepay_meter_advance(m, 5 * HOUR, &load), PREPAY_OK);
    assert_true(relay_open(m));
    assert_int_equal(prepay_meter_press_button(m), PREPAY_OK);
    assert_false(relay_open(m));
    /* 10 h more: balance 0: level 3 but the cut-off is at -5.00: still closed. */
    assert_int_equal(prepay_meter_advance(m, 10 * HOUR, &load), PREPAY_OK);
    assert_int_equal(m->purse.balance, 0);
    assert_int_equal(m->alarm_level, 3);
    assert_false(relay_open(m));
    /* 5 h more: -500: cut-off at the overdraft limit. */
    assert_int_equal(prepay_meter_advance(m, 5 * HOUR, &load), PREPAY_OK);
    assert_int_equal(m->purse.balance, -500);
    assert_true(relay_open(m));
    /* Remaining amount reads 0, overdraft amount 5.00 (00000500 BCD). */
    uint8_t v[4];
    assert_int_equal(fx_read(m, 0x00900200u, v, sizeof v), 4);
    assert_int_equal(fx_bcd(v, 4), 0);
    assert_int_equal(fx_read(m, 0x00900201u, v, sizeof v), 4);
    assert_int_equal(fx_bcd(v, 4), 500);
    /* A recharge of 30.00 repays the overdraft first: balance 2500. */
    assert_int_equal(prepay_meter_recharge(m, m->clock, 3000, 2), PREPAY_OK);
    assert_int_equal(m->purse.balance, 2500);
    assert_false(relay_open(m));
}

static void test_recharge_count_rule(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    /* count = 0 + 1: accepted. */
    assert_int_equal(prepay_meter_recharge(m, m->clock, 1000, 1), PREPAY_OK);
    assert_int_equal(m->purse.balance, 1000);
    /* equal count: a repeat, nothing changes. */
    prepay_meter_t before = *m;
    assert_int_equal(prepay_meter_recharge(m, m->clock, 1000, 1), PREPAY_METER_RECHARGE_REPEAT);
    assert_memory_equal(&before, m, sizeof before);
    /* any other count: refused, nothing changes. */
    assert_int_equal(prepay_meter_recharge(m, m->clock, 1000, 3), PREPAY_E_METER_PURCHASE_COUNT);
    assert_int_equal(prepay_meter_recharge(m, m->clock, 1000, 0), PREPAY_E_METER_PURCHASE_COUNT);
    assert_memory_equal(&before, m, sizeof before);
    /* hoarding limit 20.00: 10.00 + 10.01 refused, 10.00 + 10.00 accepted. */
    assert_int_equal(prepay_meter_set_purse_parameters(m, 2000, 1000, 0, 2000, 0), PREPAY_OK);
    before = *m;
    assert_int_equal(prepay_meter_recharge(m, m->clock, 1001, 2), PREPAY_E_METER_HOARDING_LIMIT);
    assert_memory_equal(&before, m, sizeof before);
    assert_int_equal(prepay_meter_recharge(m, m->clock, 1000, 2), PREPAY_OK);
    assert_int_equal(m->purse.balance, 2000);
    assert_int_equal(m->purse.last_amount, 1000);
    assert_int_equal(m->purse.last_before, 1000);
    assert_int_equal(prepay_meter_recharge(m, m->clock, 0, 3), PREPAY_E_INVALID_ARGUMENT);
}

static void test_purse_parameter_checks(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    assert_int_equal(prepay_meter_set_purse_parameters(m, 1000, 1000, 0, 0, 0), PREPAY_E_METER_BAD_PARAMETER);
    assert_int_equal(prepay_meter_set_purse_parameters(m, 1000, 0, 0, 0, 0), PREPAY_E_METER_BAD_PARAMETER);
    assert_int_equal(prepay_meter_set_purse_parameters(m, 3000, 1000, -1, 0, 0), PREPAY_E_METER_BAD_PARAMETER);
    assert_int_equal(m->purse.alarm1, 2000);
}

static void test_remote_mode_commands(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    assert_int_equal(prepay_meter_set_mode(m, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(1000);
    prepay_time_t until = m->clock + 600;
    /* Remote mode: balance 0 yet closed, nothing deducted. */
    assert_int_equal(prepay_meter_advance(m, HOUR, &load), PREPAY_OK);
    assert_false(relay_open(m));
    assert_int_equal(m->forward[0], 1000);
    assert_int_equal(m->purse.balance, 0);
    until = m->clock + 600;
    /* 1A trip. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_TRIP, until, 0x12345678u),
                     PREPAY_OK);
    assert_true(relay_open(m));
    assert_int_equal(need_last_of(m, PREPAY_METER_EVENT_TRIP)->detail, 0x12345678u);
    /* 1B close allowed: still open until the button. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_CLOSE_ALLOWED, until, 1), PREPAY_OK);
    assert_true(relay_open(m));
    assert_true(m->relay & PREPAY_METER_RELAY_CLOSE_PENDING);
    assert_int_equal(prepay_meter_press_button(m), PREPAY_OK);
    assert_false(relay_open(m));
    /* 1B with no trip in force: ignored. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_CLOSE_ALLOWED, until, 1), PREPAY_OK);
    assert_false(m->relay & PREPAY_METER_RELAY_CLOSE_PENDING);
    /* 1A then 1C direct close. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_TRIP, until, 2), PREPAY_OK);
    assert_true(relay_open(m));
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_DIRECT_CLOSE, until, 3), PREPAY_OK);
    assert_false(relay_open(m));
    assert_int_equal(need_last_of(m, PREPAY_METER_EVENT_CLOSE)->detail, 3u);
    /* 2A / 2B alarm. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_ALARM, until, 4), PREPAY_OK);
    assert_true(m->relay & PREPAY_METER_RELAY_ALARM);
    assert_false(relay_open(m));
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_ALARM_RELEASE, until, 4), PREPAY_OK);
    assert_false(m->relay & PREPAY_METER_RELAY_ALARM);
    /* 3A keep power: a trip is refused and changes nothing. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_KEEP_POWER, until, 5), PREPAY_OK);
    prepay_meter_t before = *m;
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_TRIP, until, 6),
                     PREPAY_E_METER_KEEP_POWER);
    assert_memory_equal(&before, m, sizeof before);
    /* 3B release: the trip works again. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE, until, 7),
                     PREPAY_OK);
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_TRIP, until, 8), PREPAY_OK);
    assert_true(relay_open(m));
    /* 3A while tripped closes (keep power clears the trip). */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_KEEP_POWER, until, 9), PREPAY_OK);
    assert_false(relay_open(m));
    /* Unknown N1 and an expired command: refused, no change. */
    before = *m;
    assert_int_equal(prepay_meter_relay_command(m, m->clock, 0x55, until, 1), PREPAY_E_DLT645_BAD_RELAY_COMMAND);
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE, m->clock - 1, 1),
                     PREPAY_E_METER_COMMAND_EXPIRED);
    assert_memory_equal(&before, m, sizeof before);
    /* Valid exactly at valid_until (void only once the clock passes it). */
    assert_int_equal(
        prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE, m->clock, 1), PREPAY_OK);
}

static void test_local_mode_commands_and_keep_power(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    prepay_time_t until = m->clock + 10 * 86400;
    assert_int_equal(prepay_meter_recharge(m, m->clock, 5000, 1), PREPAY_OK);
    /* Remote trip outranks money in local mode. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_TRIP, until, 1), PREPAY_OK);
    assert_true(relay_open(m));
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_DIRECT_CLOSE, until, 1), PREPAY_OK);
    assert_false(relay_open(m));
    /* Keep power holds the relay closed through the pre-trip and the cut-off, and the meter keeps deducting. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_KEEP_POWER, until, 1), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(1000);
    assert_int_equal(prepay_meter_advance(m, 60 * HOUR, &load), PREPAY_OK);
    assert_false(relay_open(m));
    assert_int_equal(m->purse.balance, 5000 - 6000);
    /* Release: the money cut-off applies at once. */
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE, until, 1),
                     PREPAY_OK);
    assert_true(relay_open(m));
    /* Local mode needs a tariff. */
    prepay_meter_t blank;
    prepay_dlt645_address_t a = fx_address();
    assert_int_equal(prepay_meter_init(&blank, &a, m->clock), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(&blank, 60, &load), PREPAY_E_METER_NO_TARIFF);
    assert_int_equal(prepay_meter_set_mode(&blank, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(&blank, 3600, &load), PREPAY_OK);
    assert_int_equal(blank.forward[0], 1000);
    assert_int_equal(prepay_meter_set_mode(&blank, PREPAY_METER_MODE_LOCAL), PREPAY_E_METER_NO_TARIFF);
}

static void test_overload_trip(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    assert_int_equal(prepay_meter_set_mode(m, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    assert_int_equal(prepay_meter_set_power_limit(m, 2000, 90), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(2000); /* at the limit: not above */
    assert_int_equal(prepay_meter_advance(m, 600, &load), PREPAY_OK);
    assert_false(relay_open(m));
    load = fx_constant(3600);
    /* 3600 W above 2000 W: trips after exactly 90 s: 3600 x 90 / 3600 = 90 Wh. */
    uint64_t before = (uint64_t)m->forward[0];
    assert_int_equal(prepay_meter_advance(m, 600, &load), PREPAY_OK);
    assert_true(relay_open(m));
    assert_true(m->relay & PREPAY_METER_RELAY_OVERLOAD);
    assert_int_equal((uint64_t)m->forward[0] - before, 90);
    /* The button resets the overload trip. */
    assert_int_equal(prepay_meter_press_button(m), PREPAY_OK);
    assert_false(relay_open(m));
    /* Keep power does not override an overload trip. */
    assert_int_equal(
        prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_KEEP_POWER, m->clock + 60, 1), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(m, 600, &load), PREPAY_OK);
    assert_true(relay_open(m));
}

static void test_condition_events(void **state)
{
    (void)state;
    prepay_meter_t *m = flat_meter();
    assert_int_equal(prepay_meter_set_mode(m, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    prepay_time_t t0 = m->clock;
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, true), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, true), PREPAY_OK); /* repeat: no-op */
    assert_int_equal(prepay_meter_advance(m, 125, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, false), PREPAY_OK);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_COVER_OPEN], 1);
    const prepay_meter_record_t *r = need_last_of(m, PREPAY_METER_EVENT_COVER_OPEN);
    assert_int_equal(r->start, t0);
    assert_int_equal(r->end, t0 + 125);
    for (unsigned c = 1; c < PREPAY_METER_CONDITION_COUNT; c++) {
        assert_int_equal(prepay_meter_report(m, (prepay_meter_condition_t)c, true), PREPAY_OK);
        assert_int_equal(prepay_meter_report(m, (prepay_meter_condition_t)c, false), PREPAY_OK);
    }
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_LOSS_OF_VOLTAGE], 1);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_LOSS_OF_CURRENT], 1);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_REVERSE_PHASE], 1);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_POWER_DOWN], 1);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COUNT, true), PREPAY_E_INVALID_ARGUMENT);
    /* The ring keeps the last PREPAY_METER_EVENT_RECORDS records; counts keep counting. */
    for (unsigned i = 0; i < PREPAY_METER_EVENT_RECORDS + 3u; i++) {
        assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_POWER_DOWN, true), PREPAY_OK);
        assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_POWER_DOWN, false), PREPAY_OK);
    }
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_POWER_DOWN], PREPAY_METER_EVENT_RECORDS + 4u);
    assert_null(last_of(m, PREPAY_METER_EVENT_COVER_OPEN));
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_balance_trips_on_first_decision),
        cmocka_unit_test(test_alarm_pretrip_cutoff_restore),
        cmocka_unit_test(test_close_allowed_amount),
        cmocka_unit_test(test_overdraft_limit),
        cmocka_unit_test(test_recharge_count_rule),
        cmocka_unit_test(test_purse_parameter_checks),
        cmocka_unit_test(test_remote_mode_commands),
        cmocka_unit_test(test_local_mode_commands_and_keep_power),
        cmocka_unit_test(test_overload_trip),
        cmocka_unit_test(test_condition_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
