/* SPDX-License-Identifier: MIT */
/*
 * Sales to a meter purse: a prepaid local account's meter that keeps its own
 * purse (a CJ/T 188 water meter in money mode, ...) buys an amount from the
 * account's wallet (wallet -> the commodity's site revenue), followed by the
 * wallet decision, since a sale lowers the balance as a charge does.
 */
#include <string.h>

#include "settlement_internal.h"

static int sale_key(uint32_t account, uint32_t sequence, uint64_t *key)
{
    prepay_settlement_id_t id;
    int status = prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_SALE, account, sequence, 0, &id);
    return status == PREPAY_OK ? prepay_settlement_ledger_key(&id, key) : status;
}

/* A sale whose sequence the account already applied: the same amount is a harmless repeat, another a conflict. */
static int repeat(const prepay_settlement_books_t *books, const prepay_settlement_sale_t *s)
{
    uint64_t key;
    int status = sale_key(s->account_id, s->sequence, &key);
    if (status != PREPAY_OK) {
        return status;
    }
    const prepay_ledger_entry_t *e = prepay_ledger_lookup(books->ledger, key);
    return e != NULL && e->transfer.amount == s->amount ? PREPAY_LEDGER_EXISTS : PREPAY_E_SETTLEMENT_CONFLICT;
}

static int sell(prepay__settle_call_t *call, uint32_t account, const prepay_settlement_sale_t *s)
{
    prepay_settlement_account_t *a = &call->site->memory.accounts[account];
    prepay_settlement_balances_t *b = &a->books;
    /* A sale never creates debt: the wallet (the mirror of the account's own purse) covers all of it. */
    if (s->amount > b->balance) {
        return PREPAY_E_LEDGER_EXCEEDS_CREDITS;
    }
    int status = prepay__settle_touch(call, PREPAY__UNDO_ACCOUNT, account);
    if (status != PREPAY_OK) {
        return status;
    }
    uint32_t id = a->config.id;
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    status = sale_key(id, s->sequence, &t.id);
    if (status != PREPAY_OK) {
        return status;
    }
    unsigned revenue =
        s->commodity == PREPAY_SETTLEMENT_WATER ? PREPAY_SETTLEMENT_SITE_WATER : PREPAY_SETTLEMENT_SITE_ELECTRICITY;
    t.debit_account_id = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_WALLET);
    t.credit_account_id = prepay_settlement_ledger_account_id(0, revenue);
    t.amount = s->amount;
    t.timestamp = s->time;
    t.order_id = s->order_id;
    t.code = PREPAY_LEDGER_CODE_SALE;
    status = prepay__settle_push(call, &t);
    if (status != PREPAY_OK) {
        return status;
    }
    b->balance -= s->amount;
    b->sold += s->amount;
    a->sales = s->sequence;
    uint64_t cause = prepay__settle_cause(PREPAY__CAUSE_SALE, s->sequence);
    return prepay__settle_debited(call, account, PREPAY_SETTLEMENT_EVENT_SALE, s->amount, (prepay_money_t)s->sequence,
                                  t.id, s->time, cause);
}

int prepay_settlement_sell(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                           prepay_settlement_work_t *work, const prepay_settlement_sale_t *sale,
                           prepay_settlement_result_t *result)
{
    prepay_settlement_result_t local;
    if (!result) {
        result = &local;
    }
    if (!prepay__settle_ready(site) || !books || !books->ledger || !work || !sale || sale->amount <= 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__settle_call_t call;
    prepay__settle_begin(&call, site, books, work, result);
    uint32_t id = sale->account_id;
    uint32_t account = prepay__settle_find_account(site, id);
    if (account == PREPAY_SETTLEMENT_NONE) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT, 0, id, 0);
    }
    const prepay_settlement_account_t *a = &site->memory.accounts[account];
    if (sale->commodity >= PREPAY_SETTLEMENT_COMMODITIES || a->config.kind != PREPAY_SETTLEMENT_PREPAID_LOCAL) {
        /* A remote or postpaid account's purse is its wallet: nothing to sell to. */
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_BAD_CONFIG, 0, id, 0);
    }
    if (sale->sequence == 0u || sale->time < 0 || sale->time > (prepay_time_t)UINT32_MAX) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_ID_RANGE, 0, id, 0);
    }
    if (!a->opened) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_NOT_OPEN, 0, id, 0);
    }
    result->count = 1;
    if (sale->sequence <= a->sales) {
        int status = repeat(books, sale);
        if (status != PREPAY_LEDGER_EXISTS) {
            return prepay__settle_fail(&call, status, 0, id, 0);
        }
        result->ignored = 1;
        return status;
    }
    if (sale->sequence != a->sales + 1u) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_SEQUENCE, 0, id, 0);
    }
    int status = sell(&call, account, sale);
    if (status != PREPAY_OK) {
        if (status == PREPAY_E_LEDGER_EXCEEDS_CREDITS) {
            return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_BOOKS, 0, id, status);
        }
        bool ours = PREPAY_STATUS_MODULE(status) == PREPAY_MODULE_SETTLEMENT || status == PREPAY_E_BUFFER_TOO_SMALL;
        return prepay__settle_fail(&call, status, 0, id, ours ? 0 : status);
    }
    return prepay__settle_finish(&call);
}
