/* SPDX-License-Identifier: MIT */
/*
 * The reference water meter on the wire: CJ/T 188-2004 and Modbus RTU.
 *
 * test_vectors plays tests/vectors/water_frames.txt (replies written by hand,
 * checksums computed independently). The other tests drive every DI and
 * register through the codec's station-side builders and reply parsers (the
 * code a station runs), and check that malformed, unaddressed and refused
 * requests change nothing but the refusal record.
 */
#include <stdio.h>
#include <stdlib.h>

#include "prepay/modbus.h"
#include "test_support.h"
#include "water_fixtures.h"

static prepay_water_meter_t meter;
static prepay_water_meter_t before;
static uint8_t wire[PREPAY_CJT188_FRAME_MAX];
static uint8_t reply[PREPAY_CJT188_FRAME_MAX + PREPAY_MODBUS_ADU_MAX];

static void check(void)
{
    const char *member = NULL;
    if (prepay_water_meter_check_state(&meter, &member) != PREPAY_OK) {
        fail_msg("check_state refuses member %s", member ? member : "?");
    }
}

static void cjt188_meter(void)
{
    wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0());
    assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 10000), PREPAY_OK);
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock, 12345), PREPAY_OK);
}

static void modbus_meter(void)
{
    wx_init(&meter, PREPAY_WATER_MODE_VOLUME, wx_t0());
    assert_int_equal(prepay_water_meter_set_purse(&meter, 0, 0, 0), PREPAY_OK);
    assert_int_equal(prepay_water_meter_set_balance(&meter, meter.clock, 1000), PREPAY_OK);
}

static void test_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("water_frames.txt", &file);
    size_t played[2] = {0, 0};
    for (int protocol = 0; protocol < 2; protocol++) {
        const char *kind = protocol == 0 ? "cjt188" : "modbus";
        protocol == 0 ? cjt188_meter() : modbus_meter();
        for (size_t i = 0; i < file.count; i++) {
            const tv_record_t *r = &file.records[i];
            if (strcmp(r->kind, kind) != 0) {
                continue;
            }
            uint8_t req[300], want[300];
            int req_len = tv_hex(tv_need(r, "request"), req, sizeof req);
            const char *want_text = tv_need(r, "reply");
            int want_len = strcmp(want_text, "none") == 0 ? 0 : tv_hex(want_text, want, sizeof want);
            assert_true(req_len > 0 && want_len >= 0);
            memcpy(&before, &meter, sizeof meter);
            int n = protocol == 0
                        ? prepay_water_meter_handle_cjt188(&meter, meter.clock, req, (size_t)req_len, reply, sizeof reply)
                        : prepay_water_meter_handle_modbus(&meter, meter.clock, req, (size_t)req_len, reply, sizeof reply);
            if (n != want_len || memcmp(reply, want, (size_t)want_len) != 0) {
                char got[700] = "";
                for (int k = 0; k < n && k < 200; k++) {
                    snprintf(got + strlen(got), sizeof got - strlen(got), "%02X ", reply[k]);
                }
                fail_msg("%s %s (line %d): reply length %d, expected %d: %s", kind, tv_need(r, "name"), r->line, n,
                         want_len, got);
            }
            if (want_len == 0) {
                assert_memory_equal(&before, &meter, sizeof meter);
            }
            check();
            played[protocol]++;
        }
    }
    tv_free(&file);
    assert_int_equal(played[0], 13);
    assert_int_equal(played[1], 14);
    /* the replayed purchase was credited once: 100.00 + 50.00 */
    printf("water_frames.txt: %zu CJ/T 188 and %zu Modbus exchanges\n", played[0], played[1]);
}

/* ---- CJ/T 188 through the codec's station side --------------------------- */

static prepay_cjt188_target_t target(prepay_cjt188_di_order_t order)
{
    prepay_cjt188_target_t t;
    t.meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
    assert_int_equal(prepay_cjt188_address_from_string(WX_ADDRESS, 14, &t.address), PREPAY_OK);
    t.di_order = order;
    return t;
}

/* Sends a request frame; returns the decoded reply (the test fails if there is none). */
static void exchange(const prepay_cjt188_frame_t *req, prepay_cjt188_frame_t *rep)
{
    int len = prepay_cjt188_encode(req, wire, sizeof wire);
    assert_true(len > 0);
    int n = prepay_water_meter_handle_cjt188(&meter, meter.clock, wire, (size_t)len, reply, sizeof reply);
    assert_true(n > 0);
    assert_int_equal(prepay_cjt188_decode(reply, (size_t)n, PREPAY_CJT188_DI_AUTO, rep), n);
    check();
}

static void test_cjt188_every_di(void **state)
{
    (void)state;
    for (int o = 0; o < 2; o++) {
        const prepay_cjt188_target_t t = target(o == 0 ? PREPAY_CJT188_DI_HIGH_FIRST : PREPAY_CJT188_DI_LOW_FIRST);
        uint8_t ser = 0x40;
        prepay_cjt188_frame_t req, rep;
        prepay_cjt188_write_ack_t ack;
        cjt188_meter();

        /* A010 with today's start day (5): in force at once; 8102 reads it back */
        prepay_cjt188_price_table_t table;
        memset(&table, 0, sizeof table);
        table.price[0] = 300000000;
        table.price[1] = 400000000;
        table.price[2] = 500000000;
        table.step_litres[0] = 50000;
        table.step_litres[1] = 200000;
        table.start_day = 5;
        assert_int_equal(prepay_cjt188_request_write_price_table(&req, &t, ser++, &table), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_true(ack.has_status);
        assert_int_equal(ack.status, 0);
        assert_int_equal(meter.prices[0].price[1], 400000000);
        prepay_cjt188_price_table_t back;
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_PRICE_TABLE, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_price_table(&req, &rep, &back), PREPAY_OK);
        assert_int_equal(back.price[2], 500000000);
        assert_int_equal(back.step_litres[1], 200000);
        /* start day 20: pending until 2024-03-20 00:00 */
        table.price[2] = 600000000;
        table.start_day = 20;
        assert_int_equal(prepay_cjt188_request_write_price_table(&req, &t, ser++, &table), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_int_equal(meter.switch_time, wx_time(2024, 3, 20, 0, 0, 0));
        assert_int_equal(meter.prices[0].price[2], 500000000);
        assert_int_equal(meter.event_counts[PREPAY_WATER_EVENT_PROGRAMMING], 2);

        /* A011 / A012 then 8103 / 8104 */
        uint8_t day;
        assert_int_equal(prepay_cjt188_request_write_day(&req, &t, ser++, PREPAY_CJT188_DI_WRITE_SETTLEMENT_DAY, 15),
                         PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_int_equal(meter.next_settlement, wx_time(2024, 3, 15, 0, 0, 0));
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_SETTLEMENT_DAY, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_day(&req, &rep, &day), PREPAY_OK);
        assert_int_equal(day, 15);
        assert_int_equal(prepay_cjt188_request_write_day(&req, &t, ser++, PREPAY_CJT188_DI_WRITE_READING_DAY, 28),
                         PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_READING_DAY, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_day(&req, &rep, &day), PREPAY_OK);
        assert_int_equal(day, 28);

        /* A014 then 8106 */
        static const uint8_t key[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        uint8_t version;
        assert_int_equal(prepay_cjt188_request_write_key(&req, &t, ser++, 3, key), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_true(ack.has_key_version);
        assert_int_equal(ack.key_version, 3);
        assert_int_equal(prepay_cjt188_request_read_key_version(&req, &t, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_key_version(&req, &rep, &version), PREPAY_OK);
        assert_int_equal(version, 3);
        assert_memory_equal(meter.key, key, 8);

        /* A016 base reading 1234.56 m3 = 1234560 L; 901F reads 1234.56 back */
        prepay_cjt188_quantity_t base = {true, 123456, 2, PREPAY_CJT188_UNIT_M3};
        assert_int_equal(prepay_cjt188_request_write_base(&req, &t, ser++, &base), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_int_equal(meter.volume, 1234560);

        /* A015: one hour later; then 901F */
        const prepay_time_t later = meter.clock + 3600;
        assert_int_equal(prepay_cjt188_request_write_time(&req, &t, ser++, later), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_int_equal(meter.clock, later);
        prepay_cjt188_current_t cur;
        prepay_energy_t litres;
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_CURRENT, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(rep.di_order, (uint8_t)t.di_order);
        assert_int_equal(prepay_cjt188_reply_current(&req, &rep, &cur), PREPAY_OK);
        assert_int_equal(prepay_cjt188_quantity_litres(&cur.reading, &litres), PREPAY_OK);
        assert_int_equal(litres, 1234560);
        assert_int_equal(cur.clock_state, PREPAY_CJT188_CLOCK_VALID);
        assert_int_equal(cur.clock, later);
        assert_false(cur.settlement.present);

        /* A clock set back to 10:00: the next settlement is counted from the new time */
        assert_int_equal(prepay_cjt188_request_write_time(&req, &t, ser++, wx_t0()), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_int_equal(meter.clock, wx_t0());

        /* Settlements: after 2024-03-15 and 04-15, D120 / D121 and 901F's settlement reading */
        assert_int_equal(prepay_water_meter_advance(&meter, wx_time(2024, 4, 1, 0, 0, 0), 1000), PREPAY_OK);
        assert_int_equal(prepay_water_meter_advance(&meter, wx_time(2024, 4, 20, 0, 0, 0), 2000), PREPAY_OK);
        prepay_cjt188_quantity_t q;
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_HISTORY_FIRST, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_history(&req, &rep, &q), PREPAY_OK);
        assert_int_equal(prepay_cjt188_quantity_litres(&q, &litres), PREPAY_OK);
        assert_int_equal(litres, 1235560); /* 04-15: base + 1000 */
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_HISTORY_FIRST + 1, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_history(&req, &rep, &q), PREPAY_OK);
        assert_int_equal(prepay_cjt188_quantity_litres(&q, &litres), PREPAY_OK);
        assert_int_equal(litres, 1234560); /* 03-15 */
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_HISTORY_LAST, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_history(&req, &rep, &q), PREPAY_OK);
        assert_false(q.present); /* 12 months back: none yet */
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_CURRENT, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_current(&req, &rep, &cur), PREPAY_OK);
        assert_int_equal(prepay_cjt188_quantity_litres(&cur.settlement, &litres), PREPAY_OK);
        assert_int_equal(litres, 1235560);
        /* the pending table (start day 20) took effect on 2024-03-20 */
        assert_int_equal(meter.prices[0].price[2], 600000000);

        /* A019 factory enable */
        assert_int_equal(prepay_cjt188_request_factory_enable(&req, &t, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_int_equal(meter.factory_enabled, 1);

        /* A018: refused to the wildcard without the programming switch (no reply); with it,
         * answered from the old address; the meter then answers only the new one */
        prepay_cjt188_target_t wild = t;
        wild.meter_type = PREPAY_CJT188_WILDCARD_BYTE;
        wild.address = prepay_cjt188_address_wildcard();
        prepay_cjt188_address_t fresh;
        assert_int_equal(prepay_cjt188_address_from_string("00000000000099", 14, &fresh), PREPAY_OK);
        assert_int_equal(prepay_cjt188_request_write_address(&req, &wild, ser++, &fresh), PREPAY_OK);
        int len = prepay_cjt188_encode(&req, wire, sizeof wire);
        memcpy(&before, &meter, sizeof meter);
        assert_int_equal(prepay_water_meter_handle_cjt188(&meter, meter.clock, wire, (size_t)len, reply, sizeof reply), 0);
        assert_memory_equal(&before, &meter, sizeof meter);
        assert_int_equal(prepay_water_meter_set_programming(&meter, true), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
        assert_memory_equal(rep.address.bytes, t.address.bytes, 7);
        assert_memory_equal(meter.address.bytes, fresh.bytes, 7);
        assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_CURRENT, ser++), PREPAY_OK);
        len = prepay_cjt188_encode(&req, wire, sizeof wire);
        assert_int_equal(prepay_water_meter_handle_cjt188(&meter, meter.clock, wire, (size_t)len, reply, sizeof reply), 0);
        /* 810A to the wildcard gives the new address */
        uint8_t type;
        prepay_cjt188_address_t got;
        assert_int_equal(prepay_cjt188_request_read_address(&req, &wild, ser++), PREPAY_OK);
        exchange(&req, &rep);
        assert_int_equal(prepay_cjt188_reply_address(&req, &rep, &type, &got), PREPAY_OK);
        assert_int_equal(type, PREPAY_CJT188_TYPE_COLD_WATER);
        assert_memory_equal(got.bytes, fresh.bytes, 7);
    }
}

/* Purchases and the valve over CJ/T 188 in volume mode (A013 amounts are 0.01 m3). */
static void test_cjt188_volume_purse(void **state)
{
    (void)state;
    const prepay_cjt188_target_t t = target(PREPAY_CJT188_DI_HIGH_FIRST);
    prepay_cjt188_frame_t req, rep;
    prepay_cjt188_write_ack_t ack;
    prepay_cjt188_purse_t purse;
    wx_init(&meter, PREPAY_WATER_MODE_VOLUME, wx_t0());
    /* 12.34 m3 = 12340 L */
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 1, 0x10, 1234), PREPAY_OK);
    exchange(&req, &rep);
    assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
    assert_int_equal(meter.balance, 12340);
    /* the station's retry after a lost reply: new SER, same serial: credited once */
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 2, 0x10, 1234), PREPAY_OK);
    exchange(&req, &rep);
    assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
    assert_int_equal(ack.purchase_serial, 0x10);
    assert_int_equal(ack.amount_fen, 1234);
    assert_int_equal(meter.balance, 12340);
    assert_int_equal(meter.event_counts[PREPAY_WATER_EVENT_PURCHASE], 1);
    /* a new purchase reusing an old SER is credited */
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 1, 0x11, 100), PREPAY_OK);
    exchange(&req, &rep);
    assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_OK);
    assert_int_equal(meter.balance, 13340);
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 60, 7345), PREPAY_OK);
    /* 8105 in 0.01 m3: remaining 5995 L -> 5.99 m3 (truncated to 10 L) */
    assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_PURSE, 3), PREPAY_OK);
    exchange(&req, &rep);
    assert_int_equal(prepay_cjt188_reply_purse(&req, &rep, &purse), PREPAY_OK);
    assert_int_equal(purse.purchase_serial, 0x11);
    assert_int_equal(purse.last_fen, 100); /* 1000 L */
    assert_int_equal(purse.total_fen, 1334);
    assert_int_equal(purse.remaining_fen, 599);
    assert_int_equal(purse.status, prepay_water_meter_status_word(&meter));
    /* use it all: closed; a station open is refused (abnormal reply with ST) and recorded */
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 60, 5995), PREPAY_OK);
    assert_false(prepay_water_meter_valve_open(&meter));
    assert_int_equal(prepay_cjt188_request_valve(&req, &t, 4, true), PREPAY_OK);
    memcpy(&before, &meter, sizeof meter);
    exchange(&req, &rep);
    assert_int_equal(prepay_cjt188_reply_write(&req, &rep, &ack), PREPAY_E_CJT188_ABNORMAL);
    assert_int_equal(prepay_cjt188_status_valve(rep.status), PREPAY_CJT188_VALVE_STATE_CLOSED);
    assert_true(rep.status & PREPAY_WATER_ST_EMPTY);
    assert_true(wx_same_but_events(&before, &meter));
    assert_int_equal(meter.event_counts[PREPAY_WATER_EVENT_OPEN_REFUSED], 1);
}

/* Frames that must get no reply, or an abnormal reply, and change nothing else. */
static void test_cjt188_refusals(void **state)
{
    (void)state;
    const prepay_cjt188_target_t t = target(PREPAY_CJT188_DI_HIGH_FIRST);
    prepay_cjt188_frame_t req;
    int len;
    cjt188_meter();
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 9, 2, 500), PREPAY_OK);
    len = prepay_cjt188_encode(&req, wire, sizeof wire);
    /* too small a reply buffer: nothing acted on */
    memcpy(&before, &meter, sizeof meter);
    assert_int_equal(prepay_water_meter_handle_cjt188(&meter, meter.clock, wire, (size_t)len, reply,
                                                      PREPAY_WATER_CJT188_REPLY_MAX - 1),
                     PREPAY_E_BUFFER_TOO_SMALL);
    assert_memory_equal(&before, &meter, sizeof meter);
    /* another meter type (hot water) */
    prepay_cjt188_target_t hot = t;
    hot.meter_type = PREPAY_CJT188_TYPE_HOT_WATER;
    assert_int_equal(prepay_cjt188_request_purchase(&req, &hot, 9, 2, 500), PREPAY_OK);
    len = prepay_cjt188_encode(&req, wire, sizeof wire);
    assert_int_equal(prepay_water_meter_handle_cjt188(&meter, meter.clock, wire, (size_t)len, reply, sizeof reply), 0);
    /* every truncation of a good purchase: no reply */
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 9, 2, 500), PREPAY_OK);
    len = prepay_cjt188_encode(&req, wire, sizeof wire);
    for (int k = 0; k < len; k++) {
        assert_int_equal(prepay_water_meter_handle_cjt188(&meter, meter.clock, wire, (size_t)k, reply, sizeof reply), 0);
    }
    assert_memory_equal(&before, &meter, sizeof meter);
    /* abnormal replies, state unchanged apart from refusal records: */
    const uint8_t addr[7] = {0x77, 0x01, 0x16, 0x07, 0x23, 0x20, 0x00};
    static const struct {
        uint8_t control;
        uint8_t data[12];
        uint8_t len;
    } bad[] = {
        {0x01, {0x81, 0x06, 0x01}, 3},                       /* 8106 is read with function 09, not 01 */
        {0x01, {0x90, 0x1F, 0x01, 0x00}, 4},                 /* a read with data */
        {0x04, {0xA0, 0x17, 0x01, 0x66}, 4},                 /* vendor valve byte 66H */
        {0x04, {0xA0, 0x13, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00}, 8}, /* purchase of 0 */
        {0x04, {0xA0, 0x13, 0x01, 0x02, 0x0A, 0x00, 0x00, 0x00}, 8}, /* amount not BCD */
        {0x04, {0xA0, 0x13, 0x01, 0x07, 0x00, 0x01, 0x00, 0x00}, 8}, /* serial out of sequence (recorded) */
        {0x04, {0xA0, 0x15, 0x01, 0x00, 0x00, 0x25, 0x31, 0x02, 0x24, 0x20}, 10}, /* 31 February */
        {0x04, {0xA0, 0x20, 0x01, 0x00}, 4},                 /* a DI the meter does not have */
        {0x16, {0xA0, 0x16, 0x01, 0x00, 0x00, 0x00, 0x00, 0x29}, 8}, /* base reading in litres is fine... */
        {0x16, {0xA0, 0x16, 0x01, 0x01, 0x00, 0x00, 0x00, 0x05}, 8}, /* ...in kWh it is not a volume */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        prepay_cjt188_frame_t f, rep;
        assert_int_equal(prepay_cjt188_frame_init(&f, PREPAY_CJT188_DI_HIGH_FIRST, 0x10,
                                                  (const prepay_cjt188_address_t *)addr, bad[i].control, bad[i].data,
                                                  bad[i].len),
                         PREPAY_OK);
        len = prepay_cjt188_encode(&f, wire, sizeof wire);
        memcpy(&before, &meter, sizeof meter);
        int n = prepay_water_meter_handle_cjt188(&meter, meter.clock, wire, (size_t)len, reply, sizeof reply);
        assert_true(n > 0);
        assert_int_equal(prepay_cjt188_decode(reply, (size_t)n, PREPAY_CJT188_DI_AUTO, &rep), n);
        if (i == 8) { /* the base reading in L with two decimals is 0.00 L: accepted */
            assert_false(rep.abnormal);
            continue;
        }
        if (!rep.abnormal) {
            fail_msg("bad frame %zu answered normally", i);
        }
        assert_int_equal(rep.status, prepay_water_meter_status_word(&meter));
        assert_true(wx_same_but_events(&before, &meter));
    }
    assert_int_equal(meter.event_counts[PREPAY_WATER_EVENT_PURCHASE_REFUSED], 1);
    /* remote mode has no purse: 8105 and A013 are refused */
    wx_init(&meter, PREPAY_WATER_MODE_REMOTE, wx_t0());
    prepay_cjt188_frame_t rep;
    assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_PURSE, 1), PREPAY_OK);
    exchange(&req, &rep);
    assert_true(rep.abnormal);
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, 2, 1, 100), PREPAY_OK);
    exchange(&req, &rep);
    assert_true(rep.abnormal);
    /* a price finer than a fen cannot be read over 8102 */
    cjt188_meter();
    prepay_cjt188_price_table_t fine;
    memset(&fine, 0, sizeof fine);
    fine.price[2] = 345678901;
    assert_int_equal(prepay_water_meter_set_prices(&meter, &fine), PREPAY_OK);
    assert_int_equal(prepay_cjt188_request_read(&req, &t, PREPAY_CJT188_DI_PRICE_TABLE, 3), PREPAY_OK);
    exchange(&req, &rep);
    assert_true(rep.abnormal);
}

/* ---- Modbus through the codec's client side ------------------------------ */

static int modbus_exchange(const prepay_modbus_adu_t *req, prepay_modbus_adu_t *rsp)
{
    uint8_t buf[PREPAY_MODBUS_ADU_MAX];
    int len = prepay_modbus_encode(req, buf, sizeof buf);
    assert_true(len > 0);
    int n = prepay_water_meter_handle_modbus(&meter, meter.clock, buf, (size_t)len, reply, sizeof reply);
    assert_true(n >= 0);
    if (n > 0) {
        assert_int_equal(prepay_modbus_decode(reply, (size_t)n, PREPAY_MODBUS_RESPONSE, rsp), PREPAY_OK);
    }
    check();
    return n;
}

static void test_modbus_map(void **state)
{
    (void)state;
    const prepay_modbus_map_t *map = prepay_modbus_map_by_name("xintai-water");
    assert_non_null(map);
    prepay_modbus_adu_t req, rsp;
    uint16_t words[PREPAY_WATER_MODBUS_REGISTERS];
    prepay_modbus_value_t values[16];
    modbus_meter();
    assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 3600, 450), PREPAY_OK); /* 450 L/h */
    assert_int_equal(prepay_water_meter_report(&meter, meter.clock, PREPAY_WATER_CONDITION_LOW_BATTERY, true),
                     PREPAY_OK);
    assert_int_equal(prepay_water_meter_set_battery_voltage(&meter, 3250), PREPAY_OK);
    /* the whole map in one read */
    assert_int_equal(prepay_modbus_request_read(&req, 1, PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0,
                                                PREPAY_WATER_MODBUS_REGISTERS),
                     PREPAY_OK);
    assert_true(modbus_exchange(&req, &rsp) > 0);
    assert_int_equal(prepay_modbus_response_registers(&req, &rsp, words, PREPAY_WATER_MODBUS_REGISTERS),
                     (int)PREPAY_WATER_MODBUS_REGISTERS);
    int n = prepay_modbus_map_decode(map, PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0, words,
                                     PREPAY_WATER_MODBUS_REGISTERS, values, 16);
    assert_int_equal(n, (int)map->count);
    int seen = 0;
    for (int i = 0; i < n; i++) {
        const char *name = values[i].reg->name;
        int64_t v = values[i].value;
        assert_int_equal(values[i].status, PREPAY_OK);
        if (strcmp(name, "forward_volume") == 0) {
            assert_int_equal(v, 450);
        } else if (strcmp(name, "remaining_volume") == 0) {
            assert_int_equal(v, 550);
        } else if (strcmp(name, "flow") == 0) {
            assert_int_equal(v, 450);
        } else if (strcmp(name, "pipe_state") == 0) {
            assert_int_equal(v, 0xAA);
        } else if (strcmp(name, "slave_address") == 0) {
            assert_int_equal(v, 1);
        } else if (strcmp(name, "battery_voltage") == 0) {
            assert_int_equal(v, 3250);
        } else if (strcmp(name, "valve") == 0) {
            assert_int_equal(v, 0x02 | 0x08); /* closed by the low battery, battery low */
        } else if (strcmp(name, "pulse_coefficient") == 0) {
            assert_int_equal(v, 1);
        } else {
            continue;
        }
        seen++;
    }
    assert_int_equal(seen, 8);
    /* 10H over forward and reverse volume in one write; then unit 7 and pulse 10 with 06 */
    uint16_t w[4];
    const prepay_modbus_register_t *fwd = prepay_modbus_map_find(map, "forward_volume");
    assert_int_equal(prepay_modbus_value_encode(fwd, 123456, w, 2), 2);
    assert_int_equal(prepay_modbus_value_encode(prepay_modbus_map_find(map, "reverse_volume"), 25, w + 2, 2), 2);
    assert_int_equal(prepay_modbus_request_write_registers(&req, 1, 0x0001, w, 4), PREPAY_OK);
    assert_true(modbus_exchange(&req, &rsp) > 0);
    assert_int_equal(prepay_modbus_match(&req, &rsp), PREPAY_OK);
    assert_int_equal(meter.volume, 123456);
    assert_int_equal(meter.reverse_volume, 25);
    assert_int_equal(prepay_modbus_request_write_register(&req, 1, 0x001D, 10), PREPAY_OK);
    assert_true(modbus_exchange(&req, &rsp) > 0);
    assert_int_equal(meter.pulse_coefficient, 10);
    assert_int_equal(prepay_modbus_request_write_register(&req, 1, 0x000E, 7), PREPAY_OK);
    assert_true(modbus_exchange(&req, &rsp) > 0);
    assert_int_equal(rsp.unit, 1); /* answered from the old unit */
    assert_int_equal(meter.modbus_unit, 7);
    assert_int_equal(prepay_modbus_request_read(&req, 1, PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0x1C, 1), PREPAY_OK);
    assert_int_equal(modbus_exchange(&req, &rsp), 0); /* unit 1 is gone */
    assert_int_equal(meter.event_counts[PREPAY_WATER_EVENT_PROGRAMMING], 4);
}

static void test_modbus_refusals(void **state)
{
    (void)state;
    prepay_modbus_adu_t req, rsp;
    const prepay_modbus_map_t *map = prepay_modbus_map_by_name("xintai-water");
    modbus_meter();
    assert_int_equal(prepay_water_meter_report(&meter, meter.clock, PREPAY_WATER_CONDITION_MAGNET, true), PREPAY_OK);
    uint16_t w[4];
    /* a 10H write of the remaining volume and a valve open, while a magnet holds the valve:
     * the open is refused (exception 04, recorded) and the remaining volume is not written either */
    assert_int_equal(prepay_modbus_value_encode(prepay_modbus_map_find(map, "remaining_volume"), 9000, w, 2), 2);
    uint16_t valve_words[2] = {1, 1}; /* 001CH = 1 (open), 001DH = 1 */
    assert_int_equal(prepay_modbus_request_write_registers(&req, 1, 0x001C, valve_words, 2), PREPAY_OK);
    memcpy(&before, &meter, sizeof meter);
    assert_true(modbus_exchange(&req, &rsp) > 0);
    assert_int_equal(prepay_modbus_match(&req, &rsp), PREPAY_E_MODBUS_EXCEPTION);
    assert_int_equal(rsp.exception, PREPAY_MODBUS_EX_DEVICE_FAILURE);
    assert_true(wx_same_but_events(&before, &meter));
    assert_int_equal(meter.event_counts[PREPAY_WATER_EVENT_OPEN_REFUSED], 1);
    /* exceptions that change nothing at all */
    static const struct {
        uint8_t function;
        uint16_t address, count;
        uint8_t exception;
    } reads[] = {
        {PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0x001D, 2, PREPAY_MODBUS_EX_ILLEGAL_ADDRESS},
        {PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0x0100, 1, PREPAY_MODBUS_EX_ILLEGAL_ADDRESS},
        {PREPAY_MODBUS_FN_READ_INPUT_REGISTERS, 0x0000, 1, PREPAY_MODBUS_EX_ILLEGAL_FUNCTION},
        {PREPAY_MODBUS_FN_READ_COILS, 0x0000, 1, PREPAY_MODBUS_EX_ILLEGAL_FUNCTION},
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        assert_int_equal(prepay_modbus_request_read(&req, 1, reads[i].function, reads[i].address, reads[i].count),
                         PREPAY_OK);
        memcpy(&before, &meter, sizeof meter);
        assert_true(modbus_exchange(&req, &rsp) > 0);
        assert_int_equal(rsp.exception, reads[i].exception);
        assert_memory_equal(&before, &meter, sizeof meter);
    }
    static const struct {
        uint16_t address;
        uint16_t words[2];
        uint8_t count;
        uint8_t exception;
    } writes[] = {
        {0x0008, {0x0000}, 1, PREPAY_MODBUS_EX_ILLEGAL_ADDRESS},          /* half a float with 06 */
        {0x0009, {0x0000, 0x0000}, 2, PREPAY_MODBUS_EX_ILLEGAL_ADDRESS},  /* a float's second half */
        {0x0005, {0x0000, 0x0000}, 2, PREPAY_MODBUS_EX_ILLEGAL_ADDRESS},  /* flow is read-only */
        {0x0000, {0x0000}, 1, PREPAY_MODBUS_EX_ILLEGAL_ADDRESS},          /* unmapped */
        {0x000E, {0x0000}, 1, PREPAY_MODBUS_EX_ILLEGAL_VALUE},            /* unit 0 */
        {0x000E, {0x00F8}, 1, PREPAY_MODBUS_EX_ILLEGAL_VALUE},            /* unit 248 */
        {0x001D, {0x0000}, 1, PREPAY_MODBUS_EX_ILLEGAL_VALUE},            /* pulse coefficient 0 */
        {0x001C, {0x0000}, 1, PREPAY_MODBUS_EX_ILLEGAL_VALUE},            /* valve 0 */
        {0x0008, {0x0000, 0x00BF}, 2, PREPAY_MODBUS_EX_ILLEGAL_VALUE},    /* -0.5 m3: BF000000, DCBA 00 00 00 BF */
        {0x0008, {0xCECC, 0xCC3D}, 2, PREPAY_MODBUS_EX_ILLEGAL_VALUE},    /* 3DCCCCCE, one ulp above 0.1: not exact litres */
        {0x0001, {0x0000, 0xC07F}, 2, PREPAY_MODBUS_EX_ILLEGAL_VALUE},    /* NaN 7FC00000 */
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        if (writes[i].count == 1) {
            assert_int_equal(prepay_modbus_request_write_register(&req, 1, writes[i].address, writes[i].words[0]),
                             PREPAY_OK);
        } else {
            assert_int_equal(prepay_modbus_request_write_registers(&req, 1, writes[i].address, writes[i].words, 2),
                             PREPAY_OK);
        }
        memcpy(&before, &meter, sizeof meter);
        assert_true(modbus_exchange(&req, &rsp) > 0);
        if (rsp.exception != writes[i].exception) {
            fail_msg("write %zu at %04X: exception %u, expected %u", i, writes[i].address, rsp.exception,
                     writes[i].exception);
        }
        assert_memory_equal(&before, &meter, sizeof meter);
    }
    /* above the hoarding limit: exception 03 */
    assert_int_equal(prepay_water_meter_set_purse(&meter, 0, 0, 5000), PREPAY_OK);
    assert_int_equal(prepay_modbus_request_write_registers(&req, 1, 0x0008, w, 2), PREPAY_OK);
    assert_true(modbus_exchange(&req, &rsp) > 0);
    assert_int_equal(rsp.exception, PREPAY_MODBUS_EX_ILLEGAL_VALUE);
    /* money mode: 0008H is not there */
    wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0());
    assert_int_equal(prepay_modbus_request_read(&req, 1, PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0x0007, 2),
                     PREPAY_OK);
    assert_true(modbus_exchange(&req, &rsp) > 0);
    assert_int_equal(rsp.exception, PREPAY_MODBUS_EX_ILLEGAL_ADDRESS);
    assert_int_equal(prepay_modbus_request_read(&req, 1, PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0x000A, 2),
                     PREPAY_OK);
    assert_true(modbus_exchange(&req, &rsp) > 0);
    assert_false(rsp.is_exception);
    assert_int_equal(prepay_modbus_request_write_registers(&req, 1, 0x0008, w, 2), PREPAY_OK);
    assert_true(modbus_exchange(&req, &rsp) > 0);
    assert_int_equal(rsp.exception, PREPAY_MODBUS_EX_ILLEGAL_ADDRESS);
    /* a too small reply buffer */
    uint8_t buf[16];
    int len = prepay_modbus_encode(&req, buf, sizeof buf);
    assert_int_equal(prepay_water_meter_handle_modbus(&meter, meter.clock, buf, (size_t)len, reply,
                                                      PREPAY_WATER_MODBUS_REPLY_MAX - 1),
                     PREPAY_E_BUFFER_TOO_SMALL);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_cjt188_every_di),
        cmocka_unit_test(test_cjt188_volume_purse),
        cmocka_unit_test(test_cjt188_refusals),
        cmocka_unit_test(test_modbus_map),
        cmocka_unit_test(test_modbus_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
