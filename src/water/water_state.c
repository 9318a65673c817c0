/* SPDX-License-Identifier: MIT */
/*
 * Reference water meter: checking a meter restored from storage.
 *
 * The struct is plain data that a firmware keeps in flash and an emulator in
 * its state file. A stored copy may be damaged or forged, so every member is
 * checked against the domain the meter's own functions keep it in, including
 * the invariants between members (the schedule follows from the clock and
 * the settlement day; the purse holds follow from the balance).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "water_internal.h"

static bool flag(uint8_t v)
{
    return v <= 1u;
}

static bool bcd(uint8_t b)
{
    return (b >> 4) <= 9 && (b & 0x0F) <= 9;
}

static bool in(int64_t v, int64_t low, int64_t high)
{
    return v >= low && v <= high;
}

static const char *check_identity(const prepay_water_meter_t *m)
{
    if (m->mode > PREPAY_WATER_MODE_REMOTE) {
        return "mode";
    }
    if (prepay_cjt188_meter_family(m->meter_type) != PREPAY_CJT188_FAMILY_WATER) {
        return "meter_type";
    }
    for (size_t i = 0; i < PREPAY_CJT188_ADDRESS_SIZE; i++) {
        if (!bcd(m->address.bytes[i])) {
            return "address";
        }
    }
    if (m->modbus_unit < 1 || m->modbus_unit > 247) {
        return "modbus_unit";
    }
    if (!flag(m->programming) || !flag(m->factory_enabled) || !flag(m->alarm_armed) || !flag(m->has_purchase) ||
        !flag(m->purchase_serial_bcd)) {
        return "flags";
    }
    if (m->purchase_serial_bcd && m->has_purchase && !bcd(m->purchase_serial)) {
        return "purchase_serial";
    }
    if (m->settlement_day < 1 || m->settlement_day > 31) {
        return "settlement_day";
    }
    if (m->reading_day < 1 || m->reading_day > 31) {
        return "reading_day";
    }
    if (m->cycle_month > 12) {
        return "cycle_month";
    }
    if (m->pulse_coefficient < 1) {
        return "pulse_coefficient";
    }
    if (!in(m->battery_mv, 0, 65535)) {
        return "battery_mv";
    }
    return (const char *)0;
}

static bool table_zero(const prepay_cjt188_price_table_t *t)
{
    return t->price[0] == 0 && t->price[1] == 0 && t->price[2] == 0 && t->step_litres[0] == 0 &&
           t->step_litres[1] == 0 && t->start_day == 0;
}

static const char *check_time(const prepay_water_meter_t *m)
{
    if (!in(m->clock, PREPAY__WATER_TIME_MIN, PREPAY__WATER_TIME_MAX)) {
        return "clock";
    }
    if (m->next_cycle != prepay__water_next_start(m->clock, m->settlement_day, m->cycle_month)) {
        return "next_cycle";
    }
    if (m->next_settlement != prepay__water_next_start(m->clock, m->settlement_day, 0)) {
        return "next_settlement";
    }
    if (!in(m->cycle_start, PREPAY__WATER_TIME_MIN - INT64_C(400) * 86400, PREPAY__WATER_TIME_MAX)) {
        return "cycle_start";
    }
    for (size_t i = 0; i < 2; i++) {
        if (prepay_water_price_table_check(&m->prices[i]) != PREPAY_OK || m->prices[i].start_day != 0) {
            return "prices";
        }
    }
    if (m->switch_time == PREPAY_WATER_NEVER ? !table_zero(&m->prices[1]) : m->switch_time <= m->clock) {
        return "switch_time";
    }
    if (!in(m->rules.battery_close_delay, 0, PREPAY__WATER_RULE_MAX) ||
        !in(m->rules.battery_reopen_window, 0, PREPAY__WATER_RULE_MAX)) {
        return "rules";
    }
    return (const char *)0;
}

static const char *check_registers(const prepay_water_meter_t *m)
{
    if (m->volume < 0 || m->reverse_volume < 0 || m->cycle_volume < 0 || m->flow_lph < 0) {
        return "volume";
    }
    if (m->closed_flow < 0 || m->closed_flow_episode < 0 || m->closed_flow_episode > m->closed_flow) {
        return "closed_flow";
    }
    if (m->history_count > PREPAY_WATER_HISTORY_MONTHS) {
        return "history_count";
    }
    for (size_t i = 0; i < PREPAY_WATER_HISTORY_MONTHS; i++) {
        if (m->history[i] < 0 || (i >= m->history_count && m->history[i] != 0)) {
            return "history";
        }
    }
    return (const char *)0;
}

static const char *check_purse(const prepay_water_meter_t *m)
{
    if (!in(m->alarm, 0, PREPAY_WATER_MAX_AMOUNT) || !in(m->overdraft_limit, 0, PREPAY_WATER_MAX_AMOUNT) ||
        !in(m->hoarding_limit, 0, PREPAY_WATER_MAX_AMOUNT)) {
        return "purse_parameters";
    }
    if (m->balance < -(INT64_MAX / 4) || (m->mode == PREPAY_WATER_MODE_REMOTE && m->balance != 0)) {
        return "balance";
    }
    if (m->purchase_total < 0 || m->last_purchase < 0 || (!m->has_purchase && m->last_purchase != 0)) {
        return "purchase_total";
    }
    if (m->charged < 0 || (m->mode != PREPAY_WATER_MODE_MONEY && m->charged != 0)) {
        return "charged";
    }
    /* |carry| <= half a fen: {0, 0..5e8} or {-1, 5e8..1e9). */
    if (m->carry.nanos >= PREPAY_AMOUNT_NANOS || !(m->carry.units == 0 || m->carry.units == -1) ||
        (m->carry.units == 0 && m->carry.nanos > PREPAY_AMOUNT_NANOS / 2) ||
        (m->carry.units == -1 && m->carry.nanos < PREPAY_AMOUNT_NANOS / 2)) {
        return "carry";
    }
    return (const char *)0;
}

static bool condition(const prepay_water_meter_t *m, unsigned c)
{
    return (m->conditions & (1u << c)) != 0;
}

static const char *check_valve(const prepay_water_meter_t *m)
{
    if ((m->holds & ~PREPAY_WATER_HOLD_MASK) != 0) {
        return "holds";
    }
    if (m->conditions >= (1u << PREPAY_WATER_CONDITION_COUNT)) {
        return "conditions";
    }
    const bool low = condition(m, PREPAY_WATER_CONDITION_LOW_BATTERY);
    if (m->battery_stage > PREPAY__WATER_BATTERY_LOCKED || low != (m->battery_stage != PREPAY__WATER_BATTERY_NONE) ||
        (low && (m->battery_since > m->clock || m->battery_since < PREPAY__WATER_TIME_MIN))) {
        return "battery_stage";
    }
    if (((m->holds & PREPAY_WATER_HOLD_BATTERY) && m->battery_stage < PREPAY__WATER_BATTERY_CLOSED) ||
        (((m->holds & PREPAY_WATER_HOLD_BATTERY_LOCK) != 0) != (m->battery_stage == PREPAY__WATER_BATTERY_LOCKED))) {
        return "holds";
    }
    if ((condition(m, PREPAY_WATER_CONDITION_MAGNET) && !(m->holds & PREPAY_WATER_HOLD_MAGNET)) ||
        (condition(m, PREPAY_WATER_CONDITION_POWER_DOWN) && !(m->holds & PREPAY_WATER_HOLD_POWER))) {
        return "holds";
    }
    if (m->mode == PREPAY_WATER_MODE_REMOTE) {
        if (m->holds & (PREPAY_WATER_HOLD_EMPTY | PREPAY_WATER_HOLD_ALARM)) {
            return "holds";
        }
    } else {
        const bool empty = m->balance <= prepay__water_close_point(m);
        if (empty != ((m->holds & PREPAY_WATER_HOLD_EMPTY) != 0)) {
            return "holds";
        }
        if (m->balance > m->alarm && (!m->alarm_armed || (m->holds & PREPAY_WATER_HOLD_ALARM))) {
            return "alarm_armed";
        }
        if (m->balance <= m->alarm && m->alarm_armed) {
            return "alarm_armed";
        }
    }
    if (m->holds == 0 && m->closed_flow_episode != 0) {
        return "closed_flow";
    }
    return (const char *)0;
}

static const char *check_events(const prepay_water_meter_t *m)
{
    if (m->record_next >= PREPAY_WATER_EVENT_RECORDS) {
        return "record_next";
    }
    for (size_t i = 0; i < PREPAY_WATER_EVENT_RECORDS; i++) {
        const prepay_water_record_t *r = &m->records[i];
        if (!(r->flags & PREPAY_WATER_RECORD_USED)) {
            if (r->flags != 0 || r->start != 0 || r->end != 0 || r->detail != 0 || r->aux != 0 || r->kind != 0) {
                return "records";
            }
            continue;
        }
        if ((r->flags & ~(PREPAY_WATER_RECORD_USED | PREPAY_WATER_RECORD_ONGOING)) != 0 ||
            r->kind >= PREPAY_WATER_EVENT_COUNT || !in(r->start, PREPAY__WATER_TIME_MIN, PREPAY__WATER_TIME_MAX) ||
            ((r->flags & PREPAY_WATER_RECORD_ONGOING) ? r->end != 0
                                                       : r->end != 0 && !in(r->end, PREPAY__WATER_TIME_MIN,
                                                                             PREPAY__WATER_TIME_MAX))) {
            return "records";
        }
    }
    return (const char *)0;
}

int prepay_water_meter_check_state(const prepay_water_meter_t *meter, const char **member)
{
    if (member) {
        *member = (const char *)0;
    }
    if (!meter) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const char *bad = meter->magic != PREPAY__WATER_MAGIC ? "magic" : (const char *)0;
    if (!bad) {
        bad = check_identity(meter);
    }
    if (!bad) {
        bad = check_time(meter);
    }
    if (!bad) {
        bad = check_registers(meter);
    }
    if (!bad) {
        bad = check_purse(meter);
    }
    if (!bad) {
        bad = check_valve(meter);
    }
    if (!bad) {
        bad = check_events(meter);
    }
    if (member) {
        *member = bad;
    }
    return bad ? PREPAY_E_WATER_BAD_STATE : PREPAY_OK;
}
