/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: scripted line and tamper conditions (emu_scenario.h). The file:
 *
 *   {"conditions": [{"meter": "000000000101", "from": "2026-11-02 10:00", "to": "2026-11-02 12:00",
 *                    "kind": "loss_of_voltage", "phase": "A"}, ...],
 *    "load_control": {"limit_watts": 2000, "step_watts": 1000, "pf_threshold": 0.9}}
 *
 * A condition holds on [from, to) of its meter's clock ("to" left out: to the
 * end). What the meter measures follows the conditions in force: the event
 * judgement, load control and voltage statistics of its supervision see
 * exactly what a station then reads over the wire.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_file.h"
#include "emu_scenario.h"
#include "json_escape_internal.h" /* a key from the file, quoted and escaped: one line */

static const char *const kind_names[EMU_INJECT_KIND_COUNT] = {
    "loss_of_voltage", "loss_of_current", "reversed", "sag", "cover_open",
    "terminal_cover_open", "magnet", "overload", "heater",
};

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail(char *err, size_t cap, const char *origin, size_t item, const char *fmt, ...);

static int fail(char *err, size_t cap, const char *origin, size_t item, const char *fmt, ...)
{
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (item == SIZE_MAX) {
        snprintf(err, cap, "%s: %s", origin, what);
    } else {
        snprintf(err, cap, "%s: conditions[%zu]: %s", origin, item, what);
    }
    return -1;
}

static bool read_time(const json_t *v, prepay_time_t *out)
{
    return json_is_string(v) && prepay_time_parse(json_string_value(v), json_string_length(v), out) == PREPAY_OK;
}

/* A decimal with at most `decimals` fraction digits, as an integer of that many decimals. A real
 * is read through its shortest text (%.15g), so that 0.9 is 900 thousandths exactly. */
static bool read_fixed(const json_t *v, int decimals, int64_t max, int64_t *out)
{
    char text[64];
    if (json_is_integer(v)) {
        snprintf(text, sizeof text, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(text, sizeof text, "%.15g", json_real_value(v));
    } else {
        return false;
    }
    int64_t x = 0;
    int fraction = -1;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '.' && fraction < 0) {
            fraction = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || x > max) {
            return false; /* a sign, an exponent, or too large */
        }
        x = x * 10 + (*p - '0');
        if (fraction >= 0 && ++fraction > decimals) {
            return false;
        }
    }
    for (int i = fraction < 0 ? 0 : fraction; i < decimals; i++) {
        if (x > max) {
            return false;
        }
        x *= 10;
    }
    *out = x;
    return x <= max;
}

static size_t find_meter(const emu_site_t *site, const json_t *v)
{
    prepay_dlt645_address_t a;
    if (!json_is_string(v) ||
        prepay_dlt645_address_from_string(json_string_value(v), json_string_length(v), &a) != PREPAY_OK) {
        return SIZE_MAX;
    }
    for (size_t i = 0; i < site->meter_count; i++) {
        if (memcmp(site->meters[i].meter.address.bytes, a.bytes, sizeof a.bytes) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

static int read_condition(const emu_site_t *site, json_t *o, size_t i, const char *origin,
                          emu_condition_t *c, char *err, size_t cap)
{
    if (!json_is_object(o)) {
        return fail(err, cap, origin, i, "is not an object");
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "meter") && strcmp(key, "from") && strcmp(key, "to") && strcmp(key, "kind") &&
            strcmp(key, "phase") && strcmp(key, "watts") && strcmp(key, "volts")) {
            char q[PREPAY__JSON_QUOTE_MAX + 16];
            return fail(err, cap, origin, i, "unknown member %s", prepay__json_quote(q, sizeof q, key));
        }
    }
    memset(c, 0, sizeof *c);
    c->meter = find_meter(site, json_object_get(o, "meter"));
    if (c->meter == SIZE_MAX) {
        return fail(err, cap, origin, i, "\"meter\" is not the address of a meter of the site");
    }
    if (!read_time(json_object_get(o, "from"), &c->from)) {
        return fail(err, cap, origin, i, "\"from\" is not a date and time such as \"2026-11-02 10:00\"");
    }
    c->to = INT64_MAX;
    if (json_object_get(o, "to") != NULL && !read_time(json_object_get(o, "to"), &c->to)) {
        return fail(err, cap, origin, i, "\"to\" is not a date and time such as \"2026-11-02 12:00\"");
    }
    if (c->to <= c->from) {
        return fail(err, cap, origin, i, "\"to\" is not after \"from\"");
    }
    const json_t *k = json_object_get(o, "kind");
    unsigned kind = EMU_INJECT_KIND_COUNT;
    for (unsigned n = 0; json_is_string(k) && n < EMU_INJECT_KIND_COUNT; n++) {
        if (strcmp(json_string_value(k), kind_names[n]) == 0) {
            kind = n;
        }
    }
    if (kind == EMU_INJECT_KIND_COUNT) {
        return fail(err, cap, origin, i,
                    "\"kind\" is not one of loss_of_voltage, loss_of_current, reversed, sag, cover_open, "
                    "terminal_cover_open, magnet, overload, heater");
    }
    c->kind = (uint8_t)kind;
    const json_t *ph = json_object_get(o, "phase");
    unsigned phases = site->meters[c->meter].line.phases == 3 ? 3u : 1u;
    if (ph != NULL) {
        const char *p = json_is_string(ph) ? json_string_value(ph) : "";
        if (strlen(p) != 1 || p[0] < 'A' || p[0] >= (char)('A' + phases)) {
            return fail(err, cap, origin, i, "\"phase\" is not %s", phases == 3 ? "\"A\", \"B\" or \"C\"" : "\"A\"");
        }
        c->phase = (uint8_t)(p[0] - 'A' + 1);
    }
    bool per_phase = kind <= EMU_INJECT_SAG;
    if (per_phase && kind != EMU_INJECT_SAG && c->phase == 0) {
        c->phase = 1;
    }
    if (!per_phase && ph != NULL) {
        return fail(err, cap, origin, i, "\"phase\" is not a member of a %s condition", kind_names[kind]);
    }
    int64_t x;
    const json_t *w = json_object_get(o, "watts");
    const json_t *u = json_object_get(o, "volts");
    bool needs_watts = kind == EMU_INJECT_OVERLOAD || kind == EMU_INJECT_HEATER;
    if ((w != NULL) != needs_watts || (u != NULL) != (kind == EMU_INJECT_SAG)) {
        return fail(err, cap, origin, i, "%s", needs_watts ? "needs \"watts\" (and no \"volts\")"
                                               : kind == EMU_INJECT_SAG ? "needs \"volts\" (and no \"watts\")"
                                                                        : "takes neither \"watts\" nor \"volts\"");
    }
    if (needs_watts) {
        if (!read_fixed(w, 0, 999999, &x) || x == 0) {
            return fail(err, cap, origin, i, "\"watts\" is not a whole number 1..999999");
        }
        c->value = (int32_t)x;
    }
    if (kind == EMU_INJECT_SAG) {
        if (!read_fixed(u, 1, 9999, &x)) {
            return fail(err, cap, origin, i, "\"volts\" is not a voltage 0..999.9 with at most one decimal");
        }
        c->value = (int32_t)x;
    }
    return 0;
}

static int read_load_control(json_t *o, const char *origin, prepay_lc_params_t *p, char *err, size_t cap)
{
    if (o == NULL) {
        return 0;
    }
    if (!json_is_object(o)) {
        return fail(err, cap, origin, SIZE_MAX, "\"load_control\" is not an object");
    }
    const char *key;
    json_t *v;
    int64_t x;
    json_object_foreach(o, key, v) {
        if (strcmp(key, "limit_watts") == 0 && read_fixed(v, 0, 999999, &x)) {
            p->limit_power = (int32_t)x;
        } else if (strcmp(key, "over_cycles") == 0 && read_fixed(v, 0, 65535, &x) && x > 0) {
            p->over_cycles = (uint16_t)x;
        } else if (strcmp(key, "step_watts") == 0 && read_fixed(v, 0, 999999, &x)) {
            p->step_power = (int32_t)x;
        } else if (strcmp(key, "pf_threshold") == 0 && read_fixed(v, 3, 999, &x)) {
            p->pf_threshold = (uint16_t)x;
        } else if (strcmp(key, "restore_seconds") == 0 && read_fixed(v, 0, 86400, &x)) {
            p->restore_seconds = (uint32_t)x;
        } else if (strcmp(key, "daily_restores") == 0 && read_fixed(v, 0, 5, &x)) {
            p->daily_restores = (uint8_t)x;
        } else {
            char q[PREPAY__JSON_QUOTE_MAX + 16];
            return fail(err, cap, origin, SIZE_MAX, "\"load_control\": %s is not a member or not in its range",
                        prepay__json_quote(q, sizeof q, key));
        }
    }
    int status = prepay_lc_params_check(p);
    if (status != PREPAY_OK) {
        return fail(err, cap, origin, SIZE_MAX, "\"load_control\": %s", prepay_strerror(status));
    }
    return 0;
}

int emu_scenario_parse(emu_site_t *site, const char *text, size_t len, const char *origin, char *err,
                       size_t err_cap)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return fail(err, err_cap, origin, SIZE_MAX, "line %d: %s", jerr.line, jerr.text);
    }
    int rc = -1;
    emu_scenario_t *s = calloc(1, sizeof *s);
    const json_t *list = json_object_get(root, "conditions");
    const char *key;
    json_t *v;
    if (s == NULL) {
        snprintf(err, err_cap, "%s: out of memory", origin);
        goto done;
    }
    if (!json_is_object(root)) {
        fail(err, err_cap, origin, SIZE_MAX, "is not a JSON object");
        goto done;
    }
    json_object_foreach(root, key, v) {
        if (strcmp(key, "conditions") != 0 && strcmp(key, "load_control") != 0) {
            char q[PREPAY__JSON_QUOTE_MAX + 16];
            fail(err, err_cap, origin, SIZE_MAX, "unknown member %s", prepay__json_quote(q, sizeof q, key));
            goto done;
        }
    }
    if (!json_is_array(list) || json_array_size(list) > EMU_CONDITIONS_MAX) {
        fail(err, err_cap, origin, SIZE_MAX, "\"conditions\" is not a list of at most %u conditions",
             EMU_CONDITIONS_MAX);
        goto done;
    }
    s->count = json_array_size(list);
    s->conditions = calloc(s->count > 0 ? s->count : 1, sizeof *s->conditions);
    s->sups = calloc(site->meter_count, sizeof *s->sups);
    if (s->conditions == NULL || s->sups == NULL) {
        snprintf(err, err_cap, "%s: out of memory", origin);
        goto done;
    }
    for (size_t i = 0; i < s->count; i++) {
        if (read_condition(site, json_array_get(list, i), i, origin, &s->conditions[i], err, err_cap) != 0) {
            goto done;
        }
    }
    s->sup_count = site->meter_count;
    for (size_t i = 0; i < site->meter_count; i++) {
        const emu_line_t *line = &site->meters[i].line;
        prepay_events_wiring_t wiring = line->phases == 3 ? PREPAY_EVENTS_WIRING_3P4W : PREPAY_EVENTS_WIRING_SINGLE;
        /* Ib 5 A and Imax 60 A: the emulator's nameplate defaults (emu_electric.c). */
        int status = prepay_meter_supervision_init(&s->sups[i], wiring, line->voltage_dv, 50000, 600000);
        if (status == PREPAY_OK && read_load_control(json_object_get(root, "load_control"), origin,
                                                     &s->sups[i].lc_params, err, err_cap) != 0) {
            goto done;
        }
        if (status != PREPAY_OK) {
            fail(err, err_cap, origin, SIZE_MAX, "meter %zu: %s", i, prepay_strerror(status));
            goto done;
        }
    }
    for (size_t i = 0; i < site->meter_count; i++) {
        int status = prepay_meter_attach_supervision(&site->meters[i].meter, &s->sups[i]);
        if (status != PREPAY_OK) {
            for (size_t k = 0; k < i; k++) {
                (void)prepay_meter_attach_supervision(&site->meters[k].meter, NULL);
            }
            fail(err, err_cap, origin, SIZE_MAX, "meter %zu: %s", i, prepay_strerror(status));
            goto done;
        }
    }
    site->scenario = s;
    s = NULL;
    rc = 0;
done:
    if (s != NULL) {
        free(s->conditions);
        free(s->sups);
        free(s);
    }
    json_decref(root);
    return rc;
}

int emu_scenario_load(emu_site_t *site, const char *path, char *err, size_t err_cap)
{
    char *text = NULL;
    size_t len = 0;
    if (cli_read_input(path, EMU_SCENARIO_FILE_MAX, &text, &len, NULL, err, err_cap) != 0) {
        return -1;
    }
    int rc = emu_scenario_parse(site, text, len, path, err, err_cap);
    free(text);
    return rc;
}

void emu_scenario_free(emu_site_t *site)
{
    emu_scenario_t *s = site->scenario;
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < site->meter_count && i < s->sup_count; i++) {
        (void)prepay_meter_attach_supervision(&site->meters[i].meter, NULL);
    }
    free(s->conditions);
    free(s->sups);
    free(s);
    site->scenario = NULL;
}

/* What the conditions of meter `index` in force at t add: watts (and their apparent power, 0.1 VA). */
typedef struct in_force {
    uint8_t sensors;
    bool reverse_load;        /* a single-phase meter's CT reversed: it measures the load as exported */
    int32_t extra_watts;
    int64_t extra_va_tenths;
} in_force_t;

static void conditions_at(const emu_site_t *site, size_t index, prepay_time_t t, prepay_meter_instant_t *in,
                          in_force_t *f)
{
    const emu_scenario_t *s = site->scenario;
    const emu_meter_t *m = &site->meters[index];
    int64_t pf = m->line.power_factor > 0 ? m->line.power_factor : 1000;
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < s->count; i++) {
        const emu_condition_t *c = &s->conditions[i];
        if (c->meter != index || t < c->from || t >= c->to) {
            continue;
        }
        unsigned p = c->phase > 0 ? c->phase - 1u : 0u;
        switch (c->kind) {
        case EMU_INJECT_COVER_OPEN:
            f->sensors |= PREPAY_EVENTS_FLAG_COVER_OPEN;
            break;
        case EMU_INJECT_TERMINAL_COVER_OPEN:
            f->sensors |= PREPAY_EVENTS_FLAG_TERMINAL_COVER_OPEN;
            break;
        case EMU_INJECT_MAGNET:
            f->sensors |= PREPAY_EVENTS_FLAG_MAGNETIC;
            break;
        case EMU_INJECT_OVERLOAD:
            f->extra_watts += c->value;
            f->extra_va_tenths += (int64_t)c->value * 10 * 1000 / pf;
            break;
        case EMU_INJECT_HEATER:
            f->extra_watts += c->value;
            f->extra_va_tenths += (int64_t)c->value * 10;
            break;
        case EMU_INJECT_REVERSED:
            f->reverse_load = m->line.phases != 3;
            break;
        default:
            break; /* the line conditions change the instant below */
        }
        if (in == NULL) {
            continue;
        }
        switch (c->kind) {
        case EMU_INJECT_LOSS_OF_VOLTAGE:
            in->voltage[p] = 0;
            break;
        case EMU_INJECT_LOSS_OF_CURRENT:
            in->current[p] = 0;
            in->power[p + 1u] = 0;
            break;
        case EMU_INJECT_REVERSED:
            in->current[p] = -in->current[p];
            in->power[p + 1u] = -in->power[p + 1u];
            in->power_factor[p + 1u] = (int16_t)-in->power_factor[p + 1u];
            if (m->line.phases != 3) { /* the whole meter is the one phase */
                in->power[0] = -in->power[0];
                in->power_factor[0] = (int16_t)-in->power_factor[0];
            }
            break;
        case EMU_INJECT_SAG:
            for (unsigned q = 0; q < 3; q++) {
                if ((c->phase == 0 || q == p) && in->voltage[q] > 0) {
                    in->voltage[q] = (uint16_t)c->value;
                }
            }
            break;
        default:
            break;
        }
    }
}

/* The load's own power at t (the relay aside). */
static int32_t base_watts(const emu_meter_t *m, prepay_time_t t, prepay_time_t *holds_until)
{
    const prepay_meter_load_t *load = &m->load;
    *holds_until = INT64_MAX;
    if (!m->has_load) {
        return 0;
    }
    if (load->kind == PREPAY_METER_LOAD_PROFILE && load->profile_len > 0 && load->step > 0) {
        int64_t step = (int64_t)load->step;
        int64_t k = (t - load->start) / step - ((t - load->start) % step < 0 ? 1 : 0);
        int64_t i = k % (int64_t)load->profile_len;
        if (i < 0) {
            i += (int64_t)load->profile_len;
        }
        *holds_until = load->start + (k + 1) * step;
        return load->profile[i];
    }
    return load->kind == PREPAY_METER_LOAD_CONSTANT ? load->watts : 0;
}

void emu_scenario_apply(emu_site_t *site, emu_meter_t *m)
{
    if (site->scenario == NULL) {
        return;
    }
    size_t index = (size_t)(m - site->meters);
    prepay_meter_instant_t in = m->meter.instant;
    in_force_t f;
    bool open = (m->meter.relay & PREPAY_METER_RELAY_OPEN) != 0;
    conditions_at(site, index, m->meter.clock, &in, &f);
    if (f.extra_watts != 0 && !open) {
        /* The extra load on phase A: P and S add, I = S / U, the power factors follow. */
        int64_t p_add = (int64_t)f.extra_watts * 10;
        in.power[0] += (int32_t)p_add;
        in.power[1] += (int32_t)p_add;
        in.apparent[0] += (int32_t)f.extra_va_tenths;
        in.apparent[1] += (int32_t)f.extra_va_tenths;
        if (in.voltage[0] > 0) {
            in.current[0] = (int32_t)((int64_t)in.apparent[1] * 1000 / in.voltage[0]);
        }
        for (unsigned q = 0; q <= 1; q++) {
            if (in.apparent[q] > 0) {
                in.power_factor[q] = (int16_t)((int64_t)in.power[q] * 1000 / in.apparent[q]);
            }
        }
    }
    (void)prepay_meter_set_instant(&m->meter, &in);
    (void)prepay_meter_set_sensors(&m->meter, f.sensors);
}

int emu_scenario_advance(emu_site_t *site, emu_meter_t *m, prepay_time_t end)
{
    const emu_scenario_t *s = site->scenario;
    size_t index = (size_t)(m - site->meters);
    while (m->meter.clock < end) {
        prepay_time_t t = m->meter.clock;
        prepay_time_t seg = end;
        for (size_t i = 0; i < s->count; i++) {
            const emu_condition_t *c = &s->conditions[i];
            if (c->meter != index) {
                continue;
            }
            if (c->from > t && c->from < seg) {
                seg = c->from;
            }
            if (c->to > t && c->to < seg) {
                seg = c->to;
            }
        }
        emu_electric_update(m);
        emu_scenario_apply(site, m);
        in_force_t f;
        conditions_at(site, index, t, NULL, &f);
        prepay_meter_load_t load;
        const prepay_meter_load_t *use = m->has_load ? &m->load : NULL;
        if (f.extra_watts != 0 || f.reverse_load) {
            prepay_time_t holds;
            int32_t w = base_watts(m, t, &holds) + f.extra_watts;
            if (holds < seg) {
                seg = holds;
            }
            memset(&load, 0, sizeof load);
            load.kind = PREPAY_METER_LOAD_CONSTANT;
            load.watts = f.reverse_load ? -w : w; /* a reversed CT: the meter counts it as reverse energy */
            use = &load;
        }
        int status = prepay_meter_advance(&m->meter, seg - t, use);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}
