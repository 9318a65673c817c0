/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: the command line, parsed by the tools' one option parser
 * (cli_options.h) into emu_options_t with every number range-checked (a
 * port above 65535 is refused, not truncated to 16 bits). No side effects,
 * so that it can be fuzzed.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
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

/* --dial HOST:PORT: an IPv4 address and a port; the text is kept, split by emu_options_parse(). */
static int parse_dial(const char *text, void *out, char *err, size_t err_cap)
{
    const char *colon = strrchr(text, ':');
    char host[64];
    char *end = NULL;
    struct in_addr probe;
    if (!colon || (size_t)(colon - text) >= sizeof host || colon[1] < '0' || colon[1] > '9') {
        snprintf(err, err_cap, "takes HOST:PORT (an IPv4 address and a port 1..65535), not '%.64s'", text);
        return -1;
    }
    unsigned long port = strtoul(colon + 1, &end, 10);
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    if (*end != '\0' || port < 1 || port > 65535 || strlen(colon + 1) > 5 || inet_pton(AF_INET, host, &probe) != 1) {
        snprintf(err, err_cap, "takes HOST:PORT (an IPv4 address and a port 1..65535), not '%.64s'", text);
        return -1;
    }
    memcpy(out, &text, sizeof text);
    return 0;
}

/* --serial PATH, --dtu-id ID: a text that is not empty (an id at most 32 bytes). */
static int parse_link_path(const char *text, void *out, char *err, size_t err_cap)
{
    if (text[0] == '\0') {
        snprintf(err, err_cap, "takes the path of a symlink to create to the pseudo-terminal, not ''");
        return -1;
    }
    memcpy(out, &text, sizeof text);
    return 0;
}

static int parse_dtu_id(const char *text, void *out, char *err, size_t err_cap)
{
    if (text[0] == '\0' || strlen(text) > 32) {
        snprintf(err, err_cap, "takes an id of 1..32 characters, not '%.64s'", text);
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
    {"modbus-port", CLI_OPT_INT(emu_options_t, server.modbus_port, 0, 65535), .help =
     "the Modbus RTU water meters (\"protocol\": \"modbus\") behind one port; 0 = any free port"},
    {"clock", CLI_OPT_CHOICE(emu_options_t, server.clock, clock_names), .values = clock_values,
     .help = "sync (default): time advances on broadcast time syncs; wall: the wall clock x --speed"},
    {"speed", CLI_OPT_INT(emu_options_t, server.speed, 1, EMU_SPEED_MAX),
     .help = "simulated seconds per wall second in wall mode (default 60)"},
    {"sync-limit", CLI_OPT_INT(emu_options_t, sync_limit, 0, EMU_SYNC_LIMIT_MAX),
     CLI_GIVEN(emu_options_t, has_sync_limit), .arg = "S",
     .help = "seconds one time sync may move a meter's clock, 0 = any (default: the site file's, else 604800)"},
    {"state", CLI_OPT_TEXT(emu_options_t, state_path), .arg = "FILE",
     .help = "load the meters' state from FILE if it exists; save it on shutdown"},
    {"scenario", CLI_OPT_TEXT(emu_options_t, scenario_path), .arg = "FILE",
     .help = "scripted line and tamper conditions per meter (docs/emulator.md, Scenarios)"},
    {"drop", CLI_OPT_DECIMAL(emu_options_t, drop_ppm, 6, 0, 1000000), CLI_GIVEN(emu_options_t, has_drop), .arg = "P",
     .help = "fault injection: drop this share of the replies (0..1; overrides the site file)"},
    {"corrupt", CLI_OPT_DECIMAL(emu_options_t, corrupt_ppm, 6, 0, 1000000), CLI_GIVEN(emu_options_t, has_corrupt),
     .arg = "P", .help = "fault injection: garble this share of the replies (0..1)"},
    {"delay-ms", CLI_OPT_INT(emu_options_t, delay_ms, 0, EMU_DELAY_MS_MAX), CLI_GIVEN(emu_options_t, has_delay),
     .help = "fault injection: hold every reply this long"},
    {"seed", CLI_OPT_U64(emu_options_t, seed), CLI_GIVEN(emu_options_t, has_seed),
     .help = "fault injection: the random seed"},
    {"serial", CLI_OPT_CUSTOM(emu_options_t, server.serial_link, parse_link_path), .arg = "PATH",
     .help = "the whole bus on a pseudo-terminal; PATH becomes a symlink to its device"},
    {"dial", CLI_OPT_CUSTOM(emu_options_t, server.dial_host, parse_dial), .arg = "HOST:PORT",
     .help = "a DTU dialling in: connect to a station, register, serve the bus; redial when lost"},
    {"dtu-id", CLI_OPT_CUSTOM(emu_options_t, server.dtu_id, parse_dtu_id), .arg = "ID",
     .help = "with --dial: the id in the registration packet (1..32 characters)"},
    {"register-prefix", CLI_OPT_TEXT(emu_options_t, server.register_prefix), .arg = "TEXT",
     .help = "with --dial: bytes before the id in the registration packet (default none)"},
    {"heartbeat", CLI_OPT_TEXT(emu_options_t, server.heartbeat), .arg = "TEXT",
     .help = "with --dial: a heartbeat packet sent after --heartbeat-s of silence"},
    {"heartbeat-s", CLI_OPT_INT(emu_options_t, heartbeat_s, 1, 86400), .arg = "N",
     .help = "with --heartbeat: seconds of silence before a heartbeat (default 30)"},
    {"dial-drop-after", CLI_OPT_INT(emu_options_t, server.dial_drop_after, 1, 1000000000), .arg = "N",
     .help = "with --dial, fault injection: drop the connection once after answering N frames"},
    {"redial-ms", CLI_OPT_INT(emu_options_t, server.redial_ms, 1, 600000), .arg = "N",
     .help = "with --dial: milliseconds to wait before connecting again (default 500)"},
    {"ready-file", CLI_OPT_TEXT(emu_options_t, server.ready_file), .arg = "FILE",
     .help = "write bus_port=N (and serial=PATH, modbus_port=N) to FILE once serving"},
    {"exit-with-parent", CLI_OPT_FLAG(emu_options_t, server.exit_with_parent),
     .help = "shut down when the process that started it is gone"},
    {"quiet", CLI_OPT_FLAG(emu_options_t, server.quiet), .help = "print nothing but errors"},
    {.name = NULL},
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
    o.server.modbus_port = -1;
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
    if (rc == 0 && o.server.dial_host && !o.server.dtu_id) {
        rc = cli_message(CLI_EXIT_USAGE, err, err_cap, "--dial needs --dtu-id (the id the DTU registers with)");
    }
    if (rc == 0 && !o.server.dial_host &&
        (o.server.dtu_id || o.server.register_prefix || o.server.heartbeat || o.server.dial_drop_after ||
         o.server.redial_ms)) {
        rc = cli_message(CLI_EXIT_USAGE, err, err_cap,
                         "--dtu-id, --register-prefix, --heartbeat, --dial-drop-after and --redial-ms need --dial");
    }
    if (rc == 0 && o.heartbeat_s > 0 && !o.server.heartbeat) {
        rc = cli_message(CLI_EXIT_USAGE, err, err_cap, "--heartbeat-s needs --heartbeat");
    }
    if (o.server.dial_host) {
        o.server.dial_port = atoi(strrchr(o.server.dial_host, ':') + 1); /* checked by parse_dial() */
    }
    o.server.heartbeat_ms = o.server.heartbeat ? (o.heartbeat_s > 0 ? o.heartbeat_s : 30u) * 1000u : 0u;
    if (o.server.redial_ms == 0) {
        o.server.redial_ms = 500;
    }
    if (o.server.bus_port < 0 && o.server.port_base == 0 && !o.server.serial_link && !o.server.dial_host) {
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
