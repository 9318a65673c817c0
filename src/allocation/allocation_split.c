/* SPDX-License-Identifier: MIT */
/*
 * Largest-remainder (Hamilton) split, exact in integers (see allocation.h).
 *
 * Magnitudes: the split of a negative total is the mirror of its magnitude
 * M = |total| <= 2^63. W = sum of weights is kept in 128 bits (at most
 * count x (2^63 - 1), far below 2^128 for any count that fits in memory).
 * The exact quota of part i is M x w_i / W; M x w_i < 2^126.
 *
 * While the split runs, shares hold the NEGATED magnitude (-2^63 .. 0 is
 * representable in int64_t, +2^63 is not); the sign is fixed at the end.
 *
 * The k = M - sum(floors) leftover units go to the k largest keys
 * (remainder, weight, -index), found without scratch memory:
 * - few units (k <= 8): k scans for the largest key; a part already given
 *   its unit is recognised without a marker, as its share s satisfies
 *   s x W > M x w_i (its remainder would be negative);
 * - otherwise: binary search for the k-th largest remainder R, then for the
 *   smallest weight taken among remainders equal to R, then the lowest
 *   indices of that (R, weight); one final pass applies the units.
 * Remainders are recomputed from the stored floors (two 128-bit products),
 * never divided again.
 */
#include <string.h>

#include "allocation_internal.h"
#include "../common/wide_internal.h"
#include "prepay/allocation.h"

typedef prepay__u128_t u128;

static u128 u128_add64(u128 a, uint64_t b)
{
    u128 r;
    r.lo = a.lo + b;
    r.hi = a.hi + (r.lo < a.lo ? 1u : 0u);
    return r;
}

static int u128_compare(u128 a, u128 b)
{
    if (a.hi != b.hi) {
        return a.hi < b.hi ? -1 : 1;
    }
    if (a.lo != b.lo) {
        return a.lo < b.lo ? -1 : 1;
    }
    return 0;
}

static u128 u128_sub(u128 a, u128 b) /* requires a >= b */
{
    u128 r;
    r.lo = a.lo - b.lo;
    r.hi = a.hi - b.hi - (a.lo < b.lo ? 1u : 0u);
    return r;
}

/* a x b modulo 2^128; callers only use it where the product fits. */
static u128 u128_mul64(u128 a, uint64_t b)
{
    u128 r = prepay__u128_mul(a.lo, b);
    r.hi += a.hi * b;
    return r;
}

/* floor(n / d) for d != 0 when the quotient is known to fit in 64 bits. */
static uint64_t u128_div_small_quotient(u128 n, u128 d)
{
    if (d.hi == 0) {
        uint64_t q = 0, r = 0;
        (void)prepay__u128_divmod(n, d.lo, &q, &r); /* n.hi < d.lo since q < 2^64 */
        return q;
    }
    uint64_t q = 0;
    for (int bit = 63; bit >= 0; --bit) {
        /* d << bit, skipped if it would leave 128 bits (then it exceeds n). */
        if (bit > 0 && (d.hi >> (64 - bit)) != 0) {
            continue;
        }
        u128 shifted;
        if (bit == 0) {
            shifted = d;
        } else {
            shifted.hi = (d.hi << bit) | (d.lo >> (64 - bit));
            shifted.lo = d.lo << bit;
        }
        if (u128_compare(shifted, n) <= 0) {
            n = u128_sub(n, shifted);
            q |= (uint64_t)1u << bit;
        }
    }
    return q;
}

static int64_t load_i64(const unsigned char *base, size_t stride, size_t i)
{
    int64_t v;
    memcpy(&v, base + i * stride, sizeof v);
    return v;
}

static void store_i64(unsigned char *base, size_t stride, size_t i, int64_t v)
{
    memcpy(base + i * stride, &v, sizeof v);
}

/* Leftover units up to this many are handed out by repeated scans (O(n x k));
 * more by a threshold search (O(n x ~190)). Both give the same result. */
#define PREPAY__ALLOC_SCAN_LIMIT 8

static u128 u128_add(u128 a, u128 b)
{
    u128 r;
    r.lo = a.lo + b.lo;
    r.hi = a.hi + b.hi + (r.lo < a.lo ? 1u : 0u);
    return r;
}

static u128 u128_half(u128 a)
{
    u128 r;
    r.lo = (a.lo >> 1) | (a.hi << 63);
    r.hi = a.hi >> 1;
    return r;
}

/* Remainder of part i before it gets its extra unit: M x w - floor x W (floor = -share). */
static u128 remainder_of(uint64_t magnitude, u128 sum, uint64_t w, int64_t negated_floor)
{
    u128 product = prepay__u128_mul(magnitude, w);
    return u128_sub(product, u128_mul64(sum, 0u - (uint64_t)negated_floor));
}

/* k repeated scans for the largest key (remainder, weight, -index). A part
 * that already has its extra unit shows a share x W above M x w. */
static void give_by_scan(uint64_t magnitude, u128 sum, const unsigned char *weights, size_t weight_stride,
                         unsigned char *shares, size_t share_stride, size_t count, uint64_t left)
{
    for (; left > 0; left--) {
        size_t best = count;
        u128 best_remainder = {0, 0};
        uint64_t best_weight = 0;
        for (size_t i = 0; i < count; i++) {
            uint64_t w = (uint64_t)load_i64(weights, weight_stride, i);
            if (w == 0) {
                continue;
            }
            uint64_t s = 0u - (uint64_t)load_i64(shares, share_stride, i);
            u128 product = prepay__u128_mul(magnitude, w);
            u128 given = u128_mul64(sum, s);
            if (u128_compare(product, given) <= 0) {
                continue; /* remainder 0, or the part already has its extra unit */
            }
            u128 remainder = u128_sub(product, given);
            int c = u128_compare(remainder, best_remainder);
            if (best == count || c > 0 || (c == 0 && w > best_weight)) {
                best = i;
                best_remainder = remainder;
                best_weight = w;
            }
        }
        if (best == count) {
            return; /* unreachable: left < parts with a remainder */
        }
        store_i64(shares, share_stride, best, load_i64(shares, share_stride, best) - 1);
    }
}

/* Number of parts with remainder >= at_least (equal_only: == at_least) and weight >= min_weight. */
static uint64_t count_keys(uint64_t magnitude, u128 sum, const unsigned char *weights, size_t weight_stride,
                           const unsigned char *shares, size_t share_stride, size_t count, u128 at_least,
                           bool equal_only, uint64_t min_weight)
{
    uint64_t n = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t w = (uint64_t)load_i64(weights, weight_stride, i);
        if (w == 0 || w < min_weight) {
            continue;
        }
        u128 r = remainder_of(magnitude, sum, w, load_i64(shares, share_stride, i));
        int c = u128_compare(r, at_least);
        if (equal_only ? c == 0 : c >= 0) {
            n++;
        }
    }
    return n;
}

/* The k largest keys without scratch memory: binary-search the k-th largest
 * remainder R, then among remainders equal to R the smallest weight still
 * taken, then take the lowest indices of that (R, weight). */
static void give_by_threshold(uint64_t magnitude, u128 sum, const unsigned char *weights, size_t weight_stride,
                              unsigned char *shares, size_t share_stride, size_t count, uint64_t left)
{
    /* Largest R in [1, W - 1] with count(remainder >= R) >= left. */
    u128 one = {0, 1};
    u128 lo = one, hi = u128_sub(sum, one);
    while (u128_compare(lo, hi) < 0) {
        /* candidate = lo + (hi - lo + 1) / 2, so lo < candidate <= hi */
        u128 candidate = u128_add(lo, u128_half(u128_add64(u128_sub(hi, lo), 1)));
        if (count_keys(magnitude, sum, weights, weight_stride, shares, share_stride, count, candidate, false, 0) >=
            left) {
            lo = candidate;
        } else {
            hi = u128_sub(candidate, one);
        }
    }
    u128 threshold = lo;
    u128 above = u128_add64(threshold, 1);
    uint64_t over = count_keys(magnitude, sum, weights, weight_stride, shares, share_stride, count, above, false, 0);
    uint64_t need = left - over; /* >= 1, taken among remainder == threshold */
    /* Largest weight floor V with count(remainder == R, w >= V) >= need. */
    uint64_t wlo = 1, whi = (uint64_t)INT64_MAX;
    while (wlo < whi) {
        uint64_t candidate = wlo + (whi - wlo) / 2 + 1;
        if (count_keys(magnitude, sum, weights, weight_stride, shares, share_stride, count, threshold, true,
                       candidate) >= need) {
            wlo = candidate;
        } else {
            whi = candidate - 1;
        }
    }
    uint64_t weight_floor = wlo;
    uint64_t heavier = weight_floor == (uint64_t)INT64_MAX
                           ? 0
                           : count_keys(magnitude, sum, weights, weight_stride, shares, share_stride, count,
                                        threshold, true, weight_floor + 1);
    uint64_t lowest_indices = need - heavier; /* >= 1, among (R, weight_floor) by index */
    for (size_t i = 0; i < count; i++) {
        uint64_t w = (uint64_t)load_i64(weights, weight_stride, i);
        if (w == 0) {
            continue;
        }
        int64_t negated_floor = load_i64(shares, share_stride, i);
        int c = u128_compare(remainder_of(magnitude, sum, w, negated_floor), threshold);
        bool take = c > 0 || (c == 0 && w > weight_floor);
        if (!take && c == 0 && w == weight_floor && lowest_indices > 0) {
            take = true;
            lowest_indices--;
        }
        if (take) {
            store_i64(shares, share_stride, i, negated_floor - 1);
        }
    }
}

int prepay__alloc_split_strided(int64_t total, const unsigned char *weights, size_t weight_stride,
                                unsigned char *shares, size_t share_stride, size_t count)
{
    if (!weights || !shares) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (count == 0) {
        return PREPAY_E_ALLOCATION_NO_PARTS;
    }
    u128 sum = {0, 0};
    for (size_t i = 0; i < count; i++) {
        int64_t w = load_i64(weights, weight_stride, i);
        if (w < 0) {
            return PREPAY_E_ALLOCATION_NEGATIVE_WEIGHT;
        }
        sum = u128_add64(sum, (uint64_t)w);
    }
    if (sum.hi == 0 && sum.lo == 0) {
        return PREPAY_E_ALLOCATION_ZERO_WEIGHTS;
    }
    /* Nothing can fail from here on. */
    uint64_t magnitude = prepay__magnitude(total);
    uint64_t floors = 0; /* sum of floors <= magnitude */
    for (size_t i = 0; i < count; i++) {
        uint64_t w = (uint64_t)load_i64(weights, weight_stride, i);
        uint64_t q = u128_div_small_quotient(prepay__u128_mul(magnitude, w), sum);
        floors += q;
        store_i64(shares, share_stride, i, q == 0 ? 0 : -(int64_t)(q - 1u) - 1);
    }
    uint64_t left = magnitude - floors; /* < number of parts with a non-zero remainder */
    if (left <= PREPAY__ALLOC_SCAN_LIMIT) {
        give_by_scan(magnitude, sum, weights, weight_stride, shares, share_stride, count, left);
    } else {
        give_by_threshold(magnitude, sum, weights, weight_stride, shares, share_stride, count, left);
    }
    if (total >= 0) {
        for (size_t i = 0; i < count; i++) {
            /* magnitude <= INT64_MAX here, so every negated share is representable. */
            store_i64(shares, share_stride, i, -load_i64(shares, share_stride, i));
        }
    }
    return PREPAY_OK;
}

int prepay_allocation_split(int64_t total, const int64_t *weights, size_t count, int64_t *shares)
{
    return prepay__alloc_split_strided(total, (const unsigned char *)weights, sizeof(int64_t),
                                       (unsigned char *)shares, sizeof(int64_t), count);
}

int prepay_allocation_weight_days(int64_t weight, int32_t days, int64_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (weight < 0) {
        return PREPAY_E_ALLOCATION_NEGATIVE_WEIGHT;
    }
    if (days < 0) {
        return PREPAY_E_ALLOCATION_BAD_DAYS;
    }
    return prepay_i64_mul(weight, (int64_t)days, out);
}
