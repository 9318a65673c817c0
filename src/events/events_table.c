/* SPDX-License-Identifier: MIT */
/*
 * The event-kind table (DL/T 645 numbering, status-word bits, record
 * layouts), the channel layout, and the BCD helpers of the events module.
 *
 * Sources (docs/events.md lists them per item):
 *  - DL/T 645-2007 appendix A.4: the per-phase totals 0301..030F 0000
 *    (count XXXXXX and cumulative minutes XXXXXX per phase), power down
 *    031100nn (start, end), programming 033000nn (50 bytes), clock change
 *    033004nn (16 bytes), meter / terminal cover 03300Dnn / 03300Enn
 *    (60 bytes), as catalogued in src/protocol/dlt645_catalogue_table.c.
 *  - State Grid event classes 10..20 (Q/GDW 1354/1355-2013 extensions of
 *    DL/T 645-2007): DI3 class, DI2 phase, xx0001 count, xx0002 cumulative
 *    time, 01nn start time, <end item>nn end time. Class numbers, record
 *    lengths (hence the end-time item), 0335 magnetic interference (28
 *    bytes) and the 96-bit active-report word (04001501) with its bit table
 *    are taken from a public meter firmware's event definitions (exact-string
 *    index file id 58115167047: RPT_* bit enumeration, NUM_* record DIs,
 *    LEN_* record layouts) and agree with the catalogue's classes 10..1C.
 *    The end-time item of a class is its field number in that layout: 0x25
 *    in the 195-byte voltage records, 0x21 in the 179-byte current records,
 *    0x12 in the 140-byte records, 0x13 in the 143-byte unbalance records,
 *    0x06 in the 44-byte power-factor records (classes 14, 15, 16, 17, 1C,
 *    1F, 20 rest on that single source: verify against Q/GDW 1354-2013).
 */
#include <string.h>

#include "prepay/bcd.h"
#include "events_internal.h"
#include "../common/wide_internal.h"

/* totals: the A.4 item 03xx0000 (or 0), di: the count item 03xxxx00, each kept as its xx bytes. */
#define PP(cls, end, bit, totals) {1, cls, end, bit, PREPAY__LAYOUT_CLASS, 0, (uint8_t)((totals) >> 16), 0}
#define WHOLE(cls, end, bit, totals) {0, cls, end, bit, PREPAY__LAYOUT_CLASS, 0, (uint8_t)((totals) >> 16), 0}
#define OTHER(bit, layout, len, di) {0, 0, 0, bit, layout, len, 0, (uint16_t)((di) >> 8)}

const prepay__events_kind_info_t prepay__events_kinds[PREPAY_EVENTS_KIND_COUNT] = {
    /* OVER_VOLTAGE */ PP(0x12, 0x25, 2, 0x03030000u),
    /* UNDER_VOLTAGE */ PP(0x11, 0x25, 1, 0x03020000u),
    /* OVER_CURRENT */ PP(0x19, 0x21, 4, 0x030C0000u),
    /* REVERSE_POWER */ PP(0x1B, 0x12, 6, 0x030E0000u),
    /* OVERLOAD */ PP(0x1C, 0x12, 5, 0x030F0000u),
    /* LOW_POWER_FACTOR */ WHOLE(0x1F, 0x06, 71, 0),
    /* POWER_DOWN */ OTHER(69, PREPAY__LAYOUT_START_END, 12, 0x03110000u),
    /* COVER_OPEN */ OTHER(10, PREPAY__LAYOUT_COVER, 60, 0x03300D00u),
    /* TERMINAL_COVER_OPEN */ OTHER(11, PREPAY__LAYOUT_COVER, 60, 0x03300E00u),
    /* MAGNETIC */ OTHER(12, PREPAY__LAYOUT_MAGNETIC, 28, 0x03350000u),
    /* PROGRAMMING */ OTHER(80, PREPAY__LAYOUT_PROGRAMMING, 50, 0x03300000u),
    /* CLOCK_CHANGE */ OTHER(84, PREPAY__LAYOUT_CLOCK, 16, 0x03300400u),
    /* LOSS_OF_VOLTAGE */ PP(0x10, 0x25, 0, 0x03010000u),
    /* PHASE_FAILURE */ PP(0x13, 0x25, 7, 0x03040000u),
    /* LOSS_OF_CURRENT */ PP(0x18, 0x21, 3, 0x030B0000u),
    /* CURRENT_CUT */ PP(0x1A, 0x21, 8, 0x030D0000u),
    /* VOLTAGE_REVERSE_SEQUENCE */ WHOLE(0x14, 0x12, 64, 0x03070000u),
    /* CURRENT_REVERSE_SEQUENCE */ WHOLE(0x15, 0x12, 65, 0x03080000u),
    /* VOLTAGE_UNBALANCE */ WHOLE(0x16, 0x13, 66, 0x03090000u),
    /* CURRENT_UNBALANCE */ WHOLE(0x17, 0x13, 67, 0x030A0000u),
    /* CURRENT_SEVERE_UNBALANCE */ WHOLE(0x20, 0x13, 72, 0),
};

int prepay__events_channel(unsigned kind, unsigned phase)
{
    const unsigned p = PREPAY_EVENTS_PHASES;
    if (kind >= PREPAY_EVENTS_KINDS) {
        return -1;
    }
    if (prepay__events_kinds[kind].per_phase) {
        if (phase < 1 || phase > p) {
            return -1;
        }
        if (kind < 5u) {
            return (int)(kind * p + phase - 1u);
        }
        return (int)(5u * p + 7u + (kind - 12u) * p + phase - 1u);
    }
    if (phase != 0) {
        return -1;
    }
    if (kind < 12u) {
        return (int)(5u * p + (kind - 5u));
    }
    return (int)(9u * p + 7u + (kind - 16u));
}

static int reserve(prepay__events_writer_t *w, size_t bytes)
{
    if (w->status != PREPAY_OK) {
        return -1;
    }
    if (w->cap - w->at < bytes || w->at > w->cap) {
        w->status = PREPAY_E_BUFFER_TOO_SMALL;
        return -1;
    }
    return 0;
}

void prepay__events_put_bcd(prepay__events_writer_t *w, size_t bytes, uint64_t value)
{
    if (reserve(w, bytes) != 0) {
        return;
    }
    uint64_t max = 1;
    for (size_t i = 0; i < bytes; i++) {
        max *= 100u;
    }
    if (value >= max) {
        value = max - 1u; /* clamped at the largest value the field shows */
    }
    (void)prepay_bcd_encode(value, w->out + w->at, bytes);
    w->at += bytes;
}

void prepay__events_put_byte(prepay__events_writer_t *w, uint8_t byte)
{
    if (reserve(w, 1) != 0) {
        return;
    }
    w->out[w->at++] = byte;
}

void prepay__events_put_le32(prepay__events_writer_t *w, uint32_t value)
{
    if (reserve(w, 4) != 0) {
        return;
    }
    for (size_t i = 0; i < 4; i++) {
        w->out[w->at++] = (uint8_t)(value >> (8u * i));
    }
}

void prepay__events_put_datetime(prepay__events_writer_t *w, prepay_time_t t)
{
    uint8_t b[6];
    if (t == 0 || prepay_time_to_dlt645_datetime(t, b) != PREPAY_OK) {
        memset(b, 0, sizeof b);
    }
    if (reserve(w, sizeof b) != 0) {
        return;
    }
    memcpy(w->out + w->at, b, sizeof b);
    w->at += sizeof b;
}

int prepay__events_get_datetime(const uint8_t *in, prepay_record_time_t *out)
{
    static const uint8_t zeros[6] = {0};
    prepay_time_t t = 0;
    if (memcmp(in, zeros, sizeof zeros) != 0 && prepay_time_from_dlt645_datetime(in, &t) != PREPAY_OK) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    *out = prepay__record_time(t); /* YYMMDDhhmmss: 2000..2099, exact in a record time */
    return PREPAY_OK;
}

uint32_t prepay__events_centi_kwh(prepay_energy_t wh)
{
    /* (wh / 10) % 10^8 == (wh % 10^9) / 10 for wh >= 0: one 64-bit division, then a 32-bit one. */
    return wh < 0 ? 0u : (uint32_t)prepay__smod64(wh, 1000000000) / 10u;
}

uint32_t prepay__events_minutes(uint32_t seconds)
{
    return seconds / 60u; /* completed minutes, as meters count cumulative event time */
}

/* The storage sizes of meter_events.h follow the kind table. */
_Static_assert(PREPAY_EVENTS_KINDS == (PREPAY_EVENTS_PHASES == 1 ? PREPAY_EVENTS_SINGLE_PHASE_KINDS : PREPAY_EVENTS_KIND_COUNT),
               "PREPAY_EVENTS_KINDS");
/* 5 per-phase kinds x phases + 7 whole-meter kinds, plus 4 x 3 + 5 on a three-phase meter. */
_Static_assert(PREPAY_EVENTS_CHANNELS == 5u * PREPAY_EVENTS_PHASES + 7u + (PREPAY_EVENTS_PHASES == 3 ? 4u * 3u + 5u : 0u),
               "PREPAY_EVENTS_CHANNELS");
_Static_assert(PREPAY_EVENTS_CHANNELS <= 64, "the judgement keeps one bit per channel in a 64-bit mask");
