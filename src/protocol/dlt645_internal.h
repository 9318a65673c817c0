/* SPDX-License-Identifier: MIT */
/*
 * Internal to the DL/T 645 frame layer: the rules that derive a frame's
 * interpreted members (edition, DI, error field, flags) from its control
 * byte, length and data. The decoder and prepay_dlt645_frame_init() share
 * them so that decode(encode(x)) == x holds by construction.
 */
#ifndef PREPAY_DLT645_INTERNAL_H
#define PREPAY_DLT645_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/bytes_internal.h"
#include "prepay/dlt645.h"

/* Magic value marking an initialised stream parser. */
#define PREPAY__DLT645_STREAM_MAGIC 0x44543435u

/* The members of a frame that follow from (edition, C, L, data). */
typedef struct prepay__dlt645_derived {
    uint16_t edition;
    uint8_t function;
    bool is_reply;
    bool abnormal;
    bool follow_up;
    uint8_t di_size;
    uint32_t di;
    bool has_error;
    uint16_t error;
} prepay__dlt645_derived_t;

/* True for AUTO, 1997 and 2007. */
bool prepay__dlt645_edition_is_valid(prepay_dlt645_edition_t edition);

/*
 * Derives the interpreted members. `data` holds `length` bytes; `offset` is
 * subtracted from each byte read (0x33 for wire bytes, 0 for plain data).
 * Returns PREPAY_OK, PREPAY_E_DLT645_BAD_FUNCTION (a function code of the
 * other edition when the edition is explicit) or PREPAY_E_DLT645_BAD_LENGTH
 * (L inconsistent with C);
 * writes *out only on success.
 */
/* Function codes that exist only in the 1997 edition (its read, follow-up,
 * write, write address, baud and password functions). */
static inline bool prepay__dlt645_is_1997_only_function(unsigned function)
{
    switch (function) {
    case PREPAY_DLT645_1997_FN_READ:
    case PREPAY_DLT645_1997_FN_READ_FOLLOW_UP:
    case PREPAY_DLT645_1997_FN_WRITE:
    case PREPAY_DLT645_1997_FN_WRITE_ADDRESS:
    case PREPAY_DLT645_1997_FN_CHANGE_BAUD:
    case PREPAY_DLT645_1997_FN_CHANGE_PASSWORD:
        return true;
    default:
        return false;
    }
}

/* Function codes that exist only in the 2007 edition (11..1C). 03 is not
 * among them: 2007 uses it for security commands, 1997 for "read again". */
static inline bool prepay__dlt645_is_2007_only_function(unsigned function)
{
    return function >= PREPAY_DLT645_FN_READ && function <= PREPAY_DLT645_FN_RELAY_CONTROL;
}

/* Whether a frame of this function and direction starts its data with a DI. */
static inline bool prepay__dlt645_carries_di(uint16_t edition, unsigned function, bool is_reply)
{
    if (edition == PREPAY_DLT645_EDITION_1997) {
        if (function == PREPAY_DLT645_1997_FN_READ || function == PREPAY_DLT645_1997_FN_READ_FOLLOW_UP) {
            return true;
        }
        return !is_reply && function == PREPAY_DLT645_1997_FN_WRITE;
    }
    switch (function) {
    case PREPAY_DLT645_FN_READ:
    case PREPAY_DLT645_FN_READ_FOLLOW_UP:
    case PREPAY_DLT645_FN_SECURITY:
        return true;
    case PREPAY_DLT645_FN_WRITE:
    case PREPAY_DLT645_FN_CHANGE_PASSWORD:
        return !is_reply;
    default:
        return false;
    }
}

/* Defined once, in dlt645_frame_model.c: the decoder, the encoder and the
 * reading decoder all call it (inlined in each, it cost 272 bytes of flash
 * in the firmware profile). */
int prepay__dlt645_derive(prepay_dlt645_edition_t edition, uint8_t control, uint8_t length, const uint8_t *data,
                          uint8_t offset, prepay__dlt645_derived_t *out);

static inline void prepay__dlt645_apply(prepay_dlt645_frame_t *frame, const prepay__dlt645_derived_t *derived)
{
    frame->function = derived->function;
    frame->is_reply = derived->is_reply;
    frame->abnormal = derived->abnormal;
    frame->follow_up = derived->follow_up;
    frame->edition = derived->edition;
    frame->di_size = derived->di_size;
    frame->di = derived->di;
    frame->has_error = derived->has_error;
    frame->error = derived->error;
}


/* ---- frame location and check (shared by decode, check and the reading decoder) ---- */

/* Largest byte count an int result carries (int is at least 32 bits on every target). */
#define PREPAY__DLT645_MAX_RESULT ((size_t)0x7FFFFFFF)

/* Offsets within a frame, from the first 68 (clause 7.1). */
enum {
    PREPAY__DLT645_OFFSET_ADDRESS = 1,
    PREPAY__DLT645_OFFSET_SECOND_START = 7,
    PREPAY__DLT645_OFFSET_CONTROL = 8,
    PREPAY__DLT645_OFFSET_LENGTH = 9,
    PREPAY__DLT645_OFFSET_DATA = 10
};

/* 8 bytes in host order, any alignment (src/common/bytes_internal.h). */
static inline uint64_t prepay__dlt645_load64(const uint8_t *p)
{
    return prepay__load64(p);
}

/* Sum mod 256 of the n >= 8 bytes at p (n <= 10 + 255 here; see prepay__byte_sum_mod256()). */
static inline uint8_t prepay__dlt645_sum(const uint8_t *p, size_t n)
{
    return prepay__byte_sum_mod256(p, n);
}

/*
 * Locates and checks the frame at the start of `in`: skips any number of FE,
 * then checks, in this order, the start byte, the second 68 (as soon as it is
 * visible), L against PREPAY_DLT645_MAX_DATA, that the whole frame is
 * present, CS and the end byte (the order prepay_dlt645_decode_edition()
 * documents). On success sets *preamble (FE bytes) and *length (L) and
 * returns PREPAY_OK; the frame is in[*preamble .. *preamble + 12 + *length).
 */
static inline int prepay__dlt645_locate(const uint8_t *in, size_t in_len, size_t *preamble, size_t *length)
{
    size_t pos = 0;
    if (in_len == 0 || in[0] != PREPAY_DLT645_START) { /* frames without preamble skip the loop */
        while (pos < in_len && in[pos] == PREPAY_DLT645_PREAMBLE_BYTE) {
            pos++;
        }
        if (pos == in_len) {
            return PREPAY_E_DLT645_TRUNCATED;
        }
    }
    const uint8_t *f = in + pos;
    const size_t avail = in_len - pos;
    if (f[0] != PREPAY_DLT645_START) {
        return PREPAY_E_DLT645_NO_START;
    }
    if (avail <= PREPAY__DLT645_OFFSET_SECOND_START) {
        return PREPAY_E_DLT645_TRUNCATED;
    }
    if (f[PREPAY__DLT645_OFFSET_SECOND_START] != PREPAY_DLT645_START) {
        return PREPAY_E_DLT645_NO_SECOND_START;
    }
    if (avail <= PREPAY__DLT645_OFFSET_LENGTH) {
        return PREPAY_E_DLT645_TRUNCATED;
    }
    const size_t l = f[PREPAY__DLT645_OFFSET_LENGTH];
    if (l > (size_t)PREPAY_DLT645_MAX_DATA) {
        return PREPAY_E_DLT645_BAD_LENGTH;
    }
    const size_t frame_len = PREPAY_DLT645_OVERHEAD + l;
    if (avail < frame_len) {
        return PREPAY_E_DLT645_TRUNCATED;
    }
    if (pos > PREPAY__DLT645_MAX_RESULT - frame_len) {
        return PREPAY_E_INVALID_ARGUMENT; /* over 2 GB of preamble: the size would not fit the result */
    }
    /* Checksum over 68 .. last data byte (clause 7.1). */
    const size_t summed = PREPAY__DLT645_OFFSET_DATA + l;
    if (prepay__dlt645_sum(f, summed) != f[summed]) {
        return PREPAY_E_DLT645_BAD_CHECKSUM;
    }
    if (f[summed + 1] != PREPAY_DLT645_END) {
        return PREPAY_E_DLT645_BAD_END;
    }
    *preamble = pos;
    *length = l;
    return PREPAY_OK;
}

/* True for the relay-control commands N1 of function 1C. */
bool prepay__dlt645_relay_command_is_valid(uint8_t command);

#endif /* PREPAY_DLT645_INTERNAL_H */
