/*
 * Fuzz target: the hosted JSON reader (src/common/json_internal.h) and the
 * JSON string escaper, on arbitrary bytes.
 *
 * The bytes are read as a document of a format that uses every reader type
 * (integers of each width, decimals, numbers from reals, enums, strings,
 * literals, booleans, dates and times, a bounded array of objects with an
 * item check, members with dynamic keys). Whatever the input: no crash, no
 * read or write outside a buffer, a status that is OK or a documented error,
 * a one-line message "fuzz: $...: ..." that fits its buffer, and the path
 * back at "$" afterwards. The escaper's output of the same bytes, quoted,
 * must parse back with jansson to the same bytes when they are UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"
#include "prepay/fixed_point.h"
#include "prepay/hosted_status.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fuzz_item {
    uint16_t id;
    prepay_days_t day;
    uint16_t minute;
} fuzz_item_t;

typedef struct fuzz_doc {
    int8_t i8;
    int32_t i32;
    int64_t decimal, number;
    int kind;
    char name[16];
    const char *ref;
    bool flag;
    prepay_time_t at;
    int32_t clock;
    uint8_t item_count;
    fuzz_item_t items[4];
    int64_t map_sum;
} fuzz_doc_t;

static const char *const kinds[] = {"a", "b", "c", NULL};
static const char *const versions[] = {"fuzz/1", NULL};
static const prepay__json_type_t version_type = {PREPAY__JSON_LITERAL(versions)};
static const prepay__json_type_t i8_type = {PREPAY__JSON_INT(int8_t, -128, 127)};
static const prepay__json_type_t i32_type = {PREPAY__JSON_INT(int32_t, INT32_MIN, INT32_MAX)};
static const prepay__json_type_t decimal_type = {PREPAY__JSON_DECIMAL(8, INT64_MIN / 4, INT64_MAX / 4)};
static const prepay__json_type_t number_type = {PREPAY__JSON_NUMBER(3, -1000000, 1000000)};
static const prepay__json_type_t kind_type = {PREPAY__JSON_ENUM(int, kinds, NULL)};
static const prepay__json_type_t name_type = {PREPAY__JSON_STRING(16, PREPAY__JSON_NONEMPTY)};
static const prepay__json_type_t ref_type = {PREPAY__JSON_STRING_REF};
static const prepay__json_type_t flag_type = {PREPAY__JSON_BOOL};
static const prepay__json_type_t at_type = {PREPAY__JSON_DATE_TIME};
static const prepay__json_type_t clock_type = {PREPAY__JSON_TIME_OF_DAY(PREPAY__JSON_END_OF_DAY)};
static const prepay__json_type_t id_type = {PREPAY__JSON_INT(uint16_t, 0, 65535)};
static const prepay__json_type_t day_type = {PREPAY__JSON_DATE};
static const prepay__json_type_t minute_type = {PREPAY__JSON_TIME_OF_DAY(PREPAY__JSON_MINUTES)};

static const prepay__json_field_t item_fields[] = {
    PREPAY__JSON_FIELD("id", PREPAY__JSON_REQUIRED, id_type, fuzz_item_t, id),
    PREPAY__JSON_FIELD("day", 0, day_type, fuzz_item_t, day),
    PREPAY__JSON_FIELD("minute", 0, minute_type, fuzz_item_t, minute),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t item_type = {PREPAY__JSON_OBJECT("an item", item_fields)};

static int check_item(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    const fuzz_item_t *list = items;
    if (i > 0 && list[i].id <= list[i - 1].id) {
        return prepay__json_fail_member(r, "id", PREPAY_E_HOSTED_JSON_VALUE, "ids must increase");
    }
    return PREPAY_OK;
}

static const prepay__json_type_t items_type = {
    PREPAY__JSON_ARRAY(fuzz_doc_t, items, item_count, item_type, "items", 0, 4, "PREPAY_MAX_FUZZ_ITEMS"),
    .check_item = check_item,
};

static int add_member(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx)
{
    (void)key;
    int64_t v = 0;
    int status = prepay__json_read(r, value, &decimal_type, &v);
    fuzz_doc_t *doc = ctx;
    if (status == PREPAY_OK && prepay_i64_add(doc->map_sum, v, &doc->map_sum) != PREPAY_OK) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "sum overflows");
    }
    return status;
}

static int read_map(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    return prepay__json_each_member(r, value, "values", 8, "PREPAY_MAX_FUZZ_VALUES", add_member, out);
}

static const prepay__json_type_t map_type = {.read = read_map};
static const prepay__json_field_t doc_fields[] = {
    PREPAY__JSON_FIELD_HERE("version", PREPAY__JSON_REQUIRED, version_type),
    PREPAY__JSON_FIELD("i8", 0, i8_type, fuzz_doc_t, i8),
    PREPAY__JSON_FIELD("i32", 0, i32_type, fuzz_doc_t, i32),
    PREPAY__JSON_FIELD("decimal", 0, decimal_type, fuzz_doc_t, decimal),
    PREPAY__JSON_FIELD("number", 0, number_type, fuzz_doc_t, number),
    PREPAY__JSON_FIELD("kind", 0, kind_type, fuzz_doc_t, kind),
    PREPAY__JSON_FIELD("name", 0, name_type, fuzz_doc_t, name),
    PREPAY__JSON_FIELD("ref", 0, ref_type, fuzz_doc_t, ref),
    PREPAY__JSON_FIELD("flag", 0, flag_type, fuzz_doc_t, flag),
    PREPAY__JSON_FIELD("at", 0, at_type, fuzz_doc_t, at),
    PREPAY__JSON_FIELD("clock", 0, clock_type, fuzz_doc_t, clock),
    PREPAY__JSON_FIELD_HERE("items", 0, items_type),
    PREPAY__JSON_FIELD_HERE("map", 0, map_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t doc_type = {PREPAY__JSON_OBJECT("a JSON object", doc_fields)};
static const prepay__json_type_t open_doc_type = {PREPAY__JSON_OBJECT("a JSON object", doc_fields), .open = true};

static bool documented(int status)
{
    return status == PREPAY_OK || status == PREPAY_E_HOSTED_JSON_SYNTAX || status == PREPAY_E_HOSTED_JSON_TYPE ||
           status == PREPAY_E_HOSTED_JSON_VALUE || status == PREPAY_E_CAPACITY;
}

static void read_document(const uint8_t *data, size_t size, const prepay__json_type_t *type)
{
    char err[PREPAY__JSON_ERROR_MAX];
    prepay__json_reader_t r;
    prepay__json_init(&r, "fuzz", err, sizeof err, NULL);
    json_t *root = NULL;
    fuzz_doc_t doc;
    memset(&doc, 0, sizeof doc);
    int status = prepay__json_parse(&r, (const char *)data, size, &root);
    if (status == PREPAY_OK) {
        r.user = &doc;
        status = prepay__json_read(&r, root, type, &doc);
        json_decref(root);
    }
    if (!documented(status) || strcmp(r.path, "$") != 0 || strlen(err) >= sizeof err || strchr(err, '\n') ||
        (status != PREPAY_OK && strncmp(err, "fuzz", 4) != 0) || (status == PREPAY_OK && err[0] != '\0') ||
        doc.item_count > 4) {
        abort();
    }
}

/* Escaped and quoted, UTF-8 input reads back as itself; any input gives valid JSON. */
static void escape(const uint8_t *data, size_t size)
{
    size_t need = prepay__json_escape(NULL, 0, (const char *)data, size);
    char *out = malloc(need + 3);
    if (!out) {
        return;
    }
    out[0] = '"';
    if (prepay__json_escape(out + 1, need + 1, (const char *)data, size) != need) {
        abort();
    }
    out[need + 1] = '"';
    out[need + 2] = '\0';
    json_error_t error;
    json_t *back = json_loadb(out, need + 2, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (!json_is_string(back)) {
        abort(); /* not valid JSON */
    }
    bool replaced = strstr(out, "\\ufffd") != NULL; /* bytes that were not UTF-8 */
    if (!replaced && (json_string_length(back) != size || memcmp(json_string_value(back), data, size) != 0)) {
        abort();
    }
    json_decref(back);
    /* Every shorter buffer: NUL-terminated, a prefix of the whole. */
    for (size_t cap = 1; cap < need + 1 && cap < 64; cap++) {
        char *small = malloc(cap);
        if (!small) {
            break;
        }
        prepay__json_escape(small, cap, (const char *)data, size);
        if (strlen(small) >= cap || strncmp(small, out + 1, strlen(small)) != 0) {
            abort();
        }
        free(small);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_document(data, size, &doc_type);
    read_document(data, size, &open_doc_type);
    escape(data, size);
    return 0;
}
