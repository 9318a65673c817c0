/* SPDX-License-Identifier: MIT */
/*
 * Benchmark: what one random memory access costs on this machine, and whether huge pages
 * reach its TLB. No libprepay code is timed: the figures are the scale against which the
 * settlement and ledger benchmarks' large sizes read (docs/settlement.md section 9).
 *
 * Each row times dependent loads (every load's address comes from the previous one, so none
 * overlaps another) around one random cycle through a buffer:
 *   - "line" rows visit every 64-byte line of the buffer once per cycle: a cache miss once the
 *     buffer outgrows the caches, plus a TLB miss once its pages outgrow the TLB;
 *   - "page" rows visit one line per 4 KiB page: the data (one line per page) stays small, so
 *     what grows with the buffer is the TLB's share: its misses and page walks.
 * Each buffer is 2 MiB aligned and advised either to transparent huge pages
 * (madvise(MADV_HUGEPAGE), as prepay_ledger_memory_alloc() and prepay_settlement_memory_alloc()
 * advise theirs) or away from them (MADV_NOHUGEPAGE). Where huge pages reach the hardware TLB,
 * the "page" rows of the huge buffers stay near the cache's latency at every size; where the
 * machine maps guest memory with small pages underneath (some virtual machines), they grow like
 * the small-page rows. The kernel's own count of huge pages in each buffer is printed too.
 *
 * Usage: bench_memory_latency [max-MiB]   (default 256; --smoke: 4)
 */
#define _GNU_SOURCE /* madvise, MADV_HUGEPAGE */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define LOADS 2000000u

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Huge pages the kernel gave this process's anonymous memory, in KiB (-1: unknown). */
static long anon_huge_kib(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f) {
        return -1;
    }
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "AnonHugePages:", 14) == 0) {
            kib = strtol(line + 14, NULL, 10);
        }
    }
    fclose(f);
    return kib;
}

/* ns per dependent load around a random cycle of one 8-byte word per `stride` bytes. */
static double chase(size_t bytes, size_t stride, int huge, long *huge_kib)
{
    void *p = NULL;
    if (posix_memalign(&p, 2u << 20, bytes) != 0) {
        fprintf(stderr, "bench_memory_latency: out of memory\n");
        exit(1);
    }
#if defined(MADV_HUGEPAGE) && defined(MADV_NOHUGEPAGE)
    (void)madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
#else
    (void)huge; /* no transparent huge pages here: both columns use the system's pages */
#endif
    memset(p, 0, bytes);
    long before = anon_huge_kib();
    size_t n = bytes / stride, step = stride / sizeof(uint64_t);
    uint64_t *words = p;
    uint32_t *order = n >= 2u ? malloc(n * sizeof *order) : NULL;
    if (!order) {
        fprintf(stderr, "bench_memory_latency: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        order[i] = (uint32_t)i;
    }
    for (size_t i = n - 1; i > 0; i--) { /* one random cycle through every slot */
        size_t j = (size_t)(next() % (i + 1));
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        words[(size_t)order[i] * step] = (uint64_t)order[(i + 1) % n] * step;
    }
    uint64_t at = (uint64_t)order[0] * step;
    for (size_t i = 0; i < n; i++) { /* warm: caches and TLB as they settle */
        at = words[at];
    }
    double t0 = wall_seconds();
    for (uint32_t i = 0; i < LOADS; i++) {
        at = words[at];
    }
    double t = wall_seconds() - t0;
    volatile uint64_t sink = at;
    (void)sink;
    *huge_kib = before;
    free(order);
    free(p);
    return t * 1e9 / LOADS;
}

int main(int argc, char **argv)
{
    size_t max_mib = 256;
    if (argc > 1 && strcmp(argv[1], "--smoke") == 0) {
        max_mib = 4;
    } else if (argc > 1) {
        max_mib = (size_t)strtoul(argv[1], NULL, 10);
    }
    if (max_mib < 2 || max_mib > 65536) {
        fprintf(stderr, "usage: bench_memory_latency [--smoke | max-MiB 2..65536]\n");
        return 2;
    }
    printf("bench_memory_latency: ns per dependent random load (wall time, %u loads per row)\n", LOADS);
    printf("%-8s %-6s %10s %10s %12s\n", "buffer", "visits", "small", "huge", "(huge KiB)");
    for (size_t mib = 2; mib <= max_mib; mib *= 4) {
        for (int page = 0; page < 2; page++) {
            size_t stride = page ? 4096u : 64u;
            long small_kib = 0, huge_kib = 0;
            double small = chase(mib << 20, stride, 0, &small_kib);
            double huge = chase(mib << 20, stride, 1, &huge_kib);
            printf("%4zu MiB %-6s %10.1f %10.1f %12ld\n", mib, page ? "page" : "line", small, huge, huge_kib);
        }
    }
    return 0;
}
