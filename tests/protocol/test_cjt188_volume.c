/* SPDX-License-Identifier: MIT */
/*
 * prepay_cjt188_volume_read(), the one-call 901F reader, on generated replies:
 * m³ and L volumes worked by hand, the preamble counted in the bytes consumed,
 * every refusal distinct and leaving the output untouched (an abnormal reply
 * writes only its ST), the heat layout through the general path, and random
 * replies against the three calls it stands for (decode, reply_current,
 * quantity_litres). The published 901F frames are checked in
 * test_cjt188_vectors.c; fuzz/cjt188_frame_fuzzer.c compares both paths on
 * every fuzzed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/cjt188.h"
#include "prepay/status.h"

static prepay_cjt188_target_t meter(uint8_t meter_type)
{
    prepay_cjt188_target_t t;
    t.meter_type = meter_type;
    assert_int_equal(prepay_cjt188_address_from_string("00202307160177", 14, &t.address), PREPAY_OK);
    t.di_order = PREPAY_CJT188_DI_LOW_FIRST;
    return t;
}

/* Wire bytes of the meter's reply to @p request with @p value (after DI + SER). */
static int reply_bytes(const prepay_cjt188_frame_t *request, const prepay_cjt188_target_t *self, const uint8_t *value,
                       size_t len, uint8_t preamble, uint8_t *out)
{
    prepay_cjt188_frame_t reply;
    assert_int_equal(prepay_cjt188_reply_build(&reply, request, self, value, len), PREPAY_OK);
    reply.preamble = preamble;
    int n = prepay_cjt188_encode(&reply, out, PREPAY_CJT188_FRAME_MAX + 8);
    assert_true(n > 0);
    return n;
}

/* 901F water data: current and settlement volume (4 BCD bytes + unit), clock, ST. */
static void water_value(uint8_t out[19], uint32_t current_bcd, uint8_t current_unit, uint32_t settlement_bcd,
                        uint8_t settlement_unit, uint16_t st)
{
    for (int i = 0; i < 4; i++) {
        out[i] = (uint8_t)(current_bcd >> (8 * i));
        out[5 + i] = (uint8_t)(settlement_bcd >> (8 * i));
    }
    out[4] = current_unit;
    out[9] = settlement_unit;
    /* 2024-02-29 23:59:58: ss mm hh DD MM YY YY */
    const uint8_t clock[7] = {0x58, 0x59, 0x23, 0x29, 0x02, 0x24, 0x20};
    memcpy(out + 10, clock, 7);
    out[17] = (uint8_t)st;
    out[18] = (uint8_t)(st >> 8);
}

static void test_volumes_by_hand(void **state)
{
    (void)state;
    prepay_cjt188_target_t t = meter(PREPAY_CJT188_TYPE_COLD_WATER);
    prepay_cjt188_frame_t request;
    assert_int_equal(prepay_cjt188_request_read(&request, &t, PREPAY_CJT188_DI_CURRENT, 7), PREPAY_OK);
    uint8_t value[19], wire[PREPAY_CJT188_FRAME_MAX + 8];
    prepay_cjt188_volume_t v;

    /* 12345.67 m³ = 12 345 670 L; settlement 100.00 m³ = 100 000 L; ST 0005: closed, battery low. */
    water_value(value, 0x01234567u, PREPAY_CJT188_UNIT_M3, 0x00010000u, PREPAY_CJT188_UNIT_M3, 0x0005);
    int n = reply_bytes(&request, &t, value, 19, 4, wire);
    assert_int_equal(n, 4 + 13 + 22);
    assert_int_equal(prepay_cjt188_volume_read(&request, wire, (size_t)n, &v), n); /* the FE bytes counted */
    assert_int_equal(v.litres, 12345670);
    assert_true(v.has_settlement);
    assert_int_equal(v.settlement_litres, 100000);
    assert_int_equal(v.status, 0x0005);
    assert_int_equal(prepay_cjt188_status_valve(v.status), PREPAY_CJT188_VALVE_STATE_CLOSED);
    assert_int_equal(v.clock_state, PREPAY_CJT188_CLOCK_VALID);
    /* 2024-02-29 is day 8825 from 2000-01-01 (24 years: 8766 days with 6 leap days, + 59 days of 2024). */
    assert_int_equal(v.clock, (prepay_time_t)8825 * 86400 + 23 * 3600 + 59 * 60 + 58);
    assert_int_equal(v.meter_type, PREPAY_CJT188_TYPE_COLD_WATER);

    /* In litres: 2000.00 L = 2000 L; the settlement 0.15 L is no whole litre: has_settlement false. */
    water_value(value, 0x00200000u, PREPAY_CJT188_UNIT_L, 0x00000015u, PREPAY_CJT188_UNIT_L, 0);
    n = reply_bytes(&request, &t, value, 19, 0, wire);
    assert_int_equal(prepay_cjt188_volume_read(&request, wire, (size_t)n, &v), n);
    assert_int_equal(v.litres, 2000);
    assert_false(v.has_settlement);
    assert_int_equal(v.settlement_litres, 0);

    /* A settlement field of FF bytes is absent; a current volume of 0.15 L is refused, nothing rounded. */
    water_value(value, 0x00001000u, PREPAY_CJT188_UNIT_M3, 0xFFFFFFFFu, PREPAY_CJT188_UNIT_M3, 0);
    n = reply_bytes(&request, &t, value, 19, 0, wire);
    assert_int_equal(prepay_cjt188_volume_read(&request, wire, (size_t)n, &v), n);
    assert_int_equal(v.litres, 10000); /* 10.00 m³ */
    assert_false(v.has_settlement);
    water_value(value, 0x00000015u, PREPAY_CJT188_UNIT_L, 0, PREPAY_CJT188_UNIT_L, 0);
    n = reply_bytes(&request, &t, value, 19, 0, wire);
    assert_int_equal(prepay_cjt188_volume_read(&request, wire, (size_t)n, &v), PREPAY_E_CJT188_INEXACT);

    /* A unit code the 2004 table does not have (00) goes the general path: a bad unit. */
    water_value(value, 0x00001000u, 0x00, 0, PREPAY_CJT188_UNIT_M3, 0);
    n = reply_bytes(&request, &t, value, 19, 0, wire);
    assert_int_equal(prepay_cjt188_volume_read(&request, wire, (size_t)n, &v), PREPAY_E_CJT188_BAD_UNIT);
}

static void test_refusals_change_nothing(void **state)
{
    (void)state;
    prepay_cjt188_target_t t = meter(PREPAY_CJT188_TYPE_COLD_WATER);
    prepay_cjt188_frame_t request, other;
    assert_int_equal(prepay_cjt188_request_read(&request, &t, PREPAY_CJT188_DI_CURRENT, 7), PREPAY_OK);
    uint8_t value[19], wire[PREPAY_CJT188_FRAME_MAX + 8];
    water_value(value, 0x00001000u, PREPAY_CJT188_UNIT_M3, 0, PREPAY_CJT188_UNIT_M3, 0);
    const int n = reply_bytes(&request, &t, value, 19, 0, wire);
    prepay_cjt188_volume_t v, sentinel;
    memset(&v, 0x5A, sizeof v);
    memcpy(&sentinel, &v, sizeof v);

    /* Frame errors: every strict prefix truncated, a bad checksum, a bad end byte. */
    for (int cut = 0; cut < n; cut++) {
        assert_int_equal(prepay_cjt188_volume_read(&request, wire, (size_t)cut, &v), PREPAY_E_CJT188_TRUNCATED);
    }
    wire[n - 2] ^= 1u;
    assert_int_equal(prepay_cjt188_volume_read(&request, wire, (size_t)n, &v), PREPAY_E_CJT188_BAD_CHECKSUM);
    wire[n - 2] ^= 1u;
    wire[n - 1] = 0x17;
    assert_int_equal(prepay_cjt188_volume_read(&request, wire, (size_t)n, &v), PREPAY_E_CJT188_BAD_END);
    wire[n - 1] = 0x16;
    /* Matching: a reply to SER 8 (a late reply), from another meter, to another DI, or not a 901F request. */
    assert_int_equal(prepay_cjt188_request_read(&other, &t, PREPAY_CJT188_DI_CURRENT, 8), PREPAY_OK);
    assert_int_equal(prepay_cjt188_volume_read(&other, wire, (size_t)n, &v), PREPAY_E_CJT188_SER_MISMATCH);
    prepay_cjt188_target_t elsewhere = t;
    elsewhere.address.bytes[0] ^= 0x01;
    assert_int_equal(prepay_cjt188_request_read(&other, &elsewhere, PREPAY_CJT188_DI_CURRENT, 7), PREPAY_OK);
    assert_int_equal(prepay_cjt188_volume_read(&other, wire, (size_t)n, &v), PREPAY_E_CJT188_ADDRESS_MISMATCH);
    prepay_cjt188_target_t heat = meter(0x20);
    assert_int_equal(prepay_cjt188_request_read(&other, &heat, PREPAY_CJT188_DI_CURRENT, 7), PREPAY_OK);
    assert_int_equal(prepay_cjt188_volume_read(&other, wire, (size_t)n, &v), PREPAY_E_CJT188_ADDRESS_MISMATCH);
    assert_int_equal(prepay_cjt188_request_read(&other, &t, PREPAY_CJT188_DI_PURSE, 7), PREPAY_OK);
    assert_int_equal(prepay_cjt188_volume_read(&other, wire, (size_t)n, &v), PREPAY_E_CJT188_BAD_REQUEST);
    assert_int_equal(prepay_cjt188_volume_read(NULL, wire, (size_t)n, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_cjt188_volume_read(&request, NULL, (size_t)n, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_cjt188_volume_read(&request, wire, (size_t)n, NULL), PREPAY_E_INVALID_ARGUMENT);
    /* A bad BCD digit in the settlement volume. */
    uint8_t bad[PREPAY_CJT188_FRAME_MAX + 8];
    value[5] = 0x1A;
    int m = reply_bytes(&request, &t, value, 19, 0, bad);
    assert_int_equal(prepay_cjt188_volume_read(&request, bad, (size_t)m, &v), PREPAY_E_CJT188_BAD_VALUE);
    /* A wildcard request takes the one meter's reply (type of the same family). */
    prepay_cjt188_target_t any = {PREPAY_CJT188_WILDCARD_BYTE, prepay_cjt188_address_wildcard(),
                                  PREPAY_CJT188_DI_LOW_FIRST};
    assert_int_equal(prepay_cjt188_request_read(&other, &any, PREPAY_CJT188_DI_CURRENT, 7), PREPAY_OK);
    assert_memory_equal(&v, &sentinel, sizeof v); /* every refusal above left the output alone */
    assert_int_equal(prepay_cjt188_volume_read(&other, wire, (size_t)n, &v), n);
    assert_int_equal(v.litres, 10000);

    /* An abnormal reply: ABNORMAL, its ST in the output and nothing else. */
    prepay_cjt188_frame_t abnormal;
    assert_int_equal(prepay_cjt188_reply_build_abnormal(&abnormal, &request, &t, 0x0041), PREPAY_OK);
    m = prepay_cjt188_encode(&abnormal, bad, sizeof bad);
    assert_true(m > 0);
    memset(&v, 0x5A, sizeof v);
    assert_int_equal(prepay_cjt188_volume_read(&request, bad, (size_t)m, &v), PREPAY_E_CJT188_ABNORMAL);
    assert_int_equal(v.status, 0x0041);
    assert_int_equal(v.litres, 0);
    assert_int_equal(v.meter_type, PREPAY_CJT188_TYPE_COLD_WATER);
}

static uint32_t rng_state = 2024u;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Random 901F replies (water and heat layouts, random digits and units,
 * both DI orders): the one call and the three calls agree on everything. */
static void test_agrees_with_three_calls(void **state)
{
    (void)state;
    static const uint8_t units[] = {PREPAY_CJT188_UNIT_M3, PREPAY_CJT188_UNIT_L, PREPAY_CJT188_UNIT_KWH, 0x00, 0x2C};
    int ok = 0;
    for (int i = 0; i < 20000; i++) {
        const bool heat = rng() % 4 == 0;
        prepay_cjt188_target_t t = meter(heat ? 0x20 : PREPAY_CJT188_TYPE_COLD_WATER);
        t.di_order = rng() % 2 ? PREPAY_CJT188_DI_LOW_FIRST : PREPAY_CJT188_DI_HIGH_FIRST;
        prepay_cjt188_frame_t request, frame;
        assert_int_equal(prepay_cjt188_request_read(&request, &t, PREPAY_CJT188_DI_CURRENT, (uint8_t)rng()),
                         PREPAY_OK);
        uint8_t value[43];
        const size_t len = heat ? 43 : 19;
        for (size_t k = 0; k < len; k++) {
            uint32_t r = rng();
            value[k] = r % 16 == 0 ? (uint8_t)r : (uint8_t)((r % 10) << 4 | (r >> 4) % 10); /* mostly BCD */
        }
        const size_t unit_at[] = {4, 9, 14, 19, 24};
        for (size_t k = 0; k < (heat ? 5u : 2u); k++) {
            value[unit_at[k]] = units[rng() % sizeof units];
        }
        if (rng() % 8 == 0) {
            memset(value, 0xFF, 4); /* an absent volume */
        }
        uint8_t wire[PREPAY_CJT188_FRAME_MAX + 8];
        const int n = reply_bytes(&request, &t, value, len, (uint8_t)(rng() % 3), wire);
        int slow = prepay_cjt188_decode(wire, (size_t)n, PREPAY_CJT188_DI_AUTO, &frame);
        assert_int_equal(slow, n);
        prepay_cjt188_current_t c;
        prepay_energy_t litres = 0;
        int rc = prepay_cjt188_reply_current(&request, &frame, &c);
        if (rc == PREPAY_OK) {
            rc = prepay_cjt188_quantity_litres(&c.reading, &litres);
        }
        prepay_cjt188_volume_t v;
        int fast = prepay_cjt188_volume_read(&request, wire, (size_t)n, &v);
        assert_int_equal(fast, rc == PREPAY_OK ? n : rc);
        if (rc == PREPAY_OK) {
            ok++;
            assert_int_equal(v.litres, litres);
            assert_int_equal(v.clock_state, c.clock_state);
            assert_int_equal(v.clock, c.clock);
            assert_int_equal(v.status, c.status);
            prepay_energy_t s = 0;
            bool has = !heat && prepay_cjt188_quantity_litres(&c.settlement, &s) == PREPAY_OK;
            assert_int_equal(v.has_settlement, has);
            assert_int_equal(v.settlement_litres, s);
        }
    }
    assert_true(ok > 2000); /* enough replies got through to compare values */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volumes_by_hand),
        cmocka_unit_test(test_refusals_change_nothing),
        cmocka_unit_test(test_agrees_with_three_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
