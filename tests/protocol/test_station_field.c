/* SPDX-License-Identifier: MIT */
/*
 * Station sessions on real buses: a malformed reply from the addressed meter
 * ends the request at once (no full timeout and retries); the quiet time
 * after a broadcast holds the next request; the reply timeout starts when
 * the transport says the request has left the line; a reply still arriving
 * at the deadline is waited for within the inter-byte limit, by at most one
 * more reply timeout. Frames are built byte by byte here (the malformed ones
 * cannot be made by the library's builders); times are the script's own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/station.h"

#define DI_ENERGY 0x00010000u

static prepay_dlt645_address_t addr(const char *text)
{
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string(text, 12, &a), PREPAY_OK);
    return a;
}

/* 68 A0..A5 68 C L DATA(+33) CS 16 with any C and L (no consistency check). */
static size_t raw_frame(uint8_t *out, const prepay_dlt645_address_t *a, uint8_t control, const uint8_t *data,
                        size_t len)
{
    size_t n = 0;
    out[n++] = 0xFE;
    out[n++] = 0x68;
    memcpy(out + n, a->bytes, 6);
    n += 6;
    out[n++] = 0x68;
    out[n++] = control;
    out[n++] = (uint8_t)len;
    for (size_t i = 0; i < len; i++) {
        out[n++] = (uint8_t)(data[i] + 0x33u);
    }
    out[n] = prepay_dlt645_checksum(out + 1, n - 1);
    n++;
    out[n++] = 0x16;
    return n;
}

static prepay_station_session_t session;
static uint8_t tx[PREPAY_STATION_TX_MAX];

static void start_read(const prepay_dlt645_address_t *a, uint64_t now, prepay_station_step_t *step,
                       const prepay_station_config_t *config)
{
    assert_int_equal(prepay_station_init(&session, config), PREPAY_OK);
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_read(&req, a, DI_ENERGY), PREPAY_OK);
    assert_int_equal(prepay_station_start(&session, &req, NULL, 0, now, tx, sizeof tx, step), PREPAY_OK);
    assert_int_equal(step->action, PREPAY_STATION_SEND);
}

static void test_malformed_abnormal_reply_ends_at_once(void **state)
{
    (void)state;
    const prepay_dlt645_address_t meter = addr("000000000101");
    /* An abnormal read reply (D1) must carry exactly one error byte (clause 7.1.3):
     * L = 0 and L = 2 are malformed, with a good checksum. */
    const size_t lengths[] = {0, 2};
    for (size_t k = 0; k < 2; k++) {
        prepay_station_step_t step;
        start_read(&meter, 0, &step, NULL);
        uint8_t bytes[64];
        static const uint8_t data[2] = {0x02, 0x00};
        size_t n = raw_frame(bytes, &meter, 0xD1, data, lengths[k]);
        assert_int_equal(prepay_station_receive(&session, bytes, n, 40, tx, sizeof tx, &step), PREPAY_OK);
        assert_int_equal(step.action, PREPAY_STATION_DONE);
        prepay_station_result_t r;
        assert_int_equal(prepay_station_result(&session, &r), PREPAY_OK);
        assert_int_equal(r.status, PREPAY_E_STATION_MALFORMED_REPLY);
        assert_int_equal(r.attempts, 1);
        assert_int_equal(r.reply.control, 0xD1);
        assert_int_equal(r.reply.length, lengths[k]);
        assert_memory_equal(r.reply.address.bytes, meter.bytes, 6);
        prepay_station_stats_t st;
        assert_int_equal(prepay_station_stats(&session, &st), PREPAY_OK);
        assert_int_equal(st.timeouts, 0);
        assert_int_equal(st.transmissions, 1);
        assert_int_equal(st.malformed_replies, 1);
    }
}

static void test_malformed_frames_of_others_are_ignored(void **state)
{
    (void)state;
    const prepay_dlt645_address_t meter = addr("000000000101");
    const prepay_dlt645_address_t other = addr("000000000102");
    prepay_station_step_t step;
    start_read(&meter, 0, &step, NULL);
    uint8_t bytes[128];
    /* Another meter's malformed reply, then a malformed reply of another
     * function (write, D4) from our meter, then the good reply in two chunks. */
    size_t n = raw_frame(bytes, &other, 0xD1, NULL, 0);
    n += raw_frame(bytes + n, &meter, 0xD4, NULL, 0);
    const uint8_t good[8] = {0x00, 0x00, 0x01, 0x00, 0x56, 0x34, 0x12, 0x00}; /* DI 00010000, 1234.56 kWh */
    size_t first = n;
    n += raw_frame(bytes + n, &meter, 0x91, good, 8);
    assert_int_equal(prepay_station_receive(&session, bytes, first + 5, 30, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(prepay_station_receive(&session, bytes + first + 5, n - first - 5, 35, tx, sizeof tx, &step),
                     PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_DONE);
    prepay_station_result_t r;
    assert_int_equal(prepay_station_result(&session, &r), PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.reply.control, 0x91);
    prepay_station_stats_t st;
    assert_int_equal(prepay_station_stats(&session, &st), PREPAY_OK);
    assert_int_equal(st.ignored_frames, 2);
    assert_int_equal(st.malformed_replies, 0);
}

static void test_stream_reports_rejected_frames(void **state)
{
    (void)state;
    const prepay_dlt645_address_t meter = addr("000000000101");
    uint8_t bytes[128];
    size_t n = raw_frame(bytes, &meter, 0xD1, NULL, 0);
    const size_t bad_len = n;
    const uint8_t good[8] = {0x00, 0x00, 0x01, 0x00, 0x56, 0x34, 0x12, 0x00};
    n += raw_frame(bytes + n, &meter, 0x91, good, 8);
    prepay_dlt645_stream_t stream;
    assert_int_equal(prepay_dlt645_stream_init(&stream, PREPAY_DLT645_EDITION_AUTO), PREPAY_OK);
    assert_int_equal(prepay_dlt645_stream_feed(&stream, bytes, n), (int)n);
    prepay_dlt645_frame_t frame;
    prepay_dlt645_rejected_t rejected;
    assert_int_equal(prepay_dlt645_stream_next_checked(&stream, &frame, &rejected), 2);
    assert_int_equal(rejected.reason, PREPAY_E_DLT645_BAD_LENGTH);
    assert_int_equal(rejected.control, 0xD1);
    assert_int_equal(rejected.length, 0);
    assert_memory_equal(rejected.address.bytes, meter.bytes, 6);
    assert_int_equal(prepay_dlt645_stream_next_checked(&stream, &frame, &rejected), 1);
    assert_int_equal(frame.control, 0x91);
    assert_int_equal(frame.di, DI_ENERGY);
    assert_int_equal(prepay_dlt645_stream_next_checked(&stream, &frame, &rejected), 0);
    prepay_dlt645_stream_stats_t st;
    assert_int_equal(prepay_dlt645_stream_stats(&stream, &st), PREPAY_OK);
    /* The refused frame (FE preamble included) is dropped whole, the good one framed. */
    assert_int_equal(st.bytes_dropped, bad_len);
    assert_int_equal(st.bytes_framed, n - bad_len);
    assert_int_equal(prepay_dlt645_stream_next_checked(&stream, &frame, NULL), PREPAY_E_INVALID_ARGUMENT);
}

static void test_broadcast_quiet_time_holds_the_next_request(void **state)
{
    (void)state;
    prepay_station_config_t config;
    prepay_station_config_default(&config);
    assert_int_equal(config.broadcast_quiet_ms, 0);
    config.broadcast_quiet_ms = 200;
    assert_int_equal(prepay_station_init(&session, &config), PREPAY_OK);
    prepay_dlt645_frame_t sync;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&sync, 86400), PREPAY_OK);
    prepay_station_step_t step;
    assert_int_equal(prepay_station_start(&session, &sync, NULL, 0, 1000, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_SEND);
    /* Sent at 1010 (the transport says so): done, quiet until 1210. */
    assert_int_equal(prepay_station_sent(&session, 1010, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_DONE);
    prepay_station_result_t r;
    assert_int_equal(prepay_station_result(&session, &r), PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);

    const prepay_dlt645_address_t meter = addr("000000000101");
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_read(&req, &meter, DI_ENERGY), PREPAY_OK);
    memset(tx, 0, sizeof tx);
    assert_int_equal(prepay_station_start(&session, &req, NULL, 0, 1050, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(step.wake_at_ms, 1210);
    assert_int_equal(prepay_station_start(&session, &req, NULL, 0, 1060, tx, sizeof tx, &step),
                     PREPAY_E_STATION_BUSY);
    assert_int_equal(prepay_station_poll(&session, 1209, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(step.wake_at_ms, 1210);
    assert_int_equal(prepay_station_poll(&session, 1210, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_SEND);
    assert_int_equal(step.wake_at_ms, 1210 + PREPAY_STATION_DEFAULT_REPLY_TIMEOUT_MS);
    /* The bytes handed out are the request with the default 4 FE. */
    uint8_t expect[PREPAY_STATION_TX_MAX];
    req.preamble = 4;
    int len = prepay_dlt645_encode(&req, expect, sizeof expect);
    assert_int_equal(step.send_len, (size_t)len);
    assert_memory_equal(tx, expect, (size_t)len);

    /* Without a quiet time, nothing is held. */
    prepay_station_config_default(&config);
    assert_int_equal(prepay_station_init(&session, &config), PREPAY_OK);
    assert_int_equal(prepay_station_start(&session, &sync, NULL, 0, 0, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(prepay_station_poll(&session, 5, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_DONE);
    assert_int_equal(prepay_station_result(&session, &r), PREPAY_OK);
    assert_int_equal(prepay_station_start(&session, &req, NULL, 0, 5, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_SEND);
}

static void test_reply_timeout_starts_when_sent(void **state)
{
    (void)state;
    const prepay_dlt645_address_t meter = addr("000000000101");
    prepay_station_step_t step;
    start_read(&meter, 0, &step, NULL);
    assert_int_equal(step.wake_at_ms, 1000);
    /* A slow line: the request left it at 300 ms. */
    assert_int_equal(prepay_station_sent(&session, 300, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(step.wake_at_ms, 1300);
    assert_int_equal(prepay_station_poll(&session, 1299, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(prepay_station_poll(&session, 1300, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_SEND); /* the first retry */
    assert_int_equal(step.wake_at_ms, 2300);
}

static void test_reply_still_arriving_is_waited_for(void **state)
{
    (void)state;
    const prepay_dlt645_address_t meter = addr("000000000101");
    uint8_t bytes[64];
    const uint8_t good[8] = {0x00, 0x00, 0x01, 0x00, 0x56, 0x34, 0x12, 0x00};
    size_t n = raw_frame(bytes, &meter, 0x91, good, 8);
    prepay_station_step_t step;
    start_read(&meter, 0, &step, NULL); /* deadline 1000, byte gap 500 */
    assert_int_equal(prepay_station_receive(&session, bytes, 6, 900, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(step.wake_at_ms, 1400);
    assert_int_equal(prepay_station_poll(&session, 1000, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(prepay_station_receive(&session, bytes + 6, n - 6, 1350, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_DONE);
    prepay_station_result_t r;
    assert_int_equal(prepay_station_result(&session, &r), PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.attempts, 1);

    /* A babbling line (a start byte, then a byte every 400 ms, never a
     * frame) is given at most one more reply timeout: 2000 ms. */
    start_read(&meter, 0, &step, NULL);
    const uint8_t start_byte = 0x68, filler = 0x00;
    assert_int_equal(prepay_station_receive(&session, &start_byte, 1, 950, tx, sizeof tx, &step), PREPAY_OK);
    uint64_t t = 950;
    while (t < 3000) {
        t += 400;
        if (t >= step.wake_at_ms) {
            assert_int_equal(prepay_station_poll(&session, step.wake_at_ms, tx, sizeof tx, &step), PREPAY_OK);
            break;
        }
        assert_int_equal(prepay_station_receive(&session, &filler, 1, t, tx, sizeof tx, &step), PREPAY_OK);
        assert_true(step.wake_at_ms <= 2000);
    }
    assert_int_equal(step.action, PREPAY_STATION_SEND); /* the retry, at 2000 ms */
    assert_int_equal(step.wake_at_ms, 3000);
}

/* Clause 7.3: the bytes of one frame follow each other with at most 500 ms
 * between them. A partial frame followed by a longer silence is dropped, so
 * that its tail arriving later cannot complete it; within the limit the same
 * bytes make the reply. */
static void test_inter_byte_gap_drops_a_partial_frame(void **state)
{
    (void)state;
    const prepay_dlt645_address_t meter = addr("000000000101");
    uint8_t bytes[64];
    const uint8_t good[8] = {0x00, 0x00, 0x01, 0x00, 0x56, 0x34, 0x12, 0x00};
    size_t n = raw_frame(bytes, &meter, 0x91, good, 8);
    prepay_station_config_t config;
    prepay_station_config_default(&config);
    assert_int_equal(config.byte_gap_ms, 500);
    config.reply_timeout_ms = 5000; /* the reply deadline stays far away: only the gap decides */
    prepay_station_step_t step;
    prepay_station_result_t r;

    /* 499 ms, then 500 ms of silence between the halves: one frame. */
    start_read(&meter, 0, &step, &config);
    assert_int_equal(prepay_station_receive(&session, bytes, 9, 100, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(prepay_station_receive(&session, bytes + 9, 3, 599, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    assert_int_equal(prepay_station_receive(&session, bytes + 12, n - 12, 1099, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_DONE);
    assert_int_equal(prepay_station_result(&session, &r), PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);

    /* 501 ms of silence: the head is dropped and the tail alone is no frame. */
    start_read(&meter, 0, &step, &config);
    assert_int_equal(prepay_station_receive(&session, bytes, 9, 100, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(prepay_station_receive(&session, bytes + 9, n - 9, 601, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_WAIT);
    /* The meter's next whole reply is taken. */
    assert_int_equal(prepay_station_receive(&session, bytes, n, 700, tx, sizeof tx, &step), PREPAY_OK);
    assert_int_equal(step.action, PREPAY_STATION_DONE);
    assert_int_equal(prepay_station_result(&session, &r), PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
    assert_int_equal(r.attempts, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_abnormal_reply_ends_at_once),
        cmocka_unit_test(test_malformed_frames_of_others_are_ignored),
        cmocka_unit_test(test_stream_reports_rejected_frames),
        cmocka_unit_test(test_broadcast_quiet_time_holds_the_next_request),
        cmocka_unit_test(test_reply_timeout_starts_when_sent),
        cmocka_unit_test(test_reply_still_arriving_is_waited_for),
        cmocka_unit_test(test_inter_byte_gap_drops_a_partial_frame),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
