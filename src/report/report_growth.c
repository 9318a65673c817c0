/* SPDX-License-Identifier: MIT */
/*
 * Growth rates (同比 year-on-year, 环比 period-on-period) with explicit
 * nulls, over a report's cells. Freestanding; see include/prepay/report.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/report.h"
#include "report_internal.h"

static void set_null(prepay_report_growth_t *out, int64_t current, int64_t base, uint8_t reason)
{
    out->rate = 0;
    out->current = current;
    out->base = base;
    out->null_reason = reason;
}

int prepay_report_growth(int64_t current, int64_t base, prepay_report_growth_t *out)
{
    if (out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (base <= 0) {
        set_null(out, current, base, base == 0 ? PREPAY_REPORT_NULL_ZERO_BASE : PREPAY_REPORT_NULL_NEGATIVE_BASE);
        return PREPAY_OK;
    }
    int64_t diff = 0;
    int64_t rate = 0;
    if (prepay_i64_sub(current, base, &diff) != PREPAY_OK ||
        prepay_i64_muldiv(diff, PREPAY_REPORT_RATE_SCALE, base, PREPAY_ROUND_HALF_UP, &rate) != PREPAY_OK) {
        return PREPAY_E_OVERFLOW;
    }
    out->rate = rate;
    out->current = current;
    out->base = base;
    out->null_reason = PREPAY_REPORT_NOT_NULL;
    return PREPAY_OK;
}

/* The measured value of a cell: energy in Wh, or the fee rounded half-up
 * to minor units as a report displays it. */
static int cell_value(const prepay_report_cell_t *cell, unsigned band, prepay_report_measure_t measure, int64_t *out)
{
    prepay_energy_t energy = 0;
    prepay_amount_t fee = {0, 0};
    int status = prepay_report_cell_sum(cell, band, &energy, &fee);
    if (status != PREPAY_OK) {
        return status;
    }
    if (measure == PREPAY_REPORT_ENERGY) {
        *out = energy;
        return PREPAY_OK;
    }
    return prepay_amount_round(fee, PREPAY_ROUND_HALF_UP, out);
}

int prepay_report_compare(const prepay_report_t *report, uint32_t bucket, uint32_t key, unsigned band,
                          prepay_report_measure_t measure, prepay_report_compare_kind_t kind,
                          prepay_report_basis_t basis, prepay_report_growth_t *out)
{
    if (!prepay__report_ready(report) || out == NULL ||
        (measure != PREPAY_REPORT_ENERGY && measure != PREPAY_REPORT_FEE) ||
        (basis != PREPAY_REPORT_BASIS_TOTAL && basis != PREPAY_REPORT_BASIS_PER_DAY) ||
        (kind != PREPAY_REPORT_YOY && kind != PREPAY_REPORT_MOM) ||
        (band >= PREPAY_REPORT_BANDS && band != PREPAY_REPORT_ALL_BANDS)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (bucket >= report->bucket_count) {
        return PREPAY_E_REPORT_BAD_BUCKET;
    }
    if (key >= report->key_count) {
        return PREPAY_E_REPORT_BAD_KEY;
    }
    const prepay_report_cell_t *cur = prepay_report_cell(report, bucket, key);
    int64_t current = 0;
    int status = cell_value(cur, band, measure, &current);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_report_growth_t g;
    if (!prepay_report_cell_has_data(cur)) {
        set_null(&g, 0, 0, PREPAY_REPORT_NULL_NO_DATA);
        *out = g;
        return PREPAY_OK;
    }
    uint32_t base_bucket = 0;
    status = prepay_report_base_bucket(report, bucket, kind, &base_bucket);
    if (status < 0) {
        return status;
    }
    if (status > 0) {
        set_null(&g, current, 0, (uint8_t)status);
        *out = g;
        return PREPAY_OK;
    }
    const prepay_report_cell_t *prev = prepay_report_cell(report, base_bucket, key);
    int64_t base = 0;
    status = cell_value(prev, band, measure, &base);
    if (status != PREPAY_OK) {
        return status;
    }
    if (!prepay_report_cell_has_data(prev)) {
        set_null(&g, current, 0, PREPAY_REPORT_NULL_NO_BASE);
    } else if (basis == PREPAY_REPORT_BASIS_TOTAL) {
        if (report->buckets[bucket].partial || report->buckets[base_bucket].partial) {
            set_null(&g, current, base, PREPAY_REPORT_NULL_PARTIAL);
        } else {
            status = prepay_report_growth(current, base, &g);
        }
    } else {
        /* Means per covered day: rate = (cur db - base dc) / (base dc), exactly. */
        int64_t dc = prepay__report_covered_days(report, bucket);
        int64_t db = prepay__report_covered_days(report, base_bucket);
        int64_t cur_mean = 0;
        int64_t base_mean = 0;
        status = prepay_i64_div_round(current, dc, PREPAY_ROUND_HALF_UP, &cur_mean);
        if (status == PREPAY_OK) {
            status = prepay_i64_div_round(base, db, PREPAY_ROUND_HALF_UP, &base_mean);
        }
        if (status == PREPAY_OK) {
            if (base <= 0) {
                set_null(&g, cur_mean, base_mean,
                         base == 0 ? PREPAY_REPORT_NULL_ZERO_BASE : PREPAY_REPORT_NULL_NEGATIVE_BASE);
            } else {
                int64_t cross_cur = 0;
                int64_t cross_base = 0;
                int64_t diff = 0;
                int64_t rate = 0;
                if (prepay_i64_mul(current, db, &cross_cur) != PREPAY_OK ||
                    prepay_i64_mul(base, dc, &cross_base) != PREPAY_OK ||
                    prepay_i64_sub(cross_cur, cross_base, &diff) != PREPAY_OK ||
                    prepay_i64_muldiv(diff, PREPAY_REPORT_RATE_SCALE, cross_base, PREPAY_ROUND_HALF_UP, &rate) !=
                        PREPAY_OK) {
                    return PREPAY_E_OVERFLOW;
                }
                g.rate = rate;
                g.current = cur_mean;
                g.base = base_mean;
                g.null_reason = PREPAY_REPORT_NOT_NULL;
            }
        }
    }
    if (status != PREPAY_OK) {
        return status;
    }
    *out = g;
    return PREPAY_OK;
}
