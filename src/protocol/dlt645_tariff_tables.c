/* SPDX-License-Identifier: MIT */
/*
 * A price set as DL/T 645 tables and back (see prepay/dlt645_tariff.h):
 * year zones and day tables (DL/T 645-2007 A.5, 04010000.. / 04020000..),
 * tariff prices (Q/GDW 040501nn / 040502nn), ladder values and ladder prices
 * (Q/GDW 040600nn.. / 040602nn..).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "prepay/dlt645_di.h"
#include "prepay/dlt645_tariff.h"

/* Largest XXXX.XXXX price and XXXXXX.XX energy, in library units. */
#define PRICE_MAX ((prepay_price_t)99999999 * PREPAY_DLT645_TARIFF_PRICE_QUANTUM)
#define ENERGY_MAX ((prepay_energy_t)99999999 * PREPAY_DLT645_TARIFF_ENERGY_QUANTUM)

static const uint8_t common_year_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static int refuse(prepay_dlt645_tariff_problem_t *problem, unsigned reason, unsigned index, int64_t value)
{
    if (problem) {
        problem->reason = (uint8_t)reason;
        problem->index = (uint8_t)index;
        problem->value = value;
    }
    return PREPAY_E_DLT645_TARIFF_UNSUPPORTED;
}

static bool price_ok(prepay_price_t price)
{
    return price >= 0 && price <= PRICE_MAX && price % PREPAY_DLT645_TARIFF_PRICE_QUANTUM == 0;
}

/* The tier bounds of the ladder every cycle uses, or a refusal. */
static int single_ladder(const prepay_tariff_t *set, const prepay_tier_ladder_t **ladder,
                         prepay_dlt645_tariff_problem_t *problem)
{
    unsigned finite = set->tier_count > 0 ? set->tier_count - 1u : 0u;
    const prepay_tier_ladder_t *first = &set->ladders[set->ladder_of_month[0]];
    for (unsigned m = 0; m < 12; m++) {
        const prepay_tier_ladder_t *l = &set->ladders[set->ladder_of_month[m]];
        if (finite > 0 && memcmp(l->upper, first->upper, finite * sizeof l->upper[0]) != 0) {
            return refuse(problem, PREPAY_DLT645_TARIFF_SEASONAL_LADDER, m + 1u, set->ladder_of_month[m]);
        }
        if (finite > 0 && l->per_day) {
            return refuse(problem, PREPAY_DLT645_TARIFF_PER_DAY_LADDER, 0, 0);
        }
    }
    *ladder = first;
    return PREPAY_OK;
}

static int compile_schedule(const prepay_tariff_t *set, prepay_dlt645_tariff_tables_t *t,
                            prepay_dlt645_tariff_problem_t *problem)
{
    const prepay_tou_schedule_t *s = &set->schedule;
    if (s->holiday_count > 0) {
        return refuse(problem, PREPAY_DLT645_TARIFF_HOLIDAYS, 0, s->holiday_count);
    }
    if (s->override_count > 0) {
        return refuse(problem, PREPAY_DLT645_TARIFF_OVERRIDES, 0, s->override_count);
    }
    if (s->season_count == 0) {
        /* A flat schedule: one zone, one table, one slot in the default band. */
        t->zone_count = 1;
        t->zones[0] = (prepay_dlt645_entry_t){1, 1, 1};
        t->day_table_count = 1;
        t->slot_count[0] = 1;
        t->slots[0][0] = (prepay_dlt645_entry_t){0, 0, s->default_band};
        return PREPAY_OK;
    }
    if (s->season_count > PREPAY_DLT645_TARIFF_MAX_ZONES) {
        return refuse(problem, PREPAY_DLT645_TARIFF_TOO_MANY_ZONES, 0, s->season_count);
    }
    if (s->day_table_count > PREPAY_DLT645_TARIFF_MAX_DAY_TABLES) {
        return refuse(problem, PREPAY_DLT645_TARIFF_TOO_MANY_DAY_TABLES, 0, s->day_table_count);
    }
    for (unsigned i = 0; i < s->season_count; i++) {
        const prepay_tou_season_t *z = &s->seasons[i];
        if (z->saturday_table != z->weekday_table || z->sunday_table != z->weekday_table ||
            z->holiday_table != z->weekday_table) {
            return refuse(problem, PREPAY_DLT645_TARIFF_DAY_TYPES, i + 1u, 0);
        }
        t->zones[i] = (prepay_dlt645_entry_t){z->start_month, z->start_day, (uint8_t)(z->weekday_table + 1u)};
    }
    t->zone_count = s->season_count;
    for (unsigned d = 0; d < s->day_table_count; d++) {
        const prepay_tou_day_table_t *table = &s->day_tables[d];
        if (table->slot_count > PREPAY_DLT645_TARIFF_MAX_SLOTS) {
            return refuse(problem, PREPAY_DLT645_TARIFF_TOO_MANY_SLOTS, d + 1u, table->slot_count);
        }
        for (unsigned k = 0; k < table->slot_count; k++) {
            const prepay_tou_slot_t *slot = &table->slots[k];
            t->slots[d][k] = (prepay_dlt645_entry_t){(uint8_t)(slot->start_minute / 60u),
                                                     (uint8_t)(slot->start_minute % 60u), slot->band};
        }
        t->slot_count[d] = table->slot_count;
    }
    t->day_table_count = s->day_table_count;
    return PREPAY_OK;
}

static int compile_prices(const prepay_tariff_t *set, prepay_dlt645_tariff_tables_t *t,
                          prepay_dlt645_tariff_problem_t *problem)
{
    bool uniform = set->tou_tier_mode == PREPAY_TOU_TIER_UNIFORM;
    if (!uniform && set->tier_count > 1) {
        return refuse(problem, PREPAY_DLT645_TARIFF_TIER_PRICES, 0, set->tier_count);
    }
    if (set->tier_count > PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES) {
        return refuse(problem, PREPAY_DLT645_TARIFF_TOO_MANY_TIERS, 0, set->tier_count);
    }
    prepay_price_t base_surcharge = uniform ? set->prices.tier_surcharge[0] : 0;
    for (unsigned b = 1; b <= set->band_count; b++) {
        prepay_price_t price;
        int status = prepay_tariff_price(set, b, 1, &price);
        if (status != PREPAY_OK) {
            return refuse(problem, PREPAY_DLT645_TARIFF_INVALID, b, status);
        }
        price -= base_surcharge;
        if (!price_ok(price)) {
            return refuse(problem, PREPAY_DLT645_TARIFF_PRICE_PRECISION, b, price);
        }
        t->prices[b - 1u] = price;
    }
    t->tariff_count = set->band_count;
    const prepay_tier_ladder_t *ladder = NULL;
    int status = single_ladder(set, &ladder, problem);
    if (status != PREPAY_OK) {
        return status;
    }
    unsigned finite = set->tier_count - 1u;
    for (unsigned i = 0; i < finite; i++) {
        prepay_energy_t bound = ladder->upper[i];
        if (bound <= 0 || bound > ENERGY_MAX || bound % PREPAY_DLT645_TARIFF_ENERGY_QUANTUM != 0) {
            return refuse(problem, PREPAY_DLT645_TARIFF_LADDER_PRECISION, i + 1u, bound);
        }
        t->ladder_values[i] = bound;
    }
    t->ladder_value_count = (uint8_t)finite;
    for (unsigned i = 0; i < PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES; i++) {
        prepay_price_t surcharge = (uniform && i < set->tier_count) ? set->prices.tier_surcharge[i] : 0;
        if (!price_ok(surcharge)) {
            return refuse(problem, PREPAY_DLT645_TARIFF_LADDER_PRICE, i + 1u, surcharge);
        }
        t->ladder_prices[i] = surcharge;
    }
    return PREPAY_OK;
}

int prepay_dlt645_tariff_compile(const prepay_tariff_t *set, prepay_dlt645_tariff_tables_t *out,
                                 prepay_dlt645_tariff_problem_t *problem)
{
    if (!set || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (problem) {
        memset(problem, 0, sizeof *problem);
    }
    int status = prepay_tariff_validate(set);
    if (status != PREPAY_OK) {
        return refuse(problem, PREPAY_DLT645_TARIFF_INVALID, 0, status);
    }
    if (set->unit != PREPAY_TARIFF_UNIT_ENERGY) {
        return refuse(problem, PREPAY_DLT645_TARIFF_NOT_ENERGY, 0, 0);
    }
    if (set->band_count > PREPAY_DLT645_TARIFF_MAX_TARIFFS) {
        return refuse(problem, PREPAY_DLT645_TARIFF_TOO_MANY_TARIFFS, 0, set->band_count);
    }
    prepay_dlt645_tariff_tables_t t;
    memset(&t, 0, sizeof t);
    status = compile_schedule(set, &t, problem);
    if (status == PREPAY_OK) {
        status = compile_prices(set, &t, problem);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    *out = t;
    return PREPAY_OK;
}

const char *prepay_dlt645_tariff_reason_text(unsigned reason)
{
    switch (reason) {
    case PREPAY_DLT645_TARIFF_OK: return "no problem";
    case PREPAY_DLT645_TARIFF_INVALID: return "the tariff is invalid";
    case PREPAY_DLT645_TARIFF_NOT_ENERGY: return "a water tariff: DL/T 645 meters price electricity";
    case PREPAY_DLT645_TARIFF_TOO_MANY_ZONES: return "more than 14 seasons (year zones)";
    case PREPAY_DLT645_TARIFF_TOO_MANY_DAY_TABLES: return "more than 8 day tables";
    case PREPAY_DLT645_TARIFF_TOO_MANY_SLOTS: return "a day table of more than 14 slots";
    case PREPAY_DLT645_TARIFF_TOO_MANY_TARIFFS: return "more than 63 tariffs (bands)";
    case PREPAY_DLT645_TARIFF_DAY_TYPES:
        return "a season with its own Saturday, Sunday or holiday day table (the zone table names one table)";
    case PREPAY_DLT645_TARIFF_HOLIDAYS: return "listed holidays (the holiday table is not written)";
    case PREPAY_DLT645_TARIFF_OVERRIDES: return "per-date overrides (DL/T 645 has no such table)";
    case PREPAY_DLT645_TARIFF_TIER_PRICES:
        return "per-band tier prices (a meter adds one ladder price to every band)";
    case PREPAY_DLT645_TARIFF_TOO_MANY_TIERS: return "more than 7 tiers (6 ladder values)";
    case PREPAY_DLT645_TARIFF_SEASONAL_LADDER: return "different ladders by month (a meter holds one ladder)";
    case PREPAY_DLT645_TARIFF_PER_DAY_LADDER: return "tier bounds per day of the cycle";
    case PREPAY_DLT645_TARIFF_PRICE_PRECISION:
        return "a price finer than 0.0001 yuan/kWh or above 9999.9999 (DL/T 645 carries XXXX.XXXX)";
    case PREPAY_DLT645_TARIFF_LADDER_PRECISION:
        return "a tier bound finer than 0.01 kWh or above 999999.99 kWh (DL/T 645 carries XXXXXX.XX)";
    case PREPAY_DLT645_TARIFF_LADDER_PRICE:
        return "a tier surcharge negative, finer than 0.0001 yuan/kWh or above 9999.9999";
    default: return "unknown reason";
    }
}

int prepay_dlt645_tariff_tables_init(prepay_dlt645_tariff_tables_t *tables)
{
    if (!tables) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(tables, 0, sizeof *tables);
    return PREPAY_OK;
}

int prepay_dlt645_tariff_check(const prepay_dlt645_tariff_tables_t *t)
{
    if (!t) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (t->zone_count < 1 || t->zone_count > PREPAY_DLT645_TARIFF_MAX_ZONES || t->day_table_count < 1 ||
        t->day_table_count > PREPAY_DLT645_TARIFF_MAX_DAY_TABLES || t->day_table_count > PREPAY_MAX_DAY_TABLES ||
        t->zone_count > PREPAY_MAX_SEASONS || t->tariff_count < 1 ||
        t->tariff_count > PREPAY_DLT645_TARIFF_MAX_TARIFFS || t->tariff_count > PREPAY_MAX_TARIFF_INDEX ||
        t->ladder_value_count > PREPAY_DLT645_TARIFF_MAX_LADDER_VALUES ||
        t->ladder_value_count + 1u > PREPAY_MAX_TIERS) {
        return PREPAY_E_DLT645_TARIFF_TABLES;
    }
    unsigned previous = 0;
    for (unsigned i = 0; i < t->zone_count; i++) {
        const prepay_dlt645_entry_t *z = &t->zones[i];
        unsigned mmdd = z->first * 100u + z->second;
        if (z->first < 1 || z->first > 12 || z->second < 1 || z->second > common_year_days[z->first - 1u] ||
            z->number < 1 || z->number > t->day_table_count || (i > 0 && mmdd <= previous)) {
            return PREPAY_E_DLT645_TARIFF_TABLES;
        }
        previous = mmdd;
    }
    for (unsigned d = 0; d < t->day_table_count; d++) {
        if (t->slot_count[d] < 1 || t->slot_count[d] > PREPAY_DLT645_TARIFF_MAX_SLOTS ||
            t->slot_count[d] > PREPAY_MAX_DAY_SLOTS) {
            return PREPAY_E_DLT645_TARIFF_TABLES;
        }
        unsigned last = 0;
        for (unsigned k = 0; k < t->slot_count[d]; k++) {
            const prepay_dlt645_entry_t *s = &t->slots[d][k];
            unsigned minute = s->first * 60u + s->second;
            if (s->first > 23 || s->second > 59 || s->number < 1 || s->number > t->tariff_count ||
                (k > 0 && minute <= last)) {
                return PREPAY_E_DLT645_TARIFF_TABLES;
            }
            last = minute;
        }
    }
    for (unsigned n = 0; n < t->tariff_count; n++) {
        if (!price_ok(t->prices[n])) {
            return PREPAY_E_DLT645_TARIFF_TABLES;
        }
    }
    for (unsigned i = 0; i < t->ladder_value_count; i++) {
        prepay_energy_t v = t->ladder_values[i];
        if (v <= 0 || v > ENERGY_MAX || v % PREPAY_DLT645_TARIFF_ENERGY_QUANTUM != 0 ||
            (i > 0 && v <= t->ladder_values[i - 1u])) {
            return PREPAY_E_DLT645_TARIFF_TABLES;
        }
    }
    for (unsigned i = 0; i < PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES; i++) {
        if (!price_ok(t->ladder_prices[i])) {
            return PREPAY_E_DLT645_TARIFF_TABLES;
        }
    }
    return PREPAY_OK;
}

int prepay_dlt645_tariff_rebuild(const prepay_dlt645_tariff_tables_t *t, const prepay_tariff_t *base,
                                 prepay_tariff_t *out)
{
    if (!t || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay_dlt645_tariff_check(t);
    if (status != PREPAY_OK) {
        return status;
    }
    if (base) {
        status = prepay_tariff_validate(base);
        if (status != PREPAY_OK) {
            return status;
        }
        if (base != out) {
            *out = *base;
        }
    } else {
        status = prepay_tariff_init(out);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    /* From here on every rule of the tariff model holds by the checks above
     * and the base's own validation. */
    prepay_tou_schedule_t *s = &out->schedule;
    s->default_band = 1;
    s->holiday_count = 0;
    s->override_count = 0;
    s->season_count = t->zone_count;
    for (unsigned i = 0; i < t->zone_count; i++) {
        prepay_tou_season_t *z = &s->seasons[i];
        uint8_t table = (uint8_t)(t->zones[i].number - 1u);
        z->start_month = t->zones[i].first;
        z->start_day = t->zones[i].second;
        z->weekday_table = z->saturday_table = z->sunday_table = z->holiday_table = table;
    }
    s->day_table_count = t->day_table_count;
    for (unsigned d = 0; d < t->day_table_count; d++) {
        prepay_tou_day_table_t *table = &s->day_tables[d];
        table->slot_count = t->slot_count[d];
        for (unsigned k = 0; k < t->slot_count[d]; k++) {
            table->slots[k].start_minute = (uint16_t)(t->slots[d][k].first * 60u + t->slots[d][k].second);
            table->slots[k].band = t->slots[d][k].number;
        }
    }
    out->band_count = t->tariff_count;
    out->tou_tier_mode = PREPAY_TOU_TIER_UNIFORM;
    out->prices.mode = PREPAY_PRICE_DIRECT;
    memset(out->prices.band_price, 0, sizeof out->prices.band_price);
    for (unsigned n = 0; n < t->tariff_count; n++) {
        out->prices.band_price[n] = t->prices[n];
    }
    memset(out->prices.tier_surcharge, 0, sizeof out->prices.tier_surcharge);
    out->tier_count = (uint8_t)(t->ladder_value_count + 1u);
    for (unsigned i = 0; i < out->tier_count && i < PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES; i++) {
        out->prices.tier_surcharge[i] = t->ladder_prices[i];
    }
    out->ladder_count = 1;
    memset(out->ladder_of_month, 0, sizeof out->ladder_of_month);
    memset(&out->ladders[0], 0, sizeof out->ladders[0]);
    for (unsigned i = 0; i < t->ladder_value_count; i++) {
        out->ladders[0].upper[i] = t->ladder_values[i];
    }
    out->ladders[0].upper[t->ladder_value_count] = PREPAY_TIER_UNBOUNDED;
    status = prepay_tariff_validate(out);
    if (status != PREPAY_OK) {
        return status; /* not reached: the checks above are the model's rules */
    }
    return PREPAY_OK;
}

/* ---- writes ------------------------------------------------------------------------ */

int prepay_dlt645_tariff_write_count(const prepay_dlt645_tariff_tables_t *t)
{
    int status = prepay_dlt645_tariff_check(t);
    if (status != PREPAY_OK) {
        return status;
    }
    /* day tables, zones, prices, ladder value 1 = 0, ladder values, ladder prices */
    return (int)(t->day_table_count + 1u + t->tariff_count + 1u + t->ladder_value_count +
                 PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES);
}

/* BCD entries (3 bytes each, wire order: number, second, first). */
static void put_entries(const prepay_dlt645_entry_t *entries, unsigned count, prepay_dlt645_tariff_write_t *w)
{
    for (unsigned i = 0; i < count; i++) {
        (void)prepay_bcd_encode_byte(entries[i].number, &w->value[3u * i]);
        (void)prepay_bcd_encode_byte(entries[i].second, &w->value[3u * i + 1u]);
        (void)prepay_bcd_encode_byte(entries[i].first, &w->value[3u * i + 2u]);
    }
    w->length = (uint8_t)(3u * count);
}

static void put_number(int64_t value, int64_t quantum, prepay_dlt645_tariff_write_t *w)
{
    (void)prepay_bcd_encode((uint64_t)(value / quantum), w->value, 4);
    w->length = 4;
}

int prepay_dlt645_tariff_write_item(const prepay_dlt645_tariff_tables_t *t, unsigned set, size_t index,
                                    prepay_dlt645_tariff_write_t *out)
{
    if (!t || !out || (set != 1 && set != 2)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int count = prepay_dlt645_tariff_write_count(t);
    if (count < 0) {
        return count;
    }
    if (index >= (size_t)count) {
        return PREPAY_E_NOT_FOUND;
    }
    prepay_dlt645_tariff_write_t w;
    memset(&w, 0, sizeof w);
    size_t i = index;
    if (i < t->day_table_count) {
        w.di = PREPAY_DI_DAY_TABLE(set, i + 1u);
        put_entries(t->slots[i], t->slot_count[i], &w);
    } else if ((i -= t->day_table_count) == 0) {
        w.di = PREPAY_DI_ZONE_TABLE(set);
        put_entries(t->zones, t->zone_count, &w);
    } else if ((i -= 1u) < t->tariff_count) {
        w.di = PREPAY_DI_PRICE(set, i + 1u);
        put_number(t->prices[i], PREPAY_DLT645_TARIFF_PRICE_QUANTUM, &w);
    } else if ((i -= t->tariff_count) == 0) {
        w.di = PREPAY_DI_LADDER_VALUE(set, 1u); /* 0: collapses the old ladder first */
        put_number(0, 1, &w);
    } else if ((i -= 1u) < t->ladder_value_count) {
        w.di = PREPAY_DI_LADDER_VALUE(set, i + 1u);
        put_number(t->ladder_values[i], PREPAY_DLT645_TARIFF_ENERGY_QUANTUM, &w);
    } else {
        i -= t->ladder_value_count;
        w.di = PREPAY_DI_LADDER_PRICE(set, i + 1u);
        put_number(t->ladder_prices[i], PREPAY_DLT645_TARIFF_PRICE_QUANTUM, &w);
    }
    *out = w;
    return PREPAY_OK;
}

/* ---- reading back -------------------------------------------------------------------- */

/* Entries NN xx yy (wire order) into (first = yy, second = xx, number = NN). */
static int get_entries(const uint8_t *v, size_t len, prepay_dlt645_entry_t *out, unsigned max, unsigned *count)
{
    if (len == 0 || len % 3u != 0) {
        return PREPAY_E_DLT645_VALUE_LENGTH;
    }
    if (len / 3u > max) {
        return PREPAY_E_DLT645_TARIFF_TABLES;
    }
    for (size_t i = 0; i < len / 3u; i++) {
        uint8_t number, second, first;
        if (prepay_bcd_decode_byte(v[3u * i], &number) != PREPAY_OK ||
            prepay_bcd_decode_byte(v[3u * i + 1u], &second) != PREPAY_OK ||
            prepay_bcd_decode_byte(v[3u * i + 2u], &first) != PREPAY_OK) {
            return PREPAY_E_BAD_BCD;
        }
        out[i] = (prepay_dlt645_entry_t){first, second, number};
    }
    *count = (unsigned)(len / 3u);
    return PREPAY_OK;
}

static int get_number(const uint8_t *v, size_t len, int64_t quantum, int64_t *out)
{
    uint64_t raw;
    if (len != 4) {
        return PREPAY_E_DLT645_VALUE_LENGTH;
    }
    if (prepay_bcd_decode(v, 4, &raw) != PREPAY_OK) {
        return PREPAY_E_BAD_BCD;
    }
    *out = (int64_t)raw * quantum;
    return PREPAY_OK;
}

int prepay_dlt645_tariff_absorb(prepay_dlt645_tariff_tables_t *t, uint32_t di, const uint8_t *v, size_t len)
{
    if (!t || (!v && len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned class2 = (unsigned)(di >> 16);
    unsigned di1 = (di >> 8) & 0xFFu;
    unsigned di0 = di & 0xFFu;
    prepay_dlt645_entry_t entries[PREPAY_DLT645_TARIFF_MAX_SLOTS];
    unsigned count = 0;
    int64_t number = 0;
    int status;
    if ((class2 == 0x0401u || class2 == 0x0402u) && di1 == 0 && di0 == 0) {
        status = get_entries(v, len, entries, PREPAY_DLT645_TARIFF_MAX_ZONES, &count);
        if (status == PREPAY_OK) {
            memcpy(t->zones, entries, count * sizeof entries[0]);
            t->zone_count = (uint8_t)count;
        }
        return status;
    }
    if ((class2 == 0x0401u || class2 == 0x0402u) && di1 == 0 && di0 >= 1 &&
        di0 <= PREPAY_DLT645_TARIFF_MAX_DAY_TABLES) {
        status = get_entries(v, len, entries, PREPAY_DLT645_TARIFF_MAX_SLOTS, &count);
        if (status == PREPAY_OK) {
            memcpy(t->slots[di0 - 1u], entries, count * sizeof entries[0]);
            t->slot_count[di0 - 1u] = (uint8_t)count;
            if (t->day_table_count < di0) {
                t->day_table_count = (uint8_t)di0;
            }
        }
        return status;
    }
    if (class2 == 0x0405u && (di1 == 1 || di1 == 2) && di0 >= 1 && di0 <= PREPAY_DLT645_TARIFF_MAX_TARIFFS) {
        status = get_number(v, len, PREPAY_DLT645_TARIFF_PRICE_QUANTUM, &number);
        if (status == PREPAY_OK) {
            t->prices[di0 - 1u] = number;
            if (t->tariff_count < di0) {
                t->tariff_count = (uint8_t)di0;
            }
        }
        return status;
    }
    if (class2 == 0x0406u && di1 <= 3) {
        bool values = di1 % 2u == 0;
        unsigned max = values ? PREPAY_DLT645_TARIFF_MAX_LADDER_VALUES : PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES;
        if (di0 < 1 || di0 > max) {
            return PREPAY_E_NOT_FOUND;
        }
        status = get_number(v, len, values ? PREPAY_DLT645_TARIFF_ENERGY_QUANTUM : PREPAY_DLT645_TARIFF_PRICE_QUANTUM,
                            &number);
        if (status != PREPAY_OK) {
            return status;
        }
        if (!values) {
            t->ladder_prices[di0 - 1u] = number;
            return PREPAY_OK;
        }
        t->ladder_values[di0 - 1u] = number;
        /* The ladder ends at the first zero value. */
        unsigned n = 0;
        while (n < PREPAY_DLT645_TARIFF_MAX_LADDER_VALUES && t->ladder_values[n] > 0) {
            n++;
        }
        t->ladder_value_count = (uint8_t)n;
        return PREPAY_OK;
    }
    return PREPAY_E_NOT_FOUND;
}

/* ---- differences ----------------------------------------------------------------------- */

typedef struct diff_out {
    prepay_dlt645_tariff_difference_t *items;
    size_t cap;
    size_t count;
} diff_out_t;

static void emit(diff_out_t *d, const prepay_dlt645_tariff_difference_t *item)
{
    if (d->count < d->cap) {
        d->items[d->count] = *item;
    }
    d->count++;
}

static bool entry_equal(const prepay_dlt645_entry_t *a, const prepay_dlt645_entry_t *b)
{
    return a->first == b->first && a->second == b->second && a->number == b->number;
}

/* Bit n - 1 set for each day table the zones name. */
static uint32_t tables_used(const prepay_dlt645_tariff_tables_t *t)
{
    uint32_t used = 0;
    for (unsigned i = 0; i < t->zone_count; i++) {
        used |= 1u << (t->zones[i].number - 1u);
    }
    return used;
}

/* Bit n - 1 set for each tariff the used day tables name. */
static uint64_t tariffs_used(const prepay_dlt645_tariff_tables_t *t, uint32_t tables)
{
    uint64_t used = 0;
    for (unsigned d = 0; d < t->day_table_count; d++) {
        if (!(tables & (1u << d))) {
            continue;
        }
        for (unsigned k = 0; k < t->slot_count[d]; k++) {
            used |= (uint64_t)1 << (t->slots[d][k].number - 1u);
        }
    }
    return used;
}

static void diff_entries(diff_out_t *d, uint8_t part, unsigned index, const prepay_dlt645_entry_t *a, unsigned na,
                         const prepay_dlt645_entry_t *b, unsigned nb)
{
    unsigned n = na > nb ? na : nb;
    for (unsigned k = 0; k < n; k++) {
        bool in_a = k < na, in_b = k < nb;
        if (in_a && in_b && entry_equal(&a[k], &b[k])) {
            continue;
        }
        prepay_dlt645_tariff_difference_t item;
        memset(&item, 0, sizeof item);
        item.part = part;
        item.index = (uint8_t)(part == PREPAY_DLT645_TARIFF_PART_ZONE ? k + 1u : index);
        item.slot = (uint8_t)(part == PREPAY_DLT645_TARIFF_PART_SLOT ? k + 1u : 0u);
        item.a_present = in_a;
        item.b_present = in_b;
        if (in_a) {
            item.a_entry = a[k];
        }
        if (in_b) {
            item.b_entry = b[k];
        }
        emit(d, &item);
    }
}

static void diff_value(diff_out_t *d, uint8_t part, unsigned index, int64_t a, int64_t b)
{
    if (a == b) {
        return;
    }
    prepay_dlt645_tariff_difference_t item;
    memset(&item, 0, sizeof item);
    item.part = part;
    item.index = (uint8_t)index;
    item.a_value = a;
    item.b_value = b;
    emit(d, &item);
}

int prepay_dlt645_tariff_diff(const prepay_dlt645_tariff_tables_t *a, const prepay_dlt645_tariff_tables_t *b,
                              prepay_dlt645_tariff_difference_t *out, size_t cap)
{
    if (!a || !b || (!out && cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (prepay_dlt645_tariff_check(a) != PREPAY_OK || prepay_dlt645_tariff_check(b) != PREPAY_OK) {
        return PREPAY_E_DLT645_TARIFF_TABLES;
    }
    diff_out_t d = {out, cap, 0};
    diff_value(&d, PREPAY_DLT645_TARIFF_PART_ZONE_COUNT, 0, a->zone_count, b->zone_count);
    diff_entries(&d, PREPAY_DLT645_TARIFF_PART_ZONE, 0, a->zones, a->zone_count, b->zones, b->zone_count);
    uint32_t tables_a = tables_used(a), tables_b = tables_used(b);
    for (unsigned n = 0; n < PREPAY_DLT645_TARIFF_MAX_DAY_TABLES; n++) {
        if (!((tables_a | tables_b) & (1u << n))) {
            continue;
        }
        unsigned na = n < a->day_table_count ? a->slot_count[n] : 0u;
        unsigned nb = n < b->day_table_count ? b->slot_count[n] : 0u;
        diff_value(&d, PREPAY_DLT645_TARIFF_PART_SLOT_COUNT, n + 1u, na, nb);
        diff_entries(&d, PREPAY_DLT645_TARIFF_PART_SLOT, n + 1u, a->slots[n], na, b->slots[n], nb);
    }
    uint64_t tariffs = tariffs_used(a, tables_a) | tariffs_used(b, tables_b);
    for (unsigned n = 0; n < PREPAY_DLT645_TARIFF_MAX_TARIFFS; n++) {
        if (!(tariffs & ((uint64_t)1 << n))) {
            continue;
        }
        int64_t pa = n < a->tariff_count ? a->prices[n] : -1;
        int64_t pb = n < b->tariff_count ? b->prices[n] : -1;
        diff_value(&d, PREPAY_DLT645_TARIFF_PART_PRICE, n + 1u, pa, pb);
    }
    diff_value(&d, PREPAY_DLT645_TARIFF_PART_LADDER_COUNT, 0, a->ladder_value_count, b->ladder_value_count);
    unsigned values = a->ladder_value_count > b->ladder_value_count ? a->ladder_value_count : b->ladder_value_count;
    for (unsigned i = 0; i < values; i++) {
        int64_t va = i < a->ladder_value_count ? a->ladder_values[i] : 0;
        int64_t vb = i < b->ladder_value_count ? b->ladder_values[i] : 0;
        diff_value(&d, PREPAY_DLT645_TARIFF_PART_LADDER_VALUE, i + 1u, va, vb);
    }
    for (unsigned i = 0; i <= values && i < PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES; i++) {
        diff_value(&d, PREPAY_DLT645_TARIFF_PART_LADDER_PRICE, i + 1u, a->ladder_prices[i], b->ladder_prices[i]);
    }
    return d.count > 0x7FFFFFFFu ? 0x7FFFFFFF : (int)d.count;
}
