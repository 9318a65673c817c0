/*
 * Group commit, recovery and crash simulation for the journal.
 *
 * A deterministic workload runs through prepay_journal_submit() on
 * in-memory storage while an independent model (test_journal_fixture.h)
 * tracks the balances after each acknowledged batch. Then:
 * - every byte offset of the last batches is a crash point (the journal is
 *   cut there): recovery must give exactly the batches whose commit record
 *   lies before the cut, and their balances must equal the model's;
 * - bits are flipped all over the journal: recovery either reports the
 *   corruption or gives the model's balances (one batch fewer only if the
 *   flip hit the final commit record, which is indistinguishable from a
 *   torn tail); never other balances;
 * - appends and syncs fail at every call of a workload (failure injection):
 *   a batch is acknowledged only if it was synced, and every acknowledged
 *   batch survives the crash that follows;
 * - snapshot + replay equals full replay, with and without compaction;
 * - expiries of pending transfers are journaled, recovered at every crash
 *   point and kept by snapshots.
 */
#include <setjmp.h>
#include <stdarg.h>
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
        if (cut < work.ends[0]) {
            /* Before the first commit: an empty ledger (a torn header is cut to nothing). */
            assert_int_equal(prepay_ledger_account_count(&rec.ledger), 0);
            assert_int_equal(memory.length, PREPAY_JOURNAL_HEADER_SIZE);
            checked++;
            continue;
        }
        uint32_t k = 0;
        while (k + 1 < work.batches && work.ends[k + 1] <= cut) {
            k++;
        }
        assert_state_is_batch(k);
        assert_int_equal(info.truncated_bytes, cut - work.ends[k]);
        assert_int_equal(memory.length, work.ends[k]);
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
                assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, &t, 1, &result), 1);
                uint32_t before = prepay_ledger_transfer_count(&rec.ledger);
                assert_int_equal(recover(memory.length, &memory, &io, &journal, &info), PREPAY_OK);
                assert_int_equal(prepay_ledger_transfer_count(&rec.ledger), before);
                continued++;
            }
        }
    }
    print_message("crash points: %u (journal %zu bytes), continued after %u\n", checked, work.length, continued);
    assert_true(checked > 1000);
    assert_true(continued > 50);
}

/* Flip one bit at many offsets: corruption is reported, or the balances are right. */
static void test_bit_flips(void **state)
{
    (void)state;
    build_workload(12, 0xC0FFEEu);
    uint64_t dense_from = work.ends[work.batches - 4];
    uint64_t last_commit = work.length - PREPAY_JOURNAL_COMMIT_SIZE;
    uint32_t reported = 0, recovered = 0, lost_last = 0;
    for (size_t at = 0; at < work.length; at += (at < dense_from ? 7 : 1)) {
        for (unsigned bit = (unsigned)(at % 3); bit < 8; bit += 3) {
            memcpy(crash_storage, work.storage, work.length);
            crash_storage[at] ^= (uint8_t)(1u << bit);
            prepay_journal_memory_t memory;
            prepay_journal_io_t io;
            prepay_journal_t journal;
            prepay_journal_recovery_t info;
            int status = recover(work.length, &memory, &io, &journal, &info);
            if (status == PREPAY_OK) {
                /* Accepted: only a flip in the final commit record may lose (only) the final batch. */
                assert_true(at >= last_commit);
                assert_state_is_batch(work.batches - 2);
                assert_int_equal(memory.length, work.ends[work.batches - 2]);
                lost_last++;
                recovered++;
                continue;
            }
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
    print_message("bit flips: %u reported as corruption, %u accepted (final commit record hit)\n", reported,
                  lost_last);
    assert_true(reported > 1000);
    assert_true(lost_last > 0);
    (void)recovered;
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
        assert_int_equal(memory.length, work.length);
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

/*
 * Deadlines and expiries are durable: prepay_journal_expire() writes one
 * EXPIRE record per transfer; recovery at every crash point gives exactly
 * the acknowledged steps, including a deduction that only the released
 * reservation allowed (so the expiry must be replayed before it); a
 * snapshot keeps expired entries expired.
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
    /* 4: at 900, transfers 3 (due 500) and 5 (due 800) expire; one batch of two EXPIRE records. */
    uint64_t ids[8];
    uint64_t before = memory.length;
    assert_int_equal(prepay_journal_expire(&journal, &live.ledger, 900, ids, 8), 2);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 5);
    assert_int_equal(memory.length - before,
                     2 * (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_EXPIRE_SIZE) + PREPAY_JOURNAL_COMMIT_SIZE);
    assert_int_equal(prepay_journal_expire(&journal, &live.ledger, 900, ids, 8), 0); /* nothing due: nothing written */
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
    /* 6: */
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

    /* Crash at every byte after the accounts: the recovered state is the last step committed before the cut. */
    prepay_journal_memory_t memory2;
    prepay_journal_io_t io2;
    prepay_journal_t journal2;
    prepay_journal_recovery_t info;
    memcpy(crash_storage, storage, memory.length);
    for (uint64_t cut = steps[0].end; cut <= memory.length; cut++) {
        uint32_t want = 0;
        while (want + 1u < k && steps[want + 1u].end <= cut) {
            want++;
        }
        assert_int_equal(recover((size_t)cut, &memory2, &io2, &journal2, &info), PREPAY_OK);
        expiry_step_t got;
        capture(&got, &journal2, &rec.ledger);
        got.end = steps[want].end;
        if (memcmp(&got, &steps[want], sizeof got) != 0) {
            fail_msg("crash at %llu: recovered state differs from step %u", (unsigned long long)cut, want);
        }
    }
    /* Snapshot + the later records, and the snapshot alone, give the same books. */
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
        cmocka_unit_test(test_expiry_is_durable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
