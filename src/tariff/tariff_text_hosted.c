/* SPDX-License-Identifier: MIT */
/*
 * Hosted: the tariff API's text helpers (prepay/tariff_json.h): meter data
 * of any precision rounded once, exactly, and local instants in the one
 * date-time grammar of civil_time.h.
 */
#include <stdbool.h>
#include <stdint.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/tariff_json.h"

int prepay_tariff_json_parse_rounded(const char *text, size_t len, unsigned decimals, prepay_rounding_t mode,
                                     int64_t *out)
{
    if (!text || !out || decimals > 16 || len == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Keep decimals + 1 digits (the guard digit) and a sticky digit that is
     * 1 when any dropped digit is non-zero: enough to round exactly in every
     * mode. Then one prepay_i64_div_round() by 100. */
    char buf[64];
    size_t o = 0, i = 0;
    if (text[0] == '+' || text[0] == '-') {
        buf[o++] = text[0];
        i = 1;
    }
    size_t int_digits = 0;
    while (i < len && text[i] >= '0' && text[i] <= '9') {
        if (o >= 40) {
            return PREPAY_E_OVERFLOW;
        }
        buf[o++] = text[i++];
        int_digits++;
    }
    size_t frac_digits = 0;
    bool sticky = false;
    char frac[20];
    size_t keep = decimals + 1u;
    if (i < len && text[i] == '.') {
        i++;
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            if (frac_digits < keep) {
                frac[frac_digits] = text[i];
            } else if (text[i] != '0') {
                sticky = true;
            }
            frac_digits++;
            i++;
        }
        if (frac_digits == 0) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
    }
    if (i != len || int_digits == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    buf[o++] = '.';
    for (size_t k = 0; k < keep; k++) {
        buf[o++] = k < frac_digits ? frac[k] : '0';
    }
    buf[o++] = sticky ? '1' : '0';
    int64_t scaled = 0;
    int rc = prepay_fixed_parse(buf, o, decimals + 2u, &scaled);
    if (rc != PREPAY_OK) {
        return rc;
    }
    return prepay_i64_div_round(scaled, 100, mode, out);
}

int prepay_tariff_json_parse_time(const char *text, size_t len, prepay_time_t *out)
{
    return prepay_time_parse_date_time(text, len, out);
}
