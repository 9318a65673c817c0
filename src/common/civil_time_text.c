/* SPDX-License-Identifier: MIT */
/*
 * Civil time as text: the one grammar of dates and times (see civil_time.h).
 *
 * Strict by design: every field has its exact number of digits, the text
 * has nothing around it, and a well-formed text that names no real instant
 * (2023-02-29, 23:60) is refused rather than normalised. Malformed text is
 * PREPAY_E_INVALID_ARGUMENT; a well-formed date or time that does not exist
 * is PREPAY_E_BAD_DATE or PREPAY_E_BAD_TIME. No libc.
 */
#include "prepay/civil_time.h"
#include "prepay/status.h"

#define DATE_LEN 10u         /* YYYY-MM-DD */
#define CLOCK_LEN 5u         /* hh:mm */
#define CLOCK_SECONDS_LEN 8u /* hh:mm:ss */

/* Reads exactly n decimal digits. */
static bool read_digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10u + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Writes v as exactly n digits (v < 10^n). */
static void write_digits(char *s, unsigned v, size_t n)
{
    for (size_t i = n; i > 0; i--) {
        s[i - 1] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    }
}

int prepay_time_parse_date(const char *text, size_t len, prepay_days_t *out)
{
    if (!text || !out || len != DATE_LEN) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    char sep = text[4];
    unsigned year, month, day;
    if ((sep != '-' && sep != '/') || text[7] != sep || !read_digits(text, 4, &year) ||
        !read_digits(text + 5, 2, &month) || !read_digits(text + 8, 2, &day)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return prepay_time_days_from_date((int32_t)year, month, day, out);
}

int prepay_time_parse_time_of_day(const char *text, size_t len, bool allow_end_of_day, int32_t *out)
{
    if (!text || !out || (len != CLOCK_LEN && len != CLOCK_SECONDS_LEN)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned hour, minute, second = 0;
    if (text[2] != ':' || !read_digits(text, 2, &hour) || !read_digits(text + 3, 2, &minute) ||
        (len == CLOCK_SECONDS_LEN && (text[5] != ':' || !read_digits(text + 6, 2, &second)))) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (hour == 24 && minute == 0 && second == 0 && allow_end_of_day) {
        *out = PREPAY_SECONDS_PER_DAY;
        return PREPAY_OK;
    }
    if (hour > 23 || minute > 59 || second > 59) {
        return PREPAY_E_BAD_TIME;
    }
    *out = (int32_t)(hour * 3600u + minute * 60u + second);
    return PREPAY_OK;
}

int prepay_time_parse_date_time(const char *text, size_t len, prepay_time_t *out)
{
    if (!text || !out || len < DATE_LEN + 1u || (text[DATE_LEN] != 'T' && text[DATE_LEN] != ' ')) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_days_t day;
    int32_t second;
    /* Shape first: a malformed time is malformed text even when the date is bad. */
    int status = prepay_time_parse_time_of_day(text + DATE_LEN + 1u, len - DATE_LEN - 1u, false, &second);
    if (status == PREPAY_E_INVALID_ARGUMENT) {
        return status;
    }
    int date_status = prepay_time_parse_date(text, DATE_LEN, &day);
    if (date_status != PREPAY_OK) {
        return date_status;
    }
    if (status != PREPAY_OK) {
        return status;
    }
    *out = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY + second;
    return PREPAY_OK;
}

int prepay_time_parse(const char *text, size_t len, prepay_time_t *out)
{
    if (len != DATE_LEN) {
        return prepay_time_parse_date_time(text, len, out);
    }
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_days_t day;
    int status = prepay_time_parse_date(text, len, &day);
    if (status == PREPAY_OK) {
        *out = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY;
    }
    return status;
}

int prepay_time_parse_month_day(const char *text, size_t len, uint8_t *month, uint8_t *day)
{
    if (!text || !month || !day || len != CLOCK_LEN) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned m, d;
    if (text[2] != '-' || !read_digits(text, 2, &m) || !read_digits(text + 3, 2, &d)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int days_in_month = prepay_time_days_in_month(2000, m); /* a leap year: 02-29 exists */
    if (days_in_month < 0 || d < 1 || d > (unsigned)days_in_month) {
        return PREPAY_E_BAD_DATE;
    }
    *month = (uint8_t)m;
    *day = (uint8_t)d;
    return PREPAY_OK;
}

/* Copies the finished text and its NUL, or nothing when it does not fit. */
static int emit(const char *text, size_t n, char *out, size_t out_cap)
{
    if (n + 1u > out_cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = text[i];
    }
    out[n] = '\0';
    return (int)n;
}

/* "hh:mm" or "hh:mm:ss" into s; returns the length. */
static size_t write_clock(char *s, unsigned hour, unsigned minute, unsigned second, bool with_seconds)
{
    write_digits(s, hour, 2);
    s[2] = ':';
    write_digits(s + 3, minute, 2);
    if (!with_seconds) {
        return CLOCK_LEN;
    }
    s[5] = ':';
    write_digits(s + 6, second, 2);
    return CLOCK_SECONDS_LEN;
}

int prepay_time_format(prepay_time_t t, prepay_time_text_t form, char *out, size_t out_cap)
{
    if (!out || (unsigned)form > (unsigned)PREPAY_TIME_TEXT_YEAR) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_civil_t c;
    int status = prepay_time_to_civil(t, &c);
    if (status != PREPAY_OK) {
        return status;
    }
    static const size_t date_len[] = {DATE_LEN, DATE_LEN, DATE_LEN, DATE_LEN, 7u, 4u};
    char text[PREPAY_TIME_TEXT_MAX];
    size_t n = date_len[form];
    write_digits(text, (unsigned)c.year, 4);
    text[4] = '-';
    write_digits(text + 5, c.month, 2);
    text[7] = '-';
    write_digits(text + 8, c.day, 2);
    if (form == PREPAY_TIME_TEXT_MINUTE || form == PREPAY_TIME_TEXT_SECOND || form == PREPAY_TIME_TEXT_ISO) {
        text[n++] = form == PREPAY_TIME_TEXT_ISO ? 'T' : ' ';
        n += write_clock(text + n, c.hour, c.minute, c.second, form != PREPAY_TIME_TEXT_MINUTE);
    }
    return emit(text, n, out, out_cap);
}

int prepay_time_format_time_of_day(int32_t second_of_day, bool with_seconds, char *out, size_t out_cap)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (second_of_day < 0 || second_of_day > PREPAY_SECONDS_PER_DAY) {
        return PREPAY_E_BAD_TIME;
    }
    unsigned s = (unsigned)second_of_day;
    char text[CLOCK_SECONDS_LEN];
    size_t n = write_clock(text, s / 3600u, s / 60u % 60u, s % 60u, with_seconds);
    return emit(text, n, out, out_cap);
}
