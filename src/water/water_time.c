/* SPDX-License-Identifier: MIT */
/*
 * Reference water meter: time passing.
 *
 * Scheduled events, in time order: the pending price table takes effect
 * (A010 start day, prepay_water_meter_schedule_prices()); a monthly
 * settlement freezes the register for 901F and D120..D12B; a ladder cycle
 * starts (the cycle's litres go back to 0); the low-battery timers close
 * and lock the valve (prepay_water_valve_rules_t). Settlements and cycles
 * start at 00:00 of the settlement day; in months shorter than that day, on
 * their last day (a meter with settlement day 31 settles on 28 or 29 Feb).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "water_internal.h"

/* 00:00 of `day` (clamped to the month's length) in year/month, or INT64_MAX. */
static prepay_time_t start_in(int32_t year, unsigned month, uint8_t day)
{
    int dim = prepay_time_days_in_month(year, month);
    prepay_days_t d;
    if (dim < 0 || prepay_time_days_from_date(year, month, day < (unsigned)dim ? day : (unsigned)dim, &d) != PREPAY_OK) {
        return INT64_MAX;
    }
    return (prepay_time_t)d * PREPAY_SECONDS_PER_DAY;
}

static bool date_of(prepay_time_t t, int32_t *year, uint8_t *month)
{
    uint8_t day;
    return prepay_time_date_from_days(prepay_time_day_of(t), year, month, &day) == PREPAY_OK;
}

prepay_time_t prepay__water_next_start(prepay_time_t t, uint8_t day, uint8_t month)
{
    int32_t y;
    uint8_t m;
    if (!date_of(t, &y, &m)) {
        return INT64_MAX;
    }
    if (month == 0) {
        prepay_time_t s = start_in(y, m, day);
        if (s > t) {
            return s;
        }
        return m == 12 ? start_in(y + 1, 1, day) : start_in(y, m + 1u, day);
    }
    prepay_time_t s = start_in(y, month, day);
    return s > t ? s : start_in(y + 1, month, day);
}

prepay_time_t prepay__water_last_start(prepay_time_t t, uint8_t day, uint8_t month)
{
    int32_t y;
    uint8_t m;
    if (!date_of(t, &y, &m)) {
        return t;
    }
    prepay_time_t s;
    if (month == 0) {
        s = start_in(y, m, day);
        if (s > t) {
            s = m == 1 ? start_in(y - 1, 12, day) : start_in(y, m - 1u, day);
        }
    } else {
        s = start_in(y, month, day);
        if (s > t) {
            s = start_in(y - 1, month, day);
        }
    }
    return s == INT64_MAX ? t : s;
}

void prepay__water_reschedule(prepay_water_meter_t *meter)
{
    meter->next_cycle = prepay__water_next_start(meter->clock, meter->settlement_day, meter->cycle_month);
    meter->next_settlement = prepay__water_next_start(meter->clock, meter->settlement_day, 0);
}

/* When the low-battery stage moves next, or INT64_MAX. */
static prepay_time_t battery_due(const prepay_water_meter_t *meter)
{
    const prepay_water_valve_rules_t *r = &meter->rules;
    switch (meter->battery_stage) {
    case PREPAY__WATER_BATTERY_WARNED:
        return meter->battery_since + r->battery_close_delay;
    case PREPAY__WATER_BATTERY_CLOSED:
        return meter->battery_since +
               (r->battery_reopen_window > r->battery_close_delay ? r->battery_reopen_window : r->battery_close_delay);
    default:
        return INT64_MAX;
    }
}

static void freeze_settlement(prepay_water_meter_t *meter)
{
    memmove(&meter->history[1], &meter->history[0], (PREPAY_WATER_HISTORY_MONTHS - 1u) * sizeof meter->history[0]);
    meter->history[0] = meter->volume;
    if (meter->history_count < PREPAY_WATER_HISTORY_MONTHS) {
        meter->history_count++;
    }
}

void prepay__water_run_time(prepay_water_meter_t *meter, prepay_time_t t)
{
    for (;;) {
        prepay_time_t next = meter->switch_time;
        if (meter->next_settlement < next) {
            next = meter->next_settlement;
        }
        if (meter->next_cycle < next) {
            next = meter->next_cycle;
        }
        prepay_time_t battery = battery_due(meter);
        if (battery < next) {
            next = battery;
        }
        if (next > t || next == INT64_MAX) {
            break;
        }
        if (next > meter->clock) {
            meter->clock = next;
        }
        if (meter->switch_time == next) {
            meter->prices[0] = meter->prices[1];
            memset(&meter->prices[1], 0, sizeof meter->prices[1]);
            meter->switch_time = PREPAY_WATER_NEVER;
        }
        if (meter->next_settlement == next) {
            freeze_settlement(meter);
            meter->next_settlement = prepay__water_next_start(next, meter->settlement_day, 0);
        }
        if (meter->next_cycle == next) {
            meter->cycle_start = next;
            meter->cycle_volume = 0;
            meter->next_cycle = prepay__water_next_start(next, meter->settlement_day, meter->cycle_month);
        }
        if (battery == next) {
            if (meter->battery_stage == PREPAY__WATER_BATTERY_WARNED) {
                meter->battery_stage = PREPAY__WATER_BATTERY_CLOSED;
                prepay__water_hold(meter, PREPAY_WATER_HOLD_BATTERY, PREPAY_WATER_ACTOR_METER);
            } else {
                meter->battery_stage = PREPAY__WATER_BATTERY_LOCKED;
                prepay__water_event(meter, PREPAY_WATER_EVENT_BATTERY_LOCK, 0, 0);
                prepay__water_hold(meter, PREPAY_WATER_HOLD_BATTERY_LOCK, PREPAY_WATER_ACTOR_METER);
            }
        }
    }
    if (t > meter->clock) {
        meter->clock = t;
    }
}

void prepay__water_set_clock(prepay_water_meter_t *meter, prepay_time_t t)
{
    if (t >= meter->clock) {
        prepay__water_run_time(meter, t);
        return;
    }
    /* Set back: boundaries already passed are not passed again before the
     * clock reaches them anew; the next ones are counted from the new time. */
    meter->clock = t;
    prepay__water_reschedule(meter);
    if (meter->battery_stage != PREPAY__WATER_BATTERY_NONE && meter->battery_since > t) {
        meter->battery_since = t;
    }
}

int prepay_water_price_start(prepay_time_t now, uint8_t start_day, prepay_time_t *out)
{
    if (!out || start_day < 1 || start_day > 31) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int32_t y;
    uint8_t m;
    if (!date_of(now, &y, &m)) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    prepay_time_t today = (prepay_time_t)prepay_time_day_of(now) * PREPAY_SECONDS_PER_DAY;
    prepay_time_t s = start_in(y, m, start_day);
    if (s < today) {
        s = m == 12 ? start_in(y + 1, 1, start_day) : start_in(y, m + 1u, start_day);
    }
    if (s == INT64_MAX) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    *out = s;
    return PREPAY_OK;
}
