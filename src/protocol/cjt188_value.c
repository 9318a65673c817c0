/* SPDX-License-Identifier: MIT */
/*
 * CJ/T 188 typed values: BCD quantities with unit codes, the 7-byte clock,
 * the status word ST, and the data layouts of 901F (current data), 8102 /
 * A010 (price table) and 8105 (purse), as CJ/T 188-2004's read-data tables
 * give them:
 *   901F water/gas/custom (L = 16H): current volume XXXXXX.XX + unit,
 *     settlement-day volume XXXXXX.XX + unit, clock ss mm hh DD MM YYYY, ST;
 *   901F heat (L = 2EH): settlement-day heat, current heat, heat power
 *     (XXXXXX.XX + unit each), flow XXXX.XXXX + unit, cumulative volume
 *     XXXXXX.XX + unit, supply and return temperature XXXX.XX, working time
 *     XXXXXX h, clock, ST;
 *   8102: price 1 (XXXX.XX), volume 1 (XXXXXX), price 2, volume 2, price 3;
 *   8105: purchase serial, this purchase, total purchased, remaining amount
 *     (XXXXXX.XX yuan each), ST.
 * Multi-byte fields are sent low byte first (clause 6, transmission order).
 * Values convert exactly or not at all: nothing is rounded here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/civil_time_internal.h"
#include "cjt188_clock_internal.h"
#include "cjt188_internal.h"
#include "prepay/civil_time.h"
#include "prepay/cjt188.h"

static const int64_t pow10_table[19] = {1,
                                        10,
                                        100,
                                        1000,
                                        10000,
                                        100000,
                                        1000000,
                                        10000000,
                                        100000000,
                                        1000000000,
                                        10000000000,
                                        100000000000,
                                        1000000000000,
                                        10000000000000,
                                        100000000000000,
                                        1000000000000000,
                                        10000000000000000,
                                        100000000000000000,
                                        1000000000000000000};

/* INT64_MAX / 10^k, so that overflow checks need no division. */
static const int64_t int64_max_over_pow10[19] = {9223372036854775807LL, 922337203685477580LL, 92233720368547758LL, 9223372036854775LL, 922337203685477LL, 92233720368547LL, 9223372036854LL, 922337203685LL, 92233720368LL, 9223372036LL, 922337203LL, 92233720LL, 9223372LL, 922337LL, 92233LL, 9223LL, 922LL, 92LL, 9LL};

bool prepay__cjt188_bcd_get(const uint8_t *in, size_t n, uint64_t *out)
{
    return prepay__cjt188_bcd_read(in, n, out);
}

bool prepay__cjt188_bcd_put(uint64_t value, uint8_t *out, size_t n)
{
    uint8_t tmp[9];
    for (size_t i = 0; i < n; i++) {
        unsigned pair = (unsigned)(value % 100u);
        value /= 100u;
        tmp[i] = (uint8_t)((pair / 10u) << 4 | (pair % 10u));
    }
    if (value != 0) {
        return false;
    }
    memcpy(out, tmp, n);
    return true;
}

/* Dimension and power of ten of each unit code (2004 unit table), indexed
 * by the code; dimension 0: not a unit. */
typedef struct unit_info {
    uint8_t dimension;
    uint8_t exponent;
} unit_info_t;

enum { DIM_NONE = 0, DIM_JOULE, DIM_WATT_HOUR, DIM_POWER, DIM_VOLUME, DIM_FLOW };

static const unit_info_t units[0x36] = {
    [PREPAY_CJT188_UNIT_J] = {DIM_JOULE, 0},          [PREPAY_CJT188_UNIT_KJ] = {DIM_JOULE, 3},
    [PREPAY_CJT188_UNIT_MJ] = {DIM_JOULE, 6},         [PREPAY_CJT188_UNIT_GJ] = {DIM_JOULE, 9},
    [PREPAY_CJT188_UNIT_GJ_100] = {DIM_JOULE, 11},    [PREPAY_CJT188_UNIT_WH] = {DIM_WATT_HOUR, 0},
    [PREPAY_CJT188_UNIT_KWH] = {DIM_WATT_HOUR, 3},    [PREPAY_CJT188_UNIT_MWH] = {DIM_WATT_HOUR, 6},
    [PREPAY_CJT188_UNIT_MWH_100] = {DIM_WATT_HOUR, 8}, [PREPAY_CJT188_UNIT_W] = {DIM_POWER, 0},
    [PREPAY_CJT188_UNIT_KW] = {DIM_POWER, 3},         [PREPAY_CJT188_UNIT_MW] = {DIM_POWER, 6},
    [PREPAY_CJT188_UNIT_L] = {DIM_VOLUME, 0},         [PREPAY_CJT188_UNIT_M3] = {DIM_VOLUME, 3},
    [PREPAY_CJT188_UNIT_L_PER_H] = {DIM_FLOW, 0},     [PREPAY_CJT188_UNIT_M3_PER_H] = {DIM_FLOW, 3},
};

static const unit_info_t *find_unit(uint8_t code)
{
    return code < sizeof units / sizeof units[0] && units[code].dimension != DIM_NONE ? &units[code]
                                                                                       : (const unit_info_t *)0;
}

static bool all_bytes(const uint8_t *in, size_t n, uint8_t value)
{
    for (size_t i = 0; i < n; i++) {
        if (in[i] != value) {
            return false;
        }
    }
    return true;
}

/* The quantity decoder proper (inlined into the 901F decoder). */
static inline int quantity_read(const uint8_t *in, size_t digits_len, uint8_t decimals, bool with_unit,
                                prepay_cjt188_quantity_t *out)
{
    prepay_cjt188_quantity_t q = {false, 0, decimals, 0};
    if (with_unit) {
        q.unit = in[digits_len];
    }
    if (digits_len == 4 ? prepay__cjt188_gather32(in, 4) == 0xFFFFFFFFu : all_bytes(in, digits_len, 0xFF)) {
        *out = q; /* absent: the meter has no value for this field (its unit byte is kept as sent) */
        return PREPAY_OK;
    }
    uint64_t v;
    if (!prepay__cjt188_bcd_read(in, digits_len, &v)) {
        return PREPAY_E_CJT188_BAD_VALUE;
    }
    if (with_unit && !find_unit(q.unit)) {
        return PREPAY_E_CJT188_BAD_UNIT;
    }
    q.present = true;
    q.value = (int64_t)v; /* at most 16 digits: fits */
    *out = q;
    return PREPAY_OK;
}

int prepay_cjt188_quantity_decode(const uint8_t *in, size_t digits_len, uint8_t decimals, bool with_unit,
                                  prepay_cjt188_quantity_t *out)
{
    if (!in || !out || digits_len < 1 || digits_len > 8) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return quantity_read(in, digits_len, decimals, with_unit, out);
}

int prepay_cjt188_quantity_encode(const prepay_cjt188_quantity_t *quantity, size_t digits_len, bool with_unit,
                                  uint8_t *out)
{
    if (!quantity || !out || digits_len < 1 || digits_len > 8) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t tmp[9];
    if (!quantity->present) {
        memset(tmp, 0xFF, digits_len);
    } else if (quantity->value < 0 || !prepay__cjt188_bcd_put((uint64_t)quantity->value, tmp, digits_len)) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    tmp[digits_len] = quantity->unit;
    memcpy(out, tmp, digits_len + (with_unit ? 1u : 0u));
    return PREPAY_OK;
}

int prepay_cjt188_quantity_in(const prepay_cjt188_quantity_t *quantity, uint8_t unit, int64_t *out)
{
    if (!quantity || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!quantity->present) {
        return PREPAY_E_CJT188_ABSENT;
    }
    const unit_info_t *from = find_unit(quantity->unit);
    const unit_info_t *to = find_unit(unit);
    if (!from || !to || from->dimension != to->dimension) {
        return PREPAY_E_CJT188_BAD_UNIT;
    }
    /* value x 10^(from - decimals - to) */
    int shift = (int)from->exponent - (int)quantity->decimals - (int)to->exponent;
    int64_t v = quantity->value;
    if (shift >= 0) {
        if (shift > 18) {
            if (v != 0) {
                return PREPAY_E_OVERFLOW;
            }
            *out = 0;
            return PREPAY_OK;
        }
        int64_t limit = int64_max_over_pow10[shift];
        if (v > limit || v < -limit) {
            return PREPAY_E_OVERFLOW;
        }
        *out = v * pow10_table[shift];
        return PREPAY_OK;
    }
    if (-shift > 18) {
        if (v != 0) {
            return PREPAY_E_CJT188_INEXACT;
        }
        *out = 0;
        return PREPAY_OK;
    }
    int64_t divisor = pow10_table[-shift];
    if (v % divisor != 0) {
        return PREPAY_E_CJT188_INEXACT;
    }
    *out = v / divisor;
    return PREPAY_OK;
}

int prepay_cjt188_quantity_litres(const prepay_cjt188_quantity_t *quantity, prepay_energy_t *litres)
{
    return prepay_cjt188_quantity_in(quantity, PREPAY_CJT188_UNIT_L, litres);
}

static uint8_t to_bcd(unsigned v)
{
    return (uint8_t)((v / 10u) << 4 | (v % 10u));
}

int prepay_cjt188_clock_decode(const uint8_t in[7], prepay_time_t *out)
{
    if (!in || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return prepay__cjt188_clock_read(in, out);
}

int prepay_cjt188_clock_encode(prepay_time_t t, uint8_t out[7])
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_civil_t c;
    int rc = prepay_time_to_civil(t, &c);
    if (rc != PREPAY_OK) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    if (c.year < 1 || c.year > 9999) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    out[0] = to_bcd(c.second);
    out[1] = to_bcd(c.minute);
    out[2] = to_bcd(c.hour);
    out[3] = to_bcd(c.day);
    out[4] = to_bcd(c.month);
    out[5] = to_bcd((unsigned)c.year % 100u);
    out[6] = to_bcd((unsigned)c.year / 100u);
    return PREPAY_OK;
}

prepay_cjt188_valve_t prepay_cjt188_status_valve(uint16_t status)
{
    return (prepay_cjt188_valve_t)(status & PREPAY_CJT188_ST_VALVE_MASK);
}

bool prepay_cjt188_status_battery_low(uint16_t status)
{
    return (status & PREPAY_CJT188_ST_BATTERY_LOW) != 0;
}

/* Sizes of the 901F layouts (after DI + SER). */
enum { CURRENT_WATER_SIZE = 19, CURRENT_HEAT_SIZE = 43 };

static bool is_heat_layout(uint8_t meter_type, size_t len)
{
    prepay_cjt188_family_t family = prepay__cjt188_meter_family(meter_type);
    if (family == PREPAY_CJT188_FAMILY_HEAT) {
        return true;
    }
    if (family == PREPAY_CJT188_FAMILY_UNKNOWN || family == PREPAY_CJT188_FAMILY_ANY) {
        return len == CURRENT_HEAT_SIZE; /* no family: go by the length */
    }
    return false;
}

/* A field table: offset, BCD bytes, decimals, whether a unit byte follows. */
typedef struct field {
    uint8_t offset;
    uint8_t digits;
    uint8_t decimals;
    uint8_t with_unit;
} field_t;

static int decode_fields(const uint8_t *in, const field_t *fields, size_t count, prepay_cjt188_quantity_t **out)
{
    for (size_t i = 0; i < count; i++) {
        int rc = quantity_read(in + fields[i].offset, fields[i].digits, fields[i].decimals, fields[i].with_unit != 0,
                               out[i]);
        if (rc != PREPAY_OK) {
            return rc;
        }
    }
    return PREPAY_OK;
}

int prepay_cjt188_current_decode(uint8_t meter_type, const uint8_t *value, size_t value_len,
                                 prepay_cjt188_current_t *out)
{
    if (!value || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_heat_layout(meter_type, value_len)) {
        /* Water, gas, custom: two quantities, the clock and ST, decoded into
         * locals and stored once (the struct is mostly the heat part). */
        if (value_len != CURRENT_WATER_SIZE) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        prepay_cjt188_quantity_t reading, settlement;
        int rc = quantity_read(value, 4, 2, true, &reading);
        if (rc != PREPAY_OK) {
            return rc;
        }
        rc = quantity_read(value + 5, 4, 2, true, &settlement);
        if (rc != PREPAY_OK) {
            return rc;
        }
        prepay_time_t clock = 0;
        const int state = prepay__cjt188_clock_read(value + 10, &clock);
        prepay_cjt188_family_t family = prepay__cjt188_meter_family(meter_type);
        /* Member by member: a memset of the whole struct compiles to rep stos,
         * slower than the rest of the decoding together. */
        const prepay_cjt188_quantity_t none = {false, 0, 0, 0};
        out->heat.current_heat = none;
        out->heat.power = none;
        out->heat.flow = none;
        out->heat.supply_temperature = none;
        out->heat.return_temperature = none;
        out->heat.working_hours = none;
        out->family = (uint8_t)(family == PREPAY_CJT188_FAMILY_UNKNOWN || family == PREPAY_CJT188_FAMILY_ANY
                                    ? PREPAY_CJT188_FAMILY_WATER
                                    : family);
        out->reading = reading;
        out->settlement = settlement;
        out->clock = clock;
        out->clock_state = (uint8_t)state;
        out->status = (uint16_t)(value[17] | value[18] << 8);
        return PREPAY_OK;
    }
    if (value_len != CURRENT_HEAT_SIZE) {
        return PREPAY_E_CJT188_BAD_DATA;
    }
    prepay_cjt188_current_t c;
    memset(&c, 0, sizeof c);
    static const field_t heat[] = {{0, 4, 2, 1},  {5, 4, 2, 1},  {10, 4, 2, 1}, {15, 4, 4, 1},
                                   {20, 4, 2, 1}, {25, 3, 2, 0}, {28, 3, 2, 0}, {31, 3, 0, 0}};
    prepay_cjt188_quantity_t *slots[] = {&c.settlement,
                                         &c.heat.current_heat,
                                         &c.heat.power,
                                         &c.heat.flow,
                                         &c.reading,
                                         &c.heat.supply_temperature,
                                         &c.heat.return_temperature,
                                         &c.heat.working_hours};
    int rc = decode_fields(value, heat, sizeof heat / sizeof heat[0], slots);
    if (rc != PREPAY_OK) {
        return rc;
    }
    c.family = PREPAY_CJT188_FAMILY_HEAT;
    const size_t clock_at = 34;
    int state = prepay__cjt188_clock_read(value + clock_at, &c.clock);
    c.clock_state = (uint8_t)state;
    c.status = (uint16_t)(value[clock_at + 7] | value[clock_at + 8] << 8);
    *out = c;
    return PREPAY_OK;
}

int prepay_cjt188_current_encode(const prepay_cjt188_current_t *current, uint8_t *out, size_t out_cap)
{
    if (!current || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    bool heat = current->family == PREPAY_CJT188_FAMILY_HEAT;
    size_t size = heat ? CURRENT_HEAT_SIZE : CURRENT_WATER_SIZE;
    if (out_cap < size) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    uint8_t tmp[CURRENT_HEAT_SIZE];
    size_t clock_at;
    int rc;
    if (heat) {
        static const field_t layout[] = {{0, 4, 2, 1},  {5, 4, 2, 1},  {10, 4, 2, 1}, {15, 4, 4, 1},
                                         {20, 4, 2, 1}, {25, 3, 2, 0}, {28, 3, 2, 0}, {31, 3, 0, 0}};
        const prepay_cjt188_quantity_t *values[] = {&current->settlement,
                                                    &current->heat.current_heat,
                                                    &current->heat.power,
                                                    &current->heat.flow,
                                                    &current->reading,
                                                    &current->heat.supply_temperature,
                                                    &current->heat.return_temperature,
                                                    &current->heat.working_hours};
        for (size_t i = 0; i < sizeof layout / sizeof layout[0]; i++) {
            rc = prepay_cjt188_quantity_encode(values[i], layout[i].digits, layout[i].with_unit != 0,
                                               tmp + layout[i].offset);
            if (rc != PREPAY_OK) {
                return rc;
            }
        }
        clock_at = 34;
    } else {
        if ((rc = prepay_cjt188_quantity_encode(&current->reading, 4, true, tmp)) != PREPAY_OK ||
            (rc = prepay_cjt188_quantity_encode(&current->settlement, 4, true, tmp + 5)) != PREPAY_OK) {
            return rc;
        }
        clock_at = 10;
    }
    if (current->clock_state == PREPAY_CJT188_CLOCK_VALID) {
        rc = prepay_cjt188_clock_encode(current->clock, tmp + clock_at);
        if (rc != PREPAY_OK) {
            return rc;
        }
    } else {
        memset(tmp + clock_at, 0, 7);
    }
    tmp[clock_at + 7] = (uint8_t)current->status;
    tmp[clock_at + 8] = (uint8_t)(current->status >> 8);
    memcpy(out, tmp, size);
    return (int)size;
}

/* Wire units: prices XXXX.XX yuan = 10^6 price units; volumes whole m³ = 1000 L. */
#define PRICE_WIRE_UNIT 1000000
#define VOLUME_WIRE_UNIT 1000

int prepay_cjt188_price_table_decode(const uint8_t in[15], prepay_cjt188_price_table_t *out)
{
    if (!in || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_cjt188_price_table_t t;
    uint64_t v[5];
    for (size_t i = 0; i < 5; i++) {
        if (!prepay__cjt188_bcd_get(in + 3 * i, 3, &v[i])) {
            return PREPAY_E_CJT188_BAD_VALUE;
        }
    }
    t.price[0] = (prepay_price_t)v[0] * PRICE_WIRE_UNIT;
    t.step_litres[0] = (prepay_energy_t)v[1] * VOLUME_WIRE_UNIT;
    t.price[1] = (prepay_price_t)v[2] * PRICE_WIRE_UNIT;
    t.step_litres[1] = (prepay_energy_t)v[3] * VOLUME_WIRE_UNIT;
    t.price[2] = (prepay_price_t)v[4] * PRICE_WIRE_UNIT;
    t.start_day = 0;
    *out = t;
    return PREPAY_OK;
}

/* Divides a value into whole wire units of 3 BCD bytes. */
static int to_wire(int64_t value, int64_t unit, uint8_t *out)
{
    if (value < 0) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    if (value % unit != 0) {
        return PREPAY_E_CJT188_INEXACT;
    }
    if (!prepay__cjt188_bcd_put((uint64_t)(value / unit), out, 3)) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    return PREPAY_OK;
}

int prepay_cjt188_price_table_encode(const prepay_cjt188_price_table_t *table, uint8_t out[15])
{
    if (!table || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t tmp[15];
    int rc;
    if ((rc = to_wire(table->price[0], PRICE_WIRE_UNIT, tmp)) != PREPAY_OK ||
        (rc = to_wire(table->step_litres[0], VOLUME_WIRE_UNIT, tmp + 3)) != PREPAY_OK ||
        (rc = to_wire(table->price[1], PRICE_WIRE_UNIT, tmp + 6)) != PREPAY_OK ||
        (rc = to_wire(table->step_litres[1], VOLUME_WIRE_UNIT, tmp + 9)) != PREPAY_OK ||
        (rc = to_wire(table->price[2], PRICE_WIRE_UNIT, tmp + 12)) != PREPAY_OK) {
        return rc;
    }
    memcpy(out, tmp, sizeof tmp);
    return PREPAY_OK;
}

int prepay_cjt188_purse_decode(const uint8_t in[15], prepay_cjt188_purse_t *out)
{
    if (!in || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint64_t last, total, remaining;
    if (!prepay__cjt188_bcd_read(in + 1, 4, &last) || !prepay__cjt188_bcd_read(in + 5, 4, &total) ||
        !prepay__cjt188_bcd_read(in + 9, 4, &remaining)) {
        return PREPAY_E_CJT188_BAD_VALUE;
    }
    prepay_cjt188_purse_t p;
    p.purchase_serial = in[0];
    p.last_fen = (prepay_money_t)last; /* XXXXXX.XX yuan: the digits are fen */
    p.total_fen = (prepay_money_t)total;
    p.remaining_fen = (prepay_money_t)remaining;
    p.status = (uint16_t)(in[13] | in[14] << 8);
    *out = p;
    return PREPAY_OK;
}

int prepay_cjt188_purse_encode(const prepay_cjt188_purse_t *purse, uint8_t out[15])
{
    if (!purse || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t tmp[15];
    if (purse->last_fen < 0 || purse->total_fen < 0 || purse->remaining_fen < 0 ||
        !prepay__cjt188_bcd_put((uint64_t)purse->last_fen, tmp + 1, 4) ||
        !prepay__cjt188_bcd_put((uint64_t)purse->total_fen, tmp + 5, 4) ||
        !prepay__cjt188_bcd_put((uint64_t)purse->remaining_fen, tmp + 9, 4)) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    tmp[0] = purse->purchase_serial;
    tmp[13] = (uint8_t)purse->status;
    tmp[14] = (uint8_t)(purse->status >> 8);
    memcpy(out, tmp, sizeof tmp);
    return PREPAY_OK;
}
