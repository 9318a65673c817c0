/* SPDX-License-Identifier: MIT */
/*
 * Modbus RTU stream parser (sans-I/O). RTU frames are delimited by a silent
 * interval of at least 3.5 character times (Modbus over Serial Line V1.02
 * clause 2.5.1.1); the caller tells the parser when bytes arrived (or when
 * the line went idle) and the parser never reads a clock.
 *
 * Rules:
 * - a frame is yielded as soon as the length its first bytes announce
 *   (prepay_modbus_expected_length()) is present with a valid CRC and PDU,
 *   so a client need not wait for the silent interval after a response,
 *   and back-to-back frames fed without timing are split;
 * - bytes closed by a silent interval form one candidate frame: yielded if
 *   its CRC and PDU are valid (any function code, even one whose length
 *   cannot be inferred); otherwise its first byte is dropped and the rest
 *   of the segment rescanned, so noise before a frame does not hide it;
 * - without a boundary, a candidate whose inferred length fails the CRC
 *   loses its first byte, a byte that is no unit address is dropped, a
 *   candidate still waiting (unknown length, or incomplete) is abandoned
 *   as soon as a complete valid frame starts behind it, and 256 held bytes
 *   without a frame lose one byte.
 * After prepay_modbus_stream_next() has returned 0, fewer than 256 bytes
 * are held and no boundary is pending, so feed always has room.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "modbus_internal.h"
#include "prepay/modbus.h"

#define INT_LIMIT ((size_t)0x7FFFFFFF)

uint32_t prepay_modbus_silent_interval_us(uint32_t baud)
{
    if (baud == 0) {
        return 0;
    }
    if (baud > 19200u) {
        return 1750u; /* V1.02 clause 2.5.1.1: fixed 1.75 ms above 19200 bit/s */
    }
    /* 3.5 characters of 11 bits: 38.5 bit times, rounded up */
    uint64_t us = (385ull * 1000000ull + 10ull * baud - 1ull) / (10ull * baud);
    return (uint32_t)us;
}

static bool is_ready(const prepay_modbus_stream_t *s)
{
    return s->magic == PREPAY__MODBUS_STREAM_MAGIC && s->head <= s->used && s->used <= sizeof s->buffer &&
           (!s->has_gap || (s->gap_at >= s->head && s->gap_at <= s->used)) &&
           prepay__modbus_direction_is_valid((prepay_modbus_direction_t)s->direction);
}

int prepay_modbus_stream_init(prepay_modbus_stream_t *stream, prepay_modbus_direction_t direction, uint32_t baud)
{
    if (!stream || !prepay__modbus_direction_is_valid(direction)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(stream, 0, offsetof(prepay_modbus_stream_t, buffer));
    stream->magic = PREPAY__MODBUS_STREAM_MAGIC;
    stream->direction = (uint8_t)direction;
    stream->silent_us = prepay_modbus_silent_interval_us(baud);
    /* one 11-bit character, rounded down (the transmission time of a chunk is not overestimated) */
    stream->char_us = baud == 0 ? 0u : (uint32_t)(11000000ull / baud);
    return PREPAY_OK;
}

static void compact(prepay_modbus_stream_t *s)
{
    if (s->head == 0) {
        return;
    }
    size_t pending = s->used - s->head;
    memmove(s->buffer, s->buffer + s->head, pending);
    if (s->has_gap) {
        s->gap_at -= s->head;
    }
    s->used = pending;
    s->head = 0;
}

int prepay_modbus_stream_feed(prepay_modbus_stream_t *stream, const uint8_t *in, size_t in_len, uint64_t now_us)
{
    if (!stream || (!in && in_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_ready(stream)) {
        return PREPAY_E_BAD_STATE;
    }
    if (in_len == 0) {
        return 0;
    }
    bool boundary = false;
    if (stream->has_time && stream->silent_us > 0 && now_us >= stream->last_us && stream->used > stream->head) {
        uint64_t elapsed = now_us - stream->last_us;
        uint64_t sending = (uint64_t)in_len * stream->char_us;
        uint64_t silence = elapsed > sending ? elapsed - sending : 0;
        boundary = silence >= stream->silent_us;
    }
    if (boundary) {
        if (stream->has_gap && stream->gap_at != stream->used) {
            return 0; /* a boundary is still pending: next() first */
        }
        stream->has_gap = true;
        stream->gap_at = stream->used;
    }
    const size_t capacity = sizeof stream->buffer;
    if (capacity - stream->used < in_len) {
        compact(stream);
    }
    size_t take = capacity - stream->used;
    if (take > in_len) {
        take = in_len;
    }
    if (take > INT_LIMIT) {
        take = INT_LIMIT;
    }
    memcpy(stream->buffer + stream->used, in, take);
    stream->used += take;
    stream->bytes_in += take;
    stream->last_us = now_us;
    stream->has_time = true;
    return (int)take;
}

int prepay_modbus_stream_gap(prepay_modbus_stream_t *stream)
{
    if (!stream) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_ready(stream)) {
        return PREPAY_E_BAD_STATE;
    }
    if (stream->used == stream->head) {
        return 0;
    }
    if (stream->has_gap && stream->gap_at != stream->used) {
        return 0;
    }
    stream->has_gap = true;
    stream->gap_at = stream->used;
    return 1;
}

static void settle(prepay_modbus_stream_t *s)
{
    if (s->has_gap && s->head >= s->gap_at) {
        s->has_gap = false;
    }
    if (s->head == s->used) {
        s->head = 0;
        s->used = 0;
        s->has_gap = false;
    }
}

static void drop(prepay_modbus_stream_t *s, size_t n)
{
    s->head += n;
    s->bytes_dropped += n;
    settle(s);
}

static void take_frame(prepay_modbus_stream_t *s, size_t n)
{
    s->head += n;
    s->bytes_framed += n;
    s->frames++;
    settle(s);
}

/* Lengths the first bytes announce: up to two (ANY tries both directions). */
typedef struct candidates {
    size_t length[2];
    size_t count;
    bool need_more; /* a candidate needs more bytes to be known */
    bool unknown;   /* the function's length cannot be inferred */
} candidates_t;

static void infer(const uint8_t *p, size_t avail, prepay_modbus_direction_t direction, candidates_t *c)
{
    c->count = 0;
    c->need_more = false;
    c->unknown = false;
    prepay_modbus_direction_t tries[2] = {direction, direction};
    size_t n = 1;
    if (direction == PREPAY_MODBUS_ANY) {
        tries[0] = PREPAY_MODBUS_REQUEST;
        tries[1] = PREPAY_MODBUS_RESPONSE;
        n = 2;
    }
    for (size_t i = 0; i < n; i++) {
        int r = prepay_modbus_expected_length(p, avail, tries[i]);
        if (r == 0) {
            c->need_more = true;
        } else if (r > 0) {
            if (c->count == 0 || c->length[0] != (size_t)r) {
                c->length[c->count++] = (size_t)r;
            }
        } else if (r == PREPAY_E_MODBUS_BAD_FUNCTION) {
            c->unknown = true;
        }
        /* BAD_LENGTH: no candidate from this direction */
    }
}

static bool unit_can_start(uint8_t unit, prepay_modbus_direction_t direction)
{
    return unit <= PREPAY_MODBUS_UNIT_MAX && !(direction == PREPAY_MODBUS_RESPONSE && unit == PREPAY_MODBUS_BROADCAST);
}

/* The offset (> 0) of the first complete, valid frame of inferable length
 * after the start of p, or 0. Bounded: at most 2 decodes per offset. */
static size_t complete_frame_after(const uint8_t *p, size_t avail, prepay_modbus_direction_t direction,
                                   prepay_modbus_adu_t *scratch)
{
    for (size_t off = 1; off + PREPAY_MODBUS_ADU_MIN <= avail; off++) {
        if (!unit_can_start(p[off], direction)) {
            continue;
        }
        candidates_t c;
        infer(p + off, avail - off, direction, &c);
        for (size_t i = 0; i < c.count; i++) {
            if (c.length[i] <= avail - off &&
                prepay_modbus_decode(p + off, c.length[i], direction, scratch) == PREPAY_OK) {
                return off;
            }
        }
    }
    return 0;
}

int prepay_modbus_stream_next(prepay_modbus_stream_t *stream, prepay_modbus_adu_t *out)
{
    if (!stream || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_ready(stream)) {
        return PREPAY_E_BAD_STATE;
    }
    const prepay_modbus_direction_t direction = (prepay_modbus_direction_t)stream->direction;
    for (;;) {
        settle(stream);
        const size_t avail = stream->used - stream->head;
        if (avail == 0) {
            return 0;
        }
        const uint8_t *p = stream->buffer + stream->head;
        const size_t segment = stream->has_gap ? stream->gap_at - stream->head : avail;
        if (!unit_can_start(p[0], direction)) {
            drop(stream, 1); /* no frame starts with this unit address */
            continue;
        }
        candidates_t c;
        infer(p, segment, direction, &c);
        bool pending = c.need_more || c.unknown;
        for (size_t i = 0; i < c.count; i++) {
            size_t len = c.length[i];
            if (len > segment) {
                pending = true;
                continue;
            }
            if (prepay_modbus_decode(p, len, direction, out) == PREPAY_OK) {
                take_frame(stream, len);
                return 1;
            }
        }
        if (stream->has_gap) {
            /* The silent interval closes the segment: one frame, or noise. */
            if (prepay_modbus_decode(p, segment, direction, out) == PREPAY_OK) {
                take_frame(stream, segment);
                return 1;
            }
            drop(stream, 1);
            continue;
        }
        if (pending && avail < PREPAY_MODBUS_ADU_MAX) {
            /* Wait for more bytes or a silent interval, unless a complete
             * frame already starts behind this candidate (noise before a
             * frame must not hold it back). */
            size_t skip = complete_frame_after(stream->buffer + stream->head, avail, direction, out);
            if (skip == 0) {
                return 0;
            }
            drop(stream, skip);
            continue;
        }
        drop(stream, 1); /* no frame can start here */
    }
}

int prepay_modbus_stream_stats(const prepay_modbus_stream_t *stream, prepay_modbus_stream_stats_t *out)
{
    if (!stream || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_ready(stream)) {
        return PREPAY_E_BAD_STATE;
    }
    out->bytes_in = stream->bytes_in;
    out->bytes_dropped = stream->bytes_dropped;
    out->bytes_framed = stream->bytes_framed;
    out->bytes_pending = stream->used - stream->head;
    out->frames = stream->frames;
    return PREPAY_OK;
}
