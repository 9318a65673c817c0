/* SPDX-License-Identifier: MIT */
/*
 * Hosted report output: CSV and JSON print no-data cells as empty / null
 * (never 0), growth nulls with their reason, bucket windows; the SVG writer
 * picks round ticks (1, 2, 5 x 10^k), labels partial periods, refuses bad
 * charts, and writes well-formed text. Hand-worked values in the comments.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/report.h"
#include "prepay/report_output.h"
#include "prepay/status.h"
#include "report_test_util.h"
#include "test_support.h"

static prepay_report_bucket_t g_buckets[16];
static prepay_report_cell_t g_cells[64];

/* Runs a writer into a memory stream and returns the text (free it). */
static char *capture(int (*write)(FILE *, const prepay_report_t *, const prepay_report_output_t *),
                     const prepay_report_t *r, const prepay_report_output_t *o, int *status)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *status = write(f, r, o);
    fclose(f);
    return buf;
}

/* Months 2024-01 .. 2024-03, keys "A" and "B": A has 1.5 kWh flat (fee 1.005 fen -> 0.01 yuan) in
 * January and 3 kWh in February; B has nothing. */
static void build(prepay_report_t *r)
{
    assert_int_equal(prepay_report_init(r, PREPAY_REPORT_MONTH, day_of(2024, 1, 1), day_of(2024, 4, 1), 2, g_buckets, 16,
                                        g_cells, 64),
                     PREPAY_OK);
    prepay_report_series_t s;
    assert_int_equal(prepay_report_series_init(&s, 0), PREPAY_OK);
    prepay_report_row_t rows[2] = {row_of(at(2024, 1, 5, 10, 0), 3600, 1500, 3, 1, 5000000u),
                                   row_of(at(2024, 2, 5, 10, 0), 3600, 3000, 3, 2, 0)};
    assert_int_equal(prepay_report_add(r, &s, rows, 2), PREPAY_OK);
}

static void test_csv_and_json(void **state)
{
    (void)state;
    prepay_report_t r;
    build(&r);
    const char *names[2] = {"A", "B, Ltd"};
    prepay_report_output_t o = {names, "kWh", true, PREPAY_REPORT_BASIS_TOTAL, 0, 0};
    int status = 0;
    char *csv = capture(prepay_report_write_csv, &r, &o, &status);
    assert_int_equal(status, PREPAY_OK);
    /* A, January: 1.500 kWh flat, fee 1.005 fen -> 0.01 yuan; no base for growth */
    assert_non_null(strstr(csv, "2024-01,2024-01-01,2024-01-31,A,1.500,0.000,0.000,1.500,0.000,0.000,0.000,0.01,"));
    /* A, February: MoM 3 / 1.5 - 1 = +100 % */
    assert_non_null(strstr(csv, ",29,false,,no_base,100.0000,\n"));
    /* B: no data -> empty fields (quoted name), and the growth reason */
    assert_non_null(strstr(csv, "2024-01,2024-01-01,2024-01-31,\"B, Ltd\",,,,,,,,,,,,,,,31,false,,no_data,,no_data\n"));
    /* A, March: no data */
    assert_non_null(strstr(csv, "2024-03,2024-03-01,2024-03-31,A,,,"));
    free(csv);
    char *json = capture(prepay_report_write_json, &r, &o, &status);
    assert_int_equal(status, PREPAY_OK);
    assert_non_null(strstr(json, "\"key\": \"B, Ltd\", \"energy\": null"));
    assert_non_null(strstr(json, "\"mom_pct\": 100.0000, \"mom_null\": \"\""));
    assert_non_null(strstr(json, "\"period\": \"month\""));
    free(json);
    /* a window of buckets: February only */
    prepay_report_output_t w = {names, NULL, false, PREPAY_REPORT_BASIS_TOTAL, 1, 1};
    csv = capture(prepay_report_write_csv, &r, &w, &status);
    assert_int_equal(status, PREPAY_OK);
    assert_null(strstr(csv, "2024-01,"));
    assert_null(strstr(csv, "2024-03,"));
    assert_non_null(strstr(csv, "2024-02,"));
    free(csv);
    /* labels */
    char label[PREPAY_REPORT_LABEL_MAX];
    assert_int_equal(prepay_report_period_label(&r, 1, label, sizeof label), 7);
    assert_string_equal(label, "2024-02");
    assert_int_equal(prepay_report_period_label(&r, 3, label, sizeof label), PREPAY_E_REPORT_BAD_BUCKET);
    assert_int_equal(prepay_report_period_label(&r, 1, label, 5), PREPAY_E_BUFFER_TOO_SMALL);
    assert_string_equal(prepay_report_null_name(PREPAY_REPORT_NULL_NO_COUNTERPART), "no_counterpart");
    assert_string_equal(prepay_report_null_name(99), "unknown");
}

/* Not inlined: gcc -O3 then mistakes the memstream buffer for a dangling local. */
__attribute__((noinline)) static char *chart(const prepay_svg_chart_t *c, int *status)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *status = prepay_svg_chart_write(f, c);
    fclose(f);
    return buf;
}

static void test_svg(void **state)
{
    (void)state;
    /* values in Wh shown as kWh: max 9.5 kWh -> step 2 kWh (9.5 / 2 = 4.75 -> 5 steps), top 10 */
    const int64_t v[3] = {9500, 0, 4000};
    const bool present[3] = {true, false, true};
    const bool partial[3] = {false, false, true};
    const char *labels[3] = {"2024-01", "2024-02", "2024-03"};
    prepay_svg_series_t s = {"Flat & <peak>", v, present};
    prepay_svg_chart_t c = {PREPAY_SVG_STACKED_BARS, "Energy", "Month", "Energy (kWh)", 3, labels, 3, &s, 1, 0, 0,
                            partial};
    int status = 0;
    char *svg = chart(&c, &status);
    assert_int_equal(status, PREPAY_OK);
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_non_null(strstr(svg, ">10</text>"));   /* top tick */
    assert_non_null(strstr(svg, ">8</text>"));
    assert_non_null(strstr(svg, ">2</text>"));
    assert_null(strstr(svg, ">5</text>"));        /* not a multiple of the step */
    assert_non_null(strstr(svg, "Flat &amp; &lt;peak&gt;"));
    assert_non_null(strstr(svg, ">n/a</text>")); /* February: no data, no bar */
    assert_non_null(strstr(svg, ">2024-03*</text>"));
    assert_non_null(strstr(svg, "fill-opacity=\"0.4\""));
    assert_non_null(strstr(svg, "</svg>\n"));
    free(svg);
    /* line chart: the null point breaks the line into two polylines */
    c.kind = PREPAY_SVG_LINE;
    svg = chart(&c, &status);
    assert_int_equal(status, PREPAY_OK);
    char *first = strstr(svg, "<polyline");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "<polyline"));
    free(svg);
    /* refused charts */
    const int64_t negative[3] = {1, -1, 2};
    prepay_svg_series_t bad = {"x", negative, NULL};
    prepay_svg_chart_t c2 = c;
    c2.series = &bad;
    svg = chart(&c2, &status);
    assert_int_equal(status, PREPAY_E_INVALID_ARGUMENT);
    free(svg);
    c2 = c;
    c2.series_count = 0;
    svg = chart(&c2, &status);
    assert_int_equal(status, PREPAY_E_INVALID_ARGUMENT);
    free(svg);
    c2 = c;
    c2.decimals = 10;
    svg = chart(&c2, &status);
    assert_int_equal(status, PREPAY_E_INVALID_ARGUMENT);
    free(svg);
    const int64_t huge[2] = {INT64_MAX, 1};
    prepay_svg_series_t h[2] = {{"a", huge, NULL}, {"b", huge + 1, NULL}};
    prepay_svg_chart_t c3 = {PREPAY_SVG_STACKED_BARS, "t", "x", "y", 0, labels, 1, h, 2, 0, 0, NULL};
    svg = chart(&c3, &status);
    assert_int_equal(status, PREPAY_E_OVERFLOW);
    free(svg);
}

static void test_report_charts(void **state)
{
    (void)state;
    prepay_report_t r;
    build(&r);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(prepay_report_chart_bands(f, &r, 0, "A by band", NULL), PREPAY_OK);
    fclose(f);
    assert_non_null(strstr(buf, ">Flat</text>"));   /* only bands with energy in the legend */
    assert_null(strstr(buf, ">Peak</text>"));
    assert_non_null(strstr(buf, "Energy (kWh)"));
    free(buf);
    f = open_memstream(&buf, &len);
    assert_int_equal(prepay_report_chart_bands(f, &r, 2, "bad key", NULL), PREPAY_E_REPORT_BAD_KEY);
    assert_int_equal(prepay_report_chart_keys(f, &r, NULL, "keys", "m3"), PREPAY_OK);
    fclose(f);
    assert_non_null(strstr(buf, "Energy (m3)"));
    free(buf);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_and_json),
        cmocka_unit_test(test_svg),
        cmocka_unit_test(test_report_charts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
