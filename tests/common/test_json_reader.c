/* SPDX-License-Identifier: MIT */
/*
 * The hosted JSON reader (src/common/json_internal.h): every reader type,
 * every error with its JSON path and status, the path's spelling of odd
 * keys, message buffers of any size, files, and the JSON string escaper
 * (RFC 8259 section 7; UTF-8 validity per RFC 3629 section 4).
 *
 * Expected messages and values are written by hand from the reader's
 * documented rules.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_internal.h"
#include "prepay/hosted_status.h"
#include "prepay/status.h"

#include "json_sample_format.h"

/* Reads text with type; returns the status, the message in err. */
static int read_text(const char *text, const prepay__json_type_t *type, sample_t *s, char *err, size_t cap)
{
    prepay__json_reader_t r;
    prepay__json_init(&r, "t.json", err, cap, s);
    json_t *root = NULL;
    int status = prepay__json_parse(&r, text, strlen(text), &root);
    if (status == PREPAY_OK) {
        status = prepay__json_read(&r, root, type, s);
        if (status == PREPAY_OK && s->ref) {
            s->ref = strcmp(s->ref, "kept") == 0 ? "kept" : "other"; /* the tree is freed below */
        }
        json_decref(root);
    }
    return status;
}

static void expect_ok(const char *text, sample_t *s)
{
    char err[PREPAY__JSON_ERROR_MAX];
    memset(s, 0, sizeof *s);
    int status = read_text(text, &sample_type, s, err, sizeof err);
    if (status != PREPAY_OK) {
        fail_msg("%s: %s", text, err);
    }
    assert_string_equal(err, "");
}

/* The exact message "t.json: <path>: <what>" and status. */
static void expect_error(const char *text, int status, const char *message)
{
    sample_t s;
    memset(&s, 0, sizeof s);
    char err[PREPAY__JSON_ERROR_MAX];
    int got = read_text(text, &sample_type, &s, err, sizeof err);
    if (got != status || strcmp(err, message) != 0) {
        fail_msg("%s\n  got    %d %s\n  wanted %d %s", text, got, err, status, message);
    }
}

/* ---- objects and fields ---------------------------------------------------------------------------- */

static void test_objects(void **state)
{
    (void)state;
    sample_t s;
    expect_ok("{\"version\": \"v1\", \"_comment\": 1, \"x-tool\": {}, \"comment\": \"free text\"}", &s);
    expect_error("[]", PREPAY_E_HOSTED_JSON_TYPE, "t.json: $: expected a sample object, got an array");
    expect_error("{}", PREPAY_E_HOSTED_JSON_TYPE, "t.json: $: missing required member \"version\"");
    expect_error("{\"version\": \"v1\", \"bogus\": 1}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.bogus: unknown member \"bogus\"");
    expect_error("{\"version\": \"v2\"}", PREPAY_E_HOSTED_JSON_VALUE, "t.json: $.version: must be \"v1\"");
    expect_error("{\"version\": 1}", PREPAY_E_HOSTED_JSON_VALUE, "t.json: $.version: must be \"v1\"");
    expect_error("{\"version\": \"v1\", \"comment\": 5}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.comment: expected a string, got an integer");
    /* finish runs after the members, at the object's path */
    expect_error("{\"version\": \"v1\", \"i16\": 1}", PREPAY_E_HOSTED_JSON_TYPE, "t.json: $: \"i16\" needs \"u8\"");
    /* nested objects: the path grows */
    expect_ok("{\"version\": \"v1\", \"nested\": {\"deep\": -5}}", &s);
    assert_int_equal(s.nested, -5);
    expect_error("{\"version\": \"v1\", \"nested\": {}}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.nested: missing required member \"deep\"");
    expect_error("{\"version\": \"v1\", \"nested\": {\"deep\": \"1\"}}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.nested.deep: expected an integer, got a string");
    expect_error("{\"version\": \"v1\", \"nested\": 3}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.nested: expected an object, got an integer");
    /* an open object takes unknown members */
    char err[PREPAY__JSON_ERROR_MAX];
    memset(&s, 0, sizeof s);
    assert_int_equal(
        read_text("{\"version\": \"v1\", \"bogus\": 1, \"u8\": 7}", &open_sample_type, &s, err, sizeof err), PREPAY_OK);
    assert_int_equal(s.u8, 7);
    /* members are read in table order, so the first error in the table is reported */
    expect_error("{\"i32\": \"x\", \"version\": \"v1\", \"u8\": \"x\"}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.u8: expected an integer, got a string");
}

/* ---- numbers ---------------------------------------------------------------------------------- */

static void test_integers(void **state)
{
    (void)state;
    sample_t s;
    expect_ok("{\"version\": \"v1\", \"u8\": 255, \"i16\": -300, \"i32\": -2147483648, \"i64\": 9223372036854775807}",
              &s);
    assert_int_equal(s.u8, 255);
    assert_int_equal(s.i16, -300);
    assert_int_equal(s.i32, INT32_MIN);
    assert_true(s.i64 == INT64_MAX);
    expect_error("{\"version\": \"v1\", \"u8\": 256}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.u8: 256 is not in 0..255");
    expect_error("{\"version\": \"v1\", \"u8\": -1}", PREPAY_E_HOSTED_JSON_VALUE, "t.json: $.u8: -1 is not in 0..255");
    expect_error("{\"version\": \"v1\", \"u8\": 1.0}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.u8: expected an integer, got a JSON real");
    expect_error("{\"version\": \"v1\", \"u8\": \"1\"}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.u8: expected an integer, got a string");
    expect_error("{\"version\": \"v1\", \"i16\": 301, \"u8\": 1}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.i16: 301 is not in -300..300");
    /* prepay__json_store_int writes exactly the width asked for */
    uint8_t bytes[10];
    memset(bytes, 0xEE, sizeof bytes);
    prepay__json_store_int(bytes + 1, 2, -2);
    int16_t v16;
    memcpy(&v16, bytes + 1, 2);
    assert_int_equal(v16, -2);
    assert_int_equal(bytes[0], 0xEE);
    assert_int_equal(bytes[3], 0xEE);
}

static void test_decimals(void **state)
{
    (void)state;
    sample_t s;
    expect_ok("{\"version\": \"v1\", \"price\": \"0.58886875\"}", &s);
    assert_int_equal(s.price, 58886875);
    expect_ok("{\"version\": \"v1\", \"price\": 2}", &s);
    assert_int_equal(s.price, 200000000);
    expect_ok("{\"version\": \"v1\", \"price\": \"+1.5\"}", &s);
    assert_int_equal(s.price, 150000000);
    expect_error("{\"version\": \"v1\", \"price\": 0.5}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.price: must be a decimal string (e.g. \"0.5\"), not a JSON real: binary floats are not "
                 "exact");
    expect_error("{\"version\": \"v1\", \"price\": \"0.123456789\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.price: \"0.123456789\" is not a decimal number with at most 8 decimal places");
    expect_error("{\"version\": \"v1\", \"price\": \"1e3\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.price: \"1e3\" is not a decimal number with at most 8 decimal places");
    expect_error("{\"version\": \"v1\", \"price\": \"99999999999999999999\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.price: \"99999999999999999999\" is too large");
    expect_error("{\"version\": \"v1\", \"price\": 9223372036854775807}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.price: 9223372036854775807 is too large");
    expect_error("{\"version\": \"v1\", \"price\": \"-0.01\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.price: value must be at least 0.00000000");
    expect_error("{\"version\": \"v1\", \"price\": \"23058430092.13693952\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.price: value is too large (at most 23058430092.13693951)");
    expect_error("{\"version\": \"v1\", \"price\": null}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.price: expected a decimal string, got null");
    /* a closed range says both ends */
    expect_error("{\"version\": \"v1\", \"number\": \"1000.00000001\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.number: value must be between -1000.00000000 and 1000.00000000");
}

static void test_numbers_from_reals(void **state)
{
    (void)state;
    sample_t s;
    /* The shortest decimal that reads back as the same double, then exact (docs/tariff-json.md). */
    expect_ok("{\"version\": \"v1\", \"number\": 0.31868000000000002}", &s);
    assert_int_equal(s.number, 31868000);
    expect_ok("{\"version\": \"v1\", \"number\": 11.699999999999999}", &s);
    assert_int_equal(s.number, 1170000000);
    expect_ok("{\"version\": \"v1\", \"number\": 1e-05}", &s);
    assert_int_equal(s.number, 1000);
    expect_ok("{\"version\": \"v1\", \"number\": 1.5e-7}", &s);
    assert_int_equal(s.number, 15);
    expect_ok("{\"version\": \"v1\", \"number\": -2.5}", &s);
    assert_int_equal(s.number, -250000000);
    expect_ok("{\"version\": \"v1\", \"number\": 1e3}", &s);
    assert_int_equal(s.number, 100000000000);
    expect_ok("{\"version\": \"v1\", \"number\": \"0.25\"}", &s); /* strings and integers as for decimals */
    assert_int_equal(s.number, 25000000);
    expect_ok("{\"version\": \"v1\", \"number\": 1e-40}", &s); /* far below the scale: zero */
    assert_int_equal(s.number, 0);
    expect_error("{\"version\": \"v1\", \"number\": 0.123456789}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.number: number 0.123456789 needs more than 8 decimal places");
    expect_error("{\"version\": \"v1\", \"number\": 1e40}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.number: number 1e+40 is too large");
    expect_error("{\"version\": \"v1\", \"number\": 1e20}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.number: number 100000000000000000000 is too large");
    expect_error("{\"version\": \"v1\", \"number\": 1e4}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.number: value must be between -1000.00000000 and 1000.00000000");
}

/* ---- names, strings, booleans ---------------------------------------------------------------------- */

static void test_enums_strings_booleans(void **state)
{
    (void)state;
    sample_t s;
    expect_ok("{\"version\": \"v1\", \"color\": \"green\", \"text\": \"1234567\", \"ref\": \"kept\", \"flag\": true}",
              &s);
    assert_int_equal(s.color, 20);
    assert_string_equal(s.text, "1234567");
    assert_string_equal(s.ref, "kept");
    assert_true(s.flag);
    expect_ok("{\"version\": \"v1\", \"flag\": false}", &s);
    assert_false(s.flag);
    expect_error("{\"version\": \"v1\", \"color\": \"blue\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.color: \"blue\" is not one of \"red\", \"green\"");
    expect_error("{\"version\": \"v1\", \"color\": 1}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.color: expected a string, got an integer");
    expect_error("{\"version\": \"v1\", \"text\": \"12345678\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.text: is longer than 7 bytes");
    expect_error("{\"version\": \"v1\", \"text\": \"\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.text: must not be empty");
    expect_error("{\"version\": \"v1\", \"text\": \"a\\u0000b\"}", PREPAY_E_HOSTED_JSON_SYNTAX, /* never in a string */
                 "t.json:1:36: JSON syntax error: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"a\\u0000b\"'");
    expect_error("{\"version\": \"v1\", \"text\": []}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.text: expected a string, got an array");
    expect_error("{\"version\": \"v1\", \"ref\": false}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.ref: expected a string, got a boolean");
    expect_error("{\"version\": \"v1\", \"flag\": 1}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.flag: expected true or false, got an integer");
    /* values in messages are escaped and cut */
    expect_error("{\"version\": \"v1\", \"color\": \"bl\\\"ue\\n\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.color: \"bl\\\"ue\\n\" is not one of \"red\", \"green\"");
    expect_error("{\"version\": \"v1\", \"color\": \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\"}",
                 PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.color: \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv...\" is not one of \"red\", "
                 "\"green\"");
}

/* ---- dates and times --------------------------------------------------------------------------- */

static void test_dates_and_times(void **state)
{
    (void)state;
    sample_t s;
    expect_ok("{\"version\": \"v1\", \"day\": \"2000-01-02\", \"at\": \"2000-01-01T00:01\", \"clock\": \"24:00\","
              " \"minute\": \"23:59\"}",
              &s);
    assert_int_equal(s.day, 1);
    assert_int_equal(s.at, 60);
    assert_int_equal(s.clock, 86400);
    assert_int_equal(s.minute, 1439);
    expect_ok("{\"version\": \"v1\", \"day\": \"2000/01/03\", \"clock\": \"00:00:01\"}", &s);
    assert_int_equal(s.day, 2);
    assert_int_equal(s.clock, 1);
    expect_error("{\"version\": \"v1\", \"day\": \"2025-02-29\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.day: \"2025-02-29\" is not a date YYYY-MM-DD");
    expect_error("{\"version\": \"v1\", \"day\": 20250101}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.day: expected a string, got an integer");
    expect_error("{\"version\": \"v1\", \"at\": \"2025-01-01\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.at: \"2025-01-01\" is not a local time YYYY-MM-DD hh:mm[:ss]");
    expect_error("{\"version\": \"v1\", \"at\": \"2025-01-01 10:00+08:00\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.at: \"2025-01-01 10:00+08:00\" is not a local time YYYY-MM-DD hh:mm[:ss]");
    expect_error("{\"version\": \"v1\", \"clock\": \"24:01\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.clock: \"24:01\" is not a time of day hh:mm[:ss] (00:00..24:00)");
    expect_error("{\"version\": \"v1\", \"minute\": \"24:00\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.minute: \"24:00\" is not a time of day hh:mm (00:00..23:59)");
    expect_error("{\"version\": \"v1\", \"minute\": \"10:00:00\"}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.minute: \"10:00:00\" is not a time of day hh:mm (00:00..23:59)");
    expect_error("{\"version\": \"v1\", \"minute\": null}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.minute: expected a string, got null");
}

/* ---- arrays and members with dynamic keys ----------------------------------------------------------- */

static void test_arrays(void **state)
{
    (void)state;
    sample_t s;
    expect_ok("{\"version\": \"v1\", \"list\": [{\"n\": 1, \"label\": \"a\"}, {\"n\": 5}]}", &s);
    assert_int_equal(s.list.count, 2);
    assert_int_equal(s.list.item[0].n, 1);
    assert_string_equal(s.list.item[0].label, "a");
    assert_int_equal(s.list.item[1].n, 5);
    assert_int_equal(s.checked_items, 2);
    expect_error("{\"version\": \"v1\", \"list\": {}}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.list: expected an array of items, got an object");
    expect_error("{\"version\": \"v1\", \"list\": []}", PREPAY_E_HOSTED_JSON_VALUE, "t.json: $.list: no items given");
    expect_error("{\"version\": \"v1\", \"list\": [{\"n\": 1}, {\"n\": 2}, {\"n\": 3}]}", PREPAY_E_CAPACITY,
                 "t.json: $.list: 3 items, at most 2 (PREPAY_MAX_SAMPLE)");
    expect_error("{\"version\": \"v1\", \"list\": [{\"n\": 1}, {\"n\": 100}]}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.list[1].n: 100 is not in 0..99");
    expect_error("{\"version\": \"v1\", \"list\": [{\"n\": 1}, 7]}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.list[1]: expected an item, got an integer");
    expect_error("{\"version\": \"v1\", \"list\": [{\"n\": 1}, {\"label\": \"x\"}]}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $.list[1]: missing required member \"n\"");
    /* check_item sees each item once it is read, at the item's path */
    expect_error("{\"version\": \"v1\", \"list\": [{\"n\": 5}, {\"n\": 5}]}", PREPAY_E_HOSTED_JSON_VALUE,
                 "t.json: $.list[1].n: items must increase");
}

/* A format limit without a PREPAY_MAX_* macro, and a lower bound above one. */
typedef struct pair {
    uint8_t count;
    int32_t v[4];
} pair_t;
static const prepay__json_type_t pair_type = {
    PREPAY__JSON_ARRAY(pair_t, v, count, i32_type, "values", 2, 3, NULL),
};

static void test_array_limits(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"[1, 2, 3, 4]", "t.json: $: 4 values, at most 3", "V"},
        {"[1]", "t.json: $: 1 values given, at least 2 are needed", "V"},
        {"[1, 2]", "", "0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        prepay__json_reader_t r;
        char err[PREPAY__JSON_ERROR_MAX];
        prepay__json_init(&r, "t.json", err, sizeof err, NULL);
        json_t *root = NULL;
        assert_int_equal(prepay__json_parse(&r, cases[i][0], strlen(cases[i][0]), &root), PREPAY_OK);
        pair_t p;
        memset(&p, 0, sizeof p);
        int status = prepay__json_read(&r, root, &pair_type, &p);
        json_decref(root);
        assert_int_equal(status, cases[i][2][0] == 'V' ? PREPAY_E_HOSTED_JSON_VALUE : PREPAY_OK);
        assert_string_equal(err, cases[i][1]);
    }
}

static int sum_member(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx)
{
    int32_t v = 0;
    int status = prepay__json_read(r, value, &i32_type, &v);
    if (status == PREPAY_OK && strcmp(key, "stop") == 0) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "stopped at %d", (int)v);
    }
    *(int32_t *)ctx += v;
    return status;
}

static int each_member(const char *text, int32_t *sum, char *err, size_t cap)
{
    prepay__json_reader_t r;
    prepay__json_init(&r, "m.json", err, cap, NULL);
    json_t *root = NULL;
    int status = prepay__json_parse(&r, text, strlen(text), &root);
    if (status == PREPAY_OK) {
        status = prepay__json_each_member(&r, root, "counters", 3, "PREPAY_MAX_COUNTERS", sum_member, sum);
        json_decref(root);
    }
    return status;
}

static void test_members_with_dynamic_keys(void **state)
{
    (void)state;
    char err[PREPAY__JSON_ERROR_MAX];
    int32_t sum = 0;
    assert_int_equal(each_member("{\"a\": 1, \"b\": 2}", &sum, err, sizeof err), PREPAY_OK);
    assert_int_equal(sum, 3);
    assert_int_equal(each_member("{\"a\": 1, \"b\": \"2\"}", &sum, err, sizeof err), PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(err, "m.json: $.b: expected an integer, got a string");
    assert_int_equal(each_member("{\"a\": 1, \"stop\": 9}", &sum, err, sizeof err), PREPAY_E_HOSTED_JSON_VALUE);
    assert_string_equal(err, "m.json: $.stop: stopped at 9");
    assert_int_equal(each_member("[1]", &sum, err, sizeof err), PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(err, "m.json: $: expected an object of counters, got an array");
    assert_int_equal(each_member("{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4}", &sum, err, sizeof err), PREPAY_E_CAPACITY);
    assert_string_equal(err, "m.json: $: 4 counters, at most 3 (PREPAY_MAX_COUNTERS)");
}

/* ---- paths, messages, files ---------------------------------------------------------------------- */

static void test_path_spelling(void **state)
{
    (void)state;
    char err[PREPAY__JSON_ERROR_MAX];
    int32_t sum = 0;
    /* keys that are not plain names are bracketed and escaped (JSONPath) */
    assert_int_equal(each_member("{\"a b.c\": \"x\"}", &sum, err, sizeof err), PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(err, "m.json: $[\"a b.c\"]: expected an integer, got a string");
    assert_int_equal(each_member("{\"q\\\"\\n\": \"x\"}", &sum, err, sizeof err), PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(err, "m.json: $[\"q\\\"\\n\"]: expected an integer, got a string");
    /* UTF-8 names, digits, _ and - are plain */
    assert_int_equal(each_member("{\"\xE5\xB3\xB0-1_x\": \"x\"}", &sum, err, sizeof err), PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(err, "m.json: $.\xE5\xB3\xB0-1_x: expected an integer, got a string");
    /* very long keys are cut */
    assert_int_equal(
        each_member("{\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\": \"x\"}", &sum, err, sizeof err),
        PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(
        err, "m.json: $[\"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv...\"]: expected an integer, got a "
             "string");
    /* an unknown member with an odd key */
    expect_error("{\"version\": \"v1\", \"x y\": 1}", PREPAY_E_HOSTED_JSON_TYPE,
                 "t.json: $[\"x y\"]: unknown member \"x y\"");
}

/* Follows the first member of each object down to a leaf, which must be an integer. */
static int read_nested(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    if (!json_is_object(value)) {
        return prepay__json_read(r, value, &i32_type, out);
    }
    json_t *mutable_value = NULL; /* jansson's iterator takes a non-const object */
    memcpy(&mutable_value, &value, sizeof mutable_value);
    void *iter = json_object_iter(mutable_value);
    return prepay__json_read_member(r, value, json_object_iter_key(iter), true, type, out);
}

static const prepay__json_type_t nested_walk_type = {.read = read_nested};

static void test_deep_paths_are_cut_not_overrun(void **state)
{
    (void)state;
    /* 60 nested objects with 40-byte keys: far deeper than the path buffer. */
    char text[8192] = "";
    size_t n = 0;
    for (int i = 0; i < 60; i++) {
        n += (size_t)snprintf(text + n, sizeof text - n, "{\"k%039d\": ", i);
    }
    n += (size_t)snprintf(text + n, sizeof text - n, "\"leaf\"");
    for (int i = 0; i < 60; i++) {
        n += (size_t)snprintf(text + n, sizeof text - n, "}");
    }
    prepay__json_reader_t r;
    char err[PREPAY__JSON_ERROR_MAX];
    prepay__json_init(&r, "deep.json", err, sizeof err, NULL);
    json_t *root = NULL;
    assert_int_equal(prepay__json_parse(&r, text, n, &root), PREPAY_OK);
    int32_t v = 0;
    assert_int_equal(prepay__json_read(&r, root, &nested_walk_type, &v), PREPAY_E_HOSTED_JSON_TYPE);
    json_decref(root);
    /* the message keeps the levels that fit (six of 41 bytes), then says what is wrong */
    char key[128];
    snprintf(key, sizeof key, "deep.json: $.k%039d.k%039d.", 0, 1);
    assert_non_null(strstr(err, key));
    snprintf(key, sizeof key, ".k%039d: expected an integer, got a string", 5);
    assert_non_null(strstr(err, key));
    snprintf(key, sizeof key, "k%039d", 6);
    assert_null(strstr(err, key));
    assert_string_equal(r.path, "$"); /* every level restored on the way out */
}

static void test_message_buffers(void **state)
{
    (void)state;
    prepay__json_reader_t r;
    /* no buffer: the status alone */
    prepay__json_init(&r, NULL, NULL, 99, NULL);
    assert_int_equal(prepay__json_fail(&r, PREPAY_E_HOSTED_JSON_VALUE, "x"), PREPAY_E_HOSTED_JSON_VALUE);
    /* a tiny buffer is cut and stays NUL-terminated, never overrun */
    char small[9];
    memset(small, '#', sizeof small);
    prepay__json_init(&r, "origin.json", small, 8, NULL);
    assert_int_equal(prepay__json_fail(&r, PREPAY_E_HOSTED_JSON_TYPE, "a long message"), PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(small, "origin.");
    assert_int_equal(small[8], '#');
    /* one line whatever the origin holds; "<memory>" without one */
    char err[PREPAY__JSON_ERROR_MAX];
    prepay__json_init(&r, "a\nb.json", err, sizeof err, NULL);
    prepay__json_fail(&r, PREPAY_E_HOSTED_JSON_VALUE, "bad\tvalue");
    assert_string_equal(err, "a b.json: $: bad value");
    prepay__json_init(&r, NULL, err, sizeof err, NULL);
    prepay__json_fail_at(&r, "$.somewhere[2]", PREPAY_E_HOSTED_UNSUPPORTED, "not here");
    assert_string_equal(err, "<memory>: $.somewhere[2]: not here");
    assert_string_equal(r.path, "$");
    prepay__json_fail_member(&r, "key", PREPAY_E_HOSTED_JSON_VALUE, "member %d", 3);
    assert_string_equal(err, "<memory>: $.key: member 3");
    assert_string_equal(r.path, "$"); /* restored */
    assert_string_equal(prepay__json_type_name(NULL), "nothing");
    /* syntax errors: origin:line:column, duplicate keys refused */
    json_t *root = NULL;
    prepay__json_init(&r, "s.json", err, sizeof err, NULL);
    assert_int_equal(prepay__json_parse(&r, "{\n  \"a\": 1,\n  \"a\": 2}", 21, &root), PREPAY_E_HOSTED_JSON_SYNTAX);
    assert_non_null(strstr(err, "s.json:3:"));
    assert_non_null(strstr(err, "duplicate object key"));
    assert_null(strchr(err, '\n'));
    assert_int_equal(prepay__json_parse(&r, "{\"a\": }", 7, &root), PREPAY_E_HOSTED_JSON_SYNTAX);
    assert_non_null(strstr(err, "s.json:1:"));
}

static void test_items_and_members(void **state)
{
    (void)state;
    prepay__json_reader_t r;
    char err[PREPAY__JSON_ERROR_MAX];
    prepay__json_init(&r, "i.json", err, sizeof err, NULL);
    json_t *root = NULL;
    assert_int_equal(prepay__json_parse(&r, "{\"a\": [1, \"x\"]}", 15, &root), PREPAY_OK);
    const json_t *a = json_object_get(root, "a");
    int32_t v = 77;
    assert_int_equal(prepay__json_read_item(&r, a, 0, &i32_type, &v), PREPAY_OK);
    assert_int_equal(v, 1);
    assert_int_equal(prepay__json_read_item(&r, a, 1, &i32_type, &v), PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(err, "i.json: $[1]: expected an integer, got a string");
    assert_int_equal(prepay__json_read_item(&r, a, 2, &i32_type, &v), PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(err, "i.json: $[2]: missing array item");
    v = 77;
    assert_int_equal(prepay__json_read_member(&r, root, "absent", false, &i32_type, &v), PREPAY_OK);
    assert_int_equal(v, 77); /* untouched */
    assert_int_equal(prepay__json_read_member(&r, root, "absent", true, &i32_type, &v), PREPAY_E_HOSTED_JSON_TYPE);
    assert_string_equal(err, "i.json: $: missing required member \"absent\"");
    json_decref(root);
}

static void test_files(void **state)
{
    (void)state;
    char err[PREPAY__JSON_ERROR_MAX];
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(prepay__json_read_file("/nonexistent/x.json", &data, &len, err, sizeof err), PREPAY_E_HOSTED_IO);
    assert_string_equal(err, "/nonexistent/x.json: cannot open: No such file or directory");
    char path[] = "/tmp/prepay_json_reader_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    /* larger than the first read buffer, so it grows */
    for (int i = 0; i < 1000; i++) {
        fputs("{\"k\": 1}   \n", f);
    }
    fclose(f);
    assert_int_equal(prepay__json_read_file(path, &data, &len, err, sizeof err), PREPAY_OK);
    assert_int_equal(len, 12000);
    assert_int_equal(data[len], '\0');
    assert_memory_equal(data + 11988, "{\"k\": 1}   \n", 12);
    free(data);
    remove(path);
}

/* ---- the escaper -------------------------------------------------------------------------------- */

static void expect_escape(const char *in, size_t len, const char *want)
{
    char out[128];
    size_t n = prepay__json_escape(out, sizeof out, in, len);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void test_escape(void **state)
{
    (void)state;
    expect_escape("plain", 5, "plain");
    expect_escape("q\"b\\s/", 6, "q\\\"b\\\\s/");
    expect_escape("\b\f\n\r\t", 5, "\\b\\f\\n\\r\\t");
    expect_escape("\x01\x1f\x7f", 3, "\\u0001\\u001f\\u007f");
    expect_escape("a\0b", 3, "a\\u0000b");
    /* valid UTF-8 passes through: 2, 3 and 4 bytes, the highest code point U+10FFFF */
    expect_escape("\xC3\xA9\xE5\xB3\xB0\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF", 13,
                  "\xC3\xA9\xE5\xB3\xB0\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF");
    /* not UTF-8 (RFC 3629): a lone continuation, overlong forms, a surrogate, above U+10FFFF, cut sequences */
    expect_escape("\x80", 1, "\\ufffd");
    expect_escape("\xC0\xAF", 2, "\\ufffd\\ufffd");
    expect_escape("\xE0\x80\xAF", 3, "\\ufffd\\ufffd\\ufffd");
    expect_escape("\xED\xA0\x80", 3, "\\ufffd\\ufffd\\ufffd");
    expect_escape("\xF4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd");
    expect_escape("\xE5\xB3", 2, "\\ufffd\\ufffd");
    expect_escape("\xFF", 1, "\\ufffd");
    /* a short buffer: cut before an escape or a sequence that does not fit; the full length is returned */
    char out[6];
    memset(out, '#', sizeof out);
    assert_int_equal(prepay__json_escape(out, 4, "ab\"cd", 5), 6);
    assert_string_equal(out, "ab");
    assert_int_equal(out[4], '#');
    assert_int_equal(prepay__json_escape(out, 5, "ab\xE5\xB3\xB0", 5), 5);
    assert_string_equal(out, "ab");
    assert_int_equal(prepay__json_escape(out, 6, "ab\xE5\xB3\xB0", 5), 5);
    assert_string_equal(out, "ab\xE5\xB3\xB0");
    assert_int_equal(prepay__json_escape(NULL, 0, "abc", 3), 3);
    char one[1] = {'#'};
    assert_int_equal(prepay__json_escape(one, 1, "abc", 3), 3);
    assert_int_equal(one[0], '\0');
    /* quoting for messages */
    char quoted[PREPAY__JSON_QUOTE_MAX + 8];
    assert_string_equal(prepay__json_quote(quoted, sizeof quoted, "a\"b"), "\"a\\\"b\"");
    /* to a stream, quoted */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(prepay__json_write_string(f, "x\n\xE5\xB3\xB0\x80"), 0);
    rewind(f);
    char line[64] = "";
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "\"x\\n\xE5\xB3\xB0\\ufffd\"");
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objects),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_numbers_from_reals),
        cmocka_unit_test(test_enums_strings_booleans),
        cmocka_unit_test(test_dates_and_times),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_array_limits),
        cmocka_unit_test(test_members_with_dynamic_keys),
        cmocka_unit_test(test_path_spelling),
        cmocka_unit_test(test_deep_paths_are_cut_not_overrun),
        cmocka_unit_test(test_message_buffers),
        cmocka_unit_test(test_items_and_members),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
