/* SPDX-License-Identifier: MIT */
/*
 * prepay meter: talking to real meters over RS-485, a DTU or a serial server
 * (see meter_cli.h for the files, docs/field.md for the manual, docs/cli.md
 * for the conventions).
 *
 * Exit status: 0 done; 1 a meter or the link failed (one line on stderr
 * naming the meter and the cause); 2 bad command line or input file, and
 * nothing was sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "commands.h"
#include "meter_cli.h"
#include "prepay/hosted_status.h"

static bool needs_address(const meter_options_t *o)
{
    switch (o->command) {
    case CMD_READ_ADDRESS:
    case CMD_DISCOVER:
        return false;
    case CMD_TIME_SYNC:
    case CMD_FREEZE:
        return !o->broadcast;
    default:
        return true;
    }
}

int meter_discover(const cli_t *cli, meter_station_t *st, meter_bus_t *bus, const meter_options_t *o)
{
    static prepay_dlt645_address_t found[1024];
    prepay_station_discovery_t d;
    (void)prepay_station_discovery_init(&d, found, sizeof found / sizeof found[0]);
    prepay_link_t *const links[1] = {&bus->link};
    prepay_dlt645_frame_t probe;
    unsigned probes = 0;
    int rc;
    while ((rc = prepay_station_discovery_next(&d, &probe)) == 1) {
        probes++;
        uint64_t before = 0;
        prepay_station_stats_t stats;
        if (prepay_station_stats(&bus->link.session, &stats) == PREPAY_OK) {
            before = stats.bytes_dropped;
        }
        if (prepay_link_start(&bus->link, &probe, NULL, 0) != PREPAY_OK) {
            return cli_fail(cli, PREPAY_E_STATION_BAD_REQUEST, "discovery probe cannot be sent");
        }
        while (!prepay_link_done(&bus->link)) {
            if (prepay_links_poll(st->server_open ? &st->server : NULL, links, 1, 1000) != PREPAY_OK) {
                return cli_fail(cli, PREPAY_E_TRANSPORT_IO, "poll failed");
            }
        }
        prepay_station_result_t r;
        int status = prepay_link_result(&bus->link, &r);
        if (status != PREPAY_OK) {
            return cli_fail(cli, status, "%s", bus->transport.error[0] ? bus->transport.error : prepay_strerror(status));
        }
        uint64_t after = prepay_station_stats(&bus->link.session, &stats) == PREPAY_OK ? stats.bytes_dropped : 0;
        prepay_station_probe_outcome_t outcome = PREPAY_STATION_PROBE_SILENT;
        if (r.status == PREPAY_OK) {
            outcome = PREPAY_STATION_PROBE_ANSWERED;
        } else if (after > before || r.status == PREPAY_E_STATION_MALFORMED_REPLY) {
            outcome = PREPAY_STATION_PROBE_COLLISION; /* garbled bytes: several meters answered */
        }
        status = prepay_station_discovery_report(&d, outcome, outcome == PREPAY_STATION_PROBE_ANSWERED ? &r.reply.address
                                                                                                       : NULL);
        if (status == PREPAY_E_STATION_TOO_MANY_METERS) {
            break;
        }
    }
    size_t count = prepay_station_discovery_count(&d);
    if (o->json) {
        json_t *r = cli_result();
        json_t *list = json_array();
        for (size_t i = 0; i < count; i++) {
            char text[16];
            (void)prepay_dlt645_address_to_string(&found[i], text, sizeof text);
            json_array_append_new(list, json_string(text));
        }
        cli_set(r, "meters", list);
        cli_set(r, "probes", json_integer(probes));
        return cli_emit(cli, r);
    } else {
        for (size_t i = 0; i < count; i++) {
            char text[16];
            (void)prepay_dlt645_address_to_string(&found[i], text, sizeof text);
            printf("%s\n", text);
        }
        fprintf(stderr, "%s: %zu meter%s found in %u probe%s\n", cli->program, count, count == 1 ? "" : "s", probes,
                probes == 1 ? "" : "s");
    }
    return 0;
}

/* One meter (or a broadcast): the run stage and the output of every subcommand but batch. */
static int run_one(const cli_t *cli, const meter_options_t *o)
{
    char err[2048];
    if (o->command == CMD_PUSH_TARIFF || o->command == CMD_VERIFY_TARIFF) {
        prepay_dlt645_tariff_tables_t tables;
        int rc = meter_tariff_load(o, &tables, err, sizeof err); /* before any byte is sent */
        if (rc != 0) {
            return cli_bad_status(cli, PREPAY_E_DLT645_TARIFF_UNSUPPORTED, "%s", err);
        }
    }
    static meter_station_t st;
    if (meter_station_open(&st, o, err, sizeof err) != 0) {
        return cli_fail(cli, st.status ? st.status : PREPAY_E_TRANSPORT_OPEN, "%s", err);
    }
    static meter_bus_t bus;
    int rc = meter_bus_open(&st, &bus, NULL, err, sizeof err);
    if (rc != 0) {
        meter_station_close(&st);
        int status = bus.status ? bus.status : PREPAY_E_TRANSPORT_OPEN;
        return rc == METER_EXIT_USAGE ? cli_bad_status(cli, status, "%s", err) : cli_fail(cli, status, "%s", err);
    }
    int exit_code = CLI_EXIT_OK;
    if (o->command == CMD_DISCOVER) {
        exit_code = meter_discover(cli, &st, &bus, o);
        meter_bus_close(&bus);
        meter_station_close(&st);
        return exit_code;
    }
    prepay_dlt645_address_t address = o->address;
    bool have_address = o->has_address;
    meter_op_t op;
    if (needs_address(o) && !have_address) {
        /* No --address: the one meter on the bus, by read-address (all AA). */
        meter_options_t find = *o;
        find.command = CMD_READ_ADDRESS;
        (void)meter_op_init(&op, &find, NULL);
        meter_run(&st, &bus, &op);
        if (op.outcome != OUT_OK) {
            exit_code = cli_fail(cli, meter_outcome_status(op.outcome), "meter: %s", op.message);
            meter_op_free(&op);
            meter_bus_close(&bus);
            meter_station_close(&st);
            return exit_code;
        }
        address = op.address;
        have_address = true;
        meter_op_free(&op);
    }
    rc = meter_op_init(&op, o, have_address ? &address : NULL);
    if (rc != 0) {
        exit_code = rc == METER_EXIT_USAGE ? cli_bad(cli, "%s", op.message)
                                           : cli_fail(cli, meter_outcome_status(op.outcome), "%s", op.message);
    } else {
        meter_run(&st, &bus, &op);
        const char *dtu = o->link == LINK_LISTEN ? bus.dtu : NULL;
        /* A result, also the partial one of a failed operation (the differences verify-tariff found). */
        if (op.outcome == OUT_OK || op.value_count > 0) {
            exit_code = meter_emit(cli, &op, dtu, false);
        }
        /* The records file only after a whole run: no file from a failed one. */
        if (op.outcome == OUT_OK && o->command == CMD_EVENTS && o->raw.records != NULL &&
            meter_event_records_write(&op, o->raw.records, err, sizeof err) != 0) {
            exit_code = cli_fail(cli, PREPAY_E_HOSTED_IO, "%s", err);
        }
        if (op.outcome != OUT_OK) {
            char address_text[16];
            meter_address_text(&op, address_text, sizeof address_text);
            if (prepay_dlt645_address_is_wildcard(&op.address)) {
                snprintf(address_text, sizeof address_text, "bus");
            }
            exit_code = cli_fail(cli, meter_outcome_status(op.outcome), "%s: %s", address_text, op.message);
        }
    }
    meter_op_free(&op);
    meter_bus_close(&bus);
    meter_station_close(&st);
    return exit_code;
}

/* A subcommand: input (the command line), then the run and the output. */
static int meter_command(meter_command_t command, int argc, char **argv)
{
    static meter_options_t o;
    cli_args_t args;
    cli_t cli;
    char err[CLI_MESSAGE_MAX];
    int rc = cli_begin(&cli, meter_spec(command), &args,
                       meter_options_parse(command, argc, argv, &o, &args, err, sizeof err), err);
    if (rc >= 0) {
        return rc; /* --help, --version, or the usage error, already reported */
    }
    if (command == CMD_BATCH) {
        return meter_batch(&cli, &o); /* any protocol: cmd_meter_batch.c */
    }
    if (o.protocol != METER_DLT645) {
        return meter_water_run(&cli, &o); /* a water meter: meter_water_ops.c */
    }
    return run_one(&cli, &o);
}

#define METER_SUBCOMMAND(fn, cmd)                                                                                      \
    static int fn(int argc, char **argv)                                                                               \
    {                                                                                                                  \
        return meter_command(cmd, argc, argv);                                                                         \
    }
METER_SUBCOMMAND(cmd_read, CMD_READ)
METER_SUBCOMMAND(cmd_read_address, CMD_READ_ADDRESS)
METER_SUBCOMMAND(cmd_discover, CMD_DISCOVER)
METER_SUBCOMMAND(cmd_time_sync, CMD_TIME_SYNC)
METER_SUBCOMMAND(cmd_relay, CMD_RELAY)
METER_SUBCOMMAND(cmd_recharge, CMD_RECHARGE)
METER_SUBCOMMAND(cmd_write, CMD_WRITE)
METER_SUBCOMMAND(cmd_freeze, CMD_FREEZE)
METER_SUBCOMMAND(cmd_events, CMD_EVENTS)
METER_SUBCOMMAND(cmd_push_tariff, CMD_PUSH_TARIFF)
METER_SUBCOMMAND(cmd_verify_tariff, CMD_VERIFY_TARIFF)
METER_SUBCOMMAND(cmd_batch, CMD_BATCH)

static const cli_command_t meter_commands[] = {
    {"read", cmd_read, "typed values with names and units"},
    {"read-address", cmd_read_address, "the address of the one meter on the bus"},
    {"discover", cmd_discover, "every meter on the bus"},
    {"time-sync", cmd_time_sync, "broadcast or write the time"},
    {"relay", cmd_relay, "trip, allow closing, close, alarm, keep power"},
    {"recharge", cmd_recharge, "credit money as purchase number N"},
    {"write", cmd_write, "write one data item"},
    {"freeze", cmd_freeze, "freeze now, or set the timed freeze"},
    {"events", cmd_events, "event counts and the last records"},
    {"push-tariff", cmd_push_tariff, "program a tariff into the meter's second set"},
    {"verify-tariff", cmd_verify_tariff, "read the tariff tables back and compare"},
    {"batch", cmd_batch, "one command over every meter of a site file"},
    {"water-read", prepay_tool_meter_water_read, "a water meter's volume and valve (CJ/T 188 or Modbus)"},
    {"water-valve", prepay_tool_meter_water_valve, "open or close a water meter's valve (CJ/T 188 or Modbus)"},
};

int prepay_tool_meter(int argc, char **argv)
{
    /* Options may come before the subcommand (`prepay meter --tcp H:P read energy`): move its name to the front. */
    int at = meter_find_command(argc, argv);
    char **line = NULL;
    if (at > 1) {
        line = malloc((size_t)argc * sizeof *line);
        if (!line) {
            fprintf(stderr, "prepay meter: out of memory\n");
            return CLI_EXIT_FAILED;
        }
        line[0] = argv[0];
        line[1] = argv[at];
        for (int i = 1, k = 2; i < argc; i++) {
            if (i != at) {
                line[k++] = argv[i];
            }
        }
    }
    int rc = cli_dispatch("prepay meter", meter_commands, sizeof meter_commands / sizeof meter_commands[0], argc,
                          line ? line : argv);
    free(line);
    return rc;
}
