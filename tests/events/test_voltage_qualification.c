/* SPDX-License-Identifier: MIT */
/*
 * Voltage qualification: minute counting and rates (tests/vectors/voltage_qualification.txt),
 * the 0310 entry, a day with an outage, day and month rollover, a clock change
 * crossing a month, 3P3W phase B, and bad input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "events_test_util.h"

static void single_params(prepay_vq_params_t *p)
{
    assert_int_equal(prepay_vq_params_default(p, PREPAY_EVENTS_WIRING_SINGLE, 2200), PREPAY_OK);
    /* GB/T 12325: 235.4 V / 198.0 V; band 154.0 V / 264.0 V. */
    assert_int_equal(p->upper_limit, 2354);
    assert_int_equal(p->lower_limit, 1980);
    assert_int_equal(p->assess_lower, 1540);
    assert_int_equal(p->assess_upper, 2640);
}

static void feed(prepay_vq_state_t *st, const prepay_vq_params_t *p, prepay_time_t t, int32_t u)
{
    int32_t v[PREPAY_EVENTS_PHASES] = {0};
    v[0] = u;
    assert_int_equal(prepay_vq_minute(st, p, t, v), PREPAY_OK);
}

static void test_day_vector(void **unused)
{
    (void)unused;
    tv_file_t file;
    tv_load("voltage_qualification.txt", &file);
    prepay_vq_params_t p;
    single_params(&p);
    size_t days = 0, rates = 0;
    for (size_t r = 0; r < file.count; r++) {
        const tv_record_t *rec = &file.records[r];
        if (strcmp(rec->kind, "rates") == 0) {
            prepay_vq_stats_t s;
            memset(&s, 0, sizeof s);
            s.monitored = (uint32_t)atol(tv_need(rec, "monitored"));
            s.over_upper = (uint32_t)atol(tv_need(rec, "out"));
            uint32_t q, o;
            assert_int_equal(prepay_vq_rates(&s, &q, &o), PREPAY_OK);
            assert_int_equal(o, atol(tv_need(rec, "over")));
            assert_int_equal(q, atol(tv_need(rec, "qualified")));
            if (s.monitored > 0) {
                /* The firmware formula gives the same. */
                uint64_t fw = ((uint64_t)s.over_upper * 100000u / s.monitored + 5u) / 10u;
                assert_int_equal(fw, o);
            }
            rates++;
            continue;
        }
        prepay_vq_state_t st;
        assert_int_equal(prepay_vq_init(&st), PREPAY_OK);
        prepay_time_t t = ev_time(2024, 3, 1, 10, 0, 0);
        const char *text = tv_need(rec, "minutes");
        char *end;
        int minutes = 0;
        for (long u = strtol(text, &end, 10); end != text; u = strtol(text, &end, 10)) {
            feed(&st, &p, t + 60 * minutes++, (int32_t)u);
            text = end;
        }
        prepay_vq_stats_t s;
        assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_TODAY, 1, &s), PREPAY_OK);
        assert_int_equal(s.monitored, atol(tv_need(rec, "monitored")));
        assert_int_equal(s.over_upper, atol(tv_need(rec, "over_upper")));
        assert_int_equal(s.under_lower, atol(tv_need(rec, "under_lower")));
        int vmax, mmax, vmin, mmin;
        assert_int_equal(sscanf(tv_need(rec, "max"), "%d %d", &vmax, &mmax), 2);
        assert_int_equal(sscanf(tv_need(rec, "min"), "%d %d", &vmin, &mmin), 2);
        assert_int_equal(s.max_voltage, vmax);
        assert_int_equal(s.max_time, t + 60 * mmax);
        assert_int_equal(s.min_voltage, vmin);
        assert_int_equal(s.min_time, t + 60 * mmin);
        uint32_t q, o;
        assert_int_equal(prepay_vq_rates(&s, &q, &o), PREPAY_OK);
        assert_int_equal(o, atol(tv_need(rec, "over_rate")));
        assert_int_equal(q, atol(tv_need(rec, "qualified_rate")));
        /* The total of a single-phase meter is phase A. */
        prepay_vq_stats_t total;
        assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_THIS_MONTH, 0, &total), PREPAY_OK);
        assert_memory_equal(&total, &s, sizeof s);
        uint8_t want[32], got[32];
        int n = tv_hex(tv_need(rec, "entry"), want, sizeof want);
        assert_int_equal(n, 27);
        assert_int_equal(prepay_vq_read(&st, &p, 0x03100100u, got, sizeof got), 27);
        assert_memory_equal(got, want, 27);
        assert_int_equal(prepay_vq_read(&st, &p, 0x03100000u, got, sizeof got), 27);
        assert_memory_equal(got, want, 27);
        prepay_vq_stats_t back;
        uint32_t bq, bo;
        assert_int_equal(prepay_vq_decode(got, 27, 2024, &back, &bq, &bo), PREPAY_OK);
        assert_memory_equal(&back, &s, sizeof s);
        /* The extremes' year is the caller's: with PREPAY_RECORD_TIME32 a year whose times 32 bits
         * from 2000 cannot hold is refused (the record keeps uint32 seconds since 2000). */
        if (s.max_time != 0) {
            assert_int_equal(prepay_vq_decode(got, 27, 2099, &back, NULL, NULL), PREPAY_OK);
            assert_int_equal(prepay_vq_decode(got, 27, 1999, &back, NULL, NULL),
                             PREPAY_RECORD_TIME32 ? PREPAY_E_EVENTS_BAD_DATA : PREPAY_OK);
            assert_int_equal(prepay_vq_decode(got, 27, 2137, &back, NULL, NULL),
                             PREPAY_RECORD_TIME32 ? PREPAY_E_EVENTS_BAD_DATA : PREPAY_OK);
        }
        assert_int_equal(bq, q);
        assert_int_equal(prepay_vq_read(&st, &p, 0x03100100u, got, 26), PREPAY_E_BUFFER_TOO_SMALL);
        days++;
    }
    assert_int_equal(days, 1);
    assert_int_equal(rates, 5);
    tv_free(&file);
}

static void test_rollover(void **unused)
{
    (void)unused;
    prepay_vq_params_t p;
    single_params(&p);
    prepay_vq_state_t st;
    assert_int_equal(prepay_vq_init(&st), PREPAY_OK);
    /* January 31: 23:58 over (240.0 V), 23:59 qualified; February 1 00:00 under (190.0 V). */
    feed(&st, &p, ev_time(2024, 1, 31, 23, 58, 0), 2400);
    feed(&st, &p, ev_time(2024, 1, 31, 23, 59, 30), 2200);
    feed(&st, &p, ev_time(2024, 2, 1, 0, 0, 0), 1900);
    prepay_vq_stats_t s;
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_YESTERDAY, 1, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 2);
    assert_int_equal(s.over_upper, 1);
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_TODAY, 1, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 1);
    assert_int_equal(s.under_lower, 1);
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_LAST_MONTH, 1, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 2);
    assert_int_equal(s.max_voltage, 2400);
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_THIS_MONTH, 1, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 1);
    /* 0310 0101: last month, 2 monitored, over-limit 50.00 %. */
    uint8_t out[27];
    assert_int_equal(prepay_vq_read(&st, &p, 0x03100101u, out, sizeof out), 27);
    assert_memory_equal(out, ((uint8_t[]){0x02, 0, 0, 0x00, 0x50, 0x00, 0x00, 0x50, 0x00}), 9);
    /* The same minute again, or an earlier one: refused, nothing changes. */
    prepay_vq_state_t before = st;
    int32_t v[PREPAY_EVENTS_PHASES] = {2200};
    assert_int_equal(prepay_vq_minute(&st, &p, ev_time(2024, 2, 1, 0, 0, 59), v), PREPAY_E_EVENTS_TIME_ORDER);
    v[0] = -1;
    assert_int_equal(prepay_vq_minute(&st, &p, ev_time(2024, 2, 1, 0, 1, 0), v), PREPAY_E_EVENTS_BAD_SAMPLE);
    assert_memory_equal(&st, &before, sizeof st);
    /* A clock change from February 1 to March 2 crosses a month: February goes to last month, January back one. */
    assert_int_equal(prepay_vq_clock_changed(&st, ev_time(2024, 3, 2, 12, 0, 0)), PREPAY_OK);
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_LAST_MONTH, 1, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 1);
    assert_int_equal(s.under_lower, 1);
    if (PREPAY_VQ_MONTHS >= 2) {
        assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_LAST_MONTH + 1, 1, &s), PREPAY_OK);
        assert_int_equal(s.monitored, 2);
    }
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_THIS_MONTH, 1, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 0);
    /* Yesterday is not the day before March 2: empty. */
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_YESTERDAY, 1, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 0);
    feed(&st, &p, ev_time(2024, 3, 2, 12, 0, 0), 2200);
}

/* A day with a 2-hour outage: 1440 minutes, 120 at 0 V are not monitored; 1320 qualified. */
static void test_day_with_outage(void **unused)
{
    (void)unused;
    prepay_vq_params_t p;
    single_params(&p);
    prepay_vq_state_t st;
    assert_int_equal(prepay_vq_init(&st), PREPAY_OK);
    prepay_time_t t = ev_time(2024, 3, 5, 0, 0, 0);
    for (int m = 0; m < 1440; m++) {
        feed(&st, &p, t + 60 * m, (m >= 600 && m < 720) ? 0 : 2200);
    }
    feed(&st, &p, t + 86400, 2200);
    prepay_vq_stats_t s;
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_YESTERDAY, 1, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 1320);
    uint32_t q, o;
    assert_int_equal(prepay_vq_rates(&s, &q, &o), PREPAY_OK);
    assert_int_equal(q, 10000);
    assert_int_equal(o, 0);
}

static void test_three_wire_phase_b(void **unused)
{
    (void)unused;
    if (PREPAY_EVENTS_PHASES != 3) {
        skip();
    }
    prepay_vq_params_t p;
    /* 100 V three-phase secondary: +-7 % = 107.0 / 93.0 V; band 70.0 / 120.0 V. */
    assert_int_equal(prepay_vq_params_default(&p, PREPAY_EVENTS_WIRING_3P3W, 1000), PREPAY_OK);
    assert_int_equal(p.upper_limit, 1070);
    assert_int_equal(p.lower_limit, 930);
    prepay_vq_state_t st;
    assert_int_equal(prepay_vq_init(&st), PREPAY_OK);
    int32_t v[PREPAY_EVENTS_PHASES];
    v[0] = 1080; /* A over */
    v[PREPAY_EVENTS_PHASES > 1 ? 1 : 0] = 0;
    v[PREPAY_EVENTS_PHASES - 1] = 1000;
    assert_int_equal(prepay_vq_minute(&st, &p, ev_time(2024, 3, 5, 0, 0, 0), v), PREPAY_OK);
    prepay_vq_stats_t s;
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_TODAY, 2, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 1); /* B forced qualified although 0 V */
    assert_int_equal(s.over_upper + s.under_lower, 0);
    assert_int_equal(prepay_vq_stats(&st, &p, PREPAY_VQ_TODAY, 0, &s), PREPAY_OK);
    assert_int_equal(s.monitored, 3);
    assert_int_equal(s.over_upper, 1);
}

static void test_limits_parameters(void **unused)
{
    (void)unused;
    prepay_vq_params_t p;
    single_params(&p);
    uint8_t b[2];
    assert_int_equal(prepay_vq_params_read(&p, 0x04000E03u, b, sizeof b), 2);
    assert_memory_equal(b, ((uint8_t[]){0x54, 0x23}), 2);
    /* Upper limit 150.0 V below the lower limit: refused, nothing changes. */
    prepay_vq_params_t before = p;
    assert_int_equal(prepay_vq_params_write(&p, 0x04000E03u, (uint8_t[]){0x00, 0x15}, 2),
                     PREPAY_E_EVENTS_CONTRADICTION);
    assert_int_equal(prepay_vq_params_write(&p, 0x04090C02u, (uint8_t[]){0x0F, 0x15}, 2), PREPAY_E_EVENTS_BAD_DATA);
    assert_memory_equal(&p, &before, sizeof p);
    assert_int_equal(prepay_vq_params_write(&p, 0x04090C02u, (uint8_t[]){0x00, 0x16}, 2), PREPAY_OK);
    assert_int_equal(p.assess_lower, 1600);
    uint8_t entry[27] = {0};
    entry[3] = 0x9A; /* not BCD */
    prepay_vq_stats_t s;
    assert_int_equal(prepay_vq_decode(entry, 27, 2024, &s, NULL, NULL), PREPAY_E_EVENTS_BAD_DATA);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : "tests/vectors");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_vector),        cmocka_unit_test(test_rollover),
        cmocka_unit_test(test_day_with_outage),   cmocka_unit_test(test_three_wire_phase_b),
        cmocka_unit_test(test_limits_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
