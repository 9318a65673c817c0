/* SPDX-License-Identifier: MIT */
/*
 * prepay_cjt188_volume_read(): a 901F reply, from its bytes to litres, in one
 * call. The result is by definition that of
 *     prepay_cjt188_decode(in, in_len, PREPAY_CJT188_DI_AUTO, &frame)
 *     prepay_cjt188_reply_current(request, &frame, &current)
 *     prepay_cjt188_quantity_litres(&current.reading, &litres)
 * (fuzz/cjt188_frame_fuzzer.c compares the two on every input), with the
 * same checks in the same order, but the data is read where it lies: no
 * frame struct is filled and no 19-byte copy made, which is most of the cost
 * of the three calls for a station that polls thousands of water meters.
 *
 * The water layout (CJ/T 188-2004 table of DI 901F, L = 16H: current volume
 * XXXXXX.XX + unit, settlement-day volume XXXXXX.XX + unit, clock, ST) in m³
 * or L is decoded here; any other unit code and the heat layout (L = 2EH) go
 * through the general decoders, which define the semantics.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/bytes_internal.h"
#include "cjt188_clock_internal.h"
#include "cjt188_internal.h"
#include "prepay/cjt188.h"

/* 901F water data: the bytes after DI + SER (clause 7 table of 901F). */
enum { WATER_VALUE_SIZE = 19, AT_READING = 0, AT_SETTLEMENT = 5, AT_CLOCK = 10, AT_STATUS = 17 };

/* One XXXXXX.XX + unit field as sent, for the two units water meters use. */
typedef struct field {
    bool present;        /* false: FF digit bytes, the meter has no value */
    bool in_m3;          /* unit 2CH; otherwise 29H (L) */
    uint32_t hundredths; /* of the unit */
} field_t;

/* 1: parsed; 0: another unit, use the general decoder; PREPAY_E_CJT188_BAD_VALUE. */
static inline int field_parse(const uint8_t *in, field_t *out)
{
    const uint8_t unit = in[4];
    if (unit != PREPAY_CJT188_UNIT_M3 && unit != PREPAY_CJT188_UNIT_L) {
        return 0;
    }
    const uint32_t w = prepay__cjt188_gather32(in, 4);
    out->in_m3 = unit == PREPAY_CJT188_UNIT_M3;
    out->present = w != 0xFFFFFFFFu;
    out->hundredths = 0;
    if (!out->present) {
        return 1;
    }
    if (!prepay__cjt188_bcd_word_ok(w)) {
        return PREPAY_E_CJT188_BAD_VALUE;
    }
    out->hundredths = prepay__cjt188_bcd_word_value(w);
    return 1;
}

/* A parsed field in litres: exact or an error, as prepay_cjt188_quantity_litres(). */
static inline int field_litres(const field_t *field, prepay_energy_t *litres)
{
    if (!field->present) {
        return PREPAY_E_CJT188_ABSENT;
    }
    if (field->in_m3) {
        *litres = (prepay_energy_t)field->hundredths * 10; /* 0.01 m³ = 10 L */
        return PREPAY_OK;
    }
    if (field->hundredths % 100u != 0) {
        return PREPAY_E_CJT188_INEXACT; /* 0.15 L is not a whole litre: nothing is rounded */
    }
    *litres = (prepay_energy_t)(field->hundredths / 100u);
    return PREPAY_OK;
}

/* The general path: any unit, the heat layout. */
static int volume_general(uint8_t meter_type, const uint8_t *value, size_t value_len, prepay_cjt188_volume_t *v)
{
    prepay_cjt188_current_t c;
    int rc = prepay_cjt188_current_decode(meter_type, value, value_len, &c);
    if (rc != PREPAY_OK) {
        return rc;
    }
    rc = prepay_cjt188_quantity_litres(&c.reading, &v->litres);
    if (rc != PREPAY_OK) {
        return rc;
    }
    v->has_settlement = c.family != PREPAY_CJT188_FAMILY_HEAT &&
                        prepay_cjt188_quantity_litres(&c.settlement, &v->settlement_litres) == PREPAY_OK;
    if (!v->has_settlement) {
        v->settlement_litres = 0;
    }
    v->clock = c.clock;
    v->clock_state = c.clock_state;
    v->status = c.status;
    return PREPAY_OK;
}

/* The water layout in m³ or L; 0 when a unit needs the general path. Both
 * fields are parsed (BCD, unit) before any conversion, as the general
 * decoder does, so the errors come in its order. */
static inline int volume_water(const uint8_t *value, prepay_cjt188_volume_t *v)
{
    field_t reading, settlement;
    const uint32_t reading_bcd = prepay__cjt188_gather32(value + AT_READING, 4);
    const uint32_t settlement_bcd = prepay__cjt188_gather32(value + AT_SETTLEMENT, 4);
    const uint8_t reading_unit = value[AT_READING + 4], settlement_unit = value[AT_SETTLEMENT + 4];
    if ((reading_unit == PREPAY_CJT188_UNIT_M3 || reading_unit == PREPAY_CJT188_UNIT_L) &&
        (settlement_unit == PREPAY_CJT188_UNIT_M3 || settlement_unit == PREPAY_CJT188_UNIT_L) &&
        prepay__cjt188_bcd_wide_ok((uint64_t)settlement_bcd << 32 | reading_bcd)) {
        /* The usual reply: both volumes present (FF bytes are not BCD), one digit test for both. */
        reading.present = settlement.present = true;
        reading.in_m3 = reading_unit == PREPAY_CJT188_UNIT_M3;
        settlement.in_m3 = settlement_unit == PREPAY_CJT188_UNIT_M3;
        reading.hundredths = prepay__cjt188_bcd_word_value(reading_bcd);
        settlement.hundredths = prepay__cjt188_bcd_word_value(settlement_bcd);
    } else {
        int rc = field_parse(value + AT_READING, &reading);
        if (rc <= 0) {
            return rc;
        }
        rc = field_parse(value + AT_SETTLEMENT, &settlement);
        if (rc <= 0) {
            return rc;
        }
    }
    int rc;
    rc = field_litres(&reading, &v->litres);
    if (rc != PREPAY_OK) {
        return rc;
    }
    v->has_settlement = field_litres(&settlement, &v->settlement_litres) == PREPAY_OK;
    if (!v->has_settlement) {
        v->settlement_litres = 0;
    }
    prepay_time_t clock = 0;
    v->clock_state = (uint8_t)prepay__cjt188_clock_read(value + AT_CLOCK, &clock);
    v->clock = clock;
    v->status = (uint16_t)(value[AT_STATUS] | value[AT_STATUS + 1] << 8);
    return 1;
}

int prepay_cjt188_volume_read(const prepay_cjt188_frame_t *request, const uint8_t *in, size_t in_len,
                              prepay_cjt188_volume_t *out)
{
    if (!request || !in || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Frame layer: the one of prepay_cjt188_decode(). */
    size_t pos, length;
    int found = prepay__cjt188_frame_find(in, in_len, &pos, &length);
    if (found != PREPAY_OK) {
        return found;
    }
    const uint8_t *f = in + pos;
    const size_t frame_len = PREPAY_CJT188_OVERHEAD + length;
    const uint8_t *data = f + PREPAY__CJT188_AT_DATA;
    prepay__cjt188_derived_t d;
    int rc;
    if (f[PREPAY__CJT188_AT_CONTROL] == (PREPAY_CJT188_CONTROL_REPLY | PREPAY_CJT188_FN_READ) &&
        length == PREPAY_CJT188_DI_SER_SIZE + WATER_VALUE_SIZE &&
        ((data[0] == 0x90 && data[1] == 0x1F) || (data[0] == 0x1F && data[1] == 0x90))) {
        /* The usual reply, 901F in either order: what prepay__cjt188_derive() finds, without its
         * general DI recognition (no DI of the 2004 set is another one's byte swap). */
        d.function = PREPAY_CJT188_FN_READ;
        d.is_reply = true;
        d.abnormal = false;
        d.di_order = data[0] == 0x90 ? (uint8_t)PREPAY_CJT188_DI_HIGH_FIRST : (uint8_t)PREPAY_CJT188_DI_LOW_FIRST;
        d.has_di = true;
        d.di = PREPAY_CJT188_DI_CURRENT;
        d.has_ser = true;
        d.ser = data[2];
        d.has_status = false;
        d.status = 0;
    } else {
        rc = prepay__cjt188_derive(PREPAY_CJT188_DI_AUTO, f[PREPAY__CJT188_AT_CONTROL], (uint8_t)length, data, &d);
        if (rc != PREPAY_OK) {
            return rc;
        }
    }
    /* The request: as prepay_cjt188_reply_current(). */
    if (request->is_reply || !request->has_di || request->function != PREPAY_CJT188_FN_READ ||
        request->di != PREPAY_CJT188_DI_CURRENT) {
        return PREPAY_E_CJT188_BAD_REQUEST;
    }
    /* Matching: as prepay_cjt188_reply_check(). */
    if (!d.is_reply || d.function != request->function) {
        return PREPAY_E_CJT188_UNEXPECTED_REPLY;
    }
    /* Compared where it lies: a 7-byte copy to the stack first costs a
     * store-forwarding stall on the comparison's overlapping loads. */
    const uint8_t meter_type = f[PREPAY__CJT188_AT_TYPE];
    if (!prepay__cjt188_address_bytes_match(request->address.bytes, f + PREPAY__CJT188_AT_ADDRESS) ||
        (request->meter_type != PREPAY_CJT188_WILDCARD_BYTE && request->meter_type != meter_type &&
         (prepay__cjt188_meter_family(request->meter_type) == PREPAY_CJT188_FAMILY_UNKNOWN ||
          prepay__cjt188_meter_family(request->meter_type) != prepay__cjt188_meter_family(meter_type)))) {
        return PREPAY_E_CJT188_ADDRESS_MISMATCH;
    }
    if (!d.has_ser || d.ser != request->ser) {
        return PREPAY_E_CJT188_SER_MISMATCH;
    }
    if (d.abnormal) {
        memset(out, 0, sizeof *out);
        out->status = d.status;
        out->meter_type = meter_type;
        return PREPAY_E_CJT188_ABNORMAL;
    }
    if (d.di != request->di) {
        return PREPAY_E_CJT188_DI_MISMATCH;
    }
    /* The value: as prepay_cjt188_current_decode() and _quantity_litres(). */
    const uint8_t *value = data + PREPAY_CJT188_DI_SER_SIZE;
    const size_t value_len = length - PREPAY_CJT188_DI_SER_SIZE;
    const prepay_cjt188_family_t family = prepay__cjt188_meter_family(meter_type);
    prepay_cjt188_volume_t v;
    rc = 0;
    if (value_len == WATER_VALUE_SIZE && family != PREPAY_CJT188_FAMILY_HEAT) {
        rc = volume_water(value, &v);
    }
    if (rc == 0) {
        rc = volume_general(meter_type, value, value_len, &v);
        if (rc == PREPAY_OK) {
            rc = 1;
        }
    }
    if (rc < 0) {
        return rc;
    }
    /* Member by member: a struct copy loads 16 bytes over the byte-sized
     * stores just made (a store-forwarding stall, a third of the call). */
    out->litres = v.litres;
    out->settlement_litres = v.settlement_litres;
    out->clock = v.clock;
    out->status = v.status;
    out->clock_state = v.clock_state;
    out->meter_type = meter_type;
    out->has_settlement = v.has_settlement;
    return (int)(pos + frame_len);
}
