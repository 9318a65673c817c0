/* SPDX-License-Identifier: MIT */
/*
 * A channel's settlement statement as CSV (RFC 4180 with the tools'
 * conventions, docs/cli.md "CSV input"): order id, amount in yuan, status,
 * time. Freestanding: parses text in memory into the caller's records.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/payment.h"

#define FIELDS 4u

typedef struct reader {
    const char *text;
    size_t len;
    size_t at;
    uint32_t line;
} reader_t;

typedef struct record_text {
    char fields[FIELDS][PREPAY_PAYMENT_STATEMENT_FIELD_MAX];
    size_t lengths[FIELDS];
    size_t count;
} record_text_t;

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Consumes one line end (CRLF, LF or CR) at r->at if there is one. */
static bool line_end(reader_t *r)
{
    if (r->at >= r->len) {
        return false;
    }
    if (r->text[r->at] == '\r') {
        r->at++;
        if (r->at < r->len && r->text[r->at] == '\n') {
            r->at++;
        }
        r->line++;
        return true;
    }
    if (r->text[r->at] == '\n') {
        r->at++;
        r->line++;
        return true;
    }
    return false;
}

/* Skips blank lines and '#' comment lines between records. */
static void skip_empty(reader_t *r)
{
    while (r->at < r->len) {
        size_t start = r->at;
        while (r->at < r->len && is_blank(r->text[r->at])) {
            r->at++;
        }
        if (r->at < r->len && r->text[r->at] == '#') {
            while (r->at < r->len && r->text[r->at] != '\r' && r->text[r->at] != '\n') {
                r->at++;
            }
        }
        if (!line_end(r)) {
            if (r->at >= r->len) {
                return;
            }
            r->at = start;
            return;
        }
    }
}

static int append(record_text_t *rec, char c)
{
    size_t *n = &rec->lengths[rec->count];
    if (c == '\0' || *n >= PREPAY_PAYMENT_STATEMENT_FIELD_MAX) {
        return PREPAY_E_PAYMENT_STATEMENT;
    }
    rec->fields[rec->count][(*n)++] = c;
    return PREPAY_OK;
}

/* Reads one record's fields (r->at at its first byte, not at the end). */
static int read_record(reader_t *r, record_text_t *rec)
{
    memset(rec, 0, sizeof *rec);
    for (;;) {
        if (rec->count == FIELDS) {
            return PREPAY_E_PAYMENT_STATEMENT;
        }
        while (r->at < r->len && is_blank(r->text[r->at])) {
            r->at++;
        }
        if (r->at < r->len && r->text[r->at] == '"') {
            r->at++;
            for (;;) {
                if (r->at >= r->len) {
                    return PREPAY_E_PAYMENT_STATEMENT; /* never closed */
                }
                char c = r->text[r->at];
                if (c == '"') {
                    if (r->at + 1u < r->len && r->text[r->at + 1u] == '"') {
                        r->at += 2u;
                        if (append(rec, '"') != PREPAY_OK) {
                            return PREPAY_E_PAYMENT_STATEMENT;
                        }
                        continue;
                    }
                    r->at++;
                    break;
                }
                if (c == '\n' || (c == '\r' && !(r->at + 1u < r->len && r->text[r->at + 1u] == '\n'))) {
                    r->line++;
                }
                if (append(rec, c) != PREPAY_OK) {
                    return PREPAY_E_PAYMENT_STATEMENT;
                }
                r->at++;
            }
            while (r->at < r->len && is_blank(r->text[r->at])) {
                r->at++;
            }
        } else {
            size_t start = r->at;
            while (r->at < r->len && r->text[r->at] != ',' && r->text[r->at] != '\r' && r->text[r->at] != '\n') {
                if (r->text[r->at] == '"') {
                    return PREPAY_E_PAYMENT_STATEMENT; /* a quote inside an unquoted field */
                }
                r->at++;
            }
            size_t end = r->at;
            while (end > start && is_blank(r->text[end - 1u])) {
                end--;
            }
            for (size_t i = start; i < end; i++) {
                if (append(rec, r->text[i]) != PREPAY_OK) {
                    return PREPAY_E_PAYMENT_STATEMENT;
                }
            }
        }
        rec->count++;
        if (r->at >= r->len || line_end(r)) {
            return PREPAY_OK;
        }
        if (r->text[r->at] != ',') {
            return PREPAY_E_PAYMENT_STATEMENT; /* text after a closing quote */
        }
        r->at++;
    }
}

static bool field_is(const record_text_t *rec, size_t i, const char *word)
{
    size_t n = strlen(word);
    return rec->lengths[i] == n && memcmp(rec->fields[i], word, n) == 0;
}

static int parse_u64(const char *text, size_t len, uint64_t *out)
{
    if (len == 0u || len > 20u) {
        return PREPAY_E_PAYMENT_STATEMENT;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return PREPAY_E_PAYMENT_STATEMENT;
        }
        uint64_t d = (uint64_t)(text[i] - '0');
        if (v > (UINT64_MAX - d) / 10u) {
            return PREPAY_E_PAYMENT_STATEMENT;
        }
        v = v * 10u + d;
    }
    *out = v;
    return PREPAY_OK;
}

static int convert(const record_text_t *rec, prepay_payment_statement_record_t *out)
{
    if (rec->count != FIELDS) {
        return PREPAY_E_PAYMENT_STATEMENT;
    }
    prepay_payment_statement_record_t r;
    memset(&r, 0, sizeof r);
    if (parse_u64(rec->fields[0], rec->lengths[0], &r.order_id) != PREPAY_OK ||
        prepay_fixed_parse(rec->fields[1], rec->lengths[1], 2, &r.amount) != PREPAY_OK || r.amount <= 0 ||
        prepay_time_parse(rec->fields[3], rec->lengths[3], &r.time) != PREPAY_OK) {
        return PREPAY_E_PAYMENT_STATEMENT;
    }
    if (field_is(rec, 2, "PAID") || field_is(rec, 2, "SUCCESS")) {
        r.status = PREPAY_PAYMENT_STATEMENT_PAID;
    } else if (field_is(rec, 2, "REFUNDED") || field_is(rec, 2, "REFUND")) {
        r.status = PREPAY_PAYMENT_STATEMENT_REFUNDED;
    } else {
        return PREPAY_E_PAYMENT_STATEMENT;
    }
    *out = r;
    return PREPAY_OK;
}

int prepay_payment_statement_parse(const char *text, size_t len, prepay_payment_statement_record_t *records,
                                   size_t cap, size_t *count, uint32_t *error_line)
{
    if ((text == NULL && len > 0u) || (records == NULL && cap > 0u) || count == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    *count = 0;
    reader_t r = {text, len, 0, 1};
    if (len >= 3u && (unsigned char)text[0] == 0xEFu && (unsigned char)text[1] == 0xBBu &&
        (unsigned char)text[2] == 0xBFu) {
        r.at = 3; /* UTF-8 byte order mark, as spreadsheet programs write it */
    }
    bool first = true;
    record_text_t rec;
    for (;;) {
        skip_empty(&r);
        if (r.at >= r.len) {
            return PREPAY_OK;
        }
        uint32_t line = r.line;
        int status = read_record(&r, &rec);
        if (status == PREPAY_OK && first && rec.count > 0u && field_is(&rec, 0, "order_id")) {
            first = false;
            continue; /* the header */
        }
        first = false;
        if (status == PREPAY_OK && *count >= cap) {
            status = PREPAY_E_BUFFER_TOO_SMALL;
        }
        if (status == PREPAY_OK) {
            status = convert(&rec, &records[*count]);
        }
        if (status != PREPAY_OK) {
            if (error_line != NULL) {
                *error_line = line;
            }
            return status;
        }
        (*count)++;
    }
}
