/* SPDX-License-Identifier: MIT */
/*
 * Shared parts of the ledger benchmarks (hosted): timing, the machine's
 * memcpy bandwidth, the transfer workload with sequential or random ids,
 * and a ledger in memory from prepay_ledger_memory_alloc().
 */
#ifndef PREPAY_BENCH_LEDGER_COMMON_H
#define PREPAY_BENCH_LEDGER_COMMON_H

#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/ledger.h"
#include "prepay/ledger_hosted.h"

#define BENCH_BATCH 8192u       /* transfers per prepay_ledger_apply() call (TigerBeetle's batch size) */
#define BENCH_WALLETS 1000u     /* wallets the workload recharges and deducts from */
#define BENCH_CLEARING 1u       /* payment clearing account */
#define BENCH_REVENUE 2u        /* first of four revenue accounts */
#define BENCH_WALLET_BASE 100u  /* wallet w has id BENCH_WALLET_BASE + w */
#define BENCH_ACCOUNTS (BENCH_WALLETS + 8u)

/* CPU time of this thread: the cost on one core, whatever else runs. */
static inline double bench_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall-clock time: includes waiting (for the disk, or for a core shared with others). */
static inline double bench_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* memcpy bandwidth of this machine in GB/s (copied bytes per second, best
 * of 5 copies of 128 MiB: larger than the last-level caches seen here), the
 * figure to quote beside every throughput. */
static inline double bench_memcpy_gbps(void)
{
    const size_t size = (size_t)128 << 20;
    unsigned char *a = malloc(size);
    unsigned char *b = malloc(size);
    if (a == NULL || b == NULL) {
        free(a);
        free(b);
        return 0.0;
    }
    memset(a, 1, size);
    memset(b, 2, size);
    double best = 1e9;
    for (int i = 0; i < 5; i++) {
        double t0 = bench_wall_seconds();
        memcpy(i % 2 ? a : b, i % 2 ? b : a, size);
        double t = bench_wall_seconds() - t0;
        best = t < best ? t : best;
    }
    volatile unsigned char sink = a[size / 2] ^ b[size / 3];
    (void)sink;
    free(a);
    free(b);
    return (double)size / best / 1e9;
}

/* Transfer id number i: sequential (1, 2, 3, ...) or random (a bijection of
 * i through the splitmix64 finaliser: every id distinct, no order). */
static inline uint64_t bench_id(uint64_t i, bool random_ids)
{
    if (!random_ids) {
        return i + 1u;
    }
    uint64_t z = i + 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return z == 0u ? 1u : z;
}

/* Transfer i of the workload: one recharge per wallet first and one in 64
 * after, deductions from the wallets in turn otherwise (all accepted). */
static inline void bench_transfer(uint64_t i, bool random_ids, prepay_ledger_transfer_t *t)
{
    uint64_t state = (i + 1u) * 6364136223846793005u + 1442695040888963407u;
    uint32_t w = (uint32_t)(i % BENCH_WALLETS);
    memset(t, 0, sizeof *t);
    t->id = bench_id(i, random_ids);
    if (i < BENCH_WALLETS || i % 64u == 0u) {
        t->debit_account_id = BENCH_CLEARING;
        t->credit_account_id = BENCH_WALLET_BASE + w;
        t->amount = 1000000;
        t->code = PREPAY_LEDGER_CODE_RECHARGE;
        t->order_id = i;
    } else {
        t->debit_account_id = BENCH_WALLET_BASE + w;
        t->credit_account_id = BENCH_REVENUE + (uint32_t)(state >> 62);
        t->amount = 1 + (int64_t)((state >> 33) % 100u);
        t->code = PREPAY_LEDGER_CODE_DEDUCTION;
        t->meter_id = w;
        t->interval_start = (int64_t)i * 900;
        t->interval_end = (int64_t)i * 900 + 900;
    }
    t->timestamp = (int64_t)(i / 64u);
}

/* A ledger in memory from prepay_ledger_memory_alloc(). */
typedef struct bench_ledger {
    prepay_ledger_memory_t memory;
    prepay_ledger_account_t *scratch;
    prepay_ledger_t ledger;
} bench_ledger_t;

static inline void bench_check(int status, const char *what)
{
    if (status < 0) {
        fprintf(stderr, "bench: %s: %s (%d)\n", what, prepay_strerror(status), status);
        exit(1);
    }
}

/* Touches every page of an array, as a server that allocates its ledger at start would, so that
 * page faults are not counted per transfer. */
static inline void bench_touch(void *p, size_t bytes)
{
    if (p != NULL) {
        memset(p, 0xA5, bytes);
    }
}

/* The ledger's memory as a server allocates it: prepay_ledger_memory_alloc() (2 MiB pages where
 * Linux gives them: random ids probe the id index at random, and with 4 KiB pages every probe of
 * a log beyond the TLB's reach also walks the page tables), every page touched before timing. */
static inline void bench_ledger_open(bench_ledger_t *b, uint32_t transfers)
{
    memset(b, 0, sizeof *b);
    bench_check(prepay_ledger_memory_alloc(&b->memory, BENCH_ACCOUNTS, transfers), "memory");
    b->scratch = calloc(BENCH_ACCOUNTS, sizeof *b->scratch);
    if (b->scratch == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    const prepay_ledger_memory_t *m = &b->memory;
    bench_touch(m->accounts, (size_t)m->account_capacity * sizeof *m->accounts);
    bench_touch(m->account_index, (size_t)m->account_index_slots * sizeof *m->account_index);
    bench_touch(m->entries, (size_t)m->transfer_capacity * sizeof *m->entries);
    bench_touch(m->transfer_index, (size_t)m->transfer_index_slots * sizeof *m->transfer_index);
    bench_touch(m->expiry_heap, (size_t)m->transfer_capacity * sizeof *m->expiry_heap);
}

static inline void bench_ledger_close(bench_ledger_t *b)
{
    prepay_ledger_memory_free(&b->memory);
    free(b->scratch);
    memset(b, 0, sizeof *b);
}

/* The accounts of the workload, in ledger order (clearing, revenue, wallets). */
static inline uint32_t bench_account(uint32_t n, prepay_ledger_account_t *a)
{
    memset(a, 0, sizeof *a);
    if (n == 0u) {
        a->id = BENCH_CLEARING;
        a->kind = PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING;
    } else if (n <= 4u) {
        a->id = BENCH_REVENUE + n - 1u;
        a->kind = PREPAY_LEDGER_ACCOUNT_REVENUE;
        a->item = n;
    } else {
        a->id = BENCH_WALLET_BASE + n - 5u;
        a->kind = PREPAY_LEDGER_ACCOUNT_WALLET;
        a->flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
        a->overdraft_limit = 500;
    }
    return 5u + BENCH_WALLETS;
}

#endif
