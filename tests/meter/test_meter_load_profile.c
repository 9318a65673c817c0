/* SPDX-License-Identifier: MIT */
/*
 * Reference meter: load records (04000901, 04000A01..07, class-06 reads),
 * read by the station-side code (request builder, follow-up stitching,
 * decoder) through prepay_meter_handle(). Worked by hand: a constant 2000 W
 * load from 2024-03-01 00:00, records every 15 minutes (class 6 every hour),
 * the meter powered down from 10:07 to 11:52.
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_station.h"

#define RING 200
static prepay_load_record_t ring_records[RING];
static prepay_meter_load_ring_t ring;
static prepay_load_record_t got[RING], want[RING];

static prepay_meter_t *profile_meter(size_t capacity)
{
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_set_mode(m, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    assert_int_equal(prepay_meter_load_ring_init(&ring, ring_records, capacity), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(m, &ring), PREPAY_OK);
    static const uint16_t intervals[6] = {15, 15, 15, 15, 15, 60};
    assert_int_equal(prepay_meter_set_load_profile(m, 0x3F, 0, intervals), PREPAY_OK);
    prepay_meter_instant_t in = m->instant;
    in.voltage[0] = 2201;
    in.voltage[1] = 2202;
    in.voltage[2] = 2203;
    in.current[0] = 9090;
    in.power_factor[0] = 950;
    assert_int_equal(prepay_meter_set_instant(m, &in), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(2000);
    assert_int_equal(prepay_meter_advance(m, fx_time(2024, 3, 1, 10, 7, 0) - m->clock, &load), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_POWER_DOWN, true), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(m, fx_time(2024, 3, 1, 11, 52, 0) - m->clock, &load), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_POWER_DOWN, false), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(m, fx_time(2024, 3, 1, 13, 0, 0) - m->clock, &load), PREPAY_OK);
    return m;
}

/* Records: 00:15 .. 10:00 (40), the gap 10:15 .. 11:45 (powered down), 12:00 .. 13:00 (5). */
static void test_recording_and_gap(void **state)
{
    (void)state;
    prepay_meter_t *m = profile_meter(RING);
    assert_int_equal(ring.count, 45);
    size_t n = 0;
    assert_int_equal(prepay_meter_load_records(m, 0x06000000u, 255, 0, got, RING, &n), PREPAY_OK);
    assert_int_equal(n, 45);
    assert_int_equal(got[0].time, fx_time(2024, 3, 1, 0, 15, 0)); /* 00:00 is where the meter started */
    assert_int_equal(got[0].classes, 0x1F);
    assert_int_equal(got[3].time, fx_time(2024, 3, 1, 1, 0, 0));
    assert_int_equal(got[3].classes, 0x3F); /* class 6 on the hour */
    assert_int_equal(got[39].time, fx_time(2024, 3, 1, 10, 0, 0));
    assert_int_equal(got[40].time, fx_time(2024, 3, 1, 12, 0, 0)); /* the gap */
    assert_int_equal(got[44].time, fx_time(2024, 3, 1, 13, 0, 0));
    /* 00:15: 2000 W x 0.25 h = 500 Wh; 01:00: 2000 Wh; 13:00: the meter ran 13 h minus the 1 h 45 min off...
     * energy still flows while the supply is reported down (the meter integrates what it is given):
     * 13 h x 2000 W = 26000 Wh */
    assert_int_equal(got[0].forward_active_wh, 500);
    assert_int_equal(got[3].forward_active_wh, 2000);
    assert_int_equal(got[44].forward_active_wh, 26000);
    assert_int_equal(got[3].voltage_decivolt[1], 2202);
    assert_int_equal(got[3].current_milliamp[0], 9090);
    assert_int_equal(got[3].power_factor_milli[0], 950);
    assert_int_equal(got[3].active_power_deciwatt[0], 20000);
    assert_int_equal(got[3].active_demand_deciwatt, 20000); /* 15-min window of 2000 W */
    assert_true(got[3].absent & PREPAY_LOAD_FIELD_REACTIVE_DEMAND);
    assert_int_equal(prepay_meter_check_state(m, NULL), PREPAY_OK);
}

static void expect_same(const prepay_load_record_t *a, const prepay_load_record_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].time, b[i].time);
        assert_int_equal(a[i].classes, b[i].classes);
        assert_int_equal(a[i].absent, b[i].absent);
        assert_memory_equal(a[i].voltage_decivolt, b[i].voltage_decivolt, sizeof a[i].voltage_decivolt);
        assert_memory_equal(a[i].current_milliamp, b[i].current_milliamp, sizeof a[i].current_milliamp);
        assert_int_equal(a[i].frequency_centihertz, b[i].frequency_centihertz);
        assert_memory_equal(a[i].active_power_deciwatt, b[i].active_power_deciwatt,
                            sizeof a[i].active_power_deciwatt);
        assert_memory_equal(a[i].power_factor_milli, b[i].power_factor_milli, sizeof a[i].power_factor_milli);
        assert_int_equal(a[i].forward_active_wh, b[i].forward_active_wh);
        assert_int_equal(a[i].reverse_active_wh, b[i].reverse_active_wh);
        assert_int_equal(a[i].active_demand_deciwatt, b[i].active_demand_deciwatt);
    }
}

static void test_station_reads(void **state)
{
    (void)state;
    prepay_meter_t *m = profile_meter(RING);
    size_t n = 0, w = 0;
    unsigned frames = 0;
    /* earliest 2, aggregate: one frame */
    assert_int_equal(st_read_records(m, 0, PREPAY_LOAD_RECORD_EARLIEST, 2, 0, got, RING, &n, &frames), PREPAY_OK);
    assert_int_equal(n, 2);
    assert_int_equal(frames, 1);
    assert_int_equal(prepay_meter_load_records(m, 0x06000000u, 2, 0, want, RING, &w), PREPAY_OK);
    expect_same(got, want, 2);
    /* from 09:50, 4 records: 10:00 then the gap, 12:00, 12:15, 12:30 */
    assert_int_equal(st_read_records(m, 0, PREPAY_LOAD_RECORD_FROM_TIME, 4, fx_time(2024, 3, 1, 9, 50, 0), got,
                                     RING, &n, &frames),
                     PREPAY_OK);
    assert_int_equal(n, 4);
    assert_int_equal(got[0].time, fx_time(2024, 3, 1, 10, 0, 0));
    assert_int_equal(got[1].time, fx_time(2024, 3, 1, 12, 0, 0));
    assert_int_equal(got[3].time, fx_time(2024, 3, 1, 12, 30, 0));
    /* latest 2: 12:45, 13:00 in time order */
    assert_int_equal(st_read_records(m, 0, PREPAY_LOAD_RECORD_LATEST, 2, 0, got, RING, &n, &frames), PREPAY_OK);
    assert_int_equal(n, 2);
    assert_int_equal(got[0].time, fx_time(2024, 3, 1, 12, 45, 0));
    assert_int_equal(got[1].time, fx_time(2024, 3, 1, 13, 0, 0));
    /* class 4 only: the energy curve, 500 Wh per quarter hour */
    assert_int_equal(st_read_records(m, 4, PREPAY_LOAD_RECORD_EARLIEST, 5, 0, got, RING, &n, &frames), PREPAY_OK);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got[i].classes, 0x08);
        assert_int_equal(got[i].forward_active_wh, 500 * (int64_t)(i + 1));
    }
    /* class 6 only: the hourly demand records */
    assert_int_equal(st_read_records(m, 6, PREPAY_LOAD_RECORD_EARLIEST, 3, 0, got, RING, &n, &frames), PREPAY_OK);
    assert_int_equal(n, 3);
    assert_int_equal(got[0].time, fx_time(2024, 3, 1, 1, 0, 0));
    assert_int_equal(got[2].time, fx_time(2024, 3, 1, 3, 0, 0));
    assert_int_equal(got[1].active_demand_deciwatt, 20000);
    /* 30 aggregate records span frames: follow-ups stitched by the station */
    assert_int_equal(st_read_records(m, 0, PREPAY_LOAD_RECORD_EARLIEST, 30, 0, got, RING, &n, &frames), PREPAY_OK);
    assert_int_equal(n, 30);
    assert_true(frames > 10); /* about 90 bytes a record, at most 196 in a frame */
    assert_int_equal(prepay_meter_load_records(m, 0x06000000u, 30, 0, want, RING, &w), PREPAY_OK);
    expect_same(got, want, 30);
    /* nothing from the next day: no data */
    assert_int_equal(st_read_records(m, 0, PREPAY_LOAD_RECORD_FROM_TIME, 4, fx_time(2024, 3, 2, 0, 0, 0), got, RING,
                                     &n, &frames),
                     -(int)PREPAY_DLT645_ERROR_NO_DATA);
}

static void test_follow_up_errors(void **state)
{
    (void)state;
    prepay_meter_t *m = profile_meter(RING);
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t a = m->address;
    /* a follow-up before any read: no data */
    assert_int_equal(prepay_dlt645_request_read_follow_up(&req, &a, 0x06000000u, 1), PREPAY_OK);
    st_exchange(m, &req, &rep);
    assert_true(rep.abnormal);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_NO_DATA);
    /* a read of 20 records: the first frame says more follow */
    assert_int_equal(prepay_load_record_request(&req, &a, 0, PREPAY_LOAD_RECORD_EARLIEST, 20, 0), PREPAY_OK);
    st_exchange(m, &req, &rep);
    prepay_dlt645_read_reply_t rr;
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
    assert_true(rr.follow_up);
    /* SEQ 2 before SEQ 1: refused, and the sequence is over */
    assert_int_equal(prepay_dlt645_request_read_follow_up(&req, &a, 0x06000000u, 2), PREPAY_OK);
    st_exchange(m, &req, &rep);
    assert_true(rep.abnormal);
    assert_int_equal(prepay_dlt645_request_read_follow_up(&req, &a, 0x06000000u, 1), PREPAY_OK);
    st_exchange(m, &req, &rep);
    assert_true(rep.abnormal);
    /* a bad DI: no data */
    uint8_t v[8];
    assert_int_equal(fx_read(m, 0x06070000u, v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
    /* records overwritten during a sequence end it: a ring of 3 */
    prepay_meter_t *small = profile_meter(3);
    assert_int_equal(ring.count, 3);
    assert_int_equal(prepay_load_record_request(&req, &a, 0, PREPAY_LOAD_RECORD_EARLIEST, 3, 0), PREPAY_OK);
    st_exchange(small, &req, &rep);
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
    assert_true(rr.follow_up);
    prepay_meter_load_t load = fx_constant(2000);
    assert_int_equal(prepay_meter_advance(small, 15 * 60, &load), PREPAY_OK); /* 13:15 pushes 12:30 out */
    assert_int_equal(prepay_dlt645_request_read_follow_up(&req, &a, 0x06000000u, 1), PREPAY_OK);
    st_exchange(small, &req, &rep);
    assert_true(rep.abnormal);
}

static void test_parameters(void **state)
{
    (void)state;
    prepay_meter_t *m = profile_meter(RING);
    uint8_t v[8];
    assert_int_equal(fx_read(m, 0x04000901u, v, sizeof v), 1);
    assert_int_equal(v[0], 0x3F);
    assert_int_equal(fx_read(m, 0x04000A07u, v, sizeof v), 2);
    assert_int_equal(v[0], 0x60); /* 0060 minutes, low byte first */
    assert_int_equal(v[1], 0x00);
    assert_int_equal(fx_read(m, 0x04000A01u, v, sizeof v), 4);
    static const uint8_t start[4] = {0x00, 0x00, 0x01, 0x01}; /* 01-01 00:00 (2000): mm hh DD MM */
    assert_memory_equal(v, start, 4);
    /* class 4 only, every 30 minutes from 13:00 (03-01 13:00 in the clock's year) */
    uint8_t mode = 0x08, thirty[2] = {0x30, 0x00}, zero[2] = {0x00, 0x00}, from[4] = {0x00, 0x13, 0x01, 0x03};
    assert_int_equal(fx_write(m, 0x04000901u, FX_PW2, &mode, 1), 0);
    assert_int_equal(fx_write(m, 0x04000A05u, FX_PW2, thirty, 2), 0);
    assert_int_equal(fx_write(m, 0x04000A01u, FX_PW2, from, 4), 0);
    assert_int_equal(fx_write(m, 0x04000A05u, FX_PW2, zero, 2), PREPAY_DLT645_ERROR_OTHER);
    uint8_t bad_mode = 0x40, bad_date[4] = {0x00, 0x13, 0x30, 0x02}; /* Feb 30 */
    assert_int_equal(fx_write(m, 0x04000901u, FX_PW2, &bad_mode, 1), PREPAY_DLT645_ERROR_OTHER);
    assert_int_equal(fx_write(m, 0x04000A01u, FX_PW2, bad_date, 4), PREPAY_DLT645_ERROR_OTHER);
    assert_int_equal(m->load_profile.start, fx_time(2024, 3, 1, 13, 0, 0));
    prepay_meter_load_t load = fx_constant(2000);
    assert_int_equal(prepay_meter_advance(m, 3600, &load), PREPAY_OK);
    size_t n = 0;
    assert_int_equal(prepay_meter_load_records(m, 0x06000002u, 2, 0, got, RING, &n), PREPAY_OK);
    assert_int_equal(n, 2);
    assert_int_equal(got[0].time, fx_time(2024, 3, 1, 13, 30, 0));
    assert_int_equal(got[0].classes, 0x08);
    assert_int_equal(got[1].time, fx_time(2024, 3, 1, 14, 0, 0));
    /* the API refuses what the writes refuse */
    static const uint16_t bad[6] = {15, 15, 15, 15, 15, 1441};
    assert_int_equal(prepay_meter_set_load_profile(m, 0x3F, 0, bad), PREPAY_E_METER_BAD_PROFILE);
    assert_int_equal(prepay_meter_attach_load_ring(m, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_load_records(m, 0x06000000u, 1, 0, got, RING, &n), PREPAY_E_NOT_FOUND);
    assert_int_equal(prepay_meter_load_ring_init(&ring, NULL, 5), PREPAY_E_INVALID_ARGUMENT);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recording_and_gap),
        cmocka_unit_test(test_station_reads),
        cmocka_unit_test(test_follow_up_errors),
        cmocka_unit_test(test_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
