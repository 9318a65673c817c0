/*
 * Journal recovery scan: validate, find the last complete batch, classify
 * what follows it (torn tail or corruption inside the log), then hand the
 * committed records over. See docs/journal.md, "Recovery".
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

/* Pass 1: validates and finds the committed end. */
static int scan_structure(reader_t *r, uint64_t after_sequence, prepay_journal_recovery_t *info)
{
    uint64_t offset = PREPAY_JOURNAL_HEADER_SIZE;
    uint64_t expected = 0; /* sequence of the next record; 0 before the first */
    uint64_t batch_first = 0;
    uint32_t batch_count = 0;
    uint64_t last_committed = 0;
    bool bad = false;

    info->committed_end = PREPAY_JOURNAL_HEADER_SIZE;
    while (offset < r->size) {
        const uint8_t *data;
        size_t available;
        int status = reader_window(r, offset, PREPAY_JOURNAL_MAX_RECORD, &data, &available);
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_journal_record_t record;
        if (prepay_journal_record_decode(data, available, &record) < 0) {
            bad = true;
            break;
        }
        if (expected == 0 ? record.sequence > after_sequence + 1 : record.sequence != expected) {
            /* A whole valid record out of sequence cannot come from a torn write. */
            info->corrupt_offset = offset;
            return PREPAY_E_JOURNAL_SEQUENCE;
        }
        if (record.type == PREPAY_JOURNAL_RECORD_COMMIT) {
            prepay_journal_commit_t commit;
            uint64_t first = batch_count > 0 ? batch_first : record.sequence;
            if (prepay_journal_commit_decode(record.payload, record.payload_length, &commit) != PREPAY_OK ||
                commit.first_sequence != first || commit.record_count != batch_count) {
                info->corrupt_offset = offset;
                return PREPAY_E_JOURNAL_CORRUPT;
            }
            info->batches++;
            info->committed_end = offset + record.length;
            last_committed = record.sequence;
            batch_count = 0;
        } else {
            if (batch_count == 0) {
                batch_first = record.sequence;
            }
            batch_count++;
        }
        expected = record.sequence + 1;
        offset += record.length;
    }
    info->last_sequence = last_committed;
    if (bad) {
        bool found;
        int status = committed_after(r, offset, last_committed, &found);
        if (status != PREPAY_OK) {
            return status;
        }
        if (found) {
            info->corrupt_offset = offset;
            return PREPAY_E_JOURNAL_CORRUPT;
        }
    }
    /* The journal must reach the snapshot: a shorter non-empty journal lost batches. */
    if (last_committed != 0 && last_committed < after_sequence) {
        info->corrupt_offset = info->committed_end;
        return PREPAY_E_JOURNAL_SEQUENCE;
    }
    return PREPAY_OK;
}

/* Pass 2: hands over the committed records after after_sequence. */
static int hand_over(reader_t *r, uint64_t after_sequence, prepay_journal_record_fn on_record, void *context,
                     prepay_journal_recovery_t *info)
{
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
            /* Changed between the passes: the storage is not stable. */
            info->corrupt_offset = offset;
            return PREPAY_E_JOURNAL_IO;
        }
        if (record.type != PREPAY_JOURNAL_RECORD_COMMIT) {
            if (record.sequence <= after_sequence) {
                info->skipped_records++;
            } else {
                if (on_record != NULL && on_record(context, &record) < 0) {
                    info->corrupt_offset = offset;
                    return PREPAY_E_JOURNAL_REPLAY;
                }
                info->records++;
            }
        }
        offset += record.length;
    }
    return PREPAY_OK;
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
        /* A torn header from a crash during creation: a prefix of a valid one. */
        uint8_t header[PREPAY_JOURNAL_HEADER_SIZE];
        (void)prepay_journal_header_encode(header, sizeof header);
        if (memcmp(header, data, available) != 0) {
            return PREPAY_E_JOURNAL_BAD_HEADER;
        }
        info->committed_end = 0;
        info->truncated_bytes = size;
        if (truncate_tail && io->truncate(io->context, 0) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_IO;
        }
        return PREPAY_OK;
    }
    status = prepay_journal_header_decode(data, available);
    if (status != PREPAY_OK) {
        return status;
    }
    status = scan_structure(&r, after_sequence, info);
    if (status != PREPAY_OK) {
        return status;
    }
    status = hand_over(&r, after_sequence, on_record, context, info);
    if (status != PREPAY_OK) {
        return status;
    }
    if (info->committed_end < size) {
        info->truncated_bytes = size - info->committed_end;
        if (truncate_tail && io->truncate(io->context, info->committed_end) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_IO;
        }
    }
    return PREPAY_OK;
}
