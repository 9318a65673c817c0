/* SPDX-License-Identifier: MIT */
/*
 * Reports: growth rates (tests/vectors/report_growth.txt) and YoY / MoM over
 * report buckets, worked by hand: leap February, 31- against 28-day
 * months, zero bases, missing data, February 29, ISO week 53, partial
 * periods, fees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/report.h"
#include "prepay/status.h"
#include "report_test_util.h"
#include "test_support.h"

static prepay_report_bucket_t g_buckets[1000];
static prepay_report_cell_t g_cells[1000];

static uint8_t null_code(const char *name)
{
    if (strcmp(name, "zero_base") == 0) {
        return PREPAY_REPORT_NULL_ZERO_BASE;
    }
    if (strcmp(name, "negative_base") == 0) {
        return PREPAY_REPORT_NULL_NEGATIVE_BASE;
    }
    fail_msg("unknown null %s", name);
    return 0;
}

static void test_growth_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("report_growth.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "growth") != 0) {
            continue;
        }
        int64_t current = strtoll(tv_need(r, "current"), NULL, 10);
        int64_t base = strtoll(tv_need(r, "base"), NULL, 10);
        prepay_report_growth_t g;
        memset(&g, 0x33, sizeof g);
        int status = prepay_report_growth(current, base, &g);
        if (tv_get(r, "error")) {
            assert_int_equal(status, PREPAY_E_OVERFLOW);
        } else if (tv_get(r, "null")) {
            assert_int_equal(status, PREPAY_OK);
            assert_int_equal(g.null_reason, null_code(tv_get(r, "null")));
            assert_int_equal(g.rate, 0);
        } else {
            assert_int_equal(status, PREPAY_OK);
            assert_int_equal(g.null_reason, PREPAY_REPORT_NOT_NULL);
            assert_int_equal(g.rate, strtoll(tv_need(r, "rate"), NULL, 10));
        }
        checked++;
    }
    assert_int_equal(checked, 12);
    assert_int_equal(prepay_report_growth(1, 1, NULL), PREPAY_E_INVALID_ARGUMENT);
    tv_free(&file);
}

/* One whole-day row per day: 100 Wh a day in 2023, 110 Wh a day in 2024,
 * except June 2023 (rows of 0 Wh: data, but a zero base) and September
 * 2023 (no rows at all). Fee: 1 fen per 10 Wh. */
static void build_months(prepay_report_t *rep, prepay_days_t first)
{
    assert_int_equal(prepay_report_init(rep, PREPAY_REPORT_MONTH, first, day_of(2025, 1, 1), 1, g_buckets, 1000,
                                        g_cells, 1000),
                     PREPAY_OK);
    prepay_report_series_t s;
    assert_int_equal(prepay_report_series_init(&s, 0), PREPAY_OK);
    for (prepay_days_t d = day_of(2023, 1, 1); d < day_of(2025, 1, 1); d++) {
        int32_t y;
        uint8_t m, dd;
        assert_int_equal(prepay_time_date_from_days(d, &y, &m, &dd), PREPAY_OK);
        if (y == 2023 && m == 9) {
            continue;
        }
        int64_t e = y == 2023 ? (m == 6 ? 0 : 100) : 110;
        prepay_report_row_t row = row_of((prepay_time_t)d * 86400, 86400, e, 3, e / 10, 0);
        assert_int_equal(prepay_report_add(rep, &s, &row, 1), PREPAY_OK);
    }
}

static void expect(const prepay_report_t *rep, int32_t y, unsigned m, prepay_report_compare_kind_t kind,
                   prepay_report_basis_t basis, prepay_report_measure_t measure, uint8_t null_reason, int64_t rate)
{
    uint32_t b = 0;
    while (b < rep->bucket_count && !(rep->buckets[b].year == y && rep->buckets[b].month == m)) {
        b++;
    }
    assert_true(b < rep->bucket_count);
    prepay_report_growth_t g;
    assert_int_equal(prepay_report_compare(rep, b, 0, PREPAY_REPORT_ALL_BANDS, measure, kind, basis, &g), PREPAY_OK);
    assert_int_equal(g.null_reason, null_reason);
    assert_int_equal(g.rate, rate);
}

static void test_month_comparisons(void **state)
{
    (void)state;
    prepay_report_t rep;
    build_months(&rep, day_of(2023, 1, 1));
    const prepay_report_compare_kind_t YOY = PREPAY_REPORT_YOY, MOM = PREPAY_REPORT_MOM;
    const prepay_report_basis_t TOT = PREPAY_REPORT_BASIS_TOTAL, DAY = PREPAY_REPORT_BASIS_PER_DAY;
    const prepay_report_measure_t EN = PREPAY_REPORT_ENERGY, FEE = PREPAY_REPORT_FEE;
    /* March 2024 vs March 2023: 31 x 110 = 3410 vs 3100: +10 % */
    expect(&rep, 2024, 3, YOY, TOT, EN, 0, 100000);
    /* February 2024 (29 days) vs February 2023 (28): 3190 / 2800 - 1 = 0.1392857 -> 139286;
     * per day 110 vs 100: +10 % */
    expect(&rep, 2024, 2, YOY, TOT, EN, 0, 139286);
    expect(&rep, 2024, 2, YOY, DAY, EN, 0, 100000);
    /* March 2024 vs February 2024: 3410 / 3190 - 1 = 0.0689655 -> 68966; per day 0 */
    expect(&rep, 2024, 3, MOM, TOT, EN, 0, 68966);
    expect(&rep, 2024, 3, MOM, DAY, EN, 0, 0);
    /* April 2024 (30 days) vs March 2024 (31): 3300 / 3410 - 1 = -0.0322581 -> -32258 */
    expect(&rep, 2024, 4, MOM, TOT, EN, 0, -32258);
    /* the first months have no base inside the report */
    expect(&rep, 2023, 1, MOM, TOT, EN, PREPAY_REPORT_NULL_NO_BASE, 0);
    expect(&rep, 2023, 12, YOY, TOT, EN, PREPAY_REPORT_NULL_NO_BASE, 0);
    /* June 2023 is all zeros: data, but a zero base */
    expect(&rep, 2024, 6, YOY, TOT, EN, PREPAY_REPORT_NULL_ZERO_BASE, 0);
    expect(&rep, 2023, 7, MOM, TOT, EN, PREPAY_REPORT_NULL_ZERO_BASE, 0);
    expect(&rep, 2023, 6, MOM, TOT, EN, 0, -1000000);
    /* September 2023 has no data: its own growth is null, and so is what compares with it */
    expect(&rep, 2023, 9, MOM, TOT, EN, PREPAY_REPORT_NULL_NO_DATA, 0);
    expect(&rep, 2023, 10, MOM, TOT, EN, PREPAY_REPORT_NULL_NO_BASE, 0);
    expect(&rep, 2024, 9, YOY, TOT, EN, PREPAY_REPORT_NULL_NO_BASE, 0);
    /* fees: 11 fen a day in 2024, 10 in 2023: February 319 / 280 - 1 -> 139286 */
    expect(&rep, 2024, 2, YOY, TOT, FEE, 0, 139286);
    prepay_report_growth_t g;
    assert_int_equal(prepay_report_compare(&rep, 13, 0, 3, EN, YOY, TOT, &g), PREPAY_OK); /* February 2024, flat band alone */
    assert_int_equal(g.rate, 139286);
    assert_int_equal(prepay_report_compare(&rep, 13, 0, 2, EN, YOY, TOT, &g), PREPAY_OK); /* peak: all zero */
    assert_int_equal(g.null_reason, PREPAY_REPORT_NULL_ZERO_BASE);
    assert_int_equal(prepay_report_compare(&rep, 24, 0, 3, EN, YOY, TOT, &g), PREPAY_E_REPORT_BAD_BUCKET);
    assert_int_equal(prepay_report_compare(&rep, 1, 1, 3, EN, YOY, TOT, &g), PREPAY_E_REPORT_BAD_KEY);
    assert_int_equal(prepay_report_compare(&rep, 1, 0, 7, EN, YOY, TOT, &g), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_report_compare(&rep, 1, 0, 3, EN, (prepay_report_compare_kind_t)0, TOT, &g),
                     PREPAY_E_INVALID_ARGUMENT);
}

static void test_partial_periods(void **state)
{
    (void)state;
    prepay_report_t rep;
    build_months(&rep, day_of(2023, 1, 15)); /* January 2023 is partial: 17 days */
    /* February 2023 vs partial January: totals refuse, per-day means compare */
    expect(&rep, 2023, 2, PREPAY_REPORT_MOM, PREPAY_REPORT_BASIS_TOTAL, PREPAY_REPORT_ENERGY,
           PREPAY_REPORT_NULL_PARTIAL, 0);
    expect(&rep, 2023, 2, PREPAY_REPORT_MOM, PREPAY_REPORT_BASIS_PER_DAY, PREPAY_REPORT_ENERGY, 0, 0);
    /* January 2024 vs partial January 2023: per day 110 vs 100 */
    expect(&rep, 2024, 1, PREPAY_REPORT_YOY, PREPAY_REPORT_BASIS_PER_DAY, PREPAY_REPORT_ENERGY, 0, 100000);
    expect(&rep, 2024, 1, PREPAY_REPORT_YOY, PREPAY_REPORT_BASIS_TOTAL, PREPAY_REPORT_ENERGY,
           PREPAY_REPORT_NULL_PARTIAL, 0);
}

static void test_day_february_29(void **state)
{
    (void)state;
    prepay_report_t rep;
    prepay_days_t first = day_of(2023, 2, 20);
    assert_int_equal(prepay_report_init(&rep, PREPAY_REPORT_DAY, first, day_of(2024, 3, 5), 1, g_buckets, 1000,
                                        g_cells, 1000),
                     PREPAY_OK);
    prepay_report_series_t s;
    assert_int_equal(prepay_report_series_init(&s, 0), PREPAY_OK);
    for (prepay_days_t d = first; d < day_of(2024, 3, 5); d++) {
        prepay_report_row_t row = row_of((prepay_time_t)d * 86400, 86400, 200 + (d - first), 0, 0, 0);
        assert_int_equal(prepay_report_add(&rep, &s, &row, 1), PREPAY_OK);
    }
    uint32_t base = 0;
    uint32_t feb29 = (uint32_t)(day_of(2024, 2, 29) - first);
    assert_int_equal(prepay_report_base_bucket(&rep, feb29, PREPAY_REPORT_YOY, &base),
                     PREPAY_REPORT_NULL_NO_COUNTERPART);
    prepay_report_growth_t g;
    assert_int_equal(prepay_report_compare(&rep, feb29, 0, PREPAY_REPORT_ALL_BANDS, PREPAY_REPORT_ENERGY,
                                           PREPAY_REPORT_YOY, PREPAY_REPORT_BASIS_TOTAL, &g),
                     PREPAY_OK);
    assert_int_equal(g.null_reason, PREPAY_REPORT_NULL_NO_COUNTERPART);
    /* Feb 28 and Mar 1 of 2024 compare with the same dates of 2023 */
    assert_int_equal(prepay_report_base_bucket(&rep, feb29 - 1, PREPAY_REPORT_YOY, &base), 0);
    assert_int_equal(base, (uint32_t)(day_of(2023, 2, 28) - first));
    assert_int_equal(prepay_report_base_bucket(&rep, feb29 + 1, PREPAY_REPORT_YOY, &base), 0);
    assert_int_equal(base, (uint32_t)(day_of(2023, 3, 1) - first));
    /* MoM of Mar 1 2024 is Feb 29 2024 */
    assert_int_equal(prepay_report_base_bucket(&rep, feb29 + 1, PREPAY_REPORT_MOM, &base), 0);
    assert_int_equal(base, feb29);
    /* 2024-03-01 has energy 200 + 375 = 575 (day 375 after 2023-02-20), 2023-03-01 has 200 + 9 = 209:
     * 366 / 209 = 1.7511962 -> 1751196 */
    assert_int_equal(prepay_report_compare(&rep, feb29 + 1, 0, 0, PREPAY_REPORT_ENERGY, PREPAY_REPORT_YOY,
                                           PREPAY_REPORT_BASIS_TOTAL, &g),
                     PREPAY_OK);
    assert_int_equal(g.current, 575);
    assert_int_equal(g.base, 209);
    assert_int_equal(g.rate, 1751196);
    /* 2023-02-25 YoY: 2022 is outside the report */
    assert_int_equal(prepay_report_base_bucket(&rep, 5, PREPAY_REPORT_YOY, &base), PREPAY_REPORT_NULL_NO_BASE);
}

static void test_iso_week_53(void **state)
{
    (void)state;
    prepay_report_t rep;
    /* 2020 and 2026 have an ISO week 53 (1 January is a Thursday); 2021 and 2025 do not. */
    assert_int_equal(prepay_report_init(&rep, PREPAY_REPORT_WEEK, day_of(2019, 12, 30), day_of(2027, 1, 4), 1,
                                        g_buckets, 1000, g_cells, 1000),
                     PREPAY_OK);
    uint32_t w53_2020 = 0, w01_2021 = 0, w53_2026 = 0, w01_2020 = 0;
    for (uint32_t b = 0; b < rep.bucket_count; b++) {
        const prepay_report_bucket_t *k = &rep.buckets[b];
        if (k->year == 2020 && k->week == 53) w53_2020 = b;
        if (k->year == 2021 && k->week == 1) w01_2021 = b;
        if (k->year == 2026 && k->week == 53) w53_2026 = b;
        if (k->year == 2020 && k->week == 1) w01_2020 = b;
    }
    assert_int_equal(rep.buckets[w53_2020].first_day, day_of(2020, 12, 28));
    assert_int_equal(rep.buckets[w01_2021].first_day, day_of(2021, 1, 4));
    assert_int_equal(rep.buckets[w53_2026].first_day, day_of(2026, 12, 28));
    assert_int_equal(w01_2020, 0);
    uint32_t base = 99;
    assert_int_equal(prepay_report_base_bucket(&rep, w01_2021, PREPAY_REPORT_YOY, &base), 0);
    assert_int_equal(base, w01_2020);
    assert_int_equal(prepay_report_base_bucket(&rep, w53_2026, PREPAY_REPORT_YOY, &base),
                     PREPAY_REPORT_NULL_NO_COUNTERPART);
    assert_int_equal(prepay_report_base_bucket(&rep, w53_2020, PREPAY_REPORT_YOY, &base),
                     PREPAY_REPORT_NULL_NO_COUNTERPART); /* 2019 has no week 53 */
    assert_int_equal(prepay_report_base_bucket(&rep, w53_2020, PREPAY_REPORT_MOM, &base), 0);
    assert_int_equal(rep.buckets[base].week, 52);
    assert_int_equal(prepay_report_base_bucket(&rep, 0, PREPAY_REPORT_YOY, &base), PREPAY_REPORT_NULL_NO_BASE);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth_vectors),
        cmocka_unit_test(test_month_comparisons),
        cmocka_unit_test(test_partial_periods),
        cmocka_unit_test(test_day_february_29),
        cmocka_unit_test(test_iso_week_53),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
