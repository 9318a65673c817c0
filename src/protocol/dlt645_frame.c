/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 frame codec: decode and encode
 *     [FE ...] 68 A0..A5 68 C L DATA(+0x33) CS 16
 * (DL/T 645-2007 clause 7.1 frame format, clause 7.3 transmission).
 *
 * The decoder treats its input as hostile: every index is checked against
 * in_len before it is read, L is checked against PREPAY_DLT645_MAX_DATA
 * before the data is touched, and the output frame is written only after
 * every check has passed. No allocation, no recursion, constant stack.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlt645_internal.h"
#include "prepay/dlt645.h"

/* dst[i] = src[i] - 0x33 for n bytes, 8 at a time without borrows between
 * bytes (Hacker's Delight 2-18: ((x | H) - (y & ~H)) ^ ((x ^ ~y) & H)). */
static inline void remove_offset(uint8_t *dst, const uint8_t *src, size_t n)
{
    const uint64_t high = 0x8080808080808080ull;
    const uint64_t offset = 0x3333333333333333ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x = prepay__dlt645_load64(src + i);
        uint64_t r = ((x | high) - (offset & ~high)) ^ ((x ^ ~offset) & high);
        memcpy(dst + i, &r, sizeof r);
    }
    for (; i < n; i++) {
        dst[i] = (uint8_t)(src[i] - PREPAY_DLT645_DATA_OFFSET);
    }
}

int prepay_dlt645_decode(const uint8_t *in, size_t in_len, prepay_dlt645_frame_t *out)
{
    return prepay_dlt645_decode_edition(in, in_len, PREPAY_DLT645_EDITION_AUTO, out);
}

int prepay_dlt645_decode_edition(const uint8_t *in, size_t in_len, prepay_dlt645_edition_t edition,
                                 prepay_dlt645_frame_t *out)
{
    if (!in || !out || !prepay__dlt645_edition_is_valid(edition)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t pos = 0;
    size_t length = 0;
    int rc = prepay__dlt645_locate(in, in_len, &pos, &length);
    if (rc != PREPAY_OK) {
        return rc;
    }
    const uint8_t *f = in + pos;
    const size_t frame_len = PREPAY_DLT645_OVERHEAD + length;
    const uint8_t control = f[PREPAY__DLT645_OFFSET_CONTROL];
    const uint8_t *wire_data = f + PREPAY__DLT645_OFFSET_DATA;
    prepay__dlt645_derived_t derived;
    rc = prepay__dlt645_derive(edition, control, (uint8_t)length, wire_data, PREPAY_DLT645_DATA_OFFSET, &derived);
    if (rc != PREPAY_OK) {
        return rc;
    }
    /* Every check passed: now, and only now, write the output. */
    memcpy(out->address.bytes, f + PREPAY__DLT645_OFFSET_ADDRESS, PREPAY_DLT645_ADDRESS_SIZE);
    out->control = control;
    out->preamble = pos > 255 ? (uint8_t)255 : (uint8_t)pos;
    out->length = (uint8_t)length;
    remove_offset(out->data, wire_data, length);
    prepay__dlt645_apply(out, &derived);
    return (int)(pos + frame_len);
}

int prepay_dlt645_check(const uint8_t *in, size_t in_len)
{
    if (!in) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t pos = 0;
    size_t length = 0;
    int rc = prepay__dlt645_locate(in, in_len, &pos, &length);
    if (rc != PREPAY_OK) {
        return rc;
    }
    const uint8_t *f = in + pos;
    const uint8_t control = f[PREPAY__DLT645_OFFSET_CONTROL];
    if (control == 0x91u && length >= PREPAY_DLT645_DI_SIZE_2007) {
        /* A normal 2007 read reply carrying its DI: nothing below can fail. */
        return (int)(pos + PREPAY_DLT645_OVERHEAD + length);
    }
    prepay__dlt645_derived_t derived;
    rc = prepay__dlt645_derive(PREPAY_DLT645_EDITION_AUTO, control, (uint8_t)length,
                               f + PREPAY__DLT645_OFFSET_DATA, PREPAY_DLT645_DATA_OFFSET, &derived);
    if (rc != PREPAY_OK) {
        return rc;
    }
    return (int)(pos + PREPAY_DLT645_OVERHEAD + length);
}

int prepay_dlt645_encoded_size(const prepay_dlt645_frame_t *frame)
{
    if (!frame) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
#if PREPAY_DLT645_MAX_DATA < 255
    if (frame->length > PREPAY_DLT645_MAX_DATA) {
        return PREPAY_E_DLT645_DATA_TOO_LONG;
    }
#endif
    return (int)PREPAY_DLT645_FRAME_SIZE(frame->preamble, frame->length);
}

int prepay_dlt645_encode(const prepay_dlt645_frame_t *frame, uint8_t *out, size_t out_cap)
{
    if (!frame || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int size = prepay_dlt645_encoded_size(frame);
    if (size < 0) {
        return size;
    }
    if ((size_t)size > out_cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    const size_t preamble = frame->preamble;
    const size_t length = frame->length;
    memset(out, PREPAY_DLT645_PREAMBLE_BYTE, preamble);
    uint8_t *f = out + preamble;
    f[0] = PREPAY_DLT645_START;
    memcpy(f + PREPAY__DLT645_OFFSET_ADDRESS, frame->address.bytes, PREPAY_DLT645_ADDRESS_SIZE);
    f[PREPAY__DLT645_OFFSET_SECOND_START] = PREPAY_DLT645_START;
    f[PREPAY__DLT645_OFFSET_CONTROL] = frame->control;
    f[PREPAY__DLT645_OFFSET_LENGTH] = (uint8_t)length;
    unsigned sum = 0;
    for (size_t i = 0; i < PREPAY__DLT645_OFFSET_DATA; i++) {
        sum += f[i];
    }
    for (size_t i = 0; i < length; i++) {
        uint8_t b = (uint8_t)(frame->data[i] + PREPAY_DLT645_DATA_OFFSET);
        f[PREPAY__DLT645_OFFSET_DATA + i] = b;
        sum += b;
    }
    f[PREPAY__DLT645_OFFSET_DATA + length] = (uint8_t)sum;
    f[PREPAY__DLT645_OFFSET_DATA + length + 1] = PREPAY_DLT645_END;
    return size;
}
