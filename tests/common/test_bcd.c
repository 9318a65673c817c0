/* SPDX-License-Identifier: MIT */
/* Tests for bcd.h. Expected bytes worked by hand from DL/T 645-2007 appendix A
 * formats (e.g. 00010000 energy XXXXXX.XX: 1234.56 kWh = 123456 -> 56 34 12 00). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "prepay/bcd.h"
#include "prepay/status.h"

static void test_bytes(void **state)
{
    (void)state;
    uint8_t v = 0;
    assert_int_equal(prepay_bcd_decode_byte(0x99, &v), PREPAY_OK);
    assert_int_equal(v, 99);
    assert_int_equal(prepay_bcd_decode_byte(0x1A, &v), PREPAY_E_BAD_BCD);
    assert_int_equal(prepay_bcd_decode_byte(0xA1, &v), PREPAY_E_BAD_BCD);
    assert_int_equal(v, 99);
    uint8_t b = 0;
    assert_int_equal(prepay_bcd_encode_byte(47, &b), PREPAY_OK);
    assert_int_equal(b, 0x47);
    assert_int_equal(prepay_bcd_encode_byte(100, &b), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_bcd_decode_byte(0x12, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_bcd_encode_byte(1, NULL), PREPAY_E_INVALID_ARGUMENT);
}

static void test_unsigned(void **state)
{
    (void)state;
    const uint8_t energy[4] = {0x56, 0x34, 0x12, 0x00}; /* 1234.56 kWh */
    uint64_t v = 0;
    assert_int_equal(prepay_bcd_decode(energy, 4, &v), PREPAY_OK);
    assert_int_equal(v, 123456u);
    uint8_t out[9] = {0};
    assert_int_equal(prepay_bcd_encode(123456u, out, 4), PREPAY_OK);
    assert_memory_equal(out, energy, 4);
    assert_int_equal(prepay_bcd_encode(100000000u, out, 4), PREPAY_E_OUT_OF_RANGE); /* 9 digits in 8 */
    assert_int_equal(prepay_bcd_encode(99999999u, out, 4), PREPAY_OK);
    const uint8_t all_nines[9] = {0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99, 0x99};
    assert_int_equal(prepay_bcd_decode(all_nines, 9, &v), PREPAY_OK);
    assert_true(v == 999999999999999999ull);
    const uint8_t absent[4] = {0xFF, 0xFF, 0xFF, 0xFF}; /* "absent item" bytes are not BCD */
    assert_int_equal(prepay_bcd_decode(absent, 4, &v), PREPAY_E_BAD_BCD);
    assert_int_equal(prepay_bcd_decode(energy, 0, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_bcd_decode(energy, 10, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_bcd_encode(1, out, 10), PREPAY_E_INVALID_ARGUMENT);
}

static void test_signed(void **state)
{
    (void)state;
    /* Current XXX.XXX A, 3 bytes: -1.234 A = 001234 with sign -> 34 12 80. */
    const uint8_t minus_current[3] = {0x34, 0x12, 0x80};
    int64_t v = 0;
    assert_int_equal(prepay_bcd_decode_signed(minus_current, 3, &v), PREPAY_OK);
    assert_int_equal(v, -1234);
    uint8_t out[3];
    assert_int_equal(prepay_bcd_encode_signed(-1234, out, 3), PREPAY_OK);
    assert_memory_equal(out, minus_current, 3);
    /* Power factor X.XXX, 2 bytes: 0.987 -> 87 09. */
    const uint8_t pf[2] = {0x87, 0x09};
    assert_int_equal(prepay_bcd_decode_signed(pf, 2, &v), PREPAY_OK);
    assert_int_equal(v, 987);
    /* Top digit is at most 7 with the sign bit: 8000 does not fit 2 bytes. */
    assert_int_equal(prepay_bcd_encode_signed(8000, out, 2), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_bcd_encode_signed(7999, out, 2), PREPAY_OK);
    assert_int_equal(prepay_bcd_encode_signed(-7999, out, 2), PREPAY_OK);
    assert_int_equal(out[1], 0xF9);
    const uint8_t minus_zero[2] = {0x00, 0x80};
    assert_int_equal(prepay_bcd_decode_signed(minus_zero, 2, &v), PREPAY_OK);
    assert_int_equal(v, 0);
    const uint8_t bad[2] = {0x0A, 0x00};
    assert_int_equal(prepay_bcd_decode_signed(bad, 2, &v), PREPAY_E_BAD_BCD);
    assert_int_equal(prepay_bcd_decode_signed(bad, 0, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_bcd_encode_signed(1, out, 0), PREPAY_E_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_unsigned),
        cmocka_unit_test(test_signed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
