/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 stream parser: all vector frames (tests/vectors/dlt645_frames.txt)
 * concatenated with garbage, false 68 starts (some with a huge L) and the
 * invalid vector frames, fed in chunks of every size 1..N, must yield
 * exactly the valid frames in order, with an exact dropped-byte count:
 * everything that is not a yielded frame (preamble included) is dropped.
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
#include "test_support.h"

static uint64_t rng_state = 0x0123456789ABCDEFull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

#define MAX_FRAMES 128
#define STREAM_CAP 65536

typedef struct expected {
    size_t offset; /* where the frame (with its preamble) sits in the stream */
    size_t len;
} expected_t;

static uint8_t stream_bytes[STREAM_CAP];
static size_t stream_len;
static expected_t frames[MAX_FRAMES];
static size_t frame_count;
static size_t framed_total;

static void put(const uint8_t *b, size_t n)
{
    assert_true(stream_len + n <= STREAM_CAP);
    memcpy(stream_bytes + stream_len, b, n);
    stream_len += n;
}

/* Garbage: random bytes without 68, never ending in FE (an FE right before a
 * frame would legitimately become part of its preamble). */
static void put_garbage(size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)rnd();
        if (b == 0x68) {
            b = 0x69;
        }
        if (i + 1 == n && b == 0xFE) {
            b = 0x00;
        }
        put(&b, 1);
    }
}

/* A false start: 68, 6 address bytes, 68, C, a large L; then the stream goes on. */
static void put_false_start(void)
{
    const uint8_t head[10] = {0x68, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x68, 0x91, (uint8_t)(200 + rnd() % 56)};
    size_t n = 1 + rnd() % 10; /* sometimes only part of it */
    put(head, n);
    if (head[n - 1] == 0xFE) {
        put_garbage(1);
    }
}

static void build_stream(void)
{
    tv_file_t v;
    tv_load("dlt645_frames.txt", &v);
    stream_len = 0;
    frame_count = 0;
    framed_total = 0;
    for (size_t i = 0; i < v.count; i++) {
        uint8_t b[600];
        int n = tv_hex(tv_need(&v.records[i], "hex"), b, sizeof b);
        assert_true(n > 0);
        switch (i % 4) {
        case 0: break;
        case 1: put_garbage(1 + rnd() % 20); break;
        case 2: put_false_start(); break;
        default: put_garbage(rnd() % 5); put_false_start(); break;
        }
        if (strcmp(tv_need(&v.records[i], "valid"), "yes") == 0) {
            assert_true(frame_count < MAX_FRAMES);
            frames[frame_count].offset = stream_len;
            frames[frame_count].len = (size_t)n;
            frame_count++;
            framed_total += (size_t)n;
        }
        put(b, (size_t)n);
    }
    tv_free(&v);
    assert_int_equal(frame_count, 68);
}

/* Feeds the stream in chunks of `chunk` bytes; checks frames and counters. */
static void run_chunked(size_t chunk)
{
    static prepay_dlt645_stream_t s;
    assert_int_equal(prepay_dlt645_stream_init(&s, PREPAY_DLT645_EDITION_AUTO), PREPAY_OK);
    size_t got = 0;
    size_t pos = 0;
    while (pos < stream_len) {
        size_t n = stream_len - pos < chunk ? stream_len - pos : chunk;
        const uint8_t *p = stream_bytes + pos;
        while (n > 0) {
            int taken = prepay_dlt645_stream_feed(&s, p, n);
            assert_true(taken > 0); /* after next() returned 0 there is room */
            p += taken;
            n -= (size_t)taken;
            pos += (size_t)taken;
            prepay_dlt645_frame_t f;
            int r;
            while ((r = prepay_dlt645_stream_next(&s, &f)) == 1) {
                if (got >= frame_count) {
                    fail_msg("chunk %zu: extra frame", chunk);
                }
                uint8_t enc[PREPAY_DLT645_FRAME_MAX];
                int len = prepay_dlt645_encode(&f, enc, sizeof enc);
                if (len != (int)frames[got].len ||
                    memcmp(enc, stream_bytes + frames[got].offset, frames[got].len) != 0) {
                    fail_msg("chunk %zu: frame %zu differs", chunk, got);
                }
                got++;
            }
            assert_int_equal(r, 0);
        }
    }
    assert_int_equal(got, frame_count);
    prepay_dlt645_stream_stats_t st;
    assert_int_equal(prepay_dlt645_stream_stats(&s, &st), PREPAY_OK);
    assert_int_equal(st.bytes_in, stream_len);
    assert_int_equal(st.frames, frame_count);
    assert_int_equal(st.bytes_framed, framed_total);
    assert_int_equal(st.bytes_pending, 0);
    assert_int_equal(st.bytes_dropped, stream_len - framed_total);
}

static void test_vectors_in_every_chunk_size(void **state)
{
    (void)state;
    build_stream();
    for (size_t chunk = 1; chunk <= 600; chunk++) {
        run_chunked(chunk);
    }
    run_chunked(1021);
    run_chunked(4096);
    run_chunked(stream_len);
}

/* 68 61 01 00 00 00 00 68 91 08 33 33 34 33 59 33 33 33 8A 16 (vector legend_read_fwd_active_total_reply). */
static const uint8_t good[] = {0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x91, 0x08,
                               0x33, 0x33, 0x34, 0x33, 0x59, 0x33, 0x33, 0x33, 0x8A, 0x16};

/* A stray 68 with a huge L right before a good frame, then silence: the good
 * frame comes out as soon as its last byte arrives, whatever the chunking. */
static void test_false_start_huge_length(void **state)
{
    (void)state;
    uint8_t b[64];
    const uint8_t stray[10] = {0x68, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x68, 0x11, 0xFF};
    memcpy(b, stray, sizeof stray);
    memcpy(b + sizeof stray, good, sizeof good);
    size_t total = sizeof stray + sizeof good;
    for (size_t chunk = 1; chunk <= total; chunk++) {
        prepay_dlt645_stream_t s;
        assert_int_equal(prepay_dlt645_stream_init(&s, PREPAY_DLT645_EDITION_AUTO), PREPAY_OK);
        prepay_dlt645_frame_t f;
        int yielded = 0;
        for (size_t pos = 0; pos < total; pos += chunk) {
            size_t n = total - pos < chunk ? total - pos : chunk;
            assert_int_equal(prepay_dlt645_stream_feed(&s, b + pos, n), (int)n);
            int r;
            while ((r = prepay_dlt645_stream_next(&s, &f)) == 1) {
                yielded++;
                assert_int_equal(f.di, 0x00010000u);
                assert_int_equal(pos + n, total); /* only once the last byte is in */
            }
        }
        assert_int_equal(yielded, 1);
        prepay_dlt645_stream_stats_t st;
        assert_int_equal(prepay_dlt645_stream_stats(&s, &st), PREPAY_OK);
        assert_int_equal(st.bytes_dropped, sizeof stray);
        assert_int_equal(st.bytes_pending, 0);
    }
}

static void test_preamble_and_flush(void **state)
{
    (void)state;
    prepay_dlt645_stream_t s;
    prepay_dlt645_frame_t f;
    assert_int_equal(prepay_dlt645_stream_init(&s, PREPAY_DLT645_EDITION_2007), PREPAY_OK);
    /* Ten FE: four are kept as preamble, six dropped. */
    uint8_t fe[10];
    memset(fe, 0xFE, sizeof fe);
    for (size_t i = 0; i < sizeof fe; i++) {
        assert_int_equal(prepay_dlt645_stream_feed(&s, fe + i, 1), 1);
        assert_int_equal(prepay_dlt645_stream_next(&s, &f), 0);
    }
    assert_int_equal(prepay_dlt645_stream_feed(&s, good, sizeof good), (int)sizeof good);
    assert_int_equal(prepay_dlt645_stream_next(&s, &f), 1);
    assert_int_equal(f.preamble, 4);
    assert_int_equal(prepay_dlt645_stream_next(&s, &f), 0);
    prepay_dlt645_stream_stats_t st;
    assert_int_equal(prepay_dlt645_stream_stats(&s, &st), PREPAY_OK);
    assert_int_equal(st.bytes_dropped, 6);
    assert_int_equal(st.bytes_framed, 4 + sizeof good);
    /* Half a frame, then an idle line: flush drops it. */
    assert_int_equal(prepay_dlt645_stream_feed(&s, good, 11), 11);
    assert_int_equal(prepay_dlt645_stream_next(&s, &f), 0);
    assert_int_equal(prepay_dlt645_stream_flush(&s), 11);
    assert_int_equal(prepay_dlt645_stream_flush(&s), 0);
    assert_int_equal(prepay_dlt645_stream_stats(&s, &st), PREPAY_OK);
    assert_int_equal(st.bytes_dropped, 17);
    assert_int_equal(st.bytes_pending, 0);
    assert_int_equal(st.bytes_in, st.bytes_dropped + st.bytes_framed);
    /* The rest of that frame alone is garbage; the next whole frame is found. */
    assert_int_equal(prepay_dlt645_stream_feed(&s, good + 11, sizeof good - 11), (int)(sizeof good - 11));
    assert_int_equal(prepay_dlt645_stream_feed(&s, good, sizeof good), (int)sizeof good);
    assert_int_equal(prepay_dlt645_stream_next(&s, &f), 1);
    assert_int_equal(f.preamble, 0);
    assert_int_equal(prepay_dlt645_stream_next(&s, &f), 0);
}

/* A big chunk of garbage: feed takes what fits, next() empties it, no stall. */
static void test_big_chunks_bounded(void **state)
{
    (void)state;
    static uint8_t big[20000];
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = (uint8_t)(i % 7 == 0 ? 0x68 : rnd());
    }
    memcpy(big + sizeof big - sizeof good, good, sizeof good);
    prepay_dlt645_stream_t s;
    assert_int_equal(prepay_dlt645_stream_init(&s, PREPAY_DLT645_EDITION_AUTO), PREPAY_OK);
    size_t pos = 0;
    int frames_seen = 0;
    prepay_dlt645_frame_t f;
    while (pos < sizeof big) {
        int taken = prepay_dlt645_stream_feed(&s, big + pos, sizeof big - pos);
        assert_true(taken > 0);
        assert_true((size_t)taken <= PREPAY_DLT645_STREAM_BUFFER);
        pos += (size_t)taken;
        while (prepay_dlt645_stream_next(&s, &f) == 1) {
            frames_seen++;
        }
    }
    assert_true(frames_seen >= 1);
    assert_int_equal(f.di, 0x00010000u); /* the last frame out is the good one */
    prepay_dlt645_stream_stats_t st;
    assert_int_equal(prepay_dlt645_stream_stats(&s, &st), PREPAY_OK);
    assert_int_equal(st.bytes_in, sizeof big);
    assert_int_equal(st.bytes_in, st.bytes_dropped + st.bytes_framed + st.bytes_pending);
}

static void test_errors(void **state)
{
    (void)state;
    prepay_dlt645_stream_t s;
    prepay_dlt645_frame_t f;
    prepay_dlt645_stream_stats_t st;
    memset(&s, 0, sizeof s);
    assert_int_equal(prepay_dlt645_stream_init(NULL, PREPAY_DLT645_EDITION_AUTO), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_stream_init(&s, (prepay_dlt645_edition_t)1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_stream_feed(&s, good, 1), PREPAY_E_BAD_STATE);
    assert_int_equal(prepay_dlt645_stream_next(&s, &f), PREPAY_E_BAD_STATE);
    assert_int_equal(prepay_dlt645_stream_flush(&s), PREPAY_E_BAD_STATE);
    assert_int_equal(prepay_dlt645_stream_stats(&s, &st), PREPAY_E_BAD_STATE);
    assert_int_equal(prepay_dlt645_stream_init(&s, PREPAY_DLT645_EDITION_AUTO), PREPAY_OK);
    assert_int_equal(prepay_dlt645_stream_feed(NULL, good, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_stream_feed(&s, NULL, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_stream_feed(&s, NULL, 0), 0);
    assert_int_equal(prepay_dlt645_stream_next(NULL, &f), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_stream_next(&s, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_stream_flush(NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_stream_stats(NULL, &st), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_stream_stats(&s, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_stream_next(&s, &f), 0);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_in_every_chunk_size),
        cmocka_unit_test(test_false_start_huge_length),
        cmocka_unit_test(test_preamble_and_flush),
        cmocka_unit_test(test_big_chunks_bounded),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
