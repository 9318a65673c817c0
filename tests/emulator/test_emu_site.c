/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu internals without sockets (tools/prepay-emu/emu.h): how frames
 * are routed and how far a time sync may move a meter; the simulation in
 * bounded slices; the state file's checks; the command line's ranges.
 *
 * The site is examples/sites/small.json: meters 101..104 from 2026-11-01
 * 00:00; 101 draws 800 W (9.60 kWh in 12 h, read as 960 x 0.01 kWh), 103
 * is remote with 300 W, 104 has no load. Expected values are worked by hand.
 * argv: the site file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "emu.h"
#include "emu_server.h"
#include "prepay/load_record.h"

static const char *site_path;
static emu_site_t site;

static int setup(void **state)
{
    (void)state;
    char err[EMU_ERROR_MAX];
    if (emu_site_load(site_path, &site, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    emu_site_free(&site);
    return 0;
}

static prepay_time_t at(int day, int hour)
{
    prepay_civil_t c = {2026, 11, (uint8_t)day, (uint8_t)hour, 0, 0, 0};
    prepay_time_t t;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
    return t;
}

static size_t meter_index(const char *address)
{
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string(address, 12, &a), PREPAY_OK);
    for (size_t i = 0; i < site.meter_count; i++) {
        if (memcmp(site.meters[i].meter.address.bytes, a.bytes, 6) == 0) {
            return i;
        }
    }
    fail_msg("no meter %s", address);
    return 0;
}

/* Sends a frame on a bus of meters [first, first+count); returns the reply length. */
static int send(const prepay_dlt645_frame_t *f, size_t first, size_t count)
{
    uint8_t raw[PREPAY_DLT645_FRAME_MAX], reply[8 * PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(f, raw, sizeof raw);
    assert_true(n > 0);
    uint32_t delay;
    return emu_bus_handle(&site, first, count, raw, (size_t)n, reply, sizeof reply, &delay);
}

static void sync_to(prepay_time_t t, const prepay_dlt645_address_t *to, size_t first, size_t count)
{
    prepay_dlt645_frame_t f;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&f, t), PREPAY_OK);
    if (to) {
        f.address = *to;
    }
    assert_int_equal(send(&f, first, count), 0);
}

/* Today's main advanced the whole site on a time sync addressed to any one meter. */
static void test_addressed_sync_moves_nothing(void **state)
{
    (void)state;
    size_t m101 = meter_index("000000000101"), m103 = meter_index("000000000103");
    prepay_time_t t0 = site.meters[m101].meter.clock;
    sync_to(at(1, 12), &site.meters[m103].meter.address, 0, site.meter_count);
    for (size_t i = 0; i < site.meter_count; i++) {
        assert_int_equal(site.meters[i].meter.clock, t0);
        assert_int_equal(site.meters[i].meter.forward[0], 0);
    }
}

/* A broadcast reaches the meters of the bus it arrives on, and only those. */
static void test_broadcast_moves_its_bus_only(void **state)
{
    (void)state;
    size_t m101 = meter_index("000000000101"), m103 = meter_index("000000000103");
    sync_to(at(1, 12), NULL, m101, 1);
    assert_int_equal(site.meters[m101].meter.clock, at(1, 12));
    assert_int_equal(site.meters[m101].meter.forward[0], 9600); /* 800 W x 12 h */
    assert_int_equal(site.meters[m103].meter.clock, at(1, 0));
    assert_int_equal(site.meters[m103].meter.forward[0], 0);
    /* The whole bus: every meter reaches 12:00; 103 draws 300 W = 3600 Wh. */
    sync_to(at(1, 12), NULL, 0, site.meter_count);
    assert_int_equal(site.meters[m103].meter.clock, at(1, 12));
    assert_int_equal(site.meters[m103].meter.forward[0], 3600);
    assert_int_equal(site.meters[m101].meter.forward[0], 9600);
}

/* A sync beyond the limit (a master sending the year-first bytes: 2099) moves
 * nothing, costs no simulation, and each meter records the refusal. */
static void test_sync_beyond_limit_refused(void **state)
{
    (void)state;
    prepay_civil_t c = {2099, 12, 31, 23, 0, 0, 0};
    prepay_time_t far;
    assert_int_equal(prepay_time_from_civil(&c, &far), PREPAY_OK);
    sync_to(far, NULL, 0, site.meter_count);
    assert_false(emu_site_busy(&site));
    for (size_t i = 0; i < site.meter_count; i++) {
        assert_int_equal(site.meters[i].meter.clock, at(1, 0));
        assert_int_equal(site.meters[i].meter.event_counts[PREPAY_METER_EVENT_TIME_SYNC_REFUSED], 1);
    }
    /* The default limit is a week: 7 days is taken, 7 days + 1 s is not. */
    sync_to(at(8, 0), NULL, 0, site.meter_count);
    assert_int_equal(site.meters[0].meter.clock, at(8, 0));
    sync_to(at(15, 0) + 1, NULL, 0, site.meter_count);
    assert_int_equal(site.meters[0].meter.clock, at(8, 0));
    assert_int_equal(site.meters[0].meter.event_counts[PREPAY_METER_EVENT_TIME_SYNC_REFUSED], 2);
}

/* Broadcasts a sync to `far` on the whole site's bus, with no limit. */
static void sync_far(prepay_time_t far)
{
    assert_int_equal(emu_site_set_time_sync_limit(&site, 0), PREPAY_OK);
    prepay_dlt645_frame_t f;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&f, far), PREPAY_OK);
    uint8_t raw[PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(&f, raw, sizeof raw);
    assert_int_equal(emu_bus_prepare(&site, 0, site.meter_count, raw, (size_t)n), 1);
}

/* With no limit a jump is simulated in slices of bounded work: each run
 * spends about its budget of meter steps (plus one call per meter), and
 * says whether more is pending. Here no meter jumps (a timed freeze every
 * day at 12:00 may fall at any minute: every minute is a step). */
static void test_large_jump_runs_in_slices(void **state)
{
    (void)state;
    static const uint8_t noon[4] = {0x00, 0x12, 0x99, 0x99};
    for (size_t i = 0; i < site.meter_count; i++) {
        memcpy(site.meters[i].meter.freeze_pattern, noon, sizeof noon);
        assert_false(prepay_meter_jumps(&site.meters[i].meter, site.meters[i].has_load ? &site.meters[i].load : NULL));
    }
    prepay_time_t far = at(1, 0) + 100L * 86400;
    sync_far(far);
    const int64_t budget = 2000; /* meter steps */
    int64_t before = 0;
    for (size_t i = 0; i < site.meter_count; i++) {
        before += site.meters[i].meter.clock;
    }
    assert_int_equal(emu_site_run(&site, budget), 1);
    int64_t after = 0;
    for (size_t i = 0; i < site.meter_count; i++) {
        after += site.meters[i].meter.clock;
    }
    assert_true(after > before);
    /* Reads wait for nothing here: handle finishes the simulation first (the server runs it in slices instead). */
    int slices = 1;
    int status;
    while ((status = emu_site_run(&site, budget)) == 1) {
        slices++;
    }
    assert_int_equal(status, 0);
    /* a slice ends between calls, and a meter that steps every minute is called a month at a time */
    printf("100 days, no meter jumps: %d slices of %ld steps\n", slices, (long)budget);
    assert_true(slices >= 4 * 4);
    for (size_t i = 0; i < site.meter_count; i++) {
        assert_int_equal(site.meters[i].meter.clock, far);
    }
    /* Meter 103 (remote, 300 W, never cut) drew 300 W the whole time. */
    size_t m103 = meter_index("000000000103");
    assert_int_equal(site.meters[m103].meter.forward[0], (far - at(1, 0)) * 300 / 3600);
}

/* The site's meters jump (the remote one at constant load, the local ones once their purses open
 * their relays): a sync of 73 years with no limit is done in one slice of 20 000 steps. */
static void test_large_jump_of_jumping_meters(void **state)
{
    (void)state;
    prepay_civil_t c = {2099, 12, 31, 23, 0, 0, 0};
    prepay_time_t far;
    assert_int_equal(prepay_time_from_civil(&c, &far), PREPAY_OK);
    sync_far(far);
    assert_int_equal(emu_site_run(&site, 20000), 0);
    for (size_t i = 0; i < site.meter_count; i++) {
        assert_int_equal(site.meters[i].meter.clock, far);
        assert_true(prepay_meter_jumps(&site.meters[i].meter, site.meters[i].has_load ? &site.meters[i].load : NULL));
    }
    size_t m103 = meter_index("000000000103");
    assert_int_equal(site.meters[m103].meter.forward[0], (far - at(1, 0)) * 300 / 3600);
}

/* A local meter that keeps drawing power (a purse for decades: 101 at 800 W, about 4 500 yuan a
 * year) jumps from tariff cycle to tariff cycle in five-year calls: 73 years take a few slices of
 * 20 000 steps (run by run they would take about 190 000 steps for this meter alone). */
static void test_large_jump_of_a_drawing_meter(void **state)
{
    (void)state;
    size_t m101 = meter_index("000000000101");
    prepay_meter_t *m = &site.meters[m101].meter;
    assert_int_equal(prepay_meter_recharge(m, m->clock, 99999999, 2), PREPAY_OK);
    assert_true((m->relay & PREPAY_METER_RELAY_OPEN) == 0);
    assert_true(prepay_meter_jumps(m, &site.meters[m101].load));
    prepay_money_t before = m->purse.balance;
    prepay_civil_t c = {2099, 12, 31, 23, 0, 0, 0};
    prepay_time_t far;
    assert_int_equal(prepay_time_from_civil(&c, &far), PREPAY_OK);
    sync_far(far);
    int slices = 0, status;
    do {
        status = emu_site_run(&site, 20000);
        slices++;
    } while (status == 1 && slices < 100);
    assert_int_equal(status, 0);
    printf("73 years with a local meter drawing 800 W: %d slices of 20 000 steps\n", slices);
    assert_true(slices <= 3);
    assert_int_equal(m->clock, far);
    assert_true((m->relay & PREPAY_METER_RELAY_OPEN) == 0);
    assert_true(m->purse.balance < before - 73 * 3000 * 100); /* more than 3 000 yuan a year paid */
}

/* A jump in one go equals the same span in daily syncs, to the Wh and the fen, for every meter
 * (local and remote, with their load records); and a jump to the end of 2099 costs a number of
 * meter steps that follows the days (about 7 a day on the site's TOU tariff), not the minutes:
 * the steps are counted, no clock is read. */
static void test_jump_equals_daily_steps(void **state)
{
    (void)state;
    static emu_site_t daily;
    char err[EMU_ERROR_MAX];
    assert_int_equal(emu_site_load(site_path, &daily, err, sizeof err), 0);
    prepay_time_t to = at(1, 0) + 75L * 86400 + 3 * 3600 + 17 * 60;
    for (prepay_time_t t = at(1, 0) + 86400; t < to; t += 86400) {
        assert_int_equal(emu_site_advance(&daily, t), PREPAY_OK);
    }
    assert_int_equal(emu_site_advance(&daily, to), PREPAY_OK);
    assert_int_equal(emu_site_advance(&site, to), PREPAY_OK);
    for (size_t i = 0; i < site.meter_count; i++) {
        const prepay_meter_t *a = &site.meters[i].meter, *b = &daily.meters[i].meter;
        assert_int_equal(a->clock, to);
        assert_memory_equal(a->forward, b->forward, sizeof a->forward);
        assert_int_equal(a->purse.balance, b->purse.balance);
        assert_int_equal(a->relay, b->relay);
        assert_memory_equal(&a->demand.max, &b->demand.max, sizeof a->demand.max);
        assert_memory_equal(a->settlement, b->settlement, sizeof a->settlement);
        assert_int_equal(site.meters[i].load_ring.count, daily.meters[i].load_ring.count);
        for (size_t k = 0; k < site.meters[i].load_ring.count; k++) {
            const prepay_load_record_t *ra = &site.meters[i].load_ring.records[(site.meters[i].load_ring.first + k) % site.meters[i].load_ring.capacity];
            const prepay_load_record_t *rb = &daily.meters[i].load_ring.records[(daily.meters[i].load_ring.first + k) % daily.meters[i].load_ring.capacity];
            assert_memory_equal(ra, rb, sizeof *ra);
        }
    }
    emu_site_free(&daily);

    /* On to 2099-12-31 in slices: count the steps. */
    prepay_civil_t c = {2099, 12, 31, 0, 0, 0, 0};
    prepay_time_t far;
    assert_int_equal(prepay_time_from_civil(&c, &far), PREPAY_OK);
    for (size_t i = 0; i < site.meter_count; i++) {
        emu_site_schedule(&site, i, far);
    }
    int64_t steps = 0;
    int status;
    do {
        int64_t budget = EMU_SLICE_STEPS;
        status = emu_site_run(&site, budget);
        steps += 1; /* slices */
    } while (status == 1);
    assert_int_equal(status, 0);
    int64_t days = (far - to) / 86400;
    /* 4 meters x ~7 steps a day (plus a month's load records per call) in slices of EMU_SLICE_STEPS */
    printf("to 2099: %lld slices of %d steps for %zu meters x %lld days\n", (long long)steps, EMU_SLICE_STEPS,
           site.meter_count, (long long)days);
    assert_true(steps <= (int64_t)site.meter_count * days * 20 / EMU_SLICE_STEPS + 2 * (int64_t)site.meter_count);
    for (size_t i = 0; i < site.meter_count; i++) {
        assert_int_equal(site.meters[i].meter.clock, far);
    }
    size_t m103 = meter_index("000000000103"); /* remote, 300 W, never cut */
    assert_int_equal(site.meters[m103].meter.forward[0], (far - at(1, 0)) * 300 / 3600);
}

/* Wall mode: a time sync is a plain clock correction of each meter (within
 * its limit); a clock set back is behind its target again, so the
 * simulation (and emu_site_busy) sees it and replays the gap. */
static void test_wall_mode_set_back_is_pending(void **state)
{
    (void)state;
    site.clock = EMU_CLOCK_WALL;
    for (size_t i = 0; i < site.meter_count; i++) {
        emu_site_schedule(&site, i, at(1, 1));
    }
    assert_true(emu_site_busy(&site));
    while (emu_site_run(&site, 86400) == 1) {
    }
    assert_false(emu_site_busy(&site));
    size_t m103 = meter_index("000000000103");
    assert_int_equal(site.meters[m103].meter.forward[0], 300); /* 300 W x 1 h */
    sync_to(at(1, 1) - 120, NULL, 0, site.meter_count);        /* 2 minutes back: within 300 s */
    assert_int_equal(site.meters[m103].meter.clock, at(1, 1) - 120);
    assert_true(emu_site_busy(&site));
    assert_int_equal(emu_site_run(&site, INT64_MAX), 0);
    assert_int_equal(site.meters[m103].meter.clock, at(1, 1));
    assert_int_equal(site.meters[m103].meter.forward[0], 310); /* the replayed 2 minutes: 10 Wh more */
}

/* Scripted events fire at their time in the meter's own simulated time. */
static void test_events_in_meter_time(void **state)
{
    (void)state;
    size_t m101 = meter_index("000000000101");
    sync_to(at(2, 10) + 120, NULL, m101, 1); /* cover opened 10:00, closed 10:05 */
    assert_int_equal(site.meters[m101].meter.event_counts[PREPAY_METER_EVENT_COVER_OPEN], 1);
    assert_true(site.meters[m101].meter.conditions & (1u << PREPAY_METER_CONDITION_COVER_OPEN));
    sync_to(at(2, 11), NULL, m101, 1);
    assert_false(site.meters[m101].meter.conditions & (1u << PREPAY_METER_CONDITION_COVER_OPEN));
}

/* ---- maximum demand and load records through the bus -------------------- */

/* Sends a request to meter i alone and decodes its reply frame. */
static void exchange(size_t i, const prepay_dlt645_frame_t *req, prepay_dlt645_frame_t *rep)
{
    uint8_t raw[PREPAY_DLT645_FRAME_MAX], reply[8 * PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(req, raw, sizeof raw);
    assert_true(n > 0);
    uint32_t delay;
    int len = emu_bus_handle(&site, i, 1, raw, (size_t)n, reply, sizeof reply, &delay);
    assert_true(len > 0);
    size_t at = 0;
    while (at < (size_t)len && reply[at] == 0xFE) {
        at++; /* wake-up bytes */
    }
    assert_true(prepay_dlt645_decode(reply + at, (size_t)len - at, rep) > 0);
}

/*
 * Meter 101 draws 800 W from 2026-11-01 00:00. Demand period 15 min, sliding
 * time 1 min (the defaults): the meter starts counting whole minutes at 00:01,
 * so the first window is 00:01-00:16 at 800 W: maximum demand 0.8000 kW at
 * 26-11-01 00:16, never exceeded. Load records every 15 minutes from 00:15:
 * record k (k = 1..48 up to 12:00) holds the forward register k x 200 Wh.
 */
static void test_demand_and_curve_read(void **state)
{
    (void)state;
    size_t m101 = meter_index("000000000101");
    prepay_dlt645_address_t a = site.meters[m101].meter.address;
    sync_to(at(1, 12), NULL, m101, 1);
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_read_reply_t rr;
    /* 0101FF00: total and tariffs 1..4, 8 bytes each (XX.XXXX kW, then YYMMDDhhmm, low byte first). */
    assert_int_equal(prepay_dlt645_request_read(&req, &a, 0x0101FF00u), PREPAY_OK);
    exchange(m101, &req, &rep);
    assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
    assert_int_equal(rr.value_len, 40);
    static const uint8_t total[8] = {0x00, 0x80, 0x00, 0x16, 0x00, 0x01, 0x11, 0x26};
    assert_memory_equal(rr.value, total, 8);
    /* The earliest 48 class-4 records: more than one frame, so follow-ups (function 12, SEQ 1, 2, ...). */
    prepay_load_record_reply_t *stitch = malloc(sizeof *stitch);
    assert_non_null(stitch);
    assert_int_equal(prepay_load_record_reply_init(stitch), PREPAY_OK);
    assert_int_equal(prepay_load_record_request(&req, &a, 4, PREPAY_LOAD_RECORD_EARLIEST, 48, 0), PREPAY_OK);
    unsigned frames = 0;
    for (uint8_t seq = 0; !stitch->complete; seq++) {
        if (seq > 0) {
            assert_int_equal(prepay_dlt645_request_read_follow_up(&req, &a, stitch->di, seq), PREPAY_OK);
        }
        exchange(m101, &req, &rep);
        assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
        assert_int_equal(prepay_load_record_reply_add(stitch, &rr), PREPAY_OK);
        frames++;
    }
    assert_true(frames > 1);
    static prepay_load_record_t records[64];
    size_t n = 0;
    assert_int_equal(prepay_load_record_decode(stitch->di, stitch->data, stitch->length, records, 64, &n), PREPAY_OK);
    free(stitch);
    assert_int_equal(n, 48);
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(records[k].time, at(1, 0) + (prepay_time_t)(k + 1) * 900);
        assert_int_equal(records[k].forward_active_wh, (prepay_energy_t)(k + 1) * 200);
    }
}

/* ---- state file ----------------------------------------------------------- */

static uint8_t *encode_state(size_t *size)
{
    *size = emu_state_size(&site);
    uint8_t *bytes = malloc(*size);
    assert_non_null(bytes);
    assert_int_equal(emu_state_encode(&site, bytes, *size), 0);
    return bytes;
}

static void reseal(uint8_t *bytes, size_t size)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i + 8 < size; i++) {
        h = (h ^ bytes[i]) * 0x100000001B3ull;
    }
    for (size_t i = 0; i < 8; i++) {
        bytes[size - 8 + i] = (uint8_t)(h >> (8 * i));
    }
}

static void expect_refused(const uint8_t *bytes, size_t size, const char *words)
{
    static emu_meter_t before[8];
    assert_true(site.meter_count <= 8);
    memcpy(before, site.meters, site.meter_count * sizeof *before);
    char err[EMU_ERROR_MAX] = "";
    assert_int_not_equal(emu_state_decode(&site, bytes, size, err, sizeof err), 0);
    if (strstr(err, words) == NULL) {
        fail_msg("expected \"%s\" in: %s", words, err);
    }
    /* Nothing applied. */
    assert_memory_equal(before, site.meters, site.meter_count * sizeof *before);
}

static void test_state_round_trip(void **state)
{
    (void)state;
    sync_to(at(2, 12), NULL, 0, site.meter_count);
    size_t size;
    uint8_t *bytes = encode_state(&size);
    static emu_site_t fresh;
    char err[EMU_ERROR_MAX];
    assert_int_equal(emu_site_load(site_path, &fresh, err, sizeof err), 0);
    assert_int_equal(emu_state_decode(&fresh, bytes, size, err, sizeof err), 0);
    for (size_t i = 0; i < site.meter_count; i++) {
        assert_int_equal(fresh.meters[i].meter.clock, site.meters[i].meter.clock);
        assert_int_equal(fresh.meters[i].meter.forward[0], site.meters[i].meter.forward[0]);
        assert_int_equal(fresh.meters[i].meter.purse.balance, site.meters[i].meter.purse.balance);
        const prepay_tariff_compact_state_t *x = &fresh.meters[i].meter.tariff_state, *y = &site.meters[i].meter.tariff_state;
        assert_int_equal(x->flags, y->flags);
        assert_int_equal(x->cycle, y->cycle);
        assert_int_equal(x->position, y->position);
        assert_int_equal(x->cycle_energy, y->cycle_energy);
        assert_int_equal(x->charged, y->charged);
        assert_int_equal(x->carry.units, y->carry.units);
        assert_int_equal(x->carry.nanos, y->carry.nanos);
        assert_ptr_equal(fresh.meters[i].meter.sets[0], &fresh.tariff->sets[0]);
    }
    assert_int_equal(fresh.now, site.now);
    /* The restored site goes on exactly as the original: one more day each. */
    emu_site_t *both[2] = {&site, &fresh};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(emu_site_advance(both[k], at(3, 12)), PREPAY_OK);
    }
    for (size_t i = 0; i < site.meter_count; i++) {
        assert_int_equal(fresh.meters[i].meter.forward[0], site.meters[i].meter.forward[0]);
        assert_int_equal(fresh.meters[i].meter.purse.balance, site.meters[i].meter.purse.balance);
    }
    emu_site_free(&fresh);
    free(bytes);
}

static void test_state_forgeries_refused(void **state)
{
    (void)state;
    sync_to(at(1, 12), NULL, 0, site.meter_count);
    size_t size;
    uint8_t *good = encode_state(&size);
    uint8_t *bad = malloc(size + 16);
    assert_non_null(bad);
    /* Layout (docs/emulator.md): 9 magic, 1 version, 7 x 2 dimensions, fingerprint,
     * meter count, event count, site time (8 each) = 56, 2 x 2 format-3 dimensions;
     * meter 0 starts there with its address (6 bytes), then mode. */
    const size_t header = 60, mode = header + 6;
#define FORGE(statement, words)                                                                                        \
    do {                                                                                                               \
        memcpy(bad, good, size);                                                                                       \
        statement;                                                                                                     \
        expect_refused(bad, size, words);                                                                              \
    } while (0)
    FORGE(bad[0] = 'X', "not a prepay-emu state file");
    FORGE(bad[9] = '1', "format 1");
    FORGE((bad[56] = 30, reseal(bad, size)), "PREPAY_METER_DEMAND_MINUTES");
    FORGE((bad[58] ^= 1, reseal(bad, size)), "EMU_LOAD_RECORDS");
    FORGE((bad[10] = 8, reseal(bad, size)), "PREPAY_METER_TARIFFS");
    FORGE((bad[24] ^= 1, reseal(bad, size)), "another site");
    FORGE(bad[mode] = 7, "checksum");
    FORGE((bad[mode] = 7, reseal(bad, size)), "\"mode\"");
    FORGE((bad[header + 2] = 0x5A, reseal(bad, size)), "another address");
    FORGE((memset(bad + header, 0x99, 6), reseal(bad, size)), "another address");
    expect_refused(good, size - 1, "checksum");
    memcpy(bad, good, size);
    memset(bad + size, 0, 16);
    expect_refused(bad, size + 16, "checksum");
    reseal(bad, size + 16);
    expect_refused(bad, size + 16, "its meters and events make");
    expect_refused(good, 20, "truncated");
    expect_refused(good, 3, "not a prepay-emu state file");
#undef FORGE
    free(good);
    free(bad);
}

/* Format 3 keeps the demand state and the load records: a restored site has the same maxima,
 * window and curve, and goes on exactly as the original. */
static void test_state_keeps_demand_and_records(void **state)
{
    (void)state;
    sync_to(at(2, 12), NULL, 0, site.meter_count);
    size_t size;
    uint8_t *bytes = encode_state(&size);
    static emu_site_t fresh;
    char err[EMU_ERROR_MAX];
    assert_int_equal(emu_site_load(site_path, &fresh, err, sizeof err), 0);
    assert_int_equal(emu_state_decode(&fresh, bytes, size, err, sizeof err), 0);
    size_t m101 = meter_index("000000000101");
    assert_true(site.meters[m101].meter.demand.max.forward[0].value == 8000); /* 800 W in 0.1 W */
    emu_site_t *both[2] = {&site, &fresh};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < site.meter_count; i++) {
            const emu_meter_t *a = &site.meters[i], *b = &fresh.meters[i];
            assert_memory_equal(&a->meter.demand, &b->meter.demand, sizeof a->meter.demand);
            assert_int_equal(a->meter.load_profile.last, b->meter.load_profile.last);
            assert_int_equal(a->load_ring.count, b->load_ring.count);
            assert_true(a->load_ring.count > 0);
            for (size_t k = 0; k < a->load_ring.count; k++) {
                const prepay_load_record_t *x = &a->load_ring.records[(a->load_ring.first + k) % EMU_LOAD_RECORDS];
                const prepay_load_record_t *y = &b->load_ring.records[(b->load_ring.first + k) % EMU_LOAD_RECORDS];
                assert_memory_equal(x, y, sizeof *x);
            }
        }
        for (int k = 0; k < 2; k++) { /* a day more each: the rings wrap */
            assert_int_equal(emu_site_advance(both[k], at(4, 12)), PREPAY_OK);
        }
    }
    emu_site_free(&fresh);
    free(bytes);
}

/* A format-2 file (before demand and records were kept) still loads: meters as saved, an empty curve. */
static void test_state_format_2_still_read(void **state)
{
    (void)state;
    sync_to(at(1, 12), NULL, 0, site.meter_count);
    size_t cap = emu_state_size_max(&site);
    uint8_t *bytes = malloc(cap);
    assert_non_null(bytes);
    int n = emu_state_encode_format(&site, 2, bytes, cap);
    assert_true(n > 0);
    assert_int_equal(bytes[9], '2');
    static emu_site_t fresh;
    char err[EMU_ERROR_MAX];
    assert_int_equal(emu_site_load(site_path, &fresh, err, sizeof err), 0);
    assert_int_equal(emu_state_decode(&fresh, bytes, (size_t)n, err, sizeof err), 0);
    for (size_t i = 0; i < site.meter_count; i++) {
        assert_int_equal(fresh.meters[i].meter.clock, site.meters[i].meter.clock);
        assert_int_equal(fresh.meters[i].meter.forward[0], site.meters[i].meter.forward[0]);
        assert_int_equal(fresh.meters[i].meter.purse.balance, site.meters[i].meter.purse.balance);
        assert_int_equal(fresh.meters[i].load_ring.count, 0);
    }
    /* a format-2 file is exactly its fixed size */
    expect_refused(bytes, (size_t)n - 1, "bytes");
    emu_site_free(&fresh);
    free(bytes);
}

/* Forged demand and records, each written by the encoder from a doctored live meter (so the
 * framing is right) and refused by name, changing nothing. */
static void test_state_demand_and_records_checked(void **state)
{
    (void)state;
    sync_to(at(1, 12), NULL, 0, site.meter_count);
    size_t m101 = meter_index("000000000101");
    emu_meter_t *m = &site.meters[m101];
    assert_true(m->load_ring.count >= 2);
    size_t size;
    uint8_t *bytes;
#define FORGE_LIVE(change, undo, words)                                                                                    do {                                                                                                                       change;                                                                                                                bytes = encode_state(&size);                                                                                           undo;                                                                                                                  expect_refused(bytes, size, words);                                                                                    free(bytes);                                                                                                       } while (0)
    prepay_load_record_t *r0 = &m->load_ring.records[m->load_ring.first];
    prepay_load_record_t *r1 = &m->load_ring.records[(m->load_ring.first + 1) % EMU_LOAD_RECORDS];
    prepay_time_t t0 = r0->time;
    FORGE_LIVE(r0->time = r1->time, r0->time = t0, "load_records.time");
    int32_t volts = r0->voltage_decivolt[0];
    FORGE_LIVE(r0->voltage_decivolt[0] = 100000, r0->voltage_decivolt[0] = volts, "load_records.record"); /* > 999.9 V */
    prepay_time_t last = m->meter.load_profile.last;
    FORGE_LIVE(m->meter.load_profile.last = last + 900, m->meter.load_profile.last = last, "load_profile.last");
    int64_t sum = m->meter.demand.forward_sum;
    FORGE_LIVE(m->meter.demand.forward_sum = sum + 60, m->meter.demand.forward_sum = sum, "demand.forward_sum");
    uint8_t period = m->meter.demand.period;
    FORGE_LIVE(m->meter.demand.period = 0, m->meter.demand.period = period, "demand.period");
    uint32_t minute = m->meter.demand.max.forward[0].minute;
    FORGE_LIVE(m->meter.demand.max.forward[0].minute = (uint32_t)(m->meter.clock / 60 + 1),
               m->meter.demand.max.forward[0].minute = minute, "demand.max");
#undef FORGE_LIVE
}

/* Every byte of a meter record flipped in turn and resealed: never a crash,
 * and whatever is accepted passes the meter's own state check. */
static void test_state_every_byte_forged(void **state)
{
    (void)state;
    size_t size;
    uint8_t *good = encode_state(&size);
    uint8_t *bad = malloc(size);
    assert_non_null(bad);
    static emu_site_t scratch;
    char err[EMU_ERROR_MAX];
    assert_int_equal(emu_site_load(site_path, &scratch, err, sizeof err), 0);
    for (size_t i = 0; i + 8 < size; i++) {
        memcpy(bad, good, size);
        bad[i] ^= 0xA5;
        reseal(bad, size);
        if (emu_state_decode(&scratch, bad, size, err, sizeof err) == 0) {
            for (size_t m = 0; m < scratch.meter_count; m++) {
                assert_int_equal(prepay_meter_check_state(&scratch.meters[m].meter, NULL), PREPAY_OK);
            }
        }
    }
    emu_site_free(&scratch);
    free(good);
    free(bad);
}

/* ---- command line ----------------------------------------------------------- */

static int parse(emu_options_t *o, const char *a, const char *b, const char *c)
{
    static char words[5][64];
    const char *given[5] = {"prepay-emu", "site.json", a, b, c};
    char *argv[6] = {NULL};
    int argc = 0;
    for (int i = 0; i < 5 && given[i] != NULL; i++) {
        snprintf(words[i], sizeof words[i], "%s", given[i]);
        argv[argc++] = words[i];
    }
    char err[EMU_ERROR_MAX];
    return emu_options_parse(argc, argv, o, err, sizeof err);
}

static void test_options_range_checked(void **state)
{
    (void)state;
    emu_options_t o;
    assert_int_equal(parse(&o, "--bus-port", "70000", NULL), 2);
    assert_int_equal(parse(&o, "--bus-port", "-1", NULL), 2);
    assert_int_equal(parse(&o, "--bus-port", "12x", NULL), 2);
    assert_int_equal(parse(&o, "--bus-port", "", NULL), 2);
    assert_int_equal(parse(&o, "--bus-port", "65535", NULL), 0);
    assert_int_equal(o.server.bus_port, 65535);
    assert_int_equal(parse(&o, "--port-base", "0", NULL), 2);
    assert_int_equal(parse(&o, "--port-base", "65536", NULL), 2);
    assert_int_equal(parse(&o, "--speed", "0", NULL), 2);
    assert_int_equal(parse(&o, "--speed", "18446744073709551616", NULL), 2);
    assert_int_equal(parse(&o, "--delay-ms", "60001", NULL), 2);
    assert_int_equal(parse(&o, "--seed", "-3", NULL), 2);
    assert_int_equal(parse(&o, "--seed", "18446744073709551615", NULL), 0);
    assert_true(o.seed == UINT64_MAX);
    assert_int_equal(parse(&o, "--drop", "1.5", NULL), 2);
    assert_int_equal(parse(&o, "--listen", "localhost", NULL), 2);
    assert_int_equal(parse(&o, "--clock", "fast", NULL), 2);
    assert_int_equal(parse(&o, "--sync-limit", "3162240001", NULL), 2);
    assert_int_equal(parse(&o, "--bogus", NULL, NULL), 2);
    assert_int_equal(parse(&o, "--state", NULL, NULL), 2);
    assert_int_equal(parse(&o, "--sync-limit", "0", "--quiet"), 0);
    assert_true(o.has_sync_limit && o.sync_limit == 0 && o.server.quiet);
    /* Per-meter ports must all fit: 4 meters from 65533 need 65536. */
    assert_int_equal(parse(&o, "--port-base", "65533", NULL), 0);
    char err[EMU_ERROR_MAX];
    assert_int_equal(emu_options_check_site(&o, &site, err, sizeof err), 2);
    assert_int_equal(parse(&o, "--port-base", "65532", NULL), 0);
    assert_int_equal(emu_options_check_site(&o, &site, err, sizeof err), 0);
}

/* ---- the line fields of a site file (preamble, phases, voltage, frequency, PF, nameplate) -------------------- */

/* Every site below uses the tariff of examples/sites/small.json, whatever it names. */
static int load_small_tariff(void *context, const char *reference, prepay_tariff_doc_t *doc, char *err,
                             size_t err_cap)
{
    (void)context;
    (void)reference;
    char path[1024];
    const char *slash = strrchr(site_path, '/');
    snprintf(path, sizeof path, "%.*s/../tariffs/zhejiang_residential_tou.json", slash ? (int)(slash - site_path) : 1,
             slash ? site_path : ".");
    return prepay_tariff_doc_load_file(path, doc, err, err_cap) == PREPAY_OK ? 0 : -1;
}

/* Parses a site whose "defaults" and first meter carry the given members; 0 or -1 with err. */
static int parse_line_site(emu_site_t *out, const char *defaults, const char *meter, char *err, size_t cap)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"format\": \"prepay-site/1\", \"start\": \"2026-11-01 00:00\", \"tariff\": \"t.json\", "
             "\"tariff_writable\": true, \"defaults\": {%s}, "
             "\"meters\": [{\"address\": \"000000000001\"%s%s}, {\"address\": \"000000000002\"}]}",
             defaults, meter[0] ? ", " : "", meter);
    return emu_site_parse(text, strlen(text), "line.json", load_small_tariff, NULL, out, err, cap);
}

static void test_line_fields(void **state)
{
    (void)state;
    static emu_site_t s;
    char err[EMU_ERROR_MAX] = "";
    int rc = parse_line_site(&s,
                             "\"preamble\": 0, \"phases\": 3, \"voltage\": \"230.0\", \"frequency\": \"49.98\", "
                             "\"power_factor\": \"0.900\", \"nameplate\": {\"model\": \"DDZY-T\", \"active_constant\": 1600}",
                             "\"preamble\": 4, \"nameplate\": {\"rated_current\": \"10A\"}", err, sizeof err);
    assert_int_equal(rc, 0);
    const emu_line_t *a = &s.meters[0].line, *b = &s.meters[1].line;
    /* The first meter: its own preamble and rated current over the defaults; the rest inherited. */
    assert_int_equal(a->preamble, 4);
    assert_int_equal(b->preamble, 0);
    assert_int_equal(a->phases, 3);
    assert_int_equal(a->voltage_dv, 2300);
    assert_int_equal(a->frequency_chz, 4998);
    assert_int_equal(b->power_factor, 900);
    assert_string_equal(a->nameplate[1], "10A");
    assert_string_equal(a->nameplate[5], "DDZY-T");
    assert_string_equal(b->nameplate[5], "DDZY-T");
    assert_int_equal(b->active_constant, 1600);
    assert_true(s.tariff_writable && s.meters[0].tariff_copy != NULL && s.meters[1].tariff_copy != NULL);
    emu_site_free(&s);

    /* Defaults when nothing is said (emu_electric_defaults): two FE, one phase, 220.0 V, 50.00 Hz. */
    assert_int_equal(parse_line_site(&s, "", "", err, sizeof err), 0);
    assert_int_equal(s.meters[0].line.preamble, 2);
    assert_int_equal(s.meters[0].line.phases, 1);
    assert_int_equal(s.meters[0].line.voltage_dv, 2200);
    assert_int_equal(s.meters[0].line.frequency_chz, 5000);
    emu_site_free(&s);

    static const struct {
        const char *defaults, *meter, *message;
    } bad[] = {
        {"", "\"preamble\": 5", "line.json: $.meters[0].preamble:"},
        {"\"phases\": 2", "", "line.json: $.defaults.phases: must be 1 or 3"},
        {"", "\"power_factor\": \"1.001\"", "$.meters[0].power_factor:"},
        {"", "\"voltage\": 220.5", "$.meters[0].voltage:"},
        {"", "\"frequency\": \"50.001\"", "$.meters[0].frequency:"},
        {"", "\"nameplate\": {\"model\": \"ABCDEFGHIJK\"}", "$.meters[0].nameplate.model: is longer than 10 bytes"},
        {"", "\"nameplate\": {\"model\": \"A\\u0001\"}", "$.meters[0].nameplate.model: is not printable ASCII"},
        {"", "\"nameplate\": {\"colour\": \"red\"}", "$.meters[0].nameplate.colour: unknown member"},
        {"", "\"nameplate\": {\"active_constant\": 1000000}", "$.meters[0].nameplate.active_constant:"},
        {"", "\"nameplate\": \"220V\"", "$.meters[0].nameplate:"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_int_equal(parse_line_site(&s, bad[i].defaults, bad[i].meter, err, sizeof err), -1);
        if (strstr(err, bad[i].message) == NULL) {
            fail_msg("case %zu: '%s' does not hold '%s'", i, err, bad[i].message);
        }
        assert_null(s.meters); /* nothing of a refused site stays allocated */
    }
}

/* The serial and dial-in options: what they need, what they exclude. */
static void test_link_options(void **state)
{
    (void)state;
    emu_options_t o;
    assert_int_equal(parse(&o, "--dial", "127.0.0.1:9000", NULL), 2); /* no --dtu-id */
    assert_int_equal(parse(&o, "--dtu-id", "D1", NULL), 2);           /* no --dial */
    assert_int_equal(parse(&o, "--dial", "localhost:9000", "--dtu-id=D1"), 2);
    assert_int_equal(parse(&o, "--dial", "127.0.0.1:65536", "--dtu-id=D1"), 2);
    assert_int_equal(parse(&o, "--dial", "127.0.0.1:", "--dtu-id=D1"), 2);
    assert_int_equal(parse(&o, "--dial", "127.0.0.1:9000", "--dtu-id=123456789012345678901234567890123"), 2);
    assert_int_equal(parse(&o, "--serial", "", NULL), 2);
    assert_int_equal(parse(&o, "--heartbeat-s", "5", NULL), 2); /* no --heartbeat */
    assert_int_equal(parse(&o, "--dial", "127.0.0.1:9000", "--dtu-id=D1"), 0);
    assert_int_equal(o.server.dial_port, 9000);
    assert_string_equal(o.server.dtu_id, "D1");
    assert_int_equal(o.server.redial_ms, 500);
    assert_int_equal(o.server.heartbeat_ms, 0);
    assert_int_equal(o.server.bus_port, -1); /* the dial-in link alone */
    assert_int_equal(parse(&o, "--serial=/tmp/tty-x", NULL, NULL), 0);
    assert_string_equal(o.server.serial_link, "/tmp/tty-x");
    assert_int_equal(o.server.bus_port, -1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_emu_site SITE.json\n");
        return 2;
    }
    site_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_addressed_sync_moves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broadcast_moves_its_bus_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_beyond_limit_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_jump_of_jumping_meters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_jump_of_a_drawing_meter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_jump_runs_in_slices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jump_equals_daily_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_keeps_demand_and_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_format_2_still_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_demand_and_records_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wall_mode_set_back_is_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_in_meter_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demand_and_curve_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_forgeries_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_every_byte_forged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options_range_checked, setup, teardown),
        cmocka_unit_test(test_line_fields),
        cmocka_unit_test(test_link_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
