/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645-2007 date and time forms (appendix A data formats YYMMDDWW,
 * hhmmss, YYMMDDhhmm, YYMMDDhhmmss), packed BCD, least significant byte
 * first, before the +0x33 link offset. Two-digit years are 2000..2099.
 */
#include "prepay/bcd.h"
#include "prepay/civil_time.h"
#include "prepay/status.h"

static int civil_in_century(prepay_time_t t, prepay_civil_t *c)
{
    int status = prepay_time_to_civil(t, c);
    if (status != PREPAY_OK) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    if (c->year < 2000 || c->year > 2099) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    return PREPAY_OK;
}

/* Writes n values (each 0..99) as BCD bytes. Values are known valid. */
static void put_bcd(uint8_t *out, const unsigned *values, int n)
{
    for (int i = 0; i < n; i++) {
        (void)prepay_bcd_encode_byte(values[i], &out[i]);
    }
}

/* Reads n BCD bytes; fails on a bad nibble. */
static int get_bcd(const uint8_t *in, uint8_t *values, int n)
{
    for (int i = 0; i < n; i++) {
        if (prepay_bcd_decode_byte(in[i], &values[i]) != PREPAY_OK) {
            return PREPAY_E_BAD_BCD;
        }
    }
    return PREPAY_OK;
}

/* Validates fields and builds the time. */
static int build(unsigned yy, unsigned month, unsigned day, unsigned hour, unsigned minute, unsigned second,
                 prepay_time_t *out)
{
    prepay_civil_t c = {(int32_t)(2000 + yy), (uint8_t)month, (uint8_t)day,
                        (uint8_t)hour,        (uint8_t)minute, (uint8_t)second, 0};
    return prepay_time_from_civil(&c, out);
}

int prepay_time_to_dlt645_date(prepay_time_t t, uint8_t out[4])
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_civil_t c;
    int status = civil_in_century(t, &c);
    if (status != PREPAY_OK) {
        return status;
    }
    const unsigned v[4] = {c.weekday, c.day, c.month, (unsigned)(c.year - 2000)};
    put_bcd(out, v, 4);
    return PREPAY_OK;
}

int prepay_time_to_dlt645_time(prepay_time_t t, uint8_t out[3])
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int32_t s = prepay_time_second_of_day(t);
    const unsigned v[3] = {(unsigned)(s % 60), (unsigned)(s / 60 % 60), (unsigned)(s / 3600)};
    put_bcd(out, v, 3);
    return PREPAY_OK;
}

int prepay_time_from_dlt645_date_and_time(const uint8_t date[4], const uint8_t *time, bool check_weekday,
                                      prepay_time_t *out)
{
    if (!date || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t d[4], hms[3] = {0, 0, 0};
    if (get_bcd(date, d, 4) != PREPAY_OK || (time && get_bcd(time, hms, 3) != PREPAY_OK)) {
        return PREPAY_E_BAD_BCD;
    }
    if (d[0] > 6) {
        return PREPAY_E_BAD_WEEKDAY;
    }
    prepay_time_t t;
    int status = build(d[3], d[2], d[1], hms[2], hms[1], hms[0], &t);
    if (status != PREPAY_OK) {
        return status;
    }
    if (check_weekday && prepay_time_weekday(prepay_time_day_of(t)) != d[0]) {
        return PREPAY_E_BAD_WEEKDAY;
    }
    *out = t;
    return PREPAY_OK;
}

/* Writes the fields ss mm hh DD MM YY of t, from field `first` on (0 = ss,
 * 1 = mm), as BCD: the 6-byte and 5-byte DL/T 645 forms share this. */
static int encode_from(prepay_time_t t, uint8_t *out, int first)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_civil_t c;
    int status = civil_in_century(t, &c);
    if (status != PREPAY_OK) {
        return status;
    }
    const unsigned v[6] = {c.second, c.minute, c.hour, c.day, c.month, (unsigned)(c.year - 2000)};
    put_bcd(out, v + first, 6 - first);
    return PREPAY_OK;
}

int prepay_time_to_dlt645_datetime(prepay_time_t t, uint8_t out[6])
{
    return encode_from(t, out, 0);
}

int prepay_time_from_dlt645_datetime(const uint8_t in[6], prepay_time_t *out)
{
    if (!in || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t v[6];
    if (get_bcd(in, v, 6) != PREPAY_OK) {
        return PREPAY_E_BAD_BCD;
    }
    return build(v[5], v[4], v[3], v[2], v[1], v[0], out);
}

int prepay_time_to_dlt645_minute(prepay_time_t t, uint8_t out[5])
{
    return encode_from(t, out, 1);
}

int prepay_time_from_dlt645_minute(const uint8_t in[5], prepay_time_t *out)
{
    if (!in || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t v[5];
    if (get_bcd(in, v, 5) != PREPAY_OK) {
        return PREPAY_E_BAD_BCD;
    }
    return build(v[4], v[3], v[2], v[1], v[0], 0, out);
}
