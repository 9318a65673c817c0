/* SPDX-License-Identifier: MIT */
/*
 * Valve state machine of the reference water meter.
 *
 * test_scenarios runs the scripts of tests/vectors/water_valve.txt, each
 * worked by hand from a published vendor rule named in the file; the other
 * tests check what the scripts cannot say easily: event records with start
 * and end, refusals that change nothing but the record, may_open(), and
 * argument checks.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_support.h"
#include "water_fixtures.h"

static prepay_water_meter_t meter;

static const char *const event_names[PREPAY_WATER_EVENT_COUNT] = {
    "purse_alarm", "purse_empty", "magnet",   "low_battery",     "battery_lock",
    "power_down",  "valve_stuck", "valve_open", "valve_close",   "open_refused",
    "purchase",    "purchase_refused", "purse_set", "programming", "flow_while_closed",
};

static const struct {
    const char *name;
    uint8_t bit;
} hold_names[] = {
    {"alarm", PREPAY_WATER_HOLD_ALARM},   {"empty", PREPAY_WATER_HOLD_EMPTY},     {"remote", PREPAY_WATER_HOLD_REMOTE},
    {"magnet", PREPAY_WATER_HOLD_MAGNET}, {"power", PREPAY_WATER_HOLD_POWER},     {"battery", PREPAY_WATER_HOLD_BATTERY},
    {"lock", PREPAY_WATER_HOLD_BATTERY_LOCK},
};

static uint8_t parse_holds(const char *text, int line)
{
    if (strcmp(text, "none") == 0) {
        return 0;
    }
    uint8_t holds = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        size_t i;
        for (i = 0; i < sizeof hold_names / sizeof hold_names[0]; i++) {
            if (strcmp(tok, hold_names[i].name) == 0) {
                holds |= hold_names[i].bit;
                break;
            }
        }
        if (i == sizeof hold_names / sizeof hold_names[0]) {
            fail_msg("line %d: unknown hold %s", line, tok);
        }
    }
    return holds;
}

static unsigned event_kind(const char *name, int line)
{
    for (unsigned k = 0; k < PREPAY_WATER_EVENT_COUNT; k++) {
        if (strcmp(name, event_names[k]) == 0) {
            return k;
        }
    }
    fail_msg("line %d: unknown event %s", line, name);
    return 0;
}

static int expected_rc(const char *r, int line)
{
    static const struct {
        const char *name;
        int rc;
    } codes[] = {
        {"ok", PREPAY_OK},
        {"repeat", PREPAY_WATER_PURCHASE_REPEAT},
        {"serial", PREPAY_E_WATER_PURCHASE_SERIAL},
        {"hoard", PREPAY_E_WATER_HOARDING_LIMIT},
        {"mode", PREPAY_E_WATER_WRONG_MODE},
        {"refused", PREPAY_E_WATER_VALVE_REFUSED},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        if (strcmp(r, codes[i].name) == 0) {
            return codes[i].rc;
        }
    }
    fail_msg("line %d: unknown result %s", line, r);
    return 0;
}

static prepay_water_condition_t condition_of(const char *name, int line)
{
    if (strcmp(name, "magnet") == 0) {
        return PREPAY_WATER_CONDITION_MAGNET;
    }
    if (strcmp(name, "battery") == 0) {
        return PREPAY_WATER_CONDITION_LOW_BATTERY;
    }
    if (strcmp(name, "power") == 0) {
        return PREPAY_WATER_CONDITION_POWER_DOWN;
    }
    if (strcmp(name, "stuck") == 0) {
        return PREPAY_WATER_CONDITION_VALVE_STUCK;
    }
    fail_msg("line %d: unknown condition %s", line, name);
    return PREPAY_WATER_CONDITION_COUNT;
}

static void check_state(int line)
{
    const char *member = NULL;
    if (prepay_water_meter_check_state(&meter, &member) != PREPAY_OK) {
        fail_msg("line %d: check_state refuses member %s", line, member ? member : "?");
    }
}

/* One script step. */
static void step(const char *text, const char *scenario, int line)
{
    char verb[32] = "", a[64] = "", b[64] = "", c[64] = "", d[64] = "";
    int n = sscanf(text, "%31s %63s %63s %63s %63s", verb, a, b, c, d);
    int rc;
    if (strcmp(verb, "init") == 0) {
        prepay_water_mode_t mode = strcmp(a, "money") == 0    ? PREPAY_WATER_MODE_MONEY
                                   : strcmp(a, "volume") == 0 ? PREPAY_WATER_MODE_VOLUME
                                                              : PREPAY_WATER_MODE_REMOTE;
        wx_init(&meter, mode, wx_t0());
    } else if (strcmp(verb, "purse") == 0 && n == 4) {
        assert_int_equal(prepay_water_meter_set_purse(&meter, atoll(a), atoll(b), atoll(c)), PREPAY_OK);
    } else if (strcmp(verb, "rules") == 0 && n == 3) {
        prepay_water_valve_rules_t r = {atoll(a), atoll(b)};
        assert_int_equal(prepay_water_meter_set_valve_rules(&meter, &r), PREPAY_OK);
    } else if (strcmp(verb, "flat") == 0 && n == 2) {
        prepay_cjt188_price_table_t t;
        memset(&t, 0, sizeof t);
        t.price[2] = atoll(a);
        assert_int_equal(prepay_water_meter_set_prices(&meter, &t), PREPAY_OK);
    } else if (strcmp(verb, "wait") == 0 && n == 2) {
        assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + atoll(a), 0), PREPAY_OK);
    } else if (strcmp(verb, "flow") == 0 && n == 2) {
        assert_int_equal(prepay_water_meter_advance(&meter, meter.clock + 1, atoll(a)), PREPAY_OK);
    } else if (strcmp(verb, "buy") == 0 && n == 5 && strcmp(c, "->") == 0) {
        rc = prepay_water_meter_purchase(&meter, meter.clock, (uint8_t)atoi(a), atoll(b));
        if (rc != expected_rc(d, line)) {
            fail_msg("%s line %d: %s gave %d", scenario, line, text, rc);
        }
    } else if ((strcmp(verb, "open") == 0 || strcmp(verb, "close") == 0) && n == 4 && strcmp(b, "->") == 0) {
        prepay_water_actor_t actor = strcmp(a, "tenant") == 0 ? PREPAY_WATER_ACTOR_TENANT : PREPAY_WATER_ACTOR_STATION;
        rc = prepay_water_meter_valve(&meter, meter.clock, actor, verb[0] == 'o');
        if (rc != expected_rc(c, line)) {
            fail_msg("%s line %d: %s gave %d", scenario, line, text, rc);
        }
    } else if (strcmp(verb, "report") == 0 && n == 3) {
        assert_int_equal(prepay_water_meter_report(&meter, meter.clock, condition_of(a, line), strcmp(b, "on") == 0),
                         PREPAY_OK);
    } else if (strcmp(verb, "expect") == 0 && strcmp(a, "valve") == 0) {
        unsigned want = strcmp(b, "open") == 0 ? 0u : strcmp(b, "closed") == 0 ? 1u : 3u;
        unsigned got = prepay_cjt188_status_valve(prepay_water_meter_status_word(&meter));
        if (got != want) {
            fail_msg("%s line %d: valve %u, expected %s", scenario, line, got, b);
        }
        if (want != 3u && prepay_water_meter_valve_open(&meter) != (want == 0u)) {
            fail_msg("%s line %d: valve_open() disagrees with ST", scenario, line);
        }
    } else if (strcmp(verb, "expect") == 0 && strcmp(a, "holds") == 0) {
        uint8_t want = parse_holds(b, line);
        if (meter.holds != want) {
            fail_msg("%s line %d: holds %02X, expected %02X (%s)", scenario, line, meter.holds, want, b);
        }
    } else if (strcmp(verb, "expect") == 0 && strcmp(a, "balance") == 0) {
        if (meter.balance != atoll(b)) {
            fail_msg("%s line %d: balance %lld, expected %s", scenario, line, (long long)meter.balance, b);
        }
    } else if (strcmp(verb, "expect") == 0 && strcmp(a, "st") == 0) {
        unsigned want = (unsigned)strtoul(b, NULL, 16);
        if (prepay_water_meter_status_word(&meter) != want) {
            fail_msg("%s line %d: ST %04X, expected %04X", scenario, line, prepay_water_meter_status_word(&meter), want);
        }
    } else if (strcmp(verb, "expect") == 0 && strcmp(a, "count") == 0 && n == 4) {
        unsigned k = event_kind(b, line);
        if (meter.event_counts[k] != (uint32_t)atol(c)) {
            fail_msg("%s line %d: %s count %u, expected %s", scenario, line, b, meter.event_counts[k], c);
        }
    } else {
        fail_msg("%s line %d: cannot read step '%s'", scenario, line, text);
    }
    check_state(line);
}

static void test_scenarios(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("water_valve.txt", &file);
    size_t scenarios = 0, steps = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "scenario") != 0) {
            continue;
        }
        const char *name = tv_need(r, "name");
        (void)tv_need(r, "source");
        (void)tv_need(r, "rule");
        for (size_t f = 0; f < r->field_count; f++) {
            if (strcmp(r->fields[f].key, "do") == 0) {
                step(r->fields[f].value, name, r->line);
                steps++;
            }
        }
        scenarios++;
    }
    tv_free(&file);
    assert_int_equal(scenarios, 13);
    printf("water_valve.txt: %zu scenarios, %zu steps\n", scenarios, steps);
}

/* Start/end records of a condition, and the detail of movements. */
static void test_records(void **state)
{
    (void)state;
    wx_init(&meter, PREPAY_WATER_MODE_VOLUME, wx_t0());
    const prepay_time_t t0 = meter.clock;
    assert_int_equal(prepay_water_meter_purchase(&meter, t0, 1, 20000), PREPAY_OK);
    assert_int_equal(prepay_water_meter_report(&meter, t0 + 60, PREPAY_WATER_CONDITION_MAGNET, true), PREPAY_OK);
    /* repeating the current state does nothing */
    assert_int_equal(prepay_water_meter_report(&meter, t0 + 70, PREPAY_WATER_CONDITION_MAGNET, true), PREPAY_OK);
    assert_int_equal(prepay_water_meter_report(&meter, t0 + 120, PREPAY_WATER_CONDITION_MAGNET, false), PREPAY_OK);
    assert_int_equal(meter.event_counts[PREPAY_WATER_EVENT_MAGNET], 1);
    const prepay_water_record_t *magnet = NULL, *close = NULL, *open = NULL;
    for (size_t i = 0; i < PREPAY_WATER_EVENT_RECORDS; i++) {
        const prepay_water_record_t *r = &meter.records[i];
        if (!(r->flags & PREPAY_WATER_RECORD_USED)) {
            continue;
        }
        if (r->kind == PREPAY_WATER_EVENT_MAGNET) {
            magnet = r;
        } else if (r->kind == PREPAY_WATER_EVENT_VALVE_CLOSE) {
            close = r;
        } else if (r->kind == PREPAY_WATER_EVENT_VALVE_OPEN) {
            open = r;
        }
    }
    assert_non_null(magnet);
    assert_int_equal(magnet->start, t0 + 60);
    assert_int_equal(magnet->end, t0 + 120);
    assert_int_equal(magnet->flags, PREPAY_WATER_RECORD_USED);
    assert_non_null(close);
    assert_int_equal(close->detail, PREPAY_WATER_HOLD_MAGNET);
    assert_int_equal(close->aux, PREPAY_WATER_ACTOR_METER);
    assert_non_null(open); /* the top-up opened the valve: holds cleared = empty */
    assert_int_equal(open->detail, PREPAY_WATER_HOLD_EMPTY);
    assert_int_equal(open->start, t0);
    /* a tenant open: recorded with the actor */
    assert_int_equal(prepay_water_meter_valve(&meter, t0 + 130, PREPAY_WATER_ACTOR_TENANT, true), PREPAY_OK);
    const prepay_water_record_t *last = &meter.records[(meter.record_next + PREPAY_WATER_EVENT_RECORDS - 1) %
                                                       PREPAY_WATER_EVENT_RECORDS];
    assert_int_equal(last->kind, PREPAY_WATER_EVENT_VALVE_OPEN);
    assert_int_equal(last->aux, PREPAY_WATER_ACTOR_TENANT);
    assert_int_equal(last->detail, PREPAY_WATER_HOLD_MAGNET);
    assert_int_equal(last->start, t0 + 130);
}

/* A refused open changes nothing but the refusal record; may_open() agrees and changes nothing. */
static void test_refusal_changes_nothing(void **state)
{
    (void)state;
    static prepay_water_meter_t before;
    wx_init(&meter, PREPAY_WATER_MODE_MONEY, wx_t0());
    assert_int_equal(prepay_water_meter_valve(&meter, meter.clock, PREPAY_WATER_ACTOR_STATION, false), PREPAY_OK);
    memcpy(&before, &meter, sizeof meter);
    uint8_t blocking = 0;
    assert_int_equal(prepay_water_meter_may_open(&meter, PREPAY_WATER_ACTOR_TENANT, &blocking),
                     PREPAY_E_WATER_VALVE_REFUSED);
    assert_int_equal(blocking, PREPAY_WATER_HOLD_EMPTY | PREPAY_WATER_HOLD_REMOTE);
    assert_int_equal(prepay_water_meter_may_open(&meter, PREPAY_WATER_ACTOR_STATION, &blocking),
                     PREPAY_E_WATER_VALVE_REFUSED);
    assert_int_equal(blocking, PREPAY_WATER_HOLD_EMPTY);
    assert_memory_equal(&before, &meter, sizeof meter);
    assert_int_equal(prepay_water_meter_valve(&meter, meter.clock, PREPAY_WATER_ACTOR_TENANT, true),
                     PREPAY_E_WATER_VALVE_REFUSED);
    assert_true(wx_same_but_events(&before, &meter));
    assert_int_equal(meter.event_counts[PREPAY_WATER_EVENT_OPEN_REFUSED], 1);
    const prepay_water_record_t *r = &meter.records[(meter.record_next + PREPAY_WATER_EVENT_RECORDS - 1) %
                                                    PREPAY_WATER_EVENT_RECORDS];
    assert_int_equal(r->kind, PREPAY_WATER_EVENT_OPEN_REFUSED);
    assert_int_equal(r->detail, PREPAY_WATER_HOLD_EMPTY | PREPAY_WATER_HOLD_REMOTE);
    assert_int_equal(r->aux, PREPAY_WATER_ACTOR_TENANT);
}

static void test_arguments(void **state)
{
    (void)state;
    static prepay_water_meter_t before;
    prepay_cjt188_address_t a;
    assert_int_equal(prepay_cjt188_address_from_string(WX_ADDRESS, 14, &a), PREPAY_OK);
    assert_int_equal(prepay_water_meter_init(NULL, PREPAY_WATER_MODE_MONEY, 0x10, &a, 1, 0), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_water_meter_init(&meter, PREPAY_WATER_MODE_MONEY, 0x20, &a, 1, 0),
                     PREPAY_E_WATER_BAD_PARAMETER); /* a heat meter type */
    assert_int_equal(prepay_water_meter_init(&meter, PREPAY_WATER_MODE_MONEY, 0x10, &a, 0, 0),
                     PREPAY_E_WATER_BAD_PARAMETER);
    assert_int_equal(prepay_water_meter_init(&meter, PREPAY_WATER_MODE_MONEY, 0x10, &a, 248, 0),
                     PREPAY_E_WATER_BAD_PARAMETER);
    assert_int_equal(prepay_water_meter_init(&meter, (prepay_water_mode_t)3, 0x10, &a, 1, 0),
                     PREPAY_E_WATER_BAD_PARAMETER);
    prepay_cjt188_address_t wild = prepay_cjt188_address_wildcard();
    assert_int_equal(prepay_water_meter_init(&meter, PREPAY_WATER_MODE_MONEY, 0x10, &wild, 1, 0),
                     PREPAY_E_WATER_BAD_PARAMETER);
    assert_int_equal(prepay_water_meter_init(&meter, PREPAY_WATER_MODE_MONEY, 0x10, &a, 1, -1), PREPAY_E_OUT_OF_RANGE);
    memset(&meter, 0, sizeof meter);
    assert_int_equal(prepay_water_meter_advance(&meter, 0, 0), PREPAY_E_WATER_BAD_STATE);

    wx_init(&meter, PREPAY_WATER_MODE_VOLUME, wx_t0());
    memcpy(&before, &meter, sizeof meter);
    assert_int_equal(prepay_water_meter_valve(&meter, meter.clock, PREPAY_WATER_ACTOR_TENANT, false),
                     PREPAY_E_INVALID_ARGUMENT); /* only the station closes */
    assert_int_equal(prepay_water_meter_valve(&meter, meter.clock, PREPAY_WATER_ACTOR_METER, true),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_water_meter_set_purse(&meter, -1, 0, 0), PREPAY_E_WATER_BAD_PARAMETER);
    assert_int_equal(prepay_water_meter_set_purse(&meter, 0, PREPAY_WATER_MAX_AMOUNT + 1, 0),
                     PREPAY_E_WATER_BAD_PARAMETER);
    prepay_water_valve_rules_t bad = {-1, 0};
    assert_int_equal(prepay_water_meter_set_valve_rules(&meter, &bad), PREPAY_E_WATER_BAD_PARAMETER);
    bad.battery_close_delay = 0;
    bad.battery_reopen_window = 31 * 86400;
    assert_int_equal(prepay_water_meter_set_valve_rules(&meter, &bad), PREPAY_E_WATER_BAD_PARAMETER);
    assert_int_equal(prepay_water_meter_report(&meter, meter.clock, PREPAY_WATER_CONDITION_COUNT, true),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_water_meter_purchase(&meter, meter.clock, 1, 0), PREPAY_E_WATER_BAD_PARAMETER);
    assert_int_equal(prepay_water_meter_set_battery_voltage(&meter, 70000), PREPAY_E_WATER_BAD_PARAMETER);
    assert_int_equal(prepay_water_meter_set_cycle(&meter, 0, 0), PREPAY_E_WATER_BAD_PARAMETER);
    assert_int_equal(prepay_water_meter_set_cycle(&meter, 1, 13), PREPAY_E_WATER_BAD_PARAMETER);
    assert_memory_equal(&before, &meter, sizeof meter);
    assert_int_equal(prepay_water_meter_status_word(NULL), 0);
    assert_false(prepay_water_meter_valve_open(NULL));
}

/* The status texts of module 18. */
static void test_status_texts(void **state)
{
    (void)state;
    static const int codes[] = {PREPAY_E_WATER_BAD_STATE,     PREPAY_E_WATER_BAD_PARAMETER,  PREPAY_E_WATER_WRONG_MODE,
                                PREPAY_E_WATER_PURCHASE_SERIAL, PREPAY_E_WATER_HOARDING_LIMIT, PREPAY_E_WATER_VALVE_REFUSED,
                                PREPAY_E_WATER_TIME_ORDER, PREPAY_E_WATER_TARIFF_UNSUPPORTED};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        assert_int_equal(PREPAY_STATUS_MODULE(codes[i]), 18);
#ifndef PREPAY_NO_STRERROR
        assert_string_not_equal(prepay_strerror(codes[i]), "unknown status");
        assert_non_null(strstr(prepay_strerror(codes[i]), "water meter"));
#endif
    }
#ifndef PREPAY_NO_STRERROR
    assert_string_equal(prepay_strerror(PREPAY_STATUS_MAKE(PREPAY_MODULE_WATER, 9)), "unknown status");
#endif
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenarios),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_refusal_changes_nothing),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_status_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
