/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the DL/T 645 stream parser (prepay_dlt645_stream_*), which
 * takes untrusted bytes from serial lines and sockets in arbitrary chunks.
 * The first two bytes seed the chunk sizes; the rest is the byte stream.
 * Invariants checked after every call:
 * - feed takes 1..chunk bytes once next() has returned 0 (no stall);
 * - every yielded frame re-encodes, and re-decodes to the same bytes;
 * - bytes_in == bytes_dropped + bytes_framed + bytes_pending, and pending
 *   never exceeds the buffer; bytes_framed is the sum of yielded frames' sizes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/dlt645.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accounting(const prepay_dlt645_stream_t *s, uint64_t fed, uint64_t framed, uint64_t frames)
{
    prepay_dlt645_stream_stats_t st;
    if (prepay_dlt645_stream_stats(s, &st) != PREPAY_OK) {
        abort();
    }
    if (st.bytes_in != fed || st.bytes_framed != framed || st.frames != frames ||
        st.bytes_in != st.bytes_dropped + st.bytes_framed + st.bytes_pending ||
        st.bytes_pending > PREPAY_DLT645_STREAM_BUFFER) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    uint32_t seed = (uint32_t)data[0] << 8 | data[1];
    data += 2;
    size -= 2;
    static prepay_dlt645_stream_t stream;
    if (prepay_dlt645_stream_init(&stream, PREPAY_DLT645_EDITION_AUTO) != PREPAY_OK) {
        abort();
    }
    uint64_t fed = 0, framed = 0, frames = 0;
    size_t pos = 0;
    while (pos < size) {
        seed = seed * 1103515245u + 12345u;
        size_t chunk = 1 + (seed >> 16) % ((seed & 1u) ? 8u : 700u);
        if (chunk > size - pos) {
            chunk = size - pos;
        }
        int taken = prepay_dlt645_stream_feed(&stream, data + pos, chunk);
        if (taken <= 0 || (size_t)taken > chunk) {
            abort();
        }
        pos += (size_t)taken;
        fed += (uint64_t)taken;
        prepay_dlt645_frame_t f;
        int r;
        while ((r = prepay_dlt645_stream_next(&stream, &f)) == 1) {
            uint8_t out[PREPAY_DLT645_FRAME_MAX];
            int n = prepay_dlt645_encode(&f, out, sizeof out);
            if (n <= 0 || f.preamble > PREPAY_DLT645_MAX_PREAMBLE) {
                abort();
            }
            prepay_dlt645_frame_t again;
            if (prepay_dlt645_decode(out, (size_t)n, &again) != n || again.di != f.di || again.length != f.length ||
                again.control != f.control || memcmp(again.data, f.data, f.length) != 0) {
                abort();
            }
            framed += (uint64_t)n;
            frames++;
            check_accounting(&stream, fed, framed, frames);
        }
        if (r != 0) {
            abort();
        }
        check_accounting(&stream, fed, framed, frames);
        if ((seed >> 8) % 97u == 0u) { /* an idle line now and then */
            if (prepay_dlt645_stream_flush(&stream) < 0) {
                abort();
            }
            check_accounting(&stream, fed, framed, frames);
        }
    }
    return 0;
}
