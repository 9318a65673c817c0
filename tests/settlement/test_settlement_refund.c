/* SPDX-License-Identifier: MIT */
/*
 * Refunds worked by hand on a prepaid remote account (0.50 yuan/kWh flat,
 * the default policy: alarm 1 at 20.00, pre-trip at 10.00, cut-off at 0):
 * a refund is one wallet -> site REFUNDS transfer, bounded by the refundable
 * balance (emergency credit lent is not refundable), idempotent by its
 * sequence, and followed by the wallet decision (alarm, pre-trip, cut-off).
 * Bad input changes nothing; a journal keeps the refund; a re-run finds it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/settlement_hosted.h"
#include "settle_fixture.h"

#define H 3600

static prepay_time_t t0(void)
{
    return fx_time(2024, 1, 10, 0, 0);
}

static uint64_t site_refunds(void)
{
    return prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_REFUNDS);
}

static void one_remote(fx_t *fx)
{
    fx_defaults(fx);
    fx_start(fx, 4, 8, 0, 0, 1);
    fx_account(fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_account(fx, 2, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(fx, 11, 1);
    fx_open(fx, 16);
}

static int refund(fx_t *fx, uint32_t account, uint32_t sequence, prepay_money_t amount, prepay_time_t t,
                  prepay_settlement_result_t *res)
{
    prepay_settlement_refund_t r = {account, sequence, amount, 900u + sequence, t};
    return prepay_settlement_refund(&fx->site, &fx->books, &fx->work, &r, res);
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

static void test_refund_by_hand(void **state)
{
    (void)state;
    fx_t fx;
    one_remote(&fx);
    prepay_time_t t = t0();
    prepay_settlement_result_t res;
    const prepay_settlement_account_t *a = prepay_settlement_account(&fx.site, 1);
    assert_int_equal(fx_recharge(&fx, 1, 1, 5000, t), PREPAY_OK);
    assert_int_equal(fx_read(&fx, 11, t, 0, NULL), 1);
    /* 10 kWh x 0.50 = 5.00: balance 45.00 */
    assert_int_equal(fx_read(&fx, 11, t + H, 10000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 4500);
    /* Refund 20.00 of it: 25.00 left, above alarm 1 (20.00): no decision event */
    assert_int_equal(refund(&fx, 1, 1, 2000, t + 2 * H, &res), PREPAY_OK);
    assert_int_equal(res.transfers, 1);
    assert_int_equal(res.posted, 2000);
    assert_int_equal(fx_balance(&fx, 1), 2500);
    assert_int_equal(a->books.refunded, 2000);
    assert_int_equal(a->refunds, 1);
    assert_int_equal(fx_ledger_balance(&fx, site_refunds()), 2000);
    const prepay_settlement_event_t *e = last_of(&fx, PREPAY_SETTLEMENT_EVENT_REFUND);
    assert_non_null(e);
    if (e == NULL) {
        return; /* not reached (-Wnull-dereference) */
    }
    assert_int_equal(e->amount, 2000);
    assert_int_equal(e->balance, 2500);
    assert_int_equal(e->detail, 901);
    assert_int_equal(e->account_id, 1);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL, 1), 0);
    assert_string_equal(prepay_settlement_event_name(PREPAY_SETTLEMENT_EVENT_REFUND), "refund");
    /* The ledger transfer: kind REFUND, subject the account, period the sequence; code REFUND, the order id */
    uint64_t key = 0;
    prepay_settlement_id_t id;
    assert_int_equal(prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_REFUND, 1, 1, 0, &id), PREPAY_OK);
    assert_int_equal(prepay_settlement_ledger_key(&id, &key), PREPAY_OK);
    const prepay_ledger_entry_t *entry = prepay_ledger_lookup(&fx.ledger, key);
    assert_non_null(entry);
    if (entry == NULL) {
        return;
    }
    assert_int_equal(entry->transfer.code, PREPAY_LEDGER_CODE_REFUND);
    assert_int_equal(entry->transfer.order_id, 901);
    assert_int_equal(entry->transfer.amount, 2000);
    assert_int_equal(e->transfer_id, key);
    /* The same refund again: a harmless repeat; another amount: a conflict; a gap: a sequence error */
    size_t events = fx.log_count;
    assert_int_equal(refund(&fx, 1, 1, 2000, t + 2 * H, &res), PREPAY_LEDGER_EXISTS);
    assert_int_equal(fx.log_count, events);
    assert_int_equal(refund(&fx, 1, 1, 2001, t + 2 * H, &res), PREPAY_E_SETTLEMENT_CONFLICT);
    assert_int_equal(refund(&fx, 1, 3, 100, t + 2 * H, &res), PREPAY_E_SETTLEMENT_SEQUENCE);
    assert_int_equal(fx_balance(&fx, 1), 2500);
    /* Refund 10.00 more: 15.00 -> alarm 1 (20.00 reached), LOW_BALANCE */
    assert_int_equal(refund(&fx, 1, 2, 1000, t + 3 * H, &res), PREPAY_OK);
    assert_int_equal(fx_balance(&fx, 1), 1500);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL, 1), 1);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_LOW_BALANCE, 1), 1);
    /* More than the balance: refused by the bound, nothing changed */
    events = fx.log_count;
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    assert_int_equal(refund(&fx, 1, 3, 1501, t + 4 * H, &res), PREPAY_E_SETTLEMENT_BOOKS);
    assert_int_equal(res.error_detail, PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE);
    assert_int_equal(res.error_id, 1);
    assert_int_equal(fx_balance(&fx, 1), 1500);
    assert_int_equal(a->refunds, 2);
    assert_int_equal(fx.log_count, events);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    /* The whole rest, 15.00: balance 0.00 -> pre-trip and cut-off: the relay is tripped */
    assert_int_equal(refund(&fx, 1, 3, 1500, t + 4 * H, &res), PREPAY_OK);
    assert_int_equal(fx_balance(&fx, 1), 0);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_CUTOFF, 1), 1);
    const prepay_settlement_event_t *cmd = last_of(&fx, PREPAY_SETTLEMENT_EVENT_COMMAND);
    assert_non_null(cmd);
    if (cmd == NULL) {
        return;
    }
    assert_int_equal(cmd->command, PREPAY_DLT645_RELAY_TRIP);
    /* Nothing is left to refund */
    assert_int_equal(refund(&fx, 1, 4, 1, t + 5 * H, &res), PREPAY_E_SETTLEMENT_BOOKS);
    assert_int_equal(res.error_detail, PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE);
    /* Books: wallet 0, refunds payable 45.00, revenue 5.00, clearing -50.00 */
    assert_int_equal(a->books.refunded, 4500);
    assert_int_equal(fx_ledger_balance(&fx, site_refunds()), 4500);
    assert_int_equal(fx_ledger_balance(&fx, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_ELECTRICITY)),
                     500);
    fx_verify(&fx);
    fx_free(&fx);
}

static void test_emergency_credit_is_not_refundable(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    /* emergency credit of 10.00 lent by itself when the balance is at or below 5.00 */
    fx.policies[0].emergency_amount = 1000;
    fx.policies[0].emergency_threshold = 500;
    fx.policies[0].flags |= PREPAY_WALLET_POLICY_EMERGENCY_AUTO;
    fx_start(&fx, 4, 8, 0, 0, 1);
    fx_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(&fx, 11, 1);
    fx_open(&fx, 16);
    prepay_time_t t = t0();
    prepay_settlement_result_t res;
    const prepay_settlement_account_t *a = prepay_settlement_account(&fx.site, 1);
    assert_int_equal(fx_recharge(&fx, 1, 1, 1000, t), PREPAY_OK);
    assert_int_equal(fx_read(&fx, 11, t, 0, NULL), 1);
    /* 12 kWh x 0.50 = 6.00: 4.00 left, at the threshold: 10.00 lent, balance 14.00, owed 10.00 */
    assert_int_equal(fx_read(&fx, 11, t + H, 12000, NULL), 1);
    assert_int_equal(a->books.emergency, 1000);
    assert_int_equal(fx_balance(&fx, 1), 1400);
    /* refundable: 14.00 - 10.00 owed = 4.00 */
    assert_int_equal(refund(&fx, 1, 1, 401, t + 2 * H, &res), PREPAY_E_SETTLEMENT_BOOKS);
    assert_int_equal(res.error_detail, PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE);
    assert_int_equal(fx_balance(&fx, 1), 1400);
    assert_int_equal(refund(&fx, 1, 1, 400, t + 2 * H, &res), PREPAY_OK);
    assert_int_equal(fx_balance(&fx, 1), 1000);
    assert_int_equal(refund(&fx, 1, 2, 1, t + 2 * H, &res), PREPAY_E_SETTLEMENT_BOOKS);
    fx_verify(&fx);
    fx_free(&fx);
}

static void test_bad_input_changes_nothing(void **state)
{
    (void)state;
    fx_t fx;
    one_remote(&fx);
    prepay_time_t t = t0();
    prepay_settlement_result_t res;
    assert_int_equal(fx_recharge(&fx, 1, 1, 5000, t), PREPAY_OK);
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    size_t events = fx.log_count;
    assert_int_equal(refund(&fx, 9, 1, 100, t, &res), PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT);
    assert_int_equal(res.error_id, 9);
    assert_int_equal(refund(&fx, 1, 0, 100, t, &res), PREPAY_E_SETTLEMENT_ID_RANGE);
    assert_int_equal(refund(&fx, 1, 1, 100, -1, &res), PREPAY_E_SETTLEMENT_ID_RANGE);
    assert_int_equal(refund(&fx, 1, 1, 0, t, &res), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(refund(&fx, 1, 1, -5, t, &res), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(refund(&fx, 1, 2, 100, t, &res), PREPAY_E_SETTLEMENT_SEQUENCE);
    assert_int_equal(prepay_settlement_refund(&fx.site, &fx.books, &fx.work, NULL, &res), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    assert_int_equal(fx.log_count, events);
    assert_int_equal(fx_balance(&fx, 1), 5000);
    fx_verify(&fx);
    fx_free(&fx);
}

/* A re-run of the same inputs on a new site over the same ledger (as after a restart) finds the refund. */
static void test_rerun_finds_the_refund(void **state)
{
    (void)state;
    fx_t fx;
    one_remote(&fx);
    prepay_time_t t = t0();
    prepay_settlement_result_t res;
    assert_int_equal(fx_recharge(&fx, 1, 1, 5000, t), PREPAY_OK);
    assert_int_equal(refund(&fx, 1, 1, 1234, t + H, &res), PREPAY_OK);
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    /* a new site from the same description over the books */
    prepay_settlement_site_t again;
    prepay_settlement_memory_t memory;
    prepay_settlement_sizes_t sizes = {4, 8, 0, 0, 1};
    assert_int_equal(prepay_settlement_memory_alloc(&memory, &sizes), PREPAY_OK);
    assert_int_equal(prepay_settlement_init(&again, &memory, &fx.config, &res), PREPAY_OK);
    for (uint32_t id = 1; id <= 2; id++) {
        prepay_settlement_account_config_t ac;
        prepay_settlement_account_config_init(&ac);
        ac.id = id;
        ac.kind = PREPAY_SETTLEMENT_PREPAID_REMOTE;
        assert_int_equal(prepay_settlement_add_account(&again, &ac), PREPAY_OK);
    }
    assert_int_equal(prepay_settlement_open(&again, &fx.books, &res), PREPAY_OK);
    prepay_settlement_recharge_t rc = {1, 1, 5000, (uint64_t)1 << 32 | 1u, 0, t};
    assert_int_equal(prepay_settlement_recharge(&again, &fx.books, &fx.work, &rc, NULL, &res), PREPAY_OK);
    prepay_settlement_refund_t rf = {1, 1, 1234, 901, t + H};
    assert_int_equal(prepay_settlement_refund(&again, &fx.books, &fx.work, &rf, &res), PREPAY_OK);
    assert_int_equal(res.transfers, 0);
    assert_int_equal(res.existed, 1);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    assert_int_equal(prepay_settlement_account(&again, 1)->books.balance, 3766);
    assert_int_equal(prepay_settlement_verify(&again, &fx.ledger, &res), PREPAY_OK);
    prepay_settlement_memory_free(&memory);
    fx_free(&fx);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refund_by_hand),
        cmocka_unit_test(test_emergency_credit_is_not_refundable),
        cmocka_unit_test(test_bad_input_changes_nothing),
        cmocka_unit_test(test_rerun_finds_the_refund),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
