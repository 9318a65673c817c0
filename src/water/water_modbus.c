/* SPDX-License-Identifier: MIT */
/*
 * Reference water meter: the meter side of Modbus RTU, as a Kaifeng Xintai
 * prepaid valve water meter (the `xintai-water` map shipped with the codec,
 * src/protocol/modbus_maps.c, from the vendor's "Water Meter MODBUS 485
 * protocol V1"): function 03 reads, 06 and 10H write.
 *
 * Register space 0000H..001DH; words the map does not describe (0000H,
 * 000FH..0019H: communication parameters, meter number and clock, whose
 * encodings are not public) read as 0 and cannot be written. FLOAT32 values
 * are encoded by the map's word order with the nearest binary32
 * (prepay_modbus_fixed_to_float()); writes must decode exactly under the
 * map's rule (litres). Authority: Modbus RTU has none; the meter answers
 * only its own unit address and ignores broadcasts (a broadcast write of
 * the remaining volume or the valve would act on every meter of the bus
 * without an answer), and the valve rules refuse forbidden opens
 * (exception 04, recorded).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/modbus.h"
#include "water_internal.h"

#define REG_FORWARD 0x0001u
#define REG_REVERSE 0x0003u
#define REG_FLOW 0x0005u
#define REG_PIPE 0x0007u
#define REG_REMAINING 0x0008u
#define REG_UNIT 0x000Eu
#define REG_BATTERY 0x001Au
#define REG_VALVE 0x001Cu
#define REG_PULSE 0x001Du

/* 0007H pipe state (vendor document): 55H empty, AAH full. */
#define PIPE_EMPTY 0x55u
#define PIPE_FULL 0xAAu
/* 001CH read bits and write values (vendor document). */
#define VALVE_BIT_OPEN 0x01u
#define VALVE_BIT_CLOSED 0x02u
#define VALVE_BIT_ABNORMAL 0x04u
#define VALVE_BIT_BATTERY_LOW 0x08u
#define VALVE_WRITE_OPEN 1u
#define VALVE_WRITE_CLOSE 2u

static const prepay_modbus_register_t *reg_at(const prepay_modbus_map_t *map, uint16_t address)
{
    for (size_t i = 0; map != NULL && i < map->count; i++) {
        if (map->registers[i].address == address) {
            return &map->registers[i];
        }
    }
    return (const prepay_modbus_register_t *)0;
}

/* Words [from, to) of the register image being built for one read. */
typedef struct image {
    const prepay_modbus_map_t *map;
    uint16_t *words;
    unsigned from;
    unsigned to;
} image_t;

/* Writes a fixed-point value as the map's FLOAT32 (nearest binary32) into two words, if the read covers them. */
static void put_float(const image_t *im, uint16_t address, int64_t value)
{
    if (address + 2u <= im->from || address >= im->to) {
        return; /* not read: no need to convert */
    }
    uint16_t *words = im->words;
    const prepay_modbus_register_t *reg = reg_at(im->map, address);
    uint32_t bits;
    if (!reg || prepay_modbus_fixed_to_float(value, reg->exponent, &bits) != PREPAY_OK) {
        return; /* leaves 0 */
    }
    prepay_modbus_register_t raw = *reg; /* the same word order, as a plain 32-bit pattern */
    raw.type = PREPAY_MODBUS_TYPE_UINT32;
    raw.exponent = 0;
    (void)prepay_modbus_value_encode(&raw, (int64_t)bits, &words[address], 2);
}

static uint16_t valve_bits(const prepay_water_meter_t *meter)
{
    unsigned v;
    if (meter->conditions & (1u << PREPAY_WATER_CONDITION_VALVE_STUCK)) {
        v = VALVE_BIT_ABNORMAL;
    } else {
        v = meter->holds != 0 ? VALVE_BIT_CLOSED : VALVE_BIT_OPEN;
    }
    if (meter->conditions & (1u << PREPAY_WATER_CONDITION_LOW_BATTERY)) {
        v |= VALVE_BIT_BATTERY_LOW;
    }
    return (uint16_t)v;
}

static void image(const prepay_water_meter_t *meter, const image_t *im)
{
    uint16_t *words = im->words;
    memset(words, 0, PREPAY_WATER_MODBUS_REGISTERS * sizeof words[0]);
    put_float(im, REG_FORWARD, meter->volume);
    put_float(im, REG_REVERSE, meter->reverse_volume);
    put_float(im, REG_FLOW, meter->flow_lph);
    words[REG_PIPE] = (meter->conditions & (1u << PREPAY_WATER_CONDITION_PIPE_EMPTY)) ? PIPE_EMPTY : PIPE_FULL;
    if (meter->mode == PREPAY_WATER_MODE_VOLUME) {
        put_float(im, REG_REMAINING, meter->balance);
    }
    words[REG_UNIT] = meter->modbus_unit;
    put_float(im, REG_BATTERY, meter->battery_mv);
    words[REG_VALVE] = valve_bits(meter);
    words[REG_PULSE] = meter->pulse_coefficient;
}

/* Most registers one write can cover: the longest run of writable registers
 * without a gap in the map is two (0001H-0004H, 001CH-001DH). */
#define MAX_WRITE_OPS 4u

/* One validated write. */
typedef struct write_op {
    uint16_t address;
    int64_t value;
} write_op_t;

/* Checks one register write (decoded value) without acting; returns an exception code or 0. */
static uint8_t check_write(const prepay_water_meter_t *meter, const prepay_modbus_register_t *reg, const uint16_t *words,
                           write_op_t *op)
{
    int64_t v;
    if (prepay_modbus_value_decode(reg, words, prepay_modbus_type_words(reg->type), &v) != PREPAY_OK) {
        return PREPAY_MODBUS_EX_ILLEGAL_VALUE; /* not exact litres, NaN, ... */
    }
    op->address = reg->address;
    op->value = v;
    switch (reg->address) {
    case REG_FORWARD:
    case REG_REVERSE:
        return v < 0 || v > PREPAY_WATER_MAX_AMOUNT ? PREPAY_MODBUS_EX_ILLEGAL_VALUE : 0;
    case REG_REMAINING:
        if (v < 0 || v > PREPAY_WATER_MAX_AMOUNT || (meter->hoarding_limit > 0 && v > meter->hoarding_limit)) {
            return PREPAY_MODBUS_EX_ILLEGAL_VALUE;
        }
        return 0;
    case REG_UNIT:
        return v < 1 || v > PREPAY_MODBUS_UNIT_MAX ? PREPAY_MODBUS_EX_ILLEGAL_VALUE : 0;
    case REG_VALVE:
        if (v != VALVE_WRITE_OPEN && v != VALVE_WRITE_CLOSE) {
            return PREPAY_MODBUS_EX_ILLEGAL_VALUE;
        }
        return v == VALVE_WRITE_OPEN && prepay__water_blocking(meter, PREPAY_WATER_ACTOR_STATION) != 0
                   ? PREPAY_MODBUS_EX_DEVICE_FAILURE
                   : 0;
    case REG_PULSE:
        return v < 1 ? PREPAY_MODBUS_EX_ILLEGAL_VALUE : 0;
    default:
        return PREPAY_MODBUS_EX_ILLEGAL_ADDRESS;
    }
}

static void apply(prepay_water_meter_t *meter, const write_op_t *op)
{
    switch (op->address) {
    case REG_FORWARD:
        meter->volume = op->value;
        break;
    case REG_REVERSE:
        meter->reverse_volume = op->value;
        break;
    case REG_REMAINING:
        (void)prepay_water_meter_set_balance(meter, meter->clock, op->value); /* checked by check_write() */
        return;
    case REG_UNIT:
        meter->modbus_unit = (uint8_t)op->value;
        break;
    case REG_VALVE:
        (void)prepay_water_meter_valve(meter, meter->clock, PREPAY_WATER_ACTOR_STATION, op->value == VALVE_WRITE_OPEN);
        return;
    default: /* REG_PULSE */
        meter->pulse_coefficient = (uint16_t)op->value;
        break;
    }
    prepay__water_event(meter, PREPAY_WATER_EVENT_PROGRAMMING, op->address, 1);
}

/* Validates a write of `count` words at `address` (06: one word; 10H: whole registers). */
static uint8_t plan_writes(const prepay_water_meter_t *meter, const prepay_modbus_map_t *map, uint16_t address,
                           const uint16_t *words, size_t count, write_op_t *ops, size_t *op_count)
{
    size_t n = 0;
    for (size_t at = 0; at < count;) {
        const prepay_modbus_register_t *reg = reg_at(map, (uint16_t)(address + at));
        if (!reg || !reg->writable || n == MAX_WRITE_OPS || at + prepay_modbus_type_words(reg->type) > count ||
            (reg->address == REG_REMAINING && meter->mode != PREPAY_WATER_MODE_VOLUME)) {
            return PREPAY_MODBUS_EX_ILLEGAL_ADDRESS;
        }
        uint8_t ex = check_write(meter, reg, words + at, &ops[n]);
        if (ex != 0) {
            return ex;
        }
        n++;
        at += prepay_modbus_type_words(reg->type);
    }
    *op_count = n;
    return 0;
}

static int respond(const prepay_modbus_adu_t *rsp, uint8_t *reply, size_t reply_cap)
{
    return prepay_modbus_encode(rsp, reply, reply_cap);
}

int prepay_water_meter_handle_modbus(prepay_water_meter_t *meter, prepay_time_t now, const uint8_t *request,
                                     size_t request_len, uint8_t *reply, size_t reply_cap)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (!request || !reply) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (reply_cap < PREPAY_WATER_MODBUS_REPLY_MAX) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay_modbus_adu_t req, rsp;
    if (prepay_modbus_decode(request, request_len, PREPAY_MODBUS_REQUEST, &req) != PREPAY_OK ||
        req.unit != meter->modbus_unit || req.is_exception) {
        return 0; /* malformed, another unit's, or a broadcast */
    }
    const prepay_modbus_map_t *map = prepay_modbus_map_by_name("xintai-water");
    prepay_modbus_request_t r;
    uint8_t ex = 0;
    if (prepay_modbus_parse_request(&req, &r) != PREPAY_OK) {
        ex = PREPAY_MODBUS_EX_ILLEGAL_FUNCTION;
    } else if (r.function == PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS) {
        const bool covers_remaining = r.address <= REG_REMAINING + 1u && r.address + r.quantity > REG_REMAINING;
        if ((uint32_t)r.address + r.quantity > PREPAY_WATER_MODBUS_REGISTERS ||
            (covers_remaining && meter->mode != PREPAY_WATER_MODE_VOLUME)) {
            ex = PREPAY_MODBUS_EX_ILLEGAL_ADDRESS;
        } else {
            uint16_t words[PREPAY_WATER_MODBUS_REGISTERS];
            const image_t im = {map, words, r.address, (unsigned)r.address + r.quantity};
            prepay__water_run_time(meter, now);
            image(meter, &im);
            if ((rc = prepay_modbus_response_build(&rsp, &req, words + r.address, NULL)) != PREPAY_OK) {
                return rc;
            }
            return respond(&rsp, reply, reply_cap);
        }
    } else if (r.function == PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER ||
               r.function == PREPAY_MODBUS_FN_WRITE_MULTIPLE_REGISTERS) {
        uint16_t words[PREPAY_WATER_MODBUS_REGISTERS];
        size_t count = r.quantity;
        if ((uint32_t)r.address + count > PREPAY_WATER_MODBUS_REGISTERS) {
            ex = PREPAY_MODBUS_EX_ILLEGAL_ADDRESS;
        } else {
            if (r.function == PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER) {
                words[0] = r.value;
            } else {
                for (size_t i = 0; i < count; i++) {
                    words[i] = (uint16_t)(r.payload[2 * i] << 8 | r.payload[2 * i + 1]);
                }
            }
            /* Time passes first (timers may change what the valve rules allow), then every
             * register is checked before any is written: a refused write changes nothing. */
            prepay__water_run_time(meter, now);
            write_op_t ops[MAX_WRITE_OPS];
            size_t op_count = 0;
            ex = plan_writes(meter, map, r.address, words, count, ops, &op_count);
            if (ex == PREPAY_MODBUS_EX_DEVICE_FAILURE) {
                prepay__water_event(meter, PREPAY_WATER_EVENT_OPEN_REFUSED,
                                    prepay__water_blocking(meter, PREPAY_WATER_ACTOR_STATION),
                                    PREPAY_WATER_ACTOR_STATION);
            }
            if (ex == 0) {
                for (size_t i = 0; i < op_count; i++) {
                    apply(meter, &ops[i]);
                }
                if ((rc = prepay_modbus_response_build(&rsp, &req, NULL, NULL)) != PREPAY_OK) {
                    return rc;
                }
                return respond(&rsp, reply, reply_cap);
            }
        }
    } else {
        ex = PREPAY_MODBUS_EX_ILLEGAL_FUNCTION;
    }
    if ((rc = prepay_modbus_response_exception(&rsp, &req, ex)) != PREPAY_OK) {
        return rc;
    }
    return respond(&rsp, reply, reply_cap);
}
