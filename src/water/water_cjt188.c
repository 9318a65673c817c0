/* SPDX-License-Identifier: MIT */
/*
 * Reference water meter: the meter side of CJ/T 188-2004.
 *
 * Request bytes in, reply bytes out (docs/water.md, "The meter on the
 * wire"). The frame is decoded and checked (meter type, address, wildcards,
 * the request's structure) before anything happens: a frame that fails gets
 * no reply or an abnormal reply and changes nothing. Only then does time
 * pass to the reception time and the command act; a command the meter
 * refuses (an open its valve rules forbid, a purchase out of sequence or
 * above the hoarding limit) changes nothing but the refusal record.
 *
 * Values on the wire: volumes XXXXXX.XX m³ (the register truncated to 10 L,
 * rolling over at 10^6 m³ like a mechanical register); money XXXXXX.XX yuan
 * (fen). In volume mode the purse fields of 8105 and the A013 amount are
 * volumes in the same layout (0.01 m³ = 10 L), a libprepay convention: the
 * 2004 DI table names them amounts and says nothing of volume purses.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "water_internal.h"

/* The largest BCD amount of 4 bytes: 999999.99. */
#define WIRE_MAX INT64_C(99999999)

/* What executing a command produced. */
typedef struct outcome {
    bool abnormal;      /* answer with an abnormal reply (nothing changed, or only the refusal record) */
    size_t value_len;   /* bytes of `value` after DI + SER */
    uint8_t value[24];  /* the reply value (901F: 19 bytes) */
    bool new_address;   /* A018: take `address` after the reply is built */
    prepay_cjt188_address_t address;
} outcome_t;

static bool is_wildcard(const prepay_cjt188_frame_t *f)
{
    if (f->meter_type == PREPAY_CJT188_WILDCARD_BYTE) {
        return true;
    }
    for (size_t i = 0; i < PREPAY_CJT188_ADDRESS_SIZE; i++) {
        if (f->address.bytes[i] == PREPAY_CJT188_WILDCARD_BYTE) {
            return true;
        }
    }
    return false;
}

/* A purse amount in wire units: fen, or tens of litres in volume mode. */
static int64_t to_wire(const prepay_water_meter_t *meter, int64_t amount)
{
    return meter->mode == PREPAY_WATER_MODE_VOLUME ? amount / 10 : amount;
}

static int64_t clamp_wire(int64_t v)
{
    return v < 0 ? 0 : v > WIRE_MAX ? WIRE_MAX : v;
}

static prepay_cjt188_quantity_t reading(prepay_energy_t litres)
{
    prepay_cjt188_quantity_t q;
    q.present = true;
    q.value = (litres / 10) % (WIRE_MAX + 1);
    q.decimals = 2;
    q.unit = PREPAY_CJT188_UNIT_M3;
    return q;
}

static void put_status(const prepay_water_meter_t *meter, outcome_t *o)
{
    uint16_t st = prepay_water_meter_status_word(meter);
    o->value[0] = (uint8_t)st;
    o->value[1] = (uint8_t)(st >> 8);
    o->value_len = 2;
}

static bool put_day(uint8_t day, outcome_t *o)
{
    if (prepay_bcd_encode_byte(day, &o->value[0]) != PREPAY_OK) {
        return false;
    }
    o->value_len = 1;
    return true;
}

static void read_data(const prepay_water_meter_t *meter, uint16_t di, outcome_t *o)
{
    bool ok = false;
    if (di == PREPAY_CJT188_DI_CURRENT) {
        prepay_cjt188_current_t cur;
        memset(&cur, 0, sizeof cur);
        cur.family = PREPAY_CJT188_FAMILY_WATER;
        cur.reading = reading(meter->volume);
        cur.settlement = reading(meter->history_count > 0 ? meter->history[0] : 0);
        cur.settlement.present = meter->history_count > 0;
        cur.clock_state = PREPAY_CJT188_CLOCK_VALID;
        cur.clock = meter->clock;
        cur.status = prepay_water_meter_status_word(meter);
        int n = prepay_cjt188_current_encode(&cur, o->value, sizeof o->value);
        ok = n > 0;
        o->value_len = ok ? (size_t)n : 0;
    } else if (di >= PREPAY_CJT188_DI_HISTORY_FIRST && di <= PREPAY_CJT188_DI_HISTORY_LAST) {
        size_t month = (size_t)(di - PREPAY_CJT188_DI_HISTORY_FIRST);
        prepay_cjt188_quantity_t q = reading(month < meter->history_count ? meter->history[month] : 0);
        q.present = month < meter->history_count;
        ok = prepay_cjt188_quantity_encode(&q, 4, true, o->value) == PREPAY_OK;
        o->value_len = 5;
    } else if (di == PREPAY_CJT188_DI_PRICE_TABLE) {
        /* Prices finer than a fen or steps finer than a m3 cannot be sent: abnormal reply. */
        ok = prepay_cjt188_price_table_encode(&meter->prices[0], o->value) == PREPAY_OK;
        o->value_len = 15;
    } else if (di == PREPAY_CJT188_DI_SETTLEMENT_DAY) {
        ok = put_day(meter->settlement_day, o);
    } else if (di == PREPAY_CJT188_DI_READING_DAY) {
        ok = put_day(meter->reading_day, o);
    } else if (di == PREPAY_CJT188_DI_PURSE && meter->mode != PREPAY_WATER_MODE_REMOTE) {
        prepay_cjt188_purse_t p;
        p.purchase_serial = meter->purchase_serial;
        p.last_fen = clamp_wire(to_wire(meter, meter->last_purchase));
        p.total_fen = to_wire(meter, meter->purchase_total) % (WIRE_MAX + 1); /* rolls over like a register */
        p.remaining_fen = clamp_wire(to_wire(meter, meter->balance));
        p.status = prepay_water_meter_status_word(meter);
        ok = prepay_cjt188_purse_encode(&p, o->value) == PREPAY_OK;
        o->value_len = 15;
    }
    o->abnormal = !ok;
}

static void purchase(prepay_water_meter_t *meter, const prepay_cjt188_command_t *c, outcome_t *o)
{
    o->abnormal = true;
    if (meter->mode == PREPAY_WATER_MODE_REMOTE || c->amount_fen < 1 || c->amount_fen > WIRE_MAX) {
        return;
    }
    int64_t amount = meter->mode == PREPAY_WATER_MODE_VOLUME ? c->amount_fen * 10 : c->amount_fen;
    int rc = prepay__water_purchase(meter, c->purchase_serial, amount);
    if (rc == PREPAY_OK) {
        memcpy(o->value, c->value, 5); /* serial + amount as received */
    } else if (rc == PREPAY_WATER_PURCHASE_REPEAT) {
        /* A replay: answer with the purchase the serial stands for. */
        o->value[0] = meter->purchase_serial;
        if (prepay_bcd_encode((uint64_t)clamp_wire(to_wire(meter, meter->last_purchase)), o->value + 1, 4) != PREPAY_OK) {
            return;
        }
    } else {
        return;
    }
    o->value_len = 5;
    o->abnormal = false;
}

static void valve(prepay_water_meter_t *meter, bool open, outcome_t *o)
{
    int rc = prepay_water_meter_valve(meter, meter->clock, PREPAY_WATER_ACTOR_STATION, open);
    o->abnormal = rc != PREPAY_OK; /* a refused open is recorded by prepay_water_meter_valve() */
    if (!o->abnormal) {
        put_status(meter, o);
    }
}

static void programmed(prepay_water_meter_t *meter, uint16_t di)
{
    prepay__water_event(meter, PREPAY_WATER_EVENT_PROGRAMMING, di, 0);
}

/* Executes a parsed command at the meter clock. */
static void execute(prepay_water_meter_t *meter, const prepay_cjt188_command_t *c, outcome_t *o)
{
    switch (c->kind) {
    case PREPAY_CJT188_COMMAND_READ:
        read_data(meter, c->di, o);
        return;
    case PREPAY_CJT188_COMMAND_READ_ADDRESS:
        return;
    case PREPAY_CJT188_COMMAND_READ_KEY_VERSION:
        o->value[0] = meter->key_version;
        o->value_len = 1;
        return;
    case PREPAY_CJT188_COMMAND_PRICE_TABLE: {
        prepay_time_t at;
        if (prepay_water_price_table_check(&c->price_table) != PREPAY_OK ||
            prepay_water_price_start(meter->clock, c->price_table.start_day, &at) != PREPAY_OK ||
            prepay_water_meter_schedule_prices(meter, &c->price_table, at) != PREPAY_OK) {
            o->abnormal = true;
            return;
        }
        programmed(meter, c->di);
        put_status(meter, o);
        return;
    }
    case PREPAY_CJT188_COMMAND_SETTLEMENT_DAY:
        (void)prepay_water_meter_set_cycle(meter, c->day, meter->cycle_month); /* day checked by the parser */
        programmed(meter, c->di);
        return;
    case PREPAY_CJT188_COMMAND_READING_DAY:
        meter->reading_day = c->day;
        programmed(meter, c->di);
        return;
    case PREPAY_CJT188_COMMAND_PURCHASE:
        purchase(meter, c, o);
        return;
    case PREPAY_CJT188_COMMAND_KEY:
        meter->key_version = c->key_version;
        memcpy(meter->key, c->key, sizeof meter->key);
        programmed(meter, c->di);
        o->value[0] = meter->key_version;
        o->value_len = 1;
        return;
    case PREPAY_CJT188_COMMAND_TIME:
        if (c->time < PREPAY__WATER_TIME_MIN || c->time > PREPAY__WATER_TIME_MAX) {
            o->abnormal = true;
            return;
        }
        prepay__water_set_clock(meter, c->time);
        programmed(meter, c->di);
        return;
    case PREPAY_CJT188_COMMAND_BASE: {
        prepay_energy_t litres;
        if (prepay_cjt188_quantity_litres(&c->base, &litres) != PREPAY_OK) {
            o->abnormal = true;
            return;
        }
        meter->volume = litres;
        programmed(meter, c->di);
        put_status(meter, o);
        return;
    }
    case PREPAY_CJT188_COMMAND_VALVE:
        valve(meter, c->valve_open, o);
        return;
    case PREPAY_CJT188_COMMAND_WRITE_ADDRESS:
        o->new_address = true;
        o->address = c->new_address;
        return;
    case PREPAY_CJT188_COMMAND_FACTORY_ENABLE:
        meter->factory_enabled = 1;
        programmed(meter, c->di);
        return;
    default: /* other writes: not a DI this meter has */
        o->abnormal = true;
        return;
    }
}

int prepay_water_meter_handle_cjt188(prepay_water_meter_t *meter, prepay_time_t now, const uint8_t *request,
                                     size_t request_len, uint8_t *reply, size_t reply_cap)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (!request || !reply) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (reply_cap < PREPAY_WATER_CJT188_REPLY_MAX) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay_cjt188_frame_t req;
    if (prepay_cjt188_decode(request, request_len, PREPAY_CJT188_DI_AUTO, &req) <= 0 || req.is_reply ||
        !req.has_di) {
        return 0; /* not a frame, a reply, or a vendor function: not ours to answer */
    }
    if ((req.meter_type != meter->meter_type && req.meter_type != PREPAY_CJT188_WILDCARD_BYTE) ||
        !prepay_cjt188_address_matches(&req.address, &meter->address)) {
        return 0;
    }
    const bool wildcard = is_wildcard(&req);
    prepay_cjt188_target_t self;
    self.meter_type = meter->meter_type;
    self.address = meter->address;
    self.di_order = PREPAY_CJT188_DI_AUTO;
    prepay_cjt188_command_t cmd;
    outcome_t o;
    memset(&o, 0, sizeof o);
    if (prepay_cjt188_parse_request(&req, &cmd) != PREPAY_OK) {
        if (wildcard) {
            return 0;
        }
        o.abnormal = true;
    } else {
        if (wildcard && cmd.kind != PREPAY_CJT188_COMMAND_READ && cmd.kind != PREPAY_CJT188_COMMAND_READ_ADDRESS &&
            cmd.kind != PREPAY_CJT188_COMMAND_READ_KEY_VERSION &&
            !(cmd.kind == PREPAY_CJT188_COMMAND_WRITE_ADDRESS && meter->programming)) {
            return 0; /* a write to every meter at once is nobody's write */
        }
        prepay__water_run_time(meter, now);
        execute(meter, &cmd, &o);
    }
    prepay_cjt188_frame_t rep;
    if (o.abnormal) {
        rc = prepay_cjt188_reply_build_abnormal(&rep, &req, &self, prepay_water_meter_status_word(meter));
    } else {
        rc = prepay_cjt188_reply_build(&rep, &req, &self, o.value, o.value_len);
    }
    if (rc != PREPAY_OK) {
        return rc; /* not reached: the request was decoded and the value fits */
    }
    int n = prepay_cjt188_encode(&rep, reply, reply_cap);
    if (n > 0 && o.new_address) {
        /* Answered from the old address (the station matches the reply to its
         * request); the new one holds from the next frame. */
        meter->address = o.address;
        programmed(meter, cmd.di);
    }
    return n;
}
