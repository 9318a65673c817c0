/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the hosted JSON reader (src/common/json_internal.h) and the
 * JSON string escaper, on arbitrary bytes.
 *
 * The bytes are read as a document of the sample format of
 * tests/support/json_sample_format.h (every reader type), closed and open,
 * and as an object of members with dynamic keys. Whatever the input: no
 * crash, no read or write outside a buffer, a status that is OK or a
 * documented error, a one-line message "fuzz: $...: ..." that fits its
 * buffer, and the path back at "$" afterwards. The escaper's output of the
 * same bytes, quoted, must parse back with jansson, to the same bytes when
 * they are UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"
#include "json_sample_format.h"
#include "prepay/fixed_point.h"
#include "prepay/hosted_status.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Members with dynamic keys: decimal values summed. */
static int add_member(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx)
{
    (void)key;
    int64_t v = 0;
    int status = prepay__json_read(r, value, &price_type, &v);
    if (status == PREPAY_OK && prepay_i64_add(*(int64_t *)ctx, v, ctx) != PREPAY_OK) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "sum overflows");
    }
    return status;
}

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
    sample_t doc;
    memset(&doc, 0, sizeof doc);
    int64_t sum = 0;
    int status = prepay__json_parse(&r, (const char *)data, size, &root);
    if (status == PREPAY_OK) {
        r.user = &doc;
        status = type ? prepay__json_read(&r, root, type, &doc)
                      : prepay__json_each_member(&r, root, "values", 8, "PREPAY_MAX_FUZZ_VALUES", add_member, &sum);
        json_decref(root);
    }
    if (!documented(status) || strcmp(r.path, "$") != 0 || strlen(err) >= sizeof err || strchr(err, '\n') ||
        (status != PREPAY_OK && strncmp(err, "fuzz", 4) != 0) || (status == PREPAY_OK && err[0] != '\0') ||
        doc.list.count > 2) {
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
    read_document(data, size, &sample_type);
    read_document(data, size, &open_sample_type);
    read_document(data, size, NULL);
    escape(data, size);
    return 0;
}
