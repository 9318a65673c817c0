/* SPDX-License-Identifier: MIT */
/*
 * The readings CSV of `prepay tariff bill` (see readings.h), read by the
 * tools' one CSV reader (cli_csv.h: UTF-8 byte order mark, quoted fields,
 * comments); times by the library's one grammar (prepay_time_parse:
 * YYYY-MM-DD or YYYY/MM/DD, then hh:mm[:ss]).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_csv.h"
#include "cli_file.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "readings.h"

#define TIME_FORMS "'YYYY-MM-DD hh:mm[:ss]', 'YYYY/MM/DD hh:mm[:ss]' or a date alone"


static int push_interval(readings_t *list, prepay_time_t start, prepay_time_t end, prepay_energy_t energy)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 256;
        prepay_tariff_interval_t *items = realloc(list->items, cap * sizeof *items);
        if (!items) {
            return -1;
        }
        list->items = items;
        list->cap = cap;
    }
    list->items[list->count].start = start;
    list->items[list->count].end = end;
    list->items[list->count].energy = energy;
    list->count++;
    return 0;
}

/* A quantity: kWh (or m3) with at most 3 decimals, in Wh (or L). */
static int parse_quantity(const char *s, int64_t *out)
{
    return prepay_fixed_parse(s, strlen(s), 3, out);
}

static int parse_time(const char *s, prepay_time_t *out)
{
    return prepay_time_parse(s, strlen(s), out);
}

typedef struct parser {
    const char *origin;
    unsigned long lineno;
    int kind; /* 2: registers, 3: intervals */
    bool have_prev, seen_data;
    prepay_time_t prev_t, last_end;
    int64_t prev_reg;
} parser_t;

static int register_row(parser_t *ps, char *const *fields, readings_t *list, char *err, size_t err_cap)
{
    prepay_time_t t;
    int64_t reg;
    if (parse_time(fields[0], &t) != PREPAY_OK) {
        return cli_message(2, err, err_cap, "%s:%lu: bad timestamp '%.40s' (expected " TIME_FORMS ")", ps->origin, ps->lineno,
                    fields[0]);
    }
    if (parse_quantity(fields[1], &reg) != PREPAY_OK || reg < 0) {
        return cli_message(2, err, err_cap, "%s:%lu: bad register '%.40s' (a non-negative decimal with at most 3 decimals)",
                    ps->origin, ps->lineno, fields[1]);
    }
    if (ps->have_prev) {
        if (t <= ps->prev_t) {
            return cli_message(2, err, err_cap, "%s:%lu: timestamps must increase", ps->origin, ps->lineno);
        }
        if (reg < ps->prev_reg) {
            return cli_message(2, err, err_cap, "%s:%lu: register went backwards (%.40s < previous)", ps->origin, ps->lineno,
                        fields[1]);
        }
        if (push_interval(list, ps->prev_t, t, reg - ps->prev_reg) != 0) {
            return cli_message(2, err, err_cap, "out of memory");
        }
    }
    ps->have_prev = true;
    ps->prev_t = t;
    ps->prev_reg = reg;
    return 0;
}

static int interval_row(parser_t *ps, char *const *fields, readings_t *list, char *err, size_t err_cap)
{
    prepay_time_t s, e;
    int64_t energy;
    if (parse_time(fields[0], &s) != PREPAY_OK) {
        return cli_message(2, err, err_cap, "%s:%lu: bad start '%.40s' (expected " TIME_FORMS ")", ps->origin, ps->lineno,
                    fields[0]);
    }
    if (parse_time(fields[1], &e) != PREPAY_OK) {
        return cli_message(2, err, err_cap, "%s:%lu: bad end '%.40s' (expected " TIME_FORMS ")", ps->origin, ps->lineno,
                    fields[1]);
    }
    if (parse_quantity(fields[2], &energy) != PREPAY_OK || energy < 0) {
        return cli_message(2, err, err_cap, "%s:%lu: bad energy '%.40s' (a non-negative decimal with at most 3 decimals)",
                    ps->origin, ps->lineno, fields[2]);
    }
    if (e < s || (e == s && energy != 0)) {
        return cli_message(2, err, err_cap, "%s:%lu: the interval ends before it starts", ps->origin, ps->lineno);
    }
    if (s < ps->last_end) {
        return cli_message(2, err, err_cap, "%s:%lu: intervals must be in time order without overlap", ps->origin,
                    ps->lineno);
    }
    ps->last_end = e;
    if (push_interval(list, s, e, energy) != 0) {
        return cli_message(2, err, err_cap, "out of memory");
    }
    return 0;
}

/* One record: a header (first record, starting with a letter), a register row or an interval row. */
static int parse_record(parser_t *ps, const cli_csv_t *csv, readings_t *list, char *err, size_t err_cap)
{
    char first = csv->fields[0][0];
    bool letter = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z');
    if (!ps->seen_data && letter) {
        ps->seen_data = true; /* a header line */
        return 0;
    }
    ps->seen_data = true;
    size_t n = csv->count;
    if (n != 2 && n != 3) {
        return cli_message(2, err, err_cap, "%s:%lu: expected 'timestamp,register' or 'start,end,energy' (%zu fields)",
                    ps->origin, ps->lineno, n);
    }
    if (ps->kind == 0) {
        ps->kind = (int)n;
    } else if ((int)n != ps->kind) {
        return cli_message(2, err, err_cap, "%s:%lu: mixes %d-field and %zu-field rows", ps->origin, ps->lineno, ps->kind, n);
    }
    char *const *fields = csv->fields;
    return n == 2 ? register_row(ps, fields, list, err, err_cap) : interval_row(ps, fields, list, err, err_cap);
}

int readings_parse(const char *text, size_t len, const char *origin, readings_t *list, char *err, size_t err_cap)
{
    parser_t ps;
    memset(&ps, 0, sizeof ps);
    ps.origin = origin;
    ps.last_end = INT64_MIN;
    cli_csv_t csv;
    cli_csv_init(&csv, text, len, origin);
    int rc = 0, got;
    while (rc == 0 && (got = cli_csv_next(&csv, err, err_cap)) != 0) {
        if (got < 0) {
            rc = 2;
            break;
        }
        ps.lineno = csv.record_line;
        rc = parse_record(&ps, &csv, list, err, err_cap);
    }
    cli_csv_free(&csv);
    if (rc == 0 && list->count == 0) {
        rc = cli_message(2, err, err_cap, "%s: no interval to bill (registers need at least two readings)", origin);
    }
    return rc;
}

int readings_load(const char *path, readings_t *list, char *err, size_t err_cap)
{
    char *text = NULL;
    size_t size = 0;
    if (cli_read_input(path, READINGS_FILE_MAX, &text, &size, NULL, err, err_cap) != 0) {
        return 2;
    }
    int rc = readings_parse(text, size, cli_input_name(path), list, err, err_cap);
    free(text);
    return rc;
}

void readings_free(readings_t *readings)
{
    free(readings->items);
    memset(readings, 0, sizeof *readings);
}
