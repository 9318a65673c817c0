/* SPDX-License-Identifier: MIT */
/*
 * Voltage qualification over DL/T 645: the 0310xxxx statistics entries and
 * the limit parameters.
 *
 * Entry layout (27 bytes), DL/T 645-2007 appendix A.4 "电压合格率统计数据"
 * as reproduced by a public meter firmware (exact-string index file id
 * 58115167047, LEN_VoltQlty: (total, A, B, C) x (monitoring time 3 +
 * qualified rate 3 + over-limit rate 3 + minutes above 3 + minutes below 3 +
 * highest voltage 2 + its time 4 + lowest voltage 2 + its time 4)) and the
 * design notes: minutes NNNNNN, rates XXXX.XX %, voltage XXX.X V, times
 * MMDDhhmm (sent mm hh DD MM). DI 0310 DI1 DI0: DI1 00 total, 01..03
 * phases A..C; DI0 00 this month, 01..0C the last months.
 * Limits: 04000E03 / 04000E04 voltage upper / lower limit (A.5), 04090C01 /
 * 04090C02 assessment upper / lower limit (State Grid 0409 items; file id
 * 35713924029 "电压考核上限/下限", XXX.X V). Which pair is the qualified
 * limit and which the assessment band is our reading of the names (verify).
 */
#include <string.h>

#include "prepay/bcd.h"
#include "prepay/voltage_qualification.h"
#include "events_internal.h"

static void put_minute_time(prepay__events_writer_t *w, prepay_time_t t)
{
    prepay_civil_t c;
    if (t == 0 || prepay_time_to_civil(t, &c) != PREPAY_OK) {
        for (int i = 0; i < 4; i++) {
            prepay__events_put_byte(w, 0);
        }
        return;
    }
    prepay__events_put_bcd(w, 1, c.minute);
    prepay__events_put_bcd(w, 1, c.hour);
    prepay__events_put_bcd(w, 1, c.day);
    prepay__events_put_bcd(w, 1, c.month);
}

int prepay_vq_read(const prepay_vq_state_t *state, const prepay_vq_params_t *params, uint32_t di, uint8_t *out,
                   size_t out_cap)
{
    if (state == NULL || params == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if ((di & 0xFFFF0000u) != 0x03100000u) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    unsigned phase = (di >> 8) & 0xFFu;
    unsigned back = di & 0xFFu;
    if (phase > PREPAY_EVENTS_PHASES || back > PREPAY_VQ_MONTHS) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    unsigned period = back == 0 ? (unsigned)PREPAY_VQ_THIS_MONTH : (unsigned)PREPAY_VQ_LAST_MONTH + back - 1u;
    prepay_vq_stats_t st;
    int status = prepay_vq_stats(state, params, period, phase, &st);
    if (status != PREPAY_OK) {
        return status;
    }
    uint32_t qualified = 0, over = 0;
    (void)prepay_vq_rates(&st, &qualified, &over);
    prepay__events_writer_t w = {out, out_cap, 0, PREPAY_OK};
    prepay__events_put_bcd(&w, 3, st.monitored);
    prepay__events_put_bcd(&w, 3, qualified);
    prepay__events_put_bcd(&w, 3, over);
    prepay__events_put_bcd(&w, 3, st.over_upper);
    prepay__events_put_bcd(&w, 3, st.under_lower);
    prepay__events_put_bcd(&w, 2, st.max_voltage);
    put_minute_time(&w, st.max_time);
    prepay__events_put_bcd(&w, 2, st.min_voltage);
    put_minute_time(&w, st.min_time);
    return w.status != PREPAY_OK ? w.status : (int)w.at;
}

static int get_bcd(const uint8_t *in, size_t len, uint64_t *out)
{
    return prepay_bcd_decode(in, len, out) == PREPAY_OK ? PREPAY_OK : PREPAY_E_EVENTS_BAD_DATA;
}

static int get_minute_time(const uint8_t *in, int32_t year, prepay_record_time_t *out)
{
    if (in[0] == 0 && in[1] == 0 && in[2] == 0 && in[3] == 0) {
        *out = 0;
        return PREPAY_OK;
    }
    uint8_t v[4];
    for (int i = 0; i < 4; i++) {
        if (prepay_bcd_decode_byte(in[i], &v[i]) != PREPAY_OK) {
            return PREPAY_E_EVENTS_BAD_DATA;
        }
    }
    prepay_civil_t c;
    memset(&c, 0, sizeof c);
    c.year = year;
    c.month = v[3];
    c.day = v[2];
    c.hour = v[1];
    c.minute = v[0];
    prepay_time_t t;
    if (prepay_time_from_civil(&c, &t) != PREPAY_OK || prepay__record_time(t) != t) {
        return PREPAY_E_EVENTS_BAD_DATA; /* with PREPAY_RECORD_TIME32: a year outside 2000..2135 */
    }
    *out = prepay__record_time(t);
    return PREPAY_OK;
}

int prepay_vq_decode(const uint8_t *data, size_t len, int32_t year, prepay_vq_stats_t *out, uint32_t *qualified,
                     uint32_t *over)
{
    if (data == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (len != PREPAY_VQ_ENTRY_BYTES) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    uint64_t monitored, q, o, above, below, vmax, vmin;
    prepay_vq_stats_t st;
    memset(&st, 0, sizeof st);
    if (get_bcd(data, 3, &monitored) != PREPAY_OK || get_bcd(data + 3, 3, &q) != PREPAY_OK ||
        get_bcd(data + 6, 3, &o) != PREPAY_OK || get_bcd(data + 9, 3, &above) != PREPAY_OK ||
        get_bcd(data + 12, 3, &below) != PREPAY_OK || get_bcd(data + 15, 2, &vmax) != PREPAY_OK ||
        get_bcd(data + 21, 2, &vmin) != PREPAY_OK) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    if (q > 10000 || o > 10000 || (monitored != 0 && q + o != 10000) || above + below > monitored) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    if (get_minute_time(data + 17, year, &st.max_time) != PREPAY_OK ||
        get_minute_time(data + 23, year, &st.min_time) != PREPAY_OK) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    st.monitored = (uint32_t)monitored;
    st.over_upper = (uint32_t)above;
    st.under_lower = (uint32_t)below;
    st.max_voltage = (uint16_t)vmax;
    st.min_voltage = (uint16_t)vmin;
    *out = st;
    if (qualified != NULL) {
        *qualified = (uint32_t)q;
    }
    if (over != NULL) {
        *over = (uint32_t)o;
    }
    return PREPAY_OK;
}

static PREPAY__ONE_COPY uint16_t *limit_field(prepay_vq_params_t *p, uint32_t di)
{
    switch (di) {
    case 0x04000E03u: return &p->upper_limit;
    case 0x04000E04u: return &p->lower_limit;
    case 0x04090C01u: return &p->assess_upper;
    case 0x04090C02u: return &p->assess_lower;
    default: return NULL;
    }
}

int prepay_vq_params_read(const prepay_vq_params_t *params, uint32_t di, uint8_t *out, size_t out_cap)
{
    if (params == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_vq_params_t copy = *params;
    uint16_t *field = limit_field(&copy, di);
    if (field == NULL) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    if (out_cap < 2) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    (void)prepay_bcd_encode(*field > 9999 ? 9999u : *field, out, 2);
    return 2;
}

int prepay_vq_params_write(prepay_vq_params_t *params, uint32_t di, const uint8_t *data, size_t len)
{
    if (params == NULL || data == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_vq_params_t copy = *params;
    uint16_t *field = limit_field(&copy, di);
    if (field == NULL) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    uint64_t v;
    if (len != 2 || prepay_bcd_decode(data, 2, &v) != PREPAY_OK) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    *field = (uint16_t)v;
    int status = prepay_vq_params_check(&copy);
    if (status != PREPAY_OK) {
        return status;
    }
    *params = copy;
    return PREPAY_OK;
}
