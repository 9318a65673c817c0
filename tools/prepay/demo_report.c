/* prepay demo: the month-end report (text, CSV, JSON), the load curve (SVG) and the cross-checks. */
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static const char *habit_name(demo_habit_t h)
{
    return h == HABIT_PROMPT ? "prompt" : (h == HABIT_LATE ? "late" : "never");
}

static void money(prepay_money_t m, char *out, size_t cap)
{
    prepay_fixed_format(m, 2, out, cap);
}

static void kwh(prepay_energy_t wh, char *out, size_t cap)
{
    /* Wh -> kWh with 3 decimals, exact. */
    prepay_fixed_format(wh, 3, out, cap);
}

static int check(demo_t *d, bool ok, const char *what)
{
    printf("  [%s] %s\n", ok ? "ok" : "FAIL", what);
    if (!ok) {
        d->checks_failed++;
    }
    return ok ? 0 : 1;
}

static prepay_money_t wallet_balance(demo_t *d, uint64_t id)
{
    prepay_ledger_balance_t b;
    memset(&b, 0, sizeof b);
    prepay_ledger_balance(&d->ledger, id, &b);
    return b.balance;
}

static void write_svg(demo_t *d, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        return;
    }
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
    fclose(f);
}

int demo_report(demo_t *d)
{
    char path[4096];
    char a[32], b[32], c[32], e[32], g[32], h[32], k[32];
    prepay_civil_t from, to;
    prepay_time_to_civil(d->start, &from);
    prepay_time_to_civil(d->start + (prepay_time_t)d->hours * 3600, &to);

    printf("\nMonth-end report: %s, %04d-%02u-%02u to %04d-%02u-%02u, %zu rooms\n", d->doc->name, from.year,
           from.month, from.day, to.year, to.month, to.day, d->room_count);
    /* Up to three bands of the tariff get their own column (by the tariff's band names). */
    int bands = d->doc->sets[0].band_count < 3 ? (int)d->doc->sets[0].band_count : 3;
    char band_titles[3][32];
    for (int band = 0; band < 3; band++) {
        snprintf(band_titles[band], sizeof band_titles[band], "%.24s", band < bands ? d->doc->band_names[band] : "-");
    }
    printf("%-5s %-6s %-6s %9.9s %9.9s %9.9s %9s %9s %8s %8s %8s %4s %5s %5s %9s\n", "room", "mode", "habit",
           band_titles[0], band_titles[1], band_titles[2], "total kWh", "tier2+", "elec", "common", "recharge",
           "alrm", "cuts", "rest", "balance");
    snprintf(path, sizeof path, "%s/report.csv", d->opt.out_dir);
    FILE *csv = fopen(path, "w");
    snprintf(path, sizeof path, "%s/report.json", d->opt.out_dir);
    FILE *json = fopen(path, "w");
    if (!csv || !json) {
        fprintf(stderr, "prepay demo: cannot write the report files in %s\n", d->opt.out_dir);
        return -1;
    }
    fprintf(csv, "room,address,mode,habit,area_m2,%s_kwh,%s_kwh,%s_kwh,total_kwh,tier2plus_kwh,"
                 "electricity,common_area,recharged,recharges,alarms,cutoffs,restores,balance\n",
            band_titles[0], band_titles[1], band_titles[2]);
    fprintf(json, "{\n  \"site\": \"%s\",\n  \"tariff\": \"%s\",\n  \"from\": \"%04d-%02u-%02u\",\n  \"to\": "
                  "\"%04d-%02u-%02u\",\n  \"rooms\": [\n",
            "demo building", d->doc->name, from.year, from.month, from.day, to.year, to.month, to.day);
    prepay_energy_t total_energy = 0, total_upper = 0;
    prepay_money_t total_charged = 0, total_recharged = 0, total_allocated = 0;
    int total_alarms = 0, total_cutoffs = 0, total_restores = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        prepay_energy_t energy = r->last_reading - r->first_reading;
        prepay_energy_t upper_tiers = 0;
        for (int t = 2; t <= PREPAY_MAX_TIERS; t++) {
            upper_tiers += r->tier_energy[t];
        }
        int alarms = 0;
        for (int l = 0; l <= PREPAY_MAX_ALARM_LEVELS; l++) {
            alarms += r->alarms[l];
        }
        prepay_money_t balance = wallet_balance(d, r->wallet_id);
        kwh(r->band_energy[1], a, sizeof a);
        kwh(bands >= 2 ? r->band_energy[2] : 0, b, sizeof b);
        kwh(bands >= 3 ? r->band_energy[3] : 0, c, sizeof c);
        kwh(energy, e, sizeof e);
        kwh(upper_tiers, g, sizeof g);
        char charged[32], allocated[32], recharged[32], bal[32], area[32];
        money(r->charged, charged, sizeof charged);
        money(r->allocated, allocated, sizeof allocated);
        money(r->recharged, recharged, sizeof recharged);
        money(balance, bal, sizeof bal);
        prepay_fixed_format(r->area, 2, area, sizeof area);
        printf("%-5s %-6s %-6s %9s %9s %9s %9s %9s %8s %8s %8s %4d %5d %5d %9s\n", r->name,
               r->local ? "local" : "remote", habit_name(r->habit), a, b, c, e, g, charged, allocated, recharged,
               alarms, r->cutoffs, r->restores, bal);
        fprintf(csv, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%d,%s\n", r->name, r->address_text,
                r->local ? "local" : "remote", habit_name(r->habit), area, a, b, c, e, g, charged, allocated,
                recharged, r->recharges, alarms, r->cutoffs, r->restores, bal);
        fprintf(json,
                "    {\"room\": \"%s\", \"address\": \"%s\", \"mode\": \"%s\", \"habit\": \"%s\", \"area_m2\": \"%s\", "
                "\"energy_kwh\": {\"%s\": \"%s\", \"%s\": \"%s\", \"%s\": \"%s\", \"total\": \"%s\", "
                "\"tier2_and_above\": \"%s\"}, \"electricity\": \"%s\", \"common_area\": \"%s\", \"recharged\": \"%s\", "
                "\"recharges\": %d, \"alarms\": [%d, %d, %d], \"cutoffs\": %d, \"restores\": %d, \"balance\": \"%s\"}%s\n",
                r->name, r->address_text, r->local ? "local" : "remote", habit_name(r->habit), area, band_titles[0], a,
                band_titles[1], b, band_titles[2], c, e, g, charged, allocated, recharged, r->recharges, r->alarms[1], r->alarms[2], r->alarms[3], r->cutoffs,
                r->restores, bal, i + 1 < d->room_count ? "," : "");
        total_energy += energy;
        total_upper += upper_tiers;
        total_charged += r->charged;
        total_recharged += r->recharged;
        total_allocated += r->allocated;
        total_alarms += alarms;
        total_cutoffs += r->cutoffs;
        total_restores += r->restores;
    }
    kwh(total_energy, e, sizeof e);
    money(total_charged, a, sizeof a);
    money(total_allocated, b, sizeof b);
    money(total_recharged, c, sizeof c);
    kwh(d->master_last - d->master_first, g, sizeof g);
    kwh(d->common_energy, h, sizeof h);
    money(d->common_total, k, sizeof k);
    char upper[32];
    kwh(total_upper, upper, sizeof upper);
    printf("%-19s %29s %9s %9s %8s %8s %8s %4d %5d %5d\n", "total", "", e, upper, a, b, c, total_alarms,
           total_cutoffs, total_restores);
    printf("\nBuilding incomer %s kWh; rooms %s kWh; common area and losses %s kWh priced at %s yuan, "
           "allocated by floor area.\n", g, e, h, k);
    fprintf(json, "  ],\n  \"totals\": {\"rooms_kwh\": \"%s\", \"incomer_kwh\": \"%s\", \"common_kwh\": \"%s\", "
                  "\"electricity\": \"%s\", \"common_area\": \"%s\", \"recharged\": \"%s\", \"alarms\": %d, "
                  "\"cutoffs\": %d, \"restores\": %d},\n",
            e, g, h, a, b, c, total_alarms, total_cutoffs, total_restores);

    /* Finance summary from the ledger. */
    prepay_ledger_order_summary_t orders;
    memset(&orders, 0, sizeof orders);
    prepay_ledger_order_summary(&d->ledger, d->start, d->start + (prepay_time_t)d->hours * 3600 + 1, &orders);
    money(orders.recharge_sum, a, sizeof a);
    printf("Finance: %u recharge orders, %s yuan; electricity income %s yuan; common-area income %s yuan.\n",
           orders.recharge_count, a, (money(wallet_balance(d, DEMO_REVENUE), b, sizeof b), b),
           (money(wallet_balance(d, DEMO_COMMON), c, sizeof c), c));
    printf("Station: %llu requests over loopback TCP, %llu without a normal reply; %llu alarm notifications.\n",
           (unsigned long long)d->requests, (unsigned long long)d->failures, (unsigned long long)d->notifications);

    /* Cross-checks: the ledger, the meters and the station agree to the unit. */
    printf("\nChecks:\n");
    prepay_ledger_account_t *scratch = calloc(d->account_capacity, sizeof *scratch);
    int verify = scratch ? prepay_ledger_verify(&d->ledger, scratch, d->account_capacity) : PREPAY_E_INVALID_ARGUMENT;
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
            purses = purses && wallet_balance(d, r->wallet_id) == r->meter_remaining;
        } else {
            wallets = wallets && wallet_balance(d, r->wallet_id) == r->recharged - r->charged - r->allocated;
        }
        for (int band = 1; band <= 4; band++) {
            prepay_energy_t gap = r->meter_bands[band] - r->band_energy[band];
            if (gap < 0) {
                gap = -gap;
            }
            if (gap > band_gap) {
                band_gap = gap;
            }
        }
    }
    check(d, registers, "every meter's register equals the station's last reading (Wh)");
    check(d, priced, "every priced charge line adds up to the metered energy (Wh)");
    check(d, purses, "local meters: ledger wallet = the meter's own purse (fen)");
    check(d, wallets, "remote meters: wallet = recharges - electricity - common area (fen)");
    check(d, total_allocated == d->common_total, "common-area shares add up to the common-area charge (fen)");
    prepay_energy_t subs = total_energy;
    check(d, d->master_last - d->master_first == subs + d->common_energy - d->residual_carry,
          "incomer = rooms + common area (+ carried residual) (Wh)");
    kwh(band_gap, a, sizeof a);
    printf("  [info] largest band difference between a meter's band register and the station's hourly pricing: "
           "%s kWh (0.01 kWh register resolution at band edges)\n", a);
    fprintf(json, "  \"checks_failed\": %d\n}\n", d->checks_failed);
    fclose(csv);
    fclose(json);
    snprintf(path, sizeof path, "%s/load.svg", d->opt.out_dir);
    write_svg(d, path);
    printf("\nWrote %s/report.csv, report.json, events.csv, load.svg\n", d->opt.out_dir);
    return d->checks_failed == 0 ? 0 : -1;
}
