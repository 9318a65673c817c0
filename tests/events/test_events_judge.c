/* SPDX-License-Identifier: MIT */
/*
 * Event judgement: the known-answer scenarios of
 * tests/vectors/events_judge.txt (onset after the exact delay, recovery,
 * limits, exemptions), plus bad input that must change nothing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "events_test_util.h"

typedef struct segment {
    long from;
    int32_t u[3], i[3], p[3];
    int pf, flags;
} segment_t;

static void parse_segment(const char *text, segment_t *s)
{
    int n = sscanf(text, "%ld U=%d,%d,%d I=%d,%d,%d P=%d,%d,%d PF=%d F=%d", &s->from, &s->u[0], &s->u[1], &s->u[2],
                   &s->i[0], &s->i[1], &s->i[2], &s->p[0], &s->p[1], &s->p[2], &s->pf, &s->flags);
    assert_int_equal(n, 12);
}

static prepay_events_wiring_t parse_wiring(const char *text)
{
    if (strcmp(text, "single") == 0) {
        return PREPAY_EVENTS_WIRING_SINGLE;
    }
    if (strcmp(text, "3p3w") == 0) {
        return PREPAY_EVENTS_WIRING_3P3W;
    }
    assert_string_equal(text, "3p4w");
    return PREPAY_EVENTS_WIRING_3P4W;
}

/* Whether an expectation is checked in this configuration. */
static bool checked(int kind, int phase)
{
    return PREPAY_EVENTS_PHASES == 3 || (kind < (int)PREPAY_EVENTS_SINGLE_PHASE_KINDS && phase <= 1);
}

/* Runs a scenario; returns false if it does not apply to this configuration. */
static bool run_scenario(const tv_record_t *rec)
{
    const char *single = tv_get(rec, "single");
    if (PREPAY_EVENTS_PHASES == 1 && (single == NULL || strcmp(single, "yes") != 0)) {
        return false;
    }
    prepay_events_params_t params;
    ev_params(&params, PREPAY_EVENTS_PHASES == 1 ? PREPAY_EVENTS_WIRING_SINGLE : parse_wiring(tv_need(rec, "wiring")));
    long seconds = atol(tv_need(rec, "seconds"));
    segment_t segs[8];
    size_t nseg = 0;
    for (int k = 1; k <= 8; k++) {
        char key[16];
        snprintf(key, sizeof key, "segment%d", k);
        const char *v = tv_get(rec, key);
        if (v == NULL) {
            break;
        }
        parse_segment(v, &segs[nseg++]);
    }
    assert_true(nseg > 0 && segs[0].from == 0);
    struct {
        int kind, phase;
        long start, end, count;
    } expect[8];
    size_t nexp = 0;
    for (int k = 1; k <= 8; k++) {
        char key[16];
        snprintf(key, sizeof key, "expect%d", k);
        const char *v = tv_get(rec, key);
        if (v == NULL) {
            break;
        }
        assert_int_equal(sscanf(v, "%d %d %ld %ld %ld", &expect[nexp].kind, &expect[nexp].phase, &expect[nexp].start,
                                &expect[nexp].end, &expect[nexp].count),
                         5);
        if (checked(expect[nexp].kind, expect[nexp].phase)) {
            nexp++;
        }
    }
    prepay_events_state_t st;
    assert_int_equal(prepay_events_init(&st), PREPAY_OK);
    const prepay_time_t t0 = ev_time(2024, 3, 1, 0, 0, 0);
    size_t seg = 0;
    for (long s = 0; s < seconds; s++) {
        while (seg + 1 < nseg && segs[seg + 1].from <= s) {
            seg++;
        }
        prepay_events_sample_t x;
        memset(&x, 0, sizeof x);
        x.time = t0 + s;
        x.power_total = 0;
        for (unsigned ph = 0; ph < PREPAY_EVENTS_PHASES; ph++) {
            x.voltage[ph] = segs[seg].u[ph];
            x.current[ph] = segs[seg].i[ph];
            x.power[ph] = segs[seg].p[ph];
            x.power_total += segs[seg].p[ph];
        }
        x.power_factor = (int16_t)segs[seg].pf;
        x.flags = (uint8_t)segs[seg].flags;
        x.forward = 1000000 + s;
        x.reverse = 500;
        int r = prepay_events_sample(&st, &params, &x);
        if (r < 0) {
            fail_msg("%s: sample at %ld: %s", tv_need(rec, "name"), s, prepay_strerror(r));
        }
        for (size_t e = 0; e < nexp; e++) {
            bool want = expect[e].count > 0 && s >= expect[e].start && (expect[e].end < 0 || s < expect[e].end);
            int got = prepay_events_active(&st, (prepay_events_kind_t)expect[e].kind, (unsigned)expect[e].phase);
            if (got != (want ? 1 : 0)) {
                fail_msg("%s: kind %d phase %d at %ld: active %d, expected %d", tv_need(rec, "name"),
                         expect[e].kind, expect[e].phase, s, got, want);
            }
        }
    }
    for (size_t e = 0; e < nexp; e++) {
        uint32_t count = 0, secs = 0;
        assert_int_equal(
            prepay_events_counts(&st, (prepay_events_kind_t)expect[e].kind, (unsigned)expect[e].phase, &count, &secs),
            PREPAY_OK);
        assert_int_equal(count, expect[e].count);
        if (expect[e].count == 0) {
            continue;
        }
        prepay_events_record_t r;
        assert_int_equal(
            prepay_events_record(&st, (prepay_events_kind_t)expect[e].kind, (unsigned)expect[e].phase, 1, &r),
            PREPAY_OK);
        assert_int_equal(r.start, t0 + expect[e].start);
        if (expect[e].end >= 0) {
            assert_int_equal(r.end, t0 + expect[e].end);
            /* Cumulative duration = end - start; energies at start and end in 0.01 kWh (truncated). */
            assert_int_equal(secs, expect[e].end - expect[e].start);
            assert_int_equal(r.forward_start, (1000000 + expect[e].start) / 10);
#if PREPAY_EVENTS_END_ENERGY
            assert_int_equal(r.forward_end, (1000000 + expect[e].end) / 10);
#endif
        } else {
            assert_int_equal(r.end, 0);
        }
    }
    return true;
}

static void test_scenarios(void **unused)
{
    (void)unused;
    tv_file_t file;
    tv_load("events_judge.txt", &file);
    size_t n = 0;
    for (size_t i = 0; i < file.count; i++) {
        if (strcmp(file.records[i].kind, "scenario") == 0 && run_scenario(&file.records[i])) {
            n++;
        }
    }
    assert_int_equal(n, PREPAY_EVENTS_PHASES == 3 ? 11 : 8);
    tv_free(&file);
}

static void test_bad_samples_change_nothing(void **unused)
{
    (void)unused;
    /* Loss of voltage on a three-phase meter, under-voltage on a single-phase one: 170.0 V is both. */
    const prepay_events_kind_t kind = PREPAY_EVENTS_PHASES == 3 ? PREPAY_EVENTS_LOSS_OF_VOLTAGE : PREPAY_EVENTS_UNDER_VOLTAGE;
    prepay_events_params_t p;
    ev_params(&p, PREPAY_EVENTS_PHASES == 3 ? PREPAY_EVENTS_WIRING_3P4W : PREPAY_EVENTS_WIRING_SINGLE);
    prepay_events_state_t st, before;
    assert_int_equal(prepay_events_init(&st), PREPAY_OK);
    prepay_time_t t0 = ev_time(2024, 3, 1, 0, 0, 0);
    prepay_events_sample_t x;
    /* 30 s into a loss of voltage on phase A: the pending judgement must survive bad samples. */
    for (int s = 0; s < 30; s++) {
        ev_sample(&x, t0 + s, 2200, 1500, 3300);
        x.voltage[0] = 1700;
        assert_true(prepay_events_sample(&st, &p, &x) >= 0);
    }
    before = st;
    ev_sample(&x, t0 + 30, -1, 1500, 3300);
    assert_int_equal(prepay_events_sample(&st, &p, &x), PREPAY_E_EVENTS_BAD_SAMPLE);
    ev_sample(&x, t0 + 30, 10000, 1500, 3300);
    assert_int_equal(prepay_events_sample(&st, &p, &x), PREPAY_E_EVENTS_BAD_SAMPLE);
    ev_sample(&x, t0 + 30, 2200, 1000000, 3300);
    assert_int_equal(prepay_events_sample(&st, &p, &x), PREPAY_E_EVENTS_BAD_SAMPLE);
    ev_sample(&x, t0 + 30, 2200, 1500, 3300);
    x.power_factor = 1001;
    assert_int_equal(prepay_events_sample(&st, &p, &x), PREPAY_E_EVENTS_BAD_SAMPLE);
    ev_sample(&x, t0 + 30, 2200, 1500, 3300);
    x.flags = 0x80;
    assert_int_equal(prepay_events_sample(&st, &p, &x), PREPAY_E_EVENTS_BAD_SAMPLE);
    /* A clock that jumps backwards without a clock change. */
    ev_sample(&x, t0 + 10, 1700, 1500, 3300);
    assert_int_equal(prepay_events_sample(&st, &p, &x), PREPAY_E_EVENTS_TIME_ORDER);
    ev_sample(&x, -5, 1700, 1500, 3300);
    assert_int_equal(prepay_events_sample(&st, &p, &x), PREPAY_E_BAD_DATE);
    assert_memory_equal(&st, &before, sizeof st);
    /* A clock change backwards is recorded and keeps the 29 s already observed (first sample at t0, last at
     * t0 + 29): the sample s + 1 seconds after the change has 30 + s seconds observed, 60 at s = 30. */
    prepay_time_t back = t0 - 3600;
    assert_int_equal(prepay_events_clock_changed(&st, t0 + 29, back, 0x01020304u, 1000, 0), PREPAY_OK);
    for (int s = 0; s <= 30; s++) {
        ev_sample(&x, back + 1 + s, 2200, 1500, 3300);
        x.voltage[0] = 1700;
        assert_true(prepay_events_sample(&st, &p, &x) >= 0);
        assert_int_equal(prepay_events_active(&st, kind, 1), s >= 30 ? 1 : 0);
    }
    prepay_events_record_t r;
    assert_int_equal(prepay_events_record(&st, PREPAY_EVENTS_CLOCK_CHANGE, 0, 1, &r), PREPAY_OK);
    assert_int_equal(r.start, t0 + 29);
    assert_int_equal(r.end, back);
    assert_int_equal(r.operator_code, 0x01020304u);
}

static void test_outage_and_programming(void **unused)
{
    (void)unused;
    prepay_events_params_t p;
    ev_params(&p, PREPAY_EVENTS_PHASES == 3 ? PREPAY_EVENTS_WIRING_3P4W : PREPAY_EVENTS_WIRING_SINGLE);
    prepay_events_state_t st;
    assert_int_equal(prepay_events_init(&st), PREPAY_OK);
    prepay_time_t t0 = ev_time(2024, 3, 1, 0, 0, 0);
    /* 59 s asleep is not a power-down (delay 60 s); 60 s is. */
    assert_int_equal(prepay_events_outage(&st, &p, t0, t0 + 59, 1000, 0), 0);
    assert_int_equal(prepay_events_outage(&st, &p, t0 + 100, t0 + 160, 1230, 0), 1);
    assert_int_equal(prepay_events_outage(&st, &p, t0 + 150, t0 + 300, 1230, 0), PREPAY_E_EVENTS_TIME_ORDER);
    uint32_t count, secs;
    assert_int_equal(prepay_events_counts(&st, PREPAY_EVENTS_POWER_DOWN, 0, &count, &secs), PREPAY_OK);
    assert_int_equal(count, 1);
    assert_int_equal(secs, 60);
    assert_int_equal(prepay_events_programmed(&st, t0 + 200, 0x04090101u, 0xAABBCCDDu, 1230, 0), PREPAY_OK);
    prepay_events_record_t r;
    assert_int_equal(prepay_events_record(&st, PREPAY_EVENTS_PROGRAMMING, 0, 1, &r), PREPAY_OK);
    assert_int_equal(r.detail, 0x04090101u);
    assert_int_equal(r.forward_start, 123);
    assert_int_equal(prepay_events_refuse(&st, t0 + 201, 0x04090104u, 0x11u, PREPAY_E_EVENTS_BAD_PARAMETER),
                     PREPAY_OK);
    assert_int_equal(st.refused_count, 1);
    assert_int_equal(st.refused_last.di, 0x04090104u);
    assert_int_equal(prepay_events_clear(&st, -1), PREPAY_OK);
    assert_int_equal(prepay_events_counts(&st, PREPAY_EVENTS_PROGRAMMING, 0, &count, NULL), PREPAY_OK);
    assert_int_equal(count, 0);
    assert_int_equal(prepay_events_record(&st, PREPAY_EVENTS_PROGRAMMING, 0, 1, &r), PREPAY_E_NOT_FOUND);
    assert_int_equal(prepay_events_clear(&st, 99), PREPAY_E_INVALID_ARGUMENT);
}

static void test_record_ring_keeps_newest(void **unused)
{
    (void)unused;
    prepay_events_state_t st;
    assert_int_equal(prepay_events_init(&st), PREPAY_OK);
    prepay_time_t t0 = ev_time(2024, 3, 1, 0, 0, 0);
    for (uint32_t k = 1; k <= PREPAY_MAX_EVENT_RECORDS + 3u; k++) {
        assert_int_equal(prepay_events_programmed(&st, t0 + k, 0x04000100u + k, 0, 0, 0), PREPAY_OK);
    }
    prepay_events_record_t r;
    assert_int_equal(prepay_events_record(&st, PREPAY_EVENTS_PROGRAMMING, 0, 1, &r), PREPAY_OK);
    assert_int_equal(r.detail, 0x04000100u + PREPAY_MAX_EVENT_RECORDS + 3u);
    assert_int_equal(prepay_events_record(&st, PREPAY_EVENTS_PROGRAMMING, 0, PREPAY_MAX_EVENT_RECORDS, &r), PREPAY_OK);
    assert_int_equal(r.detail, 0x04000100u + 4u);
    uint32_t count;
    assert_int_equal(prepay_events_counts(&st, PREPAY_EVENTS_PROGRAMMING, 0, &count, NULL), PREPAY_OK);
    assert_int_equal(count, PREPAY_MAX_EVENT_RECORDS + 3u);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : "tests/vectors");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenarios),
        cmocka_unit_test(test_bad_samples_change_nothing),
        cmocka_unit_test(test_outage_and_programming),
        cmocka_unit_test(test_record_ring_keeps_newest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
