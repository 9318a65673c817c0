/* SPDX-License-Identifier: MIT */
/*
 * Meter registers: exact integration, slot edges, remainders, reverse
 * energy, load kinds, freezes and the price switch-over.
 *
 * Every expected value is worked by hand in the comment beside it, from the
 * fixture tariff of meter_fixtures.h (valley 00-08, flat 08-10, peak 10-12,
 * flat 12-18, peak 18-21, flat 21-23, valley 23-24; peak 0.80, flat 0.50,
 * valley 0.30 yuan/kWh).
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_fixtures.h"

/* Runs with no load (relay state irrelevant) until the given time. */
static void idle_until(prepay_meter_t *m, prepay_time_t t)
{
    assert_true(t >= m->clock);
    assert_int_equal(prepay_meter_advance(m, t - m->clock, NULL), PREPAY_OK);
}

static void test_load_across_slot_edge(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    idle_until(m, fx_time(2024, 3, 1, 9, 30, 0));
    prepay_meter_load_t load = fx_constant(1000);
    assert_int_equal(prepay_meter_advance(m, 3600, &load), PREPAY_OK);
    /* 1000 W x 1 h = 1000 Wh: 09:30-10:00 flat 500 Wh, 10:00-10:30 peak 500 Wh. */
    assert_int_equal(m->forward[0], 1000);
    assert_int_equal(m->forward[3], 500);
    assert_int_equal(m->forward[2], 500);
    assert_int_equal(m->forward[1], 0);
    assert_int_equal(m->forward[4], 0);
    /* 0.5 kWh x 0.50 + 0.5 kWh x 0.80 = 0.25 + 0.40 = 0.65 yuan = 65 fen. */
    assert_int_equal(m->purse.balance, 10000 - 65);
    assert_int_equal(m->clock, fx_time(2024, 3, 1, 10, 30, 0));
}

static void test_edge_to_the_wh(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    idle_until(m, fx_time(2024, 3, 1, 9, 59, 30));
    prepay_meter_load_t load = fx_constant(3600);
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_OK);
    /* 3600 W x 30 s = 108000 Ws = 30 Wh on each side of 10:00. */
    assert_int_equal(m->forward[3], 30);
    assert_int_equal(m->forward[2], 30);
    assert_int_equal(m->forward[0], 60);
    assert_int_equal(m->forward_remainder, 0);
}

static void test_half_hour_and_minute_edges(void **state)
{
    (void)state;
    /* Day table: 00:00 valley, 07:30 flat, 07:31 peak, 08:00 valley (half-hour and one-minute slots). */
    prepay_meter_t *m = fx_setup();
    prepay_tou_day_table_t *d = &fx_tariff.schedule.day_tables[0];
    memset(d, 0, sizeof *d);
    fx_slot(d, 0, 0, 4);
    fx_slot(d, 7, 30, 3);
    fx_slot(d, 7, 31, 2);
    fx_slot(d, 8, 0, 4);
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, NULL, true, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    idle_until(m, fx_time(2024, 3, 1, 7, 29, 30));
    prepay_meter_load_t load = fx_constant(3600);
    assert_int_equal(prepay_meter_advance(m, 180, &load), PREPAY_OK);
    /* 3600 W = 1 Wh per second: valley 07:29:30-07:30 = 30 Wh, flat 07:30-07:31 = 60 Wh,
     * peak 07:31-07:32:30 = 90 Wh. */
    assert_int_equal(m->forward[4], 30);
    assert_int_equal(m->forward[3], 60);
    assert_int_equal(m->forward[2], 90);
    /* 30 x 0.30 + 60 x 0.50 + 90 x 0.80 = 9 + 30 + 72 = 111 x 0.001 yuan = 11.1 fen: 11 fen due. */
    assert_int_equal(m->purse.balance, 10000 - 11);
}

static void test_sub_wh_remainder(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    idle_until(m, fx_time(2024, 3, 1, 7, 0, 0));
    prepay_meter_load_t load = fx_constant(1);
    /* 1 W x 3599 s = 3599 Ws: not yet a Wh. */
    assert_int_equal(prepay_meter_advance(m, 3599, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 0);
    assert_int_equal(m->forward_remainder, 3599);
    /* One more second completes the first Wh at 08:00:00, inside the valley step 07:59-08:00. */
    assert_int_equal(prepay_meter_advance(m, 1, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 1);
    assert_int_equal(m->forward[4], 1);
    /* The next 3600 Ws (08:00-09:00) complete in the flat band. */
    assert_int_equal(prepay_meter_advance(m, 3600, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 2);
    assert_int_equal(m->forward[3], 1);
    assert_int_equal(m->forward_remainder, 0);
}

static void test_many_small_advances_equal_one(void **state)
{
    (void)state;
    /* 7 W in 1-second calls for 10 minutes = 4200 Ws = 1 Wh + 600 Ws, as one 600-second call. */
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(7);
    for (int i = 0; i < 600; i++) {
        assert_int_equal(prepay_meter_advance(m, 1, &load), PREPAY_OK);
    }
    assert_int_equal(m->forward[0], 1);
    assert_int_equal(m->forward_remainder, 600);
}

static void test_reverse_energy_not_deducted(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    idle_until(m, fx_time(2024, 3, 1, 12, 0, 0));
    prepay_meter_load_t load = fx_constant(-2000);
    assert_int_equal(prepay_meter_advance(m, 1800, &load), PREPAY_OK);
    /* 2000 W x 1800 s = 3.6e6 Ws = 1000 Wh reverse, flat band; forward untouched, no charge. */
    assert_int_equal(m->reverse[0], 1000);
    assert_int_equal(m->reverse[3], 1000);
    assert_int_equal(m->forward[0], 0);
    assert_int_equal(m->purse.balance, 10000);
    /* Active power reads as -2.0000 kW = -20000 (0.1 W). */
    assert_int_equal(m->instant.power[0], -20000);
}

static void test_profile_load(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    static const int32_t profile[3] = {1000, 0, 2000};
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_PROFILE;
    load.profile = profile;
    load.profile_len = 3;
    load.step = 600;
    load.start = m->clock;
    /* One cycle of 30 min: (1000 + 0 + 2000) W x 600 s = 1.8e6 Ws = 500 Wh; two cycles 1000 Wh. */
    assert_int_equal(prepay_meter_advance(m, 1800, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 500);
    assert_int_equal(prepay_meter_advance(m, 1800, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 1000);
    /* A profile that started before the meter clock repeats backwards too: start 5 steps later, index -5 mod 3 = 1. */
    load.start = m->clock + 5 * 600;
    assert_int_equal(prepay_meter_advance(m, 600, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 1000); /* profile[1] = 0 W */
}

static int calls;
static int32_t callback_load(void *context, prepay_time_t at)
{
    (void)at;
    calls++;
    return *(const int32_t *)context;
}

static void test_callback_load(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    int32_t watts = 360;
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_CALLBACK;
    load.callback = callback_load;
    load.context = &watts;
    load.step = 10;
    calls = 0;
    /* 360 W x 600 s = 216000 Ws = 60 Wh; asked once per 10-second step: 60 calls. */
    assert_int_equal(prepay_meter_advance(m, 600, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 60);
    assert_int_equal(calls, 60);
}

static void test_bad_load_changes_nothing(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_PROFILE; /* no profile */
    prepay_time_t before = m->clock;
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_E_METER_BAD_LOAD);
    load.kind = (prepay_meter_load_kind_t)9;
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_E_METER_BAD_LOAD);
    assert_int_equal(prepay_meter_advance(m, -1, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(m->clock, before);
    prepay_meter_t blank;
    memset(&blank, 0, sizeof blank);
    assert_int_equal(prepay_meter_advance(&blank, 1, NULL), PREPAY_E_METER_BAD_STATE);
}

static void test_daily_and_settlement_freeze(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 900000, 1), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(500);
    /* 500 W for 24 h = 12000 Wh: valley 00-08 & 23-24 = 9 h = 4500 Wh, flat 2+6+2 = 10 h = 5000 Wh,
     * peak 2+3 = 5 h = 2500 Wh. */
    assert_int_equal(prepay_meter_advance(m, 86400, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 12000);
    assert_int_equal(m->forward[4], 4500);
    assert_int_equal(m->forward[3], 5000);
    assert_int_equal(m->forward[2], 2500);
    /* Frozen at 2024-03-02 00:00 in 0.01 kWh: 12.00 kWh = 1200. */
    assert_int_equal(m->daily[0].time, fx_time(2024, 3, 2, 0, 0, 0));
    assert_int_equal(m->daily[0].forward[0], 1200);
    assert_int_equal(m->daily[0].forward[4], 450);
    uint8_t v[64];
    assert_int_equal(fx_read(m, 0x05060001u, v, sizeof v), 5); /* freeze time YYMMDDhhmm: 00 00 02 03 24 */
    static const uint8_t when[5] = {0x00, 0x00, 0x02, 0x03, 0x24};
    assert_memory_equal(v, when, 5);
    assert_int_equal(fx_read(m, 0x05060101u, v, sizeof v), 20); /* total + 4 tariffs */
    assert_int_equal(fx_bcd(v, 4), 1200);
    /* No settlement yet (day 1 00:00 is the start, not crossed): 00010001 has no data. */
    assert_int_equal(fx_read(m, 0x00010001u, v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
    /* Run with no load to 2024-04-01 00:00: settlement snapshot of 12.00 kWh. */
    idle_until(m, fx_time(2024, 4, 1, 0, 0, 0));
    assert_int_equal(m->settlement[0].time, fx_time(2024, 4, 1, 0, 0, 0));
    assert_int_equal(fx_read(m, 0x00010001u, v, sizeof v), 4);
    assert_int_equal(fx_bcd(v, 4), 1200);
    /* Daily ring: [0] is 04-01, [1] is 03-31. */
    assert_int_equal(m->daily[1].time, fx_time(2024, 3, 31, 0, 0, 0));
}

static void test_price_switch_over(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    fx_make_tariff(&fx_tariff_b);
    for (int b = 0; b < 4; b++) {
        fx_tariff_b.prices.band_price[b] *= 2;
    }
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, &fx_tariff_b, true, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    /* Switch-over to the second price set at 2024-03-01 10:01 (04000108, YYMMDDhhmm: 01 10 01 03 24). */
    static const uint8_t at[5] = {0x01, 0x10, 0x01, 0x03, 0x24};
    assert_int_equal(fx_write(m, 0x04000108u, FX_PW2, at, 5), 0);
    idle_until(m, fx_time(2024, 3, 1, 10, 0, 0));
    prepay_meter_load_t load = fx_constant(3600);
    assert_int_equal(prepay_meter_advance(m, 120, &load), PREPAY_OK);
    /* 60 Wh at 0.80 + 60 Wh at 1.60 = 0.048 + 0.096 = 0.144 yuan = 14.4 fen: 14 fen due (half-up). */
    assert_int_equal(m->forward[2], 120);
    assert_int_equal(m->purse.balance, 10000 - 14);
    uint8_t v[8];
    assert_int_equal(fx_read(m, 0x04050202u, v, sizeof v), 4); /* set-2 peak price 1.6000 */
    assert_int_equal(fx_bcd(v, 4), 16000);
}

static void test_clock_set_back_defers_pricing(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    idle_until(m, fx_time(2024, 3, 1, 12, 0, 0));
    prepay_meter_load_t load = fx_constant(3600);
    /* 120 Wh flat at 0.50 = 6 fen. */
    assert_int_equal(prepay_meter_advance(m, 120, &load), PREPAY_OK);
    assert_int_equal(m->purse.balance, 9994);
    /* Broadcast time sync 2 minutes back. */
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, m->clock - 120), PREPAY_OK);
    uint8_t wire[64], out[64];
    int n = prepay_dlt645_encode(&req, wire, sizeof wire);
    assert_int_equal(prepay_meter_handle(m, m->clock, wire, (size_t)n, out, sizeof out), 0);
    assert_int_equal(m->clock, fx_time(2024, 3, 1, 12, 0, 0));
    /* The replayed minutes are registered at once but priced only past 12:02 (the priced position). */
    assert_int_equal(prepay_meter_advance(m, 120, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 240);
    assert_int_equal(m->unpriced, 120);
    assert_int_equal(m->purse.balance, 9994);
    /* 12:02-12:03: 60 Wh + the 120 waiting = 180 Wh at 0.50 = 9 fen; in all 120 + 120 + 60 = 300 Wh
     * = 15 fen: nothing lost, nothing charged twice. */
    assert_int_equal(prepay_meter_advance(m, 60, &load), PREPAY_OK);
    assert_int_equal(m->unpriced, 0);
    assert_int_equal(m->purse.balance, 10000 - 15);
}

static void test_tariff_beyond_registers(void **state)
{
    (void)state;
    /* Band 5 exists in the tariff but the meter keeps 4 registers: energy goes to the total only. */
    prepay_meter_t *m = fx_setup();
    fx_tariff.band_count = 5;
    fx_tariff.prices.band_price[4] = FX_PRICE(1000);
    fx_tariff.schedule.day_tables[0].slots[0].band = 5; /* 00:00-08:00 deep valley */
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, NULL, true, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(1000);
    assert_int_equal(prepay_meter_advance(m, 3600, &load), PREPAY_OK);
    assert_int_equal(m->forward[0], 1000);
    assert_int_equal(m->forward[1] + m->forward[2] + m->forward[3] + m->forward[4], 0);
    /* 1 kWh x 0.10 = 10 fen. */
    assert_int_equal(m->purse.balance, 10000 - 10);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_across_slot_edge),
        cmocka_unit_test(test_edge_to_the_wh),
        cmocka_unit_test(test_half_hour_and_minute_edges),
        cmocka_unit_test(test_sub_wh_remainder),
        cmocka_unit_test(test_many_small_advances_equal_one),
        cmocka_unit_test(test_reverse_energy_not_deducted),
        cmocka_unit_test(test_profile_load),
        cmocka_unit_test(test_callback_load),
        cmocka_unit_test(test_bad_load_changes_nothing),
        cmocka_unit_test(test_daily_and_settlement_freeze),
        cmocka_unit_test(test_price_switch_over),
        cmocka_unit_test(test_clock_set_back_defers_pricing),
        cmocka_unit_test(test_tariff_beyond_registers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
