/* SPDX-License-Identifier: MIT */
/*
 * Charge items and cycle runs: schedule and proration known answers
 * (tests/vectors/billing_schedule.txt), contract errors, and idempotency
 * properties (a repeated or overlapping run charges nothing twice; split runs
 * equal one long run).
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
#include "prepay/billing.h"
#include "prepay/status.h"
#include "test_support.h"

static void test_add_months_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("billing_schedule.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "add_months") != 0) {
            continue;
        }
        prepay_days_t out = 0;
        assert_int_equal(prepay_billing_add_months(day_of(tv_need(r, "date")), (int32_t)num(tv_need(r, "months")), &out),
                         PREPAY_OK);
        if (out != day_of(tv_need(r, "result"))) {
            fail_msg("line %d: got day %d", r->line, (int)out);
        }
        checked++;
    }
    assert_true(checked >= 6);
    prepay_days_t out = 5;
    assert_int_equal(prepay_billing_add_months(0, -1, &out), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_add_months(0, 1, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_add_months(day_of("9999-12-01"), 1, &out), PREPAY_E_BAD_DATE);
    assert_int_equal(out, 5);
    tv_free(&file);
}

static void item_from_record(const tv_record_t *r, prepay_charge_item_t *item)
{
    memset(item, 0, sizeof *item);
    item->item_id = 7;
    item->name = "item";
    item->basis = basis_of(tv_need(r, "basis"));
    item->rate = num(tv_need(r, "rate"));
    item->schedule = schedule_of(tv_need(r, "schedule"));
    item->anchor = day_of(tv_need(r, "anchor"));
    item->effective_from = day_of(tv_need(r, "from"));
    item->effective_to = day_of(tv_need(r, "to"));
    item->proration = strcmp(tv_need(r, "prorate"), "day") == 0 ? PREPAY_BILLING_PRORATE_BY_DAY
                                                                : PREPAY_BILLING_PRORATE_NONE;
    item->collection = PREPAY_BILLING_COLLECT_BILL;
}

static void test_charge_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("billing_schedule.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "charge") != 0) {
            continue;
        }
        prepay_charge_item_t item;
        item_from_record(r, &item);
        prepay_billing_account_t account = {42, num(tv_need(r, "area")), num(tv_need(r, "units")),
                                            day_of(tv_need(r, "active_from")), day_of(tv_need(r, "active_to"))};
        prepay_charge_t charges[4];
        size_t count = 99;
        int status = prepay_billing_run(day_of(tv_need(r, "run_start")), day_of(tv_need(r, "run_end")), &item, 1,
                                        &account, 1, NULL, NULL, charges, 4, &count);
        if (status != PREPAY_OK) {
            fail_msg("line %d (%s): status %d", r->line, tv_need(r, "source"), status);
        }
        if ((int64_t)count != num(tv_need(r, "count"))) {
            fail_msg("line %d (%s): %zu charges", r->line, tv_need(r, "source"), count);
        }
        if (count == 1) {
            const prepay_charge_t *c = &charges[0];
            if (c->amount != num(tv_need(r, "amount")) || c->occurrence != num(tv_need(r, "occurrence")) ||
                c->covered_start != day_of(tv_need(r, "covered_start")) ||
                c->covered_end != day_of(tv_need(r, "covered_end"))) {
                fail_msg("line %d (%s): amount %lld occurrence %u covered %d..%d", r->line, tv_need(r, "source"),
                         (long long)c->amount, (unsigned)c->occurrence, (int)c->covered_start, (int)c->covered_end);
            }
            uint64_t id = 0;
            assert_int_equal(prepay_billing_charge_id(42, 7, c->occurrence, &id), PREPAY_OK);
            assert_true(c->charge_id == id);
            assert_true(c->account_id == 42 && c->item_id == 7);
            assert_string_equal(c->name, "item");
        }
        checked++;
    }
    assert_true(checked >= 13);
    tv_free(&file);
}

static void test_charge_id(void **state)
{
    (void)state;
    uint64_t id = 0;
    assert_int_equal(prepay_billing_charge_id(1, 1, 0, &id), PREPAY_OK);
    assert_true(id == ((uint64_t)1 << 32 | 1u << 16));
    assert_int_equal(prepay_billing_charge_id(0xFFFFFFFFu, 0xFFFF, 0xFFFF, &id), PREPAY_OK);
    assert_true(id == UINT64_MAX);
    assert_int_equal(prepay_billing_charge_id(0, 1, 0, &id), PREPAY_E_BILLING_ID_RANGE);
    assert_int_equal(prepay_billing_charge_id((uint64_t)1 << 32, 1, 0, &id), PREPAY_E_BILLING_ID_RANGE);
    assert_int_equal(prepay_billing_charge_id(1, 0, 0, &id), PREPAY_E_BILLING_ID_RANGE);
    assert_int_equal(prepay_billing_charge_id(1, 1, 0, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_true(id == UINT64_MAX);
    /* Packing is injective: neighbouring fields never collide. */
    uint64_t a, b;
    assert_int_equal(prepay_billing_charge_id(2, 1, 0, &a), PREPAY_OK);
    assert_int_equal(prepay_billing_charge_id(1, 0xFFFF, 0xFFFF, &b), PREPAY_OK);
    assert_true(a > b);
}

static prepay_charge_item_t monthly_fee(uint16_t id)
{
    prepay_charge_item_t item;
    memset(&item, 0, sizeof item);
    item.item_id = id;
    item.name = "fee";
    item.basis = PREPAY_BILLING_FIXED;
    item.rate = 1000;
    item.schedule = PREPAY_BILLING_MONTHLY;
    item.anchor = day_of("2026-01-01");
    item.effective_from = day_of("2026-01-01");
    item.effective_to = day_of("2100-01-01");
    item.proration = PREPAY_BILLING_PRORATE_BY_DAY;
    item.collection = PREPAY_BILLING_COLLECT_DEDUCT;
    return item;
}

static void test_run_errors(void **state)
{
    (void)state;
    prepay_charge_item_t items[2] = {monthly_fee(1), monthly_fee(2)};
    prepay_billing_account_t accounts[2] = {{5, 100, 1, 0, day_of("2100-01-01")}, {6, 100, 1, 0, day_of("2100-01-01")}};
    prepay_charge_t charges[8];
    memset(charges, 0x44, sizeof charges);
    prepay_charge_t before[8];
    memcpy(before, charges, sizeof charges);
    size_t count = 1234;
    prepay_days_t s = day_of("2026-10-01"), e = day_of("2026-11-01");
    assert_int_equal(prepay_billing_run(s, e, NULL, 1, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, NULL, 8, &count),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_run(e, s, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_BILLING_BAD_PERIOD);
    items[1].item_id = 1;
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_BILLING_DUPLICATE);
    items[1].item_id = 0;
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_BILLING_ID_RANGE);
    items[1] = monthly_fee(2);
    items[1].schedule = (prepay_charge_schedule_t)9;
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_BILLING_BAD_ITEM);
    items[1] = monthly_fee(2);
    items[1].effective_to = items[1].effective_from;
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_BILLING_BAD_ITEM);
    items[1] = monthly_fee(2);
    accounts[1].account_id = 5;
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_BILLING_DUPLICATE);
    accounts[1].account_id = (uint64_t)1 << 32;
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_BILLING_ID_RANGE);
    accounts[1].account_id = 6;
    accounts[1].area = -1;
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_BILLING_BAD_ITEM);
    accounts[1].area = 100;
    accounts[1].active_to = -5;
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_BILLING_BAD_PERIOD);
    accounts[1].active_to = day_of("2100-01-01");
    items[0].rate = INT64_MAX;
    items[0].basis = PREPAY_BILLING_PER_UNIT;
    accounts[0].units = 3;
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count),
                     PREPAY_E_OVERFLOW);
    /* Schedules beyond 65535 occurrences cannot be given ids. */
    items[0] = monthly_fee(1);
    accounts[0].active_to = day_of("9000-01-01");
    items[0].effective_to = day_of("9000-01-01");
    assert_int_equal(prepay_billing_run(day_of("8000-01-01"), day_of("8000-02-01"), items, 1, accounts, 1, NULL,
                                        NULL, charges, 8, &count),
                     PREPAY_E_BILLING_ID_RANGE);
    accounts[0].active_to = day_of("2100-01-01");
    assert_memory_equal(charges, before, sizeof charges);
    assert_int_equal(count, 1234);
    /* Too small: the count needed is reported. */
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 3, &count),
                     PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(count, 4);
    assert_int_equal(prepay_billing_run(s, e, items, 2, accounts, 2, NULL, NULL, charges, 8, &count), PREPAY_OK);
    assert_int_equal(count, 4);
    assert_string_not_equal(prepay_strerror(PREPAY_E_BILLING_DUPLICATE), "unknown status");
}

static int failing_lookup(void *context, uint64_t id)
{
    (void)context;
    (void)id;
    return PREPAY_E_NOT_FOUND;
}

static void test_lookup_errors_pass_through(void **state)
{
    (void)state;
    prepay_charge_item_t item = monthly_fee(1);
    prepay_billing_account_t account = {5, 100, 1, 0, day_of("2100-01-01")};
    prepay_charge_t charges[2];
    size_t count = 17;
    assert_int_equal(prepay_billing_run(day_of("2026-10-01"), day_of("2026-11-01"), &item, 1, &account, 1,
                                        failing_lookup, NULL, charges, 2, &count),
                     PREPAY_E_NOT_FOUND);
    assert_int_equal(count, 17);
}

/* Random sites: items of every kind, accounts moving in and out. */
static size_t random_site(uint64_t *rng, prepay_charge_item_t *items, size_t max_items,
                          prepay_billing_account_t *accounts, size_t *account_count)
{
    size_t n = 1 + (size_t)(prng_next(rng) % max_items);
    prepay_days_t base = day_of("2025-01-01");
    for (size_t i = 0; i < n; i++) {
        prepay_charge_item_t *it = &items[i];
        memset(it, 0, sizeof *it);
        it->item_id = (uint16_t)(i + 1);
        it->basis = (prepay_charge_basis_t)(prng_next(rng) % 3);
        it->rate = (int64_t)(prng_next(rng) % 100000) - 10000;
        it->schedule = (prepay_charge_schedule_t)(prng_next(rng) % 4);
        it->anchor = base + (prepay_days_t)(prng_next(rng) % 700);
        it->effective_from = base + (prepay_days_t)(prng_next(rng) % 400);
        it->effective_to = it->effective_from + 1 + (prepay_days_t)(prng_next(rng) % 900);
        it->proration = (prepay_charge_proration_t)(prng_next(rng) % 2);
        it->collection = (prepay_charge_collection_t)(prng_next(rng) % 2);
        it->account_id = prng_next(rng) % 5 == 0 ? 1 + prng_next(rng) % 4 : 0;
    }
    *account_count = 1 + (size_t)(prng_next(rng) % 4);
    for (size_t a = 0; a < *account_count; a++) {
        accounts[a].account_id = a + 1;
        accounts[a].area = (int64_t)(prng_next(rng) % 20000);
        accounts[a].units = (int64_t)(prng_next(rng) % 4);
        accounts[a].active_from = base + (prepay_days_t)(prng_next(rng) % 500);
        accounts[a].active_to = accounts[a].active_from + (prepay_days_t)(prng_next(rng) % 800);
    }
    return n;
}

#define RUN_CAP 1024

static void test_idempotency_properties(void **state)
{
    (void)state;
    uint64_t rng = 7;
    static prepay_charge_t charges[RUN_CAP], again[RUN_CAP];
    static id_set_t ledger, long_run;
    prepay_days_t begin = day_of("2025-01-01"), finish = day_of("2028-01-01");
    size_t total_charges = 0;
    for (int iteration = 0; iteration < 200; iteration++) {
        prepay_charge_item_t items[6];
        prepay_billing_account_t accounts[4];
        size_t account_count;
        size_t item_count = random_site(&rng, items, 6, accounts, &account_count);

        /* One long run over the whole span. */
        long_run.count = 0;
        size_t count = 0;
        assert_int_equal(prepay_billing_run(begin, finish, items, item_count, accounts, account_count, NULL, NULL,
                                            charges, RUN_CAP, &count),
                         PREPAY_OK);
        for (size_t c = 0; c < count; c++) {
            assert_int_equal(id_set_post(&long_run, charges[c].charge_id), 0); /* ids unique in a run */
        }
        /* Month by month with overlapping, repeated and random-length runs,
         * posting to a ledger that rejects duplicate ids. */
        ledger.count = 0;
        prepay_days_t at = begin;
        while (at < finish) {
            prepay_days_t next = at + 1 + (prepay_days_t)(prng_next(&rng) % 45);
            if (next > finish) {
                next = finish;
            }
            prepay_days_t from = at - (prepay_days_t)(prng_next(&rng) % 20); /* overlap the previous run */
            if (from < begin) {
                from = begin;
            }
            assert_int_equal(prepay_billing_run(from, next, items, item_count, accounts, account_count, id_set_lookup,
                                                &ledger, charges, RUN_CAP, &count),
                             PREPAY_OK);
            for (size_t c = 0; c < count; c++) {
                assert_int_equal(id_set_post(&ledger, charges[c].charge_id), 0); /* never a duplicate */
                /* Same charge, same amount as the long run. */
                assert_int_equal(id_set_lookup(&long_run, charges[c].charge_id), 1);
            }
            /* Running the same period again changes nothing. */
            size_t repeat = 99;
            assert_int_equal(prepay_billing_run(from, next, items, item_count, accounts, account_count,
                                                id_set_lookup, &ledger, again, RUN_CAP, &repeat),
                             PREPAY_OK);
            assert_int_equal(repeat, 0);
            at = next;
        }
        assert_int_equal(ledger.count, long_run.count);
        total_charges += long_run.count;
    }
    assert_true(total_charges > 1000); /* the random sites do produce charges */
}

/* Without a lookup, a repeated run returns the identical charges (same ids, amounts). */
static void test_repeat_is_identical(void **state)
{
    (void)state;
    uint64_t rng = 99;
    static prepay_charge_t first[RUN_CAP], second[RUN_CAP];
    for (int iteration = 0; iteration < 100; iteration++) {
        prepay_charge_item_t items[6];
        prepay_billing_account_t accounts[4];
        size_t account_count;
        size_t item_count = random_site(&rng, items, 6, accounts, &account_count);
        size_t n1 = 0, n2 = 0;
        prepay_days_t s = day_of("2025-06-01"), e = day_of("2026-06-01");
        assert_int_equal(prepay_billing_run(s, e, items, item_count, accounts, account_count, NULL, NULL, first,
                                            RUN_CAP, &n1),
                         PREPAY_OK);
        assert_int_equal(prepay_billing_run(s, e, items, item_count, accounts, account_count, NULL, NULL, second,
                                            RUN_CAP, &n2),
                         PREPAY_OK);
        assert_int_equal(n1, n2);
        for (size_t c = 0; c < n1; c++) {
            assert_true(first[c].charge_id == second[c].charge_id);
            assert_int_equal(first[c].amount, second[c].amount);
            assert_true(first[c].covered_start >= s && first[c].covered_start < e);
            assert_true(first[c].covered_start < first[c].covered_end);
        }
    }
}

static int by_charge_id(const void *x, const void *y)
{
    uint64_t a = ((const prepay_charge_t *)x)->charge_id, b = ((const prepay_charge_t *)y)->charge_id;
    return a < b ? -1 : (a > b ? 1 : 0);
}

/* Accounts in increasing id order take the O(n) checks and the bisecting
 * lookups; the same accounts in another order take the O(n^2) ones. Both
 * must give the same charges, and both must refuse a repeated id. */
static void test_sorted_and_unsorted_paths_agree(void **state)
{
    (void)state;
    uint64_t rng = 99;
    static prepay_charge_t fast[RUN_CAP], slow[RUN_CAP];
    prepay_days_t begin = day_of("2025-01-01"), finish = day_of("2027-01-01");
    for (int iteration = 0; iteration < 300; iteration++) {
        prepay_charge_item_t items[6];
        prepay_billing_account_t accounts[4], reversed[4];
        size_t account_count;
        size_t item_count = random_site(&rng, items, 6, accounts, &account_count);
        for (size_t a = 0; a < account_count; a++) {
            reversed[a] = accounts[account_count - 1 - a];
        }
        size_t n_fast = 0, n_slow = 0;
        int s1 = prepay_billing_run(begin, finish, items, item_count, accounts, account_count, NULL, NULL, fast,
                                    RUN_CAP, &n_fast);
        int s2 = prepay_billing_run(begin, finish, items, item_count, reversed, account_count, NULL, NULL, slow,
                                    RUN_CAP, &n_slow);
        assert_int_equal(s1, s2);
        if (s1 != PREPAY_OK) {
            continue;
        }
        assert_int_equal(n_fast, n_slow);
        qsort(fast, n_fast, sizeof *fast, by_charge_id);
        qsort(slow, n_slow, sizeof *slow, by_charge_id);
        for (size_t c = 0; c < n_fast; c++) {
            assert_true(fast[c].charge_id == slow[c].charge_id);
            assert_int_equal(fast[c].amount, slow[c].amount);
        }
    }
    /* Repeated ids, adjacent or not, in either path. */
    prepay_charge_item_t items[2] = {monthly_fee(1), monthly_fee(1)};
    prepay_billing_account_t acc[3] = {{5, 100, 1, 0, day_of("2100-01-01")},
                                       {5, 100, 1, 0, day_of("2100-01-01")},
                                       {6, 100, 1, 0, day_of("2100-01-01")}};
    size_t count = 0;
    prepay_days_t s = day_of("2026-10-01"), e = day_of("2026-11-01");
    assert_int_equal(prepay_billing_run(s, e, items, 1, acc, 3, NULL, NULL, fast, RUN_CAP, &count),
                     PREPAY_E_BILLING_DUPLICATE);
    acc[1].account_id = 7;
    acc[2].account_id = 5;
    assert_int_equal(prepay_billing_run(s, e, items, 1, acc, 3, NULL, NULL, fast, RUN_CAP, &count),
                     PREPAY_E_BILLING_DUPLICATE);
    acc[2].account_id = 8;
    assert_int_equal(prepay_billing_run(s, e, items, 2, acc, 3, NULL, NULL, fast, RUN_CAP, &count),
                     PREPAY_E_BILLING_DUPLICATE);
    items[1].item_id = 2;
    assert_int_equal(prepay_billing_run(s, e, items, 2, acc, 3, NULL, NULL, fast, RUN_CAP, &count), PREPAY_OK);
    assert_int_equal(count, 6);
}

/* The arrears of items in account order (the O(n) pass) equal those of the same items shuffled. */
static void test_arrears_orders_agree(void **state)
{
    (void)state;
    uint64_t rng = 5;
    for (int iteration = 0; iteration < 300; iteration++) {
        prepay_arrears_item_t items[24], shuffled[24];
        size_t n = 1 + (size_t)(prng_next(&rng) % 24);
        for (size_t i = 0; i < n; i++) {
            items[i].account_id = 1 + prng_next(&rng) % 6;
            items[i].statement_id = i;
            items[i].due_date = day_of("2026-01-01") + (prepay_days_t)(prng_next(&rng) % 200);
            items[i].outstanding = (int64_t)(prng_next(&rng) % 3000) - 500;
        }
        /* Sort by account (insertion sort keeps the order within an account). */
        for (size_t i = 1; i < n; i++) {
            prepay_arrears_item_t x = items[i];
            size_t j = i;
            while (j > 0 && items[j - 1].account_id > x.account_id) {
                items[j] = items[j - 1];
                j--;
            }
            items[j] = x;
        }
        memcpy(shuffled, items, n * sizeof *items);
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(prng_next(&rng) % i);
            prepay_arrears_item_t t = shuffled[i - 1];
            shuffled[i - 1] = shuffled[j];
            shuffled[j] = t;
        }
        prepay_arrears_row_t a[8], b[8];
        size_t na = 0, nb = 0;
        prepay_days_t as_of = day_of("2026-05-01");
        assert_int_equal(prepay_billing_arrears(items, n, as_of, a, 8, &na), PREPAY_OK);
        assert_int_equal(prepay_billing_arrears(shuffled, n, as_of, b, 8, &nb), PREPAY_OK);
        assert_int_equal(na, nb);
        for (size_t r = 0; r < na; r++) {
            if (r > 0) {
                assert_true(a[r - 1].account_id < a[r].account_id); /* first appearance = account order */
            }
            size_t k = 0;
            while (k < nb && b[k].account_id != a[r].account_id) {
                k++;
            }
            assert_true(k < nb);
            assert_int_equal(a[r].total, b[k].total);
            assert_int_equal(a[r].not_due, b[k].not_due);
            assert_memory_equal(a[r].buckets, b[k].buckets, sizeof a[r].buckets);
            assert_int_equal(a[r].oldest_days, b[k].oldest_days);
            assert_int_equal(a[r].items, b[k].items);
        }
        if (na > 1) {
            size_t small = 0;
            assert_int_equal(prepay_billing_arrears(items, n, as_of, a, na - 1, &small), PREPAY_E_BUFFER_TOO_SMALL);
            assert_int_equal(small, na);
        }
    }
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_months_vectors),
        cmocka_unit_test(test_charge_vectors),
        cmocka_unit_test(test_charge_id),
        cmocka_unit_test(test_run_errors),
        cmocka_unit_test(test_lookup_errors_pass_through),
        cmocka_unit_test(test_idempotency_properties),
        cmocka_unit_test(test_repeat_is_identical),
        cmocka_unit_test(test_sorted_and_unsorted_paths_agree),
        cmocka_unit_test(test_arrears_orders_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
