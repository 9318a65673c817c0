/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: reading a site file (JSON, docs/emulator.md) into emulated
 * meters, through the one hosted JSON reader (src/common/json_internal.h).
 *
 * Two steps. The file is read into a staging document by field tables
 * (every value checked, the first problem named by its JSON path); then
 * the site is built from it: the tariff resolved, the meters set up, the
 * address index sorted (a duplicate refused), the incomers' feeds, the
 * events and the offline windows bound to their meters. Nothing of a
 * refused site stays allocated.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_file.h"
#include "cli_json.h"
#include "emu.h"
#include "prepay/hosted_status.h"

/* ---- the staging document ----------------------------------------------------------------- */

typedef struct meter_defaults {
    prepay_meter_mode_t mode;
    prepay_money_t purse, alarm1, alarm2, overdraft, hoarding, close_allowed;
    int64_t time_sync_limit;
    emu_line_t line; /* preamble, phases, voltage, frequency, power factor, nameplate */
} meter_defaults_t;

typedef struct load_spec {
    int32_t watts;
    int32_t *profile; /* heap */
    size_t profile_len;
    uint32_t step;
    bool has_watts, has_step;
} load_spec_t;

typedef struct meter_spec {
    prepay_dlt645_address_t address;
    meter_defaults_t settings;
    load_spec_t load;
    bool has_load;
    const json_t *feeds; /* resolved once every meter is known */
    int64_t loss_ppm;    /* decimals are read as int64_t */
} meter_spec_t;

typedef struct event_spec {
    prepay_time_t at;
    prepay_dlt645_address_t meter;
    prepay_meter_condition_t condition;
    bool active;
} event_spec_t;

typedef struct offline_spec {
    prepay_dlt645_address_t meter;
    prepay_time_t from, to;
} offline_spec_t;

/* A CJ/T 188 water meter ("water_meters"). */
typedef struct water_spec {
    prepay_cjt188_address_t address;
    uint8_t type;
    prepay_water_mode_t mode;
    int64_t purse, alarm;          /* money mode: fen (decimals read as int64_t) */
    int64_t purse_litres, alarm_litres; /* volume mode: litres */
    int64_t price1, price2, price3; /* yuan per m3, 2 decimals: x 0.01 yuan */
    int64_t step1, step2;          /* ladder steps, m3 */
    int64_t flow_lph[24];
    uint8_t preamble;
    bool has_alarm;
    emu_water_protocol_t protocol; /* "protocol": cjt188 (default) or modbus */
    uint8_t unit;                  /* "unit": Modbus unit address 1..247 (default 1) */
    bool serial_bcd;               /* "serial_bcd": purchase serials count in BCD 00..99 */
} water_spec_t;

typedef struct site_doc {
    const char *name, *tariff;
    prepay_time_t start;
    bool pretrip;
    bool tariff_writable;
    meter_defaults_t defaults;
    meter_spec_t *meters;
    size_t meter_count;
    event_spec_t *events;
    size_t event_count;
    uint64_t seed;
    uint32_t delay_ms;
    int64_t drop_ppm, corrupt_ppm; /* decimals are read as int64_t */
    offline_spec_t *offline;
    size_t offline_count;
    water_spec_t *waters;
    size_t water_count;
} site_doc_t;

static void site_doc_free(site_doc_t *doc)
{
    for (size_t i = 0; doc->meters != NULL && i < doc->meter_count; i++) {
        free(doc->meters[i].load.profile);
    }
    free(doc->meters);
    free(doc->events);
    free(doc->offline);
    free(doc->waters);
}

/* ---- value types ------------------------------------------------------------------------------- */

static int read_address(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    if (!json_is_string(value)) {
        return prepay__json_expected(r, "a 12-digit meter address", value);
    }
    prepay_dlt645_address_t a;
    const char *text = json_string_value(value);
    if (prepay_dlt645_address_from_string(text, json_string_length(value), &a) != PREPAY_OK ||
        prepay_dlt645_address_is_wildcard(&a) || prepay_dlt645_address_is_broadcast(&a)) {
        char quoted[PREPAY__JSON_QUOTE_MAX + 8];
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "%s is not a 12-digit meter address",
                                 prepay__json_quote(quoted, sizeof quoted, text));
    }
    memcpy(out, &a, sizeof a);
    return PREPAY_OK;
}

/* Keeps the value itself, to be read once the whole file is known. */
static int read_later(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)r;
    (void)type;
    memcpy(out, &value, sizeof value);
    return PREPAY_OK;
}

static const prepay__json_type_t address_type = {.read = read_address};
static const prepay__json_type_t later_type = {.read = read_later};
static const prepay__json_type_t time_type = {PREPAY__JSON_DATE_TIME};
static const prepay__json_type_t bool_type = {PREPAY__JSON_BOOL};
static const prepay__json_type_t text_ref_type = {PREPAY__JSON_STRING_REF};
static const prepay__json_type_t money_type = {PREPAY__JSON_DECIMAL(2, 0, INT64_MAX)};
static const prepay__json_type_t ppm_type = {PREPAY__JSON_DECIMAL(6, 0, 1000000)};
static const prepay__json_type_t watts_type = {PREPAY__JSON_INT(int32_t, -10000000, 10000000)};
static const prepay__json_type_t step_type = {PREPAY__JSON_INT(uint32_t, 1, 86400)};
static const prepay__json_type_t sync_limit_type = {PREPAY__JSON_INT(int64_t, 0, EMU_SYNC_LIMIT_MAX)};
static const prepay__json_type_t seed_type = {PREPAY__JSON_INT(uint64_t, 0, INT64_MAX)};
static const prepay__json_type_t delay_type = {PREPAY__JSON_INT(uint32_t, 0, 60000)};
static const char *const format_names[] = {"prepay-site/1", NULL};
static const prepay__json_type_t format_type = {PREPAY__JSON_LITERAL(format_names)};
static const char *const mode_names[] = {"local", "remote", NULL};
static const int mode_values[] = {PREPAY_METER_MODE_LOCAL, PREPAY_METER_MODE_REMOTE};
static const prepay__json_type_t mode_type = {PREPAY__JSON_ENUM(prepay_meter_mode_t, mode_names, mode_values)};
static const char *const condition_names[] = {"cover_open", "loss_of_voltage", "loss_of_current", "reverse_phase",
                                              "power_down", NULL};
static const prepay__json_type_t condition_type = {
    PREPAY__JSON_ENUM(prepay_meter_condition_t, condition_names, NULL)};

/* ---- the line and the nameplate ------------------------------------------------------------------ */

/* A decimal string stored as uint16_t scaled by 10^decimals (emu_line_t). */
static int read_scaled16(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    int64_t v = 0;
    int status = prepay__json_decimal(r, value, type, &v);
    if (status == PREPAY_OK) {
        uint16_t narrow = (uint16_t)v; /* the range (at most 9999) fits */
        memcpy(out, &narrow, sizeof narrow);
    }
    return status;
}

/* 1 (a single-phase meter) or 3. */
static int read_phases(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    uint8_t phases = 0;
    int status = prepay__json_int(r, value, type, &phases);
    if (status == PREPAY_OK && phases == 2) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "must be 1 or 3 (phases)");
    }
    if (status == PREPAY_OK) {
        memcpy(out, &phases, sizeof phases);
    }
    return status;
}

/* A nameplate text: printable ASCII, at most the item's length (DL/T 645-2007 A.5). */
static int read_plate_text(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    int status = prepay__json_string(r, value, type, out);
    for (const char *p = out; status == PREPAY_OK && *p; p++) {
        if (*p < 0x20 || *p > 0x7E) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "is not printable ASCII");
        }
    }
    return status;
}

static const prepay__json_type_t preamble_type = {PREPAY__JSON_INT(uint8_t, 0, 4)};
static const prepay__json_type_t phases_type = {.read = read_phases, .size = sizeof(uint8_t), .min = 1, .max = 3};
static const prepay__json_type_t voltage_type = {.read = read_scaled16, .decimals = 1, .min = 1, .max = 9999};
static const prepay__json_type_t frequency_type = {.read = read_scaled16, .decimals = 2, .min = 1, .max = 9999};
static const prepay__json_type_t power_factor_type = {.read = read_scaled16, .decimals = 3, .min = 1, .max = 1000};
static const prepay__json_type_t plate6_type = {.read = read_plate_text, .size = 7};
static const prepay__json_type_t plate4_type = {.read = read_plate_text, .size = 5};
static const prepay__json_type_t plate10_type = {.read = read_plate_text, .size = 11};
static const prepay__json_type_t plate16_type = {.read = read_plate_text, .size = 17};
static const prepay__json_type_t constant_type = {PREPAY__JSON_INT(uint32_t, 0, 999999)};

/* The items in the order of emu_nameplate_keys (emu_electric.c), with their DL/T 645-2007 A.5 lengths. */
static const prepay__json_field_t nameplate_fields[] = {
    PREPAY__JSON_FIELD("rated_voltage", 0, plate6_type, emu_line_t, nameplate[0]),
    PREPAY__JSON_FIELD("rated_current", 0, plate6_type, emu_line_t, nameplate[1]),
    PREPAY__JSON_FIELD("max_current", 0, plate6_type, emu_line_t, nameplate[2]),
    PREPAY__JSON_FIELD("accuracy", 0, plate4_type, emu_line_t, nameplate[3]),
    PREPAY__JSON_FIELD("reactive_accuracy", 0, plate4_type, emu_line_t, nameplate[4]),
    PREPAY__JSON_FIELD("model", 0, plate10_type, emu_line_t, nameplate[5]),
    PREPAY__JSON_FIELD("production_date", 0, plate10_type, emu_line_t, nameplate[6]),
    PREPAY__JSON_FIELD("protocol_version", 0, plate16_type, emu_line_t, nameplate[7]),
    PREPAY__JSON_FIELD("active_constant", 0, constant_type, emu_line_t, active_constant),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t nameplate_type = {PREPAY__JSON_OBJECT("a nameplate object", nameplate_fields)};

/* ---- meters ------------------------------------------------------------------------------------ */

/* The members a meter shares with "defaults" (offsets in meter_defaults_t). */
#define SETTINGS_FIELDS(T, base)                                                                                        \
    PREPAY__JSON_FIELD("mode", 0, mode_type, T, base mode),                                                            \
        PREPAY__JSON_FIELD("purse", 0, money_type, T, base purse),                                                     \
        PREPAY__JSON_FIELD("alarm1", 0, money_type, T, base alarm1),                                                   \
        PREPAY__JSON_FIELD("alarm2", 0, money_type, T, base alarm2),                                                   \
        PREPAY__JSON_FIELD("overdraft_limit", 0, money_type, T, base overdraft),                                       \
        PREPAY__JSON_FIELD("hoarding_limit", 0, money_type, T, base hoarding),                                         \
        PREPAY__JSON_FIELD("close_allowed", 0, money_type, T, base close_allowed),                                     \
        PREPAY__JSON_FIELD("time_sync_limit", 0, sync_limit_type, T, base time_sync_limit),                           \
        PREPAY__JSON_FIELD("preamble", 0, preamble_type, T, base line.preamble),                                       \
        PREPAY__JSON_FIELD("phases", 0, phases_type, T, base line.phases),                                             \
        PREPAY__JSON_FIELD("voltage", 0, voltage_type, T, base line.voltage_dv),                                       \
        PREPAY__JSON_FIELD("frequency", 0, frequency_type, T, base line.frequency_chz),                                \
        PREPAY__JSON_FIELD("power_factor", 0, power_factor_type, T, base line.power_factor),                           \
        PREPAY__JSON_FIELD("nameplate", 0, nameplate_type, T, base line)

static const prepay__json_field_t defaults_fields[] = {
    SETTINGS_FIELDS(meter_defaults_t, ),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t defaults_type = {PREPAY__JSON_OBJECT("an object of meter settings", defaults_fields)};

static const prepay__json_type_t profile_item_type = {PREPAY__JSON_INT(int32_t, -10000000, 10000000)};
static const prepay__json_type_t profile_type = {
    CLI_JSON_LIST(load_spec_t, profile, profile_len, profile_item_type, "watts", 1, 10000000)};

/* A constant load ("watts") or a repeating profile of watts every "step" seconds from the start. */
static int load_finish(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)value;
    const load_spec_t *l = out;
    if (l->has_watts == (l->profile != NULL)) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE,
                                 "a load has either \"watts\" (constant) or \"profile\" and \"step\"");
    }
    if (l->profile != NULL && !l->has_step) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE, "a profile needs \"step\" (seconds, 1..86400)");
    }
    return PREPAY_OK;
}

static const prepay__json_field_t load_fields[] = {
    {"watts", 0, &watts_type, offsetof(load_spec_t, watts)},
    PREPAY__JSON_FIELD_HERE("profile", 0, profile_type),
    {"step", 0, &step_type, offsetof(load_spec_t, step)},
    PREPAY__JSON_FIELDS_END,
};

/* Notes which members were given (their absence matters, zero is a value). */
static int read_load(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    load_spec_t *l = out;
    l->has_watts = json_is_object(value) && json_object_get(value, "watts") != NULL;
    l->has_step = json_is_object(value) && json_object_get(value, "step") != NULL;
    return prepay__json_object(r, value, type, out);
}
static const prepay__json_type_t load_type = {.read = read_load, .what = "a load object", .fields = load_fields,
                                              .finish = load_finish};

static const prepay__json_field_t meter_fields[] = {
    PREPAY__JSON_FIELD("address", PREPAY__JSON_REQUIRED, address_type, meter_spec_t, address),
    SETTINGS_FIELDS(meter_spec_t, settings.),
    PREPAY__JSON_FIELD("load", 0, load_type, meter_spec_t, load),
    PREPAY__JSON_FIELD("feeds", 0, later_type, meter_spec_t, feeds),
    PREPAY__JSON_FIELD("losses", 0, ppm_type, meter_spec_t, loss_ppm),
    PREPAY__JSON_FIELDS_END,
};

/* A meter starts from the file's "defaults" (read before "meters"). */
static int read_meter(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    const site_doc_t *doc = r->user;
    meter_spec_t *m = out;
    m->settings = doc->defaults;
    m->has_load = json_is_object(value) && json_object_get(value, "load") != NULL;
    return prepay__json_object(r, value, type, out);
}
static const prepay__json_type_t meter_type = {.read = read_meter, .what = "a meter object", .fields = meter_fields};

/* ---- events and faults -------------------------------------------------------------------------- */

static const prepay__json_field_t event_fields[] = {
    PREPAY__JSON_FIELD("at", PREPAY__JSON_REQUIRED, time_type, event_spec_t, at),
    PREPAY__JSON_FIELD("meter", PREPAY__JSON_REQUIRED, address_type, event_spec_t, meter),
    PREPAY__JSON_FIELD("condition", PREPAY__JSON_REQUIRED, condition_type, event_spec_t, condition),
    PREPAY__JSON_FIELD("active", 0, bool_type, event_spec_t, active),
    PREPAY__JSON_FIELDS_END,
};

/* An event starts its condition unless "active" is false. */
static int read_event(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    ((event_spec_t *)out)->active = true;
    return prepay__json_object(r, value, type, out);
}
static const prepay__json_type_t event_type = {.read = read_event, .what = "an event object", .fields = event_fields};

static int offline_finish(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)value;
    const offline_spec_t *w = out;
    return w->to < w->from ? prepay__json_fail_member(r, "to", PREPAY_E_HOSTED_JSON_VALUE, "is before \"from\"")
                           : PREPAY_OK;
}

static const prepay__json_field_t offline_fields[] = {
    PREPAY__JSON_FIELD("meter", PREPAY__JSON_REQUIRED, address_type, offline_spec_t, meter),
    PREPAY__JSON_FIELD("from", PREPAY__JSON_REQUIRED, time_type, offline_spec_t, from),
    PREPAY__JSON_FIELD("to", PREPAY__JSON_REQUIRED, time_type, offline_spec_t, to),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t offline_type = {PREPAY__JSON_OBJECT("an offline window", offline_fields),
                                                 .finish = offline_finish};
static const prepay__json_type_t offline_list_type = {
    CLI_JSON_LIST(site_doc_t, offline, offline_count, offline_type, "offline windows", 0, EMU_EVENTS_MAX)};

static const prepay__json_field_t faults_fields[] = {
    PREPAY__JSON_FIELD("seed", 0, seed_type, site_doc_t, seed),
    PREPAY__JSON_FIELD("drop", 0, ppm_type, site_doc_t, drop_ppm),
    PREPAY__JSON_FIELD("corrupt", 0, ppm_type, site_doc_t, corrupt_ppm),
    PREPAY__JSON_FIELD("delay_ms", 0, delay_type, site_doc_t, delay_ms),
    PREPAY__JSON_FIELD_HERE("offline", 0, offline_list_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t faults_type = {PREPAY__JSON_OBJECT("a faults object", faults_fields)};

/* "pretrip": false turns off the alarm-2 pre-trip (it waits for a button press nobody makes). */
static const prepay__json_field_t policy_fields[] = {
    PREPAY__JSON_FIELD("pretrip", 0, bool_type, site_doc_t, pretrip),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t policy_type = {PREPAY__JSON_OBJECT("a policy object", policy_fields)};

/* ---- water meters -------------------------------------------------------------------------------- */

static int read_water_address(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                              void *out)
{
    (void)type;
    prepay_cjt188_address_t a;
    const char *text = json_string_value(value);
    if (text == NULL || prepay_cjt188_address_from_string(text, json_string_length(value), &a) != PREPAY_OK ||
        memchr(a.bytes, 0xAA, sizeof a.bytes) != NULL) {
        return prepay__json_expected(r, "a 14-digit CJ/T 188 meter address", value);
    }
    memcpy(out, &a, sizeof a);
    return PREPAY_OK;
}

/* "flow": litres per hour, one number for every hour or 24 numbers (local hours 0..23). */
static int read_flow(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    int64_t *lph = out;
    const size_t n = json_is_array(value) ? json_array_size(value) : 1;
    if (!json_is_integer(value) && !(json_is_array(value) && n == 24)) {
        return prepay__json_expected(r, "litres per hour: an integer or an array of 24 integers", value);
    }
    for (size_t h = 0; h < 24; h++) {
        const json_t *item = json_is_array(value) ? json_array_get(value, h) : value;
        if (!json_is_integer(item) || json_integer_value(item) < 0 || json_integer_value(item) > EMU_WATER_FLOW_MAX) {
            return prepay__json_expected(r, "litres per hour, 0..1000000", item);
        }
        lph[h] = (int64_t)json_integer_value(item);
    }
    return PREPAY_OK;
}

static const prepay__json_type_t water_address_type = {.read = read_water_address};
static const prepay__json_type_t flow_type = {.read = read_flow};
static const prepay__json_type_t water_kind_type = {PREPAY__JSON_INT(uint8_t, 0x10, 0x19)};
static const char *const water_mode_names[] = {"money", "volume", "remote", NULL};
static const int water_mode_values[] = {PREPAY_WATER_MODE_MONEY, PREPAY_WATER_MODE_VOLUME, PREPAY_WATER_MODE_REMOTE};
static const prepay__json_type_t water_mode_type = {
    PREPAY__JSON_ENUM(prepay_water_mode_t, water_mode_names, water_mode_values)};
static const char *const water_protocol_names[] = {"cjt188", "modbus", NULL};
static const int water_protocol_values[] = {EMU_WATER_CJT188, EMU_WATER_MODBUS};
static const prepay__json_type_t water_protocol_type = {
    PREPAY__JSON_ENUM(emu_water_protocol_t, water_protocol_names, water_protocol_values)};
static const prepay__json_type_t water_unit_type = {PREPAY__JSON_INT(uint8_t, 1, 247)};
static const prepay__json_type_t water_money_type = {PREPAY__JSON_DECIMAL(2, 0, 99999999)};
static const prepay__json_type_t litres_type = {PREPAY__JSON_INT(int64_t, 0, 1000000000)};
static const prepay__json_type_t water_price_type = {PREPAY__JSON_DECIMAL(2, 0, 9999)};
static const prepay__json_type_t water_step_type = {PREPAY__JSON_INT(int64_t, 0, 999999)};

static const prepay__json_field_t water_fields[] = {
    PREPAY__JSON_FIELD("address", PREPAY__JSON_REQUIRED, water_address_type, water_spec_t, address),
    PREPAY__JSON_FIELD("type", 0, water_kind_type, water_spec_t, type),
    PREPAY__JSON_FIELD("mode", 0, water_mode_type, water_spec_t, mode),
    PREPAY__JSON_FIELD("purse", 0, water_money_type, water_spec_t, purse),
    PREPAY__JSON_FIELD("alarm", 0, water_money_type, water_spec_t, alarm),
    PREPAY__JSON_FIELD("purse_litres", 0, litres_type, water_spec_t, purse_litres),
    PREPAY__JSON_FIELD("alarm_litres", 0, litres_type, water_spec_t, alarm_litres),
    PREPAY__JSON_FIELD("price1", 0, water_price_type, water_spec_t, price1),
    PREPAY__JSON_FIELD("price2", 0, water_price_type, water_spec_t, price2),
    PREPAY__JSON_FIELD("price3", 0, water_price_type, water_spec_t, price3),
    PREPAY__JSON_FIELD("step1", 0, water_step_type, water_spec_t, step1),
    PREPAY__JSON_FIELD("step2", 0, water_step_type, water_spec_t, step2),
    PREPAY__JSON_FIELD("flow", 0, flow_type, water_spec_t, flow_lph),
    PREPAY__JSON_FIELD("preamble", 0, preamble_type, water_spec_t, preamble),
    PREPAY__JSON_FIELD("protocol", 0, water_protocol_type, water_spec_t, protocol),
    PREPAY__JSON_FIELD("unit", 0, water_unit_type, water_spec_t, unit),
    PREPAY__JSON_FIELD("serial_bcd", 0, bool_type, water_spec_t, serial_bcd),
    PREPAY__JSON_FIELDS_END,
};

/* Cold water (10H), money mode, two FE, no flow unless told; "alarm"/"alarm_litres" absent: the meter's default. */
static int read_water(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    water_spec_t *w = out;
    w->type = PREPAY_CJT188_TYPE_COLD_WATER;
    w->preamble = 2;
    w->protocol = EMU_WATER_CJT188;
    w->unit = 1;
    w->has_alarm = json_is_object(value) &&
                   (json_object_get(value, "alarm") != NULL || json_object_get(value, "alarm_litres") != NULL);
    return prepay__json_object(r, value, type, out);
}
static const prepay__json_type_t water_type = {.read = read_water, .what = "a water meter object",
                                               .fields = water_fields};
static const prepay__json_type_t waters_type = {
    CLI_JSON_LIST(site_doc_t, waters, water_count, water_type, "water meters", 0, EMU_WATER_MAX)};

/* ---- the document ---------------------------------------------------------------------------------- */

static const prepay__json_type_t meters_type = {
    CLI_JSON_LIST(site_doc_t, meters, meter_count, meter_type, "meters", 1, EMU_METERS_MAX)};
static const prepay__json_type_t events_type = {
    CLI_JSON_LIST(site_doc_t, events, event_count, event_type, "events", 0, EMU_EVENTS_MAX)};

/* Members are read in this order: "defaults" before the meters that start from them. */
static const prepay__json_field_t site_fields[] = {
    {"format", PREPAY__JSON_REQUIRED, &format_type, 0},
    PREPAY__JSON_FIELD("name", 0, text_ref_type, site_doc_t, name),
    PREPAY__JSON_FIELD("start", PREPAY__JSON_REQUIRED, time_type, site_doc_t, start),
    PREPAY__JSON_FIELD("tariff", PREPAY__JSON_REQUIRED, text_ref_type, site_doc_t, tariff),
    PREPAY__JSON_FIELD_HERE("policy", 0, policy_type),
    PREPAY__JSON_FIELD("tariff_writable", 0, bool_type, site_doc_t, tariff_writable),
    PREPAY__JSON_FIELD("defaults", 0, defaults_type, site_doc_t, defaults),
    PREPAY__JSON_FIELD_HERE("meters", PREPAY__JSON_REQUIRED, meters_type),
    PREPAY__JSON_FIELD_HERE("events", 0, events_type),
    PREPAY__JSON_FIELD_HERE("faults", 0, faults_type),
    PREPAY__JSON_FIELD_HERE("water_meters", 0, waters_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t site_type = {PREPAY__JSON_OBJECT("a site object", site_fields)};

/* ---- building the site -------------------------------------------------------------------------------- */

/* Orders addresses as printed (most significant byte first). */
static int compare_addresses(const prepay_dlt645_address_t *x, const prepay_dlt645_address_t *y)
{
    for (int k = PREPAY_DLT645_ADDRESS_SIZE - 1; k >= 0; k--) {
        if (x->bytes[k] != y->bytes[k]) {
            return x->bytes[k] < y->bytes[k] ? -1 : 1;
        }
    }
    return 0;
}

/* qsort context is not portable: the meters are reached through a file-scope pointer set just before sorting. */
static const emu_meter_t *sort_meters;

static int order_by_address(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    int cmp = compare_addresses(&sort_meters[i].meter.address, &sort_meters[j].meter.address);
    return cmp != 0 ? cmp : (i < j ? -1 : (i > j ? 1 : 0));
}

/* Sorts the address index (O(n log n)); on a duplicate address sets *dup to the later meter. */
static int build_order(emu_site_t *site, size_t *dup)
{
    for (size_t i = 0; i < site->meter_count; i++) {
        site->order[i] = i;
    }
    sort_meters = site->meters;
    qsort(site->order, site->meter_count, sizeof *site->order, order_by_address);
    sort_meters = NULL;
    for (size_t k = 1; k < site->meter_count; k++) {
        if (compare_addresses(&site->meters[site->order[k - 1]].meter.address,
                              &site->meters[site->order[k]].meter.address) == 0) {
            *dup = site->order[k];
            return -1;
        }
    }
    return 0;
}

static const emu_event_t *sort_events;

static int order_by_meter_and_time(const void *x, const void *y)
{
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    const emu_event_t *a = &sort_events[i], *b = &sort_events[j];
    if (a->meter != b->meter) {
        return a->meter < b->meter ? -1 : 1;
    }
    if (a->at != b->at) {
        return a->at < b->at ? -1 : 1;
    }
    return i < j ? -1 : (i > j ? 1 : 0);
}

/* Each meter's events in time order (file order for equal times). */
static int build_event_order(prepay__json_reader_t *r, emu_site_t *site)
{
    site->event_order = calloc(site->event_count ? site->event_count : 1, sizeof *site->event_order);
    if (!site->event_order) {
        return prepay__json_fail_at(r, "$.events", PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < site->event_count; i++) {
        site->event_order[i] = i;
    }
    sort_events = site->events;
    qsort(site->event_order, site->event_count, sizeof *site->event_order, order_by_meter_and_time);
    sort_events = NULL;
    for (size_t k = 0; k < site->event_count;) {
        size_t meter = site->events[site->event_order[k]].meter;
        size_t end = k;
        while (end < site->event_count && site->events[site->event_order[end]].meter == meter) {
            end++;
        }
        site->meters[meter].events_begin = k;
        site->meters[meter].next_event = k;
        site->meters[meter].events_end = end;
        k = end;
    }
    return 0;
}

static int find_meter(const emu_site_t *site, const prepay_dlt645_address_t *address, size_t *index)
{
    const prepay_dlt645_address_t a = *address;
    size_t lo = 0, hi = site->meter_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = compare_addresses(&site->meters[site->order[mid]].meter.address, &a);
        if (cmp == 0) {
            *index = site->order[mid];
            return 0;
        }
        if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -1;
}

/* The default tariff resolver: a path relative to the site file. */
static int load_tariff_file(void *context, const char *reference, prepay_tariff_doc_t *doc, char *err, size_t err_cap)
{
    const char *site_path = strcmp((const char *)context, "-") == 0 ? "" : context; /* stdin: from here */
    char tariff_path[4096];
    const char *slash = strrchr(site_path, '/');
    int n;
    if (reference[0] != '/' && slash) {
        n = snprintf(tariff_path, sizeof tariff_path, "%.*s/%s", (int)(slash - site_path), site_path, reference);
    } else {
        n = snprintf(tariff_path, sizeof tariff_path, "%s", reference);
    }
    if (n < 0 || (size_t)n >= sizeof tariff_path) {
        snprintf(err, err_cap, "the tariff path is too long");
        return -1;
    }
    return prepay_tariff_doc_load_file(tariff_path, doc, err, err_cap) == PREPAY_OK ? 0 : -1;
}

/* Sets up meter i from its spec (the spec's profile moves to the meter). */
static int setup_meter(prepay__json_reader_t *r, emu_site_t *site, meter_spec_t *spec, size_t i)
{
    char path[64];
    snprintf(path, sizeof path, "$.meters[%zu]", i);
    emu_meter_t *m = &site->meters[i];
    const meter_defaults_t *d = &spec->settings;
    if (spec->has_load) {
        memset(&m->load, 0, sizeof m->load);
        if (spec->load.profile != NULL) {
            m->profile = spec->load.profile;
            spec->load.profile = NULL;
            m->load.kind = PREPAY_METER_LOAD_PROFILE;
            m->load.profile = m->profile;
            m->load.profile_len = spec->load.profile_len;
            m->load.start = site->start;
            m->load.step = spec->load.step;
        } else {
            m->load.kind = PREPAY_METER_LOAD_CONSTANT;
            m->load.watts = spec->load.watts;
        }
        m->has_load = true;
    }
    m->line = d->line;
    int status = prepay_meter_init(&m->meter, &spec->address, site->start);
    m->load_records = calloc(EMU_LOAD_RECORDS, sizeof *m->load_records);
    if (status == PREPAY_OK && !m->load_records) {
        return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_NO_MEMORY, "out of memory for the load records");
    }
    if (status == PREPAY_OK) {
        status = prepay_meter_load_ring_init(&m->load_ring, m->load_records, EMU_LOAD_RECORDS);
    }
    if (status == PREPAY_OK) {
        status = prepay_meter_attach_load_ring(&m->meter, &m->load_ring);
    }
    if (status == PREPAY_OK && site->tariff_writable) {
        /* The meter's own two sets, which a station may program (push-tariff):
         * set 2 starts as the file's set B, or as a copy of set A. */
        m->tariff_copy = malloc(2 * sizeof *m->tariff_copy);
        if (!m->tariff_copy) {
            return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
        }
        m->tariff_copy[0] = site->tariff->sets[0];
        m->tariff_copy[1] = site->tariff->has_set_b ? site->tariff->sets[1] : site->tariff->sets[0];
        status = prepay_meter_bind(&m->meter, &m->tariff_copy[0], &m->tariff_copy[1], true, &site->policy,
                                   &site->tariff->account);
    } else if (status == PREPAY_OK) {
        status = prepay_meter_bind(&m->meter, &site->tariff->sets[0],
                                   site->tariff->has_set_b ? &site->tariff->sets[1] : NULL, false, &site->policy,
                                   &site->tariff->account);
    }
    if (status == PREPAY_OK) {
        status = prepay_meter_set_purse_parameters(&m->meter, d->alarm1, d->alarm2, d->overdraft, d->hoarding,
                                                   d->close_allowed);
    }
    if (status == PREPAY_OK && d->purse > 0) {
        status = prepay_meter_recharge(&m->meter, site->start, d->purse, 1);
    }
    if (status == PREPAY_OK) {
        status = prepay_meter_set_mode(&m->meter, d->mode);
    }
    if (status == PREPAY_OK) {
        status = prepay_meter_set_time_sync_limit(&m->meter, d->time_sync_limit);
    }
    m->target = m->meter.clock;
    if (status != PREPAY_OK) {
        return prepay__json_fail_at(r, path, status, "the meter refused its set-up: %s", prepay_strerror(status));
    }
    return PREPAY_OK;
}

/* "feeds": "all" (every meter that is not itself an incomer) or addresses of plain meters, each once. */
static int setup_feeds(prepay__json_reader_t *r, emu_site_t *site, const site_doc_t *doc, size_t i)
{
    const json_t *feeds = doc->meters[i].feeds;
    if (feeds == NULL) {
        return PREPAY_OK;
    }
    char path[96];
    snprintf(path, sizeof path, "$.meters[%zu].feeds", i);
    emu_meter_t *m = &site->meters[i];
    if (m->has_load && m->load.kind != PREPAY_METER_LOAD_CONSTANT) {
        return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_JSON_VALUE,
                                    "an incomer takes only a constant own load (\"watts\")");
    }
    m->feeds = calloc(site->meter_count, sizeof *m->feeds);
    if (!m->feeds) {
        return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    if (json_is_string(feeds) && strcmp(json_string_value(feeds), "all") == 0) {
        for (size_t k = 0; k < site->meter_count; k++) {
            if (k != i && doc->meters[k].feeds == NULL) {
                m->feeds[m->feed_count++] = k;
            }
        }
    } else if (json_is_array(feeds)) {
        for (size_t k = 0; k < json_array_size(feeds); k++) {
            char item[128];
            snprintf(item, sizeof item, "%s[%zu]", path, k);
            prepay_dlt645_address_t a;
            size_t index = 0;
            const char *text = json_string_value(json_array_get(feeds, k));
            if (text == NULL || prepay_dlt645_address_from_string(text, strlen(text), &a) != PREPAY_OK ||
                find_meter(site, &a, &index) != 0 || index == i) {
                return prepay__json_fail_at(r, item, PREPAY_E_HOSTED_JSON_VALUE,
                                            "is not the address of another meter of the site");
            }
            if (doc->meters[index].feeds != NULL) {
                return prepay__json_fail_at(r, item, PREPAY_E_HOSTED_JSON_VALUE,
                                            "is itself an incomer (an incomer feeds plain meters only)");
            }
            for (size_t j = 0; j < m->feed_count; j++) {
                if (m->feeds[j] == index) {
                    return prepay__json_fail_at(r, item, PREPAY_E_HOSTED_JSON_VALUE, "names a meter twice");
                }
            }
            m->feeds[m->feed_count++] = index;
        }
    } else {
        return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_JSON_TYPE, "expected \"all\" or an array of addresses");
    }
    m->aggregate = true;
    m->loss_ppm = (uint32_t)doc->meters[i].loss_ppm; /* 0..1000000 */
    return PREPAY_OK;
}

/* The events and offline windows, bound to their meters. */
static int setup_events(prepay__json_reader_t *r, emu_site_t *site, const site_doc_t *doc)
{
    char path[64];
    site->event_count = doc->event_count;
    site->events = calloc(doc->event_count ? doc->event_count : 1, sizeof *site->events);
    site->faults.offline_count = doc->offline_count;
    site->faults.offline = calloc(doc->offline_count ? doc->offline_count : 1, sizeof *site->faults.offline);
    if (!site->events || !site->faults.offline) {
        return prepay__json_fail_at(r, "$", PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < doc->event_count; i++) {
        emu_event_t *e = &site->events[i];
        e->at = doc->events[i].at;
        e->condition = doc->events[i].condition;
        e->active = doc->events[i].active;
        if (find_meter(site, &doc->events[i].meter, &e->meter) != 0) {
            snprintf(path, sizeof path, "$.events[%zu].meter", i);
            return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_JSON_VALUE, "no meter of the site has this address");
        }
    }
    for (size_t i = 0; i < doc->offline_count; i++) {
        emu_offline_t *w = &site->faults.offline[i];
        w->from = doc->offline[i].from;
        w->to = doc->offline[i].to;
        if (find_meter(site, &doc->offline[i].meter, &w->meter) != 0) {
            snprintf(path, sizeof path, "$.faults.offline[%zu].meter", i);
            return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_JSON_VALUE, "no meter of the site has this address");
        }
    }
    return build_event_order(r, site);
}

/* One water meter from its checked spec. */
static int setup_water(prepay__json_reader_t *r, emu_site_t *site, const water_spec_t *spec, size_t i)
{
    char path[64];
    snprintf(path, sizeof path, "$.water_meters[%zu]", i);
    for (size_t k = 0; k < i; k++) {
        if (memcmp(site->waters[k].meter.address.bytes, spec->address.bytes, sizeof spec->address.bytes) == 0) {
            return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_JSON_VALUE, "another water meter has this address");
        }
        if (spec->protocol == EMU_WATER_MODBUS && site->waters[k].protocol == EMU_WATER_MODBUS &&
            site->waters[k].meter.modbus_unit == spec->unit) {
            return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_JSON_VALUE,
                                        "another Modbus water meter has unit %u", (unsigned)spec->unit);
        }
    }
    emu_water_t *w = &site->waters[i];
    memcpy(w->flow_lph, spec->flow_lph, sizeof w->flow_lph);
    w->preamble = spec->preamble;
    w->protocol = (uint8_t)spec->protocol;
    prepay_water_meter_t *m = &w->meter;
    int status = prepay_water_meter_init(m, spec->mode, spec->type, &spec->address, spec->unit, site->start);
    prepay_cjt188_price_table_t table;
    memset(&table, 0, sizeof table);
    const int64_t prices[3] = {spec->price1, spec->price2, spec->price3};
    for (int k = 0; k < 3; k++) {
        table.price[k] = (prepay_price_t)(prices[k] * 1000000); /* 0.01 yuan in 1e-8 yuan */
    }
    table.step_litres[0] = spec->step1 * 1000;
    table.step_litres[1] = spec->step2 * 1000;
    if (status == PREPAY_OK) {
        status = prepay_water_meter_set_prices(m, &table);
    }
    if (status == PREPAY_OK && spec->serial_bcd) {
        status = prepay_water_meter_set_serial_bcd(m, true); /* before the first top-up: serial 01 either way */
    }
    const bool money = spec->mode == PREPAY_WATER_MODE_MONEY;
    if (status == PREPAY_OK && spec->has_alarm && spec->mode != PREPAY_WATER_MODE_REMOTE) {
        status = prepay_water_meter_set_purse(m, money ? spec->alarm : spec->alarm_litres, 0, 0);
    }
    const int64_t first = money ? spec->purse : (spec->mode == PREPAY_WATER_MODE_VOLUME ? spec->purse_litres : 0);
    if (status == PREPAY_OK && first > 0) {
        status = prepay_water_meter_purchase(m, site->start, 1, first); /* the installer's first top-up, serial 1 */
    }
    if (status != PREPAY_OK) {
        return prepay__json_fail_at(r, path, PREPAY_E_HOSTED_JSON_VALUE, "the water meter refuses it: %s",
                                    prepay_strerror(status));
    }
    return PREPAY_OK;
}

/* The site from its checked document. */
static int build_site(prepay__json_reader_t *r, site_doc_t *doc, const char *origin, emu_tariff_loader_fn load_tariff,
                      void *context, emu_site_t *site)
{
    snprintf(site->name, sizeof site->name, "%s", doc->name ? doc->name : origin);
    site->start = site->now = doc->start;
    site->tariff = malloc(sizeof *site->tariff);
    if (!site->tariff) {
        return prepay__json_fail_at(r, "$.tariff", PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    char terr[PREPAY_TARIFF_JSON_ERROR_MAX];
    terr[0] = '\0';
    if (load_tariff(context, doc->tariff, site->tariff, terr, sizeof terr) != 0) {
        return prepay__json_fail_at(r, "$.tariff", PREPAY_E_HOSTED_IO, "%s", terr);
    }
    prepay_wallet_policy_default(&site->policy);
    if (!doc->pretrip) {
        site->policy.pretrip_level = 0;
    }
    site->tariff_writable = doc->tariff_writable;
    site->meter_count = doc->meter_count;
    site->meters = calloc(site->meter_count, sizeof *site->meters);
    site->order = calloc(site->meter_count, sizeof *site->order);
    if (!site->meters || !site->order) {
        return prepay__json_fail_at(r, "$.meters", PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    int status = PREPAY_OK;
    for (size_t i = 0; i < site->meter_count && status == PREPAY_OK; i++) {
        status = setup_meter(r, site, &doc->meters[i], i);
    }
    size_t dup = 0;
    if (status == PREPAY_OK && build_order(site, &dup) != 0) {
        char path[64];
        snprintf(path, sizeof path, "$.meters[%zu].address", dup);
        status = prepay__json_fail_at(r, path, PREPAY_E_HOSTED_JSON_VALUE, "another meter already has this address");
    }
    for (size_t i = 0; i < site->meter_count && status == PREPAY_OK; i++) {
        status = setup_feeds(r, site, doc, i);
    }
    if (status == PREPAY_OK) {
        status = setup_events(r, site, doc);
    }
    if (status == PREPAY_OK) {
        site->water_count = doc->water_count;
        site->waters = calloc(doc->water_count ? doc->water_count : 1, sizeof *site->waters);
        if (!site->waters) {
            status = prepay__json_fail_at(r, "$.water_meters", PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
        }
    }
    for (size_t i = 0; i < site->water_count && status == PREPAY_OK; i++) {
        status = setup_water(r, site, &doc->waters[i], i);
    }
    site->faults.seed = doc->seed;
    site->faults.drop_ppm = (uint32_t)doc->drop_ppm; /* 0..1000000 */
    site->faults.corrupt_ppm = (uint32_t)doc->corrupt_ppm;
    site->faults.delay_ms = doc->delay_ms;
    site->rng = site->faults.seed * 0x9E3779B97F4A7C15ull + 1;
    return status;
}

int emu_site_load(const char *path, emu_site_t *site, char *err, size_t err_cap)
{
    memset(site, 0, sizeof *site);
    char *text = NULL;
    size_t len = 0;
    if (cli_read_input(path, EMU_SITE_FILE_MAX, &text, &len, NULL, err, err_cap) != 0) {
        return -1;
    }
    int rc = emu_site_parse(text, len, cli_input_name(path), load_tariff_file, (void *)(uintptr_t)path, site, err,
                            err_cap);
    free(text);
    return rc;
}

int emu_site_parse(const char *text, size_t len, const char *origin, emu_tariff_loader_fn load_tariff,
                   void *context, emu_site_t *site, char *err, size_t err_cap)
{
    memset(site, 0, sizeof *site);
    site_doc_t doc;
    memset(&doc, 0, sizeof doc);
    doc.pretrip = true;
    doc.seed = 1;
    doc.defaults.mode = PREPAY_METER_MODE_REMOTE;
    doc.defaults.alarm1 = 2000;
    doc.defaults.alarm2 = 1000;
    doc.defaults.time_sync_limit = EMU_DEFAULT_TIME_SYNC_LIMIT;
    emu_electric_defaults(&doc.defaults.line);
    prepay__json_reader_t r;
    prepay__json_init(&r, origin, err, err_cap, &doc);
    json_t *root = NULL;
    int status = prepay__json_parse(&r, text, len, &root);
    if (status == PREPAY_OK) {
        status = prepay__json_read(&r, root, &site_type, &doc);
    }
    if (status == PREPAY_OK) {
        status = build_site(&r, &doc, origin, load_tariff, context, site);
    }
    json_decref(root);
    site_doc_free(&doc);
    if (status != PREPAY_OK) {
        emu_site_free(site);
        return -1;
    }
    return 0;
}

void emu_site_free(emu_site_t *site)
{
    if (site->meters) {
        for (size_t i = 0; i < site->meter_count; i++) {
            free(site->meters[i].profile);
            free(site->meters[i].feeds);
            free(site->meters[i].tariff_copy);
            free(site->meters[i].load_records);
        }
    }
    free(site->meters);
    free(site->order);
    free(site->events);
    free(site->event_order);
    free(site->faults.offline);
    free(site->tariff);
    free(site->waters);
    memset(site, 0, sizeof *site);
}

int emu_site_set_time_sync_limit(emu_site_t *site, int64_t seconds)
{
    for (size_t i = 0; i < site->meter_count; i++) {
        int status = prepay_meter_set_time_sync_limit(&site->meters[i].meter, seconds);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}
