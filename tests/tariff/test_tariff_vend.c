/* SPDX-License-Identifier: MIT */
/* Vending inverse (vectors: tests/vectors/tariff_vend.txt) and its agreement with forward pricing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_random.h"
#include "tariff_test_util.h"
#include "test_support.h"

static fx_setup_t s;

/* A state whose open cycle (containing `at`) has `used` Wh, made by feeding `used` Wh just before `at`. */
static void position(prepay_tariff_state_t *st, const prepay_tariff_plan_t *plan, prepay_time_t at,
                     prepay_energy_t used)
{
    assert_int_equal(prepay_tariff_state_init(st), PREPAY_OK);
    int32_t cycle;
    prepay_time_t start;
    assert_int_equal(prepay_tariff_cycle_of(plan->sets[0], at, &cycle), PREPAY_OK);
    assert_int_equal(prepay_tariff_cycle_bounds(plan->sets[0], cycle, &start, NULL), PREPAY_OK);
    static prepay_tariff_line_t lines[8192];
    prepay_tariff_feed_result_t r;
    assert_true(prepay_tariff_feed_interval(plan, NULL, st, start, at, start == at ? 0 : used, lines, 8192, &r) >= 0);
}

/* Forward price of `energy` consumed in the second after `at` at the band in force (a copy of the state). */
static prepay_amount_t forward(const prepay_tariff_plan_t *plan, const prepay_tariff_state_t *st, prepay_time_t at,
                               prepay_energy_t energy)
{
    prepay_tariff_state_t copy = *st;
    static prepay_tariff_line_t lines[64];
    prepay_tariff_feed_result_t r;
    assert_true(prepay_tariff_feed_interval(plan, NULL, &copy, at, at + 1, energy, lines, 64, &r) >= 0);
    prepay_amount_t sum = {0, 0};
    for (size_t i = 0; i < r.line_count; i++) {
        if (lines[i].kind == PREPAY_LINE_ENERGY) {
            assert_int_equal(prepay_amount_add(sum, lines[i].amount, &sum), PREPAY_OK);
        }
    }
    return sum;
}

static void test_vend_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("tariff_vend.txt", &file);
    int count = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "vend") != 0) {
            continue;
        }
        count++;
        assert_int_equal(fx_build(tv_need(r, "tariff"), &s), 0);
        prepay_time_t at = fx_parse_time(tv_need(r, "at"));
        prepay_tariff_state_t st;
        position(&st, &s.plan, at, atoll(tv_need(r, "used")));
        prepay_energy_t energy = -1;
        prepay_amount_t cost;
        prepay_money_t money = atoll(tv_need(r, "money"));
        prepay_energy_t quantum = atoll(tv_need(r, "quantum"));
        assert_int_equal(prepay_tariff_vend(&s.plan, NULL, &st, at, (unsigned)atoi(tv_need(r, "band")), money,
                                            quantum, &energy, &cost),
                         PREPAY_OK);
        if (energy != atoll(tv_need(r, "energy"))) {
            fail_msg("%s: energy %lld", tv_need(r, "name"), (long long)energy);
        }
        int64_t want;
        const char *c = tv_need(r, "cost");
        assert_int_equal(prepay_fixed_parse(c, strlen(c), 9, &want), PREPAY_OK);
        assert_int_equal(cost.units * 1000000000 + cost.nanos, want);
        assert_true(prepay_amount_compare(cost, prepay_amount_from_money(money)) <= 0);
        if (atoi(tv_need(r, "band")) == 0) {
            /* forward pricing agrees: cost(E) <= money < cost(E + quantum) */
            prepay_amount_t f = forward(&s.plan, &st, at, energy);
            assert_int_equal(prepay_amount_compare(f, cost), 0);
            prepay_amount_t more = forward(&s.plan, &st, at, energy + quantum);
            assert_true(prepay_amount_compare(more, prepay_amount_from_money(money)) > 0);
        }
    }
    assert_true(count >= 6);
    tv_free(&file);
}

static void test_vend_errors(void **state)
{
    (void)state;
    assert_int_equal(fx_build("beijing_month", &s), 0);
    prepay_energy_t e;
    prepay_time_t at = fx_time(2024, 3, 1, 0, 0);
    assert_int_equal(prepay_tariff_vend(&s.plan, NULL, NULL, at, 0, -1, 1, &e, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_vend(&s.plan, NULL, NULL, at, 0, 1, 0, &e, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_vend(&s.plan, NULL, NULL, at, 6, 1, 1, &e, NULL), PREPAY_E_TARIFF_BAD_BAND);
    /* zero money buys nothing */
    assert_int_equal(prepay_tariff_vend(&s.plan, NULL, NULL, at, 0, 0, 1, &e, NULL), PREPAY_OK);
    assert_int_equal(e, 0);
    /* a free last tier would give unlimited energy */
    s.sets[0].prices.band_price[PREPAY_BAND_FLAT - 1] = 0;
    s.sets[0].prices.tier_surcharge[1] = 0;
    s.sets[0].prices.tier_surcharge[2] = 0;
    assert_int_equal(prepay_tariff_vend(&s.plan, NULL, NULL, at, 0, 100, 1, &e, NULL), PREPAY_E_TARIFF_FREE_ENERGY);
    /* free first tiers, paid last tier: the free kWh come first */
    s.sets[0].prices.tier_surcharge[2] = 100000000; /* 1 yuan/kWh above 400 kWh */
    assert_int_equal(prepay_tariff_vend(&s.plan, NULL, NULL, at, 0, 100, 1, &e, NULL), PREPAY_OK);
    assert_int_equal(e, 400000 + 1000);
}

static void test_vend_agrees_with_forward_pricing(void **state)
{
    (void)state;
    rnd_t r = {0xABCDEF0123456789u, NULL, 0, 0};
    static prepay_tariff_t t;
    prepay_tariff_plan_t plan;
    int checked = 0;
    for (int c = 0; c < 300; c++) {
        rnd_tariff(&r, &t, (int)rnd_range(&r, 0, 1));
        assert_int_equal(prepay_tariff_plan_init(&plan, &t), PREPAY_OK);
        prepay_time_t at = (prepay_time_t)8766 * 86400 + rnd_range(&r, 0, 86400 * 300);
        prepay_tariff_state_t st;
        position(&st, &plan, at, rnd_range(&r, 0, 200000));
        prepay_money_t money = rnd_range(&r, 0, 50000);
        prepay_energy_t quantum = rnd_range(&r, 0, 1) ? 1 : 10;
        prepay_energy_t e;
        prepay_amount_t cost;
        int status = prepay_tariff_vend(&plan, NULL, &st, at, 0, money, quantum, &e, &cost);
        if (status == PREPAY_E_TARIFF_FREE_ENERGY) {
            continue;
        }
        assert_int_equal(status, PREPAY_OK);
        assert_int_equal(e % quantum, 0);
        prepay_amount_t f = forward(&plan, &st, at, e);
        assert_int_equal(prepay_amount_compare(f, cost), 0);
        assert_true(prepay_amount_compare(f, prepay_amount_from_money(money)) <= 0);
        prepay_amount_t more = forward(&plan, &st, at, e + quantum);
        assert_true(prepay_amount_compare(more, prepay_amount_from_money(money)) > 0);
        checked++;
    }
    assert_true(checked > 200);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vend_vectors),
        cmocka_unit_test(test_vend_errors),
        cmocka_unit_test(test_vend_agrees_with_forward_pricing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
