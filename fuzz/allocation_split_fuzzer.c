/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the largest-remainder split (prepay_allocation_split) and the
 * allocation of priced common consumption (prepay_allocation_allocate) over
 * arbitrary weights and totals. Invariants checked on every input:
 * - the shares sum exactly to the total;
 * - every share is the floor or ceiling of its exact quota total x w / W;
 * - zero weights get zero; a credit is the mirror image of the debit;
 * - allocation lines' energy and money columns sum exactly to the request;
 * - errors leave the outputs untouched.
 * Input layout: 8 bytes total (little-endian), 1 byte mode, then 8 bytes per
 * weight (at most 48 parts).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/allocation.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS 48

static int64_t read_i64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    int64_t out;
    memcpy(&out, &v, sizeof out);
    return out;
}

/* Quota bound check in 192-bit arithmetic: | |share| x W - |total| x w | < W, W < 2^70. */
static void mul_add(uint64_t acc[3], uint64_t a, uint64_t b)
{
    /* acc += a x b (128-bit product) */
    uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32, b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
    uint64_t lo = (mid << 32) | (ll & 0xFFFFFFFFu);
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    uint64_t s = acc[0] + lo;
    uint64_t carry = s < lo;
    acc[0] = s;
    s = acc[1] + hi + carry;
    carry = (s < hi) || (carry && s == hi);
    acc[1] = s;
    acc[2] += carry;
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
}

static int compare3(const uint64_t a[3], const uint64_t b[3])
{
    for (int i = 2; i >= 0; i--) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

/* Checks | |share| x W - |total| x w | < W, where shares have the total's sign (or are 0). */
static void check_quota(int64_t total, int64_t share, uint64_t w, const uint64_t sum[3])
{
    if ((total >= 0 && share < 0) || (total < 0 && share > 0)) {
        abort();
    }
    uint64_t lhs[3] = {0, 0, 0}, rhs[3] = {0, 0, 0};
    /* share x W: W has up to 3 limbs but W < 2^70, so two partial products suffice. */
    mul_add(lhs, magnitude(share), sum[0]);
    uint64_t upper[3] = {0, 0, 0};
    mul_add(upper, magnitude(share), sum[1]);
    lhs[1] += upper[0];
    if (lhs[1] < upper[0]) {
        lhs[2]++;
    }
    lhs[2] += upper[1];
    mul_add(rhs, magnitude(total), w);
    /* difference */
    const uint64_t *big = compare3(lhs, rhs) >= 0 ? lhs : rhs, *small = big == lhs ? rhs : lhs;
    uint64_t diff[3];
    uint64_t borrow = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t d = big[i] - small[i] - borrow;
        borrow = (big[i] < small[i]) || (borrow && big[i] == small[i]);
        diff[i] = d;
    }
    if (compare3(diff, sum) >= 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9) {
        return 0;
    }
    int64_t total = read_i64(data);
    uint8_t mode = data[8];
    size_t n = (size - 9) / 8;
    if (n > MAX_PARTS) {
        n = MAX_PARTS;
    }
    int64_t weights[MAX_PARTS] = {0}, shares[MAX_PARTS] = {0}, mirror[MAX_PARTS] = {0};
    uint64_t sum[3] = {0, 0, 0};
    int any_negative = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t w = read_i64(data + 9 + 8 * i);
        if (mode & 1u) {
            w = w < 0 ? -(w + 1) : w; /* mostly valid weights */
        }
        if (mode & 2u) {
            w &= 0xFFFF; /* small weights: many ties */
        }
        weights[i] = w;
        if (w < 0) {
            any_negative = 1;
        } else {
            uint64_t s = sum[0] + (uint64_t)w;
            sum[1] += s < sum[0];
            sum[0] = s;
        }
        shares[i] = 0x5A5A;
    }
    if (mode & 4u) {
        total %= 1000;
    }
    int status = prepay_allocation_split(total, weights, n, shares);
    if (n == 0) {
        if (status != PREPAY_E_ALLOCATION_NO_PARTS) {
            abort();
        }
        return 0;
    }
    if (status != PREPAY_OK) {
        int expected = any_negative ? PREPAY_E_ALLOCATION_NEGATIVE_WEIGHT : PREPAY_E_ALLOCATION_ZERO_WEIGHTS;
        if (status != expected || (!any_negative && (sum[0] | sum[1]) != 0)) {
            abort();
        }
        for (size_t i = 0; i < n; i++) {
            if (shares[i] != 0x5A5A) {
                abort();
            }
        }
        return 0;
    }
    /* Sum exact: accumulate in two's complement 128-bit. */
    uint64_t acc_lo = 0, acc_hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = (uint64_t)shares[i];
        uint64_t ext = shares[i] < 0 ? UINT64_MAX : 0;
        uint64_t lo = acc_lo + v;
        acc_hi += ext + (lo < acc_lo);
        acc_lo = lo;
        if (weights[i] == 0 && shares[i] != 0) {
            abort();
        }
        check_quota(total, shares[i], (uint64_t)weights[i], sum);
    }
    if (acc_lo != (uint64_t)total || acc_hi != (total < 0 ? UINT64_MAX : 0)) {
        abort();
    }
    if (total != INT64_MIN) {
        if (prepay_allocation_split(-total, weights, n, mirror) != PREPAY_OK) {
            abort();
        }
        for (size_t i = 0; i < n; i++) {
            if (mirror[i] != -shares[i]) {
                abort();
            }
        }
    }
    /* The same weights through prepay_allocation_allocate. */
    prepay_allocation_part_t parts[MAX_PARTS];
    for (size_t i = 0; i < n; i++) {
        parts[i].account_id = i + 1;
        parts[i].weight = weights[i] & 0xFFFFFFFFFF;
        parts[i].occupied_days = (int32_t)(i % 32);
        parts[i].vacant = (mode & 8u) && (i % 3 == 0);
    }
    prepay_allocation_request_t request = {total, total / 3, (mode & 16u) ? 31 : 0,
                                      (mode & 32u) ? PREPAY_ALLOCATION_VACANT_SKIP : PREPAY_ALLOCATION_VACANT_OWNER, 999,
                                      (mode & 64u) != 0};
    prepay_allocation_line_t lines[2 * MAX_PARTS];
    size_t count = 0;
    status = prepay_allocation_allocate(&request, parts, n, lines, 2 * MAX_PARTS, &count);
    if (status == PREPAY_OK) {
        int64_t energy = 0, money = 0;
        for (size_t i = 0; i < count; i++) {
            /* Partial sums cannot overflow: the shares of one sign add up to the total. */
            energy += lines[i].energy;
            money += lines[i].money;
        }
        if (energy != request.energy || money != request.money || count < n || count > 2 * n) {
            abort();
        }
    } else if (status != PREPAY_E_ALLOCATION_ZERO_WEIGHTS && status != PREPAY_E_ALLOCATION_BAD_DAYS) {
        abort();
    }
    return 0;
}
