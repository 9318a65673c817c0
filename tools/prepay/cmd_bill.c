/*
 * prepay bill: one billing month of a site, from a JSON description
 * (docs/allocation-billing.md, "prepay bill"), to postpaid statements and an
 * arrears list as text, JSON or CSV.
 *
 *   prepay bill SITE.json [--json | --csv statements|arrears|allocation|charges]
 *
 * The input is read and the month computed by bill_site.c (bill.h); this
 * file holds the command line and the three output forms.
 *
 * Bad input: a one-line message on stderr and exit status 2.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sys/stat.h>

#include "bill.h"
#include "commands.h"
#include "prepay/allocation.h"
#include "prepay/billing.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/* ---- output helpers ------------------------------------------------------ */

static const char *money_text(prepay_money_t v, char buf[32])
{
    if (prepay_fixed_format(v, 2, buf, 32) < 0) {
        snprintf(buf, 32, "?");
    }
    return buf;
}

static const char *date_text(prepay_days_t d, char buf[16])
{
    int32_t y;
    uint8_t m, day;
    if (prepay_time_date_from_days(d, &y, &m, &day) != PREPAY_OK) {
        snprintf(buf, 16, "?");
    } else {
        snprintf(buf, 16, "%04d-%02u-%02u", (int)y, (unsigned)m, (unsigned)day);
    }
    return buf;
}

static json_t *json_money(prepay_money_t v)
{
    char buf[32];
    return json_string(money_text(v, buf));
}

static json_t *json_date(prepay_days_t d)
{
    char buf[16];
    return json_string(date_text(d, buf));
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

static void csv_field(FILE *out, const char *s)
{
    bool quote = strpbrk(s, ",\"\n\r") != NULL;
    if (!quote) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') {
            fputc('"', out);
        }
        fputc(*s, out);
    }
    fputc('"', out);
}

/* ---- output -------------------------------------------------------------- */

static json_t *statement_json(const prepay_statement_t *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "statement_id", json_integer((json_int_t)st->statement_id));
    json_object_set_new(o, "account", json_integer((json_int_t)st->account_id));
    json_object_set_new(o, "period_start", json_date(st->period_start));
    json_object_set_new(o, "period_end", json_date(st->period_end));
    json_object_set_new(o, "state", json_string(st->state == PREPAY_BILLING_ISSUED ? "issued" : "draft"));
    json_object_set_new(o, "issue_date", json_date(st->issue_date));
    json_object_set_new(o, "due_date", json_date(st->due_date));
    json_object_set_new(o, "opening", json_money(st->opening));
    json_object_set_new(o, "energy", json_money(st->totals[PREPAY_BILLING_LINE_ENERGY]));
    json_object_set_new(o, "common_area", json_money(st->totals[PREPAY_BILLING_LINE_COMMON_AREA]));
    json_object_set_new(o, "items", json_money(st->totals[PREPAY_BILLING_LINE_CHARGE_ITEM]));
    json_object_set_new(o, "adjustments", json_money(st->totals[PREPAY_BILLING_LINE_ADJUSTMENT]));
    json_object_set_new(o, "charges", json_money(st->charges));
    json_object_set_new(o, "payments", json_money(st->payments));
    json_object_set_new(o, "closing", json_money(st->closing));
    json_t *lines = json_array();
    for (size_t i = 0; i < st->line_count; i++) {
        const prepay_statement_line_t *l = &st->lines[i];
        json_t *lo = json_object();
        json_object_set_new(lo, "kind", json_string(line_kind_name(l->kind)));
        if (l->kind == PREPAY_BILLING_LINE_ENERGY) {
            json_object_set_new(lo, "band", json_integer(l->band));
            json_object_set_new(lo, "tier", json_integer(l->tier));
        }
        json_object_set_new(lo, "energy_wh", json_integer((json_int_t)l->energy));
        json_object_set_new(lo, "amount", json_money(l->amount));
        json_object_set_new(lo, "reference", json_integer((json_int_t)l->reference));
        json_object_set_new(lo, "date", json_date(l->date));
        json_array_append_new(lines, lo);
    }
    json_object_set_new(o, "lines", lines);
    return o;
}

static json_t *arrears_json(const prepay_arrears_row_t *row)
{
    json_t *o = json_object();
    json_object_set_new(o, "account", json_integer((json_int_t)row->account_id));
    json_object_set_new(o, "not_due", json_money(row->not_due));
    json_object_set_new(o, "days_0_30", json_money(row->buckets[0]));
    json_object_set_new(o, "days_31_60", json_money(row->buckets[1]));
    json_object_set_new(o, "days_61_90", json_money(row->buckets[2]));
    json_object_set_new(o, "days_over_90", json_money(row->buckets[3]));
    json_object_set_new(o, "total", json_money(row->total));
    json_object_set_new(o, "oldest_days", json_integer(row->oldest_days));
    return o;
}

static void print_json(const bill_t *r)
{
    json_t *doc = json_object();
    json_t *period = json_object();
    json_object_set_new(period, "start", json_date(r->start));
    json_object_set_new(period, "end", json_date(r->end));
    json_object_set_new(doc, "period", period);
    json_t *common = json_object();
    json_object_set_new(common, "master_wh", json_integer((json_int_t)r->residual.master));
    json_object_set_new(common, "sub_meters_wh", json_integer((json_int_t)r->residual.sub_total));
    json_object_set_new(common, "carried_in_wh", json_integer((json_int_t)r->residual.carried_in));
    json_object_set_new(common, "common_wh", json_integer((json_int_t)r->residual.common));
    json_object_set_new(common, "negative_residual", json_boolean(r->residual.negative));
    json_object_set_new(common, "carry_out_wh", json_integer((json_int_t)r->residual.carry_out));
    json_object_set_new(common, "clamped_wh", json_integer((json_int_t)r->residual.clamped));
    json_object_set_new(common, "loss_bp", json_integer((json_int_t)r->residual.loss_bp));
    json_object_set_new(common, "charge", json_money(r->common_money));
    json_object_set_new(doc, "common", common);
    json_t *allocation = json_array();
    for (size_t i = 0; i < r->line_count; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "part", json_integer((json_int_t)r->lines[i].part_index));
        json_object_set_new(o, "account", json_integer((json_int_t)r->lines[i].account_id));
        json_object_set_new(o, "weight", json_integer((json_int_t)r->lines[i].weight));
        json_object_set_new(o, "energy_wh", json_integer((json_int_t)r->lines[i].energy));
        json_object_set_new(o, "amount", json_money(r->lines[i].money));
        json_array_append_new(allocation, o);
    }
    json_object_set_new(doc, "allocation", allocation);
    json_t *charges = json_array();
    for (size_t i = 0; i < r->charge_count; i++) {
        const prepay_charge_t *c = &r->charges[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer((json_int_t)c->charge_id));
        json_object_set_new(o, "account", json_integer((json_int_t)c->account_id));
        json_object_set_new(o, "item", json_integer(c->item_id));
        json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
        json_object_set_new(o, "occurrence", json_integer(c->occurrence));
        json_object_set_new(o, "covered_start", json_date(c->covered_start));
        json_object_set_new(o, "covered_end", json_date(c->covered_end));
        json_object_set_new(o, "amount", json_money(c->amount));
        json_object_set_new(o, "collect", json_string(c->collection == PREPAY_BILLING_COLLECT_BILL ? "bill" : "deduct"));
        json_array_append_new(charges, o);
    }
    json_object_set_new(doc, "charges", charges);
    json_t *statements = json_array();
    for (size_t i = 0; i < r->statement_count; i++) {
        json_array_append_new(statements, statement_json(&r->statements[i]));
    }
    json_object_set_new(doc, "statements", statements);
    json_t *arrears = json_array();
    for (size_t i = 0; i < r->row_count; i++) {
        json_array_append_new(arrears, arrears_json(&r->rows[i]));
    }
    json_object_set_new(doc, "as_of", json_date(r->as_of));
    json_object_set_new(doc, "arrears", arrears);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) {
        puts(text);
        free(text);
    }
    json_decref(doc);
}

static void print_csv(const char *table, const bill_t *r)
{
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32], d1[16], d2[16];
    if (strcmp(table, "statements") == 0) {
        printf("statement_id,account,period_start,period_end,issue_date,due_date,opening,energy,common_area,items,"
               "adjustments,charges,payments,closing\n");
        for (size_t i = 0; i < r->statement_count; i++) {
            const prepay_statement_t *st = &r->statements[i];
            char s1[16], s2[16];
            printf("%" PRIu64 ",%" PRIu64 ",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", st->statement_id,
                   st->account_id, date_text(st->period_start, d1), date_text(st->period_end, d2),
                   date_text(st->issue_date, s1), date_text(st->due_date, s2), money_text(st->opening, a),
                   money_text(st->totals[PREPAY_BILLING_LINE_ENERGY], b),
                   money_text(st->totals[PREPAY_BILLING_LINE_COMMON_AREA], c),
                   money_text(st->totals[PREPAY_BILLING_LINE_CHARGE_ITEM], d),
                   money_text(st->totals[PREPAY_BILLING_LINE_ADJUSTMENT], e), money_text(st->charges, f),
                   money_text(st->payments, g), money_text(st->closing, h));
        }
    } else if (strcmp(table, "arrears") == 0) {
        printf("account,not_due,days_0_30,days_31_60,days_61_90,days_over_90,total,oldest_days\n");
        for (size_t i = 0; i < r->row_count; i++) {
            const prepay_arrears_row_t *row = &r->rows[i];
            printf("%" PRIu64 ",%s,%s,%s,%s,%s,%s,%d\n", row->account_id, money_text(row->not_due, a),
                   money_text(row->buckets[0], b), money_text(row->buckets[1], c), money_text(row->buckets[2], d),
                   money_text(row->buckets[3], e), money_text(row->total, f), (int)row->oldest_days);
        }
    } else if (strcmp(table, "allocation") == 0) {
        printf("part,account,weight,energy_wh,amount\n");
        for (size_t i = 0; i < r->line_count; i++) {
            const prepay_alloc_line_t *l = &r->lines[i];
            printf("%zu,%" PRIu64 ",%" PRId64 ",%" PRId64 ",%s\n", l->part_index, l->account_id, l->weight, l->energy,
                   money_text(l->money, a));
        }
    } else {
        printf("id,account,item,name,occurrence,covered_start,covered_end,amount,collect\n");
        for (size_t i = 0; i < r->charge_count; i++) {
            const prepay_charge_t *ch = &r->charges[i];
            printf("%" PRIu64 ",%" PRIu64 ",%u,", ch->charge_id, ch->account_id, (unsigned)ch->item_id);
            csv_field(stdout, ch->name ? ch->name : "");
            printf(",%u,%s,%s,%s,%s\n", (unsigned)ch->occurrence, date_text(ch->covered_start, d1),
                   date_text(ch->covered_end, d2), money_text(ch->amount, a),
                   ch->collection == PREPAY_BILLING_COLLECT_BILL ? "bill" : "deduct");
        }
    }
}

static void print_text(const bill_t *r)
{
    char a[32], b[32], c[32], d[32], e[32], f[32], d1[16], d2[16];
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

/* Reads the whole input (a regular file of at most BILL_INPUT_MAX bytes). */
static int read_input(const char *path, char **text, size_t *len, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_cap, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (unsigned long long)st.st_size > BILL_INPUT_MAX) {
        snprintf(why, why_cap, "%s: not a regular file of at most %u bytes", path, BILL_INPUT_MAX);
        fclose(f);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    *text = malloc(size + 1);
    if (!*text || fread(*text, 1, size, f) != size) {
        snprintf(why, why_cap, "%s: cannot read", path);
        free(*text);
        *text = NULL;
        fclose(f);
        return -1;
    }
    fclose(f);
    (*text)[size] = '\0';
    *len = size;
    return 0;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: prepay bill SITE.json [--json | --csv statements|arrears|allocation|charges]\n"
                "One billing month of a site: common-area allocation, charge items, postpaid statements\n"
                "and arrears. Input format: docs/allocation-billing.md.\n");
}

int prepay_bill_options_parse(int argc, char **argv, bill_options_t *o, char *err, size_t err_cap)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            o->help = true;
            return 0;
        } else if (strcmp(argv[i], "--json") == 0) {
            o->json = true;
        } else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc) {
            o->csv = argv[++i];
            if (strcmp(o->csv, "statements") != 0 && strcmp(o->csv, "arrears") != 0 &&
                strcmp(o->csv, "allocation") != 0 && strcmp(o->csv, "charges") != 0) {
                snprintf(err, err_cap, "unknown CSV table '%.64s'", o->csv);
                return 2;
            }
        } else if (argv[i][0] == '-' || o->path) {
            snprintf(err, err_cap, "unexpected argument '%.64s' (try --help)", argv[i]);
            return 2;
        } else {
            o->path = argv[i];
        }
    }
    if (!o->path || (o->json && o->csv)) {
        snprintf(err, err_cap, "%s (try --help)", o->path ? "--json and --csv exclude each other" : "no input file");
        return 2;
    }
    return 0;
}

int prepay_tool_bill(int argc, char **argv)
{
    bill_options_t o;
    char err[256];
    if (prepay_bill_options_parse(argc, argv, &o, err, sizeof err) != 0) {
        fprintf(stderr, "prepay bill: %s\n", err);
        return 2;
    }
    if (o.help) {
        usage(stdout);
        return 0;
    }
    const char *path = o.path, *csv = o.csv;
    bool json = o.json;
    bill_t bill;
    char *text = NULL;
    size_t len = 0;
    char why[256];
    if (read_input(path, &text, &len, why, sizeof why) != 0) {
        fprintf(stderr, "prepay bill: %s\n", why);
        return 2;
    }
    bool ok = bill_parse(text, len, &bill) == 0 && bill_run(&bill) == 0;
    free(text);
    if (ok) {
        if (json) {
            print_json(&bill);
        } else if (csv) {
            print_csv(csv, &bill);
        } else {
            print_text(&bill);
        }
    } else {
        fprintf(stderr, "prepay bill: %s: %s\n", path, bill.error);
    }
    bill_free(&bill);
    return ok ? 0 : 2;
}
