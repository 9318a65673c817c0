/* SPDX-License-Identifier: MIT */
/*
 * Known-answer scripts for the ledger (vectors: tests/vectors/ledger_*.txt).
 *
 * Each file is a script of records run in order on one ledger:
 *   [reset]     accounts, transfers: start a fresh ledger (capacities)
 *   [account]   id kind flags overdraft max_balance emergency debt item expect
 *   [close]     account expect
 *   [transfer]  id debit credit amount code flags pending_id meter start end
 *               tariff order reference time deadline expect
 *               (applied alone, or collected when inside [batch] ... [apply])
 *   [batch]     begins a batch; [apply] applied = N applies it
 *   [replay]    like [transfer] but through prepay_ledger_replay()
 *   [balance]   account debits_posted credits_posted debits_pending credits_pending [available]
 *   [count]     transfers = N (log length)
 *   [verify]    expect
 *   [orders]    from to recharge_count recharge_sum refund_count refund_sum
 *   [income]    from to period by_item rows = "YYYY-MM-DD:item:income:count;..." [cap expect]
 *   [recharge]  wallet clearing amount recharge_id repay_emergency_id repay_debt_id
 *               transfers = "id:debit:credit:amount:code;..." (built chain), then applied: expect
 *   [history]   account [code from to] ids = "id,id,..."
 *   [expire]    now [limit] ids = "id,id,..." (expired, in order; "" for none)
 *   [replay_expiry] id now expect
 *   [entry]     id state = none|pending|posted|voided|expired [resolved_by]
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

#define MAX_BATCH 64

static const char *get_or(const tv_record_t *r, const char *key, const char *fallback)
{
    const char *v = tv_get(r, key);
    return v ? v : fallback;
}

static int64_t num_or(const tv_record_t *r, const char *key, int64_t fallback)
{
    const char *v = tv_get(r, key);
    return v ? test_i64(v) : fallback;
}

static void check_result(const tv_record_t *r, const char *file, int got, const char *what)
{
    int want = test_ledger_result(get_or(r, "expect", "ok"));
    if (got != want) {
        fail_msg("%s:%d (%s): want %s (%d), got %s (%d)", file, r->line, what, test_ledger_result_name(want), want,
                 test_ledger_result_name(got), got);
    }
}

static prepay_ledger_transfer_t parse_transfer(const tv_record_t *r)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = (uint64_t)num_or(r, "id", 0);
    t.debit_account_id = (uint64_t)num_or(r, "debit", 0);
    t.credit_account_id = (uint64_t)num_or(r, "credit", 0);
    t.amount = num_or(r, "amount", 0);
    t.code = test_ledger_code(get_or(r, "code", "0"));
    t.flags = test_ledger_transfer_flags(get_or(r, "flags", ""));
    t.pending_id = (uint64_t)num_or(r, "pending_id", 0);
    t.meter_id = (uint64_t)num_or(r, "meter", 0);
    t.interval_start = tv_get(r, "start") ? test_time(tv_get(r, "start")) : 0;
    t.interval_end = tv_get(r, "end") ? test_time(tv_get(r, "end")) : 0;
    t.tariff_version = (uint32_t)num_or(r, "tariff", 0);
    t.order_id = (uint64_t)num_or(r, "order", 0);
    t.reference_id = (uint64_t)num_or(r, "reference", 0);
    t.timestamp = tv_get(r, "time") ? test_time(tv_get(r, "time")) : 0;
    t.deadline = tv_get(r, "deadline") ? test_time(tv_get(r, "deadline")) : 0;
    return t;
}

static void run_script(const char *name)
{
    tv_file_t file;
    tv_load(name, &file);
    test_ledger_t tl;
    test_ledger_open(&tl, 64, 256);
    prepay_ledger_transfer_t batch[MAX_BATCH];
    const tv_record_t *batch_records[MAX_BATCH];
    size_t batch_count = 0;
    int in_batch = 0;
    int checks = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "reset") == 0) {
            test_ledger_close(&tl);
            test_ledger_open(&tl, (uint32_t)num_or(r, "accounts", 64), (uint32_t)num_or(r, "transfers", 256));
        } else if (strcmp(r->kind, "account") == 0) {
            prepay_ledger_account_t a;
            memset(&a, 0, sizeof a);
            a.id = (uint64_t)num_or(r, "id", 0);
            a.kind = test_ledger_account_kind(get_or(r, "kind", "wallet"));
            a.flags = test_ledger_account_flags(get_or(r, "flags", ""));
            a.overdraft_limit = num_or(r, "overdraft", 0);
            a.max_balance = num_or(r, "max_balance", 0);
            a.emergency_account_id = (uint64_t)num_or(r, "emergency", 0);
            a.debt_account_id = (uint64_t)num_or(r, "debt", 0);
            a.item = (uint32_t)num_or(r, "item", 0);
            a.credits_posted = num_or(r, "credits_posted", 0);
            check_result(r, name, prepay_ledger_create_account(&tl.ledger, &a), "account");
            checks++;
        } else if (strcmp(r->kind, "close") == 0) {
            check_result(r, name, prepay_ledger_close_account(&tl.ledger, (uint64_t)test_i64(tv_need(r, "account"))),
                         "close");
            checks++;
        } else if (strcmp(r->kind, "batch") == 0) {
            in_batch = 1;
            batch_count = 0;
        } else if (strcmp(r->kind, "transfer") == 0 && in_batch) {
            assert_true(batch_count < MAX_BATCH);
            batch_records[batch_count] = r;
            batch[batch_count++] = parse_transfer(r);
        } else if (strcmp(r->kind, "apply") == 0) {
            int results[MAX_BATCH];
            int applied = prepay_ledger_apply(&tl.ledger, batch, batch_count, results);
            for (size_t k = 0; k < batch_count; k++) {
                check_result(batch_records[k], name, results[k], "batch member");
                checks++;
            }
            if (applied != (int)test_i64(tv_need(r, "applied"))) {
                fail_msg("%s:%d: applied %d", name, r->line, applied);
            }
            in_batch = 0;
        } else if (strcmp(r->kind, "transfer") == 0 || strcmp(r->kind, "replay") == 0) {
            prepay_ledger_transfer_t t = parse_transfer(r);
            uint32_t before = prepay_ledger_transfer_count(&tl.ledger);
            int result;
            if (strcmp(r->kind, "replay") == 0) {
                result = prepay_ledger_replay(&tl.ledger, &t);
            } else {
                int results[1] = {12345};
                int applied = prepay_ledger_apply(&tl.ledger, &t, 1, results);
                result = results[0];
                assert_int_equal(applied, result == PREPAY_OK ? 1 : 0);
            }
            check_result(r, name, result, r->kind);
            /* Nothing changes unless the transfer was applied. */
            assert_int_equal(prepay_ledger_transfer_count(&tl.ledger), before + (result == PREPAY_OK ? 1u : 0u));
            checks++;
        } else if (strcmp(r->kind, "balance") == 0) {
            prepay_ledger_balance_t b;
            assert_int_equal(prepay_ledger_balance(&tl.ledger, (uint64_t)test_i64(tv_need(r, "account")), &b),
                             PREPAY_OK);
            int64_t want[4] = {test_i64(tv_need(r, "debits_posted")), test_i64(tv_need(r, "credits_posted")),
                               test_i64(tv_need(r, "debits_pending")), test_i64(tv_need(r, "credits_pending"))};
            int64_t got[4] = {b.debits_posted, b.credits_posted, b.debits_pending, b.credits_pending};
            for (int k = 0; k < 4; k++) {
                if (want[k] != got[k]) {
                    fail_msg("%s:%d: balance field %d: want %lld got %lld", name, r->line, k, (long long)want[k],
                             (long long)got[k]);
                }
            }
            if (tv_get(r, "available")) {
                assert_int_equal(b.available, test_i64(tv_get(r, "available")));
            }
            checks++;
        } else if (strcmp(r->kind, "count") == 0) {
            assert_int_equal(prepay_ledger_transfer_count(&tl.ledger), test_i64(tv_need(r, "transfers")));
        } else if (strcmp(r->kind, "verify") == 0) {
            check_result(r, name, test_ledger_verify(&tl), "verify");
            checks++;
        } else if (strcmp(r->kind, "corrupt") == 0) {
            /* Break the books behind the ledger's back to prove verify() can fail. */
            prepay_ledger_account_t *a =
                (prepay_ledger_account_t *)(uintptr_t)prepay_ledger_account(&tl.ledger,
                                                                            (uint64_t)test_i64(tv_need(r, "account")));
            assert_non_null(a);
            a->credits_posted += test_i64(tv_need(r, "credits_posted_delta"));
        } else if (strcmp(r->kind, "orders") == 0) {
            prepay_ledger_order_summary_t s;
            assert_int_equal(prepay_ledger_order_summary(&tl.ledger, test_time(tv_need(r, "from")),
                                                         test_time(tv_need(r, "to")), &s),
                             PREPAY_OK);
            assert_int_equal(s.recharge_count, test_i64(tv_need(r, "recharge_count")));
            assert_int_equal(s.recharge_sum, test_i64(tv_need(r, "recharge_sum")));
            assert_int_equal(s.refund_count, test_i64(tv_need(r, "refund_count")));
            assert_int_equal(s.refund_sum, test_i64(tv_need(r, "refund_sum")));
            checks++;
        } else if (strcmp(r->kind, "income") == 0) {
            static const char *const periods[] = {"all", "day", "month", "year"};
            unsigned period = 0;
            while (period < 4 && strcmp(periods[period], tv_need(r, "period")) != 0) {
                period++;
            }
            assert_true(period < 4);
            prepay_ledger_income_row_t rows[32];
            size_t n = 99;
            size_t cap = (size_t)num_or(r, "cap", 32);
            int st = prepay_ledger_income(&tl.ledger, test_time(tv_need(r, "from")), test_time(tv_need(r, "to")),
                                          period, num_or(r, "by_item", 0) != 0, rows, cap, &n);
            check_result(r, name, st, "income");
            if (st == PREPAY_OK) {
                char buf[TV_MAX_VALUE];
                snprintf(buf, sizeof buf, "%s", tv_need(r, "rows"));
                size_t k = 0;
                for (char *row = strtok(buf, ";"); row != NULL; row = strtok(NULL, ";")) {
                    char day[32];
                    long long item, income, count;
                    while (*row == ' ') {
                        row++;
                    }
                    assert_int_equal(sscanf(row, "%31[^:]:%lld:%lld:%lld", day, &item, &income, &count), 4);
                    assert_true(k < n);
                    if (rows[k].period_start != test_day(day) || rows[k].item != (uint32_t)item ||
                        rows[k].income != income || rows[k].count != (uint32_t)count) {
                        fail_msg("%s:%d: row %zu differs (got day %d item %u income %lld count %u)", name, r->line,
                                 k, (int)rows[k].period_start, rows[k].item, (long long)rows[k].income,
                                 rows[k].count);
                    }
                    k++;
                }
                assert_int_equal(k, n);
            } else {
                assert_int_equal(n, 0);
            }
            checks++;
        } else if (strcmp(r->kind, "recharge") == 0) {
            prepay_ledger_recharge_t q;
            memset(&q, 0, sizeof q);
            q.wallet_id = (uint64_t)test_i64(tv_need(r, "wallet"));
            q.clearing_id = (uint64_t)test_i64(tv_need(r, "clearing"));
            q.amount = test_i64(tv_need(r, "amount"));
            q.recharge_id = (uint64_t)num_or(r, "recharge_id", 0);
            q.repay_emergency_id = (uint64_t)num_or(r, "repay_emergency_id", 0);
            q.repay_debt_id = (uint64_t)num_or(r, "repay_debt_id", 0);
            q.order_id = (uint64_t)num_or(r, "order", 0);
            q.timestamp = tv_get(r, "time") ? test_time(tv_get(r, "time")) : 0;
            prepay_ledger_transfer_t out[PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS];
            size_t n = 0;
            assert_int_equal(prepay_ledger_build_recharge(&tl.ledger, &q, out, PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS, &n),
                             PREPAY_OK);
            char buf[TV_MAX_VALUE];
            snprintf(buf, sizeof buf, "%s", tv_need(r, "transfers"));
            size_t k = 0;
            for (char *row = strtok(buf, ";"); row != NULL; row = strtok(NULL, ";")) {
                long long id, debit, credit, amount;
                char code[32];
                assert_int_equal(sscanf(row, " %lld:%lld:%lld:%lld:%31s", &id, &debit, &credit, &amount, code), 5);
                assert_true(k < n);
                assert_int_equal(out[k].id, id);
                assert_int_equal(out[k].debit_account_id, debit);
                assert_int_equal(out[k].credit_account_id, credit);
                assert_int_equal(out[k].amount, amount);
                assert_int_equal(out[k].code, test_ledger_code(code));
                assert_int_equal((out[k].flags & PREPAY_LEDGER_TRANSFER_LINKED) != 0, k + 1 < n);
                k++;
            }
            assert_int_equal(k, n);
            int results[PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS];
            int applied = prepay_ledger_apply(&tl.ledger, out, n, results);
            int want = test_ledger_result(get_or(r, "expect", "ok"));
            for (size_t j = 0; j < n; j++) {
                if (want == PREPAY_OK) {
                    assert_int_equal(results[j], PREPAY_OK);
                }
            }
            assert_int_equal(applied, want == PREPAY_OK ? (int)n : 0);
            checks++;
        } else if (strcmp(r->kind, "history") == 0) {
            prepay_ledger_query_t q;
            memset(&q, 0, sizeof q);
            q.account_id = (uint64_t)num_or(r, "account", 0);
            q.code = tv_get(r, "code") ? test_ledger_code(tv_get(r, "code")) : 0;
            if (tv_get(r, "from")) {
                q.use_time = true;
                q.time_from = test_time(tv_get(r, "from"));
                q.time_to = test_time(tv_need(r, "to"));
            }
            char buf[TV_MAX_VALUE];
            snprintf(buf, sizeof buf, "%s", get_or(r, "ids", ""));
            const prepay_ledger_entry_t *e;
            for (char *tok = strtok(buf, ", "); tok != NULL; tok = strtok(NULL, ", ")) {
                assert_int_equal(prepay_ledger_query_next(&tl.ledger, &q, &e), 1);
                if (e->transfer.id != (uint64_t)test_i64(tok)) {
                    fail_msg("%s:%d: history want %s got %llu", name, r->line, tok,
                             (unsigned long long)e->transfer.id);
                }
            }
            assert_int_equal(prepay_ledger_query_next(&tl.ledger, &q, &e), 0);
            checks++;
        } else if (strcmp(r->kind, "expire") == 0) {
            uint64_t ids[64];
            size_t limit = (size_t)num_or(r, "limit", 64);
            assert_true(limit <= 64);
            int n = prepay_ledger_expire(&tl.ledger, test_time(tv_need(r, "now")), ids, limit);
            assert_true(n >= 0);
            char buf[TV_MAX_VALUE];
            snprintf(buf, sizeof buf, "%s", get_or(r, "ids", ""));
            int k = 0;
            for (char *tok = strtok(buf, ", "); tok != NULL; tok = strtok(NULL, ", ")) {
                if (k >= n || ids[k] != (uint64_t)test_i64(tok)) {
                    fail_msg("%s:%d: expiry %d: want %s, got %s", name, r->line, k, tok, k < n ? "another id" : "none");
                }
                k++;
            }
            if (k != n) {
                fail_msg("%s:%d: %d expired, %d expected", name, r->line, n, k);
            }
            checks++;
        } else if (strcmp(r->kind, "replay_expiry") == 0) {
            check_result(r, name,
                         prepay_ledger_replay_expiry(&tl.ledger, (uint64_t)test_i64(tv_need(r, "id")),
                                                     test_time(tv_need(r, "now"))),
                         "replay_expiry");
            checks++;
        } else if (strcmp(r->kind, "entry") == 0) {
            static const char *const states[] = {"none", "pending", "posted", "voided", "expired"};
            const prepay_ledger_entry_t *e = prepay_ledger_lookup(&tl.ledger, (uint64_t)test_i64(tv_need(r, "id")));
            assert_non_null(e);
            assert_true(e->state < 5u);
            if (strcmp(states[e->state], tv_need(r, "state")) != 0) {
                fail_msg("%s:%d: entry state %s, want %s", name, r->line, states[e->state], tv_need(r, "state"));
            }
            assert_int_equal(e->resolved_by, num_or(r, "resolved_by", e->resolved_by));
            checks++;
        } else {
            fail_msg("%s:%d: unknown record [%s]", name, r->line, r->kind);
        }
    }
    /* Every script must leave consistent books (except where it corrupted them on purpose). */
    assert_true(checks > 0);
    test_ledger_close(&tl);
    tv_free(&file);
}

static void test_idempotency(void **state)
{
    (void)state;
    run_script("ledger_idempotency.txt");
}

static void test_pending(void **state)
{
    (void)state;
    run_script("ledger_pending.txt");
}

static void test_linked(void **state)
{
    (void)state;
    run_script("ledger_linked.txt");
}

static void test_limits(void **state)
{
    (void)state;
    run_script("ledger_limits.txt");
}

static void test_precedence(void **state)
{
    (void)state;
    run_script("ledger_precedence.txt");
}

static void test_summaries(void **state)
{
    (void)state;
    run_script("ledger_summaries.txt");
}

static void test_expiry(void **state)
{
    (void)state;
    run_script("ledger_expiry.txt");
}

static void test_accounts(void **state)
{
    (void)state;
    run_script("ledger_accounts.txt");
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accounts),  cmocka_unit_test(test_idempotency), cmocka_unit_test(test_pending),
        cmocka_unit_test(test_linked),    cmocka_unit_test(test_limits),      cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_summaries), cmocka_unit_test(test_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
