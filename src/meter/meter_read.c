/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: values of the data identifiers it keeps
 * (DL/T 645-2007 appendix A; prepaid items after Q/GDW, see docs/meter.md).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "prepay/dlt645_di.h"
#include "meter_internal.h"
#include "../tariff/tariff_trusted.h"
#include "../common/wide_internal.h"

#if PREPAY_METER_TARIFF_SEALED
/* A bound set was validated when bound and never changes: the price without validating it again. */
#define METER_PRICE prepay__tariff_price
#else
#define METER_PRICE prepay_tariff_price
#endif

/* Largest value of n BCD digits (n <= 18). */
static uint64_t bcd_max(size_t bytes)
{
    uint64_t max = 1;
    for (size_t i = 0; i < bytes * 2u; i++) {
        max *= 10u;
    }
    return max - 1u;
}

/* Where a reply's values go (meter_internal.h). One pointer instead of three arguments, and the
 * 64-bit value last, so that every put_*() call passes its arguments in registers (AAPCS: a
 * 64-bit argument takes an even register pair). */
typedef prepay__meter_cursor_t cursor_t;

/* Unsigned BCD, clamped at the largest value the field shows. */
static int put_unsigned(cursor_t *c, size_t bytes, int64_t value)
{
    if (c->at + bytes > c->cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    uint64_t v = value < 0 ? 0u : (uint64_t)value;
    uint64_t max = bcd_max(bytes);
    if (v > max) {
        v = max;
    }
    (void)prepay_bcd_encode(v, c->out + c->at, bytes);
    c->at += bytes;
    return PREPAY_OK;
}

/* Signed BCD (bit 7 of the top byte), clamped. */
static int put_signed(cursor_t *c, size_t bytes, int64_t value)
{
    if (c->at + bytes > c->cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    /* The top digit shares its byte with the sign: one digit less than unsigned, and 7 at most. */
    int64_t limit = 7;
    for (size_t i = 1; i < bytes * 2u; i++) {
        limit = limit * 10 + 9;
    }
    if (value > limit) {
        value = limit;
    } else if (value < -limit) {
        value = -limit;
    }
    (void)prepay_bcd_encode_signed(value, c->out + c->at, bytes);
    c->at += bytes;
    return PREPAY_OK;
}

int prepay__meter_put_call(cursor_t *c, const uint8_t *bytes, size_t len)
{
    return prepay__meter_put_inline(c, bytes, len);
}

static int put_fill(cursor_t *c, uint8_t byte, size_t len)
{
    if (c->at + len > c->cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memset(c->out + c->at, byte, len);
    c->at += len;
    return PREPAY_OK;
}

static int put_datetime(cursor_t *c, prepay_time_t t)
{
    uint8_t b[6];
    if (prepay_time_to_dlt645_datetime(t, b) != PREPAY_OK) {
        memset(b, 0, sizeof b);
    }
    return prepay__meter_put(c, b, sizeof b);
}

static int put_minute(cursor_t *c, prepay_time_t t)
{
    uint8_t b[5];
    if (t == PREPAY__METER_NEVER || prepay_time_to_dlt645_minute(t, b) != PREPAY_OK) {
        memset(b, 0, sizeof b);
    }
    return prepay__meter_put(c, b, sizeof b);
}

/* Price in 1e-8 -> XXXX.XXXX (1e-4), half-up. */
static int put_price(cursor_t *c, prepay_price_t price)
{
    int64_t v;
    if (prepay_i64_div_round(price, 10000, PREPAY_ROUND_HALF_UP, &v) != PREPAY_OK) {
        return PREPAY_E_OVERFLOW;
    }
    return put_unsigned(c, 4, v);
}

static unsigned tariff_count(const prepay_meter_t *meter)
{
    unsigned n = PREPAY_METER_TARIFFS;
    if (meter->sets[0] != NULL && meter->sets[0]->band_count < n) {
        n = meter->sets[0]->band_count;
    }
    return n;
}

/* Energy registers 00 kk tt pp: kind 00 combined (forward + reverse), 01 forward, 02 reverse. */
static int read_energy(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    unsigned kind = (di >> 16) & 0xFFu;
    unsigned tariff = (di >> 8) & 0xFFu;
    unsigned period = di & 0xFFu;
    if (kind > 2) {
        return PREPAY_E_NOT_FOUND;
    }
    /* The registers now (0.01 kWh, as a freeze takes them) or at settlement `period`. */
    prepay_meter_frozen_t now;
    const prepay_meter_frozen_t *f = &now;
    if (period == 0) {
        prepay__meter_freeze(meter, &now);
    } else if (period <= PREPAY_METER_SETTLEMENTS && meter->settlement[period - 1u].time != 0) {
        f = &meter->settlement[period - 1u];
    } else {
        return PREPAY_E_NOT_FOUND;
    }
    const uint32_t *forward = f->forward;
    const uint32_t *reverse = f->reverse;
    unsigned n = tariff_count(meter);
    unsigned first = tariff;
    unsigned last = tariff;
    if (tariff == 0xFFu) {
        first = 0;
        last = n;
    } else if (tariff > n) {
        return PREPAY_E_NOT_FOUND;
    }
    for (unsigned i = first; i <= last; i++) {
        int status;
        if (kind == 0) {
            status = put_signed(c, 4, (int64_t)forward[i] + (int64_t)reverse[i]);
        } else {
            status = put_unsigned(c, 4, kind == 1 ? forward[i] : reverse[i]);
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

/* Instantaneous quantities 02 qq pp 00 (qq 01 voltage, 02 current, 03 active, 04 reactive, 05 apparent
 * power, 06 power factor; pp: 01..03 phase, FF block; 00 total where one exists). */
static int read_instant(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    unsigned q = (di >> 16) & 0xFFu;
    unsigned phase = (di >> 8) & 0xFFu;
    if ((di & 0xFFu) != 0) {
        return PREPAY_E_NOT_FOUND;
    }
    bool has_total = q >= 0x03 && q <= 0x06;
    if (q != 0x01 && q != 0x02 && !has_total) {
        return PREPAY_E_NOT_FOUND;
    }
    unsigned first = phase;
    unsigned last = phase;
    if (phase == 0xFFu) {
        first = has_total ? 0u : 1u;
        last = PREPAY_METER_PHASES;
    } else if (phase > PREPAY_METER_PHASES || (phase == 0 && !has_total)) {
        return PREPAY_E_NOT_FOUND;
    }
    const prepay_meter_instant_t *in = &meter->instant;
    for (unsigned p = first; p <= last; p++) {
        int status;
        switch (q) {
        case 0x01:
            status = put_unsigned(c, 2, in->voltage[p - 1u]);
            break;
        case 0x02:
            status = put_signed(c, 3, in->current[p - 1u]);
            break;
        case 0x03:
            status = put_signed(c, 3, in->power[p]);
            break;
        case 0x04:
            status = put_signed(c, 3, in->reactive[p]);
            break;
        case 0x05:
            status = put_signed(c, 3, in->apparent[p]);
            break;
        default:
            status = put_signed(c, 2, in->power_factor[p]);
            break;
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

/* The n-th last record (n >= 1) of a kind, or NULL. */
static const prepay_meter_record_t *last_record(const prepay_meter_t *meter, unsigned kind, unsigned n)
{
    unsigned seen = 0;
    for (size_t k = 0; k < PREPAY_METER_EVENT_RECORDS; k++) {
        size_t i = (meter->record_next + PREPAY_METER_EVENT_RECORDS - 1u - k) % PREPAY_METER_EVENT_RECORDS;
        const prepay_meter_record_t *r = &meter->records[i];
        if (r->used && r->kind == kind && ++seen == n) {
            return r;
        }
    }
    return NULL;
}

/* Count items: DI -> event kind. */
static const struct {
    uint32_t di;
    uint8_t kind;
} count_items[] = {
    {PREPAY_DI_POWER_DOWN_COUNT, PREPAY_METER_EVENT_POWER_DOWN},      {PREPAY_DI_PROGRAMMING_COUNT, PREPAY_METER_EVENT_PROGRAMMING},
    {PREPAY_DI_CLEAR_METER_COUNT, PREPAY_METER_EVENT_CLEAR_METER},     {PREPAY_DI_CLEAR_DEMAND_COUNT, PREPAY_METER_EVENT_CLEAR_DEMAND},
    {PREPAY_DI_CLEAR_EVENTS_COUNT, PREPAY_METER_EVENT_CLEAR_EVENTS},    {PREPAY_DI_COVER_OPEN_COUNT, PREPAY_METER_EVENT_COVER_OPEN},
    {PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_LOSS_OF_VOLTAGE, 0), PREPAY_METER_EVENT_LOSS_OF_VOLTAGE}, {PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_LOSS_OF_VOLTAGE, PREPAY_DI_PHASE_A), PREPAY_METER_EVENT_LOSS_OF_VOLTAGE},
    {PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_REVERSE_SEQUENCE, 0), PREPAY_METER_EVENT_REVERSE_PHASE},   {PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_LOSS_OF_CURRENT, 0), PREPAY_METER_EVENT_LOSS_OF_CURRENT},
    {PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_LOSS_OF_CURRENT, PREPAY_DI_PHASE_A), PREPAY_METER_EVENT_LOSS_OF_CURRENT}, {PREPAY_DI_TRIP_COUNT, PREPAY_METER_EVENT_TRIP},
    {PREPAY_DI_CLOSE_COUNT, PREPAY_METER_EVENT_CLOSE},
};

/* Record items: DI with DI0 = n (01..0A) -> kind and which field. */
enum { FIELD_START, FIELD_END, FIELD_OPERATOR, FIELD_START_END, FIELD_COVER, FIELD_PROGRAMMING };
static const struct {
    uint32_t base;
    uint8_t kind;
    uint8_t field;
} record_items[] = {
    {PREPAY_DI_POWER_DOWN_RECORD(0), PREPAY_METER_EVENT_POWER_DOWN, FIELD_START_END},
    {PREPAY_DI_PROGRAMMING_RECORD(0), PREPAY_METER_EVENT_PROGRAMMING, FIELD_PROGRAMMING},
    {PREPAY_DI_COVER_OPEN_RECORD(0), PREPAY_METER_EVENT_COVER_OPEN, FIELD_COVER},
    {PREPAY_DI_EVENT_START(PREPAY_DI_CLASS_LOSS_OF_VOLTAGE, PREPAY_DI_PHASE_A, 0), PREPAY_METER_EVENT_LOSS_OF_VOLTAGE, FIELD_START},
    {PREPAY_DI_EVENT_END(PREPAY_DI_CLASS_LOSS_OF_VOLTAGE, PREPAY_DI_PHASE_A, PREPAY_DI_VOLTAGE_EVENT_END, 0), PREPAY_METER_EVENT_LOSS_OF_VOLTAGE, FIELD_END},
    {PREPAY_DI_EVENT_START(PREPAY_DI_CLASS_REVERSE_SEQUENCE, 0, 0), PREPAY_METER_EVENT_REVERSE_PHASE, FIELD_START},
    {PREPAY_DI_EVENT_START(PREPAY_DI_CLASS_LOSS_OF_CURRENT, PREPAY_DI_PHASE_A, 0), PREPAY_METER_EVENT_LOSS_OF_CURRENT, FIELD_START},
    {PREPAY_DI_EVENT_END(PREPAY_DI_CLASS_LOSS_OF_CURRENT, PREPAY_DI_PHASE_A, PREPAY_DI_CURRENT_EVENT_END, 0), PREPAY_METER_EVENT_LOSS_OF_CURRENT, FIELD_END},
    {PREPAY_DI_TRIP_TIME(0), PREPAY_METER_EVENT_TRIP, FIELD_START},
    {PREPAY_DI_TRIP_OPERATOR(0), PREPAY_METER_EVENT_TRIP, FIELD_OPERATOR},
    {PREPAY_DI_CLOSE_TIME(0), PREPAY_METER_EVENT_CLOSE, FIELD_START},
    {PREPAY_DI_CLOSE_OPERATOR(0), PREPAY_METER_EVENT_CLOSE, FIELD_OPERATOR},
};

static int read_event(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    for (size_t i = 0; i < sizeof count_items / sizeof count_items[0]; i++) {
        if (count_items[i].di == di) {
            return put_unsigned(c, 3, meter->event_counts[count_items[i].kind]);
        }
    }
    unsigned n = di & 0xFFu;
    if (n < 1 || n > 10) {
        return PREPAY_E_NOT_FOUND;
    }
    for (size_t i = 0; i < sizeof record_items / sizeof record_items[0]; i++) {
        if (record_items[i].base != (di & 0xFFFFFF00u)) {
            continue;
        }
        const prepay_meter_record_t *r = last_record(meter, record_items[i].kind, n);
        if (r == NULL) {
            return PREPAY_E_NOT_FOUND;
        }
        uint8_t op[4] = {(uint8_t)r->detail, (uint8_t)(r->detail >> 8), (uint8_t)(r->detail >> 16),
                         (uint8_t)(r->detail >> 24)};
        int status;
        switch (record_items[i].field) {
        case FIELD_START:
            return put_datetime(c, r->start);
        case FIELD_END:
            return r->end == 0 ? PREPAY_E_NOT_FOUND : put_datetime(c, r->end);
        case FIELD_OPERATOR:
            return prepay__meter_put(c, op, 4);
        case FIELD_START_END:
            status = put_datetime(c, r->start);
            if (status == PREPAY_OK) {
                status = r->end == 0 ? put_fill(c, 0, 6) : put_datetime(c, r->end);
            }
            return status;
        case FIELD_COVER:
            /* start, end, then 12 energy fields this meter does not snapshot: absent (FF). */
            status = put_datetime(c, r->start);
            if (status == PREPAY_OK) {
                status = r->end == 0 ? put_fill(c, 0, 6) : put_datetime(c, r->end);
            }
            return status == PREPAY_OK ? put_fill(c, 0xFF, 48) : status;
        default: /* FIELD_PROGRAMMING: time, operator (absent), the DI programmed, 9 absent DIs */
            status = put_datetime(c, r->start);
            if (status == PREPAY_OK) {
                status = put_fill(c, 0xFF, 4);
            }
            if (status == PREPAY_OK) {
                status = prepay__meter_put(c, op, 4);
            }
            return status == PREPAY_OK ? put_fill(c, 0xFF, 36) : status;
        }
    }
    return PREPAY_E_NOT_FOUND;
}

static const prepay_meter_frozen_t *frozen_of(const prepay_meter_t *meter, unsigned cls, unsigned n)
{
    const prepay_meter_frozen_t *f = NULL;
    if (cls == 0x06 && n >= 1 && n <= PREPAY_METER_FROZEN_DAYS) {
        f = &meter->daily[n - 1u];
    } else if (cls == 0x01 && n == 1) {
        f = &meter->instant_freeze;
    }
    return (f != NULL && f->time != 0) ? f : NULL;
}

/* Frozen data 05 cc ii nn: cc 06 daily, 01 instant; ii 00 time, 01 forward block, 02 reverse block. */
static int read_frozen(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    const prepay_meter_frozen_t *f = frozen_of(meter, (di >> 16) & 0xFFu, di & 0xFFu);
    unsigned item = (di >> 8) & 0xFFu;
    if (f == NULL || item > 2) {
        return PREPAY_E_NOT_FOUND;
    }
    if (item == 0) {
        return put_minute(c, f->time);
    }
    unsigned n = tariff_count(meter);
    for (unsigned i = 0; i <= n; i++) {
        int status = put_unsigned(c, 4, item == 1 ? f->forward[i] : f->reverse[i]);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

/* Status word 3 (04000503), libprepay layout after Q/GDW (verify): bit 4 relay open, bit 6 relay
 * command trip in force, bit 7 pre-trip alarm, bits 8-9 meter type 10 (money), bit 10 keep power,
 * bit 11 local (0) / remote (1) cost control, bit 12 station alarm. */
static uint16_t status_word3(const prepay_meter_t *meter)
{
    uint16_t w = 0x0200u;
    if (meter->relay & PREPAY_METER_RELAY_OPEN) {
        w |= 0x0010u;
    }
    if (meter->relay & (PREPAY_METER_RELAY_REMOTE_TRIP | PREPAY_METER_RELAY_CLOSE_PENDING)) {
        w |= 0x0040u;
    }
    if (meter->alarm_level >= 2) {
        w |= 0x0080u;
    }
    if (meter->relay & PREPAY_METER_RELAY_KEEP_POWER) {
        w |= 0x0400u;
    }
    if (meter->mode == PREPAY_METER_MODE_REMOTE) {
        w |= 0x0800u;
    }
    if (meter->relay & PREPAY_METER_RELAY_ALARM) {
        w |= 0x1000u;
    }
    return w;
}

static const prepay_tariff_t *set_of(const prepay_meter_t *meter, unsigned set)
{
    return set < PREPAY_TARIFF_PRICE_SETS ? meter->sets[set] : NULL;
}

static int read_tables(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    unsigned set_no = ((di >> 16) & 0xFFu) - 1u; /* 0401 -> set 0, 0402 -> set 1 */
    unsigned table = di & 0xFFu;
    const prepay_tariff_t *set = set_of(meter, set_no);
    if ((di & 0x0000FF00u) != 0 || set == NULL) {
        return PREPAY_E_NOT_FOUND;
    }
    const prepay_tou_schedule_t *s = &set->schedule;
    if (table == 0) {
        for (unsigned i = 0; i < s->season_count; i++) {
            uint8_t e[3];
            (void)prepay_bcd_encode_byte((unsigned)s->seasons[i].weekday_table + 1u, &e[0]);
            (void)prepay_bcd_encode_byte(s->seasons[i].start_day, &e[1]);
            (void)prepay_bcd_encode_byte(s->seasons[i].start_month, &e[2]);
            int status = prepay__meter_put(c, e, 3);
            if (status != PREPAY_OK) {
                return status;
            }
        }
        return PREPAY_OK;
    }
    if (table > s->day_table_count || table > 8) {
        return PREPAY_E_NOT_FOUND;
    }
    const prepay_tou_day_table_t *d = &s->day_tables[table - 1u];
    if (d->slot_count > PREPAY_METER_MAX_DAY_SLOTS) {
        return PREPAY_E_METER_DAY_SLOTS; /* not a meter's table: refuse, never truncate */
    }
    for (unsigned i = 0; i < d->slot_count && i < PREPAY_MAX_DAY_SLOTS; i++) {
        uint8_t e[3];
        (void)prepay_bcd_encode_byte(d->slots[i].band % 100u, &e[0]);
        (void)prepay_bcd_encode_byte((unsigned)(d->slots[i].start_minute % 60u), &e[1]);
        (void)prepay_bcd_encode_byte((unsigned)(d->slots[i].start_minute / 60u) % 100u, &e[2]);
        int status = prepay__meter_put(c, e, 3);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

/* 040501nn / 040502nn: price of band nn, tier 1 (DIRECT or DERIVED, via the tariff engine). */
static int read_price(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    const prepay_tariff_t *set = set_of(meter, ((di >> 8) & 0xFFu) - 1u);
    unsigned band = di & 0xFFu;
    prepay_price_t price;
    if (set == NULL || band < 1 || band > set->band_count) {
        return PREPAY_E_NOT_FOUND;
    }
    if (set->tou_tier_mode == PREPAY_TOU_TIER_UNIFORM) {
        /* The band price without the ladder surcharge of tier 1. */
        if (METER_PRICE(set, band, 1, &price) != PREPAY_OK) {
            return PREPAY_E_NOT_FOUND;
        }
        price -= set->prices.tier_surcharge[0];
    } else if (METER_PRICE(set, band, 1, &price) != PREPAY_OK) {
        return PREPAY_E_NOT_FOUND;
    }
    return put_price(c, price);
}

/* 040600nn / 040602nn ladder values (n 1..6), 040601nn / 040603nn ladder prices (n 1..7). */
static int read_ladder(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    unsigned sub = (di >> 8) & 0xFFu;
    unsigned n = di & 0xFFu;
    const prepay_tariff_t *set = set_of(meter, sub / 2u);
    if (set == NULL || sub > 3 || set->tou_tier_mode != PREPAY_TOU_TIER_UNIFORM || set->ladder_count != 1) {
        return PREPAY_E_NOT_FOUND;
    }
    if (sub % 2u == 0) {
        if (n < 1 || n > 6) {
            return PREPAY_E_NOT_FOUND;
        }
        prepay_energy_t bound = (n < set->tier_count) ? set->ladders[0].upper[n - 1u] : 0;
        return put_unsigned(c, 4, prepay__sdiv64(bound, 10));
    }
    if (n < 1 || n > 7) {
        return PREPAY_E_NOT_FOUND;
    }
    prepay_price_t price = (n <= set->tier_count && n <= PREPAY_MAX_TIERS) ? set->prices.tier_surcharge[n - 1u] : 0;
    return put_price(c, price);
}

static unsigned max_slots(const prepay_tariff_t *set)
{
    unsigned max = 0;
    for (unsigned i = 0; i < set->schedule.day_table_count && i < PREPAY_MAX_DAY_TABLES; i++) {
        if (set->schedule.day_tables[i].slot_count > max) {
            max = set->schedule.day_tables[i].slot_count;
        }
    }
    return max;
}

static int read_parameter(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    const prepay_meter_purse_t *p = &meter->purse;
    const prepay_tariff_t *a = meter->sets[0];
    uint8_t b[6];
    switch (di) {
    case PREPAY_DI_DATE:
        if (prepay_time_to_dlt645_date(meter->clock, b) != PREPAY_OK) {
            return PREPAY_E_NOT_FOUND;
        }
        return prepay__meter_put(c, b, 4);
    case PREPAY_DI_TIME:
        (void)prepay_time_to_dlt645_time(meter->clock, b);
        return prepay__meter_put(c, b, 3);
    case PREPAY_DI_SWITCH_ZONE_TABLE:
    case PREPAY_DI_SWITCH_DAY_TABLES:
    case PREPAY_DI_SWITCH_PRICES:
    case PREPAY_DI_SWITCH_LADDERS:
        return put_minute(c, meter->switch_time[(di & 0xFFu) - 6u]);
    case PREPAY_DI_ZONE_COUNT:
        return a ? put_unsigned(c, 1, a->schedule.season_count) : PREPAY_E_NOT_FOUND;
    case PREPAY_DI_DAY_TABLE_COUNT:
        return a ? put_unsigned(c, 1, a->schedule.day_table_count) : PREPAY_E_NOT_FOUND;
    case PREPAY_DI_DAY_SLOT_COUNT:
        return a ? put_unsigned(c, 1, max_slots(a)) : PREPAY_E_NOT_FOUND;
    case PREPAY_DI_TARIFF_COUNT:
        return a ? put_unsigned(c, 1, a->band_count) : PREPAY_E_NOT_FOUND;
    case PREPAY_DI_HOLIDAY_COUNT:
        return a ? put_unsigned(c, 2, a->schedule.holiday_count) : PREPAY_E_NOT_FOUND;
    case PREPAY_DI_LADDER_COUNT:
        return a ? put_unsigned(c, 1, a->tier_count > 0 ? a->tier_count - 1u : 0u) : PREPAY_E_NOT_FOUND;
    case PREPAY_DI_ADDRESS:
        return prepay__meter_put(c, meter->address.bytes, PREPAY_DLT645_ADDRESS_SIZE);
    case PREPAY_DI_STATUS_WORD_3: {
        uint16_t w = status_word3(meter);
        b[0] = (uint8_t)(w & 0xFFu);
        b[1] = (uint8_t)(w >> 8);
        return prepay__meter_put(c, b, 2);
    }
    case PREPAY_DI_SETTLEMENT_DAY_1:
        (void)prepay_bcd_encode_byte(meter->settlement_hour, &b[0]);
        (void)prepay_bcd_encode_byte(meter->settlement_day, &b[1]);
        return prepay__meter_put(c, b, 2);
    case PREPAY_DI_ALARM_AMOUNT_1:
        return put_unsigned(c, 4, p->alarm1);
    case PREPAY_DI_ALARM_AMOUNT_2:
        return put_unsigned(c, 4, p->alarm2);
    case PREPAY_DI_OVERDRAFT_LIMIT:
        return put_unsigned(c, 4, p->overdraft_limit);
    case PREPAY_DI_HOARDING_LIMIT:
        return put_unsigned(c, 4, p->hoarding_limit);
    case PREPAY_DI_CLOSE_ALLOWED_AMOUNT:
        return put_unsigned(c, 4, p->close_allowed);
    case PREPAY__DI_DEMAND_PERIOD:
    case PREPAY__DI_DEMAND_SLIDE:
        return prepay__meter_demand_parameter_read(meter, di, c);
    default:
        break;
    }
    if (prepay__meter_profile_parameter(di)) {
        return prepay__meter_profile_parameter_read(meter, di, c);
    }
    if ((di & 0xFFFF0000u) == PREPAY_DI_ZONE_TABLE(1) || (di & 0xFFFF0000u) == PREPAY_DI_ZONE_TABLE(2)) {
        return read_tables(meter, di, c);
    }
    if ((di & 0xFFFFFF00u) == PREPAY_DI_PRICE(1, 0) || (di & 0xFFFFFF00u) == PREPAY_DI_PRICE(2, 0)) {
        return read_price(meter, di, c);
    }
    if ((di & 0xFFFF0000u) == PREPAY_DI_LADDER_VALUE(1, 0)) {
        return read_ladder(meter, di, c);
    }
    return PREPAY_E_NOT_FOUND;
}

/* Purchase records 0333ii01 (last purchase only; money-type meter, Q/GDW). */
static int read_purchase(const prepay_meter_t *meter, uint32_t di, cursor_t *c)
{
    const prepay_meter_purse_t *p = &meter->purse;
    if ((di & 0xFFu) != 1 || p->purchase_count == 0) {
        return PREPAY_E_NOT_FOUND;
    }
    switch ((di >> 8) & 0xFFu) {
    case 1:
        return put_minute(c, p->last_time);
    case 2:
        return put_unsigned(c, 2, p->purchase_count % 10000u);
    case 3:
        return put_unsigned(c, 4, p->last_amount);
    case 4:
        return put_unsigned(c, 4, p->last_before);
    case 5:
        return put_unsigned(c, 4, p->last_before + p->last_amount);
    case 6:
        return put_unsigned(c, 4, p->purchase_total);
    default:
        return PREPAY_E_NOT_FOUND;
    }
}

int prepay_meter_read(const prepay_meter_t *meter, uint32_t di, uint8_t *out, size_t out_cap)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (out == NULL && out_cap > 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (prepay__meter_sup(meter) != NULL) {
        status = prepay__meter_sup(meter)->read(meter, di, out, out_cap); /* meter_supervision.c */
        if (status != PREPAY_E_NOT_FOUND) {
            return status;
        }
    }
    cursor_t c = {out, out_cap, 0};
    unsigned cls = di >> 24;
    if (di == PREPAY_DI_REMAINING_AMOUNT) {
        status = put_unsigned(&c, 4, meter->purse.balance);
    } else if (di == PREPAY_DI_OVERDRAFT_AMOUNT) {
        prepay_money_t b = meter->purse.balance;
        status = put_unsigned(&c, 4, b < 0 ? -(b + 1) + 1 : 0);
    } else if (cls == 0x00) {
        status = read_energy(meter, di, &c);
    } else if (cls == 0x01) {
        status = prepay__meter_read_demand(meter, di, &c);
    } else if (di == PREPAY__DI_CURRENT_DEMAND) {
        status = prepay__meter_read_current_demand(meter, &c);
    } else if (cls == 0x02) {
        status = di == PREPAY_DI_FREQUENCY ? put_unsigned(&c, 2, meter->instant.frequency)
                                   : read_instant(meter, di, &c);
    } else if ((di & 0xFFFF0000u) == PREPAY_DI_MONEY_PURCHASE(0, 0)) {
        status = read_purchase(meter, di, &c);
    } else if (cls == 0x03 || (cls >= 0x10 && cls <= 0x1E)) {
        status = read_event(meter, di, &c);
    } else if (cls == 0x04) {
        status = read_parameter(meter, di, &c);
    } else if (cls == 0x05) {
        status = read_frozen(meter, di, &c);
    } else {
        status = PREPAY_E_NOT_FOUND;
    }
    return status == PREPAY_OK ? (int)c.at : status;
}
