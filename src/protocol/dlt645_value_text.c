/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 typed values as text: prepay_dlt645_value_format() for tools and
 * bindings, and its inverse prepay_dlt645_value_parse() for writes. Exact
 * decimals through prepay_fixed_format()/prepay_fixed_parse(); no stdio.
 */
#include "prepay/dlt645_data.h"

#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "dlt645_catalogue_internal.h"

typedef struct sink {
    char *out;
    size_t cap;
    size_t len;
    bool overflow;
} sink_t;

static void put_char(sink_t *s, char c)
{
    if (s->len + 1 >= s->cap) {
        s->overflow = true;
        return;
    }
    s->out[s->len++] = c;
}

static void put_text(sink_t *s, const char *text)
{
    while (*text) {
        put_char(s, *text++);
    }
}

/* Writes value with exactly `width` digits (value >= 0). */
static void put_digits(sink_t *s, uint64_t value, unsigned width)
{
    char digits[20];
    for (unsigned i = 0; i < width && i < sizeof digits; i++) {
        digits[width - 1 - i] = (char)('0' + value % 10u);
        value /= 10u;
    }
    for (unsigned i = 0; i < width && i < sizeof digits; i++) {
        put_char(s, digits[i]);
    }
}

static void put_number(sink_t *s, int64_t number, unsigned decimals)
{
    char text[32];
    if (prepay_fixed_format(number, decimals, text, sizeof text) < 0) {
        s->overflow = true;
        return;
    }
    put_text(s, text);
}

static void put_time(sink_t *s, prepay_time_t t, bool date, bool clock, bool seconds)
{
    prepay_civil_t c;
    if (prepay_time_to_civil(t, &c) != PREPAY_OK) {
        put_text(s, "?");
        return;
    }
    if (date) {
        put_digits(s, (uint64_t)c.year, 4);
        put_char(s, '-');
        put_digits(s, c.month, 2);
        put_char(s, '-');
        put_digits(s, c.day, 2);
    }
    if (clock) {
        if (date) {
            put_char(s, ' ');
        }
        put_digits(s, c.hour, 2);
        put_char(s, ':');
        put_digits(s, c.minute, 2);
        if (seconds) {
            put_char(s, ':');
            put_digits(s, c.second, 2);
        }
    }
}

static const char hex_digits[] = "0123456789ABCDEF";

int prepay_dlt645_value_format(const prepay_dlt645_value_t *value, char *out, size_t out_cap)
{
    if (!value || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    sink_t s = {out, out_cap, 0, out_cap == 0};
    switch (value->kind) {
    case PREPAY_DLT645_KIND_NUMBER:
        put_number(&s, value->number, value->decimals);
        break;
    case PREPAY_DLT645_KIND_DEMAND:
        put_number(&s, value->number, value->decimals);
        put_char(&s, '@');
        if (value->count == 1) {
            put_text(&s, "none");
        } else {
            put_time(&s, value->time, true, true, false);
        }
        break;
    case PREPAY_DLT645_KIND_TIME:
        switch (value->format) {
        case PREPAY_DLT645_FORMAT_DATE_WEEK: put_time(&s, value->time, true, false, false); break;
        case PREPAY_DLT645_FORMAT_TIME_OF_DAY: put_time(&s, value->time, false, true, true); break;
        case PREPAY_DLT645_FORMAT_MINUTE_TIME: put_time(&s, value->time, true, true, false); break;
        default: put_time(&s, value->time, true, true, true); break;
        }
        break;
    case PREPAY_DLT645_KIND_DIGITS:
        put_digits(&s, (uint64_t)(value->number < 0 ? 0 : value->number), 2u * value->length);
        break;
    case PREPAY_DLT645_KIND_TABLE:
        for (size_t i = 0; i < value->count && i < PREPAY_DLT645_MAX_TABLE_ENTRIES; i++) {
            const prepay_dlt645_entry_t *e = &value->entries[i];
            if (i > 0) {
                put_char(&s, ' ');
            }
            put_digits(&s, e->first, 2);
            put_char(&s, value->format == PREPAY_DLT645_FORMAT_ZONE_TABLE ? '-' : ':');
            put_digits(&s, e->second, 2);
            put_char(&s, ':');
            put_digits(&s, e->number, e->number >= 10 ? 2 : 1);
        }
        break;
    case PREPAY_DLT645_KIND_TEXT: {
        /* Fixed-length ASCII fields are padded with NUL bytes, before or
         * after the text (the text is sent last character first, and meters
         * differ in where they pad): padding is not shown. */
        size_t first = 0;
        size_t end = value->count < PREPAY_DLT645_VALUE_MAX_BYTES ? value->count : PREPAY_DLT645_VALUE_MAX_BYTES;
        while (first < end && value->bytes[first] == 0) {
            first++;
        }
        while (end > first && value->bytes[end - 1] == 0) {
            end--;
        }
        for (size_t i = first; i < end; i++) {
            uint8_t c = value->bytes[i];
            put_char(&s, c >= 0x20 && c <= 0x7E ? (char)c : '?');
        }
        break;
    }
    case PREPAY_DLT645_KIND_BYTES:
        for (size_t i = 0; i < value->count && i < PREPAY_DLT645_VALUE_MAX_BYTES; i++) {
            put_char(&s, hex_digits[value->bytes[i] >> 4]);
            put_char(&s, hex_digits[value->bytes[i] & 0x0Fu]);
        }
        break;
    case PREPAY_DLT645_KIND_ABSENT:
        put_text(&s, "absent");
        break;
    default:
        if (out_cap > 0) {
            out[0] = '\0';
        }
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (s.overflow) {
        if (out_cap > 0) {
            out[0] = '\0';
        }
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    out[s.len] = '\0';
    return (int)s.len;
}

/* ---- parse ------------------------------------------------------------------- */

typedef struct cursor {
    const char *p;
    const char *end;
} cursor_t;

static bool at_end(const cursor_t *c)
{
    return c->p >= c->end;
}

/* Reads exactly n decimal digits. */
static bool read_fixed(cursor_t *c, unsigned n, unsigned *out)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (at_end(c) || *c->p < '0' || *c->p > '9') {
            return false;
        }
        v = v * 10u + (unsigned)(*c->p - '0');
        c->p++;
    }
    *out = v;
    return true;
}

/* Reads 1..max digits. */
static bool read_uint(cursor_t *c, unsigned max_digits, unsigned *out)
{
    unsigned v = 0;
    unsigned n = 0;
    while (!at_end(c) && *c->p >= '0' && *c->p <= '9' && n < max_digits) {
        v = v * 10u + (unsigned)(*c->p - '0');
        c->p++;
        n++;
    }
    *out = v;
    return n > 0;
}

static bool expect(cursor_t *c, char ch)
{
    if (at_end(c) || *c->p != ch) {
        return false;
    }
    c->p++;
    return true;
}

/* "YYYY-MM-DD" then optionally " hh:mm" and ":ss". */
static int parse_time(cursor_t *c, bool want_date, bool want_clock, bool allow_seconds, prepay_time_t *out)
{
    prepay_civil_t civil = {2000, 1, 1, 0, 0, 0, 0};
    unsigned year = 2000, month = 1, day = 1, hour = 0, minute = 0, second = 0;
    if (want_date) {
        if (!read_fixed(c, 4, &year) || !expect(c, '-') || !read_fixed(c, 2, &month) || !expect(c, '-') ||
            !read_fixed(c, 2, &day)) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        if (want_clock && (!expect(c, ' ') && !expect(c, 'T'))) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
    }
    if (want_clock) {
        if (!read_fixed(c, 2, &hour) || !expect(c, ':') || !read_fixed(c, 2, &minute)) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        if (!at_end(c) && allow_seconds) {
            if (!expect(c, ':') || !read_fixed(c, 2, &second)) {
                return PREPAY_E_DLT645_BAD_VALUE;
            }
        }
    }
    if (!at_end(c)) {
        return PREPAY_E_DLT645_BAD_VALUE;
    }
    if (hour > 23 || minute > 59 || second > 59) {
        return PREPAY_E_BAD_TIME;
    }
    civil.year = (int32_t)year;
    civil.month = (uint8_t)(month > 99 ? 0 : month);
    civil.day = (uint8_t)(day > 99 ? 0 : day);
    civil.hour = (uint8_t)hour;
    civil.minute = (uint8_t)minute;
    civil.second = (uint8_t)second;
    return prepay_time_from_civil(&civil, out);
}

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    return -1;
}

static bool is_separator(char ch)
{
    return ch == ' ' || ch == ',' || ch == ';';
}

static int parse_table(cursor_t *c, unsigned format, size_t max_bytes, prepay_dlt645_value_t *v)
{
    char middle = format == PREPAY_DLT645_FORMAT_ZONE_TABLE ? '-' : ':';
    v->kind = PREPAY_DLT645_KIND_TABLE;
    while (!at_end(c)) {
        if (is_separator(*c->p)) {
            c->p++;
            continue;
        }
        if (v->count >= PREPAY_DLT645_MAX_TABLE_ENTRIES || (size_t)(v->count + 1u) * 3u > max_bytes) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        unsigned a, b, n;
        if (!read_fixed(c, 2, &a) || !expect(c, middle) || !read_fixed(c, 2, &b) || !expect(c, ':') ||
            !read_uint(c, 2, &n)) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        if (format == PREPAY_DLT645_FORMAT_ZONE_TABLE ? (a < 1 || a > 12 || b < 1 || b > 31)
                                                      : (a > 23 || b > 59)) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        v->entries[v->count].first = (uint8_t)a;
        v->entries[v->count].second = (uint8_t)b;
        v->entries[v->count].number = (uint8_t)n;
        v->count++;
    }
    if (v->count == 0) {
        return PREPAY_E_DLT645_BAD_VALUE;
    }
    v->length = (uint8_t)(v->count * 3u);
    return PREPAY_OK;
}

int prepay_dlt645_value_parse(uint32_t di, const char *text, size_t text_len, prepay_dlt645_value_t *out)
{
    if (!text || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay__dlt645_row_t *row = prepay__dlt645_find_row(di);
    if (!row) {
        return prepay_dlt645_di_is_block(di) ? PREPAY_E_DLT645_BLOCK_DI : PREPAY_E_DLT645_UNKNOWN_DI;
    }
    if (row->field_count > 0) {
        return PREPAY_E_DLT645_BLOCK_DI;
    }
    prepay_dlt645_value_t v;
    memset(&v, 0, sizeof v);
    v.di = di;
    v.name = row->name;
    v.format = row->format;
    v.length = row->length;
    v.decimals = row->decimals;
    v.unit = row->unit;
    cursor_t c = {text, text + text_len};
    int status = PREPAY_OK;
    switch (row->format) {
    case PREPAY_DLT645_FORMAT_BCD:
    case PREPAY_DLT645_FORMAT_BCD_SIGNED:
    case PREPAY_DLT645_FORMAT_DIGITS:
        v.kind = row->format == PREPAY_DLT645_FORMAT_DIGITS ? PREPAY_DLT645_KIND_DIGITS : PREPAY_DLT645_KIND_NUMBER;
        if (prepay_fixed_parse(text, text_len, row->decimals, &v.number) != PREPAY_OK) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        if (v.kind == PREPAY_DLT645_KIND_NUMBER) {
            unsigned target = prepay_dlt645_unit_decimals(v.unit);
            v.quantity = v.number;
            if (target > v.decimals) {
                int64_t scale = 1;
                for (unsigned i = v.decimals; i < target; i++) {
                    scale *= 10;
                }
                if (prepay_i64_mul(v.number, scale, &v.quantity) != PREPAY_OK) {
                    return PREPAY_E_DLT645_BAD_VALUE;
                }
            }
        }
        break;
    case PREPAY_DLT645_FORMAT_DATE_WEEK:
        v.kind = PREPAY_DLT645_KIND_TIME;
        status = parse_time(&c, true, false, false, &v.time);
        if (status == PREPAY_OK) {
            v.weekday = (uint8_t)prepay_time_weekday(prepay_time_day_of(v.time));
        }
        break;
    case PREPAY_DLT645_FORMAT_TIME_OF_DAY:
        v.kind = PREPAY_DLT645_KIND_TIME;
        status = parse_time(&c, false, true, true, &v.time);
        break;
    case PREPAY_DLT645_FORMAT_MINUTE_TIME:
        v.kind = PREPAY_DLT645_KIND_TIME;
        status = parse_time(&c, true, true, false, &v.time);
        break;
    case PREPAY_DLT645_FORMAT_SECOND_TIME:
        v.kind = PREPAY_DLT645_KIND_TIME;
        status = parse_time(&c, true, true, true, &v.time);
        break;
    case PREPAY_DLT645_FORMAT_ZONE_TABLE:
    case PREPAY_DLT645_FORMAT_DAY_TABLE:
        status = parse_table(&c, row->format, row->length, &v);
        break;
    case PREPAY_DLT645_FORMAT_ASCII:
        v.kind = PREPAY_DLT645_KIND_TEXT;
        if (text_len > row->length || text_len > PREPAY_DLT645_VALUE_MAX_BYTES) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        /* Fixed-length text: padded with NUL bytes after the text. */
        memcpy(v.bytes, text, text_len);
        v.count = row->length;
        break;
    case PREPAY_DLT645_FORMAT_BYTES: {
        v.kind = PREPAY_DLT645_KIND_BYTES;
        size_t n = 0;
        int high = -1;
        for (size_t i = 0; i < text_len; i++) {
            if (is_separator(text[i])) {
                continue;
            }
            int h = hex_value(text[i]);
            if (h < 0) {
                return PREPAY_E_DLT645_BAD_VALUE;
            }
            if (high < 0) {
                high = h;
            } else {
                if (n >= row->length || n >= PREPAY_DLT645_VALUE_MAX_BYTES) {
                    return PREPAY_E_DLT645_BAD_VALUE;
                }
                v.bytes[n++] = (uint8_t)(high << 4 | h);
                high = -1;
            }
        }
        if (high >= 0 || n != row->length) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        v.count = (uint8_t)n;
        break;
    }
    default:
        return PREPAY_E_DLT645_BAD_VALUE;
    }
    if (status != PREPAY_OK) {
        return status;
    }
    /* Refuse what the format cannot carry, so that parse -> encode never fails late. */
    uint8_t scratch[PREPAY_DLT645_VALUE_MAX_BYTES > 3 * PREPAY_DLT645_MAX_TABLE_ENTRIES
                        ? PREPAY_DLT645_VALUE_MAX_BYTES
                        : 3 * PREPAY_DLT645_MAX_TABLE_ENTRIES];
    if (prepay_dlt645_value_encode(&v, scratch, sizeof scratch) < 0) {
        return PREPAY_E_DLT645_BAD_VALUE;
    }
    *out = v;
    return PREPAY_OK;
}
