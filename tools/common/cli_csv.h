/* SPDX-License-Identifier: MIT */
/*
 * The tools layer (hosted): the one CSV reader of the tools (docs/cli.md,
 * "CSV input"), for every command that reads CSV.
 *
 * RFC 4180 records: fields separated by commas, records by CRLF or LF (a
 * lone CR too); a field in double quotes may hold commas, line breaks and
 * doubled quotes (""). Also accepted: a UTF-8 byte order mark before the
 * first record (as spreadsheet programs write), blanks around a field
 * (trimmed; inside quotes they are kept), blank lines and lines starting
 * with '#' between records (skipped). Refused with a message naming the
 * line: a quote inside an unquoted field, text after a closing quote, a
 * quoted field never closed, a NUL byte, more than CLI_CSV_FIELDS_MAX
 * fields or a record longer than CLI_CSV_RECORD_MAX bytes.
 */
#ifndef PREPAY_TOOL_CLI_CSV_H
#define PREPAY_TOOL_CLI_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_CSV_FIELDS_MAX 64
#define CLI_CSV_RECORD_MAX 65536

/* A reader over text in memory. */
typedef struct cli_csv {
    const char *origin; /* the file's name in messages */
    const char *text;
    size_t len, at;
    unsigned long line;        /* the physical line at `at` (1-based) */
    unsigned long record_line; /* the line where the current record starts */
    char *fields[CLI_CSV_FIELDS_MAX];  /* the current record's fields, NUL-terminated */
    size_t lengths[CLI_CSV_FIELDS_MAX];
    size_t count;
    char *buf; /* heap: the fields */
    size_t buf_cap;
} cli_csv_t;

/* Starts reading text[0..len) (a UTF-8 byte order mark at its start is skipped). */
void cli_csv_init(cli_csv_t *csv, const char *text, size_t len, const char *origin);
/* Reads the next record: 1 (csv->fields, csv->count, csv->record_line), 0 at the
 * end, or -1 with "ORIGIN:LINE: problem" in err. */
int cli_csv_next(cli_csv_t *csv, char *err, size_t err_cap);
/* Frees the reader's buffer. */
void cli_csv_free(cli_csv_t *csv);

/* Writes one field, in quotes (RFC 4180) when it needs them to read back as itself. Returns 0 or EOF. */
int cli_csv_write_field(FILE *out, const char *text);

#endif
