/* SPDX-License-Identifier: MIT */
/*
 * Internal: the rows of the DL/T 645 data-identifier catalogue
 * (dlt645_catalogue_table.c) and the lookups shared by the data-layer files.
 * Never installed.
 */
#ifndef PREPAY_DLT645_CATALOGUE_INTERNAL_H
#define PREPAY_DLT645_CATALOGUE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "prepay/dlt645_data.h"

/*
 * One catalogue row. `low` and `high` hold, byte by byte, the inclusive
 * range of each DI byte: an exact row has low == high; a rule row (a
 * patterned family such as energy x tariff x period) has ranges. A DI
 * matches when each of its four bytes lies in its byte's range.
 */
typedef struct prepay__dlt645_row {
    uint32_t low;
    uint32_t high;
    const char *name;
    const char *label;  /* for PREPAY_DLT645_QUALIFIER_INDEX, else NULL */
    const char *source; /* short citation */
    uint8_t format;
    uint8_t length;
    uint8_t decimals;
    uint8_t unit;
    uint8_t qualifier;
    uint8_t field_count;
    const prepay_dlt645_field_t *fields;
} prepay__dlt645_row_t;

/* Exact rows, sorted by DI (strictly increasing): binary search. */
extern const prepay__dlt645_row_t prepay__dlt645_exact_rows[];
extern const size_t prepay__dlt645_exact_row_count;
/* Rule rows, sorted by `low`; scanned while the rule's DI3 low <= DI3. */
extern const prepay__dlt645_row_t prepay__dlt645_rule_rows[];
extern const size_t prepay__dlt645_rule_row_count;

/* DL/T 645-1997 rows (2-byte DIs), sorted by DI: binary search. */
extern const prepay__dlt645_row_t prepay__dlt645_1997_rows[];
extern const size_t prepay__dlt645_1997_row_count;

/* The row matching di (exact rows first), or NULL. */
const prepay__dlt645_row_t *prepay__dlt645_find_row(uint32_t di);
/* The 1997 row of di, or NULL. */
const prepay__dlt645_row_t *prepay__dlt645_find_row_1997(uint16_t di);
/* Fills an item view of a row. */
void prepay__dlt645_fill_item(const prepay__dlt645_row_t *row, uint32_t di, prepay_dlt645_item_t *out);

#endif /* PREPAY_DLT645_CATALOGUE_INTERNAL_H */
