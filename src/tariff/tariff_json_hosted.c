/*
 * Hosted: the libprepay tariff JSON format (docs/tariff-json.md) -> a tariff
 * document, read by the JSON reader (src/common/json_internal.h) from the
 * field tables below, one per object of the format.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/json_internal.h"
#include "prepay/fixed_point.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"
#include "tariff_doc_internal.h"

/* Day table names are the file's own keys; longer ones are refused. */
#define DAY_TABLE_NAME_MAX 48
/* Upper end of prices, bounds and amounts: far above any real one, far below overflow. */
#define OPEN_ENDED (INT64_MAX / 4)
#define FIXED_CAPACITY (PREPAY_MAX_FIXED_CHARGES > 0 ? PREPAY_MAX_FIXED_CHARGES : 1)

/* A band as listed in $.bands. */
typedef struct tj_band_entry {
    const char *name;
    int64_t index; /* 0 until read: the position gives it */
} tj_band_entry_t;

/* Cumulative tier bounds as given (Wh or L); the unbounded last tier is implied. */
typedef struct tj_bounds {
    uint8_t count;
    prepay_energy_t upper[PREPAY_MAX_TIERS];
} tj_bounds_t;

/* One entry of $.tiers.monthly_bounds. */
typedef struct tj_month_bounds {
    uint8_t month_count;
    uint8_t months[12];
    tj_bounds_t bounds;
} tj_month_bounds_t;

typedef struct tj_fixed {
    prepay_fixed_charge_t charge;
    char name[PREPAY_TARIFF_JSON_BAND_NAME_MAX];
} tj_fixed_t;

/* A price set as read, with what the checks across its bands need. */
typedef struct tj_prices {
    prepay_tariff_prices_t prices;
    bool is_b; /* $.prices_b */
    bool any_ratio, any_direct, any_array;
    bool have[PREPAY_MAX_TARIFF_INDEX];
    prepay_time_t switch_time;
} tj_prices_t;

typedef struct tj_loader {
    prepay_tariff_doc_t doc; /* sets[0] is read; sets[1] is made from it and $.prices_b at the end */
    uint8_t band_entry_count;
    tj_band_entry_t band_entries[PREPAY_MAX_TARIFF_INDEX];
    bool declared[PREPAY_MAX_TARIFF_INDEX]; /* bands named in $.bands (others are unnamed gaps) */
    char table_names[PREPAY_MAX_DAY_TABLES][DAY_TABLE_NAME_MAX];
    bool per_day;
    tj_bounds_t bounds;
    uint8_t monthly_count;
    tj_month_bounds_t monthly[12];
    bool month_seen[12];
    bool tou_mode_given;
    bool per_band;         /* tou mode is chronological or proportional */
    bool per_band_after_a; /* ... as known once set A is read (it decides the default tou mode) */
    uint8_t fixed_count;
    tj_fixed_t fixed[FIXED_CAPACITY];
    tj_prices_t prices_a, prices_b;
} tj_loader_t;

static const prepay__json_type_t ignored_string_type = {PREPAY__JSON_STRING(0, 0)};
static const prepay__json_type_t price_type = {PREPAY__JSON_DECIMAL(8, 0, OPEN_ENDED)};
static const char *const rounding_names[] = {"half_up", "half_even", "down", "up", "floor", "ceiling", NULL};
static const int rounding_values[] = {PREPAY_ROUND_HALF_UP, PREPAY_ROUND_HALF_EVEN, PREPAY_ROUND_DOWN,
                                      PREPAY_ROUND_UP,      PREPAY_ROUND_FLOOR,     PREPAY_ROUND_CEILING};
static const prepay__json_type_t rounding_mode_type = {
    PREPAY__JSON_ENUM(prepay_rounding_t, rounding_names, rounding_values)};

/* ---- bands ------------------------------------------------------------------------------- */

static bool find_band(const tj_loader_t *ld, const char *name, uint8_t *band)
{
    for (unsigned b = 0; b < PREPAY_MAX_TARIFF_INDEX; b++) {
        if (ld->declared[b] && strcmp(ld->doc.band_names[b], name) == 0) {
            *band = (uint8_t)(b + 1);
            return true;
        }
    }
    return false;
}

static int unknown_band(prepay__json_reader_t *r, const char *name)
{
    char quoted[PREPAY__JSON_QUOTE_MAX + 8];
    return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "unknown band %s (not in $.bands)",
                             prepay__json_quote(quoted, sizeof quoted, name));
}

/* A band named by a string -> its number (uint8_t). */
static int read_band_ref(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    const char *name = json_string_value(value);
    if (!name) {
        return prepay__json_expected(r, "a string", value);
    }
    return find_band(r->user, name, out) ? PREPAY_OK : unknown_band(r, name);
}

static const prepay__json_type_t band_ref_type = {.read = read_band_ref};
static const prepay__json_type_t band_name_type = {PREPAY__JSON_STRING_REF};
static const prepay__json_type_t band_index_type = {PREPAY__JSON_INT(int64_t, 1, 63)}; /* DL/T 645 tariff indices */
static const prepay__json_field_t band_object_fields[] = {
    PREPAY__JSON_FIELD("name", PREPAY__JSON_REQUIRED, band_name_type, tj_band_entry_t, name),
    PREPAY__JSON_FIELD("index", 0, band_index_type, tj_band_entry_t, index),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t band_object_type = {PREPAY__JSON_OBJECT("an object", band_object_fields)};

/* "name" or {"name", "index"}. */
static int read_band_entry(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    tj_band_entry_t *entry = out;
    entry->index = 0;
    if (json_is_string(value)) {
        entry->name = json_string_value(value);
        return PREPAY_OK;
    }
    if (json_is_object(value)) {
        return prepay__json_read(r, value, &band_object_type, entry);
    }
    return prepay__json_expected(r, "a band name or {\"name\", \"index\"}", value);
}

static int check_band_entry(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    tj_loader_t *ld = r->user;
    tj_band_entry_t *entry = (tj_band_entry_t *)items + i;
    uint8_t other = 0;
    if (entry->index == 0) {
        entry->index = (int64_t)i + 1;
    }
    size_t n = strlen(entry->name);
    if (entry->index > PREPAY_MAX_TARIFF_INDEX) {
        return prepay__json_fail(r, PREPAY_E_CAPACITY, "band index %d is above %d (PREPAY_MAX_TARIFF_INDEX)",
                                 (int)entry->index, PREPAY_MAX_TARIFF_INDEX);
    }
    if (n == 0 || n >= PREPAY_TARIFF_JSON_BAND_NAME_MAX) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "a band name must have 1..%d bytes",
                                 PREPAY_TARIFF_JSON_BAND_NAME_MAX - 1);
    }
    if (ld->declared[entry->index - 1]) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "band index %d is used twice", (int)entry->index);
    }
    if (find_band(ld, entry->name, &other)) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "band name \"%s\" is used twice", entry->name);
    }
    ld->declared[entry->index - 1] = true;
    memcpy(ld->doc.band_names[entry->index - 1], entry->name, n + 1);
    return PREPAY_OK;
}

/* Bands 1..highest index exist; unnamed gaps are called band<n>; the first listed is the default. */
static int finish_bands(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)r;
    (void)value;
    tj_loader_t *ld = out;
    unsigned highest = 0;
    for (unsigned i = 0; i < ld->band_entry_count; i++) {
        highest = (unsigned)ld->band_entries[i].index > highest ? (unsigned)ld->band_entries[i].index : highest;
    }
    for (unsigned b = 1; b <= highest; b++) {
        if (!ld->declared[b - 1]) {
            snprintf(ld->doc.band_names[b - 1], PREPAY_TARIFF_JSON_BAND_NAME_MAX, "band%u", b);
        }
    }
    ld->doc.sets[0].band_count = (uint8_t)highest;
    ld->doc.sets[0].schedule.default_band = (uint8_t)ld->band_entries[0].index;
    return PREPAY_OK;
}

static const prepay__json_type_t band_entry_type = {.read = read_band_entry};
static const prepay__json_type_t bands_type = {
    PREPAY__JSON_ARRAY(tj_loader_t, band_entries, band_entry_count, band_entry_type, "band names", 1,
                       PREPAY_MAX_TARIFF_INDEX, "PREPAY_MAX_TARIFF_INDEX"),
    .check_item = check_band_entry,
    .finish = finish_bands,
};

/* ---- schedule: day tables ------------------------------------------------------------------ */

/* A day table named by a string -> its index (uint8_t), plus type->min (1 for holidays: 0 means none). */
static int read_table_ref(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    const tj_loader_t *ld = r->user;
    const char *name = json_string_value(value);
    if (!name) {
        return prepay__json_expected(r, "a string", value);
    }
    for (unsigned i = 0; i < ld->doc.sets[0].schedule.day_table_count; i++) {
        if (strcmp(ld->table_names[i], name) == 0) {
            prepay__json_store_int(out, 1, (int64_t)i + type->min);
            return PREPAY_OK;
        }
    }
    char quoted[PREPAY__JSON_QUOTE_MAX + 8];
    return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "unknown day table %s (not in $.schedule.day_tables)",
                             prepay__json_quote(quoted, sizeof quoted, name));
}

static const prepay__json_type_t table_ref_type = {.read = read_table_ref};
static const prepay__json_type_t holiday_table_ref_type = {.read = read_table_ref, .min = 1};
static const prepay__json_type_t start_minute_type = {PREPAY__JSON_TIME_OF_DAY(PREPAY__JSON_MINUTES)};
static const prepay__json_type_t end_minute_type = {
    PREPAY__JSON_TIME_OF_DAY(PREPAY__JSON_MINUTES | PREPAY__JSON_END_OF_DAY)};

static const prepay__json_field_t slot_fields[] = {
    PREPAY__JSON_FIELD("start", PREPAY__JSON_REQUIRED, start_minute_type, prepay_tou_slot_t, start_minute),
    PREPAY__JSON_FIELD("band", PREPAY__JSON_REQUIRED, band_ref_type, prepay_tou_slot_t, band),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t slot_type = {PREPAY__JSON_OBJECT("a slot {\"start\", \"band\"}", slot_fields)};

static int check_slot(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    const prepay_tou_slot_t *slots = items;
    if (i > 0 && slots[i].start_minute <= slots[i - 1].start_minute) {
        return prepay__json_fail_member(r, "start", PREPAY_E_HOSTED_JSON_VALUE,
                                        "slots must be in increasing order of start time");
    }
    return PREPAY_OK;
}

static const prepay__json_type_t day_table_type = {
    PREPAY__JSON_ARRAY(prepay_tou_day_table_t, slots, slot_count, slot_type, "slots", 1, PREPAY_MAX_DAY_SLOTS,
                       "PREPAY_MAX_DAY_SLOTS"),
    .check_item = check_slot,
};

static int read_day_table(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx)
{
    tj_loader_t *ld = r->user;
    prepay_tou_schedule_t *s = ctx;
    size_t n = strlen(key);
    if (n == 0 || n >= DAY_TABLE_NAME_MAX) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "day table names have 1..%d bytes",
                                 DAY_TABLE_NAME_MAX - 1);
    }
    memcpy(ld->table_names[s->day_table_count], key, n + 1);
    return prepay__json_read(r, value, &day_table_type, &s->day_tables[s->day_table_count++]);
}

/* {"name": [slots], ...} -> schedule day tables, named for seasons and holidays. */
static int read_day_tables(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    return prepay__json_each_member(r, value, "day tables", PREPAY_MAX_DAY_TABLES, "PREPAY_MAX_DAY_TABLES",
                                    read_day_table, out);
}

static const prepay__json_type_t day_tables_type = {.read = read_day_tables};

/* ---- schedule: seasons, holidays, overrides ------------------------------------------------- */

/* "MM-DD" -> a season's start (Feb 29 refused: a season must start every year). */
static int read_season_start(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    prepay_tou_season_t *season = out;
    const char *s = json_string_value(value);
    uint8_t month = 0, day = 0;
    if (!s) {
        return prepay__json_expected(r, "a string", value);
    }
    if (prepay_time_parse_month_day(s, json_string_length(value), &month, &day) != PREPAY_OK ||
        (month == 2 && day == 29)) {
        char quoted[PREPAY__JSON_QUOTE_MAX + 8];
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%s is not a month-day MM-DD",
                                 prepay__json_quote(quoted, sizeof quoted, s));
    }
    season->start_month = month;
    season->start_day = day;
    return PREPAY_OK;
}

/* Saturday and Sunday default to the weekday table, holidays to the Sunday table. */
static int finish_week(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)r;
    prepay_tou_season_t *season = out;
    if (!json_object_get(value, "saturday")) {
        season->saturday_table = season->weekday_table;
    }
    if (!json_object_get(value, "sunday")) {
        season->sunday_table = season->weekday_table;
    }
    if (!json_object_get(value, "holiday")) {
        season->holiday_table = season->sunday_table;
    }
    return PREPAY_OK;
}

static const prepay__json_field_t week_fields[] = {
    PREPAY__JSON_FIELD("weekday", PREPAY__JSON_REQUIRED, table_ref_type, prepay_tou_season_t, weekday_table),
    PREPAY__JSON_FIELD("saturday", 0, table_ref_type, prepay_tou_season_t, saturday_table),
    PREPAY__JSON_FIELD("sunday", 0, table_ref_type, prepay_tou_season_t, sunday_table),
    PREPAY__JSON_FIELD("holiday", 0, table_ref_type, prepay_tou_season_t, holiday_table),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t week_object_type = {PREPAY__JSON_OBJECT("an object", week_fields),
                                                     .finish = finish_week};

/* One day table for every day, or {"weekday", "saturday", "sunday", "holiday"}. */
static int read_week(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    prepay_tou_season_t *season = out;
    if (json_is_object(value)) {
        return prepay__json_read(r, value, &week_object_type, season);
    }
    if (!json_is_string(value)) {
        return prepay__json_expected(r, "a day table name or {\"weekday\", \"saturday\", \"sunday\", \"holiday\"}",
                                     value);
    }
    uint8_t table = 0;
    int status = prepay__json_read(r, value, &table_ref_type, &table);
    season->weekday_table = season->saturday_table = season->sunday_table = season->holiday_table = table;
    return status;
}

static const prepay__json_type_t season_start_type = {.read = read_season_start};
static const prepay__json_type_t week_type = {.read = read_week};
static const prepay__json_field_t season_fields[] = {
    PREPAY__JSON_FIELD_HERE("start", PREPAY__JSON_REQUIRED, season_start_type),
    PREPAY__JSON_FIELD_HERE("name", 0, ignored_string_type),
    PREPAY__JSON_FIELD_HERE("week", PREPAY__JSON_REQUIRED, week_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t season_type = {PREPAY__JSON_OBJECT("a season", season_fields)};

static int check_season(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    const prepay_tou_season_t *seasons = items;
    const prepay_tou_season_t *cur = &seasons[i], *prev = &seasons[i > 0 ? i - 1 : 0];
    if (i > 0 && cur->start_month * 32u + cur->start_day <= prev->start_month * 32u + prev->start_day) {
        return prepay__json_fail_member(r, "start", PREPAY_E_HOSTED_JSON_VALUE,
                                        "seasons must be in increasing order of start date (%02u-%02u follows "
                                        "%02u-%02u)",
                                        cur->start_month, cur->start_day, prev->start_month, prev->start_day);
    }
    return PREPAY_OK;
}

static const prepay__json_type_t seasons_type = {
    PREPAY__JSON_ARRAY(prepay_tou_schedule_t, seasons, season_count, season_type, "seasons", 1, PREPAY_MAX_SEASONS,
                       "PREPAY_MAX_SEASONS"),
    .check_item = check_season,
};

static const prepay__json_type_t date_type = {PREPAY__JSON_DATE};
static const prepay__json_field_t holiday_fields[] = {
    PREPAY__JSON_FIELD("date", PREPAY__JSON_REQUIRED, date_type, prepay_tou_holiday_t, day),
    PREPAY__JSON_FIELD("day_table", 0, holiday_table_ref_type, prepay_tou_holiday_t, table),
    PREPAY__JSON_FIELD_HERE("name", 0, ignored_string_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t holiday_type = {PREPAY__JSON_OBJECT("a holiday", holiday_fields)};

static int check_holiday(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    const prepay_tou_holiday_t *holidays = items;
    if (i > 0 && holidays[i].day <= holidays[i - 1].day) {
        return prepay__json_fail_member(r, "date", PREPAY_E_HOSTED_JSON_VALUE,
                                        "holidays must be in increasing date order without repeats");
    }
    return PREPAY_OK;
}

static const prepay__json_type_t holidays_type = {
    PREPAY__JSON_ARRAY(prepay_tou_schedule_t, holidays, holiday_count, holiday_type, "holidays", 0, PREPAY_MAX_HOLIDAYS,
                       "PREPAY_MAX_HOLIDAYS"),
    .check_item = check_holiday,
};

static const prepay__json_field_t override_fields[] = {
    PREPAY__JSON_FIELD("date", PREPAY__JSON_REQUIRED, date_type, prepay_tou_override_t, day),
    PREPAY__JSON_FIELD("from", PREPAY__JSON_REQUIRED, start_minute_type, prepay_tou_override_t, start_minute),
    PREPAY__JSON_FIELD("to", PREPAY__JSON_REQUIRED, end_minute_type, prepay_tou_override_t, end_minute),
    PREPAY__JSON_FIELD("band", PREPAY__JSON_REQUIRED, band_ref_type, prepay_tou_override_t, band),
    PREPAY__JSON_FIELD_HERE("reason", 0, ignored_string_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t override_type = {PREPAY__JSON_OBJECT("an override", override_fields)};

static int check_override(prepay__json_reader_t *r, const json_t *item, void *items, size_t i)
{
    (void)item;
    const prepay_tou_override_t *overrides = items;
    const prepay_tou_override_t *cur = &overrides[i], *prev = &overrides[i > 0 ? i - 1 : 0];
    if (cur->end_minute <= cur->start_minute) {
        return prepay__json_fail_member(r, "to", PREPAY_E_HOSTED_JSON_VALUE, "\"to\" must be after \"from\"");
    }
    if (i > 0 && (cur->day < prev->day || (cur->day == prev->day && cur->start_minute < prev->end_minute))) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE,
                                 "overrides must be sorted by date and time and must not overlap");
    }
    return PREPAY_OK;
}

static const prepay__json_type_t overrides_type = {
    PREPAY__JSON_ARRAY(prepay_tou_schedule_t, overrides, override_count, override_type, "overrides", 0,
                       PREPAY_MAX_DATE_OVERRIDES, "PREPAY_MAX_DATE_OVERRIDES"),
    .check_item = check_override,
};

static int finish_schedule(prepay__json_reader_t *r, const json_t *value, void *out)
{
    const prepay_tou_schedule_t *s = out;
    if (s->day_table_count > 0 && !json_object_get(value, "seasons")) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE,
                                 "missing required member \"seasons\" (day tables are used through seasons)");
    }
    return PREPAY_OK;
}

static const prepay__json_field_t schedule_fields[] = {
    PREPAY__JSON_FIELD("default_band", 0, band_ref_type, prepay_tou_schedule_t, default_band),
    PREPAY__JSON_FIELD_HERE("day_tables", 0, day_tables_type),
    PREPAY__JSON_FIELD_HERE("seasons", 0, seasons_type),
    PREPAY__JSON_FIELD_HERE("holidays", 0, holidays_type),
    PREPAY__JSON_FIELD_HERE("overrides", 0, overrides_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t schedule_type = {PREPAY__JSON_OBJECT("an object", schedule_fields),
                                                  .finish = finish_schedule};

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
    if (!find_band(ld, key, &band)) {
        return unknown_band(r, key);
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
    PREPAY__JSON_FIELD_HERE("bands", PREPAY__JSON_REQUIRED, bands_type),
    TARIFF_A_FIELD("schedule", 0, schedule_type, schedule),
    PREPAY__JSON_FIELD_HERE("tiers", 0, tiers_type),
    PREPAY__JSON_FIELD_HERE("fixed_charges", 0, fixed_charges_type),
    PREPAY__JSON_FIELD("rounding", 0, rounding_type, tj_loader_t, doc.sets[0]),
    PREPAY__JSON_FIELD("prices", PREPAY__JSON_REQUIRED, prices_a_type, tj_loader_t, prices_a),
    PREPAY__JSON_FIELD("prices_b", 0, prices_b_type, tj_loader_t, prices_b),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t document_type = {PREPAY__JSON_OBJECT("a JSON object", document_fields),
                                                  .finish = finish_document};

/* ---- entry points ---------------------------------------------------------------------------- */

static void loader_init(tj_loader_t *ld)
{
    memset(ld, 0, sizeof *ld);
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
