/* SPDX-License-Identifier: MIT */
/*
 * Internal to the Modbus RTU codec: the CRC table, the PDU structure rules
 * shared by the decoder, the stream parser and the matcher.
 */
#ifndef PREPAY_MODBUS_INTERNAL_H
#define PREPAY_MODBUS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/modbus.h"

/* Magic value marking an initialised stream parser ("MBUS"). */
#define PREPAY__MODBUS_STREAM_MAGIC 0x4D425553u

#ifdef PREPAY_MODBUS_CRC_SMALL
extern const uint16_t prepay__modbus_crc_table[1][256];
#else
extern const uint16_t prepay__modbus_crc_table[4][256];
#endif

/* CRC-16/MODBUS of n bytes: four bytes per step with the sliced tables, then
 * one lookup per byte (see modbus_crc.c). */
static inline uint16_t prepay__modbus_crc(const uint8_t *p, size_t n)
{
    unsigned crc = 0xFFFFu;
    size_t i = 0;
#ifndef PREPAY_MODBUS_CRC_SMALL
    const uint16_t(*t)[256] = prepay__modbus_crc_table;
    for (; i + 4 <= n; i += 4) {
        unsigned x = crc ^ (unsigned)(p[i] | p[i + 1] << 8);
        crc = (unsigned)t[3][x & 0xFFu] ^ t[2][x >> 8] ^ t[1][p[i + 2]] ^ t[0][p[i + 3]];
    }
#endif
    for (; i < n; i++) {
        crc = (crc >> 8) ^ prepay__modbus_crc_table[0][(crc ^ p[i]) & 0xFFu];
    }
    return (uint16_t)crc;
}

/* Whether the n-byte ADU at p ends with its CRC (low byte first); n >= 2. */
static inline bool prepay__modbus_crc_ok(const uint8_t *p, size_t n)
{
    uint16_t crc = prepay__modbus_crc(p, n - 2);
    return p[n - 2] == (uint8_t)crc && p[n - 1] == (uint8_t)(crc >> 8);
}

static inline uint16_t prepay__modbus_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void prepay__modbus_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline bool prepay__modbus_direction_is_valid(prepay_modbus_direction_t d)
{
    return d == PREPAY_MODBUS_ANY || d == PREPAY_MODBUS_REQUEST || d == PREPAY_MODBUS_RESPONSE;
}

/* Checks the PDU (function + data) of a decoded ADU against its direction;
 * PREPAY_OK or PREPAY_E_MODBUS_BAD_PDU. */
int prepay__modbus_check_pdu(uint8_t function, const uint8_t *data, size_t length,
                             prepay_modbus_direction_t direction);

#endif /* PREPAY_MODBUS_INTERNAL_H */
