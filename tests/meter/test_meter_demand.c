/* SPDX-License-Identifier: MIT */
/*
 * Reference meter: sliding-window maximum demand (04000103 / 04000104,
 * 01xxxxxx, 02800004), worked by hand over a constructed minute series with
 * a power-up in the middle of a window, a tariff switch, a settlement, a
 * demand clear and parameter writes over DL/T 645.
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_fixtures.h"

#if PREPAY_METER_DEMAND

/* Band 3 from 00:00, band 2 from 00:20 (every day). */
static void switch_tariff(prepay_tariff_t *t)
{
    fx_make_tariff(t);
    prepay_tou_day_table_t *d = &t->schedule.day_tables[0];
    memset(d, 0, sizeof *d);
    fx_slot(d, 0, 0, 3);
    fx_slot(d, 0, 20, 2);
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

/* Watts of each minute from 2024-03-01 00:00 (index = minute of the day). */
static const int32_t minutes_w[27] = {
    6000, 1200, 2400, 3600, 4800, 6000, 1200, 9600, 600,  600,  600,  3000, 3000, 3000,
    3000, 3000, 12000, 1000, 1000, 1000, 2000, 2000, 2000, 2000, 2000, 7000, 500};

static prepay_meter_t *demand_meter(prepay_time_t at)
{
    switch_tariff(&fx_tariff);
    prepay_dlt645_address_t a = fx_address();
    assert_int_equal(prepay_meter_init(&fx_meter, &a, at), PREPAY_OK);
    assert_int_equal(prepay_meter_bind(&fx_meter, &fx_tariff, NULL, true, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_set_mode(&fx_meter, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    static const uint8_t pw2[3] = {0x22, 0x22, 0x22};
    assert_int_equal(prepay_meter_set_password(&fx_meter, 2, pw2), PREPAY_OK);
    assert_int_equal(prepay_meter_set_demand_period(&fx_meter, 5, 1), PREPAY_OK);
    return &fx_meter;
}

static void advance_to(prepay_meter_t *m, prepay_time_t t, const prepay_meter_load_t *load)
{
    assert_true(t >= m->clock);
    assert_int_equal(prepay_meter_advance(m, t - m->clock, load), PREPAY_OK);
}

/* An 8-byte maximum demand item: XX.XXXX kW (0.1 W units) and its minute. */
static void expect_max(prepay_meter_t *m, uint32_t di, uint64_t tenth_watts, prepay_time_t when)
{
    uint8_t v[64];
    assert_int_equal(fx_read(m, di, v, sizeof v), 8);
    assert_int_equal(fx_bcd(v, 3), tenth_watts);
    uint8_t t[5] = {0};
    if (when != 0) {
        assert_int_equal(prepay_time_to_dlt645_minute(when, t), PREPAY_OK);
    }
    assert_memory_equal(v + 3, t, 5);
}

/*
 * Period 5 min, sliding time 1 min; meter started at 00:00:30.
 * 00:01 is the first whole minute: minutes are counted from there.
 * 00:06: window 00:01-00:06 = (1200+2400+3600+4800+6000)/5 = 3600 W   -> max 3600 @ 00:06 (band 3 too)
 * 00:07: 00:02-00:07 = 18000/5 = 3600 W (not higher)
 * 00:08: 00:03-00:08 = (3600+4800+6000+1200+9600)/5 = 5040 W          -> max 5040 @ 00:08 (band 3 too)
 * power down 00:08:30 .. 00:10:20: the window restarts; 00:11 is the first whole minute after power-up
 * 00:16: 00:11-00:16 = 3000 W; 00:17: (4 x 3000 + 12000)/5 = 4800 W (below 5040)
 * 00:20: band 2 starts: its count restarts (total windows go on: 00:21 = 17000/5 = 3400 W)
 * 00:25: band 2's first whole window 00:20-00:25 = 2000 W -> band 2 max 2000 @ 00:25
 * 00:26: 00:21-00:26 = (4 x 2000 + 7000)/5 = 3000 W -> band 2 max 3000 @ 00:26 (total max stays 5040)
 * 00:27: 00:22-00:27 = (3 x 2000 + 7000 + 500)/5 = 2700 W: the current demand.
 */
static void test_sliding_window(void **state)
{
    (void)state;
    prepay_meter_t *m = demand_meter(fx_time(2024, 3, 1, 0, 0, 30));
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_PROFILE;
    load.profile = minutes_w;
    load.profile_len = 27;
    load.start = fx_time(2024, 3, 1, 0, 0, 0);
    load.step = 60;
    advance_to(m, fx_time(2024, 3, 1, 0, 6, 0), &load);
    assert_int_equal(m->demand.current, 36000);
    expect_max(m, 0x01010000u, 36000, fx_time(2024, 3, 1, 0, 6, 0));
    advance_to(m, fx_time(2024, 3, 1, 0, 8, 30), &load);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_POWER_DOWN, true), PREPAY_OK);
    advance_to(m, fx_time(2024, 3, 1, 0, 10, 20), &load);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_POWER_DOWN, false), PREPAY_OK);
    advance_to(m, fx_time(2024, 3, 1, 0, 15, 0), &load);
    assert_int_equal(m->demand.minutes, 4); /* 00:11 .. 00:15: no window yet */
    advance_to(m, fx_time(2024, 3, 1, 0, 16, 0), &load);
    assert_int_equal(m->demand.current, 30000);
    advance_to(m, fx_time(2024, 3, 1, 0, 27, 0), &load);
    assert_int_equal(m->demand.current, 27000);
    expect_max(m, 0x01010000u, 50400, fx_time(2024, 3, 1, 0, 8, 0));
    expect_max(m, 0x01010300u, 50400, fx_time(2024, 3, 1, 0, 8, 0));
    expect_max(m, 0x01010200u, 30000, fx_time(2024, 3, 1, 0, 26, 0));
    expect_max(m, 0x01010100u, 0, 0);
    expect_max(m, 0x01020000u, 0, 0); /* nothing exported */
    /* current active demand 02800004: 2.7000 kW */
    uint8_t v[64];
    assert_int_equal(fx_read(m, 0x02800004u, v, sizeof v), 3);
    assert_int_equal(fx_bcd(v, 3), 27000);
    /* block 0101FF00: total + tariffs 1..4, 8 bytes each */
    assert_int_equal(fx_read(m, 0x0101FF00u, v, sizeof v), 40);
    assert_int_equal(fx_bcd(v, 3), 50400);
    assert_int_equal(fx_bcd(v + 16, 3), 30000);
    assert_int_equal(fx_bcd(v + 24, 3), 50400);
    /* The settlement on 1 April 00:00 freezes the maxima (0101xx01) and starts them again.
     * The rest of March at 1000 W: windows of 1000 W, below every maximum. */
    prepay_meter_load_t flat = fx_constant(1000);
    advance_to(m, fx_time(2024, 4, 1, 0, 0, 0), &flat);
    expect_max(m, 0x01010001u, 50400, fx_time(2024, 3, 1, 0, 8, 0));
    expect_max(m, 0x01010201u, 30000, fx_time(2024, 3, 1, 0, 26, 0));
    expect_max(m, 0x01010000u, 0, 0);
    advance_to(m, fx_time(2024, 4, 1, 0, 1, 0), &flat);
    expect_max(m, 0x01010000u, 10000, fx_time(2024, 4, 1, 0, 1, 0));
    assert_int_equal(fx_read(m, 0x01010002u, v, sizeof v), 8); /* settlement 2: empty */
    assert_int_equal(fx_bcd(v, 3), 0);
    assert_true(fx_read(m, 0x01010000u + 0x0Du, v, sizeof v) < 0); /* beyond the settlements kept */
    assert_int_equal(prepay_meter_check_state(m, NULL), PREPAY_OK);
}

/* Sliding time = period: block demand, computed only every 5 counted minutes. */
static void test_block_demand(void **state)
{
    (void)state;
    prepay_meter_t *m = demand_meter(fx_time(2024, 3, 2, 6, 0, 0));
    assert_int_equal(prepay_meter_set_demand_period(m, 5, 5), PREPAY_OK);
    /* 06:00 is whole: counting starts at 06:01 (the minute ending at 06:01 was not measured from its start
     * after the restart) -> windows at 06:06, 06:11, ... */
    prepay_meter_load_t a = fx_constant(6000);
    advance_to(m, fx_time(2024, 3, 2, 6, 3, 0), &a);
    prepay_meter_load_t b = fx_constant(600);
    advance_to(m, fx_time(2024, 3, 2, 6, 10, 0), &b);
    /* 06:06 window 06:01-06:06 = (2 x 6000 + 3 x 600)/5 = 2760 W; 06:07..06:10 no window */
    assert_int_equal(m->demand.current, 27600);
    expect_max(m, 0x01010000u, 27600, fx_time(2024, 3, 2, 6, 6, 0));
    advance_to(m, fx_time(2024, 3, 2, 6, 11, 0), &b);
    assert_int_equal(m->demand.current, 6000);
}

static void test_parameters_and_clear(void **state)
{
    (void)state;
    prepay_meter_t *m = demand_meter(fx_time(2024, 3, 2, 6, 0, 0));
    assert_int_equal(prepay_meter_set_demand_period(m, PREPAY_METER_DEMAND_MINUTES + 1u, 1), PREPAY_E_METER_BAD_PROFILE);
    assert_int_equal(prepay_meter_set_demand_period(m, 5, 6), PREPAY_E_METER_BAD_PROFILE); /* window > period */
    assert_int_equal(prepay_meter_set_demand_period(m, 0, 0), PREPAY_E_METER_BAD_PROFILE);
    assert_int_equal(m->demand.period, 5);
    /* 04000103 = 15, 04000104 = 3 over the wire (level 2) */
    uint8_t p15 = 0x15, s3 = 0x03, s20 = 0x20, v[8];
    assert_int_equal(fx_write(m, 0x04000103u, FX_PW2, &p15, 1), 0);
    assert_int_equal(fx_write(m, 0x04000104u, FX_PW2, &s3, 1), 0);
    assert_int_equal(fx_write(m, 0x04000104u, FX_PW2, &s20, 1), PREPAY_DLT645_ERROR_OTHER); /* 20 > 15 */
    assert_int_equal(fx_read(m, 0x04000103u, v, sizeof v), 1);
    assert_int_equal(v[0], 0x15);
    assert_int_equal(fx_read(m, 0x04000104u, v, sizeof v), 1);
    assert_int_equal(v[0], 0x03);
    /* a parameter write restarts the window: 15 minutes from the next whole minute */
    prepay_meter_load_t load = fx_constant(2000);
    advance_to(m, fx_time(2024, 3, 2, 6, 15, 0), &load);
    assert_int_equal(m->demand.minutes, 14);
    assert_int_equal(m->demand.current, 0); /* counted from 06:01: 14 minutes, below the period */
    advance_to(m, fx_time(2024, 3, 2, 6, 16, 0), &load);
    assert_int_equal(m->demand.current, 20000); /* 15 minutes counted, 15 % 3 == 0: the first window */
    expect_max(m, 0x01010000u, 20000, fx_time(2024, 3, 2, 6, 16, 0));
    prepay_meter_load_t more = fx_constant(3500);
    advance_to(m, fx_time(2024, 3, 2, 6, 18, 0), &more);
    assert_int_equal(m->demand.current, 20000); /* 17 minutes: 17 % 3 != 0, no new window */
    advance_to(m, fx_time(2024, 3, 2, 6, 19, 0), &more);
    /* 18 minutes: window 06:04-06:19 = (12 x 2000 + 3 x 3500)/15 = 2300 W */
    assert_int_equal(m->demand.current, 23000);
    expect_max(m, 0x01010000u, 23000, fx_time(2024, 3, 2, 6, 19, 0));
    /* demand clear (function 19) */
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t a = m->address;
    prepay_dlt645_credentials_t c = FX_PW2;
    assert_int_equal(prepay_dlt645_request_clear_demand(&req, &a, &c), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    expect_max(m, 0x01010000u, 0, 0);
    assert_int_equal(m->demand.current, 0);
    assert_int_equal(m->demand.minute_start, 0);
    /* a stored meter with a window longer than its period is refused */
    prepay_meter_t copy = *m;
    copy.demand.slide = 20;
    const char *member = NULL;
    assert_int_equal(prepay_meter_check_state(&copy, &member), PREPAY_E_METER_BAD_STATE);
    assert_string_equal(member, "demand.period");
}

/* Export is reverse demand; a minute's demand in the step loop is exact (W.s), not sampled. */
static void test_reverse_and_partial_steps(void **state)
{
    (void)state;
    prepay_meter_t *m = demand_meter(fx_time(2024, 3, 3, 12, 0, 0));
    /* one-second calls, as a firmware does: -3000 W for 20 s then -1200 W for 40 s every minute */
    for (int s = 0; s < 6 * 60 + 1; s++) {
        prepay_meter_load_t l = fx_constant((s % 60) < 20 ? -3000 : -1200);
        assert_int_equal(prepay_meter_advance(m, 1, &l), PREPAY_OK);
    }
    /* minute energy (3000 x 20 + 1200 x 40) W.s = 108000 W.s -> 1800 W; counting from 12:01 -> window at 12:06 */
    assert_int_equal(m->demand.current, -18000);
    expect_max(m, 0x01020000u, 18000, fx_time(2024, 3, 3, 12, 6, 0));
    expect_max(m, 0x01010000u, 0, 0);
}

#else

/* PREPAY_METER_DEMAND 0: no demand; its DIs answer "no requested data", a clear clears nothing. */
static void test_no_demand(void **state)
{
    (void)state;
    fx_make_tariff(&fx_tariff);
    prepay_dlt645_address_t a = fx_address();
    assert_int_equal(prepay_meter_init(&fx_meter, &a, fx_time(2024, 3, 1, 0, 0, 0)), PREPAY_OK);
    assert_int_equal(prepay_meter_bind(&fx_meter, &fx_tariff, NULL, true, NULL, NULL), PREPAY_OK);
    static const uint8_t pw2[3] = {0x22, 0x22, 0x22};
    assert_int_equal(prepay_meter_set_password(&fx_meter, 2, pw2), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(2000);
    assert_int_equal(prepay_meter_advance(&fx_meter, 3600, &load), PREPAY_OK);
    uint8_t v[64], p15 = 0x15;
    static const uint32_t dis[] = {0x01010000u, 0x0101FF00u, 0x01020001u, 0x02800004u, 0x04000103u, 0x04000104u};
    for (size_t i = 0; i < sizeof dis / sizeof dis[0]; i++) {
        assert_int_equal(fx_read(&fx_meter, dis[i], v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
    }
    assert_int_equal(fx_write(&fx_meter, 0x04000103u, FX_PW2, &p15, 1), PREPAY_DLT645_ERROR_NO_DATA);
    assert_int_equal(prepay_meter_set_demand_period(&fx_meter, 5, 1), PREPAY_E_NOT_FOUND);
    assert_int_equal(prepay_meter_clear_demand(&fx_meter), PREPAY_OK);
    assert_int_equal(prepay_meter_set_demand_period(NULL, 5, 1), PREPAY_E_INVALID_ARGUMENT);
}

#endif

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
#if PREPAY_METER_DEMAND
        cmocka_unit_test(test_sliding_window),
        cmocka_unit_test(test_block_demand),
        cmocka_unit_test(test_parameters_and_clear),
        cmocka_unit_test(test_reverse_and_partial_steps),
#else
        cmocka_unit_test(test_no_demand),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
