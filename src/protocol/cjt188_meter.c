/* SPDX-License-Identifier: MIT */
/*
 * CJ/T 188 meter side: parse a request into a typed command, build normal
 * and abnormal replies, and the purchase-serial rule that makes top-ups
 * idempotent.
 *
 * Idempotency keys on the A013 purchase serial (本次购买序号), never on the
 * frame's SER: SER only pairs a reply with its request and the station
 * increments it for every exchange, including a retry of the same top-up.
 * A meter that de-duplicated by SER would credit a retried top-up twice
 * (new SER) and could refuse a genuine new one (reused SER).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cjt188_internal.h"
#include "prepay/cjt188.h"

static int bcd_day(uint8_t byte, uint8_t *day)
{
    uint64_t v;
    if (!prepay__cjt188_bcd_get(&byte, 1, &v) || v < 1 || v > 31) {
        return PREPAY_E_CJT188_BAD_VALUE;
    }
    *day = (uint8_t)v;
    return PREPAY_OK;
}

/* Parses the data of a function-04 write by its DI. */
static int parse_write(const uint8_t *v, size_t len, prepay_cjt188_command_t *c)
{
    int rc;
    switch (c->di) {
    case PREPAY_CJT188_DI_WRITE_PRICE_TABLE:
        if (len != 16) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        if ((rc = prepay_cjt188_price_table_decode(v, &c->price_table)) != PREPAY_OK ||
            (rc = bcd_day(v[15], &c->price_table.start_day)) != PREPAY_OK) {
            return rc;
        }
        c->kind = PREPAY_CJT188_COMMAND_PRICE_TABLE;
        return PREPAY_OK;
    case PREPAY_CJT188_DI_WRITE_SETTLEMENT_DAY:
    case PREPAY_CJT188_DI_WRITE_READING_DAY:
        if (len != 1) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        if ((rc = bcd_day(v[0], &c->day)) != PREPAY_OK) {
            return rc;
        }
        c->kind = c->di == PREPAY_CJT188_DI_WRITE_SETTLEMENT_DAY ? PREPAY_CJT188_COMMAND_SETTLEMENT_DAY
                                                                : PREPAY_CJT188_COMMAND_READING_DAY;
        return PREPAY_OK;
    case PREPAY_CJT188_DI_WRITE_PURCHASE: {
        uint64_t amount;
        if (len != 5) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        if (!prepay__cjt188_bcd_get(v + 1, 4, &amount)) {
            return PREPAY_E_CJT188_BAD_VALUE;
        }
        c->purchase_serial = v[0];
        c->amount_fen = (prepay_money_t)amount; /* XXXXXX.XX yuan: the digits are fen */
        c->kind = PREPAY_CJT188_COMMAND_PURCHASE;
        return PREPAY_OK;
    }
    case PREPAY_CJT188_DI_WRITE_KEY:
        if (len != 9) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        c->key_version = v[0];
        memcpy(c->key, v + 1, 8);
        c->kind = PREPAY_CJT188_COMMAND_KEY;
        return PREPAY_OK;
    case PREPAY_CJT188_DI_WRITE_TIME:
        if (len != 7) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        if (prepay_cjt188_clock_decode(v, &c->time) != PREPAY_CJT188_CLOCK_VALID) {
            return PREPAY_E_CJT188_BAD_VALUE;
        }
        c->kind = PREPAY_CJT188_COMMAND_TIME;
        return PREPAY_OK;
    case PREPAY_CJT188_DI_WRITE_VALVE:
        if (len != 1) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        if (v[0] != PREPAY_CJT188_VALVE_OPEN && v[0] != PREPAY_CJT188_VALVE_CLOSE) {
            return PREPAY_E_CJT188_BAD_VALVE_COMMAND;
        }
        c->valve_open = v[0] == PREPAY_CJT188_VALVE_OPEN;
        c->kind = PREPAY_CJT188_COMMAND_VALVE;
        return PREPAY_OK;
    case PREPAY_CJT188_DI_FACTORY_ENABLE:
        if (len != 0) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        c->kind = PREPAY_CJT188_COMMAND_FACTORY_ENABLE;
        return PREPAY_OK;
    case PREPAY_CJT188_DI_WRITE_BASE:
    case PREPAY_CJT188_DI_WRITE_ADDRESS:
        return PREPAY_E_CJT188_BAD_REQUEST; /* these go with functions 16H and 15H */
    default:
        c->kind = PREPAY_CJT188_COMMAND_OTHER_WRITE;
        return PREPAY_OK;
    }
}

int prepay_cjt188_parse_request(const prepay_cjt188_frame_t *request, prepay_cjt188_command_t *out)
{
    if (!request || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || !request->has_di) {
        return PREPAY_E_CJT188_BAD_REQUEST;
    }
    prepay_cjt188_command_t c;
    memset(&c, 0, sizeof c);
    c.di = request->di;
    c.ser = request->ser;
    c.value = request->data + PREPAY_CJT188_DI_SER_SIZE;
    c.value_len = (size_t)request->length - PREPAY_CJT188_DI_SER_SIZE;
    const uint8_t *v = c.value;
    const size_t len = c.value_len;
    int rc = PREPAY_OK;
    switch (request->function) {
    case PREPAY_CJT188_FN_READ:
        if (len != 0) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        c.kind = PREPAY_CJT188_COMMAND_READ;
        break;
    case PREPAY_CJT188_FN_READ_ADDRESS:
    case PREPAY_CJT188_FN_READ_KEY_VERSION: {
        bool address = request->function == PREPAY_CJT188_FN_READ_ADDRESS;
        if (c.di != (address ? PREPAY_CJT188_DI_ADDRESS : PREPAY_CJT188_DI_KEY_VERSION)) {
            return PREPAY_E_CJT188_BAD_REQUEST;
        }
        if (len != 0) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        c.kind = address ? PREPAY_CJT188_COMMAND_READ_ADDRESS : PREPAY_CJT188_COMMAND_READ_KEY_VERSION;
        break;
    }
    case PREPAY_CJT188_FN_WRITE_ADDRESS:
        if (c.di != PREPAY_CJT188_DI_WRITE_ADDRESS) {
            return PREPAY_E_CJT188_BAD_REQUEST;
        }
        if (len != PREPAY_CJT188_ADDRESS_SIZE) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        for (size_t i = 0; i < PREPAY_CJT188_ADDRESS_SIZE; i++) {
            if ((v[i] >> 4) > 9 || (v[i] & 0x0F) > 9) {
                return PREPAY_E_CJT188_BAD_ADDRESS;
            }
        }
        memcpy(c.new_address.bytes, v, PREPAY_CJT188_ADDRESS_SIZE);
        c.kind = PREPAY_CJT188_COMMAND_WRITE_ADDRESS;
        break;
    case PREPAY_CJT188_FN_WRITE_BASE:
        if (c.di != PREPAY_CJT188_DI_WRITE_BASE) {
            return PREPAY_E_CJT188_BAD_REQUEST;
        }
        if (len != 5) {
            return PREPAY_E_CJT188_BAD_DATA;
        }
        if ((rc = prepay_cjt188_quantity_decode(v, 4, 2, true, &c.base)) != PREPAY_OK) {
            return rc;
        }
        if (!c.base.present) {
            return PREPAY_E_CJT188_BAD_VALUE;
        }
        c.kind = PREPAY_CJT188_COMMAND_BASE;
        break;
    case PREPAY_CJT188_FN_WRITE:
        if ((rc = parse_write(v, len, &c)) != PREPAY_OK) {
            return rc;
        }
        break;
    default:
        return PREPAY_E_CJT188_BAD_REQUEST;
    }
    *out = c;
    return PREPAY_OK;
}

int prepay_cjt188_reply_build(prepay_cjt188_frame_t *out, const prepay_cjt188_frame_t *request,
                              const prepay_cjt188_target_t *self, const uint8_t *value, size_t value_len)
{
    if (!out || !request || !self || (!value && value_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || !request->has_di) {
        return PREPAY_E_CJT188_BAD_REQUEST;
    }
    if (value_len > (size_t)PREPAY_CJT188_MAX_DATA - PREPAY_CJT188_DI_SER_SIZE) {
        return PREPAY_E_CJT188_DATA_TOO_LONG;
    }
    uint8_t data[PREPAY_CJT188_MAX_DATA];
    prepay__cjt188_put_di(data, request->di, request->di_order);
    data[2] = request->ser;
    if (value_len > 0) {
        memcpy(data + PREPAY_CJT188_DI_SER_SIZE, value, value_len);
    }
    return prepay_cjt188_frame_init(out, (prepay_cjt188_di_order_t)request->di_order, self->meter_type,
                                    &self->address, prepay_cjt188_control(request->function, true, false), data,
                                    PREPAY_CJT188_DI_SER_SIZE + value_len);
}

int prepay_cjt188_reply_build_abnormal(prepay_cjt188_frame_t *out, const prepay_cjt188_frame_t *request,
                                       const prepay_cjt188_target_t *self, uint16_t status)
{
    if (!out || !request || !self) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || !request->has_ser) {
        return PREPAY_E_CJT188_BAD_REQUEST;
    }
    uint8_t data[PREPAY_CJT188_ABNORMAL_LENGTH] = {request->ser, (uint8_t)status, (uint8_t)(status >> 8)};
    return prepay_cjt188_frame_init(out, (prepay_cjt188_di_order_t)request->di_order, self->meter_type,
                                    &self->address, prepay_cjt188_control(request->function, true, true), data,
                                    sizeof data);
}

static bool is_bcd(uint8_t b)
{
    return (b >> 4) <= 9 && (b & 0x0F) <= 9;
}

int prepay_cjt188_purchase_check(bool has_last, uint8_t last_serial, uint8_t serial, bool bcd)
{
    if (bcd && (!is_bcd(serial) || (has_last && !is_bcd(last_serial)))) {
        return PREPAY_E_CJT188_BAD_VALUE;
    }
    if (!has_last) {
        return PREPAY_OK;
    }
    if (serial == last_serial) {
        return PREPAY_E_CJT188_PURCHASE_REPEAT;
    }
    uint8_t next;
    if (bcd) {
        unsigned n = (unsigned)(last_serial >> 4) * 10u + (last_serial & 0x0Fu) + 1u;
        n %= 100u;
        next = (uint8_t)((n / 10u) << 4 | (n % 10u));
    } else {
        next = (uint8_t)(last_serial + 1u);
    }
    return serial == next ? PREPAY_OK : PREPAY_E_CJT188_PURCHASE_SEQUENCE;
}
