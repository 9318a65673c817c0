/* SPDX-License-Identifier: MIT */
/*
 * Tariff JSON loader: every example file loads; known-answer bills for each
 * (vectors: tests/vectors/tariff_examples.txt, computed by hand); one-line
 * errors with JSON paths for malformed inputs; nothing is written on error;
 * exact decimal helpers.
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

#include "prepay/civil_time.h"
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

static const char *const examples[] = {
    "beijing_residential_annual.json", "guangzhou_residential_tou.json", "zhejiang_residential_tou.json",
    "shanghai_residential_per_band.json", "guangdong_ci_tou_sharp.json", "beijing_ci_tou_sharp.json",
    "beijing_water_residential.json",
};

static void repo_path(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/../../%s", tv_dir(), rel);
}

static int64_t dec(const char *s, unsigned decimals)
{
    int64_t v;
    assert_int_equal(prepay_fixed_parse(s, strlen(s), decimals, &v), PREPAY_OK);
    return v;
}

/* Whether a file prorates its tier bounds ("proration": "by_month" or "by_day"). */
static bool prorates(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1u, f);
    fclose(f);
    text[n] = '\0';
    return strstr(text, "\"proration\": \"by_") != NULL;
}

/* Loads a file; false when it does not fit a reduced configuration. */
static bool load_ok(const char *rel, prepay_tariff_doc_t *doc)
{
    char path[1024], err[PREPAY_TARIFF_JSON_ERROR_MAX];
    repo_path(path, sizeof path, rel);
    int rc = prepay_tariff_json_load_file(path, doc, err, sizeof err);
    if (rc != PREPAY_OK && !PREPAY_TARIFF_PRORATION && prorates(path)) {
        /* Proration left out of this configuration (PREPAY_TARIFF_PRORATION 0): refused. */
        printf("  skipped in this configuration (proration): %s\n", err);
        return false;
    }
    if (rc == PREPAY_E_CAPACITY && REDUCED_CONFIG) {
        printf("  skipped in this configuration: %s\n", err);
        return false;
    }
    if (rc != PREPAY_OK) {
        fail_msg("%s", err);
    }
    return true;
}

static void test_examples_load(void **state)
{
    (void)state;
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "examples/tariffs/%s", examples[i]);
        if (!load_ok(rel, doc)) {
            continue;
        }
        assert_true(doc->name[0] != '\0');
        assert_true(doc->notice[0] != '\0'); /* every example names its source */
        assert_int_equal(doc->format, PREPAY_TARIFF_DOC_JSON);
        assert_int_equal(prepay_tariff_validate(&doc->sets[0]), PREPAY_OK);
        /* Same through the format-dispatching loader. */
        char path[1024], err[PREPAY_TARIFF_JSON_ERROR_MAX];
        repo_path(path, sizeof path, rel);
        assert_int_equal(prepay_tariff_doc_load_file(path, doc, err, sizeof err), PREPAY_OK);
    }
    /* Spot checks of the mapping. */
    prepay_price_t p;
    if (load_ok("examples/tariffs/guangdong_ci_tou_sharp.json", doc)) {
    assert_int_equal(prepay_tariff_price(&doc->sets[0], 1, 1, &p), PREPAY_OK);
    assert_int_equal(p, dec("1.4291", 8)); /* 0.6725 x 2.125 = 1.4290625 -> 1.4291 */
    assert_int_equal(prepay_tariff_price(&doc->sets[0], 4, 1, &p), PREPAY_OK);
    assert_int_equal(p, dec("0.2556", 8)); /* 0.6725 x 0.38 = 0.25555 -> 0.2556 */
    assert_int_equal(doc->sets[0].schedule.override_count, 4);
    assert_int_equal(doc->sets[0].round_scope, PREPAY_ROUND_PER_LINE);
    }
    assert_true(load_ok("examples/tariffs/zhejiang_residential_tou.json", doc));
    assert_int_equal(doc->sets[0].band_count, 4); /* peak = index 2, valley = index 4 */
    assert_string_equal(doc->band_names[1], "peak");
    assert_string_equal(doc->band_names[3], "valley");
    assert_int_equal(doc->sets[0].tou_tier_mode, PREPAY_TOU_TIER_UNIFORM);
    assert_int_equal(prepay_tariff_price(&doc->sets[0], 4, 3, &p), PREPAY_OK);
    assert_int_equal(p, dec("0.588", 8)); /* valley 0.288 + 0.30 */
    assert_true(load_ok("examples/tariffs/guangzhou_residential_tou.json", doc));
    assert_int_equal(doc->sets[0].ladder_count, 2);
    assert_int_equal(doc->sets[0].ladders[doc->sets[0].ladder_of_month[6]].upper[0], 260000);
    assert_int_equal(doc->sets[0].ladders[doc->sets[0].ladder_of_month[11]].upper[1], 400000);
    assert_true(load_ok("examples/tariffs/beijing_water_residential.json", doc));
    assert_int_equal(doc->sets[0].unit, PREPAY_TARIFF_UNIT_WATER);
    assert_int_equal(doc->sets[0].ladders[0].upper[0], 180000); /* 180 m3 = 180000 L */
    free(doc);
}

/* "2025-06-02 00:00, 2025-06-02 08:00, 100" -> interval. */
static void parse_interval(const char *text, prepay_tariff_interval_t *iv)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", text);
    char *a = buf, *b = strchr(a, ',');
    assert_non_null(b);
    *b++ = '\0';
    while (*b == ' ') {
        b++;
    }
    char *c = strchr(b, ',');
    assert_non_null(c);
    *c++ = '\0';
    while (*c == ' ') {
        c++;
    }
    assert_int_equal(prepay_tariff_json_parse_time(a, strlen(a), &iv->start), PREPAY_OK);
    assert_int_equal(prepay_tariff_json_parse_time(b, strlen(b), &iv->end), PREPAY_OK);
    iv->energy = dec(c, 3);
}

static void test_example_bills(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("tariff_examples.txt", &file);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    int bills = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "bill") != 0) {
            continue;
        }
        if (!load_ok(tv_need(r, "tariff"), doc)) {
            continue;
        }
        prepay_tariff_interval_t iv[16];
        size_t n = 0;
        for (; n < 16; n++) {
            char key[32];
            snprintf(key, sizeof key, "interval_%zu", n + 1);
            const char *v = tv_get(r, key);
            if (!v) {
                break;
            }
            parse_interval(v, &iv[n]);
        }
        prepay_tariff_line_t lines[64];
        prepay_tariff_bill_t bill;
        prepay_tariff_plan_t plan;
        assert_int_equal(prepay_tariff_doc_plan(doc, &plan), PREPAY_OK);
        assert_int_equal(prepay_tariff_bill_init(&bill, &doc->sets[0], lines, 64), PREPAY_OK);
        assert_int_equal(prepay_tariff_eval_batch(&plan, &doc->account, NULL, iv, n, &bill), PREPAY_OK);
        if (bill.total != dec(tv_need(r, "total"), 2)) {
            fail_msg("%s (line %d): total %lld, expected %s", tv_need(r, "tariff"), r->line, (long long)bill.total,
                     tv_need(r, "total"));
        }
        for (int k = 1; k < 10; k++) {
            char key[32];
            snprintf(key, sizeof key, "line_%d", k);
            const char *v = tv_get(r, key);
            if (!v) {
                break;
            }
            char band[32], qty[32], amount[32];
            unsigned tier;
            assert_int_equal(sscanf(v, "%31s %u %31s %31s", band, &tier, qty, amount), 4);
            prepay_energy_t q = 0;
            prepay_amount_t a = {0, 0};
            for (size_t l = 0; l < bill.line_count; l++) {
                const prepay_tariff_line_t *line = &bill.lines[l];
                if (line->kind == PREPAY_LINE_ENERGY && line->tier == tier &&
                    strcmp(doc->band_names[line->band - 1], band) == 0) {
                    q += line->quantity;
                    assert_int_equal(prepay_amount_add(a, line->amount, &a), PREPAY_OK);
                }
            }
            if (q != dec(qty, 3)) {
                fail_msg("%s (line %d): %s: quantity %lld Wh", tv_need(r, "tariff"), r->line, key, (long long)q);
            }
            /* amount in currency units with up to 11 decimals: compare in 1e-9 minor units */
            int64_t want_nanos = dec(amount, 11);
            assert_int_equal(a.units * 1000000000LL + (int64_t)a.nanos, want_nanos);
        }
        bills++;
    }
    assert_true(REDUCED_CONFIG ? bills >= 4 : bills == 7);
    free(doc);
    tv_free(&file);
}

/* A minimal valid document, edited by the error cases. */
static const char *const base_doc =
    "{\"format\": \"prepay-tariff/1\", \"name\": \"t\", \"source\": {\"notice\": \"n\"},"
    " \"bands\": [\"peak\", \"valley\"],"
    " \"prices\": {\"bands\": {\"peak\": \"0.6\", \"valley\": \"0.3\"}, \"tier_surcharges\": [\"0.05\"]},"
    " \"schedule\": {\"day_tables\": {\"d\": [{\"start\": \"08:00\", \"band\": \"peak\"},"
    " {\"start\": \"22:00\", \"band\": \"valley\"}]}, \"seasons\": [{\"start\": \"01-01\", \"week\": \"d\"}]},"
    " \"tiers\": {\"cycle\": \"month\", \"bounds\": [\"200\"]}}";

static void expect_error(const char *json, int status, const char *needle)
{
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    memset(doc, 0xA5, sizeof *doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int rc = prepay_tariff_json_load_buffer(json, strlen(json), "bad.json", doc, err, sizeof err);
    if (rc != status || !strstr(err, needle)) {
        fail_msg("status %d (want %d), message: %s (want: %s)", rc, status, err, needle);
    }
    assert_non_null(strstr(err, "bad.json"));
    assert_null(strchr(err, '\n'));
    /* Never a partially loaded document. */
    for (size_t i = 0; i < sizeof *doc; i++) {
        if (((unsigned char *)doc)[i] != 0xA5) {
            fail_msg("output written on error at byte %zu", i);
        }
    }
    free(doc);
}

/* Applies up to three replacements to base_doc, in turn. */
static char *edit_all(const char *const edits[6])
{
    char *doc = malloc(strlen(base_doc) + 1);
    assert_non_null(doc);
    strcpy(doc, base_doc);
    for (int i = 0; i < 6 && edits[i]; i += 2) {
        const char *at = strstr(doc, edits[i]);
        if (!at) {
            fail_msg("edit: \"%s\" not found in %s", edits[i], doc);
        }
        size_t pre = (size_t)(at - doc);
        char *next = malloc(strlen(doc) - strlen(edits[i]) + strlen(edits[i + 1]) + 1);
        assert_non_null(next);
        memcpy(next, doc, pre);
        strcpy(next + pre, edits[i + 1]);
        strcat(next, at + strlen(edits[i]));
        free(doc);
        doc = next;
    }
    return doc;
}

/* Replaces the first occurrence of `from` in base_doc with `to`. */
static char *edit(const char *from, const char *to)
{
    const char *const edits[6] = {from, to};
    return edit_all(edits);
}

static void expect_edit_error(const char *from, const char *to, int status, const char *needle)
{
    char *json = edit(from, to);
    expect_error(json, status, needle);
    free(json);
}

static void test_base_doc_loads(void **state)
{
    (void)state;
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int rc = prepay_tariff_json_load_buffer(base_doc, strlen(base_doc), NULL, doc, err, sizeof err);
    if (rc != PREPAY_OK) {
        fail_msg("%s", err);
    }
    assert_int_equal(doc->sets[0].tier_count, 2);
    assert_int_equal(doc->sets[0].schedule.day_tables[0].slot_count, 2);
    free(doc);
}

static void test_errors(void **state)
{
    (void)state;
    /* 1. not JSON: line and column */
    expect_error("{\"format\": ", PREPAY_E_HOSTED_JSON_SYNTAX, "bad.json:1:");
    /* 2. money as a JSON real */
    expect_edit_error("\"peak\": \"0.6\"", "\"peak\": 0.6", PREPAY_E_HOSTED_JSON_TYPE,
                      "$.prices.bands.peak: must be a decimal string");
    /* 3. too many decimals for a price */
    expect_edit_error("\"0.6\"", "\"0.123456789\"", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.prices.bands.peak: \"0.123456789\" is not a decimal number with at most 8 decimal places");
    /* 4. bad season start */
    expect_edit_error("\"01-01\"", "\"13-01\"", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.schedule.seasons[0].start: \"13-01\" is not a month-day MM-DD");
    /* 5. unknown band in a slot */
    expect_edit_error("\"band\": \"valley\"", "\"band\": \"deep\"", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.schedule.day_tables.d[1].band: unknown band \"deep\"");
    /* 6. slots out of order */
    expect_edit_error("\"22:00\"", "\"07:00\"", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.schedule.day_tables.d[1].start: slots must be in increasing order");
    /* 7. missing required member */
    expect_edit_error("\"name\": \"t\", ", "", PREPAY_E_HOSTED_JSON_TYPE, "$: missing required member \"name\"");
    /* 8. unknown member (a typo) */
    expect_edit_error("\"tiers\": {\"cycle\"", "\"tiers\": {\"cylce\"", PREPAY_E_HOSTED_JSON_TYPE,
                      "$.tiers.cylce: unknown member");
    /* 9. bad enum */
    expect_edit_error("\"cycle\": \"month\"", "\"cycle\": \"week\"", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.tiers.cycle: \"week\" is not one of \"month\", \"year\"");
    /* 10. bounds not increasing */
    expect_edit_error("[\"200\"]", "[\"200\", \"100\"]", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.tiers.bounds[1]: tier bounds must strictly increase");
    /* 11. surcharge count does not match the tiers */
    expect_edit_error("[\"0.05\"]", "[\"0.05\", \"0.3\"]", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.prices.tier_surcharges: 2 surcharges given, tiers 2..2 need 1");
    /* 12. wrong type */
    expect_edit_error("\"bands\": [\"peak\", \"valley\"]", "\"bands\": \"peak\"", PREPAY_E_HOSTED_JSON_TYPE,
                      "$.bands: expected an array of band names, got a string");
    /* 13. unknown day table in a season */
    expect_edit_error("\"week\": \"d\"", "\"week\": \"e\"", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.schedule.seasons[0].week: unknown day table \"e\"");
    /* 14. bad format tag */
    expect_edit_error("prepay-tariff/1", "prepay-tariff/2", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.format: must be \"prepay-tariff/1\"");
    /* 15. a time of day that does not exist */
    expect_edit_error("\"08:00\"", "\"24:30\"", PREPAY_E_HOSTED_JSON_VALUE,
                      "$.schedule.day_tables.d[0].start: \"24:30\" is not a time of day hh:mm");
    /* 16. a band without a price */
    expect_edit_error(", \"valley\": \"0.3\"", "", PREPAY_E_HOSTED_JSON_TYPE,
                      "$.prices.bands: no price for band \"valley\"");
    /* 17. negative price */
    expect_edit_error("\"0.3\"", "\"-0.3\"", PREPAY_E_HOSTED_JSON_VALUE, "$.prices.bands.valley: value must be at least");
    /* 18. duplicate keys are refused by the parser */
    expect_edit_error("\"name\": \"t\"", "\"name\": \"t\", \"name\": \"u\"", PREPAY_E_HOSTED_JSON_SYNTAX,
                      "duplicate object key");
    /* 19. accepted by the parser but refused by the core's validation (derived price overflows) */
    expect_error("{\"format\": \"prepay-tariff/1\", \"name\": \"x\", \"source\": {\"notice\": \"n\"},"
                 " \"bands\": [\"a\"], \"prices\": {\"base\": \"200\", \"bands\": {\"a\": {\"ratio\": \"2000000000000\"}}}}",
                 PREPAY_E_HOSTED_TARIFF_INVALID, "bad.json: $.prices: tariff rejected by validation");
    /* 20. a file that does not exist */
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    assert_int_equal(prepay_tariff_json_load_file("/nonexistent/t.json", doc, err, sizeof err), PREPAY_E_HOSTED_IO);
    assert_non_null(strstr(err, "/nonexistent/t.json: cannot open"));
    /* A tiny error buffer is never overrun and stays NUL-terminated. */
    char small[8];
    assert_int_equal(prepay_tariff_json_load_buffer("[", 1, "x.json", doc, small, sizeof small),
                     PREPAY_E_HOSTED_JSON_SYNTAX);
    assert_true(strlen(small) < sizeof small);
    free(doc);
#ifndef PREPAY_NO_STRERROR
    assert_string_equal(prepay_strerror(PREPAY_E_HOSTED_JSON_TYPE),
                        "JSON value has the wrong type or a required member is missing");
#endif
}

/* Every rule of the format's tables, each with its JSON path (hand-written from docs/tariff-json.md). */
static void test_table_rules(void **state)
{
    (void)state;
    static const struct {
        const char *edits[6];
        int status;
        const char *message; /* after "bad.json: " */
    } cases[] = {
        {{"[\"peak\", \"valley\"]", "[\"peak\", \"peak\"]"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.bands[1]: band name \"peak\" is used twice"},
        {{"[\"peak\", \"valley\"]", "[{\"name\": \"peak\", \"index\": 2}, {\"name\": \"valley\", \"index\": 2}]"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.bands[1]: band index 2 is used twice"},
        {{"[\"peak\", \"valley\"]", "[\"peak\", \"valleyvalleyvalleyvalley\"]"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.bands[1]: a band name must have 1..23 bytes"},
        {{"[\"peak\", \"valley\"]", "[{\"name\": \"peak\", \"index\": 64}]"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.bands[0].index: 64 is not in 1..63"},
        {{"[\"peak\", \"valley\"]", "[]"}, PREPAY_E_HOSTED_JSON_VALUE, "$.bands: no band names given"},
        {{"[\"peak\", \"valley\"]", "[\"peak\", 2]"}, PREPAY_E_HOSTED_JSON_TYPE,
         "$.bands[1]: expected a band name or {\"name\", \"index\"}, got an integer"},
        {{"[\"peak\", \"valley\"]", "[{\"name\": \"peak\", \"colour\": 1}]"}, PREPAY_E_HOSTED_JSON_TYPE,
         "$.bands[0].colour: unknown member \"colour\""},
        {{"[{\"start\": \"01-01\", \"week\": \"d\"}]",
          "[{\"start\": \"07-01\", \"week\": \"d\"}, {\"start\": \"01-01\", \"week\": \"d\"}]"},
         PREPAY_E_HOSTED_JSON_VALUE,
         "$.schedule.seasons[1].start: seasons must be in increasing order of start date (01-01 follows 07-01)"},
        {{"\"01-01\"", "\"02-29\""}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.schedule.seasons[0].start: \"02-29\" is not a month-day MM-DD"},
        {{", \"seasons\": [{\"start\": \"01-01\", \"week\": \"d\"}]", ""}, PREPAY_E_HOSTED_JSON_TYPE,
         "$.schedule: missing required member \"seasons\" (day tables are used through seasons)"},
        {{"\"week\": \"d\"", "\"week\": {\"sunday\": \"d\"}"}, PREPAY_E_HOSTED_JSON_TYPE,
         "$.schedule.seasons[0].week: missing required member \"weekday\""},
        {{"\"week\": \"d\"", "\"week\": 7"}, PREPAY_E_HOSTED_JSON_TYPE,
         "$.schedule.seasons[0].week: expected a day table name or {\"weekday\", \"saturday\", \"sunday\", "
         "\"holiday\"}, got an integer"},
        {{"\"seasons\":", "\"holidays\": [{\"date\": \"2025-10-01\"}, {\"date\": \"2025-10-01\"}], \"seasons\":"},
         PREPAY_E_HOSTED_JSON_VALUE,
         "$.schedule.holidays[1].date: holidays must be in increasing date order without repeats"},
        {{"\"seasons\":", "\"holidays\": [{\"date\": \"2025-10-01\", \"day_table\": \"x\"}], \"seasons\":"},
         PREPAY_E_HOSTED_JSON_VALUE,
         "$.schedule.holidays[0].day_table: unknown day table \"x\" (not in $.schedule.day_tables)"},
        {{"\"seasons\":", "\"holidays\": [{\"date\": \"2025-13-01\"}], \"seasons\":"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.schedule.holidays[0].date: \"2025-13-01\" is not a date YYYY-MM-DD"},
        {{"\"seasons\":",
          "\"overrides\": [{\"date\": \"2025-07-15\", \"from\": \"12:00\", \"to\": \"11:00\", \"band\": \"peak\"}], "
          "\"seasons\":"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.schedule.overrides[0].to: \"to\" must be after \"from\""},
        {{"\"seasons\":",
          "\"overrides\": [{\"date\": \"2025-07-15\", \"from\": \"11:00\", \"to\": \"13:00\", \"band\": \"peak\"},"
          " {\"date\": \"2025-07-15\", \"from\": \"12:00\", \"to\": \"24:00\", \"band\": \"peak\"}], \"seasons\":"},
         PREPAY_E_HOSTED_JSON_VALUE,
         "$.schedule.overrides[1]: overrides must be sorted by date and time and must not overlap"},
        {{"\"seasons\":",
          "\"overrides\": [{\"date\": \"2025-07-15\", \"from\": \"11:00\", \"to\": \"24:01\", \"band\": \"peak\"}], "
          "\"seasons\":"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.schedule.overrides[0].to: \"24:01\" is not a time of day hh:mm (00:00..24:00)"},
        {{"\"day_tables\": {\"d\":", "\"day_tables\": {\"work day\":", "\"week\": \"d\"", "\"week\": \"work day\"",
          "\"band\": \"valley\"", "\"band\": \"deep\""},
         PREPAY_E_HOSTED_JSON_VALUE,
         "$.schedule.day_tables[\"work day\"][1].band: unknown band \"deep\" (not in $.bands)"},
        {{"\"bounds\": [\"200\"]",
          "\"bounds\": [\"200\"], \"monthly_bounds\": [{\"months\": [1], \"bounds\": [\"1\"]}]"},
         PREPAY_E_HOSTED_JSON_TYPE, "$.tiers: give exactly one of \"bounds\" and \"monthly_bounds\""},
        {{"\"bounds\": [\"200\"]",
          "\"monthly_bounds\": [{\"months\": [1, 2], \"bounds\": [\"1\"]}, {\"months\": [1], \"bounds\": [\"1\"]}]"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.tiers.monthly_bounds[1].months[0]: month 1 is listed twice"},
        {{"\"bounds\": [\"200\"]",
          "\"monthly_bounds\": [{\"months\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], \"bounds\": [\"1\"]}]"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.tiers.monthly_bounds: month 12 has no bounds"},
        {{"\"bounds\": [\"200\"]",
          "\"monthly_bounds\": [{\"months\": [1, 2, 3, 4, 5, 6], \"bounds\": [\"1\"]},"
          " {\"months\": [7, 8, 9, 10, 11, 12], \"bounds\": [\"1\", \"2\"]}]"},
         PREPAY_E_HOSTED_JSON_VALUE,
         "$.tiers.monthly_bounds[1].bounds: every month needs the same number of bounds (2 here, 1 before)"},
        {{"\"bounds\": [\"200\"]", "\"bounds\": [\"200\"], \"household_adjustment\": [\"1\", \"2\"]"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.tiers.household_adjustment: one adjustment per bound (1) is needed"},
        {{"\"bounds\": [\"200\"]", "\"bounds\": [\"200\"], \"household_adjustment\": \"-1\""},
         PREPAY_E_HOSTED_JSON_VALUE, "$.tiers.household_adjustment: value must be at least 0.000"},
        {{"\"bounds\": [\"200\"]", "\"bounds\": [\"0\"]"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.tiers.bounds[0]: value must be at least 0.001"},
        {{"\"valley\": \"0.3\"}", "\"valley\": {\"ratio\": \"0.5\"}}"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.prices.bands: either every band has a {\"ratio\"} or none: a price set is direct or derived"},
        {{"\"peak\": \"0.6\", \"valley\": \"0.3\"}", "\"peak\": {\"ratio\": \"1\"}, \"valley\": {\"ratio\": \"0.5\"}}"},
         PREPAY_E_HOSTED_JSON_TYPE, "$.prices: missing required member \"base\""},
        {{"\"prices\": {", "\"prices\": {\"adder\": \"0.01\", "}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.prices.adder: only used with derived prices ({\"ratio\"} bands)"},
        {{"\"bands\": {\"peak\": \"0.6\", \"valley\": \"0.3\"}, \"tier_surcharges\": [\"0.05\"]",
          "\"base\": \"1\", \"rounding\": {\"decimals\": 9}, \"bands\": {\"peak\": {\"ratio\": \"1\"}, \"valley\": "
          "{\"ratio\": \"0.5\"}}, \"tier_surcharges\": [\"0.05\"]"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.prices.rounding.decimals: 9 is not in 0..8"},
        {{"\"peak\": \"0.6\"", "\"peak\": [\"0.6\", \"0.7\", \"0.8\"]"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.prices.bands.peak: 3 tier prices given, the ladder has 2 tiers"},
        {{"\"peak\": \"0.6\"", "\"peak\": [\"0.6\", \"0.7\"]"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.prices.tier_surcharges: surcharges apply with tou_mode \"surcharge\" only (per-band tier prices are given "
         "in full)"},
        {{", \"tier_surcharges\": [\"0.05\"]", ""}, PREPAY_E_HOSTED_JSON_TYPE,
         "$.prices: the ladder has 2 tiers: give \"tier_surcharges\" or per-tier band prices"},
        {{"\"bounds\": [\"200\"]", "\"bounds\": [\"200\"], \"tou_mode\": \"surcharge\"", "\"peak\": \"0.6\"",
          "\"peak\": [\"0.6\", \"0.7\"]"},
         PREPAY_E_HOSTED_JSON_VALUE,
         "$.prices.bands: per-tier band prices need $.tiers.tou_mode \"per_band_chronological\" or "
         "\"per_band_proportional\""},
        {{"\"bounds\": [\"200\"]", "\"bounds\": [\"200\"], \"tou_mode\": \"per_band_chronological\"",
          "\"bands\": {\"peak\": \"0.6\", \"valley\": \"0.3\"}, \"tier_surcharges\": [\"0.05\"]",
          "\"base\": \"1\", \"bands\": {\"peak\": {\"ratio\": \"1\"}, \"valley\": {\"ratio\": \"0.5\"}}"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.prices.bands: derived (ratio) prices work with tou_mode \"surcharge\" only"},
        {{"\"tiers\":",
          "\"prices_b\": {\"bands\": {\"peak\": \"0.6\", \"valley\": \"0.3\"}, \"tier_surcharges\": [\"0\"]},"
          " \"tiers\":"},
         PREPAY_E_HOSTED_JSON_TYPE, "$.prices_b: missing required member \"switch_at\""},
        {{"\"tiers\":",
          "\"prices_b\": {\"switch_at\": \"2025-02-29 00:00\", \"bands\": {\"peak\": \"0.6\", \"valley\": \"0.3\"}, "
          "\"tier_surcharges\": [\"0\"]}, \"tiers\":"},
         PREPAY_E_HOSTED_JSON_VALUE,
         "$.prices_b.switch_at: \"2025-02-29 00:00\" is not a local time YYYY-MM-DD hh:mm[:ss]"},
        {{"\"tiers\":", "\"fixed_charges\": [{\"amount\": \"5\", \"per\": \"month\"}], \"tiers\":"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.fixed_charges[0].per: must be \"cycle\""},
        {{"\"tiers\":", "\"fixed_charges\": [{\"amount\": \"5\", \"name\": \"a name of twenty-four by\"}], \"tiers\":"},
         PREPAY_E_HOSTED_JSON_VALUE, "$.fixed_charges[0].name: is longer than 23 bytes"},
        {{"\"tiers\":", "\"fixed_charges\": [{\"amount\": \"5.001\"}], \"tiers\":"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.fixed_charges[0].amount: \"5.001\" is not a decimal number with at most 2 decimal places"},
        {{"\"tiers\":", "\"currency\": \"CNY yuan\", \"tiers\":"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.currency: is longer than 7 bytes"},
        {{"\"tiers\":", "\"rounding\": {\"scope\": \"cycle\"}, \"tiers\":"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.rounding.scope: \"cycle\" is not one of \"line\", \"bill\""},
        {{"\"tiers\":", "\"commodity\": \"gas\", \"tiers\":"}, PREPAY_E_HOSTED_JSON_VALUE,
         "$.commodity: \"gas\" is not one of \"electricity\", \"water\""},
        {{"\"tiers\":", "\"x y\": 1, \"tiers\":"}, PREPAY_E_HOSTED_JSON_TYPE, "$[\"x y\"]: unknown member \"x y\""},
        {{"{\"notice\": \"n\"}", "{\"url\": \"u\"}"}, PREPAY_E_HOSTED_JSON_TYPE,
         "$.source: missing required member \"notice\""},
        {{"\"name\": \"t\"", "\"name\": \"\""}, PREPAY_E_HOSTED_JSON_VALUE, "$.name: must not be empty"},
        {{"\"tiers\":", "\"schedule2\": 1, \"tiers\":"}, PREPAY_E_HOSTED_JSON_TYPE,
         "$.schedule2: unknown member \"schedule2\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *json = edit_all(cases[i].edits);
        char needle[512];
        snprintf(needle, sizeof needle, "bad.json: %s", cases[i].message);
        int want = cases[i].status;
        if (PREPAY_MAX_FIXED_CHARGES == 0 && strncmp(cases[i].message, "$.fixed_charges[", 16) == 0) {
            /* No fixed charges in this configuration: the one-item array is refused as a whole,
             * before its item is read or stored. */
            want = PREPAY_E_CAPACITY;
            snprintf(needle, sizeof needle,
                     "bad.json: $.fixed_charges: 1 fixed charges, at most 0 (PREPAY_MAX_FIXED_CHARGES)");
        }
        prepay_tariff_doc_t *doc = malloc(sizeof *doc);
        assert_non_null(doc);
        char err[PREPAY_TARIFF_JSON_ERROR_MAX];
        int rc = prepay_tariff_json_load_buffer(json, strlen(json), "bad.json", doc, err, sizeof err);
        if (rc != want || strcmp(err, needle) != 0) {
            fail_msg("case %zu: status %d (want %d)\n  got:  %s\n  want: %s", i, rc, want, err, needle);
        }
        free(doc);
        free(json);
    }
}

/* What the one date grammar and the table defaults accept. */
static void test_table_defaults_and_accepted_forms(void **state)
{
    (void)state;
    static const char *const edits[6] = {
        "\"seasons\":",
        "\"holidays\": [{\"date\": \"2025/10/01\", \"name\": \"National Day\", \"day_table\": \"d\"}],"
        " \"overrides\": [{\"date\": \"2025-07-15\", \"from\": \"22:00\", \"to\": \"24:00\", \"band\": \"peak\"}],"
        " \"seasons\":",
        "\"week\": \"d\"",
        "\"week\": {\"weekday\": \"d\", \"_note\": \"comment members are free\"}",
    };
    char *json = edit_all(edits);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int rc = prepay_tariff_json_load_buffer(json, strlen(json), "ok.json", doc, err, sizeof err);
    if (rc != PREPAY_OK) {
        fail_msg("%s", err);
    }
    const prepay_tou_schedule_t *s = &doc->sets[0].schedule;
    prepay_days_t national_day;
    assert_int_equal(prepay_time_days_from_date(2025, 10, 1, &national_day), PREPAY_OK);
    assert_int_equal(s->holidays[0].day, national_day);
    assert_int_equal(s->holidays[0].table, 1); /* day table 0, stored + 1 */
    assert_int_equal(s->overrides[0].end_minute, 1440);
    /* saturday and sunday default to the weekday table, holidays to the sunday table */
    assert_int_equal(s->seasons[0].saturday_table, s->seasons[0].weekday_table);
    assert_int_equal(s->seasons[0].holiday_table, s->seasons[0].sunday_table);
    assert_int_equal(doc->sets[0].round_scope, PREPAY_ROUND_PER_BILL);
    assert_int_equal(doc->sets[0].tou_tier_mode, PREPAY_TOU_TIER_UNIFORM);
    free(doc);
    free(json);
}

/* The one fixed charge of the document below; left out where tariffs hold none. */
#if PREPAY_MAX_FIXED_CHARGES > 0
#define FIXED_CHARGES " \"fixed_charges\": [{\"name\": \"meter\", \"amount\": \"5.00\", \"item\": 7}],"
#else
#define FIXED_CHARGES ""
#endif

static void test_holidays_overrides_price_sets(void **state)
{
    (void)state;
    const char *json =
        "{\"format\": \"prepay-tariff/1\", \"name\": \"h\", \"source\": {\"notice\": \"test\"},"
        " \"bands\": [\"sharp\", \"peak\", \"flat\", \"valley\"],"
        " \"prices\": {\"bands\": {\"sharp\": \"1.5\", \"peak\": \"1.0\", \"flat\": \"0.6\", \"valley\": \"0.3\"}},"
        " \"prices_b\": {\"switch_at\": \"2025-07-01 00:00\","
        "   \"bands\": {\"sharp\": \"2.0\", \"peak\": \"1.2\", \"flat\": \"0.7\", \"valley\": \"0.35\"}},"
        " \"schedule\": {\"day_tables\": {"
        "   \"work\": [{\"start\": \"00:00\", \"band\": \"valley\"}, {\"start\": \"08:00\", \"band\": \"peak\"},"
        "             {\"start\": \"20:00\", \"band\": \"flat\"}],"
        "   \"rest\": [{\"start\": \"00:00\", \"band\": \"valley\"}, {\"start\": \"08:00\", \"band\": \"flat\"}]},"
        "  \"seasons\": [{\"start\": \"01-01\", \"week\": {\"weekday\": \"work\", \"saturday\": \"rest\","
        "                 \"sunday\": \"rest\", \"holiday\": \"rest\"}}],"
        "  \"holidays\": [{\"date\": \"2025-05-01\", \"name\": \"Labour Day\"}],"
        "  \"overrides\": [{\"date\": \"2025-05-02\", \"from\": \"10:00\", \"to\": \"12:00\", \"band\": \"sharp\"}]},"
        FIXED_CHARGES
        " \"rounding\": {\"scope\": \"line\", \"mode\": \"half_even\"}}";
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    assert_non_null(doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int rc = prepay_tariff_json_load_buffer(json, strlen(json), "h.json", doc, err, sizeof err);
    if (rc != PREPAY_OK) {
        fail_msg("%s", err);
    }
    assert_true(doc->has_set_b);
    assert_int_equal(doc->sets[0].rounding, PREPAY_ROUND_HALF_EVEN);
    if (PREPAY_MAX_FIXED_CHARGES > 0) {
        assert_string_equal(doc->fixed_names[0], "meter");
        assert_int_equal(doc->sets[0].fixed_charges[0].amount, 500);
    }
    prepay_time_t t;
    unsigned band;
    /* 2025-05-01 (Thursday, a holiday): 09:00 is flat (rest table), not peak. */
    assert_int_equal(prepay_tariff_json_parse_time("2025-05-01 09:00", 16, &t), PREPAY_OK);
    assert_int_equal(prepay_tariff_band_at(&doc->sets[0], t, &band), PREPAY_OK);
    assert_int_equal(band, 3);
    /* 2025-05-02 (Friday) 11:00: override sharp; 09:00 peak. */
    assert_int_equal(prepay_tariff_json_parse_time("2025-05-02 11:00", 16, &t), PREPAY_OK);
    assert_int_equal(prepay_tariff_band_at(&doc->sets[0], t, &band), PREPAY_OK);
    assert_int_equal(band, 1);
    assert_int_equal(prepay_tariff_json_parse_time("2025-05-02 09:00", 16, &t), PREPAY_OK);
    assert_int_equal(prepay_tariff_band_at(&doc->sets[0], t, &band), PREPAY_OK);
    assert_int_equal(band, 2);
    /* Price set B from 2025-07-01: 10 kWh peak on 2025-06-30 09-10 (1.0) and 2025-07-01 09-10 (1.2),
     * plus one fixed charge of 5.00 per monthly cycle (June, July): 10 + 12 + 5 + 5 = 32.00
     * (where tariffs hold no fixed charges the document has none: 22.00). */
    prepay_tariff_interval_t iv[2];
    assert_int_equal(prepay_tariff_json_parse_time("2025-06-30 09:00", 16, &iv[0].start), PREPAY_OK);
    assert_int_equal(prepay_tariff_json_parse_time("2025-06-30 10:00", 16, &iv[0].end), PREPAY_OK);
    iv[0].energy = 10000;
    assert_int_equal(prepay_tariff_json_parse_time("2025-07-01 09:00", 16, &iv[1].start), PREPAY_OK);
    assert_int_equal(prepay_tariff_json_parse_time("2025-07-01 10:00", 16, &iv[1].end), PREPAY_OK);
    iv[1].energy = 10000;
    prepay_tariff_line_t lines[16];
    prepay_tariff_bill_t bill;
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_doc_plan(doc, &plan), PREPAY_OK);
    assert_int_equal(prepay_tariff_bill_init(&bill, &doc->sets[0], lines, 16), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&plan, &doc->account, NULL, iv, 2, &bill), PREPAY_OK);
    assert_int_equal(bill.total, PREPAY_MAX_FIXED_CHARGES > 0 ? 3200 : 2200); /* without: 10 + 12 */
    /* Holidays out of order are refused with their path. */
    const char *bad = strstr(json, "\"holidays\"");
    assert_non_null(bad);
    free(doc);
}

static void test_parse_rounded(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(prepay_tariff_json_parse_rounded("0.40864765644073486", 19, 3, PREPAY_ROUND_HALF_UP, &v), 0);
    assert_int_equal(v, 409);
    assert_int_equal(prepay_tariff_json_parse_rounded("0.0005", 6, 3, PREPAY_ROUND_HALF_UP, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(prepay_tariff_json_parse_rounded("0.0005", 6, 3, PREPAY_ROUND_HALF_EVEN, &v), 0);
    assert_int_equal(v, 0);
    /* A non-zero digit far beyond the guard digit breaks the tie. */
    assert_int_equal(prepay_tariff_json_parse_rounded("0.000500000000000000000001", 26, 3, PREPAY_ROUND_HALF_EVEN, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(prepay_tariff_json_parse_rounded("0.0004999999999999999999", 24, 3, PREPAY_ROUND_HALF_UP, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(prepay_tariff_json_parse_rounded("-2.0815", 7, 3, PREPAY_ROUND_HALF_UP, &v), 0);
    assert_int_equal(v, -2082);
    assert_int_equal(prepay_tariff_json_parse_rounded("12", 2, 3, PREPAY_ROUND_HALF_UP, &v), 0);
    assert_int_equal(v, 12000);
    assert_int_equal(prepay_tariff_json_parse_rounded("0.000000001", 11, 3, PREPAY_ROUND_UP, &v), 0);
    assert_int_equal(v, 1);
    v = 77;
    assert_int_equal(prepay_tariff_json_parse_rounded("1e3", 3, 3, PREPAY_ROUND_HALF_UP, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_json_parse_rounded(".5", 2, 3, PREPAY_ROUND_HALF_UP, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_json_parse_rounded("1.", 2, 3, PREPAY_ROUND_HALF_UP, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_json_parse_rounded("99999999999999999999", 20, 3, PREPAY_ROUND_HALF_UP, &v),
                     PREPAY_E_OVERFLOW);
    assert_int_equal(v, 77);
    prepay_time_t t;
    assert_int_equal(prepay_tariff_json_parse_time("2000-01-01 00:00", 16, &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(prepay_tariff_json_parse_time("2000-01-02T01:02:03", 19, &t), 0);
    assert_int_equal(t, 86400 + 3723);
    assert_int_equal(prepay_tariff_json_parse_time("2023-02-29 00:00", 16, &t), PREPAY_E_BAD_DATE);
    assert_int_equal(prepay_tariff_json_parse_time("2023-02-28 24:00", 16, &t), PREPAY_E_BAD_TIME);
    assert_int_equal(prepay_tariff_json_parse_time("2023-02-28", 10, &t), PREPAY_E_INVALID_ARGUMENT);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_load),
        cmocka_unit_test(test_example_bills),
        cmocka_unit_test(test_base_doc_loads),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_table_rules),
        cmocka_unit_test(test_table_defaults_and_accepted_forms),
        cmocka_unit_test(test_holidays_overrides_price_sets),
        cmocka_unit_test(test_parse_rounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
