/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the Modbus RTU stream parser (prepay_modbus_stream_*): bytes
 * in chunks with timestamps and idle-line calls chosen by the input. The
 * first three bytes pick the direction, the baud rate and the chunking seed.
 * Invariants after every call:
 * - feed never takes more than offered; after next() has returned 0 it
 *   takes at least one byte (no stall);
 * - every yielded frame is a valid ADU of its direction;
 * - bytes_in == bytes_dropped + bytes_framed + bytes_pending and fewer than
 *   256 bytes are pending once next() has returned 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/modbus.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accounting(const prepay_modbus_stream_t *s, uint64_t fed, uint64_t framed)
{
    prepay_modbus_stream_stats_t st;
    if (prepay_modbus_stream_stats(s, &st) != PREPAY_OK || st.bytes_in != fed || st.bytes_framed != framed ||
        st.bytes_in != st.bytes_dropped + st.bytes_framed + st.bytes_pending ||
        st.bytes_pending >= PREPAY_MODBUS_ADU_MAX) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) {
        return 0;
    }
    static const uint32_t bauds[4] = {0, 2400, 9600, 115200};
    const prepay_modbus_direction_t dir = (prepay_modbus_direction_t)(data[0] % 3u);
    uint32_t seed = (uint32_t)data[1] << 8 | data[2];
    static prepay_modbus_stream_t stream;
    if (prepay_modbus_stream_init(&stream, dir, bauds[data[0] >> 6]) != PREPAY_OK) {
        abort();
    }
    data += 3;
    size -= 3;
    uint64_t now = 0, fed = 0, framed = 0;
    size_t pos = 0;
    while (pos < size) {
        seed = seed * 1103515245u + 12345u;
        size_t chunk = 1 + (seed >> 16) % 40u;
        if (chunk > size - pos) {
            chunk = size - pos;
        }
        now += (seed >> 4) % 8000u; /* 0..8 ms between chunks */
        int taken = prepay_modbus_stream_feed(&stream, data + pos, chunk, now);
        if (taken < 0 || (size_t)taken > chunk) {
            abort();
        }
        pos += (size_t)taken;
        fed += (uint64_t)taken;
        if ((seed >> 9) % 13u == 0u && prepay_modbus_stream_gap(&stream) < 0) {
            abort();
        }
        prepay_modbus_adu_t f;
        int r;
        while ((r = prepay_modbus_stream_next(&stream, &f)) == 1) {
            uint8_t out[PREPAY_MODBUS_ADU_MAX];
            int n = prepay_modbus_encode(&f, out, sizeof out);
            prepay_modbus_adu_t again;
            if (n < 4 || prepay_modbus_decode(out, (size_t)n, dir, &again) != PREPAY_OK) {
                abort();
            }
            framed += (uint64_t)n;
        }
        if (r != 0) {
            abort();
        }
        check_accounting(&stream, fed, framed);
        if (taken == 0) {
            /* only while a boundary was pending; next() has consumed it now */
            int again = prepay_modbus_stream_feed(&stream, data + pos, chunk, now);
            if (again <= 0) {
                abort();
            }
            pos += (size_t)again;
            fed += (uint64_t)again;
            while ((r = prepay_modbus_stream_next(&stream, &f)) == 1) {
                uint8_t out[PREPAY_MODBUS_ADU_MAX];
                framed += (uint64_t)prepay_modbus_encode(&f, out, sizeof out);
            }
            check_accounting(&stream, fed, framed);
        }
    }
    return 0;
}
