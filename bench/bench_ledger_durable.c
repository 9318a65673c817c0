/*
 * Durable ledger throughput: transfers per second through the POSIX journal
 * with ONE fsync per batch of 8192 transfers (group commit), the way
 * TigerBeetle batches up to 8190 transfers per request.
 *
 *   bench_ledger_durable [TRANSFERS] [JOURNAL_PATH]
 *
 * Defaults: 1048576 transfers, /tmp/prepay-bench-ledger.journal (removed at
 * the end). Prints four figures:
 *   submit   prepay_journal_submit(): ledger apply + encode + write + fsync;
 *   pipelined  the same work, but batch N+1 is applied and encoded while
 *            batch N is written back (prepay_journal_stage / _seal / _sync;
 *            still one fsync per batch, each batch acknowledged after its
 *            fsync);
 *   journal  encode + write + fsync only (transfers already validated);
 *   recover  prepay_journal_open(): scan + CRC + replay + verify.
 * Durability is whatever fsync gives on the file system under the path
 * (tmpfs makes fsync free; say which one you measured).
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "prepay/journal.h"
#include "prepay/ledger.h"
#include "prepay/status.h"

#define BATCH 8192u
#define WALLETS 1000u
#define CLEARING_ID 1u
#define REVENUE_ID 2u
#define WALLET_BASE 100u

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct bench_ledger {
    prepay_ledger_memory_t memory;
    prepay_ledger_account_t *scratch;
    prepay_ledger_t ledger;
} bench_ledger_t;

static uint32_t pow2_above(uint32_t n)
{
    uint32_t p = 1;
    while (p <= n) {
        p <<= 1;
    }
    return p;
}

static void ledger_setup(bench_ledger_t *b, uint32_t transfers)
{
    b->memory.account_capacity = WALLETS + 8;
    b->memory.account_index_slots = pow2_above(2 * (WALLETS + 8));
    b->memory.transfer_capacity = transfers;
    b->memory.transfer_index_slots = pow2_above(2 * transfers);
    b->memory.accounts = calloc(b->memory.account_capacity, sizeof *b->memory.accounts);
    b->memory.account_index = calloc(b->memory.account_index_slots, sizeof *b->memory.account_index);
    b->memory.entries = calloc(transfers, sizeof *b->memory.entries);
    b->memory.transfer_index = calloc(b->memory.transfer_index_slots, sizeof *b->memory.transfer_index);
    b->scratch = calloc(b->memory.account_capacity, sizeof *b->scratch);
    if (!b->memory.accounts || !b->memory.account_index || !b->memory.entries || !b->memory.transfer_index ||
        !b->scratch || prepay_ledger_init(&b->ledger, &b->memory) != PREPAY_OK) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    /* Touch the log now: a server allocates its ledger once, so page faults are not per transfer. */
    memset(b->memory.entries, 0, (size_t)transfers * sizeof *b->memory.entries);
}

static void ledger_free(bench_ledger_t *b)
{
    free(b->memory.accounts);
    free(b->memory.account_index);
    free(b->memory.entries);
    free(b->memory.transfer_index);
    free(b->scratch);
}

static void check(int status, const char *what)
{
    if (status < 0) {
        fprintf(stderr, "bench: %s: %s\n", what, prepay_strerror(status));
        exit(1);
    }
}

/* Transfer i of the workload: recharge a wallet, then deduct from it (always accepted). */
static void make_transfer(uint64_t i, prepay_ledger_transfer_t *t)
{
    memset(t, 0, sizeof *t);
    uint64_t wallet = WALLET_BASE + (i / 2) % WALLETS;
    t->id = i + 1;
    t->timestamp = (int64_t)(i / 64);
    if (i % 2 == 0) {
        t->debit_account_id = CLEARING_ID;
        t->credit_account_id = wallet;
        t->amount = 1000;
        t->code = PREPAY_LEDGER_CODE_RECHARGE;
        t->order_id = t->id;
    } else {
        t->debit_account_id = wallet;
        t->credit_account_id = REVENUE_ID;
        t->amount = 300;
        t->code = PREPAY_LEDGER_CODE_DEDUCTION;
        t->meter_id = wallet;
    }
}

static void open_accounts(prepay_journal_t *journal, bench_ledger_t *b)
{
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = CLEARING_ID;
    a.kind = PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING;
    check(prepay_ledger_create_account(&b->ledger, &a), "account");
    check(prepay_journal_add_account(journal, &a), "journal account");
    a.id = REVENUE_ID;
    a.kind = PREPAY_LEDGER_ACCOUNT_REVENUE;
    a.item = PREPAY_LEDGER_ITEM_ELECTRICITY;
    check(prepay_ledger_create_account(&b->ledger, &a), "account");
    check(prepay_journal_add_account(journal, &a), "journal account");
    a.item = 0;
    a.kind = PREPAY_LEDGER_ACCOUNT_WALLET;
    a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
    for (uint32_t w = 0; w < WALLETS; w++) {
        a.id = WALLET_BASE + w;
        check(prepay_ledger_create_account(&b->ledger, &a), "account");
        check(prepay_journal_add_account(journal, &a), "journal account");
    }
    check(prepay_journal_commit(journal), "commit accounts");
}

/* Runs the workload through a fresh journal; pipelined or not. Returns seconds. */
static double run_durable(const char *path, uint32_t total, bool pipelined, uint8_t *staging, size_t staging_size,
                          prepay_ledger_transfer_t *batch, int *results, uint64_t *bytes)
{
    unlink(path);
    bench_ledger_t b;
    ledger_setup(&b, total);
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    check(prepay_journal_posix_open(&file, path, &io), "open");
    check(prepay_journal_open(&journal, &io, staging, staging_size, NULL, &b.ledger, b.scratch,
                              b.memory.account_capacity, &info),
          "recover");
    open_accounts(&journal, &b);
    uint32_t syncs = 0;
    double t0 = now_seconds();
    for (uint32_t done = 0; done < total; done += BATCH) {
        for (uint32_t i = 0; i < BATCH; i++) {
            make_transfer(done + i, &batch[i]);
        }
        int applied;
        if (pipelined) {
            applied = prepay_journal_stage(&journal, &b.ledger, batch, BATCH, results);
            check(applied, "stage");
            int acked = prepay_journal_sync(&journal); /* acknowledges the previous batch */
            check(acked, "sync");
            syncs += acked > 0;
            check(prepay_journal_seal(&journal), "seal");
        } else {
            applied = prepay_journal_submit(&journal, &b.ledger, batch, BATCH, results);
            check(applied, "submit");
            syncs++;
        }
        if ((uint32_t)applied != BATCH) {
            fprintf(stderr, "bench: only %d of %u applied\n", applied, BATCH);
            exit(1);
        }
    }
    if (pipelined) {
        int acked = prepay_journal_sync(&journal);
        check(acked, "sync");
        syncs += acked > 0;
    }
    double t1 = now_seconds();
    if (syncs != total / BATCH) {
        fprintf(stderr, "bench: %u syncs for %u batches\n", syncs, total / BATCH);
        exit(1);
    }
    *bytes = file.size;
    check(prepay_journal_posix_close(&file), "close");
    ledger_free(&b);
    return t1 - t0;
}

int main(int argc, char **argv)
{
    uint32_t total = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1048576u;
    const char *path = argc > 2 ? argv[2] : "/tmp/prepay-bench-ledger.journal";
    if (total < BATCH) {
        total = BATCH;
    }
    total -= total % BATCH;
    size_t staging_size = (size_t)BATCH * (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_TRANSFER_SIZE) +
                          PREPAY_JOURNAL_MIN_BUFFER;
    uint8_t *staging = malloc(staging_size);
    prepay_ledger_transfer_t *batch = malloc(BATCH * sizeof *batch);
    int *results = malloc(BATCH * sizeof *results);
    if (!staging || !batch || !results) {
        fprintf(stderr, "bench: out of memory\n");
        return 1;
    }
    printf("bench_ledger_durable: %" PRIu32 " transfers, batches of %u, one fsync per batch, journal %s\n", total,
           BATCH, path);

    /* 1. Full durable path: apply + journal + fsync, then the same pipelined. */
    uint64_t bytes = 0;
    double seconds = run_durable(path, total, false, staging, staging_size, batch, results, &bytes);
    printf("submit     %10.0f transfers/s  (%.3f s, %u fsyncs, %.1f MB journal, %.1f MB/s)\n", total / seconds,
           seconds, total / BATCH, (double)bytes / 1e6, (double)bytes / 1e6 / seconds);
    seconds = run_durable(path, total, true, staging, staging_size, batch, results, &bytes);
    printf("pipelined  %10.0f transfers/s  (%.3f s, %u fsyncs, each batch acknowledged after its own)\n",
           total / seconds, seconds, total / BATCH);

    bench_ledger_t b;
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    double t0, t1;
    /* 3. Recovery of that journal. */
    ledger_setup(&b, total);
    check(prepay_journal_posix_open(&file, path, &io), "reopen");
    t0 = now_seconds();
    check(prepay_journal_open(&journal, &io, staging, staging_size, NULL, &b.ledger, b.scratch,
                              b.memory.account_capacity, &info),
          "recover");
    t1 = now_seconds();
    check(prepay_journal_posix_close(&file), "close");
    printf("recover    %10.0f transfers/s  (%.3f s for %" PRIu64 " records in %" PRIu64
           " batches, verify included)\n",
           (double)info.records / (t1 - t0), t1 - t0, info.records, info.batches);

    /* 2. Journal only: encode + write + fsync of already validated transfers. */
    unlink(path);
    ledger_free(&b);
    ledger_setup(&b, 16);
    check(prepay_journal_posix_open(&file, path, &io), "open");
    check(prepay_journal_open(&journal, &io, staging, staging_size, NULL, &b.ledger, b.scratch,
                              b.memory.account_capacity, &info),
          "recover");
    t0 = now_seconds();
    for (uint32_t done = 0; done < total; done += BATCH) {
        for (uint32_t i = 0; i < BATCH; i++) {
            make_transfer(done + i, &batch[i]);
            check(prepay_journal_add_transfer(&journal, &batch[i]), "add");
        }
        check(prepay_journal_commit(&journal), "commit");
    }
    t1 = now_seconds();
    check(prepay_journal_posix_close(&file), "close");
    printf("journal    %10.0f transfers/s  (%.3f s, encode + write + fsync only)\n", total / (t1 - t0), t1 - t0);

    unlink(path);
    ledger_free(&b);
    free(staging);
    free(batch);
    free(results);
    return 0;
}
