/* SPDX-License-Identifier: MIT */
/* The tools layer: the one command-line parser (cli_options.h). */
#include "cli_options.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cli_text.h"
#include "json_internal.h" /* prepay__json_store_int: a value into a C integer of any size */
#include "prepay/status.h"

/* The parse of one line: the first problem is kept, the scan goes on for --help and --version. */
typedef struct parser {
    const cli_spec_t *spec;
    void *out;
    cli_args_t *args;
    char *err;
    size_t err_cap;
    bool failed;
} parser_t;

static void fail(parser_t *p, const char *fmt, ...) CLI_PRINTF(2, 3);

static void fail(parser_t *p, const char *fmt, ...)
{
    if (p->failed) {
        return;
    }
    p->failed = true;
    if (p->err_cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, p->err_cap, fmt, ap);
        va_end(ap);
    }
}

static const cli_option_t *find_option(const cli_spec_t *spec, const char *name, size_t name_len, size_t *index)
{
    for (size_t i = 0; spec->options != NULL && spec->options[i].name != NULL; i++) {
        if (strlen(spec->options[i].name) == name_len && memcmp(spec->options[i].name, name, name_len) == 0) {
            *index = i;
            return &spec->options[i];
        }
    }
    return NULL;
}

/* "a, b or c" of a choice's names. */
static void choice_list(const cli_option_t *o, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; o->names[i] != NULL && used < cap; i++) {
        const char *sep = i == 0 ? "" : o->names[i + 1] == NULL ? " or " : ", ";
        int n = snprintf(out + used, cap - used, "%s%s", sep, o->names[i]);
        used += n > 0 ? (size_t)n : 0;
    }
}

/* Reads one option's value into the command's struct; on a bad value records the message. */
static void convert(parser_t *p, const cli_option_t *o, const char *value)
{
    char *slot = (char *)p->out + o->offset;
    char lo[CLI_TEXT_MAX], hi[CLI_TEXT_MAX];
    switch (o->kind) {
    case CLI_FLAG: *(bool *)(void *)slot = true; return;
    case CLI_TEXT: memcpy(slot, &value, sizeof value); return;
    case CLI_INT: {
        int64_t v = 0;
        if (cli_parse_int(value, o->min, o->max, o->flags, &v) != 0) {
            fail(p, "--%s takes %s %" PRId64 "..%" PRId64 ", not '%.64s'", o->name,
                 (o->flags & CLI_NUMBER_HEX) ? "a hexadecimal number" : "an integer", o->min, o->max, value);
            return;
        }
        prepay__json_store_int(slot, o->size, v);
        return;
    }
    case CLI_U64: {
        uint64_t v = 0;
        if (cli_parse_u64(value, UINT64_MAX, o->flags, &v) != 0) {
            fail(p, "--%s takes an integer 0..18446744073709551615, not '%.64s'", o->name, value);
            return;
        }
        memcpy(slot, &v, sizeof v);
        return;
    }
    case CLI_DECIMAL: {
        int64_t v = 0;
        if (cli_parse_decimal(value, o->decimals, o->min, o->max, &v) != 0) {
            fail(p, "--%s takes a decimal with at most %u places, %s..%s, not '%.64s'", o->name, o->decimals,
                 cli_fixed_text(o->min, o->decimals, lo), cli_fixed_text(o->max, o->decimals, hi), value);
            return;
        }
        prepay__json_store_int(slot, o->size, v);
        return;
    }
    case CLI_CHOICE: {
        for (size_t i = 0; o->names[i] != NULL; i++) {
            if (strcmp(o->names[i], value) == 0) {
                prepay__json_store_int(slot, o->size, o->values ? o->values[i] : (int64_t)i);
                return;
            }
        }
        char list[256];
        choice_list(o, list, sizeof list);
        fail(p, "--%s takes %s, not '%.64s'", o->name, list, value);
        return;
    }
    case CLI_DATE: {
        prepay_days_t d = 0;
        if (prepay_time_parse_date(value, strlen(value), &d) != PREPAY_OK) {
            fail(p, "--%s takes a date YYYY-MM-DD or YYYY/MM/DD, not '%.64s'", o->name, value);
            return;
        }
        prepay__json_store_int(slot, o->size, d);
        return;
    }
    case CLI_TIME: {
        prepay_time_t t = 0;
        if (prepay_time_parse(value, strlen(value), &t) != PREPAY_OK) {
            fail(p, "--%s takes a local time 'YYYY-MM-DD hh:mm[:ss]' (or YYYY/MM/DD, or a date alone), not '%.64s'",
                 o->name, value);
            return;
        }
        prepay__json_store_int(slot, o->size, t);
        return;
    }
    case CLI_CUSTOM: {
        char why[200] = "";
        if (o->parse(value, slot, why, sizeof why) != 0) {
            fail(p, "--%s: %s", o->name, why[0] ? why : "bad value");
        }
        return;
    }
    }
    fail(p, "--%s: unknown option kind", o->name);
}

/* "--name" or "--name=value" at argv[*i]; may take argv[*i + 1] as the value. */
static void long_option(parser_t *p, int argc, char **argv, int *i)
{
    const char *a = argv[*i] + 2;
    const char *eq = strchr(a, '=');
    size_t name_len = eq ? (size_t)(eq - a) : strlen(a);
    size_t index = 0;
    const cli_option_t *o = find_option(p->spec, a, name_len, &index);
    if (o == NULL) {
        fail(p, "unknown option '--%.*s' (try --help)", (int)(name_len < 64 ? name_len : 64), a);
        return;
    }
    const char *value = NULL;
    if (o->kind == CLI_FLAG) {
        if (eq) {
            fail(p, "option --%s takes no value", o->name);
            return;
        }
    } else if (eq) {
        value = eq + 1;
    } else if (*i + 1 < argc) {
        value = argv[++*i];
    } else {
        fail(p, "option --%s needs a value (%s)", o->name, o->arg ? o->arg : "try --help");
        return;
    }
    uint64_t bit = index < 64 ? UINT64_C(1) << index : 0;
    if ((p->args->given & bit) != 0 && o->kind != CLI_FLAG && !(o->flags & CLI_REPEATABLE)) {
        fail(p, "option --%s given twice", o->name);
        return;
    }
    p->args->given |= bit;
    if (o->given != 0) {
        *(bool *)(void *)((char *)p->out + o->given - 1) = true;
    }
    convert(p, o, value ? value : "");
}

/* The name of positional argument `index` from the spec's list ("SITE.json"). */
static void arg_name(const cli_spec_t *spec, size_t index, char *out, size_t cap)
{
    const char *s = spec->args ? spec->args : "";
    for (size_t k = 0; k < index && *s; k++) {
        s += strcspn(s, " ");
        s += strspn(s, " ");
    }
    size_t n = strcspn(s, " ");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), n ? s : "ARGUMENT");
}

int cli_parse(const cli_spec_t *spec, int argc, char **argv, void *out, cli_args_t *args, char *err, size_t err_cap)
{
    parser_t p = {spec, out, args, err, err_cap, false};
    memset(args, 0, sizeof *args);
    if (err_cap > 0) {
        err[0] = '\0';
    }
    size_t option_count = 0;
    while (spec->options != NULL && spec->options[option_count].name != NULL) {
        option_count++;
    }
    if (option_count > CLI_OPTIONS_MAX) {
        fail(&p, "%s: more than %d options in its table", spec->program, CLI_OPTIONS_MAX);
    }
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        /* An argument: not an option, '-' (stdin / stdout), after '--', or a negative number. */
        bool negative_number = a[0] == '-' && a[1] >= '0' && a[1] <= '9';
        if (options_done || a[0] != '-' || a[1] == '\0' || negative_number) {
            if (args->count == CLI_ARGS_MAX) {
                fail(&p, "more than %d arguments", CLI_ARGS_MAX);
            } else {
                args->args[args->count++] = a;
            }
        } else if (strcmp(a, "--") == 0) {
            options_done = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            args->help = true;
        } else if (strcmp(a, "--version") == 0) {
            args->version = true;
        } else if (spec->json && strcmp(a, "--json") == 0) {
            args->json = true;
        } else if (a[1] == '-') {
            long_option(&p, argc, argv, &i);
        } else {
            fail(&p, "unknown option '%.64s' (options are spelled --name; try --help)", a);
        }
    }
    if (args->help || args->version) {
        return 0;
    }
    if (!p.failed && args->count < spec->min_args) {
        char name[64];
        arg_name(spec, args->count, name, sizeof name);
        fail(&p, "missing %s (try --help)", name);
    }
    if (!p.failed && args->count > spec->max_args) {
        fail(&p, spec->max_args == 0 ? "unexpected argument '%.64s' (this command takes none)"
                                     : "unexpected argument '%.64s' (try --help)",
             args->args[spec->max_args]);
    }
    return p.failed ? CLI_EXIT_USAGE : 0;
}

bool cli_given(const cli_spec_t *spec, const cli_args_t *args, const char *name)
{
    size_t index = 0;
    return find_option(spec, name, strlen(name), &index) != NULL && index < 64 &&
           (args->given & (UINT64_C(1) << index)) != 0;
}

/* Whether the space-separated list holds the word. */
static bool listed(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *s = list; *s;) {
        size_t k = strcspn(s, " ");
        if (k == n && memcmp(s, word, n) == 0) {
            return true;
        }
        s += k;
        s += strspn(s, " ");
    }
    return false;
}

int cli_only(const cli_spec_t *spec, const cli_args_t *args, const char *allowed, const char *context, char *err,
             size_t err_cap)
{
    for (size_t i = 0; spec->options != NULL && spec->options[i].name != NULL && i < 64; i++) {
        if ((args->given & (UINT64_C(1) << i)) != 0 && !listed(allowed, spec->options[i].name)) {
            snprintf(err, err_cap, "option --%s does not apply to %s", spec->options[i].name, context);
            return CLI_EXIT_USAGE;
        }
    }
    return 0;
}

int cli_pick_form(const cli_spec_t *spec, const cli_args_t *args, const cli_form_t *forms, const char *common,
                  const char *what, const char *prefix, char *err, size_t err_cap)
{
    const char *name = args->count > 0 ? args->args[0] : "";
    int index = -1;
    char names[256];
    size_t used = 0;
    names[0] = '\0';
    for (int i = 0; forms[i].name != NULL; i++) {
        index = strcmp(forms[i].name, name) == 0 ? i : index;
        if (used < sizeof names) {
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", forms[i].name);
        }
    }
    if (index < 0) {
        snprintf(err, err_cap, "unknown %s '%.32s' (%s)", what, name, names);
        return -1;
    }
    const cli_form_t *f = &forms[index];
    char context[64], allowed[256];
    snprintf(context, sizeof context, "%s %s", prefix, f->name);
    snprintf(allowed, sizeof allowed, "%s %s", common ? common : "", f->takes);
    if (cli_only(spec, args, allowed, context, err, err_cap) != 0) {
        return -1;
    }
    for (const char *needs = f->needs; *needs;) {
        size_t n = strcspn(needs, " ");
        char option[32];
        snprintf(option, sizeof option, "%.*s", (int)(n < sizeof option ? n : sizeof option - 1), needs);
        if (!cli_given(spec, args, option)) {
            snprintf(err, err_cap, "%s needs --%s (try --help)", context, option);
            return -1;
        }
        needs += n;
        needs += strspn(needs, " ");
    }
    return index;
}
