/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: answers DL/T 645-1997 reads (function 01) as a
 * meter that speaks both editions does, for the items station software
 * still reads from 1997 meters: energy 9010..9014 / 9020..9024 (blocks
 * 901F / 902F), voltage B611..B613, current B621..B623, active power
 * B630..B633, power factor B650..B653 (blocks B61F..B65F), date C010, time
 * C011, meter number C032, settlement day C117, programming and demand-clear
 * counts B212 / B213. Formats as the 1997 catalogue (dlt645_catalogue_table.c):
 * voltage XXX V, current XX.XX A, power XX.XXXX kW, power factor X.XXX, all
 * unsigned in 1997 (magnitudes are sent). Values come from the same state as
 * the 2007 items; scaled values are rounded half-up.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "prepay/dlt645_di.h"
#include "meter_internal.h"

/* DL/T 645-1997 reply control codes (clause 7.1.3 of the 1997 edition: D7 = reply, D6 = abnormal). */
#define REPLY_READ_1997 0x81u
#define REPLY_ABNORMAL_1997 0xC0u

/* Largest value of n BCD bytes. */
static uint64_t bcd_max(size_t bytes)
{
    uint64_t max = 1;
    for (size_t i = 0; i < bytes * 2u; i++) {
        max *= 10u;
    }
    return max - 1u;
}

/* Where the reply's values go: the buffer and the bytes written so far (one pointer, so that
 * each put_*() call passes its arguments in registers on a 32-bit target). */
typedef struct cursor {
    uint8_t *out;
    size_t cap;
    size_t at;
} cursor_t;

/* Magnitude of value / divisor, half-up, clamped to n BCD bytes, appended. */
static int put_scaled(cursor_t *c, size_t bytes, int64_t value, int32_t divisor)
{
    if (c->at + bytes > c->cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    int64_t magnitude = value < 0 ? -(value + 1) + 1 : value;
    int64_t scaled;
    if (prepay_i64_div_round(magnitude, divisor, PREPAY_ROUND_HALF_UP, &scaled) != PREPAY_OK) {
        return PREPAY_E_OVERFLOW;
    }
    uint64_t v = (uint64_t)scaled;
    if (v > bcd_max(bytes)) {
        v = bcd_max(bytes);
    }
    (void)prepay_bcd_encode(v, c->out + c->at, bytes);
    c->at += bytes;
    return PREPAY_OK;
}

/* A 2007 item's bytes appended as they are (same format in both editions). */
static int put_2007(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    int n = prepay_meter_read(meter, di, c->out + c->at, c->cap - c->at);
    if (n < 0) {
        return n;
    }
    c->at += (size_t)n;
    return PREPAY_OK;
}

/* Energy register 90k0 + t: kind 1 forward, 2 reverse; tariff t beyond the meter's is absent (FF). */
static int put_energy(const prepay_meter_t *meter, unsigned kind, unsigned tariff, cursor_t *c)
{
    int status = put_2007(meter, PREPAY_DI_ENERGY(kind, tariff, 0), c);
    if (status == PREPAY_E_NOT_FOUND && tariff > 0) {
        if (c->at + 4u > c->cap) {
            return PREPAY_E_BUFFER_TOO_SMALL;
        }
        memset(c->out + c->at, 0xFF, 4);
        c->at += 4;
        return PREPAY_OK;
    }
    return status;
}

/* One instantaneous item of phase p (0 total where one exists) for group g = B6g_. */
static int put_instant(const prepay_meter_t *meter, unsigned group, unsigned phase, cursor_t *c)
{
    const prepay_meter_instant_t *in = &meter->instant;
    switch (group) {
    case 0x1: /* B61p voltage XXX V (2 bytes) from 0.1 V */
        return phase >= 1 && phase <= PREPAY_METER_PHASES ? put_scaled(c, 2, in->voltage[phase - 1u], 10)
                                                          : PREPAY_E_NOT_FOUND;
    case 0x2: /* B62p current XX.XX A (2 bytes) from mA */
        return phase >= 1 && phase <= PREPAY_METER_PHASES ? put_scaled(c, 2, in->current[phase - 1u], 10)
                                                          : PREPAY_E_NOT_FOUND;
    case 0x3: /* B63p active power XX.XXXX kW (3 bytes) from 0.1 W = 1e-4 kW */
        return phase <= PREPAY_METER_PHASES ? put_scaled(c, 3, in->power[phase], 1) : PREPAY_E_NOT_FOUND;
    case 0x5: /* B65p power factor X.XXX (2 bytes) from 0.001 */
        return phase <= 3 ? put_scaled(c, 2, in->power_factor[phase], 1) : PREPAY_E_NOT_FOUND;
    default:
        return PREPAY_E_NOT_FOUND;
    }
}

/* The value of a 1997 DI (or a 1997 block: low digit F), appended to out. */
static int read_1997(const prepay_meter_t *meter, uint16_t di, cursor_t *c)
{
    unsigned high = di >> 4;
    unsigned low = di & 0x0Fu;
    if (high == 0x901u || high == 0x902u) {
        unsigned kind = high == 0x901u ? 1u : 2u;
        if (low == 0xFu) {
            for (unsigned t = 0; t <= 4; t++) {
                int status = put_energy(meter, kind, t, c);
                if (status != PREPAY_OK) {
                    return status;
                }
            }
            return PREPAY_OK;
        }
        return low <= 4 ? put_energy(meter, kind, low, c) : PREPAY_E_NOT_FOUND;
    }
    if ((di & 0xFF00u) == 0xB600u) {
        unsigned group = (di >> 4) & 0x0Fu;
        if (low == 0xFu) {
            bool has_total = group == 0x3 || group == 0x5;
            for (unsigned p = has_total ? 0u : 1u; p <= 3; p++) {
                int status = put_instant(meter, group, p, c);
                if (status != PREPAY_OK) {
                    return status;
                }
            }
            return PREPAY_OK;
        }
        return put_instant(meter, group, low, c);
    }
    switch (di) {
    case 0xC010u:
        return put_2007(meter, PREPAY_DI_DATE, c);
    case 0xC011u:
        return put_2007(meter, PREPAY_DI_TIME, c);
    case 0xC032u: /* meter number: the communication address, as 1997 meters report it */
        return put_2007(meter, PREPAY_DI_ADDRESS, c);
    case 0xC117u:
        return put_2007(meter, PREPAY_DI_SETTLEMENT_DAY_1, c);
    case 0xB212u:
        return put_scaled(c, 2, meter->event_counts[PREPAY_METER_EVENT_PROGRAMMING], 1);
    case 0xB213u:
        return put_scaled(c, 2, meter->event_counts[PREPAY_METER_EVENT_CLEAR_DEMAND], 1);
    default:
        return PREPAY_E_NOT_FOUND;
    }
}

static int reply_1997(const prepay_meter_t *meter, uint8_t control, const uint8_t *data, size_t len, uint8_t *out,
                      size_t cap)
{
    prepay_dlt645_frame_t frame;
    int status = prepay_dlt645_frame_init(&frame, PREPAY_DLT645_EDITION_1997, &meter->address, control, data, len);
    if (status != PREPAY_OK) {
        return status;
    }
    return prepay_dlt645_encode(&frame, out, cap);
}

int prepay__meter_handle_1997(prepay_meter_t *meter, prepay_time_t now, const prepay_dlt645_frame_t *req,
                              uint8_t *reply, size_t reply_cap)
{
    /* Reads only, to this meter's address or with AA wildcards (as 2007 reads). */
    if (prepay_dlt645_address_is_broadcast(&req->address) ||
        !prepay_dlt645_address_matches(&req->address, &meter->address)) {
        return 0;
    }
    uint8_t error_byte = PREPAY_DLT645_ERROR_OTHER;
    if (req->function == PREPAY_DLT645_1997_FN_READ && req->length == PREPAY_DLT645_DI_SIZE_1997) {
        prepay__meter_catch_up(meter, now);
        uint8_t data[PREPAY_DLT645_MAX_DATA > 32 ? PREPAY_DLT645_MAX_DATA : 32];
        cursor_t c = {data, sizeof data, PREPAY_DLT645_DI_SIZE_1997};
        memcpy(data, req->data, PREPAY_DLT645_DI_SIZE_1997);
        int status = read_1997(meter, (uint16_t)req->di, &c);
        if (status == PREPAY_OK) {
            return reply_1997(meter, REPLY_READ_1997, data, c.at, reply, reply_cap);
        }
        if (status == PREPAY_E_BUFFER_TOO_SMALL) {
            return status;
        }
        error_byte = PREPAY_DLT645_ERROR_NO_DATA;
    } else if (req->function == PREPAY_DLT645_1997_FN_READ_FOLLOW_UP) {
        error_byte = PREPAY_DLT645_ERROR_NO_DATA; /* every 1997 reply fits one frame */
    } else if (prepay_dlt645_address_is_wildcard(&req->address)) {
        return 0; /* only reads are answered through wildcards */
    }
    return reply_1997(meter, (uint8_t)(REPLY_ABNORMAL_1997 | req->function), &error_byte, 1, reply, reply_cap);
}
