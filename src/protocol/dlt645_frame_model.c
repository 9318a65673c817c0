/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 frame model: the control byte (DL/T 645-2007 clause 7.1.3), the
 * checksum (clause 7.1), and the rules deriving a frame's interpreted
 * members (edition, DI, error field) from C, L and the data. Shared by the
 * decoder and prepay_dlt645_frame_init().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlt645_internal.h"
#include "../common/size_internal.h"
#include "prepay/dlt645.h"

uint8_t prepay_dlt645_control(uint8_t function, bool is_reply, bool abnormal, bool follow_up)
{
    unsigned c = function & PREPAY_DLT645_CONTROL_FUNCTION_MASK;
    if (is_reply) {
        c |= PREPAY_DLT645_CONTROL_REPLY;
    }
    if (abnormal) {
        c |= PREPAY_DLT645_CONTROL_ABNORMAL;
    }
    if (follow_up) {
        c |= PREPAY_DLT645_CONTROL_FOLLOW_UP;
    }
    return (uint8_t)c;
}

uint8_t prepay_dlt645_checksum(const uint8_t *bytes, size_t len)
{
    unsigned sum = 0;
    if (!bytes) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        sum += bytes[i];
    }
    return (uint8_t)sum;
}

int prepay__dlt645_derive(prepay_dlt645_edition_t edition, uint8_t control, uint8_t length, const uint8_t *data,
                          uint8_t offset, prepay__dlt645_derived_t *out)
{
    prepay__dlt645_derived_t d;
    d.function = (uint8_t)(control & PREPAY_DLT645_CONTROL_FUNCTION_MASK);
    d.is_reply = (control & PREPAY_DLT645_CONTROL_REPLY) != 0;
    d.abnormal = d.is_reply && (control & PREPAY_DLT645_CONTROL_ABNORMAL) != 0;
    d.follow_up = d.is_reply && (control & PREPAY_DLT645_CONTROL_FOLLOW_UP) != 0;
    if (edition == PREPAY_DLT645_EDITION_AUTO) {
        d.edition = prepay__dlt645_is_1997_only_function(d.function) ? (uint16_t)PREPAY_DLT645_EDITION_1997
                                                      : (uint16_t)PREPAY_DLT645_EDITION_2007;
    } else if ((edition == PREPAY_DLT645_EDITION_1997 && prepay__dlt645_is_2007_only_function(d.function)) ||
               (edition == PREPAY_DLT645_EDITION_2007 && prepay__dlt645_is_1997_only_function(d.function))) {
        return PREPAY_E_DLT645_BAD_FUNCTION;
    } else {
        d.edition = (uint16_t)edition;
    }
    d.di_size = 0;
    d.di = 0;
    d.has_error = false;
    d.error = 0;
    if (d.abnormal) {
        /* Abnormal reply: one error byte (clause 7.1.3); the 03 security
         * function answers with a 2-byte security error word. */
        unsigned expect =
            (d.edition == PREPAY_DLT645_EDITION_2007 && d.function == PREPAY_DLT645_FN_SECURITY) ? 2u : 1u;
        if (length != expect) {
            return PREPAY_E_DLT645_BAD_LENGTH;
        }
        unsigned error = (uint8_t)(data[0] - offset);
        if (expect == 2u) {
            error |= (unsigned)(uint8_t)(data[1] - offset) << 8;
        }
        d.has_error = true;
        d.error = (uint16_t)error;
    } else if (prepay__dlt645_carries_di(d.edition, d.function, d.is_reply)) {
        unsigned size = d.edition == PREPAY_DLT645_EDITION_1997 ? PREPAY_DLT645_DI_SIZE_1997
                                                               : PREPAY_DLT645_DI_SIZE_2007;
        if (length < size) {
            return PREPAY_E_DLT645_BAD_LENGTH;
        }
        uint32_t di = 0;
        for (unsigned i = size; i-- > 0;) {
            di = (di << 8) | (uint8_t)(data[i] - offset);
        }
        d.di_size = (uint8_t)size;
        d.di = di;
    }
    *out = d;
    return PREPAY_OK;
}

bool prepay__dlt645_edition_is_valid(prepay_dlt645_edition_t edition)
{
    return edition == PREPAY_DLT645_EDITION_AUTO || edition == PREPAY_DLT645_EDITION_1997 ||
           edition == PREPAY_DLT645_EDITION_2007;
}

int prepay_dlt645_frame_init(prepay_dlt645_frame_t *frame, prepay_dlt645_edition_t edition,
                             const prepay_dlt645_address_t *address, uint8_t control, const uint8_t *data,
                             size_t data_len)
{
    if (!frame || !address || (!data && data_len > 0) || !prepay__dlt645_edition_is_valid(edition)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (data_len > PREPAY_DLT645_MAX_DATA) {
        return PREPAY_E_DLT645_DATA_TOO_LONG;
    }
    prepay__dlt645_derived_t derived;
    int rc = prepay__dlt645_derive(edition, control, (uint8_t)data_len, data, 0, &derived);
    if (rc != PREPAY_OK) {
        return rc;
    }
    /* memmove: data may point into frame->data itself. */
    if (data_len > 0) {
        prepay__move(frame->data, data, data_len);
    }
    frame->address = *address;
    frame->control = control;
    frame->preamble = 0;
    frame->length = (uint8_t)data_len;
    prepay__dlt645_apply(frame, &derived);
    return PREPAY_OK;
}
