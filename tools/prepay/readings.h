/* SPDX-License-Identifier: MIT */
/*
 * Readings CSV of `prepay tariff bill` (hosted): either `timestamp,register`
 * rows (a cumulative register in kWh, or m3 for water; consecutive rows make
 * intervals) or `start,end,energy` rows. An optional header line, `#`
 * comments and blank lines are skipped; the tools' CSV reader takes a UTF-8
 * byte order mark and quoted fields (cli_csv.h). Parsed from memory so that
 * it can be fuzzed; every error names the line.
 */
#ifndef PREPAY_TOOL_READINGS_H
#define PREPAY_TOOL_READINGS_H

#include <stddef.h>

#include "prepay/tariff.h"

#define READINGS_ERROR_MAX 320
/* Largest file accepted. */
#define READINGS_FILE_MAX (256u * 1024u * 1024u)

typedef struct readings {
    prepay_tariff_interval_t *items; /* heap */
    size_t count, cap;
} readings_t;

/* Parses `len` bytes (`origin` names them in messages) into intervals
 * appended to *out. Returns 0, or 2 with a one-line message in err. */
int readings_parse(const char *text, size_t len, const char *origin, readings_t *out, char *err, size_t err_cap);
/* Reads and parses a file (at most READINGS_FILE_MAX bytes; "-": the standard input). */
int readings_load(const char *path, readings_t *out, char *err, size_t err_cap);
void readings_free(readings_t *readings);

#endif
