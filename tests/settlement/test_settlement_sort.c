/* SPDX-License-Identifier: MIT */
/*
 * The readings' sort (settlement_sort.c) against a plain stable sort: the same order of
 * (meter << 32 | time) keys and of their payloads (arrival positions), so equal keys keep
 * their arrival order: batches of distinct meters, meters read a few times, equal times, one
 * meter read more often than the insertion runs take (the whole-key fallback), one time only,
 * one meter only, and the sizes 0, 1 and 2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/settlement/settlement_internal.h"

#define MAX_N 5000u

static uint64_t keys[2 * MAX_N], want_keys[MAX_N];
static uint32_t payload[2 * MAX_N], want_payload[MAX_N];

static uint64_t rng = 0x243F6A8885A308D3u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Stable reference: insertion sort on the key (payloads start as 0..n-1). */
static void reference(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        want_keys[i] = keys[i];
        want_payload[i] = payload[i];
    }
    for (uint32_t j = 1; j < n; j++) {
        uint64_t k = want_keys[j];
        uint32_t p = want_payload[j];
        uint32_t at = j;
        while (at > 0u && want_keys[at - 1u] > k) {
            want_keys[at] = want_keys[at - 1u];
            want_payload[at] = want_payload[at - 1u];
            at--;
        }
        want_keys[at] = k;
        want_payload[at] = p;
    }
}

static void check(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        payload[i] = i;
    }
    reference(n);
    prepay__settle_radix_sort(keys, payload, keys + n, payload + n, n);
    assert_memory_equal(keys, want_keys, n * sizeof keys[0]);
    assert_memory_equal(payload, want_payload, n * sizeof payload[0]);
}

/* n keys of up to `meters` meters and `times` times (each offset from a base). */
static void fill(uint32_t n, uint32_t meters, uint32_t times, uint32_t time_base)
{
    for (uint32_t i = 0; i < n; i++) {
        uint64_t meter = next() % meters;
        uint64_t time = time_base + next() % times;
        keys[i] = meter << 32 | time;
    }
}

static void test_sizes(void **state)
{
    (void)state;
    for (uint32_t n = 0; n <= 3u; n++) {
        fill(n, 3, 3, 1000);
        check(n);
    }
}

static void test_random_batches(void **state)
{
    (void)state;
    const uint32_t meters[] = {1, 2, 7, 300, 5000, 100000, 4000000000u};
    const uint32_t times[] = {1, 2, 60, 86400, 4000000000u};
    for (int round = 0; round < 3; round++) {
        for (size_t m = 0; m < sizeof meters / sizeof meters[0]; m++) {
            for (size_t t = 0; t < sizeof times / sizeof times[0]; t++) {
                uint32_t n = 1u + (uint32_t)(next() % MAX_N);
                fill(n, meters[m], times[t], times[t] > 1000000u ? 0u : 757000000u);
                check(n);
            }
        }
    }
}

/* A round of distinct meters with one meter read 17 times (one more than an insertion run takes)
 * at times that repeat: the whole-key fallback, equal keys in arrival order. */
static void test_long_run_falls_back(void **state)
{
    (void)state;
    const uint32_t n = 1000;
    for (uint32_t i = 0; i < n; i++) {
        keys[i] = (uint64_t)(next() % 100000u + 10u) << 32 | (uint64_t)(757000000u + next() % 900u);
    }
    for (uint32_t i = 0; i < 17u; i++) {
        keys[(i * 53u) % n] = (uint64_t)5u << 32 | (uint64_t)(757000000u + (i % 4u));
    }
    check(n);
    /* and exactly at the limit: 16 readings of one meter */
    for (uint32_t i = 0; i < n; i++) {
        keys[i] = (uint64_t)(next() % 100000u + 10u) << 32 | (uint64_t)(757000000u + next() % 900u);
    }
    for (uint32_t i = 0; i < 16u; i++) {
        keys[(i * 53u) % n] = (uint64_t)5u << 32 | (uint64_t)(757000000u + (15u - i) % 5u);
    }
    check(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_random_batches),
        cmocka_unit_test(test_long_run_falls_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
