/*
 * Event judgement: one call per sample decides, for every (kind, phase)
 * channel, whether its start (or end) condition has been observed for the
 * judgement delay, and starts or ends the event.
 *
 * The conditions are those of docs/events.md ("Conditions"), after the
 * State Grid event definitions (DL/T 645-2007 0409xxxx thresholds). Time is
 * measured from sample to sample: the time between two samples counts with
 * the state of the later one, so the judgement does not depend on the
 * sampling rate, and a clock change (prepay_events_clock_changed()) moves
 * the time base without shortening or lengthening anything.
 */
#include <string.h>

#include "events_internal.h"

/* 2100-01-01 00:00:00: two-digit DL/T 645 years end here. */
#define TIME_END ((prepay_time_t)36525 * 86400)

typedef struct judge {
    prepay_events_state_t *state;
    const prepay_events_sample_t *sample;
    uint32_t dt;
    int changes;
} judge_t;

static uint32_t add_sat32(uint32_t a, uint32_t b)
{
    uint32_t s = a + b;
    return s < a ? UINT32_MAX : s;
}

static int32_t abs32(int32_t v)
{
    return v < 0 ? -v : v;
}

static void start_event(judge_t *j, unsigned kind, unsigned phase, int32_t voltage, int32_t current, uint32_t detail)
{
    prepay_events_state_t *s = j->state;
    const prepay_events_sample_t *x = j->sample;
    unsigned slot = s->next[kind];
    prepay_events_record_t *r = &s->records[kind][slot];
    s->next[kind] = (uint8_t)((slot + 1u) % PREPAY_MAX_EVENT_RECORDS);
    memset(r, 0, sizeof *r);
    r->start = x->time;
    r->end = 0;
    r->forward_start = prepay__events_centi_kwh(x->forward);
    r->reverse_start = prepay__events_centi_kwh(x->reverse);
    r->voltage = (uint16_t)voltage;
    r->current = current;
    r->detail = detail;
    r->phase = (uint8_t)phase;
    r->used = 1;
}

static void end_event(judge_t *j, unsigned kind, unsigned phase)
{
    prepay_events_state_t *s = j->state;
    /* The newest open record of this phase (it may have been overwritten by a newer one). */
    for (unsigned k = 0; k < PREPAY_MAX_EVENT_RECORDS; k++) {
        unsigned slot = (s->next[kind] + PREPAY_MAX_EVENT_RECORDS - 1u - k) % PREPAY_MAX_EVENT_RECORDS;
        prepay_events_record_t *r = &s->records[kind][slot];
        if (r->used && r->phase == phase && r->end == 0) {
            r->end = j->sample->time;
            r->forward_end = prepay__events_centi_kwh(j->sample->forward);
            r->reverse_end = prepay__events_centi_kwh(j->sample->reverse);
            return;
        }
    }
}

/* One channel: returns after starting or ending at most one event. */
static void channel(judge_t *j, unsigned kind, unsigned phase, bool onset, bool end, unsigned delay, int32_t voltage,
                    int32_t current, uint32_t detail)
{
    prepay_events_channel_t *c = &j->state->channels[prepay__events_channel(kind, phase)];
    bool active = (c->flags & PREPAY__EVENTS_ACTIVE) != 0;
    if (active) {
        c->seconds = add_sat32(c->seconds, j->dt);
    }
    if (!(active ? end : onset)) {
        c->flags = (uint8_t)(c->flags & ~PREPAY__EVENTS_OBSERVING);
        return;
    }
    if (c->flags & PREPAY__EVENTS_OBSERVING) {
        uint32_t held = (uint32_t)c->held + j->dt;
        c->held = (uint16_t)(held > UINT16_MAX ? UINT16_MAX : held);
    } else {
        c->flags = (uint8_t)(c->flags | PREPAY__EVENTS_OBSERVING);
        c->held = 0;
    }
    if (c->held < delay) {
        return;
    }
    c->flags = (uint8_t)((c->flags ^ PREPAY__EVENTS_ACTIVE) & ~PREPAY__EVENTS_OBSERVING);
    c->held = 0;
    j->changes++;
    if (active) {
        end_event(j, kind, phase);
    } else {
        c->count = add_sat32(c->count, 1);
        if (c->pending < UINT8_MAX) {
            c->pending++;
        }
        start_event(j, kind, phase, voltage, current, detail);
    }
}

static int check_sample(const prepay_events_state_t *s, const prepay_events_sample_t *x)
{
    if (x->time < 0 || x->time >= TIME_END) {
        return PREPAY_E_BAD_DATE;
    }
    if (s->last_time != INT64_MIN && x->time < s->last_time) {
        return PREPAY_E_EVENTS_TIME_ORDER;
    }
    for (unsigned p = 0; p < PREPAY_EVENTS_PHASES; p++) {
        if (x->voltage[p] < 0 || x->voltage[p] > 9999 || x->current[p] < -999999 || x->current[p] > 999999 ||
            x->power[p] < -9999999 || x->power[p] > 9999999) {
            return PREPAY_E_EVENTS_BAD_SAMPLE;
        }
    }
    if (x->power_total < -9999999 || x->power_total > 9999999 || x->power_factor < -1000 ||
        x->power_factor > 1000 || (x->flags & ~PREPAY_EVENTS_FLAGS_ALL) != 0 || x->forward < 0 || x->reverse < 0) {
        return PREPAY_E_EVENTS_BAD_SAMPLE;
    }
    return PREPAY_OK;
}

#if PREPAY_EVENTS_PHASES == 3
/* (max - min) / max > limit (0.01 %), exactly: (max - min) * 10000 > limit * max. */
static bool unbalanced(int32_t max, int32_t min, uint16_t limit)
{
    return limit != 0 && (int64_t)(max - min) * 10000 > (int64_t)limit * max;
}

/* Unbalance rate in 0.01 %, truncated (for the record's detail only). */
static uint32_t unbalance_rate(int32_t max, int32_t min)
{
    return max <= 0 ? 0u : (uint32_t)((int64_t)(max - min) * 10000 / max);
}
#endif

int prepay_events_sample(prepay_events_state_t *state, const prepay_events_params_t *params,
                         const prepay_events_sample_t *sample)
{
    if (state == NULL || params == NULL || sample == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (state->magic != PREPAY__EVENTS_MAGIC) {
        return PREPAY_E_EVENTS_BAD_STATE;
    }
    int status = check_sample(state, sample);
    if (status != PREPAY_OK) {
        return status;
    }
    const prepay_events_params_t *p = params;
    const prepay_events_sample_t *x = sample;
    judge_t j;
    j.state = state;
    j.sample = sample;
    j.changes = 0;
    int64_t gap = state->last_time == INT64_MIN ? 0 : x->time - state->last_time;
    j.dt = gap > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
    state->last_time = x->time;

    /* Phases judged: A only for single-phase wiring; A and C for 3P3W (no B element). */
    unsigned phases = p->wiring == PREPAY_EVENTS_WIRING_SINGLE ? 1u : PREPAY_EVENTS_PHASES;
    bool skip_b = p->wiring == PREPAY_EVENTS_WIRING_3P3W;
    int32_t u_max = 0, u_min = INT32_MAX, i_max = 0, i_min = INT32_MAX, u_at_min = 0, i_at_max = 0;
    unsigned above_lower = 0, judged = 0;
    bool all_down = true, all_lost = true, all_quiet = true;
    for (unsigned ph = 0; ph < phases; ph++) {
        if (skip_b && ph == 1) {
            continue;
        }
        int32_t u = x->voltage[ph];
        int32_t ai = abs32(x->current[ph]) * 10; /* mA -> 0.1 mA, the threshold unit */
        judged++;
        if (u > u_max) {
            u_max = u;
        }
        if (u < u_min) {
            u_min = u;
            u_at_min = u;
        }
        if (ai > i_max) {
            i_max = ai;
            i_at_max = x->current[ph];
        }
        if (ai < i_min) {
            i_min = ai;
        }
        above_lower += ai > p->loss_current_lower;
        all_down = all_down && u < p->critical_voltage;
        all_lost = all_lost && u < p->loss_voltage_trigger;
        all_quiet = all_quiet && ai <= p->loss_current_lower;
    }
    bool outage = all_down && p->critical_voltage != 0;

    for (unsigned ph = 0; ph < phases; ph++) {
        if (skip_b && ph == 1) {
            continue;
        }
        const unsigned phase = ph + 1u;
        const int32_t u = x->voltage[ph];
        const int32_t i = x->current[ph];
        const int32_t ai = abs32(i) * 10;
        const int32_t pw = x->power[ph];
        bool c;
        c = p->over_voltage_trigger != 0 && u > p->over_voltage_trigger;
        channel(&j, PREPAY_EVENTS_OVER_VOLTAGE, phase, c, !c, p->over_voltage_delay, u, i, 0);
        c = p->under_voltage_trigger != 0 && u < p->under_voltage_trigger && !outage;
        channel(&j, PREPAY_EVENTS_UNDER_VOLTAGE, phase, c, !c, p->under_voltage_delay, u, i, 0);
        c = p->over_current_trigger != 0 && (int64_t)ai > (int64_t)p->over_current_trigger * 1000;
        channel(&j, PREPAY_EVENTS_OVER_CURRENT, phase, c, !c, p->over_current_delay, u, i, 0);
        c = p->reverse_power_trigger != 0 && pw < 0 && -pw > p->reverse_power_trigger;
        channel(&j, PREPAY_EVENTS_REVERSE_POWER, phase, c, !c, p->reverse_power_delay, u, i, 0);
        c = p->overload_trigger != 0 && abs32(pw) > p->overload_trigger;
        channel(&j, PREPAY_EVENTS_OVERLOAD, phase, c, !c, p->overload_delay, u, i, 0);
#if PREPAY_EVENTS_PHASES == 3
        /* Loss of voltage: ends above the recovery limit, or when every phase has lost its voltage. */
        bool on = p->loss_voltage_trigger != 0 && u < p->loss_voltage_trigger && ai > p->loss_voltage_current &&
                  !all_lost;
        bool off = u > p->loss_voltage_recovery || all_lost || p->loss_voltage_trigger == 0;
        channel(&j, PREPAY_EVENTS_LOSS_OF_VOLTAGE, phase, on, off, p->loss_voltage_delay, u, i, 0);
        c = p->phase_failure_voltage != 0 && u < p->phase_failure_voltage && ai < p->phase_failure_current &&
            !outage;
        channel(&j, PREPAY_EVENTS_PHASE_FAILURE, phase, c, !c, p->phase_failure_delay, u, i, 0);
        /* Loss of current: this phase below the upper limit while another carries more than the lower one. */
        c = p->loss_current_upper != 0 && u > p->loss_current_voltage && ai < p->loss_current_upper &&
            above_lower > (ai > p->loss_current_lower ? 1u : 0u);
        channel(&j, PREPAY_EVENTS_LOSS_OF_CURRENT, phase, c, !c, p->loss_current_delay, u, i, 0);
        c = p->current_cut_current != 0 && u > p->current_cut_voltage && ai < p->current_cut_current;
        channel(&j, PREPAY_EVENTS_CURRENT_CUT, phase, c, !c, p->current_cut_delay, u, i, 0);
#else
        (void)all_lost;
        (void)above_lower;
#endif
    }

    int32_t pf = x->power_factor < 0 ? -x->power_factor : x->power_factor;
    bool c;
    c = p->power_factor_limit != 0 && pf < p->power_factor_limit && i_max > p->loss_voltage_current;
    channel(&j, PREPAY_EVENTS_LOW_POWER_FACTOR, 0, c, !c, p->power_factor_delay, u_at_min, i_at_max, 0);
    c = outage && all_quiet;
    channel(&j, PREPAY_EVENTS_POWER_DOWN, 0, c, !c, p->power_down_delay, u_at_min, i_at_max, 0);
    c = (x->flags & PREPAY_EVENTS_FLAG_COVER_OPEN) != 0;
    channel(&j, PREPAY_EVENTS_COVER_OPEN, 0, c, !c, 0, u_at_min, i_at_max, 0);
    c = (x->flags & PREPAY_EVENTS_FLAG_TERMINAL_COVER_OPEN) != 0;
    channel(&j, PREPAY_EVENTS_TERMINAL_COVER_OPEN, 0, c, !c, 0, u_at_min, i_at_max, 0);
    c = (x->flags & PREPAY_EVENTS_FLAG_MAGNETIC) != 0;
    channel(&j, PREPAY_EVENTS_MAGNETIC, 0, c, !c, p->magnetic_delay, u_at_min, i_at_max, 0);
#if PREPAY_EVENTS_PHASES == 3
    bool poly = judged >= 2;
    c = poly && (x->flags & PREPAY_EVENTS_FLAG_VOLTAGE_REVERSE_SEQUENCE) != 0 && !outage;
    channel(&j, PREPAY_EVENTS_VOLTAGE_REVERSE_SEQUENCE, 0, c, !c, p->sequence_delay, u_at_min, i_at_max, 0);
    c = poly && (x->flags & PREPAY_EVENTS_FLAG_CURRENT_REVERSE_SEQUENCE) != 0;
    channel(&j, PREPAY_EVENTS_CURRENT_REVERSE_SEQUENCE, 0, c, !c, p->sequence_delay, u_at_min, i_at_max, 0);
    c = poly && u_max > p->critical_voltage && unbalanced(u_max, u_min, p->voltage_unbalance_limit);
    channel(&j, PREPAY_EVENTS_VOLTAGE_UNBALANCE, 0, c, !c, p->voltage_unbalance_delay, u_at_min, i_at_max,
            unbalance_rate(u_max, u_min));
    bool loaded = poly && i_max > p->loss_current_lower;
    c = loaded && unbalanced(i_max, i_min, p->current_unbalance_limit);
    channel(&j, PREPAY_EVENTS_CURRENT_UNBALANCE, 0, c, !c, p->current_unbalance_delay, u_at_min, i_at_max,
            unbalance_rate(i_max, i_min));
    c = loaded && unbalanced(i_max, i_min, p->severe_unbalance_limit);
    channel(&j, PREPAY_EVENTS_CURRENT_SEVERE_UNBALANCE, 0, c, !c, p->severe_unbalance_delay, u_at_min, i_at_max,
            unbalance_rate(i_max, i_min));
#else
    (void)judged;
    (void)u_max;
    (void)i_min;
#endif
    return j.changes;
}
