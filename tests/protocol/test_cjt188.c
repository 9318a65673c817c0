/* SPDX-License-Identifier: MIT */
/*
 * CJ/T 188 codec on generated frames: every request builder through the wire
 * and the meter-side parser and back through the reply parsers (both DI
 * orders); abnormal replies; the reply matcher's distinct refusals; the
 * purchase-serial rule (idempotency keyed on the purchase serial, not SER);
 * exact unit conversions; the clock; the stream parser under every chunk size
 * with garbage and false starts; random frames round-tripping; hostile bytes.
 * Expected values are worked by hand in the comments beside them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/civil_time.h"
#include "prepay/cjt188.h"
#include "prepay/status.h"

static uint32_t rng_state = 12345u;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static prepay_cjt188_target_t meter(prepay_cjt188_di_order_t order)
{
    prepay_cjt188_target_t t;
    t.meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
    assert_int_equal(prepay_cjt188_address_from_string("00202307160177", 14, &t.address), PREPAY_OK);
    t.di_order = order;
    return t;
}

/* Encodes a frame and decodes the wire bytes with @p order. */
static void through_wire(const prepay_cjt188_frame_t *in, prepay_cjt188_di_order_t order, prepay_cjt188_frame_t *out)
{
    uint8_t bytes[PREPAY_CJT188_FRAME_MAX];
    int n = prepay_cjt188_encode(in, bytes, sizeof bytes);
    assert_true(n > 0);
    assert_int_equal(prepay_cjt188_decode(bytes, (size_t)n, order, out), n);
}

static void same_table(const prepay_cjt188_price_table_t *a, const prepay_cjt188_price_table_t *b)
{
    for (int i = 0; i < 3; i++) {
        assert_int_equal(a->price[i], b->price[i]);
    }
    assert_int_equal(a->step_litres[0], b->step_litres[0]);
    assert_int_equal(a->step_litres[1], b->step_litres[1]);
    assert_int_equal(a->start_day, b->start_day);
}

static void same_purse(const prepay_cjt188_purse_t *a, const prepay_cjt188_purse_t *b)
{
    assert_int_equal(a->purchase_serial, b->purchase_serial);
    assert_int_equal(a->last_fen, b->last_fen);
    assert_int_equal(a->total_fen, b->total_fen);
    assert_int_equal(a->remaining_fen, b->remaining_fen);
    assert_int_equal(a->status, b->status);
}

static void test_address_text(void **state)
{
    (void)state;
    prepay_cjt188_address_t a;
    /* "00202307160177" -> A0..A6 = 77 01 16 07 23 20 00 */
    assert_int_equal(prepay_cjt188_address_from_string("00202307160177", 14, &a), PREPAY_OK);
    const uint8_t wire[7] = {0x77, 0x01, 0x16, 0x07, 0x23, 0x20, 0x00};
    assert_memory_equal(a.bytes, wire, 7);
    char text[15];
    assert_int_equal(prepay_cjt188_address_to_string(&a, text, sizeof text), 14);
    assert_string_equal(text, "00202307160177");
    assert_int_equal(prepay_cjt188_address_to_string(&a, text, 14), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_cjt188_address_from_string("0020230716017", 13, &a), PREPAY_E_CJT188_BAD_ADDRESS);
    assert_int_equal(prepay_cjt188_address_from_string("0020230716017A", 14, &a), PREPAY_E_CJT188_BAD_ADDRESS);
    assert_int_equal(prepay_cjt188_address_from_string("aaAAAAAAAAAAAA", 14, &a), PREPAY_OK);
    prepay_cjt188_address_t w = prepay_cjt188_address_wildcard();
    assert_memory_equal(a.bytes, w.bytes, 7);
    prepay_cjt188_address_t m;
    assert_int_equal(prepay_cjt188_address_from_string("00202307160177", 14, &m), PREPAY_OK);
    assert_true(prepay_cjt188_address_matches(&w, &m));
    assert_true(prepay_cjt188_address_matches(&m, &m));
    assert_false(prepay_cjt188_address_matches(&m, &w));
    assert_int_equal(prepay_cjt188_meter_family(0x10), PREPAY_CJT188_FAMILY_WATER);
    assert_int_equal(prepay_cjt188_meter_family(0x19), PREPAY_CJT188_FAMILY_WATER);
    assert_int_equal(prepay_cjt188_meter_family(0x1A), PREPAY_CJT188_FAMILY_UNKNOWN);
    assert_int_equal(prepay_cjt188_meter_family(0x25), PREPAY_CJT188_FAMILY_HEAT);
    assert_int_equal(prepay_cjt188_meter_family(0x30), PREPAY_CJT188_FAMILY_GAS);
    assert_int_equal(prepay_cjt188_meter_family(0x40), PREPAY_CJT188_FAMILY_CUSTOM);
    assert_int_equal(prepay_cjt188_meter_family(0xAA), PREPAY_CJT188_FAMILY_ANY);
    assert_int_equal(prepay_cjt188_meter_family(0x50), PREPAY_CJT188_FAMILY_UNKNOWN);
}

/* A read of 901F: request bytes worked by hand, then the whole exchange. */
static void test_read_current_exchange(void **state)
{
    (void)state;
    for (int o = PREPAY_CJT188_DI_HIGH_FIRST; o <= PREPAY_CJT188_DI_LOW_FIRST; o++) {
        prepay_cjt188_target_t t = meter((prepay_cjt188_di_order_t)o);
        prepay_cjt188_frame_t req, on_meter, reply, at_station;
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_CURRENT, 0x07), PREPAY_OK);
        req.preamble = 2;
        uint8_t bytes[64];
        int n = prepay_cjt188_encode(&req, bytes, sizeof bytes);
        /* FE FE 68 10 77 01 16 07 23 20 00 01 03 DI DI 07 CS 16:
         * CS = 68+10+77+01+16+07+23+20+00+01+03+90+1F+07 = 020A -> 0A (either DI order). */
        assert_int_equal(n, 18);
        const uint8_t want_high[18] = {0xFE, 0xFE, 0x68, 0x10, 0x77, 0x01, 0x16, 0x07, 0x23,
                                       0x20, 0x00, 0x01, 0x03, 0x90, 0x1F, 0x07, 0x0A, 0x16};
        uint8_t want[18];
        memcpy(want, want_high, 18);
        if (o == PREPAY_CJT188_DI_LOW_FIRST) {
            want[13] = 0x1F;
            want[14] = 0x90;
        }
        assert_memory_equal(bytes, want, 18);
        /* The meter decodes it with AUTO and parses the command. */
        assert_int_equal(prepay_cjt188_decode(bytes, (size_t)n, PREPAY_CJT188_DI_AUTO, &on_meter), n);
        assert_int_equal(on_meter.di_order, o);
        prepay_cjt188_command_t c;
        assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
        assert_int_equal(c.kind, PREPAY_CJT188_COMMAND_READ);
        assert_int_equal(c.di, PREPAY_CJT188_DI_CURRENT);
        assert_int_equal(c.ser, 0x07);
        /* It answers 123.45 m³, settlement 100.00 m³, 2024-02-29 23:59:58, valve closed + battery low. */
        prepay_cjt188_current_t cur;
        memset(&cur, 0, sizeof cur);
        cur.family = PREPAY_CJT188_FAMILY_WATER;
        cur.reading = (prepay_cjt188_quantity_t){true, 12345, 2, PREPAY_CJT188_UNIT_M3};
        cur.settlement = (prepay_cjt188_quantity_t){true, 10000, 2, PREPAY_CJT188_UNIT_M3};
        prepay_civil_t when = {2024, 2, 29, 23, 59, 58, 0};
        assert_int_equal(prepay_time_from_civil(&when, &cur.clock), PREPAY_OK);
        cur.clock_state = PREPAY_CJT188_CLOCK_VALID;
        cur.status = 0x0005; /* 01 closed | 04 battery low */
        uint8_t value[64];
        int len = prepay_cjt188_current_encode(&cur, value, sizeof value);
        assert_int_equal(len, 19);
        /* 45 23 01 00 2C | 00 00 01 00 2C | 58 59 23 29 02 24 20 | 05 00 */
        const uint8_t want_value[19] = {0x45, 0x23, 0x01, 0x00, 0x2C, 0x00, 0x00, 0x01, 0x00, 0x2C,
                                        0x58, 0x59, 0x23, 0x29, 0x02, 0x24, 0x20, 0x05, 0x00};
        assert_memory_equal(value, want_value, 19);
        assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, value, (size_t)len), PREPAY_OK);
        assert_int_equal(reply.control, 0x81);
        through_wire(&reply, PREPAY_CJT188_DI_AUTO, &at_station);
        prepay_cjt188_current_t got;
        assert_int_equal(prepay_cjt188_reply_current(&req, &at_station, &got), PREPAY_OK);
        prepay_energy_t litres;
        assert_int_equal(prepay_cjt188_quantity_litres(&got.reading, &litres), PREPAY_OK);
        assert_int_equal(litres, 123450); /* 123.45 m³ */
        assert_int_equal(prepay_cjt188_quantity_litres(&got.settlement, &litres), PREPAY_OK);
        assert_int_equal(litres, 100000);
        assert_int_equal(got.clock, cur.clock);
        assert_int_equal(prepay_cjt188_status_valve(got.status), PREPAY_CJT188_VALVE_STATE_CLOSED);
        assert_true(prepay_cjt188_status_battery_low(got.status));
    }
}

/* Write commands: builder -> wire -> meter parser -> reply -> station parser. */
static void test_write_exchanges(void **state)
{
    (void)state;
    for (int o = PREPAY_CJT188_DI_HIGH_FIRST; o <= PREPAY_CJT188_DI_LOW_FIRST; o++) {
        prepay_cjt188_target_t t = meter((prepay_cjt188_di_order_t)o);
        prepay_cjt188_frame_t req, on_meter, reply, back;
        prepay_cjt188_command_t c;
        prepay_cjt188_write_ack_t ack;
        const uint8_t st[2] = {0x01, 0x00};

        /* A010: 3.45 / 4.14 / 6.90 yuan per m³, steps 180 and 260 m³, from the 1st. */
        prepay_cjt188_price_table_t table = {{345000000, 414000000, 690000000}, {180000, 260000}, 1};
        assert_int_equal(prepay_cjt188_request_write_price_table(&req, &t, 1, &table), PREPAY_OK);
        assert_int_equal(req.length, 0x13);
        /* price 1 = 000345 -> 45 03 00; step 1 = 000180 -> 80 01 00 */
        assert_int_equal(req.data[3], 0x45);
        assert_int_equal(req.data[4], 0x03);
        assert_int_equal(req.data[6], 0x80);
        assert_int_equal(req.data[7], 0x01);
        assert_int_equal(req.data[18], 0x01);
        through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
        assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
        assert_int_equal(c.kind, PREPAY_CJT188_COMMAND_PRICE_TABLE);
        same_table(&c.price_table, &table);
        assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, st, 2), PREPAY_OK);
        through_wire(&reply, PREPAY_CJT188_DI_AUTO, &back);
        assert_int_equal(prepay_cjt188_reply_write(&req, &back, &ack), PREPAY_OK);
        assert_true(ack.has_status);
        assert_int_equal(ack.status, 0x0001);
        /* A write reply without the ST an A010 reply carries is refused. */
        assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, NULL, 0), PREPAY_OK);
        assert_int_equal(prepay_cjt188_reply_write(&req, &reply, &ack), PREPAY_E_CJT188_BAD_DATA);

        /* A013 purchase: serial 7, 100.00 yuan = 10000 fen -> 00 00 01 00. */
        assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 2, 7, 10000), PREPAY_OK);
        const uint8_t purchase[5] = {0x07, 0x00, 0x00, 0x01, 0x00};
        assert_memory_equal(req.data + 3, purchase, 5);
        through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
        assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
        assert_int_equal(c.kind, PREPAY_CJT188_COMMAND_PURCHASE);
        assert_int_equal(c.purchase_serial, 7);
        assert_int_equal(c.amount_fen, 10000);
        assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, c.value, c.value_len), PREPAY_OK);
        through_wire(&reply, PREPAY_CJT188_DI_AUTO, &back);
        assert_int_equal(prepay_cjt188_reply_write(&req, &back, &ack), PREPAY_OK);
        assert_true(ack.has_purchase);
        assert_int_equal(ack.amount_fen, 10000);
        /* An echo of another amount is not an acknowledgement of this purchase. */
        uint8_t other[5] = {0x07, 0x00, 0x00, 0x02, 0x00};
        assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, other, 5), PREPAY_OK);
        assert_int_equal(prepay_cjt188_reply_write(&req, &reply, &ack), PREPAY_E_CJT188_BAD_DATA);

        /* A014 key, A015 time, A017 valve, A019 factory enable, A011/A012 days. */
        const uint8_t key[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        assert_int_equal(prepay_cjt188_request_write_key(&req, &t, 3, 0x02, key), PREPAY_OK);
        through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
        assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
        assert_int_equal(c.kind, PREPAY_CJT188_COMMAND_KEY);
        assert_int_equal(c.key_version, 2);
        assert_memory_equal(c.key, key, 8);
        uint8_t version = 0x02;
        assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, &version, 1), PREPAY_OK);
        assert_int_equal(prepay_cjt188_reply_write(&req, &reply, &ack), PREPAY_OK);
        assert_true(ack.has_key_version);

        prepay_civil_t now = {2025, 12, 31, 23, 59, 59, 0};
        prepay_time_t t_now;
        assert_int_equal(prepay_time_from_civil(&now, &t_now), PREPAY_OK);
        assert_int_equal(prepay_cjt188_request_write_time(&req, &t, 4, t_now), PREPAY_OK);
        /* 59 59 23 31 12 25 20 */
        const uint8_t clock[7] = {0x59, 0x59, 0x23, 0x31, 0x12, 0x25, 0x20};
        assert_memory_equal(req.data + 3, clock, 7);
        through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
        assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
        assert_int_equal(c.time, t_now);
        assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, NULL, 0), PREPAY_OK);
        assert_int_equal(prepay_cjt188_reply_write(&req, &reply, &ack), PREPAY_OK);
        assert_false(ack.has_status);

        for (int open = 0; open < 2; open++) {
            assert_int_equal(prepay_cjt188_request_valve(&req, &t, 5, open != 0), PREPAY_OK);
            assert_int_equal(req.data[3], open ? 0x55 : 0x99);
            through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
            assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
            assert_int_equal(c.valve_open, open != 0);
            const uint8_t valve_st[2] = {open ? 0x00 : 0x01, 0x00};
            assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, valve_st, 2), PREPAY_OK);
            through_wire(&reply, PREPAY_CJT188_DI_AUTO, &back);
            assert_int_equal(prepay_cjt188_reply_write(&req, &back, &ack), PREPAY_OK);
            assert_int_equal(prepay_cjt188_status_valve(ack.status),
                             open ? PREPAY_CJT188_VALVE_STATE_OPEN : PREPAY_CJT188_VALVE_STATE_CLOSED);
        }

        assert_int_equal(prepay_cjt188_request_factory_enable(&req, &t, 6), PREPAY_OK);
        through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
        assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
        assert_int_equal(c.kind, PREPAY_CJT188_COMMAND_FACTORY_ENABLE);

        assert_int_equal(prepay_cjt188_request_write_day(&req, &t, 7, PREPAY_CJT188_DI_WRITE_SETTLEMENT_DAY, 28),
                         PREPAY_OK);
        assert_int_equal(req.data[3], 0x28);
        through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
        assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
        assert_int_equal(c.kind, PREPAY_CJT188_COMMAND_SETTLEMENT_DAY);
        assert_int_equal(c.day, 28);

        /* A018 (function 15H) and A016 (function 16H). */
        prepay_cjt188_address_t fresh;
        assert_int_equal(prepay_cjt188_address_from_string("00000000000099", 14, &fresh), PREPAY_OK);
        assert_int_equal(prepay_cjt188_request_write_address(&req, &t, 8, &fresh), PREPAY_OK);
        assert_int_equal(req.control, 0x15);
        through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
        assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
        assert_memory_equal(c.new_address.bytes, fresh.bytes, 7);
        assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, NULL, 0), PREPAY_OK);
        assert_int_equal(reply.control, 0x95);
        assert_int_equal(prepay_cjt188_reply_write(&req, &reply, &ack), PREPAY_OK);

        prepay_cjt188_quantity_t base = {true, 123456, 2, PREPAY_CJT188_UNIT_M3}; /* 1234.56 m³ */
        assert_int_equal(prepay_cjt188_request_write_base(&req, &t, 9, &base), PREPAY_OK);
        through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
        assert_int_equal(prepay_cjt188_parse_request(&on_meter, &c), PREPAY_OK);
        prepay_energy_t litres;
        assert_int_equal(prepay_cjt188_quantity_litres(&c.base, &litres), PREPAY_OK);
        assert_int_equal(litres, 1234560);
        assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, st, 2), PREPAY_OK);
        assert_int_equal(reply.control, 0x96);
        assert_int_equal(prepay_cjt188_reply_write(&req, &reply, &ack), PREPAY_OK);
    }
}

static void test_reads_and_purse(void **state)
{
    (void)state;
    prepay_cjt188_target_t t = meter(PREPAY_CJT188_DI_LOW_FIRST);
    prepay_cjt188_frame_t req, on_meter, reply;
    /* 8105: serial 7, last 100.00, total 250.00, remaining 87.65 yuan, ST 0. */
    prepay_cjt188_purse_t purse = {7, 10000, 25000, 8765, 0};
    uint8_t value[15];
    assert_int_equal(prepay_cjt188_purse_encode(&purse, value), PREPAY_OK);
    const uint8_t want[15] = {0x07, 0x00, 0x00, 0x01, 0x00, 0x00, 0x50, 0x02, 0x00,
                              0x65, 0x87, 0x00, 0x00, 0x00, 0x00};
    assert_memory_equal(value, want, 15);
    assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_PURSE, 0x31), PREPAY_OK);
    through_wire(&req, PREPAY_CJT188_DI_AUTO, &on_meter);
    assert_int_equal(prepay_cjt188_reply_build(&reply, &on_meter, &t, value, 15), PREPAY_OK);
    assert_int_equal(reply.length, 0x12);
    prepay_cjt188_purse_t got;
    assert_int_equal(prepay_cjt188_reply_purse(&req, &reply, &got), PREPAY_OK);
    same_purse(&got, &purse);
    /* The purse parser on a 901F request is refused before the reply is read. */
    prepay_cjt188_frame_t other;
    assert_int_equal(prepay_cjt188_request_read(&other, &t, PREPAY_CJT188_DI_CURRENT, 0x31), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_purse(&other, &reply, &got), PREPAY_E_CJT188_BAD_REQUEST);

    /* 8102 price table, D120 history, 8103 day, 8106 key version, 810A address. */
    prepay_cjt188_price_table_t table = {{300000000, 400000000, 500000000}, {50000, 200000}, 0};
    assert_int_equal(prepay_cjt188_price_table_encode(&table, value), PREPAY_OK);
    assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_PRICE_TABLE, 1), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_build(&reply, &req, &t, value, 15), PREPAY_OK);
    prepay_cjt188_price_table_t tb;
    assert_int_equal(prepay_cjt188_reply_price_table(&req, &reply, &tb), PREPAY_OK);
    same_table(&tb, &table);

    const uint8_t history[5] = {0x00, 0x10, 0x00, 0x00, PREPAY_CJT188_UNIT_M3}; /* 10.00 m³ */
    assert_int_equal(prepay_cjt188_request_read(&req, &t, 0xD125, 2), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_build(&reply, &req, &t, history, 5), PREPAY_OK);
    prepay_cjt188_quantity_t q;
    assert_int_equal(prepay_cjt188_reply_history(&req, &reply, &q), PREPAY_OK);
    prepay_energy_t litres;
    assert_int_equal(prepay_cjt188_quantity_litres(&q, &litres), PREPAY_OK);
    assert_int_equal(litres, 10000);

    uint8_t day = 0x25, got_day = 0;
    assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_READING_DAY, 3), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_build(&reply, &req, &t, &day, 1), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_day(&req, &reply, &got_day), PREPAY_OK);
    assert_int_equal(got_day, 25);
    day = 0x32; /* 32: no such day */
    assert_int_equal(prepay_cjt188_reply_build(&reply, &req, &t, &day, 1), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_day(&req, &reply, &got_day), PREPAY_E_CJT188_BAD_VALUE);

    uint8_t version = 0x03, got_version = 0;
    assert_int_equal(prepay_cjt188_request_read_key_version(&req, &t, 4), PREPAY_OK);
    assert_int_equal(req.control, 0x09);
    assert_int_equal(prepay_cjt188_reply_build(&reply, &req, &t, &version, 1), PREPAY_OK);
    assert_int_equal(reply.control, 0x89);
    assert_int_equal(prepay_cjt188_reply_key_version(&req, &reply, &got_version), PREPAY_OK);
    assert_int_equal(got_version, 3);

    prepay_cjt188_target_t any = {0xAA, prepay_cjt188_address_wildcard(), PREPAY_CJT188_DI_HIGH_FIRST};
    assert_int_equal(prepay_cjt188_request_read_address(&req, &any, 5), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_build(&reply, &req, &t, NULL, 0), PREPAY_OK);
    prepay_cjt188_address_t a;
    uint8_t type;
    assert_int_equal(prepay_cjt188_reply_address(&req, &reply, &type, &a), PREPAY_OK);
    assert_int_equal(type, 0x10);
    assert_memory_equal(a.bytes, t.address.bytes, 7);
}

static void test_reply_matching(void **state)
{
    (void)state;
    prepay_cjt188_target_t t = meter(PREPAY_CJT188_DI_HIGH_FIRST);
    prepay_cjt188_frame_t req, reply;
    assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_PURSE, 0x10), PREPAY_OK);
    uint8_t value[15] = {0};
    /* Abnormal reply: C1H, L = 3, SER + ST, kept in the frame. */
    assert_int_equal(prepay_cjt188_reply_build_abnormal(&reply, &req, &t, 0x0203), PREPAY_OK);
    assert_int_equal(reply.control, 0xC1);
    prepay_cjt188_frame_t got;
    through_wire(&reply, PREPAY_CJT188_DI_AUTO, &got);
    assert_true(got.abnormal && got.has_status && got.has_ser && !got.has_di);
    assert_int_equal(got.status, 0x0203);
    prepay_cjt188_purse_t purse;
    memset(&purse, 0x77, sizeof purse);
    prepay_cjt188_purse_t untouched = purse;
    assert_int_equal(prepay_cjt188_reply_purse(&req, &got, &purse), PREPAY_E_CJT188_ABNORMAL);
    assert_memory_equal(&purse, &untouched, sizeof purse);
    assert_int_equal(got.status, 0x0203);

    assert_int_equal(prepay_cjt188_reply_build(&reply, &req, &t, value, 15), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_check(&req, &reply), PREPAY_OK);
    /* A late reply to an earlier request (another SER). */
    prepay_cjt188_frame_t late = reply;
    late.data[2] = 0x0F;
    late.ser = 0x0F;
    assert_int_equal(prepay_cjt188_reply_check(&req, &late), PREPAY_E_CJT188_SER_MISMATCH);
    /* Another DI, another meter, another family, a request, another function. */
    prepay_cjt188_frame_t wrong = reply;
    wrong.di = PREPAY_CJT188_DI_CURRENT;
    assert_int_equal(prepay_cjt188_reply_check(&req, &wrong), PREPAY_E_CJT188_DI_MISMATCH);
    wrong = reply;
    wrong.address.bytes[0] ^= 1;
    assert_int_equal(prepay_cjt188_reply_check(&req, &wrong), PREPAY_E_CJT188_ADDRESS_MISMATCH);
    wrong = reply;
    wrong.meter_type = PREPAY_CJT188_TYPE_GAS;
    assert_int_equal(prepay_cjt188_reply_check(&req, &wrong), PREPAY_E_CJT188_ADDRESS_MISMATCH);
    wrong.meter_type = PREPAY_CJT188_TYPE_HOT_WATER; /* same family */
    assert_int_equal(prepay_cjt188_reply_check(&req, &wrong), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_check(&req, &req), PREPAY_E_CJT188_UNEXPECTED_REPLY);
    assert_int_equal(prepay_cjt188_reply_check(&reply, &reply), PREPAY_E_CJT188_BAD_REQUEST);
    wrong = reply;
    wrong.function = PREPAY_CJT188_FN_WRITE;
    assert_int_equal(prepay_cjt188_reply_check(&req, &wrong), PREPAY_E_CJT188_UNEXPECTED_REPLY);
    /* A reply of the wrong length for its DI. */
    assert_int_equal(prepay_cjt188_reply_build(&reply, &req, &t, value, 14), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_purse(&req, &reply, &purse), PREPAY_E_CJT188_BAD_DATA);
    /* Bad BCD in the purse. */
    value[1] = 0x1A;
    assert_int_equal(prepay_cjt188_reply_build(&reply, &req, &t, value, 15), PREPAY_OK);
    assert_int_equal(prepay_cjt188_reply_purse(&req, &reply, &purse), PREPAY_E_CJT188_BAD_VALUE);
}

/* A meter crediting top-ups keyed on the purchase serial, as CJ/T 188 meters must. */
typedef struct toy_meter {
    bool has_last;
    uint8_t last_serial;
    prepay_money_t balance;
} toy_meter_t;

static int apply_purchase(toy_meter_t *m, const prepay_cjt188_frame_t *request)
{
    prepay_cjt188_command_t c;
    int rc = prepay_cjt188_parse_request(request, &c);
    if (rc != PREPAY_OK) {
        return rc;
    }
    rc = prepay_cjt188_purchase_check(m->has_last, m->last_serial, c.purchase_serial, false);
    if (rc == PREPAY_OK) {
        m->balance += c.amount_fen;
        m->has_last = true;
        m->last_serial = c.purchase_serial;
    }
    return rc;
}

static void test_purchase_idempotency(void **state)
{
    (void)state;
    prepay_cjt188_target_t t = meter(PREPAY_CJT188_DI_HIGH_FIRST);
    toy_meter_t m = {false, 0, 0};
    prepay_cjt188_frame_t req;
    /* First top-up, serial 1, SER 10: credited. */
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 10, 1, 5000), PREPAY_OK);
    assert_int_equal(apply_purchase(&m, &req), PREPAY_OK);
    assert_int_equal(m.balance, 5000);
    /* The station retries after a lost reply: same serial, new SER. Not credited again. */
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 11, 1, 5000), PREPAY_OK);
    assert_int_equal(apply_purchase(&m, &req), PREPAY_E_CJT188_PURCHASE_REPEAT);
    assert_int_equal(m.balance, 5000);
    /* A new top-up that happens to reuse SER 10 (SER wrapped): credited, serial 2. */
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 10, 2, 3000), PREPAY_OK);
    assert_int_equal(apply_purchase(&m, &req), PREPAY_OK);
    assert_int_equal(m.balance, 8000);
    /* A serial that skips one is out of sequence. */
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 12, 4, 3000), PREPAY_OK);
    assert_int_equal(apply_purchase(&m, &req), PREPAY_E_CJT188_PURCHASE_SEQUENCE);
    assert_int_equal(m.balance, 8000);
    /* Wrap: binary FF -> 00, BCD 99 -> 00. */
    assert_int_equal(prepay_cjt188_purchase_check(true, 0xFF, 0x00, false), PREPAY_OK);
    assert_int_equal(prepay_cjt188_purchase_check(true, 0x99, 0x00, true), PREPAY_OK);
    assert_int_equal(prepay_cjt188_purchase_check(true, 0x09, 0x10, true), PREPAY_OK);
    assert_int_equal(prepay_cjt188_purchase_check(true, 0x09, 0x0A, true), PREPAY_E_CJT188_BAD_VALUE);
    assert_int_equal(prepay_cjt188_purchase_check(true, 0x09, 0x0A, false), PREPAY_OK);
    assert_int_equal(prepay_cjt188_purchase_check(true, 0x42, 0x42, true), PREPAY_E_CJT188_PURCHASE_REPEAT);
    assert_int_equal(prepay_cjt188_purchase_check(false, 0x00, 0x42, false), PREPAY_OK);
}

static void test_quantities_and_clock(void **state)
{
    (void)state;
    prepay_cjt188_quantity_t q;
    int64_t v;
    /* 0.15 L: not a whole litre. */
    q = (prepay_cjt188_quantity_t){true, 15, 2, PREPAY_CJT188_UNIT_L};
    assert_int_equal(prepay_cjt188_quantity_litres(&q, &v), PREPAY_E_CJT188_INEXACT);
    q.value = 1500; /* 15.00 L */
    assert_int_equal(prepay_cjt188_quantity_litres(&q, &v), PREPAY_OK);
    assert_int_equal(v, 15);
    /* 12.34 kWh = 12340 Wh; 1.00 MWh x 100 = 100000000 Wh; 5.00 GJ = 5000000 kJ. */
    q = (prepay_cjt188_quantity_t){true, 1234, 2, PREPAY_CJT188_UNIT_KWH};
    assert_int_equal(prepay_cjt188_quantity_in(&q, PREPAY_CJT188_UNIT_WH, &v), PREPAY_OK);
    assert_int_equal(v, 12340);
    q = (prepay_cjt188_quantity_t){true, 100, 2, PREPAY_CJT188_UNIT_MWH_100};
    assert_int_equal(prepay_cjt188_quantity_in(&q, PREPAY_CJT188_UNIT_WH, &v), PREPAY_OK);
    assert_int_equal(v, 100000000);
    q = (prepay_cjt188_quantity_t){true, 500, 2, PREPAY_CJT188_UNIT_GJ};
    assert_int_equal(prepay_cjt188_quantity_in(&q, PREPAY_CJT188_UNIT_KJ, &v), PREPAY_OK);
    assert_int_equal(v, 5000000);
    /* GJ to Wh is not a power of ten: refused, not rounded. */
    assert_int_equal(prepay_cjt188_quantity_in(&q, PREPAY_CJT188_UNIT_WH, &v), PREPAY_E_CJT188_BAD_UNIT);
    assert_int_equal(prepay_cjt188_quantity_in(&q, 0x77, &v), PREPAY_E_CJT188_BAD_UNIT);
    /* m³/h to L/h: 1.2345 m³/h (flow, 4 decimals) = 1234.5 L/h -> inexact; 1.2340 -> 1234. */
    q = (prepay_cjt188_quantity_t){true, 12345, 4, PREPAY_CJT188_UNIT_M3_PER_H};
    assert_int_equal(prepay_cjt188_quantity_in(&q, PREPAY_CJT188_UNIT_L_PER_H, &v), PREPAY_E_CJT188_INEXACT);
    q.value = 12340;
    assert_int_equal(prepay_cjt188_quantity_in(&q, PREPAY_CJT188_UNIT_L_PER_H, &v), PREPAY_OK);
    assert_int_equal(v, 1234);
    /* Overflow is reported: 99999999.99 x 100 GJ in J. */
    q = (prepay_cjt188_quantity_t){true, 9999999999, 2, PREPAY_CJT188_UNIT_GJ_100};
    assert_int_equal(prepay_cjt188_quantity_in(&q, PREPAY_CJT188_UNIT_J, &v), PREPAY_E_OVERFLOW);
    /* Decoding: absent, bad BCD, bad unit leave the output untouched. */
    const uint8_t absent[5] = {0xFF, 0xFF, 0xFF, 0xFF, 0x2C};
    assert_int_equal(prepay_cjt188_quantity_decode(absent, 4, 2, true, &q), PREPAY_OK);
    assert_false(q.present);
    assert_int_equal(prepay_cjt188_quantity_litres(&q, &v), PREPAY_E_CJT188_ABSENT);
    prepay_cjt188_quantity_t keep = {true, 42, 1, 0x29};
    const uint8_t bad_bcd[5] = {0x0A, 0x00, 0x00, 0x00, 0x2C};
    q = keep;
    assert_int_equal(prepay_cjt188_quantity_decode(bad_bcd, 4, 2, true, &q), PREPAY_E_CJT188_BAD_VALUE);
    assert_memory_equal(&q, &keep, sizeof q);
    const uint8_t bad_unit[5] = {0x00, 0x00, 0x00, 0x00, 0x2D};
    assert_int_equal(prepay_cjt188_quantity_decode(bad_unit, 4, 2, true, &q), PREPAY_E_CJT188_BAD_UNIT);
    assert_memory_equal(&q, &keep, sizeof q);

    /* Clock: round trip of every day of 2000..2100 at 12:34:56, plus bad dates. */
    prepay_civil_t c = {2000, 1, 1, 12, 34, 56, 0};
    prepay_time_t t0, t1;
    assert_int_equal(prepay_time_from_civil(&c, &t0), PREPAY_OK);
    for (prepay_time_t t = t0; t < t0 + 36890LL * 86400; t += 86400 * 7 + 3601) {
        uint8_t b[7];
        assert_int_equal(prepay_cjt188_clock_encode(t, b), PREPAY_OK);
        assert_int_equal(prepay_cjt188_clock_decode(b, &t1), PREPAY_CJT188_CLOCK_VALID);
        assert_int_equal(t1, t);
    }
    const uint8_t feb30[7] = {0x00, 0x00, 0x00, 0x30, 0x02, 0x24, 0x20};
    const uint8_t hour24[7] = {0x00, 0x00, 0x24, 0x01, 0x01, 0x24, 0x20};
    const uint8_t nibble[7] = {0x0A, 0x00, 0x00, 0x01, 0x01, 0x24, 0x20};
    const uint8_t zeros[7] = {0};
    t1 = 99;
    assert_int_equal(prepay_cjt188_clock_decode(feb30, &t1), PREPAY_CJT188_CLOCK_INVALID);
    assert_int_equal(prepay_cjt188_clock_decode(hour24, &t1), PREPAY_CJT188_CLOCK_INVALID);
    assert_int_equal(prepay_cjt188_clock_decode(nibble, &t1), PREPAY_CJT188_CLOCK_INVALID);
    assert_int_equal(prepay_cjt188_clock_decode(zeros, &t1), PREPAY_CJT188_CLOCK_ABSENT);
    assert_int_equal(t1, 99);
}

static void test_builder_errors(void **state)
{
    (void)state;
    prepay_cjt188_target_t t = meter(PREPAY_CJT188_DI_HIGH_FIRST);
    prepay_cjt188_frame_t f, keep;
    memset(&f, 0x3C, sizeof f);
    keep = f;
    prepay_cjt188_target_t bad = t;
    bad.di_order = (prepay_cjt188_di_order_t)7;
    assert_int_equal(prepay_cjt188_request_read(&f, &bad, 0x901F, 0), PREPAY_E_CJT188_BAD_DI_ORDER);
    assert_int_equal(prepay_cjt188_request_purchase(&f, &t, 0, 1, 100000000), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_cjt188_request_purchase(&f, &t, 0, 1, -1), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_cjt188_request_write_day(&f, &t, 0, PREPAY_CJT188_DI_WRITE_READING_DAY, 32),
                     PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_cjt188_request_write_day(&f, &t, 0, PREPAY_CJT188_DI_WRITE_PURCHASE, 3),
                     PREPAY_E_INVALID_ARGUMENT);
    prepay_cjt188_price_table_t table = {{345000001, 0, 0}, {0, 0}, 1}; /* not whole fen */
    assert_int_equal(prepay_cjt188_request_write_price_table(&f, &t, 0, &table), PREPAY_E_CJT188_INEXACT);
    table.price[0] = 345000000;
    table.step_litres[0] = 1500; /* 1.5 m³: not a whole m³ */
    assert_int_equal(prepay_cjt188_request_write_price_table(&f, &t, 0, &table), PREPAY_E_CJT188_INEXACT);
    table.step_litres[0] = 1000000000; /* 10^6 m³: too many digits */
    assert_int_equal(prepay_cjt188_request_write_price_table(&f, &t, 0, &table), PREPAY_E_OUT_OF_RANGE);
    table.step_litres[0] = 0;
    table.start_day = 0;
    assert_int_equal(prepay_cjt188_request_write_price_table(&f, &t, 0, &table), PREPAY_E_OUT_OF_RANGE);
    prepay_cjt188_address_t wild = prepay_cjt188_address_wildcard();
    assert_int_equal(prepay_cjt188_request_write_address(&f, &t, 0, &wild), PREPAY_E_CJT188_BAD_ADDRESS);
    prepay_cjt188_quantity_t base = {true, 1, 3, PREPAY_CJT188_UNIT_M3};
    assert_int_equal(prepay_cjt188_request_write_base(&f, &t, 0, &base), PREPAY_E_INVALID_ARGUMENT);
    assert_memory_equal(&f, &keep, sizeof f);
    /* Meter-side refusals. */
    prepay_cjt188_frame_t req;
    prepay_cjt188_command_t c;
    uint8_t data[8] = {0xA0, 0x13, 0x00, 0x01, 0x00};
    assert_int_equal(prepay_cjt188_frame_init(&req, PREPAY_CJT188_DI_AUTO, 0x10, &t.address, 0x04, data, 5),
                     PREPAY_OK);
    assert_int_equal(prepay_cjt188_parse_request(&req, &c), PREPAY_E_CJT188_BAD_DATA); /* A013 needs 5 bytes */
    data[0] = 0xA0;
    data[1] = 0x18;
    assert_int_equal(prepay_cjt188_frame_init(&req, PREPAY_CJT188_DI_AUTO, 0x10, &t.address, 0x04, data, 3),
                     PREPAY_OK);
    assert_int_equal(prepay_cjt188_parse_request(&req, &c), PREPAY_E_CJT188_BAD_REQUEST); /* A018 goes with 15H */
    assert_int_equal(prepay_cjt188_frame_init(&req, PREPAY_CJT188_DI_AUTO, 0x10, &t.address, 0x03, data, 3),
                     PREPAY_OK);
    assert_int_equal(prepay_cjt188_parse_request(&req, &c), PREPAY_E_CJT188_BAD_REQUEST); /* 03 needs 810A */
    data[0] = 0x80;
    data[1] = 0xA5; /* a vendor write DI: passed through */
    assert_int_equal(prepay_cjt188_frame_init(&req, PREPAY_CJT188_DI_AUTO, 0x10, &t.address, 0x04, data, 5),
                     PREPAY_OK);
    assert_int_equal(prepay_cjt188_parse_request(&req, &c), PREPAY_OK);
    assert_int_equal(c.kind, PREPAY_CJT188_COMMAND_OTHER_WRITE);
    assert_int_equal(c.value_len, 2);
    /* frame_init refuses L inconsistent with C. */
    assert_int_equal(prepay_cjt188_frame_init(&req, PREPAY_CJT188_DI_AUTO, 0x10, &t.address, 0x01, data, 2),
                     PREPAY_E_CJT188_BAD_LENGTH);
    assert_int_equal(prepay_cjt188_frame_init(&req, PREPAY_CJT188_DI_AUTO, 0x10, &t.address, 0xC1, data, 4),
                     PREPAY_E_CJT188_BAD_LENGTH);
    /* Vendor functions (20H..3FH) carry opaque data. */
    assert_int_equal(prepay_cjt188_frame_init(&req, PREPAY_CJT188_DI_AUTO, 0x10, &t.address, 0x2A, data, 2),
                     PREPAY_OK);
    assert_false(req.has_di);
}

/* Hand-built frames for the hostile-input checks. */
static void test_decoder_refusals(void **state)
{
    (void)state;
    prepay_cjt188_frame_t f, keep;
    memset(&f, 0x11, sizeof f);
    keep = f;
    /* 68 10 A0..A6 81 02 ...: a read reply with L = 2 < DI + SER. */
    uint8_t b[32] = {0x68, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x02, 0x90, 0x1F};
    b[13] = prepay_cjt188_checksum(b, 13);
    b[14] = 0x16;
    assert_int_equal(prepay_cjt188_decode(b, 15, PREPAY_CJT188_DI_AUTO, &f), PREPAY_E_CJT188_BAD_LENGTH);
    b[14] = 0x17;
    assert_int_equal(prepay_cjt188_decode(b, 15, PREPAY_CJT188_DI_AUTO, &f), PREPAY_E_CJT188_BAD_END);
    b[0] = 0x69;
    assert_int_equal(prepay_cjt188_decode(b, 15, PREPAY_CJT188_DI_AUTO, &f), PREPAY_E_CJT188_NO_START);
    b[0] = 0x68;
    b[10] = 0x2E; /* L = 46 (fits every configuration) on 15 bytes: truncated, never read past the end */
    assert_int_equal(prepay_cjt188_decode(b, 15, PREPAY_CJT188_DI_AUTO, &f), PREPAY_E_CJT188_TRUNCATED);
    b[10] = 0xFF; /* L = 255: truncated, or above PREPAY_CJT188_MAX_DATA (checked first) */
    assert_int_equal(prepay_cjt188_decode(b, 15, PREPAY_CJT188_DI_AUTO, &f),
                     PREPAY_CJT188_MAX_DATA < 255 ? PREPAY_E_CJT188_BAD_LENGTH : PREPAY_E_CJT188_TRUNCATED);
    const uint8_t only_fe[3] = {0xFE, 0xFE, 0xFE};
    assert_int_equal(prepay_cjt188_decode(only_fe, 3, PREPAY_CJT188_DI_AUTO, &f), PREPAY_E_CJT188_TRUNCATED);
    assert_int_equal(prepay_cjt188_decode(only_fe, 3, (prepay_cjt188_di_order_t)3, &f), PREPAY_E_CJT188_BAD_DI_ORDER);
    assert_int_equal(prepay_cjt188_decode(NULL, 3, PREPAY_CJT188_DI_AUTO, &f), PREPAY_E_INVALID_ARGUMENT);
    assert_memory_equal(&f, &keep, sizeof f);
    /* Random bytes: any result, never a crash, and an error leaves f alone. */
    for (int i = 0; i < 20000; i++) {
        uint8_t r[40];
        size_t n = rng() % sizeof r;
        for (size_t k = 0; k < n; k++) {
            r[k] = (uint8_t)rng();
        }
        if (n > 0 && (rng() & 1)) {
            r[0] = 0x68;
        }
        if (n > 10 && (rng() & 1)) {
            r[10] = (uint8_t)(n > 13 ? n - 13 : 0);
        }
        memset(&f, 0x11, sizeof f);
        int rc = prepay_cjt188_decode(r, n, PREPAY_CJT188_DI_AUTO, &f);
        if (rc < 0) {
            assert_memory_equal(&f, &keep, sizeof f);
            assert_int_equal(PREPAY_STATUS_MODULE(rc), PREPAY_MODULE_CJT188);
        } else {
            assert_true((size_t)rc <= n);
        }
    }
}

/* encode(decode(x)) == x and decode(encode(f)) == f for random frames. */
static void test_random_round_trips(void **state)
{
    (void)state;
    for (int i = 0; i < 3000; i++) {
        prepay_cjt188_address_t a;
        for (int k = 0; k < 7; k++) {
            a.bytes[k] = (uint8_t)rng();
        }
        uint8_t data[PREPAY_CJT188_MAX_DATA];
        size_t len = rng() % (PREPAY_CJT188_MAX_DATA + 1);
        for (size_t k = 0; k < len; k++) {
            data[k] = (uint8_t)rng();
        }
        uint8_t control = (uint8_t)rng();
        if ((control & 0xC0) == 0xC0) {
            len = 3;
        } else if (len < 3) {
            len = 3;
        }
        prepay_cjt188_di_order_t order = (prepay_cjt188_di_order_t)(rng() % 3);
        prepay_cjt188_frame_t f, g;
        assert_int_equal(prepay_cjt188_frame_init(&f, order, (uint8_t)rng(), &a, control, data, len), PREPAY_OK);
        f.preamble = (uint8_t)(rng() % 5);
        uint8_t wire[PREPAY_CJT188_FRAME_MAX];
        int n = prepay_cjt188_encode(&f, wire, sizeof wire);
        assert_int_equal(n, (int)(f.preamble + 13 + len));
        assert_int_equal(prepay_cjt188_decode(wire, (size_t)n, order, &g), n);
        assert_int_equal(g.meter_type, f.meter_type);
        assert_memory_equal(g.address.bytes, f.address.bytes, 7);
        assert_int_equal(g.control, f.control);
        assert_int_equal(g.length, f.length);
        assert_memory_equal(g.data, f.data, len);
        assert_int_equal(g.has_di, f.has_di);
        assert_int_equal(g.di, f.di);
        assert_int_equal(g.di_order, f.di_order);
        assert_int_equal(g.ser, f.ser);
        assert_int_equal(g.status, f.status);
        assert_int_equal(g.preamble, f.preamble);
        /* Too small a buffer: error, nothing written. */
        uint8_t small[PREPAY_CJT188_FRAME_MAX];
        memset(small, 0x5C, sizeof small);
        assert_int_equal(prepay_cjt188_encode(&f, small, (size_t)n - 1), PREPAY_E_BUFFER_TOO_SMALL);
        for (size_t k = 0; k < sizeof small; k++) {
            assert_int_equal(small[k], 0x5C);
        }
    }
}

static void check_stats(const prepay_cjt188_stream_t *s)
{
    prepay_cjt188_stream_stats_t st;
    assert_int_equal(prepay_cjt188_stream_stats(s, &st), PREPAY_OK);
    assert_true(st.bytes_in == st.bytes_dropped + st.bytes_framed + st.bytes_pending);
}

/* A line with garbage, a false 68 announcing 255 bytes, and three frames. */
static void test_stream(void **state)
{
    (void)state;
    prepay_cjt188_target_t t = meter(PREPAY_CJT188_DI_LOW_FIRST);
    prepay_cjt188_frame_t f[3];
    assert_int_equal(prepay_cjt188_request_read(&f[0], &t, PREPAY_CJT188_DI_CURRENT, 1), PREPAY_OK);
    f[0].preamble = 4;
    assert_int_equal(prepay_cjt188_request_valve(&f[1], &t, 2, false), PREPAY_OK);
    f[1].preamble = 2;
    assert_int_equal(prepay_cjt188_request_purchase(&f[2], &t, 3, 9, 12345), PREPAY_OK);
    uint8_t line[512];
    size_t n = 0;
    const uint8_t garbage[] = {0x00, 0x16, 0xFE, 0x68, 0x99};
    memcpy(line + n, garbage, sizeof garbage);
    n += sizeof garbage;
    n += (size_t)prepay_cjt188_encode(&f[0], line + n, sizeof line - n);
    /* A stray 68 whose L byte says 255: must not hide the next frame. */
    const uint8_t stray[] = {0x68, 0x10, 1, 2, 3, 4, 5, 6, 7, 0x01, 0xFF, 0x12};
    memcpy(line + n, stray, sizeof stray);
    n += sizeof stray;
    n += (size_t)prepay_cjt188_encode(&f[1], line + n, sizeof line - n);
    n += (size_t)prepay_cjt188_encode(&f[2], line + n, sizeof line - n);
    for (size_t chunk = 1; chunk <= n; chunk++) {
        prepay_cjt188_stream_t s;
        assert_int_equal(prepay_cjt188_stream_init(&s, PREPAY_CJT188_DI_AUTO), PREPAY_OK);
        size_t got = 0;
        for (size_t pos = 0; pos < n;) {
            size_t take = chunk < n - pos ? chunk : n - pos;
            while (take > 0) {
                int k = prepay_cjt188_stream_feed(&s, line + pos, take);
                assert_true(k > 0);
                pos += (size_t)k;
                take -= (size_t)k;
                prepay_cjt188_frame_t out;
                int r;
                while ((r = prepay_cjt188_stream_next(&s, &out)) == 1) {
                    assert_true(got < 3);
                    assert_int_equal(out.di, f[got].di);
                    assert_int_equal(out.ser, f[got].ser);
                    assert_int_equal(out.preamble, f[got].preamble);
                    got++;
                    check_stats(&s);
                }
                assert_int_equal(r, 0);
            }
        }
        assert_int_equal(got, 3);
        prepay_cjt188_stream_stats_t st;
        assert_int_equal(prepay_cjt188_stream_stats(&s, &st), PREPAY_OK);
        /* Everything framed or dropped: garbage 5 + stray 12 bytes dropped. */
        assert_int_equal(st.frames, 3);
        assert_int_equal(st.bytes_pending, 0);
        assert_int_equal(st.bytes_dropped, sizeof garbage + sizeof stray);
    }
    /* Flush after an idle line; an uninitialised state is refused. */
    prepay_cjt188_stream_t s;
    assert_int_equal(prepay_cjt188_stream_init(&s, PREPAY_CJT188_DI_AUTO), PREPAY_OK);
    assert_int_equal(prepay_cjt188_stream_feed(&s, line + 5, 7), 7);
    assert_int_equal(prepay_cjt188_stream_flush(&s), 7);
    check_stats(&s);
    memset(&s, 0, sizeof s);
    prepay_cjt188_frame_t out;
    assert_int_equal(prepay_cjt188_stream_next(&s, &out), PREPAY_E_BAD_STATE);
    assert_int_equal(prepay_cjt188_stream_feed(&s, line, 1), PREPAY_E_BAD_STATE);
}

static void test_status_texts(void **state)
{
    (void)state;
    for (int i = 1; i <= 22; i++) {
        const char *text = prepay_strerror(PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, i));
#ifndef PREPAY_NO_STRERROR
        assert_string_not_equal(text, "unknown status");
        assert_non_null(strstr(text, "CJ/T 188"));
#else
        (void)text;
#endif
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_text),      cmocka_unit_test(test_read_current_exchange),
        cmocka_unit_test(test_write_exchanges),   cmocka_unit_test(test_reads_and_purse),
        cmocka_unit_test(test_reply_matching),    cmocka_unit_test(test_purchase_idempotency),
        cmocka_unit_test(test_quantities_and_clock), cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_decoder_refusals),  cmocka_unit_test(test_random_round_trips),
        cmocka_unit_test(test_stream),            cmocka_unit_test(test_status_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
