/* SPDX-License-Identifier: MIT */
/*
 * Event records outside the sampled judgement (outage at power-up,
 * programming, clock change, refused writes), clearing, queries, and the
 * active-report status word (DL/T 645-2007 04001501 / 04001503).
 */
#include <string.h>

#include "events_internal.h"

#define TIME_END ((prepay_time_t)36525 * 86400)

static int check_state(const prepay_events_state_t *state)
{
    if (state == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return state->magic == PREPAY__EVENTS_MAGIC ? PREPAY_OK : PREPAY_E_EVENTS_BAD_STATE;
}

static bool time_ok(prepay_time_t t)
{
    return t > 0 && t < TIME_END;
}

int prepay_events_init(prepay_events_state_t *state)
{
    if (state == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(state, 0, sizeof *state);
    state->magic = PREPAY__EVENTS_MAGIC;
    state->last_time = PREPAY_RECORD_TIME_NONE;
    return PREPAY_OK;
}

/* Adds a completed record of a whole-meter kind and counts it. */
static void add_record(prepay_events_state_t *state, unsigned kind, const prepay_events_record_t *record)
{
    prepay_events_channel_t *c = &state->channels[prepay__events_channel(kind, 0)];
    unsigned slot = state->next[kind];
    state->records[kind][slot] = *record;
    state->next[kind] = (uint8_t)((slot + 1u) % PREPAY_MAX_EVENT_RECORDS);
    if (c->count < UINT32_MAX) {
        c->count++;
    }
    if (c->pending < UINT8_MAX) {
        c->pending++;
    }
    if (record->end > record->start) {
        uint64_t seconds = (uint64_t)c->seconds + (uint64_t)(record->end - record->start);
        c->seconds = seconds > UINT32_MAX ? UINT32_MAX : (uint32_t)seconds;
    }
}

int prepay_events_outage(prepay_events_state_t *state, const prepay_events_params_t *params, prepay_time_t down,
                         prepay_time_t up, prepay_energy_t forward, prepay_energy_t reverse)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (params == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!time_ok(down) || !time_ok(up)) {
        return PREPAY_E_BAD_DATE;
    }
    if ((state->last_time != PREPAY_RECORD_TIME_NONE && down < state->last_time) || up < down) {
        return PREPAY_E_EVENTS_TIME_ORDER;
    }
    if (forward < 0 || reverse < 0) {
        return PREPAY_E_EVENTS_BAD_SAMPLE;
    }
    state->last_time = prepay__record_time(up);
    if (up - down < (prepay_time_t)params->power_down_delay) {
        return 0;
    }
    prepay_events_record_t r;
    memset(&r, 0, sizeof r);
    r.start = prepay__record_time(down);
    r.end = prepay__record_time(up);
    r.forward_start = prepay__events_centi_kwh(forward);
    r.reverse_start = prepay__events_centi_kwh(reverse);
    prepay__events_set_end(&r, r.forward_start, r.reverse_start);
    r.used = 1;
    add_record(state, PREPAY_EVENTS_POWER_DOWN, &r);
    return 1;
}

int prepay_events_programmed(prepay_events_state_t *state, prepay_time_t time, uint32_t di, uint32_t operator_code,
                             prepay_energy_t forward, prepay_energy_t reverse)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (!time_ok(time)) {
        return PREPAY_E_BAD_DATE;
    }
    if (forward < 0 || reverse < 0) {
        return PREPAY_E_EVENTS_BAD_SAMPLE;
    }
    prepay_events_record_t r;
    memset(&r, 0, sizeof r);
    r.start = r.end = prepay__record_time(time);
    r.forward_start = prepay__events_centi_kwh(forward);
    r.reverse_start = prepay__events_centi_kwh(reverse);
    prepay__events_set_end(&r, r.forward_start, r.reverse_start);
    r.detail = di;
    r.operator_code = operator_code;
    r.used = 1;
    add_record(state, PREPAY_EVENTS_PROGRAMMING, &r);
    return PREPAY_OK;
}

int prepay_events_clock_changed(prepay_events_state_t *state, prepay_time_t before, prepay_time_t after,
                                uint32_t operator_code, prepay_energy_t forward, prepay_energy_t reverse)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (!time_ok(before) || !time_ok(after)) {
        return PREPAY_E_BAD_DATE;
    }
    if (forward < 0 || reverse < 0) {
        return PREPAY_E_EVENTS_BAD_SAMPLE;
    }
    prepay_events_record_t r;
    memset(&r, 0, sizeof r);
    r.start = prepay__record_time(before);
    r.end = prepay__record_time(after);
    r.forward_start = prepay__events_centi_kwh(forward);
    r.reverse_start = prepay__events_centi_kwh(reverse);
    prepay__events_set_end(&r, r.forward_start, r.reverse_start);
    r.operator_code = operator_code;
    r.used = 1;
    /* A clock change has no duration: count it without adding time. */
    prepay_events_channel_t *c = &state->channels[prepay__events_channel(PREPAY_EVENTS_CLOCK_CHANGE, 0)];
    uint32_t seconds = c->seconds;
    add_record(state, PREPAY_EVENTS_CLOCK_CHANGE, &r);
    c->seconds = seconds;
    /* The next sample is measured from the new clock; observed durations are kept. */
    state->last_time = prepay__record_time(after);
    return PREPAY_OK;
}

int prepay_events_refuse(prepay_events_state_t *state, prepay_time_t time, uint32_t di, uint32_t operator_code,
                         int reason)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (state->refused_count < UINT32_MAX) {
        state->refused_count++;
    }
    state->refused_last.time = prepay__record_time(time);
    state->refused_last.di = di;
    state->refused_last.operator_code = operator_code;
    state->refused_last.reason = reason;
    return PREPAY_OK;
}

static void clear_kind(prepay_events_state_t *state, unsigned kind)
{
    unsigned phases = prepay__events_kinds[kind].per_phase ? PREPAY_EVENTS_PHASES : 1u;
    for (unsigned ph = 0; ph < phases; ph++) {
        int ch = prepay__events_channel(kind, prepay__events_kinds[kind].per_phase ? ph + 1u : 0u);
        memset(&state->channels[ch], 0, sizeof state->channels[ch]);
        state->active_mask &= ~((prepay_events_mask_t)1 << ch);
        state->observing_mask &= ~((prepay_events_mask_t)1 << ch);
    }
    memset(state->records[kind], 0, sizeof state->records[kind]);
    state->next[kind] = 0;
}

int prepay_events_clear(prepay_events_state_t *state, int kind)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (kind < -1 || kind >= (int)PREPAY_EVENTS_KINDS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (kind >= 0) {
        clear_kind(state, (unsigned)kind);
        return PREPAY_OK;
    }
    for (unsigned k = 0; k < PREPAY_EVENTS_KINDS; k++) {
        clear_kind(state, k);
    }
    return PREPAY_OK;
}

int prepay_events_active(const prepay_events_state_t *state, prepay_events_kind_t kind, unsigned phase)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    int ch = prepay__events_channel((unsigned)kind, phase);
    if (ch < 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return (state->channels[ch].flags & PREPAY__EVENTS_ACTIVE) ? 1 : 0;
}

int prepay_events_counts(const prepay_events_state_t *state, prepay_events_kind_t kind, unsigned phase,
                         uint32_t *count, uint32_t *seconds)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (count == NULL || (unsigned)kind >= PREPAY_EVENTS_KINDS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint64_t n = 0, s = 0;
    if (prepay__events_kinds[kind].per_phase && phase == 0) {
        for (unsigned ph = 1; ph <= PREPAY_EVENTS_PHASES; ph++) {
            const prepay_events_channel_t *c = &state->channels[prepay__events_channel((unsigned)kind, ph)];
            n += c->count;
            s += c->seconds;
        }
    } else {
        int ch = prepay__events_channel((unsigned)kind, phase);
        if (ch < 0) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        n = state->channels[ch].count;
        s = state->channels[ch].seconds;
    }
    *count = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    if (seconds != NULL) {
        *seconds = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
    }
    return PREPAY_OK;
}

int prepay_events_record(const prepay_events_state_t *state, prepay_events_kind_t kind, unsigned phase, unsigned n,
                         prepay_events_record_t *out)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (out == NULL || (unsigned)kind >= PREPAY_EVENTS_KINDS || phase > PREPAY_EVENTS_PHASES || n < 1 ||
        n > PREPAY_MAX_EVENT_RECORDS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned seen = 0;
    for (unsigned k = 0; k < PREPAY_MAX_EVENT_RECORDS; k++) {
        unsigned slot = (state->next[kind] + PREPAY_MAX_EVENT_RECORDS - 1u - k) % PREPAY_MAX_EVENT_RECORDS;
        const prepay_events_record_t *r = &state->records[kind][slot];
        if (!r->used) {
            break;
        }
        if (phase != 0 && r->phase != phase) {
            continue;
        }
        if (++seen == n) {
            *out = *r;
            return PREPAY_OK;
        }
    }
    return PREPAY_E_NOT_FOUND;
}

/* ---- active report --------------------------------------------------------------- */

int prepay_events_status_bit(prepay_events_kind_t kind, unsigned phase)
{
    if ((unsigned)kind >= PREPAY_EVENTS_KIND_COUNT) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay__events_kind_info_t *info = &prepay__events_kinds[kind];
    if (info->per_phase) {
        /* Phase groups of 16 bits: A from bit 16, B from 32, C from 48 (State Grid bit table). */
        return (phase >= 1 && phase <= 3) ? (int)(16u * phase + info->status_bit) : PREPAY_E_INVALID_ARGUMENT;
    }
    return phase == 0 ? (int)info->status_bit : PREPAY_E_INVALID_ARGUMENT;
}

int prepay_events_status_kind(unsigned bit, prepay_events_kind_t *kind, unsigned *phase)
{
    if (kind == NULL || phase == NULL || bit >= PREPAY_EVENTS_STATUS_BITS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    for (unsigned k = 0; k < PREPAY_EVENTS_KIND_COUNT; k++) {
        for (unsigned ph = 0; ph <= 3; ph++) {
            if (prepay_events_status_bit((prepay_events_kind_t)k, ph) == (int)bit) {
                *kind = (prepay_events_kind_t)k;
                *phase = ph;
                return PREPAY_OK;
            }
        }
    }
    return PREPAY_E_NOT_FOUND;
}

/* Pending count of each status bit held here (0 for bits without a channel). */
static void pending_by_bit(const prepay_events_state_t *state, uint8_t pending[PREPAY_EVENTS_STATUS_BITS])
{
    memset(pending, 0, PREPAY_EVENTS_STATUS_BITS);
    for (unsigned k = 0; k < PREPAY_EVENTS_KINDS; k++) {
        unsigned first = prepay__events_kinds[k].per_phase ? 1u : 0u;
        unsigned last = prepay__events_kinds[k].per_phase ? PREPAY_EVENTS_PHASES : 0u;
        for (unsigned ph = first; ph <= last; ph++) {
            int bit = prepay_events_status_bit((prepay_events_kind_t)k, ph);
            pending[bit] = state->channels[prepay__events_channel(k, ph)].pending;
        }
    }
}

int prepay_events_status_word(const prepay_events_state_t *state, uint8_t *out, size_t out_cap)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t pending[PREPAY_EVENTS_STATUS_BITS];
    pending_by_bit(state, pending);
    size_t set = 0;
    for (unsigned b = 0; b < PREPAY_EVENTS_STATUS_BITS; b++) {
        set += pending[b] != 0;
    }
    size_t need = PREPAY_EVENTS_STATUS_BYTES + 2u + set;
    if (out_cap < need) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memset(out, 0, PREPAY_EVENTS_STATUS_BYTES);
    size_t at = PREPAY_EVENTS_STATUS_BYTES;
    out[at++] = 0xAA;
    for (unsigned b = 0; b < PREPAY_EVENTS_STATUS_BITS; b++) {
        if (pending[b] != 0) {
            out[b / 8u] = (uint8_t)(out[b / 8u] | (1u << (b % 8u)));
            out[at++] = pending[b];
        }
    }
    out[at++] = 0xAA;
    return (int)at;
}

int prepay_events_status_reset(prepay_events_state_t *state, const uint8_t *data, size_t len)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (data == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (len != PREPAY_EVENTS_STATUS_BYTES) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    for (unsigned k = 0; k < PREPAY_EVENTS_KINDS; k++) {
        unsigned first = prepay__events_kinds[k].per_phase ? 1u : 0u;
        unsigned last = prepay__events_kinds[k].per_phase ? PREPAY_EVENTS_PHASES : 0u;
        for (unsigned ph = first; ph <= last; ph++) {
            unsigned bit = (unsigned)prepay_events_status_bit((prepay_events_kind_t)k, ph);
            if ((data[bit / 8u] & (1u << (bit % 8u))) == 0) {
                state->channels[prepay__events_channel(k, ph)].pending = 0;
            }
        }
    }
    return PREPAY_OK;
}

int prepay_events_status_decode(const uint8_t *data, size_t len, prepay_events_status_t *out)
{
    if (data == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (len < PREPAY_EVENTS_STATUS_BYTES + 2u || data[PREPAY_EVENTS_STATUS_BYTES] != 0xAA) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    size_t set = 0;
    for (unsigned b = 0; b < PREPAY_EVENTS_STATUS_BITS; b++) {
        set += (data[b / 8u] >> (b % 8u)) & 1u;
    }
    if (len != PREPAY_EVENTS_STATUS_BYTES + 2u + set || data[len - 1u] != 0xAA) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    prepay_events_status_t s;
    memset(&s, 0, sizeof s);
    memcpy(s.word, data, PREPAY_EVENTS_STATUS_BYTES);
    size_t at = PREPAY_EVENTS_STATUS_BYTES + 1u;
    for (unsigned b = 0; b < PREPAY_EVENTS_STATUS_BITS; b++) {
        if ((data[b / 8u] >> (b % 8u)) & 1u) {
            s.counts[b] = data[at++];
        }
    }
    *out = s;
    return PREPAY_OK;
}
