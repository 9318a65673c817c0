/* SPDX-License-Identifier: MIT */
/*
 * Sales to a meter purse worked by hand on a prepaid local account (the
 * default policy: alarm 1 at 20.00, pre-trip at 10.00, cut-off at 0): a sale
 * is one wallet -> the commodity's site revenue transfer, never more than
 * the wallet holds, idempotent by its sequence, followed by the wallet
 * decision. Remote and postpaid accounts cannot sell; bad input changes
 * nothing; a journal reopened into a new ledger and a new site re-running the
 * inputs give the same balances and counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/settlement_hosted.h"
#include "settle_fixture.h"

#define H 3600
#define STORAGE (1u << 20)
#define STAGING (64u << 10)
#define LEDGER_ACCOUNTS 64u

static prepay_time_t t0(void)
{
    return fx_time(2024, 1, 10, 0, 0);
}

static uint64_t revenue(unsigned role)
{
    return prepay_settlement_ledger_account_id(0, role);
}

/* Account 1 prepaid local (its meter 11 keeps its own purse), 2 remote, 3 postpaid. */
static void three_kinds(fx_t *fx)
{
    fx_defaults(fx);
    fx_start(fx, 4, 8, 0, 0, 1);
    fx_account(fx, 1, PREPAY_SETTLEMENT_PREPAID_LOCAL);
    fx_account(fx, 2, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_account(fx, 3, PREPAY_SETTLEMENT_POSTPAID);
    fx_meter(fx, 11, 1);
}

static int sell(fx_t *fx, uint32_t account, uint32_t sequence, uint8_t commodity, prepay_money_t amount,
                prepay_time_t t, prepay_settlement_result_t *res)
{
    prepay_settlement_sale_t s = {account, sequence, commodity, amount, 700u + sequence, t};
    return prepay_settlement_sell(&fx->site, &fx->books, &fx->work, &s, res);
}

static const prepay_settlement_event_t *last_of(const fx_t *fx, unsigned type)
{
    const prepay_settlement_event_t *e = NULL;
    for (size_t i = 0; i < fx->log_count; i++) {
        if (fx->log[i].type == type) {
            e = &fx->log[i];
        }
    }
    return e;
}

static void test_sale_by_hand(void **state)
{
    (void)state;
    fx_t fx;
    three_kinds(&fx);
    fx_open(&fx, 16);
    prepay_time_t t = t0();
    prepay_settlement_result_t res;
    const prepay_settlement_account_t *a = prepay_settlement_account(&fx.site, 1);
    assert_int_equal(fx_recharge(&fx, 1, 1, 5000, t), PREPAY_OK);
    /* 25.00 of water to the water meter's purse: 25.00 left, above alarm 1 (20.00) */
    assert_int_equal(sell(&fx, 1, 1, PREPAY_SETTLEMENT_WATER, 2500, t + H, &res), PREPAY_OK);
    assert_int_equal(res.transfers, 1);
    assert_int_equal(res.posted, 2500);
    assert_int_equal(fx_balance(&fx, 1), 2500);
    assert_int_equal(a->books.sold, 2500);
    assert_int_equal(a->sales, 1);
    assert_int_equal(a->books.debt, 0);
    assert_int_equal(fx_ledger_balance(&fx, revenue(PREPAY_SETTLEMENT_SITE_WATER)), 2500);
    assert_int_equal(fx_ledger_balance(&fx, revenue(PREPAY_SETTLEMENT_SITE_ELECTRICITY)), 0);
    const prepay_settlement_event_t *e = last_of(&fx, PREPAY_SETTLEMENT_EVENT_SALE);
    assert_non_null(e);
    if (e == NULL) {
        return; /* not reached (-Wnull-dereference) */
    }
    assert_int_equal(e->amount, 2500);
    assert_int_equal(e->balance, 2500);
    assert_int_equal(e->detail, 1);
    assert_int_equal(e->account_id, 1);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL, 1), 0);
    assert_string_equal(prepay_settlement_event_name(PREPAY_SETTLEMENT_EVENT_SALE), "sale");
    /* The transfer: kind SALE, subject the account, period the sequence; code SALE, the purchase's id */
    uint64_t key = 0;
    prepay_settlement_id_t id;
    assert_int_equal(prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_SALE, 1, 1, 0, &id), PREPAY_OK);
    assert_int_equal(prepay_settlement_ledger_key(&id, &key), PREPAY_OK);
    const prepay_ledger_entry_t *entry = prepay_ledger_lookup(&fx.ledger, key);
    assert_non_null(entry);
    if (entry == NULL) {
        return;
    }
    assert_int_equal(entry->transfer.code, PREPAY_LEDGER_CODE_SALE);
    assert_int_equal(entry->transfer.order_id, 701);
    assert_int_equal(entry->transfer.amount, 2500);
    assert_int_equal(entry->transfer.debit_account_id,
                     prepay_settlement_ledger_account_id(1, PREPAY_SETTLEMENT_ROLE_WALLET));
    assert_int_equal(e->transfer_id, key);
    prepay_settlement_id_t back;
    assert_int_equal(prepay_settlement_ledger_key_split(key, &back), PREPAY_OK);
    assert_true(back.hi == id.hi && back.lo == id.lo);
    fx_verify(&fx);
    /* The same sale again: a harmless repeat, nothing changed; another amount: a conflict; a gap: a sequence error */
    size_t events = fx.log_count;
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    assert_int_equal(sell(&fx, 1, 1, PREPAY_SETTLEMENT_WATER, 2500, t + H, &res), PREPAY_LEDGER_EXISTS);
    assert_int_equal(res.ignored, 1);
    assert_int_equal(sell(&fx, 1, 1, PREPAY_SETTLEMENT_WATER, 2501, t + H, &res), PREPAY_E_SETTLEMENT_CONFLICT);
    assert_int_equal(sell(&fx, 1, 3, PREPAY_SETTLEMENT_WATER, 100, t + H, &res), PREPAY_E_SETTLEMENT_SEQUENCE);
    assert_int_equal(fx.log_count, events);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    assert_int_equal(fx_balance(&fx, 1), 2500);
    assert_int_equal(a->sales, 1);
    /* 10.00 of electricity to another purse: 15.00 -> alarm 1 (20.00 reached), LOW_BALANCE */
    assert_int_equal(sell(&fx, 1, 2, PREPAY_SETTLEMENT_ELECTRICITY, 1000, t + 2 * H, &res), PREPAY_OK);
    assert_int_equal(fx_balance(&fx, 1), 1500);
    assert_int_equal(fx_ledger_balance(&fx, revenue(PREPAY_SETTLEMENT_SITE_ELECTRICITY)), 1000);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL, 1), 1);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_LOW_BALANCE, 1), 1);
    /* More than the wallet holds: refused (a sale creates no debt), nothing changed */
    events = fx.log_count;
    transfers = prepay_ledger_transfer_count(&fx.ledger);
    assert_int_equal(sell(&fx, 1, 3, PREPAY_SETTLEMENT_WATER, 1501, t + 3 * H, &res), PREPAY_E_SETTLEMENT_BOOKS);
    assert_int_equal(res.error_detail, PREPAY_E_LEDGER_EXCEEDS_CREDITS);
    assert_int_equal(res.error_id, 1);
    assert_int_equal(fx_balance(&fx, 1), 1500);
    assert_int_equal(a->books.debt, 0);
    assert_int_equal(a->books.sold, 3500);
    assert_int_equal(a->sales, 2);
    assert_int_equal(fx.log_count, events);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    /* The whole rest: balance 0 */
    assert_int_equal(sell(&fx, 1, 3, PREPAY_SETTLEMENT_WATER, 1500, t + 3 * H, &res), PREPAY_OK);
    assert_int_equal(fx_balance(&fx, 1), 0);
    assert_int_equal(sell(&fx, 1, 4, PREPAY_SETTLEMENT_WATER, 1, t + 4 * H, &res), PREPAY_E_SETTLEMENT_BOOKS);
    assert_int_equal(res.error_detail, PREPAY_E_LEDGER_EXCEEDS_CREDITS);
    /* Books: wallet 0, water revenue 40.00, electricity 10.00; wallet = recharges - sales */
    assert_int_equal(a->books.sold, 5000);
    assert_int_equal(fx_ledger_balance(&fx, revenue(PREPAY_SETTLEMENT_SITE_WATER)), 4000);
    fx_verify(&fx);
    fx_free(&fx);
}

static void test_only_local_accounts_sell(void **state)
{
    (void)state;
    fx_t fx;
    three_kinds(&fx);
    fx_open(&fx, 16);
    prepay_time_t t = t0();
    prepay_settlement_result_t res;
    assert_int_equal(fx_recharge(&fx, 2, 1, 5000, t), PREPAY_OK);
    assert_int_equal(fx_recharge(&fx, 3, 1, 5000, t), PREPAY_OK);
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    size_t events = fx.log_count;
    assert_int_equal(sell(&fx, 2, 1, PREPAY_SETTLEMENT_WATER, 100, t, &res), PREPAY_E_SETTLEMENT_BAD_CONFIG);
    assert_int_equal(res.error_id, 2);
    assert_int_equal(sell(&fx, 3, 1, PREPAY_SETTLEMENT_WATER, 100, t, &res), PREPAY_E_SETTLEMENT_BAD_CONFIG);
    assert_int_equal(res.error_id, 3);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    assert_int_equal(fx.log_count, events);
    assert_int_equal(fx_balance(&fx, 2), 5000);
    assert_int_equal(prepay_settlement_account(&fx.site, 2)->sales, 0);
    fx_verify(&fx);
    fx_free(&fx);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    fx_t fx;
    three_kinds(&fx);
    fx_open(&fx, 16);
    prepay_time_t t = t0();
    prepay_settlement_result_t res;
    assert_int_equal(fx_recharge(&fx, 1, 1, 5000, t), PREPAY_OK);
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    size_t events = fx.log_count;
    assert_int_equal(sell(&fx, 9, 1, PREPAY_SETTLEMENT_WATER, 100, t, &res), PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT);
    assert_int_equal(res.error_id, 9);
    assert_int_equal(sell(&fx, 1, 1, 2, 100, t, &res), PREPAY_E_SETTLEMENT_BAD_CONFIG);
    assert_int_equal(sell(&fx, 1, 0, PREPAY_SETTLEMENT_WATER, 100, t, &res), PREPAY_E_SETTLEMENT_ID_RANGE);
    assert_int_equal(sell(&fx, 1, 1, PREPAY_SETTLEMENT_WATER, 100, -1, &res), PREPAY_E_SETTLEMENT_ID_RANGE);
    assert_int_equal(sell(&fx, 1, 1, PREPAY_SETTLEMENT_WATER, 0, t, &res), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(sell(&fx, 1, 1, PREPAY_SETTLEMENT_WATER, -5, t, &res), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(sell(&fx, 1, 2, PREPAY_SETTLEMENT_WATER, 100, t, &res), PREPAY_E_SETTLEMENT_SEQUENCE);
    assert_int_equal(prepay_settlement_sell(&fx.site, &fx.books, &fx.work, NULL, &res), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    assert_int_equal(fx.log_count, events);
    assert_int_equal(fx_balance(&fx, 1), 5000);
    fx_verify(&fx);
    fx_free(&fx);
}

/* A site whose books are journaled on `storage` (empty: a new journal; else: recovered from it). */
typedef struct journaled {
    fx_t fx;
    prepay_journal_memory_t storage;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    uint8_t *staging;
    prepay_ledger_account_t scratch[LEDGER_ACCOUNTS];
} journaled_t;

static void journaled_open(journaled_t *j, uint8_t *bytes, size_t length)
{
    three_kinds(&j->fx);
    fx_ledger_init(&j->fx.ledger, &j->fx.ledger_memory, LEDGER_ACCOUNTS, 1u << 12);
    assert_int_equal(prepay_journal_memory_io(&j->storage, bytes, STORAGE, &j->io), PREPAY_OK);
    j->storage.length = length;
    j->storage.synced = length;
    j->staging = malloc(STAGING);
    assert_non_null(j->staging);
    prepay_journal_recovery_t info;
    assert_int_equal(prepay_journal_open(&j->journal, &j->io, j->staging, STAGING, NULL, &j->fx.ledger, j->scratch,
                                         LEDGER_ACCOUNTS, &info),
                     PREPAY_OK);
    j->fx.books.journal = &j->journal;
    fx_open(&j->fx, 16);
}

/* The inputs: a recharge and three sales (water, electricity, water); `fresh`: applied now, else found in the
 * ledger (a re-run after a restart: each sale is new to the site, its transfer already in the ledger). */
static void journaled_run(journaled_t *j, bool fresh)
{
    prepay_time_t t = t0();
    prepay_settlement_result_t res;
    assert_int_equal(fx_recharge(&j->fx, 1, 1, 8000, t), PREPAY_OK);
    const prepay_money_t amounts[3] = {1234, 2000, 766};
    const uint8_t kinds[3] = {PREPAY_SETTLEMENT_WATER, PREPAY_SETTLEMENT_ELECTRICITY, PREPAY_SETTLEMENT_WATER};
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(sell(&j->fx, 1, i + 1u, kinds[i], amounts[i], t + (prepay_time_t)(i + 1u) * H, &res),
                         PREPAY_OK);
        assert_int_equal(res.transfers, fresh ? 1 : 0);
        assert_int_equal(res.existed, fresh ? 0 : 1);
    }
}

static void journaled_close(journaled_t *j)
{
    free(j->staging);
    fx_free(&j->fx);
}

static void test_journal_reopen_rebuilds_the_sales(void **state)
{
    (void)state;
    uint8_t *bytes = calloc(1, STORAGE);
    assert_non_null(bytes);
    journaled_t *first = calloc(1, sizeof *first);
    journaled_t *again = calloc(1, sizeof *again);
    assert_non_null(first);
    assert_non_null(again);
    journaled_open(first, bytes, 0);
    journaled_run(first, true);
    assert_int_equal(first->storage.synced, first->storage.length);
    const prepay_settlement_account_t *a = prepay_settlement_account(&first->fx.site, 1);
    assert_int_equal(a->books.balance, 4000);
    assert_int_equal(a->books.sold, 4000);
    assert_int_equal(a->sales, 3);
    fx_verify(&first->fx);
    uint32_t transfers = prepay_ledger_transfer_count(&first->fx.ledger);
    size_t length = first->storage.length;
    prepay_money_t water = fx_ledger_balance(&first->fx, revenue(PREPAY_SETTLEMENT_SITE_WATER));
    assert_int_equal(water, 2000);

    /* The journal recovered into a new ledger, a new site from the same description, the same inputs again. */
    uint8_t *copy = malloc(STORAGE);
    assert_non_null(copy);
    memcpy(copy, bytes, length);
    journaled_open(again, copy, length);
    assert_int_equal(prepay_ledger_transfer_count(&again->fx.ledger), transfers);
    journaled_run(again, false);
    const prepay_settlement_account_t *b = prepay_settlement_account(&again->fx.site, 1);
    assert_int_equal(prepay_ledger_transfer_count(&again->fx.ledger), transfers);
    assert_int_equal(b->books.balance, a->books.balance);
    assert_int_equal(b->books.sold, a->books.sold);
    assert_int_equal(b->sales, a->sales);
    assert_int_equal(fx_ledger_balance(&again->fx, revenue(PREPAY_SETTLEMENT_SITE_WATER)), water);
    fx_verify(&again->fx);
    journaled_close(again);
    journaled_close(first);
    free(first);
    free(again);
    free(copy);
    free(bytes);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sale_by_hand),
        cmocka_unit_test(test_only_local_accounts_sell),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_journal_reopen_rebuilds_the_sales),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
