/*
 * The C side of the SQL-vs-C cross-check (pg/test/sql/crosscheck.sql): bills
 * a CSV of intervals with a tariff file through the library's batch call,
 * linked from the very objects pg_prepay.so is built from, and prints the
 * bill as '|'-separated lines the SQL side prints too:
 *   total|<total fen>|<exact fen>|<energy>
 *   line|<kind>|<cycle>|<set>|<band>|<tier>|<quantity>|<price>|<exact amount>|<money>
 *
 *   bill_c prepay|urdb TARIFF.json READINGS.csv
 * READINGS.csv: start,end,energy per line, times in seconds since 2000-01-01.
 * With BILL_C_REPEAT=N in the environment it also bills the series N more
 * times and prints, on stderr, the intervals priced per second by the batch
 * call (wall clock; bench/bench_postgresql.sh puts it beside the SQL figures).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/civil_time.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"

static void amount(char *out, size_t cap, prepay_amount_t a)
{
    /* units + nanos/1e9, as a decimal (the same value pg_prepay writes) */
    if (a.units < 0 && a.nanos > 0) {
        snprintf(out, cap, "-%" PRId64 ".%09u", -(a.units + 1), 1000000000u - a.nanos);
    } else {
        snprintf(out, cap, "%" PRId64 ".%09u", a.units, a.nanos);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bill_c prepay|urdb TARIFF.json READINGS.csv\n");
        return 2;
    }
    static prepay_tariff_doc_t doc;
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int rc = strcmp(argv[1], "urdb") == 0 ? prepay_tariff_urdb_load_file(argv[2], NULL, &doc, err, sizeof err)
                                          : prepay_tariff_json_load_file(argv[2], &doc, err, sizeof err);
    if (rc != PREPAY_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    FILE *f = fopen(argv[3], "r");
    if (!f) {
        perror(argv[3]);
        return 1;
    }
    size_t n = 0, cap = 1024;
    prepay_tariff_interval_t *iv = malloc(cap * sizeof *iv);
    long long s, e, w;
    while (iv && fscanf(f, "%lld,%lld,%lld", &s, &e, &w) == 3) {
        if (n == cap) {
            cap *= 2;
            iv = realloc(iv, cap * sizeof *iv);
            if (!iv) {
                break;
            }
        }
        iv[n].start = s;
        iv[n].end = e;
        iv[n].energy = w;
        n++;
    }
    fclose(f);
    if (!iv) {
        return 1;
    }
    prepay_tariff_plan_t plan;
    prepay_tariff_bill_t bill;
    size_t line_cap = 8192;
    prepay_tariff_line_t *lines = malloc(line_cap * sizeof *lines);
    if (!lines || prepay_tariff_doc_plan(&doc, &plan) != PREPAY_OK ||
        prepay_tariff_bill_init(&bill, &doc.sets[0], lines, line_cap) != PREPAY_OK) {
        return 1;
    }
    rc = prepay_tariff_eval_batch(&plan, &doc.account, NULL, iv, n, &bill);
    if (rc != PREPAY_OK) {
        fprintf(stderr, "eval_batch: %s\n", prepay_strerror(rc));
        return 1;
    }
    const char *repeat_text = getenv("BILL_C_REPEAT");
    long repeat = repeat_text ? strtol(repeat_text, NULL, 10) : 0;
    if (repeat > 0) {
        prepay_tariff_bill_t timed;
        prepay_tariff_line_t *scratch = malloc(line_cap * sizeof *scratch);
        struct timespec t0, t1;
        if (!scratch) {
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long r = 0; r < repeat; r++) {
            if (prepay_tariff_bill_init(&timed, &doc.sets[0], scratch, line_cap) != PREPAY_OK ||
                prepay_tariff_eval_batch(&plan, &doc.account, NULL, iv, n, &timed) != PREPAY_OK) {
                return 1;
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        free(scratch);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(stderr, "c_batch_intervals_per_s %.0f\n", (double)n * (double)repeat / s);
    }
    char a[64];
    amount(a, sizeof a, bill.exact_total);
    printf("total|%" PRId64 "|%s|%" PRId64 "\n", bill.total, a, bill.energy_total);
    for (size_t i = 0; i < bill.line_count; i++) {
        const prepay_tariff_line_t *l = &bill.lines[i];
        prepay_time_t start;
        char cycle[PREPAY_TIME_TEXT_MAX] = "?";
        if (prepay_tariff_cycle_bounds(&doc.sets[0], l->cycle, &start, NULL) == PREPAY_OK) {
            prepay_time_format(start, PREPAY_TIME_TEXT_DATE, cycle, sizeof cycle);
        }
        amount(a, sizeof a, l->amount);
        printf("line|%s|%s|%c|%u|%u|%" PRId64 "|%" PRId64 "|%s|%" PRId64 "\n",
               l->kind == PREPAY_LINE_FIXED ? "fixed" : "energy", cycle, l->price_set ? 'B' : 'A', l->band, l->tier,
               l->quantity, l->price, a, l->money);
    }
    free(lines);
    free(iv);
    return 0;
}
