/* SPDX-License-Identifier: MIT */
/*
 * Internal: the event-kind table, channel layout and BCD writer shared by
 * the files of the events module (never installed).
 */
#ifndef PREPAY_EVENTS_INTERNAL_H
#define PREPAY_EVENTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/meter_events.h"
#include "../common/size_internal.h"

/* "PEVT": marks an initialised event state. */
#define PREPAY__EVENTS_MAGIC 0x50455654u

/* Channel flags. */
#define PREPAY__EVENTS_ACTIVE 0x01u
#define PREPAY__EVENTS_OBSERVING 0x02u

/* Record layouts of the kinds outside the State Grid classes 10..21. */
enum prepay__events_layout {
    PREPAY__LAYOUT_CLASS = 0,       /* State Grid class: start-time and end-time items */
    PREPAY__LAYOUT_START_END = 1,   /* 12 bytes: start, end (power down, 031100nn) */
    PREPAY__LAYOUT_COVER = 2,       /* 60 bytes: start, end, 6 energies before, 6 after (03300Dnn) */
    PREPAY__LAYOUT_MAGNETIC = 3,    /* 28 bytes: start, end, fwd+rev at start, fwd+rev at end (033500nn) */
    PREPAY__LAYOUT_PROGRAMMING = 4, /* 50 bytes: time, operator, 10 DIs (033000nn) */
    PREPAY__LAYOUT_CLOCK = 5        /* 16 bytes: operator, before, after (033004nn) */
};

/* One row per event kind: DL/T 645 numbering and the status-word bit. 10 bytes a row (the table
 * is flash on a meter): the DIs outside the State Grid classes are all 03xxxx00, kept as xxxx. */
typedef struct prepay__events_kind_info {
    uint8_t per_phase;   /* 1: one channel per phase */
    uint8_t sg_class;    /* State Grid class (DI3) for layout CLASS, else 0 */
    uint8_t end_item;    /* DI1 of the end-time item of the class */
    uint8_t status_bit;  /* per phase: offset in the 16-bit phase group; else the bit */
    uint8_t layout;      /* prepay__events_layout */
    uint8_t record_len;  /* bytes of the full record (layouts other than CLASS) */
    uint8_t totals_item; /* DI2 of the DL/T 645-2007 A.4 totals item 03 xx 00 00, or 0: none */
    uint16_t base_item;  /* layouts other than CLASS: DI2 DI1 of the count DI 03 xx xx 00 (record DI = base + n) */
} prepay__events_kind_info_t;

/* The count DI 03xxxx00 of a kind outside the State Grid classes (record DI = base + n). */
static inline uint32_t prepay__events_base_di(const prepay__events_kind_info_t *info)
{
    return 0x03000000u | ((uint32_t)info->base_item << 8);
}

extern const prepay__events_kind_info_t prepay__events_kinds[PREPAY_EVENTS_KIND_COUNT];

/* Channel index of (kind, phase), or -1 if the kind has no storage or the phase is wrong. */
int prepay__events_channel(unsigned kind, unsigned phase);

/* Sequential writer of value bytes. */
typedef struct prepay__events_writer {
    uint8_t *out;
    size_t cap;
    size_t at;
    int status;
} prepay__events_writer_t;

/* The length before the 64-bit value: every argument in registers on a 32-bit target. */
void prepay__events_put_bcd(prepay__events_writer_t *w, size_t bytes, uint64_t value);
void prepay__events_put_byte(prepay__events_writer_t *w, uint8_t byte);
void prepay__events_put_le32(prepay__events_writer_t *w, uint32_t value);
/* 6-byte ssmmhhDDMMYY; time 0 (none) or unrepresentable as zeros. */
void prepay__events_put_datetime(prepay__events_writer_t *w, prepay_time_t t);
/* Reads a 6-byte datetime; all zeros give 0. */
int prepay__events_get_datetime(const uint8_t *in, prepay_record_time_t *out);
/* Wh -> 0.01 kWh register (truncated, rolling over at 1e8 like a meter register). */
uint32_t prepay__events_centi_kwh(prepay_energy_t wh);
/* Whole minutes of a duration in seconds (completed minutes only). */
uint32_t prepay__events_minutes(uint32_t seconds);

/* The end registers of a record (kept only with PREPAY_EVENTS_END_ENERGY; read as 0 without). */
static inline void prepay__events_set_end(prepay_events_record_t *r, uint32_t forward, uint32_t reverse)
{
#if PREPAY_EVENTS_END_ENERGY
    r->forward_end = forward;
    r->reverse_end = reverse;
#else
    (void)r;
    (void)forward;
    (void)reverse;
#endif
}

static inline uint32_t prepay__events_end_forward(const prepay_events_record_t *r)
{
#if PREPAY_EVENTS_END_ENERGY
    return r->forward_end;
#else
    (void)r;
    return 0;
#endif
}

static inline uint32_t prepay__events_end_reverse(const prepay_events_record_t *r)
{
#if PREPAY_EVENTS_END_ENERGY
    return r->reverse_end;
#else
    (void)r;
    return 0;
#endif
}

#endif /* PREPAY_EVENTS_INTERNAL_H */
