/* SPDX-License-Identifier: MIT */
/*
 * Internal: shared helpers of the report module.
 */
#ifndef PREPAY_REPORT_INTERNAL_H
#define PREPAY_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "prepay/report.h"

/* "REPT": marks an initialised report; "RSER" an initialised series. */
#define PREPAY__REPORT_MAGIC 0x52455054u
#define PREPAY__REPORT_SERIES_MAGIC 0x52534552u

static inline bool prepay__report_ready(const prepay_report_t *report)
{
    return report != (const prepay_report_t *)0 && report->magic == PREPAY__REPORT_MAGIC &&
           report->buckets != (prepay_report_bucket_t *)0 && report->cells != (prepay_report_cell_t *)0;
}

/* Days of bucket b that lie inside the report's days (>= 1). */
int32_t prepay__report_covered_days(const prepay_report_t *report, uint32_t bucket);

/* Bucket index holding day d (which must lie in [first_day, end_day)). */
uint32_t prepay__report_bucket_of_day(const prepay_report_t *report, prepay_days_t day);

#endif /* PREPAY_REPORT_INTERNAL_H */
