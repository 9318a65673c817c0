/* SPDX-License-Identifier: MIT */
/*
 * Theft-suspicion engine: deterministic rules over register readings and
 * collected events (see analysis.h for the rules, docs/events.md
 * "Station-side analysis" for the defaults and their sources: the
 * consumption-anomaly signatures published by State Grid Tianjin and the
 * area line-loss method of patent CN110047013B).
 */
#include <string.h>

#include "prepay/analysis.h"

#define TIME_END ((prepay_time_t)36525 * 86400)

int prepay_analysis_rules_default(prepay_analysis_rules_t *rules)
{
    if (rules == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(rules, 0, sizeof *rules);
    rules->weight[PREPAY_ANALYSIS_ZERO_ADVANCE] = 60;
    rules->weight[PREPAY_ANALYSIS_STEP_DROP] = 30;
    rules->weight[PREPAY_ANALYSIS_REVERSE_ENERGY] = 50;
    rules->weight[PREPAY_ANALYSIS_AFTER_TAMPER] = 40;
    rules->weight[PREPAY_ANALYSIS_AREA_LOSS] = 20;
    rules->weight[PREPAY_ANALYSIS_SHARE_DROP] = 30;
    rules->zero_current = 100;          /* 0.1 A: well above the 0.5 % Ib start current of a 5 A meter */
    rules->zero_min_seconds = 3600;     /* an hour */
    rules->drop_ratio = 5000;           /* below 50 % of the median */
    rules->drop_min_median = 500;       /* 0.5 kWh a day */
    rules->drop_history = 7;            /* the previous week of daily intervals */
    rules->reverse_min = 10;            /* 0.01 kWh: one register digit */
    rules->tamper_window = 7 * 86400;   /* a week */
    rules->loss_jump = 500;             /* 5.00 percentage points */
    rules->share_ratio = 5000;          /* below 50 % of the median share */
    rules->coincidence_bonus = 30;
    return PREPAY_OK;
}

int prepay_analysis_rules_check(const prepay_analysis_rules_t *r)
{
    if (r == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    for (unsigned i = 0; i < PREPAY_ANALYSIS_RULE_COUNT; i++) {
        if (r->weight[i] < 0 || r->weight[i] > 1000) {
            return PREPAY_E_ANALYSIS_BAD_RULES;
        }
    }
    if (r->zero_current < 0 || r->zero_min_seconds < 1 || r->drop_ratio > 10000 || r->drop_min_median < 0 ||
        r->drop_history < 3 || r->drop_history > PREPAY_ANALYSIS_HISTORY || r->reverse_min < 0 ||
        r->tamper_window < 0 || r->loss_jump < 0 || r->loss_jump > 10000 || r->share_ratio > 10000 ||
        r->coincidence_bonus < 0 || r->coincidence_bonus > 1000) {
        return PREPAY_E_ANALYSIS_BAD_RULES;
    }
    return PREPAY_OK;
}

typedef struct sink {
    prepay_analysis_suspicion_t *out;
    size_t cap;
    size_t count;
} sink_t;

static void emit(sink_t *sink, uint32_t meter, unsigned rule, int32_t score, prepay_time_t from, prepay_time_t to,
                 int64_t observed, int64_t expected)
{
    if (sink->count < sink->cap) {
        prepay_analysis_suspicion_t *s = &sink->out[sink->count];
        s->meter = meter;
        s->rule = (uint8_t)rule;
        s->score = score;
        s->from = from;
        s->to = to;
        s->observed = observed;
        s->expected = expected;
    }
    sink->count++;
}

/* a < b * ratio / 10000 (ratio in 0.01 %), exactly: a < ceil(b * ratio / 10000). */
static bool below_share(int64_t a, int64_t b, uint32_t ratio)
{
    int64_t limit = 0;
    if (prepay_i64_muldiv(b, ratio, 10000, PREPAY_ROUND_CEILING, &limit) != PREPAY_OK) {
        return false;
    }
    return a < limit;
}

/* Median of values[0..n) (n >= 1): the middle one, or the half-up mean of the two middle ones. */
static int64_t median(const int64_t *values, size_t n)
{
    int64_t sorted[PREPAY_ANALYSIS_HISTORY];
    memcpy(sorted, values, n * sizeof sorted[0]);
    for (size_t i = 1; i < n; i++) {
        int64_t v = sorted[i];
        size_t j = i;
        while (j > 0 && sorted[j - 1] > v) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = v;
    }
    if (n % 2 == 1) {
        return sorted[n / 2];
    }
    int64_t mean = 0;
    (void)prepay_i64_div_round(sorted[n / 2 - 1] + sorted[n / 2], 2, PREPAY_ROUND_HALF_UP, &mean);
    return mean;
}

static const prepay_analysis_meter_t *find_meter(const prepay_analysis_meter_t *meters, size_t n, uint32_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (meters[mid].meter < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (lo < n && meters[lo].meter == id) ? &meters[lo] : NULL;
}

/* Index of the reading (meter, time), or -1. */
static long find_reading(const prepay_analysis_reading_t *r, size_t n, uint32_t meter, prepay_time_t time)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].meter < meter || (r[mid].meter == meter && r[mid].time < time)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (lo < n && r[lo].meter == meter && r[lo].time == time) ? (long)lo : -1;
}

static int check_inputs(const prepay_analysis_meter_t *meters, size_t meter_count,
                        const prepay_analysis_reading_t *readings, size_t reading_count,
                        const prepay_analysis_event_t *events, size_t event_count)
{
    for (size_t i = 0; i < meter_count; i++) {
        if (meters[i].role > 2 || meters[i].consumption_only > 1 || (meters[i].role != 0 && meters[i].group == 0)) {
            return PREPAY_E_ANALYSIS_BAD_INPUT;
        }
        if (i > 0 && meters[i].meter <= meters[i - 1].meter) {
            return PREPAY_E_ANALYSIS_ORDER;
        }
    }
    for (size_t i = 0; i < reading_count; i++) {
        const prepay_analysis_reading_t *r = &readings[i];
        if (r->forward < 0 || r->reverse < 0 || r->current < -1 || r->time < 0 || r->time >= TIME_END ||
            find_meter(meters, meter_count, r->meter) == NULL) {
            return PREPAY_E_ANALYSIS_BAD_INPUT;
        }
        if (i > 0) {
            const prepay_analysis_reading_t *q = &readings[i - 1];
            if (r->meter < q->meter || (r->meter == q->meter && r->time <= q->time)) {
                return PREPAY_E_ANALYSIS_ORDER;
            }
            if (r->meter == q->meter && (r->forward < q->forward || r->reverse < q->reverse)) {
                return PREPAY_E_ANALYSIS_REGISTER_BACKWARDS;
            }
        }
    }
    for (size_t i = 0; i < event_count; i++) {
        const prepay_analysis_event_t *e = &events[i];
        if (e->kind >= PREPAY_EVENTS_KIND_COUNT || e->phase > 3 || e->start <= 0 || e->start >= TIME_END ||
            (e->end != 0 && e->end < e->start) || find_meter(meters, meter_count, e->meter) == NULL) {
            return PREPAY_E_ANALYSIS_BAD_INPUT;
        }
    }
    return PREPAY_OK;
}

/* ZERO_ADVANCE, STEP_DROP, REVERSE_ENERGY over one meter's readings [first, last). */
static void reading_rules(const prepay_analysis_rules_t *rules, const prepay_analysis_meter_t *meter,
                          const prepay_analysis_reading_t *r, size_t n, sink_t *sink)
{
    int64_t history[PREPAY_ANALYSIS_HISTORY];
    size_t have = 0, next = 0;
    bool in_drop = false;
    for (size_t i = 1; i < n; i++) {
        const prepay_analysis_reading_t *a = &r[i - 1];
        const prepay_analysis_reading_t *b = &r[i];
        int64_t dt = b->time - a->time;
        int64_t forward = b->forward - a->forward;
        int64_t reverse = b->reverse - a->reverse;
        if (rules->weight[PREPAY_ANALYSIS_ZERO_ADVANCE] > 0 && forward == 0 && dt >= rules->zero_min_seconds &&
            b->current > rules->zero_current) {
            emit(sink, meter->meter, PREPAY_ANALYSIS_ZERO_ADVANCE, rules->weight[PREPAY_ANALYSIS_ZERO_ADVANCE],
                 a->time, b->time, forward, b->current);
        }
        int64_t per_day = 0;
        if (prepay_i64_muldiv(forward, 86400, dt, PREPAY_ROUND_HALF_UP, &per_day) != PREPAY_OK) {
            per_day = INT64_MAX;
        }
        if (rules->weight[PREPAY_ANALYSIS_STEP_DROP] > 0 && have == rules->drop_history) {
            int64_t m = median(history, have);
            bool low = m >= rules->drop_min_median && m > 0 && below_share(per_day, m, rules->drop_ratio);
            if (low && !in_drop) {
                emit(sink, meter->meter, PREPAY_ANALYSIS_STEP_DROP, rules->weight[PREPAY_ANALYSIS_STEP_DROP], a->time,
                     b->time, per_day, m);
            }
            in_drop = low;
        }
        history[next] = per_day;
        next = (next + 1u) % rules->drop_history;
        if (have < rules->drop_history) {
            have++;
        }
        if (rules->weight[PREPAY_ANALYSIS_REVERSE_ENERGY] > 0 && meter->consumption_only &&
            reverse > rules->reverse_min) {
            emit(sink, meter->meter, PREPAY_ANALYSIS_REVERSE_ENERGY, rules->weight[PREPAY_ANALYSIS_REVERSE_ENERGY],
                 a->time, b->time, reverse, rules->reverse_min);
        }
    }
}

static bool is_tamper(unsigned kind)
{
    return kind == PREPAY_EVENTS_PROGRAMMING || kind == PREPAY_EVENTS_COVER_OPEN ||
           kind == PREPAY_EVENTS_TERMINAL_COVER_OPEN;
}

/* Metering events that under-register consumption when provoked. */
static bool is_metering(unsigned kind)
{
    switch (kind) {
    case PREPAY_EVENTS_LOSS_OF_VOLTAGE:
    case PREPAY_EVENTS_PHASE_FAILURE:
    case PREPAY_EVENTS_LOSS_OF_CURRENT:
    case PREPAY_EVENTS_CURRENT_CUT:
    case PREPAY_EVENTS_REVERSE_POWER:
    case PREPAY_EVENTS_MAGNETIC:
    case PREPAY_EVENTS_VOLTAGE_REVERSE_SEQUENCE:
    case PREPAY_EVENTS_CURRENT_REVERSE_SEQUENCE:
    case PREPAY_EVENTS_CURRENT_UNBALANCE:
    case PREPAY_EVENTS_CURRENT_SEVERE_UNBALANCE:
        return true;
    default:
        return false;
    }
}

static void tamper_rule(const prepay_analysis_rules_t *rules, const prepay_analysis_event_t *events, size_t n,
                        sink_t *sink)
{
    if (rules->weight[PREPAY_ANALYSIS_AFTER_TAMPER] == 0) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const prepay_analysis_event_t *e = &events[i];
        if (!is_metering(e->kind)) {
            continue;
        }
        const prepay_analysis_event_t *latest = NULL;
        for (size_t k = 0; k < n; k++) {
            const prepay_analysis_event_t *t = &events[k];
            if (t->meter == e->meter && is_tamper(t->kind) && t->start <= e->start &&
                e->start - t->start <= rules->tamper_window && (latest == NULL || t->start > latest->start)) {
                latest = t;
            }
        }
        if (latest != NULL) {
            emit(sink, e->meter, PREPAY_ANALYSIS_AFTER_TAMPER, rules->weight[PREPAY_ANALYSIS_AFTER_TAMPER],
                 latest->start, e->start, e->kind, latest->kind);
        }
    }
}

/* Advance of a meter's forward register between two reading times, or -1 if a reading is missing. */
static int64_t advance(const prepay_analysis_reading_t *r, size_t n, uint32_t meter, prepay_time_t from,
                       prepay_time_t to)
{
    long a = find_reading(r, n, meter, from);
    long b = find_reading(r, n, meter, to);
    if (a < 0 || b < 0) {
        return -1;
    }
    return r[b].forward - r[a].forward;
}

/* Loss rate (0.01 %) of the group over the master's interval k, or INT64_MIN if not computable. */
static int64_t loss_rate(const prepay_analysis_meter_t *meters, size_t meter_count, const prepay_analysis_meter_t *m,
                         const prepay_analysis_reading_t *readings, size_t reading_count, prepay_time_t from,
                         prepay_time_t to)
{
    int64_t master = advance(readings, reading_count, m->meter, from, to);
    if (master <= 0) {
        return INT64_MIN;
    }
    int64_t subs = 0;
    for (size_t i = 0; i < meter_count; i++) {
        if (meters[i].group == m->group && meters[i].role == 2) {
            int64_t d = advance(readings, reading_count, meters[i].meter, from, to);
            if (d < 0) {
                return INT64_MIN;
            }
            subs += d;
        }
    }
    int64_t rate = 0;
    if (prepay_i64_muldiv(master - subs, 10000, master, PREPAY_ROUND_HALF_UP, &rate) != PREPAY_OK) {
        return INT64_MIN;
    }
    return rate;
}

/* Share (0.01 %) of a sub-meter in the master's advance, or INT64_MIN. */
static int64_t share(uint32_t sub, uint32_t master, const prepay_analysis_reading_t *readings, size_t n,
                     prepay_time_t from, prepay_time_t to)
{
    int64_t dm = advance(readings, n, master, from, to);
    int64_t ds = advance(readings, n, sub, from, to);
    int64_t rate = 0;
    if (dm <= 0 || ds < 0 || prepay_i64_muldiv(ds, 10000, dm, PREPAY_ROUND_HALF_UP, &rate) != PREPAY_OK) {
        return INT64_MIN;
    }
    return rate;
}

static void group_rules(const prepay_analysis_rules_t *rules, const prepay_analysis_meter_t *meters,
                        size_t meter_count, const prepay_analysis_meter_t *m, const prepay_analysis_reading_t *r,
                        size_t first, size_t last, const prepay_analysis_reading_t *readings, size_t reading_count,
                        sink_t *sink)
{
    const size_t h = rules->drop_history;
    for (size_t i = first + 1u; i < last; i++) {
        prepay_time_t from = r[i - 1].time, to = r[i].time;
        if (i - first < h + 1u) {
            continue; /* not enough history before this interval */
        }
        bool jumped = false;
        int64_t loss = loss_rate(meters, meter_count, m, readings, reading_count, from, to);
        if (loss != INT64_MIN) {
            int64_t past[PREPAY_ANALYSIS_HISTORY];
            size_t have = 0;
            for (size_t k = i - h; k < i; k++) {
                int64_t v = loss_rate(meters, meter_count, m, readings, reading_count, r[k - 1].time, r[k].time);
                if (v != INT64_MIN) {
                    past[have++] = v;
                }
            }
            if (have == h) {
                int64_t base = median(past, have);
                int64_t rise = 0;
                jumped = prepay_i64_sub(loss, base, &rise) == PREPAY_OK && rise > rules->loss_jump;
                if (jumped && rules->weight[PREPAY_ANALYSIS_AREA_LOSS] > 0) {
                    emit(sink, m->meter, PREPAY_ANALYSIS_AREA_LOSS, rules->weight[PREPAY_ANALYSIS_AREA_LOSS], from,
                         to, loss, base);
                }
            }
        }
        if (rules->weight[PREPAY_ANALYSIS_SHARE_DROP] == 0) {
            continue;
        }
        for (size_t s = 0; s < meter_count; s++) {
            if (meters[s].group != m->group || meters[s].role != 2) {
                continue;
            }
            int64_t now = share(meters[s].meter, m->meter, readings, reading_count, from, to);
            if (now == INT64_MIN) {
                continue;
            }
            int64_t past[PREPAY_ANALYSIS_HISTORY];
            size_t have = 0;
            for (size_t k = i - h; k < i; k++) {
                int64_t v = share(meters[s].meter, m->meter, readings, reading_count, r[k - 1].time, r[k].time);
                if (v != INT64_MIN) {
                    past[have++] = v;
                }
            }
            if (have < h) {
                continue;
            }
            int64_t base = median(past, have);
            if (base > 0 && below_share(now, base, rules->share_ratio)) {
                int32_t score = rules->weight[PREPAY_ANALYSIS_SHARE_DROP] + (jumped ? rules->coincidence_bonus : 0);
                emit(sink, meters[s].meter, PREPAY_ANALYSIS_SHARE_DROP, score, from, to, now, base);
            }
        }
    }
}

int prepay_analysis_run(const prepay_analysis_rules_t *rules, const prepay_analysis_meter_t *meters,
                        size_t meter_count, const prepay_analysis_reading_t *readings, size_t reading_count,
                        const prepay_analysis_event_t *events, size_t event_count, prepay_analysis_suspicion_t *out,
                        size_t out_cap, size_t *count)
{
    if (rules == NULL || count == NULL || (meters == NULL && meter_count != 0) ||
        (readings == NULL && reading_count != 0) || (events == NULL && event_count != 0) ||
        (out == NULL && out_cap != 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay_analysis_rules_check(rules);
    if (status != PREPAY_OK) {
        return status;
    }
    status = check_inputs(meters, meter_count, readings, reading_count, events, event_count);
    if (status != PREPAY_OK) {
        return status;
    }
    sink_t sink = {out, out_cap, 0};
    size_t first = 0;
    while (first < reading_count) {
        size_t last = first + 1u;
        while (last < reading_count && readings[last].meter == readings[first].meter) {
            last++;
        }
        const prepay_analysis_meter_t *m = find_meter(meters, meter_count, readings[first].meter);
        if (m != NULL) { /* always found: check_inputs() refused unknown meters */
            reading_rules(rules, m, &readings[first], last - first, &sink);
        }
        first = last;
    }
    tamper_rule(rules, events, event_count, &sink);
    first = 0;
    while (first < reading_count) {
        size_t last = first + 1u;
        while (last < reading_count && readings[last].meter == readings[first].meter) {
            last++;
        }
        const prepay_analysis_meter_t *m = find_meter(meters, meter_count, readings[first].meter);
        if (m != NULL && m->role == 1) {
            group_rules(rules, meters, meter_count, m, readings, first, last, readings, reading_count, &sink);
        }
        first = last;
    }
    *count = sink.count;
    return sink.count > out_cap ? PREPAY_E_BUFFER_TOO_SMALL : PREPAY_OK;
}

int32_t prepay_analysis_score(const prepay_analysis_suspicion_t *suspicions, size_t count, uint32_t meter)
{
    int64_t total = 0;
    if (suspicions == NULL) {
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        if (suspicions[i].meter == meter) {
            total += suspicions[i].score;
            if (total > INT32_MAX) {
                return INT32_MAX;
            }
        }
    }
    return (int32_t)total;
}
