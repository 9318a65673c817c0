/* SPDX-License-Identifier: MIT */
/*
 * Civil calendar arithmetic: date <-> day number, weekday (see civil_time.h).
 *
 * Uses the era-based proleptic Gregorian conversion (400-year eras of
 * 146097 days, years counted from March so the leap day is last), which
 * needs no tables and no loops and is exact for every supported year.
 */
#include "prepay/civil_time.h"

#include "civil_time_internal.h"
#include "prepay/status.h"
#include "wide_internal.h"

/* Day numbers of 0001-01-01 and 9999-12-31 relative to 2000-01-01. */
#define FIRST_DAY (-730119)
#define LAST_DAY 2921939
/* Days from 0000-03-01 (the algorithm's origin) to 2000-01-01. */
#define ORIGIN_TO_2000 PREPAY__ORIGIN_TO_2000

bool prepay_time_is_leap_year(int32_t year)
{
    return prepay__is_leap_year(year);
}

int prepay_time_days_in_month(int32_t year, unsigned month)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12) {
        return PREPAY_E_BAD_DATE;
    }
    return days[month - 1] + ((month == 2 && prepay_time_is_leap_year(year)) ? 1 : 0);
}

int prepay_time_days_from_date(int32_t year, unsigned month, unsigned day, prepay_days_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return prepay__days_from_date(year, month, day, out) ? PREPAY_OK : PREPAY_E_BAD_DATE;
}

int prepay_time_date_from_days(prepay_days_t days, int32_t *year, uint8_t *month, uint8_t *day)
{
    if (!year || !month || !day) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (days < FIRST_DAY || days > LAST_DAY) {
        return PREPAY_E_BAD_DATE;
    }
    int32_t z = days + ORIGIN_TO_2000; /* >= 0 in the supported range */
    int32_t era = z / 146097;
    int32_t day_of_era = z - era * 146097;
    int32_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int32_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int32_t mp = (5 * day_of_year + 2) / 153;
    int32_t d = day_of_year - (153 * mp + 2) / 5 + 1;
    int32_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = year_of_era + era * 400 + (m <= 2 ? 1 : 0);
    *month = (uint8_t)m;
    *day = (uint8_t)d;
    return PREPAY_OK;
}

unsigned prepay_time_weekday(prepay_days_t days)
{
    /* Day 0 (2000-01-01) was a Saturday (6). */
    int32_t r = days % 7;
    if (r < 0) {
        r += 7;
    }
    return (unsigned)((r + 6) % 7);
}

prepay_days_t prepay_time_day_of(prepay_time_t t)
{
    int64_t d = prepay__sdiv64(t, PREPAY_SECONDS_PER_DAY);
    if (t < 0 && prepay__smod64(t, PREPAY_SECONDS_PER_DAY) < 0) {
        d -= 1;
    }
    if (d < INT32_MIN) {
        return INT32_MIN;
    }
    if (d > INT32_MAX) {
        return INT32_MAX;
    }
    return (prepay_days_t)d;
}

int32_t prepay_time_second_of_day(prepay_time_t t)
{
    int64_t s = prepay__smod64(t, PREPAY_SECONDS_PER_DAY);
    if (s < 0) {
        s += PREPAY_SECONDS_PER_DAY;
    }
    return (int32_t)s;
}

int prepay_time_from_civil(const prepay_civil_t *civil, prepay_time_t *out)
{
    if (!civil || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_days_t days;
    int status = prepay_time_days_from_date(civil->year, civil->month, civil->day, &days);
    if (status != PREPAY_OK) {
        return status;
    }
    if (civil->hour > 23 || civil->minute > 59 || civil->second > 59) {
        return PREPAY_E_BAD_TIME;
    }
    *out = (prepay_time_t)days * PREPAY_SECONDS_PER_DAY + civil->hour * 3600 + civil->minute * 60 + civil->second;
    return PREPAY_OK;
}

int prepay_time_to_civil(prepay_time_t t, prepay_civil_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (t < (prepay_time_t)FIRST_DAY * PREPAY_SECONDS_PER_DAY ||
        t >= ((prepay_time_t)LAST_DAY + 1) * PREPAY_SECONDS_PER_DAY) {
        return PREPAY_E_BAD_DATE;
    }
    prepay_days_t days = prepay_time_day_of(t);
    prepay_civil_t c;
    int status = prepay_time_date_from_days(days, &c.year, &c.month, &c.day);
    if (status != PREPAY_OK) {
        return status;
    }
    int32_t s = prepay_time_second_of_day(t);
    c.hour = (uint8_t)(s / 3600);
    c.minute = (uint8_t)(s / 60 % 60);
    c.second = (uint8_t)(s % 60);
    c.weekday = (uint8_t)prepay_time_weekday(days);
    *out = c;
    return PREPAY_OK;
}
