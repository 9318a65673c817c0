/* SPDX-License-Identifier: MIT */
/* Exact decimal text <-> fixed-point integers (see fixed_point.h). No libc. */
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "wide_internal.h"

#define MAX_DECIMALS 18u

int prepay_fixed_format(int64_t value, unsigned decimals, char *out, size_t out_cap)
{
    if (!out || decimals > MAX_DECIMALS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Digits are produced least significant first into a scratch buffer:
     * at most 19 digits + point + leading zeros up to 18 decimals + sign. */
    char scratch[48];
    size_t n = 0;
    uint64_t magnitude = prepay__magnitude(value);
    unsigned produced = 0;
    do {
        if (produced == decimals && decimals > 0) {
            scratch[n++] = '.';
        }
        scratch[n++] = (char)('0' + (int)(magnitude % 10u));
        magnitude /= 10u;
        produced++;
    } while (magnitude != 0 || produced <= decimals);
    if (value < 0) {
        scratch[n++] = '-';
    }
    if (n + 1 > out_cap) {
        if (out_cap > 0) {
            out[0] = '\0';
        }
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = scratch[n - 1 - i];
    }
    out[n] = '\0';
    return (int)n;
}

int prepay_fixed_parse(const char *text, size_t text_len, unsigned decimals, int64_t *out)
{
    if (!text || !out || decimals > MAX_DECIMALS || text_len == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t i = 0;
    bool negative = false;
    if (text[0] == '-' || text[0] == '+') {
        negative = text[0] == '-';
        i = 1;
    }
    uint64_t magnitude = 0;
    unsigned fraction_digits = 0;
    bool seen_point = false, seen_digit = false;
    /* The magnitude may reach 2^63 for INT64_MIN; reject anything above. */
    const uint64_t limit = (uint64_t)INT64_MAX + (negative ? 1u : 0u);
    for (; i < text_len; i++) {
        char c = text[i];
        if (c == '.') {
            if (seen_point) {
                return PREPAY_E_INVALID_ARGUMENT;
            }
            seen_point = true;
            continue;
        }
        if (c < '0' || c > '9') {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        if (seen_point && ++fraction_digits > decimals) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        seen_digit = true;
        uint64_t digit = (uint64_t)(c - '0');
        if (magnitude > (limit - digit) / 10u) {
            return PREPAY_E_OVERFLOW;
        }
        magnitude = magnitude * 10u + digit;
    }
    if (!seen_digit) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    for (; fraction_digits < decimals; fraction_digits++) {
        if (magnitude > limit / 10u) {
            return PREPAY_E_OVERFLOW;
        }
        magnitude *= 10u;
    }
    if (negative) {
        *out = magnitude == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)magnitude;
    } else {
        *out = (int64_t)magnitude;
    }
    return PREPAY_OK;
}
