/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: the load-record ring (DL/T 645-2007 class 06 负荷记录).
 *
 * At each whole minute of the meter clock a record is appended to the
 * caller-owned ring (prepay_meter_attach_load_ring()) holding the classes
 * whose interval grid, anchored at the start time, falls on that minute:
 * class 1 voltages, currents, frequency; 2 active power (reactive power: not
 * measured, sent as FF); 3 power factors; 4 forward and reverse active energy
 * (the combined reactive registers: FF); 5 quadrant reactive energy (FF);
 * 6 the current active demand (reactive demand: FF). Nothing is recorded
 * while the meter is powered down or the clock jumps: the curve has a gap.
 *
 * Reads `06 cc 00 mm` (earliest N, N from a time, latest N) are answered
 * with the byte layout of prepay_load_record_encode() (the station's decoder,
 * src/protocol/dlt645_load_record.c, reads it back); an answer longer than
 * one frame (200 data bytes, DL/T 645-2007 clause 7.1) is sent as a 91/B1
 * reply and 92/B2 follow-up replies to read-follow-up requests (function 12,
 * SEQ 1, 2, ...), regenerated from the first record's time each time so the
 * meter keeps only a few bytes of read state.
 *
 * The meter reaches this code only through the table that
 * prepay_meter_attach_load_ring() puts in the ring (meter_internal.h): a
 * firmware that never attaches a ring does not link it (--gc-sections). The
 * parameters (04000901, 04000A01..07) are in meter_load_profile.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/load_record.h"
#include "meter_internal.h"

#if PREPAY_METER_LOAD_RECORDS

#define ALL_CLASSES 0x3Fu
/* Data bytes of one frame: DL/T 645-2007 clause 7.1 limits a read reply's data to 200. */
#define FRAME_DATA (PREPAY_DLT645_MAX_DATA < 200 ? PREPAY_DLT645_MAX_DATA : 200)

/* ---- recording --------------------------------------------------------------------------- */

/* The instant quantities and the demand are 32-bit (or narrower): compared in 32 bits. */
static PREPAY__ONE_COPY int32_t clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* An energy register as the XXXXXX.XX kWh field holds it: 10 Wh steps, rolling over at 10^6 kWh.
 * (wh / 10) % 10^8 * 10 == (wh % 10^9) / 10 * 10 for wh >= 0: one 64-bit division. */
static PREPAY__ONE_COPY prepay_energy_t register_wh(prepay_energy_t wh)
{
    return wh < 0 ? 0 : (prepay_energy_t)((uint32_t)(wh % 1000000000) / 10u * 10u);
}

/* What this meter does not measure, in the classes recorded, is sent as FF. */
static uint32_t not_measured(uint8_t classes)
{
    uint32_t absent = 0;
    if (classes & 0x02u) {
        absent |= PREPAY_LOAD_FIELD_REACTIVE_POWER(0) | PREPAY_LOAD_FIELD_REACTIVE_POWER(1) |
                  PREPAY_LOAD_FIELD_REACTIVE_POWER(2) | PREPAY_LOAD_FIELD_REACTIVE_POWER(3);
    }
    if (classes & 0x08u) {
        absent |= PREPAY_LOAD_FIELD_ENERGY(2) | PREPAY_LOAD_FIELD_ENERGY(3);
    }
    if (classes & 0x10u) {
        absent |= PREPAY_LOAD_FIELD_QUADRANT(0) | PREPAY_LOAD_FIELD_QUADRANT(1) | PREPAY_LOAD_FIELD_QUADRANT(2) |
                  PREPAY_LOAD_FIELD_QUADRANT(3);
    }
    if (classes & 0x20u) {
        absent |= PREPAY_LOAD_FIELD_REACTIVE_DEMAND;
    }
    return absent;
}

/* Keeps the values of `classes` only (a record's other values are 0, as the decoder leaves them). */
static void keep_classes(prepay_load_record_t *r, uint8_t classes)
{
    if (!(classes & 0x01u)) {
        memset(r->voltage_decivolt, 0, sizeof r->voltage_decivolt);
        memset(r->current_milliamp, 0, sizeof r->current_milliamp);
        r->frequency_centihertz = 0;
    }
    if (!(classes & 0x02u)) {
        memset(r->active_power_deciwatt, 0, sizeof r->active_power_deciwatt);
        memset(r->reactive_power_decivar, 0, sizeof r->reactive_power_decivar);
    }
    if (!(classes & 0x04u)) {
        memset(r->power_factor_milli, 0, sizeof r->power_factor_milli);
    }
    if (!(classes & 0x08u)) {
        r->forward_active_wh = r->reverse_active_wh = 0;
        memset(r->combined_reactive_varh, 0, sizeof r->combined_reactive_varh);
    }
    if (!(classes & 0x10u)) {
        memset(r->quadrant_reactive_varh, 0, sizeof r->quadrant_reactive_varh);
    }
    if (!(classes & 0x20u)) {
        r->active_demand_deciwatt = r->reactive_demand_decivar = 0;
    }
    r->classes = classes;
    r->absent = not_measured(classes);
}

static void snapshot(const prepay_meter_t *meter, prepay_time_t t, uint8_t classes, prepay_load_record_t *r)
{
    const prepay_meter_instant_t *in = &meter->instant;
    memset(r, 0, sizeof *r);
    r->time = t;
    r->classes = classes;
    for (unsigned i = 0; i < PREPAY_METER_PHASES; i++) { /* phases a single-phase build lacks stay 0 */
        r->voltage_decivolt[i] = clamp(in->voltage[i], 0, 9999);
        r->current_milliamp[i] = clamp(in->current[i], -799999, 799999);
    }
    r->frequency_centihertz = clamp(in->frequency, 0, 9999);
    for (unsigned i = 0; i <= PREPAY_METER_PHASES; i++) {
        r->active_power_deciwatt[i] = clamp(in->power[i], -799999, 799999);
        r->power_factor_milli[i] = clamp(in->power_factor[i], -7999, 7999);
    }
    r->forward_active_wh = register_wh(meter->forward[0]);
    r->reverse_active_wh = register_wh(meter->reverse[0]);
#if PREPAY_METER_DEMAND
    r->active_demand_deciwatt = clamp(meter->demand.current, -799999, 799999);
#else
    r->active_demand_deciwatt = 0; /* no demand kept (PREPAY_METER_DEMAND 0) */
#endif
    keep_classes(r, classes);
}

static void ring_minute(prepay_meter_t *meter, prepay_time_t t)
{
    prepay_meter_load_ring_t *ring = meter->load_ring;
    prepay_meter_load_profile_t *p = &meter->load_profile;
    if (ring == NULL || ring->records == NULL || ring->capacity == 0 || (p->mode & ALL_CLASSES) == 0 ||
        (meter->conditions & (1u << PREPAY_METER_CONDITION_POWER_DOWN)) != 0 || t < p->start || t <= p->last) {
        return;
    }
    if ((t - p->start) % 60 != 0 || t - p->start > (prepay_time_t)UINT32_MAX * 60) {
        return;
    }
    uint32_t minutes = (uint32_t)((t - p->start) / 60); /* 32-bit remainders below: cheap on a Cortex-M */
    uint8_t classes = 0;
    for (unsigned k = 0; k < PREPAY_LOAD_RECORD_CLASSES; k++) {
        if ((p->mode >> k) & 1u && minutes % p->interval[k] == 0) {
            classes = (uint8_t)(classes | (1u << k));
        }
    }
    if (classes == 0) {
        return;
    }
    size_t index;
    if (ring->count < ring->capacity) {
        index = (ring->first + ring->count) % ring->capacity;
        ring->count++;
    } else {
        index = ring->first; /* full: the oldest goes */
        ring->first = (ring->first + 1u) % ring->capacity;
    }
    snapshot(meter, t, classes, &ring->records[index]);
    p->last = t;
}

/* Whether records are kept at all now (what prepay__meter_profile_minute() checks first). */
static bool recording(const prepay_meter_t *meter)
{
    const prepay_meter_load_ring_t *ring = meter->load_ring;
    return ring != NULL && ring->records != NULL && ring->capacity != 0 && (meter->load_profile.mode & ALL_CLASSES) != 0 &&
           (meter->conditions & (1u << PREPAY_METER_CONDITION_POWER_DOWN)) == 0;
}

/* The first record instant of class k after `after` (the instants are start + n x interval). */
static PREPAY__ONE_COPY prepay_time_t class_next(const prepay_meter_load_profile_t *p, unsigned k,
                                                 prepay_time_t after)
{
    int64_t step = (int64_t)p->interval[k] * 60;
    if (after < p->start) {
        return p->start;
    }
    int64_t n = (after - p->start) / step + 1;
    if (n > (INT64_MAX - p->start) / step) {
        return INT64_MAX;
    }
    return p->start + n * step;
}

static prepay_time_t ring_stop(const prepay_meter_t *meter, prepay_time_t t, prepay_time_t end,
                               prepay_time_t *skip_until)
{
    const prepay_meter_load_profile_t *p = &meter->load_profile;
    *skip_until = t;
    if (!recording(meter)) {
        return INT64_MAX;
    }
    prepay_time_t after = t > p->last ? t : p->last;
    prepay_time_t next = INT64_MAX;
    unsigned interval = 0;
    bool single = true;
    for (unsigned k = 0; k < PREPAY_LOAD_RECORD_CLASSES; k++) {
        if (!((p->mode >> k) & 1u)) {
            continue;
        }
        if (interval != 0 && p->interval[k] != interval) {
            single = false;
        }
        interval = p->interval[k];
        prepay_time_t c = class_next(p, k, after);
        if (c < next) {
            next = c;
        }
    }
    /* Beyond this, prepay__meter_profile_minute() records nothing (32-bit minute count). */
    if (next == INT64_MAX || next - p->start > (prepay_time_t)UINT32_MAX * 60) {
        return INT64_MAX;
    }
    if (!single || next > end) {
        return next;
    }
    /* One interval for every class: records fall at next + n x step. Those that the last
     * `capacity` records of this advance overwrite need not be written at all. */
    int64_t step = (int64_t)interval * 60;
    int64_t due = (end - next) / step + 1;
    int64_t capacity = (int64_t)meter->load_ring->capacity;
    if (due <= capacity) {
        return next;
    }
    prepay_time_t stop = next + (due - capacity) * step;
    if (stop - p->start > (prepay_time_t)UINT32_MAX * 60) {
        return next;
    }
    *skip_until = stop;
    return stop;
}

static void ring_skip(prepay_meter_t *meter, prepay_time_t t, prepay_time_t until)
{
    prepay_meter_load_profile_t *p = &meter->load_profile;
    prepay_meter_load_ring_t *ring = meter->load_ring;
    if (until <= t || !recording(meter)) {
        return;
    }
    prepay_time_t after = t > p->last ? t : p->last;
    unsigned k = 0;
    while (!((p->mode >> k) & 1u)) {
        k++;
    }
    int64_t step = (int64_t)p->interval[k] * 60;
    prepay_time_t first = class_next(p, k, after);
    if (first >= until) {
        return;
    }
    int64_t n = (until - 1 - first) / step + 1; /* instants first, first + step, ... < until */
    /* As n calls of prepay__meter_profile_minute() would move the ring (their slots are all
     * written again before this advance ends: see prepay__meter_profile_stop()). */
    int64_t room = (int64_t)(ring->capacity - ring->count);
    int64_t grow = n < room ? n : room;
    ring->count += (size_t)grow;
    ring->first = (size_t)(((int64_t)ring->first + (n - grow)) % (int64_t)ring->capacity);
    p->last = first + (n - 1) * step;
}

/* ---- selection ------------------------------------------------------------------------------ */

static PREPAY__ONE_COPY const prepay_load_record_t *ring_at(const prepay_meter_load_ring_t *ring, size_t i)
{
    return &ring->records[(ring->first + i) % ring->capacity];
}

static bool usable(const prepay_meter_load_ring_t *ring)
{
    return ring != NULL && ring->records != NULL && ring->capacity > 0 && ring->count <= ring->capacity &&
           ring->first < ring->capacity;
}

static bool holds(const prepay_load_record_t *r, unsigned cls)
{
    return cls == 0 ? (r->classes & ALL_CLASSES) != 0 : ((r->classes >> (cls - 1u)) & 1u) != 0;
}

/* The time of the first record of the answer; false if there is none. */
static bool first_time(const prepay_meter_load_ring_t *ring, unsigned cls, prepay_load_record_mode_t mode,
                       unsigned count, prepay_time_t from, prepay_time_t *first)
{
    if (!usable(ring)) {
        return false;
    }
    if (mode == PREPAY_LOAD_RECORD_LATEST) {
        unsigned seen = 0;
        for (size_t i = ring->count; i > 0 && seen < count; i--) {
            const prepay_load_record_t *r = ring_at(ring, i - 1u);
            if (holds(r, cls)) {
                *first = r->time;
                seen++;
            }
        }
        return seen > 0;
    }
    for (size_t i = 0; i < ring->count; i++) {
        const prepay_load_record_t *r = ring_at(ring, i);
        if (holds(r, cls) && (mode == PREPAY_LOAD_RECORD_EARLIEST || r->time >= from)) {
            *first = r->time;
            return true;
        }
    }
    return false;
}

/* Visits the records of an answer: the first `count` holding the class from `first` on. */
typedef int (*visit_fn)(void *context, const prepay_load_record_t *record);

static int each_record(const prepay_meter_load_ring_t *ring, unsigned cls, unsigned count, prepay_time_t first,
                       visit_fn visit, void *context)
{
    unsigned seen = 0;
    for (size_t i = 0; i < ring->count && seen < count; i++) {
        const prepay_load_record_t *r = ring_at(ring, i);
        if (!holds(r, cls) || r->time < first) {
            continue;
        }
        prepay_load_record_t copy = *r;
        if (cls != 0) {
            keep_classes(&copy, (uint8_t)(1u << (cls - 1u))); /* a one-class read carries that class only */
        }
        int status = visit(context, &copy);
        if (status != PREPAY_OK) {
            return status;
        }
        seen++;
    }
    return PREPAY_OK;
}

/* The bytes [offset, offset + cap) of an answer, and its total length. */
typedef struct window {
    size_t offset, cap;
    uint8_t *out;
    size_t at;     /* answer bytes passed so far */
    size_t copied; /* bytes written to out */
} window_t;

static int to_window(void *context, const prepay_load_record_t *record)
{
    window_t *w = context;
    uint8_t buf[PREPAY_LOAD_RECORD_FULL_SIZE];
    int n = prepay_load_record_encode(record, buf, sizeof buf);
    if (n < 0) {
        return n;
    }
    size_t len = (size_t)n;
    size_t lo = w->offset > w->at ? w->offset - w->at : 0u;
    for (size_t i = lo; i < len && w->at + i < w->offset + w->cap; i++) {
        w->out[w->copied++] = buf[i];
    }
    w->at += len;
    return PREPAY_OK;
}

static int answer(const prepay_meter_t *meter, unsigned cls, unsigned count, prepay_time_t first, size_t offset,
                  uint8_t *out, size_t cap, size_t *copied, size_t *total)
{
    window_t w = {offset, cap, out, 0, 0};
    int status = each_record(meter->load_ring, cls, count, first, to_window, &w);
    *copied = w.copied;
    *total = w.at;
    return status;
}

/* ---- the DL/T 645 reads -------------------------------------------------------------------------- */

/* ---- the DL/T 645 reads -------------------------------------------------------------------------- */

/* A class-06 read whose DI and request prepay__meter_load_read() has checked: cls, mode, count, from. */
static int ring_read(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const prepay__meter_reply_t *r,
                     unsigned cls, prepay_load_record_mode_t mode, unsigned count, prepay_time_t from)
{
    prepay_meter_load_profile_t *p = &meter->load_profile;
    prepay_time_t first = 0;
    if (!first_time(meter->load_ring, cls, mode, count, from, &first)) {
        return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_NO_DATA);
    }
    uint8_t data[FRAME_DATA];
    memcpy(data, req->data, 4);
    size_t copied = 0, total = 0;
    int status = answer(meter, cls, count, first, 0, data + 4, FRAME_DATA - 4u, &copied, &total);
    if (status != PREPAY_OK) {
        return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_NO_DATA);
    }
    bool more = total > copied;
    int n = prepay__meter_reply(r, more ? PREPAY__METER_REPLY_FOLLOW_UP : 0u, data, 4u + copied);
    if (n > 0 && more) {
        p->read_di = req->di;
        p->read_count = (uint8_t)count;
        p->read_seq = 1;
        p->read_from = first;
        p->read_offset = (uint32_t)copied;
    }
    return n;
}

static int ring_follow_up(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const prepay__meter_reply_t *r)
{
    prepay_meter_load_profile_t *p = &meter->load_profile;
    unsigned cls = 0;
    prepay_load_record_mode_t mode;
    prepay_time_t first = 0;
    if (req->length != 5 || p->read_di == 0 || req->di != p->read_di || req->data[4] != p->read_seq ||
        prepay_load_record_parse_di(p->read_di, &cls, &mode) != PREPAY_OK ||
        !first_time(meter->load_ring, cls, PREPAY_LOAD_RECORD_FROM_TIME, 1, p->read_from, &first) ||
        first != p->read_from) {
        /* not the frame expected next, or the records were overwritten since the first frame */
        p->read_di = 0;
        return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_NO_DATA);
    }
    uint8_t data[FRAME_DATA];
    memcpy(data, req->data, 4);
    size_t copied = 0, total = 0;
    int status = answer(meter, cls, p->read_count, p->read_from, p->read_offset, data + 4, FRAME_DATA - 5u, &copied,
                        &total);
    if (status != PREPAY_OK || copied == 0) {
        p->read_di = 0;
        return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_NO_DATA);
    }
    data[4u + copied] = p->read_seq;
    bool more = p->read_offset + copied < total && p->read_seq < UINT8_MAX;
    int n = prepay__meter_reply(r, more ? PREPAY__METER_REPLY_FOLLOW_UP : 0u, data, 5u + copied);
    if (n > 0) {
        p->read_offset += (uint32_t)copied;
        p->read_seq++;
        if (!more) {
            p->read_di = 0;
        }
    }
    return n;
}

static const prepay__meter_ring_ops_t ring_ops = {
    .minute = ring_minute,
    .stop = ring_stop,
    .skip = ring_skip,
    .read = ring_read,
    .follow_up = ring_follow_up,
};

/* ---- public --------------------------------------------------------------------------------------- */

int prepay_meter_attach_load_ring(prepay_meter_t *meter, prepay_meter_load_ring_t *ring)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (ring != NULL && !usable(ring)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (ring != NULL) {
        ring->ops = &ring_ops;
    }
    meter->load_ring = ring;
    meter->load_profile.read_di = 0;
    return PREPAY_OK;
}

typedef struct collect {
    prepay_load_record_t *out;
    size_t cap, count;
} collect_t;

static int to_array(void *context, const prepay_load_record_t *record)
{
    collect_t *c = context;
    if (c->count >= c->cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    c->out[c->count++] = *record;
    return PREPAY_OK;
}

int prepay_meter_load_records(const prepay_meter_t *meter, uint32_t di, unsigned count, prepay_time_t from,
                              prepay_load_record_t *out, size_t out_cap, size_t *written)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    unsigned cls = 0;
    prepay_load_record_mode_t mode;
    prepay_time_t first = 0;
    if (written == NULL || (out == NULL && out_cap > 0) || count == 0 || count > 255) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    status = prepay_load_record_parse_di(di, &cls, &mode);
    if (status != PREPAY_OK) {
        return status;
    }
    if (!first_time(meter->load_ring, cls, mode, count, from, &first)) {
        return PREPAY_E_NOT_FOUND;
    }
    collect_t c = {out, out_cap, 0};
    status = each_record(meter->load_ring, cls, count, first, to_array, &c);
    if (status == PREPAY_OK) {
        *written = c.count;
    }
    return status;
}

#else /* PREPAY_METER_LOAD_RECORDS 0: the meter keeps no load records (config_default.h). */

int prepay_meter_attach_load_ring(prepay_meter_t *meter, prepay_meter_load_ring_t *ring)
{
    int status = prepay__meter_check(meter);
    return status != PREPAY_OK || ring == NULL ? status : PREPAY_E_NOT_FOUND;
}

int prepay_meter_load_records(const prepay_meter_t *meter, uint32_t di, unsigned count, prepay_time_t from,
                              prepay_load_record_t *out, size_t out_cap, size_t *written)
{
    (void)di, (void)from;
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (written == NULL || (out == NULL && out_cap > 0) || count == 0 || count > 255) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return PREPAY_E_NOT_FOUND;
}

#endif

/* One initialiser for both configurations: only the ops differ (none when the meter keeps no
 * load records, so no meter will take the ring). */
int prepay_meter_load_ring_init(prepay_meter_load_ring_t *ring, prepay_load_record_t *records, size_t capacity)
{
    if (ring == NULL || records == NULL || capacity == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    ring->records = records;
    ring->capacity = capacity;
    ring->first = 0;
    ring->count = 0;
#if PREPAY_METER_LOAD_RECORDS
    ring->ops = &ring_ops;
#else
    ring->ops = NULL;
#endif
    return PREPAY_OK;
}
