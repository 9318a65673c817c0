/* SPDX-License-Identifier: MIT */
/*
 * The tools layer (hosted): values as text, both ways, through the
 * library's own parsers and formatters (prepay_fixed_parse/_format,
 * prepay_time_parse_* / prepay_time_format*), so that every command reads
 * and writes numbers, dates and times by one grammar (docs/cli.md).
 */
#ifndef PREPAY_TOOL_CLI_TEXT_H
#define PREPAY_TOOL_CLI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"

/* Holds any text the formatters below write (an int64 with 18 decimals, an amount, a time). */
#define CLI_TEXT_MAX 48

/* ---- formatting (each returns buf; "?" where the value has no text) --------------------- */

/* 1234, 2 -> "12.34" (prepay_fixed_format). */
const char *cli_fixed_text(int64_t value, unsigned decimals, char buf[CLI_TEXT_MAX]);
/* An exact amount (minor units + nanos) in currency units: "12.3400000005", at least 2 decimals. */
const char *cli_amount_text(prepay_amount_t amount, char buf[CLI_TEXT_MAX]);
/* A time in one of the forms of prepay_time_format(). */
const char *cli_time_text(prepay_time_t t, prepay_time_text_t form, char buf[CLI_TEXT_MAX]);
/* A date, YYYY-MM-DD. */
const char *cli_date_text(prepay_days_t days, char buf[CLI_TEXT_MAX]);
/* A month and day, MM-DD (02-29 included). */
const char *cli_month_day_text(unsigned month, unsigned day, char buf[CLI_TEXT_MAX]);
/* Seconds of a day, hh:mm or hh:mm:ss (86400 is 24:00). */
const char *cli_time_of_day_text(int32_t seconds, bool with_seconds, char buf[CLI_TEXT_MAX]);

/* The local wall-clock time as a prepay_time_t (a leap second counts as :59). Returns 0, or -1. */
int cli_now(prepay_time_t *out);

/* ---- parsing (each returns 0, or -1 and leaves *out alone) ------------------------------ */

/* Number flags. */
#define CLI_NUMBER_HEX 1u   /* hexadecimal digits only ("1F") */
#define CLI_NUMBER_PREFIX 2u /* decimal, or hexadecimal after 0x ("0x1F") */

/* An integer in [min, max]: digits only (a '-' only when min < 0), no blanks, no suffix. */
int cli_parse_int(const char *text, int64_t min, int64_t max, unsigned flags, int64_t *out);
/* An unsigned integer in [0, max] (the full uint64_t range). */
int cli_parse_u64(const char *text, uint64_t max, unsigned flags, uint64_t *out);
/* A decimal with at most `decimals` places, exact (prepay_fixed_parse), scaled, in [min, max]. */
int cli_parse_decimal(const char *text, unsigned decimals, int64_t min, int64_t max, int64_t *out);
/* Exactly `digits` hexadecimal digits (at most 16). */
int cli_parse_hex_digits(const char *text, size_t digits, uint64_t *out);
/*
 * Bytes in hex: pairs of digits, optionally separated by blanks, ',' or ':'
 * (never inside a pair) and each optionally prefixed by 0x. Returns the
 * count, or -1 (odd digits, another character, more than cap bytes).
 */
int cli_parse_hex_bytes(const char *text, uint8_t *out, size_t cap);

#endif
