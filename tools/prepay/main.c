/* prepay: command-line front end to libprepay (hosted). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "prepay/version.h"

struct command {
    const char *name;
    prepay_tool_command_fn run;
    const char *summary;
};

static const struct command commands[] = {
    {"bill", prepay_tool_bill, "bill a site month: allocation, charge items, statements, arrears"},
    {"cjt188", prepay_tool_cjt188, "decode and encode CJ/T 188 (water, heat, gas meter) frames"},
    {"demo", prepay_tool_demo, "run a building of prepaid rooms against the emulator; month-end report"},
    {"dlt645", prepay_tool_dlt645, "decode and encode DL/T 645 frames"},
    {"ledger", prepay_tool_ledger, "durable prepaid ledger in a journal file"},
    {"meter", prepay_tool_meter, "talk to meters: read, relay, recharge, push and verify tariffs, batch"},
    {"modbus", prepay_tool_modbus, "decode and encode Modbus RTU frames; register maps"},
    {"report", prepay_tool_report, "energy reports: monthly by band with fees, YoY/MoM; day/week/month/year"},
    {"tariff", prepay_tool_tariff, "check a tariff file, bill readings, vend energy for money"},
    {"version", prepay_tool_version, "print the library version"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: prepay <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    fprintf(to, "\nRun 'prepay <command> --help' for a command's options.\n");
}

int prepay_tool_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("prepay %s\n", prepay_version());
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "prepay: unknown command '%s' (try 'prepay --help')\n", argv[1]);
    return 2;
}
