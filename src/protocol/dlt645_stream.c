/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 byte-stream parser: bytes from a serial line or a TCP socket in
 * arbitrary chunks in, whole frames out, in order.
 *
 * Resynchronisation rules (the faults of other parsers listed in the design
 * notes are stalling on a false 68 and trusting L):
 * - bytes before the first 68 are dropped, except up to four FE right
 *   before it, kept as the frame's preamble;
 * - a candidate frame that fails (no second 68, bad L, checksum, end byte)
 *   loses only its first byte (and preamble), and the rest is rescanned;
 * - an incomplete candidate is abandoned as soon as a complete, valid frame
 *   starts after it in the held bytes, so a stray 68 followed by a huge L
 *   cannot hide the good frame behind it;
 * - prepay_dlt645_stream_flush() drops the held bytes after an idle line.
 * The buffer holds the largest frame with its preamble (config_check.h), so
 * after prepay_dlt645_stream_next() has returned 0 there is always room.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dlt645_internal.h"
#include "prepay/dlt645.h"

#define INT_LIMIT ((size_t)0x7FFFFFFF)

static bool is_ready(const prepay_dlt645_stream_t *stream)
{
    return stream->magic == PREPAY__DLT645_STREAM_MAGIC && stream->head <= stream->used &&
           stream->used <= sizeof stream->buffer;
}

int prepay_dlt645_stream_init(prepay_dlt645_stream_t *stream, prepay_dlt645_edition_t edition)
{
    if (!stream || !prepay__dlt645_edition_is_valid(edition)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    stream->magic = PREPAY__DLT645_STREAM_MAGIC;
    stream->edition = (uint16_t)edition;
    stream->head = 0;
    stream->used = 0;
    stream->bytes_in = 0;
    stream->bytes_dropped = 0;
    stream->bytes_framed = 0;
    stream->frames = 0;
    return PREPAY_OK;
}

int prepay_dlt645_stream_feed(prepay_dlt645_stream_t *stream, const uint8_t *in, size_t in_len)
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
static void drop(prepay_dlt645_stream_t *stream, size_t n)
{
    stream->head += n;
    stream->bytes_dropped += n;
    if (stream->head == stream->used) {
        stream->head = 0;
        stream->used = 0;
    }
}

/* Takes n held bytes from the front as a yielded frame. */
static void take_frame(prepay_dlt645_stream_t *stream, size_t n)
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
    const void *hit = memchr(buffer + from, PREPAY_DLT645_START, to - from);
    return hit ? (size_t)((const uint8_t *)hit - buffer) : to;
}

/* Number of FE bytes right before index at (not below lo), at most four. */
static size_t preamble_before(const uint8_t *buffer, size_t lo, size_t at)
{
    size_t k = 0;
    while (k < PREPAY_DLT645_MAX_PREAMBLE && at - k > lo && buffer[at - k - 1] == PREPAY_DLT645_PREAMBLE_BYTE) {
        k++;
    }
    return k;
}

/* The parser proper: with `rejected`, a candidate whose framing is sound but
 * whose decoding fails is dropped whole and described (returns 2). */
static int next_frame(prepay_dlt645_stream_t *stream, prepay_dlt645_frame_t *out, prepay_dlt645_rejected_t *rejected)
{
    const prepay_dlt645_edition_t edition = (prepay_dlt645_edition_t)stream->edition;
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
        int rc = prepay_dlt645_decode_edition(buffer + stream->head, used - stream->head, edition, out);
        if (rc > 0) {
            take_frame(stream, (size_t)rc);
            return 1;
        }
        if (rc == PREPAY_E_DLT645_TRUNCATED) {
            /* Incomplete: yield a complete valid frame found behind it, if any. */
            for (size_t at = find_start(buffer, start + 1, used); at < used;
                 at = find_start(buffer, at + 1, used)) {
                size_t k = preamble_before(buffer, start + 1, at);
                int r = prepay_dlt645_decode_edition(buffer + at - k, used - (at - k), edition, out);
                if (r > 0) {
                    drop(stream, at - k - stream->head);
                    take_frame(stream, (size_t)r);
                    return 1;
                }
            }
            return 0;
        }
        if (rejected && (rc == PREPAY_E_DLT645_BAD_LENGTH || rc == PREPAY_E_DLT645_BAD_FUNCTION)) {
            size_t pre = 0;
            size_t length = 0;
            if (prepay__dlt645_locate(buffer + stream->head, used - stream->head, &pre, &length) == PREPAY_OK) {
                const uint8_t *f = buffer + stream->head + pre;
                rejected->reason = rc;
                memcpy(rejected->address.bytes, f + PREPAY__DLT645_OFFSET_ADDRESS, PREPAY_DLT645_ADDRESS_SIZE);
                rejected->control = f[PREPAY__DLT645_OFFSET_CONTROL];
                rejected->length = (uint8_t)length;
                drop(stream, pre + PREPAY_DLT645_OVERHEAD + length);
                return 2;
            }
        }
        /* A false start: drop it through its 68 and rescan the rest. */
        drop(stream, start + 1 - stream->head);
    }
}

int prepay_dlt645_stream_next(prepay_dlt645_stream_t *stream, prepay_dlt645_frame_t *out)
{
    if (!stream || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_ready(stream)) {
        return PREPAY_E_BAD_STATE;
    }
    return next_frame(stream, out, NULL);
}

int prepay_dlt645_stream_next_checked(prepay_dlt645_stream_t *stream, prepay_dlt645_frame_t *out,
                                      prepay_dlt645_rejected_t *rejected)
{
    if (!stream || !out || !rejected) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!is_ready(stream)) {
        return PREPAY_E_BAD_STATE;
    }
    return next_frame(stream, out, rejected);
}

int prepay_dlt645_stream_flush(prepay_dlt645_stream_t *stream)
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

int prepay_dlt645_stream_stats(const prepay_dlt645_stream_t *stream, prepay_dlt645_stream_stats_t *out)
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
