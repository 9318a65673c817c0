/* SPDX-License-Identifier: MIT */
/*
 * Station side against a simulated RS-485 bus of fake meters: replies in
 * arbitrary chunks with garbage around them, lost frames, silent meters,
 * abnormal replies, follow-up frames, collisions when several meters answer
 * one wildcard probe. Every request must end in a reply, a typed abnormal
 * reply or a timeout. Expected values are worked out from the bus script in
 * each test (no expectation is taken from the station's own output).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/bcd.h"
#include "prepay/station.h"

#define MAX_FAKE 16
#define DI_ADDRESS 0x04000401u
#define DI_ENERGY 0x00010000u   /* forward active total */
#define DI_RECORDS 0x06000001u  /* a read answered in follow-up frames */

typedef struct fake_meter {
    prepay_dlt645_address_t address;
    uint32_t energy_bcd;     /* 0.01 kWh as a number, sent as 4 BCD bytes */
    int lose_first;          /* ignore this many requests before answering */
    bool silent;             /* never answers */
    uint8_t abnormal_error;  /* non-zero: answer every request with this error */
    int follow_up_frames;    /* frames of DI_RECORDS data (each 3 bytes) */
} fake_meter_t;

typedef struct fake_bus {
    fake_meter_t meters[MAX_FAKE];
    size_t count;
    uint8_t reply[1024];
    size_t reply_len;
    int requests_seen;
    size_t chunk; /* delivery chunk size */
} fake_bus_t;

static prepay_dlt645_address_t addr(const char *text)
{
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string(text, 12, &a), PREPAY_OK);
    return a;
}

static void put_di(uint8_t *out, uint32_t di)
{
    out[0] = (uint8_t)di;
    out[1] = (uint8_t)(di >> 8);
    out[2] = (uint8_t)(di >> 16);
    out[3] = (uint8_t)(di >> 24);
}

static void append_frame(fake_bus_t *bus, const prepay_dlt645_address_t *a, uint8_t control, const uint8_t *data,
                         size_t len)
{
    prepay_dlt645_frame_t f;
    assert_int_equal(prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, a, control, data, len), PREPAY_OK);
    f.preamble = 2;
    int n = prepay_dlt645_encode(&f, bus->reply + bus->reply_len, sizeof bus->reply - bus->reply_len);
    assert_true(n > 0);
    bus->reply_len += (size_t)n;
}

/* One meter's answer to a decoded request, appended to the bus reply. */
static void answer(fake_bus_t *bus, fake_meter_t *m, const prepay_dlt645_frame_t *req)
{
    uint8_t data[64];
    if (m->abnormal_error) {
        data[0] = m->abnormal_error;
        append_frame(bus, &m->address, (uint8_t)(req->function | 0xC0u), data, 1);
        return;
    }
    if (req->function == PREPAY_DLT645_FN_WRITE) {
        append_frame(bus, &m->address, 0x94, NULL, 0);
        return;
    }
    if (req->function == PREPAY_DLT645_FN_READ && req->di == DI_ADDRESS) {
        put_di(data, DI_ADDRESS);
        memcpy(data + 4, m->address.bytes, 6);
        append_frame(bus, &m->address, 0x91, data, 10);
        return;
    }
    if (req->function == PREPAY_DLT645_FN_READ && req->di == DI_ENERGY) {
        put_di(data, DI_ENERGY);
        assert_int_equal(prepay_bcd_encode(m->energy_bcd, data + 4, 4), PREPAY_OK);
        append_frame(bus, &m->address, 0x91, data, 8);
        return;
    }
    /* DI_RECORDS: frame k (0-based) carries bytes k*3+1, k*3+2, k*3+3. */
    int k = req->function == PREPAY_DLT645_FN_READ ? 0 : req->data[4];
    bool more = k + 1 < m->follow_up_frames;
    put_di(data, DI_RECORDS);
    for (int i = 0; i < 3; i++) {
        data[4 + i] = (uint8_t)(k * 3 + i + 1);
    }
    size_t len = 7;
    uint8_t control;
    if (req->function == PREPAY_DLT645_FN_READ) {
        control = more ? 0xB1 : 0x91;
    } else {
        data[len++] = (uint8_t)k; /* SEQ */
        control = more ? 0xB2 : 0x92;
    }
    append_frame(bus, &m->address, control, data, len);
}

/* The bus hears a frame: every matching meter answers; two or more collide. */
static void bus_hear(fake_bus_t *bus, const uint8_t *tx, size_t len)
{
    prepay_dlt645_frame_t req;
    assert_true(prepay_dlt645_decode(tx, len, &req) > 0);
    bus->requests_seen++;
    bus->reply_len = 0;
    /* Line noise before any reply. */
    const uint8_t noise[] = {0x00, 0x68, 0x12, 0xFF};
    memcpy(bus->reply, noise, sizeof noise);
    bus->reply_len = sizeof noise;
    if (prepay_dlt645_address_is_broadcast(&req.address)) {
        bus->reply_len = 0;
        return;
    }
    int answering = 0;
    for (size_t i = 0; i < bus->count; i++) {
        fake_meter_t *m = &bus->meters[i];
        if (!prepay_dlt645_address_matches(&req.address, &m->address) || m->silent) {
            continue;
        }
        if (m->lose_first > 0) {
            m->lose_first--;
            continue;
        }
        answer(bus, m, &req);
        answering++;
    }
    if (answering > 1) {
        /* Simultaneous replies garble each other: no byte survives intact. */
        for (size_t i = 0; i < bus->reply_len; i++) {
            bus->reply[i] ^= 0x5A;
        }
    }
    if (answering == 0) {
        bus->reply_len = 0;
    }
}

/* Runs a session step sequence until DONE; returns the result. */
static prepay_station_result_t drive(fake_bus_t *bus, prepay_station_session_t *s, prepay_station_step_t step,
                                     uint8_t *tx, uint64_t *now)
{
    for (int guard = 0; guard < 1000; guard++) {
        if (step.action == PREPAY_STATION_DONE) {
            prepay_station_result_t r;
            assert_int_equal(prepay_station_result(s, &r), PREPAY_OK);
            return r;
        }
        if (step.action == PREPAY_STATION_SEND) {
            bus_hear(bus, tx, step.send_len);
            step.action = PREPAY_STATION_WAIT; /* sent: the session now waits */
            if (bus->reply_len > 0) {
                *now += 40; /* the meter answers after 40 ms */
                size_t off = 0;
                while (off < bus->reply_len && step.action == PREPAY_STATION_WAIT) {
                    size_t n = bus->reply_len - off < bus->chunk ? bus->reply_len - off : bus->chunk;
                    assert_int_equal(prepay_station_receive(s, bus->reply + off, n, *now, tx, PREPAY_STATION_TX_MAX,
                                                            &step),
                                     PREPAY_OK);
                    off += n;
                }
                if (step.action == PREPAY_STATION_SEND || step.action == PREPAY_STATION_DONE) {
                    continue;
                }
            }
        }
        if (step.action == PREPAY_STATION_WAIT) {
            if (step.wake_at_ms > *now) {
                *now = step.wake_at_ms;
            }
            assert_int_equal(prepay_station_poll(s, *now, tx, PREPAY_STATION_TX_MAX, &step), PREPAY_OK);
        }
    }
    fail_msg("session never finished");
    prepay_station_result_t never;
    memset(&never, 0, sizeof never);
    return never;
}

static void setup_bus(fake_bus_t *bus, size_t chunk)
{
    memset(bus, 0, sizeof *bus);
    bus->chunk = chunk;
}

static fake_meter_t *add_meter(fake_bus_t *bus, const char *address)
{
    fake_meter_t *m = &bus->meters[bus->count++];
    memset(m, 0, sizeof *m);
    m->address = addr(address);
    return m;
}

static void test_read_in_any_chunks(void **state)
{
    (void)state;
    for (size_t chunk = 1; chunk <= 40; chunk++) {
        fake_bus_t bus;
        setup_bus(&bus, chunk);
        add_meter(&bus, "000000001234")->energy_bcd = 123456; /* 1234.56 kWh */
        add_meter(&bus, "000000005678")->energy_bcd = 1;
        prepay_station_session_t s;
        assert_int_equal(prepay_station_init(&s, NULL), PREPAY_OK);
        uint8_t tx[PREPAY_STATION_TX_MAX], data[16];
        uint64_t now = 1000;
        prepay_dlt645_frame_t req;
        prepay_dlt645_address_t a = addr("000000001234");
        assert_int_equal(prepay_dlt645_request_read(&req, &a, DI_ENERGY), PREPAY_OK);
        prepay_station_step_t step;
        assert_int_equal(prepay_station_start(&s, &req, data, sizeof data, now, tx, sizeof tx, &step), PREPAY_OK);
        assert_int_equal(step.action, PREPAY_STATION_SEND);
        assert_int_equal(step.wake_at_ms, 1000 + PREPAY_STATION_DEFAULT_REPLY_TIMEOUT_MS);
        /* 4 FE + 12 + 4 (DI) bytes. */
        assert_int_equal(step.send_len, 20);
        prepay_station_result_t r = drive(&bus, &s, step, tx, &now);
        assert_int_equal(r.status, PREPAY_OK);
        assert_int_equal(r.attempts, 1);
        assert_int_equal(r.data_len, 4);
        const uint8_t want[4] = {0x56, 0x34, 0x12, 0x00};
        assert_memory_equal(data, want, 4);
        prepay_station_stats_t st;
        assert_int_equal(prepay_station_stats(&s, &st), PREPAY_OK);
        assert_int_equal(st.requests, 1);
        assert_int_equal(st.transmissions, 1);
        assert_true(st.bytes_dropped >= 4); /* the line noise */
    }
}

static void test_timeout_and_retry(void **state)
{
    (void)state;
    fake_bus_t bus;
    setup_bus(&bus, 5);
    fake_meter_t *m = add_meter(&bus, "000000000001");
    m->lose_first = 2; /* answers the third transmission */
    m->energy_bcd = 42;
    prepay_station_session_t s;
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.retries = 2;
    cfg.reply_timeout_ms = 300;
    assert_int_equal(prepay_station_init(&s, &cfg), PREPAY_OK);
    uint8_t tx[PREPAY_STATION_TX_MAX];
    uint64_t now = 0;
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_read(&req, &m->address, DI_ENERGY), PREPAY_OK);
    prepay_station_step_t step;
    assert_int_equal(prepay_station_start(&s, &req, NULL, 0, now, tx, sizeof tx, &step), PREPAY_OK);
    prepay_station_result_t r = drive(&bus, &s, step, tx, &now);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.attempts, 3);
    assert_int_equal(bus.requests_seen, 3);
    assert_int_equal(now, 300 + 300 + 40); /* two timeouts, then the 40 ms answer */
    assert_int_equal(r.reply.control, 0x91);

    /* A silent meter: 1 + 2 retries, then a typed timeout. */
    setup_bus(&bus, 5);
    m = add_meter(&bus, "000000000001");
    m->silent = true;
    now = 0;
    assert_int_equal(prepay_station_start(&s, &req, NULL, 0, now, tx, sizeof tx, &step), PREPAY_OK);
    r = drive(&bus, &s, step, tx, &now);
    assert_int_equal(r.status, PREPAY_E_STATION_TIMEOUT);
    assert_int_equal(r.attempts, 3);
    assert_int_equal(now, 900);
    prepay_station_stats_t st;
    assert_int_equal(prepay_station_stats(&s, &st), PREPAY_OK);
    assert_int_equal(st.timeouts, 2 + 3);
}

static void test_abnormal_reply_is_typed(void **state)
{
    (void)state;
    fake_bus_t bus;
    setup_bus(&bus, 3);
    fake_meter_t *m = add_meter(&bus, "000000000077");
    m->abnormal_error = PREPAY_DLT645_ERROR_UNAUTHORISED;
    prepay_station_session_t s;
    assert_int_equal(prepay_station_init(&s, NULL), PREPAY_OK);
    uint8_t tx[PREPAY_STATION_TX_MAX];
    uint64_t now = 0;
    prepay_dlt645_frame_t req;
    prepay_dlt645_credentials_t cred = {PREPAY_DLT645_PASSWORD_LEVEL_2, {0x12, 0x34, 0x56}, {1, 2, 3, 4}};
    const uint8_t value[4] = {0x00, 0x50, 0x00, 0x00};
    assert_int_equal(prepay_dlt645_request_write(&req, &m->address, 0x04001001u, &cred, value, 4), PREPAY_OK);
    prepay_station_step_t step;
    assert_int_equal(prepay_station_start(&s, &req, NULL, 0, now, tx, sizeof tx, &step), PREPAY_OK);
    prepay_station_result_t r = drive(&bus, &s, step, tx, &now);
    assert_int_equal(r.status, PREPAY_E_DLT645_ABNORMAL);
    assert_int_equal(r.error, PREPAY_DLT645_ERROR_UNAUTHORISED);
    assert_int_equal(r.reply.control, 0xD4);
}

static void test_follow_up_frames_are_joined(void **state)
{
    (void)state;
    fake_bus_t bus;
    setup_bus(&bus, 7);
    fake_meter_t *m = add_meter(&bus, "000000000099");
    m->follow_up_frames = 3;
    prepay_station_session_t s;
    assert_int_equal(prepay_station_init(&s, NULL), PREPAY_OK);
    uint8_t tx[PREPAY_STATION_TX_MAX], data[32];
    uint64_t now = 0;
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_read(&req, &m->address, DI_RECORDS), PREPAY_OK);
    prepay_station_step_t step;
    assert_int_equal(prepay_station_start(&s, &req, data, sizeof data, now, tx, sizeof tx, &step), PREPAY_OK);
    prepay_station_result_t r = drive(&bus, &s, step, tx, &now);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.follow_ups, 2);
    assert_int_equal(r.data_len, 9);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(data[i], i + 1);
    }
    assert_int_equal(bus.requests_seen, 3); /* the read and two follow-up requests */

    /* The same read into a buffer too small for the joined data. */
    setup_bus(&bus, 7);
    add_meter(&bus, "000000000099")->follow_up_frames = 3;
    assert_int_equal(prepay_station_start(&s, &req, data, 5, now, tx, sizeof tx, &step), PREPAY_OK);
    r = drive(&bus, &s, step, tx, &now);
    assert_int_equal(r.status, PREPAY_E_STATION_FOLLOW_UP_OVERFLOW);

    /* More frames than the configured limit. */
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.max_follow_ups = 1;
    assert_int_equal(prepay_station_init(&s, &cfg), PREPAY_OK);
    setup_bus(&bus, 7);
    add_meter(&bus, "000000000099")->follow_up_frames = 3;
    assert_int_equal(prepay_station_start(&s, &req, data, sizeof data, now, tx, sizeof tx, &step), PREPAY_OK);
    r = drive(&bus, &s, step, tx, &now);
    assert_int_equal(r.status, PREPAY_E_STATION_FOLLOW_UP_OVERFLOW);
}

static void test_other_frames_are_ignored(void **state)
{
    (void)state;
    prepay_station_session_t s;
    assert_int_equal(prepay_station_init(&s, NULL), PREPAY_OK);
    uint8_t tx[PREPAY_STATION_TX_MAX];
    prepay_dlt645_address_t mine = addr("000000000011"), other = addr("000000000022");
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_read(&req, &mine, DI_ENERGY), PREPAY_OK);
    prepay_station_step_t step;
    assert_int_equal(prepay_station_start(&s, &req, NULL, 0, 0, tx, sizeof tx, &step), PREPAY_OK);
    fake_bus_t bus;
    setup_bus(&bus, 64);
    /* The echo of our own request, a reply from another meter, a reply to
     * another DI, then ours. */
    memcpy(bus.reply, tx, step.send_len);
    bus.reply_len = step.send_len;
    uint8_t d[8];
    put_di(d, DI_ENERGY);
    memset(d + 4, 0, 4);
    append_frame(&bus, &other, 0x91, d, 8);
    put_di(d, DI_ADDRESS);
    append_frame(&bus, &mine, 0x91, d, 4);
    put_di(d, DI_ENERGY);
    append_frame(&bus, &mine, 0x91, d, 8);
    assert_int_equal(prepay_station_receive(&s, bus.reply, bus.reply_len, 10, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_DONE);
    prepay_station_result_t r;
    assert_int_equal(prepay_station_result(&s, &r), PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
    prepay_station_stats_t st;
    assert_int_equal(prepay_station_stats(&s, &st), PREPAY_OK);
    assert_int_equal(st.ignored_frames, 3);
}

static void test_broadcast_and_states(void **state)
{
    (void)state;
    prepay_station_session_t s;
    assert_int_equal(prepay_station_init(&s, NULL), PREPAY_OK);
    uint8_t tx[PREPAY_STATION_TX_MAX];
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, 24 * 365 * 86400LL), PREPAY_OK);
    prepay_station_step_t step;
    prepay_station_result_t r;
    assert_int_equal(prepay_station_result(&s, &r), PREPAY_E_STATION_NOT_DONE);
    assert_int_equal(prepay_station_start(&s, &req, NULL, 0, 5, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_SEND);
    assert_int_equal(step.send_len, 4 + 12 + 6);
    assert_int_equal(prepay_station_start(&s, &req, NULL, 0, 5, tx, sizeof tx, &step), PREPAY_E_STATION_BUSY);
    assert_int_equal(prepay_station_poll(&s, 5, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_DONE);
    assert_int_equal(prepay_station_result(&s, &r), PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(prepay_station_result(&s, &r), PREPAY_E_STATION_NOT_DONE);
    /* Bytes while idle are dropped, the session stays idle. */
    const uint8_t junk[3] = {1, 2, 3};
    assert_int_equal(prepay_station_receive(&s, junk, 3, 6, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_IDLE);

    /* Error paths leave the session unchanged. */
    prepay_dlt645_address_t a = addr("000000000001");
    assert_int_equal(prepay_dlt645_request_read(&req, &a, DI_ENERGY), PREPAY_OK);
    assert_int_equal(prepay_station_start(&s, &req, NULL, 0, 0, tx, 10, &step), PREPAY_E_BUFFER_TOO_SMALL);
    prepay_dlt645_frame_t reply = req;
    reply.is_reply = true;
    assert_int_equal(prepay_station_start(&s, &reply, NULL, 0, 0, tx, sizeof tx, &step), PREPAY_E_STATION_BAD_REQUEST);
    assert_int_equal(prepay_station_start(&s, &req, NULL, 0, 0, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(prepay_station_cancel(&s), PREPAY_OK);
    assert_int_equal(prepay_station_result(&s, &r), PREPAY_E_STATION_NOT_DONE);
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.preamble = 5;
    assert_int_equal(prepay_station_init(&s, &cfg), PREPAY_E_INVALID_ARGUMENT);
    cfg.preamble = 0;
    cfg.reply_timeout_ms = 0;
    assert_int_equal(prepay_station_init(&s, &cfg), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_station_init(NULL, NULL), PREPAY_E_INVALID_ARGUMENT);
    prepay_station_session_t blank;
    memset(&blank, 0, sizeof blank);
    assert_int_equal(prepay_station_poll(&blank, 0, tx, sizeof tx, &step), PREPAY_E_BAD_STATE);
}

static int build_energy_read(void *context, const prepay_dlt645_address_t *address, size_t index,
                             prepay_dlt645_frame_t *out)
{
    (void)context;
    if (index == 4) {
        return PREPAY_E_OUT_OF_RANGE; /* this meter's request cannot be built */
    }
    return prepay_dlt645_request_read(out, address, DI_ENERGY);
}

static void test_batch_task(void **state)
{
    (void)state;
    fake_bus_t bus;
    setup_bus(&bus, 9);
    add_meter(&bus, "000000000001")->energy_bcd = 100;
    add_meter(&bus, "000000000002")->silent = true;
    add_meter(&bus, "000000000003")->abnormal_error = PREPAY_DLT645_ERROR_NO_DATA;
    add_meter(&bus, "000000000004")->lose_first = 3; /* fails round 1 (3 attempts), answers in round 2 */
    add_meter(&bus, "000000000005");
    prepay_station_task_item_t items[5];
    for (size_t i = 0; i < 5; i++) {
        items[i].address = bus.meters[i].address;
    }
    prepay_station_session_t s;
    assert_int_equal(prepay_station_init(&s, NULL), PREPAY_OK);
    prepay_station_task_t task;
    uint8_t data[16];
    assert_int_equal(prepay_station_task_init(&task, items, 5, build_energy_read, NULL, 5000, 2, data, sizeof data),
                     PREPAY_OK);
    uint8_t tx[PREPAY_STATION_TX_MAX];
    prepay_station_step_t step;
    uint64_t now = 0;
    assert_int_equal(prepay_station_task_poll(&task, &s, now, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(step.wake_at_ms, 5000);
    now = 5000;
    assert_int_equal(prepay_station_task_poll(&task, &s, now, tx, sizeof tx, &step), PREPAY_OK);
    for (int guard = 0; guard < 200 && step.action != PREPAY_STATION_DONE; guard++) {
        if (step.action == PREPAY_STATION_SEND) {
            bus_hear(&bus, tx, step.send_len);
            if (bus.reply_len > 0) {
                now += 40;
                assert_int_equal(prepay_station_task_receive(&task, &s, bus.reply, bus.reply_len, now, tx, sizeof tx,
                                                             &step),
                                 PREPAY_OK);
                continue;
            }
        }
        now = step.wake_at_ms > now ? step.wake_at_ms : now;
        assert_int_equal(prepay_station_task_poll(&task, &s, now, tx, sizeof tx, &step), PREPAY_OK);
    }
    assert_int_equal(step.action, PREPAY_STATION_DONE);
    assert_int_equal(items[0].status, PREPAY_OK);
    assert_int_equal(items[1].status, PREPAY_E_STATION_TIMEOUT);
    assert_int_equal(items[1].rounds, 2);
    assert_int_equal(items[2].status, PREPAY_E_DLT645_ABNORMAL);
    assert_int_equal(items[2].error, PREPAY_DLT645_ERROR_NO_DATA);
    assert_int_equal(items[2].rounds, 1); /* a refusal is final */
    assert_int_equal(items[3].status, PREPAY_OK);
    assert_int_equal(items[3].rounds, 2);
    assert_int_equal(items[4].status, PREPAY_E_OUT_OF_RANGE);
    prepay_station_task_summary_t sum;
    assert_int_equal(prepay_station_task_summary(&task, &sum), PREPAY_OK);
    assert_int_equal(sum.meters, 5);
    assert_int_equal(sum.succeeded, 2);
    assert_int_equal(sum.abnormal, 1);
    assert_int_equal(sum.timed_out, 1);
    assert_int_equal(sum.other, 1);
    assert_int_equal(sum.pending, 0);
    assert_true(sum.finished);
    assert_int_equal(prepay_station_task_init(&task, items, 0, build_energy_read, NULL, 0, 1, NULL, 0),
                     PREPAY_E_INVALID_ARGUMENT);
}

/* Runs a discovery against the bus; returns the number of probes. */
static int discover(fake_bus_t *bus, prepay_dlt645_address_t *found, size_t cap, size_t *count, int *last_status)
{
    prepay_station_discovery_t d;
    assert_int_equal(prepay_station_discovery_init(&d, found, cap), PREPAY_OK);
    prepay_station_session_t s;
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.retries = 0;
    assert_int_equal(prepay_station_init(&s, &cfg), PREPAY_OK);
    uint8_t tx[PREPAY_STATION_TX_MAX];
    uint64_t now = 0;
    int probes = 0;
    prepay_dlt645_frame_t req;
    *last_status = PREPAY_OK;
    while (prepay_station_discovery_next(&d, &req) == 1) {
        probes++;
        prepay_station_step_t step;
        assert_int_equal(prepay_station_start(&s, &req, NULL, 0, now, tx, sizeof tx, &step), PREPAY_OK);
        prepay_station_result_t r = drive(bus, &s, step, tx, &now);
        prepay_station_probe_outcome_t outcome;
        const prepay_dlt645_address_t *who = NULL;
        if (r.status == PREPAY_OK) {
            outcome = PREPAY_STATION_PROBE_ANSWERED;
            who = &r.reply.address;
        } else {
            prepay_station_stats_t st;
            assert_int_equal(prepay_station_stats(&s, &st), PREPAY_OK);
            /* Bytes arrived but made no frame: a collision. */
            outcome = bus->reply_len > 0 ? PREPAY_STATION_PROBE_COLLISION : PREPAY_STATION_PROBE_SILENT;
        }
        *last_status = prepay_station_discovery_report(&d, outcome, who);
        if (*last_status != PREPAY_OK) {
            break;
        }
    }
    *count = prepay_station_discovery_count(&d);
    return probes;
}

static void test_discovery(void **state)
{
    (void)state;
    const char *addresses[] = {"000000000001", "000000000101", "000000990101", "123456789012", "000000000002"};
    fake_bus_t bus;
    setup_bus(&bus, 16);
    for (size_t i = 0; i < 5; i++) {
        add_meter(&bus, addresses[i]);
    }
    prepay_dlt645_address_t found[8];
    size_t count = 0;
    int status;
    int probes = discover(&bus, found, 8, &count, &status);
    assert_int_equal(status, PREPAY_OK);
    assert_int_equal(count, 5);
    for (size_t i = 0; i < 5; i++) {
        bool seen = false;
        for (size_t j = 0; j < count; j++) {
            seen = seen || memcmp(found[j].bytes, bus.meters[i].address.bytes, 6) == 0;
        }
        assert_true(seen);
    }
    /* Root collides; A0 = 00..99 (100 probes): 01 collides (3 meters end in 01);
     * its A1 children (100): 01 collides (two end in 0101) -> A2 children (100).
     * Total 1 + 100 + 100 + 100 = 301, worked from the tree by hand. */
    assert_int_equal(probes, 301);

    /* One meter alone: one probe finds it. */
    setup_bus(&bus, 16);
    add_meter(&bus, "000000004321");
    probes = discover(&bus, found, 8, &count, &status);
    assert_int_equal(probes, 1);
    assert_int_equal(count, 1);

    /* An empty bus: one silent probe. */
    setup_bus(&bus, 16);
    probes = discover(&bus, found, 8, &count, &status);
    assert_int_equal(probes, 1);
    assert_int_equal(count, 0);

    /* More meters than the array holds. */
    setup_bus(&bus, 16);
    for (size_t i = 0; i < 5; i++) {
        add_meter(&bus, addresses[i]);
    }
    discover(&bus, found, 2, &count, &status);
    assert_int_equal(status, PREPAY_E_STATION_TOO_MANY_METERS);
    assert_int_equal(count, 2);

    prepay_station_discovery_t d;
    assert_int_equal(prepay_station_discovery_init(&d, found, 8), PREPAY_OK);
    assert_int_equal(prepay_station_discovery_report(&d, PREPAY_STATION_PROBE_SILENT, NULL), PREPAY_E_BAD_STATE);
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_station_discovery_next(&d, &req), 1);
    assert_int_equal(prepay_station_discovery_next(&d, &req), PREPAY_E_BAD_STATE);
    assert_int_equal(prepay_station_discovery_report(&d, PREPAY_STATION_PROBE_ANSWERED, NULL),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_station_discovery_init(&d, found, 0), PREPAY_E_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_in_any_chunks),   cmocka_unit_test(test_timeout_and_retry),
        cmocka_unit_test(test_abnormal_reply_is_typed), cmocka_unit_test(test_follow_up_frames_are_joined),
        cmocka_unit_test(test_other_frames_are_ignored), cmocka_unit_test(test_broadcast_and_states),
        cmocka_unit_test(test_batch_task),            cmocka_unit_test(test_discovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
