/*
 * prepay-emu: the command line, parsed by the tools' one option parser
 * (cli_options.h) into emu_options_t with every number range-checked (a
 * port above 65535 is refused, not truncated to 16 bits). No side effects,
 * so that it can be fuzzed.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cli_options.h"
#include "emu_server.h"

static int parse_listen(const char *text, void *out, char *err, size_t err_cap)
{
    struct in_addr probe;
    if (inet_pton(AF_INET, text, &probe) != 1) {
        snprintf(err, err_cap, "takes an IPv4 address such as 127.0.0.1, not '%.64s'", text);
        return -1;
    }
    memcpy(out, &text, sizeof text);
    return 0;
}

static const char *const clock_names[] = {"sync", "wall", NULL};
static const int clock_values[] = {EMU_CLOCK_SYNC, EMU_CLOCK_WALL};

static const cli_option_t emu_option_table[] = {
    {"listen", CLI_OPT_CUSTOM(emu_options_t, server.listen, parse_listen), .arg = "ADDR",
     .help = "IPv4 address to listen on (default 127.0.0.1)"},
    {"bus-port", CLI_OPT_INT(emu_options_t, server.bus_port, 0, 65535), .help =
     "all meters behind one DTU port (RS-485 bus); 0 = any free port"},
    {"port-base", CLI_OPT_INT(emu_options_t, server.port_base, 1, 65535), .help = "meter i (site-file order) on port N + i"},
    {"clock", CLI_OPT_CHOICE(emu_options_t, server.clock, clock_names), .values = clock_values,
     .help = "sync (default): time advances on broadcast time syncs; wall: the wall clock x --speed"},
    {"speed", CLI_OPT_INT(emu_options_t, server.speed, 1, EMU_SPEED_MAX),
     .help = "simulated seconds per wall second in wall mode (default 60)"},
    {"sync-limit", CLI_OPT_INT(emu_options_t, sync_limit, 0, EMU_SYNC_LIMIT_MAX),
     CLI_GIVEN(emu_options_t, has_sync_limit), .arg = "S",
     .help = "seconds one time sync may move a meter's clock, 0 = any (default: the site file's, else 604800)"},
    {"state", CLI_OPT_TEXT(emu_options_t, state_path), .arg = "FILE",
     .help = "load the meters' state from FILE if it exists; save it on shutdown"},
    {"drop", CLI_OPT_DECIMAL(emu_options_t, drop_ppm, 6, 0, 1000000), CLI_GIVEN(emu_options_t, has_drop), .arg = "P",
     .help = "fault injection: drop this share of the replies (0..1; overrides the site file)"},
    {"corrupt", CLI_OPT_DECIMAL(emu_options_t, corrupt_ppm, 6, 0, 1000000), CLI_GIVEN(emu_options_t, has_corrupt),
     .arg = "P", .help = "fault injection: garble this share of the replies (0..1)"},
    {"delay-ms", CLI_OPT_INT(emu_options_t, delay_ms, 0, EMU_DELAY_MS_MAX), CLI_GIVEN(emu_options_t, has_delay),
     .help = "fault injection: hold every reply this long"},
    {"seed", CLI_OPT_U64(emu_options_t, seed), CLI_GIVEN(emu_options_t, has_seed),
     .help = "fault injection: the random seed"},
    {"ready-file", CLI_OPT_TEXT(emu_options_t, server.ready_file), .arg = "FILE",
     .help = "write bus_port=N to FILE once listening"},
    {"exit-with-parent", CLI_OPT_FLAG(emu_options_t, server.exit_with_parent),
     .help = "shut down when the process that started it is gone"},
    {"quiet", CLI_OPT_FLAG(emu_options_t, server.quiet), .help = "print nothing but errors"},
    {0},
};

const cli_spec_t emu_spec = {
    .program = "prepay-emu",
    .usage = "SITE.json [options]",
    .summary = "Serves emulated prepaid meters (libprepay's reference meter) over TCP, speaking DL/T 645, so\n"
               "that stations and billing servers can be tested without hardware. SITE.json '-' reads the site\n"
               "from the standard input (its tariff path is then relative to the working directory).",
    .options = emu_option_table,
    .args = "SITE.json",
    .min_args = 1,
    .max_args = 1,
    .json = true,
    .notes = "Site file format, routing, time and state files: docs/emulator.md. With --json, what it says on\n"
             "stdout (listening, state restored or saved, shutting down) is one JSON object per line.",
};

int emu_options_parse(int argc, char **argv, emu_options_t *out, char *err, size_t err_cap)
{
    emu_options_t o;
    memset(&o, 0, sizeof o);
    o.server.listen = "127.0.0.1";
    o.server.bus_port = -1;
    o.server.clock = EMU_CLOCK_SYNC;
    o.server.speed = 60;
    cli_args_t args;
    int rc = cli_parse(&emu_spec, argc, argv, &o, &args, err, err_cap);
    o.help = args.help;
    o.version = args.version;
    o.json = args.json;
    if (rc == 0 && !o.help && !o.version) {
        o.site_path = args.args[0];
    }
    if (o.server.bus_port < 0 && o.server.port_base == 0) {
        o.server.bus_port = 0;
    }
    *out = o;
    return rc;
}

int emu_options_check_site(const emu_options_t *options, const emu_site_t *site, char *err, size_t err_cap)
{
    int base = options->server.port_base;
    if (base > 0 && site->meter_count > (size_t)(65535 - base) + 1u) {
        snprintf(err, err_cap, "--port-base %d with %zu meters needs ports up to %llu, above 65535", base,
                 site->meter_count, (unsigned long long)base + site->meter_count - 1u);
        return 2;
    }
    return 0;
}
