/* SPDX-License-Identifier: MIT */
/* Shared helpers of the tariff tests: fixture lookup by name, parsing, stream-vs-batch bills. */
#ifndef PREPAY_TARIFF_TEST_UTIL_H
#define PREPAY_TARIFF_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tariff_fixtures.h"

typedef struct fx_setup {
    prepay_tariff_t sets[2];
    prepay_tariff_plan_t plan;
    prepay_tariff_account_t account;
} fx_setup_t;

/* Builds a named fixture; returns 0 on success, -1 for an unknown name. */
static inline int fx_build(const char *name, fx_setup_t *s)
{
    memset(s, 0, sizeof *s);
    prepay_tariff_t *t = &s->sets[0];
    if (prepay_tariff_account_init(&s->account) != PREPAY_OK) {
        abort(); /* a fixture that cannot be built is a broken test */
    }
    if (strcmp(name, "beijing_year") == 0) {
        fx_beijing_year(t);
    } else if (strcmp(name, "beijing_month") == 0) {
        fx_beijing_month(t);
    } else if (strcmp(name, "guangzhou") == 0) {
        fx_guangzhou(t);
    } else if (strcmp(name, "shanghai_chrono") == 0) {
        fx_shanghai(t, PREPAY_TOU_TIER_CHRONOLOGICAL);
    } else if (strcmp(name, "shanghai_prop") == 0) {
        fx_shanghai(t, PREPAY_TOU_TIER_PROPORTIONAL);
    } else if (strcmp(name, "beijing_ci") == 0) {
        fx_beijing_ci(t);
    } else if (strcmp(name, "guangdong") == 0) {
        fx_guangdong(t, 67250000, 0);
    } else if (strcmp(name, "guangdong_ladder") == 0) {
        /* Guangdong "TOU first, then ladder": uniform +0.05 / +0.30 surcharges (tariffs.md) on the derived
         * TOU prices; monthly bounds 200/400 kWh (the Nov-Apr ladder) */
        fx_guangdong(t, 67250000, 0);
        t->tier_count = 3;
        t->ladders[0].upper[0] = KWH(200);
        t->ladders[0].upper[1] = KWH(400);
        t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
        t->prices.tier_surcharge[1] = 5000000;
        t->prices.tier_surcharge[2] = 30000000;
    } else if (strcmp(name, "flat_fixed") == 0) {
        fx_flat(t, 50000000);
        t->fixed_charge_count = 1;
        t->fixed_charges[0].amount = 500;
        t->fixed_charges[0].item = 7;
    } else if (strcmp(name, "beijing_water") == 0) {
        /* Beijing residential water ladder (2014 notice): <=180, 181-260, >260 m3/yr at 5 / 7 / 9 yuan/m3
         * (tariffs.md: water ladders are the same shape in m3 per year). Quantities in L. */
        fx_ladder3(t, PREPAY_CYCLE_YEAR, 180000, 260000, 500000000, 700000000, 900000000);
        t->unit = PREPAY_TARIFF_UNIT_WATER;
    } else if (strcmp(name, "per_day_10") == 0) {
        fx_flat(t, 50000000);
        t->tier_count = 2;
        t->ladders[0].upper[0] = 10000;
        t->ladders[0].upper[1] = PREPAY_TIER_UNBOUNDED;
        t->ladders[0].per_day = 1;
        t->prices.tier_surcharge[1] = 50000000;
    } else if (strcmp(name, "switch") == 0) {
        fx_flat(t, 50000000);
        fx_flat(&s->sets[1], 60000000);
    } else if (strcmp(name, "holiday") == 0 || strcmp(name, "override") == 0) {
        fx_beijing_ci(t);
        prepay_tou_schedule_t *sc = &t->schedule;
        memset(sc->day_tables, 0, sizeof sc->day_tables);
        sc->season_count = 0;
        sc->day_table_count = 2;
        fx_slot(&sc->day_tables[0], 0, 0, PREPAY_BAND_VALLEY);
        fx_slot(&sc->day_tables[0], 8, 0, PREPAY_BAND_FLAT);
        fx_slot(&sc->day_tables[0], 10, 0, PREPAY_BAND_PEAK);
        if (strcmp(name, "holiday") == 0) {
            fx_slot(&sc->day_tables[0], 14, 0, PREPAY_BAND_FLAT);
        } else {
            fx_slot(&sc->day_tables[0], 12, 0, PREPAY_BAND_FLAT);
            fx_slot(&sc->day_tables[0], 14, 0, PREPAY_BAND_PEAK);
            fx_slot(&sc->day_tables[0], 19, 0, PREPAY_BAND_FLAT);
        }
        fx_slot(&sc->day_tables[1], 0, 0, PREPAY_BAND_VALLEY);
        fx_slot(&sc->day_tables[1], 8, 0, PREPAY_BAND_FLAT);
        fx_slot(&sc->day_tables[1], 10, 0, PREPAY_BAND_DEEP_VALLEY);
        fx_slot(&sc->day_tables[1], 14, 0, PREPAY_BAND_FLAT);
        fx_season(sc, 1, 1, 0);
        sc->seasons[0].holiday_table = 1;
        if (strcmp(name, "holiday") == 0) {
            sc->holiday_count = 1;
            sc->holidays[0].day = fx_day(2024, 10, 1);
        } else {
            sc->override_count = 1;
            sc->overrides[0].day = fx_day(2024, 6, 20);
            sc->overrides[0].start_minute = 15 * 60;
            sc->overrides[0].end_minute = 17 * 60;
            sc->overrides[0].band = PREPAY_BAND_SHARP;
        }
    } else {
        return -1;
    }
    if (prepay_tariff_plan_init(&s->plan, &s->sets[0]) != PREPAY_OK) {
        abort(); /* a fixture that cannot be built is a broken test */
    }
    if (strcmp(name, "switch") == 0) {
        s->plan.sets[1] = &s->sets[1];
        s->plan.switch_time = fx_time(2024, 5, 15, 12, 0);
    }
    return 0;
}

/* Parses "YYYY-MM-DD HH:MM". */
static inline prepay_time_t fx_parse_time(const char *text)
{
    int y, mo, d, h, mi;
    if (sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) != 5) {
        fprintf(stderr, "bad time '%s'\n", text);
        abort();
    }
    return fx_time(y, mo, d, h, mi);
}

/* Parses "start > end = Wh ; ..." into intervals; returns the count. */
static inline size_t fx_parse_intervals(const char *text, prepay_tariff_interval_t *out, size_t cap)
{
    size_t n = 0;
    const char *p = text;
    while (*p && n < cap) {
        char a[32], b[32];
        long long e;
        int used = 0;
        if (sscanf(p, " %31[^>]> %31[^=]= %lld %n", a, b, &e, &used) != 3) {
            fprintf(stderr, "bad interval list '%s'\n", p);
            abort();
        }
        out[n].start = fx_parse_time(a);
        out[n].end = fx_parse_time(b);
        out[n].energy = e;
        n++;
        p += used;
        while (*p == ' ' || *p == ';') {
            p++;
        }
    }
    return n;
}

#endif
