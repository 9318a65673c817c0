/* SPDX-License-Identifier: MIT */
/*
 * One month of a small building, end to end, against the hand-worked
 * tests/vectors/billing_building_month.txt: master minus sub-meters, pricing
 * the common energy once, allocation by area x days with a vacant unit
 * charged to the owner, charge items (prorated move-in, one-off), a postpaid
 * tenant's statement, and its arrears bucket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "billing_test_util.h"
#include "prepay/allocation.h"
#include "prepay/billing.h"
#include "prepay/status.h"
#include "test_support.h"

static const tv_record_t *find(const tv_file_t *file, const char *kind)
{
    for (size_t i = 0; i < file->count; i++) {
        if (strcmp(file->records[i].kind, kind) == 0) {
            return &file->records[i];
        }
    }
    fail_msg("no [%s] record", kind);
    return NULL;
}

static size_t numbers(const char *text, int64_t *out, size_t cap)
{
    size_t n = 0;
    const char *p = text;
    int used = 0;
    long long v;
    while (n < cap && sscanf(p, " %lld%n", &v, &used) == 1) {
        out[n++] = v;
        p += used;
    }
    return n;
}

static prepay_allocation_line_t site_lines[16];
static size_t site_line_count;

static void test_common_area(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("billing_building_month.txt", &file);
    const tv_record_t *site = find(&file, "site");
    int64_t subs[8];
    size_t sub_count = numbers(tv_need(site, "subs"), subs, 8);
    assert_int_equal(sub_count, 5);
    prepay_allocation_residual_t residual;
    assert_int_equal(prepay_allocation_residual(num(tv_need(site, "master")), subs, sub_count, 0,
                                           PREPAY_ALLOCATION_RESIDUAL_FAIL, &residual),
                     PREPAY_OK);
    assert_int_equal(residual.common, num(tv_need(site, "common_energy")));
    assert_int_equal(residual.loss_bp, num(tv_need(site, "loss_bp")));
    prepay_money_t money = 0;
    assert_int_equal(prepay_allocation_price_energy(residual.common, num(tv_need(site, "price")), PREPAY_ROUND_HALF_UP, &money),
                     PREPAY_OK);
    assert_int_equal(money, num(tv_need(site, "common_money")));

    prepay_allocation_part_t parts[8];
    size_t n = 0;
    const char *p = tv_need(site, "parts");
    long long account, weight, days, vacant;
    int used = 0;
    while (sscanf(p, " %lld:%lld:%lld:%lld%n", &account, &weight, &days, &vacant, &used) == 4) {
        parts[n].account_id = (uint64_t)account;
        parts[n].weight = weight;
        parts[n].occupied_days = (int32_t)days;
        parts[n].vacant = vacant != 0;
        n++;
        p += used;
    }
    assert_int_equal(n, 5);
    prepay_days_t start = day_of(tv_need(site, "period_start")), end = day_of(tv_need(site, "period_end"));
    prepay_allocation_request_t request = {residual.common, money, (int32_t)(end - start), PREPAY_ALLOCATION_VACANT_OWNER,
                                      (uint64_t)num(tv_need(site, "owner")), false};
    assert_int_equal(prepay_allocation_allocate(&request, parts, n, site_lines, 16, &site_line_count), PREPAY_OK);
    p = tv_need(site, "alloc_lines");
    long long energy, share;
    size_t k = 0;
    while (sscanf(p, " %lld:%lld:%lld%n", &account, &energy, &share, &used) == 3) {
        assert_true(k < site_line_count);
        assert_true(site_lines[k].account_id == (uint64_t)account);
        assert_int_equal(site_lines[k].energy, energy);
        assert_int_equal(site_lines[k].money, share);
        k++;
        p += used;
    }
    assert_int_equal(k, site_line_count);
    tv_free(&file);
}

static void test_month(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("billing_building_month.txt", &file);
    const tv_record_t *site = find(&file, "site");
    prepay_days_t start = day_of(tv_need(site, "period_start")), end = day_of(tv_need(site, "period_end"));

    prepay_charge_item_t items[4];
    prepay_billing_account_t accounts[8];
    size_t item_count = 0, account_count = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "item") == 0) {
            prepay_charge_item_t *it = &items[item_count++];
            memset(it, 0, sizeof *it);
            it->item_id = (uint16_t)num(tv_need(r, "item_id"));
            it->name = tv_need(r, "name");
            it->basis = basis_of(tv_need(r, "basis"));
            it->rate = num(tv_need(r, "rate"));
            it->schedule = schedule_of(tv_need(r, "schedule"));
            it->anchor = day_of(tv_need(r, "anchor"));
            it->effective_from = day_of(tv_need(r, "from"));
            it->effective_to = day_of(tv_need(r, "to"));
            it->proration = strcmp(tv_need(r, "prorate"), "day") == 0 ? PREPAY_BILLING_PRORATE_BY_DAY
                                                                      : PREPAY_BILLING_PRORATE_NONE;
            it->collection = strcmp(tv_need(r, "collect"), "bill") == 0 ? PREPAY_BILLING_COLLECT_BILL
                                                                        : PREPAY_BILLING_COLLECT_DEDUCT;
            it->account_id = (uint64_t)num(tv_need(r, "account"));
        } else if (strcmp(r->kind, "account") == 0) {
            prepay_billing_account_t *a = &accounts[account_count++];
            a->account_id = (uint64_t)num(tv_need(r, "id"));
            a->area = num(tv_need(r, "area"));
            a->units = num(tv_need(r, "units"));
            a->active_from = day_of(tv_need(r, "active_from"));
            a->active_to = day_of(tv_need(r, "active_to"));
        }
    }
    assert_int_equal(item_count, 2);
    assert_int_equal(account_count, 4);

    /* Charges due in October, then a second run that must add nothing. */
    prepay_charge_t charges[16];
    size_t charge_count = 0;
    static id_set_t ledger;
    ledger.count = 0;
    assert_int_equal(prepay_billing_run(start, end, items, item_count, accounts, account_count, id_set_lookup, &ledger,
                                        charges, 16, &charge_count),
                     PREPAY_OK);
    const tv_record_t *expect = find(&file, "charges");
    const char *p = tv_need(expect, "expect");
    long long account, item, occurrence, amount;
    int used = 0;
    size_t k = 0;
    while (sscanf(p, " %lld:%lld:%lld:%lld%n", &account, &item, &occurrence, &amount, &used) == 4) {
        assert_true(k < charge_count);
        assert_true(charges[k].account_id == (uint64_t)account);
        assert_int_equal(charges[k].item_id, item);
        assert_int_equal(charges[k].occurrence, occurrence);
        assert_int_equal(charges[k].amount, amount);
        assert_int_equal(id_set_post(&ledger, charges[k].charge_id), 0);
        k++;
        p += used;
    }
    assert_int_equal(k, charge_count);
    assert_true(charges[0].charge_id == (uint64_t)num(tv_need(expect, "first_id")));
    size_t again = 99;
    assert_int_equal(prepay_billing_run(start, end, items, item_count, accounts, account_count, id_set_lookup, &ledger,
                                        charges, 16, &again),
                     PREPAY_OK);
    assert_int_equal(again, 0);

    /* Recompute the allocation for the statement's common-area line. */
    test_common_area(NULL);

    const tv_record_t *sr = find(&file, "statement");
    uint64_t tenant = (uint64_t)num(tv_need(sr, "account"));
    prepay_statement_line_t storage[16];
    prepay_statement_t st;
    assert_int_equal(prepay_billing_statement_init(&st, tenant, start, end, num(tv_need(sr, "opening")), storage, 16),
                     PREPAY_OK);
    p = tv_need(sr, "energy");
    long long band, tier, wh;
    while (sscanf(p, " %lld:%lld:%lld:%lld%n", &band, &tier, &wh, &amount, &used) == 4) {
        prepay_statement_line_t line = {PREPAY_BILLING_LINE_ENERGY, (uint8_t)band, (uint8_t)tier, wh, amount, 0, start};
        assert_int_equal(prepay_billing_statement_add(&st, &line), PREPAY_OK);
        p += used;
    }
    for (size_t i = 0; i < site_line_count; i++) {
        if (site_lines[i].account_id == tenant) {
            prepay_statement_line_t line = {PREPAY_BILLING_LINE_COMMON_AREA, 0, 0, site_lines[i].energy,
                                            site_lines[i].money, 0, end - 1};
            assert_int_equal(prepay_billing_statement_add(&st, &line), PREPAY_OK);
        }
    }
    for (size_t i = 0; i < charge_count; i++) {
        if (charges[i].account_id == tenant && charges[i].collection == PREPAY_BILLING_COLLECT_BILL) {
            prepay_statement_line_t line = {PREPAY_BILLING_LINE_CHARGE_ITEM, 0, 0, 0, charges[i].amount,
                                            charges[i].charge_id, charges[i].covered_start};
            assert_int_equal(prepay_billing_statement_add(&st, &line), PREPAY_OK);
        }
    }
    p = tv_need(sr, "payments");
    char date[16];
    uint64_t payment_id = 1;
    while (sscanf(p, " %10[0-9-]:%lld%n", date, &amount, &used) == 2) {
        prepay_statement_line_t line = {PREPAY_BILLING_LINE_PAYMENT, 0, 0, 0, amount, payment_id++, day_of(date)};
        assert_int_equal(prepay_billing_statement_add(&st, &line), PREPAY_OK);
        p += used;
    }
    assert_int_equal(st.charges, num(tv_need(sr, "charges")));
    assert_int_equal(st.payments, num(tv_need(sr, "payments_total")));
    assert_int_equal(st.closing, num(tv_need(sr, "closing")));
    assert_int_equal(prepay_billing_statement_confirm(&st), PREPAY_OK);
    assert_int_equal(
        prepay_billing_statement_issue(&st, day_of(tv_need(sr, "issue_date")), day_of(tv_need(sr, "due_date"))),
        PREPAY_OK);

    prepay_arrears_item_t owed = {tenant, st.statement_id, st.due_date, st.closing};
    prepay_arrears_row_t row;
    size_t rows = 0;
    assert_int_equal(prepay_billing_arrears(&owed, 1, day_of(tv_need(sr, "as_of")), &row, 1, &rows), PREPAY_OK);
    assert_int_equal(rows, 1);
    size_t bucket = (size_t)num(tv_need(sr, "bucket"));
    for (size_t b = 0; b < PREPAY_BILLING_ARREARS_BUCKETS; b++) {
        assert_int_equal(row.buckets[b], b == bucket ? st.closing : 0);
    }
    tv_free(&file);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common_area),
        cmocka_unit_test(test_month),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
