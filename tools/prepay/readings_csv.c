/* The readings CSV of `prepay tariff bill` (see readings.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/civil_time.h"
#include "readings.h"

static int fail(char *err, size_t err_cap, const char *format, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t err_cap, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(err, err_cap, format, ap);
    va_end(ap);
    return 2;
}

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

/* Splits a line at commas (at most max fields), trimming spaces. */
static size_t split_csv(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (n < max) {
            fields[n] = p;
        }
        n++;
        char *comma = strchr(p, ',');
        char *end = comma ? comma : p + strlen(p);
        char *q = end;
        while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r' || q[-1] == '\n')) {
            q--;
        }
        *q = '\0';
        if (!comma) {
            break;
        }
        p = comma + 1;
    }
    return n;
}

/* A quantity: kWh (or m3) with at most 3 decimals, in Wh (or L). */
static int parse_quantity(const char *s, int64_t *out)
{
    return prepay_fixed_parse(s, strlen(s), 3, out);
}

typedef struct parser {
    const char *origin;
    unsigned long lineno;
    int kind; /* 2: registers, 3: intervals */
    bool have_prev, seen_data;
    prepay_time_t prev_t, last_end;
    int64_t prev_reg;
} parser_t;

static int register_row(parser_t *ps, char **fields, readings_t *list, char *err, size_t err_cap)
{
    prepay_time_t t;
    int64_t reg;
    if (prepay_time_parse_date_time(fields[0], strlen(fields[0]), &t) != PREPAY_OK) {
        return fail(err, err_cap, "%s:%lu: bad timestamp '%.40s' (expected 'YYYY-MM-DD hh:mm[:ss]')", ps->origin,
                    ps->lineno, fields[0]);
    }
    if (parse_quantity(fields[1], &reg) != PREPAY_OK || reg < 0) {
        return fail(err, err_cap, "%s:%lu: bad register '%.40s' (a non-negative decimal with at most 3 decimals)",
                    ps->origin, ps->lineno, fields[1]);
    }
    if (ps->have_prev) {
        if (t <= ps->prev_t) {
            return fail(err, err_cap, "%s:%lu: timestamps must increase", ps->origin, ps->lineno);
        }
        if (reg < ps->prev_reg) {
            return fail(err, err_cap, "%s:%lu: register went backwards (%.40s < previous)", ps->origin, ps->lineno,
                        fields[1]);
        }
        if (push_interval(list, ps->prev_t, t, reg - ps->prev_reg) != 0) {
            return fail(err, err_cap, "out of memory");
        }
    }
    ps->have_prev = true;
    ps->prev_t = t;
    ps->prev_reg = reg;
    return 0;
}

static int interval_row(parser_t *ps, char **fields, readings_t *list, char *err, size_t err_cap)
{
    prepay_time_t s, e;
    int64_t energy;
    if (prepay_time_parse_date_time(fields[0], strlen(fields[0]), &s) != PREPAY_OK) {
        return fail(err, err_cap, "%s:%lu: bad start '%.40s' (expected 'YYYY-MM-DD hh:mm[:ss]')", ps->origin,
                    ps->lineno, fields[0]);
    }
    if (prepay_time_parse_date_time(fields[1], strlen(fields[1]), &e) != PREPAY_OK) {
        return fail(err, err_cap, "%s:%lu: bad end '%.40s' (expected 'YYYY-MM-DD hh:mm[:ss]')", ps->origin,
                    ps->lineno, fields[1]);
    }
    if (parse_quantity(fields[2], &energy) != PREPAY_OK || energy < 0) {
        return fail(err, err_cap, "%s:%lu: bad energy '%.40s' (a non-negative decimal with at most 3 decimals)",
                    ps->origin, ps->lineno, fields[2]);
    }
    if (e < s || (e == s && energy != 0)) {
        return fail(err, err_cap, "%s:%lu: the interval ends before it starts", ps->origin, ps->lineno);
    }
    if (s < ps->last_end) {
        return fail(err, err_cap, "%s:%lu: intervals must be in time order without overlap", ps->origin,
                    ps->lineno);
    }
    ps->last_end = e;
    if (push_interval(list, s, e, energy) != 0) {
        return fail(err, err_cap, "out of memory");
    }
    return 0;
}

/* One line (NUL-terminated, no newline). */
static int parse_line(parser_t *ps, char *line, readings_t *list, char *err, size_t err_cap)
{
    char *p = line;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (*p == '#' || *p == '\r' || *p == '\0') {
        return 0;
    }
    char *fields[4];
    size_t n = split_csv(p, fields, 4);
    bool letter = (fields[0][0] >= 'a' && fields[0][0] <= 'z') || (fields[0][0] >= 'A' && fields[0][0] <= 'Z');
    if (!ps->seen_data && letter) {
        ps->seen_data = true; /* a header line */
        return 0;
    }
    ps->seen_data = true;
    if (n != 2 && n != 3) {
        return fail(err, err_cap, "%s:%lu: expected 'timestamp,register' or 'start,end,energy' (%zu fields)",
                    ps->origin, ps->lineno, n);
    }
    if (ps->kind == 0) {
        ps->kind = (int)n;
    } else if ((int)n != ps->kind) {
        return fail(err, err_cap, "%s:%lu: mixes %d-field and %zu-field rows", ps->origin, ps->lineno, ps->kind, n);
    }
    return n == 2 ? register_row(ps, fields, list, err, err_cap) : interval_row(ps, fields, list, err, err_cap);
}

int readings_parse(const char *text, size_t len, const char *origin, readings_t *list, char *err, size_t err_cap)
{
    parser_t ps;
    memset(&ps, 0, sizeof ps);
    ps.origin = origin;
    ps.last_end = INT64_MIN;
    char line[READINGS_LINE_MAX + 1];
    size_t at = 0;
    while (at < len) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        ps.lineno++;
        if (n > READINGS_LINE_MAX) {
            return fail(err, err_cap, "%s:%lu: line too long", origin, ps.lineno);
        }
        if (memchr(text + at, '\0', n) != NULL) {
            return fail(err, err_cap, "%s:%lu: a NUL byte in the line", origin, ps.lineno);
        }
        memcpy(line, text + at, n);
        line[n] = '\0';
        int rc = parse_line(&ps, line, list, err, err_cap);
        if (rc != 0) {
            return rc;
        }
        at += n + (nl ? 1 : 0);
    }
    if (list->count == 0) {
        return fail(err, err_cap, "%s: no interval to bill (registers need at least two readings)", origin);
    }
    return 0;
}

int readings_load(const char *path, readings_t *list, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return fail(err, err_cap, "%s: cannot open: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (unsigned long long)st.st_size > READINGS_FILE_MAX) {
        fclose(f);
        return fail(err, err_cap, "%s: not a regular file of at most %u bytes", path, READINGS_FILE_MAX);
    }
    size_t size = (size_t)st.st_size;
    char *text = malloc(size + 1);
    if (!text || fread(text, 1, size, f) != size) {
        free(text);
        fclose(f);
        return fail(err, err_cap, "%s: read error", path);
    }
    fclose(f);
    int rc = readings_parse(text, size, path, list, err, err_cap);
    free(text);
    return rc;
}

void readings_free(readings_t *readings)
{
    free(readings->items);
    memset(readings, 0, sizeof *readings);
}
