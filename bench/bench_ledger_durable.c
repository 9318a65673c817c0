/* SPDX-License-Identifier: MIT */
/*
 * Benchmark: the durable ledger, through the POSIX journal, with ONE fsync
 * per batch of 8192 transfers (group commit, TigerBeetle's batch size).
 *
 *   bench_ledger_durable [BASE [JOURNAL_PATH [REPEAT]]]
 *
 * Defaults: BASE 65536 transfers (a multiple of 8192); the journal at
 * /tmp/prepay-bench-ledger.journal, removed at the end; REPEAT 1 (each
 * figure is the best, by wall time, of REPEAT runs). Durability is what
 * fsync gives on the file system under the path (tmpfs makes fsync free):
 * the file system type is printed.
 *
 *  1. For sequential and random ids, at x1, x10 and x100 BASE transfers,
 *     each into a fresh journal and ledger:
 *       submit     prepay_journal_submit() per batch: apply + encode + write
 *                  + fsync, one after the other;
 *       pipelined  prepay_journal_stage() / _sync() / _seal(): batch N+1 is
 *                  applied and encoded while batch N is written back; still
 *                  one fsync per batch, each batch acknowledged after its
 *                  own fsync.
 *     Timed: those calls only (each batch is generated before its timer
 *     starts). Wall time is the figure that counts here (it includes
 *     waiting for the disk); CPU time of this thread is printed beside it.
 *  2. At x10 BASE, sequential ids: the journal alone (encode + write +
 *     fsync of transfers already validated), and recovery of that journal
 *     (scan + CRC + replay + verify).
 *
 * The machine's memcpy bandwidth is printed first: quote it beside every
 * figure. Build and run (release):
 *   meson setup build/rel --buildtype=release -Dtests=false
 *   ninja -C build/rel bench/bench_ledger_durable && build/rel/bench/bench_ledger_durable
 */
#include "bench_ledger_common.h"

#include <sys/vfs.h>
#include <unistd.h>

#include "prepay/journal.h"
#include "prepay/journal_posix.h"

#define STAGING_SIZE \
    ((size_t)BENCH_BATCH * (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_TRANSFER_MAX_SIZE) + PREPAY_JOURNAL_MIN_BUFFER)

typedef struct timing {
    double cpu;
    double wall;
    uint64_t count;
    uint32_t fsyncs;
    uint64_t bytes;
} timing_t;

static prepay_ledger_transfer_t batch[BENCH_BATCH];
static int results[BENCH_BATCH];
static uint8_t staging[STAGING_SIZE];

typedef struct durable {
    bench_ledger_t b;
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
} durable_t;

/* A fresh ledger recovered from a fresh journal, with the workload's accounts. */
static void durable_open(durable_t *d, const char *path, uint32_t capacity)
{
    unlink(path);
    bench_ledger_open(&d->b, capacity);
    bench_check(prepay_ledger_init(&d->b.ledger, &d->b.memory), "init");
    bench_check(prepay_journal_posix_open(&d->file, path, &d->io), "open journal");
    bench_check(prepay_journal_open(&d->journal, &d->io, staging, sizeof staging, NULL, &d->b.ledger, d->b.scratch,
                                    BENCH_ACCOUNTS, &d->info),
                "recover");
    prepay_ledger_account_t a;
    uint32_t n = bench_account(0, &a);
    for (uint32_t i = 0; i < n; i++) {
        bench_account(i, &a);
        bench_check(prepay_ledger_create_account(&d->b.ledger, &a), "account");
        bench_check(prepay_journal_add_account(&d->journal, &a), "journal account");
    }
    bench_check(prepay_journal_commit(&d->journal), "commit accounts");
}

static void durable_close(durable_t *d)
{
    bench_check(prepay_journal_posix_close(&d->file), "close");
    bench_ledger_close(&d->b);
}

/* The workload through the journal, pipelined or not. */
static timing_t run_durable(const char *path, uint32_t total, bool random_ids, bool pipelined)
{
    durable_t d;
    durable_open(&d, path, total);
    timing_t t = {0, 0, 0, 0, 0};
    for (uint32_t done = 0; done < total; done += BENCH_BATCH) {
        for (uint32_t i = 0; i < BENCH_BATCH; i++) {
            bench_transfer(done + i, random_ids, &batch[i]);
        }
        double w0 = bench_wall_seconds();
        double c0 = bench_cpu_seconds();
        int applied;
        if (pipelined) {
            applied = prepay_journal_stage(&d.journal, &d.b.ledger, batch, BENCH_BATCH, results);
            bench_check(applied, "stage");
            int acked = prepay_journal_sync(&d.journal); /* acknowledges the previous batch */
            bench_check(acked, "sync");
            t.fsyncs += acked > 0;
            bench_check(prepay_journal_seal(&d.journal), "seal");
        } else {
            applied = prepay_journal_submit(&d.journal, &d.b.ledger, batch, BENCH_BATCH, results);
            bench_check(applied, "submit");
            t.fsyncs++;
        }
        if (done + BENCH_BATCH >= total && pipelined) {
            int acked = prepay_journal_sync(&d.journal);
            bench_check(acked, "sync");
            t.fsyncs += acked > 0;
        }
        t.cpu += bench_cpu_seconds() - c0;
        t.wall += bench_wall_seconds() - w0;
        if ((uint32_t)applied != BENCH_BATCH) {
            fprintf(stderr, "bench: only %d of %u applied\n", applied, BENCH_BATCH);
            exit(1);
        }
        t.count += BENCH_BATCH;
    }
    if (t.fsyncs != total / BENCH_BATCH) {
        fprintf(stderr, "bench: %u fsyncs for %u batches\n", t.fsyncs, total / BENCH_BATCH);
        exit(1);
    }
    t.bytes = d.file.size;
    durable_close(&d);
    return t;
}

static void print_header(void)
{
    printf("%-10s %-5s %-9s %9s %7s %8s %8s %9s %9s %9s %8s\n", "ids", "log", "work", "transfers", "fsyncs",
           "wall s", "cpu s", "M/s wall", "ns wall", "ns cpu", "MB");
}

static void print_row(const char *ids, const char *scale, const char *work, const timing_t *t)
{
    printf("%-10s %-5s %-9s %9llu %7u %8.3f %8.3f %9.2f %9.1f %9.1f %8.1f\n", ids, scale, work,
           (unsigned long long)t->count, t->fsyncs, t->wall, t->cpu, (double)t->count / t->wall / 1e6,
           t->wall * 1e9 / (double)t->count, t->cpu * 1e9 / (double)t->count, (double)t->bytes / 1e6);
}

static double ns_wall(const timing_t *t)
{
    return t->wall * 1e9 / (double)t->count;
}

static const char *fs_name(const char *path)
{
    struct statfs s;
    char dir[PREPAY_JOURNAL_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash != NULL) {
        *(slash == dir ? slash + 1 : slash) = '\0';
    } else {
        snprintf(dir, sizeof dir, ".");
    }
    if (statfs(dir, &s) != 0) {
        return "unknown";
    }
    switch ((unsigned long)s.f_type) {
    case 0x01021994ul:
        return "tmpfs (fsync is free)";
    case 0xEF53ul:
        return "ext2/3/4";
    case 0x58465342ul:
        return "xfs";
    case 0x9123683Eul:
        return "btrfs";
    case 0x794C7630ul:
        return "overlayfs";
    default:
        return "other";
    }
}

int main(int argc, char **argv)
{
    uint32_t base = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 65536u;
    const char *path = argc > 2 ? argv[2] : "/tmp/prepay-bench-ledger.journal";
    unsigned repeat = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 1u;
    base -= base % BENCH_BATCH;
    if (base == 0u || base > PREPAY_LEDGER_MAX_SIZED_CAPACITY / 100u || repeat == 0u) {
        fprintf(stderr, "usage: bench_ledger_durable [BASE [JOURNAL_PATH [REPEAT]]]   (BASE a multiple of %u)\n",
                BENCH_BATCH);
        return 2;
    }
    double gbps = bench_memcpy_gbps();
    printf("bench_ledger_durable: memcpy %.1f GB/s on this machine; batches of %u, one fsync per batch\n", gbps,
           BENCH_BATCH);
    printf("journal %s on %s\n", path, fs_name(path));

    static const uint32_t scales[3] = {1, 10, 100};
    static const char *const scale_names[3] = {"x1", "x10", "x100"};
    printf("\n1. cost growth with the log size (x1 = %u transfers), best of %u\n", base, repeat);
    print_header();
    for (int r = 0; r < 2; r++) {
        bool random_ids = r == 1;
        const char *ids = random_ids ? "random" : "sequential";
        timing_t submit[3];
        timing_t pipelined[3];
        for (int s = 0; s < 3; s++) {
            for (unsigned rep = 0; rep < repeat; rep++) {
                timing_t t = run_durable(path, base * scales[s], random_ids, false);
                submit[s] = rep == 0 || t.wall < submit[s].wall ? t : submit[s];
                t = run_durable(path, base * scales[s], random_ids, true);
                pipelined[s] = rep == 0 || t.wall < pipelined[s].wall ? t : pipelined[s];
            }
            print_row(ids, scale_names[s], "submit", &submit[s]);
            print_row(ids, scale_names[s], "pipelined", &pipelined[s]);
        }
        printf("%-10s growth of ns/transfer (wall): submit x10 %.2f, x100 %.2f; pipelined x10 %.2f, x100 %.2f\n",
               ids, ns_wall(&submit[1]) / ns_wall(&submit[0]), ns_wall(&submit[2]) / ns_wall(&submit[0]),
               ns_wall(&pipelined[1]) / ns_wall(&pipelined[0]), ns_wall(&pipelined[2]) / ns_wall(&pipelined[0]));
    }

    /* 2. The journal alone, then recovery of what it wrote. */
    uint32_t total = base * 10u;
    printf("\n2. journal alone and recovery, %u transfers, sequential ids\n", total);
    print_header();
    durable_t d;
    durable_open(&d, path, 16);
    timing_t j = {0, 0, 0, 0, 0};
    for (uint32_t done = 0; done < total; done += BENCH_BATCH) {
        for (uint32_t i = 0; i < BENCH_BATCH; i++) {
            bench_transfer(done + i, false, &batch[i]);
        }
        double w0 = bench_wall_seconds();
        double c0 = bench_cpu_seconds();
        for (uint32_t i = 0; i < BENCH_BATCH; i++) {
            bench_check(prepay_journal_add_transfer(&d.journal, &batch[i]), "add");
        }
        bench_check(prepay_journal_commit(&d.journal), "commit");
        j.cpu += bench_cpu_seconds() - c0;
        j.wall += bench_wall_seconds() - w0;
        j.count += BENCH_BATCH;
        j.fsyncs++;
    }
    j.bytes = d.file.size;
    durable_close(&d);
    print_row("sequential", "x10", "journal", &j);

    bench_ledger_open(&d.b, total);
    bench_check(prepay_ledger_init(&d.b.ledger, &d.b.memory), "init");
    bench_check(prepay_journal_posix_open(&d.file, path, &d.io), "reopen");
    double w0 = bench_wall_seconds();
    double c0 = bench_cpu_seconds();
    bench_check(prepay_journal_open(&d.journal, &d.io, staging, sizeof staging, NULL, &d.b.ledger, d.b.scratch,
                                    BENCH_ACCOUNTS, &d.info),
                "recover");
    timing_t rec = {bench_cpu_seconds() - c0, bench_wall_seconds() - w0, d.info.records, 0, d.file.size};
    if (prepay_ledger_transfer_count(&d.b.ledger) != total) {
        fprintf(stderr, "bench: recovered %u transfers, not %u\n", prepay_ledger_transfer_count(&d.b.ledger), total);
        exit(1);
    }
    durable_close(&d);
    print_row("sequential", "x10", "recover", &rec);
    unlink(path);
    return 0;
}
