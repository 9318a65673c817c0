/* prepay-emu: reading a site file (JSON, docs/emulator.md) into emulated meters. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

typedef struct ctx {
    json_t *root;
    const char *path;
    char *err;
    size_t err_cap;
} ctx_t;

__attribute__((format(printf, 3, 4))) static int fail(ctx_t *c, const char *json_path, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (c->err && c->err_cap) {
        snprintf(c->err, c->err_cap, "%s: %s: %s", c->path, json_path, what);
    }
    return -1;
}

static int get_string(ctx_t *c, json_t *obj, const char *key, const char *path, bool required, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = NULL;
        return required ? fail(c, path, "missing member \"%s\"", key) : 0;
    }
    if (!json_is_string(v)) {
        return fail(c, path, "\"%s\" must be a string", key);
    }
    *out = json_string_value(v);
    return 0;
}

static int parse_money(ctx_t *c, json_t *obj, const char *key, const char *path, prepay_money_t *out)
{
    const char *text = NULL;
    if (get_string(c, obj, key, path, false, &text) != 0) {
        return -1;
    }
    if (!text) {
        return 0; /* keep the default */
    }
    int64_t v;
    if (prepay_fixed_parse(text, strlen(text), 2, &v) != PREPAY_OK || v < 0) {
        return fail(c, path, "\"%s\": \"%s\" is not an amount like \"12.34\"", key, text);
    }
    *out = v;
    return 0;
}

static int parse_time(ctx_t *c, json_t *obj, const char *key, const char *path, prepay_time_t *out)
{
    const char *text;
    if (get_string(c, obj, key, path, true, &text) != 0) {
        return -1;
    }
    if (prepay_tariff_json_parse_time(text, strlen(text), out) != PREPAY_OK) {
        return fail(c, path, "\"%s\": \"%s\" is not a time like \"2026-11-01 00:00\"", key, text);
    }
    return 0;
}

static int parse_ppm(ctx_t *c, json_t *obj, const char *key, const char *path, uint32_t *out)
{
    const char *text = NULL;
    if (get_string(c, obj, key, path, false, &text) != 0) {
        return -1;
    }
    if (!text) {
        return 0; /* absent: keep the default */
    }
    int64_t v;
    if (prepay_fixed_parse(text, strlen(text), 6, &v) != PREPAY_OK || v < 0 || v > 1000000) {
        return fail(c, path, "\"%s\": \"%s\" is not a probability between \"0\" and \"1\"", key, text);
    }
    *out = (uint32_t)v;
    return 0;
}

typedef struct meter_defaults {
    prepay_meter_mode_t mode;
    prepay_money_t purse, alarm1, alarm2, overdraft, hoarding, close_allowed;
    int64_t time_sync_limit;
    emu_line_t line;
} meter_defaults_t;

/* A decimal string member with `decimals` places in [min, max] (units of 10^-decimals). */
static int parse_scaled(ctx_t *c, json_t *obj, const char *key, const char *path, unsigned decimals, int64_t min,
                        int64_t max, uint16_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        return 0;
    }
    int64_t value;
    if (!json_is_string(v) ||
        prepay_fixed_parse(json_string_value(v), strlen(json_string_value(v)), decimals, &value) != PREPAY_OK ||
        value < min || value > max) {
        return fail(c, path, "\"%s\" must be a decimal string such as %s", key,
                    decimals == 1 ? "\"220.0\"" : (decimals == 2 ? "\"50.00\"" : "\"0.950\" (0.001..1)"));
    }
    *out = (uint16_t)value;
    return 0;
}

/* What the station reads about the line: "preamble" (FE bytes before a reply, 0..4), "phases" (1 or 3),
 * "voltage", "frequency", "power_factor", and "nameplate" items (docs/emulator.md). */
static int parse_line(ctx_t *c, json_t *obj, const char *path, emu_line_t *line)
{
    json_t *v = json_object_get(obj, "preamble");
    if (v) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 4) {
            return fail(c, path, "\"preamble\" must be 0..4 (FE bytes before each reply)");
        }
        line->preamble = (uint8_t)json_integer_value(v);
    }
    v = json_object_get(obj, "phases");
    if (v) {
        if (!json_is_integer(v) || (json_integer_value(v) != 1 && json_integer_value(v) != 3)) {
            return fail(c, path, "\"phases\" must be 1 or 3");
        }
        line->phases = (uint8_t)json_integer_value(v);
    }
    if (parse_scaled(c, obj, "voltage", path, 1, 1, 9999, &line->voltage_dv) != 0 ||
        parse_scaled(c, obj, "frequency", path, 2, 1, 9999, &line->frequency_chz) != 0 ||
        parse_scaled(c, obj, "power_factor", path, 3, 1, 1000, &line->power_factor) != 0) {
        return -1;
    }
    json_t *plate = json_object_get(obj, "nameplate");
    if (!plate) {
        return 0;
    }
    if (!json_is_object(plate)) {
        return fail(c, path, "\"nameplate\" must be an object");
    }
    static const uint8_t lengths[8] = {6, 6, 6, 4, 4, 10, 10, 16}; /* DL/T 645-2007 A.5 */
    const char *key;
    json_t *value;
    json_object_foreach(plate, key, value) {
        int k = -1;
        for (int i = 0; i < 8; i++) {
            if (strcmp(emu_nameplate_keys[i], key) == 0) {
                k = i;
            }
        }
        if (strcmp(key, "active_constant") == 0) {
            if (!json_is_integer(value) || json_integer_value(value) < 0 || json_integer_value(value) > 999999) {
                return fail(c, path, "nameplate.active_constant must be an integer of imp/kWh, 0..999999");
            }
            line->active_constant = (uint32_t)json_integer_value(value);
            continue;
        }
        if (k < 0) {
            return fail(c, path, "unknown nameplate item \"%s\"", key);
        }
        if (!json_is_string(value) || strlen(json_string_value(value)) > lengths[k]) {
            return fail(c, path, "nameplate.%s must be ASCII text of at most %u characters", key, lengths[k]);
        }
        for (const char *p = json_string_value(value); *p; p++) {
            if (*p < 0x20 || *p > 0x7E) {
                return fail(c, path, "nameplate.%s must be printable ASCII", key);
            }
        }
        snprintf(line->nameplate[k], sizeof line->nameplate[k], "%s", json_string_value(value));
    }
    return 0;
}

/* "time_sync_limit": seconds one broadcast time sync may move a meter's clock (0 = any). */
static int parse_sync_limit(ctx_t *c, json_t *obj, const char *path, int64_t *out)
{
    json_t *v = json_object_get(obj, "time_sync_limit");
    if (!v) {
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100LL * 366 * 86400) {
        return fail(c, path, "\"time_sync_limit\" must be an integer of seconds, 0 (any) .. 3162240000");
    }
    *out = (int64_t)json_integer_value(v);
    return 0;
}

static int parse_mode(ctx_t *c, json_t *obj, const char *path, prepay_meter_mode_t *mode)
{
    const char *text = NULL;
    if (get_string(c, obj, "mode", path, false, &text) != 0) {
        return -1;
    }
    if (!text) {
        return 0;
    }
    if (strcmp(text, "local") == 0) {
        *mode = PREPAY_METER_MODE_LOCAL;
    } else if (strcmp(text, "remote") == 0) {
        *mode = PREPAY_METER_MODE_REMOTE;
    } else {
        return fail(c, path, "\"mode\" must be \"local\" or \"remote\", not \"%s\"", text);
    }
    return 0;
}

static int parse_defaults(ctx_t *c, json_t *obj, const char *path, meter_defaults_t *d)
{
    if (parse_mode(c, obj, path, &d->mode) != 0 || parse_money(c, obj, "purse", path, &d->purse) != 0 ||
        parse_money(c, obj, "alarm1", path, &d->alarm1) != 0 || parse_money(c, obj, "alarm2", path, &d->alarm2) != 0 ||
        parse_money(c, obj, "overdraft_limit", path, &d->overdraft) != 0 ||
        parse_money(c, obj, "hoarding_limit", path, &d->hoarding) != 0 ||
        parse_money(c, obj, "close_allowed", path, &d->close_allowed) != 0 ||
        parse_sync_limit(c, obj, path, &d->time_sync_limit) != 0 || parse_line(c, obj, path, &d->line) != 0) {
        return -1;
    }
    return 0;
}

static int parse_load(ctx_t *c, json_t *obj, const char *path, prepay_time_t start, emu_meter_t *m)
{
    json_t *load = json_object_get(obj, "load");
    if (!load) {
        return 0;
    }
    if (!json_is_object(load)) {
        return fail(c, path, "\"load\" must be an object");
    }
    json_t *watts = json_object_get(load, "watts");
    json_t *profile = json_object_get(load, "profile");
    memset(&m->load, 0, sizeof m->load);
    if (watts && json_is_integer(watts)) {
        json_int_t w = json_integer_value(watts);
        if (w < -10000000 || w > 10000000) {
            return fail(c, path, "load.watts %lld is out of range", (long long)w);
        }
        m->load.kind = PREPAY_METER_LOAD_CONSTANT;
        m->load.watts = (int32_t)w;
    } else if (profile && json_is_array(profile) && json_array_size(profile) > 0) {
        json_t *step = json_object_get(load, "step");
        if (!step || !json_is_integer(step) || json_integer_value(step) < 1 || json_integer_value(step) > 86400) {
            return fail(c, path, "load.step must be an integer of seconds, 1..86400");
        }
        size_t n = json_array_size(profile);
        m->profile = calloc(n, sizeof *m->profile);
        if (!m->profile) {
            return fail(c, path, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(profile, i);
            if (!json_is_integer(v) || json_integer_value(v) < -10000000 || json_integer_value(v) > 10000000) {
                return fail(c, path, "load.profile[%zu] must be an integer of watts", i);
            }
            m->profile[i] = (int32_t)json_integer_value(v);
        }
        m->load.kind = PREPAY_METER_LOAD_PROFILE;
        m->load.profile = m->profile;
        m->load.profile_len = n;
        m->load.start = start;
        m->load.step = (uint32_t)json_integer_value(step);
    } else {
        return fail(c, path, "load needs \"watts\" (integer) or \"profile\" (array) with \"step\"");
    }
    m->has_load = true;
    return 0;
}

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
static int build_event_order(ctx_t *c, emu_site_t *site)
{
    site->event_order = calloc(site->event_count ? site->event_count : 1, sizeof *site->event_order);
    if (!site->event_order) {
        return fail(c, "$.events", "out of memory");
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

static int find_meter(const emu_site_t *site, const char *text, size_t *index)
{
    prepay_dlt645_address_t a;
    if (prepay_dlt645_address_from_string(text, strlen(text), &a) != PREPAY_OK) {
        return -1;
    }
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

/* "feeds": "all" (every other meter that is not itself an incomer) or an
 * array of addresses; "losses": a fraction such as "0.03". */
static int parse_feeds(ctx_t *c, emu_site_t *site, json_t *spec, size_t i)
{
    char path[64];
    snprintf(path, sizeof path, "$.meters[%zu]", i);
    json_t *feeds = json_object_get(spec, "feeds");
    if (!feeds) {
        return 0;
    }
    emu_meter_t *m = &site->meters[i];
    if (m->has_load && m->load.kind != PREPAY_METER_LOAD_CONSTANT) {
        return fail(c, path, "an incomer (\"feeds\") takes only a constant own load");
    }
    m->feeds = calloc(site->meter_count, sizeof *m->feeds);
    if (!m->feeds) {
        return fail(c, path, "out of memory");
    }
    if (json_is_string(feeds) && strcmp(json_string_value(feeds), "all") == 0) {
        for (size_t k = 0; k < site->meter_count; k++) {
            if (k != i && !json_object_get(json_array_get(json_object_get(c->root, "meters"), k), "feeds")) {
                m->feeds[m->feed_count++] = k;
            }
        }
    } else if (json_is_array(feeds)) {
        for (size_t k = 0; k < json_array_size(feeds); k++) {
            json_t *a = json_array_get(feeds, k);
            size_t index;
            if (!json_is_string(a) || find_meter(site, json_string_value(a), &index) != 0 || index == i) {
                return fail(c, path, "feeds[%zu] is not the address of another meter", k);
            }
            if (json_object_get(json_array_get(json_object_get(c->root, "meters"), index), "feeds")) {
                return fail(c, path, "feeds[%zu] is itself an incomer (an incomer feeds plain meters only)", k);
            }
            for (size_t j = 0; j < m->feed_count; j++) {
                if (m->feeds[j] == index) {
                    return fail(c, path, "feeds[%zu] names a meter twice", k);
                }
            }
            if (m->feed_count == site->meter_count) {
                return fail(c, path, "\"feeds\" lists more meters than the site has");
            }
            m->feeds[m->feed_count++] = index;
        }
    } else {
        return fail(c, path, "\"feeds\" must be \"all\" or an array of addresses");
    }
    m->aggregate = true;
    return parse_ppm(c, spec, "losses", path, &m->loss_ppm);
}

static int parse_condition(const char *text, prepay_meter_condition_t *out)
{
    static const char *names[PREPAY_METER_CONDITION_COUNT] = {"cover_open", "loss_of_voltage", "loss_of_current",
                                                              "reverse_phase", "power_down"};
    for (int i = 0; i < PREPAY_METER_CONDITION_COUNT; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = (prepay_meter_condition_t)i;
            return 0;
        }
    }
    return -1;
}

static int parse_events(ctx_t *c, json_t *root, emu_site_t *site)
{
    json_t *events = json_object_get(root, "events");
    if (!events) {
        return 0;
    }
    if (!json_is_array(events)) {
        return fail(c, "$.events", "must be an array");
    }
    if (json_array_size(events) > EMU_EVENTS_MAX) {
        return fail(c, "$.events", "more than %u events", EMU_EVENTS_MAX);
    }
    site->event_count = json_array_size(events);
    site->events = calloc(site->event_count ? site->event_count : 1, sizeof *site->events);
    if (!site->events) {
        return fail(c, "$.events", "out of memory");
    }
    for (size_t i = 0; i < site->event_count; i++) {
        char path[64];
        snprintf(path, sizeof path, "$.events[%zu]", i);
        json_t *e = json_array_get(events, i);
        const char *meter, *condition;
        if (!json_is_object(e) || parse_time(c, e, "at", path, &site->events[i].at) != 0 ||
            get_string(c, e, "meter", path, true, &meter) != 0 ||
            get_string(c, e, "condition", path, true, &condition) != 0) {
            return json_is_object(e) ? -1 : fail(c, path, "must be an object");
        }
        if (find_meter(site, meter, &site->events[i].meter) != 0) {
            return fail(c, path, "no meter with address \"%s\"", meter);
        }
        if (parse_condition(condition, &site->events[i].condition) != 0) {
            return fail(c, path, "unknown condition \"%s\" (cover_open, loss_of_voltage, loss_of_current, "
                                 "reverse_phase, power_down)", condition);
        }
        json_t *active = json_object_get(e, "active");
        site->events[i].active = active ? json_is_true(active) : true;
    }
    return 0;
}

static int parse_faults(ctx_t *c, json_t *root, emu_site_t *site)
{
    json_t *f = json_object_get(root, "faults");
    site->faults.seed = 1;
    if (!f) {
        return 0;
    }
    if (!json_is_object(f)) {
        return fail(c, "$.faults", "must be an object");
    }
    json_t *seed = json_object_get(f, "seed");
    if (seed) {
        if (!json_is_integer(seed) || json_integer_value(seed) < 0) {
            return fail(c, "$.faults", "\"seed\" must be a non-negative integer");
        }
        site->faults.seed = (uint64_t)json_integer_value(seed);
    }
    json_t *delay = json_object_get(f, "delay_ms");
    if (delay) {
        if (!json_is_integer(delay) || json_integer_value(delay) < 0 || json_integer_value(delay) > 60000) {
            return fail(c, "$.faults", "\"delay_ms\" must be an integer 0..60000");
        }
        site->faults.delay_ms = (uint32_t)json_integer_value(delay);
    }
    if (parse_ppm(c, f, "drop", "$.faults", &site->faults.drop_ppm) != 0 ||
        parse_ppm(c, f, "corrupt", "$.faults", &site->faults.corrupt_ppm) != 0) {
        return -1;
    }
    json_t *offline = json_object_get(f, "offline");
    if (offline) {
        if (!json_is_array(offline)) {
            return fail(c, "$.faults.offline", "must be an array");
        }
        if (json_array_size(offline) > EMU_EVENTS_MAX) {
            return fail(c, "$.faults.offline", "more than %u windows", EMU_EVENTS_MAX);
        }
        site->faults.offline_count = json_array_size(offline);
        site->faults.offline = calloc(site->faults.offline_count ? site->faults.offline_count : 1,
                                      sizeof *site->faults.offline);
        if (!site->faults.offline) {
            return fail(c, "$.faults.offline", "out of memory");
        }
        for (size_t i = 0; i < site->faults.offline_count; i++) {
            char path[64];
            snprintf(path, sizeof path, "$.faults.offline[%zu]", i);
            json_t *o = json_array_get(offline, i);
            const char *meter;
            emu_offline_t *w = &site->faults.offline[i];
            if (!json_is_object(o)) {
                return fail(c, path, "must be an object");
            }
            if (get_string(c, o, "meter", path, true, &meter) != 0 || parse_time(c, o, "from", path, &w->from) != 0 ||
                parse_time(c, o, "to", path, &w->to) != 0) {
                return -1;
            }
            if (find_meter(site, meter, &w->meter) != 0) {
                return fail(c, path, "no meter with address \"%s\"", meter);
            }
            if (w->to < w->from) {
                return fail(c, path, "\"to\" is before \"from\"");
            }
        }
    }
    return 0;
}

static int setup_meter(ctx_t *c, emu_site_t *site, json_t *spec, const meter_defaults_t *defaults, size_t i)
{
    char path[64];
    snprintf(path, sizeof path, "$.meters[%zu]", i);
    if (!json_is_object(spec)) {
        return fail(c, path, "must be an object");
    }
    emu_meter_t *m = &site->meters[i];
    const char *address;
    if (get_string(c, spec, "address", path, true, &address) != 0) {
        return -1;
    }
    prepay_dlt645_address_t a;
    if (prepay_dlt645_address_from_string(address, strlen(address), &a) != PREPAY_OK ||
        prepay_dlt645_address_is_wildcard(&a) || prepay_dlt645_address_is_broadcast(&a)) {
        return fail(c, path, "\"address\": \"%s\" is not a 12-digit meter address", address);
    }
    meter_defaults_t d = *defaults;
    if (parse_defaults(c, spec, path, &d) != 0 || parse_load(c, spec, path, site->start, m) != 0) {
        return -1;
    }
    m->line = d.line;
    int status = prepay_meter_init(&m->meter, &a, site->start);
    if (status == PREPAY_OK && site->tariff_writable) {
        /* The meter's own two sets, which a station may program (push-tariff):
         * set 2 starts as the file's set B, or as a copy of set A. */
        m->tariff_copy = malloc(2 * sizeof *m->tariff_copy);
        if (!m->tariff_copy) {
            return fail(c, path, "out of memory");
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
        status = prepay_meter_set_purse_parameters(&m->meter, d.alarm1, d.alarm2, d.overdraft, d.hoarding,
                                                   d.close_allowed);
    }
    if (status == PREPAY_OK && d.purse > 0) {
        status = prepay_meter_recharge(&m->meter, site->start, d.purse, 1);
    }
    if (status == PREPAY_OK) {
        status = prepay_meter_set_mode(&m->meter, d.mode);
    }
    if (status == PREPAY_OK) {
        status = prepay_meter_set_time_sync_limit(&m->meter, d.time_sync_limit);
    }
    m->target = m->meter.clock;
    if (status != PREPAY_OK) {
        return fail(c, path, "the meter refused its set-up: %s", prepay_strerror(status));
    }
    return 0;
}

/* The default tariff resolver: a path relative to the site file. */
static int load_tariff_file(void *context, const char *reference, prepay_tariff_doc_t *doc, char *err, size_t err_cap)
{
    const char *site_path = context;
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

int emu_site_load(const char *path, emu_site_t *site, char *err, size_t err_cap)
{
    memset(site, 0, sizeof *site);
    char *text = NULL;
    size_t len = 0;
    if (emu_read_small_file(path, EMU_SITE_FILE_MAX, &text, &len, err, err_cap) != 0) {
        return -1;
    }
    int rc = emu_site_parse(text, len, path, load_tariff_file, (void *)(uintptr_t)path, site, err, err_cap);
    free(text);
    return rc;
}

int emu_site_parse(const char *text, size_t len, const char *origin, emu_tariff_loader_fn load_tariff,
                   void *context, emu_site_t *site, char *err, size_t err_cap)
{
    ctx_t c = {NULL, origin, err, err_cap};
    memset(site, 0, sizeof *site);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        char where[64];
        snprintf(where, sizeof where, "line %d column %d", jerr.line, jerr.column);
        return fail(&c, where, "%s", jerr.text);
    }
    c.root = root;
    int rc = -1;
    const char *format = NULL, *name = NULL, *tariff = NULL;
    if (!json_is_object(root)) {
        fail(&c, "$", "a site file is a JSON object");
        goto done;
    }
    if (get_string(&c, root, "format", "$", true, &format) != 0) {
        goto done;
    }
    if (strcmp(format, "prepay-site/1") != 0) {
        fail(&c, "$.format", "expected \"prepay-site/1\", not \"%s\"", format);
        goto done;
    }
    if (get_string(&c, root, "name", "$", false, &name) != 0 || parse_time(&c, root, "start", "$", &site->start) != 0 ||
        get_string(&c, root, "tariff", "$", true, &tariff) != 0) {
        goto done;
    }
    snprintf(site->name, sizeof site->name, "%s", name ? name : origin);
    site->now = site->start;
    site->tariff = malloc(sizeof *site->tariff);
    if (!site->tariff) {
        fail(&c, "$.tariff", "out of memory");
        goto done;
    }
    char terr[PREPAY_TARIFF_JSON_ERROR_MAX];
    terr[0] = '\0';
    if (load_tariff(context, tariff, site->tariff, terr, sizeof terr) != 0) {
        fail(&c, "$.tariff", "%s", terr);
        goto done;
    }
    prepay_wallet_policy_default(&site->policy);
    json_t *policy = json_object_get(root, "policy");
    if (policy) {
        /* "pretrip": false turns off the alarm-2 pre-trip (it waits for a button press nobody makes). */
        json_t *pretrip = json_object_get(policy, "pretrip");
        if (!json_is_object(policy) || (pretrip && !json_is_boolean(pretrip))) {
            fail(&c, "$.policy", "must be an object with an optional boolean \"pretrip\"");
            goto done;
        }
        if (pretrip && !json_is_true(pretrip)) {
            site->policy.pretrip_level = 0;
        }
    }
    json_t *writable = json_object_get(root, "tariff_writable");
    if (writable && !json_is_boolean(writable)) {
        fail(&c, "$.tariff_writable", "must be true or false");
        goto done;
    }
    site->tariff_writable = writable && json_is_true(writable);
    meter_defaults_t defaults;
    memset(&defaults, 0, sizeof defaults);
    defaults.mode = PREPAY_METER_MODE_REMOTE;
    defaults.alarm1 = 2000;
    defaults.alarm2 = 1000;
    defaults.time_sync_limit = EMU_DEFAULT_TIME_SYNC_LIMIT;
    emu_electric_defaults(&defaults.line);
    json_t *d = json_object_get(root, "defaults");
    if (d && (!json_is_object(d) || parse_defaults(&c, d, "$.defaults", &defaults) != 0)) {
        if (!json_is_object(d)) {
            fail(&c, "$.defaults", "must be an object");
        }
        goto done;
    }
    json_t *meters = json_object_get(root, "meters");
    if (!meters || !json_is_array(meters) || json_array_size(meters) == 0) {
        fail(&c, "$.meters", "must be a non-empty array");
        goto done;
    }
    if (json_array_size(meters) > EMU_METERS_MAX) {
        fail(&c, "$.meters", "more than %u meters", EMU_METERS_MAX);
        goto done;
    }
    site->meter_count = json_array_size(meters);
    site->meters = calloc(site->meter_count, sizeof *site->meters);
    site->order = calloc(site->meter_count, sizeof *site->order);
    if (!site->meters || !site->order) {
        fail(&c, "$.meters", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < site->meter_count; i++) {
        if (setup_meter(&c, site, json_array_get(meters, i), &defaults, i) != 0) {
            goto done;
        }
    }
    size_t dup = 0;
    if (build_order(site, &dup) != 0) {
        char where[64];
        snprintf(where, sizeof where, "$.meters[%zu].address", dup);
        fail(&c, where, "another meter already has this address");
        goto done;
    }
    for (size_t i = 0; i < site->meter_count; i++) {
        if (parse_feeds(&c, site, json_array_get(meters, i), i) != 0) {
            goto done;
        }
    }
    if (parse_events(&c, root, site) != 0 || build_event_order(&c, site) != 0 || parse_faults(&c, root, site) != 0) {
        goto done;
    }
    site->rng = site->faults.seed * 0x9E3779B97F4A7C15ull + 1;
    rc = 0;
done:
    json_decref(root);
    if (rc != 0) {
        emu_site_free(site);
    }
    return rc;
}

void emu_site_free(emu_site_t *site)
{
    if (site->meters) {
        for (size_t i = 0; i < site->meter_count; i++) {
            free(site->meters[i].profile);
            free(site->meters[i].feeds);
            free(site->meters[i].tariff_copy);
        }
    }
    free(site->meters);
    free(site->order);
    free(site->events);
    free(site->event_order);
    free(site->faults.offline);
    free(site->tariff);
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
