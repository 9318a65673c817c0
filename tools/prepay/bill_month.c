/* SPDX-License-Identifier: MIT */
/*
 * prepay bill: computing the month of a parsed site (see bill.h).
 *
 * Steps: master minus sub-meters (prepay_allocation_residual), the common energy
 * priced once (prepay_allocation_price_energy, or a given charge), split by the
 * chosen basis (prepay_allocation_allocate), charge items due in the period
 * (prepay_billing_run), a statement per postpaid account (energy lines from
 * the input, common-area line, billed items, payments), issued; and the
 * arrears list as of a date (earlier unpaid items plus the new closings).
 * Each step is linear in accounts and lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bill.h"
#include "prepay/fixed_point.h"
#include "prepay/hosted_status.h"
#include "prepay/status.h"

/* ---- the month ----------------------------------------------------------------- */

static int64_t part_weight(const bill_t *b, const bill_account_t *a)
{
    switch (b->basis) {
    case BILL_BASIS_EQUAL: return 1;
    case BILL_BASIS_USAGE: return a->sub_meter;
    case BILL_BASIS_RATIO: return a->ratio;
    default: return a->area;
    }
}

static int32_t occupied_days(const bill_t *b, const bill_account_t *a)
{
    prepay_days_t from = a->occupied_from > b->start ? a->occupied_from : b->start;
    prepay_days_t to = a->occupied_to < b->end ? a->occupied_to : b->end;
    return to > from ? (int32_t)(to - from) : 0;
}

static bool common_area(bill_t *b)
{
    prepay_energy_t *subs = calloc(b->account_count, sizeof *subs);
    if (!subs) {
        return bill_fail(b, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < b->account_count; i++) {
        subs[i] = b->accounts[i].sub_meter;
    }
    int status = prepay_allocation_residual(b->master, subs, b->account_count, b->carried_in, b->residual_policy,
                                       &b->residual);
    free(subs);
    if (status != PREPAY_OK) {
        return bill_fail(b, status, "common consumption: %s", prepay_strerror(status));
    }
    if (b->have_price) {
        status = prepay_allocation_price_energy(b->residual.common, b->price, PREPAY_ROUND_HALF_UP, &b->common_money);
        if (status != PREPAY_OK) {
            return bill_fail(b, status, "pricing the common energy: %s", prepay_strerror(status));
        }
    } else {
        b->common_money = b->charge;
    }
    prepay_allocation_part_t *parts = calloc(b->account_count, sizeof *parts);
    b->lines = calloc(2 * b->account_count, sizeof *b->lines);
    if (!parts || !b->lines) {
        free(parts);
        return bill_fail(b, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < b->account_count; i++) {
        parts[i].account_id = b->accounts[i].id;
        parts[i].weight = part_weight(b, &b->accounts[i]);
        parts[i].occupied_days = occupied_days(b, &b->accounts[i]);
        parts[i].vacant = b->accounts[i].vacant;
    }
    prepay_allocation_request_t request = {b->residual.common, b->common_money,
                                      b->by_days ? (int32_t)(b->end - b->start) : 0,
                                      b->vacancy,         b->owner,
                                      b->owner_pays_unoccupied};
    if (b->residual.common == 0 && b->common_money == 0) {
        /* Nothing to split (e.g. a clamped or carried fault): one zero line per part. */
        for (size_t i = 0; i < b->account_count; i++) {
            b->lines[i].part_index = i;
            b->lines[i].account_id =
                parts[i].vacant && b->vacancy == PREPAY_ALLOCATION_VACANT_OWNER ? b->owner : parts[i].account_id;
        }
        b->line_count = b->account_count;
        status = PREPAY_OK;
    } else {
        status = prepay_allocation_allocate(&request, parts, b->account_count, b->lines, 2 * b->account_count,
                                       &b->line_count);
    }
    free(parts);
    if (status != PREPAY_OK) {
        return bill_fail(b, status, "splitting the common charge: %s", prepay_strerror(status));
    }
    return true;
}

static int by_account_id(const void *x, const void *y)
{
    uint64_t a = ((const prepay_billing_account_t *)x)->account_id;
    uint64_t c = ((const prepay_billing_account_t *)y)->account_id;
    return a < c ? -1 : (a > c ? 1 : 0);
}

/* Charge items due in the period; vacant accounts are not billed. The
 * accounts go in increasing id order: the library's linear path. */
static bool charge_items(bill_t *b)
{
    prepay_billing_account_t *billed = calloc(b->account_count, sizeof *billed);
    if (!billed) {
        return bill_fail(b, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    size_t billed_count = 0;
    for (size_t i = 0; i < b->account_count; i++) {
        const bill_account_t *a = &b->accounts[i];
        if (a->vacant) {
            continue;
        }
        prepay_billing_account_t *x = &billed[billed_count++];
        x->account_id = a->id;
        x->area = a->area;
        x->units = a->units;
        x->active_from = a->occupied_from;
        x->active_to = a->occupied_to;
    }
    qsort(billed, billed_count, sizeof *billed, by_account_id);
    size_t needed = 0;
    prepay_charge_t probe;
    int status = prepay_billing_run(b->start, b->end, b->items, b->item_count, billed, billed_count, NULL, NULL, &probe,
                                    0, &needed);
    if (status == PREPAY_E_BUFFER_TOO_SMALL || status == PREPAY_OK) {
        b->charges = calloc(needed ? needed : 1, sizeof *b->charges);
        status = b->charges ? prepay_billing_run(b->start, b->end, b->items, b->item_count, billed, billed_count, NULL,
                                                 NULL, b->charges, needed, &b->charge_count)
                            : PREPAY_E_CAPACITY;
    }
    free(billed);
    if (status != PREPAY_OK) {
        return bill_fail(b, status, "charge items: %s", prepay_strerror(status));
    }
    return true;
}

/* Groups n things by account: start[a] .. start[a + 1] index order[] (stable, O(n + accounts)). */
typedef struct groups {
    size_t *start; /* account_count + 1 */
    size_t *order; /* n */
} groups_t;

static bool group(bill_t *b, size_t n, size_t (*account_of)(const bill_t *, size_t), groups_t *g)
{
    g->start = calloc(b->account_count + 2, sizeof *g->start);
    g->order = calloc(n + 1, sizeof *g->order);
    if (!g->start || !g->order) {
        return bill_fail(b, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t a = account_of(b, i);
        if (a != SIZE_MAX) {
            g->start[a + 2]++;
        }
    }
    for (size_t a = 0; a < b->account_count; a++) {
        g->start[a + 2] += g->start[a + 1];
    }
    for (size_t i = 0; i < n; i++) {
        size_t a = account_of(b, i);
        if (a != SIZE_MAX) {
            g->order[g->start[a + 1]++] = i;
        }
    }
    return true;
}

static void groups_free(groups_t *g)
{
    free(g->start);
    free(g->order);
}

static size_t energy_account(const bill_t *b, size_t i)
{
    return b->energy[i].account;
}

static size_t payment_account(const bill_t *b, size_t i)
{
    return b->payments[i].account;
}

static size_t line_account(const bill_t *b, size_t i)
{
    return bill_index_get(&b->index, b->lines[i].account_id);
}

static size_t charge_account(const bill_t *b, size_t i)
{
    const prepay_charge_t *c = &b->charges[i];
    return c->collection == PREPAY_BILLING_COLLECT_BILL ? bill_index_get(&b->index, c->account_id) : SIZE_MAX;
}

static size_t group_size(const groups_t *g, size_t a)
{
    return g->start[a + 1] - g->start[a];
}

/* One statement per postpaid account, with exactly its own lines. */
static bool statements(bill_t *b)
{
    groups_t energy = {0}, pays = {0}, lines = {0}, charges = {0};
    bool ok = group(b, b->energy_count, energy_account, &energy) &&
              group(b, b->payment_count, payment_account, &pays) && group(b, b->line_count, line_account, &lines) &&
              group(b, b->charge_count, charge_account, &charges);
    size_t total = 0;
    for (size_t a = 0; ok && a < b->account_count; a++) {
        if (b->accounts[a].postpaid) {
            total += group_size(&energy, a) + group_size(&pays, a) + group_size(&lines, a) + group_size(&charges, a);
        }
    }
    if (ok) {
        b->statements = calloc(b->account_count, sizeof *b->statements);
        b->statement_lines = calloc(total + 1, sizeof *b->statement_lines);
        b->statement_line_total = total;
        ok = (b->statements && b->statement_lines) || bill_fail(b, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    size_t used = 0;
    for (size_t a = 0; ok && a < b->account_count; a++) {
        const bill_account_t *acc = &b->accounts[a];
        if (!acc->postpaid) {
            continue;
        }
        size_t cap = group_size(&energy, a) + group_size(&pays, a) + group_size(&lines, a) + group_size(&charges, a);
        prepay_statement_t *st = &b->statements[b->statement_count];
        int status = prepay_billing_statement_init(st, acc->id, b->start, b->end, acc->opening,
                                                   b->statement_lines + used, cap);
        used += cap;
        for (size_t k = energy.start[a]; status == PREPAY_OK && k < energy.start[a + 1]; k++) {
            const bill_energy_line_t *e = &b->energy[energy.order[k]];
            prepay_statement_line_t line = {PREPAY_BILLING_LINE_ENERGY, e->band, e->tier, e->wh, e->amount, 0,
                                            b->start};
            status = prepay_billing_statement_add(st, &line);
        }
        for (size_t k = lines.start[a]; status == PREPAY_OK && k < lines.start[a + 1]; k++) {
            const prepay_allocation_line_t *l = &b->lines[lines.order[k]];
            prepay_statement_line_t line = {PREPAY_BILLING_LINE_COMMON_AREA, 0, 0, l->energy, l->money, 0, b->end - 1};
            status = prepay_billing_statement_add(st, &line);
        }
        for (size_t k = charges.start[a]; status == PREPAY_OK && k < charges.start[a + 1]; k++) {
            const prepay_charge_t *c = &b->charges[charges.order[k]];
            prepay_statement_line_t line = {PREPAY_BILLING_LINE_CHARGE_ITEM, 0, 0, 0, c->amount, c->charge_id,
                                            c->covered_start};
            status = prepay_billing_statement_add(st, &line);
        }
        for (size_t k = pays.start[a]; status == PREPAY_OK && k < pays.start[a + 1]; k++) {
            const bill_payment_t *p = &b->payments[pays.order[k]];
            prepay_statement_line_t line = {PREPAY_BILLING_LINE_PAYMENT, 0, 0, 0, p->amount, p->id, p->date};
            status = prepay_billing_statement_add(st, &line);
        }
        if (status == PREPAY_OK) {
            status = prepay_billing_statement_confirm(st);
        }
        if (status == PREPAY_OK) {
            status = prepay_billing_statement_issue(st, b->issue_date, b->due_date);
        }
        if (status != PREPAY_OK) {
            ok = bill_fail(b, status, "statement of account %" PRIu64 ": %s", acc->id, prepay_strerror(status));
        } else {
            b->statement_count++;
        }
    }
    groups_free(&energy);
    groups_free(&pays);
    groups_free(&lines);
    groups_free(&charges);
    return ok;
}

/* Arrears: earlier unpaid items plus this month's closings, aged one
 * account at a time (rows in order of each account's first amount owed). */
static bool arrears(bill_t *b)
{
    size_t n = b->old_arrears_count + b->statement_count;
    prepay_arrears_item_t *owed = calloc(n + 1, sizeof *owed);
    prepay_arrears_item_t *sorted = calloc(n + 1, sizeof *sorted);
    size_t *group_of = calloc(n + 1, sizeof *group_of);
    size_t *start = calloc(n + 2, sizeof *start);
    b->rows = calloc(n + 1, sizeof *b->rows);
    bill_index_t seen = {0};
    bool ok = owed && sorted && group_of && start && b->rows;
    if (ok) {
        ok = bill_index_init(&seen, n);
    }
    if (!ok) {
        bill_fail(b, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    size_t groups = 0;
    for (size_t i = 0; ok && i < n; i++) {
        if (i < b->old_arrears_count) {
            owed[i] = b->old_arrears[i];
        } else {
            const prepay_statement_t *st = &b->statements[i - b->old_arrears_count];
            owed[i].account_id = st->account_id;
            owed[i].statement_id = st->statement_id;
            owed[i].due_date = st->due_date;
            owed[i].outstanding = st->closing;
        }
        if (owed[i].outstanding <= 0) {
            group_of[i] = SIZE_MAX; /* nothing owed: no row, and no place in the order of rows */
            continue;
        }
        uint64_t key = owed[i].account_id; /* 1 .. 2^32 - 1, checked when read */
        size_t g = bill_index_get(&seen, key);
        if (g == SIZE_MAX) {
            g = groups++;
            (void)bill_index_put(&seen, key, g);
        }
        group_of[i] = g;
        start[g + 2]++;
    }
    for (size_t g = 0; ok && g < groups; g++) {
        start[g + 2] += start[g + 1];
    }
    for (size_t i = 0; ok && i < n; i++) {
        if (group_of[i] != SIZE_MAX) {
            sorted[start[group_of[i] + 1]++] = owed[i];
        }
    }
    for (size_t g = 0; ok && g < groups; g++) {
        size_t count = 0;
        int status = prepay_billing_arrears(sorted + start[g], start[g + 1] - start[g], b->as_of,
                                            &b->rows[b->row_count], 1, &count);
        if (status != PREPAY_OK) {
            ok = bill_fail(b, status, "arrears: %s", prepay_strerror(status));
        }
        b->row_count += count;
    }
    free(owed);
    free(sorted);
    free(group_of);
    free(start);
    bill_index_free(&seen);
    return ok;
}

int bill_run(bill_t *b)
{
    return common_area(b) && charge_items(b) && statements(b) && arrears(b) ? 0 : -1;
}

void bill_free(bill_t *b)
{
    free(b->accounts);
    bill_index_free(&b->index);
    free(b->items);
    free(b->energy);
    free(b->payments);
    free(b->old_arrears);
    free(b->lines);
    free(b->charges);
    free(b->statements);
    free(b->statement_lines);
    free(b->rows);
    json_decref(b->root);
    memset(b, 0, sizeof *b);
}
