/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 request builders (station side): one function per function code
 * of DL/T 645-2007 (clause 7, one subclause per function) and the 1997
 * read/write. Each lays out the data field before +0x33 and hands it to
 * prepay_dlt645_frame_init(); the frame is written only on success.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlt645_internal.h"
#include "prepay/civil_time.h"
#include "prepay/dlt645.h"

/* Writes a DI of `size` bytes, DI0 first. */
static void put_di(uint8_t *out, uint32_t di, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        out[i] = (uint8_t)(di >> (8 * i));
    }
}

/* Writes PA P0 P1 P2 (4 bytes). */
static void put_password(uint8_t *out, const prepay_dlt645_credentials_t *credentials)
{
    out[0] = credentials->level;
    memcpy(out + 1, credentials->password, 3);
}

/* Writes PA P0 P1 P2 C0 C1 C2 C3 (8 bytes). */
static void put_credentials(uint8_t *out, const prepay_dlt645_credentials_t *credentials)
{
    put_password(out, credentials);
    memcpy(out + 4, credentials->operator_code, 4);
}

static int build(prepay_dlt645_frame_t *out, prepay_dlt645_edition_t edition, const prepay_dlt645_address_t *address,
                 unsigned function, const uint8_t *data, size_t data_len)
{
    if (data_len > PREPAY_DLT645_MAX_DATA) {
        return PREPAY_E_DLT645_DATA_TOO_LONG;
    }
    return prepay_dlt645_frame_init(out, edition, address, prepay_dlt645_control((uint8_t)function, false, false, false),
                                    data, data_len);
}

int prepay_dlt645_request_read(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address, uint32_t di)
{
    if (!out || !address) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t data[4];
    put_di(data, di, 4);
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_READ, data, sizeof data);
}

int prepay_dlt645_request_read_blocks(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                      uint32_t di, uint8_t blocks)
{
    if (!out || !address || blocks == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t data[5];
    put_di(data, di, 4);
    data[4] = blocks;
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_READ, data, sizeof data);
}

int prepay_dlt645_request_read_records(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                       uint32_t di, uint8_t blocks, prepay_time_t start)
{
    if (!out || !address || blocks == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t data[10];
    put_di(data, di, 4);
    data[4] = blocks;
    int rc = prepay_time_to_dlt645_minute(start, data + 5); /* mm hh DD MM YY */
    if (rc != PREPAY_OK) {
        return rc;
    }
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_READ, data, sizeof data);
}

int prepay_dlt645_request_read_follow_up(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                         uint32_t di, uint8_t seq)
{
    if (!out || !address) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t data[5];
    put_di(data, di, 4);
    data[4] = seq;
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_READ_FOLLOW_UP, data, sizeof data);
}

int prepay_dlt645_request_read_address(prepay_dlt645_frame_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_dlt645_address_t all = prepay_dlt645_address_wildcard();
    return build(out, PREPAY_DLT645_EDITION_2007, &all, PREPAY_DLT645_FN_READ_ADDRESS, NULL, 0);
}

int prepay_dlt645_request_write(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address, uint32_t di,
                                const prepay_dlt645_credentials_t *credentials, const uint8_t *value,
                                size_t value_len)
{
    if (!out || !address || !credentials || (!value && value_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (value_len > PREPAY_DLT645_MAX_DATA || 12u + value_len > PREPAY_DLT645_MAX_DATA) {
        return PREPAY_E_DLT645_DATA_TOO_LONG;
    }
    uint8_t data[12 + PREPAY_DLT645_MAX_DATA];
    put_di(data, di, 4);
    put_credentials(data + 4, credentials);
    if (value_len > 0) {
        memcpy(data + 12, value, value_len);
    }
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_WRITE, data, 12 + value_len);
}

/* Whether every byte is packed BCD. */
static bool address_is_bcd(const prepay_dlt645_address_t *address)
{
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        uint8_t b = address->bytes[i];
        if ((b >> 4) > 9 || (b & 0x0F) > 9) {
            return false;
        }
    }
    return true;
}

int prepay_dlt645_request_write_address(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *target,
                                        const prepay_dlt645_address_t *new_address)
{
    if (!out || !target || !new_address) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!address_is_bcd(new_address) || prepay_dlt645_address_is_broadcast(new_address)) {
        return PREPAY_E_DLT645_BAD_ADDRESS;
    }
    return build(out, PREPAY_DLT645_EDITION_2007, target, PREPAY_DLT645_FN_WRITE_ADDRESS, new_address->bytes,
                 PREPAY_DLT645_ADDRESS_SIZE);
}

int prepay_dlt645_request_broadcast_time(prepay_dlt645_frame_t *out, prepay_time_t now)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t data[6];
    int rc = prepay_time_to_dlt645_datetime(now, data); /* ss mm hh DD MM YY */
    if (rc != PREPAY_OK) {
        return rc;
    }
    prepay_dlt645_address_t all = prepay_dlt645_address_broadcast();
    return build(out, PREPAY_DLT645_EDITION_2007, &all, PREPAY_DLT645_FN_BROADCAST_TIME, data, sizeof data);
}

/* One freeze field: value in [lo, hi] or the wildcard 99, as a BCD byte. */
static int freeze_field(unsigned value, unsigned lo, unsigned hi, uint8_t *out)
{
    if (value != 99u && (value < lo || value > hi)) {
        return PREPAY_E_DLT645_BAD_FREEZE_TIME;
    }
    *out = (uint8_t)((value / 10u) << 4 | (value % 10u));
    return PREPAY_OK;
}

int prepay_dlt645_request_freeze(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                 unsigned minute, unsigned hour, unsigned day, unsigned month)
{
    if (!out || !address) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t data[4];
    if (freeze_field(minute, 0, 59, &data[0]) != PREPAY_OK || freeze_field(hour, 0, 23, &data[1]) != PREPAY_OK ||
        freeze_field(day, 1, 31, &data[2]) != PREPAY_OK || freeze_field(month, 1, 12, &data[3]) != PREPAY_OK) {
        return PREPAY_E_DLT645_BAD_FREEZE_TIME;
    }
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_FREEZE, data, sizeof data);
}

int prepay_dlt645_baud_to_feature(uint32_t baud, uint8_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t feature;
    switch (baud) {
    case 2400: feature = PREPAY_DLT645_BAUD_2400; break;
    case 4800: feature = PREPAY_DLT645_BAUD_4800; break;
    case 9600: feature = PREPAY_DLT645_BAUD_9600; break;
    case 19200: feature = PREPAY_DLT645_BAUD_19200; break;
    default: return PREPAY_E_DLT645_BAD_BAUD;
    }
    *out = feature;
    return PREPAY_OK;
}

int prepay_dlt645_baud_from_feature(uint8_t feature, uint32_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t baud;
    switch (feature) {
    case PREPAY_DLT645_BAUD_2400: baud = 2400; break;
    case PREPAY_DLT645_BAUD_4800: baud = 4800; break;
    case PREPAY_DLT645_BAUD_9600: baud = 9600; break;
    case PREPAY_DLT645_BAUD_19200: baud = 19200; break;
    default: return PREPAY_E_DLT645_BAD_BAUD;
    }
    *out = baud;
    return PREPAY_OK;
}

int prepay_dlt645_request_change_baud(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                      uint32_t baud)
{
    if (!out || !address) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t feature;
    int rc = prepay_dlt645_baud_to_feature(baud, &feature);
    if (rc != PREPAY_OK) {
        return rc;
    }
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_CHANGE_BAUD, &feature, 1);
}

int prepay_dlt645_request_change_password(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                          const prepay_dlt645_credentials_t *old_password,
                                          const prepay_dlt645_credentials_t *new_password)
{
    if (!out || !address || !old_password || !new_password) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (new_password->level > 9) {
        return PREPAY_E_DLT645_BAD_PASSWORD_LEVEL;
    }
    uint8_t data[12];
    put_di(data, PREPAY_DLT645_DI_PASSWORD_LEVEL0 + new_password->level, 4);
    put_password(data + 4, old_password);
    put_password(data + 8, new_password);
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_CHANGE_PASSWORD, data, sizeof data);
}

static int request_clear(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                         const prepay_dlt645_credentials_t *credentials, unsigned function)
{
    if (!out || !address || !credentials) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t data[8];
    put_credentials(data, credentials);
    return build(out, PREPAY_DLT645_EDITION_2007, address, function, data, sizeof data);
}

int prepay_dlt645_request_clear_demand(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                       const prepay_dlt645_credentials_t *credentials)
{
    return request_clear(out, address, credentials, PREPAY_DLT645_FN_CLEAR_DEMAND);
}

int prepay_dlt645_request_clear_meter(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                      const prepay_dlt645_credentials_t *credentials)
{
    return request_clear(out, address, credentials, PREPAY_DLT645_FN_CLEAR_METER);
}

int prepay_dlt645_request_clear_events(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                       const prepay_dlt645_credentials_t *credentials, uint32_t event_di)
{
    if (!out || !address || !credentials) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t data[12];
    put_credentials(data, credentials);
    put_di(data + 8, event_di, 4);
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_CLEAR_EVENTS, data, sizeof data);
}

bool prepay__dlt645_relay_command_is_valid(uint8_t command)
{
    switch (command) {
    case PREPAY_DLT645_RELAY_TRIP:
    case PREPAY_DLT645_RELAY_CLOSE_ALLOWED:
    case PREPAY_DLT645_RELAY_DIRECT_CLOSE:
    case PREPAY_DLT645_RELAY_ALARM:
    case PREPAY_DLT645_RELAY_ALARM_RELEASE:
    case PREPAY_DLT645_RELAY_KEEP_POWER:
    case PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE:
        return true;
    default:
        return false;
    }
}

int prepay_dlt645_request_relay_control(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                        const prepay_dlt645_credentials_t *credentials, uint8_t command,
                                        prepay_time_t valid_until)
{
    if (!out || !address || !credentials) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!prepay__dlt645_relay_command_is_valid(command)) {
        return PREPAY_E_DLT645_BAD_RELAY_COMMAND;
    }
    uint8_t data[16];
    put_credentials(data, credentials);
    data[8] = command;
    data[9] = 0; /* N2, reserved */
    if (valid_until == PREPAY_DLT645_RELAY_NO_TIME) {
        memset(data + 10, 0, 6);
    } else {
        int rc = prepay_time_to_dlt645_datetime(valid_until, data + 10); /* ss mm hh DD MM YY */
        if (rc != PREPAY_OK) {
            return rc;
        }
    }
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_RELAY_CONTROL, data, sizeof data);
}

int prepay_dlt645_request_security(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address, uint32_t di,
                                   const uint8_t operator_code[4], const uint8_t *payload, size_t payload_len)
{
    if (!out || !address || !operator_code || (!payload && payload_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (payload_len > PREPAY_DLT645_MAX_DATA || 8u + payload_len > PREPAY_DLT645_MAX_DATA) {
        return PREPAY_E_DLT645_DATA_TOO_LONG;
    }
    uint8_t data[8 + PREPAY_DLT645_MAX_DATA];
    put_di(data, di, 4);
    memcpy(data + 4, operator_code, 4);
    if (payload_len > 0) {
        memcpy(data + 8, payload, payload_len);
    }
    return build(out, PREPAY_DLT645_EDITION_2007, address, PREPAY_DLT645_FN_SECURITY, data, 8 + payload_len);
}

int prepay_dlt645_request_read_1997(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address, uint16_t di)
{
    if (!out || !address) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t data[2];
    put_di(data, di, 2);
    return build(out, PREPAY_DLT645_EDITION_1997, address, PREPAY_DLT645_1997_FN_READ, data, sizeof data);
}

int prepay_dlt645_request_write_1997(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address, uint16_t di,
                                     const prepay_dlt645_credentials_t *credentials, const uint8_t *value,
                                     size_t value_len)
{
    if (!out || !address || !credentials || (!value && value_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (value_len > PREPAY_DLT645_MAX_DATA || 6u + value_len > PREPAY_DLT645_MAX_DATA) {
        return PREPAY_E_DLT645_DATA_TOO_LONG;
    }
    uint8_t data[6 + PREPAY_DLT645_MAX_DATA];
    put_di(data, di, 2);
    put_password(data + 2, credentials);
    if (value_len > 0) {
        memcpy(data + 6, value, value_len);
    }
    return build(out, PREPAY_DLT645_EDITION_1997, address, PREPAY_DLT645_1997_FN_WRITE, data, 6 + value_len);
}
