/* SPDX-License-Identifier: MIT */
/*
 * The reference meter with a supervision attached (meter_supervision.h):
 * the simulation feeds the event judgement, load control and voltage
 * qualification, and the handler answers their items over DL/T 645.
 *
 * Expected values worked by hand from the published defaults
 * (tests/vectors/events_judge.txt and load_control.txt name the sources):
 * Un 220.0 V, Ib 5 A, Imax 60 A, single phase.
 * - under-voltage below 78 % Un = 171.6 V, delay 60 s: a sag to 150.0 V from
 *   t0 is judged at t0 + 60, not at t0 + 59;
 * - cover opening is instantaneous: recorded at the first sample with the flag;
 * - load control, limit 2000 W, more than 5 consecutive cycles of 1 s: 3000 W
 *   from t0 trips at t0 + 6 (the 6th cycle), 3000 W x 6 s = 18000 W.s = 5 Wh
 *   kept (5 whole Wh, 0 W.s left); restore after 300 s at t0 + 306;
 * - voltage qualification, upper limit 107 % Un = 235.4 V: ten whole minutes
 *   at 240.0 V are ten monitored minutes over the upper limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "meter_fixtures.h"
#include "prepay/meter_supervision.h"

static prepay_meter_supervision_t sup;

static void set_line(prepay_meter_t *m, uint16_t decivolts, int32_t watts)
{
    prepay_meter_instant_t in;
    memset(&in, 0, sizeof in);
    in.voltage[0] = decivolts;
    in.current[0] = decivolts > 0 ? (int32_t)((int64_t)watts * 10000 / decivolts) : 0; /* mA, PF 1 */
    in.power[0] = in.power[1] = watts * 10;
    in.power_factor[0] = in.power_factor[1] = 1000;
    in.frequency = 5000;
    assert_int_equal(prepay_meter_set_instant(m, &in), PREPAY_OK);
}

static prepay_meter_t *setup_supervised(void)
{
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_supervision_init(&sup, PREPAY_EVENTS_WIRING_SINGLE, 2200, 50000, 600000),
                     PREPAY_OK);
    assert_int_equal(prepay_meter_attach_supervision(m, &sup), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(m, m->clock, 100000, 1), PREPAY_OK);
    set_line(m, 2200, 100);
    return m;
}

static int advance(prepay_meter_t *m, int64_t seconds, int32_t watts)
{
    prepay_meter_load_t load = fx_constant(watts);
    return prepay_meter_advance(m, seconds, &load);
}

static void test_under_voltage_after_exact_delay(void **state)
{
    (void)state;
    prepay_meter_t *m = setup_supervised();
    assert_int_equal(advance(m, 120, 100), PREPAY_OK);
    set_line(m, 1500, 100);
    prepay_time_t t0 = m->clock;
    assert_int_equal(advance(m, 59, 100), PREPAY_OK);
    assert_int_equal(prepay_events_active(&sup.events, PREPAY_EVENTS_UNDER_VOLTAGE, 1), 0);
    assert_int_equal(advance(m, 1, 100), PREPAY_OK);
    assert_int_equal(prepay_events_active(&sup.events, PREPAY_EVENTS_UNDER_VOLTAGE, 1), 1);
    prepay_events_record_t r;
    assert_int_equal(prepay_events_record(&sup.events, PREPAY_EVENTS_UNDER_VOLTAGE, 1, 1, &r), PREPAY_OK);
    assert_int_equal(r.start, t0 + 60);
    assert_int_equal(r.voltage, 1500);

    /* Over the wire: the count item and the active-report word show it. */
    uint8_t v[PREPAY_EVENTS_READ_MAX];
    int64_t di = prepay_events_count_di(PREPAY_EVENTS_UNDER_VOLTAGE, 1);
    assert_true(di > 0);
    int n = fx_read(m, (uint32_t)di, v, sizeof v);
    assert_true(n > 0);
    uint32_t count = 0;
    assert_int_equal(prepay_events_decode_count(v, (size_t)n, &count), PREPAY_OK);
    assert_int_equal(count, 1);
    n = fx_read(m, PREPAY_EVENTS_DI_STATUS_WORD, v, sizeof v);
    assert_true(n >= (int)PREPAY_EVENTS_STATUS_BYTES);
    prepay_events_status_t st;
    assert_int_equal(prepay_events_status_decode(v, (size_t)n, &st), PREPAY_OK);
    int bit = prepay_events_status_bit(PREPAY_EVENTS_UNDER_VOLTAGE, 1);
    assert_true(bit >= 0);
    assert_true(st.word[bit / 8] & (1u << (bit % 8)));

    /* 04001503 with every bit 0 resets the word; the reset is not a programming event. */
    uint8_t zero[PREPAY_EVENTS_STATUS_BYTES];
    memset(zero, 0, sizeof zero);
    uint32_t programmed = 0, seconds = 0;
    assert_int_equal(prepay_events_counts(&sup.events, PREPAY_EVENTS_PROGRAMMING, 0, &programmed, &seconds),
                     PREPAY_OK);
    assert_int_equal(fx_write(m, PREPAY_EVENTS_DI_STATUS_RESET, FX_PW2, zero, sizeof zero), 0);
    n = fx_read(m, PREPAY_EVENTS_DI_STATUS_WORD, v, sizeof v);
    assert_int_equal(prepay_events_status_decode(v, (size_t)n, &st), PREPAY_OK);
    assert_false(st.word[bit / 8] & (1u << (bit % 8)));
    uint32_t after = 0;
    assert_int_equal(prepay_events_counts(&sup.events, PREPAY_EVENTS_PROGRAMMING, 0, &after, &seconds), PREPAY_OK);
    assert_int_equal(after, programmed);

    /* Recovery after the same delay. */
    set_line(m, 2200, 100);
    assert_int_equal(advance(m, 59, 100), PREPAY_OK);
    assert_int_equal(prepay_events_active(&sup.events, PREPAY_EVENTS_UNDER_VOLTAGE, 1), 1);
    assert_int_equal(advance(m, 1, 100), PREPAY_OK);
    assert_int_equal(prepay_events_active(&sup.events, PREPAY_EVENTS_UNDER_VOLTAGE, 1), 0);
}

static void test_cover_open_and_programming(void **state)
{
    (void)state;
    prepay_meter_t *m = setup_supervised();
    assert_int_equal(advance(m, 30, 100), PREPAY_OK);
    assert_int_equal(prepay_meter_set_sensors(m, PREPAY_EVENTS_FLAG_COVER_OPEN), PREPAY_OK);
    prepay_time_t t0 = m->clock;
    assert_int_equal(advance(m, 1, 100), PREPAY_OK);
    prepay_events_record_t r;
    assert_int_equal(prepay_events_record(&sup.events, PREPAY_EVENTS_COVER_OPEN, 0, 1, &r), PREPAY_OK);
    assert_int_equal(r.start, t0); /* observed when the sensor changed, as a meter sampling every second */
    assert_int_equal(prepay_meter_set_sensors(m, 0x80), PREPAY_E_INVALID_ARGUMENT);

    /* A threshold write with a wrong password is refused and recorded; with the right one it is a
     * programming record carrying the DI and the operator code 12345678. */
    uint8_t value[2] = {0x00, 0x25}; /* 04090301 over-voltage trigger 250.0 V, XXX.X */
    assert_int_equal(fx_write(m, 0x04090301u, fx_credentials(2, 0x11), value, 2), PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_int_equal(sup.events.refused_count, 1);
    assert_int_equal(sup.events.refused_last.di, 0x04090301u);
    assert_int_equal(sup.events_params.over_voltage_trigger, 2640);
    assert_int_equal(fx_write(m, 0x04090301u, FX_PW2, value, 2), 0);
    assert_int_equal(sup.events_params.over_voltage_trigger, 2500);
    assert_int_equal(prepay_events_record(&sup.events, PREPAY_EVENTS_PROGRAMMING, 0, 1, &r), PREPAY_OK);
    assert_int_equal(r.detail, 0x04090301u);
    assert_int_equal(r.operator_code, 0x12345678u);
    uint8_t back[4];
    assert_int_equal(fx_read(m, 0x04090301u, back, sizeof back), 2);
    assert_memory_equal(back, value, 2);

    /* A recovery below the trigger contradicts it: refused, nothing changes. */
    uint8_t low[2] = {0x00, 0x15}; /* loss-of-voltage recovery 150.0 V < trigger 171.6 V */
    assert_int_not_equal(fx_write(m, 0x04090102u, FX_PW2, low, 2), 0);
    assert_int_equal(sup.events_params.loss_voltage_recovery, 1870);
}

static void test_load_control_trip_and_restore(void **state)
{
    (void)state;
    prepay_meter_t *m = setup_supervised();
    sup.lc_params.limit_power = 2000;
    assert_int_equal(advance(m, 60, 100), PREPAY_OK);
    prepay_energy_t before = m->forward[0];
    int64_t rem = m->forward_remainder;
    prepay_time_t t0 = m->clock;
    set_line(m, 2200, 3000);
    assert_int_equal(advance(m, 5, 3000), PREPAY_OK);
    assert_false(m->relay & PREPAY_METER_RELAY_OPEN);
    assert_int_equal(advance(m, 1, 3000), PREPAY_OK);
    assert_true(m->relay & PREPAY_METER_RELAY_OPEN);
    assert_true(m->relay & PREPAY_METER_RELAY_LOAD_CONTROL);
#if PREPAY_METER_LC_LAST
    assert_int_equal(sup.lc_last.reason, PREPAY_LC_REASON_OVER_POWER);
#endif
    assert_int_equal(sup.lc.tripped, PREPAY_LC_REASON_OVER_POWER); /* the reason stays in lc */
    assert_int_equal(sup.lc.restore_at, t0 + 306);
    assert_int_equal((m->forward[0] - before) * 3600 + m->forward_remainder - rem, 18000);
    /* Open: nothing more is measured until the restore. */
    assert_int_equal(advance(m, 299, 3000), PREPAY_OK);
    assert_true(m->relay & PREPAY_METER_RELAY_OPEN);
    assert_int_equal((m->forward[0] - before) * 3600 + m->forward_remainder - rem, 18000);
    assert_int_equal(advance(m, 1, 100), PREPAY_OK);
    assert_false(m->relay & PREPAY_METER_RELAY_OPEN);
#if PREPAY_METER_LC_LAST
    assert_int_equal(sup.lc_last.action, PREPAY_LC_RESTORE);
#endif
    assert_int_equal(sup.lc.tripped, 0);

    /* One long advance: each trip is found at its second inside the step. From t1 (restore 1 of
     * the day at t0 + 306): trip 2 at t1+6, restore 2 at t1+306, trip 3 at t1+312, restore 3 at
     * t1+612, trip 4 at t1+618 with the 3 daily restores used: lock-out until a release. */
    prepay_time_t t1 = m->clock;
    assert_int_equal(advance(m, 3600, 3000), PREPAY_OK);
    assert_int_equal(sup.lc.trips, 4);
    assert_int_equal(sup.lc.locked, 1);
#if PREPAY_METER_LC_LAST
    assert_int_equal(sup.lc_last.action, PREPAY_LC_LOCKOUT);
#endif
    /* Energy: 6 s at 3000 W after each closing, 3 closings in the hour: 54000 W.s. */
    /* (the 100 W second before the restore was open) */
    assert_int_equal((m->forward[0] - before) * 3600 + m->forward_remainder - rem, 18000 + 54000);
    (void)t1;

    /* A remote release (1C, direct close) closes a trip at once. */
    assert_true(m->relay & PREPAY_METER_RELAY_OPEN);
    assert_int_equal(prepay_meter_relay_command(m, m->clock, PREPAY_DLT645_RELAY_DIRECT_CLOSE, m->clock + 60, 1),
                     PREPAY_OK);
    assert_false(m->relay & PREPAY_METER_RELAY_LOAD_CONTROL);
    assert_false(m->relay & PREPAY_METER_RELAY_OPEN);
}

static void test_voltage_qualification_minutes(void **state)
{
    (void)state;
    prepay_meter_t *m = setup_supervised();
    set_line(m, 2400, 100);
    assert_int_equal(advance(m, 600, 100), PREPAY_OK);
    prepay_vq_stats_t s;
    assert_int_equal(prepay_vq_stats(&sup.vq, &sup.vq_params, PREPAY_VQ_TODAY, 1, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 10);
    assert_int_equal(s.over_upper, 10);
    assert_int_equal(s.under_lower, 0);
    assert_int_equal(s.max_voltage, 2400);
    /* 03100100-style statistics are answered over the wire (27-byte entry). */
    uint8_t v[64];
    int n = fx_read(m, 0x03100000u, v, sizeof v);
    assert_int_equal(n, (int)PREPAY_VQ_ENTRY_BYTES);
}

static void test_clock_change_recorded(void **state)
{
    (void)state;
    prepay_meter_t *m = setup_supervised();
    assert_int_equal(advance(m, 3600, 100), PREPAY_OK);
    uint8_t time[3] = {0x00, 0x30, 0x00}; /* ss mm hh: 00:30:00, half an hour back */
    prepay_time_t before = m->clock;
    assert_int_equal(fx_write(m, 0x04000102u, FX_PW4, time, 3), 0);
    prepay_events_record_t r;
    assert_int_equal(prepay_events_record(&sup.events, PREPAY_EVENTS_CLOCK_CHANGE, 0, 1, &r), PREPAY_OK);
    assert_int_equal(r.start, before);
    assert_int_equal(r.end, before - 1800);
    /* The simulation goes on from the new time: samples and minutes are not refused. */
    assert_int_equal(advance(m, 3600, 100), PREPAY_OK);
    const char *member = NULL;
    assert_int_equal(prepay_meter_check_state(m, &member), PREPAY_OK);
}

static void test_attach_refuses_bad_supervision(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    prepay_meter_supervision_t s;
    memset(&s, 0, sizeof s);
    assert_int_equal(prepay_meter_attach_supervision(m, &s), PREPAY_E_EVENTS_BAD_STATE);
    assert_null(m->supervision);
    assert_int_equal(prepay_meter_supervision_init(&s, PREPAY_EVENTS_WIRING_SINGLE, 2200, 50000, 600000), PREPAY_OK);
    s.lc_params.daily_restores = 9;
    assert_int_equal(prepay_meter_attach_supervision(m, &s), PREPAY_E_EVENTS_BAD_PARAMETER);
    assert_null(m->supervision);
    assert_int_equal(prepay_meter_set_sensors(m, 0), PREPAY_E_METER_BAD_STATE);
    assert_int_equal(prepay_meter_supervision_init(NULL, PREPAY_EVENTS_WIRING_SINGLE, 2200, 50000, 600000),
                     PREPAY_E_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_under_voltage_after_exact_delay),
        cmocka_unit_test(test_cover_open_and_programming),
        cmocka_unit_test(test_load_control_trip_and_restore),
        cmocka_unit_test(test_voltage_qualification_minutes),
        cmocka_unit_test(test_clock_change_recorded),
        cmocka_unit_test(test_attach_refuses_bad_supervision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
