/* SPDX-License-Identifier: MIT */
/*
 * Group commit, recovery and crash simulation for the journal.
 *
 * A deterministic workload runs through prepay_journal_submit() on
 * in-memory storage while an independent model (test_journal_fixture.h)
 * tracks the balances after each acknowledged batch. Then:
 * - every byte offset of the last batches is a crash point (the journal is
 *   cut there): recovery must give exactly the batches whose (first) commit
 *   record lies before the cut, and their balances must equal the model's;
 *   a read-only recovery reports the same and changes nothing; a writer's
 *   cut is recorded and reported by the next recovery;
 * - bits are flipped all over the journal: recovery either reports the
 *   corruption or gives the model's balances in full (a flip in one of the
 *   two copies of a commit record is reported as a damaged copy); never
 *   other balances, never a batch dropped;
 * - appends and syncs fail at every call of a workload (failure injection):
 *   a batch is acknowledged only if it was synced, and every acknowledged
 *   batch survives the crash that follows;
 * - snapshot + replay equals full replay, with and without compaction;
 * - expiries of pending transfers are journaled (format 2 only), recovered
 *   at every crash point with the format-2 reporting, and kept by snapshots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/journal.h"
#include "prepay/ledger.h"
#include "prepay/status.h"
#include "test_journal_fixture.h"

#define STORAGE (1u << 20)
#define MAX_BATCHES 40u
#define BATCH_MAX 24u

/* A batch of one CUT record, as a writer's recovery appends it (format 2: two commit copies). */
#define CUT_BATCH (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_CUT_SIZE + 2u * PREPAY_JOURNAL_COMMIT_SIZE)
/* Where batch b's first commit copy ends (its second copy follows). */
#define FIRST_COPY_END(b) (work.ends[b] - PREPAY_JOURNAL_COMMIT_SIZE)

/* The workload's journal and the model after each batch (accounts count as batches). */
typedef struct workload {
    uint8_t storage[STORAGE];
    size_t length;
    uint32_t batches;
    uint64_t ends[MAX_BATCHES];   /* committed end after batch b */
    fx_model_t models[MAX_BATCHES]; /* model after batch b */
    uint32_t accounts[MAX_BATCHES]; /* accounts after batch b */
} workload_t;

static workload_t work;
static fx_ledger_t live, rec;
static uint8_t staging[64 * 1024];
static uint8_t crash_storage[STORAGE];
static uint8_t snap_slot[2][512 * 1024];

static void open_empty(prepay_journal_memory_t *memory, uint8_t *storage, prepay_journal_io_t *io,
                       prepay_journal_t *journal, fx_ledger_t *fx, size_t staging_size)
{
    assert_int_equal(prepay_journal_memory_io(memory, storage, STORAGE, io), PREPAY_OK);
    assert_int_equal(fx_ledger_init(fx), PREPAY_OK);
    prepay_journal_recovery_t info;
    assert_int_equal(prepay_journal_open(journal, io, staging, staging_size, NULL, &fx->ledger, fx->scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_int_equal(memory->length, PREPAY_JOURNAL_HEADER_SIZE);
}

/* Runs the workload: accounts (one batch each), then transfer batches. */
static void build_workload(uint32_t transfer_batches, uint32_t seed)
{
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    memset(&work, 0, sizeof work);
    open_empty(&memory, work.storage, &io, &journal, &live, sizeof staging);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    fx_model_t model;
    memset(&model, 0, sizeof model);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
        work.ends[work.batches] = journal.committed_end;
        work.models[work.batches] = model;
        work.accounts[work.batches] = i + 1;
        work.batches++;
    }
    /* A retry of an existing account journals nothing. */
    uint64_t before = memory.length;
    assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[0]), PREPAY_LEDGER_EXISTS);
    assert_int_equal(memory.length, before);

    uint32_t rng = seed;
    uint64_t next_id = 1000;
    for (uint32_t b = 0; b < transfer_batches; b++) {
        prepay_ledger_transfer_t batch[BATCH_MAX];
        int results[BATCH_MAX];
        uint32_t count = 1 + fx_random(&rng) % BATCH_MAX;
        fx_batch(&rng, &next_id, batch, count);
        assert_true(prepay_journal_submit(&journal, &live.ledger, batch, count, results) >= 0);
        for (uint32_t i = 0; i < count; i++) {
            fx_model_apply(&model, &batch[i]);
        }
        assert_true(fx_balances_match(&live.ledger, &model));
        assert_int_equal(prepay_ledger_transfer_count(&live.ledger), model.seen);
        work.ends[work.batches] = journal.committed_end;
        work.models[work.batches] = model;
        work.accounts[work.batches] = n;
        work.batches++;
    }
    assert_int_equal(memory.length, journal.committed_end);
    work.length = memory.length;
}

/* Recovers from crash_storage[0..length) into `rec`; returns the status. */
static int recover(size_t length, prepay_journal_memory_t *memory, prepay_journal_io_t *io,
                   prepay_journal_t *journal, prepay_journal_recovery_t *info)
{
    assert_int_equal(prepay_journal_memory_io(memory, crash_storage, STORAGE, io), PREPAY_OK);
    memory->length = length;
    memory->synced = length;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    return prepay_journal_open(journal, io, staging, sizeof staging, NULL, &rec.ledger, rec.scratch, FX_ACCOUNTS,
                               info);
}

/* Read-only recovery of crash_storage[0..length): never writes, whatever it finds. */
static int recover_read_only(size_t length, prepay_journal_recovery_t *info)
{
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    assert_int_equal(prepay_journal_memory_io(&memory, crash_storage, STORAGE, &io), PREPAY_OK);
    memory.length = memory.synced = length;
    io.append = NULL; /* a reader's storage has no write callbacks */
    io.sync = NULL;
    io.truncate = NULL;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    int status = prepay_journal_recover(&io, NULL, &rec.ledger, rec.scratch, FX_ACCOUNTS, info);
    assert_int_equal(memory.length, length);
    assert_int_equal(memory.appends, 0);
    assert_false(info->tail_cut);
    return status;
}

/* The batch count whose state the recovered ledger equals, checked against the model. */
static void assert_state_is_batch(uint32_t k)
{
    assert_int_equal(prepay_ledger_account_count(&rec.ledger), work.accounts[k]);
    assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), work.models[k].seen);
    if (work.accounts[k] == work.accounts[work.batches - 1]) {
        assert_true(fx_balances_match(&rec.ledger, &work.models[k]));
    }
}

static void test_recover_complete_journal(void **state)
{
    (void)state;
    build_workload(20, 0x1234567u);
    memcpy(crash_storage, work.storage, work.length);
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(recover(work.length, &memory, &io, &journal, &info), PREPAY_OK);
    assert_state_is_batch(work.batches - 1);
    assert_int_equal(info.batches, work.batches);
    assert_int_equal(info.truncated_bytes, 0);
    assert_int_equal(info.committed_end, work.length);
    /* The recovered journal continues: one more batch, then recover again. */
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = 999999;
    t.debit_account_id = FX_CLEARING;
    t.credit_account_id = FX_WALLET0;
    t.amount = 777;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    int result;
    assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, &t, 1, &result), 1);
    size_t length = memory.length;
    assert_int_equal(recover(length, &memory, &io, &journal, &info), PREPAY_OK);
    prepay_ledger_balance_t balance;
    assert_int_equal(prepay_ledger_balance(&rec.ledger, FX_WALLET0, &balance), PREPAY_OK);
    assert_int_equal(balance.balance, work.models[work.batches - 1].balance[FX_WALLET0] + 777);
    /* Same id again: exists, nothing journaled. */
    assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, &t, 1, &result), 0);
    assert_int_equal(result, PREPAY_LEDGER_EXISTS);
    assert_int_equal(memory.length, length);
}

/* Crash at every byte offset of the last batches (and every 61st before). */
static void test_crash_at_every_offset(void **state)
{
    (void)state;
    build_workload(16, 0xBEEFu);
    uint64_t dense_from = work.ends[work.batches - 5];
    uint32_t checked = 0, continued = 0;
    for (size_t cut = 0; cut <= work.length; cut += (cut < dense_from ? 61 : 1)) {
        memcpy(crash_storage, work.storage, cut);
        prepay_journal_memory_t memory;
        prepay_journal_io_t io;
        prepay_journal_t journal;
        prepay_journal_recovery_t info;
        int status = recover(cut, &memory, &io, &journal, &info);
        if (status != PREPAY_OK) {
            fail_msg("cut at %zu: %s", cut, prepay_strerror(status));
        }
        if (cut < FIRST_COPY_END(0)) {
            /* Before the first commit: an empty ledger (a torn header is cut to nothing, and not
             * recorded; a torn first batch is cut and recorded). */
            assert_int_equal(prepay_ledger_account_count(&rec.ledger), 0);
            assert_int_equal(memory.length, PREPAY_JOURNAL_HEADER_SIZE + (cut > PREPAY_JOURNAL_HEADER_SIZE ? CUT_BATCH : 0u));
            checked++;
            continue;
        }
        /* Batch k is the last whose first commit copy is whole. */
        uint32_t k = 0;
        while (k + 1 < work.batches && FIRST_COPY_END(k + 1) <= cut) {
            k++;
        }
        uint64_t committed = cut >= FIRST_COPY_END(k) && cut < work.ends[k] ? FIRST_COPY_END(k) : work.ends[k];
        assert_state_is_batch(k);
        assert_int_equal(info.truncated_bytes, cut - committed);
        assert_int_equal(info.final_copy_missing, committed != work.ends[k]);
        assert_true(info.tail_cut == (cut > committed));
        /* The writer completed the commit copy and recorded the cut (its own batch). */
        assert_int_equal(memory.length, work.ends[k] + (cut > committed ? CUT_BATCH : 0u));
        /* A reader of the same bytes reports the same and changes nothing. */
        prepay_journal_recovery_t seen;
        memcpy(crash_storage, work.storage, cut);
        assert_int_equal(recover_read_only(cut, &seen), PREPAY_OK);
        assert_state_is_batch(k);
        assert_int_equal(seen.truncated_bytes, cut - committed);
        assert_int_equal(seen.committed_end, committed);
        /* A prefix of the next batch is one unfinished batch; a torn commit copy is none. */
        assert_int_equal(seen.tail_batches, cut > committed && committed == work.ends[k] ? 1u : 0u);
        checked++;
        if (cut % 13 == 0) {
            /* The journal continues correctly after the truncation. */
            prepay_ledger_transfer_t t;
            memset(&t, 0, sizeof t);
            t.id = 5000000 + cut;
            t.debit_account_id = FX_CLEARING;
            t.credit_account_id = FX_WALLET0 + 1;
            t.amount = 5;
            t.code = PREPAY_LEDGER_CODE_RECHARGE;
            int result;
            if (work.accounts[k] == work.accounts[work.batches - 1]) {
                /* recover() above ran on crash_storage; the reader's copy overwrote nothing it kept. */
                assert_int_equal(recover(cut, &memory, &io, &journal, &info), PREPAY_OK);
                assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, &t, 1, &result), 1);
                uint32_t before = prepay_ledger_transfer_count(&rec.ledger);
                uint64_t cut_bytes = cut - committed;
                assert_int_equal(recover(memory.length, &memory, &io, &journal, &info), PREPAY_OK);
                assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), before);
                /* The cut is known to later readers. */
                assert_int_equal(info.earlier_cuts.count, cut_bytes > 0 ? 1u : 0u);
                assert_int_equal(info.earlier_cuts.bytes, cut_bytes);
                assert_int_equal(info.truncated_bytes, 0);
                continued++;
            }
        }
    }
    print_message("crash points: %u (journal %zu bytes), continued after %u\n", checked, work.length, continued);
    assert_true(checked > 1000);
    assert_true(continued > 50);
}

/* Is offset inside a commit copy? Which copy starts where? */
static bool in_commit_copy(size_t at, uint64_t *copy_start)
{
    for (uint32_t b = 0; b < work.batches; b++) {
        uint64_t first = work.ends[b] - 2u * PREPAY_JOURNAL_COMMIT_SIZE;
        if (at >= first && at < work.ends[b]) {
            *copy_start = at < FIRST_COPY_END(b) ? first : FIRST_COPY_END(b);
            return true;
        }
    }
    return false;
}

/* Flip one bit at many offsets: corruption is reported, or every batch is there (a damaged copy reported). */
static void test_bit_flips(void **state)
{
    (void)state;
    build_workload(12, 0xC0FFEEu);
    uint64_t dense_from = work.ends[work.batches - 4];
    uint32_t reported = 0, repaired = 0, repaired_final = 0;
    for (size_t at = 0; at < work.length; at += (at < dense_from ? 7 : 1)) {
        for (unsigned bit = (unsigned)(at % 3); bit < 8; bit += 3) {
            memcpy(crash_storage, work.storage, work.length);
            crash_storage[at] ^= (uint8_t)(1u << bit);
            prepay_journal_memory_t memory;
            prepay_journal_io_t io;
            prepay_journal_t journal;
            prepay_journal_recovery_t info;
            int status = recover(work.length, &memory, &io, &journal, &info);
            uint64_t copy = 0;
            if (status == PREPAY_OK) {
                /* Accepted: only a flip in one copy of a commit record, and nothing is lost. */
                assert_true(in_commit_copy(at, &copy));
                assert_state_is_batch(work.batches - 1);
                assert_int_equal(info.damaged_commits, 1);
                assert_int_equal(info.damaged_offset, copy);
                assert_int_equal(info.truncated_bytes, 0);
                assert_int_equal(memory.length, work.length);
                repaired++;
                repaired_final += copy >= work.length - 2u * PREPAY_JOURNAL_COMMIT_SIZE;
                continue;
            }
            assert_false(in_commit_copy(at, &copy));
            reported++;
            if (at < PREPAY_JOURNAL_HEADER_SIZE) {
                assert_int_equal(status, PREPAY_E_JOURNAL_BAD_HEADER);
            } else {
                if (status != PREPAY_E_JOURNAL_CORRUPT && status != PREPAY_E_JOURNAL_SEQUENCE) {
                    fail_msg("flip at %zu bit %u: %s", at, bit, prepay_strerror(status));
                }
                assert_true(info.corrupt_offset <= at);
                assert_true(info.corrupt_offset >= PREPAY_JOURNAL_HEADER_SIZE);
                assert_int_equal(memory.length, work.length); /* nothing truncated */
            }
        }
    }
    print_message("bit flips: %u reported as corruption, %u commit copies repaired (%u in the final batch)\n",
                  reported, repaired, repaired_final);
    assert_true(reported > 1000);
    assert_true(repaired_final > 100);
}

/* Garbage or zeros after the last commit (file system junk after a crash) are a torn tail. */
static void test_junk_tail(void **state)
{
    (void)state;
    build_workload(6, 77u);
    for (int kind = 0; kind < 3; kind++) {
        memcpy(crash_storage, work.storage, work.length);
        size_t junk = kind == 2 ? 300 : 4096;
        uint32_t x = 99u;
        for (size_t i = 0; i < junk; i++) {
            crash_storage[work.length + i] = kind == 0 ? 0 : (uint8_t)fx_random(&x);
        }
        if (kind == 2) {
            /* A valid-looking record header for the next sequence, then garbage. */
            memcpy(crash_storage + work.length, work.storage + work.ends[work.batches - 2], 16);
        }
        prepay_journal_memory_t memory;
        prepay_journal_io_t io;
        prepay_journal_t journal;
        prepay_journal_recovery_t info;
        assert_int_equal(recover(work.length + junk, &memory, &io, &journal, &info), PREPAY_OK);
        assert_state_is_batch(work.batches - 1);
        assert_int_equal(info.truncated_bytes, junk);
        assert_int_equal(info.tail_records, 0);
        assert_int_equal(info.tail_batches, 0); /* no record of the next sequence begins there */
        assert_int_equal(memory.length, work.length + CUT_BATCH);
    }
}

/* Complete records whose commit record never made it are discarded as a whole batch. */
static void test_batch_without_commit_is_discarded(void **state)
{
    (void)state;
    build_workload(4, 5u);
    memcpy(crash_storage, work.storage, work.length);
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(recover(work.length, &memory, &io, &journal, &info), PREPAY_OK);
    uint64_t sequence = info.last_sequence + 1;
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.debit_account_id = FX_CLEARING;
    t.credit_account_id = FX_WALLET0;
    t.amount = 10;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    size_t at = work.length;
    for (int i = 0; i < 3; i++) {
        uint8_t payload[PREPAY_JOURNAL_TRANSFER_SIZE];
        t.id = 7000 + (uint64_t)i;
        assert_int_equal(prepay_journal_transfer_encode(&t, payload, sizeof payload), (int)sizeof payload);
        int n = prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_TRANSFER, sequence++, payload, sizeof payload,
                                             crash_storage + at, STORAGE - at);
        assert_true(n > 0);
        at += (size_t)n;
    }
    assert_int_equal(recover(at, &memory, &io, &journal, &info), PREPAY_OK);
    assert_state_is_batch(work.batches - 1);
    assert_int_equal(info.truncated_bytes, at - work.length);
    assert_int_equal(info.tail_records, 3);
    assert_int_equal(info.tail_batches, 1);

    /* With a commit record that claims a different batch: a valid record that lies, so corruption. */
    at = work.length + 3 * (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_TRANSFER_SIZE);
    memcpy(crash_storage, work.storage, work.length); /* recover() truncated the copy */
    sequence = info.last_sequence + 1;
    for (int i = 0; i < 3; i++) {
        uint8_t payload[PREPAY_JOURNAL_TRANSFER_SIZE];
        t.id = 7000 + (uint64_t)i;
        (void)prepay_journal_transfer_encode(&t, payload, sizeof payload);
        (void)prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_TRANSFER, sequence++, payload, sizeof payload,
                                           crash_storage + work.length + (size_t)i * 116u, 116u);
    }
    prepay_journal_commit_t commit = {info.last_sequence + 1, 2}; /* claims 2, holds 3 */
    uint8_t cp[PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE];
    (void)prepay_journal_commit_encode(&commit, cp, sizeof cp);
    int n = prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_COMMIT, sequence, cp, sizeof cp, crash_storage + at,
                                         STORAGE - at);
    assert_int_equal(n, (int)PREPAY_JOURNAL_COMMIT_SIZE);
    assert_int_equal(recover(at + (size_t)n, &memory, &io, &journal, &info), PREPAY_E_JOURNAL_CORRUPT);
    assert_int_equal(info.corrupt_offset, at);
}

/*
 * Failure injection: the n-th append or sync of a workload fails. The batch
 * in flight is never acknowledged; afterwards the journal refuses writes;
 * after a crash (keeping none, some or all unsynced bytes) recovery holds
 * every acknowledged batch, plus at most the unacknowledged one in full.
 */
static void run_with_failure(bool fail_sync, uint32_t countdown, size_t keep_unsynced, size_t short_write)
{
    static uint8_t storage[STORAGE];
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    /* A small staging buffer, so that a batch takes several appends. */
    open_empty(&memory, storage, &io, &journal, &live, PREPAY_JOURNAL_MIN_BUFFER + 200);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
    }
    if (fail_sync) {
        memory.fail_sync_countdown = countdown;
    } else {
        memory.fail_append_countdown = countdown;
        memory.failed_append_keeps = short_write;
    }
    fx_model_t acked, attempted;
    memset(&acked, 0, sizeof acked);
    uint32_t rng = 4242u;
    uint64_t next_id = 1;
    bool failed = false;
    for (uint32_t b = 0; b < 12 && !failed; b++) {
        prepay_ledger_transfer_t batch[BATCH_MAX];
        int results[BATCH_MAX];
        uint32_t count = 1 + fx_random(&rng) % BATCH_MAX;
        fx_batch(&rng, &next_id, batch, count);
        attempted = acked;
        for (uint32_t i = 0; i < count; i++) {
            fx_model_apply(&attempted, &batch[i]);
        }
        size_t synced_before = memory.synced;
        int status = prepay_journal_submit(&journal, &live.ledger, batch, count, results);
        if (status >= 0) {
            /* Acknowledged: it must be durable right now. */
            assert_int_equal(memory.synced, memory.length);
            assert_true(memory.synced > synced_before || status == 0);
            acked = attempted;
        } else {
            assert_true(status == PREPAY_E_JOURNAL_IO || status == PREPAY_E_JOURNAL_FULL);
            assert_int_equal(prepay_journal_submit(&journal, &live.ledger, batch, count, results),
                             PREPAY_E_JOURNAL_FAILED);
            assert_int_equal(prepay_journal_commit(&journal), PREPAY_E_JOURNAL_FAILED);
            failed = true;
        }
    }
    prepay_journal_memory_crash(&memory, keep_unsynced);
    memcpy(crash_storage, storage, memory.length);
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    prepay_journal_recovery_t info;
    assert_int_equal(recover(memory.length, &memory2, &io2, &journal2, &info), PREPAY_OK);
    if (fx_balances_match(&rec.ledger, &acked) && prepay_ledger_transfer_count(&rec.ledger) == acked.seen) {
        return;
    }
    /* Otherwise the unacknowledged batch became durable in full (its commit reached the disk). */
    assert_true(failed && keep_unsynced > 0);
    assert_true(fx_balances_match(&rec.ledger, &attempted));
    assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), attempted.seen);
}

static void test_failure_injection(void **state)
{
    (void)state;
    static const size_t keeps[] = {0, 1, 17, 116, 1000, (size_t)-1};
    for (uint32_t countdown = 1; countdown <= 60; countdown++) {
        for (size_t k = 0; k < sizeof keeps / sizeof keeps[0]; k++) {
            run_with_failure(true, countdown, keeps[k], 0);
            run_with_failure(false, countdown, keeps[k], 0);
            run_with_failure(false, countdown, keeps[k], 50);
        }
    }
}

/* A failed sync must not be acknowledged, and nothing after it either. */
static void test_failed_sync_not_acknowledged(void **state)
{
    (void)state;
    static uint8_t storage[STORAGE];
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    open_empty(&memory, storage, &io, &journal, &live, sizeof staging);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
    }
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = 1;
    t.debit_account_id = FX_CLEARING;
    t.credit_account_id = FX_WALLET0;
    t.amount = 100;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    int result;
    memory.fail_sync_countdown = 1;
    uint32_t syncs = memory.syncs;
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, &t, 1, &result), PREPAY_E_JOURNAL_IO);
    assert_int_equal(memory.syncs, syncs + 1); /* exactly one sync per batch */
    t.id = 2;
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, &t, 1, &result), PREPAY_E_JOURNAL_FAILED);
    prepay_journal_memory_crash(&memory, 0);
    memcpy(crash_storage, storage, memory.length);
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    prepay_journal_recovery_t info;
    assert_int_equal(recover(memory.length, &memory2, &io2, &journal2, &info), PREPAY_OK);
    assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), 0);
    assert_null(prepay_ledger_lookup(&rec.ledger, 1));
}

/* Entry-by-entry equality of two ledgers' logs and accounts. */
static void assert_same_ledger(const prepay_ledger_t *a, const prepay_ledger_t *b)
{
    assert_int_equal(prepay_ledger_account_count(a), prepay_ledger_account_count(b));
    assert_int_equal(prepay_ledger_transfer_count(a), prepay_ledger_transfer_count(b));
    for (uint32_t i = 0; i < prepay_ledger_account_count(a); i++) {
        const prepay_ledger_account_t *x = prepay_ledger_account_at(a, i);
        const prepay_ledger_account_t *y = prepay_ledger_account(b, x->id);
        assert_non_null(y);
        assert_memory_equal(x, y, sizeof *x);
    }
    for (uint32_t i = 0; i < prepay_ledger_transfer_count(a); i++) {
        const prepay_ledger_entry_t *x = prepay_ledger_entry_at(a, i);
        const prepay_ledger_entry_t *y = prepay_ledger_entry_at(b, i);
        assert_memory_equal(&x->transfer, &y->transfer, sizeof x->transfer);
        assert_int_equal(x->state, y->state);
        assert_int_equal(x->resolved_by, y->resolved_by);
    }
}

static void submit_batches(prepay_journal_t *journal, prepay_ledger_t *ledger, uint32_t *rng, uint64_t *next_id,
                           uint32_t batches)
{
    for (uint32_t b = 0; b < batches; b++) {
        prepay_ledger_transfer_t batch[BATCH_MAX];
        int results[BATCH_MAX];
        uint32_t count = 1 + fx_random(rng) % BATCH_MAX;
        fx_batch(rng, next_id, batch, count);
        assert_true(prepay_journal_submit(journal, ledger, batch, count, results) >= 0);
    }
}

static void test_snapshot_equals_full_replay(void **state)
{
    (void)state;
    static uint8_t storage[STORAGE];
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_snapshot_memory_t snap_memory;
    prepay_snapshot_io_t snap;
    assert_int_equal(prepay_snapshot_memory_io(&snap_memory, snap_slot[0], snap_slot[1], sizeof snap_slot[0], &snap),
                     PREPAY_OK);
    open_empty(&memory, storage, &io, &journal, &live, sizeof staging);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
    }
    /* A pending transfer, posted later, and a closed account: state beyond balances. */
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = 1;
    t.debit_account_id = FX_CLEARING;
    t.credit_account_id = FX_WALLET0 + 3;
    t.amount = 900;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    int result;
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, &t, 1, &result), 1);
    t.id = 2;
    t.debit_account_id = FX_WALLET0 + 3;
    t.credit_account_id = FX_REVENUE;
    t.amount = 300;
    t.code = PREPAY_LEDGER_CODE_DEDUCTION;
    t.flags = PREPAY_LEDGER_TRANSFER_PENDING;
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, &t, 1, &result), 1);
    uint32_t rng = 31337u;
    uint64_t next_id = 100;
    submit_batches(&journal, &live.ledger, &rng, &next_id, 6);

    /* Snapshot without compaction (the state after a crash between publish and truncate). */
    assert_int_equal(prepay_journal_snapshot(&journal, &live.ledger, &snap, false), PREPAY_OK);
    uint64_t covered = journal.next_sequence - 1;
    submit_batches(&journal, &live.ledger, &rng, &next_id, 4);
    memset(&t, 0, sizeof t);
    t.id = 3;
    t.pending_id = 2;
    t.amount = 200;
    t.code = PREPAY_LEDGER_CODE_DEDUCTION;
    t.flags = PREPAY_LEDGER_TRANSFER_POST_PENDING;
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, &t, 1, &result), 1);

    memcpy(crash_storage, storage, memory.length);
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    prepay_journal_recovery_t info;
    /* Full replay. */
    assert_int_equal(recover(memory.length, &memory2, &io2, &journal2, &info), PREPAY_OK);
    assert_same_ledger(&live.ledger, &rec.ledger);
    /* Snapshot + replay of the later records. */
    assert_int_equal(prepay_journal_memory_io(&memory2, crash_storage, STORAGE, &io2), PREPAY_OK);
    memory2.length = memory2.synced = memory.length;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_open(&journal2, &io2, staging, sizeof staging, &snap, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_int_equal(info.snapshot_sequence, covered);
    assert_true(info.skipped_records > 0);
    assert_true(info.snapshot_records > 0);
    assert_same_ledger(&live.ledger, &rec.ledger);

    /* Close an account, snapshot with compaction: the journal shrinks to its header. */
    assert_int_equal(prepay_journal_close_account(&journal, &live.ledger, FX_WALLET0 + 2), PREPAY_OK);
    assert_int_equal(prepay_journal_close_account(&journal, &live.ledger, FX_WALLET0 + 2), PREPAY_LEDGER_EXISTS);
    assert_int_equal(prepay_journal_snapshot(&journal, &live.ledger, &snap, true), PREPAY_OK);
    assert_int_equal(memory.length, PREPAY_JOURNAL_HEADER_SIZE);
    submit_batches(&journal, &live.ledger, &rng, &next_id, 3);
    memcpy(crash_storage, storage, memory.length);
    assert_int_equal(prepay_journal_memory_io(&memory2, crash_storage, STORAGE, &io2), PREPAY_OK);
    memory2.length = memory2.synced = memory.length;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_open(&journal2, &io2, staging, sizeof staging, &snap, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_int_equal(info.skipped_records, 0);
    assert_same_ledger(&live.ledger, &rec.ledger);
    /* Without the snapshot the compacted journal does not start at 1: a gap, reported. */
    assert_int_equal(recover(memory.length, &memory2, &io2, &journal2, &info), PREPAY_E_JOURNAL_SEQUENCE);

    /* A failing snapshot write leaves the published snapshot in place. */
    snap_memory.fail_write_countdown = 2;
    assert_int_equal(prepay_journal_snapshot(&journal, &live.ledger, &snap, true), PREPAY_E_JOURNAL_IO);
    assert_true(memory.length > PREPAY_JOURNAL_HEADER_SIZE); /* not compacted */
    memcpy(crash_storage, storage, memory.length);
    assert_int_equal(prepay_journal_memory_io(&memory2, crash_storage, STORAGE, &io2), PREPAY_OK);
    memory2.length = memory2.synced = memory.length;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_open(&journal2, &io2, staging, sizeof staging, &snap, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_same_ledger(&live.ledger, &rec.ledger);

    /* Every single-bit error in the snapshot is detected. */
    uint8_t *published = snap_memory.slot[snap_memory.published];
    size_t snap_length = snap_memory.length[snap_memory.published];
    for (size_t at = 0; at < snap_length; at += 3) {
        published[at] ^= 0x10;
        assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
        uint64_t sequence;
        assert_int_equal(prepay_journal_snapshot_load(&snap, &rec.ledger, &sequence, NULL),
                         PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT);
        published[at] ^= 0x10;
    }
}

/* Pipelined group commit: sealed batches are not durable until sync, which acknowledges them all. */
static void test_seal_and_sync(void **state)
{
    (void)state;
    static uint8_t storage[STORAGE];
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    open_empty(&memory, storage, &io, &journal, &live, sizeof staging);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
    }
    fx_model_t acked, staged;
    memset(&acked, 0, sizeof acked);
    uint32_t rng = 777u;
    uint64_t next_id = 1;
    prepay_ledger_transfer_t batch[BATCH_MAX];
    int results[BATCH_MAX];
    /* Batch A: staged and sealed, not synced. */
    fx_batch(&rng, &next_id, batch, BATCH_MAX);
    staged = acked;
    for (uint32_t i = 0; i < BATCH_MAX; i++) {
        fx_model_apply(&staged, &batch[i]);
    }
    uint32_t syncs = memory.syncs;
    assert_true(prepay_journal_stage(&journal, &live.ledger, batch, BATCH_MAX, results) > 0);
    assert_int_equal(prepay_journal_seal(&journal), PREPAY_OK);
    assert_int_equal(memory.syncs, syncs);
    assert_true(memory.length > memory.synced); /* written, not durable */
    prepay_snapshot_memory_t snap_memory;
    prepay_snapshot_io_t snap;
    assert_int_equal(prepay_snapshot_memory_io(&snap_memory, snap_slot[0], snap_slot[1], sizeof snap_slot[0], &snap),
                     PREPAY_OK);
    assert_int_equal(prepay_journal_snapshot(&journal, &live.ledger, &snap, true), PREPAY_E_BAD_STATE);
    /* A crash now loses batch A, which was never acknowledged. */
    memcpy(crash_storage, storage, memory.synced);
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    prepay_journal_recovery_t info;
    assert_int_equal(recover(memory.synced, &memory2, &io2, &journal2, &info), PREPAY_OK);
    assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), 0);
    /* Batch B staged while A is written back; then one sync acknowledges A only. */
    fx_batch(&rng, &next_id, batch, BATCH_MAX);
    assert_true(prepay_journal_stage(&journal, &live.ledger, batch, BATCH_MAX, results) > 0);
    assert_int_equal(prepay_journal_sync(&journal), 1);
    assert_int_equal(memory.syncs, syncs + 1);
    assert_int_equal(prepay_journal_sync(&journal), 0); /* nothing sealed: no sync */
    assert_int_equal(memory.syncs, syncs + 1);
    acked = staged;
    memcpy(crash_storage, storage, memory.synced);
    assert_int_equal(recover(memory.synced, &memory2, &io2, &journal2, &info), PREPAY_OK);
    assert_true(fx_balances_match(&rec.ledger, &acked));
    assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), acked.seen);
    /* Seal B, fail its sync: not acknowledged, journal failed; recovery without B. */
    assert_int_equal(prepay_journal_seal(&journal), PREPAY_OK);
    memory.fail_sync_countdown = 1;
    assert_int_equal(prepay_journal_sync(&journal), PREPAY_E_JOURNAL_IO);
    assert_int_equal(prepay_journal_seal(&journal), PREPAY_E_JOURNAL_FAILED);
    assert_int_equal(prepay_journal_sync(&journal), PREPAY_E_JOURNAL_FAILED);
    prepay_journal_memory_crash(&memory, 0);
    memcpy(crash_storage, storage, memory.length);
    assert_int_equal(recover(memory.length, &memory2, &io2, &journal2, &info), PREPAY_OK);
    assert_true(fx_balances_match(&rec.ledger, &acked));
    assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), acked.seen);
}

/* ---- hand-made journals ---------------------------------------------------- */

static size_t put_record(uint8_t *buffer, size_t at, uint16_t type, uint64_t sequence, const uint8_t *payload,
                         size_t length)
{
    int n = prepay_journal_record_encode(type, sequence, payload, length, buffer + at, STORAGE - at);
    assert_true(n > 0);
    return at + (size_t)n;
}

/* The commit record of a batch of `count` records from `first`, written `copies` times. */
static size_t put_commit(uint8_t *buffer, size_t at, uint64_t first, uint32_t count, int copies)
{
    prepay_journal_commit_t commit = {first, count};
    uint8_t payload[PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE];
    (void)prepay_journal_commit_encode(&commit, payload, sizeof payload);
    for (int i = 0; i < copies; i++) {
        at = put_record(buffer, at, PREPAY_JOURNAL_RECORD_COMMIT, first + count, payload, sizeof payload);
    }
    return at;
}

/* One batch of one recharge (clearing -> wallet 0) with sequences first, first + 1. */
static size_t put_recharge_batch(uint8_t *buffer, size_t at, uint64_t first, uint64_t id, int64_t amount, int copies)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.debit_account_id = FX_CLEARING;
    t.credit_account_id = FX_WALLET0;
    t.amount = amount;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    uint8_t payload[PREPAY_JOURNAL_TRANSFER_SIZE];
    (void)prepay_journal_transfer_encode(&t, payload, sizeof payload);
    at = put_record(buffer, at, PREPAY_JOURNAL_RECORD_TRANSFER, first, payload, sizeof payload);
    return put_commit(buffer, at, first, 1, copies);
}

/* A header of the given format version. */
static size_t put_header(uint8_t *buffer, uint16_t version)
{
    (void)prepay_journal_header_encode(buffer, PREPAY_JOURNAL_HEADER_SIZE);
    buffer[8] = (uint8_t)version;
    uint32_t crc = prepay_journal_crc32c(0, buffer, 20);
    for (int i = 0; i < 4; i++) {
        buffer[20 + i] = (uint8_t)(crc >> (8 * i));
    }
    return PREPAY_JOURNAL_HEADER_SIZE;
}

/* Accounts (clearing, revenue, wallets) as one batch each, from sequence 1. */
static size_t put_accounts(uint8_t *buffer, size_t at, int copies, uint64_t *next)
{
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t payload[PREPAY_JOURNAL_ACCOUNT_SIZE];
        (void)prepay_journal_account_encode(&accounts[i], payload, sizeof payload);
        at = put_record(buffer, at, PREPAY_JOURNAL_RECORD_ACCOUNT, *next, payload, sizeof payload);
        at = put_commit(buffer, at, *next, 1, copies);
        *next += 2;
    }
    return at;
}

static int64_t wallet0_balance(void)
{
    prepay_ledger_balance_t b;
    assert_int_equal(prepay_ledger_balance(&rec.ledger, FX_WALLET0, &b), PREPAY_OK);
    return b.balance;
}

/*
 * The scan's snapshot rule: after a snapshot covering sequence S, the
 * journal's first record may repeat covered sequences (a crash between
 * publishing and compacting) or start at S + 1, never later (batches lost).
 */
static void test_snapshot_sequence_rule(void **state)
{
    (void)state;
    static uint8_t storage[STORAGE];
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_snapshot_memory_t snap_memory;
    prepay_snapshot_io_t snap;
    assert_int_equal(prepay_snapshot_memory_io(&snap_memory, snap_slot[0], snap_slot[1], sizeof snap_slot[0], &snap),
                     PREPAY_OK);
    open_empty(&memory, storage, &io, &journal, &live, sizeof staging);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
    }
    assert_int_equal(prepay_journal_snapshot(&journal, &live.ledger, &snap, false), PREPAY_OK);
    uint64_t covered = journal.next_sequence - 1; /* S */
    assert_int_equal(covered, 2u * n);
    struct {
        uint64_t first;  /* first sequence of the journal's only batch */
        int expected;    /* recovery status */
        int64_t balance; /* wallet 0 afterwards (if recovered) */
    } cases[] = {
        {covered + 1, PREPAY_OK, 500},                       /* continues the snapshot */
        {covered + 2, PREPAY_E_JOURNAL_SEQUENCE, 0},         /* one sequence lost */
        {covered + 3, PREPAY_E_JOURNAL_SEQUENCE, 0},         /* a whole batch lost */
        {covered + 1000, PREPAY_E_JOURNAL_SEQUENCE, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t at = put_header(crash_storage, PREPAY_JOURNAL_VERSION);
        at = put_recharge_batch(crash_storage, at, cases[c].first, 77, 500, 2);
        prepay_journal_memory_t memory2;
        prepay_journal_io_t io2;
        prepay_journal_t journal2;
        prepay_journal_recovery_t info;
        assert_int_equal(prepay_journal_memory_io(&memory2, crash_storage, STORAGE, &io2), PREPAY_OK);
        memory2.length = memory2.synced = at;
        assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
        int status = prepay_journal_open(&journal2, &io2, staging, sizeof staging, &snap, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info);
        assert_int_equal(status, cases[c].expected);
        if (status == PREPAY_OK) {
            assert_int_equal(info.snapshot_sequence, covered);
            assert_int_equal(info.records, 1);
            assert_int_equal(wallet0_balance(), cases[c].balance);
        } else {
            assert_int_equal(info.corrupt_offset, PREPAY_JOURNAL_HEADER_SIZE);
            assert_int_equal(memory2.length, at); /* nothing cut */
        }
    }
    /* The uncompacted journal starts at 1 <= S: its covered records are checked and skipped. */
    memcpy(crash_storage, storage, memory.length);
    size_t at = put_recharge_batch(crash_storage, memory.length, covered + 1, 78, 250, 2);
    prepay_journal_memory_t memory3;
    prepay_journal_io_t io3;
    prepay_journal_t journal3;
    prepay_journal_recovery_t info;
    assert_int_equal(prepay_journal_memory_io(&memory3, crash_storage, STORAGE, &io3), PREPAY_OK);
    memory3.length = memory3.synced = at;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_open(&journal3, &io3, staging, sizeof staging, &snap, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_int_equal(info.skipped_records, n);
    assert_int_equal(info.records, 1);
    assert_int_equal(wallet0_balance(), 250);
}

/*
 * Format 2's two commit copies: one damaged copy of the FINAL commit record
 * is detected, the batch kept, and the journal goes on; both damaged is the
 * one case left that looks like a torn write: the batch is cut, and the cut
 * (with its complete record) is recorded for later readers.
 */
static void test_damaged_final_commit(void **state)
{
    (void)state;
    build_workload(3, 99u);
    uint64_t copy1 = work.length - 2u * PREPAY_JOURNAL_COMMIT_SIZE;
    uint64_t copy2 = work.length - PREPAY_JOURNAL_COMMIT_SIZE;
    const uint64_t damaged[][2] = {{copy1 + 30, 0}, {copy2 + 9, 0}, {copy1 + 2, 0}, {copy1 + 20, copy2 + 20}};
    for (size_t c = 0; c < sizeof damaged / sizeof damaged[0]; c++) {
        memcpy(crash_storage, work.storage, work.length);
        crash_storage[damaged[c][0]] ^= 0x04;
        if (damaged[c][1] != 0) {
            crash_storage[damaged[c][1]] ^= 0x40;
        }
        prepay_journal_recovery_t info;
        assert_int_equal(recover_read_only(work.length, &info), PREPAY_OK);
        prepay_journal_memory_t memory;
        prepay_journal_io_t io;
        prepay_journal_t journal;
        assert_int_equal(recover(work.length, &memory, &io, &journal, &info), PREPAY_OK);
        if (damaged[c][1] == 0) {
            /* Detected, reported, and no batch lost. */
            assert_state_is_batch(work.batches - 1);
            assert_int_equal(info.damaged_commits, 1);
            assert_int_equal(info.damaged_offset, damaged[c][0] < copy2 ? copy1 : copy2);
            assert_int_equal(info.truncated_bytes, 0);
        } else {
            /* Both copies: indistinguishable from a torn write; cut, counted, recorded. */
            assert_state_is_batch(work.batches - 2);
            assert_int_equal(info.damaged_commits, 0);
            assert_int_equal(info.truncated_bytes, work.length - work.ends[work.batches - 2]);
            assert_true(info.tail_cut);
            assert_true(info.tail_records > 0);
            assert_int_equal(info.tail_batches, 1);
        }
        uint32_t tail_records = info.tail_records;
        uint64_t cut_bytes = info.truncated_bytes;
        /* The journal goes on; the damage stays visible (inside the log now) until a snapshot. */
        prepay_ledger_transfer_t t;
        memset(&t, 0, sizeof t);
        t.id = 880000 + c;
        t.debit_account_id = FX_CLEARING;
        t.credit_account_id = FX_WALLET0;
        t.amount = 3;
        t.code = PREPAY_LEDGER_CODE_RECHARGE;
        int result;
        assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, &t, 1, &result), 1);
        uint32_t transfers = prepay_ledger_transfer_count(&rec.ledger);
        assert_int_equal(recover(memory.length, &memory, &io, &journal, &info), PREPAY_OK);
        assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), transfers);
        assert_int_equal(info.damaged_commits, damaged[c][1] == 0 ? 1u : 0u);
        assert_int_equal(info.earlier_cuts.count, damaged[c][1] == 0 ? 0u : 1u);
        assert_int_equal(info.earlier_cuts.bytes, cut_bytes);
        assert_int_equal(info.earlier_cuts.records, tail_records);
        assert_int_equal(info.earlier_cuts.batches, damaged[c][1] == 0 ? 0u : 1u);
    }
    /* A damaged copy inside the log, with a bad copy right after a good one: still no loss. */
    memcpy(crash_storage, work.storage, work.length);
    crash_storage[work.ends[2] - 1] ^= 0x80;             /* batch 2, second copy's CRC */
    crash_storage[work.ends[4] - 70] ^= 0x01;            /* batch 4, first copy's length */
    prepay_journal_recovery_t info;
    assert_int_equal(recover_read_only(work.length, &info), PREPAY_OK);
    assert_state_is_batch(work.batches - 1);
    assert_int_equal(info.damaged_commits, 2);
    assert_int_equal(info.damaged_offset, FIRST_COPY_END(2));
}

/* A reader's recovery, then a writer's resume: it cuts only if the storage is what recovery saw. */
static void test_recover_then_resume(void **state)
{
    (void)state;
    build_workload(4, 1234u);
    size_t length = (size_t)work.ends[work.batches - 2] + 150; /* inside the last batch */
    memcpy(crash_storage, work.storage, length);
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    assert_int_equal(prepay_journal_memory_io(&memory, crash_storage, STORAGE, &io), PREPAY_OK);
    memory.length = memory.synced = length;
    prepay_journal_recovery_t info;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_recover(&io, NULL, &rec.ledger, rec.scratch, FX_ACCOUNTS, &info), PREPAY_OK);
    assert_int_equal(memory.length, length);
    assert_int_equal(info.truncated_bytes, 150);
    assert_int_equal(info.tail_records, 1); /* the first transfer record (116 bytes) is whole */
    assert_int_equal(info.tail_batches, 1);
    /* Someone appended meanwhile: the writer refuses to resume, and writes nothing. */
    memory.length += 10;
    prepay_journal_t journal;
    assert_int_equal(prepay_journal_resume(&journal, &io, staging, sizeof staging, &info), PREPAY_E_JOURNAL_CHANGED);
    assert_int_equal(memory.length, length + 10);
    assert_int_equal(memory.appends, 0);
    memory.length = length;
    assert_int_equal(prepay_journal_resume(&journal, &io, staging, sizeof staging, &info), PREPAY_OK);
    assert_true(info.tail_cut);
    assert_int_equal(memory.length, work.ends[work.batches - 2] + CUT_BATCH);
    assert_int_equal(memory.synced, memory.length);
    /* A reader's storage (no write callbacks) cannot be resumed. */
    io.truncate = NULL;
    assert_int_equal(prepay_journal_resume(&journal, &io, staging, sizeof staging, &info),
                     PREPAY_E_INVALID_ARGUMENT);
    /* Users cannot write CUT records themselves. */
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    open_empty(&memory2, crash_storage, &io2, &journal2, &live, sizeof staging);
    uint8_t payload[PREPAY_JOURNAL_CUT_SIZE] = {0};
    assert_int_equal(prepay_journal_add(&journal2, PREPAY_JOURNAL_RECORD_CUT, payload, sizeof payload),
                     PREPAY_E_INVALID_ARGUMENT);
}

/*
 * Format 1 (one commit copy, no CUT records) is still read and appended to
 * in its own format; a damaged final commit there is the old limit (cut as a
 * torn tail, reported but not recorded); a compaction rewrites it as format 2.
 */
static void test_format_1_journal(void **state)
{
    (void)state;
    uint64_t next = 1;
    size_t at = put_header(crash_storage, 1);
    at = put_accounts(crash_storage, at, 1, &next);
    at = put_recharge_batch(crash_storage, at, next, 501, 1000, 1);
    next += 2;
    size_t before_last = at;
    at = put_recharge_batch(crash_storage, at, next, 502, 20, 1);
    next += 2;
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(recover(at, &memory, &io, &journal, &info), PREPAY_OK);
    assert_int_equal(info.version, 1);
    assert_int_equal(wallet0_balance(), 1020);
    /* Appends in format 1: one commit copy per batch. */
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = 503;
    t.debit_account_id = FX_CLEARING;
    t.credit_account_id = FX_WALLET0;
    t.amount = 5;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    int result;
    assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, &t, 1, &result), 1);
    assert_int_equal(memory.length, at + PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_TRANSFER_SIZE +
                                        PREPAY_JOURNAL_COMMIT_SIZE);
    at = memory.length;
    assert_int_equal(recover(at, &memory, &io, &journal, &info), PREPAY_OK);
    assert_int_equal(wallet0_balance(), 1025);
    /* The old limit: a flip in the final commit record looks like a torn write in format 1. */
    crash_storage[at - 3] ^= 0x10;
    assert_int_equal(recover(at, &memory, &io, &journal, &info), PREPAY_OK);
    assert_int_equal(wallet0_balance(), 1020);
    assert_int_equal(info.tail_records, 1);
    assert_int_equal(info.tail_batches, 1);
    assert_true(info.tail_cut);
    assert_int_equal(memory.length, at - PREPAY_JOURNAL_RECORD_OVERHEAD - PREPAY_JOURNAL_TRANSFER_SIZE -
                                        PREPAY_JOURNAL_COMMIT_SIZE); /* not recorded: format 1 has no CUT */
    /* A CUT record is not a format-1 record: a bad record followed by a commit is corruption. */
    uint8_t payload[PREPAY_JOURNAL_CUT_SIZE] = {0};
    size_t bad = put_record(crash_storage, before_last, PREPAY_JOURNAL_RECORD_CUT, next - 2, payload, sizeof payload);
    bad = put_commit(crash_storage, bad, next - 2, 1, 1);
    assert_int_equal(recover(bad, &memory, &io, &journal, &info), PREPAY_E_JOURNAL_CORRUPT);
    assert_int_equal(info.corrupt_offset, before_last);
    /* Compaction rewrites format 1 as format 2. */
    at = put_recharge_batch(crash_storage, before_last, next - 2, 502, 20, 1);
    assert_int_equal(recover(at, &memory, &io, &journal, &info), PREPAY_OK);
    prepay_snapshot_memory_t snap_memory;
    prepay_snapshot_io_t snap;
    assert_int_equal(prepay_snapshot_memory_io(&snap_memory, snap_slot[0], snap_slot[1], sizeof snap_slot[0], &snap),
                     PREPAY_OK);
    assert_int_equal(prepay_journal_snapshot(&journal, &rec.ledger, &snap, true), PREPAY_OK);
    assert_int_equal(memory.length, PREPAY_JOURNAL_HEADER_SIZE);
    assert_int_equal(prepay_journal_header_version(crash_storage, PREPAY_JOURNAL_HEADER_SIZE), 2);
    t.id = 504;
    assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, &t, 1, &result), 1);
    assert_int_equal(memory.length, PREPAY_JOURNAL_HEADER_SIZE + PREPAY_JOURNAL_RECORD_OVERHEAD +
                                        PREPAY_JOURNAL_TRANSFER_SIZE + 2u * PREPAY_JOURNAL_COMMIT_SIZE);
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    assert_int_equal(prepay_journal_memory_io(&memory2, crash_storage, STORAGE, &io2), PREPAY_OK);
    memory2.length = memory2.synced = memory.length;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_open(&journal2, &io2, staging, sizeof staging, &snap, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_int_equal(info.version, 2);
    assert_int_equal(wallet0_balance(), 1025);
}

/* Cut totals survive compaction: the snapshot carries them. */
static void test_cuts_carried_by_snapshots(void **state)
{
    (void)state;
    build_workload(3, 4321u);
    memcpy(crash_storage, work.storage, work.length);
    memset(crash_storage + work.length, 0, 40); /* a zero-filled tail (extended, never written) */
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(recover(work.length + 40, &memory, &io, &journal, &info), PREPAY_OK);
    assert_int_equal(journal.cuts.count, 1);
    prepay_snapshot_memory_t snap_memory;
    prepay_snapshot_io_t snap;
    assert_int_equal(prepay_snapshot_memory_io(&snap_memory, snap_slot[0], snap_slot[1], sizeof snap_slot[0], &snap),
                     PREPAY_OK);
    assert_int_equal(prepay_journal_snapshot(&journal, &rec.ledger, &snap, true), PREPAY_OK);
    assert_int_equal(memory.length, PREPAY_JOURNAL_HEADER_SIZE);
    /* A second cut after compaction adds to the carried total. */
    memset(crash_storage + memory.length, 0xFF, 7);
    size_t length = memory.length + 7;
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    assert_int_equal(prepay_journal_memory_io(&memory2, crash_storage, STORAGE, &io2), PREPAY_OK);
    memory2.length = memory2.synced = length;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_open(&journal2, &io2, staging, sizeof staging, &snap, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_int_equal(info.earlier_cuts.count, 1);
    assert_int_equal(info.earlier_cuts.bytes, 40);
    assert_int_equal(journal2.cuts.count, 2);
    assert_int_equal(journal2.cuts.bytes, 47);
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    memory2.length = memory2.synced = (size_t)journal2.committed_end;
    assert_int_equal(prepay_journal_recover(&io2, &snap, &rec.ledger, rec.scratch, FX_ACCOUNTS, &info), PREPAY_OK);
    assert_int_equal(info.earlier_cuts.count, 2);
    assert_int_equal(info.earlier_cuts.bytes, 47);
}

/*
 * An EXISTS answer is an acknowledgement, so what it rests on must be
 * durable: batches a crashed process wrote but never synced are synced when
 * a writer opens the journal, and a retry of a sealed, unsynced batch waits
 * for its sync. (Found by the fault-injection harness: a retry answered
 * "exists" from the page cache, then a power cut took the batch away.)
 */
static void test_exists_answers_are_durable(void **state)
{
    (void)state;
    build_workload(3, 555u);
    memcpy(crash_storage, work.storage, work.length);
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(recover(work.length, &memory, &io, &journal, &info), PREPAY_OK);
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = 4242;
    t.debit_account_id = FX_CLEARING;
    t.credit_account_id = FX_WALLET0;
    t.amount = 99;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    int result;
    /* A process writes the batch and dies before its sync. */
    assert_int_equal(prepay_journal_stage(&journal, &rec.ledger, &t, 1, &result), 1);
    assert_int_equal(prepay_journal_seal(&journal), PREPAY_OK);
    size_t written = memory.length;
    size_t durable = memory.synced;
    assert_true(written > durable);
    /* The next writer recovers the batch (it is whole) and syncs it before answering anyone. */
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    assert_int_equal(prepay_journal_memory_io(&memory2, crash_storage, STORAGE, &io2), PREPAY_OK);
    memory2.length = written;
    memory2.synced = durable;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_open(&journal2, &io2, staging, sizeof staging, NULL, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_int_equal(memory2.synced, memory2.length);
    assert_int_equal(prepay_journal_submit(&journal2, &rec.ledger, &t, 1, &result), 0);
    assert_int_equal(result, PREPAY_LEDGER_EXISTS);
    prepay_journal_memory_crash(&memory2, 0); /* a power cut now takes nothing acknowledged */
    assert_int_equal(memory2.length, written);
    /* In one process: a retry of a sealed, unsynced batch is answered only once that batch is synced. */
    t.id = 4243;
    assert_int_equal(prepay_journal_stage(&journal2, &rec.ledger, &t, 1, &result), 1);
    assert_int_equal(prepay_journal_seal(&journal2), PREPAY_OK);
    assert_true(memory2.length > memory2.synced);
    assert_int_equal(prepay_journal_submit(&journal2, &rec.ledger, &t, 1, &result), 0);
    assert_int_equal(result, PREPAY_LEDGER_EXISTS);
    assert_int_equal(memory2.synced, memory2.length);
    /* The same for an account that exists in a sealed, unsynced batch. */
    prepay_ledger_account_t a = fx_account(77, PREPAY_LEDGER_ACCOUNT_WALLET, 0);
    assert_int_equal(prepay_ledger_create_account(&rec.ledger, &a), PREPAY_OK);
    assert_int_equal(prepay_journal_add_account(&journal2, &a), PREPAY_OK);
    assert_int_equal(prepay_journal_seal(&journal2), PREPAY_OK);
    assert_true(memory2.length > memory2.synced);
    assert_int_equal(prepay_journal_create_account(&journal2, &rec.ledger, &a), PREPAY_LEDGER_EXISTS);
    assert_int_equal(memory2.synced, memory2.length);
    /* "Nothing is due" is an answer too: prepay_journal_expire() waits for a sealed batch's sync. */
    t.id = 4244;
    assert_int_equal(prepay_journal_stage(&journal2, &rec.ledger, &t, 1, &result), 1);
    assert_int_equal(prepay_journal_seal(&journal2), PREPAY_OK);
    assert_true(memory2.length > memory2.synced);
    uint64_t ids[2];
    assert_int_equal(prepay_journal_expire(&journal2, &rec.ledger, 1000, ids, 2), 0);
    assert_int_equal(memory2.synced, memory2.length);
}

/* ---- deadlines and expiries (format 2) ------------------------------------- */

/* State after an acknowledged step of the expiry workload. */
typedef struct expiry_step {
    uint64_t end;                                  /* committed end of the journal */
    uint32_t transfers;                            /* log length */
    prepay_ledger_account_t accounts[FX_ACCOUNTS]; /* every account, counters included */
    uint32_t states[16];                           /* pending state of the first log entries */
} expiry_step_t;

static void capture(expiry_step_t *step, const prepay_journal_t *journal, const prepay_ledger_t *ledger)
{
    memset(step, 0, sizeof *step);
    step->end = journal->committed_end;
    step->transfers = prepay_ledger_transfer_count(ledger);
    for (uint32_t i = 0; i < prepay_ledger_account_count(ledger); i++) {
        step->accounts[i] = *prepay_ledger_account_at(ledger, i);
    }
    for (uint32_t i = 0; i < step->transfers && i < 16u; i++) {
        step->states[i] = prepay_ledger_entry_at(ledger, i)->state;
    }
}

static prepay_ledger_transfer_t expiry_transfer(uint64_t id, uint64_t debit, uint64_t credit, int64_t amount,
                                                uint16_t flags, int64_t deadline)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.debit_account_id = debit;
    t.credit_account_id = credit;
    t.amount = amount;
    t.code = debit == FX_CLEARING ? PREPAY_LEDGER_CODE_RECHARGE : PREPAY_LEDGER_CODE_DEDUCTION;
    t.flags = flags;
    t.deadline = deadline;
    t.timestamp = 10;
    return t;
}

/* The step whose state a recovery of crash_storage[0..cut) must give: the last whose first commit copy is whole. */
static uint32_t durable_step(const expiry_step_t *steps, uint32_t k, uint64_t cut)
{
    uint32_t want = 0;
    while (want + 1u < k && steps[want + 1u].end - PREPAY_JOURNAL_COMMIT_SIZE <= cut) {
        want++;
    }
    return want;
}

#define EXPIRE_RECORD (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_EXPIRE_SIZE)

/*
 * Deadlines and expiries are durable: prepay_journal_expire() writes one
 * EXPIRE record per transfer, committed like any batch (two commit copies);
 * recovery at every crash point gives exactly the acknowledged steps,
 * including a deduction that only the released reservation allowed (so the
 * expiry must be replayed before it); a torn EXPIRE batch is reported with
 * its complete records, cut, and the cut recorded; a damaged commit copy of
 * an EXPIRE batch loses nothing; a snapshot keeps expired entries expired.
 */
static void test_expiry_is_durable(void **state)
{
    (void)state;
    static uint8_t storage[STORAGE];
    static expiry_step_t steps[8];
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    open_empty(&memory, storage, &io, &journal, &live, sizeof staging);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
    }
    const uint64_t w0 = FX_WALLET0;
    const uint64_t w1 = FX_WALLET0 + 1;
    uint32_t k = 0;
    capture(&steps[k++], &journal, &live.ledger);
    /* 1: wallet w0 gets 1000. */
    prepay_ledger_transfer_t batch[4];
    int results[4];
    batch[0] = expiry_transfer(1, FX_CLEARING, w0, 1000, 0, 0);
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, batch, 1, results), 1);
    capture(&steps[k++], &journal, &live.ledger);
    /* 2: reservations with deadlines: 600 until 1000, 300 until 500, 50 until 2000 on w0;
     *    a pending recharge order of 700 into w1 until 800. */
    batch[0] = expiry_transfer(2, w0, FX_REVENUE, 600, PREPAY_LEDGER_TRANSFER_PENDING, 1000);
    batch[1] = expiry_transfer(3, w0, FX_REVENUE, 300, PREPAY_LEDGER_TRANSFER_PENDING, 500);
    batch[2] = expiry_transfer(4, w0, FX_REVENUE, 50, PREPAY_LEDGER_TRANSFER_PENDING, 2000);
    batch[3] = expiry_transfer(5, FX_CLEARING, w1, 700, PREPAY_LEDGER_TRANSFER_PENDING, 800);
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, batch, 4, results), 4);
    capture(&steps[k++], &journal, &live.ledger);
    /* 3: transfer 4 is posted before its deadline. */
    batch[0] = expiry_transfer(6, 0, 0, 50, PREPAY_LEDGER_TRANSFER_POST_PENDING, 0);
    batch[0].pending_id = 4;
    batch[0].code = PREPAY_LEDGER_CODE_DEDUCTION;
    batch[0].timestamp = 100;
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, batch, 1, results), 1);
    capture(&steps[k++], &journal, &live.ledger);
    /* 4: at 900, transfers 3 (due 500) and 5 (due 800) expire; one batch of two EXPIRE records
     *    and the two commit copies of format 2. */
    const uint32_t first_expiry_step = k;
    uint64_t ids[8];
    uint64_t before = memory.length;
    assert_int_equal(prepay_journal_expire(&journal, &live.ledger, 900, ids, 8), 2);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 5);
    assert_int_equal(memory.length - before, 2u * EXPIRE_RECORD + 2u * PREPAY_JOURNAL_COMMIT_SIZE);
    assert_int_equal(memory.synced, memory.length);
    uint32_t syncs = memory.syncs;
    assert_int_equal(prepay_journal_expire(&journal, &live.ledger, 900, ids, 8), 0); /* nothing due: nothing written */
    assert_int_equal(memory.syncs, syncs);                                              /* and nothing to wait for */
    assert_int_equal(prepay_journal_expire(&journal, &live.ledger, 900, NULL, 8), PREPAY_E_INVALID_ARGUMENT);
    capture(&steps[k++], &journal, &live.ledger);
    /* 5: w0 has 1000 - 50 posted - 600 reserved = 350 available: a deduction of 300
     *    passes only because the 300 of transfer 3 was released. */
    batch[0] = expiry_transfer(7, w0, FX_REVENUE, 300, 0, 0);
    batch[0].timestamp = 950;
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, batch, 1, results), 1);
    capture(&steps[k++], &journal, &live.ledger);
    /* A snapshot here; the journal goes on after it. */
    prepay_snapshot_memory_t snap_memory;
    prepay_snapshot_io_t snap;
    assert_int_equal(prepay_snapshot_memory_io(&snap_memory, snap_slot[0], snap_slot[1], sizeof snap_slot[0], &snap),
                     PREPAY_OK);
    assert_int_equal(prepay_journal_snapshot(&journal, &live.ledger, &snap, false), PREPAY_OK);
    /* Posting transfer 2 at its deadline fails (nothing journaled); at 1000 it expires. */
    batch[0] = expiry_transfer(8, 0, 0, 600, PREPAY_LEDGER_TRANSFER_POST_PENDING, 0);
    batch[0].pending_id = 2;
    batch[0].timestamp = 1000;
    before = memory.length;
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, batch, 1, results), 0);
    assert_int_equal(results[0], PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED);
    assert_int_equal(memory.length, before);
    /* 6: the last batch is an EXPIRE batch. */
    assert_int_equal(prepay_journal_expire(&journal, &live.ledger, 1000, ids, 8), 1);
    assert_int_equal(ids[0], 2);
    capture(&steps[k++], &journal, &live.ledger);
    assert_int_equal(prepay_ledger_verify(&live.ledger, live.scratch, FX_ACCOUNTS), PREPAY_OK);
    prepay_ledger_balance_t b;
    assert_int_equal(prepay_ledger_balance(&live.ledger, w0, &b), PREPAY_OK);
    assert_int_equal(b.debits_pending, 0);
    assert_int_equal(b.balance, 1000 - 50 - 300);
    assert_int_equal(prepay_ledger_balance(&live.ledger, w1, &b), PREPAY_OK);
    assert_int_equal(b.credits_pending, 0);

    /* Crash at every byte after the accounts: the recovered state is the last step whose
     * first commit copy lies before the cut; inside an EXPIRE batch the torn tail is
     * reported with its complete EXPIRE records, cut, and the cut recorded. */
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    prepay_journal_recovery_t info;
    uint32_t torn_expiries = 0;
    for (uint64_t cut = steps[0].end; cut <= memory.length; cut++) {
        memcpy(crash_storage, storage, memory.length);
        uint32_t want = durable_step(steps, k, cut);
        uint64_t first_copy_end = steps[want].end - PREPAY_JOURNAL_COMMIT_SIZE;
        uint64_t committed = cut < steps[want].end && want > 0u ? first_copy_end : steps[want].end;
        prepay_journal_recovery_t seen;
        assert_int_equal(recover_read_only((size_t)cut, &seen), PREPAY_OK);
        assert_int_equal(seen.committed_end, committed);
        assert_int_equal(seen.truncated_bytes, cut - committed);
        /* The next step's complete records in the tail, when it is an EXPIRE batch. */
        bool expiry_next = want + 1u < k && (want + 1u == first_expiry_step || want + 1u == k - 1u);
        if (expiry_next && committed == steps[want].end && cut > committed) {
            uint64_t whole = (cut - committed) / EXPIRE_RECORD;
            uint32_t records = want + 1u == first_expiry_step ? 2u : 1u;
            assert_int_equal(seen.tail_records, whole < records ? whole : records);
            assert_int_equal(seen.tail_batches, 1);
            torn_expiries++;
        }
        assert_int_equal(recover((size_t)cut, &memory2, &io2, &journal2, &info), PREPAY_OK);
        expiry_step_t got;
        capture(&got, &journal2, &rec.ledger);
        got.end = steps[want].end;
        if (memcmp(&got, &steps[want], sizeof got) != 0) {
            fail_msg("crash at %llu: recovered state differs from step %u", (unsigned long long)cut, want);
        }
        /* The writer recorded what it cut; the next recovery reports it. */
        uint32_t tail_records = info.tail_records;
        assert_int_equal(recover(memory2.length, &memory2, &io2, &journal2, &info), PREPAY_OK);
        assert_int_equal(info.earlier_cuts.count, cut > committed ? 1u : 0u);
        assert_int_equal(info.earlier_cuts.bytes, cut - committed);
        assert_int_equal(info.earlier_cuts.records, tail_records);
        /* A torn EXPIRE batch released nothing: its transfers are released again by the next expire. */
        if (want + 1u == first_expiry_step) {
            assert_int_equal(prepay_journal_expire(&journal2, &rec.ledger, 900, ids, 8), 2);
        }
    }
    /* Every cut after the previous step's end and before the EXPIRE batch's first commit copy ends. */
    assert_int_equal(torn_expiries, (2u * EXPIRE_RECORD + PREPAY_JOURNAL_COMMIT_SIZE - 1u) +
                                        (EXPIRE_RECORD + PREPAY_JOURNAL_COMMIT_SIZE - 1u));
    /* One damaged commit copy of an EXPIRE batch (inside the log and the final one): nothing lost. */
    const uint64_t flips[] = {steps[first_expiry_step].end - 2u * PREPAY_JOURNAL_COMMIT_SIZE + 25u,
                              steps[first_expiry_step].end - 3u, steps[k - 1u].end - 2u * PREPAY_JOURNAL_COMMIT_SIZE + 9u,
                              steps[k - 1u].end - 30u};
    for (size_t f = 0; f < sizeof flips / sizeof flips[0]; f++) {
        memcpy(crash_storage, storage, memory.length);
        crash_storage[flips[f]] ^= 0x08;
        assert_int_equal(recover(memory.length, &memory2, &io2, &journal2, &info), PREPAY_OK);
        assert_int_equal(info.damaged_commits, 1);
        assert_int_equal(info.truncated_bytes, 0);
        assert_same_ledger(&live.ledger, &rec.ledger);
    }
    /* Snapshot + the later records, and the snapshot alone, give the same books. */
    memcpy(crash_storage, storage, memory.length);
    assert_int_equal(prepay_journal_memory_io(&memory2, crash_storage, STORAGE, &io2), PREPAY_OK);
    memory2.length = memory2.synced = memory.length;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_open(&journal2, &io2, staging, sizeof staging, &snap, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_same_ledger(&live.ledger, &rec.ledger);
    assert_int_equal(prepay_journal_snapshot(&journal, &live.ledger, &snap, true), PREPAY_OK);
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    uint64_t sequence;
    assert_int_equal(prepay_journal_snapshot_load(&snap, &rec.ledger, &sequence, NULL), PREPAY_OK);
    assert_same_ledger(&live.ledger, &rec.ledger);
    assert_int_equal(prepay_ledger_entry_at(&rec.ledger, 2)->state, PREPAY_LEDGER_STATE_EXPIRED);
    assert_int_equal(prepay_ledger_verify(&rec.ledger, rec.scratch, FX_ACCOUNTS), PREPAY_OK);
    /* The recovered ledger keeps expiring: nothing is left to expire. */
    assert_int_equal(prepay_ledger_expire(&rec.ledger, INT64_MAX, ids, 8), 0);
}

/* An EXPIRE record (or a 104-byte transfer) is a bad record in a format-1 journal, like CUT. */
static void test_format_1_has_no_expiries(void **state)
{
    (void)state;
    uint64_t next = 1;
    size_t at = put_header(crash_storage, 1);
    at = put_accounts(crash_storage, at, 1, &next);
    at = put_recharge_batch(crash_storage, at, next, 601, 1000, 1);
    next += 2;
    /* A pending transfer with a deadline and its EXPIRE, as format 2 would hold them. */
    prepay_ledger_transfer_t t = expiry_transfer(602, FX_WALLET0, FX_REVENUE, 100, PREPAY_LEDGER_TRANSFER_PENDING, 50);
    uint8_t payload[PREPAY_JOURNAL_TRANSFER_MAX_SIZE];
    assert_int_equal(prepay_journal_transfer_encode(&t, payload, sizeof payload), (int)sizeof payload);
    size_t bad_at = at;
    size_t bad_end = put_record(crash_storage, at, PREPAY_JOURNAL_RECORD_TRANSFER, next, payload, sizeof payload);
    size_t committed = put_commit(crash_storage, bad_end, next, 1, 1);
    size_t tail = put_recharge_batch(crash_storage, committed, next + 2, 603, 1, 1);
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    /* Followed by a valid commit record: corruption inside the log, whether more batches follow or not. */
    assert_int_equal(recover(tail, &memory, &io, &journal, &info), PREPAY_E_JOURNAL_CORRUPT);
    assert_int_equal(info.corrupt_offset, bad_at);
    assert_int_equal(recover(committed, &memory, &io, &journal, &info), PREPAY_E_JOURNAL_CORRUPT);
    /* At the end, before its commit: a torn tail (cut, not recorded: format 1). */
    assert_int_equal(recover(bad_end, &memory, &io, &journal, &info), PREPAY_OK);
    assert_int_equal(info.truncated_bytes, bad_end - bad_at);
    assert_int_equal(memory.length, bad_at);
    assert_int_equal(wallet0_balance(), 1000);
    /* The same for an EXPIRE record. */
    uint8_t expire[PREPAY_JOURNAL_EXPIRE_SIZE] = {0x5A, 0x02}; /* transfer 602, time 0 */
    bad_end = put_record(crash_storage, bad_at, PREPAY_JOURNAL_RECORD_EXPIRE, next, expire, sizeof expire);
    committed = put_commit(crash_storage, bad_end, next, 1, 1);
    tail = put_recharge_batch(crash_storage, committed, next + 2, 603, 1, 1);
    assert_int_equal(recover(tail, &memory, &io, &journal, &info), PREPAY_E_JOURNAL_CORRUPT);
    assert_int_equal(info.corrupt_offset, bad_at);
    assert_int_equal(recover(bad_end, &memory, &io, &journal, &info), PREPAY_OK);
    assert_int_equal(info.truncated_bytes, bad_end - bad_at);
    /* In a format-2 journal the same records are good ones. */
    next = 1;
    at = put_header(crash_storage, 2);
    at = put_accounts(crash_storage, at, 2, &next);
    at = put_recharge_batch(crash_storage, at, next, 601, 1000, 2);
    next += 2;
    at = put_record(crash_storage, at, PREPAY_JOURNAL_RECORD_TRANSFER, next, payload, sizeof payload);
    at = put_commit(crash_storage, at, next, 1, 2);
    next += 2;
    expire[8] = 50; /* at its deadline */
    at = put_record(crash_storage, at, PREPAY_JOURNAL_RECORD_EXPIRE, next, expire, sizeof expire);
    at = put_commit(crash_storage, at, next, 1, 2);
    assert_int_equal(recover(at, &memory, &io, &journal, &info), PREPAY_OK);
    assert_int_equal(info.truncated_bytes, 0);
    assert_int_equal(prepay_ledger_entry_at(&rec.ledger, 1)->state, PREPAY_LEDGER_STATE_EXPIRED);
}

/*
 * A format-1 journal is read by code that knows no deadline, so a writer
 * never puts one into it: a batch with a deadline is refused whole before
 * the ledger sees it, expiries too, and nothing is written; a compacting
 * snapshot upgrades the journal, and deadlines are then accepted.
 */
static void test_format_1_refuses_deadlines(void **state)
{
    (void)state;
    uint64_t next = 1;
    size_t at = put_header(crash_storage, 1);
    at = put_accounts(crash_storage, at, 1, &next);
    at = put_recharge_batch(crash_storage, at, next, 701, 1000, 1);
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(recover(at, &memory, &io, &journal, &info), PREPAY_OK);
    assert_int_equal(info.version, 1);
    uint32_t appends = memory.appends;
    uint32_t transfers = prepay_ledger_transfer_count(&rec.ledger);
    prepay_ledger_transfer_t batch[2];
    int results[2] = {1, 1};
    batch[0] = expiry_transfer(702, FX_WALLET0, FX_REVENUE, 100, PREPAY_LEDGER_TRANSFER_PENDING, 0);
    batch[1] = expiry_transfer(703, FX_WALLET0, FX_REVENUE, 100, PREPAY_LEDGER_TRANSFER_PENDING, 500);
    assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, batch, 2, results), PREPAY_E_JOURNAL_FORMAT);
    assert_int_equal(prepay_journal_stage(&journal, &rec.ledger, batch, 2, results), PREPAY_E_JOURNAL_FORMAT);
    assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), transfers); /* not even the first applied */
    assert_int_equal(memory.appends, appends);
    assert_int_equal(memory.length, at);
    /* Without a deadline the pending transfer is format 1's. */
    assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, batch, 1, results), 1);
    at = memory.length;
    appends = memory.appends;
    /* Nothing has a deadline, so nothing is due and nothing is written. */
    uint64_t ids[4];
    assert_int_equal(prepay_journal_expire(&journal, &rec.ledger, 1000, ids, 4), 0);
    assert_int_equal(memory.appends, appends);
    /* Raw records format 1 cannot hold are refused too, and nothing is staged. */
    uint8_t payload[PREPAY_JOURNAL_TRANSFER_MAX_SIZE];
    assert_int_equal(prepay_journal_transfer_encode(&batch[1], payload, sizeof payload), (int)sizeof payload);
    assert_int_equal(prepay_journal_add(&journal, PREPAY_JOURNAL_RECORD_EXPIRE, payload, PREPAY_JOURNAL_EXPIRE_SIZE),
                     PREPAY_E_JOURNAL_FORMAT);
    assert_int_equal(prepay_journal_add(&journal, PREPAY_JOURNAL_RECORD_TRANSFER, payload, sizeof payload),
                     PREPAY_E_JOURNAL_FORMAT);
    assert_int_equal(prepay_journal_add_expire(&journal, 702, 1000), PREPAY_E_JOURNAL_FORMAT);
    assert_int_equal(prepay_journal_batch_records(&journal), 0);
    /* A deadline the ledger got some other way cannot be expired into this journal. */
    int result;
    assert_int_equal(prepay_ledger_apply(&rec.ledger, &batch[1], 1, &result), 1);
    assert_int_equal(prepay_journal_expire(&journal, &rec.ledger, 1000, ids, 4), PREPAY_E_JOURNAL_FORMAT);
    assert_int_equal(prepay_ledger_lookup(&rec.ledger, 703)->state, PREPAY_LEDGER_STATE_PENDING);
    assert_int_equal(memory.appends, appends);
    /* Compaction upgrades the journal; then deadlines and expiries are journaled. */
    assert_int_equal(recover(at, &memory, &io, &journal, &info), PREPAY_OK);
    prepay_snapshot_memory_t snap_memory;
    prepay_snapshot_io_t snap;
    assert_int_equal(prepay_snapshot_memory_io(&snap_memory, snap_slot[0], snap_slot[1], sizeof snap_slot[0], &snap),
                     PREPAY_OK);
    assert_int_equal(prepay_journal_snapshot(&journal, &rec.ledger, &snap, true), PREPAY_OK);
    assert_int_equal(journal.version, 2);
    assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, &batch[1], 1, results), 1);
    assert_int_equal(prepay_journal_expire(&journal, &rec.ledger, 1000, ids, 4), 1);
    assert_int_equal(ids[0], 703);
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    assert_int_equal(prepay_journal_memory_io(&memory2, crash_storage, STORAGE, &io2), PREPAY_OK);
    memory2.length = memory2.synced = memory.length;
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_open(&journal2, &io2, staging, sizeof staging, &snap, &rec.ledger, rec.scratch,
                                         FX_ACCOUNTS, &info),
                     PREPAY_OK);
    assert_int_equal(info.version, 2);
    assert_int_equal(prepay_ledger_lookup(&rec.ledger, 703)->state, PREPAY_LEDGER_STATE_EXPIRED);
    assert_int_equal(wallet0_balance(), 1000);
}

/* Rewrites the published format-2 snapshot as format 1 (32-byte header, no cut totals); returns its length. */
static size_t snapshot_as_format_1(prepay_snapshot_memory_t *m)
{
    uint8_t *s = m->slot[m->published];
    size_t length = m->length[m->published];
    assert_int_equal(s[8], 2);
    memmove(s + 32, s + PREPAY_SNAPSHOT_HEADER_SIZE, length - PREPAY_SNAPSHOT_HEADER_SIZE);
    length -= PREPAY_SNAPSHOT_HEADER_SIZE - 32u;
    s[8] = 1;
    s[10] = 32;
    uint32_t crc = prepay_journal_crc32c(0, s, length - PREPAY_SNAPSHOT_TRAILER_SIZE);
    for (int i = 0; i < 4; i++) {
        s[length - 4 + (size_t)i] = (uint8_t)(crc >> (8 * i));
    }
    m->length[m->published] = length;
    return length;
}

/*
 * Snapshot versions: format 1 (32-byte header) is still read; it has fixed
 * 96-byte transfers and no EXPIRE items, so one that holds a deadline or
 * an expiry is corrupt. Format 2 holds both.
 */
static void test_snapshot_formats(void **state)
{
    (void)state;
    static uint8_t storage[STORAGE];
    prepay_journal_memory_t memory;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    open_empty(&memory, storage, &io, &journal, &live, sizeof staging);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
    }
    prepay_ledger_transfer_t batch[2];
    int results[2];
    batch[0] = expiry_transfer(1, FX_CLEARING, FX_WALLET0, 1000, 0, 0);
    batch[1] = expiry_transfer(2, FX_WALLET0, FX_REVENUE, 400, PREPAY_LEDGER_TRANSFER_PENDING, 0);
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, batch, 2, results), 2);
    prepay_snapshot_memory_t snap_memory;
    prepay_snapshot_io_t snap;
    assert_int_equal(prepay_snapshot_memory_io(&snap_memory, snap_slot[0], snap_slot[1], sizeof snap_slot[0], &snap),
                     PREPAY_OK);
    /* Without deadlines, the format-1 rewrite loads and gives the same ledger. */
    assert_int_equal(prepay_journal_snapshot(&journal, &live.ledger, &snap, false), PREPAY_OK);
    size_t v2_length = snap_memory.length[snap_memory.published];
    assert_int_equal(snapshot_as_format_1(&snap_memory), v2_length - 32u);
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    uint64_t sequence = 0;
    assert_int_equal(prepay_journal_snapshot_load(&snap, &rec.ledger, &sequence, NULL), PREPAY_OK);
    assert_int_equal(sequence, journal.next_sequence - 1);
    assert_same_ledger(&live.ledger, &rec.ledger);
    /* With a deadline, then with a deadline and an expiry: format 2 loads, format 1 is corrupt. */
    batch[0] = expiry_transfer(3, FX_WALLET0, FX_REVENUE, 100, PREPAY_LEDGER_TRANSFER_PENDING, 500);
    assert_int_equal(prepay_journal_submit(&journal, &live.ledger, batch, 1, results), 1);
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            uint64_t ids[2];
            assert_int_equal(prepay_journal_expire(&journal, &live.ledger, 600, ids, 2), 1);
        }
        assert_int_equal(prepay_journal_snapshot(&journal, &live.ledger, &snap, false), PREPAY_OK);
        assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
        assert_int_equal(prepay_journal_snapshot_load(&snap, &rec.ledger, &sequence, NULL), PREPAY_OK);
        assert_same_ledger(&live.ledger, &rec.ledger);
        (void)snapshot_as_format_1(&snap_memory);
        assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
        assert_int_equal(prepay_journal_snapshot_load(&snap, &rec.ledger, &sequence, NULL),
                         PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT);
    }
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recover_complete_journal),
        cmocka_unit_test(test_crash_at_every_offset),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_junk_tail),
        cmocka_unit_test(test_batch_without_commit_is_discarded),
        cmocka_unit_test(test_failure_injection),
        cmocka_unit_test(test_failed_sync_not_acknowledged),
        cmocka_unit_test(test_snapshot_equals_full_replay),
        cmocka_unit_test(test_seal_and_sync),
        cmocka_unit_test(test_snapshot_sequence_rule),
        cmocka_unit_test(test_damaged_final_commit),
        cmocka_unit_test(test_recover_then_resume),
        cmocka_unit_test(test_format_1_journal),
        cmocka_unit_test(test_cuts_carried_by_snapshots),
        cmocka_unit_test(test_exists_answers_are_durable),
        cmocka_unit_test(test_expiry_is_durable),
        cmocka_unit_test(test_format_1_has_no_expiries),
        cmocka_unit_test(test_format_1_refuses_deadlines),
        cmocka_unit_test(test_snapshot_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
