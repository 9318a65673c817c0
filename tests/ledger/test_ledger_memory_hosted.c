/* SPDX-License-Identifier: MIT */
/*
 * prepay_ledger_memory_alloc() / _free() (ledger_hosted.h): bad capacities
 * refused with the memory struct unchanged; the arrays laid out as
 * prepay_ledger_memory_layout() lays them out; cache-line alignment for a
 * small ledger and a 2 MiB boundary (transparent huge pages) for a large
 * one; a usable ledger; free zeroes the struct and takes NULL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/ledger.h"
#include "prepay/ledger_hosted.h"
#include "prepay/status.h"

static void test_refusals_change_nothing(void **state)
{
    (void)state;
    prepay_ledger_memory_t m, before;
    memset(&m, 0x5A, sizeof m);
    before = m;
    assert_int_equal(prepay_ledger_memory_alloc(NULL, 4, 8), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_memory_alloc(&m, 0, 8), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_memory_alloc(&m, 4, 0), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_memory_alloc(&m, PREPAY_LEDGER_MAX_SIZED_CAPACITY + 1u, 8),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_memory_alloc(&m, 4, PREPAY_LEDGER_MAX_SIZED_CAPACITY + 1u),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_memory_equal(&m, &before, sizeof m);
    prepay_ledger_memory_free(NULL); /* nothing */
}

/* The arrays are those prepay_ledger_memory_layout() cuts from the same buffer. */
static void check_layout(const prepay_ledger_memory_t *m, uint32_t accounts, uint32_t transfers)
{
    prepay_ledger_memory_t expect;
    size_t size = prepay_ledger_memory_size(accounts, transfers);
    assert_true(size > 0u);
    assert_int_equal(prepay_ledger_memory_layout(&expect, m->entries, size, accounts, transfers), PREPAY_OK);
    assert_ptr_equal(m->accounts, expect.accounts);
    assert_int_equal(m->account_capacity, expect.account_capacity);
    assert_ptr_equal(m->account_index, expect.account_index);
    assert_int_equal(m->account_index_slots, expect.account_index_slots);
    assert_ptr_equal(m->entries, expect.entries);
    assert_int_equal(m->transfer_capacity, expect.transfer_capacity);
    assert_ptr_equal(m->transfer_index, expect.transfer_index);
    assert_int_equal(m->transfer_index_slots, expect.transfer_index_slots);
    assert_ptr_equal(m->expiry_heap, expect.expiry_heap);
}

static void use(const prepay_ledger_memory_t *m)
{
    prepay_ledger_t ledger;
    assert_int_equal(prepay_ledger_init(&ledger, m), PREPAY_OK);
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = 1;
    a.kind = PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING;
    assert_int_equal(prepay_ledger_create_account(&ledger, &a), PREPAY_OK);
    a.id = 2;
    a.kind = PREPAY_LEDGER_ACCOUNT_WALLET;
    assert_int_equal(prepay_ledger_create_account(&ledger, &a), PREPAY_OK);
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = 77;
    t.debit_account_id = 1;
    t.credit_account_id = 2;
    t.amount = 12345;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    int result = 0;
    assert_int_equal(prepay_ledger_apply(&ledger, &t, 1, &result), 1);
    assert_int_equal(result, PREPAY_OK);
    prepay_ledger_balance_t b;
    assert_int_equal(prepay_ledger_balance(&ledger, 2, &b), PREPAY_OK);
    assert_int_equal(b.credits_posted, 12345);
}

static void test_small_on_a_cache_line(void **state)
{
    (void)state;
    prepay_ledger_memory_t m;
    assert_int_equal(prepay_ledger_memory_alloc(&m, 4, 8), PREPAY_OK);
    assert_true(prepay_ledger_memory_size(4, 8) < ((size_t)2u << 20));
    assert_int_equal((uintptr_t)m.entries % 64u, 0);
    check_layout(&m, 4, 8);
    use(&m);
    prepay_ledger_memory_free(&m);
    prepay_ledger_memory_t zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(&m, &zero, sizeof m); /* memset by free: padding too */
    prepay_ledger_memory_free(&m); /* a zeroed struct: nothing */
}

static void test_large_on_huge_pages(void **state)
{
    (void)state;
    const uint32_t accounts = 100000, transfers = 400000; /* some 60 MB */
    prepay_ledger_memory_t m;
    assert_int_equal(prepay_ledger_memory_alloc(&m, accounts, transfers), PREPAY_OK);
    assert_true(prepay_ledger_memory_size(accounts, transfers) >= ((size_t)2u << 20));
    assert_int_equal((uintptr_t)m.entries % ((uintptr_t)2u << 20), 0);
    check_layout(&m, accounts, transfers);
    use(&m);
    prepay_ledger_memory_free(&m);
    assert_null(m.entries);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals_change_nothing),
        cmocka_unit_test(test_small_on_a_cache_line),
        cmocka_unit_test(test_large_on_huge_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
