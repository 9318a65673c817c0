/* SPDX-License-Identifier: MIT */
/*
 * Load control policy: over-power trip, malignant-load detection, restore
 * timer, daily auto-restore cap and lock-out (see load_control.h and
 * docs/load-control.md for the published rules and their sources).
 */
#include <string.h>

#include "prepay/load_control.h"
#include "events_internal.h"

/* "PLDC": marks an initialised policy state. */
#define LC_MAGIC 0x504C4443u
#define LC_POWER_MAX 10000000

int prepay_lc_params_default(prepay_lc_params_t *params)
{
    if (params == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(params, 0, sizeof *params);
    params->mode = PREPAY_LC_MODE_TRIP;
    params->over_cycles = 5;       /* "more than 5 consecutive measurement cycles" */
    params->pf_threshold = 0;      /* detection off until a threshold and a step are set */
    params->restore_seconds = 300; /* platform parameter "auto-restore interval"; our default */
    params->daily_restores = 3;    /* "3-5 automatic restores per day": the lowest */
    return PREPAY_OK;
}

int prepay_lc_params_check(const prepay_lc_params_t *p)
{
    if (p == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (p->mode > PREPAY_LC_MODE_TRIP || p->limit_power < 0 || p->limit_power > LC_POWER_MAX ||
        p->over_cycles == 0 || p->step_power < 0 || p->step_power > LC_POWER_MAX ||
        p->band_count > PREPAY_LC_BANDS || p->daily_restores < 3 || p->daily_restores > 5) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    if (p->step_power > 0 && (p->pf_threshold <= 500 || p->pf_threshold >= 1000)) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    for (unsigned b = 0; b < p->band_count; b++) {
        if (p->band_low[b] < 0 || p->band_high[b] > LC_POWER_MAX) {
            return PREPAY_E_EVENTS_BAD_PARAMETER;
        }
        if (p->band_low[b] > p->band_high[b]) {
            return PREPAY_E_EVENTS_CONTRADICTION;
        }
    }
    return PREPAY_OK;
}

int prepay_lc_init(prepay_lc_state_t *state)
{
    if (state == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(state, 0, sizeof *state);
    state->magic = LC_MAGIC;
    state->day = -1;
    state->last_time = PREPAY_RECORD_TIME_NONE;
    return PREPAY_OK;
}

int32_t prepay_lc_incremental_pf(int32_t delta_p, int32_t delta_s)
{
    if (delta_p <= 0) {
        return 0;
    }
    int64_t ds = delta_s < 0 ? -(int64_t)delta_s : delta_s;
    if (ds == 0 || delta_p >= ds) {
        return 1000;
    }
    int64_t pf = 0;
    (void)prepay_i64_muldiv(delta_p, 1000, ds, PREPAY_ROUND_HALF_UP, &pf);
    return (int32_t)pf;
}

static void clear_window(prepay_lc_state_t *s)
{
    s->window_len = 0;
    s->window_head = 0;
    s->over_count = 0;
}

/* Comparisons i = 1..7 above the threshold, with P_0 the oldest sample; *step = P_7 - P_0. */
static PREPAY__ONE_COPY unsigned votes(const prepay_lc_state_t *s, const prepay_lc_params_t *p, int32_t *step)
{
    unsigned head = s->window_head;
    int64_t p0 = s->window_p[head];
    int64_t s0 = s->window_s[head];
    unsigned count = 0;
    for (unsigned i = 1; i < PREPAY_LC_WINDOW; i++) {
        unsigned at = (head + i) % PREPAY_LC_WINDOW;
        int64_t dp = s->window_p[at] - p0;
        int64_t ds = s->window_s[at] - s0;
        if (ds < 0) {
            ds = -ds;
        }
        /* incremental PF = dp / |ds| capped at 1.000 (1.000 when ds = 0) > threshold, exactly. */
        if (dp >= p->step_power && dp * 1000 > (int64_t)p->pf_threshold * ds) {
            count++;
        }
    }
    *step = (int32_t)(s->window_p[(head + PREPAY_LC_WINDOW - 1u) % PREPAY_LC_WINDOW] - p0);
    return count;
}

static bool exempt(const prepay_lc_params_t *p, int32_t step)
{
    for (unsigned b = 0; b < p->band_count; b++) {
        if (step >= p->band_low[b] && step <= p->band_high[b]) {
            return true;
        }
    }
    return false;
}

int prepay_lc_step(prepay_lc_state_t *state, const prepay_lc_params_t *params, prepay_time_t time, int32_t power,
                   int32_t apparent, prepay_lc_decision_t *decision)
{
    if (state == NULL || params == NULL || decision == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (state->magic != LC_MAGIC) {
        return PREPAY_E_EVENTS_BAD_STATE;
    }
    int status = prepay_lc_params_check(params);
    if (status != PREPAY_OK) {
        return status;
    }
    if (power < -LC_POWER_MAX || power > LC_POWER_MAX || apparent < 0 || apparent > LC_POWER_MAX) {
        return PREPAY_E_EVENTS_BAD_SAMPLE;
    }
    if (time < 0 || time >= (prepay_time_t)36525 * 86400) {
        return PREPAY_E_BAD_DATE;
    }
    if (state->last_time != PREPAY_RECORD_TIME_NONE && time < state->last_time) {
        return PREPAY_E_EVENTS_TIME_ORDER;
    }
    /* Nothing fails from here on: the state and the decision are written in place. */
    prepay_lc_state_t *s = state;
    prepay_lc_decision_t *d = decision;
    memset(d, 0, sizeof *d);
    d->power = power;
    s->last_time = prepay__record_time(time); /* 2000..2099 (checked above) */
    prepay_days_t day = prepay_time_day_of(time);
    if (day != s->day) {
        s->day = day;
        s->restores_today = 0;
    }
    const prepay_lc_params_t *p = params;
    if (p->mode == PREPAY_LC_MODE_OFF) {
        s->alarm = 0;
    } else if (s->tripped) {
        /* The relay is open: only the restore timer runs. */
        if (!s->locked && s->restore_at != 0 && time >= s->restore_at) {
            s->restores_today++;
            s->tripped = 0;
            s->restore_at = 0;
            clear_window(s);
            d->action = PREPAY_LC_RESTORE;
            d->reason = PREPAY_LC_REASON_TIMER;
        }
    } else {
        int32_t magnitude = power < 0 ? -power : power;
        if (p->limit_power > 0 && magnitude > p->limit_power) {
            if (s->over_count < UINT16_MAX) {
                s->over_count++;
            }
        } else {
            s->over_count = 0;
        }
        bool over = s->over_count > p->over_cycles;
        /* Push (P, S): the window keeps the last 8 cycles, oldest at window_head. */
        unsigned slot = (s->window_head + s->window_len) % PREPAY_LC_WINDOW;
        if (s->window_len == PREPAY_LC_WINDOW) {
            slot = s->window_head;
            s->window_head = (uint8_t)((s->window_head + 1u) % PREPAY_LC_WINDOW);
        } else {
            s->window_len++;
        }
        s->window_p[slot] = power;
        s->window_s[slot] = apparent;
        bool malignant = false;
        if (p->step_power > 0 && p->pf_threshold > 500 && p->pf_threshold < 1000 && s->window_len == PREPAY_LC_WINDOW) {
            int32_t step = 0;
            unsigned v = votes(s, p, &step);
            d->votes = (uint8_t)v;
            d->step = step;
            malignant = v >= PREPAY_LC_MALIGNANT_VOTES && !exempt(p, step);
        }
        uint8_t reason = over ? PREPAY_LC_REASON_OVER_POWER
                              : (malignant ? PREPAY_LC_REASON_MALIGNANT : PREPAY_LC_REASON_NONE);
        if (reason == PREPAY_LC_REASON_NONE) {
            s->alarm = 0;
        } else if (p->mode == PREPAY_LC_MODE_ALARM) {
            if (s->alarm != reason) {
                d->action = PREPAY_LC_ALARM;
                d->reason = reason;
            }
            s->alarm = reason;
            if (malignant) {
                s->window_len = 0; /* one alarm per detected step */
                s->window_head = 0;
            }
        } else {
            s->trips = s->trips < UINT32_MAX ? s->trips + 1u : s->trips;
            s->tripped = reason;
            clear_window(s);
            d->reason = reason;
            if (p->restore_seconds == 0) {
                d->action = PREPAY_LC_TRIP; /* latched until prepay_lc_release() */
            } else if (s->restores_today >= p->daily_restores) {
                s->locked = 1;
                d->action = PREPAY_LC_LOCKOUT;
            } else {
                d->restore_at = time + (prepay_time_t)p->restore_seconds;
                /* In 32 bits a restore after 2136 is kept as 2136: neither is reached (times end in 2099). */
                s->restore_at = prepay__record_time(d->restore_at);
                d->action = PREPAY_LC_TRIP;
            }
        }
    }
    return PREPAY_OK;
}

int prepay_lc_release(prepay_lc_state_t *state, prepay_lc_decision_t *decision)
{
    if (state == NULL || decision == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (state->magic != LC_MAGIC) {
        return PREPAY_E_EVENTS_BAD_STATE;
    }
    memset(decision, 0, sizeof *decision);
    if (state->tripped) {
        decision->action = PREPAY_LC_RESTORE;
        decision->reason = PREPAY_LC_REASON_RELEASE;
    }
    state->tripped = 0;
    state->locked = 0;
    state->restore_at = 0;
    clear_window(state);
    return PREPAY_OK;
}
