/* SPDX-License-Identifier: MIT */
/*
 * CJ/T 188 request builders (station side), one per function and data
 * identifier of CJ/T 188-2004 (read data 01, read address 03, write data 04,
 * read key version 09, write address 15H, write base 16H). Each lays out
 * DI + SER + value and hands it to prepay_cjt188_frame_init(); the frame is
 * written only on success.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cjt188_internal.h"
#include "prepay/cjt188.h"

int prepay__cjt188_build(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, unsigned function,
                         uint16_t di, uint8_t ser, const uint8_t *value, size_t value_len)
{
    if (!out || !target || (!value && value_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!prepay__cjt188_di_order_is_valid(target->di_order)) {
        return PREPAY_E_CJT188_BAD_DI_ORDER;
    }
    if (value_len > (size_t)PREPAY_CJT188_MAX_DATA - PREPAY_CJT188_DI_SER_SIZE) {
        return PREPAY_E_CJT188_DATA_TOO_LONG;
    }
    uint8_t data[PREPAY_CJT188_MAX_DATA];
    uint8_t order = target->di_order == PREPAY_CJT188_DI_LOW_FIRST ? (uint8_t)PREPAY_CJT188_DI_LOW_FIRST
                                                                   : (uint8_t)PREPAY_CJT188_DI_HIGH_FIRST;
    prepay__cjt188_put_di(data, di, order);
    data[2] = ser;
    if (value_len > 0) {
        memcpy(data + PREPAY_CJT188_DI_SER_SIZE, value, value_len);
    }
    return prepay_cjt188_frame_init(out, (prepay_cjt188_di_order_t)order, target->meter_type, &target->address,
                                    prepay_cjt188_control((uint8_t)function, false, false), data,
                                    PREPAY_CJT188_DI_SER_SIZE + value_len);
}

int prepay_cjt188_request_read(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, uint16_t di,
                               uint8_t ser)
{
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_READ, di, ser, (const uint8_t *)0, 0);
}

int prepay_cjt188_request_read_address(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                       uint8_t ser)
{
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_READ_ADDRESS, PREPAY_CJT188_DI_ADDRESS, ser,
                                (const uint8_t *)0, 0);
}

int prepay_cjt188_request_read_key_version(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                           uint8_t ser)
{
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_READ_KEY_VERSION, PREPAY_CJT188_DI_KEY_VERSION, ser,
                                (const uint8_t *)0, 0);
}

static bool day_is_valid(uint8_t day)
{
    return day >= 1 && day <= 31;
}

static uint8_t day_to_bcd(uint8_t day)
{
    return (uint8_t)((day / 10u) << 4 | (day % 10u));
}

int prepay_cjt188_request_write_price_table(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                            uint8_t ser, const prepay_cjt188_price_table_t *table)
{
    if (!out || !target || !table) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t value[16];
    int rc = prepay_cjt188_price_table_encode(table, value);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (!day_is_valid(table->start_day)) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    value[15] = day_to_bcd(table->start_day);
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_WRITE, PREPAY_CJT188_DI_WRITE_PRICE_TABLE, ser, value,
                                sizeof value);
}

int prepay_cjt188_request_write_day(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, uint8_t ser,
                                    uint16_t di, uint8_t day)
{
    if (!out || !target ||
        (di != PREPAY_CJT188_DI_WRITE_SETTLEMENT_DAY && di != PREPAY_CJT188_DI_WRITE_READING_DAY)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!day_is_valid(day)) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    uint8_t value[1] = {day_to_bcd(day)};
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_WRITE, di, ser, value, sizeof value);
}

int prepay_cjt188_request_purchase(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, uint8_t ser,
                                   uint8_t purchase_serial, prepay_money_t amount_fen)
{
    if (!out || !target) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t value[5];
    value[0] = purchase_serial;
    if (amount_fen < 0 || !prepay__cjt188_bcd_put((uint64_t)amount_fen, value + 1, 4)) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_WRITE, PREPAY_CJT188_DI_WRITE_PURCHASE, ser, value,
                                sizeof value);
}

int prepay_cjt188_request_write_key(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, uint8_t ser,
                                    uint8_t version, const uint8_t key[8])
{
    if (!out || !target || !key) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t value[9];
    value[0] = version;
    memcpy(value + 1, key, 8);
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_WRITE, PREPAY_CJT188_DI_WRITE_KEY, ser, value,
                                sizeof value);
}

int prepay_cjt188_request_write_time(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, uint8_t ser,
                                     prepay_time_t now)
{
    if (!out || !target) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t value[7];
    int rc = prepay_cjt188_clock_encode(now, value);
    if (rc != PREPAY_OK) {
        return rc;
    }
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_WRITE, PREPAY_CJT188_DI_WRITE_TIME, ser, value,
                                sizeof value);
}

int prepay_cjt188_request_valve(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, uint8_t ser,
                                bool open)
{
    uint8_t value[1] = {open ? (uint8_t)PREPAY_CJT188_VALVE_OPEN : (uint8_t)PREPAY_CJT188_VALVE_CLOSE};
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_WRITE, PREPAY_CJT188_DI_WRITE_VALVE, ser, value,
                                sizeof value);
}

int prepay_cjt188_request_factory_enable(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                         uint8_t ser)
{
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_WRITE, PREPAY_CJT188_DI_FACTORY_ENABLE, ser,
                                (const uint8_t *)0, 0);
}

static bool address_is_bcd(const prepay_cjt188_address_t *a)
{
    for (size_t i = 0; i < PREPAY_CJT188_ADDRESS_SIZE; i++) {
        if ((a->bytes[i] >> 4) > 9 || (a->bytes[i] & 0x0F) > 9) {
            return false;
        }
    }
    return true;
}

int prepay_cjt188_request_write_address(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                        uint8_t ser, const prepay_cjt188_address_t *new_address)
{
    if (!out || !target || !new_address) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!address_is_bcd(new_address)) {
        return PREPAY_E_CJT188_BAD_ADDRESS;
    }
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_WRITE_ADDRESS, PREPAY_CJT188_DI_WRITE_ADDRESS, ser,
                                new_address->bytes, PREPAY_CJT188_ADDRESS_SIZE);
}

int prepay_cjt188_request_write_base(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, uint8_t ser,
                                     const prepay_cjt188_quantity_t *base)
{
    if (!out || !target || !base || !base->present || base->decimals != 2) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t value[5];
    int rc = prepay_cjt188_quantity_encode(base, 4, true, value);
    if (rc != PREPAY_OK) {
        return rc;
    }
    return prepay__cjt188_build(out, target, PREPAY_CJT188_FN_WRITE_BASE, PREPAY_CJT188_DI_WRITE_BASE, ser, value,
                                sizeof value);
}
