/* SPDX-License-Identifier: MIT */
/*
 * Fixtures shared by the meter tests: a 4-band TOU tariff with hand-checked
 * prices, a meter bound to it, and helpers that send frames built by the
 * protocol module's request builders through prepay_meter_handle() and
 * decode the reply with the protocol module's codec.
 *
 * Day table (every day, one season from 1 January):
 *   00:00 valley (4)  08:00 flat (3)  10:00 peak (2)  12:00 flat (3)
 *   18:00 peak (2)    21:00 flat (3)  23:00 valley (4)
 * Prices (yuan/kWh): sharp 1.0000, peak 0.8000, flat 0.5000, valley 0.3000.
 */
#ifndef METER_FIXTURES_H
#define METER_FIXTURES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/civil_time.h"
#include "prepay/dlt645.h"
#include "prepay/meter.h"
#include "prepay/tariff.h"

#define FX_PRICE(yuan_e4) ((prepay_price_t)(yuan_e4) * 10000) /* XXXX.XXXX yuan -> 1e-8 */

static prepay_tariff_t fx_tariff __attribute__((unused)); /* static: the tariff is large */
static prepay_tariff_t fx_tariff_b __attribute__((unused));
static prepay_meter_t fx_meter __attribute__((unused));

static inline prepay_time_t fx_time(int year, int month, int day, int hour, int minute, int second)
{
    prepay_civil_t c;
    memset(&c, 0, sizeof c);
    c.year = year;
    c.month = (uint8_t)month;
    c.day = (uint8_t)day;
    c.hour = (uint8_t)hour;
    c.minute = (uint8_t)minute;
    c.second = (uint8_t)second;
    prepay_time_t t;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
    return t;
}

static inline void fx_slot(prepay_tou_day_table_t *d, int hour, int minute, int band)
{
    d->slots[d->slot_count].start_minute = (uint16_t)(hour * 60 + minute);
    d->slots[d->slot_count].band = (uint8_t)band;
    d->slot_count++;
}

static inline void fx_make_tariff(prepay_tariff_t *t)
{
    assert_int_equal(prepay_tariff_init(t), PREPAY_OK);
    t->band_count = 4;
    t->schedule.season_count = 1;
    t->schedule.seasons[0].start_month = 1;
    t->schedule.seasons[0].start_day = 1;
    t->schedule.day_table_count = 1;
    prepay_tou_day_table_t *d = &t->schedule.day_tables[0];
    memset(d, 0, sizeof *d);
    fx_slot(d, 0, 0, 4);
    fx_slot(d, 8, 0, 3);
    fx_slot(d, 10, 0, 2);
    fx_slot(d, 12, 0, 3);
    fx_slot(d, 18, 0, 2);
    fx_slot(d, 21, 0, 3);
    fx_slot(d, 23, 0, 4);
    t->prices.mode = PREPAY_PRICE_DIRECT;
    t->prices.band_price[0] = FX_PRICE(10000);
    t->prices.band_price[1] = FX_PRICE(8000);
    t->prices.band_price[2] = FX_PRICE(5000);
    t->prices.band_price[3] = FX_PRICE(3000);
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

static inline prepay_dlt645_address_t fx_address(void)
{
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string("000000193600", 12, &a), PREPAY_OK);
    return a;
}

/* A meter at 2024-03-01 00:00:00 (a Friday), bound to fx_tariff (writable), local mode. */
static inline prepay_meter_t *fx_setup(void)
{
    fx_make_tariff(&fx_tariff);
    prepay_dlt645_address_t a = fx_address();
    assert_int_equal(prepay_meter_init(&fx_meter, &a, fx_time(2024, 3, 1, 0, 0, 0)), PREPAY_OK);
    assert_int_equal(prepay_meter_bind(&fx_meter, &fx_tariff, NULL, true, NULL, NULL), PREPAY_OK);
    static const uint8_t pw2[3] = {0x22, 0x22, 0x22};
    static const uint8_t pw4[3] = {0x44, 0x44, 0x44};
    assert_int_equal(prepay_meter_set_password(&fx_meter, 2, pw2), PREPAY_OK);
    assert_int_equal(prepay_meter_set_password(&fx_meter, 4, pw4), PREPAY_OK);
    return &fx_meter;
}

static inline prepay_meter_load_t fx_constant(int32_t watts)
{
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_CONSTANT;
    load.watts = watts;
    return load;
}

static inline prepay_dlt645_credentials_t fx_credentials(uint8_t level, uint8_t byte)
{
    prepay_dlt645_credentials_t c;
    memset(&c, 0, sizeof c);
    c.level = level;
    c.password[0] = c.password[1] = c.password[2] = byte;
    c.operator_code[0] = 0x78;
    c.operator_code[1] = 0x56;
    c.operator_code[2] = 0x34;
    c.operator_code[3] = 0x12;
    return c;
}

/* Level-2 and level-4 credentials with the right passwords. */
#define FX_PW2 fx_credentials(2, 0x22)
#define FX_PW4 fx_credentials(4, 0x44)

/* Sends a request frame to the meter at its clock; returns the reply length (0 = none) and decodes it into *reply. */
static inline int fx_send(prepay_meter_t *m, const prepay_dlt645_frame_t *request, prepay_dlt645_frame_t *reply)
{
    uint8_t wire[PREPAY_DLT645_FRAME_MAX];
    uint8_t out[PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(request, wire, sizeof wire);
    assert_true(n > 0);
    int r = prepay_meter_handle(m, m->clock, wire, (size_t)n, out, sizeof out);
    assert_true(r >= 0);
    if (r > 0) {
        assert_int_equal(prepay_dlt645_decode(out, (size_t)r, reply), r);
        assert_true(reply->is_reply);
    }
    return r;
}

/* Reads a DI over the wire; returns the value length and copies the value; -error byte on an abnormal reply. */
static inline int fx_read(prepay_meter_t *m, uint32_t di, uint8_t *value, size_t cap)
{
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t a = m->address;
    assert_int_equal(prepay_dlt645_request_read(&req, &a, di), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    prepay_dlt645_read_reply_t rr;
    int status = prepay_dlt645_reply_read(&req, &rep, &rr);
    if (status == PREPAY_E_DLT645_ABNORMAL) {
        return -(int)rep.error;
    }
    assert_int_equal(status, PREPAY_OK);
    assert_true(rr.value_len <= cap);
    memcpy(value, rr.value, rr.value_len);
    return (int)rr.value_len;
}

/* Writes a DI over the wire; returns 0 for a normal reply, or the error byte of an abnormal reply. */
static inline int fx_write(prepay_meter_t *m, uint32_t di, prepay_dlt645_credentials_t c, const uint8_t *value,
                           size_t len)
{
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t a = m->address;
    assert_int_equal(prepay_dlt645_request_write(&req, &a, di, &c, value, len), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    int status = prepay_dlt645_reply_ack(&req, &rep);
    if (status == PREPAY_E_DLT645_ABNORMAL) {
        return (int)rep.error;
    }
    assert_int_equal(status, PREPAY_OK);
    return 0;
}

/* BCD helpers for expected values. */
static inline uint64_t fx_bcd(const uint8_t *b, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) {
        v = v * 100u + (uint64_t)((b[i] >> 4) * 10 + (b[i] & 0x0F));
    }
    return v;
}

static inline void fx_put_bcd(uint64_t v, uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned two = (unsigned)(v % 100u);
        b[i] = (uint8_t)(((two / 10u) << 4) | (two % 10u));
        v /= 100u;
    }
}

/* Recharge frame data: amount (fen) XXXXXX.XX + purchase count NNNNNNNN. */
static inline int fx_recharge(prepay_meter_t *m, prepay_dlt645_credentials_t c, uint64_t fen, uint64_t count)
{
    uint8_t v[8];
    fx_put_bcd(fen, v, 4);
    fx_put_bcd(count, v + 4, 4);
    return fx_write(m, PREPAY_METER_DI_RECHARGE, c, v, sizeof v);
}

#endif
