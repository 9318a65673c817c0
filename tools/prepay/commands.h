/*
 * The prepay command-line tool: one file per subcommand (cmd_<name>.c), each
 * exporting one entry point with this signature. main.c dispatches.
 *
 * Conventions for every subcommand: human-readable text by default, JSON with
 * --json; bad input gives a one-line message on stderr and exit status 2;
 * failure of the operation itself exits 1.
 */
#ifndef PREPAY_TOOL_COMMANDS_H
#define PREPAY_TOOL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int (*prepay_tool_command_fn)(int argc, char **argv);

int prepay_tool_version(int argc, char **argv);
int prepay_tool_bill(int argc, char **argv);
int prepay_tool_cjt188(int argc, char **argv);
int prepay_tool_demo(int argc, char **argv);
int prepay_tool_dlt645(int argc, char **argv);
int prepay_tool_ledger(int argc, char **argv);
int prepay_tool_meter(int argc, char **argv);
int prepay_tool_report(int argc, char **argv);
int prepay_tool_modbus(int argc, char **argv);
int prepay_tool_tariff(int argc, char **argv);

/*
 * Each command's options, parsed from its argv (argv[0] the command name)
 * without side effects: nothing is opened or printed. Returns 0, or 2 with
 * a one-line message in err. Strings point into argv. (The fuzz target
 * fuzz/cli_args_fuzzer.c drives these.)
 */
typedef struct bill_options {
    const char *path, *csv;
    bool json, help;
} bill_options_t;
int prepay_bill_options_parse(int argc, char **argv, bill_options_t *out, char *err, size_t err_cap);

typedef struct tariff_options {
    const char *sub;             /* check, bill or vend */
    const char *positional[2];
    size_t positional_count;
    const char *amount, *used, *at, *band, *quantum, *household;
    bool json, help;
} tariff_options_t;
int prepay_tariff_options_parse(int argc, char **argv, tariff_options_t *out, char *err, size_t err_cap);

struct demo_options; /* demo.h */
int prepay_demo_options_parse(int argc, char **argv, struct demo_options *out, bool *help, char *err,
                              size_t err_cap);

typedef struct dlt645_encode_options {
    const char *what; /* read, write, relay, time, address */
    const char *address, *new_address, *di, *value, *level, *password, *operator_code, *n1, *until, *time,
        *preamble;
    bool json, help;
} dlt645_encode_options_t;
int prepay_dlt645_encode_options_parse(int argc, char **argv, dlt645_encode_options_t *out, char *err,
                                       size_t err_cap);

#endif
