/* SPDX-License-Identifier: MIT */
/*
 * prepay_allocation_split(): known answers (tests/vectors/allocation_split.txt),
 * contract errors, and properties over many random inputs checked against an
 * independent reference written with unsigned __int128 in this file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_test_util.h"
#include "prepay/allocation.h"
#include "prepay/status.h"
#include "test_support.h"

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

#define MAX_PARTS 640

static int error_code(const char *name)
{
    if (strcmp(name, "zero_weights") == 0) {
        return PREPAY_E_ALLOCATION_ZERO_WEIGHTS;
    }
    if (strcmp(name, "negative_weight") == 0) {
        return PREPAY_E_ALLOCATION_NEGATIVE_WEIGHT;
    }
    if (strcmp(name, "no_parts") == 0) {
        return PREPAY_E_ALLOCATION_NO_PARTS;
    }
    fail_msg("unknown error name %s", name);
    return 0;
}

static void test_known_answers(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("allocation_split.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "split") != 0) {
            continue;
        }
        int64_t weights[MAX_PARTS], want[MAX_PARTS], got[MAX_PARTS];
        size_t n = parse_i64_list(tv_need(r, "weights"), weights, MAX_PARTS);
        int64_t total = parse_i64(tv_need(r, "total"));
        for (size_t k = 0; k < MAX_PARTS; k++) {
            got[k] = 4242;
        }
        int status = prepay_allocation_split(total, weights, n, got);
        const char *error = tv_get(r, "error");
        if (error) {
            if (status != error_code(error)) {
                fail_msg("line %d (%s): status %d, want %s", r->line, tv_need(r, "source"), status, error);
            }
            for (size_t k = 0; k < n; k++) {
                assert_int_equal(got[k], 4242); /* untouched on error */
            }
        } else {
            size_t m = parse_i64_list(tv_need(r, "shares"), want, MAX_PARTS);
            assert_int_equal(m, n);
            if (status != PREPAY_OK) {
                fail_msg("line %d (%s): status %d", r->line, tv_need(r, "source"), status);
            }
            for (size_t k = 0; k < n; k++) {
                if (got[k] != want[k]) {
                    fail_msg("line %d (%s): share %zu = %lld, want %lld", r->line, tv_need(r, "source"), k,
                             (long long)got[k], (long long)want[k]);
                }
            }
        }
        checked++;
    }
    assert_true(checked >= 30);
    tv_free(&file);
}

/* The Alabama paradox: more to split gives a part less. The library must
 * reproduce it (it is what the method does), and nothing may assume monotony. */
static void test_alabama_paradox_not_monotone(void **state)
{
    (void)state;
    const int64_t weights[3] = {6, 6, 2};
    int64_t at10[3], at11[3];
    assert_int_equal(prepay_allocation_split(10, weights, 3, at10), PREPAY_OK);
    assert_int_equal(prepay_allocation_split(11, weights, 3, at11), PREPAY_OK);
    assert_true(at11[2] < at10[2]);
}

static void test_contract_errors(void **state)
{
    (void)state;
    int64_t w[2] = {1, 1}, s[2] = {9, 9};
    assert_int_equal(prepay_allocation_split(5, NULL, 2, s), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_allocation_split(5, w, 2, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_allocation_split(5, w, 0, s), PREPAY_E_ALLOCATION_NO_PARTS);
    w[1] = INT64_MIN;
    assert_int_equal(prepay_allocation_split(5, w, 2, s), PREPAY_E_ALLOCATION_NEGATIVE_WEIGHT);
    assert_int_equal(s[0], 9);
    assert_int_equal(s[1], 9);

    int64_t out = 7;
    assert_int_equal(prepay_allocation_weight_days(5, 3, &out), PREPAY_OK);
    assert_int_equal(out, 15);
    assert_int_equal(prepay_allocation_weight_days(-5, 3, &out), PREPAY_E_ALLOCATION_NEGATIVE_WEIGHT);
    assert_int_equal(prepay_allocation_weight_days(5, -3, &out), PREPAY_E_ALLOCATION_BAD_DAYS);
    assert_int_equal(prepay_allocation_weight_days(INT64_MAX, 2, &out), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_allocation_weight_days(5, 3, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(out, 15);
    assert_string_not_equal(prepay_strerror(PREPAY_E_ALLOCATION_ZERO_WEIGHTS), "unknown status");
    assert_string_not_equal(prepay_strerror(PREPAY_E_ALLOCATION_BAD_POLICY), "unknown status");
}

/* Independent reference: quotas with unsigned __int128, selection by sorting
 * indices on (remainder desc, weight desc, index asc). */
static u128 ref_remainder[MAX_PARTS];
static const int64_t *ref_weights;
static int ref_compare(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (ref_remainder[i] != ref_remainder[j]) {
        return ref_remainder[i] > ref_remainder[j] ? -1 : 1;
    }
    if (ref_weights[i] != ref_weights[j]) {
        return ref_weights[i] > ref_weights[j] ? -1 : 1;
    }
    return i < j ? -1 : 1;
}

static void reference_split(int64_t total, const int64_t *weights, size_t n, int64_t *shares)
{
    u128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += (u128)(uint64_t)weights[i];
    }
    u128 magnitude = total < 0 ? (u128)(-(i128)total) : (u128)total;
    u128 q[MAX_PARTS];
    u128 floors = 0;
    size_t order[MAX_PARTS];
    for (size_t i = 0; i < n; i++) {
        u128 p = magnitude * (u128)(uint64_t)weights[i];
        q[i] = p / sum;
        ref_remainder[i] = p % sum;
        floors += q[i];
        order[i] = i;
    }
    ref_weights = weights;
    qsort(order, n, sizeof order[0], ref_compare);
    for (u128 k = 0; k < magnitude - floors; k++) {
        q[order[(size_t)k]] += 1;
    }
    for (size_t i = 0; i < n; i++) {
        i128 v = total < 0 ? -(i128)q[i] : (i128)q[i];
        shares[i] = (int64_t)v;
    }
}

static int64_t random_weight(uint64_t *rng)
{
    switch (prng_next(rng) % 6) {
    case 0: return 0;
    case 1: return (int64_t)(prng_next(rng) % 10);
    case 2: return (int64_t)(prng_next(rng) % 100000);
    case 3: return (int64_t)(prng_next(rng) >> 1);
    case 4: return INT64_MAX - (int64_t)(prng_next(rng) % 3);
    default: return (int64_t)(prng_next(rng) % 1000) + 1;
    }
}

static int64_t random_total(uint64_t *rng)
{
    switch (prng_next(rng) % 7) {
    case 0: return 0;
    case 1: return (int64_t)(prng_next(rng) % 3);
    case 2: return (int64_t)(prng_next(rng) % 100000) - 50000;
    case 3: return (int64_t)prng_next(rng);
    case 4: return INT64_MAX;
    case 5: return INT64_MIN;
    default: return (int64_t)(prng_next(rng) % 1000);
    }
}

static void test_properties(void **state)
{
    (void)state;
    uint64_t rng = 20261124u;
    int cases = 0;
    for (int iteration = 0; iteration < 20000; iteration++) {
        size_t n = 1 + (size_t)(prng_next(&rng) % (iteration % 10 == 0 ? 64 : 8));
        int64_t weights[MAX_PARTS], shares[MAX_PARTS], want[MAX_PARTS];
        u128 sum = 0;
        for (size_t i = 0; i < n; i++) {
            weights[i] = random_weight(&rng);
            sum += (u128)weights[i];
        }
        int64_t total = random_total(&rng);
        int status = prepay_allocation_split(total, weights, n, shares);
        if (sum == 0) {
            assert_int_equal(status, PREPAY_E_ALLOCATION_ZERO_WEIGHTS);
            continue;
        }
        assert_int_equal(status, PREPAY_OK);
        /* 1. parts sum exactly to the whole. */
        i128 got_sum = 0;
        for (size_t i = 0; i < n; i++) {
            got_sum += shares[i];
        }
        assert_true(got_sum == (i128)total);
        /* 2. each part is the floor or ceiling of its exact quota (within one unit). */
        for (size_t i = 0; i < n; i++) {
            i128 scaled = (i128)total * (i128)weights[i]; /* quota x sum, |.| < 2^126 */
            i128 lower = (i128)shares[i] * (i128)sum - scaled; /* (share - quota) x sum */
            assert_true(lower > -(i128)sum && lower < (i128)sum);
            if (weights[i] == 0) {
                assert_int_equal(shares[i], 0);
            }
        }
        /* 3. exactly the reference method, tie-break included. */
        reference_split(total, weights, n, want);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(shares[i], want[i]);
        }
        /* 4. a credit is the mirror image. */
        if (total != INT64_MIN) {
            int64_t mirror[MAX_PARTS];
            assert_int_equal(prepay_allocation_split(-total, weights, n, mirror), PREPAY_OK);
            for (size_t i = 0; i < n; i++) {
                assert_int_equal(mirror[i], -shares[i]);
            }
        }
        cases++;
    }
    assert_true(cases > 15000);
}

/* Many parts, so that many units are left over after the floors (the
 * threshold-search path): exactly the reference, sums and bounds. */
static void test_properties_many_parts(void **state)
{
    (void)state;
    uint64_t rng = 5150u;
    static int64_t weights[MAX_PARTS], shares[MAX_PARTS], want[MAX_PARTS];
    for (int iteration = 0; iteration < 400; iteration++) {
        size_t n = 9 + (size_t)(prng_next(&rng) % (MAX_PARTS - 9));
        for (size_t i = 0; i < n; i++) {
            /* Small weights give many exact ties; large ones many distinct remainders. */
            weights[i] = iteration % 3 == 0 ? (int64_t)(prng_next(&rng) % 4) : random_weight(&rng);
        }
        weights[0] = weights[0] ? weights[0] : 1;
        int64_t total = iteration % 2 ? random_total(&rng) : (int64_t)(prng_next(&rng) % 100000) - 50000;
        assert_int_equal(prepay_allocation_split(total, weights, n, shares), PREPAY_OK);
        reference_split(total, weights, n, want);
        i128 got_sum = 0;
        for (size_t i = 0; i < n; i++) {
            if (shares[i] != want[i]) {
                fail_msg("iteration %d, n %zu, total %lld: share %zu = %lld, want %lld", iteration, n,
                         (long long)total, i, (long long)shares[i], (long long)want[i]);
            }
            got_sum += shares[i];
        }
        assert_true(got_sum == (i128)total);
    }
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_alabama_paradox_not_monotone),
        cmocka_unit_test(test_contract_errors),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_properties_many_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
