/* SPDX-License-Identifier: MIT */
/* Arrears list: unpaid amounts aged into buckets of days overdue (see billing.h). */
#include <stddef.h>

#include "billing_internal.h"

static bool counts(const prepay_arrears_item_t *item)
{
    return item->outstanding > 0;
}

/* True if item i opens a row: no earlier counted item has the same account. */
static bool opens_row(const prepay_arrears_item_t *items, size_t i)
{
    if (!counts(&items[i])) {
        return false;
    }
    for (size_t j = 0; j < i; j++) {
        if (counts(&items[j]) && items[j].account_id == items[i].account_id) {
            return false;
        }
    }
    return true;
}

static int build_row(const prepay_arrears_item_t *items, size_t item_count, size_t first, prepay_days_t as_of,
                     prepay_arrears_row_t *row)
{
    prepay_arrears_row_t r;
    r.account_id = items[first].account_id;
    r.not_due = 0;
    for (unsigned b = 0; b < PREPAY_BILLING_ARREARS_BUCKETS; b++) {
        r.buckets[b] = 0;
    }
    r.total = 0;
    r.oldest_days = INT32_MIN;
    r.items = 0;
    for (size_t j = first; j < item_count; j++) {
        const prepay_arrears_item_t *item = &items[j];
        if (!counts(item) || item->account_id != r.account_id) {
            continue;
        }
        int64_t days = (int64_t)as_of - (int64_t)item->due_date;
        prepay_money_t *slot;
        if (days < 0) {
            slot = &r.not_due;
        } else if (days <= 30) {
            slot = &r.buckets[0];
        } else if (days <= 60) {
            slot = &r.buckets[1];
        } else if (days <= 90) {
            slot = &r.buckets[2];
        } else {
            slot = &r.buckets[3];
        }
        int status = prepay_i64_add(*slot, item->outstanding, slot);
        if (status == PREPAY_OK) {
            status = prepay_i64_add(r.total, item->outstanding, &r.total);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        /* Day numbers are int32, so the difference fits in 33 bits; clamp for the field. */
        int32_t clamped = days > INT32_MAX ? INT32_MAX : (days < INT32_MIN ? INT32_MIN : (int32_t)days);
        if (clamped > r.oldest_days) {
            r.oldest_days = clamped;
        }
        r.items++;
    }
    *row = r;
    return PREPAY_OK;
}

/* True if the items are in non-decreasing account order (each account's items together). */
static bool grouped_by_account(const prepay_arrears_item_t *items, size_t item_count)
{
    for (size_t i = 1; i < item_count; i++) {
        if (items[i - 1].account_id > items[i].account_id) {
            return false;
        }
    }
    return true;
}

/* Items in account order: one pass per account's run of items, O(n) in all. */
static int arrears_grouped(const prepay_arrears_item_t *items, size_t item_count, prepay_days_t as_of,
                           prepay_arrears_row_t *rows, size_t rows_cap, size_t *row_count)
{
    /* Pass 1 counts rows and checks every sum; pass 2 writes them. */
    for (int pass = 0; pass < 2; pass++) {
        size_t n = 0;
        for (size_t i = 0; i < item_count;) {
            size_t end = i;
            size_t first = item_count;
            while (end < item_count && items[end].account_id == items[i].account_id) {
                if (first == item_count && counts(&items[end])) {
                    first = end;
                }
                end++;
            }
            if (first < item_count) {
                prepay_arrears_row_t row;
                int status = build_row(items, end, first, as_of, &row);
                if (status != PREPAY_OK) {
                    return status;
                }
                if (pass == 1) {
                    rows[n] = row;
                }
                n++;
            }
            i = end;
        }
        if (pass == 0 && n > rows_cap) {
            *row_count = n;
            return PREPAY_E_BUFFER_TOO_SMALL;
        }
        if (pass == 1) {
            *row_count = n;
        }
    }
    return PREPAY_OK;
}

int prepay_billing_arrears(const prepay_arrears_item_t *items, size_t item_count, prepay_days_t as_of,
                           prepay_arrears_row_t *rows, size_t rows_cap, size_t *row_count)
{
    if ((!items && item_count > 0) || !rows || !row_count) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (grouped_by_account(items, item_count)) {
        return arrears_grouped(items, item_count, as_of, rows, rows_cap, row_count);
    }
    /* Pass 1: count rows and check every sum. */
    size_t needed = 0;
    for (size_t i = 0; i < item_count; i++) {
        if (opens_row(items, i)) {
            prepay_arrears_row_t scratch;
            int status = build_row(items, item_count, i, as_of, &scratch);
            if (status != PREPAY_OK) {
                return status;
            }
            needed++;
        }
    }
    if (needed > rows_cap) {
        *row_count = needed;
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    size_t n = 0;
    for (size_t i = 0; i < item_count; i++) {
        if (opens_row(items, i)) {
            (void)build_row(items, item_count, i, as_of, &rows[n++]);
        }
    }
    *row_count = n;
    return PREPAY_OK;
}
