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
        memmove(frame->data, data, data_len);
    }
    frame->address = *address;
    frame->control = control;
    frame->preamble = 0;
    frame->length = (uint8_t)data_len;
    prepay__dlt645_apply(frame, &derived);
    return PREPAY_OK;
}
