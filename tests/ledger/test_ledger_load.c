/* SPDX-License-Identifier: MIT */
/*
 * A ledger over a slice of a book (prepay_ledger_load_account()) and the
 * per-account limit rule (prepay_ledger_account_check()).
 *
 * The property: for a random stream of transfers (plain and pending) over a
 * few accounts with every kind of limit, applying each transfer to a whole
 * ledger, and to a fresh ledger holding only its two accounts loaded with
 * the counters the whole ledger has just before, gives the same result and
 * the same new counters. That is what pg_prepay relies on when it posts a
 * transfer against rows of a database table.
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
#include "prepay/status.h"
#include "test_support.h"

#define ACCOUNTS 8
#define TRANSFERS 4096

typedef struct book {
    prepay_ledger_t ledger;
    void *memory; /* prepay_ledger_memory_size(ACCOUNTS, transfers) bytes */
} book_t;

static void book_init(book_t *b, uint32_t transfers)
{
    size_t size = prepay_ledger_memory_size(ACCOUNTS, transfers);
    b->memory = calloc(1, size);
    assert_non_null(b->memory);
    prepay_ledger_memory_t m;
    assert_int_equal(prepay_ledger_memory_layout(&m, b->memory, size, ACCOUNTS, transfers), PREPAY_OK);
    assert_int_equal(prepay_ledger_init(&b->ledger, &m), PREPAY_OK);
}

static void book_free(book_t *b)
{
    free(b->memory);
}

static prepay_ledger_account_t account(uint64_t id, uint16_t kind, uint16_t flags, prepay_money_t overdraft,
                                       prepay_money_t max_balance)
{
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.kind = kind;
    a.flags = flags;
    a.overdraft_limit = overdraft;
    a.max_balance = max_balance;
    return a;
}

static void test_account_check_rules(void **state)
{
    (void)state;
    assert_int_equal(prepay_ledger_account_check(NULL), PREPAY_E_INVALID_ARGUMENT);
    /* A wallet: debits at most credits + overdraft, pending debits included. */
    prepay_ledger_account_t w =
        account(1, PREPAY_LEDGER_ACCOUNT_WALLET, PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS, 50, 0);
    w.credits_posted = 1000;
    w.debits_posted = 1000;
    w.debits_pending = 50;
    assert_int_equal(prepay_ledger_account_check(&w), PREPAY_OK); /* 1050 <= 1000 + 50 */
    w.debits_pending = 51;
    assert_int_equal(prepay_ledger_account_check(&w), PREPAY_E_LEDGER_EXCEEDS_CREDITS);
    /* Pending credits do not count as credits for the wallet's limit. */
    w.credits_pending = 1000;
    assert_int_equal(prepay_ledger_account_check(&w), PREPAY_E_LEDGER_EXCEEDS_CREDITS);
    /* Credits at most debits posted. */
    prepay_ledger_account_t e =
        account(2, PREPAY_LEDGER_ACCOUNT_EMERGENCY_CREDIT, PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS, 0, 0);
    e.debits_posted = 300;
    e.credits_posted = 200;
    e.credits_pending = 100;
    assert_int_equal(prepay_ledger_account_check(&e), PREPAY_OK);
    e.credits_pending = 101;
    assert_int_equal(prepay_ledger_account_check(&e), PREPAY_E_LEDGER_EXCEEDS_DEBITS);
    /* Hoarding limit: credits (pending too) minus debits posted. */
    prepay_ledger_account_t h = account(3, PREPAY_LEDGER_ACCOUNT_WALLET, 0, 0, 500);
    h.credits_posted = 700;
    h.debits_posted = 200;
    assert_int_equal(prepay_ledger_account_check(&h), PREPAY_OK);
    h.credits_pending = 1;
    assert_int_equal(prepay_ledger_account_check(&h), PREPAY_E_LEDGER_EXCEEDS_MAX_BALANCE);
    /* Sums beyond int64. */
    prepay_ledger_account_t o = account(4, PREPAY_LEDGER_ACCOUNT_REVENUE, 0, 0, 0);
    o.credits_posted = INT64_MAX;
    o.credits_pending = 1;
    assert_int_equal(prepay_ledger_account_check(&o), PREPAY_E_LEDGER_OVERFLOW);
    /* No flags, no hoarding limit: anything non-negative is within limits. */
    prepay_ledger_account_t r = account(5, PREPAY_LEDGER_ACCOUNT_REVENUE, 0, 0, 0);
    r.debits_posted = INT64_MAX;
    assert_int_equal(prepay_ledger_account_check(&r), PREPAY_OK);
}

static void test_load_refusals_change_nothing(void **state)
{
    (void)state;
    book_t b;
    book_init(&b, 4);
    prepay_ledger_account_t w =
        account(1, PREPAY_LEDGER_ACCOUNT_WALLET, PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS, 0, 0);
    w.credits_posted = 100;
    w.debits_posted = 101;
    assert_int_equal(prepay_ledger_load_account(NULL, &w), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_load_account(&b.ledger, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_load_account(&b.ledger, &w), PREPAY_E_LEDGER_EXCEEDS_CREDITS);
    w.debits_posted = -1;
    assert_int_equal(prepay_ledger_load_account(&b.ledger, &w), PREPAY_E_INVALID_ARGUMENT);
    w.debits_posted = 60;
    w.kind = 99;
    assert_int_equal(prepay_ledger_load_account(&b.ledger, &w), PREPAY_E_LEDGER_ACCOUNT_BAD_KIND);
    w.kind = PREPAY_LEDGER_ACCOUNT_WALLET;
    w.id = 0;
    assert_int_equal(prepay_ledger_load_account(&b.ledger, &w), PREPAY_E_LEDGER_ACCOUNT_ID_MUST_NOT_BE_ZERO);
    assert_int_equal(prepay_ledger_account_count(&b.ledger), 0);
    w.id = 1;
    assert_int_equal(prepay_ledger_load_account(&b.ledger, &w), PREPAY_OK);
    /* The same id again, whatever its counters, is refused. */
    assert_int_equal(prepay_ledger_load_account(&b.ledger, &w), PREPAY_E_LEDGER_ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS);
    assert_int_equal(prepay_ledger_account_count(&b.ledger), 1);
    const prepay_ledger_account_t *got = prepay_ledger_account(&b.ledger, 1);
    assert_non_null(got);
    assert_int_equal(got->credits_posted, 100);
    assert_int_equal(got->debits_posted, 60);
    /* The loaded counters take part in the rules: 40 left to spend. */
    prepay_ledger_account_t rev = account(2, PREPAY_LEDGER_ACCOUNT_REVENUE, 0, 0, 0);
    assert_int_equal(prepay_ledger_load_account(&b.ledger, &rev), PREPAY_OK);
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = 7;
    t.debit_account_id = 1;
    t.credit_account_id = 2;
    t.amount = 41;
    t.code = PREPAY_LEDGER_CODE_DEDUCTION;
    int result;
    assert_int_equal(prepay_ledger_apply(&b.ledger, &t, 1, &result), 0);
    assert_int_equal(result, PREPAY_E_LEDGER_EXCEEDS_CREDITS);
    t.amount = 40;
    assert_int_equal(prepay_ledger_apply(&b.ledger, &t, 1, &result), 1);
    assert_int_equal(result, PREPAY_OK);
    assert_int_equal(prepay_ledger_account(&b.ledger, 1)->debits_posted, 100);
    assert_int_equal(prepay_ledger_account(&b.ledger, 2)->credits_posted, 40);
    /* A slice's log does not explain its counters: verify says so. */
    prepay_ledger_account_t scratch[ACCOUNTS];
    assert_int_equal(prepay_ledger_verify(&b.ledger, scratch, ACCOUNTS), PREPAY_E_LEDGER_INVARIANT);
    book_free(&b);
}

/* xorshift64*: a deterministic stream for the property. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717u;
}

static const prepay_ledger_account_t *find(const book_t *b, uint64_t id)
{
    return prepay_ledger_account(&b->ledger, id);
}

static void test_slice_equals_whole(void **state)
{
    (void)state;
    book_t whole;
    book_init(&whole, TRANSFERS);
    const prepay_ledger_account_t defs[ACCOUNTS] = {
        account(1, PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING, 0, 0, 0),
        account(2, PREPAY_LEDGER_ACCOUNT_WALLET, PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS, 0, 0),
        account(3, PREPAY_LEDGER_ACCOUNT_WALLET, PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS, 300, 0),
        account(4, PREPAY_LEDGER_ACCOUNT_WALLET, PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS, 0, 5000),
        account(5, PREPAY_LEDGER_ACCOUNT_EMERGENCY_CREDIT, PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS, 0, 0),
        account(6, PREPAY_LEDGER_ACCOUNT_REVENUE, 0, 0, 0),
        account(7, PREPAY_LEDGER_ACCOUNT_REVENUE, 0, 0, 2000),
        account(8, PREPAY_LEDGER_ACCOUNT_DEBT, 0, 0, 0),
    };
    for (size_t i = 0; i < ACCOUNTS; i++) {
        assert_int_equal(prepay_ledger_create_account(&whole.ledger, &defs[i]), PREPAY_OK);
    }
    uint64_t seed = 0x9E3779B97F4A7C15u;
    int counts[3] = {0, 0, 0}; /* ok, refused by a limit, other */
    for (uint64_t id = 1; id <= TRANSFERS; id++) {
        prepay_ledger_transfer_t t;
        memset(&t, 0, sizeof t);
        t.id = id;
        t.debit_account_id = 1 + next_random(&seed) % ACCOUNTS;
        t.credit_account_id = 1 + next_random(&seed) % ACCOUNTS;
        t.amount = (prepay_money_t)(next_random(&seed) % 700);
        t.code = (uint16_t)(1 + next_random(&seed) % 11);
        t.flags = next_random(&seed) % 5 == 0 ? PREPAY_LEDGER_TRANSFER_PENDING : 0;
        /* The slice: only the two accounts, with the whole ledger's counters now. */
        book_t slice;
        book_init(&slice, 1);
        prepay_ledger_account_t dr = *find(&whole, t.debit_account_id);
        prepay_ledger_account_t cr = *find(&whole, t.credit_account_id);
        assert_int_equal(prepay_ledger_load_account(&slice.ledger, &dr), PREPAY_OK);
        if (cr.id != dr.id) {
            assert_int_equal(prepay_ledger_load_account(&slice.ledger, &cr), PREPAY_OK);
        }
        /* Refunds look at the wallet's emergency account: none here. */
        int r_whole, r_slice;
        assert_true(prepay_ledger_apply(&whole.ledger, &t, 1, &r_whole) >= 0);
        assert_true(prepay_ledger_apply(&slice.ledger, &t, 1, &r_slice) >= 0);
        assert_int_equal(r_slice, r_whole);
        const prepay_ledger_account_t *ids[2] = {find(&whole, t.debit_account_id), find(&whole, t.credit_account_id)};
        for (int k = 0; k < 2; k++) {
            const prepay_ledger_account_t *s = find(&slice, ids[k]->id);
            assert_non_null(s);
            assert_int_equal(s->debits_pending, ids[k]->debits_pending);
            assert_int_equal(s->debits_posted, ids[k]->debits_posted);
            assert_int_equal(s->credits_pending, ids[k]->credits_pending);
            assert_int_equal(s->credits_posted, ids[k]->credits_posted);
            assert_int_equal(prepay_ledger_account_check(s), PREPAY_OK);
        }
        counts[r_whole == PREPAY_OK ? 0
               : (r_whole == PREPAY_E_LEDGER_EXCEEDS_CREDITS || r_whole == PREPAY_E_LEDGER_EXCEEDS_DEBITS ||
                  r_whole == PREPAY_E_LEDGER_EXCEEDS_MAX_BALANCE)
                   ? 1
                   : 2]++;
        book_free(&slice);
    }
    /* The stream exercises applied transfers, limit refusals and other refusals. */
    assert_true(counts[0] > 500);
    assert_true(counts[1] > 100);
    assert_true(counts[2] > 100);
    prepay_ledger_account_t scratch[ACCOUNTS];
    assert_int_equal(prepay_ledger_verify(&whole.ledger, scratch, ACCOUNTS), PREPAY_OK);
    for (size_t i = 0; i < ACCOUNTS; i++) {
        assert_int_equal(prepay_ledger_account_check(prepay_ledger_account_at(&whole.ledger, (uint32_t)i)), PREPAY_OK);
    }
    book_free(&whole);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_account_check_rules),
        cmocka_unit_test(test_load_refusals_change_nothing),
        cmocka_unit_test(test_slice_equals_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
