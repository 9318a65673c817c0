/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 read replies straight to typed values (prepay/dlt645_reading.h).
 *
 * The frame is checked in place (prepay__dlt645_locate: the decoder's checks
 * in the decoder's order) and never copied. The DI is looked up once per
 * reader (a small direct-mapped cache of catalogue rows), and the commonest
 * items, BCD numbers of 1..8 bytes (energy XXXXXX.XX, money, prices,
 * voltages, currents, powers), are decoded eight digits pairs at a time in a
 * 64-bit word. Every other scalar format goes through
 * prepay_dlt645_field_decode() on a copy of its bytes, so the value is the
 * one the general decoder gives (tests/protocol/test_dlt645_reading.c checks
 * that over the whole catalogue).
 */
#include "prepay/dlt645_reading.h"

#include <stdbool.h>
#include <string.h>

#include "prepay/fixed_point.h"
#include "dlt645_catalogue_internal.h"
#include "dlt645_internal.h"

#define READER_MAGIC 0x52454144u /* "READ" */

/* The cold paths (catalogue lookups, formats other than BCD numbers) stay out
 * of line, so that the hot path needs no large stack frame. */
#if defined(__GNUC__)
#define COLD __attribute__((noinline))
#else
#define COLD
#endif

/* How a slot's items are decoded. */
enum {
    PATH_STATUS = 0, /* no value: the slot's status is the reading's status */
    PATH_NUMBER = 1, /* BCD or signed BCD of 1..8 bytes, decoded in a 64-bit word */
    PATH_FIELD = 2,  /* another scalar format: prepay_dlt645_field_decode() on a copy */
    PATH_SIGNED = 3  /* as PATH_NUMBER, bit 7 of the most significant byte is the sign */
};

static const int64_t pow10_table[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* The wire bytes p[0 .. n) (n 1..8) as a little-endian integer, whatever the host's byte order. */
static inline uint64_t load_le(const uint8_t *p, size_t n)
{
    if (n == 4) {
        return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) | ((uint64_t)p[3] << 24);
    }
    uint64_t w = 0;
    for (size_t i = n; i-- > 0;) {
        w = (w << 8) | p[i];
    }
    return w;
}

/* Each byte minus 0x33 (the link offset, clause 7.1), without borrows between
 * bytes (Hacker's Delight 2-18, with y = 0x33.. whose high bits are clear). */
static inline uint64_t remove_offset64(uint64_t x)
{
    const uint64_t high = 0x8080808080808080ull;
    const uint64_t offset = 0x3333333333333333ull;
    return ((x | high) - offset) ^ ((x ^ ~offset) & high);
}

/* Non-zero if a nibble of w is above 9: bit 3 set together with bit 2 or bit 1. */
static inline uint64_t bcd_invalid(uint64_t w)
{
    const uint64_t middle = w & 0x6666666666666666ull;
    return w & 0x8888888888888888ull & ((middle << 1) | (middle << 2));
}

/* Up to 16 valid BCD digits, least significant pair in the low byte, to binary:
 * bytes to 0..99, pairs of bytes to 0..9999, then to 0..99999999, then one
 * 64-bit sum (at most 10^16 - 1). */
static inline uint64_t bcd_to_binary(uint64_t w)
{
    uint64_t x = w - 6u * ((w >> 4) & 0x0F0F0F0F0F0F0F0Full);
    x = (x & 0x00FF00FF00FF00FFull) + ((x >> 8) & 0x00FF00FF00FF00FFull) * 100u;
    x = (x & 0x0000FFFF0000FFFFull) + ((x >> 16) & 0x0000FFFF0000FFFFull) * 10000u;
    return (x & 0xFFFFFFFFull) + (x >> 32) * 100000000u;
}

/* Fills a slot for di from the catalogue: how to decode it, or the status it gives. */
COLD static void slot_fill(prepay_dlt645_reader_slot_t *slot, uint32_t di, bool is_1997)
{
    memset(slot, 0, sizeof *slot);
    slot->used = 1;
    slot->di = di;
    slot->is_1997 = is_1997 ? 1u : 0u;
    slot->path = PATH_STATUS;
    const prepay__dlt645_row_t *row =
        is_1997 ? prepay__dlt645_find_row_1997((uint16_t)di) : prepay__dlt645_find_row(di);
    if (!row) {
        bool block = is_1997 ? (di & 0x000Fu) == 0x000Fu : prepay_dlt645_di_is_block(di);
        slot->status = block ? PREPAY_E_DLT645_BLOCK_DI : PREPAY_E_DLT645_UNKNOWN_DI;
        return;
    }
    if (row->field_count > 0) {
        slot->status = PREPAY_E_DLT645_BLOCK_DI; /* a record: several fields under one DI */
        return;
    }
    slot->row = row;
    slot->length = row->length;
    slot->decimals = row->decimals;
    slot->unit = row->unit;
    slot->status = PREPAY_OK;
    switch (row->format) {
    case PREPAY_DLT645_FORMAT_BCD:
    case PREPAY_DLT645_FORMAT_BCD_SIGNED: {
        slot->kind = PREPAY_DLT645_KIND_NUMBER;
        if (row->length < 1 || row->length > 8 || row->decimals > 18) {
            slot->path = PATH_FIELD; /* the general decoder reports what is wrong */
            break;
        }
        slot->path = row->format == PREPAY_DLT645_FORMAT_BCD_SIGNED ? PATH_SIGNED : PATH_NUMBER;
        unsigned target = prepay_dlt645_unit_decimals(row->unit);
        if (target == 0 || target == row->decimals) {
            slot->scale = 1;
        } else if (target < row->decimals || target - row->decimals > 8) {
            slot->scale = 0; /* as the general decoder: the quantity cannot be given (BAD_VALUE) */
        } else {
            slot->scale = pow10_table[target - row->decimals];
            /* 2 x length digits times 10^k fits int64 when the total stays at 18 digits. */
            slot->checked = (2u * row->length + (target - row->decimals)) > 18u ? 1u : 0u;
        }
        break;
    }
    case PREPAY_DLT645_FORMAT_DATE_WEEK:
    case PREPAY_DLT645_FORMAT_TIME_OF_DAY:
    case PREPAY_DLT645_FORMAT_MINUTE_TIME:
    case PREPAY_DLT645_FORMAT_SECOND_TIME:
        slot->kind = PREPAY_DLT645_KIND_TIME;
        slot->path = PATH_FIELD;
        break;
    case PREPAY_DLT645_FORMAT_DIGITS:
        slot->kind = PREPAY_DLT645_KIND_DIGITS;
        slot->path = PATH_FIELD;
        break;
    case PREPAY_DLT645_FORMAT_DEMAND:
        slot->kind = PREPAY_DLT645_KIND_DEMAND;
        slot->path = PATH_FIELD;
        break;
    default:
        slot->status = PREPAY_E_DLT645_NOT_SCALAR; /* tables, text, raw bytes */
        break;
    }
}

/* A number of 1..8 BCD bytes (wire order, +0x33 still on) into out; returns its status. */
static inline int32_t decode_number(const prepay_dlt645_reader_slot_t *slot, const uint8_t *wire,
                                    prepay_dlt645_reading_t *out)
{
    const size_t len = slot->length;
    const uint64_t mask = len == 8 ? ~(uint64_t)0 : (((uint64_t)1) << (8u * len)) - 1u;
    uint64_t w = remove_offset64(load_le(wire, len)) & mask;
    if (w == mask) {
        out->kind = PREPAY_DLT645_KIND_ABSENT; /* all FF: the meter does not have the item */
        return PREPAY_E_DLT645_ABSENT;
    }
    uint64_t sign = 0;
    if (slot->path == PATH_SIGNED) {
        sign = w & ((uint64_t)0x80u << (8u * (len - 1u))); /* bit 7 of the most significant byte */
        w ^= sign;
    }
    if (bcd_invalid(w)) {
        return PREPAY_E_BAD_BCD;
    }
    const uint64_t magnitude = bcd_to_binary(w);
    const int64_t number = sign ? -(int64_t)magnitude : (int64_t)magnitude;
    int64_t quantity;
    if (slot->scale == 1) {
        quantity = number;
    } else if (slot->scale == 0) {
        return PREPAY_E_DLT645_BAD_VALUE;
    } else if (!slot->checked) {
        quantity = number * slot->scale;
    } else if (prepay_i64_mul(number, slot->scale, &quantity) != PREPAY_OK) {
        return PREPAY_E_DLT645_BAD_VALUE;
    }
    out->number = number;
    out->quantity = quantity;
    return PREPAY_OK;
}

/* Any other scalar format: the general field decoder on the bytes with the offset removed. */
COLD static int32_t decode_field(const prepay_dlt645_reader_slot_t *slot, uint32_t di, const uint8_t *wire,
                            size_t len, prepay_dlt645_reading_t *out)
{
    const prepay__dlt645_row_t *row = (const prepay__dlt645_row_t *)slot->row;
    uint8_t plain[PREPAY_DLT645_MAX_DATA > 0 ? PREPAY_DLT645_MAX_DATA : 1];
    for (size_t i = 0; i < len; i++) {
        plain[i] = (uint8_t)(wire[i] - PREPAY_DLT645_DATA_OFFSET);
    }
    prepay_dlt645_field_t field = {row->name, row->format, row->length, row->decimals, row->unit};
    prepay_dlt645_value_t v;
    int status = prepay_dlt645_field_decode(&field, di, plain, len, &v);
    if (status == PREPAY_E_DLT645_ABSENT) {
        out->kind = PREPAY_DLT645_KIND_ABSENT;
        return status;
    }
    if (status != PREPAY_OK) {
        return status;
    }
    out->number = v.number;
    out->quantity = v.quantity;
    out->time = v.time;
    out->weekday = v.weekday;
    if (v.kind == PREPAY_DLT645_KIND_DEMAND && v.count == 1) {
        out->flags |= PREPAY_DLT645_READING_NO_TIME;
    }
    return PREPAY_OK;
}

/* Fibonacci hashing of the DI: the DIs a station reads differ in their low bytes. */
static inline uint32_t slot_index(uint32_t di, bool is_1997)
{
#if PREPAY_DLT645_READER_SLOT_BITS == 0
    (void)di;
    (void)is_1997;
    return 0;
#else
    return (uint32_t)(((di ^ (is_1997 ? 0x80000000u : 0u)) * 2654435761u) >> (32u - PREPAY_DLT645_READER_SLOT_BITS));
#endif
}

/* The slot for di: the reader's (filled on a miss) or, without a reader, `local`. */
static inline const prepay_dlt645_reader_slot_t *slot_for(prepay_dlt645_reader_t *reader,
                                                          prepay_dlt645_reader_slot_t *local, uint32_t di,
                                                          bool is_1997)
{
    if (!reader) {
        slot_fill(local, di, is_1997);
        return local;
    }
    prepay_dlt645_reader_slot_t *slot = &reader->slots[slot_index(di, is_1997)];
    if (!slot->used || slot->di != di || slot->is_1997 != (is_1997 ? 1u : 0u)) {
        slot_fill(slot, di, is_1997);
        reader->misses++;
    }
    return slot;
}

/* Writes the members every reading has. */
static inline void reading_start(prepay_dlt645_reading_t *out, const uint8_t *f, uint32_t di, size_t size)
{
    out->number = 0;
    out->quantity = 0;
    out->time = 0;
    out->di = di;
    memcpy(out->address.bytes, f + PREPAY__DLT645_OFFSET_ADDRESS, PREPAY_DLT645_ADDRESS_SIZE);
    out->kind = 0;
    out->unit = 0;
    out->decimals = 0;
    out->weekday = 0;
    out->control = f[PREPAY__DLT645_OFFSET_CONTROL];
    out->flags = 0;
    out->error = 0;
    out->size = size > 0xFFFFu ? (uint16_t)0xFFFFu : (uint16_t)size;
}

/* Every frame the fast path of read_frame() does not take: the frame error, or the size and *out. */
COLD static int read_general(prepay_dlt645_reader_t *reader, const uint8_t *f, size_t pos, size_t length,
                             prepay_dlt645_reading_t *out)
{
    int rc;
    const uint8_t control = f[PREPAY__DLT645_OFFSET_CONTROL];
    const uint8_t *data = f + PREPAY__DLT645_OFFSET_DATA;
    int32_t status = PREPAY_OK;
    uint32_t di;
    uint16_t error = 0;
    uint8_t flags = 0;
    bool is_1997 = false;
    const uint8_t *value = data;
    size_t value_len = 0;
    if (control == 0x91u && length >= PREPAY_DLT645_DI_SIZE_2007) {
        /* The common case: a normal 2007 read reply, no follow-up (C = 91). */
        di = (uint32_t)remove_offset64(load_le(data, PREPAY_DLT645_DI_SIZE_2007));
        value = data + PREPAY_DLT645_DI_SIZE_2007;
        value_len = length - PREPAY_DLT645_DI_SIZE_2007;
    } else {
        prepay__dlt645_derived_t d;
        rc = prepay__dlt645_derive(PREPAY_DLT645_EDITION_AUTO, control, (uint8_t)length, data,
                                   PREPAY_DLT645_DATA_OFFSET, &d);
        if (rc != PREPAY_OK) {
            return rc;
        }
        di = d.di;
        is_1997 = d.edition == PREPAY_DLT645_EDITION_1997;
        if (is_1997) {
            flags |= PREPAY_DLT645_READING_1997;
        }
        if (d.follow_up) {
            flags |= PREPAY_DLT645_READING_FOLLOW_UP;
        }
        bool read_function = is_1997 ? (d.function == PREPAY_DLT645_1997_FN_READ ||
                                        d.function == PREPAY_DLT645_1997_FN_READ_FOLLOW_UP)
                                     : (d.function == PREPAY_DLT645_FN_READ ||
                                        d.function == PREPAY_DLT645_FN_READ_FOLLOW_UP);
        if (d.abnormal) {
            status = PREPAY_E_DLT645_ABNORMAL;
            error = d.error;
        } else if (!d.is_reply || !read_function || d.di_size == 0) {
            status = PREPAY_E_DLT645_UNEXPECTED_REPLY;
        } else {
            value = data + d.di_size;
            value_len = length - d.di_size;
            if (!is_1997 && d.function == PREPAY_DLT645_FN_READ_FOLLOW_UP) {
                /* 92 / B2: DI + data + SEQ. */
                if (value_len < 1) {
                    status = PREPAY_E_DLT645_BAD_REPLY;
                } else {
                    value_len--;
                }
            }
        }
    }
    /* Every frame check has passed: from here on, only the reading is written. */
    const size_t size = pos + PREPAY_DLT645_OVERHEAD + length;
    reading_start(out, f, di, size);
    out->flags = flags;
    out->error = error;
    if (status == PREPAY_OK) {
        prepay_dlt645_reader_slot_t local;
        const prepay_dlt645_reader_slot_t *slot = slot_for(reader, &local, di, is_1997);
        status = slot->status;
        if (status == PREPAY_OK) {
            out->kind = slot->kind;
            out->unit = slot->unit;
            out->decimals = slot->decimals;
            if (value_len != slot->length) {
                status = PREPAY_E_DLT645_VALUE_LENGTH;
            } else if (slot->path != PATH_FIELD) {
                status = decode_number(slot, value, out);
            } else {
                status = decode_field(slot, di, value, value_len, out);
            }
            if (status != PREPAY_OK) {
                out->number = 0;
                out->quantity = 0;
                out->time = 0;
                out->weekday = 0;
                out->flags &= (uint8_t)~PREPAY_DLT645_READING_NO_TIME;
            }
        }
    }
    out->status = status;
    return (int)size;
}


/* One frame at the start of in: the frame error, or the size and *out. The
 * common case (a normal 2007 read reply, C = 91, of a cached BCD number of
 * the right length) is decoded here; everything else in read_general(). */
static inline int read_frame(prepay_dlt645_reader_t *reader, const uint8_t *in, size_t in_len,
                             prepay_dlt645_reading_t *out)
{
    size_t pos = 0;
    size_t length = 0;
    int rc = prepay__dlt645_locate(in, in_len, &pos, &length);
    if (rc != PREPAY_OK) {
        return rc;
    }
    const uint8_t *f = in + pos;
    if (reader && f[PREPAY__DLT645_OFFSET_CONTROL] == 0x91u && length >= PREPAY_DLT645_DI_SIZE_2007) {
        const uint8_t *data = f + PREPAY__DLT645_OFFSET_DATA;
        const uint32_t di = (uint32_t)remove_offset64(load_le(data, PREPAY_DLT645_DI_SIZE_2007));
        prepay_dlt645_reader_slot_t *slot = &reader->slots[slot_index(di, false)];
        if (slot->used && slot->di == di && !slot->is_1997 && slot->path != PATH_FIELD &&
            slot->path != PATH_STATUS && slot->length == length - PREPAY_DLT645_DI_SIZE_2007) {
            const size_t size = pos + PREPAY_DLT645_OVERHEAD + length;
            reading_start(out, f, di, size);
            out->kind = slot->kind;
            out->unit = slot->unit;
            out->decimals = slot->decimals;
            int32_t status = decode_number(slot, data + PREPAY_DLT645_DI_SIZE_2007, out);
            if (status != PREPAY_OK) {
                out->number = 0;
                out->quantity = 0;
            }
            out->status = status;
            return (int)size;
        }
    }
    return read_general(reader, f, pos, length, out);
}

int prepay_dlt645_reader_init(prepay_dlt645_reader_t *reader)
{
    if (!reader) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(reader, 0, sizeof *reader);
    reader->magic = READER_MAGIC;
    return PREPAY_OK;
}

int prepay_dlt645_reader_decode(prepay_dlt645_reader_t *reader, const uint8_t *in, size_t in_len,
                                prepay_dlt645_reading_t *out)
{
    if (!reader || !in || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (reader->magic != READER_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    return read_frame(reader, in, in_len, out);
}

int prepay_dlt645_decode_reading(const uint8_t *in, size_t in_len, prepay_dlt645_reading_t *out)
{
    if (!in || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return read_frame((prepay_dlt645_reader_t *)0, in, in_len, out);
}

int prepay_dlt645_reader_decode_batch(prepay_dlt645_reader_t *reader, const uint8_t *in, size_t in_len,
                                      prepay_dlt645_reading_t *out, size_t out_cap, prepay_dlt645_batch_t *result)
{
    if (!reader || !out || (!in && in_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (reader->magic != READER_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    size_t pos = 0;
    size_t count = 0;
    int stop = PREPAY_OK;
    const size_t cap = out_cap < PREPAY__DLT645_MAX_RESULT ? out_cap : PREPAY__DLT645_MAX_RESULT;
    while (pos < in_len && count < cap) {
        int n = read_frame(reader, in + pos, in_len - pos, &out[count]);
        if (n < 0) {
            stop = n;
            break;
        }
        pos += (size_t)n;
        count++;
    }
    if (result) {
        result->count = count;
        result->used = pos;
        result->stop = stop;
    }
    return (int)count;
}
