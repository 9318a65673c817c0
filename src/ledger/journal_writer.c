/*
 * Journal writer: batches staged in the caller's buffer, appended, closed by
 * a commit record and made durable with ONE sync (group commit).
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
    return status == PREPAY_E_JOURNAL_FULL ? status : PREPAY_E_JOURNAL_IO;
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
    if (size == 0) {
        uint8_t header[PREPAY_JOURNAL_HEADER_SIZE];
        (void)prepay_journal_header_encode(header, sizeof header);
        if (io->append(io->context, header, sizeof header) != PREPAY_OK || io->sync(io->context) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_IO;
        }
        committed_end = PREPAY_JOURNAL_HEADER_SIZE;
    }
    uint64_t last = 0;
    if (info != NULL) {
        last = info->last_sequence > info->snapshot_sequence ? info->last_sequence : info->snapshot_sequence;
    }
    if (last > UINT64_MAX / 2) {
        return PREPAY_E_JOURNAL_SEQUENCE; /* only a forged snapshot or journal gets here */
    }
    memset(journal, 0, sizeof *journal);
    journal->io = *io;
    journal->buffer = buffer;
    journal->buffer_capacity = buffer_capacity;
    journal->committed_end = committed_end;
    journal->sealed_end = committed_end;
    journal->next_sequence = last + 1;
    journal->state = PREPAY__JOURNAL_READY;
    return PREPAY_OK;
}

int prepay_journal_add(prepay_journal_t *journal, uint16_t type, const uint8_t *payload, size_t payload_length)
{
    int status = check_ready(journal);
    if (status != PREPAY_OK) {
        return status;
    }
    if ((type != PREPAY_JOURNAL_RECORD_ACCOUNT && type != PREPAY_JOURNAL_RECORD_TRANSFER &&
         type != PREPAY_JOURNAL_RECORD_CLOSE && type != PREPAY_JOURNAL_RECORD_EXPIRE) ||
        (payload == NULL && payload_length > 0) || payload_length > PREPAY_JOURNAL_MAX_PAYLOAD ||
        journal->batch_records == UINT32_MAX - 1) {
        return PREPAY_E_INVALID_ARGUMENT;
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
    if (journal->buffer_capacity - journal->buffer_length < PREPAY_JOURNAL_COMMIT_SIZE) {
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
    journal->buffer_length += PREPAY_JOURNAL_COMMIT_SIZE;
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
