/* SPDX-License-Identifier: MIT */
/*
 * prepay report: the readings CSV, turned into report rows per meter,
 * priced by the tariff engine and split at band boundaries.
 */
#ifndef PREPAY_TOOL_REPORT_READINGS_H
#define PREPAY_TOOL_REPORT_READINGS_H

#include <stddef.h>

#include "prepay/report.h"
#include "prepay/tariff_json.h"

#define READINGS_NAME_MAX 64

typedef struct readings_meter {
    char name[READINGS_NAME_MAX];
    size_t account;             /* index into report_readings_t.accounts */
    prepay_report_row_t *rows;  /* heap, time order */
    size_t count;
} readings_meter_t;

typedef struct readings {
    readings_meter_t *meters;   /* sorted by name */
    size_t meter_count;
    char (*accounts)[READINGS_NAME_MAX]; /* sorted by name */
    size_t account_count;
    prepay_time_t first;        /* earliest row start */
    prepay_time_t last;         /* latest row end */
    size_t row_total;
} report_readings_t;

/* Loads and prices a readings file. doc may be NULL (no fees; bands from
 * the file's band column). On error: message in err (file:line: ...),
 * nothing allocated, returns a negative status. */
int report_readings_load(const char *path, const prepay_tariff_doc_t *doc, report_readings_t *out, char *err, size_t err_cap);
void report_readings_free(report_readings_t *r);


#endif
