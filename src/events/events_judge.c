/* SPDX-License-Identifier: MIT */
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

static PREPAY__ONE_COPY uint32_t add_sat32(uint32_t a, uint32_t b)
{
    uint32_t s = a + b;
    return s < a ? UINT32_MAX : s;
}

static PREPAY__ONE_COPY int32_t abs32(int32_t v)
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
    r->start = prepay__record_time(x->time);
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
            r->end = prepay__record_time(j->sample->time);
            prepay__events_set_end(r, prepay__events_centi_kwh(j->sample->forward),
                                   prepay__events_centi_kwh(j->sample->reverse));
            return;
        }
    }
}

/* Channel layout (see prepay__events_channel()): per-phase kinds 0..4 first, then whole-meter kinds 5..11,
 * then the three-phase-only per-phase kinds 12..15 and whole-meter kinds 16..20. One bit per channel in the
 * masks of a sample (at most 39 channels). */
#define PH PREPAY_EVENTS_PHASES
#define CH_PP(kind, ph) ((kind) < 5u ? (kind) * PH + (ph) : 5u * PH + 7u + ((kind) - 12u) * PH + (ph))
#define CH_W(kind) ((kind) < 12u ? 5u * PH + ((kind) - 5u) : 9u * PH + 7u + ((kind) - 16u))
#define BIT(ch) ((prepay_events_mask_t)1 << (ch))

#if PREPAY_EVENTS_PHASES == 3
/* (max - min) / max > limit (0.01 %), exactly: (max - min) * 10000 > limit * max. */
static bool unbalanced(int32_t max, int32_t min, uint16_t limit)
{
    return (limit != 0) & ((int64_t)(max - min) * 10000 > (int64_t)limit * max);
}

/* Unbalance rate in 0.01 %, truncated (for the record's detail only). */
static uint32_t unbalance_rate(int32_t max, int32_t min)
{
    return max <= 0 ? 0u : (uint32_t)((int64_t)(max - min) * 10000 / max);
}
#endif

/* What a transition records beside the sample: per-phase values and whole-meter summaries. */
typedef struct onset {
    int32_t u_min;      /* lowest judged phase voltage */
    int32_t u_max;      /* highest judged phase voltage */
    int32_t i_min;      /* smallest judged phase current, 0.1 mA */
    int32_t i_max;      /* largest judged phase current, 0.1 mA */
    int32_t i_at_max;   /* current (signed, mA) of the phase with the largest current */
} onset_t;

static unsigned delay_of(const prepay_events_params_t *p, unsigned kind)
{
    switch (kind) {
    case PREPAY_EVENTS_OVER_VOLTAGE: return p->over_voltage_delay;
    case PREPAY_EVENTS_UNDER_VOLTAGE: return p->under_voltage_delay;
    case PREPAY_EVENTS_OVER_CURRENT: return p->over_current_delay;
    case PREPAY_EVENTS_REVERSE_POWER: return p->reverse_power_delay;
    case PREPAY_EVENTS_OVERLOAD: return p->overload_delay;
    case PREPAY_EVENTS_LOW_POWER_FACTOR: return p->power_factor_delay;
    case PREPAY_EVENTS_POWER_DOWN: return p->power_down_delay;
    case PREPAY_EVENTS_MAGNETIC: return p->magnetic_delay;
    case PREPAY_EVENTS_LOSS_OF_VOLTAGE: return p->loss_voltage_delay;
    case PREPAY_EVENTS_PHASE_FAILURE: return p->phase_failure_delay;
    case PREPAY_EVENTS_LOSS_OF_CURRENT: return p->loss_current_delay;
    case PREPAY_EVENTS_CURRENT_CUT: return p->current_cut_delay;
    case PREPAY_EVENTS_VOLTAGE_REVERSE_SEQUENCE:
    case PREPAY_EVENTS_CURRENT_REVERSE_SEQUENCE: return p->sequence_delay;
    case PREPAY_EVENTS_VOLTAGE_UNBALANCE: return p->voltage_unbalance_delay;
    case PREPAY_EVENTS_CURRENT_UNBALANCE: return p->current_unbalance_delay;
    case PREPAY_EVENTS_CURRENT_SEVERE_UNBALANCE: return p->severe_unbalance_delay;
    default: return 0; /* cover and terminal cover: instantaneous */
    }
}

/* The (kind, phase) of a channel index: the inverse of CH_PP() / CH_W(). */
static PREPAY__ONE_COPY void kind_of_channel(unsigned index, unsigned *kind, unsigned *phase)
{
    if (index < 5u * PH) {
        *kind = index / PH;
        *phase = index % PH + 1u;
    } else if (index < 5u * PH + 7u) {
        *kind = 5u + (index - 5u * PH);
        *phase = 0;
    } else if (index < 9u * PH + 7u) {
        *kind = 12u + (index - 5u * PH - 7u) / PH;
        *phase = (index - 5u * PH - 7u) % PH + 1u;
    } else {
        *kind = 16u + (index - 9u * PH - 7u);
        *phase = 0;
    }
}

/* A channel whose state-change condition holds: count the time it is observed; change state after the delay. */
static void transition(judge_t *j, const prepay_events_params_t *p, unsigned index, const onset_t *o)
{
    prepay_events_state_t *s = j->state;
    prepay_events_channel_t *c = &s->channels[index];
    unsigned kind, phase;
    kind_of_channel(index, &kind, &phase);
    bool active = (c->flags & PREPAY__EVENTS_ACTIVE) != 0;
    if (c->flags & PREPAY__EVENTS_OBSERVING) {
        uint32_t held = (uint32_t)c->held + j->dt;
        c->held = (uint16_t)(held > UINT16_MAX ? UINT16_MAX : held);
    } else {
        c->flags = (uint8_t)(c->flags | PREPAY__EVENTS_OBSERVING);
        c->held = 0;
        s->observing_mask |= BIT(index);
    }
    if (c->held < delay_of(p, kind)) {
        return;
    }
    c->flags = (uint8_t)((c->flags ^ PREPAY__EVENTS_ACTIVE) & ~PREPAY__EVENTS_OBSERVING);
    c->held = 0;
    s->observing_mask &= ~BIT(index);
    s->active_mask ^= BIT(index);
    j->changes++;
    if (active) {
        end_event(j, kind, phase);
        return;
    }
    c->count = add_sat32(c->count, 1);
    if (c->pending < UINT8_MAX) {
        c->pending++;
    }
    if (phase != 0) {
        start_event(j, kind, phase, j->sample->voltage[phase - 1u], j->sample->current[phase - 1u], 0);
    } else {
        /* The unbalance rate is only computed here, at onset: a division per sample would cost more than the
         * whole judgement. */
        uint32_t detail = 0;
#if PREPAY_EVENTS_PHASES == 3
        if (kind == PREPAY_EVENTS_VOLTAGE_UNBALANCE) {
            detail = unbalance_rate(o->u_max, o->u_min);
        } else if (kind == PREPAY_EVENTS_CURRENT_UNBALANCE || kind == PREPAY_EVENTS_CURRENT_SEVERE_UNBALANCE) {
            detail = unbalance_rate(o->i_max, o->i_min);
        }
#endif
        start_event(j, kind, 0, o->u_min, o->i_at_max, detail);
    }
}

static unsigned lowest_bit(prepay_events_mask_t v)
{
    return sizeof v <= sizeof(unsigned) ? (unsigned)__builtin_ctz((unsigned)v) : (unsigned)__builtin_ctzll(v);
}

static int check_sample(const prepay_events_state_t *s, const prepay_events_sample_t *x)
{
    if (x->time < 0 || x->time >= TIME_END) {
        return PREPAY_E_BAD_DATE;
    }
    if (s->last_time != PREPAY_RECORD_TIME_NONE && x->time < s->last_time) {
        return PREPAY_E_EVENTS_TIME_ORDER;
    }
    unsigned bad = 0;
    for (unsigned p = 0; p < PREPAY_EVENTS_PHASES; p++) {
        /* One unsigned comparison per range: v - low > high - low is false exactly inside [low, high]. */
        bad |= (unsigned)((uint32_t)x->voltage[p] > 9999u);
        bad |= (unsigned)((uint32_t)x->current[p] + 999999u > 1999998u);
        bad |= (unsigned)((uint32_t)x->power[p] + 9999999u > 19999998u);
    }
    if (bad) {
        return PREPAY_E_EVENTS_BAD_SAMPLE;
    }
    if (x->power_total < -9999999 || x->power_total > 9999999 || x->power_factor < -1000 ||
        x->power_factor > 1000 || (x->flags & ~PREPAY_EVENTS_FLAGS_ALL) != 0 || x->forward < 0 || x->reverse < 0) {
        return PREPAY_E_EVENTS_BAD_SAMPLE;
    }
    return PREPAY_OK;
}


typedef struct phase_ctx {
    const prepay_events_params_t *p;
    const prepay_events_sample_t *x;
    bool outage;
    bool all_lost;
    unsigned above_lower;
} phase_ctx_t;

/* Start-condition bits of one phase (and the loss-of-voltage end bit). */
static inline prepay_events_mask_t phase_bits(const phase_ctx_t *ctx, unsigned ph, prepay_events_mask_t *lv_channels,
                                              prepay_events_mask_t *lv_off)
{
    /* Bitwise & and | of comparisons (no short-circuit): every operand is a plain comparison, and the
     * branch-free form is measurably faster (bench/bench_events.c). */
    const prepay_events_params_t *p = ctx->p;
    const int32_t u = ctx->x->voltage[ph];
    const int32_t ai = abs32(ctx->x->current[ph]) * 10; /* mA -> 0.1 mA, the threshold unit */
    const int32_t pw = ctx->x->power[ph];
    const unsigned live = !ctx->outage;
    prepay_events_mask_t on = 0;
    on |= (prepay_events_mask_t)((p->over_voltage_trigger != 0) & (u > p->over_voltage_trigger))
          << CH_PP(PREPAY_EVENTS_OVER_VOLTAGE, ph);
    on |= (prepay_events_mask_t)((p->under_voltage_trigger != 0) & (u < p->under_voltage_trigger) & live)
          << CH_PP(PREPAY_EVENTS_UNDER_VOLTAGE, ph);
    on |= (prepay_events_mask_t)((p->over_current_trigger != 0) & ((int64_t)ai > (int64_t)p->over_current_trigger * 1000))
          << CH_PP(PREPAY_EVENTS_OVER_CURRENT, ph);
    on |= (prepay_events_mask_t)((p->reverse_power_trigger != 0) & (-pw > p->reverse_power_trigger))
          << CH_PP(PREPAY_EVENTS_REVERSE_POWER, ph);
    on |= (prepay_events_mask_t)((p->overload_trigger != 0) & (abs32(pw) > p->overload_trigger))
          << CH_PP(PREPAY_EVENTS_OVERLOAD, ph);
#if PREPAY_EVENTS_PHASES == 3
    /* The three-phase kinds are not judged on a single-phase meter (docs/events.md, "3-phase"). */
    const unsigned three = p->wiring != PREPAY_EVENTS_WIRING_SINGLE;
    /* Loss of voltage: ends above the recovery limit, or when every phase has lost its voltage. */
    const unsigned lv = CH_PP(PREPAY_EVENTS_LOSS_OF_VOLTAGE, ph);
    const unsigned lost = ctx->all_lost;
    *lv_channels |= BIT(lv);
    on |= (prepay_events_mask_t)(three & (p->loss_voltage_trigger != 0) & (u < p->loss_voltage_trigger) &
                     (ai > p->loss_voltage_current) & !lost)
          << lv;
    *lv_off |= (prepay_events_mask_t)((u > p->loss_voltage_recovery) | lost | (p->loss_voltage_trigger == 0)) << lv;
    on |= (prepay_events_mask_t)(three & (p->phase_failure_voltage != 0) & (u < p->phase_failure_voltage) &
                     (ai < p->phase_failure_current) & live)
          << CH_PP(PREPAY_EVENTS_PHASE_FAILURE, ph);
    /* Loss of current: this phase below the upper limit while another carries more than the lower one. */
    on |= (prepay_events_mask_t)(three & (p->loss_current_upper != 0) & (u > p->loss_current_voltage) & (ai < p->loss_current_upper) &
                     (ctx->above_lower > (unsigned)(ai > p->loss_current_lower)))
          << CH_PP(PREPAY_EVENTS_LOSS_OF_CURRENT, ph);
    on |= (prepay_events_mask_t)(three & (p->current_cut_current != 0) & (u > p->current_cut_voltage) & (ai < p->current_cut_current))
          << CH_PP(PREPAY_EVENTS_CURRENT_CUT, ph);
#else
    (void)lv_channels;
    (void)lv_off;
#endif
    return on;
}

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
    int64_t gap = state->last_time == PREPAY_RECORD_TIME_NONE ? 0 : x->time - state->last_time;
    j.dt = gap > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
    state->last_time = prepay__record_time(x->time); /* 2000..2099 (check_sample) */

    /* Phases judged: A only for single-phase wiring; A and C for 3P3W (no B element). */
    unsigned phases = p->wiring == PREPAY_EVENTS_WIRING_SINGLE ? 1u : PREPAY_EVENTS_PHASES;
    bool skip_b = p->wiring == PREPAY_EVENTS_WIRING_3P3W;
    int32_t u_max = 0, u_min = INT32_MAX, i_max = 0, i_min = INT32_MAX, i_at_max = 0;
    unsigned above_lower = 0, judged = 0;
    bool all_down = true, all_lost = true, all_quiet = true;
    for (unsigned ph = 0; ph < phases; ph++) {
        if (skip_b && ph == 1) {
            continue;
        }
        int32_t u = x->voltage[ph];
        int32_t ai = abs32(x->current[ph]) * 10; /* mA -> 0.1 mA, the threshold unit */
        judged++;
        u_max = u > u_max ? u : u_max;
        u_min = u < u_min ? u : u_min;
        if (ai > i_max) {
            i_max = ai;
            i_at_max = x->current[ph];
        }
        i_min = ai < i_min ? ai : i_min;
        above_lower += (unsigned)(ai > p->loss_current_lower);
        all_down &= u < p->critical_voltage;
        all_lost &= u < p->loss_voltage_trigger;
        all_quiet &= ai <= p->loss_current_lower;
    }
    const bool outage = all_down && p->critical_voltage != 0;

    /* Start conditions, one bit per channel; ends are their negation, except loss of voltage. Each phase is
     * judged by an inlined call with a constant phase, so that every shift is a constant. */
    phase_ctx_t ctx = {p, x, outage, all_lost, above_lower};
    prepay_events_mask_t on = 0;
    prepay_events_mask_t lv_channels = 0, lv_off = 0;
    on |= phase_bits(&ctx, 0, &lv_channels, &lv_off);
#if PREPAY_EVENTS_PHASES == 3
    if (phases == 3) {
        if (!skip_b) {
            on |= phase_bits(&ctx, 1, &lv_channels, &lv_off);
        }
        on |= phase_bits(&ctx, 2, &lv_channels, &lv_off);
    }
#endif
    const int32_t pf = x->power_factor < 0 ? -x->power_factor : x->power_factor;
    on |= (prepay_events_mask_t)(p->power_factor_limit != 0 && pf < p->power_factor_limit && i_max > p->loss_voltage_current)
          << CH_W(PREPAY_EVENTS_LOW_POWER_FACTOR);
    on |= (prepay_events_mask_t)(outage && all_quiet) << CH_W(PREPAY_EVENTS_POWER_DOWN);
    on |= (prepay_events_mask_t)((x->flags & PREPAY_EVENTS_FLAG_COVER_OPEN) != 0) << CH_W(PREPAY_EVENTS_COVER_OPEN);
    on |= (prepay_events_mask_t)((x->flags & PREPAY_EVENTS_FLAG_TERMINAL_COVER_OPEN) != 0)
          << CH_W(PREPAY_EVENTS_TERMINAL_COVER_OPEN);
    on |= (prepay_events_mask_t)((x->flags & PREPAY_EVENTS_FLAG_MAGNETIC) != 0) << CH_W(PREPAY_EVENTS_MAGNETIC);
    onset_t o = {u_min == INT32_MAX ? 0 : u_min, u_max, i_min == INT32_MAX ? 0 : i_min, i_max, i_at_max};
#if PREPAY_EVENTS_PHASES == 3
    const bool poly = judged >= 2;
    on |= (prepay_events_mask_t)(poly && (x->flags & PREPAY_EVENTS_FLAG_VOLTAGE_REVERSE_SEQUENCE) != 0 && !outage)
          << CH_W(PREPAY_EVENTS_VOLTAGE_REVERSE_SEQUENCE);
    on |= (prepay_events_mask_t)(poly && (x->flags & PREPAY_EVENTS_FLAG_CURRENT_REVERSE_SEQUENCE) != 0)
          << CH_W(PREPAY_EVENTS_CURRENT_REVERSE_SEQUENCE);
    on |= (prepay_events_mask_t)(poly && u_max > p->critical_voltage && unbalanced(u_max, u_min, p->voltage_unbalance_limit))
          << CH_W(PREPAY_EVENTS_VOLTAGE_UNBALANCE);
    const bool loaded = poly && i_max > p->loss_current_lower;
    on |= (prepay_events_mask_t)(loaded && unbalanced(i_max, i_min, p->current_unbalance_limit))
          << CH_W(PREPAY_EVENTS_CURRENT_UNBALANCE);
    on |= (prepay_events_mask_t)(loaded && unbalanced(i_max, i_min, p->severe_unbalance_limit))
          << CH_W(PREPAY_EVENTS_CURRENT_SEVERE_UNBALANCE);
#else
    (void)judged;
    (void)u_max;
    (void)i_min;
#endif
    const prepay_events_mask_t all = PREPAY_EVENTS_CHANNELS == sizeof(prepay_events_mask_t) * 8u
                                         ? ~(prepay_events_mask_t)0
                                         : (BIT(PREPAY_EVENTS_CHANNELS) - 1u);
    const prepay_events_mask_t end = ((~on & ~lv_channels) | lv_off) & all;
    const prepay_events_mask_t active = state->active_mask;
    /* Active channels accumulate their duration (the time since the previous sample). */
    for (prepay_events_mask_t a = active; a != 0; a &= a - 1u) {
        prepay_events_channel_t *c = &state->channels[lowest_bit(a)];
        c->seconds = add_sat32(c->seconds, j.dt);
    }
    /* Channels whose state-change condition holds, and those that were observing one. */
    prepay_events_mask_t want = (on & ~active) | (end & active);
    for (prepay_events_mask_t t = want | state->observing_mask; t != 0; t &= t - 1u) {
        unsigned index = lowest_bit(t);
        if (want & BIT(index)) {
            transition(&j, p, index, &o);
        } else {
            /* The condition stopped before the delay: start observing afresh next time. */
            state->channels[index].flags =
                (uint8_t)(state->channels[index].flags & ~PREPAY__EVENTS_OBSERVING);
            state->observing_mask &= ~BIT(index);
        }
    }
    return j.changes;
}
