/* SPDX-License-Identifier: MIT */
/*
 * Sealed plans, compact states and run queries:
 *  - a seal holds while the plan's sets, switch time and revisions stay; touching a tariff, changing a
 *    pointer or the switch time unseals; a bad plan cannot be sealed;
 *  - a tariff changed behind the seal is caught where PREPAY_TARIFF_CHECK_SEALS is 1;
 *  - streaming on a sealed plan (full and compact states, intervals and readings, with and without an
 *    account, with caches dropped or carried over from another plan) gives, call by call, the same
 *    return value, lines, dues and state as streaming on the unsealed plan (which validates and runs
 *    the engine every call), over many random tariffs of every mode;
 *  - compact states convert to full states and back, and refuse proportional mode;
 *  - prepay_tariff_next_change(): Beijing C&I known answers (runs ending at slot edges, the 23:00-07:00
 *    valley across midnight, the switch-over, the limit) and, over random plans, the band and price
 *    set are constant on every run and differ at its end when it says so.
 */
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

#define N_INTERVALS 80
#define CAP 512
#define CASES 300

static fx_setup_t fx;
static prepay_tariff_t sets[2];
static prepay_tariff_line_t lines_a[CAP], lines_b[CAP];

/* ---- seals ------------------------------------------------------------------------------------ */

static void test_seal_lifecycle(void **state)
{
    (void)state;
    assert_int_equal(fx_build("beijing_ci", &fx), 0);
    prepay_tariff_plan_t *plan = &fx.plan;
    assert_false(prepay_tariff_plan_is_sealed(plan)); /* prepay_tariff_plan_init() leaves it unsealed */
    assert_false(prepay_tariff_plan_is_sealed(NULL));
    assert_int_equal(prepay_tariff_plan_seal(NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_plan_seal(plan), PREPAY_OK);
    assert_true(prepay_tariff_plan_is_sealed(plan));
    /* a copy of a sealed plan is sealed too: the seal names the sets, not the plan's address */
    prepay_tariff_plan_t copy = *plan;
    assert_true(prepay_tariff_plan_is_sealed(&copy));
    /* touching the tariff unseals every plan that uses it */
    prepay_tariff_touch(&fx.sets[0]);
    assert_false(prepay_tariff_plan_is_sealed(plan));
    assert_false(prepay_tariff_plan_is_sealed(&copy));
    prepay_tariff_touch(NULL);
    assert_int_equal(prepay_tariff_plan_seal(plan), PREPAY_OK);
    assert_true(prepay_tariff_plan_is_sealed(plan));
    /* changing the switch time or a set pointer unseals */
    plan->switch_time = 1;
    assert_false(prepay_tariff_plan_is_sealed(plan));
    plan->switch_time = 0;
    assert_true(prepay_tariff_plan_is_sealed(plan));
    fx.sets[1] = fx.sets[0];
    plan->sets[1] = &fx.sets[1];
    assert_false(prepay_tariff_plan_is_sealed(plan));
    assert_int_equal(prepay_tariff_plan_seal(plan), PREPAY_OK);
    assert_true(prepay_tariff_plan_is_sealed(plan));
    prepay_tariff_touch(&fx.sets[1]);
    assert_false(prepay_tariff_plan_is_sealed(plan));
    /* an invalid plan cannot be sealed and stays unsealed */
    fx.sets[1].band_count = 0;
    prepay_tariff_touch(&fx.sets[1]);
    assert_int_equal(prepay_tariff_plan_seal(plan), PREPAY_E_TARIFF_BAD_BAND);
    assert_false(prepay_tariff_plan_is_sealed(plan));
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_feed_result_t r;
    prepay_time_t t0 = fx_time(2024, 7, 15, 12, 0);
    assert_int_equal(prepay_tariff_feed_interval(plan, NULL, &st, t0, t0 + 900, 100, lines_a, CAP, &r),
                     PREPAY_E_TARIFF_BAD_BAND);
    /* sets that disagree cannot be sealed together */
    fx.sets[1] = fx.sets[0];
    fx.sets[1].rounding = PREPAY_ROUND_FLOOR;
    assert_int_equal(prepay_tariff_plan_seal(plan), PREPAY_E_TARIFF_SWITCH_MISMATCH);
    assert_false(prepay_tariff_plan_is_sealed(plan));
}

static void test_seal_broken(void **state)
{
    (void)state;
    assert_int_equal(fx_build("beijing_ci", &fx), 0);
    assert_int_equal(prepay_tariff_plan_seal(&fx.plan), PREPAY_OK);
    prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_feed_result_t r;
    prepay_time_t t0 = fx_time(2024, 7, 15, 12, 0);
    assert_int_equal(prepay_tariff_feed_interval(&fx.plan, NULL, &st, t0, t0 + 900, 100, lines_a, CAP, &r), 1);
    /* changed behind the seal (no prepay_tariff_touch()) */
    fx.sets[0].prices.band_price[0] += 1;
    prepay_tariff_state_t before = st;
    int got = prepay_tariff_feed_interval(&fx.plan, NULL, &st, t0 + 900, t0 + 1800, 100, lines_a, CAP, &r);
#if PREPAY_TARIFF_CHECK_SEALS
    assert_int_equal(got, PREPAY_E_TARIFF_SEAL_BROKEN);
    assert_memory_equal(&before, &st, sizeof st);
    prepay_tariff_run_t run;
    assert_int_equal(prepay_tariff_next_change(&fx.plan, t0, t0 + 86400, &run), PREPAY_E_TARIFF_SEAL_BROKEN);
#else
    /* ordinary builds trust the seal: documented, not checked */
    assert_int_equal(got, 1);
    (void)before;
#endif
    /* touched and sealed again, the change is priced */
    prepay_tariff_touch(&fx.sets[0]);
    assert_int_equal(prepay_tariff_plan_seal(&fx.plan), PREPAY_OK);
    assert_int_equal(prepay_tariff_feed_interval(&fx.plan, NULL, &st, t0 + 1800, t0 + 2700, 1000, lines_a, CAP, &r),
                     1);
    assert_int_equal(lines_a[0].band, PREPAY_BAND_SHARP);
    assert_int_equal(lines_a[0].price, 150000001);
}

/* ---- sealed streaming == unsealed streaming ------------------------------------------------------ */

/* Core members of two states are equal (the cache may differ: it is derived). */
static void assert_core_equal(const prepay_tariff_state_t *a, const prepay_tariff_state_t *b)
{
    assert_int_equal(a->magic, b->magic);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->cycle, b->cycle);
    assert_int_equal(a->position, b->position);
    assert_int_equal(a->cycle_energy, b->cycle_energy);
    assert_int_equal(a->register_time, b->register_time);
    assert_int_equal(a->register_value, b->register_value);
    assert_int_equal(a->charged, b->charged);
    assert_int_equal(a->carry.units, b->carry.units);
    assert_int_equal(a->carry.nanos, b->carry.nanos);
    assert_memory_equal(a->band_energy, b->band_energy, sizeof a->band_energy);
}

static void assert_calls_equal(int got_a, const prepay_tariff_feed_result_t *ra, const prepay_tariff_line_t *la,
                               int got_b, const prepay_tariff_feed_result_t *rb, const prepay_tariff_line_t *lb)
{
    assert_int_equal(got_a, got_b);
    if (got_a == PREPAY_E_BUFFER_TOO_SMALL) {
        assert_int_equal(ra->line_count, rb->line_count);
    }
    if (got_a < 0) {
        return;
    }
    assert_int_equal(ra->line_count, rb->line_count);
    assert_int_equal(ra->due, rb->due);
    assert_int_equal(prepay_amount_compare(ra->exact, rb->exact), 0);
    for (int k = 0; k < got_a; k++) {
        assert_int_equal(la[k].kind, lb[k].kind);
        assert_int_equal(la[k].cycle, lb[k].cycle);
        assert_int_equal(la[k].price_set, lb[k].price_set);
        assert_int_equal(la[k].band, lb[k].band);
        assert_int_equal(la[k].tier, lb[k].tier);
        assert_int_equal(la[k].fixed_index, lb[k].fixed_index);
        assert_int_equal(la[k].item, lb[k].item);
        assert_int_equal(la[k].quantity, lb[k].quantity);
        assert_int_equal(la[k].price, lb[k].price);
        assert_int_equal(la[k].amount.units, lb[k].amount.units);
        assert_int_equal(la[k].amount.nanos, lb[k].amount.nanos);
        assert_int_equal(la[k].money, lb[k].money);
    }
}

/* A random account whose adjusted bounds stay sorted (additions non-decreasing). */
static void random_account(rnd_t *r, prepay_tariff_account_t *account)
{
    assert_int_equal(prepay_tariff_account_init(account), PREPAY_OK);
    account->tier_scale_num = rnd_range(r, 9, 12);
    account->tier_scale_den = 10;
    prepay_energy_t add = 0;
    for (unsigned i = 0; i < PREPAY_MAX_TIERS; i++) {
        add += rnd_range(r, 0, 50000);
        account->tier_add[i] = add;
    }
    if (rnd_range(r, 0, 1) == 0) {
        account->service_start = (prepay_time_t)8766 * 86400 + rnd_range(r, 0, 86400 * 60);
    }
}

static void lockstep(rnd_t *r, const prepay_tariff_plan_t *open, const prepay_tariff_plan_t *sealed,
                     const prepay_tariff_account_t *account, const prepay_tariff_interval_t *iv, size_t n)
{
    bool proportional = open->sets[0]->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL;
    bool readings = rnd_range(r, 0, 2) == 0;
    prepay_tariff_state_t a, b;
    prepay_tariff_compact_state_t c;
    assert_int_equal(prepay_tariff_state_init(&a), PREPAY_OK);
    assert_int_equal(prepay_tariff_state_init(&b), PREPAY_OK);
    assert_int_equal(prepay_tariff_compact_init(&c), PREPAY_OK);
    prepay_tariff_feed_result_t ra, rb, rc;
    prepay_energy_t reading = rnd_range(r, 0, 1000000);
    for (size_t i = 0; i < n; i++) {
        size_t cap = rnd_range(r, 0, 15) == 0 ? (size_t)rnd_range(r, 0, 1) : CAP;
        if (rnd_range(r, 0, 30) == 0) {
            memset(&b.cache, 0, sizeof b.cache); /* a state stored without its cache */
        }
        int got_a, got_b, got_c = 0;
        if (readings) {
            if (i == 0) {
                got_a = prepay_tariff_feed_reading(open, account, &a, iv[0].start, reading, lines_a, cap, &ra);
                got_b = prepay_tariff_feed_reading(sealed, account, &b, iv[0].start, reading, lines_b, cap, &rb);
                assert_calls_equal(got_a, &ra, lines_a, got_b, &rb, lines_b);
                if (!proportional) {
                    got_c = prepay_tariff_compact_feed_reading(sealed, account, &c, iv[0].start, reading, lines_b,
                                                               cap, &rc);
                    assert_calls_equal(got_a, &ra, lines_a, got_c, &rc, lines_b);
                }
            }
            /* readings at interval ends; gaps in the interval list become longer readings */
            prepay_energy_t next = reading + iv[i].energy;
            got_a = prepay_tariff_feed_reading(open, account, &a, iv[i].end, next, lines_a, cap, &ra);
            got_b = prepay_tariff_feed_reading(sealed, account, &b, iv[i].end, next, lines_b, cap, &rb);
            assert_calls_equal(got_a, &ra, lines_a, got_b, &rb, lines_b);
            if (!proportional) {
                got_c = prepay_tariff_compact_feed_reading(sealed, account, &c, iv[i].end, next, lines_b, cap, &rc);
                assert_calls_equal(got_a, &ra, lines_a, got_c, &rc, lines_b);
            }
            if (got_a >= 0) {
                reading = next;
            }
        } else {
            got_a = prepay_tariff_feed_interval(open, account, &a, iv[i].start, iv[i].end, iv[i].energy, lines_a, cap,
                                                &ra);
            got_b = prepay_tariff_feed_interval(sealed, account, &b, iv[i].start, iv[i].end, iv[i].energy, lines_b,
                                                cap, &rb);
            assert_calls_equal(got_a, &ra, lines_a, got_b, &rb, lines_b);
            if (!proportional) {
                got_c = prepay_tariff_compact_feed_interval(sealed, account, &c, iv[i].start, iv[i].end, iv[i].energy,
                                                            lines_b, cap, &rc);
                assert_calls_equal(got_a, &ra, lines_a, got_c, &rc, lines_b);
            }
        }
        assert_core_equal(&a, &b);
        if (!proportional) {
            prepay_tariff_state_t expanded;
            assert_int_equal(prepay_tariff_compact_to_state(&c, &expanded), PREPAY_OK);
            assert_core_equal(&a, &expanded);
        }
    }
    int got_a = prepay_tariff_close_cycle(open, account, &a, lines_a, CAP, &ra);
    int got_b = prepay_tariff_close_cycle(sealed, account, &b, lines_b, CAP, &rb);
    assert_calls_equal(got_a, &ra, lines_a, got_b, &rb, lines_b);
    assert_core_equal(&a, &b);
}

static void test_sealed_stream_equals_unsealed(void **state)
{
    (void)state;
    rnd_t r = {0x5EA1ED0123456789u, NULL, 0, 0};
    static prepay_tariff_interval_t iv[N_INTERVALS];
    for (int k = 0; k < CASES; k++) {
        rnd_tariff(&r, &sets[0], -1);
        prepay_tariff_plan_t open, sealed;
        assert_int_equal(prepay_tariff_plan_init(&open, &sets[0]), PREPAY_OK);
        if (rnd_range(&r, 0, 2) == 0) {
            rnd_second_set(&r, &sets[0], &sets[1]);
            open.sets[1] = &sets[1];
            open.switch_time = (prepay_time_t)8766 * 86400 + rnd_range(&r, 0, 86400 * 40);
        }
        assert_int_equal(prepay_tariff_plan_validate(&open), PREPAY_OK);
        sealed = open;
        assert_int_equal(prepay_tariff_plan_seal(&sealed), PREPAY_OK);
        size_t n = rnd_intervals(&r, iv, N_INTERVALS);
        /* mostly short, contiguous intervals: the fast path's case */
        if (rnd_range(&r, 0, 1) == 0) {
            prepay_time_t t = iv[0].start;
            prepay_time_t step = rnd_range(&r, 0, 1) ? 900 : rnd_range(&r, 1, 4000);
            for (size_t i = 0; i < n; i++) {
                iv[i].start = t;
                iv[i].end = t + step;
                iv[i].energy = rnd_range(&r, 0, 5) == 0 ? 0 : rnd_range(&r, 0, 3000);
                t += step;
            }
        }
        prepay_tariff_account_t account;
        random_account(&r, &account);
        lockstep(&r, &open, &sealed, rnd_range(&r, 0, 1) ? &account : NULL, iv, n);
    }
}

static void test_cache_follows_plan_and_account(void **state)
{
    (void)state;
    /* A state fed with one sealed plan, then with another (prices changed, same shape), prices the second
     * call by the second plan: the cache is keyed by the sealed content and the account. */
    assert_int_equal(fx_build("beijing_ci", &fx), 0);
    prepay_tariff_plan_t p1 = fx.plan, p2;
    assert_int_equal(prepay_tariff_plan_seal(&p1), PREPAY_OK);
    fx.sets[1] = fx.sets[0];
    fx.sets[1].prices.band_price[PREPAY_BAND_SHARP - 1] = 200000000;
    assert_int_equal(prepay_tariff_plan_init(&p2, &fx.sets[1]), PREPAY_OK);
    assert_int_equal(prepay_tariff_plan_seal(&p2), PREPAY_OK);
    assert_true(p1.seal.stamp != p2.seal.stamp);
    prepay_tariff_compact_state_t st;
    assert_int_equal(prepay_tariff_compact_init(&st), PREPAY_OK);
    prepay_tariff_feed_result_t r;
    prepay_time_t t0 = fx_time(2024, 7, 15, 11, 0);
    assert_int_equal(prepay_tariff_compact_feed_interval(&p1, NULL, &st, t0, t0 + 900, 1000, lines_a, CAP, &r), 1);
    assert_int_equal(lines_a[0].price, 150000000);
    assert_int_equal(prepay_tariff_compact_feed_interval(&p2, NULL, &st, t0 + 900, t0 + 1800, 1000, lines_a, CAP, &r),
                     1);
    assert_int_equal(lines_a[0].price, 200000000);
    /* an account that moves the tier bound: the cached tier must not be reused */
    assert_int_equal(fx_build("beijing_month", &fx), 0);
    assert_int_equal(prepay_tariff_plan_seal(&fx.plan), PREPAY_OK);
    assert_int_equal(prepay_tariff_compact_init(&st), PREPAY_OK);
    t0 = fx_time(2024, 7, 1, 0, 0);
    /* 239.999 kWh: still tier 1 under the plain account (bound 240 kWh) */
    assert_int_equal(prepay_tariff_compact_feed_interval(&fx.plan, NULL, &st, t0, t0 + 3600, 239999, lines_a, CAP, &r),
                     1);
    assert_int_equal(lines_a[0].tier, 1);
    prepay_tariff_account_t small;
    assert_int_equal(prepay_tariff_account_init(&small), PREPAY_OK);
    small.tier_scale_num = 9;
    small.tier_scale_den = 10; /* bounds 216 and 360 kWh: the next Wh is in tier 2 */
    assert_int_equal(
        prepay_tariff_compact_feed_interval(&fx.plan, &small, &st, t0 + 3600, t0 + 3700, 1, lines_a, CAP, &r), 1);
    assert_int_equal(lines_a[0].tier, 2);
}

/* ---- compact states -------------------------------------------------------------------------------- */

static void test_compact_state(void **state)
{
    (void)state;
    /* the compact state does not grow with the band capacity */
    assert_true(sizeof(prepay_tariff_compact_state_t) <= 128);
    assert_int_equal(sizeof(prepay_tariff_state_t) - sizeof(prepay_tariff_compact_state_t),
                     sizeof(((prepay_tariff_state_t *)0)->band_energy) +
                         sizeof(((prepay_tariff_state_t *)0)->demand));
    assert_int_equal(prepay_tariff_compact_init(NULL), PREPAY_E_INVALID_ARGUMENT);
    prepay_tariff_compact_state_t c;
    prepay_tariff_feed_result_t r;
    prepay_time_t t0 = fx_time(2024, 7, 15, 11, 0);
    prepay_tariff_state_t full;
#if PREPAY_TARIFF_PROPORTIONAL
    assert_int_equal(fx_build("shanghai_prop", &fx), 0);
    assert_int_equal(prepay_tariff_plan_seal(&fx.plan), PREPAY_OK);
    assert_int_equal(prepay_tariff_compact_init(&c), PREPAY_OK);
    prepay_tariff_compact_state_t before = c;
    assert_int_equal(prepay_tariff_compact_feed_interval(&fx.plan, NULL, &c, t0, t0 + 900, 1000, lines_a, CAP, &r),
                     PREPAY_E_TARIFF_NEEDS_BANDS);
    assert_int_equal(prepay_tariff_compact_feed_reading(&fx.plan, NULL, &c, t0, 1000, lines_a, CAP, &r),
                     PREPAY_E_TARIFF_NEEDS_BANDS);
    assert_memory_equal(&before, &c, sizeof c);
    /* a full proportional state with band energy cannot be packed; an empty one can */
    assert_int_equal(prepay_tariff_state_init(&full), PREPAY_OK);
    assert_int_equal(prepay_tariff_compact_from_state(&full, &c), PREPAY_OK);
    assert_int_equal(prepay_tariff_feed_interval(&fx.plan, NULL, &full, t0, t0 + 900, 1000, lines_a, CAP, &r), 0);
    assert_int_equal(prepay_tariff_compact_from_state(&full, &c), PREPAY_E_TARIFF_NEEDS_BANDS);
    assert_int_equal(prepay_tariff_compact_from_state(NULL, &c), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_compact_to_state(&c, NULL), PREPAY_E_INVALID_ARGUMENT);
    prepay_tariff_compact_state_t bad = c;
    bad.magic = 0;
    assert_int_equal(prepay_tariff_compact_to_state(&bad, &full), PREPAY_E_TARIFF_BAD_STATE);
    bad = c;
    bad.cycle_energy = -1;
    assert_int_equal(prepay_tariff_compact_feed_interval(&fx.plan, NULL, &bad, t0, t0 + 900, 1, lines_a, CAP, &r),
                     PREPAY_E_TARIFF_BAD_STATE);
#else
    assert_int_equal(prepay_tariff_state_init(&full), PREPAY_OK); /* proportional tiers left out of this configuration */
#endif
    /* a chronological stream: compact -> full -> batch continues where the stream stopped */
    assert_int_equal(fx_build("shanghai_chrono", &fx), 0);
    assert_int_equal(prepay_tariff_plan_seal(&fx.plan), PREPAY_OK);
    assert_int_equal(prepay_tariff_compact_init(&c), PREPAY_OK);
    assert_int_equal(prepay_tariff_compact_feed_interval(&fx.plan, NULL, &c, t0, t0 + 900, 4000, lines_a, CAP, &r),
                     1);
    assert_int_equal(prepay_tariff_compact_to_state(&c, &full), PREPAY_OK);
    prepay_tariff_interval_t iv = {t0 + 900, t0 + 1800, 5000};
    prepay_tariff_bill_t bill;
    assert_int_equal(prepay_tariff_bill_init(&bill, &fx.sets[0], lines_b, CAP), PREPAY_OK);
    assert_int_equal(prepay_tariff_eval_batch(&fx.plan, NULL, &full, &iv, 1, &bill), PREPAY_OK);
    assert_int_equal(full.cycle_energy, 9000);
    prepay_tariff_compact_state_t back;
    assert_int_equal(prepay_tariff_compact_from_state(&full, &back), PREPAY_OK);
    assert_int_equal(back.cycle_energy, 9000);
    assert_int_equal(back.position, t0 + 1800);
}

/* ---- next change --------------------------------------------------------------------------------- */

static void expect_run_at(int line, const prepay_tariff_plan_t *plan, prepay_time_t at, prepay_time_t limit,
                          prepay_time_t until, unsigned band, unsigned set, unsigned changes)
{
    prepay_tariff_run_t run;
    int status = prepay_tariff_next_change(plan, at, limit, &run);
    if (status != PREPAY_OK || run.until != until || run.band != band || run.price_set != set ||
        run.changes != changes) {
        fail_msg("line %d: status %d until %+lld band %u set %u changes %u", line, status,
                 status ? 0 : (long long)(run.until - until), run.band, run.price_set, run.changes);
    }
}
#define expect_run(...) expect_run_at(__LINE__, __VA_ARGS__)

static void test_next_change_known(void **state)
{
    (void)state;
    /* Beijing C&I summer day (fixture from tariffs.md): flat 7, peak 10, sharp 11, flat 13, sharp 16,
     * peak 17, flat 22, valley 23 (until 07:00). */
    assert_int_equal(fx_build("beijing_ci", &fx), 0);
    prepay_time_t far = fx_time(2025, 1, 1, 0, 0);
    for (int sealed = 0; sealed < 2; sealed++) {
        if (sealed) {
            assert_int_equal(prepay_tariff_plan_seal(&fx.plan), PREPAY_OK);
        }
        expect_run(&fx.plan, fx_time(2024, 7, 15, 12, 30), far, fx_time(2024, 7, 15, 13, 0), PREPAY_BAND_SHARP, 0, 1);
        expect_run(&fx.plan, fx_time(2024, 7, 15, 11, 0), far, fx_time(2024, 7, 15, 13, 0), PREPAY_BAND_SHARP, 0, 1);
        expect_run(&fx.plan, fx_time(2024, 7, 15, 16, 59) + 59, far, fx_time(2024, 7, 15, 17, 0), PREPAY_BAND_SHARP,
                   0, 1);
        /* the valley runs over midnight to 07:00 */
        expect_run(&fx.plan, fx_time(2024, 7, 15, 23, 30), far, fx_time(2024, 7, 16, 7, 0), PREPAY_BAND_VALLEY, 0, 1);
        expect_run(&fx.plan, fx_time(2024, 7, 16, 0, 0), far, fx_time(2024, 7, 16, 7, 0), PREPAY_BAND_VALLEY, 0, 1);
        /* the limit ends the search */
        expect_run(&fx.plan, fx_time(2024, 7, 15, 23, 30), fx_time(2024, 7, 16, 1, 0), fx_time(2024, 7, 16, 1, 0),
                   PREPAY_BAND_VALLEY, 0, 0);
        /* the first day of the winter season starts in the valley too */
        expect_run(&fx.plan, fx_time(2024, 11, 30, 23, 0), far, fx_time(2024, 12, 1, 7, 0), PREPAY_BAND_VALLEY, 0, 1);
    }
    prepay_tariff_run_t run;
    assert_int_equal(prepay_tariff_next_change(NULL, 0, 1, &run), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_next_change(&fx.plan, 5, 5, &run), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_next_change(&fx.plan, 0, 1, NULL), PREPAY_E_INVALID_ARGUMENT);
    /* a flat plan (band 3 everywhere) switching to set B: the run ends at the switch though the band stays */
    assert_int_equal(fx_build("switch", &fx), 0);
    const unsigned flat = PREPAY_BAND_FLAT;
    expect_run(&fx.plan, fx_time(2024, 5, 1, 0, 0), far, fx_time(2024, 5, 15, 12, 0), flat, 0, 1);
    expect_run(&fx.plan, fx_time(2024, 5, 15, 12, 0), far, far, flat, 1, 0);
    expect_run(&fx.plan, fx_time(2024, 5, 1, 0, 0), fx_time(2024, 5, 2, 0, 0), fx_time(2024, 5, 2, 0, 0), flat, 0, 0);
    /* no seasons, one override day (2024-06-20 15:00-17:00 sharp): one search, not a walk */
    assert_int_equal(fx_build("override", &fx), 0);
    fx.sets[0].schedule.override_count = 1;
    expect_run(&fx.plan, fx_time(2024, 6, 20, 15, 30), far, fx_time(2024, 6, 20, 17, 0), PREPAY_BAND_SHARP, 0, 1);
    fx.sets[0].schedule.season_count = 0;
    fx.sets[0].schedule.default_band = PREPAY_BAND_FLAT;
    expect_run(&fx.plan, fx_time(2024, 1, 1, 0, 0), far, fx_time(2024, 6, 20, 15, 0), PREPAY_BAND_FLAT, 0, 1);
    expect_run(&fx.plan, fx_time(2024, 6, 20, 17, 0), far, far, PREPAY_BAND_FLAT, 0, 0);
    /* an unsealed invalid plan is refused */
    fx.sets[0].schedule.default_band = 0;
    assert_int_equal(prepay_tariff_next_change(&fx.plan, 0, 1, &run), PREPAY_E_TARIFF_BAD_BAND);
}

/* Band and set in force at an instant, the slow way. */
static void band_of(const prepay_tariff_plan_t *plan, prepay_time_t t, unsigned *band, unsigned *set)
{
    *set = plan->sets[1] && t >= plan->switch_time ? 1u : 0u;
    assert_int_equal(prepay_tariff_band_at(plan->sets[*set], t, band), PREPAY_OK);
}

static void test_next_change_property(void **state)
{
    (void)state;
    rnd_t r = {0x0DDBA11CAFE12345u, NULL, 0, 0};
    for (int k = 0; k < CASES; k++) {
        rnd_tariff(&r, &sets[0], -1);
        prepay_tariff_plan_t plan;
        assert_int_equal(prepay_tariff_plan_init(&plan, &sets[0]), PREPAY_OK);
        if (rnd_range(&r, 0, 2) == 0) {
            rnd_second_set(&r, &sets[0], &sets[1]);
            plan.sets[1] = &sets[1];
            plan.switch_time = (prepay_time_t)8766 * 86400 + rnd_range(&r, 0, 86400 * 40);
        }
        if (rnd_range(&r, 0, 1)) {
            assert_int_equal(prepay_tariff_plan_seal(&plan), PREPAY_OK);
        }
        prepay_time_t at = (prepay_time_t)8766 * 86400 + rnd_range(&r, 0, 86400 * 60);
        for (int step = 0; step < 12; step++) {
            prepay_time_t limit = at + rnd_range(&r, 1, 86400 * 20);
            prepay_tariff_run_t run;
            assert_int_equal(prepay_tariff_next_change(&plan, at, limit, &run), PREPAY_OK);
            assert_true(run.until > at && run.until <= limit);
            unsigned band, set;
            band_of(&plan, at, &band, &set);
            assert_int_equal(run.band, band);
            assert_int_equal(run.price_set, set);
            /* constant on the run: every minute edge inside it and the last second */
            prepay_time_t probe = at - at % 60 + 60;
            for (int n = 0; probe < run.until && n < 3000; probe += 60, n++) {
                unsigned b2, s2;
                band_of(&plan, probe, &b2, &s2);
                assert_int_equal(b2, band);
                assert_int_equal(s2, set);
            }
            unsigned b2, s2;
            band_of(&plan, run.until - 1, &b2, &s2);
            assert_int_equal(b2, band);
            assert_int_equal(s2, set);
            band_of(&plan, run.until, &b2, &s2);
            if (run.changes) {
                assert_true(b2 != band || s2 != set);
            } else {
                assert_int_equal(run.until, limit);
            }
            at = run.until + (rnd_range(&r, 0, 3) == 0 ? rnd_range(&r, 0, 86400) : 0);
        }
    }
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_lifecycle),
        cmocka_unit_test(test_seal_broken),
        cmocka_unit_test(test_sealed_stream_equals_unsealed),
        cmocka_unit_test(test_cache_follows_plan_and_account),
        cmocka_unit_test(test_compact_state),
        cmocka_unit_test(test_next_change_known),
        cmocka_unit_test(test_next_change_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
