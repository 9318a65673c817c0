/* SPDX-License-Identifier: MIT */
/*
 * The library-level flow of the fault-injection harness (fault_run.py): a
 * ledger and its journal driven through the C API in one process, so that
 * faults hit group commit, pipelining (seal / sync) and snapshots.
 *
 *   fault_ledger_flow JOURNAL run FIRST COUNT BATCH MODE
 *       MODE: submit (prepay_journal_submit per batch), pipelined (stage,
 *       sync the previous batch, seal), snapshot (submit, and a compacting
 *       snapshot every third batch), expiry (submit each batch with a
 *       reservation in it, then prepay_journal_expire(); a compacting
 *       snapshot every third batch). Transfers FIRST .. FIRST+COUNT-1 (see
 *       flow_transfer()). Prints "ack ID" for each transfer once its batch
 *       is durable, "refused ID" for a transfer the ledger refused (never
 *       journaled), "expired ID" for each reservation once its expiry is
 *       durable, "fail STATUS" and exit 1 on a journal failure.
 *   fault_ledger_flow JOURNAL dump
 *       Read-only recovery: "ok TRANSFERS BALANCE CUTS DAMAGED TAIL", then
 *       "t ID AMOUNT" per transfer in log order and "x ID" per expired
 *       reservation; "recovery-failed STATUS OFFSET" and exit 1 if recovery
 *       refuses the journal.
 *
 * Accounts: 1 payment clearing, 2 wallet (may not go below zero), 3 revenue.
 * Transfer id i: a deduction wallet -> revenue if i % 4 == 3, otherwise a
 * recharge clearing -> wallet; amount 1 + (i * 7919) % 500 fen. The driver
 * computes the same. In expiry mode a batch starting at id f also holds the
 * reservation RESERVATION_BASE + f (see reservation()): a pending transfer
 * wallet -> revenue whose deadline is 3 s after its time, so it changes no
 * posted balance; each batch then expires what is due at the time of its
 * last transfer, so a reservation expires in its own batch's expiry or in a
 * later run's.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/journal.h"
#include "prepay/journal_posix.h"
#include "prepay/ledger.h"
#include "prepay/status.h"

#define ACCOUNTS 8u
#define TRANSFERS (1u << 16)
#define MAX_BATCH 64u
#define RESERVATION_BASE ((uint64_t)1 << 40)
#define FLOW_TIME(id) ((prepay_time_t)(800000000 + (id)))

static uint64_t ledger_memory[PREPAY_LEDGER_MEMORY_SIZE(ACCOUNTS, TRANSFERS) / sizeof(uint64_t)];
static prepay_ledger_account_t scratch[ACCOUNTS];
static uint8_t staging[64 * 1024];

static prepay_ledger_t ledger;
static prepay_journal_posix_t file;
static prepay_journal_io_t io;
static prepay_snapshot_posix_t snapshot_file;
static prepay_snapshot_io_t snapshot_io;
static prepay_journal_t journal;
static prepay_journal_recovery_t info;

static prepay_ledger_transfer_t flow_transfer(uint64_t id)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.amount = (prepay_money_t)(1 + (id * 7919u) % 500u);
    t.timestamp = FLOW_TIME(id);
    if (id % 4 == 3) {
        t.debit_account_id = 2;
        t.credit_account_id = 3;
        t.code = PREPAY_LEDGER_CODE_DEDUCTION;
    } else {
        t.debit_account_id = 1;
        t.credit_account_id = 2;
        t.code = PREPAY_LEDGER_CODE_RECHARGE;
        t.order_id = id;
    }
    return t;
}

/* The reservation of the batch that starts with transfer `first` (a function of it, so a retry is identical). */
static prepay_ledger_transfer_t reservation(uint64_t first)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = RESERVATION_BASE + first;
    t.amount = (prepay_money_t)(1 + (first * 31u) % 50u);
    t.timestamp = FLOW_TIME(first);
    t.deadline = t.timestamp + 3;
    t.debit_account_id = 2;
    t.credit_account_id = 3;
    t.code = PREPAY_LEDGER_CODE_DEDUCTION;
    t.flags = PREPAY_LEDGER_TRANSFER_PENDING;
    return t;
}

/* Expires every reservation due at `now`; prints each once it is durable. */
static int expire_due(prepay_time_t now)
{
    uint64_t ids[16];
    int expired;
    do {
        expired = prepay_journal_expire(&journal, &ledger, now, ids, sizeof ids / sizeof ids[0]);
        for (int i = 0; i < expired; i++) {
            printf("expired %" PRIu64 "\n", ids[i]);
        }
        fflush(stdout);
    } while (expired == (int)(sizeof ids / sizeof ids[0]));
    return expired < 0 ? expired : PREPAY_OK;
}

static int fail(int status)
{
    printf("fail %d\n", status);
    fflush(stdout);
    return 1;
}

static int setup(const char *path, unsigned flags)
{
    prepay_ledger_memory_t memory;
    char snapshot_path[PREPAY_JOURNAL_PATH_MAX + 16];
    snprintf(snapshot_path, sizeof snapshot_path, "%s.snapshot", path);
    int status = prepay_ledger_memory_layout(&memory, ledger_memory, sizeof ledger_memory, ACCOUNTS, TRANSFERS);
    if (status == PREPAY_OK) {
        status = prepay_ledger_init(&ledger, &memory);
    }
    if (status == PREPAY_OK) {
        status = prepay_snapshot_posix_init(&snapshot_file, snapshot_path, &snapshot_io);
    }
    if (status == PREPAY_OK) {
        status = prepay_journal_posix_open_flags(&file, path, flags, &io);
    }
    return status;
}

static void print_acks(const prepay_ledger_transfer_t *batch, const int *results, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (results[i] >= 0) {
            printf("ack %" PRIu64 "\n", batch[i].id);
        }
    }
    fflush(stdout);
}

static void print_refusals(const prepay_ledger_transfer_t *batch, const int *results, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (results[i] < 0) {
            printf("refused %" PRIu64 "\n", batch[i].id);
        }
    }
    fflush(stdout);
}

static int run(const char *path, uint64_t first, uint64_t count, size_t batch_size, const char *mode)
{
    int status = setup(path, PREPAY_JOURNAL_POSIX_WAIT);
    if (status == PREPAY_OK) {
        status = prepay_journal_open(&journal, &io, staging, sizeof staging, &snapshot_io, &ledger, scratch, ACCOUNTS,
                                     &info);
    }
    if (status != PREPAY_OK) {
        return fail(status);
    }
    static const uint16_t kinds[3] = {PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING, PREPAY_LEDGER_ACCOUNT_WALLET,
                                      PREPAY_LEDGER_ACCOUNT_REVENUE};
    for (uint64_t id = 1; id <= 3; id++) {
        prepay_ledger_account_t a;
        memset(&a, 0, sizeof a);
        a.id = id;
        a.kind = kinds[id - 1];
        a.item = id == 3 ? PREPAY_LEDGER_ITEM_ELECTRICITY : 0u;
        a.flags = id == 2 ? PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS : 0u;
        status = prepay_journal_create_account(&journal, &ledger, &a);
        if (status < 0) {
            return fail(status);
        }
    }
    bool pipelined = strcmp(mode, "pipelined") == 0;
    bool expiry = strcmp(mode, "expiry") == 0;
    bool snapshots = strcmp(mode, "snapshot") == 0 || expiry;
    prepay_ledger_transfer_t batches[2][MAX_BATCH + 1];
    int results[2][MAX_BATCH + 1];
    size_t sizes[2] = {0, 0};
    bool sealed = false; /* batch (k - 1) % 2 is sealed, not yet synced */
    unsigned k = 0;
    for (uint64_t next = first; next < first + count; k++) {
        unsigned slot = k % 2u;
        size_t n = 0;
        if (expiry) {
            batches[slot][n++] = reservation(next);
        }
        while (n < batch_size + (expiry ? 1u : 0u) && next < first + count) {
            batches[slot][n++] = flow_transfer(next++);
        }
        sizes[slot] = n;
        if (!pipelined) {
            status = prepay_journal_submit(&journal, &ledger, batches[slot], n, results[slot]);
            if (status < 0) {
                return fail(status);
            }
            print_refusals(batches[slot], results[slot], n);
            print_acks(batches[slot], results[slot], n);
            if (expiry && (status = expire_due(FLOW_TIME(next - 1))) != PREPAY_OK) {
                return fail(status);
            }
            if (snapshots && k % 3 == 2) {
                status = prepay_journal_snapshot(&journal, &ledger, &snapshot_io, true);
                if (status != PREPAY_OK) {
                    return fail(status);
                }
            }
            continue;
        }
        /* Pipelined: stage this batch while the previous one is written back, then sync it. */
        status = prepay_journal_stage(&journal, &ledger, batches[slot], n, results[slot]);
        if (status < 0) {
            return fail(status);
        }
        print_refusals(batches[slot], results[slot], n);
        if (sealed) {
            status = prepay_journal_sync(&journal);
            if (status < 0) {
                return fail(status);
            }
            print_acks(batches[1u - slot], results[1u - slot], sizes[1u - slot]);
        }
        status = prepay_journal_seal(&journal);
        if (status != PREPAY_OK) {
            return fail(status);
        }
        sealed = true;
    }
    if (sealed) {
        status = prepay_journal_sync(&journal);
        if (status < 0) {
            return fail(status);
        }
        unsigned last = (k - 1u) % 2u;
        print_acks(batches[last], results[last], sizes[last]);
    }
    (void)prepay_journal_posix_close(&file);
    prepay_snapshot_posix_close(&snapshot_file);
    return 0;
}

static int dump(const char *path)
{
    int status = setup(path, PREPAY_JOURNAL_POSIX_READ_ONLY);
    if (status == PREPAY_OK) {
        status = prepay_journal_recover(&io, &snapshot_io, &ledger, scratch, ACCOUNTS, &info);
    }
    if (status != PREPAY_OK) {
        printf("recovery-failed %d %" PRIu64 "\n", status, info.corrupt_offset);
        return 1;
    }
    prepay_ledger_balance_t b;
    memset(&b, 0, sizeof b);
    (void)prepay_ledger_balance(&ledger, 2, &b);
    uint32_t n = prepay_ledger_transfer_count(&ledger);
    printf("ok %" PRIu32 " %" PRId64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", n, b.balance, info.earlier_cuts.count,
           info.damaged_commits, info.truncated_bytes);
    for (uint32_t i = 0; i < n; i++) {
        const prepay_ledger_transfer_t *t = &prepay_ledger_entry_at(&ledger, i)->transfer;
        printf("t %" PRIu64 " %" PRId64 "\n", t->id, t->amount);
    }
    for (uint32_t i = 0; i < n; i++) {
        const prepay_ledger_entry_t *e = prepay_ledger_entry_at(&ledger, i);
        if (e->state == PREPAY_LEDGER_STATE_EXPIRED) {
            printf("x %" PRIu64 "\n", e->transfer.id);
        }
    }
    (void)prepay_journal_posix_close(&file);
    prepay_snapshot_posix_close(&snapshot_file);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[2], "dump") == 0) {
        return dump(argv[1]);
    }
    if (argc == 7 && strcmp(argv[2], "run") == 0) {
        uint64_t first = strtoull(argv[3], NULL, 10);
        uint64_t count = strtoull(argv[4], NULL, 10);
        size_t batch = (size_t)strtoul(argv[5], NULL, 10);
        if (first > 0 && batch >= 1 && batch <= MAX_BATCH && count < TRANSFERS / 2) {
            return run(argv[1], first, count, batch, argv[6]);
        }
    }
    fprintf(stderr, "usage: fault_ledger_flow JOURNAL run FIRST COUNT BATCH submit|pipelined|snapshot|expiry\n"
                    "       fault_ledger_flow JOURNAL dump\n");
    return 2;
}
