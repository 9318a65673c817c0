/* SPDX-License-Identifier: MIT */
/*
 * The reference meter as a station meets it in the field:
 *  - it answers DL/T 645-1997 reads in the 1997 formats (values worked out by
 *    hand below);
 *  - a relay command whose valid-until field is all zero decodes, and the
 *    meter's policy refuses it;
 *  - the day-table and tariff counts are written meter-wide;
 *  - a price write into a derived price set fixes the derived prices;
 *  - a whole tariff pushed into the second set through DL/T 645 writes
 *    (prepay/dlt645_tariff.h) reads back identical, leaves the set in force
 *    untouched until the switch-over time, and then the meter's own
 *    deduction over 30 days equals the station's batch bill: 1668.30 yuan,
 *    worked out by hand in test_pushed_tariff_bills_alike().
 */
#include "meter_fixtures.h"

#include "prepay/dlt645_tariff.h"

static prepay_tariff_t set_b;  /* the meter's second set (static: large) */
static prepay_tariff_t pushed; /* the tariff the station pushes */
static prepay_tariff_t before_a;

/* A 1997 read; returns the value length (after the DI) or -error byte. */
static int read_1997(prepay_meter_t *m, uint16_t di, uint8_t *value, size_t cap)
{
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t a = m->address;
    assert_int_equal(prepay_dlt645_request_read_1997(&req, &a, di), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(rep.edition, PREPAY_DLT645_EDITION_1997);
    if (rep.abnormal) {
        assert_int_equal(rep.control, 0xC1);
        return -(int)rep.error;
    }
    assert_int_equal(rep.control, 0x81);
    assert_int_equal(rep.di, di);
    assert_true(rep.length - 2u <= cap);
    memcpy(value, rep.data + 2, rep.length - 2u);
    return rep.length - 2;
}

static void test_1997_reads(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_set_mode(m, PREPAY_METER_MODE_REMOTE), PREPAY_OK); /* no purse: no cut-off */
    prepay_meter_load_t load = fx_constant(1500);
    /* 2024-03-01 00:00..02:00 at 1.5 kW: 3 kWh, all valley (tariff 4). */
    assert_int_equal(prepay_meter_advance(m, 7200, &load), PREPAY_OK);
    prepay_meter_instant_t in;
    memset(&in, 0, sizeof in);
    in.voltage[0] = 2203;      /* 220.3 V -> 1997 XXX: 220 */
    in.current[0] = -5125;     /* 5.125 A, export -> 1997 XX.XX unsigned: 5.13 (half-up) */
    in.power[0] = 11234;       /* 1.1234 kW -> XX.XXXX */
    in.power[1] = 11234;
    in.power_factor[0] = -985; /* 0.985 */
    in.frequency = 5001;
    assert_int_equal(prepay_meter_set_instant(m, &in), PREPAY_OK);
    uint8_t v[64];
    assert_int_equal(read_1997(m, 0x9010, v, sizeof v), 4);
    assert_memory_equal(v, ((uint8_t[]){0x00, 0x03, 0x00, 0x00}), 4); /* 000003.00 kWh */
    assert_int_equal(read_1997(m, 0x9014, v, sizeof v), 4);
    assert_memory_equal(v, ((uint8_t[]){0x00, 0x03, 0x00, 0x00}), 4); /* valley is tariff 4 */
    assert_int_equal(read_1997(m, 0x901F, v, sizeof v), 20);         /* total + tariffs 1..4 */
    assert_memory_equal(v, ((uint8_t[]){0x00, 0x03, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x03, 0x00,
                                        0x00}),
                        20);
    assert_int_equal(read_1997(m, 0x9020, v, sizeof v), 4); /* reverse: 0 */
    assert_memory_equal(v, ((uint8_t[]){0, 0, 0, 0}), 4);
    assert_int_equal(read_1997(m, 0xB611, v, sizeof v), 2);
    assert_memory_equal(v, ((uint8_t[]){0x20, 0x02}), 2); /* 0220 V */
    assert_int_equal(read_1997(m, 0xB61F, v, sizeof v), 6); /* A, B, C */
    assert_memory_equal(v, ((uint8_t[]){0x20, 0x02, 0, 0, 0, 0}), 6);
    assert_int_equal(read_1997(m, 0xB621, v, sizeof v), 2);
    assert_memory_equal(v, ((uint8_t[]){0x13, 0x05}), 2); /* 05.13 A */
    assert_int_equal(read_1997(m, 0xB630, v, sizeof v), 3);
    assert_memory_equal(v, ((uint8_t[]){0x34, 0x12, 0x01}), 3); /* 01.1234 kW */
    assert_int_equal(read_1997(m, 0xB63F, v, sizeof v), 12);    /* total, A, B, C */
    assert_int_equal(read_1997(m, 0xB650, v, sizeof v), 2);
    assert_memory_equal(v, ((uint8_t[]){0x85, 0x09}), 2); /* 0.985 */
    assert_int_equal(read_1997(m, 0xC010, v, sizeof v), 4);
    assert_memory_equal(v, ((uint8_t[]){0x05, 0x01, 0x03, 0x24}), 4); /* Friday 2024-03-01 */
    assert_int_equal(read_1997(m, 0xC011, v, sizeof v), 3);
    assert_memory_equal(v, ((uint8_t[]){0x00, 0x00, 0x02}), 3); /* 02:00:00 */
    assert_int_equal(read_1997(m, 0xC032, v, sizeof v), 6);
    assert_memory_equal(v, m->address.bytes, 6);
    /* Every reply decodes with the 1997 catalogue. */
    prepay_dlt645_value_t items[8];
    assert_int_equal(read_1997(m, 0xB630, v, sizeof v), 3);
    assert_int_equal(prepay_dlt645_block_decode_1997(0xB630, v, 3, items, 8), 1);
    assert_int_equal(items[0].quantity, 11234);
    /* An item the meter does not have: abnormal 1997 reply, no requested data. */
    assert_int_equal(read_1997(m, 0xC034, v, sizeof v), -(int)PREPAY_DLT645_ERROR_NO_DATA);
    /* A 1997 write is refused (abnormal C4, other). */
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t a = m->address;
    prepay_dlt645_credentials_t c = FX_PW2;
    const uint8_t value[4] = {0, 0, 0, 0};
    assert_int_equal(prepay_dlt645_request_write_1997(&req, &a, 0xC119, &c, value, 4), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_int_equal(rep.control, 0xC4);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_OTHER);
    /* Another meter's address: silence; wildcards: answered. */
    prepay_dlt645_address_t other;
    assert_int_equal(prepay_dlt645_address_from_string("000000193601", 12, &other), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read_1997(&req, &other, 0x9010), PREPAY_OK);
    assert_int_equal(fx_send(m, &req, &rep), 0);
    prepay_dlt645_address_t wild;
    assert_int_equal(prepay_dlt645_address_from_string("AAAAAAAAAAAA", 12, &wild), PREPAY_OK);
    assert_int_equal(prepay_dlt645_request_read_1997(&req, &wild, 0x9010), PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_memory_equal(rep.address.bytes, m->address.bytes, 6);
}

static void test_relay_without_valid_until(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t a = m->address;
    prepay_dlt645_credentials_t c = FX_PW2;
    assert_int_equal(
        prepay_dlt645_request_relay_control(&req, &a, &c, PREPAY_DLT645_RELAY_TRIP, PREPAY_DLT645_RELAY_NO_TIME),
        PREPAY_OK);
    /* The last six data bytes are zero (before +0x33). */
    for (int i = 10; i < 16; i++) {
        assert_int_equal(req.data[i], 0);
    }
    prepay_dlt645_relay_request_t parsed;
    assert_int_equal(prepay_dlt645_parse_relay_request(&req, &parsed), PREPAY_OK);
    assert_int_equal(parsed.command, PREPAY_DLT645_RELAY_TRIP);
    assert_int_equal(parsed.valid_until, PREPAY_DLT645_RELAY_NO_TIME);
    uint8_t before = m->relay;
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_true(rep.abnormal);
    assert_int_equal(rep.control, 0xDC);
    assert_int_equal(rep.error, PREPAY_DLT645_ERROR_OTHER);
    assert_int_equal(m->relay, before);
    /* With a time, the same command trips. */
    assert_int_equal(prepay_dlt645_request_relay_control(&req, &a, &c, PREPAY_DLT645_RELAY_TRIP, m->clock + 600),
                     PREPAY_OK);
    assert_true(fx_send(m, &req, &rep) > 0);
    assert_false(rep.abnormal);
    assert_true(m->relay & PREPAY_METER_RELAY_OPEN);
}

static void test_counts_and_derived_prices(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    set_b = fx_tariff;
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, &set_b, true, NULL, NULL), PREPAY_OK);
    uint8_t two = 0x02;
    assert_int_equal(fx_write(m, PREPAY_DI_DAY_TABLE_COUNT, FX_PW2, &two, 1), 0);
    assert_int_equal(fx_tariff.schedule.day_table_count, 2);
    assert_int_equal(set_b.schedule.day_table_count, 2);
    assert_int_equal(set_b.schedule.day_tables[1].slot_count, 7); /* a copy of table 1 */
    uint8_t v[8];
    assert_int_equal(fx_read(m, PREPAY_DI_DAY_TABLE_COUNT, v, sizeof v), 1);
    assert_int_equal(v[0], 0x02);
    /* Zone 2 of set 2 now names table 2; fewer tables would orphan it: refused. */
    const uint8_t zones[6] = {0x01, 0x01, 0x01, 0x02, 0x01, 0x07}; /* 01-01 -> 1, 07-01 -> 2 */
    assert_int_equal(fx_write(m, PREPAY_DI_ZONE_TABLE(2), FX_PW2, zones, 6), 0);
    uint8_t one = 0x01;
    assert_int_equal(fx_write(m, PREPAY_DI_DAY_TABLE_COUNT, FX_PW2, &one, 1), PREPAY_DLT645_ERROR_OTHER);
    assert_int_equal(set_b.schedule.day_table_count, 2);
    uint8_t nine = 0x09;
    assert_int_equal(fx_write(m, PREPAY_DI_DAY_TABLE_COUNT, FX_PW2, &nine, 1), PREPAY_DLT645_ERROR_OTHER);
    /* Tariffs: 4 -> 6; 64 is beyond DL/T 645 (error bit 6, too many tariffs). */
    uint8_t six = 0x06;
    assert_int_equal(fx_write(m, PREPAY_DI_TARIFF_COUNT, FX_PW2, &six, 1), 0);
    assert_int_equal(fx_tariff.band_count, 6);
    assert_int_equal(set_b.band_count, 6);
#if PREPAY_MAX_TARIFF_INDEX >= 6
    assert_int_equal(set_b.prices.band_price[5], 0);
#endif
    uint8_t many = 0x64;
    assert_int_equal(fx_write(m, PREPAY_DI_TARIFF_COUNT, FX_PW2, &many, 1), PREPAY_DLT645_ERROR_TARIFFS);
    /* Read-only tables: unauthorised. */
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, &set_b, false, NULL, NULL), PREPAY_OK);
    assert_int_equal(fx_write(m, PREPAY_DI_TARIFF_COUNT, FX_PW2, &six, 1), PREPAY_DLT645_ERROR_UNAUTHORISED);

    /* A derived price set (0.5000 x ratio): a price write fixes every band's price. */
    fx_make_tariff(&fx_tariff);
    fx_tariff.prices.mode = PREPAY_PRICE_DERIVED;
    fx_tariff.prices.derive_base = FX_PRICE(5000);
    fx_tariff.prices.derive_quantum = 10000;
    fx_tariff.prices.band_ratio[0] = 2000000; /* 1.0000 */
    fx_tariff.prices.band_ratio[1] = 1600000; /* 0.8000 */
    fx_tariff.prices.band_ratio[2] = 1000000; /* 0.5000 */
    fx_tariff.prices.band_ratio[3] = 600000;  /* 0.3000 */
    assert_int_equal(prepay_tariff_validate(&fx_tariff), PREPAY_OK);
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, NULL, true, NULL, NULL), PREPAY_OK);
    const uint8_t price[4] = {0x00, 0x55, 0x00, 0x00}; /* tariff 3 -> 0.5500 */
    assert_int_equal(fx_write(m, PREPAY_DI_PRICE(1, 3), FX_PW2, price, 4), 0);
    assert_int_equal(fx_tariff.prices.mode, PREPAY_PRICE_DIRECT);
    assert_int_equal(fx_tariff.prices.band_price[0], FX_PRICE(10000));
    assert_int_equal(fx_tariff.prices.band_price[1], FX_PRICE(8000));
    assert_int_equal(fx_tariff.prices.band_price[2], FX_PRICE(5500));
    assert_int_equal(fx_tariff.prices.band_price[3], FX_PRICE(3000));
}

/* The station's side of a push: what prepay meter push-tariff sends. */
static void push_set_2(prepay_meter_t *m, const prepay_dlt645_tariff_tables_t *t)
{
    int n = prepay_dlt645_tariff_write_count(t);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        prepay_dlt645_tariff_write_t w;
        assert_int_equal(prepay_dlt645_tariff_write_item(t, 2, (size_t)i, &w), PREPAY_OK);
        int error = fx_write(m, w.di, FX_PW2, w.value, w.length);
        if (error != 0) {
            fail_msg("write %d (DI %08X) refused: error %02X", i, (unsigned)w.di, (unsigned)error);
        }
    }
}

static void read_back_set_2(prepay_meter_t *m, prepay_dlt645_tariff_tables_t *back)
{
    assert_int_equal(prepay_dlt645_tariff_tables_init(back), PREPAY_OK);
    uint8_t v[64];
    int n = fx_read(m, PREPAY_DI_ZONE_TABLE(2), v, sizeof v);
    assert_true(n > 0);
    assert_int_equal(prepay_dlt645_tariff_absorb(back, PREPAY_DI_ZONE_TABLE(2), v, (size_t)n), PREPAY_OK);
    for (unsigned d = 1; d <= 8; d++) {
        n = fx_read(m, PREPAY_DI_DAY_TABLE(2, d), v, sizeof v);
        if (n < 0) {
            break;
        }
        assert_int_equal(prepay_dlt645_tariff_absorb(back, PREPAY_DI_DAY_TABLE(2, d), v, (size_t)n), PREPAY_OK);
    }
    for (unsigned k = 1; k <= 63; k++) {
        n = fx_read(m, PREPAY_DI_PRICE(2, k), v, sizeof v);
        if (n < 0) {
            break;
        }
        assert_int_equal(prepay_dlt645_tariff_absorb(back, PREPAY_DI_PRICE(2, k), v, (size_t)n), PREPAY_OK);
    }
    for (unsigned k = 1; k <= 6; k++) {
        assert_int_equal(fx_read(m, PREPAY_DI_LADDER_VALUE(2, k), v, sizeof v), 4);
        assert_int_equal(prepay_dlt645_tariff_absorb(back, PREPAY_DI_LADDER_VALUE(2, k), v, 4), PREPAY_OK);
    }
    for (unsigned k = 1; k <= 7; k++) {
        assert_int_equal(fx_read(m, PREPAY_DI_LADDER_PRICE(2, k), v, sizeof v), 4);
        assert_int_equal(prepay_dlt645_tariff_absorb(back, PREPAY_DI_LADDER_PRICE(2, k), v, 4), PREPAY_OK);
    }
}

/* Zhejiang residential (examples/tariffs/zhejiang_residential_tou.json): peak
 * (2) 08:00-22:00 0.5680, valley (4) 0.2880, annual ladder 2760 / 4800 kWh
 * adding 0.05 / 0.30, rounded once per bill. */
static void make_pushed(prepay_tariff_t *t)
{
    assert_int_equal(prepay_tariff_init(t), PREPAY_OK);
    t->band_count = 4;
    t->schedule.season_count = 1;
    t->schedule.seasons[0].start_month = 1;
    t->schedule.seasons[0].start_day = 1;
    t->schedule.day_table_count = 1;
    t->schedule.day_tables[0].slot_count = 2;
    t->schedule.day_tables[0].slots[0].start_minute = 8 * 60;
    t->schedule.day_tables[0].slots[0].band = 2;
    t->schedule.day_tables[0].slots[1].start_minute = 22 * 60;
    t->schedule.day_tables[0].slots[1].band = 4;
    t->prices.band_price[1] = FX_PRICE(5680);
    t->prices.band_price[3] = FX_PRICE(2880);
    t->cycle_kind = PREPAY_CYCLE_YEAR;
    t->cycle_start_month = 1;
    t->tier_count = 3;
    t->ladders[0].upper[0] = 2760000;
    t->ladders[0].upper[1] = 4800000;
    t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    t->prices.tier_surcharge[1] = FX_PRICE(500);
    t->prices.tier_surcharge[2] = FX_PRICE(3000);
    t->round_scope = PREPAY_ROUND_PER_BILL;
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

/*
 * Hand-worked bill. The meter starts at 2025-12-31 23:00 on set 1 (the
 * fixture's TOU: 23:00 valley 0.3000; the same yearly cycle as the pushed
 * tariff, which DL/T 645 does not carry); set 2 (Zhejiang) is pushed and
 * switched to at 2026-01-01 00:00. A constant 5 kW for 1 hour + 30 days:
 *   2025-12-31 23:00-24:00: 5 kWh valley at 0.3000 = 1.50 (2025 cycle)
 *   each day of 2026: peak 14 h = 70 kWh, valley 10 h = 50 kWh, 120 kWh
 *   days 1-23 (2760 kWh: exactly tier 1): 1610 kWh x 0.5680 = 914.48
 *                                        1150 kWh x 0.2880 = 331.20
 *   days 24-30 (tier 2, +0.05):           490 kWh x 0.6180 = 302.82
 *                                         350 kWh x 0.3380 = 118.30
 *   total 1.50 + 914.48 + 331.20 + 302.82 + 118.30 = 1668.30 yuan = 166830 fen.
 */
static void test_pushed_tariff_bills_alike(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    fx_tariff.cycle_kind = PREPAY_CYCLE_YEAR; /* the meter's configuration, as the pushed tariff */
    fx_tariff.cycle_start_month = 1;
    fx_tariff.round_scope = PREPAY_ROUND_PER_BILL;
    set_b = fx_tariff;
    prepay_time_t start = fx_time(2025, 12, 31, 23, 0, 0);
    prepay_dlt645_address_t a = m->address;
    assert_int_equal(prepay_meter_init(m, &a, start), PREPAY_OK);
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, &set_b, true, NULL, NULL), PREPAY_OK);
    static const uint8_t pw2[3] = {0x22, 0x22, 0x22};
    assert_int_equal(prepay_meter_set_password(m, 2, pw2), PREPAY_OK);
    assert_int_equal(prepay_meter_recharge(m, start, 1000000, 1), PREPAY_OK); /* 10000.00 yuan */
    before_a = fx_tariff;

    make_pushed(&pushed);
    prepay_dlt645_tariff_tables_t tables, back;
    assert_int_equal(prepay_dlt645_tariff_compile(&pushed, &tables, NULL), PREPAY_OK);
    push_set_2(m, &tables);
    /* The set in force was not changed (only its change counter moved: every
     * write makes sealed plans look again); the passive set reads back identical. */
    before_a.revision = fx_tariff.revision;
    assert_memory_equal(&before_a, &fx_tariff, sizeof fx_tariff);
    read_back_set_2(m, &back);
    assert_int_equal(prepay_dlt645_tariff_diff(&tables, &back, NULL, 0), 0);
    /* Then the switch-over time. */
    uint8_t when[5];
    assert_int_equal(prepay_time_to_dlt645_minute(fx_time(2026, 1, 1, 0, 0, 0), when), PREPAY_OK);
    assert_int_equal(fx_write(m, PREPAY_DI_SWITCH_PRICES, FX_PW2, when, 5), 0);

    prepay_money_t purse_before = m->purse.balance;
    prepay_meter_load_t load = fx_constant(5000);
    /* The station reads the register every day at midnight (and at the start). */
    prepay_tariff_interval_t intervals[32];
    size_t count = 0;
    uint8_t v[8];
    assert_int_equal(fx_read(m, PREPAY_DI_FORWARD_ACTIVE_TOTAL, v, sizeof v), 4);
    prepay_energy_t last = (prepay_energy_t)fx_bcd(v, 4) * 10;
    prepay_time_t last_time = start;
    for (int day = 0; day <= 30; day++) {
        int64_t seconds = day == 0 ? 3600 : 86400;
        assert_int_equal(prepay_meter_advance(m, seconds, &load), PREPAY_OK);
        assert_int_equal(fx_read(m, PREPAY_DI_FORWARD_ACTIVE_TOTAL, v, sizeof v), 4);
        prepay_energy_t now_wh = (prepay_energy_t)fx_bcd(v, 4) * 10;
        intervals[count++] = (prepay_tariff_interval_t){last_time, last_time + seconds, now_wh - last};
        last = now_wh;
        last_time += seconds;
    }
    prepay_money_t deducted = purse_before - m->purse.balance;
    assert_int_equal(deducted, 166830);

    /* The station's batch bill with the plan it pushed. */
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_plan_init(&plan, &before_a), PREPAY_OK);
    plan.sets[1] = &pushed;
    plan.switch_time = fx_time(2026, 1, 1, 0, 0, 0);
    static prepay_tariff_line_t lines[64];
    prepay_tariff_bill_t bill;
    assert_int_equal(prepay_tariff_bill_init(&bill, &pushed, lines, 64), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&plan, NULL, NULL, intervals, count, &bill), PREPAY_OK);
    assert_int_equal(bill.total, 166830);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_1997_reads),
        cmocka_unit_test(test_relay_without_valid_until),
        cmocka_unit_test(test_counts_and_derived_prices),
        cmocka_unit_test(test_pushed_tariff_bills_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
