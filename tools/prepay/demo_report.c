/* SPDX-License-Identifier: MIT */
/* prepay demo: the month-end report (text, CSV, JSON), the load curve (SVG) and the cross-checks. */
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"
#include "cli_file.h"
#include "cli_text.h"
#include "demo.h"

static const char *habit_name(demo_habit_t h)
{
    return h == HABIT_PROMPT ? "prompt" : (h == HABIT_LATE ? "late" : "never");
}

static const char *money(prepay_money_t m, char out[CLI_TEXT_MAX])
{
    return cli_fixed_text(m, 2, out);
}

/* Wh -> kWh with 3 decimals, exact. */
static const char *kwh(prepay_energy_t wh, char out[CLI_TEXT_MAX])
{
    return cli_fixed_text(wh, 3, out);
}

static int check(demo_t *d, bool ok, const char *what)
{
    if (!d->opt.json) {
        printf("  [%s] %s\n", ok ? "ok" : "FAIL", what);
    }
    if (!ok) {
        d->checks_failed++;
    }
    return ok ? 0 : 1;
}

/* A ledger balance; *ok turns false (and a check fails) if the account cannot be read. */
static prepay_money_t ledger_balance(demo_t *d, uint64_t id, bool *ok)
{
    prepay_ledger_balance_t b;
    if (prepay_ledger_balance(&d->ledger, id, &b) != PREPAY_OK) {
        *ok = false;
        return 0;
    }
    return b.balance;
}

static const prepay_settlement_account_t *account_of(const demo_t *d, const demo_room_t *r)
{
    return prepay_settlement_account(&d->site, r->id);
}

/* Energy a band register advanced over the run (Wh); 0 if a register could not be read. */
static prepay_energy_t band_energy(const demo_room_t *r, int band)
{
    return r->meter_first[band] >= 0 && r->meter_last[band] >= 0 ? r->meter_last[band] - r->meter_first[band] : 0;
}

/* The report files in the making: each is renamed into place only when complete. */
typedef struct report_files {
    cli_output_t csv, svg, load_csv;
    json_t *json; /* report.json */
    json_t *rooms;
} report_files_t;

/* DIR/name into path; false (reported) if it does not fit. */
static bool out_path(demo_t *d, const char *name, char *path, size_t cap)
{
    int n = snprintf(path, cap, "%s/%s", d->opt.out_dir, name);
    if (n < 0 || (size_t)n >= cap) {
        cli_fail(d->cli, PREPAY_E_INVALID_ARGUMENT, "the output directory's name is too long");
        return false;
    }
    return true;
}

static int open_files(demo_t *d, report_files_t *files)
{
    char path[CLI_MESSAGE_MAX / 2], err[CLI_MESSAGE_MAX];
    memset(files, 0, sizeof *files);
    /* report.json is the longest name written: if it fits, every file's path does. */
    if (!out_path(d, "report.json", path, sizeof path) || !out_path(d, "report.csv", path, sizeof path)) {
        return -1;
    }
    if (cli_output_open(&files->csv, path, err, sizeof err) != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "%s", err);
        return -1;
    }
    files->json = json_object();
    files->rooms = json_array();
    return 0;
}

static int commit_files(demo_t *d, report_files_t *files)
{
    char path[CLI_MESSAGE_MAX / 2], err[CLI_MESSAGE_MAX];
    int rc = cli_output_commit(&files->csv, err, sizeof err);
    cli_output_t json_file;
    snprintf(path, sizeof path, "%s/report.json", d->opt.out_dir); /* fits: open_files() checked */
    if (rc == 0 && (rc = cli_output_open(&json_file, path, err, sizeof err)) == 0) {
        if (json_dumpf(files->json, json_file.file, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
            fputc('\n', json_file.file) == EOF) {
            cli_output_abort(&json_file);
            snprintf(err, sizeof err, "%s: cannot write", path);
            rc = -1;
        } else {
            rc = cli_output_commit(&json_file, err, sizeof err);
        }
    }
    snprintf(path, sizeof path, "%s/load.svg", d->opt.out_dir);
    if (rc == 0 && (rc = cli_output_open(&files->svg, path, err, sizeof err)) == 0) {
        if (demo_chart_write_svg(d, files->svg.file) != 0) {
            cli_output_abort(&files->svg);
            snprintf(err, sizeof err, "%s: cannot write", path);
            rc = -1;
        } else {
            rc = cli_output_commit(&files->svg, err, sizeof err);
        }
    }
    snprintf(path, sizeof path, "%s/load.csv", d->opt.out_dir);
    if (rc == 0 && (rc = cli_output_open(&files->load_csv, path, err, sizeof err)) == 0) {
        if (demo_chart_write_csv(d, files->load_csv.file) != 0) {
            cli_output_abort(&files->load_csv);
            snprintf(err, sizeof err, "%s: cannot write", path);
            rc = -1;
        } else {
            rc = cli_output_commit(&files->load_csv, err, sizeof err);
        }
    }
    snprintf(path, sizeof path, "%s/load_day.svg", d->opt.out_dir);
    cli_output_t day;
    if (rc == 0 && d->curves != NULL && (rc = cli_output_open(&day, path, err, sizeof err)) == 0) {
        if (demo_write_day_svg(d, day.file) != 0) {
            cli_output_abort(&day);
            snprintf(err, sizeof err, "%s: cannot write", path);
            rc = -1;
        } else {
            rc = cli_output_commit(&day, err, sizeof err);
        }
    }
    json_decref(files->json);
    if (rc != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "%s", err);
    }
    return rc;
}

/* One room: a line of the table, a CSV record, a JSON object. */
static void report_room(demo_t *d, report_files_t *files, const demo_room_t *r, const char band_titles[3][32], int bands)
{
    const prepay_settlement_account_t *acc = account_of(d, r);
    const prepay_settlement_meter_t *m = prepay_settlement_meter(&d->site, r->id);
    const prepay_settlement_balances_t *b = &acc->books;
    char a[CLI_TEXT_MAX], bb[CLI_TEXT_MAX], c[CLI_TEXT_MAX], e[CLI_TEXT_MAX];
    char charged[CLI_TEXT_MAX], water[CLI_TEXT_MAX], shares[CLI_TEXT_MAX], debt[CLI_TEXT_MAX],
        recharged[CLI_TEXT_MAX], bal[CLI_TEXT_MAX], area[CLI_TEXT_MAX];
    int alarms = 0;
    for (int l = 0; l <= PREPAY_MAX_ALARM_LEVELS; l++) {
        alarms += r->alarms[l];
    }
    kwh(band_energy(r, 1), a);
    kwh(bands >= 2 ? band_energy(r, 2) : 0, bb);
    kwh(bands >= 3 ? band_energy(r, 3) : 0, c);
    kwh(m->total, e);
    money(b->energy - demo_water_charged(r), charged); /* the account's energy charges: electricity and water */
    money(r->water_money, water);
    money(b->shares, shares);
    money(b->debt, debt);
    money(b->recharged, recharged);
    money(b->balance, bal);
    cli_fixed_text(r->area, 2, area);
    if (!d->opt.json) {
        printf("%-5s %-6s %-6s %9s %9s %9s %9s %9s %8s %8s %8s %9s %4u %5d %4d %4d %9s\n", r->name,
               r->local ? "local" : "remote", habit_name(r->habit), a, bb, c, e, charged, water, shares, debt,
               recharged, acc->recharges, alarms, r->cutoffs, r->restores, bal);
    }
    FILE *csv = files->csv.file;
    cli_csv_write_field(csv, r->name);
    fprintf(csv, ",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%u,%d,%d,%d,%d,%s\n", r->address_text,
            r->local ? "local" : "remote", habit_name(r->habit), area, a, bb, c, e, charged, water, shares, debt,
            recharged, acc->recharges, alarms, r->cutoffs, r->restores, r->notifications, bal);
    json_t *o = json_object(), *kw = json_object(), *levels = json_array();
    cli_set(o, "room", json_string(r->name));
    cli_set(o, "address", json_string(r->address_text));
    cli_set(o, "mode", json_string(r->local ? "local" : "remote"));
    cli_set(o, "habit", json_string(habit_name(r->habit)));
    cli_set(o, "area_m2", json_string(area));
    cli_set(kw, band_titles[0], json_string(a));
    cli_set(kw, band_titles[1], json_string(bb));
    cli_set(kw, band_titles[2], json_string(c));
    cli_set(kw, "total", json_string(e));
    cli_set(o, "energy_kwh", kw);
    cli_set(o, "electricity", json_string(charged));
    cli_set(o, "water", json_string(water));
    cli_set(o, "common_area", json_string(shares));
    cli_set(o, "debt", json_string(debt));
    cli_set(o, "recharged", json_string(recharged));
    cli_set(o, "recharges", json_integer(acc->recharges));
    for (int l = 1; l <= 3 && l <= PREPAY_MAX_ALARM_LEVELS; l++) {
        json_array_append_new(levels, json_integer(r->alarms[l]));
    }
    cli_set(o, "alarms", levels);
    cli_set(o, "cutoffs", json_integer(r->cutoffs));
    cli_set(o, "restores", json_integer(r->restores));
    cli_set(o, "notifications", json_integer(r->notifications));
    cli_set(o, "balance", json_string(bal));
    json_array_append_new(files->rooms, o);
}

/* The water meters: a table (litres by ladder tier, water money, valve closures and reopenings), water.csv and
 * the "water" object of report.json. 0, or -1 (a tier could not be computed, or water.csv not written). */
static int report_water(demo_t *d, report_files_t *files)
{
    char path[CLI_MESSAGE_MAX / 2], err[CLI_MESSAGE_MAX];
    json_t *wj = json_object(), *meters = json_array(), *cycles = json_array();
    const prepay_tariff_t *wt = &d->water_doc->sets[0];
    cli_set(wj, "tariff", cli_json_text(d->water_doc->name));
    cli_set(wj, "rule", json_string(wt->proration == PREPAY_PRORATE_BY_MONTH
                                        ? "tier bounds x months of the cycle the run touches / months in the cycle"
                                        : "the tariff's tier bounds"));
    int rc = 0;
    const demo_room_t *first = NULL;
    for (size_t i = 0; i < d->room_count && !first; i++) {
        first = d->rooms[i].water ? &d->rooms[i] : NULL;
    }
    if (!d->opt.json && first) {
        printf("\nWater: %zu CJ/T 188 meters (every room), on the rooms' wallets; %s\n", d->water_count,
               d->water_doc->name);
        printf("  remote rooms (%zu): settled by the station on the ladder, valve driven from the account\n",
               d->water_count - d->water_local_count);
    }
    for (int k = 0; k < d->water_cycles && first; k++) {
        /* The effective bounds of each cycle the run touches (every water account has the same service period). */
        prepay_energy_t upper[PREPAY_MAX_TIERS];
        const prepay_tariff_account_t *ta = &prepay_settlement_account(&d->site, first->id)->config.tariff_account;
        int tiers = prepay_tariff_tier_bounds(wt, ta, d->water_cycle_id[k], upper, PREPAY_MAX_TIERS);
        json_t *c = json_object(), *bounds = json_array();
        prepay_time_t start = 0;
        char from[CLI_TEXT_MAX];
        if (prepay_tariff_cycle_bounds(wt, d->water_cycle_id[k], &start, NULL) != PREPAY_OK || tiers < 0) {
            rc = -1;
            tiers = 0;
        }
        cli_set(c, "cycle_start", json_string(cli_time_text(start, PREPAY_TIME_TEXT_DATE, from)));
        if (!d->opt.json) {
            printf("  tier cycle from %s: tier bounds%s", from,
                   wt->proration == PREPAY_PRORATE_BY_MONTH ? " (prorated by the months the run touches)" : "");
        }
        for (int t = 0; t + 1 < tiers; t++) {
            json_array_append_new(bounds, json_integer((json_int_t)upper[t]));
            if (!d->opt.json) {
                printf(" %lld L", (long long)upper[t]);
            }
        }
        if (!d->opt.json) {
            printf("\n");
        }
        cli_set(c, "tier_bounds_l", bounds);
        json_array_append_new(cycles, c);
    }
    cli_set(wj, "cycles", cycles);
    if (d->water_local_count > 0) {
        /* The local meters' own table (A010) and their monthly cycles. */
        const prepay_cjt188_price_table_t *pt = &d->water_table;
        json_t *lj = json_object(), *prices = json_array(), *steps = json_array(), *lc = json_array();
        char p[3][CLI_TEXT_MAX];
        for (int k = 0; k < 3; k++) {
            json_array_append_new(prices, json_string(cli_fixed_text(pt->price[k] / 1000000, 2, p[k])));
        }
        for (int k = 0; k < 2; k++) {
            json_array_append_new(steps, json_integer((json_int_t)pt->step_litres[k]));
        }
        for (int k = 0; k < d->local_cycles; k++) {
            char from[CLI_TEXT_MAX];
            json_array_append_new(lc, json_string(cli_time_text(k == 0 ? d->start : d->local_cycle_end[k - 1],
                                                                PREPAY_TIME_TEXT_DATE, from)));
        }
        cli_set(lj, "meters", json_integer((json_int_t)d->water_local_count));
        cli_set(lj, "rule",
                json_string(wt->cycle_kind == PREPAY_CYCLE_YEAR
                                ? "the meter's own purse; A010: the ladder's prices, its annual bounds / 12 in "
                                  "whole m3, monthly cycles from the 1st"
                                : "the meter's own purse; A010: the ladder's prices and bounds in whole m3, monthly "
                                  "cycles from the 1st"));
        cli_set(lj, "prices_yuan_per_m3", prices);
        cli_set(lj, "steps_l", steps);
        cli_set(lj, "cycle_starts", lc);
        cli_set(wj, "local", lj);
        if (!d->opt.json) {
            printf("  local rooms (%zu): the meter's own purse, topped up by purchases (A013) from the wallet; its "
                   "price table (A010) %s / %s / %s yuan per m3, steps %lld / %lld L a month\n", d->water_local_count,
                   p[0], p[1], p[2], (long long)pt->step_litres[0], (long long)pt->step_litres[1]);
        }
    }
    if (!d->opt.json) {
        printf("%-5s %-14s %-6s %9s %9s %9s %9s %8s %6s %6s %5s %4s %9s %8s\n", "room", "meter", "mode", "tier1 L",
               "tier2 L", "tier3 L", "total L", "water", "closed", "opened", "valve", "buys", "purchased", "purse");
    }
    prepay_energy_t sum[4] = {0, 0, 0, 0};
    prepay_money_t sum_money = 0, sum_bought = 0, sum_purse = 0;
    int closes = 0, opens = 0, purchases = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        const demo_room_t *r = &d->rooms[i];
        if (!r->water) {
            continue;
        }
        prepay_energy_t litres[3], total;
        prepay_money_t ladder = 0, slack = 0, water;
        if (r->local) {
            /* The meter's own figures: tiers by its table over the litres read, what it deducted, its purse. */
            if (demo_water_local_money(d, r, litres, &ladder, &slack) != 0) {
                rc = -1;
            }
            total = r->water_last - r->water_first;
            water = r->water_purse.total_fen - r->water_purse.remaining_fen;
        } else {
            if (demo_water_tiers(d, r, litres, &ladder) != 0) {
                rc = -1;
            }
            total = prepay_settlement_meter(&d->site, r->water_id)->total;
            water = r->water_money;
        }
        char m[CLI_TEXT_MAX], bought[CLI_TEXT_MAX] = "", purse[CLI_TEXT_MAX] = "", buys[CLI_TEXT_MAX] = "";
        money(water, m);
        if (r->local) {
            money(r->water_booked, bought);
            money(r->water_purse.remaining_fen, purse);
            snprintf(buys, sizeof buys, "%d", r->water_purchases);
        }
        if (!d->opt.json) {
            printf("%-5s %-14s %-6s %9lld %9lld %9lld %9lld %8s %6d %6d %5s %4s %9s %8s\n", r->name,
                   r->water_address_text, r->local ? "local" : "remote", (long long)litres[0], (long long)litres[1],
                   (long long)litres[2], (long long)total, m, r->water_closes, r->water_opens,
                   r->water_final_open ? "open" : "shut", buys, bought, purse);
        }
        json_t *o = json_object(), *tl = json_array();
        cli_set(o, "room", json_string(r->name));
        cli_set(o, "address", json_string(r->water_address_text));
        cli_set(o, "mode", json_string(r->local ? "local" : "remote"));
        for (int t = 0; t < 3; t++) {
            json_array_append_new(tl, json_integer((json_int_t)litres[t]));
            sum[t] += litres[t];
        }
        cli_set(o, "litres_by_tier", tl);
        cli_set(o, "litres", json_integer((json_int_t)total));
        cli_set(o, "water", json_string(m));
        if (r->local) {
            cli_set(o, "deducted", json_string(m));
            cli_set(o, "purchases", json_integer(r->water_purchases));
            cli_set(o, "purchased", json_string(bought));
            cli_set(o, "purse", json_string(purse));
            sum_bought += r->water_booked;
            sum_purse += r->water_purse.remaining_fen;
            purchases += r->water_purchases;
        }
        cli_set(o, "valve_closes", json_integer(r->water_closes));
        cli_set(o, "valve_opens", json_integer(r->water_opens));
        cli_set(o, "valve_open", json_boolean(r->water_final_open));
        json_array_append_new(meters, o);
        sum[3] += total;
        sum_money += water;
        closes += r->water_closes;
        opens += r->water_opens;
    }
    char m[CLI_TEXT_MAX], bought[CLI_TEXT_MAX], purse[CLI_TEXT_MAX];
    money(sum_money, m);
    money(sum_bought, bought);
    money(sum_purse, purse);
    if (!d->opt.json) {
        printf("%-27s %9lld %9lld %9lld %9lld %8s %6d %6d %5s %4d %9s %8s\n", "total", (long long)sum[0],
               (long long)sum[1], (long long)sum[2], (long long)sum[3], m, closes, opens, "", purchases, bought, purse);
    }
    json_t *tot = json_object(), *tl = json_array();
    for (int t = 0; t < 3; t++) {
        json_array_append_new(tl, json_integer((json_int_t)sum[t]));
    }
    cli_set(tot, "meters", json_integer((json_int_t)d->water_count));
    cli_set(tot, "litres_by_tier", tl);
    cli_set(tot, "litres", json_integer((json_int_t)sum[3]));
    cli_set(tot, "water", json_string(m));
    cli_set(tot, "valve_closes", json_integer(closes));
    cli_set(tot, "valve_opens", json_integer(opens));
    cli_set(tot, "purchases", json_integer(purchases));
    cli_set(tot, "purchased", json_string(bought));
    cli_set(tot, "purse", json_string(purse));
    cli_set(wj, "meters", meters);
    cli_set(wj, "totals", tot);
    cli_set(files->json, "water", wj);
    cli_output_t out;
    snprintf(path, sizeof path, "%s/water.csv", d->opt.out_dir); /* fits: open_files() checked report.json */
    if (cli_output_open(&out, path, err, sizeof err) != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "%s", err);
        return -1;
    }
    if (demo_water_write_csv(d, out.file) != 0) {
        cli_output_abort(&out);
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "%s: cannot write", path);
        return -1;
    }
    if (cli_output_commit(&out, err, sizeof err) != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "%s", err);
        return -1;
    }
    return rc;
}

/* The local water meters (their own purse): the meter's 8105 against the books, its deductions against its own
 * price table applied to the litres read, its valve against its purse. */
static void local_water_checks(demo_t *d)
{
    bool credited = true, deducted = true, purses = true, valves = true, volume = true;
    prepay_money_t gap = 0, slack_max = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        const demo_room_t *r = &d->rooms[i];
        if (!r->water || !r->local) {
            continue;
        }
        const prepay_cjt188_purse_t *p = &r->water_purse;
        prepay_energy_t litres[3];
        prepay_money_t ladder = 0, slack = 0;
        const bool priced = demo_water_local_money(d, r, litres, &ladder, &slack) == 0;
        /* Purchases: every one booked on the wallet (a sale in the settlement: the account's sales and their sum)
         * was credited once by the meter (its total, its last serial), none left in flight. */
        const prepay_settlement_account_t *a = account_of(d, r);
        credited = credited && r->water_purse_read && p->total_fen == r->water_booked &&
                   r->water_money == r->water_booked && p->purchase_serial == r->water_serial &&
                   r->water_pending == 0 && r->water_queued == 0 && r->water_credited == r->water_purchases &&
                   a->books.sold == r->water_booked && a->sales == (uint32_t)r->water_purchases;
        const prepay_money_t by_meter = p->total_fen - p->remaining_fen;
        prepay_money_t diff = by_meter - ladder;
        diff = diff < 0 ? -diff : diff;
        gap = diff > gap ? diff : gap;
        slack_max = slack > slack_max ? slack : slack_max;
        deducted = deducted && priced && r->water_purse_read && diff <= slack;
        /* The purse at the end from the books and the recomputed deductions (not from the meter's total). */
        prepay_money_t pdiff = p->remaining_fen - (r->water_money - ladder);
        pdiff = pdiff < 0 ? -pdiff : pdiff;
        purses = purses && priced && r->water_purse_read && p->remaining_fen >= 0 && pdiff <= slack;
        /* Closed iff the purse is exhausted (alarm threshold 0, no overdraft: the meter's only closing rule here),
         * as the last 901F and the 8105 status words say. */
        const bool open_by_purse = p->remaining_fen > 0;
        valves = valves && r->water_final_read && r->water_final_open == open_by_purse &&
                 (prepay_cjt188_status_valve(p->status) == PREPAY_CJT188_VALVE_STATE_OPEN) == open_by_purse &&
                 r->water_valve_open == open_by_purse;
        volume = volume && r->water_primed && r->water_final_read && r->water_final == r->water_last &&
                 litres[0] + litres[1] + litres[2] == r->water_last - r->water_first;
    }
    char g[CLI_TEXT_MAX], sl[CLI_TEXT_MAX];
    check(d, volume, "local water: each meter's litres by tier cycle add up to its register's advance (L)");
    check(d, credited, "local water: purchases credited by each meter (8105 total, last serial) = purchases booked on "
                       "its wallet (fen)");
    check(d, deducted, "local water: money each meter deducted (8105 total - remaining) = its A010 table applied to "
                       "its litres by cycle, within the register's 10 L steps (fen)");
    check(d, purses, "local water: purse at the end (8105) = purchases booked - the table's money, within the same "
                     "steps (fen)");
    check(d, valves, "local water: every valve (901F and 8105 ST) is shut iff its purse is exhausted");
    if (!d->opt.json) {
        printf("  [info] local water: largest difference between a meter's deductions and its table recomputed: %s "
               "yuan (allowed: %s, 9 L at the top price per cycle + 1 fen)\n", money(gap, g), money(slack_max, sl));
    }
}

/* The water cross-checks: the settlement against the meters (registers, valves), the ladder and the ledger. */
static void water_checks(demo_t *d, prepay_money_t water_income)
{
    bool volume = true, valves = true, tiers = true;
    prepay_money_t charged = 0;
    int failures = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        const demo_room_t *r = &d->rooms[i];
        if (!r->water || r->local) {
            charged += r->water_money;
            failures += r->water_read_failures;
            continue;
        }
        const prepay_settlement_meter_t *wm = prepay_settlement_meter(&d->site, r->water_id);
        const prepay_settlement_account_t *wa = account_of(d, r);
        volume = volume && r->water_primed && r->water_final_read && wm->reading == r->water_final &&
                 wm->total == r->water_last - r->water_first;
        const bool want_open = wa->relay != PREPAY_WALLET_RELAY_OPEN; /* relay OPEN: supply off */
        valves = valves && r->water_final_read && r->water_final_open == want_open && r->water_valve_open == want_open;
        prepay_energy_t litres[3];
        prepay_money_t ladder = -1;
        tiers = tiers && demo_water_tiers(d, r, litres, &ladder) == 0 && ladder == r->water_money &&
                litres[0] + litres[1] + litres[2] == wm->total;
        charged += r->water_money;
        failures += r->water_read_failures;
    }
    check(d, volume, "water: volume settled = each meter's register advance, read over CJ/T 188 (L)");
    check(d, valves, "water: every valve (ST read over CJ/T 188) matches its account: closed while cut off, else open");
    check(d, tiers, "water: each room's water money = the ladder applied to its litres by tier cycle (fen)");
    check(d, water_income == charged,
          "water income in the finance line = the rooms' water charges and water purchases in the ledger (fen)");
    if (d->water_local_count > 0) {
        local_water_checks(d);
    }
    if (!d->opt.json) {
        printf("  [info] water: %zu meters, %d reads unanswered\n", d->water_count, failures);
    }
}

/* Cross-checks: the ledger, the settlement books, the meters and the station agree to the unit. */
static void cross_checks(demo_t *d, const prepay_ledger_order_summary_t *orders, bool balances_ok,
                         prepay_money_t water_income)
{
    if (!d->opt.json) {
        printf("\nChecks:\n");
    }
    prepay_ledger_account_t *scratch = calloc(d->account_capacity, sizeof *scratch);
    int verify = scratch ? prepay_ledger_verify(&d->ledger, scratch, d->account_capacity) : PREPAY_E_HOSTED_NO_MEMORY;
    free(scratch);
    check(d, verify == PREPAY_OK, "ledger verified: zero sum, balances equal the replay of every transfer");
    prepay_settlement_result_t res;
    check(d, prepay_settlement_verify(&d->site, &d->ledger, &res) == PREPAY_OK,
          "settlement books = ledger for every room (balance, debt, emergency credit)");
    bool registers = true, settled = true, purses = true, wallets = true;
    prepay_energy_t rooms = 0, band_gap = 0;
    prepay_money_t shares = 0, recharged = 0, purse_gap = 0;
    uint64_t recharges = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        const demo_room_t *r = &d->rooms[i];
        const prepay_settlement_account_t *acc = account_of(d, r);
        const prepay_settlement_balances_t *b = &acc->books;
        const prepay_settlement_meter_t *m = prepay_settlement_meter(&d->site, r->id);
        registers = registers && r->meter_last[0] == m->reading;
        settled = settled && m->total == r->meter_last[0] - r->meter_first[0];
        if (r->local) {
            /* Two independent pricings: the meter prices its own Wh, the station the register read at 0.01 kWh,
             * so a band edge or a tier step can fall on the other side of a 10 Wh step (a fraction of a fen
             * each time). Allowed: 1 fen a day plus 1. */
            prepay_money_t diff = b->balance - r->meter_remaining;
            diff = diff < 0 ? -diff : diff;
            purse_gap = diff > purse_gap ? diff : purse_gap;
            purses = purses && r->meter_remaining >= 0 && diff <= d->opt.days + 1;
        }
        /* The account's energy charges are its electricity and a remote room's water (the water settle calls'
         * charges); a local room's water purchases are sales to its water meter's purse. */
        const prepay_money_t electricity = b->energy - demo_water_charged(r);
        wallets = wallets && b->balance == b->recharged + b->emergency_granted -
                                               (b->energy + b->shares + b->items - b->debt_created) -
                                               b->debt_repaid - b->emergency_repaid - b->refunded - b->sold;
        wallets = wallets && b->sold == (r->local ? r->water_booked : 0);
        wallets = wallets && electricity >= 0 && r->water_money >= 0 && (r->water || r->water_money == 0);
        prepay_energy_t bands = 0;
        for (int band = 1; band <= 4; band++) {
            bands += band_energy(r, band);
        }
        prepay_energy_t gap = bands - m->total;
        gap = gap < 0 ? -gap : gap;
        band_gap = gap > band_gap ? gap : band_gap;
        rooms += m->total;
        shares += b->shares;
        recharged += b->recharged;
        recharges += acc->recharges;
    }
    const prepay_settlement_meter_t *master = prepay_settlement_meter(&d->site, d->master_id);
    const prepay_settlement_group_t *g = &d->site.memory.groups[0];
    check(d, balances_ok, "the site's revenue accounts could be read from the ledger");
    check(d, registers, "every meter's register equals the last reading settled (Wh)");
    check(d, settled, "energy settled per room = its register's advance over the run (Wh)");
    check(d, purses, "local meters: ledger mirror = the meter's own purse, within 1 fen a day (fen)");
    check(d, wallets, "balance = recharges - electricity - water charges - common area + debt - sales (a local "
                      "water meter's purchases), every room (fen)");
    check(d, shares == d->common_total, "common-area shares add up to the common-area charge (fen)");
    check(d, master->total == rooms + d->common_energy - g->carry,
          "incomer = rooms + common area (+ carried residual) (Wh)");
    check(d, recharges == orders->recharge_count && recharged == orders->recharge_sum,
          "recharges per room add up to the finance line (count and yuan)");
    if (d->curves != NULL) {
        demo_curve_summary_t cs;
        demo_curve_summary(d, &cs);
        check(d, cs.malformed == 0 && cs.read + cs.unread == (int)d->room_count + 1 && cs.read > 0,
              "last day's load curves (class 4, 97 records a meter) read and decoded from every meter that answered");
        check(d, cs.mismatched == 0 && cs.compared > 0,
              "each curve's quarter hours add up to its register's advance read by the station that day (Wh)");
        check(d, cs.priced_mismatched == 0 && cs.priced > 0,
              "each room's curve priced by the tariff stream = the day's register-based charges in the ledger (fen)");
        if (!d->opt.json) {
            char e[CLI_TEXT_MAX], m1[CLI_TEXT_MAX], m2[CLI_TEXT_MAX];
            printf("  [info] load curves: %d of %zu meters read (%d unanswered), %d compared (%s kWh), %d without both "
                   "register reads\n", cs.read, d->room_count + 1, cs.unread, cs.compared, kwh(cs.energy, e),
                   cs.unmatched);
            printf("  [info] the day priced: %d rooms' curves %s yuan, their register readings in the ledger %s yuan "
                   "(%d rooms with a lost reading that day not compared)\n", cs.priced, money(cs.curve_fen, m1),
                   money(cs.ledger_fen, m2), cs.priced_unmatched);
        }
    }
    if (d->has_water) {
        water_checks(d, water_income);
    }
    char gap[CLI_TEXT_MAX];
    if (!d->opt.json) {
        printf("  [info] largest difference between a local meter's purse and its ledger mirror: %s yuan\n",
               money(purse_gap, gap));
        printf("  [info] largest difference between a meter's band registers and its settled energy: %s kWh "
               "(0.01 kWh register resolution per band)\n", kwh(band_gap, gap));
    }
}

int demo_report(demo_t *d, json_t *totals)
{
    report_files_t files;
    if (open_files(d, &files) != 0) {
        return -1;
    }
    char from[CLI_TEXT_MAX], to[CLI_TEXT_MAX];
    prepay_time_t end = d->start + (prepay_time_t)d->hours * 3600;
    cli_time_text(d->start, PREPAY_TIME_TEXT_DATE, from);
    cli_time_text(end, PREPAY_TIME_TEXT_DATE, to);
    /* Up to three bands of the tariff get their own column (by the tariff's band names). */
    int bands = d->doc->sets[0].band_count < 3 ? (int)d->doc->sets[0].band_count : 3;
    char band_titles[3][32];
    for (int band = 0; band < 3; band++) {
        snprintf(band_titles[band], sizeof band_titles[band], "%.24s", band < bands ? d->doc->band_names[band] : "-");
    }
    if (!d->opt.json) {
        printf("\nMonth-end report: %s, %s to %s, %zu rooms (kWh from the meters' registers; money in yuan)\n",
               d->doc->name, from, to, d->room_count);
        printf("%-5s %-6s %-6s %9.9s %9.9s %9.9s %9s %9s %8s %8s %8s %9s %4s %5s %4s %4s %9s\n", "", "", "",
               band_titles[0], band_titles[1], band_titles[2], "total", "elec", "water", "common", "debt",
               "recharged", "rech", "alarm", "cuts", "rest", "balance");
        printf("%-5s %-6s %-6s %9s %9s %9s %9s %9s %8s %8s %8s %9s %4s %5s %4s %4s %9s\n", "room", "mode", "habit",
               "kWh", "kWh", "kWh", "kWh", "yuan", "yuan", "yuan", "yuan", "yuan", "n", "n", "n", "n", "yuan");
    }
    fprintf(files.csv.file, "room,address,mode,habit,area_m2,");
    for (int band = 0; band < 3; band++) {
        char title[48];
        snprintf(title, sizeof title, "%.32s_kwh", band_titles[band]);
        cli_csv_write_field(files.csv.file, title);
        fputc(',', files.csv.file);
    }
    fprintf(files.csv.file, "total_kwh,electricity_yuan,water_yuan,common_area_yuan,debt_yuan,recharged_yuan,"
                            "recharges,alarms,cutoffs,restores,notifications,balance_yuan\n");
    cli_set(files.json, "site", json_string("demo building"));
    cli_set(files.json, "tariff", cli_json_text(d->doc->name));
    cli_set(files.json, "from", json_string(from));
    cli_set(files.json, "to", json_string(to));
    prepay_energy_t total_energy = 0;
    prepay_money_t total_charged = 0, total_water = 0, total_recharged = 0, total_shares = 0, total_debt = 0;
    int total_alarms = 0, total_cutoffs = 0, total_restores = 0;
    unsigned total_recharges = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        report_room(d, &files, r, (const char(*)[32])band_titles, bands);
        const prepay_settlement_account_t *acc = account_of(d, r);
        total_energy += prepay_settlement_meter(&d->site, r->id)->total;
        for (int l = 0; l <= PREPAY_MAX_ALARM_LEVELS; l++) {
            total_alarms += r->alarms[l];
        }
        total_charged += acc->books.energy - demo_water_charged(r);
        total_water += r->water_money;
        total_recharged += acc->books.recharged;
        total_shares += acc->books.shares;
        total_debt += acc->books.debt;
        total_recharges += acc->recharges;
        total_cutoffs += r->cutoffs;
        total_restores += r->restores;
    }
    cli_set(files.json, "rooms", files.rooms);
    char e[CLI_TEXT_MAX], a[CLI_TEXT_MAX], b[CLI_TEXT_MAX], c[CLI_TEXT_MAX], g[CLI_TEXT_MAX], h[CLI_TEXT_MAX],
        k[CLI_TEXT_MAX], debt[CLI_TEXT_MAX], wy[CLI_TEXT_MAX];
    kwh(total_energy, e);
    money(total_charged, a);
    money(total_water, wy);
    money(total_shares, b);
    money(total_recharged, c);
    money(total_debt, debt);
    kwh(prepay_settlement_meter(&d->site, d->master_id)->total, g);
    kwh(d->common_energy, h);
    money(d->common_total, k);
    if (!d->opt.json) {
        printf("%-19s %29s %9s %9s %8s %8s %8s %9s %4u %5d %4d %4d\n", "total", "", e, a, wy, b, debt, c,
               total_recharges, total_alarms, total_cutoffs, total_restores);
        printf("\nBuilding incomer %s kWh; rooms %s kWh; common area and losses %s kWh priced at %s yuan, "
               "allocated by floor area over %d period closes.\n", g, e, h, k, d->closes);
    }
    cli_set(totals, "rooms_kwh", json_string(e));
    cli_set(totals, "incomer_kwh", json_string(g));
    cli_set(totals, "common_kwh", json_string(h));
    cli_set(totals, "electricity", json_string(a));
    cli_set(totals, "water", json_string(wy));
    cli_set(totals, "common_area", json_string(b));
    cli_set(totals, "debt", json_string(debt));
    cli_set(totals, "recharged", json_string(c));
    cli_set(totals, "recharges", json_integer(total_recharges));
    cli_set(totals, "alarms", json_integer(total_alarms));
    cli_set(totals, "cutoffs", json_integer(total_cutoffs));
    cli_set(totals, "restores", json_integer(total_restores));
    cli_set(totals, "notifications", json_integer((json_int_t)d->notifications));
    cli_set(files.json, "totals", json_incref(totals));

    /* Finance summary from the ledger. */
    bool balances_ok = true;
    prepay_ledger_order_summary_t orders;
    int status = prepay_ledger_order_summary(&d->ledger, d->start, end + 1, &orders);
    if (status != PREPAY_OK) {
        memset(&orders, 0, sizeof orders);
        balances_ok = false;
    }
    prepay_money_t income = ledger_balance(d, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_ELECTRICITY),
                                           &balances_ok);
    prepay_money_t common = ledger_balance(
        d, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_COMMON_AREA), &balances_ok);
    prepay_money_t water_income = 0;
    if (d->has_water) {
        water_income = ledger_balance(d, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_WATER),
                                      &balances_ok);
        water_income = water_income < 0 ? -water_income : water_income; /* as the electricity income */
        if (report_water(d, &files) != 0) {
            balances_ok = false;
        }
    }
    if (!d->opt.json) {
        char wi[CLI_TEXT_MAX];
        printf("Finance: %u recharges (%zu of them opening balances), %s yuan; electricity income %s yuan; "
               "water income %s yuan; common-area income %s yuan; %s yuan owed by tenants.\n",
               orders.recharge_count, d->room_count, money(orders.recharge_sum, a), money(income < 0 ? -income : income, b),
               money(water_income, wi), money(common < 0 ? -common : common, c), debt);
        printf("Station: %llu requests over loopback TCP, %llu without a normal reply; %llu notifications to "
               "tenants (notifications.csv).\n",
               (unsigned long long)d->requests, (unsigned long long)d->failures,
               (unsigned long long)d->notifications);
    }
    cross_checks(d, &orders, balances_ok, water_income);
    cli_set(files.json, "checks_failed", json_integer(d->checks_failed));
    if (commit_files(d, &files) != 0) {
        return -1;
    }
    if (!d->opt.json) {
        printf("\nWrote %s/report.csv, report.json, water.csv, events.csv, notifications.csv, load.svg, load.csv, "
               "load_day.svg\n", d->opt.out_dir);
    }
    return 0;
}
