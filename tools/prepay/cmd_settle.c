/* SPDX-License-Identifier: MIT */
/*
 * prepay settle SITE.json READINGS.csv --journal FILE [--events FILE] [--report FILE] [--close] [--json]
 *
 * Settles a site's meter readings through the settlement module
 * (prepay/settlement.h) into a journaled ledger: opening recharges, the
 * readings (priced, deducted, debt, alarms, relay decisions), optionally the
 * period close (common-area shares, postpaid statements); writes the events
 * (what would be notified) and a per-account report. Conventions:
 * docs/cli.md; the site file: docs/settlement.md, "The prepay settle command".
 *
 * Input stage: the site file, its tariffs and the readings are read and
 * checked, then the whole run is made once on a ledger in memory: a bad
 * input (unknown meter, a site that contradicts itself, a reading the
 * library refuses) exits 2 before any file is created. Re-running the same
 * inputs on the same journal finds every transfer (the settlement ids) and
 * gives the same books.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"
#include "cli_file.h"
#include "cli_options.h"
#include "cli_text.h"
#include "commands.h"
#include "ledger_session.h"
#include "settle_site.h"
#include "prepay/settlement_hosted.h"

#define READINGS_FILE_MAX (1024u * 1024u * 1024u)
#define SITE_FILE_MAX (256u * 1024u * 1024u)
/* Readings per settle call: one journal batch each (the session's staging buffer holds it). */
#define BATCH 64u


static const cli_option_t settle_options[] = {
    {"journal", CLI_OPT_TEXT(settle_options_t, journal), .arg = "FILE",
     .help = "the ledger's journal (created if missing; required)"},
    {"events", CLI_OPT_TEXT(settle_options_t, events), .arg = "FILE",
     .help = "write the events (what would be notified) as CSV"},
    {"report", CLI_OPT_TEXT(settle_options_t, report), .arg = "FILE", .help = "write the per-account report as CSV"},
    {"close", CLI_OPT_FLAG(settle_options_t, close), .help = "close the site's period after the readings"},
    {"wait", CLI_OPT_FLAG(settle_options_t, wait), .help = "wait for another writer of the journal"},
    {.name = NULL},
};

static const cli_spec_t settle_spec = {
    .program = "prepay settle",
    .usage = "SITE.json READINGS.csv --journal FILE [--events FILE] [--report FILE] [--close] [--wait] [--json]",
    .summary = "Settles meter readings of a site (accounts, meters, groups, tariffs, policies) into a journaled\n"
               "ledger: opening recharges, priced deductions, debt, alarms, relay decisions and, with --close,\n"
               "the period close (common-area shares, postpaid statements). Prints a report per account.",
    .options = settle_options,
    .args = "SITE.json READINGS.csv",
    .min_args = 2,
    .max_args = 2,
    .json = true,
    .notes = "READINGS.csv: meter,time,value_kwh (meter: its id or 12-digit address; time YYYY-MM-DD hh:mm;\n"
             "value: the register in kWh, up to 3 decimals). Give every reading of the period each run: the\n"
             "same inputs on the same journal give the same books (every transfer is found again).\n"
             "Exit 2: a bad site or reading (nothing written); 1: the journal or an output file failed.",
};

int prepay_settle_options_parse(int argc, char **argv, settle_options_t *o, cli_args_t *args, char *err,
                                size_t err_cap)
{
    memset(o, 0, sizeof *o);
    int rc = cli_parse(&settle_spec, argc, argv, o, args, err, err_cap);
    o->json = args->json;
    if (rc == 0 && !args->help && !args->version && !o->journal) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "--journal is required");
    }
    return rc;
}

/* One input reading and the CSV line it came from. */
typedef struct settle_input {
    prepay_settlement_reading_t reading;
    unsigned long line;
} settle_input_t;

typedef struct settle_run {
    const cli_t *cli;
    settle_options_t opt;
    const char *site_path, *readings_path;
    settle_doc_t doc;
    settle_input_t *inputs;
    prepay_settlement_reading_t *readings; /* sorted by time */
    unsigned long *lines;
    size_t count;
    /* one pass */
    prepay_settlement_memory_t memory;
    prepay_settlement_site_t site;
    prepay_settlement_work_t work, close_work;
    bool has_memory, has_work, has_close;
    prepay_settlement_event_t *events;
    size_t event_count, event_cap;
    bool event_overflow;
    prepay_settlement_result_t totals;
    char err[CLI_MESSAGE_MAX];
} settle_run_t;

static void keep_event(void *context, const prepay_settlement_event_t *event)
{
    settle_run_t *s = context;
    if (s->event_count == s->event_cap) {
        size_t cap = s->event_cap ? 2 * s->event_cap : 256;
        prepay_settlement_event_t *grown = realloc(s->events, cap * sizeof *grown);
        if (!grown) {
            s->event_overflow = true;
            return;
        }
        s->events = grown;
        s->event_cap = cap;
    }
    s->events[s->event_count++] = *event;
}

/* ---- input ------------------------------------------------------------------------------------ */

static int find_meter(const settle_doc_t *doc, const char *text, size_t len, uint32_t *id)
{
    prepay_dlt645_address_t address;
    if (len == 12 && prepay_dlt645_address_from_string(text, 12, &address) == PREPAY_OK) {
        for (size_t i = 0; i < doc->meter_count; i++) {
            if (doc->meter_has_address[i] && memcmp(&doc->meter_address[i], &address, sizeof address) == 0) {
                *id = doc->meters[i].id;
                return 0;
            }
        }
        return -1;
    }
    char *end;
    errno = 0;
    unsigned long v = len > 0 && len <= 10 && text[0] >= '0' && text[0] <= '9' ? strtoul(text, &end, 10) : 0;
    if (v == 0 || errno != 0 || *end != '\0' || v > PREPAY_SETTLEMENT_SUBJECT_MAX) {
        return -1;
    }
    for (size_t i = 0; i < doc->meter_count; i++) {
        if (doc->meters[i].id == v) {
            *id = (uint32_t)v;
            return 0;
        }
    }
    return -1;
}

static int compare_inputs(const void *x, const void *y)
{
    const settle_input_t *a = x, *b = y;
    if (a->reading.time != b->reading.time) {
        return a->reading.time < b->reading.time ? -1 : 1;
    }
    return a->line < b->line ? -1 : a->line > b->line;
}

static int read_readings(settle_run_t *s)
{
    char *text = NULL, err[CLI_MESSAGE_MAX];
    size_t len = 0;
    int status = PREPAY_OK;
    if (cli_read_input(s->readings_path, READINGS_FILE_MAX, &text, &len, &status, err, sizeof err) != 0) {
        return cli_bad_status(s->cli, status, "%s", err);
    }
    const char *origin = cli_input_name(s->readings_path);
    cli_csv_t csv;
    cli_csv_init(&csv, text, len, origin);
    size_t cap = 0;
    int rc = CLI_EXIT_OK, got;
    bool first = true;
    while (rc == CLI_EXIT_OK && (got = cli_csv_next(&csv, err, sizeof err)) != 0) {
        if (got < 0) {
            rc = cli_bad(s->cli, "%s", err);
            break;
        }
        if (first && csv.count >= 1 && strcmp(csv.fields[0], "meter") == 0) {
            first = false;
            continue; /* the header */
        }
        first = false;
        if (csv.count != 3) {
            rc = cli_bad(s->cli, "%s:%lu: expected 3 fields (meter,time,value_kwh), got %zu", origin, csv.record_line,
                         csv.count);
            break;
        }
        if (s->count == cap) {
            cap = cap ? 2 * cap : 256;
            settle_input_t *grown = realloc(s->inputs, cap * sizeof *grown);
            if (!grown) {
                rc = cli_fail(s->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
                break;
            }
            s->inputs = grown;
        }
        settle_input_t *in = &s->inputs[s->count];
        memset(in, 0, sizeof *in);
        in->line = csv.record_line;
        int64_t wh = 0;
        if (find_meter(&s->doc, csv.fields[0], csv.lengths[0], &in->reading.meter_id) != 0) {
            rc = cli_bad_status(s->cli, PREPAY_E_SETTLEMENT_UNKNOWN_METER, "%s:%lu: unknown meter \"%.40s\"", origin,
                                csv.record_line, csv.fields[0]);
        } else if (prepay_time_parse(csv.fields[1], csv.lengths[1], &in->reading.time) != PREPAY_OK) {
            rc = cli_bad(s->cli, "%s:%lu: \"%.40s\" is not a time (YYYY-MM-DD hh:mm)", origin, csv.record_line,
                         csv.fields[1]);
        } else if (prepay_fixed_parse(csv.fields[2], csv.lengths[2], 3, &wh) != PREPAY_OK || wh < 0) {
            rc = cli_bad(s->cli, "%s:%lu: \"%.40s\" is not a register value in kWh (up to 3 decimals)", origin,
                         csv.record_line, csv.fields[2]);
        }
        in->reading.value = wh;
        s->count++;
    }
    cli_csv_free(&csv);
    free(text);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    /* Every meter's readings in time order across the batches (docs/settlement.md: arrival order). */
    qsort(s->inputs, s->count, sizeof *s->inputs, compare_inputs);
    s->readings = malloc((s->count ? s->count : 1) * sizeof *s->readings);
    s->lines = malloc((s->count ? s->count : 1) * sizeof *s->lines);
    if (!s->readings || !s->lines) {
        return cli_fail(s->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < s->count; i++) {
        s->readings[i] = s->inputs[i].reading;
        s->lines[i] = s->inputs[i].line;
    }
    return CLI_EXIT_OK;
}

/* ---- one pass over some books ---------------------------------------------------------------- */

static void pass_free(settle_run_t *s)
{
    if (s->has_memory) {
        prepay_settlement_memory_free(&s->memory);
    }
    if (s->has_work) {
        prepay_settlement_work_free(&s->work);
    }
    if (s->has_close) {
        prepay_settlement_work_free(&s->close_work);
    }
    s->has_memory = s->has_work = s->has_close = false;
    s->event_count = 0;
    s->event_overflow = false;
    memset(&s->totals, 0, sizeof s->totals);
}

static void add_totals(prepay_settlement_result_t *t, const prepay_settlement_result_t *r)
{
    t->count += r->count;
    t->settled += r->settled;
    t->primed += r->primed;
    t->ignored += r->ignored;
    t->anomalies += r->anomalies;
    t->transfers += r->transfers;
    t->existed += r->existed;
    t->events += r->events;
    t->posted += r->posted;
}

/* Runs the inputs over books. Returns PREPAY_OK, or a status with the message in s->err naming the item. */
static int pass(settle_run_t *s, const prepay_settlement_books_t *books)
{
    const char *site_name = cli_input_name(s->site_path);
    int status = settle_site_build(&s->doc, site_name, &s->memory, &s->site, s->err, sizeof s->err);
    if (status != PREPAY_OK) {
        return status;
    }
    s->has_memory = true;
    prepay_settlement_result_t res;
    memset(&res, 0, sizeof res);
    prepay_settlement_work_sizes_t ws;
    status = prepay_settlement_open(&s->site, books, &res);
    status = status ? status : prepay_settlement_work_sizes_default(&s->site, BATCH, &ws);
    if (status == PREPAY_OK && (status = prepay_settlement_work_alloc(&s->work, &ws)) == PREPAY_OK) {
        s->has_work = true;
    }
    status = status ? status : prepay_settlement_work_sizes_default(&s->site, 0, &ws);
    if (status == PREPAY_OK && (status = prepay_settlement_work_alloc(&s->close_work, &ws)) == PREPAY_OK) {
        s->has_close = true;
    }
    if (status != PREPAY_OK) {
        snprintf(s->err, sizeof s->err, "opening the books: %s", prepay_strerror(status));
        return status;
    }
    s->work.sink = (prepay_settlement_sink_t){keep_event, NULL, s};
    s->close_work.sink = s->work.sink;
    for (size_t i = 0; i < s->doc.account_count; i++) {
        const settle_account_spec_t *a = &s->doc.accounts[i];
        if (a->recharge <= 0) {
            continue;
        }
        prepay_settlement_recharge_t rc = {a->id, 1, a->recharge, 0, 0, settle_site_start(&s->doc)};
        status = prepay_settlement_recharge(&s->site, books, &s->work, &rc, NULL, &res);
        if (status < 0) {
            snprintf(s->err, sizeof s->err, "%s: $.accounts[%zu]: account %u: opening recharge: %s%s%s", site_name, i,
                     a->id, prepay_strerror(status), res.error_detail ? ": " : "",
                     res.error_detail ? prepay_strerror(res.error_detail) : "");
            return status;
        }
        add_totals(&s->totals, &res);
    }
    for (size_t at = 0; at < s->count; at += BATCH) {
        size_t n = s->count - at < BATCH ? s->count - at : BATCH;
        status = prepay_settlement_settle(&s->site, books, &s->work, s->readings + at, n, &res);
        if (status < 0) {
            if (res.error_index < n) {
                snprintf(s->err, sizeof s->err, "%s:%lu: meter %u: %s%s%s", cli_input_name(s->readings_path),
                         s->lines[at + res.error_index], res.error_id, prepay_strerror(status),
                         res.error_detail ? ": " : "", res.error_detail ? prepay_strerror(res.error_detail) : "");
            } else {
                snprintf(s->err, sizeof s->err, "%s: readings: %s", cli_input_name(s->readings_path),
                         prepay_strerror(status));
            }
            return status;
        }
        add_totals(&s->totals, &res);
    }
    if (s->opt.close) {
        prepay_time_t end = settle_site_end(&s->doc);
        prepay_time_t next = end + (end - settle_site_start(&s->doc));
        status = prepay_settlement_close_period(&s->site, books, &s->close_work, next, &res);
        if (status < 0) {
            snprintf(s->err, sizeof s->err, "%s: closing the period (id %u): %s%s%s", site_name, res.error_id,
                     prepay_strerror(status), res.error_detail ? ": " : "",
                     res.error_detail ? prepay_strerror(res.error_detail) : "");
            return status;
        }
        add_totals(&s->totals, &res);
    }
    if (s->event_overflow) {
        snprintf(s->err, sizeof s->err, "out of memory for the events");
        return PREPAY_E_HOSTED_NO_MEMORY;
    }
    status = prepay_settlement_verify(&s->site, books->ledger, &res);
    if (status != PREPAY_OK) {
        /* The site is rebuilt from this run's inputs: a journal that saw more (more readings, a --close)
         * holds transfers this run does not make. */
        snprintf(s->err, sizeof s->err,
                 "account %u: the journal's books differ from this run's (%s): an earlier run on this journal had "
                 "inputs this one lacks; give every reading of the period (and --close if it was given)",
                 res.error_id, prepay_strerror(status));
    }
    return status;
}

/* ---- output --------------------------------------------------------------------------------- */

static const char *kind_name(uint8_t kind)
{
    return kind == PREPAY_SETTLEMENT_PREPAID_LOCAL ? "local" : kind == PREPAY_SETTLEMENT_POSTPAID ? "postpaid" : "remote";
}

static prepay_energy_t account_energy(const settle_run_t *s, uint32_t account_id)
{
    prepay_energy_t wh = 0;
    uint32_t cursor = 0;
    const prepay_settlement_meter_t *m;
    while ((m = prepay_settlement_next_meter(&s->site, account_id, &cursor)) != NULL) {
        wh += m->total;
    }
    return wh;
}

static int write_events(settle_run_t *s, cli_output_t *out)
{
    FILE *f = out->file;
    fprintf(f, "time,account,meter,event,level,amount_yuan,balance_yuan,energy_wh,command,id\n");
    for (size_t i = 0; i < s->event_count; i++) {
        const prepay_settlement_event_t *e = &s->events[i];
        char when[CLI_TEXT_MAX], amount[CLI_TEXT_MAX], balance[CLI_TEXT_MAX];
        fprintf(f, "%s,%u,%u,%s,%u,%s,%s,%lld,%u,%016" PRIx64 "%016" PRIx64 "\n",
                cli_time_text(e->time, PREPAY_TIME_TEXT_MINUTE, when), e->account_id, e->meter_id,
                prepay_settlement_event_name(e->type), e->level, cli_fixed_text(e->amount, 2, amount),
                cli_fixed_text(e->balance, 2, balance), (long long)e->energy, e->command, e->id.hi, e->id.lo);
    }
    return ferror(f) ? -1 : 0;
}

static int write_report(settle_run_t *s, cli_output_t *out)
{
    FILE *f = out->file;
    fprintf(f, "account,kind,energy_kwh,energy_yuan,common_area_yuan,items_yuan,recharged_yuan,balance_yuan,debt_yuan,"
               "alarm_level,relay\n");
    for (size_t i = 0; i < s->doc.account_count; i++) {
        const prepay_settlement_account_t *a = prepay_settlement_account(&s->site, s->doc.accounts[i].id);
        char e[CLI_TEXT_MAX], en[CLI_TEXT_MAX], sh[CLI_TEXT_MAX], it[CLI_TEXT_MAX], rc[CLI_TEXT_MAX], b[CLI_TEXT_MAX],
            d[CLI_TEXT_MAX];
        fprintf(f, "%u,%s,%s,%s,%s,%s,%s,%s,%s,%u,%s\n", a->config.id, kind_name(a->config.kind),
                cli_fixed_text(account_energy(s, a->config.id), 3, e), cli_fixed_text(a->books.energy, 2, en),
                cli_fixed_text(a->books.shares, 2, sh), cli_fixed_text(a->books.items, 2, it),
                cli_fixed_text(a->books.recharged, 2, rc), cli_fixed_text(a->books.balance, 2, b),
                cli_fixed_text(a->books.debt, 2, d), a->wallet.level,
                a->relay == PREPAY_WALLET_RELAY_OPEN ? "open" : "closed");
    }
    return ferror(f) ? -1 : 0;
}

static int write_file(settle_run_t *s, const char *path, int (*fn)(settle_run_t *, cli_output_t *))
{
    char err[CLI_MESSAGE_MAX];
    cli_output_t out;
    if (cli_output_open(&out, path, err, sizeof err) != 0) {
        return cli_fail(s->cli, PREPAY_E_HOSTED_IO, "%s", err);
    }
    if (fn(s, &out) != 0) {
        cli_output_abort(&out);
        return cli_fail(s->cli, PREPAY_E_HOSTED_IO, "%s: cannot write", path);
    }
    return cli_output_commit(&out, err, sizeof err) == 0 ? CLI_EXIT_OK : cli_fail(s->cli, PREPAY_E_HOSTED_IO, "%s", err);
}

static int print_result(settle_run_t *s)
{
    const prepay_settlement_result_t *t = &s->totals;
    if (!s->opt.json) {
        printf("%s: %zu readings (%u settled, %u first, %u ignored, %u anomalies); %u transfers posted, %u found "
               "already; %zu events\n",
               s->doc.name ? s->doc.name : cli_input_name(s->site_path), s->count, t->settled, t->primed, t->ignored,
               t->anomalies, t->transfers, t->existed, s->event_count);
        printf("%-8s %-8s %11s %12s %12s %11s %13s %10s %5s %6s\n", "account", "kind", "energy(kWh)", "energy(yuan)",
               "common(yuan)", "items(yuan)", "balance(yuan)", "debt(yuan)", "alarm", "relay");
    }
    json_t *o = cli_result(), *accounts = json_array();
    for (size_t i = 0; i < s->doc.account_count; i++) {
        const prepay_settlement_account_t *a = prepay_settlement_account(&s->site, s->doc.accounts[i].id);
        char e[CLI_TEXT_MAX], en[CLI_TEXT_MAX], sh[CLI_TEXT_MAX], it[CLI_TEXT_MAX], b[CLI_TEXT_MAX], d[CLI_TEXT_MAX];
        const char *relay = a->relay == PREPAY_WALLET_RELAY_OPEN ? "open" : "closed";
        cli_fixed_text(account_energy(s, a->config.id), 3, e);
        cli_fixed_text(a->books.energy, 2, en);
        cli_fixed_text(a->books.shares, 2, sh);
        cli_fixed_text(a->books.items, 2, it);
        cli_fixed_text(a->books.balance, 2, b);
        cli_fixed_text(a->books.debt, 2, d);
        if (!s->opt.json) {
            printf("%-8u %-8s %11s %12s %12s %11s %13s %10s %5u %6s\n", a->config.id, kind_name(a->config.kind), e, en,
                   sh, it, b, d, a->wallet.level, relay);
        }
        json_t *x = json_object();
        cli_set(x, "account", json_integer(a->config.id));
        cli_set(x, "kind", json_string(kind_name(a->config.kind)));
        cli_set(x, "energy_kwh", json_string(e));
        cli_set(x, "energy", json_string(en));
        cli_set(x, "common_area", json_string(sh));
        cli_set(x, "items", json_string(it));
        cli_set(x, "recharged", cli_json_fixed(a->books.recharged, 2));
        cli_set(x, "balance", json_string(b));
        cli_set(x, "debt", json_string(d));
        cli_set(x, "alarm_level", json_integer(a->wallet.level));
        cli_set(x, "relay", json_string(relay));
        json_array_append_new(accounts, x);
    }
    if (!s->opt.json) {
        json_decref(accounts);
        json_decref(o);
        return CLI_EXIT_OK;
    }
    cli_set(o, "readings", json_integer((json_int_t)s->count));
    cli_set(o, "settled", json_integer(t->settled));
    cli_set(o, "transfers", json_integer(t->transfers));
    cli_set(o, "existed", json_integer(t->existed));
    cli_set(o, "events", json_integer((json_int_t)s->event_count));
    cli_set(o, "accounts", accounts);
    return cli_emit(s->cli, o);
}

/* ---- the command --------------------------------------------------------------------------- */

static int load_inputs(settle_run_t *s)
{
    char *text = NULL, err[CLI_MESSAGE_MAX];
    size_t len = 0;
    int status = PREPAY_OK;
    if (cli_read_input(s->site_path, SITE_FILE_MAX, &text, &len, &status, err, sizeof err) != 0) {
        return cli_bad_status(s->cli, status, "%s", err);
    }
    status = settle_site_parse(text, len, cli_input_name(s->site_path), &s->doc, err, sizeof err);
    free(text);
    if (status == PREPAY_OK) {
        status = settle_site_tariffs(&s->doc, s->site_path, err, sizeof err);
    }
    if (status != PREPAY_OK) {
        return cli_bad_status(s->cli, status, "%s", err);
    }
    return read_readings(s);
}

/* The whole run on a ledger in memory: any refusal is a bad input, found before a file is touched. */
static int dry_run(settle_run_t *s)
{
    uint32_t accounts = (uint32_t)(3 * s->doc.account_count + 16);
    uint32_t transfers = (uint32_t)(2 * s->count + 8 * s->doc.account_count + 64);
    size_t size = prepay_ledger_memory_size(accounts, transfers);
    void *buffer = size ? malloc(size) : NULL;
    prepay_ledger_memory_t lm;
    prepay_ledger_t ledger;
    if (!buffer || prepay_ledger_memory_layout(&lm, buffer, size, accounts, transfers) != PREPAY_OK ||
        prepay_ledger_init(&ledger, &lm) != PREPAY_OK) {
        free(buffer);
        return cli_fail(s->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    prepay_settlement_books_t books = {&ledger, NULL};
    int status = pass(s, &books);
    pass_free(s);
    free(buffer);
    return status == PREPAY_OK ? CLI_EXIT_OK : cli_bad_status(s->cli, status, "%s", s->err);
}

static int run(settle_run_t *s)
{
    int rc = load_inputs(s);
    if (rc != CLI_EXIT_OK || (rc = dry_run(s)) != CLI_EXIT_OK) {
        return rc;
    }
    ledger_session_t *session = NULL;
    ledger_open_mode_t mode = {true, s->opt.wait, true};
    if ((rc = ledger_session_open(s->opt.journal, s->cli, mode, &session)) != CLI_EXIT_OK) {
        return rc;
    }
    if ((rc = ledger_session_resume(session)) != CLI_EXIT_OK) {
        ledger_session_free(session);
        return rc;
    }
    prepay_settlement_books_t books = {&session->ledger, &session->journal};
    int status = pass(s, &books);
    if (status != PREPAY_OK) {
        rc = cli_fail(s->cli, status, "%s", s->err);
    }
    if (rc == CLI_EXIT_OK && s->opt.events) {
        rc = write_file(s, s->opt.events, write_events);
    }
    if (rc == CLI_EXIT_OK && s->opt.report) {
        rc = write_file(s, s->opt.report, write_report);
    }
    if (rc == CLI_EXIT_OK) {
        rc = print_result(s);
    }
    pass_free(s);
    ledger_session_free(session);
    return rc;
}

int prepay_tool_settle(int argc, char **argv)
{
    settle_run_t s;
    memset(&s, 0, sizeof s);
    cli_t cli;
    cli_args_t args;
    char err[CLI_MESSAGE_MAX];
    int rc = cli_begin(&cli, &settle_spec, &args, prepay_settle_options_parse(argc, argv, &s.opt, &args, err, sizeof err),
                       err);
    if (rc >= 0) {
        return rc;
    }
    s.cli = &cli;
    s.site_path = args.args[0];
    s.readings_path = args.args[1];
    if (strcmp(s.site_path, "-") == 0 && strcmp(s.readings_path, "-") == 0) {
        return cli_bad(&cli, "only one of SITE.json and READINGS.csv can be read from the standard input");
    }
    rc = run(&s);
    settle_doc_free(&s.doc);
    free(s.inputs);
    free(s.readings);
    free(s.lines);
    free(s.events);
    return rc;
}
