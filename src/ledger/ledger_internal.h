/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers of the ledger: hash indexes and account lookup.
 * Shared by ledger.c, ledger_query.c and ledger_verify.c; never installed.
 */
#ifndef PREPAY_LEDGER_INTERNAL_H
#define PREPAY_LEDGER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "prepay/ledger.h"

/* "LDGR": set by prepay_ledger_init(). */
#define PREPAY_LEDGER_MAGIC 0x4C444752u

/* A prefetch hint (no effect on the result; nothing on compilers without
 * it, nor on M-profile ARM cores, which mostly have no data cache to fill:
 * there the hint would only cost flash and cycles). Use it in the body of a
 * function that changes state: GCC 12 deems a function whose only effect is
 * a prefetch pure, and deletes calls to it. */
#if (defined(__GNUC__) || defined(__clang__)) && !(defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M')
#define PREPAY__LEDGER_PREFETCH(address) __builtin_prefetch((address), 0, 3)
#else
#define PREPAY__LEDGER_PREFETCH(address) ((void)(address))
#endif

/* splitmix64's finaliser (Steele, Lea, Flood: "Fast splittable pseudorandom
 * number generators", OOPSLA 2014): every input bit moves every output bit. */
static inline uint64_t prepay__ledger_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

/* Start slot of a transfer id in the transfer index (before masking).
 *
 * The low 3 bits of the id are kept and the rest is hashed: 8 consecutive
 * ids (the time-ordered or sequential ids clients should use, as
 * TigerBeetle recommends) land in the 8 slots of one 64-byte line and their
 * log entries are adjacent, so a batch walks memory in order instead of
 * missing the cache on every id; ids that differ in the high bits are spread
 * over the whole table. Runs collide as blocks: at load 0.4 a probe for a
 * sequential id passes 2.6 other slots on average (a run of 16, as this
 * index first kept, passed 5.2 at no gain in locality; random ids pass
 * 0.3 either way). */
static inline uint32_t prepay__ledger_hash(uint64_t id)
{
    return ((uint32_t)prepay__ledger_mix(id >> 3) << 3) | (uint32_t)(id & 7u);
}

static inline bool prepay__ledger_ready(const prepay_ledger_t *ledger)
{
    return ledger != (const prepay_ledger_t *)0 && ledger->magic == PREPAY_LEDGER_MAGIC;
}

/* Account index slots hold position + 1; 0 = empty.
 *
 * Account ids are hashed whole, by Fibonacci hashing (Knuth, TAOCP vol. 3,
 * 6.4: multiply by 2^64 / golden ratio, keep the top bits; the second
 * multiplication keeps the top log2(slots) bits of the high half), which
 * spreads runs of consecutive ids evenly: no extra probe step at all for
 * 1,000 or 100,000 consecutive ids at load 1/2. Keeping runs together (as
 * for transfers) places consecutive wallet ids as blocks that collide as
 * blocks: with runs of 16 (as this index first kept) 6 extra probe steps
 * per lookup for 1,000 consecutive ids at load 1/2, where a whole hash
 * needs 0.5; and a transfer looks two accounts up. */

/* Start slot of an account id in the account index. */
static inline uint32_t prepay__ledger_account_start(const prepay_ledger_t *ledger, uint64_t id)
{
    uint32_t high = (uint32_t)((id * 0x9E3779B97F4A7C15u) >> 32);
    return (uint32_t)(((uint64_t)high * ledger->memory.account_index_slots) >> 32);
}

/* Slot holding account id, or the empty slot where it would go. */
static inline uint32_t prepay__ledger_account_slot(const prepay_ledger_t *ledger, uint64_t id)
{
    uint32_t mask = ledger->memory.account_index_slots - 1u;
    uint32_t slot = prepay__ledger_account_start(ledger, id);
    for (;;) {
        uint32_t v = ledger->memory.account_index[slot];
        if (v == 0u || ledger->memory.accounts[v - 1u].id == id) {
            return slot;
        }
        slot = (slot + 1u) & mask;
    }
}

/* Account position + 1, or 0. */
static inline uint32_t prepay__ledger_account_find(const prepay_ledger_t *ledger, uint64_t id)
{
    if (id == 0u) {
        return 0u;
    }
    return ledger->memory.account_index[prepay__ledger_account_slot(ledger, id)];
}

/* Transfer index slots hold tag << 32 | (position + 1); 0 = empty.
 *
 * The tag is the high half of the same hash, which the start slot never
 * uses (the index has at most 2^31 slots), mixed with the id's low 4 bits so
 * that the 8 ids of a run differ. A probe reads a log entry only when the
 * tags match: an absent id (every new transfer) costs the index line and
 * nothing else, and a present one costs one entry read (plus one per 2^32
 * slots passed, by chance). Without tags, each occupied slot passed cost a
 * random read of the 112-byte log entry to compare ids: on a large log, a
 * cache miss per collision. */
typedef struct prepay__ledger_probe {
    uint32_t slot;  /* the slot holding the id, or the empty slot where it would go */
    uint32_t found; /* log position + 1, or 0 */
    uint64_t tag;   /* tag << 32, ready to be or-ed with a position + 1 */
} prepay__ledger_probe_t;

static inline uint64_t prepay__ledger_transfer_tag(uint64_t id)
{
    uint64_t h = prepay__ledger_mix(id >> 3);
    return (h ^ ((id & 7u) << 32)) & 0xFFFFFFFF00000000u;
}

static inline prepay__ledger_probe_t prepay__ledger_transfer_probe(const prepay_ledger_t *ledger, uint64_t id)
{
    uint64_t h = prepay__ledger_mix(id >> 3);
    uint32_t mask = ledger->memory.transfer_index_slots - 1u;
    prepay__ledger_probe_t p;
    p.tag = (h ^ ((id & 7u) << 32)) & 0xFFFFFFFF00000000u;
    p.slot = (((uint32_t)h << 3) | (uint32_t)(id & 7u)) & mask;
    for (;;) {
        uint64_t v = ledger->memory.transfer_index[p.slot];
        if (v == 0u) {
            p.found = 0u;
            return p;
        }
        if ((v & 0xFFFFFFFF00000000u) == p.tag) {
            uint32_t at = (uint32_t)v;
            if (ledger->memory.entries[at - 1u].transfer.id == id) {
                p.found = at;
                return p;
            }
        }
        p.slot = (p.slot + 1u) & mask;
    }
}

/* Log position + 1, or 0. */
static inline uint32_t prepay__ledger_transfer_find(const prepay_ledger_t *ledger, uint64_t id)
{
    if (id == 0u) {
        return 0u;
    }
    return prepay__ledger_transfer_probe(ledger, id).found;
}

/* Address of the start slot of a transfer id, to prefetch ahead of its probe. */
static inline const uint64_t *prepay__ledger_slot_address(const prepay_ledger_t *ledger, uint64_t id)
{
    return &ledger->memory.transfer_index[prepay__ledger_hash(id) & (ledger->memory.transfer_index_slots - 1u)];
}

/* Once the index line is in cache: the log entry that the start slot names
 * if its tag matches (an id seen before: a replay, or the pending transfer
 * of a post or void), else NULL. */
static inline const prepay_ledger_entry_t *prepay__ledger_entry_address(const prepay_ledger_t *ledger, uint64_t id)
{
    uint64_t v = *prepay__ledger_slot_address(ledger, id);
    if (v != 0u && (v & 0xFFFFFFFF00000000u) == prepay__ledger_transfer_tag(id)) {
        return &ledger->memory.entries[(uint32_t)v - 1u];
    }
    return (const prepay_ledger_entry_t *)0;
}

/* Debit and credit account ids that an entry moves (post/void: those of its pending transfer). */
static inline void prepay__ledger_entry_accounts(const prepay_ledger_t *ledger, const prepay_ledger_entry_t *entry,
                                                 uint64_t *debit, uint64_t *credit)
{
    const prepay_ledger_transfer_t *t = &entry->transfer;
    if ((t->flags & (PREPAY_LEDGER_TRANSFER_POST_PENDING | PREPAY_LEDGER_TRANSFER_VOID_PENDING)) != 0u) {
        uint32_t p = prepay__ledger_transfer_find(ledger, t->pending_id);
        if (p != 0u) {
            *debit = ledger->memory.entries[p - 1u].transfer.debit_account_id;
            *credit = ledger->memory.entries[p - 1u].transfer.credit_account_id;
            return;
        }
    }
    *debit = t->debit_account_id;
    *credit = t->credit_account_id;
}

/* Expiry heap (ledger_expire.c): a binary min-heap of log positions of
 * pending transfers with a deadline, ordered by (deadline, position). An
 * entry enters once, when it can no longer be rolled back, and leaves when it
 * comes due (expiring it if still open, dropping it if posted or voided
 * meanwhile), so the heap never holds more than the log. */
void prepay__ledger_expiry_push(prepay_ledger_t *ledger, uint32_t position);

/* Releases the reservation of the open pending entry at position and marks it expired. */
void prepay__ledger_release_expired(prepay_ledger_t *ledger, uint32_t position);

/* Money still owed on a debit-balance account (emergency credit, debt): max(0, debits - credits). */
static inline prepay_money_t prepay__ledger_owed(const prepay_ledger_account_t *account)
{
    if (account->debits_posted <= account->credits_posted) {
        return 0;
    }
    return account->debits_posted - account->credits_posted;
}

#endif /* PREPAY_LEDGER_INTERNAL_H */
