/* SPDX-License-Identifier: MIT */
/*
 * Income composition (收入组成) from the ledger's posted revenue. Uses
 * prepay_ledger_income() only; the ledger is read, never changed.
 * Freestanding; see include/prepay/report.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/ledger.h"
#include "prepay/report.h"

static unsigned item_slot(uint32_t item)
{
    switch (item) {
    case PREPAY_LEDGER_ITEM_ELECTRICITY: return PREPAY_REPORT_INCOME_ELECTRICITY;
    case PREPAY_LEDGER_ITEM_WATER: return PREPAY_REPORT_INCOME_WATER;
    case PREPAY_LEDGER_ITEM_PROPERTY_FEE: return PREPAY_REPORT_INCOME_PROPERTY_FEE;
    case PREPAY_LEDGER_ITEM_COMMON_AREA: return PREPAY_REPORT_INCOME_COMMON_AREA;
    default: return PREPAY_REPORT_INCOME_OTHER;
    }
}

int prepay_report_income(const prepay_ledger_t *ledger, prepay_time_t from, prepay_time_t to,
                         prepay_ledger_income_row_t *scratch, size_t scratch_cap, prepay_report_income_t *out)
{
    if (out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t rows = 0;
    int status = prepay_ledger_income(ledger, from, to, PREPAY_LEDGER_PERIOD_ALL, true, scratch, scratch_cap, &rows);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_report_income_t r;
    memset(&r, 0, sizeof r);
    for (size_t i = 0; i < rows; i++) {
        unsigned slot = item_slot(scratch[i].item);
        if (prepay_i64_add(r.amount[slot], scratch[i].income, &r.amount[slot]) != PREPAY_OK ||
            prepay_i64_add(r.total, scratch[i].income, &r.total) != PREPAY_OK ||
            scratch[i].count > UINT32_MAX - r.transfers) {
            return PREPAY_E_OVERFLOW;
        }
        r.transfers += scratch[i].count;
    }
    if (r.transfers == 0u) {
        r.share_null_reason = PREPAY_REPORT_NULL_NO_DATA;
    } else if (r.total <= 0) {
        r.share_null_reason = r.total == 0 ? PREPAY_REPORT_NULL_ZERO_BASE : PREPAY_REPORT_NULL_NEGATIVE_BASE;
    } else {
        for (unsigned k = 0; k < PREPAY_REPORT_INCOME_ITEMS; k++) {
            status = prepay_i64_muldiv(r.amount[k], PREPAY_REPORT_RATE_SCALE, r.total, PREPAY_ROUND_HALF_UP,
                                       &r.share[k]);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    *out = r;
    return PREPAY_OK;
}
