/* SPDX-License-Identifier: MIT */
/*
 * prepay meter: the bus — a serial port, a TCP connection, or DTUs dialling
 * in to the station — and running operations on it through a link
 * (prepay/transport.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter_cli.h"

#define DTU_SLOTS 256

/* --verbose: what the DTU server saw, prefixed with the command's name ("prepay meter batch"). */
static void log_line(void *context, const char *line)
{
    fprintf(stderr, "%s: %s\n", context ? (const char *)context : "prepay meter", line);
}

int meter_station_open(meter_station_t *st, const meter_options_t *o, char *err, size_t err_cap)
{
    memset(st, 0, sizeof *st);
    st->options = o;
    if (o->link != LINK_LISTEN) {
        return 0;
    }
    st->connections = calloc(DTU_SLOTS, sizeof *st->connections);
    if (!st->connections) {
        st->status = PREPAY_E_HOSTED_NO_MEMORY;
        snprintf(err, err_cap, "out of memory");
        return METER_EXIT_FIELD;
    }
    int status = prepay_dtu_server_open(&st->server, o->listen_host[0] ? o->listen_host : NULL, o->port,
                                        &o->dtu_format, o->has_heartbeat ? &o->heartbeat : NULL, st->connections,
                                        DTU_SLOTS);
    if (status != PREPAY_OK) {
        st->status = status;
        snprintf(err, err_cap, "%s", st->server.error);
        free(st->connections);
        st->connections = NULL;
        return METER_EXIT_FIELD;
    }
    if (o->verbose) {
        prepay_dtu_server_set_log(&st->server, log_line, (void *)(uintptr_t)o->program);
    }
    st->server_open = true;
    return 0;
}

void meter_station_close(meter_station_t *st)
{
    if (st->server_open) {
        prepay_dtu_server_close(&st->server);
        st->server_open = false;
    }
    free(st->connections);
    st->connections = NULL;
}

int meter_transport_open(meter_station_t *st, prepay_transport_t *t, const char *dtu, char *err, size_t err_cap)
{
    const meter_options_t *o = st->options;
    int status;
    switch (o->link) {
    case LINK_SERIAL:
        status = prepay_transport_open_serial(t, o->device, &o->serial);
        break;
    case LINK_TCP:
        status = prepay_transport_open_tcp(t, o->host, o->port, o->connect_timeout_ms);
        break;
    default:
        status = prepay_dtu_server_attach(&st->server, dtu, o->connect_timeout_ms, t);
        break;
    }
    if (status != PREPAY_OK) {
        snprintf(err, err_cap, "%s", t->error[0] ? t->error : prepay_strerror(status));
    }
    return status;
}

int meter_bus_open(meter_station_t *st, meter_bus_t *bus, const char *dtu, char *err, size_t err_cap)
{
    const meter_options_t *o = st->options;
    memset(bus, 0, sizeof *bus);
    if (o->link == LINK_LISTEN) {
        snprintf(bus->dtu, sizeof bus->dtu, "%s", dtu ? dtu : o->dtu);
    }
    int status = meter_transport_open(st, &bus->transport, bus->dtu, err, err_cap);
    if (status != PREPAY_OK) {
        bus->status = status;
        return METER_EXIT_FIELD;
    }
    status = prepay_link_init(&bus->link, &bus->transport, &o->station);
    if (status != PREPAY_OK) {
        bus->status = status;
        snprintf(err, err_cap, "station settings: %s", prepay_strerror(status));
        prepay_transport_close(&bus->transport);
        return METER_EXIT_USAGE;
    }
    bus->open = true;
    return 0;
}

void meter_bus_close(meter_bus_t *bus)
{
    if (bus->open) {
        prepay_transport_close(&bus->transport);
        bus->open = false;
    }
}

static uint64_t dropped(const meter_bus_t *bus)
{
    prepay_station_stats_t st;
    return prepay_station_stats(&bus->link.session, &st) == PREPAY_OK ? st.bytes_dropped : 0;
}

bool meter_bus_start(meter_bus_t *bus, meter_op_t *op, const meter_exchange_t *last)
{
    prepay_dlt645_frame_t request;
    if (meter_op_step(op, last, &request) != 1) {
        return false;
    }
    bus->dropped_before = dropped(bus);
    int status = prepay_link_start(&bus->link, &request, bus->data, sizeof bus->data);
    if (status != PREPAY_OK) {
        meter_op_fail(op, OUT_FAILED, "the request cannot be sent: %s", prepay_strerror(status));
        return false;
    }
    return true;
}

void meter_bus_collect(meter_bus_t *bus, meter_exchange_t *out)
{
    memset(out, 0, sizeof *out);
    out->status = prepay_link_result(&bus->link, &out->result);
    out->data = bus->data;
    out->data_len = out->status == PREPAY_OK ? out->result.data_len : 0;
    uint64_t now = dropped(bus);
    out->bytes_dropped = now > bus->dropped_before ? now - bus->dropped_before : 0;
    out->error_text = bus->transport.error;
}

void meter_run(meter_station_t *st, meter_bus_t *bus, meter_op_t *op)
{
    meter_exchange_t ex;
    const meter_exchange_t *last = NULL;
    prepay_link_t *const links[1] = {&bus->link};
    while (meter_bus_start(bus, op, last)) {
        while (!prepay_link_done(&bus->link)) {
            int status = prepay_links_poll(st->server_open ? &st->server : NULL, links, 1, 1000);
            if (status != PREPAY_OK) {
                meter_op_fail(op, OUT_LINK, "%s", prepay_strerror(status));
                return;
            }
        }
        meter_bus_collect(bus, &ex);
        last = &ex;
    }
}
