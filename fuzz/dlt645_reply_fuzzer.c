/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the station-side reply parsers (dlt645_reply.c):
 * prepay_dlt645_reply_check, _read, _read_address, _change_baud, _ack and
 * _security, each given a request built from the first input bytes and a
 * reply decoded from the rest (or synthesised from it, to get past the
 * checksum).
 *
 * Invariants:
 * - no crash, no out-of-bounds access (sanitizers);
 * - on error every output is untouched (the documented contract);
 * - on success a read reply's value lies inside the reply's data and its
 *   length adds up with the DI and SEQ; a read-address reply's address is
 *   the frame's; every parser that succeeds agrees with reply_check.
 */
#include <stdlib.h>

#include "prepay/dlt645.h"
#include "station_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_read(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply)
{
    prepay_dlt645_read_reply_t out, sentinel;
    memset(&sentinel, 0x5A, sizeof sentinel);
    out = sentinel;
    int status = prepay_dlt645_reply_read(request, reply, &out);
    if (status != PREPAY_OK) {
        if (memcmp(&out, &sentinel, sizeof out) != 0) {
            abort();
        }
        return;
    }
    const uint8_t *begin = reply->data, *end = reply->data + reply->length;
    if (out.value_len > reply->length || (out.value_len > 0 && (out.value < begin || out.value + out.value_len > end))) {
        abort();
    }
    if (out.value_len + reply->di_size + (out.has_seq ? 1u : 0u) != reply->length) {
        abort();
    }
    if (prepay_dlt645_reply_check(request, reply) != PREPAY_OK) {
        abort();
    }
}

static void check_others(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply)
{
    prepay_dlt645_address_t address, address_sentinel;
    memset(&address_sentinel, 0x5A, sizeof address_sentinel);
    address = address_sentinel;
    int status = prepay_dlt645_reply_read_address(request, reply, &address);
    if (status != PREPAY_OK ? memcmp(&address, &address_sentinel, sizeof address) != 0
                            : memcmp(address.bytes, reply->address.bytes, PREPAY_DLT645_ADDRESS_SIZE) != 0) {
        abort();
    }
    uint32_t baud = 0x5A5A5A5Au;
    status = prepay_dlt645_reply_change_baud(request, reply, &baud);
    uint8_t feature;
    if (status != PREPAY_OK ? baud != 0x5A5A5A5Au : prepay_dlt645_baud_to_feature(baud, &feature) != PREPAY_OK) {
        abort();
    }
    status = prepay_dlt645_reply_ack(request, reply);
    if (status == PREPAY_OK && prepay_dlt645_reply_check(request, reply) != PREPAY_OK) {
        abort();
    }
    prepay_dlt645_read_reply_t sec, sentinel;
    memset(&sentinel, 0x5A, sizeof sentinel);
    sec = sentinel;
    status = prepay_dlt645_reply_security(request, reply, &sec);
    if (status != PREPAY_OK && memcmp(&sec, &sentinel, sizeof sec) != 0) {
        abort();
    }
    if (status == PREPAY_OK && (sec.value_len > reply->length || (sec.value_len > 0 && sec.value < reply->data))) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor_t c = {data, size, 0};
    static prepay_dlt645_frame_t request, reply;
    if (!fuzz_request(&c, &request)) {
        return 0;
    }
    if (take(&c) & 1) {
        uint8_t raw[2 * PREPAY_DLT645_FRAME_MAX];
        size_t n = fuzz_reply(&c, &request, raw, sizeof raw);
        if (n == 0 || prepay_dlt645_decode(raw, n, &reply) < 0) {
            return 0;
        }
    } else if (prepay_dlt645_decode_edition(c.data + c.at, c.size - c.at, PREPAY_DLT645_EDITION_AUTO, &reply) < 0) {
        return 0;
    }
    (void)prepay_dlt645_reply_check(&request, &reply);
    check_read(&request, &reply);
    check_others(&request, &reply);
    /* The parsers must also cope with a reply used as the request (refused, nothing written). */
    check_read(&reply, &reply);
    check_others(&reply, &reply);
    return 0;
}
