/* SPDX-License-Identifier: MIT */
/*
 * Postpaid statements and arrears: state machine, immutability of issued
 * statements (seal), corrections by adjustment, the closing identity over
 * random statements, and arrears known answers (tests/vectors/billing_arrears.txt).
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

static prepay_statement_line_t line_of(prepay_statement_line_kind_t kind, prepay_money_t amount)
{
    prepay_statement_line_t line;
    memset(&line, 0, sizeof line);
    line.kind = kind;
    line.amount = amount;
    return line;
}

static void test_state_machine(void **state)
{
    (void)state;
    prepay_statement_line_t storage[4];
    prepay_statement_t st;
    assert_int_equal(prepay_billing_statement_init(&st, 7, 100, 131, 500, storage, 4), PREPAY_OK);
    assert_true(st.statement_id == ((uint64_t)7 << 32 | 100u));
    assert_int_equal(st.state, PREPAY_BILLING_DRAFT);
    assert_int_equal(st.closing, 500);
    prepay_statement_line_t energy = line_of(PREPAY_BILLING_LINE_ENERGY, 1200);
    energy.band = 1;
    energy.tier = 2;
    energy.energy = 2000;
    prepay_statement_line_t pay = line_of(PREPAY_BILLING_LINE_PAYMENT, 700);
    assert_int_equal(prepay_billing_statement_add(&st, &energy), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_add(&st, &pay), PREPAY_OK);
    assert_int_equal(st.charges, 1200);
    assert_int_equal(st.payments, 700);
    assert_int_equal(st.closing, 500 + 1200 - 700);
    /* Not from draft straight to issued; no reopen of a draft. */
    assert_int_equal(prepay_billing_statement_issue(&st, 131, 145), PREPAY_E_BILLING_BAD_TRANSITION);
    assert_int_equal(prepay_billing_statement_reopen(&st), PREPAY_E_BILLING_BAD_TRANSITION);
    assert_int_equal(prepay_billing_statement_confirm(&st), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_confirm(&st), PREPAY_E_BILLING_BAD_TRANSITION);
    assert_int_equal(prepay_billing_statement_add(&st, &pay), PREPAY_E_BILLING_IMMUTABLE);
    assert_int_equal(prepay_billing_statement_reopen(&st), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_add(&st, &pay), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_confirm(&st), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_issue(&st, 131, 130), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_statement_issue(&st, 131, 145), PREPAY_OK);
    assert_int_equal(st.state, PREPAY_BILLING_ISSUED);
    assert_int_equal(st.closing, 500 + 1200 - 1400);
    assert_int_equal(prepay_billing_statement_verify(&st), PREPAY_OK);
    /* Issued is final. */
    assert_int_equal(prepay_billing_statement_add(&st, &pay), PREPAY_E_BILLING_IMMUTABLE);
    assert_int_equal(prepay_billing_statement_reopen(&st), PREPAY_E_BILLING_BAD_TRANSITION);
    assert_int_equal(prepay_billing_statement_confirm(&st), PREPAY_E_BILLING_BAD_TRANSITION);
    assert_int_equal(prepay_billing_statement_issue(&st, 131, 145), PREPAY_E_BILLING_BAD_TRANSITION);
    /* Editing an issued statement behind the API is detected by the seal. */
    prepay_statement_t tampered = st;
    tampered.lines[0].amount += 1;
    tampered.totals[PREPAY_BILLING_LINE_ENERGY] += 1;
    tampered.charges += 1;
    tampered.closing += 1; /* totals consistent again, but the seal is not */
    assert_int_equal(prepay_billing_statement_verify(&tampered), PREPAY_E_BILLING_UNBALANCED);
    tampered.lines[0].amount -= 1;
    tampered.totals[PREPAY_BILLING_LINE_ENERGY] -= 1;
    tampered.charges -= 1;
    tampered.closing -= 1;
    assert_int_equal(prepay_billing_statement_verify(&tampered), PREPAY_OK);
    tampered.due_date += 30;
    assert_int_equal(prepay_billing_statement_verify(&tampered), PREPAY_E_BILLING_UNBALANCED);
}

static void test_line_errors(void **state)
{
    (void)state;
    prepay_statement_line_t storage[1];
    prepay_statement_t st;
    assert_int_equal(prepay_billing_statement_init(NULL, 7, 0, 1, 0, storage, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_statement_init(&st, 7, 0, 1, 0, NULL, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_statement_init(&st, 0, 0, 1, 0, storage, 1), PREPAY_E_BILLING_ID_RANGE);
    assert_int_equal(prepay_billing_statement_init(&st, 7, 5, 5, 0, storage, 1), PREPAY_E_BILLING_BAD_PERIOD);
    assert_int_equal(prepay_billing_statement_init(&st, 7, 0, 31, INT64_MAX, storage, 1), PREPAY_OK);
    prepay_statement_t before = st;
    prepay_statement_line_t bad = line_of((prepay_statement_line_kind_t)9, 1);
    assert_int_equal(prepay_billing_statement_add(&st, &bad), PREPAY_E_BILLING_BAD_LINE);
    bad = line_of(PREPAY_BILLING_LINE_PAYMENT, -1);
    assert_int_equal(prepay_billing_statement_add(&st, &bad), PREPAY_E_BILLING_BAD_LINE);
    prepay_statement_line_t charge = line_of(PREPAY_BILLING_LINE_CHARGE_ITEM, 1);
    assert_int_equal(prepay_billing_statement_add(&st, &charge), PREPAY_E_OVERFLOW); /* closing would pass INT64_MAX */
    assert_memory_equal(&st, &before, sizeof st);
    charge.amount = -1;
    assert_int_equal(prepay_billing_statement_add(&st, &charge), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_add(&st, &charge), PREPAY_E_CAPACITY);
    assert_int_equal(prepay_billing_statement_add(NULL, &charge), PREPAY_E_INVALID_ARGUMENT);
    /* Inconsistent totals are caught on confirm. */
    st.closing += 1;
    assert_int_equal(prepay_billing_statement_confirm(&st), PREPAY_E_BILLING_UNBALANCED);
    assert_int_equal(st.state, PREPAY_BILLING_DRAFT);
    st.line_count = 5; /* beyond the capacity */
    assert_int_equal(prepay_billing_statement_verify(&st), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_statement_verify(NULL), PREPAY_E_INVALID_ARGUMENT);
}

static void test_correction(void **state)
{
    (void)state;
    prepay_statement_line_t s1[4], s2[4];
    prepay_statement_t october, november, other;
    assert_int_equal(prepay_billing_statement_init(&october, 9, 300, 331, 0, s1, 4), PREPAY_OK);
    prepay_statement_line_t fee = line_of(PREPAY_BILLING_LINE_CHARGE_ITEM, 3000);
    assert_int_equal(prepay_billing_statement_add(&october, &fee), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_init(&november, 9, 331, 361, october.closing, s2, 4), PREPAY_OK);
    /* Only an issued statement can be corrected. */
    assert_int_equal(prepay_billing_statement_correct(&october, &november, -500, 335), PREPAY_E_BILLING_BAD_TRANSITION);
    assert_int_equal(prepay_billing_statement_confirm(&october), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_issue(&october, 331, 345), PREPAY_OK);
    prepay_statement_t frozen = october;
    prepay_statement_line_t frozen_line = s1[0];
    assert_int_equal(prepay_billing_statement_correct(&october, &november, -500, 335), PREPAY_OK);
    assert_int_equal(november.line_count, 1);
    assert_int_equal(november.lines[0].kind, PREPAY_BILLING_LINE_ADJUSTMENT);
    assert_true(november.lines[0].reference == october.statement_id);
    assert_int_equal(november.closing, 3000 - 500);
    /* The issued statement did not change. */
    assert_memory_equal(&october, &frozen, sizeof october);
    assert_memory_equal(&s1[0], &frozen_line, sizeof frozen_line);
    assert_int_equal(prepay_billing_statement_verify(&october), PREPAY_OK);
    /* Wrong account, earlier period, self. */
    assert_int_equal(prepay_billing_statement_init(&other, 10, 331, 361, 0, s2, 4), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_correct(&october, &other, 1, 335), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_statement_init(&other, 9, 200, 230, 0, s2, 4), PREPAY_OK);
    assert_int_equal(prepay_billing_statement_correct(&october, &other, 1, 335), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_billing_statement_correct(&october, &october, 1, 335), PREPAY_E_INVALID_ARGUMENT);
}

/* closing = opening + charges - payments for many random statements. */
static void test_closing_identity_property(void **state)
{
    (void)state;
    uint64_t rng = 11;
    prepay_statement_line_t storage[64];
    for (int iteration = 0; iteration < 3000; iteration++) {
        prepay_statement_t st;
        prepay_money_t opening = (int64_t)(prng_next(&rng) % 2000000) - 1000000;
        assert_int_equal(prepay_billing_statement_init(&st, 1 + prng_next(&rng) % 1000, 10, 40, opening, storage, 64),
                         PREPAY_OK);
        size_t n = (size_t)(prng_next(&rng) % 65);
        int64_t charges = 0, payments = 0;
        for (size_t i = 0; i < n; i++) {
            prepay_statement_line_t line =
                line_of((prepay_statement_line_kind_t)(prng_next(&rng) % PREPAY_BILLING_LINE_KINDS),
                        (int64_t)(prng_next(&rng) % 1000000));
            if (line.kind != PREPAY_BILLING_LINE_PAYMENT && prng_next(&rng) % 4 == 0) {
                line.amount = -line.amount; /* credits */
            }
            assert_int_equal(prepay_billing_statement_add(&st, &line), PREPAY_OK);
            if (line.kind == PREPAY_BILLING_LINE_PAYMENT) {
                payments += line.amount;
            } else {
                charges += line.amount;
            }
        }
        assert_int_equal(st.charges, charges);
        assert_int_equal(st.payments, payments);
        assert_int_equal(st.closing, opening + charges - payments);
        int64_t by_kind = 0;
        for (unsigned k = 0; k < PREPAY_BILLING_LINE_KINDS; k++) {
            if (k != PREPAY_BILLING_LINE_PAYMENT) {
                by_kind += st.totals[k];
            }
        }
        assert_int_equal(by_kind, charges);
        assert_int_equal(prepay_billing_statement_confirm(&st), PREPAY_OK);
        assert_int_equal(prepay_billing_statement_issue(&st, 40, 55), PREPAY_OK);
        assert_int_equal(prepay_billing_statement_verify(&st), PREPAY_OK);
    }
}

static void test_arrears_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("billing_arrears.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "arrears") != 0) {
            continue;
        }
        prepay_arrears_item_t items[32];
        size_t n = 0;
        const char *p = tv_need(r, "items");
        long long account, statement, outstanding;
        char due[16];
        int used = 0;
        while (n < 32 && sscanf(p, " %lld:%lld:%10[0-9-]:%lld%n", &account, &statement, due, &outstanding, &used) == 4) {
            items[n].account_id = (uint64_t)account;
            items[n].statement_id = (uint64_t)statement;
            items[n].due_date = day_of(due);
            items[n].outstanding = outstanding;
            n++;
            p += used;
        }
        assert_int_equal(n, 11);
        prepay_arrears_row_t rows[8];
        size_t count = 0;
        prepay_days_t as_of = day_of(tv_need(r, "as_of"));
        assert_int_equal(prepay_billing_arrears(items, n, as_of, rows, 2, &count), PREPAY_E_BUFFER_TOO_SMALL);
        assert_int_equal(count, 3);
        assert_int_equal(prepay_billing_arrears(items, n, as_of, rows, 8, &count), PREPAY_OK);
        p = tv_need(r, "rows");
        size_t k = 0;
        long long want[8];
        while (sscanf(p, " %lld:%lld:%lld:%lld:%lld:%lld:%lld:%lld%n", &want[0], &want[1], &want[2], &want[3],
                      &want[4], &want[5], &want[6], &want[7], &used) == 8) {
            assert_true(k < count);
            const prepay_arrears_row_t *row = &rows[k];
            assert_true(row->account_id == (uint64_t)want[0]);
            assert_int_equal(row->not_due, want[1]);
            for (unsigned b = 0; b < PREPAY_BILLING_ARREARS_BUCKETS; b++) {
                assert_int_equal(row->buckets[b], want[2 + b]);
            }
            assert_int_equal(row->total, want[6]);
            assert_int_equal(row->oldest_days, want[7]);
            k++;
            p += used;
        }
        assert_int_equal(k, count);
        checked++;
    }
    assert_true(checked >= 1);
    tv_free(&file);

    prepay_arrears_row_t rows[2];
    size_t count = 5;
    prepay_arrears_item_t big[2] = {{1, 1, 0, INT64_MAX}, {1, 2, 0, 1}};
    assert_int_equal(prepay_billing_arrears(big, 2, 10, rows, 2, &count), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_billing_arrears(NULL, 1, 10, rows, 2, &count), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(count, 5);
    assert_int_equal(prepay_billing_arrears(NULL, 0, 10, rows, 2, &count), PREPAY_OK);
    assert_int_equal(count, 0);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_machine),
        cmocka_unit_test(test_line_errors),
        cmocka_unit_test(test_correction),
        cmocka_unit_test(test_closing_identity_property),
        cmocka_unit_test(test_arrears_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
