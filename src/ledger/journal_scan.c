/* SPDX-License-Identifier: MIT */
/*
 * Journal recovery scan: validate, find the last complete batch, classify
 * what follows it (torn tail or corruption inside the log), then hand the
 * committed records over. See docs/journal.md, "Recovery".
 *
 * Format 2 writes every commit record twice, back to back. A batch is
 * complete when its first copy is whole; a damaged copy whose twin is whole
 * and describes the same batch is counted (info->damaged_commits) and the
 * batch kept, so a bit flip in the last commit record no longer looks like
 * a torn write.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journal_internal.h"
#include "prepay/journal.h"

/* Reads the storage through a window of PREPAY_JOURNAL_SCAN_BUFFER bytes. */
typedef struct reader {
    const prepay_journal_io_t *io;
    uint64_t size;
    uint64_t base;
    size_t length;
    uint8_t buffer[PREPAY_JOURNAL_SCAN_BUFFER];
} reader_t;

/* Where pass 1 stands: the batch being read and the last complete one. */
typedef struct structure {
    uint32_t version;
    uint64_t after_sequence;
    uint64_t offset;         /* where decoding stands */
    uint64_t expected;       /* sequence of the next record; 0 before the first */
    uint64_t batch_first;    /* sequence of the open batch's first record */
    uint32_t batch_count;    /* records of the open batch seen so far */
    uint64_t last_committed; /* sequence of the last complete batch's commit record */
} structure_t;

/* Makes bytes [offset, offset + min(want, size - offset)) available. */
static int reader_window(reader_t *r, uint64_t offset, size_t want, const uint8_t **data, size_t *available)
{
    uint64_t remaining = r->size - offset; /* offset <= size is the caller's invariant */
    size_t need = remaining < want ? (size_t)remaining : want;
    if (offset < r->base || offset + need > r->base + r->length) {
        size_t n = remaining < PREPAY_JOURNAL_SCAN_BUFFER ? (size_t)remaining : PREPAY_JOURNAL_SCAN_BUFFER;
        if (r->io->read(r->io->context, offset, r->buffer, n) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_IO;
        }
        r->base = offset;
        r->length = n;
    }
    *data = r->buffer + (size_t)(offset - r->base);
    *available = need;
    return PREPAY_OK;
}

/*
 * After a bad record at bad_offset: is there a valid commit record with a
 * later sequence anywhere after it? Checks every byte offset (a record may
 * start anywhere once framing is lost).
 */
static int committed_after(reader_t *r, uint64_t bad_offset, uint64_t last_committed, bool *found)
{
    *found = false;
    for (uint64_t p = bad_offset + 1; p + PREPAY_JOURNAL_COMMIT_SIZE <= r->size; p++) {
        const uint8_t *data;
        size_t available;
        int status = reader_window(r, p, PREPAY_JOURNAL_COMMIT_SIZE, &data, &available);
        if (status != PREPAY_OK) {
            return status;
        }
        /* Cheap filter before the CRC: a commit record's fixed header fields. */
        if (prepay__get_u32(data) != PREPAY_JOURNAL_COMMIT_SIZE ||
            prepay__get_u16(data + 4) != PREPAY_JOURNAL_RECORD_COMMIT) {
            continue;
        }
        prepay_journal_record_t record;
        if (prepay_journal_record_decode(data, available, &record) > 0 && record.sequence > last_committed) {
            *found = true;
            return PREPAY_OK;
        }
    }
    return PREPAY_OK;
}

/* The first record may repeat sequences a snapshot covers; then they must follow one another. */
static bool in_sequence(const structure_t *s, uint64_t sequence)
{
    return s->expected == 0 ? sequence <= s->after_sequence + 1 : sequence == s->expected;
}

/* Does this (decoded, in-sequence) commit record describe exactly the open batch? */
static bool commit_matches(const structure_t *s, const prepay_journal_record_t *record)
{
    prepay_journal_commit_t commit;
    uint64_t first = s->batch_count > 0 ? s->batch_first : record->sequence;
    return prepay_journal_commit_decode(record->payload, record->payload_length, &commit) == PREPAY_OK &&
           commit.first_sequence == first && commit.record_count == s->batch_count;
}

/* The open batch is complete: its commit record (and copy) ends at end. */
static void accept_batch(structure_t *s, prepay_journal_recovery_t *info, uint64_t commit_sequence, uint64_t end)
{
    info->batches++;
    info->committed_end = end;
    s->last_committed = commit_sequence;
    s->batch_count = 0;
    s->expected = commit_sequence + 1;
    s->offset = end;
}

static void note_damaged(prepay_journal_recovery_t *info, uint64_t offset)
{
    if (info->damaged_commits == 0) {
        info->damaged_offset = offset;
    }
    info->damaged_commits++;
}

/*
 * Format 2, bytes at s->offset that do not decode: are they a damaged first
 * commit copy? Yes if the 36 bytes after them are a whole commit record in
 * sequence that describes the open batch. Returns 1 (accepted), 0, or an error.
 */
static int damaged_first_copy(reader_t *r, structure_t *s, prepay_journal_recovery_t *info)
{
    uint64_t twin = s->offset + PREPAY_JOURNAL_COMMIT_SIZE;
    if (r->size - s->offset < 2u * PREPAY_JOURNAL_COMMIT_SIZE) {
        return 0;
    }
    const uint8_t *data;
    size_t available;
    int status = reader_window(r, twin, PREPAY_JOURNAL_COMMIT_SIZE, &data, &available);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_journal_record_t record;
    if (prepay_journal_record_decode(data, available, &record) != (int)PREPAY_JOURNAL_COMMIT_SIZE ||
        record.type != PREPAY_JOURNAL_RECORD_COMMIT || !in_sequence(s, record.sequence) ||
        !commit_matches(s, &record)) {
        return 0;
    }
    note_damaged(info, s->offset);
    accept_batch(s, info, record.sequence, twin + PREPAY_JOURNAL_COMMIT_SIZE);
    return 1;
}

/*
 * A valid commit record at s->offset closes the open batch. In format 2 its
 * copy follows: compared byte for byte (a difference is a damaged copy);
 * absent or cut short, it is a torn tail after a complete batch (*copy_torn).
 */
static int close_batch(reader_t *r, structure_t *s, const uint8_t *data, const prepay_journal_record_t *record,
                       prepay_journal_recovery_t *info, bool *copy_torn)
{
    uint64_t end = s->offset + record->length;
    if (s->version >= 2u) {
        uint8_t first_copy[PREPAY_JOURNAL_COMMIT_SIZE];
        memcpy(first_copy, data, sizeof first_copy);
        if (r->size - end < PREPAY_JOURNAL_COMMIT_SIZE) {
            info->final_copy_missing = true;
            *copy_torn = true;
            accept_batch(s, info, record->sequence, end);
            return PREPAY_OK;
        }
        const uint8_t *twin;
        size_t available;
        int status = reader_window(r, end, PREPAY_JOURNAL_COMMIT_SIZE, &twin, &available);
        if (status != PREPAY_OK) {
            return status;
        }
        if (memcmp(twin, first_copy, sizeof first_copy) != 0) {
            note_damaged(info, end);
        }
        end += PREPAY_JOURNAL_COMMIT_SIZE;
    }
    accept_batch(s, info, record->sequence, end);
    return PREPAY_OK;
}

/* Could the bytes at offset be the start of the record with sequence `next` (a torn batch)? */
static int looks_like_start(reader_t *r, uint64_t offset, uint64_t next, bool *result)
{
    *result = false;
    if (offset >= r->size) {
        return PREPAY_OK;
    }
    const uint8_t *data;
    size_t available;
    int status = reader_window(r, offset, PREPAY_JOURNAL_RECORD_HEADER_SIZE, &data, &available);
    if (status != PREPAY_OK) {
        return status;
    }
    uint8_t header[PREPAY_JOURNAL_RECORD_HEADER_SIZE];
    prepay__put_u16(header + 6, 0);
    prepay__put_u64(header + 8, next);
    if (available >= 4) {
        uint32_t length = prepay__get_u32(data);
        if (length < PREPAY_JOURNAL_RECORD_OVERHEAD || length > PREPAY_JOURNAL_MAX_RECORD) {
            return PREPAY_OK;
        }
    }
    if (available >= 6) {
        uint16_t type = prepay__get_u16(data + 4);
        if (type < PREPAY_JOURNAL_RECORD_ACCOUNT || type > PREPAY__JOURNAL_RECORD_LAST) {
            return PREPAY_OK;
        }
    }
    /* Reserved field and sequence, as far as they were written. */
    for (size_t i = 6; i < available; i++) {
        if (data[i] != header[i]) {
            return PREPAY_OK;
        }
    }
    *result = true;
    return PREPAY_OK;
}

/* Pass 1: validates and finds the committed end; describes the torn tail. */
static int scan_structure(reader_t *r, uint32_t version, uint64_t after_sequence, prepay_journal_recovery_t *info)
{
    structure_t s;
    memset(&s, 0, sizeof s);
    s.version = version;
    s.after_sequence = after_sequence;
    s.offset = PREPAY_JOURNAL_HEADER_SIZE;
    bool bad = false;
    bool copy_torn = false;

    info->committed_end = PREPAY_JOURNAL_HEADER_SIZE;
    while (s.offset < r->size && !copy_torn) {
        const uint8_t *data;
        size_t available;
        int status = reader_window(r, s.offset, PREPAY_JOURNAL_MAX_RECORD, &data, &available);
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_journal_record_t record;
        /* A record its format cannot hold (CUT, EXPIRE, a deadline in format 1) is a bad record. */
        if (prepay_journal_record_decode(data, available, &record) < 0 ||
            !prepay__journal_format_holds(version, record.type, record.payload_length)) {
            status = version >= 2u ? damaged_first_copy(r, &s, info) : 0;
            if (status < 0) {
                return status;
            }
            if (status == 1) {
                continue;
            }
            bad = true;
            break;
        }
        if (!in_sequence(&s, record.sequence)) {
            /* A whole valid record out of sequence cannot come from a torn write. */
            info->corrupt_offset = s.offset;
            return PREPAY_E_JOURNAL_SEQUENCE;
        }
        if (record.type == PREPAY_JOURNAL_RECORD_COMMIT) {
            if (!commit_matches(&s, &record)) {
                info->corrupt_offset = s.offset;
                return PREPAY_E_JOURNAL_CORRUPT;
            }
            status = close_batch(r, &s, data, &record, info, &copy_torn);
            if (status != PREPAY_OK) {
                return status;
            }
            continue;
        }
        if (s.batch_count == UINT32_MAX - 1u) {
            info->corrupt_offset = s.offset; /* no writer makes a batch this long */
            return PREPAY_E_JOURNAL_CORRUPT;
        }
        if (s.batch_count == 0) {
            s.batch_first = record.sequence;
        }
        s.batch_count++;
        s.expected = record.sequence + 1;
        s.offset += record.length;
    }
    info->last_sequence = s.last_committed;
    if (bad) {
        bool found;
        int status = committed_after(r, s.offset, s.last_committed, &found);
        if (status != PREPAY_OK) {
            return status;
        }
        if (found) {
            info->corrupt_offset = s.offset;
            return PREPAY_E_JOURNAL_CORRUPT;
        }
    }
    /* The journal must reach the snapshot: a shorter non-empty journal lost batches. */
    if (s.last_committed != 0 && s.last_committed < after_sequence) {
        info->corrupt_offset = info->committed_end;
        return PREPAY_E_JOURNAL_SEQUENCE;
    }
    /* What a cut would drop: the complete records of an unfinished batch, and whether one was begun. */
    if (!copy_torn) {
        bool begun = s.batch_count > 0;
        if (!begun) {
            uint64_t next = s.expected != 0 ? s.expected : after_sequence + 1;
            int status = looks_like_start(r, s.offset, next, &begun);
            if (status != PREPAY_OK) {
                return status;
            }
        }
        info->tail_records = s.batch_count;
        info->tail_batches = begun ? 1u : 0u;
    }
    return PREPAY_OK;
}

/* Adds a committed CUT record to the totals of earlier cuts. */
static int count_cut(const prepay_journal_record_t *record, prepay_journal_recovery_t *info)
{
    prepay_journal_cut_t cut;
    if (prepay_journal_cut_decode(record->payload, record->payload_length, &cut) != PREPAY_OK) {
        return PREPAY_E_JOURNAL_CORRUPT;
    }
    info->earlier_cuts.count++;
    info->earlier_cuts.bytes += cut.bytes;
    info->earlier_cuts.records += cut.records;
    info->earlier_cuts.batches += cut.batches;
    return PREPAY_OK;
}

/* Pass 2: hands over the committed records after after_sequence, following pass 1's framing. */
static int hand_over(reader_t *r, uint32_t version, uint64_t after_sequence, prepay_journal_record_fn on_record,
                     void *context, prepay_journal_recovery_t *info)
{
    uint64_t copy = version >= 2u ? PREPAY_JOURNAL_COMMIT_SIZE : 0u;
    uint64_t offset = PREPAY_JOURNAL_HEADER_SIZE;
    while (offset < info->committed_end) {
        const uint8_t *data;
        size_t available;
        int status = reader_window(r, offset, PREPAY_JOURNAL_MAX_RECORD, &data, &available);
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_journal_record_t record;
        if (prepay_journal_record_decode(data, available, &record) < 0) {
            /* Pass 1 accepted it: a damaged first commit copy, whose twin follows. */
            prepay_journal_record_t twin;
            if (copy != 0 && info->committed_end - offset >= 2u * copy && available >= 2u * copy &&
                prepay_journal_record_decode(data + copy, (size_t)copy, &twin) > 0 &&
                twin.type == PREPAY_JOURNAL_RECORD_COMMIT) {
                offset += 2u * copy;
                continue;
            }
            /* Changed between the passes: the storage is not stable. */
            info->corrupt_offset = offset;
            return PREPAY_E_JOURNAL_IO;
        }
        if (record.type == PREPAY_JOURNAL_RECORD_COMMIT) {
            offset += record.length + copy;
            continue;
        }
        if (record.sequence <= after_sequence) {
            info->skipped_records++;
        } else if (record.type == PREPAY_JOURNAL_RECORD_CUT) {
            if (count_cut(&record, info) != PREPAY_OK) {
                info->corrupt_offset = offset;
                return PREPAY_E_JOURNAL_CORRUPT;
            }
        } else {
            if (on_record != NULL && on_record(context, &record) < 0) {
                info->corrupt_offset = offset;
                return PREPAY_E_JOURNAL_REPLAY;
            }
            info->records++;
        }
        offset += record.length;
    }
    return PREPAY_OK;
}

/* Storage shorter than a header: a prefix of a valid header (any version) is a crash during creation. */
static bool is_header_prefix(const uint8_t *data, size_t length)
{
    for (uint16_t version = PREPAY_JOURNAL_VERSION_MIN; version <= PREPAY_JOURNAL_VERSION; version++) {
        uint8_t header[PREPAY_JOURNAL_HEADER_SIZE];
        prepay__journal_header_encode_version(header, version);
        if (memcmp(header, data, length) == 0) {
            return true;
        }
    }
    return false;
}

int prepay_journal_scan(const prepay_journal_io_t *io, uint64_t after_sequence, prepay_journal_record_fn on_record,
                        void *context, bool truncate_tail, prepay_journal_recovery_t *info)
{
    if (io == NULL || info == NULL || io->read == NULL || io->size == NULL ||
        (truncate_tail && io->truncate == NULL)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(info, 0, sizeof *info);
    uint64_t size;
    if (io->size(io->context, &size) != PREPAY_OK) {
        return PREPAY_E_JOURNAL_IO;
    }
    info->storage_size = size;
    if (size == 0) {
        return PREPAY_OK;
    }
    reader_t r;
    r.io = io;
    r.size = size;
    r.base = 0;
    r.length = 0;
    const uint8_t *data;
    size_t available;
    int status = reader_window(&r, 0, PREPAY_JOURNAL_HEADER_SIZE, &data, &available);
    if (status != PREPAY_OK) {
        return status;
    }
    if (size < PREPAY_JOURNAL_HEADER_SIZE) {
        if (!is_header_prefix(data, available)) {
            return PREPAY_E_JOURNAL_BAD_HEADER;
        }
        info->committed_end = 0;
        info->truncated_bytes = size;
        if (truncate_tail) {
            if (io->truncate(io->context, 0) != PREPAY_OK) {
                return PREPAY_E_JOURNAL_IO;
            }
            info->tail_cut = true;
        }
        return PREPAY_OK;
    }
    int version = prepay_journal_header_version(data, available);
    if (version < 0) {
        return version;
    }
    info->version = (uint32_t)version;
    status = scan_structure(&r, (uint32_t)version, after_sequence, info);
    if (status != PREPAY_OK) {
        return status;
    }
    status = hand_over(&r, (uint32_t)version, after_sequence, on_record, context, info);
    if (status != PREPAY_OK) {
        return status;
    }
    if (info->committed_end < size) {
        info->truncated_bytes = size - info->committed_end;
        if (truncate_tail) {
            if (io->truncate(io->context, info->committed_end) != PREPAY_OK) {
                return PREPAY_E_JOURNAL_IO;
            }
            info->tail_cut = true;
        }
    }
    return PREPAY_OK;
}
