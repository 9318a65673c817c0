/* SPDX-License-Identifier: MIT */
/*
 * Hosted: the tables of $.bands and $.schedule of the libprepay tariff JSON
 * format (docs/tariff-json.md): band names and DL/T 645 indices, day tables,
 * seasons with their week, holidays and per-date overrides. Part of the
 * loader in tariff_json_hosted.c (tariff_json_loader_internal.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "tariff_json_loader_internal.h"

static const prepay__json_type_t ignored_string_type = {PREPAY__JSON_STRING(0, 0)};

/* ---- bands ------------------------------------------------------------------------------- */

bool prepay__tj_find_band(const tj_loader_t *ld, const char *name, uint8_t *band)
{
    for (unsigned b = 0; b < PREPAY_MAX_TARIFF_INDEX; b++) {
        if (ld->declared[b] && strcmp(ld->doc.band_names[b], name) == 0) {
            *band = (uint8_t)(b + 1);
            return true;
        }
    }
    return false;
}

int prepay__tj_unknown_band(prepay__json_reader_t *r, const char *name)
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
    return prepay__tj_find_band(r->user, name, out) ? PREPAY_OK : prepay__tj_unknown_band(r, name);
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
    if (prepay__tj_find_band(ld, entry->name, &other)) {
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
const prepay__json_type_t prepay__tj_bands_type = {
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
const prepay__json_type_t prepay__tj_schedule_type = {PREPAY__JSON_OBJECT("an object", schedule_fields),
                                                      .finish = finish_schedule};
