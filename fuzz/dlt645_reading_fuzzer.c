/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the DL/T 645 reading decoder (prepay/dlt645_reading.h), which
 * turns untrusted reply bytes straight into typed values, and the frame
 * check. Checks, for any bytes:
 * - prepay_dlt645_check() returns exactly what prepay_dlt645_decode() returns;
 * - the reading decoders fail exactly when the frame decoder fails, with the
 *   same error, and then leave the reading untouched;
 * - with and without a reader (a cache of lookups) the reading is the same;
 * - a reading's value is the general value decoder's for the same DI and data;
 * - a batch over the same bytes reads frame after frame exactly as single
 *   calls do, never reports more bytes than it was given, and stops with the
 *   frame error at `used`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/dlt645.h"
#include "prepay/dlt645_data.h"
#include "prepay/dlt645_reading.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_reading(const prepay_dlt645_reading_t *a, const prepay_dlt645_reading_t *b)
{
    if (a->number != b->number || a->quantity != b->quantity || a->time != b->time || a->di != b->di ||
        a->status != b->status || memcmp(a->address.bytes, b->address.bytes, 6) != 0 || a->kind != b->kind ||
        a->unit != b->unit || a->decimals != b->decimals || a->weekday != b->weekday || a->control != b->control ||
        a->flags != b->flags || a->error != b->error || a->size != b->size) {
        abort();
    }
}

/* The reading of a valid 2007 read reply against prepay_dlt645_value_decode(). */
static void check_value(const prepay_dlt645_frame_t *frame, const prepay_dlt645_reading_t *r)
{
    if (r->status == PREPAY_E_DLT645_ABNORMAL || r->status == PREPAY_E_DLT645_UNEXPECTED_REPLY ||
        r->status == PREPAY_E_DLT645_BAD_REPLY || r->status == PREPAY_E_DLT645_NOT_SCALAR ||
        frame->edition != PREPAY_DLT645_EDITION_2007) {
        return;
    }
    size_t len = (size_t)frame->length - frame->di_size;
    if (frame->function == PREPAY_DLT645_FN_READ_FOLLOW_UP) {
        len--;
    }
    prepay_dlt645_value_t v;
    int status = prepay_dlt645_value_decode(frame->di, frame->data + frame->di_size, len, &v);
    if (status != r->status) {
        abort();
    }
    if (status == PREPAY_OK && (v.number != r->number || v.quantity != r->quantity || v.time != r->time ||
                                v.kind != r->kind || v.unit != r->unit || v.decimals != r->decimals)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prepay_dlt645_frame_t frame;
    int rc = prepay_dlt645_decode(data, size, &frame);
    if (prepay_dlt645_check(data, size) != rc) {
        abort();
    }
    prepay_dlt645_reader_t reader;
    if (prepay_dlt645_reader_init(&reader) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    prepay_dlt645_reading_t a, b, sentinel;
    memset(&a, 0x5A, sizeof a);
    memcpy(&sentinel, &a, sizeof a);
    memcpy(&b, &a, sizeof b);
    int ra = prepay_dlt645_decode_reading(data, size, &a);
    int rb = prepay_dlt645_reader_decode(&reader, data, size, &b);
    if (ra != rc || rb != rc) {
        abort();
    }
    if (rc < 0) {
        if (memcmp(&a, &sentinel, sizeof a) != 0 || memcmp(&b, &sentinel, sizeof b) != 0) {
            abort();
        }
    } else {
        same_reading(&a, &b);
        rb = prepay_dlt645_reader_decode(&reader, data, size, &b); /* now from the cache */
        if (rb != rc) {
            abort();
        }
        same_reading(&a, &b);
        check_value(&frame, &a);
    }

    enum { CAP = 16 };
    prepay_dlt645_reading_t batch[CAP];
    prepay_dlt645_batch_t result;
    int n = prepay_dlt645_reader_decode_batch(&reader, data, size, batch, CAP, &result);
    if (n < 0 || (size_t)n != result.count || result.used > size) {
        abort();
    }
    size_t pos = 0;
    for (int i = 0; i < n; i++) {
        prepay_dlt645_reading_t one;
        int m = prepay_dlt645_decode_reading(data + pos, size - pos, &one);
        if (m <= 0) {
            abort();
        }
        same_reading(&one, &batch[i]);
        pos += (size_t)m;
    }
    if (pos != result.used) {
        abort();
    }
    if (result.stop != PREPAY_OK) {
        prepay_dlt645_reading_t one;
        if (prepay_dlt645_decode_reading(data + pos, size - pos, &one) != result.stop) {
            abort();
        }
    } else if (n < CAP && pos != size) {
        abort();
    }
    return 0;
}
