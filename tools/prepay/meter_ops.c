/* SPDX-License-Identifier: MIT */
/*
 * prepay meter: one operation on one meter as a step machine. Each call of
 * meter_op_step() takes the previous exchange and gives the next request,
 * so one loop can run an operation on one bus, or many operations on many
 * buses at once (batch). Nothing here does I/O.
 */
#define _POSIX_C_SOURCE 200809L /* localtime_r */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meter_cli.h"
#include "prepay/bcd.h"
#include "prepay/civil_time.h"
#include "prepay/dlt645_di.h"
#include "prepay/meter.h"

#define MAX_ITEMS 128

const char *meter_outcome_name(meter_outcome_t outcome)
{
    switch (outcome) {
    case OUT_OK: return "ok";
    case OUT_ABNORMAL: return "abnormal";
    case OUT_TIMEOUT: return "timeout";
    case OUT_MALFORMED: return "malformed";
    case OUT_LINK: return "link";
    case OUT_DIFFERENT: return "different";
    case OUT_FAILED: return "failed";
    default: return "pending";
    }
}

bool meter_outcome_retryable(meter_outcome_t outcome)
{
    return outcome == OUT_TIMEOUT || outcome == OUT_LINK || outcome == OUT_PENDING;
}

const char *meter_error_text(uint16_t error)
{
    static const char *const bits[] = {"other error",        "no requested data",   "password wrong or unauthorised",
                                       "baud cannot change", "too many year zones", "too many day slots",
                                       "too many tariffs"};
    for (unsigned i = 0; i < 7; i++) {
        if (error & (1u << i)) {
            return bits[i];
        }
    }
    return "no error bit set";
}

void meter_op_value(meter_op_t *op, const char *di, const char *name, const char *value, const char *unit)
{
    if (op->value_count == op->value_cap) {
        size_t cap = op->value_cap ? op->value_cap * 2 : 8;
        meter_value_t *grown = realloc(op->values, cap * sizeof *grown);
        if (!grown) {
            return; /* out of memory: the value is not shown */
        }
        op->values = grown;
        op->value_cap = cap;
    }
    meter_value_t *v = &op->values[op->value_count++];
    snprintf(v->di, sizeof v->di, "%s", di ? di : "");
    snprintf(v->name, sizeof v->name, "%s", name ? name : "");
    snprintf(v->value, sizeof v->value, "%s", value ? value : "");
    snprintf(v->unit, sizeof v->unit, "%s", unit ? unit : "");
}

void meter_op_fail(meter_op_t *op, meter_outcome_t outcome, const char *fmt, ...)
{
    op->outcome = outcome;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->message, sizeof op->message, fmt, ap);
    va_end(ap);
}

bool meter_op_check(meter_op_t *op, const meter_exchange_t *last, const char *what)
{
    if (last->status != PREPAY_OK) {
        meter_op_fail(op, OUT_LINK, "%s: %s", what,
                      last->error_text && last->error_text[0] ? last->error_text : prepay_strerror(last->status));
        return true;
    }
    const prepay_station_result_t *r = &last->result;
    switch (r->status) {
    case PREPAY_OK:
        return false;
    case PREPAY_E_STATION_TIMEOUT:
        if (last->bytes_dropped > 0) {
            meter_op_fail(op, OUT_TIMEOUT, "no valid reply to %s after %u attempts (%llu garbled bytes: bad checksum "
                                           "or colliding replies)",
                          what, (unsigned)r->attempts, (unsigned long long)last->bytes_dropped);
        } else {
            meter_op_fail(op, OUT_TIMEOUT, "no reply to %s after %u attempts", what, (unsigned)r->attempts);
        }
        return true;
    case PREPAY_E_DLT645_ABNORMAL:
        meter_op_fail(op, OUT_ABNORMAL, "%s refused: error %02X (%s)", what, (unsigned)r->error,
                      meter_error_text(r->error));
        return true;
    case PREPAY_E_STATION_MALFORMED_REPLY:
        meter_op_fail(op, OUT_MALFORMED, "malformed reply to %s (control %02X, length %u)", what,
                      (unsigned)r->reply.control, (unsigned)r->reply.length);
        return true;
    default:
        meter_op_fail(op, OUT_FAILED, "%s: %s", what, prepay_strerror(r->status));
        return true;
    }
}

int meter_op_write_request(meter_op_t *op, uint32_t di, const uint8_t *value, size_t len,
                           prepay_dlt645_frame_t *request)
{
    return prepay_dlt645_request_write(request, &op->address, di, &op->options->credentials, value, len);
}

static void format_time(prepay_time_t t, char *out, size_t cap)
{
    if (prepay_time_format(t, PREPAY_TIME_TEXT_SECOND, out, cap) < 0) {
        snprintf(out, cap, "?");
    }
}

/* The station's clock: local wall time. */
prepay_time_t meter_wall_now(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    prepay_civil_t c = {tm.tm_year + 1900, (uint8_t)(tm.tm_mon + 1), (uint8_t)tm.tm_mday, (uint8_t)tm.tm_hour,
                        (uint8_t)tm.tm_min, (uint8_t)tm.tm_sec, 0};
    prepay_time_t t = 0;
    (void)prepay_time_from_civil(&c, &t);
    return t;
}

/* Decoded items of a read reply as values. */
static void add_items(meter_op_t *op, uint32_t di, bool is_1997, const uint8_t *data, size_t len)
{
    static prepay_dlt645_value_t items[MAX_ITEMS];
    int n = is_1997 ? prepay_dlt645_block_decode_1997((uint16_t)di, data, len, items, MAX_ITEMS)
                    : prepay_dlt645_block_decode(di, data, len, items, MAX_ITEMS);
    char di_text[12];
    snprintf(di_text, sizeof di_text, is_1997 ? "%04X" : "%08X", (unsigned)di);
    if (n < 0) {
        char hex[3 * 64 + 1] = "";
        for (size_t i = 0; i < len && i < 64; i++) {
            snprintf(hex + 2 * i, sizeof hex - 2 * i, "%02X", data[i]);
        }
        char name[PREPAY_DLT645_NAME_MAX];
        if (is_1997 || prepay_dlt645_item_name(di, name, sizeof name) < 0) {
            snprintf(name, sizeof name, "item %s", di_text);
        }
        char note[96];
        snprintf(note, sizeof note, "%s (not decoded: %s)", hex, prepay_strerror(n));
        meter_op_value(op, di_text, name, note, "");
        return;
    }
    for (int i = 0; i < n; i++) {
        const prepay_dlt645_value_t *item = &items[i];
        char base[PREPAY_DLT645_NAME_MAX];
        if (is_1997 || prepay_dlt645_item_name(item->di, base, sizeof base) < 0) {
            snprintf(base, sizeof base, "%s", item->name ? item->name : "value");
        }
        char name[PREPAY_DLT645_NAME_MAX + 64];
        if (item->field > 0 && item->name) {
            snprintf(name, sizeof name, "%s: %s", base, item->name);
        } else {
            snprintf(name, sizeof name, "%s", base);
        }
        char value[PREPAY_DLT645_VALUE_TEXT_MAX];
        if (prepay_dlt645_value_format(item, value, sizeof value) < 0) {
            snprintf(value, sizeof value, "?");
        }
        bool numeric = item->kind == PREPAY_DLT645_KIND_NUMBER || item->kind == PREPAY_DLT645_KIND_DEMAND;
        char item_di[12];
        snprintf(item_di, sizeof item_di, is_1997 ? "%04X" : "%08X", (unsigned)item->di);
        meter_op_value(op, item_di, name, value, numeric ? prepay_dlt645_unit_symbol(item->unit) : "");
    }
}

static int read_request(meter_op_t *op, uint32_t di, bool is_1997, prepay_dlt645_frame_t *request)
{
    return is_1997 ? prepay_dlt645_request_read_1997(request, &op->address, (uint16_t)di)
                   : prepay_dlt645_request_read(request, &op->address, di);
}

/* ---- read, events ------------------------------------------------------------------------- */

static const uint32_t event_dis[] = {
    PREPAY_DI_COVER_OPEN_COUNT,     PREPAY_DI_COVER_OPEN_RECORD(1),
    PREPAY_DI_POWER_DOWN_COUNT,     PREPAY_DI_POWER_DOWN_RECORD(1),
    PREPAY_DI_PROGRAMMING_COUNT,    PREPAY_DI_PROGRAMMING_RECORD(1),
    PREPAY_DI_CLEAR_METER_COUNT,    PREPAY_DI_CLEAR_EVENTS_COUNT,
    PREPAY_DI_TRIP_COUNT,           PREPAY_DI_TRIP_TIME(1),
    PREPAY_DI_TRIP_OPERATOR(1),     PREPAY_DI_CLOSE_COUNT,
    PREPAY_DI_CLOSE_TIME(1),        PREPAY_DI_CLOSE_OPERATOR(1),
    PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_LOSS_OF_VOLTAGE, 0),
    PREPAY_DI_EVENT_START(PREPAY_DI_CLASS_LOSS_OF_VOLTAGE, PREPAY_DI_PHASE_A, 1),
    PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_LOSS_OF_CURRENT, 0),
    PREPAY_DI_EVENT_START(PREPAY_DI_CLASS_LOSS_OF_CURRENT, PREPAY_DI_PHASE_A, 1),
    PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_REVERSE_SEQUENCE, 0),
};

/* Reads a list of DIs; a refusal of one item is noted and the next read;
 * silence or a malformed reply ends the operation. With `quiet_absent`
 * (events) items the meter does not have are left out. */
static int step_reads(meter_op_t *op, const meter_exchange_t *last, const meter_di_t *dis, size_t count,
                      bool quiet_absent, prepay_dlt645_frame_t *request)
{
    if (last) {
        const meter_di_t *d = &dis[op->index - 1];
        char what[64];
        snprintf(what, sizeof what, d->is_1997 ? "read %04X" : "read %08X", (unsigned)d->di);
        if (last->status == PREPAY_OK && last->result.status == PREPAY_OK) {
            add_items(op, d->di, d->is_1997, last->data, last->data_len);
        } else if (last->status == PREPAY_OK && last->result.status == PREPAY_E_DLT645_ABNORMAL) {
            if (!quiet_absent) {
                char name[PREPAY_DLT645_NAME_MAX], di_text[12];
                snprintf(di_text, sizeof di_text, d->is_1997 ? "%04X" : "%08X", (unsigned)d->di);
                if (d->is_1997 || prepay_dlt645_item_name(d->di, name, sizeof name) < 0) {
                    snprintf(name, sizeof name, "item %s", di_text);
                }
                char note[96];
                snprintf(note, sizeof note, "refused: error %02X (%s)", (unsigned)last->result.error,
                         meter_error_text(last->result.error));
                meter_op_value(op, di_text, name, note, "");
                if (op->outcome != OUT_ABNORMAL) {
                    meter_op_fail(op, OUT_ABNORMAL, "%s refused: error %02X (%s)", what,
                                  (unsigned)last->result.error, meter_error_text(last->result.error));
                }
            }
        } else {
            meter_outcome_t before = op->outcome;
            (void)meter_op_check(op, last, what);
            (void)before;
            return 0;
        }
    }
    if (op->index == count) {
        if (op->outcome == OUT_PENDING) {
            op->outcome = OUT_OK;
        }
        return 0;
    }
    const meter_di_t *d = &dis[op->index++];
    return read_request(op, d->di, d->is_1997, request) == PREPAY_OK ? 1 : 0;
}

/* ---- relay ---------------------------------------------------------------------------------- */

static const char *relay_name(uint8_t code)
{
    switch (code) {
    case PREPAY_DLT645_RELAY_TRIP: return "trip";
    case PREPAY_DLT645_RELAY_CLOSE_ALLOWED: return "allow-close";
    case PREPAY_DLT645_RELAY_DIRECT_CLOSE: return "close";
    case PREPAY_DLT645_RELAY_ALARM: return "alarm";
    case PREPAY_DLT645_RELAY_ALARM_RELEASE: return "alarm-release";
    case PREPAY_DLT645_RELAY_KEEP_POWER: return "keep-power";
    default: return "keep-power-release";
    }
}

/* Reads the meter clock (date, then time) into op->clock; 1 = a request, 0 = done, -1 = failed. */
static int step_clock(meter_op_t *op, const meter_exchange_t *last, int first_phase, prepay_dlt645_frame_t *request)
{
    int phase = op->phase - first_phase;
    if (phase == 1 || phase == 2) {
        if (meter_op_check(op, last, phase == 1 ? "read the meter date (04000101)" : "read the meter time (04000102)")) {
            return -1;
        }
        prepay_dlt645_value_t v;
        uint32_t di = phase == 1 ? PREPAY_DI_DATE : PREPAY_DI_TIME;
        if (prepay_dlt645_value_decode(di, last->data, last->data_len, &v) != PREPAY_OK) {
            meter_op_fail(op, OUT_FAILED, "the meter's %s does not decode", phase == 1 ? "date" : "time");
            return -1;
        }
        if (phase == 1) {
            op->date_part = v.time;
        } else {
            op->clock = op->date_part + v.time;
            return 0;
        }
    }
    op->phase++;
    return prepay_dlt645_request_read(request, &op->address, phase == 0 ? PREPAY_DI_DATE : PREPAY_DI_TIME) ==
                   PREPAY_OK
               ? 1
               : -1;
}

static int step_relay(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    const meter_options_t *o = op->options;
    bool need_clock = !o->has_time && !o->no_time;
    if (op->phase < 3) {
        if (!need_clock) {
            op->phase = 3;
        } else {
            int rc = step_clock(op, last, 0, request);
            if (rc != 0) {
                return rc < 0 ? 0 : 1;
            }
            op->phase = 3;
        }
        prepay_time_t until = o->no_time ? PREPAY_DLT645_RELAY_NO_TIME : (o->has_time ? o->time : op->clock + 600);
        op->clock = until;
        op->phase = 4;
        return prepay_dlt645_request_relay_control(request, &op->address, &o->credentials, o->relay_command, until) ==
                       PREPAY_OK
                   ? 1
                   : (meter_op_fail(op, OUT_FAILED, "valid-until time outside 2000..2099"), 0);
    }
    if (op->phase == 4) {
        char what[64];
        snprintf(what, sizeof what, "relay %s (1C %02X)", relay_name(o->relay_command), o->relay_command);
        if (meter_op_check(op, last, what)) {
            return 0;
        }
        char until[32] = "none";
        if (op->clock != PREPAY_DLT645_RELAY_NO_TIME) {
            format_time(op->clock, until, sizeof until);
        }
        char text[96];
        snprintf(text, sizeof text, "%s accepted, valid until %s", relay_name(o->relay_command), until);
        meter_op_value(op, "", "relay command", text, "");
        op->phase = 5;
        return prepay_dlt645_request_read(request, &op->address, PREPAY_DI_STATUS_WORD_3) == PREPAY_OK ? 1 : 0;
    }
    /* Status word 3: bit 4 relay open (libprepay layout after Q/GDW; docs/meter.md). */
    if (last->status == PREPAY_OK && last->result.status == PREPAY_OK && last->data_len == 2) {
        meter_op_value(op, "04000503", "relay", (last->data[0] & 0x10u) ? "open" : "closed", "");
    }
    op->outcome = OUT_OK;
    return 0;
}

/* ---- recharge --------------------------------------------------------------------------------- */

static int step_recharge(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    const meter_options_t *o = op->options;
    const uint32_t count_di = PREPAY_DI_MONEY_PURCHASE(PREPAY_DI_PURCHASE_COUNT, 1);
    switch (op->phase) {
    case 0:
        op->phase = 1;
        return prepay_dlt645_request_read(request, &op->address, count_di) == PREPAY_OK ? 1 : 0;
    case 1: {
        uint64_t before = 0;
        if (last->status == PREPAY_OK && last->result.status == PREPAY_E_DLT645_ABNORMAL &&
            (last->result.error & PREPAY_DLT645_ERROR_NO_DATA)) {
            before = 0; /* no purchase recorded yet */
        } else if (meter_op_check(op, last, "read the purchase count (03330201)")) {
            return 0;
        } else if (prepay_bcd_decode(last->data, last->data_len, &before) != PREPAY_OK) {
            meter_op_fail(op, OUT_FAILED, "the purchase count does not decode");
            return 0;
        }
        op->count_before = (uint32_t)before;
        op->have_count_before = true;
        /* 03330201 is NNNN: compare modulo 10^4. */
        uint32_t wanted = o->count % 10000u;
        if (op->count_before == wanted) {
            char text[96];
            snprintf(text, sizeof text, "purchase %u was already credited: nothing written", (unsigned)o->count);
            meter_op_value(op, "", "recharge", text, "");
            op->outcome = OUT_OK;
            return 0;
        }
        if ((op->count_before + 1u) % 10000u != wanted) {
            meter_op_fail(op, OUT_FAILED, "purchase count %u does not follow the meter's count %u (next is %u): "
                                          "nothing written", (unsigned)o->count, (unsigned)op->count_before,
                          (unsigned)(op->count_before + 1u));
            return 0;
        }
        uint8_t value[PREPAY_METER_RECHARGE_DATA_SIZE];
        (void)prepay_bcd_encode((uint64_t)o->amount, value, 4);
        (void)prepay_bcd_encode(o->count, value + 4, 4);
        op->phase = 2;
        return meter_op_write_request(op, PREPAY_METER_DI_RECHARGE, value, sizeof value, request) == PREPAY_OK ? 1 : 0;
    }
    case 2: {
        if (meter_op_check(op, last, "recharge write (070102FF)")) {
            return 0;
        }
        char text[96];
        snprintf(text, sizeof text, "%lld.%02lld yuan credited as purchase %u", (long long)(o->amount / 100),
                 (long long)(o->amount % 100), (unsigned)o->count);
        meter_op_value(op, "070102FF", "recharge", text, "");
        op->phase = 3;
        return prepay_dlt645_request_read(request, &op->address, PREPAY_DI_REMAINING_AMOUNT) == PREPAY_OK ? 1 : 0;
    }
    default:
        if (!meter_op_check(op, last, "read the balance (00900200)")) {
            add_items(op, PREPAY_DI_REMAINING_AMOUNT, false, last->data, last->data_len);
            op->outcome = OUT_OK;
        } else {
            /* The recharge was accepted; only the read-back failed. */
            op->outcome = OUT_OK;
            op->message[0] = '\0';
        }
        return 0;
    }
}

/* ---- time sync, write, freeze ----------------------------------------------------------------- */

static int step_time_sync(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    const meter_options_t *o = op->options;
    if (op->phase == 0) {
        op->clock = o->has_time ? o->time : meter_wall_now();
    }
    if (op->broadcast) {
        if (op->phase == 0) {
            op->phase = 1;
            if (prepay_dlt645_request_broadcast_time(request, op->clock) != PREPAY_OK) {
                meter_op_fail(op, OUT_FAILED, "time outside 2000..2099");
                return 0;
            }
            return 1;
        }
        if (!meter_op_check(op, last, "broadcast time sync")) {
            char text[32];
            format_time(op->clock, text, sizeof text);
            meter_op_value(op, "", "broadcast time", text, "");
            op->outcome = OUT_OK;
        }
        return 0;
    }
    uint8_t value[4];
    switch (op->phase) {
    case 0:
        (void)prepay_time_to_dlt645_date(op->clock, value);
        op->phase = 1;
        return meter_op_write_request(op, PREPAY_DI_DATE, value, 4, request) == PREPAY_OK ? 1 : 0;
    case 1:
        if (meter_op_check(op, last, "write the date (04000101)")) {
            return 0;
        }
        (void)prepay_time_to_dlt645_time(op->clock, value);
        op->phase = 2;
        return meter_op_write_request(op, PREPAY_DI_TIME, value, 3, request) == PREPAY_OK ? 1 : 0;
    default:
        if (!meter_op_check(op, last, "write the time (04000102)")) {
            char text[32];
            format_time(op->clock, text, sizeof text);
            meter_op_value(op, "", "meter clock set to", text, "");
            op->outcome = OUT_OK;
        }
        return 0;
    }
}

static int step_write(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    const meter_options_t *o = op->options;
    char what[32];
    snprintf(what, sizeof what, "write %08X", (unsigned)o->write_di);
    switch (op->phase) {
    case 0: {
        prepay_dlt645_value_t value;
        uint8_t bytes[PREPAY_DLT645_MAX_DATA];
        int n;
        if (prepay_dlt645_value_parse(o->write_di, o->write_value, strlen(o->write_value), &value) != PREPAY_OK ||
            (n = prepay_dlt645_value_encode(&value, bytes, sizeof bytes)) < 0) {
            meter_op_fail(op, OUT_FAILED, "%s: the value does not encode", what);
            return 0;
        }
        op->phase = 1;
        if (meter_op_write_request(op, o->write_di, bytes, (size_t)n, request) != PREPAY_OK) {
            meter_op_fail(op, OUT_FAILED, "%s: the value is too long for one frame", what);
            return 0;
        }
        return 1;
    }
    case 1:
        if (meter_op_check(op, last, what)) {
            return 0;
        }
        meter_op_value(op, "", "written", o->write_value, "");
        op->phase = 2;
        return prepay_dlt645_request_read(request, &op->address, o->write_di) == PREPAY_OK ? 1 : 0;
    default:
        if (last->status == PREPAY_OK && last->result.status == PREPAY_OK) {
            add_items(op, o->write_di, false, last->data, last->data_len);
        }
        op->outcome = OUT_OK;
        return 0;
    }
}

static int step_freeze(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    const uint8_t *f = op->options->freeze;
    if (op->phase == 0) {
        op->phase = 1;
        prepay_dlt645_address_t target = op->broadcast ? prepay_dlt645_address_broadcast() : op->address;
        if (prepay_dlt645_request_freeze(request, &target, f[0], f[1], f[2], f[3]) != PREPAY_OK) {
            meter_op_fail(op, OUT_FAILED, "freeze time fields out of range");
            return 0;
        }
        return 1;
    }
    if (!meter_op_check(op, last, "freeze (16)")) {
        bool now = f[0] == 99 && f[1] == 99 && f[2] == 99 && f[3] == 99;
        char text[64];
        if (now) {
            snprintf(text, sizeof text, "frozen now");
        } else {
            snprintf(text, sizeof text, "timed freeze set to mm:hh:DD:MM %02u:%02u:%02u:%02u", f[0], f[1], f[2], f[3]);
        }
        meter_op_value(op, "", "freeze", text, "");
        op->outcome = OUT_OK;
    }
    return 0;
}

static int step_read_address(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    if (op->phase == 0) {
        op->phase = 1;
        return prepay_dlt645_request_read_address(request) == PREPAY_OK ? 1 : 0;
    }
    if (meter_op_check(op, last, "read address (13)")) {
        if (op->outcome == OUT_TIMEOUT && last->bytes_dropped > 0) {
            meter_op_fail(op, OUT_FAILED, "several meters answer on this bus (their replies collide): give "
                                          "--address, or run discover");
        }
        return 0;
    }
    prepay_dlt645_address_t found;
    if (prepay_dlt645_reply_read_address(&op->last_request, &last->result.reply, &found) != PREPAY_OK) {
        meter_op_fail(op, OUT_FAILED, "the read-address reply does not carry a valid address");
        return 0;
    }
    op->address = found;
    char text[16];
    (void)prepay_dlt645_address_to_string(&found, text, sizeof text);
    meter_op_value(op, "", "address", text, "");
    op->outcome = OUT_OK;
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------------------------ */

int meter_op_init(meter_op_t *op, const meter_options_t *o, const prepay_dlt645_address_t *address)
{
    memset(op, 0, sizeof *op);
    op->options = o;
    op->outcome = OUT_PENDING;
    op->broadcast = (o->command == CMD_TIME_SYNC || o->command == CMD_FREEZE) && o->broadcast;
    op->address = address ? *address : prepay_dlt645_address_wildcard();
    if (o->command == CMD_PUSH_TARIFF || o->command == CMD_VERIFY_TARIFF) {
        char err[METER_TEXT_MAX];
        int status = meter_tariff_op_init(op, err, sizeof err);
        if (status != 0) {
            meter_op_fail(op, OUT_FAILED, "%s", err);
            return status;
        }
    }
    return 0;
}

int meter_op_step(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    if (op->outcome != OUT_PENDING && op->outcome != OUT_ABNORMAL) {
        return 0;
    }
    if (last) {
        op->exchanges++;
    }
    const meter_options_t *o = op->options;
    int rc;
    switch (o->command) {
    case CMD_READ:
        rc = step_reads(op, last, o->dis, o->di_count, false, request);
        break;
    case CMD_EVENTS: {
        if (op->phase == 1) {
            rc = meter_event_records_step(op, last, request); /* the supervision's records */
            break;
        }
        static meter_di_t dis[sizeof event_dis / sizeof event_dis[0]];
        for (size_t i = 0; i < sizeof event_dis / sizeof event_dis[0]; i++) {
            dis[i] = (meter_di_t){event_dis[i], false};
        }
        rc = step_reads(op, last, dis, sizeof event_dis / sizeof event_dis[0], true, request);
        if (rc == 0 && op->outcome == OUT_OK) {
            op->phase = 1;
            op->outcome = OUT_PENDING;
            rc = meter_event_records_step(op, NULL, request);
            if (rc == 0 && op->outcome == OUT_PENDING) {
                op->outcome = OUT_OK;
            }
        }
        break;
    }
    case CMD_READ_ADDRESS:
        rc = step_read_address(op, last, request);
        break;
    case CMD_TIME_SYNC:
        rc = step_time_sync(op, last, request);
        break;
    case CMD_RELAY:
        rc = step_relay(op, last, request);
        break;
    case CMD_RECHARGE:
        rc = step_recharge(op, last, request);
        break;
    case CMD_WRITE:
        rc = step_write(op, last, request);
        break;
    case CMD_FREEZE:
        rc = step_freeze(op, last, request);
        break;
    case CMD_PUSH_TARIFF:
    case CMD_VERIFY_TARIFF:
        rc = meter_tariff_op_step(op, last, request);
        break;
    default:
        meter_op_fail(op, OUT_FAILED, "not an operation on one meter");
        return 0;
    }
    if (rc == 1) {
        request->preamble = 0;
        op->last_request = *request;
    } else if (op->outcome == OUT_PENDING) {
        meter_op_fail(op, OUT_FAILED, "the request could not be built");
    }
    return rc;
}

void meter_op_free(meter_op_t *op)
{
    free(op->values);
    op->values = NULL;
    op->value_count = op->value_cap = 0;
    meter_tariff_op_free(op);
    meter_event_records_free(op);
}
