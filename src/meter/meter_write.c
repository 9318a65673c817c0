/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: the write (14) items, with password levels.
 *
 * Every write is checked completely before anything changes; writes into a
 * shared tariff set are validated with the tariff engine and undone if the
 * result is invalid. With PREPAY_METER_TARIFF_WRITES 0 the tariff writes are
 * refused as for sets bound read-only, and their code is left out.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "prepay/dlt645_di.h"
#include "meter_internal.h"
#include "meter_write_internal.h"

static int get_bcd(const uint8_t *value, size_t len, size_t expect, int64_t *out)
{
    uint64_t v;
    if (len != expect || prepay_bcd_decode(value, len, &v) != PREPAY_OK) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    *out = (int64_t)v;
    return PREPAY_OK;
}

/* Decodes n bytes of two BCD digits each into out (wire order); false at the first that is not. */
static bool bcd_bytes(const uint8_t *in, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        if (prepay_bcd_decode_byte(in[i], &out[i]) != PREPAY_OK) {
            return false;
        }
    }
    return true;
}

/* Validates the plan after a write into a bound set; when it is kept, the
 * sets are touched so that every plan sealed with them looks again. */
static int validate_plan(const prepay_meter_t *meter)
{
    prepay_tariff_plan_t plan;
    prepay__meter_plan(meter, &plan);
    if (prepay_tariff_plan_validate(&plan) != PREPAY_OK) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_tariff_touch(meter->writable[0]);
    prepay_tariff_touch(meter->writable[1]);
    return PREPAY_OK;
}

/* 04010000 / 04020000 zone table: entries NN DD MM (wire order). */
static int write_zones(prepay_meter_t *meter, prepay_tariff_t *set, const uint8_t *v, size_t len)
{
    prepay_tou_schedule_t *s = &set->schedule;
    size_t count = len / 3u;
    if (len % 3u != 0 || count == 0 || count > PREPAY_MAX_SEASONS) {
        return PREPAY_E_METER_WRITE_ZONES;
    }
    prepay_tou_season_t old[PREPAY_MAX_SEASONS];
    uint8_t old_count = s->season_count;
    memcpy(old, s->seasons, sizeof old);
    for (size_t i = 0; i < count; i++) {
        uint8_t e[3]; /* NN DD MM */
        if (!bcd_bytes(v + 3 * i, 3, e) || e[0] < 1) {
            memcpy(s->seasons, old, sizeof old);
            return PREPAY_E_INVALID_ARGUMENT;
        }
        prepay_tou_season_t *z = &s->seasons[i];
        z->start_month = e[2];
        z->start_day = e[1];
        z->weekday_table = z->saturday_table = z->sunday_table = z->holiday_table = (uint8_t)(e[0] - 1u);
    }
    s->season_count = (uint8_t)count;
    if (validate_plan(meter) != PREPAY_OK) {
        memcpy(s->seasons, old, sizeof old);
        s->season_count = old_count;
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return PREPAY_OK;
}

/* 040100nn / 040200nn day table nn: entries NN mm hh (wire order). */
static int write_day_table(prepay_meter_t *meter, prepay_tariff_t *set, unsigned table, const uint8_t *v, size_t len)
{
    prepay_tou_schedule_t *s = &set->schedule;
    size_t count = len / 3u;
    if (table < 1 || table > PREPAY_MAX_DAY_TABLES || table > s->day_table_count) {
        return PREPAY_E_NOT_FOUND;
    }
    /* Bounded by the table (PREPAY_MAX_DAY_SLOTS) and by what a meter holds (14). */
    if (len % 3u != 0 || count == 0 || count > PREPAY_MAX_DAY_SLOTS || count > PREPAY_METER_MAX_DAY_SLOTS) {
        return PREPAY_E_METER_WRITE_SLOTS;
    }
    prepay_tou_day_table_t *d = &s->day_tables[table - 1u];
    prepay_tou_day_table_t old = *d;
    for (size_t i = 0; i < count; i++) {
        uint8_t e[3]; /* NN mm hh */
        if (!bcd_bytes(v + 3 * i, 3, e) || e[1] > 59 || e[2] > 23) {
            *d = old;
            return PREPAY_E_INVALID_ARGUMENT;
        }
        if (e[0] > set->band_count || e[0] < 1) {
            *d = old;
            return PREPAY_E_METER_WRITE_TARIFFS;
        }
        d->slots[i].start_minute = (uint16_t)(e[2] * 60u + e[1]);
        d->slots[i].band = e[0];
    }
    d->slot_count = (uint8_t)count;
    if (validate_plan(meter) != PREPAY_OK) {
        *d = old;
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return PREPAY_OK;
}

/* A meter holds prices, not formulas: the first price write into a set whose
 * band prices are derived (base x ratio + adder) fixes every band's derived
 * price as a direct price, then changes the one written. */
static int write_price(prepay_meter_t *meter, prepay_tariff_t *set, unsigned band, const uint8_t *v, size_t len)
{
    int64_t value;
    if (get_bcd(v, len, 4, &value) != PREPAY_OK) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (band < 1 || band > set->band_count || set->tou_tier_mode != PREPAY_TOU_TIER_UNIFORM) {
        return PREPAY_E_NOT_FOUND;
    }
    prepay_price_t direct[PREPAY_MAX_TARIFF_INDEX];
    memcpy(direct, set->prices.band_price, sizeof direct);
    if (set->prices.mode == PREPAY_PRICE_DERIVED) {
        for (unsigned b = 1; b <= set->band_count; b++) {
            prepay_price_t price;
            if (prepay_tariff_price(set, b, 1, &price) != PREPAY_OK) {
                return PREPAY_E_INVALID_ARGUMENT;
            }
            direct[b - 1u] = price - set->prices.tier_surcharge[0];
        }
    }
    direct[band - 1u] = value * 10000;
    prepay_price_t old[PREPAY_MAX_TARIFF_INDEX];
    memcpy(old, set->prices.band_price, sizeof old);
    prepay_price_mode_t old_mode = set->prices.mode;
    memcpy(set->prices.band_price, direct, sizeof direct);
    set->prices.mode = PREPAY_PRICE_DIRECT;
    if (validate_plan(meter) != PREPAY_OK) {
        memcpy(set->prices.band_price, old, sizeof old);
        set->prices.mode = old_mode;
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return PREPAY_OK;
}

/* 04000202 number of day tables (1..8) and 04000204 number of tariffs (1..63):
 * meter-wide (DL/T 645-2007 A.5), so both bound sets change together. New day
 * tables start as a copy of table 1 and new tariffs at price 0 (both unused
 * until a zone or a slot refers to them); fewer is refused while a zone or
 * a slot still refers to what would go. */
static int write_count(prepay_meter_t *meter, uint32_t di, const uint8_t *v, size_t len)
{
    uint8_t n;
    if (len != 1 || prepay_bcd_decode_byte(v[0], &n) != PREPAY_OK || n < 1) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    bool tables = di == PREPAY_DI_DAY_TABLE_COUNT;
    unsigned limit = tables ? 8u : 63u;
    unsigned capacity = tables ? PREPAY_MAX_DAY_TABLES : PREPAY_MAX_TARIFF_INDEX;
    if (n > limit || n > capacity) {
        return tables ? PREPAY_E_INVALID_ARGUMENT : PREPAY_E_METER_WRITE_TARIFFS;
    }
    for (unsigned s = 0; s < PREPAY_TARIFF_PRICE_SETS; s++) {
        if (meter->sets[s] != NULL && (meter->writable[s] == NULL || !PREPAY_METER_TARIFF_WRITES)) {
            return PREPAY_E_METER_WRITE_READ_ONLY;
        }
    }
#if !PREPAY_METER_TARIFF_WRITES
    return PREPAY_E_INVALID_ARGUMENT; /* no set bound: no plan to write into (what validate_plan() finds) */
#endif
    uint8_t old[PREPAY_TARIFF_PRICE_SETS] = {0};
    prepay_tariff_t *sets[PREPAY_TARIFF_PRICE_SETS];
    for (unsigned s = 0; s < PREPAY_TARIFF_PRICE_SETS; s++) {
        /* Both sets may be one table: change (and restore) it once. */
        sets[s] = (s > 0 && meter->writable[s] == meter->writable[0]) ? NULL : meter->writable[s];
    }
    for (unsigned s = 0; s < PREPAY_TARIFF_PRICE_SETS; s++) {
        prepay_tariff_t *set = sets[s];
        if (set == NULL) {
            continue;
        }
        old[s] = tables ? set->schedule.day_table_count : set->band_count;
        for (unsigned i = old[s]; i < n; i++) {
            if (tables) {
                set->schedule.day_tables[i] = set->schedule.day_tables[0];
            } else {
                set->prices.band_price[i] = 0;
            }
        }
        if (tables) {
            set->schedule.day_table_count = n;
        } else {
            set->band_count = n;
        }
    }
    if (validate_plan(meter) != PREPAY_OK) {
        for (unsigned s = 0; s < PREPAY_TARIFF_PRICE_SETS; s++) {
            prepay_tariff_t *set = sets[s];
            if (set != NULL && tables) {
                set->schedule.day_table_count = old[s];
            } else if (set != NULL) {
                set->band_count = old[s];
            }
            /* Unused tables and prices beyond the count were rewritten: plans sealed with the set look again. */
            prepay_tariff_touch(set);
        }
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return PREPAY_OK;
}

/* Ladder value n (1..6): finite bound n; 0 ends the ladder. Ladder price n (1..7): tier surcharge. */
static int write_ladder(prepay_meter_t *meter, prepay_tariff_t *set, unsigned prices, unsigned n, const uint8_t *v,
                        size_t len)
{
    int64_t value;
    if (get_bcd(v, len, 4, &value) != PREPAY_OK) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (set->tou_tier_mode != PREPAY_TOU_TIER_UNIFORM || set->ladder_count != 1 || set->ladders[0].per_day) {
        return PREPAY_E_NOT_FOUND;
    }
    if (prices) {
        if (n < 1 || n > 7 || n > PREPAY_MAX_TIERS) {
            return PREPAY_E_NOT_FOUND;
        }
        prepay_price_t old = set->prices.tier_surcharge[n - 1u];
        set->prices.tier_surcharge[n - 1u] = value * 10000;
        if (validate_plan(meter) != PREPAY_OK) {
            set->prices.tier_surcharge[n - 1u] = old;
            return PREPAY_E_INVALID_ARGUMENT;
        }
        return PREPAY_OK;
    }
    if (n < 1 || n > 6) {
        return PREPAY_E_NOT_FOUND;
    }
    /* Current finite bounds as ladder values (0 = unused), with value n replaced. */
    prepay_energy_t values[6] = {0, 0, 0, 0, 0, 0};
    for (unsigned i = 0; i + 1u < set->tier_count && i < 6; i++) {
        values[i] = set->ladders[0].upper[i];
    }
    values[n - 1u] = value * 10;
    unsigned finite = 0;
    while (finite < 6 && values[finite] > 0) {
        finite++;
    }
    if (finite + 1u > PREPAY_MAX_TIERS) {
        return PREPAY_E_METER_WRITE_TARIFFS;
    }
    prepay_tier_ladder_t old = set->ladders[0];
    uint8_t old_count = set->tier_count;
    for (unsigned i = 0; i < finite; i++) {
        set->ladders[0].upper[i] = values[i];
    }
    set->ladders[0].upper[finite] = PREPAY_TIER_UNBOUNDED;
    set->tier_count = (uint8_t)(finite + 1u);
    if (validate_plan(meter) != PREPAY_OK) {
        set->ladders[0] = old;
        set->tier_count = old_count;
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return PREPAY_OK;
}

int prepay__meter_write_level(uint32_t di)
{
    switch (di) {
    case 0x04000101u:
    case 0x04000102u:
    case 0x04000B01u:
        return 4;
    default:
        return 2;
    }
}

int prepay__meter_write(prepay_meter_t *meter, uint32_t di, const uint8_t *v, size_t len)
{
    int64_t value;
    prepay_meter_purse_t *p = &meter->purse;
    switch (di) {
    case 0x04000101u: { /* date: WW DD MM YY; the time of day is kept */
        prepay_time_t t;
        if (len != 4 || prepay_time_from_dlt645_date_and_time(v, NULL, false, &t) != PREPAY_OK) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        return prepay__meter_set_clock(meter, t + prepay_time_second_of_day(meter->clock));
    }
    case 0x04000102u: { /* time: ss mm hh */
        uint8_t e[3]; /* ss mm hh */
        if (len != 3 || !bcd_bytes(v, 3, e) || e[0] > 59 || e[1] > 59 || e[2] > 23) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        prepay_time_t day = meter->clock - prepay_time_second_of_day(meter->clock);
        return prepay__meter_set_clock(meter, day + e[2] * 3600 + e[1] * 60 + e[0]);
    }
    case 0x04000106u:
    case 0x04000107u:
    case 0x04000108u:
    case 0x04000109u: {
        prepay_time_t t = PREPAY__METER_NEVER;
        static const uint8_t zero[5] = {0, 0, 0, 0, 0};
        if (len != 5 || (memcmp(v, zero, 5) != 0 && prepay_time_from_dlt645_minute(v, &t) != PREPAY_OK)) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        meter->switch_time[(di & 0xFFu) - 6u] = t;
        return PREPAY_OK;
    }
    case PREPAY_DI_DAY_TABLE_COUNT:
    case PREPAY_DI_TARIFF_COUNT:
        return write_count(meter, di, v, len);
    case 0x04000B01u: { /* settlement day: hh DD */
        uint8_t e[2]; /* hh DD */
        if (len != 2 || !bcd_bytes(v, 2, e) || e[0] > 23 || e[1] < 1 || e[1] > 28) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        meter->settlement_hour = e[0];
        meter->settlement_day = e[1];
        return PREPAY_OK;
    }
    case 0x04001001u:
    case 0x04001002u:
    case 0x04001003u:
    case 0x04001004u:
    case 0x04001005u: {
        if (get_bcd(v, len, 4, &value) != PREPAY_OK) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        /* 04001001..05: alarm 1, alarm 2, overdraft, hoarding, close allowed (a copy, checked, kept). */
        static const uint8_t member[5] = {
            offsetof(prepay_meter_purse_t, alarm1), offsetof(prepay_meter_purse_t, alarm2),
            offsetof(prepay_meter_purse_t, overdraft_limit), offsetof(prepay_meter_purse_t, hoarding_limit),
            offsetof(prepay_meter_purse_t, close_allowed)};
        prepay_meter_purse_t next = *p;
        memcpy((uint8_t *)&next + member[(di & 0xFFu) - 1u], &value, sizeof value);
        if (prepay__meter_check_purse(&next) != PREPAY_OK) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        *p = next;
        prepay__meter_purse_limits_written(meter);
        return PREPAY_OK;
    }
    case PREPAY__DI_DEMAND_PERIOD:
    case PREPAY__DI_DEMAND_SLIDE:
        return prepay__meter_demand_parameter_write(meter, di, v, len);
    default:
        break;
    }
    if (prepay__meter_profile_parameter(di)) {
        return prepay__meter_profile_parameter_write(meter, di, v, len);
    }
    unsigned cls2 = (di >> 16) & 0xFFFFu;
    if (cls2 == 0x0401u || cls2 == 0x0402u || cls2 == 0x0405u || cls2 == 0x0406u) {
        unsigned set_no;
        if (cls2 == 0x0401u || cls2 == 0x0402u) {
            set_no = cls2 - 0x0401u;
        } else if (cls2 == 0x0405u) {
            set_no = ((di >> 8) & 0xFFu) - 1u;
        } else {
            set_no = ((di >> 8) & 0xFFu) / 2u;
        }
        if (set_no >= PREPAY_TARIFF_PRICE_SETS || meter->sets[set_no] == NULL) {
            return PREPAY_E_NOT_FOUND;
        }
        /* Without PREPAY_METER_TARIFF_WRITES every bound set is read-only. */
        prepay_tariff_t *set = PREPAY_METER_TARIFF_WRITES ? meter->writable[set_no] : NULL;
        if (set == NULL) {
            return PREPAY_E_METER_WRITE_READ_ONLY;
        }
        if (cls2 == 0x0401u || cls2 == 0x0402u) {
            if ((di & 0xFF00u) != 0) {
                return PREPAY_E_NOT_FOUND;
            }
            return (di & 0xFFu) == 0 ? write_zones(meter, set, v, len)
                                     : write_day_table(meter, set, di & 0xFFu, v, len);
        }
        if (cls2 == 0x0405u) {
            unsigned sub = (di >> 8) & 0xFFu;
            if (sub != 1 && sub != 2) {
                return PREPAY_E_NOT_FOUND;
            }
            return write_price(meter, set, di & 0xFFu, v, len);
        }
        unsigned sub = (di >> 8) & 0xFFu;
        if (sub > 3) {
            return PREPAY_E_NOT_FOUND;
        }
        return write_ladder(meter, set, sub % 2u, di & 0xFFu, v, len);
    }
    return PREPAY_E_NOT_FOUND;
}
