/* SPDX-License-Identifier: MIT */
/* The tools layer: heap arrays and whole documents for the one hosted JSON reader (cli_json.h). */
#include "cli_json.h"

#include <stdlib.h>
#include <string.h>

#include "prepay/hosted_status.h"
#include "prepay/status.h"

int cli_json_list(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    if (!json_is_array(value)) {
        char expected[96];
        snprintf(expected, sizeof expected, "an array of %s", type->what);
        return prepay__json_expected(r, expected, value);
    }
    size_t n = json_array_size(value);
    if (n > type->max_items) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%zu %s, at most %zu", n, type->what,
                                 type->max_items);
    }
    if (n < type->min_items) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "no %s given", type->what);
    }
    char *items = calloc(n ? n : 1, type->item_size);
    if (items == NULL) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_NO_MEMORY, "out of memory for %zu %s", n, type->what);
    }
    memcpy((char *)out + type->items_offset, &items, sizeof items);
    prepay__json_store_int((char *)out + type->count_offset, type->count_size, 0);
    for (size_t i = 0; i < n; i++) {
        /* Counted before it is read, so that the owner frees what a half-read item holds. */
        prepay__json_store_int((char *)out + type->count_offset, type->count_size, (int64_t)(i + 1));
        int status = prepay__json_read_item(r, value, i, type->item, items + i * type->item_size);
        if (status == PREPAY_OK && type->check_item) {
            status = type->check_item(r, json_array_get(value, i), items, i);
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return type->finish ? type->finish(r, value, out) : PREPAY_OK;
}

int cli_json_load(const char *text, size_t len, const char *origin, const prepay__json_type_t *root_type, void *out,
                  void *user, json_t **tree, char *err, size_t err_cap)
{
    prepay__json_reader_t r;
    prepay__json_init(&r, origin, err, err_cap, user);
    json_t *root = NULL;
    int status = prepay__json_parse(&r, text, len, &root);
    if (status == PREPAY_OK) {
        status = prepay__json_read(&r, root, root_type, out);
    }
    if (tree) {
        *tree = root;
    } else {
        json_decref(root);
    }
    return status;
}
