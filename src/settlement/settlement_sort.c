/* SPDX-License-Identifier: MIT */
/*
 * Sorting without allocation: a stable LSD radix sort of 64-bit keys with a
 * 32-bit payload (readings by meter and time), skipping the byte positions
 * where every key agrees, and an in-place heap sort (allocation lines by
 * account).
 */
#include "settlement_internal.h"

void prepay__settle_radix_sort(uint64_t *keys, uint32_t *payload, uint64_t *tmp_keys, uint32_t *tmp_payload,
                               uint32_t count)
{
    if (count < 2u) {
        return;
    }
    uint64_t differ = 0;
    for (uint32_t i = 1; i < count; i++) {
        differ |= keys[i] ^ keys[0];
    }
    uint64_t *src_k = keys, *dst_k = tmp_keys;
    uint32_t *src_p = payload, *dst_p = tmp_payload;
    for (unsigned shift = 0; shift < 64u; shift += 8u) {
        if (((differ >> shift) & 0xFFu) == 0u) {
            continue; /* every key has the same byte here: the pass would change nothing */
        }
        uint32_t counts[256] = {0};
        for (uint32_t i = 0; i < count; i++) {
            counts[(src_k[i] >> shift) & 0xFFu]++;
        }
        uint32_t sum = 0;
        for (unsigned b = 0; b < 256u; b++) {
            uint32_t c = counts[b];
            counts[b] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < count; i++) {
            uint32_t at = counts[(src_k[i] >> shift) & 0xFFu]++;
            dst_k[at] = src_k[i];
            dst_p[at] = src_p[i];
        }
        uint64_t *tk = src_k;
        src_k = dst_k;
        dst_k = tk;
        uint32_t *tp = src_p;
        src_p = dst_p;
        dst_p = tp;
    }
    if (src_k != keys) {
        for (uint32_t i = 0; i < count; i++) {
            keys[i] = src_k[i];
            payload[i] = src_p[i];
        }
    }
}

static void sift_down(uint64_t *keys, uint32_t start, uint32_t end)
{
    uint32_t root = start;
    for (;;) {
        uint32_t child = 2u * root + 1u;
        if (child >= end) {
            return;
        }
        if (child + 1u < end && keys[child + 1u] > keys[child]) {
            child++;
        }
        if (keys[root] >= keys[child]) {
            return;
        }
        uint64_t t = keys[root];
        keys[root] = keys[child];
        keys[child] = t;
        root = child;
    }
}

void prepay__settle_heap_sort(uint64_t *keys, uint32_t count)
{
    if (count < 2u) {
        return;
    }
    for (uint32_t i = count / 2u; i-- > 0u;) {
        sift_down(keys, i, count);
    }
    for (uint32_t end = count - 1u; end > 0u; end--) {
        uint64_t t = keys[0];
        keys[0] = keys[end];
        keys[end] = t;
        sift_down(keys, 0, end);
    }
}
