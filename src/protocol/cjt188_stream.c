/* SPDX-License-Identifier: MIT */
/*
 * CJ/T 188 byte-stream parser: bytes from a serial line, an M-Bus adapter or
 * a TCP socket in arbitrary chunks in, whole frames out, in order.
 *
 * Resynchronisation rules (as for DL/T 645; CJ/T 188 has no second 68, so a
 * false start is only caught by L, the checksum or the end byte):
 * - bytes before the first 68 are dropped, except up to four FE right
 *   before it, kept as the frame's preamble;
 * - a candidate frame that fails (L too large, checksum, end byte, L against
 *   C) loses only its first byte (and preamble), and the rest is rescanned;
 * - an incomplete candidate is abandoned as soon as a complete, valid frame
 *   starts after it in the held bytes, so a stray 68 followed by a large L
 *   cannot hide the good frame behind it;
 * - prepay_cjt188_stream_flush() drops the held bytes after an idle line.
 * The buffer holds the largest frame with its preamble (config_check.h), so
 * after prepay_cjt188_stream_next() has returned 0 there is always room.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cjt188_internal.h"
#include "prepay/cjt188.h"

#define INT_LIMIT ((size_t)0x7FFFFFFF)

static bool is_ready(const prepay_cjt188_stream_t *stream)
{
    return stream->magic == PREPAY__CJT188_STREAM_MAGIC && stream->head <= stream->used &&
           stream->used <= sizeof stream->buffer &&
           prepay__cjt188_di_order_is_valid((prepay_cjt188_di_order_t)stream->di_order);
}

int prepay_cjt188_stream_init(prepay_cjt188_stream_t *stream, prepay_cjt188_di_order_t di_order)
{
    if (!stream) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!prepay__cjt188_di_order_is_valid(di_order)) {
        return PREPAY_E_CJT188_BAD_DI_ORDER;
    }
    stream->magic = PREPAY__CJT188_STREAM_MAGIC;
    stream->di_order = (uint8_t)di_order;
    stream->head = 0;
    stream->used = 0;
    stream->bytes_in = 0;
    stream->bytes_dropped = 0;
    stream->bytes_framed = 0;
    stream->frames = 0;
    return PREPAY_OK;
}

int prepay_cjt188_stream_feed(prepay_cjt188_stream_t *stream, const uint8_t *in, size_t in_len)
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
    const size_t capacity = sizeof stream->buffer;
    if (capacity - stream->used < in_len && stream->head > 0) {
        size_t pending = stream->used - stream->head;
        memmove(stream->buffer, stream->buffer + stream->head, pending);
        stream->head = 0;
        stream->used = pending;
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
    return (int)take;
}

/* Discards n held bytes from the front, counting them as dropped. */
static void drop(prepay_cjt188_stream_t *stream, size_t n)
{
    stream->head += n;
    stream->bytes_dropped += n;
    if (stream->head == stream->used) {
        stream->head = 0;
        stream->used = 0;
    }
}

/* Takes n held bytes from the front as a yielded frame. */
static void take_frame(prepay_cjt188_stream_t *stream, size_t n)
{
    stream->head += n;
    stream->bytes_framed += n;
    stream->frames++;
    if (stream->head == stream->used) {
        stream->head = 0;
        stream->used = 0;
    }
}

/* Index of the first start byte in [from, to), or to. */
static size_t find_start(const uint8_t *buffer, size_t from, size_t to)
{
    if (from >= to) {
        return to;
    }
    const void *hit = memchr(buffer + from, PREPAY_CJT188_START, to - from);
    return hit ? (size_t)((const uint8_t *)hit - buffer) : to;
}

/* Number of FE bytes right before index at (not below lo), at most four. */
static size_t preamble_before(const uint8_t *buffer, size_t lo, size_t at)
{
    size_t k = 0;
    while (k < PREPAY_CJT188_MAX_PREAMBLE && at - k > lo && buffer[at - k - 1] == PREPAY_CJT188_PREAMBLE_BYTE) {
        k++;
    }
    return k;
}

int prepay_cjt188_stream_next(prepay_cjt188_stream_t *stream, prepay_cjt188_frame_t *out)
{
    if (!stream || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_ready(stream)) {
        return PREPAY_E_BAD_STATE;
    }
    const prepay_cjt188_di_order_t order = (prepay_cjt188_di_order_t)stream->di_order;
    const uint8_t *buffer = stream->buffer;
    for (;;) {
        const size_t used = stream->used;
        size_t start = find_start(buffer, stream->head, used);
        if (start == used) {
            /* No start byte: keep a trailing FE run that may precede one. */
            size_t keep = preamble_before(buffer, stream->head, used);
            size_t garbage = used - stream->head - keep;
            if (garbage > 0) {
                drop(stream, garbage);
            }
            return 0;
        }
        size_t preamble = preamble_before(buffer, stream->head, start);
        if (start - preamble > stream->head) {
            drop(stream, start - preamble - stream->head);
        }
        int rc = prepay_cjt188_decode(buffer + stream->head, used - stream->head, order, out);
        if (rc > 0) {
            take_frame(stream, (size_t)rc);
            return 1;
        }
        if (rc == PREPAY_E_CJT188_TRUNCATED) {
            /* Incomplete: yield a complete valid frame found behind it, if any. */
            for (size_t at = find_start(buffer, start + 1, used); at < used;
                 at = find_start(buffer, at + 1, used)) {
                size_t k = preamble_before(buffer, start + 1, at);
                int r = prepay_cjt188_decode(buffer + at - k, used - (at - k), order, out);
                if (r > 0) {
                    drop(stream, at - k - stream->head);
                    take_frame(stream, (size_t)r);
                    return 1;
                }
            }
            return 0;
        }
        /* A false start: drop it through its 68 and rescan the rest. */
        drop(stream, start + 1 - stream->head);
    }
}

int prepay_cjt188_stream_flush(prepay_cjt188_stream_t *stream)
{
    if (!stream) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_ready(stream)) {
        return PREPAY_E_BAD_STATE;
    }
    size_t pending = stream->used - stream->head;
    if (pending > 0) {
        drop(stream, pending);
    }
    return (int)pending;
}

int prepay_cjt188_stream_stats(const prepay_cjt188_stream_t *stream, prepay_cjt188_stream_stats_t *out)
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
