/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: the state file's bytes (format 2, docs/emulator.md "State
 * file"). Every field is written explicitly, little-endian, by one visitor
 * that both encodes and decodes, so the two cannot drift apart. Decoding
 * trusts nothing: the format, the version, this build's dimensions, this
 * site's fingerprint, the exact length and the checksum are checked first;
 * then every meter is decoded into scratch copies and checked member by
 * member (prepay_meter_check_state) and against the site (its address, its
 * events); only when all of it holds is anything applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

static const char state_magic[9] = {'P', 'R', 'E', 'P', 'A', 'Y', 'E', 'M', 'U'};
/* Format 3 adds, per meter, the maximum-demand state, the load-record
 * parameters and the load records (variable length); format 2 files still
 * load (their meters start with an empty curve and fresh demand). */
/* Format 4 adds, after the events, the CJ/T 188 water meters (docs/emulator.md); formats 2 and 3
 * still load (their water meters start again from the site file). */
#define STATE_VERSION '4'
#define STATE_VERSION_3 '3'
#define STATE_VERSION_2 '2'

/* Dimensions that shape a meter record; a file from a build configured
 * otherwise is refused by name. */
enum { DIM_TARIFFS, DIM_EVENT_KINDS, DIM_RECORDS, DIM_FROZEN_DAYS, DIM_SETTLEMENTS, DIM_PRICE_SETS, DIM_TARIFF_INDEX,
       DIM_COUNT };
static const char *const dim_names[DIM_COUNT] = {
    "PREPAY_METER_TARIFFS",  "event kinds (PREPAY_METER_EVENT_COUNT)", "PREPAY_METER_EVENT_RECORDS",
    "PREPAY_METER_FROZEN_DAYS", "PREPAY_METER_SETTLEMENTS", "PREPAY_TARIFF_PRICE_SETS", "PREPAY_MAX_TARIFF_INDEX"};
static const uint16_t this_build[DIM_COUNT] = {
    PREPAY_METER_TARIFFS,     PREPAY_METER_EVENT_COUNT, PREPAY_METER_EVENT_RECORDS, PREPAY_METER_FROZEN_DAYS,
    PREPAY_METER_SETTLEMENTS, PREPAY_TARIFF_PRICE_SETS, PREPAY_MAX_TARIFF_INDEX};

/* magic, version, dimensions, fingerprint, meter count, event count, site time */
#define HEADER_SIZE (sizeof state_magic + 1 + 2 * DIM_COUNT + 8 + 8 + 8 + 8)
/* Format 3: after the header, the dimensions of the new sections. */
enum { DIM3_DEMAND_MINUTES, DIM3_LOAD_RECORDS, DIM3_COUNT };
static const char *const dim3_names[DIM3_COUNT] = {"PREPAY_METER_DEMAND_MINUTES", "EMU_LOAD_RECORDS"};
static const uint16_t this_build3[DIM3_COUNT] = {PREPAY_METER_DEMAND_MINUTES, EMU_LOAD_RECORDS};
#define HEADER3_SIZE (HEADER_SIZE + 2 * DIM3_COUNT)
#define CHECKSUM_SIZE 8

/* ---- the visitor --------------------------------------------------------- */

typedef enum { MEASURE, ENCODE, DECODE } direction_t;

typedef struct codec {
    direction_t direction;
    uint8_t *bytes;       /* ENCODE: output */
    const uint8_t *in;    /* DECODE: input */
    size_t at;
    size_t len;           /* DECODE: bytes at `in` (reads past it fail, see `bad`) */
    int version;          /* format being read or written */
    prepay_load_record_t *store; /* DECODE: where a meter's records go (NULL: check only) */
    const char *bad;      /* DECODE: first fault found, or NULL */
} codec_t;

static void raw(codec_t *c, void *value, size_t n)
{
    if (c->direction == ENCODE) {
        memcpy(c->bytes + c->at, value, n);
    } else if (c->direction == DECODE) {
        if (c->at > c->len || n > c->len - c->at) {
            memset(value, 0, n);
            if (!c->bad) {
                c->bad = "truncated";
            }
            c->at = c->len;
            return;
        }
        memcpy(value, c->in + c->at, n);
    }
    c->at += n;
}

static void u_le(codec_t *c, uint64_t *value, size_t n)
{
    uint8_t b[8];
    if (c->direction == ENCODE) {
        for (size_t i = 0; i < n; i++) {
            b[i] = (uint8_t)(*value >> (8 * i));
        }
    }
    raw(c, b, n);
    if (c->direction == DECODE) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) {
            v |= (uint64_t)b[i] << (8 * i);
        }
        *value = v;
    }
}

static void u8(codec_t *c, uint8_t *v)
{
    uint64_t x = *v;
    u_le(c, &x, 1);
    *v = (uint8_t)x;
}

static void u16(codec_t *c, uint16_t *v)
{
    uint64_t x = *v;
    u_le(c, &x, 2);
    *v = (uint16_t)x;
}

static void u32(codec_t *c, uint32_t *v)
{
    uint64_t x = *v;
    u_le(c, &x, 4);
    *v = (uint32_t)x;
}

static void u64(codec_t *c, uint64_t *v)
{
    u_le(c, v, 8);
}

static void i16(codec_t *c, int16_t *v)
{
    uint16_t x = (uint16_t)*v;
    u16(c, &x);
    *v = (int16_t)x;
}

static void i32(codec_t *c, int32_t *v)
{
    uint32_t x = (uint32_t)*v;
    u32(c, &x);
    *v = (int32_t)x;
}

static void i64(codec_t *c, int64_t *v)
{
    uint64_t x = (uint64_t)*v;
    u64(c, &x);
    *v = (int64_t)x;
}

static void i64s(codec_t *c, int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        i64(c, &v[i]);
    }
}

static void frozen(codec_t *c, prepay_meter_frozen_t *f)
{
    i64(c, &f->time);
    for (size_t i = 0; i <= PREPAY_METER_TARIFFS; i++) {
        u32(c, &f->forward[i]);
    }
    for (size_t i = 0; i <= PREPAY_METER_TARIFFS; i++) {
        u32(c, &f->reverse[i]);
    }
}

/* The compact streaming state; its cache is derived and restarts empty. */
static void tariff_state(codec_t *c, prepay_tariff_compact_state_t *s)
{
    u32(c, &s->magic);
    u8(c, &s->flags);
    i32(c, &s->cycle);
    i64(c, &s->position);
    i64(c, &s->cycle_energy);
    i64(c, &s->register_time);
    i64(c, &s->register_value);
    i64(c, &s->charged);
    i64(c, &s->carry.units);
    u32(c, &s->carry.nanos);
    memset(&s->cache, 0, sizeof s->cache);
}

/* Every plain-data member of the meter, in declaration order; the bound
 * pointers (tariff sets, policy, account) are never stored. */
static void meter(codec_t *c, prepay_meter_t *m)
{
    raw(c, m->address.bytes, PREPAY_DLT645_ADDRESS_SIZE);
    u8(c, &m->mode);
    u8(c, &m->relay);
    u8(c, &m->alarm_level);
    u8(c, &m->programming_key);
    u8(c, &m->password_failures_today);
    u8(c, &m->baud_feature);
    u8(c, &m->wallet.level);
    u8(c, &m->wallet.flags);
    raw(c, m->passwords, sizeof m->passwords);
    u8(c, &m->settlement_day);
    u8(c, &m->settlement_hour);
    raw(c, m->freeze_pattern, sizeof m->freeze_pattern);
    i32(c, &m->password_failure_day);
    u32(c, &m->password_failures);
    u32(c, &m->last_operator);
    i32(c, &m->power_limit);
    u32(c, &m->power_limit_seconds);
    i64(c, &m->clock);
    i64(c, &m->overload_since);
    i64s(c, m->switch_time, 4);
    tariff_state(c, &m->tariff_state);
    i64(c, &m->unpriced);
    i64s(c, m->forward, PREPAY_METER_TARIFFS + 1);
    i64s(c, m->reverse, PREPAY_METER_TARIFFS + 1);
    i64(c, &m->forward_remainder);
    i64(c, &m->reverse_remainder);
    for (size_t p = 0; p < PREPAY_METER_PHASES; p++) {
        u16(c, &m->instant.voltage[p]);
        i32(c, &m->instant.current[p]);
    }
    for (size_t p = 0; p <= PREPAY_METER_PHASES; p++) {
        i32(c, &m->instant.power[p]);
        i16(c, &m->instant.power_factor[p]);
    }
    u16(c, &m->instant.frequency);
    prepay_meter_purse_t *p = &m->purse;
    i64(c, &p->balance);
    i64(c, &p->purchase_total);
    i64(c, &p->alarm1);
    i64(c, &p->alarm2);
    i64(c, &p->overdraft_limit);
    i64(c, &p->hoarding_limit);
    i64(c, &p->close_allowed);
    i64(c, &p->last_amount);
    i64(c, &p->last_before);
    i64(c, &p->last_time);
    u32(c, &p->purchase_count);
    for (size_t k = 0; k < PREPAY_METER_EVENT_COUNT; k++) {
        u32(c, &m->event_counts[k]);
    }
    u8(c, &m->conditions);
    u8(c, &m->record_next);
    for (size_t k = 0; k < PREPAY_METER_EVENT_RECORDS; k++) {
        prepay_meter_record_t *r = &m->records[k];
        i64(c, &r->start);
        i64(c, &r->end);
        u32(c, &r->detail);
        u8(c, &r->kind);
        u8(c, &r->used);
    }
    for (size_t k = 0; k < PREPAY_METER_FROZEN_DAYS; k++) {
        frozen(c, &m->daily[k]);
    }
    for (size_t k = 0; k < PREPAY_METER_SETTLEMENTS; k++) {
        frozen(c, &m->settlement[k]);
    }
    frozen(c, &m->instant_freeze);
    i64(c, &m->time_sync_limit);
}

static void max_demand(codec_t *c, prepay_meter_demand_registers_t *r)
{
    for (size_t i = 0; i <= PREPAY_METER_TARIFFS; i++) {
        i32(c, &r->forward[i].value);
        u32(c, &r->forward[i].minute);
        i32(c, &r->reverse[i].value);
        u32(c, &r->reverse[i].minute);
    }
}

/* Format 3: the sliding-window demand state (meter_demand.c) field by field. */
static void demand(codec_t *c, prepay_meter_demand_t *d)
{
    u8(c, &d->period);
    u8(c, &d->slide);
    u8(c, &d->head);
    u8(c, &d->band);
    u16(c, &d->minutes);
    u16(c, &d->band_minutes);
    i64(c, &d->minute_start);
    i64(c, &d->forward_ws);
    i64(c, &d->reverse_ws);
    i64(c, &d->forward_sum);
    i64(c, &d->reverse_sum);
    for (size_t k = 0; k < PREPAY_METER_DEMAND_MINUTES; k++) {
        u32(c, &d->forward_ring[k]);
        u32(c, &d->reverse_ring[k]);
    }
    i32(c, &d->current);
    max_demand(c, &d->max);
    for (size_t k = 0; k < PREPAY_METER_SETTLEMENTS; k++) {
        max_demand(c, &d->settled[k]);
    }
}

/* Format 3: load-record parameters (the state of a follow-up read is not kept: a restarted
 * meter answers a follow-up request as one it never started) and the records, oldest first,
 * each as its DL/T 645-2007 class-06 record bytes (A.6: start A0 A0, length, blocks with AA
 * separators, checksum, E5), so loading checks each one with the reply decoder. */
static void load_records(codec_t *c, emu_meter_t *m)
{
    prepay_meter_load_profile_t *p = &m->meter.load_profile;
    u8(c, &p->mode);
    for (size_t k = 0; k < PREPAY_LOAD_RECORD_CLASSES; k++) {
        u16(c, &p->interval[k]);
    }
    i64(c, &p->start);
    i64(c, &p->last);
    if (c->direction == DECODE) {
        p->read_di = 0;
        p->read_count = 0;
        p->read_seq = 0;
        p->read_from = 0;
        p->read_offset = 0;
    }
    uint16_t count = (uint16_t)m->load_ring.count;
    u16(c, &count);
    if (c->direction == DECODE && count > EMU_LOAD_RECORDS) {
        c->bad = "load_records.count";
        return;
    }
    uint32_t di = 0;
    (void)prepay_load_record_di(0, PREPAY_LOAD_RECORD_EARLIEST, &di);
    prepay_time_t previous = INT64_MIN;
    for (size_t k = 0; k < count && !c->bad; k++) {
        uint8_t bytes[PREPAY_LOAD_RECORD_FULL_SIZE];
        uint8_t n = 0;
        if (c->direction != DECODE) {
            const prepay_meter_load_ring_t *ring = &m->load_ring;
            int len = prepay_load_record_encode(&ring->records[(ring->first + k) % ring->capacity], bytes,
                                                sizeof bytes);
            n = (uint8_t)(len > 0 ? len : 0);
        }
        u8(c, &n);
        if (c->direction == DECODE && n > sizeof bytes) {
            c->bad = "load_records.length";
            return;
        }
        raw(c, bytes, n);
        if (c->direction != DECODE || c->bad) {
            continue;
        }
        prepay_load_record_t record;
        size_t got = 0;
        if (prepay_load_record_decode(di, bytes, n, &record, 1, &got) != PREPAY_OK || got != 1) {
            c->bad = "load_records.record";
            return;
        }
        /* increasing times, none after the meter's clock or its last record instant */
        if (record.time <= previous || record.time > m->meter.clock || record.time > p->last) {
            c->bad = "load_records.time";
            return;
        }
        previous = record.time;
        if (k + 1 == count && record.time != p->last) {
            c->bad = "load_profile.last";
            return;
        }
        if (c->store) {
            c->store[k] = record;
        }
    }
    if (c->direction == DECODE && !c->bad) {
        m->load_ring.first = 0;
        m->load_ring.count = count;
    }
}

/* A meter and what the emulator keeps beside it. */
static void emulated(codec_t *c, emu_meter_t *m)
{
    meter(c, &m->meter);
    u64(c, &m->requests);
    u64(c, &m->replies);
    u64(c, &m->dropped);
    u64(c, &m->corrupted);
    i64(c, &m->carry_ws);
    i64(c, &m->fed_mark);
    if (c->version >= STATE_VERSION_3) {
        demand(c, &m->meter.demand);
        load_records(c, m);
    }
}

/* Bytes of one meter in format 2 (fixed). */
static size_t record_size_2(void)
{
    static emu_meter_t scratch;
    codec_t c = {MEASURE, NULL, NULL, 0, 0, STATE_VERSION_2, NULL, NULL};
    emulated(&c, &scratch);
    return c.at;
}

/* Bytes of meter m as formats 3 and 4 write it now. */
static size_t record_size(const emu_meter_t *m)
{
    emu_meter_t copy = *m;
    codec_t c = {MEASURE, NULL, NULL, 0, 0, STATE_VERSION, NULL, NULL};
    emulated(&c, &copy);
    return c.at;
}

/* Format 3, the largest a meter can be: every record at its largest size. */
static size_t record_size_max(void)
{
    return record_size_2() + (record_size(&(emu_meter_t){0}) - record_size_2()) +
           (size_t)EMU_LOAD_RECORDS * (1u + PREPAY_LOAD_RECORD_FULL_SIZE);
}

/* Format 4: the water meters after the events: their count, the size of the meter struct (the
 * record is the library's plain-data struct, prepay/water_meter.h "Persistence", so a build with
 * another layout is refused by it), then per meter the struct, the tap's carry and the counters. */
#define WATER_HEADER_SIZE 16u
#define WATER_RECORD_SIZE (sizeof(prepay_water_meter_t) + 24u)

static size_t water_section_size(const emu_site_t *site)
{
    return WATER_HEADER_SIZE + site->water_count * WATER_RECORD_SIZE;
}

static void water(codec_t *c, emu_water_t *w)
{
    raw(c, &w->meter, sizeof w->meter);
    i64(c, &w->carry_ls);
    u64(c, &w->requests);
    u64(c, &w->replies);
}

/* ---- site identity and checksum ------------------------------------------ */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 0x100000001B3ull;
    }
    return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
    uint8_t b[8];
    for (size_t i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
    return fnv(h, b, 8);
}

/* What makes a state file belong to a site: its start, its meters (address,
 * incomer wiring) and its scripted events. Loads, faults and the tariff may
 * change between runs. */
static uint64_t site_fingerprint(const emu_site_t *site)
{
    uint64_t h = 0xCBF29CE484222325ull;
    h = fnv_u64(h, (uint64_t)site->start);
    h = fnv_u64(h, site->meter_count);
    for (size_t i = 0; i < site->meter_count; i++) {
        const emu_meter_t *m = &site->meters[i];
        h = fnv(h, m->meter.address.bytes, PREPAY_DLT645_ADDRESS_SIZE);
        h = fnv_u64(h, m->feed_count);
        for (size_t k = 0; k < m->feed_count; k++) {
            h = fnv_u64(h, m->feeds[k]);
        }
    }
    h = fnv_u64(h, site->event_count);
    for (size_t i = 0; i < site->event_count; i++) {
        const emu_event_t *e = &site->events[i];
        h = fnv_u64(h, e->meter);
        h = fnv_u64(h, (uint64_t)e->at);
        h = fnv_u64(h, (uint64_t)e->condition * 2u + (e->active ? 1u : 0u));
    }
    return h;
}

size_t emu_state_size(const emu_site_t *site)
{
    size_t size = HEADER3_SIZE + site->event_count + water_section_size(site) + CHECKSUM_SIZE;
    for (size_t i = 0; i < site->meter_count; i++) {
        size += record_size(&site->meters[i]);
    }
    return size;
}

size_t emu_state_size_max(const emu_site_t *site)
{
    size_t v2 = HEADER_SIZE + site->meter_count * record_size_2() + site->event_count + CHECKSUM_SIZE;
    size_t v3 = HEADER3_SIZE + site->meter_count * record_size_max() + site->event_count + water_section_size(site) +
                CHECKSUM_SIZE;
    return v3 > v2 ? v3 : v2;
}

/* ---- encode -------------------------------------------------------------- */

int emu_state_encode_format(const emu_site_t *site, int format, uint8_t *out, size_t cap)
{
    if (format < 2 || format > 4) {
        return -1;
    }
    int version = format == 4 ? STATE_VERSION : (format == 3 ? STATE_VERSION_3 : STATE_VERSION_2);
    size_t size = format == 4 ? emu_state_size(site)
                  : format == 3 ? emu_state_size(site) - water_section_size(site)
                                : HEADER_SIZE + site->meter_count * record_size_2() + site->event_count + CHECKSUM_SIZE;
    if (cap < size) {
        return -1;
    }
    codec_t c = {ENCODE, out, NULL, 0, 0, version, NULL, NULL};
    raw(&c, (void *)(uintptr_t)state_magic, sizeof state_magic);
    uint8_t v8 = (uint8_t)version;
    u8(&c, &v8);
    for (size_t d = 0; d < DIM_COUNT; d++) {
        uint16_t v = this_build[d];
        u16(&c, &v);
    }
    uint64_t fingerprint = site_fingerprint(site), meters = site->meter_count, events = site->event_count;
    u64(&c, &fingerprint);
    u64(&c, &meters);
    u64(&c, &events);
    prepay_time_t now = site->now;
    i64(&c, &now);
    if (format >= 3) {
        for (size_t d = 0; d < DIM3_COUNT; d++) {
            uint16_t v = this_build3[d];
            u16(&c, &v);
        }
    }
    for (size_t i = 0; i < site->meter_count; i++) {
        emu_meter_t copy = site->meters[i];
        emulated(&c, &copy);
    }
    for (size_t i = 0; i < site->event_count; i++) {
        uint8_t done = site->events[i].done ? 1 : 0;
        u8(&c, &done);
    }
    if (format == 4) {
        uint64_t count = site->water_count, struct_size = sizeof(prepay_water_meter_t);
        u64(&c, &count);
        u64(&c, &struct_size);
        for (size_t i = 0; i < site->water_count; i++) {
            emu_water_t copy = site->waters[i];
            water(&c, &copy);
        }
    }
    uint64_t sum = fnv(0xCBF29CE484222325ull, out, c.at);
    u64(&c, &sum);
    return c.at == size ? (int)size : -1;
}

int emu_state_encode(const emu_site_t *site, uint8_t *out, size_t cap)
{
    return emu_state_encode_format(site, 4, out, cap) > 0 ? 0 : -1;
}

/* ---- decode -------------------------------------------------------------- */

static int check_header(const emu_site_t *site, const uint8_t *bytes, size_t len, char *err, size_t err_cap)
{
    if (len < sizeof state_magic + 1 || memcmp(bytes, state_magic, sizeof state_magic) != 0) {
        snprintf(err, err_cap, "not a prepay-emu state file");
        return -1;
    }
    int version = bytes[sizeof state_magic];
    if (version != STATE_VERSION && version != STATE_VERSION_3 && version != STATE_VERSION_2) {
        snprintf(err, err_cap,
                 "state file format %c is not format %c, %c or %c (written by another version of prepay-emu)",
                 version >= 0x20 && version < 0x7F ? version : '?', STATE_VERSION, STATE_VERSION_3, STATE_VERSION_2);
        return -1;
    }
    if (len < (version >= STATE_VERSION_3 ? HEADER3_SIZE : HEADER_SIZE)) {
        snprintf(err, err_cap, "state file truncated (%zu bytes)", len);
        return -1;
    }
    codec_t c = {DECODE, NULL, bytes, sizeof state_magic + 1, len, version, NULL, NULL};
    for (size_t d = 0; d < DIM_COUNT; d++) {
        uint16_t v = 0;
        u16(&c, &v);
        if (v != this_build[d]) {
            snprintf(err, err_cap, "state file written by a build with %s = %u; this build has %u", dim_names[d],
                     (unsigned)v, (unsigned)this_build[d]);
            return -1;
        }
    }
    uint64_t fingerprint = 0, meters = 0, events = 0;
    u64(&c, &fingerprint);
    u64(&c, &meters);
    u64(&c, &events);
    if (meters != site->meter_count || events != site->event_count || fingerprint != site_fingerprint(site)) {
        snprintf(err, err_cap, "state file of another site (%llu meters, %llu events; this site has %zu and %zu, "
                 "or other addresses, wiring or events)",
                 (unsigned long long)meters, (unsigned long long)events, site->meter_count, site->event_count);
        return -1;
    }
    if (version >= STATE_VERSION_3) {
        c.at += 8; /* the site time, read with the meters */
        for (size_t d = 0; d < DIM3_COUNT; d++) {
            uint16_t v = 0;
            u16(&c, &v);
            if (v != this_build3[d]) {
                snprintf(err, err_cap, "state file written by a build with %s = %u; this build has %u", dim3_names[d],
                         (unsigned)v, (unsigned)this_build3[d]);
                return -1;
            }
        }
    }
    /* Format 2 has a fixed size; format 3's meters vary (their load records), within bounds. */
    size_t fixed = HEADER_SIZE + site->meter_count * record_size_2() + site->event_count + CHECKSUM_SIZE;
    if (version == STATE_VERSION_2 ? len != fixed : len > emu_state_size_max(site)) {
        snprintf(err, err_cap, "state file has %zu bytes; this site's has %s %zu", len,
                 version == STATE_VERSION_2 ? "" : "at most", version == STATE_VERSION_2 ? fixed : emu_state_size_max(site));
        return -1;
    }
    uint64_t stored = 0;
    codec_t tail = {DECODE, NULL, bytes, len - CHECKSUM_SIZE, len, version, NULL, NULL};
    u64(&tail, &stored);
    if (stored != fnv(0xCBF29CE484222325ull, bytes, len - CHECKSUM_SIZE)) {
        snprintf(err, err_cap, "state file checksum does not match (damaged)");
        return -1;
    }
    return 0;
}

static bool time_in_range(prepay_time_t t)
{
    uint8_t probe[6];
    return prepay_time_to_dlt645_datetime(t, probe) == PREPAY_OK;
}

/* Checks one decoded meter against its domain and the site. */
static int check_meter(const emu_site_t *site, size_t i, const emu_meter_t *m, char *err, size_t err_cap)
{
    const emu_meter_t *live = &site->meters[i];
    if (memcmp(m->meter.address.bytes, live->meter.address.bytes, PREPAY_DLT645_ADDRESS_SIZE) != 0) {
        snprintf(err, err_cap, "meter %zu has another address than in the site file", i);
        return -1;
    }
    const char *member = NULL;
    if (prepay_meter_check_state(&m->meter, &member) != PREPAY_OK) {
        snprintf(err, err_cap, "meter %zu: \"%s\" is out of its domain", i, member ? member : "?");
        return -1;
    }
    if (m->meter.clock < site->start) {
        snprintf(err, err_cap, "meter %zu: its clock is before the site's start", i);
        return -1;
    }
    /* The incomer's carry is a remainder of one step of at most a day. */
    if (m->carry_ws <= -86400 || m->carry_ws >= 86400 || (!live->aggregate && m->carry_ws != 0)) {
        snprintf(err, err_cap, "meter %zu: \"carry_ws\" is out of its domain", i);
        return -1;
    }
    if (m->fed_mark < 0 || m->fed_mark > m->meter.forward[0]) {
        snprintf(err, err_cap, "meter %zu: \"fed_mark\" is out of its domain", i);
        return -1;
    }
    /* The demand window's running sums are the sums of its last minutes in the ring, and no
     * maximum is dated after the meter's clock. */
    const prepay_meter_demand_t *d = &m->meter.demand;
    unsigned window = d->minutes < d->period ? d->minutes : d->period;
    int64_t forward = 0, reverse = 0;
    for (unsigned k = 1; k <= window; k++) {
        unsigned slot = (d->head + PREPAY_METER_DEMAND_MINUTES - k) % PREPAY_METER_DEMAND_MINUTES;
        forward += d->forward_ring[slot];
        reverse += d->reverse_ring[slot];
    }
    if (forward != d->forward_sum || reverse != d->reverse_sum) {
        snprintf(err, err_cap, "meter %zu: \"demand.forward_sum\" is not the sum of its window", i);
        return -1;
    }
    if (d->minute_start > m->meter.clock) {
        snprintf(err, err_cap, "meter %zu: \"demand.minute_start\" is after its clock", i);
        return -1;
    }
    const prepay_meter_demand_registers_t *sets[1 + PREPAY_METER_SETTLEMENTS];
    sets[0] = &d->max;
    for (size_t k = 0; k < PREPAY_METER_SETTLEMENTS; k++) {
        sets[1 + k] = &d->settled[k];
    }
    for (size_t k = 0; k <= PREPAY_METER_SETTLEMENTS; k++) {
        for (size_t b = 0; b <= PREPAY_METER_TARIFFS; b++) {
            if ((int64_t)sets[k]->forward[b].minute * 60 > m->meter.clock ||
                (int64_t)sets[k]->reverse[b].minute * 60 > m->meter.clock) {
                snprintf(err, err_cap, "meter %zu: \"demand.max\" is dated after its clock", i);
                return -1;
            }
        }
    }
    return 0;
}

/* The done flags of each meter's events form a prefix of its events in time order, none after its clock. */
static int check_events(const emu_site_t *site, const emu_meter_t *scratch, const uint8_t *done, char *err,
                        size_t err_cap)
{
    for (size_t i = 0; i < site->meter_count; i++) {
        const emu_meter_t *live = &site->meters[i];
        bool open = true;
        for (size_t k = live->events_begin; k < live->events_end; k++) {
            size_t e = site->event_order[k];
            if (done[e] > 1 || (done[e] && (!open || site->events[e].at > scratch[i].meter.clock))) {
                snprintf(err, err_cap, "event %zu is marked done out of order or ahead of its meter's clock", e);
                return -1;
            }
            open = done[e] != 0;
        }
    }
    return 0;
}

int emu_state_decode(emu_site_t *site, const uint8_t *bytes, size_t len, char *err, size_t err_cap)
{
    if (check_header(site, bytes, len, err, err_cap) != 0) {
        return -1;
    }
    int version = bytes[sizeof state_magic];
    size_t meters_at = version >= STATE_VERSION_3 ? HEADER3_SIZE : HEADER_SIZE;
    codec_t c = {DECODE, NULL, bytes, HEADER_SIZE - 8, len - CHECKSUM_SIZE, version, NULL, NULL};
    prepay_time_t now = 0;
    i64(&c, &now);
    if (!time_in_range(now) || now < site->start) {
        snprintf(err, err_cap, "state file: the site time is out of range");
        return -1;
    }
    /* Decode into scratch copies of the live meters (they keep the magic
     * and the bound pointers, which the file never carries). */
    emu_meter_t *scratch = calloc(site->meter_count, sizeof *scratch);
    if (!scratch) {
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    int rc = -1;
    emu_water_t *water_scratch = NULL;
    prepay_time_t latest = site->start;
    c.at = meters_at;
    for (size_t i = 0; i < site->meter_count; i++) {
        scratch[i] = site->meters[i];
        emulated(&c, &scratch[i]); /* records checked, not stored (c.store is NULL) */
        if (c.bad) {
            snprintf(err, err_cap, "meter %zu: \"%s\" is out of its domain", i, c.bad);
            goto done;
        }
        if (check_meter(site, i, &scratch[i], err, err_cap) != 0) {
            goto done;
        }
        if (scratch[i].meter.clock > latest) {
            latest = scratch[i].meter.clock;
        }
    }
    if (latest != now) {
        snprintf(err, err_cap, "state file: the site time is not the latest meter clock");
        goto done;
    }
    const size_t waters = version == STATE_VERSION ? water_section_size(site) : 0;
    if (c.at + site->event_count + waters != len - CHECKSUM_SIZE) {
        snprintf(err, err_cap, "state file has %zu bytes; its meters and events make %zu (with its water meters)", len,
                 c.at + site->event_count + waters + CHECKSUM_SIZE);
        goto done;
    }
    const uint8_t *done_flags = bytes + c.at;
    if (check_events(site, scratch, done_flags, err, err_cap) != 0) {
        goto done;
    }
    if (version == STATE_VERSION) {
        codec_t wc = {DECODE, NULL, bytes, c.at + site->event_count, len - CHECKSUM_SIZE, version, NULL, NULL};
        uint64_t count = 0, struct_size = 0;
        u64(&wc, &count);
        u64(&wc, &struct_size);
        if (count != site->water_count || struct_size != sizeof(prepay_water_meter_t)) {
            snprintf(err, err_cap, "state file has %llu water meters of %llu bytes; this site has %zu of %zu",
                     (unsigned long long)count, (unsigned long long)struct_size, site->water_count,
                     sizeof(prepay_water_meter_t));
            goto done;
        }
        water_scratch = calloc(site->water_count ? site->water_count : 1, sizeof *water_scratch);
        if (!water_scratch) {
            snprintf(err, err_cap, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < site->water_count; i++) {
            water(&wc, &water_scratch[i]);
            const prepay_water_meter_t *w = &water_scratch[i].meter;
            const char *member = NULL;
            if (prepay_water_meter_check_state(w, &member) != PREPAY_OK) {
                snprintf(err, err_cap, "water meter %zu: \"%s\" is out of its domain", i, member ? member : "?");
                goto done;
            }
            if (memcmp(w->address.bytes, site->waters[i].meter.address.bytes, sizeof w->address.bytes) != 0 ||
                w->meter_type != site->waters[i].meter.meter_type || w->mode != site->waters[i].meter.mode) {
                snprintf(err, err_cap, "water meter %zu: another address, type or mode than the site's", i);
                goto done;
            }
            if (w->clock < site->start || water_scratch[i].carry_ls < 0 || water_scratch[i].carry_ls >= 3600) {
                snprintf(err, err_cap, "water meter %zu: \"%s\" is out of its domain", i,
                         w->clock < site->start ? "clock" : "carry_ls");
                goto done;
            }
        }
    }
    /* Everything checked: apply. */
    codec_t again = {DECODE, NULL, bytes, meters_at, len - CHECKSUM_SIZE, version, NULL, NULL};
    for (size_t i = 0; i < site->meter_count; i++) {
        emu_meter_t *m = &site->meters[i];
        if (version >= STATE_VERSION_3) {
            /* The records, decoded a second time (the same bytes: it cannot fail now) into the live ring. */
            static emu_meter_t throwaway;
            throwaway = site->meters[i];
            again.store = m->load_records;
            emulated(&again, &throwaway);
            scratch[i].meter.load_ring = m->meter.load_ring;
            m->load_ring.first = 0;
            m->load_ring.count = throwaway.load_ring.count;
        }
        m->meter = scratch[i].meter;
        /* A cache of what the meter derived from its tariffs: rebuilt from the live ones. */
        memset(&m->meter.derived, 0, sizeof m->meter.derived);
        m->requests = scratch[i].requests;
        m->replies = scratch[i].replies;
        m->dropped = scratch[i].dropped;
        m->corrupted = scratch[i].corrupted;
        m->carry_ws = scratch[i].carry_ws;
        m->fed_mark = scratch[i].fed_mark;
        m->target = m->meter.clock;
        emu_site_note(site, i);
    }
    for (size_t i = 0; i < site->event_count; i++) {
        site->events[i].done = done_flags[i] != 0;
    }
    for (size_t i = 0; i < site->meter_count; i++) {
        emu_meter_t *m = &site->meters[i];
        m->next_event = m->events_begin;
        while (m->next_event < m->events_end && site->events[site->event_order[m->next_event]].done) {
            m->next_event++;
        }
    }
    for (size_t i = 0; water_scratch != NULL && i < site->water_count; i++) {
        site->waters[i].meter = water_scratch[i].meter;
        site->waters[i].carry_ls = water_scratch[i].carry_ls;
        site->waters[i].requests = water_scratch[i].requests;
        site->waters[i].replies = water_scratch[i].replies;
    }
    site->now = now;
    rc = 0;
done:
    free(scratch);
    free(water_scratch);
    return rc;
}
