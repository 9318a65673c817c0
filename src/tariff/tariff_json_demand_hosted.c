/* SPDX-License-Identifier: MIT */
/*
 * Hosted: the table of $.demand of the libprepay tariff JSON format
 * (docs/tariff-json.md, "Demand and capacity charges"): TOU demand periods
 * and the bands in them, named demand rates (cumulative kW tiers with a
 * price per kW and month), the flat and per-period charges by month, the
 * billing-demand rule (ratchets) and the capacity charge. Part of the
 * loader in tariff_json_hosted.c; read into set A's ::prepay_tariff_demand_t
 * (set B copies it).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tariff_json_loader_internal.h"

#define DEMAND(ld) (&(ld)->doc.sets[0].demand)

static const prepay__json_type_t price_type = {PREPAY__JSON_DECIMAL(8, 0, OPEN_ENDED)};
static const prepay__json_type_t kw_type = {PREPAY__JSON_DECIMAL(3, 1, OPEN_ENDED)};     /* kW -> W, > 0 */
static const prepay__json_type_t kw0_type = {PREPAY__JSON_DECIMAL(3, 0, OPEN_ENDED)};    /* kW -> W, >= 0 */
static const prepay__json_type_t percent_type = {PREPAY__JSON_DECIMAL(4, 0, 1000 * 10000)}; /* % -> millionths */

/* ---- periods and the bands in them ---------------------------------------------------------- */

static bool find_period(const tj_loader_t *ld, const char *name, uint8_t *period)
{
    for (unsigned p = 0; p < DEMAND(ld)->period_count; p++) {
        if (strcmp(ld->doc.demand_period_names[p], name) == 0) {
            *period = (uint8_t)(p + 1u);
            return true;
        }
    }
    return false;
}

static int unknown(prepay__json_reader_t *r, const char *what, const char *where, const char *name)
{
    char quoted[PREPAY__JSON_QUOTE_MAX + 8];
    return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "unknown %s %s (not in %s)", what,
                             prepay__json_quote(quoted, sizeof quoted, name), where);
}

/* One name of $.demand.periods: unique. The output is the name's slot. */
static int read_period_name(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    static const prepay__json_type_t name_type = {PREPAY__JSON_STRING(PREPAY_TARIFF_JSON_BAND_NAME_MAX,
                                                                      PREPAY__JSON_NONEMPTY)};
    (void)type;
    tj_loader_t *ld = r->user;
    uint8_t other;
    const char *name = json_string_value(value);
    if (name && find_period(ld, name, &other)) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "demand period names must be unique");
    }
    int status = prepay__json_read(r, value, &name_type, out);
    if (status == PREPAY_OK) {
        DEMAND(ld)->period_count++; /* visible to the next name's uniqueness check */
    }
    return status;
}

static int read_periods(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    static const prepay__json_type_t item = {.read = read_period_name};
    (void)type;
    tj_loader_t *ld = out;
    if (!json_is_array(value) || json_array_size(value) == 0) {
        return prepay__json_expected(r, "a non-empty array of period names", value);
    }
    if (json_array_size(value) > PREPAY_MAX_DEMAND_PERIODS) {
        return prepay__json_fail(r, PREPAY_E_CAPACITY, "%zu demand periods, at most %d (PREPAY_MAX_DEMAND_PERIODS)",
                                 json_array_size(value), PREPAY_MAX_DEMAND_PERIODS);
    }
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i < json_array_size(value); i++) {
        status = prepay__json_read_item(r, value, i, &item, ld->doc.demand_period_names[i]);
    }
    return status;
}

static int read_band_period(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx)
{
    tj_loader_t *ld = ctx;
    uint8_t band = 0, period = 0;
    const char *name = json_string_value(value);
    if (!prepay__tj_find_band(ld, key, &band)) {
        return prepay__tj_unknown_band(r, key);
    }
    if (!name) {
        return prepay__json_expected(r, "a demand period name", value);
    }
    if (!find_period(ld, name, &period)) {
        return unknown(r, "demand period", "$.demand.periods", name);
    }
    DEMAND(ld)->period_of_band[band - 1u] = period;
    return PREPAY_OK;
}

static int read_band_periods(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                             void *out)
{
    (void)type;
    return prepay__json_each_member(r, value, "bands", PREPAY_MAX_TARIFF_INDEX, "PREPAY_MAX_TARIFF_INDEX",
                                    read_band_period, out);
}

/* ---- rates ------------------------------------------------------------------------------------ */

typedef struct tj_tier {
    bool bounded;
    prepay_power_t up_to;
    prepay_price_t price;
} tj_tier_t;

typedef struct tj_rate {
    uint8_t count;
    tj_tier_t tiers[PREPAY_MAX_DEMAND_TIERS];
} tj_rate_t;

static int read_up_to(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    tj_tier_t *tier = out;
    tier->bounded = true;
    return prepay__json_read(r, value, &kw_type, &tier->up_to);
}

static const prepay__json_type_t up_to_type = {.read = read_up_to};
static const prepay__json_field_t tier_fields[] = {
    PREPAY__JSON_FIELD_HERE("up_to", 0, up_to_type),
    PREPAY__JSON_FIELD("price", PREPAY__JSON_REQUIRED, price_type, tj_tier_t, price),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t tier_type = {PREPAY__JSON_OBJECT("a demand tier {\"up_to\", \"price\"}", tier_fields)};

/* Every tier but the last has an increasing "up_to"; the last has none (it is unbounded). */
static int check_tier(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    const tj_tier_t *tiers = items;
    if (i > 0 && !tiers[i - 1].bounded) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "only the last tier may leave out \"up_to\"");
    }
    if (i > 0 && tiers[i].bounded && tiers[i].up_to <= tiers[i - 1].up_to) {
        return prepay__json_fail_member(r, "up_to", PREPAY_E_HOSTED_JSON_VALUE, "tier bounds must strictly increase");
    }
    return PREPAY_OK;
}

static const prepay__json_type_t tiers_type = {
    PREPAY__JSON_ARRAY(tj_rate_t, tiers, count, tier_type, "demand tiers", 1, PREPAY_MAX_DEMAND_TIERS,
                       "PREPAY_MAX_DEMAND_TIERS"),
    .check_item = check_tier,
};

/* "name": "12.5" (one tier) or [tiers]. */
static int read_rate(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx)
{
    tj_loader_t *ld = ctx;
    prepay_tariff_demand_t *d = DEMAND(ld);
    if (strlen(key) >= PREPAY_TARIFF_JSON_BAND_NAME_MAX) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "a rate name is longer than %d bytes",
                                 PREPAY_TARIFF_JSON_BAND_NAME_MAX - 1);
    }
    tj_rate_t rate;
    memset(&rate, 0, sizeof rate);
    int status;
    if (json_is_array(value)) {
        status = prepay__json_read(r, value, &tiers_type, &rate);
        if (status == PREPAY_OK && rate.tiers[rate.count - 1u].bounded) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "the last tier has no \"up_to\" (it is unbounded)");
        }
    } else {
        rate.count = 1;
        status = prepay__json_read(r, value, &price_type, &rate.tiers[0].price);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_demand_rate_t *out = &d->rates[d->rate_count];
    out->tier_count = rate.count;
    for (unsigned i = 0; i < rate.count; i++) {
        out->upper[i] = rate.tiers[i].bounded ? rate.tiers[i].up_to : PREPAY_DEMAND_UNBOUNDED;
        out->price[i] = rate.tiers[i].price;
    }
    snprintf(ld->demand_rate_names[d->rate_count], PREPAY_TARIFF_JSON_BAND_NAME_MAX, "%s", key);
    d->rate_count++;
    return PREPAY_OK;
}

static int read_rates(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    return prepay__json_each_member(r, value, "demand rates", PREPAY_MAX_DEMAND_RATES, "PREPAY_MAX_DEMAND_RATES",
                                    read_rate, out);
}

/* A rate named by a string -> its index + 1 (uint8_t). */
static int read_rate_ref(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    const tj_loader_t *ld = r->user;
    const char *name = json_string_value(value);
    if (!name) {
        return prepay__json_expected(r, "a rate name", value);
    }
    for (unsigned i = 0; i < DEMAND(ld)->rate_count; i++) {
        if (strcmp(ld->demand_rate_names[i], name) == 0) {
            *(uint8_t *)out = (uint8_t)(i + 1u);
            return PREPAY_OK;
        }
    }
    return unknown(r, "demand rate", "$.demand.rates", name);
}

/* ---- charges by month: "rate" for every month, or [{"months", "rate"}] ---------------------- */

typedef struct tj_months_rate {
    uint8_t month_count;
    uint8_t months[12];
    uint8_t rate;
} tj_months_rate_t;

static int check_month(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    tj_loader_t *ld = r->user;
    unsigned month = ((const uint8_t *)items)[i];
    if (ld->demand_month_seen[month - 1u]) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "month %u is listed twice", month);
    }
    ld->demand_month_seen[month - 1u] = true;
    return PREPAY_OK;
}

static const prepay__json_type_t month_type = {PREPAY__JSON_INT(uint8_t, 1, 12)};
static const prepay__json_type_t months_type = {
    PREPAY__JSON_ARRAY(tj_months_rate_t, months, month_count, month_type, "months", 1, 12, NULL),
    .check_item = check_month,
};
static const prepay__json_type_t rate_ref_type = {.read = read_rate_ref};
static const prepay__json_field_t months_rate_fields[] = {
    PREPAY__JSON_FIELD_HERE("months", PREPAY__JSON_REQUIRED, months_type),
    PREPAY__JSON_FIELD("rate", PREPAY__JSON_REQUIRED, rate_ref_type, tj_months_rate_t, rate),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t months_rate_type = {
    PREPAY__JSON_OBJECT("{\"months\", \"rate\"}", months_rate_fields)};

/* The rate index of each month (0: none) from a rate name or a list of {"months", "rate"}. */
static int read_by_month(prepay__json_reader_t *r, const json_t *value, uint8_t by_month[12])
{
    tj_loader_t *ld = r->user;
    uint8_t rate = 0;
    if (json_is_string(value)) {
        int status = read_rate_ref(r, value, NULL, &rate);
        for (unsigned m = 0; status == PREPAY_OK && m < 12; m++) {
            by_month[m] = rate;
        }
        return status;
    }
    if (!json_is_array(value) || json_array_size(value) == 0 || json_array_size(value) > 12) {
        return prepay__json_expected(r, "a rate name or 1..12 {\"months\", \"rate\"} entries", value);
    }
    memset(ld->demand_month_seen, 0, sizeof ld->demand_month_seen);
    memset(by_month, 0, 12);
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i < json_array_size(value); i++) {
        tj_months_rate_t entry;
        memset(&entry, 0, sizeof entry);
        status = prepay__json_read_item(r, value, i, &months_rate_type, &entry);
        for (unsigned k = 0; status == PREPAY_OK && k < entry.month_count; k++) {
            by_month[entry.months[k] - 1u] = entry.rate;
        }
    }
    return status;
}

static int read_flat(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    return read_by_month(r, value, DEMAND((tj_loader_t *)out)->flat_rate);
}

static int read_tou_period(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx)
{
    tj_loader_t *ld = ctx;
    uint8_t period = 0;
    if (!find_period(ld, key, &period)) {
        return unknown(r, "demand period", "$.demand.periods", key);
    }
    return read_by_month(r, value, DEMAND(ld)->period_rate[period - 1u]);
}

static int read_tou(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    return prepay__json_each_member(r, value, "demand periods", PREPAY_MAX_DEMAND_PERIODS,
                                    "PREPAY_MAX_DEMAND_PERIODS", read_tou_period, out);
}

/* ---- billing demand and capacity ---------------------------------------------------------- */

/* "95" for every month, or 12 percentages (by the month of the peak that carries). */
static int read_percent(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    uint32_t *ratio = out;
    int64_t v = 0;
    if (!json_is_array(value)) {
        int status = prepay__json_read(r, value, &percent_type, &v);
        for (unsigned m = 0; status == PREPAY_OK && m < 12; m++) {
            ratio[m] = (uint32_t)v;
        }
        return status;
    }
    if (json_array_size(value) != 12) {
        return prepay__json_expected(r, "a percentage or 12 of them (January..December)", value);
    }
    int status = PREPAY_OK;
    for (size_t m = 0; status == PREPAY_OK && m < 12; m++) {
        status = prepay__json_read_item(r, value, m, &percent_type, &v);
        ratio[m] = (uint32_t)v;
    }
    return status;
}

/* true (every month), false, or a list of months: where the month's own peak counts at 100 %. */
static int read_current(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    uint16_t *mask = out;
    if (json_is_boolean(value)) {
        *mask = json_is_true(value) ? 0x0FFFu : 0u;
        return PREPAY_OK;
    }
    if (!json_is_array(value) || json_array_size(value) > 12) {
        return prepay__json_expected(r, "true, false or a list of months", value);
    }
    uint16_t bits = 0;
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i < json_array_size(value); i++) {
        uint8_t month = 0;
        status = prepay__json_read_item(r, value, i, &month_type, &month);
        bits = (uint16_t)(bits | (1u << (month - 1u)));
    }
    *mask = bits;
    return status;
}

/* A demand period named by a string -> its number (uint8_t). */
static int read_period_ref(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    const char *name = json_string_value(value);
    if (!name) {
        return prepay__json_expected(r, "a demand period name", value);
    }
    return find_period(r->user, name, out) ? PREPAY_OK : unknown(r, "demand period", "$.demand.periods", name);
}

/* Names of the periods that set and bill the billing demand. */
static int read_ratchet_periods(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                                void *out)
{
    static const prepay__json_type_t period_ref_type = {.read = read_period_ref};
    (void)type;
    uint32_t *mask = out;
    if (!json_is_array(value)) {
        return prepay__json_expected(r, "an array of demand period names", value);
    }
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i < json_array_size(value); i++) {
        uint8_t period = 0;
        status = prepay__json_read_item(r, value, i, &period_ref_type, &period);
        if (status == PREPAY_OK) {
            *mask |= 1u << (period - 1u);
        }
    }
    return status;
}

static const prepay__json_type_t lookback_type = {PREPAY__JSON_INT(uint8_t, 0, 12)};
static const prepay__json_type_t percent_list_type = {.read = read_percent};
static const prepay__json_type_t current_type = {.read = read_current};
static const prepay__json_type_t ratchet_periods_type = {.read = read_ratchet_periods};
static const prepay__json_field_t ratchet_fields[] = {
    PREPAY__JSON_FIELD("lookback_months", 0, lookback_type, prepay_tariff_demand_t, ratchet_months),
    PREPAY__JSON_FIELD("percent", 0, percent_list_type, prepay_tariff_demand_t, ratchet_ratio),
    PREPAY__JSON_FIELD("current_month", 0, current_type, prepay_tariff_demand_t, ratchet_current),
    PREPAY__JSON_FIELD("periods", 0, ratchet_periods_type, prepay_tariff_demand_t, ratchet_periods),
    PREPAY__JSON_FIELD("minimum", 0, kw0_type, prepay_tariff_demand_t, ratchet_minimum),
    PREPAY__JSON_FIELDS_END,
};

static int finish_ratchet(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)r;
    prepay_tariff_demand_t *d = out;
    d->ratchet = 1;
    if (!json_object_get(value, "current_month")) {
        d->ratchet_current = 0x0FFFu; /* the month's own peak counts, unless said otherwise */
    }
    return PREPAY_OK;
}

static const prepay__json_type_t ratchet_type = {PREPAY__JSON_OBJECT("an object", ratchet_fields),
                                                 .finish = finish_ratchet};
static const prepay__json_field_t capacity_fields[] = {
    PREPAY__JSON_FIELD("price", PREPAY__JSON_REQUIRED, price_type, prepay_tariff_demand_t, capacity_price),
    PREPAY__JSON_FIELD("kva", 0, kw0_type, prepay_tariff_demand_t, capacity),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t capacity_type = {PREPAY__JSON_OBJECT("an object", capacity_fields)};

/* ---- $.demand ------------------------------------------------------------------------------ */

/* TOU charges need periods; a period without bands never measures anything, which is allowed. */
static int finish_demand(prepay__json_reader_t *r, const json_t *value, void *out)
{
    tj_loader_t *ld = out;
    if (json_object_get(value, "tou") && DEMAND(ld)->period_count == 0) {
        return prepay__json_fail_member(r, "tou", PREPAY_E_HOSTED_JSON_VALUE, "TOU demand charges need \"periods\"");
    }
    if (json_object_get(value, "band_periods") && DEMAND(ld)->period_count == 0) {
        return prepay__json_fail_member(r, "band_periods", PREPAY_E_HOSTED_JSON_VALUE, "no \"periods\" to map to");
    }
    return PREPAY_OK;
}

static const prepay__json_type_t periods_type = {.read = read_periods};
static const prepay__json_type_t band_periods_type = {.read = read_band_periods};
static const prepay__json_type_t rates_type = {.read = read_rates};
static const prepay__json_type_t flat_type = {.read = read_flat};
static const prepay__json_type_t tou_type = {.read = read_tou};
static const prepay__json_field_t demand_fields[] = {
    PREPAY__JSON_FIELD_HERE("periods", 0, periods_type),
    PREPAY__JSON_FIELD_HERE("band_periods", 0, band_periods_type),
    PREPAY__JSON_FIELD_HERE("rates", 0, rates_type),
    PREPAY__JSON_FIELD_HERE("flat", 0, flat_type),
    PREPAY__JSON_FIELD_HERE("tou", 0, tou_type),
    PREPAY__JSON_FIELD("ratchet", 0, ratchet_type, tj_loader_t, doc.sets[0].demand),
    PREPAY__JSON_FIELD("capacity", 0, capacity_type, tj_loader_t, doc.sets[0].demand),
    PREPAY__JSON_FIELDS_END,
};
const prepay__json_type_t prepay__tj_demand_type = {PREPAY__JSON_OBJECT("an object", demand_fields),
                                                     .finish = finish_demand};
