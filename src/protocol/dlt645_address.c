/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 meter addresses (DL/T 645-2007 clause 7.1.2): 6 BCD bytes, A0
 * first on the wire; the text on the meter is A5..A0. AA bytes are
 * wildcards (short addressing; all-AA for read/write address); all 99 is the
 * broadcast address.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/dlt645.h"

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    return -1;
}

int prepay_dlt645_address_from_string(const char *text, size_t text_len, prepay_dlt645_address_t *out)
{
    if (!text || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (text_len != 2u * PREPAY_DLT645_ADDRESS_SIZE) {
        return PREPAY_E_DLT645_BAD_ADDRESS;
    }
    prepay_dlt645_address_t a;
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        /* Text pair i is byte A(5 - i). */
        char hi = text[2 * i];
        char lo = text[2 * i + 1];
        uint8_t byte;
        if ((hi == 'A' || hi == 'a') && (lo == 'A' || lo == 'a')) {
            byte = PREPAY_DLT645_ADDRESS_WILDCARD_BYTE;
        } else {
            int h = digit_value(hi);
            int l = digit_value(lo);
            if (h < 0 || l < 0) {
                return PREPAY_E_DLT645_BAD_ADDRESS;
            }
            byte = (uint8_t)(h << 4 | l);
        }
        a.bytes[PREPAY_DLT645_ADDRESS_SIZE - 1 - i] = byte;
    }
    *out = a;
    return PREPAY_OK;
}

int prepay_dlt645_address_to_string(const prepay_dlt645_address_t *address, char *out, size_t out_cap)
{
    static const char hex[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
                                 '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
    if (!address || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (out_cap < 2u * PREPAY_DLT645_ADDRESS_SIZE + 1u) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        uint8_t byte = address->bytes[PREPAY_DLT645_ADDRESS_SIZE - 1 - i];
        out[2 * i] = hex[byte >> 4];
        out[2 * i + 1] = hex[byte & 0x0F];
    }
    out[2 * PREPAY_DLT645_ADDRESS_SIZE] = '\0';
    return (int)(2 * PREPAY_DLT645_ADDRESS_SIZE);
}

prepay_dlt645_address_t prepay_dlt645_address_broadcast(void)
{
    prepay_dlt645_address_t a;
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        a.bytes[i] = PREPAY_DLT645_ADDRESS_BROADCAST_BYTE;
    }
    return a;
}

prepay_dlt645_address_t prepay_dlt645_address_wildcard(void)
{
    prepay_dlt645_address_t a;
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        a.bytes[i] = PREPAY_DLT645_ADDRESS_WILDCARD_BYTE;
    }
    return a;
}

bool prepay_dlt645_address_is_broadcast(const prepay_dlt645_address_t *address)
{
    if (!address) {
        return false;
    }
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        if (address->bytes[i] != PREPAY_DLT645_ADDRESS_BROADCAST_BYTE) {
            return false;
        }
    }
    return true;
}

bool prepay_dlt645_address_is_wildcard(const prepay_dlt645_address_t *address)
{
    if (!address) {
        return false;
    }
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        if (address->bytes[i] == PREPAY_DLT645_ADDRESS_WILDCARD_BYTE) {
            return true;
        }
    }
    return false;
}

bool prepay_dlt645_address_matches(const prepay_dlt645_address_t *target, const prepay_dlt645_address_t *meter)
{
    if (!target || !meter) {
        return false;
    }
    if (prepay_dlt645_address_is_broadcast(target)) {
        return true;
    }
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        uint8_t t = target->bytes[i];
        if (t != PREPAY_DLT645_ADDRESS_WILDCARD_BYTE && t != meter->bytes[i]) {
            return false;
        }
    }
    return true;
}
