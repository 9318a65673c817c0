/*
 * Internal (hosted): helpers shared by the tariff JSON loader and the URDB /
 * SAM importer: error context with a JSON path, exact decimals from JSON
 * values, file reading, and the final validation of a document.
 * Never installed; only *_hosted.c files include it.
 */
#ifndef PREPAY_TARIFF_JSON_INTERNAL_H
#define PREPAY_TARIFF_JSON_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/tariff_json.h"

#define TJ_PATH_MAX 256

/* Error context: the origin (file name), the JSON path being read, the
 * caller's message buffer. */
typedef struct tj_ctx {
    const char *origin;
    char path[TJ_PATH_MAX];
    size_t path_len;
    char *err;
    size_t err_cap;
} tj_ctx_t;

void prepay__tj_init(tj_ctx_t *ctx, const char *origin, char *err, size_t err_cap);
/* Path stack: push returns the previous length for prepay__tj_pop(). */
size_t prepay__tj_push_key(tj_ctx_t *ctx, const char *key);
size_t prepay__tj_push_index(tj_ctx_t *ctx, size_t index);
void prepay__tj_pop(tj_ctx_t *ctx, size_t saved);
/* Writes "origin: $path: message" and returns status. */
int prepay__tj_fail(tj_ctx_t *ctx, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Reads a whole file (NUL-terminated copy); *out freed by the caller. */
int prepay__tj_read_file(const char *path, char **out, size_t *len, char *err, size_t err_cap);
/* Parses JSON text; on error reports origin:line:column. */
int prepay__tj_parse(tj_ctx_t *ctx, const char *data, size_t len, json_t **out);

/* Short description of a JSON value's type, for messages ("nothing" for NULL). */
const char *prepay__tj_type_name(const json_t *value);

/* Exact decimal from a string (or an integer) at the current path; JSON
 * reals are refused. min/max bound the scaled value. */
int prepay__tj_decimal(tj_ctx_t *ctx, const json_t *value, unsigned decimals, int64_t min, int64_t max,
                       int64_t *out);
/* Exact decimal from any JSON number (the shortest round-trip decimal of a
 * real) or string; used for URDB / SAM data. */
int prepay__tj_number_decimal(tj_ctx_t *ctx, const json_t *value, unsigned decimals, int64_t min, int64_t max,
                              int64_t *out);

/* Validates both sets and the plan of a document; maps core errors to a
 * message at the given path (or "$"). */
int prepay__tj_validate_doc(tj_ctx_t *ctx, const prepay_tariff_doc_t *doc);

/* Copies a string into a fixed buffer, truncating. */
void prepay__tj_copy(char *dst, size_t cap, const char *src);

#endif /* PREPAY_TARIFF_JSON_INTERNAL_H */
