/* SPDX-License-Identifier: MIT */
/*
 * Load control: over-power and malignant-load vectors (tests/vectors/load_control.txt),
 * restore timer, daily cap and lock-out, the meter's seconds-based overload as
 * a mode, alarm mode, and bad input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "events_test_util.h"

static void test_vectors(void **unused)
{
    (void)unused;
    tv_file_t file;
    tv_load("load_control.txt", &file);
    size_t n = 0;
    for (size_t r = 0; r < file.count; r++) {
        const tv_record_t *rec = &file.records[r];
        prepay_lc_params_t p;
        assert_int_equal(prepay_lc_params_default(&p), PREPAY_OK);
        if (strcmp(rec->kind, "overpower") == 0) {
            p.limit_power = atoi(tv_need(rec, "limit"));
            p.over_cycles = (uint16_t)atoi(tv_need(rec, "over_cycles"));
        } else {
            p.pf_threshold = (uint16_t)atoi(tv_need(rec, "threshold"));
            p.step_power = atoi(tv_need(rec, "step"));
            const char *band = tv_get(rec, "band");
            if (band != NULL) {
                p.band_count = 1;
                assert_int_equal(sscanf(band, "%d %d", &p.band_low[0], &p.band_high[0]), 2);
            }
        }
        assert_int_equal(prepay_lc_params_check(&p), PREPAY_OK);
        prepay_lc_state_t st;
        assert_int_equal(prepay_lc_init(&st), PREPAY_OK);
        long expect = atol(tv_need(rec, "expect"));
        const char *text = tv_need(rec, "cycles");
        prepay_time_t t = ev_time(2024, 3, 1, 20, 0, 0);
        long cycle = 0, tripped_at = -1;
        int votes = -1;
        while (*text) {
            int pw, s, used;
            if (sscanf(text, " %d/%d%n", &pw, &s, &used) != 2) {
                break;
            }
            text += used;
            prepay_lc_decision_t d;
            assert_int_equal(prepay_lc_step(&st, &p, t + cycle, pw, s, &d), PREPAY_OK);
            if (d.action == PREPAY_LC_TRIP && tripped_at < 0) {
                tripped_at = cycle;
                votes = d.votes;
                assert_int_equal(d.reason, strcmp(rec->kind, "overpower") == 0 ? PREPAY_LC_REASON_OVER_POWER
                                                                                 : PREPAY_LC_REASON_MALIGNANT);
                assert_int_equal(d.restore_at, t + cycle + 300);
            }
            cycle++;
        }
        if (tripped_at != expect) {
            fail_msg("%s at line %d: tripped at cycle %ld, expected %ld", rec->kind, rec->line, tripped_at, expect);
        }
        if (expect >= 0 && tv_get(rec, "votes") != NULL) {
            assert_int_equal(votes, atoi(tv_need(rec, "votes")));
        }
        n++;
    }
    assert_int_equal(n, 8);
    tv_free(&file);
}

/* Trips after 3 consecutive cycles above 1000 W (over_cycles 2). */
static prepay_lc_action_t overload(prepay_lc_state_t *st, const prepay_lc_params_t *p, prepay_time_t *t)
{
    prepay_lc_decision_t d;
    for (int k = 0; k < 3; k++) {
        assert_int_equal(prepay_lc_step(st, p, (*t)++, 1500, 1500, &d), PREPAY_OK);
    }
    return (prepay_lc_action_t)d.action;
}

static void test_restore_cap_and_lockout(void **unused)
{
    (void)unused;
    prepay_lc_params_t p;
    assert_int_equal(prepay_lc_params_default(&p), PREPAY_OK);
    p.limit_power = 1000;
    p.over_cycles = 2;
    p.restore_seconds = 60;
    p.daily_restores = 3;
    prepay_lc_state_t st;
    assert_int_equal(prepay_lc_init(&st), PREPAY_OK);
    prepay_time_t t = ev_time(2024, 3, 1, 8, 0, 0);
    prepay_lc_decision_t d;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(overload(&st, &p, &t), PREPAY_LC_TRIP);
        prepay_time_t tripped = t - 1;
        /* While tripped nothing flows; 59 s later still open, 60 s later restored. */
        assert_int_equal(prepay_lc_step(&st, &p, tripped + 59, 0, 0, &d), PREPAY_OK);
        assert_int_equal(d.action, PREPAY_LC_NONE);
        assert_int_equal(prepay_lc_step(&st, &p, tripped + 60, 0, 0, &d), PREPAY_OK);
        assert_int_equal(d.action, PREPAY_LC_RESTORE);
        assert_int_equal(d.reason, PREPAY_LC_REASON_TIMER);
        t = tripped + 61;
    }
    /* Three automatic restores used today: the fourth trip locks out. */
    assert_int_equal(overload(&st, &p, &t), PREPAY_LC_LOCKOUT);
    assert_int_equal(prepay_lc_step(&st, &p, t + 3600, 0, 0, &d), PREPAY_OK);
    assert_int_equal(d.action, PREPAY_LC_NONE);
    assert_int_equal(st.locked, 1);
    assert_int_equal(prepay_lc_release(&st, &d), PREPAY_OK);
    assert_int_equal(d.action, PREPAY_LC_RESTORE);
    assert_int_equal(d.reason, PREPAY_LC_REASON_RELEASE);
    /* Still the same day: the cap stays used, the next trip locks out again. */
    t += 7200;
    assert_int_equal(overload(&st, &p, &t), PREPAY_LC_LOCKOUT);
    assert_int_equal(prepay_lc_release(&st, &d), PREPAY_OK);
    /* The next day the count starts again. */
    t = ev_time(2024, 3, 2, 8, 0, 0);
    assert_int_equal(overload(&st, &p, &t), PREPAY_LC_TRIP);
    assert_int_equal(st.trips, 6);
}

/* A restore timer that ends after 2136 (the longest delay from late 2099): the decision carries
 * the exact time; the state keeps it, or with PREPAY_RECORD_TIME32 keeps 2136-02-07 06:28:15
 * (UINT32_MAX s from 2000). Neither is reached: times end in 2099, the relay stays open. */
static void test_restore_beyond_32_bits(void **unused)
{
    (void)unused;
    prepay_lc_params_t p;
    assert_int_equal(prepay_lc_params_default(&p), PREPAY_OK);
    p.limit_power = 1000;
    p.over_cycles = 2;
    p.restore_seconds = UINT32_MAX;
    prepay_lc_state_t st;
    assert_int_equal(prepay_lc_init(&st), PREPAY_OK);
    prepay_time_t t = ev_time(2099, 12, 31, 23, 0, 0);
    assert_int_equal(overload(&st, &p, &t), PREPAY_LC_TRIP);
    prepay_time_t want = t - 1 + (prepay_time_t)UINT32_MAX;
    assert_int_equal(st.restore_at, PREPAY_RECORD_TIME32 ? (prepay_time_t)UINT32_MAX : want);
    prepay_lc_decision_t d;
    assert_int_equal(prepay_lc_step(&st, &p, ev_time(2099, 12, 31, 23, 59, 59), 0, 0, &d), PREPAY_OK);
    assert_int_equal(d.action, PREPAY_LC_NONE);
    assert_int_not_equal(st.tripped, 0);
}

/* The reference meter's overload: N seconds continuously above the limit, latched until released. */
static void test_meter_overload_mode(void **unused)
{
    (void)unused;
    prepay_lc_params_t p;
    assert_int_equal(prepay_lc_params_default(&p), PREPAY_OK);
    p.limit_power = 3000;
    p.over_cycles = 10 - 1; /* 10 s at one cycle a second */
    p.restore_seconds = 0;
    prepay_lc_state_t st;
    assert_int_equal(prepay_lc_init(&st), PREPAY_OK);
    prepay_time_t t = ev_time(2024, 3, 1, 8, 0, 0);
    prepay_lc_decision_t d;
    for (int s = 0; s < 10; s++) {
        /* Reverse power counts by magnitude, as the meter's overload does. */
        assert_int_equal(prepay_lc_step(&st, &p, t + s, s % 2 ? 3500 : -3500, 3500, &d), PREPAY_OK);
        assert_int_equal(d.action, s == 9 ? PREPAY_LC_TRIP : PREPAY_LC_NONE);
    }
    assert_int_equal(d.restore_at, 0);
    assert_int_equal(prepay_lc_step(&st, &p, t + 100000, 0, 0, &d), PREPAY_OK);
    assert_int_equal(d.action, PREPAY_LC_NONE);
    assert_int_equal(st.tripped, PREPAY_LC_REASON_OVER_POWER);
}

static void test_alarm_mode_and_bad_input(void **unused)
{
    (void)unused;
    prepay_lc_params_t p;
    assert_int_equal(prepay_lc_params_default(&p), PREPAY_OK);
    p.mode = PREPAY_LC_MODE_ALARM;
    p.limit_power = 1000;
    p.over_cycles = 1;
    prepay_lc_state_t st;
    assert_int_equal(prepay_lc_init(&st), PREPAY_OK);
    prepay_time_t t = ev_time(2024, 3, 1, 8, 0, 0);
    prepay_lc_decision_t d;
    assert_int_equal(prepay_lc_step(&st, &p, t, 1200, 1200, &d), PREPAY_OK);
    assert_int_equal(d.action, PREPAY_LC_NONE);
    assert_int_equal(prepay_lc_step(&st, &p, t + 1, 1200, 1200, &d), PREPAY_OK);
    assert_int_equal(d.action, PREPAY_LC_ALARM);
    assert_int_equal(prepay_lc_step(&st, &p, t + 2, 1200, 1200, &d), PREPAY_OK);
    assert_int_equal(d.action, PREPAY_LC_NONE); /* one alarm per episode */
    assert_int_equal(st.tripped, 0);
    prepay_lc_state_t before = st;
    assert_int_equal(prepay_lc_step(&st, &p, t + 1, 0, 0, &d), PREPAY_E_EVENTS_TIME_ORDER);
    assert_int_equal(prepay_lc_step(&st, &p, t + 3, 0, -1, &d), PREPAY_E_EVENTS_BAD_SAMPLE);
    p.daily_restores = 6;
    assert_int_equal(prepay_lc_step(&st, &p, t + 3, 0, 0, &d), PREPAY_E_EVENTS_BAD_PARAMETER);
    assert_memory_equal(&st, &before, sizeof st);
    assert_int_equal(prepay_lc_params_default(&p), PREPAY_OK);
    p.step_power = 500;
    p.pf_threshold = 500; /* must be above 0.500 */
    assert_int_equal(prepay_lc_params_check(&p), PREPAY_E_EVENTS_BAD_PARAMETER);
    p.pf_threshold = 1000;
    assert_int_equal(prepay_lc_params_check(&p), PREPAY_E_EVENTS_BAD_PARAMETER);
    p.pf_threshold = 900;
    p.band_count = 1;
    p.band_low[0] = 2000;
    p.band_high[0] = 1000;
    assert_int_equal(prepay_lc_params_check(&p), PREPAY_E_EVENTS_CONTRADICTION);
    p.band_count = 7;
    assert_int_equal(prepay_lc_params_check(&p), PREPAY_E_EVENTS_BAD_PARAMETER);
    /* Incremental PF for evidence: 1000 / 1010 = 0.990; capped; none for no step. */
    assert_int_equal(prepay_lc_incremental_pf(1000, 1010), 990);
    assert_int_equal(prepay_lc_incremental_pf(1000, -1010), 990);
    assert_int_equal(prepay_lc_incremental_pf(1000, 0), 1000);
    assert_int_equal(prepay_lc_incremental_pf(1000, 900), 1000);
    assert_int_equal(prepay_lc_incremental_pf(-5, 10), 0);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : "tests/vectors");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_restore_cap_and_lockout),
        cmocka_unit_test(test_meter_overload_mode),
        cmocka_unit_test(test_alarm_mode_and_bad_input),
        cmocka_unit_test(test_restore_beyond_32_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
