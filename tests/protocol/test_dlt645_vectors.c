/* SPDX-License-Identifier: MIT */
/*
 * Known-answer tests of the DL/T 645 codec against tests/vectors/dlt645_frames.txt:
 * 71 frames published by third parties (sources in the file), each checked
 * there with python3 and by hand. For every frame every field of the record
 * is compared with the decoder's output; invalid frames must fail with the
 * listed error; valid frames must re-encode to exactly the published bytes.
 *
 * A few checksums worked by hand (sum mod 256 from the first 68 through the
 * last data byte, DL/T 645-2007 clause 7.1):
 *  - FE 68 AA AA AA AA AA AA 68 13 00 DF 16: 68+68 = D0, 6 x AA = 3FC, + 13
 *    -> 4DF -> DF.
 *  - 68 61 01 00 00 00 00 68 11 04 33 33 34 33 14 16: 68+61+01+68+11+04 = 147,
 *    33+33+34+33 = CD, 147+CD = 214 -> 14.
 *  - 68 12 00 00 00 10 20 68 D1 01 35 19 16: 68+12+10+20 = AA, +68 = 112,
 *    +D1 = 1E3, +01 = 1E4, +35 = 219 -> 19.
 *  - 68 11 11 11 11 11 11 68 9C 00 D2 16: 68+68 = D0, 6 x 11 = 66, +9C -> 1D2 -> D2.
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
#include "prepay/status.h"
#include "test_support.h"

static tv_file_t vectors;

static unsigned parse_hex_number(const char *text)
{
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 16);
    if (!end || *end != '\0') {
        fail_msg("bad hex number '%s'", text);
    }
    return (unsigned)v;
}

static int yes_no(const char *text)
{
    if (strcmp(text, "yes") == 0) {
        return 1;
    }
    if (strcmp(text, "no") == 0) {
        return 0;
    }
    fail_msg("expected yes/no, got '%s'", text);
    return -1;
}

static int expected_error(const char *name)
{
    if (strcmp(name, "checksum") == 0) {
        return PREPAY_E_DLT645_BAD_CHECKSUM;
    }
    if (strcmp(name, "length") == 0) {
        return PREPAY_E_DLT645_BAD_LENGTH;
    }
    if (strcmp(name, "end") == 0) {
        return PREPAY_E_DLT645_BAD_END;
    }
    if (strcmp(name, "truncated") == 0) {
        return PREPAY_E_DLT645_TRUNCATED;
    }
    fail_msg("unknown expect_error '%s'", name);
    return 0;
}

/* Compares every field of a record with a decoded frame. */
static void check_fields(const tv_record_t *r, const prepay_dlt645_frame_t *f)
{
    const char *name = tv_need(r, "name");
    unsigned edition = (unsigned)atoi(tv_need(r, "edition"));
    assert_int_equal(f->edition, edition);
    assert_int_equal(f->preamble, atoi(tv_need(r, "preamble")));

    char address[13];
    assert_int_equal(prepay_dlt645_address_to_string(&f->address, address, sizeof address), 12);
    if (strcmp(address, tv_need(r, "address")) != 0) {
        fail_msg("%s: address %s, expected %s", name, address, tv_need(r, "address"));
    }
    prepay_dlt645_address_t parsed;
    assert_int_equal(prepay_dlt645_address_from_string(tv_need(r, "address"), 12, &parsed), PREPAY_OK);
    assert_memory_equal(parsed.bytes, f->address.bytes, 6);

    unsigned control = parse_hex_number(tv_need(r, "control"));
    assert_int_equal(f->control, control);
    const char *direction = tv_need(r, "direction");
    assert_true(strcmp(direction, "request") == 0 || strcmp(direction, "reply") == 0);
    assert_int_equal(f->is_reply, strcmp(direction, "reply") == 0);
    assert_int_equal(f->abnormal, yes_no(tv_need(r, "abnormal")));
    assert_int_equal(f->follow_up, yes_no(tv_need(r, "follow_up")));
    assert_int_equal(f->function, parse_hex_number(tv_need(r, "function")));
    assert_int_equal(f->length, atoi(tv_need(r, "length")));

    uint8_t data[256];
    int n = tv_hex(tv_need(r, "data"), data, sizeof data);
    assert_true(n >= 0);
    assert_int_equal(n, f->length);
    if (n > 0) {
        assert_memory_equal(f->data, data, (size_t)n);
    }

    const char *di = tv_get(r, "di");
    if (di) {
        assert_int_equal(f->di_size, strlen(di) / 2);
        assert_int_equal(f->di_size, edition == 2007 ? 4 : 2);
        assert_int_equal(f->di, parse_hex_number(di));
    } else {
        if (f->di_size != 0) {
            fail_msg("%s: decoder reports a DI the record does not list", name);
        }
    }
    const char *error = tv_get(r, "error");
    if (error) {
        assert_true(f->has_error);
        assert_int_equal(f->error, parse_hex_number(error));
    } else {
        assert_false(f->has_error);
        assert_int_equal(f->error, 0);
    }
}

static void test_every_vector(void **state)
{
    (void)state;
    size_t valid = 0, invalid = 0, editions[2] = {0, 0};
    for (size_t i = 0; i < vectors.count; i++) {
        const tv_record_t *r = &vectors.records[i];
        assert_string_equal(r->kind, "frame");
        const char *name = tv_need(r, "name");
        uint8_t bytes[600];
        int len = tv_hex(tv_need(r, "hex"), bytes, sizeof bytes);
        assert_true(len > 0);
        prepay_dlt645_frame_t frame;
        memset(&frame, 0xA5, sizeof frame);
        prepay_dlt645_frame_t untouched = frame;
        int rc = prepay_dlt645_decode(bytes, (size_t)len, &frame);
        unsigned edition = (unsigned)atoi(tv_need(r, "edition"));
        editions[edition == 2007 ? 0 : 1]++;
        if (yes_no(tv_need(r, "valid"))) {
            valid++;
            if (rc != len) {
                fail_msg("%s: decode gave %d (%s), expected %d", name, rc, prepay_strerror(rc), len);
            }
            check_fields(r, &frame);
            /* Explicit edition gives the same frame. */
            prepay_dlt645_frame_t again;
            assert_int_equal(prepay_dlt645_decode_edition(bytes, (size_t)len, (prepay_dlt645_edition_t)edition,
                                                          &again),
                             len);
            check_fields(r, &again);
            /* encode(decode(b)) == b, preamble count passed through. */
            uint8_t encoded[600];
            assert_int_equal(prepay_dlt645_encoded_size(&frame), len);
            assert_int_equal(prepay_dlt645_encode(&frame, encoded, sizeof encoded), len);
            assert_memory_equal(encoded, bytes, (size_t)len);
            /* Every proper prefix is truncated; trailing bytes are ignored. */
            for (int cut = 0; cut < len; cut++) {
                prepay_dlt645_frame_t p;
                if (prepay_dlt645_decode(bytes, (size_t)cut, &p) != PREPAY_E_DLT645_TRUNCATED) {
                    fail_msg("%s: prefix of %d bytes not reported truncated", name, cut);
                }
            }
            bytes[len] = 0x68;
            bytes[len + 1] = 0x00;
            assert_int_equal(prepay_dlt645_decode(bytes, (size_t)len + 2, &again), len);
        } else {
            invalid++;
            int want = expected_error(tv_need(r, "expect_error"));
            if (rc != want) {
                fail_msg("%s: decode gave %d (%s), expected %d", name, rc, prepay_strerror(rc), want);
            }
            assert_memory_equal(&frame, &untouched, sizeof frame);
            /* The other fields were filled in from the bytes as published:
             * repair the checksum and compare them too. */
            size_t first = (size_t)atoi(tv_need(r, "preamble"));
            size_t cs_at = (size_t)len - 2;
            bytes[cs_at] = prepay_dlt645_checksum(bytes + first, cs_at - first);
            assert_int_equal(prepay_dlt645_decode(bytes, (size_t)len, &frame), len);
            check_fields(r, &frame);
        }
    }
    /* The header of the vector file promises these totals. */
    assert_int_equal(vectors.count, 71);
    assert_int_equal(valid, 68);
    assert_int_equal(invalid, 3);
    assert_int_equal(editions[0], 58);
    assert_int_equal(editions[1], 13);
}

/* A few values of the vectors decoded by hand from the data bytes. */
static void test_hand_decoded_values(void **state)
{
    (void)state;
    /* legend_read_fwd_active_total_reply: 00010000 = 000026 -> 0.26 kWh. */
    const uint8_t reply[] = {0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x91, 0x08,
                             0x33, 0x33, 0x34, 0x33, 0x59, 0x33, 0x33, 0x33, 0x8A, 0x16};
    prepay_dlt645_frame_t f;
    assert_int_equal(prepay_dlt645_decode(reply, sizeof reply, &f), (int)sizeof reply);
    assert_int_equal(f.di, 0x00010000u);
    const uint8_t value[4] = {0x26, 0x00, 0x00, 0x00};
    assert_memory_equal(f.data + 4, value, 4);
    /* holley_relay_trip_request: N1 = 1A trip, valid until 2018-05-12 15:41:24. */
    const uint8_t relay[] = {0x68, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x68, 0x1C, 0x10, 0x33, 0x33, 0x33, 0x33,
                             0x33, 0x33, 0x33, 0x33, 0x4D, 0x33, 0x57, 0x74, 0x48, 0x45, 0x38, 0x4B, 0x55, 0x16};
    assert_int_equal(prepay_dlt645_decode(relay, sizeof relay, &f), (int)sizeof relay);
    prepay_dlt645_relay_request_t rr;
    assert_int_equal(prepay_dlt645_parse_relay_request(&f, &rr), PREPAY_OK);
    assert_int_equal(rr.command, PREPAY_DLT645_RELAY_TRIP);
    prepay_civil_t civil;
    assert_int_equal(prepay_time_to_civil(rr.valid_until, &civil), PREPAY_OK);
    assert_int_equal(civil.year, 2018);
    assert_int_equal(civil.month, 5);
    assert_int_equal(civil.day, 12);
    assert_int_equal(civil.hour, 15);
    assert_int_equal(civil.minute, 41);
    assert_int_equal(civil.second, 24);
}

static int load(void **state)
{
    (void)state;
    tv_load("dlt645_frames.txt", &vectors);
    return 0;
}

static int unload(void **state)
{
    (void)state;
    tv_free(&vectors);
    return 0;
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_vector),
        cmocka_unit_test(test_hand_decoded_values),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
