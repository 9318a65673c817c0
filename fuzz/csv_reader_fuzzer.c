/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the tools' one CSV reader (tools/common/cli_csv.h), and its
 * writer as the reader's inverse.
 *
 * Invariants:
 * - no crash, no out-of-bounds access (sanitizers);
 * - an error is one line "fuzz:LINE: ..." and ends the reading;
 * - every record has 1..CLI_CSV_FIELDS_MAX fields, each NUL-terminated at
 *   its length with no NUL inside, and records start on increasing lines;
 * - writing a record's fields with cli_csv_write_field() and reading the
 *   result back gives the same fields (the writer quotes what needs it).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes the record and reads it back; aborts if anything differs. */
static void round_trip(const cli_csv_t *csv)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < csv->count; i++) {
        if (csv->count == 1 && csv->lengths[0] == 0) {
            fputs("\"\"", f); /* one empty field alone would read as a blank line */
        } else if (cli_csv_write_field(f, csv->fields[i]) != 0) {
            abort();
        }
        fputc(i + 1 < csv->count ? ',' : '\n', f);
    }
    fclose(f);
    cli_csv_t again;
    char err[256];
    cli_csv_init(&again, text, len, "again");
    if (cli_csv_next(&again, err, sizeof err) != 1 || again.count != csv->count) {
        abort();
    }
    for (size_t i = 0; i < csv->count; i++) {
        if (again.lengths[i] != csv->lengths[i] || memcmp(again.fields[i], csv->fields[i], csv->lengths[i]) != 0) {
            abort();
        }
    }
    if (cli_csv_next(&again, err, sizeof err) != 0) {
        abort();
    }
    cli_csv_free(&again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cli_csv_t csv;
    char err[256];
    cli_csv_init(&csv, (const char *)data, size, "fuzz");
    unsigned long last_line = 0;
    int got;
    while ((got = cli_csv_next(&csv, err, sizeof err)) == 1) {
        if (csv.count == 0 || csv.count > CLI_CSV_FIELDS_MAX || csv.record_line <= last_line) {
            abort();
        }
        last_line = csv.record_line;
        for (size_t i = 0; i < csv.count; i++) {
            if (strlen(csv.fields[i]) != csv.lengths[i] || csv.lengths[i] > CLI_CSV_RECORD_MAX) {
                abort();
            }
        }
        round_trip(&csv);
    }
    if (got < 0) {
        if (strncmp(err, "fuzz:", 5) != 0 || strchr(err, '\n') != NULL || cli_csv_next(&csv, err, sizeof err) != 0) {
            abort();
        }
    }
    cli_csv_free(&csv);
    return 0;
}
