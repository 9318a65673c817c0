/* SPDX-License-Identifier: MIT */
/*
 * A sample JSON format that uses every reader of the hosted JSON reader
 * (src/common/json_internal.h): integers of each width, decimals, numbers
 * from reals, enums, strings, string references, literals, booleans, dates
 * and times, a bounded array of objects with an item check, a nested object
 * and an object-level rule. Shared by tests/common/test_json_reader.c and
 * fuzz/json_reader_fuzzer.c; include it in one file of a program.
 */
#ifndef PREPAY_TEST_JSON_SAMPLE_FORMAT_H
#define PREPAY_TEST_JSON_SAMPLE_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "json_internal.h"
#include "prepay/hosted_status.h"
#include "prepay/status.h"

typedef struct sample_item {
    int32_t n;
    char label[8];
} sample_item_t;

typedef struct sample_items {
    uint8_t count;
    sample_item_t item[3];
} sample_items_t;

typedef struct sample {
    uint8_t u8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    int64_t price;
    int64_t number;
    int color;
    char text[8];
    const char *ref;
    bool flag;
    prepay_days_t day;
    prepay_time_t at;
    int32_t clock;
    uint16_t minute;
    sample_items_t list;
    int32_t nested;
    int checked_items;
} sample_t;

static const char *const colors[] = {"red", "green", NULL};
static const int color_values[] = {10, 20};
static const char *const version[] = {"v1", NULL};

static const prepay__json_type_t u8_type = {PREPAY__JSON_INT(uint8_t, 0, 255)};
static const prepay__json_type_t i16_type = {PREPAY__JSON_INT(int16_t, -300, 300)};
static const prepay__json_type_t i32_type = {PREPAY__JSON_INT(int32_t, INT32_MIN, INT32_MAX)};
static const prepay__json_type_t i64_type = {PREPAY__JSON_INT(int64_t, INT64_MIN, INT64_MAX)};
static const prepay__json_type_t price_type = {PREPAY__JSON_DECIMAL(8, 0, INT64_MAX / 4)};
static const prepay__json_type_t number_type = {PREPAY__JSON_NUMBER(8, -100000000000, 100000000000)};
static const prepay__json_type_t color_type = {PREPAY__JSON_ENUM(int, colors, color_values)};
static const prepay__json_type_t text_type = {PREPAY__JSON_STRING(8, PREPAY__JSON_NONEMPTY)};
static const prepay__json_type_t ref_type = {PREPAY__JSON_STRING_REF};
static const prepay__json_type_t version_type = {PREPAY__JSON_LITERAL(version)};
static const prepay__json_type_t flag_type = {PREPAY__JSON_BOOL};
static const prepay__json_type_t day_type = {PREPAY__JSON_DATE};
static const prepay__json_type_t at_type = {PREPAY__JSON_DATE_TIME};
static const prepay__json_type_t clock_type = {PREPAY__JSON_TIME_OF_DAY(PREPAY__JSON_END_OF_DAY)};
static const prepay__json_type_t minute_type = {PREPAY__JSON_TIME_OF_DAY(PREPAY__JSON_MINUTES)};
static const prepay__json_type_t ignored_type = {PREPAY__JSON_STRING(0, 0)};

static const prepay__json_type_t n_type = {PREPAY__JSON_INT(int32_t, 0, 99)};
static const prepay__json_type_t label_type = {PREPAY__JSON_STRING(8, 0)};
static const prepay__json_field_t item_fields[] = {
    PREPAY__JSON_FIELD("n", PREPAY__JSON_REQUIRED, n_type, sample_item_t, n),
    PREPAY__JSON_FIELD("label", 0, label_type, sample_item_t, label),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t item_type = {PREPAY__JSON_OBJECT("an item", item_fields)};

/* Items must increase; counts the calls in the sample (found through r->user). */
static int check_item(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    sample_t *s = r->user;
    const sample_item_t *list = items;
    s->checked_items++;
    if (i > 0 && list[i].n <= list[i - 1].n) {
        return prepay__json_fail_member(r, "n", PREPAY_E_HOSTED_JSON_VALUE, "items must increase");
    }
    return PREPAY_OK;
}

static const prepay__json_type_t list_type = {
    PREPAY__JSON_ARRAY(sample_items_t, item, count, item_type, "items", 1, 2, "PREPAY_MAX_SAMPLE"),
    .check_item = check_item,
};

static const prepay__json_field_t nested_fields[] = {
    PREPAY__JSON_FIELD_HERE("deep", PREPAY__JSON_REQUIRED, i32_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t nested_type = {PREPAY__JSON_OBJECT("an object", nested_fields)};

/* finish sees the whole object: here, "i16" needs "u8". */
static int finish_sample(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)out;
    if (json_object_get(value, "i16") && !json_object_get(value, "u8")) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE, "\"i16\" needs \"u8\"");
    }
    return PREPAY_OK;
}

static const prepay__json_field_t sample_fields[] = {
    PREPAY__JSON_FIELD_HERE("version", PREPAY__JSON_REQUIRED, version_type),
    PREPAY__JSON_FIELD("u8", 0, u8_type, sample_t, u8),
    PREPAY__JSON_FIELD("i16", 0, i16_type, sample_t, i16),
    PREPAY__JSON_FIELD("i32", 0, i32_type, sample_t, i32),
    PREPAY__JSON_FIELD("i64", 0, i64_type, sample_t, i64),
    PREPAY__JSON_FIELD("price", 0, price_type, sample_t, price),
    PREPAY__JSON_FIELD("number", 0, number_type, sample_t, number),
    PREPAY__JSON_FIELD("color", 0, color_type, sample_t, color),
    PREPAY__JSON_FIELD("text", 0, text_type, sample_t, text),
    PREPAY__JSON_FIELD("ref", 0, ref_type, sample_t, ref),
    PREPAY__JSON_FIELD("flag", 0, flag_type, sample_t, flag),
    PREPAY__JSON_FIELD("day", 0, day_type, sample_t, day),
    PREPAY__JSON_FIELD("at", 0, at_type, sample_t, at),
    PREPAY__JSON_FIELD("clock", 0, clock_type, sample_t, clock),
    PREPAY__JSON_FIELD("minute", 0, minute_type, sample_t, minute),
    PREPAY__JSON_FIELD("list", 0, list_type, sample_t, list),
    PREPAY__JSON_FIELD("nested", 0, nested_type, sample_t, nested),
    PREPAY__JSON_FIELD_HERE("comment", 0, ignored_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t sample_type = {PREPAY__JSON_OBJECT("a sample object", sample_fields),
                                                .finish = finish_sample};
static const prepay__json_type_t open_sample_type = {PREPAY__JSON_OBJECT("a sample object", sample_fields),
                                                     .open = true};

#endif /* PREPAY_TEST_JSON_SAMPLE_FORMAT_H */
