/* SPDX-License-Identifier: MIT */
/*
 * CJ/T 188 frame codec: decode and encode
 *     [FE ...] 68 T A0..A6 C L DATA CS 16
 * (CJ/T 188-2004 clause 6, data-link layer: frame format, CS = sum mod 256
 * from 68 to the last data byte, preamble FE bytes before a frame).
 *
 * The decoder treats its input as hostile: every index is checked against
 * in_len before it is read, L is checked against PREPAY_CJT188_MAX_DATA
 * before the data is touched, and the output frame is written only after
 * every check has passed. No allocation, no recursion, constant stack.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/bytes_internal.h"
#include "cjt188_internal.h"
#include "prepay/cjt188.h"

/* Sum of the 8 bytes of w: pairwise lane sums, then one multiply gathers
 * the four 16-bit lanes into the top lane (at most 8 x 255 = 2040). */
static inline unsigned byte_sum64(uint64_t w)
{
    const uint64_t low = 0x00FF00FF00FF00FFull;
    uint64_t pairs = (w & low) + ((w >> 8) & low);
    return (unsigned)((pairs * 0x0001000100010001ull) >> 48);
}

/* Sum of n bytes, 8 at a time; never reads outside [p, p + n). */
static inline unsigned byte_sum(const uint8_t *p, size_t n)
{
    unsigned sum = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        sum += byte_sum64(prepay__load64(p + i));
    }
    for (; i < n; i++) {
        sum += p[i];
    }
    return sum;
}

uint8_t prepay_cjt188_control(uint8_t function, bool is_reply, bool abnormal)
{
    unsigned c = function & PREPAY_CJT188_CONTROL_FUNCTION_MASK;
    if (is_reply) {
        c |= PREPAY_CJT188_CONTROL_REPLY;
    }
    if (abnormal) {
        c |= PREPAY_CJT188_CONTROL_ABNORMAL;
    }
    return (uint8_t)c;
}

uint8_t prepay_cjt188_checksum(const uint8_t *bytes, size_t len)
{
    if (!bytes) {
        return 0;
    }
    return (uint8_t)byte_sum(bytes, len);
}

bool prepay_cjt188_di_is_known(uint16_t di)
{
    return prepay__cjt188_di_known(di);
}

int prepay_cjt188_frame_init(prepay_cjt188_frame_t *frame, prepay_cjt188_di_order_t di_order, uint8_t meter_type,
                             const prepay_cjt188_address_t *address, uint8_t control, const uint8_t *data,
                             size_t data_len)
{
    if (!frame || !address || (!data && data_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!prepay__cjt188_di_order_is_valid(di_order)) {
        return PREPAY_E_CJT188_BAD_DI_ORDER;
    }
    if (data_len > PREPAY_CJT188_MAX_DATA) {
        return PREPAY_E_CJT188_DATA_TOO_LONG;
    }
    prepay__cjt188_derived_t derived;
    int rc = prepay__cjt188_derive(di_order, control, (uint8_t)data_len, data, &derived);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (data_len > 0) {
        memmove(frame->data, data, data_len); /* data may point into frame->data */
    }
    frame->meter_type = meter_type;
    frame->address = *address;
    frame->control = control;
    frame->preamble = 0;
    frame->length = (uint8_t)data_len;
    prepay__cjt188_apply(frame, &derived);
    return PREPAY_OK;
}

int prepay_cjt188_decode(const uint8_t *in, size_t in_len, prepay_cjt188_di_order_t di_order,
                         prepay_cjt188_frame_t *out)
{
    if (!in || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!prepay__cjt188_di_order_is_valid(di_order)) {
        return PREPAY_E_CJT188_BAD_DI_ORDER;
    }
    size_t pos, length;
    int found = prepay__cjt188_frame_find(in, in_len, &pos, &length);
    if (found != PREPAY_OK) {
        return found;
    }
    const uint8_t *f = in + pos;
    const size_t frame_len = PREPAY_CJT188_OVERHEAD + length;
    const uint8_t control = f[PREPAY__CJT188_AT_CONTROL];
    prepay__cjt188_derived_t derived;
    int rc = prepay__cjt188_derive(di_order, control, (uint8_t)length, f + PREPAY__CJT188_AT_DATA, &derived);
    if (rc != PREPAY_OK) {
        return rc;
    }
    /* Every check passed: now, and only now, write the output. */
    out->meter_type = f[PREPAY__CJT188_AT_TYPE];
    memcpy(out->address.bytes, f + PREPAY__CJT188_AT_ADDRESS, PREPAY_CJT188_ADDRESS_SIZE);
    out->control = control;
    out->preamble = pos > 255 ? (uint8_t)255 : (uint8_t)pos;
    out->length = (uint8_t)length;
    prepay__copy_short(out->data, f + PREPAY__CJT188_AT_DATA, length); /* not memcpy: see bytes_internal.h */
    prepay__cjt188_apply(out, &derived);
    return (int)(pos + frame_len);
}

int prepay_cjt188_encoded_size(const prepay_cjt188_frame_t *frame)
{
    if (!frame) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
#if PREPAY_CJT188_MAX_DATA < 255
    if (frame->length > PREPAY_CJT188_MAX_DATA) {
        return PREPAY_E_CJT188_DATA_TOO_LONG;
    }
#endif
    return (int)PREPAY_CJT188_FRAME_SIZE(frame->preamble, frame->length);
}

int prepay_cjt188_encode(const prepay_cjt188_frame_t *frame, uint8_t *out, size_t out_cap)
{
    if (!frame || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int size = prepay_cjt188_encoded_size(frame);
    if (size < 0) {
        return size;
    }
    if ((size_t)size > out_cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    const size_t preamble = frame->preamble;
    const size_t length = frame->length;
    memset(out, PREPAY_CJT188_PREAMBLE_BYTE, preamble);
    uint8_t *f = out + preamble;
    f[0] = PREPAY_CJT188_START;
    f[PREPAY__CJT188_AT_TYPE] = frame->meter_type;
    memcpy(f + PREPAY__CJT188_AT_ADDRESS, frame->address.bytes, PREPAY_CJT188_ADDRESS_SIZE);
    f[PREPAY__CJT188_AT_CONTROL] = frame->control;
    f[PREPAY__CJT188_AT_LENGTH] = (uint8_t)length;
    memcpy(f + PREPAY__CJT188_AT_DATA, frame->data, length);
    f[PREPAY__CJT188_AT_DATA + length] = (uint8_t)byte_sum(f, PREPAY__CJT188_AT_DATA + length);
    f[PREPAY__CJT188_AT_DATA + length + 1] = PREPAY_CJT188_END;
    return size;
}
