/* SPDX-License-Identifier: MIT */
/*
 * Refunds: money paid back from a wallet to the payer through the payment
 * channel (wallet -> site REFUNDS payable), followed by the wallet decision,
 * since a refund lowers the balance as a charge does.
 */
#include <string.h>

#include "settlement_internal.h"

static int refund_key(uint32_t account, uint32_t sequence, uint64_t *key)
{
    prepay_settlement_id_t id;
    int status = prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_REFUND, account, sequence, 0, &id);
    return status == PREPAY_OK ? prepay_settlement_ledger_key(&id, key) : status;
}

/* A refund whose sequence the account already applied: the same amount is a harmless repeat, another a conflict. */
static int repeat(const prepay_settlement_books_t *books, const prepay_settlement_refund_t *r)
{
    uint64_t key;
    int status = refund_key(r->account_id, r->sequence, &key);
    if (status != PREPAY_OK) {
        return status;
    }
    const prepay_ledger_entry_t *e = prepay_ledger_lookup(books->ledger, key);
    return e != NULL && e->transfer.amount == r->amount ? PREPAY_LEDGER_EXISTS : PREPAY_E_SETTLEMENT_CONFLICT;
}

static int pay_out(prepay__settle_call_t *call, uint32_t account, const prepay_settlement_refund_t *r)
{
    prepay_settlement_account_t *a = &call->site->memory.accounts[account];
    prepay_settlement_balances_t *b = &a->books;
    /* Refundable: what the payer put in and did not use; emergency credit lent is the site's money
     * (the ledger applies the same bound to the wallet, and also deducts pending debits). */
    if (r->amount > b->balance - b->emergency) {
        return PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE;
    }
    int status = prepay__settle_touch(call, PREPAY__UNDO_ACCOUNT, account);
    if (status != PREPAY_OK) {
        return status;
    }
    uint32_t id = a->config.id;
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    status = refund_key(id, r->sequence, &t.id);
    if (status != PREPAY_OK) {
        return status;
    }
    t.debit_account_id = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_WALLET);
    t.credit_account_id = prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_REFUNDS);
    t.amount = r->amount;
    t.timestamp = r->time;
    t.order_id = r->order_id;
    t.code = PREPAY_LEDGER_CODE_REFUND;
    status = prepay__settle_push(call, &t);
    if (status != PREPAY_OK) {
        return status;
    }
    b->balance -= r->amount;
    b->refunded += r->amount;
    if (a->config.kind == PREPAY_SETTLEMENT_POSTPAID) {
        a->period_paid -= r->amount;
    }
    a->refunds = r->sequence;
    uint64_t cause = prepay__settle_cause(PREPAY__CAUSE_REFUND, r->sequence);
    const prepay_money_t order = (prepay_money_t)(r->order_id & (uint64_t)INT64_MAX);
    return prepay__settle_debited(call, account, PREPAY_SETTLEMENT_EVENT_REFUND, r->amount, order, t.id, r->time, cause);
}

int prepay_settlement_refund(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                             prepay_settlement_work_t *work, const prepay_settlement_refund_t *refund,
                             prepay_settlement_result_t *result)
{
    prepay_settlement_result_t local;
    if (!result) {
        result = &local;
    }
    if (!prepay__settle_ready(site) || !books || !books->ledger || !work || !refund || refund->amount <= 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__settle_call_t call;
    prepay__settle_begin(&call, site, books, work, result);
    uint32_t id = refund->account_id;
    uint32_t account = prepay__settle_find_account(site, id);
    if (account == PREPAY_SETTLEMENT_NONE) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT, 0, id, 0);
    }
    const prepay_settlement_account_t *a = &site->memory.accounts[account];
    if (refund->sequence == 0u || refund->time < 0 || refund->time > (prepay_time_t)UINT32_MAX) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_ID_RANGE, 0, id, 0);
    }
    if (!a->opened) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_NOT_OPEN, 0, id, 0);
    }
    result->count = 1;
    if (refund->sequence <= a->refunds) {
        int status = repeat(books, refund);
        if (status != PREPAY_LEDGER_EXISTS) {
            return prepay__settle_fail(&call, status, 0, id, 0);
        }
        result->ignored = 1;
        return status;
    }
    if (refund->sequence != a->refunds + 1u) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_SEQUENCE, 0, id, 0);
    }
    int status = pay_out(&call, account, refund);
    if (status != PREPAY_OK) {
        if (status == PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE) {
            return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_BOOKS, 0, id, status);
        }
        bool ours = PREPAY_STATUS_MODULE(status) == PREPAY_MODULE_SETTLEMENT || status == PREPAY_E_BUFFER_TOO_SMALL;
        return prepay__settle_fail(&call, status, 0, id, ours ? 0 : status);
    }
    return prepay__settle_finish(&call);
}
