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
#include "../tariff/tariff_trusted.h"
#include "../common/wide_internal.h"

#if PREPAY_METER_TARIFF_SEALED
/* The plan is the meter's sealed plan of sets validated when bound (prepay__meter_reseal()):
 * the entry points that refuse an unsealed plan instead of validating it. */
#define METER_FEED_INTERVAL prepay__compact_feed_interval_sealed
#define METER_NEXT_CHANGE prepay__next_change_sealed
#else
#define METER_FEED_INTERVAL prepay_tariff_compact_feed_interval
#define METER_NEXT_CHANGE prepay_tariff_next_change
#endif

/* floor(a / b) for b > 0. */
static PREPAY__ONE_COPY int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = prepay__sdiv64(a, b);
    if (a < 0 && prepay__smod64(a, b) != 0) {
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
        int64_t index = prepay__smod64(k, len);
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

static PREPAY__ONE_COPY void shift_in(prepay_meter_frozen_t *ring, size_t count,
                                      const prepay_meter_frozen_t *snapshot)
{
    prepay__move(&ring[1], &ring[0], (count - 1u) * sizeof ring[0]);
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

/* Whether the timed freeze is 99999999 (no timed freeze: every field a wildcard). */
static bool freeze_all_wild(const prepay_meter_t *meter)
{
    static const uint8_t wild[4] = {0x99, 0x99, 0x99, 0x99};
    return memcmp(meter->freeze_pattern, wild, sizeof wild) == 0;
}

#if PREPAY_METER_JUMP
static bool tariff_allows_runs(const prepay_meter_t *meter);

bool prepay__meter_jump_allowed(const prepay_meter_t *meter, bool flowing)
{
    /* Local mode prices what flows and may decide the relay: only a local meter whose relay
     * decision holds while its balance stays (a timeless policy), with nothing left unpriced, and,
     * when energy flows, a tariff priced run by run (no demand prices): the jump then prices whole
     * days and stops before the balance reaches the decision's floor (meter_jump.c). */
    bool quiet = meter->mode != PREPAY_METER_MODE_LOCAL ||
                 (meter->unpriced == 0 && prepay__meter_decision_holds(meter, false) &&
                  (!flowing || tariff_allows_runs(meter)));
    return quiet && prepay__meter_sup(meter) == NULL && freeze_all_wild(meter) &&
           (meter->conditions & (1u << PREPAY_METER_CONDITION_POWER_DOWN)) == 0;
}
#endif

/* Freezes due at the minute boundary t (the meter clock). Most minutes have
 * none: the civil date is worked out only when a freeze may be due. */
static void minute_tasks(prepay_meter_t *meter, prepay_time_t t)
{
    const uint8_t *p = meter->freeze_pattern;
    bool all_wild = freeze_all_wild(meter);
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
    /* The timed freeze's fields mm hh DD MM (99: any), in one loop. */
    const unsigned fields[4] = {civil.minute, civil.hour, civil.day, civil.month};
    bool timed = !all_wild;
    for (unsigned k = 0; k < 4 && timed; k++) {
        timed = pattern_matches(p[k], fields[k]);
    }
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
    int status = METER_FEED_INTERVAL(plan, meter->account, &meter->tariff_state, start, end, energy, lines,
                                     PREPAY__METER_STEP_LINES, &result);
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
    if (meter->sets[0] == NULL || METER_NEXT_CHANGE(plan, t, limit, &run) != PREPAY_OK) {
        d->band_from = d->band_until = 0;
        return 0;
    }
    d->band_from = t;
    d->band_until = run.until;
    d->band = run.band;
    return run.band;
}

/* ---- runs of whole minutes ---------------------------------------------------------------
 * Minute by minute, a minute with nothing to do at its end (no freeze, no load record, no
 * relay decision, no band, price-set, cycle or load change, no overload timer) changes only
 * sums: energy and its remainders, the priced energy (the tariff engine prices a run of one
 * band, set and cycle exactly as the sum of its minutes: tiers by cumulative energy, exact
 * amounts, one carried remainder) and the demand window (prepay__meter_demand_minutes()).
 * Such minutes are taken as one step, so a long advance costs O(band runs + days + load
 * records kept), not O(minutes). */

static prepay_time_t min_time(prepay_time_t a, prepay_time_t b)
{
    return a < b ? a : b;
}

/* Balance after pricing `wh` over [t, until) on a copy of the tariff state (INT64_MIN on error). */
static prepay_money_t balance_after(const prepay_meter_t *meter, const prepay_tariff_plan_t *plan, prepay_time_t t,
                                    prepay_time_t until, prepay_energy_t wh)
{
    prepay_tariff_line_t lines[PREPAY__METER_STEP_LINES];
    prepay_tariff_feed_result_t result;
    prepay_tariff_compact_state_t state = meter->tariff_state;
    prepay_energy_t energy = wh + meter->unpriced;
    if (energy == 0) {
        return meter->purse.balance;
    }
    prepay_money_t balance;
    if (METER_FEED_INTERVAL(plan, meter->account, &state, t, until, energy, lines, PREPAY__METER_STEP_LINES,
                            &result) < 0 ||
        prepay_i64_sub(meter->purse.balance, result.due, &balance) != PREPAY_OK) {
        return INT64_MIN;
    }
    return balance;
}

static bool tariff_allows_runs(const prepay_meter_t *meter)
{
    for (unsigned i = 0; i < 2; i++) {
        const prepay_tariff_t *set = meter->sets[i];
        if (set != NULL && set->demand.rate_count != 0) {
            return false; /* demand charges take peaks from each interval's average power */
        }
    }
    return true;
}

/* End of the run of whole minutes from t (minute-aligned) with constant `watts` in one band, at
 * most `limit` (the load's next change, the price switch-over), or t when none longer than a
 * minute is possible; `end` is the end of this advance. */
static prepay_time_t run_end(prepay_meter_t *meter, const prepay_tariff_plan_t *plan, prepay_time_t t,
                             prepay_time_t limit, prepay_time_t end, int32_t watts, prepay_time_t *skip_until)
{
    *skip_until = t;
    bool local = meter->mode == PREPAY_METER_MODE_LOCAL;
    prepay_time_t e = limit - prepay__smod64(limit, 60); /* limit >= t >= 0 here */
    if (e - t <= 60) {
        return t;
    }
    if (!freeze_all_wild(meter)) {
        return t; /* a timed freeze may fall at any minute */
    }
    int32_t sod = prepay_time_second_of_day(t);
    prepay_time_t midnight = t - sod + PREPAY_SECONDS_PER_DAY;
    prepay_time_t settle = t - sod + (prepay_time_t)meter->settlement_hour * 3600;
    if (settle <= t) {
        settle += PREPAY_SECONDS_PER_DAY;
    }
    e = min_time(e, min_time(midnight, settle));
    if (meter->sets[0] != NULL) {
        (void)band_at(meter, plan, t);
        const prepay_meter_derived_t *d = &meter->derived;
        if (d->band_until > t) {
            e = min_time(e, d->band_until - prepay__smod64(d->band_until, 60));
        }
    }
    if (local) {
        if (!tariff_allows_runs(meter) || !prepay__meter_decision_holds(meter, false)) {
            return t;
        }
        int32_t cycle;
        prepay_time_t cycle_end;
        if (prepay_tariff_cycle_of(meter->sets[0], t, &cycle) != PREPAY_OK ||
            prepay_tariff_cycle_bounds(meter->sets[0], cycle, NULL, &cycle_end) != PREPAY_OK) {
            return t;
        }
        e = min_time(e, cycle_end - prepay__smod64(cycle_end, 60));
    }
    /* Records are due up to the end of this advance: those that its last ring-full overwrites
     * (before `skip`) are accounted at the run's end without being written. */
    prepay_time_t skip;
    prepay_time_t record = prepay__meter_profile_stop(meter, t, end, &skip);
    bool skipping = skip > t;
    e = min_time(e, record);
    if (e - t <= 60) {
        return t;
    }
    if (local && watts > 0) {
        /* The relay decision holds while the balance stays above its floor (remember_decision()):
         * the run ends before the first minute whose price takes it there. */
        const prepay_meter_derived_t *d = &meter->derived;
        int64_t per_minute = (int64_t)watts * 60;
        int64_t lo = 0, hi = prepay__sdiv64(e - t, 60);
        prepay_money_t b = balance_after(meter, plan, t, e, prepay__sdiv64(meter->forward_remainder + per_minute * hi, 3600));
        if (b == INT64_MIN || b > d->decided_balance) {
            return t;
        }
        if (b <= d->decided_floor) {
            while (hi - lo > 1) { /* balance after lo minutes above the floor, after hi not */
                int64_t mid = lo + (hi - lo) / 2;
                prepay_money_t m = balance_after(meter, plan, t, t + mid * 60,
                                                 prepay__sdiv64(meter->forward_remainder + per_minute * mid, 3600));
                if (m != INT64_MIN && m > d->decided_floor) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            e = t + lo * 60;
            if (lo <= 1) {
                return t;
            }
        }
    }
    *skip_until = skipping ? e : t;
    return e;
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
    meter->derived.steps = 0;
    while (meter->clock < end) {
        if (meter->derived.steps < UINT32_MAX) {
            meter->derived.steps++;
        }
        prepay_time_t t = meter->clock;
        prepay_time_t next_minute = (floor_div(t, 60) + 1) * 60;
        prepay_time_t step_end = next_minute;
        if (step_end > end) {
            step_end = end;
        }
        if (meter->sets[1] != NULL && t < switch_time && step_end > switch_time) {
            step_end = switch_time;
        }
        /* Behind an open relay every load is 0 W, for as long as the relay stays open. */
        bool open = (meter->relay & PREPAY_METER_RELAY_OPEN) != 0;
        prepay_time_t holds_until = INT64_MAX;
        int32_t watts = open ? 0 : load_power(load, t, &holds_until);
        if (holds_until < step_end) {
            step_end = holds_until;
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
#if PREPAY_METER_JUMP
        /* Years of a quiet meter whose load repeats every day: the sums in closed form to a
         * midnight, then the runs below for the last months, which rewrite all history
         * (meter_jump.c). */
        bool flowing;
        if (!above && prepay_time_second_of_day(t) == 0 && prepay__meter_jump_load(meter, open ? NULL : load, &flowing) &&
            prepay__meter_jump_allowed(meter, flowing)) {
            prepay_time_t skip;
            prepay_time_t to = prepay__meter_jump(meter, plan, end, open ? NULL : load, &skip);
            if (to > t) {
                meter->clock = to;
                meter->overload_since = -1;
                /* The window at `to` as after a run of this constant power (a profile: of 0 W, the
                 * window being rewritten within the hour). Its band count and maxima are not those
                 * of minute by minute (band 0 here), nor need to be: the window is rewritten, the
                 * band count restarts at the next band switch or saturates (46 days), and the
                 * maxima are settled and cleared by the settlement freezes of the months simulated
                 * after the jump. */
                int32_t constant = holds_until == INT64_MAX ? watts : 0;
                prepay__meter_demand_minutes(meter, t + 60, (to - t) / 60, constant, 0);
                prepay__meter_profile_skip(meter, t, skip);
                prepay__meter_profile_minute(meter, to);
                minute_tasks(meter, to);
                continue;
            }
        }
#endif
        prepay_time_t skip_until = t;
        bool run = false;
        /* Quiet stretches in one step only without supervision: supervision
           judges events and load control second by second (meter_supervision). */
        if (sup == NULL && !above && prepay__smod64(t, 60) == 0 && next_minute < end) {
            prepay_time_t limit = end;
            if (meter->sets[1] != NULL && t < switch_time) {
                limit = min_time(limit, switch_time);
            }
            limit = min_time(limit, holds_until);
            prepay_time_t run_to = run_end(meter, plan, t, limit, end, watts, &skip_until);
            if (run_to > next_minute) {
                step_end = run_to;
                run = true;
            }
        }
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
        prepay_energy_t wh = prepay__sdiv64(forward_ws, 3600);
        prepay_energy_t back = reverse_ws < 3600 ? 0 : prepay__sdiv64(reverse_ws, 3600);
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
        if (!run) {
            prepay__meter_demand_add(meter, watts, dt);
        }
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
#if PREPAY_METER_PHASES == 1
        meter->instant.power[1] = (int32_t)tenths; /* single phase: phase A is the total */
#else
        if (meter->instant.power[2] == 0 && meter->instant.power[3] == 0) {
            meter->instant.power[1] = (int32_t)tenths; /* single phase; a three-phase split stays the caller's */
        }
#endif
        meter->clock = step_end;
        meter->overload_since = since;
        bool decide = local;
        if (above && step_end - since >= (int64_t)meter->power_limit_seconds &&
            !(meter->relay & PREPAY_METER_RELAY_OVERLOAD)) {
            meter->relay = (uint8_t)(meter->relay | PREPAY_METER_RELAY_OVERLOAD);
            meter->overload_since = -1;
            decide = true;
        }
        if (run) {
            prepay__meter_demand_minutes(meter, t + 60, dt / 60, watts, band);
            prepay__meter_profile_skip(meter, t, skip_until);
            prepay__meter_profile_minute(meter, step_end);
            minute_tasks(meter, step_end);
        } else if (step_end == next_minute) {
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
