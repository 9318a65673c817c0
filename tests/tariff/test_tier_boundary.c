/* SPDX-License-Identifier: MIT */
/*
 * The tier boundary, pinned by tests that fail at once when it moves.
 *
 * Rule (tariff.h, the ladder): tier k holds consumption up to and
 * including its upper bound; the next unit is the first of tier k + 1. The
 * engine, the batch evaluator and the vending inverse all find the tier in
 * force from the cycle's consumption so far with prepay__tier_index():
 * consumption `used` is in tier k when upper[k-1] <= used < upper[k], so
 * `used == upper[k]` has already left tier k. A mutant of that comparison
 * (`>=` to `>`) makes the filling loops spin on a full tier with no room:
 * the tests that drive the engine then hang instead of failing. This
 * program asks the index alone (no loop), so such a mutant fails here in
 * microseconds. Expected values are read off the rule by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/tariff/tariff_internal.h"

static void test_three_tiers(void **state)
{
    (void)state;
    /* 0..2760 kWh, 2760..4800, above (Zhejiang's annual ladder, in Wh). */
    const prepay_energy_t upper[3] = {2760000, 4800000, PREPAY_TIER_UNBOUNDED};
    assert_int_equal(prepay__tier_index(upper, 3, 0), 0);
    assert_int_equal(prepay__tier_index(upper, 3, 2759999), 0);
    assert_int_equal(prepay__tier_index(upper, 3, 2760000), 1); /* the bound itself is full: the next Wh is tier 2 */
    assert_int_equal(prepay__tier_index(upper, 3, 2760001), 1);
    assert_int_equal(prepay__tier_index(upper, 3, 4799999), 1);
    assert_int_equal(prepay__tier_index(upper, 3, 4800000), 2);
    assert_int_equal(prepay__tier_index(upper, 3, INT64_MAX - 1), 2);
}

static void test_room_is_never_zero(void **state)
{
    (void)state;
    /* What the filling loops rely on: the tier found always has room left
     * (upper[tier] - used > 0), for every used below the unbounded top. */
    const prepay_energy_t upper[4] = {1, 2, 1000, PREPAY_TIER_UNBOUNDED};
    const prepay_energy_t probes[] = {0, 1, 2, 3, 999, 1000, 1001, 1000000};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        unsigned tier = prepay__tier_index(upper, 4, probes[i]);
        assert_true(tier < 4);
        assert_true(upper[tier] - probes[i] > 0);
    }
}

static void test_single_tier_and_last_tier(void **state)
{
    (void)state;
    const prepay_energy_t flat[1] = {PREPAY_TIER_UNBOUNDED};
    assert_int_equal(prepay__tier_index(flat, 1, 0), 0);
    assert_int_equal(prepay__tier_index(flat, 1, 123456789), 0);
    /* Never past the last tier, whatever the bounds of the ones before. */
    const prepay_energy_t two[2] = {10, PREPAY_TIER_UNBOUNDED};
    assert_int_equal(prepay__tier_index(two, 2, 10), 1);
    assert_int_equal(prepay__tier_index(two, 2, INT64_MAX), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_tiers),
        cmocka_unit_test(test_room_is_never_zero),
        cmocka_unit_test(test_single_tier_and_last_tier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
