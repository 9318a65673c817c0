/* SPDX-License-Identifier: MIT */
/*
 * The library's tariff push (prepay/tariff_push.h) against the reference
 * meter in-process: every request the task returns is encoded, handed to
 * prepay_meter_handle() and the reply decoded back, as a station session
 * would. Checked: a push with set 1 in force writes set 2 and then the
 * switch-over times and leaves set 1 untouched; with set 2 in force, set 1
 * first becomes a copy of it; verify finds no differences after a push and
 * the right ones against another plan; a refusal in the middle of set 2
 * leaves the set in force and the switch-over time as they were; garbage
 * in place of any reply stops the task with an error, and no request
 * follows it.
 */
#include "meter_fixtures.h"

#include "prepay/dlt645_di.h"
#include "prepay/dlt645_tariff.h"
#include "prepay/tariff_push.h"

static prepay_tariff_t set_b;   /* the meter's second set (static: large) */
static prepay_tariff_t other;   /* a second plan */
static prepay_tariff_t before;  /* set 1 before a push */
static prepay_tariff_push_t task;

/* What the driver saw. */
typedef struct drive_log {
    size_t exchanges;
    size_t writes;
    size_t set1_writes;     /* writes of set 1's tables (04010000.., 040501nn, 040600nn, 040601nn) */
    bool garbage_on_write;  /* the garbage replaced a write's reply (the write never reached the meter) */
} drive_log_t;

static bool is_set1_item(uint32_t di)
{
    return (di & 0xFFFF0000u) == 0x04010000u || (di & 0xFFFFFF00u) == 0x04050100u ||
           (di & 0xFFFFFF00u) == 0x04060000u || (di & 0xFFFFFF00u) == 0x04060100u;
}

/* Garbage for exchange `garbage_at` (SIZE_MAX: none): kind 0 a refusal, 1 a timeout, 2 a malformed reply, 3 0xFF bytes. */
static int drive(prepay_meter_t *m, prepay_tariff_push_t *t, size_t garbage_at, unsigned kind, size_t len,
                 drive_log_t *log)
{
    memset(log, 0, sizeof *log);
    prepay_dlt645_frame_t req, rep;
    int status = prepay_tariff_push_step(t, NULL, NULL, 0, &req);
    while (status == PREPAY_TARIFF_PUSH_EXCHANGE) {
        bool is_read = req.control == 0x11;
        if (!is_read) {
            log->writes++;
            if (is_set1_item(req.di)) {
                log->set1_writes++;
            }
        }
        prepay_station_result_t res;
        memset(&res, 0, sizeof res);
        res.attempts = 1;
        uint8_t data[PREPAY_DLT645_FRAME_MAX];
        size_t data_len = 0;
        if (log->exchanges == garbage_at) {
            log->garbage_on_write = !is_read;
            static const int statuses[3] = {PREPAY_E_DLT645_ABNORMAL, PREPAY_E_STATION_TIMEOUT,
                                            PREPAY_E_STATION_MALFORMED_REPLY};
            if (kind < 3) {
                res.status = statuses[kind];
                res.error = PREPAY_DLT645_ERROR_UNAUTHORISED;
            } else {
                memset(data, 0xFF, sizeof data);
                data_len = len;
            }
        } else {
            int n = fx_send(m, &req, &rep);
            assert_true(n > 0);
            if (rep.abnormal) {
                res.status = PREPAY_E_DLT645_ABNORMAL;
                res.error = rep.error;
            } else if (is_read) {
                prepay_dlt645_read_reply_t rr;
                assert_int_equal(prepay_dlt645_reply_read(&req, &rep, &rr), PREPAY_OK);
                memcpy(data, rr.value, rr.value_len);
                data_len = rr.value_len;
            }
            res.reply = rep;
        }
        res.data_len = data_len;
        log->exchanges++;
        status = prepay_tariff_push_step(t, &res, data, data_len, &req);
        if (status < 0) {
            /* Stopped: it stays stopped. */
            assert_int_equal(prepay_tariff_push_step(t, &res, data, data_len, &req), status);
        }
    }
    return status;
}

static prepay_meter_t *meter_with_two_sets(void)
{
    prepay_meter_t *m = fx_setup();
    set_b = fx_tariff;
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, &set_b, true, NULL, NULL), PREPAY_OK);
    return m;
}

/* The plan: peak (2) 08:00-22:00 0.5680, valley (4) 0.2880, ladder 2760 / 4800 kWh adding 0.05 / 0.30. */
static void make_plan(prepay_tariff_t *t, int64_t peak)
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
    t->prices.band_price[1] = FX_PRICE(peak);
    t->prices.band_price[3] = FX_PRICE(2880);
    t->tier_count = 3;
    t->ladders[0].upper[0] = 2760000;
    t->ladders[0].upper[1] = 4800000;
    t->ladders[0].upper[2] = PREPAY_TIER_UNBOUNDED;
    t->prices.tier_surcharge[1] = FX_PRICE(500);
    t->prices.tier_surcharge[2] = FX_PRICE(3000);
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

static prepay_tariff_push_options_t options_for(const prepay_meter_t *m, uint8_t verify_set)
{
    prepay_tariff_push_options_t o;
    memset(&o, 0, sizeof o);
    o.address = m->address;
    o.credentials = FX_PW2;
    o.verify_set = verify_set;
    return o;
}

static int verify(prepay_meter_t *m, const prepay_dlt645_tariff_tables_t *plan, uint8_t set)
{
    prepay_tariff_push_options_t o = options_for(m, set);
    drive_log_t log;
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_VERIFY, plan, &o), PREPAY_OK);
    int status = drive(m, &task, SIZE_MAX, 0, 0, &log);
    assert_int_equal(log.writes, 0);
    return status;
}

static void read_switch(prepay_meter_t *m, uint8_t out[5])
{
    assert_int_equal(fx_read(m, PREPAY_DI_SWITCH_PRICES, out, 5), 5);
}

static void test_push_with_set_1_in_force(void **state)
{
    (void)state;
    prepay_meter_t *m = meter_with_two_sets();
    before = fx_tariff;
    prepay_tariff_t plan_tariff;
    make_plan(&plan_tariff, 5680);
    prepay_dlt645_tariff_tables_t plan;
    assert_int_equal(prepay_dlt645_tariff_compile(&plan_tariff, &plan, NULL), PREPAY_OK);
    prepay_tariff_push_options_t o = options_for(m, 0);
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_PUSH, &plan, &o), PREPAY_OK);
    drive_log_t log;
    assert_int_equal(drive(m, &task, SIZE_MAX, 0, 0, &log), PREPAY_OK);
    const prepay_tariff_push_result_t *r = prepay_tariff_push_result(&task);
    assert_int_equal(r->status, PREPAY_OK);
    assert_int_equal(r->phase, PREPAY_TARIFF_PUSH_DONE);
    assert_true(r->switch_written);
    assert_false(r->promoted);
    assert_true(r->switch_never); /* the fixture meter has no switch-over time: set 1 in force */
    assert_int_equal(log.set1_writes, 0);
    /* 5 reads, the counts (the plan needs no larger ones), the set's writes, its read-back (zone table, the
     * meter's day tables and prices, 6 ladder values, 7 ladder prices), 4 switch-over times. */
    int writes = prepay_dlt645_tariff_write_count(&plan);
    assert_true(writes > 0);
    assert_int_equal(r->write_count, (size_t)writes);
    assert_int_equal(log.writes, (size_t)writes + 4u);
    assert_int_equal(r->counts_written, 0);
    assert_int_equal(log.exchanges, 5u + (size_t)writes + 1u + r->tables + r->tariffs + 13u + 4u);
    /* Switch-over at the meter clock (2024-03-01 00:00). */
    assert_int_equal(r->switch_at, fx_time(2024, 3, 1, 0, 0, 0));
    uint8_t when[5], want[5];
    read_switch(m, when);
    assert_int_equal(prepay_time_to_dlt645_minute(r->switch_at, want), PREPAY_OK);
    assert_memory_equal(when, want, 5);
    /* Set 1 was not changed (only its change counter moves). */
    before.revision = fx_tariff.revision;
    assert_memory_equal(&before, &fx_tariff, sizeof fx_tariff);
    /* Verify: set 2 (in force after the switch-over) holds the plan. */
    assert_int_equal(verify(m, &plan, 0), PREPAY_OK);
    assert_int_equal(prepay_tariff_push_result(&task)->set, 2);
    assert_int_equal(prepay_tariff_push_result(&task)->difference_count, 0);
}

static void test_push_with_set_2_in_force_promotes(void **state)
{
    (void)state;
    prepay_meter_t *m = meter_with_two_sets();
    /* Set 2 = plan A, in force since 2024-02-01. */
    prepay_tariff_t a_tariff;
    make_plan(&a_tariff, 5680);
    set_b = a_tariff;
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, &set_b, true, NULL, NULL), PREPAY_OK);
    uint8_t when[5];
    assert_int_equal(prepay_time_to_dlt645_minute(fx_time(2024, 2, 1, 0, 0, 0), when), PREPAY_OK);
    assert_int_equal(fx_write(m, PREPAY_DI_SWITCH_PRICES, FX_PW2, when, 5), 0);
    prepay_dlt645_tariff_tables_t a, b;
    assert_int_equal(prepay_dlt645_tariff_compile(&a_tariff, &a, NULL), PREPAY_OK);
    make_plan(&other, 6180);
    assert_int_equal(prepay_dlt645_tariff_compile(&other, &b, NULL), PREPAY_OK);
    /* Push plan B, switching over at 2024-03-02 00:00. */
    prepay_tariff_push_options_t o = options_for(m, 0);
    o.has_switch_at = true;
    o.switch_at = fx_time(2024, 3, 2, 0, 0, 0);
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_PUSH, &b, &o), PREPAY_OK);
    drive_log_t log;
    assert_int_equal(drive(m, &task, SIZE_MAX, 0, 0, &log), PREPAY_OK);
    const prepay_tariff_push_result_t *r = prepay_tariff_push_result(&task);
    assert_true(r->promoted);
    assert_true(r->switch_written);
    assert_int_equal(r->switch_at, fx_time(2024, 3, 2, 0, 0, 0));
    /* Set 1 was written only as a copy of set 2 (in force): its writes are set 2's count. */
    assert_int_equal(log.set1_writes, (size_t)prepay_dlt645_tariff_write_count(&a));
    /* Set 1 now holds A (what was in force), set 2 holds B. */
    assert_int_equal(verify(m, &a, 1), PREPAY_OK);
    assert_int_equal(verify(m, &b, 2), PREPAY_OK);
    uint8_t want[5];
    read_switch(m, when);
    assert_int_equal(prepay_time_to_dlt645_minute(o.switch_at, want), PREPAY_OK);
    assert_memory_equal(when, want, 5);
}

static void test_verify_differences(void **state)
{
    (void)state;
    prepay_meter_t *m = meter_with_two_sets();
    /* Set 1 in force (no switch-over): verify set 1 against the fixture's own tables, then against another plan. */
    prepay_dlt645_tariff_tables_t mine, plan;
    assert_int_equal(prepay_dlt645_tariff_compile(&fx_tariff, &mine, NULL), PREPAY_OK);
    assert_int_equal(verify(m, &mine, 0), PREPAY_OK);
    assert_int_equal(prepay_tariff_push_result(&task)->set, 1);
    /* The same with one price changed: one difference, the price of tariff 3 (0.5000 in the meter). */
    plan = mine;
    plan.prices[2] = FX_PRICE(5100);
    assert_int_equal(verify(m, &plan, 1), PREPAY_E_STATION_TARIFF_DIFFERS);
    const prepay_tariff_push_result_t *r = prepay_tariff_push_result(&task);
    assert_int_equal(r->difference_count, 1);
    assert_int_equal(r->differences[0].part, PREPAY_DLT645_TARIFF_PART_PRICE);
    assert_int_equal(r->differences[0].index, 3);
    assert_int_equal(r->differences[0].a_value, FX_PRICE(5100));
    assert_int_equal(r->differences[0].b_value, FX_PRICE(5000));
    assert_int_equal(r->phase, PREPAY_TARIFF_PUSH_VERIFY_READ);
    assert_int_equal(r->di, 0u);
}

static void test_refusal_mid_write(void **state)
{
    (void)state;
    prepay_tariff_t plan_tariff;
    make_plan(&plan_tariff, 5680);
    prepay_dlt645_tariff_tables_t plan;
    assert_int_equal(prepay_dlt645_tariff_compile(&plan_tariff, &plan, NULL), PREPAY_OK);
    /* The third write of set 2 is refused (exchange 5 reads + 2 writes = index 7). */
    prepay_meter_t *m = meter_with_two_sets();
    before = fx_tariff;
    uint8_t when[5], switch_before[5];
    read_switch(m, switch_before);
    prepay_tariff_push_options_t o = options_for(m, 0);
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_PUSH, &plan, &o), PREPAY_OK);
    drive_log_t log;
    assert_int_equal(drive(m, &task, 7, 0, 0, &log), PREPAY_E_DLT645_ABNORMAL);
    const prepay_tariff_push_result_t *r = prepay_tariff_push_result(&task);
    assert_int_equal(r->phase, PREPAY_TARIFF_PUSH_WRITE);
    assert_int_equal(r->set, 2);
    assert_false(r->switch_written);
    assert_int_equal(log.exchanges, 8u);
    read_switch(m, when);
    assert_memory_equal(when, switch_before, 5); /* set 1 stays in force */
    before.revision = fx_tariff.revision;
    assert_memory_equal(&before, &fx_tariff, sizeof fx_tariff);
    /* A wrong password: the meter itself refuses the first write. */
    m = meter_with_two_sets();
    before = fx_tariff;
    o = options_for(m, 0);
    o.credentials = fx_credentials(2, 0x99);
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_PUSH, &plan, &o), PREPAY_OK);
    assert_int_equal(drive(m, &task, SIZE_MAX, 0, 0, &log), PREPAY_E_DLT645_ABNORMAL);
    assert_int_equal(log.writes, 1u);
    read_switch(m, when);
    assert_memory_equal(when, switch_before, 5);
    before.revision = fx_tariff.revision;
    assert_memory_equal(&before, &fx_tariff, sizeof fx_tariff);
}

/* Garbage in place of each reply in turn, of each kind: an error, nothing after it, set 1 untouched, no switch-over. */
static void test_garbage_at_every_step(void **state)
{
    (void)state;
    prepay_tariff_t plan_tariff;
    make_plan(&plan_tariff, 5680);
    prepay_dlt645_tariff_tables_t plan;
    assert_int_equal(prepay_dlt645_tariff_compile(&plan_tariff, &plan, NULL), PREPAY_OK);
    drive_log_t clean;
    prepay_meter_t *m0 = meter_with_two_sets();
    prepay_tariff_push_options_t o0 = options_for(m0, 0);
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_PUSH, &plan, &o0), PREPAY_OK);
    assert_int_equal(drive(m0, &task, SIZE_MAX, 0, 0, &clean), PREPAY_OK);
    size_t total = clean.exchanges;
    assert_true(total > 30u);
    uint32_t seed = 12345u;
    for (size_t at = 0; at < total; at++) {
        for (unsigned kind = 0; kind < 4; kind++) {
            seed = seed * 1103515245u + 12345u;
            size_t len = kind == 3 ? (size_t)(seed >> 16) % 43u : 0u;
            prepay_meter_t *m = meter_with_two_sets();
            before = fx_tariff;
            uint8_t switch_before[5];
            read_switch(m, switch_before);
            prepay_tariff_push_options_t o = options_for(m, 0);
            assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_PUSH, &plan, &o), PREPAY_OK);
            drive_log_t log;
            int status = drive(m, &task, at, kind, len, &log);
            const prepay_tariff_push_result_t *r = prepay_tariff_push_result(&task);
            assert_int_equal(log.set1_writes, 0);
            before.revision = fx_tariff.revision;
            assert_memory_equal(&before, &fx_tariff, sizeof fx_tariff);
            if (kind == 3 && log.garbage_on_write) {
                /* A write "acknowledged" with bytes the task does not read, but never sent: the read-back
                 * finds it missing (or the meter refuses what depends on it); only a lost switch-over
                 * write of 04000106/07/09 goes unnoticed (they are not read back). */
                if (status == PREPAY_OK) {
                    assert_true(r->switch_written);
                    continue;
                }
                assert_true(status < 0);
            } else {
                assert_true(status < 0);
                assert_int_equal(log.exchanges, at + 1u); /* nothing sent after the garbage */
            }
            /* The switch-over time was not written unless the garbage came after all four. */
            uint8_t when[5];
            read_switch(m, when);
            assert_false(r->switch_written);
            assert_memory_equal(when, switch_before, 5); /* 04000108 is the last write of all */
        }
    }
}

static void test_arguments(void **state)
{
    (void)state;
    prepay_dlt645_tariff_tables_t plan;
    assert_int_equal(prepay_dlt645_tariff_compile(&fx_tariff, &plan, NULL), PREPAY_OK);
    prepay_tariff_push_options_t o;
    memset(&o, 0, sizeof o);
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_tariff_push_init(NULL, PREPAY_TARIFF_PUSH_MODE_PUSH, &plan, &o), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_push_init(&task, (prepay_tariff_push_mode_t)7, &plan, &o), PREPAY_E_INVALID_ARGUMENT);
    o.verify_set = 3;
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_VERIFY, &plan, &o), PREPAY_E_INVALID_ARGUMENT);
    o.verify_set = 0;
    o.has_switch_at = true;
    o.switch_at = fx_time(2100, 1, 1, 0, 0, 0);
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_PUSH, &plan, &o), PREPAY_E_OUT_OF_RANGE);
    o.has_switch_at = false;
    prepay_dlt645_tariff_tables_t bad = plan;
    bad.tariff_count = 0;
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_PUSH, &bad, &o), PREPAY_E_DLT645_TARIFF_TABLES);
    assert_int_equal(prepay_tariff_push_init(&task, PREPAY_TARIFF_PUSH_MODE_PUSH, &plan, &o), PREPAY_OK);
    prepay_station_result_t res;
    memset(&res, 0, sizeof res);
    /* A reply before any request; then no reply after one. */
    assert_int_equal(prepay_tariff_push_step(&task, &res, NULL, 0, &req), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_push_step(&task, NULL, NULL, 0, &req), PREPAY_TARIFF_PUSH_EXCHANGE);
    assert_int_equal(req.di, PREPAY_DI_DATE);
    assert_int_equal(prepay_tariff_push_step(&task, NULL, NULL, 0, &req), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_push_step(NULL, &res, NULL, 0, &req), PREPAY_E_INVALID_ARGUMENT);
    assert_null(prepay_tariff_push_result(NULL));
    assert_string_equal(prepay_tariff_push_phase_name(PREPAY_TARIFF_PUSH_WRITE), "write set 2");
    assert_string_equal(prepay_tariff_push_phase_name(99), "unknown phase");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_with_set_1_in_force),
        cmocka_unit_test(test_push_with_set_2_in_force_promotes),
        cmocka_unit_test(test_verify_differences),
        cmocka_unit_test(test_refusal_mid_write),
        cmocka_unit_test(test_garbage_at_every_step),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
