/* SPDX-License-Identifier: MIT */
/*
 * Hosted: the libprepay tariff JSON format (docs/tariff-json.md) -> a tariff
 * document, read by the JSON reader (src/common/json_internal.h) from field
 * tables, one per object of the format: those of $.bands and $.schedule in
 * tariff_json_schedule_hosted.c, the ladder, prices, fixed charges,
 * rounding and the document below.
 *
 * The tables are in the order the reader visits them, which is the order a
 * document's parts depend on each other: bands before anything that names a
 * band, day tables before the seasons that use them, the ladder before the
 * prices that need its tier count. What a table cannot say (a name defined
 * elsewhere in the file, two shapes for one member, order between items) is
 * a small reader, a check_item or a finish function next to its table.
 *
 * Everything is read into a heap loader and copied to the caller only after
 * the core's validation passes: there is never a partly loaded document.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/tariff_json.h"
#include "tariff_doc_internal.h"
#include "tariff_json_loader_internal.h"

static const prepay__json_type_t ignored_string_type = {PREPAY__JSON_STRING(0, 0)};
static const prepay__json_type_t price_type = {PREPAY__JSON_DECIMAL(8, 0, OPEN_ENDED)};
static const char *const rounding_names[] = {"half_up", "half_even", "down", "up", "floor", "ceiling", NULL};
static const int rounding_values[] = {PREPAY_ROUND_HALF_UP, PREPAY_ROUND_HALF_EVEN, PREPAY_ROUND_DOWN,
                                      PREPAY_ROUND_UP,      PREPAY_ROUND_FLOOR,     PREPAY_ROUND_CEILING};
static const prepay__json_type_t rounding_mode_type = {
    PREPAY__JSON_ENUM(prepay_rounding_t, rounding_names, rounding_values)};

/* ---- tiers ----------------------------------------------------------------------------------- */

static int check_bound(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    const prepay_energy_t *upper = items;
    if (i > 0 && upper[i] <= upper[i - 1]) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "tier bounds must strictly increase");
    }
    return PREPAY_OK;
}

static const prepay__json_type_t energy_type = {PREPAY__JSON_DECIMAL(3, 0, OPEN_ENDED)}; /* kWh (m3) -> Wh (L) */
static const prepay__json_type_t bound_type = {PREPAY__JSON_DECIMAL(3, 1, OPEN_ENDED)};
static const prepay__json_type_t tier_bounds_type = {
    PREPAY__JSON_ARRAY(tj_bounds_t, upper, count, bound_type, "tier bounds", 0, PREPAY_MAX_TIERS - 1,
                       "PREPAY_MAX_TIERS - 1"),
    .check_item = check_bound,
};
static const prepay__json_type_t adjustments_type = {
    PREPAY__JSON_ARRAY(tj_bounds_t, upper, count, energy_type, "adjustments", 0, PREPAY_MAX_TIERS - 1,
                       "PREPAY_MAX_TIERS - 1"),
};

static int check_month(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    tj_loader_t *ld = r->user;
    unsigned month = ((const uint8_t *)items)[i];
    if (ld->month_seen[month - 1]) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "month %u is listed twice", month);
    }
    ld->month_seen[month - 1] = true;
    return PREPAY_OK;
}

static const prepay__json_type_t month_type = {PREPAY__JSON_INT(uint8_t, 1, 12)};
static const prepay__json_type_t months_type = {
    PREPAY__JSON_ARRAY(tj_month_bounds_t, months, month_count, month_type, "months", 1, 12, NULL),
    .check_item = check_month,
};
static const prepay__json_field_t month_bounds_fields[] = {
    PREPAY__JSON_FIELD_HERE("months", PREPAY__JSON_REQUIRED, months_type),
    PREPAY__JSON_FIELD("bounds", PREPAY__JSON_REQUIRED, tier_bounds_type, tj_month_bounds_t, bounds),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t month_bounds_type = {
    PREPAY__JSON_OBJECT("{\"months\", \"bounds\"}", month_bounds_fields)};

static int check_month_bounds(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    const tj_month_bounds_t *entries = items;
    if (i > 0 && entries[i].bounds.count != entries[0].bounds.count) {
        return prepay__json_fail_member(r, "bounds", PREPAY_E_HOSTED_JSON_VALUE,
                                        "every month needs the same number of bounds (%u here, %u before)",
                                        entries[i].bounds.count, entries[0].bounds.count);
    }
    return PREPAY_OK;
}

static const prepay__json_type_t monthly_bounds_type = {
    PREPAY__JSON_ARRAY(tj_loader_t, monthly, monthly_count, month_bounds_type, "{\"months\", \"bounds\"} entries", 1,
                       12, NULL),
    .check_item = check_month_bounds,
};

/* Bounds of the ladder as read (set 0 of the loader: $.tiers.bounds, else the first monthly entry). */
static unsigned bound_count(const tj_loader_t *ld)
{
    return ld->monthly_count > 0 ? ld->monthly[0].bounds.count : ld->bounds.count;
}

/* A kWh string for every bound, or an array with one per bound -> the default account's tier_add. */
static int read_household(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    tj_loader_t *ld = out;
    tj_bounds_t add;
    memset(&add, 0, sizeof add);
    int status = json_is_array(value) ? prepay__json_read(r, value, &adjustments_type, &add)
                                      : prepay__json_read(r, value, &energy_type, &add.upper[0]);
    if (status == PREPAY_OK && json_is_array(value) && add.count != bound_count(ld)) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "one adjustment per bound (%u) is needed",
                                 bound_count(ld));
    }
    for (unsigned i = 0; status == PREPAY_OK && i < bound_count(ld); i++) {
        ld->doc.account.tier_add[i] = json_is_array(value) ? add.upper[i] : add.upper[0];
    }
    return status;
}

static void set_ladder(prepay_tier_ladder_t *ladder, const tj_bounds_t *bounds, bool per_day)
{
    memcpy(ladder->upper, bounds->upper, bounds->count * sizeof bounds->upper[0]);
    ladder->upper[bounds->count] = PREPAY_TIER_UNBOUNDED;
    ladder->per_day = per_day;
}

/* One ladder, or one per monthly entry covering every month once; then the tou mode the prices need. */
static int finish_tiers(prepay__json_reader_t *r, const json_t *value, void *out)
{
    tj_loader_t *ld = out;
    prepay_tariff_t *t = &ld->doc.sets[0];
    if ((json_object_get(value, "bounds") == NULL) == (json_object_get(value, "monthly_bounds") == NULL)) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE, "give exactly one of \"bounds\" and \"monthly_bounds\"");
    }
    for (int m = 0; ld->monthly_count > 0 && m < 12; m++) {
        if (!ld->month_seen[m]) {
            return prepay__json_fail_member(r, "monthly_bounds", PREPAY_E_HOSTED_JSON_VALUE, "month %d has no bounds",
                                            m + 1);
        }
    }
    if (ld->monthly_count == 0) {
        set_ladder(&t->ladders[0], &ld->bounds, ld->per_day);
        t->ladder_count = 1;
    }
    for (uint8_t i = 0; i < ld->monthly_count; i++) {
        set_ladder(&t->ladders[i], &ld->monthly[i].bounds, ld->per_day);
        for (unsigned k = 0; k < ld->monthly[i].month_count; k++) {
            t->ladder_of_month[ld->monthly[i].months[k] - 1] = i;
        }
        t->ladder_count = ld->monthly_count;
    }
    t->tier_count = (uint8_t)(bound_count(ld) + 1);
    ld->tou_mode_given = json_object_get(value, "tou_mode") != NULL;
    ld->per_band = ld->tou_mode_given && t->tou_tier_mode != PREPAY_TOU_TIER_UNIFORM;
    return PREPAY_OK;
}

static const char *const cycle_names[] = {"month", "year", NULL};
static const int cycle_values[] = {PREPAY_CYCLE_MONTH, PREPAY_CYCLE_YEAR};
static const char *const bounds_per_names[] = {"cycle", "day", NULL};
static const char *const proration_names[] = {"none", "by_month", "by_day", NULL};
static const int proration_values[] = {PREPAY_PRORATE_NONE, PREPAY_PRORATE_BY_MONTH, PREPAY_PRORATE_BY_DAY};
static const char *const tou_mode_names[] = {"surcharge", "per_band_chronological", "per_band_proportional", NULL};
static const int tou_mode_values[] = {PREPAY_TOU_TIER_UNIFORM, PREPAY_TOU_TIER_CHRONOLOGICAL,
                                      PREPAY_TOU_TIER_PROPORTIONAL};
static const prepay__json_type_t cycle_type = {PREPAY__JSON_ENUM(prepay_cycle_kind_t, cycle_names, cycle_values)};
static const prepay__json_type_t start_month_type = {PREPAY__JSON_INT(uint8_t, 1, 12)};
static const prepay__json_type_t billing_day_type = {PREPAY__JSON_INT(uint8_t, 1, 28)};
static const prepay__json_type_t bounds_per_type = {PREPAY__JSON_ENUM(bool, bounds_per_names, NULL)};
static const prepay__json_type_t household_type = {.read = read_household};
static const prepay__json_type_t proration_type = {
    PREPAY__JSON_ENUM(prepay_proration_t, proration_names, proration_values)};
static const prepay__json_type_t tou_mode_type = {
    PREPAY__JSON_ENUM(prepay_tou_tier_mode_t, tou_mode_names, tou_mode_values)};

/* A field of set A of the document. */
#define TARIFF_A_FIELD(key, flags, type, member) PREPAY__JSON_FIELD(key, flags, type, tj_loader_t, doc.sets[0].member)
static const prepay__json_field_t tier_fields[] = {
    TARIFF_A_FIELD("cycle", 0, cycle_type, cycle_kind),
    TARIFF_A_FIELD("start_month", 0, start_month_type, cycle_start_month),
    TARIFF_A_FIELD("billing_day", 0, billing_day_type, cycle_start_day),
    PREPAY__JSON_FIELD("bounds_per", 0, bounds_per_type, tj_loader_t, per_day),
    PREPAY__JSON_FIELD("bounds", 0, tier_bounds_type, tj_loader_t, bounds),
    PREPAY__JSON_FIELD_HERE("monthly_bounds", 0, monthly_bounds_type),
    PREPAY__JSON_FIELD_HERE("household_adjustment", 0, household_type),
    TARIFF_A_FIELD("proration", 0, proration_type, proration),
    TARIFF_A_FIELD("tou_mode", 0, tou_mode_type, tou_tier_mode),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t tiers_type = {PREPAY__JSON_OBJECT("an object", tier_fields), .finish = finish_tiers};

/* ---- prices ---------------------------------------------------------------------------------- */

static const prepay__json_type_t ratio_type = {PREPAY__JSON_DECIMAL(6, 0, OPEN_ENDED)};
static const prepay__json_field_t ratio_fields[] = {
    PREPAY__JSON_FIELD_HERE("ratio", PREPAY__JSON_REQUIRED, ratio_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t ratio_object_type = {PREPAY__JSON_OBJECT("an object", ratio_fields)};

/* A per-tier price array: one price per tier of the ladder. */
static int read_tier_prices(prepay__json_reader_t *r, const json_t *value, unsigned band, prepay_tariff_prices_t *p)
{
    const tj_loader_t *ld = r->user;
    unsigned tier_count = ld->doc.sets[0].tier_count;
    if (json_array_size(value) != tier_count) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%zu tier prices given, the ladder has %u tiers",
                                 json_array_size(value), tier_count);
    }
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i < tier_count; i++) {
        status = prepay__json_read_item(r, value, i, &price_type, &p->band_tier_price[band - 1][i]);
    }
    p->band_price[band - 1] = p->band_tier_price[band - 1][0];
    return status;
}

/* "band": "0.6" (direct), {"ratio": "1.7"} (derived) or ["0.617", "0.677", ...] (per tier). */
static int read_band_price(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx)
{
    const tj_loader_t *ld = r->user;
    tj_prices_t *set = ctx;
    prepay_tariff_prices_t *p = &set->prices;
    uint8_t band = 0;
    if (!prepay__tj_find_band(ld, key, &band)) {
        return prepay__tj_unknown_band(r, key);
    }
    set->have[band - 1] = true;
    if (json_is_object(value)) {
        set->any_ratio = true;
        return prepay__json_read(r, value, &ratio_object_type, &p->band_ratio[band - 1]);
    }
    if (json_is_array(value)) {
        set->any_array = true;
        return read_tier_prices(r, value, band, p);
    }
    set->any_direct = true;
    int status = prepay__json_read(r, value, &price_type, &p->band_price[band - 1]);
    for (unsigned i = 0; status == PREPAY_OK && i < ld->doc.sets[0].tier_count; i++) {
        p->band_tier_price[band - 1][i] = p->band_price[band - 1];
    }
    return status;
}

/* $.prices.bands: every named band priced, one form for all. */
static int read_band_prices(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    tj_loader_t *ld = r->user;
    tj_prices_t *set = out;
    int status = prepay__json_each_member(r, value, "band prices", PREPAY_MAX_TARIFF_INDEX, "PREPAY_MAX_TARIFF_INDEX",
                                          read_band_price, set);
    for (unsigned b = 0; status == PREPAY_OK && b < ld->doc.sets[0].band_count; b++) {
        if (!set->have[b] && ld->declared[b]) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE, "no price for band \"%s\"", ld->doc.band_names[b]);
        }
    }
    if (status == PREPAY_OK && set->any_ratio && (set->any_direct || set->any_array)) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE,
                                 "either every band has a {\"ratio\"} or none: a price set is direct or derived");
    }
    if (status == PREPAY_OK && set->any_array && ld->tou_mode_given && !ld->per_band) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE,
                                 "per-tier band prices need $.tiers.tou_mode \"per_band_chronological\" or "
                                 "\"per_band_proportional\"");
    }
    if (status == PREPAY_OK && set->any_ratio && ld->per_band) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE,
                                 "derived (ratio) prices work with tou_mode \"surcharge\" only");
    }
    if (set->any_array && !ld->tou_mode_given) {
        ld->per_band = true;
    }
    return status;
}

/* Added to every band's price in tiers 2, 3, ... (tou mode "surcharge" only). */
static int read_surcharges(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    const tj_loader_t *ld = r->user;
    tj_prices_t *set = out;
    unsigned tier_count = ld->doc.sets[0].tier_count;
    if (ld->per_band || set->any_array) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE,
                                 "surcharges apply with tou_mode \"surcharge\" only (per-band tier prices are given "
                                 "in full)");
    }
    if (!json_is_array(value)) {
        return prepay__json_expected(r, "an array of decimal strings", value);
    }
    if (json_array_size(value) + 1 != tier_count) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%zu surcharges given, tiers 2..%u need %u",
                                 json_array_size(value), tier_count, tier_count - 1);
    }
    int status = PREPAY_OK;
    for (size_t i = 0; status == PREPAY_OK && i + 1 < tier_count; i++) {
        status = prepay__json_read_item(r, value, i, &price_type, &set->prices.tier_surcharge[i + 1]);
    }
    return status;
}

/* "decimals" 0..8 of derived prices -> the rounding quantum in price units. */
static int read_quantum(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    static const prepay_price_t quantum_of_decimals[9] = {100000000, 10000000, 1000000, 100000, 10000,
                                                          1000,      100,      10,      1};
    int64_t decimals = 0;
    int status = prepay__json_int(r, value, type, &decimals);
    if (status == PREPAY_OK) {
        memcpy(out, &quantum_of_decimals[decimals], sizeof(prepay_price_t));
    }
    return status;
}

static const prepay__json_type_t quantum_type = {.read = read_quantum, .size = sizeof(int64_t), .min = 0, .max = 8};
static const prepay__json_field_t derive_rounding_fields[] = {
    PREPAY__JSON_FIELD("decimals", PREPAY__JSON_REQUIRED, quantum_type, prepay_tariff_prices_t, derive_quantum),
    PREPAY__JSON_FIELD("mode", 0, rounding_mode_type, prepay_tariff_prices_t, derive_rounding),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t derive_rounding_type = {PREPAY__JSON_OBJECT("an object", derive_rounding_fields)};

/* Derived prices need a base; direct ones refuse what only derivation uses; a ladder needs tier prices. */
static int finish_prices(prepay__json_reader_t *r, const json_t *value, void *out)
{
    static const char *const derived_only[] = {"base", "adder", "rounding", NULL};
    tj_loader_t *ld = r->user;
    tj_prices_t *set = out;
    unsigned tier_count = ld->doc.sets[0].tier_count;
    if (set->any_ratio) {
        set->prices.mode = PREPAY_PRICE_DERIVED;
        if (!json_object_get(value, "base")) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE, "missing required member \"base\"");
        }
    }
    for (size_t i = 0; !set->any_ratio && derived_only[i]; i++) {
        if (json_object_get(value, derived_only[i])) {
            return prepay__json_fail_member(r, derived_only[i], PREPAY_E_HOSTED_JSON_VALUE,
                                            "only used with derived prices ({\"ratio\"} bands)");
        }
    }
    if (!json_object_get(value, "tier_surcharges") && tier_count > 1 && !ld->per_band && !set->any_array) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE,
                                 "the ladder has %u tiers: give \"tier_surcharges\" or per-tier band prices",
                                 tier_count);
    }
    if (!set->is_b) {
        ld->per_band_after_a = ld->per_band;
    }
    return PREPAY_OK;
}

static const prepay__json_type_t band_prices_type = {.read = read_band_prices};
static const prepay__json_type_t surcharges_type = {.read = read_surcharges};
static const prepay__json_type_t switch_at_type = {PREPAY__JSON_DATE_TIME};
#define PRICE_SET_FIELDS                                                                                               \
    PREPAY__JSON_FIELD_HERE("bands", PREPAY__JSON_REQUIRED, band_prices_type),                                         \
        PREPAY__JSON_FIELD("base", 0, price_type, tj_prices_t, prices.derive_base),                                    \
        PREPAY__JSON_FIELD("adder", 0, price_type, tj_prices_t, prices.derive_adder),                                  \
        PREPAY__JSON_FIELD("rounding", 0, derive_rounding_type, tj_prices_t, prices),                                  \
        PREPAY__JSON_FIELD_HERE("tier_surcharges", 0, surcharges_type)
static const prepay__json_field_t prices_a_fields[] = {PRICE_SET_FIELDS, PREPAY__JSON_FIELDS_END};
static const prepay__json_field_t prices_b_fields[] = {
    PRICE_SET_FIELDS,
    PREPAY__JSON_FIELD("switch_at", PREPAY__JSON_REQUIRED, switch_at_type, tj_prices_t, switch_time),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t prices_a_type = {PREPAY__JSON_OBJECT("an object", prices_a_fields),
                                                  .finish = finish_prices};
static const prepay__json_type_t prices_b_type = {PREPAY__JSON_OBJECT("an object", prices_b_fields),
                                                  .finish = finish_prices};

/* ---- fixed charges, rounding, the document ---------------------------------------------------- */

static const char *const per_cycle[] = {"cycle", NULL};
static const prepay__json_type_t money_type = {PREPAY__JSON_DECIMAL(2, 0, OPEN_ENDED)};
static const prepay__json_type_t item_code_type = {PREPAY__JSON_INT(uint16_t, 0, 65535)};
static const prepay__json_type_t per_type = {PREPAY__JSON_LITERAL(per_cycle)};
static const prepay__json_type_t fixed_name_type = {PREPAY__JSON_STRING(PREPAY_TARIFF_JSON_BAND_NAME_MAX, 0)};
static const prepay__json_field_t fixed_fields[] = {
    PREPAY__JSON_FIELD("amount", PREPAY__JSON_REQUIRED, money_type, tj_fixed_t, charge.amount),
    PREPAY__JSON_FIELD("item", 0, item_code_type, tj_fixed_t, charge.item),
    PREPAY__JSON_FIELD_HERE("per", 0, per_type),
    PREPAY__JSON_FIELD("name", 0, fixed_name_type, tj_fixed_t, name),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t fixed_charge_type = {PREPAY__JSON_OBJECT("a fixed charge", fixed_fields)};
static const prepay__json_type_t fixed_charges_type = {
    PREPAY__JSON_ARRAY(tj_loader_t, fixed, fixed_count, fixed_charge_type, "fixed charges", 0, PREPAY_MAX_FIXED_CHARGES,
                       "PREPAY_MAX_FIXED_CHARGES"),
};

static const char *const scope_names[] = {"line", "bill", NULL};
static const int scope_values[] = {PREPAY_ROUND_PER_LINE, PREPAY_ROUND_PER_BILL};
static const prepay__json_type_t scope_type = {PREPAY__JSON_ENUM(prepay_round_scope_t, scope_names, scope_values)};
static const prepay__json_field_t rounding_fields[] = {
    PREPAY__JSON_FIELD("scope", 0, scope_type, prepay_tariff_t, round_scope),
    PREPAY__JSON_FIELD("mode", 0, rounding_mode_type, prepay_tariff_t, rounding),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t rounding_type = {PREPAY__JSON_OBJECT("an object", rounding_fields)};

static const prepay__json_type_t notice_type = {
    PREPAY__JSON_STRING(PREPAY_TARIFF_JSON_TEXT_MAX, PREPAY__JSON_NONEMPTY)};
static const prepay__json_type_t text_type = {PREPAY__JSON_STRING(PREPAY_TARIFF_JSON_TEXT_MAX, 0)};
static const prepay__json_field_t source_fields[] = {
    PREPAY__JSON_FIELD("notice", PREPAY__JSON_REQUIRED, notice_type, prepay_tariff_doc_t, notice),
    PREPAY__JSON_FIELD("url", 0, text_type, prepay_tariff_doc_t, url),
    PREPAY__JSON_FIELD("note", 0, text_type, prepay_tariff_doc_t, note),
    PREPAY__JSON_FIELD_HERE("license", 0, ignored_string_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t source_type = {PREPAY__JSON_OBJECT("an object", source_fields)};

/* Set A's prices and fixed charges, its default tou mode, and set B as set A with other prices. */
static int finish_document(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)r;
    tj_loader_t *ld = out;
    prepay_tariff_t *t = &ld->doc.sets[0];
    t->prices = ld->prices_a.prices;
    if (!ld->tou_mode_given) {
        t->tou_tier_mode = ld->per_band_after_a ? PREPAY_TOU_TIER_CHRONOLOGICAL : PREPAY_TOU_TIER_UNIFORM;
    }
    for (uint8_t i = 0; i < ld->fixed_count; i++) {
        t->fixed_charges[i] = ld->fixed[i].charge;
        memcpy(ld->doc.fixed_names[i], ld->fixed[i].name, sizeof ld->fixed[i].name);
    }
    t->fixed_charge_count = ld->fixed_count;
    if (json_object_get(value, "prices_b")) {
        ld->doc.sets[1] = *t;
        ld->doc.sets[1].prices = ld->prices_b.prices;
        ld->doc.has_set_b = true;
        ld->doc.switch_time = ld->prices_b.switch_time;
    }
    return PREPAY_OK;
}

static const char *const format_names[] = {"prepay-tariff/1", NULL};
static const char *const commodity_names[] = {"electricity", "water", NULL};
static const int commodity_values[] = {PREPAY_TARIFF_UNIT_ENERGY, PREPAY_TARIFF_UNIT_WATER};
static const prepay__json_type_t format_type = {PREPAY__JSON_LITERAL(format_names)};
static const prepay__json_type_t name_type = {PREPAY__JSON_STRING(PREPAY_TARIFF_JSON_NAME_MAX, PREPAY__JSON_NONEMPTY)};
static const prepay__json_type_t currency_type = {
    PREPAY__JSON_STRING(PREPAY__JSON_MEMBER_SIZE(prepay_tariff_doc_t, currency), 0)};
static const prepay__json_type_t commodity_type = {
    PREPAY__JSON_ENUM(prepay_tariff_unit_t, commodity_names, commodity_values)};
static const prepay__json_field_t document_fields[] = {
    PREPAY__JSON_FIELD_HERE("format", PREPAY__JSON_REQUIRED, format_type),
    PREPAY__JSON_FIELD("name", PREPAY__JSON_REQUIRED, name_type, tj_loader_t, doc.name),
    PREPAY__JSON_FIELD("source", PREPAY__JSON_REQUIRED, source_type, tj_loader_t, doc),
    PREPAY__JSON_FIELD("currency", 0, currency_type, tj_loader_t, doc.currency),
    TARIFF_A_FIELD("commodity", 0, commodity_type, unit),
    PREPAY__JSON_FIELD_HERE("bands", PREPAY__JSON_REQUIRED, prepay__tj_bands_type),
    TARIFF_A_FIELD("schedule", 0, prepay__tj_schedule_type, schedule),
    PREPAY__JSON_FIELD_HERE("tiers", 0, tiers_type),
    PREPAY__JSON_FIELD_HERE("fixed_charges", 0, fixed_charges_type),
    PREPAY__JSON_FIELD("rounding", 0, rounding_type, tj_loader_t, doc.sets[0]),
    PREPAY__JSON_FIELD("prices", PREPAY__JSON_REQUIRED, prices_a_type, tj_loader_t, prices_a),
    PREPAY__JSON_FIELD("prices_b", 0, prices_b_type, tj_loader_t, prices_b),
    PREPAY__JSON_FIELD_HERE("demand", 0, prepay__tj_demand_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t document_type = {PREPAY__JSON_OBJECT("a JSON object", document_fields),
                                                  .finish = finish_document};

/* ---- entry points ---------------------------------------------------------------------------- */

_Static_assert(offsetof(tj_loader_t, doc) + sizeof(prepay_tariff_doc_t) == sizeof(tj_loader_t),
               "the document is the loader's last member");

static void loader_init(tj_loader_t *ld)
{
    memset(ld, 0, offsetof(tj_loader_t, doc));
    prepay__tariff_doc_init(&ld->doc, PREPAY_TARIFF_DOC_JSON);
    tj_prices_t *sets[2] = {&ld->prices_a, &ld->prices_b};
    for (int s = 0; s < 2; s++) {
        sets[s]->prices.mode = PREPAY_PRICE_DIRECT;
        sets[s]->prices.derive_quantum = 1;
        sets[s]->prices.derive_rounding = PREPAY_ROUND_HALF_UP;
        sets[s]->is_b = s == 1;
    }
}

int prepay_tariff_json_load_buffer(const char *data, size_t len, const char *origin, prepay_tariff_doc_t *out,
                                   char *err, size_t err_cap)
{
    prepay__json_reader_t r;
    prepay__json_init(&r, origin, err, err_cap, NULL);
    if (!data || !out) {
        return prepay__json_fail(&r, PREPAY_E_INVALID_ARGUMENT, "no data or no output");
    }
    tj_loader_t *ld = malloc(sizeof *ld);
    if (!ld) {
        return prepay__json_fail(&r, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    loader_init(ld);
    r.user = ld;
    json_t *root = NULL;
    int status = prepay__json_parse(&r, data, len, &root);
    if (status == PREPAY_OK) {
        status = prepay__json_read(&r, root, &document_type, ld);
        json_decref(root);
    }
    if (status == PREPAY_OK) {
        status = prepay__tariff_doc_validate(&r, &ld->doc);
    }
    if (status == PREPAY_OK) {
        *out = ld->doc;
    }
    free(ld);
    return status;
}

static int load_buffer(const char *data, size_t len, const char *origin, const void *options, prepay_tariff_doc_t *out,
                       char *err, size_t err_cap)
{
    (void)options;
    return prepay_tariff_json_load_buffer(data, len, origin, out, err, err_cap);
}

int prepay_tariff_json_load_file(const char *path, prepay_tariff_doc_t *out, char *err, size_t err_cap)
{
    return prepay__tariff_doc_load_file(path, load_buffer, NULL, out, err, err_cap);
}
