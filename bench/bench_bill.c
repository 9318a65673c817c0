/* SPDX-License-Identifier: MIT */
/*
 * `prepay bill` at scale: a site month with 10^4, 10^5 and 10^6 accounts
 * read from JSON and computed (tools/prepay/bill.h), to show that memory
 * and time grow linearly in accounts and lines. Each site has, per 100
 * accounts, 60 postpaid and 40 prepaid accounts, 2 energy lines and 1
 * payment per postpaid account, one earlier arrears item per 10 accounts,
 * two site-wide monthly items and one per-account item per 100 accounts.
 * Times: bill_parse (JSON text -> checked model, jansson included) and
 * bill_run (residual, allocation, charge run, statements, arrears), wall
 * clock, one core; memory: the process's peak resident set.
 *
 *   meson setup build/rel --buildtype=release -Dtests=false && ninja -C build/rel bench/bench_bill
 *   build/rel/bench/bench_bill [MAX_ACCOUNTS]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bill.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct text {
    char *bytes;
    size_t len, cap;
} text_t;

static void put(text_t *t, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void put(text_t *t, const char *format, ...)
{
    for (;;) {
        va_list args;
        va_start(args, format);
        int n = vsnprintf(t->bytes + t->len, t->cap - t->len, format, args);
        va_end(args);
        if (n >= 0 && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + 4096;
        t->bytes = realloc(t->bytes, t->cap);
        if (!t->bytes) {
            fprintf(stderr, "bench_bill: out of memory\n");
            exit(1);
        }
    }
}

static void make_site(size_t n, text_t *t)
{
    t->len = 0;
    put(t, "{\"period\": {\"start\": \"2026-10-01\", \"end\": \"2026-11-01\"}, \"as_of\": \"2026-12-01\",\n");
    put(t, " \"common\": {\"master_wh\": %zu, \"price\": \"0.58886875\", \"basis\": \"area\"},\n", n * 2500);
    put(t, " \"accounts\": [");
    for (size_t i = 0; i < n; i++) {
        bool postpaid = i % 100 < 60;
        put(t, "%s{\"id\": %zu, \"area\": \"%zu.%02zu\", \"sub_meter_wh\": %zu, \"mode\": \"%s\"}", i ? "," : "",
            1000 + i, 40 + i % 160, i % 100, 1500 + i % 1000, postpaid ? "postpaid" : "prepaid");
    }
    put(t, "],\n \"items\": [{\"id\": 1, \"name\": \"property fee\", \"rate\": \"2.50\", \"basis\": \"per_area\","
           " \"collect\": \"bill\"}, {\"id\": 2, \"name\": \"waste\", \"rate\": \"8.00\", \"collect\": \"bill\"}");
    for (size_t i = 0; i < n / 100 && i < 65000; i++) {
        put(t, ", {\"id\": %zu, \"account\": %zu, \"name\": \"parking\", \"rate\": \"150.00\", \"collect\": \"bill\"}",
            3 + i, 1000 + i * 100);
    }
    put(t, "],\n \"energy\": [");
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (i % 100 < 60) {
            put(t, "%s{\"account\": %zu, \"band\": 2, \"wh\": 900, \"amount\": \"0.53\"},"
                   "{\"account\": %zu, \"band\": 3, \"wh\": 600, \"amount\": \"0.35\"}",
                first ? "" : ",", 1000 + i, 1000 + i);
            first = false;
        }
    }
    put(t, "],\n \"payments\": [");
    first = true;
    for (size_t i = 0; i < n; i++) {
        if (i % 100 < 60) {
            put(t, "%s{\"account\": %zu, \"id\": %zu, \"date\": \"2026-10-15\", \"amount\": \"20.00\"}",
                first ? "" : ",", 1000 + i, 7000000 + i);
            first = false;
        }
    }
    put(t, "],\n \"arrears\": [");
    for (size_t i = 0; i < n / 10; i++) {
        put(t, "%s{\"account\": %zu, \"statement\": %zu, \"due\": \"2026-08-15\", \"outstanding\": \"12.00\"}",
            i ? "," : "", 1000 + i * 10, 9000000 + i);
    }
    put(t, "]}\n");
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    size_t max = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    text_t t = {NULL, 0, 0};
    printf("%-10s %12s %10s %10s %12s %12s %14s\n", "accounts", "json bytes", "parse s", "run s", "run ns/acct",
           "statements", "peak RSS MiB");
    for (size_t n = 10000; n <= max; n *= 10) {
        make_site(n, &t);
        bill_t bill;
        double t0 = now();
        if (bill_parse(t.bytes, t.len, "<memory>", &bill) != 0) {
            fprintf(stderr, "bench_bill: %s\n", bill.error);
            return 1;
        }
        double t1 = now();
        if (bill_run(&bill) != 0) {
            fprintf(stderr, "bench_bill: %s\n", bill.error);
            return 1;
        }
        double t2 = now();
        printf("%-10zu %12zu %10.3f %10.3f %12.0f %12zu %14.1f\n", n, t.len, t1 - t0, t2 - t1,
               (t2 - t1) * 1e9 / (double)n, bill.statement_count, (double)peak_rss_kib() / 1024.0);
        fflush(stdout);
        bill_free(&bill);
    }
    free(t.bytes);
    return 0;
}
