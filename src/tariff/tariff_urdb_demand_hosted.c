/* SPDX-License-Identifier: MIT */
/*
 * Hosted: demand charges of OpenEI URDB rate records and NREL SAM
 * utilityrate5 inputs -> the tariff's ::prepay_tariff_demand_t
 * (docs/tariff-json.md, "URDB and SAM imports").
 *
 * URDB: demandratestructure (TOU demand periods, 0-based, tiers {max, rate,
 * adj} in kW and $/kW) with demandweekdayschedule / demandweekendschedule
 * (12 x 24), flatdemandstructure with flatdemandmonths, and the lookback
 * rule (lookbackPercent with lookbackRange or lookbackMonths). SAM:
 * ur_dc_enable, ur_dc_tou_mat rows [period, tier, max, charge],
 * ur_dc_sched_weekday / _weekend (1-based), ur_dc_flat_mat rows [month,
 * tier, max, charge], and the billing demand (ur_enable_billing_demand,
 * ur_billing_demand_lookback_percentages, _lookback_period, _minimum,
 * ur_dc_billing_demand_periods), as lib_utility_rate_equations.cpp reads them.
 *
 * A TOU demand period charges in the months whose schedule rows contain it
 * (SAM's "dc_periods" of a month). When the demand schedule does not follow
 * the energy schedule (one energy period in two demand periods), the bands
 * become (energy period, demand period) pairs, named "p<e>/d<d>", each
 * priced as its energy period.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/fixed_point.h"
#include "tariff_doc_internal.h"
#include "tariff_urdb_internal.h"

/* Demand maxima at or above this (kW) mean "no limit" (SAM writes 1e38). */
#define UNBOUNDED_KW 1.0e37
#define UNBOUNDED_KW_INTEGER 1000000000000000LL
/* A demand bound in W: 1 W .. 1e15 kW. */
#define DEMAND_BOUND_MAX ((prepay_power_t)1000000000000000000LL)

static const prepay__json_type_t adjustment_type = {PREPAY__JSON_NUMBER(8, INT64_MIN / 4, OPEN_ENDED)};
static const prepay__json_type_t kw_bound_type = {PREPAY__JSON_NUMBER(3, 1, DEMAND_BOUND_MAX)};
static const prepay__json_type_t kw_type = {PREPAY__JSON_NUMBER(3, 0, DEMAND_BOUND_MAX)};
static const prepay__json_type_t price_type = {.read = prepay__urdb_read_price};
static const prepay__json_type_t flag_type = {PREPAY__JSON_NUMBER(0, 0, 1)};

static urdb_rate_t *rate_of(prepay__json_reader_t *r)
{
    return r->user;
}

/* ---- tiers -------------------------------------------------------------------------------------- */

/* A demand maximum in kW: unbounded (null, or >= 1e37), else exact W. The output is the tier. */
static int read_max(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_demand_tier_t *tier = out;
    tier->bounded = !(json_is_null(value) || (json_is_real(value) && json_real_value(value) >= UNBOUNDED_KW) ||
                      (json_is_integer(value) && json_integer_value(value) >= UNBOUNDED_KW_INTEGER));
    return tier->bounded ? prepay__json_read(r, value, &kw_bound_type, &tier->max) : PREPAY_OK;
}

/* rate + adj, never negative. */
static int finish_tier(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)value;
    urdb_demand_tier_t *tier = out;
    if (prepay_i64_add(tier->rate, tier->adj, &tier->price) != PREPAY_OK || tier->price < 0) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "rate + adj is negative or too large");
    }
    return PREPAY_OK;
}

static int read_adjustment(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    int status = prepay__json_read(r, value, &adjustment_type, out);
    prepay_price_t adj = 0;
    memcpy(&adj, out, sizeof adj);
    if (status == PREPAY_OK && adj != 0) {
        status = prepay__urdb_read_price(r, value, &price_type, out); /* scaled like a rate */
    }
    return status;
}

static int finish_charge(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)r;
    (void)value;
    ((urdb_demand_charge_t *)out)->defined = true;
    return PREPAY_OK;
}

static const prepay__json_type_t max_type = {.read = read_max};
static const prepay__json_type_t adj_type = {.read = read_adjustment};
static const prepay__json_field_t tier_fields[] = {
    PREPAY__JSON_FIELD_HERE("max", 0, max_type),
    PREPAY__JSON_FIELD("rate", PREPAY__JSON_REQUIRED, price_type, urdb_demand_tier_t, rate),
    PREPAY__JSON_FIELD("adj", 0, adj_type, urdb_demand_tier_t, adj),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t tier_type = {
    PREPAY__JSON_OBJECT("a demand tier {max, rate, adj}", tier_fields),
    .open = true,
    .finish = finish_tier,
};
static const prepay__json_type_t charge_type = {
    PREPAY__JSON_ARRAY(urdb_demand_charge_t, tiers, tier_count, tier_type, "demand tiers", 1,
                       PREPAY_MAX_DEMAND_TIERS, "PREPAY_MAX_DEMAND_TIERS"),
    .finish = finish_charge,
};

/* ---- URDB ---------------------------------------------------------------------------------------- */

static int read_unit(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    (void)out;
    const char *unit = json_string_value(value);
    if (!unit) {
        return prepay__json_expected(r, "a unit string", value);
    }
    if (strcmp(unit, "kW") != 0) {
        char quoted[PREPAY__JSON_QUOTE_MAX + 8];
        return prepay__json_fail(r, PREPAY_E_HOSTED_UNSUPPORTED, "demand unit %s is not supported (only \"kW\")",
                                 prepay__json_quote(quoted, sizeof quoted, unit));
    }
    return PREPAY_OK;
}

static int read_structure(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    static const prepay__json_type_t periods_type = {
        PREPAY__JSON_ARRAY(urdb_demand_t, periods, period_count, charge_type, "demand periods", 1,
                           PREPAY_MAX_DEMAND_PERIODS, "PREPAY_MAX_DEMAND_PERIODS"),
    };
    (void)type;
    urdb_rate_t *rate = out;
    if (json_array_size(value) == 0) {
        return PREPAY_OK; /* [] is no demand charge */
    }
    rate->demand.enabled = true;
    return prepay__json_read(r, value, &periods_type, &rate->demand);
}

static int read_flat_structure(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                               void *out)
{
    static const prepay__json_type_t flats_type = {
        PREPAY__JSON_ARRAY(urdb_demand_t, flat, flat_count, charge_type, "flat demand structures", 1, 12, NULL),
    };
    (void)type;
    urdb_rate_t *rate = out;
    if (json_array_size(value) == 0) {
        return PREPAY_OK;
    }
    rate->demand.enabled = true;
    return prepay__json_read(r, value, &flats_type, &rate->demand);
}

/* A flat structure index (0-based) -> index + 1 (uint8_t). */
static int read_flat_index(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    int64_t i = 0;
    int status = prepay__json_number(r, value, type, &i);
    if (status == PREPAY_OK && (uint64_t)i >= rate_of(r)->demand.flat_count) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "flat demand structure %d does not exist", (int)i);
    }
    prepay__json_store_int(out, 1, i + 1);
    return status;
}

static int read_flat_months(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    static const prepay__json_type_t index_type = {.read = read_flat_index, .min = 0, .max = 11};
    (void)type;
    urdb_rate_t *rate = out;
    if (json_array_size(value) == 0 && rate->demand.flat_count == 0) {
        return PREPAY_OK;
    }
    if (json_array_size(value) != 12) {
        return prepay__json_expected(r, "12 flat demand structure indices", value);
    }
    int status = PREPAY_OK;
    for (size_t m = 0; status == PREPAY_OK && m < 12; m++) {
        status = prepay__json_read_item(r, value, m, &index_type, &rate->demand.flat_months[m]);
    }
    rate->demand.flat_month_count = 12;
    return status;
}

/* A demand period number (base type->min) with a charge -> the period (uint8_t). */
static int read_cell(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    const urdb_demand_t *d = &rate_of(r)->demand;
    int64_t p = 0;
    int status = prepay__json_number(r, value, type, &p);
    if (status != PREPAY_OK) {
        return status;
    }
    unsigned period = (unsigned)(p - type->min + 1);
    if (period > d->period_count || !d->periods[period - 1u].defined) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "demand period %d has no charge", (int)p);
    }
    prepay__json_store_int(out, 1, period);
    return PREPAY_OK;
}

/* 12 rows, or a flat list of 288 cells, into the weekday (type->flags 0) or weekend schedule. */
static int read_schedule(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    urdb_rate_t *rate = out;
    urdb_demand_t *d = &rate->demand;
    if (!d->enabled || d->period_count == 0) {
        return PREPAY_OK; /* a schedule without TOU demand charges says nothing (SAM writes all 1s) */
    }
    uint8_t(*months)[24] = type->flags ? d->weekend : d->weekday;
    bool flat = json_array_size(value) == 288;
    if (!flat && json_array_size(value) != 12) {
        return prepay__json_expected(r, "a 12 x 24 array of demand periods", value);
    }
    int status = PREPAY_OK;
    for (size_t k = 0; status == PREPAY_OK && k < (flat ? 288u : 12u); k++) {
        status = flat ? prepay__json_read_item(r, value, k, type->item->item, &months[k / 24][k % 24])
                      : prepay__json_read_item(r, value, k, type->item, months[k]);
    }
    d->has_schedule = true;
    return status;
}

static const prepay__json_type_t urdb_cell_type = {.read = read_cell, .min = 0, .max = 31};
static const prepay__json_type_t sam_cell_type = {.read = read_cell, .min = 1, .max = 32};
static const prepay__json_type_t urdb_row_type = {.read = prepay__urdb_read_schedule_row, .item = &urdb_cell_type};
static const prepay__json_type_t sam_row_type = {.read = prepay__urdb_read_schedule_row, .item = &sam_cell_type};

/* lookbackPercent: a fraction of the looked-back peak (0.8 = 80 %). */
static int read_lookback_percent(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                                 void *out)
{
    static const prepay__json_type_t fraction_type = {PREPAY__JSON_NUMBER(6, 0, 10 * PREPAY_RATIO_SCALE)};
    (void)type;
    urdb_rate_t *rate = out;
    return json_is_null(value) ? PREPAY_OK
                               : prepay__json_read(r, value, &fraction_type, &rate->demand.lookback_percent);
}

static int read_lookback_range(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                               void *out)
{
    static const prepay__json_type_t range_type = {PREPAY__JSON_NUMBER(0, 0, 12)};
    (void)type;
    urdb_rate_t *rate = out;
    return json_is_null(value) ? PREPAY_OK
                               : prepay__json_read(r, value, &range_type, &rate->demand.lookback_months);
}

static int read_lookback_months(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                                void *out)
{
    (void)type;
    urdb_rate_t *rate = out;
    if (json_is_null(value) || json_array_size(value) == 0) {
        return PREPAY_OK;
    }
    if (json_array_size(value) != 12) {
        return prepay__json_expected(r, "12 booleans (January..December)", value);
    }
    for (size_t m = 0; m < 12; m++) {
        const json_t *v = json_array_get(value, m);
        int64_t flag = 0;
        if (json_is_boolean(v)) {
            flag = json_is_true(v);
        } else {
            int status = prepay__json_read_item(r, value, m, &flag_type, &flag);
            if (status != PREPAY_OK) {
                return status;
            }
        }
        rate->demand.lookback_months_set[m] = flag != 0;
        rate->demand.has_lookback_months = rate->demand.has_lookback_months || flag != 0;
    }
    return PREPAY_OK;
}

/* ---- SAM ------------------------------------------------------------------------------------------ */

static int read_dc_enable(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    int64_t on = 0;
    int status = prepay__json_read(r, value, &flag_type, &on);
    ((urdb_rate_t *)out)->demand.enabled = on != 0;
    return status;
}

static const prepay__json_type_t sam_period_type = {PREPAY__JSON_NUMBER(0, 1, PREPAY_MAX_DEMAND_PERIODS)};
static const prepay__json_type_t sam_month_type = {PREPAY__JSON_NUMBER(0, 0, 11)};
static const prepay__json_type_t sam_tier_type = {PREPAY__JSON_NUMBER(0, 1, PREPAY_MAX_DEMAND_TIERS)};

/* One row [period or month, tier, max, charge] adds tier `tier` (in order 1, 2, ...) to its charge. */
static int sam_row(prepay__json_reader_t *r, const json_t *row, urdb_demand_charge_t *charges, unsigned count,
                   const prepay__json_type_t *first_type, int64_t *first)
{
    int64_t tier = 0;
    if (!json_is_array(row) || json_array_size(row) < 4) {
        return prepay__json_expected(r, "a row [period, tier, max, charge]", row);
    }
    int status = prepay__json_read_item(r, row, 0, first_type, first);
    if (status == PREPAY_OK) {
        status = prepay__json_read_item(r, row, 1, &sam_tier_type, &tier);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    unsigned index = first_type == &sam_period_type ? (unsigned)*first - 1u : (unsigned)*first;
    if (index >= count) {
        return prepay__json_fail(r, PREPAY_E_CAPACITY, "more demand periods than %u (PREPAY_MAX_DEMAND_PERIODS)",
                                 count);
    }
    urdb_demand_charge_t *c = &charges[index];
    if ((unsigned)tier != c->tier_count + 1u) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "tier %d is out of order (tiers must be 1, 2, ...)",
                                 (int)tier);
    }
    urdb_demand_tier_t *t = &c->tiers[tier - 1];
    status = prepay__json_read_item(r, row, 2, &max_type, t);
    if (status == PREPAY_OK) {
        status = prepay__json_read_item(r, row, 3, &price_type, &t->price);
    }
    if (status == PREPAY_OK) {
        c->defined = true;
        c->tier_count = (unsigned)tier;
    }
    return status;
}

static int read_dc_tou_mat(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    urdb_demand_t *d = &((urdb_rate_t *)out)->demand;
    if (!d->enabled) {
        return PREPAY_OK;
    }
    if (!json_is_array(value)) {
        return prepay__json_expected(r, "an array of rows", value);
    }
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i < json_array_size(value); i++) {
        int64_t period = 0;
        status = prepay__json_read_item(r, value, i, type->item, &period); /* at the row's own path */
        if (status == PREPAY_OK && (unsigned)period > d->period_count) {
            d->period_count = (unsigned)period;
        }
    }
    for (unsigned p = 0; status == PREPAY_OK && p < d->period_count; p++) {
        if (!d->periods[p].defined) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "demand period %u has no charge", p + 1u);
        }
    }
    return status;
}

/* One ur_dc_tou_mat row; the output is the period number (int64_t), the row goes to the rate. */
static int read_tou_row(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_demand_t *d = &rate_of(r)->demand;
    return sam_row(r, value, d->periods, PREPAY_MAX_DEMAND_PERIODS, &sam_period_type, out);
}

static int read_flat_row(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_demand_t *d = &rate_of(r)->demand;
    return sam_row(r, value, d->flat, 12, &sam_month_type, out);
}

static int read_dc_flat_mat(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    urdb_demand_t *d = &((urdb_rate_t *)out)->demand;
    if (!d->enabled) {
        return PREPAY_OK;
    }
    if (!json_is_array(value)) {
        return prepay__json_expected(r, "an array of rows", value);
    }
    d->flat_by_month = true;
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i < json_array_size(value); i++) {
        int64_t month = 0;
        status = prepay__json_read_item(r, value, i, type->item, &month);
    }
    return status;
}

static int read_bd_enable(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    int64_t on = 0;
    int status = prepay__json_read(r, value, &flag_type, &on);
    ((urdb_rate_t *)out)->demand.ratchet = on != 0;
    return status;
}

/* Rows [period, 0 or 1]: the periods that set and bill the billing demand. */
static int read_bd_periods(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_demand_t *d = &((urdb_rate_t *)out)->demand;
    if (!d->ratchet || !d->enabled) {
        return PREPAY_OK;
    }
    if (!json_is_array(value)) {
        return prepay__json_expected(r, "an array of rows [period, 0 or 1]", value);
    }
    bool flat = json_array_size(value) > 0 && !json_is_array(json_array_get(value, 0));
    size_t rows = flat ? json_array_size(value) / 2u : json_array_size(value);
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i < rows; i++) {
        int64_t period = 0, on = 0;
        const json_t *row = flat ? value : json_array_get(value, i);
        size_t at = flat ? 2u * i : 0u;
        if (!flat && (!json_is_array(row) || json_array_size(row) < 2)) {
            return prepay__json_read_item(r, value, i, &flag_type, &on); /* reports the row's type */
        }
        status = prepay__json_read_item(r, row, at, &sam_period_type, &period);
        if (status == PREPAY_OK) {
            status = prepay__json_read_item(r, row, at + 1u, &flag_type, &on);
        }
        if (status == PREPAY_OK && on) {
            d->ratchet_periods |= 1u << (period - 1);
        }
    }
    return status;
}

/* 12 rows [percent, 0 or 1] (or the 24 numbers flat): the share of each month's peak that carries,
 * and whether the month's own peak counts. */
static int read_bd_percentages(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                               void *out)
{
    static const prepay__json_type_t percent_type = {PREPAY__JSON_NUMBER(4, 0, 1000 * 10000)};
    (void)type;
    urdb_demand_t *d = &((urdb_rate_t *)out)->demand;
    if (!d->ratchet) {
        return PREPAY_OK;
    }
    bool flat = json_array_size(value) == 24;
    if (!flat && json_array_size(value) != 12) {
        return prepay__json_expected(r, "12 rows [percent, 0 or 1]", value);
    }
    int status = PREPAY_OK;
    for (size_t m = 0; status == PREPAY_OK && m < 12; m++) {
        const json_t *row = flat ? value : json_array_get(value, m);
        size_t at = flat ? 2u * m : 0u;
        int64_t on = 0;
        if (!flat && (!json_is_array(row) || json_array_size(row) < 2)) {
            return prepay__json_read_item(r, value, m, &flag_type, &on); /* reports the row's type */
        }
        status = prepay__json_read_item(r, row, at, &percent_type, &d->ratio[m]);
        if (status == PREPAY_OK) {
            status = prepay__json_read_item(r, row, at + 1u, &flag_type, &on);
        }
        d->current = (uint16_t)(d->current | (on ? 1u << m : 0u));
    }
    return status;
}

static int read_bd_period(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    static const prepay__json_type_t months_type = {PREPAY__JSON_NUMBER(0, 0, 12)};
    (void)type;
    urdb_demand_t *d = &((urdb_rate_t *)out)->demand;
    return d->ratchet ? prepay__json_read(r, value, &months_type, &d->lookback_months) : PREPAY_OK;
}

static int read_bd_minimum(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_demand_t *d = &((urdb_rate_t *)out)->demand;
    return d->ratchet ? prepay__json_read(r, value, &kw_type, &d->minimum) : PREPAY_OK;
}

static const prepay__json_type_t tou_row_type = {.read = read_tou_row};
static const prepay__json_type_t flat_row_type = {.read = read_flat_row};

const prepay__json_type_t prepay__urdb_demand_unit_type = {.read = read_unit};
const prepay__json_type_t prepay__urdb_demand_structure_type = {.read = read_structure};
const prepay__json_type_t prepay__urdb_flat_structure_type = {.read = read_flat_structure};
const prepay__json_type_t prepay__urdb_flat_months_type = {.read = read_flat_months};
const prepay__json_type_t prepay__urdb_demand_schedule_type = {.read = read_schedule, .item = &urdb_row_type};
const prepay__json_type_t prepay__urdb_demand_weekend_type = {.read = read_schedule, .item = &urdb_row_type,
                                                              .flags = 1};
const prepay__json_type_t prepay__urdb_lookback_percent_type = {.read = read_lookback_percent};
const prepay__json_type_t prepay__urdb_lookback_range_type = {.read = read_lookback_range};
const prepay__json_type_t prepay__urdb_lookback_months_type = {.read = read_lookback_months};
const prepay__json_type_t prepay__sam_dc_enable_type = {.read = read_dc_enable};
const prepay__json_type_t prepay__sam_dc_tou_mat_type = {.read = read_dc_tou_mat, .item = &tou_row_type};
const prepay__json_type_t prepay__sam_dc_flat_mat_type = {.read = read_dc_flat_mat, .item = &flat_row_type};
const prepay__json_type_t prepay__sam_dc_weekday_type = {.read = read_schedule, .item = &sam_row_type};
const prepay__json_type_t prepay__sam_dc_weekend_type = {.read = read_schedule, .item = &sam_row_type, .flags = 1};
const prepay__json_type_t prepay__sam_bd_enable_type = {.read = read_bd_enable};
const prepay__json_type_t prepay__sam_bd_percentages_type = {.read = read_bd_percentages};
const prepay__json_type_t prepay__sam_bd_period_type = {.read = read_bd_period};
const prepay__json_type_t prepay__sam_bd_minimum_type = {.read = read_bd_minimum};
const prepay__json_type_t prepay__sam_bd_periods_type = {.read = read_bd_periods};

/* ---- bands: (energy period, demand period) pairs -------------------------------------------------- */

int prepay__urdb_combine_bands(prepay__json_reader_t *r, urdb_rate_t *rate)
{
    const urdb_demand_t *d = &rate->demand;
    memset(rate->band_demand_period, 0, sizeof rate->band_demand_period);
    rate->combined = false;
    if (!d->enabled || d->period_count == 0) {
        return PREPAY_OK;
    }
    if (!d->has_schedule) {
        char where[PREPAY__JSON_PATH_MAX];
        snprintf(where, sizeof where, "%s.%s", rate->record_path, rate->sam ? "ur_dc_tou_mat" : "demandratestructure");
        return prepay__json_fail_at(r, where, PREPAY_E_HOSTED_JSON_VALUE,
                                    "TOU demand charges need the demand weekday and weekend schedules");
    }
    /* Does every energy period lie in one demand period? */
    bool follows = true;
    for (unsigned m = 0; m < 12; m++) {
        for (unsigned h = 0; h < 24; h++) {
            for (int w = 0; w < 2; w++) {
                uint8_t e = w ? rate->weekend[m][h] : rate->weekday[m][h];
                uint8_t p = w ? d->weekend[m][h] : d->weekday[m][h];
                uint8_t *have = &rate->band_demand_period[e - 1u];
                follows = follows && (*have == 0 || *have == p);
                *have = p;
            }
        }
    }
    if (follows) {
        return PREPAY_OK;
    }
    /* Bands are the distinct (energy period, demand period) pairs, in order of appearance. */
    urdb_period_t *energy = malloc(sizeof rate->periods);
    if (!energy) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    memcpy(energy, rate->periods, sizeof rate->periods);
    unsigned count = 0;
    for (unsigned m = 0; m < 12; m++) {
        for (int w = 0; w < 2; w++) {
            for (unsigned h = 0; h < 24; h++) {
                uint8_t *cell = w ? &rate->weekend[m][h] : &rate->weekday[m][h];
                uint8_t p = w ? d->weekend[m][h] : d->weekday[m][h];
                unsigned b = 0;
                while (b < count && !(rate->band_energy_period[b] == *cell && rate->band_demand_period[b] == p)) {
                    b++;
                }
                if (b == count) {
                    if (count >= PREPAY_MAX_TARIFF_INDEX) {
                        free(energy);
                        return prepay__json_fail_at(r, rate->record_path, PREPAY_E_CAPACITY,
                                                    "more than %d (energy period, demand period) pairs "
                                                    "(PREPAY_MAX_TARIFF_INDEX)",
                                                    PREPAY_MAX_TARIFF_INDEX);
                    }
                    rate->band_energy_period[count] = *cell;
                    rate->band_demand_period[count] = p;
                    count++;
                }
                *cell = (uint8_t)(b + 1u);
            }
        }
    }
    for (unsigned b = 0; b < count; b++) {
        rate->periods[b] = energy[rate->band_energy_period[b] - 1u];
    }
    free(energy);
    rate->period_count = count;
    rate->combined = true;
    return PREPAY_OK;
}

/* ---- the tariff's demand charges ------------------------------------------------------------------ */

/* The charge as a rate: the last tier unbounded (whatever its max), bounds increasing. */
static int to_rate(prepay__json_reader_t *r, const urdb_rate_t *rate, const urdb_demand_charge_t *c,
                   const char *what, unsigned n, prepay_demand_rate_t *out)
{
    memset(out, 0, sizeof *out);
    out->tier_count = (uint8_t)c->tier_count;
    for (unsigned k = 0; k < c->tier_count; k++) {
        bool last = k + 1u == c->tier_count;
        if (!last && !c->tiers[k].bounded) {
            return prepay__json_fail_at(r, rate->record_path, PREPAY_E_HOSTED_JSON_VALUE,
                                        "%s %u: demand tier %u has no limit but is not the last tier", what, n, k + 1u);
        }
        if (!last && k > 0 && c->tiers[k].max <= c->tiers[k - 1u].max) {
            return prepay__json_fail_at(r, rate->record_path, PREPAY_E_HOSTED_JSON_VALUE,
                                        "%s %u: demand tier limits must increase", what, n);
        }
        out->upper[k] = last ? PREPAY_DEMAND_UNBOUNDED : c->tiers[k].max;
        out->price[k] = c->tiers[k].price;
    }
    return PREPAY_OK;
}

/* The index + 1 of an equal rate, or a new one. */
static int add_rate(prepay__json_reader_t *r, const urdb_rate_t *rate, prepay_tariff_demand_t *d,
                    const prepay_demand_rate_t *x, uint8_t *index)
{
    for (unsigned i = 0; i < d->rate_count; i++) {
        const prepay_demand_rate_t *y = &d->rates[i];
        bool same = y->tier_count == x->tier_count;
        for (unsigned k = 0; same && k < x->tier_count; k++) {
            same = y->upper[k] == x->upper[k] && y->price[k] == x->price[k];
        }
        if (same) {
            *index = (uint8_t)(i + 1u);
            return PREPAY_OK;
        }
    }
    if (d->rate_count >= PREPAY_MAX_DEMAND_RATES) {
        return prepay__json_fail_at(r, rate->record_path, PREPAY_E_CAPACITY,
                                    "more than %d distinct demand charges (PREPAY_MAX_DEMAND_RATES)",
                                    PREPAY_MAX_DEMAND_RATES);
    }
    d->rates[d->rate_count] = *x;
    *index = ++d->rate_count;
    return PREPAY_OK;
}

static int build_flat(prepay__json_reader_t *r, const urdb_rate_t *rate, prepay_tariff_demand_t *d)
{
    const urdb_demand_t *u = &rate->demand;
    for (unsigned m = 0; m < 12; m++) {
        const urdb_demand_charge_t *c = NULL;
        if (u->flat_by_month) {
            c = u->flat[m].defined ? &u->flat[m] : NULL;
        } else if (u->flat_count > 0) {
            unsigned s = u->flat_month_count == 12 ? u->flat_months[m] : (u->flat_count == 1 ? 1u : 0u);
            if (s == 0) {
                return prepay__json_fail_at(r, rate->record_path, PREPAY_E_HOSTED_JSON_VALUE,
                                            "flatdemandstructure has %u entries: flatdemandmonths must say which "
                                            "applies in each month",
                                            u->flat_count);
            }
            c = &u->flat[s - 1u];
        }
        if (!c) {
            continue;
        }
        prepay_demand_rate_t x;
        int status = to_rate(r, rate, c, "flat demand of month", m + 1u, &x);
        if (status == PREPAY_OK) {
            status = add_rate(r, rate, d, &x, &d->flat_rate[m]);
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

static int build_tou(prepay__json_reader_t *r, const urdb_rate_t *rate, prepay_tariff_demand_t *d)
{
    const urdb_demand_t *u = &rate->demand;
    d->period_count = (uint8_t)u->period_count;
    for (unsigned p = 0; p < u->period_count; p++) {
        prepay_demand_rate_t x;
        uint8_t index = 0;
        int status = to_rate(r, rate, &u->periods[p], "demand period", p + 1u, &x);
        if (status == PREPAY_OK) {
            status = add_rate(r, rate, d, &x, &index);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        for (unsigned m = 0; m < 12; m++) {
            bool used = false;
            for (unsigned h = 0; h < 24 && !used; h++) {
                used = u->weekday[m][h] == p + 1u || u->weekend[m][h] == p + 1u;
            }
            d->period_rate[p][m] = used ? index : 0u; /* SAM: the periods of a month are those its rows hold */
        }
    }
    for (unsigned b = 0; b < rate->period_count && b < PREPAY_MAX_TARIFF_INDEX; b++) {
        d->period_of_band[b] = rate->band_demand_period[b];
    }
    return PREPAY_OK;
}

static void build_ratchet(const urdb_rate_t *rate, prepay_tariff_demand_t *d)
{
    const urdb_demand_t *u = &rate->demand;
    if (rate->sam) {
        if (!u->ratchet) {
            return;
        }
        d->ratchet = 1;
        /* SAM looks back over months m >= 11 - (L - M) of the previous year as well as the current year's
         * months from M - L (get_billing_demand()): L + 1 months whenever the window reaches the previous
         * year, which it always does with SAM's default L = 11. libprepay's window is [M - n, M]: n = L + 1. */
        d->ratchet_months = (uint8_t)(u->lookback_months < 12 ? u->lookback_months + 1 : 12);
        d->ratchet_current = u->current;
        d->ratchet_periods = u->period_count > 0 ? u->ratchet_periods : 0u;
        d->ratchet_minimum = u->minimum;
        for (unsigned m = 0; m < 12; m++) {
            d->ratchet_ratio[m] = (uint32_t)u->ratio[m]; /* percent x 10^4 = millionths */
        }
        return;
    }
    /* URDB: billing demand = max(peak, lookbackPercent x the peaks of the months looked back on). */
    if (u->lookback_percent <= 0 || (u->lookback_months == 0 && !u->has_lookback_months)) {
        return;
    }
    d->ratchet = 1;
    d->ratchet_current = 0x0FFFu;
    d->ratchet_months = (uint8_t)(u->lookback_months > 0 ? u->lookback_months : 11);
    for (unsigned m = 0; m < 12; m++) {
        bool counts = u->lookback_months > 0 || u->lookback_months_set[m];
        d->ratchet_ratio[m] = counts ? (uint32_t)u->lookback_percent : 0u;
    }
}

int prepay__urdb_build_demand(prepay__json_reader_t *r, const urdb_rate_t *rate, prepay_tariff_doc_t *doc)
{
    prepay_tariff_demand_t *d = &doc->sets[0].demand;
    memset(d, 0, sizeof *d);
    if (!rate->demand.enabled) {
        return PREPAY_OK;
    }
    int status = build_flat(r, rate, d);
    if (status == PREPAY_OK) {
        status = build_tou(r, rate, d);
    }
    if (status == PREPAY_OK) {
        build_ratchet(rate, d);
        for (unsigned p = 0; p < d->period_count; p++) {
            snprintf(doc->demand_period_names[p], PREPAY_TARIFF_JSON_BAND_NAME_MAX, "d%u", p + 1u);
        }
        if (rate->combined) {
            for (unsigned b = 0; b < rate->period_count; b++) {
                snprintf(doc->band_names[b], PREPAY_TARIFF_JSON_BAND_NAME_MAX, "p%u/d%u",
                         rate->band_energy_period[b], rate->band_demand_period[b]);
            }
        }
    }
    return status;
}
