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

typedef int (*prepay_tool_command_fn)(int argc, char **argv);

int prepay_tool_version(int argc, char **argv);
int prepay_tool_bill(int argc, char **argv);
int prepay_tool_demo(int argc, char **argv);
int prepay_tool_dlt645(int argc, char **argv);
int prepay_tool_ledger(int argc, char **argv);
int prepay_tool_meter(int argc, char **argv);
int prepay_tool_report(int argc, char **argv);
int prepay_tool_tariff(int argc, char **argv);

#endif
