/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the CJ/T 188 frame decoder (prepay_cjt188_decode) and the
 * typed decoders that read a decoded frame's data (meter-side request
 * parser, 901F, purse, price table, reply parsers), all of which see
 * untrusted bytes. The first byte picks the DI order; the rest is the frame.
 * Checks:
 * - an error leaves the output untouched and is a CJ/T 188 status;
 * - an accepted frame consumed 1..size bytes and re-encodes to exactly its
 *   bytes (saturated preamble counts excepted), and decodes again the same;
 * - typed decoders leave their outputs untouched on error;
 * - prepay_cjt188_volume_read() on the raw bytes gives exactly what
 *   decode (DI order AUTO) + prepay_cjt188_reply_current() +
 *   prepay_cjt188_quantity_litres() give: the same status, the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/cjt188.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const prepay_cjt188_frame_t *a, const prepay_cjt188_frame_t *b)
{
    if (a->meter_type != b->meter_type || memcmp(a->address.bytes, b->address.bytes, 7) != 0 ||
        a->control != b->control || a->function != b->function || a->is_reply != b->is_reply ||
        a->abnormal != b->abnormal || a->preamble != b->preamble || a->length != b->length ||
        a->di_order != b->di_order || a->has_di != b->has_di || a->di != b->di || a->has_ser != b->has_ser ||
        a->ser != b->ser || a->has_status != b->has_status || a->status != b->status ||
        memcmp(a->data, b->data, a->length) != 0) {
        abort();
    }
}

static void typed(const prepay_cjt188_frame_t *f)
{
    prepay_cjt188_command_t c, c0;
    memset(&c, 0x3D, sizeof c);
    memcpy(&c0, &c, sizeof c);
    int rc = prepay_cjt188_parse_request(f, &c);
    if (rc < 0 && memcmp(&c, &c0, sizeof c) != 0) {
        abort();
    }
    if (rc == 0 && (c.value < f->data || c.value + c.value_len > f->data + f->length)) {
        abort();
    }
    if (f->has_di && f->length >= 3) {
        prepay_cjt188_current_t cur, cur0;
        memset(&cur, 0x3D, sizeof cur);
        memcpy(&cur0, &cur, sizeof cur);
        if (prepay_cjt188_current_decode(f->meter_type, f->data + 3, f->length - 3u, &cur) < 0 &&
            memcmp(&cur, &cur0, sizeof cur) != 0) {
            abort();
        }
        if (f->length == 18) {
            prepay_cjt188_purse_t p;
            prepay_cjt188_price_table_t t;
            (void)prepay_cjt188_purse_decode(f->data + 3, &p);
            (void)prepay_cjt188_price_table_decode(f->data + 3, &t);
        }
        /* As a reply to the request it would answer. */
        prepay_cjt188_target_t target = {f->meter_type, f->address, (prepay_cjt188_di_order_t)f->di_order};
        prepay_cjt188_frame_t request;
        if (prepay_cjt188_request_read(&request, &target, f->di, f->ser) == 0) {
            prepay_cjt188_purse_t purse;
            prepay_cjt188_quantity_t q;
            uint8_t day;
            (void)prepay_cjt188_reply_current(&request, f, &cur);
            (void)prepay_cjt188_reply_purse(&request, f, &purse);
            (void)prepay_cjt188_reply_history(&request, f, &q);
            (void)prepay_cjt188_reply_day(&request, f, &day);
            request.function = f->function;
            request.control = (uint8_t)(f->control & 0x3Fu);
            prepay_cjt188_write_ack_t ack;
            (void)prepay_cjt188_reply_write(&request, f, &ack);
        }
    }
}

/* The one-call 901F reader against the three calls it stands for. The
 * request is built from the selector byte and, when the bytes hold a frame,
 * from that frame (so that most inputs get past the matching). */
static void volume_read_agrees(uint8_t selector, const uint8_t *in, size_t len)
{
    prepay_cjt188_frame_t frame;
    const int decoded = prepay_cjt188_decode(in, len, PREPAY_CJT188_DI_AUTO, &frame);
    prepay_cjt188_target_t target = {PREPAY_CJT188_TYPE_COLD_WATER, prepay_cjt188_address_wildcard(),
                                     PREPAY_CJT188_DI_HIGH_FIRST};
    uint8_t ser = 0;
    if (decoded > 0) {
        target.meter_type = (selector & 0x10u) ? PREPAY_CJT188_WILDCARD_BYTE : frame.meter_type;
        if (selector & 0x20u) {
            target.address = frame.address;
        }
        ser = (selector & 0x40u) ? (uint8_t)(frame.ser + 1u) : frame.ser;
    }
    prepay_cjt188_frame_t request;
    if (prepay_cjt188_request_read(&request, &target, PREPAY_CJT188_DI_CURRENT, ser) != 0) {
        abort();
    }
    prepay_cjt188_volume_t v, v0;
    memset(&v, 0x5A, sizeof v);
    memcpy(&v0, &v, sizeof v);
    const int fast = prepay_cjt188_volume_read(&request, in, len, &v);
    int slow = decoded;
    prepay_cjt188_current_t cur;
    prepay_energy_t litres = 0;
    if (slow > 0) {
        int rc = prepay_cjt188_reply_current(&request, &frame, &cur);
        if (rc == 0) {
            rc = prepay_cjt188_quantity_litres(&cur.reading, &litres);
        }
        if (rc != 0) {
            slow = rc;
        }
    }
    if (fast != slow) {
        abort();
    }
    if (fast == PREPAY_E_CJT188_ABNORMAL) {
        if (v.status != frame.status || v.litres != 0 || v.meter_type != frame.meter_type) {
            abort();
        }
        return;
    }
    if (fast < 0) {
        if (memcmp(&v, &v0, sizeof v) != 0) {
            abort();
        }
        return;
    }
    prepay_energy_t settlement = 0;
    const bool has_settlement = cur.family != PREPAY_CJT188_FAMILY_HEAT &&
                                prepay_cjt188_quantity_litres(&cur.settlement, &settlement) == 0;
    if (v.litres != litres || v.has_settlement != has_settlement || v.settlement_litres != settlement ||
        v.clock_state != cur.clock_state || v.clock != cur.clock || v.status != cur.status ||
        v.meter_type != frame.meter_type) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const prepay_cjt188_di_order_t order = (prepay_cjt188_di_order_t)(data[0] % 3u);
    const uint8_t *in = data + 1;
    const size_t len = size - 1;
    volume_read_agrees(data[0], in, len);
    prepay_cjt188_frame_t frame, sentinel;
    memset(&frame, 0xA5, sizeof frame);
    memcpy(&sentinel, &frame, sizeof frame);
    int rc = prepay_cjt188_decode(in, len, order, &frame);
    if (rc <= 0) {
        if (rc == 0 || (PREPAY_STATUS_MODULE(rc) != PREPAY_MODULE_CJT188 && rc != PREPAY_E_INVALID_ARGUMENT) ||
            memcmp(&frame, &sentinel, sizeof frame) != 0) {
            abort();
        }
        return 0;
    }
    if ((size_t)rc > len) {
        abort();
    }
    uint8_t out[255 + PREPAY_CJT188_OVERHEAD + PREPAY_CJT188_MAX_DATA];
    int n = prepay_cjt188_encode(&frame, out, sizeof out);
    if (n <= 0 || n > rc || memcmp(out, in + (size_t)rc - (size_t)n, (size_t)n) != 0) {
        abort();
    }
    if (frame.preamble < 255 && n != rc) {
        abort();
    }
    prepay_cjt188_frame_t again;
    if (prepay_cjt188_decode(out, (size_t)n, order, &again) != n) {
        abort();
    }
    check_same(&frame, &again);
    typed(&frame);
    return 0;
}
