/* SPDX-License-Identifier: MIT */
/* prepay bill: the account-id hash index (see bill.h). */
#include <stdlib.h>
#include <string.h>

#include "bill.h"

/* ---- the account index ------------------------------------------------------- */

static uint64_t mix(uint64_t x)
{
    /* splitmix64 finaliser: sequential ids spread over the table. */
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

bool bill_index_init(bill_index_t *index, size_t count)
{
    size_t slots = 16;
    while (slots < 2 * count) {
        slots *= 2;
    }
    index->keys = calloc(slots, sizeof *index->keys);
    index->values = calloc(slots, sizeof *index->values);
    index->mask = slots - 1;
    return index->keys && index->values;
}

/* Adds id -> value; returns false if the id is already there. */
bool bill_index_put(bill_index_t *index, uint64_t id, size_t value)
{
    for (size_t at = (size_t)mix(id) & index->mask;; at = (at + 1) & index->mask) {
        if (index->keys[at] == id) {
            return false;
        }
        if (index->keys[at] == 0) {
            index->keys[at] = id;
            index->values[at] = value;
            return true;
        }
    }
}

/* The index of the account with this id, or SIZE_MAX. */
size_t bill_index_get(const bill_index_t *index, uint64_t id)
{
    if (id == 0 || index->keys == NULL) {
        return SIZE_MAX;
    }
    for (size_t at = (size_t)mix(id) & index->mask;; at = (at + 1) & index->mask) {
        if (index->keys[at] == id) {
            return index->values[at];
        }
        if (index->keys[at] == 0) {
            return SIZE_MAX;
        }
    }
}

void bill_index_free(bill_index_t *index)
{
    free(index->keys);
    free(index->values);
    memset(index, 0, sizeof *index);
}
