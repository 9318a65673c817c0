/* SPDX-License-Identifier: MIT */
/*
 * Hosted: the JSON reader's walk (json_internal.h): the path of the value
 * being read, one-line messages, files and parsing, and the table-driven
 * object and array readers. The scalar readers are in json_values_hosted.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"
#include "prepay/hosted_status.h"

/* Files above this size are refused (a tariff or site file is a few kB). */
#define MAX_FILE_BYTES ((size_t)1 << 28)

void prepay__json_init(prepay__json_reader_t *r, const char *origin, char *err, size_t err_cap, void *user)
{
    r->origin = origin ? origin : "<memory>";
    r->path[0] = '$';
    r->path[1] = '\0';
    r->path_len = 1;
    r->err = err;
    r->err_cap = err ? err_cap : 0;
    r->user = user;
    if (r->err_cap > 0) {
        r->err[0] = '\0';
    }
}

/* ---- the path ------------------------------------------------------------------------------ */

/* Appends text; a path that would not fit is left as it is (the message is still right, only less deep). */
static size_t path_append(prepay__json_reader_t *r, const char *text)
{
    size_t saved = r->path_len;
    size_t n = strlen(text);
    if (r->path_len + n < sizeof r->path) {
        memcpy(r->path + r->path_len, text, n + 1);
        r->path_len += n;
    }
    return saved;
}

static void path_restore(prepay__json_reader_t *r, size_t saved)
{
    r->path_len = saved;
    r->path[saved] = '\0';
}

/* `.key` for plain names, `["key"]` (escaped) for keys with spaces, dots, brackets or quotes. */
static size_t path_push_key(prepay__json_reader_t *r, const char *key)
{
    bool plain = key[0] != '\0';
    for (const unsigned char *p = (const unsigned char *)key; *p && plain; p++) {
        plain = *p >= 0x80 || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                *p == '_' || *p == '-';
    }
    char text[PREPAY__JSON_QUOTE_MAX + 16];
    char quoted[PREPAY__JSON_QUOTE_MAX + 8];
    if (plain && strlen(key) <= PREPAY__JSON_QUOTE_MAX) {
        snprintf(text, sizeof text, ".%s", key);
    } else {
        snprintf(text, sizeof text, "[%s]", prepay__json_quote(quoted, sizeof quoted, key));
    }
    return path_append(r, text);
}

static size_t path_push_index(prepay__json_reader_t *r, size_t index)
{
    char text[32];
    snprintf(text, sizeof text, "[%zu]", index);
    return path_append(r, text);
}

/* ---- messages ----------------------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 0)))
#endif
static int fail_with_path(prepay__json_reader_t *r, const char *path, int status, const char *fmt, va_list ap)
{
    if (r->err_cap == 0) {
        return status;
    }
    char message[PREPAY__JSON_ERROR_MAX];
    vsnprintf(message, sizeof message, fmt, ap);
    snprintf(r->err, r->err_cap, "%s: %s: %s", r->origin, path, message);
    for (char *p = r->err; *p; p++) { /* one line, whatever a file name holds */
        if ((unsigned char)*p < 0x20) {
            *p = ' ';
        }
    }
    return status;
}

int prepay__json_fail(prepay__json_reader_t *r, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_with_path(r, r->path, status, fmt, ap);
    va_end(ap);
    return status;
}

int prepay__json_fail_member(prepay__json_reader_t *r, const char *key, int status, const char *fmt, ...)
{
    size_t saved = path_push_key(r, key);
    va_list ap;
    va_start(ap, fmt);
    fail_with_path(r, r->path, status, fmt, ap);
    va_end(ap);
    path_restore(r, saved);
    return status;
}

int prepay__json_fail_at(prepay__json_reader_t *r, const char *path, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_with_path(r, path, status, fmt, ap);
    va_end(ap);
    return status;
}

const char *prepay__json_type_name(const json_t *value)
{
    if (value == NULL) {
        return "nothing";
    }
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a JSON real";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    default: return "an unknown value";
    }
}

int prepay__json_expected(prepay__json_reader_t *r, const char *what, const json_t *value)
{
    return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE, "expected %s, got %s", what, prepay__json_type_name(value));
}

/* ---- text in ------------------------------------------------------------------------------ */

static int file_error(const char *path, char *err, size_t err_cap, int status, const char *what)
{
    if (err && err_cap) {
        snprintf(err, err_cap, "%s: %s", path, what);
    }
    return status;
}

int prepay__json_read_file(const char *path, char **data, size_t *len, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        char what[160];
        snprintf(what, sizeof what, "cannot open: %s", strerror(errno));
        return file_error(path, err, err_cap, PREPAY_E_HOSTED_IO, what);
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    int status = buf ? PREPAY_OK : PREPAY_E_HOSTED_NO_MEMORY;
    while (status == PREPAY_OK) {
        if (n + 1 >= cap) {
            char *bigger = cap < MAX_FILE_BYTES ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                status = cap < MAX_FILE_BYTES ? PREPAY_E_HOSTED_NO_MEMORY : PREPAY_E_HOSTED_IO;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    bool read_error = status == PREPAY_OK && ferror(f);
    fclose(f);
    if (status != PREPAY_OK || read_error) {
        free(buf);
        return file_error(path, err, err_cap, read_error ? PREPAY_E_HOSTED_IO : status,
                          read_error                            ? "read error"
                          : status == PREPAY_E_HOSTED_NO_MEMORY ? "out of memory"
                                                                : "file too large");
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return PREPAY_OK;
}

int prepay__json_parse(prepay__json_reader_t *r, const char *data, size_t len, json_t **out)
{
    json_error_t error;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &error);
    if (!root) {
        char where[PREPAY__JSON_PATH_MAX];
        snprintf(where, sizeof where, "%d:%d", error.line, error.column);
        /* "origin:line:column: ...", the compiler's form, so editors jump there. */
        if (r->err_cap > 0) {
            snprintf(r->err, r->err_cap, "%s:%s: JSON syntax error: %s", r->origin, where, error.text);
            for (char *p = r->err; *p; p++) {
                if ((unsigned char)*p < 0x20) {
                    *p = ' ';
                }
            }
        }
        return PREPAY_E_HOSTED_JSON_SYNTAX;
    }
    *out = root;
    return PREPAY_OK;
}

/* ---- the walk ----------------------------------------------------------------------------- */

/* jansson's iterators take a non-const tree; the reader never changes it. */
static json_t *tree(const json_t *value)
{
    json_t *mutable_value = NULL;
    memcpy(&mutable_value, &value, sizeof mutable_value);
    return mutable_value;
}

int prepay__json_read(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    return type->read(r, value, type, out);
}

int prepay__json_read_member(prepay__json_reader_t *r, const json_t *obj, const char *key, bool required,
                             const prepay__json_type_t *type, void *out)
{
    const json_t *value = json_object_get(obj, key);
    if (!value) {
        return required ? prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE, "missing required member \"%s\"", key)
                        : PREPAY_OK;
    }
    size_t saved = path_push_key(r, key);
    int status = type->read(r, value, type, out);
    path_restore(r, saved);
    return status;
}

int prepay__json_read_item(prepay__json_reader_t *r, const json_t *arr, size_t index, const prepay__json_type_t *type,
                           void *out)
{
    size_t saved = path_push_index(r, index);
    const json_t *value = json_array_get(arr, index);
    int status =
        value ? type->read(r, value, type, out) : prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE, "missing array item");
    path_restore(r, saved);
    return status;
}

int prepay__json_each_member(prepay__json_reader_t *r, const json_t *obj, const char *what, size_t most,
                             const char *macro,
                             int (*fn)(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx),
                             void *ctx)
{
    if (!json_is_object(obj)) {
        char expected[96];
        snprintf(expected, sizeof expected, "an object of %s", what);
        return prepay__json_expected(r, expected, obj);
    }
    if (json_object_size(obj) > most) {
        return prepay__json_fail(r, PREPAY_E_CAPACITY, "%zu %s, at most %zu (%s)", json_object_size(obj), what, most,
                                 macro);
    }
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(tree(obj), key, value)
    {
        size_t saved = path_push_key(r, key);
        int status = fn(r, key, value, ctx);
        path_restore(r, saved);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

/* Members outside the table are typos; names starting with `_` or `x-` are free (comments, tool data). */
static int refuse_unknown_members(prepay__json_reader_t *r, const json_t *obj, const prepay__json_field_t *fields)
{
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(tree(obj), key, value)
    {
        bool known = key[0] == '_' || (key[0] == 'x' && key[1] == '-');
        for (const prepay__json_field_t *f = fields; f && f->key && !known; f++) {
            known = strcmp(f->key, key) == 0;
        }
        if (!known) {
            char quoted[PREPAY__JSON_QUOTE_MAX + 8];
            return prepay__json_fail_member(r, key, PREPAY_E_HOSTED_JSON_TYPE, "unknown member %s",
                                            prepay__json_quote(quoted, sizeof quoted, key));
        }
    }
    return PREPAY_OK;
}

int prepay__json_object(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    if (!json_is_object(value)) {
        return prepay__json_expected(r, type->what ? type->what : "an object", value);
    }
    int status = type->open ? PREPAY_OK : refuse_unknown_members(r, value, type->fields);
    for (const prepay__json_field_t *f = type->fields; status == PREPAY_OK && f && f->key; f++) {
        status = prepay__json_read_member(r, value, f->key, (f->flags & PREPAY__JSON_REQUIRED) != 0, f->type,
                                          (char *)out + f->offset);
    }
    if (status == PREPAY_OK && type->finish) {
        status = type->finish(r, value, out);
    }
    return status;
}

int prepay__json_array(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    if (!json_is_array(value)) {
        char expected[96];
        snprintf(expected, sizeof expected, "an array of %s", type->what);
        return prepay__json_expected(r, expected, value);
    }
    size_t n = json_array_size(value);
    size_t most = type->max_items < type->capacity ? type->max_items : type->capacity;
    if (n > most) {
        return type->max_macro
                   ? prepay__json_fail(r, PREPAY_E_CAPACITY, "%zu %s, at most %zu (%s)", n, type->what, most,
                                       type->max_macro)
                   : prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%zu %s, at most %zu", n, type->what, most);
    }
    if (n < type->min_items) {
        return type->min_items == 1
                   ? prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "no %s given", type->what)
                   : prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%zu %s given, at least %zu are needed", n,
                                       type->what, type->min_items);
    }
    char *items = (char *)out + type->items_offset;
    for (size_t i = 0; i < n; i++) {
        size_t saved = path_push_index(r, i);
        const json_t *item = json_array_get(value, i);
        void *slot = items + i * type->item_size;
        int status = type->item->read(r, item, type->item, slot);
        if (status == PREPAY_OK && type->check_item) {
            status = type->check_item(r, item, items, i);
        }
        path_restore(r, saved);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    if (type->count_size > 0) {
        prepay__json_store_int((char *)out + type->count_offset, type->count_size, (int64_t)n);
    }
    return type->finish ? type->finish(r, value, out) : PREPAY_OK;
}
