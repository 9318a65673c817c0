/* SPDX-License-Identifier: MIT */
/*
 * Station side of DL/T 645-2007 load records (负荷记录, DI3 = 06): DIs,
 * requests, stitching follow-up frames, and the record decoder/encoder.
 * Freestanding; see include/prepay/load_record.h for the layout and
 * tests/vectors/dlt645_load_records.txt for the sources it follows.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "prepay/civil_time.h"
#include "prepay/dlt645.h"
#include "prepay/load_record.h"

#define REPLY_MAGIC 0x4C505244u /* "LPRD" */

/* Bytes of each class block (DL/T 645-2007 load-record layout). */
static const uint8_t block_size[PREPAY_LOAD_RECORD_CLASSES] = {17, 24, 8, 16, 16, 6};

/* Offsets inside a record: start (2), length (1), time (5). */
#define OFFSET_LENGTH 2u
#define OFFSET_TIME 3u
#define OFFSET_BLOCKS 8u

int prepay_load_record_di(unsigned record_class, prepay_load_record_mode_t mode, uint32_t *di)
{
    if (di == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (record_class > PREPAY_LOAD_RECORD_CLASSES || (unsigned)mode > PREPAY_LOAD_RECORD_LATEST) {
        return PREPAY_E_LOADPROFILE_BAD_DI;
    }
    *di = 0x06000000u | ((uint32_t)record_class << 16) | (uint32_t)mode;
    return PREPAY_OK;
}

int prepay_load_record_parse_di(uint32_t di, unsigned *record_class, prepay_load_record_mode_t *mode)
{
    unsigned di3 = (unsigned)(di >> 24);
    unsigned di2 = (unsigned)((di >> 16) & 0xFFu);
    unsigned di1 = (unsigned)((di >> 8) & 0xFFu);
    unsigned di0 = (unsigned)(di & 0xFFu);
    if (di3 != 0x06u || di2 > PREPAY_LOAD_RECORD_CLASSES || di1 != 0u || di0 > PREPAY_LOAD_RECORD_LATEST) {
        return PREPAY_E_LOADPROFILE_BAD_DI;
    }
    if (record_class != NULL) {
        *record_class = di2;
    }
    if (mode != NULL) {
        *mode = (prepay_load_record_mode_t)di0;
    }
    return PREPAY_OK;
}

int prepay_load_record_request(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                               unsigned record_class, prepay_load_record_mode_t mode, uint8_t count,
                               prepay_time_t start)
{
    if (out == NULL || address == NULL || count == 0u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t di = 0;
    int status = prepay_load_record_di(record_class, mode, &di);
    if (status != PREPAY_OK) {
        return status;
    }
    if (mode == PREPAY_LOAD_RECORD_FROM_TIME) {
        return prepay_dlt645_request_read_records(out, address, di, count, start);
    }
    return prepay_dlt645_request_read_blocks(out, address, di, count);
}

int prepay_load_record_reply_init(prepay_load_record_reply_t *reply)
{
    if (reply == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    reply->magic = REPLY_MAGIC;
    reply->di = 0;
    reply->next_seq = 1;
    reply->started = false;
    reply->complete = false;
    reply->length = 0;
    return PREPAY_OK;
}

int prepay_load_record_reply_add(prepay_load_record_reply_t *reply, const prepay_dlt645_read_reply_t *frame_reply)
{
    if (reply == NULL || reply->magic != REPLY_MAGIC || frame_reply == NULL ||
        (frame_reply->value == NULL && frame_reply->value_len > 0u)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (reply->complete) {
        return PREPAY_E_LOADPROFILE_SEQUENCE;
    }
    if (!reply->started) {
        if (frame_reply->has_seq) {
            return PREPAY_E_LOADPROFILE_SEQUENCE; /* a follow-up before the first reply */
        }
        int status = prepay_load_record_parse_di(frame_reply->di, NULL, NULL);
        if (status != PREPAY_OK) {
            return status;
        }
    } else if (!frame_reply->has_seq || frame_reply->seq != reply->next_seq || frame_reply->di != reply->di ||
               reply->next_seq == 0u) {
        return PREPAY_E_LOADPROFILE_SEQUENCE; /* SEQ 1..255; a 256th frame cannot be named */
    }
    if (frame_reply->value_len > sizeof reply->data - reply->length) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    if (frame_reply->value_len > 0u) {
        memcpy(reply->data + reply->length, frame_reply->value, frame_reply->value_len);
    }
    reply->length += frame_reply->value_len;
    if (reply->started) {
        reply->next_seq = (uint8_t)(reply->next_seq + 1u);
    }
    reply->di = frame_reply->di;
    reply->started = true;
    reply->complete = !frame_reply->follow_up;
    return PREPAY_OK;
}

/* ---- values ---------------------------------------------------------------- */

static bool all_ff(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xFFu) {
            return false;
        }
    }
    return true;
}

/* One value of n bytes: FF bytes mark it absent (bit set), else BCD (signed if asked). */
static int read_value(const uint8_t *p, size_t n, bool is_signed, uint32_t field_bit, uint32_t *absent, int64_t *out)
{
    if (all_ff(p, n)) {
        *absent |= field_bit;
        *out = 0;
        return PREPAY_OK;
    }
    if (is_signed) {
        return prepay_bcd_decode_signed(p, n, out) == PREPAY_OK ? PREPAY_OK : PREPAY_E_LOADPROFILE_BAD_VALUE;
    }
    uint64_t u = 0;
    if (prepay_bcd_decode(p, n, &u) != PREPAY_OK) {
        return PREPAY_E_LOADPROFILE_BAD_VALUE;
    }
    *out = (int64_t)u; /* at most 8 digits */
    return PREPAY_OK;
}

/* Decodes the values of class k (1..6) from its block. Values fit their
 * fields: at most 8 BCD digits (< 1e8) times 10 for energies. */
static int decode_block(unsigned k, const uint8_t *p, prepay_load_record_t *r)
{
    int64_t v = 0;
    int status = PREPAY_OK;
    switch (k) {
    case 1:
        for (unsigned i = 0; i < 3u && status == PREPAY_OK; i++) {
            status = read_value(p + 2u * i, 2, false, PREPAY_LOAD_FIELD_VOLTAGE(i), &r->absent, &v);
            r->voltage_decivolt[i] = (int32_t)v;
        }
        for (unsigned i = 0; i < 3u && status == PREPAY_OK; i++) {
            status = read_value(p + 6u + 3u * i, 3, true, PREPAY_LOAD_FIELD_CURRENT(i), &r->absent, &v);
            r->current_milliamp[i] = (int32_t)v;
        }
        if (status == PREPAY_OK) {
            status = read_value(p + 15, 2, false, PREPAY_LOAD_FIELD_FREQUENCY, &r->absent, &v);
            r->frequency_centihertz = (int32_t)v;
        }
        break;
    case 2:
        for (unsigned i = 0; i < 4u && status == PREPAY_OK; i++) {
            status = read_value(p + 3u * i, 3, true, PREPAY_LOAD_FIELD_ACTIVE_POWER(i), &r->absent, &v);
            r->active_power_deciwatt[i] = (int32_t)v;
        }
        for (unsigned i = 0; i < 4u && status == PREPAY_OK; i++) {
            status = read_value(p + 12u + 3u * i, 3, true, PREPAY_LOAD_FIELD_REACTIVE_POWER(i), &r->absent, &v);
            r->reactive_power_decivar[i] = (int32_t)v;
        }
        break;
    case 3:
        for (unsigned i = 0; i < 4u && status == PREPAY_OK; i++) {
            status = read_value(p + 2u * i, 2, true, PREPAY_LOAD_FIELD_POWER_FACTOR(i), &r->absent, &v);
            r->power_factor_milli[i] = (int32_t)v;
        }
        break;
    case 4:
        /* XXXXXX.XX kWh: one unit of the last digit is 10 Wh. */
        status = read_value(p, 4, false, PREPAY_LOAD_FIELD_ENERGY(0), &r->absent, &v);
        r->forward_active_wh = v * 10;
        if (status == PREPAY_OK) {
            status = read_value(p + 4, 4, false, PREPAY_LOAD_FIELD_ENERGY(1), &r->absent, &v);
            r->reverse_active_wh = v * 10;
        }
        for (unsigned i = 0; i < 2u && status == PREPAY_OK; i++) {
            status = read_value(p + 8u + 4u * i, 4, true, PREPAY_LOAD_FIELD_ENERGY(2u + i), &r->absent, &v);
            r->combined_reactive_varh[i] = v * 10;
        }
        break;
    case 5:
        for (unsigned i = 0; i < 4u && status == PREPAY_OK; i++) {
            status = read_value(p + 4u * i, 4, false, PREPAY_LOAD_FIELD_QUADRANT(i), &r->absent, &v);
            r->quadrant_reactive_varh[i] = v * 10;
        }
        break;
    default:
        status = read_value(p, 3, true, PREPAY_LOAD_FIELD_ACTIVE_DEMAND, &r->absent, &v);
        r->active_demand_deciwatt = (int32_t)v;
        if (status == PREPAY_OK) {
            status = read_value(p + 3, 3, true, PREPAY_LOAD_FIELD_REACTIVE_DEMAND, &r->absent, &v);
            r->reactive_demand_decivar = (int32_t)v;
        }
        break;
    }
    return status;
}

/* ---- records ---------------------------------------------------------------- */

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++) {
        s = (uint8_t)(s + p[i]);
    }
    return s;
}

/* Where the checksum sits if the length byte counts from the time to the
 * last AA (standard) or also counts CS and E5 (alternative). Returns
 * true with *cs_at when that position holds a matching CS followed by E5. */
static bool end_matches(const uint8_t *p, size_t avail, size_t cs_at)
{
    return cs_at >= OFFSET_BLOCKS && cs_at + 2u <= avail && p[cs_at + 1u] == PREPAY_LOAD_RECORD_END &&
           sum8(p, cs_at) == p[cs_at];
}

/* The block layout of one good record, walked from OFFSET_BLOCKS: classes
 * seen and where the blocks end. */
typedef struct walk {
    size_t end;              /* offset after the last separator walked */
    uint8_t classes;         /* bit k-1: class k has values */
    size_t offset[PREPAY_LOAD_RECORD_CLASSES]; /* where class k's values start */
    bool compact;            /* one-class reply without the leading separators */
} walk_t;

static int walk_blocks(unsigned asked, const uint8_t *p, size_t avail, walk_t *w)
{
    memset(w, 0, sizeof *w);
    size_t pos = OFFSET_BLOCKS;
    if (pos >= avail) {
        return PREPAY_E_LOADPROFILE_TRUNCATED;
    }
    unsigned first = 1;
    unsigned last = PREPAY_LOAD_RECORD_CLASSES;
    if (asked != 0u && p[pos] != PREPAY_LOAD_RECORD_SEPARATOR) {
        /* A one-class reply carrying its block alone (seen in the field:
         * terminals re-insert the AA of the classes before it). */
        first = asked;
        last = asked;
        w->compact = true;
    }
    for (unsigned k = first; k <= last; k++) {
        if (pos >= avail) {
            return PREPAY_E_LOADPROFILE_TRUNCATED;
        }
        if (p[pos] != PREPAY_LOAD_RECORD_SEPARATOR || w->compact) {
            size_t n = block_size[k - 1u];
            if (n + 1u > avail - pos) {
                return PREPAY_E_LOADPROFILE_TRUNCATED;
            }
            if (p[pos + n] != PREPAY_LOAD_RECORD_SEPARATOR) {
                return PREPAY_E_LOADPROFILE_BAD_SEPARATOR;
            }
            if (asked != 0u && k != asked) {
                return PREPAY_E_LOADPROFILE_BAD_BLOCK; /* another class in a one-class reply */
            }
            w->classes = (uint8_t)(w->classes | (1u << (k - 1u)));
            w->offset[k - 1u] = pos;
            pos += n;
        }
        pos++; /* the separator */
    }
    w->end = pos;
    return PREPAY_OK;
}

/* Decodes one record at p; *used is its size. */
static int decode_one(unsigned asked, const uint8_t *p, size_t avail, prepay_load_record_t *r, size_t *used)
{
    if (avail < 2u) {
        return PREPAY_E_LOADPROFILE_TRUNCATED;
    }
    bool good = p[0] == PREPAY_LOAD_RECORD_START && p[1] == PREPAY_LOAD_RECORD_START;
    bool marked = p[0] == PREPAY_LOAD_RECORD_BAD_START && p[1] == PREPAY_LOAD_RECORD_BAD_START;
    if (!good && !marked) {
        return PREPAY_E_LOADPROFILE_BAD_START;
    }
    if (avail < OFFSET_BLOCKS) {
        return PREPAY_E_LOADPROFILE_TRUNCATED;
    }
    size_t len = p[OFFSET_LENGTH];
    size_t cs_standard = OFFSET_TIME + len;
    size_t cs_alternative = len >= 2u ? OFFSET_TIME + len - 2u : 0u;
    memset(r, 0, sizeof *r);
    size_t cs_at = 0;
    if (marked) {
        /* Values of a marked record are not trusted: only its frame is checked. */
        if (end_matches(p, avail, cs_standard)) {
            cs_at = cs_standard;
        } else if (end_matches(p, avail, cs_alternative)) {
            cs_at = cs_alternative;
        } else {
            return cs_standard + 2u > avail ? PREPAY_E_LOADPROFILE_TRUNCATED : PREPAY_E_LOADPROFILE_BAD_CHECKSUM;
        }
        r->marked_bad = true;
        if (prepay_time_from_dlt645_minute(p + OFFSET_TIME, &r->time) != PREPAY_OK) {
            r->time = 0;
        }
        *used = cs_at + 2u;
        return PREPAY_OK;
    }
    walk_t w;
    int status = walk_blocks(asked, p, avail, &w);
    if (status == PREPAY_E_LOADPROFILE_BAD_SEPARATOR && asked != 0u && walk_blocks(0, p, avail, &w) == PREPAY_OK) {
        return PREPAY_E_LOADPROFILE_BAD_BLOCK; /* well formed, but with classes other than the one asked */
    }
    if (status != PREPAY_OK) {
        return status;
    }
    /* After the walk: optional trailing separators (compact one-class replies
     * may keep the AA of the classes after theirs), then CS and E5. The
     * length byte says where CS is, by one of two conventions. */
    size_t candidates[2] = {cs_standard, cs_alternative};
    bool length_fits = false;
    int candidate_error = PREPAY_OK;
    for (unsigned c = 0; c < 2u && cs_at == 0u; c++) {
        size_t at = candidates[c];
        if (at < w.end || at - w.end > (w.compact ? (size_t)(PREPAY_LOAD_RECORD_CLASSES - asked) : 0u)) {
            continue;
        }
        length_fits = true;
        if (at + 2u > avail) {
            continue; /* truncated under this convention; the other may fit */
        }
        bool separators = true;
        for (size_t i = w.end; i < at; i++) {
            separators = separators && p[i] == PREPAY_LOAD_RECORD_SEPARATOR;
        }
        if (!separators) {
            candidate_error = PREPAY_E_LOADPROFILE_BAD_SEPARATOR;
        } else if (p[at + 1u] != PREPAY_LOAD_RECORD_END) {
            candidate_error = PREPAY_E_LOADPROFILE_BAD_SEPARATOR;
        } else if (sum8(p, at) != p[at]) {
            candidate_error = PREPAY_E_LOADPROFILE_BAD_CHECKSUM;
        } else {
            cs_at = at;
        }
    }
    if (cs_at == 0u) {
        if (candidate_error != PREPAY_OK) {
            return candidate_error;
        }
        return length_fits ? PREPAY_E_LOADPROFILE_TRUNCATED : PREPAY_E_LOADPROFILE_BAD_LENGTH;
    }
    if (prepay_time_from_dlt645_minute(p + OFFSET_TIME, &r->time) != PREPAY_OK) {
        return PREPAY_E_LOADPROFILE_BAD_VALUE;
    }
    r->classes = w.classes;
    for (unsigned k = 1; k <= PREPAY_LOAD_RECORD_CLASSES; k++) {
        if ((w.classes & (1u << (k - 1u))) != 0u) {
            status = decode_block(k, p + w.offset[k - 1u], r);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    if (asked != 0u && w.classes != 0u && w.classes != (uint8_t)(1u << (asked - 1u))) {
        return PREPAY_E_LOADPROFILE_BAD_BLOCK; /* not reached: the walk refuses other classes */
    }
    *used = cs_at + 2u;
    return PREPAY_OK;
}

int prepay_load_record_decode(uint32_t di, const uint8_t *data, size_t len, prepay_load_record_t *records,
                              size_t records_cap, size_t *count)
{
    if (count != NULL) {
        *count = 0;
    }
    if (count == NULL || (data == NULL && len > 0u) || (records == NULL && records_cap > 0u)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned asked = 0;
    int status = prepay_load_record_parse_di(di, &asked, NULL);
    if (status != PREPAY_OK) {
        return status;
    }
    if (len == 0u) {
        return PREPAY_E_LOADPROFILE_TRUNCATED; /* a reply with no record at all */
    }
    size_t n = 0;
    size_t pos = 0;
    bool have_time = false;
    prepay_time_t last = 0;
    while (pos < len) {
        prepay_load_record_t r;
        size_t used = 0;
        status = decode_one(asked, data + pos, len - pos, &r, &used);
        if (status != PREPAY_OK) {
            return status;
        }
        if (!r.marked_bad) {
            if (have_time && r.time <= last) {
                return PREPAY_E_LOADPROFILE_TIME_ORDER;
            }
            have_time = true;
            last = r.time;
        }
        if (n >= records_cap) {
            return PREPAY_E_BUFFER_TOO_SMALL;
        }
        records[n++] = r;
        pos += used;
    }
    *count = n;
    return PREPAY_OK;
}

/* ---- encoder ------------------------------------------------------------------ */

static int put_value(uint8_t *p, size_t n, bool is_signed, bool absent, int64_t v)
{
    if (absent) {
        memset(p, 0xFF, n);
        return PREPAY_OK;
    }
    if (is_signed) {
        return prepay_bcd_encode_signed(v, p, n);
    }
    if (v < 0) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    return prepay_bcd_encode((uint64_t)v, p, n);
}

/* The values of the blocks, in wire order, which is also the order of the PREPAY_LOAD_FIELD_* bits
 * and of the members: runs of `count` array elements of one format, each with its first field bit.
 * A table, not a switch of loops: it is flash on a meter. */
enum { RUN_SIGNED = 1, RUN_TENS = 2 /* an int64_t of Wh or varh, sent in units of 10 (0.01 kWh) */ };

typedef struct value_run {
    uint8_t offset; /* member of prepay_load_record_t: int32_t[count], or int64_t[count] with RUN_TENS */
    uint8_t count;
    uint8_t bytes;  /* BCD bytes of each value on the wire */
    uint8_t flags;  /* RUN_SIGNED, RUN_TENS */
    uint8_t bit;    /* PREPAY_LOAD_FIELD_* bit of the first element */
} value_run_t;

_Static_assert(sizeof(prepay_load_record_t) <= 256, "member offsets are one byte");

#define RUN(member, count, bytes, flags, bit)                                                                  \
    {(uint8_t)offsetof(prepay_load_record_t, member), count, bytes, flags, bit}

static const value_run_t runs[] = {
    /* class 1: voltage XXX.X V, current XXX.XXX A, frequency XX.XX Hz */
    RUN(voltage_decivolt, 3, 2, 0, 0),
    RUN(current_milliamp, 3, 3, RUN_SIGNED, 3),
    RUN(frequency_centihertz, 1, 2, 0, 6),
    /* class 2: active XX.XXXX kW and reactive XX.XXXX kvar power, total and A..C */
    RUN(active_power_deciwatt, 4, 3, RUN_SIGNED, 7),
    RUN(reactive_power_decivar, 4, 3, RUN_SIGNED, 11),
    /* class 3: power factor X.XXX, total and A..C */
    RUN(power_factor_milli, 4, 2, RUN_SIGNED, 15),
    /* class 4: forward and reverse active, combined reactive 1 and 2, XXXXXX.XX kWh / kvarh */
    RUN(forward_active_wh, 1, 4, RUN_TENS, 19),
    RUN(reverse_active_wh, 1, 4, RUN_TENS, 20),
    RUN(combined_reactive_varh, 2, 4, RUN_SIGNED | RUN_TENS, 21),
    /* class 5: quadrant I..IV reactive, XXXXXX.XX kvarh */
    RUN(quadrant_reactive_varh, 4, 4, RUN_TENS, 23),
    /* class 6: active XX.XXXX kW and reactive XX.XXXX kvar demand */
    RUN(active_demand_deciwatt, 1, 3, RUN_SIGNED, 27),
    RUN(reactive_demand_decivar, 1, 3, RUN_SIGNED, 28),
};

#undef RUN

/* Class k's runs: runs[class_runs[k - 1]] .. runs[class_runs[k] - 1]. */
static const uint8_t class_runs[PREPAY_LOAD_RECORD_CLASSES + 1] = {0, 3, 5, 6, 9, 10, 12};

static int encode_block(unsigned k, const prepay_load_record_t *r, uint8_t *p)
{
    for (unsigned i = class_runs[k - 1u]; i < class_runs[k]; i++) {
        const value_run_t *run = &runs[i];
        const unsigned char *member = (const unsigned char *)r + run->offset;
        bool is_signed = (run->flags & RUN_SIGNED) != 0;
        uint32_t absent = r->absent >> run->bit;
        for (unsigned j = 0; j < run->count; j++) {
            int64_t v;
            if (run->flags & RUN_TENS) {
                memcpy(&v, member + j * sizeof v, sizeof v);
                if (v % 10 != 0) {
                    return PREPAY_E_OUT_OF_RANGE; /* the register holds 0.01 kWh steps */
                }
                v /= 10;
            } else {
                int32_t w;
                memcpy(&w, member + j * sizeof w, sizeof w);
                v = w;
            }
            int s = put_value(p, run->bytes, is_signed, (absent & (1u << j)) != 0u, v);
            if (s != PREPAY_OK) {
                return s;
            }
            p += run->bytes;
        }
    }
    return PREPAY_OK;
}

int prepay_load_record_encode(const prepay_load_record_t *record, uint8_t *out, size_t out_cap)
{
    if (record == NULL || out == NULL || (record->classes & ~0x3Fu) != 0u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t buf[PREPAY_LOAD_RECORD_FULL_SIZE];
    size_t pos = OFFSET_BLOCKS;
    buf[0] = PREPAY_LOAD_RECORD_START;
    buf[1] = PREPAY_LOAD_RECORD_START;
    int status = prepay_time_to_dlt645_minute(record->time, buf + OFFSET_TIME);
    if (status != PREPAY_OK) {
        return status;
    }
    for (unsigned k = 1; k <= PREPAY_LOAD_RECORD_CLASSES; k++) {
        if ((record->classes & (1u << (k - 1u))) != 0u) {
            status = encode_block(k, record, buf + pos);
            if (status != PREPAY_OK) {
                return status == PREPAY_E_INVALID_ARGUMENT ? PREPAY_E_OUT_OF_RANGE : status;
            }
            pos += block_size[k - 1u];
        }
        buf[pos++] = PREPAY_LOAD_RECORD_SEPARATOR;
    }
    buf[OFFSET_LENGTH] = (uint8_t)(pos - OFFSET_TIME);
    buf[pos] = sum8(buf, pos);
    buf[pos + 1u] = PREPAY_LOAD_RECORD_END;
    pos += 2u;
    if (pos > out_cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memcpy(out, buf, pos);
    return (int)pos;
}
