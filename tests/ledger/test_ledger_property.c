/* SPDX-License-Identifier: MIT */
/*
 * Property test of the ledger: a deterministic stream of random operations
 * (new, replayed and conflicting transfers, invalid ones, pending / post /
 * void, linked chains, batches, recharge chains, account closing, a full
 * log) checked against an independent model kept by this test:
 *  - a transfer is applied at most once (OK never twice for an id; a
 *    replay of an applied transfer is "exists" exactly when its compared
 *    fields are equal, an exists_with_different_* or earlier-precedence
 *    error otherwise);
 *  - each account's four counters equal the model's sums of applied results;
 *  - Σ debits = Σ credits (posted and pending) after every operation;
 *  - no limited account beyond its limit (wallets never below -overdraft);
 *  - pending transfers with deadlines: a post or void succeeds only while
 *    the pending transfer is open and before its deadline, and is refused as
 *    expired exactly when the model says it expired or is due;
 *    prepay_ledger_expire(now, cap) expires exactly the model's list (open,
 *    deadline <= now, by deadline then log order, at most cap) and releases
 *    their amounts; expiries by name (prepay_ledger_replay_expiry) get the
 *    model's result;
 *  - prepay_ledger_verify() holds every VERIFY_EVERY operations and at the end.
 *
 * Total operations: 1,000,000 by default; argv[2] or the environment
 * variable PREPAY_LEDGER_PROPERTY_OPS sets another count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ledger_script.h"
#include "prepay/ledger.h"
#include "prepay/status.h"
#include "test_support.h"

#define OPS_PER_EPISODE 4000u
#define VERIFY_EVERY 64u
#define N_ACCOUNTS 16u
#define MAX_IDS (OPS_PER_EPISODE * 8u + 64u)
#define MAX_CHAIN 6

static uint64_t total_ops = 1000000u;

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t next(rng_t *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint32_t below(rng_t *r, uint32_t n)
{
    return (uint32_t)(next(r) % n);
}

/* Model of one account (independent of the library's bookkeeping). */
typedef struct model_account {
    prepay_ledger_account_t def;
    int64_t dp, dq, cp, cq; /* debits posted, debits pending, credits posted, credits pending */
} model_account_t;

typedef struct applied {
    bool present;
    prepay_ledger_transfer_t t;
    int state;         /* for pending: 1 open, 2 posted, 3 voided, 4 expired */
    uint32_t position; /* log position (order of application) */
} applied_t;

typedef struct world {
    rng_t rng;
    test_ledger_t tl;
    model_account_t acc[N_ACCOUNTS];
    applied_t *ids; /* indexed by transfer id (< MAX_IDS) */
    uint64_t next_id;
    prepay_ledger_transfer_t history[256]; /* recent transfers tried, for replays */
    unsigned history_count;
    uint64_t pendings[256];
    unsigned pending_count;
    uint32_t log_length; /* the model's count of applied transfers */
    uint64_t ops;
    uint64_t stats_ok, stats_exists, stats_err, stats_chain_fail, stats_verify, stats_expired, stats_late;
} world_t;

static model_account_t *model_find(world_t *w, uint64_t id)
{
    for (unsigned i = 0; i < N_ACCOUNTS; i++) {
        if (w->acc[i].def.id == id) {
            return &w->acc[i];
        }
    }
    return NULL;
}

/* The model account with this id; fails the test when there is none. */
static model_account_t *model_need(world_t *w, uint64_t id)
{
    model_account_t *a = model_find(w, id);
    if (a == NULL) {
        fail_msg("account %llu is not in the model", (unsigned long long)id);
        abort(); /* not reached: fail_msg() does not return */
    }
    return a;
}

static void setup_accounts(world_t *w)
{
    /* ids 1..16: 1,2 clearing; 3..8 wallets; 9,10 emergency; 11 debt; 12..14 revenue; 15 refunds; 16 adjustments (cmned) */
    for (unsigned i = 0; i < N_ACCOUNTS; i++) {
        prepay_ledger_account_t *a = &w->acc[i].def;
        memset(&w->acc[i], 0, sizeof w->acc[i]);
        a->id = i + 1u;
        if (i < 2) {
            a->kind = PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING;
        } else if (i < 8) {
            a->kind = PREPAY_LEDGER_ACCOUNT_WALLET;
            a->flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
            a->overdraft_limit = below(&w->rng, 3) == 0 ? 0 : (int64_t)below(&w->rng, 800);
            a->max_balance = below(&w->rng, 2) == 0 ? 0 : 3000 + (int64_t)below(&w->rng, 20000);
            a->emergency_account_id = i < 5 ? 9u : 10u;
            a->debt_account_id = below(&w->rng, 2) ? 11u : 0u;
        } else if (i < 10) {
            a->kind = PREPAY_LEDGER_ACCOUNT_EMERGENCY_CREDIT;
            a->flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
            a->overdraft_limit = 2000;
        } else if (i < 11) {
            a->kind = PREPAY_LEDGER_ACCOUNT_DEBT;
        } else if (i < 14) {
            a->kind = PREPAY_LEDGER_ACCOUNT_REVENUE;
            a->item = i - 10u;
        } else if (i < 15) {
            a->kind = PREPAY_LEDGER_ACCOUNT_REFUNDS_PAYABLE;
        } else {
            a->kind = PREPAY_LEDGER_ACCOUNT_ADJUSTMENTS;
            a->flags = PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS;
        }
        assert_int_equal(prepay_ledger_create_account(&w->tl.ledger, a), PREPAY_OK);
    }
}

static uint64_t random_account(world_t *w)
{
    uint32_t roll = below(&w->rng, 40);
    if (roll == 0) {
        return 0; /* invalid */
    }
    if (roll == 1) {
        return 999; /* missing */
    }
    return 1u + below(&w->rng, N_ACCOUNTS);
}

static int64_t random_amount(world_t *w)
{
    uint32_t roll = below(&w->rng, 100);
    if (roll == 0) {
        return 0;
    }
    if (roll == 1) {
        return -(int64_t)below(&w->rng, 100);
    }
    if (roll == 2) {
        return INT64_MAX - (int64_t)below(&w->rng, 3);
    }
    if (roll < 10) {
        return 1 + (int64_t)below(&w->rng, 20000);
    }
    return 1 + (int64_t)below(&w->rng, 1500);
}

static prepay_ledger_transfer_t random_new(world_t *w, bool pending)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = w->next_id++;
    if (below(&w->rng, 200) == 0) {
        t.id = 0;
    }
    /* Bias towards realistic flows: recharge into wallets, deductions out of them. */
    uint32_t flow = below(&w->rng, 6);
    uint64_t wallet = 3u + below(&w->rng, 6);
    switch (flow) {
    case 0:
        t.debit_account_id = 1u + below(&w->rng, 2);
        t.credit_account_id = wallet;
        t.code = PREPAY_LEDGER_CODE_RECHARGE;
        break;
    case 1:
        t.debit_account_id = wallet;
        t.credit_account_id = 12u + below(&w->rng, 3);
        t.code = PREPAY_LEDGER_CODE_DEDUCTION;
        break;
    case 2:
        t.debit_account_id = wallet;
        t.credit_account_id = 15u;
        t.code = PREPAY_LEDGER_CODE_REFUND;
        break;
    case 3:
        t.debit_account_id = wallet <= 5u ? 9u : 10u;
        t.credit_account_id = wallet;
        t.code = PREPAY_LEDGER_CODE_EMERGENCY_CREDIT;
        break;
    default:
        t.debit_account_id = random_account(w);
        t.credit_account_id = random_account(w);
        t.code = (uint16_t)below(&w->rng, 13);
        break;
    }
    t.amount = random_amount(w);
    t.flags = pending ? PREPAY_LEDGER_TRANSFER_PENDING : 0u;
    if (below(&w->rng, 150) == 0) {
        t.flags = (uint16_t)(t.flags | (1u << below(&w->rng, 16)));
    }
    /* Half the pending transfers expire 0..50 minutes from now; now and then a
     * deadline where none is allowed. */
    if ((pending && below(&w->rng, 2) == 0) || below(&w->rng, 300) == 0) {
        t.deadline = (int64_t)w->ops * 60 + 1 + (int64_t)below(&w->rng, 3000);
    }
    t.meter_id = below(&w->rng, 4);
    t.interval_start = (int64_t)below(&w->rng, 1000);
    t.interval_end = t.interval_start + (int64_t)below(&w->rng, 1000) - (below(&w->rng, 100) == 0 ? 2000 : 0);
    t.order_id = below(&w->rng, 1000);
    t.timestamp = (int64_t)w->ops * 60;
    return t;
}

static prepay_ledger_transfer_t random_two_phase(world_t *w)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = w->next_id++;
    t.flags = below(&w->rng, 2) ? PREPAY_LEDGER_TRANSFER_POST_PENDING : PREPAY_LEDGER_TRANSFER_VOID_PENDING;
    t.pending_id = w->pending_count ? w->pendings[below(&w->rng, w->pending_count)] : 1u;
    if (below(&w->rng, 30) == 0) {
        t.pending_id = 1u + below(&w->rng, (uint32_t)w->next_id);
    }
    int64_t reserved = 100;
    if (t.pending_id < MAX_IDS && w->ids[t.pending_id].present) {
        reserved = w->ids[t.pending_id].t.amount;
        if (below(&w->rng, 4) == 0) {
            t.debit_account_id = w->ids[t.pending_id].t.debit_account_id;
        }
        if (below(&w->rng, 20) == 0) {
            t.credit_account_id = random_account(w);
        }
    }
    if ((t.flags & PREPAY_LEDGER_TRANSFER_POST_PENDING) != 0u) {
        uint32_t roll = below(&w->rng, 4);
        t.amount = roll == 0 ? reserved : roll == 1 ? (reserved < INT64_MAX ? reserved + 1 : reserved) : 1 + (int64_t)below(&w->rng, (uint32_t)(reserved > 0 && reserved < 100000 ? reserved : 100));
    } else {
        t.amount = below(&w->rng, 3) == 0 ? reserved : below(&w->rng, 10) == 0 ? 7 : 0;
    }
    t.code = PREPAY_LEDGER_CODE_DEDUCTION;
    /* Now, or late: up to an hour after (posts that may meet a passed deadline). */
    t.timestamp = (int64_t)w->ops * 60 + (below(&w->rng, 3) == 0 ? (int64_t)below(&w->rng, 3600) : 0);
    return t;
}

/* A replay of a transfer tried before, exact or with one field group changed. */
static prepay_ledger_transfer_t random_replay(world_t *w)
{
    prepay_ledger_transfer_t t = w->history[below(&w->rng, w->history_count)];
    switch (below(&w->rng, 10)) {
    case 0:
        t.amount = t.amount < INT64_MAX ? t.amount + 1 : t.amount - 1;
        break;
    case 1:
        t.debit_account_id = random_account(w);
        break;
    case 2:
        t.credit_account_id = random_account(w);
        break;
    case 3:
        t.code = (uint16_t)(t.code + 1u);
        break;
    case 4:
        t.order_id += 1u;
        break;
    case 5:
        t.timestamp += 3600; /* not compared */
        break;
    case 6:
        t.deadline = t.deadline != 0 && below(&w->rng, 2) ? 0 : t.deadline + 1;
        break;
    default:
        break; /* exact replay */
    }
    return t;
}

static void remember(world_t *w, const prepay_ledger_transfer_t *t)
{
    w->history[w->history_count < 256 ? w->history_count++ : below(&w->rng, 256)] = *t;
}

static bool same_fields(const prepay_ledger_transfer_t *a, const prepay_ledger_transfer_t *b)
{
    return a->flags == b->flags && a->pending_id == b->pending_id && a->debit_account_id == b->debit_account_id &&
           a->credit_account_id == b->credit_account_id && a->amount == b->amount && a->code == b->code &&
           a->meter_id == b->meter_id && a->interval_start == b->interval_start &&
           a->interval_end == b->interval_end && a->tariff_version == b->tariff_version &&
           a->order_id == b->order_id && a->reference_id == b->reference_id && a->deadline == b->deadline;
}

/* Checks one result against the model and applies an OK result to the model. */
static void account_result(world_t *w, const prepay_ledger_transfer_t *t, int result)
{
    bool known = t->id != 0u && t->id < MAX_IDS && w->ids[t->id].present;
    if (result == PREPAY_OK) {
        w->stats_ok++;
        assert_false(known); /* never applied twice */
        assert_true(t->id != 0u && t->id < MAX_IDS);
        applied_t *a = &w->ids[t->id];
        a->present = true;
        a->t = *t;
        a->state = 0;
        a->position = w->log_length++;
        bool two_phase = (t->flags & (PREPAY_LEDGER_TRANSFER_POST_PENDING | PREPAY_LEDGER_TRANSFER_VOID_PENDING)) != 0u;
        if (two_phase) {
            applied_t *p = &w->ids[t->pending_id];
            assert_true(p->present && p->state == 1);
            /* never at or after the pending transfer's deadline */
            assert_true(p->t.deadline == 0 || t->timestamp < p->t.deadline);
            model_account_t *dr = model_need(w, p->t.debit_account_id);
            model_account_t *cr = model_need(w, p->t.credit_account_id);
            assert_true(t->amount <= p->t.amount);
            dr->dq -= p->t.amount;
            cr->cq -= p->t.amount;
            if ((t->flags & PREPAY_LEDGER_TRANSFER_POST_PENDING) != 0u) {
                dr->dp += t->amount;
                cr->cp += t->amount;
                p->state = 2;
            } else {
                p->state = 3;
            }
        } else {
            model_account_t *dr = model_find(w, t->debit_account_id);
            model_account_t *cr = model_find(w, t->credit_account_id);
            assert_non_null(dr);
            assert_non_null(cr);
            assert_true(t->amount > 0);
            if ((t->flags & PREPAY_LEDGER_TRANSFER_PENDING) != 0u) {
                dr->dq += t->amount;
                cr->cq += t->amount;
                a->state = 1;
                w->pendings[w->pending_count < 256 ? w->pending_count++ : below(&w->rng, 256)] = t->id;
            } else {
                dr->dp += t->amount;
                cr->cp += t->amount;
            }
        }
    } else if (result == PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED) {
        /* refused as expired exactly when the model says so */
        w->stats_err++;
        w->stats_late++;
        assert_true(t->pending_id < MAX_IDS);
        const applied_t *p = &w->ids[t->pending_id];
        /* (absent: a pending transfer of the same failed chain, rolled back) */
        assert_true(!p->present || p->state == 4 ||
                    (p->state == 1 && p->t.deadline != 0 && t->timestamp >= p->t.deadline));
    } else if (result == PREPAY_LEDGER_EXISTS) {
        w->stats_exists++;
        assert_true(known);
        assert_true(same_fields(&w->ids[t->id].t, t));
    } else {
        w->stats_err++;
        assert_true(result < 0);
        if (known && result != PREPAY_E_LEDGER_LINKED_EVENT_FAILED &&
            result != PREPAY_E_LEDGER_LINKED_EVENT_CHAIN_OPEN) {
            /* A known id fails only on stateless validation or a differing field. */
            assert_true(result >= PREPAY_E_LEDGER_DEADLINE_MUST_BE_ZERO ||
                        (result <= PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_FLAGS &&
                         result >= PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEADLINE));
            if (result <= PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_FLAGS) {
                assert_false(same_fields(&w->ids[t->id].t, t));
            }
        }
    }
}

/* Releases a pending transfer in the model as an expiry does. */
static void model_expire(world_t *w, applied_t *p)
{
    model_account_t *dr = model_need(w, p->t.debit_account_id);
    model_account_t *cr = model_need(w, p->t.credit_account_id);
    dr->dq -= p->t.amount;
    cr->cq -= p->t.amount;
    p->state = 4;
    w->stats_expired++;
}

/* prepay_ledger_expire() against the model: the open pending transfers with
 * deadline <= now, by (deadline, log position), at most cap of them. */
static void expire_op(world_t *w)
{
    prepay_time_t now = (int64_t)w->ops * 60 - 600 + (int64_t)below(&w->rng, 3600);
    size_t cap = 1u + below(&w->rng, 8);
    uint64_t want[8];
    size_t wanted = 0;
    for (;;) {
        uint64_t best = 0;
        for (uint64_t id = 1; id < w->next_id && id < MAX_IDS; id++) {
            const applied_t *a = &w->ids[id];
            if (!a->present || a->state != 1 || a->t.deadline == 0 || a->t.deadline > now) {
                continue;
            }
            bool taken = false;
            for (size_t k = 0; k < wanted; k++) {
                taken = taken || want[k] == id;
            }
            const applied_t *b = best != 0 ? &w->ids[best] : NULL;
            if (!taken && (b == NULL || a->t.deadline < b->t.deadline ||
                           (a->t.deadline == b->t.deadline && a->position < b->position))) {
                best = id;
            }
        }
        if (best == 0 || wanted == cap) {
            break;
        }
        want[wanted++] = best;
    }
    uint64_t got[8];
    int n = prepay_ledger_expire(&w->tl.ledger, now, got, cap);
    assert_int_equal(n, (int)wanted);
    for (size_t k = 0; k < wanted; k++) {
        assert_int_equal(got[k], want[k]);
        model_expire(w, &w->ids[want[k]]);
    }
}

/* prepay_ledger_replay_expiry() on a recent pending transfer, against the model. */
static void replay_expiry_op(world_t *w)
{
    uint64_t id = w->pending_count ? w->pendings[below(&w->rng, w->pending_count)] : 1u;
    prepay_time_t now = (int64_t)w->ops * 60 - 600 + (int64_t)below(&w->rng, 3600);
    applied_t *p = id < MAX_IDS ? &w->ids[id] : NULL;
    int want;
    if (p == NULL || !p->present) {
        want = PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_FOUND;
    } else if ((p->t.flags & PREPAY_LEDGER_TRANSFER_PENDING) == 0u) {
        want = PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_PENDING;
    } else if (p->state == 2) {
        want = PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_POSTED;
    } else if (p->state == 3) {
        want = PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_VOIDED;
    } else if (p->state == 4) {
        want = PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED;
    } else if (p->t.deadline == 0 || p->t.deadline > now) {
        want = PREPAY_E_LEDGER_DEADLINE_NOT_REACHED;
    } else {
        want = PREPAY_OK;
    }
    assert_int_equal(prepay_ledger_replay_expiry(&w->tl.ledger, id, now), want);
    if (want == PREPAY_OK) {
        model_expire(w, p);
    }
}

static void check_model(world_t *w)
{
    uint64_t dp = 0, dq = 0, cp = 0, cq = 0;
    for (unsigned i = 0; i < N_ACCOUNTS; i++) {
        const model_account_t *m = &w->acc[i];
        const prepay_ledger_account_t *a = prepay_ledger_account(&w->tl.ledger, m->def.id);
        assert_non_null(a);
        if (a->debits_posted != m->dp || a->debits_pending != m->dq || a->credits_posted != m->cp ||
            a->credits_pending != m->cq) {
            fail_msg("op %llu: account %u differs from the model", (unsigned long long)w->ops, i + 1u);
        }
        dp += (uint64_t)m->dp;
        dq += (uint64_t)m->dq;
        cp += (uint64_t)m->cp;
        cq += (uint64_t)m->cq;
        if ((m->def.flags & PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) != 0u) {
            prepay_ledger_balance_t b;
            assert_int_equal(prepay_ledger_balance(&w->tl.ledger, m->def.id, &b), PREPAY_OK);
            assert_true(b.available >= -m->def.overdraft_limit);
        }
        if ((m->def.flags & PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) != 0u) {
            assert_true(m->cp + m->cq <= m->dp);
        }
        if (m->def.max_balance > 0) {
            assert_true(m->cp + m->cq - m->dp <= m->def.max_balance);
        }
    }
    assert_true(dp == cp);
    assert_true(dq == cq);
}

static void run_batch(world_t *w, prepay_ledger_transfer_t *batch, size_t n)
{
    int results[MAX_CHAIN * 2];
    uint32_t before = prepay_ledger_transfer_count(&w->tl.ledger);
    int applied = prepay_ledger_apply(&w->tl.ledger, batch, n, results);
    assert_true(applied >= 0);
    int ok = 0;
    for (size_t k = 0; k < n; k++) {
        account_result(w, &batch[k], results[k]);
        remember(w, &batch[k]);
        ok += results[k] == PREPAY_OK;
        if (results[k] == PREPAY_E_LEDGER_LINKED_EVENT_FAILED) {
            w->stats_chain_fail++;
        }
    }
    assert_int_equal(applied, ok);
    assert_int_equal(prepay_ledger_transfer_count(&w->tl.ledger), before + (uint32_t)ok);
}

static void one_op(world_t *w)
{
    prepay_ledger_transfer_t batch[MAX_CHAIN * 2];
    uint32_t roll = below(&w->rng, 100);
    if (roll < 30 || w->history_count == 0) {
        batch[0] = random_new(w, false);
        run_batch(w, batch, 1);
    } else if (roll < 42) {
        batch[0] = random_new(w, true);
        run_batch(w, batch, 1);
    } else if (roll < 54) {
        batch[0] = random_two_phase(w);
        run_batch(w, batch, 1);
    } else if (roll < 70) {
        batch[0] = random_replay(w);
        if (below(&w->rng, 2)) {
            int r = prepay_ledger_replay(&w->tl.ledger, &batch[0]);
            account_result(w, &batch[0], r);
        } else {
            run_batch(w, batch, 1);
        }
    } else if (roll < 90) {
        /* a linked chain of 2..MAX_CHAIN, sometimes left open, sometimes with a replay inside */
        size_t n = 2u + below(&w->rng, MAX_CHAIN - 1);
        for (size_t k = 0; k < n; k++) {
            uint32_t kind = below(&w->rng, 10);
            batch[k] = kind < 6 ? random_new(w, false)
                       : kind < 8 ? random_new(w, true)
                       : kind < 9 ? random_two_phase(w)
                                  : random_replay(w);
            batch[k].flags = (uint16_t)(batch[k].flags | PREPAY_LEDGER_TRANSFER_LINKED);
        }
        if (below(&w->rng, 10) != 0) {
            batch[n - 1].flags = (uint16_t)(batch[n - 1].flags & ~PREPAY_LEDGER_TRANSFER_LINKED);
        }
        if (below(&w->rng, 4) == 0) {
            batch[n] = random_new(w, false); /* a single after the chain */
            n++;
        }
        run_batch(w, batch, n);
    } else if (roll < 96) {
        /* a recharge chain from the builder */
        prepay_ledger_recharge_t q;
        memset(&q, 0, sizeof q);
        q.wallet_id = 3u + below(&w->rng, 6);
        q.clearing_id = 1u;
        q.amount = 1 + (int64_t)below(&w->rng, 3000);
        q.recharge_id = w->next_id++;
        q.repay_emergency_id = w->next_id++;
        q.repay_debt_id = w->next_id++;
        size_t n = 0;
        assert_int_equal(prepay_ledger_build_recharge(&w->tl.ledger, &q, batch, MAX_CHAIN, &n), PREPAY_OK);
        run_batch(w, batch, n);
    } else if (roll < 98) {
        if (below(&w->rng, 4) == 0) {
            replay_expiry_op(w);
        } else {
            expire_op(w);
        }
    } else if (roll < 99) {
        /* record a debt (standing charge missed) */
        prepay_ledger_transfer_t t;
        memset(&t, 0, sizeof t);
        t.id = w->next_id++;
        t.debit_account_id = 11u;
        t.credit_account_id = 12u;
        t.amount = 1 + (int64_t)below(&w->rng, 500);
        t.code = PREPAY_LEDGER_CODE_DEBT;
        batch[0] = t;
        run_batch(w, batch, 1);
    } else {
        /* rarely close an account (voids still pass afterwards) */
        if (below(&w->rng, 20) == 0) {
            uint64_t id = 1u + below(&w->rng, N_ACCOUNTS);
            int r = prepay_ledger_close_account(&w->tl.ledger, id);
            assert_true(r == PREPAY_OK || r == PREPAY_LEDGER_EXISTS);
            model_need(w, id)->def.flags |= PREPAY_LEDGER_ACCOUNT_CLOSED;
        }
    }
}

static void run_episode(world_t *w, uint64_t seed, uint32_t ops, uint32_t capacity)
{
    memset(w->ids, 0, MAX_IDS * sizeof w->ids[0]);
    w->rng.s = seed;
    w->next_id = 1;
    w->history_count = 0;
    w->pending_count = 0;
    w->log_length = 0;
    test_ledger_open(&w->tl, N_ACCOUNTS, capacity);
    setup_accounts(w);
    for (uint32_t i = 0; i < ops; i++) {
        w->ops++;
        one_op(w);
        check_model(w);
        if (i % VERIFY_EVERY == 0) {
            assert_int_equal(test_ledger_verify(&w->tl), PREPAY_OK);
            w->stats_verify++;
        }
    }
    assert_int_equal(test_ledger_verify(&w->tl), PREPAY_OK);
    w->stats_verify++;
    test_ledger_close(&w->tl);
}

static void test_random_operations(void **state)
{
    (void)state;
    world_t *w = calloc(1, sizeof *w);
    assert_non_null(w);
    w->ids = calloc(MAX_IDS, sizeof w->ids[0]);
    assert_non_null(w->ids);
    uint64_t done = 0;
    uint64_t episode = 0;
    while (done < total_ops) {
        uint32_t ops = (uint32_t)(total_ops - done < OPS_PER_EPISODE ? total_ops - done : OPS_PER_EPISODE);
        /* every fourth episode has a small log, so the capacity limit is hit */
        uint32_t capacity = episode % 4u == 3u ? 300u : ops * 3u + 16u;
        run_episode(w, 0x5eed0000u + episode, ops, capacity);
        done += ops;
        episode++;
    }
    printf("ops %llu (episodes %llu): ok %llu, exists %llu, errors %llu (linked_event_failed %llu, expired %llu), "
           "expiries %llu, verify %llu\n",
           (unsigned long long)w->ops, (unsigned long long)episode, (unsigned long long)w->stats_ok,
           (unsigned long long)w->stats_exists, (unsigned long long)w->stats_err,
           (unsigned long long)w->stats_chain_fail, (unsigned long long)w->stats_late,
           (unsigned long long)w->stats_expired, (unsigned long long)w->stats_verify);
    assert_true(w->stats_ok > 0 && w->stats_exists > 0 && w->stats_chain_fail > 0);
    assert_true(total_ops < 100000u || (w->stats_expired > 0 && w->stats_late > 0));
    free(w->ids);
    free(w);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const char *env = getenv("PREPAY_LEDGER_PROPERTY_OPS");
    if (argc > 2) {
        total_ops = strtoull(argv[2], NULL, 10);
    } else if (env != NULL && *env != '\0') {
        total_ops = strtoull(env, NULL, 10);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_operations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
