/* SPDX-License-Identifier: MIT */
/* Packed BCD in DL/T 645 byte order (see prepay/bcd.h). */
#include "prepay/bcd.h"

#include <stdbool.h>

#include "prepay/status.h"
#include "wide_internal.h"

int prepay_bcd_decode_byte(uint8_t bcd, uint8_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if ((bcd & 0x0Fu) > 9u || (bcd >> 4) > 9u) {
        return PREPAY_E_BAD_BCD;
    }
    *out = (uint8_t)((bcd >> 4) * 10u + (bcd & 0x0Fu));
    return PREPAY_OK;
}

int prepay_bcd_encode_byte(unsigned value, uint8_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (value > 99u) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    *out = (uint8_t)(((value / 10u) << 4) | (value % 10u));
    return PREPAY_OK;
}

/* Shared by the signed and unsigned decoders: top_mask clears the sign bit
 * of the most significant byte. */
static int decode_digits(const uint8_t *in, size_t len, uint8_t top_mask, uint64_t *out)
{
    uint64_t value = 0;
    for (size_t i = len; i-- > 0;) {
        uint8_t byte = in[i];
        if (i == len - 1) {
            byte &= top_mask;
        }
        uint8_t pair;
        if (prepay_bcd_decode_byte(byte, &pair) != PREPAY_OK) {
            return PREPAY_E_BAD_BCD;
        }
        value = value * 100u + pair;
    }
    *out = value;
    return PREPAY_OK;
}

static int encode_digits(uint64_t value, uint8_t *out, size_t len)
{
    uint8_t tmp[PREPAY_BCD_MAX_BYTES];
    for (size_t i = 0; i < len; i++) {
        /* One 64-bit division per byte; the digits from the remainder below 100. */
        unsigned two = (unsigned)prepay__umod64(value, 100u);
        tmp[i] = (uint8_t)(((two / 10u) << 4) | (two % 10u));
        value = prepay__udiv64(value, 100u);
    }
    if (value != 0) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = tmp[i];
    }
    return PREPAY_OK;
}

int prepay_bcd_decode(const uint8_t *in, size_t len, uint64_t *out)
{
    if (!in || !out || len == 0 || len > PREPAY_BCD_MAX_BYTES) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return decode_digits(in, len, 0xFFu, out);
}

int prepay_bcd_encode(uint64_t value, uint8_t *out, size_t len)
{
    if (!out || len == 0 || len > PREPAY_BCD_MAX_BYTES) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return encode_digits(value, out, len);
}

int prepay_bcd_decode_signed(const uint8_t *in, size_t len, int64_t *out)
{
    if (!in || !out || len == 0 || len > PREPAY_BCD_MAX_BYTES) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint64_t magnitude;
    int status = decode_digits(in, len, 0x7Fu, &magnitude);
    if (status != PREPAY_OK) {
        return status;
    }
    /* At most 17 digits: always fits in int64_t. */
    *out = (in[len - 1] & 0x80u) ? -(int64_t)magnitude : (int64_t)magnitude;
    return PREPAY_OK;
}

int prepay_bcd_encode_signed(int64_t value, uint8_t *out, size_t len)
{
    if (!out || len == 0 || len > PREPAY_BCD_MAX_BYTES) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint64_t magnitude = value < 0 ? 0u - (uint64_t)value : (uint64_t)value;
    uint8_t tmp[PREPAY_BCD_MAX_BYTES];
    int status = encode_digits(magnitude, tmp, len);
    if (status != PREPAY_OK || (tmp[len - 1] & 0x80u) != 0) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    if (value < 0) {
        tmp[len - 1] |= 0x80u;
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = tmp[i];
    }
    return PREPAY_OK;
}
