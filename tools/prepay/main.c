/* SPDX-License-Identifier: MIT */
/* prepay: command-line front end to libprepay (hosted). docs/cli.md describes its conventions. */
#include <stdio.h>

#include "cli_options.h"
#include "commands.h"

static const cli_command_t commands[] = {
    {"analyse", prepay_tool_analyse, "theft analysis over event records and readings; voltage qualification"},
    {"bill", prepay_tool_bill, "bill a site month: allocation, charge items, statements, arrears"},
    {"cjt188", prepay_tool_cjt188, "decode and encode CJ/T 188 (water, heat, gas meter) frames"},
    {"demo", prepay_tool_demo, "run a building of prepaid rooms against the emulator; month-end report"},
    {"dlt645", prepay_tool_dlt645, "decode and encode DL/T 645 frames; the data-identifier catalogue"},
    {"ledger", prepay_tool_ledger, "durable prepaid ledger in a journal file"},
    {"meter", prepay_tool_meter, "talk to meters: read, relay, recharge, push and verify tariffs, batch"},
    {"modbus", prepay_tool_modbus, "decode and encode Modbus RTU frames; register maps"},
    {"report", prepay_tool_report, "energy reports: monthly by band with fees, YoY/MoM; day/week/month/year"},
    {"settle", prepay_tool_settle, "settle a site's readings into a journaled ledger: charges, debt, alarms, report"},
    {"tariff", prepay_tool_tariff, "check a tariff file, bill readings, vend energy for money"},
    {"version", prepay_tool_version, "print the library version"},
};

static const cli_spec_t version_spec = {
    .program = "prepay version",
    .usage = "[--json]",
    .summary = "Prints the version of the library prepay runs on, then the source revision prepay was built\n"
               "from (git describe: the release tag, the commits since, -dirty for local changes).",
    .json = true,
};

int prepay_tool_version(int argc, char **argv)
{
    cli_t cli;
    cli_args_t args;
    int rc = cli_start(&cli, &version_spec, argc, argv, NULL, &args);
    if (rc >= 0) {
        return rc;
    }
    cli.program = "prepay";
    rc = cli_print_version(&cli);
    if (rc == CLI_EXIT_OK && !cli.json) {
        printf("source %s\n", cli_source_version());
    }
    return rc;
}

int main(int argc, char **argv)
{
    int rc = cli_dispatch("prepay", commands, sizeof commands / sizeof commands[0], argc, argv);
    cli_t cli = {"prepay", false};
    return cli_finish(&cli, rc);
}
