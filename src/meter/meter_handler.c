/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: the DL/T 645-2007 meter-side request handler.
 *
 * Decoding, address matching and reply framing use the protocol module's
 * codec (prepay_dlt645_decode_edition, prepay_dlt645_frame_init,
 * prepay_dlt645_encode, the request parsers); the meter adds what a plain
 * (non-ESAM) prepaid meter does with each function.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "meter_internal.h"
#include "meter_write_internal.h"

/* Largest reply of a function other than read: 93 (6 bytes of address). */
#define SMALL_REPLY_SIZE PREPAY_DLT645_FRAME_SIZE(0, 6)

typedef prepay__meter_reply_t reply_t;

int prepay__meter_reply(const reply_t *r, unsigned flags, const uint8_t *data, size_t len)
{
    prepay_dlt645_frame_t frame;
    uint8_t control = prepay_dlt645_control(r->function, true, (flags & PREPAY__METER_REPLY_ABNORMAL) != 0,
                                            (flags & PREPAY__METER_REPLY_FOLLOW_UP) != 0);
    int status =
        prepay_dlt645_frame_init(&frame, PREPAY_DLT645_EDITION_2007, &r->meter->address, control, data, len);
    if (status != PREPAY_OK) {
        return status;
    }
    return prepay_dlt645_encode(&frame, r->out, r->cap);
}

int prepay__meter_reply_error(const reply_t *r, uint8_t error)
{
    return prepay__meter_reply(r, PREPAY__METER_REPLY_ABNORMAL, &error, 1);
}

static int reply_frame(const reply_t *r, bool abnormal, const uint8_t *data, size_t len)
{
    return prepay__meter_reply(r, abnormal ? PREPAY__METER_REPLY_ABNORMAL : 0u, data, len);
}

static int reply_error(const reply_t *r, uint8_t error)
{
    return prepay__meter_reply_error(r, error);
}

/*
 * Password check. Levels 02 and 04 are plaintext; level 02 is the stronger
 * (it may do everything 04 may). A level the item does not accept, or a
 * ciphertext level (98/99, ESAM), is unauthorised without counting; a wrong
 * password counts, and after PREPAY_METER_PASSWORD_TRIES wrong passwords in
 * a day every password is refused until the next day.
 */
static int authorise(prepay_meter_t *meter, const prepay_dlt645_credentials_t *c, unsigned required)
{
    prepay_days_t today = prepay_time_day_of(meter->clock);
    if (meter->password_failure_day == today && meter->password_failures_today >= PREPAY_METER_PASSWORD_TRIES) {
        return PREPAY_DLT645_ERROR_UNAUTHORISED;
    }
    if ((c->level != PREPAY_DLT645_PASSWORD_LEVEL_2 && c->level != PREPAY_DLT645_PASSWORD_LEVEL_4) ||
        c->level > required) {
        return PREPAY_DLT645_ERROR_UNAUTHORISED;
    }
    if (memcmp(meter->passwords[c->level], c->password, 3) != 0) {
        if (meter->password_failure_day != today) {
            meter->password_failure_day = today;
            meter->password_failures_today = 0;
        }
        if (meter->password_failures_today < UINT8_MAX) {
            meter->password_failures_today++;
        }
        if (meter->password_failures < UINT32_MAX) {
            meter->password_failures++;
        }
        return PREPAY_DLT645_ERROR_UNAUTHORISED;
    }
    return 0;
}

/* Credentials at the start of data: PA P0 P1 P2 C0 C1 C2 C3. */
static void credentials_at(const uint8_t *data, prepay_dlt645_credentials_t *c)
{
    c->level = data[0];
    memcpy(c->password, data + 1, 3);
    memcpy(c->operator_code, data + 4, 4);
}

static int handle_read(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const reply_t *r)
{
    uint8_t data[PREPAY_DLT645_MAX_DATA > 4 ? PREPAY_DLT645_MAX_DATA : 4];
    if (req->length < 4) {
        return reply_error(r, PREPAY_DLT645_ERROR_OTHER);
    }
    if ((req->di >> 24) == 0x06u) {
        return prepay__meter_load_read(meter, req, r); /* load records: meter_load_profile.c */
    }
    memcpy(data, req->data, 4);
    int n = prepay_meter_read(meter, req->di, data + 4, sizeof data - 4u);
    if (n < 0) {
        return reply_error(r,
                           n == PREPAY_E_METER_DAY_SLOTS ? PREPAY_DLT645_ERROR_DAY_SLOTS : PREPAY_DLT645_ERROR_NO_DATA);
    }
    return reply_frame(r, false, data, 4u + (size_t)n);
}

static int handle_write(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const reply_t *r)
{
    prepay_dlt645_write_request_t w;
    if (prepay_dlt645_parse_write_request(req, &w) != PREPAY_OK) {
        return reply_error(r, PREPAY_DLT645_ERROR_OTHER);
    }
    unsigned required = w.di == PREPAY_METER_DI_RECHARGE ? 2u : (unsigned)prepay__meter_write_level(w.di);
    uint8_t error = (uint8_t)authorise(meter, &w.credentials, required);
    uint32_t op = prepay__meter_le32(w.credentials.operator_code);
    if (error != 0) {
        if (prepay__meter_sup(meter)) {
            prepay__meter_sup(meter)->refused(meter, w.di, op); /* an unauthorised write is itself recorded */
        }
        return reply_error(r, error);
    }
    if (w.di == PREPAY_METER_DI_RECHARGE) {
        uint64_t amount;
        uint64_t count;
        if (w.value_len != PREPAY_METER_RECHARGE_DATA_SIZE || prepay_bcd_decode(w.value, 4, &amount) != PREPAY_OK ||
            prepay_bcd_decode(w.value + 4, 4, &count) != PREPAY_OK || amount == 0) {
            return reply_error(r, PREPAY_DLT645_ERROR_OTHER);
        }
        int status = prepay_meter_recharge(meter, meter->clock, (prepay_money_t)amount, (uint32_t)count);
        if (status < 0) {
            return reply_error(r, PREPAY_DLT645_ERROR_OTHER);
        }
        return reply_frame(r, false, NULL, 0);
    }
    /* Thresholds, limits and the report-word reset: meter_supervision.c, when attached. */
    const prepay__meter_sup_ops_t *sup = prepay__meter_sup(meter);
    int status = sup != NULL ? sup->write(meter, w.di, w.value, w.value_len) : PREPAY_E_NOT_FOUND;
    if (status == PREPAY_E_NOT_FOUND) {
        status = prepay__meter_write(meter, w.di, w.value, w.value_len);
    }
    uint8_t code;
    switch (status) {
    case PREPAY_OK:
        if (w.di != PREPAY_EVENTS_DI_STATUS_RESET) {
            prepay__meter_event_now(meter, PREPAY_METER_EVENT_PROGRAMMING, w.di);
        }
        if (sup != NULL) {
            sup->programmed(meter, w.di, op);
        }
        /* New purse parameters take effect at once. A decision can only fail on a
         * corrupt wallet state; the write stands and the next step decides again. */
        (void)prepay__meter_decide(meter, false, PREPAY__METER_LOCAL_OPERATOR);
        return reply_frame(r, false, NULL, 0);
    case PREPAY_E_NOT_FOUND:
        code = PREPAY_DLT645_ERROR_NO_DATA;
        break;
    case PREPAY_E_METER_WRITE_ZONES:
        code = PREPAY_DLT645_ERROR_YEAR_ZONES;
        break;
    case PREPAY_E_METER_WRITE_SLOTS:
        code = PREPAY_DLT645_ERROR_DAY_SLOTS;
        break;
    case PREPAY_E_METER_WRITE_TARIFFS:
        code = PREPAY_DLT645_ERROR_TARIFFS;
        break;
    case PREPAY_E_METER_WRITE_READ_ONLY:
        code = PREPAY_DLT645_ERROR_UNAUTHORISED;
        break;
    default:
        code = PREPAY_DLT645_ERROR_OTHER;
        break;
    }
    return reply_error(r, code);
}

static int handle_change_password(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const reply_t *r)
{
    if (req->length != 12 || (req->di & 0xFFFFFF00u) != 0x04000C00u || (req->di & 0xFFu) < 1 ||
        (req->di & 0xFFu) > PREPAY_METER_PASSWORD_LEVELS) {
        return reply_error(r, PREPAY_DLT645_ERROR_OTHER);
    }
    unsigned new_level = (req->di & 0xFFu) - 1u;
    prepay_dlt645_credentials_t old;
    old.level = req->data[4];
    memcpy(old.password, req->data + 5, 3);
    /* The old password's level must be at least as strong as the level changed. */
    uint8_t error = (uint8_t)authorise(meter, &old, 4);
    if (error == 0 && (req->data[8] != new_level || old.level > new_level)) {
        error = PREPAY_DLT645_ERROR_UNAUTHORISED;
    }
    if (error != 0) {
        return reply_error(r, error);
    }
    memcpy(meter->passwords[new_level], req->data + 9, 3);
    prepay__meter_event_now(meter, PREPAY_METER_EVENT_PROGRAMMING, req->di);
    return reply_frame(r, false, req->data + 8, 4);
}

static int handle_clear(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const reply_t *r)
{
    size_t need = req->function == PREPAY_DLT645_FN_CLEAR_EVENTS ? 12u : 8u;
    if (req->length != need) {
        return reply_error(r, PREPAY_DLT645_ERROR_OTHER);
    }
    prepay_dlt645_credentials_t c;
    credentials_at(req->data, &c);
    uint8_t error = (uint8_t)authorise(meter, &c, 2);
    uint32_t op = prepay__meter_le32(c.operator_code);
    if (error != 0) {
        /* A refused clear is recorded (the DI of an event clear, else 0). */
        bool events = req->function == PREPAY_DLT645_FN_CLEAR_EVENTS;
        if (prepay__meter_sup(meter)) {
            prepay__meter_sup(meter)->refused(meter, events ? prepay__meter_le32(req->data + 8) : 0u, op);
        }
        return reply_error(r, error);
    }
    if (req->function == PREPAY_DLT645_FN_CLEAR_DEMAND) {
        (void)prepay_meter_clear_demand(meter);
        prepay__meter_event_now(meter, PREPAY_METER_EVENT_CLEAR_DEMAND, op);
    } else if (req->function == PREPAY_DLT645_FN_CLEAR_METER) {
        prepay__meter_clear_energy(meter);
        (void)prepay__meter_clear_events(meter, -1);
        prepay__meter_event_now(meter, PREPAY_METER_EVENT_CLEAR_METER, op);
    } else {
        uint32_t di = prepay__meter_le32(req->data + 8);
        int kind = -1;
        if (di != PREPAY_DLT645_DI_ALL_EVENTS) {
            static const struct {
                uint32_t di;
                int kind;
            } kinds[] = {
                {0x03300D00u, PREPAY_METER_EVENT_COVER_OPEN},     {0x03110000u, PREPAY_METER_EVENT_POWER_DOWN},
                {0x03300000u, PREPAY_METER_EVENT_PROGRAMMING},    {0x10000000u, PREPAY_METER_EVENT_LOSS_OF_VOLTAGE},
                {0x18000000u, PREPAY_METER_EVENT_LOSS_OF_CURRENT}, {0x14000000u, PREPAY_METER_EVENT_REVERSE_PHASE},
                {0x1D000000u, PREPAY_METER_EVENT_TRIP},           {0x1E000000u, PREPAY_METER_EVENT_CLOSE},
            };
            for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
                if ((di & 0xFFFFFF00u) == kinds[i].di || (di & 0xFF000000u) == kinds[i].di) {
                    kind = kinds[i].kind;
                    break;
                }
            }
            if (kind < 0) {
                return reply_error(r, PREPAY_DLT645_ERROR_NO_DATA);
            }
        }
        (void)prepay__meter_clear_events(meter, kind);
        prepay__meter_event_now(meter, PREPAY_METER_EVENT_CLEAR_EVENTS, op);
    }
    return reply_frame(r, false, NULL, 0);
}

static int handle_relay(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const reply_t *r)
{
    prepay_dlt645_relay_request_t relay;
    if (prepay_dlt645_parse_relay_request(req, &relay) != PREPAY_OK) {
        return reply_error(r, PREPAY_DLT645_ERROR_OTHER);
    }
    uint8_t error = (uint8_t)authorise(meter, &relay.credentials, 2);
    if (error != 0) {
        return reply_error(r, error);
    }
    if (relay.valid_until == PREPAY_DLT645_RELAY_NO_TIME) {
        /* Policy: a command without a valid-until time could be replayed at
         * any later date; the reference meter refuses it (docs/meter.md). */
        return reply_error(r, PREPAY_DLT645_ERROR_OTHER);
    }
    int status = prepay_meter_relay_command(meter, meter->clock, relay.command, relay.valid_until,
                                            prepay__meter_le32(relay.credentials.operator_code));
    if (status != PREPAY_OK) {
        return reply_error(r, PREPAY_DLT645_ERROR_OTHER);
    }
    return reply_frame(r, false, NULL, 0);
}

/* Freeze (16): 99999999 freezes now; otherwise the fields set the timed freeze (99 = any). */
static int apply_freeze(prepay_meter_t *meter, const prepay_dlt645_frame_t *req)
{
    static const uint8_t limits[4] = {59, 23, 31, 12};
    static const uint8_t lows[4] = {0, 0, 1, 1};
    if (req->length != 4) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    bool all = true;
    for (size_t i = 0; i < 4; i++) {
        uint8_t v;
        if (req->data[i] == 0x99) {
            continue;
        }
        all = false;
        if (prepay_bcd_decode_byte(req->data[i], &v) != PREPAY_OK || v > limits[i] || v < lows[i]) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
    }
    if (all) {
        prepay__meter_freeze(meter, &meter->instant_freeze);
    } else {
        memcpy(meter->freeze_pattern, req->data, 4);
    }
    return PREPAY_OK;
}

static int handle_time_sync(prepay_meter_t *meter, const prepay_dlt645_frame_t *req)
{
    prepay_time_t t;
    if (req->length != 6 || prepay_time_from_dlt645_datetime(req->data, &t) != PREPAY_OK) {
        return 0;
    }
    int status = prepay_meter_check_time_sync(meter, t);
    if (status == PREPAY_E_METER_TIME_SYNC_REFUSED) {
        prepay__meter_refuse_time_sync(meter, t);
        return 0;
    }
    if (status == PREPAY_OK) {
        (void)prepay__meter_set_clock(meter, t);
    }
    return 0;
}

int prepay_meter_handle(prepay_meter_t *meter, prepay_time_t now, const uint8_t *request, size_t request_len,
                        uint8_t *reply, size_t reply_cap)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (request == NULL || reply == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_dlt645_frame_t req;
    if (prepay_dlt645_decode_edition(request, request_len, PREPAY_DLT645_EDITION_AUTO, &req) < 0 || req.is_reply) {
        return 0; /* a meter drops what it cannot parse, and replies */
    }
    if (req.edition == PREPAY_DLT645_EDITION_1997) {
#if PREPAY_METER_DLT645_1997
        return prepay__meter_handle_1997(meter, now, &req, reply, reply_cap); /* meter_read_1997.c */
#else
        return 0; /* a 2007-only meter: a 1997 frame gets no reply */
#endif
    }
    bool broadcast = prepay_dlt645_address_is_broadcast(&req.address);
    bool wildcard = !broadcast && prepay_dlt645_address_is_wildcard(&req.address);
    if (!broadcast && !prepay_dlt645_address_matches(&req.address, &meter->address)) {
        return 0;
    }
    uint8_t fn = req.function;
    /* Which addressing each function accepts (as real meters do). */
    if (broadcast && fn != PREPAY_DLT645_FN_BROADCAST_TIME && fn != PREPAY_DLT645_FN_FREEZE) {
        return 0;
    }
    if (!broadcast && fn == PREPAY_DLT645_FN_BROADCAST_TIME) {
        return 0; /* time sync is broadcast only (DL/T 645-2007: sent to 999999999999) */
    }
    if (wildcard && fn == PREPAY_DLT645_FN_WRITE_ADDRESS && !meter->programming_key) {
        return 0; /* every meter on the bus would answer: only the one with its key pressed does */
    }
    if (wildcard && fn != PREPAY_DLT645_FN_READ && fn != PREPAY_DLT645_FN_READ_ADDRESS &&
        fn != PREPAY_DLT645_FN_WRITE_ADDRESS) {
        return 0;
    }
    if (fn != PREPAY_DLT645_FN_READ && !broadcast && reply_cap < SMALL_REPLY_SIZE) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay__meter_catch_up(meter, now);
    const reply_t r = {meter, fn, reply, reply_cap};
    switch (fn) {
    case PREPAY_DLT645_FN_BROADCAST_TIME:
        return handle_time_sync(meter, &req);
    case PREPAY_DLT645_FN_READ:
        return handle_read(meter, &req, &r);
    case PREPAY_DLT645_FN_READ_FOLLOW_UP:
        /* Only load-record answers span frames (meter_load_profile.c); anything else: no data. */
        return prepay__meter_load_follow_up(meter, &req, &r);
    case PREPAY_DLT645_FN_READ_ADDRESS:
        if (req.length != 0) {
            return 0;
        }
        return reply_frame(&r, false, meter->address.bytes, PREPAY_DLT645_ADDRESS_SIZE);
    case PREPAY_DLT645_FN_WRITE:
        return handle_write(meter, &req, &r);
    case PREPAY_DLT645_FN_WRITE_ADDRESS: {
        prepay_dlt645_address_t next;
        if (req.length != PREPAY_DLT645_ADDRESS_SIZE) {
            return reply_error(&r, PREPAY_DLT645_ERROR_OTHER);
        }
        if (!meter->programming_key) {
            return reply_error(&r, PREPAY_DLT645_ERROR_UNAUTHORISED);
        }
        memcpy(next.bytes, req.data, PREPAY_DLT645_ADDRESS_SIZE);
        if (!prepay__meter_address_ok(&next)) {
            return reply_error(&r, PREPAY_DLT645_ERROR_OTHER);
        }
        meter->address = next;
        prepay__meter_event_now(meter, PREPAY_METER_EVENT_PROGRAMMING, 0x04000401u);
        return reply_frame(&r, false, NULL, 0);
    }
    case PREPAY_DLT645_FN_FREEZE:
        status = apply_freeze(meter, &req);
        if (broadcast) {
            return 0;
        }
        if (status != PREPAY_OK) {
            return reply_error(&r, PREPAY_DLT645_ERROR_OTHER);
        }
        return reply_frame(&r, false, NULL, 0);
    case PREPAY_DLT645_FN_CHANGE_BAUD: {
        uint32_t baud;
        if (req.length != 1 || prepay_dlt645_baud_from_feature(req.data[0], &baud) != PREPAY_OK) {
            return reply_error(&r, PREPAY_DLT645_ERROR_BAUD);
        }
        meter->baud_feature = req.data[0];
        return reply_frame(&r, false, req.data, 1);
    }
    case PREPAY_DLT645_FN_CHANGE_PASSWORD:
        return handle_change_password(meter, &req, &r);
    case PREPAY_DLT645_FN_CLEAR_DEMAND:
    case PREPAY_DLT645_FN_CLEAR_METER:
    case PREPAY_DLT645_FN_CLEAR_EVENTS:
        return handle_clear(meter, &req, &r);
    case PREPAY_DLT645_FN_RELAY_CONTROL:
        return handle_relay(meter, &req, &r);
    case PREPAY_DLT645_FN_SECURITY: {
        /* No ESAM in a plain meter: abnormal reply C3 with security error word 0001 (other). */
        uint8_t word[2] = {0x01, 0x00};
        return reply_frame(&r, true, word, 2);
    }
    default:
        return reply_error(&r, PREPAY_DLT645_ERROR_OTHER);
    }
}
