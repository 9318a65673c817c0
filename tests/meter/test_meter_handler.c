/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 meter side: frames built by the protocol module's request
 * builders go through prepay_meter_handle(); replies are decoded by the
 * protocol module's codec and reply parsers, and values by the data
 * catalogue (prepay_dlt645_value_decode), so every exchange round-trips
 * through the colleague's codec.
 *
 * Expected values are worked by hand beside each check (BCD is low byte
 * first; 0.01 kWh registers; XXXXXX.XX yuan).
 */
#include <stdio.h>
#include <stdlib.h>

#include "prepay/dlt645_data.h"
#include "prepay/load_record.h"
#include "meter_fixtures.h"

static prepay_meter_t *funded_meter(void)
{
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    return m;
}

/* Encodes a frame, hands it to the meter, returns the reply length. */
static int send_raw(prepay_meter_t *m, const prepay_dlt645_frame_t *req, uint8_t *out, size_t cap)
{
    uint8_t wire[PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(req, wire, sizeof wire);
    assert_true(n > 0);
    return prepay_meter_handle(m, m->clock, wire, (size_t)n, out, cap);
}

static void test_read_energy_round_trip(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_meter_load_t load = fx_constant(1234);
    /* 1234 W for 10 h from 00:00 = 12340 Wh: valley 8 h = 9872 Wh, flat 2 h = 2468 Wh. */
    assert_int_equal(prepay_meter_advance(m, 36000, &load), PREPAY_OK);
    uint8_t v[64];
    int n = fx_read(m, 0x00010000u, v, sizeof v);
    assert_int_equal(n, 4);
    /* 12.34 kWh -> BCD 34 12 00 00. */
    static const uint8_t want[4] = {0x34, 0x12, 0x00, 0x00};
    assert_memory_equal(v, want, 4);
    prepay_dlt645_value_t value;
    assert_int_equal(prepay_dlt645_value_decode(0x00010000u, v, 4, &value), PREPAY_OK);
    assert_int_equal(value.quantity, 12340); /* Wh */
    /* Tariff 4 (valley): 9.87 kWh (9872 Wh truncated to 0.01 kWh). */
    assert_int_equal(fx_read(m, 0x00010400u, v, sizeof v), 4);
    assert_int_equal(fx_bcd(v, 4), 987);
    /* Block 0001FF00: total, tariffs 1..4 = 1234, 0, 0, 246, 987. */
    assert_int_equal(fx_read(m, 0x0001FF00u, v, sizeof v), 20);
    assert_int_equal(fx_bcd(v, 4), 1234);
    assert_int_equal(fx_bcd(v + 4, 4), 0);
    assert_int_equal(fx_bcd(v + 12, 4), 246);
    assert_int_equal(fx_bcd(v + 16, 4), 987);
    /* Combined active (00000000) = forward + reverse = 12.34 kWh. */
    assert_int_equal(fx_read(m, 0x00000000u, v, sizeof v), 4);
    assert_int_equal(prepay_dlt645_value_decode(0x00000000u, v, 4, &value), PREPAY_OK);
    assert_int_equal(value.quantity, 12340);
    /* Tariff 5 is beyond the meter's 4 tariffs: no data (error bit 1). */
    assert_int_equal(fx_read(m, 0x00010500u, v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
    /* Remaining amount: 100.00 - (9.872 x 0.30 + 2.468 x 0.50 = 2.9616 + 1.234 = 4.1956 -> 4.20) = 95.80. */
    assert_int_equal(fx_read(m, 0x00900200u, v, sizeof v), 4);
    assert_int_equal(prepay_dlt645_value_decode(0x00900200u, v, 4, &value), PREPAY_OK);
    assert_int_equal(value.quantity, 9580);
}

static void test_read_instant_and_parameters(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_meter_instant_t in;
    memset(&in, 0, sizeof in);
    in.voltage[0] = 2201;     /* 220.1 V */
    in.current[0] = -5123;    /* -5.123 A */
    in.power[0] = 11270;      /* 1.1270 kW */
    in.power_factor[0] = 985; /* 0.985 */
    in.frequency = 4998;      /* 49.98 Hz */
    assert_int_equal(prepay_meter_set_instant(m, &in), PREPAY_OK);
    uint8_t v[64];
    prepay_dlt645_value_t value;
    assert_int_equal(fx_read(m, 0x02010100u, v, sizeof v), 2);
    assert_int_equal(prepay_dlt645_value_decode(0x02010100u, v, 2, &value), PREPAY_OK);
    assert_int_equal(value.quantity, 2201);
    assert_int_equal(fx_read(m, 0x02020100u, v, sizeof v), 3);
    static const uint8_t current[3] = {0x23, 0x51, 0x80}; /* -005.123: 23 51 80 (sign bit 7) */
    assert_memory_equal(v, current, 3);
    assert_int_equal(prepay_dlt645_value_decode(0x02020100u, v, 3, &value), PREPAY_OK);
    assert_int_equal(value.quantity, -5123);
    assert_int_equal(fx_read(m, 0x02030000u, v, sizeof v), 3);
    assert_int_equal(prepay_dlt645_value_decode(0x02030000u, v, 3, &value), PREPAY_OK);
    assert_int_equal(value.quantity, 11270);
    assert_int_equal(fx_read(m, 0x02060000u, v, sizeof v), 2);
    assert_int_equal(fx_bcd(v, 2), 985);
    assert_int_equal(fx_read(m, 0x0201FF00u, v, sizeof v), 2 * (int)PREPAY_METER_PHASES); /* the phase voltages */
#if PREPAY_METER_PHASES == 1
    assert_int_equal(fx_read(m, 0x02010200u, v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA); /* no phase B */
#endif
    assert_int_equal(fx_read(m, 0x02800002u, v, sizeof v), 2);
    assert_int_equal(fx_bcd(v, 2), 4998);
    /* Date 2024-03-01 is a Friday: WW DD MM YY = 05 01 03 24; time 00:00:00. */
    assert_int_equal(fx_read(m, 0x04000101u, v, sizeof v), 4);
    static const uint8_t date[4] = {0x05, 0x01, 0x03, 0x24};
    assert_memory_equal(v, date, 4);
    assert_int_equal(fx_read(m, 0x04000102u, v, sizeof v), 3);
    /* Address 04000401: the 6 address bytes. */
    assert_int_equal(fx_read(m, 0x04000401u, v, sizeof v), 6);
    assert_memory_equal(v, m->address.bytes, 6);
    /* Prices: flat (tariff 3) 0.5000 -> 00 50 00 00. */
    assert_int_equal(fx_read(m, 0x04050103u, v, sizeof v), 4);
    assert_int_equal(prepay_dlt645_value_decode(0x04050103u, v, 4, &value), PREPAY_OK);
    assert_int_equal(value.quantity, FX_PRICE(5000));
    /* Alarm amount 1: 20.00. */
    assert_int_equal(fx_read(m, 0x04001001u, v, sizeof v), 4);
    assert_int_equal(fx_bcd(v, 4), 2000);
    /* Counts: 1 season, 1 day table, 7 slots, 4 tariffs. */
    assert_int_equal(fx_read(m, 0x04000203u, v, sizeof v), 1);
    assert_int_equal(v[0], 0x07);
    assert_int_equal(fx_read(m, 0x04000204u, v, sizeof v), 1);
    assert_int_equal(v[0], 0x04);
    /* Day table 1: first slot 00:00 tariff 4 (NN mm hh = 04 00 00); 7 slots = 21 bytes. */
    assert_int_equal(fx_read(m, 0x04010001u, v, sizeof v), 21);
    assert_int_equal(prepay_dlt645_value_decode(0x04010001u, v, 21, &value), PREPAY_OK);
    assert_int_equal(value.count, 7);
    assert_int_equal(value.entries[2].first, 10);
    assert_int_equal(value.entries[2].number, 2);
    /* Purchase count after the last purchase (03330201): 1; amount 100.00. */
    assert_int_equal(fx_read(m, 0x03330201u, v, sizeof v), 2);
    assert_int_equal(fx_bcd(v, 2), 1);
    assert_int_equal(fx_read(m, 0x03330301u, v, sizeof v), 4);
    assert_int_equal(fx_bcd(v, 4), 10000);
    /* Unknown to this meter: asset code 04000403. */
    assert_int_equal(fx_read(m, 0x04000403u, v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
}

static void test_addressing(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_dlt645_frame_t req, rep;
    uint8_t out[PREPAY_DLT645_FRAME_MAX];
    /* Another meter's address: ignored. */
    prepay_dlt645_address_t other;
    assert_int_equal(prepay_dlt645_address_from_string("000000193601", 12, &other), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read(&req, &other, 0x00010000u), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    /* Broadcast read: no reply. */
    prepay_dlt645_address_t bc = prepay_dlt645_address_broadcast();
    assert_int_equal(prepay_dlt645_request_read(&req, &bc, 0x00010000u), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    /* All-AA read: the reply carries the real address. */
    prepay_dlt645_address_t wild = prepay_dlt645_address_wildcard();
    assert_int_equal(prepay_dlt645_request_read(&req, &wild, 0x00010000u), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_memory_equal(rep.address.bytes, m->address.bytes, 6);
    prepay_dlt645_read_reply_t rr;
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
    /* Short addressing AA in the high bytes: matches. */
    prepay_dlt645_address_t shortcut;
    assert_int_equal(prepay_dlt645_address_from_string("AAAAAA193600", 12, &shortcut), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read(&req, &shortcut, 0x00010000u), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    /* ...but not when the digits differ. */
    assert_int_equal(prepay_dlt645_address_from_string("AAAAAA193601", 12, &shortcut), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read(&req, &shortcut, 0x00010000u), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    /* Read address (13) with all AA. */
    assert_int_equal(prepay_dlt645_request_read_address(&req), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    prepay_dlt645_address_t got;
    assert_int_equal(prepay_dlt645_reply_read_address(&req, &rep, &got), PREPAY_OK);
    assert_memory_equal(got.bytes, m->address.bytes, 6);
    /* A write sent with wildcards or to broadcast is ignored and changes nothing. */
    prepay_meter_t before = *m;
    prepay_dlt645_credentials_t c = FX_PW2;
    uint8_t amount[4] = {0x00, 0x30, 0x00, 0x00};
    assert_int_equal(prepay_dlt645_request_write(&req, &wild, 0x04001001u, &c, amount, 4), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    assert_int_equal(prepay_dlt645_request_write(&req, &bc, 0x04001001u, &c, amount, 4), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    assert_memory_equal(&before, m, sizeof before);
    /* A reply frame and a bad checksum: no reply (a 1997 read is answered in
     * the 1997 edition: tests/meter/test_meter_field.c). */
    prepay_dlt645_address_t own = m->address;
    assert_int_equal(prepay_dlt645_request_read(&req, &own, 0x00010000u), PREPAY_OK);
    uint8_t wire[64];
    int n = prepay_dlt645_encode(&req, wire, sizeof wire);
    wire[n - 2] ^= 0x01; /* checksum */
    assert_int_equal(prepay_meter_handle(m, m->clock, wire, (size_t)n, out, sizeof out), 0);
    assert_int_equal(prepay_dlt645_request_read_1997(&req, &own, 0x9010), PREPAY_OK);
    int n97 = send_raw(m, &req, out, sizeof out);
#if PREPAY_METER_DLT645_1997
    assert_true(n97 > 0);
    prepay_dlt645_frame_t reply97;
    assert_int_equal(prepay_dlt645_decode(out, (size_t)n97, &reply97), n97);
    assert_int_equal(reply97.control, 0x81);
#else
    assert_int_equal(n97, 0); /* a 2007-only meter: no reply to a 1997 frame */
#endif
    uint8_t none[1] = {0};
    assert_int_equal(prepay_dlt645_frame_init(&req, PREPAY_DLT645_EDITION_2007, &own, 0x93, m->address.bytes, 6),
                     PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    assert_int_equal(prepay_meter_handle(m, m->clock, none, 0, out, sizeof out), 0);
    assert_memory_equal(&before, m, sizeof before);
}

static void test_write_passwords(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    uint8_t amount[4] = {0x00, 0x30, 0x00, 0x00}; /* 30.00 */
    /* Right password, level 02: accepted; a programming event is recorded. */
    assert_int_equal(fx_write(m, 0x04001001u, FX_PW2, amount, 4), 0);
    assert_int_equal(m->purse.alarm1, 3000);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_PROGRAMMING], 1);
    uint8_t v[64];
    assert_int_equal(fx_read(m, 0x03300001u, v, sizeof v), 50); /* programming record */
    assert_int_equal(fx_read(m, 0x03300000u, v, sizeof v), 3);
    assert_int_equal(fx_bcd(v, 3), 1);
    /* Right password of level 04 for a level-02 item: unauthorised (bit 2), not counted, nothing changed. */
    amount[1] = 0x40;
    prepay_meter_t before = *m;
    assert_int_equal(fx_write(m, 0x04001001u, FX_PW4, amount, 4), PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_memory_equal(&before, m, sizeof before);
    /* A level not plaintext (98, ESAM): unauthorised. */
    assert_int_equal(fx_write(m, 0x04001001u, fx_credentials(0x98, 0x22), amount, 4), PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_memory_equal(&before, m, sizeof before);
    /* Wrong password: bit 2, counter + 1, the item unchanged. */
    assert_int_equal(fx_write(m, 0x04001001u, fx_credentials(2, 0x21), amount, 4), PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_int_equal(m->password_failures, 1);
    assert_int_equal(m->password_failures_today, 1);
    assert_int_equal(m->purse.alarm1, 3000);
    /* Level 04 may write the time (a level-04 item), and so may level 02. */
    uint8_t hms[3] = {0x56, 0x34, 0x12}; /* 12:34:56 */
    assert_int_equal(fx_write(m, 0x04000102u, FX_PW4, hms, 3), 0);
    assert_int_equal(m->clock, fx_time(2024, 3, 1, 12, 34, 56));
    /* A bad value: other error, nothing changed (alarm 1 below alarm 2). */
    uint8_t low[4] = {0x00, 0x05, 0x00, 0x00};
    before = *m;
    assert_int_equal(fx_write(m, 0x04001001u, FX_PW2, low, 4), PREPAY_DLT645_ERROR_OTHER);
    assert_memory_equal(&before, m, sizeof before);
    /* An item the meter does not have: no data. */
    assert_int_equal(fx_write(m, 0x04000403u, FX_PW2, low, 4), PREPAY_DLT645_ERROR_NO_DATA);
    /* Five wrong passwords in a day lock every password until the next day. */
    for (int i = 0; i < PREPAY_METER_PASSWORD_TRIES - 1; i++) {
        assert_int_equal(fx_write(m, 0x04001001u, fx_credentials(2, 0x00), amount, 4),
                         PREPAY_DLT645_ERROR_UNAUTHORISED);
    }
    assert_int_equal(m->password_failures, PREPAY_METER_PASSWORD_TRIES);
    assert_int_equal(fx_write(m, 0x04001001u, FX_PW2, amount, 4), PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_int_equal(m->purse.alarm1, 3000);
    assert_int_equal(prepay_meter_advance(m, 86400, NULL), PREPAY_OK);
    assert_int_equal(fx_write(m, 0x04001001u, FX_PW2, amount, 4), 0);
    assert_int_equal(m->purse.alarm1, 4000);
}

static void test_recharge_over_the_wire(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    /* 123.45 yuan, count 1: accepted. */
    assert_int_equal(fx_recharge(m, FX_PW2, 12345, 1), 0);
    assert_int_equal(m->purse.balance, 12345);
    assert_int_equal(m->purse.purchase_count, 1);
    /* Same count again: the documented repeat reply is a normal 94, and nothing changes. */
    prepay_meter_t before = *m;
    assert_int_equal(fx_recharge(m, FX_PW2, 12345, 1), 0);
    assert_memory_equal(&before, m, sizeof before);
    /* Count 3 (meter has 1): refused with error bit 0. */
    assert_int_equal(fx_recharge(m, FX_PW2, 100, 3), PREPAY_DLT645_ERROR_OTHER);
    assert_memory_equal(&before, m, sizeof before);
    /* Wrong password: refused, only the counters change. */
    assert_int_equal(fx_recharge(m, fx_credentials(2, 0x99), 100, 2), PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_int_equal(m->purse.balance, 12345);
    /* Level 04 may not recharge. */
    assert_int_equal(fx_recharge(m, FX_PW4, 100, 2), PREPAY_DLT645_ERROR_UNAUTHORISED);
    /* Hoarding limit 200.00: 123.45 + 100.00 refused; 76.55 accepted exactly to the limit. */
    uint8_t limit[4] = {0x00, 0x00, 0x02, 0x00};
    assert_int_equal(fx_write(m, 0x04001004u, FX_PW2, limit, 4), 0);
    assert_int_equal(fx_recharge(m, FX_PW2, 10000, 2), PREPAY_DLT645_ERROR_OTHER);
    assert_int_equal(m->purse.balance, 12345);
    assert_int_equal(fx_recharge(m, FX_PW2, 7655, 2), 0);
    assert_int_equal(m->purse.balance, 20000);
    /* Malformed data (7 bytes, or non-BCD): other error. */
    uint8_t bad[8] = {0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x0A};
    assert_int_equal(fx_write(m, PREPAY_METER_DI_RECHARGE, FX_PW2, bad, 7), PREPAY_DLT645_ERROR_OTHER);
    assert_int_equal(fx_write(m, PREPAY_METER_DI_RECHARGE, FX_PW2, bad, 8), PREPAY_DLT645_ERROR_OTHER);
    assert_int_equal(m->purse.purchase_count, 2);
}

static void test_broadcast_time_and_freeze(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_dlt645_frame_t req, rep;
    uint8_t out[PREPAY_DLT645_FRAME_MAX];
    prepay_time_t t0 = m->clock;
    /* +2 min: accepted, no reply. */
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, t0 + 120), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    assert_int_equal(m->clock, t0 + 120);
    /* +10 min: beyond the +-5 min limit: ignored. */
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, t0 + 720), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    assert_int_equal(m->clock, t0 + 120);
    /* Time sync sent to the meter's own address: ignored (broadcast only). */
    prepay_dlt645_address_t own_address = m->address;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, t0 + 60), PREPAY_OK);
    req.address = own_address;
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    assert_int_equal(m->clock, t0 + 120);
    /* Back 1 min (a clock set back): accepted; energy used before the priced position waits. */
    assert_int_equal(prepay_meter_advance(m, 60, NULL), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, m->clock - 60), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    assert_int_equal(m->clock, t0 + 120);
    /* Broadcast freeze 99999999: instant freeze, no reply. */
    prepay_dlt645_address_t bc = prepay_dlt645_address_broadcast();
    assert_int_equal(prepay_dlt645_request_freeze(&req, &bc, 99, 99, 99, 99), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0);
    assert_int_equal(m->instant_freeze.time, t0 + 120);
    uint8_t v[32];
    assert_int_equal(fx_read(m, 0x05010001u, v, sizeof v), 5);
    /* Addressed freeze: 96 reply; sets the timed freeze at 12:30 every day. */
    prepay_dlt645_address_t own = m->address;
    assert_int_equal(prepay_dlt645_request_freeze(&req, &own, 30, 12, 99, 99), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(m, 13 * 3600, NULL), PREPAY_OK);
    assert_int_equal(m->instant_freeze.time, fx_time(2024, 3, 1, 12, 30, 0));
}

static void test_baud_password_address(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t own = m->address;
    /* Baud 9600: reply 97 with Z = 20. */
    assert_int_equal(prepay_dlt645_request_change_baud(&req, &own, 9600), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    uint32_t baud = 0;
    assert_int_equal(prepay_dlt645_reply_change_baud(&req, &rep, &baud), PREPAY_OK);
    assert_int_equal(baud, 9600);
    assert_int_equal(m->baud_feature, PREPAY_DLT645_BAUD_9600);
    /* A bad feature word: error bit 3. */
    uint8_t z = 0x18;
    assert_int_equal(prepay_dlt645_frame_init(&req, PREPAY_DLT645_EDITION_2007, &own, 0x17, &z, 1), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_true(rep.abnormal);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_BAUD);
    /* Change the level-2 password with the old one. */
    prepay_dlt645_credentials_t old = FX_PW2;
    prepay_dlt645_credentials_t new_pw = fx_credentials(2, 0x57);
    assert_int_equal(prepay_dlt645_request_change_password(&req, &own, &old, &new_pw), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    uint8_t amount[4] = {0x00, 0x30, 0x00, 0x00};
    assert_int_equal(fx_write(m, 0x04001001u, FX_PW2, amount, 4), PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_int_equal(fx_write(m, 0x04001001u, new_pw, amount, 4), 0);
    /* Level 04 cannot change the level-2 password. */
    prepay_dlt645_credentials_t weak = FX_PW4;
    assert_int_equal(prepay_dlt645_request_change_password(&req, &own, &weak, &old), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_UNAUTHORISED);
    /* Write address without the programming key: silent to a wildcard (every meter on the bus would
     * answer), unauthorised to its own address; with the key the reply comes from the new address. */
    prepay_dlt645_address_t next;
    assert_int_equal(prepay_dlt645_address_from_string("000000000042", 12, &next), PREPAY_OK);
    prepay_dlt645_address_t wild = prepay_dlt645_address_wildcard();
    assert_int_equal(prepay_dlt645_request_write_address(&req, &own, &next), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_int_equal(prepay_dlt645_request_write_address(&req, &wild, &next), PREPAY_OK);
    assert_int_equal(fx_send(m, &req, &rep), 0);
    assert_memory_equal(m->address.bytes, own.bytes, 6);
    assert_int_equal(prepay_meter_set_programming_key(m, true), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_false(rep.abnormal);
    assert_memory_equal(m->address.bytes, next.bytes, 6);
    assert_memory_equal(rep.address.bytes, next.bytes, 6);
}

static void test_clears(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_meter_load_t load = fx_constant(1000);
    assert_int_equal(prepay_meter_advance(m, 3600, &load), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, true), PREPAY_OK);
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t own = m->address;
    prepay_dlt645_credentials_t c = FX_PW2;
    prepay_dlt645_credentials_t wrong = fx_credentials(2, 0x01);
    /* Wrong password: nothing cleared. */
    assert_int_equal(prepay_dlt645_request_clear_meter(&req, &own, &wrong), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_int_equal(m->forward[0], 1000);
    /* Clear events for the cover only. */
    assert_int_equal(prepay_dlt645_request_clear_events(&req, &own, &c, 0x03300D00u), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_COVER_OPEN], 0);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_CLEAR_EVENTS], 1);
    /* Clear meter: registers to zero, purse kept. */
    assert_int_equal(prepay_dlt645_request_clear_meter(&req, &own, &c), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    assert_int_equal(m->forward[0], 0);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_CLEAR_METER], 1);
    assert_int_equal(m->purse.purchase_count, 1);
    /* Clear demand: counted. */
    assert_int_equal(prepay_dlt645_request_clear_demand(&req, &own, &c), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_CLEAR_DEMAND], 1);
}

static void test_relay_over_the_wire(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t own = m->address;
    prepay_dlt645_credentials_t c = FX_PW2;
    assert_int_equal(prepay_dlt645_request_relay_control(&req, &own, &c, PREPAY_DLT645_RELAY_TRIP, m->clock + 300),
                     PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(prepay_dlt645_reply_ack(&req, &rep), PREPAY_OK);
    assert_true(m->relay & PREPAY_METER_RELAY_OPEN);
    /* Trip record: time and operator code 78 56 34 12 (1D000101, 1D000201); trip count 1. */
    uint8_t v[16];
    assert_int_equal(fx_read(m, 0x1D000001u, v, sizeof v), 3);
    assert_int_equal(fx_bcd(v, 3), 1);
    assert_int_equal(fx_read(m, 0x1D000201u, v, sizeof v), 4);
    assert_memory_equal(v, c.operator_code, 4);
    assert_int_equal(fx_read(m, 0x1D000101u, v, sizeof v), 6);
    prepay_dlt645_value_t value;
    assert_int_equal(prepay_dlt645_value_decode(0x1D000101u, v, 6, &value), PREPAY_OK);
    assert_int_equal(value.time, m->clock);
    /* Wrong password: unauthorised, relay unchanged. */
    prepay_dlt645_credentials_t wrong = fx_credentials(2, 0x23);
    assert_int_equal(
        prepay_dlt645_request_relay_control(&req, &own, &wrong, PREPAY_DLT645_RELAY_DIRECT_CLOSE, m->clock + 300),
        PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_true(m->relay & PREPAY_METER_RELAY_OPEN);
    /* Expired: other error. */
    assert_int_equal(
        prepay_dlt645_request_relay_control(&req, &own, &c, PREPAY_DLT645_RELAY_DIRECT_CLOSE, m->clock - 1),
        PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_OTHER);
    assert_true(m->relay & PREPAY_METER_RELAY_OPEN);
    /* Direct close. */
    assert_int_equal(
        prepay_dlt645_request_relay_control(&req, &own, &c, PREPAY_DLT645_RELAY_DIRECT_CLOSE, m->clock + 300),
        PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_false(m->relay & PREPAY_METER_RELAY_OPEN);
    /* Status word 3: relay closed (bit 4 clear), money-type (bits 8-9 = 10). */
    assert_int_equal(fx_read(m, 0x04000503u, v, sizeof v), 2);
    assert_int_equal(v[0] & 0x10, 0);
    assert_int_equal(v[1] & 0x03, 0x02);
}

static void test_table_and_price_writes(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
#if !PREPAY_METER_TARIFF_WRITES
    /* Tariff-programming writes left out: refused as into a set bound read-only, nothing changes. */
    uint8_t price[4] = {0x00, 0x60, 0x00, 0x00};
    prepay_price_t flat = fx_tariff.prices.band_price[2];
    assert_int_equal(fx_write(m, 0x04050103u, FX_PW2, price, 4), PREPAY_DLT645_ERROR_UNAUTHORISED);
    uint8_t two[6] = {0x04, 0x00, 0x00, 0x02, 0x00, 0x12};
    assert_int_equal(fx_write(m, 0x04010001u, FX_PW2, two, 6), PREPAY_DLT645_ERROR_UNAUTHORISED);
    uint8_t count = 0x04;
    assert_int_equal(fx_write(m, 0x04000204u, FX_PW2, &count, 1), PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_int_equal(fx_tariff.prices.band_price[2], flat);
#else
    /* Flat price 0.5000 -> 0.6000. */
    uint8_t price[4] = {0x00, 0x60, 0x00, 0x00};
    assert_int_equal(fx_write(m, 0x04050103u, FX_PW2, price, 4), 0);
    assert_int_equal(fx_tariff.prices.band_price[2], FX_PRICE(6000));
    /* Level 04 may not write prices. */
    assert_int_equal(fx_write(m, 0x04050103u, FX_PW4, price, 4), PREPAY_DLT645_ERROR_UNAUTHORISED);
    /* Day table 1 with 15 slots: too many day slots (bit 5). */
    uint8_t slots[45];
    for (int i = 0; i < 15; i++) {
        slots[3 * i] = 0x03;
        slots[3 * i + 1] = 0x00;
        fx_put_bcd((uint64_t)i, &slots[3 * i + 2], 1);
    }
    assert_int_equal(fx_write(m, 0x04010001u, FX_PW2, slots, 45), PREPAY_DLT645_ERROR_DAY_SLOTS);
    /* Tariff 7 in a slot: too many tariffs (bit 6). */
    uint8_t one[3] = {0x07, 0x00, 0x00};
    assert_int_equal(fx_write(m, 0x04010001u, FX_PW2, one, 3), PREPAY_DLT645_ERROR_TARIFFS);
    /* Slots out of order: invalid by the tariff engine: other error, table unchanged. */
    uint8_t disorder[6] = {0x03, 0x00, 0x12, 0x04, 0x00, 0x06};
    prepay_tou_day_table_t before = fx_tariff.schedule.day_tables[0];
    assert_int_equal(fx_write(m, 0x04010001u, FX_PW2, disorder, 6), PREPAY_DLT645_ERROR_OTHER);
    assert_memory_equal(&before, &fx_tariff.schedule.day_tables[0], sizeof before);
    /* Two slots: valley from 00:00, peak from 12:00. */
    uint8_t two[6] = {0x04, 0x00, 0x00, 0x02, 0x00, 0x12};
    assert_int_equal(fx_write(m, 0x04010001u, FX_PW2, two, 6), 0);
    assert_int_equal(fx_tariff.schedule.day_tables[0].slot_count, 2);
    assert_int_equal(fx_tariff.schedule.day_tables[0].slots[1].start_minute, 720);
    /* Ladder: value 1 = 200.00 kWh, price 2 = 0.0500: two tiers, uniform surcharge. */
    uint8_t ladder[4] = {0x00, 0x00, 0x02, 0x00};
    assert_int_equal(fx_write(m, 0x04060001u, FX_PW2, ladder, 4), 0);
    uint8_t surcharge[4] = {0x00, 0x05, 0x00, 0x00};
    assert_int_equal(fx_write(m, 0x04060102u, FX_PW2, surcharge, 4), 0);
    assert_int_equal(fx_tariff.tier_count, 2);
    assert_int_equal(fx_tariff.ladders[0].upper[0], 200000);
    assert_int_equal(fx_tariff.prices.tier_surcharge[1], FX_PRICE(500));
    uint8_t v[8];
    assert_int_equal(fx_read(m, 0x04060001u, v, sizeof v), 4);
    assert_int_equal(fx_bcd(v, 4), 20000);
    /* Bound read-only: price writes are unauthorised. */
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, NULL, false, NULL, NULL), PREPAY_OK);
    assert_int_equal(fx_write(m, 0x04050103u, FX_PW2, price, 4), PREPAY_DLT645_ERROR_UNAUTHORISED);
    /* Set 2 absent: no data. */
    assert_int_equal(fx_read(m, 0x04050201u, v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
#endif
}

/* A server may hold hourly day tables (PREPAY_MAX_DAY_SLOTS > 14); a meter
 * holds at most 14 slots (DL/T 645-2007 04000203) and refuses more, clearly. */
static void test_more_slots_than_a_meter_holds(void **state)
{
    (void)state;
#if PREPAY_MAX_DAY_SLOTS > 14
    prepay_meter_t *m = fx_setup();
    static prepay_tariff_t hourly; /* static: the tariff is large */
    fx_make_tariff(&hourly);
    prepay_tou_day_table_t *d = &hourly.schedule.day_tables[0];
    memset(d, 0, sizeof *d);
    for (int h = 0; h < 24 && h < PREPAY_MAX_DAY_SLOTS; h++) { /* hourly: 15..24 slots */
        fx_slot(d, h, 0, 1 + h % 2);
    }
    assert_int_equal(prepay_tariff_validate(&hourly), PREPAY_OK); /* a valid server tariff */
    assert_int_equal(prepay_meter_bind(m, &hourly, NULL, true, NULL, NULL), PREPAY_E_METER_DAY_SLOTS);
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, &hourly, true, NULL, NULL), PREPAY_E_METER_DAY_SLOTS);
    assert_ptr_equal(m->sets[0], &fx_tariff); /* unchanged */
    assert_null(m->sets[1]);
    /* 14 slots still bind. */
    d->slot_count = 14;
    assert_int_equal(prepay_tariff_validate(&hourly), PREPAY_OK);
    assert_int_equal(prepay_meter_bind(m, &hourly, NULL, false, NULL, NULL), PREPAY_OK);
    uint8_t v[128];
    assert_int_equal(fx_read(m, 0x04010001u, v, sizeof v), 42);
    /* A shared set grown behind the meter's back: the read is refused, not truncated. */
    d->slot_count = 15;
    assert_int_equal(prepay_meter_read(m, 0x04010001u, v, sizeof v), PREPAY_E_METER_DAY_SLOTS);
    assert_int_equal(fx_read(m, 0x04010001u, v, sizeof v), -(int)PREPAY_DLT645_ERROR_DAY_SLOTS);
    /* A station writing 15 slots gets error bit 5 and the table stays as it was. */
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, NULL, true, NULL, NULL), PREPAY_OK);
    uint8_t slots[45];
    for (int i = 0; i < 15; i++) {
        slots[3 * i] = 0x01;
        slots[3 * i + 1] = 0x00;
        fx_put_bcd((uint64_t)i, &slots[3 * i + 2], 1);
    }
    assert_int_equal(fx_write(m, 0x04010001u, FX_PW2, slots, 45), PREPAY_DLT645_ERROR_DAY_SLOTS);
    assert_int_equal(fx_tariff.schedule.day_tables[0].slot_count, 7);
#else
    skip(); /* this configuration's day tables already fit a meter */
#endif
}

static void test_event_records_over_the_wire(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_time_t t0 = m->clock;
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, true), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(m, 90, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, false), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_POWER_DOWN, true), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_LOSS_OF_VOLTAGE, true), PREPAY_OK);
    uint8_t v[64];
    assert_int_equal(fx_read(m, 0x03300D00u, v, sizeof v), 3);
    assert_int_equal(fx_bcd(v, 3), 1);
    /* Cover record (60 bytes): start, end, energies absent. Decoded by the catalogue's record layout. */
    assert_int_equal(fx_read(m, 0x03300D01u, v, sizeof v), 60);
    prepay_dlt645_value_t fields[16];
    int count = prepay_dlt645_block_decode(0x03300D01u, v, 60, fields, 16);
    assert_true(count >= 2);
    assert_int_equal(fields[0].time, t0);
    assert_int_equal(fields[1].time, t0 + 90);
    assert_int_equal(fields[2].kind, PREPAY_DLT645_KIND_ABSENT);
    /* Power-down record while the power is still down: end time zero. */
    assert_int_equal(fx_read(m, 0x03110001u, v, sizeof v), 12);
    assert_int_equal(fx_read(m, 0x10000001u, v, sizeof v), 3);
    assert_int_equal(fx_bcd(v, 3), 1);
    assert_int_equal(fx_read(m, 0x10010101u, v, sizeof v), 6);
    /* The end of a lasting loss of voltage is not there yet; the 2nd-last cover record does not exist. */
    assert_int_equal(fx_read(m, 0x10012501u, v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
    assert_int_equal(fx_read(m, 0x03300D02u, v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
}

/* The meter's event and frozen records keep times as prepay_record_time_t (uint32 seconds since
 * 2000 with PREPAY_RECORD_TIME32, the firmware configuration): a cover opened in the last minutes
 * of 2099 (DL/T 645 two-digit years end there) and a freeze at 23:59:30 read back exactly. */
static void test_records_at_the_end_of_2099(void **state)
{
    (void)state;
    fx_make_tariff(&fx_tariff);
    prepay_dlt645_address_t a = fx_address();
    prepay_meter_t *m = &fx_meter;
    const prepay_time_t t0 = fx_time(2099, 12, 31, 23, 58, 0);
    assert_int_equal(prepay_meter_init(m, &a, t0), PREPAY_OK);
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, NULL, true, NULL, NULL), PREPAY_OK);
    assert_int_equal(sizeof m->records[0].start, PREPAY_RECORD_TIME32 ? 4u : 8u);
    assert_int_equal(sizeof m->daily[0].time, PREPAY_RECORD_TIME32 ? 4u : 8u);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, true), PREPAY_OK);
    assert_int_equal(prepay_meter_advance(m, 90, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, false), PREPAY_OK);
    uint8_t v[64];
    assert_int_equal(fx_read(m, 0x03300D01u, v, sizeof v), 60);
    static const uint8_t start_bcd[6] = {0x00, 0x58, 0x23, 0x31, 0x12, 0x99}; /* ss mm hh DD MM YY */
    static const uint8_t end_bcd[6] = {0x30, 0x59, 0x23, 0x31, 0x12, 0x99};
    assert_memory_equal(v, start_bcd, 6);
    assert_memory_equal(v + 6, end_bcd, 6);
    prepay_dlt645_frame_t req;
    prepay_dlt645_address_t bc = prepay_dlt645_address_broadcast();
    assert_int_equal(prepay_dlt645_request_freeze(&req, &bc, 99, 99, 99, 99), PREPAY_OK);
    uint8_t out[PREPAY_DLT645_FRAME_MAX];
    assert_int_equal(send_raw(m, &req, out, sizeof out), 0); /* broadcast: no reply */
    assert_int_equal(m->instant_freeze.time, t0 + 90);
}

static void test_small_reply_buffer(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_dlt645_frame_t req;
    prepay_dlt645_address_t own = m->address;
    prepay_dlt645_credentials_t c = FX_PW2;
    assert_int_equal(prepay_dlt645_request_relay_control(&req, &own, &c, PREPAY_DLT645_RELAY_TRIP, m->clock + 300),
                     PREPAY_OK);
    uint8_t out[8];
    prepay_meter_t before = *m;
    assert_int_equal(send_raw(m, &req, out, sizeof out), PREPAY_E_BUFFER_TOO_SMALL);
    assert_memory_equal(&before, m, sizeof before);
    assert_int_equal(prepay_dlt645_request_read(&req, &own, 0x0001FF00u), PREPAY_OK);
    assert_int_equal(send_raw(m, &req, out, sizeof out), PREPAY_E_BUFFER_TOO_SMALL);
}

#if !PREPAY_METER_LOAD_RECORDS
/* PREPAY_METER_LOAD_RECORDS 0 (the firmware configuration): the meter keeps no load records, so
 * every class-06 read, a follow-up read and the load-record parameters 04000901/04000A01..07 get
 * "no requested data" (DL/T 645-2007 error word bit 1), and no ring can be attached. */
static void test_no_load_records(void **state)
{
    (void)state;
    prepay_meter_t *m = funded_meter();
    prepay_meter_load_t load = fx_constant(2000);
    assert_int_equal(prepay_meter_advance(m, 2 * 3600, &load), PREPAY_OK); /* 8 quarter hours */
    uint8_t v[16];
    static const uint32_t parameters[] = {0x04000901u, 0x04000A01u, 0x04000A02u, 0x04000A07u};
    for (size_t i = 0; i < sizeof parameters / sizeof parameters[0]; i++) {
        assert_int_equal(fx_read(m, parameters[i], v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
    }
    uint8_t mode = 0x08, thirty[2] = {0x30, 0x00};
    assert_int_equal(fx_write(m, 0x04000901u, FX_PW2, &mode, 1), PREPAY_DLT645_ERROR_NO_DATA);
    assert_int_equal(fx_write(m, 0x04000A05u, FX_PW2, thirty, 2), PREPAY_DLT645_ERROR_NO_DATA);
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t a = m->address;
    static const prepay_load_record_mode_t modes[] = {PREPAY_LOAD_RECORD_EARLIEST, PREPAY_LOAD_RECORD_FROM_TIME,
                                                      PREPAY_LOAD_RECORD_LATEST};
    for (unsigned cls = 0; cls <= 6; cls += 3) {
        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(prepay_load_record_request(&req, &a, cls, modes[i], 4, m->clock - 3600), PREPAY_OK);
            assert_true(fx_send(m, &req, &rep) > 0);
            assert_true(rep.abnormal);
            assert_int_equal(rep.error, PREPAY_DLT645_ERROR_NO_DATA);
        }
    }
    assert_int_equal(prepay_dlt645_request_read_follow_up(&req, &a, 0x06000000u, 1), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_true(rep.abnormal);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_NO_DATA);
    /* The API says the same: no ring is taken, no parameters are kept, no record is found. */
    static prepay_load_record_t records[4];
    prepay_meter_load_ring_t ring;
    assert_int_equal(prepay_meter_load_ring_init(&ring, records, 4), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(m, &ring), PREPAY_E_NOT_FOUND);
    assert_int_equal(prepay_meter_attach_load_ring(m, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(NULL, NULL), PREPAY_E_INVALID_ARGUMENT);
    static const uint16_t every15[PREPAY_LOAD_RECORD_CLASSES] = {15, 15, 15, 15, 15, 15};
    assert_int_equal(prepay_meter_set_load_profile(m, 0x3F, 0, every15), PREPAY_E_NOT_FOUND);
    size_t n = 99;
    assert_int_equal(prepay_meter_load_records(m, 0x06000000u, 4, 0, records, 4, &n), PREPAY_E_NOT_FOUND);
    assert_int_equal(n, 99);
    assert_int_equal(prepay_meter_load_records(m, 0x06000000u, 0, 0, records, 4, &n), PREPAY_E_INVALID_ARGUMENT);
}
#endif

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_energy_round_trip),
        cmocka_unit_test(test_read_instant_and_parameters),
        cmocka_unit_test(test_addressing),
        cmocka_unit_test(test_write_passwords),
        cmocka_unit_test(test_recharge_over_the_wire),
        cmocka_unit_test(test_broadcast_time_and_freeze),
        cmocka_unit_test(test_baud_password_address),
        cmocka_unit_test(test_clears),
        cmocka_unit_test(test_relay_over_the_wire),
        cmocka_unit_test(test_table_and_price_writes),
        cmocka_unit_test(test_more_slots_than_a_meter_holds),
        cmocka_unit_test(test_event_records_over_the_wire),
        cmocka_unit_test(test_small_reply_buffer),
        cmocka_unit_test(test_records_at_the_end_of_2099),
#if !PREPAY_METER_LOAD_RECORDS
        cmocka_unit_test(test_no_load_records),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
