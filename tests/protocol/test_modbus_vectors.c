/* SPDX-License-Identifier: MIT */
/*
 * Known-answer tests of the Modbus RTU codec against tests/vectors/modbus_frames.txt:
 * CRC reference values, 29 published frames (the Modbus specification's
 * examples as reproduced by simplymodbus.ca, monitor logs, device docs) with
 * their request/response pairs, and 13 published FLOAT32 register values with
 * the result of each decoding rule, all re-checked with python3 (sources and
 * method in the file).
 *
 * CRC worked by hand for the shortest frame, 0A 81 02 -> B0 53, is long; the
 * file's python check is the independent computation, and test_modbus.c
 * rebuilds the CRC table bit by bit.
 */
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
#include "test_support.h"

static tv_file_t vectors;

static unsigned hex_number(const char *text)
{
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 16);
    if (!end || *end != '\0') {
        fail_msg("bad hex number '%s'", text);
    }
    return (unsigned)v;
}

static prepay_modbus_direction_t direction_of(const char *text)
{
    if (strcmp(text, "request") == 0) {
        return PREPAY_MODBUS_REQUEST;
    }
    if (strcmp(text, "response") == 0) {
        return PREPAY_MODBUS_RESPONSE;
    }
    return PREPAY_MODBUS_ANY;
}

static const tv_record_t *find(const char *name)
{
    for (size_t i = 0; i < vectors.count; i++) {
        const char *n = tv_get(&vectors.records[i], "name");
        if (n && strcmp(n, name) == 0) {
            return &vectors.records[i];
        }
    }
    fail_msg("no vector %s", name);
    return NULL;
}

static void decode_record(const tv_record_t *r, prepay_modbus_direction_t direction, prepay_modbus_adu_t *out)
{
    uint8_t bytes[300];
    int len = tv_hex(tv_need(r, "hex"), bytes, sizeof bytes);
    int rc = prepay_modbus_decode(bytes, (size_t)len, direction, out);
    if (rc != PREPAY_OK) {
        fail_msg("%s: %s", tv_need(r, "name"), prepay_strerror(rc));
    }
}

static void test_crc(void **state)
{
    (void)state;
    int seen = 0;
    for (size_t i = 0; i < vectors.count; i++) {
        const tv_record_t *r = &vectors.records[i];
        if (strcmp(r->kind, "crc") != 0) {
            continue;
        }
        uint8_t bytes[64], crc[2];
        int n = tv_hex(tv_need(r, "bytes"), bytes, sizeof bytes);
        assert_int_equal(tv_hex(tv_need(r, "crc"), crc, sizeof crc), 2);
        assert_int_equal(prepay_modbus_crc16(bytes, (size_t)n), crc[0] | crc[1] << 8);
        seen++;
    }
    assert_int_equal(seen, 2);
}

static void test_frames(void **state)
{
    (void)state;
    int valid = 0, invalid = 0, pairs = 0;
    for (size_t i = 0; i < vectors.count; i++) {
        const tv_record_t *r = &vectors.records[i];
        if (strcmp(r->kind, "frame") != 0) {
            continue;
        }
        const char *name = tv_need(r, "name");
        uint8_t bytes[300];
        int len = tv_hex(tv_need(r, "hex"), bytes, sizeof bytes);
        prepay_modbus_direction_t dir = direction_of(tv_need(r, "direction"));
        prepay_modbus_adu_t adu, keep;
        memset(&adu, 0x6B, sizeof adu);
        keep = adu;
        int rc = prepay_modbus_decode(bytes, (size_t)len, dir, &adu);
        if (strcmp(tv_need(r, "valid"), "no") == 0) {
            invalid++;
            assert_string_equal(tv_need(r, "expect_error"), "crc");
            assert_int_equal(rc, PREPAY_E_MODBUS_BAD_CRC);
            assert_memory_equal(&adu, &keep, sizeof adu);
            continue;
        }
        valid++;
        if (rc != PREPAY_OK) {
            fail_msg("%s: %s", name, prepay_strerror(rc));
        }
        assert_int_equal(adu.unit, hex_number(tv_need(r, "unit")));
        assert_int_equal(adu.function, hex_number(tv_need(r, "function")));
        assert_int_equal(adu.exception, atoi(tv_need(r, "exception")));
        assert_int_equal(adu.is_exception, adu.exception != 0);
        assert_int_equal(adu.length, atoi(tv_need(r, "length")));
        uint8_t data[260];
        int n = tv_hex(tv_need(r, "data"), data, sizeof data);
        assert_int_equal(n, adu.length);
        assert_memory_equal(adu.data, data, (size_t)n);
        /* The sniffing direction accepts it too; re-encoding gives the bytes. */
        prepay_modbus_adu_t any;
        assert_int_equal(prepay_modbus_decode(bytes, (size_t)len, PREPAY_MODBUS_ANY, &any), PREPAY_OK);
        uint8_t out[300];
        assert_int_equal(prepay_modbus_encode(&adu, out, sizeof out), len);
        assert_memory_equal(out, bytes, (size_t)len);
        /* The first bytes announce the length; one byte less is refused. */
        assert_int_equal(prepay_modbus_expected_length(bytes, (size_t)len, dir), len);
        assert_true(prepay_modbus_decode(bytes, (size_t)len - 1, dir, &any) < 0);
        /* A flipped bit anywhere is a CRC error. */
        for (int k = 0; k < len; k++) {
            bytes[k] ^= 0x10;
            assert_int_equal(prepay_modbus_decode(bytes, (size_t)len, PREPAY_MODBUS_ANY, &any), PREPAY_E_MODBUS_BAD_CRC);
            bytes[k] ^= 0x10;
        }
        const char *request_name = tv_get(r, "request");
        if (!request_name) {
            continue;
        }
        pairs++;
        prepay_modbus_adu_t request;
        decode_record(find(request_name), PREPAY_MODBUS_REQUEST, &request);
        const char *match = tv_need(r, "match");
        rc = prepay_modbus_match(&request, &adu);
        if (strcmp(match, "ok") == 0) {
            assert_int_equal(rc, PREPAY_OK);
        } else {
            assert_string_equal(match, "not_a_match");
            assert_int_equal(rc, PREPAY_E_MODBUS_NOT_A_MATCH);
        }
        const char *registers = tv_get(r, "registers");
        if (registers) {
            uint16_t values[125];
            int count = prepay_modbus_response_registers(&request, &adu, values, 125);
            char copy[1024];
            snprintf(copy, sizeof copy, "%s", registers);
            int k = 0;
            for (char *p = strtok(copy, " "); p; p = strtok(NULL, " ")) {
                assert_int_equal(values[k], hex_number(p));
                k++;
            }
            assert_int_equal(count, k);
            /* Too small a buffer is refused. */
            assert_int_equal(prepay_modbus_response_registers(&request, &adu, values, (size_t)k - 1),
                             PREPAY_E_BUFFER_TOO_SMALL);
        }
        const char *bits = tv_get(r, "bits");
        if (bits) {
            uint8_t want[250], got[250];
            int nb = tv_hex(bits, want, sizeof want);
            int count = prepay_modbus_response_bits(&request, &adu, got, sizeof got);
            assert_int_equal(count, (int)((request.data[2] << 8) | request.data[3]));
            assert_memory_equal(got, want, (size_t)nb);
        }
    }
    assert_int_equal(valid, 28);
    assert_int_equal(invalid, 1);
    assert_int_equal(pairs, 13);

    /* The published exception answers a read of coils at unit 0AH. */
    prepay_modbus_adu_t request, exception;
    assert_int_equal(prepay_modbus_request_read(&request, 0x0A, PREPAY_MODBUS_FN_READ_COILS, 0, 8), PREPAY_OK);
    decode_record(find("spec_exception_illegal_address"), PREPAY_MODBUS_RESPONSE, &exception);
    assert_int_equal(prepay_modbus_match(&request, &exception), PREPAY_E_MODBUS_EXCEPTION);
    assert_int_equal(exception.exception, PREPAY_MODBUS_EX_ILLEGAL_ADDRESS);
    /* ... and is no answer to a read of holding registers. */
    assert_int_equal(prepay_modbus_request_read(&request, 0x0A, PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0, 8),
                     PREPAY_OK);
    assert_int_equal(prepay_modbus_match(&request, &exception), PREPAY_E_MODBUS_NOT_A_MATCH);
    /* The builders reproduce the published requests byte for byte. */
    uint8_t out[64];
    assert_int_equal(prepay_modbus_request_read(&request, 0x11, PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0x006B, 3),
                     PREPAY_OK);
    const uint8_t spec03[8] = {0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87};
    assert_int_equal(prepay_modbus_encode(&request, out, sizeof out), 8);
    assert_memory_equal(out, spec03, 8);
    assert_int_equal(prepay_modbus_request_write_coil(&request, 0x11, 0x00AC, true), PREPAY_OK);
    const uint8_t spec05[8] = {0x11, 0x05, 0x00, 0xAC, 0xFF, 0x00, 0x4E, 0x8B};
    assert_int_equal(prepay_modbus_encode(&request, out, sizeof out), 8);
    assert_memory_equal(out, spec05, 8);
    const uint8_t coils[2] = {0xCD, 0x01};
    assert_int_equal(prepay_modbus_request_write_coils(&request, 0x11, 0x0013, coils, 10), PREPAY_OK);
    const uint8_t spec0f[11] = {0x11, 0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01, 0xBF, 0x0B};
    assert_int_equal(prepay_modbus_encode(&request, out, sizeof out), 11);
    assert_memory_equal(out, spec0f, 11);
    const uint16_t address_value[1] = {0x0002};
    assert_int_equal(prepay_modbus_request_write_registers(&request, 0x01, 0x0000, address_value, 1), PREPAY_OK);
    const uint8_t scale10[11] = {0x01, 0x10, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x02, 0x27, 0x91};
    assert_int_equal(prepay_modbus_encode(&request, out, sizeof out), 11);
    assert_memory_equal(out, scale10, 11);
}

static prepay_modbus_word_order_t order_of(const char *text)
{
    if (strcmp(text, "ABCD") == 0) {
        return PREPAY_MODBUS_ORDER_ABCD;
    }
    if (strcmp(text, "CDAB") == 0) {
        return PREPAY_MODBUS_ORDER_CDAB;
    }
    if (strcmp(text, "BADC") == 0) {
        return PREPAY_MODBUS_ORDER_BADC;
    }
    assert_string_equal(text, "DCBA");
    return PREPAY_MODBUS_ORDER_DCBA;
}

static void test_floats(void **state)
{
    (void)state;
    static const char *const rule_keys[3] = {"exact", "decimal", "round"};
    int seen = 0;
    for (size_t i = 0; i < vectors.count; i++) {
        const tv_record_t *r = &vectors.records[i];
        if (strcmp(r->kind, "float") != 0) {
            continue;
        }
        seen++;
        const char *name = tv_need(r, "name");
        uint8_t wire[4];
        assert_int_equal(tv_hex(tv_need(r, "wire"), wire, 4), 4);
        const uint16_t words[2] = {(uint16_t)(wire[0] << 8 | wire[1]), (uint16_t)(wire[2] << 8 | wire[3])};
        uint32_t bits = (uint32_t)strtoul(tv_need(r, "bits"), NULL, 16);
        int exponent = atoi(tv_need(r, "exponent"));
        for (int rule = 0; rule < 3; rule++) {
            const char *want = tv_need(r, rule_keys[rule]);
            int64_t v = -77;
            int rc = prepay_modbus_float_to_fixed(bits, exponent, (prepay_modbus_rule_t)rule, &v);
            prepay_modbus_register_t reg = {"x", 0, 3, PREPAY_MODBUS_TYPE_FLOAT32, (uint8_t)order_of(tv_need(r, "order")),
                                            (int8_t)exponent, PREPAY_MODBUS_UNIT_LITRE, (uint8_t)rule, false};
            int64_t via_register = -77;
            int rc2 = prepay_modbus_value_decode(&reg, words, 2, &via_register);
            if (strcmp(want, "inexact") == 0) {
                if (rc != PREPAY_E_MODBUS_INEXACT || rc2 != PREPAY_E_MODBUS_INEXACT) {
                    fail_msg("%s %s: got %lld (%s)", name, rule_keys[rule], (long long)v, prepay_strerror(rc));
                }
                assert_int_equal(v, -77);
                assert_int_equal(via_register, -77);
            } else {
                if (rc != PREPAY_OK || v != strtoll(want, NULL, 10)) {
                    fail_msg("%s %s: got %lld (%s), want %s", name, rule_keys[rule], (long long)v,
                             prepay_strerror(rc), want);
                }
                assert_int_equal(rc2, PREPAY_OK);
                assert_int_equal(via_register, v);
            }
        }
        const char *encode = tv_get(r, "encode");
        if (encode && strcmp(encode, "yes") == 0) {
            int64_t decimal = strtoll(tv_need(r, "decimal"), NULL, 10);
            uint32_t back = 0;
            assert_int_equal(prepay_modbus_fixed_to_float(decimal, exponent, &back), PREPAY_OK);
            assert_int_equal(back, bits);
            prepay_modbus_register_t reg = {"x", 0, 3, PREPAY_MODBUS_TYPE_FLOAT32, (uint8_t)order_of(tv_need(r, "order")),
                                            (int8_t)exponent, PREPAY_MODBUS_UNIT_LITRE, PREPAY_MODBUS_RULE_DECIMAL, true};
            uint16_t w[2];
            assert_int_equal(prepay_modbus_value_encode(&reg, decimal, w, 2), 2);
            assert_int_equal(w[0], words[0]);
            assert_int_equal(w[1], words[1]);
        }
    }
    assert_int_equal(seen, 13);
}

static int load(void **state)
{
    (void)state;
    tv_load("modbus_frames.txt", &vectors);
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
        cmocka_unit_test(test_crc),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_floats),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
