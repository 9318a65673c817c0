/* SPDX-License-Identifier: MIT */
/*
 * Station side: one request/response exchange at a time on a bus, sans-I/O
 * (see prepay/station.h). The caller moves the bytes and reports the time;
 * this file decides what to send and when a request has ended.
 */
#include <string.h>

#include "prepay/station.h"

#define SESSION_MAGIC 0x53544E31u /* "STN1" */

enum session_state {
    STATE_IDLE = 0,
    STATE_WAITING = 1,     /* a frame is outstanding */
    STATE_SENT_ONLY = 2,   /* a broadcast was handed out: done once sent */
    STATE_DONE = 3,
    STATE_HOLD = 4         /* a request waits for the broadcast quiet time to end */
};

void prepay_station_config_default(prepay_station_config_t *config)
{
    if (!config) {
        return;
    }
    config->reply_timeout_ms = PREPAY_STATION_DEFAULT_REPLY_TIMEOUT_MS;
    config->byte_gap_ms = PREPAY_STATION_DEFAULT_BYTE_GAP_MS;
    config->retries = PREPAY_STATION_DEFAULT_RETRIES;
    config->preamble = PREPAY_STATION_DEFAULT_PREAMBLE;
    config->max_follow_ups = PREPAY_STATION_DEFAULT_MAX_FOLLOW_UPS;
    config->broadcast_quiet_ms = PREPAY_STATION_DEFAULT_BROADCAST_QUIET_MS;
}

int prepay_station_init(prepay_station_session_t *session, const prepay_station_config_t *config)
{
    if (!session) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_station_config_t c;
    if (config) {
        c = *config;
    } else {
        prepay_station_config_default(&c);
    }
    if (c.reply_timeout_ms == 0 || c.preamble > PREPAY_DLT645_MAX_PREAMBLE) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(session, 0, sizeof *session);
    session->config = c;
    int status = prepay_dlt645_stream_init(&session->stream, PREPAY_DLT645_EDITION_AUTO);
    if (status != PREPAY_OK) {
        return status;
    }
    session->magic = SESSION_MAGIC;
    return PREPAY_OK;
}

static bool is_broadcast(const prepay_dlt645_frame_t *request)
{
    return request->function == PREPAY_DLT645_FN_BROADCAST_TIME ||
           prepay_dlt645_address_is_broadcast(&request->address);
}

static bool is_read(const prepay_dlt645_frame_t *frame)
{
    if (frame->edition == PREPAY_DLT645_EDITION_1997) {
        return frame->function == PREPAY_DLT645_1997_FN_READ || frame->function == PREPAY_DLT645_1997_FN_READ_FOLLOW_UP;
    }
    return frame->function == PREPAY_DLT645_FN_READ || frame->function == PREPAY_DLT645_FN_READ_FOLLOW_UP;
}

static void set_step(prepay_station_step_t *step, prepay_station_action_t action, size_t send_len, uint64_t wake)
{
    step->action = action;
    step->send_len = send_len;
    step->wake_at_ms = wake;
}

static void describe_state(const prepay_station_session_t *session, prepay_station_step_t *step, uint64_t now_ms);

/* Encodes the outstanding frame with the configured preamble. */
static int encode_current(prepay_station_session_t *session, uint8_t *tx, size_t tx_cap, size_t *len)
{
    session->current.preamble = session->config.preamble;
    int n = prepay_dlt645_encode(&session->current, tx, tx_cap);
    if (n < 0) {
        return n == PREPAY_E_BUFFER_TOO_SMALL ? n : PREPAY_E_STATION_BAD_REQUEST;
    }
    *len = (size_t)n;
    return PREPAY_OK;
}

/* A new attempt is on the line from now: its reply deadline. */
static void arm(prepay_station_session_t *session, uint64_t now_ms)
{
    session->deadline_ms = now_ms + session->config.reply_timeout_ms;
    session->attempt_deadline_ms = session->deadline_ms;
    session->last_byte_ms = now_ms;
}

static void finish(prepay_station_session_t *session, int status, const prepay_dlt645_frame_t *reply)
{
    session->result.status = status;
    session->result.follow_ups = session->follow_ups;
    if (reply) {
        session->result.reply = *reply;
        session->result.error = reply->has_error ? reply->error : 0;
    }
    session->state = STATE_DONE;
}

int prepay_station_start(prepay_station_session_t *session, const prepay_dlt645_frame_t *request, uint8_t *data,
                         size_t data_cap, uint64_t now_ms, uint8_t *tx, size_t tx_cap, prepay_station_step_t *step)
{
    if (!session || !request || !tx || !step || (!data && data_cap != 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (session->magic != SESSION_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    if (session->state != STATE_IDLE) {
        return PREPAY_E_STATION_BUSY;
    }
    if (request->is_reply) {
        return PREPAY_E_STATION_BAD_REQUEST;
    }
    /* Encode into the caller's buffer before touching the session, so that
     * an error leaves it unchanged. */
    prepay_dlt645_frame_t saved = session->current;
    session->current = *request;
    size_t len = 0;
    int status = encode_current(session, tx, tx_cap, &len);
    if (status != PREPAY_OK) {
        session->current = saved;
        return status;
    }
    session->request = session->current;
    session->data = data;
    session->data_cap = data_cap;
    session->attempts = 1;
    session->follow_ups = 0;
    memset(&session->result, 0, sizeof session->result);
    session->result.attempts = 1;
    session->stats.requests++;
    session->stats.transmissions++;
    /* Keep the dropped-byte count across the parser reset. */
    prepay_dlt645_stream_stats_t parser;
    if (prepay_dlt645_stream_stats(&session->stream, &parser) == PREPAY_OK) {
        session->stats.bytes_dropped += parser.bytes_dropped + parser.bytes_pending;
    }
    (void)prepay_dlt645_stream_init(&session->stream, PREPAY_DLT645_EDITION_AUTO);
    if (now_ms < session->quiet_until_ms) {
        /* Encoded once above so that a bad request fails now; sent after the quiet time. */
        session->state = STATE_HOLD;
        set_step(step, PREPAY_STATION_WAIT, 0, session->quiet_until_ms);
        return PREPAY_OK;
    }
    if (is_broadcast(request)) {
        session->state = STATE_SENT_ONLY;
        set_step(step, PREPAY_STATION_SEND, len, now_ms);
        return PREPAY_OK;
    }
    session->state = STATE_WAITING;
    arm(session, now_ms);
    set_step(step, PREPAY_STATION_SEND, len, session->deadline_ms);
    return PREPAY_OK;
}

/* A broadcast left the line: done, and the bus keeps quiet for a while. */
static void finish_broadcast(prepay_station_session_t *session, uint64_t now_ms)
{
    finish(session, PREPAY_OK, NULL);
    session->quiet_until_ms = now_ms + session->config.broadcast_quiet_ms;
}

int prepay_station_sent(prepay_station_session_t *session, uint64_t now_ms, prepay_station_step_t *step)
{
    if (!session || !step) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (session->magic != SESSION_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    if (session->state == STATE_SENT_ONLY) {
        finish_broadcast(session, now_ms);
    } else if (session->state == STATE_WAITING) {
        /* No frame of the reply under way: the reply delay counts from now. */
        prepay_dlt645_stream_stats_t parser;
        if (prepay_dlt645_stream_stats(&session->stream, &parser) == PREPAY_OK && parser.bytes_pending == 0 &&
            now_ms + session->config.reply_timeout_ms > session->deadline_ms) {
            arm(session, now_ms);
        }
    }
    describe_state(session, step, now_ms);
    return PREPAY_OK;
}

/* A read reply: join its value, then finish or ask for the next follow-up.
 * Returns true if the frame answered the request. */
static bool on_read_reply(prepay_station_session_t *session, const prepay_dlt645_frame_t *frame, uint64_t now_ms,
                          uint8_t *tx, size_t tx_cap, prepay_station_step_t *step, int *status)
{
    prepay_dlt645_read_reply_t rr;
    if (prepay_dlt645_reply_read(&session->current, frame, &rr) != PREPAY_OK) {
        return false; /* another DI, or malformed: not our answer */
    }
    if (rr.has_seq && rr.seq != session->follow_ups) {
        finish(session, PREPAY_E_STATION_BAD_SEQUENCE, frame);
        set_step(step, PREPAY_STATION_DONE, 0, now_ms);
        return true;
    }
    if (session->data) {
        size_t used = session->result.data_len;
        if (rr.value_len > session->data_cap - used) {
            finish(session, PREPAY_E_STATION_FOLLOW_UP_OVERFLOW, frame);
            set_step(step, PREPAY_STATION_DONE, 0, now_ms);
            return true;
        }
        if (rr.value_len > 0) {
            memcpy(session->data + used, rr.value, rr.value_len);
        }
        session->result.data_len = used + rr.value_len;
    }
    bool can_follow = frame->edition == PREPAY_DLT645_EDITION_2007;
    if (!rr.follow_up || !can_follow) {
        finish(session, PREPAY_OK, frame);
        set_step(step, PREPAY_STATION_DONE, 0, now_ms);
        return true;
    }
    if (session->follow_ups >= session->config.max_follow_ups) {
        finish(session, PREPAY_E_STATION_FOLLOW_UP_OVERFLOW, frame);
        set_step(step, PREPAY_STATION_DONE, 0, now_ms);
        return true;
    }
    /* Ask for the next frame; a wildcard read continues at the real address. */
    prepay_dlt645_frame_t next;
    if (prepay_dlt645_request_read_follow_up(&next, &frame->address, rr.di,
                                             (uint8_t)(session->follow_ups + 1u)) != PREPAY_OK) {
        finish(session, PREPAY_E_STATION_BAD_REQUEST, frame);
        set_step(step, PREPAY_STATION_DONE, 0, now_ms);
        return true;
    }
    prepay_dlt645_frame_t saved = session->current;
    session->current = next;
    size_t len = 0;
    int encoded = encode_current(session, tx, tx_cap, &len);
    if (encoded != PREPAY_OK) {
        session->current = saved;
        *status = encoded;
        return true;
    }
    session->follow_ups++;
    session->attempts = 1;
    session->stats.transmissions++;
    arm(session, now_ms);
    (void)prepay_dlt645_stream_flush(&session->stream);
    set_step(step, PREPAY_STATION_SEND, len, session->deadline_ms);
    return true;
}

/* Decides what one received frame means for the outstanding request.
 * Returns true when the frame ended or advanced the request. */
static bool on_frame(prepay_station_session_t *session, const prepay_dlt645_frame_t *frame, uint64_t now_ms,
                     uint8_t *tx, size_t tx_cap, prepay_station_step_t *step, int *status)
{
    if (!frame->is_reply) {
        return false; /* our own echo on a half-duplex line, or another station */
    }
    int check = prepay_dlt645_reply_check(&session->current, frame);
    if (check == PREPAY_E_DLT645_ABNORMAL) {
        finish(session, PREPAY_E_DLT645_ABNORMAL, frame);
        set_step(step, PREPAY_STATION_DONE, 0, now_ms);
        return true;
    }
    if (check != PREPAY_OK) {
        return false;
    }
    if (is_read(&session->current)) {
        return on_read_reply(session, frame, now_ms, tx, tx_cap, step, status);
    }
    finish(session, PREPAY_OK, frame);
    set_step(step, PREPAY_STATION_DONE, 0, now_ms);
    return true;
}

/* A well-framed frame the parser refused: if it is the addressed meter
 * replying to the outstanding function, the request ends now (retrying
 * would get the same answer). Returns true when it ended the request. */
static bool on_rejected(prepay_station_session_t *session, const prepay_dlt645_rejected_t *rejected, uint64_t now_ms,
                        prepay_station_step_t *step)
{
    const prepay_dlt645_frame_t *current = &session->current;
    if ((rejected->control & PREPAY_DLT645_CONTROL_REPLY) == 0 ||
        (rejected->control & PREPAY_DLT645_CONTROL_FUNCTION_MASK) != current->function) {
        return false;
    }
    bool from_target = prepay_dlt645_address_is_wildcard(&current->address)
                           ? prepay_dlt645_address_matches(&current->address, &rejected->address)
                           : memcmp(current->address.bytes, rejected->address.bytes, PREPAY_DLT645_ADDRESS_SIZE) == 0;
    if (!from_target) {
        return false;
    }
    session->stats.malformed_replies++;
    prepay_dlt645_frame_t shown;
    memset(&shown, 0, sizeof shown);
    shown.address = rejected->address;
    shown.control = rejected->control;
    shown.function = (uint8_t)(rejected->control & PREPAY_DLT645_CONTROL_FUNCTION_MASK);
    shown.is_reply = true;
    shown.abnormal = (rejected->control & PREPAY_DLT645_CONTROL_ABNORMAL) != 0;
    shown.follow_up = (rejected->control & PREPAY_DLT645_CONTROL_FOLLOW_UP) != 0;
    shown.length = rejected->length;
    shown.edition = current->edition;
    finish(session, PREPAY_E_STATION_MALFORMED_REPLY, &shown);
    session->result.error = 0;
    set_step(step, PREPAY_STATION_DONE, 0, now_ms);
    return true;
}

static void describe_state(const prepay_station_session_t *session, prepay_station_step_t *step, uint64_t now_ms)
{
    switch (session->state) {
    case STATE_WAITING: set_step(step, PREPAY_STATION_WAIT, 0, session->deadline_ms); break;
    case STATE_SENT_ONLY: set_step(step, PREPAY_STATION_WAIT, 0, now_ms); break;
    case STATE_HOLD: set_step(step, PREPAY_STATION_WAIT, 0, session->quiet_until_ms); break;
    case STATE_DONE: set_step(step, PREPAY_STATION_DONE, 0, now_ms); break;
    default: set_step(step, PREPAY_STATION_IDLE, 0, now_ms); break;
    }
}

int prepay_station_receive(prepay_station_session_t *session, const uint8_t *rx, size_t rx_len, uint64_t now_ms,
                           uint8_t *tx, size_t tx_cap, prepay_station_step_t *step)
{
    if (!session || (!rx && rx_len != 0) || !tx || !step) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (session->magic != SESSION_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    if (session->state != STATE_WAITING) {
        session->stats.bytes_dropped += rx_len;
        describe_state(session, step, now_ms);
        return PREPAY_OK;
    }
    /* A silent gap longer than allowed ends any partial frame (clause 7.3). */
    if (now_ms > session->last_byte_ms && now_ms - session->last_byte_ms > session->config.byte_gap_ms) {
        (void)prepay_dlt645_stream_flush(&session->stream);
    }
    if (rx_len > 0) {
        session->last_byte_ms = now_ms;
    }
    describe_state(session, step, now_ms);
    int status = PREPAY_OK;
    size_t offset = 0;
    while (offset < rx_len || rx_len == 0) {
        int taken = prepay_dlt645_stream_feed(&session->stream, rx + offset, rx_len - offset);
        if (taken < 0) {
            return taken;
        }
        offset += (size_t)taken;
        prepay_dlt645_frame_t frame;
        prepay_dlt645_rejected_t rejected;
        int got;
        while ((got = prepay_dlt645_stream_next_checked(&session->stream, &frame, &rejected)) > 0) {
            bool ended = got == 1 ? on_frame(session, &frame, now_ms, tx, tx_cap, step, &status)
                                  : on_rejected(session, &rejected, now_ms, step);
            if (ended) {
                /* The request ended or moved on: later bytes of this chunk
                 * cannot answer the frame just sent. */
                session->stats.bytes_dropped += rx_len - offset;
                return status;
            }
            session->stats.ignored_frames++;
        }
        if (got < 0) {
            return got;
        }
        if (rx_len == 0) {
            break;
        }
    }
    /* A frame still arriving keeps the request alive past the reply
     * deadline (the inter-byte limit applies instead), by at most one more
     * reply timeout so that a babbling line cannot hold the bus. */
    prepay_dlt645_stream_stats_t parser;
    if (rx_len > 0 && prepay_dlt645_stream_stats(&session->stream, &parser) == PREPAY_OK && parser.bytes_pending > 0) {
        uint64_t until = now_ms + session->config.byte_gap_ms;
        uint64_t limit = session->attempt_deadline_ms + session->config.reply_timeout_ms;
        if (until > limit) {
            until = limit;
        }
        if (until > session->deadline_ms) {
            session->deadline_ms = until;
            describe_state(session, step, now_ms);
        }
    }
    return status;
}

int prepay_station_poll(prepay_station_session_t *session, uint64_t now_ms, uint8_t *tx, size_t tx_cap,
                        prepay_station_step_t *step)
{
    if (!session || !tx || !step) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (session->magic != SESSION_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    if (session->state == STATE_HOLD && now_ms >= session->quiet_until_ms) {
        size_t len = 0;
        int status = encode_current(session, tx, tx_cap, &len);
        if (status != PREPAY_OK) {
            return status;
        }
        if (is_broadcast(&session->current)) {
            session->state = STATE_SENT_ONLY;
            set_step(step, PREPAY_STATION_SEND, len, now_ms);
        } else {
            session->state = STATE_WAITING;
            arm(session, now_ms);
            set_step(step, PREPAY_STATION_SEND, len, session->deadline_ms);
        }
        return PREPAY_OK;
    }
    if (session->state == STATE_SENT_ONLY) {
        finish_broadcast(session, now_ms);
    } else if (session->state == STATE_WAITING && now_ms >= session->deadline_ms) {
        session->stats.timeouts++;
        if (session->attempts > session->config.retries) {
            finish(session, PREPAY_E_STATION_TIMEOUT, NULL);
        } else {
            size_t len = 0;
            int status = encode_current(session, tx, tx_cap, &len);
            if (status != PREPAY_OK) {
                session->stats.timeouts--;
                return status;
            }
            session->attempts++;
            if (session->follow_ups == 0) {
                session->result.attempts = session->attempts;
            }
            session->stats.transmissions++;
            arm(session, now_ms);
            (void)prepay_dlt645_stream_flush(&session->stream);
            set_step(step, PREPAY_STATION_SEND, len, session->deadline_ms);
            return PREPAY_OK;
        }
    }
    describe_state(session, step, now_ms);
    return PREPAY_OK;
}

int prepay_station_result(prepay_station_session_t *session, prepay_station_result_t *out)
{
    if (!session || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (session->magic != SESSION_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    if (session->state != STATE_DONE) {
        return PREPAY_E_STATION_NOT_DONE;
    }
    *out = session->result;
    session->state = STATE_IDLE;
    return PREPAY_OK;
}

int prepay_station_cancel(prepay_station_session_t *session)
{
    if (!session) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (session->magic != SESSION_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    session->state = STATE_IDLE;
    (void)prepay_dlt645_stream_flush(&session->stream);
    return PREPAY_OK;
}

int prepay_station_stats(const prepay_station_session_t *session, prepay_station_stats_t *out)
{
    if (!session || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (session->magic != SESSION_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    *out = session->stats;
    prepay_dlt645_stream_stats_t s;
    if (prepay_dlt645_stream_stats(&session->stream, &s) == PREPAY_OK) {
        out->bytes_dropped += s.bytes_dropped;
    }
    return PREPAY_OK;
}
