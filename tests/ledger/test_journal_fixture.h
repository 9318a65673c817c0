/* SPDX-License-Identifier: MIT */
/*
 * Shared fixture of the journal tests: a ledger in static memory, an
 * independent balance model, and a deterministic workload of batches.
 *
 * The model is deliberately naive (an array of balances and the two rules
 * the workload can hit: a wallet may not go below zero; ids are idempotent),
 * so that it does not share code with the ledger or the journal.
 */
#ifndef PREPAY_TEST_JOURNAL_FIXTURE_H
#define PREPAY_TEST_JOURNAL_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "prepay/journal.h"
#include "prepay/ledger.h"

#define FX_ACCOUNTS 16u
#define FX_TRANSFERS 4096u

/* Account ids of the workload: clearing, revenue, wallets 10..13. */
#define FX_CLEARING 1u
#define FX_REVENUE 2u
#define FX_WALLET0 10u
#define FX_WALLETS 4u
#define FX_MODEL_IDS 16u

typedef struct fx_ledger {
    uint64_t memory[PREPAY_LEDGER_MEMORY_SIZE(FX_ACCOUNTS, FX_TRANSFERS) / sizeof(uint64_t)];
    prepay_ledger_account_t scratch[FX_ACCOUNTS];
    prepay_ledger_t ledger;
} fx_ledger_t;

static inline int fx_ledger_init(fx_ledger_t *fx)
{
    prepay_ledger_memory_t memory;
    int status = prepay_ledger_memory_layout(&memory, fx->memory, sizeof fx->memory, FX_ACCOUNTS, FX_TRANSFERS);
    return status != PREPAY_OK ? status : prepay_ledger_init(&fx->ledger, &memory);
}

/* Balances (credits - debits, posted) by account id, and the ids seen. */
typedef struct fx_model {
    int64_t balance[FX_MODEL_IDS];
    uint64_t seen_ids[FX_TRANSFERS];
    uint32_t seen;
} fx_model_t;

static inline bool fx_model_seen(const fx_model_t *m, uint64_t id)
{
    for (uint32_t i = 0; i < m->seen; i++) {
        if (m->seen_ids[i] == id) {
            return true;
        }
    }
    return false;
}

/* Applies a plain transfer to the model under the workload's rules. */
static inline void fx_model_apply(fx_model_t *m, const prepay_ledger_transfer_t *t)
{
    if (fx_model_seen(m, t->id)) {
        return;
    }
    bool wallet_debit = t->debit_account_id >= FX_WALLET0 && t->debit_account_id < FX_WALLET0 + FX_WALLETS;
    if (wallet_debit && m->balance[t->debit_account_id] < t->amount) {
        return; /* refused: exceeds credits; not in the log */
    }
    m->balance[t->debit_account_id] -= t->amount;
    m->balance[t->credit_account_id] += t->amount;
    m->seen_ids[m->seen++] = t->id;
}

static inline prepay_ledger_account_t fx_account(uint64_t id, uint16_t kind, uint16_t flags)
{
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.kind = kind;
    a.flags = flags;
    a.item = kind == PREPAY_LEDGER_ACCOUNT_REVENUE ? PREPAY_LEDGER_ITEM_ELECTRICITY : 0u;
    return a;
}

/* The workload's accounts, in creation order. */
static inline uint32_t fx_accounts(prepay_ledger_account_t *out)
{
    uint32_t n = 0;
    out[n++] = fx_account(FX_CLEARING, PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING, 0);
    out[n++] = fx_account(FX_REVENUE, PREPAY_LEDGER_ACCOUNT_REVENUE, 0);
    for (uint32_t w = 0; w < FX_WALLETS; w++) {
        out[n++] = fx_account(FX_WALLET0 + w, PREPAY_LEDGER_ACCOUNT_WALLET,
                              PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS);
    }
    return n;
}

/* xorshift32: a deterministic pseudo-random stream for the workload. */
static inline uint32_t fx_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/*
 * Fills a batch of `count` transfers: recharges, deductions (some refused
 * for lack of credit) and a few retries of earlier ids (idempotent).
 */
static inline void fx_batch(uint32_t *rng, uint64_t *next_id, prepay_ledger_transfer_t *out, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        prepay_ledger_transfer_t *t = &out[i];
        memset(t, 0, sizeof *t);
        uint32_t r = fx_random(rng);
        uint64_t wallet = FX_WALLET0 + r % FX_WALLETS;
        t->id = (*next_id)++;
        t->timestamp = (int64_t)(800000000 + t->id * 60);
        t->amount = (int64_t)(1 + (r >> 8) % 5000);
        if ((r >> 4) % 3 == 0) {
            t->debit_account_id = FX_CLEARING;
            t->credit_account_id = wallet;
            t->code = PREPAY_LEDGER_CODE_RECHARGE;
            t->order_id = t->id;
        } else {
            t->debit_account_id = wallet;
            t->credit_account_id = FX_REVENUE;
            t->code = PREPAY_LEDGER_CODE_DEDUCTION;
            t->meter_id = wallet;
            t->interval_start = t->timestamp - 60;
            t->interval_end = t->timestamp;
        }
        if (i > 0 && r % 11 == 0) {
            *t = out[i - 1]; /* a retry: same id, same fields */
            (*next_id)--;
            t->id = out[i - 1].id;
        }
    }
}

/* True if every workload account's balance in the ledger equals the model's. */
static inline bool fx_balances_match(const prepay_ledger_t *ledger, const fx_model_t *m)
{
    prepay_ledger_account_t ids[FX_ACCOUNTS];
    uint32_t n = fx_accounts(ids);
    for (uint32_t i = 0; i < n; i++) {
        prepay_ledger_balance_t b;
        if (prepay_ledger_balance(ledger, ids[i].id, &b) != PREPAY_OK || b.balance != m->balance[ids[i].id]) {
            return false;
        }
    }
    return true;
}

#endif
