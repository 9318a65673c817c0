/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the report tests: civil times, rows, small parsers.
 */
#ifndef REPORT_TEST_UTIL_H
#define REPORT_TEST_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/report.h"

static inline prepay_days_t day_of(int32_t y, unsigned m, unsigned d)
{
    prepay_days_t out = 0;
    if (prepay_time_days_from_date(y, m, d, &out) != PREPAY_OK) {
        abort();
    }
    return out;
}

static inline prepay_time_t at(int32_t y, unsigned m, unsigned d, unsigned hh, unsigned mm)
{
    return (prepay_time_t)day_of(y, m, d) * PREPAY_SECONDS_PER_DAY + (prepay_time_t)hh * 3600 +
           (prepay_time_t)mm * 60;
}

static inline prepay_report_row_t row_of(prepay_time_t start, uint32_t seconds, int64_t energy, uint8_t band,
                                         int64_t fee_units, uint32_t fee_nanos)
{
    prepay_report_row_t r;
    memset(&r, 0, sizeof r);
    r.start = start;
    r.seconds = seconds;
    r.energy = energy;
    r.band = band;
    r.fee.units = fee_units;
    r.fee.nanos = fee_nanos;
    return r;
}

#endif
