/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a station session (prepay/station.h) driven through any
 * interleaving of requests, received bytes (garbage or replies synthesised
 * from the input: valid, abnormal, malformed, follow-up, foreign, damaged),
 * time passing, transmissions reported done (prepay_station_sent), a
 * broadcast quiet time, and cancels.
 *
 * Invariants checked after every call:
 * - no crash, no read or write outside the buffers (sanitizers);
 * - every call returns OK or one of its documented errors, and a start
 *   while busy is refused with STATION_BUSY;
 * - SEND hands out a whole request frame that fits the tx buffer and
 *   decodes as a request; a start gives SEND, or WAIT while the broadcast
 *   quiet time lasts; DONE is followed by exactly one result whose status
 *   is one of OK, ABNORMAL, TIMEOUT, FOLLOW_UP_OVERFLOW, BAD_SEQUENCE,
 *   MALFORMED_REPLY, with data_len within the caller's buffer;
 * - the counters never go down.
 */
#include <stdlib.h>

#include "prepay/station.h"
#include "station_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_step(const prepay_station_step_t *step, const uint8_t *tx, size_t tx_cap)
{
    if (step->action > PREPAY_STATION_DONE) {
        abort();
    }
    if (step->action == PREPAY_STATION_SEND) {
        prepay_dlt645_frame_t f;
        if (step->send_len == 0 || step->send_len > tx_cap || prepay_dlt645_decode(tx, step->send_len, &f) < 0 ||
            f.is_reply) {
            abort();
        }
    }
}

static void check_stats(const prepay_station_session_t *s, prepay_station_stats_t *last)
{
    prepay_station_stats_t now;
    if (prepay_station_stats(s, &now) != PREPAY_OK || now.requests < last->requests ||
        now.transmissions < last->transmissions || now.timeouts < last->timeouts ||
        now.ignored_frames < last->ignored_frames || now.bytes_dropped < last->bytes_dropped ||
        now.malformed_replies < last->malformed_replies) {
        abort();
    }
    *last = now;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor_t c = {data, size, 0};
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.reply_timeout_ms = 1u + take(&c) % 2000u;
    cfg.byte_gap_ms = take(&c) % 600u;
    cfg.retries = (uint8_t)(take(&c) % 4);
    cfg.preamble = (uint8_t)(take(&c) % 5);
    cfg.max_follow_ups = (uint8_t)(take(&c) % 5);
    cfg.broadcast_quiet_ms = take(&c) % 4u == 0 ? take(&c) * 2u : 0u;
    static prepay_station_session_t session;
    if (prepay_station_init(&session, &cfg) != PREPAY_OK) {
        abort();
    }
    uint8_t tx[PREPAY_STATION_TX_MAX];
    uint8_t read_data[64];
    size_t data_cap = 0;
    static prepay_dlt645_frame_t request;
    bool have_request = false, outstanding = false, done = false;
    uint64_t now = 1000;
    prepay_station_stats_t last;
    memset(&last, 0, sizeof last);
    for (int steps = 0; cursor_more(&c) && steps < 512; steps++) {
        prepay_station_step_t step;
        memset(&step, 0, sizeof step);
        int status = PREPAY_OK;
        switch (take(&c) % 6) {
        case 0: { /* start */
            prepay_dlt645_frame_t r;
            if (!fuzz_request(&c, &r)) {
                break;
            }
            size_t cap = take(&c) % (sizeof read_data + 1);
            status = prepay_station_start(&session, &r, cap ? read_data : NULL, cap, now, tx, sizeof tx, &step);
            if (outstanding || done) {
                if (status != PREPAY_E_STATION_BUSY) {
                    abort();
                }
                break;
            }
            if (status == PREPAY_E_STATION_BAD_REQUEST) {
                break;
            }
            if (status != PREPAY_OK || (step.action != PREPAY_STATION_SEND && step.action != PREPAY_STATION_WAIT)) {
                abort();
            }
            request = r;
            data_cap = cap;
            have_request = outstanding = true;
            break;
        }
        case 1: { /* garbage bytes */
            uint8_t rx[64];
            size_t n = take(&c) % sizeof rx;
            take_bytes(&c, rx, n);
            status = prepay_station_receive(&session, rx, n, now, tx, sizeof tx, &step);
            break;
        }
        case 2: { /* a reply to the request, in one or two chunks */
            if (!have_request) {
                break;
            }
            uint8_t rx[2 * PREPAY_DLT645_FRAME_MAX];
            size_t n = fuzz_reply(&c, &request, rx, sizeof rx);
            size_t split = n ? take(&c) % (n + 1) : 0;
            status = prepay_station_receive(&session, rx, split, now, tx, sizeof tx, &step);
            if (status == PREPAY_OK) {
                check_step(&step, tx, sizeof tx);
                status = prepay_station_receive(&session, rx + split, n - split, now, tx, sizeof tx, &step);
            }
            break;
        }
        case 3: /* time passes */
            now += (uint64_t)take(&c) * 16u;
            status = prepay_station_poll(&session, now, tx, sizeof tx, &step);
            break;
        case 4: /* a tiny tx buffer: a follow-up or a retransmission must not overrun it */
            status = prepay_station_poll(&session, now, tx, take(&c) % 16, &step);
            if (status == PREPAY_E_BUFFER_TOO_SMALL) {
                status = PREPAY_OK;
                step.action = PREPAY_STATION_IDLE;
            }
            break;
        default:
            if ((take(&c) & 3) == 3) {
                status = prepay_station_sent(&session, now, &step); /* the bytes left the line */
            } else if (take(&c) & 1) {
                status = prepay_station_cancel(&session);
                outstanding = done = false;
                step.action = PREPAY_STATION_IDLE;
            } else {
                status = prepay_station_poll(&session, now, tx, sizeof tx, &step);
            }
            break;
        }
        if (status != PREPAY_OK && status != PREPAY_E_STATION_BUSY && status != PREPAY_E_STATION_BAD_REQUEST &&
            status != PREPAY_E_BUFFER_TOO_SMALL) {
            abort();
        }
        if (status == PREPAY_OK) {
            check_step(&step, tx, sizeof tx);
            if (step.action == PREPAY_STATION_DONE) {
                outstanding = false;
                done = true;
            }
        }
        check_stats(&session, &last);
        if (done) {
            prepay_station_result_t result;
            if (prepay_station_result(&session, &result) != PREPAY_OK) {
                abort();
            }
            int s = result.status;
            if ((s != PREPAY_OK && s != PREPAY_E_DLT645_ABNORMAL && s != PREPAY_E_STATION_TIMEOUT &&
                 s != PREPAY_E_STATION_FOLLOW_UP_OVERFLOW && s != PREPAY_E_STATION_BAD_SEQUENCE &&
                 s != PREPAY_E_STATION_MALFORMED_REPLY) ||
                result.data_len > data_cap) {
                abort();
            }
            if (prepay_station_result(&session, &result) != PREPAY_E_STATION_NOT_DONE) {
                abort(); /* exactly one result per request */
            }
            done = false;
        }
    }
    return 0;
}
