/* SPDX-License-Identifier: MIT */
/*
 * Modbus request builders (client side), one per function code of the
 * Modbus Application Protocol V1.1b3 clause 6 handled here: 6.1 read coils,
 * 6.2 read discrete inputs, 6.3 read holding registers, 6.4 read input
 * registers, 6.5 write single coil, 6.6 write single register, 6.11 write
 * multiple coils, 6.12 write multiple registers. Limits are checked before
 * anything is written.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "modbus_internal.h"
#include "prepay/modbus.h"

static bool range_ok(uint16_t address, size_t quantity)
{
    return (unsigned long)address + quantity <= 0x10000ul;
}

int prepay_modbus_request_read(prepay_modbus_adu_t *out, uint8_t unit, uint8_t function, uint16_t address,
                               uint16_t quantity)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (unit == PREPAY_MODBUS_BROADCAST || unit > PREPAY_MODBUS_UNIT_MAX) {
        return PREPAY_E_MODBUS_BAD_UNIT;
    }
    unsigned limit;
    switch (function) {
    case PREPAY_MODBUS_FN_READ_COILS:
    case PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS: limit = PREPAY_MODBUS_MAX_READ_BITS; break;
    case PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS:
    case PREPAY_MODBUS_FN_READ_INPUT_REGISTERS: limit = PREPAY_MODBUS_MAX_READ_REGISTERS; break;
    default: return PREPAY_E_MODBUS_BAD_FUNCTION;
    }
    if (quantity < 1 || quantity > limit || !range_ok(address, quantity)) {
        return PREPAY_E_MODBUS_BAD_QUANTITY;
    }
    out->unit = unit;
    out->function = function;
    out->is_exception = false;
    out->exception = 0;
    out->length = 4;
    prepay__modbus_put16(out->data, address);
    prepay__modbus_put16(out->data + 2, quantity);
    return PREPAY_OK;
}

static int single(prepay_modbus_adu_t *out, uint8_t unit, uint8_t function, uint16_t address, uint16_t value)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (unit > PREPAY_MODBUS_UNIT_MAX) {
        return PREPAY_E_MODBUS_BAD_UNIT;
    }
    out->unit = unit;
    out->function = function;
    out->is_exception = false;
    out->exception = 0;
    out->length = 4;
    prepay__modbus_put16(out->data, address);
    prepay__modbus_put16(out->data + 2, value);
    return PREPAY_OK;
}

int prepay_modbus_request_write_coil(prepay_modbus_adu_t *out, uint8_t unit, uint16_t address, bool on)
{
    return single(out, unit, PREPAY_MODBUS_FN_WRITE_SINGLE_COIL, address,
                  on ? (uint16_t)PREPAY_MODBUS_COIL_ON : (uint16_t)PREPAY_MODBUS_COIL_OFF);
}

int prepay_modbus_request_write_register(prepay_modbus_adu_t *out, uint8_t unit, uint16_t address, uint16_t value)
{
    return single(out, unit, PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER, address, value);
}

int prepay_modbus_request_write_registers(prepay_modbus_adu_t *out, uint8_t unit, uint16_t address,
                                          const uint16_t *values, size_t count)
{
    if (!out || !values) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (unit > PREPAY_MODBUS_UNIT_MAX) {
        return PREPAY_E_MODBUS_BAD_UNIT;
    }
    if (count < 1 || count > PREPAY_MODBUS_MAX_WRITE_REGISTERS || !range_ok(address, count)) {
        return PREPAY_E_MODBUS_BAD_QUANTITY;
    }
    out->unit = unit;
    out->function = PREPAY_MODBUS_FN_WRITE_MULTIPLE_REGISTERS;
    out->is_exception = false;
    out->exception = 0;
    prepay__modbus_put16(out->data, address);
    prepay__modbus_put16(out->data + 2, (uint16_t)count);
    out->data[4] = (uint8_t)(2 * count);
    for (size_t i = 0; i < count; i++) {
        prepay__modbus_put16(out->data + 5 + 2 * i, values[i]);
    }
    out->length = (uint8_t)(5 + 2 * count);
    return PREPAY_OK;
}

int prepay_modbus_request_write_coils(prepay_modbus_adu_t *out, uint8_t unit, uint16_t address, const uint8_t *bits,
                                      size_t count)
{
    if (!out || !bits) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (unit > PREPAY_MODBUS_UNIT_MAX) {
        return PREPAY_E_MODBUS_BAD_UNIT;
    }
    if (count < 1 || count > PREPAY_MODBUS_MAX_WRITE_COILS || !range_ok(address, count)) {
        return PREPAY_E_MODBUS_BAD_QUANTITY;
    }
    size_t bytes = (count + 7) / 8;
    out->unit = unit;
    out->function = PREPAY_MODBUS_FN_WRITE_MULTIPLE_COILS;
    out->is_exception = false;
    out->exception = 0;
    prepay__modbus_put16(out->data, address);
    prepay__modbus_put16(out->data + 2, (uint16_t)count);
    out->data[4] = (uint8_t)bytes;
    memcpy(out->data + 5, bits, bytes);
    if (count % 8 != 0) {
        out->data[5 + bytes - 1] &= (uint8_t)((1u << (count % 8)) - 1u); /* unused bits are sent as 0 */
    }
    out->length = (uint8_t)(5 + bytes);
    return PREPAY_OK;
}
