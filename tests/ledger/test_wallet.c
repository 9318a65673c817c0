/* SPDX-License-Identifier: MIT */
/*
 * Known-answer tests of the wallet policy (vectors: tests/vectors/wallet_policy.txt)
 * plus properties: hysteresis never flaps, the relay priority holds for
 * every combination of commands, decide() is pure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ledger_script.h"
#include "prepay/status.h"
#include "prepay/wallet.h"
#include "test_support.h"

static const char *get_or(const tv_record_t *r, const char *key, const char *fallback)
{
    const char *v = tv_get(r, key);
    return v ? v : fallback;
}

static uint32_t parse_names(const char *text, const char *const *names, const uint32_t *values, size_t n)
{
    uint32_t out = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *tok = strtok(buf, "|, "); tok != NULL; tok = strtok(NULL, "|, ")) {
        if (strcmp(tok, "none") == 0) {
            continue;
        }
        size_t i = 0;
        while (i < n && strcmp(names[i], tok) != 0) {
            i++;
        }
        if (i == n) {
            fail_msg("unknown name '%s'", tok);
        }
        out |= values[i];
    }
    return out;
}

static uint32_t parse_events(const char *text)
{
    static const char *const names[] = {"level",    "relay_opened",        "relay_closed",    "cutoff",
                                        "restored", "acknowledged",        "emergency_activated",
                                        "emergency_repaid", "debt_cap_reached", "trip_held"};
    static const uint32_t values[] = {PREPAY_WALLET_EVENT_LEVEL_CHANGED,       PREPAY_WALLET_EVENT_RELAY_OPENED,
                                      PREPAY_WALLET_EVENT_RELAY_CLOSED,        PREPAY_WALLET_EVENT_CUTOFF,
                                      PREPAY_WALLET_EVENT_RESTORED,            PREPAY_WALLET_EVENT_ACKNOWLEDGED,
                                      PREPAY_WALLET_EVENT_EMERGENCY_ACTIVATED, PREPAY_WALLET_EVENT_EMERGENCY_REPAID,
                                      PREPAY_WALLET_EVENT_DEBT_CAP_REACHED,    PREPAY_WALLET_EVENT_TRIP_HELD};
    return parse_names(text, names, values, 10);
}

static uint32_t parse_inputs(const char *text)
{
    static const char *const names[] = {"forbid_close", "keep_power", "remote_trip", "ack", "emergency_request"};
    static const uint32_t values[] = {PREPAY_WALLET_IN_FORBID_CLOSE, PREPAY_WALLET_IN_KEEP_POWER,
                                      PREPAY_WALLET_IN_REMOTE_TRIP, PREPAY_WALLET_IN_ACKNOWLEDGE,
                                      PREPAY_WALLET_IN_EMERGENCY_REQUEST};
    return parse_names(text, names, values, 5);
}

static int32_t parse_clock(const char *text)
{
    int h, m, s;
    if (sscanf(text, "%d:%d:%d", &h, &m, &s) != 3) {
        fail_msg("bad clock '%s'", text);
    }
    return h * 3600 + m * 60 + s;
}

/* Returns false if the policy needs more room than this configuration has. */
static bool parse_policy(const tv_record_t *r, prepay_wallet_policy_t *p)
{
    prepay_wallet_policy_default(p);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", get_or(r, "thresholds", "2000,1000,0"));
    unsigned n = 0;
    for (char *tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
        if (n >= PREPAY_MAX_ALARM_LEVELS) {
            return false;
        }
        p->thresholds[n++] = test_i64(tok);
    }
    p->level_count = (uint8_t)n;
    p->hysteresis = test_i64(get_or(r, "hysteresis", "100"));
    p->pretrip_level = (uint8_t)test_i64(get_or(r, "pretrip", n >= 2 ? "2" : "0"));
    p->cutoff = strcmp(get_or(r, "cutoff", "zero"), "zero") == 0 ? PREPAY_WALLET_CUTOFF_AT_ZERO
                                                                   : PREPAY_WALLET_CUTOFF_AT_OVERDRAFT_LIMIT;
    p->overdraft_limit = test_i64(get_or(r, "overdraft", "0"));
    p->close_allowed_amount = test_i64(get_or(r, "close_allowed", "0"));
    const char *cap = get_or(r, "cap", "none");
    p->window_debt_cap = strcmp(cap, "none") == 0 ? INT64_MAX : test_i64(cap);
    p->emergency_amount = test_i64(get_or(r, "emergency_amount", "0"));
    p->emergency_threshold = test_i64(get_or(r, "emergency_threshold", "0"));
    if (test_i64(get_or(r, "emergency_auto", "0")) != 0) {
        p->flags |= PREPAY_WALLET_POLICY_EMERGENCY_AUTO;
    }
    snprintf(buf, sizeof buf, "%s", get_or(r, "windows", ""));
    for (char *tok = strtok(buf, ", "); tok != NULL; tok = strtok(NULL, ", ")) {
        char *dash = strchr(tok, '-');
        assert_non_null(dash);
        *dash = '\0';
        if (p->window_count >= PREPAY_MAX_WALLET_WINDOWS) {
            return false;
        }
        p->windows[p->window_count].start_second = parse_clock(tok);
        p->windows[p->window_count].end_second = parse_clock(dash + 1);
        p->window_count++;
    }
    static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    static const uint32_t bits[] = {1, 2, 4, 8, 16, 32, 64};
    p->weekend_mask = (uint8_t)parse_names(get_or(r, "weekend", ""), days, bits, 7);
    snprintf(buf, sizeof buf, "%s", get_or(r, "holidays", ""));
    for (char *tok = strtok(buf, ", "); tok != NULL; tok = strtok(NULL, ", ")) {
        if (p->holiday_count >= PREPAY_MAX_WALLET_HOLIDAYS) {
            return false;
        }
        p->holidays[p->holiday_count++] = test_day(tok);
    }
    return true;
}

static const char *const relay_names[] = {"closed", "open"};
static const char *const reason_names[] = {"normal", "forbid_close", "keep_power", "remote_trip",
                                           "cutoff", "pretrip",      "no_disconnect"};

static void test_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("wallet_policy.txt", &file);
    prepay_wallet_policy_t policy;
    prepay_wallet_state_t ws;
    bool usable = false;
    int steps = 0, skipped = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "policy") == 0) {
            usable = parse_policy(r, &policy);
            if (usable) {
                assert_int_equal(prepay_wallet_policy_check(&policy), PREPAY_OK);
            }
            prepay_wallet_state_init(&ws);
        } else if (strcmp(r->kind, "step") == 0) {
            if (!usable) {
                skipped++;
                continue;
            }
            prepay_wallet_input_t in = {
                .balance = test_i64(tv_need(r, "balance")),
                .emergency_outstanding = test_i64(get_or(r, "outstanding", "0")),
                .now = test_time(tv_need(r, "now")),
                .flags = parse_inputs(get_or(r, "flags", "")),
            };
            prepay_wallet_decision_t d;
            prepay_wallet_state_t before = ws;
            assert_int_equal(prepay_wallet_decide(&policy, &in, &ws, &d), PREPAY_OK);
            /* pure: the same inputs give the same decision */
            prepay_wallet_decision_t again;
            assert_int_equal(prepay_wallet_decide(&policy, &in, &before, &again), PREPAY_OK);
            assert_memory_equal(&d.next, &again.next, sizeof d.next);
            assert_int_equal(d.events, again.events);
            if (tv_get(r, "level") && d.level != (uint8_t)test_i64(tv_get(r, "level"))) {
                fail_msg("wallet_policy.txt:%d: level want %s got %u", r->line, tv_get(r, "level"), d.level);
            }
            if (tv_get(r, "relay") && strcmp(relay_names[d.relay], tv_get(r, "relay")) != 0) {
                fail_msg("wallet_policy.txt:%d: relay want %s got %s", r->line, tv_get(r, "relay"),
                         relay_names[d.relay]);
            }
            if (tv_get(r, "reason") && strcmp(reason_names[d.reason], tv_get(r, "reason")) != 0) {
                fail_msg("wallet_policy.txt:%d: reason want %s got %s", r->line, tv_get(r, "reason"),
                         reason_names[d.reason]);
            }
            if (tv_get(r, "events") && d.events != parse_events(tv_get(r, "events"))) {
                fail_msg("wallet_policy.txt:%d: events want %s (0x%x) got 0x%x", r->line, tv_get(r, "events"),
                         parse_events(tv_get(r, "events")), d.events);
            }
            assert_int_equal(d.emergency_grant, test_i64(get_or(r, "grant", "0")));
            assert_int_equal(d.from_level, (before.flags & PREPAY_WALLET_STATE_FRESH) ? 0 : before.level);
            assert_int_equal((d.events & PREPAY_WALLET_EVENT_LEVEL_CHANGED) != 0, d.level != d.from_level);
            ws = d.next;
            steps++;
        } else if (strcmp(r->kind, "split") == 0) {
            prepay_money_t e, dbt, b;
            assert_int_equal(prepay_wallet_split_recharge(test_i64(tv_need(r, "amount")),
                                                          test_i64(tv_need(r, "emergency")),
                                                          test_i64(tv_need(r, "debt")), &e, &dbt, &b),
                             PREPAY_OK);
            assert_int_equal(e, test_i64(tv_need(r, "to_emergency")));
            assert_int_equal(dbt, test_i64(tv_need(r, "to_debt")));
            assert_int_equal(b, test_i64(tv_need(r, "to_balance")));
        } else if (strcmp(r->kind, "check") == 0) {
            prepay_wallet_policy_t p;
            if (!parse_policy(r, &p)) {
                continue;
            }
            static const struct {
                const char *name;
                int value;
            } codes[] = {{"ok", PREPAY_OK},
                         {"bad_thresholds", PREPAY_E_WALLET_BAD_THRESHOLDS},
                         {"bad_amount", PREPAY_E_WALLET_BAD_AMOUNT},
                         {"bad_policy", PREPAY_E_WALLET_BAD_POLICY}};
            int want = 1;
            for (size_t k = 0; k < 4; k++) {
                if (strcmp(codes[k].name, tv_need(r, "expect")) == 0) {
                    want = codes[k].value;
                }
            }
            assert_int_not_equal(want, 1);
            assert_int_equal(prepay_wallet_policy_check(&p), want);
        } else {
            fail_msg("wallet_policy.txt:%d: unknown record [%s]", r->line, r->kind);
        }
    }
    printf("wallet steps checked: %d (skipped for this configuration: %d)\n", steps, skipped);
    assert_true(steps >= 40);
    tv_free(&file);
}

/* A balance oscillating within the hysteresis band never changes the level. */
static void test_no_flapping(void **state)
{
    (void)state;
    prepay_wallet_policy_t p;
    prepay_wallet_policy_default(&p);
    p.pretrip_level = 0;
    for (unsigned level = 0; level < p.level_count; level++) {
        prepay_wallet_state_t s;
        prepay_wallet_state_init(&s);
        prepay_wallet_decision_t d;
        prepay_wallet_input_t in = {.balance = p.thresholds[level], .now = 0, .flags = 0};
        assert_int_equal(prepay_wallet_decide(&p, &in, &s, &d), PREPAY_OK);
        assert_int_equal(d.level, level + 1);
        s = d.next;
        for (int k = 0; k < 1000; k++) {
            in.balance = p.thresholds[level] + (k % 2 ? p.hysteresis : -(k % 7));
            assert_int_equal(prepay_wallet_decide(&p, &in, &s, &d), PREPAY_OK);
            assert_int_equal(d.level, level + 1);
            assert_int_equal(d.events & PREPAY_WALLET_EVENT_LEVEL_CHANGED, 0);
            s = d.next;
        }
        in.balance = p.thresholds[level] + p.hysteresis + 1;
        assert_int_equal(prepay_wallet_decide(&p, &in, &s, &d), PREPAY_OK);
        assert_int_equal(d.level, level);
    }
}

/* The relay priority for all 16 combinations of commands and money trip. */
static void test_priority_table(void **state)
{
    (void)state;
    prepay_wallet_policy_t p;
    prepay_wallet_policy_default(&p);
    p.pretrip_level = 0;
    for (uint32_t combo = 0; combo < 16; combo++) {
        uint32_t flags = combo & 7u; /* forbid, keep, remote */
        bool broke = (combo & 8u) != 0;
        prepay_wallet_state_t s;
        prepay_wallet_state_init(&s);
        prepay_wallet_input_t in = {.balance = broke ? -1 : 100000, .now = 0, .flags = flags};
        prepay_wallet_decision_t d;
        assert_int_equal(prepay_wallet_decide(&p, &in, &s, &d), PREPAY_OK);
        uint8_t want_relay, want_reason;
        if (flags & PREPAY_WALLET_IN_FORBID_CLOSE) {
            want_relay = PREPAY_WALLET_RELAY_OPEN;
            want_reason = PREPAY_WALLET_REASON_FORBID_CLOSE;
        } else if (flags & PREPAY_WALLET_IN_KEEP_POWER) {
            want_relay = PREPAY_WALLET_RELAY_CLOSED;
            want_reason = PREPAY_WALLET_REASON_KEEP_POWER;
        } else if (flags & PREPAY_WALLET_IN_REMOTE_TRIP) {
            want_relay = PREPAY_WALLET_RELAY_OPEN;
            want_reason = PREPAY_WALLET_REASON_REMOTE_TRIP;
        } else if (broke) {
            want_relay = PREPAY_WALLET_RELAY_OPEN;
            want_reason = PREPAY_WALLET_REASON_CUTOFF;
        } else {
            want_relay = PREPAY_WALLET_RELAY_CLOSED;
            want_reason = PREPAY_WALLET_REASON_NORMAL;
        }
        assert_int_equal(d.relay, want_relay);
        assert_int_equal(d.reason, want_reason);
    }
}

static void test_bad_arguments(void **state)
{
    (void)state;
    prepay_wallet_policy_t p;
    prepay_wallet_policy_default(&p);
    prepay_wallet_state_t s;
    prepay_wallet_state_init(&s);
    prepay_wallet_input_t in = {.balance = 0, .now = 0, .flags = 0};
    prepay_wallet_decision_t d;
    memset(&d, 0x5a, sizeof d);
    prepay_wallet_decision_t untouched = d;
    assert_int_equal(prepay_wallet_decide(NULL, &in, &s, &d), PREPAY_E_INVALID_ARGUMENT);
    in.flags = 0x80;
    assert_int_equal(prepay_wallet_decide(&p, &in, &s, &d), PREPAY_E_INVALID_ARGUMENT);
    in.flags = 0;
    s.flags = 0x80;
    assert_int_equal(prepay_wallet_decide(&p, &in, &s, &d), PREPAY_E_WALLET_BAD_STATE);
    prepay_wallet_state_init(&s);
    s.level = 9;
    assert_int_equal(prepay_wallet_decide(&p, &in, &s, &d), PREPAY_E_WALLET_BAD_STATE);
    prepay_wallet_state_init(&s);
    p.hysteresis = -1;
    assert_int_equal(prepay_wallet_decide(&p, &in, &s, &d), PREPAY_E_WALLET_BAD_AMOUNT);
    assert_memory_equal(&d, &untouched, sizeof d);
    prepay_money_t a, b, c;
    assert_int_equal(prepay_wallet_split_recharge(-1, 0, 0, &a, &b, &c), PREPAY_E_INVALID_ARGUMENT);
    /* the status texts exist */
    assert_string_not_equal(prepay_strerror(PREPAY_E_WALLET_BAD_POLICY), "unknown status");
}

/* Random decision sequences: the documented rules hold at every step. */
static void test_random_sequences(void **state)
{
    (void)state;
    uint64_t rng = 0x77a11e7u;
    for (int run = 0; run < 200; run++) {
        prepay_wallet_policy_t p;
        prepay_wallet_policy_default(&p);
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        p.hysteresis = (int64_t)((rng >> 40) % 300u);
        p.cutoff = (uint8_t)((rng >> 20) & 1u);
        p.overdraft_limit = (int64_t)((rng >> 24) % 800u);
        p.close_allowed_amount = (rng >> 30) & 1u ? 500 : 0;
        p.window_debt_cap = (rng >> 31) & 1u ? 300 : INT64_MAX;
        p.emergency_amount = (rng >> 32) & 1u ? 400 : 0;
        p.emergency_threshold = 100;
        p.window_count = 1;
        p.windows[0].start_second = 22 * 3600;
        p.windows[0].end_second = 6 * 3600;
        p.weekend_mask = (uint8_t)((rng >> 33) & 1u ? 0x41u : 0u);
        assert_int_equal(prepay_wallet_policy_check(&p), PREPAY_OK);
        prepay_wallet_state_t s;
        prepay_wallet_state_init(&s);
        int64_t balance = 3000;
        int64_t owed = 0;
        for (int step = 0; step < 2000; step++) {
            rng = rng * 6364136223846793005u + 1442695040888963407u;
            uint32_t r = (uint32_t)(rng >> 33);
            balance += (r % 5u == 0u) ? (int64_t)(r % 3000u) : -(int64_t)(r % 150u);
            if (balance < -5000) {
                balance = -5000;
            }
            prepay_wallet_input_t in = {.balance = balance,
                                        .emergency_outstanding = owed,
                                        .now = (int64_t)step * 1800,
                                        .flags = (r >> 8) % 8u == 0u ? (r >> 12) & 0x1Fu : 0u};
            prepay_wallet_decision_t d;
            assert_int_equal(prepay_wallet_decide(&p, &in, &s, &d), PREPAY_OK);
            if (d.emergency_grant > 0) {
                balance += d.emergency_grant;
                owed += d.emergency_grant;
            } else if (owed > 0 && balance > owed) {
                balance -= owed; /* a top-up repays it first */
                owed = 0;
            }
            /* level bounds and the hysteresis band */
            assert_true(d.level <= p.level_count);
            int64_t eff = in.balance + d.emergency_grant;
            for (unsigned k = 0; k < p.level_count; k++) {
                if (eff <= p.thresholds[k]) {
                    assert_true(d.level >= k + 1u); /* reached thresholds always count */
                }
                if (d.level >= k + 1u) {
                    assert_true(eff <= p.thresholds[k] + p.hysteresis); /* never above the band */
                }
            }
            assert_int_equal((d.events & PREPAY_WALLET_EVENT_LEVEL_CHANGED) != 0, d.level != d.from_level);
            /* priority */
            if (in.flags & PREPAY_WALLET_IN_FORBID_CLOSE) {
                assert_int_equal(d.relay, PREPAY_WALLET_RELAY_OPEN);
            } else if (in.flags & PREPAY_WALLET_IN_KEEP_POWER) {
                assert_int_equal(d.relay, PREPAY_WALLET_RELAY_CLOSED);
            } else if (in.flags & PREPAY_WALLET_IN_REMOTE_TRIP) {
                assert_int_equal(d.relay, PREPAY_WALLET_RELAY_OPEN);
            } else if (d.relay == PREPAY_WALLET_RELAY_OPEN) {
                assert_true(d.reason == PREPAY_WALLET_REASON_CUTOFF || d.reason == PREPAY_WALLET_REASON_PRETRIP);
                assert_true(!d.no_disconnect || d.reason == PREPAY_WALLET_REASON_CUTOFF);
            }
            /* relay events are edges */
            bool was_closed = (s.flags & PREPAY_WALLET_STATE_RELAY_CLOSED) != 0;
            assert_int_equal((d.events & PREPAY_WALLET_EVENT_RELAY_OPENED) != 0,
                             was_closed && d.relay == PREPAY_WALLET_RELAY_OPEN);
            assert_int_equal((d.events & PREPAY_WALLET_EVENT_RELAY_CLOSED) != 0,
                             !was_closed && d.relay == PREPAY_WALLET_RELAY_CLOSED);
            /* tripped means the balance was at or below the cut-off point at some time */
            int64_t cut = p.cutoff == PREPAY_WALLET_CUTOFF_AT_ZERO ? 0 : -p.overdraft_limit;
            if (eff <= cut) {
                assert_true((d.next.flags & PREPAY_WALLET_STATE_TRIPPED) != 0);
            }
            s = d.next;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_no_flapping),
        cmocka_unit_test(test_priority_table),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_random_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
