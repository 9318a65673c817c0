/* SPDX-License-Identifier: MIT */
/*
 * Reports: income composition from a small ledger, worked by hand
 * (shares of 900 fen after a reversal), and the explicit nulls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/ledger.h"
#include "prepay/report.h"
#include "prepay/status.h"
#include "report_test_util.h"
#include "test_support.h"

static uint64_t ledger_memory[PREPAY_LEDGER_MEMORY_SIZE(16, 32) / sizeof(uint64_t)];

static void add_account(prepay_ledger_t *l, uint64_t id, uint16_t kind, uint32_t item)
{
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.kind = kind;
    a.item = item;
    assert_int_equal(prepay_ledger_create_account(l, &a), PREPAY_OK);
}

static void transfer(prepay_ledger_t *l, uint64_t id, uint64_t dr, uint64_t cr, int64_t amount, prepay_time_t t)
{
    prepay_ledger_transfer_t x;
    memset(&x, 0, sizeof x);
    x.id = id;
    x.debit_account_id = dr;
    x.credit_account_id = cr;
    x.amount = amount;
    x.timestamp = t;
    x.code = PREPAY_LEDGER_CODE_DEDUCTION;
    int result = 0;
    assert_int_equal(prepay_ledger_apply(l, &x, 1, &result), 1);
    assert_int_equal(result, PREPAY_OK);
}

static void test_composition(void **state)
{
    (void)state;
    prepay_ledger_memory_t m;
    prepay_ledger_t l;
    assert_int_equal(prepay_ledger_memory_layout(&m, ledger_memory, sizeof ledger_memory, 16, 32), PREPAY_OK);
    assert_int_equal(prepay_ledger_init(&l, &m), PREPAY_OK);
    add_account(&l, 1, PREPAY_LEDGER_ACCOUNT_WALLET, 0);
    add_account(&l, 11, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_ELECTRICITY);
    add_account(&l, 12, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_WATER);
    add_account(&l, 13, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_PROPERTY_FEE);
    add_account(&l, 14, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_COMMON_AREA);
    add_account(&l, 15, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_GAS);
    add_account(&l, 16, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_USER + 7);
    prepay_time_t t = at(2024, 5, 10, 12, 0);
    transfer(&l, 1, 1, 11, 600, t);
    transfer(&l, 2, 1, 12, 200, t);
    transfer(&l, 3, 1, 13, 150, t);
    transfer(&l, 4, 1, 14, 30, t);
    transfer(&l, 5, 1, 15, 12, t);
    transfer(&l, 6, 1, 16, 8, t);
    transfer(&l, 7, 11, 1, 100, t + 60); /* a reversal of electricity: -100 */
    transfer(&l, 8, 1, 11, 999, at(2024, 6, 1, 0, 0)); /* June: outside May */
    prepay_ledger_income_row_t scratch[8];
    prepay_report_income_t inc;
    assert_int_equal(prepay_report_income(&l, at(2024, 5, 1, 0, 0), at(2024, 6, 1, 0, 0), scratch, 8, &inc),
                     PREPAY_OK);
    /* electricity 500, water 200, property 150, common area 30, other 12 + 8 = 20; total 900 */
    assert_int_equal(inc.amount[PREPAY_REPORT_INCOME_ELECTRICITY], 500);
    assert_int_equal(inc.amount[PREPAY_REPORT_INCOME_WATER], 200);
    assert_int_equal(inc.amount[PREPAY_REPORT_INCOME_PROPERTY_FEE], 150);
    assert_int_equal(inc.amount[PREPAY_REPORT_INCOME_COMMON_AREA], 30);
    assert_int_equal(inc.amount[PREPAY_REPORT_INCOME_OTHER], 20);
    assert_int_equal(inc.total, 900);
    assert_int_equal(inc.transfers, 7);
    assert_int_equal(inc.share_null_reason, 0);
    /* 500/900 = 0.5555556 -> 555556; 200/900 = 0.2222222 -> 222222; 150/900 = 0.1666667 -> 166667;
     * 30/900 = 0.0333333 -> 33333; 20/900 = 0.0222222 -> 22222 */
    assert_int_equal(inc.share[0], 555556);
    assert_int_equal(inc.share[1], 222222);
    assert_int_equal(inc.share[2], 166667);
    assert_int_equal(inc.share[3], 33333);
    assert_int_equal(inc.share[4], 22222);
    /* a range with no income: null shares, not zeros */
    assert_int_equal(prepay_report_income(&l, at(2024, 1, 1, 0, 0), at(2024, 2, 1, 0, 0), scratch, 8, &inc),
                     PREPAY_OK);
    assert_int_equal(inc.transfers, 0);
    assert_int_equal(inc.share_null_reason, PREPAY_REPORT_NULL_NO_DATA);
    /* only the reversal: negative total */
    assert_int_equal(prepay_report_income(&l, t + 30, t + 120, scratch, 8, &inc), PREPAY_OK);
    assert_int_equal(inc.total, -100);
    assert_int_equal(inc.share_null_reason, PREPAY_REPORT_NULL_NEGATIVE_BASE);
    /* errors pass through and change nothing */
    prepay_report_income_t keep = inc;
    assert_int_equal(prepay_report_income(&l, at(2024, 5, 1, 0, 0), at(2024, 6, 1, 0, 0), scratch, 3, &inc),
                     PREPAY_E_BUFFER_TOO_SMALL);
    assert_memory_equal(&inc, &keep, sizeof inc);
    assert_int_equal(prepay_report_income(NULL, 0, 1, scratch, 8, &inc), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_report_income(&l, 0, 1, scratch, 8, NULL), PREPAY_E_INVALID_ARGUMENT);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_composition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
