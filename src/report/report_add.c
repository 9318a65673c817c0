/* SPDX-License-Identifier: MIT */
/*
 * Adding series to a report: row checks, splitting at midnight, the hot
 * bucketing loop; cell access and roll-up into groups. Freestanding; see
 * include/prepay/report.h.
 *
 * Exactness and "change nothing on error": two guards on the report (the
 * sum of all energy added, and the sum of |fee units| + 1 of all rows) bound
 * every cell, because energy is never negative and each cell holds a part
 * of those sums. A chunk whose rows would push a guard past INT64_MAX is
 * refused, so no cell addition can overflow and the hot loop needs no
 * per-addition check. When a row fails its checks, the rows of the chunk
 * already added are subtracted again by the same (deterministic) split.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/report.h"
#include "report_internal.h"

#define NANOS_PER_UNIT 1000000000

int prepay_report_series_init(prepay_report_series_t *series, uint32_t key)
{
    if (series == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    series->magic = PREPAY__REPORT_SERIES_MAGIC;
    series->key = key;
    series->position = INT64_MIN;
    series->rows = 0;
    return PREPAY_OK;
}

static inline prepay_days_t floor_day(prepay_time_t t)
{
    prepay_time_t q = t / PREPAY_SECONDS_PER_DAY;
    if (t % PREPAY_SECONDS_PER_DAY < 0) {
        q--;
    }
    return (prepay_days_t)q;
}

/* Adds (sign +1) or subtracts (sign -1) an exact amount in place. Both are
 * normalised; the guards keep the units from overflowing. */
static inline void amount_accumulate(prepay_amount_t *into, prepay_amount_t a, int sign)
{
    if (sign > 0) {
        uint32_t nanos = into->nanos + a.nanos;
        uint32_t carry = nanos >= (uint32_t)NANOS_PER_UNIT;
        into->units += a.units + (int64_t)carry;
        into->nanos = nanos - carry * (uint32_t)NANOS_PER_UNIT;
    } else {
        uint32_t borrow = into->nanos < a.nanos;
        into->units -= a.units + (int64_t)borrow;
        into->nanos = into->nanos + borrow * (uint32_t)NANOS_PER_UNIT - a.nanos;
    }
}

/* Where the rows of one series go: the cached bucket's clipped days and the
 * key's cell in it. */
typedef struct add_cursor {
    prepay_report_t *report;
    uint32_t key;
    prepay_days_t lo;
    prepay_days_t hi;
    prepay_report_cell_t *cell;
} add_cursor_t;

/* Cell of day d for the cursor's key; d must be inside the report's days. */
static inline prepay_report_cell_t *cell_of_day(add_cursor_t *c, prepay_days_t d)
{
    if (d >= c->lo && d < c->hi) {
        return c->cell;
    }
    const prepay_report_t *r = c->report;
    uint32_t b;
    if (r->period == PREPAY_REPORT_DAY) {
        b = (uint32_t)(d - r->first_day);
    } else if (r->period == PREPAY_REPORT_WEEK) {
        b = (uint32_t)((d - r->buckets[0].first_day) / 7);
    } else {
        b = prepay__report_bucket_of_day(r, d);
    }
    const prepay_report_bucket_t *bk = &r->buckets[b];
    c->lo = bk->first_day > r->first_day ? bk->first_day : r->first_day;
    c->hi = bk->end_day < r->end_day ? bk->end_day : r->end_day;
    c->cell = &r->cells[(size_t)b * r->key_count + c->key];
    return c->cell;
}

static inline void add_piece(prepay_report_cell_t *cell, unsigned band, prepay_energy_t energy,
                             prepay_amount_t fee, int64_t seconds, int sign)
{
    if (sign > 0) {
        cell->energy[band] += energy;
        cell->pieces++;
        cell->seconds += seconds;
    } else {
        cell->energy[band] -= energy;
        cell->pieces--;
        cell->seconds -= seconds;
    }
    amount_accumulate(&cell->fee[band], fee, sign);
}

/* Part of a row [s, s + len) in [a, b): floor(X (b - s) / len) - floor(X (a - s) / len). */
static int spread(int64_t x, int64_t a_off, int64_t b_off, int64_t len, int64_t *out)
{
    int64_t hi = 0;
    int64_t lo = 0;
    int status = prepay_i64_muldiv(x, b_off, len, PREPAY_ROUND_FLOOR, &hi);
    if (status == PREPAY_OK) {
        status = prepay_i64_muldiv(x, a_off, len, PREPAY_ROUND_FLOOR, &lo);
    }
    if (status == PREPAY_OK) {
        *out = hi - lo; /* both within [min(0, x), max(0, x)] */
    }
    return status;
}

/* A row crossing midnight or the report's edges: one piece per day inside
 * the report. The pieces of a row sum exactly to the row. */
static int add_split_row(add_cursor_t *c, const prepay_report_row_t *row, int sign)
{
    const prepay_report_t *r = c->report;
    int64_t len = (int64_t)row->seconds;
    prepay_time_t end = row->start + len;
    prepay_days_t d0 = floor_day(row->start);
    prepay_days_t d1 = floor_day(end - 1);
    if (d0 < r->first_day) {
        d0 = r->first_day;
    }
    if (d1 > r->end_day - 1) {
        d1 = r->end_day - 1;
    }
    int64_t fee_nanos = 0;
    if (d0 <= d1) {
        int64_t units_nanos = 0;
        if (prepay_i64_mul(row->fee.units, NANOS_PER_UNIT, &units_nanos) != PREPAY_OK ||
            prepay_i64_add(units_nanos, (int64_t)row->fee.nanos, &fee_nanos) != PREPAY_OK) {
            return PREPAY_E_OVERFLOW;
        }
    }
    for (prepay_days_t d = d0; d <= d1; d++) {
        prepay_time_t day_start = (prepay_time_t)d * PREPAY_SECONDS_PER_DAY;
        prepay_time_t a = row->start > day_start ? row->start : day_start;
        prepay_time_t b = end < day_start + PREPAY_SECONDS_PER_DAY ? end : day_start + PREPAY_SECONDS_PER_DAY;
        int64_t energy = 0;
        int64_t nanos = 0;
        int status = spread(row->energy, a - row->start, b - row->start, len, &energy);
        if (status == PREPAY_OK) {
            status = spread(fee_nanos, a - row->start, b - row->start, len, &nanos);
        }
        if (status != PREPAY_OK) {
            return status; /* not reached: |parts| <= |whole| */
        }
        int64_t units = nanos / NANOS_PER_UNIT;
        int64_t rem = nanos % NANOS_PER_UNIT;
        if (rem < 0) {
            units--;
            rem += NANOS_PER_UNIT;
        }
        prepay_amount_t fee = {units, (uint32_t)rem};
        add_piece(cell_of_day(c, d), row->band, energy, fee, b - a, sign);
    }
    return PREPAY_OK;
}

/* Undo of rows [0, count): the same pieces, subtracted. */
static void take_back(add_cursor_t *c, const prepay_report_row_t *rows, size_t count)
{
    const prepay_report_t *r = c->report;
    prepay_time_t from = (prepay_time_t)r->first_day * PREPAY_SECONDS_PER_DAY;
    prepay_time_t to = (prepay_time_t)r->end_day * PREPAY_SECONDS_PER_DAY;
    for (size_t i = 0; i < count; i++) {
        const prepay_report_row_t *row = &rows[i];
        prepay_days_t d = floor_day(row->start);
        int64_t sod = row->start - (prepay_time_t)d * PREPAY_SECONDS_PER_DAY;
        if (sod + (int64_t)row->seconds <= PREPAY_SECONDS_PER_DAY) {
            if (row->start >= from && row->start < to) {
                add_piece(cell_of_day(c, d), row->band, row->energy, row->fee, (int64_t)row->seconds, -1);
            }
        } else {
            (void)add_split_row(c, row, -1); /* succeeded when it was added */
        }
    }
}

int prepay_report_add(prepay_report_t *report, prepay_report_series_t *series, const prepay_report_row_t *rows,
                      size_t count)
{
    if (!prepay__report_ready(report) || series == NULL || series->magic != PREPAY__REPORT_SERIES_MAGIC ||
        (rows == NULL && count > 0u)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (series->key >= report->key_count) {
        return PREPAY_E_REPORT_BAD_KEY;
    }
    /* Impossible timestamps: outside the calendar of civil_time.h (years 1..9999). */
    prepay_days_t min_day = 0;
    prepay_days_t max_day = 0;
    (void)prepay_time_days_from_date(1, 1, 1, &min_day);
    (void)prepay_time_days_from_date(9999, 12, 31, &max_day);
    const prepay_time_t t_min = (prepay_time_t)min_day * PREPAY_SECONDS_PER_DAY;
    const prepay_time_t t_max = ((prepay_time_t)max_day + 1) * PREPAY_SECONDS_PER_DAY;
    add_cursor_t c = {report, series->key, 0, 0, NULL};
    prepay_time_t position = series->position;
    prepay_energy_t energy_added = report->energy_added;
    prepay_money_t fee_bound = report->fee_bound;
    /* The day of the previous row: rows are sorted, so most rows fall in it
     * and need no division. */
    prepay_days_t d = 0;
    prepay_time_t day_start = INT64_MIN;
    int status = PREPAY_OK;
    size_t i = 0;
    for (; i < count; i++) {
        const prepay_report_row_t *row = &rows[i];
        const int64_t len = (int64_t)row->seconds;
        /* One branch for the common case; the exact reason only on failure. */
        bool bad_row = (row->seconds - 1u >= PREPAY_REPORT_MAX_ROW_SECONDS) | (row->energy < 0) |
                       (row->band >= PREPAY_REPORT_BANDS) | (row->fee.nanos >= (uint32_t)NANOS_PER_UNIT);
        bool bad_time = (row->start < t_min) | (row->start < position);
        if (bad_row | bad_time) {
            if (bad_row) {
                status = PREPAY_E_REPORT_BAD_ROW;
            } else {
                status = row->start < position ? PREPAY_E_REPORT_UNORDERED : PREPAY_E_BAD_DATE;
            }
            break;
        }
        if (row->start > t_max - len) {
            status = PREPAY_E_BAD_DATE; /* ends after 9999-12-31 */
            break;
        }
        /* Guards: a cell's exact fee is at most the sum of |row fee| <= sum of
         * (|units| + 1) in magnitude, and its normalised units at most one
         * more; keeping that sum (here |units| + 2 per row, a little more)
         * below INT64_MAX - 1 keeps every cell in range. */
        uint64_t fee_weight = (uint64_t)(row->fee.units < 0 ? ~row->fee.units : row->fee.units) + 2u;
        if (row->energy > INT64_MAX - energy_added || fee_weight > (uint64_t)(INT64_MAX - 1 - fee_bound)) {
            status = PREPAY_E_OVERFLOW;
            break;
        }
        energy_added += row->energy;
        fee_bound += (int64_t)fee_weight;
        position = row->start + len;

        /* unsigned difference: defined for any two times */
        uint64_t since_day = (uint64_t)row->start - (uint64_t)day_start;
        if (day_start == INT64_MIN || since_day >= (uint64_t)PREPAY_SECONDS_PER_DAY) {
            d = floor_day(row->start);
            day_start = (prepay_time_t)d * PREPAY_SECONDS_PER_DAY;
            since_day = (uint64_t)(row->start - day_start);
        }
        int64_t sod = (int64_t)since_day;
        if (sod + len <= PREPAY_SECONDS_PER_DAY) {
            /* The common case: the whole row lies in one day. */
            if (d >= report->first_day && d < report->end_day) {
                add_piece(cell_of_day(&c, d), row->band, row->energy, row->fee, len, +1);
            }
        } else {
            status = add_split_row(&c, row, +1);
            if (status != PREPAY_OK) {
                break;
            }
        }
    }
    if (status != PREPAY_OK) {
        take_back(&c, rows, i);
        return status;
    }
    report->energy_added = energy_added;
    report->fee_bound = fee_bound;
    series->position = position;
    series->rows += count;
    return PREPAY_OK;
}

const prepay_report_cell_t *prepay_report_cell(const prepay_report_t *report, uint32_t bucket, uint32_t key)
{
    if (!prepay__report_ready(report) || bucket >= report->bucket_count || key >= report->key_count) {
        return NULL;
    }
    return &report->cells[(size_t)bucket * report->key_count + key];
}

bool prepay_report_cell_has_data(const prepay_report_cell_t *cell)
{
    return cell != NULL && cell->pieces > 0u;
}

int prepay_report_cell_sum(const prepay_report_cell_t *cell, unsigned band, prepay_energy_t *energy,
                           prepay_amount_t *fee)
{
    if (cell == NULL || (band >= PREPAY_REPORT_BANDS && band != PREPAY_REPORT_ALL_BANDS)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned lo = band == PREPAY_REPORT_ALL_BANDS ? 0u : band;
    unsigned hi = band == PREPAY_REPORT_ALL_BANDS ? PREPAY_REPORT_BANDS : band + 1u;
    prepay_energy_t e = 0;
    prepay_amount_t f = {0, 0};
    for (unsigned k = lo; k < hi; k++) {
        if (prepay_i64_add(e, cell->energy[k], &e) != PREPAY_OK ||
            prepay_amount_add(f, cell->fee[k], &f) != PREPAY_OK) {
            return PREPAY_E_OVERFLOW;
        }
    }
    if (energy != NULL) {
        *energy = e;
    }
    if (fee != NULL) {
        *fee = f;
    }
    return PREPAY_OK;
}

int prepay_report_roll_up(const prepay_report_t *source, const uint32_t *group_of_key, prepay_report_t *target)
{
    if (!prepay__report_ready(source) || !prepay__report_ready(target) || group_of_key == NULL ||
        source == target || source->cells == target->cells) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (source->period != target->period || source->first_day != target->first_day ||
        source->end_day != target->end_day || source->bucket_count != target->bucket_count) {
        return PREPAY_E_REPORT_MISMATCH;
    }
    for (uint32_t k = 0; k < source->key_count; k++) {
        if (group_of_key[k] >= target->key_count) {
            return PREPAY_E_REPORT_BAD_KEY;
        }
    }
    /* The same guards as prepay_report_add(): the target's cells stay bounded
     * by its guard sums, so no addition below can overflow. */
    if (source->energy_added > INT64_MAX - target->energy_added ||
        source->fee_bound > INT64_MAX - target->fee_bound) {
        return PREPAY_E_OVERFLOW;
    }
    for (uint32_t b = 0; b < source->bucket_count; b++) {
        for (uint32_t k = 0; k < source->key_count; k++) {
            const prepay_report_cell_t *from = &source->cells[(size_t)b * source->key_count + k];
            prepay_report_cell_t *into = &target->cells[(size_t)b * target->key_count + group_of_key[k]];
            for (unsigned band = 0; band < PREPAY_REPORT_BANDS; band++) {
                into->energy[band] += from->energy[band];
                amount_accumulate(&into->fee[band], from->fee[band], +1);
            }
            into->pieces += from->pieces;
            into->seconds += from->seconds;
        }
    }
    target->energy_added += source->energy_added;
    target->fee_bound += source->fee_bound;
    return PREPAY_OK;
}
