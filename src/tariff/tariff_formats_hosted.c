/* SPDX-License-Identifier: MIT */
/*
 * Hosted: prepay_tariff_doc_load_file() and _buffer(), which pick the loader of a tariff
 * file from its top-level `format` member or, without one, from the members
 * present (docs/tariff-json.md, "URDB and SAM imports").
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../common/json_internal.h"
#include "prepay/tariff_json.h"

/* True unless the text names a URDB or SAM format or looks like one (a text that is not JSON
 * goes to the libprepay loader, whose message says so). */
static bool is_prepay_format(const char *data, size_t len)
{
    json_t *root = json_loadb(data, len, 0, NULL);
    bool prepay_format = true;
    if (json_is_object(root)) {
        json_t *format = json_object_get(root, "format");
        if (json_is_string(format)) {
            const char *f = json_string_value(format);
            prepay_format = strcmp(f, "urdb") != 0 && strcmp(f, "sam-utilityrate5") != 0;
        } else if (!format) {
            prepay_format = !json_object_get(root, "energyratestructure") && !json_object_get(root, "items") &&
                            !json_object_get(root, "ur_ec_tou_mat");
        }
    }
    json_decref(root);
    return prepay_format;
}

int prepay_tariff_doc_load_buffer(const char *data, size_t len, const char *origin, prepay_tariff_doc_t *out,
                                  char *err, size_t err_cap)
{
    if (!data || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return is_prepay_format(data, len) ? prepay_tariff_json_load_buffer(data, len, origin, out, err, err_cap)
                                       : prepay_tariff_urdb_load_buffer(data, len, origin, NULL, out, err, err_cap);
}

int prepay_tariff_doc_load_file(const char *path, prepay_tariff_doc_t *out, char *err, size_t err_cap)
{
    if (!path || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    char *data = NULL;
    size_t len = 0;
    int status = prepay__json_read_file(path, &data, &len, err, err_cap);
    if (status != PREPAY_OK) {
        return status;
    }
    status = prepay_tariff_doc_load_buffer(data, len, path, out, err, err_cap);
    free(data);
    return status;
}
