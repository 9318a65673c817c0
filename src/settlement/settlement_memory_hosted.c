/* SPDX-License-Identifier: MIT */
/* Hosted helpers: site and work memory from malloc. */
#include <stdlib.h>
#include <string.h>

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
    void *buffer = malloc(bytes);
    if (!buffer) {
        return PREPAY_E_CAPACITY;
    }
    status = prepay_settlement_memory_layout(memory, buffer, bytes, sizes);
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
    void *buffer = malloc(bytes ? bytes : 8u);
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
