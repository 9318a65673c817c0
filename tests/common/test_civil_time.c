/* SPDX-License-Identifier: MIT */
/* Known-answer tests for civil_time.h (vectors: tests/vectors/civil_time.txt):
 * calendar arithmetic, DL/T 645 forms, and civil time as text. */
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
        if (strcmp(r->kind, "date") != 0) {
            continue;
        }
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
        /* The same date as text, both ways. */
        char text[PREPAY_TIME_TEXT_MAX];
        prepay_days_t parsed;
        assert_int_equal(prepay_time_format((prepay_time_t)days * PREPAY_SECONDS_PER_DAY, PREPAY_TIME_TEXT_DATE, text,
                                            sizeof text),
                         10);
        assert_string_equal(text, tv_need(r, "date"));
        assert_int_equal(prepay_time_parse_date(text, strlen(text), &parsed), PREPAY_OK);
        assert_int_equal(parsed, days);
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
        assert_int_equal(prepay_time_from_dlt645_date_and_time(want, NULL, true, &midnight), PREPAY_OK);
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
        assert_int_equal(prepay_time_from_dlt645_date_and_time(date4, time3, true, &t2), PREPAY_OK);
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
    assert_int_equal(prepay_time_from_dlt645_date_and_time(bad_day, NULL, false, &t), PREPAY_E_BAD_DATE);
    const uint8_t bad_bcd[4] = {0x03, 0x1A, 0x02, 0x23};
    assert_int_equal(prepay_time_from_dlt645_date_and_time(bad_bcd, NULL, false, &t), PREPAY_E_BAD_BCD);
    /* 2024-11-24 was a Sunday (0); claiming Monday fails only when checked. */
    const uint8_t wrong_weekday[4] = {0x01, 0x24, 0x11, 0x24};
    assert_int_equal(prepay_time_from_dlt645_date_and_time(wrong_weekday, NULL, true, &t), PREPAY_E_BAD_WEEKDAY);
    assert_int_equal(t, 42);
    assert_int_equal(prepay_time_from_dlt645_date_and_time(wrong_weekday, NULL, false, &t), PREPAY_OK);
    const uint8_t weekday7[4] = {0x07, 0x24, 0x11, 0x24};
    assert_int_equal(prepay_time_from_dlt645_date_and_time(weekday7, NULL, false, &t), PREPAY_E_BAD_WEEKDAY);
    const uint8_t bad_hour[3] = {0x00, 0x00, 0x24};
    assert_int_equal(prepay_time_from_dlt645_date_and_time(wrong_weekday, bad_hour, false, &t), PREPAY_E_BAD_TIME);
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

/* ---- civil time as text ------------------------------------------------------ */

/* A vector value, without its double quotes if it has them. */
static const char *unquoted(const char *value, char *buf, size_t cap)
{
    size_t n = strlen(value);
    if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
        assert_true(n - 2 < cap);
        memcpy(buf, value + 1, n - 2);
        buf[n - 2] = '\0';
        return buf;
    }
    return value;
}

static int status_named(const char *name)
{
    static const struct {
        const char *name;
        int status;
    } known[] = {{"PREPAY_E_INVALID_ARGUMENT", PREPAY_E_INVALID_ARGUMENT},
                 {"PREPAY_E_BAD_DATE", PREPAY_E_BAD_DATE},
                 {"PREPAY_E_BAD_TIME", PREPAY_E_BAD_TIME},
                 {"PREPAY_E_BUFFER_TOO_SMALL", PREPAY_E_BUFFER_TOO_SMALL}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(known[i].name, name) == 0) {
            return known[i].status;
        }
    }
    fail_msg("unknown status name %s", name);
    return 0;
}

/* Runs one parser on text; the value is printed the way the vectors write it. */
static int parse_with(const char *function, const char *text, char *value, size_t cap)
{
    size_t len = strlen(text);
    int64_t v = 7777; /* must stay untouched on error */
    int rc;
    if (strcmp(function, "date") == 0) {
        prepay_days_t days = 7777;
        rc = prepay_time_parse_date(text, len, &days);
        v = days;
    } else if (strcmp(function, "date_time") == 0) {
        rc = prepay_time_parse_date_time(text, len, &v);
    } else if (strcmp(function, "instant") == 0) {
        rc = prepay_time_parse(text, len, &v);
    } else if (strcmp(function, "time_of_day") == 0 || strcmp(function, "time_of_day_end") == 0) {
        int32_t second = 7777;
        rc = prepay_time_parse_time_of_day(text, len, strcmp(function, "time_of_day_end") == 0, &second);
        v = second;
    } else {
        assert_string_equal(function, "month_day");
        uint8_t month = 77, day = 77;
        rc = prepay_time_parse_month_day(text, len, &month, &day);
        snprintf(value, cap, "%02u %02u", month, day);
        if (rc != PREPAY_OK) {
            assert_int_equal(month, 77);
            assert_int_equal(day, 77);
        }
        return rc;
    }
    if (rc != PREPAY_OK) {
        assert_int_equal(v, 7777);
    }
    snprintf(value, cap, "%lld", (long long)v);
    return rc;
}

static void test_text_parse_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("civil_time.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "parse") != 0) {
            continue;
        }
        char buf[64], value[64];
        const char *text = unquoted(tv_need(r, "text"), buf, sizeof buf);
        int rc = parse_with(tv_need(r, "function"), text, value, sizeof value);
        const char *status = tv_get(r, "status");
        int want = status ? status_named(status) : PREPAY_OK;
        if (rc != want || (!status && strcmp(value, tv_need(r, "value")) != 0)) {
            fail_msg("line %d: %s(\"%s\") gave status %d value %s", r->line, tv_need(r, "function"), text, rc, value);
        }
        checked++;
    }
    assert_true(checked >= 60);
    tv_free(&file);
}

static void test_text_format_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        prepay_time_text_t form;
    } forms[] = {{"date", PREPAY_TIME_TEXT_DATE},     {"minute", PREPAY_TIME_TEXT_MINUTE},
                 {"second", PREPAY_TIME_TEXT_SECOND}, {"iso", PREPAY_TIME_TEXT_ISO},
                 {"month", PREPAY_TIME_TEXT_MONTH},   {"year", PREPAY_TIME_TEXT_YEAR}};
    tv_file_t file;
    tv_load("civil_time.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "format") != 0) {
            continue;
        }
        for (size_t f = 0; f < sizeof forms / sizeof forms[0] + 2; f++) {
            bool clock = f >= sizeof forms / sizeof forms[0];
            const char *key = clock ? (f == sizeof forms / sizeof forms[0] ? "clock" : "clock_seconds") : forms[f].key;
            const char *want = tv_get(r, key);
            if (!want) {
                continue;
            }
            char out[PREPAY_TIME_TEXT_MAX];
            memset(out, '#', sizeof out);
            int rc = clock ? prepay_time_format_time_of_day((int32_t)strtol(tv_need(r, "second_of_day"), NULL, 10),
                                                            strcmp(key, "clock_seconds") == 0, out, sizeof out)
                           : prepay_time_format(strtoll(tv_need(r, "seconds"), NULL, 10), forms[f].form, out,
                                                sizeof out);
            if (strncmp(want, "PREPAY_E_", 9) == 0) {
                assert_int_equal(rc, status_named(want));
                assert_int_equal(out[0], '#'); /* untouched on error */
            } else {
                if (rc != (int)strlen(want) || strcmp(out, want) != 0) {
                    fail_msg("line %d: %s gave %d \"%s\", want \"%s\"", r->line, key, rc, rc >= 0 ? out : "", want);
                }
            }
            checked++;
        }
    }
    assert_true(checked >= 30);
    tv_free(&file);
}

/* Every instant formats and parses back to itself, in every form that keeps it. */
static void test_text_round_trip(void **state)
{
    (void)state;
    uint32_t x = 12345u;
    for (int i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        uint32_t y = x * 2654435761u;
        /* Spread over years 1..9999: day numbers -730119..2921939. */
        prepay_days_t day = (prepay_days_t)(x % 3652059u) - 730119;
        prepay_time_t t = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY + (prepay_time_t)(y % 86400u);
        char text[PREPAY_TIME_TEXT_MAX];
        prepay_time_t back = 0;
        assert_int_equal(prepay_time_format(t, PREPAY_TIME_TEXT_SECOND, text, sizeof text), 19);
        assert_int_equal(prepay_time_parse_date_time(text, 19, &back), PREPAY_OK);
        assert_int_equal(back, t);
        assert_int_equal(prepay_time_format(t, PREPAY_TIME_TEXT_ISO, text, sizeof text), 19);
        assert_int_equal(prepay_time_parse(text, 19, &back), PREPAY_OK);
        assert_int_equal(back, t);
        assert_int_equal(prepay_time_format(t, PREPAY_TIME_TEXT_MINUTE, text, sizeof text), 16);
        assert_int_equal(prepay_time_parse_date_time(text, 16, &back), PREPAY_OK);
        assert_int_equal(back, t - t % 60 - (t % 60 < 0 ? 60 : 0));
        assert_int_equal(prepay_time_format(t, PREPAY_TIME_TEXT_DATE, text, sizeof text), 10);
        prepay_days_t d = 0;
        assert_int_equal(prepay_time_parse_date(text, 10, &d), PREPAY_OK);
        assert_int_equal(d, day);
        int32_t second = -1;
        assert_int_equal(prepay_time_format_time_of_day((int32_t)(y % 86400u), true, text, sizeof text), 8);
        assert_int_equal(prepay_time_parse_time_of_day(text, 8, false, &second), PREPAY_OK);
        assert_int_equal(second, (int32_t)(y % 86400u));
    }
}

static void test_text_lengths_and_arguments(void **state)
{
    (void)state;
    /* Capacities: exactly enough works, one less writes nothing. */
    char out[PREPAY_TIME_TEXT_MAX + 4];
    memset(out, '#', sizeof out);
    assert_int_equal(prepay_time_format(0, PREPAY_TIME_TEXT_ISO, out, 19), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(out[0], '#');
    assert_int_equal(prepay_time_format(0, PREPAY_TIME_TEXT_ISO, out, 20), 19);
    assert_int_equal(out[19], '\0');
    assert_int_equal(out[20], '#');
    assert_int_equal(prepay_time_format(0, PREPAY_TIME_TEXT_YEAR, out, 4), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_time_format(0, PREPAY_TIME_TEXT_YEAR, out, 5), 4);
    assert_int_equal(prepay_time_format(0, PREPAY_TIME_TEXT_DATE, out, 0), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_time_format(0, PREPAY_TIME_TEXT_DATE, NULL, 20), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_format(0, (prepay_time_text_t)6, out, 20), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_format_time_of_day(0, false, out, 5), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_time_format_time_of_day(0, false, out, 6), 5);
    assert_int_equal(prepay_time_format_time_of_day(0, true, NULL, 9), PREPAY_E_INVALID_ARGUMENT);
    /* Parsers read only the length given: the rest of the buffer does not matter. */
    prepay_time_t t = 0;
    assert_int_equal(prepay_time_parse_date_time("2000-01-01 00:01:00trailing", 16, &t), PREPAY_OK);
    assert_int_equal(t, 60);
    assert_int_equal(prepay_time_parse("2000-01-02 junk", 10, &t), PREPAY_OK);
    assert_int_equal(t, 86400);
    /* NULL pointers. */
    prepay_days_t d;
    int32_t s;
    uint8_t m, dd;
    assert_int_equal(prepay_time_parse_date(NULL, 10, &d), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse_date("2000-01-01", 10, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse_date_time(NULL, 16, &t), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse_date_time("2000-01-01 00:00", 16, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse(NULL, 10, &t), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse("2000-01-01", 10, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse_time_of_day(NULL, 5, false, &s), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse_time_of_day("00:00", 5, false, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse_month_day(NULL, 5, &m, &dd), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse_month_day("01-01", 5, NULL, &dd), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_time_parse_month_day("01-01", 5, &m, NULL), PREPAY_E_INVALID_ARGUMENT);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_vectors),
        cmocka_unit_test(test_invalid_dates),
        cmocka_unit_test(test_dlt645_forms_reject_bad_input),
        cmocka_unit_test(test_text_parse_vectors),
        cmocka_unit_test(test_text_format_vectors),
        cmocka_unit_test(test_text_round_trip),
        cmocka_unit_test(test_text_lengths_and_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
