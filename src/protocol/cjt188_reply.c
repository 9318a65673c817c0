/* SPDX-License-Identifier: MIT */
/*
 * CJ/T 188 reply parsers (station side). A reply is matched to the request
 * that was sent: reply direction, same function, the addressed meter, and
 * the same SER (CJ/T 188-2004 clause 8: the slave echoes DI and SER), so a
 * late reply to an earlier request is not taken for the current one. An
 * abnormal reply (C | C0H, data SER + ST) gives PREPAY_E_CJT188_ABNORMAL
 * and its ST stays in the caller's reply frame.
 *
 * Reply lengths (L) by DI, from the 2004 tables: 901F 16H (heat meters
 * 2EH), D120..D12B 08H, 8102 12H, 8103 / 8104 04H, 8105 12H, 8106 04H,
 * 810A 03H; writes: A010 / A016 / A017 05H (with ST), A013 08H (purchase
 * serial + amount echoed), A014 04H (key version), the others 03H.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cjt188_internal.h"
#include "prepay/cjt188.h"

int prepay_cjt188_reply_check(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply)
{
    if (!request || !reply) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || !request->has_di) {
        return PREPAY_E_CJT188_BAD_REQUEST;
    }
    if (!reply->is_reply || reply->function != request->function) {
        return PREPAY_E_CJT188_UNEXPECTED_REPLY;
    }
    /* The meter type must be of the requested family: meters answer a
     * request to 20H with their own 25H (a published exchange does). */
    if (!prepay__cjt188_address_matches(&request->address, &reply->address) ||
        (request->meter_type != PREPAY_CJT188_WILDCARD_BYTE && request->meter_type != reply->meter_type &&
         (prepay__cjt188_meter_family(request->meter_type) == PREPAY_CJT188_FAMILY_UNKNOWN ||
          prepay__cjt188_meter_family(request->meter_type) != prepay__cjt188_meter_family(reply->meter_type)))) {
        return PREPAY_E_CJT188_ADDRESS_MISMATCH;
    }
    if (!reply->has_ser || reply->ser != request->ser) {
        return PREPAY_E_CJT188_SER_MISMATCH;
    }
    if (reply->abnormal) {
        return PREPAY_E_CJT188_ABNORMAL;
    }
    if (reply->di != request->di) {
        return PREPAY_E_CJT188_DI_MISMATCH;
    }
    return PREPAY_OK;
}

/* Checks request kind and reply; on success points *value at the data after DI + SER. */
static int checked_value(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                         unsigned function, uint16_t di_low, uint16_t di_high, const uint8_t **value,
                         size_t *value_len)
{
    if (!request || !reply) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || !request->has_di || request->function != function || request->di < di_low ||
        request->di > di_high) {
        return PREPAY_E_CJT188_BAD_REQUEST;
    }
    int rc = prepay_cjt188_reply_check(request, reply);
    if (rc != PREPAY_OK) {
        return rc;
    }
    *value = reply->data + PREPAY_CJT188_DI_SER_SIZE;
    *value_len = (size_t)reply->length - PREPAY_CJT188_DI_SER_SIZE;
    return PREPAY_OK;
}

int prepay_cjt188_reply_current(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                prepay_cjt188_current_t *out)
{
    const uint8_t *value;
    size_t len;
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int rc = checked_value(request, reply, PREPAY_CJT188_FN_READ, PREPAY_CJT188_DI_CURRENT, PREPAY_CJT188_DI_CURRENT,
                           &value, &len);
    if (rc != PREPAY_OK) {
        return rc;
    }
    return prepay_cjt188_current_decode(reply->meter_type, value, len, out);
}

int prepay_cjt188_reply_history(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                prepay_cjt188_quantity_t *out)
{
    const uint8_t *value;
    size_t len;
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int rc = checked_value(request, reply, PREPAY_CJT188_FN_READ, PREPAY_CJT188_DI_HISTORY_FIRST,
                           PREPAY_CJT188_DI_HISTORY_LAST, &value, &len);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (len != 5) {
        return PREPAY_E_CJT188_BAD_DATA;
    }
    return prepay_cjt188_quantity_decode(value, 4, 2, true, out);
}

int prepay_cjt188_reply_price_table(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                    prepay_cjt188_price_table_t *out)
{
    const uint8_t *value;
    size_t len;
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int rc = checked_value(request, reply, PREPAY_CJT188_FN_READ, PREPAY_CJT188_DI_PRICE_TABLE,
                           PREPAY_CJT188_DI_PRICE_TABLE, &value, &len);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (len != 15) {
        return PREPAY_E_CJT188_BAD_DATA;
    }
    return prepay_cjt188_price_table_decode(value, out);
}

int prepay_cjt188_reply_day(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply, uint8_t *day)
{
    const uint8_t *value;
    size_t len;
    if (!day) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int rc = checked_value(request, reply, PREPAY_CJT188_FN_READ, PREPAY_CJT188_DI_SETTLEMENT_DAY,
                           PREPAY_CJT188_DI_READING_DAY, &value, &len);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (len != 1) {
        return PREPAY_E_CJT188_BAD_DATA;
    }
    uint64_t v;
    if (!prepay__cjt188_bcd_get(value, 1, &v) || v < 1 || v > 31) {
        return PREPAY_E_CJT188_BAD_VALUE;
    }
    *day = (uint8_t)v;
    return PREPAY_OK;
}

int prepay_cjt188_reply_purse(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                              prepay_cjt188_purse_t *out)
{
    const uint8_t *value;
    size_t len;
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int rc = checked_value(request, reply, PREPAY_CJT188_FN_READ, PREPAY_CJT188_DI_PURSE, PREPAY_CJT188_DI_PURSE,
                           &value, &len);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (len != 15) {
        return PREPAY_E_CJT188_BAD_DATA;
    }
    return prepay_cjt188_purse_decode(value, out);
}

int prepay_cjt188_reply_key_version(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                    uint8_t *version)
{
    const uint8_t *value;
    size_t len;
    if (!version) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int rc = checked_value(request, reply, PREPAY_CJT188_FN_READ_KEY_VERSION, PREPAY_CJT188_DI_KEY_VERSION,
                           PREPAY_CJT188_DI_KEY_VERSION, &value, &len);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (len != 1) {
        return PREPAY_E_CJT188_BAD_DATA;
    }
    *version = value[0];
    return PREPAY_OK;
}

int prepay_cjt188_reply_address(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                uint8_t *meter_type, prepay_cjt188_address_t *address)
{
    const uint8_t *value;
    size_t len;
    if (!address) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int rc = checked_value(request, reply, PREPAY_CJT188_FN_READ_ADDRESS, PREPAY_CJT188_DI_ADDRESS,
                           PREPAY_CJT188_DI_ADDRESS, &value, &len);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (len != 0) {
        return PREPAY_E_CJT188_BAD_DATA;
    }
    for (size_t i = 0; i < PREPAY_CJT188_ADDRESS_SIZE; i++) {
        uint8_t b = reply->address.bytes[i];
        if ((b >> 4) > 9 || (b & 0x0F) > 9) {
            return PREPAY_E_CJT188_BAD_ADDRESS;
        }
    }
    if (meter_type) {
        *meter_type = reply->meter_type;
    }
    *address = reply->address;
    return PREPAY_OK;
}

int prepay_cjt188_reply_write(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                              prepay_cjt188_write_ack_t *out)
{
    if (!request || !reply || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned function = request->function;
    if (function != PREPAY_CJT188_FN_WRITE && function != PREPAY_CJT188_FN_WRITE_ADDRESS &&
        function != PREPAY_CJT188_FN_WRITE_BASE) {
        return PREPAY_E_CJT188_BAD_REQUEST;
    }
    const uint8_t *value;
    size_t len;
    int rc = checked_value(request, reply, function, 0x0000u, 0xFFFFu, &value, &len);
    if (rc != PREPAY_OK) {
        return rc;
    }
    prepay_cjt188_write_ack_t ack;
    memset(&ack, 0, sizeof ack);
    ack.di = reply->di;
    switch (request->di) {
    case PREPAY_CJT188_DI_WRITE_PRICE_TABLE:
    case PREPAY_CJT188_DI_WRITE_BASE:
    case PREPAY_CJT188_DI_WRITE_VALVE:
        if (len != 2) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        break;
    case PREPAY_CJT188_DI_WRITE_PURCHASE: {
        uint64_t amount;
        if (len != 5) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        if (!prepay__cjt188_bcd_get(value + 1, 4, &amount)) {
            return PREPAY_E_CJT188_BAD_VALUE;
        }
        /* The meter echoes what it credited: it must be what was sent. */
        if (request->length != PREPAY_CJT188_DI_SER_SIZE + 5 ||
            memcmp(value, request->data + PREPAY_CJT188_DI_SER_SIZE, 5) != 0) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        ack.has_purchase = true;
        ack.purchase_serial = value[0];
        ack.amount_fen = (prepay_money_t)amount;
        break;
    }
    case PREPAY_CJT188_DI_WRITE_KEY:
        if (len != 1) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        ack.has_key_version = true;
        ack.key_version = value[0];
        break;
    default:
        /* A011 A012 A015 A018 A019: DI + SER only; vendor DIs may add ST. */
        if (len != 0 && !(len == 2 && !prepay_cjt188_di_is_known(request->di))) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        break;
    }
    if (len == 2) {
        ack.has_status = true;
        ack.status = (uint16_t)(value[0] | value[1] << 8);
    }
    *out = ack;
    return PREPAY_OK;
}
