/* SPDX-License-Identifier: MIT */
/*
 * CJ/T 188 water meters in the emulator, over loopback TCP (hosted integration test).
 *
 * Starts prepay-emu on examples/sites/water.json (one DL/T 645 meter 101 and
 * two cold-water meters from 2026-11-01 00:00: 201 in money mode with
 * 10.00 yuan at a flat 3.00 yuan/m3 and a tap of 100 L/h; 202 in remote mode
 * with 60 L/h from 06:00 to 22:00) and, on one connection, moves the site's
 * time with DL/T 645 broadcast time syncs and talks CJ/T 188 to the water
 * meters: reads (901F, 8105), valve commands (A017) and a purchase (A013).
 *
 * Expected values are worked by hand:
 * - 201 after 12 h: 12 x 100 = 1 200 L, read as 000001.20 m3.
 * - 201's purse: each litre costs 0.3 fen; the meter deducts round-half-up of
 *   the running exact charge, so the balance reaches 0 when 0.3 n >= 999.5,
 *   n = 3 332 L (at 09:19:12 on 2026-11-02): the valve closes and the tap
 *   stops; read as 000003.33 m3 (CJ/T 188 sends 0.01 m3, truncated).
 * - After a purchase of 10.00 yuan (serial 2) the valve opens; one hour more
 *   is 3 432 L, read as 3.43 m3.
 * - 202 after 12 h: hours 06..11 at 60 L/h = 360 L; closed by the station at
 *   12:00 it stays at 360 L to 18:00; opened, by 20:00 it is at 480 L.
 * Replies are waited for with a generous budget; nothing depends on speed.
 * argv: prepay-emu path, site file, scratch directory.
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "emu_child.h"
#include "prepay/prepay.h"
#include "station_link.h"

static const char *emu_path, *site_path, *scratch;

#define REPLY_BUDGET_MS 10000u

static prepay_time_t at(int day, int hour, int minute)
{
    prepay_civil_t c = {2026, 11, (uint8_t)day, (uint8_t)hour, (uint8_t)minute, 0, 0};
    prepay_time_t t;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
    return t;
}

static prepay_cjt188_target_t water(const char *address)
{
    prepay_cjt188_target_t t;
    memset(&t, 0, sizeof t);
    t.meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
    t.di_order = PREPAY_CJT188_DI_AUTO;
    assert_int_equal(prepay_cjt188_address_from_string(address, 14, &t.address), PREPAY_OK);
    return t;
}

/* Sends a CJ/T 188 request on the link's socket and waits for one reply frame. */
static void cjt_exchange(station_link_t *link, const prepay_cjt188_frame_t *request, prepay_cjt188_frame_t *reply)
{
    uint8_t raw[PREPAY_CJT188_FRAME_MAX];
    int n = prepay_cjt188_encode(request, raw, sizeof raw);
    assert_true(n > 0);
    assert_int_equal(send(link->fd, raw, (size_t)n, MSG_NOSIGNAL), n);
    prepay_cjt188_stream_t stream;
    assert_int_equal(prepay_cjt188_stream_init(&stream, PREPAY_CJT188_DI_AUTO), PREPAY_OK);
    uint64_t deadline = station_link_now_ms() + REPLY_BUDGET_MS;
    for (;;) {
        int got = prepay_cjt188_stream_next(&stream, reply);
        assert_true(got >= 0);
        if (got > 0) {
            return;
        }
        uint64_t now = station_link_now_ms();
        assert_true(now < deadline);
        struct pollfd p = {link->fd, POLLIN, 0};
        if (poll(&p, 1, (int)(deadline - now)) <= 0) {
            continue;
        }
        uint8_t in[256];
        ssize_t r = recv(link->fd, in, sizeof in, 0);
        assert_true(r > 0);
        assert_int_equal(prepay_cjt188_stream_feed(&stream, in, (size_t)r), r);
    }
}

static uint8_t ser;

static prepay_cjt188_current_t read_current(station_link_t *link, const char *address)
{
    prepay_cjt188_target_t t = water(address);
    prepay_cjt188_frame_t req, rep;
    assert_int_equal(prepay_cjt188_request_read(&req, &t, 0x901F, ser++), PREPAY_OK);
    cjt_exchange(link, &req, &rep);
    prepay_cjt188_current_t cur;
    assert_int_equal(prepay_cjt188_reply_current(&req, &rep, &cur), PREPAY_OK);
    return cur;
}

static prepay_energy_t litres(const prepay_cjt188_current_t *cur)
{
    prepay_energy_t l = -1;
    assert_int_equal(prepay_cjt188_quantity_litres(&cur->reading, &l), PREPAY_OK);
    return l;
}

static int valve(station_link_t *link, const char *address, bool open)
{
    prepay_cjt188_target_t t = water(address);
    prepay_cjt188_frame_t req, rep;
    assert_int_equal(prepay_cjt188_request_valve(&req, &t, ser++, open), PREPAY_OK);
    cjt_exchange(link, &req, &rep);
    return prepay_cjt188_reply_check(&req, &rep);
}

/* A broadcast time sync moves the site's time; a DL/T 645 read of meter 101 after it is the barrier. */
static void sync_to(station_link_t *link, prepay_time_t t)
{
    prepay_station_result_t r;
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, t), PREPAY_OK);
    assert_int_equal(station_link_exchange(link, &req, NULL, 0, &r), PREPAY_OK);
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string("000000000101", 12, &a), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read(&req, &a, 0x00010000u), PREPAY_OK);
    uint8_t data[16];
    assert_int_equal(station_link_exchange(link, &req, data, sizeof data, &r), PREPAY_OK);
    assert_int_equal(r.status, PREPAY_OK);
}

static void test_water_over_tcp(void **state)
{
    (void)state;
    emu_child_t child;
    const char *args[] = {"--bus-port", "0", "--quiet", NULL};
    int status = 0;
    if (emu_child_start(&child, emu_path, site_path, scratch, "emu-water", args, &status) != 0) {
        emu_child_dump_log(&child);
        fail_msg("emulator did not start (exit status %d)", status);
    }
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.reply_timeout_ms = REPLY_BUDGET_MS;
    cfg.retries = 0;
    station_link_t link;
    assert_int_equal(station_link_open(&link, "127.0.0.1", child.port, &cfg), 0);

    sync_to(&link, at(1, 12, 0));
    prepay_cjt188_current_t cur = read_current(&link, "00000000000201");
    assert_int_equal(litres(&cur), 1200);
    assert_int_equal(prepay_cjt188_status_valve(cur.status), PREPAY_CJT188_VALVE_STATE_OPEN);
    assert_int_equal(cur.clock_state, PREPAY_CJT188_CLOCK_VALID);
    assert_int_equal(cur.clock, at(1, 12, 0));
    cur = read_current(&link, "00000000000202");
    assert_int_equal(litres(&cur), 360);

    /* The station closes 202: no water flows to 18:00; opened again, two hours more. */
    assert_int_equal(valve(&link, "00000000000202", false), PREPAY_OK);
    cur = read_current(&link, "00000000000202");
    assert_int_equal(prepay_cjt188_status_valve(cur.status), PREPAY_CJT188_VALVE_STATE_CLOSED);
    sync_to(&link, at(1, 18, 0));
    cur = read_current(&link, "00000000000202");
    assert_int_equal(litres(&cur), 360);
    assert_int_equal(valve(&link, "00000000000202", true), PREPAY_OK);
    sync_to(&link, at(1, 20, 0));
    cur = read_current(&link, "00000000000202");
    assert_int_equal(litres(&cur), 480);
    assert_int_equal(prepay_cjt188_status_valve(cur.status), PREPAY_CJT188_VALVE_STATE_OPEN);

    /* 201's purse runs out at 3 332 L: the valve closes and stays closed; the tenant cannot reopen it. */
    sync_to(&link, at(3, 0, 0));
    cur = read_current(&link, "00000000000201");
    assert_int_equal(litres(&cur), 3330);
    assert_int_equal(prepay_cjt188_status_valve(cur.status), PREPAY_CJT188_VALVE_STATE_CLOSED);
    prepay_cjt188_target_t t = water("00000000000201");
    prepay_cjt188_frame_t req, rep;
    assert_int_equal(prepay_cjt188_request_read(&req, &t, 0x8105, ser++), PREPAY_OK);
    cjt_exchange(&link, &req, &rep);
    prepay_cjt188_purse_t purse;
    assert_int_equal(prepay_cjt188_reply_purse(&req, &rep, &purse), PREPAY_OK);
    assert_int_equal(purse.remaining_fen, 0);
    assert_int_equal(purse.total_fen, 1000);
    assert_int_not_equal(valve(&link, "00000000000201", true), PREPAY_OK); /* an exhausted purse holds it */

    /* A purchase (serial 2) opens it; a replay of the same serial credits nothing more. */
    assert_int_equal(prepay_cjt188_request_purchase(&req, &t, ser++, 2, 1000), PREPAY_OK);
    cjt_exchange(&link, &req, &rep);
    assert_int_equal(prepay_cjt188_reply_check(&req, &rep), PREPAY_OK);
    cjt_exchange(&link, &req, &rep);
    assert_int_equal(prepay_cjt188_reply_check(&req, &rep), PREPAY_OK);
    sync_to(&link, at(3, 1, 0));
    cur = read_current(&link, "00000000000201");
    assert_int_equal(litres(&cur), 3430);
    assert_int_equal(prepay_cjt188_status_valve(cur.status), PREPAY_CJT188_VALVE_STATE_OPEN);
    assert_int_equal(prepay_cjt188_request_read(&req, &t, 0x8105, ser++), PREPAY_OK);
    cjt_exchange(&link, &req, &rep);
    assert_int_equal(prepay_cjt188_reply_purse(&req, &rep, &purse), PREPAY_OK);
    assert_int_equal(purse.total_fen, 2000);
    assert_int_equal(purse.remaining_fen, 1000 - 30); /* 100 L at 0.3 fen */

    station_link_close(&link);
    status = emu_child_stop(&child, EMU_CHILD_BUDGET_MS);
    if (status != 0) {
        emu_child_dump_log(&child);
    }
    assert_int_equal(status, 0);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s prepay-emu site.json scratch-dir\n", argv[0]);
        return 2;
    }
    emu_path = argv[1];
    site_path = argv[2];
    scratch = argv[3];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_water_over_tcp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
