/* SPDX-License-Identifier: MIT */
/*
 * Recharges (the chain: top-up, repay emergency credit, repay debt; the rest
 * credits the balance) and commands in force (keep power, forbid close,
 * remote trip), each followed by the wallet decision.
 */
#include <string.h>

#include "settlement_internal.h"

static int key_of(unsigned kind, uint32_t subject, uint32_t period, uint64_t *key)
{
    prepay_settlement_id_t id;
    int status = prepay_settlement_id_make(kind, subject, period, 0, &id);
    return status == PREPAY_OK ? prepay_settlement_ledger_key(&id, key) : status;
}

static prepay_money_t recorded(const prepay_ledger_t *ledger, unsigned kind, uint32_t account, uint32_t sequence)
{
    uint64_t key;
    if (key_of(kind, account, sequence, &key) != PREPAY_OK) {
        return 0;
    }
    const prepay_ledger_entry_t *e = prepay_ledger_lookup(ledger, key);
    return e ? e->transfer.amount : 0;
}

/* A recharge whose sequence the account already applied: the same amount is a
 * harmless repeat (its split is read back from the ledger), another is a conflict. */
static int repeat(const prepay_settlement_books_t *books, const prepay_settlement_recharge_t *r,
                  prepay_settlement_recharge_split_t *split)
{
    uint64_t key;
    int status = key_of(PREPAY_SETTLEMENT_KIND_RECHARGE, r->account_id, r->sequence, &key);
    if (status != PREPAY_OK) {
        return status;
    }
    const prepay_ledger_entry_t *e = prepay_ledger_lookup(books->ledger, key);
    if (!e || e->transfer.amount != r->amount) {
        return PREPAY_E_SETTLEMENT_CONFLICT;
    }
    if (split) {
        split->to_emergency =
            recorded(books->ledger, PREPAY_SETTLEMENT_KIND_RECHARGE_EMERGENCY, r->account_id, r->sequence);
        split->to_debt = recorded(books->ledger, PREPAY_SETTLEMENT_KIND_RECHARGE_DEBT, r->account_id, r->sequence);
        split->to_balance = r->amount - split->to_emergency - split->to_debt;
        split->status = PREPAY_LEDGER_EXISTS;
    }
    return PREPAY_LEDGER_EXISTS;
}

static int push(prepay__settle_call_t *call, unsigned kind, const prepay_settlement_recharge_t *r, uint64_t debit,
                uint64_t credit, prepay_money_t amount, uint16_t code, uint64_t *key)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    int status = key_of(kind, r->account_id, r->sequence, &t.id);
    if (status != PREPAY_OK) {
        return status;
    }
    t.debit_account_id = debit;
    t.credit_account_id = credit;
    t.amount = amount;
    t.timestamp = r->time;
    t.order_id = r->order_id;
    t.code = code;
    if (kind == PREPAY_SETTLEMENT_KIND_RECHARGE && r->pending_id != 0u) {
        /* A payment order reserved the amount: post it (accounts come from the pending transfer). */
        t.debit_account_id = 0;
        t.credit_account_id = 0;
        t.pending_id = r->pending_id;
        t.flags = PREPAY_LEDGER_TRANSFER_POST_PENDING;
    }
    if (key) {
        *key = t.id;
    }
    return prepay__settle_push(call, &t);
}

static int credit(prepay__settle_call_t *call, uint32_t account, const prepay_settlement_recharge_t *r,
                  prepay_settlement_recharge_split_t *out)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_account_t *a = &site->memory.accounts[account];
    int status = prepay__settle_touch(call, PREPAY__UNDO_ACCOUNT, account);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_money_t to_e, to_d, to_b;
    status = prepay_wallet_split_recharge(r->amount, a->books.emergency, a->books.debt, &to_e, &to_d, &to_b);
    if (status != PREPAY_OK) {
        return status;
    }
    uint32_t id = a->config.id;
    uint64_t wallet = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_WALLET);
    uint64_t main_key = 0;
    status = push(call, PREPAY_SETTLEMENT_KIND_RECHARGE, r,
                  prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_CLEARING), wallet, r->amount,
                  PREPAY_LEDGER_CODE_RECHARGE, &main_key);
    if (status == PREPAY_OK && to_e > 0) {
        status = push(call, PREPAY_SETTLEMENT_KIND_RECHARGE_EMERGENCY, r, wallet,
                      prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_EMERGENCY), to_e,
                      PREPAY_LEDGER_CODE_REPAY_EMERGENCY, NULL);
    }
    uint64_t debt_key = 0;
    if (status == PREPAY_OK && to_d > 0) {
        status = push(call, PREPAY_SETTLEMENT_KIND_RECHARGE_DEBT, r, wallet,
                      prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_DEBT), to_d,
                      PREPAY_LEDGER_CODE_REPAY_DEBT, &debt_key);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_settlement_balances_t *b = &a->books;
    b->recharged += r->amount;
    b->balance += to_b;
    b->emergency -= to_e;
    b->emergency_repaid += to_e;
    b->debt -= to_d;
    b->debt_repaid += to_d;
    if (a->config.kind == PREPAY_SETTLEMENT_POSTPAID) {
        a->period_paid += r->amount;
    }
    a->recharges = r->sequence;
    uint64_t cause = prepay__settle_cause(PREPAY__CAUSE_RECHARGE, r->sequence);
    prepay_settlement_event_t e;
    memset(&e, 0, sizeof e);
    e.account_id = id;
    e.amount = r->amount;
    e.detail = to_b;
    e.transfer_id = main_key;
    e.balance = prepay__settle_event_balance(a);
    e.level = a->wallet.level;
    e.from_level = a->wallet.level;
    status = prepay__settle_emit(call, &e, PREPAY_SETTLEMENT_EVENT_RECHARGE, id, r->time, cause);
    if (status == PREPAY_OK && to_d > 0) {
        e.amount = to_d;
        e.detail = 0;
        e.transfer_id = debt_key;
        status = prepay__settle_emit(call, &e, PREPAY_SETTLEMENT_EVENT_DEBT_REPAID, id, r->time, cause);
    }
    if (status == PREPAY_OK) {
        status = prepay__settle_decide(call, account, r->time, 0, cause);
    }
    if (status == PREPAY_OK && out) {
        out->to_emergency = to_e;
        out->to_debt = to_d;
        out->to_balance = to_b;
        out->status = PREPAY_OK;
    }
    return status;
}

static bool time_ok(prepay_time_t t)
{
    return t >= 0 && t <= (prepay_time_t)UINT32_MAX;
}

int prepay_settlement_recharge(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                               prepay_settlement_work_t *work, const prepay_settlement_recharge_t *recharge,
                               prepay_settlement_recharge_split_t *split, prepay_settlement_result_t *result)
{
    prepay_settlement_result_t local;
    if (!result) {
        result = &local;
    }
    if (!prepay__settle_ready(site) || !books || !books->ledger || !work || !recharge || recharge->amount <= 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__settle_call_t call;
    prepay__settle_begin(&call, site, books, work, result);
    uint32_t id = recharge->account_id;
    uint32_t account = prepay__settle_find_account(site, id);
    if (account == PREPAY_SETTLEMENT_NONE) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT, 0, id, 0);
    }
    const prepay_settlement_account_t *a = &site->memory.accounts[account];
    if (recharge->sequence == 0u || !time_ok(recharge->time)) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_ID_RANGE, 0, id, 0);
    }
    if (!a->opened) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_NOT_OPEN, 0, id, 0);
    }
    result->count = 1;
    if (recharge->sequence <= a->recharges) {
        int status = repeat(books, recharge, split);
        if (status != PREPAY_LEDGER_EXISTS) {
            return prepay__settle_fail(&call, status, 0, id, 0);
        }
        result->ignored = 1;
        return status;
    }
    if (recharge->sequence != a->recharges + 1u) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_SEQUENCE, 0, id, 0);
    }
    int status = credit(&call, account, recharge, split);
    if (status != PREPAY_OK) {
        bool ours = PREPAY_STATUS_MODULE(status) == PREPAY_MODULE_SETTLEMENT || status == PREPAY_E_BUFFER_TOO_SMALL;
        return prepay__settle_fail(&call, status, 0, id, ours ? 0 : status);
    }
    return prepay__settle_finish(&call);
}

#define KEPT_COMMANDS (PREPAY_WALLET_IN_FORBID_CLOSE | PREPAY_WALLET_IN_KEEP_POWER | PREPAY_WALLET_IN_REMOTE_TRIP)

int prepay_settlement_set_commands(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                   prepay_settlement_work_t *work, uint32_t account_id, uint32_t commands,
                                   prepay_time_t time, prepay_settlement_result_t *result)
{
    prepay_settlement_result_t local;
    if (!result) {
        result = &local;
    }
    if (!prepay__settle_ready(site) || !books || !books->ledger || !work || (commands & ~PREPAY_WALLET_IN_MASK) != 0u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__settle_call_t call;
    prepay__settle_begin(&call, site, books, work, result);
    uint32_t account = prepay__settle_find_account(site, account_id);
    if (account == PREPAY_SETTLEMENT_NONE) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT, 0, account_id, 0);
    }
    prepay_settlement_account_t *a = &site->memory.accounts[account];
    if (a->config.kind == PREPAY_SETTLEMENT_POSTPAID) {
        return prepay__settle_fail(&call, PREPAY_E_INVALID_ARGUMENT, 0, account_id, 0);
    }
    if (!time_ok(time)) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_ID_RANGE, 0, account_id, 0);
    }
    if (!a->opened) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_NOT_OPEN, 0, account_id, 0);
    }
    int status = prepay__settle_touch(&call, PREPAY__UNDO_ACCOUNT, account);
    if (status == PREPAY_OK) {
        a->commands = (uint8_t)(commands & KEPT_COMMANDS);
        a->command_calls++;
        status = prepay__settle_decide(&call, account, time, commands & ~(uint32_t)KEPT_COMMANDS,
                                       prepay__settle_cause(PREPAY__CAUSE_COMMAND, a->command_calls));
    }
    if (status != PREPAY_OK) {
        bool ours = PREPAY_STATUS_MODULE(status) == PREPAY_MODULE_SETTLEMENT || status == PREPAY_E_BUFFER_TOO_SMALL;
        return prepay__settle_fail(&call, status, 0, account_id, ours ? 0 : status);
    }
    result->count = 1;
    return prepay__settle_finish(&call);
}
