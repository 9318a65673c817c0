/* SPDX-License-Identifier: MIT */
/*
 * Report and load-record throughput, per core (process CPU time, best of 3).
 *
 * 1. "report day/band bucketing": prepay_report_add() of a year of 15-minute
 *    rows (35040 per meter, band and exact fee set, none crossing midnight)
 *    for M meters into a DAY report of that year, one key per meter (and
 *    again with every meter on one key, and into a MONTH report). Timed:
 *    the prepay_report_add() calls only (row checks, bucket lookup, band
 *    sums, fee sums); the rows are built before the clock starts.
 * 2. "report split rows": the same with 25-hour rows, so every row is split
 *    at midnight by the spreading rule (the slow path).
 * 3. "load records decoded" / "encoded": prepay_load_record_decode() of a reply of 40 (and
 *    prepay_load_record_encode() of its 40 records, the meter side), of
 *    full six-class records (103 bytes each), repeatedly.
 * memcpy bandwidth over the row array is printed beside them for scale.
 *
 *   meson setup build/rel --buildtype=release -Dtests=false && ninja -C build/rel
 *   build/rel/bench/bench_report [meters]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/civil_time.h"
#include "prepay/load_record.h"
#include "prepay/report.h"
#include "prepay/status.h"

#define PER_YEAR 35040

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static prepay_days_t day(int y, unsigned m, unsigned d)
{
    prepay_days_t out = 0;
    if (prepay_time_days_from_date(y, m, d, &out) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    return out;
}

static void fill_rows(prepay_report_row_t *rows, size_t n, prepay_time_t start, uint32_t seconds, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        prepay_report_row_t *r = &rows[i];
        r->start = start + (prepay_time_t)i * seconds;
        r->seconds = seconds;
        uint32_t h = (uint32_t)((i % 96u) / 4u);
        r->band = (uint8_t)(h < 8 ? 4 : (h < 12 || (h >= 18 && h < 21)) ? 2 : 3);
        r->energy = (int64_t)((i * 2654435761u + seed) % 900u);
        r->fee.units = r->energy / 2;
        r->fee.nanos = (uint32_t)((i * 40503u + seed) % 1000000000u);
    }
}

static prepay_report_bucket_t buckets[800];

static void bench_bucketing(const char *label, const prepay_report_row_t *rows, size_t per_meter, unsigned meters,
                            prepay_report_period_t period, prepay_days_t first, prepay_days_t end, int one_key)
{
    uint32_t nb = 0;
    if (prepay_report_bucket_count(period, first, end, &nb) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    uint32_t keys = one_key ? 1u : meters;
    size_t cells_n = (size_t)nb * keys;
    prepay_report_cell_t *cells = malloc(cells_n * sizeof *cells);
    double best = 1e30;
    double w0 = wall();
    double c0 = now();
    for (int run = 0; run < 3; run++) {
        prepay_report_t rep;
        if (prepay_report_init(&rep, period, first, end, keys, buckets, 800, cells, cells_n) != PREPAY_OK) {
            fprintf(stderr, "init failed\n");
            exit(1);
        }
        double t0 = now();
        for (unsigned m = 0; m < meters; m++) {
            prepay_report_series_t s;
            if (prepay_report_series_init(&s, one_key ? 0u : m) != PREPAY_OK) {
                abort(); /* a bench whose own step fails would time nothing */
            }
            int st = prepay_report_add(&rep, &s, rows + (size_t)m * per_meter, per_meter);
            if (st != PREPAY_OK) {
                fprintf(stderr, "add failed: %s\n", prepay_strerror(st));
                exit(1);
            }
        }
        double t = now() - t0;
        if (t < best) {
            best = t;
        }
    }
    double cpu = now() - c0, wl = wall() - w0;
    printf("%-44s %8.1f M rows/s  (%zu rows, cpu/wall %.2f)\n", label, (double)per_meter * meters / best / 1e6,
           per_meter * meters, cpu / wl);
    free(cells);
}

static void bench_load_records(void)
{
    enum { N = 40 };
    static uint8_t reply[N * PREPAY_LOAD_RECORD_FULL_SIZE];
    size_t len = 0;
    prepay_load_record_t r;
    memset(&r, 0, sizeof r);
    r.classes = 0x3F;
    r.time = (prepay_time_t)day(2024, 3, 15) * 86400;
    for (int i = 0; i < N; i++) {
        r.time += 900;
        r.voltage_decivolt[0] = 2200 + i;
        r.forward_active_wh = 1000000 + 10 * i;
        int n = prepay_load_record_encode(&r, reply + len, sizeof reply - len);
        if (n < 0) {
            fprintf(stderr, "encode failed\n");
            exit(1);
        }
        len += (size_t)n;
    }
    static prepay_load_record_t out[N];
    double best = 1e30;
    const int rounds = 20000;
    for (int run = 0; run < 3; run++) {
        double t0 = now();
        for (int k = 0; k < rounds; k++) {
            size_t count = 0;
            if (prepay_load_record_decode(0x06000001u, reply, len, out, N, &count) != PREPAY_OK || count != N) {
                fprintf(stderr, "decode failed\n");
                exit(1);
            }
        }
        double t = now() - t0;
        if (t < best) {
            best = t;
        }
    }
    printf("%-44s %8.2f M records/s  (%.0f MB/s of reply data)\n", "load records decoded (six classes, 103 B)",
           (double)N * rounds / best / 1e6, (double)len * rounds / best / 1e6);
    /* The meter side: prepay_load_record_encode() of the same 40 records (what a meter answering a
     * class-06 read does per record). */
    best = 1e30;
    for (int run = 0; run < 3; run++) {
        double t0 = now();
        for (int k = 0; k < rounds; k++) {
            size_t at = 0;
            for (int i = 0; i < N; i++) {
                int n = prepay_load_record_encode(&out[i], reply + at, sizeof reply - at);
                if (n < 0) {
                    fprintf(stderr, "encode failed\n");
                    exit(1);
                }
                at += (size_t)n;
            }
            if (at != len) {
                fprintf(stderr, "encode length\n");
                exit(1);
            }
        }
        double t = now() - t0;
        if (t < best) {
            best = t;
        }
    }
    printf("%-44s %8.2f M records/s  (%.0f MB/s of reply data)\n", "load records encoded (six classes, 103 B)",
           (double)N * rounds / best / 1e6, (double)len * rounds / best / 1e6);
}

int main(int argc, char **argv)
{
    unsigned meters = argc > 1 ? (unsigned)atoi(argv[1]) : 100u;
    if (meters == 0u || meters > 10000u) {
        fprintf(stderr, "usage: bench_report [meters 1..10000]\n");
        return 2;
    }
    size_t per = PER_YEAR;
    prepay_report_row_t *rows = malloc((size_t)meters * per * sizeof *rows);
    if (rows == NULL) {
        return 1;
    }
    prepay_days_t first = day(2024, 1, 1), end = day(2025, 1, 1);
    for (unsigned m = 0; m < meters; m++) {
        fill_rows(rows + (size_t)m * per, per, (prepay_time_t)first * 86400, 900, m);
    }
    printf("bench_report: %u meters x %zu rows (%zu bytes per row)\n", meters, per, sizeof *rows);
    bench_bucketing("report DAY buckets, one key per meter", rows, per, meters, PREPAY_REPORT_DAY, first, end, 0);
    bench_bucketing("report DAY buckets, all meters on one key", rows, per, meters, PREPAY_REPORT_DAY, first, end, 1);
    bench_bucketing("report MONTH buckets, one key per meter", rows, per, meters, PREPAY_REPORT_MONTH, first, end, 0);
    bench_bucketing("report ISO WEEK buckets, one key per meter", rows, per, meters, PREPAY_REPORT_WEEK, first, end, 0);
    /* 25-hour rows: every one crosses midnight */
    size_t split_per = 300;
    for (unsigned m = 0; m < meters; m++) {
        fill_rows(rows + (size_t)m * split_per, split_per, (prepay_time_t)first * 86400, 90000, m);
    }
    bench_bucketing("report DAY buckets, rows split at midnight", rows, split_per, meters, PREPAY_REPORT_DAY, first,
                    day(2025, 12, 31), 0);
    bench_load_records();
    /* memcpy bandwidth over the row array, for scale */
    size_t bytes = (size_t)meters * per * sizeof *rows;
    void *copy = malloc(bytes);
    double best = 1e30;
    for (int run = 0; run < 3; run++) {
        double t0 = now();
        memcpy(copy, rows, bytes);
        memcpy(rows, copy, bytes);
        double t = now() - t0;
        if (t < best) {
            best = t;
        }
    }
    printf("%-44s %8.2f GB/s (%zu MB copied twice)\n", "memcpy bandwidth", 2.0 * (double)bytes / best / 1e9,
           bytes >> 20);
    free(copy);
    free(rows);
    return 0;
}
