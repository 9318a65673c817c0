/* SPDX-License-Identifier: MIT */
/*
 * Pending-transfer deadlines: validation, idempotency, prepay_ledger_expire()
 * (order, limit, release, stale heap entries), posts and voids at or after
 * the deadline, prepay_ledger_replay_expiry(), linked chains, closed
 * accounts, a ledger without an expiry heap, and verify() catching a broken
 * heap. Expected balances are worked out by hand in the comments.
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

#define CLEARING 10u
#define WALLET 1u
#define REVENUE 20u

static void make_accounts(test_ledger_t *tl)
{
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = CLEARING;
    a.kind = PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING;
    assert_int_equal(prepay_ledger_create_account(&tl->ledger, &a), PREPAY_OK);
    a.id = WALLET;
    a.kind = PREPAY_LEDGER_ACCOUNT_WALLET;
    a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
    assert_int_equal(prepay_ledger_create_account(&tl->ledger, &a), PREPAY_OK);
    a.id = REVENUE;
    a.kind = PREPAY_LEDGER_ACCOUNT_REVENUE;
    a.flags = 0;
    a.item = PREPAY_LEDGER_ITEM_ELECTRICITY;
    assert_int_equal(prepay_ledger_create_account(&tl->ledger, &a), PREPAY_OK);
}

static prepay_ledger_transfer_t mk(uint64_t id, uint64_t dr, uint64_t cr, int64_t amount, uint16_t flags,
                                   int64_t deadline)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.debit_account_id = dr;
    t.credit_account_id = cr;
    t.amount = amount;
    t.code = dr == CLEARING ? PREPAY_LEDGER_CODE_RECHARGE : PREPAY_LEDGER_CODE_DEDUCTION;
    t.flags = flags;
    t.deadline = deadline;
    return t;
}

static prepay_ledger_transfer_t resolve(uint64_t id, uint64_t pending_id, int64_t amount, bool post,
                                        prepay_time_t timestamp)
{
    prepay_ledger_transfer_t t = mk(id, 0, 0, amount,
                                    post ? PREPAY_LEDGER_TRANSFER_POST_PENDING : PREPAY_LEDGER_TRANSFER_VOID_PENDING, 0);
    t.pending_id = pending_id;
    t.code = PREPAY_LEDGER_CODE_DEDUCTION;
    t.timestamp = timestamp;
    return t;
}

static int apply1(test_ledger_t *tl, const prepay_ledger_transfer_t *t)
{
    int result = 12345;
    int applied = prepay_ledger_apply(&tl->ledger, t, 1, &result);
    assert_int_equal(applied, result == PREPAY_OK ? 1 : 0);
    return result;
}

static prepay_ledger_balance_t balance(test_ledger_t *tl, uint64_t account)
{
    prepay_ledger_balance_t b;
    assert_int_equal(prepay_ledger_balance(&tl->ledger, account, &b), PREPAY_OK);
    return b;
}

/* Only a pending transfer may carry a deadline; the deadline is compared for idempotency. */
static void test_validation_and_idempotency(void **state)
{
    (void)state;
    test_ledger_t tl;
    test_ledger_open(&tl, 8, 64);
    make_accounts(&tl);
    prepay_ledger_transfer_t t = mk(1, CLEARING, WALLET, 100, 0, 500);
    assert_int_equal(apply1(&tl, &t), PREPAY_E_LEDGER_DEADLINE_MUST_BE_ZERO);
    /* precedence: interval (12) before deadline (13) */
    t.interval_start = 10;
    t.interval_end = 5;
    assert_int_equal(apply1(&tl, &t), PREPAY_E_LEDGER_INTERVAL_INVALID);
    /* a post or void is not pending: no deadline either */
    prepay_ledger_transfer_t v = resolve(2, 1, 0, false, 0);
    v.deadline = 7;
    assert_int_equal(apply1(&tl, &v), PREPAY_E_LEDGER_DEADLINE_MUST_BE_ZERO);
    assert_int_equal(prepay_ledger_transfer_count(&tl.ledger), 0);

    t = mk(1, CLEARING, WALLET, 100, PREPAY_LEDGER_TRANSFER_PENDING, 500);
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    assert_int_equal(apply1(&tl, &t), PREPAY_LEDGER_EXISTS);
    t.deadline = 501;
    assert_int_equal(apply1(&tl, &t), PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEADLINE);
    t.deadline = 0;
    assert_int_equal(apply1(&tl, &t), PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEADLINE);
    /* user data is compared first (26 before 27) */
    t.order_id = 9;
    assert_int_equal(apply1(&tl, &t), PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_USER_DATA);
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    test_ledger_close(&tl);
}

/* Earliest deadline first, ties in log order; at most ids_cap per call; deadline <= now expires. */
static void test_expire_order_and_limit(void **state)
{
    (void)state;
    test_ledger_t tl;
    test_ledger_open(&tl, 8, 64);
    make_accounts(&tl);
    prepay_ledger_transfer_t t = mk(1, CLEARING, WALLET, 10000, 0, 0);
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    /* ids and deadlines, in log order: 11@300 12@100 13@300 14@200 15@never 16@100 */
    static const int64_t deadlines[] = {300, 100, 300, 200, 0, 100};
    prepay_ledger_transfer_t batch[6];
    int results[6];
    for (uint64_t i = 0; i < 6; i++) {
        batch[i] = mk(11 + i, WALLET, REVENUE, (int64_t)(10 * (i + 1)), PREPAY_LEDGER_TRANSFER_PENDING,
                      deadlines[i]);
    }
    assert_int_equal(prepay_ledger_apply(&tl.ledger, batch, 6, results), 6);
    /* reserved: 10 + 20 + 30 + 40 + 50 + 60 = 210 */
    assert_int_equal(balance(&tl, WALLET).debits_pending, 210);
    uint64_t ids[8];
    memset(ids, 0, sizeof ids);
    assert_int_equal(prepay_ledger_expire(&tl.ledger, 99, ids, 8), 0); /* nothing due */
    /* at 100: 12 and 16 (both 100, log order), limited to one per call */
    assert_int_equal(prepay_ledger_expire(&tl.ledger, 100, ids, 1), 1);
    assert_int_equal(ids[0], 12);
    assert_int_equal(balance(&tl, WALLET).debits_pending, 190);
    assert_int_equal(prepay_ledger_expire(&tl.ledger, 100, ids, 0), 0); /* a zero limit does nothing */
    assert_int_equal(prepay_ledger_expire(&tl.ledger, 250, ids, 8), 2);
    assert_int_equal(ids[0], 16);
    assert_int_equal(ids[1], 14);
    /* 190 - 60 - 40 = 90 still reserved: 11 (10), 13 (30), 15 (50) */
    assert_int_equal(balance(&tl, WALLET).debits_pending, 90);
    assert_int_equal(balance(&tl, REVENUE).credits_pending, 90);
    /* the ids may be left out: then ids_cap is only a limit */
    assert_int_equal(prepay_ledger_expire(&tl.ledger, 300, NULL, 1), 1);
    assert_int_equal(prepay_ledger_lookup(&tl.ledger, 11)->state, PREPAY_LEDGER_STATE_EXPIRED);
    assert_int_equal(prepay_ledger_lookup(&tl.ledger, 13)->state, PREPAY_LEDGER_STATE_PENDING);
    assert_int_equal(prepay_ledger_expire(&tl.ledger, INT64_MAX, ids, 8), 1);
    assert_int_equal(ids[0], 13);
    /* 15 has no deadline: it never expires */
    assert_int_equal(prepay_ledger_expire(&tl.ledger, INT64_MAX, ids, 8), 0);
    assert_int_equal(balance(&tl, WALLET).debits_pending, 50);
    assert_int_equal(prepay_ledger_lookup(&tl.ledger, 15)->state, PREPAY_LEDGER_STATE_PENDING);
    assert_int_equal(prepay_ledger_lookup(&tl.ledger, 11)->resolved_by, 0);
    assert_int_equal(prepay_ledger_transfer_count(&tl.ledger), 7); /* an expiry adds no log entry */
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    assert_int_equal(prepay_ledger_expire(NULL, 0, ids, 8), PREPAY_E_INVALID_ARGUMENT);
    test_ledger_close(&tl);
}

/* Posts and voids: fine before the deadline, refused from it on (before or after expire()). */
static void test_post_and_void_against_the_deadline(void **state)
{
    (void)state;
    test_ledger_t tl;
    test_ledger_open(&tl, 8, 64);
    make_accounts(&tl);
    prepay_ledger_transfer_t t = mk(1, CLEARING, WALLET, 1000, 0, 0);
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    prepay_ledger_transfer_t p[4];
    for (uint64_t i = 0; i < 4; i++) {
        p[i] = mk(2 + i, WALLET, REVENUE, 100, PREPAY_LEDGER_TRANSFER_PENDING, 1000);
        assert_int_equal(apply1(&tl, &p[i]), PREPAY_OK);
    }
    /* available 1000 - 400 = 600 */
    assert_int_equal(balance(&tl, WALLET).available, 600);
    /* 2: posted (60 of 100) one second before the deadline */
    prepay_ledger_transfer_t r = resolve(20, 2, 60, true, 999);
    assert_int_equal(apply1(&tl, &r), PREPAY_OK);
    /* 3: a post at the deadline is refused, although expire() has not run */
    r = resolve(21, 3, 100, true, 1000);
    assert_int_equal(apply1(&tl, &r), PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED);
    /* 4: a void after the deadline too */
    r = resolve(22, 4, 0, false, 5000);
    assert_int_equal(apply1(&tl, &r), PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED);
    /* the refusals changed nothing: 1000 - 60 posted, 300 reserved */
    prepay_ledger_balance_t b = balance(&tl, WALLET);
    assert_int_equal(b.debits_posted, 60);
    assert_int_equal(b.debits_pending, 300);
    /* expire at 1000: 3, 4, 5 (2 was posted: its heap slot is dropped unreleased) */
    uint64_t ids[8];
    assert_int_equal(prepay_ledger_expire(&tl.ledger, 1000, ids, 8), 3);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 4);
    assert_int_equal(ids[2], 5);
    b = balance(&tl, WALLET);
    assert_int_equal(b.debits_posted, 60);
    assert_int_equal(b.debits_pending, 0);
    assert_int_equal(b.available, 940);
    /* after the expiry every post or void fails the same way, whatever its timestamp */
    r = resolve(23, 5, 100, true, 0);
    assert_int_equal(apply1(&tl, &r), PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED);
    r = resolve(24, 5, 0, false, 0);
    assert_int_equal(apply1(&tl, &r), PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED);
    /* earlier checks keep their precedence: already posted (34), amount (36) */
    r = resolve(25, 2, 10, true, 0);
    assert_int_equal(apply1(&tl, &r), PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_POSTED);
    r = resolve(26, 5, 101, true, 0);
    assert_int_equal(apply1(&tl, &r), PREPAY_E_LEDGER_EXCEEDS_PENDING_TRANSFER_AMOUNT);
    /* a post with timestamp before the deadline of a transfer without one is fine */
    t = mk(30, WALLET, REVENUE, 5, PREPAY_LEDGER_TRANSFER_PENDING, 0);
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    r = resolve(31, 30, 5, true, INT64_MAX);
    assert_int_equal(apply1(&tl, &r), PREPAY_OK);
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    test_ledger_close(&tl);
}

/* prepay_ledger_replay_expiry(): its refusals, and the same release as prepay_ledger_expire(). */
static void test_replay_expiry(void **state)
{
    (void)state;
    test_ledger_t a;
    test_ledger_t b;
    test_ledger_open(&a, 8, 64);
    test_ledger_open(&b, 8, 64);
    make_accounts(&a);
    make_accounts(&b);
    prepay_ledger_transfer_t log[6] = {
        mk(1, CLEARING, WALLET, 1000, 0, 0),
        mk(2, WALLET, REVENUE, 100, PREPAY_LEDGER_TRANSFER_PENDING, 50),
        mk(3, WALLET, REVENUE, 200, PREPAY_LEDGER_TRANSFER_PENDING, 60),
        mk(4, WALLET, REVENUE, 300, PREPAY_LEDGER_TRANSFER_PENDING, 0),
        resolve(5, 3, 0, false, 10),
        mk(6, WALLET, REVENUE, 400, PREPAY_LEDGER_TRANSFER_PENDING, 70),
    };
    for (int i = 0; i < 6; i++) {
        assert_int_equal(apply1(&a, &log[i]), PREPAY_OK);
        assert_int_equal(prepay_ledger_replay(&b.ledger, &log[i]), PREPAY_OK);
    }
    uint64_t ids[4];
    assert_int_equal(prepay_ledger_expire(&a.ledger, 1000, ids, 4), 2); /* 2 and 6; 3 was voided */
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], 6);
    assert_int_equal(prepay_ledger_replay_expiry(NULL, 2, 1000), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_replay_expiry(&b.ledger, 99, 1000), PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_FOUND);
    assert_int_equal(prepay_ledger_replay_expiry(&b.ledger, 1, 1000), PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_PENDING);
    assert_int_equal(prepay_ledger_replay_expiry(&b.ledger, 3, 1000), PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_VOIDED);
    assert_int_equal(prepay_ledger_replay_expiry(&b.ledger, 4, 1000), PREPAY_E_LEDGER_DEADLINE_NOT_REACHED);
    assert_int_equal(prepay_ledger_replay_expiry(&b.ledger, 2, 49), PREPAY_E_LEDGER_DEADLINE_NOT_REACHED);
    assert_int_equal(prepay_ledger_replay_expiry(&b.ledger, 2, 1000), PREPAY_OK);
    assert_int_equal(prepay_ledger_replay_expiry(&b.ledger, 2, 1000), PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED);
    assert_int_equal(prepay_ledger_replay_expiry(&b.ledger, 6, 70), PREPAY_OK);
    /* both ledgers hold the same books */
    for (uint32_t i = 0; i < 3; i++) {
        assert_memory_equal(prepay_ledger_account_at(&a.ledger, i), prepay_ledger_account_at(&b.ledger, i),
                            sizeof(prepay_ledger_account_t));
    }
    for (uint32_t i = 0; i < 6; i++) {
        assert_memory_equal(prepay_ledger_entry_at(&a.ledger, i), prepay_ledger_entry_at(&b.ledger, i),
                            sizeof(prepay_ledger_entry_t));
    }
    /* the replayed ledger's heap drops the entries expired by name */
    assert_int_equal(prepay_ledger_expire(&b.ledger, INT64_MAX, ids, 4), 0);
    assert_int_equal(test_ledger_verify(&a), PREPAY_OK);
    assert_int_equal(test_ledger_verify(&b), PREPAY_OK);
    /* a posted transfer cannot be expired by name either */
    prepay_ledger_transfer_t p = mk(7, WALLET, REVENUE, 10, PREPAY_LEDGER_TRANSFER_PENDING, 80);
    assert_int_equal(apply1(&b, &p), PREPAY_OK);
    p = resolve(8, 7, 10, true, 79);
    assert_int_equal(apply1(&b, &p), PREPAY_OK);
    assert_int_equal(prepay_ledger_replay_expiry(&b.ledger, 7, 80), PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_POSTED);
    test_ledger_close(&a);
    test_ledger_close(&b);
}

/* A failed chain leaves no heap entry behind; a committed one enters the heap. */
static void test_chains(void **state)
{
    (void)state;
    test_ledger_t tl;
    test_ledger_open(&tl, 8, 64);
    make_accounts(&tl);
    prepay_ledger_transfer_t t = mk(1, CLEARING, WALLET, 100, 0, 0);
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    prepay_ledger_transfer_t chain[2] = {
        mk(2, WALLET, REVENUE, 60, PREPAY_LEDGER_TRANSFER_PENDING | PREPAY_LEDGER_TRANSFER_LINKED, 10),
        mk(3, WALLET, REVENUE, 60, 0, 0), /* 60 + 60 > 100: fails, the chain rolls back */
    };
    int results[2];
    assert_int_equal(prepay_ledger_apply(&tl.ledger, chain, 2, results), 0);
    assert_int_equal(results[0], PREPAY_E_LEDGER_LINKED_EVENT_FAILED);
    assert_int_equal(results[1], PREPAY_E_LEDGER_EXCEEDS_CREDITS);
    assert_int_equal(tl.ledger.expiry_count, 0);
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    chain[1].amount = 40;
    assert_int_equal(prepay_ledger_apply(&tl.ledger, chain, 2, results), 2);
    assert_int_equal(tl.ledger.expiry_count, 1);
    uint64_t ids[2];
    assert_int_equal(prepay_ledger_expire(&tl.ledger, 10, ids, 2), 1);
    assert_int_equal(ids[0], 2);
    assert_int_equal(balance(&tl, WALLET).available, 60);
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    test_ledger_close(&tl);
}

/* A closed account does not stop an expiry (as it does not stop a void). */
static void test_closed_account(void **state)
{
    (void)state;
    test_ledger_t tl;
    test_ledger_open(&tl, 8, 64);
    make_accounts(&tl);
    prepay_ledger_transfer_t t = mk(1, CLEARING, WALLET, 500, PREPAY_LEDGER_TRANSFER_PENDING, 30);
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    assert_int_equal(prepay_ledger_close_account(&tl.ledger, WALLET), PREPAY_OK);
    uint64_t ids[1];
    assert_int_equal(prepay_ledger_expire(&tl.ledger, 30, ids, 1), 1);
    assert_int_equal(balance(&tl, WALLET).credits_pending, 0);
    assert_int_equal(balance(&tl, CLEARING).debits_pending, 0);
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    test_ledger_close(&tl);
}

/* Without an expiry heap a deadline is refused for lack of capacity; the rest works. */
static void test_without_heap(void **state)
{
    (void)state;
    test_ledger_t tl;
    test_ledger_open(&tl, 8, 64);
    prepay_ledger_memory_t m = tl.memory;
    m.expiry_heap = NULL;
    assert_int_equal(prepay_ledger_init(&tl.ledger, &m), PREPAY_OK);
    make_accounts(&tl);
    prepay_ledger_transfer_t t = mk(1, CLEARING, WALLET, 500, PREPAY_LEDGER_TRANSFER_PENDING, 30);
    assert_int_equal(apply1(&tl, &t), PREPAY_E_CAPACITY);
    t.deadline = 0;
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    assert_int_equal(prepay_ledger_replay(&tl.ledger, &t), PREPAY_LEDGER_EXISTS);
    uint64_t ids[1];
    assert_int_equal(prepay_ledger_expire(&tl.ledger, INT64_MAX, ids, 1), 0);
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    test_ledger_close(&tl);
}

/* verify() fails when the heap misses an open transfer or is out of order, or an expiry was not released. */
static void test_verify_catches_a_broken_heap(void **state)
{
    (void)state;
    test_ledger_t tl;
    test_ledger_open(&tl, 8, 64);
    make_accounts(&tl);
    prepay_ledger_transfer_t t = mk(1, CLEARING, WALLET, 500, 0, 0);
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    t = mk(2, WALLET, REVENUE, 10, PREPAY_LEDGER_TRANSFER_PENDING, 200);
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    t = mk(3, WALLET, REVENUE, 10, PREPAY_LEDGER_TRANSFER_PENDING, 100);
    assert_int_equal(apply1(&tl, &t), PREPAY_OK);
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    /* heap order: 3 (100) on top of 2 (200); swap them */
    uint32_t *heap = tl.memory.expiry_heap;
    uint32_t top = heap[0];
    heap[0] = heap[1];
    heap[1] = top;
    assert_int_equal(test_ledger_verify(&tl), PREPAY_E_LEDGER_INVARIANT);
    heap[1] = heap[0];
    heap[0] = top;
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    /* forget one heap slot: an open transfer is missing */
    tl.ledger.expiry_count = 1;
    assert_int_equal(test_ledger_verify(&tl), PREPAY_E_LEDGER_INVARIANT);
    tl.ledger.expiry_count = 2;
    /* an entry marked expired whose reservation was not released */
    prepay_ledger_entry_t *e = &tl.memory.entries[1];
    e->state = PREPAY_LEDGER_STATE_EXPIRED;
    assert_int_equal(test_ledger_verify(&tl), PREPAY_E_LEDGER_INVARIANT);
    e->state = PREPAY_LEDGER_STATE_PENDING;
    assert_int_equal(test_ledger_verify(&tl), PREPAY_OK);
    test_ledger_close(&tl);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation_and_idempotency),
        cmocka_unit_test(test_expire_order_and_limit),
        cmocka_unit_test(test_post_and_void_against_the_deadline),
        cmocka_unit_test(test_replay_expiry),
        cmocka_unit_test(test_chains),
        cmocka_unit_test(test_closed_account),
        cmocka_unit_test(test_without_heap),
        cmocka_unit_test(test_verify_catches_a_broken_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
