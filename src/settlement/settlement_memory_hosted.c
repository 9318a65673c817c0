/* SPDX-License-Identifier: MIT */
/* Hosted helpers: site and work memory from the heap, on huge pages when large. */
#include <stdlib.h>
#include <string.h>

#include "../common/large_alloc_internal.h"
#include "prepay/settlement_hosted.h"

int prepay_settlement_memory_alloc(prepay_settlement_memory_t *memory, const prepay_settlement_sizes_t *sizes)
{
    if (!memory || !sizes) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t bytes;
    int status = prepay_settlement_memory_size(sizes, &bytes);
    if (status != PREPAY_OK) {
        return status;
    }
    /* On a cache-line boundary: the account array starts the buffer, and a reading reads the
     * front of an account record (168 of its 448 bytes in the default configuration, 7 lines a
     * record): 3 lines when each record starts a line, 3.4 on average when it may start
     * anywhere 16-aligned (docs/settlement.md, "Cost"). From 2 MiB on, on huge pages: a
     * reading reads one meter and one account record at random, and with 4 KiB pages a site
     * of 100 000 meters (77 MB of records) misses the TLB on nearly every one. */
    void *buffer = prepay__large_alloc(bytes);
    if (!buffer) {
        return PREPAY_E_CAPACITY;
    }
    size_t rounded = (bytes + 63u) & ~(size_t)63u; /* what prepay__large_alloc() gave at least */
    status = prepay_settlement_memory_layout(memory, buffer, rounded, sizes);
    if (status != PREPAY_OK) {
        free(buffer);
    }
    return status;
}

void prepay_settlement_memory_free(prepay_settlement_memory_t *memory)
{
    if (!memory) {
        return;
    }
    free(memory->accounts); /* the first array starts the buffer */
    memset(memory, 0, sizeof *memory);
}

int prepay_settlement_work_alloc(prepay_settlement_work_t *work, const prepay_settlement_work_sizes_t *sizes)
{
    if (!work || !sizes) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t bytes;
    int status = prepay_settlement_work_size(sizes, &bytes);
    if (status != PREPAY_OK) {
        return status;
    }
    /* The undo log, transfers and keys of a batch of 8 192 readings: some 4 MB. */
    void *buffer = prepay__large_alloc(bytes ? bytes : 8u);
    if (!buffer) {
        return PREPAY_E_CAPACITY;
    }
    status = prepay_settlement_work_layout(work, buffer, bytes, sizes);
    if (status != PREPAY_OK) {
        free(buffer);
    }
    return status;
}

void prepay_settlement_work_free(prepay_settlement_work_t *work)
{
    if (!work) {
        return;
    }
    free(work->transfers); /* the first array starts the buffer */
    memset(work, 0, sizeof *work);
}
