/* SPDX-License-Identifier: MIT */
/*
 * Internal: the date -> day number conversion of civil_time.c as an inline
 * function, so that decoders of meter clocks (CJ/T 188 901F replies) need no
 * call per field. prepay_time_days_from_date() is this function plus its
 * argument checks.
 */
#ifndef PREPAY_CIVIL_TIME_INTERNAL_H
#define PREPAY_CIVIL_TIME_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "prepay/civil_time.h"

/* Days from 0000-03-01 (the era algorithm's origin) to 2000-01-01. */
#define PREPAY__ORIGIN_TO_2000 730425

static inline bool prepay__is_leap_year(int32_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/*
 * Day number (0 = 2000-01-01) of a proleptic Gregorian date: 400-year eras
 * of 146097 days, years counted from March so the leap day is last. False,
 * and *out untouched, unless year is 1..9999, month 1..12 and day a day of
 * that month.
 */
static inline bool prepay__days_from_date(int32_t year, unsigned month, unsigned day, prepay_days_t *out)
{
    static const uint8_t days_in[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) {
        return false;
    }
    unsigned last = days_in[month - 1] + ((month == 2 && prepay__is_leap_year(year)) ? 1u : 0u);
    if (day > last) {
        return false;
    }
    int32_t y = year - (month <= 2 ? 1 : 0);
    int32_t era = y / 400; /* y >= 0 here */
    int32_t year_of_era = y - era * 400;
    int32_t m = (int32_t)month;
    int32_t day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + (int32_t)day - 1;
    int32_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    *out = era * 146097 + day_of_era - PREPAY__ORIGIN_TO_2000;
    return true;
}

#endif /* PREPAY_CIVIL_TIME_INTERNAL_H */
