/* SPDX-License-Identifier: MIT */
/*
 * prepay_ledger_verify(): zero sum, balances equal to the replay of the log,
 * limits, pending states and index consistency. Freestanding.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ledger_internal.h"
#include "prepay/ledger.h"

#define TWO_PHASE (PREPAY_LEDGER_TRANSFER_POST_PENDING | PREPAY_LEDGER_TRANSFER_VOID_PENDING)

static bool add_checked(prepay_money_t *counter, prepay_money_t amount)
{
    return prepay_i64_add(*counter, amount, counter) == PREPAY_OK;
}

/* Replays entry i into the scratch counters; false if the log is inconsistent. */
static bool replay_entry(const prepay_ledger_t *ledger, prepay_ledger_account_t *scratch, uint32_t i)
{
    const prepay_ledger_entry_t *e = &ledger->memory.entries[i];
    const prepay_ledger_transfer_t *t = &e->transfer;
    if (prepay__ledger_transfer_find(ledger, t->id) != i + 1u || t->amount < 0 ||
        (t->deadline != 0 && (t->flags & PREPAY_LEDGER_TRANSFER_PENDING) == 0u)) {
        return false;
    }
    if ((t->flags & TWO_PHASE) != 0u) {
        uint32_t p_at = prepay__ledger_transfer_find(ledger, t->pending_id);
        if (p_at == 0u || p_at > i || e->state != PREPAY_LEDGER_STATE_NONE) {
            return false;
        }
        const prepay_ledger_entry_t *p = &ledger->memory.entries[p_at - 1u];
        bool post = (t->flags & PREPAY_LEDGER_TRANSFER_POST_PENDING) != 0u;
        uint32_t want = post ? (uint32_t)PREPAY_LEDGER_STATE_POSTED : (uint32_t)PREPAY_LEDGER_STATE_VOIDED;
        if ((p->transfer.flags & PREPAY_LEDGER_TRANSFER_PENDING) == 0u || p->resolved_by != i + 1u ||
            p->state != want || t->amount > p->transfer.amount) {
            return false;
        }
        uint32_t dr = prepay__ledger_account_find(ledger, p->transfer.debit_account_id);
        uint32_t cr = prepay__ledger_account_find(ledger, p->transfer.credit_account_id);
        if (dr == 0u || cr == 0u) {
            return false;
        }
        scratch[dr - 1u].debits_pending -= p->transfer.amount;
        scratch[cr - 1u].credits_pending -= p->transfer.amount;
        if (scratch[dr - 1u].debits_pending < 0 || scratch[cr - 1u].credits_pending < 0) {
            return false;
        }
        if (post) {
            return add_checked(&scratch[dr - 1u].debits_posted, t->amount) &&
                   add_checked(&scratch[cr - 1u].credits_posted, t->amount);
        }
        return true;
    }
    uint32_t dr = prepay__ledger_account_find(ledger, t->debit_account_id);
    uint32_t cr = prepay__ledger_account_find(ledger, t->credit_account_id);
    if (dr == 0u || cr == 0u || dr == cr || t->amount == 0) {
        return false;
    }
    if ((t->flags & PREPAY_LEDGER_TRANSFER_PENDING) != 0u) {
        if (e->state == PREPAY_LEDGER_STATE_PENDING) {
            if (e->resolved_by != 0u) {
                return false;
            }
        } else if (e->state == PREPAY_LEDGER_STATE_POSTED || e->state == PREPAY_LEDGER_STATE_VOIDED) {
            if (e->resolved_by <= i + 1u || e->resolved_by > ledger->transfer_count) {
                return false;
            }
        } else if (e->state == PREPAY_LEDGER_STATE_EXPIRED) {
            /* Reserved, then released by an expiry: no net pending amount. */
            return e->resolved_by == 0u && t->deadline != 0;
        } else {
            return false;
        }
        return add_checked(&scratch[dr - 1u].debits_pending, t->amount) &&
               add_checked(&scratch[cr - 1u].credits_pending, t->amount);
    }
    if (e->state != PREPAY_LEDGER_STATE_NONE || e->resolved_by != 0u) {
        return false;
    }
    return add_checked(&scratch[dr - 1u].debits_posted, t->amount) &&
           add_checked(&scratch[cr - 1u].credits_posted, t->amount);
}

/* The expiry heap: in heap order, naming only pending entries with a
 * deadline, and holding every one still open (each enters once, so counting
 * the open ones it names suffices). */
static bool expiry_heap_ok(const prepay_ledger_t *ledger)
{
    const uint32_t *heap = ledger->memory.expiry_heap;
    const prepay_ledger_entry_t *entries = ledger->memory.entries;
    uint32_t open_in_heap = 0;
    uint32_t open = 0;
    if (ledger->expiry_count > 0u && heap == NULL) {
        return false;
    }
    for (uint32_t k = 0; k < ledger->expiry_count; k++) {
        uint32_t at = heap[k];
        if (at >= ledger->transfer_count || entries[at].transfer.deadline == 0) {
            return false;
        }
        if (k > 0u) {
            uint32_t parent = heap[(k - 1u) / 2u];
            prepay_time_t dp = entries[parent].transfer.deadline;
            prepay_time_t dk = entries[at].transfer.deadline;
            if (dk < dp || (dk == dp && at <= parent)) {
                return false;
            }
        }
        open_in_heap += entries[at].state == PREPAY_LEDGER_STATE_PENDING;
    }
    for (uint32_t i = 0; i < ledger->transfer_count; i++) {
        open += entries[i].state == PREPAY_LEDGER_STATE_PENDING && entries[i].transfer.deadline != 0;
    }
    return open == open_in_heap;
}

static bool within_limits(const prepay_ledger_account_t *a)
{
    return prepay_ledger_account_check(a) == PREPAY_OK;
}

int prepay_ledger_verify(const prepay_ledger_t *ledger, prepay_ledger_account_t *scratch, size_t scratch_cap)
{
    if (!prepay__ledger_ready(ledger) || (scratch == NULL && ledger->account_count > 0u)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (scratch_cap < ledger->account_count) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    const uint32_t accounts = ledger->account_count;
    for (uint32_t a = 0; a < accounts; a++) {
        if (prepay__ledger_account_find(ledger, ledger->memory.accounts[a].id) != a + 1u) {
            return PREPAY_E_LEDGER_INVARIANT;
        }
        scratch[a] = ledger->memory.accounts[a];
        scratch[a].debits_pending = 0;
        scratch[a].debits_posted = 0;
        scratch[a].credits_pending = 0;
        scratch[a].credits_posted = 0;
    }
    for (uint32_t i = 0; i < ledger->transfer_count; i++) {
        if (!replay_entry(ledger, scratch, i)) {
            return PREPAY_E_LEDGER_INVARIANT;
        }
    }
    /* Sums wrap modulo 2^64; equal sums stay equal under wrapping. */
    uint64_t debits_posted = 0;
    uint64_t credits_posted = 0;
    uint64_t debits_pending = 0;
    uint64_t credits_pending = 0;
    for (uint32_t a = 0; a < accounts; a++) {
        const prepay_ledger_account_t *live = &ledger->memory.accounts[a];
        const prepay_ledger_account_t *want = &scratch[a];
        if (live->debits_pending != want->debits_pending || live->debits_posted != want->debits_posted ||
            live->credits_pending != want->credits_pending || live->credits_posted != want->credits_posted ||
            !within_limits(live)) {
            return PREPAY_E_LEDGER_INVARIANT;
        }
        debits_posted += (uint64_t)live->debits_posted;
        credits_posted += (uint64_t)live->credits_posted;
        debits_pending += (uint64_t)live->debits_pending;
        credits_pending += (uint64_t)live->credits_pending;
    }
    if (debits_posted != credits_posted || debits_pending != credits_pending) {
        return PREPAY_E_LEDGER_INVARIANT;
    }
    if (!expiry_heap_ok(ledger)) {
        return PREPAY_E_LEDGER_INVARIANT;
    }
    /* No stray index slots (e.g. left by a rolled-back chain); each slot's
     * tag is its entry's (the replay above found every entry by its id). */
    uint32_t used = 0;
    for (uint32_t s = 0; s < ledger->memory.transfer_index_slots; s++) {
        uint64_t v = ledger->memory.transfer_index[s];
        uint32_t at = (uint32_t)v;
        if (v != 0u && (at == 0u || at > ledger->transfer_count ||
                        (v & 0xFFFFFFFF00000000u) !=
                            prepay__ledger_transfer_tag(ledger->memory.entries[at - 1u].transfer.id))) {
            return PREPAY_E_LEDGER_INVARIANT;
        }
        used += v != 0u;
    }
    if (used != ledger->transfer_count) {
        return PREPAY_E_LEDGER_INVARIANT;
    }
    used = 0;
    for (uint32_t s = 0; s < ledger->memory.account_index_slots; s++) {
        uint32_t v = ledger->memory.account_index[s];
        if (v > accounts) {
            return PREPAY_E_LEDGER_INVARIANT;
        }
        used += v != 0u;
    }
    if (used != accounts) {
        return PREPAY_E_LEDGER_INVARIANT;
    }
    return PREPAY_OK;
}
