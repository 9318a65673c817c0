/* SPDX-License-Identifier: MIT */
/*
 * Hosted: OpenEI URDB rate records and NREL SAM utilityrate5 inputs -> a
 * tariff document (docs/tariff-json.md, "URDB and SAM imports"), read by
 * the JSON reader (src/common/json_internal.h) from the tables below.
 *
 * Energy charges only: periods become bands, the 12 x 24 weekday / weekend
 * period matrices become day tables (one per distinct row) and monthly
 * seasons, tier maxima become one ladder per month (SAM requires the periods
 * used in a month to share their tier bounds), "kWh daily" maxima become
 * per-day ladders (x days in the month). Billing is monthly from day 1 and
 * rounds once per bill, like SAM. URDB and SAM publish binary numbers: each
 * is read through the shortest decimal that reads back as the same double
 * (prepay__json_number()), then exactly. Records carry many members this
 * importer does not use, so their objects are open.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/json_internal.h"
#include "prepay/fixed_point.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"
#include "tariff_doc_internal.h"
#include "tariff_urdb_internal.h"

static const prepay__json_type_t number_price = {PREPAY__JSON_NUMBER(8, 0, OPEN_ENDED)};

/* ---- numbers ---------------------------------------------------------------------------------- */

/* A price, times rate_scale exactly (an inexact product is an error). */
int prepay__urdb_read_price(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    const urdb_rate_t *rate = r->user;
    prepay_price_t p = 0, down = 0, up = 0;
    int status = prepay__json_read(r, value, &number_price, &p);
    if (status != PREPAY_OK || rate->rate_scale == SCALE_ONE) {
        memcpy(out, &p, sizeof p);
        return status;
    }
    if (prepay_i64_muldiv(p, rate->rate_scale, SCALE_ONE, PREPAY_ROUND_DOWN, &down) != PREPAY_OK ||
        prepay_i64_muldiv(p, rate->rate_scale, SCALE_ONE, PREPAY_ROUND_UP, &up) != PREPAY_OK) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "price x rate_scale overflows");
    }
    if (down != up) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "price x rate_scale needs more than 8 decimal places");
    }
    memcpy(out, &down, sizeof down);
    return PREPAY_OK;
}

static const prepay__json_type_t price_type = {.read = prepay__urdb_read_price};
static const prepay__json_type_t adjustment_type = {PREPAY__JSON_NUMBER(8, INT64_MIN / 4, OPEN_ENDED)};
static const prepay__json_type_t bound_type = {PREPAY__JSON_NUMBER(3, 1, URDB_HUGE_BOUND / 2)};
static const prepay__json_type_t money_type = {PREPAY__JSON_NUMBER(2, 0, OPEN_ENDED)};

/* An adjustment added to the rate; scaled like a price when it is not zero. */
static int read_adjustment(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    const urdb_rate_t *rate = r->user;
    int status = prepay__json_read(r, value, &adjustment_type, out);
    prepay_price_t adj = 0;
    memcpy(&adj, out, sizeof adj);
    if (status == PREPAY_OK && adj != 0 && rate->rate_scale != SCALE_ONE) {
        status = prepay__urdb_read_price(r, value, &price_type, out);
    }
    return status;
}

/* A tier maximum in kWh: unbounded (null, or >= 1e37), else exact Wh. The output is the tier. */
static int read_max(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_tier_t *tier = out;
    tier->bounded = !(json_is_null(value) || (json_is_real(value) && json_real_value(value) >= URDB_UNBOUNDED_KWH) ||
                      (json_is_integer(value) && json_integer_value(value) >= URDB_UNBOUNDED_KWH_INTEGER));
    return tier->bounded ? prepay__json_read(r, value, &bound_type, &tier->max) : PREPAY_OK;
}

/* A money amount; null is none. */
static int read_money(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    return json_is_null(value) ? PREPAY_OK : prepay__json_read(r, value, &money_type, out);
}

/* "kWh" or "kWh daily"; demand-based units are refused. */
static int read_unit(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    const char *unit = json_string_value(value);
    int units = UNITS_KWH;
    if (!unit) {
        return prepay__json_expected(r, "a unit string", value);
    }
    if (strcmp(unit, "kWh daily") == 0) {
        units = UNITS_KWH_DAILY;
    } else if (strcmp(unit, "kWh") != 0) {
        char quoted[PREPAY__JSON_QUOTE_MAX + 8];
        return prepay__json_fail(r, PREPAY_E_HOSTED_UNSUPPORTED,
                                 "tier unit %s is not supported (only \"kWh\" and \"kWh daily\")",
                                 prepay__json_quote(quoted, sizeof quoted, unit));
    }
    memcpy(out, &units, sizeof units);
    return PREPAY_OK;
}

/* A feature this importer cannot price: refused when its member holds anything but zero or nothing. */
static int read_refused(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)out;
    bool present = json_is_true(value) || json_array_size(value) > 0 || json_object_size(value) > 0 ||
                   (json_is_number(value) && (json_number_value(value) > 0.0 || json_number_value(value) < 0.0));
    return present ? prepay__json_fail(r, PREPAY_E_HOSTED_UNSUPPORTED, "%s are not supported", type->what) : PREPAY_OK;
}

static const prepay__json_type_t minimum_type = {.read = read_refused, .what = "minimum charges"};
static const prepay__json_type_t ratchet_percentage_type = {
    .read = read_refused, .what = "demand ratchet percentages (use lookbackPercent with lookbackRange or lookbackMonths)"};
static const prepay__json_type_t coincident_type = {.read = read_refused, .what = "coincident demand charges"};
static const prepay__json_type_t reactive_type = {.read = read_refused, .what = "reactive power charges"};

/* ---- URDB energyratestructure ------------------------------------------------------------------ */

static int finish_tier(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)value;
    urdb_tier_t *tier = out;
    if (prepay_i64_add(tier->rate, tier->adj, &tier->price) != PREPAY_OK || tier->price < 0) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "rate + adj is negative or too large");
    }
    return PREPAY_OK;
}

static int finish_period(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)r;
    (void)value;
    ((urdb_period_t *)out)->defined = true;
    return PREPAY_OK;
}

static const prepay__json_type_t unit_type = {.read = read_unit};
static const prepay__json_type_t max_type = {.read = read_max};
static const prepay__json_type_t adj_type = {.read = read_adjustment};
static const prepay__json_field_t tier_fields[] = {
    PREPAY__JSON_FIELD("unit", 0, unit_type, urdb_tier_t, units),
    PREPAY__JSON_FIELD_HERE("max", 0, max_type),
    PREPAY__JSON_FIELD("rate", PREPAY__JSON_REQUIRED, price_type, urdb_tier_t, rate),
    PREPAY__JSON_FIELD("adj", 0, adj_type, urdb_tier_t, adj),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t tier_type = {
    PREPAY__JSON_OBJECT("a tier {max, unit, rate, adj}", tier_fields),
    .open = true,
    .finish = finish_tier,
};
static const prepay__json_type_t period_type = {
    PREPAY__JSON_ARRAY(urdb_period_t, tiers, tier_count, tier_type, "tiers", 1, PREPAY_MAX_TIERS, "PREPAY_MAX_TIERS"),
    .finish = finish_period,
};
static const prepay__json_type_t structure_type = {
    PREPAY__JSON_ARRAY(urdb_rate_t, periods, period_count, period_type, "periods", 1, PREPAY_MAX_TARIFF_INDEX,
                       "PREPAY_MAX_TARIFF_INDEX"),
};

/* ---- SAM ur_ec_tou_mat: rows [period, tier, max, units, buy, sell] ------------------------------- */

/* A 1-based index that must also fit the configuration (type->capacity, type->max_macro). */
static int read_capped_index(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    int64_t v = 0;
    int status = prepay__json_number(r, value, type, &v);
    if (status == PREPAY_OK && v > (int64_t)type->capacity) {
        return prepay__json_fail(r, PREPAY_E_CAPACITY, "%s %d is above %zu (%s)", type->what, (int)v, type->capacity,
                                 type->max_macro);
    }
    memcpy(out, &v, sizeof v);
    return status;
}

static int read_sam_units(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    int64_t units = 0;
    int status = prepay__json_number(r, value, type, &units);
    if (status == PREPAY_OK && units != UNITS_KWH && units != UNITS_KWH_DAILY) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_UNSUPPORTED, "max usage units %d (kWh/kW) are not supported",
                                 (int)units);
    }
    memcpy(out, &units, sizeof units);
    return status;
}

static const prepay__json_type_t sam_period_type = {.read = read_capped_index,
                                                    .min = 1,
                                                    .max = 63,
                                                    .what = "period",
                                                    .capacity = PREPAY_MAX_TARIFF_INDEX,
                                                    .max_macro = "PREPAY_MAX_TARIFF_INDEX"};
static const prepay__json_type_t sam_tier_type = {.read = read_capped_index,
                                                  .min = 1,
                                                  .max = 32,
                                                  .what = "tier",
                                                  .capacity = PREPAY_MAX_TIERS,
                                                  .max_macro = "PREPAY_MAX_TIERS"};
static const prepay__json_type_t sam_units_type = {.read = read_sam_units, .min = 0, .max = 3};

/* One row adds tier `tier` (in order 1, 2, ...) to period `period`. The output is the rate. */
static int read_sam_row(prepay__json_reader_t *r, const json_t *row, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_rate_t *rate = out;
    int64_t period = 0, tier = 0, units = 0;
    if (!json_is_array(row) || json_array_size(row) < 5) {
        return prepay__json_expected(r, "a row [period, tier, max, units, buy, sell]", row);
    }
    int status = prepay__json_read_item(r, row, 0, &sam_period_type, &period);
    if (status == PREPAY_OK) {
        status = prepay__json_read_item(r, row, 1, &sam_tier_type, &tier);
    }
    if (status == PREPAY_OK) {
        status = prepay__json_read_item(r, row, 3, &sam_units_type, &units);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    urdb_period_t *per = &rate->periods[period - 1];
    if ((unsigned)tier != per->tier_count + 1) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE,
                                 "tier %d of period %d is out of order (tiers must be 1, 2, ...)", (int)tier,
                                 (int)period);
    }
    urdb_tier_t *ut = &per->tiers[tier - 1];
    ut->units = (int)units;
    status = prepay__json_read_item(r, row, 2, &max_type, ut);
    if (status == PREPAY_OK) {
        status = prepay__json_read_item(r, row, 4, &price_type, &ut->price);
    }
    if (status == PREPAY_OK) {
        per->defined = true;
        per->tier_count = (unsigned)tier;
        rate->period_count = (unsigned)period > rate->period_count ? (unsigned)period : rate->period_count;
    }
    return status;
}

static const prepay__json_type_t sam_row_type = {.read = read_sam_row};

static int read_tou_mat(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_rate_t *rate = out;
    if (json_array_size(value) == 0) {
        return prepay__json_expected(r, "a non-empty array of rows", value);
    }
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i < json_array_size(value); i++) {
        status = prepay__json_read_item(r, value, i, &sam_row_type, rate);
    }
    for (unsigned p = 0; status == PREPAY_OK && p < rate->period_count; p++) {
        if (!rate->periods[p].defined) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "period %u has no rates", p + 1);
        }
    }
    return status;
}

/* ---- 12 x 24 period schedules ------------------------------------------------------------------ */

/* A period number (base type->min: 0 in URDB, 1 in SAM) that has rates -> its band (uint8_t). */
static int read_cell(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    const urdb_rate_t *rate = r->user;
    int64_t p = 0;
    int status = prepay__json_number(r, value, type, &p);
    if (status != PREPAY_OK) {
        return status;
    }
    unsigned band = (unsigned)(p - type->min + 1);
    if (band > rate->period_count || !rate->periods[band - 1].defined) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "period %d has no rates", (int)p);
    }
    prepay__json_store_int(out, 1, band);
    return PREPAY_OK;
}

/* 24 cells (type->item) of one month. */
int prepay__urdb_read_schedule_row(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                                   void *out)
{
    uint8_t *row = out;
    if (json_array_size(value) != 24) {
        return prepay__json_expected(r, "an array of 24 periods", value);
    }
    int status = PREPAY_OK;
    for (size_t h = 0; status == PREPAY_OK && h < 24; h++) {
        status = prepay__json_read_item(r, value, h, type->item, &row[h]);
    }
    return status;
}

/* 12 rows (type->item), or a flat list of 288 cells. The output is uint8_t[12][24]. */
static int read_schedule(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    uint8_t(*months)[24] = out;
    bool flat = json_array_size(value) == 288;
    if (!flat && json_array_size(value) != 12) {
        return prepay__json_expected(r, "a 12 x 24 array of periods", value);
    }
    int status = PREPAY_OK;
    for (size_t k = 0; status == PREPAY_OK && k < (flat ? 288u : 12u); k++) {
        status = flat ? prepay__json_read_item(r, value, k, type->item->item, &months[k / 24][k % 24])
                      : prepay__json_read_item(r, value, k, type->item, months[k]);
    }
    return status;
}

static const prepay__json_type_t urdb_cell_type = {.read = read_cell, .min = 0, .max = 62};
static const prepay__json_type_t sam_cell_type = {.read = read_cell, .min = 1, .max = 63};
static const prepay__json_type_t urdb_row_type = {.read = prepay__urdb_read_schedule_row, .item = &urdb_cell_type};
static const prepay__json_type_t sam_row_schedule_type = {.read = prepay__urdb_read_schedule_row,
                                                         .item = &sam_cell_type};
static const prepay__json_type_t urdb_schedule_type = {.read = read_schedule, .item = &urdb_row_type};
static const prepay__json_type_t sam_schedule_type = {.read = read_schedule, .item = &sam_row_schedule_type};

/* ---- records ----------------------------------------------------------------------------------- */

static const prepay__json_type_t tou_mat_type = {.read = read_tou_mat};
static const prepay__json_type_t money_field_type = {.read = read_money};
static const prepay__json_type_t metering_option_type = {PREPAY__JSON_NUMBER(0, 0, 4)};

/* fixedchargeunits: only per-month charges become a fixed charge per monthly cycle. */
static int read_fixed_units(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    (void)out;
    if (!json_is_string(value) || strcmp(json_string_value(value), "$/month") != 0) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_UNSUPPORTED, "only \"$/month\" fixed charges are supported");
    }
    return PREPAY_OK;
}

static const prepay__json_type_t fixed_units_type = {.read = read_fixed_units};
static const prepay__json_field_t urdb_fields[] = {
    PREPAY__JSON_FIELD_HERE("demandunit", 0, prepay__urdb_demand_unit_type),
    PREPAY__JSON_FIELD_HERE("flatdemandunit", 0, prepay__urdb_demand_unit_type),
    PREPAY__JSON_FIELD_HERE("demandratestructure", 0, prepay__urdb_demand_structure_type),
    PREPAY__JSON_FIELD_HERE("demandweekdayschedule", 0, prepay__urdb_demand_schedule_type),
    PREPAY__JSON_FIELD_HERE("demandweekendschedule", 0, prepay__urdb_demand_weekend_type),
    PREPAY__JSON_FIELD_HERE("flatdemandstructure", 0, prepay__urdb_flat_structure_type),
    PREPAY__JSON_FIELD_HERE("flatdemandmonths", 0, prepay__urdb_flat_months_type),
    PREPAY__JSON_FIELD_HERE("lookbackPercent", 0, prepay__urdb_lookback_percent_type),
    PREPAY__JSON_FIELD_HERE("lookbackRange", 0, prepay__urdb_lookback_range_type),
    PREPAY__JSON_FIELD_HERE("lookbackMonths", 0, prepay__urdb_lookback_months_type),
    PREPAY__JSON_FIELD_HERE("lookbackpercent", 0, prepay__urdb_lookback_percent_type),
    PREPAY__JSON_FIELD_HERE("lookbackrange", 0, prepay__urdb_lookback_range_type),
    PREPAY__JSON_FIELD_HERE("lookbackmonths", 0, prepay__urdb_lookback_months_type),
    PREPAY__JSON_FIELD_HERE("demandratchetpercentage", 0, ratchet_percentage_type),
    PREPAY__JSON_FIELD_HERE("coincidentratestructure", 0, coincident_type),
    PREPAY__JSON_FIELD_HERE("demandreactivepowercharge", 0, reactive_type),
    PREPAY__JSON_FIELD_HERE("mincharge", 0, minimum_type),
    PREPAY__JSON_FIELD_HERE("energyratestructure", PREPAY__JSON_REQUIRED, structure_type),
    PREPAY__JSON_FIELD("energyweekdayschedule", PREPAY__JSON_REQUIRED, urdb_schedule_type, urdb_rate_t, weekday),
    PREPAY__JSON_FIELD("energyweekendschedule", PREPAY__JSON_REQUIRED, urdb_schedule_type, urdb_rate_t, weekend),
    PREPAY__JSON_FIELD_HERE("fixedchargeunits", 0, fixed_units_type),
    PREPAY__JSON_FIELD("fixedchargefirstmeter", 0, money_field_type, urdb_rate_t, fixed_first_meter),
    PREPAY__JSON_FIELD("fixedmonthlycharge", 0, money_field_type, urdb_rate_t, fixed_monthly_charge),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_field_t sam_fields[] = {
    PREPAY__JSON_FIELD_HERE("ur_dc_enable", 0, prepay__sam_dc_enable_type),
    PREPAY__JSON_FIELD_HERE("ur_dc_tou_mat", 0, prepay__sam_dc_tou_mat_type),
    PREPAY__JSON_FIELD_HERE("ur_dc_sched_weekday", 0, prepay__sam_dc_weekday_type),
    PREPAY__JSON_FIELD_HERE("ur_dc_sched_weekend", 0, prepay__sam_dc_weekend_type),
    PREPAY__JSON_FIELD_HERE("ur_dc_flat_mat", 0, prepay__sam_dc_flat_mat_type),
    PREPAY__JSON_FIELD_HERE("ur_enable_billing_demand", 0, prepay__sam_bd_enable_type),
    PREPAY__JSON_FIELD_HERE("ur_dc_billing_demand_periods", 0, prepay__sam_bd_periods_type),
    PREPAY__JSON_FIELD_HERE("ur_billing_demand_lookback_percentages", 0, prepay__sam_bd_percentages_type),
    PREPAY__JSON_FIELD_HERE("ur_billing_demand_lookback_period", 0, prepay__sam_bd_period_type),
    PREPAY__JSON_FIELD_HERE("ur_billing_demand_minimum", 0, prepay__sam_bd_minimum_type),
    PREPAY__JSON_FIELD_HERE("ur_monthly_min_charge", 0, minimum_type),
    PREPAY__JSON_FIELD_HERE("ur_annual_min_charge", 0, minimum_type),
    PREPAY__JSON_FIELD_HERE("ur_ec_tou_mat", PREPAY__JSON_REQUIRED, tou_mat_type),
    PREPAY__JSON_FIELD("ur_ec_sched_weekday", PREPAY__JSON_REQUIRED, sam_schedule_type, urdb_rate_t, weekday),
    PREPAY__JSON_FIELD("ur_ec_sched_weekend", PREPAY__JSON_REQUIRED, sam_schedule_type, urdb_rate_t, weekend),
    PREPAY__JSON_FIELD("ur_monthly_fixed_charge", 0, money_field_type, urdb_rate_t, fixed_first_meter),
    PREPAY__JSON_FIELD("ur_metering_option", 0, metering_option_type, urdb_rate_t, metering_option),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t urdb_record_type = {PREPAY__JSON_OBJECT("a JSON object", urdb_fields), .open = true};
static const prepay__json_type_t sam_record_type = {PREPAY__JSON_OBJECT("a JSON object", sam_fields), .open = true};

/* A record is SAM's when it has ur_ec_tou_mat. The output is the rate. */
static int read_record(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_rate_t *rate = out;
    rate->sam = json_object_get(value, "ur_ec_tou_mat") != NULL;
    return prepay__json_read(r, value, rate->sam ? &sam_record_type : &urdb_record_type, rate);
}

static const prepay__json_type_t record_type = {.read = read_record};

/* A URDB API answer {"items": [record, ...]}: the first record. */
static int read_items(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    urdb_rate_t *rate = out;
    if (!json_is_object(json_array_get(value, 0))) {
        return prepay__json_expected(r, "a non-empty array of rate records", value);
    }
    rate->record_path = "$.items[0]";
    return prepay__json_read_item(r, value, 0, &record_type, rate);
}

static const prepay__json_type_t items_type = {.read = read_items};

/* Copies src into a fixed buffer, cut before a UTF-8 sequence that does not fit. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0u) == 0x80u) {
            n--;
        }
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static const char *text_of(const json_t *value, const char *fallback)
{
    return json_is_string(value) ? json_string_value(value) : fallback;
}

/* The name and source of the record, or of the database it came from (never an error). */
static void copy_metadata(const json_t *rec, prepay_tariff_doc_t *doc)
{
    const json_t *source = json_object_get(rec, "source");
    const char *utility = text_of(json_object_get(rec, "utility"), NULL);
    copy_text(doc->name, sizeof doc->name, text_of(json_object_get(rec, "name"), "imported rate"));
    if (json_is_object(source)) {
        copy_text(doc->notice, sizeof doc->notice, text_of(json_object_get(source, "notice"), ""));
        copy_text(doc->url, sizeof doc->url, text_of(json_object_get(source, "url"), ""));
        copy_text(doc->note, sizeof doc->note, text_of(json_object_get(source, "note"), ""));
    } else {
        char notice[2 * PREPAY_TARIFF_JSON_TEXT_MAX];
        snprintf(notice, sizeof notice, "OpenEI U.S. Utility Rate Database%s%.*s", utility ? ": " : "",
                 PREPAY_TARIFF_JSON_TEXT_MAX, utility ? utility : "");
        copy_text(doc->notice, sizeof doc->notice, notice);
        copy_text(doc->url, sizeof doc->url, text_of(json_object_get(rec, "uri"), text_of(source, "")));
    }
    copy_text(doc->currency, sizeof doc->currency, "USD");
}

/* ---- the document ------------------------------------------------------------------------------ */

/* One hour row -> a cyclic day table (a run that wraps over midnight is one slot); false if too many slots. */
static bool row_to_table(const uint8_t row[24], prepay_tou_day_table_t *dt)
{
    memset(dt, 0, sizeof *dt);
    unsigned n = 0;
    for (unsigned h = 0; h < 24; h++) {
        if (row[h] == row[(h + 23) % 24]) {
            continue; /* no change (hour 0 continues the last run of the previous day) */
        }
        if (n >= PREPAY_MAX_DAY_SLOTS) {
            return false;
        }
        dt->slots[n].start_minute = (uint16_t)(h * 60u);
        dt->slots[n].band = row[h];
        n++;
    }
    if (n == 0) { /* the same period all day */
        dt->slots[0].band = row[0];
        n = 1;
    }
    dt->slot_count = (uint8_t)n;
    return true;
}

static unsigned count_changes(const uint8_t row[24])
{
    unsigned n = 0;
    for (unsigned h = 0; h < 24; h++) {
        n += row[h] != row[(h + 23) % 24];
    }
    return n == 0 ? 1 : n;
}

/* The index of an equal day table, or a new one; -1 when the schedule is full. */
static int find_or_add_table(prepay_tou_schedule_t *s, const prepay_tou_day_table_t *dt)
{
    for (unsigned i = 0; i < s->day_table_count; i++) {
        const prepay_tou_day_table_t *o = &s->day_tables[i];
        if (o->slot_count == dt->slot_count && memcmp(o->slots, dt->slots, dt->slot_count * sizeof dt->slots[0]) == 0) {
            return (int)i;
        }
    }
    if (s->day_table_count >= PREPAY_MAX_DAY_TABLES) {
        return -1;
    }
    s->day_tables[s->day_table_count] = *dt;
    return s->day_table_count++;
}

static const char *schedule_name(const urdb_rate_t *rate, int weekend)
{
    static const char *const names[2][2] = {{"energyweekdayschedule", "energyweekendschedule"},
                                            {"ur_ec_sched_weekday", "ur_ec_sched_weekend"}};
    return names[rate->sam][weekend];
}

/* Day tables from the 24-hour rows; a season wherever a month's pair of tables changes. */
static int build_schedule(prepay__json_reader_t *r, const urdb_rate_t *rate, prepay_tou_schedule_t *s)
{
    uint8_t month_tables[12][2];
    for (unsigned m = 0; m < 12; m++) {
        for (int w = 0; w < 2; w++) {
            const uint8_t *row = w == 0 ? rate->weekday[m] : rate->weekend[m];
            char where[PREPAY__JSON_PATH_MAX];
            snprintf(where, sizeof where, "%s.%s[%u]", rate->record_path, schedule_name(rate, w), m);
            prepay_tou_day_table_t dt;
            if (!row_to_table(row, &dt)) {
                return prepay__json_fail_at(r, where, PREPAY_E_CAPACITY,
                                            "%u period changes in a day, at most %d (PREPAY_MAX_DAY_SLOTS)",
                                            count_changes(row), PREPAY_MAX_DAY_SLOTS);
            }
            int index = find_or_add_table(s, &dt);
            if (index < 0) {
                return prepay__json_fail_at(r, where, PREPAY_E_CAPACITY,
                                            "more than %d distinct day schedules (PREPAY_MAX_DAY_TABLES)",
                                            PREPAY_MAX_DAY_TABLES);
            }
            month_tables[m][w] = (uint8_t)index;
        }
    }
    s->season_count = 0;
    for (unsigned m = 0; m < 12; m++) {
        if (m == 0 || memcmp(month_tables[m], month_tables[m - 1], 2) != 0) {
            prepay_tou_season_t *se = &s->seasons[s->season_count++];
            se->start_month = (uint8_t)(m + 1);
            se->start_day = 1;
            se->weekday_table = month_tables[m][0];
            se->saturday_table = se->sunday_table = se->holiday_table = month_tables[m][1];
        }
    }
    s->default_band = 1;
    return PREPAY_OK;
}

/* The period whose tiers month m uses; every period used in the month must have the same limits. */
static int month_reference(prepay__json_reader_t *r, const urdb_rate_t *rate, unsigned m, unsigned *ref_band)
{
    bool used[PREPAY_MAX_TARIFF_INDEX] = {false};
    for (unsigned h = 0; h < 24; h++) {
        used[rate->weekday[m][h] - 1] = used[rate->weekend[m][h] - 1] = true;
    }
    const urdb_period_t *ref = NULL;
    for (unsigned p = 0; p < rate->period_count; p++) {
        const urdb_period_t *per = &rate->periods[p];
        bool same = ref == NULL || per->tier_count == ref->tier_count;
        for (unsigned k = 0; used[p] && ref && same && k + 1 < per->tier_count; k++) {
            same = per->tiers[k].bounded == ref->tiers[k].bounded && per->tiers[k].max == ref->tiers[k].max &&
                   per->tiers[k].units == ref->tiers[k].units;
        }
        if (used[p] && !same) {
            char where[PREPAY__JSON_PATH_MAX];
            snprintf(where, sizeof where, "%s.%s[%u]", rate->record_path, schedule_name(rate, 0), m);
            return prepay__json_fail_at(r, where, PREPAY_E_HOSTED_UNSUPPORTED,
                                        "periods %u and %u are used in month %u but have different tier limits "
                                        "(tiers within a month must be the same for TOU rates, as in SAM)",
                                        *ref_band, p + 1, m + 1);
        }
        if (used[p] && !ref) {
            ref = per;
            *ref_band = p + 1;
        }
    }
    return PREPAY_OK;
}

/* The ladder of one period's tiers, padded to tier_count tiers; the last tier is unbounded whatever its max. */
static int period_ladder(prepay__json_reader_t *r, const urdb_rate_t *rate, unsigned band, unsigned tier_count,
                         prepay_tier_ladder_t *ladder)
{
    const urdb_period_t *ref = &rate->periods[band - 1];
    const char *where = rate->record_path;
    memset(ladder, 0, sizeof *ladder);
    unsigned k = 0;
    for (k = 0; k + 1 < ref->tier_count; k++) {
        if (!ref->tiers[k].bounded) {
            return prepay__json_fail_at(r, where, PREPAY_E_HOSTED_JSON_VALUE,
                                        "period %u: tier %u has no limit but is not the last tier", band, k + 1);
        }
        if (k > 0 && ref->tiers[k].max <= ref->tiers[k - 1].max) {
            return prepay__json_fail_at(r, where, PREPAY_E_HOSTED_JSON_VALUE, "period %u: tier limits must increase",
                                        band);
        }
        if (ref->tiers[k].units != ref->tiers[0].units) {
            return prepay__json_fail_at(r, where, PREPAY_E_HOSTED_UNSUPPORTED,
                                        "period %u mixes kWh and kWh daily limits", band);
        }
        ladder->upper[k] = ref->tiers[k].max;
    }
    for (; k + 1 < tier_count; k++) { /* periods with fewer tiers than the tariff */
        ladder->upper[k] = URDB_HUGE_BOUND + (prepay_energy_t)k;
    }
    ladder->upper[tier_count - 1] = PREPAY_TIER_UNBOUNDED;
    ladder->per_day = ref->tiers[0].units == UNITS_KWH_DAILY && ref->tier_count > 1;
    return PREPAY_OK;
}

/* Monthly cycles from day 1, one ladder per distinct month ladder. */
static int build_ladders(prepay__json_reader_t *r, const urdb_rate_t *rate, prepay_tariff_t *t)
{
    unsigned tier_count = 1;
    for (unsigned p = 0; p < rate->period_count; p++) {
        tier_count = rate->periods[p].tier_count > tier_count ? rate->periods[p].tier_count : tier_count;
    }
    t->tier_count = (uint8_t)tier_count;
    t->cycle_kind = PREPAY_CYCLE_MONTH;
    t->cycle_start_day = 1;
    t->cycle_start_month = 1;
    t->ladder_count = 0;
    for (unsigned m = 0; m < 12; m++) {
        unsigned band = 0;
        prepay_tier_ladder_t ladder;
        int status = month_reference(r, rate, m, &band);
        if (status == PREPAY_OK) {
            status = period_ladder(r, rate, band, tier_count, &ladder);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        unsigned li = 0;
        while (li < t->ladder_count && memcmp(&t->ladders[li], &ladder, sizeof ladder) != 0) {
            li++;
        }
        if (li == t->ladder_count) {
            t->ladders[t->ladder_count++] = ladder;
        }
        t->ladder_of_month[m] = (uint8_t)li;
    }
    return PREPAY_OK;
}

/* Prices per band and tier (padded tiers repeat the last price), the tou mode, fixed charge, rounding. */
/* The monthly fixed charge the record gives (the first meter's, else the plain one); 0: none. */
static prepay_money_t fixed_charge_of(const urdb_rate_t *rate)
{
    return rate->fixed_first_meter > 0 ? rate->fixed_first_meter : rate->fixed_monthly_charge;
}

static void build_prices(const urdb_rate_t *rate, prepay_tariff_doc_t *doc)
{
    prepay_tariff_t *t = &doc->sets[0];
    t->prices.mode = PREPAY_PRICE_DIRECT;
    t->prices.derive_quantum = 1;
    for (unsigned p = 0; p < rate->period_count; p++) {
        const urdb_period_t *per = &rate->periods[p];
        for (unsigned k = 0; k < t->tier_count; k++) {
            unsigned src = k < per->tier_count ? k : per->tier_count - 1;
            t->prices.band_tier_price[p][k] = per->tiers[src].price;
        }
        t->prices.band_price[p] = t->prices.band_tier_price[p][0];
    }
    /* SAM's ur_calc (monthly, proportional) for metering options 0 and 1 and for URDB records;
     * ur_calc_timestep (chronological) for options 2..4. */
    bool proportional = !rate->sam || rate->metering_option <= 1;
    t->tou_tier_mode = proportional ? PREPAY_TOU_TIER_PROPORTIONAL : PREPAY_TOU_TIER_CHRONOLOGICAL;
    prepay_money_t fixed = fixed_charge_of(rate);
    if (PREPAY_MAX_FIXED_CHARGES > 0 && fixed > 0) { /* build_document() refuses it without a slot */
        t->fixed_charge_count = 1;
        t->fixed_charges[0].amount = fixed;
        snprintf(doc->fixed_names[0], PREPAY_TARIFF_JSON_BAND_NAME_MAX, "fixed monthly charge");
    }
    t->round_scope = PREPAY_ROUND_PER_BILL;
    t->rounding = PREPAY_ROUND_HALF_UP;
}

static int build_document(prepay__json_reader_t *r, const urdb_rate_t *rate, prepay_tariff_doc_t *doc)
{
    prepay_tariff_t *t = &doc->sets[0];
    doc->format = rate->sam ? PREPAY_TARIFF_DOC_SAM : PREPAY_TARIFF_DOC_URDB;
    t->band_count = (uint8_t)rate->period_count;
    for (unsigned b = 1; b <= rate->period_count; b++) {
        snprintf(doc->band_names[b - 1], PREPAY_TARIFF_JSON_BAND_NAME_MAX, "p%u", b);
    }
    int status = build_schedule(r, rate, &t->schedule);
    if (status == PREPAY_OK) {
        status = build_ladders(r, rate, t);
    }
    if (status == PREPAY_OK && PREPAY_MAX_FIXED_CHARGES == 0 && fixed_charge_of(rate) > 0) {
        status = prepay__json_fail(r, PREPAY_E_CAPACITY,
                                   "a fixed monthly charge, but no fixed charges are held (PREPAY_MAX_FIXED_CHARGES 0)");
    }
    if (status == PREPAY_OK) {
        build_prices(rate, doc);
        status = prepay__urdb_build_demand(r, rate, doc);
    }
    return status;
}

/* ---- entry points ------------------------------------------------------------------------------- */

/* The record, bare or as the first of {"items": [...]}. */
static int read_root(prepay__json_reader_t *r, const json_t *root, urdb_rate_t *rate)
{
    if (!json_is_object(root)) {
        return prepay__json_expected(r, "a JSON object", root);
    }
    if (json_object_get(root, "items")) {
        return prepay__json_read_member(r, root, "items", true, &items_type, rate);
    }
    return prepay__json_read(r, root, &record_type, rate);
}

/* The record the importer read: the root, or its first item. */
static const json_t *record_of(const json_t *root)
{
    const json_t *items = json_object_get(root, "items");
    return items ? json_array_get(items, 0) : root;
}

static int parse_rate_scale(prepay__json_reader_t *r, const prepay_tariff_urdb_options_t *options, int64_t *scale)
{
    *scale = SCALE_ONE;
    if (!options || !options->rate_scale) {
        return PREPAY_OK;
    }
    const char *text = options->rate_scale;
    if (prepay_fixed_parse(text, strlen(text), 8, scale) != PREPAY_OK || *scale <= 0) {
        char quoted[PREPAY__JSON_QUOTE_MAX + 8];
        return prepay__json_fail(r, PREPAY_E_INVALID_ARGUMENT, "rate_scale %s is not a positive decimal",
                                 prepay__json_quote(quoted, sizeof quoted, text));
    }
    return PREPAY_OK;
}

int prepay_tariff_urdb_load_buffer(const char *data, size_t len, const char *origin,
                                   const prepay_tariff_urdb_options_t *options, prepay_tariff_doc_t *out, char *err,
                                   size_t err_cap)
{
    prepay__json_reader_t r;
    prepay__json_init(&r, origin, err, err_cap, NULL);
    if (!data || !out) {
        return prepay__json_fail(&r, PREPAY_E_INVALID_ARGUMENT, "no data or no output");
    }
    urdb_rate_t *rate = calloc(1, sizeof *rate);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    int status = rate && doc ? PREPAY_OK : prepay__json_fail(&r, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    json_t *root = NULL;
    if (status == PREPAY_OK) {
        r.user = rate;
        rate->record_path = "$";
        prepay__tariff_doc_init(doc, PREPAY_TARIFF_DOC_URDB);
        status = parse_rate_scale(&r, options, &rate->rate_scale);
    }
    if (status == PREPAY_OK) {
        status = prepay__json_parse(&r, data, len, &root);
    }
    if (status == PREPAY_OK) {
        status = read_root(&r, root, rate);
    }
    if (status == PREPAY_OK) {
        status = prepay__urdb_combine_bands(&r, rate);
    }
    if (status == PREPAY_OK) {
        copy_metadata(record_of(root), doc);
        status = build_document(&r, rate, doc);
    }
    if (status == PREPAY_OK) {
        status = prepay__tariff_doc_validate(&r, doc);
    }
    if (status == PREPAY_OK) {
        *out = *doc;
    }
    json_decref(root);
    free(rate);
    free(doc);
    return status;
}

static int load_buffer(const char *data, size_t len, const char *origin, const void *options, prepay_tariff_doc_t *out,
                       char *err, size_t err_cap)
{
    return prepay_tariff_urdb_load_buffer(data, len, origin, options, out, err, err_cap);
}

int prepay_tariff_urdb_load_file(const char *path, const prepay_tariff_urdb_options_t *options,
                                 prepay_tariff_doc_t *out, char *err, size_t err_cap)
{
    return prepay__tariff_doc_load_file(path, load_buffer, options, out, err, err_cap);
}
