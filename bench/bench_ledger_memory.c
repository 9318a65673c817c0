/*
 * Benchmark: in-memory ledger throughput on one core (no durability; see
 * bench_ledger_durable.c for the journal). Applies batches of 8192
 * transfers (TigerBeetle's batch size) to a ledger of 1,000 wallets, and
 * prints transfers per second for:
 *   - plain transfers (recharges and deductions against limits),
 *   - exact replays (every transfer answered "exists"),
 *   - both again with random instead of sequential ids,
 *   - linked chains of three (recharge + repay emergency + repay debt),
 *   - pending + post pairs,
 *   - wallet policy decisions per second.
 *
 * Chains use batches of 8190 so that no chain straddles two batches.
 *
 * Usage: bench_ledger_memory [transfers]   (default 4,194,304)
 * Build:  meson setup build/ledger-rel --buildtype=release -Dtests=false
 *         ninja -C build/ledger-rel && build/ledger-rel/bench/bench_ledger_memory
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/ledger.h"
#include "prepay/wallet.h"

#define BATCH 8192u
#define WALLETS 1000u
#define ACCOUNTS (WALLETS * 3u + 8u)

/* CPU time of this thread: the figure for "one core", unaffected by other
 * processes sharing the machine (wall time is printed beside it). */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double last_wall;

/* Index slots: a power of two above 4x the capacity (load <= 1/4; see ledger.h). */
static uint32_t pow2_above(uint32_t n)
{
    uint32_t s = 1;
    while (s <= n * 4u) {
        s *= 2u;
    }
    return s;
}

typedef struct bench {
    prepay_ledger_memory_t memory;
    prepay_ledger_t ledger;
} bench_t;

static void open_ledger(bench_t *b, uint32_t transfers)
{
    if (b->memory.entries == NULL) {
        b->memory.account_capacity = ACCOUNTS;
        b->memory.account_index_slots = pow2_above(ACCOUNTS);
        b->memory.transfer_capacity = transfers;
        b->memory.transfer_index_slots = pow2_above(transfers);
        b->memory.accounts = calloc(ACCOUNTS, sizeof *b->memory.accounts);
        b->memory.account_index = calloc(b->memory.account_index_slots, sizeof(uint32_t));
        b->memory.entries = calloc(transfers, sizeof *b->memory.entries);
        b->memory.transfer_index = calloc(b->memory.transfer_index_slots, sizeof(uint32_t));
        if (!b->memory.accounts || !b->memory.account_index || !b->memory.entries || !b->memory.transfer_index) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        /* touch every page before timing (a non-zero fill, so the compiler cannot drop it after calloc) */
        memset(b->memory.entries, 0xA5, (size_t)transfers * sizeof *b->memory.entries);
    }
    if (prepay_ledger_init(&b->ledger, &b->memory) != PREPAY_OK) {
        fprintf(stderr, "init failed\n");
        exit(1);
    }
    /* 1 clearing, 2..5 revenue, wallets 100.., emergency 10000.., debt 20000.. */
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = 1;
    a.kind = PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING;
    prepay_ledger_create_account(&b->ledger, &a);
    for (uint32_t i = 0; i < 4; i++) {
        memset(&a, 0, sizeof a);
        a.id = 2u + i;
        a.kind = PREPAY_LEDGER_ACCOUNT_REVENUE;
        a.item = i + 1u;
        prepay_ledger_create_account(&b->ledger, &a);
    }
    for (uint32_t w = 0; w < WALLETS; w++) {
        memset(&a, 0, sizeof a);
        a.id = 10000u + w;
        a.kind = PREPAY_LEDGER_ACCOUNT_EMERGENCY_CREDIT;
        a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
        a.overdraft_limit = 1000000000;
        prepay_ledger_create_account(&b->ledger, &a);
        memset(&a, 0, sizeof a);
        a.id = 20000u + w;
        a.kind = PREPAY_LEDGER_ACCOUNT_DEBT;
        prepay_ledger_create_account(&b->ledger, &a);
        memset(&a, 0, sizeof a);
        a.id = 100u + w;
        a.kind = PREPAY_LEDGER_ACCOUNT_WALLET;
        a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
        a.overdraft_limit = 500;
        a.emergency_account_id = 10000u + w;
        a.debt_account_id = 20000u + w;
        prepay_ledger_create_account(&b->ledger, &a);
    }
}

/* batch: 8192, or 8190 for chains of three (a chain must not straddle two batches). */
static double run(bench_t *b, const prepay_ledger_transfer_t *transfers, uint32_t count, uint32_t batch,
                  int *results, uint32_t *applied_out)
{
    double w0 = wall_seconds();
    double t0 = now_seconds();
    uint32_t applied = 0;
    for (uint32_t at = 0; at < count; at += batch) {
        uint32_t n = count - at < batch ? count - at : batch;
        int r = prepay_ledger_apply(&b->ledger, transfers + at, n, results);
        if (r < 0) {
            fprintf(stderr, "apply failed: %d\n", r);
            exit(1);
        }
        applied += (uint32_t)r;
    }
    double t1 = now_seconds();
    last_wall = wall_seconds() - w0;
    *applied_out = applied;
    return t1 - t0;
}

static void report(const char *what, uint32_t count, uint32_t applied, double seconds)
{
    printf("%-42s %8u transfers %8u applied %7.3f s cpu %8.2f M transfers/s (wall %.3f s)\n", what, count, applied,
           seconds, (double)count / seconds / 1e6, last_wall);
}

int main(int argc, char **argv)
{
    uint32_t count = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 4194304u;
    count -= count % 6u; /* whole chains and pairs */
    prepay_ledger_transfer_t *t = calloc(count, sizeof *t);
    int *results = calloc(BATCH, sizeof *results);
    bench_t b;
    memset(&b, 0, sizeof b);
    if (!t || !results) {
        return 1;
    }
    printf("ledger in memory: %u wallets, batches of %u, sizeof(transfer) %zu, sizeof(entry) %zu\n", WALLETS, BATCH,
           sizeof(prepay_ledger_transfer_t), sizeof(prepay_ledger_entry_t));

    /* 1. plain: one recharge per wallet then deductions (round robin). */
    uint64_t state = 12345;
    for (uint32_t i = 0; i < count; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        uint32_t w = i % WALLETS;
        memset(&t[i], 0, sizeof t[i]);
        t[i].id = 1000000u + i;
        if (i < WALLETS || i % 64u == 0) {
            t[i].debit_account_id = 1;
            t[i].credit_account_id = 100u + w;
            t[i].amount = 1000000;
            t[i].code = PREPAY_LEDGER_CODE_RECHARGE;
        } else {
            t[i].debit_account_id = 100u + w;
            t[i].credit_account_id = 2u + (uint32_t)(state >> 62);
            t[i].amount = 1 + (int64_t)((state >> 33) % 100u);
            t[i].code = PREPAY_LEDGER_CODE_DEDUCTION;
            t[i].meter_id = w;
            t[i].interval_start = (int64_t)i * 900;
            t[i].interval_end = (int64_t)i * 900 + 900;
        }
        t[i].timestamp = (int64_t)i;
    }
    open_ledger(&b, count);
    uint32_t applied;
    double s = run(&b, t, count, BATCH, results, &applied);
    report("plain transfers (recharge + deductions)", count, applied, s);
    s = run(&b, t, count, BATCH, results, &applied);
    report("exact replays (all \"exists\")", count, applied, s);

    /* 1b. the same transfers with random ids (no locality in the index or the log lookups). */
    for (uint32_t i = 0; i < count; i++) {
        uint64_t z = (uint64_t)i * 0x9e3779b97f4a7c15u + 1u;
        z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9u;
        t[i].id = (z ^ (z >> 29)) | 1u;
    }
    open_ledger(&b, count);
    s = run(&b, t, count, BATCH, results, &applied);
    report("plain transfers, random ids", count, applied, s);
    s = run(&b, t, count, BATCH, results, &applied);
    report("exact replays, random ids", count, applied, s);

    /* 2. linked chains of three: recharge, repay emergency, repay debt. */
    for (uint32_t i = 0; i < count; i += 3) {
        uint32_t w = (i / 3u) % WALLETS;
        for (uint32_t k = 0; k < 3; k++) {
            memset(&t[i + k], 0, sizeof t[i + k]);
            t[i + k].id = 1000000u + i + k;
        }
        t[i].debit_account_id = 1;
        t[i].credit_account_id = 100u + w;
        t[i].amount = 300;
        t[i].code = PREPAY_LEDGER_CODE_RECHARGE;
        t[i].flags = PREPAY_LEDGER_TRANSFER_LINKED;
        t[i + 1].debit_account_id = 100u + w;
        t[i + 1].credit_account_id = 10000u + w;
        t[i + 1].amount = 100;
        t[i + 1].code = PREPAY_LEDGER_CODE_REPAY_EMERGENCY;
        t[i + 1].flags = PREPAY_LEDGER_TRANSFER_LINKED;
        t[i + 2].debit_account_id = 100u + w;
        t[i + 2].credit_account_id = 20000u + w;
        t[i + 2].amount = 100;
        t[i + 2].code = PREPAY_LEDGER_CODE_REPAY_DEBT;
    }
    open_ledger(&b, count);
    s = run(&b, t, count, BATCH - 2u, results, &applied);
    report("linked chains of 3 (recharge + repays)", count, applied, s);

    /* 3. pending + post pairs after one recharge per wallet. */
    for (uint32_t i = 0; i < count; i += 2) {
        uint32_t w = (i / 2u) % WALLETS;
        memset(&t[i], 0, 2 * sizeof t[i]);
        t[i].id = 1000000u + i;
        t[i + 1].id = 1000000u + i + 1;
        if (i / 2u < WALLETS) {
            t[i].debit_account_id = 1;
            t[i].credit_account_id = 100u + w;
            t[i].amount = 1000000000;
            t[i].code = PREPAY_LEDGER_CODE_RECHARGE;
            t[i + 1].debit_account_id = 1;
            t[i + 1].credit_account_id = 100u + w;
            t[i + 1].amount = 1;
            t[i + 1].code = PREPAY_LEDGER_CODE_RECHARGE;
            continue;
        }
        t[i].debit_account_id = 100u + w;
        t[i].credit_account_id = 2;
        t[i].amount = 50;
        t[i].code = PREPAY_LEDGER_CODE_DEDUCTION;
        t[i].flags = PREPAY_LEDGER_TRANSFER_PENDING;
        t[i + 1].pending_id = t[i].id;
        t[i + 1].amount = 40;
        t[i + 1].code = PREPAY_LEDGER_CODE_DEDUCTION;
        t[i + 1].flags = PREPAY_LEDGER_TRANSFER_POST_PENDING;
    }
    open_ledger(&b, count);
    s = run(&b, t, count, BATCH, results, &applied);
    report("pending + post pairs", count, applied, s);

    /* 4. wallet policy decisions. */
    prepay_wallet_policy_t policy;
    prepay_wallet_policy_default(&policy);
    policy.window_count = 1;
    policy.windows[0].start_second = 21 * 3600;
    policy.windows[0].end_second = 9 * 3600;
    prepay_wallet_state_t ws;
    prepay_wallet_state_init(&ws);
    prepay_wallet_decision_t d;
    uint32_t decisions = 20000000u;
    uint64_t sink = 0;
    double t0 = now_seconds();
    for (uint32_t i = 0; i < decisions; i++) {
        prepay_wallet_input_t in = {.balance = 3000 - (int64_t)(i % 4000u), .now = (int64_t)i * 37, .flags = 0};
        prepay_wallet_decide(&policy, &in, &ws, &d);
        ws = d.next;
        sink += d.events;
    }
    double t1 = now_seconds();
    printf("%-44s %9u decisions %8.3f s %8.2f M decisions/s (events %llu)\n", "wallet policy decide", decisions,
           t1 - t0, (double)decisions / (t1 - t0) / 1e6, (unsigned long long)sink);

    free(t);
    free(results);
    free(b.memory.accounts);
    free(b.memory.account_index);
    free(b.memory.entries);
    free(b.memory.transfer_index);
    return 0;
}
