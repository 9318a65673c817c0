/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: a long quiet advance in closed form (prepay__meter_jump), so that a
 * simulation crosses years at a cost that does not grow with the span (docs/meter.md, "Long
 * advances").
 *
 * What an advance leaves behind is of two kinds. Sums — the energy registers and their
 * watt-second remainders — depend on the whole span. History — the daily and settlement freezes
 * and the demand maxima they take, the demand window, the load-record ring — is overwritten by
 * the last months of the span. So a meter without supervision whose load repeats every day (a
 * constant power, or a profile whose period divides a day) — in remote mode (nothing priced, no
 * relay decision), or in local mode while its relay decision holds — takes the sums to a midnight
 * well before the end in closed form
 * (prepay__tou_whole_days(): Wh per band over whole days of a daily energy pattern), and the
 * advance then simulates the last JUMP_HISTORY_DAYS as before, which rewrites every piece of
 * history: the result is the same, field for field, as the advance minute by minute
 * (tests/meter/test_meter_jump.c).
 *
 * A local meter drawing power also pays for the days it jumps: inside one tariff cycle and tier
 * the money of many band runs is the rounded sum of their exact amounts, whatever their order
 * (prepay__tariff_compact_add_days()), so the jump stops at the cycle's end, before a tier bound
 * and before the balance reaches the relay decision's floor; the runs take those days, and the
 * next midnight jumps again: O(cycles + tier crossings) steps.
 */
#include "meter_internal.h"

#if PREPAY_METER_JUMP

#include "prepay/civil_time.h"
#include "../tariff/tariff_internal.h"

/* Days simulated after a jump: enough for PREPAY_METER_SETTLEMENTS + 1 settlement freezes (the
 * first settles maxima that began before the jump; settlements are at most 31 days apart, the
 * first at most 31 days after it), PREPAY_METER_FROZEN_DAYS midnights, and the demand window's
 * minute counts to saturate (65 535 minutes, 46 days). */
#define JUMP_HISTORY_DAYS (31 * (PREPAY_METER_SETTLEMENTS + 2) + PREPAY_METER_FROZEN_DAYS + 2)

/* The midnight at or before t. */
static prepay_time_t midnight_of(prepay_time_t t)
{
    return t - prepay_time_second_of_day(t);
}

bool prepay__meter_jump_load(const prepay_meter_t *meter, const prepay_meter_load_t *load, bool *flowing)
{
    *flowing = false;
    if (load == NULL) {
        return true;
    }
    int64_t limit = meter->power_limit;
    if (load->kind == PREPAY_METER_LOAD_CONSTANT) {
        int64_t w = load->watts;
        *flowing = w != 0;
        return limit <= 0 || (w < 0 ? -w : w) <= limit;
    }
    if (load->kind != PREPAY_METER_LOAD_PROFILE || load->profile == NULL || load->profile_len == 0 ||
        load->step == 0 || load->profile_len > PREPAY_SECONDS_PER_DAY) {
        return false;
    }
    /* Every day the same pattern: the period divides a day (then every midnight is at one phase). */
    int64_t period = (int64_t)load->profile_len * (int64_t)load->step;
    if (period > PREPAY_SECONDS_PER_DAY || PREPAY_SECONDS_PER_DAY % period != 0) {
        return false;
    }
    for (size_t i = 0; i < load->profile_len; i++) {
        int64_t w = load->profile[i];
        *flowing = *flowing || w != 0;
        if (limit > 0 && (w < 0 ? -w : w) > limit) {
            return false; /* the overload timer would run */
        }
    }
    return true;
}

/* The daily energy pattern of one direction of a load, from a midnight. */
typedef struct day_pattern {
    const prepay_meter_load_t *load; /* NULL: nothing */
    int64_t sign;                    /* +1 forward (positive powers), -1 reverse (negative ones) */
    int64_t phase;                   /* profile: seconds into its period at midnight */
} day_pattern_t;

static int64_t directed(const day_pattern_t *p, int64_t watts)
{
    int64_t w = p->sign * watts;
    return w > 0 ? w : 0;
}

/* Profile energy over [0, u) of its period (u <= period): whole steps, then part of one. */
static int64_t profile_ws(const day_pattern_t *p, int64_t u)
{
    const prepay_meter_load_t *l = p->load;
    int64_t step = (int64_t)l->step, ws = 0;
    int64_t whole = u / step;
    for (int64_t i = 0; i < whole; i++) {
        ws += directed(p, l->profile[i]) * step;
    }
    if (whole < (int64_t)l->profile_len) {
        ws += directed(p, l->profile[whole]) * (u % step);
    }
    return ws;
}

static int64_t pattern_ws_until(const void *context, int32_t second)
{
    const day_pattern_t *p = context;
    const prepay_meter_load_t *l = p->load;
    if (l == NULL) {
        return 0;
    }
    if (l->kind == PREPAY_METER_LOAD_CONSTANT) {
        return directed(p, l->watts) * second;
    }
    /* Energy from the phase to phase + second, the period repeating: C(v) = whole periods + part. */
    int64_t period = (int64_t)l->profile_len * (int64_t)l->step;
    int64_t full = profile_ws(p, period);
    int64_t v = p->phase + second;
    return (v / period) * full + profile_ws(p, v % period) - profile_ws(p, p->phase);
}

/* The purse pays for the forward Wh `wh` (per band, `total` in all) of whole days [t, to): the
 * tariff state after them and the balance, if the days lie in one cycle and tier of the price
 * set (prepay__tariff_compact_add_days()) and the balance stays above the relay decision's floor.
 * Prices are never negative there, so the balance only falls from run to run: above the floor at
 * the end, it was above it after every run, and no run would have changed the decision. */
static bool pay_days(const prepay_meter_t *meter, const prepay_tariff_plan_t *plan, prepay_time_t t,
                     prepay_time_t to, const prepay_energy_t wh[PREPAY_MAX_TARIFF_INDEX + 1], prepay_energy_t total,
                     prepay_tariff_compact_state_t *state, prepay_money_t *balance)
{
    prepay_money_t due, after;
    return prepay__tariff_compact_add_days(plan, meter->account, &meter->tariff_state, t, to, wh, total, state,
                                           &due) == PREPAY_OK &&
           prepay_i64_sub(meter->purse.balance, due, &after) == PREPAY_OK && after > meter->derived.decided_floor &&
           (*balance = after, true);
}

/* Whether the purse pays for the whole days [t, day) in one step (forward energy from its carry). */
static bool days_fit(const prepay_meter_t *meter, const prepay_tariff_plan_t *plan, const prepay_tariff_t *tariff,
                     const prepay__day_energy_t *energy, prepay_time_t t, prepay_days_t day)
{
    prepay_energy_t wh[PREPAY_MAX_TARIFF_INDEX + 1];
    prepay_energy_t total = 0;
    int64_t remainder = meter->forward_remainder;
    memset(wh, 0, sizeof wh);
    prepay_tariff_compact_state_t state;
    prepay_money_t balance;
    return prepay__tou_whole_days(tariff, prepay_time_day_of(t), day, energy, &remainder, &total, wh) == PREPAY_OK &&
           pay_days(meter, plan, t, (prepay_time_t)day * PREPAY_SECONDS_PER_DAY, wh, total, &state, &balance);
}

/* The last day, at most `until`, up to which a local meter drawing power may jump: within the tariff
 * cycle open at t, before its tier bound and before its balance reaches the relay decision's floor
 * (the crossing itself is left to the runs, which locate its minute). Both conditions only fail
 * from some day on, so the day is found by bisection: O(log days) closed forms. */
static prepay_days_t priced_days(const prepay_meter_t *meter, const prepay_tariff_plan_t *plan,
                                 const prepay_tariff_t *tariff, const prepay__day_energy_t *energy, prepay_time_t t,
                                 prepay_days_t until)
{
    prepay_days_t from = prepay_time_day_of(t);
    int32_t cycle;
    prepay_time_t cycle_end;
    if (tariff == NULL || prepay_tariff_cycle_of(tariff, t, &cycle) != PREPAY_OK ||
        prepay_tariff_cycle_bounds(tariff, cycle, NULL, &cycle_end) != PREPAY_OK) {
        return from;
    }
    prepay_days_t last = prepay_time_day_of(cycle_end); /* its midnight, at or before the cycle's end */
    if (last < until) {
        until = last;
    }
    if (until <= from || days_fit(meter, plan, tariff, energy, t, until)) {
        return until;
    }
    prepay_days_t lo = from, hi = until; /* [t, lo) fits (no days at all), [t, hi) does not */
    while (hi - lo > 1) {
        prepay_days_t mid = lo + (hi - lo) / 2;
        if (days_fit(meter, plan, tariff, energy, t, mid)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

prepay_time_t prepay__meter_jump(prepay_meter_t *meter, const prepay_tariff_plan_t *plan, prepay_time_t end,
                                 const prepay_meter_load_t *load, prepay_time_t *skip_until)
{
    prepay_time_t t = meter->clock;
    *skip_until = t;
    const prepay_time_t history = (prepay_time_t)JUMP_HISTORY_DAYS * PREPAY_SECONDS_PER_DAY;
    if (end - t <= history + 2 * PREPAY_SECONDS_PER_DAY) {
        return t;
    }
    prepay_time_t to = midnight_of(end - history);
    prepay_time_t switch_time = meter->switch_time[PREPAY__METER_SWITCH_PRICES];
    if (meter->sets[1] != NULL && t < switch_time && midnight_of(switch_time) < to) {
        to = midnight_of(switch_time); /* the bands of one price set all the way */
    }
    /* Load records: only those the end of this advance overwrites may be left unwritten. */
    prepay_time_t skip;
    bool records = prepay__meter_profile_stop(meter, t, end, &skip) != INT64_MAX;
    if (records && midnight_of(skip) < to) {
        to = midnight_of(skip);
    }
    if (to - t < 2 * PREPAY_SECONDS_PER_DAY) {
        return t;
    }
    const prepay_tariff_t *tariff = NULL;
    if (meter->sets[0] != NULL) {
        tariff = plan->sets[plan->sets[1] != NULL && t >= plan->switch_time ? 1 : 0];
    }
    day_pattern_t pattern = {load, 1, 0};
    if (load != NULL && load->kind == PREPAY_METER_LOAD_PROFILE) {
        int64_t period = (int64_t)load->profile_len * (int64_t)load->step;
        pattern.phase = ((t - load->start) % period + period) % period;
    }
    prepay__day_energy_t energy = {pattern_ws_until, &pattern};
    prepay_days_t from = prepay_time_day_of(t), until = prepay_time_day_of(to);
    /* A local meter that draws power: its purse pays for whole days of one cycle and tier. */
    bool priced = meter->mode == PREPAY_METER_MODE_LOCAL && load != NULL;
    if (priced) {
        until = priced_days(meter, plan, tariff, &energy, t, until);
        if (until - from < 2) {
            return t;
        }
        to = (prepay_time_t)until * PREPAY_SECONDS_PER_DAY;
    }
    /* Both directions on copies first: a date the calendar cannot place changes nothing. */
    prepay_energy_t wh[2][PREPAY_MAX_TARIFF_INDEX + 1];
    prepay_energy_t total[2] = {0, 0};
    int64_t remainder[2] = {meter->forward_remainder, meter->reverse_remainder};
    memset(wh, 0, sizeof wh);
    for (unsigned k = 0; k < 2; k++) {
        pattern.sign = k == 0 ? 1 : -1;
        if (prepay__tou_whole_days(tariff, from, until, &energy, &remainder[k], &total[k], wh[k]) != PREPAY_OK) {
            return t; /* run by run, as before */
        }
    }
    prepay_tariff_compact_state_t priced_state;
    prepay_money_t balance = meter->purse.balance;
    if (priced && !pay_days(meter, plan, t, to, wh[0], total[0], &priced_state, &balance)) {
        return t; /* not expected: the same days fitted above */
    }
    prepay_energy_t *registers[2] = {meter->forward, meter->reverse};
    for (unsigned k = 0; k < 2; k++) {
        registers[k][0] += total[k];
        for (unsigned b = 1; b <= PREPAY_METER_TARIFFS && b <= PREPAY_MAX_TARIFF_INDEX; b++) {
            registers[k][b] += wh[k][b];
        }
    }
    meter->forward_remainder = remainder[0];
    meter->reverse_remainder = remainder[1];
    if (priced) {
        meter->tariff_state = priced_state;
        meter->purse.balance = balance;
    }
    *skip_until = records ? to : t;
    return to;
}

#endif /* PREPAY_METER_JUMP */

bool prepay_meter_jumps(const prepay_meter_t *meter, const prepay_meter_load_t *load)
{
#if PREPAY_METER_JUMP
    if (meter == NULL || prepay__meter_check(meter) != PREPAY_OK) {
        return false;
    }
    bool open = (meter->relay & PREPAY_METER_RELAY_OPEN) != 0, flowing;
    return prepay__meter_jump_load(meter, open ? NULL : load, &flowing) && prepay__meter_jump_allowed(meter, flowing);
#else
    (void)meter;
    (void)load;
    return false;
#endif
}
