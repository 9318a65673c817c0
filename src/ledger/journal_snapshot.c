/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of a ledger: every account (with counters) and the whole
 * transfer log (with deadlines and expiries), the journal sequence they
 * cover, the totals of the torn tails recovery cut so far, and a CRC-32C
 * over all of it, written (always in format 2) through begin / write /
 * publish so that replacing the published snapshot is atomic. Format 1
 * (32-byte header, no cut totals, no deadlines) is still read. Loading
 * recreates the accounts, replays the log through the ledger, closes the
 * closed accounts and checks the counters. Format in docs/journal.md,
 * "Snapshots".
 *
 * An expired pending transfer is followed by an EXPIRE item (time: its
 * deadline), which the loader replays at once. That is earlier than the
 * expiry happened, but releasing a reservation earlier only loosens every
 * limit a later transfer was checked against, and no later transfer can
 * post or void an expired one; so every transfer of the log replays, and the
 * counters checked at the end are the same.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journal_internal.h"
#include "prepay/journal.h"
#include "prepay/ledger.h"

static const uint8_t snapshot_magic[8] = {'P', 'R', 'E', 'P', 'A', 'Y', 'S', 'N'};
static const uint8_t snapshot_end_magic[4] = {'S', 'N', 'E', 'D'};

/* Format 1 had a 32-byte header without the cut totals; it is still read. */
#define SNAPSHOT_V1_HEADER_SIZE 32u

#define ACCOUNT_ITEM (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_ACCOUNT_SIZE)
#define TRANSFER_ITEM (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_TRANSFER_SIZE)
#define TRANSFER_ITEM_MAX (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_TRANSFER_MAX_SIZE)
#define EXPIRE_ITEM (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_EXPIRE_SIZE)

/* ---- writing ------------------------------------------------------------ */

typedef struct writer {
    const prepay_snapshot_io_t *io;
    uint8_t *buffer;
    size_t capacity;
    size_t length;
    uint32_t crc;
} writer_t;

static int writer_flush(writer_t *w)
{
    if (w->length == 0) {
        return PREPAY_OK;
    }
    w->crc = prepay_journal_crc32c(w->crc, w->buffer, w->length);
    int status = w->io->write(w->io->context, w->buffer, w->length);
    w->length = 0;
    return status == PREPAY_E_JOURNAL_FULL ? status : (status != PREPAY_OK ? PREPAY_E_JOURNAL_IO : PREPAY_OK);
}

/* Room for n bytes in the buffer (n <= capacity). */
static int writer_reserve(writer_t *w, size_t n)
{
    return w->capacity - w->length < n ? writer_flush(w) : PREPAY_OK;
}

static int write_items(writer_t *w, const prepay_ledger_t *ledger, uint64_t sequence,
                       const prepay_journal_cuts_t *cuts)
{
    uint32_t accounts = prepay_ledger_account_count(ledger);
    uint32_t transfers = prepay_ledger_transfer_count(ledger);
    int status = writer_reserve(w, PREPAY_SNAPSHOT_HEADER_SIZE);
    if (status != PREPAY_OK) {
        return status;
    }
    uint8_t *h = w->buffer + w->length;
    memcpy(h, snapshot_magic, sizeof snapshot_magic);
    prepay__put_u16(h + 8, (uint16_t)PREPAY_SNAPSHOT_VERSION);
    prepay__put_u16(h + 10, (uint16_t)PREPAY_SNAPSHOT_HEADER_SIZE);
    prepay__put_u32(h + 12, 0);
    prepay__put_u64(h + 16, sequence);
    prepay__put_u32(h + 24, accounts);
    prepay__put_u32(h + 28, transfers);
    prepay__put_u64(h + 32, cuts->count);
    prepay__put_u64(h + 40, cuts->bytes);
    prepay__put_u64(h + 48, cuts->records);
    prepay__put_u64(h + 56, cuts->batches);
    w->length += PREPAY_SNAPSHOT_HEADER_SIZE;

    uint64_t item = 1;
    for (uint32_t i = 0; i < accounts; i++, item++) {
        const prepay_ledger_account_t *account = prepay_ledger_account_at(ledger, i);
        uint8_t payload[PREPAY_JOURNAL_ACCOUNT_SIZE];
        if (account == NULL || (status = writer_reserve(w, ACCOUNT_ITEM)) != PREPAY_OK) {
            return account == NULL ? PREPAY_E_BAD_STATE : status;
        }
        (void)prepay_journal_account_encode(account, payload, sizeof payload);
        (void)prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_ACCOUNT, item, payload, sizeof payload,
                                           w->buffer + w->length, w->capacity - w->length);
        w->length += ACCOUNT_ITEM;
    }
    for (uint32_t i = 0; i < transfers; i++, item++) {
        const prepay_ledger_entry_t *entry = prepay_ledger_entry_at(ledger, i);
        uint8_t payload[PREPAY_JOURNAL_TRANSFER_MAX_SIZE];
        if (entry == NULL || (status = writer_reserve(w, TRANSFER_ITEM_MAX + EXPIRE_ITEM)) != PREPAY_OK) {
            return entry == NULL ? PREPAY_E_BAD_STATE : status;
        }
        int length = prepay_journal_transfer_encode(&entry->transfer, payload, sizeof payload);
        w->length += (size_t)prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_TRANSFER, item, payload,
                                                          (size_t)length, w->buffer + w->length,
                                                          w->capacity - w->length);
        if (entry->state == PREPAY_LEDGER_STATE_EXPIRED) {
            item++;
            prepay__put_u64(payload, entry->transfer.id);
            prepay__put_i64(payload + 8, entry->transfer.deadline);
            w->length += (size_t)prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_EXPIRE, item, payload,
                                                              PREPAY_JOURNAL_EXPIRE_SIZE, w->buffer + w->length,
                                                              w->capacity - w->length);
        }
    }
    status = writer_flush(w); /* the trailer's CRC covers everything before it */
    if (status != PREPAY_OK) {
        return status;
    }
    uint8_t trailer[PREPAY_SNAPSHOT_TRAILER_SIZE];
    memcpy(trailer, snapshot_end_magic, sizeof snapshot_end_magic);
    prepay__put_u32(trailer + 4, w->crc);
    status = w->io->write(w->io->context, trailer, sizeof trailer);
    return status == PREPAY_E_JOURNAL_FULL ? status : (status != PREPAY_OK ? PREPAY_E_JOURNAL_IO : PREPAY_OK);
}

int prepay_journal_snapshot(prepay_journal_t *journal, const prepay_ledger_t *ledger,
                            const prepay_snapshot_io_t *snapshot, bool compact)
{
    if (journal == NULL || ledger == NULL || snapshot == NULL || snapshot->begin == NULL ||
        snapshot->write == NULL || snapshot->publish == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (journal->state == PREPAY__JOURNAL_BROKEN) {
        return PREPAY_E_JOURNAL_FAILED;
    }
    if (journal->state != PREPAY__JOURNAL_READY || journal->batch_records != 0 || journal->sealed_batches != 0) {
        return PREPAY_E_BAD_STATE;
    }
    if (snapshot->begin(snapshot->context) != PREPAY_OK) {
        return PREPAY_E_JOURNAL_IO;
    }
    /* No batch is open, so the staging buffer is free. */
    writer_t w = {snapshot, journal->buffer, journal->buffer_capacity, 0, 0};
    int status = write_items(&w, ledger, journal->next_sequence - 1, &journal->cuts);
    if (status == PREPAY_OK && snapshot->publish(snapshot->context) != PREPAY_OK) {
        status = PREPAY_E_JOURNAL_IO;
    }
    if (status != PREPAY_OK) {
        if (snapshot->abort != NULL) {
            (void)snapshot->abort(snapshot->context);
        }
        return status;
    }
    if (compact && journal->version < PREPAY_JOURNAL_VERSION) {
        /* Rewrite an older format as the current one: cut to nothing, new header. A crash in
         * between leaves an empty (or torn-header) journal, which the snapshot completes. */
        uint8_t header[PREPAY_JOURNAL_HEADER_SIZE];
        (void)prepay_journal_header_encode(header, sizeof header);
        if (journal->io.truncate(journal->io.context, 0) != PREPAY_OK ||
            journal->io.append(journal->io.context, header, sizeof header) != PREPAY_OK ||
            journal->io.sync(journal->io.context) != PREPAY_OK) {
            journal->state = PREPAY__JOURNAL_BROKEN;
            return PREPAY_E_JOURNAL_IO;
        }
        journal->version = (uint16_t)PREPAY_JOURNAL_VERSION;
        journal->committed_end = PREPAY_JOURNAL_HEADER_SIZE;
        journal->sealed_end = PREPAY_JOURNAL_HEADER_SIZE;
    } else if (compact && journal->committed_end > PREPAY_JOURNAL_HEADER_SIZE) {
        if (journal->io.truncate(journal->io.context, PREPAY_JOURNAL_HEADER_SIZE) != PREPAY_OK) {
            journal->state = PREPAY__JOURNAL_BROKEN;
            return PREPAY_E_JOURNAL_IO;
        }
        journal->committed_end = PREPAY_JOURNAL_HEADER_SIZE;
        journal->sealed_end = PREPAY_JOURNAL_HEADER_SIZE;
    }
    return PREPAY_OK;
}

/* ---- loading ------------------------------------------------------------ */

typedef struct reader {
    const prepay_snapshot_io_t *io;
    uint64_t size;
    uint64_t base;
    size_t length;
    uint8_t buffer[PREPAY_JOURNAL_SCAN_BUFFER];
} reader_t;

/* Makes [offset, offset + want) available (the caller keeps it below size). */
static int reader_window(reader_t *r, uint64_t offset, size_t want, const uint8_t **data)
{
    if (offset < r->base || offset + want > r->base + r->length) {
        uint64_t remaining = r->size - offset;
        size_t n = remaining < PREPAY_JOURNAL_SCAN_BUFFER ? (size_t)remaining : PREPAY_JOURNAL_SCAN_BUFFER;
        if (r->io->read(r->io->context, offset, r->buffer, n) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_IO;
        }
        r->base = offset;
        r->length = n;
    }
    *data = r->buffer + (size_t)(offset - r->base);
    return PREPAY_OK;
}

/* Decodes the item frame at offset, which must end by end: its type and
 * index must be as expected. */
static int read_item(reader_t *r, uint64_t offset, uint64_t end, uint16_t type, uint64_t index,
                     prepay_journal_record_t *record)
{
    if (offset >= end) {
        return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
    }
    uint64_t left = end - offset;
    size_t window = left < PREPAY_JOURNAL_MAX_RECORD ? (size_t)left : PREPAY_JOURNAL_MAX_RECORD;
    const uint8_t *data;
    int status = reader_window(r, offset, window, &data);
    if (status != PREPAY_OK) {
        return status;
    }
    if (prepay_journal_record_decode(data, window, record) <= 0 || record->type != type ||
        record->sequence != index) {
        return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
    }
    return PREPAY_OK;
}

/* What the header of a snapshot says. */
typedef struct snapshot_header {
    uint64_t sequence;
    uint32_t accounts;
    uint32_t transfers;
    uint32_t version;
    uint32_t header_size;
    prepay_journal_cuts_t cuts;
} snapshot_header_t;

/* Type of the item frame at offset, or 0 at the end or for a short frame. */
static uint16_t peek_type(reader_t *r, uint64_t offset, uint64_t end)
{
    const uint8_t *data;
    if (end - offset < PREPAY_JOURNAL_RECORD_HEADER_SIZE ||
        reader_window(r, offset, PREPAY_JOURNAL_RECORD_HEADER_SIZE, &data) != PREPAY_OK) {
        return 0;
    }
    return prepay__get_u16(data + 4);
}

static int check_whole(reader_t *r, snapshot_header_t *h)
{
    if (r->size < SNAPSHOT_V1_HEADER_SIZE + PREPAY_SNAPSHOT_TRAILER_SIZE) {
        return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
    }
    uint64_t body = r->size - PREPAY_SNAPSHOT_TRAILER_SIZE;
    uint32_t crc = 0;
    for (uint64_t offset = 0; offset < body;) {
        uint64_t left = body - offset;
        size_t n = left < PREPAY_JOURNAL_SCAN_BUFFER ? (size_t)left : PREPAY_JOURNAL_SCAN_BUFFER;
        const uint8_t *data;
        int status = reader_window(r, offset, n, &data);
        if (status != PREPAY_OK) {
            return status;
        }
        crc = prepay_journal_crc32c(crc, data, n);
        offset += n;
    }
    const uint8_t *data;
    int status = reader_window(r, body, PREPAY_SNAPSHOT_TRAILER_SIZE, &data);
    if (status != PREPAY_OK) {
        return status;
    }
    if (memcmp(data, snapshot_end_magic, sizeof snapshot_end_magic) != 0 || prepay__get_u32(data + 4) != crc) {
        return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
    }
    status = reader_window(r, 0, SNAPSHOT_V1_HEADER_SIZE, &data);
    if (status != PREPAY_OK) {
        return status;
    }
    uint16_t version = prepay__get_u16(data + 8);
    h->version = version;
    h->header_size = version == 1u ? SNAPSHOT_V1_HEADER_SIZE : PREPAY_SNAPSHOT_HEADER_SIZE;
    if (memcmp(data, snapshot_magic, sizeof snapshot_magic) != 0 || version < 1u ||
        version > PREPAY_SNAPSHOT_VERSION || prepay__get_u16(data + 10) != h->header_size ||
        prepay__get_u32(data + 12) != 0 || r->size < (uint64_t)h->header_size + PREPAY_SNAPSHOT_TRAILER_SIZE) {
        return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
    }
    h->sequence = prepay__get_u64(data + 16);
    h->accounts = prepay__get_u32(data + 24);
    h->transfers = prepay__get_u32(data + 28);
    memset(&h->cuts, 0, sizeof h->cuts);
    if (version >= 2u) {
        status = reader_window(r, 0, PREPAY_SNAPSHOT_HEADER_SIZE, &data);
        if (status != PREPAY_OK) {
            return status;
        }
        h->cuts.count = prepay__get_u64(data + 32);
        h->cuts.bytes = prepay__get_u64(data + 40);
        h->cuts.records = prepay__get_u64(data + 48);
        h->cuts.batches = prepay__get_u64(data + 56);
    }
    /* Format 1: fixed-size items, so the exact size. Format 2: transfer items
     * have two lengths and expired ones an EXPIRE item each, so the least
     * size here, and load_items() requires the items to end at the trailer. */
    uint64_t least = (uint64_t)h->header_size + (uint64_t)h->accounts * ACCOUNT_ITEM +
                     (uint64_t)h->transfers * TRANSFER_ITEM + PREPAY_SNAPSHOT_TRAILER_SIZE;
    if (version == 1u ? least != r->size : least > r->size) {
        return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
    }
    return PREPAY_OK;
}

static int load_items(reader_t *r, prepay_ledger_t *ledger, const snapshot_header_t *h)
{
    const uint64_t end = r->size - PREPAY_SNAPSHOT_TRAILER_SIZE;
    uint64_t offset = h->header_size;
    uint64_t index = 1;
    prepay_journal_record_t record;
    /* Accounts open first, so that the log replays as it was applied. */
    for (uint32_t i = 0; i < h->accounts; i++, index++, offset += ACCOUNT_ITEM) {
        prepay_ledger_account_t account;
        int status = read_item(r, offset, end, PREPAY_JOURNAL_RECORD_ACCOUNT, index, &record);
        if (status != PREPAY_OK) {
            return status;
        }
        if (prepay_journal_account_decode(record.payload, record.payload_length, &account) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
        }
        account.debits_pending = 0;
        account.debits_posted = 0;
        account.credits_pending = 0;
        account.credits_posted = 0;
        account.flags = (uint16_t)(account.flags & ~PREPAY_LEDGER_ACCOUNT_CLOSED);
        if (prepay_ledger_create_account(ledger, &account) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
        }
    }
    for (uint32_t i = 0; i < h->transfers; i++, index++) {
        prepay_ledger_transfer_t transfer;
        int status = read_item(r, offset, end, PREPAY_JOURNAL_RECORD_TRANSFER, index, &record);
        if (status != PREPAY_OK) {
            return status;
        }
        offset += record.length;
        /* Format 1 has neither deadlines nor EXPIRE items (the sizes already said so). */
        if (prepay_journal_transfer_decode(record.payload, record.payload_length, &transfer) != PREPAY_OK ||
            (h->version < 2u && record.payload_length != PREPAY_JOURNAL_TRANSFER_SIZE) ||
            prepay_ledger_replay(ledger, &transfer) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
        }
        if (h->version >= 2u && peek_type(r, offset, end) == PREPAY_JOURNAL_RECORD_EXPIRE) {
            index++;
            status = read_item(r, offset, end, PREPAY_JOURNAL_RECORD_EXPIRE, index, &record);
            if (status != PREPAY_OK) {
                return status;
            }
            offset += record.length;
            if (record.payload_length != PREPAY_JOURNAL_EXPIRE_SIZE ||
                prepay__get_u64(record.payload) != transfer.id ||
                prepay_ledger_replay_expiry(ledger, transfer.id, prepay__get_i64(record.payload + 8)) != PREPAY_OK) {
                return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
            }
        }
    }
    if (offset != end) {
        return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
    }
    /* Then close the closed accounts and check every account's counters. */
    offset = h->header_size;
    index = 1;
    for (uint32_t i = 0; i < h->accounts; i++, index++, offset += ACCOUNT_ITEM) {
        prepay_ledger_account_t stored;
        int status = read_item(r, offset, end, PREPAY_JOURNAL_RECORD_ACCOUNT, index, &record);
        if (status != PREPAY_OK) {
            return status;
        }
        (void)prepay_journal_account_decode(record.payload, record.payload_length, &stored);
        if ((stored.flags & PREPAY_LEDGER_ACCOUNT_CLOSED) != 0 &&
            prepay_ledger_close_account(ledger, stored.id) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
        }
        const prepay_ledger_account_t *now = prepay_ledger_account(ledger, stored.id);
        if (now == NULL || now->debits_pending != stored.debits_pending ||
            now->debits_posted != stored.debits_posted || now->credits_pending != stored.credits_pending ||
            now->credits_posted != stored.credits_posted || now->flags != stored.flags) {
            return PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT;
        }
    }
    return PREPAY_OK;
}

int prepay_journal_snapshot_load(const prepay_snapshot_io_t *snapshot, prepay_ledger_t *ledger, uint64_t *sequence,
                                 uint64_t *records)
{
    prepay_journal_cuts_t cuts;
    return prepay__journal_snapshot_load(snapshot, ledger, sequence, records, &cuts);
}

int prepay__journal_snapshot_load(const prepay_snapshot_io_t *snapshot, prepay_ledger_t *ledger, uint64_t *sequence,
                                  uint64_t *records, prepay_journal_cuts_t *cuts)
{
    if (snapshot == NULL || ledger == NULL || sequence == NULL || snapshot->read == NULL ||
        snapshot->size == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (prepay_ledger_account_count(ledger) != 0 || prepay_ledger_transfer_count(ledger) != 0) {
        return PREPAY_E_BAD_STATE;
    }
    reader_t r;
    r.io = snapshot;
    r.base = 0;
    r.length = 0;
    if (snapshot->size(snapshot->context, &r.size) != PREPAY_OK) {
        return PREPAY_E_JOURNAL_IO;
    }
    snapshot_header_t h;
    memset(&h, 0, sizeof h);
    if (r.size > 0) {
        int status = check_whole(&r, &h);
        if (status == PREPAY_OK) {
            status = load_items(&r, ledger, &h);
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    *sequence = h.sequence;
    if (records != NULL) {
        *records = (uint64_t)h.accounts + h.transfers;
    }
    *cuts = h.cuts;
    return PREPAY_OK;
}
