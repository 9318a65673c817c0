/* SPDX-License-Identifier: MIT */
/*
 * Modbus RTU frame codec: ADU = unit, PDU (function + data), CRC low byte
 * first (Modbus over Serial Line V1.02 clause 2.5.1), with the PDU layouts
 * and limits of the Modbus Application Protocol Specification V1.1b3
 * clause 6 (one subclause per function code) and clause 7 (exceptions).
 *
 * The decoder treats its input as hostile: the length is checked before
 * anything is read, the CRC before the PDU is interpreted, every byte count
 * against the bytes present; the output is written only on success.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/bytes_internal.h"
#include "modbus_internal.h"
#include "prepay/modbus.h"

/* Address range check: address + quantity must not pass 10000H. */
static bool range_ok(uint16_t address, unsigned quantity)
{
    return (unsigned long)address + quantity <= 0x10000ul;
}

static int check_request(uint8_t function, const uint8_t *d, size_t n)
{
    unsigned quantity;
    switch (function) {
    case PREPAY_MODBUS_FN_READ_COILS:
    case PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS:
    case PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS:
    case PREPAY_MODBUS_FN_READ_INPUT_REGISTERS: {
        if (n != 4) {
            return PREPAY_E_MODBUS_BAD_PDU;
        }
        unsigned limit = function <= PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS ? PREPAY_MODBUS_MAX_READ_BITS
                                                                            : PREPAY_MODBUS_MAX_READ_REGISTERS;
        quantity = prepay__modbus_get16(d + 2);
        return quantity >= 1 && quantity <= limit && range_ok(prepay__modbus_get16(d), quantity)
                   ? PREPAY_OK
                   : PREPAY_E_MODBUS_BAD_PDU;
    }
    case PREPAY_MODBUS_FN_WRITE_SINGLE_COIL: {
        if (n != 4) {
            return PREPAY_E_MODBUS_BAD_PDU;
        }
        uint16_t value = prepay__modbus_get16(d + 2);
        return value == PREPAY_MODBUS_COIL_ON || value == PREPAY_MODBUS_COIL_OFF ? PREPAY_OK
                                                                                  : PREPAY_E_MODBUS_BAD_PDU;
    }
    case PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER:
        return n == 4 ? PREPAY_OK : PREPAY_E_MODBUS_BAD_PDU;
    case PREPAY_MODBUS_FN_WRITE_MULTIPLE_COILS:
    case PREPAY_MODBUS_FN_WRITE_MULTIPLE_REGISTERS: {
        if (n < 5) {
            return PREPAY_E_MODBUS_BAD_PDU;
        }
        bool coils = function == PREPAY_MODBUS_FN_WRITE_MULTIPLE_COILS;
        quantity = prepay__modbus_get16(d + 2);
        unsigned limit = coils ? PREPAY_MODBUS_MAX_WRITE_COILS : PREPAY_MODBUS_MAX_WRITE_REGISTERS;
        unsigned count = coils ? (quantity + 7u) / 8u : 2u * quantity;
        return quantity >= 1 && quantity <= limit && range_ok(prepay__modbus_get16(d), quantity) &&
                       d[4] == count && n == 5u + count
                   ? PREPAY_OK
                   : PREPAY_E_MODBUS_BAD_PDU;
    }
    default:
        return PREPAY_OK; /* another function: an opaque PDU */
    }
}

static int check_response(uint8_t function, const uint8_t *d, size_t n)
{
    switch (function) {
    case PREPAY_MODBUS_FN_READ_COILS:
    case PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS:
        /* byte count N = ceil(quantity / 8), 1..250 */
        return n >= 2 && d[0] == n - 1 && d[0] <= 250 ? PREPAY_OK : PREPAY_E_MODBUS_BAD_PDU;
    case PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS:
    case PREPAY_MODBUS_FN_READ_INPUT_REGISTERS:
        /* byte count 2 x quantity, 2..250 */
        return n >= 3 && d[0] == n - 1 && (d[0] & 1u) == 0 && d[0] <= 250 ? PREPAY_OK : PREPAY_E_MODBUS_BAD_PDU;
    case PREPAY_MODBUS_FN_WRITE_SINGLE_COIL:
    case PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER:
        return check_request(function, d, n); /* the echo of the request */
    case PREPAY_MODBUS_FN_WRITE_MULTIPLE_COILS:
    case PREPAY_MODBUS_FN_WRITE_MULTIPLE_REGISTERS: {
        /* address and quantity of the request */
        if (n != 4) {
            return PREPAY_E_MODBUS_BAD_PDU;
        }
        unsigned quantity = prepay__modbus_get16(d + 2);
        unsigned limit = function == PREPAY_MODBUS_FN_WRITE_MULTIPLE_COILS ? PREPAY_MODBUS_MAX_WRITE_COILS
                                                                           : PREPAY_MODBUS_MAX_WRITE_REGISTERS;
        return quantity >= 1 && quantity <= limit && range_ok(prepay__modbus_get16(d), quantity)
                   ? PREPAY_OK
                   : PREPAY_E_MODBUS_BAD_PDU;
    }
    default:
        return PREPAY_OK;
    }
}

int prepay__modbus_check_pdu(uint8_t function, const uint8_t *data, size_t length,
                             prepay_modbus_direction_t direction)
{
    if (function & PREPAY_MODBUS_EXCEPTION_FLAG) {
        /* Exception response: one exception code (V1.1b3 clause 7). */
        if (direction == PREPAY_MODBUS_REQUEST || length != 1 || data[0] == 0) {
            return PREPAY_E_MODBUS_BAD_PDU;
        }
        return PREPAY_OK;
    }
    if (function == 0) {
        return PREPAY_E_MODBUS_BAD_PDU; /* function code 0 is not valid (V1.1b3 clause 4.1) */
    }
    switch (direction) {
    case PREPAY_MODBUS_REQUEST: return check_request(function, data, length);
    case PREPAY_MODBUS_RESPONSE: return check_response(function, data, length);
    default: return PREPAY_OK;
    }
}

int prepay_modbus_expected_length(const uint8_t *prefix, size_t prefix_len, prepay_modbus_direction_t direction)
{
    if (!prefix || !prepay__modbus_direction_is_valid(direction)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (prefix_len < 2) {
        return 0;
    }
    uint8_t function = prefix[1];
    size_t total;
    if (function & PREPAY_MODBUS_EXCEPTION_FLAG) {
        if (direction == PREPAY_MODBUS_REQUEST) {
            return PREPAY_E_MODBUS_BAD_FUNCTION;
        }
        return 5;
    }
    switch (function) {
    case PREPAY_MODBUS_FN_READ_COILS:
    case PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS:
    case PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS:
    case PREPAY_MODBUS_FN_READ_INPUT_REGISTERS:
        if (direction == PREPAY_MODBUS_REQUEST) {
            return 8;
        }
        if (direction == PREPAY_MODBUS_ANY) {
            return PREPAY_E_MODBUS_BAD_FUNCTION; /* 8 as a request, 5 + N as a response */
        }
        if (prefix_len < 3) {
            return 0;
        }
        total = 5u + prefix[2];
        break;
    case PREPAY_MODBUS_FN_WRITE_SINGLE_COIL:
    case PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER:
        return 8; /* a request and its echo have the same length */
    case PREPAY_MODBUS_FN_WRITE_MULTIPLE_COILS:
    case PREPAY_MODBUS_FN_WRITE_MULTIPLE_REGISTERS:
        if (direction == PREPAY_MODBUS_RESPONSE) {
            return 8;
        }
        if (direction == PREPAY_MODBUS_ANY) {
            return PREPAY_E_MODBUS_BAD_FUNCTION;
        }
        if (prefix_len < 7) {
            return 0;
        }
        total = 9u + prefix[6];
        break;
    default:
        return PREPAY_E_MODBUS_BAD_FUNCTION;
    }
    return total > PREPAY_MODBUS_ADU_MAX ? PREPAY_E_MODBUS_BAD_LENGTH : (int)total;
}

int prepay_modbus_decode(const uint8_t *in, size_t in_len, prepay_modbus_direction_t direction,
                         prepay_modbus_adu_t *out)
{
    if (!in || !out || !prepay__modbus_direction_is_valid(direction)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (in_len < PREPAY_MODBUS_ADU_MIN) {
        return PREPAY_E_MODBUS_TRUNCATED;
    }
    if (in_len > PREPAY_MODBUS_ADU_MAX) {
        return PREPAY_E_MODBUS_BAD_LENGTH;
    }
    if (!prepay__modbus_crc_ok(in, in_len)) {
        return PREPAY_E_MODBUS_BAD_CRC;
    }
    const uint8_t unit = in[0];
    if (unit > PREPAY_MODBUS_UNIT_MAX || (direction == PREPAY_MODBUS_RESPONSE && unit == PREPAY_MODBUS_BROADCAST)) {
        return PREPAY_E_MODBUS_BAD_UNIT;
    }
    const uint8_t function = in[1];
    const uint8_t *data = in + 2;
    const size_t length = in_len - 4;
    int rc = prepay__modbus_check_pdu(function, data, length, direction);
    if (rc != PREPAY_OK) {
        return rc;
    }
    out->unit = unit;
    out->function = function;
    out->is_exception = (function & PREPAY_MODBUS_EXCEPTION_FLAG) != 0;
    out->exception = out->is_exception ? data[0] : 0;
    out->length = (uint8_t)length;
    prepay__copy_short(out->data, data, length); /* not memcpy: see bytes_internal.h */
    return PREPAY_OK;
}

int prepay_modbus_encode(const prepay_modbus_adu_t *adu, uint8_t *out, size_t out_cap)
{
    if (!adu || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (adu->length > PREPAY_MODBUS_DATA_MAX) {
        return PREPAY_E_MODBUS_BAD_LENGTH;
    }
    size_t size = 4u + adu->length;
    if (size > out_cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    out[0] = adu->unit;
    out[1] = adu->function;
    memcpy(out + 2, adu->data, adu->length);
    uint16_t crc = prepay__modbus_crc(out, size - 2);
    out[size - 2] = (uint8_t)crc;
    out[size - 1] = (uint8_t)(crc >> 8);
    return (int)size;
}
