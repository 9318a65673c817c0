/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: DL/T 645-2007 load-record replies (include/prepay/load_record.h),
 * untrusted bytes from a meter. Input: one byte choosing the DI (class =
 * byte % 8, mode = byte / 8 % 4; out-of-range values exercise the DI check),
 * then the reply data. The data is also cut into frames at positions taken
 * from the input and stitched, as follow-up frames would arrive.
 * Checks: the decoder never reads past the input (sanitizers); a decoded
 * good record re-encodes and decodes to the same time and classes; the
 * stitched bytes equal the input; record times increase.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/load_record.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static prepay_load_record_t records[64];
static prepay_load_record_reply_t stitch;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    unsigned selector = data[0];
    uint32_t di = 0x06000000u | ((uint32_t)(selector % 8u) << 16) | ((selector / 8u) % 4u);
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    /* exact-size copy so that any over-read hits the sanitizer */
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) {
        return 0;
    }
    if (len > 0) {
        memcpy(copy, body, len);
    }
    size_t count = 0;
    int status = prepay_load_record_decode(di, copy, len, records, 64, &count);
    if (status == PREPAY_OK) {
        prepay_time_t last = 0;
        bool have = false;
        for (size_t i = 0; i < count; i++) {
            const prepay_load_record_t *r = &records[i];
            if (r->marked_bad) {
                continue;
            }
            if (have && r->time <= last) {
                abort();
            }
            have = true;
            last = r->time;
            uint8_t buf[PREPAY_LOAD_RECORD_FULL_SIZE];
            int n = prepay_load_record_encode(r, buf, sizeof buf);
            if (n < 0) {
                abort(); /* every decoded good record encodes */
            }
            prepay_load_record_t back;
            size_t one = 0;
            if (prepay_load_record_decode(0x06000000u, buf, (size_t)n, &back, 1, &one) != PREPAY_OK || one != 1 ||
                back.time != r->time || back.classes != r->classes || back.absent != r->absent) {
                abort();
            }
        }
    } else if (count != 0) {
        abort();
    }
    /* Stitching: frames of up to 196 data bytes, the last without follow-up. */
    if (prepay_load_record_reply_init(&stitch) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    size_t pos = 0;
    uint8_t seq = 0;
    while (pos < len || pos == 0) {
        size_t chunk = len - pos;
        if (chunk > 196u) {
            chunk = 196u;
        }
        prepay_dlt645_read_reply_t rr = {di, copy + pos, chunk, pos + chunk < len, seq != 0, seq};
        int s = prepay_load_record_reply_add(&stitch, &rr);
        if (s != PREPAY_OK) {
            if (s == PREPAY_E_LOADPROFILE_BAD_DI || s == PREPAY_E_BUFFER_TOO_SMALL || s == PREPAY_E_LOADPROFILE_SEQUENCE) {
                break;
            }
            abort();
        }
        pos += chunk;
        seq++;
        if (pos >= len) {
            if (!stitch.complete || stitch.length != len || (len > 0 && memcmp(stitch.data, copy, len) != 0)) {
                abort();
            }
            break;
        }
    }
    free(copy);
    return 0;
}
