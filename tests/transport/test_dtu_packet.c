/* SPDX-License-Identifier: MIT */
/*
 * DTU registration and heartbeat patterns (prepay/dtu.h): the known answers
 * of tests/vectors/dtu_packets.txt (vendor packet layouts, counted by hand),
 * then properties: a match never reads or claims more than the input, a
 * prefix of a packet asks for more bytes, and bad arguments change nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/dtu.h"
#include "test_support.h"

static void test_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("dtu_packets.txt", &file);
    size_t formats = 0, packets = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        const char *pattern = tv_need(r, "pattern");
        prepay_dtu_format_t format;
        memset(&format, 0xA5, sizeof format);
        int status = prepay_dtu_format_parse(pattern, strlen(pattern), &format);
        if (strcmp(r->kind, "format") == 0) {
            formats++;
            const char *expect = tv_need(r, "status");
            if (strcmp(expect, "ok") == 0) {
                assert_int_equal(status, PREPAY_OK);
            } else {
                if (status != PREPAY_E_TRANSPORT_BAD_FORMAT) {
                    fail_msg("line %d: '%s' accepted", r->line, pattern);
                }
                /* Untouched on error. */
                const uint8_t *p = (const uint8_t *)&format;
                for (size_t k = 0; k < sizeof format; k++) {
                    assert_int_equal(p[k], 0xA5);
                }
            }
            continue;
        }
        packets++;
        assert_int_equal(status, PREPAY_OK);
        uint8_t bytes[128];
        int n = tv_hex(tv_need(r, "bytes"), bytes, sizeof bytes);
        assert_true(n >= 0);
        bool complete = strcmp(tv_need(r, "complete"), "yes") == 0;
        prepay_dtu_packet_t packet;
        int got = prepay_dtu_match(&format, bytes, (size_t)n, complete, &packet);
        const char *expect = tv_need(r, "expect");
        if (strcmp(expect, "match") == 0) {
            if (got <= 0) {
                fail_msg("line %d: no match (%d)", r->line, got);
            }
            assert_int_equal(got, atoi(tv_need(r, "length")));
            assert_int_equal(packet.length, (size_t)got);
            assert_string_equal(packet.id, tv_need(r, "id"));
        } else if (strcmp(expect, "more") == 0) {
            if (got != 0) {
                fail_msg("line %d: expected 'more', got %d", r->line, got);
            }
        } else {
            if (got != PREPAY_E_TRANSPORT_NO_MATCH) {
                fail_msg("line %d: expected no match, got %d", r->line, got);
            }
        }
    }
    assert_true(formats >= 10);
    assert_true(packets >= 15);
    tv_free(&file);
}

/* Every proper prefix of a matching packet asks for more; the packet with
 * anything after it still matches at the same length. */
static void test_prefixes_ask_for_more(void **state)
{
    (void)state;
    const char *pattern = "pattern:?? ?? ?? ?? {id:11} 00 ?? ?? ?? ?? 00";
    const uint8_t packet[] = {0x78, 0x56, 0x34, 0x12, 0x31, 0x33, 0x30, 0x36, 0x36, 0x36, 0x36,
                              0x38, 0x38, 0x38, 0x38, 0x00, 0xC0, 0xA8, 0x01, 0x42, 0x00};
    prepay_dtu_format_t format;
    assert_int_equal(prepay_dtu_format_parse(pattern, strlen(pattern), &format), PREPAY_OK);
    assert_true(prepay_dtu_format_has_id(&format));
    for (size_t len = 0; len < sizeof packet; len++) {
        assert_int_equal(prepay_dtu_match(&format, packet, len, false, NULL), 0);
    }
    uint8_t longer[64];
    memcpy(longer, packet, sizeof packet);
    for (size_t extra = 0; extra < 8; extra++) {
        longer[sizeof packet + extra] = (uint8_t)(0x68 + extra);
        assert_int_equal(prepay_dtu_match(&format, longer, sizeof packet + extra + 1, false, NULL),
                         (int)sizeof packet);
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    prepay_dtu_format_t format;
    assert_int_equal(prepay_dtu_format_parse(NULL, 3, &format), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dtu_format_parse("prefix:A", 8, NULL), PREPAY_E_INVALID_ARGUMENT);
    /* Length is honoured: "prefix:AB" cut to "prefix:" is refused. */
    assert_int_equal(prepay_dtu_format_parse("prefix:AB", 7, &format), PREPAY_E_TRANSPORT_BAD_FORMAT);
    assert_int_equal(prepay_dtu_format_parse("prefix:AB", 9, &format), PREPAY_OK);
    assert_int_equal(prepay_dtu_match(NULL, (const uint8_t *)"AB", 2, true, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dtu_match(&format, NULL, 2, true, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dtu_match(&format, NULL, 0, false, NULL), 0);
    prepay_dtu_format_t blank;
    memset(&blank, 0, sizeof blank);
    assert_int_equal(prepay_dtu_match(&blank, (const uint8_t *)"AB", 2, true, NULL), PREPAY_E_BAD_STATE);
    assert_false(prepay_dtu_format_has_id(&blank));
    assert_false(prepay_dtu_format_has_id(NULL));
    /* 65 literal tokens do not fit. */
    char text[8 + 65 * 3 + 1];
    size_t n = (size_t)snprintf(text, sizeof text, "pattern:");
    for (int i = 0; i < 65; i++) {
        n += (size_t)snprintf(text + n, sizeof text - n, "AA ");
    }
    assert_int_equal(prepay_dtu_format_parse(text, n, &format), PREPAY_E_TRANSPORT_BAD_FORMAT);
    assert_int_equal(prepay_dtu_format_parse(text, n - 3, &format), PREPAY_OK);
    /* A 32-byte hex id shows as 64 digits. */
    assert_int_equal(prepay_dtu_format_parse("pattern:{idhex:32}", 18, &format), PREPAY_OK);
    uint8_t id[32];
    for (int i = 0; i < 32; i++) {
        id[i] = (uint8_t)(0xF0 + (i & 0x0F));
    }
    prepay_dtu_packet_t packet;
    assert_int_equal(prepay_dtu_match(&format, id, sizeof id, true, &packet), 32);
    assert_int_equal(strlen(packet.id), 64);
    assert_true(packet.id_hex);
    assert_int_equal(memcmp(packet.id, "F0F1F2F3", 8), 0);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_prefixes_ask_for_more),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
