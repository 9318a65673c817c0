/* SPDX-License-Identifier: MIT */
/*
 * Settling readings: the flow of a prepaid remote account worked by hand
 * (0.50 yuan/kWh flat, the default three-level policy: alarm 1 at 20.00,
 * pre-trip at 10.00, cut-off at 0), duplicates, late readings, conflicts,
 * rollover, reset, jumps, replacement, gaps, bad input that changes nothing,
 * batches in any order, and re-runs that find every transfer in the ledger.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/dlt645_di.h"
#include "prepay/settlement_hosted.h"
#include "settle_fixture.h"

#define H 3600

static prepay_time_t t0(void)
{
    return fx_time(2024, 1, 10, 0, 0);
}

static uint64_t wallet_of(uint32_t account)
{
    return prepay_settlement_ledger_account_id(account, PREPAY_SETTLEMENT_ROLE_WALLET);
}

static void one_remote(fx_t *fx)
{
    fx_defaults(fx);
    fx_start(fx, 4, 8, 0, 0, 1);
    fx_account(fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(fx, 11, 1);
    fx_open(fx, 16);
}

static void test_remote_flow_by_hand(void **state)
{
    (void)state;
    fx_t fx;
    one_remote(&fx);
    prepay_time_t t = t0();
    int8_t outcome = 0;
    assert_int_equal(fx_recharge(&fx, 1, 1, 5000, t), PREPAY_OK);
    assert_int_equal(fx_balance(&fx, 1), 5000);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_RECHARGE, 1), 1);
    assert_int_equal(fx_read(&fx, 11, t, 0, &outcome), 1);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_PRIMED);
    /* 10 kWh x 0.50 = 5.00 yuan */
    assert_int_equal(fx_read(&fx, 11, t + H, 10000, &outcome), 1);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_SETTLED);
    assert_int_equal(fx_balance(&fx, 1), 4500);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL, 1), 0);
    /* 50 kWh = 25.00 -> 20.00: alarm 1 */
    assert_int_equal(fx_read(&fx, 11, t + 2 * H, 60000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 2000);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL, 1), 1);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_LOW_BALANCE, 1), 1);
    assert_int_equal(fx.log[fx.log_count - 1].level, 1);
    /* 20 kWh = 10.00 -> 10.00: alarm 2, pre-trip: the relay opens (trip command) */
    assert_int_equal(fx_read(&fx, 11, t + 3 * H, 80000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 1000);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_COMMAND, 1), 1);
    const prepay_settlement_event_t *cmd = NULL;
    for (size_t i = 0; i < fx.log_count; i++) {
        if (fx.log[i].type == PREPAY_SETTLEMENT_EVENT_COMMAND) {
            cmd = &fx.log[i];
        }
    }
    assert_non_null(cmd);
    if (cmd == NULL) {
        return; /* not reached: tells gcc -O3 (-Wnull-dereference) that cmd is set below */
    }
    assert_int_equal(cmd->command, PREPAY_DLT645_RELAY_TRIP);
    assert_int_equal(cmd->meter_id, 11);
    /* 20 kWh -> 0.00: cut-off */
    assert_int_equal(fx_read(&fx, 11, t + 4 * H, 100000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 0);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_CUTOFF, 1), 1);
    /* 10 kWh more (5.00) cannot come from the wallet: debt */
    assert_int_equal(fx_read(&fx, 11, t + 5 * H, 110000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 0);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_DEBT_CREATED, 1), 1);
    const prepay_settlement_account_t *a = prepay_settlement_account(&fx.site, 1);
    assert_int_equal(a->books.debt, 500);
    /* Recharge 20.00: 5.00 repays the debt, 15.00 credits the balance; restore, close allowed */
    prepay_settlement_recharge_split_t split;
    prepay_settlement_recharge_t r = {1, 2, 2000, 77, 0, t + 6 * H};
    prepay_settlement_result_t res;
    assert_int_equal(prepay_settlement_recharge(&fx.site, &fx.books, &fx.work, &r, &split, &res), PREPAY_OK);
    assert_int_equal(split.to_debt, 500);
    assert_int_equal(split.to_balance, 1500);
    assert_int_equal(fx_balance(&fx, 1), 1500);
    assert_int_equal(a->books.debt, 0);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_RESTORED, 1), 1);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_DEBT_REPAID, 1), 1);
    assert_int_equal(fx.log[fx.log_count - 1].type, PREPAY_SETTLEMENT_EVENT_COMMAND);
    assert_int_equal(fx.log[fx.log_count - 1].command, PREPAY_DLT645_RELAY_CLOSE_ALLOWED);
    /* The books: wallet 15.00, revenue 55.00, clearing -70.00, debt account 0. */
    assert_int_equal(fx_ledger_balance(&fx, wallet_of(1)), 1500);
    assert_int_equal(fx_ledger_balance(&fx, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_ELECTRICITY)),
                     5500);
    assert_int_equal(fx_ledger_balance(&fx, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_CLEARING)),
                     -7000);
    assert_int_equal(fx_ledger_balance(&fx, prepay_settlement_ledger_account_id(1, PREPAY_SETTLEMENT_ROLE_DEBT)), 0);
    /* The same recharge again: a harmless repeat; another amount: a conflict */
    assert_int_equal(prepay_settlement_recharge(&fx.site, &fx.books, &fx.work, &r, &split, &res), PREPAY_LEDGER_EXISTS);
    assert_int_equal(split.to_debt, 500);
    r.amount = 2001;
    assert_int_equal(prepay_settlement_recharge(&fx.site, &fx.books, &fx.work, &r, &split, &res),
                     PREPAY_E_SETTLEMENT_CONFLICT);
    r.sequence = 4;
    assert_int_equal(prepay_settlement_recharge(&fx.site, &fx.books, &fx.work, &r, &split, &res),
                     PREPAY_E_SETTLEMENT_SEQUENCE);
    fx_verify(&fx);
    fx_free(&fx);
}

static void test_duplicates_late_conflicts(void **state)
{
    (void)state;
    fx_t fx;
    one_remote(&fx);
    prepay_time_t t = t0();
    int8_t outcome = 0;
    assert_int_equal(fx_recharge(&fx, 1, 1, 100000, t), PREPAY_OK);
    assert_int_equal(fx_read(&fx, 11, t, 1000, NULL), 1);
    assert_int_equal(fx_read(&fx, 11, t + H, 3000, NULL), 1);
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    assert_int_equal(fx_read(&fx, 11, t + H, 3000, &outcome), 0);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_DUPLICATE);
    assert_int_equal(fx_read(&fx, 11, t + H / 2, 2000, &outcome), 0);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_LATE);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    /* Same time, other value: refused, nothing changes */
    prepay_settlement_meter_t before = *prepay_settlement_meter(&fx.site, 11);
    prepay_settlement_reading_t bad = {11, 0, t + H, 3001};
    prepay_settlement_result_t res;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, &bad, 1, &res),
                     PREPAY_E_SETTLEMENT_CONFLICT);
    assert_int_equal(res.error_index, 0);
    assert_int_equal(res.error_id, 11);
    assert_memory_equal(&before, prepay_settlement_meter(&fx.site, 11), sizeof before);
    /* Twins in one batch with different values */
    prepay_settlement_reading_t twins[3] = {{11, 0, t + 3 * H, 5000}, {11, 0, t + 2 * H, 4000}, {11, 0, t + 3 * H, 5001}};
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, twins, 3, &res),
                     PREPAY_E_SETTLEMENT_CONFLICT);
    assert_int_equal(res.error_index, 2);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    assert_memory_equal(&before, prepay_settlement_meter(&fx.site, 11), sizeof before);
    /* Settling fails (no room to save the meter) before a later conflict in sorted order: the
     * conflict is the error, as when conflicts were checked in a pass of their own first; without
     * one, the failure of settling */
    size_t undo_bytes = fx.work.sizes.undo_bytes;
    fx.work.sizes.undo_bytes = 0;
    prepay_settlement_reading_t later[3] = {{11, 0, t + 5 * H, 7000}, {11, 0, t + 4 * H, 6000}, {11, 0, t + 5 * H, 7001}};
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, later, 3, &res),
                     PREPAY_E_SETTLEMENT_CONFLICT);
    assert_int_equal(res.error_index, 2);
    later[2].value = 7000;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, later, 3, &res), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(res.error_index, 1);
    fx.work.sizes.undo_bytes = undo_bytes;
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    assert_memory_equal(&before, prepay_settlement_meter(&fx.site, 11), sizeof before);
    /* Identical twins: one settles, the other is a duplicate */
    twins[2].value = 5000;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, twins, 3, &res), 2);
    assert_int_equal(fx.work.outcomes[0], PREPAY_SETTLEMENT_SETTLED);
    assert_int_equal(fx.work.outcomes[1], PREPAY_SETTLEMENT_SETTLED);
    assert_int_equal(fx.work.outcomes[2], PREPAY_SETTLEMENT_DUPLICATE);
    assert_int_equal(fx_balance(&fx, 1), 100000 - 200);
    fx_verify(&fx);
    fx_free(&fx);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    fx_t fx;
    one_remote(&fx);
    prepay_time_t t = t0();
    assert_int_equal(fx_recharge(&fx, 1, 1, 100000, t), PREPAY_OK);
    assert_int_equal(fx_read(&fx, 11, t, 1000, NULL), 1);
    prepay_settlement_meter_t before = *prepay_settlement_meter(&fx.site, 11);
    prepay_settlement_account_t account = *prepay_settlement_account(&fx.site, 1);
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    prepay_settlement_result_t res;
    const struct {
        prepay_settlement_reading_t bad;
        int status;
    } cases[] = {
        {{99, 0, t + H, 2000}, PREPAY_E_SETTLEMENT_UNKNOWN_METER},
        {{11, 0, t + H, -1}, PREPAY_E_SETTLEMENT_BAD_READING},
        {{11, 0, t + H, PREPAY_SETTLEMENT_DLT645_MODULUS}, PREPAY_E_SETTLEMENT_BAD_READING},
        {{11, PREPAY_DI_REVERSE_ACTIVE_TOTAL, t + H, 2000}, PREPAY_E_SETTLEMENT_WRONG_DI},
        {{11, 0, -1, 2000}, PREPAY_E_SETTLEMENT_ID_RANGE},
        {{11, 0, (prepay_time_t)UINT32_MAX + 1, 2000}, PREPAY_E_SETTLEMENT_ID_RANGE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* A good reading first, the bad one second: the good one must not be applied either. */
        prepay_settlement_reading_t batch[2] = {{11, PREPAY_DI_FORWARD_ACTIVE_TOTAL, t + 2 * H, 5000}, cases[i].bad};
        assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, 2, &res), cases[i].status);
        assert_int_equal(res.error_index, 1);
        assert_int_equal(res.error_id, cases[i].bad.meter_id);
        assert_memory_equal(&before, prepay_settlement_meter(&fx.site, 11), sizeof before);
        assert_memory_equal(&account, prepay_settlement_account(&fx.site, 1), sizeof account);
        assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    }
    /* Work too small for the batch: refused, nothing changes */
    prepay_settlement_reading_t many[17];
    for (int i = 0; i < 17; i++) {
        many[i] = (prepay_settlement_reading_t){11, 0, t + (i + 1) * H, 1000 + (i + 1) * 100};
    }
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, many, 17, &res), PREPAY_E_BUFFER_TOO_SMALL);
    assert_memory_equal(&before, prepay_settlement_meter(&fx.site, 11), sizeof before);
    /* The ledger refuses (it is full): the site is restored from the undo log */
    fx.ledger.memory.transfer_capacity = prepay_ledger_transfer_count(&fx.ledger);
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, many, 3, &res), PREPAY_E_SETTLEMENT_BOOKS);
    assert_int_equal(res.error_detail, PREPAY_E_CAPACITY);
    assert_memory_equal(&before, prepay_settlement_meter(&fx.site, 11), sizeof before);
    assert_memory_equal(&account, prepay_settlement_account(&fx.site, 1), sizeof account);
    fx.ledger.memory.transfer_capacity = 1u << 20;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, many, 3, &res), 3);
    assert_int_equal(fx_balance(&fx, 1), 100000 - 15);
    fx_verify(&fx);
    fx_free(&fx);
}

/* Which error a batch with several faults reports, and that it changes nothing, now that the
 * checks that read a meter's record are made while settling (in (meter, time) order, after
 * earlier meters were settled): any failed check wins, the first in arrival order is named,
 * then a conflict, as with a check pass before settling. Meter 12 is added after 11, so its
 * readings are settled after 11's. */
static void test_error_precedence(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    fx_start(&fx, 4, 8, 0, 0, 1);
    fx_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_account(&fx, 2, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 11, 1);
    fx_meter(&fx, 12, 2);
    fx_open(&fx, 16);
    prepay_time_t t = t0();
    assert_int_equal(fx_recharge(&fx, 1, 1, 100000, t), PREPAY_OK);
    assert_int_equal(fx_recharge(&fx, 2, 1, 100000, t), PREPAY_OK);
    assert_int_equal(fx_read(&fx, 11, t, 1000, NULL), 1);
    assert_int_equal(fx_read(&fx, 12, t, 1000, NULL), 1);
    prepay_settlement_meter_t m11 = *prepay_settlement_meter(&fx.site, 11);
    prepay_settlement_meter_t m12 = *prepay_settlement_meter(&fx.site, 12);
    prepay_settlement_account_t a1 = *prepay_settlement_account(&fx.site, 1);
    prepay_settlement_account_t a2 = *prepay_settlement_account(&fx.site, 2);
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    const prepay_settlement_reading_t good11 = {11, 0, t + H, 3000};
    const prepay_settlement_reading_t conflict11 = {11, 0, t, 1500}; /* 11's last time, another value */
    const prepay_settlement_reading_t wrong_di12 = {12, PREPAY_DI_REVERSE_ACTIVE_TOTAL, t + H, 3000};
    const prepay_settlement_reading_t negative12 = {12, 0, t + H, -5};
    const prepay_settlement_reading_t unknown = {99, 0, t + H, 3000};
    const struct {
        prepay_settlement_reading_t batch[3];
        size_t n;
        int status;
        uint32_t index;
    } cases[] = {
        /* 11 settles first, then 12's record check fails: undone, 12 named */
        {{wrong_di12, good11}, 2, PREPAY_E_SETTLEMENT_WRONG_DI, 0},
        {{good11, negative12}, 2, PREPAY_E_SETTLEMENT_BAD_READING, 1},
        /* a conflict comes up first in settling order; a failed check anywhere wins */
        {{wrong_di12, conflict11}, 2, PREPAY_E_SETTLEMENT_WRONG_DI, 0},
        {{conflict11, negative12}, 2, PREPAY_E_SETTLEMENT_BAD_READING, 1},
        /* an unknown meter later in arrival order than a failed record check */
        {{negative12, unknown, good11}, 3, PREPAY_E_SETTLEMENT_BAD_READING, 0},
        {{good11, unknown, negative12}, 3, PREPAY_E_SETTLEMENT_UNKNOWN_METER, 1},
        /* no failed check: the conflict */
        {{good11, conflict11}, 2, PREPAY_E_SETTLEMENT_CONFLICT, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        prepay_settlement_result_t res;
        assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, cases[c].batch, cases[c].n, &res),
                         cases[c].status);
        assert_int_equal(res.error_index, cases[c].index);
        assert_int_equal(res.error_id, cases[c].batch[cases[c].index].meter_id);
        assert_memory_equal(&m11, prepay_settlement_meter(&fx.site, 11), sizeof m11);
        assert_memory_equal(&m12, prepay_settlement_meter(&fx.site, 12), sizeof m12);
        assert_memory_equal(&a1, prepay_settlement_account(&fx.site, 1), sizeof a1);
        assert_memory_equal(&a2, prepay_settlement_account(&fx.site, 2), sizeof a2);
        assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    }
    fx_verify(&fx);
    fx_free(&fx);
}

/* A refused batch restores every account it changed, whichever part of the record was saved:
 * the books of a prepaid account with one meter, the whole record of one whose two meters share
 * a ladder (saved whole after its books, when the ladder counters change), a wallet decision that
 * moves an account to its alarm levels, one that lends emergency credit (grants and
 * emergency_granted change with the books). */
static void test_refused_batch_restores_accounts(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    /* emergency credit of 10.00, lent by itself when the balance is at or below 5.00 */
    fx.policies[0].emergency_amount = 1000;
    fx.policies[0].emergency_threshold = 500;
    fx.policies[0].flags |= PREPAY_WALLET_POLICY_EMERGENCY_AUTO;
    fx_start(&fx, 4, 8, 0, 0, 1);
    fx_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 11, 1);
    fx_account(&fx, 2, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 21, 2);
    fx_meter(&fx, 22, 2);
    fx_account(&fx, 3, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 31, 3);
    fx_account(&fx, 4, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 41, 4);
    fx_open(&fx, 16);
    prepay_time_t t = t0();
    assert_int_equal(fx_recharge(&fx, 1, 1, 100000, t), PREPAY_OK);
    assert_int_equal(fx_recharge(&fx, 2, 1, 100000, t), PREPAY_OK);
    assert_int_equal(fx_recharge(&fx, 3, 1, 2500, t), PREPAY_OK); /* 25.00: above alarm 1 */
    assert_int_equal(fx_recharge(&fx, 4, 1, 600, t), PREPAY_OK);  /* 6.00: above the emergency threshold */
    prepay_settlement_reading_t prime[5] = {
        {11, 0, t, 1000}, {21, 0, t, 1000}, {22, 0, t, 1000}, {31, 0, t, 1000}, {41, 0, t, 1000}};
    prepay_settlement_result_t res;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, prime, 5, &res), 5);
    assert_int_equal(prepay_settlement_account(&fx.site, 4)->books.emergency, 0);
    prepay_settlement_account_t before[4];
    prepay_settlement_meter_t meters[5];
    const uint32_t ids[5] = {11, 21, 22, 31, 41};
    for (uint32_t i = 0; i < 4; i++) {
        before[i] = *prepay_settlement_account(&fx.site, i + 1u);
    }
    for (uint32_t i = 0; i < 5; i++) {
        meters[i] = *prepay_settlement_meter(&fx.site, ids[i]);
    }
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    /* 0.50 yuan/kWh: 20 kWh take account 3 to 15.00, below alarm 1 (a decision with events);
     * 2 kWh take account 4 to 5.00, where it is lent emergency credit */
    prepay_settlement_reading_t batch[7] = {{22, 0, t + H, 3000},     {11, 0, t + H, 4000}, {31, 0, t + H, 21000},
                                            {41, 0, t + H, 3000},     {21, 0, t + H, 2000},
                                            {11, 0, t + 2 * H, 6000}, {21, 0, t + 2 * H, 2500}};
    fx.ledger.memory.transfer_capacity = transfers + 3u; /* the ledger refuses the batch's last transfers */
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, 7, &res), PREPAY_E_SETTLEMENT_BOOKS);
    for (uint32_t i = 0; i < 4; i++) {
        assert_memory_equal(&before[i], prepay_settlement_account(&fx.site, i + 1u), sizeof before[i]);
    }
    for (uint32_t i = 0; i < 5; i++) {
        assert_memory_equal(&meters[i], prepay_settlement_meter(&fx.site, ids[i]), sizeof meters[i]);
    }
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    /* With room, the same batch settles, and again restores nothing it should not */
    fx.ledger.memory.transfer_capacity = 1u << 20;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, 7, &res), 7);
    assert_int_equal(fx_balance(&fx, 1), 100000 - 250);
    assert_int_equal(fx_balance(&fx, 3), 2500 - 1000);
    assert_true(prepay_settlement_account(&fx.site, 3)->wallet.level > 0u);
    const prepay_settlement_account_t *lent = prepay_settlement_account(&fx.site, 4);
    assert_int_equal(lent->books.emergency, 1000);
    assert_int_equal(lent->books.emergency_granted, 1000);
    assert_int_equal(lent->grants, 1u);
    assert_int_equal(fx_balance(&fx, 4), 600 - 100 + 1000);
    fx_verify(&fx);
    fx_free(&fx);
}

/* A copy of everything a settlement call may change: the site's records and its own struct, the
 * ledger's accounts, indexes and log, and the events and statements delivered. */
typedef struct snapshot {
    prepay_settlement_site_t site;
    void *accounts, *meters;
    size_t accounts_size, meters_size;
    prepay_ledger_t ledger;
    void *ledger_accounts, *account_index, *transfer_index, *entries;
    size_t ledger_accounts_size, account_index_size, transfer_index_size, entries_size;
    size_t log_count, statement_count;
} snapshot_t;

static void *copy_of(const void *from, size_t size)
{
    void *to = malloc(size ? size : 1u);
    assert_non_null(to);
    memcpy(to, from, size);
    return to;
}

static void snapshot_take(const fx_t *fx, snapshot_t *s)
{
    const prepay_settlement_memory_t *m = &fx->site.memory;
    const prepay_ledger_memory_t *l = &fx->ledger.memory;
    s->site = fx->site;
    s->accounts_size = (size_t)fx->site.account_count * sizeof m->accounts[0];
    s->meters_size = (size_t)fx->site.meter_count * sizeof m->meters[0];
    s->accounts = copy_of(m->accounts, s->accounts_size);
    s->meters = copy_of(m->meters, s->meters_size);
    s->ledger = fx->ledger;
    s->ledger_accounts_size = (size_t)fx->ledger.account_count * sizeof l->accounts[0];
    s->account_index_size = (size_t)l->account_index_slots * sizeof l->account_index[0];
    s->transfer_index_size = (size_t)l->transfer_index_slots * sizeof l->transfer_index[0];
    s->entries_size = (size_t)fx->ledger.transfer_count * sizeof l->entries[0];
    s->ledger_accounts = copy_of(l->accounts, s->ledger_accounts_size);
    s->account_index = copy_of(l->account_index, s->account_index_size);
    s->transfer_index = copy_of(l->transfer_index, s->transfer_index_size);
    s->entries = copy_of(l->entries, s->entries_size);
    s->log_count = fx->log_count;
    s->statement_count = fx->statement_count;
}

/* Byte for byte as taken, but the site's call generation (every call moves it on). */
static void snapshot_check(const fx_t *fx, snapshot_t *s)
{
    const prepay_settlement_memory_t *m = &fx->site.memory;
    const prepay_ledger_memory_t *l = &fx->ledger.memory;
    s->site.generation = fx->site.generation;
    assert_memory_equal(&s->site, &fx->site, sizeof s->site);
    assert_memory_equal(s->accounts, m->accounts, s->accounts_size);
    assert_memory_equal(s->meters, m->meters, s->meters_size);
    assert_memory_equal(&s->ledger, &fx->ledger, sizeof s->ledger);
    assert_memory_equal(s->ledger_accounts, l->accounts, s->ledger_accounts_size);
    assert_memory_equal(s->account_index, l->account_index, s->account_index_size);
    assert_memory_equal(s->transfer_index, l->transfer_index, s->transfer_index_size);
    assert_memory_equal(s->entries, l->entries, s->entries_size);
    assert_int_equal(fx->log_count, s->log_count);
    assert_int_equal(fx->statement_count, s->statement_count);
}

static void snapshot_free(snapshot_t *s)
{
    free(s->accounts);
    free(s->meters);
    free(s->ledger_accounts);
    free(s->account_index);
    free(s->transfer_index);
    free(s->entries);
}

/* On a site large enough to prefetch records (more than PREPAY__SETTLE_PREFETCH_METERS meters),
 * a batch in random order that fails midway while settling (no more undo room), or after
 * settling every reading (the ledger refuses the transfers), leaves the site's records, the
 * ledger and the delivered events byte for byte as they were; then the same batch settles. */
#define BIG_METERS 2304u

static void test_failed_large_batch_restores_everything(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    fx_start(&fx, BIG_METERS, BIG_METERS, 0, 0, 1);
    for (uint32_t i = 1; i <= BIG_METERS; i++) {
        fx_account(&fx, i, PREPAY_SETTLEMENT_PREPAID_REMOTE);
        fx_meter(&fx, 100000u + i, i);
    }
    fx_open(&fx, BIG_METERS);
    prepay_time_t t = t0();
    static prepay_settlement_reading_t batch[BIG_METERS];
    uint64_t r = 0x9E3779B97F4A7C15u;
    for (uint32_t i = 0; i < BIG_METERS; i++) {
        /* 5.00 .. 54.00 yuan: a 20 kWh reading (10.00) moves some wallets across alarm levels
         * or into debt, raising events */
        assert_int_equal(fx_recharge(&fx, i + 1u, 1, 500 + (prepay_money_t)(i % 50u) * 100, t), PREPAY_OK);
        batch[i] = (prepay_settlement_reading_t){100000u + i + 1u, 0, t, 1000};
    }
    prepay_settlement_result_t res;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, BIG_METERS, &res), BIG_METERS);
    for (uint32_t i = 0; i < BIG_METERS; i++) {
        batch[i] = (prepay_settlement_reading_t){100000u + i + 1u, 0, t + H + (prepay_time_t)(i % 60u),
                                                 1000 + 500 + (prepay_energy_t)(i % 41u) * 500};
    }
    for (uint32_t i = BIG_METERS - 1u; i > 0u; i--) { /* random arrival order */
        r = r * 6364136223846793005u + 1442695040888963407u;
        uint32_t j = (uint32_t)((r >> 33) % (i + 1u));
        prepay_settlement_reading_t x = batch[i];
        batch[i] = batch[j];
        batch[j] = x;
    }
    snapshot_t s;
    snapshot_take(&fx, &s);
    /* Undo room for about a third of the batch (a reading saves some 350 bytes of its meter and
     * account): settling fails midway */
    size_t undo_bytes = fx.work.sizes.undo_bytes;
    fx.work.sizes.undo_bytes = (size_t)BIG_METERS * 120u;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, BIG_METERS, &res),
                     PREPAY_E_BUFFER_TOO_SMALL);
    assert_true(res.error_index < BIG_METERS);
    assert_true(fx.site.meter_count >= 2048u + 150u);
    snapshot_check(&fx, &s);
    fx.work.sizes.undo_bytes = undo_bytes;
    /* Every reading settled, then the ledger refuses the second half of the transfers */
    uint32_t capacity = fx.ledger.memory.transfer_capacity;
    fx.ledger.memory.transfer_capacity = prepay_ledger_transfer_count(&fx.ledger) + BIG_METERS / 2u;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, BIG_METERS, &res),
                     PREPAY_E_SETTLEMENT_BOOKS);
    fx.ledger.memory.transfer_capacity = capacity;
    snapshot_check(&fx, &s);
    /* With room the same batch settles, and its events are delivered */
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, BIG_METERS, &res), BIG_METERS);
    assert_true(fx.log_count > s.log_count + BIG_METERS / 4u);
    assert_true(prepay_ledger_transfer_count(&fx.ledger) >= s.ledger.transfer_count + BIG_METERS);
    fx_verify(&fx);
    snapshot_free(&s);
    fx_free(&fx);
}

/* Opening the books keeps each account's wallet position in the ledger (a hint for posting);
 * a hint that names another account (a ledger that placed its accounts differently) still
 * posts every charge to the right wallet. */
static void test_wallet_position_hint(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    fx_start(&fx, 4, 8, 0, 0, 1);
    fx_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 11, 1);
    fx_account(&fx, 2, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 21, 2);
    fx_open(&fx, 16);
    prepay_settlement_account_t *a1 = &fx.site.memory.accounts[0]; /* records in the order added */
    prepay_settlement_account_t *a2 = &fx.site.memory.accounts[1];
    assert_ptr_equal(a1, prepay_settlement_account(&fx.site, 1));
    assert_ptr_equal(a2, prepay_settlement_account(&fx.site, 2));
    assert_int_not_equal(a1->wallet_at, 0);
    assert_int_equal(a1->wallet_at, prepay_ledger_account_position(&fx.ledger, wallet_of(1)));
    assert_int_equal(a2->wallet_at, prepay_ledger_account_position(&fx.ledger, wallet_of(2)));
    prepay_time_t t = t0();
    assert_int_equal(fx_recharge(&fx, 1, 1, 10000, t), PREPAY_OK);
    assert_int_equal(fx_recharge(&fx, 2, 1, 10000, t), PREPAY_OK);
    prepay_settlement_reading_t prime[2] = {{11, 0, t, 1000}, {21, 0, t, 1000}};
    prepay_settlement_result_t res;
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, prime, 2, &res), 2);
    /* Swapped hints: each names the other account's wallet */
    uint32_t w1 = a1->wallet_at;
    a1->wallet_at = a2->wallet_at;
    a2->wallet_at = w1;
    prepay_settlement_reading_t batch[2] = {{11, 0, t + H, 3000}, {21, 0, t + H, 9000}};
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, 2, &res), 2);
    assert_int_equal(fx_balance(&fx, 1), 10000 - 100); /* 2 kWh x 0.50 */
    assert_int_equal(fx_balance(&fx, 2), 10000 - 400); /* 8 kWh x 0.50 */
    prepay_ledger_balance_t b;
    assert_int_equal(prepay_ledger_balance(&fx.ledger, wallet_of(1), &b), PREPAY_OK);
    assert_int_equal(b.balance, 10000 - 100);
    assert_int_equal(prepay_ledger_balance(&fx.ledger, wallet_of(2), &b), PREPAY_OK);
    assert_int_equal(b.balance, 10000 - 400);
    /* Opening the books again finds the positions again */
    prepay_settlement_result_t r;
    assert_int_equal(prepay_settlement_open(&fx.site, &fx.books, &r), PREPAY_OK);
    assert_int_equal(a1->wallet_at, w1);
    fx_verify(&fx);
    fx_free(&fx);
}

/* An account with default tier parameters is priced without them (the same prices, read from
 * nothing); one with its own (a household's extra tier allowance) is priced with them. */
static void test_tier_parameters(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    /* 0.50 yuan/kWh, +0.10 above 100 kWh a month */
    prepay_tariff_t *e = &fx.tariff[0];
    e->tier_count = 2;
    e->ladders[0].upper[0] = 100000;
    e->ladders[0].upper[1] = PREPAY_TIER_UNBOUNDED;
    e->prices.tier_surcharge[1] = 10000000;
    assert_int_equal(prepay_tariff_validate(e), PREPAY_OK);
    assert_int_equal(prepay_tariff_plan_init(&fx.tariffs[0].plan, e), PREPAY_OK);
    fx_start(&fx, 4, 8, 0, 0, 1);
    fx_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 11, 1);
    prepay_settlement_account_config_t big;
    prepay_settlement_account_config_init(&big);
    big.id = 2;
    big.kind = PREPAY_SETTLEMENT_PREPAID_REMOTE;
    big.tariff_account.tier_add[0] = 100000; /* +100 kWh in the first tier */
    assert_int_equal(prepay_settlement_add_account(&fx.site, &big), PREPAY_OK);
    fx_meter(&fx, 21, 2);
    fx_open(&fx, 16);
    assert_int_equal(prepay_settlement_account(&fx.site, 1)->tariff_defaults, 1);
    assert_int_equal(prepay_settlement_account(&fx.site, 2)->tariff_defaults, 0);
    prepay_time_t t = t0();
    assert_int_equal(fx_recharge(&fx, 1, 1, 100000, t), PREPAY_OK);
    assert_int_equal(fx_recharge(&fx, 2, 1, 100000, t), PREPAY_OK);
    prepay_settlement_result_t res;
    prepay_settlement_reading_t prime[2] = {{11, 0, t, 0}, {21, 0, t, 0}};
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, prime, 2, &res), 2);
    /* 150 kWh each: 100 x 0.50 + 50 x 0.60 = 80.00; with 200 kWh in tier 1: 75.00 */
    prepay_settlement_reading_t batch[2] = {{11, 0, t + H, 150000}, {21, 0, t + H, 150000}};
    assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, 2, &res), 2);
    assert_int_equal(fx_balance(&fx, 1), 100000 - 8000);
    assert_int_equal(fx_balance(&fx, 2), 100000 - 7500);
    fx_verify(&fx);
    fx_free(&fx);
}

/* prepay_settlement_memory_alloc() puts the account and meter arrays on cache-line boundaries,
 * and both records are whole lines: each record starts a line, so the front part a reading
 * uses spans as few lines as it can (docs/settlement.md, "Cost"); a large site's buffer starts
 * a 2 MiB page (transparent huge pages). */
static void test_records_on_cache_lines(void **state)
{
    (void)state;
    assert_int_equal(sizeof(prepay_settlement_account_t) % 64u, 0);
    assert_int_equal(sizeof(prepay_settlement_meter_t) % 64u, 0);
    const uint32_t counts[3] = {1, 1000, 100000};
    for (int i = 0; i < 3; i++) {
        prepay_settlement_sizes_t sizes = {counts[i], counts[i], 2, 4, 1};
        prepay_settlement_memory_t m;
        assert_int_equal(prepay_settlement_memory_alloc(&m, &sizes), PREPAY_OK);
        assert_int_equal((uintptr_t)m.accounts % 64u, 0);
        assert_int_equal((uintptr_t)m.meters % 64u, 0);
        size_t bytes = 0;
        assert_int_equal(prepay_settlement_memory_size(&sizes, &bytes), PREPAY_OK);
        if (bytes >= ((size_t)2u << 20)) {
            /* a large site on transparent huge pages: its buffer starts a 2 MiB page */
            assert_int_equal((uintptr_t)m.accounts % ((uintptr_t)2u << 20), 0);
        }
        prepay_settlement_memory_free(&m);
    }
}

static void test_register_policies(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    fx_start(&fx, 4, 8, 0, 0, 1);
    fx_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 11, 1);
    prepay_settlement_meter_config_t m;
    prepay_settlement_meter_config_init(&m);
    m.id = 12;
    m.account_id = 1;
    m.max_power = 10000; /* 10 kW */
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_OK);
    fx.config.gap_seconds = 0;
    fx_open(&fx, 16);
    prepay_time_t t = t0();
    int8_t outcome = 0;
    assert_int_equal(fx_recharge(&fx, 1, 1, 1000000, t), PREPAY_OK);
    /* Rollover at 10^9 Wh: 999 999 000 -> 500 is 1 500 Wh = 0.75 yuan */
    assert_int_equal(fx_read(&fx, 11, t, 999999000, NULL), 1);
    assert_int_equal(fx_read(&fx, 11, t + H, 500, &outcome), 1);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_ROLLOVER);
    assert_int_equal(fx_balance(&fx, 1), 1000000 - 75);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_ROLLOVER, 0), 1);
    /* Backwards far from the modulus: a reset, not billed; the next reading prices from the new value */
    assert_int_equal(fx_read(&fx, 11, t + 2 * H, 600000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 1000000 - 75 - 29975);
    prepay_money_t before = fx_balance(&fx, 1);
    assert_int_equal(fx_read(&fx, 11, t + 3 * H, 100, &outcome), 0);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_RESET);
    assert_int_equal(fx_balance(&fx, 1), before);
    assert_int_equal(fx_read(&fx, 11, t + 4 * H, 2100, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), before - 100);
    /* A jump beyond 10 kW for one hour (20 kWh): not billed */
    assert_int_equal(fx_read(&fx, 12, t, 0, NULL), 1);
    assert_int_equal(fx_read(&fx, 12, t + H, 20000, &outcome), 0);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_JUMP);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_JUMP, 0), 1);
    assert_int_equal(fx_read(&fx, 12, t + 2 * H, 25000, &outcome), 1);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_SETTLED);
    assert_int_equal(fx_balance(&fx, 1), before - 100 - 250);
    fx_verify(&fx);
    fx_free(&fx);
}

static void test_replacement(void **state)
{
    (void)state;
    fx_t fx;
    one_remote(&fx);
    prepay_time_t t = t0();
    int8_t outcome = 0;
    assert_int_equal(fx_recharge(&fx, 1, 1, 100000, t), PREPAY_OK);
    assert_int_equal(fx_read(&fx, 11, t, 5000, NULL), 1);
    prepay_settlement_replacement_t repl = {11, t + H, 7000, 0, 0};
    prepay_settlement_result_t res;
    assert_int_equal(prepay_settlement_replace_meter(&fx.site, &fx.books, &fx.work, &repl, &res), PREPAY_OK);
    assert_int_equal(fx_balance(&fx, 1), 100000 - 100);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_REPLACED, 0), 1);
    assert_int_equal(fx.log[fx.log_count - 1].energy, 2000);
    /* Again: nothing; differently: a conflict */
    assert_int_equal(prepay_settlement_replace_meter(&fx.site, &fx.books, &fx.work, &repl, &res), PREPAY_LEDGER_EXISTS);
    repl.initial_reading = 10;
    assert_int_equal(prepay_settlement_replace_meter(&fx.site, &fx.books, &fx.work, &repl, &res),
                     PREPAY_E_SETTLEMENT_CONFLICT);
    /* The old meter's final value at that time is a duplicate, an old reading is late */
    assert_int_equal(fx_read(&fx, 11, t + H, 7000, &outcome), 0);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_DUPLICATE);
    assert_int_equal(fx_read(&fx, 11, t + H / 2, 6000, &outcome), 0);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_LATE);
    /* The new register from 0 */
    assert_int_equal(fx_read(&fx, 11, t + 2 * H, 1000, &outcome), 1);
    assert_int_equal(outcome, PREPAY_SETTLEMENT_SETTLED);
    assert_int_equal(fx_balance(&fx, 1), 100000 - 150);
    fx_verify(&fx);
    fx_free(&fx);
}

/* Many meters, readings given in a shuffled order in one batch: the same books as in order. */
static void test_batch_order_does_not_matter(void **state)
{
    (void)state;
    enum { METERS = 40, STEPS = 6 };
    prepay_settlement_reading_t readings[METERS * STEPS];
    size_t n = 0;
    prepay_time_t t = t0();
    uint64_t seed = 12345;
    for (int s = 0; s < STEPS; s++) {
        for (int m = 0; m < METERS; m++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            readings[n++] = (prepay_settlement_reading_t){(uint32_t)(100 + m), 0, t + s * H + m,
                                                         (prepay_energy_t)(s * 1000 * (m + 1) + (int)(seed >> 60))};
        }
    }
    prepay_money_t balances[2][METERS];
    uint32_t transfers[2];
    for (int pass = 0; pass < 2; pass++) {
        fx_t fx;
        fx_defaults(&fx);
        fx_start(&fx, METERS, METERS, 0, 0, 1);
        for (int m = 0; m < METERS; m++) {
            fx_account(&fx, (uint32_t)(1 + m), PREPAY_SETTLEMENT_PREPAID_REMOTE);
            fx_meter(&fx, (uint32_t)(100 + m), (uint32_t)(1 + m));
        }
        fx_open(&fx, METERS * STEPS);
        for (int m = 0; m < METERS; m++) {
            assert_int_equal(fx_recharge(&fx, (uint32_t)(1 + m), 1, 500 * m, t), m == 0 ? PREPAY_E_INVALID_ARGUMENT : PREPAY_OK);
        }
        prepay_settlement_reading_t batch[METERS * STEPS];
        memcpy(batch, readings, sizeof batch);
        if (pass == 1) {
            for (size_t i = n - 1; i > 0; i--) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                size_t j = (size_t)(seed >> 33) % (i + 1);
                prepay_settlement_reading_t tmp = batch[i];
                batch[i] = batch[j];
                batch[j] = tmp;
            }
            prepay_settlement_result_t res;
            assert_int_equal(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, batch, n, &res), (int)n);
        } else {
            for (size_t i = 0; i < n; i++) {
                assert_true(fx_read(&fx, batch[i].meter_id, batch[i].time, batch[i].value, NULL) >= 0);
            }
        }
        for (int m = 0; m < METERS; m++) {
            balances[pass][m] = fx_balance(&fx, (uint32_t)(1 + m));
            assert_int_equal(balances[pass][m],
                             fx_ledger_balance(&fx, wallet_of((uint32_t)(1 + m))));
        }
        transfers[pass] = prepay_ledger_transfer_count(&fx.ledger);
        fx_verify(&fx);
        fx_free(&fx);
    }
    assert_memory_equal(balances[0], balances[1], sizeof balances[0]);
    assert_int_equal(transfers[0], transfers[1]);
}

/* A fresh site re-running the same inputs against the same ledger finds every transfer
 * (EXISTS) and emits the same events with the same ids. */
static void test_rerun_finds_everything(void **state)
{
    (void)state;
    fx_t fx;
    one_remote(&fx);
    prepay_time_t t = t0();
    assert_int_equal(fx_recharge(&fx, 1, 1, 3000, t), PREPAY_OK);
    for (int i = 0; i <= 10; i++) {
        assert_true(fx_read(&fx, 11, t + i * H, i * 9000, NULL) >= 0);
    }
    assert_int_equal(fx_recharge(&fx, 1, 2, 5000, t + 11 * H), PREPAY_OK);
    size_t events = fx.log_count;
    prepay_settlement_event_t *first = malloc(events * sizeof *first);
    memcpy(first, fx.log, events * sizeof *first);
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    prepay_settlement_account_t account = *prepay_settlement_account(&fx.site, 1);
    /* A new site over the same ledger, the same inputs. */
    prepay_settlement_memory_free(&fx.memory);
    fx.log_count = 0;
    fx_start(&fx, 4, 8, 0, 0, 1);
    fx_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 11, 1);
    fx_open(&fx, 16);
    assert_int_equal(fx_recharge(&fx, 1, 1, 3000, t), PREPAY_OK);
    for (int i = 0; i <= 10; i++) {
        prepay_settlement_reading_t r = {11, 0, t + i * H, i * 9000};
        prepay_settlement_result_t res;
        assert_true(prepay_settlement_settle(&fx.site, &fx.books, &fx.work, &r, 1, &res) >= 0);
        assert_int_equal(res.transfers, 0);
    }
    assert_int_equal(fx_recharge(&fx, 1, 2, 5000, t + 11 * H), PREPAY_OK);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    assert_int_equal(fx.log_count, events);
    for (size_t i = 0; i < events; i++) {
        assert_memory_equal(&first[i], &fx.log[i], sizeof first[i]);
    }
    const prepay_settlement_account_t *again = prepay_settlement_account(&fx.site, 1);
    assert_memory_equal(&account.books, &again->books, sizeof account.books);
    fx_verify(&fx);
    free(first);
    fx_free(&fx);
}

static void test_local_and_postpaid(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    fx_start(&fx, 4, 8, 0, 0, 2);
    fx_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_LOCAL);
    fx_account(&fx, 2, PREPAY_SETTLEMENT_POSTPAID);
    fx_meter(&fx, 11, 1);
    fx_meter(&fx, 21, 2);
    fx_open(&fx, 16);
    prepay_time_t t = t0();
    /* Local: the mirror follows the meter below zero; no relay commands */
    assert_int_equal(fx_recharge(&fx, 1, 1, 1000, t), PREPAY_OK);
    assert_int_equal(fx_read(&fx, 11, t, 0, NULL), 1);
    assert_int_equal(fx_read(&fx, 11, t + H, 30000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 1000 - 1500);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_CUTOFF, 1), 1);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_COMMAND, 1), 0);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_DEBT_CREATED, 1), 0);
    /* Postpaid: charges become debt; a payment repays it */
    assert_int_equal(fx_read(&fx, 21, t, 0, NULL), 1);
    assert_int_equal(fx_read(&fx, 21, t + H, 4000, NULL), 1);
    const prepay_settlement_account_t *p = prepay_settlement_account(&fx.site, 2);
    assert_int_equal(p->books.debt, 200);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL, 2), 0);
    assert_int_equal(fx_recharge(&fx, 2, 1, 500, t + 2 * H), PREPAY_OK);
    assert_int_equal(p->books.debt, 0);
    assert_int_equal(p->books.balance, 300);
    fx_verify(&fx);
    fx_free(&fx);
}

static void test_replies(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    fx_start(&fx, 4, 8, 0, 0, 1);
    fx_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    prepay_settlement_meter_config_t m;
    prepay_settlement_meter_config_init(&m);
    m.id = 11;
    m.account_id = 1;
    assert_int_equal(prepay_dlt645_address_from_string("000000001234", 12, &m.address), PREPAY_OK);
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_OK);
    fx_open(&fx, 16);
    /* A read reply of 00010000 = 1234.56 kWh from 000000001234 (clause 7.1: DI0 first, BCD low byte first). */
    uint8_t data[8] = {0x00, 0x00, 0x01, 0x00, 0x56, 0x34, 0x12, 0x00};
    uint8_t bytes[64];
    prepay_dlt645_frame_t frame;
    assert_int_equal(prepay_dlt645_frame_init(&frame, PREPAY_DLT645_EDITION_2007, &m.address, 0x91, data, 8), PREPAY_OK);
    int len = prepay_dlt645_encode(&frame, bytes, sizeof bytes);
    assert_true(len > 0);
    prepay_dlt645_reader_t reader;
    assert_int_equal(prepay_dlt645_reader_init(&reader), PREPAY_OK);
    prepay_settlement_reading_t r;
    int detail = 0;
    assert_int_equal(prepay_settlement_decode_reply(&fx.site, &reader, bytes, (size_t)len, t0(), &r, &detail), len);
    assert_int_equal(r.meter_id, 11);
    assert_int_equal(r.value, 1234560);
    assert_int_equal(r.di, PREPAY_DI_FORWARD_ACTIVE_TOTAL);
    /* A corrupted checksum: the frame does not decode */
    bytes[len - 2] ^= 0x01;
    assert_int_equal(prepay_settlement_decode_reply(&fx.site, &reader, bytes, (size_t)len, t0(), &r, &detail),
                     PREPAY_E_SETTLEMENT_REPLY);
    assert_int_equal(detail, PREPAY_E_DLT645_BAD_CHECKSUM);
    /* Another address: unknown meter */
    prepay_dlt645_address_t other;
    assert_int_equal(prepay_dlt645_address_from_string("000000009999", 12, &other), PREPAY_OK);
    assert_int_equal(prepay_dlt645_frame_init(&frame, PREPAY_DLT645_EDITION_2007, &other, 0x91, data, 8), PREPAY_OK);
    len = prepay_dlt645_encode(&frame, bytes, sizeof bytes);
    assert_int_equal(prepay_settlement_decode_reply(&fx.site, &reader, bytes, (size_t)len, t0(), &r, &detail),
                     PREPAY_E_SETTLEMENT_UNKNOWN_METER);
    /* Another DI from the right meter: the wrong register */
    data[2] = 0x02; /* 00020000 reverse active */
    assert_int_equal(prepay_dlt645_frame_init(&frame, PREPAY_DLT645_EDITION_2007, &m.address, 0x91, data, 8), PREPAY_OK);
    len = prepay_dlt645_encode(&frame, bytes, sizeof bytes);
    assert_int_equal(prepay_settlement_decode_reply(&fx.site, &reader, bytes, (size_t)len, t0(), &r, &detail),
                     PREPAY_E_SETTLEMENT_WRONG_DI);
    /* An abnormal reply (D1, error byte 02): no value */
    uint8_t err = 0x02;
    assert_int_equal(prepay_dlt645_frame_init(&frame, PREPAY_DLT645_EDITION_2007, &m.address, 0xD1, &err, 1), PREPAY_OK);
    len = prepay_dlt645_encode(&frame, bytes, sizeof bytes);
    assert_int_equal(prepay_settlement_decode_reply(&fx.site, &reader, bytes, (size_t)len, t0(), &r, &detail),
                     PREPAY_E_SETTLEMENT_REPLY);
    assert_int_equal(detail, PREPAY_E_DLT645_ABNORMAL);
    fx_free(&fx);
}

/* The wallet fast path (settlement_money.c): whenever it skips a decision, prepay_wallet_decide() would
 * have changed nothing and raised nothing. */
bool prepay__settle_wallet_quiet(const prepay_wallet_policy_t *policy, const prepay_wallet_state_t *state,
                                 uint32_t flags, prepay_money_t balance, prepay_money_t emergency);

static void test_wallet_fast_path(void **state)
{
    (void)state;
    uint64_t seed = 99;
    size_t quiet = 0;
    for (int i = 0; i < 200000; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t r = seed >> 11;
        prepay_wallet_policy_t p;
        prepay_wallet_policy_default(&p);
        p.level_count = (uint8_t)(r % 4u);
        p.cutoff = (uint8_t)((r >> 2) % 2u);
        p.overdraft_limit = (prepay_money_t)((r >> 3) % 3u) * 700;
        p.emergency_amount = (r >> 5) % 2u ? 500 : 0;
        p.emergency_threshold = (prepay_money_t)((r >> 6) % 5u) * 400 - 400;
        p.flags = (uint8_t)((r >> 9) % 2u);
        p.pretrip_level = (uint8_t)((r >> 10) % 3u);
        if (p.pretrip_level > p.level_count) {
            p.pretrip_level = 0;
        }
        assert_int_equal(prepay_wallet_policy_check(&p), PREPAY_OK);
        prepay_wallet_state_t st = {(uint8_t)((r >> 12) % (p.level_count + 1u)), (uint8_t)((r >> 14) & 0x3Fu)};
        if ((r >> 20) % 2u) {
            st.flags = PREPAY_WALLET_STATE_RELAY_CLOSED;
            st.level = 0;
        }
        uint32_t flags = (r >> 21) % 4u == 0u ? (uint32_t)((r >> 23) & PREPAY_WALLET_IN_MASK) : 0u;
        prepay_money_t balance = (prepay_money_t)((r >> 28) % 6000u) - 1500;
        prepay_money_t emergency = (r >> 41) % 5u == 0u ? 100 : 0;
        if (!prepay__settle_wallet_quiet(&p, &st, flags, balance, emergency)) {
            continue;
        }
        quiet++;
        prepay_wallet_input_t in = {balance, emergency, (prepay_time_t)(r % 1000000u), flags};
        prepay_wallet_decision_t d;
        assert_int_equal(prepay_wallet_decide(&p, &in, &st, &d), PREPAY_OK);
        assert_int_equal(d.events, 0);
        assert_int_equal(d.emergency_grant, 0);
        assert_int_equal(d.relay, PREPAY_WALLET_RELAY_CLOSED);
        assert_int_equal(d.next.level, st.level);
        assert_int_equal(d.next.flags, st.flags);
    }
    assert_true(quiet > 10000);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remote_flow_by_hand),
        cmocka_unit_test(test_duplicates_late_conflicts),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_error_precedence),
        cmocka_unit_test(test_refused_batch_restores_accounts),
        cmocka_unit_test(test_failed_large_batch_restores_everything),
        cmocka_unit_test(test_wallet_position_hint),
        cmocka_unit_test(test_tier_parameters),
        cmocka_unit_test(test_records_on_cache_lines),
        cmocka_unit_test(test_register_policies),
        cmocka_unit_test(test_replacement),
        cmocka_unit_test(test_batch_order_does_not_matter),
        cmocka_unit_test(test_rerun_finds_everything),
        cmocka_unit_test(test_local_and_postpaid),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_wallet_fast_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
