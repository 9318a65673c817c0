/* SPDX-License-Identifier: MIT */
/*
 * Register values: the types INT16 / UINT16 / INT32 / UINT32 / FLOAT32 /
 * BCD16 / BCD32 in any of the four byte orders vendors use, decoded to the
 * register's fixed-point unit as raw x 10^exponent, exactly or with an
 * error (never rounded); and whole-map decoding of a block read.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "modbus_internal.h"
#include "prepay/fixed_point.h"
#include "prepay/modbus.h"

static const int64_t pow10_i64[19] = {1,
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

/* Words a value of `type` occupies (0: not a type); inlined where hot. */
static inline size_t words_of(uint8_t type)
{
    switch (type) {
    case PREPAY_MODBUS_TYPE_UINT16:
    case PREPAY_MODBUS_TYPE_INT16:
    case PREPAY_MODBUS_TYPE_BCD16: return 1;
    case PREPAY_MODBUS_TYPE_UINT32:
    case PREPAY_MODBUS_TYPE_INT32:
    case PREPAY_MODBUS_TYPE_FLOAT32:
    case PREPAY_MODBUS_TYPE_BCD32: return 2;
    default: return 0;
    }
}

size_t prepay_modbus_type_words(uint8_t type)
{
    return words_of(type);
}

static bool register_is_valid(const prepay_modbus_register_t *reg)
{
    return words_of(reg->type) > 0 && reg->order <= PREPAY_MODBUS_ORDER_DCBA &&
           reg->exponent >= -18 && reg->exponent <= 18 && reg->rule <= PREPAY_MODBUS_RULE_ROUND;
}

/* The value's bits from the wire words, by byte order. */
static uint32_t gather(uint8_t order, size_t words, const uint16_t *w)
{
    uint8_t b[4] = {(uint8_t)(w[0] >> 8), (uint8_t)w[0], 0, 0};
    if (words == 1) {
        bool swap = order == PREPAY_MODBUS_ORDER_BADC || order == PREPAY_MODBUS_ORDER_DCBA;
        return swap ? (uint32_t)b[1] << 8 | b[0] : (uint32_t)b[0] << 8 | b[1];
    }
    b[2] = (uint8_t)(w[1] >> 8);
    b[3] = (uint8_t)w[1];
    switch (order) {
    case PREPAY_MODBUS_ORDER_CDAB: return (uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[0] << 8 | b[1];
    case PREPAY_MODBUS_ORDER_BADC: return (uint32_t)b[1] << 24 | (uint32_t)b[0] << 16 | (uint32_t)b[3] << 8 | b[2];
    case PREPAY_MODBUS_ORDER_DCBA: return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
    default: return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    }
}

/* The wire words of a value's bits, by byte order (inverse of gather). */
static void scatter(uint8_t order, size_t words, uint32_t v, uint16_t *w)
{
    if (words == 1) {
        bool swap = order == PREPAY_MODBUS_ORDER_BADC || order == PREPAY_MODBUS_ORDER_DCBA;
        w[0] = swap ? (uint16_t)((v & 0xFFu) << 8 | (v >> 8 & 0xFFu)) : (uint16_t)v;
        return;
    }
    uint8_t a = (uint8_t)(v >> 24), b = (uint8_t)(v >> 16), c = (uint8_t)(v >> 8), d = (uint8_t)v;
    uint8_t wire[4];
    switch (order) {
    case PREPAY_MODBUS_ORDER_CDAB: wire[0] = c, wire[1] = d, wire[2] = a, wire[3] = b; break;
    case PREPAY_MODBUS_ORDER_BADC: wire[0] = b, wire[1] = a, wire[2] = d, wire[3] = c; break;
    case PREPAY_MODBUS_ORDER_DCBA: wire[0] = d, wire[1] = c, wire[2] = b, wire[3] = a; break;
    default: wire[0] = a, wire[1] = b, wire[2] = c, wire[3] = d; break;
    }
    w[0] = (uint16_t)(wire[0] << 8 | wire[1]);
    w[1] = (uint16_t)(wire[2] << 8 | wire[3]);
}

static bool bcd_value(uint32_t v, size_t digits, int64_t *out)
{
    int64_t r = 0;
    for (size_t i = digits; i-- > 0;) {
        unsigned nibble = (v >> (4 * i)) & 0xFu;
        if (nibble > 9) {
            return false;
        }
        r = r * 10 + (int64_t)nibble;
    }
    *out = r;
    return true;
}

/* raw x 10^exponent: exactly, or (round) to the nearest whole unit, halves away from zero. */
static int scale(int64_t raw, int exponent, bool round, int64_t *out)
{
    if (exponent >= 0) {
        int64_t limit = int64_max_over_pow10[exponent];
        if (raw > limit || raw < -limit) {
            return PREPAY_E_OVERFLOW;
        }
        *out = raw * pow10_i64[exponent];
        return PREPAY_OK;
    }
    int64_t f = pow10_i64[-exponent];
    if (raw % f != 0) {
        if (!round) {
            return PREPAY_E_MODBUS_INEXACT;
        }
        return prepay_i64_div_round(raw, f, PREPAY_ROUND_HALF_UP, out);
    }
    *out = raw / f;
    return PREPAY_OK;
}

int prepay_modbus_value_decode(const prepay_modbus_register_t *reg, const uint16_t *words, size_t count,
                               int64_t *out)
{
    if (!reg || !words || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!register_is_valid(reg)) {
        return PREPAY_E_MODBUS_BAD_REGISTER;
    }
    const size_t n = words_of(reg->type);
    if (count < n) {
        return PREPAY_E_MODBUS_BAD_REGISTER;
    }
    const uint32_t v = gather(reg->order, n, words);
    int64_t raw;
    switch (reg->type) {
    case PREPAY_MODBUS_TYPE_UINT16:
    case PREPAY_MODBUS_TYPE_UINT32: raw = (int64_t)v; break;
    case PREPAY_MODBUS_TYPE_INT16: raw = v >= 0x8000u ? (int64_t)v - 0x10000 : (int64_t)v; break;
    case PREPAY_MODBUS_TYPE_INT32: raw = v >= 0x80000000u ? (int64_t)v - 0x100000000 : (int64_t)v; break;
    case PREPAY_MODBUS_TYPE_BCD16:
    case PREPAY_MODBUS_TYPE_BCD32:
        if (!bcd_value(v, 4 * n, &raw)) {
            return PREPAY_E_MODBUS_BAD_VALUE;
        }
        break;
    default: /* FLOAT32 */
        return prepay_modbus_float_to_fixed(v, reg->exponent, (prepay_modbus_rule_t)reg->rule, out);
    }
    return scale(raw, reg->exponent, reg->rule == PREPAY_MODBUS_RULE_ROUND, out);
}

int prepay_modbus_value_encode(const prepay_modbus_register_t *reg, int64_t value, uint16_t *words, size_t cap)
{
    if (!reg || !words) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!register_is_valid(reg)) {
        return PREPAY_E_MODBUS_BAD_REGISTER;
    }
    const size_t n = prepay_modbus_type_words(reg->type);
    if (cap < n) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    uint32_t v;
    if (reg->type == PREPAY_MODBUS_TYPE_FLOAT32) {
        int rc = prepay_modbus_fixed_to_float(value, reg->exponent, &v);
        if (rc != PREPAY_OK) {
            return rc;
        }
        int64_t back;
        if (prepay_modbus_float_to_fixed(v, reg->exponent, PREPAY_MODBUS_RULE_DECIMAL, &back) != PREPAY_OK ||
            back != value) {
            return PREPAY_E_MODBUS_INEXACT; /* the float would not read back as the same value */
        }
    } else {
        /* raw = value / 10^exponent, exactly */
        int64_t raw;
        int rc = scale(value, -(int)reg->exponent, false, &raw);
        if (rc == PREPAY_E_OVERFLOW) {
            return PREPAY_E_OUT_OF_RANGE;
        }
        if (rc != PREPAY_OK) {
            return rc;
        }
        switch (reg->type) {
        case PREPAY_MODBUS_TYPE_UINT16:
            if (raw < 0 || raw > 0xFFFF) {
                return PREPAY_E_OUT_OF_RANGE;
            }
            v = (uint32_t)raw;
            break;
        case PREPAY_MODBUS_TYPE_INT16:
            if (raw < -32768 || raw > 32767) {
                return PREPAY_E_OUT_OF_RANGE;
            }
            v = (uint32_t)(raw & 0xFFFF);
            break;
        case PREPAY_MODBUS_TYPE_UINT32:
            if (raw < 0 || raw > 0xFFFFFFFFll) {
                return PREPAY_E_OUT_OF_RANGE;
            }
            v = (uint32_t)raw;
            break;
        case PREPAY_MODBUS_TYPE_INT32:
            if (raw < INT32_MIN || raw > INT32_MAX) {
                return PREPAY_E_OUT_OF_RANGE;
            }
            v = (uint32_t)((uint64_t)raw & 0xFFFFFFFFu);
            break;
        default: { /* BCD16 / BCD32 */
            int64_t limit = n == 1 ? 9999 : 99999999;
            if (raw < 0 || raw > limit) {
                return PREPAY_E_OUT_OF_RANGE;
            }
            v = 0;
            for (unsigned i = 0; i < 4 * n; i++) {
                v |= (uint32_t)(raw % 10) << (4 * i);
                raw /= 10;
            }
            break;
        }
        }
    }
    scatter(reg->order, n, v, words);
    return (int)n;
}

int prepay_modbus_map_decode(const prepay_modbus_map_t *map, uint8_t function, uint16_t start,
                             const uint16_t *words, size_t count, prepay_modbus_value_t *out, size_t cap)
{
    if (!map || (!map->registers && map->count > 0) || (!words && count > 0) || (!out && cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t stored = 0;
    for (size_t i = 0; i < map->count; i++) {
        const prepay_modbus_register_t *reg = &map->registers[i];
        size_t n = prepay_modbus_type_words(reg->type);
        if (reg->function != function || n == 0 || reg->address < start ||
            (size_t)(reg->address - start) + n > count) {
            continue; /* not covered by this block */
        }
        if (stored == cap) {
            return PREPAY_E_BUFFER_TOO_SMALL;
        }
        prepay_modbus_value_t v;
        v.reg = reg;
        v.value = 0;
        v.status = prepay_modbus_value_decode(reg, words + (reg->address - start), n, &v.value);
        if (v.status != PREPAY_OK) {
            v.value = 0;
        }
        out[stored++] = v;
    }
    return (int)stored;
}

const prepay_modbus_register_t *prepay_modbus_map_find(const prepay_modbus_map_t *map, const char *name)
{
    if (!map || !name || !map->registers) {
        return (const prepay_modbus_register_t *)0;
    }
    for (size_t i = 0; i < map->count; i++) {
        if (map->registers[i].name && strcmp(map->registers[i].name, name) == 0) {
            return &map->registers[i];
        }
    }
    return (const prepay_modbus_register_t *)0;
}
