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

/* A balance from the ledger; *ok turns false (and a check fails) if the account cannot be read. */
static prepay_money_t balance_of(demo_t *d, uint64_t id, bool *ok)
{
    prepay_ledger_balance_t b;
    if (prepay_ledger_balance(&d->ledger, id, &b) != PREPAY_OK) {
        *ok = false;
        return 0;
    }
    return b.balance;
}

static void write_svg(demo_t *d, FILE *f)
{
    const int width = 960, height = 360, left = 60, bottom = 40, top = 30, right = 20;
    prepay_energy_t peak = 1;
    for (int h = 0; h < d->hours; h++) {
        if (d->master_wh[h] > peak) {
            peak = d->master_wh[h];
        }
        if (d->rooms_wh[h] > peak) {
            peak = d->rooms_wh[h];
        }
    }
    double plot_w = width - left - right, plot_h = height - top - bottom;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
               "font-size=\"11\">\n", width, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%d\" y=\"18\" font-size=\"14\">Site load, hourly (kW): building incomer and rooms</text>\n",
            left);
    for (int k = 0; k <= 4; k++) {
        double y = top + plot_h - plot_h * k / 4.0;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, y, width - right, y);
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", left - 6, y + 4,
                (double)peak * k / 4.0 / 1000.0);
    }
    for (int day = 0; day * 24 <= d->hours; day += (d->hours > 24 * 14 ? 5 : 1)) {
        double x = left + plot_w * day * 24 / (d->hours > 0 ? d->hours : 1);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">day %d</text>\n", x, height - 15, day + 1);
    }
    const char *colors[2] = {"#c0392b", "#2471a3"};
    const char *names[2] = {"building incomer", "sum of rooms"};
    for (int s = 0; s < 2; s++) {
        const prepay_energy_t *series = s == 0 ? d->master_wh : d->rooms_wh;
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"", colors[s]);
        for (int h = 0; h < d->hours; h++) {
            double x = left + plot_w * (h + 0.5) / d->hours;
            double y = top + plot_h - plot_h * (double)series[h] / (double)peak;
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        fprintf(f, "\"/>\n<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n", width - right - 260 + s * 130, 18,
                colors[s], names[s]);
    }
    fprintf(f, "</svg>\n");
}

/* The report files in the making: each is renamed into place only when complete. */
typedef struct report_files {
    cli_output_t csv, svg;
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
        write_svg(d, files->svg.file);
        rc = cli_output_commit(&files->svg, err, sizeof err);
    }
    json_decref(files->json);
    if (rc != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "%s", err);
    }
    return rc;
}

/* One room: a line of the table, a CSV record, a JSON object. */
static void report_room(demo_t *d, report_files_t *files, const demo_room_t *r, const char band_titles[3][32], int bands,
                        bool *ok)
{
    char a[CLI_TEXT_MAX], b[CLI_TEXT_MAX], c[CLI_TEXT_MAX], e[CLI_TEXT_MAX], g[CLI_TEXT_MAX];
    char charged[CLI_TEXT_MAX], allocated[CLI_TEXT_MAX], recharged[CLI_TEXT_MAX], bal[CLI_TEXT_MAX],
        area[CLI_TEXT_MAX];
    prepay_energy_t energy = r->last_reading - r->first_reading;
    prepay_energy_t upper_tiers = 0;
    for (int t = 2; t <= PREPAY_MAX_TIERS; t++) {
        upper_tiers += r->tier_energy[t];
    }
    int alarms = 0;
    for (int l = 0; l <= PREPAY_MAX_ALARM_LEVELS; l++) {
        alarms += r->alarms[l];
    }
    kwh(r->band_energy[1], a);
    kwh(bands >= 2 ? r->band_energy[2] : 0, b);
    kwh(bands >= 3 ? r->band_energy[3] : 0, c);
    kwh(energy, e);
    kwh(upper_tiers, g);
    money(r->charged, charged);
    money(r->allocated, allocated);
    money(r->recharged, recharged);
    money(balance_of(d, r->wallet_id, ok), bal);
    cli_fixed_text(r->area, 2, area);
    if (!d->opt.json) {
        printf("%-5s %-6s %-6s %9s %9s %9s %9s %9s %8s %8s %8s %4d %5d %5d %9s\n", r->name,
               r->local ? "local" : "remote", habit_name(r->habit), a, b, c, e, g, charged, allocated, recharged,
               alarms, r->cutoffs, r->restores, bal);
    }
    FILE *csv = files->csv.file;
    cli_csv_write_field(csv, r->name);
    fprintf(csv, ",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%d,%s\n", r->address_text,
            r->local ? "local" : "remote", habit_name(r->habit), area, a, b, c, e, g, charged, allocated, recharged,
            r->recharges, alarms, r->cutoffs, r->restores, bal);
    json_t *o = json_object(), *kw = json_object(), *levels = json_array();
    cli_set(o, "room", json_string(r->name));
    cli_set(o, "address", json_string(r->address_text));
    cli_set(o, "mode", json_string(r->local ? "local" : "remote"));
    cli_set(o, "habit", json_string(habit_name(r->habit)));
    cli_set(o, "area_m2", json_string(area));
    cli_set(kw, band_titles[0], json_string(a));
    cli_set(kw, band_titles[1], json_string(b));
    cli_set(kw, band_titles[2], json_string(c));
    cli_set(kw, "total", json_string(e));
    cli_set(kw, "tier2_and_above", json_string(g));
    cli_set(o, "energy_kwh", kw);
    cli_set(o, "electricity", json_string(charged));
    cli_set(o, "common_area", json_string(allocated));
    cli_set(o, "recharged", json_string(recharged));
    cli_set(o, "recharges", json_integer(r->recharges));
    for (int l = 1; l <= 3 && l <= PREPAY_MAX_ALARM_LEVELS; l++) {
        json_array_append_new(levels, json_integer(r->alarms[l]));
    }
    cli_set(o, "alarms", levels);
    cli_set(o, "cutoffs", json_integer(r->cutoffs));
    cli_set(o, "restores", json_integer(r->restores));
    cli_set(o, "balance", json_string(bal));
    json_array_append_new(files->rooms, o);
}

/* Cross-checks: the ledger, the meters and the station agree to the unit. */
static void cross_checks(demo_t *d, prepay_energy_t total_energy, prepay_money_t total_allocated, bool balances_ok)
{
    if (!d->opt.json) {
        printf("\nChecks:\n");
    }
    prepay_ledger_account_t *scratch = calloc(d->account_capacity, sizeof *scratch);
    int verify = scratch ? prepay_ledger_verify(&d->ledger, scratch, d->account_capacity) : PREPAY_E_HOSTED_NO_MEMORY;
    free(scratch);
    check(d, verify == PREPAY_OK, "ledger verified: zero sum, balances equal the replay of every transfer");
    bool registers = true, priced = true, purses = true, wallets = true;
    prepay_energy_t band_gap = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        prepay_energy_t lines = 0;
        for (int band = 1; band <= PREPAY_MAX_TARIFF_INDEX; band++) {
            lines += r->band_energy[band];
        }
        registers = registers && r->meter_total == r->last_reading;
        priced = priced && lines == r->last_reading - r->first_reading;
        if (r->local) {
            purses = purses && balance_of(d, r->wallet_id, &balances_ok) == r->meter_remaining;
        } else {
            wallets = wallets && balance_of(d, r->wallet_id, &balances_ok) == r->recharged - r->charged - r->allocated;
        }
        for (int band = 1; band <= 4; band++) {
            prepay_energy_t gap = r->meter_bands[band] - r->band_energy[band];
            gap = gap < 0 ? -gap : gap;
            band_gap = gap > band_gap ? gap : band_gap;
        }
    }
    check(d, balances_ok, "every wallet's balance could be read from the ledger");
    check(d, registers, "every meter's register equals the station's last reading (Wh)");
    check(d, priced, "every priced charge line adds up to the metered energy (Wh)");
    check(d, purses, "local meters: ledger wallet = the meter's own purse (fen)");
    check(d, wallets, "remote meters: wallet = recharges - electricity - common area (fen)");
    check(d, total_allocated == d->common_total, "common-area shares add up to the common-area charge (fen)");
    check(d, d->master_last - d->master_first == total_energy + d->common_energy - d->residual_carry,
          "incomer = rooms + common area (+ carried residual) (Wh)");
    char gap[CLI_TEXT_MAX];
    if (!d->opt.json) {
        printf("  [info] largest band difference between a meter's band register and the station's hourly pricing: "
               "%s kWh (0.01 kWh register resolution at band edges)\n", kwh(band_gap, gap));
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
        printf("\nMonth-end report: %s, %s to %s, %zu rooms\n", d->doc->name, from, to, d->room_count);
        printf("%-5s %-6s %-6s %9.9s %9.9s %9.9s %9s %9s %8s %8s %8s %4s %5s %5s %9s\n", "room", "mode", "habit",
               band_titles[0], band_titles[1], band_titles[2], "total kWh", "tier2+", "elec", "common", "recharge",
               "alrm", "cuts", "rest", "balance");
    }
    fprintf(files.csv.file, "room,address,mode,habit,area_m2,");
    for (int band = 0; band < 3; band++) {
        char title[48];
        snprintf(title, sizeof title, "%.32s_kwh", band_titles[band]);
        cli_csv_write_field(files.csv.file, title);
        fputc(',', files.csv.file);
    }
    fprintf(files.csv.file, "total_kwh,tier2plus_kwh,electricity,common_area,recharged,recharges,alarms,cutoffs,"
                            "restores,balance\n");
    cli_set(files.json, "site", json_string("demo building"));
    cli_set(files.json, "tariff", cli_json_text(d->doc->name));
    cli_set(files.json, "from", json_string(from));
    cli_set(files.json, "to", json_string(to));
    prepay_energy_t total_energy = 0, total_upper = 0;
    prepay_money_t total_charged = 0, total_recharged = 0, total_allocated = 0;
    int total_alarms = 0, total_cutoffs = 0, total_restores = 0;
    bool balances_ok = true;
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        report_room(d, &files, r, (const char(*)[32])band_titles, bands, &balances_ok);
        total_energy += r->last_reading - r->first_reading;
        for (int t = 2; t <= PREPAY_MAX_TIERS; t++) {
            total_upper += r->tier_energy[t];
        }
        for (int l = 0; l <= PREPAY_MAX_ALARM_LEVELS; l++) {
            total_alarms += r->alarms[l];
        }
        total_charged += r->charged;
        total_recharged += r->recharged;
        total_allocated += r->allocated;
        total_cutoffs += r->cutoffs;
        total_restores += r->restores;
    }
    cli_set(files.json, "rooms", files.rooms);
    char e[CLI_TEXT_MAX], a[CLI_TEXT_MAX], b[CLI_TEXT_MAX], c[CLI_TEXT_MAX], g[CLI_TEXT_MAX], h[CLI_TEXT_MAX],
        k[CLI_TEXT_MAX], upper[CLI_TEXT_MAX];
    kwh(total_energy, e);
    money(total_charged, a);
    money(total_allocated, b);
    money(total_recharged, c);
    kwh(d->master_last - d->master_first, g);
    kwh(d->common_energy, h);
    money(d->common_total, k);
    kwh(total_upper, upper);
    if (!d->opt.json) {
        printf("%-19s %29s %9s %9s %8s %8s %8s %4d %5d %5d\n", "total", "", e, upper, a, b, c, total_alarms,
               total_cutoffs, total_restores);
        printf("\nBuilding incomer %s kWh; rooms %s kWh; common area and losses %s kWh priced at %s yuan, "
               "allocated by floor area.\n", g, e, h, k);
    }
    cli_set(totals, "rooms_kwh", json_string(e));
    cli_set(totals, "incomer_kwh", json_string(g));
    cli_set(totals, "common_kwh", json_string(h));
    cli_set(totals, "electricity", json_string(a));
    cli_set(totals, "common_area", json_string(b));
    cli_set(totals, "recharged", json_string(c));
    cli_set(totals, "alarms", json_integer(total_alarms));
    cli_set(totals, "cutoffs", json_integer(total_cutoffs));
    cli_set(totals, "restores", json_integer(total_restores));
    cli_set(files.json, "totals", json_incref(totals));

    /* Finance summary from the ledger. */
    prepay_ledger_order_summary_t orders;
    int status = prepay_ledger_order_summary(&d->ledger, d->start, end + 1, &orders);
    if (status != PREPAY_OK) {
        memset(&orders, 0, sizeof orders);
        balances_ok = false;
    }
    if (!d->opt.json) {
        printf("Finance: %u recharge orders, %s yuan; electricity income %s yuan; common-area income %s yuan.\n",
               orders.recharge_count, money(orders.recharge_sum, a), money(balance_of(d, DEMO_REVENUE, &balances_ok), b),
               money(balance_of(d, DEMO_COMMON, &balances_ok), c));
        printf("Station: %llu requests over loopback TCP, %llu without a normal reply; %llu alarm notifications.\n",
               (unsigned long long)d->requests, (unsigned long long)d->failures,
               (unsigned long long)d->notifications);
    }
    cross_checks(d, total_energy, total_allocated, balances_ok);
    cli_set(files.json, "checks_failed", json_integer(d->checks_failed));
    if (commit_files(d, &files) != 0) {
        return -1;
    }
    if (!d->opt.json) {
        printf("\nWrote %s/report.csv, report.json, events.csv, load.svg\n", d->opt.out_dir);
    }
    return 0;
}
