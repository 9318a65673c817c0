/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 reply parsers (station side) and request parsers (meter side).
 *
 * A reply is matched to the request that was sent: same function, reply
 * direction, from the addressed meter. Abnormal replies (C | 0xC0) give
 * PREPAY_E_DLT645_ABNORMAL and leave the error byte (or, for 03, the
 * security error word) in the caller's reply frame, so it is never lost.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlt645_internal.h"
#include "prepay/civil_time.h"
#include "prepay/dlt645.h"

int prepay_dlt645_reply_check(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply)
{
    if (!request || !reply) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply) {
        return PREPAY_E_DLT645_BAD_REQUEST;
    }
    if (!reply->is_reply || reply->function != request->function) {
        return PREPAY_E_DLT645_UNEXPECTED_REPLY;
    }
    if (!prepay_dlt645_address_matches(&request->address, &reply->address)) {
        return PREPAY_E_DLT645_ADDRESS_MISMATCH;
    }
    if (reply->abnormal) {
        return PREPAY_E_DLT645_ABNORMAL;
    }
    return PREPAY_OK;
}

static bool is_read_request(const prepay_dlt645_frame_t *request)
{
    if (request->is_reply || request->di_size == 0) {
        return false;
    }
    if (request->edition == PREPAY_DLT645_EDITION_1997) {
        return request->function == PREPAY_DLT645_1997_FN_READ ||
               request->function == PREPAY_DLT645_1997_FN_READ_FOLLOW_UP;
    }
    return request->function == PREPAY_DLT645_FN_READ || request->function == PREPAY_DLT645_FN_READ_FOLLOW_UP;
}

int prepay_dlt645_reply_read(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply,
                             prepay_dlt645_read_reply_t *out)
{
    if (!request || !reply || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_read_request(request)) {
        return PREPAY_E_DLT645_BAD_REQUEST;
    }
    int rc = prepay_dlt645_reply_check(request, reply);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (reply->di_size != request->di_size || reply->length < reply->di_size) {
        return PREPAY_E_DLT645_BAD_REPLY;
    }
    if (reply->di != request->di) {
        return PREPAY_E_DLT645_DI_MISMATCH;
    }
    size_t value_len = (size_t)reply->length - reply->di_size;
    bool has_seq = request->edition == PREPAY_DLT645_EDITION_2007 &&
                   request->function == PREPAY_DLT645_FN_READ_FOLLOW_UP;
    uint8_t seq = 0;
    if (has_seq) {
        /* 92/B2: DI + data + SEQ. */
        if (value_len < 1) {
            return PREPAY_E_DLT645_BAD_REPLY;
        }
        value_len--;
        seq = reply->data[reply->length - 1];
    }
    out->di = reply->di;
    out->value = reply->data + reply->di_size;
    out->value_len = value_len;
    out->follow_up = reply->follow_up;
    out->has_seq = has_seq;
    out->seq = seq;
    return PREPAY_OK;
}

int prepay_dlt645_reply_read_address(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply,
                                     prepay_dlt645_address_t *out)
{
    if (!request || !reply || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || request->function != PREPAY_DLT645_FN_READ_ADDRESS) {
        return PREPAY_E_DLT645_BAD_REQUEST;
    }
    int rc = prepay_dlt645_reply_check(request, reply);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (reply->length != PREPAY_DLT645_ADDRESS_SIZE ||
        memcmp(reply->data, reply->address.bytes, PREPAY_DLT645_ADDRESS_SIZE) != 0) {
        return PREPAY_E_DLT645_BAD_REPLY;
    }
    memcpy(out->bytes, reply->data, PREPAY_DLT645_ADDRESS_SIZE);
    return PREPAY_OK;
}

int prepay_dlt645_reply_change_baud(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply,
                                    uint32_t *baud)
{
    if (!request || !reply || !baud) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || request->edition != PREPAY_DLT645_EDITION_2007 ||
        request->function != PREPAY_DLT645_FN_CHANGE_BAUD || request->length != 1) {
        return PREPAY_E_DLT645_BAD_REQUEST;
    }
    int rc = prepay_dlt645_reply_check(request, reply);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (reply->length != 1) {
        return PREPAY_E_DLT645_BAD_REPLY;
    }
    uint32_t rate;
    rc = prepay_dlt645_baud_from_feature(reply->data[0], &rate);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (reply->data[0] != request->data[0]) {
        return PREPAY_E_DLT645_BAD_REPLY;
    }
    *baud = rate;
    return PREPAY_OK;
}

/* Functions whose normal reply carries no data (98 may echo the new password). */
static bool is_ack_function(uint16_t edition, unsigned function)
{
    if (edition == PREPAY_DLT645_EDITION_1997) {
        return function == PREPAY_DLT645_1997_FN_WRITE || function == PREPAY_DLT645_1997_FN_WRITE_ADDRESS ||
               function == PREPAY_DLT645_1997_FN_CHANGE_PASSWORD;
    }
    switch (function) {
    case PREPAY_DLT645_FN_WRITE:
    case PREPAY_DLT645_FN_WRITE_ADDRESS:
    case PREPAY_DLT645_FN_FREEZE:
    case PREPAY_DLT645_FN_CHANGE_PASSWORD:
    case PREPAY_DLT645_FN_CLEAR_DEMAND:
    case PREPAY_DLT645_FN_CLEAR_METER:
    case PREPAY_DLT645_FN_CLEAR_EVENTS:
    case PREPAY_DLT645_FN_RELAY_CONTROL:
        return true;
    default:
        return false;
    }
}

int prepay_dlt645_reply_ack(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply)
{
    if (!request || !reply) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || !is_ack_function(request->edition, request->function)) {
        return PREPAY_E_DLT645_BAD_REQUEST;
    }
    int rc = prepay_dlt645_reply_check(request, reply);
    if (rc != PREPAY_OK) {
        return rc;
    }
    bool password_echo = request->edition == PREPAY_DLT645_EDITION_2007 &&
                         request->function == PREPAY_DLT645_FN_CHANGE_PASSWORD && reply->length == 4;
    if (reply->length != 0 && !password_echo) {
        return PREPAY_E_DLT645_BAD_REPLY;
    }
    return PREPAY_OK;
}

int prepay_dlt645_reply_security(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply,
                                 prepay_dlt645_read_reply_t *out)
{
    if (!request || !reply || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || request->edition != PREPAY_DLT645_EDITION_2007 ||
        request->function != PREPAY_DLT645_FN_SECURITY || request->di_size != PREPAY_DLT645_DI_SIZE_2007) {
        return PREPAY_E_DLT645_BAD_REQUEST;
    }
    int rc = prepay_dlt645_reply_check(request, reply);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (reply->di_size != PREPAY_DLT645_DI_SIZE_2007 || reply->length < PREPAY_DLT645_DI_SIZE_2007) {
        return PREPAY_E_DLT645_BAD_REPLY;
    }
    if (reply->di != request->di) {
        return PREPAY_E_DLT645_DI_MISMATCH;
    }
    out->di = reply->di;
    out->value = reply->data + PREPAY_DLT645_DI_SIZE_2007;
    out->value_len = (size_t)reply->length - PREPAY_DLT645_DI_SIZE_2007;
    out->follow_up = reply->follow_up;
    out->has_seq = false;
    out->seq = 0;
    return PREPAY_OK;
}

static void get_credentials(const uint8_t *data, prepay_dlt645_credentials_t *out)
{
    out->level = data[0];
    memcpy(out->password, data + 1, 3);
    memcpy(out->operator_code, data + 4, 4);
}

int prepay_dlt645_parse_write_request(const prepay_dlt645_frame_t *request, prepay_dlt645_write_request_t *out)
{
    if (!request || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || request->edition != PREPAY_DLT645_EDITION_2007 ||
        request->function != PREPAY_DLT645_FN_WRITE || request->length < 12 ||
        request->di_size != PREPAY_DLT645_DI_SIZE_2007) {
        return PREPAY_E_DLT645_BAD_REQUEST;
    }
    prepay_dlt645_write_request_t w;
    w.di = request->di;
    get_credentials(request->data + 4, &w.credentials);
    w.value = request->data + 12;
    w.value_len = (size_t)request->length - 12;
    *out = w;
    return PREPAY_OK;
}

int prepay_dlt645_parse_relay_request(const prepay_dlt645_frame_t *request, prepay_dlt645_relay_request_t *out)
{
    if (!request || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (request->is_reply || request->edition != PREPAY_DLT645_EDITION_2007 ||
        request->function != PREPAY_DLT645_FN_RELAY_CONTROL || request->length != 16) {
        return PREPAY_E_DLT645_BAD_REQUEST;
    }
    prepay_dlt645_relay_request_t r;
    get_credentials(request->data, &r.credentials);
    r.command = request->data[8];
    r.reserved = request->data[9];
    if (!prepay__dlt645_relay_command_is_valid(r.command)) {
        return PREPAY_E_DLT645_BAD_RELAY_COMMAND;
    }
    static const uint8_t zero[6] = {0, 0, 0, 0, 0, 0};
    if (memcmp(request->data + 10, zero, sizeof zero) == 0) {
        r.valid_until = PREPAY_DLT645_RELAY_NO_TIME; /* no time given: the meter's policy decides */
    } else {
        int rc = prepay_time_from_dlt645_datetime(request->data + 10, &r.valid_until);
        if (rc != PREPAY_OK) {
            return rc;
        }
    }
    *out = r;
    return PREPAY_OK;
}
