/* SPDX-License-Identifier: MIT */
/*
 * URDB / SAM importer: mapping of periods, schedules, tiers ("kWh daily"),
 * fixed charges and numbers; hand-computed bills; refused features and
 * malformed input with JSON paths. (The NREL SAM reproduction is in
 * test_nrel_sam.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"
#include "test_support.h"

/* True when the PREPAY_MAX_* tables are smaller than the defaults (the
 * firmware configuration run on the host): loading the larger tariffs then
 * fails with PREPAY_E_CAPACITY, which is expected, and those cases are skipped. */
#define REDUCED_CONFIG                                                                                              \
    (PREPAY_MAX_DAY_SLOTS < 14 || PREPAY_MAX_SEASONS < 14 || PREPAY_MAX_DAY_TABLES < 8 ||                           \
     PREPAY_MAX_TARIFF_INDEX < 63 || PREPAY_MAX_TIERS < 8 || PREPAY_MAX_HOLIDAYS < 254 ||                          \
     PREPAY_MAX_DATE_OVERRIDES < 64 || PREPAY_MAX_FIXED_CHARGES < 4)

/* 12 rows of "a x h0, b x (24 - h0)" built as JSON text. */
static void schedule_rows(char *out, size_t cap, int first, int second, int split_hour, int summer_first,
                          int summer_from_month)
{
    size_t o = 0;
    o += (size_t)snprintf(out + o, cap - o, "[");
    for (int m = 1; m <= 12; m++) {
        o += (size_t)snprintf(out + o, cap - o, "%s[", m > 1 ? "," : "");
        for (int h = 0; h < 24; h++) {
            int p = h < split_hour ? first : second;
            if (summer_from_month && m >= summer_from_month) {
                p = summer_first;
            }
            o += (size_t)snprintf(out + o, cap - o, "%s%d", h ? "," : "", p);
        }
        o += (size_t)snprintf(out + o, cap - o, "]");
    }
    snprintf(out + o, cap - o, "]");
}

static int load(const char *json, const char *scale, prepay_tariff_doc_t *doc, char *err)
{
    prepay_tariff_urdb_options_t opt = {scale};
    return prepay_tariff_urdb_load_buffer(json, strlen(json), "rate.json", &opt, doc, err,
                                          PREPAY_TARIFF_JSON_ERROR_MAX);
}

static prepay_money_t bill_of(const prepay_tariff_doc_t *doc, const char *start, const char *end, const char *kwh)
{
    prepay_tariff_interval_t iv;
    assert_int_equal(prepay_tariff_json_parse_time(start, strlen(start), &iv.start), PREPAY_OK);
    assert_int_equal(prepay_tariff_json_parse_time(end, strlen(end), &iv.end), PREPAY_OK);
    assert_int_equal(prepay_fixed_parse(kwh, strlen(kwh), 3, &iv.energy), PREPAY_OK);
    prepay_tariff_line_t lines[32];
    prepay_tariff_bill_t bill;
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_doc_plan(doc, &plan), PREPAY_OK);
    assert_int_equal(prepay_tariff_bill_init(&bill, &doc->sets[0], lines, 32), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&plan, &doc->account, NULL, &iv, 1, &bill), PREPAY_OK);
    return bill.total;
}

static void test_urdb_two_periods_fixed(void **state)
{
    (void)state;
    char wk[2048], we[2048], json[8192], err[PREPAY_TARIFF_JSON_ERROR_MAX];
    schedule_rows(wk, sizeof wk, 0, 1, 12, 0, 0);
    schedule_rows(we, sizeof we, 0, 0, 0, 0, 0);
    snprintf(json, sizeof json,
             "{\"items\": [{\"name\": \"Two periods\", \"utility\": \"Example Utility\","
             " \"uri\": \"https://apps.openei.org/IURDB/rate/view/x\","
             " \"fixedchargefirstmeter\": 10.5, \"fixedchargeunits\": \"$/month\","
             " \"energyratestructure\": [[{\"rate\": 0.1, \"adj\": 0.01, \"unit\": \"kWh\"}], [{\"rate\": 0.2}]],"
             " \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s}]}",
             wk, we);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    int rc = load(json, NULL, doc, err);
    if (rc != PREPAY_OK) {
        fail_msg("%s", err);
    }
    assert_int_equal(doc->format, PREPAY_TARIFF_DOC_URDB);
    assert_string_equal(doc->name, "Two periods");
    assert_non_null(strstr(doc->notice, "Example Utility"));
    assert_string_equal(doc->band_names[0], "p1");
    assert_int_equal(doc->sets[0].band_count, 2);
    assert_int_equal(doc->sets[0].fixed_charges[0].amount, 1050);
    prepay_price_t p;
    assert_int_equal(prepay_tariff_price(&doc->sets[0], 1, 1, &p), PREPAY_OK);
    assert_int_equal(p, 11000000); /* rate 0.1 + adj 0.01 */
    /* Monday 2025-01-06: 00-12 10 kWh at 0.11 = 1.10; 12-24 5 kWh at 0.2 = 1.00; + 10.50 fixed = 12.60.
     * The interval is split by bands: spread uniformly over 24 h, 10 kWh + 5 kWh needs two intervals. */
    prepay_tariff_interval_t iv[2];
    assert_int_equal(prepay_tariff_json_parse_time("2025-01-06 00:00", 16, &iv[0].start), PREPAY_OK);
    assert_int_equal(prepay_tariff_json_parse_time("2025-01-06 12:00", 16, &iv[0].end), PREPAY_OK);
    iv[0].energy = 10000;
    iv[1].start = iv[0].end;
    assert_int_equal(prepay_tariff_json_parse_time("2025-01-07 00:00", 16, &iv[1].end), PREPAY_OK);
    iv[1].energy = 5000;
    prepay_tariff_line_t lines[16];
    prepay_tariff_bill_t bill;
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_doc_plan(doc, &plan), PREPAY_OK);
    assert_int_equal(prepay_tariff_bill_init(&bill, &doc->sets[0], lines, 16), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&plan, NULL, NULL, iv, 2, &bill), PREPAY_OK);
    assert_int_equal(bill.total, 1260);
    /* Saturday 2025-01-11: weekend schedule is period 0 all day: 10 kWh x 0.11 + 10.50 = 11.60. */
    assert_int_equal(bill_of(doc, "2025-01-11 00:00", "2025-01-12 00:00", "10"), 1160);
    /* rate_scale 1.025 (SAM's year-2 escalation): 10 kWh x 0.11275 + 10.50 = 11.6275 -> 11.63. */
    rc = load(json, "1.025", doc, err);
    if (rc != PREPAY_OK) {
        fail_msg("%s", err);
    }
    assert_int_equal(bill_of(doc, "2025-01-11 00:00", "2025-01-12 00:00", "10"), 1163);
    free(doc);
}

/* Where tariffs hold no fixed charges (PREPAY_MAX_FIXED_CHARGES 0), a record with a monthly
 * fixed charge is refused: there is no slot to store it in. */
static void test_urdb_fixed_without_slots(void **state)
{
    (void)state;
    char wk[2048], json[8192], err[PREPAY_TARIFF_JSON_ERROR_MAX];
    schedule_rows(wk, sizeof wk, 0, 0, 0, 0, 0);
    snprintf(json, sizeof json,
             "{\"name\": \"One period\", \"utility\": \"Example Utility\","
             " \"fixedmonthlycharge\": 10.5, \"fixedchargeunits\": \"$/month\","
             " \"energyratestructure\": [[{\"rate\": 0.1}]],"
             " \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s}",
             wk, wk);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    int rc = load(json, NULL, doc, err);
    if (PREPAY_MAX_FIXED_CHARGES > 0) {
        if (rc != PREPAY_OK) {
            fail_msg("%s", err);
        }
        assert_int_equal(doc->sets[0].fixed_charge_count, 1);
        assert_int_equal(doc->sets[0].fixed_charges[0].amount, 1050);
    } else {
        assert_int_equal(rc, PREPAY_E_CAPACITY);
        assert_string_equal(err, "rate.json: $: a fixed monthly charge, but no fixed charges are held "
                                 "(PREPAY_MAX_FIXED_CHARGES 0)");
    }
    free(doc);
}

static void test_urdb_daily_tiers_and_padding(void **state)
{
    (void)state;
    char wk[2048], json[8192], err[PREPAY_TARIFF_JSON_ERROR_MAX];
    /* Period 0 (two tiers, 10 kWh daily) Jan-Jun; period 1 (one tier) Jul-Dec. */
    schedule_rows(wk, sizeof wk, 0, 0, 0, 1, 7);
    snprintf(json, sizeof json,
             "{\"name\": \"daily tiers\", \"energyratestructure\": ["
             "[{\"max\": 10, \"unit\": \"kWh daily\", \"rate\": 0.1}, {\"unit\": \"kWh daily\", \"rate\": 0.3}],"
             "[{\"rate\": 0.2}]],"
             " \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s}",
             wk, wk);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    int rc = load(json, NULL, doc, err);
    if (rc != PREPAY_OK) {
        fail_msg("%s", err);
    }
    assert_int_equal(doc->sets[0].tier_count, 2);
    assert_int_equal(doc->sets[0].tou_tier_mode, PREPAY_TOU_TIER_PROPORTIONAL);
    /* February 2025: bound 10 x 28 = 280 kWh; 300 kWh: 280 x 0.1 + 20 x 0.3 = 34.00. */
    assert_int_equal(bill_of(doc, "2025-02-01 00:00", "2025-03-01 00:00", "300"), 3400);
    /* March: 310 kWh bound, 300 kWh all in tier 1: 30.00. */
    assert_int_equal(bill_of(doc, "2025-03-01 00:00", "2025-04-01 00:00", "300"), 3000);
    /* July: period 1, one tier (padded): 5000 kWh x 0.2 = 1000.00. */
    assert_int_equal(bill_of(doc, "2025-07-01 00:00", "2025-08-01 00:00", "5000"), 100000);
    free(doc);
}

static void expect_error(const char *json, int status, const char *needle)
{
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    memset(doc, 0x3C, sizeof *doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int rc = load(json, NULL, doc, err);
    if (rc != status || !strstr(err, needle)) {
        fail_msg("status %d (want %d): %s (want: %s)", rc, status, err, needle);
    }
    assert_null(strchr(err, '\n'));
    for (size_t i = 0; i < sizeof *doc; i++) {
        if (((unsigned char *)doc)[i] != 0x3C) {
            fail_msg("output written on error");
        }
    }
    free(doc);
}

static void test_urdb_errors(void **state)
{
    (void)state;
    char wk[2048], json[8192];
    schedule_rows(wk, sizeof wk, 0, 1, 12, 0, 0);
    const char *two = "[[{\"rate\": 0.1}], [{\"rate\": 0.2}]]";
    snprintf(json, sizeof json,
             "{\"energyratestructure\": %s, \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s,"
             " \"demandratestructure\": [[{\"rate\": 5}]]}",
             two, wk, wk);
    expect_error(json, PREPAY_E_HOSTED_JSON_VALUE,
                 "rate.json: $.demandratestructure: TOU demand charges need the demand weekday and weekend schedules");
    snprintf(json, sizeof json,
             "{\"energyratestructure\": %s, \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s,"
             " \"flatdemandstructure\": [[{\"rate\": 5}]], \"flatdemandunit\": \"kVA\"}",
             two, wk, wk);
    expect_error(json, PREPAY_E_HOSTED_UNSUPPORTED, "$.flatdemandunit: demand unit \"kVA\" is not supported");
    snprintf(json, sizeof json,
             "{\"energyratestructure\": %s, \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s,"
             " \"flatdemandstructure\": [[{\"rate\": 5}], [{\"rate\": 6}]]}",
             two, wk, wk);
    expect_error(json, PREPAY_E_HOSTED_JSON_VALUE, "flatdemandmonths must say which applies in each month");
    snprintf(json, sizeof json,
             "{\"energyratestructure\": %s, \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s,"
             " \"demandratchetpercentage\": [0.8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}",
             two, wk, wk);
    expect_error(json, PREPAY_E_HOSTED_UNSUPPORTED, "$.demandratchetpercentage: demand ratchet percentages");
    snprintf(json, sizeof json,
             "{\"energyratestructure\": [[{\"rate\": 0.1, \"unit\": \"kWh/kW\", \"max\": 100}, {\"rate\": 0.2}]],"
             " \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s}",
             wk, wk);
    expect_error(json, PREPAY_E_HOSTED_UNSUPPORTED, "$.energyratestructure[0][0].unit: tier unit \"kWh/kW\"");
    snprintf(json, sizeof json,
             "{\"energyratestructure\": [[{\"rate\": 0.1}]], \"energyweekdayschedule\": %s,"
             " \"energyweekendschedule\": %s}",
             wk, wk);
    expect_error(json, PREPAY_E_HOSTED_JSON_VALUE, "$.energyweekdayschedule[0][12]: period 1 has no rates");
    snprintf(json, sizeof json,
             "{\"energyratestructure\": [[{\"rate\": 0.123456789}], [{\"rate\": 0.2}]],"
             " \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s}",
             wk, wk);
    expect_error(json, PREPAY_E_HOSTED_JSON_VALUE,
                 "$.energyratestructure[0][0].rate: number 0.123456789 needs more than 8 decimal places");
    snprintf(json, sizeof json,
             "{\"energyratestructure\": [[{\"max\": 100, \"rate\": 0.1}, {\"rate\": 0.2}],"
             " [{\"max\": 200, \"rate\": 0.1}, {\"rate\": 0.2}]],"
             " \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s}",
             wk, wk);
    expect_error(json, PREPAY_E_HOSTED_UNSUPPORTED, "$.energyweekdayschedule[0]: periods 1 and 2 are used in month 1");
    snprintf(json, sizeof json, "{\"energyratestructure\": %s, \"energyweekdayschedule\": [[0]],"
                                " \"energyweekendschedule\": %s}",
             two, wk);
    expect_error(json, PREPAY_E_HOSTED_JSON_TYPE, "$.energyweekdayschedule: expected a 12 x 24 array of periods");
    snprintf(json, sizeof json, "{\"energyratestructure\": %s, \"energyweekdayschedule\": %s}", two, wk);
    expect_error(json, PREPAY_E_HOSTED_JSON_TYPE, "missing required member \"energyweekendschedule\"");
    snprintf(json, sizeof json,
             "{\"energyratestructure\": %s, \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s,"
             " \"fixedchargefirstmeter\": 1, \"fixedchargeunits\": \"$/day\"}",
             two, wk, wk);
    expect_error(json, PREPAY_E_HOSTED_UNSUPPORTED, "$.fixedchargeunits: only \"$/month\"");
    /* SAM names: kWh/kW units refused with the row path. */
    snprintf(json, sizeof json,
             "{\"ur_ec_tou_mat\": [[1, 1, 100, 1, 0.1, 0], [1, 2, 1e38, 1, 0.2, 0]],"
             " \"ur_ec_sched_weekday\": %s, \"ur_ec_sched_weekend\": %s}",
             wk, wk);
    expect_error(json, PREPAY_E_HOSTED_UNSUPPORTED, "$.ur_ec_tou_mat[0][3]: max usage units 1 (kWh/kW)");
    expect_error("{\"energyratestructure\": ", PREPAY_E_HOSTED_JSON_SYNTAX, "rate.json:1:");
    /* rate_scale that makes a price inexact */
    snprintf(json, sizeof json,
             "{\"energyratestructure\": [[{\"rate\": 0.12345678}], [{\"rate\": 0.2}]],"
             " \"energyweekdayschedule\": %s, \"energyweekendschedule\": %s}",
             wk, wk);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    assert_int_equal(load(json, "1.1", doc, err), PREPAY_E_HOSTED_JSON_VALUE);
    assert_non_null(strstr(err, "price x rate_scale needs more than 8 decimal places"));
    free(doc);
}

static void test_sam_numbers(void **state)
{
    (void)state;
    char path[1024], err[PREPAY_TARIFF_JSON_ERROR_MAX];
    snprintf(path, sizeof path, "%s/nrel/sam_residential_tou_tiers.json", tv_dir());
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    int rc = prepay_tariff_doc_load_file(path, doc, err, sizeof err);
    if (rc == PREPAY_E_CAPACITY && REDUCED_CONFIG) {
        free(doc);
        skip(); /* six periods do not fit this configuration */
        return;
    }
    assert_int_equal(rc, PREPAY_OK);
    assert_int_equal(doc->format, PREPAY_TARIFF_DOC_SAM);
    prepay_price_t p;
    /* 0.31868000000000002 (a double) -> shortest round trip "0.31868". */
    assert_int_equal(prepay_tariff_price(&doc->sets[0], 1, 1, &p), PREPAY_OK);
    assert_int_equal(p, 31868000);
    assert_int_equal(prepay_tariff_price(&doc->sets[0], 5, 2, &p), PREPAY_OK);
    assert_int_equal(p, 40006000); /* 0.40006000000000003 */
    /* 11.699999999999999 kWh/day -> 11.7 -> 11700 Wh per day. */
    assert_int_equal(doc->sets[0].ladders[doc->sets[0].ladder_of_month[6]].upper[0], 11700);
    assert_int_equal(doc->sets[0].ladders[doc->sets[0].ladder_of_month[0]].upper[0], 11960);
    free(doc);
}

int main(int argc, char **argv)
{
#if !PREPAY_TARIFF_PROPORTIONAL
    (void)argc, (void)argv;
    /* URDB imports price tiers proportionally: left out of this configuration
     * (PREPAY_TARIFF_PROPORTIONAL 0), skipped, except the refusal that comes before. */
    const struct CMUnitTest refusals[] = {cmocka_unit_test(test_urdb_fixed_without_slots)};
    return cmocka_run_group_tests(refusals, NULL, NULL) != 0 ? 1 : 77;
#endif
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urdb_fixed_without_slots),
        cmocka_unit_test(test_urdb_two_periods_fixed),
        cmocka_unit_test(test_urdb_daily_tiers_and_padding),
        cmocka_unit_test(test_urdb_errors),
        cmocka_unit_test(test_sam_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
