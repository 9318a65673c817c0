/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu's CJ/T 188 water meters without sockets (tools/prepay-emu/emu_water.c):
 * how a link tells CJ/T 188 from DL/T 645 frames, routing on the bus, the tap
 * flowing with the site's time, and the water meters in the state file
 * (format 4; a format-3 file still loads).
 *
 * The site is examples/sites/water.json (see tests/integration/test_emulator_water.c
 * for the hand-worked values: 201 money mode, 100 L/h, 10.00 yuan at 3.00 yuan/m3,
 * closes at 3 332 L; 202 remote mode, 60 L/h from 06:00 to 22:00).
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

static prepay_time_t at(int day, int hour, int minute)
{
    prepay_civil_t c = {2026, 11, (uint8_t)day, (uint8_t)hour, (uint8_t)minute, 0, 0};
    prepay_time_t t;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
    return t;
}

static int encode_cjt(const prepay_cjt188_frame_t *f, uint8_t *raw, size_t cap)
{
    int n = prepay_cjt188_encode(f, raw, cap);
    assert_true(n > 0);
    return n;
}

static prepay_cjt188_target_t target(const char *address)
{
    prepay_cjt188_target_t t;
    memset(&t, 0, sizeof t);
    t.meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
    assert_int_equal(prepay_cjt188_address_from_string(address, 14, &t.address), PREPAY_OK);
    return t;
}

/* Sends a CJ/T 188 request on the whole-site bus; decodes the reply into *reply; returns the reply length. */
static int send_cjt(const prepay_cjt188_frame_t *request, prepay_cjt188_frame_t *reply)
{
    uint8_t raw[PREPAY_CJT188_FRAME_MAX], out[1024];
    int n = encode_cjt(request, raw, sizeof raw);
    uint32_t delay;
    int r = emu_bus_handle(&site, 0, site.meter_count, raw, (size_t)n, out, sizeof out, &delay);
    if (r > 0 && reply) {
        assert_true(prepay_cjt188_decode(out, (size_t)r, PREPAY_CJT188_DI_AUTO, reply) > 0);
    }
    return r;
}

static void sync_to(prepay_time_t t)
{
    prepay_dlt645_frame_t f;
    uint8_t raw[PREPAY_DLT645_FRAME_MAX], out[256];
    assert_int_equal(prepay_dlt645_request_broadcast_time(&f, t), PREPAY_OK);
    int n = prepay_dlt645_encode(&f, raw, sizeof raw);
    uint32_t delay;
    assert_int_equal(emu_bus_handle(&site, 0, site.meter_count, raw, (size_t)n, out, sizeof out, &delay), 0);
}

static prepay_energy_t read_litres(const char *address, uint16_t *status)
{
    prepay_cjt188_target_t t = target(address);
    prepay_cjt188_frame_t req, rep;
    assert_int_equal(prepay_cjt188_request_read(&req, &t, 0x901F, 1), PREPAY_OK);
    assert_true(send_cjt(&req, &rep) > 0);
    prepay_cjt188_current_t cur;
    assert_int_equal(prepay_cjt188_reply_current(&req, &rep, &cur), PREPAY_OK);
    prepay_energy_t l = -1;
    assert_int_equal(prepay_cjt188_quantity_litres(&cur.reading, &l), PREPAY_OK);
    if (status) {
        *status = cur.status;
    }
    return l;
}

static size_t water_index(const char *address)
{
    prepay_cjt188_address_t a;
    assert_int_equal(prepay_cjt188_address_from_string(address, 14, &a), PREPAY_OK);
    for (size_t i = 0; i < site.water_count; i++) {
        if (memcmp(site.waters[i].meter.address.bytes, a.bytes, sizeof a.bytes) == 0) {
            return i;
        }
    }
    fail_msg("no water meter %s", address);
    return 0;
}

/* The link splitter: CJ/T 188 whole, DL/T 645 handed over frame by frame, waits, drops. */
static void test_link_split(void **state)
{
    (void)state;
    prepay_cjt188_target_t t = target("00000000000201");
    prepay_cjt188_frame_t req;
    assert_int_equal(prepay_cjt188_request_read(&req, &t, 0x901F, 7), PREPAY_OK);
    req.preamble = 2;
    uint8_t buf[256];
    int n = encode_cjt(&req, buf, sizeof buf);
    size_t len = 0;
    assert_int_equal(emu_link_split(buf, (size_t)n, &len), EMU_SPLIT_CJT188);
    assert_int_equal(len, (size_t)n);
    for (int k = 0; k < n; k++) { /* every proper prefix waits */
        assert_int_equal(emu_link_split(buf, (size_t)k, &len), k == 0 ? EMU_SPLIT_OTHER : EMU_SPLIT_WAIT);
    }
    /* A DL/T 645 frame followed by the CJ/T 188 one: only the DL/T 645 frame goes to its parser. */
    prepay_dlt645_frame_t d;
    prepay_dlt645_address_t a;
    assert_int_equal(prepay_dlt645_address_from_string("000000000101", 12, &a), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read(&d, &a, 0x00010000u), PREPAY_OK);
    d.preamble = 0;
    uint8_t two[512];
    int m = prepay_dlt645_encode(&d, two, sizeof two);
    assert_true(m > 0);
    memcpy(two + m, buf, (size_t)n);
    assert_int_equal(emu_link_split(two, (size_t)(m + n), &len), EMU_SPLIT_OTHER);
    assert_int_equal(len, (size_t)m);
    assert_int_equal(emu_link_split(two + m, (size_t)n, &len), EMU_SPLIT_CJT188);
    /* A bad checksum: drop through the 68H (after the preamble). */
    buf[n - 2] ^= 1;
    assert_int_equal(emu_link_split(buf, (size_t)n, &len), EMU_SPLIT_DROP);
    assert_int_equal(len, 3);
}

/* The tap flows with the site's time; reads and valve commands go through the bus. */
static void test_flow_and_valve(void **state)
{
    (void)state;
    uint16_t st = 0;
    sync_to(at(1, 12, 0));
    assert_int_equal(read_litres("00000000000201", &st), 1200);
    assert_int_equal(prepay_cjt188_status_valve(st), PREPAY_CJT188_VALVE_STATE_OPEN);
    assert_int_equal(read_litres("00000000000202", NULL), 360);
    /* Another meter type or address: silence. */
    prepay_cjt188_target_t t = target("00000000000299");
    prepay_cjt188_frame_t req, rep;
    assert_int_equal(prepay_cjt188_request_read(&req, &t, 0x901F, 1), PREPAY_OK);
    assert_int_equal(send_cjt(&req, NULL), 0);
    t = target("00000000000201");
    t.meter_type = 0x20; /* heat */
    assert_int_equal(prepay_cjt188_request_read(&req, &t, 0x901F, 1), PREPAY_OK);
    assert_int_equal(send_cjt(&req, NULL), 0);
    /* A wildcard read reaches both: their replies collide (garbage). */
    t = target("00000000000201");
    t.address = prepay_cjt188_address_wildcard();
    assert_int_equal(prepay_cjt188_request_read_address(&req, &t, 1), PREPAY_OK);
    uint8_t raw[PREPAY_CJT188_FRAME_MAX], out[1024];
    int n = encode_cjt(&req, raw, sizeof raw);
    uint32_t delay;
    int r = emu_bus_handle(&site, 0, site.meter_count, raw, (size_t)n, out, sizeof out, &delay);
    assert_true(r > 0);
    assert_true(prepay_cjt188_decode(out, (size_t)r, PREPAY_CJT188_DI_AUTO, &rep) < 0);
    /* Not served on a link of one DL/T 645 meter when the site has more: here the site has one, so it is. */
    t = target("00000000000202");
    assert_int_equal(prepay_cjt188_request_valve(&req, &t, 2, false), PREPAY_OK);
    assert_true(send_cjt(&req, &rep) > 0);
    assert_int_equal(prepay_cjt188_reply_check(&req, &rep), PREPAY_OK);
    sync_to(at(1, 18, 0));
    assert_int_equal(read_litres("00000000000202", &st), 360);
    assert_int_equal(prepay_cjt188_status_valve(st), PREPAY_CJT188_VALVE_STATE_CLOSED);
    /* The purse of 201 closes its valve at 3 332 L, to the litre. */
    sync_to(at(3, 0, 0));
    assert_int_equal(site.waters[water_index("00000000000201")].meter.volume, 3332);
    assert_int_equal(read_litres("00000000000201", &st), 3330);
    assert_int_equal(prepay_cjt188_status_valve(st), PREPAY_CJT188_VALVE_STATE_CLOSED);
    assert_int_equal(site.waters[water_index("00000000000201")].meter.balance, 0);
}

/* The water meters survive a state file (format 4) and go on the same; format 3 still loads. */
static void test_state_round_trip(void **state)
{
    (void)state;
    sync_to(at(1, 12, 0));
    size_t size = emu_state_size(&site);
    uint8_t *bytes = malloc(size);
    assert_non_null(bytes);
    assert_int_equal(emu_state_encode(&site, bytes, size), 0);
    assert_int_equal(bytes[9], '4');
    emu_site_t fresh;
    char err[EMU_ERROR_MAX];
    assert_int_equal(emu_site_load(site_path, &fresh, err, sizeof err), 0);
    assert_int_equal(emu_state_decode(&fresh, bytes, size, err, sizeof err), 0);
    for (size_t i = 0; i < site.water_count; i++) {
        assert_memory_equal(&fresh.waters[i].meter, &site.waters[i].meter, sizeof site.waters[i].meter);
        assert_int_equal(fresh.waters[i].carry_ls, site.waters[i].carry_ls);
    }
    /* One more day on both: the same litres, purse and valve. */
    emu_site_t *both[2] = {&site, &fresh};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(emu_site_advance(both[k], at(2, 12, 0)), PREPAY_OK);
        for (size_t i = 0; i < both[k]->water_count; i++) {
            assert_int_equal(emu_water_advance(&both[k]->waters[i], at(2, 12, 0)), PREPAY_OK);
        }
    }
    for (size_t i = 0; i < site.water_count; i++) {
        assert_memory_equal(&fresh.waters[i].meter, &site.waters[i].meter, sizeof site.waters[i].meter);
    }
    /* A water record out of its domain is refused by name, and nothing changes. */
    size_t w0 = size - 8 - 2 * (sizeof(prepay_water_meter_t) + 24u); /* first water record */
    uint8_t *bad = malloc(size);
    assert_non_null(bad);
    memcpy(bad, bytes, size);
    bad[w0 + offsetof(prepay_water_meter_t, mode)] = 9;
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < size - 8; i++) {
        h = (h ^ bad[i]) * 0x100000001B3ull;
    }
    for (size_t i = 0; i < 8; i++) {
        bad[size - 8 + i] = (uint8_t)(h >> (8 * i));
    }
    prepay_water_meter_t before = fresh.waters[0].meter;
    err[0] = '\0';
    assert_int_not_equal(emu_state_decode(&fresh, bad, size, err, sizeof err), 0);
    assert_non_null(strstr(err, "water meter 0"));
    assert_memory_equal(&fresh.waters[0].meter, &before, sizeof before);
    /* Format 3 (no water section) still loads: the water meters keep what they have. */
    size_t size3 = emu_state_size(&site); /* the site has moved on since `size` */
    uint8_t *old = malloc(size3);
    assert_non_null(old);
    int n3 = emu_state_encode_format(&site, 3, old, size3);
    assert_true(n3 > 0);
    assert_int_equal(old[9], '3');
    assert_int_equal((size_t)n3, size3 - 16 - 2 * (sizeof(prepay_water_meter_t) + 24u));
    emu_site_t third;
    assert_int_equal(emu_site_load(site_path, &third, err, sizeof err), 0);
    assert_int_equal(emu_state_decode(&third, old, (size_t)n3, err, sizeof err), 0);
    assert_int_equal(third.waters[0].meter.volume, 0);
    emu_site_free(&third);
    emu_site_free(&fresh);
    free(old);
    free(bad);
    free(bytes);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s site.json\n", argv[0]);
        return 2;
    }
    site_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_split),
        cmocka_unit_test_setup_teardown(test_flow_and_valve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
