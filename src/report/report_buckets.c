/* SPDX-License-Identifier: MIT */
/*
 * Report calendar: bucket counts and bounds (day, ISO 8601 week, month,
 * year), report initialisation, and the base bucket of a YoY / MoM
 * comparison. Freestanding; see include/prepay/report.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/report.h"
#include "report_internal.h"

/* Reports cover years 2..9998, so that the calendar period around any day
 * (a week may start in the previous year) stays inside the calendar range
 * of civil_time.h (years 1..9999). */
#define REPORT_FIRST_YEAR 2
#define REPORT_LAST_YEAR 9998

static bool day_range_ok(prepay_days_t first_day, prepay_days_t end_day)
{
    prepay_days_t lo = 0;
    prepay_days_t hi = 0;
    if (prepay_time_days_from_date(REPORT_FIRST_YEAR, 1, 1, &lo) != PREPAY_OK ||
        prepay_time_days_from_date(REPORT_LAST_YEAR, 12, 31, &hi) != PREPAY_OK) {
        return false;
    }
    return first_day >= lo && first_day < end_day && end_day - 1 <= hi;
}

/* Monday of the ISO week holding day d (ISO 8601: weeks start on Monday). */
static prepay_days_t monday_of(prepay_days_t d)
{
    unsigned wd = prepay_time_weekday(d); /* 0 = Sunday */
    unsigned from_monday = (wd + 6u) % 7u;
    return d - (prepay_days_t)from_monday;
}

/* ISO week-numbering year and week of day d: the year of the week's
 * Thursday, and the week's position in that year (ISO 8601 clause 3.2.2). */
static int iso_week_of(prepay_days_t d, int32_t *iso_year, uint8_t *week)
{
    prepay_days_t thursday = monday_of(d) + 3;
    int32_t y;
    uint8_t m;
    uint8_t dd;
    int status = prepay_time_date_from_days(thursday, &y, &m, &dd);
    prepay_days_t jan1 = 0;
    if (status == PREPAY_OK) {
        status = prepay_time_days_from_date(y, 1, 1, &jan1);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    *iso_year = y;
    *week = (uint8_t)((thursday - jan1) / 7 + 1);
    return PREPAY_OK;
}

/* The calendar period of @p period holding day d. */
static int bucket_at(prepay_report_period_t period, prepay_days_t d, prepay_report_bucket_t *out)
{
    int32_t y;
    uint8_t m;
    uint8_t dd;
    int status = prepay_time_date_from_days(d, &y, &m, &dd);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_report_bucket_t b;
    memset(&b, 0, sizeof b);
    b.year = y;
    switch (period) {
    case PREPAY_REPORT_DAY:
        b.first_day = d;
        b.end_day = d + 1;
        b.month = m;
        b.day = dd;
        break;
    case PREPAY_REPORT_WEEK:
        b.first_day = monday_of(d);
        b.end_day = b.first_day + 7;
        status = iso_week_of(d, &b.year, &b.week);
        break;
    case PREPAY_REPORT_MONTH:
        b.month = m;
        b.first_day = d - (prepay_days_t)(dd - 1u);
        b.end_day = b.first_day + prepay_time_days_in_month(y, m);
        break;
    case PREPAY_REPORT_YEAR:
        status = prepay_time_days_from_date(y, 1, 1, &b.first_day);
        b.end_day = b.first_day + (prepay_time_is_leap_year(y) ? 366 : 365);
        break;
    default:
        return PREPAY_E_REPORT_BAD_PERIOD;
    }
    if (status != PREPAY_OK) {
        return status;
    }
    *out = b;
    return PREPAY_OK;
}

int prepay_report_bucket_count(prepay_report_period_t period, prepay_days_t first_day, prepay_days_t end_day,
                               uint32_t *count)
{
    if (count == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (period < PREPAY_REPORT_DAY || period > PREPAY_REPORT_YEAR || !day_range_ok(first_day, end_day)) {
        return PREPAY_E_REPORT_BAD_PERIOD;
    }
    prepay_report_bucket_t first;
    prepay_report_bucket_t last;
    if (bucket_at(period, first_day, &first) != PREPAY_OK || bucket_at(period, end_day - 1, &last) != PREPAY_OK) {
        return PREPAY_E_REPORT_BAD_PERIOD;
    }
    int32_t n;
    switch (period) {
    case PREPAY_REPORT_DAY: n = end_day - first_day; break;
    case PREPAY_REPORT_WEEK: n = (last.first_day - first.first_day) / 7 + 1; break;
    case PREPAY_REPORT_MONTH: n = (last.year - first.year) * 12 + (int32_t)last.month - (int32_t)first.month + 1; break;
    default: n = last.year - first.year + 1; break;
    }
    *count = (uint32_t)n;
    return PREPAY_OK;
}

int prepay_report_init(prepay_report_t *report, prepay_report_period_t period, prepay_days_t first_day,
                       prepay_days_t end_day, uint32_t key_count, prepay_report_bucket_t *buckets, size_t bucket_cap,
                       prepay_report_cell_t *cells, size_t cell_cap)
{
    if (report == NULL || buckets == NULL || cells == NULL || key_count == 0u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t n = 0;
    int status = prepay_report_bucket_count(period, first_day, end_day, &n);
    if (status != PREPAY_OK) {
        return status;
    }
    if (bucket_cap < n || (uint64_t)n * key_count > (uint64_t)cell_cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay_days_t d = first_day;
    for (uint32_t i = 0; i < n; i++) {
        prepay_report_bucket_t b;
        status = bucket_at(period, d, &b);
        if (status != PREPAY_OK) {
            return status; /* not reached: the range was checked */
        }
        b.partial = b.first_day < first_day || b.end_day > end_day;
        buckets[i] = b;
        d = b.end_day;
    }
    memset(cells, 0, (size_t)n * key_count * sizeof cells[0]);
    memset(report, 0, sizeof *report);
    report->period = period;
    report->first_day = first_day;
    report->end_day = end_day;
    report->bucket_count = n;
    report->key_count = key_count;
    report->buckets = buckets;
    report->cells = cells;
    report->magic = PREPAY__REPORT_MAGIC;
    return PREPAY_OK;
}

int32_t prepay__report_covered_days(const prepay_report_t *report, uint32_t bucket)
{
    const prepay_report_bucket_t *b = &report->buckets[bucket];
    prepay_days_t lo = b->first_day > report->first_day ? b->first_day : report->first_day;
    prepay_days_t hi = b->end_day < report->end_day ? b->end_day : report->end_day;
    return hi - lo;
}

uint32_t prepay__report_bucket_of_day(const prepay_report_t *report, prepay_days_t day)
{
    /* Buckets are contiguous and sorted: binary search on first_day. */
    uint32_t lo = 0;
    uint32_t hi = report->bucket_count;
    while (hi - lo > 1u) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (report->buckets[mid].first_day <= day) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Whether ISO year y has a week 53: its 28 December is in week 53. */
static bool has_week_53(int32_t y)
{
    prepay_days_t dec28 = 0;
    int32_t iso_year = 0;
    uint8_t week = 0;
    return prepay_time_days_from_date(y, 12, 28, &dec28) == PREPAY_OK && iso_week_of(dec28, &iso_year, &week) == PREPAY_OK &&
           week == 53u;
}

int prepay_report_base_bucket(const prepay_report_t *report, uint32_t bucket, prepay_report_compare_kind_t kind,
                              uint32_t *base)
{
    if (!prepay__report_ready(report) || base == NULL ||
        (kind != PREPAY_REPORT_YOY && kind != PREPAY_REPORT_MOM)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (bucket >= report->bucket_count) {
        return PREPAY_E_REPORT_BAD_BUCKET;
    }
    if (kind == PREPAY_REPORT_MOM || report->period == PREPAY_REPORT_YEAR) {
        if (bucket == 0u) {
            return PREPAY_REPORT_NULL_NO_BASE;
        }
        *base = bucket - 1u;
        return PREPAY_REPORT_NOT_NULL;
    }
    const prepay_report_bucket_t *b = &report->buckets[bucket];
    prepay_days_t target = 0;
    switch (report->period) {
    case PREPAY_REPORT_MONTH:
        if (bucket < 12u) {
            return PREPAY_REPORT_NULL_NO_BASE;
        }
        *base = bucket - 12u;
        return PREPAY_REPORT_NOT_NULL;
    case PREPAY_REPORT_DAY:
        if (b->month == 2u && b->day == 29u) {
            return PREPAY_REPORT_NULL_NO_COUNTERPART;
        }
        if (prepay_time_days_from_date(b->year - 1, b->month, b->day, &target) != PREPAY_OK) {
            return PREPAY_REPORT_NULL_NO_BASE;
        }
        break;
    default: { /* WEEK: the same week number of the previous ISO year */
        prepay_days_t jan4 = 0;
        if (b->week == 53u && !has_week_53(b->year - 1)) {
            return PREPAY_REPORT_NULL_NO_COUNTERPART;
        }
        if (prepay_time_days_from_date(b->year - 1, 1, 4, &jan4) != PREPAY_OK) {
            return PREPAY_REPORT_NULL_NO_BASE;
        }
        /* Week 1 is the week with 4 January (ISO 8601 clause 3.2.2). */
        target = monday_of(jan4) + 7 * ((prepay_days_t)b->week - 1);
        break;
    }
    }
    if (target < report->buckets[0].first_day) {
        return PREPAY_REPORT_NULL_NO_BASE;
    }
    *base = prepay__report_bucket_of_day(report, target);
    return PREPAY_REPORT_NOT_NULL;
}
