/* SPDX-License-Identifier: MIT */
/*
 * Benchmark: the ledger in memory, on one core (no durability; see
 * bench_ledger_durable.c for the journal).
 *
 *   bench_ledger_memory [BASE [REPEAT]]   (BASE default 65536, a multiple of 8192;
 *                                          REPEAT default 3)
 *
 * What is timed: prepay_ledger_apply() on batches of 8192 transfers
 * (TigerBeetle's batch size) against 1,000 wallets, and nothing else: each
 * batch is generated before its timer starts. The ledger's buffer is
 * allocated and touched before timing (a server allocates it once).
 *
 *  1. Cost growth: for sequential ids (1, 2, 3, ...) and for random ids (a
 *     bijection of the sequence number, no order), at log sizes x1, x10 and
 *     x100 BASE, two passes over the same transfers:
 *       apply   every transfer new (recharges and deductions, all accepted);
 *       exists  the same transfers again (each answered "exists").
 *     Every row does the same work, 100 x BASE transfers per pass: 100
 *     fresh ledgers of x1 BASE, 10 of x10, or one of x100, so that each row
 *     takes about as long and meets the same disturbance from other
 *     processes; each round measures every row in turn. Each row prints CPU
 *     time of this thread (the cost on one core) and wall time (which also
 *     counts waiting for a core shared with other processes), transfers/s
 *     and ns/transfer: the best (least CPU time) of REPEAT rounds. "growth"
 *     is ns/transfer at x10 and x100 over ns/transfer at x1: flat is 1.00.
 *  2. Other work at x10 BASE, sequential ids: linked chains of three
 *     (recharge + repay emergency + repay debt), pending + post pairs,
 *     pending transfers with deadlines then prepay_ledger_expire() of all.
 *  3. Wallet policy decisions per second.
 *  4. The memory floor of section 1's random ids, without the ledger: per
 *     operation, a read-modify-write of one 8-byte slot at a random place
 *     in a table of the index's size (prefetched 16 operations ahead, as
 *     the ledger does) and a 112-byte append to a log of the log's size;
 *     once alone and once with a fixed chain of arithmetic (about what a
 *     transfer costs in cache) between the operations. Its growth at x100
 *     is what no index layout can remove on this machine.
 *
 * The machine's memcpy bandwidth is printed first: quote it beside every
 * figure. Build and run (release):
 *   meson setup build/rel --buildtype=release -Dtests=false
 *   ninja -C build/rel bench/bench_ledger_memory && build/rel/bench/bench_ledger_memory
 */
#include "bench_ledger_common.h"

#include "prepay/wallet.h"

typedef struct timing {
    double cpu;
    double wall;
    uint64_t count;
    uint64_t applied;
} timing_t;

static prepay_ledger_transfer_t batch[BENCH_BATCH];
static int results[BENCH_BATCH];

static void ledger_start(bench_ledger_t *b)
{
    bench_check(prepay_ledger_init(&b->ledger, &b->memory), "init");
    prepay_ledger_account_t a;
    uint32_t n = bench_account(0, &a);
    for (uint32_t i = 0; i < n; i++) {
        bench_account(i, &a);
        bench_check(prepay_ledger_create_account(&b->ledger, &a), "account");
    }
}

/* Applies transfers [0, count) of the workload, one batch at a time; only apply is timed. */
static timing_t run_workload(bench_ledger_t *b, uint32_t count, bool random_ids)
{
    timing_t t = {0, 0, 0, 0};
    for (uint32_t at = 0; at < count; at += BENCH_BATCH) {
        uint32_t n = count - at < BENCH_BATCH ? count - at : BENCH_BATCH;
        for (uint32_t i = 0; i < n; i++) {
            bench_transfer(at + i, random_ids, &batch[i]);
        }
        double w0 = bench_wall_seconds();
        double c0 = bench_cpu_seconds();
        int r = prepay_ledger_apply(&b->ledger, batch, n, results);
        t.cpu += bench_cpu_seconds() - c0;
        t.wall += bench_wall_seconds() - w0;
        bench_check(r, "apply");
        t.applied += (uint64_t)r;
        t.count += n;
    }
    return t;
}

static void print_header(void)
{
    printf("%-10s %-6s %-7s %10s %10s %8s %8s %9s %9s %9s\n", "ids", "log", "work", "transfers", "applied",
           "cpu s", "wall s", "M/s cpu", "ns cpu", "ns wall");
}

static void print_row(const char *ids, const char *scale, const char *work, const timing_t *t)
{
    printf("%-10s %-6s %-7s %10llu %10llu %8.3f %8.3f %9.2f %9.1f %9.1f\n", ids, scale, work,
           (unsigned long long)t->count, (unsigned long long)t->applied, t->cpu, t->wall,
           (double)t->count / t->cpu / 1e6, t->cpu * 1e9 / (double)t->count, t->wall * 1e9 / (double)t->count);
}

static double ns_per(const timing_t *t)
{
    return t->cpu * 1e9 / (double)t->count;
}

static void add(timing_t *sum, const timing_t *t)
{
    sum->cpu += t->cpu;
    sum->wall += t->wall;
    sum->count += t->count;
    sum->applied += t->applied;
}

/* Section 1: sequential and random ids at x1, x10, x100. The rounds go
 * through every (ids, size) pair in turn, so that a change in the load of
 * a shared machine touches every row alike. */
static void cost_growth(uint32_t base, unsigned repeat)
{
    static const uint32_t scales[3] = {1, 10, 100};
    static const char *const scale_names[3] = {"x1", "x10", "x100"};
    static const char *const id_names[2] = {"sequential", "random"};
    printf("\n1. cost growth with the log size (x1 = %u transfers); apply = new transfers, exists = the same again;\n"
           "   each row %u transfers per pass (100 ledgers of x1, 10 of x10, 1 of x100), best of %u rounds\n",
           base, base * 100u, repeat);
    bench_ledger_t b[3];
    for (int s = 0; s < 3; s++) {
        bench_ledger_open(&b[s], base * scales[s]);
    }
    timing_t apply[2][3];
    timing_t exists[2][3];
    for (unsigned rep = 0; rep < repeat; rep++) {
        for (int r = 0; r < 2; r++) {
            for (int s = 0; s < 3; s++) {
                uint32_t count = base * scales[s];
                timing_t a = {0, 0, 0, 0};
                timing_t e = {0, 0, 0, 0};
                for (uint32_t ledgers = 0; ledgers < 100u / scales[s]; ledgers++) {
                    ledger_start(&b[s]);
                    timing_t t = run_workload(&b[s], count, r == 1);
                    add(&a, &t);
                    t = run_workload(&b[s], count, r == 1);
                    add(&e, &t);
                    if (prepay_ledger_transfer_count(&b[s].ledger) != count ||
                        prepay_ledger_verify(&b[s].ledger, b[s].scratch, BENCH_ACCOUNTS) != PREPAY_OK) {
                        fprintf(stderr, "bench: the ledger did not take the workload as expected\n");
                        exit(1);
                    }
                }
                if (a.applied != (uint64_t)count * (100u / scales[s]) || e.applied != 0) {
                    fprintf(stderr, "bench: the ledger did not take the workload as expected\n");
                    exit(1);
                }
                if (rep == 0 || a.cpu < apply[r][s].cpu) {
                    apply[r][s] = a;
                }
                if (rep == 0 || e.cpu < exists[r][s].cpu) {
                    exists[r][s] = e;
                }
            }
        }
    }
    print_header();
    for (int r = 0; r < 2; r++) {
        for (int s = 0; s < 3; s++) {
            print_row(id_names[r], scale_names[s], "apply", &apply[r][s]);
            print_row(id_names[r], scale_names[s], "exists", &exists[r][s]);
        }
        printf("%-10s growth of ns/transfer (cpu): apply x10 %.2f, x100 %.2f; exists x10 %.2f, x100 %.2f\n",
               id_names[r], ns_per(&apply[r][1]) / ns_per(&apply[r][0]),
               ns_per(&apply[r][2]) / ns_per(&apply[r][0]), ns_per(&exists[r][1]) / ns_per(&exists[r][0]),
               ns_per(&exists[r][2]) / ns_per(&exists[r][0]));
    }
    for (int s = 0; s < 3; s++) {
        bench_ledger_close(&b[s]);
    }
}

/* Applies a prepared array of transfers in batches of batch_size; times apply only. */
static timing_t run_array(bench_ledger_t *b, const prepay_ledger_transfer_t *t, uint32_t count, uint32_t batch_size)
{
    timing_t r = {0, 0, 0, 0};
    for (uint32_t at = 0; at < count; at += batch_size) {
        uint32_t n = count - at < batch_size ? count - at : batch_size;
        double w0 = bench_wall_seconds();
        double c0 = bench_cpu_seconds();
        int applied = prepay_ledger_apply(&b->ledger, t + at, n, results);
        r.cpu += bench_cpu_seconds() - c0;
        r.wall += bench_wall_seconds() - w0;
        bench_check(applied, "apply");
        r.applied += (uint64_t)applied;
        r.count += n;
    }
    return r;
}

/* Section 2: chains, pending + post, deadlines and expiry. */
static void other_work(uint32_t count)
{
    count -= count % 6u; /* whole chains and pairs */
    prepay_ledger_transfer_t *t = calloc(count, sizeof *t);
    uint64_t *expired = calloc(BENCH_BATCH, sizeof *expired);
    if (t == NULL || expired == NULL) {
        fprintf(stderr, "bench: out of memory\n");
        exit(1);
    }
    printf("\n2. other work, %u transfers, sequential ids\n", count);
    print_header();
    bench_ledger_t b;
    bench_ledger_open(&b, count);

    /* Linked chains of three: recharge 300, repay 100 to a clearing account twice. */
    for (uint32_t i = 0; i < count; i += 3) {
        uint32_t w = (i / 3u) % BENCH_WALLETS;
        for (uint32_t k = 0; k < 3; k++) {
            memset(&t[i + k], 0, sizeof t[i + k]);
            t[i + k].id = 1u + i + k;
            t[i + k].amount = 100;
            t[i + k].debit_account_id = BENCH_WALLET_BASE + w;
            t[i + k].credit_account_id = BENCH_REVENUE + k;
            t[i + k].code = PREPAY_LEDGER_CODE_FEE;
            t[i + k].flags = k < 2 ? PREPAY_LEDGER_TRANSFER_LINKED : 0u;
        }
        t[i].debit_account_id = BENCH_CLEARING;
        t[i].credit_account_id = BENCH_WALLET_BASE + w;
        t[i].amount = 300;
        t[i].code = PREPAY_LEDGER_CODE_RECHARGE;
    }
    ledger_start(&b);
    timing_t r = run_array(&b, t, count, BENCH_BATCH - 2u); /* 8190: no chain straddles two batches */
    print_row("sequential", "x10", "chain3", &r);

    /* Pending + post pairs after one recharge per wallet. */
    for (uint32_t i = 0; i < count; i += 2) {
        uint32_t w = (i / 2u) % BENCH_WALLETS;
        memset(&t[i], 0, 2 * sizeof t[i]);
        t[i].id = 1u + i;
        t[i + 1].id = 2u + i;
        if (i / 2u < BENCH_WALLETS) {
            for (uint32_t k = 0; k < 2; k++) {
                t[i + k].debit_account_id = BENCH_CLEARING;
                t[i + k].credit_account_id = BENCH_WALLET_BASE + w;
                t[i + k].amount = k == 0 ? 1000000000 : 1;
                t[i + k].code = PREPAY_LEDGER_CODE_RECHARGE;
            }
            continue;
        }
        t[i].debit_account_id = BENCH_WALLET_BASE + w;
        t[i].credit_account_id = BENCH_REVENUE;
        t[i].amount = 50;
        t[i].code = PREPAY_LEDGER_CODE_DEDUCTION;
        t[i].flags = PREPAY_LEDGER_TRANSFER_PENDING;
        t[i + 1].pending_id = t[i].id;
        t[i + 1].amount = 40;
        t[i + 1].code = PREPAY_LEDGER_CODE_DEDUCTION;
        t[i + 1].flags = PREPAY_LEDGER_TRANSFER_POST_PENDING;
    }
    ledger_start(&b);
    r = run_array(&b, t, count, BENCH_BATCH);
    print_row("sequential", "x10", "pend+post", &r);

    /* Pending transfers with deadlines (after one recharge per wallet), then expire them all. */
    for (uint32_t i = BENCH_WALLETS; i < count; i++) {
        t[i].flags = PREPAY_LEDGER_TRANSFER_PENDING;
        t[i].pending_id = 0;
        t[i].debit_account_id = BENCH_WALLET_BASE + i % BENCH_WALLETS;
        t[i].credit_account_id = BENCH_REVENUE;
        t[i].amount = 50;
        t[i].code = PREPAY_LEDGER_CODE_DEDUCTION;
        t[i].timestamp = (int64_t)i;
        t[i].deadline = (int64_t)i + 1800 + (int64_t)((i * 7919u) % 600u); /* 30-40 min, not in log order */
    }
    for (uint32_t i = 0; i < BENCH_WALLETS; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].id = 1u + i;
        t[i].debit_account_id = BENCH_CLEARING;
        t[i].credit_account_id = BENCH_WALLET_BASE + i;
        t[i].amount = 1000000000;
        t[i].code = PREPAY_LEDGER_CODE_RECHARGE;
    }
    ledger_start(&b);
    r = run_array(&b, t, count, BENCH_BATCH);
    print_row("sequential", "x10", "pend+ddl", &r);
    timing_t e = {0, 0, 0, 0};
    for (;;) {
        double w0 = bench_wall_seconds();
        double c0 = bench_cpu_seconds();
        int n = prepay_ledger_expire(&b.ledger, INT64_MAX, expired, BENCH_BATCH);
        e.cpu += bench_cpu_seconds() - c0;
        e.wall += bench_wall_seconds() - w0;
        bench_check(n, "expire");
        e.count += (uint64_t)n;
        e.applied += (uint64_t)n;
        if (n < (int)BENCH_BATCH) {
            break;
        }
    }
    if (e.count != count - BENCH_WALLETS || prepay_ledger_verify(&b.ledger, b.scratch, BENCH_ACCOUNTS) != PREPAY_OK) {
        fprintf(stderr, "bench: expiry did not release every pending transfer\n");
        exit(1);
    }
    print_row("sequential", "x10", "expire", &e);
    bench_ledger_close(&b);
    free(t);
    free(expired);
}

/* Section 3: wallet policy decisions. */
static void wallet_decisions(void)
{
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
    double w0 = bench_wall_seconds();
    double c0 = bench_cpu_seconds();
    for (uint32_t i = 0; i < decisions; i++) {
        prepay_wallet_input_t in = {.balance = 3000 - (int64_t)(i % 4000u), .now = (int64_t)i * 37, .flags = 0};
        if (prepay_wallet_decide(&policy, &in, &ws, &d) != PREPAY_OK) {
            abort(); /* a bench whose own step fails would time nothing */
        }
        ws = d.next;
        sink += d.events;
    }
    double cpu = bench_cpu_seconds() - c0;
    double wall = bench_wall_seconds() - w0;
    printf("\n3. wallet policy: %u decisions, %.3f s cpu (%.3f s wall), %.2f M decisions/s, %.1f ns each (events %llu)\n",
           decisions, cpu, wall, (double)decisions / cpu / 1e6, cpu * 1e9 / decisions, (unsigned long long)sink);
}

#if defined(__GNUC__) || defined(__clang__)
#define BENCH_PREFETCH(address) __builtin_prefetch((address), 0, 3)
#else
#define BENCH_PREFETCH(address) ((void)(address))
#endif

/* Section 4: one random slot read-modify-write plus one log append per operation, `work` rounds of
 * dependent arithmetic between them; returns CPU ns per operation over 100 x base operations. */
static double floor_run(uint32_t base, uint32_t scale, unsigned work, uint64_t *sink)
{
    uint32_t n = base * scale;
    /* The ledger's own index and log arrays, as a ledger of n transfers gets them. */
    prepay_ledger_memory_t m;
    bench_check(prepay_ledger_memory_alloc(&m, 1, n), "memory");
    uint64_t *table = m.transfer_index;
    uint32_t slots = m.transfer_index_slots;
    unsigned char *log = (unsigned char *)m.entries;
    memset(log, 0, (size_t)n * sizeof(prepay_ledger_entry_t));
    double cpu = 0;
    uint64_t acc = *sink;
    for (uint32_t round = 0; round < 100u / scale; round++) {
        memset(table, 0, (size_t)slots * sizeof *table); /* as prepay_ledger_init() clears the index */
        double c0 = bench_cpu_seconds();
        for (uint32_t i = 0; i < n; i++) {
            uint64_t id = bench_id((uint64_t)round * n + i, true);
            if (i + 16u < n) {
                BENCH_PREFETCH(&table[bench_id((uint64_t)round * n + i + 16u, true) & (slots - 1u)]);
            }
            uint64_t *slot = &table[id & (slots - 1u)];
            acc += *slot;
            *slot = id;
            memset(log + (size_t)i * sizeof(prepay_ledger_entry_t), (int)(id & 0xFFu), sizeof(prepay_ledger_entry_t));
            uint64_t x = id | 1u;
            for (unsigned w = 0; w < work; w++) {
                x *= 0x9E3779B97F4A7C15u;
                x ^= x >> 29;
            }
            acc += x;
        }
        cpu += bench_cpu_seconds() - c0;
    }
    prepay_ledger_memory_free(&m);
    *sink = acc;
    return cpu * 1e9 / ((double)n * (double)(100u / scale));
}

static void memory_floor(uint32_t base, unsigned repeat)
{
    static const uint32_t scales[3] = {1, 10, 100};
    static const unsigned works[2] = {0, 25};
    uint64_t sink = 0;
    printf("\n4. memory floor of the random-id rows, no ledger: per operation one prefetched random 8-byte\n"
           "   read-modify-write in a table of the index's size + one 112-byte log append, %u operations per row,\n"
           "   best of %u rounds (CPU ns per operation)\n",
           base * 100u, repeat);
    for (int w = 0; w < 2; w++) {
        double best[3] = {0, 0, 0};
        for (unsigned rep = 0; rep < repeat; rep++) {
            for (int s = 0; s < 3; s++) {
                double ns = floor_run(base, scales[s], works[w], &sink);
                best[s] = rep == 0 || ns < best[s] ? ns : best[s];
            }
        }
        printf("   %-34s x1 %6.1f  x10 %6.1f  x100 %6.1f ns; growth x10 %.2f, x100 %.2f\n",
               w == 0 ? "memory only" : "with 25 rounds of arithmetic", best[0], best[1], best[2], best[1] / best[0],
               best[2] / best[0]);
    }
    printf("   (checksum %llu)\n", (unsigned long long)(sink & 0xFFFFu));
}

int main(int argc, char **argv)
{
    uint32_t base = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 65536u;
    unsigned repeat = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 3u;
    base -= base % BENCH_BATCH;
    if (base == 0u || base > PREPAY_LEDGER_MAX_SIZED_CAPACITY / 100u || repeat == 0u) {
        fprintf(stderr, "usage: bench_ledger_memory [BASE [REPEAT]]   (BASE a multiple of %u, default 65536)\n",
                BENCH_BATCH);
        return 2;
    }
    double gbps = bench_memcpy_gbps();
    printf("bench_ledger_memory: memcpy %.1f GB/s on this machine; batches of %u; %u wallets\n", gbps, BENCH_BATCH,
           BENCH_WALLETS);
    printf("sizeof transfer %zu, entry %zu; ledger memory per transfer at x1: %.1f bytes "
           "(log + index + expiry heap)\n",
           sizeof(prepay_ledger_transfer_t), sizeof(prepay_ledger_entry_t),
           (double)(prepay_ledger_memory_size(BENCH_ACCOUNTS, base) - prepay_ledger_memory_size(BENCH_ACCOUNTS, 1)) /
               (double)base);
    cost_growth(base, repeat);
    other_work(base * 10u);
    wallet_decisions();
    memory_floor(base, repeat);
    return 0;
}
