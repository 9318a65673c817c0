/* SPDX-License-Identifier: MIT */
/*
 * The deprecated names of include/prepay/deprecated.h still compile, link
 * and give the same answers as their new names (built with
 * -Wno-deprecated-declarations; a normal build warns on each use).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "prepay/prepay.h"

/* 2024-02-29 (a Thursday, weekday 4) 13:45:30, DL/T 645 before +0x33:
 * date WW DD MM YY, time ss mm hh, all BCD. */
static void date_time_alias_decodes_as_new_name(void **state)
{
    (void)state;
    const uint8_t date[4] = {0x04, 0x29, 0x02, 0x24};
    const uint8_t time[3] = {0x30, 0x45, 0x13};
    prepay_time_t old_t = 0;
    prepay_time_t new_t = 0;
    assert_int_equal(prepay_time_from_dlt645_date_time(date, time, true, &old_t), PREPAY_OK);
    assert_int_equal(prepay_time_from_dlt645_date_and_time(date, time, true, &new_t), PREPAY_OK);
    assert_true(old_t == new_t);
    prepay_civil_t civil;
    assert_int_equal(prepay_time_to_civil(old_t, &civil), PREPAY_OK);
    assert_int_equal(civil.year, 2024);
    assert_int_equal(civil.month, 2);
    assert_int_equal(civil.day, 29);
    assert_int_equal(civil.hour, 13);
    assert_int_equal(civil.minute, 45);
    assert_int_equal(civil.second, 30);
    /* errors pass through: weekday 5 does not match */
    const uint8_t wrong[4] = {0x05, 0x29, 0x02, 0x24};
    assert_int_equal(prepay_time_from_dlt645_date_time(wrong, time, true, &old_t), PREPAY_E_BAD_WEEKDAY);
}

/* 100 split 1:1:1 by largest remainder: 34, 33, 33 (the first remainder wins the tie). */
static void alloc_aliases_work(void **state)
{
    (void)state;
    const int64_t weights[3] = {1, 1, 1};
    int64_t shares[3] = {0, 0, 0};
    assert_int_equal(prepay_alloc_split(100, weights, 3, shares), PREPAY_OK);
    assert_int_equal(shares[0] + shares[1] + shares[2], 100);
    int64_t again[3] = {0, 0, 0};
    assert_int_equal(prepay_allocation_split(100, weights, 3, again), PREPAY_OK);
    assert_memory_equal(shares, again, sizeof shares);
    assert_int_equal(prepay_alloc_split(100, weights, 0, shares), PREPAY_E_ALLOCATION_NO_PARTS);

    int64_t weighted = 0;
    assert_int_equal(prepay_alloc_weight_days(7, 30, &weighted), PREPAY_OK);
    assert_int_equal(weighted, 210);

    /* master 10000 Wh, subs 3000 + 2500 + 2000: common 2500, loss 25 % = 2500 bp */
    const prepay_energy_t subs[3] = {3000, 2500, 2000};
    prepay_alloc_residual_t residual;
    assert_int_equal(prepay_alloc_residual(10000, subs, 3, 0, PREPAY_ALLOC_RESIDUAL_FAIL, &residual), PREPAY_OK);
    assert_int_equal(residual.common, 2500);
    assert_int_equal(residual.loss_bp, 2500);
    assert_int_equal(PREPAY_ALLOC_RESIDUAL_CARRY, PREPAY_ALLOCATION_RESIDUAL_CARRY);
    assert_int_equal(PREPAY_ALLOC_RESIDUAL_CLAMP, PREPAY_ALLOCATION_RESIDUAL_CLAMP);

    /* 1234 Wh x 0.58886875 /kWh = 72.666... fen -> 73 */
    prepay_money_t money = 0;
    assert_int_equal(prepay_alloc_price_energy(1234, 58886875, PREPAY_ROUND_HALF_UP, &money), PREPAY_OK);
    assert_int_equal(money, 73);

    prepay_alloc_request_t request = {0};
    request.energy = 3000;
    request.money = 1800;
    request.vacancy = PREPAY_ALLOC_VACANT_SKIP;
    prepay_alloc_part_t parts[2] = {{.account_id = 101, .weight = 1}, {.account_id = 102, .weight = 2}};
    prepay_alloc_line_t lines[4];
    size_t count = 0;
    assert_int_equal(prepay_alloc_allocate(&request, parts, 2, lines, 4, &count), PREPAY_OK);
    assert_int_equal(count, 2);
    assert_int_equal(lines[0].energy + lines[1].energy, 3000);
    assert_int_equal(lines[0].money, 600);
    assert_int_equal(lines[1].money, 1200);
    assert_int_equal(PREPAY_ALLOC_VACANT_OWNER, PREPAY_ALLOCATION_VACANT_OWNER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(date_time_alias_decodes_as_new_name),
        cmocka_unit_test(alloc_aliases_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
