/* Known-answer tests for civil_time.h (vectors: tests/vectors/civil_time.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/civil_time.h"
#include "prepay/status.h"
#include "test_support.h"

static void test_date_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("civil_time.txt", &file);
    int checked = 0, with_time = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        int y, m, d;
        assert_int_equal(sscanf(tv_need(r, "date"), "%d-%d-%d", &y, &m, &d), 3);
        long days_want = strtol(tv_need(r, "days"), NULL, 10);
        unsigned weekday_want = (unsigned)strtoul(tv_need(r, "weekday"), NULL, 10);
        prepay_days_t days;
        assert_int_equal(prepay_time_days_from_date(y, (unsigned)m, (unsigned)d, &days), PREPAY_OK);
        assert_int_equal(days, days_want);
        assert_int_equal(prepay_time_weekday(days), weekday_want);
        int32_t y2;
        uint8_t m2, d2;
        assert_int_equal(prepay_time_date_from_days(days, &y2, &m2, &d2), PREPAY_OK);
        assert_int_equal(y2, y);
        assert_int_equal(m2, m);
        assert_int_equal(d2, d);
        checked++;
        const char *time = tv_get(r, "time");
        if (!time) {
            continue;
        }
        with_time++;
        int hh, mm, ss;
        assert_int_equal(sscanf(time, "%d:%d:%d", &hh, &mm, &ss), 3);
        prepay_civil_t c = {y, (uint8_t)m, (uint8_t)d, (uint8_t)hh, (uint8_t)mm, (uint8_t)ss, 0};
        prepay_time_t t;
        assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
        assert_int_equal(t, strtoll(tv_need(r, "seconds"), NULL, 10));
        prepay_civil_t back;
        assert_int_equal(prepay_time_to_civil(t, &back), PREPAY_OK);
        assert_int_equal(back.weekday, weekday_want);
        assert_int_equal(back.second, ss);

        uint8_t want[6], got[6];
        assert_int_equal(tv_hex(tv_need(r, "dlt645_date"), want, sizeof want), 4);
        assert_int_equal(prepay_time_to_dlt645_date(t, got), PREPAY_OK);
        assert_memory_equal(got, want, 4);
        prepay_time_t midnight;
        assert_int_equal(prepay_time_from_dlt645_date_time(want, NULL, true, &midnight), PREPAY_OK);
        assert_int_equal(midnight, (prepay_time_t)days * PREPAY_SECONDS_PER_DAY);
        assert_int_equal(tv_hex(tv_need(r, "dlt645_datetime"), want, sizeof want), 6);
        assert_int_equal(prepay_time_to_dlt645_datetime(t, got), PREPAY_OK);
        assert_memory_equal(got, want, 6);
        prepay_time_t t2;
        assert_int_equal(prepay_time_from_dlt645_datetime(want, &t2), PREPAY_OK);
        assert_int_equal(t2, t);
        /* hhmmss and the date with weekday check give the same instant. */
        uint8_t date4[4], time3[3];
        assert_int_equal(prepay_time_to_dlt645_date(t, date4), PREPAY_OK);
        assert_int_equal(prepay_time_to_dlt645_time(t, time3), PREPAY_OK);
        assert_memory_equal(time3, want, 3);
        assert_int_equal(prepay_time_from_dlt645_date_time(date4, time3, true, &t2), PREPAY_OK);
        assert_int_equal(t2, t);
        /* YYMMDDhhmm drops the seconds. */
        uint8_t minute5[5];
        assert_int_equal(prepay_time_to_dlt645_minute(t, minute5), PREPAY_OK);
        assert_memory_equal(minute5, want + 1, 5);
        assert_int_equal(prepay_time_from_dlt645_minute(minute5, &t2), PREPAY_OK);
        assert_int_equal(t2, t - ss);
    }
    assert_true(checked >= 40);
    assert_true(with_time >= 5);
    tv_free(&file);
}

static void test_invalid_dates(void **state)
{
    (void)state;
    prepay_days_t days = 123;
    assert_int_equal(prepay_time_days_from_date(2023, 2, 29, &days), PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_time_days_from_date(1900, 2, 29, &days), PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_time_days_from_date(2023, 13, 1, &days), PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_time_days_from_date(2023, 0, 1, &days), PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_time_days_from_date(2023, 4, 31, &days), PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_time_days_from_date(0, 1, 1, &days), PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_time_days_from_date(10000, 1, 1, &days), PREPAY_E_BAD_DATE);
    assert_int_equal(days, 123);
    assert_int_equal(prepay_time_days_from_date(2023, 1, 1, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_days_in_month(2024, 2), 29);
    assert_int_equal(prepay_time_days_in_month(2023, 2), 28);
    assert_int_equal(prepay_time_days_in_month(2023, 12), 31);
    assert_int_equal(prepay_time_days_in_month(2023, 13), PREPAY_E_BAD_DATE);
    int32_t y;
    uint8_t m, d;
    assert_int_equal(prepay_time_date_from_days(-730120, &y, &m, &d), PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_time_date_from_days(2921940, &y, &m, &d), PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_time_date_from_days(0, NULL, &m, &d), PREPAY_E_INVALID_ARGUMENT);

    prepay_civil_t c = {2024, 1, 1, 24, 0, 0, 0};
    prepay_time_t t = 5;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_E_BAD_TIME);
    c.hour = 23;
    c.minute = 60;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_E_BAD_TIME);
    c.minute = 0;
    c.second = 60;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_E_BAD_TIME);
    c.second = 0;
    c.day = 32;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_E_BAD_DATE);
    assert_int_equal(t, 5);
    assert_int_equal(prepay_time_to_civil(INT64_MAX, &c), PREPAY_E_BAD_DATE);

    /* Negative times: 1999-12-31 23:59:59 is -1. */
    assert_int_equal(prepay_time_day_of(-1), -1);
    assert_int_equal(prepay_time_second_of_day(-1), 86399);
    assert_int_equal(prepay_time_to_civil(-1, &c), PREPAY_OK);
    assert_int_equal(c.year, 1999);
    assert_int_equal(c.hour, 23);
    assert_int_equal(c.weekday, 5); /* Friday */
}

static void test_dlt645_forms_reject_bad_input(void **state)
{
    (void)state;
    prepay_time_t t = 42;
    /* 2023-02-29 does not exist: WW DD MM YY = 03 29 02 23. */
    const uint8_t bad_day[4] = {0x03, 0x29, 0x02, 0x23};
    assert_int_equal(prepay_time_from_dlt645_date_time(bad_day, NULL, false, &t), PREPAY_E_BAD_DATE);
    const uint8_t bad_bcd[4] = {0x03, 0x1A, 0x02, 0x23};
    assert_int_equal(prepay_time_from_dlt645_date_time(bad_bcd, NULL, false, &t), PREPAY_E_BAD_BCD);
    /* 2024-11-24 was a Sunday (0); claiming Monday fails only when checked. */
    const uint8_t wrong_weekday[4] = {0x01, 0x24, 0x11, 0x24};
    assert_int_equal(prepay_time_from_dlt645_date_time(wrong_weekday, NULL, true, &t), PREPAY_E_BAD_WEEKDAY);
    assert_int_equal(t, 42);
    assert_int_equal(prepay_time_from_dlt645_date_time(wrong_weekday, NULL, false, &t), PREPAY_OK);
    const uint8_t weekday7[4] = {0x07, 0x24, 0x11, 0x24};
    assert_int_equal(prepay_time_from_dlt645_date_time(weekday7, NULL, false, &t), PREPAY_E_BAD_WEEKDAY);
    const uint8_t bad_hour[3] = {0x00, 0x00, 0x24};
    assert_int_equal(prepay_time_from_dlt645_date_time(wrong_weekday, bad_hour, false, &t), PREPAY_E_BAD_TIME);
    const uint8_t bad_minute[6] = {0x00, 0x60, 0x10, 0x01, 0x01, 0x24};
    assert_int_equal(prepay_time_from_dlt645_datetime(bad_minute, &t), PREPAY_E_BAD_TIME);
    const uint8_t bad_month[5] = {0x00, 0x10, 0x01, 0x13, 0x24};
    assert_int_equal(prepay_time_from_dlt645_minute(bad_month, &t), PREPAY_E_BAD_DATE);
    uint8_t out[6] = {0};
    prepay_days_t day_2100;
    assert_int_equal(prepay_time_days_from_date(2100, 1, 1, &day_2100), PREPAY_OK);
    assert_int_equal(prepay_time_to_dlt645_datetime((prepay_time_t)day_2100 * PREPAY_SECONDS_PER_DAY, out),
                     PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_time_to_dlt645_date(-1, out), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_time_to_dlt645_minute(-1, out), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_time_to_dlt645_time(0, NULL), PREPAY_E_INVALID_ARGUMENT);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_vectors),
        cmocka_unit_test(test_invalid_dates),
        cmocka_unit_test(test_dlt645_forms_reject_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
