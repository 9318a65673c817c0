/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: deterministic simulation (prepay_meter_advance).
 *
 * Time is cut into steps that end at the next minute boundary, the price
 * switch-over, a load step edge, or the overload trip instant. Within a
 * step the power and the band are constant (slots have one-minute
 * resolution), so each step's energy goes wholly to one tariff register.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "meter_internal.h"

/* floor(a / b) for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) != 0 && a < 0) {
        q--;
    }
    return q;
}

static int check_load(const prepay_meter_load_t *load)
{
    if (load == NULL) {
        return PREPAY_OK;
    }
    switch (load->kind) {
    case PREPAY_METER_LOAD_CONSTANT:
        return PREPAY_OK;
    case PREPAY_METER_LOAD_PROFILE:
        return (load->profile == NULL || load->profile_len == 0 || load->step == 0) ? PREPAY_E_METER_BAD_LOAD
                                                                                     : PREPAY_OK;
    case PREPAY_METER_LOAD_CALLBACK:
        return (load->callback == NULL || load->step == 0) ? PREPAY_E_METER_BAD_LOAD : PREPAY_OK;
    default:
        return PREPAY_E_METER_BAD_LOAD;
    }
}

/* Power at t and the end of the interval it holds for (INT64_MAX: forever). */
static int32_t load_power(const prepay_meter_load_t *load, prepay_time_t t, prepay_time_t *holds_until)
{
    *holds_until = INT64_MAX;
    if (load == NULL) {
        return 0;
    }
    switch (load->kind) {
    case PREPAY_METER_LOAD_CONSTANT:
        return load->watts;
    case PREPAY_METER_LOAD_PROFILE: {
        int64_t step = (int64_t)load->step;
        int64_t k = floor_div(t - load->start, step);
        int64_t len = (int64_t)load->profile_len;
        int64_t index = k % len;
        if (index < 0) {
            index += len;
        }
        *holds_until = load->start + (k + 1) * step;
        return load->profile[index];
    }
    default: /* PREPAY_METER_LOAD_CALLBACK */
        *holds_until = t + (int64_t)load->step;
        return load->callback(load->context, t);
    }
}

static void shift_in(prepay_meter_frozen_t *ring, size_t count, const prepay_meter_frozen_t *snapshot)
{
    memmove(&ring[1], &ring[0], (count - 1u) * sizeof ring[0]);
    ring[0] = *snapshot;
}

static bool pattern_matches(uint8_t field, unsigned value)
{
    uint8_t digit;
    if (field == 0x99) {
        return true;
    }
    if (prepay_bcd_decode_byte(field, &digit) != PREPAY_OK) {
        return false;
    }
    return digit == value;
}

/* Freezes due at the minute boundary t (the meter clock). Most minutes have
 * none: the civil date is worked out only when a freeze may be due. */
static void minute_tasks(prepay_meter_t *meter, prepay_time_t t)
{
    const uint8_t *p = meter->freeze_pattern;
    bool all_wild = p[0] == 0x99 && p[1] == 0x99 && p[2] == 0x99 && p[3] == 0x99;
    int32_t second = prepay_time_second_of_day(t);
    bool on_the_hour = second % 3600 == 0;
    if (all_wild && (!on_the_hour || (second != 0 && second / 3600 != meter->settlement_hour))) {
        return; /* no daily, settlement or timed freeze at this minute */
    }
    prepay_civil_t civil;
    if (prepay_time_to_civil(t, &civil) != PREPAY_OK) {
        return;
    }
    bool daily = civil.hour == 0 && civil.minute == 0;
    bool settlement = civil.day == meter->settlement_day && civil.hour == meter->settlement_hour && civil.minute == 0;
    bool timed = !all_wild && pattern_matches(p[0], civil.minute) && pattern_matches(p[1], civil.hour) &&
                 pattern_matches(p[2], civil.day) && pattern_matches(p[3], civil.month);
    if (!daily && !settlement && !timed) {
        return;
    }
    prepay_meter_frozen_t snapshot;
    prepay__meter_freeze(meter, &snapshot);
    if (daily) {
        shift_in(meter->daily, PREPAY_METER_FROZEN_DAYS, &snapshot);
    }
    if (settlement) {
        shift_in(meter->settlement, PREPAY_METER_SETTLEMENTS, &snapshot);
        prepay__meter_demand_settle(meter); /* the maxima are frozen with the settlement and start again */
    }
    if (timed) {
        meter->instant_freeze = snapshot;
    }
}

/* Prices one step in local mode and deducts what is due. */
static int price_step(prepay_meter_t *meter, const prepay_tariff_plan_t *plan, prepay_time_t start,
                      prepay_time_t end, prepay_energy_t wh)
{
    prepay_tariff_line_t lines[PREPAY__METER_STEP_LINES];
    prepay_tariff_feed_result_t result;
    prepay_energy_t energy = wh + meter->unpriced;
    if (energy == 0) {
        return PREPAY_OK;
    }
    int status = prepay_tariff_compact_feed_interval(plan, meter->account, &meter->tariff_state, start, end, energy,
                                                     lines, PREPAY__METER_STEP_LINES, &result);
    if (status == PREPAY_E_TARIFF_TIME_ORDER) {
        /* The clock was set back: keep the energy until the clock passes what was priced. */
        meter->unpriced = energy;
        return PREPAY_OK;
    }
    if (status < 0) {
        return status;
    }
    prepay_money_t balance;
    if (prepay_i64_sub(meter->purse.balance, result.due, &balance) != PREPAY_OK) {
        return PREPAY_E_OVERFLOW;
    }
    meter->purse.balance = balance;
    meter->unpriced = 0;
    return PREPAY_OK;
}

/* The band in force at t (0 when no valid tariff is bound), looked up once per band run. */
static unsigned band_at(prepay_meter_t *meter, const prepay_tariff_plan_t *plan, prepay_time_t t)
{
    prepay_meter_derived_t *d = &meter->derived;
    if (t >= d->band_from && t < d->band_until) {
        return d->band;
    }
    prepay_tariff_run_t run;
    prepay_time_t limit = t <= INT64_MAX - PREPAY_SECONDS_PER_DAY ? t + PREPAY_SECONDS_PER_DAY : INT64_MAX;
    if (meter->sets[0] == NULL || prepay_tariff_next_change(plan, t, limit, &run) != PREPAY_OK) {
        d->band_from = d->band_until = 0;
        return 0;
    }
    d->band_from = t;
    d->band_until = run.until;
    d->band = run.band;
    return run.band;
}

int prepay_meter_advance(prepay_meter_t *meter, int64_t seconds, const prepay_meter_load_t *load)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (seconds < 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    status = check_load(load);
    if (status != PREPAY_OK) {
        return status;
    }
    bool local = meter->mode == PREPAY_METER_MODE_LOCAL;
    if (local && meter->sets[0] == NULL) {
        return PREPAY_E_METER_NO_TARIFF;
    }
    if (meter->clock > 0 && seconds > INT64_MAX - meter->clock) { /* seconds >= 0 */
        return PREPAY_E_OVERFLOW;
    }
    prepay_time_t end = meter->clock + seconds;
    prepay_time_t switch_time = meter->switch_time[PREPAY__METER_SWITCH_PRICES];
    const prepay_tariff_plan_t *plan = prepay__meter_sealed_plan(meter);
    while (meter->clock < end) {
        prepay_time_t t = meter->clock;
        prepay_time_t next_minute = (floor_div(t, 60) + 1) * 60;
        prepay_time_t step_end = next_minute;
        if (step_end > end) {
            step_end = end;
        }
        if (meter->sets[1] != NULL && t < switch_time && step_end > switch_time) {
            step_end = switch_time;
        }
        prepay_time_t holds_until;
        int32_t watts = load_power(load, t, &holds_until);
        if (holds_until < step_end) {
            step_end = holds_until;
        }
        bool open = (meter->relay & PREPAY_METER_RELAY_OPEN) != 0;
        if (open) {
            watts = 0;
        }
        int64_t magnitude = watts < 0 ? -(int64_t)watts : (int64_t)watts;
        bool above = meter->power_limit > 0 && magnitude > (int64_t)meter->power_limit;
        prepay_time_t since = -1;
        if (above) {
            since = meter->overload_since < 0 ? t : meter->overload_since;
            prepay_time_t trip_at = since + (int64_t)meter->power_limit_seconds;
            if (trip_at > t && trip_at < step_end) {
                step_end = trip_at;
            }
        }
        prepay__meter_sup_step_t sup_step;
        const prepay__meter_sup_ops_t *sup = prepay__meter_sup(meter);
        if (sup != NULL) {
            step_end = sup->plan(meter, t, step_end, watts, &sup_step, &status);
            if (status != PREPAY_OK) {
                return status;
            }
            sup_step.open = open;
        }
        int64_t dt = step_end - t;
        unsigned band = band_at(meter, plan, t);
        int64_t forward_ws = meter->forward_remainder;
        int64_t reverse_ws = meter->reverse_remainder;
        if (watts > 0) {
            forward_ws += (int64_t)watts * dt;
        } else if (watts < 0) {
            reverse_ws += magnitude * dt;
        }
        /* Whole Wh and the watt-seconds left (both non-negative: no rounding question). */
        prepay_energy_t wh = forward_ws / 3600;
        prepay_energy_t back = reverse_ws < 3600 ? 0 : reverse_ws / 3600;
        if (local) {
            /* Priced first: on error nothing of this step is kept. */
            status = price_step(meter, plan, t, step_end, wh);
            if (status != PREPAY_OK) {
                return status;
            }
        }
        meter->forward_remainder = forward_ws - wh * 3600;
        meter->reverse_remainder = reverse_ws - back * 3600;
        meter->forward[0] += wh;
        meter->reverse[0] += back;
        prepay__meter_demand_add(&meter->demand, watts, dt);
        if (band >= 1 && band <= PREPAY_METER_TARIFFS) {
            meter->forward[band] += wh;
            meter->reverse[band] += back;
        }
        /* 0.1 W; clamped to what XX.XXXX kW can show anyway. */
        int64_t tenths = (int64_t)watts * 10;
        if (tenths > 7999999) {
            tenths = 7999999;
        } else if (tenths < -7999999) {
            tenths = -7999999;
        }
        meter->instant.power[0] = (int32_t)tenths;
        if (meter->instant.power[2] == 0 && meter->instant.power[3] == 0) {
            meter->instant.power[1] = (int32_t)tenths; /* single phase; a three-phase split stays the caller's */
        }
        meter->clock = step_end;
        meter->overload_since = since;
        bool decide = local;
        if (above && step_end - since >= (int64_t)meter->power_limit_seconds &&
            !(meter->relay & PREPAY_METER_RELAY_OVERLOAD)) {
            meter->relay = (uint8_t)(meter->relay | PREPAY_METER_RELAY_OVERLOAD);
            meter->overload_since = -1;
            decide = true;
        }
        if (step_end == next_minute) {
            prepay__meter_demand_minute(meter, step_end, band); /* meter_demand.c */
            prepay__meter_profile_minute(meter, step_end);      /* meter_load_profile.c */
            minute_tasks(meter, step_end);
        }
        if (sup != NULL) {
            status = sup->commit(meter, step_end, step_end == next_minute, &sup_step);
            if (status != PREPAY_OK) {
                return status;
            }
        }
        if (decide && !prepay__meter_decision_holds(meter, false)) {
            status = prepay__meter_decide(meter, false, PREPAY__METER_LOCAL_OPERATOR);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    return PREPAY_OK;
}
