/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: civil time as text (civil_time.h), which reads dates and
 * times from untrusted JSON, CSV and command lines. Every parser runs on the
 * same bytes; none may read outside them or write its output on error. Any
 * accepted text formats back to a text that parses to the same value, and a
 * text already in a canonical form comes back byte for byte.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_status(int rc)
{
    if (rc != PREPAY_OK && rc != PREPAY_E_INVALID_ARGUMENT && rc != PREPAY_E_BAD_DATE && rc != PREPAY_E_BAD_TIME) {
        abort();
    }
}

/* An accepted instant formats and parses back; a canonical text is reproduced. */
static void round_trip(prepay_time_t t, const char *text, size_t len)
{
    static const prepay_time_text_t forms[] = {PREPAY_TIME_TEXT_DATE, PREPAY_TIME_TEXT_MINUTE, PREPAY_TIME_TEXT_SECOND,
                                               PREPAY_TIME_TEXT_ISO};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char out[PREPAY_TIME_TEXT_MAX];
        int n = prepay_time_format(t, forms[i], out, sizeof out);
        prepay_time_t back = 0;
        if (n < 0 || prepay_time_parse(out, (size_t)n, &back) != PREPAY_OK) {
            abort();
        }
        prepay_time_t kept = forms[i] == PREPAY_TIME_TEXT_DATE     ? t - prepay_time_second_of_day(t)
                             : forms[i] == PREPAY_TIME_TEXT_MINUTE ? t - prepay_time_second_of_day(t) % 60
                                                                   : t;
        bool canonical = (size_t)n == len && kept == t && text[4] == '-' && (len == 10 || text[10] == out[10]);
        if (back != kept || (canonical && memcmp(out, text, len) != 0)) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    prepay_time_t t = 42;
    int rc = prepay_time_parse(text, size, &t);
    check_status(rc);
    if (rc == PREPAY_OK) {
        round_trip(t, text, size);
    } else if (t != 42) {
        abort();
    }
    prepay_days_t day = 42;
    rc = prepay_time_parse_date(text, size, &day);
    check_status(rc);
    if ((rc != PREPAY_OK && day != 42) || (rc == PREPAY_OK && (prepay_time_parse(text, size, &t) != PREPAY_OK ||
                                                               t != (prepay_time_t)day * PREPAY_SECONDS_PER_DAY))) {
        abort();
    }
    for (int end = 0; end < 2; end++) {
        int32_t second = -7;
        rc = prepay_time_parse_time_of_day(text, size, end == 1, &second);
        check_status(rc);
        if (rc != PREPAY_OK) {
            if (second != -7) {
                abort();
            }
            continue;
        }
        char out[9];
        int n = prepay_time_format_time_of_day(second, size == 8, out, sizeof out);
        int32_t back = -1;
        if (second < 0 || second > PREPAY_SECONDS_PER_DAY || (end == 0 && second == PREPAY_SECONDS_PER_DAY) ||
            n != (int)size || memcmp(out, text, size) != 0 ||
            prepay_time_parse_time_of_day(out, (size_t)n, true, &back) != PREPAY_OK || back != second) {
            abort();
        }
    }
    uint8_t month = 0, mday = 0;
    rc = prepay_time_parse_month_day(text, size, &month, &mday);
    check_status(rc);
    if ((rc == PREPAY_OK) != (month != 0) || (rc == PREPAY_OK && (month > 12 || mday < 1 || mday > 31))) {
        abort();
    }
    return 0;
}
