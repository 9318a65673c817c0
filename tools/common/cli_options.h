/* SPDX-License-Identifier: MIT */
/*
 * The tools layer (hosted): one table-driven command-line parser for every
 * command of `prepay` and `prepay-emu` (docs/cli.md, "Options").
 *
 * A command describes its options in a table: the name (without the two
 * dashes), the kind of value, where the value goes in the command's own
 * option struct, its range, a metavariable and a help line. The parser
 * takes `--name value` and `--name=value` anywhere on the line (options and
 * arguments may interleave; `--` ends the options; `-` is an argument, the
 * standard input or output), checks every value against its kind and range,
 * refuses unknown, repeated and missing-value options with a one-line
 * message, and handles `-h`/`--help`, `--version` and `--json` for every
 * command. It has no side effects: nothing is opened or printed, and every
 * string it stores points into argv.
 *
 *     typedef struct { const char *csv; int64_t price; bool json; } opts_t;
 *     static const cli_option_t options[] = {
 *         {"price", CLI_OPT_DECIMAL(opts_t, price, 8, 0, PREPAY_PRICE_MAX), .arg = "PRICE", .help = "per kWh"},
 *         {.name = NULL},
 *     };
 */
#ifndef PREPAY_TOOL_CLI_OPTIONS_H
#define PREPAY_TOOL_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

/* Positional arguments one command line may carry. */
#define CLI_ARGS_MAX 256
/* Options one table may hold (one bit each in cli_args_t.given). */
#define CLI_OPTIONS_MAX 64

typedef enum cli_kind {
    CLI_FLAG = 1, /* bool true; takes no value */
    CLI_TEXT,     /* const char * (into argv) */
    CLI_INT,      /* an integer in [min, max], stored in a C integer of `size` bytes */
    CLI_U64,      /* uint64_t, 0 .. 2^64-1 */
    CLI_DECIMAL,  /* int64_t scaled by 10^decimals (prepay_fixed_parse), in [min, max] */
    CLI_CHOICE,   /* one of names[], stored as values[i] (or i) in a C integer of `size` bytes */
    CLI_DATE,     /* prepay_days_t: YYYY-MM-DD or YYYY/MM/DD */
    CLI_TIME,     /* prepay_time_t: a date and a time of day, or a date alone (its midnight) */
    CLI_CUSTOM    /* parse(value, out, err, err_cap) */
} cli_kind_t;

/* Option flags. */
#define CLI_REPEATABLE 0x100u /* a later value replaces an earlier one (else: "given twice") */

typedef struct cli_option {
    const char *name; /* "amount" for --amount; NULL ends a table */
    cli_kind_t kind;
    size_t offset;   /* of the value in the command's option struct */
    size_t size;     /* CLI_INT, CLI_DECIMAL, CLI_CHOICE, CLI_DATE, CLI_TIME: bytes of the C integer */
    size_t given;    /* CLI_GIVEN(): 1 + offset of a bool set when the option is given; 0: none */
    int64_t min, max;
    unsigned decimals; /* CLI_DECIMAL */
    unsigned flags;    /* CLI_NUMBER_HEX / CLI_NUMBER_PREFIX (cli_text.h) for integers; CLI_REPEATABLE */
    const char *const *names; /* CLI_CHOICE: NULL-terminated */
    const int *values;        /* CLI_CHOICE: the value of each name (NULL: its index) */
    int (*parse)(const char *value, void *out, char *err, size_t err_cap); /* CLI_CUSTOM: 0 or -1 */
    const char *arg;  /* the value in the help ("MONEY"); a default by kind */
    const char *help; /* one line; NULL leaves the option out of --help */
} cli_option_t;

#define CLI_MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define CLI_OPT_FLAG(T, m) .kind = CLI_FLAG, .offset = offsetof(T, m)
#define CLI_OPT_TEXT(T, m) .kind = CLI_TEXT, .offset = offsetof(T, m)
#define CLI_OPT_INT(T, m, lo, hi)                                                                                      \
    .kind = CLI_INT, .offset = offsetof(T, m), .size = CLI_MEMBER_SIZE(T, m), .min = (lo), .max = (hi)
#define CLI_OPT_U64(T, m) .kind = CLI_U64, .offset = offsetof(T, m)
#define CLI_OPT_DECIMAL(T, m, places, lo, hi)                                                                          \
    .kind = CLI_DECIMAL, .offset = offsetof(T, m), .size = CLI_MEMBER_SIZE(T, m), .decimals = (places), .min = (lo),  \
    .max = (hi)
#define CLI_OPT_CHOICE(T, m, name_list)                                                                                \
    .kind = CLI_CHOICE, .offset = offsetof(T, m), .size = CLI_MEMBER_SIZE(T, m), .names = (name_list)
#define CLI_OPT_DATE(T, m) .kind = CLI_DATE, .offset = offsetof(T, m), .size = CLI_MEMBER_SIZE(T, m)
#define CLI_OPT_TIME(T, m) .kind = CLI_TIME, .offset = offsetof(T, m), .size = CLI_MEMBER_SIZE(T, m)
#define CLI_OPT_CUSTOM(T, m, fn) .kind = CLI_CUSTOM, .offset = offsetof(T, m), .parse = (fn)
/* A bool member of the same struct set when the option is given. */
#define CLI_GIVEN(T, m) .given = offsetof(T, m) + 1

/* A command: its name, the forms of its line, what it does, its options. */
typedef struct cli_spec {
    const char *program;         /* "prepay bill": the prefix of messages and of the usage lines */
    const char *usage;           /* what follows the program; several forms separated by '\n' */
    const char *summary;         /* what the command does (a few lines) */
    const cli_option_t *options; /* NULL-name terminated, or NULL */
    const char *args;            /* the positional arguments' names for messages ("SITE.json"), space separated */
    size_t min_args, max_args;
    bool json;         /* --json is accepted */
    const char *notes; /* printed after the options (formats, exit status, ...) */
} cli_spec_t;

/* What the parser found besides the option values. */
typedef struct cli_args {
    bool help, version, json;
    uint64_t given; /* bit i: options[i] was given */
    const char *args[CLI_ARGS_MAX];
    size_t count;
} cli_args_t;

/*
 * Parses argv[1..argc) (argv[0] names the command) into `out` (the
 * command's option struct, defaults set by the caller) and `args`.
 * Returns 0, or CLI_EXIT_USAGE with a one-line message in err. With
 * -h/--help or --version anywhere it returns 0 with args->help or
 * args->version set, whatever else the line holds.
 */
int cli_parse(const cli_spec_t *spec, int argc, char **argv, void *out, cli_args_t *args, char *err, size_t err_cap);

/* True if the option `name` was given. */
bool cli_given(const cli_spec_t *spec, const cli_args_t *args, const char *name);
/* Refuses the options given that `allowed` (names, space separated) does not list:
 * "option --x does not apply to CONTEXT". Returns 0 or CLI_EXIT_USAGE. */
int cli_only(const cli_spec_t *spec, const cli_args_t *args, const char *allowed, const char *context, char *err,
             size_t err_cap);

/* One form of a command whose first argument says what to do (`encode read`, `encode write`). */
typedef struct cli_form {
    const char *name;  /* the first argument; NULL ends a table */
    const char *takes; /* the options it takes besides the command's common ones (names, space separated) */
    const char *needs; /* the options it needs */
} cli_form_t;

/*
 * Finds args->args[0] among forms, refuses the options the form does not
 * take (besides `common`), and names the first option it needs that is not
 * given. Returns the form's index, or -1 with a one-line message in err
 * ("unknown WHAT 'x' (a, b, c)", "option --x does not apply to PREFIX
 * NAME", "PREFIX NAME needs --x").
 */
int cli_pick_form(const cli_spec_t *spec, const cli_args_t *args, const cli_form_t *forms, const char *common,
                  const char *what, const char *prefix, char *err, size_t err_cap);

/* Prints the help of a command: usage lines, summary, options, notes. */
void cli_help(const cli_spec_t *spec, FILE *to);

/*
 * The front of every command, after its input stage (cli_parse() and the
 * command's own checks, returning 0 or CLI_EXIT_USAGE with a message in
 * err): sets up *cli (program, --json), prints the help or the version, or
 * reports the usage error. Returns -1 when the command should run, else
 * the exit status to return.
 */
int cli_begin(cli_t *cli, const cli_spec_t *spec, const cli_args_t *args, int parse_status, const char *err);
/* cli_parse() then cli_begin(), for a command without checks of its own. */
int cli_start(cli_t *cli, const cli_spec_t *spec, int argc, char **argv, void *out, cli_args_t *args);

/* ---- commands with subcommands ------------------------------------------------------------ */

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
    const char *summary;
} cli_command_t;

/*
 * Runs the subcommand named by argv[1] (argv[0] names the command itself,
 * `program` is its full name, e.g. "prepay dlt645"). --help and --version
 * before a subcommand are answered here; no or an unknown subcommand is a
 * usage error (exit 2), in JSON when --json is on the line.
 */
int cli_dispatch(const char *program, const cli_command_t *commands, size_t count, int argc, char **argv);

#endif
