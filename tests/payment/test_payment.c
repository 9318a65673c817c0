/* SPDX-License-Identifier: MIT */
/*
 * Payment orders on the settlement core: create -> notify -> post through
 * prepay_settlement_recharge(); duplicate notify, unknown order, wrong amount
 * (nothing changes in the ledger or the event stream), failed payment (void +
 * FAILED event), expiry, channel queries, the statement CSV parser, and a
 * reconciliation against a hand-made statement whose outcome is worked out
 * by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/payment.h"
#include "../settlement/settle_fixture.h"

#define ACCOUNT 7u

static void site_up(fx_t *fx)
{
    fx_defaults(fx);
    fx_start(fx, 4, 4, 0, 0, 0);
    fx_account(fx, ACCOUNT, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_account(fx, 8, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(fx, 1, ACCOUNT);
    fx_open(fx, 4);
}

static uint64_t order(fx_t *fx, uint32_t account, uint32_t number, prepay_money_t amount, prepay_time_t created)
{
    prepay_payment_order_t o = {account, number, amount, created, created + 2 * 3600};
    prepay_payment_result_t r;
    assert_int_equal(prepay_payment_create(&fx->site, &fx->books, &o, &r), PREPAY_OK);
    assert_int_equal(r.order.state, PREPAY_PAYMENT_CREATED);
    assert_int_equal(r.order.amount, amount);
    return r.order.order_id;
}

static int notify(fx_t *fx, uint64_t id, prepay_money_t amount, prepay_time_t t, uint8_t status,
                  prepay_payment_result_t *r)
{
    prepay_payment_notify_t n = {id, amount, t, status};
    return prepay_payment_notify(&fx->site, &fx->books, &fx->work, &n, r);
}

/* Fingerprint of everything a refused call must leave alone. */
typedef struct books_state {
    uint32_t transfers;
    size_t events;
    prepay_money_t balance;
    uint32_t recharges;
} books_state_t;

static books_state_t snap(const fx_t *fx)
{
    books_state_t s = {prepay_ledger_transfer_count(&fx->ledger), fx->log_count, fx_balance(fx, ACCOUNT),
                       prepay_settlement_account(&fx->site, ACCOUNT)->recharges};
    return s;
}

static void assert_unchanged(const fx_t *fx, books_state_t before)
{
    books_state_t now = snap(fx);
    assert_int_equal(now.transfers, before.transfers);
    assert_int_equal(now.events, before.events);
    assert_int_equal(now.balance, before.balance);
    assert_int_equal(now.recharges, before.recharges);
}

static void test_paid_then_duplicate(void **state)
{
    (void)state;
    fx_t *fx = calloc(1, sizeof *fx);
    site_up(fx);
    prepay_time_t t0 = fx_time(2024, 1, 3, 9, 0);
    uint64_t id = order(fx, ACCOUNT, 1, 5000, t0);
    uint64_t expect_id = 0;
    assert_int_equal(prepay_payment_order_id(ACCOUNT, 1, &expect_id), PREPAY_OK);
    assert_true(id == expect_id);
    /* Reserved, not yet credited: the site balance is unchanged. */
    assert_int_equal(fx_balance(fx, ACCOUNT), 0);
    prepay_payment_result_t r;
    assert_int_equal(notify(fx, id, 5000, t0 + 60, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_OK);
    assert_int_equal(r.order.state, PREPAY_PAYMENT_PAID);
    assert_int_equal(r.order.resolved, t0 + 60);
    assert_int_equal(r.split.to_balance, 5000);
    assert_int_equal(fx_balance(fx, ACCOUNT), 5000);
    assert_int_equal(fx_events(fx, PREPAY_SETTLEMENT_EVENT_RECHARGE, ACCOUNT), 1);
    assert_int_equal(prepay_settlement_account(&fx->site, ACCOUNT)->recharges, 1);
    fx_verify(fx);
    /* The channel retries the same notify: nothing changes, the recorded outcome comes back. */
    books_state_t before = snap(fx);
    for (int i = 0; i < 3; i++) {
        memset(&r, 0xA5, sizeof r);
        assert_int_equal(notify(fx, id, 5000, t0 + 3600, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_PAYMENT_DUPLICATE);
        assert_int_equal(r.order.state, PREPAY_PAYMENT_PAID);
        assert_int_equal(r.order.resolved, t0 + 60);
        assert_int_equal(r.split.status, PREPAY_LEDGER_EXISTS);
        assert_unchanged(fx, before);
    }
    /* A failure notify for a paid order is refused. */
    assert_int_equal(notify(fx, id, 5000, t0 + 7200, PREPAY_PAYMENT_CHANNEL_FAILED, &r), PREPAY_E_PAYMENT_ALREADY_PAID);
    assert_unchanged(fx, before);
    /* A second order posts as recharge number 2. */
    uint64_t id2 = order(fx, ACCOUNT, 2, 1234, t0 + 10);
    assert_int_equal(notify(fx, id2, 1234, t0 + 100, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_OK);
    assert_int_equal(prepay_settlement_account(&fx->site, ACCOUNT)->recharges, 2);
    assert_int_equal(fx_balance(fx, ACCOUNT), 6234);
    fx_verify(fx);
    fx_free(fx);
    free(fx);
}

static void test_bad_notifies_change_nothing(void **state)
{
    (void)state;
    fx_t *fx = calloc(1, sizeof *fx);
    site_up(fx);
    prepay_time_t t0 = fx_time(2024, 1, 3, 9, 0);
    uint64_t id = order(fx, ACCOUNT, 5, 3000, t0);
    books_state_t before = snap(fx);
    prepay_payment_result_t r;
    /* Unknown orders: a number never created, a transfer id of another kind, garbage. */
    uint64_t unknown = 0;
    assert_int_equal(prepay_payment_order_id(ACCOUNT, 6, &unknown), PREPAY_OK);
    assert_int_equal(notify(fx, unknown, 3000, t0, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_E_PAYMENT_UNKNOWN_ORDER);
    prepay_settlement_id_t rid;
    uint64_t recharge_key = 0;
    assert_int_equal(prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_RECHARGE, ACCOUNT, 1, 0, &rid), PREPAY_OK);
    assert_int_equal(prepay_settlement_ledger_key(&rid, &recharge_key), PREPAY_OK);
    assert_int_equal(notify(fx, recharge_key, 3000, t0, PREPAY_PAYMENT_CHANNEL_PAID, &r),
                     PREPAY_E_PAYMENT_UNKNOWN_ORDER);
    assert_int_equal(notify(fx, 0, 3000, t0, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_E_PAYMENT_UNKNOWN_ORDER);
    assert_int_equal(notify(fx, UINT64_MAX, 3000, t0, PREPAY_PAYMENT_CHANNEL_PAID, &r),
                     PREPAY_E_PAYMENT_UNKNOWN_ORDER);
    assert_unchanged(fx, before);
    /* Wrong amount: refused and reported (expected, notified). */
    assert_int_equal(notify(fx, id, 3001, t0, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_E_PAYMENT_AMOUNT_MISMATCH);
    assert_int_equal(r.expected, 3000);
    assert_int_equal(r.notified, 3001);
    assert_int_equal(r.order.state, PREPAY_PAYMENT_CREATED);
    assert_int_equal(notify(fx, id, 0, t0, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_E_PAYMENT_AMOUNT_MISMATCH);
    assert_int_equal(notify(fx, id, -3000, t0, PREPAY_PAYMENT_CHANNEL_FAILED, &r), PREPAY_E_PAYMENT_AMOUNT_MISMATCH);
    /* Bad status, NULLs. */
    assert_int_equal(notify(fx, id, 3000, t0, 0, &r), PREPAY_E_PAYMENT_FIELD);
    assert_int_equal(notify(fx, id, 3000, t0, 9, &r), PREPAY_E_PAYMENT_FIELD);
    assert_int_equal(prepay_payment_notify(&fx->site, &fx->books, &fx->work, NULL, &r), PREPAY_E_INVALID_ARGUMENT);
    assert_unchanged(fx, before);
    /* Bad orders. */
    prepay_payment_order_t o = {ACCOUNT, 5, 3000, t0, t0 + 7200};
    assert_int_equal(prepay_payment_create(&fx->site, &fx->books, &o, &r), PREPAY_PAYMENT_DUPLICATE);
    o.amount = 3100;
    assert_int_equal(prepay_payment_create(&fx->site, &fx->books, &o, &r), PREPAY_E_PAYMENT_CONFLICT);
    o.amount = 0;
    assert_int_equal(prepay_payment_create(&fx->site, &fx->books, &o, &r), PREPAY_E_PAYMENT_FIELD);
    o.amount = 3000;
    o.number = 9;
    o.deadline = o.created;
    assert_int_equal(prepay_payment_create(&fx->site, &fx->books, &o, &r), PREPAY_E_PAYMENT_FIELD);
    o.deadline = o.created + 1;
    o.number = 0;
    assert_int_equal(prepay_payment_create(&fx->site, &fx->books, &o, &r), PREPAY_E_PAYMENT_FIELD);
    o.number = 9;
    o.account_id = 99;
    assert_int_equal(prepay_payment_create(&fx->site, &fx->books, &o, &r), PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT);
    assert_unchanged(fx, before);
#ifndef PREPAY_NO_STRERROR /* the status texts name the codes (compiled out in the firmware configuration) */
    assert_string_equal(prepay_strerror(PREPAY_E_PAYMENT_AMOUNT_MISMATCH),
                        "payment: notified amount differs from the order's");
    assert_string_equal(prepay_strerror(PREPAY_E_PAYMENT_UNKNOWN_ORDER), "payment: unknown order");
#endif
    fx_verify(fx);
    fx_free(fx);
    free(fx);
}

static void test_failed_query_and_expiry(void **state)
{
    (void)state;
    fx_t *fx = calloc(1, sizeof *fx);
    site_up(fx);
    prepay_time_t t0 = fx_time(2024, 1, 3, 9, 0);
    prepay_payment_result_t r;
    /* Failed payment: voided, a FAILED event, a later paid notify is refused. */
    uint64_t a = order(fx, ACCOUNT, 1, 2000, t0);
    assert_int_equal(notify(fx, a, 0, t0 + 30, PREPAY_PAYMENT_CHANNEL_FAILED, &r), PREPAY_OK);
    assert_int_equal(r.order.state, PREPAY_PAYMENT_VOIDED);
    assert_int_equal(fx_events(fx, PREPAY_PAYMENT_EVENT_FAILED, ACCOUNT), 1);
    const prepay_settlement_event_t *e = &fx->log[fx->log_count - 1];
    unsigned kind = 0;
    uint32_t subject = 0;
    prepay_settlement_id_split(&e->id, &kind, &subject, NULL, NULL);
    assert_int_equal(kind, PREPAY_SETTLEMENT_KIND_EVENT + PREPAY_PAYMENT_EVENT_FAILED);
    assert_int_equal(subject, ACCOUNT);
    assert_int_equal(e->amount, 2000);
    books_state_t before = snap(fx);
    assert_int_equal(notify(fx, a, 2000, t0 + 60, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_E_PAYMENT_CLOSED);
    prepay_settlement_id_t failed_id = e->id;
    assert_unchanged(fx, before);
    assert_int_equal(notify(fx, a, 0, t0 + 60, PREPAY_PAYMENT_CHANNEL_FAILED, &r), PREPAY_PAYMENT_DUPLICATE);
    before.events++; /* the repeat raises the same event again (same id: the void's time, not the repeat's) */
    assert_unchanged(fx, before);
    assert_int_equal(fx_events(fx, PREPAY_PAYMENT_EVENT_FAILED, ACCOUNT), 2);
    assert_true(fx->log[fx->log_count - 1].id.hi == failed_id.hi && fx->log[fx->log_count - 1].id.lo == failed_id.lo);
    /* No notify: the caller queries the channel. WAITING changes nothing; PAID posts. */
    uint64_t b = order(fx, ACCOUNT, 2, 1500, t0);
    before = snap(fx);
    assert_int_equal(notify(fx, b, 1500, t0 + 600, PREPAY_PAYMENT_CHANNEL_WAITING, &r), PREPAY_OK);
    assert_int_equal(r.order.state, PREPAY_PAYMENT_CREATED);
    assert_unchanged(fx, before);
    assert_int_equal(notify(fx, b, 1500, t0 + 700, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_OK);
    assert_int_equal(fx_balance(fx, ACCOUNT), 1500);
    /* Expiry: no outcome by the deadline (t0 + 2 h); the ledger releases it. */
    uint64_t c = order(fx, ACCOUNT, 3, 900, t0);
    uint64_t expired[4];
    assert_int_equal(prepay_ledger_expire(&fx->ledger, t0 + 2 * 3600 - 1, expired, 4), 0);
    assert_int_equal(prepay_ledger_expire(&fx->ledger, t0 + 2 * 3600, expired, 4), 1);
    assert_true(expired[0] == c);
    assert_int_equal(prepay_payment_lookup(&fx->ledger, c, &r.order), PREPAY_OK);
    assert_int_equal(r.order.state, PREPAY_PAYMENT_EXPIRED);
    before = snap(fx);
    assert_int_equal(notify(fx, c, 900, t0 + 3 * 3600, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_E_PAYMENT_CLOSED);
    assert_unchanged(fx, before);
    /* A paid notify arriving before expire() ran but with a pay time past the deadline: the ledger refuses it. */
    uint64_t d = order(fx, ACCOUNT, 4, 800, t0);
    before = snap(fx);
    int status = notify(fx, d, 800, t0 + 3 * 3600, PREPAY_PAYMENT_CHANNEL_PAID, &r);
    assert_int_equal(status, PREPAY_E_PAYMENT_CLOSED);
    assert_int_equal(r.error_detail, PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED);
    assert_unchanged(fx, before);
    fx_verify(fx);
    fx_free(fx);
    free(fx);
}

/* ---- statement and reconciliation ------------------------------------------ */

typedef struct lines {
    prepay_payment_reconcile_line_t line[16];
    size_t count;
} lines_t;

static void collect(void *context, const prepay_payment_reconcile_line_t *line)
{
    lines_t *l = context;
    assert_true(l->count < 16);
    l->line[l->count++] = *line;
}

static const prepay_payment_reconcile_line_t *line_of(const lines_t *l, uint64_t order_id)
{
    for (size_t i = 0; i < l->count; i++) {
        if (l->line[i].order_id == order_id) {
            return &l->line[i];
        }
    }
    return NULL;
}

/* The line that must be there: never NULL (gcc -O3 -Wnull-dereference); the test fails here when it is missing. */
static const prepay_payment_reconcile_line_t *line_for(const lines_t *l, uint64_t order_id)
{
    const prepay_payment_reconcile_line_t *line = line_of(l, order_id);
    if (line == NULL) {
        static const prepay_payment_reconcile_line_t none;
        fail_msg("no reconciliation line for order %llu", (unsigned long long)order_id);
        return &none;
    }
    return line;
}

static void test_statement_parse(void **state)
{
    (void)state;
    prepay_payment_statement_record_t rec[8];
    size_t n = 0;
    uint32_t line = 0;
    static const char text[] = "\xEF\xBB\xBF"
                               "order_id,amount,status,time\r\n"
                               "# a comment\r\n"
                               "\r\n"
                               "123, 50.00 ,PAID,2024-01-03 09:01:00\r\n"
                               "\"124\",\"0.5\",\"REFUNDED\",\"2024-01-03 10:00\"\n"
                               "125,12,SUCCESS,2024-01-04";
    assert_int_equal(prepay_payment_statement_parse(text, sizeof text - 1, rec, 8, &n, &line), PREPAY_OK);
    assert_int_equal(n, 3);
    assert_true(rec[0].order_id == 123u);
    assert_int_equal(rec[0].amount, 5000);
    assert_int_equal(rec[0].status, PREPAY_PAYMENT_STATEMENT_PAID);
    assert_int_equal(rec[0].time, fx_time(2024, 1, 3, 9, 1));
    assert_int_equal(rec[1].amount, 50);
    assert_int_equal(rec[1].status, PREPAY_PAYMENT_STATEMENT_REFUNDED);
    assert_int_equal(rec[2].amount, 1200);
    assert_int_equal(rec[2].time, fx_time(2024, 1, 4, 0, 0));
    /* Refused records name their line; nothing past them is read. */
    static const struct {
        const char *text;
        uint32_t line;
        int status;
    } bad[] = {
        {"1,1.00,PAID\n", 1, PREPAY_E_PAYMENT_STATEMENT},
        {"1,1.00,PAID,2024-01-01,x\n", 1, PREPAY_E_PAYMENT_STATEMENT},
        {"order_id,amount,status,time\n1,1.001,PAID,2024-01-01\n", 2, PREPAY_E_PAYMENT_STATEMENT},
        {"1,-1.00,PAID,2024-01-01\n", 1, PREPAY_E_PAYMENT_STATEMENT},
        {"1,1.00,LOST,2024-01-01\n", 1, PREPAY_E_PAYMENT_STATEMENT},
        {"1,1.00,PAID,2024-02-30\n", 1, PREPAY_E_PAYMENT_STATEMENT},
        {"x1,1.00,PAID,2024-01-01\n", 1, PREPAY_E_PAYMENT_STATEMENT},
        {"18446744073709551616,1.00,PAID,2024-01-01\n", 1, PREPAY_E_PAYMENT_STATEMENT},
        {"1,1.00,PAID,2024-01-01\n\n2,\"1.00,PAID,2024-01-01\n", 3, PREPAY_E_PAYMENT_STATEMENT},
        {"1,1\"0,PAID,2024-01-01\n", 1, PREPAY_E_PAYMENT_STATEMENT},
        {"1,\"1.00\"x,PAID,2024-01-01\n", 1, PREPAY_E_PAYMENT_STATEMENT},
        {"1,1.00,PAID,2024-01-01\n2,1.00,PAID,2024-01-01\n3,1.00,PAID,2024-01-01\n", 3, PREPAY_E_BUFFER_TOO_SMALL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        line = 0;
        int status = prepay_payment_statement_parse(bad[i].text, strlen(bad[i].text), rec, 2, &n, &line);
        if (status != bad[i].status || line != bad[i].line) {
            fail_msg("bad statement %zu: status %d line %u", i, status, line);
        }
    }
    /* Empty text, header only. */
    assert_int_equal(prepay_payment_statement_parse("", 0, rec, 8, &n, NULL), PREPAY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(prepay_payment_statement_parse("order_id,amount,status,time", 27, rec, 8, &n, NULL), PREPAY_OK);
    assert_int_equal(n, 0);
}

static void test_reconcile_hand_made_statement(void **state)
{
    (void)state;
    fx_t *fx = calloc(1, sizeof *fx);
    site_up(fx);
    prepay_time_t day = fx_time(2024, 1, 3, 0, 0);
    prepay_payment_result_t r;
    /* The ledger's day: orders 1..4 of account 7, order 1 of account 8.
     *   7/1 50.00 paid      statement PAID 50.00      -> matched
     *   7/2 20.00 paid      statement PAID 25.00      -> amount differs
     *   7/3 10.00 paid      not in the statement      -> missing in statement
     *   7/4 30.00 created   statement PAID 30.00      -> missing in ledger (notify never came)
     *   8/1 40.00 paid      statement PAID + REFUNDED -> matched; the refund line is counted apart
     *   order 7/9 never created, statement PAID 5.00  -> missing in ledger
     *   order 8/2 paid on the next day                -> outside the period, not reported */
    uint64_t o71 = order(fx, ACCOUNT, 1, 5000, day + 3600);
    uint64_t o72 = order(fx, ACCOUNT, 2, 2000, day + 7200);
    uint64_t o73 = order(fx, ACCOUNT, 3, 1000, day + 9000);
    uint64_t o74 = order(fx, ACCOUNT, 4, 3000, day + 10000);
    uint64_t o81 = order(fx, 8, 1, 4000, day + 20000);
    uint64_t o82 = order(fx, 8, 2, 700, day + 86400 + 60);
    uint64_t o79 = 0;
    assert_int_equal(prepay_payment_order_id(ACCOUNT, 9, &o79), PREPAY_OK);
    assert_int_equal(notify(fx, o71, 5000, day + 3660, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_OK);
    assert_int_equal(notify(fx, o72, 2000, day + 7260, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_OK);
    assert_int_equal(notify(fx, o73, 1000, day + 9060, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_OK);
    assert_int_equal(notify(fx, o81, 4000, day + 20060, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_OK);
    assert_int_equal(notify(fx, o82, 700, day + 86400 + 120, PREPAY_PAYMENT_CHANNEL_PAID, &r), PREPAY_OK);
    char csv[1024];
    int len = snprintf(csv, sizeof csv,
                       "\xEF\xBB\xBForder_id,amount,status,time\r\n"
                       "%llu,50.00,PAID,2024-01-03 01:01:00\r\n"
                       "\"%llu\",25.00,PAID,2024-01-03 02:01:00\r\n"
                       "%llu,30.00,SUCCESS,2024-01-03 02:50:00\r\n"
                       "%llu,40.00,PAID,2024-01-03 05:34:20\r\n"
                       "%llu,40.00,REFUNDED,2024-01-03 06:00:00\r\n"
                       "%llu,5.00,PAID,2024-01-03 07:00:00\r\n",
                       (unsigned long long)o71, (unsigned long long)o72, (unsigned long long)o74,
                       (unsigned long long)o81, (unsigned long long)o81, (unsigned long long)o79);
    assert_true(len > 0 && (size_t)len < sizeof csv);
    prepay_payment_statement_record_t rec[16];
    size_t n = 0;
    assert_int_equal(prepay_payment_statement_parse(csv, (size_t)len, rec, 16, &n, NULL), PREPAY_OK);
    assert_int_equal(n, 6);
    books_state_t before = snap(fx);
    lines_t lines = {0};
    prepay_payment_reconcile_summary_t sum;
    assert_int_equal(prepay_payment_reconcile(&fx->ledger, rec, n, day, day + 86400, collect, &lines, &sum),
                     PREPAY_OK);
    assert_unchanged(fx, before); /* read only */
    assert_int_equal(sum.matched, 2);
    assert_int_equal(sum.matched_amount, 9000);
    assert_int_equal(sum.amount_differs, 1);
    assert_int_equal(sum.missing_in_statement, 1);
    assert_int_equal(sum.missing_in_ledger, 2);
    assert_int_equal(sum.refunded, 1);
    assert_int_equal(lines.count, 6);
    assert_int_equal(line_for(&lines, o71)->match, PREPAY_PAYMENT_MATCHED);
    const prepay_payment_reconcile_line_t *l = line_for(&lines, o72);
    assert_int_equal(l->match, PREPAY_PAYMENT_AMOUNT_DIFFERS);
    assert_int_equal(l->ledger_amount, 2000);
    assert_int_equal(l->statement_amount, 2500);
    l = line_for(&lines, o73);
    assert_int_equal(l->match, PREPAY_PAYMENT_MISSING_IN_STATEMENT);
    assert_int_equal(l->ledger_amount, 1000);
    l = line_for(&lines, o74);
    assert_int_equal(l->match, PREPAY_PAYMENT_MISSING_IN_LEDGER);
    assert_int_equal(l->ledger_state, PREPAY_PAYMENT_CREATED);
    l = line_for(&lines, o79);
    assert_int_equal(l->match, PREPAY_PAYMENT_MISSING_IN_LEDGER);
    assert_int_equal(l->ledger_state, 0);
    assert_int_equal(line_for(&lines, o81)->match, PREPAY_PAYMENT_MATCHED);
    assert_null(line_of(&lines, o82));
    assert_string_equal(prepay_payment_match_name(PREPAY_PAYMENT_AMOUNT_DIFFERS), "amount_differs");
    /* A bad record refuses the whole statement before reporting anything. */
    rec[2].amount = 0;
    lines.count = 0;
    assert_int_equal(prepay_payment_reconcile(&fx->ledger, rec, n, day, day + 86400, collect, &lines, &sum),
                     PREPAY_E_PAYMENT_STATEMENT);
    assert_int_equal(lines.count, 0);
    fx_free(fx);
    free(fx);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paid_then_duplicate),
        cmocka_unit_test(test_bad_notifies_change_nothing),
        cmocka_unit_test(test_failed_query_and_expiry),
        cmocka_unit_test(test_statement_parse),
        cmocka_unit_test(test_reconcile_hand_made_statement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
