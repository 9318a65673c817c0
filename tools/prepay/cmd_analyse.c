/* SPDX-License-Identifier: MIT */
/*
 * prepay analyse: the station-side theft analysis (prepay_analysis_run,
 * analysis.h) over event records and readings, and the voltage
 * qualification (voltage_qualification.h) over minute voltages.
 *
 *   prepay analyse [EVENTS.csv ...] [--readings READINGS.csv] [--meters METERS.csv]
 *                  [--voltages VOLTAGES.csv] [--rated V] [--csv | --json]
 *
 * EVENTS.csv is what `prepay meter events --records` writes
 * (meter,kind,phase,start,end). READINGS.csv: meter,time,forward,reverse
 * [,current] (kWh registers, A). METERS.csv: meter,group,role,consumption_only
 * (role master|sub|none); a meter not listed is alone and consumption-only.
 * VOLTAGES.csv: meter,time,voltage (one value per minute, V). Suspicions are a
 * result (exit 0); inputs are read and checked before anything is printed.
 * Conventions: docs/cli.md.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"
#include "cli_file.h"
#include "cli_options.h"
#include "cli_text.h"
#include "commands.h"
#include "event_kinds.h"
#include "prepay/analysis.h"
#include "prepay/civil_time.h"
#include "prepay/hosted_status.h"
#include "prepay/voltage_qualification.h"

#define ANALYSE_FILE_MAX (256u * 1024u * 1024u)
#define ANALYSE_FILES_MAX 16u

typedef struct options {
    const char *readings;
    const char *meters;
    const char *voltages;
    int64_t rated;    /* --rated: Un in 0.1 V (default 220.0 V) */
    bool has_rated;
    bool csv;
    bool json;
} options_t;

/* The meters met in the inputs, by name (the address text); id = index + 1. */
typedef struct names {
    char (*name)[32];
    prepay_analysis_meter_t *meters;
    size_t count, cap;
} names_t;

typedef struct inputs {
    names_t names;
    prepay_analysis_reading_t *readings;
    size_t reading_count, reading_cap;
    prepay_analysis_event_t *events;
    size_t event_count, event_cap;
    bool *listed; /* per meter: given in METERS.csv */
} inputs_t;

static void *grow(void *p, size_t *cap, size_t count, size_t size)
{
    if (count < *cap) {
        return p;
    }
    size_t n = *cap ? *cap * 2 : 64;
    void *q = realloc(p, n * size);
    if (q) {
        *cap = n;
    }
    return q;
}

/* The id of a meter name, added when new; 0 when out of memory or the name is not a meter address. */
static uint32_t meter_id(names_t *n, const char *name)
{
    prepay_dlt645_address_t a;
    if (prepay_dlt645_address_from_string(name, strlen(name), &a) != PREPAY_OK) {
        return 0;
    }
    for (size_t i = 0; i < n->count; i++) {
        if (strcmp(n->name[i], name) == 0) {
            return (uint32_t)(i + 1);
        }
    }
    size_t cap = n->cap;
    void *names = grow(n->name, &cap, n->count, sizeof *n->name);
    if (!names) {
        return 0;
    }
    n->name = names;
    void *meters = grow(n->meters, &n->cap, n->count, sizeof *n->meters);
    if (!meters) {
        return 0;
    }
    n->meters = meters;
    snprintf(n->name[n->count], sizeof n->name[n->count], "%s", name);
    prepay_analysis_meter_t *m = &n->meters[n->count];
    memset(m, 0, sizeof *m);
    m->meter = (uint32_t)(n->count + 1);
    m->consumption_only = 1;
    n->count++;
    return m->meter;
}

/* A decimal with at most `decimals` fraction digits as an integer of that many, >= 0. */
static bool parse_fixed(const char *text, unsigned decimals, int64_t max, int64_t *out)
{
    int64_t x = 0;
    int fraction = -1;
    if (*text == '\0') {
        return false;
    }
    for (const char *p = text; *p; p++) {
        if (*p == '.' && fraction < 0 && p != text) {
            fraction = 0;
            continue;
        }
        if (*p < '0' || *p > '9' || x > max || (fraction >= 0 && (unsigned)++fraction > decimals)) {
            return false;
        }
        x = x * 10 + (*p - '0');
    }
    if (fraction == 0) {
        return false; /* "12." */
    }
    for (int i = fraction < 0 ? 0 : fraction; i < (int)decimals; i++) {
        x *= 10;
    }
    *out = x;
    return x <= max;
}

static bool parse_time(const char *text, prepay_time_t *out)
{
    return prepay_time_parse(text, strlen(text), out) == PREPAY_OK;
}

/* Reads a CSV with the given header (the first `required` columns required, the rest optional, in order). */
typedef int (*row_fn)(inputs_t *in, const options_t *o, char **f, size_t count, char *err, size_t cap);

static int read_csv(const char *path, const char *const *columns, size_t required, size_t total, inputs_t *in,
                    const options_t *o, row_fn row, char *err, size_t err_cap)
{
    char *text = NULL;
    size_t len = 0;
    if (cli_read_input(path, ANALYSE_FILE_MAX, &text, &len, NULL, err, err_cap) != 0) {
        return -1;
    }
    cli_csv_t csv;
    cli_csv_init(&csv, text, len, path);
    int rc = 0;
    bool header = true;
    size_t width = 0;
    char why[256];
    int n;
    while ((n = cli_csv_next(&csv, err, err_cap)) > 0) {
        if (header) {
            header = false;
            width = csv.count;
            bool ok = width >= required && width <= total;
            for (size_t i = 0; ok && i < width; i++) {
                ok = strcmp(csv.fields[i], columns[i]) == 0;
            }
            if (!ok) {
                char want[160] = "";
                for (size_t i = 0; i < total; i++) {
                    snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s%s", i ? "," : "",
                             i == required ? "[" : "", columns[i]);
                }
                snprintf(err, err_cap, "%s:%lu: the header is not %s%s", path, csv.record_line, want,
                         total > required ? "]" : "");
                rc = -1;
                break;
            }
            continue;
        }
        if (csv.count != width) {
            snprintf(err, err_cap, "%s:%lu: %zu fields, the header has %zu", path, csv.record_line, csv.count, width);
            rc = -1;
            break;
        }
        if (row(in, o, csv.fields, csv.count, why, sizeof why) != 0) {
            snprintf(err, err_cap, "%s:%lu: %s", path, csv.record_line, why);
            rc = -1;
            break;
        }
    }
    if (n < 0) {
        rc = -1;
    } else if (rc == 0 && header) {
        snprintf(err, err_cap, "%s: empty (no header)", path);
        rc = -1;
    }
    cli_csv_free(&csv);
    free(text);
    return rc;
}

static int event_row(inputs_t *in, const options_t *o, char **f, size_t count, char *err, size_t cap)
{
    (void)o;
    (void)count;
    prepay_analysis_event_t e;
    memset(&e, 0, sizeof e);
    e.meter = meter_id(&in->names, f[0]);
    int kind = event_kind_named(f[1]);
    if (e.meter == 0) {
        return cli_message(-1, err, cap, "meter '%.40s' is not a 12-digit meter address", f[0]);
    }
    if (kind < 0) {
        return cli_message(-1, err, cap, "'%.40s' is not an event kind (loss_of_voltage, cover_open, ...)", f[1]);
    }
    e.kind = (uint8_t)kind;
    if (f[2][0] != '\0' && (strlen(f[2]) != 1 || f[2][0] < 'A' || f[2][0] > 'C')) {
        return cli_message(-1, err, cap, "phase '%.20s' is not A, B, C or empty", f[2]);
    }
    e.phase = f[2][0] ? (uint8_t)(f[2][0] - 'A' + 1) : 0;
    if (!parse_time(f[3], &e.start)) {
        return cli_message(-1, err, cap, "start '%.40s' is not a time 'YYYY-MM-DD hh:mm[:ss]'", f[3]);
    }
    if (f[4][0] != '\0' && (!parse_time(f[4], &e.end) || e.end < e.start)) {
        return cli_message(-1, err, cap, "end '%.40s' is not a time at or after the start (or empty)", f[4]);
    }
    prepay_analysis_event_t *events = grow(in->events, &in->event_cap, in->event_count, sizeof *events);
    if (!events) {
        return cli_message(-1, err, cap, "out of memory");
    }
    in->events = events;
    in->events[in->event_count++] = e;
    return 0;
}

static int reading_row(inputs_t *in, const options_t *o, char **f, size_t count, char *err, size_t cap)
{
    (void)o;
    prepay_analysis_reading_t r;
    memset(&r, 0, sizeof r);
    int64_t fwd, rev, cur = -1;
    r.meter = meter_id(&in->names, f[0]);
    if (r.meter == 0) {
        return cli_message(-1, err, cap, "meter '%.40s' is not a 12-digit meter address", f[0]);
    }
    if (!parse_time(f[1], &r.time)) {
        return cli_message(-1, err, cap, "time '%.40s' is not a time 'YYYY-MM-DD hh:mm[:ss]'", f[1]);
    }
    /* Registers in kWh with up to three decimals: Wh (docs/units.md). */
    if (!parse_fixed(f[2], 3, INT64_C(999999999999), &fwd) || !parse_fixed(f[3], 3, INT64_C(999999999999), &rev)) {
        return cli_message(-1, err, cap, "forward and reverse are registers in kWh (>= 0, at most 3 decimals)");
    }
    if (count > 4 && f[4][0] != '\0' && !parse_fixed(f[4], 3, 999999, &cur)) {
        return cli_message(-1, err, cap, "current '%.40s' is not a current in A (at most 3 decimals)", f[4]);
    }
    r.forward = fwd;
    r.reverse = rev;
    r.current = (int32_t)cur;
    prepay_analysis_reading_t *rs = grow(in->readings, &in->reading_cap, in->reading_count, sizeof *rs);
    if (!rs) {
        return cli_message(-1, err, cap, "out of memory");
    }
    in->readings = rs;
    in->readings[in->reading_count++] = r;
    return 0;
}

static int meter_row(inputs_t *in, const options_t *o, char **f, size_t count, char *err, size_t cap)
{
    (void)o;
    (void)count;
    uint32_t id = meter_id(&in->names, f[0]);
    if (id == 0) {
        return cli_message(-1, err, cap, "meter '%.40s' is not a 12-digit meter address", f[0]);
    }
    int64_t group;
    if (f[1][0] == '\0') {
        group = 0;
    } else if (!parse_fixed(f[1], 0, UINT32_MAX, &group)) {
        return cli_message(-1, err, cap, "group '%.40s' is not a number 0..4294967295 (or empty)", f[1]);
    }
    uint8_t role = strcmp(f[2], "master") == 0 ? 1 : strcmp(f[2], "sub") == 0 ? 2 : 0;
    if (role == 0 && strcmp(f[2], "none") != 0 && f[2][0] != '\0') {
        return cli_message(-1, err, cap, "role '%.40s' is not master, sub or none", f[2]);
    }
    if (strcmp(f[3], "0") != 0 && strcmp(f[3], "1") != 0) {
        return cli_message(-1, err, cap, "consumption_only '%.20s' is not 0 or 1", f[3]);
    }
    prepay_analysis_meter_t *m = &in->names.meters[id - 1];
    m->group = (uint32_t)group;
    m->role = role;
    m->consumption_only = f[3][0] == '1';
    return 0;
}

/* ---- voltage qualification ---------------------------------------------------------------------------- */

typedef struct vq_meter {
    uint32_t id;
    prepay_vq_state_t state;
    bool any;
} vq_meter_t;

typedef struct vq_run {
    prepay_vq_params_t params;
    vq_meter_t *meters; /* by id - 1 */
    size_t count;
} vq_run_t;

static vq_run_t vq_run_data;

static int voltage_row(inputs_t *in, const options_t *o, char **f, size_t count, char *err, size_t cap)
{
    (void)o;
    (void)count;
    uint32_t id = meter_id(&in->names, f[0]);
    prepay_time_t t;
    int64_t dv;
    if (id == 0) {
        return cli_message(-1, err, cap, "meter '%.40s' is not a 12-digit meter address", f[0]);
    }
    if (!parse_time(f[1], &t)) {
        return cli_message(-1, err, cap, "time '%.40s' is not a time 'YYYY-MM-DD hh:mm[:ss]'", f[1]);
    }
    if (!parse_fixed(f[2], 1, 9999, &dv)) {
        return cli_message(-1, err, cap, "voltage '%.40s' is not 0..999.9 V with at most one decimal", f[2]);
    }
    vq_run_t *v = &vq_run_data;
    if (id > v->count) {
        vq_meter_t *grown = realloc(v->meters, id * sizeof *grown);
        if (!grown) {
            return cli_message(-1, err, cap, "out of memory");
        }
        for (size_t i = v->count; i < id; i++) {
            memset(&grown[i], 0, sizeof grown[i]);
            grown[i].id = (uint32_t)(i + 1);
            (void)prepay_vq_init(&grown[i].state);
        }
        v->meters = grown;
        v->count = id;
    }
    int32_t u[PREPAY_EVENTS_PHASES];
    memset(u, 0, sizeof u);
    u[0] = (int32_t)dv;
    int status = prepay_vq_minute(&v->meters[id - 1].state, &v->params, t, u);
    if (status != PREPAY_OK) {
        return cli_message(-1, err, cap, "%s", status == PREPAY_E_EVENTS_TIME_ORDER
                                                    ? "minutes of a meter must come in time order, once each"
                                                    : prepay_strerror(status));
    }
    v->meters[id - 1].any = true;
    return 0;
}

/* ---- the command -------------------------------------------------------------------------------------- */

static const char *const rule_names[PREPAY_ANALYSIS_RULE_COUNT] = {
    "zero_advance", "step_drop", "reverse_energy", "after_tamper", "area_loss", "share_drop",
};

static int compare_readings(const void *a, const void *b)
{
    const prepay_analysis_reading_t *x = a, *y = b;
    if (x->meter != y->meter) {
        return x->meter < y->meter ? -1 : 1;
    }
    return x->time < y->time ? -1 : x->time > y->time ? 1 : 0;
}

/* The evidence as text: event kinds by name for after_tamper (observed the metering event, expected the
 * tamper event before it), numbers otherwise (Wh, Wh/day, 0.01 %: analysis.h). */
static void evidence_text(const prepay_analysis_suspicion_t *s, char observed[32], char expected[32])
{
    const char *a = s->rule == PREPAY_ANALYSIS_AFTER_TAMPER ? event_kind_name((unsigned)s->observed) : NULL;
    const char *b = s->rule == PREPAY_ANALYSIS_AFTER_TAMPER ? event_kind_name((unsigned)s->expected) : NULL;
    if (a && b) {
        snprintf(observed, 32, "%s", a);
        snprintf(expected, 32, "%s", b);
    } else {
        snprintf(observed, 32, "%" PRId64, s->observed);
        snprintf(expected, 32, "%" PRId64, s->expected);
    }
}

static json_t *time_json(prepay_time_t t)
{
    return t != 0 ? cli_json_time(t, PREPAY_TIME_TEXT_SECOND) : json_null();
}

static int emit_results(const cli_t *cli, const options_t *o, const inputs_t *in,
                        const prepay_analysis_suspicion_t *s, size_t n)
{
    char from[CLI_TEXT_MAX], to[CLI_TEXT_MAX];
    if (o->json) {
        json_t *obj = cli_result();
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "meter", json_string(in->names.name[s[i].meter - 1]));
            json_object_set_new(e, "rule", json_string(rule_names[s[i].rule]));
            json_object_set_new(e, "score", json_integer(s[i].score));
            json_object_set_new(e, "from", time_json(s[i].from));
            json_object_set_new(e, "to", time_json(s[i].to));
            char observed[32], expected[32];
            evidence_text(&s[i], observed, expected);
            bool kinds = s[i].rule == PREPAY_ANALYSIS_AFTER_TAMPER;
            json_object_set_new(e, "observed", kinds ? json_string(observed) : json_integer(s[i].observed));
            json_object_set_new(e, "expected", kinds ? json_string(expected) : json_integer(s[i].expected));
            json_array_append_new(list, e);
        }
        cli_set(obj, "suspicions", list);
        json_t *scores = json_array();
        for (size_t m = 0; m < in->names.count; m++) {
            json_t *e = json_object();
            json_object_set_new(e, "meter", json_string(in->names.name[m]));
            json_object_set_new(e, "score", json_integer(prepay_analysis_score(s, n, (uint32_t)(m + 1))));
            json_array_append_new(scores, e);
        }
        cli_set(obj, "scores", scores);
        json_t *vq = json_array();
        for (size_t m = 0; m < vq_run_data.count; m++) {
            const vq_meter_t *v = &vq_run_data.meters[m];
            prepay_vq_stats_t st;
            uint32_t qualified = 0, over = 0;
            if (!v->any || prepay_vq_stats(&v->state, &vq_run_data.params, PREPAY_VQ_THIS_MONTH, 1, &st) != PREPAY_OK) {
                continue;
            }
            bool rated = prepay_vq_rates(&st, &qualified, &over) == PREPAY_OK;
            json_t *e = json_object();
            json_object_set_new(e, "meter", json_string(in->names.name[m]));
            json_object_set_new(e, "monitored_minutes", json_integer(st.monitored));
            json_object_set_new(e, "over_upper_minutes", json_integer(st.over_upper));
            json_object_set_new(e, "under_lower_minutes", json_integer(st.under_lower));
            json_object_set_new(e, "qualified_rate", rated ? cli_json_fixed(qualified, 2) : json_null());
            json_array_append_new(vq, e);
        }
        cli_set(obj, "voltage_qualification", vq);
        return cli_emit(cli, obj);
    }
    if (o->csv) {
        printf("meter,rule,score,from,to,observed,expected\n");
    }
    for (size_t i = 0; i < n; i++) {
        cli_time_text(s[i].from, PREPAY_TIME_TEXT_SECOND, from);
        cli_time_text(s[i].to, PREPAY_TIME_TEXT_SECOND, to);
        char observed[32], expected[32];
        evidence_text(&s[i], observed, expected);
        if (o->csv) {
            printf("%s,%s,%" PRId32 ",%s,%s,%s,%s\n", in->names.name[s[i].meter - 1], rule_names[s[i].rule],
                   s[i].score, from, to, observed, expected);
        } else {
            printf("%-12s  %-14s score %4" PRId32 "  %s .. %s  observed %s  expected %s\n",
                   in->names.name[s[i].meter - 1], rule_names[s[i].rule], s[i].score, from, to, observed, expected);
        }
    }
    if (!o->csv) {
        printf("%zu suspicion%s over %zu meter%s\n", n, n == 1 ? "" : "s", in->names.count,
               in->names.count == 1 ? "" : "s");
        for (size_t m = 0; m < vq_run_data.count; m++) {
            const vq_meter_t *v = &vq_run_data.meters[m];
            prepay_vq_stats_t st;
            uint32_t qualified = 0, over = 0;
            if (!v->any || prepay_vq_stats(&v->state, &vq_run_data.params, PREPAY_VQ_THIS_MONTH, 1, &st) != PREPAY_OK) {
                continue;
            }
            if (prepay_vq_rates(&st, &qualified, &over) == PREPAY_OK) {
                printf("%-12s  voltage qualified %" PRIu32 ".%02" PRIu32 " %%  (%" PRIu32 " monitored minutes, %" PRIu32
                       " over, %" PRIu32 " under)\n",
                       in->names.name[m], qualified / 100, qualified % 100, st.monitored, st.over_upper,
                       st.under_lower);
            } else {
                printf("%-12s  voltage qualification: no monitored minute\n", in->names.name[m]);
            }
        }
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK
                                                  : cli_fail(cli, PREPAY_E_HOSTED_IO, "writing the output failed");
}

static const cli_option_t analyse_options[] = {
    {"readings", CLI_OPT_TEXT(options_t, readings), .arg = "READINGS.csv",
     .help = "register readings: meter,time,forward,reverse[,current] (kWh, A)"},
    {"meters", CLI_OPT_TEXT(options_t, meters), .arg = "METERS.csv",
     .help = "groups and roles: meter,group,role,consumption_only (role master|sub|none)"},
    {"voltages", CLI_OPT_TEXT(options_t, voltages), .arg = "VOLTAGES.csv",
     .help = "minute voltages for the qualification rate: meter,time,voltage (V)"},
    {"rated", CLI_OPT_DECIMAL(options_t, rated, 1, 1, 9999), CLI_GIVEN(options_t, has_rated), .arg = "V",
     .help = "rated voltage of the qualification limits (default 220.0; single phase, GB/T 12325)"},
    {"csv", CLI_OPT_FLAG(options_t, csv), .help = "the suspicions as CSV"},
    {.name = NULL},
};

static const cli_spec_t analyse_spec = {
    .program = "prepay analyse",
    .usage = "[EVENTS.csv ...] [--readings READINGS.csv] [--meters METERS.csv] [--voltages VOLTAGES.csv]\n"
             " [--rated V] [--csv|--json]",
    .summary = "Theft analysis over event records and readings (zero advance while current flows, step drop,\n"
               "reverse energy, metering events after tampering, area loss, share drop), each suspicion scored\n"
               "with its evidence; and the voltage qualification rate over minute voltages.",
    .options = analyse_options,
    .args = "EVENTS.csv",
    .min_args = 0,
    .max_args = ANALYSE_FILES_MAX,
    .json = true,
    .notes = "EVENTS.csv as written by 'prepay meter events --records': meter,kind,phase,start,end. Times\n"
             "'YYYY-MM-DD hh:mm[:ss]'; '-' reads the standard input (one file). Exit status: 0 done (also with\n"
             "suspicions), 1 the analysis failed, 2 bad command line or input (nothing printed).",
};

int prepay_tool_analyse(int argc, char **argv)
{
    cli_t cli;
    cli_args_t args;
    options_t o;
    char err[CLI_MESSAGE_MAX];
    memset(&o, 0, sizeof o);
    int parsed = cli_parse(&analyse_spec, argc, argv, &o, &args, err, sizeof err);
    if (parsed == 0 && !args.help && !args.version) {
        o.json = args.json;
        if (o.csv && o.json) {
            parsed = cli_message(CLI_EXIT_USAGE, err, sizeof err, "choose one of --csv and --json");
        } else if (args.count == 0 && !o.readings && !o.voltages) {
            parsed = cli_message(CLI_EXIT_USAGE, err, sizeof err,
                                 "nothing to analyse: give EVENTS.csv, --readings or --voltages");
        }
    }
    int rc = cli_begin(&cli, &analyse_spec, &args, parsed, err);
    if (rc >= 0) {
        return rc;
    }
    inputs_t in;
    memset(&in, 0, sizeof in);
    memset(&vq_run_data, 0, sizeof vq_run_data);
    uint16_t rated = o.has_rated ? (uint16_t)o.rated : 2200;
    int status = prepay_vq_params_default(&vq_run_data.params, PREPAY_EVENTS_WIRING_SINGLE, rated);
    static const char *const event_cols[] = {"meter", "kind", "phase", "start", "end"};
    static const char *const reading_cols[] = {"meter", "time", "forward", "reverse", "current"};
    static const char *const meter_cols[] = {"meter", "group", "role", "consumption_only"};
    static const char *const voltage_cols[] = {"meter", "time", "voltage"};
    int bad = status != PREPAY_OK ? cli_message(-1, err, sizeof err, "--rated: %s", prepay_strerror(status)) : 0;
    for (size_t i = 0; bad == 0 && i < args.count; i++) {
        bad = read_csv(args.args[i], event_cols, 5, 5, &in, &o, event_row, err, sizeof err);
    }
    if (bad == 0 && o.meters) {
        bad = read_csv(o.meters, meter_cols, 4, 4, &in, &o, meter_row, err, sizeof err);
    }
    if (bad == 0 && o.readings) {
        bad = read_csv(o.readings, reading_cols, 4, 5, &in, &o, reading_row, err, sizeof err);
    }
    if (bad == 0 && o.voltages) {
        bad = read_csv(o.voltages, voltage_cols, 3, 3, &in, &o, voltage_row, err, sizeof err);
    }
    prepay_analysis_suspicion_t *found = NULL;
    size_t n = 0;
    if (bad == 0) {
        if (in.reading_count > 1) {
            qsort(in.readings, in.reading_count, sizeof *in.readings, compare_readings);
        }
        prepay_analysis_rules_t rules;
        (void)prepay_analysis_rules_default(&rules);
        size_t cap = in.reading_count * 2 + in.event_count + in.names.count * 2 + 16;
        found = calloc(cap, sizeof *found);
        status = found ? prepay_analysis_run(&rules, in.names.meters, in.names.count, in.readings, in.reading_count,
                                             in.events, in.event_count, found, cap, &n)
                       : PREPAY_E_HOSTED_NO_MEMORY;
        if (status == PREPAY_E_ANALYSIS_ORDER || status == PREPAY_E_ANALYSIS_BAD_INPUT) {
            /* two readings of a meter at one time: the input breaks its format */
            rc = cli_bad_status(&cli, status, "%s: %s", o.readings ? o.readings : "input", prepay_strerror(status));
        } else if (status == PREPAY_E_ANALYSIS_REGISTER_BACKWARDS) {
            /* well-formed readings the analysis refuses: a register that went back (a meter change or a clear) */
            rc = cli_fail(&cli, status, "%s: %s", o.readings, prepay_strerror(status));
        } else if (status != PREPAY_OK) {
            rc = cli_fail(&cli, status, "the analysis failed: %s", prepay_strerror(status));
        } else {
            rc = emit_results(&cli, &o, &in, found, n);
        }
    } else {
        rc = cli_bad(&cli, "%s", err);
    }
    free(found);
    free(in.names.name);
    free(in.names.meters);
    free(in.readings);
    free(in.events);
    free(vq_run_data.meters);
    return cli_finish(&cli, rc);
}
