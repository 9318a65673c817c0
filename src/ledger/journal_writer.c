/* SPDX-License-Identifier: MIT */
/*
 * Journal writer: batches staged in the caller's buffer, appended, closed by
 * a commit record (written twice in format 2) and made durable with ONE
 * sync (group commit). Attaching completes what a crash left half done and
 * records a tail cut by recovery as a CUT record.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journal_internal.h"
#include "prepay/journal.h"

static int check_ready(const prepay_journal_t *journal)
{
    if (journal == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (journal->state == PREPAY__JOURNAL_BROKEN) {
        return PREPAY_E_JOURNAL_FAILED;
    }
    if (journal->state != PREPAY__JOURNAL_READY) {
        return PREPAY_E_BAD_STATE;
    }
    return PREPAY_OK;
}

/* Any failure while a batch is partly written leaves the storage unknown. */
static int fail(prepay_journal_t *journal, int status)
{
    journal->state = PREPAY__JOURNAL_BROKEN;
    return status == PREPAY_E_JOURNAL_FULL || status == PREPAY_E_JOURNAL_CHANGED ? status : PREPAY_E_JOURNAL_IO;
}

static int flush(prepay_journal_t *journal)
{
    if (journal->buffer_length == 0) {
        return PREPAY_OK;
    }
    int status = journal->io.append(journal->io.context, journal->buffer, journal->buffer_length);
    if (status != PREPAY_OK) {
        return fail(journal, status);
    }
    journal->batch_appended += journal->buffer_length;
    journal->buffer_length = 0;
    return PREPAY_OK;
}

/* Stages a record of any type (prepay_journal_add() refuses CUT, which only attach writes). */
static int add_record(prepay_journal_t *journal, uint16_t type, const uint8_t *payload, size_t payload_length);

/*
 * Re-appends the last commit record's second copy (format 2) when a crash
 * left it absent or torn: its first copy ends at `end` and is read back.
 */
static int rewrite_commit_copy(const prepay_journal_io_t *io, uint64_t end, uint64_t last_sequence)
{
    uint8_t copy[PREPAY_JOURNAL_COMMIT_SIZE];
    prepay_journal_record_t record;
    if (end < PREPAY_JOURNAL_HEADER_SIZE + PREPAY_JOURNAL_COMMIT_SIZE ||
        io->read(io->context, end - PREPAY_JOURNAL_COMMIT_SIZE, copy, sizeof copy) != PREPAY_OK) {
        return PREPAY_E_JOURNAL_IO;
    }
    if (prepay_journal_record_decode(copy, sizeof copy, &record) != (int)PREPAY_JOURNAL_COMMIT_SIZE ||
        record.type != PREPAY_JOURNAL_RECORD_COMMIT || record.sequence != last_sequence) {
        return PREPAY_E_BAD_STATE; /* the recovery information does not describe this storage */
    }
    int status = io->append(io->context, copy, sizeof copy);
    return status == PREPAY_E_JOURNAL_FULL ? status : (status != PREPAY_OK ? PREPAY_E_JOURNAL_IO : PREPAY_OK);
}

int prepay_journal_attach(prepay_journal_t *journal, const prepay_journal_io_t *io, uint8_t *buffer,
                          size_t buffer_capacity, const prepay_journal_recovery_t *info)
{
    if (journal == NULL || io == NULL || buffer == NULL || buffer_capacity < PREPAY_JOURNAL_MIN_BUFFER ||
        io->read == NULL || io->append == NULL || io->sync == NULL || io->truncate == NULL || io->size == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint64_t size;
    if (io->size(io->context, &size) != PREPAY_OK) {
        return PREPAY_E_JOURNAL_IO;
    }
    uint64_t committed_end = info != NULL ? info->committed_end : 0;
    if (size != committed_end) {
        return PREPAY_E_BAD_STATE;
    }
    uint16_t version = (uint16_t)PREPAY_JOURNAL_VERSION;
    if (size > 0) {
        if (info == NULL || info->version < PREPAY_JOURNAL_VERSION_MIN || info->version > PREPAY_JOURNAL_VERSION) {
            return PREPAY_E_BAD_STATE;
        }
        version = (uint16_t)info->version;
    }
    uint64_t last = 0;
    if (info != NULL) {
        last = info->last_sequence > info->snapshot_sequence ? info->last_sequence : info->snapshot_sequence;
    }
    if (last > UINT64_MAX / 2) {
        return PREPAY_E_JOURNAL_SEQUENCE; /* only a forged snapshot or journal gets here */
    }
    if (size == 0) {
        uint8_t header[PREPAY_JOURNAL_HEADER_SIZE];
        (void)prepay_journal_header_encode(header, sizeof header);
        if (io->append(io->context, header, sizeof header) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_IO;
        }
        committed_end = PREPAY_JOURNAL_HEADER_SIZE;
    } else if (version >= 2u && info->final_copy_missing) {
        int status = rewrite_commit_copy(io, committed_end, info->last_sequence);
        if (status != PREPAY_OK) {
            return status;
        }
        committed_end += PREPAY_JOURNAL_COMMIT_SIZE;
    }
    memset(journal, 0, sizeof *journal);
    journal->io = *io;
    journal->buffer = buffer;
    journal->buffer_capacity = buffer_capacity;
    journal->committed_end = committed_end;
    journal->sealed_end = committed_end;
    journal->next_sequence = last + 1;
    journal->version = version;
    journal->state = PREPAY__JOURNAL_READY;
    if (info != NULL) {
        journal->cuts = info->earlier_cuts;
    }
    /* Format 2 records what a writer's recovery cut (a torn header is no loss: nothing was in it). */
    if (version >= 2u && info != NULL && info->tail_cut && info->truncated_bytes > 0 &&
        info->committed_end >= PREPAY_JOURNAL_HEADER_SIZE) {
        prepay_journal_cut_t cut = {info->committed_end, info->truncated_bytes, info->tail_records,
                                    info->tail_batches};
        uint8_t payload[PREPAY_JOURNAL_CUT_SIZE];
        (void)prepay_journal_cut_encode(&cut, payload, sizeof payload);
        int status = add_record(journal, PREPAY_JOURNAL_RECORD_CUT, payload, sizeof payload);
        if (status == PREPAY_OK) {
            status = prepay_journal_seal(journal);
        }
        if (status != PREPAY_OK) {
            journal->state = PREPAY__JOURNAL_CLOSED;
            return status;
        }
        journal->cuts.count++;
        journal->cuts.bytes += cut.bytes;
        journal->cuts.records += cut.records;
        journal->cuts.batches += cut.batches;
    }
    /*
     * ONE sync, also when nothing was written: the batches recovery found may
     * have been written by a process that died before its sync returned.
     * Until they are durable, nothing may be acknowledged from them (a retry
     * answered EXISTS from a batch a power cut then takes away is a lost
     * acknowledgement).
     */
    if (io->sync(io->context) != PREPAY_OK) {
        journal->state = PREPAY__JOURNAL_CLOSED;
        return PREPAY_E_JOURNAL_IO;
    }
    journal->committed_end = journal->sealed_end;
    journal->batches += journal->sealed_batches;
    journal->sealed_batches = 0;
    return PREPAY_OK;
}

int prepay_journal_resume(prepay_journal_t *journal, const prepay_journal_io_t *io, uint8_t *buffer,
                          size_t buffer_capacity, prepay_journal_recovery_t *info)
{
    if (journal == NULL || io == NULL || buffer == NULL || info == NULL || io->size == NULL ||
        io->truncate == NULL || buffer_capacity < PREPAY_JOURNAL_MIN_BUFFER) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint64_t size;
    if (io->size(io->context, &size) != PREPAY_OK) {
        return PREPAY_E_JOURNAL_IO;
    }
    /* The append position is what recovery saw, or someone else wrote meanwhile. */
    if (size != info->storage_size || info->committed_end > size) {
        return PREPAY_E_JOURNAL_CHANGED;
    }
    if (info->committed_end < size) {
        if (io->truncate(io->context, info->committed_end) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_IO;
        }
        info->tail_cut = true;
    }
    return prepay_journal_attach(journal, io, buffer, buffer_capacity, info);
}

int prepay_journal_add(prepay_journal_t *journal, uint16_t type, const uint8_t *payload, size_t payload_length)
{
    if (type == PREPAY_JOURNAL_RECORD_CUT) {
        int status = check_ready(journal);
        return status != PREPAY_OK ? status : PREPAY_E_INVALID_ARGUMENT;
    }
    return add_record(journal, type, payload, payload_length);
}

static int add_record(prepay_journal_t *journal, uint16_t type, const uint8_t *payload, size_t payload_length)
{
    int status = check_ready(journal);
    if (status != PREPAY_OK) {
        return status;
    }
    if ((type != PREPAY_JOURNAL_RECORD_ACCOUNT && type != PREPAY_JOURNAL_RECORD_TRANSFER &&
         type != PREPAY_JOURNAL_RECORD_CLOSE && type != PREPAY_JOURNAL_RECORD_CUT &&
         type != PREPAY_JOURNAL_RECORD_EXPIRE && type != PREPAY_JOURNAL_RECORD_APP) ||
        (payload == NULL && payload_length > 0) || payload_length > PREPAY_JOURNAL_MAX_PAYLOAD ||
        journal->batch_records == UINT32_MAX - 1) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Older code reads a format-1 journal: it must never meet a record it does not know. */
    if (!prepay__journal_format_holds(journal->version, type, payload_length)) {
        return PREPAY_E_JOURNAL_FORMAT;
    }
    size_t length = PREPAY_JOURNAL_RECORD_OVERHEAD + payload_length;
    if (journal->buffer_capacity - journal->buffer_length < length) {
        status = flush(journal);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    uint64_t sequence = journal->next_sequence + journal->batch_records;
    if (prepay_journal_record_encode(type, sequence, payload, payload_length, journal->buffer + journal->buffer_length,
                                     journal->buffer_capacity - journal->buffer_length) != (int)length) {
        return PREPAY_E_BAD_STATE; /* unreachable: room and arguments were checked above */
    }
    journal->buffer_length += length;
    if (journal->batch_records == 0) {
        journal->batch_first_sequence = sequence;
    }
    journal->batch_records++;
    return PREPAY_OK;
}

int prepay_journal_seal(prepay_journal_t *journal)
{
    int status = check_ready(journal);
    if (status != PREPAY_OK) {
        return status;
    }
    if (journal->batch_records == 0) {
        return PREPAY_OK;
    }
    /* Format 2 writes the commit record twice (docs/journal.md, "Two commit copies"). */
    size_t copies = journal->version >= 2u ? 2u : 1u;
    if (journal->buffer_capacity - journal->buffer_length < copies * PREPAY_JOURNAL_COMMIT_SIZE) {
        status = flush(journal);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    prepay_journal_commit_t commit = {journal->batch_first_sequence, journal->batch_records};
    uint8_t payload[PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE];
    (void)prepay_journal_commit_encode(&commit, payload, sizeof payload);
    uint64_t commit_sequence = journal->next_sequence + journal->batch_records;
    if (prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_COMMIT, commit_sequence, payload, sizeof payload,
                                     journal->buffer + journal->buffer_length,
                                     journal->buffer_capacity - journal->buffer_length) !=
        (int)PREPAY_JOURNAL_COMMIT_SIZE) {
        return PREPAY_E_BAD_STATE; /* unreachable: room was made above */
    }
    if (copies == 2u) {
        memcpy(journal->buffer + journal->buffer_length + PREPAY_JOURNAL_COMMIT_SIZE,
               journal->buffer + journal->buffer_length, PREPAY_JOURNAL_COMMIT_SIZE);
    }
    journal->buffer_length += copies * PREPAY_JOURNAL_COMMIT_SIZE;
    status = flush(journal);
    if (status != PREPAY_OK) {
        return status;
    }
    journal->sealed_end += journal->batch_appended;
    journal->batch_appended = 0;
    journal->next_sequence = commit_sequence + 1;
    journal->batch_records = 0;
    journal->sealed_batches++;
    if (journal->io.writeback != NULL) {
        /* Only a hint: a failure here shows up in the sync that must follow. */
        (void)journal->io.writeback(journal->io.context);
    }
    return PREPAY_OK;
}

int prepay_journal_sync(prepay_journal_t *journal)
{
    int status = check_ready(journal);
    if (status != PREPAY_OK) {
        return status;
    }
    uint32_t sealed = journal->sealed_batches;
    if (sealed == 0) {
        return 0;
    }
    if (journal->io.sync(journal->io.context) != PREPAY_OK) {
        return fail(journal, PREPAY_E_JOURNAL_IO);
    }
    journal->committed_end = journal->sealed_end;
    journal->sealed_batches = 0;
    journal->batches += sealed;
    return sealed > (uint32_t)INT32_MAX ? INT32_MAX : (int)sealed;
}

int prepay_journal_commit(prepay_journal_t *journal)
{
    int status = prepay_journal_seal(journal);
    if (status != PREPAY_OK) {
        return status;
    }
    status = prepay_journal_sync(journal);
    return status < 0 ? status : PREPAY_OK;
}

int prepay_journal_rollback(prepay_journal_t *journal)
{
    int status = check_ready(journal);
    if (status != PREPAY_OK) {
        return status;
    }
    if (journal->batch_appended > 0 &&
        journal->io.truncate(journal->io.context, journal->sealed_end) != PREPAY_OK) {
        return fail(journal, PREPAY_E_JOURNAL_IO);
    }
    journal->batch_appended = 0;
    journal->buffer_length = 0;
    journal->batch_records = 0;
    return PREPAY_OK;
}

uint32_t prepay_journal_batch_records(const prepay_journal_t *journal)
{
    return journal != NULL ? journal->batch_records : 0;
}
