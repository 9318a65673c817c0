/* SPDX-License-Identifier: MIT */
/*
 * Sorting without allocation: a stable sort of 64-bit keys with a 32-bit
 * payload (readings by meter and time: LSD radix passes on the meter half,
 * over the bits where keys differ only, then each meter's
 * readings by insertion), and an in-place heap sort (allocation lines by
 * account).
 */
#include "settlement_internal.h"

/* Digits of the meter passes: at most 9 bits (a 2 KiB count table on the stack). A site of up
 * to 2^18 meters sorts in two passes (100 000 meters: two of 9 bits instead of three bytes). */
#define DIGIT_BITS_MAX 9u

/* One stable LSD pass on the `bits`-bit digit at `shift`: src -> dst. */
static void radix_pass(const uint64_t *src_k, const uint32_t *src_p, uint64_t *dst_k, uint32_t *dst_p,
                       uint32_t count, unsigned shift, unsigned bits)
{
    uint32_t counts[1u << DIGIT_BITS_MAX];
    const uint32_t buckets = 1u << bits;
    const uint64_t mask = buckets - 1u;
    for (uint32_t b = 0; b < buckets; b++) {
        counts[b] = 0;
    }
    for (uint32_t i = 0; i < count; i++) {
        counts[(src_k[i] >> shift) & mask]++;
    }
    uint32_t sum = 0;
    for (uint32_t b = 0; b < buckets; b++) {
        uint32_t c = counts[b];
        counts[b] = sum;
        sum += c;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t at = counts[(src_k[i] >> shift) & mask]++;
        dst_k[at] = src_k[i];
        dst_p[at] = src_p[i];
    }
}

/* The lowest and one past the highest bit set in a non-zero mask. */
static unsigned lowest_bit(uint64_t v)
{
    unsigned n = 0;
    while ((v & 1u) == 0u) {
        v >>= 1;
        n++;
    }
    return n;
}

static unsigned bit_length(uint64_t v)
{
    unsigned n = 0;
    while (v != 0u) {
        v >>= 1;
        n++;
    }
    return n;
}

/* Stable LSD radix sort on the bits of [from, to) where the keys differ (`differ`: the OR of
 * every key XOR the first), in as few passes of equal width (<= DIGIT_BITS_MAX) as cover them;
 * the result ends in keys/payload. */
static void radix_bits(uint64_t *keys, uint32_t *payload, uint64_t *tmp_keys, uint32_t *tmp_payload,
                       uint32_t count, uint64_t differ, unsigned from, unsigned to)
{
    uint64_t span = differ >> from;
    if (to - from < 64u) {
        span &= ((uint64_t)1 << (to - from)) - 1u;
    }
    if (span == 0u) {
        return; /* every key agrees on these bits: nothing to do */
    }
    unsigned low = from + lowest_bit(span);
    unsigned width = from + bit_length(span) - low;
    unsigned passes = (width + DIGIT_BITS_MAX - 1u) / DIGIT_BITS_MAX;
    unsigned bits = (width + passes - 1u) / passes;
    uint64_t *src_k = keys, *dst_k = tmp_keys;
    uint32_t *src_p = payload, *dst_p = tmp_payload;
    for (unsigned shift = low; shift < low + width; shift += bits) {
        unsigned digit = low + width - shift < bits ? low + width - shift : bits;
        radix_pass(src_k, src_p, dst_k, dst_p, count, shift, digit);
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

/* A run of keys with one meter (the high half) longer than this is not put in time order by
 * insertion: the whole sort runs over every differing bit instead. A batch reads most meters once. */
#define INSERTION_RUN_MAX 16u

/* Keys are (meter << 32 | time). A batch mostly holds one reading per meter, so the sort goes by
 * the meter half first (the low half's passes, half of them, are skipped), then puts each
 * meter's few readings in time order by a stable insertion: the same order as a stable sort on
 * the whole key, which the sort falls back to when a meter has more than INSERTION_RUN_MAX
 * readings in the batch. */
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
    radix_bits(keys, payload, tmp_keys, tmp_payload, count, differ, 32u, 64u);
    if ((uint32_t)differ == 0u) {
        return; /* one time: the meter order is the order */
    }
    uint32_t run = 0; /* start of the current meter's run */
    for (uint32_t i = 1; i <= count; i++) {
        if (i < count && keys[i] >> 32 == keys[run] >> 32) {
            continue;
        }
        if (i - run > INSERTION_RUN_MAX) {
            /* Stable on the whole key from the meter order: the same result as from the batch's. */
            radix_bits(keys, payload, tmp_keys, tmp_payload, count, differ, 0u, 64u);
            return;
        }
        for (uint32_t j = run + 1u; j < i; j++) {
            uint64_t k = keys[j];
            uint32_t p = payload[j];
            uint32_t at = j;
            while (at > run && keys[at - 1u] > k) { /* strictly greater: equal keys keep their order */
                keys[at] = keys[at - 1u];
                payload[at] = payload[at - 1u];
                at--;
            }
            keys[at] = k;
            payload[at] = p;
        }
        run = i;
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
