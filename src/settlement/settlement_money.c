/* SPDX-License-Identifier: MIT */
/*
 * Money: posting a charge to an account (wallet first, the rest as debt: the
 * debt path local meters use, so no tenant who cannot pay stops a run), and
 * the wallet decision with its events and emergency credit.
 */
#include <string.h>

#include "settlement_internal.h"

prepay_money_t prepay__settle_event_balance(const prepay_settlement_account_t *a)
{
    if (a->config.kind == PREPAY_SETTLEMENT_POSTPAID) {
        return a->books.debt - a->books.balance;
    }
    return a->books.balance;
}

int prepay__settle_debited(prepay__settle_call_t *call, uint32_t account, unsigned event_type, prepay_money_t amount,
                           prepay_money_t detail, uint64_t transfer_id, prepay_time_t time, uint64_t cause)
{
    const prepay_settlement_account_t *a = &call->site->memory.accounts[account];
    prepay_settlement_event_t e;
    memset(&e, 0, sizeof e);
    e.account_id = a->config.id;
    e.amount = amount;
    e.detail = detail;
    e.transfer_id = transfer_id;
    e.balance = prepay__settle_event_balance(a);
    e.level = a->wallet.level;
    e.from_level = a->wallet.level;
    int status = prepay__settle_emit(call, &e, event_type, a->config.id, time, cause);
    if (status == PREPAY_OK) {
        status = prepay__settle_decide(call, account, time, 0, cause);
    }
    return status;
}

/* How much a charge may take from the wallet: its balance down to the lowest
 * balance the ledger allows (minus the overdraft of a policy that cuts off at
 * the overdraft limit). */
static prepay_money_t wallet_room(const prepay_settlement_site_t *site, const prepay_settlement_account_t *a)
{
    prepay_money_t floor = 0;
    if (a->config.kind == PREPAY_SETTLEMENT_PREPAID_REMOTE) {
        const prepay_wallet_policy_t *p = &site->config.policies[a->config.policy];
        if (p->cutoff == PREPAY_WALLET_CUTOFF_AT_OVERDRAFT_LIMIT) {
            floor = -p->overdraft_limit;
        }
    }
    return a->books.balance > floor ? a->books.balance - floor : 0;
}

static int key_of(unsigned kind, uint32_t subject, uint32_t period, uint64_t sequence, uint64_t *key)
{
    prepay_settlement_id_t id;
    int status = prepay_settlement_id_make(kind, subject, period, sequence, &id);
    return status == PREPAY_OK ? prepay_settlement_ledger_key(&id, key) : status;
}

int prepay__settle_charge(prepay__settle_call_t *call, uint32_t account, const prepay__settle_charge_t *c)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_account_t *a = &site->memory.accounts[account];
    if (c->amount == 0) {
        return PREPAY_OK;
    }
    if (!a->opened) {
        return PREPAY_E_SETTLEMENT_NOT_OPEN;
    }
    prepay_money_t take;
    if (a->config.kind == PREPAY_SETTLEMENT_PREPAID_LOCAL) {
        /* The meter already took energy from its purse; nothing else can reach it. */
        take = c->energy ? c->amount : 0;
    } else {
        prepay_money_t room = wallet_room(site, a);
        take = c->amount < room ? c->amount : room;
    }
    prepay_money_t debt = c->amount - take;
    /* All to the wallet as energy revenue: only the balance and the energy total change. */
    bool quiet = debt == 0 && c->revenue != PREPAY_SETTLEMENT_SITE_COMMON_AREA &&
                 c->revenue != PREPAY_SETTLEMENT_SITE_CHARGES;
    int status = quiet ? prepay__settle_touch_balance(call, account) : prepay__settle_touch_account(call, account);
    if (status != PREPAY_OK) {
        return status;
    }
    uint32_t id = a->config.id;
    uint64_t revenue = prepay_settlement_ledger_account_id(0, c->revenue);
    uint64_t debt_key = 0;
    for (int part = 0; part < 2; part++) {
        prepay_money_t amount = part == 0 ? take : debt;
        if (amount <= 0) {
            continue;
        }
        unsigned kind = part == 0 ? c->kind : c->debt_kind;
        uint64_t key;
        if (c->sequence == 0u) {
            key = prepay__settle_plain_key(kind, c->subject, c->period);
        } else {
            status = key_of(kind, c->subject, c->period, c->sequence, &key);
            if (status != PREPAY_OK) {
                return status;
            }
        }
        prepay_ledger_transfer_t *t = prepay__settle_slot(call);
        if (!t) {
            return PREPAY_E_BUFFER_TOO_SMALL;
        }
        t->id = key;
        t->debit_account_id = prepay_settlement_ledger_account_id(
            id, part == 0 ? PREPAY_SETTLEMENT_ROLE_WALLET : PREPAY_SETTLEMENT_ROLE_DEBT);
        if (part == 0) {
            /* The wallet's ledger position, found when the books were opened: the ledger checks it
             * and looks the account up only if it names another (prepay_ledger_apply_at()). */
            call->work->debit_at[call->transfers - 1u] = a->wallet_at;
        }
        t->credit_account_id = revenue;
        t->amount = amount;
        t->timestamp = c->time;
        t->meter_id = c->meter_id;
        t->interval_start = c->interval_start;
        t->interval_end = c->interval_end;
        t->tariff_version = c->tariff_version;
        t->code = part == 0 ? c->code : (uint16_t)PREPAY_LEDGER_CODE_DEBT;
        call->result->posted += amount;
        if (part == 1) {
            debt_key = key;
        }
    }
    prepay_settlement_balances_t *b = &a->books;
    bool postpaid = a->config.kind == PREPAY_SETTLEMENT_POSTPAID;
    b->balance -= take;
    b->debt += debt;
    b->debt_created += debt;
    switch (c->revenue) {
    case PREPAY_SETTLEMENT_SITE_COMMON_AREA:
        b->shares += c->amount;
        if (postpaid) {
            a->period_shares += c->amount;
        }
        break;
    case PREPAY_SETTLEMENT_SITE_CHARGES:
        b->items += c->amount;
        if (postpaid) {
            a->period_items += c->amount;
        }
        break;
    default:
        b->energy += c->amount;
        break;
    }
    if (debt > 0) {
        prepay_settlement_event_t e;
        memset(&e, 0, sizeof e);
        e.account_id = id;
        e.meter_id = (uint32_t)c->meter_id;
        e.amount = debt;
        e.balance = prepay__settle_event_balance(a);
        e.transfer_id = debt_key;
        e.level = a->wallet.level;
        e.from_level = a->wallet.level;
        status = prepay__settle_emit(call, &e, PREPAY_SETTLEMENT_EVENT_DEBT_CREATED, id, c->time, c->cause);
    }
    return status;
}

/* Events of one wallet decision, in a fixed order. */
static int decision_events(prepay__settle_call_t *call, const prepay_settlement_account_t *a,
                           const prepay_wallet_decision_t *d, prepay_time_t time, uint64_t cause,
                           uint64_t grant_key)
{
    bool remote = a->config.kind == PREPAY_SETTLEMENT_PREPAID_REMOTE;
    uint32_t id = a->config.id;
    prepay_settlement_event_t e;
    memset(&e, 0, sizeof e);
    e.account_id = id;
    e.meter_id = (cause >> 48) == PREPAY__CAUSE_READING ? (uint32_t)cause : 0u;
    e.balance = prepay__settle_event_balance(a);
    e.level = d->level;
    e.from_level = d->from_level;
    e.relay = d->relay;
    e.reason = d->reason;
    static const struct {
        uint32_t flag;
        uint16_t type;
    } map[] = {
        {PREPAY_WALLET_EVENT_LEVEL_CHANGED, PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL},
        {PREPAY_WALLET_EVENT_LEVEL_CHANGED, PREPAY_SETTLEMENT_EVENT_LOW_BALANCE},
        {PREPAY_WALLET_EVENT_CUTOFF, PREPAY_SETTLEMENT_EVENT_CUTOFF},
        {PREPAY_WALLET_EVENT_RELAY_OPENED, PREPAY_SETTLEMENT_EVENT_COMMAND},
        {PREPAY_WALLET_EVENT_RESTORED, PREPAY_SETTLEMENT_EVENT_RESTORED},
        {PREPAY_WALLET_EVENT_RELAY_CLOSED, PREPAY_SETTLEMENT_EVENT_COMMAND},
        {PREPAY_WALLET_EVENT_ACKNOWLEDGED, PREPAY_SETTLEMENT_EVENT_ACKNOWLEDGED},
        {PREPAY_WALLET_EVENT_EMERGENCY_ACTIVATED, PREPAY_SETTLEMENT_EVENT_EMERGENCY},
        {PREPAY_WALLET_EVENT_EMERGENCY_REPAID, PREPAY_SETTLEMENT_EVENT_EMERGENCY_REPAID},
        {PREPAY_WALLET_EVENT_DEBT_CAP_REACHED, PREPAY_SETTLEMENT_EVENT_DEBT_CAP},
        {PREPAY_WALLET_EVENT_TRIP_HELD, PREPAY_SETTLEMENT_EVENT_TRIP_HELD},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if ((d->events & map[i].flag) == 0u) {
            continue;
        }
        uint16_t type = map[i].type;
        e.command = 0;
        e.amount = 0;
        e.transfer_id = 0;
        if (type == PREPAY_SETTLEMENT_EVENT_LOW_BALANCE && d->level <= d->from_level) {
            continue; /* the level fell: no low-balance warning */
        }
        if (type == PREPAY_SETTLEMENT_EVENT_COMMAND) {
            if (!remote) {
                continue; /* a local meter works its own relay */
            }
            e.command = map[i].flag == PREPAY_WALLET_EVENT_RELAY_OPENED ? (uint8_t)PREPAY_DLT645_RELAY_TRIP
                                                                        : call->site->config.restore_command;
        }
        if (type == PREPAY_SETTLEMENT_EVENT_EMERGENCY) {
            e.amount = d->emergency_grant;
            e.transfer_id = grant_key;
        }
        int status = prepay__settle_emit(call, &e, type, id, time, cause);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

bool prepay__settle_wallet_quiet(const prepay_wallet_policy_t *policy, const prepay_wallet_state_t *state,
                                 uint32_t flags, prepay_money_t balance, prepay_money_t emergency)
{
    /* prepay_wallet_decide() from a settled state (relay closed, level 0, nothing latched, no
     * command, no emergency credit owed) with a balance above every threshold, the cut-off point
     * and the automatic emergency threshold decides the same state and raises no event. */
    if (state->flags != PREPAY_WALLET_STATE_RELAY_CLOSED || state->level != 0u || flags != 0u || emergency != 0) {
        return false;
    }
    prepay_money_t cutoff = policy->cutoff == PREPAY_WALLET_CUTOFF_AT_ZERO ? 0 : -policy->overdraft_limit;
    if (balance <= cutoff || (policy->level_count > 0u && balance <= policy->thresholds[0])) {
        return false;
    }
    return !(policy->emergency_amount > 0 && (policy->flags & PREPAY_WALLET_POLICY_EMERGENCY_AUTO) != 0u &&
             balance <= policy->emergency_threshold);
}

int prepay__settle_decide(prepay__settle_call_t *call, uint32_t account, prepay_time_t time, uint32_t once_flags,
                          uint64_t cause)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_account_t *a = &site->memory.accounts[account];
    if (a->config.kind == PREPAY_SETTLEMENT_POSTPAID) {
        return PREPAY_OK;
    }
    if (!a->opened) {
        return PREPAY_E_SETTLEMENT_NOT_OPEN;
    }
    const prepay_wallet_policy_t *policy = &site->config.policies[a->config.policy];
    if (prepay__settle_wallet_quiet(policy, &a->wallet, (uint32_t)a->commands | once_flags, a->books.balance,
                                    a->books.emergency)) {
        return PREPAY_OK; /* the common case: nothing to decide */
    }
    int status = prepay__settle_touch_account(call, account);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_wallet_input_t in;
    in.balance = a->books.balance;
    in.emergency_outstanding = a->books.emergency;
    in.now = time;
    in.flags = (uint32_t)a->commands | once_flags;
    prepay_wallet_decision_t d;
    status = prepay_wallet_decide(policy, &in, &a->wallet, &d);
    if (status != PREPAY_OK) {
        return status;
    }
    uint64_t grant_key = 0;
    if (d.emergency_grant > 0) {
        uint32_t id = a->config.id;
        prepay_ledger_transfer_t t;
        memset(&t, 0, sizeof t);
        status = key_of(PREPAY_SETTLEMENT_KIND_EMERGENCY, id, a->grants + 1u, 0, &grant_key);
        if (status != PREPAY_OK) {
            return status;
        }
        t.id = grant_key;
        t.debit_account_id = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_EMERGENCY);
        t.credit_account_id = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_WALLET);
        t.amount = d.emergency_grant;
        t.timestamp = time;
        t.code = PREPAY_LEDGER_CODE_EMERGENCY_CREDIT;
        status = prepay__settle_push(call, &t);
        if (status != PREPAY_OK) {
            return status;
        }
        a->grants++;
        a->books.balance += d.emergency_grant;
        a->books.emergency += d.emergency_grant;
        a->books.emergency_granted += d.emergency_grant;
    }
    a->wallet = d.next;
    a->relay = d.relay;
    return decision_events(call, a, &d, time, cause, grant_key);
}
