/* SPDX-License-Identifier: MIT */
/* The tools layer: the one CSV reader (cli_csv.h). */
#include "cli_csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_csv_init(cli_csv_t *csv, const char *text, size_t len, const char *origin)
{
    memset(csv, 0, sizeof *csv);
    csv->origin = origin;
    csv->text = text;
    csv->len = len;
    csv->line = 1;
    /* The byte order mark spreadsheet programs put before "UTF-8 CSV". */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        csv->at = 3;
    }
}

void cli_csv_free(cli_csv_t *csv)
{
    free(csv->buf);
    csv->buf = NULL;
    csv->buf_cap = 0;
    csv->count = 0;
}

static int fail(cli_csv_t *csv, unsigned long line, char *err, size_t err_cap, const char *fmt, ...) CLI_PRINTF(5, 6);

static int fail(cli_csv_t *csv, unsigned long line, char *err, size_t err_cap, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(err, err_cap, "%s:%lu: %s", csv->origin, line, what);
    csv->count = 0;
    csv->at = csv->len; /* nothing more is read after an error */
    return -1;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool line_end(char c)
{
    return c == '\n' || c == '\r';
}

/* Steps over a line end at csv->at (CRLF, LF or CR). */
static void skip_line_end(cli_csv_t *csv)
{
    if (csv->at < csv->len && csv->text[csv->at] == '\r') {
        csv->at++;
    }
    if (csv->at < csv->len && csv->text[csv->at] == '\n') {
        csv->at++;
    }
    csv->line++;
}

/* Skips blank lines and comment lines; false at the end of the text. */
static bool skip_to_record(cli_csv_t *csv)
{
    while (csv->at < csv->len) {
        size_t p = csv->at;
        while (p < csv->len && blank(csv->text[p])) {
            p++;
        }
        if (p < csv->len && !line_end(csv->text[p]) && csv->text[p] != '#') {
            csv->at = p;
            return true;
        }
        while (p < csv->len && !line_end(csv->text[p])) {
            p++; /* the rest of a comment */
        }
        csv->at = p;
        if (p == csv->len) {
            return false;
        }
        skip_line_end(csv);
    }
    return false;
}

/* Appends one byte to the record being built. */
static bool put(cli_csv_t *csv, size_t *used, char c)
{
    if (*used + 1 >= csv->buf_cap) {
        size_t cap = csv->buf_cap ? csv->buf_cap * 2 : 256;
        if (cap > CLI_CSV_RECORD_MAX + 1) {
            cap = CLI_CSV_RECORD_MAX + 1;
        }
        char *grown = cap > csv->buf_cap ? realloc(csv->buf, cap) : NULL;
        if (grown == NULL) {
            return false;
        }
        csv->buf = grown;
        csv->buf_cap = cap;
    }
    csv->buf[(*used)++] = c;
    return true;
}

/* Reads a quoted field's content (csv->at just after the opening quote). Returns 0 or -1. */
static int quoted_field(cli_csv_t *csv, size_t *used, size_t field, char *err, size_t err_cap)
{
    unsigned long start_line = csv->line;
    for (;;) {
        if (csv->at >= csv->len) {
            return fail(csv, start_line, err, err_cap, "field %zu: a quoted field is not closed", field + 1);
        }
        char c = csv->text[csv->at];
        if (c == '"') {
            if (csv->at + 1 < csv->len && csv->text[csv->at + 1] == '"') {
                csv->at += 2; /* a doubled quote is one quote */
            } else {
                csv->at++;
                return 0;
            }
        } else {
            if (c == '\0') {
                return fail(csv, csv->line, err, err_cap, "a NUL byte");
            }
            if (c == '\n' || (c == '\r' && (csv->at + 1 >= csv->len || csv->text[csv->at + 1] != '\n'))) {
                csv->line++;
            }
            csv->at++;
        }
        if (!put(csv, used, c)) {
            return fail(csv, csv->record_line, err, err_cap, "a record longer than %d bytes", CLI_CSV_RECORD_MAX);
        }
    }
}

/* Reads an unquoted field (trimmed of blanks). Returns 0 or -1. */
static int plain_field(cli_csv_t *csv, size_t *used, size_t field, char *err, size_t err_cap)
{
    size_t start = *used;
    while (csv->at < csv->len && csv->text[csv->at] != ',' && !line_end(csv->text[csv->at])) {
        char c = csv->text[csv->at];
        if (c == '"') {
            return fail(csv, csv->line, err, err_cap,
                        "field %zu: a quote inside an unquoted field (quote the whole field, quotes doubled)",
                        field + 1);
        }
        if (c == '\0') {
            return fail(csv, csv->line, err, err_cap, "a NUL byte");
        }
        if (!put(csv, used, c)) {
            return fail(csv, csv->record_line, err, err_cap, "a record longer than %d bytes", CLI_CSV_RECORD_MAX);
        }
        csv->at++;
    }
    while (*used > start && blank(csv->buf[*used - 1])) {
        (*used)--;
    }
    return 0;
}

int cli_csv_next(cli_csv_t *csv, char *err, size_t err_cap)
{
    csv->count = 0;
    if (!skip_to_record(csv)) {
        return 0;
    }
    csv->record_line = csv->line;
    size_t used = 0, starts[CLI_CSV_FIELDS_MAX];
    for (;;) {
        if (csv->count == CLI_CSV_FIELDS_MAX) {
            return fail(csv, csv->line, err, err_cap, "more than %d fields", CLI_CSV_FIELDS_MAX);
        }
        size_t field = csv->count;
        starts[field] = used;
        while (csv->at < csv->len && blank(csv->text[csv->at])) {
            csv->at++;
        }
        int rc;
        if (csv->at < csv->len && csv->text[csv->at] == '"') {
            csv->at++;
            rc = quoted_field(csv, &used, field, err, err_cap);
            while (rc == 0 && csv->at < csv->len && blank(csv->text[csv->at])) {
                csv->at++;
            }
            if (rc == 0 && csv->at < csv->len && csv->text[csv->at] != ',' && !line_end(csv->text[csv->at])) {
                rc = fail(csv, csv->line, err, err_cap, "field %zu: text after the closing quote", field + 1);
            }
        } else {
            rc = plain_field(csv, &used, field, err, err_cap);
        }
        if (rc != 0) {
            return -1;
        }
        if (!put(csv, &used, '\0')) {
            return fail(csv, csv->record_line, err, err_cap, "a record longer than %d bytes", CLI_CSV_RECORD_MAX);
        }
        csv->lengths[field] = used - 1 - starts[field];
        csv->count++;
        if (csv->at < csv->len && csv->text[csv->at] == ',') {
            csv->at++;
            continue;
        }
        if (csv->at < csv->len) {
            skip_line_end(csv);
        }
        break;
    }
    for (size_t i = 0; i < csv->count; i++) {
        csv->fields[i] = csv->buf + starts[i];
    }
    return 1;
}

int cli_csv_write_field(FILE *out, const char *text)
{
    size_t n = strlen(text);
    /* Quoted: separators, quotes, line ends, edge blanks, a leading '#' (a comment line), and a
     * leading UTF-8 byte order mark (at the start of a file the reader would drop it as a BOM). */
    bool quote = n > 0 && (strpbrk(text, ",\"\r\n") != NULL || blank(text[0]) || blank(text[n - 1]) || text[0] == '#' ||
                           (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0));
    if (!quote) {
        return fputs(text, out) < 0 ? EOF : 0;
    }
    if (fputc('"', out) == EOF) {
        return EOF;
    }
    for (const char *p = text; *p; p++) {
        if ((*p == '"' && fputc('"', out) == EOF) || fputc(*p, out) == EOF) {
            return EOF;
        }
    }
    return fputc('"', out) == EOF ? EOF : 0;
}
