/* SPDX-License-Identifier: MIT */
/*
 * Deterministic random valid tariffs and interval streams for property tests and the fuzzer.
 * The generator draws from a byte source (xorshift PRNG in tests, fuzz input in the fuzzer).
 */
#ifndef PREPAY_TARIFF_RANDOM_H
#define PREPAY_TARIFF_RANDOM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/tariff.h"

typedef struct rnd {
    uint64_t x;              /* xorshift state (used when data is exhausted or absent) */
    const uint8_t *data;     /* optional byte source */
    size_t len, pos;
} rnd_t;

static inline uint64_t rnd_next(rnd_t *r)
{
    if (r->data && r->pos + 8 <= r->len) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | r->data[r->pos++];
        }
        return v ^ (r->x += 0x9E3779B97F4A7C15u);
    }
    r->x ^= r->x << 13;
    r->x ^= r->x >> 7;
    r->x ^= r->x << 17;
    return r->x;
}

/* Uniform-ish in [lo, hi]. */
static inline int64_t rnd_range(rnd_t *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1u;
    return lo + (int64_t)(span ? rnd_next(r) % span : rnd_next(r));
}

static inline void rnd_day_table(rnd_t *r, prepay_tou_day_table_t *table, unsigned bands)
{
    memset(table, 0, sizeof *table);
    unsigned n = (unsigned)rnd_range(r, 1, PREPAY_MAX_DAY_SLOTS < 6 ? PREPAY_MAX_DAY_SLOTS : 6);
    unsigned minute = (unsigned)rnd_range(r, 0, 120);
    for (unsigned k = 0; k < n && minute < 1440; k++) {
        table->slots[k].start_minute = (uint16_t)minute;
        table->slots[k].band = (uint8_t)rnd_range(r, 1, bands);
        table->slot_count++;
        minute += (unsigned)rnd_range(r, 1, 400);
    }
}

/* A random valid tariff. `mode` < 0: random mode. */
static inline void rnd_tariff(rnd_t *r, prepay_tariff_t *t, int mode)
{
    if (prepay_tariff_init(t) != PREPAY_OK) {
        abort(); /* a fixture that cannot be built is a broken test */
    }
    unsigned bands = (unsigned)rnd_range(r, 1, PREPAY_MAX_TARIFF_INDEX < 6 ? PREPAY_MAX_TARIFF_INDEX : 6);
    t->band_count = (uint8_t)bands;
    t->tou_tier_mode = (prepay_tou_tier_mode_t)(mode >= 0 ? mode : rnd_range(r, 0, PREPAY_TARIFF_PROPORTIONAL ? 2 : 1));
    t->cycle_kind = (prepay_cycle_kind_t)rnd_range(r, 0, 1);
    t->cycle_start_month = (uint8_t)rnd_range(r, 1, 12);
    t->cycle_start_day = (uint8_t)rnd_range(r, 1, 28);
    t->rounding = (prepay_rounding_t)rnd_range(r, 0, 5);
    t->round_scope = (prepay_round_scope_t)rnd_range(r, 0, 1);
    t->proration = (prepay_proration_t)rnd_range(r, 0, PREPAY_TARIFF_PRORATION ? 2 : 0);
    prepay_tou_schedule_t *s = &t->schedule;
    s->default_band = (uint8_t)rnd_range(r, 1, bands);
    if (rnd_range(r, 0, 3) > 0) {
        s->day_table_count = (uint8_t)rnd_range(r, 1, PREPAY_MAX_DAY_TABLES < 4 ? PREPAY_MAX_DAY_TABLES : 4);
        for (unsigned i = 0; i < s->day_table_count; i++) {
            rnd_day_table(r, &s->day_tables[i], bands);
        }
        unsigned seasons = (unsigned)rnd_range(r, 1, PREPAY_MAX_SEASONS < 4 ? PREPAY_MAX_SEASONS : 4);
        unsigned month = (unsigned)rnd_range(r, 1, 3);
        for (unsigned i = 0; i < seasons && month <= 12; i++) {
            prepay_tou_season_t *se = &s->seasons[s->season_count++];
            se->start_month = (uint8_t)month;
            se->start_day = (uint8_t)rnd_range(r, 1, 28);
            se->weekday_table = (uint8_t)rnd_range(r, 0, s->day_table_count - 1);
            se->saturday_table = (uint8_t)rnd_range(r, 0, s->day_table_count - 1);
            se->sunday_table = (uint8_t)rnd_range(r, 0, s->day_table_count - 1);
            se->holiday_table = (uint8_t)rnd_range(r, 0, s->day_table_count - 1);
            month += (unsigned)rnd_range(r, 1, 4);
        }
        prepay_days_t day = 8766 + (prepay_days_t)rnd_range(r, 0, 30); /* around 2024 */
        unsigned holidays = (unsigned)rnd_range(r, 0, PREPAY_MAX_HOLIDAYS < 5 ? PREPAY_MAX_HOLIDAYS : 5);
        for (unsigned i = 0; i < holidays; i++) {
            s->holidays[s->holiday_count].day = day;
            s->holidays[s->holiday_count].table = (uint8_t)rnd_range(r, 0, s->day_table_count);
            s->holiday_count++;
            day += (prepay_days_t)rnd_range(r, 1, 90);
        }
    }
    prepay_days_t day = 8766 + (prepay_days_t)rnd_range(r, 0, 60);
    unsigned overrides = (unsigned)rnd_range(r, 0, PREPAY_MAX_DATE_OVERRIDES < 4 ? PREPAY_MAX_DATE_OVERRIDES : 4);
    for (unsigned i = 0; i < overrides; i++) {
        prepay_tou_override_t *o = &s->overrides[s->override_count++];
        o->day = day;
        o->start_minute = (uint16_t)rnd_range(r, 0, 1000);
        o->end_minute = (uint16_t)rnd_range(r, o->start_minute + 1, 1440);
        o->band = (uint8_t)rnd_range(r, 1, bands);
        day += (prepay_days_t)rnd_range(r, 1, 40);
    }
    unsigned tiers = (unsigned)rnd_range(r, 1, PREPAY_MAX_TIERS < 4 ? PREPAY_MAX_TIERS : 4);
    t->tier_count = (uint8_t)tiers;
    t->ladder_count = (uint8_t)rnd_range(r, 1, 2);
    for (unsigned l = 0; l < t->ladder_count; l++) {
        t->ladders[l].per_day = (uint8_t)rnd_range(r, 0, PREPAY_TARIFF_DAILY_LADDERS ? 1 : 0);
        prepay_energy_t b = 0;
        for (unsigned i = 0; i + 1 < tiers; i++) {
            b += rnd_range(r, 1, rnd_range(r, 0, 1) ? 300 : t->ladders[l].per_day ? 3000 : 90000);
            t->ladders[l].upper[i] = b;
        }
        t->ladders[l].upper[tiers - 1] = PREPAY_TIER_UNBOUNDED;
    }
    for (unsigned m = 0; m < 12; m++) {
        t->ladder_of_month[m] = (uint8_t)rnd_range(r, 0, t->ladder_count - 1);
    }
    if (rnd_range(r, 0, 1)) {
        t->prices.mode = PREPAY_PRICE_DERIVED;
        t->prices.derive_base = rnd_range(r, 0, 200000000);
        t->prices.derive_adder = rnd_range(r, 0, 2000000);
        t->prices.derive_quantum = rnd_range(r, 1, 100000);
        t->prices.derive_rounding = (prepay_rounding_t)rnd_range(r, 0, 5);
    }
    for (unsigned b = 0; b < bands; b++) {
        t->prices.band_price[b] = rnd_range(r, 0, 200000000);
        t->prices.band_ratio[b] = rnd_range(r, 0, 3000000);
        prepay_price_t p = rnd_range(r, 0, 100000000);
        for (unsigned i = 0; i < tiers; i++) {
            t->prices.band_tier_price[b][i] = p; /* non-decreasing by tier, like published ladders */
            p += rnd_range(r, 0, 50000000);
        }
    }
    prepay_price_t sur = 0;
    for (unsigned i = 1; i < tiers; i++) {
        sur += rnd_range(r, 0, 50000000);
        t->prices.tier_surcharge[i] = sur;
    }
    t->fixed_charge_count = (uint8_t)rnd_range(r, 0, PREPAY_MAX_FIXED_CHARGES < 2 ? PREPAY_MAX_FIXED_CHARGES : 2);
    for (unsigned i = 0; i < t->fixed_charge_count; i++) {
        t->fixed_charges[i].amount = rnd_range(r, 0, 2000);
        t->fixed_charges[i].item = (uint16_t)i;
    }
}

/* A second price set compatible with `a` (for switch-over plans). */
static inline void rnd_second_set(rnd_t *r, const prepay_tariff_t *a, prepay_tariff_t *b)
{
    rnd_tariff(r, b, (int)a->tou_tier_mode);
    b->unit = a->unit;
    b->cycle_kind = a->cycle_kind;
    b->cycle_start_month = a->cycle_start_month;
    b->cycle_start_day = a->cycle_start_day;
    b->rounding = a->rounding;
    b->round_scope = a->round_scope;
    b->proration = a->proration;
    if (a->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL) {
        b->tier_count = a->tier_count;
        b->ladder_count = a->ladder_count;
        memcpy(b->ladder_of_month, a->ladder_of_month, sizeof b->ladder_of_month);
        memcpy(b->ladders, a->ladders, sizeof b->ladders);
        for (unsigned band = 0; band < b->band_count; band++) {
            for (unsigned i = 1; i < b->tier_count; i++) {
                if (b->prices.band_tier_price[band][i] < b->prices.band_tier_price[band][i - 1]) {
                    b->prices.band_tier_price[band][i] = b->prices.band_tier_price[band][i - 1];
                }
            }
        }
    }
}

/* Random demand and capacity charges on a tariff (made monthly and electric): flat and TOU
 * charges with tiers, maybe a billing-demand rule, maybe a capacity charge. */
static inline void rnd_demand(rnd_t *r, prepay_tariff_t *t)
{
    prepay_tariff_demand_t *d = &t->demand;
    memset(d, 0, sizeof *d);
    t->unit = PREPAY_TARIFF_UNIT_ENERGY;
    t->cycle_kind = PREPAY_CYCLE_MONTH;
    d->rate_count = (uint8_t)rnd_range(r, 1, PREPAY_MAX_DEMAND_RATES < 3 ? PREPAY_MAX_DEMAND_RATES : 3);
    for (unsigned i = 0; i < d->rate_count; i++) {
        prepay_demand_rate_t *rate = &d->rates[i];
        rate->tier_count = (uint8_t)rnd_range(r, 1, PREPAY_MAX_DEMAND_TIERS < 3 ? PREPAY_MAX_DEMAND_TIERS : 3);
        prepay_power_t bound = 0;
        for (unsigned k = 0; k < rate->tier_count; k++) {
            bound += rnd_range(r, 1, 20000);
            rate->upper[k] = k + 1u == rate->tier_count ? PREPAY_DEMAND_UNBOUNDED : bound;
            rate->price[k] = rnd_range(r, 0, 3000000000);
        }
    }
    d->period_count = (uint8_t)rnd_range(r, 0, PREPAY_MAX_DEMAND_PERIODS < 3 ? PREPAY_MAX_DEMAND_PERIODS : 3);
    for (unsigned m = 0; m < 12; m++) {
        d->flat_rate[m] = (uint8_t)rnd_range(r, 0, d->rate_count);
        for (unsigned p = 0; p < d->period_count; p++) {
            d->period_rate[p][m] = (uint8_t)rnd_range(r, 0, d->rate_count);
        }
        d->ratchet_ratio[m] = (uint32_t)rnd_range(r, 0, 1200000);
    }
    for (unsigned b = 0; b < t->band_count; b++) {
        d->period_of_band[b] = (uint8_t)rnd_range(r, 0, d->period_count);
    }
    if (rnd_range(r, 0, 1)) {
        d->ratchet = 1;
        d->ratchet_months = (uint8_t)rnd_range(r, 0, 12);
        d->ratchet_current = (uint16_t)rnd_range(r, 0, 0x0FFF);
        d->ratchet_periods = d->period_count ? (uint32_t)rnd_range(r, 0, (1 << d->period_count) - 1) : 0u;
        d->ratchet_minimum = rnd_range(r, 0, 5000);
    }
    if (rnd_range(r, 0, 1)) {
        d->capacity_price = rnd_range(r, 0, 3000000000);
        d->capacity = rnd_range(r, 0, 1000000);
    }
}

/* Random intervals in time order starting near 2024-01-01; returns the count. */
static inline size_t rnd_intervals(rnd_t *r, prepay_tariff_interval_t *out, size_t n)
{
    prepay_time_t t = (prepay_time_t)8766 * 86400 + rnd_range(r, 0, 86400 * 20);
    for (size_t i = 0; i < n; i++) {
        if (rnd_range(r, 0, 9) == 0) {
            t += rnd_range(r, 0, 86400 * 3); /* gap */
        }
        prepay_time_t len = rnd_range(r, 0, 5) == 0 ? rnd_range(r, 1, 86400 * 4) : rnd_range(r, 1, 3600);
        out[i].start = t;
        out[i].end = t + len;
        int64_t kind = rnd_range(r, 0, 3);
        out[i].energy = kind == 0 ? 0 : kind == 1 ? rnd_range(r, 0, 20) : rnd_range(r, 0, len * 3);
        t += len;
    }
    return n;
}

#endif
