/* SPDX-License-Identifier: MIT */
/*
 * The prepay command-line tool: one file per subcommand (cmd_<name>.c), each
 * exporting one entry point with this signature. main.c dispatches.
 *
 * Every command follows docs/cli.md through the tools layer (tools/common):
 * options by one table-driven parser, text by default and JSON lines with
 * --json, one-line errors, exit 0 / 1 (the operation failed) / 2 (bad
 * command line or input), and three stages: input (parse and check, no
 * side effects), run, output.
 */
#ifndef PREPAY_TOOL_COMMANDS_H
#define PREPAY_TOOL_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_options.h"
#include "prepay/civil_time.h"
#include "prepay/cjt188.h"
#include "prepay/dlt645.h"
#include "prepay/ledger.h"
#include "prepay/modbus.h"

typedef int (*prepay_tool_command_fn)(int argc, char **argv);

int prepay_tool_version(int argc, char **argv);
int prepay_tool_bill(int argc, char **argv);
int prepay_tool_cjt188(int argc, char **argv);
int prepay_tool_demo(int argc, char **argv);
int prepay_tool_dlt645(int argc, char **argv);
int prepay_tool_ledger(int argc, char **argv);
int prepay_tool_meter(int argc, char **argv);
/* prepay meter water-read / water-valve: a water meter over CJ/T 188 or Modbus RTU (cmd_meter_water.c). */
int prepay_tool_meter_water_read(int argc, char **argv);
int prepay_tool_meter_water_valve(int argc, char **argv);
int prepay_tool_report(int argc, char **argv);
int prepay_tool_analyse(int argc, char **argv);
int prepay_tool_settle(int argc, char **argv);
int prepay_tool_modbus(int argc, char **argv);
int prepay_tool_tariff(int argc, char **argv);

/*
 * The input stage of each command: its options parsed and checked from its
 * argv (argv[0] the command's or subcommand's name) without side effects:
 * nothing is opened or printed, strings point into argv. Returns 0 (see
 * args->help / args->version), or CLI_EXIT_USAGE with a one-line message in
 * err. (The fuzz target fuzz/cli_args_fuzzer.c drives these.)
 */
enum { BILL_CSV_NONE = 0, BILL_CSV_STATEMENTS, BILL_CSV_ARREARS, BILL_CSV_ALLOCATION, BILL_CSV_CHARGES };
typedef struct bill_options {
    const char *path;
    int csv; /* BILL_CSV_* */
    bool json;
} bill_options_t;
int prepay_bill_options_parse(int argc, char **argv, bill_options_t *o, cli_args_t *args, char *err, size_t err_cap);

typedef struct tariff_options {
    const char *sub; /* check, bill or vend */
    const char *tariff, *readings;
    int64_t amount, used, quantum, household; /* 0.01, Wh, Wh, Wh */
    prepay_time_t at;
    const char *band;
    bool has_amount, has_at, has_household;
    bool json;
} tariff_options_t;
/* argv[0] is the subcommand: check, bill or vend. */
int prepay_tariff_options_parse(int argc, char **argv, tariff_options_t *o, cli_args_t *args, char *err,
                                size_t err_cap);

typedef struct dlt645_encode_options {
    int kind; /* read, write, relay, time, address */
    prepay_dlt645_address_t address, new_address;
    uint32_t di;
    const char *value;
    prepay_dlt645_credentials_t credentials;
    int n1; /* relay command code */
    prepay_time_t until, time;
    int preamble;
    bool has_address, has_new, has_di, has_n1, has_until, has_time;
    bool json;
} dlt645_encode_options_t;
/* argv[0] is "encode"; the first argument is the frame kind. */
int prepay_dlt645_encode_options_parse(int argc, char **argv, dlt645_encode_options_t *o, cli_args_t *args, char *err,
                                       size_t err_cap);

typedef struct cjt188_encode_options {
    int kind;
    prepay_cjt188_target_t target;
    int ser, preamble, di, serial, start_day, day, key_version;
    int64_t amount, reading, prices[3], steps[2];
    prepay_time_t time;
    prepay_cjt188_address_t new_address;
    uint8_t key[8];
    bool open, close, has_address, has_type;
    bool json;
} cjt188_encode_options_t;
/* argv[0] is "encode"; the first argument is the frame kind. */
int prepay_cjt188_encode_options_parse(int argc, char **argv, cjt188_encode_options_t *o, cli_args_t *args,
                                       char *err, size_t err_cap);

typedef struct modbus_encode_options {
    int kind;
    int unit, function, address, count;
    const char *value, *reg;
    struct modbus_words {
        uint16_t words[PREPAY_MODBUS_MAX_WRITE_REGISTERS];
        size_t count;
    } values;
    const prepay_modbus_map_t *map;
    bool on, off;
    bool json;
} modbus_encode_options_t;
/* argv[0] is "encode"; the first argument is the frame kind. */
int prepay_modbus_encode_options_parse(int argc, char **argv, modbus_encode_options_t *o, cli_args_t *args,
                                       char *err, size_t err_cap);

typedef struct report_options {
    bool monthly; /* else energy */
    const char *readings, *tariff, *svg;
    prepay_days_t month; /* its first day */
    prepay_days_t from, to;
    int period; /* prepay_report_period_t; 0: not given */
    int by;     /* 0 account, 1 meter, 2 site */
    int basis;  /* prepay_report_basis_t */
    int lines_chart;
    bool growth, csv, json, has_month, has_from, has_to;
} report_options_t;
/* argv[0] is the subcommand: monthly or energy. */
int prepay_report_options_parse(int argc, char **argv, report_options_t *o, cli_args_t *args, char *err,
                                size_t err_cap);

enum {
    LEDGER_OPEN,
    LEDGER_RECHARGE,
    LEDGER_REFUND,
    LEDGER_DEDUCT,
    LEDGER_BALANCE,
    LEDGER_HISTORY,
    LEDGER_SUMMARY,
    LEDGER_VERIFY,
    LEDGER_SNAPSHOT
};
/* A `prepay ledger` command with its arguments parsed and checked. */
typedef struct ledger_request {
    const char *journal;
    bool json, wait;
    int command;                         /* LEDGER_* */
    uint64_t account;                    /* the ACCOUNT argument */
    prepay_ledger_account_t new_account; /* open */
    int check_status;                    /* open: the ledger's verdict on the account's fields */
    prepay_ledger_transfer_t transfer;   /* recharge, refund, deduct */
    prepay_ledger_account_t system;      /* the system account the transfer needs */
    unsigned period;                     /* summary */
    bool has_from, has_to;               /* summary range given */
    prepay_time_t from, to;
} ledger_request_t;
/* argv[0] is "ledger". Reads the clock (the default --time); touches no file. */
int prepay_ledger_options_parse(int argc, char **argv, ledger_request_t *r, cli_args_t *args, char *err,
                                size_t err_cap);

typedef struct settle_options {
    const char *journal, *events, *report;
    const char *payments, *statement, *outbox; /* payment orders, notifies, refunds; a channel statement; outbox */
    bool close, wait, json;
} settle_options_t;
/* argv[0] is "settle"; --journal is required. */
int prepay_settle_options_parse(int argc, char **argv, settle_options_t *o, cli_args_t *args, char *err,
                                size_t err_cap);

struct demo_options; /* demo.h */
int prepay_demo_options_parse(int argc, char **argv, struct demo_options *o, cli_args_t *args, char *err,
                              size_t err_cap);

#endif
