/* SPDX-License-Identifier: MIT */
/*
 * Pending-transfer deadlines: the expiry heap and prepay_ledger_expire() /
 * prepay_ledger_replay_expiry(). Freestanding; see include/prepay/ledger.h.
 *
 * The heap lives in caller memory (one uint32_t per log entry) and holds log
 * positions ordered by (deadline, position), so expiring what is due costs
 * O(log n) per transfer and nothing when nothing is due. Posts and voids do
 * not search the heap: a resolved entry stays in it until its deadline comes
 * and is dropped then.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger_internal.h"
#include "prepay/ledger.h"

/* Heap order: earlier deadline first, then earlier log position. */
static bool before(const prepay_ledger_t *ledger, uint32_t a, uint32_t b)
{
    prepay_time_t da = ledger->memory.entries[a].transfer.deadline;
    prepay_time_t db = ledger->memory.entries[b].transfer.deadline;
    return da < db || (da == db && a < b);
}

void prepay__ledger_expiry_push(prepay_ledger_t *ledger, uint32_t position)
{
    uint32_t *heap = ledger->memory.expiry_heap;
    /* apply refused the deadline without a heap, and each position enters
     * once, so there is room; the checks only guard a misuse. */
    if (heap == NULL || ledger->expiry_count >= ledger->memory.transfer_capacity) {
        return;
    }
    uint32_t at = ledger->expiry_count++;
    while (at > 0u) {
        uint32_t parent = (at - 1u) / 2u;
        if (!before(ledger, position, heap[parent])) {
            break;
        }
        heap[at] = heap[parent];
        at = parent;
    }
    heap[at] = position;
}

static void pop_top(prepay_ledger_t *ledger)
{
    uint32_t *heap = ledger->memory.expiry_heap;
    uint32_t n = --ledger->expiry_count;
    if (n == 0u) {
        return;
    }
    uint32_t moved = heap[n];
    uint32_t at = 0;
    for (;;) {
        uint32_t child = 2u * at + 1u;
        if (child >= n) {
            break;
        }
        if (child + 1u < n && before(ledger, heap[child + 1u], heap[child])) {
            child++;
        }
        if (!before(ledger, heap[child], moved)) {
            break;
        }
        heap[at] = heap[child];
        at = child;
    }
    heap[at] = moved;
}

void prepay__ledger_release_expired(prepay_ledger_t *ledger, uint32_t position)
{
    prepay_ledger_entry_t *e = &ledger->memory.entries[position];
    /* The accounts exist: the pending transfer was applied against them. */
    prepay_ledger_account_t *dr =
        &ledger->memory.accounts[prepay__ledger_account_find(ledger, e->transfer.debit_account_id) - 1u];
    prepay_ledger_account_t *cr =
        &ledger->memory.accounts[prepay__ledger_account_find(ledger, e->transfer.credit_account_id) - 1u];
    dr->debits_pending -= e->transfer.amount;
    cr->credits_pending -= e->transfer.amount;
    e->state = PREPAY_LEDGER_STATE_EXPIRED;
    e->resolved_by = 0;
}

int prepay_ledger_expire(prepay_ledger_t *ledger, prepay_time_t now, uint64_t *expired_ids, size_t ids_cap)
{
    if (!prepay__ledger_ready(ledger)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t limit = ids_cap < (size_t)INT32_MAX ? ids_cap : (size_t)INT32_MAX;
    size_t expired = 0;
    while (expired < limit && ledger->expiry_count > 0u) {
        uint32_t top = ledger->memory.expiry_heap[0];
        const prepay_ledger_entry_t *e = &ledger->memory.entries[top];
        if (e->state != PREPAY_LEDGER_STATE_PENDING) {
            pop_top(ledger); /* posted or voided before its deadline */
            continue;
        }
        if (e->transfer.deadline > now) {
            break;
        }
        pop_top(ledger);
        prepay__ledger_release_expired(ledger, top);
        if (expired_ids != NULL) {
            expired_ids[expired] = e->transfer.id;
        }
        expired++;
    }
    return (int)expired;
}

int prepay_ledger_replay_expiry(prepay_ledger_t *ledger, uint64_t transfer_id, prepay_time_t now)
{
    if (!prepay__ledger_ready(ledger)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t at = prepay__ledger_transfer_find(ledger, transfer_id);
    if (at == 0u) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_FOUND;
    }
    const prepay_ledger_entry_t *e = &ledger->memory.entries[at - 1u];
    if ((e->transfer.flags & PREPAY_LEDGER_TRANSFER_PENDING) == 0u) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_PENDING;
    }
    if (e->state == PREPAY_LEDGER_STATE_POSTED) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_POSTED;
    }
    if (e->state == PREPAY_LEDGER_STATE_VOIDED) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_VOIDED;
    }
    if (e->state == PREPAY_LEDGER_STATE_EXPIRED) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED;
    }
    if (e->transfer.deadline == 0 || e->transfer.deadline > now) {
        return PREPAY_E_LEDGER_DEADLINE_NOT_REACHED;
    }
    /* Its heap slot stays until it comes to the top, and is dropped then. */
    prepay__ledger_release_expired(ledger, at - 1u);
    return PREPAY_OK;
}
