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

/* Largest byte count an int result carries (int is at least 32 bits on every target). */
#define MAX_RESULT ((size_t)0x7FFFFFFF)

/* Offsets within a frame, from the first 68. */
enum {
    OFFSET_ADDRESS = 1,
    OFFSET_SECOND_START = 7,
    OFFSET_CONTROL = 8,
    OFFSET_LENGTH = 9,
    OFFSET_DATA = 10
};

/* Loads 8 bytes (any alignment; memcpy compiles to one load). */
static inline uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* Sum of the 8 bytes of w (at most 8 x 255 = 2040): pairwise lane sums,
 * then one multiply gathers the four 16-bit lanes into the top lane. */
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
        sum += byte_sum64(load64(p + i));
    }
    for (; i < n; i++) {
        sum += p[i];
    }
    return sum;
}

/* dst[i] = src[i] - 0x33 for n bytes, 8 at a time without borrows between
 * bytes (Hacker's Delight 2-18: ((x | H) - (y & ~H)) ^ ((x ^ ~y) & H)). */
static inline void remove_offset(uint8_t *dst, const uint8_t *src, size_t n)
{
    const uint64_t high = 0x8080808080808080ull;
    const uint64_t offset = 0x3333333333333333ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x = load64(src + i);
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
    while (pos < in_len && in[pos] == PREPAY_DLT645_PREAMBLE_BYTE) {
        pos++;
    }
    if (pos == in_len) {
        return PREPAY_E_DLT645_TRUNCATED;
    }
    const uint8_t *f = in + pos;
    const size_t avail = in_len - pos;
    if (f[0] != PREPAY_DLT645_START) {
        return PREPAY_E_DLT645_NO_START;
    }
    /* Reject a false start as soon as its second 68 is visible. */
    if (avail <= OFFSET_SECOND_START) {
        return PREPAY_E_DLT645_TRUNCATED;
    }
    if (f[OFFSET_SECOND_START] != PREPAY_DLT645_START) {
        return PREPAY_E_DLT645_NO_SECOND_START;
    }
    if (avail <= OFFSET_LENGTH) {
        return PREPAY_E_DLT645_TRUNCATED;
    }
    const size_t length = f[OFFSET_LENGTH];
    if (length > (size_t)PREPAY_DLT645_MAX_DATA) {
        return PREPAY_E_DLT645_BAD_LENGTH;
    }
    const size_t frame_len = PREPAY_DLT645_OVERHEAD + length;
    if (avail < frame_len) {
        return PREPAY_E_DLT645_TRUNCATED;
    }
    if (pos > MAX_RESULT - frame_len) {
        return PREPAY_E_INVALID_ARGUMENT; /* over 2 GB of preamble: the size would not fit the result */
    }
    /* Checksum over 68 .. last data byte, in one pass (clause 7.1). */
    const size_t summed = OFFSET_DATA + length;
    const unsigned sum = byte_sum64(load64(f)) + f[8] + f[9] + byte_sum(f + OFFSET_DATA, length);
    if ((uint8_t)sum != f[summed]) {
        return PREPAY_E_DLT645_BAD_CHECKSUM;
    }
    if (f[summed + 1] != PREPAY_DLT645_END) {
        return PREPAY_E_DLT645_BAD_END;
    }
    const uint8_t control = f[OFFSET_CONTROL];
    const uint8_t *wire_data = f + OFFSET_DATA;
    prepay__dlt645_derived_t derived;
    int rc = prepay__dlt645_derive(edition, control, (uint8_t)length, wire_data, PREPAY_DLT645_DATA_OFFSET,
                                   &derived);
    if (rc != PREPAY_OK) {
        return rc;
    }
    /* Every check passed: now, and only now, write the output. */
    memcpy(out->address.bytes, f + OFFSET_ADDRESS, PREPAY_DLT645_ADDRESS_SIZE);
    out->control = control;
    out->preamble = pos > 255 ? (uint8_t)255 : (uint8_t)pos;
    out->length = (uint8_t)length;
    remove_offset(out->data, wire_data, length);
    prepay__dlt645_apply(out, &derived);
    return (int)(pos + frame_len);
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
    memcpy(f + OFFSET_ADDRESS, frame->address.bytes, PREPAY_DLT645_ADDRESS_SIZE);
    f[OFFSET_SECOND_START] = PREPAY_DLT645_START;
    f[OFFSET_CONTROL] = frame->control;
    f[OFFSET_LENGTH] = (uint8_t)length;
    unsigned sum = 0;
    for (size_t i = 0; i < OFFSET_DATA; i++) {
        sum += f[i];
    }
    for (size_t i = 0; i < length; i++) {
        uint8_t b = (uint8_t)(frame->data[i] + PREPAY_DLT645_DATA_OFFSET);
        f[OFFSET_DATA + i] = b;
        sum += b;
    }
    f[OFFSET_DATA + length] = (uint8_t)sum;
    f[OFFSET_DATA + length + 1] = PREPAY_DLT645_END;
    return size;
}
