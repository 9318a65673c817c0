/* SPDX-License-Identifier: MIT */
/*
 * Reference meter: the bound on broadcast time syncs (policy as data, with a
 * refusal recorded as an event) and the check of a meter restored from
 * storage (prepay_meter_check_state). Expected values are worked by hand
 * from the fixture (a meter at 2024-03-01 00:00:00, limit 300 s by default).
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_fixtures.h"

static void sync_to(prepay_meter_t *m, prepay_time_t t)
{
    prepay_dlt645_frame_t req;
    assert_int_equal(prepay_dlt645_request_broadcast_time(&req, t), PREPAY_OK);
    uint8_t wire[PREPAY_DLT645_FRAME_MAX], out[PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(&req, wire, sizeof wire);
    assert_true(n > 0);
    assert_int_equal(prepay_meter_handle(m, m->clock, wire, (size_t)n, out, sizeof out), 0);
}

static void test_default_limit_and_check(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    prepay_time_t t0 = m->clock;
    assert_int_equal(m->time_sync_limit, PREPAY_METER_TIME_SYNC_LIMIT);
    assert_int_equal(prepay_meter_check_time_sync(m, t0 + 300), PREPAY_OK);
    assert_int_equal(prepay_meter_check_time_sync(m, t0 - 300), PREPAY_OK);
    assert_int_equal(prepay_meter_check_time_sync(m, t0 + 301), PREPAY_E_METER_TIME_SYNC_REFUSED);
    assert_int_equal(prepay_meter_check_time_sync(m, t0 - 301), PREPAY_E_METER_TIME_SYNC_REFUSED);
    /* 2100-01-01 cannot be carried by DL/T 645 (YY): out of range whatever the limit. */
    assert_int_equal(prepay_meter_check_time_sync(m, fx_time(2100, 1, 1, 0, 0, 0)), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_meter_check_time_sync(NULL, t0), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_meter_set_time_sync_limit(m, -1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(m->time_sync_limit, PREPAY_METER_TIME_SYNC_LIMIT);
}

static void test_wrong_year_refused_and_recorded(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    prepay_time_t t0 = m->clock;
    /* A master that sends the bytes year-first: 2043 instead of 2024. */
    prepay_time_t wrong = fx_time(2043, 1, 3, 0, 24, 0);
    sync_to(m, wrong);
    assert_int_equal(m->clock, t0);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_TIME_SYNC_REFUSED], 1);
    const prepay_meter_record_t *r = &m->records[(m->record_next + PREPAY_METER_EVENT_RECORDS - 1) %
                                                 PREPAY_METER_EVENT_RECORDS];
    assert_int_equal(r->kind, PREPAY_METER_EVENT_TIME_SYNC_REFUSED);
    assert_int_equal(r->start, t0);
    assert_int_equal(r->end, wrong);
    /* Within the limit: applied, and nothing recorded. */
    sync_to(m, t0 + 200);
    assert_int_equal(m->clock, t0 + 200);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_TIME_SYNC_REFUSED], 1);
    /* A limit beyond 32 bits (kept as UINT32_MAX with PREPAY_RECORD_TIME32): a correction across
     * the whole range 2000..2099 is still within it, and the limit is not "any" (0). */
    assert_int_equal(prepay_meter_set_time_sync_limit(m, INT64_MAX), PREPAY_OK);
    assert_true(m->time_sync_limit == (PREPAY_RECORD_TIME32 ? (int64_t)UINT32_MAX : INT64_MAX));
    sync_to(m, fx_time(2000, 1, 1, 0, 0, 1));
    assert_int_equal(m->clock, fx_time(2000, 1, 1, 0, 0, 1));
    assert_int_equal(prepay_meter_set_time_sync_limit(m, (int64_t)UINT32_MAX + 1), PREPAY_OK);
    assert_true(m->time_sync_limit != 0);
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_TIME_SYNC_REFUSED], 1);
}

static void test_repeated_refusals_keep_older_records(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, true), PREPAY_OK);
    for (int i = 0; i < 3 * PREPAY_METER_EVENT_RECORDS; i++) {
        sync_to(m, fx_time(2090, 1, 1, 0, 0, i % 60));
    }
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_TIME_SYNC_REFUSED], 3 * PREPAY_METER_EVENT_RECORDS);
    /* The cover-open record is still in the ring: the refusals share one record. */
    int cover = 0, refused = 0;
    for (size_t i = 0; i < PREPAY_METER_EVENT_RECORDS; i++) {
        cover += m->records[i].used && m->records[i].kind == PREPAY_METER_EVENT_COVER_OPEN;
        refused += m->records[i].used && m->records[i].kind == PREPAY_METER_EVENT_TIME_SYNC_REFUSED;
    }
    assert_int_equal(cover, 1);
    assert_int_equal(refused, 1);
}

static void test_limit_is_data(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    prepay_time_t t0 = m->clock;
    assert_int_equal(prepay_meter_set_time_sync_limit(m, 7 * 86400), PREPAY_OK);
    sync_to(m, t0 + 7 * 86400);
    assert_int_equal(m->clock, t0 + 7 * 86400);
    sync_to(m, t0 + 14 * 86400 + 1);
    assert_int_equal(m->clock, t0 + 7 * 86400);
    /* 0 accepts any correction (a bench meter with no policy). */
    assert_int_equal(prepay_meter_set_time_sync_limit(m, 0), PREPAY_OK);
    sync_to(m, fx_time(2099, 12, 31, 23, 59, 59));
    assert_int_equal(m->clock, fx_time(2099, 12, 31, 23, 59, 59));
    assert_int_equal(m->event_counts[PREPAY_METER_EVENT_TIME_SYNC_REFUSED], 1);
}

static void test_check_state_accepts_a_live_meter(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(1500);
    assert_int_equal(prepay_meter_advance(m, 36 * 3600 + 17, &load), PREPAY_OK);
    assert_int_equal(prepay_meter_report(m, PREPAY_METER_CONDITION_COVER_OPEN, true), PREPAY_OK);
    const char *member = "unset";
    assert_int_equal(prepay_meter_check_state(m, &member), PREPAY_OK);
    assert_null(member);
    assert_int_equal(prepay_meter_check_state(NULL, NULL), PREPAY_E_INVALID_ARGUMENT);
}

/* Each forged member is caught, and named. */
static void test_check_state_names_each_forged_member(void **state)
{
    (void)state;
    prepay_meter_t *m = fx_setup();
    assert_int_equal(prepay_meter_recharge(m, m->clock, 10000, 1), PREPAY_OK);
    prepay_meter_load_t load = fx_constant(800);
    assert_int_equal(prepay_meter_advance(m, 2 * 86400, &load), PREPAY_OK);
    static prepay_meter_t good, bad;
    good = *m;
    const char *member;
#define EXPECT_BAD(name, statement)                                                                                    \
    do {                                                                                                               \
        bad = good;                                                                                                    \
        statement;                                                                                                     \
        member = NULL;                                                                                                 \
        assert_int_equal(prepay_meter_check_state(&bad, &member), PREPAY_E_METER_BAD_STATE);                          \
        assert_non_null(member);                                                                                       \
        assert_string_equal(member, name);                                                                             \
    } while (0)
    EXPECT_BAD("magic", bad.magic = 0);
    EXPECT_BAD("address", bad.address.bytes[2] = 0x1A);
    EXPECT_BAD("address", memset(bad.address.bytes, 0x99, 6));
    EXPECT_BAD("mode", bad.mode = 2);
    EXPECT_BAD("relay", bad.relay = 0x80);
    EXPECT_BAD("alarm_level", bad.alarm_level = 200);
    EXPECT_BAD("wallet", bad.wallet.flags = 0xC0);
    EXPECT_BAD("programming_key", bad.programming_key = 7);
    EXPECT_BAD("baud_feature", bad.baud_feature = 0x03);
    EXPECT_BAD("settlement_day", bad.settlement_day = 29);
    EXPECT_BAD("settlement_day", bad.settlement_hour = 24);
    EXPECT_BAD("freeze_pattern", bad.freeze_pattern[0] = 0x60);
    EXPECT_BAD("password_failure_day", bad.password_failure_day = -2);
    EXPECT_BAD("clock", bad.clock = -1);
    EXPECT_BAD("clock", bad.clock = fx_time(2100, 1, 1, 0, 0, 0));
    EXPECT_BAD("overload_since", bad.overload_since = bad.clock + 1);
    EXPECT_BAD("power_limit", bad.power_limit = -5);
    EXPECT_BAD("switch_time", bad.switch_time[2] = -7);
#if !PREPAY_RECORD_TIME32 /* unsigned in 32 bits: every value is a limit */
    EXPECT_BAD("time_sync_limit", bad.time_sync_limit = -1);
#endif
    EXPECT_BAD("tariff_state", bad.tariff_state.flags = 0xF0);
    EXPECT_BAD("unpriced", bad.unpriced = -1);
    EXPECT_BAD("energy registers", bad.forward[1] = bad.forward[0] + 1);
    EXPECT_BAD("energy registers", bad.reverse[0] = -1);
    EXPECT_BAD("energy remainder", bad.forward_remainder = 3600);
    EXPECT_BAD("purse parameters", bad.purse.alarm2 = bad.purse.alarm1);
    EXPECT_BAD("purse history", bad.purse.purchase_total = -1);
    EXPECT_BAD("conditions", bad.conditions = 0x80);
    EXPECT_BAD("record_next", bad.record_next = PREPAY_METER_EVENT_RECORDS);
    EXPECT_BAD("records", (bad.records[0].used = 1, bad.records[0].kind = PREPAY_METER_EVENT_COUNT));
    EXPECT_BAD("daily", bad.daily[0].time = -3);
    EXPECT_BAD("settlement", bad.settlement[0].time = fx_time(2100, 1, 1, 0, 0, 0));
    EXPECT_BAD("instant_freeze", bad.instant_freeze.time = -1);
#undef EXPECT_BAD
    assert_int_equal(prepay_meter_check_state(&good, NULL), PREPAY_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_limit_and_check),
        cmocka_unit_test(test_wrong_year_refused_and_recorded),
        cmocka_unit_test(test_repeated_refusals_keep_older_records),
        cmocka_unit_test(test_limit_is_data),
        cmocka_unit_test(test_check_state_accepts_a_live_meter),
        cmocka_unit_test(test_check_state_names_each_forged_member),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
