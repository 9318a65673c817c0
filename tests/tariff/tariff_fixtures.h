/* SPDX-License-Identifier: MIT */
/*
 * Test fixtures: the published tariffs used by the tariff tests, built as C structs.
 * Each builder cites its source; prices are in 1e-8 yuan/kWh, energy in Wh.
 */
#ifndef PREPAY_TARIFF_FIXTURES_H
#define PREPAY_TARIFF_FIXTURES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/tariff.h"

#define YUAN8(x) ((prepay_price_t)(x)) /* price literal already in 1e-8 units */
#define KWH(x) ((prepay_energy_t)(x) * 1000)

static inline prepay_time_t fx_time(int y, int mo, int d, int h, int mi)
{
    prepay_days_t days = 0;
    if (prepay_time_days_from_date(y, (unsigned)mo, (unsigned)d, &days) != PREPAY_OK) {
        return INT64_MIN;
    }
    return (prepay_time_t)days * 86400 + h * 3600 + mi * 60;
}

static inline prepay_days_t fx_day(int y, int mo, int d)
{
    prepay_days_t days = 0;
    (void)prepay_time_days_from_date(y, (unsigned)mo, (unsigned)d, &days);
    return days;
}

/* Flat tariff (one band: flat) at one price. */
static inline void fx_flat(prepay_tariff_t *t, prepay_price_t price)
{
    if (prepay_tariff_init(t) != PREPAY_OK) {
        abort(); /* a fixture that cannot be built is a broken test */
    }
    t->band_count = 5;
    t->schedule.default_band = PREPAY_BAND_FLAT;
    for (unsigned b = 0; b < 5; b++) {
        t->prices.band_price[b] = price;
    }
}

/* Three-tier ladder with uniform tier prices given as absolute prices (single band). */
static inline void fx_ladder3(prepay_tariff_t *t, prepay_cycle_kind_t kind, prepay_energy_t b1, prepay_energy_t b2,
                              prepay_price_t p1, prepay_price_t p2, prepay_price_t p3)
{
    fx_flat(t, p1);
    t->cycle_kind = kind;
    t->tier_count = 3;
    t->ladders[0].upper[0] = b1;
    t->ladders[0].upper[1] = b2;
    t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    t->prices.tier_surcharge[0] = 0;
    t->prices.tier_surcharge[1] = p2 - p1;
    t->prices.tier_surcharge[2] = p3 - p1;
}

/* Beijing residential annual ladder: <=2880, 2881-4800, >4800 kWh/yr at 0.4883/0.5383/0.7883 yuan
 * (Beijing DRC residential ladder notice; tariffs.md). */
static inline void fx_beijing_year(prepay_tariff_t *t)
{
    fx_ladder3(t, PREPAY_CYCLE_YEAR, KWH(2880), KWH(4800), 48830000, 53830000, 78830000);
}

/* Beijing monthly equivalent 240/400 kWh (tariffs.md: "the monthly equivalents 240/400"). */
static inline void fx_beijing_month(prepay_tariff_t *t)
{
    fx_ladder3(t, PREPAY_CYCLE_MONTH, KWH(240), KWH(400), 48830000, 53830000, 78830000);
}

/* Guangzhou residential monthly seasonal ladder: May-Oct <=260/261-600/>600, Nov-Apr <=200/201-400/>400;
 * 0.58886875 yuan + 0.05 / + 0.30 for tiers 2 and 3 (tariffs.md, conventions.md). */
static inline void fx_guangzhou(prepay_tariff_t *t)
{
    fx_ladder3(t, PREPAY_CYCLE_MONTH, KWH(200), KWH(400), 58886875, 63886875, 88886875);
    t->ladder_count = 2;
    t->ladders[1] = t->ladders[0];
    t->ladders[1].upper[0] = KWH(260);
    t->ladders[1].upper[1] = KWH(600);
    for (unsigned m = 5; m <= 10; m++) {
        t->ladder_of_month[m - 1] = 1;
    }
}

static inline void fx_slot(prepay_tou_day_table_t *table, unsigned hour, unsigned minute, uint8_t band)
{
    table->slots[table->slot_count].start_minute = (uint16_t)(hour * 60 + minute);
    table->slots[table->slot_count].band = band;
    table->slot_count++;
}

static inline void fx_season(prepay_tou_schedule_t *s, unsigned month, unsigned day, uint8_t table)
{
    prepay_tou_season_t *se = &s->seasons[s->season_count++];
    se->start_month = (uint8_t)month;
    se->start_day = (uint8_t)day;
    se->weekday_table = se->saturday_table = se->sunday_table = se->holiday_table = table;
}

/* Shanghai residential TOU x tier (per-band tier prices): peak 06-22, valley 22-06; yearly tiers
 * <=3120, 3121-4800, >4800 kWh; peak 0.617/0.677/0.977, valley 0.307/0.337/0.487 (tariffs.md). */
static inline void fx_shanghai(prepay_tariff_t *t, prepay_tou_tier_mode_t mode)
{
    if (prepay_tariff_init(t) != PREPAY_OK) {
        abort(); /* a fixture that cannot be built is a broken test */
    }
    t->band_count = 5;
    t->tou_tier_mode = mode;
    t->cycle_kind = PREPAY_CYCLE_YEAR;
    t->tier_count = 3;
    t->ladders[0].upper[0] = KWH(3120);
    t->ladders[0].upper[1] = KWH(4800);
    t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    prepay_tou_schedule_t *s = &t->schedule;
    s->day_table_count = 1;
    fx_slot(&s->day_tables[0], 6, 0, PREPAY_BAND_PEAK);
    fx_slot(&s->day_tables[0], 22, 0, PREPAY_BAND_VALLEY);
    fx_season(s, 1, 1, 0);
    const prepay_price_t peak[3] = {61700000, 67700000, 97700000};
    const prepay_price_t valley[3] = {30700000, 33700000, 48700000};
    for (unsigned i = 0; i < 3; i++) {
        t->prices.band_tier_price[PREPAY_BAND_PEAK - 1][i] = peak[i];
        t->prices.band_tier_price[PREPAY_BAND_VALLEY - 1][i] = valley[i];
    }
}

/* Beijing C&I TOU (tariffs.md): peak 10-13, 17-22; flat 7-10, 13-17, 22-23; valley 23-07;
 * sharp Jul-Aug 11-13 and 16-17 (inside a flat block); Jan and Dec 18-21.
 * Prices are illustrative (sharp 1.5, peak 1.3, flat 0.8, valley 0.35 yuan): the tests check the split. */
static inline void fx_beijing_ci(prepay_tariff_t *t)
{
    if (prepay_tariff_init(t) != PREPAY_OK) {
        abort(); /* a fixture that cannot be built is a broken test */
    }
    t->band_count = 5;
    prepay_tou_schedule_t *s = &t->schedule;
    s->day_table_count = 3;
    prepay_tou_day_table_t *base = &s->day_tables[0], *summer = &s->day_tables[1], *winter = &s->day_tables[2];
    fx_slot(base, 7, 0, PREPAY_BAND_FLAT);
    fx_slot(base, 10, 0, PREPAY_BAND_PEAK);
    fx_slot(base, 13, 0, PREPAY_BAND_FLAT);
    fx_slot(base, 17, 0, PREPAY_BAND_PEAK);
    fx_slot(base, 22, 0, PREPAY_BAND_FLAT);
    fx_slot(base, 23, 0, PREPAY_BAND_VALLEY);
    fx_slot(summer, 7, 0, PREPAY_BAND_FLAT);
    fx_slot(summer, 10, 0, PREPAY_BAND_PEAK);
    fx_slot(summer, 11, 0, PREPAY_BAND_SHARP);
    fx_slot(summer, 13, 0, PREPAY_BAND_FLAT);
    fx_slot(summer, 16, 0, PREPAY_BAND_SHARP);
    fx_slot(summer, 17, 0, PREPAY_BAND_PEAK);
    fx_slot(summer, 22, 0, PREPAY_BAND_FLAT);
    fx_slot(summer, 23, 0, PREPAY_BAND_VALLEY);
    fx_slot(winter, 7, 0, PREPAY_BAND_FLAT);
    fx_slot(winter, 10, 0, PREPAY_BAND_PEAK);
    fx_slot(winter, 13, 0, PREPAY_BAND_FLAT);
    fx_slot(winter, 17, 0, PREPAY_BAND_PEAK);
    fx_slot(winter, 18, 0, PREPAY_BAND_SHARP);
    fx_slot(winter, 21, 0, PREPAY_BAND_PEAK);
    fx_slot(winter, 22, 0, PREPAY_BAND_FLAT);
    fx_slot(winter, 23, 0, PREPAY_BAND_VALLEY);
    /* four seasons; the December one wraps over the year end to cover January too */
    fx_season(s, 2, 1, 0);
    fx_season(s, 7, 1, 1);
    fx_season(s, 9, 1, 0);
    fx_season(s, 12, 1, 2);
    t->prices.band_price[PREPAY_BAND_SHARP - 1] = 150000000;
    t->prices.band_price[PREPAY_BAND_PEAK - 1] = 130000000;
    t->prices.band_price[PREPAY_BAND_FLAT - 1] = 80000000;
    t->prices.band_price[PREPAY_BAND_VALLEY - 1] = 35000000;
    t->prices.band_price[PREPAY_BAND_DEEP_VALLEY - 1] = 16000000;
}

/* Guangdong residential TOU with derived prices (tariffs.md): peak 10-12 and 14-19, valley 0-8, rest flat;
 * peak:flat:valley = 1.7 : 1 : 0.38 of the floating part, sharp = peak x 1.25 (ratio 2.125);
 * published unit prices rounded half-up to 0.0001 yuan. Base 0.6725, adder 0 gives flat 67.25 fen. */
static inline void fx_guangdong(prepay_tariff_t *t, prepay_price_t base, prepay_price_t adder)
{
    if (prepay_tariff_init(t) != PREPAY_OK) {
        abort(); /* a fixture that cannot be built is a broken test */
    }
    t->band_count = 5;
    prepay_tou_schedule_t *s = &t->schedule;
    s->day_table_count = 2;
    fx_slot(&s->day_tables[0], 0, 0, PREPAY_BAND_VALLEY);
    fx_slot(&s->day_tables[0], 8, 0, PREPAY_BAND_FLAT);
    fx_slot(&s->day_tables[0], 10, 0, PREPAY_BAND_PEAK);
    fx_slot(&s->day_tables[0], 12, 0, PREPAY_BAND_FLAT);
    fx_slot(&s->day_tables[0], 14, 0, PREPAY_BAND_PEAK);
    fx_slot(&s->day_tables[0], 19, 0, PREPAY_BAND_FLAT);
    fx_season(s, 1, 1, 0);
#if PREPAY_MAX_DAY_SLOTS >= 9
    /* July-September: sharp 11-12 and 15-17 (9 slots: needs a config with at least 9) */
    prepay_tou_day_table_t *summer = &s->day_tables[1];
    fx_slot(summer, 0, 0, PREPAY_BAND_VALLEY);
    fx_slot(summer, 8, 0, PREPAY_BAND_FLAT);
    fx_slot(summer, 10, 0, PREPAY_BAND_PEAK);
    fx_slot(summer, 11, 0, PREPAY_BAND_SHARP);
    fx_slot(summer, 12, 0, PREPAY_BAND_FLAT);
    fx_slot(summer, 14, 0, PREPAY_BAND_PEAK);
    fx_slot(summer, 15, 0, PREPAY_BAND_SHARP);
    fx_slot(summer, 17, 0, PREPAY_BAND_PEAK);
    fx_slot(summer, 19, 0, PREPAY_BAND_FLAT);
    fx_season(s, 7, 1, 1);
    fx_season(s, 10, 1, 0);
#else
    s->day_table_count = 1;
#endif
    t->prices.mode = PREPAY_PRICE_DERIVED;
    t->prices.derive_base = base;
    t->prices.derive_adder = adder;
    t->prices.derive_quantum = 10000; /* 0.0001 yuan */
    t->prices.derive_rounding = PREPAY_ROUND_HALF_UP;
    t->prices.band_ratio[PREPAY_BAND_SHARP - 1] = 2125000;
    t->prices.band_ratio[PREPAY_BAND_PEAK - 1] = 1700000;
    t->prices.band_ratio[PREPAY_BAND_FLAT - 1] = 1000000;
    t->prices.band_ratio[PREPAY_BAND_VALLEY - 1] = 380000;
    t->prices.band_ratio[PREPAY_BAND_DEEP_VALLEY - 1] = 200000;
}

#endif
