/* SPDX-License-Identifier: MIT */
/*
 * Batch tariff evaluation of tariff FILES (the same JSON / URDB / SAM documents the
 * Python bindings load), so that bench/bench_python_batch.py can compare C and
 * Python on exactly the same tariff and the same data, case by case, with equal
 * checksums. Data: a year of 15-minute intervals (35040) per meter, 0..399 Wh
 * each from xorshift64 (seed 88172645463325252), as bench_tariff.c and
 * bench_python_batch.py generate them. One prepay_tariff_eval_batch() call per
 * meter and year; figure = intervals per second of the process's CPU time,
 * best of 3 runs; checksum = sum of the bills' totals (fen).
 *
 *   bench_tariff_files METERS FILE...      (hosted: needs the JSON loaders, i.e. jansson)
 *   bench_tariff_files --smoke FILE...     (one meter, one run; CI)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/prepay.h"
#include "prepay/tariff_json.h"

#define PER_YEAR 35040
#define LINES 4096

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static prepay_tariff_line_t lines[LINES];
static prepay_tariff_doc_t doc;

int main(int argc, char **argv)
{
    int first = 1;
    int meters = 0;
    int runs = 3;
    if (argc > 1 && strcmp(argv[1], "--smoke") == 0) {
        meters = 1;
        runs = 1;
        first = 2;
    } else if (argc > 2) {
        meters = atoi(argv[1]);
        first = 2;
    }
    if (meters < 1 || first >= argc) {
        fprintf(stderr, "usage: bench_tariff_files METERS|--smoke FILE...\n");
        return 2;
    }
    size_t total = (size_t)meters * PER_YEAR;
    prepay_tariff_interval_t *data = malloc(total * sizeof *data);
    if (!data) {
        return 1;
    }
    prepay_days_t days = 0;
    if (prepay_time_days_from_date(2024, 1, 1, &days) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    const prepay_time_t start = (prepay_time_t)days * 86400;
    uint64_t rng = 88172645463325252u;
    for (size_t m = 0; m < (size_t)meters; m++) {
        for (size_t i = 0; i < PER_YEAR; i++) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            prepay_tariff_interval_t *iv = &data[m * PER_YEAR + i];
            iv->start = start + (prepay_time_t)i * 900;
            iv->end = iv->start + 900;
            iv->energy = (prepay_energy_t)(rng % 400u);
        }
    }
    for (int f = first; f < argc; f++) {
        char err[PREPAY_TARIFF_JSON_ERROR_MAX];
        if (prepay_tariff_doc_load_file(argv[f], &doc, err, sizeof err) != PREPAY_OK) {
            fprintf(stderr, "%s: %s\n", argv[f], err);
            return 1;
        }
        prepay_tariff_plan_t plan;
        if (prepay_tariff_doc_plan(&doc, &plan) != PREPAY_OK) {
            return 1;
        }
        double best = 1e30, best_wall = 1e30;
        int64_t checksum = 0;
        for (int run = 0; run < runs; run++) {
            double w0 = wall_now(), t0 = cpu_now();
            checksum = 0;
            for (size_t m = 0; m < (size_t)meters; m++) {
                prepay_tariff_bill_t bill;
                if (prepay_tariff_bill_init(&bill, &doc.sets[0], lines, LINES) != PREPAY_OK) {
                    abort(); /* a bench whose own step fails would time nothing */
                }
                int status = prepay_tariff_eval_batch(&plan, &doc.account, NULL, data + m * PER_YEAR, PER_YEAR, &bill);
                if (status == PREPAY_OK) {
                    status = prepay_tariff_bill_finish(&bill);
                }
                if (status != PREPAY_OK) {
                    fprintf(stderr, "%s: %s\n", argv[f], prepay_strerror(status));
                    return 1;
                }
                checksum += bill.total;
            }
            double t = cpu_now() - t0, w = wall_now() - w0;
            if (t < best) {
                best = t;
                best_wall = w;
            }
        }
        printf("c %s %.2f M intervals/s cpu (%.2f wall) %d meters x %d checksum %lld\n", argv[f],
               (double)total / best / 1e6, (double)total / best_wall / 1e6, meters, PER_YEAR, (long long)checksum);
    }
    free(data);
    return 0;
}
