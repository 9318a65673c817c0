/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the station-side fuzz targets: a byte cursor over the
 * fuzz input, requests of every kind built from it, and replies to a
 * request synthesised from it (valid, abnormal, malformed abnormal,
 * follow-up, foreign, or damaged), so that the fuzzer reaches the deep states of a session
 * without having to guess checksums.
 */
#ifndef PREPAY_FUZZ_STATION_H
#define PREPAY_FUZZ_STATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/dlt645.h"

typedef struct cursor {
    const uint8_t *data;
    size_t size, at;
} cursor_t;

static inline bool cursor_more(const cursor_t *c)
{
    return c->at < c->size;
}

static inline uint8_t take(cursor_t *c)
{
    return c->at < c->size ? c->data[c->at++] : 0;
}

/* n bytes of input (zeros once it runs out). */
static inline void take_bytes(cursor_t *c, uint8_t *out, size_t n)
{
    size_t have = c->size - c->at < n ? c->size - c->at : n;
    if (have > 0) {
        memcpy(out, c->data + c->at, have);
        c->at += have;
    }
    memset(out + have, 0, n - have);
}

static inline uint32_t take32(cursor_t *c)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        v = v << 8 | take(c);
    }
    return v;
}

static inline prepay_dlt645_address_t fuzz_address(cursor_t *c)
{
    static const char *const known[] = {"000000000101", "000000000102", "AAAAAAAAAA01", "999999999999"};
    prepay_dlt645_address_t a;
    (void)prepay_dlt645_address_from_string(known[take(c) % 4], 12, &a);
    return a;
}

/* One request of any kind; returns false if the builder refused the inputs (fine). */
static inline bool fuzz_request(cursor_t *c, prepay_dlt645_frame_t *out)
{
    prepay_dlt645_address_t a = fuzz_address(c);
    prepay_dlt645_credentials_t cred = {PREPAY_DLT645_PASSWORD_LEVEL_2, {0, 0, 0}, {1, 2, 3, 4}};
    static const uint32_t dis[] = {0x00010000u, 0x0001FF00u, 0x04000401u, 0x00900200u, 0x03300D01u};
    uint32_t di = dis[take(c) % 5];
    uint8_t value[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    int status;
    switch (take(c) % 9) {
    case 0: status = prepay_dlt645_request_read(out, &a, di); break;
    case 1: status = prepay_dlt645_request_read_address(out); break;
    case 2: status = prepay_dlt645_request_write(out, &a, di, &cred, value, take(c) % 9); break;
    case 3: status = prepay_dlt645_request_relay_control(out, &a, &cred, 0x1A, 24 * 366 * 86400LL); break;
    case 4: status = prepay_dlt645_request_broadcast_time(out, 24 * 366 * 86400LL + take(c)); break;
    case 5: status = prepay_dlt645_request_change_baud(out, &a, 9600); break;
    case 6: status = prepay_dlt645_request_read_1997(out, &a, (uint16_t)0x9010); break;
    case 7: status = prepay_dlt645_request_security(out, &a, 0x070001FFu, cred.operator_code, value, take(c) % 9);
        break;
    default: status = prepay_dlt645_request_read_blocks(out, &a, di, (uint8_t)(1 + take(c) % 4)); break;
    }
    return status == PREPAY_OK;
}

/* Appends a reply to `request` shaped by the input (see the file comment); returns its length. */
static inline size_t fuzz_reply(cursor_t *c, const prepay_dlt645_frame_t *request, uint8_t *out, size_t cap)
{
    uint8_t shape = take(c);
    bool abnormal = shape & 1, follow = shape & 2, foreign_address = (shape & 0x0C) == 0x0C;
    uint8_t function = (shape & 0x30) == 0x30 ? (uint8_t)(take(c) & 0x1F) : request->function;
    uint8_t control = (uint8_t)(0x80u | function | (abnormal ? 0x40u : 0) | (follow ? 0x20u : 0));
    if (request->edition == PREPAY_DLT645_EDITION_1997) {
        control = (uint8_t)(0x80u | function | (abnormal ? 0x40u : 0) | (follow ? 0x20u : 0));
    }
    uint8_t data[PREPAY_DLT645_MAX_DATA];
    size_t len = 0;
    if (abnormal && (shape & 0x40) && cap >= 16) {
        /* A malformed abnormal reply: whole and well checksummed, but L is
         * 0 or 2 instead of its one error byte (the builders refuse it). */
        size_t n = 0, bad = (take(c) & 1) ? 0 : 2;
        out[n++] = 0x68;
        memcpy(out + n, request->address.bytes, 6);
        if (prepay_dlt645_address_is_wildcard(&request->address) ||
            prepay_dlt645_address_is_broadcast(&request->address)) {
            static const uint8_t meter[6] = {0x01, 0x01, 0, 0, 0, 0};
            memcpy(out + n, meter, 6);
        }
        n += 6;
        out[n++] = 0x68;
        out[n++] = control;
        out[n++] = (uint8_t)bad;
        for (size_t i = 0; i < bad; i++) {
            out[n++] = (uint8_t)(take(c) + 0x33u);
        }
        out[n] = prepay_dlt645_checksum(out, n);
        n++;
        out[n++] = 0x16;
        return n;
    }
    if (abnormal) {
        data[len++] = take(c);
        if (function == PREPAY_DLT645_FN_SECURITY) {
            data[len++] = take(c);
        }
    } else {
        /* Echo the DI, then up to 40 value bytes, then maybe a SEQ. */
        size_t di_size = request->di_size;
        memcpy(data, request->data, di_size);
        len = di_size;
        size_t extra = take(c) % 41;
        for (size_t i = 0; i < extra && len < sizeof data; i++) {
            data[len++] = take(c);
        }
        if ((shape & 0x40) && len < sizeof data) {
            data[len++] = take(c); /* SEQ */
        }
    }
    prepay_dlt645_frame_t reply;
    prepay_dlt645_address_t address = request->address;
    if (foreign_address || prepay_dlt645_address_is_wildcard(&address) ||
        prepay_dlt645_address_is_broadcast(&address)) {
        (void)prepay_dlt645_address_from_string("000000000101", 12, &address);
    }
    if (prepay_dlt645_frame_init(&reply, (prepay_dlt645_edition_t)request->edition, &address, control, data, len) !=
        PREPAY_OK) {
        return 0;
    }
    reply.preamble = (uint8_t)(take(c) % 5);
    int n = prepay_dlt645_encode(&reply, out, cap);
    if (n <= 0) {
        return 0;
    }
    if (shape & 0x80) {
        out[take(c) % (size_t)n] ^= (uint8_t)(1u + take(c) % 255u); /* damaged on the line */
    }
    return (size_t)n;
}

#endif
