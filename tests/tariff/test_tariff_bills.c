/* SPDX-License-Identifier: MIT */
/* Known-answer bills (vectors: tests/vectors/tariff_bills.txt), each checked by batch AND streaming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_test_util.h"
#include "test_support.h"

#define MAX_INTERVALS 16
#define MAX_LINES 64

static int64_t parse_fixed(const char *s, unsigned decimals)
{
    int64_t v = 0;
    while (*s == ' ') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') {
        n--;
    }
    assert_int_equal(prepay_fixed_parse(s, n, decimals, &v), PREPAY_OK);
    return v;
}

static int64_t exact_nanos(prepay_amount_t a)
{
    return a.units * 1000000000 + (int64_t)a.nanos;
}

/* Streams the intervals (one feed each, lines into a bill), then closes the cycle. */
static void stream_bill(const fx_setup_t *s, const prepay_tariff_interval_t *iv, size_t n, prepay_tariff_bill_t *bill)
{
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_line_t lines[MAX_LINES];
    prepay_tariff_feed_result_t r;
    prepay_money_t due_sum = 0;
    for (size_t i = 0; i < n; i++) {
        int got = prepay_tariff_feed_interval(&s->plan, &s->account, &st, iv[i].start, iv[i].end, iv[i].energy, lines,
                                              MAX_LINES, &r);
        assert_true(got >= 0);
        assert_int_equal(prepay_tariff_bill_add(bill, lines, (size_t)got), PREPAY_OK);
        due_sum += r.due;
    }
    int got = prepay_tariff_close_cycle(&s->plan, &s->account, &st, lines, MAX_LINES, &r);
    assert_true(got >= 0);
    assert_int_equal(prepay_tariff_bill_add(bill, lines, (size_t)got), PREPAY_OK);
    due_sum += r.due;
    assert_int_equal(prepay_tariff_bill_finish(bill), PREPAY_OK);
    /* dues: sum of whole units deducted equals the running total rounded (carry rule) */
    prepay_money_t rounded;
    assert_int_equal(prepay_amount_round(bill->exact_total, s->sets[0].rounding, &rounded), PREPAY_OK);
    if (due_sum != rounded) {
        fail_msg("dues %lld != rounded total %lld", (long long)due_sum, (long long)rounded);
    }
}

static void check_bill(const tv_record_t *r, const prepay_tariff_bill_t *bill)
{
    const char *name = tv_need(r, "name");
    const char *exact = tv_need(r, "exact");
    if (exact_nanos(bill->exact_total) != parse_fixed(exact, 9)) {
        fail_msg("%s: exact %lld.%09u fen, want %s", name, (long long)bill->exact_total.units, bill->exact_total.nanos,
                 exact);
    }
    int64_t total = parse_fixed(tv_need(r, "total"), 2);
    if (bill->total != total) {
        fail_msg("%s: total %lld fen, want %lld", name, (long long)bill->total, (long long)total);
    }
    const char *wrong = tv_get(r, "wrong");
    if (wrong) {
        assert_true(bill->total != parse_fixed(wrong, 2));
    }
    /* totals equal the sum of their lines */
    prepay_money_t sum = 0;
    for (size_t i = 0; i < bill->line_count; i++) {
        sum += bill->lines[i].money;
    }
    if (bill->scope == PREPAY_ROUND_PER_LINE) {
        assert_int_equal(sum, bill->total);
    }
    const char *lines = tv_get(r, "lines");
    if (!lines) {
        return;
    }
    size_t k = 0;
    const char *p = lines;
    while (*p) {
        unsigned set, band, tier;
        long long q, price;
        char money[32];
        int used = 0;
        assert_int_equal(sscanf(p, " %u/%u/%u/%lld/%lld/%31[0-9.-] %n", &set, &band, &tier, &q, &price, money, &used),
                         6);
        if (k >= bill->line_count) {
            fail_msg("%s: fewer lines than expected", name);
        }
        const prepay_tariff_line_t *l = &bill->lines[k];
        if (l->price_set != set || l->band != band || l->tier != tier || l->quantity != q || l->price != price ||
            l->money != parse_fixed(money, 2)) {
            fail_msg("%s: line %zu is %u/%u/%u/%lld/%lld/%lld", name, k, l->price_set, l->band, l->tier,
                     (long long)l->quantity, (long long)l->price, (long long)l->money);
        }
        k++;
        p += used;
        while (*p == ';' || *p == ' ') {
            p++;
        }
    }
    /* all remaining lines must be fixed charges */
    for (; k < bill->line_count; k++) {
        assert_int_equal(bill->lines[k].kind, PREPAY_LINE_FIXED);
    }
}

static void apply_options(const tv_record_t *r, fx_setup_t *s)
{
    const char *scope = tv_get(r, "scope");
    const char *proration = tv_get(r, "proration");
    const char *account = tv_get(r, "account");
    for (unsigned k = 0; k < 2; k++) {
        if (scope && strcmp(scope, "bill") == 0) {
            s->sets[k].round_scope = PREPAY_ROUND_PER_BILL;
        }
        if (proration) {
            s->sets[k].proration = strcmp(proration, "month") == 0 ? PREPAY_PRORATE_BY_MONTH
                                   : strcmp(proration, "day") == 0 ? PREPAY_PRORATE_BY_DAY
                                                                   : PREPAY_PRORATE_NONE;
        }
    }
    if (account && strcmp(account, "add100") == 0) {
        s->account.tier_add[0] = KWH(100);
        s->account.tier_add[1] = KWH(100);
    } else if (account && strcmp(account, "open_jul") == 0) {
        s->account.service_start = fx_time(2024, 7, 1, 0, 0);
    }
}

static void test_bill_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("tariff_bills.txt", &file);
    int bills = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "bill") != 0) {
            continue;
        }
        if (!PREPAY_TARIFF_PROPORTIONAL && strcmp(tv_need(r, "tariff"), "shanghai_prop") == 0) {
            continue; /* proportional tiers left out of this configuration */
        }
        const char *proration = tv_get(r, "proration");
        if (!PREPAY_TARIFF_PRORATION && proration && strcmp(proration, "none") != 0) {
            continue; /* proration left out of this configuration */
        }
        if (!PREPAY_TARIFF_DAILY_LADDERS && strcmp(tv_need(r, "tariff"), "per_day_10") == 0) {
            continue; /* per-day ladders left out of this configuration */
        }
        if (PREPAY_MAX_FIXED_CHARGES == 0 && strcmp(tv_need(r, "tariff"), "flat_fixed") == 0) {
            continue; /* no fixed charges in this configuration */
        }
        bills++;
        static fx_setup_t s;
        if (fx_build(tv_need(r, "tariff"), &s) != 0) {
            fail_msg("unknown fixture %s", tv_need(r, "tariff"));
        }
        apply_options(r, &s);
        assert_int_equal(prepay_tariff_plan_validate(&s.plan), PREPAY_OK);
        prepay_tariff_interval_t iv[MAX_INTERVALS];
        size_t n = fx_parse_intervals(tv_need(r, "intervals"), iv, MAX_INTERVALS);
        prepay_tariff_line_t batch_lines[MAX_LINES], stream_lines[MAX_LINES];
        prepay_tariff_bill_t batch, stream;
        assert_int_equal(prepay_tariff_bill_init(&batch, &s.sets[0], batch_lines, MAX_LINES), PREPAY_OK);
        assert_int_equal(prepay_tariff_eval_batch(&s.plan, &s.account, NULL, iv, n, &batch), PREPAY_OK);
        check_bill(r, &batch);
        assert_int_equal(prepay_tariff_bill_init(&stream, &s.sets[0], stream_lines, MAX_LINES), PREPAY_OK);
        printf("# %s\n", tv_need(r, "name"));
        stream_bill(&s, iv, n, &stream);
        check_bill(r, &stream);
        assert_int_equal(stream.line_count, batch.line_count);
        for (size_t k = 0; k < batch.line_count; k++) {
            const prepay_tariff_line_t *a = &stream.lines[k], *b = &batch.lines[k];
            assert_true(a->kind == b->kind && a->cycle == b->cycle && a->price_set == b->price_set &&
                        a->band == b->band && a->tier == b->tier && a->fixed_index == b->fixed_index &&
                        a->item == b->item && a->quantity == b->quantity && a->price == b->price &&
                        a->amount.units == b->amount.units && a->amount.nanos == b->amount.nanos &&
                        a->money == b->money);
        }
        assert_int_equal(stream.total, batch.total);
    }
    /* 2 bills are proportional, 2 prorate, 2 have per-day ladders, 1 has a fixed charge */
    assert_true(bills >= (PREPAY_TARIFF_PROPORTIONAL ? 24 : 22) - (PREPAY_TARIFF_PRORATION ? 0 : 2) -
                             (PREPAY_TARIFF_DAILY_LADDERS ? 0 : 2) - (PREPAY_MAX_FIXED_CHARGES > 0 ? 0 : 1));
    tv_free(&file);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bill_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
