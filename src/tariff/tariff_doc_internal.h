/* SPDX-License-Identifier: MIT */
/*
 * Internal (hosted): the tariff document shared by the loaders of every
 * tariff file format (tariff_json_hosted.c, tariff_urdb_hosted.c): a fresh
 * document, the core's validation reported at the JSON path it concerns, and
 * loading a file through a buffer loader. Never installed.
 */
#ifndef PREPAY_TARIFF_DOC_INTERNAL_H
#define PREPAY_TARIFF_DOC_INTERNAL_H

#include <stddef.h>

#include "../common/json_internal.h"
#include "prepay/tariff_json.h"

/* A buffer loader: prepay_tariff_json_load_buffer() or the URDB importer with its options. */
typedef int (*prepay__tariff_buffer_loader_t)(const char *data, size_t len, const char *origin, const void *options,
                                              prepay_tariff_doc_t *out, char *err, size_t err_cap);

/* An empty document of the format: set A initialised, default account, no set B. */
void prepay__tariff_doc_init(prepay_tariff_doc_t *doc, prepay_tariff_doc_format_t format);

/* Validates both sets and the plan; a core error is reported at the JSON path it concerns
 * (PREPAY_E_HOSTED_TARIFF_INVALID, the core's text in the message). */
int prepay__tariff_doc_validate(prepay__json_reader_t *r, const prepay_tariff_doc_t *doc);

/* Reads the file at path and hands its text to load (with the path as origin). */
int prepay__tariff_doc_load_file(const char *path, prepay__tariff_buffer_loader_t load, const void *options,
                                 prepay_tariff_doc_t *out, char *err, size_t err_cap);

#endif /* PREPAY_TARIFF_DOC_INTERNAL_H */
