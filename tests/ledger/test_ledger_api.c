/* SPDX-License-Identifier: MIT */
/*
 * Ledger API contracts: argument checks, "on error nothing changes",
 * lookups and positions, status texts, and a chain rollback that must leave
 * the books byte-for-byte as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ledger_script.h"
#include "prepay/ledger.h"
#include "prepay/status.h"
#include "test_support.h"

static void test_init_arguments(void **state)
{
    (void)state;
    prepay_ledger_account_t accounts[4];
    uint32_t aidx[8];
    prepay_ledger_entry_t entries[4];
    uint64_t tidx[8];
    uint32_t heap[4];
    prepay_ledger_memory_t m = {accounts, 4, aidx, 8, entries, 4, tidx, 8, heap};
    prepay_ledger_t ledger;
    memset(&ledger, 0x77, sizeof ledger);
    prepay_ledger_t untouched = ledger;
    assert_int_equal(prepay_ledger_init(NULL, &m), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_init(&ledger, NULL), PREPAY_E_INVALID_ARGUMENT);
    prepay_ledger_memory_t bad = m;
    bad.account_index_slots = 6; /* not a power of two */
    assert_int_equal(prepay_ledger_init(&ledger, &bad), PREPAY_E_INVALID_ARGUMENT);
    bad = m;
    bad.transfer_index_slots = 4; /* not greater than the capacity */
    assert_int_equal(prepay_ledger_init(&ledger, &bad), PREPAY_E_INVALID_ARGUMENT);
    bad = m;
    bad.transfer_capacity = 0;
    assert_int_equal(prepay_ledger_init(&ledger, &bad), PREPAY_E_INVALID_ARGUMENT);
    bad = m;
    bad.entries = NULL;
    assert_int_equal(prepay_ledger_init(&ledger, &bad), PREPAY_E_INVALID_ARGUMENT);
    assert_memory_equal(&ledger, &untouched, sizeof ledger);
    /* an uninitialised ledger is refused everywhere */
    int results[1];
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    assert_int_equal(prepay_ledger_apply(&ledger, &t, 1, results), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_replay(&ledger, &t), PREPAY_E_INVALID_ARGUMENT);
    assert_null(prepay_ledger_account(&ledger, 1));
    assert_int_equal(prepay_ledger_transfer_count(&ledger), 0);
    assert_int_equal(prepay_ledger_init(&ledger, &m), PREPAY_OK);
    assert_int_equal(prepay_ledger_apply(&ledger, NULL, 0, NULL), 0);
    assert_int_equal(prepay_ledger_apply(&ledger, NULL, 1, results), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_verify(&ledger, NULL, 0), PREPAY_OK);
}

static void make_accounts(test_ledger_t *tl)
{
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = 10;
    a.kind = PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING;
    assert_int_equal(prepay_ledger_create_account(&tl->ledger, &a), PREPAY_OK);
    a.id = 1;
    a.kind = PREPAY_LEDGER_ACCOUNT_WALLET;
    a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
    assert_int_equal(prepay_ledger_create_account(&tl->ledger, &a), PREPAY_OK);
    a.id = 20;
    a.kind = PREPAY_LEDGER_ACCOUNT_REVENUE;
    a.flags = 0;
    assert_int_equal(prepay_ledger_create_account(&tl->ledger, &a), PREPAY_OK);
}

static prepay_ledger_transfer_t mk(uint64_t id, uint64_t dr, uint64_t cr, int64_t amount, uint16_t code, uint16_t flags)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.debit_account_id = dr;
    t.credit_account_id = cr;
    t.amount = amount;
    t.code = code;
    t.flags = flags;
    return t;
}

/* A failed chain leaves accounts, log, index and pending states exactly as before. */
static void test_rollback_is_exact(void **state)
{
    (void)state;
    test_ledger_t tl;
    test_ledger_open(&tl, 8, 64);
    make_accounts(&tl);
    prepay_ledger_transfer_t setup[3] = {
        mk(1, 10, 1, 1000, PREPAY_LEDGER_CODE_RECHARGE, 0),
        mk(2, 1, 20, 300, PREPAY_LEDGER_CODE_DEDUCTION, PREPAY_LEDGER_TRANSFER_PENDING),
        mk(3, 1, 20, 100, PREPAY_LEDGER_CODE_DEDUCTION, 0),
    };
    int results[8];
    assert_int_equal(prepay_ledger_apply(&tl.ledger, setup, 3, results), 3);
    size_t acc_bytes = tl.memory.account_capacity * sizeof(prepay_ledger_account_t);
    size_t idx_bytes = tl.memory.transfer_index_slots * sizeof(uint64_t);
    size_t log_bytes = 3 * sizeof(prepay_ledger_entry_t);
    void *acc_before = malloc(acc_bytes), *idx_before = malloc(idx_bytes), *log_before = malloc(log_bytes);
    memcpy(acc_before, tl.memory.accounts, acc_bytes);
    memcpy(idx_before, tl.memory.transfer_index, idx_bytes);
    memcpy(log_before, tl.memory.entries, log_bytes);
    prepay_ledger_transfer_t post = mk(5, 0, 0, 300, PREPAY_LEDGER_CODE_DEDUCTION,
                                       PREPAY_LEDGER_TRANSFER_POST_PENDING | PREPAY_LEDGER_TRANSFER_LINKED);
    post.pending_id = 2;
    prepay_ledger_transfer_t chain[5] = {
        mk(4, 10, 1, 50, PREPAY_LEDGER_CODE_RECHARGE, PREPAY_LEDGER_TRANSFER_LINKED),
        post,
        mk(6, 1, 20, 10, PREPAY_LEDGER_CODE_DEDUCTION, PREPAY_LEDGER_TRANSFER_LINKED | PREPAY_LEDGER_TRANSFER_PENDING),
        mk(1, 10, 1, 1000, PREPAY_LEDGER_CODE_RECHARGE, PREPAY_LEDGER_TRANSFER_LINKED), /* differs: LINKED */
        mk(7, 10, 1, 5, PREPAY_LEDGER_CODE_RECHARGE, 0),
    };
    assert_int_equal(prepay_ledger_apply(&tl.ledger, chain, 5, results), 0);
    assert_int_equal(results[3], PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_FLAGS);
    assert_int_equal(results[0], PREPAY_E_LEDGER_LINKED_EVENT_FAILED);
    assert_int_equal(results[4], PREPAY_E_LEDGER_LINKED_EVENT_FAILED);
    assert_memory_equal(acc_before, tl.memory.accounts, acc_bytes);
    assert_memory_equal(idx_before, tl.memory.transfer_index, idx_bytes);
    assert_memory_equal(log_before, tl.memory.entries, log_bytes);
    assert_int_equal(prepay_ledger_transfer_count(&tl.ledger), 3);
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    free(acc_before);
    free(idx_before);
    free(log_before);
    test_ledger_close(&tl);
}

/* prepay_ledger_apply_at(): a hint is used only when it names the transfer's debit account, so
 * any hints (right, naming another account, out of range, none) give the results and the books
 * of prepay_ledger_apply(). */
static void test_apply_at_hints(void **state)
{
    (void)state;
    test_ledger_t a, b;
    test_ledger_open(&a, 8, 64);
    test_ledger_open(&b, 8, 64);
    make_accounts(&a);
    make_accounts(&b);
    /* positions follow creation: clearing 10, wallet 1, revenue 20 */
    assert_int_equal(prepay_ledger_account_position(&a.ledger, 10), 1);
    assert_int_equal(prepay_ledger_account_position(&a.ledger, 1), 2);
    assert_int_equal(prepay_ledger_account_position(&a.ledger, 20), 3);
    assert_int_equal(prepay_ledger_account_position(&a.ledger, 99), 0);
    assert_int_equal(prepay_ledger_account_position(&a.ledger, 0), 0);
    assert_int_equal(prepay_ledger_account_position(NULL, 1), 0);
    prepay_ledger_transfer_t batch[8] = {
        mk(1, 10, 1, 1000, PREPAY_LEDGER_CODE_RECHARGE, 0),
        mk(2, 1, 20, 300, PREPAY_LEDGER_CODE_DEDUCTION, 0),
        mk(3, 1, 20, 100, PREPAY_LEDGER_CODE_DEDUCTION, 0),
        mk(4, 1, 20, 5000, PREPAY_LEDGER_CODE_DEDUCTION, 0),  /* exceeds the wallet's credits */
        mk(5, 99, 20, 10, PREPAY_LEDGER_CODE_DEDUCTION, 0),   /* no such debit account */
        mk(6, 1, 20, 50, PREPAY_LEDGER_CODE_DEDUCTION, 0),
        mk(2, 1, 20, 300, PREPAY_LEDGER_CODE_DEDUCTION, 0),   /* exists */
        mk(7, 20, 10, 20, PREPAY_LEDGER_CODE_DEDUCTION, 0),
    };
    /* right; the revenue account's (it could take the debit); out of range; the wallet's for
     * the clearing account; the wallet's for a missing account; none; right; the wallet's */
    const uint32_t hints[8] = {1, 3, 9, 1, 2, 0, 2, 2};
    int ra[8], rb[8];
    assert_int_equal(prepay_ledger_apply(&a.ledger, batch, 8, ra), 5);
    assert_int_equal(prepay_ledger_apply_at(&b.ledger, batch, 8, hints, rb), 5);
    assert_memory_equal(ra, rb, sizeof ra);
    assert_int_equal(ra[3], PREPAY_E_LEDGER_EXCEEDS_CREDITS);
    assert_int_equal(ra[4], PREPAY_E_LEDGER_DEBIT_ACCOUNT_NOT_FOUND);
    assert_int_equal(ra[6], PREPAY_LEDGER_EXISTS);
    assert_memory_equal(a.memory.accounts, b.memory.accounts, a.memory.account_capacity * sizeof(prepay_ledger_account_t));
    assert_memory_equal(a.memory.transfer_index, b.memory.transfer_index, a.memory.transfer_index_slots * sizeof(uint64_t));
    assert_memory_equal(a.memory.entries, b.memory.entries, 5 * sizeof(prepay_ledger_entry_t));
    /* NULL hints: prepay_ledger_apply() itself */
    prepay_ledger_transfer_t more = mk(8, 1, 20, 1, PREPAY_LEDGER_CODE_DEDUCTION, 0);
    assert_int_equal(prepay_ledger_apply_at(&b.ledger, &more, 1, NULL, rb), 1);
    assert_int_equal(prepay_ledger_apply_at(&b.ledger, NULL, 1, NULL, rb), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(test_ledger_verify(&a), PREPAY_OK);
    assert_int_equal(test_ledger_verify(&b), PREPAY_OK);
    test_ledger_close(&a);
    test_ledger_close(&b);
}

static void test_lookups(void **state)
{
    (void)state;
    test_ledger_t tl;
    test_ledger_open(&tl, 8, 64);
    make_accounts(&tl);
    prepay_ledger_transfer_t t = mk(77, 10, 1, 500, PREPAY_LEDGER_CODE_RECHARGE, 0);
    assert_int_equal(prepay_ledger_replay(&tl.ledger, &t), PREPAY_OK);
    const prepay_ledger_entry_t *e = prepay_ledger_lookup(&tl.ledger, 77);
    assert_non_null(e);
    assert_memory_equal(&e->transfer, &t, sizeof t);
    assert_ptr_equal(prepay_ledger_entry_at(&tl.ledger, 0), e);
    assert_null(prepay_ledger_entry_at(&tl.ledger, 1));
    assert_null(prepay_ledger_lookup(&tl.ledger, 78));
    assert_null(prepay_ledger_lookup(&tl.ledger, 0));
    assert_int_equal(prepay_ledger_account_count(&tl.ledger), 3);
    assert_int_equal(prepay_ledger_account_at(&tl.ledger, 1)->id, 1);
    assert_null(prepay_ledger_account_at(&tl.ledger, 3));
    prepay_ledger_balance_t b;
    memset(&b, 0x33, sizeof b);
    prepay_ledger_balance_t untouched = b;
    assert_int_equal(prepay_ledger_balance(&tl.ledger, 999, &b), PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND);
    assert_memory_equal(&b, &untouched, sizeof b);
    assert_int_equal(prepay_ledger_balance(&tl.ledger, 1, &b), PREPAY_OK);
    assert_int_equal(b.balance, 500);
    assert_int_equal(b.available, 500);
    /* verify needs scratch space for every account */
    assert_int_equal(prepay_ledger_verify(&tl.ledger, tl.scratch, 2), PREPAY_E_BUFFER_TOO_SMALL);
    /* recharge builder: arguments */
    prepay_ledger_recharge_t q;
    memset(&q, 0, sizeof q);
    q.wallet_id = 1;
    q.clearing_id = 10;
    q.amount = 100;
    q.recharge_id = 90;
    prepay_ledger_transfer_t out[3];
    size_t n = 7;
    assert_int_equal(prepay_ledger_build_recharge(&tl.ledger, &q, out, 0, &n), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(n, 7);
    q.wallet_id = 2;
    assert_int_equal(prepay_ledger_build_recharge(&tl.ledger, &q, out, 3, &n), PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND);
    q.wallet_id = 1;
    q.amount = 0;
    assert_int_equal(prepay_ledger_build_recharge(&tl.ledger, &q, out, 3, &n), PREPAY_E_INVALID_ARGUMENT);
    /* income arguments */
    prepay_ledger_income_row_t rows[2];
    assert_int_equal(prepay_ledger_income(&tl.ledger, 0, 10, 9, false, rows, 2, &n), PREPAY_E_INVALID_ARGUMENT);
    test_ledger_close(&tl);
}

/* The sizing helper: the macro and the function agree, the rules are the
 * documented ones (load <= 1/2), and a laid-out ledger fills to capacity
 * without touching a byte outside the size. */
static void test_memory_size(void **state)
{
    (void)state;
    /* Index slots: the smallest power of two >= 2 x capacity, worked by hand. */
    assert_int_equal(PREPAY_LEDGER_INDEX_SLOTS(1), 2);
    assert_int_equal(PREPAY_LEDGER_INDEX_SLOTS(7), 16);
    assert_int_equal(PREPAY_LEDGER_INDEX_SLOTS(8), 16);
    assert_int_equal(PREPAY_LEDGER_INDEX_SLOTS(9), 32);
    assert_int_equal(PREPAY_LEDGER_INDEX_SLOTS(65536), 131072);
    assert_int_equal(PREPAY_LEDGER_INDEX_SLOTS(65537), 262144);
    /* 3 accounts, 10 transfers: entries 10 x 112, index 32 x 8, accounts 3 x 80, account
     * index 8 x 4, heap 10 x 4 rounded up to 8: 1120 + 256 + 240 + 32 + 40 = 1688. */
    assert_int_equal(sizeof(prepay_ledger_entry_t), 112);
    assert_int_equal(sizeof(prepay_ledger_account_t), 80);
    assert_int_equal(prepay_ledger_memory_size(3, 10), 1688);
    static const uint32_t sizes[][2] = {{1, 1}, {3, 10}, {64, 256}, {1000, 65536}, {4097, 100003}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        assert_int_equal(prepay_ledger_memory_size(sizes[i][0], sizes[i][1]),
                         (size_t)PREPAY_LEDGER_MEMORY_SIZE(sizes[i][0], sizes[i][1]));
    }
    _Static_assert(PREPAY_LEDGER_MEMORY_SIZE(3, 10) == 1688, "constant expression");
    assert_int_equal(prepay_ledger_memory_size(0, 10), 0);
    assert_int_equal(prepay_ledger_memory_size(3, 0), 0);
    assert_int_equal(prepay_ledger_memory_size(PREPAY_LEDGER_MAX_SIZED_CAPACITY + 1u, 1), 0);

    /* Layout: argument checks change nothing. */
    size_t size = prepay_ledger_memory_size(3, 10);
    uint64_t *buffer = malloc(size + 64);
    assert_non_null(buffer);
    prepay_ledger_memory_t m;
    memset(&m, 0x5A, sizeof m);
    prepay_ledger_memory_t untouched = m;
    assert_int_equal(prepay_ledger_memory_layout(NULL, buffer, size, 3, 10), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_memory_layout(&m, NULL, size, 3, 10), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_memory_layout(&m, (uint8_t *)buffer + 4, size, 3, 10), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_memory_layout(&m, buffer, size, 0, 10), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_memory_layout(&m, buffer, size - 1, 3, 10), PREPAY_E_BUFFER_TOO_SMALL);
    assert_memory_equal(&m, &untouched, sizeof m);

    /* A guard after the size stays intact while the ledger fills up. */
    memset(buffer, 0xEE, size + 64);
    assert_int_equal(prepay_ledger_memory_layout(&m, buffer, size, 3, 10), PREPAY_OK);
    assert_int_equal(m.account_capacity, 3);
    assert_int_equal(m.transfer_capacity, 10);
    assert_int_equal(m.account_index_slots, 8);
    assert_int_equal(m.transfer_index_slots, 32);
    assert_non_null(m.expiry_heap);
    prepay_ledger_t ledger;
    assert_int_equal(prepay_ledger_init(&ledger, &m), PREPAY_OK);
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    for (uint64_t id = 1; id <= 3; id++) {
        a.id = id;
        a.kind = id == 1 ? PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING : PREPAY_LEDGER_ACCOUNT_WALLET;
        assert_int_equal(prepay_ledger_create_account(&ledger, &a), PREPAY_OK);
    }
    a.id = 4;
    assert_int_equal(prepay_ledger_create_account(&ledger, &a), PREPAY_E_CAPACITY);
    for (uint64_t id = 1; id <= 11; id++) {
        prepay_ledger_transfer_t t = mk(id, 1, 2 + id % 2, 5, PREPAY_LEDGER_CODE_RECHARGE,
                                        id % 2 ? PREPAY_LEDGER_TRANSFER_PENDING : 0u);
        t.deadline = id % 2 ? (int64_t)(100 - id) : 0;
        int result;
        assert_int_equal(prepay_ledger_apply(&ledger, &t, 1, &result), id <= 10 ? 1 : 0);
        assert_int_equal(result, id <= 10 ? PREPAY_OK : PREPAY_E_CAPACITY);
    }
    uint64_t ids[8];
    assert_int_equal(prepay_ledger_expire(&ledger, 1000, ids, 8), 5);
    prepay_ledger_account_t scratch[3];
    assert_int_equal(prepay_ledger_verify(&ledger, scratch, 3), PREPAY_OK);
    const uint8_t *guard = (const uint8_t *)buffer + size;
    for (size_t i = 0; i < 64; i++) {
        assert_int_equal(guard[i], 0xEE);
    }
    free(buffer);
}

/* Every ledger status code has its own text, in words: no internal enum name (the CLI prints it). */
static void test_status_texts(void **state)
{
    (void)state;
    static const int codes[] = {
        PREPAY_E_LEDGER_RESERVED_FLAG, PREPAY_E_LEDGER_INTERVAL_INVALID,
        PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_FLAGS, PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_USER_DATA,
        PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_FOUND, PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT,
        PREPAY_E_LEDGER_DEBIT_ACCOUNT_NOT_FOUND, PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE,
        PREPAY_E_LEDGER_LINKED_EVENT_FAILED, PREPAY_E_LEDGER_LINKED_EVENT_CHAIN_OPEN,
        PREPAY_E_LEDGER_ACCOUNT_ID_MUST_NOT_BE_ZERO, PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND, PREPAY_E_LEDGER_INVARIANT,
        PREPAY_E_LEDGER_DEADLINE_MUST_BE_ZERO, PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEADLINE,
        PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED, PREPAY_E_LEDGER_DEADLINE_NOT_REACHED,
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_int_equal(PREPAY_STATUS_MODULE(codes[i]), PREPAY_MODULE_LEDGER);
#ifndef PREPAY_NO_STRERROR
        assert_string_not_equal(prepay_strerror(codes[i]), "unknown status");
        assert_non_null(strstr(prepay_strerror(codes[i]), "ledger: "));
        assert_null(strstr(prepay_strerror(codes[i]), "ledger_"));
        for (size_t k = 0; k < i; k++) {
            assert_string_not_equal(prepay_strerror(codes[i]), prepay_strerror(codes[k]));
        }
#endif
    }
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_arguments),
        cmocka_unit_test(test_rollback_is_exact),
        cmocka_unit_test(test_apply_at_hints),
        cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_memory_size),
        cmocka_unit_test(test_status_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
