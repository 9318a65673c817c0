/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the Modbus RTU frame decoder, length inference, request
 * parser and request/response matcher, which read untrusted bytes. The first
 * byte picks the direction and a request shape to match against; the rest is
 * one ADU. Checks:
 * - an error leaves the output untouched;
 * - an accepted frame re-encodes to exactly the input bytes, and its length
 *   is what the first bytes announce whenever they announce one;
 * - the matcher and the response parsers never read or write outside their
 *   buffers, and agree with each other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/modbus.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const prepay_modbus_direction_t dir = (prepay_modbus_direction_t)(data[0] % 3u);
    const uint8_t shape = data[0];
    const uint8_t *in = data + 1;
    const size_t len = size - 1;
    prepay_modbus_adu_t adu, sentinel;
    memset(&adu, 0x5A, sizeof adu);
    memcpy(&sentinel, &adu, sizeof adu);
    int rc = prepay_modbus_decode(in, len, dir, &adu);
    int announced = prepay_modbus_expected_length(in, len, dir);
    if (rc != PREPAY_OK) {
        if (memcmp(&adu, &sentinel, sizeof adu) != 0 || rc > 0) {
            abort();
        }
        return 0;
    }
    uint8_t out[PREPAY_MODBUS_ADU_MAX];
    int n = prepay_modbus_encode(&adu, out, sizeof out);
    if (n < 0 || (size_t)n != len || memcmp(out, in, len) != 0) {
        abort();
    }
    if (dir != PREPAY_MODBUS_ANY && announced > 0 && (size_t)announced != len) {
        abort(); /* a structurally valid frame has the announced length */
    }
    prepay_modbus_request_t parsed;
    if (dir == PREPAY_MODBUS_REQUEST && prepay_modbus_parse_request(&adu, &parsed) == PREPAY_OK) {
        if (parsed.payload && (parsed.payload < adu.data || parsed.payload + parsed.payload_len > adu.data + adu.length)) {
            abort();
        }
        /* Answer it as a server would, then match the answer. */
        static const uint16_t regs[125] = {0};
        static const uint8_t bits[250] = {0};
        prepay_modbus_adu_t resp;
        if (prepay_modbus_response_build(&resp, &adu, regs, bits) == PREPAY_OK && prepay_modbus_match(&adu, &resp) != 0) {
            abort();
        }
    }
    /* Match the frame against a read request of the shape byte's choosing. */
    prepay_modbus_adu_t request;
    uint8_t fn = (uint8_t)(1u + (shape >> 2) % 4u);
    uint16_t quantity = (uint16_t)(1u + (shape >> 4));
    if (prepay_modbus_request_read(&request, adu.unit ? adu.unit : 1, fn, 0, quantity) == PREPAY_OK) {
        int m = prepay_modbus_match(&request, &adu);
        uint16_t values[125];
        uint8_t bitbuf[250];
        int r = fn >= 3 ? prepay_modbus_response_registers(&request, &adu, values, 125)
                        : prepay_modbus_response_bits(&request, &adu, bitbuf, sizeof bitbuf);
        if ((m == PREPAY_OK) != (r >= 0) || (r >= 0 && r != quantity)) {
            abort();
        }
    }
    return 0;
}
