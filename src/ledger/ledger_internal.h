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

/* Index slots hold position + 1; 0 = empty.
 *
 * The start slot keeps the low 4 bits of the id and hashes the rest
 * (splitmix64 finaliser): 16 consecutive ids (the time-ordered or
 * sequential ids clients should use, as TigerBeetle recommends) land in one
 * 64-byte line of slots and their log entries are adjacent, so a batch
 * walks memory in order instead of missing the cache on every id; ids that
 * differ in the high bits are spread over the whole table. */
static inline uint32_t prepay__ledger_hash(uint64_t id)
{
    uint64_t x = id >> 4;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return ((uint32_t)x << 4) | (uint32_t)(id & 15u);
}

static inline bool prepay__ledger_ready(const prepay_ledger_t *ledger)
{
    return ledger != (const prepay_ledger_t *)0 && ledger->magic == PREPAY_LEDGER_MAGIC;
}

/* Slot holding account id, or the empty slot where it would go. */
static inline uint32_t prepay__ledger_account_slot(const prepay_ledger_t *ledger, uint64_t id)
{
    uint32_t mask = ledger->memory.account_index_slots - 1u;
    uint32_t slot = prepay__ledger_hash(id) & mask;
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

static inline uint32_t prepay__ledger_transfer_slot(const prepay_ledger_t *ledger, uint64_t id)
{
    uint32_t mask = ledger->memory.transfer_index_slots - 1u;
    uint32_t slot = prepay__ledger_hash(id) & mask;
    for (;;) {
        uint32_t v = ledger->memory.transfer_index[slot];
        if (v == 0u || ledger->memory.entries[v - 1u].transfer.id == id) {
            return slot;
        }
        slot = (slot + 1u) & mask;
    }
}

/* Log position + 1, or 0. */
static inline uint32_t prepay__ledger_transfer_find(const prepay_ledger_t *ledger, uint64_t id)
{
    if (id == 0u) {
        return 0u;
    }
    return ledger->memory.transfer_index[prepay__ledger_transfer_slot(ledger, id)];
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

/* Money still owed on a debit-balance account (emergency credit, debt): max(0, debits - credits). */
static inline prepay_money_t prepay__ledger_owed(const prepay_ledger_account_t *account)
{
    if (account->debits_posted <= account->credits_posted) {
        return 0;
    }
    return account->debits_posted - account->credits_posted;
}

#endif /* PREPAY_LEDGER_INTERNAL_H */
