/* SPDX-License-Identifier: MIT */
/*
 * Voltage qualification: per-minute counting per phase, day and month
 * statistics with rollover (see voltage_qualification.h and
 * docs/voltage-qualification.md for the rules and their sources).
 */
#include <string.h>

#include "prepay/voltage_qualification.h"
#include "events_internal.h"
#include "../common/wide_internal.h"

/* "PVQS": marks initialised statistics. */
#define VQ_MAGIC 0x50565153u
#define TIME_END ((prepay_time_t)36525 * 86400)

/* num and den are 32-bit: each call passes its arguments in registers on a 32-bit target. */
static int64_t percent_of(int64_t value, int32_t num, int32_t den)
{
    int64_t out = 0;
    (void)prepay_i64_muldiv(value, num, den, PREPAY_ROUND_HALF_UP, &out);
    return out;
}

int prepay_vq_params_default(prepay_vq_params_t *params, prepay_events_wiring_t wiring, uint16_t rated_voltage)
{
    if (params == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (rated_voltage == 0 || rated_voltage > 8332 || (unsigned)wiring > PREPAY_EVENTS_WIRING_3P3W) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    prepay_vq_params_t p;
    p.wiring = (uint8_t)wiring;
    /* GB/T 12325-2008 clause 4: 220 V single-phase +7 % / -10 %; 20 kV and below three-phase +-7 %. */
    p.upper_limit = (uint16_t)percent_of(rated_voltage, 107, 100);
    p.lower_limit = (uint16_t)percent_of(rated_voltage, wiring == PREPAY_EVENTS_WIRING_SINGLE ? 90 : 93, 100);
    /* Assessment band 70 % .. 120 % Un (meter firmware default; docs/voltage-qualification.md). */
    p.assess_upper = (uint16_t)percent_of(rated_voltage, 120, 100);
    p.assess_lower = (uint16_t)percent_of(rated_voltage, 70, 100);
    int status = prepay_vq_params_check(&p);
    if (status != PREPAY_OK) {
        return status;
    }
    *params = p;
    return PREPAY_OK;
}

int prepay_vq_params_check(const prepay_vq_params_t *p)
{
    if (p == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (p->wiring > PREPAY_EVENTS_WIRING_3P3W ||
        (PREPAY_EVENTS_PHASES == 1 && p->wiring != PREPAY_EVENTS_WIRING_SINGLE) || p->assess_upper > 9999) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    if (!(p->assess_lower < p->lower_limit && p->lower_limit <= p->upper_limit &&
          p->upper_limit < p->assess_upper)) {
        return PREPAY_E_EVENTS_CONTRADICTION;
    }
    return PREPAY_OK;
}

int prepay_vq_init(prepay_vq_state_t *state)
{
    if (state == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(state, 0, sizeof *state);
    state->magic = VQ_MAGIC;
    state->last_minute = PREPAY_RECORD_TIME_NONE;
    state->day = -1;
    state->month = -1;
    return PREPAY_OK;
}

static int32_t month_index(prepay_time_t t)
{
    int32_t year;
    uint8_t month, day;
    (void)prepay_time_date_from_days(prepay_time_day_of(t), &year, &month, &day);
    return year * 12 + (int32_t)month - 1;
}

/* Day and month rollover to the day and month of t. */
static void roll(prepay_vq_state_t *s, prepay_time_t t)
{
    prepay_days_t day = prepay_time_day_of(t);
    if (day == s->day) {
        return; /* same day, same month: the common case, without a calendar conversion */
    }
    int32_t month = month_index(t);
    if (s->day < 0) {
        s->day = day;
        s->month = month;
        return;
    }
    if (day != s->day) {
        if (day == s->day + 1) {
            memcpy(s->yesterday, s->today, sizeof s->today);
        } else {
            memset(s->yesterday, 0, sizeof s->yesterday);
        }
        memset(s->today, 0, sizeof s->today);
        s->day = day;
    }
    if (month != s->month) {
        /* Months back from the new month: the old this_month is (month - s->month) months back. */
        int32_t back = month - s->month;
        if (back < 0 || back > (int32_t)PREPAY_VQ_MONTHS) {
            memset(s->months, 0, sizeof s->months);
        } else {
            size_t keep = PREPAY_VQ_MONTHS - (size_t)back;
            prepay__move(&s->months[back], &s->months[0], keep * sizeof s->months[0]);
            memset(&s->months[0], 0, (size_t)back * sizeof s->months[0]);
            memcpy(s->months[back - 1], s->this_month, sizeof s->this_month);
        }
        memset(s->this_month, 0, sizeof s->this_month);
        s->month = month;
    }
}

/* One copy in size builds (today's and this month's statistics); inlined twice in speed builds. */
static PREPAY__ONE_COPY void count(prepay_vq_stats_t *st, const prepay_vq_params_t *p, int32_t u,
                                   prepay_time_t minute)
{
    bool first = st->monitored == 0;
    st->monitored++;
    if (u > p->upper_limit) {
        st->over_upper++;
    } else if (u < p->lower_limit) {
        st->under_lower++;
    }
    if (first || u > st->max_voltage) {
        st->max_voltage = (uint16_t)u;
        st->max_time = prepay__record_time(minute);
    }
    if (first || u < st->min_voltage) {
        st->min_voltage = (uint16_t)u;
        st->min_time = prepay__record_time(minute);
    }
}

int prepay_vq_minute(prepay_vq_state_t *state, const prepay_vq_params_t *params, prepay_time_t time,
                     const int32_t voltage[PREPAY_EVENTS_PHASES])
{
    if (state == NULL || params == NULL || voltage == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (state->magic != VQ_MAGIC) {
        return PREPAY_E_EVENTS_BAD_STATE;
    }
    int status = prepay_vq_params_check(params);
    if (status != PREPAY_OK) {
        return status;
    }
    if (time <= 0 || time >= TIME_END) {
        return PREPAY_E_BAD_DATE;
    }
    for (unsigned ph = 0; ph < PREPAY_EVENTS_PHASES; ph++) {
        if (voltage[ph] < 0 || voltage[ph] > 9999) {
            return PREPAY_E_EVENTS_BAD_SAMPLE;
        }
    }
    prepay_time_t minute = time - prepay__smod64(time, 60);
    if (state->last_minute != PREPAY_RECORD_TIME_NONE && minute <= state->last_minute) {
        return PREPAY_E_EVENTS_TIME_ORDER;
    }
    roll(state, minute);
    state->last_minute = prepay__record_time(minute);
    unsigned phases = params->wiring == PREPAY_EVENTS_WIRING_SINGLE ? 1u : PREPAY_EVENTS_PHASES;
    for (unsigned ph = 0; ph < phases; ph++) {
        if (params->wiring == PREPAY_EVENTS_WIRING_3P3W && ph == 1) {
            /* No B-phase element in 3P3W: B is forced qualified (monitored, never out of limits). */
            state->today[ph].monitored++;
            state->this_month[ph].monitored++;
            continue;
        }
        int32_t u = voltage[ph];
        if (!(u > params->assess_lower && u < params->assess_upper)) {
            continue; /* outside the assessment band (an outage included): not monitored */
        }
        count(&state->today[ph], params, u, minute);
        count(&state->this_month[ph], params, u, minute);
    }
    return PREPAY_OK;
}

int prepay_vq_clock_changed(prepay_vq_state_t *state, prepay_time_t now)
{
    if (state == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (state->magic != VQ_MAGIC) {
        return PREPAY_E_EVENTS_BAD_STATE;
    }
    if (now <= 0 || now >= TIME_END) {
        return PREPAY_E_BAD_DATE;
    }
    roll(state, now);
    /* Minutes from the new clock's minute on are accepted. */
    prepay_time_t before = now - prepay__smod64(now, 60) - 60;
    /* In the first minute of 2000 that is before 2000: "none" in 32 bits, which accepts the same minutes. */
    state->last_minute = PREPAY_RECORD_TIME32 && before < 0 ? PREPAY_RECORD_TIME_NONE : prepay__record_time(before);
    return PREPAY_OK;
}

static PREPAY__ONE_COPY void add_stats(prepay_vq_stats_t *total, const prepay_vq_stats_t *st)
{
    bool empty = total->monitored == 0 && total->max_time == 0;
    total->monitored += st->monitored;
    total->over_upper += st->over_upper;
    total->under_lower += st->under_lower;
    if (st->max_time != 0 && (empty || total->max_time == 0 || st->max_voltage > total->max_voltage)) {
        total->max_voltage = st->max_voltage;
        total->max_time = st->max_time;
    }
    if (st->min_time != 0 && (empty || total->min_time == 0 || st->min_voltage < total->min_voltage)) {
        total->min_voltage = st->min_voltage;
        total->min_time = st->min_time;
    }
}

int prepay_vq_stats(const prepay_vq_state_t *state, const prepay_vq_params_t *params, unsigned period,
                    unsigned phase, prepay_vq_stats_t *out)
{
    if (state == NULL || params == NULL || out == NULL || phase > PREPAY_EVENTS_PHASES ||
        period >= PREPAY_VQ_LAST_MONTH + PREPAY_VQ_MONTHS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (state->magic != VQ_MAGIC) {
        return PREPAY_E_EVENTS_BAD_STATE;
    }
    const prepay_vq_stats_t *set;
    switch (period) {
    case PREPAY_VQ_TODAY: set = state->today; break;
    case PREPAY_VQ_YESTERDAY: set = state->yesterday; break;
    case PREPAY_VQ_THIS_MONTH: set = state->this_month; break;
    default: set = state->months[period - PREPAY_VQ_LAST_MONTH]; break;
    }
    if (phase != 0) {
        *out = set[phase - 1u];
        return PREPAY_OK;
    }
    prepay_vq_stats_t total;
    memset(&total, 0, sizeof total);
    unsigned phases = params->wiring == PREPAY_EVENTS_WIRING_SINGLE ? 1u : PREPAY_EVENTS_PHASES;
    for (unsigned ph = 0; ph < phases; ph++) {
        add_stats(&total, &set[ph]);
    }
    *out = total;
    return PREPAY_OK;
}

int prepay_vq_rates(const prepay_vq_stats_t *stats, uint32_t *qualified, uint32_t *over)
{
    if (stats == NULL || qualified == NULL || over == NULL ||
        (uint64_t)stats->over_upper + stats->under_lower > stats->monitored) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (stats->monitored == 0) {
        *qualified = 0;
        *over = 0;
        return PREPAY_OK;
    }
    int64_t out_minutes = (int64_t)stats->over_upper + stats->under_lower;
    int64_t rate = 0;
    (void)prepay_i64_div_round(out_minutes * 10000, stats->monitored, PREPAY_ROUND_HALF_UP, &rate);
    *over = (uint32_t)rate;
    *qualified = 10000u - (uint32_t)rate;
    return PREPAY_OK;
}
