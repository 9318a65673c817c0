/* SPDX-License-Identifier: MIT */
/*
 * `prepay demo`: the rooms' water meters (CJ/T 188-2004) on the same link as the DL/T 645 meters,
 * one in every room. Remote rooms: the station reads each one's volume (901F), settles the litres on the
 * room's account (water priced by the water ladder, one wallet with electricity), and drives its
 * valve (A017) from the account's COMMAND events: closed at zero balance, opened after the recharge.
 * Local rooms (the electricity meter keeps its own purse) have a money-mode meter with its own purse: the
 * station programs its price table from the water ladder (A010), sells it purchases out of the room's wallet
 * (A013, idempotent on the purchase serial; each booked once, when sold, by prepay_settlement_sell()),
 * reads 901F hourly and 8105 after each purchase, daily and after the run; the meter deducts, closes its valve
 * at zero and opens it after a purchase by itself.
 *
 * The station session (prepay/station.h) speaks DL/T 645 only, so a CJ/T 188 exchange is done
 * here on the link's socket: the request, then the reply frame through the library's CJ/T 188
 * stream parser, matched to the request by prepay_cjt188_reply_check() (meter, function, SER, DI),
 * within the station's reply timeout. A lost or garbled reply is a failed request (retried later).
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdlib.h>
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

static prepay_cjt188_target_t water_target(const demo_room_t *r)
{
    prepay_cjt188_target_t t;
    memset(&t, 0, sizeof t);
    t.meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
    t.address = r->water_address;
    t.di_order = PREPAY_CJT188_DI_AUTO;
    return t;
}

static const prepay_tariff_t *water_tariff(const demo_t *d)
{
    return &d->water_doc->sets[0];
}

int demo_water_cycles(demo_t *d)
{
    /* Every tier cycle the run's readings fall in: from the start to the last reading's interval. */
    prepay_time_t t = d->start, end = d->start + (prepay_time_t)d->hours * 3600;
    d->water_cycles = 0;
    while (t < end) {
        int32_t cycle;
        prepay_time_t cycle_end;
        int status = prepay_tariff_cycle_of(water_tariff(d), t, &cycle);
        status = status ? status : prepay_tariff_cycle_bounds(water_tariff(d), cycle, NULL, &cycle_end);
        if (status != PREPAY_OK || d->water_cycles == DEMO_WATER_CYCLES) {
            return cli_fail(d->cli, status ? status : PREPAY_E_OVERFLOW, "the water tariff's cycles: %s",
                            prepay_strerror(status ? status : PREPAY_E_OVERFLOW)), -1;
        }
        d->water_cycle_id[d->water_cycles] = cycle;
        d->water_cycle_end[d->water_cycles++] = cycle_end;
        t = cycle_end;
    }
    return 0;
}

/* The tier cycles of a room's meter: the water ladder's (remote rooms), or the meter's own months (local). */
static int cycles_of(const demo_t *d, const demo_room_t *r, const prepay_time_t **ends)
{
    *ends = r->local ? d->local_cycle_end : d->water_cycle_end;
    return r->local ? d->local_cycles : d->water_cycles;
}

/* The cycle (index) of an interval starting at t. */
static int cycle_index(const prepay_time_t *ends, int cycles, prepay_time_t t)
{
    int k = 0;
    while (k + 1 < cycles && t >= ends[k]) {
        k++;
    }
    return k;
}

/* A new register value read at t: its advance counted in the cycles of the interval, spread over it as the
 * tariff engine spreads an interval (the litres of [from, x) are floor(L x (x - from) / (t - from))). */
static void note_reading(const demo_t *d, demo_room_t *r, prepay_time_t t, prepay_energy_t litres)
{
    if (!r->water_primed) {
        r->water_first = litres;
        r->water_primed = true;
    } else if (litres > r->water_last && t > r->water_time) {
        const prepay_energy_t advance = litres - r->water_last;
        prepay_energy_t before = 0;
        const prepay_time_t *ends;
        const int cycles = cycles_of(d, r, &ends);
        for (int k = cycle_index(ends, cycles, r->water_time); k < cycles && before < advance; k++) {
            const prepay_time_t x = ends[k];
            /* <= 10^9 L x 366 days of seconds: within int64 */
            prepay_energy_t upto = x >= t || k + 1 == cycles
                                       ? advance
                                       : advance * (x - r->water_time) / (t - r->water_time);
            r->water_cycle_l[k] += upto - before;
            before = upto;
        }
    }
    r->water_last = litres;
    r->water_time = t;
}

/* A local meter's valve as read (ST): a change since the last read is a closure or a reopening. */
static void note_valve(demo_room_t *r, bool open)
{
    if (r->local && open != r->water_valve_open) {
        *(open ? &r->water_opens : &r->water_closes) += 1;
        r->water_valve_open = open;
    }
}

/* Reads 901F: 1 with the register (L, 0.01 m3 steps) and whether the valve reports open, 0 none, -1 link lost. */
static int read_current(demo_t *d, const demo_room_t *r, prepay_energy_t *litres, bool *open)
{
    prepay_cjt188_target_t t = water_target(r);
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

/* ---- local rooms' water meters: the meter's own purse ------------------------------------------------------ */

/* 00:00 on the 1st of the month after t's. */
static prepay_time_t month_after(prepay_time_t t)
{
    prepay_civil_t c;
    prepay_time_t next = t + 31 * PREPAY_SECONDS_PER_DAY;
    if (prepay_time_to_civil(t, &c) == PREPAY_OK) {
        prepay_civil_t first = {c.year + (c.month == 12), (uint8_t)(c.month == 12 ? 1 : c.month + 1), 1, 0, 0, 0, 0};
        if (prepay_time_from_civil(&first, &next) != PREPAY_OK) {
            next = t + 31 * PREPAY_SECONDS_PER_DAY;
        }
    }
    return next;
}

int demo_water_local_setup(demo_t *d)
{
    /* The A010 table from the water ladder: its three prices (whole fen), its two bounds in whole m3 (an annual
     * ladder's by month: / 12, half-up), monthly cycles from the 1st (the meter's settlement day). */
    const prepay_tariff_t *t = water_tariff(d);
    int status = PREPAY_OK;
    if (t->band_count != 1 || t->tier_count < 1 || t->tier_count > 3 || t->ladder_count != 1 || t->ladders[0].per_day ||
        (t->cycle_kind != PREPAY_CYCLE_YEAR && t->cycle_kind != PREPAY_CYCLE_MONTH)) {
        return cli_fail(d->cli, PREPAY_E_INVALID_ARGUMENT, "the water tariff %s does not fit a CJ/T 188 price table "
                        "(one band, up to 3 tiers, one ladder, monthly or yearly cycles)", d->water_doc->name), -1;
    }
    prepay_cjt188_price_table_t *table = &d->water_table;
    memset(table, 0, sizeof *table);
    for (unsigned k = 0; k < 3 && status == PREPAY_OK; k++) {
        status = prepay_tariff_price(t, 1, k < t->tier_count ? k + 1u : t->tier_count, &table->price[k]);
    }
    for (int k = 0; k < 2 && status == PREPAY_OK; k++) {
        /* Fewer tiers: the missing steps repeat the last bound (one tier: 0, every litre at price 3 = price 1). */
        int64_t m3 = 0, bound = 0;
        if (t->tier_count > 1) {
            bound = t->ladders[0].upper[k < t->tier_count - 1 ? k : t->tier_count - 2];
        }
        status = prepay_i64_div_round(bound, t->cycle_kind == PREPAY_CYCLE_YEAR ? 12000 : 1000, PREPAY_ROUND_HALF_UP,
                                      &m3);
        table->step_litres[k] = m3 * 1000;
    }
    prepay_civil_t c;
    status = status ? status : prepay_time_to_civil(d->start, &c);
    table->start_day = c.day; /* in force at once */
    for (int k = 0; k < 3 && status == PREPAY_OK; k++) {
        status = table->price[k] % 1000000 == 0 ? PREPAY_OK : PREPAY_E_INVALID_ARGUMENT; /* A010: 0.01 yuan */
    }
    status = status ? status : prepay_water_price_table_check(table);
    if (status != PREPAY_OK) {
        return cli_fail(d->cli, status, "the water tariff %s as a CJ/T 188 price table: %s", d->water_doc->name,
                        prepay_strerror(status)), -1;
    }
    const prepay_time_t end = d->start + (prepay_time_t)d->hours * 3600;
    d->local_cycles = 0;
    for (prepay_time_t at = d->start; at < end && d->local_cycles < DEMO_WATER_CYCLES; at = month_after(at)) {
        d->local_cycle_end[d->local_cycles++] = month_after(at);
    }
    return 0;
}

/* Reads 8105 (purse): 1 read (r->water_purse, the valve noted from its ST), 0 none, -1 link lost. */
static int read_purse(demo_t *d, demo_room_t *r)
{
    prepay_cjt188_target_t t = water_target(r);
    prepay_cjt188_frame_t request, reply;
    if (prepay_cjt188_request_read(&request, &t, 0x8105, d->water_ser++) != PREPAY_OK) {
        return -1;
    }
    int got = water_exchange(d, &request, &reply);
    if (got <= 0) {
        return got;
    }
    prepay_cjt188_purse_t purse;
    if (prepay_cjt188_reply_purse(&request, &reply, &purse) != PREPAY_OK) {
        d->failures++;
        return 0;
    }
    r->water_purse = purse;
    note_valve(r, prepay_cjt188_status_valve(purse.status) == PREPAY_CJT188_VALVE_STATE_OPEN);
    return 1;
}

/* One write; 1 confirmed (a normal reply), 0 not (lost, garbled or refused: sent again later), -1 link lost. */
static int write_confirmed(demo_t *d, const demo_room_t *r, const prepay_cjt188_frame_t *request, prepay_time_t t,
                           const char *what)
{
    prepay_cjt188_frame_t reply;
    int got = water_exchange(d, request, &reply);
    if (got < 0) {
        return -1;
    }
    if (got > 0 && prepay_cjt188_reply_check(request, &reply) == PREPAY_OK) {
        return 1;
    }
    if (d->events) {
        char when[CLI_TEXT_MAX];
        fprintf(d->events, "%s,%s,%s,,,,\n", cli_time_text(t, PREPAY_TIME_TEXT_MINUTE, when), r->name, what);
    }
    return 0;
}

/* The price table first, then the purchase in flight and the queued one: each sent until the meter confirms it.
 * A lost A013 reply is harmless: the same serial again is a repeat the meter answers without crediting twice.
 * 0, or -1 link lost. */
static int sell(demo_t *d, demo_room_t *r, prepay_time_t t)
{
    prepay_cjt188_target_t target = water_target(r);
    prepay_cjt188_frame_t request;
    if (!r->water_table_ok) {
        if (prepay_cjt188_request_write_price_table(&request, &target, d->water_ser++, &d->water_table) != PREPAY_OK) {
            return cli_fail(d->cli, PREPAY_E_INVALID_ARGUMENT, "A010 request for %s", r->name), -1;
        }
        int got = write_confirmed(d, r, &request, t, "price_table_retry");
        if (got <= 0) {
            return got;
        }
        r->water_table_ok = true;
    }
    while (r->water_pending > 0 || r->water_queued > 0) {
        if (r->water_pending == 0) {
            r->water_pending = r->water_queued;
            r->water_queued = 0;
        }
        const uint8_t serial = (uint8_t)(r->water_serial + 1u);
        int status = prepay_cjt188_request_purchase(&request, &target, d->water_ser++, serial, r->water_pending);
        if (status != PREPAY_OK) {
            return cli_fail(d->cli, status, "A013 request for %s: %s", r->name, prepay_strerror(status)), -1;
        }
        int got = write_confirmed(d, r, &request, t, "purchase_retry");
        if (got <= 0) {
            return got;
        }
        r->water_serial = serial;
        r->water_pending = 0;
        r->water_credited++;
        if (read_purse(d, r) < 0) { /* the purse and the valve after the purchase (a lost read: the next one) */
            return -1;
        }
    }
    return 0;
}

int demo_water_buy(demo_t *d, demo_room_t *r, prepay_time_t t, prepay_money_t amount)
{
    /* Booked once, when sold: a sale out of the wallet to the water meter's purse (after the recharge that paid
     * it; the account's sale sequence is the room's purchases booked + 1), whatever becomes of the A013 exchanges,
     * whose purchase serial is the meter's own. */
    prepay_settlement_sale_t sale;
    memset(&sale, 0, sizeof sale);
    sale.account_id = r->id;
    sale.sequence = (uint32_t)r->water_purchases + 1u;
    sale.commodity = PREPAY_SETTLEMENT_WATER;
    sale.amount = amount;
    sale.time = t;
    prepay_settlement_result_t res;
    int status = prepay_settlement_sell(&d->site, &d->books, &d->work, &sale, &res);
    if (status != PREPAY_OK) {
        return cli_fail(d->cli, status, "water sale %u to %s refused: %s (%s)", sale.sequence, r->name,
                        prepay_strerror(status), prepay_strerror(res.error_detail)), -1;
    }
    r->water_booked += amount;
    r->water_money += amount;
    r->water_purchases++;
    *(r->water_pending > 0 ? &r->water_queued : &r->water_pending) += amount;
    return sell(d, r, t);
}

prepay_money_t demo_water_purse_view(const demo_room_t *r)
{
    return r->water_valve_open ? r->water_purse.remaining_fen : 0;
}

int demo_water_local_money(const demo_t *d, const demo_room_t *r, prepay_energy_t litres[3], prepay_money_t *money,
                           prepay_money_t *slack)
{
    const prepay_cjt188_price_table_t *table = &d->water_table;
    const prepay_energy_t upper[3] = {table->step_litres[0], table->step_litres[1], INT64_MAX};
    litres[0] = litres[1] = litres[2] = 0;
    int64_t exact = 0, top_price = 0; /* litres x price (1e-8 yuan per m3) */
    for (int k = 0; k < 3; k++) {
        top_price = table->price[k] > top_price ? table->price[k] : top_price;
    }
    for (int k = 0; k < d->local_cycles; k++) {
        prepay_energy_t volume = r->water_cycle_l[k], below = 0;
        for (int tier = 0; tier < 3 && below < volume; tier++) {
            prepay_energy_t top = upper[tier] < volume ? upper[tier] : volume;
            top = top > below ? top : below;
            litres[tier] += top - below;
            exact += (top - below) * table->price[tier];
            below = top;
        }
    }
    /* The register is read to 10 L: the litres of a cycle as read can be up to 9 L from the meter's own, at any
     * price; the meter rounds the exact total once, half-up. */
    int status = prepay_i64_div_round(9 * top_price * d->local_cycles, 1000000000, PREPAY_ROUND_UP, slack);
    *slack += 1;
    return status ? status : prepay_i64_div_round(exact, 1000000000, PREPAY_ROUND_HALF_UP, money);
}

/* Requests on the wire at once in a reading round: their replies (about 40 bytes each) stay well inside what
 * the emulator queues for a connection. */
#define WATER_WINDOW 16

/* One window of 901F reads: the requests sent together, the replies matched to them by meter address and SER
 * as they come. Answered meters get a reading in out[*n]; unanswered ones by the deadline are failed reads.
 * 0, or -1 link lost. */
static int read_window(demo_t *d, demo_room_t **rooms, size_t count, prepay_time_t t,
                       prepay_settlement_reading_t *out, size_t *n)
{
    prepay_cjt188_frame_t request[WATER_WINDOW], reply;
    bool done[WATER_WINDOW];
    uint8_t raw[WATER_WINDOW * PREPAY_CJT188_FRAME_MAX];
    size_t len = 0, left = count;
    for (size_t k = 0; k < count; k++) {
        prepay_cjt188_target_t target = water_target(rooms[k]);
        int w = prepay_cjt188_request_read(&request[k], &target, 0x901F, d->water_ser++);
        w = w ? w : prepay_cjt188_encode(&request[k], raw + len, sizeof raw - len);
        if (w <= 0) {
            return cli_fail(d->cli, w < 0 ? w : PREPAY_E_HOSTED_IO, "CJ/T 188 request: %s", prepay_strerror(w)), -1;
        }
        len += (size_t)w;
        done[k] = false;
    }
    d->requests += count;
    if (send(d->link.fd, raw, len, MSG_NOSIGNAL) != (ssize_t)len) {
        return cli_fail(d->cli, PREPAY_E_HOSTED_IO, "lost the emulator: socket"), -1;
    }
    d->link.bytes_sent += len;
    prepay_cjt188_stream_t stream;
    if (prepay_cjt188_stream_init(&stream, PREPAY_CJT188_DI_AUTO) != PREPAY_OK) {
        return -1;
    }
    uint64_t deadline = station_link_now_ms() + (uint64_t)d->opt.timeout_ms;
    size_t next = 0;             /* replies come in request order: the next one is tried first */
    uint8_t in[512];
    size_t in_at = 0, in_len = 0; /* received bytes not yet taken by the parser */
    while (left > 0) {
        while (left > 0 && prepay_cjt188_stream_next(&stream, &reply) > 0) {
            for (size_t j = 0; j < count; j++) {
                size_t k = (next + j) % count;
                if (done[k] || !reply.is_reply ||
                    memcmp(reply.address.bytes, request[k].address.bytes, sizeof reply.address.bytes) != 0 ||
                    prepay_cjt188_reply_check(&request[k], &reply) == PREPAY_E_CJT188_SER_MISMATCH) {
                    continue;
                }
                done[k] = true;
                left--;
                next = k + 1;
                prepay_cjt188_current_t current;
                prepay_energy_t litres;
                if (prepay_cjt188_reply_current(&request[k], &reply, &current) != PREPAY_OK ||
                    prepay_cjt188_quantity_litres(&current.reading, &litres) != PREPAY_OK) {
                    d->failures++;
                    rooms[k]->water_read_failures++;
                    break;
                }
                if (rooms[k]->local) {
                    /* The meter prices its own litres: read, not settled; its valve is its own. */
                    note_valve(rooms[k], prepay_cjt188_status_valve(current.status) == PREPAY_CJT188_VALVE_STATE_OPEN);
                } else {
                    prepay_settlement_reading_t *o = &out[(*n)++];
                    o->meter_id = rooms[k]->water_id;
                    o->di = 0;
                    o->time = t;
                    o->value = litres;
                }
                note_reading(d, rooms[k], t, litres);
                break;
            }
        }
        if (left > 0 && in_at < in_len) {
            /* next() returned 0: there is room for at least one more byte. */
            int taken = prepay_cjt188_stream_feed(&stream, in + in_at, in_len - in_at);
            if (taken <= 0) {
                break;
            }
            in_at += (size_t)taken;
            continue;
        }
        uint64_t now = station_link_now_ms();
        if (left == 0 || now >= deadline) {
            break;
        }
        struct pollfd p = {d->link.fd, POLLIN, 0};
        if (poll(&p, 1, (int)(deadline - now)) <= 0) {
            continue;
        }
        ssize_t r = recv(d->link.fd, in, sizeof in, 0);
        if (r <= 0) {
            return cli_fail(d->cli, PREPAY_E_HOSTED_IO, "lost the emulator: socket"), -1;
        }
        d->link.bytes_received += (uint64_t)r;
        in_at = 0;
        in_len = (size_t)r;
    }
    for (size_t k = 0; k < count; k++) {
        if (!done[k]) {
            d->failures++;
            rooms[k]->water_read_failures++;
        }
    }
    return 0;
}

int demo_water_round(demo_t *d, prepay_time_t t, prepay_settlement_reading_t *out, size_t *n)
{
    demo_room_t *window[WATER_WINDOW];
    size_t count = 0;
    *n = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        if (!r->water) {
            continue;
        }
        if (demo_water_valve(d, r, t) != 0) {
            return -1;
        }
        window[count++] = r;
        if (count == WATER_WINDOW && read_window(d, window, count, t, out, n) != 0) {
            return -1;
        }
        count = count == WATER_WINDOW ? 0 : count;
    }
    if (count > 0 && read_window(d, window, count, t, out, n) != 0) {
        return -1;
    }
    bool boundary = false; /* the local meters' tier cycle turns now */
    for (int k = 0; k < d->local_cycles; k++) {
        boundary = boundary || d->local_cycle_end[k] == t;
    }
    for (size_t i = 0; i < d->room_count; i++) {
        /* Local meters: the register at a cycle's turn re-polled like the end readings (the litres of each cycle
         * are then as read, not spread by time); a purchase not yet confirmed sent again (same serial); every day
         * at midnight the purse read (8105). */
        demo_room_t *r = &d->rooms[i];
        if (!r->water || !r->local) {
            continue;
        }
        for (int k = 0; boundary && r->water_time != t && k < DEMO_END_POLLS; k++) {
            prepay_energy_t litres;
            bool open;
            int got = read_current(d, r, &litres, &open);
            if (got < 0) {
                return -1;
            }
            if (got > 0) {
                note_valve(r, open);
                note_reading(d, r, t, litres);
            }
        }
        if ((r->water_pending > 0 || r->water_queued > 0 || !r->water_table_ok) && sell(d, r, t) != 0) {
            return -1;
        }
        if ((t - d->start) % PREPAY_SECONDS_PER_DAY == 0 && read_purse(d, r) < 0) {
            return -1;
        }
    }
    return 0;
}

int demo_water_valve(demo_t *d, demo_room_t *r, prepay_time_t t)
{
    if (!r->water || r->water_valve_want < 0) {
        return 0;
    }
    const bool open = r->water_valve_want != PREPAY_DLT645_RELAY_TRIP;
    prepay_cjt188_target_t target = water_target(r);
    prepay_cjt188_frame_t request, reply;
    if (prepay_cjt188_request_valve(&request, &target, d->water_ser++, open) != PREPAY_OK) {
        return -1;
    }
    int got = water_exchange(d, &request, &reply);
    if (got < 0) {
        return -1;
    }
    if (got > 0 && prepay_cjt188_reply_check(&request, &reply) == PREPAY_OK) {
        if (open != r->water_valve_open) {
            *(open ? &r->water_opens : &r->water_closes) += 1;
        }
        r->water_valve_open = open;
        r->water_valve_want = -1;
    } else if (d->events) {
        char when[CLI_TEXT_MAX];
        fprintf(d->events, "%s,%s,valve_retry,,,,\n", cli_time_text(t, PREPAY_TIME_TEXT_MINUTE, when), r->name);
    }
    return 0;
}

int demo_water_settle(demo_t *d, const prepay_settlement_reading_t *readings, size_t count)
{
    if (count == 0) {
        return 0;
    }
    /* The call settles water only: what each account's charges grew by is its water charge. */
    for (size_t k = 0; k < count; k++) {
        demo_room_t *r = &d->rooms[readings[k].meter_id - d->master_id - 1u];
        r->water_money -= prepay_settlement_account(&d->site, r->id)->books.energy;
    }
    prepay_settlement_result_t res;
    int status = prepay_settlement_settle(&d->site, &d->books, &d->work, readings, count, &res);
    for (size_t k = 0; k < count; k++) {
        demo_room_t *r = &d->rooms[readings[k].meter_id - d->master_id - 1u];
        r->water_money += prepay_settlement_account(&d->site, r->id)->books.energy;
    }
    if (status < 0) {
        return cli_fail(d->cli, status, "water readings refused (meter %u): %s", res.error_id,
                        prepay_strerror(status)), -1;
    }
    return 0;
}

int demo_water_final(demo_t *d, prepay_time_t t)
{
    size_t n = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        /* The last reading, re-polled like the electricity meters': DEMO_END_POLLS attempts,
         * one exchange each (faults may drop replies). */
        for (int k = 0; k < DEMO_END_POLLS && r->water && !r->water_final_read; k++) {
            int got = read_current(d, r, &r->water_final, &r->water_final_open);
            if (got < 0) {
                return -1;
            }
            r->water_final_read = got > 0;
        }
        if (r->water_final_read && r->water_final != r->water_last) {
            /* The last hourly read was lost: the station settles the final one (a local meter's is only noted). */
            if (!r->local) {
                prepay_settlement_reading_t reading = {r->water_id, 0, t, r->water_final};
                d->batch[n++] = reading;
            }
            note_reading(d, r, t, r->water_final);
        }
    }
    return demo_water_settle(d, d->batch, n);
}

int demo_water_confirm(demo_t *d, prepay_time_t t)
{
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        if (!r->water) {
            continue;
        }
        /* The pending valve command (local meters: the purchase not yet confirmed, then the purse, 8105), then
         * the valve as the meter reports it (ST), a few attempts each. */
        for (int k = 0; k < DEMO_END_POLLS && r->water_valve_want >= 0; k++) {
            if (demo_water_valve(d, r, t) != 0) {
                return -1;
            }
        }
        for (int k = 0; k < DEMO_END_POLLS && r->local && (r->water_pending > 0 || r->water_queued > 0 ||
                                                            !r->water_table_ok); k++) {
            if (sell(d, r, t) != 0) {
                return -1;
            }
        }
        r->water_purse_read = false;
        for (int k = 0; k < DEMO_END_POLLS && r->local && !r->water_purse_read; k++) {
            int got = read_purse(d, r);
            if (got < 0) {
                return -1;
            }
            r->water_purse_read = got > 0;
        }
        bool read = false;
        for (int k = 0; k < DEMO_END_POLLS && !read; k++) {
            prepay_energy_t litres;
            int got = read_current(d, r, &litres, &r->water_final_open);
            if (got < 0) {
                return -1;
            }
            read = got > 0;
        }
        r->water_final_read = r->water_final_read && read;
        if (read) {
            note_valve(r, r->water_final_open);
        }
    }
    return 0;
}

int demo_water_tiers(const demo_t *d, const demo_room_t *r, prepay_energy_t litres[3], prepay_money_t *money)
{
    const prepay_tariff_t *t = water_tariff(d);
    const prepay_settlement_account_t *a = prepay_settlement_account(&d->site, r->id);
    litres[0] = litres[1] = litres[2] = 0;
    *money = 0;
    int64_t exact = 0; /* litres x price (1e-8 yuan per m3) */
    for (int k = 0; k < d->water_cycles; k++) {
        prepay_energy_t upper[PREPAY_MAX_TIERS];
        int tiers = prepay_tariff_tier_bounds(t, &a->config.tariff_account, d->water_cycle_id[k], upper,
                                              PREPAY_MAX_TIERS);
        if (tiers < 0) {
            return tiers;
        }
        prepay_energy_t volume = r->water_cycle_l[k], below = 0;
        for (int tier = 0; tier < tiers && below < volume; tier++) {
            prepay_energy_t top = upper[tier] < volume ? upper[tier] : volume;
            prepay_price_t price;
            int status = prepay_tariff_price(t, 1, (unsigned)tier + 1u, &price);
            if (status != PREPAY_OK) {
                return status;
            }
            litres[tier < 2 ? tier : 2] += top - below;
            exact += (top - below) * price;
            below = top;
        }
    }
    /* 1e-8 yuan per m3 x L = 1e-11 yuan: to fen by the tariff's rounding of a bill (the library's one rule). */
    return prepay_i64_div_round(exact, 1000000000, t->rounding, money);
}

int demo_water_write_csv(const demo_t *d, FILE *f)
{
    /* Remote rooms: water_yuan is what the settlement charged the wallet. Local rooms: what the meter deducted
     * (8105 total - remaining), the tiers as the meter's own table counts the litres read, the purchases. */
    fprintf(f, "room,water_meter,mode,tier1_l,tier2_l,tier3_l,total_l,water_yuan,ladder_yuan,purchases,purchased_yuan,"
               "purse_yuan,valve_closes,valve_opens,valve_open,unanswered_reads\n");
    for (size_t i = 0; i < d->room_count; i++) {
        const demo_room_t *r = &d->rooms[i];
        if (!r->water) {
            continue;
        }
        prepay_energy_t litres[3], total;
        prepay_money_t ladder = 0, slack = 0, water;
        char m[CLI_TEXT_MAX], l[CLI_TEXT_MAX], p[CLI_TEXT_MAX] = "", b[CLI_TEXT_MAX] = "", n[CLI_TEXT_MAX] = "";
        if (r->local) {
            if (demo_water_local_money(d, r, litres, &ladder, &slack) != 0) {
                return -1;
            }
            total = r->water_last - r->water_first;
            water = r->water_purse.total_fen - r->water_purse.remaining_fen;
            cli_fixed_text(r->water_purse.remaining_fen, 2, p);
            cli_fixed_text(r->water_booked, 2, b);
            snprintf(n, sizeof n, "%d", r->water_purchases);
        } else {
            if (demo_water_tiers(d, r, litres, &ladder) != 0) {
                return -1;
            }
            total = prepay_settlement_meter(&d->site, r->water_id)->total;
            water = r->water_money;
        }
        fprintf(f, "%s,%s,%s,%lld,%lld,%lld,%lld,%s,%s,%s,%s,%s,%d,%d,%s,%d\n", r->name, r->water_address_text,
                r->local ? "local" : "remote", (long long)litres[0], (long long)litres[1], (long long)litres[2],
                (long long)total, cli_fixed_text(water, 2, m), cli_fixed_text(ladder, 2, l), n, b, p, r->water_closes,
                r->water_opens, r->water_final_open ? "yes" : "no", r->water_read_failures);
    }
    return ferror(f) ? -1 : 0;
}
