/* SPDX-License-Identifier: MIT */
/*
 * prepay bill: one billing month of a site, from a JSON description
 * (docs/allocation-billing.md, "prepay bill"), to postpaid statements and an
 * arrears list as text, JSON or CSV.
 *
 *   prepay bill SITE.json [--json | --csv statements|arrears|allocation|charges]
 *
 * Cut as every command (docs/cli.md): input (the command line and the site
 * file, read and checked by bill_input.c, nothing else touched), run (the
 * month, bill_month.c), output (text, JSON or CSV, here).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bill.h"
#include "cli_csv.h"
#include "cli_file.h"
#include "cli_options.h"
#include "cli_text.h"
#include "commands.h"
#include "prepay/allocation.h"
#include "prepay/billing.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/* ---- output helpers ------------------------------------------------------ */

static const char *money_text(prepay_money_t v, char buf[CLI_TEXT_MAX])
{
    return cli_fixed_text(v, 2, buf);
}

static const char *date_text(prepay_days_t d, char buf[CLI_TEXT_MAX])
{
    return cli_date_text(d, buf);
}

static json_t *json_money(prepay_money_t v)
{
    return cli_json_fixed(v, 2);
}

static json_t *json_date(prepay_days_t d)
{
    return cli_json_date(d);
}

static const char *line_kind_name(prepay_statement_line_kind_t kind)
{
    switch (kind) {
    case PREPAY_BILLING_LINE_ENERGY: return "energy";
    case PREPAY_BILLING_LINE_COMMON_AREA: return "common_area";
    case PREPAY_BILLING_LINE_CHARGE_ITEM: return "charge_item";
    case PREPAY_BILLING_LINE_ADJUSTMENT: return "adjustment";
    case PREPAY_BILLING_LINE_PAYMENT: return "payment";
    default: return "?";
    }
}

/* ---- output -------------------------------------------------------------- */

static json_t *statement_json(const prepay_statement_t *st)
{
    json_t *o = json_object();
    cli_set(o, "statement_id", json_integer((json_int_t)st->statement_id));
    cli_set(o, "account", json_integer((json_int_t)st->account_id));
    cli_set(o, "period_start", json_date(st->period_start));
    cli_set(o, "period_end", json_date(st->period_end));
    cli_set(o, "state", json_string(st->state == PREPAY_BILLING_ISSUED ? "issued" : "draft"));
    cli_set(o, "issue_date", json_date(st->issue_date));
    cli_set(o, "due_date", json_date(st->due_date));
    cli_set(o, "opening", json_money(st->opening));
    cli_set(o, "energy", json_money(st->totals[PREPAY_BILLING_LINE_ENERGY]));
    cli_set(o, "common_area", json_money(st->totals[PREPAY_BILLING_LINE_COMMON_AREA]));
    cli_set(o, "items", json_money(st->totals[PREPAY_BILLING_LINE_CHARGE_ITEM]));
    cli_set(o, "adjustments", json_money(st->totals[PREPAY_BILLING_LINE_ADJUSTMENT]));
    cli_set(o, "charges", json_money(st->charges));
    cli_set(o, "payments", json_money(st->payments));
    cli_set(o, "closing", json_money(st->closing));
    json_t *lines = json_array();
    for (size_t i = 0; i < st->line_count; i++) {
        const prepay_statement_line_t *l = &st->lines[i];
        json_t *lo = json_object();
        cli_set(lo, "kind", json_string(line_kind_name(l->kind)));
        if (l->kind == PREPAY_BILLING_LINE_ENERGY) {
            cli_set(lo, "band", json_integer(l->band));
            cli_set(lo, "tier", json_integer(l->tier));
        }
        cli_set(lo, "energy_wh", json_integer((json_int_t)l->energy));
        cli_set(lo, "amount", json_money(l->amount));
        cli_set(lo, "reference", json_integer((json_int_t)l->reference));
        cli_set(lo, "date", json_date(l->date));
        json_array_append_new(lines, lo);
    }
    cli_set(o, "lines", lines);
    return o;
}

static json_t *arrears_json(const prepay_arrears_row_t *row)
{
    json_t *o = json_object();
    cli_set(o, "account", json_integer((json_int_t)row->account_id));
    cli_set(o, "not_due", json_money(row->not_due));
    cli_set(o, "days_0_30", json_money(row->buckets[0]));
    cli_set(o, "days_31_60", json_money(row->buckets[1]));
    cli_set(o, "days_61_90", json_money(row->buckets[2]));
    cli_set(o, "days_over_90", json_money(row->buckets[3]));
    cli_set(o, "total", json_money(row->total));
    cli_set(o, "oldest_days", json_integer(row->oldest_days));
    return o;
}

static int print_json(const cli_t *cli, const bill_t *r)
{
    json_t *doc = cli_result();
    json_t *period = json_object();
    cli_set(period, "start", json_date(r->start));
    cli_set(period, "end", json_date(r->end));
    cli_set(doc, "period", period);
    json_t *common = json_object();
    cli_set(common, "master_wh", json_integer((json_int_t)r->residual.master));
    cli_set(common, "sub_meters_wh", json_integer((json_int_t)r->residual.sub_total));
    cli_set(common, "carried_in_wh", json_integer((json_int_t)r->residual.carried_in));
    cli_set(common, "common_wh", json_integer((json_int_t)r->residual.common));
    cli_set(common, "negative_residual", json_boolean(r->residual.negative));
    cli_set(common, "carry_out_wh", json_integer((json_int_t)r->residual.carry_out));
    cli_set(common, "clamped_wh", json_integer((json_int_t)r->residual.clamped));
    cli_set(common, "loss_bp", json_integer((json_int_t)r->residual.loss_bp));
    cli_set(common, "charge", json_money(r->common_money));
    cli_set(doc, "common", common);
    json_t *allocation = json_array();
    for (size_t i = 0; i < r->line_count; i++) {
        json_t *o = json_object();
        cli_set(o, "part", json_integer((json_int_t)r->lines[i].part_index));
        cli_set(o, "account", json_integer((json_int_t)r->lines[i].account_id));
        cli_set(o, "weight", json_integer((json_int_t)r->lines[i].weight));
        cli_set(o, "energy_wh", json_integer((json_int_t)r->lines[i].energy));
        cli_set(o, "amount", json_money(r->lines[i].money));
        json_array_append_new(allocation, o);
    }
    cli_set(doc, "allocation", allocation);
    json_t *charges = json_array();
    for (size_t i = 0; i < r->charge_count; i++) {
        const prepay_charge_t *c = &r->charges[i];
        json_t *o = json_object();
        cli_set(o, "id", json_integer((json_int_t)c->charge_id));
        cli_set(o, "account", json_integer((json_int_t)c->account_id));
        cli_set(o, "item", json_integer(c->item_id));
        cli_set(o, "name", json_string(c->name ? c->name : ""));
        cli_set(o, "occurrence", json_integer(c->occurrence));
        cli_set(o, "covered_start", json_date(c->covered_start));
        cli_set(o, "covered_end", json_date(c->covered_end));
        cli_set(o, "amount", json_money(c->amount));
        cli_set(o, "collect", json_string(c->collection == PREPAY_BILLING_COLLECT_BILL ? "bill" : "deduct"));
        json_array_append_new(charges, o);
    }
    cli_set(doc, "charges", charges);
    json_t *statements = json_array();
    for (size_t i = 0; i < r->statement_count; i++) {
        json_array_append_new(statements, statement_json(&r->statements[i]));
    }
    cli_set(doc, "statements", statements);
    json_t *arrears = json_array();
    for (size_t i = 0; i < r->row_count; i++) {
        json_array_append_new(arrears, arrears_json(&r->rows[i]));
    }
    cli_set(doc, "as_of", json_date(r->as_of));
    cli_set(doc, "arrears", arrears);
    return cli_emit(cli, doc);
}

static void print_csv(int table, const bill_t *r)
{
    char a[CLI_TEXT_MAX], b[CLI_TEXT_MAX], c[CLI_TEXT_MAX], d[CLI_TEXT_MAX], e[CLI_TEXT_MAX], f[CLI_TEXT_MAX], g[CLI_TEXT_MAX], h[CLI_TEXT_MAX], d1[CLI_TEXT_MAX], d2[CLI_TEXT_MAX];
    if (table == BILL_CSV_STATEMENTS) {
        printf("statement_id,account,period_start,period_end,issue_date,due_date,opening,energy,common_area,items,"
               "adjustments,charges,payments,closing\n");
        for (size_t i = 0; i < r->statement_count; i++) {
            const prepay_statement_t *st = &r->statements[i];
            char s1[CLI_TEXT_MAX], s2[CLI_TEXT_MAX];
            printf("%" PRIu64 ",%" PRIu64 ",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", st->statement_id,
                   st->account_id, date_text(st->period_start, d1), date_text(st->period_end, d2),
                   date_text(st->issue_date, s1), date_text(st->due_date, s2), money_text(st->opening, a),
                   money_text(st->totals[PREPAY_BILLING_LINE_ENERGY], b),
                   money_text(st->totals[PREPAY_BILLING_LINE_COMMON_AREA], c),
                   money_text(st->totals[PREPAY_BILLING_LINE_CHARGE_ITEM], d),
                   money_text(st->totals[PREPAY_BILLING_LINE_ADJUSTMENT], e), money_text(st->charges, f),
                   money_text(st->payments, g), money_text(st->closing, h));
        }
    } else if (table == BILL_CSV_ARREARS) {
        printf("account,not_due,days_0_30,days_31_60,days_61_90,days_over_90,total,oldest_days\n");
        for (size_t i = 0; i < r->row_count; i++) {
            const prepay_arrears_row_t *row = &r->rows[i];
            printf("%" PRIu64 ",%s,%s,%s,%s,%s,%s,%d\n", row->account_id, money_text(row->not_due, a),
                   money_text(row->buckets[0], b), money_text(row->buckets[1], c), money_text(row->buckets[2], d),
                   money_text(row->buckets[3], e), money_text(row->total, f), (int)row->oldest_days);
        }
    } else if (table == BILL_CSV_ALLOCATION) {
        printf("part,account,weight,energy_wh,amount\n");
        for (size_t i = 0; i < r->line_count; i++) {
            const prepay_allocation_line_t *l = &r->lines[i];
            printf("%zu,%" PRIu64 ",%" PRId64 ",%" PRId64 ",%s\n", l->part_index, l->account_id, l->weight, l->energy,
                   money_text(l->money, a));
        }
    } else {
        printf("id,account,item,name,occurrence,covered_start,covered_end,amount,collect\n");
        for (size_t i = 0; i < r->charge_count; i++) {
            const prepay_charge_t *ch = &r->charges[i];
            printf("%" PRIu64 ",%" PRIu64 ",%u,", ch->charge_id, ch->account_id, (unsigned)ch->item_id);
            cli_csv_write_field(stdout, ch->name ? ch->name : "");
            printf(",%u,%s,%s,%s,%s\n", (unsigned)ch->occurrence, date_text(ch->covered_start, d1),
                   date_text(ch->covered_end, d2), money_text(ch->amount, a),
                   ch->collection == PREPAY_BILLING_COLLECT_BILL ? "bill" : "deduct");
        }
    }
}

static void print_text(const bill_t *r)
{
    char a[CLI_TEXT_MAX], b[CLI_TEXT_MAX], c[CLI_TEXT_MAX], d[CLI_TEXT_MAX], e[CLI_TEXT_MAX], f[CLI_TEXT_MAX], d1[CLI_TEXT_MAX], d2[CLI_TEXT_MAX];
    printf("period %s .. %s (exclusive)\n", date_text(r->start, d1), date_text(r->end, d2));
    printf("common: master %" PRId64 " Wh - sub-meters %" PRId64 " Wh = %" PRId64 " Wh allocated, loss %s%%",
           r->residual.master, r->residual.sub_total, r->residual.common, money_text(r->residual.loss_bp, a));
    if (r->residual.negative) {
        printf(" (sub-meters exceed the master: clamped %" PRId64 " Wh, carried %" PRId64 " Wh)", r->residual.clamped,
               r->residual.carry_out);
    }
    printf("; charge %s\n", money_text(r->common_money, b));
    for (size_t i = 0; i < r->line_count; i++) {
        printf("  allocate account %-10" PRIu64 " %10" PRId64 " Wh %12s\n", r->lines[i].account_id,
               r->lines[i].energy, money_text(r->lines[i].money, a));
    }
    printf("charges: %zu\n", r->charge_count);
    for (size_t i = 0; i < r->charge_count; i++) {
        const prepay_charge_t *ch = &r->charges[i];
        printf("  account %-10" PRIu64 " %-20s %12s %s (id %" PRIu64 ")\n", ch->account_id, ch->name ? ch->name : "",
               money_text(ch->amount, a), ch->collection == PREPAY_BILLING_COLLECT_BILL ? "bill" : "deduct",
               ch->charge_id);
    }
    printf("statements: %zu\n", r->statement_count);
    for (size_t i = 0; i < r->statement_count; i++) {
        const prepay_statement_t *st = &r->statements[i];
        printf("  account %-10" PRIu64 " opening %s + charges %s - payments %s = closing %s, due %s\n",
               st->account_id, money_text(st->opening, a), money_text(st->charges, b), money_text(st->payments, c),
               money_text(st->closing, d), date_text(st->due_date, d1));
    }
    printf("arrears as of %s: %zu accounts\n", date_text(r->as_of, d1), r->row_count);
    for (size_t i = 0; i < r->row_count; i++) {
        const prepay_arrears_row_t *row = &r->rows[i];
        printf("  account %-10" PRIu64 " total %s (not due %s, 0-30 %s, 31-60 %s, 61-90 %s, >90 %s)\n",
               row->account_id, money_text(row->total, a), money_text(row->not_due, b),
               money_text(row->buckets[0], c), money_text(row->buckets[1], d), money_text(row->buckets[2], e),
               money_text(row->buckets[3], f));
    }
}

/* ---- command line -------------------------------------------------------- */

static const char *const csv_tables[] = {"statements", "arrears", "allocation", "charges", NULL};
static const int csv_table_values[] = {BILL_CSV_STATEMENTS, BILL_CSV_ARREARS, BILL_CSV_ALLOCATION, BILL_CSV_CHARGES};

static const cli_option_t bill_options[] = {
    {"csv", CLI_OPT_CHOICE(bill_options_t, csv, csv_tables), .values = csv_table_values, .arg = "TABLE",
     .help = "one table as CSV: statements, arrears, allocation or charges"},
    {.name = NULL},
};

static const cli_spec_t bill_spec = {
    .program = "prepay bill",
    .usage = "SITE.json [--json | --csv TABLE]",
    .summary = "One billing month of a site: common-area allocation, charge items, postpaid statements\n"
               "and arrears. SITE.json '-' reads the standard input.",
    .options = bill_options,
    .args = "SITE.json",
    .min_args = 1,
    .max_args = 1,
    .json = true,
    .notes = "Input format: docs/allocation-billing.md (\"The prepay bill command\"). Text by default.",
};

int prepay_bill_options_parse(int argc, char **argv, bill_options_t *o, cli_args_t *args, char *err, size_t err_cap)
{
    memset(o, 0, sizeof *o);
    int rc = cli_parse(&bill_spec, argc, argv, o, args, err, err_cap);
    if (rc != 0 || args->help || args->version) {
        return rc;
    }
    o->path = args->args[0];
    o->json = args->json;
    if (o->json && o->csv != BILL_CSV_NONE) {
        snprintf(err, err_cap, "--json and --csv exclude each other (try --help)");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int prepay_tool_bill(int argc, char **argv)
{
    cli_t cli;
    cli_args_t args;
    bill_options_t o;
    char err[CLI_MESSAGE_MAX];
    int rc = cli_begin(&cli, &bill_spec, &args, prepay_bill_options_parse(argc, argv, &o, &args, err, sizeof err), err);
    if (rc >= 0) {
        return rc;
    }
    /* input */
    char *text = NULL;
    size_t len = 0;
    int status = PREPAY_OK;
    if (cli_read_input(o.path, BILL_INPUT_MAX, &text, &len, &status, err, sizeof err) != 0) {
        return cli_bad_status(&cli, status, "%s", err);
    }
    bill_t bill;
    bool ok = bill_parse(text, len, cli_input_name(o.path), &bill) == 0;
    free(text);
    /* run */
    ok = ok && bill_run(&bill) == 0;
    if (!ok) {
        rc = cli_bad_status(&cli, bill.status, "%s", bill.error);
        bill_free(&bill);
        return rc;
    }
    /* output */
    rc = CLI_EXIT_OK;
    if (o.json) {
        rc = print_json(&cli, &bill);
    } else if (o.csv != BILL_CSV_NONE) {
        print_csv(o.csv, &bill);
    } else {
        print_text(&bill);
    }
    bill_free(&bill);
    return rc;
}
