/* SPDX-License-Identifier: MIT */
/*
 * Ledger queries: history iteration, order and income summaries, and the
 * recharge chain builder. Freestanding; see include/prepay/ledger.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ledger_internal.h"
#include "prepay/ledger.h"
#include "prepay/wallet.h"

#define TWO_PHASE (PREPAY_LEDGER_TRANSFER_POST_PENDING | PREPAY_LEDGER_TRANSFER_VOID_PENDING)

int prepay_ledger_query_next(const prepay_ledger_t *ledger, prepay_ledger_query_t *query,
                             const prepay_ledger_entry_t **out)
{
    if (!prepay__ledger_ready(ledger) || query == NULL || out == NULL) {
        return 0;
    }
    while (query->position < ledger->transfer_count) {
        const prepay_ledger_entry_t *e = &ledger->memory.entries[query->position];
        const prepay_ledger_transfer_t *t = &e->transfer;
        query->position++;
        if (query->code != 0u && t->code != query->code) {
            continue;
        }
        if ((t->flags & query->flags_all) != query->flags_all) {
            continue;
        }
        if (query->use_time && (t->timestamp < query->time_from || t->timestamp >= query->time_to)) {
            continue;
        }
        if (query->account_id != 0u) {
            uint64_t debit;
            uint64_t credit;
            prepay__ledger_entry_accounts(ledger, e, &debit, &credit);
            if (debit != query->account_id && credit != query->account_id) {
                continue;
            }
        }
        *out = e;
        return 1;
    }
    return 0;
}

/* Posted effect of an entry: false for open/voided pending and for voids.
 * code: the pending transfer's for posts. */
static bool posted_effect(const prepay_ledger_t *ledger, const prepay_ledger_entry_t *e, uint16_t *code,
                          uint64_t *debit, uint64_t *credit)
{
    const prepay_ledger_transfer_t *t = &e->transfer;
    if ((t->flags & (PREPAY_LEDGER_TRANSFER_PENDING | PREPAY_LEDGER_TRANSFER_VOID_PENDING)) != 0u) {
        return false;
    }
    *code = t->code;
    if ((t->flags & TWO_PHASE) != 0u) {
        uint32_t p = prepay__ledger_transfer_find(ledger, t->pending_id);
        if (p == 0u) {
            return false;
        }
        *code = ledger->memory.entries[p - 1u].transfer.code;
    }
    prepay__ledger_entry_accounts(ledger, e, debit, credit);
    return true;
}

int prepay_ledger_order_summary(const prepay_ledger_t *ledger, prepay_time_t from, prepay_time_t to,
                                prepay_ledger_order_summary_t *out)
{
    if (!prepay__ledger_ready(ledger) || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_ledger_order_summary_t sum;
    memset(&sum, 0, sizeof sum);
    for (uint32_t i = 0; i < ledger->transfer_count; i++) {
        const prepay_ledger_entry_t *e = &ledger->memory.entries[i];
        uint16_t code;
        uint64_t debit;
        uint64_t credit;
        if (e->transfer.timestamp < from || e->transfer.timestamp >= to ||
            !posted_effect(ledger, e, &code, &debit, &credit)) {
            continue;
        }
        prepay_money_t amount = e->transfer.amount;
        if (code == PREPAY_LEDGER_CODE_RECHARGE) {
            if (amount > INT64_MAX - sum.recharge_sum || sum.recharge_count == UINT32_MAX) {
                return PREPAY_E_OVERFLOW;
            }
            sum.recharge_sum += amount;
            sum.recharge_count++;
        } else if (code == PREPAY_LEDGER_CODE_REFUND) {
            if (amount > INT64_MAX - sum.refund_sum || sum.refund_count == UINT32_MAX) {
                return PREPAY_E_OVERFLOW;
            }
            sum.refund_sum += amount;
            sum.refund_count++;
        }
    }
    *out = sum;
    return PREPAY_OK;
}

static int period_start_of(prepay_time_t t, unsigned period, prepay_days_t all_start, prepay_days_t *out)
{
    if (period == PREPAY_LEDGER_PERIOD_ALL) {
        *out = all_start;
        return PREPAY_OK;
    }
    prepay_days_t day = prepay_time_day_of(t);
    if (period == PREPAY_LEDGER_PERIOD_DAY) {
        *out = day;
        return PREPAY_OK;
    }
    int32_t year;
    uint8_t month;
    uint8_t mday;
    int status = prepay_time_date_from_days(day, &year, &month, &mday);
    if (status != PREPAY_OK) {
        return status;
    }
    return prepay_time_days_from_date(year, period == PREPAY_LEDGER_PERIOD_MONTH ? month : 1u, 1u, out);
}

/* Adds amount to the (period, item) row, keeping rows sorted. */
static int add_row(prepay_ledger_income_row_t *rows, size_t cap, size_t *n, prepay_days_t period, uint32_t item,
                   prepay_money_t amount)
{
    size_t at = 0;
    while (at < *n && (rows[at].period_start < period || (rows[at].period_start == period && rows[at].item < item))) {
        at++;
    }
    if (at < *n && rows[at].period_start == period && rows[at].item == item) {
        prepay_money_t sum;
        if (prepay_i64_add(rows[at].income, amount, &sum) != PREPAY_OK || rows[at].count == UINT32_MAX) {
            return PREPAY_E_OVERFLOW;
        }
        rows[at].income = sum;
        rows[at].count++;
        return PREPAY_OK;
    }
    if (*n >= cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memmove(&rows[at + 1u], &rows[at], (*n - at) * sizeof rows[0]);
    rows[at].period_start = period;
    rows[at].item = item;
    rows[at].income = amount;
    rows[at].count = 1;
    (*n)++;
    return PREPAY_OK;
}

int prepay_ledger_income(const prepay_ledger_t *ledger, prepay_time_t from, prepay_time_t to, unsigned period,
                         bool by_item, prepay_ledger_income_row_t *rows, size_t rows_cap, size_t *row_count)
{
    if (row_count != NULL) {
        *row_count = 0;
    }
    if (!prepay__ledger_ready(ledger) || row_count == NULL || (rows == NULL && rows_cap > 0u) ||
        period > PREPAY_LEDGER_PERIOD_YEAR) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t n = 0;
    prepay_days_t all_start = prepay_time_day_of(from);
    for (uint32_t i = 0; i < ledger->transfer_count; i++) {
        const prepay_ledger_entry_t *e = &ledger->memory.entries[i];
        uint16_t code;
        uint64_t debit;
        uint64_t credit;
        if (e->transfer.timestamp < from || e->transfer.timestamp >= to ||
            !posted_effect(ledger, e, &code, &debit, &credit)) {
            continue;
        }
        const prepay_ledger_account_t *dr = prepay_ledger_account(ledger, debit);
        const prepay_ledger_account_t *cr = prepay_ledger_account(ledger, credit);
        bool dr_revenue = dr != NULL && dr->kind == PREPAY_LEDGER_ACCOUNT_REVENUE;
        bool cr_revenue = cr != NULL && cr->kind == PREPAY_LEDGER_ACCOUNT_REVENUE;
        if (!dr_revenue && !cr_revenue) {
            continue;
        }
        prepay_days_t start;
        int status = period_start_of(e->transfer.timestamp, period, all_start, &start);
        if (status == PREPAY_OK && cr_revenue) {
            status = add_row(rows, rows_cap, &n, start, by_item ? cr->item : 0u, e->transfer.amount);
        }
        if (status == PREPAY_OK && dr_revenue) {
            status = add_row(rows, rows_cap, &n, start, by_item ? dr->item : 0u, -e->transfer.amount);
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    *row_count = n;
    return PREPAY_OK;
}

int prepay_ledger_build_recharge(const prepay_ledger_t *ledger, const prepay_ledger_recharge_t *request,
                                 prepay_ledger_transfer_t *out, size_t out_cap, size_t *out_count)
{
    if (!prepay__ledger_ready(ledger) || request == NULL || out_count == NULL || (out == NULL && out_cap > 0u) ||
        request->amount <= 0 || request->recharge_id == 0u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay_ledger_account_t *wallet = prepay_ledger_account(ledger, request->wallet_id);
    if (wallet == NULL || prepay_ledger_account(ledger, request->clearing_id) == NULL) {
        return PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND;
    }
    prepay_money_t ec_owed = 0;
    prepay_money_t debt_owed = 0;
    if (wallet->emergency_account_id != 0u) {
        const prepay_ledger_account_t *ec = prepay_ledger_account(ledger, wallet->emergency_account_id);
        if (ec == NULL) {
            return PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND;
        }
        ec_owed = prepay__ledger_owed(ec);
    }
    if (wallet->debt_account_id != 0u) {
        const prepay_ledger_account_t *debt = prepay_ledger_account(ledger, wallet->debt_account_id);
        if (debt == NULL) {
            return PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND;
        }
        debt_owed = prepay__ledger_owed(debt);
    }
    prepay_money_t to_ec;
    prepay_money_t to_debt;
    prepay_money_t to_balance;
    int status = prepay_wallet_split_recharge(request->amount, ec_owed, debt_owed, &to_ec, &to_debt, &to_balance);
    if (status != PREPAY_OK) {
        return status;
    }
    if ((to_ec > 0 && request->repay_emergency_id == 0u) || (to_debt > 0 && request->repay_debt_id == 0u)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t need = 1u + (to_ec > 0 ? 1u : 0u) + (to_debt > 0 ? 1u : 0u);
    if (need > out_cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.order_id = request->order_id;
    t.timestamp = request->timestamp;
    size_t n = 0;
    t.id = request->recharge_id;
    t.debit_account_id = request->clearing_id;
    t.credit_account_id = request->wallet_id;
    t.amount = request->amount;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    out[n++] = t;
    if (to_ec > 0) {
        t.id = request->repay_emergency_id;
        t.debit_account_id = request->wallet_id;
        t.credit_account_id = wallet->emergency_account_id;
        t.amount = to_ec;
        t.code = PREPAY_LEDGER_CODE_REPAY_EMERGENCY;
        out[n++] = t;
    }
    if (to_debt > 0) {
        t.id = request->repay_debt_id;
        t.debit_account_id = request->wallet_id;
        t.credit_account_id = wallet->debt_account_id;
        t.amount = to_debt;
        t.code = PREPAY_LEDGER_CODE_REPAY_DEBT;
        out[n++] = t;
    }
    for (size_t k = 0; k + 1u < n; k++) {
        out[k].flags = (uint16_t)(out[k].flags | PREPAY_LEDGER_TRANSFER_LINKED);
    }
    *out_count = n;
    return PREPAY_OK;
}
