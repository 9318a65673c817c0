/* SPDX-License-Identifier: MIT */
/*
 * Modbus RTU codec on generated frames: the CRC table against the bitwise
 * algorithm; builders and their limits; the server side and the matcher
 * (another unit or function is ignored, a wrong byte count is an error);
 * decoder refusals; length inference; the sans-I/O stream parser with
 * timestamps, gap calls, no timing at all, noise and an RS-485 echo; register
 * values of every type and byte order; the shipped maps; and FLOAT32
 * conversion checked against the C library's correctly rounded strtof and
 * exact double arithmetic (the test may use floating point; the library may not).
 */
#include <math.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/modbus.h"
#include "prepay/status.h"

static uint32_t rng_state = 2024u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static uint16_t bitwise_crc(const uint8_t *p, size_t n)
{
    unsigned crc = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc & 1u) ? (crc >> 1) ^ 0xA001u : crc >> 1;
        }
    }
    return (uint16_t)crc;
}

static void test_crc_table(void **state)
{
    (void)state;
    for (int len = 0; len < 300; len++) {
        uint8_t b[300];
        for (int i = 0; i < len; i++) {
            b[i] = (uint8_t)rng();
        }
        assert_int_equal(prepay_modbus_crc16(b, (size_t)len), bitwise_crc(b, (size_t)len));
    }
    assert_int_equal(prepay_modbus_crc16(NULL, 0), 0xFFFF);
}

static int encode(const prepay_modbus_adu_t *a, uint8_t *out)
{
    int n = prepay_modbus_encode(a, out, PREPAY_MODBUS_ADU_MAX);
    assert_true(n >= 4);
    return n;
}

static void test_builders(void **state)
{
    (void)state;
    prepay_modbus_adu_t a, keep;
    memset(&a, 0x42, sizeof a);
    keep = a;
    /* Limits: quantity 1..125 registers, 1..2000 bits, range, unit. */
    assert_int_equal(prepay_modbus_request_read(&a, 1, 3, 0, 0), PREPAY_E_MODBUS_BAD_QUANTITY);
    assert_int_equal(prepay_modbus_request_read(&a, 1, 3, 0, 126), PREPAY_E_MODBUS_BAD_QUANTITY);
    assert_int_equal(prepay_modbus_request_read(&a, 1, 1, 0, 2001), PREPAY_E_MODBUS_BAD_QUANTITY);
    assert_int_equal(prepay_modbus_request_read(&a, 1, 3, 0xFFFF, 2), PREPAY_E_MODBUS_BAD_QUANTITY);
    assert_int_equal(prepay_modbus_request_read(&a, 0, 3, 0, 1), PREPAY_E_MODBUS_BAD_UNIT);
    assert_int_equal(prepay_modbus_request_read(&a, 248, 3, 0, 1), PREPAY_E_MODBUS_BAD_UNIT);
    assert_int_equal(prepay_modbus_request_read(&a, 1, 6, 0, 1), PREPAY_E_MODBUS_BAD_FUNCTION);
    uint16_t regs[124] = {0};
    assert_int_equal(prepay_modbus_request_write_registers(&a, 1, 0, regs, 124), PREPAY_E_MODBUS_BAD_QUANTITY);
    assert_int_equal(prepay_modbus_request_write_registers(&a, 1, 0, regs, 0), PREPAY_E_MODBUS_BAD_QUANTITY);
    uint8_t bits[250] = {0};
    assert_int_equal(prepay_modbus_request_write_coils(&a, 1, 0, bits, 1969), PREPAY_E_MODBUS_BAD_QUANTITY);
    assert_memory_equal(&a, &keep, sizeof a);
    /* The edges are fine: 0xFFFF + 1 register, 125 registers, 2000 bits, 123 and 1968 written. */
    assert_int_equal(prepay_modbus_request_read(&a, 1, 3, 0xFFFF, 1), PREPAY_OK);
    assert_int_equal(prepay_modbus_request_read(&a, 1, 4, 0, 125), PREPAY_OK);
    assert_int_equal(prepay_modbus_request_read(&a, 247, 2, 0, 2000), PREPAY_OK);
    assert_int_equal(prepay_modbus_request_write_registers(&a, 0, 0, regs, 123), PREPAY_OK);
    uint8_t adu[PREPAY_MODBUS_ADU_MAX];
    /* 123 registers: 1 + 1 + 4 + 1 + 246 + 2 = 255 bytes. */
    assert_int_equal(encode(&a, adu), 255);
    assert_int_equal(prepay_modbus_request_write_coils(&a, 1, 0, bits, 1968), PREPAY_OK);
    assert_int_equal(encode(&a, adu), 9 + 246);
    /* Coil padding is cleared: 10 coils from FF FF -> FF 03. */
    const uint8_t ones[2] = {0xFF, 0xFF};
    assert_int_equal(prepay_modbus_request_write_coils(&a, 1, 0, ones, 10), PREPAY_OK);
    assert_int_equal(a.data[5], 0xFF);
    assert_int_equal(a.data[6], 0x03);
    /* 06 to register 001CH = 0002 (close a Xintai valve): 01 06 00 1C 00 02 + CRC. */
    assert_int_equal(prepay_modbus_request_write_register(&a, 1, 0x001C, 0x0002), PREPAY_OK);
    assert_int_equal(encode(&a, adu), 8);
    uint16_t crc = bitwise_crc(adu, 6);
    const uint8_t want[8] = {0x01, 0x06, 0x00, 0x1C, 0x00, 0x02, (uint8_t)crc, (uint8_t)(crc >> 8)};
    assert_memory_equal(adu, want, 8);
    /* encode: too small, too long. */
    memset(adu, 0x55, sizeof adu);
    assert_int_equal(prepay_modbus_encode(&a, adu, 7), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(adu[0], 0x55);
    a.length = 253;
    assert_int_equal(prepay_modbus_encode(&a, adu, sizeof adu), PREPAY_E_MODBUS_BAD_LENGTH);
}

/* Server and client: every function through the wire both ways. */
static void test_server_client(void **state)
{
    (void)state;
    uint16_t store[200];
    uint8_t coils[32];
    for (int i = 0; i < 200; i++) {
        store[i] = (uint16_t)(i * 257);
    }
    for (int i = 0; i < 32; i++) {
        coils[i] = (uint8_t)(i * 37);
    }
    for (int round = 0; round < 500; round++) {
        prepay_modbus_adu_t req, on_server, resp, at_client;
        uint8_t unit = (uint8_t)(1 + rng() % 247);
        uint16_t address = (uint16_t)(rng() % 64);
        int kind = (int)(rng() % 6);
        int rc;
        uint16_t values[125];
        switch (kind) {
        case 0: rc = prepay_modbus_request_read(&req, unit, 3, address, (uint16_t)(1 + rng() % 125)); break;
        case 1: rc = prepay_modbus_request_read(&req, unit, 4, address, (uint16_t)(1 + rng() % 100)); break;
        case 2: rc = prepay_modbus_request_read(&req, unit, 1, address, (uint16_t)(1 + rng() % 200)); break;
        case 3: rc = prepay_modbus_request_write_register(&req, unit, address, (uint16_t)rng()); break;
        case 4: rc = prepay_modbus_request_write_coil(&req, unit, address, rng() & 1); break;
        default:
            for (int i = 0; i < 10; i++) {
                values[i] = (uint16_t)rng();
            }
            rc = prepay_modbus_request_write_registers(&req, unit, address, values, 10);
            break;
        }
        assert_int_equal(rc, PREPAY_OK);
        uint8_t wire[PREPAY_MODBUS_ADU_MAX];
        int n = encode(&req, wire);
        assert_int_equal(prepay_modbus_expected_length(wire, (size_t)n, PREPAY_MODBUS_REQUEST), n);
        assert_int_equal(prepay_modbus_decode(wire, (size_t)n, PREPAY_MODBUS_REQUEST, &on_server), PREPAY_OK);
        prepay_modbus_request_t parsed;
        assert_int_equal(prepay_modbus_parse_request(&on_server, &parsed), PREPAY_OK);
        assert_int_equal(parsed.address, address);
        if (rng() % 5 == 0) {
            assert_int_equal(prepay_modbus_response_exception(&resp, &on_server, PREPAY_MODBUS_EX_DEVICE_BUSY),
                             PREPAY_OK);
        } else {
            assert_int_equal(prepay_modbus_response_build(&resp, &on_server, store + address, coils), PREPAY_OK);
        }
        n = encode(&resp, wire);
        assert_int_equal(prepay_modbus_expected_length(wire, (size_t)n, PREPAY_MODBUS_RESPONSE), n);
        assert_int_equal(prepay_modbus_decode(wire, (size_t)n, PREPAY_MODBUS_RESPONSE, &at_client), PREPAY_OK);
        rc = prepay_modbus_match(&req, &at_client);
        if (resp.is_exception) {
            assert_int_equal(rc, PREPAY_E_MODBUS_EXCEPTION);
            assert_int_equal(at_client.exception, PREPAY_MODBUS_EX_DEVICE_BUSY);
            continue;
        }
        assert_int_equal(rc, PREPAY_OK);
        if (kind <= 1) {
            uint16_t got[125];
            int count = prepay_modbus_response_registers(&req, &at_client, got, 125);
            assert_int_equal(count, parsed.quantity);
            assert_memory_equal(got, store + address, (size_t)count * 2);
        } else if (kind == 2) {
            uint8_t got[32];
            int count = prepay_modbus_response_bits(&req, &at_client, got, sizeof got);
            assert_int_equal(count, parsed.quantity);
            size_t full = (size_t)count / 8;
            assert_memory_equal(got, coils, full);
            if (count % 8) {
                uint8_t mask = (uint8_t)((1u << (count % 8)) - 1u);
                assert_int_equal(got[full], coils[full] & mask);
            }
        }
        /* Another unit's answer, or another function's, is ignored. */
        prepay_modbus_adu_t other = at_client;
        other.unit = (uint8_t)(unit == 247 ? 1 : unit + 1);
        assert_int_equal(prepay_modbus_match(&req, &other), PREPAY_E_MODBUS_NOT_A_MATCH);
        other = at_client;
        other.function = 0x11;
        assert_int_equal(prepay_modbus_match(&req, &other), PREPAY_E_MODBUS_NOT_A_MATCH);
    }
}

static void test_matcher_refusals(void **state)
{
    (void)state;
    prepay_modbus_adu_t req, resp;
    assert_int_equal(prepay_modbus_request_read(&req, 5, 3, 0x10, 2), PREPAY_OK);
    uint16_t store[2] = {1, 2};
    assert_int_equal(prepay_modbus_response_build(&resp, &req, store, NULL), PREPAY_OK);
    assert_int_equal(prepay_modbus_match(&req, &resp), PREPAY_OK);
    resp.data[0] = 2; /* byte count for one register, not two */
    resp.length = 3;
    assert_int_equal(prepay_modbus_match(&req, &resp), PREPAY_E_MODBUS_BAD_RESPONSE);
    /* A write echo with another value. */
    assert_int_equal(prepay_modbus_request_write_register(&req, 5, 0x1C, 1), PREPAY_OK);
    assert_int_equal(prepay_modbus_response_build(&resp, &req, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_modbus_match(&req, &resp), PREPAY_OK);
    resp.data[3] = 2;
    assert_int_equal(prepay_modbus_match(&req, &resp), PREPAY_E_MODBUS_BAD_RESPONSE);
    /* A broadcast write has no response; a response is not a request. */
    assert_int_equal(prepay_modbus_request_write_register(&req, 0, 0x1C, 1), PREPAY_OK);
    assert_int_equal(prepay_modbus_match(&req, &resp), PREPAY_E_MODBUS_BROADCAST);
    assert_int_equal(prepay_modbus_response_build(&resp, &req, NULL, NULL), PREPAY_E_MODBUS_BROADCAST);
    prepay_modbus_adu_t odd = {5, 0x2B, false, 0, 0, {0}};
    assert_int_equal(prepay_modbus_match(&odd, &resp), PREPAY_E_MODBUS_BAD_FUNCTION);
    /* The typed parsers want the right request. */
    uint16_t v[2];
    assert_int_equal(prepay_modbus_request_write_register(&req, 5, 0x1C, 1), PREPAY_OK);
    assert_int_equal(prepay_modbus_response_registers(&req, &resp, v, 2), PREPAY_E_MODBUS_BAD_FUNCTION);
}

static void test_decoder_refusals(void **state)
{
    (void)state;
    prepay_modbus_adu_t a, keep;
    memset(&a, 0x21, sizeof a);
    keep = a;
    uint8_t b[300];
    /* Builds unit, function, data + CRC into b; returns the length. */
#define FRAME(...)                                                                                                     \
    do {                                                                                                               \
        const uint8_t body_[] = {__VA_ARGS__};                                                                         \
        memcpy(b, body_, sizeof body_);                                                                                \
        uint16_t c_ = bitwise_crc(b, sizeof body_);                                                                    \
        b[sizeof body_] = (uint8_t)c_;                                                                                 \
        b[sizeof body_ + 1] = (uint8_t)(c_ >> 8);                                                                      \
        len = sizeof body_ + 2;                                                                                        \
    } while (0)
    size_t len;
    FRAME(0x01, 0x03, 0x03, 0x00, 0x01, 0x02); /* odd byte count */
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_RESPONSE, &a), PREPAY_E_MODBUS_BAD_PDU);
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_ANY, &a), PREPAY_OK);
    a = keep;
    FRAME(0x01, 0x05, 0x00, 0x01, 0x12, 0x34); /* coil value neither FF00 nor 0000 */
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_REQUEST, &a), PREPAY_E_MODBUS_BAD_PDU);
    FRAME(0x01, 0x0F, 0x00, 0x00, 0x00, 0x0A, 0x01, 0xFF); /* 10 coils need 2 bytes */
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_REQUEST, &a), PREPAY_E_MODBUS_BAD_PDU);
    FRAME(0x01, 0x03, 0x00, 0x00, 0x00, 0x00); /* quantity 0 */
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_REQUEST, &a), PREPAY_E_MODBUS_BAD_PDU);
    FRAME(0xF8, 0x03, 0x00, 0x00, 0x00, 0x01); /* unit 248 */
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_ANY, &a), PREPAY_E_MODBUS_BAD_UNIT);
    FRAME(0x00, 0x03, 0x02, 0x00, 0x01); /* a response from the broadcast address */
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_RESPONSE, &a), PREPAY_E_MODBUS_BAD_UNIT);
    FRAME(0x01, 0x83, 0x02, 0x00); /* exception with two bytes */
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_ANY, &a), PREPAY_E_MODBUS_BAD_PDU);
    FRAME(0x01, 0x83, 0x02);
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_REQUEST, &a), PREPAY_E_MODBUS_BAD_PDU);
    FRAME(0x01, 0x00); /* function 0 */
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_ANY, &a), PREPAY_E_MODBUS_BAD_PDU);
    assert_memory_equal(&a, &keep, sizeof a);
    assert_int_equal(prepay_modbus_decode(b, 3, PREPAY_MODBUS_ANY, &a), PREPAY_E_MODBUS_TRUNCATED);
    assert_int_equal(prepay_modbus_decode(b, 257, PREPAY_MODBUS_ANY, &a), PREPAY_E_MODBUS_BAD_LENGTH);
    assert_int_equal(prepay_modbus_decode(b, 4, (prepay_modbus_direction_t)9, &a), PREPAY_E_INVALID_ARGUMENT);
    /* Unknown functions are opaque PDUs. */
    FRAME(0x01, 0x2B, 0x0E, 0x01, 0x00);
    assert_int_equal(prepay_modbus_decode(b, len, PREPAY_MODBUS_RESPONSE, &a), PREPAY_OK);
    assert_int_equal(a.length, 3);
    /* Length inference. */
    const uint8_t p1[] = {0x01, 0x10, 0x00, 0x00, 0x00, 0x02, 0x04};
    assert_int_equal(prepay_modbus_expected_length(p1, 6, PREPAY_MODBUS_REQUEST), 0);
    assert_int_equal(prepay_modbus_expected_length(p1, 7, PREPAY_MODBUS_REQUEST), 13);
    assert_int_equal(prepay_modbus_expected_length(p1, 7, PREPAY_MODBUS_RESPONSE), 8);
    assert_int_equal(prepay_modbus_expected_length(p1, 7, PREPAY_MODBUS_ANY), PREPAY_E_MODBUS_BAD_FUNCTION);
    const uint8_t p2[] = {0x01, 0x03, 0xFC};
    assert_int_equal(prepay_modbus_expected_length(p2, 2, PREPAY_MODBUS_RESPONSE), 0);
    assert_int_equal(prepay_modbus_expected_length(p2, 3, PREPAY_MODBUS_RESPONSE), PREPAY_E_MODBUS_BAD_LENGTH);
    assert_int_equal(prepay_modbus_expected_length(p2, 3, PREPAY_MODBUS_REQUEST), 8);
    const uint8_t p3[] = {0x01, 0x86};
    assert_int_equal(prepay_modbus_expected_length(p3, 2, PREPAY_MODBUS_ANY), 5);
    assert_int_equal(prepay_modbus_expected_length(p3, 2, PREPAY_MODBUS_REQUEST), PREPAY_E_MODBUS_BAD_FUNCTION);
    assert_int_equal(prepay_modbus_expected_length(p3, 1, PREPAY_MODBUS_ANY), 0);
#undef FRAME
}

/* Hostile bytes: no crash, errors leave the ADU alone. */
static void test_random_bytes(void **state)
{
    (void)state;
    prepay_modbus_adu_t a, keep;
    memset(&keep, 0x21, sizeof keep);
    for (int i = 0; i < 50000; i++) {
        uint8_t b[300];
        size_t n = rng() % 260;
        for (size_t k = 0; k < n; k++) {
            b[k] = (uint8_t)rng();
        }
        if (n >= 4 && (rng() & 1)) {
            uint16_t c = bitwise_crc(b, n - 2);
            b[n - 2] = (uint8_t)c;
            b[n - 1] = (uint8_t)(c >> 8);
        }
        a = keep;
        int rc = prepay_modbus_decode(b, n, (prepay_modbus_direction_t)(rng() % 3), &a);
        if (rc != PREPAY_OK) {
            assert_memory_equal(&a, &keep, sizeof a);
        } else {
            assert_int_equal(a.length, n - 4);
        }
        (void)prepay_modbus_expected_length(b, n, (prepay_modbus_direction_t)(rng() % 3));
    }
}

static void check_accounting(const prepay_modbus_stream_t *s)
{
    prepay_modbus_stream_stats_t st;
    assert_int_equal(prepay_modbus_stream_stats(s, &st), PREPAY_OK);
    assert_true(st.bytes_in == st.bytes_dropped + st.bytes_framed + st.bytes_pending);
    assert_true(st.bytes_pending < PREPAY_MODBUS_ADU_MAX);
}

typedef struct line_frame {
    uint8_t bytes[PREPAY_MODBUS_ADU_MAX];
    size_t len;
} line_frame_t;

/* Feeds the line in chunks (times in µs from the caller); returns frames yielded. */
static size_t run_stream(prepay_modbus_stream_t *s, const uint8_t *line, size_t n, const uint64_t *times,
                         size_t chunk, prepay_modbus_adu_t *out, size_t cap)
{
    size_t got = 0;
    for (size_t pos = 0; pos < n;) {
        size_t take = chunk < n - pos ? chunk : n - pos;
        int k = prepay_modbus_stream_feed(s, line + pos, take, times ? times[pos + take - 1] : 0);
        assert_true(k >= 0);
        pos += (size_t)k;
        int r;
        while ((r = prepay_modbus_stream_next(s, &out[got < cap ? got : cap - 1])) == 1) {
            got++;
        }
        assert_int_equal(r, 0);
        check_accounting(s);
        if (k == 0) {
            /* only when a boundary was pending: next() above consumed it */
            assert_true(take > 0);
        }
    }
    return got;
}

static void test_stream_inference(void **state)
{
    (void)state;
    /* Back-to-back frames without any timing: requests of every kind. */
    prepay_modbus_adu_t frames[6];
    assert_int_equal(prepay_modbus_request_read(&frames[0], 1, 3, 0, 10), PREPAY_OK);
    assert_int_equal(prepay_modbus_request_read(&frames[1], 2, 1, 5, 19), PREPAY_OK);
    assert_int_equal(prepay_modbus_request_write_coil(&frames[2], 3, 9, true), PREPAY_OK);
    uint16_t v[5] = {1, 2, 3, 4, 5};
    assert_int_equal(prepay_modbus_request_write_registers(&frames[3], 4, 100, v, 5), PREPAY_OK);
    const uint8_t c[2] = {0xAA, 0x01};
    assert_int_equal(prepay_modbus_request_write_coils(&frames[4], 5, 7, c, 9), PREPAY_OK);
    assert_int_equal(prepay_modbus_request_write_register(&frames[5], 6, 0x1C, 1), PREPAY_OK);
    uint8_t line[1024];
    size_t n = 0;
    for (int i = 0; i < 6; i++) {
        n += (size_t)encode(&frames[i], line + n);
    }
    for (size_t chunk = 1; chunk <= n; chunk += (chunk < 12 ? 1 : 7)) {
        prepay_modbus_stream_t s;
        assert_int_equal(prepay_modbus_stream_init(&s, PREPAY_MODBUS_REQUEST, 0), PREPAY_OK);
        prepay_modbus_adu_t out[8];
        size_t got = run_stream(&s, line, n, NULL, chunk, out, 8);
        assert_int_equal(got, 6);
        for (int i = 0; i < 6; i++) {
            assert_int_equal(out[i].unit, frames[i].unit);
            assert_int_equal(out[i].function, frames[i].function);
            assert_int_equal(out[i].length, frames[i].length);
            assert_memory_equal(out[i].data, frames[i].data, frames[i].length);
        }
    }
    /* A client stream: noise, then a response is yielded without waiting for silence. */
    prepay_modbus_adu_t req, resp;
    assert_int_equal(prepay_modbus_request_read(&req, 9, 3, 0, 3), PREPAY_OK);
    uint16_t regs[3] = {0x0102, 0x0304, 0x0506};
    assert_int_equal(prepay_modbus_response_build(&resp, &req, regs, NULL), PREPAY_OK);
    n = 0;
    line[n++] = 0x00;
    line[n++] = 0xFF; /* noise, e.g. a line turnaround glitch */
    n += (size_t)encode(&resp, line + n);
    prepay_modbus_stream_t s;
    assert_int_equal(prepay_modbus_stream_init(&s, PREPAY_MODBUS_RESPONSE, 0), PREPAY_OK);
    prepay_modbus_adu_t out[4];
    assert_int_equal(run_stream(&s, line, n, NULL, 3, out, 4), 1);
    assert_int_equal(prepay_modbus_match(&req, &out[0]), PREPAY_OK);
    prepay_modbus_stream_stats_t st;
    assert_int_equal(prepay_modbus_stream_stats(&s, &st), PREPAY_OK);
    assert_int_equal(st.bytes_dropped, 2);
    assert_int_equal(st.bytes_pending, 0);
}

static void test_stream_timing(void **state)
{
    (void)state;
    /* 9600 bit/s: a character is 1145 µs (11 bits), t3.5 is 4011 µs (rounded up). */
    assert_int_equal(prepay_modbus_silent_interval_us(9600), 4011);
    assert_int_equal(prepay_modbus_silent_interval_us(19200), 2006);
    assert_int_equal(prepay_modbus_silent_interval_us(38400), 1750);
    assert_int_equal(prepay_modbus_silent_interval_us(0), 0);
    /* A sniffer (ANY) sees a request, its RS-485 echo-free response, an
     * unknown function code (43 / 0E, length not inferable), and a frame cut
     * short by silence; gaps come from the timestamps. */
    prepay_modbus_adu_t req, resp, mei, cut;
    assert_int_equal(prepay_modbus_request_read(&req, 1, 3, 0, 2), PREPAY_OK);
    uint16_t regs[2] = {0x1234, 0x5678};
    assert_int_equal(prepay_modbus_response_build(&resp, &req, regs, NULL), PREPAY_OK);
    mei.unit = 1;
    mei.function = 0x2B;
    mei.is_exception = false;
    mei.exception = 0;
    mei.length = 3;
    mei.data[0] = 0x0E;
    mei.data[1] = 0x01;
    mei.data[2] = 0x00;
    assert_int_equal(prepay_modbus_request_read(&cut, 2, 4, 0, 1), PREPAY_OK);
    const prepay_modbus_adu_t *seq[4] = {&req, &resp, &mei, &cut};
    uint8_t line[256];
    uint64_t times[256];
    size_t n = 0;
    uint64_t t = 1000000;
    const uint64_t ch = 1145;
    for (int f = 0; f < 4; f++) {
        size_t len = (size_t)encode(seq[f], line + n);
        if (f == 3) {
            len = 5; /* the last frame is cut after 5 bytes */
        }
        for (size_t k = 0; k < len; k++) {
            t += ch;
            times[n + k] = t;
        }
        n += len;
        t += 10000; /* 10 ms of silence after each frame */
    }
    /* Then one more response that must be found after the cut frame. */
    size_t len = (size_t)encode(&resp, line + n);
    for (size_t k = 0; k < len; k++) {
        t += ch;
        times[n + k] = t;
    }
    n += len;
    /* Chunks never span a silent interval (as bytes come from a UART). */
    size_t ends[5], e = 0;
    for (size_t k = 1; k <= n; k++) {
        if (k == n || times[k] - times[k - 1] > 2 * ch) {
            ends[e++] = k;
        }
    }
    assert_int_equal(e, 5);
    for (size_t chunk = 1; chunk <= 9; chunk++) {
        prepay_modbus_stream_t s;
        assert_int_equal(prepay_modbus_stream_init(&s, PREPAY_MODBUS_ANY, 9600), PREPAY_OK);
        prepay_modbus_adu_t out[8];
        size_t got = 0, from = 0;
        for (size_t f = 0; f < e; f++) {
            got += run_stream(&s, line + from, ends[f] - from, times + from, chunk, out + got, 8 - got);
            from = ends[f];
        }
        /* The 2B frame needs the silence after it: it is out by the time the
         * cut frame's silence closes. The final response is inferred at once. */
        assert_int_equal(got, 4);
        assert_int_equal(out[0].function, 3);
        assert_int_equal(out[0].length, 4);
        assert_int_equal(out[1].function, 3);
        assert_int_equal(out[1].length, 5);
        assert_int_equal(out[2].function, 0x2B);
        assert_int_equal(out[3].function, 3);
        prepay_modbus_stream_stats_t st;
        assert_int_equal(prepay_modbus_stream_stats(&s, &st), PREPAY_OK);
        assert_int_equal(st.bytes_dropped, 5); /* the cut frame */
        assert_int_equal(st.bytes_pending, 0);
    }
    /* gap(): the same without timestamps, the caller saying when the line went idle. */
    prepay_modbus_stream_t s;
    assert_int_equal(prepay_modbus_stream_init(&s, PREPAY_MODBUS_RESPONSE, 0), PREPAY_OK);
    uint8_t b[16];
    size_t m = (size_t)encode(&mei, b);
    prepay_modbus_adu_t out;
    assert_int_equal(prepay_modbus_stream_feed(&s, b, m, 0), (int)m);
    assert_int_equal(prepay_modbus_stream_next(&s, &out), 0); /* length unknown */
    assert_int_equal(prepay_modbus_stream_gap(&s), 1);
    assert_int_equal(prepay_modbus_stream_next(&s, &out), 1);
    assert_int_equal(out.function, 0x2B);
    assert_int_equal(prepay_modbus_stream_gap(&s), 0); /* nothing to delimit */
    check_accounting(&s);
    memset(&s, 0, sizeof s);
    assert_int_equal(prepay_modbus_stream_next(&s, &out), PREPAY_E_BAD_STATE);
}

/* A client on a 2-wire RS-485 bus hears its own request first. */
static void test_stream_echo(void **state)
{
    (void)state;
    prepay_modbus_adu_t req, resp, out;
    assert_int_equal(prepay_modbus_request_read(&req, 7, 3, 0x6B, 3), PREPAY_OK);
    uint16_t regs[3] = {1, 2, 3};
    assert_int_equal(prepay_modbus_response_build(&resp, &req, regs, NULL), PREPAY_OK);
    uint8_t line[64];
    uint64_t times[64];
    size_t n = (size_t)encode(&req, line);
    for (size_t k = 0; k < n; k++) {
        times[k] = 1000 + 1145 * k;
    }
    size_t m = (size_t)encode(&resp, line + n);
    for (size_t k = 0; k < m; k++) {
        times[n + k] = 50000 + 1145 * k;
    }
    prepay_modbus_stream_t s;
    assert_int_equal(prepay_modbus_stream_init(&s, PREPAY_MODBUS_RESPONSE, 9600), PREPAY_OK);
    size_t got = 0;
    for (size_t pos = 0; pos < n + m; pos++) {
        assert_int_equal(prepay_modbus_stream_feed(&s, line + pos, 1, times[pos]), 1);
        while (prepay_modbus_stream_next(&s, &out) == 1) {
            got++;
            assert_int_equal(prepay_modbus_match(&req, &out), PREPAY_OK);
        }
    }
    assert_int_equal(got, 1);
    prepay_modbus_stream_stats_t st;
    assert_int_equal(prepay_modbus_stream_stats(&s, &st), PREPAY_OK);
    assert_int_equal(st.bytes_dropped, n);
}

/* Register values: every type and byte order through encode and decode. */
static void test_register_values(void **state)
{
    (void)state;
    static const int64_t samples[] = {0, 1, -1, 9999, -32768, 32767, 65535, 99999999, 2147483647, -2147483648LL,
                                      4294967295LL};
    for (uint8_t type = 0; type <= PREPAY_MODBUS_TYPE_BCD32; type++) {
        for (uint8_t order = 0; order <= PREPAY_MODBUS_ORDER_DCBA; order++) {
            for (int e = -2; e <= 2; e++) {
                prepay_modbus_register_t reg = {"x", 0, 3, type, order, (int8_t)e, PREPAY_MODBUS_UNIT_WH,
                                                PREPAY_MODBUS_RULE_EXACT, true};
                for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
                    int64_t raw = samples[i];
                    int64_t value = e >= 0 ? raw * (e == 0 ? 1 : e == 1 ? 10 : 100) : raw;
                    if (e < 0 && raw % (e == -1 ? 10 : 100) != 0) {
                        continue;
                    }
                    if (e < 0) {
                        value = raw / (e == -1 ? 10 : 100);
                    }
                    uint16_t w[2] = {0, 0};
                    int n = prepay_modbus_value_encode(&reg, value, w, 2);
                    if (n < 0) {
                        assert_true(n == PREPAY_E_OUT_OF_RANGE || n == PREPAY_E_MODBUS_INEXACT);
                        continue;
                    }
                    int64_t back = 12345;
                    assert_int_equal(prepay_modbus_value_decode(&reg, w, (size_t)n, &back), PREPAY_OK);
                    assert_int_equal(back, value);
                }
            }
        }
    }
    /* Byte orders of 0x11223344 in words as received. */
    const prepay_modbus_register_t u32 = {"x", 0, 3, PREPAY_MODBUS_TYPE_UINT32, 0, 0, 0, 0, false};
    const struct {
        uint8_t order;
        uint16_t w0, w1;
    } orders[4] = {{PREPAY_MODBUS_ORDER_ABCD, 0x1122, 0x3344},
                   {PREPAY_MODBUS_ORDER_CDAB, 0x3344, 0x1122},
                   {PREPAY_MODBUS_ORDER_BADC, 0x2211, 0x4433},
                   {PREPAY_MODBUS_ORDER_DCBA, 0x4433, 0x2211}};
    for (int i = 0; i < 4; i++) {
        prepay_modbus_register_t reg = u32;
        reg.order = orders[i].order;
        uint16_t w[2] = {orders[i].w0, orders[i].w1};
        int64_t v;
        assert_int_equal(prepay_modbus_value_decode(&reg, w, 2, &v), PREPAY_OK);
        assert_int_equal(v, 0x11223344);
    }
    /* BCD: 1234 -> 0x1234; a nibble above 9 is refused; INT16 sign; exponent -1 inexact. */
    prepay_modbus_register_t bcd = {"x", 0, 3, PREPAY_MODBUS_TYPE_BCD16, 0, 0, 0, 0, false};
    uint16_t w = 0x1234;
    int64_t v = 0;
    assert_int_equal(prepay_modbus_value_decode(&bcd, &w, 1, &v), PREPAY_OK);
    assert_int_equal(v, 1234);
    w = 0x12A4;
    assert_int_equal(prepay_modbus_value_decode(&bcd, &w, 1, &v), PREPAY_E_MODBUS_BAD_VALUE);
    prepay_modbus_register_t i16 = {"x", 0, 3, PREPAY_MODBUS_TYPE_INT16, 0, -1, 0, PREPAY_MODBUS_RULE_EXACT, false};
    w = 0xFB2E; /* -1234 */
    assert_int_equal(prepay_modbus_value_decode(&i16, &w, 1, &v), PREPAY_E_MODBUS_INEXACT);
    i16.rule = PREPAY_MODBUS_RULE_ROUND; /* -123.4 -> -123 */
    assert_int_equal(prepay_modbus_value_decode(&i16, &w, 1, &v), PREPAY_OK);
    assert_int_equal(v, -123);
    w = 0xFB2D; /* -1235 -> -123.5 -> -124 (half away from zero) */
    assert_int_equal(prepay_modbus_value_decode(&i16, &w, 1, &v), PREPAY_OK);
    assert_int_equal(v, -124);
    /* Bad descriptions and short input. */
    prepay_modbus_register_t bad = {"x", 0, 3, 9, 0, 0, 0, 0, false};
    assert_int_equal(prepay_modbus_value_decode(&bad, &w, 1, &v), PREPAY_E_MODBUS_BAD_REGISTER);
    assert_int_equal(prepay_modbus_value_decode(&u32, &w, 1, &v), PREPAY_E_MODBUS_BAD_REGISTER);
    bad = u32;
    bad.exponent = 19;
    assert_int_equal(prepay_modbus_value_decode(&bad, &w, 2, &v), PREPAY_E_MODBUS_BAD_REGISTER);
    /* NaN and infinity. */
    prepay_modbus_register_t f32 = {"x", 0, 3, PREPAY_MODBUS_TYPE_FLOAT32, 0, 3, 0, PREPAY_MODBUS_RULE_ROUND, false};
    uint16_t nan[2] = {0x7FC0, 0x0000}, inf[2] = {0xFF80, 0x0000};
    assert_int_equal(prepay_modbus_value_decode(&f32, nan, 2, &v), PREPAY_E_MODBUS_BAD_VALUE);
    assert_int_equal(prepay_modbus_value_decode(&f32, inf, 2, &v), PREPAY_E_MODBUS_BAD_VALUE);
}

/* FLOAT32 against strtof (correctly rounded) and exact double arithmetic. */
/* Whether a double holds a whole number (without == on floating point). */
static bool is_whole(double x)
{
    return !(fabs(x - floor(x)) > 0.0);
}

static void test_float_conversion(void **state)
{
    (void)state;
    static const double tens[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    for (int i = 0; i < 200000; i++) {
        int d = (int)(rng() % 7);
        /* A decimal N / 10^d, printed and read back by the C library. */
        int64_t n = (int64_t)(rng() % 100000000u) - 50000000;
        if (rng() % 4 == 0) {
            n = (int64_t)(rng() % 2000u) - 1000;
        }
        char text[48];
        int64_t mag = n < 0 ? -n : n;
        snprintf(text, sizeof text, "%s%lld.%0*lld", n < 0 ? "-" : "", (long long)(mag / (int64_t)tens[d]), d,
                 (long long)(mag % (int64_t)tens[d]));
        if (d == 0) {
            snprintf(text, sizeof text, "%lld", (long long)n);
        }
        float f = strtof(text, NULL);
        uint32_t want;
        memcpy(&want, &f, 4);
        if (n == 0) {
            want = 0; /* the library writes +0 */
        }
        uint32_t bits = 0;
        assert_int_equal(prepay_modbus_fixed_to_float(n, d, &bits), PREPAY_OK);
        if (bits != want) {
            fail_msg("%s: library %08X, strtof %08X", text, bits, want);
        }
        /* DECIMAL reads it back as n whenever binary32 steps there are finer than 10^-d. */
        int exp2;
        (void)frexp(fabs((double)f), &exp2);
        double step = ldexp(1.0, exp2 - 24);
        int64_t back = 0;
        int rc = prepay_modbus_float_to_fixed(bits, d, PREPAY_MODBUS_RULE_DECIMAL, &back);
        if (n != 0 && step * tens[d] < 1.0) {
            if (rc != PREPAY_OK || back != n) {
                fail_msg("%s: DECIMAL gave %lld (%s)", text, (long long)back, prepay_strerror(rc));
            }
        }
        /* EXACT and ROUND against exact double arithmetic (24 + 20 bits fit a double). */
        double exact = (double)f * tens[d];
        int64_t got;
        rc = prepay_modbus_float_to_fixed(bits, d, PREPAY_MODBUS_RULE_EXACT, &got);
        if (is_whole(exact)) {
            assert_int_equal(rc, PREPAY_OK);
            assert_int_equal(got, (int64_t)exact);
        } else {
            assert_int_equal(rc, PREPAY_E_MODBUS_INEXACT);
        }
        assert_int_equal(prepay_modbus_float_to_fixed(bits, d, PREPAY_MODBUS_RULE_ROUND, &got), PREPAY_OK);
        assert_int_equal(got, (int64_t)llround(exact));
    }
    /* Random bit patterns (any exponent) with exponents 0..6: EXACT and ROUND. */
    for (int i = 0; i < 200000; i++) {
        uint32_t bits = rng();
        if (((bits >> 23) & 0xFF) == 0xFF) {
            continue;
        }
        float f;
        memcpy(&f, &bits, 4);
        int d = (int)(rng() % 7);
        double exact = (double)f * tens[d];
        int64_t got = 0;
        int rc = prepay_modbus_float_to_fixed(bits, d, PREPAY_MODBUS_RULE_ROUND, &got);
        if (fabs(exact) >= ldexp(1.0, 63)) {
            assert_int_equal(rc, PREPAY_E_OVERFLOW);
            continue;
        }
        assert_int_equal(rc, PREPAY_OK);
        assert_int_equal(got, (int64_t)llround(exact));
        rc = prepay_modbus_float_to_fixed(bits, d, PREPAY_MODBUS_RULE_EXACT, &got);
        assert_int_equal(rc == PREPAY_OK, is_whole(exact));
    }
    /* Decimals 7..11 (the top of the 64-bit path, which covers 0..11): m x 5^d has at most
     * 24 + 26 bits, so double arithmetic is still exact. Values near 1 and random bit patterns. */
    static const double more_tens[5] = {1e7, 1e8, 1e9, 1e10, 1e11};
    for (int i = 0; i < 200000; i++) {
        uint32_t bits = rng();
        if (i % 2 == 0) {
            bits = (bits & 0x807FFFFFu) | (uint32_t)(100u + rng() % 56u) << 23; /* |x| in [2^-27, 2^29) */
        }
        if (((bits >> 23) & 0xFF) == 0xFF) {
            continue;
        }
        float f;
        memcpy(&f, &bits, 4);
        int k = (int)(rng() % 5);
        double exact = (double)f * more_tens[k];
        int64_t got = 0;
        int rc = prepay_modbus_float_to_fixed(bits, 7 + k, PREPAY_MODBUS_RULE_ROUND, &got);
        if (fabs(exact) >= ldexp(1.0, 63)) {
            assert_int_equal(rc, PREPAY_E_OVERFLOW);
            continue;
        }
        assert_int_equal(rc, PREPAY_OK);
        assert_int_equal(got, (int64_t)llround(exact));
        rc = prepay_modbus_float_to_fixed(bits, 7 + k, PREPAY_MODBUS_RULE_EXACT, &got);
        assert_int_equal(rc == PREPAY_OK, is_whole(exact));
        if (rc == PREPAY_OK) {
            assert_int_equal(got, (int64_t)exact);
        }
    }
    /* Negative exponents (coarser units): 1234567.0 at 10^-3 is 1234.567 -> inexact; 1234000 -> 1234. */
    int64_t got;
    float f = 1234000.0f;
    uint32_t bits;
    memcpy(&bits, &f, 4);
    assert_int_equal(prepay_modbus_float_to_fixed(bits, -3, PREPAY_MODBUS_RULE_EXACT, &got), PREPAY_OK);
    assert_int_equal(got, 1234);
    f = 1234567.0f;
    memcpy(&bits, &f, 4);
    assert_int_equal(prepay_modbus_float_to_fixed(bits, -3, PREPAY_MODBUS_RULE_DECIMAL, &got), PREPAY_E_MODBUS_INEXACT);
    assert_int_equal(prepay_modbus_float_to_fixed(bits, -3, PREPAY_MODBUS_RULE_ROUND, &got), PREPAY_OK);
    assert_int_equal(got, 1235);
    f = 0.75f; /* 0.75 at 10^-1 rounds to 0 */
    memcpy(&bits, &f, 4);
    assert_int_equal(prepay_modbus_float_to_fixed(bits, -1, PREPAY_MODBUS_RULE_ROUND, &got), PREPAY_OK);
    assert_int_equal(got, 0);
    assert_int_equal(prepay_modbus_float_to_fixed(bits, 19, PREPAY_MODBUS_RULE_ROUND, &got), PREPAY_E_INVALID_ARGUMENT);
    /* The smallest subnormal with ROUND at 10^6 is 0; with DECIMAL inexact. */
    assert_int_equal(prepay_modbus_float_to_fixed(1u, 6, PREPAY_MODBUS_RULE_ROUND, &got), PREPAY_OK);
    assert_int_equal(got, 0);
    assert_int_equal(prepay_modbus_float_to_fixed(1u, 6, PREPAY_MODBUS_RULE_DECIMAL, &got), PREPAY_E_MODBUS_INEXACT);
}

static void test_shipped_maps(void **state)
{
    (void)state;
    const prepay_modbus_map_t *ddsy = prepay_modbus_map_by_name("ddsy1352");
    assert_non_null(ddsy);
    assert_ptr_equal(prepay_modbus_map_builtin(0), ddsy);
    assert_non_null(prepay_modbus_map_builtin(1));
    assert_null(prepay_modbus_map_builtin(2));
    assert_null(prepay_modbus_map_by_name("nope"));
    /* A DDSY1352 block 0000H..0010H worked by hand:
     * total 0001E240H = 123456 x 0.01 kWh = 1234.56 kWh = 1234560 Wh;
     * U 089DH = 2205 x 0.1 V = 220.5 V = 220500 mV; I 020BH = 523 x 0.01 A = 5230 mA;
     * P FB2EH = -1234 x 0.001 kW = -1234 W; S 05DCH = 1500 VA; PF 03E6H = 998 per mille. */
    uint16_t block[17] = {0x0001, 0xE240, 0, 100, 0, 200, 0, 300, 0, 400, 1234, 0x089D, 0x020B, 0xFB2E, 0, 0x05DC,
                          0x03E6};
    prepay_modbus_value_t out[16];
    int n = prepay_modbus_map_decode(ddsy, 3, 0, block, 17, out, 16);
    assert_int_equal(n, 11);
    const int64_t want[11] = {1234560, 1000, 2000, 3000, 4000, 1234, 220500, 5230, -1234, 1500, 998};
    for (int i = 0; i < n; i++) {
        assert_int_equal(out[i].status, PREPAY_OK);
        assert_int_equal(out[i].value, want[i]);
    }
    assert_string_equal(prepay_modbus_unit_symbol(out[6].reg->unit), "mV");
    /* A partial block decodes only what it covers; another function nothing. */
    assert_int_equal(prepay_modbus_map_decode(ddsy, 3, 0x000B, block + 11, 3, out, 16), 3);
    assert_int_equal(prepay_modbus_map_decode(ddsy, 4, 0, block, 17, out, 16), 0);
    assert_int_equal(prepay_modbus_map_decode(ddsy, 3, 0, block, 17, out, 5), PREPAY_E_BUFFER_TOO_SMALL);

    /* Xintai: forward volume 12.345 m³ written as a float (litres in), read back exactly. */
    const prepay_modbus_map_t *xintai = prepay_modbus_map_by_name("xintai-water");
    const prepay_modbus_register_t *forward = prepay_modbus_map_find(xintai, "forward_volume");
    assert_non_null(forward);
    assert_int_equal(forward->address, 0x0001);
    uint16_t words[28] = {0};
    assert_int_equal(prepay_modbus_value_encode(forward, 12345, words, 2), 2);
    /* 12.345 = 0x414585 1F as binary32 (strtof), DCBA on the wire: 1F 85 45 41. */
    assert_int_equal(words[0], 0x1F85);
    assert_int_equal(words[1], 0x4541);
    const prepay_modbus_register_t *flow = prepay_modbus_map_find(xintai, "flow");
    words[4] = 0x1E85; /* the vendor's example: 1E 85 0B 3F */
    words[5] = 0x0B3F;
    const prepay_modbus_register_t *remaining = prepay_modbus_map_find(xintai, "remaining_volume");
    assert_int_equal(prepay_modbus_value_encode(remaining, 3500, words + 7, 2), 2); /* 3.5 m³ exactly */
    words[6] = 0x00AA;  /* pipe full */
    words[27] = 0x0001; /* valve open */
    /* The PouCon driver reads 28 registers from 0001H: up to the valve (001CH), not 001DH. */
    n = prepay_modbus_map_decode(xintai, 3, 0x0001, words, 28, out, 16);
    assert_int_equal(n, 10);
    for (int i = 0; i < n; i++) {
        if (out[i].reg == forward) {
            assert_int_equal(out[i].value, 12345);
        } else if (out[i].reg == flow) {
            assert_int_equal(out[i].status, PREPAY_OK); /* measurement: rounds */
            assert_int_equal(out[i].value, 545);
        } else if (out[i].reg == remaining) {
            assert_int_equal(out[i].value, 3500);
        }
    }
    /* A billed register refuses the vendor's off-by-one-step float. */
    int64_t v;
    assert_int_equal(prepay_modbus_value_decode(forward, words + 4, 2, &v), PREPAY_E_MODBUS_INEXACT);
    /* Writing 0.1 L more than float32 resolves at 20000 m³ is refused. */
    assert_int_equal(prepay_modbus_value_encode(remaining, 20000001, words, 2), PREPAY_E_MODBUS_INEXACT);
}

static void test_status_texts(void **state)
{
    (void)state;
    for (int i = 1; i <= 14; i++) {
        const char *text = prepay_strerror(PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, i));
#ifndef PREPAY_NO_STRERROR
        assert_non_null(strstr(text, "Modbus"));
#else
        (void)text;
#endif
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_table),        cmocka_unit_test(test_builders),
        cmocka_unit_test(test_server_client),    cmocka_unit_test(test_matcher_refusals),
        cmocka_unit_test(test_decoder_refusals), cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_stream_inference), cmocka_unit_test(test_stream_timing),
        cmocka_unit_test(test_stream_echo),      cmocka_unit_test(test_register_values),
        cmocka_unit_test(test_float_conversion), cmocka_unit_test(test_shipped_maps),
        cmocka_unit_test(test_status_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
