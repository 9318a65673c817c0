/* SPDX-License-Identifier: MIT */
/*
 * CJ/T 188 addresses and meter types. The address A0..A6 is 14 BCD digits,
 * low byte first on the wire, A5 A6 being the manufacturer code; all AAH is
 * the broadcast address (CJ/T 188-2004 clause 6, address field). Meter types
 * are grouped by range: 10H..19H water, 20H..29H heat, 30H..39H gas,
 * 40H..49H custom (2004 table of meter types; 22H added in 2018).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cjt188_internal.h"
#include "prepay/cjt188.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

int prepay_cjt188_address_from_string(const char *text, size_t text_len, prepay_cjt188_address_t *out)
{
    if (!text || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (text_len != 2 * PREPAY_CJT188_ADDRESS_SIZE) {
        return PREPAY_E_CJT188_BAD_ADDRESS;
    }
    prepay_cjt188_address_t a;
    for (size_t i = 0; i < PREPAY_CJT188_ADDRESS_SIZE; i++) {
        int high = hex_value(text[2 * i]);
        int low = hex_value(text[2 * i + 1]);
        if (high < 0 || low < 0) {
            return PREPAY_E_CJT188_BAD_ADDRESS;
        }
        uint8_t byte = (uint8_t)(high << 4 | low);
        if (byte != PREPAY_CJT188_WILDCARD_BYTE && (high > 9 || low > 9)) {
            return PREPAY_E_CJT188_BAD_ADDRESS;
        }
        a.bytes[PREPAY_CJT188_ADDRESS_SIZE - 1 - i] = byte;
    }
    *out = a;
    return PREPAY_OK;
}

int prepay_cjt188_address_to_string(const prepay_cjt188_address_t *address, char *out, size_t out_cap)
{
    static const char digits[] = "0123456789ABCDEF";
    if (!address || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (out_cap < 2 * PREPAY_CJT188_ADDRESS_SIZE + 1) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < PREPAY_CJT188_ADDRESS_SIZE; i++) {
        uint8_t byte = address->bytes[PREPAY_CJT188_ADDRESS_SIZE - 1 - i];
        out[2 * i] = digits[byte >> 4];
        out[2 * i + 1] = digits[byte & 0x0F];
    }
    out[2 * PREPAY_CJT188_ADDRESS_SIZE] = '\0';
    return (int)(2 * PREPAY_CJT188_ADDRESS_SIZE);
}

prepay_cjt188_address_t prepay_cjt188_address_wildcard(void)
{
    prepay_cjt188_address_t a;
    memset(a.bytes, PREPAY_CJT188_WILDCARD_BYTE, sizeof a.bytes);
    return a;
}

bool prepay_cjt188_address_matches(const prepay_cjt188_address_t *target, const prepay_cjt188_address_t *meter)
{
    if (!target || !meter) {
        return false;
    }
    return prepay__cjt188_address_matches(target, meter);
}

prepay_cjt188_family_t prepay_cjt188_meter_family(uint8_t meter_type)
{
    return prepay__cjt188_meter_family(meter_type);
}
