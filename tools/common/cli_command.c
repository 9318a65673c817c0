/* SPDX-License-Identifier: MIT */
/* The tools layer: --help text from the option table, the front of every command, subcommands (cli_options.h). */
#include <string.h>

#include "cli_options.h"
#include "prepay/status.h"

static const char *default_arg(const cli_option_t *o)
{
    switch (o->kind) {
    case CLI_INT:
    case CLI_U64: return "N";
    case CLI_DECIMAL: return "DECIMAL";
    case CLI_DATE: return "DATE";
    case CLI_TIME: return "TIME";
    default: return "VALUE";
    }
}

/* "--name ARG" of an option. */
static void option_label(const cli_option_t *o, char *out, size_t cap)
{
    if (o->kind == CLI_FLAG) {
        snprintf(out, cap, "--%s", o->name);
    } else if (o->kind == CLI_CHOICE && o->arg == NULL) {
        size_t used = (size_t)snprintf(out, cap, "--%s ", o->name);
        for (size_t i = 0; o->names[i] != NULL && used < cap; i++) {
            used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "|" : "", o->names[i]);
        }
    } else {
        snprintf(out, cap, "--%s %s", o->name, o->arg ? o->arg : default_arg(o));
    }
}

void cli_help(const cli_spec_t *spec, FILE *to)
{
    const char *form = spec->usage ? spec->usage : "";
    for (int line = 0;; line++) {
        size_t n = strcspn(form, "\n");
        if (line > 0 && form[0] == ' ') { /* a continuation of the form above */
            fprintf(to, "       %*s%.*s\n", (int)strlen(spec->program), "", (int)n, form);
        } else {
            fprintf(to, "%s %s %.*s\n", line == 0 ? "usage:" : "      ", spec->program, (int)n, form);
        }
        if (form[n] == '\0') {
            break;
        }
        form += n + 1;
    }
    if (spec->summary) {
        fprintf(to, "\n%s\n", spec->summary);
    }
    fprintf(to, "\noptions:\n");
    char label[96];
    for (size_t i = 0; spec->options != NULL && spec->options[i].name != NULL; i++) {
        const cli_option_t *o = &spec->options[i];
        if (o->help == NULL) {
            continue;
        }
        option_label(o, label, sizeof label);
        fprintf(to, "  %-26s %s\n", label, o->help);
    }
    if (spec->json) {
        fprintf(to, "  %-26s %s\n", "--json", "results (and errors) as JSON objects on stdout, one per line");
    }
    fprintf(to, "  %-26s %s\n", "-h, --help", "print this help and exit");
    fprintf(to, "  %-26s %s\n", "--version", "print the version and exit");
    if (spec->notes) {
        fprintf(to, "\n%s\n", spec->notes);
    }
    fprintf(to, "\nExit status: 0 done, 1 the operation failed, 2 bad command line or input (docs/cli.md).\n");
}

int cli_begin(cli_t *cli, const cli_spec_t *spec, const cli_args_t *args, int parse_status, const char *err)
{
    cli->program = spec->program;
    cli->json = args->json;
    if (args->help) {
        cli_help(spec, stdout);
        return CLI_EXIT_OK;
    }
    if (args->version) {
        return cli_print_version(cli);
    }
    if (parse_status != 0) {
        return cli_bad(cli, "%s", err[0] ? err : "bad command line (try --help)");
    }
    return -1;
}

int cli_start(cli_t *cli, const cli_spec_t *spec, int argc, char **argv, void *out, cli_args_t *args)
{
    char err[CLI_MESSAGE_MAX];
    int rc = cli_parse(spec, argc, argv, out, args, err, sizeof err);
    return cli_begin(cli, spec, args, rc, err);
}

/* Whether --json is on the line (for the error of a missing or unknown subcommand). */
static bool wants_json(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            return true;
        }
    }
    return false;
}

static void list_commands(const char *program, const cli_command_t *commands, size_t count, FILE *to)
{
    fprintf(to, "usage: %s COMMAND [options]\n\ncommands:\n", program);
    for (size_t i = 0; i < count; i++) {
        fprintf(to, "  %-13s  %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(to, "\nRun '%s COMMAND --help' for a command's options. Every command takes --help and --version;\n"
                "those that print results take --json (docs/cli.md).\n",
            program);
}

int cli_dispatch(const char *program, const cli_command_t *commands, size_t count, int argc, char **argv)
{
    cli_t cli = {program, wants_json(argc, argv)};
    const char *name = argc >= 2 ? argv[1] : NULL;
    if (name != NULL && (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)) {
        list_commands(program, commands, count, stdout);
        return CLI_EXIT_OK;
    }
    if (name != NULL && strcmp(name, "--version") == 0) {
        return cli_print_version(&cli);
    }
    for (size_t i = 0; name != NULL && i < count; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    char names[256];
    size_t used = 0;
    names[0] = '\0';
    for (size_t i = 0; i < count && used < sizeof names; i++) {
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", commands[i].name);
    }
    if (name == NULL || (name[0] == '-' && strcmp(name, "-") != 0)) {
        return name == NULL ? cli_bad(&cli, "no command given (%s; try --help)", names)
                            : cli_bad(&cli, "a command comes first (%s), not '%.64s' (try --help)", names, name);
    }
    return cli_bad(&cli, "unknown %s '%.64s' (%s; try --help)", strchr(program, ' ') ? "subcommand" : "command",
                   name, names);
}
