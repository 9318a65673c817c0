/* SPDX-License-Identifier: MIT */
/*
 * NREL SAM demand charges: the expectations of NREL/ssc's own unit tests
 * (test/shared_test/lib_utility_rate_equations_test.cpp) reproduced from the
 * SAM inputs in tests/vectors/nrel/sam_dc_*.json, imported by
 * prepay_tariff_urdb_load_file() and priced by the tariff engine.
 * Vectors: tests/vectors/sam_demand_charges.txt (sources and hand working there).
 *
 * Each charge case feeds its steps as intervals, both streaming (full state,
 * then prepay_tariff_close_cycle()) and in one batch, and checks the month's
 * demand lines: their exact sum equals the hand-worked `exact` value, is
 * within SAM's asserted value +- tolerance, and streaming equals batch line
 * for line. The billing case checks SAM's billing demands month by month.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"
#include "test_support.h"

#define MAX_STEPS 32
#define LINES 256

/* The firmware configuration holds too few demand periods for these tariffs. */
#define REDUCED_CONFIG (PREPAY_MAX_DEMAND_PERIODS < 5 || PREPAY_MAX_DEMAND_TIERS < 2 || PREPAY_MAX_TARIFF_INDEX < 63)

static prepay_tariff_doc_t *load_doc(const char *name)
{
    char path[1024], err[PREPAY_TARIFF_JSON_ERROR_MAX];
    snprintf(path, sizeof path, "%s/nrel/%s", tv_dir(), name);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    int status = prepay_tariff_urdb_load_file(path, NULL, doc, err, sizeof err);
    if (status != PREPAY_OK) {
        fail_msg("%s: %s", name, err);
    }
    return doc;
}

static int parse_list(const char *text, int64_t scale, int64_t *out, size_t cap)
{
    size_t n = 0;
    char buf[TV_MAX_VALUE];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
        int64_t v = 0;
        assert_true(n < cap);
        /* kW with up to 3 decimals -> W (scale 1000), exactly */
        assert_int_equal(prepay_fixed_parse(tok, strlen(tok), 3, &v), PREPAY_OK);
        out[n++] = v * (scale / 1000);
    }
    return (int)n;
}

static prepay_time_t parse_time(const char *text)
{
    prepay_time_t t = 0;
    assert_int_equal(prepay_time_parse_date_time(text, strlen(text), &t), PREPAY_OK);
    return t;
}

/* An exact amount in 1e-6 currency units (the vectors' precision), half-up. */
static int64_t micros(prepay_amount_t a)
{
    /* units are minor units (cents): 1 cent = 10^4 micros; nanos are 1e-9 cent = 1e-5 micro */
    int64_t frac = 0;
    assert_int_equal(prepay_i64_div_round((int64_t)a.nanos, 100000, PREPAY_ROUND_HALF_UP, &frac), PREPAY_OK);
    return a.units * 10000 + frac;
}

static int64_t decimal_6(const char *text)
{
    int64_t v = 0;
    assert_int_equal(prepay_fixed_parse(text, strlen(text), 6, &v), PREPAY_OK);
    return v;
}

static void sum_demand(const prepay_tariff_line_t *lines, size_t n, prepay_amount_t *sum)
{
    sum->units = 0;
    sum->nanos = 0;
    for (size_t i = 0; i < n; i++) {
        if (lines[i].kind == PREPAY_LINE_DEMAND) {
            assert_int_equal(prepay_amount_add(*sum, lines[i].amount, sum), PREPAY_OK);
        }
    }
}

static void run_charge(const tv_record_t *r)
{
    prepay_tariff_doc_t *doc = load_doc(tv_need(r, "tariff"));
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_plan_init(&plan, &doc->sets[0]), PREPAY_OK);
    assert_int_equal(prepay_tariff_plan_seal(&plan), PREPAY_OK);
    int64_t watts[MAX_STEPS];
    int steps = parse_list(tv_need(r, "kw"), 1000, watts, MAX_STEPS);
    int64_t step = 0;
    assert_int_equal(prepay_fixed_parse(tv_need(r, "step"), strlen(tv_need(r, "step")), 0, &step), PREPAY_OK);
    prepay_time_t t0 = parse_time(tv_need(r, "start"));
    prepay_tariff_interval_t iv[MAX_STEPS];
    for (int i = 0; i < steps; i++) {
        iv[i].start = t0 + i * step;
        iv[i].end = iv[i].start + step;
        iv[i].energy = watts[i] * step / 3600; /* Wh: exact for these steps */
    }
    /* Streaming, full state; previous-year peaks remembered for the ratchets. */
    prepay_tariff_state_t *st = malloc(sizeof *st);
    assert_non_null(st);
    assert_int_equal(prepay_tariff_state_init(st), PREPAY_OK);
    const char *previous = tv_get(r, "previous");
    if (previous) {
        int64_t prev[12];
        assert_int_equal(parse_list(previous, 1000, prev, 12), 12);
        int32_t c0 = 0;
        assert_int_equal(prepay_tariff_cycle_of(&doc->sets[0], parse_time("2000-01-15 00:00"), &c0), PREPAY_OK);
        for (int m = 0; m < 12; m++) {
            assert_int_equal(prepay_tariff_demand_remember(&st->demand, c0 + m, prev[m]), PREPAY_OK);
        }
    }
    prepay_tariff_state_t batch_start = *st;
    prepay_tariff_line_t *lines = calloc(LINES, sizeof *lines);
    assert_non_null(lines);
    size_t n = 0;
    prepay_tariff_feed_result_t res;
    for (int i = 0; i < steps; i++) {
        int k = prepay_tariff_feed_interval(&plan, NULL, st, iv[i].start, iv[i].end, iv[i].energy, lines + n,
                                            LINES - n, &res);
        assert_true(k >= 0);
        n += (size_t)k;
    }
    int k = prepay_tariff_close_cycle(&plan, NULL, st, lines + n, LINES - n, &res);
    assert_true(k >= 0);
    n += (size_t)k;
    prepay_amount_t stream;
    sum_demand(lines, n, &stream);
    /* Batch from the same start: the same demand lines. */
    prepay_tariff_line_t *blines = calloc(LINES, sizeof *blines);
    assert_non_null(blines);
    prepay_tariff_bill_t bill;
    assert_int_equal(prepay_tariff_bill_init(&bill, &doc->sets[0], blines, LINES), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&plan, NULL, &batch_start, iv, (size_t)steps, &bill), PREPAY_OK);
    prepay_amount_t batch;
    sum_demand(bill.lines, bill.line_count, &batch);
    assert_int_equal(stream.units, batch.units);
    assert_int_equal(stream.nanos, batch.nanos);
    assert_int_equal(batch.units, bill.demand_subtotal.units);
    assert_int_equal(batch.nanos, bill.demand_subtotal.nanos);
    assert_memory_equal(&st->demand, &batch_start.demand, sizeof st->demand);
    int64_t got = micros(stream);
    int64_t exact = decimal_6(tv_need(r, "exact"));
    int64_t sam = decimal_6(tv_need(r, "sam_assert"));
    int64_t tol = decimal_6(tv_need(r, "sam_tol"));
    printf("  %-44s %lld.%06lld (exact %s; SAM %s +- %s)\n", tv_need(r, "test"), (long long)(got / 1000000),
           (long long)(got % 1000000), tv_need(r, "exact"), tv_need(r, "sam_assert"), tv_need(r, "sam_tol"));
    assert_int_equal(got, exact);
    assert_true(got >= sam - tol && got <= sam + tol);
    free(blines);
    free(lines);
    free(st);
    free(doc);
}

static void test_sam_charges(void **state)
{
    (void)state;
    if (REDUCED_CONFIG) {
        skip();
    }
    tv_file_t file;
    tv_load("sam_demand_charges.txt", &file);
    int cases = 0;
    for (size_t i = 0; i < file.count; i++) {
        if (strcmp(file.records[i].kind, "charge") == 0) {
            run_charge(&file.records[i]);
            cases++;
        }
    }
    assert_int_equal(cases, 6);
    tv_free(&file);
}

static void test_sam_billing_demand(void **state)
{
    (void)state;
    if (REDUCED_CONFIG) {
        skip();
    }
    tv_file_t file;
    tv_load("sam_demand_charges.txt", &file);
    const tv_record_t *r = NULL;
    for (size_t i = 0; i < file.count; i++) {
        if (strcmp(file.records[i].kind, "billing") == 0) {
            r = &file.records[i];
        }
    }
    assert_non_null(r);
    prepay_tariff_doc_t *doc = load_doc(tv_need(r, "tariff"));
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_plan_init(&plan, &doc->sets[0]), PREPAY_OK);
    assert_int_equal(doc->sets[0].demand.ratchet, 1);
    assert_int_equal(doc->sets[0].demand.ratchet_months, 12); /* SAM's lookback 11 reaches 12 months back */
    int64_t prev[12], cur[12], expect[12];
    assert_int_equal(parse_list(tv_need(r, "previous"), 1000, prev, 12), 12);
    assert_int_equal(parse_list(tv_need(r, "current"), 1000, cur, 12), 12);
    assert_int_equal(parse_list(tv_need(r, "expect"), 1000, expect, 12), 12);
    prepay_tariff_state_t *st = malloc(sizeof *st);
    assert_non_null(st);
    assert_int_equal(prepay_tariff_state_init(st), PREPAY_OK);
    /* The previous year as intervals (the history then comes from the engine itself). */
    prepay_tariff_line_t lines[LINES];
    prepay_tariff_feed_result_t res;
    for (int y = 0; y < 2; y++) {
        for (int m = 0; m < 12; m++) {
            char text[32];
            snprintf(text, sizeof text, "%d-%02d-10 12:00", 2000 + y, m + 1);
            prepay_time_t t = parse_time(text);
            int64_t w = y == 0 ? prev[m] : cur[m];
            assert_true(prepay_tariff_feed_interval(&plan, NULL, st, t, t + 3600, w, lines, LINES, &res) >= 0);
            if (y == 1) {
                prepay_power_t billing = 0;
                assert_int_equal(prepay_tariff_demand_billing(&plan, &st->demand, &billing), PREPAY_OK);
                printf("  2001-%02d billing demand %lld.%03lld kW (SAM %lld.%03lld)\n", m + 1,
                       (long long)(billing / 1000), (long long)(billing % 1000), (long long)(expect[m] / 1000),
                       (long long)(expect[m] % 1000));
                assert_int_equal(billing, expect[m]);
            }
        }
    }
    free(st);
    free(doc);
    tv_free(&file);
}

/* The hourly TOU case splits energy periods: bands become (energy, demand) period pairs. */
static void test_sam_combined_bands(void **state)
{
    (void)state;
    if (REDUCED_CONFIG) {
        skip();
    }
    prepay_tariff_doc_t *doc = load_doc("sam_dc_hourly_tou.json");
    const prepay_tariff_t *t = &doc->sets[0];
    assert_int_equal(t->demand.period_count, 5);
    assert_true(t->band_count > 4);
    for (unsigned b = 0; b < t->band_count; b++) {
        unsigned e = 0, d = 0;
        assert_int_equal(sscanf(doc->band_names[b], "p%u/d%u", &e, &d), 2);
        assert_int_equal(t->demand.period_of_band[b], d);
        prepay_price_t price = 0, want = 0;
        static const prepay_price_t energy_price[5] = {0, 5000000, 7500000, 6000000, 5000000};
        assert_true(e >= 1 && e <= 4);
        assert_int_equal(prepay_tariff_price(t, b + 1u, 1, &price), PREPAY_OK);
        want = energy_price[e];
        assert_int_equal(price, want);
    }
    /* Period 1 charges in January (its rows hold it), not in March. */
    assert_true(t->demand.period_rate[0][0] != 0);
    assert_int_equal(t->demand.period_rate[0][2], 0);
    free(doc);
}

int main(int argc, char **argv)
{
#if !PREPAY_TARIFF_DEMAND
    (void)argc;
    (void)argv;
    return 77; /* demand charges are left out of this configuration (PREPAY_TARIFF_DEMAND 0): skipped */
#endif
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sam_charges),
        cmocka_unit_test(test_sam_billing_demand),
        cmocka_unit_test(test_sam_combined_bands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
