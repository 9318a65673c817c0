/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: the supervision (meter_supervision.h) wired into
 * the simulation and the DL/T 645 handler.
 *
 * The simulation is cut into steps of constant power (meter_advance.c); the
 * supervision samples the event judgement at each step end, and asks for
 * one-second steps while a transition is being timed (the judgement counts
 * the time between samples with the later sample's state, so a step of at
 * most one second from the first observation on judges the onset at the
 * exact second its delay runs out, as a meter sampling every second would).
 * Load control runs one cycle per second (DL/T 1491-style "consecutive
 * measurement cycles"), simulated without cutting the step while its state
 * cannot change, and cuts the step at the second of a trip or a restore.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/meter_supervision.h"
#include "meter_internal.h"
#include "../common/wide_internal.h"

/* The sample's domains (prepay_events_sample_t). */
#define SUP_VOLTAGE_MAX 9999
#define SUP_CURRENT_MAX 999999
#define SUP_POWER_MAX 9999999
#define SUP_LC_POWER_MAX 9999999

static const prepay__meter_sup_ops_t sup_ops;
static int sup_sample_now(prepay_meter_t *meter);

int prepay_meter_supervision_init(prepay_meter_supervision_t *sup, prepay_events_wiring_t wiring,
                                  uint16_t rated_voltage, int32_t basic_current, int32_t max_current)
{
    if (sup == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_meter_supervision_t s;
    memset(&s, 0, sizeof s);
    int status = prepay_events_params_default(&s.events_params, wiring, rated_voltage, basic_current, max_current);
    if (status == PREPAY_OK) {
        status = prepay_vq_params_default(&s.vq_params, wiring, rated_voltage);
    }
    if (status == PREPAY_OK) {
        status = prepay_lc_params_default(&s.lc_params);
    }
    if (status == PREPAY_OK) {
        status = prepay_events_init(&s.events);
    }
    if (status == PREPAY_OK) {
        status = prepay_vq_init(&s.vq);
    }
    if (status == PREPAY_OK) {
        status = prepay_lc_init(&s.lc);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    *sup = s;
    return PREPAY_OK;
}

int prepay_meter_attach_supervision(prepay_meter_t *meter, prepay_meter_supervision_t *sup)
{
    if (meter == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (sup != NULL) {
        /* An empty event clear and a zero-length check tell an initialised state from garbage. */
        prepay_events_record_t probe;
        status = prepay_events_record(&sup->events, PREPAY_EVENTS_POWER_DOWN, 0, 1, &probe);
        if (status == PREPAY_E_EVENTS_BAD_STATE) {
            return status;
        }
        status = prepay_events_params_check(&sup->events_params);
        if (status == PREPAY_OK) {
            status = prepay_vq_params_check(&sup->vq_params);
        }
        if (status == PREPAY_OK) {
            status = prepay_lc_params_check(&sup->lc_params);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_lc_decision_t d;
        if (prepay_lc_release(&sup->lc, &d) == PREPAY_E_EVENTS_BAD_STATE) {
            return PREPAY_E_EVENTS_BAD_STATE;
        }
    }
    if (sup != NULL) {
        sup->ops = &sup_ops;
    }
    meter->supervision = sup;
    return PREPAY_OK;
}

int prepay_meter_set_sensors(prepay_meter_t *meter, uint8_t flags)
{
    if (meter == NULL || (flags & (uint8_t)~PREPAY_EVENTS_FLAGS_ALL) != 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (meter->supervision == NULL) {
        return PREPAY_E_METER_BAD_STATE;
    }
    uint8_t was = meter->supervision->sensors;
    meter->supervision->sensors = flags;
    /* The change is observed now (a meter samples its sensors every second), not at the step's end. */
    status = sup_sample_now(meter);
    if (status != PREPAY_OK) {
        meter->supervision->sensors = was;
    }
    return status;
}

static PREPAY__ONE_COPY int32_t clamp32(int64_t v, int32_t limit)
{
    return (int32_t)(v > limit ? limit : (v < -limit ? -limit : v));
}

/* Apparent power (VA) of a cycle: |P| / |PF| from the total power factor the meter shows. */
static int32_t apparent_of(const prepay_meter_t *meter, int32_t watts)
{
    int64_t magnitude = watts < 0 ? -(int64_t)watts : (int64_t)watts;
    int64_t pf = meter->instant.power_factor[0];
    pf = pf < 0 ? -pf : pf;
    int64_t va = pf > 0 && pf < 1000 ? prepay__sdiv64(magnitude * 1000, pf) : magnitude;
    return clamp32(va, SUP_LC_POWER_MAX);
}

/* Whether more cycles of constant (w, va) leave the load-control state as one cycle does. */
static bool lc_settled(const prepay_lc_state_t *s, const prepay_lc_params_t *p, int32_t w, int32_t va)
{
    if (p->mode == PREPAY_LC_MODE_OFF || s->tripped) {
        return true;
    }
    int32_t magnitude = w < 0 ? -w : w;
    bool over = p->limit_power > 0 && magnitude > p->limit_power;
    if (over && !(p->mode == PREPAY_LC_MODE_ALARM && s->alarm == PREPAY_LC_REASON_OVER_POWER)) {
        return false;
    }
    if (p->step_power == 0) {
        return true;
    }
    if (s->window_len != PREPAY_LC_WINDOW) {
        return false;
    }
    for (unsigned i = 0; i < PREPAY_LC_WINDOW; i++) {
        if (s->window_p[i] != w || s->window_s[i] != va) {
            return false;
        }
    }
    return true;
}

static prepay_time_t sup_plan(prepay_meter_t *meter, prepay_time_t t, prepay_time_t end, int32_t watts,
                                     prepay__meter_sup_step_t *step, int *status)
{
    prepay_meter_supervision_t *sup = meter->supervision;
    *status = PREPAY_OK;
    if (sup->events.observing_mask != 0 && end > t + 1) {
        end = t + 1; /* a transition is being timed: sample every second */
    }
    step->lc = sup->lc;
    memset(&step->decision, 0, sizeof step->decision);
    int32_t w = clamp32(watts, SUP_LC_POWER_MAX);
    int32_t va = apparent_of(meter, w);
    const prepay_lc_params_t *p = &sup->lc_params;
    prepay_time_t k = t + 1;
    while (k <= end) {
        prepay_lc_state_t *s = &step->lc;
        prepay_time_t at = k;
        if (s->tripped) {
            /* Only the restore timer runs: one cycle at it (if in this step) or at the end. */
            at = (!s->locked && s->restore_at != 0 && s->restore_at <= end) ? (s->restore_at > k ? s->restore_at : k)
                                                                             : end;
        } else if (lc_settled(s, p, w, va)) {
            at = end;
        }
        *status = prepay_lc_step(s, p, at, w, va, &step->decision);
        if (*status != PREPAY_OK) {
            return end;
        }
        if (step->decision.action != PREPAY_LC_NONE) {
            return at; /* the step ends at the decision: the relay changes from there on */
        }
        k = at + 1;
    }
    return end;
}

static void sample_at(const prepay_meter_t *meter, prepay_time_t at, bool open, prepay_events_sample_t *x)
{
    const prepay_meter_instant_t *in = &meter->instant;
    memset(x, 0, sizeof *x);
    x->time = at;
    for (unsigned ph = 0; ph < PREPAY_EVENTS_PHASES; ph++) {
        x->voltage[ph] = in->voltage[ph] > SUP_VOLTAGE_MAX ? SUP_VOLTAGE_MAX : (int32_t)in->voltage[ph];
        x->current[ph] = open ? 0 : clamp32(in->current[ph], SUP_CURRENT_MAX);
        x->power[ph] = open ? 0 : clamp32(in->power[ph + 1u], SUP_POWER_MAX);
    }
    x->power_total = open ? 0 : clamp32(in->power[0], SUP_POWER_MAX);
    int16_t pf = in->power_factor[0];
    x->power_factor = (int16_t)(pf > 1000 ? 1000 : (pf < -1000 ? -1000 : pf));
    x->flags = meter->supervision->sensors;
    x->forward = meter->forward[0];
    x->reverse = meter->reverse[0];
}

static int sup_commit(prepay_meter_t *meter, prepay_time_t end, bool minute,
                             const prepay__meter_sup_step_t *step)
{
    prepay_meter_supervision_t *sup = meter->supervision;
    sup->lc = step->lc;
    uint8_t action = step->decision.action;
#if PREPAY_METER_LC_LAST
    if (action != PREPAY_LC_NONE) {
        sup->lc_last = step->decision;
    }
#endif
    if (action == PREPAY_LC_TRIP || action == PREPAY_LC_LOCKOUT) {
        meter->relay = (uint8_t)(meter->relay | PREPAY_METER_RELAY_LOAD_CONTROL);
    } else if (action == PREPAY_LC_RESTORE) {
        meter->relay = (uint8_t)(meter->relay & (uint8_t)~PREPAY_METER_RELAY_LOAD_CONTROL);
    }
    if (action == PREPAY_LC_TRIP || action == PREPAY_LC_LOCKOUT || action == PREPAY_LC_RESTORE) {
        int status = prepay__meter_decide(meter, false, PREPAY__METER_LOCAL_OPERATOR);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    prepay_events_sample_t x;
    /* The sample describes the step just ended: the relay state it had. */
    sample_at(meter, end, step->open, &x);
    int status = prepay_events_sample(&sup->events, &sup->events_params, &x); /* >= 0: channels changed */
    if (status > 0) {
        status = PREPAY_OK;
    }
    if (status == PREPAY_OK && minute) {
        status = prepay_vq_minute(&sup->vq, &sup->vq_params, end - 60, x.voltage);
    }
    return status;
}

static int sup_sample_now(prepay_meter_t *meter)
{
    prepay_meter_supervision_t *sup = meter->supervision;
    if (sup == NULL) {
        return PREPAY_OK;
    }
    prepay_events_sample_t x;
    sample_at(meter, meter->clock, (meter->relay & PREPAY_METER_RELAY_OPEN) != 0, &x);
    int status = prepay_events_sample(&sup->events, &sup->events_params, &x);
    return status > 0 ? PREPAY_OK : status;
}

static void sup_clock_changed(prepay_meter_t *meter, prepay_time_t before, prepay_time_t after)
{
    prepay_meter_supervision_t *sup = meter->supervision;
    if (sup == NULL || before == after) {
        return;
    }
    (void)prepay_events_clock_changed(&sup->events, before, after, 0, meter->forward[0], meter->reverse[0]);
    (void)prepay_vq_clock_changed(&sup->vq, after);
    /* Load-control cycles continue on the new time base; a pending restore keeps its remaining time. */
    if (sup->lc.restore_at != 0) {
        prepay_time_t at = sup->lc.restore_at + (after - before);
        sup->lc.restore_at = prepay__record_time(at <= 0 ? 1 : at);
    }
    sup->lc.last_time = PREPAY_RECORD_TIME_NONE;
}

/* DIs of the status-word reset and the supervision's parameters. */
#define SUP_DI_VQ_UPPER 0x04000E03u
#define SUP_DI_VQ_LOWER 0x04000E04u
#define SUP_DI_VQ_ASSESS_UPPER 0x04090C01u
#define SUP_DI_VQ_ASSESS_LOWER 0x04090C02u

static bool vq_parameter(uint32_t di)
{
    return di == SUP_DI_VQ_UPPER || di == SUP_DI_VQ_LOWER || di == SUP_DI_VQ_ASSESS_UPPER ||
           di == SUP_DI_VQ_ASSESS_LOWER;
}

static int sup_read(const prepay_meter_t *meter, uint32_t di, uint8_t *out, size_t cap)
{
    const prepay_meter_supervision_t *sup = meter->supervision;
    int n;
    if (vq_parameter(di)) {
        n = prepay_vq_params_read(&sup->vq_params, di, out, cap);
    } else if ((di & 0xFFFF0000u) == 0x04090000u) {
        n = prepay_events_params_read(&sup->events_params, di, out, cap);
    } else if ((di & 0xFFFF0000u) == 0x03100000u) {
        n = prepay_vq_read(&sup->vq, &sup->vq_params, di, out, cap);
    } else {
        n = prepay_events_read(&sup->events, di, out, cap);
    }
    return n == PREPAY_E_EVENTS_UNKNOWN_DI ? PREPAY_E_NOT_FOUND : n;
}

static int sup_write(prepay_meter_t *meter, uint32_t di, const uint8_t *v, size_t len)
{
    prepay_meter_supervision_t *sup = meter->supervision;
    int status;
    if (di == PREPAY_EVENTS_DI_STATUS_RESET) {
        status = prepay_events_status_reset(&sup->events, v, len);
    } else if (vq_parameter(di)) {
        status = prepay_vq_params_write(&sup->vq_params, di, v, len);
    } else if ((di & 0xFFFF0000u) == 0x04090000u) {
        status = prepay_events_params_write(&sup->events_params, di, v, len);
    } else {
        return PREPAY_E_NOT_FOUND;
    }
    return status == PREPAY_E_EVENTS_UNKNOWN_DI ? PREPAY_E_NOT_FOUND : status;
}

static void sup_programmed(prepay_meter_t *meter, uint32_t di, uint32_t operator_code)
{
    prepay_meter_supervision_t *sup = meter->supervision;
    if (sup == NULL || di == PREPAY_EVENTS_DI_STATUS_RESET) {
        return; /* the station acknowledging reports is not a parameter change */
    }
    (void)prepay_events_programmed(&sup->events, meter->clock, di, operator_code, meter->forward[0],
                                   meter->reverse[0]);
}

static void sup_refused(prepay_meter_t *meter, uint32_t di, uint32_t operator_code)
{
    if (meter->supervision != NULL) {
        (void)prepay_events_refuse(&meter->supervision->events, meter->clock, di, operator_code,
                                   PREPAY_E_DLT645_ABNORMAL);
    }
}

static void sup_release(prepay_meter_t *meter)
{
    prepay_meter_supervision_t *sup = meter->supervision;
    if (sup == NULL) {
        return;
    }
#if PREPAY_METER_LC_LAST
    /* Released into lc_last directly; put back when it was no action (nothing was tripped). */
    prepay_lc_decision_t before = sup->lc_last;
    if (prepay_lc_release(&sup->lc, &sup->lc_last) != PREPAY_OK || sup->lc_last.action == PREPAY_LC_NONE) {
        sup->lc_last = before;
    }
#else
    prepay_lc_decision_t released; /* no copy kept (PREPAY_METER_LC_LAST 0) */
    int status = prepay_lc_release(&sup->lc, &released);
    (void)status; /* the relay flag is cleared either way, as above */
#endif
    meter->relay = (uint8_t)(meter->relay & (uint8_t)~PREPAY_METER_RELAY_LOAD_CONTROL);
}

static void sup_clear(prepay_meter_t *meter)
{
    (void)prepay_events_clear(&meter->supervision->events, -1);
}

static const prepay__meter_sup_ops_t sup_ops = {
    .plan = sup_plan,
    .commit = sup_commit,
    .sample_now = sup_sample_now,
    .clock_changed = sup_clock_changed,
    .read = sup_read,
    .write = sup_write,
    .programmed = sup_programmed,
    .refused = sup_refused,
    .release = sup_release,
    .clear = sup_clear,
};
