/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: journal recovery (and snapshot loading) over arbitrary bytes,
 * through the in-memory storage. The first input byte picks the mode:
 * even = the rest is a journal, odd = the rest is a published snapshot (with
 * an empty journal). Checks: never crashes or reads out of bounds; a
 * read-only recovery (prepay_journal_recover()) never writes and agrees with
 * a writer's (prepay_journal_open()) on the verdict and the ledger; any
 * ledger recovery accepts passes prepay_ledger_verify(); after a writer's
 * recovery the storage ends exactly at the journal's committed end (tail
 * cut, commit copy completed, cut recorded); the recovered journal accepts
 * one more batch and recovers again to the same ledger plus that batch.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/journal.h"
#include "prepay/ledger.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ACCOUNTS 16u
#define TRANSFERS 512u
#define STORAGE (256u * 1024u)

static uint64_t ledger_memory[PREPAY_LEDGER_MEMORY_SIZE(ACCOUNTS, TRANSFERS) / sizeof(uint64_t)];
static prepay_ledger_account_t scratch[ACCOUNTS];
static uint8_t storage[STORAGE];
static uint8_t snapshot_slots[2][STORAGE];
static uint8_t staging[PREPAY_JOURNAL_MIN_BUFFER + 64];

static void init_ledger(prepay_ledger_t *ledger)
{
    prepay_ledger_memory_t memory;
    if (prepay_ledger_memory_layout(&memory, ledger_memory, sizeof ledger_memory, ACCOUNTS, TRANSFERS) != PREPAY_OK ||
        prepay_ledger_init(ledger, &memory) != PREPAY_OK) {
        abort();
    }
}

static int recover(prepay_journal_memory_t *memory, prepay_journal_io_t *io, const prepay_snapshot_io_t *snapshot,
                   prepay_journal_t *journal, prepay_ledger_t *ledger, prepay_journal_recovery_t *info)
{
    /* A reader first: it must change nothing. */
    init_ledger(ledger);
    size_t length = memory->length;
    uint32_t appends = memory->appends;
    prepay_journal_io_t reader = *io;
    reader.append = NULL;
    reader.sync = NULL;
    reader.truncate = NULL;
    prepay_journal_recovery_t seen;
    int read_status = prepay_journal_recover(&reader, snapshot, ledger, scratch, ACCOUNTS, &seen);
    if (memory->length != length || memory->appends != appends || seen.tail_cut) {
        abort(); /* a reader wrote */
    }
    uint32_t read_transfers = prepay_ledger_transfer_count(ledger);
    init_ledger(ledger);
    int status = prepay_journal_open(journal, io, staging, sizeof staging, snapshot, ledger, scratch, ACCOUNTS, info);
    if (read_status == PREPAY_OK && status != PREPAY_OK && status != PREPAY_E_JOURNAL_FULL) {
        abort(); /* the writer refused what the reader accepted */
    }
    if (read_status != PREPAY_OK && status == PREPAY_OK) {
        abort(); /* the writer accepted what the reader refused */
    }
    if (status == PREPAY_OK) {
        if (prepay_ledger_verify(ledger, scratch, ACCOUNTS) != PREPAY_OK) {
            abort(); /* accepted but does not verify */
        }
        if (prepay_ledger_transfer_count(ledger) != read_transfers) {
            abort(); /* reader and writer recovered different ledgers */
        }
        if (memory->length != journal->committed_end || memory->synced != memory->length) {
            abort(); /* the torn tail was not cut off, or the repair is not durable */
        }
        if (seen.truncated_bytes != info->truncated_bytes || seen.damaged_commits != info->damaged_commits) {
            abort(); /* the reader reported another tail than the writer cut */
        }
    }
    return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > STORAGE) {
        return 0;
    }
    bool as_snapshot = (data[0] & 1u) != 0;
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_snapshot_memory_t snap_memory;
    prepay_snapshot_io_t snap;
    (void)prepay_journal_memory_io(&memory, storage, STORAGE, &io);
    (void)prepay_snapshot_memory_io(&snap_memory, snapshot_slots[0], snapshot_slots[1], STORAGE, &snap);
    if (as_snapshot) {
        memcpy(snapshot_slots[0], data + 1, size - 1);
        snap_memory.length[0] = size - 1;
    } else {
        memcpy(storage, data + 1, size - 1);
        memory.length = memory.synced = size - 1;
    }
    prepay_ledger_t ledger;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    if (recover(&memory, &io, &snap, &journal, &ledger, &info) != PREPAY_OK) {
        return 0;
    }
    /* One more batch on the recovered journal: a transfer between the first two accounts, if any. */
    uint32_t transfers_before = prepay_ledger_transfer_count(&ledger);
    int applied = 0;
    if (prepay_ledger_account_count(&ledger) >= 2) {
        prepay_ledger_transfer_t t;
        memset(&t, 0, sizeof t);
        t.id = UINT64_C(0xF0F0F0F0F0F0F0F0);
        t.debit_account_id = prepay_ledger_account_at(&ledger, 0)->id;
        t.credit_account_id = prepay_ledger_account_at(&ledger, 1)->id;
        t.amount = 1;
        t.code = PREPAY_LEDGER_CODE_ADJUSTMENT;
        int result;
        applied = prepay_journal_submit(&journal, &ledger, &t, 1, &result);
        if (applied < 0 && applied != PREPAY_E_JOURNAL_FULL) {
            abort();
        }
    }
    if (applied < 0) {
        return 0;
    }
    /* A snapshot of what was accepted must load back (exercises the writer too). */
    if (!as_snapshot && prepay_journal_snapshot(&journal, &ledger, &snap, false) != PREPAY_OK) {
        return 0; /* the snapshot store is full: fine */
    }
    if (recover(&memory, &io, &snap, &journal, &ledger, &info) != PREPAY_OK) {
        abort(); /* what was just written must recover */
    }
    if (prepay_ledger_transfer_count(&ledger) != transfers_before + (uint32_t)applied) {
        abort();
    }
    return 0;
}
