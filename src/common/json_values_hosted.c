/* SPDX-License-Identifier: MIT */
/*
 * Hosted: the JSON reader's scalar readers (json_internal.h): integers in a
 * range, exact decimals, enums by name, strings, literals, booleans, and
 * dates and times in the grammar of civil_time.h.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"
#include "prepay/fixed_point.h"
#include "prepay/hosted_status.h"

/* Scaled values far from INT64_MAX count as "no upper bound" in messages. */
#define OPEN_ENDED (INT64_MAX / 4)

static const int64_t pow10_table[19] = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

void prepay__json_store_int(void *out, size_t size, int64_t v)
{
    /* Two's complement truncation: the table's range keeps v within the C type. */
    uint64_t bits = (uint64_t)v;
    if (size == 1) {
        uint8_t b = (uint8_t)bits;
        memcpy(out, &b, 1);
    } else if (size == 2) {
        uint16_t b = (uint16_t)bits;
        memcpy(out, &b, 2);
    } else if (size == 4) {
        uint32_t b = (uint32_t)bits;
        memcpy(out, &b, 4);
    } else {
        memcpy(out, &bits, 8);
    }
}

int prepay__json_int(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    if (!json_is_integer(value)) {
        return prepay__json_expected(r, "an integer", value);
    }
    int64_t v = (int64_t)json_integer_value(value);
    if (v < type->min || v > type->max) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%" PRId64 " is not in %" PRId64 "..%" PRId64, v,
                                 type->min, type->max);
    }
    prepay__json_store_int(out, type->size, v);
    return PREPAY_OK;
}

/* ---- exact decimals ---------------------------------------------------------------------- */

static int check_range(prepay__json_reader_t *r, const prepay__json_type_t *type, int64_t v, int64_t *out)
{
    if (v >= type->min && v <= type->max) {
        *out = v;
        return PREPAY_OK;
    }
    char lo[32], hi[32];
    if (prepay_fixed_format(type->min, type->decimals, lo, sizeof lo) < 0 ||
        prepay_fixed_format(type->max, type->decimals, hi, sizeof hi) < 0) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "value out of range");
    }
    if (v < type->min && type->max >= OPEN_ENDED) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "value must be at least %s", lo);
    }
    if (v > type->max && type->max >= OPEN_ENDED) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "value is too large (at most %s)", hi);
    }
    return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "value must be between %s and %s", lo, hi);
}

int prepay__json_decimal(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    int64_t v = 0;
    if (json_is_string(value)) {
        char quoted[PREPAY__JSON_QUOTE_MAX + 8];
        int status = prepay_fixed_parse(json_string_value(value), json_string_length(value), type->decimals, &v);
        prepay__json_quote(quoted, sizeof quoted, json_string_value(value));
        if (status == PREPAY_E_OVERFLOW) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%s is too large", quoted);
        }
        if (status != PREPAY_OK) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE,
                                     "%s is not a decimal number with at most %u decimal places", quoted,
                                     type->decimals);
        }
        return check_range(r, type, v, out);
    }
    if (json_is_integer(value)) {
        int64_t i = (int64_t)json_integer_value(value);
        if (type->decimals > 18 || prepay_i64_mul(i, pow10_table[type->decimals], &v) != PREPAY_OK) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%" PRId64 " is too large", i);
        }
        return check_range(r, type, v, out);
    }
    if (json_is_real(value)) {
        return prepay__json_fail(
            r, PREPAY_E_HOSTED_JSON_TYPE,
            "must be a decimal string (e.g. \"0.5\"), not a JSON real: binary floats are not exact");
    }
    return prepay__json_expected(r, "a decimal string", value);
}

/*
 * The shortest decimal that reads back as the same double (what Python's
 * repr() prints), written without an exponent: "1e-05" -> "0.00001".
 * Returns false when it has more than 30 integer digits.
 */
static bool shortest_decimal(double d, char *plain, size_t cap)
{
    char buf[40];
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, d);
        double back = strtod(buf, NULL);
        if (!(back < d) && !(back > d)) {
            break;
        }
    }
    const char *e = strpbrk(buf, "eE");
    long exponent = e ? strtol(e + 1, NULL, 10) : 0;
    bool negative = buf[0] == '-';
    char digits[32];
    size_t nd = 0;
    long point = -1;
    for (const char *p = buf + (negative ? 1 : 0); *p && p != e; p++) {
        if (*p == '.') {
            point = (long)nd;
        } else if (nd + 1 < sizeof digits) {
            digits[nd++] = *p;
        }
    }
    long new_point = (point < 0 ? (long)nd : point) + exponent;
    if (new_point > 30) {
        return false;
    }
    if (new_point < -30) { /* far below any scale: the range check decides */
        snprintf(plain, cap, "0");
        return true;
    }
    size_t o = 0;
    if (negative) {
        plain[o++] = '-';
    }
    for (long k = new_point <= 0 ? new_point - 1 : 0; k < new_point; k++) { /* integer digits, or "0" */
        plain[o++] = k >= 0 && (size_t)k < nd ? digits[k] : '0';
    }
    if (new_point < (long)nd) {
        plain[o++] = '.';
        for (long k = new_point; k < (long)nd; k++) {
            plain[o++] = k < 0 ? '0' : digits[k];
        }
    }
    plain[o] = '\0';
    return o < cap;
}

int prepay__json_number(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    if (!json_is_real(value)) {
        return prepay__json_decimal(r, value, type, out);
    }
    char plain[72];
    if (!shortest_decimal(json_real_value(value), plain, sizeof plain)) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "number %g is too large", json_real_value(value));
    }
    int64_t v = 0;
    int status = prepay_fixed_parse(plain, strlen(plain), type->decimals, &v);
    if (status == PREPAY_E_OVERFLOW) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "number %s is too large", plain);
    }
    if (status != PREPAY_OK) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "number %s needs more than %u decimal places", plain,
                                 type->decimals);
    }
    return check_range(r, type, v, out);
}

/* ---- names and strings ------------------------------------------------------------------- */

int prepay__json_enum(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    const char *s = json_string_value(value);
    if (!s) {
        return prepay__json_expected(r, "a string", value);
    }
    for (int i = 0; type->names[i]; i++) {
        if (strcmp(s, type->names[i]) == 0) {
            prepay__json_store_int(out, type->size, type->values ? type->values[i] : i);
            return PREPAY_OK;
        }
    }
    char list[256] = "", quoted[PREPAY__JSON_QUOTE_MAX + 8];
    for (int i = 0; type->names[i]; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s\"%s\"", i ? ", " : "", type->names[i]);
    }
    return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%s is not one of %s",
                             prepay__json_quote(quoted, sizeof quoted, s), list);
}

/* The string value, or an error; NONEMPTY refuses "". */
static int string_of(prepay__json_reader_t *r, const json_t *value, unsigned flags, const char **out)
{
    const char *s = json_string_value(value);
    if (!s) {
        return prepay__json_expected(r, "a string", value);
    }
    if ((flags & PREPAY__JSON_NONEMPTY) && s[0] == '\0') {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "must not be empty");
    }
    *out = s;
    return PREPAY_OK;
}

int prepay__json_string(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    const char *s = NULL;
    int status = string_of(r, value, type->flags, &s);
    if (status != PREPAY_OK || type->size == 0) {
        return status;
    }
    size_t n = json_string_length(value); /* no NUL inside: the parser refuses \u0000 */
    if (n >= type->size) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "is longer than %zu bytes", type->size - 1);
    }
    memcpy(out, s, n + 1);
    return PREPAY_OK;
}

int prepay__json_string_ref(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    const char *s = NULL;
    int status = string_of(r, value, type->flags, &s);
    if (status == PREPAY_OK) {
        memcpy(out, &s, sizeof s);
    }
    return status;
}

int prepay__json_literal(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)out;
    const char *s = json_string_value(value);
    if (!s || strcmp(s, type->names[0]) != 0) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "must be \"%s\"", type->names[0]);
    }
    return PREPAY_OK;
}

int prepay__json_bool(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    if (!json_is_boolean(value)) {
        return prepay__json_expected(r, "true or false", value);
    }
    bool b = json_is_true(value);
    memcpy(out, &b, sizeof b);
    return PREPAY_OK;
}

/* ---- dates and times (civil_time.h) ------------------------------------------------------ */

/* A string in one civil_time.h form: parse gives an int64_t, stored in size bytes; `form` names it in messages. */
static int read_civil(prepay__json_reader_t *r, const json_t *value, unsigned flags,
                      int (*parse)(const char *, size_t, int64_t *), const char *form, size_t size, void *out)
{
    const char *s = NULL;
    int64_t v = 0;
    int status = string_of(r, value, flags, &s);
    if (status == PREPAY_OK && parse(s, json_string_length(value), &v) != PREPAY_OK) {
        char quoted[PREPAY__JSON_QUOTE_MAX + 8];
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%s is not %s",
                                 prepay__json_quote(quoted, sizeof quoted, s), form);
    }
    if (status == PREPAY_OK) {
        prepay__json_store_int(out, size, v);
    }
    return status;
}

static int parse_date(const char *text, size_t len, int64_t *out)
{
    prepay_days_t day = 0;
    int status = prepay_time_parse_date(text, len, &day);
    *out = day;
    return status;
}

int prepay__json_date(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    return read_civil(r, value, type->flags, parse_date, "a date YYYY-MM-DD", sizeof(prepay_days_t), out);
}

int prepay__json_date_time(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    return read_civil(r, value, type->flags, prepay_time_parse_date_time, "a local time YYYY-MM-DD hh:mm[:ss]",
                      sizeof(prepay_time_t), out);
}

int prepay__json_time_of_day(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    const char *s = NULL;
    int status = string_of(r, value, 0, &s);
    if (status != PREPAY_OK) {
        return status;
    }
    bool minutes = (type->flags & PREPAY__JSON_MINUTES) != 0;
    bool end = (type->flags & PREPAY__JSON_END_OF_DAY) != 0;
    size_t len = json_string_length(value);
    int32_t second = 0;
    if ((minutes && len != 5) || prepay_time_parse_time_of_day(s, len, end, &second) != PREPAY_OK) {
        char quoted[PREPAY__JSON_QUOTE_MAX + 8];
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%s is not a time of day %s (00:00..%s)",
                                 prepay__json_quote(quoted, sizeof quoted, s), minutes ? "hh:mm" : "hh:mm[:ss]",
                                 end       ? "24:00"
                                 : minutes ? "23:59"
                                           : "23:59:59");
    }
    if (minutes) {
        uint16_t minute = (uint16_t)(second / 60);
        memcpy(out, &minute, sizeof minute);
    } else {
        memcpy(out, &second, sizeof second);
    }
    return PREPAY_OK;
}
