/* SPDX-License-Identifier: MIT */
/* Allocation of a priced common consumption to parts, as lines (see allocation.h). */
#include <stddef.h>

#include "allocation_internal.h"
#include "prepay/allocation.h"

/* Effective weight of part i's own line and of its owner line (0 if none). */
static int part_weights(const prepay_allocation_request_t *request, const prepay_allocation_part_t *part, uint64_t *account,
                        int64_t *own, int64_t *owner)
{
    int32_t period = request->period_days;
    bool by_days = period > 0;
    *owner = 0;
    if (part->weight < 0) {
        return PREPAY_E_ALLOCATION_NEGATIVE_WEIGHT;
    }
    if (by_days && (part->occupied_days < 0 || part->occupied_days > period)) {
        return PREPAY_E_ALLOCATION_BAD_DAYS;
    }
    if (part->vacant) {
        if (request->vacancy == PREPAY_ALLOCATION_VACANT_SKIP) {
            *account = part->account_id;
            *own = 0;
            return PREPAY_OK;
        }
        *account = request->owner_account_id;
        return by_days ? prepay_allocation_weight_days(part->weight, period, own) : (*own = part->weight, PREPAY_OK);
    }
    *account = part->account_id;
    if (!by_days) {
        *own = part->weight;
        return PREPAY_OK;
    }
    int status = prepay_allocation_weight_days(part->weight, part->occupied_days, own);
    if (status == PREPAY_OK && request->owner_pays_unoccupied && request->vacancy == PREPAY_ALLOCATION_VACANT_OWNER &&
        part->occupied_days < period) {
        status = prepay_allocation_weight_days(part->weight, period - part->occupied_days, owner);
    }
    return status;
}

int prepay_allocation_allocate(const prepay_allocation_request_t *request, const prepay_allocation_part_t *parts, size_t count,
                          prepay_allocation_line_t *lines, size_t lines_cap, size_t *line_count)
{
    if (!request || !parts || !lines || !line_count) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (count == 0) {
        return PREPAY_E_ALLOCATION_NO_PARTS;
    }
    if (request->period_days < 0) {
        return PREPAY_E_ALLOCATION_BAD_DAYS;
    }
    if (request->vacancy != PREPAY_ALLOCATION_VACANT_OWNER && request->vacancy != PREPAY_ALLOCATION_VACANT_SKIP) {
        return PREPAY_E_ALLOCATION_BAD_POLICY;
    }
    /* Pass 1: validate and count, writing nothing. */
    size_t needed = count;
    bool any_weight = false;
    for (size_t i = 0; i < count; i++) {
        uint64_t account = 0;
        int64_t own = 0, owner = 0;
        int status = part_weights(request, &parts[i], &account, &own, &owner);
        if (status != PREPAY_OK) {
            return status;
        }
        any_weight = any_weight || own > 0 || owner > 0;
        if (owner > 0) {
            needed++;
        }
    }
    if (!any_weight) {
        return PREPAY_E_ALLOCATION_ZERO_WEIGHTS;
    }
    if (needed > lines_cap) {
        *line_count = needed;
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    /* Pass 2: write the lines, then split both columns by the same weights. */
    size_t extra = count;
    for (size_t i = 0; i < count; i++) {
        uint64_t account = 0;
        int64_t own = 0, owner = 0;
        (void)part_weights(request, &parts[i], &account, &own, &owner);
        lines[i].part_index = i;
        lines[i].account_id = account;
        lines[i].weight = own;
        lines[i].energy = 0;
        lines[i].money = 0;
        if (owner > 0) {
            lines[extra].part_index = i;
            lines[extra].account_id = request->owner_account_id;
            lines[extra].weight = owner;
            lines[extra].energy = 0;
            lines[extra].money = 0;
            extra++;
        }
    }
    unsigned char *base = (unsigned char *)lines;
    /* Cannot fail: the weights were validated above and are not all zero. */
    (void)prepay__alloc_split_strided(request->energy, base + offsetof(prepay_allocation_line_t, weight),
                                      sizeof(prepay_allocation_line_t), base + offsetof(prepay_allocation_line_t, energy),
                                      sizeof(prepay_allocation_line_t), needed);
    (void)prepay__alloc_split_strided(request->money, base + offsetof(prepay_allocation_line_t, weight),
                                      sizeof(prepay_allocation_line_t), base + offsetof(prepay_allocation_line_t, money),
                                      sizeof(prepay_allocation_line_t), needed);
    *line_count = needed;
    return PREPAY_OK;
}
