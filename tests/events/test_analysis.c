/* SPDX-License-Identifier: MIT */
/*
 * Station-side analysis: the hand-worked site of tests/vectors/analysis_site.txt
 * (every rule fires, with its evidence and score), and bad input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "events_test_util.h"

#define MAX_METERS 8
#define MAX_READINGS 128
#define MAX_EVENTS 16

static size_t parse_list(const char *text, long *out, size_t cap)
{
    size_t n = 0;
    char *end;
    for (long v = strtol(text, &end, 10); end != text && n < cap; v = strtol(text, &end, 10)) {
        out[n++] = v;
        text = end;
    }
    return n;
}

typedef struct site {
    prepay_analysis_meter_t meters[MAX_METERS];
    size_t meter_count;
    prepay_analysis_reading_t readings[MAX_READINGS];
    size_t reading_count;
    prepay_analysis_event_t events[MAX_EVENTS];
    size_t event_count;
    prepay_analysis_suspicion_t expect[16];
    size_t expect_count;
} site_t;

static prepay_time_t at(long day, long hour)
{
    return ev_time(2024, 3, 1, 0, 0, 0) + day * 86400 + hour * 3600;
}

static void load_site(site_t *s)
{
    memset(s, 0, sizeof *s);
    tv_file_t file;
    tv_load("analysis_site.txt", &file);
    for (size_t r = 0; r < file.count; r++) {
        const tv_record_t *rec = &file.records[r];
        long v[16];
        if (strcmp(rec->kind, "meter") == 0) {
            prepay_analysis_meter_t *m = &s->meters[s->meter_count++];
            m->meter = (uint32_t)atol(tv_need(rec, "id"));
            m->group = (uint32_t)atol(tv_need(rec, "group"));
            m->role = (uint8_t)atoi(tv_need(rec, "role"));
            m->consumption_only = (uint8_t)atoi(tv_need(rec, "consumption_only"));
            long fwd[16], rev[16], cur[16];
            size_t n = parse_list(tv_need(rec, "forward"), fwd, 16);
            const char *rt = tv_get(rec, "reverse");
            const char *ct = tv_get(rec, "current");
            if (rt != NULL) {
                assert_int_equal(parse_list(rt, rev, 16), n);
            }
            if (ct != NULL) {
                assert_int_equal(parse_list(ct, cur, 16), n);
            }
            for (size_t d = 0; d < n; d++) {
                prepay_analysis_reading_t *x = &s->readings[s->reading_count++];
                x->meter = m->meter;
                x->time = at((long)d, 0);
                x->forward = fwd[d];
                x->reverse = rt ? rev[d] : 0;
                x->current = ct ? (int32_t)cur[d] : -1;
            }
        } else if (strcmp(rec->kind, "event") == 0) {
            assert_int_equal(parse_list(tv_need(rec, "event"), v, 16), 4);
            prepay_analysis_event_t *e = &s->events[s->event_count++];
            e->meter = (uint32_t)v[0];
            e->kind = (uint8_t)v[1];
            e->start = at(v[2], v[3]);
        } else {
            assert_int_equal(parse_list(tv_need(rec, "expect"), v, 16), 9);
            prepay_analysis_suspicion_t *x = &s->expect[s->expect_count++];
            x->meter = (uint32_t)v[0];
            x->rule = (uint8_t)v[1];
            x->from = at(v[2], v[3]);
            x->to = at(v[4], v[5]);
            x->score = (int32_t)v[6];
            x->observed = v[7];
            x->expected = v[8];
        }
    }
    tv_free(&file);
}

static void test_site(void **unused)
{
    (void)unused;
    site_t s;
    load_site(&s);
    assert_int_equal(s.expect_count, 10);
    prepay_analysis_rules_t rules;
    assert_int_equal(prepay_analysis_rules_default(&rules), PREPAY_OK);
    prepay_analysis_suspicion_t out[32];
    size_t count = 0;
    assert_int_equal(prepay_analysis_run(&rules, s.meters, s.meter_count, s.readings, s.reading_count, s.events,
                                         s.event_count, out, 32, &count),
                     PREPAY_OK);
    for (size_t i = 0; i < count; i++) {
        printf("# %u rule %u score %d from %lld to %lld observed %lld expected %lld\n", out[i].meter, out[i].rule,
               out[i].score, (long long)out[i].from, (long long)out[i].to, (long long)out[i].observed,
               (long long)out[i].expected);
    }
    assert_int_equal(count, s.expect_count);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(out[i].meter, s.expect[i].meter);
        assert_int_equal(out[i].rule, s.expect[i].rule);
        assert_int_equal(out[i].from, s.expect[i].from);
        assert_int_equal(out[i].to, s.expect[i].to);
        assert_int_equal(out[i].score, s.expect[i].score);
        assert_int_equal(out[i].observed, s.expect[i].observed);
        assert_int_equal(out[i].expected, s.expect[i].expected);
    }
    /* Totals: meter 12 = 30 + 3 x 60; meter 20 = 60 + 50 + 40; master 1 = 3 x 20. */
    assert_int_equal(prepay_analysis_score(out, count, 12), 210);
    assert_int_equal(prepay_analysis_score(out, count, 20), 150);
    assert_int_equal(prepay_analysis_score(out, count, 1), 60);
    assert_int_equal(prepay_analysis_score(out, count, 11), 0);
    /* A short buffer: the count still tells how many there are. */
    assert_int_equal(prepay_analysis_run(&rules, s.meters, s.meter_count, s.readings, s.reading_count, s.events,
                                         s.event_count, out, 3, &count),
                     PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(count, 10);
    /* Rules are data: a weight of 0 switches a rule off. */
    rules.weight[PREPAY_ANALYSIS_AREA_LOSS] = 0;
    rules.weight[PREPAY_ANALYSIS_SHARE_DROP] = 0;
    assert_int_equal(prepay_analysis_run(&rules, s.meters, s.meter_count, s.readings, s.reading_count, s.events,
                                         s.event_count, out, 32, &count),
                     PREPAY_OK);
    assert_int_equal(count, 4);
}

static void test_bad_input(void **unused)
{
    (void)unused;
    site_t s;
    load_site(&s);
    prepay_analysis_rules_t rules;
    assert_int_equal(prepay_analysis_rules_default(&rules), PREPAY_OK);
    prepay_analysis_suspicion_t out[32];
    size_t count = 0;
    /* Out of order readings. */
    prepay_analysis_reading_t r = s.readings[1];
    s.readings[1] = s.readings[2];
    s.readings[2] = r;
    assert_int_equal(prepay_analysis_run(&rules, s.meters, s.meter_count, s.readings, s.reading_count, NULL, 0, out,
                                         32, &count),
                     PREPAY_E_ANALYSIS_ORDER);
    s.readings[2] = s.readings[1];
    s.readings[1] = r;
    /* A register going backwards. */
    s.readings[3].forward = 1;
    assert_int_equal(prepay_analysis_run(&rules, s.meters, s.meter_count, s.readings, s.reading_count, NULL, 0, out,
                                         32, &count),
                     PREPAY_E_ANALYSIS_REGISTER_BACKWARDS);
    s.readings[3].forward = 90000;
    /* An unknown meter, a bad event, bad rules. */
    s.readings[0].meter = 999;
    assert_int_equal(prepay_analysis_run(&rules, s.meters, s.meter_count, s.readings, s.reading_count, NULL, 0, out,
                                         32, &count),
                     PREPAY_E_ANALYSIS_BAD_INPUT);
    s.readings[0].meter = 1;
    s.events[0].kind = 200;
    assert_int_equal(prepay_analysis_run(&rules, s.meters, s.meter_count, s.readings, s.reading_count, s.events,
                                         s.event_count, out, 32, &count),
                     PREPAY_E_ANALYSIS_BAD_INPUT);
    rules.drop_ratio = 10001;
    assert_int_equal(prepay_analysis_run(&rules, s.meters, s.meter_count, s.readings, s.reading_count, NULL, 0, out,
                                         32, &count),
                     PREPAY_E_ANALYSIS_BAD_RULES);
    assert_int_equal(prepay_analysis_run(&rules, NULL, 1, NULL, 0, NULL, 0, out, 32, &count),
                     PREPAY_E_INVALID_ARGUMENT);
}

static void test_cursor(void **unused)
{
    (void)unused;
    prepay_analysis_cursor_t c;
    assert_int_equal(prepay_analysis_cursor_init(&c), PREPAY_OK);
    assert_int_equal(prepay_analysis_new_records(&c, 16, 3, 10), 3);
    assert_int_equal(prepay_analysis_new_records(&c, 16, 3, 10), 0);
    assert_int_equal(prepay_analysis_new_records(&c, 16, 20, 10), 10); /* 17 new, 10 kept by the meter */
    assert_int_equal(prepay_analysis_new_records(&c, 16, 2, 10), 2);    /* cleared meter: restart */
    assert_int_equal(prepay_analysis_new_records(&c, 96, 2, 10), PREPAY_E_INVALID_ARGUMENT);
    prepay_events_status_t st;
    memset(&st, 0, sizeof st);
    st.word[2] = 0x03;
    uint8_t handled[12] = {0}, out[12];
    handled[2] = 0x01;
    handled[3] = 0x01; /* not set in the word read: kept */
    assert_int_equal(prepay_analysis_reset_word(&st, handled, out), PREPAY_OK);
    assert_int_equal(out[2], 0xFE);
    assert_int_equal(out[3], 0xFF);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : "tests/vectors");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_site),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
