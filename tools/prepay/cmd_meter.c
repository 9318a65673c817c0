/*
 * prepay meter: talking to real meters over RS-485, a DTU or a serial server
 * (see meter_cli.h for the files, docs/field.md for the manual).
 *
 * Exit status: 0 done; 1 a meter or the link failed (one line on stderr
 * naming the meter and the cause); 2 bad command line or input file, and
 * nothing was sent.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "meter_cli.h"

static int fail(const char *fmt_meter, const char *text, int code)
{
    if (fmt_meter && fmt_meter[0]) {
        fprintf(stderr, "prepay meter: %s: %s\n", fmt_meter, text);
    } else {
        fprintf(stderr, "prepay meter: %s\n", text);
    }
    return code;
}

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

int meter_discover(meter_station_t *st, meter_bus_t *bus, const meter_options_t *o)
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
            return fail(NULL, "discovery probe cannot be sent", METER_EXIT_FIELD);
        }
        while (!prepay_link_done(&bus->link)) {
            if (prepay_links_poll(st->server_open ? &st->server : NULL, links, 1, 1000) != PREPAY_OK) {
                return fail(NULL, "poll failed", METER_EXIT_FIELD);
            }
        }
        prepay_station_result_t r;
        int status = prepay_link_result(&bus->link, &r);
        if (status != PREPAY_OK) {
            return fail(NULL, bus->transport.error[0] ? bus->transport.error : prepay_strerror(status),
                        METER_EXIT_FIELD);
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
        printf("{\"meters\":[");
        for (size_t i = 0; i < count; i++) {
            char text[16];
            (void)prepay_dlt645_address_to_string(&found[i], text, sizeof text);
            printf("%s\"%s\"", i ? "," : "", text);
        }
        printf("],\"probes\":%u}\n", probes);
    } else {
        for (size_t i = 0; i < count; i++) {
            char text[16];
            (void)prepay_dlt645_address_to_string(&found[i], text, sizeof text);
            printf("%s\n", text);
        }
        fprintf(stderr, "prepay meter: %zu meter%s found in %u probe%s\n", count, count == 1 ? "" : "s", probes,
                probes == 1 ? "" : "s");
    }
    return 0;
}

int prepay_tool_meter(int argc, char **argv)
{
    static meter_options_t o;
    char err[2048];
    int rc = meter_options_parse(argc, argv, &o, stdout, err, sizeof err);
    if (rc < 0) {
        return 0; /* --help */
    }
    if (rc != 0) {
        return fail(NULL, err, rc);
    }
    if (o.site_path[0] != '\0') {
        return meter_batch(&o);
    }
    if (o.command == CMD_PUSH_TARIFF || o.command == CMD_VERIFY_TARIFF) {
        prepay_dlt645_tariff_tables_t tables;
        rc = meter_tariff_load(&o, &tables, err, sizeof err); /* before any byte is sent */
        if (rc != 0) {
            return fail(NULL, err, rc);
        }
    }
    static meter_station_t st;
    rc = meter_station_open(&st, &o, err, sizeof err);
    if (rc != 0) {
        return fail(NULL, err, rc);
    }
    static meter_bus_t bus;
    rc = meter_bus_open(&st, &bus, NULL, err, sizeof err);
    if (rc != 0) {
        meter_station_close(&st);
        return fail(NULL, err, rc);
    }
    int exit_code = 0;
    if (o.command == CMD_DISCOVER) {
        exit_code = meter_discover(&st, &bus, &o);
        meter_bus_close(&bus);
        meter_station_close(&st);
        return exit_code;
    }
    prepay_dlt645_address_t address = o.address;
    bool have_address = o.has_address;
    if (needs_address(&o) && !have_address) {
        /* No --address: the one meter on the bus, by read-address (all AA). */
        meter_options_t find = o;
        find.command = CMD_READ_ADDRESS;
        meter_op_t op;
        (void)meter_op_init(&op, &find, NULL);
        meter_run(&st, &bus, &op);
        if (op.outcome != OUT_OK) {
            exit_code = fail("meter", op.message, METER_EXIT_FIELD);
            meter_op_free(&op);
            meter_bus_close(&bus);
            meter_station_close(&st);
            return exit_code;
        }
        address = op.address;
        have_address = true;
        meter_op_free(&op);
    }
    meter_op_t op;
    rc = meter_op_init(&op, &o, have_address ? &address : NULL);
    if (rc != 0) {
        exit_code = fail(NULL, op.message, rc);
    } else {
        meter_run(&st, &bus, &op);
        meter_print(stdout, &op, o.json, o.link == LINK_LISTEN ? bus.dtu : NULL);
        if (op.outcome != OUT_OK) {
            char address_text[16];
            meter_address_text(&op, address_text, sizeof address_text);
            if (prepay_dlt645_address_is_wildcard(&op.address)) {
                snprintf(address_text, sizeof address_text, "bus");
            }
            exit_code = fail(address_text, op.message, METER_EXIT_FIELD);
        }
    }
    meter_op_free(&op);
    meter_bus_close(&bus);
    meter_station_close(&st);
    return exit_code;
}
