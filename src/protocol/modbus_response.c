/* SPDX-License-Identifier: MIT */
/*
 * Modbus request/response matching and response parsing (client side), and
 * the server side: request parsing, normal and exception responses
 * (Modbus Application Protocol V1.1b3 clauses 6 and 7).
 *
 * Matching: on a multi-drop line (or behind a gateway) a client can see
 * frames that are not the answer to its request; a frame from another unit
 * or for another function is PREPAY_E_MODBUS_NOT_A_MATCH, which a client
 * ignores while it keeps waiting. A frame from the right unit and function
 * whose content does not answer the request is a real error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "modbus_internal.h"
#include "prepay/modbus.h"

int prepay_modbus_parse_request(const prepay_modbus_adu_t *request, prepay_modbus_request_t *out)
{
    if (!request || !out || request->length > PREPAY_MODBUS_DATA_MAX) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const uint8_t f = request->function;
    switch (f) {
    case PREPAY_MODBUS_FN_READ_COILS:
    case PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS:
    case PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS:
    case PREPAY_MODBUS_FN_READ_INPUT_REGISTERS:
    case PREPAY_MODBUS_FN_WRITE_SINGLE_COIL:
    case PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER:
    case PREPAY_MODBUS_FN_WRITE_MULTIPLE_COILS:
    case PREPAY_MODBUS_FN_WRITE_MULTIPLE_REGISTERS: break;
    default: return PREPAY_E_MODBUS_BAD_FUNCTION;
    }
    if (prepay__modbus_check_pdu(f, request->data, request->length, PREPAY_MODBUS_REQUEST) != PREPAY_OK) {
        return PREPAY_E_MODBUS_BAD_PDU;
    }
    prepay_modbus_request_t r;
    r.function = f;
    r.address = prepay__modbus_get16(request->data);
    r.quantity = prepay__modbus_get16(request->data + 2);
    r.value = 0;
    r.payload = (const uint8_t *)0;
    r.payload_len = 0;
    if (f == PREPAY_MODBUS_FN_WRITE_SINGLE_COIL || f == PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER) {
        r.value = r.quantity;
        r.quantity = 1;
    } else if (f == PREPAY_MODBUS_FN_WRITE_MULTIPLE_COILS || f == PREPAY_MODBUS_FN_WRITE_MULTIPLE_REGISTERS) {
        r.payload = request->data + 5;
        r.payload_len = request->data[4];
    }
    *out = r;
    return PREPAY_OK;
}

int prepay_modbus_match(const prepay_modbus_adu_t *request, const prepay_modbus_adu_t *response)
{
    if (!request || !response || response->length > PREPAY_MODBUS_DATA_MAX) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_modbus_request_t r;
    int rc = prepay_modbus_parse_request(request, &r);
    if (rc != PREPAY_OK) {
        return rc == PREPAY_E_MODBUS_BAD_PDU ? PREPAY_E_MODBUS_BAD_FUNCTION : rc;
    }
    if (request->unit == PREPAY_MODBUS_BROADCAST) {
        return PREPAY_E_MODBUS_BROADCAST;
    }
    if (response->unit != request->unit ||
        (response->function & (uint8_t)~PREPAY_MODBUS_EXCEPTION_FLAG) != request->function) {
        return PREPAY_E_MODBUS_NOT_A_MATCH;
    }
    if (response->function & PREPAY_MODBUS_EXCEPTION_FLAG) {
        return response->length == 1 ? PREPAY_E_MODBUS_EXCEPTION : PREPAY_E_MODBUS_BAD_RESPONSE;
    }
    const uint8_t *d = response->data;
    const size_t n = response->length;
    switch (r.function) {
    case PREPAY_MODBUS_FN_READ_COILS:
    case PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS: {
        size_t bytes = ((size_t)r.quantity + 7) / 8;
        return n == 1 + bytes && d[0] == bytes ? PREPAY_OK : PREPAY_E_MODBUS_BAD_RESPONSE;
    }
    case PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS:
    case PREPAY_MODBUS_FN_READ_INPUT_REGISTERS: {
        size_t bytes = 2u * r.quantity;
        return n == 1 + bytes && d[0] == bytes ? PREPAY_OK : PREPAY_E_MODBUS_BAD_RESPONSE;
    }
    case PREPAY_MODBUS_FN_WRITE_SINGLE_COIL:
    case PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER:
        /* the normal response is an echo of the request */
        return n == 4 && memcmp(d, request->data, 4) == 0 ? PREPAY_OK : PREPAY_E_MODBUS_BAD_RESPONSE;
    default:
        /* 0F 10H: address and quantity of the request */
        return n == 4 && memcmp(d, request->data, 4) == 0 ? PREPAY_OK : PREPAY_E_MODBUS_BAD_RESPONSE;
    }
}

int prepay_modbus_response_registers(const prepay_modbus_adu_t *request, const prepay_modbus_adu_t *response,
                                     uint16_t *values, size_t cap)
{
    if (!request || !response || !values) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->function != PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS &&
        request->function != PREPAY_MODBUS_FN_READ_INPUT_REGISTERS) {
        return PREPAY_E_MODBUS_BAD_FUNCTION;
    }
    int rc;
    if (request->length == 4 && response->length <= PREPAY_MODBUS_DATA_MAX) {
        /* A well-sized read request: prepay_modbus_match()'s checks in its
         * order, without the general request parser (the hot path). */
        const unsigned address = prepay__modbus_get16(request->data);
        const unsigned quantity = prepay__modbus_get16(request->data + 2);
        if (quantity < 1 || quantity > PREPAY_MODBUS_MAX_READ_REGISTERS || address + quantity > 0x10000u) {
            rc = PREPAY_E_MODBUS_BAD_FUNCTION; /* as match() reports a request whose PDU is bad */
        } else if (request->unit == PREPAY_MODBUS_BROADCAST) {
            rc = PREPAY_E_MODBUS_BROADCAST;
        } else if (response->unit != request->unit ||
                   (response->function & (uint8_t)~PREPAY_MODBUS_EXCEPTION_FLAG) != request->function) {
            rc = PREPAY_E_MODBUS_NOT_A_MATCH;
        } else if (response->function & PREPAY_MODBUS_EXCEPTION_FLAG) {
            rc = response->length == 1 ? PREPAY_E_MODBUS_EXCEPTION : PREPAY_E_MODBUS_BAD_RESPONSE;
        } else {
            rc = response->length == 1u + 2u * quantity && response->data[0] == 2u * quantity
                     ? PREPAY_OK
                     : PREPAY_E_MODBUS_BAD_RESPONSE;
        }
    } else {
        rc = prepay_modbus_match(request, response);
    }
    if (rc != PREPAY_OK) {
        return rc;
    }
    size_t count = response->data[0] / 2u;
    if (count > cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < count; i++) {
        values[i] = prepay__modbus_get16(response->data + 1 + 2 * i);
    }
    return (int)count;
}

int prepay_modbus_response_bits(const prepay_modbus_adu_t *request, const prepay_modbus_adu_t *response,
                                uint8_t *bits, size_t cap)
{
    if (!request || !response || !bits) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->function != PREPAY_MODBUS_FN_READ_COILS &&
        request->function != PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS) {
        return PREPAY_E_MODBUS_BAD_FUNCTION;
    }
    int rc = prepay_modbus_match(request, response);
    if (rc != PREPAY_OK) {
        return rc;
    }
    unsigned quantity = prepay__modbus_get16(request->data + 2);
    size_t bytes = response->data[0];
    if (bytes > cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memcpy(bits, response->data + 1, bytes);
    if (quantity % 8 != 0) {
        bits[bytes - 1] &= (uint8_t)((1u << (quantity % 8)) - 1u); /* padding bits past the quantity */
    }
    return (int)quantity;
}

int prepay_modbus_response_build(prepay_modbus_adu_t *out, const prepay_modbus_adu_t *request,
                                 const uint16_t *registers, const uint8_t *bits)
{
    if (!out || !request) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_modbus_request_t r;
    int rc = prepay_modbus_parse_request(request, &r);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (request->unit == PREPAY_MODBUS_BROADCAST) {
        return PREPAY_E_MODBUS_BROADCAST;
    }
    prepay_modbus_adu_t a;
    a.unit = request->unit;
    a.function = r.function;
    a.is_exception = false;
    a.exception = 0;
    switch (r.function) {
    case PREPAY_MODBUS_FN_READ_COILS:
    case PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS: {
        if (!bits) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        size_t bytes = ((size_t)r.quantity + 7) / 8;
        a.data[0] = (uint8_t)bytes;
        memcpy(a.data + 1, bits, bytes);
        if (r.quantity % 8 != 0) {
            a.data[bytes] &= (uint8_t)((1u << (r.quantity % 8)) - 1u);
        }
        a.length = (uint8_t)(1 + bytes);
        break;
    }
    case PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS:
    case PREPAY_MODBUS_FN_READ_INPUT_REGISTERS:
        if (!registers) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        a.data[0] = (uint8_t)(2 * r.quantity);
        for (size_t i = 0; i < r.quantity; i++) {
            prepay__modbus_put16(a.data + 1 + 2 * i, registers[i]);
        }
        a.length = (uint8_t)(1 + 2 * r.quantity);
        break;
    default:
        memcpy(a.data, request->data, 4); /* echo, or address + quantity */
        a.length = 4;
        break;
    }
    *out = a;
    return PREPAY_OK;
}

int prepay_modbus_response_exception(prepay_modbus_adu_t *out, const prepay_modbus_adu_t *request, uint8_t code)
{
    if (!out || !request || code == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->unit == PREPAY_MODBUS_BROADCAST) {
        return PREPAY_E_MODBUS_BROADCAST;
    }
    out->unit = request->unit;
    out->function = (uint8_t)(request->function | PREPAY_MODBUS_EXCEPTION_FLAG);
    out->is_exception = true;
    out->exception = code;
    out->length = 1;
    out->data[0] = code;
    return PREPAY_OK;
}
