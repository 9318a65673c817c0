/* SPDX-License-Identifier: MIT */
/*
 * `prepay demo`: the household water meter (CJ/T 188-2004) on the same link as the DL/T 645
 * meters. The station reads its volume (901F), settles the litres on the household's account
 * (water priced by the water ladder, one wallet with electricity), and drives its valve (A017)
 * from the account's COMMAND events: closed at zero balance, opened after the recharge.
 *
 * The station session (prepay/station.h) speaks DL/T 645 only, so a CJ/T 188 exchange is done
 * here on the link's socket: the request, then the reply frame through the library's CJ/T 188
 * stream parser, matched to the request by prepay_cjt188_reply_check() (meter, function, SER, DI),
 * within the station's reply timeout. A lost or garbled reply is a failed request (retried later).
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "cli_text.h"
#include "demo.h"

/* 1 with a reply that answers the request, 0 none in time, -1 the link is lost. */
static int water_exchange(demo_t *d, const prepay_cjt188_frame_t *request, prepay_cjt188_frame_t *reply)
{
    uint8_t raw[PREPAY_CJT188_FRAME_MAX];
    int n = prepay_cjt188_encode(request, raw, sizeof raw);
    if (n <= 0) {
        return cli_fail(d->cli, n < 0 ? n : PREPAY_E_HOSTED_IO, "CJ/T 188 request: %s", prepay_strerror(n)), -1;
    }
    d->requests++;
    if (send(d->link.fd, raw, (size_t)n, MSG_NOSIGNAL) != n) {
        return cli_fail(d->cli, PREPAY_E_HOSTED_IO, "lost the emulator: socket"), -1;
    }
    d->link.bytes_sent += (uint64_t)n;
    prepay_cjt188_stream_t stream;
    if (prepay_cjt188_stream_init(&stream, PREPAY_CJT188_DI_AUTO) != PREPAY_OK) {
        return -1;
    }
    uint64_t deadline = station_link_now_ms() + (uint64_t)d->opt.timeout_ms;
    for (;;) {
        int got;
        while ((got = prepay_cjt188_stream_next(&stream, reply)) > 0) {
            if (prepay_cjt188_reply_check(request, reply) != PREPAY_E_CJT188_SER_MISMATCH && reply->is_reply &&
                memcmp(reply->address.bytes, request->address.bytes, sizeof reply->address.bytes) == 0) {
                return 1; /* this request's reply, normal or abnormal (the caller checks) */
            }
        }
        uint64_t now = station_link_now_ms();
        if (got < 0 || now >= deadline) {
            d->failures++;
            return 0;
        }
        struct pollfd p = {d->link.fd, POLLIN, 0};
        int ready = poll(&p, 1, (int)(deadline - now));
        if (ready <= 0) {
            continue;
        }
        uint8_t in[256];
        ssize_t r = recv(d->link.fd, in, sizeof in, 0);
        if (r <= 0) {
            return cli_fail(d->cli, PREPAY_E_HOSTED_IO, "lost the emulator: socket"), -1;
        }
        d->link.bytes_received += (uint64_t)r;
        if (prepay_cjt188_stream_feed(&stream, in, (size_t)r) < 0) {
            d->failures++;
            return 0;
        }
    }
}

static prepay_cjt188_target_t water_target(const demo_t *d)
{
    prepay_cjt188_target_t t;
    memset(&t, 0, sizeof t);
    t.meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
    t.address = d->water_address;
    t.di_order = PREPAY_CJT188_DI_AUTO;
    return t;
}

/* Reads 901F: 1 with the register (L, 0.01 m3 steps) and whether the valve reports open, 0 none, -1 link lost. */
static int read_current(demo_t *d, prepay_energy_t *litres, bool *open)
{
    prepay_cjt188_target_t t = water_target(d);
    prepay_cjt188_frame_t request, reply;
    if (prepay_cjt188_request_read(&request, &t, 0x901F, d->water_ser++) != PREPAY_OK) {
        return -1;
    }
    int got = water_exchange(d, &request, &reply);
    if (got <= 0) {
        return got;
    }
    prepay_cjt188_current_t current;
    if (prepay_cjt188_reply_current(&request, &reply, &current) != PREPAY_OK ||
        prepay_cjt188_quantity_litres(&current.reading, litres) != PREPAY_OK) {
        d->failures++;
        return 0;
    }
    *open = prepay_cjt188_status_valve(current.status) == PREPAY_CJT188_VALVE_STATE_OPEN;
    return 1;
}

int demo_water_read(demo_t *d, prepay_time_t t, prepay_settlement_reading_t *out)
{
    prepay_energy_t litres = 0;
    bool open = false;
    int got = read_current(d, &litres, &open);
    if (got <= 0) {
        d->water_read_failures += got == 0;
        return got;
    }
    out->meter_id = d->water_id;
    out->di = 0;
    out->time = t;
    out->value = litres;
    if (!d->water_primed) {
        d->water_first = litres;
        d->water_primed = true;
    }
    d->water_last = litres;
    return 1;
}

int demo_water_valve(demo_t *d, prepay_time_t t)
{
    if (d->water_valve_want < 0) {
        return 0;
    }
    const bool open = d->water_valve_want != PREPAY_DLT645_RELAY_TRIP;
    prepay_cjt188_target_t target = water_target(d);
    prepay_cjt188_frame_t request, reply;
    if (prepay_cjt188_request_valve(&request, &target, d->water_ser++, open) != PREPAY_OK) {
        return -1;
    }
    int got = water_exchange(d, &request, &reply);
    if (got < 0) {
        return -1;
    }
    if (got > 0 && prepay_cjt188_reply_check(&request, &reply) == PREPAY_OK) {
        if (open != d->water_valve_open) {
            *(open ? &d->water_opens : &d->water_closes) += 1;
        }
        d->water_valve_open = open;
        d->water_valve_want = -1;
    } else if (d->events) {
        char when[CLI_TEXT_MAX];
        fprintf(d->events, "%s,%s,valve_retry,,,,\n", cli_time_text(t, PREPAY_TIME_TEXT_MINUTE, when),
                d->rooms[d->water_room].name);
    }
    return 0;
}

int demo_water_final(demo_t *d, prepay_time_t t)
{
    /* The pending valve command and the last reading, a few attempts each (faults may drop replies). */
    for (int k = 0; k < 4 && d->water_valve_want >= 0; k++) {
        if (demo_water_valve(d, t) != 0) {
            return -1;
        }
    }
    for (int k = 0; k < 4 && !d->water_final_read; k++) {
        int got = read_current(d, &d->water_final, &d->water_final_open);
        if (got < 0) {
            return -1;
        }
        d->water_final_read = got > 0;
    }
    if (d->water_final_read && d->water_final != d->water_last) {
        /* The last hourly read was lost: the station settles the final one. */
        prepay_settlement_reading_t reading = {d->water_id, 0, t, d->water_final};
        prepay_settlement_result_t res;
        int status = prepay_settlement_settle(&d->site, &d->books, &d->work, &reading, 1, &res);
        if (status < 0) {
            return cli_fail(d->cli, status, "water reading refused: %s", prepay_strerror(status)), -1;
        }
        d->water_last = d->water_final;
    }
    return 0;
}
