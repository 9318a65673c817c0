/* SPDX-License-Identifier: MIT */
/*
 * The journal bound to a ledger: recovery (snapshot + committed batches,
 * replayed through the ledger's own entry points, then verified; read
 * only), opening for writing (recovery, then the tail cut and recorded),
 * and the write path (apply, journal what was applied, commit with one sync).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journal_internal.h"
#include "prepay/journal.h"
#include "prepay/ledger.h"

/* What a scan replays into: the ledger, and the application's callback for APP records. */
typedef struct replay_target {
    prepay_ledger_t *ledger;
    prepay_journal_record_fn app;
    void *app_context;
} replay_target_t;

/* Replays one committed journal record into the ledger (scan callback). */
static int replay_record(void *context, const prepay_journal_record_t *record)
{
    const replay_target_t *target = context;
    prepay_ledger_t *ledger = target->ledger;
    switch (record->type) {
    case PREPAY_JOURNAL_RECORD_APP:
        /* Opaque to the ledger: the application's, or skipped by a ledger-only reader. */
        if (record->payload_length == 0) {
            return PREPAY_E_JOURNAL_BAD_RECORD;
        }
        return target->app == NULL ? PREPAY_OK : target->app(target->app_context, record);
    case PREPAY_JOURNAL_RECORD_ACCOUNT: {
        prepay_ledger_account_t account;
        if (prepay_journal_account_decode(record->payload, record->payload_length, &account) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_BAD_RECORD;
        }
        return prepay_ledger_create_account(ledger, &account) < 0 ? PREPAY_E_JOURNAL_REPLAY : PREPAY_OK;
    }
    case PREPAY_JOURNAL_RECORD_TRANSFER: {
        prepay_ledger_transfer_t transfer;
        if (prepay_journal_transfer_decode(record->payload, record->payload_length, &transfer) != PREPAY_OK) {
            return PREPAY_E_JOURNAL_BAD_RECORD;
        }
        return prepay_ledger_replay(ledger, &transfer) < 0 ? PREPAY_E_JOURNAL_REPLAY : PREPAY_OK;
    }
    case PREPAY_JOURNAL_RECORD_CLOSE:
        if (record->payload_length != PREPAY_JOURNAL_CLOSE_SIZE) {
            return PREPAY_E_JOURNAL_BAD_RECORD;
        }
        return prepay_ledger_close_account(ledger, prepay__get_u64(record->payload)) < 0 ? PREPAY_E_JOURNAL_REPLAY
                                                                                          : PREPAY_OK;
    case PREPAY_JOURNAL_RECORD_EXPIRE:
        if (record->payload_length != PREPAY_JOURNAL_EXPIRE_SIZE) {
            return PREPAY_E_JOURNAL_BAD_RECORD;
        }
        return prepay_ledger_replay_expiry(ledger, prepay__get_u64(record->payload),
                                           prepay__get_i64(record->payload + 8)) != PREPAY_OK
                   ? PREPAY_E_JOURNAL_REPLAY
                   : PREPAY_OK;
    default:
        return PREPAY_E_JOURNAL_BAD_RECORD;
    }
}

int prepay_journal_recover(const prepay_journal_io_t *io, const prepay_snapshot_io_t *snapshot,
                           prepay_ledger_t *ledger, prepay_ledger_account_t *scratch, size_t scratch_cap,
                           prepay_journal_recovery_t *info)
{
    return prepay_journal_recover_app(io, snapshot, ledger, scratch, scratch_cap, NULL, NULL, info);
}

int prepay_journal_recover_app(const prepay_journal_io_t *io, const prepay_snapshot_io_t *snapshot,
                               prepay_ledger_t *ledger, prepay_ledger_account_t *scratch, size_t scratch_cap,
                               prepay_journal_record_fn app, void *app_context, prepay_journal_recovery_t *info)
{
    if (io == NULL || ledger == NULL || info == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (prepay_ledger_account_count(ledger) != 0 || prepay_ledger_transfer_count(ledger) != 0) {
        return PREPAY_E_BAD_STATE;
    }
    uint64_t snapshot_sequence = 0;
    uint64_t snapshot_records = 0;
    prepay_journal_cuts_t snapshot_cuts;
    memset(&snapshot_cuts, 0, sizeof snapshot_cuts);
    if (snapshot != NULL) {
        int status = prepay__journal_snapshot_load(snapshot, ledger, &snapshot_sequence, &snapshot_records,
                                                   &snapshot_cuts);
        if (status != PREPAY_OK) {
            memset(info, 0, sizeof *info);
            return status;
        }
    }
    /* Read only: the tail is described, never cut (prepay_journal_resume() cuts it). */
    replay_target_t target = {ledger, app, app_context};
    int status = prepay_journal_scan(io, snapshot_sequence, replay_record, &target, false, info);
    info->snapshot_sequence = snapshot_sequence;
    info->snapshot_records = snapshot_records;
    info->earlier_cuts.count += snapshot_cuts.count;
    info->earlier_cuts.bytes += snapshot_cuts.bytes;
    info->earlier_cuts.records += snapshot_cuts.records;
    info->earlier_cuts.batches += snapshot_cuts.batches;
    if (status != PREPAY_OK) {
        return status;
    }
    if (prepay_ledger_verify(ledger, scratch, scratch_cap) != PREPAY_OK) {
        return PREPAY_E_JOURNAL_VERIFY;
    }
    return PREPAY_OK;
}

int prepay_journal_open(prepay_journal_t *journal, const prepay_journal_io_t *io, uint8_t *buffer,
                        size_t buffer_capacity, const prepay_snapshot_io_t *snapshot, prepay_ledger_t *ledger,
                        prepay_ledger_account_t *scratch, size_t scratch_cap, prepay_journal_recovery_t *info)
{
    return prepay_journal_open_app(journal, io, buffer, buffer_capacity, snapshot, ledger, scratch, scratch_cap, NULL,
                                   NULL, info);
}

int prepay_journal_open_app(prepay_journal_t *journal, const prepay_journal_io_t *io, uint8_t *buffer,
                            size_t buffer_capacity, const prepay_snapshot_io_t *snapshot, prepay_ledger_t *ledger,
                            prepay_ledger_account_t *scratch, size_t scratch_cap, prepay_journal_record_fn app,
                            void *app_context, prepay_journal_recovery_t *info)
{
    if (journal == NULL || io == NULL || buffer == NULL || ledger == NULL || info == NULL ||
        buffer_capacity < PREPAY_JOURNAL_MIN_BUFFER) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay_journal_recover_app(io, snapshot, ledger, scratch, scratch_cap, app, app_context, info);
    if (status != PREPAY_OK) {
        return status;
    }
    return prepay_journal_resume(journal, io, buffer, buffer_capacity, info);
}

/* The write paths refuse to touch the ledger when the journal cannot take the batch. */
static int check_writable(const prepay_journal_t *journal, const prepay_ledger_t *ledger)
{
    if (journal == NULL || ledger == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (journal->state == PREPAY__JOURNAL_BROKEN) {
        return PREPAY_E_JOURNAL_FAILED;
    }
    if (journal->state != PREPAY__JOURNAL_READY || journal->batch_records != 0) {
        return PREPAY_E_BAD_STATE;
    }
    return PREPAY_OK;
}

int prepay_journal_stage(prepay_journal_t *journal, prepay_ledger_t *ledger, const prepay_ledger_transfer_t *batch,
                         size_t count, int *results)
{
    int status = check_writable(journal, ledger);
    if (status != PREPAY_OK) {
        return status;
    }
    if (journal->version < 2u && batch != NULL) {
        /* Format 1 has no deadlines: refuse the batch before the ledger applies any of it. */
        for (size_t i = 0; i < count; i++) {
            if (batch[i].deadline != 0) {
                return PREPAY_E_JOURNAL_FORMAT;
            }
        }
    }
    int applied = prepay_ledger_apply(ledger, batch, count, results);
    if (applied <= 0) {
        return applied;
    }
    for (size_t i = 0; i < count; i++) {
        if (results[i] == PREPAY_OK) {
            status = prepay_journal_add_transfer(journal, &batch[i]);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    return applied;
}

int prepay_journal_submit(prepay_journal_t *journal, prepay_ledger_t *ledger, const prepay_ledger_transfer_t *batch,
                          size_t count, int *results)
{
    int applied = prepay_journal_stage(journal, ledger, batch, count, results);
    if (applied < 0) {
        return applied;
    }
    /* Also with nothing applied: an EXISTS answer may rest on a sealed batch not yet synced. */
    int status = prepay_journal_commit(journal);
    return status != PREPAY_OK ? status : applied;
}

int prepay_journal_create_account(prepay_journal_t *journal, prepay_ledger_t *ledger,
                                  const prepay_ledger_account_t *account)
{
    int status = check_writable(journal, ledger);
    if (status != PREPAY_OK) {
        return status;
    }
    int result = prepay_ledger_create_account(ledger, account);
    if (result == PREPAY_LEDGER_EXISTS) {
        /* Acknowledged as existing: durable first if it is in a sealed, unsynced batch. */
        status = prepay_journal_sync(journal);
        return status < 0 ? status : result;
    }
    if (result != PREPAY_OK) {
        return result;
    }
    status = prepay_journal_add_account(journal, account);
    if (status == PREPAY_OK) {
        status = prepay_journal_commit(journal);
    }
    return status;
}

int prepay_journal_close_account(prepay_journal_t *journal, prepay_ledger_t *ledger, uint64_t account_id)
{
    int status = check_writable(journal, ledger);
    if (status != PREPAY_OK) {
        return status;
    }
    int result = prepay_ledger_close_account(ledger, account_id);
    if (result == PREPAY_LEDGER_EXISTS) {
        /* Acknowledged as existing: durable first if it is in a sealed, unsynced batch. */
        status = prepay_journal_sync(journal);
        return status < 0 ? status : result;
    }
    if (result != PREPAY_OK) {
        return result;
    }
    status = prepay_journal_add_close(journal, account_id);
    if (status == PREPAY_OK) {
        status = prepay_journal_commit(journal);
    }
    return status;
}

int prepay_journal_expire(prepay_journal_t *journal, prepay_ledger_t *ledger, prepay_time_t now,
                          uint64_t *expired_ids, size_t ids_cap)
{
    int status = check_writable(journal, ledger);
    if (status != PREPAY_OK) {
        return status;
    }
    if (expired_ids == NULL || ids_cap == 0u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Format 1 cannot record an expiry; its ledger has no deadlines unless they came from elsewhere. */
    if (journal->version < 2u && ledger->expiry_count != 0u) {
        return PREPAY_E_JOURNAL_FORMAT;
    }
    int expired = prepay_ledger_expire(ledger, now, expired_ids, ids_cap);
    if (expired < 0) {
        return expired;
    }
    for (int i = 0; i < expired; i++) {
        status = prepay_journal_add_expire(journal, expired_ids[i], now);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    /* Also with nothing expired: "nothing due" may rest on an expiry sealed but not yet synced. */
    status = prepay_journal_commit(journal);
    return status != PREPAY_OK ? status : expired;
}
