/* SPDX-License-Identifier: MIT */
/*
 * The tools layer (hosted): what the tools add to the one hosted JSON
 * reader (src/common/json_internal.h) for their input files: arrays of any
 * length read into heap memory, and the whole-file front (read, parse,
 * read the root object by its field table).
 */
#ifndef PREPAY_TOOL_CLI_JSON_H
#define PREPAY_TOOL_CLI_JSON_H

#include <stddef.h>

#include "json_internal.h"

/*
 * An array of `item_type` into a heap array: the container's member
 * `pointer_member` (a pointer to the item's C type) gets calloc'ed memory
 * for every item (owned and freed by the container's owner, also after an
 * error), `count_member` (a size_t) the count; between `least` and `most`
 * items. check_item and finish work as for PREPAY__JSON_ARRAY.
 */
#define CLI_JSON_LIST(container_type, pointer_member, count_member, item_type, description, least, most)               \
    .read = cli_json_list, .what = (description), .item = &(item_type),                                                \
    .item_size = sizeof(*((container_type *)0)->pointer_member),                                                       \
    .items_offset = offsetof(container_type, pointer_member), .count_offset = offsetof(container_type, count_member),   \
    .count_size = sizeof(((container_type *)0)->count_member), .min_items = (least), .max_items = (most)

int cli_json_list(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);

/*
 * Parses text (duplicate keys refused) and reads its root with `root_type`
 * into out. On error a one-line message "origin:line:column: ..." or
 * "origin: $.path: ..." is in err. Returns PREPAY_OK or a status; *tree
 * (if not NULL) keeps the parsed tree (strings read as references point
 * into it): json_decref() it when done, also after an error.
 */
int cli_json_load(const char *text, size_t len, const char *origin, const prepay__json_type_t *root_type, void *out,
                  void *user, json_t **tree, char *err, size_t err_cap);

#endif
