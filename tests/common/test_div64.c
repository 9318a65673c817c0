/* SPDX-License-Identifier: MIT */
/*
 * The compact 64-bit division of firmware builds (PREPAY_DIV64_COMPACT,
 * src/common/wide.c, forced on here in every configuration) gives C's
 * operators' quotients and remainders: edge values (0, 1, 2^32 - 1, 2^32,
 * 2^63, INT64_MIN, UINT64_MAX, negative divisors) and 200 000 random pairs of
 * every bit length, both operands fitting 32 bits or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "wide_internal.h"

#if !PREPAY_DIV64_COMPACT
#error "this test is built with -DPREPAY_DIV64_COMPACT=1"
#endif

static uint64_t rng = 0x243F6A8885A308D3u;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void check_unsigned(uint64_t n, uint64_t d)
{
    if (prepay__udiv64(n, d) != n / d || prepay__umod64(n, d) != n % d) {
        fail_msg("%llu / %llu", (unsigned long long)n, (unsigned long long)d);
    }
}

static void check_signed(int64_t n, int64_t d)
{
    if (n == INT64_MIN && d == -1) {
        return; /* undefined in C too */
    }
    if (prepay__sdiv64(n, d) != n / d || prepay__smod64(n, d) != n % d) {
        fail_msg("%lld / %lld", (long long)n, (long long)d);
    }
}

static void test_edges(void **state)
{
    (void)state;
    static const uint64_t values[] = {0u, 1u, 2u, 3u, 7u, 10u, 60u, 86400u, 1000000000u, 0x7FFFFFFFu, 0xFFFFFFFFu,
                                      0x100000000u, 0x100000001u, 0x7FFFFFFFFFFFFFFFu, 0x8000000000000000u,
                                      0x8000000000000001u, 0xFFFFFFFFFFFFFFFEu, 0xFFFFFFFFFFFFFFFFu};
    size_t count = sizeof values / sizeof values[0];
    for (size_t i = 0; i < count; i++) {
        for (size_t j = 0; j < count; j++) {
            if (values[j] != 0) {
                check_unsigned(values[i], values[j]);
                check_signed((int64_t)values[i], (int64_t)values[j]);
                check_signed(-(int64_t)(values[i] >> 1), (int64_t)values[j]);
            }
        }
    }
}

static void test_random(void **state)
{
    (void)state;
    for (int i = 0; i < 200000; i++) {
        /* random lengths: many pairs fit 32 bits (the hardware path), many do not */
        uint64_t n = next() >> (next() % 64u);
        uint64_t d = next() >> (next() % 64u);
        if (d == 0) {
            continue;
        }
        check_unsigned(n, d);
        check_signed((int64_t)n, (int64_t)d);
        check_signed(-(int64_t)(n >> 1), (int64_t)d);
        check_signed((int64_t)n, -(int64_t)(d >> 1 | 1u));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
