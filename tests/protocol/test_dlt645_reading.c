/* SPDX-License-Identifier: MIT */
/*
 * Read replies straight to typed values (include/prepay/dlt645_reading.h) and
 * the frame check (prepay_dlt645_check):
 * - known answers: published reply frames of tests/vectors/dlt645_frames.txt,
 *   whose values were decoded by hand there (the `value` lines);
 * - the frame check and the reading decoders fail exactly when, and as,
 *   prepay_dlt645_decode() fails, for every vector frame, every prefix of it
 *   and every single-byte change;
 * - a reading equals prepay_dlt645_value_decode() of the same DI and bytes
 *   for every catalogue row, with valid, absent, signed, non-BCD and
 *   wrong-length data, with and without a reader (cache collisions included);
 * - batches: back-to-back frames, per-frame statuses, truncated tails,
 *   garbage, capacity, bad arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/dlt645.h"
#include "prepay/dlt645_data.h"
#include "prepay/dlt645_di.h"
#include "prepay/dlt645_reading.h"
#include "prepay/status.h"
#include "test_support.h"

/* The published frame named `name`, as bytes; returns its length. */
static size_t vector_frame(const char *name, uint8_t *out, size_t cap)
{
    tv_file_t frames;
    tv_load("dlt645_frames.txt", &frames);
    int len = -1;
    for (size_t i = 0; i < frames.count; i++) {
        const char *n = tv_get(&frames.records[i], "name");
        if (n && strcmp(n, name) == 0) {
            len = tv_hex(tv_need(&frames.records[i], "hex"), out, cap);
        }
    }
    tv_free(&frames);
    if (len <= 0) {
        fail_msg("no frame '%s' in dlt645_frames.txt", name);
    }
    return (size_t)len;
}

static void read_vector(const char *name, prepay_dlt645_reading_t *r)
{
    uint8_t bytes[300];
    size_t len = vector_frame(name, bytes, sizeof bytes);
    prepay_dlt645_reader_t reader;
    assert_int_equal(prepay_dlt645_reader_init(&reader), PREPAY_OK);
    assert_int_equal(prepay_dlt645_reader_decode(&reader, bytes, len, r), (int)len);
    prepay_dlt645_reading_t again;
    assert_int_equal(prepay_dlt645_decode_reading(bytes, len, &again), (int)len);
    assert_memory_equal(r, &again, sizeof again);
}

/* Values decoded by hand in dlt645_frames.txt. */
static void test_known_answers(void **state)
{
    (void)state;
    prepay_dlt645_reading_t r;
    read_vector("legend_read_fwd_active_total_reply", &r); /* 0.26 kWh */
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.di, PREPAY_DI_FORWARD_ACTIVE_TOTAL);
    assert_int_equal(r.kind, PREPAY_DLT645_KIND_NUMBER);
    assert_int_equal(r.unit, PREPAY_DLT645_UNIT_KWH);
    assert_int_equal(r.decimals, 2);
    assert_int_equal(r.number, 26);
    assert_int_equal(r.quantity, 260); /* Wh */
    assert_int_equal(r.control, 0x91);
    assert_int_equal(r.size, 20);

    read_vector("sansheng_read_remaining_amount_reply", &r); /* 198.56 yuan */
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.di, PREPAY_DI_REMAINING_AMOUNT);
    assert_int_equal(r.unit, PREPAY_DLT645_UNIT_YUAN);
    assert_int_equal(r.number, 19856);
    assert_int_equal(r.quantity, 19856); /* fen */

    read_vector("gotest_reply_combined_active_total", &r); /* 7502.64 kWh */
    assert_int_equal(r.number, 750264);
    assert_int_equal(r.quantity, 7502640);

    read_vector("gotest_reply_fwd_active_total_fe4", &r); /* 1.86 kWh behind four FE */
    assert_int_equal(r.quantity, 1860);
    assert_int_equal(r.size, 24);

    read_vector("log_read_voltage_a_reply", &r); /* 100.1 V */
    assert_int_equal(r.di, PREPAY_DI_VOLTAGE(PREPAY_DI_PHASE_A));
    assert_int_equal(r.unit, PREPAY_DLT645_UNIT_V);
    assert_int_equal(r.number, 1001);
    assert_int_equal(r.quantity, 1001); /* 0.1 V */

    read_vector("vaccaria_frequency_reply_fe4", &r); /* 50.03 Hz */
    assert_int_equal(r.di, PREPAY_DI_FREQUENCY);
    assert_int_equal(r.number, 5003);

    read_vector("sansheng_read_cover_open_count_reply", &r); /* 27 */
    assert_int_equal(r.di, PREPAY_DI_COVER_OPEN_COUNT);
    assert_int_equal(r.number, 27);

    read_vector("sansheng_read_time_reply", &r); /* 21:53:55 */
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.kind, PREPAY_DLT645_KIND_TIME);
    assert_int_equal(r.time, 21 * 3600 + 53 * 60 + 55);

    read_vector("sansheng_read_date_reply", &r); /* 2016-01-11, Monday */
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.weekday, 1);
    prepay_days_t days;
    assert_int_equal(prepay_time_days_from_date(2016, 1, 11, &days), PREPAY_OK);
    assert_int_equal(r.time, (prepay_time_t)days * 86400);

    read_vector("rtt_1997_read_energy_reply", &r); /* 1997: 2463.48 kWh */
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.di, 0x9010);
    assert_true(r.flags & PREPAY_DLT645_READING_1997);
    assert_int_equal(r.number, 246348);
    assert_int_equal(r.quantity, 2463480);

    read_vector("sansheng_abnormal_reply_no_data", &r);
    assert_int_equal(r.status, PREPAY_E_DLT645_ABNORMAL);
    assert_int_equal(r.error, 0x02);

    read_vector("sansheng_read_energy_block_reply", &r); /* a block: not one value */
    assert_int_equal(r.status, PREPAY_E_DLT645_BLOCK_DI);
    assert_int_equal(r.di, PREPAY_DI_FORWARD_ACTIVE_BLOCK);

    read_vector("plc_log_read_address_reply", &r); /* 93: not a read reply */
    assert_int_equal(r.status, PREPAY_E_DLT645_UNEXPECTED_REPLY);
    assert_int_equal(r.address.bytes[1], 0x36);
}

/* check() == decode() == the reading decoders' return, for the given bytes. */
static void same_frame_verdict(const uint8_t *bytes, size_t len, prepay_dlt645_reader_t *reader)
{
    prepay_dlt645_frame_t frame;
    int rc = prepay_dlt645_decode(bytes, len, &frame);
    assert_int_equal(prepay_dlt645_check(bytes, len), rc);
    prepay_dlt645_reading_t r;
    memset(&r, 0x5A, sizeof r);
    prepay_dlt645_reading_t untouched = r;
    assert_int_equal(prepay_dlt645_decode_reading(bytes, len, &r), rc);
    if (rc < 0) {
        assert_memory_equal(&r, &untouched, sizeof r);
    }
    assert_int_equal(prepay_dlt645_reader_decode(reader, bytes, len, &r), rc);
}

static void test_check_and_errors_match_decode(void **state)
{
    (void)state;
    tv_file_t frames;
    tv_load("dlt645_frames.txt", &frames);
    prepay_dlt645_reader_t reader;
    assert_int_equal(prepay_dlt645_reader_init(&reader), PREPAY_OK);
    size_t tried = 0;
    for (size_t i = 0; i < frames.count; i++) {
        uint8_t bytes[300];
        int len = tv_hex(tv_need(&frames.records[i], "hex"), bytes, sizeof bytes);
        assert_true(len > 0);
        for (int cut = 0; cut <= len; cut++) { /* every prefix, the whole frame last */
            same_frame_verdict(bytes, (size_t)cut, &reader);
            tried++;
        }
        for (int at = 0; at < len; at++) { /* every single-byte change */
            for (unsigned delta = 1; delta < 256; delta += 85) {
                uint8_t changed[300];
                memcpy(changed, bytes, (size_t)len);
                changed[at] = (uint8_t)(changed[at] + delta);
                same_frame_verdict(changed, (size_t)len, &reader);
                tried++;
            }
        }
    }
    tv_free(&frames);
    assert_true(tried > 1000);
    assert_int_equal(prepay_dlt645_check(NULL, 0), PREPAY_E_INVALID_ARGUMENT);
}

/* A 2007 normal read reply (C = 91) of di with the given value bytes (before +0x33). */
static size_t reply_frame(uint32_t di, const uint8_t *value, size_t len, uint8_t control, uint8_t *out, size_t cap)
{
    uint8_t data[255];
    data[0] = (uint8_t)di;
    data[1] = (uint8_t)(di >> 8);
    data[2] = (uint8_t)(di >> 16);
    data[3] = (uint8_t)(di >> 24);
    memcpy(data + 4, value, len);
    prepay_dlt645_address_t address = {{0x01, 0x02, 0x03, 0x04, 0x05, 0x06}};
    prepay_dlt645_frame_t frame;
    assert_int_equal(prepay_dlt645_frame_init(&frame, PREPAY_DLT645_EDITION_2007, &address, control, data, 4 + len),
                     PREPAY_OK);
    int n = prepay_dlt645_encode(&frame, out, cap);
    assert_true(n > 0);
    return (size_t)n;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint8_t next_byte(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint8_t)rng_state;
}

/* Compares the reading of (di, value) with prepay_dlt645_value_decode(); returns 1 if the value decoded. */
static int compare_with_general(prepay_dlt645_reader_t *reader, uint32_t di, const uint8_t *value, size_t len)
{
    uint8_t bytes[300];
    size_t n = reply_frame(di, value, len, 0x91, bytes, sizeof bytes);
    prepay_dlt645_reading_t r, plain;
    assert_int_equal(prepay_dlt645_reader_decode(reader, bytes, n, &r), (int)n);
    assert_int_equal(prepay_dlt645_decode_reading(bytes, n, &plain), (int)n);
    assert_memory_equal(&r, &plain, sizeof r);
    prepay_dlt645_value_t v;
    int status = prepay_dlt645_value_decode(di, value, len, &v);
    assert_int_equal(r.di, di);
    if (r.status == PREPAY_E_DLT645_NOT_SCALAR) {
        prepay_dlt645_item_t item;
        assert_int_equal(prepay_dlt645_catalogue_find(di, &item), PREPAY_OK);
        assert_true(item.format == PREPAY_DLT645_FORMAT_ZONE_TABLE || item.format == PREPAY_DLT645_FORMAT_DAY_TABLE ||
                    item.format == PREPAY_DLT645_FORMAT_ASCII || item.format == PREPAY_DLT645_FORMAT_BYTES);
        return 0;
    }
    if (status != r.status) {
        fail_msg("DI %08X len %zu: reading status %d, value_decode %d", (unsigned)di, len, r.status, status);
    }
    if (status == PREPAY_E_DLT645_ABSENT) {
        assert_int_equal(r.kind, PREPAY_DLT645_KIND_ABSENT);
    }
    if (status != PREPAY_OK) {
        assert_int_equal(r.number, 0);
        assert_int_equal(r.quantity, 0);
        assert_int_equal(r.time, 0);
        return 0;
    }
    assert_int_equal(r.kind, v.kind);
    assert_int_equal(r.unit, v.unit);
    assert_int_equal(r.decimals, v.decimals);
    assert_int_equal(r.number, v.number);
    assert_int_equal(r.quantity, v.quantity);
    assert_int_equal(r.time, v.time);
    assert_int_equal(r.weekday, v.weekday);
    assert_int_equal((r.flags & PREPAY_DLT645_READING_NO_TIME) != 0, v.kind == PREPAY_DLT645_KIND_DEMAND && v.count == 1);
    return 1;
}

/* Value bytes that decode for a number, time or digits of this length: digits 0..9 (and a sign). */
static void valid_pattern(uint8_t *value, size_t len, unsigned format)
{
    for (size_t i = 0; i < len; i++) {
        value[i] = (uint8_t)(((next_byte() % 10u) << 4) | (next_byte() % 10u));
    }
    if (format == PREPAY_DLT645_FORMAT_BCD_SIGNED && (next_byte() & 1u)) {
        value[len - 1] = (uint8_t)((value[len - 1] & 0x7Fu) | 0x80u);
    }
}

static void test_reading_equals_value_decode(void **state)
{
    (void)state;
    prepay_dlt645_reader_t reader;
    assert_int_equal(prepay_dlt645_reader_init(&reader), PREPAY_OK);
    size_t rows = prepay_dlt645_catalogue_size();
    size_t decoded = 0, compared = 0;
    for (size_t i = 0; i < rows; i++) {
        prepay_dlt645_item_t item;
        assert_int_equal(prepay_dlt645_catalogue_row(i, &item), PREPAY_OK);
        uint32_t dis[2] = {item.di_low, item.di_high};
        for (size_t d = 0; d < 2; d++) {
            size_t len = item.length;
            uint8_t value[255];
            for (int round = 0; round < 24; round++) {
                size_t n = len;
                if (round == 20 && len > 1) {
                    n = len - 1; /* too short */
                } else if (round == 21 && len < 200) {
                    n = len + 1; /* too long */
                }
                if (round < 12) {
                    valid_pattern(value, n, item.format);
                } else if (round < 16) {
                    for (size_t k = 0; k < n; k++) {
                        value[k] = next_byte(); /* mostly not BCD */
                    }
                } else if (round == 16) {
                    memset(value, 0xFF, n); /* absent */
                } else if (round == 17) {
                    memset(value, 0x00, n);
                } else if (round == 18) {
                    memset(value, 0x99, n); /* the largest digits */
                } else {
                    valid_pattern(value, n, item.format);
                    value[next_byte() % n] = 0xAB; /* one non-BCD byte */
                }
                decoded += (size_t)compare_with_general(&reader, dis[d], value, n);
                compared++;
            }
        }
    }
    assert_true(compared > 5000);
    assert_true(decoded > 2000);
    /* More DIs than the reader holds: the cache must evict and refill correctly. */
    assert_true(rows > 4 * PREPAY_DLT645_READER_SLOTS);
}

static void test_unknown_and_lengths(void **state)
{
    (void)state;
    prepay_dlt645_reader_t reader;
    assert_int_equal(prepay_dlt645_reader_init(&reader), PREPAY_OK);
    uint8_t value[4] = {0x26, 0x00, 0x00, 0x00};
    uint8_t bytes[64];
    prepay_dlt645_reading_t r;
    size_t n = reply_frame(0x7F123456u, value, 4, 0x91, bytes, sizeof bytes);
    assert_int_equal(prepay_dlt645_reader_decode(&reader, bytes, n, &r), (int)n);
    assert_int_equal(r.status, PREPAY_E_DLT645_UNKNOWN_DI);
    n = reply_frame(PREPAY_DI_FORWARD_ACTIVE_TOTAL, value, 3, 0x91, bytes, sizeof bytes);
    assert_int_equal(prepay_dlt645_reader_decode(&reader, bytes, n, &r), (int)n);
    assert_int_equal(r.status, PREPAY_E_DLT645_VALUE_LENGTH);
    /* B1: a read reply with follow-up frames still decodes, and says so. */
    n = reply_frame(PREPAY_DI_FORWARD_ACTIVE_TOTAL, value, 4, 0xB1, bytes, sizeof bytes);
    assert_int_equal(prepay_dlt645_reader_decode(&reader, bytes, n, &r), (int)n);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.quantity, 260);
    assert_true(r.flags & PREPAY_DLT645_READING_FOLLOW_UP);
    /* 92: follow-up reply, the last byte is SEQ. */
    uint8_t with_seq[5] = {0x26, 0x00, 0x00, 0x00, 0x07};
    n = reply_frame(PREPAY_DI_FORWARD_ACTIVE_TOTAL, with_seq, 5, 0x92, bytes, sizeof bytes);
    assert_int_equal(prepay_dlt645_reader_decode(&reader, bytes, n, &r), (int)n);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.quantity, 260);
    n = reply_frame(PREPAY_DI_FORWARD_ACTIVE_TOTAL, with_seq, 0, 0x92, bytes, sizeof bytes);
    assert_int_equal(prepay_dlt645_reader_decode(&reader, bytes, n, &r), (int)n);
    assert_int_equal(r.status, PREPAY_E_DLT645_BAD_REPLY);
    /* 11: a read request is a valid frame but not a reply. */
    n = reply_frame(PREPAY_DI_FORWARD_ACTIVE_TOTAL, value, 0, 0x11, bytes, sizeof bytes);
    assert_int_equal(prepay_dlt645_reader_decode(&reader, bytes, n, &r), (int)n);
    assert_int_equal(r.status, PREPAY_E_DLT645_UNEXPECTED_REPLY);
    /* Arguments and state. */
    prepay_dlt645_reader_t fresh;
    memset(&fresh, 0, sizeof fresh);
    assert_int_equal(prepay_dlt645_reader_decode(&fresh, bytes, n, &r), PREPAY_E_BAD_STATE);
    assert_int_equal(prepay_dlt645_reader_decode(NULL, bytes, n, &r), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_reader_decode(&reader, NULL, n, &r), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_reader_decode(&reader, bytes, n, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_decode_reading(NULL, 0, &r), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_reader_init(NULL), PREPAY_E_INVALID_ARGUMENT);
}

static void test_batch(void **state)
{
    (void)state;
    const char *names[] = {"legend_read_fwd_active_total_reply", "sansheng_abnormal_reply_no_data",
                           "gotest_reply_fwd_active_total_fe4", "plc_log_read_address_reply",
                           "rtt_1997_read_energy_reply", "sansheng_read_remaining_amount_reply"};
    const size_t count = sizeof names / sizeof names[0];
    uint8_t buffer[1024];
    size_t offsets[8];
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        offsets[i] = used;
        used += vector_frame(names[i], buffer + used, sizeof buffer - used);
    }
    prepay_dlt645_reader_t reader;
    assert_int_equal(prepay_dlt645_reader_init(&reader), PREPAY_OK);
    prepay_dlt645_reading_t out[8];
    prepay_dlt645_batch_t result;
    assert_int_equal(prepay_dlt645_reader_decode_batch(&reader, buffer, used, out, 8, &result), (int)count);
    assert_int_equal(result.count, count);
    assert_int_equal(result.used, used);
    assert_int_equal(result.stop, PREPAY_OK);
    for (size_t i = 0; i < count; i++) {
        prepay_dlt645_reading_t one;
        size_t end = i + 1 < count ? offsets[i + 1] : used;
        assert_int_equal(prepay_dlt645_decode_reading(buffer + offsets[i], end - offsets[i], &one),
                         (int)(end - offsets[i]));
        assert_memory_equal(&one, &out[i], sizeof one);
    }
    assert_int_equal(out[0].quantity, 260);
    assert_int_equal(out[1].status, PREPAY_E_DLT645_ABNORMAL);
    assert_int_equal(out[3].status, PREPAY_E_DLT645_UNEXPECTED_REPLY);
    assert_int_equal(out[5].quantity, 19856);

    /* Capacity: stops after 2, used at the third frame. */
    assert_int_equal(prepay_dlt645_reader_decode_batch(&reader, buffer, used, out, 2, &result), 2);
    assert_int_equal(result.used, offsets[2]);
    assert_int_equal(result.stop, PREPAY_OK);
    /* A truncated tail: the whole frames, then TRUNCATED where the tail starts. */
    assert_int_equal(prepay_dlt645_reader_decode_batch(&reader, buffer, used - 3, out, 8, &result), (int)count - 1);
    assert_int_equal(result.used, offsets[count - 1]);
    assert_int_equal(result.stop, PREPAY_E_DLT645_TRUNCATED);
    /* Garbage after the first frame. */
    uint8_t garbage[64];
    size_t first = offsets[1];
    memcpy(garbage, buffer, first);
    garbage[first] = 0x00;
    memcpy(garbage + first + 1, buffer, first);
    assert_int_equal(prepay_dlt645_reader_decode_batch(&reader, garbage, 2 * first + 1, out, 8, &result), 1);
    assert_int_equal(result.used, first);
    assert_int_equal(result.stop, PREPAY_E_DLT645_NO_START);
    /* Empty input, NULL result, bad arguments. */
    assert_int_equal(prepay_dlt645_reader_decode_batch(&reader, NULL, 0, out, 8, &result), 0);
    assert_int_equal(result.used, 0);
    assert_int_equal(result.stop, PREPAY_OK);
    assert_int_equal(prepay_dlt645_reader_decode_batch(&reader, buffer, used, out, 8, NULL), (int)count);
    assert_int_equal(prepay_dlt645_reader_decode_batch(&reader, NULL, 1, out, 8, &result), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_reader_decode_batch(&reader, buffer, used, NULL, 8, &result),
                     PREPAY_E_INVALID_ARGUMENT);
    prepay_dlt645_reader_t fresh;
    memset(&fresh, 0, sizeof fresh);
    assert_int_equal(prepay_dlt645_reader_decode_batch(&fresh, buffer, used, out, 8, &result), PREPAY_E_BAD_STATE);
}

static void test_status_text(void **state)
{
    (void)state;
    const char *text = prepay_strerror(PREPAY_E_DLT645_NOT_SCALAR);
    assert_non_null(text);
#ifndef PREPAY_NO_STRERROR
    assert_non_null(strstr(text, "DL/T 645"));
#endif
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_check_and_errors_match_decode),
        cmocka_unit_test(test_reading_equals_value_decode),
        cmocka_unit_test(test_unknown_and_lengths),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_status_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
