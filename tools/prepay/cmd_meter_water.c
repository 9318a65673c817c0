/* SPDX-License-Identifier: MIT */
/*
 * prepay meter water-read / water-valve: a water meter over CJ/T 188-2004 or Modbus RTU (hosted).
 *
 * The bus is a serial port or a TCP connection to a transparent DTU or serial server (the library's
 * transport); the requests and the replies go through the library's codecs:
 *   CJ/T 188: 901F (current volume and status ST), A017 (valve 55H open, 99H close), replies through
 *             the CJ/T 188 stream parser and prepay_cjt188_reply_check();
 *   Modbus:   the shipped prepaid valve water meter map `xintai-water` (0001H forward volume, 001CH
 *             valve: read bits 1 open, 2 closed, 4 abnormal; write 06: 1 open, 2 close), replies through
 *             the RTU stream parser, prepay_modbus_match() and the map's register decoder.
 * water-valve sends the command, then reads the meter back: the result is the valve the meter reports.
 * The send/receive step is water_link.c, shared with `prepay meter COMMAND --protocol cjt188|modbus`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_options.h"
#include "cli_text.h"
#include "commands.h"
#include "prepay/cjt188.h"
#include "prepay/hosted_status.h"
#include "prepay/modbus.h"
#include "prepay/transport.h"
#include "water_link.h"

enum { WATER_CJT188 = 0, WATER_MODBUS = 1 };

typedef struct water_options {
    const char *tcp, *serial, *address;
    int protocol;
    int unit;
    int timeout_ms;
    bool has_unit;
} water_options_t;

typedef struct water_run {
    water_options_t o;
    cli_t cli;
    const char *action; /* water-valve: "open" or "close"; NULL for water-read */
    water_link_t link;
    prepay_cjt188_target_t target;
    const prepay_modbus_map_t *map;
} water_run_t;

static const char *const protocol_names[] = {"cjt188", "modbus", NULL};
static const int protocol_values[] = {WATER_CJT188, WATER_MODBUS};

static const cli_option_t water_options[] = {
    {"tcp", CLI_OPT_TEXT(water_options_t, tcp), .arg = "HOST:PORT", .help = "a transparent DTU or serial server"},
    {"serial", CLI_OPT_TEXT(water_options_t, serial), .arg = "DEV[:BAUD[:8E1]]",
     .help = "RS-485 / serial port (default 2400 8E1 for CJ/T 188, 9600 8N1 for Modbus)"},
    {"protocol", CLI_OPT_CHOICE(water_options_t, protocol, protocol_names), .values = protocol_values,
     .help = "cjt188 (default) or modbus"},
    {"address", CLI_OPT_TEXT(water_options_t, address), .arg = "A6..A0",
     .help = "CJ/T 188: the meter's 14-digit address (AA pairs are wildcards; default all AA: the one meter)"},
    {"unit", CLI_OPT_INT(water_options_t, unit, 1, 247), CLI_GIVEN(water_options_t, has_unit),
     .help = "Modbus: the meter's unit address, 1..247 (default 1)"},
    {"timeout-ms", CLI_OPT_INT(water_options_t, timeout_ms, 10, 600000),
     .help = "reply timeout (default 2000)"},
    {.name = NULL},
};

#define WATER_NOTES                                                                                                    \
    "Give the bus with --tcp or --serial. Modbus uses the register map xintai-water (prepay modbus maps).\n"           \
    "Output: the volume in litres and m3 and the valve (open, closed, abnormal); with --json one object.\n"            \
    "Exit status: 0 done, 1 the meter or the link failed (no reply, refused), 2 bad command line."

static const cli_spec_t read_spec = {
    .program = "prepay meter water-read",
    .usage = "--tcp HOST:PORT|--serial DEV [--protocol cjt188|modbus] [--address A6..A0 | --unit N] [--json]",
    .summary = "Reads a water meter's volume and valve over CJ/T 188 (901F) or Modbus RTU.",
    .options = water_options,
    .json = true,
    .notes = WATER_NOTES,
};

static const cli_spec_t valve_spec = {
    .program = "prepay meter water-valve",
    .usage = "open|close --tcp HOST:PORT|--serial DEV [--protocol cjt188|modbus] [--address A6..A0 | --unit N]\n"
             " [--json]",
    .summary = "Opens or closes a water meter's valve over CJ/T 188 (A017) or Modbus RTU (06 to 001CH), then\n"
               "reads the meter back.",
    .options = water_options,
    .args = "ACTION",
    .min_args = 1,
    .max_args = 1,
    .json = true,
    .notes = WATER_NOTES,
};

/* Input: the line checked; opens nothing. 0, or CLI_EXIT_USAGE with a message in err. */
static int water_parse(const cli_spec_t *spec, int argc, char **argv, water_run_t *run, cli_args_t *args, char *err,
                       size_t cap)
{
    memset(run, 0, sizeof *run);
    run->o.protocol = WATER_CJT188;
    run->o.unit = 1;
    run->o.timeout_ms = 2000;
    int rc = cli_parse(spec, argc, argv, &run->o, args, err, cap);
    if (rc != 0 || args->help || args->version) {
        return rc;
    }
    const water_options_t *o = &run->o;
    if ((o->tcp != NULL) == (o->serial != NULL)) {
        return cli_message(CLI_EXIT_USAGE, err, cap, "give one bus: --tcp HOST:PORT or --serial DEV");
    }
    if (o->protocol == WATER_MODBUS && o->address) {
        return cli_message(CLI_EXIT_USAGE, err, cap, "--address is for CJ/T 188; a Modbus meter is chosen by --unit");
    }
    if (o->protocol == WATER_CJT188 && o->has_unit) {
        return cli_message(CLI_EXIT_USAGE, err, cap, "--unit is for Modbus; a CJ/T 188 meter is chosen by --address");
    }
    if (spec == &valve_spec) {
        run->action = args->args[0];
        if (strcmp(run->action, "open") != 0 && strcmp(run->action, "close") != 0) {
            return cli_message(CLI_EXIT_USAGE, err, cap, "ACTION: \"%s\" is not open or close", run->action);
        }
    }
    run->target.meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
    run->target.di_order = PREPAY_CJT188_DI_AUTO;
    const char *address = o->address ? o->address : "AAAAAAAAAAAAAA";
    if (prepay_cjt188_address_from_string(address, strlen(address), &run->target.address) != PREPAY_OK) {
        return cli_message(CLI_EXIT_USAGE, err, cap, "--address %s: 14 digits A6..A0 (pairs of BCD or AA)", address);
    }
    run->map = prepay_modbus_map_by_name("xintai-water");
    if (!run->map) {
        return cli_message(CLI_EXIT_USAGE, err, cap, "the register map xintai-water is not in this build");
    }
    return 0;
}

/* Opens the bus. 0, or an exit status (reported). */
static int water_open(water_run_t *run)
{
    const water_options_t *o = &run->o;
    int status = water_link_open(&run->link, o->tcp, o->serial, o->protocol == WATER_MODBUS, (uint32_t)o->timeout_ms);
    if (status == 2) {
        return cli_bad(&run->cli, "%s", run->link.error);
    }
    return status == 0 ? 0 : cli_fail(&run->cli, status, "%s", run->link.error);
}

/* ---- CJ/T 188 ----------------------------------------------------------------------------------- */

/* One CJ/T 188 request (water_link.c): 0 with its reply (normal or abnormal), or an exit status (reported). */
static int cjt188_exchange(water_run_t *run, const prepay_cjt188_frame_t *request, prepay_cjt188_frame_t *reply)
{
    int status = water_link_cjt188(&run->link, request, reply);
    return status == PREPAY_OK ? 0 : cli_fail(&run->cli, status, "%s", run->link.error);
}

static const char *valve_text(prepay_cjt188_valve_t v)
{
    return v == PREPAY_CJT188_VALVE_STATE_OPEN ? "open"
                                               : (v == PREPAY_CJT188_VALVE_STATE_CLOSED ? "closed" : "abnormal");
}

/* 901F: the volume (L) and the valve. 0, or an exit status (reported). */
static int cjt188_read(water_run_t *run, int64_t *litres, const char **valve, char *meter, size_t meter_cap)
{
    prepay_cjt188_frame_t request, reply;
    int status = prepay_cjt188_request_read(&request, &run->target, 0x901F, run->link.ser++);
    if (status != PREPAY_OK) {
        return cli_fail(&run->cli, status, "CJ/T 188 read: %s", prepay_strerror(status));
    }
    int rc = cjt188_exchange(run, &request, &reply);
    if (rc != 0) {
        return rc;
    }
    prepay_cjt188_current_t current;
    status = prepay_cjt188_reply_current(&request, &reply, &current);
    status = status ? status : prepay_cjt188_quantity_litres(&current.reading, litres);
    if (status != PREPAY_OK) {
        return cli_fail(&run->cli, status, "the water meter's reply: %s", prepay_strerror(status));
    }
    *valve = valve_text(prepay_cjt188_status_valve(current.status));
    (void)prepay_cjt188_address_to_string(&reply.address, meter, meter_cap);
    return 0;
}

static int cjt188_valve(water_run_t *run, bool open)
{
    prepay_cjt188_frame_t request, reply;
    int status = prepay_cjt188_request_valve(&request, &run->target, run->link.ser++, open);
    if (status != PREPAY_OK) {
        return cli_fail(&run->cli, status, "CJ/T 188 valve: %s", prepay_strerror(status));
    }
    int rc = cjt188_exchange(run, &request, &reply);
    if (rc != 0) {
        return rc;
    }
    status = prepay_cjt188_reply_check(&request, &reply);
    return status == PREPAY_OK ? 0
                               : cli_fail(&run->cli, status, "the water meter refused: %s", prepay_strerror(status));
}

/* ---- Modbus RTU ------------------------------------------------------------------------------------ */

/* One Modbus request (water_link.c): 0 with its normal response, or an exit status (reported). */
static int modbus_exchange(water_run_t *run, const prepay_modbus_adu_t *request, prepay_modbus_adu_t *response)
{
    int status = water_link_modbus(&run->link, run->o.unit, request, response);
    return status == PREPAY_OK ? 0 : cli_fail(&run->cli, status, "%s", run->link.error);
}

/* Reads a register of the map and decodes it. 0, or an exit status (reported). */
static int modbus_value(water_run_t *run, const char *name, int64_t *out)
{
    const prepay_modbus_register_t *reg = prepay_modbus_map_find(run->map, name);
    if (!reg) {
        return cli_fail(&run->cli, PREPAY_E_MODBUS_BAD_REGISTER, "the map has no register %s", name);
    }
    prepay_modbus_adu_t request, response;
    uint16_t words[4];
    int status = prepay_modbus_request_read(&request, (uint8_t)run->o.unit, reg->function, reg->address,
                                            (uint16_t)prepay_modbus_type_words(reg->type));
    if (status != PREPAY_OK) {
        return cli_fail(&run->cli, status, "Modbus read: %s", prepay_strerror(status));
    }
    int rc = modbus_exchange(run, &request, &response);
    if (rc != 0) {
        return rc;
    }
    int n = prepay_modbus_response_registers(&request, &response, words, 4);
    status = n < 0 ? n : prepay_modbus_value_decode(reg, words, (size_t)n, out);
    return status == PREPAY_OK ? 0 : cli_fail(&run->cli, status, "%s: %s", name, prepay_strerror(status));
}

static int modbus_read(water_run_t *run, int64_t *litres, const char **valve)
{
    int64_t bits = 0;
    int rc = modbus_value(run, "forward_volume", litres);
    rc = rc ? rc : modbus_value(run, "valve", &bits);
    if (rc == 0) {
        *valve = (bits & 4) ? "abnormal" : ((bits & 2) ? "closed" : ((bits & 1) ? "open" : "unknown"));
    }
    return rc;
}

static int modbus_valve(water_run_t *run, bool open)
{
    const prepay_modbus_register_t *reg = prepay_modbus_map_find(run->map, "valve");
    prepay_modbus_adu_t request, response;
    int status = reg ? prepay_modbus_request_write_register(&request, (uint8_t)run->o.unit, reg->address, open ? 1 : 2)
                     : PREPAY_E_MODBUS_BAD_REGISTER;
    if (status != PREPAY_OK) {
        return cli_fail(&run->cli, status, "Modbus valve write: %s", prepay_strerror(status));
    }
    return modbus_exchange(run, &request, &response);
}

/* ---- the commands ------------------------------------------------------------------------------------ */

static int water_run(water_run_t *run)
{
    int rc = water_open(run);
    if (rc != 0) {
        return rc;
    }
    const bool modbus = run->o.protocol == WATER_MODBUS;
    if (run->action) {
        const bool open = strcmp(run->action, "open") == 0;
        rc = modbus ? modbus_valve(run, open) : cjt188_valve(run, open);
    }
    int64_t litres = 0;
    const char *valve = "unknown";
    char meter[16] = "";
    if (rc == 0) {
        rc = modbus ? modbus_read(run, &litres, &valve) : cjt188_read(run, &litres, &valve, meter, sizeof meter);
    }
    water_link_close(&run->link);
    if (rc != 0) {
        return rc;
    }
    char m3[CLI_TEXT_MAX];
    cli_fixed_text(litres, 3, m3);
    if (run->cli.json) {
        json_t *o = cli_result();
        cli_set(o, "protocol", json_string(modbus ? "modbus" : "cjt188"));
        if (modbus) {
            cli_set(o, "unit", json_integer(run->o.unit));
        } else {
            cli_set(o, "meter", json_string(meter));
        }
        if (run->action) {
            cli_set(o, "command", json_string(run->action));
        }
        cli_set(o, "litres", json_integer((json_int_t)litres));
        cli_set(o, "volume_m3", json_string(m3));
        cli_set(o, "valve", json_string(valve));
        return cli_emit(&run->cli, o);
    }
    if (modbus) {
        printf("unit %d (Modbus RTU)\n", run->o.unit);
    } else {
        printf("meter %s (CJ/T 188)\n", meter);
    }
    printf("volume  %lld L (%s m3)\nvalve   %s\n", (long long)litres, m3, valve);
    return CLI_EXIT_OK;
}

static int water_command(const cli_spec_t *spec, int argc, char **argv)
{
    static water_run_t run;
    cli_args_t args;
    char err[CLI_MESSAGE_MAX];
    int parsed = water_parse(spec, argc, argv, &run, &args, err, sizeof err);
    int rc = cli_begin(&run.cli, spec, &args, parsed, err);
    if (rc >= 0) {
        return rc;
    }
    return water_run(&run);
}

int prepay_tool_meter_water_read(int argc, char **argv)
{
    return water_command(&read_spec, argc, argv);
}

int prepay_tool_meter_water_valve(int argc, char **argv)
{
    return water_command(&valve_spec, argc, argv);
}
