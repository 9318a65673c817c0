/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 event items: the meter's replies (prepay_events_read) and the
 * station's decoders. Numbering and layouts: see events_table.c and
 * docs/events.md ("Data identifiers").
 */
#include <string.h>

#include "prepay/bcd.h"
#include "events_internal.h"

static int check_state(const prepay_events_state_t *state)
{
    if (state == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return state->magic == PREPAY__EVENTS_MAGIC ? PREPAY_OK : PREPAY_E_EVENTS_BAD_STATE;
}

/* The kind of a State Grid class (DI3), or -1. */
static int kind_of_class(unsigned cls)
{
    for (unsigned k = 0; k < PREPAY_EVENTS_KIND_COUNT; k++) {
        if (prepay__events_kinds[k].layout == PREPAY__LAYOUT_CLASS && prepay__events_kinds[k].sg_class == cls) {
            return (int)k;
        }
    }
    return -1;
}

/* The kind whose count item is base (03110000, 03300D00 ...), or -1. */
static int kind_of_base(uint32_t base)
{
    for (unsigned k = 0; k < PREPAY_EVENTS_KIND_COUNT; k++) {
        const prepay__events_kind_info_t *info = &prepay__events_kinds[k];
        if (info->layout != PREPAY__LAYOUT_CLASS && prepay__events_base_di(info) == base) {
            return (int)k;
        }
    }
    return -1;
}

static int finish(const prepay__events_writer_t *w)
{
    return w->status != PREPAY_OK ? w->status : (int)w->at;
}

/* The fields of the non-class record layouts, in wire order: a datetime (start, end), a 4-byte BCD
 * register (at the start, at the end, or 0: the four reactive quadrants this meter does not
 * keep) or a 4-byte little-endian word (operator code, the DI programmed, FFFFFFFF: unused).
 * One row per layout, entries field | repeat << 4, ending at 0. A table, not a switch of call
 * sequences: it is flash on a meter. */
enum { F_START, F_END, F_FORWARD, F_REVERSE, F_END_FORWARD, F_END_REVERSE, F_ZERO, F_OPERATOR, F_DETAIL, F_UNUSED };
#define ONCE(field) ((field) | 1u << 4)
#define TIMES(field, n) ((field) | (n) << 4)

static const uint8_t layout_fields[5][9] = {
    /* START_END (031100nn): start, end */
    {ONCE(F_START), ONCE(F_END)},
    /* COVER (03300Dnn): start, end, forward, reverse active and the four reactive quadrants before, then after */
    {ONCE(F_START), ONCE(F_END), ONCE(F_FORWARD), ONCE(F_REVERSE), TIMES(F_ZERO, 4), ONCE(F_END_FORWARD),
     ONCE(F_END_REVERSE), TIMES(F_ZERO, 4)},
    /* MAGNETIC (033500nn): start, end, forward and reverse at the start, then at the end */
    {ONCE(F_START), ONCE(F_END), ONCE(F_FORWARD), ONCE(F_REVERSE), ONCE(F_END_FORWARD), ONCE(F_END_REVERSE)},
    /* PROGRAMMING (033000nn): time, operator, the DIs programmed (one per record here; unused slots FFFFFFFF) */
    {ONCE(F_START), ONCE(F_OPERATOR), ONCE(F_DETAIL), TIMES(F_UNUSED, 9)},
    /* CLOCK (033004nn): operator, time before, time after */
    {ONCE(F_OPERATOR), ONCE(F_START), ONCE(F_END)},
};

#undef ONCE
#undef TIMES

/* A record of the non-class layouts; n-th last of the kind (absent: zeros). */
static int put_record(const prepay_events_state_t *state, unsigned kind, unsigned n, prepay__events_writer_t *w)
{
    const prepay__events_kind_info_t *info = &prepay__events_kinds[kind];
    prepay_events_record_t r;
    if (n > PREPAY_MAX_EVENT_RECORDS ||
        prepay_events_record(state, (prepay_events_kind_t)kind, 0, n, &r) != PREPAY_OK) {
        memset(&r, 0, sizeof r);
    }
    /* Values of the fields from F_FORWARD on. */
    const uint32_t words[] = {r.forward_start, r.reverse_start, prepay__events_end_forward(&r),
                              prepay__events_end_reverse(&r), 0, r.operator_code, r.used ? r.detail : 0xFFFFFFFFu,
                              0xFFFFFFFFu};
    unsigned layout = info->layout;
    if (layout < PREPAY__LAYOUT_START_END || layout > PREPAY__LAYOUT_PROGRAMMING) {
        layout = PREPAY__LAYOUT_CLOCK;
    }
    for (const uint8_t *f = layout_fields[layout - 1u]; *f != 0; f++) {
        unsigned field = *f & 0x0Fu;
        for (unsigned k = *f >> 4; k > 0; k--) {
            if (field <= F_END) {
                prepay__events_put_datetime(w, field == F_START ? r.start : r.end);
            } else if (field < F_OPERATOR) {
                prepay__events_put_bcd(w, 4, words[field - F_FORWARD]);
            } else {
                prepay__events_put_le32(w, words[field - F_FORWARD]);
            }
        }
    }
    return finish(w);
}

/* A.4 totals: per phase (count, minutes) x 3 for per-phase kinds, (count, minutes) otherwise. */
static int put_totals(const prepay_events_state_t *state, unsigned kind, prepay__events_writer_t *w)
{
    if (prepay__events_kinds[kind].per_phase) {
        for (unsigned ph = 1; ph <= 3; ph++) {
            uint32_t count = 0, seconds = 0;
            if (ph <= PREPAY_EVENTS_PHASES) {
                (void)prepay_events_counts(state, (prepay_events_kind_t)kind, ph, &count, &seconds);
            }
            prepay__events_put_bcd(w, 3, count);
            prepay__events_put_bcd(w, 3, prepay__events_minutes(seconds));
        }
    } else {
        uint32_t count = 0, seconds = 0;
        (void)prepay_events_counts(state, (prepay_events_kind_t)kind, 0, &count, &seconds);
        prepay__events_put_bcd(w, 3, count);
        prepay__events_put_bcd(w, 3, prepay__events_minutes(seconds));
    }
    return finish(w);
}

/* State Grid class item: DI2 phase (00 = any / sum), DI1 item, DI0 count/time or last n. */
static int put_class_item(const prepay_events_state_t *state, unsigned kind, uint32_t di, prepay__events_writer_t *w)
{
    const prepay__events_kind_info_t *info = &prepay__events_kinds[kind];
    unsigned phase = (di >> 16) & 0xFFu;
    unsigned item = (di >> 8) & 0xFFu;
    unsigned n = di & 0xFFu;
    if (info->per_phase ? phase > 3u : phase != 0u) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    if (phase > PREPAY_EVENTS_PHASES) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    if (item == 0 && (n == 1 || n == 2)) {
        uint32_t count = 0, seconds = 0;
        (void)prepay_events_counts(state, (prepay_events_kind_t)kind, phase, &count, &seconds);
        prepay__events_put_bcd(w, 3, n == 1 ? count : prepay__events_minutes(seconds));
        return finish(w);
    }
    if ((item == 1 || item == info->end_item) && n >= 1 && n <= 10) {
        prepay_events_record_t r;
        if (n > PREPAY_MAX_EVENT_RECORDS ||
            prepay_events_record(state, (prepay_events_kind_t)kind, phase, n, &r) != PREPAY_OK) {
            memset(&r, 0, sizeof r);
        }
        prepay__events_put_datetime(w, item == 1 ? r.start : r.end);
        return finish(w);
    }
    return PREPAY_E_EVENTS_UNKNOWN_DI;
}

int prepay_events_read(const prepay_events_state_t *state, uint32_t di, uint8_t *out, size_t out_cap)
{
    int status = check_state(state);
    if (status != PREPAY_OK) {
        return status;
    }
    if (out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__events_writer_t w = {out, out_cap, 0, PREPAY_OK};
    if (di == PREPAY_EVENTS_DI_STATUS_WORD) {
        return prepay_events_status_word(state, out, out_cap);
    }
    unsigned di3 = di >> 24;
    if (di3 >= 0x10u && di3 <= 0x20u) {
        int kind = kind_of_class(di3);
        if (kind < 0 || (unsigned)kind >= PREPAY_EVENTS_KINDS) {
            return PREPAY_E_EVENTS_UNKNOWN_DI;
        }
        return put_class_item(state, (unsigned)kind, di, &w);
    }
    if (di3 != 0x03u) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    for (unsigned k = 0; k < PREPAY_EVENTS_KINDS; k++) {
        unsigned item = prepay__events_kinds[k].totals_item;
        if (item != 0 && di == (0x03000000u | ((uint32_t)item << 16))) {
            return put_totals(state, k, &w);
        }
    }
    int kind = kind_of_base(di & 0xFFFFFF00u);
    if (kind < 0 || (unsigned)kind >= PREPAY_EVENTS_KINDS) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    unsigned n = di & 0xFFu;
    if (n == 0) {
        uint32_t count = 0;
        (void)prepay_events_counts(state, (prepay_events_kind_t)kind, 0, &count, NULL);
        prepay__events_put_bcd(&w, 3, count);
        return finish(&w);
    }
    if (n > 10) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    return put_record(state, (unsigned)kind, n, &w);
}

static bool kind_phase_ok(prepay_events_kind_t kind, unsigned phase)
{
    if ((unsigned)kind >= PREPAY_EVENTS_KIND_COUNT) {
        return false;
    }
    return prepay__events_kinds[kind].per_phase ? (phase >= 1 && phase <= 3) : phase == 0;
}

int64_t prepay_events_count_di(prepay_events_kind_t kind, unsigned phase)
{
    if (!kind_phase_ok(kind, phase)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay__events_kind_info_t *info = &prepay__events_kinds[kind];
    if (info->layout == PREPAY__LAYOUT_CLASS) {
        return (int64_t)(((uint32_t)info->sg_class << 24) | ((uint32_t)phase << 16) | 0x0001u);
    }
    return (int64_t)prepay__events_base_di(info);
}

static int64_t record_item(prepay_events_kind_t kind, unsigned phase, unsigned n, bool end)
{
    if (!kind_phase_ok(kind, phase) || n < 1 || n > 10) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay__events_kind_info_t *info = &prepay__events_kinds[kind];
    if (info->layout == PREPAY__LAYOUT_CLASS) {
        uint32_t item = end ? info->end_item : 1u;
        return (int64_t)(((uint32_t)info->sg_class << 24) | ((uint32_t)phase << 16) | (item << 8) | n);
    }
    return (int64_t)(prepay__events_base_di(info) | n);
}

int64_t prepay_events_record_di(prepay_events_kind_t kind, unsigned phase, unsigned n)
{
    return record_item(kind, phase, n, false);
}

int64_t prepay_events_record_end_di(prepay_events_kind_t kind, unsigned phase, unsigned n)
{
    return record_item(kind, phase, n, true);
}

int prepay_events_decode_count(const uint8_t *data, size_t len, uint32_t *count)
{
    if (data == NULL || count == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint64_t v;
    if (len != 3 || prepay_bcd_decode(data, 3, &v) != PREPAY_OK) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    *count = (uint32_t)v;
    return PREPAY_OK;
}

static int get_bcd32(const uint8_t *in, uint32_t *out)
{
    uint64_t v;
    if (prepay_bcd_decode(in, 4, &v) != PREPAY_OK) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    *out = (uint32_t)v;
    return PREPAY_OK;
}

static uint32_t get_le32(const uint8_t *in)
{
    return (uint32_t)in[0] | ((uint32_t)in[1] << 8) | ((uint32_t)in[2] << 16) | ((uint32_t)in[3] << 24);
}

int prepay_events_decode_record(prepay_events_kind_t kind, const uint8_t *data, size_t len, const uint8_t *end_data,
                                size_t end_len, prepay_events_record_t *out)
{
    if (data == NULL || out == NULL || (unsigned)kind >= PREPAY_EVENTS_KIND_COUNT) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay__events_kind_info_t *info = &prepay__events_kinds[kind];
    prepay_events_record_t r;
    memset(&r, 0, sizeof r);
    size_t need = info->layout == PREPAY__LAYOUT_CLASS ? 6u : info->record_len;
    if (len != need) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    int st = PREPAY_OK;
    switch (info->layout) {
    case PREPAY__LAYOUT_CLASS:
        st = prepay__events_get_datetime(data, &r.start);
        if (st == PREPAY_OK && end_data != NULL) {
            st = end_len == 6 ? prepay__events_get_datetime(end_data, &r.end) : PREPAY_E_EVENTS_BAD_DATA;
        }
        break;
    case PREPAY__LAYOUT_START_END:
        st = prepay__events_get_datetime(data, &r.start);
        if (st == PREPAY_OK) {
            st = prepay__events_get_datetime(data + 6, &r.end);
        }
        break;
    case PREPAY__LAYOUT_COVER:
    case PREPAY__LAYOUT_MAGNETIC: {
        size_t after = info->layout == PREPAY__LAYOUT_COVER ? 36u : 20u;
        st = prepay__events_get_datetime(data, &r.start);
        if (st == PREPAY_OK) {
            st = prepay__events_get_datetime(data + 6, &r.end);
        }
        if (st == PREPAY_OK) {
            st = get_bcd32(data + 12, &r.forward_start);
        }
        if (st == PREPAY_OK) {
            st = get_bcd32(data + 16, &r.reverse_start);
        }
        uint32_t forward_end = 0, reverse_end = 0;
        if (st == PREPAY_OK) {
            st = get_bcd32(data + after, &forward_end);
        }
        if (st == PREPAY_OK) {
            st = get_bcd32(data + after + 4, &reverse_end);
        }
        prepay__events_set_end(&r, forward_end, reverse_end);
        break;
    }
    case PREPAY__LAYOUT_PROGRAMMING:
        st = prepay__events_get_datetime(data, &r.start);
        r.end = r.start;
        r.operator_code = get_le32(data + 6);
        r.detail = get_le32(data + 10);
        break;
    default: /* PREPAY__LAYOUT_CLOCK */
        r.operator_code = get_le32(data);
        st = prepay__events_get_datetime(data + 4, &r.start);
        if (st == PREPAY_OK) {
            st = prepay__events_get_datetime(data + 10, &r.end);
        }
        break;
    }
    if (st != PREPAY_OK) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    r.used = r.start != 0 ? 1u : 0u;
    *out = r;
    return PREPAY_OK;
}
