/*
 * prepay report: energy reports from a readings CSV, priced by a tariff.
 *
 *   prepay report monthly READINGS.csv --tariff T.json --month YYYY-MM
 *                 [--csv | --json] [--svg FILE] [--basis total|per-day]
 *   prepay report energy READINGS.csv [--tariff T.json] --period day|week|month|year
 *                 --from YYYY-MM-DD --to YYYY-MM-DD [--by account|meter|site]
 *                 [--growth] [--basis total|per-day] [--csv | --json]
 *                 [--svg FILE] [--chart bands|lines]
 *
 * monthly: the seed's comprehensive monthly report (用电综合报表): energy
 * per account (shop) in the month, split into sharp/peak/flat/valley with
 * fees, year-on-year (同比) and month-on-month (环比) growth, and the site
 * total. energy: day/week/month/year energy reports (能耗日月年报表) over
 * [--from, --to] inclusive. Text by default; --csv and --json write the
 * table; --svg writes a chart (stacked bands of the site total, or one line
 * per key). No data is printed as "-" / empty / null, never as 0.
 * Bad input: one line on stderr, exit 2; no output file is left behind.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/report.h"
#include "prepay/report_output.h"
#include "prepay/status.h"
#include "prepay/tariff_json.h"
#include "report_readings.h"

#define EXIT_BAD_INPUT 2
#define EXIT_FAILED 1

static void usage(FILE *to)
{
    fprintf(to,
            "usage: prepay report monthly READINGS.csv --tariff T.json --month YYYY-MM [--csv|--json] [--svg FILE]\n"
            "                     [--basis total|per-day]\n"
            "       prepay report energy READINGS.csv [--tariff T.json] --period day|week|month|year\n"
            "                     --from YYYY-MM-DD --to YYYY-MM-DD [--by account|meter|site] [--growth]\n"
            "                     [--basis total|per-day] [--csv|--json] [--svg FILE] [--chart bands|lines]\n"
            "Readings CSV header: meter,account,time,register or meter,account,start,end,energy (kWh),\n"
            "optionally band (sharp, peak, flat, valley, deep_valley).\n");
}

typedef struct options {
    const char *command;
    const char *readings;
    const char *tariff;
    const char *month;
    const char *from;
    const char *to;
    const char *svg;
    prepay_report_period_t period;
    int by; /* 0 account, 1 meter, 2 site */
    bool growth;
    bool csv, json;
    bool lines_chart;
    prepay_report_basis_t basis;
} options_t;

static int bad(const char *msg, const char *arg)
{
    fprintf(stderr, "prepay report: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return EXIT_BAD_INPUT;
}

static int parse_options(int argc, char **argv, options_t *o)
{
    memset(o, 0, sizeof *o);
    if (argc < 3) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    o->command = argv[1];
    o->readings = argv[2];
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(a, "--tariff") == 0) {
            o->tariff = v;
        } else if (strcmp(a, "--month") == 0) {
            o->month = v;
        } else if (strcmp(a, "--from") == 0) {
            o->from = v;
        } else if (strcmp(a, "--to") == 0) {
            o->to = v;
        } else if (strcmp(a, "--svg") == 0) {
            o->svg = v;
        } else if (strcmp(a, "--period") == 0) {
            if (!v) {
                break;
            }
            if (strcmp(v, "day") == 0) o->period = PREPAY_REPORT_DAY;
            else if (strcmp(v, "week") == 0) o->period = PREPAY_REPORT_WEEK;
            else if (strcmp(v, "month") == 0) o->period = PREPAY_REPORT_MONTH;
            else if (strcmp(v, "year") == 0) o->period = PREPAY_REPORT_YEAR;
            else return bad("unknown period (day, week, month, year)", v);
        } else if (strcmp(a, "--by") == 0) {
            if (!v) {
                break;
            }
            if (strcmp(v, "account") == 0) o->by = 0;
            else if (strcmp(v, "meter") == 0) o->by = 1;
            else if (strcmp(v, "site") == 0) o->by = 2;
            else return bad("unknown --by (account, meter, site)", v);
        } else if (strcmp(a, "--basis") == 0) {
            if (!v) {
                break;
            }
            if (strcmp(v, "total") == 0) o->basis = PREPAY_REPORT_BASIS_TOTAL;
            else if (strcmp(v, "per-day") == 0) o->basis = PREPAY_REPORT_BASIS_PER_DAY;
            else return bad("unknown --basis (total, per-day)", v);
        } else if (strcmp(a, "--chart") == 0) {
            if (!v) {
                break;
            }
            if (strcmp(v, "bands") == 0) o->lines_chart = false;
            else if (strcmp(v, "lines") == 0) o->lines_chart = true;
            else return bad("unknown --chart (bands, lines)", v);
        } else {
            takes = false;
            if (strcmp(a, "--growth") == 0) o->growth = true;
            else if (strcmp(a, "--csv") == 0) o->csv = true;
            else if (strcmp(a, "--json") == 0) o->json = true;
            else return bad("unknown option", a);
        }
        if (takes) {
            if (!v) {
                return bad("option needs a value", a);
            }
            i++;
        }
    }
    if (o->csv && o->json) {
        return bad("choose one of --csv and --json", NULL);
    }
    return 0;
}

static int parse_day(const char *text, prepay_days_t *out)
{
    prepay_time_t t = 0;
    if (text == NULL || strlen(text) != 10 || readings_parse_time(text, &t) != PREPAY_OK) {
        return -1;
    }
    *out = prepay_time_day_of(t);
    return 0;
}

/* ---- building the report ------------------------------------------------------------- */

/* The report of the keys (accounts, meters or the site), and the same with
 * a site-total key appended when there is more than one key ("table"). */
typedef struct built {
    prepay_report_t report;
    prepay_report_bucket_t *buckets;
    prepay_report_cell_t *cells;
    prepay_report_t table;
    prepay_report_bucket_t *table_buckets;
    prepay_report_cell_t *table_cells;
    const char **names;
    uint32_t keys;
    uint32_t table_keys;
} built_t;

static void built_free(built_t *b)
{
    free(b->buckets);
    free(b->cells);
    free(b->table_buckets);
    free(b->table_cells);
    free(b->names);
}

static int init_report(prepay_report_t *r, prepay_report_bucket_t **bk, prepay_report_cell_t **cells,
                       prepay_report_period_t period, prepay_days_t first, prepay_days_t end, uint32_t keys)
{
    uint32_t n = 0;
    int status = prepay_report_bucket_count(period, first, end, &n);
    if (status != PREPAY_OK) {
        return status;
    }
    *bk = calloc(n, sizeof **bk);
    *cells = calloc((size_t)n * keys, sizeof **cells);
    if (!*bk || !*cells) {
        return PREPAY_E_HOSTED_NO_MEMORY;
    }
    return prepay_report_init(r, period, first, end, keys, *bk, n, *cells, (size_t)n * keys);
}

static int build(const report_readings_t *rd, prepay_report_period_t period, prepay_days_t first, prepay_days_t end, int by,
                 built_t *b)
{
    memset(b, 0, sizeof *b);
    b->keys = by == 0 ? (uint32_t)rd->account_count : by == 1 ? (uint32_t)rd->meter_count : 1u;
    b->table_keys = b->keys > 1u ? b->keys + 1u : 1u;
    b->names = calloc(b->table_keys, sizeof *b->names);
    uint32_t *groups = calloc(b->keys, sizeof *groups);
    if (!b->names || !groups) {
        free(groups);
        return PREPAY_E_HOSTED_NO_MEMORY;
    }
    for (uint32_t k = 0; k < b->keys; k++) {
        b->names[k] = by == 0 ? rd->accounts[k] : by == 1 ? rd->meters[k].name : "SITE TOTAL";
    }
    if (b->keys > 1u) {
        b->names[b->keys] = "SITE TOTAL";
    }
    int status = init_report(&b->report, &b->buckets, &b->cells, period, first, end, b->keys);
    if (status == PREPAY_OK) {
        status = init_report(&b->table, &b->table_buckets, &b->table_cells, period, first, end, b->table_keys);
    }
    for (size_t m = 0; m < rd->meter_count && status == PREPAY_OK; m++) {
        const readings_meter_t *meter = &rd->meters[m];
        uint32_t key = by == 0 ? (uint32_t)meter->account : by == 1 ? (uint32_t)m : 0u;
        prepay_report_series_t s;
        prepay_report_series_init(&s, key);
        status = prepay_report_add(&b->report, &s, meter->rows, meter->count);
        if (status != PREPAY_OK) {
            fprintf(stderr, "prepay report: meter %s: %s\n", meter->name, prepay_strerror(status));
            free(groups);
            return status;
        }
    }
    /* the table: every key as itself, then every key again into the site total */
    for (uint32_t k = 0; k < b->keys; k++) {
        groups[k] = k;
    }
    if (status == PREPAY_OK) {
        status = prepay_report_roll_up(&b->report, groups, &b->table);
    }
    if (status == PREPAY_OK && b->keys > 1u) {
        for (uint32_t k = 0; k < b->keys; k++) {
            groups[k] = b->keys;
        }
        status = prepay_report_roll_up(&b->report, groups, &b->table);
    }
    free(groups);
    return status;
}

/* Whether any cell of buckets [b0, b1) has data. */
static bool any_data(const prepay_report_t *r, uint32_t b0, uint32_t b1)
{
    for (uint32_t b = b0; b < b1; b++) {
        for (uint32_t k = 0; k < r->key_count; k++) {
            if (prepay_report_cell_has_data(prepay_report_cell(r, b, k))) {
                return true;
            }
        }
    }
    return false;
}

/* ---- text output ------------------------------------------------------------------------ */

static void text_energy(const prepay_report_cell_t *c, unsigned band, char *out)
{
    prepay_energy_t e = 0;
    if (!prepay_report_cell_has_data(c) || prepay_report_cell_sum(c, band, &e, NULL) != PREPAY_OK ||
        prepay_fixed_format(e, 3, out, 32) < 0) {
        strcpy(out, "-");
    }
}

static void text_fee(const prepay_report_cell_t *c, unsigned band, char *out)
{
    prepay_amount_t f;
    prepay_money_t m = 0;
    if (!prepay_report_cell_has_data(c) || prepay_report_cell_sum(c, band, NULL, &f) != PREPAY_OK ||
        prepay_amount_round(f, PREPAY_ROUND_HALF_UP, &m) != PREPAY_OK || prepay_fixed_format(m, 2, out, 32) < 0) {
        strcpy(out, "-");
    }
}

static void text_growth(const prepay_report_t *r, uint32_t b, uint32_t k, prepay_report_compare_kind_t kind,
                        prepay_report_basis_t basis, char *out)
{
    prepay_report_growth_t g;
    if (prepay_report_compare(r, b, k, PREPAY_REPORT_ALL_BANDS, PREPAY_REPORT_ENERGY, kind, basis, &g) != PREPAY_OK) {
        strcpy(out, "?");
    } else if (g.null_reason != PREPAY_REPORT_NOT_NULL) {
        snprintf(out, 32, "(%s)", prepay_report_null_name(g.null_reason));
    } else {
        /* millionths = percent with 4 decimals; shown with 2, rounded half-up */
        int64_t hundredths = 0;
        prepay_i64_div_round(g.rate, 100, PREPAY_ROUND_HALF_UP, &hundredths);
        char num[24];
        if (prepay_fixed_format(hundredths, 2, num, sizeof num) < 0) {
            strcpy(out, "?");
            return;
        }
        snprintf(out, 32, "%s%.24s%%", hundredths > 0 ? "+" : "", num);
    }
}

static void print_table(const prepay_report_t *r, const char *const *names, uint32_t b0, uint32_t b1, bool growth,
                        prepay_report_basis_t basis)
{
    printf("%-10s %-14s %12s %11s %11s %11s %11s %12s %10s %10s %10s %10s", "period", "key", "total kWh", "sharp",
           "peak", "flat", "valley", "fee", "sharp fee", "peak fee", "flat fee", "valley fee");
    if (growth) {
        printf(" %16s %16s", "YoY", "MoM");
    }
    printf("\n");
    for (uint32_t b = b0; b < b1; b++) {
        char label[PREPAY_REPORT_LABEL_MAX];
        prepay_report_period_label(r, b, label, sizeof label);
        for (uint32_t k = 0; k < r->key_count; k++) {
            const prepay_report_cell_t *c = prepay_report_cell(r, b, k);
            char e[5][32], f[5][32];
            text_energy(c, PREPAY_REPORT_ALL_BANDS, e[0]);
            text_fee(c, PREPAY_REPORT_ALL_BANDS, f[0]);
            for (unsigned band = 1; band <= 4; band++) {
                text_energy(c, band, e[band]);
                text_fee(c, band, f[band]);
            }
            printf("%-10s %-14s %12s %11s %11s %11s %11s %12s %10s %10s %10s %10s", label, names[k], e[0], e[1], e[2],
                   e[3], e[4], f[0], f[1], f[2], f[3], f[4]);
            if (growth) {
                char yoy[32], mom[32];
                text_growth(r, b, k, PREPAY_REPORT_YOY, basis, yoy);
                text_growth(r, b, k, PREPAY_REPORT_MOM, basis, mom);
                printf(" %16s %16s", yoy, mom);
            }
            printf("\n");
        }
    }
}

/* Writes the SVG to a temporary file renamed on success: no file is left by a failure. */
static int write_svg(const char *path, const built_t *b, bool lines, const char *period_text)
{
    static const char *const word[] = {"", "Daily", "Weekly", "Monthly", "Yearly"};
    char title[160];
    if (lines && b->keys <= 12u) {
        snprintf(title, sizeof title, "%s energy per key, %.64s", word[b->report.period], period_text);
    } else {
        snprintf(title, sizeof title, "%s energy by band, site total, %.64s", word[b->report.period], period_text);
    }
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        return EXIT_FAILED;
    }
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "prepay report: %s: %s\n", path, strerror(errno));
        free(tmp);
        return EXIT_FAILED;
    }
    int status = lines && b->keys <= 12u
                     ? prepay_report_chart_keys(f, &b->report, b->names, title, "kWh")
                     : prepay_report_chart_bands(f, &b->table, b->table_keys - 1u, title, "kWh");
    if (fclose(f) != 0 && status == PREPAY_OK) {
        status = PREPAY_E_HOSTED_IO;
    }
    if (status == PREPAY_OK && rename(tmp, path) != 0) {
        status = PREPAY_E_HOSTED_IO;
    }
    if (status != PREPAY_OK) {
        remove(tmp);
        fprintf(stderr, "prepay report: %s: %s\n", path, prepay_strerror(status));
    }
    free(tmp);
    return status == PREPAY_OK ? 0 : EXIT_FAILED;
}

static int emit(const options_t *o, built_t *b, uint32_t b0, uint32_t b1, bool growth, const char *title,
                const char *period_text)
{
    prepay_report_output_t out = {b->names, "kWh", growth, o->basis, b0, b1 - b0};
    int status = PREPAY_OK;
    if (o->csv) {
        status = prepay_report_write_csv(stdout, &b->table, &out);
    } else if (o->json) {
        status = prepay_report_write_json(stdout, &b->table, &out);
    } else {
        printf("%s\n", title);
        print_table(&b->table, b->names, b0, b1, growth, o->basis);
    }
    if (status != PREPAY_OK) {
        fprintf(stderr, "prepay report: %s\n", prepay_strerror(status));
        return EXIT_FAILED;
    }
    return o->svg ? write_svg(o->svg, b, o->lines_chart, period_text) : 0;
}

static int load(const options_t *o, prepay_tariff_doc_t **doc, report_readings_t *rd)
{
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    *doc = NULL;
    if (o->tariff) {
        *doc = malloc(sizeof **doc);
        if (!*doc) {
            return EXIT_FAILED;
        }
        if (prepay_tariff_doc_load_file(o->tariff, *doc, err, sizeof err) != PREPAY_OK) {
            fprintf(stderr, "prepay report: %s\n", err);
            free(*doc);
            *doc = NULL;
            return EXIT_BAD_INPUT;
        }
    }
    if (report_readings_load(o->readings, *doc, rd, err, sizeof err) != PREPAY_OK) {
        fprintf(stderr, "prepay report: %s\n", err);
        free(*doc);
        *doc = NULL;
        return EXIT_BAD_INPUT;
    }
    return 0;
}

static int cmd_monthly(const options_t *o)
{
    int year = 0, month = 0, used = 0;
    if (!o->tariff) {
        return bad("monthly needs --tariff (fees)", NULL);
    }
    if (!o->month || sscanf(o->month, "%4d-%2d%n", &year, &month, &used) != 2 || used != 7 || month < 1 ||
        month > 12 || year < 2 || year > 9998) {
        return bad("--month needs YYYY-MM", o->month);
    }
    prepay_tariff_doc_t *doc = NULL;
    report_readings_t rd;
    int rc = load(o, &doc, &rd);
    if (rc) {
        return rc;
    }
    /* 13 months: the same month a year earlier (YoY) up to the month */
    prepay_days_t first = 0, end = 0;
    prepay_time_days_from_date(year - 1, (unsigned)month, 1, &first);
    prepay_time_days_from_date(month == 12 ? year + 1 : year, month == 12 ? 1u : (unsigned)month + 1u, 1, &end);
    built_t b;
    int status = build(&rd, PREPAY_REPORT_MONTH, first, end, 0, &b);
    if (status == PREPAY_OK && !any_data(&b.report, b.report.bucket_count - 1u, b.report.bucket_count)) {
        fprintf(stderr, "prepay report: no readings in %s\n", o->month);
        rc = EXIT_FAILED;
    } else if (status != PREPAY_OK) {
        rc = EXIT_BAD_INPUT;
    } else {
        char title[256];
        snprintf(title, sizeof title, "Comprehensive energy report %.16s (%.160s)", o->month, doc->name);
        char span[64];
        snprintf(span, sizeof span, "%04d-%02d to %.16s", year - 1, month, o->month);
        rc = emit(o, &b, b.report.bucket_count - 1u, b.report.bucket_count, true, title, span);
    }
    built_free(&b);
    report_readings_free(&rd);
    free(doc);
    return rc;
}

static int cmd_energy(const options_t *o)
{
    prepay_days_t first = 0, last = 0;
    if (o->period == 0) {
        return bad("energy needs --period day|week|month|year", NULL);
    }
    if (parse_day(o->from, &first) != 0 || parse_day(o->to, &last) != 0 || last < first) {
        return bad("--from and --to need YYYY-MM-DD with from <= to", NULL);
    }
    prepay_tariff_doc_t *doc = NULL;
    report_readings_t rd;
    int rc = load(o, &doc, &rd);
    if (rc) {
        return rc;
    }
    built_t b;
    int status = build(&rd, o->period, first, last + 1, o->by, &b);
    if (status != PREPAY_OK) {
        rc = EXIT_BAD_INPUT;
    } else if (!any_data(&b.report, 0, b.report.bucket_count)) {
        fprintf(stderr, "prepay report: no readings between %s and %s\n", o->from, o->to);
        rc = EXIT_FAILED;
    } else {
        static const char *const period_word[] = {"", "Daily", "Weekly", "Monthly", "Yearly"};
        char title[256];
        snprintf(title, sizeof title, "%s energy %.16s to %.16s%s%.160s", period_word[o->period], o->from, o->to,
                 doc ? " - " : "", doc ? doc->name : "");
        char span[64];
        snprintf(span, sizeof span, "%.16s to %.16s", o->from, o->to);
        rc = emit(o, &b, 0, b.report.bucket_count, o->growth, title, span);
    }
    built_free(&b);
    report_readings_free(&rd);
    free(doc);
    return rc;
}

int prepay_tool_report(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    options_t o;
    int rc = parse_options(argc, argv, &o);
    if (rc) {
        return rc;
    }
    if (strcmp(o.command, "monthly") == 0) {
        return cmd_monthly(&o);
    }
    if (strcmp(o.command, "energy") == 0) {
        return cmd_energy(&o);
    }
    usage(stderr);
    return EXIT_BAD_INPUT;
}
