/* SPDX-License-Identifier: MIT */
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
 * Input (options, files) is read and checked before anything is written;
 * a failure leaves no chart file behind. Conventions: docs/cli.md.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_file.h"
#include "cli_options.h"
#include "cli_text.h"
#include "commands.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/report.h"
#include "prepay/report_output.h"
#include "prepay/status.h"
#include "prepay/tariff_json.h"
#include "report_readings.h"

/* Largest tariff file read. */
#define TARIFF_FILE_MAX (64u * 1024u * 1024u)

typedef report_options_t options_t;

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
    char error[160]; /* what went wrong, when build() fails on a meter */
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
        status = prepay_report_series_init(&s, key);
        if (status == PREPAY_OK) {
            status = prepay_report_add(&b->report, &s, meter->rows, meter->count);
        }
        if (status != PREPAY_OK) {
            snprintf(b->error, sizeof b->error, "meter %s: %s", meter->name, prepay_strerror(status));
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

/* ---- one row of the table, as text (text and JSON output) ---------------------------------- */

/* Band slots in table order: sharp .. deep valley, then no band; and their keys. */
static const unsigned band_order[PREPAY_REPORT_BANDS] = {1, 2, 3, 4, 5, 0};
static const char *const band_key[PREPAY_REPORT_BANDS] = {"unbanded", "sharp", "peak", "flat", "valley", "deep_valley"};

typedef struct growth_text {
    bool has;
    char pct[CLI_TEXT_MAX]; /* percent, 4 decimals */
    const char *null_name;
} growth_text_t;

typedef struct row_text {
    char period[PREPAY_REPORT_LABEL_MAX];
    prepay_days_t first, last;
    int32_t days;
    bool partial;
    bool has_data;
    char energy[PREPAY_REPORT_BANDS + 1][CLI_TEXT_MAX]; /* [slot], [PREPAY_REPORT_BANDS]: all bands */
    char fee[PREPAY_REPORT_BANDS + 1][CLI_TEXT_MAX];
    growth_text_t yoy, mom;
} row_text_t;

static int fee_text(prepay_amount_t f, char out[CLI_TEXT_MAX])
{
    prepay_money_t m = 0;
    int status = prepay_amount_round(f, PREPAY_ROUND_HALF_UP, &m);
    cli_fixed_text(m, 2, out);
    return status;
}

static int growth(const prepay_report_t *r, uint32_t b, uint32_t k, prepay_report_compare_kind_t kind,
                  prepay_report_basis_t basis, growth_text_t *out)
{
    prepay_report_growth_t g;
    int status = prepay_report_compare(r, b, k, PREPAY_REPORT_ALL_BANDS, PREPAY_REPORT_ENERGY, kind, basis, &g);
    if (status != PREPAY_OK) {
        return status;
    }
    out->has = g.null_reason == PREPAY_REPORT_NOT_NULL;
    out->null_name = prepay_report_null_name(g.null_reason);
    cli_fixed_text(g.rate, 4, out->pct); /* millionths = percent with 4 decimals */
    return PREPAY_OK;
}

/* The texts of bucket b, key k. */
static int row_text(const prepay_report_t *r, uint32_t b, uint32_t k, bool with_growth, prepay_report_basis_t basis,
                    row_text_t *row)
{
    memset(row, 0, sizeof *row);
    int status = prepay_report_period_label(r, b, row->period, sizeof row->period);
    if (status < 0) {
        return status;
    }
    const prepay_report_bucket_t *bk = &r->buckets[b];
    row->first = bk->first_day > r->first_day ? bk->first_day : r->first_day;
    prepay_days_t end = bk->end_day < r->end_day ? bk->end_day : r->end_day;
    row->last = end - 1;
    row->days = end - row->first;
    row->partial = bk->partial;
    const prepay_report_cell_t *c = prepay_report_cell(r, b, k);
    row->has_data = prepay_report_cell_has_data(c);
    status = PREPAY_OK;
    if (row->has_data) {
        prepay_energy_t e = 0;
        prepay_amount_t f = {0, 0};
        status = prepay_report_cell_sum(c, PREPAY_REPORT_ALL_BANDS, &e, &f);
        cli_fixed_text(e, 3, row->energy[PREPAY_REPORT_BANDS]);
        if (status == PREPAY_OK) {
            status = fee_text(f, row->fee[PREPAY_REPORT_BANDS]);
        }
        for (unsigned s = 0; s < PREPAY_REPORT_BANDS && status == PREPAY_OK; s++) {
            cli_fixed_text(c->energy[s], 3, row->energy[s]);
            status = fee_text(c->fee[s], row->fee[s]);
        }
    }
    if (status == PREPAY_OK && with_growth) {
        status = growth(r, b, k, PREPAY_REPORT_YOY, basis, &row->yoy);
    }
    if (status == PREPAY_OK && with_growth) {
        status = growth(r, b, k, PREPAY_REPORT_MOM, basis, &row->mom);
    }
    return status;
}

/* ---- text output ------------------------------------------------------------------------ */

/* A growth as shown: "+25.00%", "(no_base)". */
static const char *growth_shown(const growth_text_t *g, char out[CLI_TEXT_MAX])
{
    if (!g->has) {
        snprintf(out, CLI_TEXT_MAX, "(%s)", g->null_name);
        return out;
    }
    int64_t ten_thousandths = 0, hundredths = 0;
    if (prepay_fixed_parse(g->pct, strlen(g->pct), 4, &ten_thousandths) != PREPAY_OK ||
        prepay_i64_div_round(ten_thousandths, 100, PREPAY_ROUND_HALF_UP, &hundredths) != PREPAY_OK) {
        return strcpy(out, "?");
    }
    char num[CLI_TEXT_MAX];
    snprintf(out, CLI_TEXT_MAX, "%s%.24s%%", hundredths > 0 ? "+" : "", cli_fixed_text(hundredths, 2, num));
    return out;
}

static int print_table(const prepay_report_t *r, const char *const *names, uint32_t b0, uint32_t b1, bool with_growth,
                       prepay_report_basis_t basis)
{
    printf("%-10s %-14s %12s %11s %11s %11s %11s %12s %10s %10s %10s %10s", "period", "key", "total kWh", "sharp",
           "peak", "flat", "valley", "fee", "sharp fee", "peak fee", "flat fee", "valley fee");
    printf(with_growth ? " %16s %16s\n" : "\n", "YoY", "MoM");
    for (uint32_t b = b0; b < b1; b++) {
        for (uint32_t k = 0; k < r->key_count; k++) {
            row_text_t row;
            int status = row_text(r, b, k, with_growth, basis, &row);
            if (status != PREPAY_OK) {
                return status;
            }
            const char *e[5], *f[5];
            for (unsigned i = 0; i < 5; i++) {
                unsigned slot = i == 0 ? PREPAY_REPORT_BANDS : i;
                e[i] = row.has_data ? row.energy[slot] : "-";
                f[i] = row.has_data ? row.fee[slot] : "-";
            }
            printf("%-10s %-14s %12s %11s %11s %11s %11s %12s %10s %10s %10s %10s", row.period, names[k], e[0], e[1],
                   e[2], e[3], e[4], f[0], f[1], f[2], f[3], f[4]);
            if (with_growth) {
                char yoy[CLI_TEXT_MAX], mom[CLI_TEXT_MAX];
                printf(" %16s %16s", growth_shown(&row.yoy, yoy), growth_shown(&row.mom, mom));
            }
            printf("\n");
        }
    }
    return PREPAY_OK;
}

/* ---- JSON output -------------------------------------------------------------------------- */

static json_t *decimal_or_null(bool present, const char *text)
{
    return present ? json_string(text) : json_null();
}

static json_t *row_json(const row_text_t *row, const char *key, bool with_growth)
{
    json_t *o = json_object();
    cli_set(o, "period", json_string(row->period));
    cli_set(o, "first_day", cli_json_date(row->first));
    cli_set(o, "last_day", cli_json_date(row->last));
    cli_set(o, "key", cli_json_text(key));
    cli_set(o, "energy", decimal_or_null(row->has_data, row->energy[PREPAY_REPORT_BANDS]));
    for (unsigned i = 0; i < PREPAY_REPORT_BANDS; i++) {
        cli_set(o, band_key[band_order[i]], decimal_or_null(row->has_data, row->energy[band_order[i]]));
    }
    cli_set(o, "fee", decimal_or_null(row->has_data, row->fee[PREPAY_REPORT_BANDS]));
    for (unsigned i = 0; i < PREPAY_REPORT_BANDS; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s_fee", band_key[band_order[i]]);
        cli_set(o, name, decimal_or_null(row->has_data, row->fee[band_order[i]]));
    }
    cli_set(o, "days", json_integer(row->days));
    cli_set(o, "partial", json_boolean(row->partial));
    if (with_growth) {
        cli_set(o, "yoy_pct", decimal_or_null(row->yoy.has, row->yoy.pct));
        cli_set(o, "yoy_null", json_string(row->yoy.null_name));
        cli_set(o, "mom_pct", decimal_or_null(row->mom.has, row->mom.pct));
        cli_set(o, "mom_null", json_string(row->mom.null_name));
    }
    return o;
}

static int print_json(const cli_t *cli, const prepay_report_t *r, const char *const *names, uint32_t b0, uint32_t b1,
                      bool with_growth, prepay_report_basis_t basis, const char *title)
{
    static const char *const period_names[] = {"", "day", "week", "month", "year"};
    json_t *o = cli_result();
    cli_set(o, "title", cli_json_text(title));
    cli_set(o, "period", json_string(period_names[r->period <= PREPAY_REPORT_YEAR ? r->period : 0]));
    cli_set(o, "unit", json_string("kWh"));
    json_t *rows = json_array();
    int status = PREPAY_OK;
    for (uint32_t b = b0; b < b1 && status == PREPAY_OK; b++) {
        for (uint32_t k = 0; k < r->key_count && status == PREPAY_OK; k++) {
            row_text_t row;
            status = row_text(r, b, k, with_growth, basis, &row);
            if (status == PREPAY_OK) {
                json_array_append_new(rows, row_json(&row, names[k], with_growth));
            }
        }
    }
    cli_set(o, "rows", rows);
    if (status != PREPAY_OK) {
        json_decref(o);
        return cli_fail(cli, status, "%s", prepay_strerror(status));
    }
    return cli_emit(cli, o);
}

/* ---- output -------------------------------------------------------------------------------- */

/* Writes the SVG through a temporary file renamed on success: no file is left by a failure. */
static int write_svg(const cli_t *cli, const char *path, const built_t *b, bool lines, const char *period_text)
{
    static const char *const word[] = {"", "Daily", "Weekly", "Monthly", "Yearly"};
    char title[160], err[CLI_MESSAGE_MAX];
    bool per_key = lines && b->keys <= 12u;
    if (per_key) {
        snprintf(title, sizeof title, "%s energy per key, %.64s", word[b->report.period], period_text);
    } else {
        snprintf(title, sizeof title, "%s energy by band, site total, %.64s", word[b->report.period], period_text);
    }
    cli_output_t out;
    if (cli_output_open(&out, path, err, sizeof err) != 0) {
        return cli_fail(cli, PREPAY_E_HOSTED_IO, "%s", err);
    }
    int status = per_key ? prepay_report_chart_keys(out.file, &b->report, b->names, title, "kWh")
                         : prepay_report_chart_bands(out.file, &b->table, b->table_keys - 1u, title, "kWh");
    if (status != PREPAY_OK) {
        cli_output_abort(&out);
        return cli_fail(cli, status, "%s: %s", path, prepay_strerror(status));
    }
    if (cli_output_commit(&out, err, sizeof err) != 0) {
        return cli_fail(cli, PREPAY_E_HOSTED_IO, "%s", err);
    }
    return CLI_EXIT_OK;
}

static int emit(const cli_t *cli, const options_t *o, built_t *b, uint32_t b0, uint32_t b1, bool with_growth,
                const char *title, const char *period_text)
{
    int status = PREPAY_OK;
    if (o->csv) {
        prepay_report_output_t out = {b->names, "kWh", with_growth, o->basis, b0, b1 - b0};
        status = prepay_report_write_csv(stdout, &b->table, &out);
    } else if (o->json) {
        int rc = print_json(cli, &b->table, b->names, b0, b1, with_growth, o->basis, title);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    } else {
        printf("%s\n", title);
        status = print_table(&b->table, b->names, b0, b1, with_growth, o->basis);
    }
    if (status != PREPAY_OK) {
        return cli_fail(cli, status, "%s", prepay_strerror(status));
    }
    return o->svg ? write_svg(cli, o->svg, b, o->lines_chart, period_text) : CLI_EXIT_OK;
}

/* ---- input --------------------------------------------------------------------------------- */

/* Reads the tariff (if any) and the readings; reports and returns the exit status. */
static int load(const cli_t *cli, const options_t *o, prepay_tariff_doc_t **doc, report_readings_t *rd)
{
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    *doc = NULL;
    if (o->tariff) {
        char *text = NULL;
        size_t len = 0;
        int status = PREPAY_OK;
        if (cli_read_input(o->tariff, TARIFF_FILE_MAX, &text, &len, &status, err, sizeof err) != 0) {
            return cli_bad_status(cli, status, "%s", err);
        }
        *doc = malloc(sizeof **doc);
        status = *doc ? prepay_tariff_doc_load_buffer(text, len, cli_input_name(o->tariff), *doc, err, sizeof err)
                      : PREPAY_E_HOSTED_NO_MEMORY;
        free(text);
        if (status != PREPAY_OK) {
            free(*doc);
            *doc = NULL;
            return cli_bad_status(cli, status, "%s", status == PREPAY_E_HOSTED_NO_MEMORY ? "out of memory" : err);
        }
    }
    int status = report_readings_load(o->readings, *doc, rd, err, sizeof err);
    if (status != PREPAY_OK) {
        free(*doc);
        *doc = NULL;
        return cli_bad_status(cli, status, "%s", err);
    }
    return CLI_EXIT_OK;
}

/* ---- the command line ------------------------------------------------------------------------- */

/* "YYYY-MM" (or YYYY/MM), through the library's date grammar. */
static int parse_month(const char *text, void *out, char *err, size_t err_cap)
{
    char date[16];
    prepay_days_t days = 0;
    int32_t year = 0;
    uint8_t month = 0, day = 0;
    if (strlen(text) != 7 || snprintf(date, sizeof date, "%s%c01", text, text[4]) != 10 ||
        prepay_time_parse_date(date, 10, &days) != PREPAY_OK ||
        prepay_time_date_from_days(days, &year, &month, &day) != PREPAY_OK || year < 2 || year > 9998) {
        snprintf(err, err_cap, "needs YYYY-MM (a month of the years 0002..9998), not '%.16s'", text);
        return -1;
    }
    memcpy(out, &days, sizeof days);
    return 0;
}

static const char *const period_names[] = {"day", "week", "month", "year", NULL};
static const int period_values[] = {PREPAY_REPORT_DAY, PREPAY_REPORT_WEEK, PREPAY_REPORT_MONTH, PREPAY_REPORT_YEAR};
static const char *const by_names[] = {"account", "meter", "site", NULL};
static const char *const basis_names[] = {"total", "per-day", NULL};
static const int basis_values[] = {PREPAY_REPORT_BASIS_TOTAL, PREPAY_REPORT_BASIS_PER_DAY};
static const char *const chart_names[] = {"bands", "lines", NULL};

static const cli_option_t report_options[] = {
    {"tariff", CLI_OPT_TEXT(options_t, tariff), .arg = "T.json", .help = "price the energy (fees) with this tariff"},
    {"month", CLI_OPT_CUSTOM(options_t, month, parse_month), CLI_GIVEN(options_t, has_month), .arg = "YYYY-MM",
     .help = "monthly: the month"},
    {"period", CLI_OPT_CHOICE(options_t, period, period_names), .values = period_values,
     .help = "energy: the buckets"},
    {"from", CLI_OPT_DATE(options_t, from), CLI_GIVEN(options_t, has_from), .arg = "YYYY-MM-DD",
     .help = "energy: the first day"},
    {"to", CLI_OPT_DATE(options_t, to), CLI_GIVEN(options_t, has_to), .arg = "YYYY-MM-DD",
     .help = "energy: the last day (inclusive)"},
    {"by", CLI_OPT_CHOICE(options_t, by, by_names), .help = "energy: one row per account (default), meter or the site"},
    {"growth", CLI_OPT_FLAG(options_t, growth), .help = "energy: add year-on-year and month-on-month growth"},
    {"basis", CLI_OPT_CHOICE(options_t, basis, basis_names), .values = basis_values,
     .help = "compare growth on totals (default) or per-day means"},
    {"csv", CLI_OPT_FLAG(options_t, csv), .help = "the table as CSV"},
    {"svg", CLI_OPT_TEXT(options_t, svg), .arg = "FILE", .help = "also write a chart (SVG) to FILE"},
    {"chart", CLI_OPT_CHOICE(options_t, lines_chart, chart_names),
     .help = "the chart: stacked bands of the site total (default) or a line per key"},
    {.name = NULL},
};

static const char report_notes[] =
    "Readings CSV header: meter,account,time,register or meter,account,start,end,energy (kWh), optionally\n"
    "band (sharp, peak, flat, valley, deep_valley); times 'YYYY-MM-DD hh:mm[:ss]' or YYYY/MM/DD; quoted\n"
    "fields and a UTF-8 byte order mark are accepted. READINGS.csv '-' reads the standard input.";

static const cli_spec_t monthly_spec = {
    .program = "prepay report monthly",
    .usage = "READINGS.csv --tariff T.json --month YYYY-MM [--csv|--json] [--svg FILE] [--basis total|per-day]",
    .summary = "The comprehensive monthly report: energy per account by band with fees, year-on-year and\n"
               "month-on-month growth, and the site total.",
    .options = report_options,
    .args = "READINGS.csv",
    .min_args = 1,
    .max_args = 1,
    .json = true,
    .notes = report_notes,
};

static const cli_spec_t energy_spec = {
    .program = "prepay report energy",
    .usage = "READINGS.csv [--tariff T.json] --period day|week|month|year --from DATE --to DATE\n"
             " [--by account|meter|site] [--growth] [--basis total|per-day] [--csv|--json] [--svg FILE]\n"
             " [--chart bands|lines]",
    .summary = "Day, week, month or year energy reports over [--from, --to], by account, meter or the site.",
    .options = report_options,
    .args = "READINGS.csv",
    .min_args = 1,
    .max_args = 1,
    .json = true,
    .notes = report_notes,
};

/* argv[0] is the subcommand: monthly or energy. */
int prepay_report_options_parse(int argc, char **argv, options_t *o, cli_args_t *args, char *err, size_t err_cap)
{
    memset(o, 0, sizeof *o);
    bool monthly = strcmp(argv[0], "monthly") == 0;
    const cli_spec_t *spec = monthly ? &monthly_spec : &energy_spec;
    int rc = cli_parse(spec, argc, argv, o, args, err, err_cap);
    if (rc != 0 || args->help || args->version) {
        return rc;
    }
    o->monthly = monthly;
    o->json = args->json;
    o->readings = args->args[0];
    if (o->csv && o->json) {
        snprintf(err, err_cap, "choose one of --csv and --json");
        return CLI_EXIT_USAGE;
    }
    if (o->svg && strcmp(o->svg, "-") == 0) {
        snprintf(err, err_cap, "--svg needs a file: the table goes to the standard output");
        return CLI_EXIT_USAGE;
    }
    if (o->tariff && o->readings && strcmp(o->tariff, "-") == 0 && strcmp(o->readings, "-") == 0) {
        snprintf(err, err_cap, "only one of T.json and READINGS.csv can be '-' (the standard input)");
        return CLI_EXIT_USAGE;
    }
    if (monthly) {
        const char *missing = !o->tariff ? "--tariff (fees)" : !o->has_month ? "--month YYYY-MM" : NULL;
        if (missing) {
            snprintf(err, err_cap, "monthly needs %s", missing);
            return CLI_EXIT_USAGE;
        }
        return cli_only(spec, args, "tariff month csv svg basis", "report monthly", err, err_cap);
    }
    if (o->period == 0 || !o->has_from || !o->has_to || o->to < o->from) {
        snprintf(err, err_cap, o->period == 0 ? "energy needs --period day|week|month|year"
                                              : "energy needs --from and --to (YYYY-MM-DD) with from <= to");
        return CLI_EXIT_USAGE;
    }
    return cli_only(spec, args, "tariff period from to by growth basis csv svg chart", "report energy", err, err_cap);
}

/* ---- the subcommands ----------------------------------------------------------------------------- */

/* The month, and the same month a year earlier (YoY), from the readings. */
static int run_monthly(const cli_t *cli, const options_t *o, const prepay_tariff_doc_t *doc, const report_readings_t *rd)
{
    int rc;
    /* 13 months: the same month a year earlier (YoY) up to the month */
    int32_t year = 0;
    uint8_t month = 0, day = 0;
    prepay_days_t first = 0, end = 0;
    int status = prepay_time_date_from_days(o->month, &year, &month, &day);
    if (status == PREPAY_OK) {
        status = prepay_time_days_from_date(year - 1, month, 1, &first);
    }
    if (status == PREPAY_OK) {
        status = prepay_time_days_from_date(month == 12 ? year + 1 : year, month == 12 ? 1u : month + 1u, 1, &end);
    }
    built_t b;
    memset(&b, 0, sizeof b);
    if (status == PREPAY_OK) {
        status = build(rd, PREPAY_REPORT_MONTH, first, end, 0, &b);
    }
    char month_text[CLI_TEXT_MAX], from_text[CLI_TEXT_MAX];
    cli_time_text((prepay_time_t)o->month * PREPAY_SECONDS_PER_DAY, PREPAY_TIME_TEXT_MONTH, month_text);
    cli_time_text((prepay_time_t)first * PREPAY_SECONDS_PER_DAY, PREPAY_TIME_TEXT_MONTH, from_text);
    if (status != PREPAY_OK) {
        rc = cli_bad_status(cli, status, "%s", b.error[0] ? b.error : prepay_strerror(status));
    } else if (!any_data(&b.report, b.report.bucket_count - 1u, b.report.bucket_count)) {
        rc = cli_fail(cli, PREPAY_E_NOT_FOUND, "no readings in %s", month_text);
    } else {
        char title[320], span[128];
        snprintf(title, sizeof title, "Comprehensive energy report %s (%.160s)", month_text, doc->name);
        snprintf(span, sizeof span, "%s to %s", from_text, month_text);
        rc = emit(cli, o, &b, b.report.bucket_count - 1u, b.report.bucket_count, true, title, span);
    }
    built_free(&b);
    return rc;
}

/* Day, week, month or year buckets over [--from, --to]. */
static int run_energy(const cli_t *cli, const options_t *o, const prepay_tariff_doc_t *doc, const report_readings_t *rd)
{
    int rc;
    built_t b;
    int status = build(rd, (prepay_report_period_t)o->period, o->from, o->to + 1, o->by, &b);
    char from_text[CLI_TEXT_MAX], to_text[CLI_TEXT_MAX];
    cli_date_text(o->from, from_text);
    cli_date_text(o->to, to_text);
    if (status != PREPAY_OK) {
        rc = cli_bad_status(cli, status, "%s", b.error[0] ? b.error : prepay_strerror(status));
    } else if (!any_data(&b.report, 0, b.report.bucket_count)) {
        rc = cli_fail(cli, PREPAY_E_NOT_FOUND, "no readings between %s and %s", from_text, to_text);
    } else {
        static const char *const period_word[] = {"", "Daily", "Weekly", "Monthly", "Yearly"};
        char title[320], span[128];
        snprintf(title, sizeof title, "%s energy %s to %s%s%.160s", period_word[o->period], from_text, to_text,
                 doc ? " - " : "", doc ? doc->name : "");
        snprintf(span, sizeof span, "%s to %s", from_text, to_text);
        rc = emit(cli, o, &b, 0, b.report.bucket_count, o->growth, title, span);
    }
    built_free(&b);
    return rc;
}

/* Input (the options, the tariff, the readings), then the report's run and output. */
static int report_command(int argc, char **argv, const cli_spec_t *spec,
                          int (*run)(const cli_t *, const options_t *, const prepay_tariff_doc_t *,
                                     const report_readings_t *))
{
    cli_t cli;
    cli_args_t args;
    options_t o;
    char err[CLI_MESSAGE_MAX];
    int rc = cli_begin(&cli, spec, &args, prepay_report_options_parse(argc, argv, &o, &args, err, sizeof err), err);
    prepay_tariff_doc_t *doc = NULL;
    report_readings_t rd;
    if (rc >= 0 || (rc = load(&cli, &o, &doc, &rd)) != CLI_EXIT_OK) {
        return rc;
    }
    rc = run(&cli, &o, doc, &rd);
    report_readings_free(&rd);
    free(doc);
    return rc;
}

static int cmd_monthly(int argc, char **argv)
{
    return report_command(argc, argv, &monthly_spec, run_monthly);
}

static int cmd_energy(int argc, char **argv)
{
    return report_command(argc, argv, &energy_spec, run_energy);
}

static const cli_command_t report_commands[] = {
    {"monthly", cmd_monthly, "the comprehensive monthly report by account, band, fee and growth"},
    {"energy", cmd_energy, "day / week / month / year energy reports"},
};

int prepay_tool_report(int argc, char **argv)
{
    return cli_dispatch("prepay report", report_commands, sizeof report_commands / sizeof report_commands[0], argc,
                        argv);
}
