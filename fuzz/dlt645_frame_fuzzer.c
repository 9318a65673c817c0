/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the DL/T 645 frame decoder (prepay_dlt645_decode_edition),
 * which reads untrusted bytes from serial lines and TCP. The first byte picks
 * the edition hint; the rest is the frame. Checks:
 * - an error leaves the output frame untouched;
 * - an accepted frame consumed 1..size bytes and re-encodes to exactly those
 *   bytes (preamble count passed through; saturated counts re-encode shorter);
 * - decoding the re-encoded bytes gives the same frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/dlt645.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const prepay_dlt645_frame_t *a, const prepay_dlt645_frame_t *b)
{
    if (memcmp(a->address.bytes, b->address.bytes, PREPAY_DLT645_ADDRESS_SIZE) != 0 || a->control != b->control ||
        a->function != b->function || a->is_reply != b->is_reply || a->abnormal != b->abnormal ||
        a->follow_up != b->follow_up || a->preamble != b->preamble || a->edition != b->edition ||
        a->length != b->length || a->di_size != b->di_size || a->di != b->di || a->has_error != b->has_error ||
        a->error != b->error || memcmp(a->data, b->data, a->length) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    static const prepay_dlt645_edition_t editions[3] = {PREPAY_DLT645_EDITION_AUTO, PREPAY_DLT645_EDITION_1997,
                                                        PREPAY_DLT645_EDITION_2007};
    prepay_dlt645_edition_t edition = editions[data[0] % 3u];
    const uint8_t *in = data + 1;
    size_t len = size - 1;

    prepay_dlt645_frame_t frame, sentinel;
    memset(&frame, 0xA5, sizeof frame);
    memcpy(&sentinel, &frame, sizeof frame);
    int rc = prepay_dlt645_decode_edition(in, len, edition, &frame);
    if (rc <= 0) {
        if (rc == 0 || PREPAY_STATUS_MODULE(rc) != PREPAY_MODULE_DLT645 || memcmp(&frame, &sentinel, sizeof frame)) {
            abort();
        }
        return 0;
    }
    if ((size_t)rc > len) {
        abort();
    }
#if PREPAY_DLT645_MAX_DATA < 255
    if (frame.length > PREPAY_DLT645_MAX_DATA) {
        abort();
    }
#endif
    uint8_t out[255 + PREPAY_DLT645_OVERHEAD + PREPAY_DLT645_MAX_DATA];
    int n = prepay_dlt645_encode(&frame, out, sizeof out);
    if (n <= 0 || n > rc) {
        abort();
    }
    /* The encoded frame is the tail of what was consumed (a preamble longer
     * than 255 is counted as 255). */
    if (memcmp(out, in + (size_t)rc - (size_t)n, (size_t)n) != 0) {
        abort();
    }
    if (frame.preamble < 255 && n != rc) {
        abort();
    }
    prepay_dlt645_frame_t again;
    if (prepay_dlt645_decode_edition(out, (size_t)n, edition, &again) != n) {
        abort();
    }
    check_same(&frame, &again);
    /* Too small a buffer: error, nothing written. */
    memset(out, 0x5C, sizeof out);
    if (prepay_dlt645_encode(&frame, out, (size_t)n - 1) != PREPAY_E_BUFFER_TOO_SMALL) {
        abort();
    }
    for (size_t i = 0; i < sizeof out; i++) {
        if (out[i] != 0x5C) {
            abort();
        }
    }
    return 0;
}
