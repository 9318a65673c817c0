/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 request builders and reply parsers.
 *
 * Expected frames: where a published frame exists, the vector file's bytes
 * (read 00010000, read address, broadcast time, relay trip, write address,
 * 1997 reads); the others were laid out by hand from the data formats of
 * DL/T 645-2007 (DI0 first, password PA P0 P1 P2, operator C0..C3, +0x33)
 * and their checksums computed by an independent python3 one-liner
 * (sum(bytes) & 0xFF), e.g. change baud 9600: 147 - 11 - 04 + 17 + 01 = 14A,
 * + 53 (20 + 33) = 19D -> CS 9D.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/dlt645.h"
#include "prepay/status.h"

static prepay_dlt645_address_t address_161;
static const prepay_dlt645_credentials_t creds = {0x02, {0x12, 0x34, 0x56}, {0x01, 0x02, 0x03, 0x04}};

static prepay_time_t civil(int32_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    prepay_civil_t c = {y, (uint8_t)mo, (uint8_t)d, (uint8_t)h, (uint8_t)mi, (uint8_t)s, 0};
    prepay_time_t t = 0;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
    return t;
}

static void expect_frame(const prepay_dlt645_frame_t *f, unsigned preamble, const uint8_t *want, size_t want_len)
{
    prepay_dlt645_frame_t copy = *f;
    copy.preamble = (uint8_t)preamble;
    uint8_t out[PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(&copy, out, sizeof out);
    assert_int_equal(n, (int)want_len);
    assert_memory_equal(out, want, want_len);
    /* The builder's frame equals what the decoder makes of the bytes. */
    prepay_dlt645_frame_t back;
    assert_int_equal(prepay_dlt645_decode(out, (size_t)n, &back), n);
    assert_int_equal(back.edition, f->edition);
    assert_int_equal(back.di_size, f->di_size);
    assert_int_equal(back.di, f->di);
}

#define EXPECT(frame, preamble, ...)                                                                              \
    do {                                                                                                          \
        const uint8_t want_[] = {__VA_ARGS__};                                                                    \
        expect_frame((frame), (preamble), want_, sizeof want_);                                                   \
    } while (0)

static int setup(void **state)
{
    (void)state;
    return prepay_dlt645_address_from_string("000000000161", 12, &address_161);
}

static void test_builders_known_frames(void **state)
{
    (void)state;
    prepay_dlt645_frame_t f;
    /* Vector legend_read_fwd_active_total_request. */
    assert_int_equal(prepay_dlt645_request_read(&f, &address_161, 0x00010000u), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x11, 0x04, 0x33, 0x33, 0x34, 0x33, 0x14, 0x16);
    assert_int_equal(f.di, 0x00010000u);
    assert_int_equal(prepay_dlt645_request_read_blocks(&f, &address_161, 0x06000001u, 1), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x11, 0x05, 0x34, 0x33, 0x33, 0x39, 0x34, 0x4F,
           0x16);
    /* Load records from 2024-03-05 14:30: mm hh DD MM YY = 30 14 05 03 24. */
    assert_int_equal(prepay_dlt645_request_read_records(&f, &address_161, 0x06000001u, 2, civil(2024, 3, 5, 14, 30, 0)),
                     PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x11, 0x0A, 0x34, 0x33, 0x33, 0x39, 0x35, 0x63,
           0x47, 0x38, 0x36, 0x57, 0xC4, 0x16);
    assert_int_equal(prepay_dlt645_request_read_follow_up(&f, &address_161, 0x0001FF00u, 1), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x12, 0x05, 0x33, 0x32, 0x34, 0x33, 0x34, 0x49,
           0x16);
    /* Vector plc_log_read_address_request (1 FE). */
    assert_int_equal(prepay_dlt645_request_read_address(&f), PREPAY_OK);
    EXPECT(&f, 1, 0xFE, 0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x13, 0x00, 0xDF, 0x16);
    /* Write alarm amount 1 (04001001) = 50.00 yuan: value 00 50 00 00. */
    const uint8_t value[4] = {0x00, 0x50, 0x00, 0x00};
    assert_int_equal(prepay_dlt645_request_write(&f, &address_161, 0x04001001u, &creds, value, 4), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x14, 0x10, 0x34, 0x43, 0x33, 0x37, 0x35, 0x45,
           0x67, 0x89, 0x34, 0x35, 0x36, 0x37, 0x33, 0x83, 0x33, 0x33, 0x93, 0x16);
    prepay_dlt645_write_request_t w;
    assert_int_equal(prepay_dlt645_parse_write_request(&f, &w), PREPAY_OK);
    assert_int_equal(w.di, 0x04001001u);
    assert_int_equal(w.credentials.level, 0x02);
    assert_memory_equal(w.credentials.password, creds.password, 3);
    assert_memory_equal(w.credentials.operator_code, creds.operator_code, 4);
    assert_int_equal(w.value_len, 4);
    assert_memory_equal(w.value, value, 4);
    /* Vector dlt645cpp_write_address_request: to 121078563412, new 131078563412, 4 FE. */
    prepay_dlt645_address_t target, fresh;
    assert_int_equal(prepay_dlt645_address_from_string("121078563412", 12, &target), PREPAY_OK);
    assert_int_equal(prepay_dlt645_address_from_string("131078563412", 12, &fresh), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_write_address(&f, &target, &fresh), PREPAY_OK);
    EXPECT(&f, 4, 0xFE, 0xFE, 0xFE, 0xFE, 0x68, 0x12, 0x34, 0x56, 0x78, 0x10, 0x12, 0x68, 0x15, 0x06, 0x45, 0x67,
           0x89, 0xAB, 0x43, 0x46, 0x8A, 0x16);
    prepay_dlt645_address_t all = prepay_dlt645_address_wildcard();
    prepay_dlt645_address_t new162;
    assert_int_equal(prepay_dlt645_address_from_string("000000000162", 12, &new162), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_write_address(&f, &all, &new162), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0x68, 0x15, 0x06, 0x95, 0x34, 0x33, 0x33, 0x33, 0x33,
           0x7C, 0x16);
    /* Vector conc_broadcast_time_sync: 2017-06-05 10:22:51. */
    assert_int_equal(prepay_dlt645_request_broadcast_time(&f, civil(2017, 6, 5, 10, 22, 51)), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x68, 0x08, 0x06, 0x84, 0x55, 0x43, 0x38, 0x39, 0x4A,
           0x4B, 0x16);
    /* Freeze every day at 00:00: mm hh DD MM = 00 00 99 99. */
    assert_int_equal(prepay_dlt645_request_freeze(&f, &address_161, 0, 0, 99, 99), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x16, 0x04, 0x33, 0x33, 0xCC, 0xCC, 0x4A, 0x16);
    assert_int_equal(prepay_dlt645_request_change_baud(&f, &address_161, 9600), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x17, 0x01, 0x53, 0x9D, 0x16);
    /* Change the level-4 password: DI 04000C05, old 02 000000, new 04 112233. */
    const prepay_dlt645_credentials_t old_pw = {0x02, {0, 0, 0}, {0, 0, 0, 0}};
    const prepay_dlt645_credentials_t new_pw = {0x04, {0x11, 0x22, 0x33}, {0, 0, 0, 0}};
    assert_int_equal(prepay_dlt645_request_change_password(&f, &address_161, &old_pw, &new_pw), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x18, 0x0C, 0x38, 0x3F, 0x33, 0x37, 0x35, 0x33,
           0x33, 0x33, 0x37, 0x44, 0x55, 0x66, 0x3B, 0x16);
    assert_int_equal(f.di, 0x04000C05u);
    assert_int_equal(prepay_dlt645_request_clear_demand(&f, &address_161, &creds), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x19, 0x08, 0x35, 0x45, 0x67, 0x89, 0x34, 0x35,
           0x36, 0x37, 0x93, 0x16);
    assert_int_equal(prepay_dlt645_request_clear_meter(&f, &address_161, &creds), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x1A, 0x08, 0x35, 0x45, 0x67, 0x89, 0x34, 0x35,
           0x36, 0x37, 0x94, 0x16);
    assert_int_equal(prepay_dlt645_request_clear_events(&f, &address_161, &creds, PREPAY_DLT645_DI_ALL_EVENTS),
                     PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x1B, 0x0C, 0x35, 0x45, 0x67, 0x89, 0x34, 0x35,
           0x36, 0x37, 0x32, 0x32, 0x32, 0x32, 0x61, 0x16);
    /* Vector holley_relay_trip_request: to 111111111111, zero password/operator, valid until 2018-05-12 15:41:24. */
    prepay_dlt645_address_t ones;
    assert_int_equal(prepay_dlt645_address_from_string("111111111111", 12, &ones), PREPAY_OK);
    const prepay_dlt645_credentials_t zero = {0, {0, 0, 0}, {0, 0, 0, 0}};
    assert_int_equal(prepay_dlt645_request_relay_control(&f, &ones, &zero, PREPAY_DLT645_RELAY_TRIP,
                                                         civil(2018, 5, 12, 15, 41, 24)),
                     PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x68, 0x1C, 0x10, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
           0x33, 0x33, 0x4D, 0x33, 0x57, 0x74, 0x48, 0x45, 0x38, 0x4B, 0x55, 0x16);
    const uint8_t op[4] = {0x01, 0x02, 0x03, 0x04};
    const uint8_t payload[2] = {0xAA, 0xBB};
    assert_int_equal(prepay_dlt645_request_security(&f, &address_161, 0x070102FFu, op, payload, 2), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x03, 0x0A, 0x32, 0x35, 0x34, 0x3A, 0x34, 0x35,
           0x36, 0x37, 0xDD, 0xEE, 0xB5, 0x16);
    /* 1997: vector heyuan_1997_read_voltage_a_request (B611) and kaledl (9010). */
    prepay_dlt645_address_t a3, a163;
    assert_int_equal(prepay_dlt645_address_from_string("000000000003", 12, &a3), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read_1997(&f, &a3, 0xB611), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x01, 0x02, 0x44, 0xE9, 0x03, 0x16);
    assert_int_equal(f.edition, PREPAY_DLT645_EDITION_1997);
    assert_int_equal(prepay_dlt645_address_from_string("000003430163", 12, &a163), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read_1997(&f, &a163, 0x9010), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x63, 0x01, 0x43, 0x03, 0x00, 0x00, 0x68, 0x01, 0x02, 0x43, 0xC3, 0x83, 0x16);
    const uint8_t one = 0x01;
    assert_int_equal(prepay_dlt645_request_write_1997(&f, &address_161, 0xC030, &creds, &one, 1), PREPAY_OK);
    EXPECT(&f, 0, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x04, 0x07, 0x63, 0xF3, 0x35, 0x45, 0x67, 0x89,
           0x34, 0x31, 0x16);
    assert_int_equal(f.edition, PREPAY_DLT645_EDITION_1997);
    assert_int_equal(f.di, 0xC030);
}

static void test_builder_errors(void **state)
{
    (void)state;
    prepay_dlt645_frame_t f;
    memset(&f, 0x3C, sizeof f);
    const prepay_dlt645_frame_t before = f;
    const prepay_dlt645_address_t *a = &address_161;
    static uint8_t big[300];
    const uint8_t op[4] = {0};
    assert_int_equal(prepay_dlt645_request_read(NULL, a, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_read(&f, NULL, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_read_blocks(&f, a, 1, 0), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_read_records(&f, a, 0x06000001u, 0, 0), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_read_records(&f, a, 0x06000001u, 1, civil(2100, 1, 1, 0, 0, 0)),
                     PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_dlt645_request_read_follow_up(&f, NULL, 1, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_read_address(NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_write(&f, a, 1, NULL, big, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_write(&f, a, 1, &creds, NULL, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_write(&f, a, 1, &creds, big, PREPAY_DLT645_MAX_DATA - 11u),
                     PREPAY_E_DLT645_DATA_TOO_LONG);
    assert_int_equal(prepay_dlt645_request_write(&f, a, 1, &creds, big, 300), PREPAY_E_DLT645_DATA_TOO_LONG);
    prepay_dlt645_address_t bad = {{0x1A, 0, 0, 0, 0, 0}};
    prepay_dlt645_address_t broadcast = prepay_dlt645_address_broadcast();
    prepay_dlt645_address_t all = prepay_dlt645_address_wildcard();
    assert_int_equal(prepay_dlt645_request_write_address(&f, &all, &bad), PREPAY_E_DLT645_BAD_ADDRESS);
    assert_int_equal(prepay_dlt645_request_write_address(&f, &all, &broadcast), PREPAY_E_DLT645_BAD_ADDRESS);
    assert_int_equal(prepay_dlt645_request_write_address(&f, &all, &all), PREPAY_E_DLT645_BAD_ADDRESS);
    assert_int_equal(prepay_dlt645_request_write_address(&f, NULL, a), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_broadcast_time(NULL, 0), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_broadcast_time(&f, -1), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_dlt645_request_freeze(&f, a, 60, 0, 1, 1), PREPAY_E_DLT645_BAD_FREEZE_TIME);
    assert_int_equal(prepay_dlt645_request_freeze(&f, a, 0, 24, 1, 1), PREPAY_E_DLT645_BAD_FREEZE_TIME);
    assert_int_equal(prepay_dlt645_request_freeze(&f, a, 0, 0, 0, 1), PREPAY_E_DLT645_BAD_FREEZE_TIME);
    assert_int_equal(prepay_dlt645_request_freeze(&f, a, 0, 0, 32, 1), PREPAY_E_DLT645_BAD_FREEZE_TIME);
    assert_int_equal(prepay_dlt645_request_freeze(&f, a, 0, 0, 1, 13), PREPAY_E_DLT645_BAD_FREEZE_TIME);
    assert_int_equal(prepay_dlt645_request_freeze(&f, NULL, 0, 0, 1, 1), PREPAY_E_INVALID_ARGUMENT);
    /* Only the four rates of the feature word (bits 3..6) exist. */
    const uint32_t bad_rates[] = {0, 300, 600, 1200, 2401, 38400, 115200};
    for (size_t i = 0; i < sizeof bad_rates / sizeof bad_rates[0]; i++) {
        assert_int_equal(prepay_dlt645_request_change_baud(&f, a, bad_rates[i]), PREPAY_E_DLT645_BAD_BAUD);
    }
    assert_int_equal(prepay_dlt645_request_change_baud(NULL, a, 9600), PREPAY_E_INVALID_ARGUMENT);
    const prepay_dlt645_credentials_t level10 = {10, {0, 0, 0}, {0, 0, 0, 0}};
    assert_int_equal(prepay_dlt645_request_change_password(&f, a, &creds, &level10),
                     PREPAY_E_DLT645_BAD_PASSWORD_LEVEL);
    assert_int_equal(prepay_dlt645_request_change_password(&f, a, NULL, &creds), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_clear_demand(&f, a, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_clear_meter(NULL, a, &creds), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_clear_events(&f, NULL, &creds, 1), PREPAY_E_INVALID_ARGUMENT);
    const uint8_t bad_commands[] = {0x00, 0x19, 0x1D, 0x29, 0x2C, 0x39, 0x3C, 0xFF};
    for (size_t i = 0; i < sizeof bad_commands; i++) {
        assert_int_equal(prepay_dlt645_request_relay_control(&f, a, &creds, bad_commands[i], 0),
                         PREPAY_E_DLT645_BAD_RELAY_COMMAND);
    }
    assert_int_equal(prepay_dlt645_request_relay_control(&f, a, &creds, PREPAY_DLT645_RELAY_TRIP, -5),
                     PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_dlt645_request_relay_control(&f, a, NULL, PREPAY_DLT645_RELAY_TRIP, 0),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_security(&f, a, 1, NULL, big, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_security(&f, a, 1, op, big, PREPAY_DLT645_MAX_DATA - 7u),
                     PREPAY_E_DLT645_DATA_TOO_LONG);
    assert_int_equal(prepay_dlt645_request_read_1997(&f, NULL, 0x9010), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_request_write_1997(&f, a, 0x9010, &creds, big, PREPAY_DLT645_MAX_DATA - 5u),
                     PREPAY_E_DLT645_DATA_TOO_LONG);
    assert_int_equal(prepay_dlt645_request_write_1997(&f, a, 0x9010, NULL, big, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_memory_equal(&f, &before, sizeof f);
    /* Largest data that fits is accepted. */
    assert_int_equal(prepay_dlt645_request_write(&f, a, 1, &creds, big, PREPAY_DLT645_MAX_DATA - 12u), PREPAY_OK);
    assert_int_equal(f.length, PREPAY_DLT645_MAX_DATA);
    /* Every relay command, every rate. */
    const uint8_t commands[] = {0x1A, 0x1B, 0x1C, 0x2A, 0x2B, 0x3A, 0x3B};
    for (size_t i = 0; i < sizeof commands; i++) {
        assert_int_equal(prepay_dlt645_request_relay_control(&f, a, &creds, commands[i], 0), PREPAY_OK);
        prepay_dlt645_relay_request_t rr;
        assert_int_equal(prepay_dlt645_parse_relay_request(&f, &rr), PREPAY_OK);
        assert_int_equal(rr.command, commands[i]);
        assert_int_equal(rr.valid_until, 0);
        assert_memory_equal(&rr.credentials, &creds, sizeof creds);
    }
    const uint32_t rates[] = {2400, 4800, 9600, 19200};
    const uint8_t words[] = {0x08, 0x10, 0x20, 0x40};
    for (size_t i = 0; i < 4; i++) {
        uint8_t z = 0;
        uint32_t r = 0;
        assert_int_equal(prepay_dlt645_baud_to_feature(rates[i], &z), PREPAY_OK);
        assert_int_equal(z, words[i]);
        assert_int_equal(prepay_dlt645_baud_from_feature(words[i], &r), PREPAY_OK);
        assert_int_equal(r, rates[i]);
    }
    uint32_t r;
    uint8_t z;
    assert_int_equal(prepay_dlt645_baud_from_feature(0x18, &r), PREPAY_E_DLT645_BAD_BAUD);
    assert_int_equal(prepay_dlt645_baud_from_feature(0x04, &r), PREPAY_E_DLT645_BAD_BAUD);
    assert_int_equal(prepay_dlt645_baud_from_feature(0x08, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_baud_to_feature(9600, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_baud_to_feature(1200, &z), PREPAY_E_DLT645_BAD_BAUD);
}

/* Decodes a frame given as bytes. */
static void decode(prepay_dlt645_frame_t *f, const uint8_t *b, size_t n)
{
    assert_int_equal(prepay_dlt645_decode(b, n, f), (int)n);
}

/* Builds a reply frame from parts (before +0x33). */
static void make_reply(prepay_dlt645_frame_t *f, const prepay_dlt645_address_t *a, uint8_t control, const uint8_t *data,
                       size_t len)
{
    assert_int_equal(prepay_dlt645_frame_init(f, PREPAY_DLT645_EDITION_AUTO, a, control, data, len), PREPAY_OK);
}

static void test_reply_parsers(void **state)
{
    (void)state;
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_read_reply_t rr;
    memset(&rr, 0x11, sizeof rr);
    const prepay_dlt645_read_reply_t rr_before = rr;
    /* Vector legend pair: read 00010000, reply 0.26 kWh. */
    assert_int_equal(prepay_dlt645_request_read(&req, &address_161, 0x00010000u), PREPAY_OK);
    const uint8_t reply[] = {0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x91, 0x08,
                             0x33, 0x33, 0x34, 0x33, 0x59, 0x33, 0x33, 0x33, 0x8A, 0x16};
    decode(&rep, reply, sizeof reply);
    assert_int_equal(prepay_dlt645_reply_check(&req, &rep), PREPAY_OK);
    /* Wrong DI requested. */
    prepay_dlt645_frame_t req2;
    assert_int_equal(prepay_dlt645_request_read(&req2, &address_161, 0x00020000u), PREPAY_OK);
    assert_int_equal(prepay_dlt645_reply_read(&req2, &rep, &rr), PREPAY_E_DLT645_DI_MISMATCH);
    /* Another meter answering. */
    prepay_dlt645_address_t other;
    assert_int_equal(prepay_dlt645_address_from_string("000000000162", 12, &other), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read(&req2, &other, 0x00010000u), PREPAY_OK);
    assert_int_equal(prepay_dlt645_reply_read(&req2, &rep, &rr), PREPAY_E_DLT645_ADDRESS_MISMATCH);
    /* A request where a reply was expected, and a request passed as "request" that is a reply. */
    assert_int_equal(prepay_dlt645_reply_read(&req, &req, &rr), PREPAY_E_DLT645_UNEXPECTED_REPLY);
    assert_int_equal(prepay_dlt645_reply_check(&rep, &rep), PREPAY_E_DLT645_BAD_REQUEST);
    assert_int_equal(prepay_dlt645_reply_read(&rep, &rep, &rr), PREPAY_E_DLT645_BAD_REQUEST);
    assert_int_equal(prepay_dlt645_reply_check(NULL, &rep), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_memory_equal(&rr, &rr_before, sizeof rr);
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
    assert_int_equal(rr.di, 0x00010000u);
    assert_int_equal(rr.value_len, 4);
    const uint8_t kwh[4] = {0x26, 0x00, 0x00, 0x00};
    assert_memory_equal(rr.value, kwh, 4);
    assert_false(rr.follow_up);
    assert_false(rr.has_seq);
    /* Short addressing: request to AAAA..0161 accepts the meter's real address. */
    prepay_dlt645_address_t pattern;
    assert_int_equal(prepay_dlt645_address_from_string("AAAAAAAA0161", 12, &pattern), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read(&req2, &pattern, 0x00010000u), PREPAY_OK);
    assert_int_equal(prepay_dlt645_reply_read(&req2, &rep, &rr), PREPAY_OK);

    /* Vector sansheng abnormal reply D1 01 (error 02, no data) to a read of 03010000:
     * the error is reported and stays in the frame. */
    prepay_dlt645_address_t sansheng;
    assert_int_equal(prepay_dlt645_address_from_string("201000000012", 12, &sansheng), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read(&req, &sansheng, 0x03010000u), PREPAY_OK);
    const uint8_t abnormal[] = {0x68, 0x12, 0x00, 0x00, 0x00, 0x10, 0x20, 0x68, 0xD1, 0x01, 0x35, 0x19, 0x16};
    decode(&rep, abnormal, sizeof abnormal);
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_E_DLT645_ABNORMAL);
    assert_true(rep.abnormal && rep.has_error);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_NO_DATA);

    /* Follow-up: B1 then 92 with SEQ. */
    const uint8_t block[6] = {0x00, 0xFF, 0x01, 0x00, 0x12, 0x34};
    assert_int_equal(prepay_dlt645_request_read(&req, &address_161, 0x0001FF00u), PREPAY_OK);
    make_reply(&rep, &address_161, 0xB1, block, 6);
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
    assert_true(rr.follow_up);
    assert_int_equal(rr.value_len, 2);
    assert_int_equal(prepay_dlt645_request_read_follow_up(&req, &address_161, 0x0001FF00u, 1), PREPAY_OK);
    const uint8_t more[7] = {0x00, 0xFF, 0x01, 0x00, 0x56, 0x78, 0x01};
    make_reply(&rep, &address_161, 0x92, more, 7);
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
    assert_true(rr.has_seq);
    assert_int_equal(rr.seq, 1);
    assert_int_equal(rr.value_len, 2);
    assert_int_equal(rr.value[0], 0x56);
    assert_false(rr.follow_up);
    make_reply(&rep, &address_161, 0x92, more, 4); /* no SEQ byte */
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_E_DLT645_BAD_REPLY);
    make_reply(&rep, &address_161, 0x91, block, 6); /* reply to another function */
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_E_DLT645_UNEXPECTED_REPLY);
    /* A 2007 read reply cannot be decoded as 1997 (11..1C are 2007 codes); a
     * 1997-shaped reply (2-byte DI) to a 2007 request is refused. */
    assert_int_equal(prepay_dlt645_request_read(&req, &address_161, 0x00010000u), PREPAY_OK);
    prepay_dlt645_frame_t as1997;
    assert_int_equal(prepay_dlt645_decode_edition(reply, sizeof reply, PREPAY_DLT645_EDITION_1997, &as1997),
                     PREPAY_E_DLT645_BAD_FUNCTION);
    decode(&as1997, reply, sizeof reply);
    as1997.di_size = 2;
    assert_int_equal(prepay_dlt645_reply_read(&req, &as1997, &rr), PREPAY_E_DLT645_BAD_REPLY);

    /* 1997 vector pair heyuan B611: reply 81 with 220.0? data 00 01 -> 0100 V (XXX). */
    prepay_dlt645_address_t a3;
    assert_int_equal(prepay_dlt645_address_from_string("000000000003", 12, &a3), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read_1997(&req, &a3, 0xB611), PREPAY_OK);
    const uint8_t reply97[] = {0x68, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x81, 0x04, 0x44, 0xE9, 0x33, 0x34, 0xEC, 0x16};
    decode(&rep, reply97, sizeof reply97);
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
    assert_int_equal(rr.di, 0xB611);
    assert_int_equal(rr.value_len, 2);

    /* Read address: vector plc_log_read_address_reply (000000193600). */
    prepay_dlt645_address_t found;
    memset(&found, 0, sizeof found);
    assert_int_equal(prepay_dlt645_request_read_address(&req), PREPAY_OK);
    const uint8_t addr_reply[] = {0x68, 0x00, 0x36, 0x19, 0x00, 0x00, 0x00, 0x68, 0x93,
                                  0x06, 0x33, 0x69, 0x4C, 0x33, 0x33, 0x33, 0x39, 0x16};
    decode(&rep, addr_reply, sizeof addr_reply);
    assert_int_equal(prepay_dlt645_reply_read_address(&req, &rep, &found), PREPAY_OK);
    char text[13];
    assert_int_equal(prepay_dlt645_address_to_string(&found, text, sizeof text), 12);
    assert_string_equal(text, "000000193600");
    make_reply(&rep, &other, 0x93, address_161.bytes, 6); /* data differs from the frame address */
    assert_int_equal(prepay_dlt645_reply_read_address(&req, &rep, &found), PREPAY_E_DLT645_BAD_REPLY);
    assert_int_equal(prepay_dlt645_reply_read_address(&req2, &rep, &found), PREPAY_E_DLT645_BAD_REQUEST);
    assert_int_equal(prepay_dlt645_reply_read_address(NULL, &rep, &found), PREPAY_E_INVALID_ARGUMENT);

    /* Change baud: 97 echoes Z. */
    uint32_t baud = 0;
    assert_int_equal(prepay_dlt645_request_change_baud(&req, &address_161, 9600), PREPAY_OK);
    uint8_t z = 0x20;
    make_reply(&rep, &address_161, 0x97, &z, 1);
    assert_int_equal(prepay_dlt645_reply_change_baud(&req, &rep, &baud), PREPAY_OK);
    assert_int_equal(baud, 9600);
    z = 0x10;
    make_reply(&rep, &address_161, 0x97, &z, 1);
    assert_int_equal(prepay_dlt645_reply_change_baud(&req, &rep, &baud), PREPAY_E_DLT645_BAD_REPLY);
    z = 0x30;
    make_reply(&rep, &address_161, 0x97, &z, 1);
    assert_int_equal(prepay_dlt645_reply_change_baud(&req, &rep, &baud), PREPAY_E_DLT645_BAD_BAUD);
    make_reply(&rep, &address_161, 0x97, NULL, 0);
    assert_int_equal(prepay_dlt645_reply_change_baud(&req, &rep, &baud), PREPAY_E_DLT645_BAD_REPLY);
    z = PREPAY_DLT645_ERROR_BAUD;
    make_reply(&rep, &address_161, 0xD7, &z, 1);
    assert_int_equal(prepay_dlt645_reply_change_baud(&req, &rep, &baud), PREPAY_E_DLT645_ABNORMAL);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_BAUD);
    assert_int_equal(prepay_dlt645_reply_change_baud(&req2, &rep, &baud), PREPAY_E_DLT645_BAD_REQUEST);
    assert_int_equal(prepay_dlt645_reply_change_baud(&req, &rep, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(baud, 9600);

    /* Acknowledgements: vector holley 9C to the relay trip. */
    prepay_dlt645_address_t ones;
    assert_int_equal(prepay_dlt645_address_from_string("111111111111", 12, &ones), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_relay_control(&req, &ones, &creds, PREPAY_DLT645_RELAY_TRIP, 0), PREPAY_OK);
    const uint8_t ack[] = {0x68, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x68, 0x9C, 0x00, 0xD2, 0x16};
    decode(&rep, ack, sizeof ack);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    z = PREPAY_DLT645_ERROR_UNAUTHORISED;
    make_reply(&rep, &ones, 0xDC, &z, 1);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_E_DLT645_ABNORMAL);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_UNAUTHORISED);
    make_reply(&rep, &ones, 0x9C, &z, 1);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_E_DLT645_BAD_REPLY);
    const uint8_t value[1] = {1};
    assert_int_equal(prepay_dlt645_request_write(&req, &address_161, 0x04001001u, &creds, value, 1), PREPAY_OK);
    make_reply(&rep, &address_161, 0x94, NULL, 0);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    const prepay_dlt645_credentials_t new_pw = {0x04, {0x11, 0x22, 0x33}, {0, 0, 0, 0}};
    assert_int_equal(prepay_dlt645_request_change_password(&req, &address_161, &creds, &new_pw), PREPAY_OK);
    const uint8_t echo[4] = {0x04, 0x11, 0x22, 0x33};
    make_reply(&rep, &address_161, 0x98, echo, 4);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_freeze(&req, &address_161, 0, 0, 99, 99), PREPAY_OK);
    make_reply(&rep, &address_161, 0x96, NULL, 0);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_write_1997(&req, &address_161, 0xC030, &creds, value, 1), PREPAY_OK);
    make_reply(&rep, &address_161, 0x84, NULL, 0);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, 0), PREPAY_OK); /* no reply exists */
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_E_DLT645_BAD_REQUEST);
    assert_int_equal(prepay_dlt645_reply_ack(NULL, &rep), PREPAY_E_INVALID_ARGUMENT);

    /* Security: 83 with DI + payload; C3 with a 2-byte error word. */
    const uint8_t op[4] = {0, 0, 0, 0};
    assert_int_equal(prepay_dlt645_request_security(&req, &address_161, 0x070102FFu, op, NULL, 0), PREPAY_OK);
    const uint8_t sec[6] = {0xFF, 0x02, 0x01, 0x07, 0xAB, 0xCD};
    make_reply(&rep, &address_161, 0x83, sec, 6);
    assert_int_equal(prepay_dlt645_reply_security(&req, &rep, &rr), PREPAY_OK);
    assert_int_equal(rr.di, 0x070102FFu);
    assert_int_equal(rr.value_len, 2);
    const uint8_t sec_wrong_di[4] = {0xFF, 0x02, 0x01, 0x08};
    make_reply(&rep, &address_161, 0x83, sec_wrong_di, 4);
    assert_int_equal(prepay_dlt645_reply_security(&req, &rep, &rr), PREPAY_E_DLT645_DI_MISMATCH);
    const uint8_t serr[2] = {0x04, 0x01};
    make_reply(&rep, &address_161, 0xC3, serr, 2);
    assert_int_equal(prepay_dlt645_reply_security(&req, &rep, &rr), PREPAY_E_DLT645_ABNORMAL);
    assert_int_equal(rep.error, 0x0104);
    assert_int_equal(prepay_dlt645_reply_security(&req2, &rep, &rr), PREPAY_E_DLT645_BAD_REQUEST);
    assert_int_equal(prepay_dlt645_reply_security(&req, &rep, NULL), PREPAY_E_INVALID_ARGUMENT);
    prepay_dlt645_frame_t sec1997 = rep;
    sec1997.abnormal = false;
    sec1997.di_size = 2;
    sec1997.length = 2;
    assert_int_equal(prepay_dlt645_reply_security(&req, &sec1997, &rr), PREPAY_E_DLT645_BAD_REPLY);
}

static void test_request_parsers(void **state)
{
    (void)state;
    prepay_dlt645_frame_t f;
    prepay_dlt645_write_request_t w;
    prepay_dlt645_relay_request_t r;
    assert_int_equal(prepay_dlt645_request_read(&f, &address_161, 1), PREPAY_OK);
    assert_int_equal(prepay_dlt645_parse_write_request(&f, &w), PREPAY_E_DLT645_BAD_REQUEST);
    assert_int_equal(prepay_dlt645_parse_relay_request(&f, &r), PREPAY_E_DLT645_BAD_REQUEST);
    assert_int_equal(prepay_dlt645_parse_write_request(NULL, &w), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_parse_relay_request(&f, NULL), PREPAY_E_INVALID_ARGUMENT);
    /* Relay request with an unknown N1, then with a bad date (month 13). */
    uint8_t data[16] = {0};
    data[8] = 0x1D;
    data[10] = 0x00; data[11] = 0x00; data[12] = 0x00; data[13] = 0x01; data[14] = 0x01; data[15] = 0x20;
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &address_161, 0x1C, data, 16), PREPAY_OK);
    assert_int_equal(prepay_dlt645_parse_relay_request(&f, &r), PREPAY_E_DLT645_BAD_RELAY_COMMAND);
    data[8] = 0x1A;
    data[14] = 0x13;
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &address_161, 0x1C, data, 16), PREPAY_OK);
    assert_int_equal(prepay_dlt645_parse_relay_request(&f, &r), PREPAY_E_BAD_DATE);
    data[14] = 0x1A;
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &address_161, 0x1C, data, 16), PREPAY_OK);
    assert_int_equal(prepay_dlt645_parse_relay_request(&f, &r), PREPAY_E_BAD_BCD);
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &address_161, 0x1C, data, 15), PREPAY_OK);
    assert_int_equal(prepay_dlt645_parse_relay_request(&f, &r), PREPAY_E_DLT645_BAD_REQUEST);
    /* Write request shorter than DI + password + operator. */
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &address_161, 0x14, data, 11), PREPAY_OK);
    assert_int_equal(prepay_dlt645_parse_write_request(&f, &w), PREPAY_E_DLT645_BAD_REQUEST);
}

/* Every status code of the frame layer has its own text. */
static void test_status_texts(void **state)
{
    (void)state;
    const int codes[] = {
        PREPAY_E_DLT645_TRUNCATED,       PREPAY_E_DLT645_NO_START,         PREPAY_E_DLT645_NO_SECOND_START,
        PREPAY_E_DLT645_BAD_LENGTH,      PREPAY_E_DLT645_BAD_CHECKSUM,     PREPAY_E_DLT645_BAD_END,
        PREPAY_E_DLT645_DATA_TOO_LONG,   PREPAY_E_DLT645_BAD_ADDRESS,      PREPAY_E_DLT645_ABNORMAL,
        PREPAY_E_DLT645_UNEXPECTED_REPLY, PREPAY_E_DLT645_DI_MISMATCH,     PREPAY_E_DLT645_BAD_REPLY,
        PREPAY_E_DLT645_BAD_BAUD,        PREPAY_E_DLT645_BAD_RELAY_COMMAND, PREPAY_E_DLT645_ADDRESS_MISMATCH,
        PREPAY_E_DLT645_BAD_PASSWORD_LEVEL, PREPAY_E_DLT645_BAD_FREEZE_TIME, PREPAY_E_DLT645_BAD_FUNCTION,
        PREPAY_E_DLT645_BAD_REQUEST,
    };
    const size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(PREPAY_STATUS_MODULE(codes[i]), PREPAY_MODULE_DLT645);
        assert_int_equal(-codes[i] & 0xFF, (int)i + 1);
#ifndef PREPAY_NO_STRERROR
        const char *text = prepay_strerror(codes[i]);
        assert_non_null(text);
        assert_string_not_equal(text, "unknown status");
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(text, prepay_strerror(codes[j]));
        }
#endif
    }
#ifndef PREPAY_NO_STRERROR
    assert_string_equal(prepay_strerror(PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 63)), "unknown status");
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_builders_known_frames, setup),
        cmocka_unit_test_setup(test_builder_errors, setup),
        cmocka_unit_test_setup(test_reply_parsers, setup),
        cmocka_unit_test_setup(test_request_parsers, setup),
        cmocka_unit_test(test_status_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
