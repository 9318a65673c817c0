/* SPDX-License-Identifier: MIT */
/*
 * Reference water meter: set-up, parameters, the status word and the event log.
 *
 * The valve rules live in water_valve.c, time in water_time.c, the purse and
 * the flow in water_purse.c, the protocol handlers in water_cjt188.c and
 * water_modbus.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "water_internal.h"

int prepay__water_check(const prepay_water_meter_t *meter)
{
    if (!meter) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return meter->magic == PREPAY__WATER_MAGIC ? PREPAY_OK : PREPAY_E_WATER_BAD_STATE;
}

static bool address_ok(const prepay_cjt188_address_t *address)
{
    for (size_t i = 0; i < PREPAY_CJT188_ADDRESS_SIZE; i++) {
        uint8_t b = address->bytes[i];
        if ((b >> 4) > 9 || (b & 0x0F) > 9) {
            return false;
        }
    }
    return true;
}

int prepay_water_meter_init(prepay_water_meter_t *meter, prepay_water_mode_t mode, uint8_t meter_type,
                            const prepay_cjt188_address_t *address, uint8_t modbus_unit, prepay_time_t clock)
{
    if (!meter || !address) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if ((unsigned)mode > PREPAY_WATER_MODE_REMOTE || prepay_cjt188_meter_family(meter_type) != PREPAY_CJT188_FAMILY_WATER ||
        !address_ok(address) || modbus_unit < 1 || modbus_unit > 247) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    if (clock < PREPAY__WATER_TIME_MIN || clock > PREPAY__WATER_TIME_MAX) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    memset(meter, 0, sizeof *meter);
    meter->magic = PREPAY__WATER_MAGIC;
    meter->mode = (uint8_t)mode;
    meter->meter_type = meter_type;
    meter->address = *address;
    meter->modbus_unit = modbus_unit;
    meter->settlement_day = 1;
    meter->reading_day = 1;
    meter->pulse_coefficient = 1;
    meter->battery_mv = 3600;
    meter->alarm_armed = 1;
    meter->clock = clock;
    meter->switch_time = PREPAY_WATER_NEVER;
    meter->rules.battery_close_delay = 0;
    meter->rules.battery_reopen_window = PREPAY_WATER_BATTERY_WINDOW_DEFAULT;
    if (mode == PREPAY_WATER_MODE_MONEY) {
        meter->alarm = 1000; /* 10.00 yuan */
    } else if (mode == PREPAY_WATER_MODE_VOLUME) {
        meter->alarm = 5000; /* 5 m3 */
    }
    meter->cycle_start = prepay__water_last_start(clock, 1, 0);
    prepay__water_reschedule(meter);
    prepay__water_decide(meter, PREPAY_WATER_ACTOR_METER);
    /* The initial state (an empty purse holding the valve) is not an event. */
    memset(meter->event_counts, 0, sizeof meter->event_counts);
    memset(meter->records, 0, sizeof meter->records);
    meter->record_next = 0;
    return PREPAY_OK;
}

int prepay_water_meter_set_purse(prepay_water_meter_t *meter, int64_t alarm, int64_t overdraft_limit,
                                 int64_t hoarding_limit)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (alarm < 0 || alarm > PREPAY_WATER_MAX_AMOUNT || overdraft_limit < 0 ||
        overdraft_limit > PREPAY_WATER_MAX_AMOUNT || hoarding_limit < 0 || hoarding_limit > PREPAY_WATER_MAX_AMOUNT) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    meter->alarm = alarm;
    meter->overdraft_limit = overdraft_limit;
    meter->hoarding_limit = hoarding_limit;
    prepay__water_decide(meter, PREPAY_WATER_ACTOR_METER);
    return PREPAY_OK;
}

static bool is_bcd(uint8_t b)
{
    return (b >> 4) <= 9 && (b & 0x0F) <= 9;
}

int prepay_water_meter_set_serial_bcd(prepay_water_meter_t *meter, bool bcd)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (bcd && meter->has_purchase && !is_bcd(meter->purchase_serial)) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    meter->purchase_serial_bcd = bcd ? 1u : 0u;
    return PREPAY_OK;
}

int prepay_water_meter_set_valve_rules(prepay_water_meter_t *meter, const prepay_water_valve_rules_t *rules)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (!rules) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (rules->battery_close_delay < 0 || rules->battery_close_delay > PREPAY__WATER_RULE_MAX ||
        rules->battery_reopen_window < 0 || rules->battery_reopen_window > PREPAY__WATER_RULE_MAX) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    meter->rules = *rules;
    prepay__water_run_time(meter, meter->clock); /* timers due under the new rules fire now */
    return PREPAY_OK;
}

int prepay_water_price_table_check(const prepay_cjt188_price_table_t *table)
{
    if (!table) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < 3; i++) {
        if (prepay_price_check(table->price[i]) != PREPAY_OK) {
            return PREPAY_E_WATER_BAD_PARAMETER;
        }
    }
    if (table->step_litres[0] < 0 || table->step_litres[0] > table->step_litres[1] ||
        table->step_litres[1] > PREPAY_WATER_MAX_STEP) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    return PREPAY_OK;
}

static void copy_table(prepay_cjt188_price_table_t *to, const prepay_cjt188_price_table_t *from)
{
    for (size_t i = 0; i < 3; i++) {
        to->price[i] = from->price[i];
    }
    to->step_litres[0] = from->step_litres[0];
    to->step_litres[1] = from->step_litres[1];
    to->start_day = 0;
}

int prepay_water_meter_set_prices(prepay_water_meter_t *meter, const prepay_cjt188_price_table_t *table)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if ((rc = prepay_water_price_table_check(table)) != PREPAY_OK) {
        return rc;
    }
    copy_table(&meter->prices[0], table);
    memset(&meter->prices[1], 0, sizeof meter->prices[1]);
    meter->switch_time = PREPAY_WATER_NEVER;
    return PREPAY_OK;
}

int prepay_water_meter_schedule_prices(prepay_water_meter_t *meter, const prepay_cjt188_price_table_t *table,
                                       prepay_time_t at)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if ((rc = prepay_water_price_table_check(table)) != PREPAY_OK) {
        return rc;
    }
    if (at <= meter->clock) {
        return prepay_water_meter_set_prices(meter, table);
    }
    copy_table(&meter->prices[1], table);
    meter->switch_time = at;
    return PREPAY_OK;
}

int prepay_water_meter_set_cycle(prepay_water_meter_t *meter, uint8_t settlement_day, uint8_t cycle_month)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (settlement_day < 1 || settlement_day > 31 || cycle_month > 12) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    meter->settlement_day = settlement_day;
    meter->cycle_month = cycle_month;
    prepay__water_reschedule(meter);
    return PREPAY_OK;
}

int prepay_water_meter_set_programming(prepay_water_meter_t *meter, bool on)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    meter->programming = on ? 1u : 0u;
    return PREPAY_OK;
}

int prepay_water_meter_set_battery_voltage(prepay_water_meter_t *meter, int32_t millivolts)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (millivolts < 0 || millivolts > 65535) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    meter->battery_mv = millivolts;
    return PREPAY_OK;
}

bool prepay_water_meter_valve_open(const prepay_water_meter_t *meter)
{
    return meter != NULL && meter->holds == 0;
}

uint16_t prepay_water_meter_status_word(const prepay_water_meter_t *meter)
{
    if (!meter) {
        return 0;
    }
    unsigned st;
    if (meter->conditions & (1u << PREPAY_WATER_CONDITION_VALVE_STUCK)) {
        st = PREPAY_CJT188_VALVE_STATE_ABNORMAL;
    } else {
        st = meter->holds != 0 ? PREPAY_CJT188_VALVE_STATE_CLOSED : PREPAY_CJT188_VALVE_STATE_OPEN;
    }
    if (meter->conditions & (1u << PREPAY_WATER_CONDITION_LOW_BATTERY)) {
        st |= PREPAY_CJT188_ST_BATTERY_LOW;
    }
    if (meter->mode != PREPAY_WATER_MODE_REMOTE) {
        if (meter->balance <= meter->alarm) {
            st |= PREPAY_WATER_ST_ALARM;
        }
        if (meter->balance < 0) {
            st |= PREPAY_WATER_ST_OVERDRAFT;
        }
    }
    if (meter->holds & PREPAY_WATER_HOLD_EMPTY) {
        st |= PREPAY_WATER_ST_EMPTY;
    }
    if ((meter->holds & PREPAY_WATER_HOLD_MAGNET) || (meter->conditions & (1u << PREPAY_WATER_CONDITION_MAGNET))) {
        st |= PREPAY_WATER_ST_MAGNET;
    }
    if ((meter->holds & PREPAY_WATER_HOLD_POWER) || (meter->conditions & (1u << PREPAY_WATER_CONDITION_POWER_DOWN))) {
        st |= PREPAY_WATER_ST_POWER;
    }
    if (meter->holds & PREPAY_WATER_HOLD_REMOTE) {
        st |= PREPAY_WATER_ST_REMOTE;
    }
    if (meter->holds & PREPAY_WATER_HOLD_BATTERY_LOCK) {
        st |= PREPAY_WATER_ST_BATTERY_LOCK;
    }
    if (meter->closed_flow_episode > 0) {
        st |= PREPAY_WATER_ST_FLOW_CLOSED;
    }
    return (uint16_t)st;
}

/* ---- events ------------------------------------------------------------- */

uint32_t prepay__water_clip32(int64_t value)
{
    if (value < 0) {
        return 0;
    }
    return value > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)value;
}

static prepay_water_record_t *next_record(prepay_water_meter_t *meter, unsigned kind)
{
    if (meter->event_counts[kind] < UINT32_MAX) {
        meter->event_counts[kind]++;
    }
    prepay_water_record_t *r = &meter->records[meter->record_next];
    meter->record_next = (uint8_t)((meter->record_next + 1u) % PREPAY_WATER_EVENT_RECORDS);
    memset(r, 0, sizeof *r);
    r->start = meter->clock;
    r->kind = (uint8_t)kind;
    r->flags = PREPAY_WATER_RECORD_USED;
    return r;
}

void prepay__water_event(prepay_water_meter_t *meter, unsigned kind, uint32_t detail, uint16_t aux)
{
    prepay_water_record_t *r = next_record(meter, kind);
    r->detail = detail;
    r->aux = aux;
}

void prepay__water_event_start(prepay_water_meter_t *meter, unsigned kind, uint32_t detail)
{
    prepay_water_record_t *r = next_record(meter, kind);
    r->detail = detail;
    r->flags |= PREPAY_WATER_RECORD_ONGOING;
}

void prepay__water_event_end(prepay_water_meter_t *meter, unsigned kind, uint32_t detail)
{
    /* The latest ongoing record of the kind; if it was overwritten, the count still counts. */
    for (size_t k = 0; k < PREPAY_WATER_EVENT_RECORDS; k++) {
        size_t i = (meter->record_next + PREPAY_WATER_EVENT_RECORDS - 1u - k) % PREPAY_WATER_EVENT_RECORDS;
        prepay_water_record_t *r = &meter->records[i];
        if ((r->flags & PREPAY_WATER_RECORD_USED) && r->kind == kind) {
            if (r->flags & PREPAY_WATER_RECORD_ONGOING) {
                r->flags = (uint8_t)(r->flags & ~PREPAY_WATER_RECORD_ONGOING);
                r->end = meter->clock;
                if (detail != 0) {
                    r->detail = detail;
                }
            }
            return;
        }
    }
}
