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
 * Day number (0 = 2000-01-01) of a proleptic Gregorian date, years counted
 * from March so the leap day is last. False, and *out untouched, unless year
 * is 1..9999, month 1..12 and day a day of that month. Unsigned arithmetic throughout (every quantity is >= 0 here):
 * divisions by constants need no sign corrections; a year divisible by 100
 * is a leap year when it is divisible by 16 (then by 400).
 */
static inline bool prepay__days_from_date(int32_t year, unsigned month, unsigned day, prepay_days_t *out)
{
    static const uint8_t days_in[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    /* Days from 1 March to the first of each month, January and February last. */
    static const uint16_t from_march[12] = {306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) {
        return false;
    }
    const uint32_t uyear = (uint32_t)year;
    if (day > days_in[month - 1]) {
        const bool leap = uyear % 100u != 0 ? (uyear & 3u) == 0 : (uyear & 15u) == 0;
        if (month != 2 || day != 29 || !leap) {
            return false;
        }
    }
    /* Years from March: 365 days each, plus the leap days before, y / 4 - y / 100 + y / 400
     * (y / 400 is (y / 100) / 4); the same count as 400-year eras of 146097 days. */
    const uint32_t y = uyear - (month <= 2 ? 1u : 0u);
    const uint32_t centuries = y / 100u;
    const uint32_t days = y * 365u + (y >> 2) - centuries + (centuries >> 2) + from_march[month - 1] + (day - 1u);
    *out = (prepay_days_t)days - PREPAY__ORIGIN_TO_2000;
    return true;
}

#endif /* PREPAY_CIVIL_TIME_INTERNAL_H */
