/* SPDX-License-Identifier: MIT */
/*
 * Sizing a ledger's caller memory and laying its arrays out in one buffer
 * (prepay_ledger_memory_size(), prepay_ledger_memory_layout(); the constant
 * twin is PREPAY_LEDGER_MEMORY_SIZE in include/prepay/ledger.h).
 * Freestanding.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/ledger.h"

/* The arrays in buffer order: the 8-byte-aligned ones first, so that no
 * padding is needed between them, then the uint32_t ones. */
typedef struct layout {
    uint64_t entries;        /* offset of the transfer log */
    uint64_t transfer_index; /* offset of the transfer index */
    uint64_t accounts;       /* offset of the account table */
    uint64_t account_index;  /* offset of the account index */
    uint64_t expiry_heap;    /* offset of the expiry heap */
    uint64_t size;           /* total bytes (a multiple of 8) */
} layout_t;

static bool capacity_ok(uint32_t capacity)
{
    return capacity >= 1u && capacity <= PREPAY_LEDGER_MAX_SIZED_CAPACITY;
}

/* PREPAY_LEDGER_INDEX_SLOTS as a loop (the macro's constant expression
 * expands to many 64-bit operations; the static assertions below and the
 * tests hold the two equal). capacity is 1 .. 2^30. */
static uint32_t index_slots(uint32_t capacity)
{
    uint32_t slots = 2;
    while (slots / 2u < capacity) {
        slots *= 2u;
    }
    return slots;
}

static layout_t layout_of(uint32_t accounts, uint32_t transfers)
{
    layout_t l;
    l.entries = 0;
    l.transfer_index = l.entries + PREPAY__LEDGER_ALIGN8((uint64_t)transfers * sizeof(prepay_ledger_entry_t));
    l.accounts = l.transfer_index + (uint64_t)index_slots(transfers) * sizeof(uint64_t);
    l.account_index = l.accounts + PREPAY__LEDGER_ALIGN8((uint64_t)accounts * sizeof(prepay_ledger_account_t));
    l.expiry_heap = l.account_index + (uint64_t)index_slots(accounts) * sizeof(uint32_t);
    l.size = l.expiry_heap + PREPAY__LEDGER_ALIGN8((uint64_t)transfers * sizeof(uint32_t));
    return l;
}

size_t prepay_ledger_memory_size(uint32_t accounts, uint32_t transfers)
{
    if (!capacity_ok(accounts) || !capacity_ok(transfers)) {
        return 0;
    }
    uint64_t size = layout_of(accounts, transfers).size;
    return size > (uint64_t)SIZE_MAX ? 0u : (size_t)size;
}

int prepay_ledger_memory_layout(prepay_ledger_memory_t *memory, void *buffer, size_t size, uint32_t accounts,
                                uint32_t transfers)
{
    if (memory == NULL || buffer == NULL || !capacity_ok(accounts) || !capacity_ok(transfers) ||
        (uintptr_t)buffer % PREPAY_LEDGER_MEMORY_ALIGN != 0u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t need = prepay_ledger_memory_size(accounts, transfers);
    if (need == 0u) {
        return PREPAY_E_INVALID_ARGUMENT; /* does not fit this machine's size_t */
    }
    if (size < need) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    layout_t l = layout_of(accounts, transfers);
    unsigned char *base = buffer;
    /* Each offset is a multiple of 8 and the buffer is 8-aligned, so every
     * array is aligned for its type (none needs more than 8). */
    memory->entries = (prepay_ledger_entry_t *)(void *)(base + (size_t)l.entries);
    memory->transfer_capacity = transfers;
    memory->transfer_index = (uint64_t *)(void *)(base + (size_t)l.transfer_index);
    memory->transfer_index_slots = index_slots(transfers);
    memory->accounts = (prepay_ledger_account_t *)(void *)(base + (size_t)l.accounts);
    memory->account_capacity = accounts;
    memory->account_index = (uint32_t *)(void *)(base + (size_t)l.account_index);
    memory->account_index_slots = index_slots(accounts);
    memory->expiry_heap = (uint32_t *)(void *)(base + (size_t)l.expiry_heap);
    return PREPAY_OK;
}

/* The constant and the run-time size must agree (checked at a few sizes). */
_Static_assert(PREPAY_LEDGER_MEMORY_SIZE(1, 1) ==
                   8u * ((sizeof(prepay_ledger_entry_t) + 7u) / 8u) + 2u * 8u +
                       8u * ((sizeof(prepay_ledger_account_t) + 7u) / 8u) + 2u * 4u + 8u,
               "PREPAY_LEDGER_MEMORY_SIZE(1, 1)");
_Static_assert(PREPAY_LEDGER_INDEX_SLOTS(1) == 2u && PREPAY_LEDGER_INDEX_SLOTS(2) == 4u &&
                   PREPAY_LEDGER_INDEX_SLOTS(3) == 8u && PREPAY_LEDGER_INDEX_SLOTS(4) == 8u &&
                   PREPAY_LEDGER_INDEX_SLOTS(5) == 16u &&
                   PREPAY_LEDGER_INDEX_SLOTS(PREPAY_LEDGER_MAX_SIZED_CAPACITY) == 0x80000000u,
               "PREPAY_LEDGER_INDEX_SLOTS");
