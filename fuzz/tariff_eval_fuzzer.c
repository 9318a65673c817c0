/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the tariff engine (validation and evaluation).
 *
 * First byte even: the rest is copied over a prepay_tariff_t as raw bytes (hostile struct);
 * validation must reject it or accept it without undefined behaviour, and an accepted tariff
 * is evaluated. First byte odd: the bytes drive a generator of valid random tariffs
 * (tests/tariff/tariff_random.h) and interval streams. In both cases the invariants are
 * checked: streaming (feed + close, lines into a bill) == batch, and every bill total equals
 * the sum of its lines (per-line scope) or its exact sum rounded once (per-bill scope);
 * streaming on the sealed plan (full and compact states) gives, call by call, what streaming on
 * the unsealed plan gives; prepay_tariff_next_change() agrees with prepay_tariff_band_at().
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/tariff/tariff_random.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_INTERVALS 24
#define FUZZ_LINES 2048

static prepay_tariff_t sets[2];
static prepay_tariff_line_t batch_lines[FUZZ_LINES], stream_lines[FUZZ_LINES], feed_lines[FUZZ_LINES];

static void check(const prepay_tariff_plan_t *plan, const prepay_tariff_interval_t *iv, size_t n)
{
    prepay_tariff_bill_t batch, stream;
    if (prepay_tariff_bill_init(&batch, plan->sets[0], batch_lines, FUZZ_LINES) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    int batch_status = prepay_tariff_eval_batch(plan, NULL, NULL, iv, n, &batch);
    if (prepay_tariff_bill_init(&stream, plan->sets[0], stream_lines, FUZZ_LINES) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    prepay_tariff_state_t st;
    if (prepay_tariff_state_init(&st) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    prepay_tariff_feed_result_t r;
    int stream_status = PREPAY_OK;
    for (size_t i = 0; i < n && stream_status == PREPAY_OK; i++) {
        prepay_tariff_state_t before = st;
        int got = prepay_tariff_feed_interval(plan, NULL, &st, iv[i].start, iv[i].end, iv[i].energy, feed_lines,
                                              FUZZ_LINES, &r);
        if (got < 0) {
            if (memcmp(&before, &st, sizeof st) != 0) {
                abort(); /* an error must leave the state unchanged */
            }
            stream_status = got;
            break;
        }
        stream_status = prepay_tariff_bill_add(&stream, feed_lines, (size_t)got);
    }
    if (stream_status == PREPAY_OK) {
        int got = prepay_tariff_close_cycle(plan, NULL, &st, feed_lines, FUZZ_LINES, &r);
        stream_status = got < 0 ? got : prepay_tariff_bill_add(&stream, feed_lines, (size_t)got);
    }
    if (stream_status == PREPAY_OK) {
        stream_status = prepay_tariff_bill_finish(&stream);
    }
    if (batch_status == PREPAY_E_BUFFER_TOO_SMALL || stream_status == PREPAY_E_BUFFER_TOO_SMALL) {
        return;
    }
    if ((batch_status == PREPAY_OK) != (stream_status == PREPAY_OK)) {
        abort();
    }
    if (batch_status != PREPAY_OK) {
        return;
    }
    if (batch.line_count != stream.line_count || batch.total != stream.total ||
        prepay_amount_compare(batch.exact_total, stream.exact_total) != 0) {
        abort();
    }
    prepay_amount_t exact = {0, 0};
    prepay_money_t money = 0;
    for (size_t k = 0; k < batch.line_count; k++) {
        const prepay_tariff_line_t *a = &batch_lines[k], *b = &stream_lines[k];
        if (a->quantity != b->quantity || a->price != b->price || a->band != b->band || a->tier != b->tier ||
            a->cycle != b->cycle || prepay_amount_compare(a->amount, b->amount) != 0) {
            abort();
        }
        if (prepay_amount_add(exact, a->amount, &exact) != PREPAY_OK) {
            return;
        }
        money += a->money;
    }
    if (prepay_amount_compare(exact, batch.exact_total) != 0) {
        abort();
    }
    if (batch.scope == PREPAY_ROUND_PER_LINE && money != batch.total) {
        abort();
    }
}

/* Sealed == unsealed, call by call: return value, line count, due, exact total and state. */
static void check_sealed(const prepay_tariff_plan_t *plan, const prepay_tariff_interval_t *iv, size_t n)
{
    prepay_tariff_plan_t sealed = *plan;
    if (prepay_tariff_plan_seal(&sealed) != PREPAY_OK) {
        abort(); /* the plan was validated */
    }
    /* A compact state has no room for demand peaks: it refuses demand tariffs (compared below). */
    bool demand = plan->sets[0]->demand.rate_count != 0 || plan->sets[0]->demand.capacity_price != 0;
    bool compact = plan->sets[0]->tou_tier_mode != PREPAY_TOU_TIER_PROPORTIONAL && !demand;
    static prepay_tariff_state_t a, b;
    prepay_tariff_compact_state_t c;
    if (prepay_tariff_state_init(&a) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    if (prepay_tariff_state_init(&b) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    if (prepay_tariff_compact_init(&c) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    for (size_t i = 0; i < n; i++) {
        prepay_tariff_feed_result_t ra, rb, rc;
        int ga = prepay_tariff_feed_interval(plan, NULL, &a, iv[i].start, iv[i].end, iv[i].energy, feed_lines,
                                             FUZZ_LINES, &ra);
        int gb = prepay_tariff_feed_interval(&sealed, NULL, &b, iv[i].start, iv[i].end, iv[i].energy, stream_lines,
                                             FUZZ_LINES, &rb);
        int gc = compact ? prepay_tariff_compact_feed_interval(&sealed, NULL, &c, iv[i].start, iv[i].end,
                                                               iv[i].energy, batch_lines, FUZZ_LINES, &rc)
                         : ga;
        if (!compact) {
            rc = ra;
        }
        if (ga != gb || ga != gc) {
            abort();
        }
        if (ga >= 0 && (ra.line_count != rb.line_count || ra.due != rb.due || ra.due != rc.due ||
                        prepay_amount_compare(ra.exact, rb.exact) != 0 ||
                        prepay_amount_compare(ra.exact, rc.exact) != 0)) {
            abort();
        }
        if (a.position != b.position || a.cycle_energy != b.cycle_energy || a.charged != b.charged ||
            memcmp(a.band_energy, b.band_energy, sizeof a.band_energy) != 0 ||
            a.demand.cycle != b.demand.cycle || a.demand.flat_peak != b.demand.flat_peak ||
            memcmp(a.demand.peak, b.demand.peak, sizeof a.demand.peak) != 0 ||
            memcmp(a.demand.history, b.demand.history, sizeof a.demand.history) != 0 ||
            (compact && (c.position != a.position || c.cycle_energy != a.cycle_energy || c.charged != a.charged))) {
            abort();
        }
    }
    /* the run found by next_change has one band and set, and changes where it says */
    prepay_tariff_run_t run;
    prepay_time_t at = iv[0].start;
    if (prepay_tariff_next_change(&sealed, at, at + 86400 * 3, &run) == PREPAY_OK) {
        unsigned set = sealed.sets[1] && at >= sealed.switch_time ? 1u : 0u, band;
        if (prepay_tariff_band_at(sealed.sets[set], at, &band) != PREPAY_OK || band != run.band ||
            set != run.price_set || run.until <= at) {
            abort();
        }
        unsigned last_set = sealed.sets[1] && run.until - 1 >= sealed.switch_time ? 1u : 0u, last;
        if (prepay_tariff_band_at(sealed.sets[last_set], run.until - 1, &last) != PREPAY_OK || last != band ||
            last_set != set) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    prepay_tariff_plan_t plan;
    prepay_tariff_interval_t iv[FUZZ_INTERVALS];
    rnd_t r = {0x9E3779B97F4A7C15u, data + 1, size - 1, 0};
    if ((data[0] & 1u) == 0) {
        /* hostile struct */
        if (prepay_tariff_init(&sets[0]) != PREPAY_OK) {
            abort(); /* the target's own set-up failed: a bug, not an input to ignore */
        }
        size_t n = size - 1 < sizeof sets[0] ? size - 1 : sizeof sets[0];
        memcpy(&sets[0], data + 1, n);
        if (prepay_tariff_validate(&sets[0]) != PREPAY_OK) {
            return 0;
        }
        if (prepay_tariff_plan_init(&plan, &sets[0]) != PREPAY_OK) {
            abort(); /* the target's own set-up failed: a bug, not an input to ignore */
        }
    } else {
        rnd_tariff(&r, &sets[0], -1);
        /* (Not in a build without demand charges: PREPAY_TARIFF_DEMAND 0 refuses them.) */
        bool demand = PREPAY_TARIFF_DEMAND && rnd_range(&r, 0, 2) == 0;
        if (demand) {
            rnd_demand(&r, &sets[0]); /* monthly demand and capacity charges */
        }
        if (prepay_tariff_plan_init(&plan, &sets[0]) != PREPAY_OK) {
            abort(); /* the target's own set-up failed: a bug, not an input to ignore */
        }
        if (data[0] & 2u) {
            rnd_second_set(&r, &sets[0], &sets[1]);
            if (demand) {
                sets[1].unit = sets[0].unit;
                sets[1].cycle_kind = sets[0].cycle_kind;
                sets[1].demand = sets[0].demand;
                for (unsigned b = sets[1].band_count; b < PREPAY_MAX_TARIFF_INDEX; b++) {
                    sets[1].demand.period_of_band[b] = 0;
                }
            }
            plan.sets[1] = &sets[1];
            plan.switch_time = (prepay_time_t)8766 * 86400 + rnd_range(&r, 0, 86400 * 40);
        }
        if (prepay_tariff_plan_validate(&plan) != PREPAY_OK) {
            abort(); /* the generator only makes valid tariffs */
        }
    }
    size_t n = rnd_intervals(&r, iv, (size_t)(data[0] >> 2) % FUZZ_INTERVALS + 1u);
    check(&plan, iv, n);
    check_sealed(&plan, iv, n);
    /* vending never fails on a valid plan except for free energy */
    prepay_energy_t energy;
    int status = prepay_tariff_vend(&plan, NULL, NULL, iv[0].start, 0, (prepay_money_t)rnd_range(&r, 0, 100000), 1,
                                    &energy, NULL);
    if (status != PREPAY_OK && status != PREPAY_E_TARIFF_FREE_ENERGY && status != PREPAY_E_BAD_DATE) {
        abort();
    }
    return 0;
}
