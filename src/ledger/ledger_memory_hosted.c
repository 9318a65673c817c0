/* SPDX-License-Identifier: MIT */
/* Hosted: a ledger's memory from the heap, on huge pages when large (ledger_hosted.h). */
#include <stdlib.h>
#include <string.h>

#include "../common/large_alloc_internal.h"
#include "prepay/ledger_hosted.h"
#include "prepay/status.h"

int prepay_ledger_memory_alloc(prepay_ledger_memory_t *memory, uint32_t accounts, uint32_t transfers)
{
    if (memory == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t size = prepay_ledger_memory_size(accounts, transfers);
    if (size == 0u) {
        return PREPAY_E_INVALID_ARGUMENT; /* a capacity out of range, or too large for size_t */
    }
    void *buffer = prepay__large_alloc(size);
    if (buffer == NULL) {
        return PREPAY_E_CAPACITY;
    }
    prepay_ledger_memory_t laid;
    int status = prepay_ledger_memory_layout(&laid, buffer, size, accounts, transfers);
    if (status != PREPAY_OK) {
        free(buffer);
        return status;
    }
    *memory = laid;
    return PREPAY_OK;
}

void prepay_ledger_memory_free(prepay_ledger_memory_t *memory)
{
    if (memory == NULL) {
        return;
    }
    /* The transfer log starts the buffer (ledger_memory.c, layout_of()). */
    free(memory->entries);
    memset(memory, 0, sizeof *memory);
}
