/* SPDX-License-Identifier: MIT */
/*
 * $.demand of the libprepay tariff JSON format (docs/tariff-json.md, "Demand
 * and capacity charges"): a document with every member is read into the
 * expected ::prepay_tariff_demand_t and prices a hand-worked month; bad
 * documents fail with the JSON path and leave the output untouched.
 * The figures are illustrative (chosen for the working), not a published tariff.
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

/* The demand tariffs of these tests need four demand rates, three periods and six bands: a smaller
 * configuration (the firmware one) cannot hold them, and the test reports itself skipped (exit 77). */
#if !(PREPAY_MAX_DEMAND_RATES >= 4 && PREPAY_MAX_DEMAND_PERIODS >= 3 && PREPAY_MAX_DEMAND_TIERS >= 2 && PREPAY_MAX_TARIFF_INDEX >= 6)
int main(void)
{
    printf("skipped: the configuration holds fewer demand rates, periods or bands than these tests use\n");
    return 77;
}
#else

#define SMALL_CONFIG (PREPAY_MAX_DEMAND_RATES < 3 || PREPAY_MAX_DEMAND_PERIODS < 2 || PREPAY_MAX_DEMAND_TIERS < 2)

static const char *const good_head =
    "{\"format\": \"prepay-tariff/1\", \"name\": \"two-part (illustrative)\","
    " \"source\": {\"notice\": \"illustrative figures for a worked example\"},"
    " \"bands\": [\"peak\", \"valley\"],"
    " \"schedule\": {\"day_tables\": {\"all\": [{\"start\": \"00:00\", \"band\": \"valley\"},"
    "   {\"start\": \"08:00\", \"band\": \"peak\"}, {\"start\": \"22:00\", \"band\": \"valley\"}]},"
    "   \"seasons\": [{\"start\": \"01-01\", \"week\": \"all\"}]},"
    " \"prices\": {\"bands\": {\"peak\": \"1\", \"valley\": \"0.5\"}},"
    " \"rounding\": {\"scope\": \"bill\"},"
    " \"demand\": ";

static int load(const char *demand, prepay_tariff_doc_t *doc, char *err)
{
    char json[8192];
    snprintf(json, sizeof json, "%s%s}", good_head, demand);
    return prepay_tariff_json_load_buffer(json, strlen(json), "t.json", doc, err, PREPAY_TARIFF_JSON_ERROR_MAX);
}

static const char *const good_demand =
    "{\"periods\": [\"on\", \"off\"],"
    " \"band_periods\": {\"peak\": \"on\", \"valley\": \"off\"},"
    " \"rates\": {\"basic\": [{\"up_to\": \"100\", \"price\": \"10\"}, {\"price\": \"8\"}],"
    "   \"on_peak\": \"5\", \"off_peak\": \"1\", \"summer\": \"12.5\"},"
    " \"flat\": [{\"months\": [1, 2, 3, 4, 5, 10, 11, 12], \"rate\": \"basic\"},"
    "   {\"months\": [6, 7, 8, 9], \"rate\": \"summer\"}],"
    " \"tou\": {\"on\": \"on_peak\", \"off\": [{\"months\": [3], \"rate\": \"off_peak\"}]},"
    " \"ratchet\": {\"lookback_months\": 11, \"percent\": \"80\", \"current_month\": [6, 7, 8, 9],"
    "   \"periods\": [\"on\"], \"minimum\": \"50\"},"
    " \"capacity\": {\"price\": \"20\", \"kva\": \"315\"}}";

static void test_good(void **state)
{
    (void)state;
    if (SMALL_CONFIG) {
        skip();
    }
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int status = load(good_demand, doc, err);
    if (status != PREPAY_OK) {
        fail_msg("%s", err);
    }
    const prepay_tariff_demand_t *d = &doc->sets[0].demand;
    assert_string_equal(doc->demand_period_names[0], "on");
    assert_string_equal(doc->demand_period_names[1], "off");
    assert_int_equal(d->period_count, 2);
    assert_int_equal(d->period_of_band[0], 1);
    assert_int_equal(d->period_of_band[1], 2);
    assert_int_equal(d->rate_count, 4);
    assert_int_equal(d->rates[0].tier_count, 2);
    assert_int_equal(d->rates[0].upper[0], 100000);
    assert_int_equal(d->rates[0].upper[1], PREPAY_DEMAND_UNBOUNDED);
    assert_int_equal(d->rates[0].price[0], 1000000000);
    assert_int_equal(d->rates[0].price[1], 800000000);
    assert_int_equal(d->rates[3].price[0], 1250000000);
    assert_int_equal(d->flat_rate[0], 1);
    assert_int_equal(d->flat_rate[6], 4);
    assert_int_equal(d->period_rate[0][7], 2);
    assert_int_equal(d->period_rate[1][2], 3);
    assert_int_equal(d->period_rate[1][3], 0);
    assert_int_equal(d->ratchet, 1);
    assert_int_equal(d->ratchet_months, 11);
    assert_int_equal(d->ratchet_ratio[4], 800000);
    assert_int_equal(d->ratchet_current, 0x01E0);
    assert_int_equal(d->ratchet_periods, 1);
    assert_int_equal(d->ratchet_minimum, 50000);
    assert_int_equal(d->capacity_price, 2000000000);
    assert_int_equal(d->capacity, 315000);
    /* March 2025: 15 minutes at 120 kW in the peak band, 15 at 160 kW in the valley.
     * Billing demand: max(50, 0.8 x 120 (on-peak, March's own share)) = 96 kW (March's own peak does not
     * count at 100 %: not in current_month) -> flat 96 x 10 = 960; on-peak also bills 96 kW: 96 x 5 = 480;
     * off-peak (rate in March) 160 x 1 = 160; capacity 315 x 20 = 6300; energy 30 x 1 + 40 x 0.5 = 50.
     * Total 7950.00. */
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_doc_plan(doc, &plan), PREPAY_OK);
    prepay_time_t t0 = 0;
    assert_int_equal(prepay_time_parse_date_time("2025-03-05 09:00", 16, &t0), PREPAY_OK);
    prepay_tariff_interval_t iv[2] = {{t0, t0 + 900, 30000}, {t0 + 14 * 3600, t0 + 14 * 3600 + 900, 40000}};
    prepay_tariff_line_t lines[64];
    prepay_tariff_bill_t bill;
    assert_int_equal(prepay_tariff_bill_init(&bill, &doc->sets[0], lines, 64), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&plan, NULL, NULL, iv, 2, &bill), PREPAY_OK);
    assert_int_equal(bill.total, 795000);
    assert_int_equal(bill.demand_subtotal.units, 160000);
    free(doc);
}

static void expect_error(const char *demand, int status, const char *needle)
{
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    memset(doc, 0x5A, sizeof *doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int rc = load(demand, doc, err);
    if (rc != status || !strstr(err, needle)) {
        fail_msg("status %d (want %d): %s (want: %s)", rc, status, err, needle);
    }
    for (size_t i = 0; i < sizeof *doc; i++) {
        if (((unsigned char *)doc)[i] != 0x5A) {
            fail_msg("output written on error");
        }
    }
    free(doc);
}

static void test_errors(void **state)
{
    (void)state;
    if (SMALL_CONFIG) {
        skip();
    }
    expect_error("{\"periods\": [\"on\", \"on\"]}", PREPAY_E_HOSTED_JSON_VALUE,
                 "$.demand.periods[1]: demand period names must be unique");
    expect_error("{\"periods\": [\"on\"], \"band_periods\": {\"peak\": \"off\"}}", PREPAY_E_HOSTED_JSON_VALUE,
                 "$.demand.band_periods.peak: unknown demand period \"off\"");
    expect_error("{\"periods\": [\"on\"], \"band_periods\": {\"sharp\": \"on\"}}", PREPAY_E_HOSTED_JSON_VALUE,
                 "$.demand.band_periods.sharp: unknown band \"sharp\"");
    expect_error("{\"rates\": {\"r\": [{\"up_to\": \"100\", \"price\": \"1\"}]}}", PREPAY_E_HOSTED_JSON_VALUE,
                 "$.demand.rates.r: the last tier has no \"up_to\"");
    expect_error("{\"rates\": {\"r\": [{\"up_to\": \"100\", \"price\": \"1\"}, {\"up_to\": \"90\", \"price\": \"1\"},"
                 " {\"price\": \"1\"}]}}",
                 PREPAY_E_HOSTED_JSON_VALUE, "$.demand.rates.r[1].up_to: tier bounds must strictly increase");
    expect_error("{\"rates\": {\"r\": 0.5}}", PREPAY_E_HOSTED_JSON_TYPE, "$.demand.rates.r:");
    expect_error("{\"rates\": {\"r\": \"1\"}, \"flat\": \"s\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "$.demand.flat: unknown demand rate \"s\"");
    expect_error("{\"rates\": {\"r\": \"1\"}, \"flat\": [{\"months\": [1, 1], \"rate\": \"r\"}]}",
                 PREPAY_E_HOSTED_JSON_VALUE, "$.demand.flat[0].months[1]: month 1 is listed twice");
    expect_error("{\"rates\": {\"r\": \"1\"}, \"tou\": {\"on\": \"r\"}}", PREPAY_E_HOSTED_JSON_VALUE,
                 "$.demand.tou.on: unknown demand period \"on\"");
    expect_error("{\"ratchet\": {\"percent\": [\"80\"]}}", PREPAY_E_HOSTED_JSON_TYPE,
                 "$.demand.ratchet.percent: expected a percentage or 12 of them");
    expect_error("{\"ratchet\": {\"lookback_months\": 13}}", PREPAY_E_HOSTED_JSON_VALUE,
                 "$.demand.ratchet.lookback_months");
    expect_error("{\"periods\": [\"on\"], \"ratchet\": {\"periods\": [\"off\"]}}", PREPAY_E_HOSTED_JSON_VALUE,
                 "$.demand.ratchet.periods[0]: unknown demand period \"off\"");
    expect_error("{\"capacity\": {\"kva\": \"315\"}}", PREPAY_E_HOSTED_JSON_TYPE,
                 "$.demand.capacity: missing required member \"price\"");
    expect_error("{\"surcharge\": 1}", PREPAY_E_HOSTED_JSON_TYPE, "$.demand.surcharge");
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
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif
