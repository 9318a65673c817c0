/* SPDX-License-Identifier: MIT */
/*
 * prepay settle SITE.json READINGS.csv --journal FILE [--payments FILE] [--statement FILE] [--events FILE]
 *               [--outbox FILE] [--report FILE] [--close] [--json]
 *
 * Settles a site's meter readings through the settlement module
 * (prepay/settlement.h) into a journaled ledger: opening recharges, the
 * readings (priced, deducted, debt, alarms, relay decisions), optionally the
 * period close (common-area shares, postpaid statements); payment orders,
 * their notifies and refunds (prepay/payment.h) in time order with the
 * readings; writes the events, the outbox (prepay/outbox.h: one delivery per
 * notifiable event, with its dedupe key) and a per-account report, and
 * reconciles a channel's statement against the ledger. Conventions:
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
#include "json_escape_internal.h"
#include "ledger_session.h"
#include "settle_payments.h"
#include "settle_site.h"
#include "prepay/outbox.h"
#include "prepay/ledger_hosted.h"
#include "prepay/payment_hosted.h"
#include "prepay/settlement_hosted.h"

#define READINGS_FILE_MAX (1024u * 1024u * 1024u)
#define SITE_FILE_MAX (256u * 1024u * 1024u)
/* Readings per settle call: one journal batch each (the session's staging buffer holds it). */
#define BATCH 64u
#define PAYMENTS_FILE_MAX (256u * 1024u * 1024u)
#define EXPIRE_CHUNK 64u
/* The outbox's channel: the command only numbers it (the channels are the caller's, docs/outbox.md). */
#define OUTBOX_CHANNEL PREPAY_OUTBOX_APP_PUSH


static const cli_option_t settle_options[] = {
    {"journal", CLI_OPT_TEXT(settle_options_t, journal), .arg = "FILE",
     .help = "the ledger's journal (created if missing; required)"},
    {"payments", CLI_OPT_TEXT(settle_options_t, payments), .arg = "FILE",
     .help = "payment orders, notifies, refunds and sales as CSV (applied in time order with the readings)"},
    {"statement", CLI_OPT_TEXT(settle_options_t, statement), .arg = "FILE",
     .help = "a payment channel's statement (CSV) to reconcile against the ledger"},
    {"events", CLI_OPT_TEXT(settle_options_t, events), .arg = "FILE",
     .help = "write the events (what would be notified) as CSV"},
    {"outbox", CLI_OPT_TEXT(settle_options_t, outbox), .arg = "FILE",
     .help = "write the outbox: one delivery per notifiable event, with its dedupe key, as CSV"},
    {"report", CLI_OPT_TEXT(settle_options_t, report), .arg = "FILE", .help = "write the per-account report as CSV"},
    {"close", CLI_OPT_FLAG(settle_options_t, close), .help = "close the site's period after the readings"},
    {"wait", CLI_OPT_FLAG(settle_options_t, wait), .help = "wait for another writer of the journal"},
    {.name = NULL},
};

static const cli_spec_t settle_spec = {
    .program = "prepay settle",
    .usage = "SITE.json READINGS.csv --journal FILE [--payments FILE] [--statement FILE] [--events FILE]\n"
             "       [--outbox FILE] [--report FILE] [--close] [--wait] [--json]",
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
             "--payments: type,account,number,amount_yuan,time,detail with type order (detail: the deadline),\n"
             "notify (detail: paid, failed or waiting; amount: as notified), refund (number: the account's\n"
             "refund sequence; detail: the refunded order's number or empty) or sale (to the purse of a local\n"
             "account's meter; number: the account's sale sequence; detail: water or electricity, optionally\n"
             ":PURCHASE, the meter's purchase number). --statement: order_id,amount,\n"
             "status,time (docs/payment.md), reconciled over the site's period.\n"
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
    settle_payment_t *payments; /* sorted by time, then line */
    size_t payment_count;
    uint32_t payment_applied, payment_duplicates, expired;
    prepay_payment_statement_record_t *statement;
    size_t statement_count;
    prepay_payment_reconcile_summary_t reconciliation;
    prepay_payment_reconcile_line_t *lines_out;
    size_t line_count, line_cap;
    bool line_overflow;
    uint32_t outbox_count;
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
        char q[PREPAY__JSON_QUOTE_MAX + 16]; /* a field, quoted and escaped: a quoted field may hold line breaks */
        if (find_meter(&s->doc, csv.fields[0], csv.lengths[0], &in->reading.meter_id) != 0) {
            rc = cli_bad_status(s->cli, PREPAY_E_SETTLEMENT_UNKNOWN_METER, "%s:%lu: unknown meter %s", origin,
                                csv.record_line, prepay__json_quote(q, sizeof q, csv.fields[0]));
        } else if (prepay_time_parse(csv.fields[1], csv.lengths[1], &in->reading.time) != PREPAY_OK) {
            rc = cli_bad(s->cli, "%s:%lu: %s is not a time (YYYY-MM-DD hh:mm)", origin, csv.record_line,
                         prepay__json_quote(q, sizeof q, csv.fields[1]));
        } else if (prepay_fixed_parse(csv.fields[2], csv.lengths[2], 3, &wh) != PREPAY_OK || wh < 0) {
            rc = cli_bad(s->cli, "%s:%lu: %s is not a register value in kWh (up to 3 decimals)", origin,
                         csv.record_line, prepay__json_quote(q, sizeof q, csv.fields[2]));
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

static int read_payments(settle_run_t *s)
{
    char *text = NULL, err[CLI_MESSAGE_MAX];
    size_t len = 0;
    int status = PREPAY_OK;
    if (cli_read_input(s->opt.payments, PAYMENTS_FILE_MAX, &text, &len, &status, err, sizeof err) != 0) {
        return cli_bad_status(s->cli, status, "%s", err);
    }
    status = settle_payments_parse(text, len, cli_input_name(s->opt.payments), &s->payments, &s->payment_count, err,
                                   sizeof err);
    free(text);
    if (status == PREPAY_E_HOSTED_NO_MEMORY) {
        return cli_fail(s->cli, status, "%s", err);
    }
    return status == PREPAY_OK ? CLI_EXIT_OK : cli_bad_status(s->cli, status, "%s", err);
}

static int read_statement(settle_run_t *s)
{
    size_t cap = 1024;
    for (;;) {
        prepay_payment_statement_record_t *records = malloc(cap * sizeof *records);
        if (!records) {
            return cli_fail(s->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
        }
        uint32_t line = 0;
        size_t count = 0;
        int status = prepay_payment_statement_load(s->opt.statement, records, cap, &count, &line);
        if (status == PREPAY_E_BUFFER_TOO_SMALL && cap < ((size_t)1 << 26)) {
            free(records);
            cap *= 4;
            continue;
        }
        if (status != PREPAY_OK) {
            free(records);
            if (status == PREPAY_E_HOSTED_IO) {
                return cli_fail(s->cli, status, "%s: cannot read", s->opt.statement);
            }
            return line ? cli_bad_status(s->cli, status, "%s:%u: %s", s->opt.statement, line, prepay_strerror(status))
                        : cli_bad_status(s->cli, status, "%s: %s", s->opt.statement, prepay_strerror(status));
        }
        s->statement = records;
        s->statement_count = count;
        return CLI_EXIT_OK;
    }
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
    s->payment_applied = s->payment_duplicates = s->expired = 0;
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

/* Settles the readings from *at up to those at `until` (inclusive), in batches. */
static int settle_readings(settle_run_t *s, const prepay_settlement_books_t *books, size_t *at, prepay_time_t until)
{
    prepay_settlement_result_t res;
    while (*at < s->count && s->readings[*at].time <= until) {
        size_t n = 0;
        while (n < BATCH && *at + n < s->count && s->readings[*at + n].time <= until) {
            n++;
        }
        int status = prepay_settlement_settle(&s->site, books, &s->work, s->readings + *at, n, &res);
        if (status < 0) {
            if (res.error_index < n) {
                snprintf(s->err, sizeof s->err, "%s:%lu: meter %u: %s%s%s", cli_input_name(s->readings_path),
                         s->lines[*at + res.error_index], res.error_id, prepay_strerror(status),
                         res.error_detail ? ": " : "", res.error_detail ? prepay_strerror(res.error_detail) : "");
            } else {
                snprintf(s->err, sizeof s->err, "%s: readings: %s", cli_input_name(s->readings_path),
                         prepay_strerror(status));
            }
            return status;
        }
        add_totals(&s->totals, &res);
        *at += n;
    }
    return PREPAY_OK;
}

/* Applies one --payments record. Returns PREPAY_OK, or a status with the message in s->err. */
static int apply_payment(settle_run_t *s, const prepay_settlement_books_t *books, const settle_payment_t *p)
{
    const char *origin = cli_input_name(s->opt.payments);
    prepay_payment_result_t pr;
    prepay_settlement_result_t res;
    memset(&pr, 0, sizeof pr);
    memset(&res, 0, sizeof res);
    int status;
    char a[CLI_TEXT_MAX], b[CLI_TEXT_MAX];
    if (p->type == PAY_ORDER) {
        prepay_payment_order_t o = {p->account, p->number, p->amount, p->time, p->deadline};
        status = prepay_payment_create(&s->site, books, &o, &pr);
    } else if (p->type == PAY_NOTIFY) {
        prepay_payment_notify_t n = {0, p->amount, p->time, p->status};
        status = prepay_payment_order_id(p->account, p->number, &n.order_id);
        if (status == PREPAY_OK) {
            status = prepay_payment_notify(&s->site, books, &s->work, &n, &pr);
            res.events = s->work.event_count;
        }
    } else if (p->type == PAY_SALE) {
        prepay_settlement_sale_t sale = {p->account, p->number, p->commodity, p->amount, p->purchase, p->time};
        status = prepay_settlement_sell(&s->site, books, &s->work, &sale, &res);
        pr.error_detail = res.error_detail;
        if (status >= 0) {
            add_totals(&s->totals, &res);
        }
    } else {
        prepay_settlement_refund_t rf = {p->account, p->number, p->amount, 0, p->time};
        status = p->refunded ? prepay_payment_order_id(p->account, p->refunded, &rf.order_id) : PREPAY_OK;
        if (status == PREPAY_OK) {
            status = prepay_settlement_refund(&s->site, books, &s->work, &rf, &res);
            pr.error_detail = res.error_detail;
            if (status >= 0) {
                add_totals(&s->totals, &res);
            }
        }
    }
    if (status < 0) {
        const char *what = p->type == PAY_ORDER    ? "order"
                           : p->type == PAY_NOTIFY ? "notify of order"
                           : p->type == PAY_SALE   ? "sale"
                                                   : "refund";
        if (p->type == PAY_SALE && status == PREPAY_E_SETTLEMENT_BAD_CONFIG) {
            snprintf(s->err, sizeof s->err, "%s:%lu: sale %u of account %u: only a local account's meters keep a "
                     "purse to sell to (%s)", origin, p->line, p->number, p->account, prepay_strerror(status));
        } else if (status == PREPAY_E_PAYMENT_AMOUNT_MISMATCH) {
            snprintf(s->err, sizeof s->err, "%s:%lu: %s %u of account %u: %s (the order is %s, the notify says %s)",
                     origin, p->line, what, p->number, p->account, prepay_strerror(status),
                     cli_fixed_text(pr.expected, 2, a), cli_fixed_text(pr.notified, 2, b));
        } else {
            snprintf(s->err, sizeof s->err, "%s:%lu: %s %u of account %u: %s%s%s", origin, p->line, what, p->number,
                     p->account, prepay_strerror(status), pr.error_detail ? ": " : "",
                     pr.error_detail ? prepay_strerror(pr.error_detail) : "");
        }
        return status;
    }
    s->payment_applied++;
    if (status == PREPAY_PAYMENT_DUPLICATE || status == PREPAY_LEDGER_EXISTS) {
        s->payment_duplicates++;
    }
    return PREPAY_OK;
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
    size_t at = 0;
    for (size_t k = 0; k < s->payment_count; k++) {
        /* the readings up to the payment's time first: a recharge restores after the readings that cut off */
        status = settle_readings(s, books, &at, s->payments[k].time);
        if (status == PREPAY_OK) {
            status = apply_payment(s, books, &s->payments[k]);
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    status = settle_readings(s, books, &at, INT64_MAX);
    if (status != PREPAY_OK) {
        return status;
    }
    /* Orders still open at the period's end are past any deadline inside it: expired (released). */
    for (int n = (int)EXPIRE_CHUNK; s->payment_count > 0 && n == (int)EXPIRE_CHUNK;) {
        uint64_t ids[EXPIRE_CHUNK];
        prepay_time_t end = settle_site_end(&s->doc);
        n = books->journal ? prepay_journal_expire(books->journal, books->ledger, end, ids, EXPIRE_CHUNK)
                           : prepay_ledger_expire(books->ledger, end, ids, EXPIRE_CHUNK);
        if (n < 0) {
            snprintf(s->err, sizeof s->err, "expiring the open orders: %s", prepay_strerror(n));
            return n;
        }
        s->expired += (uint32_t)n;
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

static const char *event_name(unsigned type)
{
    return type == PREPAY_PAYMENT_EVENT_FAILED ? "payment_failed" : prepay_settlement_event_name(type);
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
                event_name(e->type), e->level, cli_fixed_text(e->amount, 2, amount),
                cli_fixed_text(e->balance, 2, balance), (long long)e->energy, e->command, e->id.hi, e->id.lo);
    }
    return ferror(f) ? -1 : 0;
}

/* The notifications the issue names: alarm-level changes, cut-off, restore, low balance, recharge credited,
 * payment failure, statement issued, debt created, and refunds. */
static const unsigned notified_types[] = {
    PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL, PREPAY_SETTLEMENT_EVENT_LOW_BALANCE,  PREPAY_SETTLEMENT_EVENT_CUTOFF,
    PREPAY_SETTLEMENT_EVENT_RESTORED,    PREPAY_SETTLEMENT_EVENT_RECHARGE,     PREPAY_PAYMENT_EVENT_FAILED,
    PREPAY_SETTLEMENT_EVENT_STATEMENT,   PREPAY_SETTLEMENT_EVENT_DEBT_CREATED, PREPAY_SETTLEMENT_EVENT_REFUND,
};

/* The run's events through an outbox in memory (one channel, the default policy above): its deliveries as CSV,
 * in outbox order, each with its dedupe key. The site is rebuilt from the inputs on every run, so the file is
 * the same for the same inputs; a sender dedupes by key (at-least-once, docs/outbox.md). */
static int write_outbox(settle_run_t *s, cli_output_t *out)
{
    prepay_outbox_policy_t policy;
    const uint32_t backoff[] = {60, 600, 3600};
    memset(&policy, 0, sizeof policy);
    for (size_t i = 0; i < sizeof notified_types / sizeof notified_types[0]; i++) {
        policy.channels[notified_types[i]] = 1u << OUTBOX_CHANNEL;
    }
    prepay_outbox_config_t config = {&policy, 1, backoff, 3};
    uint32_t cap = s->event_count ? (uint32_t)s->event_count : 1u;
    prepay_outbox_delivery_t *deliveries = calloc(cap, sizeof *deliveries);
    prepay_outbox_t outbox;
    if (!deliveries || prepay_outbox_init(&outbox, deliveries, cap, &config, NULL) != PREPAY_OK) {
        free(deliveries);
        return -1;
    }
    for (size_t i = 0; i < s->event_count; i++) {
        if (prepay_outbox_add(&outbox, &s->events[i]) < 0) {
            free(deliveries);
            return -1;
        }
    }
    FILE *f = out->file;
    fprintf(f, "key,time,account,event,channel,level,amount_yuan,balance_yuan\n");
    for (uint32_t i = 0; i < outbox.count; i++) {
        const prepay_outbox_delivery_t *d = &outbox.deliveries[i];
        char key[PREPAY_OUTBOX_KEY_SIZE], when[CLI_TEXT_MAX], amount[CLI_TEXT_MAX], balance[CLI_TEXT_MAX];
        (void)prepay_outbox_dedupe_key(d, key, sizeof key);
        fprintf(f, "%s,%s,%u,%s,%u,%u,%s,%s\n", key, cli_time_text(d->time, PREPAY_TIME_TEXT_MINUTE, when),
                d->account_id, event_name(d->type), d->channel, d->level, cli_fixed_text(d->amount, 2, amount),
                cli_fixed_text(d->balance, 2, balance));
    }
    s->outbox_count = outbox.count;
    free(deliveries);
    return ferror(f) ? -1 : 0;
}

static void keep_line(void *context, const prepay_payment_reconcile_line_t *line)
{
    settle_run_t *s = context;
    if (s->line_count == s->line_cap) {
        size_t cap = s->line_cap ? 2 * s->line_cap : 64;
        prepay_payment_reconcile_line_t *grown = realloc(s->lines_out, cap * sizeof *grown);
        if (!grown) {
            s->line_overflow = true;
            return;
        }
        s->lines_out = grown;
        s->line_cap = cap;
    }
    s->lines_out[s->line_count++] = *line;
}

static int write_report(settle_run_t *s, cli_output_t *out)
{
    FILE *f = out->file;
    fprintf(f, "account,kind,energy_kwh,energy_yuan,common_area_yuan,items_yuan,recharged_yuan,balance_yuan,debt_yuan,"
               "alarm_level,relay,sold_yuan\n");
    for (size_t i = 0; i < s->doc.account_count; i++) {
        const prepay_settlement_account_t *a = prepay_settlement_account(&s->site, s->doc.accounts[i].id);
        char e[CLI_TEXT_MAX], en[CLI_TEXT_MAX], sh[CLI_TEXT_MAX], it[CLI_TEXT_MAX], rc[CLI_TEXT_MAX], b[CLI_TEXT_MAX],
            d[CLI_TEXT_MAX], so[CLI_TEXT_MAX];
        fprintf(f, "%u,%s,%s,%s,%s,%s,%s,%s,%s,%u,%s,%s\n", a->config.id, kind_name(a->config.kind),
                cli_fixed_text(account_energy(s, a->config.id), 3, e), cli_fixed_text(a->books.energy, 2, en),
                cli_fixed_text(a->books.shares, 2, sh), cli_fixed_text(a->books.items, 2, it),
                cli_fixed_text(a->books.recharged, 2, rc), cli_fixed_text(a->books.balance, 2, b),
                cli_fixed_text(a->books.debt, 2, d), a->wallet.level,
                a->relay == PREPAY_WALLET_RELAY_OPEN ? "open" : "closed", cli_fixed_text(a->books.sold, 2, so));
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
        if (s->payment_count > 0) {
            printf("payments: %zu inputs (%u applied again: duplicates or repeats); %u orders expired at the "
                   "period end\n", s->payment_count, s->payment_duplicates, s->expired);
        }
        if (s->opt.outbox) {
            printf("outbox: %u deliveries\n", s->outbox_count);
        }
        if (s->opt.statement) {
            const prepay_payment_reconcile_summary_t *r = &s->reconciliation;
            char m[CLI_TEXT_MAX];
            printf("statement: %u matched (%s), %u missing in the ledger, %u missing in the statement, %u amounts "
                   "differ, %u refunded\n",
                   r->matched, cli_fixed_text(r->matched_amount, 2, m), r->missing_in_ledger, r->missing_in_statement,
                   r->amount_differs, r->refunded);
            for (size_t i = 0; i < s->line_count; i++) {
                const prepay_payment_reconcile_line_t *l = &s->lines_out[i];
                char la[CLI_TEXT_MAX], sa[CLI_TEXT_MAX];
                if (l->match != PREPAY_PAYMENT_MATCHED) {
                    printf("  order %" PRIu64 ": %s (ledger %s, statement %s)\n", l->order_id,
                           prepay_payment_match_name(l->match), cli_fixed_text(l->ledger_amount, 2, la),
                           cli_fixed_text(l->statement_amount, 2, sa));
                }
            }
        }
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
        cli_set(x, "sold", cli_json_fixed(a->books.sold, 2));
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
    cli_set(o, "payments", json_integer((json_int_t)s->payment_count));
    cli_set(o, "payment_repeats", json_integer(s->payment_duplicates));
    cli_set(o, "orders_expired", json_integer(s->expired));
    if (s->opt.outbox) {
        cli_set(o, "outbox", json_integer(s->outbox_count));
    }
    if (s->opt.statement) {
        const prepay_payment_reconcile_summary_t *r = &s->reconciliation;
        json_t *x = json_object(), *lines = json_array();
        cli_set(x, "matched", json_integer(r->matched));
        cli_set(x, "matched_amount", cli_json_fixed(r->matched_amount, 2));
        cli_set(x, "missing_in_ledger", json_integer(r->missing_in_ledger));
        cli_set(x, "missing_in_statement", json_integer(r->missing_in_statement));
        cli_set(x, "amount_differs", json_integer(r->amount_differs));
        cli_set(x, "refunded", json_integer(r->refunded));
        for (size_t i = 0; i < s->line_count; i++) {
            const prepay_payment_reconcile_line_t *l = &s->lines_out[i];
            json_t *y = json_object();
            char id[32];
            snprintf(id, sizeof id, "%" PRIu64, l->order_id);
            cli_set(y, "order", json_string(id));
            cli_set(y, "match", json_string(prepay_payment_match_name(l->match)));
            cli_set(y, "ledger", cli_json_fixed(l->ledger_amount, 2));
            cli_set(y, "statement", cli_json_fixed(l->statement_amount, 2));
            json_array_append_new(lines, y);
        }
        cli_set(x, "lines", lines);
        cli_set(o, "reconciliation", x);
    }
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
    int rc = read_readings(s);
    if (rc == CLI_EXIT_OK && s->opt.payments) {
        rc = read_payments(s);
    }
    if (rc == CLI_EXIT_OK && s->opt.statement) {
        rc = read_statement(s);
    }
    return rc;
}

/* The whole run on a ledger in memory: any refusal is a bad input, found before a file is touched. */
static int dry_run(settle_run_t *s)
{
    uint32_t accounts = (uint32_t)(3 * s->doc.account_count + 16);
    uint32_t transfers = (uint32_t)(2 * s->count + 4 * s->payment_count + 8 * s->doc.account_count + 64);
    prepay_ledger_memory_t lm;
    prepay_ledger_t ledger;
    if (prepay_ledger_memory_alloc(&lm, accounts, transfers) != PREPAY_OK) {
        return cli_fail(s->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    if (prepay_ledger_init(&ledger, &lm) != PREPAY_OK) {
        prepay_ledger_memory_free(&lm);
        return cli_fail(s->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    prepay_settlement_books_t books = {&ledger, NULL};
    int status = pass(s, &books);
    pass_free(s);
    prepay_ledger_memory_free(&lm);
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
    if (rc == CLI_EXIT_OK && s->opt.statement) {
        status = prepay_payment_reconcile(&session->ledger, s->statement, s->statement_count, settle_site_start(&s->doc),
                                          settle_site_end(&s->doc), keep_line, s, &s->reconciliation);
        if (status != PREPAY_OK || s->line_overflow) {
            rc = s->line_overflow ? cli_fail(s->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory")
                                  : cli_bad_status(s->cli, status, "%s: %s", s->opt.statement, prepay_strerror(status));
        }
    }
    if (rc == CLI_EXIT_OK && s->opt.events) {
        rc = write_file(s, s->opt.events, write_events);
    }
    if (rc == CLI_EXIT_OK && s->opt.outbox) {
        rc = write_file(s, s->opt.outbox, write_outbox);
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
    free(s.payments);
    free(s.statement);
    free(s.lines_out);
    return rc;
}
