/*
 * prepay tariff: check, bill and vend with a tariff file (JSON, URDB or SAM).
 *
 *   prepay tariff check T.json [--json]
 *   prepay tariff bill  T.json readings.csv [--json] [--household-add KWH]
 *   prepay tariff vend  T.json --amount MONEY [--used KWH] [--at TIME] [--band NAME]
 *                       [--quantum KWH] [--json]
 *
 * Readings CSV: `timestamp,register` rows (a register in kWh, or m3 for
 * water) or `start,end,energy` rows; timestamps 'YYYY-MM-DD hh:mm[:ss]'
 * local; '#' comments, blank lines and one header line are skipped.
 * Quantities are decimal strings parsed exactly (at most 3 decimals: 1 Wh,
 * 1 L). Bad input: one line on stderr (file:line or the JSON path), exit 2.
 */
#define _POSIX_C_SOURCE 200809L /* localtime_r */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "readings.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"

#define EXIT_BAD_INPUT 2
#define EXIT_FAILED 1

static int bad_input(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static int bad_input(const char *fmt, ...)
{
    va_list ap;
    fputs("prepay tariff: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_BAD_INPUT;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: prepay tariff check T.json [--json]\n"
                "       prepay tariff bill T.json readings.csv [--json] [--household-add KWH]\n"
                "       prepay tariff vend T.json --amount MONEY [--used KWH] [--at 'YYYY-MM-DD hh:mm'] "
                "[--band NAME] [--quantum KWH] [--json]\n"
                "Tariff files: libprepay JSON (docs/tariff-json.md), OpenEI URDB or NREL SAM rates.\n"
                "Readings CSV: 'timestamp,register' or 'start,end,energy' rows, kWh (m3 for water) as decimals.\n");
}

/* ---- formatting ----------------------------------------------------------------- */

static const char *rounding_name(prepay_rounding_t mode)
{
    switch (mode) {
    case PREPAY_ROUND_HALF_UP: return "half_up";
    case PREPAY_ROUND_HALF_EVEN: return "half_even";
    case PREPAY_ROUND_DOWN: return "down";
    case PREPAY_ROUND_UP: return "up";
    case PREPAY_ROUND_FLOOR: return "floor";
    case PREPAY_ROUND_CEILING: return "ceiling";
    default: return "?";
    }
}

static const char *mode_name(prepay_tou_tier_mode_t mode)
{
    switch (mode) {
    case PREPAY_TOU_TIER_UNIFORM: return "surcharge";
    case PREPAY_TOU_TIER_CHRONOLOGICAL: return "per_band_chronological";
    case PREPAY_TOU_TIER_PROPORTIONAL: return "per_band_proportional";
    default: return "?";
    }
}

/* Fixed-point text; the buffer must hold 32 bytes. */
static const char *fmt_fixed(int64_t v, unsigned decimals, char *buf)
{
    if (prepay_fixed_format(v, decimals, buf, 32) < 0) {
        snprintf(buf, 32, "?");
    }
    return buf;
}

/* An exact amount in currency units: minor units + nanos -> "12.3400000005" (trailing zeros trimmed to 2). */
static const char *fmt_amount(prepay_amount_t a, char *buf)
{
    bool neg = a.units < 0;
    uint64_t units;
    uint32_t nanos = a.nanos;
    if (neg) {
        /* value = units + nanos/1e9 = -(|units| - nanos/1e9) */
        units = (uint64_t)(-(a.units + 1));
        if (nanos == 0) {
            units += 1;
        } else {
            nanos = 1000000000u - nanos;
        }
    } else {
        units = (uint64_t)a.units;
    }
    char frac[16];
    snprintf(frac, sizeof frac, "%02u%09u", (unsigned)(units % 100u), nanos);
    size_t n = strlen(frac);
    while (n > 2 && frac[n - 1] == '0') {
        frac[--n] = '\0';
    }
    snprintf(buf, 48, "%s%" PRIu64 ".%s", neg && (units || nanos) ? "-" : "", units / 100u, frac);
    return buf;
}

static const char *quantity_unit(const prepay_tariff_doc_t *doc)
{
    return doc->sets[0].unit == PREPAY_TARIFF_UNIT_WATER ? "m3" : "kWh";
}

static void json_string_out(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p);
        } else if (*p < 0x20) {
            fprintf(out, "\\u%04x", *p);
        } else {
            fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* "YYYY-MM" of a cycle id (months since year 0), or "" outside years 1..9999. */
static void cycle_label(int32_t cycle, char *buf)
{
    int32_t year = cycle >= 0 ? cycle / 12 : -((-cycle + 11) / 12);
    unsigned month = (unsigned)(cycle - year * 12 + 1);
    prepay_days_t first = 0;
    buf[0] = '\0';
    if (prepay_time_days_from_date(year, month, 1, &first) == PREPAY_OK) {
        prepay_time_format((prepay_time_t)first * PREPAY_SECONDS_PER_DAY, PREPAY_TIME_TEXT_MONTH, buf, 16);
    }
}

/* ---- loading ---------------------------------------------------------------------- */

static int load_doc(const char *path, prepay_tariff_doc_t *doc)
{
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int rc = prepay_tariff_doc_load_file(path, doc, err, sizeof err);
    if (rc != PREPAY_OK) {
        fprintf(stderr, "prepay tariff: %s\n", err[0] ? err : prepay_strerror(rc));
        return EXIT_BAD_INPUT; /* unreadable file, JSON error or a tariff the engine refuses */
    }
    return 0;
}

/* Exact quantity (kWh or m3 with at most 3 decimals) -> Wh or L. */
static int parse_quantity(const char *s, size_t n, int64_t *out)
{
    return prepay_fixed_parse(s, n, 3, out);
}

/* ---- check ------------------------------------------------------------------------- */

static void print_minute(FILE *out, unsigned minute)
{
    char text[PREPAY_TIME_TEXT_MAX] = "";
    prepay_time_format_time_of_day((int32_t)minute * 60, false, text, sizeof text);
    fputs(text, out);
}

/* Demand and capacity charges, one line per charge (docs/tariff-json.md). */
static void print_demand(const prepay_tariff_doc_t *doc)
{
    const prepay_tariff_demand_t *d = &doc->sets[0].demand;
    char b1[32], b2[32];
    for (unsigned p = 0; p <= d->period_count; p++) {
        const uint8_t *by_month = p == 0 ? d->flat_rate : d->period_rate[p - 1];
        for (unsigned m = 0; m < 12; m++) {
            unsigned r = by_month[m];
            if (r == 0 || (m > 0 && by_month[m - 1] == r)) {
                continue; /* one line per run of months with the same rate */
            }
            unsigned last = m;
            while (last + 1 < 12 && by_month[last + 1] == r) {
                last++;
            }
            printf("demand:    %s, months %u-%u:", p == 0 ? "flat" : doc->demand_period_names[p - 1], m + 1, last + 1);
            const prepay_demand_rate_t *rate = &d->rates[r - 1];
            for (unsigned k = 0; k < rate->tier_count; k++) {
                if (rate->upper[k] == PREPAY_DEMAND_UNBOUNDED) {
                    printf(" %s/kW", fmt_fixed(rate->price[k], 8, b2));
                } else {
                    printf(" %s/kW up to %s kW,", fmt_fixed(rate->price[k], 8, b2), fmt_fixed(rate->upper[k], 3, b1));
                }
            }
            printf("\n");
        }
    }
    if (d->ratchet) {
        printf("ratchet:   %u months back, minimum %s kW\n", d->ratchet_months, fmt_fixed(d->ratchet_minimum, 3, b1));
    }
    if (d->capacity_price > 0) {
        printf("capacity:  %s/kVA per month, contracted %s kVA\n", fmt_fixed(d->capacity_price, 8, b1),
               fmt_fixed(d->capacity, 3, b2));
    }
}

static int cmd_check(const char *path, bool as_json)
{
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    if (!doc) {
        fprintf(stderr, "prepay tariff: out of memory\n");
        return EXIT_FAILED;
    }
    int rc = load_doc(path, doc);
    if (rc) {
        free(doc);
        return rc;
    }
    const prepay_tariff_t *t = &doc->sets[0];
    char b1[32], b2[48];
    if (as_json) {
        printf("{\"valid\": true, \"name\": ");
        json_string_out(stdout, doc->name);
        printf(", \"notice\": ");
        json_string_out(stdout, doc->notice);
        printf(", \"commodity\": \"%s\", \"bands\": [", t->unit == PREPAY_TARIFF_UNIT_WATER ? "water" : "electricity");
        for (unsigned b = 1; b <= t->band_count; b++) {
            printf("%s{\"index\": %u, \"name\": ", b > 1 ? ", " : "", b);
            json_string_out(stdout, doc->band_names[b - 1]);
            printf(", \"prices\": [");
            for (unsigned k = 1; k <= t->tier_count; k++) {
                prepay_price_t p = 0;
                prepay_tariff_price(t, b, k, &p);
                printf("%s\"%s\"", k > 1 ? ", " : "", fmt_fixed(p, 8, b1));
            }
            printf("]}");
        }
        printf("], \"tiers\": %u, \"tou_mode\": \"%s\", \"cycle\": \"%s\", \"seasons\": %u, \"day_tables\": %u, "
               "\"holidays\": %u, \"overrides\": %u, \"fixed_charges\": %u, \"price_sets\": %u, "
               "\"rounding\": {\"mode\": \"%s\", \"scope\": \"%s\"}}\n",
               t->tier_count, mode_name(t->tou_tier_mode), t->cycle_kind == PREPAY_CYCLE_YEAR ? "year" : "month",
               t->schedule.season_count, t->schedule.day_table_count, t->schedule.holiday_count,
               t->schedule.override_count, t->fixed_charge_count, doc->has_set_b ? 2u : 1u,
               rounding_name(t->rounding), t->round_scope == PREPAY_ROUND_PER_BILL ? "bill" : "line");
        free(doc);
        return 0;
    }
    printf("%s: valid\n", path);
    printf("name:      %s\n", doc->name);
    printf("source:    %s\n", doc->notice);
    if (doc->url[0]) {
        printf("url:       %s\n", doc->url);
    }
    printf("commodity: %s (quantities in %s, prices per %s%s%s)\n",
           t->unit == PREPAY_TARIFF_UNIT_WATER ? "water" : "electricity", quantity_unit(doc), quantity_unit(doc),
           doc->currency[0] ? ", " : "", doc->currency);
    printf("bands:     %u; tiers: %u; TOU x tier mode: %s\n", t->band_count, t->tier_count,
           mode_name(t->tou_tier_mode));
    for (int s = 0; s < (doc->has_set_b ? 2 : 1); s++) {
        const prepay_tariff_t *ts = &doc->sets[s];
        if (doc->has_set_b) {
            char when[PREPAY_TIME_TEXT_MAX] = "";
            prepay_time_format(doc->switch_time, PREPAY_TIME_TEXT_MINUTE, when, sizeof when);
            printf("price set %c%s%s:\n", 'A' + s, s ? " from " : "", s ? when : "");
        }
        for (unsigned b = 1; b <= ts->band_count; b++) {
            printf("  %-12s", doc->band_names[b - 1]);
            for (unsigned k = 1; k <= ts->tier_count; k++) {
                prepay_price_t p = 0;
                prepay_tariff_price(ts, b, k, &p);
                printf(" %s", fmt_fixed(p, 8, b1));
            }
            printf(" per %s\n", quantity_unit(doc));
        }
    }
    if (t->schedule.season_count == 0) {
        printf("schedule:  none (always %s)\n", doc->band_names[t->schedule.default_band - 1]);
    } else {
        printf("seasons:   %u\n", t->schedule.season_count);
        for (unsigned i = 0; i < t->schedule.season_count; i++) {
            const prepay_tou_season_t *se = &t->schedule.seasons[i];
            printf("  from %02u-%02u: weekday table %u, saturday %u, sunday %u, holiday %u\n", se->start_month,
                   se->start_day, se->weekday_table + 1u, se->saturday_table + 1u, se->sunday_table + 1u,
                   se->holiday_table + 1u);
        }
        for (unsigned i = 0; i < t->schedule.day_table_count; i++) {
            const prepay_tou_day_table_t *dt = &t->schedule.day_tables[i];
            printf("  table %u:", i + 1);
            for (unsigned k = 0; k < dt->slot_count; k++) {
                printf(" ");
                print_minute(stdout, dt->slots[k].start_minute);
                printf(" %s", doc->band_names[dt->slots[k].band - 1]);
                if (k + 1 < dt->slot_count) {
                    printf(",");
                }
            }
            printf("\n");
        }
        printf("holidays:  %u; overrides: %u\n", t->schedule.holiday_count, t->schedule.override_count);
    }
    if (t->tier_count > 1) {
        if (t->cycle_kind == PREPAY_CYCLE_YEAR) {
            printf("ladder:    per year from %02u-%02u, %s\n", t->cycle_start_month, t->cycle_start_day,
                   mode_name(t->tou_tier_mode));
        } else {
            printf("ladder:    per month from day %u, %s\n", t->cycle_start_day, mode_name(t->tou_tier_mode));
        }
        for (unsigned li = 0; li < t->ladder_count; li++) {
            printf("  ladder %u (months", li + 1);
            for (unsigned m = 0; m < 12; m++) {
                if (t->ladder_of_month[m] == li) {
                    printf(" %u", m + 1);
                }
            }
            printf("): bounds");
            for (unsigned k = 0; k + 1 < t->tier_count; k++) {
                printf(" %s", fmt_fixed(t->ladders[li].upper[k], 3, b1));
            }
            printf(" %s%s\n", quantity_unit(doc), t->ladders[li].per_day ? " per day" : "");
        }
        bool any_add = false;
        for (unsigned k = 0; k + 1 < t->tier_count; k++) {
            any_add = any_add || doc->account.tier_add[k] != 0;
        }
        if (any_add) {
            printf("  household adjustment:");
            for (unsigned k = 0; k + 1 < t->tier_count; k++) {
                printf(" +%s", fmt_fixed(doc->account.tier_add[k], 3, b1));
            }
            printf(" %s\n", quantity_unit(doc));
        }
    }
    for (unsigned i = 0; i < t->fixed_charge_count; i++) {
        printf("fixed:     %s %s per cycle\n", doc->fixed_names[i][0] ? doc->fixed_names[i] : "charge",
               fmt_amount(prepay_amount_from_money(t->fixed_charges[i].amount), b2));
    }
    print_demand(doc);
    printf("rounding:  %s, per %s\n", rounding_name(t->rounding),
           t->round_scope == PREPAY_ROUND_PER_BILL ? "bill" : "line");
    free(doc);
    return 0;
}

/* ---- bill ---------------------------------------------------------------------------- */

static const char *kind_name(prepay_line_kind_t kind)
{
    static const char *const names[] = {"energy", "fixed", "demand", "capacity"};
    return (unsigned)kind <= PREPAY_LINE_CAPACITY ? names[kind] : "?";
}

/* What a line charges: the band, the fixed charge, "demand" (flat) or the demand period, "capacity". */
static const char *line_label(const prepay_tariff_doc_t *doc, const prepay_tariff_line_t *l)
{
    switch (l->kind) {
    case PREPAY_LINE_ENERGY:
        return doc->band_names[l->band - 1];
    case PREPAY_LINE_FIXED:
        return doc->fixed_names[l->fixed_index][0] ? doc->fixed_names[l->fixed_index] : "fixed";
    case PREPAY_LINE_DEMAND:
        return l->band == 0 ? "demand" : doc->demand_period_names[l->band - 1];
    default:
        return "capacity";
    }
}

/* Quantities: energy in kWh (m3), demand in kW, capacity in kVA: all 3 decimals of the stored unit. */
static const char *line_unit(const prepay_tariff_doc_t *doc, const prepay_tariff_line_t *l)
{
    return l->kind == PREPAY_LINE_DEMAND ? "kW" : l->kind == PREPAY_LINE_CAPACITY ? "kVA" : quantity_unit(doc);
}

static void print_bill_text(const prepay_tariff_doc_t *doc, const prepay_tariff_bill_t *bill)
{
    char b1[32], b2[32], b3[48], b4[48], cyc[16];
    printf("tariff: %s\n", doc->name);
    printf("%-8s %-7s %-12s %-4s %14s %12s %18s %12s\n", "cycle", "set", "band", "tier", quantity_unit(doc),
           "price", "exact", "money");
    for (size_t i = 0; i < bill->line_count; i++) {
        const prepay_tariff_line_t *l = &bill->lines[i];
        cycle_label(l->cycle, cyc);
        if (l->kind == PREPAY_LINE_FIXED || l->kind == PREPAY_LINE_CAPACITY) {
            printf("%-8s %-7s %-12s %-4s %14s %12s %18s %12s\n", cyc, l->price_set ? "B" : "A", line_label(doc, l),
                   "-", l->kind == PREPAY_LINE_CAPACITY ? fmt_fixed(l->quantity, 3, b1) : "-",
                   l->kind == PREPAY_LINE_CAPACITY ? fmt_fixed(l->price, 8, b2) : "-", fmt_amount(l->amount, b3),
                   fmt_amount(prepay_amount_from_money(l->money), b4));
        } else if (l->kind == PREPAY_LINE_DEMAND) {
            printf("%-8s %-7s %-12s %-4u %11s kW %12s %18s %12s\n", cyc, l->price_set ? "B" : "A", line_label(doc, l),
                   l->tier, fmt_fixed(l->quantity, 3, b1), fmt_fixed(l->price, 8, b2), fmt_amount(l->amount, b3),
                   fmt_amount(prepay_amount_from_money(l->money), b4));
        } else {
            printf("%-8s %-7s %-12s %-4u %14s %12s %18s %12s\n", cyc, l->price_set ? "B" : "A",
                   doc->band_names[l->band - 1], l->tier, fmt_fixed(l->quantity, 3, b1), fmt_fixed(l->price, 8, b2),
                   fmt_amount(l->amount, b3), fmt_amount(prepay_amount_from_money(l->money), b4));
        }
    }
    printf("energy: %s %s\n", fmt_fixed(bill->energy_total, 3, b1), quantity_unit(doc));
    printf("exact:  %s\n", fmt_amount(bill->exact_total, b3));
    printf("total:  %s%s%s (rounding %s per %s)\n", fmt_amount(prepay_amount_from_money(bill->total), b4),
           doc->currency[0] ? " " : "", doc->currency, rounding_name(bill->rounding),
           bill->scope == PREPAY_ROUND_PER_BILL ? "bill" : "line");
}

static void print_bill_json(const prepay_tariff_doc_t *doc, const prepay_tariff_bill_t *bill)
{
    char b1[32], b2[32], b3[48], cyc[16];
    printf("{\"tariff\": ");
    json_string_out(stdout, doc->name);
    printf(", \"currency\": ");
    json_string_out(stdout, doc->currency);
    printf(", \"unit\": \"%s\", \"rounding\": {\"mode\": \"%s\", \"scope\": \"%s\"}", quantity_unit(doc),
           rounding_name(bill->rounding), bill->scope == PREPAY_ROUND_PER_BILL ? "bill" : "line");
    printf(", \"energy\": \"%s\", \"exact_total\": \"%s\", \"total\": \"%s\", \"lines\": [",
           fmt_fixed(bill->energy_total, 3, b1), fmt_amount(bill->exact_total, b3),
           fmt_fixed(bill->total, 2, b2));
    for (size_t i = 0; i < bill->line_count; i++) {
        const prepay_tariff_line_t *l = &bill->lines[i];
        cycle_label(l->cycle, cyc);
        printf("%s\n  {\"kind\": \"%s\", \"cycle\": \"%s\", \"price_set\": \"%s\", ", i ? "," : "",
               kind_name(l->kind), cyc, l->price_set ? "B" : "A");
        if (l->kind == PREPAY_LINE_FIXED) {
            printf("\"name\": ");
            json_string_out(stdout, doc->fixed_names[l->fixed_index]);
            printf(", \"band\": null, \"tier\": null, ");
        } else if (l->kind == PREPAY_LINE_DEMAND || l->kind == PREPAY_LINE_CAPACITY) {
            printf("\"period\": ");
            if (l->kind == PREPAY_LINE_DEMAND && l->band > 0) {
                json_string_out(stdout, line_label(doc, l));
            } else {
                printf("null");
            }
            printf(", \"unit\": \"%s\", \"band\": null, \"tier\": ", line_unit(doc, l));
            l->kind == PREPAY_LINE_DEMAND ? printf("%u, ", l->tier) : printf("null, ");
        } else {
            printf("\"band\": ");
            json_string_out(stdout, doc->band_names[l->band - 1]);
            printf(", \"band_index\": %u, \"tier\": %u, ", l->band, l->tier);
        }
        printf("\"quantity\": \"%s\", \"price\": \"%s\", ", fmt_fixed(l->quantity, 3, b1), fmt_fixed(l->price, 8, b2));
        printf("\"amount\": \"%s\", ", fmt_amount(l->amount, b3));
        printf("\"money\": \"%s\"}", fmt_fixed(l->money, 2, b1));
    }
    printf("\n]}\n");
}

static int run_bill(const prepay_tariff_doc_t *doc, const prepay_tariff_account_t *account,
                    const readings_t *list, prepay_tariff_bill_t *bill, prepay_tariff_line_t **lines_out)
{
    prepay_tariff_plan_t plan;
    prepay_tariff_doc_plan(doc, &plan);
    size_t cap = 64;
    for (int attempt = 0; attempt < 4; attempt++) {
        prepay_tariff_line_t *lines = calloc(cap, sizeof *lines);
        if (!lines) {
            return PREPAY_E_HOSTED_NO_MEMORY;
        }
        int rc = prepay_tariff_bill_init(bill, &doc->sets[0], lines, cap);
        if (rc == PREPAY_OK) {
            rc = prepay_tariff_eval_batch(&plan, account, NULL, list->items, list->count, bill);
        }
        if (rc == PREPAY_E_BUFFER_TOO_SMALL && bill->lines_needed > cap) {
            cap = bill->lines_needed + 16;
            free(lines);
            continue;
        }
        if (rc != PREPAY_OK) {
            free(lines);
            return rc;
        }
        *lines_out = lines;
        return PREPAY_OK;
    }
    return PREPAY_E_BUFFER_TOO_SMALL;
}

static int cmd_bill(const char *tariff_path, const char *csv_path, bool as_json, const char *household_add)
{
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    if (!doc) {
        fprintf(stderr, "prepay tariff: out of memory\n");
        return EXIT_FAILED;
    }
    int rc = load_doc(tariff_path, doc);
    if (rc) {
        free(doc);
        return rc;
    }
    prepay_tariff_account_t account = doc->account;
    if (household_add) {
        int64_t add;
        if (parse_quantity(household_add, strlen(household_add), &add) != PREPAY_OK || add < 0) {
            free(doc);
            return bad_input("--household-add: '%s' is not a non-negative decimal with at most 3 decimals",
                             household_add);
        }
        for (unsigned k = 0; k < PREPAY_MAX_TIERS; k++) {
            account.tier_add[k] = add;
        }
    }
    readings_t list = {NULL, 0, 0};
    char why[READINGS_ERROR_MAX];
    rc = readings_load(csv_path, &list, why, sizeof why);
    if (rc != 0) {
        rc = bad_input("%s", why);
    }
    if (rc) {
        free(list.items);
        free(doc);
        return rc;
    }
    prepay_tariff_bill_t bill;
    prepay_tariff_line_t *lines = NULL;
    int st = run_bill(doc, &account, &list, &bill, &lines);
    if (st != PREPAY_OK) {
        bool input = st == PREPAY_E_TARIFF_TIME_ORDER || st == PREPAY_E_TARIFF_BAD_INTERVAL ||
                     st == PREPAY_E_BAD_DATE || st == PREPAY_E_TARIFF_REGISTER_BACKWARDS;
        fprintf(stderr, "prepay tariff: %s: cannot bill: %s\n", csv_path, prepay_strerror(st));
        free(list.items);
        free(doc);
        return input ? EXIT_BAD_INPUT : EXIT_FAILED;
    }
    if (as_json) {
        print_bill_json(doc, &bill);
    } else {
        print_bill_text(doc, &bill);
    }
    free(lines);
    free(list.items);
    free(doc);
    return 0;
}

/* ---- vend ------------------------------------------------------------------------------ */

static int cmd_vend(const char *tariff_path, const char *amount_text, const char *used_text, const char *at_text,
                    const char *band_name, const char *quantum_text, bool as_json)
{
    prepay_money_t money;
    if (!amount_text) {
        return bad_input("vend needs --amount MONEY");
    }
    if (prepay_fixed_parse(amount_text, strlen(amount_text), 2, &money) != PREPAY_OK || money < 0) {
        return bad_input("--amount: '%s' is not a non-negative amount with at most 2 decimals", amount_text);
    }
    int64_t used = 0, quantum = 10;
    if (used_text && (parse_quantity(used_text, strlen(used_text), &used) != PREPAY_OK || used < 0)) {
        return bad_input("--used: '%s' is not a non-negative decimal with at most 3 decimals", used_text);
    }
    if (quantum_text && (parse_quantity(quantum_text, strlen(quantum_text), &quantum) != PREPAY_OK || quantum < 1)) {
        return bad_input("--quantum: '%s' is not a positive decimal with at most 3 decimals", quantum_text);
    }
    prepay_time_t at;
    if (at_text) {
        if (prepay_time_parse_date_time(at_text, strlen(at_text), &at) != PREPAY_OK) {
            return bad_input("--at: '%s' is not 'YYYY-MM-DD hh:mm[:ss]'", at_text);
        }
    } else {
        time_t now = time(NULL);
        struct tm tm_local;
        if (!localtime_r(&now, &tm_local)) {
            return bad_input("cannot read the local time; give --at");
        }
        /* tm_sec may be 60 (a leap second); civil meter time has none. */
        prepay_civil_t c = {(int32_t)tm_local.tm_year + 1900, (uint8_t)(tm_local.tm_mon + 1), (uint8_t)tm_local.tm_mday,
                            (uint8_t)tm_local.tm_hour,        (uint8_t)tm_local.tm_min,
                            (uint8_t)(tm_local.tm_sec > 59 ? 59 : tm_local.tm_sec), 0};
        if (prepay_time_from_civil(&c, &at) != PREPAY_OK) {
            return bad_input("cannot read the local time; give --at");
        }
    }
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    if (!doc) {
        fprintf(stderr, "prepay tariff: out of memory\n");
        return EXIT_FAILED;
    }
    int rc = load_doc(tariff_path, doc);
    if (rc) {
        free(doc);
        return rc;
    }
    unsigned band = 0;
    if (band_name) {
        for (unsigned b = 1; b <= doc->sets[0].band_count; b++) {
            if (strcmp(doc->band_names[b - 1], band_name) == 0) {
                band = b;
            }
        }
        if (band == 0) {
            free(doc);
            return bad_input("--band: no band named '%s' in %s", band_name, tariff_path);
        }
    }
    prepay_tariff_plan_t plan;
    prepay_tariff_doc_plan(doc, &plan);
    prepay_tariff_state_t state;
    prepay_tariff_state_init(&state);
    int st = PREPAY_OK;
    if (used > 0) {
        /* Position the account: `used` consumed from the start of the cycle of `at` up to `at`. */
        int32_t cycle;
        prepay_time_t cycle_start;
        st = prepay_tariff_cycle_of(&doc->sets[0], at, &cycle);
        if (st == PREPAY_OK) {
            st = prepay_tariff_cycle_bounds(&doc->sets[0], cycle, &cycle_start, NULL);
        }
        if (st == PREPAY_OK && cycle_start >= at) {
            free(doc);
            return bad_input("--used needs --at after the start of the cycle");
        }
        if (st == PREPAY_OK) {
            prepay_tariff_line_t *lines = calloc(4096, sizeof *lines);
            prepay_tariff_feed_result_t result;
            st = lines ? prepay_tariff_feed_interval(&plan, &doc->account, &state, cycle_start, at, used, lines, 4096,
                                                     &result)
                       : PREPAY_E_HOSTED_NO_MEMORY;
            free(lines);
            if (st > 0) {
                st = PREPAY_OK;
            }
        }
    }
    prepay_energy_t energy = 0;
    prepay_amount_t cost = {0, 0};
    if (st == PREPAY_OK) {
        st = prepay_tariff_vend(&plan, &doc->account, &state, at, band, money, quantum, &energy, &cost);
    }
    if (st != PREPAY_OK) {
        fprintf(stderr, "prepay tariff: vend: %s\n", prepay_strerror(st));
        free(doc);
        return st == PREPAY_E_TARIFF_FREE_ENERGY ? EXIT_FAILED : EXIT_BAD_INPUT;
    }
    char b1[32], b2[32], b3[48], b4[32];
    fmt_fixed(money, 2, b1);
    fmt_fixed(used, 3, b2);
    fmt_amount(cost, b3);
    fmt_fixed(energy, 3, b4);
    if (as_json) {
        printf("{\"tariff\": ");
        json_string_out(stdout, doc->name);
        printf(", \"amount\": \"%s\", \"used\": \"%s\", \"energy\": \"%s\", \"cost\": \"%s\", \"unit\": \"%s\"}\n", b1,
               b2, b4, b3, quantity_unit(doc));
    } else {
        printf("%s buys %s %s (exact cost %s) with %s %s already used in the cycle\n", b1, b4, quantity_unit(doc), b3,
               b2, quantity_unit(doc));
    }
    free(doc);
    return 0;
}

/* ---- entry ------------------------------------------------------------------------------- */

int prepay_tariff_options_parse(int argc, char **argv, tariff_options_t *o, char *err, size_t err_cap)
{
    memset(o, 0, sizeof *o);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        o->help = argc >= 2;
        if (argc < 2) {
            snprintf(err, err_cap, "no subcommand (check, bill or vend; try --help)");
            return EXIT_BAD_INPUT;
        }
        return 0;
    }
    o->sub = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (strcmp(a, "--json") == 0) {
            o->json = true;
            continue;
        } else if (strcmp(a, "--amount") == 0) {
            slot = &o->amount;
        } else if (strcmp(a, "--used") == 0) {
            slot = &o->used;
        } else if (strcmp(a, "--at") == 0) {
            slot = &o->at;
        } else if (strcmp(a, "--band") == 0) {
            slot = &o->band;
        } else if (strcmp(a, "--quantum") == 0) {
            slot = &o->quantum;
        } else if (strcmp(a, "--household-add") == 0) {
            slot = &o->household;
        } else if (a[0] == '-' && a[1] == '-') {
            snprintf(err, err_cap, "unknown option '%.64s' (try 'prepay tariff --help')", a);
            return EXIT_BAD_INPUT;
        } else {
            if (o->positional_count >= 2) {
                snprintf(err, err_cap, "too many arguments ('%.64s')", a);
                return EXIT_BAD_INPUT;
            }
            o->positional[o->positional_count++] = a;
            continue;
        }
        if (i + 1 >= argc) {
            snprintf(err, err_cap, "%s needs a value", a);
            return EXIT_BAD_INPUT;
        }
        *slot = argv[++i];
    }
    return 0;
}

int prepay_tool_tariff(int argc, char **argv)
{
    tariff_options_t o;
    char err[256];
    if (prepay_tariff_options_parse(argc, argv, &o, err, sizeof err) != 0) {
        if (argc < 2) {
            usage(stderr);
            return EXIT_BAD_INPUT;
        }
        return bad_input("%s", err);
    }
    if (o.help) {
        usage(stdout);
        return 0;
    }
    const char *sub = o.sub;
    const char *const *positional = o.positional;
    size_t npos = o.positional_count;
    bool as_json = o.json;
    const char *amount = o.amount, *used = o.used, *at = o.at, *band = o.band, *quantum = o.quantum,
               *household = o.household;
    if (strcmp(sub, "check") == 0) {
        if (npos != 1) {
            return bad_input("usage: prepay tariff check T.json [--json]");
        }
        return cmd_check(positional[0], as_json);
    }
    if (strcmp(sub, "bill") == 0) {
        if (npos != 2) {
            return bad_input("usage: prepay tariff bill T.json readings.csv [--json]");
        }
        return cmd_bill(positional[0], positional[1], as_json, household);
    }
    if (strcmp(sub, "vend") == 0) {
        if (npos != 1) {
            return bad_input("usage: prepay tariff vend T.json --amount MONEY [--used KWH] [--at TIME]");
        }
        return cmd_vend(positional[0], amount, used, at, band, quantum, as_json);
    }
    return bad_input("unknown subcommand '%s' (check, bill or vend)", sub);
}
