/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers of the journal: little-endian field access, the
 * journal's internal states, and functions shared between its files.
 * Not installed.
 */
#ifndef PREPAY_JOURNAL_INTERNAL_H
#define PREPAY_JOURNAL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/journal.h"

/* Journal handle states (prepay_journal_t.state). 0 = never opened. */
#define PREPAY__JOURNAL_CLOSED 0u
#define PREPAY__JOURNAL_READY 0xA5u
#define PREPAY__JOURNAL_BROKEN 0x5Au

/* The highest record type any format version knows (ACCOUNT = 1 is the lowest). */
#define PREPAY__JOURNAL_RECORD_LAST PREPAY_JOURNAL_RECORD_APP

/*
 * Can a journal of format `version` hold a record of this type and payload
 * length? Format 1 knows ACCOUNT, TRANSFER (96-byte payload only), COMMIT
 * and CLOSE; format 2 adds CUT, EXPIRE, APP and 104-byte transfers (deadlines).
 * Payload contents are checked by their decoders, not here.
 */
static inline bool prepay__journal_format_holds(uint32_t version, uint16_t type, size_t payload_length)
{
    if (version >= 2u) {
        return true;
    }
    if (type == PREPAY_JOURNAL_RECORD_TRANSFER) {
        return payload_length == PREPAY_JOURNAL_TRANSFER_SIZE;
    }
    return type != PREPAY_JOURNAL_RECORD_CUT && type != PREPAY_JOURNAL_RECORD_EXPIRE &&
           type != PREPAY_JOURNAL_RECORD_APP;
}

/* Writes a journal header (PREPAY_JOURNAL_HEADER_SIZE bytes) declaring `version`. */
void prepay__journal_header_encode_version(uint8_t *out, uint16_t version);

/* Loads a snapshot (formats 1 and 2) and the totals of the cuts it carries (zero for format 1). */
int prepay__journal_snapshot_load(const prepay_snapshot_io_t *snapshot, prepay_ledger_t *ledger, uint64_t *sequence,
                                  uint64_t *records, prepay_journal_cuts_t *cuts);

static inline void prepay__put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static inline void prepay__put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
}

static inline void prepay__put_u64(uint8_t *p, uint64_t v)
{
    prepay__put_u32(p, (uint32_t)(v & 0xFFFFFFFFu));
    prepay__put_u32(p + 4, (uint32_t)(v >> 32));
}

/* Two's complement: the bit pattern of v as uint64_t (well defined in C). */
static inline void prepay__put_i64(uint8_t *p, int64_t v)
{
    prepay__put_u64(p, (uint64_t)v);
}

static inline uint16_t prepay__get_u16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t prepay__get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t prepay__get_u64(const uint8_t *p)
{
    return (uint64_t)prepay__get_u32(p) | (uint64_t)prepay__get_u32(p + 4) << 32;
}

/* Converts the two's complement pattern back without implementation-defined casts. */
static inline int64_t prepay__get_i64(const uint8_t *p)
{
    uint64_t u = prepay__get_u64(p);
    if (u <= (uint64_t)INT64_MAX) {
        return (int64_t)u;
    }
    return -(int64_t)(~u) - 1;
}

#endif /* PREPAY_JOURNAL_INTERNAL_H */
