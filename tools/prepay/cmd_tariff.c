/* SPDX-License-Identifier: MIT */
/*
 * prepay tariff: check, bill and vend with a tariff file (JSON, URDB or SAM).
 *
 *   prepay tariff check T.json [--json]
 *   prepay tariff bill  T.json READINGS.csv [--json] [--household-add KWH]
 *   prepay tariff vend  T.json --amount MONEY [--used KWH] [--at TIME] [--band NAME]
 *                       [--quantum KWH] [--json]
 *
 * Readings CSV (readings.h): `timestamp,register` rows (a register in kWh,
 * or m3 for water) or `start,end,energy` rows, local times. Quantities are
 * decimal strings parsed exactly (at most 3 decimals: 1 Wh, 1 L). Either
 * file may be '-', the standard input. Each subcommand is cut into input
 * (options and files read and checked), run and output (docs/cli.md).
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
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"
#include "readings.h"

/* Largest tariff file read. */
#define TARIFF_FILE_MAX (64u * 1024u * 1024u)

/* ---- names ------------------------------------------------------------------------------------ */

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

static const char *quantity_unit(const prepay_tariff_doc_t *doc)
{
    return doc->sets[0].unit == PREPAY_TARIFF_UNIT_WATER ? "m3" : "kWh";
}

static const char *scope_name(prepay_round_scope_t scope)
{
    return scope == PREPAY_ROUND_PER_BILL ? "bill" : "line";
}

/* "YYYY-MM" of a cycle id (months since year 0), or "" outside years 1..9999. */
static const char *cycle_label(int32_t cycle, char buf[CLI_TEXT_MAX])
{
    int32_t year = cycle >= 0 ? cycle / 12 : -((-cycle + 11) / 12);
    unsigned month = (unsigned)(cycle - year * 12 + 1);
    prepay_days_t first = 0;
    if (prepay_time_days_from_date(year, month, 1, &first) != PREPAY_OK) {
        buf[0] = '\0';
        return buf;
    }
    return cli_time_text((prepay_time_t)first * PREPAY_SECONDS_PER_DAY, PREPAY_TIME_TEXT_MONTH, buf);
}

/* The price of a band and tier as text ("?" if the tariff has none there). */
static const char *price_text(const prepay_tariff_t *t, unsigned band, unsigned tier, char buf[CLI_TEXT_MAX])
{
    prepay_price_t p = 0;
    int status = prepay_tariff_price(t, band, tier, &p);
    return status == PREPAY_OK ? cli_fixed_text(p, 8, buf) : strcpy(buf, "?");
}

/* ---- input ------------------------------------------------------------------------------------ */

typedef struct tariff_input {
    const char *path;
    prepay_tariff_doc_t *doc; /* heap */
} tariff_input_t;

/* Reads the tariff file (or the standard input) into a new document; reports and returns the exit status. */
static int load_doc(const cli_t *cli, const char *path, prepay_tariff_doc_t **out)
{
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    char *text = NULL;
    size_t len = 0;
    int status = PREPAY_OK;
    *out = NULL;
    if (cli_read_input(path, TARIFF_FILE_MAX, &text, &len, &status, err, sizeof err) != 0) {
        return cli_bad_status(cli, status, "%s", err);
    }
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    status = doc ? prepay_tariff_doc_load_buffer(text, len, cli_input_name(path), doc, err, sizeof err)
                 : PREPAY_E_HOSTED_NO_MEMORY;
    free(text);
    if (status != PREPAY_OK) {
        free(doc);
        /* an unreadable file, a JSON error or a tariff the engine refuses: the input is wrong */
        return cli_bad_status(cli, status, "%s", doc ? err : "out of memory");
    }
    *out = doc;
    return CLI_EXIT_OK;
}

/* ---- check ------------------------------------------------------------------------------------- */

static int check_json(const cli_t *cli, const prepay_tariff_doc_t *doc)
{
    const prepay_tariff_t *t = &doc->sets[0];
    char b1[CLI_TEXT_MAX];
    json_t *o = cli_result();
    cli_set(o, "valid", json_true());
    cli_set(o, "name", cli_json_text(doc->name));
    cli_set(o, "notice", cli_json_text(doc->notice));
    cli_set(o, "commodity", json_string(t->unit == PREPAY_TARIFF_UNIT_WATER ? "water" : "electricity"));
    json_t *bands = json_array();
    for (unsigned b = 1; b <= t->band_count; b++) {
        json_t *band = json_object();
        cli_set(band, "index", json_integer(b));
        cli_set(band, "name", cli_json_text(doc->band_names[b - 1]));
        json_t *prices = json_array();
        for (unsigned k = 1; k <= t->tier_count; k++) {
            json_array_append_new(prices, json_string(price_text(t, b, k, b1)));
        }
        cli_set(band, "prices", prices);
        json_array_append_new(bands, band);
    }
    cli_set(o, "bands", bands);
    cli_set(o, "tiers", json_integer(t->tier_count));
    cli_set(o, "tou_mode", json_string(mode_name(t->tou_tier_mode)));
    cli_set(o, "cycle", json_string(t->cycle_kind == PREPAY_CYCLE_YEAR ? "year" : "month"));
    cli_set(o, "seasons", json_integer(t->schedule.season_count));
    cli_set(o, "day_tables", json_integer(t->schedule.day_table_count));
    cli_set(o, "holidays", json_integer(t->schedule.holiday_count));
    cli_set(o, "overrides", json_integer(t->schedule.override_count));
    cli_set(o, "fixed_charges", json_integer(t->fixed_charge_count));
    cli_set(o, "price_sets", json_integer(doc->has_set_b ? 2 : 1));
    json_t *rounding = json_object();
    cli_set(rounding, "mode", json_string(rounding_name(t->rounding)));
    cli_set(rounding, "scope", json_string(scope_name(t->round_scope)));
    cli_set(o, "rounding", rounding);
    return cli_emit(cli, o);
}

static void check_text_schedule(const prepay_tariff_doc_t *doc, const prepay_tariff_t *t)
{
    char b1[CLI_TEXT_MAX];
    if (t->schedule.season_count == 0) {
        printf("schedule:  none (always %s)\n", doc->band_names[t->schedule.default_band - 1]);
        return;
    }
    printf("seasons:   %u\n", t->schedule.season_count);
    for (unsigned i = 0; i < t->schedule.season_count; i++) {
        const prepay_tou_season_t *se = &t->schedule.seasons[i];
        printf("  from %s: weekday table %u, saturday %u, sunday %u, holiday %u\n",
               cli_month_day_text(se->start_month, se->start_day, b1), se->weekday_table + 1u,
               se->saturday_table + 1u, se->sunday_table + 1u, se->holiday_table + 1u);
    }
    for (unsigned i = 0; i < t->schedule.day_table_count; i++) {
        const prepay_tou_day_table_t *dt = &t->schedule.day_tables[i];
        printf("  table %u:", i + 1);
        for (unsigned k = 0; k < dt->slot_count; k++) {
            printf(" %s %s%s", cli_time_of_day_text((int32_t)dt->slots[k].start_minute * 60, false, b1),
                   doc->band_names[dt->slots[k].band - 1], k + 1 < dt->slot_count ? "," : "");
        }
        printf("\n");
    }
    printf("holidays:  %u; overrides: %u\n", t->schedule.holiday_count, t->schedule.override_count);
}

static void check_text_ladder(const prepay_tariff_doc_t *doc, const prepay_tariff_t *t)
{
    char b1[CLI_TEXT_MAX];
    if (t->cycle_kind == PREPAY_CYCLE_YEAR) {
        printf("ladder:    per year from %s, %s\n", cli_month_day_text(t->cycle_start_month, t->cycle_start_day, b1),
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
            printf(" %s", cli_fixed_text(t->ladders[li].upper[k], 3, b1));
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
            printf(" +%s", cli_fixed_text(doc->account.tier_add[k], 3, b1));
        }
        printf(" %s\n", quantity_unit(doc));
    }
}

/* Demand and capacity charges, one line per charge (docs/tariff-json.md). */
static void check_text_demand(const prepay_tariff_doc_t *doc)
{
    const prepay_tariff_demand_t *d = &doc->sets[0].demand;
    char b1[CLI_TEXT_MAX], b2[CLI_TEXT_MAX];
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
                    printf(" %s/kW", cli_fixed_text(rate->price[k], 8, b2));
                } else {
                    printf(" %s/kW up to %s kW,", cli_fixed_text(rate->price[k], 8, b2),
                           cli_fixed_text(rate->upper[k], 3, b1));
                }
            }
            printf("\n");
        }
    }
    if (d->ratchet) {
        printf("ratchet:   %u months back, minimum %s kW\n", d->ratchet_months,
               cli_fixed_text(d->ratchet_minimum, 3, b1));
    }
    if (d->capacity_price > 0) {
        printf("capacity:  %s/kVA per month, contracted %s kVA\n", cli_fixed_text(d->capacity_price, 8, b1),
               cli_fixed_text(d->capacity, 3, b2));
    }
}

static void check_text(const char *path, const prepay_tariff_doc_t *doc)
{
    const prepay_tariff_t *t = &doc->sets[0];
    char b1[CLI_TEXT_MAX];
    printf("%s: valid\n", cli_input_name(path));
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
            printf("price set %c%s%s:\n", 'A' + s, s ? " from " : "",
                   s ? cli_time_text(doc->switch_time, PREPAY_TIME_TEXT_MINUTE, b1) : "");
        }
        for (unsigned b = 1; b <= ts->band_count; b++) {
            printf("  %-12s", doc->band_names[b - 1]);
            for (unsigned k = 1; k <= ts->tier_count; k++) {
                printf(" %s", price_text(ts, b, k, b1));
            }
            printf(" per %s\n", quantity_unit(doc));
        }
    }
    check_text_schedule(doc, t);
    if (t->tier_count > 1) {
        check_text_ladder(doc, t);
    }
    for (unsigned i = 0; i < t->fixed_charge_count; i++) {
        printf("fixed:     %s %s per cycle\n", doc->fixed_names[i][0] ? doc->fixed_names[i] : "charge",
               cli_amount_text(prepay_amount_from_money(t->fixed_charges[i].amount), b1));
    }
    check_text_demand(doc);
    printf("rounding:  %s, per %s\n", rounding_name(t->rounding), scope_name(t->round_scope));
}

/* ---- bill ---------------------------------------------------------------------------------------- */

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

static void bill_text(const prepay_tariff_doc_t *doc, const prepay_tariff_bill_t *bill)
{
    char b1[CLI_TEXT_MAX], b2[CLI_TEXT_MAX], b3[CLI_TEXT_MAX], b4[CLI_TEXT_MAX], cyc[CLI_TEXT_MAX];
    printf("tariff: %s\n", doc->name);
    printf("%-8s %-7s %-12s %-4s %14s %12s %18s %12s\n", "cycle", "set", "band", "tier", quantity_unit(doc),
           "price", "exact", "money");
    for (size_t i = 0; i < bill->line_count; i++) {
        const prepay_tariff_line_t *l = &bill->lines[i];
        cycle_label(l->cycle, cyc);
        if (l->kind == PREPAY_LINE_FIXED || l->kind == PREPAY_LINE_CAPACITY) {
            printf("%-8s %-7s %-12s %-4s %14s %12s %18s %12s\n", cyc, l->price_set ? "B" : "A", line_label(doc, l),
                   "-", l->kind == PREPAY_LINE_CAPACITY ? cli_fixed_text(l->quantity, 3, b1) : "-",
                   l->kind == PREPAY_LINE_CAPACITY ? cli_fixed_text(l->price, 8, b2) : "-",
                   cli_amount_text(l->amount, b3), cli_amount_text(prepay_amount_from_money(l->money), b4));
        } else if (l->kind == PREPAY_LINE_DEMAND) {
            printf("%-8s %-7s %-12s %-4u %11s kW %12s %18s %12s\n", cyc, l->price_set ? "B" : "A", line_label(doc, l),
                   l->tier, cli_fixed_text(l->quantity, 3, b1), cli_fixed_text(l->price, 8, b2),
                   cli_amount_text(l->amount, b3), cli_amount_text(prepay_amount_from_money(l->money), b4));
        } else {
            printf("%-8s %-7s %-12s %-4u %14s %12s %18s %12s\n", cyc, l->price_set ? "B" : "A",
                   doc->band_names[l->band - 1], l->tier, cli_fixed_text(l->quantity, 3, b1),
                   cli_fixed_text(l->price, 8, b2), cli_amount_text(l->amount, b3),
                   cli_amount_text(prepay_amount_from_money(l->money), b4));
        }
    }
    printf("energy: %s %s\n", cli_fixed_text(bill->energy_total, 3, b1), quantity_unit(doc));
    printf("exact:  %s\n", cli_amount_text(bill->exact_total, b3));
    printf("total:  %s%s%s (rounding %s per %s)\n", cli_amount_text(prepay_amount_from_money(bill->total), b4),
           doc->currency[0] ? " " : "", doc->currency, rounding_name(bill->rounding), scope_name(bill->scope));
}

static int bill_json(const cli_t *cli, const prepay_tariff_doc_t *doc, const prepay_tariff_bill_t *bill)
{
    char cyc[CLI_TEXT_MAX];
    json_t *o = cli_result();
    cli_set(o, "tariff", cli_json_text(doc->name));
    cli_set(o, "currency", cli_json_text(doc->currency));
    cli_set(o, "unit", json_string(quantity_unit(doc)));
    json_t *rounding = json_object();
    cli_set(rounding, "mode", json_string(rounding_name(bill->rounding)));
    cli_set(rounding, "scope", json_string(scope_name(bill->scope)));
    cli_set(o, "rounding", rounding);
    cli_set(o, "energy", cli_json_fixed(bill->energy_total, 3));
    cli_set(o, "exact_total", cli_json_amount(bill->exact_total));
    cli_set(o, "total", cli_json_fixed(bill->total, 2));
    json_t *lines = json_array();
    for (size_t i = 0; i < bill->line_count; i++) {
        const prepay_tariff_line_t *l = &bill->lines[i];
        json_t *line = json_object();
        cli_set(line, "kind", json_string(kind_name(l->kind)));
        cli_set(line, "cycle", json_string(cycle_label(l->cycle, cyc)));
        cli_set(line, "price_set", json_string(l->price_set ? "B" : "A"));
        if (l->kind == PREPAY_LINE_FIXED) {
            cli_set(line, "name", cli_json_text(doc->fixed_names[l->fixed_index]));
            cli_set(line, "band", json_null());
            cli_set(line, "tier", json_null());
        } else if (l->kind == PREPAY_LINE_DEMAND || l->kind == PREPAY_LINE_CAPACITY) {
            cli_set(line, "period", l->kind == PREPAY_LINE_DEMAND && l->band > 0 ? cli_json_text(line_label(doc, l))
                                                                                  : json_null());
            cli_set(line, "unit", json_string(line_unit(doc, l)));
            cli_set(line, "band", json_null());
            cli_set(line, "tier", l->kind == PREPAY_LINE_DEMAND ? json_integer(l->tier) : json_null());
        } else {
            cli_set(line, "band", cli_json_text(doc->band_names[l->band - 1]));
            cli_set(line, "band_index", json_integer(l->band));
            cli_set(line, "tier", json_integer(l->tier));
        }
        cli_set(line, "quantity", cli_json_fixed(l->quantity, 3));
        cli_set(line, "price", cli_json_fixed(l->price, 8));
        cli_set(line, "amount", cli_json_amount(l->amount));
        cli_set(line, "money", cli_json_fixed(l->money, 2));
        json_array_append_new(lines, line);
    }
    cli_set(o, "lines", lines);
    return cli_emit(cli, o);
}

/* Bills the readings, growing the line buffer to what the engine says it needs. */
static int run_bill(const prepay_tariff_doc_t *doc, const prepay_tariff_account_t *account, const readings_t *list,
                    prepay_tariff_bill_t *bill, prepay_tariff_line_t **lines_out)
{
    prepay_tariff_plan_t plan;
    int rc = prepay_tariff_doc_plan(doc, &plan);
    size_t cap = 64;
    for (int attempt = 0; rc == PREPAY_OK && attempt < 4; attempt++) {
        prepay_tariff_line_t *lines = calloc(cap, sizeof *lines);
        if (!lines) {
            return PREPAY_E_HOSTED_NO_MEMORY;
        }
        rc = prepay_tariff_bill_init(bill, &doc->sets[0], lines, cap);
        if (rc == PREPAY_OK) {
            rc = prepay_tariff_eval_batch(&plan, account, NULL, list->items, list->count, bill);
        }
        if (rc == PREPAY_E_BUFFER_TOO_SMALL && bill->lines_needed > cap) {
            cap = bill->lines_needed + 16;
            free(lines);
            rc = PREPAY_OK;
            continue;
        }
        if (rc != PREPAY_OK) {
            free(lines);
            return rc;
        }
        *lines_out = lines;
        return PREPAY_OK;
    }
    return rc != PREPAY_OK ? rc : PREPAY_E_BUFFER_TOO_SMALL;
}

/* ---- vend ---------------------------------------------------------------------------------------- */

/* The band named `name` (1-based), or 0. */
static unsigned band_index(const prepay_tariff_doc_t *doc, const char *name)
{
    for (unsigned b = 1; b <= doc->sets[0].band_count; b++) {
        if (strcmp(doc->band_names[b - 1], name) == 0) {
            return b;
        }
    }
    return 0;
}

/* Positions the account: `used` consumed from the start of the cycle of `at` up to `at`. */
static int consume_used(const cli_t *cli, const prepay_tariff_doc_t *doc, const prepay_tariff_plan_t *plan,
                        prepay_tariff_state_t *state, prepay_time_t at, prepay_energy_t used, int *status)
{
    int32_t cycle;
    prepay_time_t cycle_start;
    *status = prepay_tariff_cycle_of(&doc->sets[0], at, &cycle);
    if (*status == PREPAY_OK) {
        *status = prepay_tariff_cycle_bounds(&doc->sets[0], cycle, &cycle_start, NULL);
    }
    if (*status == PREPAY_OK && cycle_start >= at) {
        return cli_bad(cli, "--used needs --at after the start of the cycle");
    }
    if (*status == PREPAY_OK) {
        prepay_tariff_line_t *lines = calloc(4096, sizeof *lines);
        prepay_tariff_feed_result_t result;
        *status = lines ? prepay_tariff_feed_interval(plan, &doc->account, state, cycle_start, at, used, lines, 4096,
                                                      &result)
                        : PREPAY_E_HOSTED_NO_MEMORY;
        free(lines);
        if (*status > 0) {
            *status = PREPAY_OK;
        }
    }
    return CLI_EXIT_OK;
}

/* ---- the command line ------------------------------------------------------------------------------ */

static const cli_option_t bill_options[] = {
    {"household-add", CLI_OPT_DECIMAL(tariff_options_t, household, 3, 0, INT64_MAX),
     CLI_GIVEN(tariff_options_t, has_household), .arg = "KWH",
     .help = "add KWH to every finite tier bound (a larger household)"},
    {.name = NULL},
};

static const cli_option_t vend_options[] = {
    {"amount", CLI_OPT_DECIMAL(tariff_options_t, amount, 2, 0, INT64_MAX), CLI_GIVEN(tariff_options_t, has_amount),
     .arg = "MONEY", .help = "the money to spend (at most 2 decimals); required"},
    {"used", CLI_OPT_DECIMAL(tariff_options_t, used, 3, 0, INT64_MAX), .arg = "KWH",
     .help = "already used in the cycle of --at (default 0)"},
    {"at", CLI_OPT_TIME(tariff_options_t, at), CLI_GIVEN(tariff_options_t, has_at), .arg = "TIME",
     .help = "local time of the purchase, 'YYYY-MM-DD hh:mm[:ss]' (default: now)"},
    {"band", CLI_OPT_TEXT(tariff_options_t, band), .arg = "NAME", .help = "buy energy of this band only"},
    {"quantum", CLI_OPT_DECIMAL(tariff_options_t, quantum, 3, 1, INT64_MAX), .arg = "KWH",
     .help = "sell energy in steps of KWH (default 0.010)"},
    {.name = NULL},
};

static const char tariff_notes[] =
    "Tariff files: libprepay JSON (docs/tariff-json.md), OpenEI URDB or NREL SAM rates; '-' reads the\n"
    "standard input.";

static const cli_spec_t check_spec = {
    .program = "prepay tariff check",
    .usage = "T.json [--json]",
    .summary = "Loads a tariff file, checks it as the engine does, and prints what it holds.",
    .args = "T.json",
    .min_args = 1,
    .max_args = 1,
    .json = true,
    .notes = tariff_notes,
};

static const cli_spec_t bill_spec = {
    .program = "prepay tariff bill",
    .usage = "T.json READINGS.csv [--household-add KWH] [--json]",
    .summary = "Bills meter readings with the tariff: one line per cycle, set, band and tier.",
    .options = bill_options,
    .args = "T.json READINGS.csv",
    .min_args = 2,
    .max_args = 2,
    .json = true,
    .notes = "Readings CSV: 'timestamp,register' or 'start,end,energy' rows, kWh (m3 for water) as decimals;\n"
             "times 'YYYY-MM-DD hh:mm[:ss]' (or YYYY/MM/DD); an optional header, '#' comments, quoted fields\n"
             "and a UTF-8 byte order mark are accepted. Either file may be '-' (the standard input).",
};

static const cli_spec_t vend_spec = {
    .program = "prepay tariff vend",
    .usage = "T.json --amount MONEY [--used KWH] [--at TIME] [--band NAME] [--quantum KWH] [--json]",
    .summary = "How much energy an amount of money buys now (or at --at), after --used in the cycle.",
    .options = vend_options,
    .args = "T.json",
    .min_args = 1,
    .max_args = 1,
    .json = true,
    .notes = tariff_notes,
};

static const cli_spec_t *spec_of(const char *sub)
{
    return strcmp(sub, "bill") == 0 ? &bill_spec : strcmp(sub, "vend") == 0 ? &vend_spec : &check_spec;
}

int prepay_tariff_options_parse(int argc, char **argv, tariff_options_t *o, cli_args_t *args, char *err,
                                size_t err_cap)
{
    memset(o, 0, sizeof *o);
    o->quantum = 10;
    o->sub = argv[0];
    int rc = cli_parse(spec_of(o->sub), argc, argv, o, args, err, err_cap);
    if (rc != 0 || args->help || args->version) {
        return rc;
    }
    o->json = args->json;
    o->tariff = args->args[0];
    o->readings = args->count > 1 ? args->args[1] : NULL;
    if (o->readings && strcmp(o->tariff, "-") == 0 && strcmp(o->readings, "-") == 0) {
        snprintf(err, err_cap, "only one of T.json and READINGS.csv can be '-' (the standard input)");
        return CLI_EXIT_USAGE;
    }
    if (strcmp(o->sub, "vend") == 0 && !o->has_amount) {
        snprintf(err, err_cap, "vend needs --amount MONEY (try --help)");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* ---- the subcommands --------------------------------------------------------------------------------- */

static int run_check(const cli_t *cli, tariff_options_t *o, const prepay_tariff_doc_t *doc)
{
    if (o->json) {
        return check_json(cli, doc);
    }
    check_text(o->tariff, doc);
    return CLI_EXIT_OK;
}

static int run_bill_command(const cli_t *cli, tariff_options_t *o, const prepay_tariff_doc_t *doc)
{
    char err[CLI_MESSAGE_MAX];
    prepay_tariff_account_t account = doc->account;
    for (unsigned k = 0; o->has_household && k < PREPAY_MAX_TIERS; k++) {
        account.tier_add[k] = o->household;
    }
    readings_t list = {NULL, 0, 0};
    if (readings_load(o->readings, &list, err, sizeof err) != 0) {
        readings_free(&list);
        return cli_bad_status(cli, PREPAY_E_HOSTED_CSV, "%s", err);
    }
    prepay_tariff_bill_t bill;
    prepay_tariff_line_t *lines = NULL;
    int rc = CLI_EXIT_OK;
    int st = run_bill(doc, &account, &list, &bill, &lines);
    if (st != PREPAY_OK) {
        bool input = st == PREPAY_E_TARIFF_TIME_ORDER || st == PREPAY_E_TARIFF_BAD_INTERVAL ||
                     st == PREPAY_E_BAD_DATE || st == PREPAY_E_TARIFF_REGISTER_BACKWARDS;
        rc = cli_error(cli, input ? CLI_EXIT_USAGE : CLI_EXIT_FAILED, st, "%s: cannot bill: %s",
                       cli_input_name(o->readings), prepay_strerror(st));
    } else if (o->json) {
        rc = bill_json(cli, doc, &bill);
    } else {
        bill_text(doc, &bill);
    }
    free(lines);
    readings_free(&list);
    return rc;
}

static int run_vend(const cli_t *cli, tariff_options_t *o, const prepay_tariff_doc_t *doc)
{
    if (!o->has_at && cli_now(&o->at) != 0) {
        return cli_bad(cli, "cannot read the local time; give --at");
    }
    unsigned band = o->band ? band_index(doc, o->band) : 0;
    if (o->band && band == 0) {
        return cli_bad(cli, "--band: no band named '%.64s' in %s", o->band, cli_input_name(o->tariff));
    }
    prepay_tariff_plan_t plan;
    prepay_tariff_state_t state;
    int rc = CLI_EXIT_OK;
    int st = prepay_tariff_doc_plan(doc, &plan);
    if (st == PREPAY_OK) {
        st = prepay_tariff_state_init(&state);
    }
    if (st == PREPAY_OK && o->used > 0 && (rc = consume_used(cli, doc, &plan, &state, o->at, o->used, &st)) != 0) {
        return rc;
    }
    prepay_energy_t energy = 0;
    prepay_amount_t cost = {0, 0};
    if (st == PREPAY_OK) {
        st = prepay_tariff_vend(&plan, &doc->account, &state, o->at, band, o->amount, o->quantum, &energy, &cost);
    }
    if (st != PREPAY_OK) {
        return cli_error(cli, st == PREPAY_E_TARIFF_FREE_ENERGY ? CLI_EXIT_FAILED : CLI_EXIT_USAGE, st, "vend: %s",
                         prepay_strerror(st));
    }
    char b1[CLI_TEXT_MAX], b2[CLI_TEXT_MAX], b3[CLI_TEXT_MAX], b4[CLI_TEXT_MAX];
    if (o->json) {
        json_t *out = cli_result();
        cli_set(out, "tariff", cli_json_text(doc->name));
        cli_set(out, "amount", cli_json_fixed(o->amount, 2));
        cli_set(out, "used", cli_json_fixed(o->used, 3));
        cli_set(out, "energy", cli_json_fixed(energy, 3));
        cli_set(out, "cost", cli_json_amount(cost));
        cli_set(out, "unit", json_string(quantity_unit(doc)));
        return cli_emit(cli, out);
    }
    printf("%s buys %s %s (exact cost %s) with %s %s already used in the cycle\n", cli_fixed_text(o->amount, 2, b1),
           cli_fixed_text(energy, 3, b4), quantity_unit(doc), cli_amount_text(cost, b3), cli_fixed_text(o->used, 3, b2),
           quantity_unit(doc));
    return CLI_EXIT_OK;
}

/* Input (the options and the tariff file), then the subcommand's run and output. */
static int tariff_command(int argc, char **argv, const cli_spec_t *spec,
                          int (*run)(const cli_t *, tariff_options_t *, const prepay_tariff_doc_t *))
{
    cli_t cli;
    cli_args_t args;
    tariff_options_t o;
    char err[CLI_MESSAGE_MAX];
    int rc = cli_begin(&cli, spec, &args, prepay_tariff_options_parse(argc, argv, &o, &args, err, sizeof err), err);
    prepay_tariff_doc_t *doc = NULL;
    if (rc >= 0 || (rc = load_doc(&cli, o.tariff, &doc)) != CLI_EXIT_OK) {
        return rc;
    }
    rc = run(&cli, &o, doc);
    free(doc);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    return tariff_command(argc, argv, &check_spec, run_check);
}

static int cmd_bill(int argc, char **argv)
{
    return tariff_command(argc, argv, &bill_spec, run_bill_command);
}

static int cmd_vend(int argc, char **argv)
{
    return tariff_command(argc, argv, &vend_spec, run_vend);
}

static const cli_command_t tariff_commands[] = {
    {"check", cmd_check, "check a tariff file and print what it holds"},
    {"bill", cmd_bill, "bill meter readings (CSV) with the tariff"},
    {"vend", cmd_vend, "energy bought by an amount of money"},
};

int prepay_tool_tariff(int argc, char **argv)
{
    return cli_dispatch("prepay tariff", tariff_commands, sizeof tariff_commands / sizeof tariff_commands[0], argc,
                        argv);
}
