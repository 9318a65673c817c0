/* SPDX-License-Identifier: MIT */
/*
 * Internal to the CJ/T 188 codec: the rules that derive a frame's
 * interpreted members (DI, SER, ST) from its control byte and data. The
 * decoder and prepay_cjt188_frame_init() share them, so that
 * decode(encode(x)) == x holds by construction.
 */
#ifndef PREPAY_CJT188_INTERNAL_H
#define PREPAY_CJT188_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/bytes_internal.h"
#include "prepay/cjt188.h"

/* Magic value marking an initialised stream parser ("C188"). */
#define PREPAY__CJT188_STREAM_MAGIC 0x43313838u

/* The members of a frame that follow from (DI order, C, L, data). */
typedef struct prepay__cjt188_derived {
    uint8_t function;
    bool is_reply;
    bool abnormal;
    uint8_t di_order;
    bool has_di;
    uint16_t di;
    bool has_ser;
    uint8_t ser;
    bool has_status;
    uint16_t status;
} prepay__cjt188_derived_t;

/* True for AUTO, HIGH_FIRST and LOW_FIRST. */
static inline bool prepay__cjt188_di_order_is_valid(prepay_cjt188_di_order_t order)
{
    return order == PREPAY_CJT188_DI_AUTO || order == PREPAY_CJT188_DI_HIGH_FIRST ||
           order == PREPAY_CJT188_DI_LOW_FIRST;
}

/* The functions of CJ/T 188-2004 whose normal frames start with DI + SER. */
static inline bool prepay__cjt188_carries_di(unsigned function)
{
    switch (function) {
    case PREPAY_CJT188_FN_READ:
    case PREPAY_CJT188_FN_READ_ADDRESS:
    case PREPAY_CJT188_FN_WRITE:
    case PREPAY_CJT188_FN_READ_KEY_VERSION:
    case PREPAY_CJT188_FN_WRITE_ADDRESS:
    case PREPAY_CJT188_FN_WRITE_BASE:
        return true;
    default:
        return false;
    }
}

/* Whether di is in the 2004 DI set: 901F, D120..D12B, 8102..8106, 810A,
 * A010..A019 (one comparison on the high byte, one range on the low). */
static inline bool prepay__cjt188_di_known(unsigned di)
{
    unsigned low = di & 0xFFu;
    switch (di >> 8) {
    case 0x90: return low == 0x1Fu;
    case 0xD1: return low >= 0x20u && low <= 0x2Bu;
    case 0x81: return (low >= 0x02u && low <= 0x06u) || low == 0x0Au;
    case 0xA0: return low >= 0x10u && low <= 0x19u;
    default: return false;
    }
}

/* Reads a DI from two wire bytes in an explicit order. */
static inline uint16_t prepay__cjt188_get_di(const uint8_t *p, uint8_t order)
{
    unsigned v = order == PREPAY_CJT188_DI_LOW_FIRST ? (unsigned)(p[0] | p[1] << 8) : (unsigned)(p[0] << 8 | p[1]);
    return (uint16_t)v;
}

/* Writes a DI as two wire bytes (AUTO is sent high byte first). */
static inline void prepay__cjt188_put_di(uint8_t *p, uint16_t di, uint8_t order)
{
    if (order == PREPAY_CJT188_DI_LOW_FIRST) {
        p[0] = (uint8_t)di;
        p[1] = (uint8_t)(di >> 8);
    } else {
        p[0] = (uint8_t)(di >> 8);
        p[1] = (uint8_t)di;
    }
}

/*
 * Derives the interpreted members from C, L and the data (which holds
 * `length` bytes). Returns PREPAY_OK or PREPAY_E_CJT188_BAD_LENGTH (an
 * abnormal reply whose L is not 3; a standard function shorter than
 * DI + SER). Writes *out only on success.
 */
static inline int prepay__cjt188_derive(prepay_cjt188_di_order_t order, uint8_t control, uint8_t length,
                                        const uint8_t *data, prepay__cjt188_derived_t *out)
{
    prepay__cjt188_derived_t d;
    d.function = (uint8_t)(control & PREPAY_CJT188_CONTROL_FUNCTION_MASK);
    d.is_reply = (control & PREPAY_CJT188_CONTROL_REPLY) != 0;
    d.abnormal = d.is_reply && (control & PREPAY_CJT188_CONTROL_ABNORMAL) != 0;
    d.di_order = order == PREPAY_CJT188_DI_LOW_FIRST ? (uint8_t)PREPAY_CJT188_DI_LOW_FIRST
                                                     : (uint8_t)PREPAY_CJT188_DI_HIGH_FIRST;
    d.has_di = false;
    d.di = 0;
    d.has_ser = false;
    d.ser = 0;
    d.has_status = false;
    d.status = 0;
    if (d.abnormal) {
        /* Abnormal reply: SER + ST (2004 clause 8, slave abnormal reply). */
        if (length != PREPAY_CJT188_ABNORMAL_LENGTH) {
            return PREPAY_E_CJT188_BAD_LENGTH;
        }
        d.has_ser = true;
        d.ser = data[0];
        d.has_status = true;
        d.status = (uint16_t)(data[1] | data[2] << 8);
    } else if (prepay__cjt188_carries_di(d.function)) {
        if (length < PREPAY_CJT188_DI_SER_SIZE) {
            return PREPAY_E_CJT188_BAD_LENGTH;
        }
        if (order == PREPAY_CJT188_DI_AUTO) {
            /* Recognise the 2004 DI set in either order; no DI of the set
             * is another one's byte swap, so at most one order matches. */
            uint16_t high = prepay__cjt188_get_di(data, PREPAY_CJT188_DI_HIGH_FIRST);
            uint16_t low = prepay__cjt188_get_di(data, PREPAY_CJT188_DI_LOW_FIRST);
            if (!prepay__cjt188_di_known(high) && prepay__cjt188_di_known(low)) {
                d.di_order = PREPAY_CJT188_DI_LOW_FIRST;
            }
        }
        d.has_di = true;
        d.di = prepay__cjt188_get_di(data, d.di_order);
        d.has_ser = true;
        d.ser = data[2];
    }
    *out = d;
    return PREPAY_OK;
}

static inline void prepay__cjt188_apply(prepay_cjt188_frame_t *frame, const prepay__cjt188_derived_t *d)
{
    frame->function = d->function;
    frame->is_reply = d->is_reply;
    frame->abnormal = d->abnormal;
    frame->di_order = d->di_order;
    frame->has_di = d->has_di;
    frame->di = d->di;
    frame->has_ser = d->has_ser;
    frame->ser = d->ser;
    frame->has_status = d->has_status;
    frame->status = d->status;
}

/* Offsets within a frame, from the 68 (clause 6 frame format). */
enum {
    PREPAY__CJT188_AT_TYPE = 1,
    PREPAY__CJT188_AT_ADDRESS = 2,
    PREPAY__CJT188_AT_CONTROL = 9,
    PREPAY__CJT188_AT_LENGTH = 10,
    PREPAY__CJT188_AT_DATA = 11
};

/* The frame layer on received bytes (CJ/T 188-2004 clause 6): FE preamble
 * bytes skipped, 68, L within PREPAY_CJT188_MAX_DATA, the whole frame
 * present, CS = sum mod 256 from 68 to the last data byte, 16. Every index
 * is checked against in_len before it is read. On PREPAY_OK, *start is the
 * offset of the 68 and *length is L; nothing is written otherwise. */
static inline int prepay__cjt188_frame_find(const uint8_t *in, size_t in_len, size_t *start, size_t *length)
{
    size_t pos = 0;
    while (pos < in_len && in[pos] == PREPAY_CJT188_PREAMBLE_BYTE) {
        pos++;
    }
    if (pos == in_len) {
        return PREPAY_E_CJT188_TRUNCATED;
    }
    const uint8_t *f = in + pos;
    const size_t avail = in_len - pos;
    if (f[0] != PREPAY_CJT188_START) {
        return PREPAY_E_CJT188_NO_START;
    }
    if (avail <= PREPAY__CJT188_AT_LENGTH) {
        return PREPAY_E_CJT188_TRUNCATED;
    }
    const size_t l = f[PREPAY__CJT188_AT_LENGTH];
    if (l > (size_t)PREPAY_CJT188_MAX_DATA) {
        return PREPAY_E_CJT188_BAD_LENGTH;
    }
    const size_t frame_len = PREPAY_CJT188_OVERHEAD + l;
    if (avail < frame_len) {
        return PREPAY_E_CJT188_TRUNCATED;
    }
    if (pos > (size_t)0x7FFFFFFF - frame_len) {
        return PREPAY_E_INVALID_ARGUMENT; /* over 2 GB of preamble: the size would not fit an int result */
    }
    const size_t summed = PREPAY__CJT188_AT_DATA + l; /* 11..266 */
    if (prepay__byte_sum_mod256(f, summed) != f[summed]) {
        return PREPAY_E_CJT188_BAD_CHECKSUM;
    }
    if (f[summed + 1] != PREPAY_CJT188_END) {
        return PREPAY_E_CJT188_BAD_END;
    }
    *start = pos;
    *length = l;
    return PREPAY_OK;
}

/* prepay_cjt188_address_matches() without the NULL checks (inlined where hot). */
static inline bool prepay__cjt188_address_bytes_match(const uint8_t *target, const uint8_t *meter)
{
    if (memcmp(target, meter, PREPAY_CJT188_ADDRESS_SIZE) == 0) {
        return true; /* the usual case: a reply from the meter addressed */
    }
    for (size_t i = 0; i < PREPAY_CJT188_ADDRESS_SIZE; i++) {
        if (target[i] != PREPAY_CJT188_WILDCARD_BYTE && target[i] != meter[i]) {
            return false;
        }
    }
    return true;
}

/* The same on address structs. */
static inline bool prepay__cjt188_address_matches(const prepay_cjt188_address_t *target,
                                                  const prepay_cjt188_address_t *meter)
{
    return prepay__cjt188_address_bytes_match(target->bytes, meter->bytes);
}

/* prepay_cjt188_meter_family(), inlined where hot. */
static inline prepay_cjt188_family_t prepay__cjt188_meter_family(uint8_t meter_type)
{
    if (meter_type == PREPAY_CJT188_WILDCARD_BYTE) {
        return PREPAY_CJT188_FAMILY_ANY;
    }
    if ((meter_type & 0x0F) > 9) {
        return PREPAY_CJT188_FAMILY_UNKNOWN;
    }
    switch (meter_type >> 4) {
    case 1: return PREPAY_CJT188_FAMILY_WATER;
    case 2: return PREPAY_CJT188_FAMILY_HEAT;
    case 3: return PREPAY_CJT188_FAMILY_GAS;
    case 4: return PREPAY_CJT188_FAMILY_CUSTOM;
    default: return PREPAY_CJT188_FAMILY_UNKNOWN;
    }
}

/* Builds a request frame of `function` whose data is DI + SER + value. */
int prepay__cjt188_build(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, unsigned function,
                         uint16_t di, uint8_t ser, const uint8_t *value, size_t value_len);

/* Up to 4 bytes, least significant first, as a 32-bit word (missing high
 * bytes 0); four bytes compile to one load. */
static inline uint32_t prepay__cjt188_gather32(const uint8_t *in, size_t n)
{
    if (n == 4) {
        return (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
    }
    uint32_t w = 0;
    for (size_t i = n; i-- > 0;) {
        w = w << 8 | in[i];
    }
    return w;
}

/* Whether every nibble of w is 0..9: a nibble is above 9 when its bit 3 is
 * set together with bit 2 or bit 1. */
static inline bool prepay__cjt188_bcd_word_ok(uint32_t w)
{
    return ((w >> 3) & ((w >> 2) | (w >> 1)) & 0x11111111u) == 0;
}

/* The same test on 16 nibbles at once (two words side by side: every nibble
 * is tested within itself, so no bit crosses from one word to the other). */
static inline bool prepay__cjt188_bcd_wide_ok(uint64_t w)
{
    return ((w >> 3) & ((w >> 2) | (w >> 1)) & 0x1111111111111111ull) == 0;
}

/* 8 BCD digits (least significant pair in the low byte) to binary: bytes
 * to 0..99, byte pairs to 0..9999, then the two halves. */
static inline uint32_t prepay__cjt188_bcd_word_value(uint32_t w)
{
    uint32_t t = (w & 0x0F0F0F0Fu) + ((w >> 4) & 0x0F0F0F0Fu) * 10u;
    uint32_t u = (t & 0x00FF00FFu) + ((t >> 8) & 0x00FF00FFu) * 100u;
    return (u & 0xFFFFu) + (u >> 16) * 10000u;
}

/* Decodes n <= 8 packed-BCD bytes (least significant first) to an integer;
 * false on a nibble above 9. */
static inline bool prepay__cjt188_bcd_read(const uint8_t *in, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    uint64_t scale = 1;
    for (size_t i = 0; i < n; i += 4) {
        size_t chunk = n - i < 4 ? n - i : 4;
        uint32_t w = prepay__cjt188_gather32(in + i, chunk);
        if (!prepay__cjt188_bcd_word_ok(w)) {
            return false;
        }
        v += (uint64_t)prepay__cjt188_bcd_word_value(w) * scale;
        scale *= 100000000u;
    }
    *out = v;
    return true;
}

/* Out-of-line prepay__cjt188_bcd_read() for the cold paths. */
bool prepay__cjt188_bcd_get(const uint8_t *in, size_t n, uint64_t *out);
/* Encodes value as n packed-BCD bytes; false if it needs more digits. */
bool prepay__cjt188_bcd_put(uint64_t value, uint8_t *out, size_t n);

#endif /* PREPAY_CJT188_INTERNAL_H */
