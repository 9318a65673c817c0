/* SPDX-License-Identifier: MIT */
/* The tools layer: values as text, through the library's parsers and formatters (cli_text.h). */
#define _POSIX_C_SOURCE 200809L /* localtime_r */
#include "cli_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "prepay/status.h"

static const char *unknown(char buf[CLI_TEXT_MAX])
{
    memcpy(buf, "?", 2);
    return buf;
}

const char *cli_fixed_text(int64_t value, unsigned decimals, char buf[CLI_TEXT_MAX])
{
    return prepay_fixed_format(value, decimals, buf, CLI_TEXT_MAX) < 0 ? unknown(buf) : buf;
}

const char *cli_amount_text(prepay_amount_t amount, char buf[CLI_TEXT_MAX])
{
    /* value = units + nanos / 1e9 minor units; a negative value with nanos is -(|units| - 1) - (1 - nanos). */
    bool negative = amount.units < 0;
    uint64_t units = negative ? (uint64_t)(-(amount.units + 1)) + (amount.nanos == 0 ? 1u : 0u)
                              : (uint64_t)amount.units;
    uint32_t nanos = negative && amount.nanos != 0 ? 1000000000u - amount.nanos : amount.nanos;
    if (nanos >= 1000000000u) {
        return unknown(buf);
    }
    char fraction[16];
    snprintf(fraction, sizeof fraction, "%02u%09" PRIu32, (unsigned)(units % 100u), nanos);
    size_t n = strlen(fraction);
    while (n > 2 && fraction[n - 1] == '0') {
        fraction[--n] = '\0';
    }
    snprintf(buf, CLI_TEXT_MAX, "%s%" PRIu64 ".%s", negative && (units != 0 || nanos != 0) ? "-" : "", units / 100u,
             fraction);
    return buf;
}

const char *cli_time_text(prepay_time_t t, prepay_time_text_t form, char buf[CLI_TEXT_MAX])
{
    return prepay_time_format(t, form, buf, CLI_TEXT_MAX) < 0 ? unknown(buf) : buf;
}

const char *cli_date_text(prepay_days_t days, char buf[CLI_TEXT_MAX])
{
    return cli_time_text((prepay_time_t)days * PREPAY_SECONDS_PER_DAY, PREPAY_TIME_TEXT_DATE, buf);
}

const char *cli_month_day_text(unsigned month, unsigned day, char buf[CLI_TEXT_MAX])
{
    /* Through the date formatter, in a leap year so that 02-29 has a text too. */
    prepay_days_t days = 0;
    char date[CLI_TEXT_MAX];
    if (prepay_time_days_from_date(2000, month, day, &days) != PREPAY_OK) {
        return unknown(buf);
    }
    cli_date_text(days, date);
    memmove(buf, date + 5, strlen(date + 5) + 1); /* "2000-MM-DD" -> "MM-DD" */
    return buf;
}

const char *cli_time_of_day_text(int32_t seconds, bool with_seconds, char buf[CLI_TEXT_MAX])
{
    return prepay_time_format_time_of_day(seconds, with_seconds, buf, CLI_TEXT_MAX) < 0 ? unknown(buf) : buf;
}

int cli_now(prepay_time_t *out)
{
    time_t now = time(NULL);
    struct tm local;
    if (now == (time_t)-1 || localtime_r(&now, &local) == NULL) {
        return -1;
    }
    /* tm_sec may be 60 (a leap second); civil meter time has none. */
    prepay_civil_t c = {(int32_t)local.tm_year + 1900, (uint8_t)(local.tm_mon + 1), (uint8_t)local.tm_mday,
                        (uint8_t)local.tm_hour,       (uint8_t)local.tm_min,
                        (uint8_t)(local.tm_sec > 59 ? 59 : local.tm_sec), 0};
    return prepay_time_from_civil(&c, out) == PREPAY_OK ? 0 : -1;
}

/* ---- parsing -------------------------------------------------------------------------------- */

static int digit_value(char c, unsigned base)
{
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
    return v < (int)base ? v : -1;
}

/* The magnitude of digits only (after an optional 0x with CLI_NUMBER_PREFIX), at most max. */
static int parse_magnitude(const char *text, uint64_t max, unsigned flags, uint64_t *out)
{
    unsigned base = (flags & CLI_NUMBER_HEX) ? 16u : 10u;
    if ((flags & CLI_NUMBER_PREFIX) && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16u;
        text += 2;
    }
    if (*text == '\0') {
        return -1;
    }
    uint64_t v = 0;
    for (const char *p = text; *p != '\0'; p++) {
        int d = digit_value(*p, base);
        if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / base) {
            return -1;
        }
        v = v * base + (uint64_t)d;
    }
    if (v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_u64(const char *text, uint64_t max, unsigned flags, uint64_t *out)
{
    return text == NULL ? -1 : parse_magnitude(text, max, flags, out);
}

int cli_parse_int(const char *text, int64_t min, int64_t max, unsigned flags, int64_t *out)
{
    if (text == NULL || min > max) {
        return -1;
    }
    bool negative = text[0] == '-' && min < 0;
    uint64_t limit = negative ? (uint64_t)(-(min + 1)) + 1u : (max < 0 ? 0u : (uint64_t)max);
    uint64_t magnitude = 0;
    if (parse_magnitude(text + (negative ? 1 : 0), limit, flags, &magnitude) != 0) {
        return -1;
    }
    int64_t v = negative ? (magnitude == 0 ? 0 : -(int64_t)(magnitude - 1u) - 1) : (int64_t)magnitude;
    if (v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_decimal(const char *text, unsigned decimals, int64_t min, int64_t max, int64_t *out)
{
    int64_t v = 0;
    if (text == NULL || prepay_fixed_parse(text, strlen(text), decimals, &v) != PREPAY_OK || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_hex_digits(const char *text, size_t digits, uint64_t *out)
{
    if (text == NULL || digits == 0 || digits > 16 || strlen(text) != digits || text[0] == '-' ||
        (digits > 1 && (text[1] == 'x' || text[1] == 'X'))) {
        return -1;
    }
    return parse_magnitude(text, UINT64_MAX, CLI_NUMBER_HEX, out);
}

int cli_parse_hex_bytes(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int high = -1;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ',' || *p == ':') {
            if (high >= 0) {
                return -1; /* an odd number of digits within a byte */
            }
            continue;
        }
        if (high < 0 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
            p++;
            continue;
        }
        int d = digit_value(*p, 16);
        if (d < 0) {
            return -1;
        }
        if (high < 0) {
            high = d;
        } else {
            if (n >= cap || n >= (size_t)INT32_MAX) {
                return -1;
            }
            out[n++] = (uint8_t)(high << 4 | d);
            high = -1;
        }
    }
    return high >= 0 ? -1 : (int)n;
}
