/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 frame codec: every error path, address helpers, and the
 * round-trip properties decode(encode(x)) == x over generated frames of
 * every control byte (hence every function code, direction and flag), all
 * address kinds, 0..4 preamble bytes and 0..PREPAY_DLT645_MAX_DATA data bytes.
 * Expected bytes below were worked out by hand from DL/T 645-2007 clause 7.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/dlt645.h"
#include "prepay/status.h"

/* Deterministic PRNG (xorshift64*), so failures reproduce. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* 68 61 01 00 00 00 00 68 11 04 33 33 34 33 14 16: read 00010000 from 000000000161. */
static const uint8_t read_request[] = {0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68,
                                       0x11, 0x04, 0x33, 0x33, 0x34, 0x33, 0x14, 0x16};

static void test_decode_errors(void **state)
{
    (void)state;
    prepay_dlt645_frame_t f;
    memset(&f, 0x5A, sizeof f);
    const prepay_dlt645_frame_t before = f;
    uint8_t b[64];

    assert_int_equal(prepay_dlt645_decode(NULL, 4, &f), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_decode(read_request, sizeof read_request, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_decode_edition(read_request, sizeof read_request, (prepay_dlt645_edition_t)2001, &f),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_decode_edition(read_request, sizeof read_request, PREPAY_DLT645_EDITION_1997, &f),
                     PREPAY_E_DLT645_BAD_FUNCTION);
    /* Empty input and all-FE input: truncated. */
    assert_int_equal(prepay_dlt645_decode(read_request, 0, &f), PREPAY_E_DLT645_TRUNCATED);
    memset(b, 0xFE, 9);
    assert_int_equal(prepay_dlt645_decode(b, 9, &f), PREPAY_E_DLT645_TRUNCATED);
    /* Garbage where the start byte should be, with and without preamble. */
    b[9] = 0x00;
    assert_int_equal(prepay_dlt645_decode(b, 10, &f), PREPAY_E_DLT645_NO_START);
    assert_int_equal(prepay_dlt645_decode(read_request + 1, sizeof read_request - 1, &f), PREPAY_E_DLT645_NO_START);
    /* Missing second 68. */
    memcpy(b, read_request, sizeof read_request);
    b[7] = 0x69;
    assert_int_equal(prepay_dlt645_decode(b, sizeof read_request, &f), PREPAY_E_DLT645_NO_SECOND_START);
    assert_int_equal(prepay_dlt645_decode(b, 8, &f), PREPAY_E_DLT645_NO_SECOND_START); /* seen early */
    /* Checksum: 14 -> 15. */
    memcpy(b, read_request, sizeof read_request);
    b[14] = 0x15;
    assert_int_equal(prepay_dlt645_decode(b, sizeof read_request, &f), PREPAY_E_DLT645_BAD_CHECKSUM);
    /* End byte. */
    memcpy(b, read_request, sizeof read_request);
    b[15] = 0x17;
    assert_int_equal(prepay_dlt645_decode(b, sizeof read_request, &f), PREPAY_E_DLT645_BAD_END);
    /* Inconsistent length: read request with L = 3 (shorter than its DI).
     * 68 61 01 00 00 00 00 68 11 03 33 33 34 CS 16, CS = 147 - 1 + 33+33+34 = 1E0 -> E0. */
    const uint8_t short_read[] = {0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68,
                                  0x11, 0x03, 0x33, 0x33, 0x34, 0xE0, 0x16};
    assert_int_equal(prepay_dlt645_decode(short_read, sizeof short_read, &f), PREPAY_E_DLT645_BAD_LENGTH);
    /* Abnormal reply D1 with 2 error bytes (only 03 has a 2-byte word):
     * 68 12 00 00 00 10 20 68 D1 02 35 33 CS 16, CS = 68+12+10+20+68+D1+02+35+33 = 24D -> 4D. */
    const uint8_t long_abnormal[] = {0x68, 0x12, 0x00, 0x00, 0x00, 0x10, 0x20, 0x68,
                                     0xD1, 0x02, 0x35, 0x33, 0x4D, 0x16};
    assert_int_equal(prepay_dlt645_decode(long_abnormal, sizeof long_abnormal, &f), PREPAY_E_DLT645_BAD_LENGTH);
    /* ...and the same L = 2 is right for the 03 security abnormal reply C3:
     * CS = 24D - D1 + C3 = 23F -> 3F; error word 02 00 -> 0x0002. */
    const uint8_t security_abnormal[] = {0x68, 0x12, 0x00, 0x00, 0x00, 0x10, 0x20, 0x68,
                                         0xC3, 0x02, 0x35, 0x33, 0x3F, 0x16};
    prepay_dlt645_frame_t g;
    assert_int_equal(prepay_dlt645_decode(security_abnormal, sizeof security_abnormal, &g),
                     (int)sizeof security_abnormal);
    assert_true(g.abnormal && g.has_error);
    assert_int_equal(g.error, 0x0002);
    assert_int_equal(g.edition, PREPAY_DLT645_EDITION_2007);
#if PREPAY_DLT645_MAX_DATA < 255
    /* L above the configured maximum. */
    memcpy(b, read_request, 10);
    b[9] = (uint8_t)(PREPAY_DLT645_MAX_DATA + 1);
    assert_int_equal(prepay_dlt645_decode(b, 10, &f), PREPAY_E_DLT645_BAD_LENGTH);
#endif
    /* A huge L on a short buffer is truncated, never read beyond. */
    uint8_t *exact = malloc(12);
    assert_non_null(exact);
    memcpy(exact, read_request, 10);
    exact[9] = 0xC8;
    exact[10] = 0x33;
    exact[11] = 0x16;
    assert_int_equal(prepay_dlt645_decode(exact, 12, &f), PREPAY_E_DLT645_TRUNCATED);
    free(exact);
    /* Nothing changed by any failure. */
    assert_memory_equal(&f, &before, sizeof f);
}

static void test_encode_errors(void **state)
{
    (void)state;
    prepay_dlt645_frame_t f;
    assert_int_equal(prepay_dlt645_decode(read_request, sizeof read_request, &f), (int)sizeof read_request);
    f.preamble = 4;
    uint8_t out[64];
    assert_int_equal(prepay_dlt645_encode(NULL, out, sizeof out), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_encode(&f, NULL, sizeof out), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_encoded_size(NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_encoded_size(&f), 20);
    for (size_t cap = 0; cap < 20; cap++) {
        memset(out, 0xC3, sizeof out);
        assert_int_equal(prepay_dlt645_encode(&f, out, cap), PREPAY_E_BUFFER_TOO_SMALL);
        for (size_t i = 0; i < sizeof out; i++) {
            assert_int_equal(out[i], 0xC3);
        }
    }
    memset(out, 0xC3, sizeof out);
    assert_int_equal(prepay_dlt645_encode(&f, out, 20), 20);
    const uint8_t fe[4] = {0xFE, 0xFE, 0xFE, 0xFE};
    assert_memory_equal(out, fe, 4);
    assert_memory_equal(out + 4, read_request, sizeof read_request);
    assert_int_equal(out[20], 0xC3);
#if PREPAY_DLT645_MAX_DATA < 255
    f.length = (uint8_t)(PREPAY_DLT645_MAX_DATA + 1);
    assert_int_equal(prepay_dlt645_encoded_size(&f), PREPAY_E_DLT645_DATA_TOO_LONG);
    assert_int_equal(prepay_dlt645_encode(&f, out, sizeof out), PREPAY_E_DLT645_DATA_TOO_LONG);
#endif
}

static void test_frame_init(void **state)
{
    (void)state;
    prepay_dlt645_frame_t f;
    memset(&f, 0x77, sizeof f);
    const prepay_dlt645_frame_t before = f;
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string("000000000161", 12, &a), PREPAY_OK);
    const uint8_t di[4] = {0x00, 0x00, 0x01, 0x00};
    uint8_t big[256] = {0};
    assert_int_equal(prepay_dlt645_frame_init(NULL, PREPAY_DLT645_EDITION_2007, &a, 0x11, di, 4),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, NULL, 0x11, di, 4),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &a, 0x11, NULL, 4),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_frame_init(&f, (prepay_dlt645_edition_t)7, &a, 0x11, di, 4),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &a, 0x11, big, 256),
                     PREPAY_E_DLT645_DATA_TOO_LONG);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &a, 0x11, di, 3),
                     PREPAY_E_DLT645_BAD_LENGTH);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_1997, &a, 0x01, di, 1),
                     PREPAY_E_DLT645_BAD_LENGTH);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &a, 0xD1, di, 0),
                     PREPAY_E_DLT645_BAD_LENGTH);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &a, 0x01, di, 4),
                     PREPAY_E_DLT645_BAD_FUNCTION);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_1997, &a, 0x9C, di, 0),
                     PREPAY_E_DLT645_BAD_FUNCTION);
    assert_memory_equal(&f, &before, sizeof f);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_AUTO, &a, 0x11, di, 4), PREPAY_OK);
    uint8_t out[32];
    assert_int_equal(prepay_dlt645_encode(&f, out, sizeof out), (int)sizeof read_request);
    assert_memory_equal(out, read_request, sizeof read_request);
    /* Control helper: 0x11 reply with follow-up = B1; abnormal = D1. */
    assert_int_equal(prepay_dlt645_control(0x11, true, false, true), 0xB1);
    assert_int_equal(prepay_dlt645_control(0x11, true, true, false), 0xD1);
    assert_int_equal(prepay_dlt645_control(0xFF, false, false, false), 0x1F);
    assert_int_equal(prepay_dlt645_checksum(NULL, 3), 0);
    assert_int_equal(prepay_dlt645_checksum(read_request, 14), 0x14);
    /* AUTO picks 1997 for the 1997-only function codes, 2007 otherwise. */
    const unsigned only_1997[] = {0x01, 0x02, 0x04, 0x0A, 0x0C, 0x0F};
    for (size_t i = 0; i < sizeof only_1997 / sizeof only_1997[0]; i++) {
        assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_AUTO, &a, (uint8_t)only_1997[i], di, 4),
                         PREPAY_OK);
        assert_int_equal(f.edition, PREPAY_DLT645_EDITION_1997);
    }
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_AUTO, &a, 0x08, di, 4), PREPAY_OK);
    assert_int_equal(f.edition, PREPAY_DLT645_EDITION_2007);
    assert_int_equal(f.di_size, 0);
}

static void test_addresses(void **state)
{
    (void)state;
    prepay_dlt645_address_t a;
    memset(&a, 0x11, sizeof a);
    const prepay_dlt645_address_t before = a;
    assert_int_equal(prepay_dlt645_address_from_string(NULL, 12, &a), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_address_from_string("000000193600", 12, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_address_from_string("00000019360", 11, &a), PREPAY_E_DLT645_BAD_ADDRESS);
    assert_int_equal(prepay_dlt645_address_from_string("0000001936000", 13, &a), PREPAY_E_DLT645_BAD_ADDRESS);
    assert_int_equal(prepay_dlt645_address_from_string("00000019360X", 12, &a), PREPAY_E_DLT645_BAD_ADDRESS);
    assert_int_equal(prepay_dlt645_address_from_string("A00000193600", 12, &a), PREPAY_E_DLT645_BAD_ADDRESS);
    assert_int_equal(prepay_dlt645_address_from_string("0A0000193600", 12, &a), PREPAY_E_DLT645_BAD_ADDRESS);
    assert_memory_equal(&a, &before, sizeof a);
    /* 000000193600 -> wire 00 36 19 00 00 00 (A0 first). */
    assert_int_equal(prepay_dlt645_address_from_string("000000193600", 12, &a), PREPAY_OK);
    const uint8_t wire[6] = {0x00, 0x36, 0x19, 0x00, 0x00, 0x00};
    assert_memory_equal(a.bytes, wire, 6);
    char text[13];
    assert_int_equal(prepay_dlt645_address_to_string(&a, text, 12), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_dlt645_address_to_string(NULL, text, 13), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_address_to_string(&a, NULL, 13), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_address_to_string(&a, text, 13), 12);
    assert_string_equal(text, "000000193600");
    /* Short addressing: wildcards in the high bytes, any case. */
    prepay_dlt645_address_t pattern;
    assert_int_equal(prepay_dlt645_address_from_string("aaAA00193600", 12, &pattern), PREPAY_OK);
    assert_int_equal(prepay_dlt645_address_to_string(&pattern, text, 13), 12);
    assert_string_equal(text, "AAAA00193600");
    assert_true(prepay_dlt645_address_is_wildcard(&pattern));
    assert_false(prepay_dlt645_address_is_wildcard(&a));
    assert_false(prepay_dlt645_address_is_wildcard(NULL));
    assert_true(prepay_dlt645_address_matches(&pattern, &a));
    assert_true(prepay_dlt645_address_matches(&a, &a));
    prepay_dlt645_address_t other;
    assert_int_equal(prepay_dlt645_address_from_string("000000193601", 12, &other), PREPAY_OK);
    assert_false(prepay_dlt645_address_matches(&pattern, &other));
    assert_false(prepay_dlt645_address_matches(&other, &a));
    assert_false(prepay_dlt645_address_matches(NULL, &a));
    assert_false(prepay_dlt645_address_matches(&a, NULL));
    prepay_dlt645_address_t broadcast = prepay_dlt645_address_broadcast();
    prepay_dlt645_address_t all = prepay_dlt645_address_wildcard();
    assert_true(prepay_dlt645_address_is_broadcast(&broadcast));
    assert_false(prepay_dlt645_address_is_broadcast(&a));
    assert_false(prepay_dlt645_address_is_broadcast(NULL));
    assert_true(prepay_dlt645_address_matches(&broadcast, &a));
    assert_true(prepay_dlt645_address_matches(&all, &a));
    assert_int_equal(prepay_dlt645_address_to_string(&broadcast, text, 13), 12);
    assert_string_equal(text, "999999999999");
    assert_int_equal(prepay_dlt645_address_to_string(&all, text, 13), 12);
    assert_string_equal(text, "AAAAAAAAAAAA");
    /* Non-BCD bytes print in hex (visible, not hidden). */
    const prepay_dlt645_address_t odd = {{0x1F, 0, 0, 0, 0, 0xB0}};
    assert_int_equal(prepay_dlt645_address_to_string(&odd, text, 13), 12);
    assert_string_equal(text, "B0000000001F");
}

static void random_address(prepay_dlt645_address_t *a)
{
    switch (rnd() % 5) {
    case 0: *a = prepay_dlt645_address_broadcast(); return;
    case 1: *a = prepay_dlt645_address_wildcard(); return;
    default: break;
    }
    for (size_t i = 0; i < 6; i++) {
        a->bytes[i] = (uint8_t)(((rnd() % 10) << 4) | (rnd() % 10));
    }
    if (rnd() % 3 == 0) { /* short addressing: AA in the high bytes */
        for (size_t i = 6 - 1 - rnd() % 5; i < 6; i++) {
            a->bytes[i] = 0xAA;
        }
    } else if (rnd() % 5 == 0) { /* anything at all */
        for (size_t i = 0; i < 6; i++) {
            a->bytes[i] = (uint8_t)rnd();
        }
    }
}

static void assert_frames_equal(const prepay_dlt645_frame_t *x, const prepay_dlt645_frame_t *y)
{
    assert_memory_equal(x->address.bytes, y->address.bytes, 6);
    assert_int_equal(x->control, y->control);
    assert_int_equal(x->function, y->function);
    assert_int_equal(x->is_reply, y->is_reply);
    assert_int_equal(x->abnormal, y->abnormal);
    assert_int_equal(x->follow_up, y->follow_up);
    assert_int_equal(x->preamble, y->preamble);
    assert_int_equal(x->edition, y->edition);
    assert_int_equal(x->length, y->length);
    assert_int_equal(x->di_size, y->di_size);
    assert_int_equal(x->di, y->di);
    assert_int_equal(x->has_error, y->has_error);
    assert_int_equal(x->error, y->error);
    if (x->length > 0) {
        assert_memory_equal(x->data, y->data, x->length);
    }
}

/* decode(encode(x)) == x for generated frames; every control byte many times. */
static void test_round_trip_generated(void **state)
{
    (void)state;
    const prepay_dlt645_edition_t editions[3] = {PREPAY_DLT645_EDITION_AUTO, PREPAY_DLT645_EDITION_1997,
                                                 PREPAY_DLT645_EDITION_2007};
    size_t cases = 0, lengths_seen_max = 0, abnormal = 0, with_di = 0;
    for (unsigned iteration = 0; iteration < 256u * 40u; iteration++) {
        uint8_t control = (uint8_t)iteration; /* every control byte, 40 times */
        prepay_dlt645_edition_t edition = editions[rnd() % 3];
        prepay_dlt645_address_t address;
        random_address(&address);
        uint8_t data[256];
        for (size_t i = 0; i < sizeof data; i++) {
            data[i] = (uint8_t)rnd();
        }
        size_t len;
        switch (iteration % 7) {
        case 0: len = 0; break;
        case 1: len = PREPAY_DLT645_MAX_DATA; break;
        default: len = rnd() % (PREPAY_DLT645_MAX_DATA + 1u); break;
        }
        prepay_dlt645_frame_t x;
        int rc = prepay_dlt645_frame_init(&x, edition, &address, control, data, len);
        if (rc == PREPAY_E_DLT645_BAD_FUNCTION) { /* a code of the other edition */
            edition = PREPAY_DLT645_EDITION_AUTO;
            rc = prepay_dlt645_frame_init(&x, edition, &address, control, data, len);
        }
        if (rc == PREPAY_E_DLT645_BAD_LENGTH) {
            /* Abnormal replies have 1 (2 for 03) error bytes; DI frames need a DI. */
            rc = prepay_dlt645_frame_init(&x, edition, &address, control, data, 1);
            if (rc != PREPAY_OK) {
                rc = prepay_dlt645_frame_init(&x, edition, &address, control, data, 2);
            }
            if (rc != PREPAY_OK) {
                rc = prepay_dlt645_frame_init(&x, edition, &address, control, data, 4);
            }
        }
        assert_int_equal(rc, PREPAY_OK);
        x.preamble = (uint8_t)(rnd() % 5);
        int size = prepay_dlt645_encoded_size(&x);
        assert_int_equal(size, (int)PREPAY_DLT645_FRAME_SIZE(x.preamble, x.length));
        uint8_t *wire = malloc((size_t)size); /* exact size: ASan sees any overrun */
        assert_non_null(wire);
        assert_int_equal(prepay_dlt645_encode(&x, wire, (size_t)size), size);
        prepay_dlt645_frame_t y;
        assert_int_equal(prepay_dlt645_decode_edition(wire, (size_t)size, edition, &y), size);
        assert_frames_equal(&x, &y);
        /* And encode(decode(b)) == b. */
        uint8_t again[PREPAY_DLT645_FRAME_MAX];
        assert_int_equal(prepay_dlt645_encode(&y, again, sizeof again), size);
        assert_memory_equal(again, wire, (size_t)size);
        free(wire);
        cases++;
        if (x.length > lengths_seen_max) {
            lengths_seen_max = x.length;
        }
        abnormal += x.abnormal;
        with_di += x.di_size > 0;
    }
    assert_int_equal(cases, 256u * 40u);
    assert_int_equal(lengths_seen_max, PREPAY_DLT645_MAX_DATA);
    assert_true(abnormal > 1000);
    assert_true(with_di > 500);
}

/* Random bytes: the decoder never misbehaves, and whatever it accepts re-encodes exactly. */
static void test_random_input(void **state)
{
    (void)state;
    size_t accepted = 0;
    for (unsigned i = 0; i < 20000; i++) {
        size_t len = rnd() % 40;
        uint8_t *b = malloc(len ? len : 1);
        assert_non_null(b);
        for (size_t k = 0; k < len; k++) {
            b[k] = (uint8_t)rnd();
        }
        /* Bias towards plausible frames so the deep checks are reached. */
        if (len >= 12 && rnd() % 2) {
            b[0] = 0x68;
            b[7] = 0x68;
            b[9] = (uint8_t)(len - 12);
            b[len - 2] = prepay_dlt645_checksum(b, len - 2);
            b[len - 1] = rnd() % 8 ? 0x16 : b[len - 1];
        }
        prepay_dlt645_frame_t f;
        int rc = prepay_dlt645_decode(b, len, &f);
        if (rc > 0) {
            accepted++;
            uint8_t out[PREPAY_DLT645_FRAME_MAX];
            assert_int_equal(prepay_dlt645_encode(&f, out, sizeof out), rc);
            assert_memory_equal(out, b, (size_t)rc);
        } else {
            assert_int_equal(PREPAY_STATUS_MODULE(rc), PREPAY_MODULE_DLT645);
        }
        free(b);
    }
    assert_true(accepted > 1000);
}

/* Every named function code of both editions, as request, normal reply,
 * follow-up reply and abnormal reply: encode, decode, check the flags, the
 * edition, the DI (where the function carries one) and the error field. */
static void test_every_function_code(void **state)
{
    (void)state;
    typedef struct code {
        unsigned edition;
        uint8_t function;
        bool di_in_request;
        bool di_in_reply;
    } code_t;
    static const code_t codes[] = {
        {2007, 0x03, true, true},   {2007, 0x08, false, false}, {2007, 0x11, true, true},
        {2007, 0x12, true, true},   {2007, 0x13, false, false}, {2007, 0x14, true, false},
        {2007, 0x15, false, false}, {2007, 0x16, false, false}, {2007, 0x17, false, false},
        {2007, 0x18, true, false},  {2007, 0x19, false, false}, {2007, 0x1A, false, false},
        {2007, 0x1B, false, false}, {2007, 0x1C, false, false}, {1997, 0x01, true, true},
        {1997, 0x02, true, true},   {1997, 0x04, true, false},  {1997, 0x08, false, false},
        {1997, 0x0A, false, false}, {1997, 0x0C, false, false}, {1997, 0x0F, false, false},
    };
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string("201000000012", 12, &a), PREPAY_OK);
    const uint8_t data[8] = {0x00, 0x00, 0x01, 0x00, 0x56, 0x34, 0x12, 0x00};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const code_t *c = &codes[i];
        for (unsigned kind = 0; kind < 4; kind++) { /* request, reply, follow-up reply, abnormal reply */
            uint8_t control = prepay_dlt645_control(c->function, kind > 0, kind == 3, kind == 2);
            size_t len = kind == 3 ? ((c->edition == 2007 && c->function == 0x03) ? 2u : 1u) : 8u;
            prepay_dlt645_frame_t x, y, z;
            static const uint8_t error_field[2] = {PREPAY_DLT645_ERROR_UNAUTHORISED, 0x01};
            assert_int_equal(prepay_dlt645_frame_init(&x, (prepay_dlt645_edition_t)c->edition, &a, control,
                                                      kind == 3 ? error_field : data, len),
                             PREPAY_OK);
            x.preamble = (uint8_t)(i % 5);
            uint8_t wire[PREPAY_DLT645_FRAME_MAX];
            int n = prepay_dlt645_encode(&x, wire, sizeof wire);
            assert_int_equal(n, (int)(x.preamble + 12 + len));
            assert_int_equal(prepay_dlt645_decode_edition(wire, (size_t)n, (prepay_dlt645_edition_t)c->edition, &y), n);
            assert_frames_equal(&x, &y);
            assert_int_equal(y.function, c->function);
            assert_int_equal(y.control, control);
            assert_int_equal(y.is_reply, kind > 0);
            assert_int_equal(y.follow_up, kind == 2);
            assert_int_equal(y.abnormal, kind == 3);
            assert_int_equal(y.has_error, kind == 3);
            if (kind == 3) {
                assert_int_equal(y.error, len == 2 ? 0x0104 : 0x04); /* low byte first */
            }
            bool di = kind == 0 ? c->di_in_request : (kind == 3 ? false : c->di_in_reply);
            assert_int_equal(y.di_size, di ? (c->edition == 2007 ? 4 : 2) : 0);
            if (di) {
                assert_int_equal(y.di, c->edition == 2007 ? 0x00010000u : 0x0000u);
            }
            /* AUTO finds the same edition (08 is read as 2007; its frames are identical). */
            assert_int_equal(prepay_dlt645_decode(wire, (size_t)n, &z), n);
            assert_int_equal(z.edition, c->function == 0x08 ? 2007u : c->edition);
        }
    }
    /* The normal reply is request | 0x80, follow-up | 0xA0, abnormal | 0xC0. */
    assert_int_equal(prepay_dlt645_control(0x11, true, false, false), 0x91);
    assert_int_equal(prepay_dlt645_control(0x12, true, false, true), 0xB2);
    assert_int_equal(prepay_dlt645_control(0x03, true, true, false), 0xC3);
    assert_int_equal(prepay_dlt645_control(0x01, true, false, false), 0x81);
}

static void test_long_preamble(void **state)
{
    (void)state;
    uint8_t b[300 + sizeof read_request];
    memset(b, 0xFE, 300);
    memcpy(b + 300, read_request, sizeof read_request);
    prepay_dlt645_frame_t f;
    assert_int_equal(prepay_dlt645_decode(b, sizeof b, &f), (int)sizeof b);
    assert_int_equal(f.preamble, 255); /* saturates */
    assert_int_equal(prepay_dlt645_decode(b + 300 - 7, 7 + sizeof read_request, &f), 7 + (int)sizeof read_request);
    assert_int_equal(f.preamble, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_errors),       cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_frame_init),          cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_round_trip_generated), cmocka_unit_test(test_random_input),
        cmocka_unit_test(test_long_preamble),      cmocka_unit_test(test_every_function_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
