/* SPDX-License-Identifier: MIT */
/* Batch evaluation: intervals in, bill out. Same engine as streaming, plus a fast path. */
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_engine_internal.h"

typedef struct batch_sink {
    prepay__sink_t base; /* first member */
    const prepay_tariff_plan_t *plan;
    prepay_tariff_bill_t *bill;
    bool active; /* acc and fixed belong to `cycle` */
    int32_t cycle;
    uint8_t fixed_set;
    uint8_t fixed_count;
    bool too_small;
    prepay_energy_t acc[PREPAY_TARIFF_PRICE_SETS][PREPAY_MAX_TARIFF_INDEX][PREPAY_MAX_TIERS];
} batch_sink_t;

static int sink_insert(batch_sink_t *s, prepay_tariff_line_t *line)
{
    int status = prepay_amount_round(line->amount, s->bill->rounding, &line->money);
    if (status == PREPAY_OK) {
        status = prepay__bill_insert(s->bill, line);
    }
    if (status == PREPAY_E_BUFFER_TOO_SMALL) {
        s->too_small = true;
        status = PREPAY_OK;
    }
    return status;
}

/* Writes the accumulated lines of the sink's cycle into the bill, in canonical order. */
static int sink_flush(batch_sink_t *s)
{
    if (!s->active) {
        return PREPAY_OK;
    }
    for (unsigned k = 0; k < PREPAY_TARIFF_PRICE_SETS; k++) {
        const prepay_tariff_t *t = s->plan->sets[k];
        if (!t) {
            continue;
        }
        for (unsigned b = 0; b < t->band_count; b++) {
            for (unsigned i = 0; i < t->tier_count; i++) {
                prepay_energy_t q = s->acc[k][b][i];
                if (q == 0) {
                    continue;
                }
                s->acc[k][b][i] = 0;
                prepay_tariff_line_t line;
                memset(&line, 0, sizeof line);
                line.kind = PREPAY_LINE_ENERGY;
                line.cycle = s->cycle;
                line.price_set = (uint8_t)k;
                line.band = (uint8_t)(b + 1u);
                line.tier = (uint8_t)(i + 1u);
                line.quantity = q;
                int status = prepay__tariff_price(t, b + 1u, i + 1u, &line.price);
                if (status == PREPAY_OK) {
                    status = prepay_amount_from_product(q, line.price, &line.amount);
                }
                if (status == PREPAY_OK) {
                    status = sink_insert(s, &line);
                }
                if (status != PREPAY_OK) {
                    return status;
                }
            }
        }
    }
    const prepay_tariff_t *t = s->plan->sets[s->fixed_set];
    for (unsigned i = 0; PREPAY_MAX_FIXED_CHARGES > 0 && i < s->fixed_count; i++) {
        prepay_tariff_line_t line;
        memset(&line, 0, sizeof line);
        line.kind = PREPAY_LINE_FIXED;
        line.cycle = s->cycle;
        line.price_set = s->fixed_set;
        line.fixed_index = (uint8_t)i;
        line.item = t->fixed_charges[i].item;
        line.amount = prepay_amount_from_money(t->fixed_charges[i].amount);
        int status = sink_insert(s, &line);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    s->fixed_count = 0;
    s->active = false;
    return PREPAY_OK;
}

static int sink_switch(batch_sink_t *s, int32_t cycle)
{
    if (s->active && s->cycle == cycle) {
        return PREPAY_OK;
    }
    int status = sink_flush(s);
    if (status == PREPAY_OK) {
        s->active = true;
        s->cycle = cycle;
    }
    return status;
}

static int sink_energy(prepay__sink_t *base, int32_t cycle, unsigned set, unsigned band, unsigned tier,
                       prepay_energy_t quantity)
{
    batch_sink_t *s = (batch_sink_t *)base;
    int status = sink_switch(s, cycle);
    if (status == PREPAY_OK) {
        /* Cannot overflow: the sum is at most the cycle's energy, which the engine checks. */
        s->acc[set][band - 1u][tier - 1u] += quantity;
    }
    return status;
}

static int sink_fixed(prepay__sink_t *base, int32_t cycle, unsigned set, unsigned index)
{
    batch_sink_t *s = (batch_sink_t *)base;
    int status = sink_switch(s, cycle);
    if (status == PREPAY_OK) {
        s->fixed_set = (uint8_t)set;
        s->fixed_count = (uint8_t)(index + 1u);
    }
    return status;
}

static int sink_charge(prepay__sink_t *base, const prepay_tariff_line_t *line)
{
    prepay_tariff_line_t copy = *line;
    return sink_insert((batch_sink_t *)base, &copy);
}

/* The fast path's view of the current band segment. */
typedef struct segment_cache {
    bool valid;
    unsigned set;
    unsigned band;
    prepay_time_t start, end;
} segment_cache_t;

/* Prices an interval without splitting when it lies in one cycle, price set, band segment
 * and tier: the same result as the engine, which would make exactly one sink call. */
static bool fast_interval(prepay__engine_t *e, batch_sink_t *s, segment_cache_t *c, const prepay_tariff_interval_t *iv)
{
    prepay_tariff_compact_state_t *st = &e->st;
    const uint8_t need = PREPAY__FLAG_POSITION | PREPAY__FLAG_CYCLE_OPEN;
    if ((st->flags & (need | PREPAY__FLAG_CYCLE_CLOSED)) != need || iv->start < st->position ||
        iv->end <= iv->start || iv->energy < 0 || !e->cycle_cached || e->cached_cycle != st->cycle ||
        iv->start < e->cycle_start || iv->end > e->cycle_end) {
        return false;
    }
    const prepay_tariff_plan_t *plan = e->plan;
    unsigned set = 0;
    if (plan->sets[1]) {
        if (iv->start >= plan->switch_time) {
            set = 1;
        } else if (iv->end > plan->switch_time) {
            return false;
        }
    }
    if (!c->valid || c->set != set || iv->start < c->start || iv->end > c->end) {
        prepay_days_t day = prepay_time_day_of(iv->start);
        c->valid = false;
        if (prepay__engine_day(e, set, day) != PREPAY_OK) {
            return false;
        }
        const prepay__day_segments_t *seg = &e->seg[set];
        unsigned minute = (unsigned)prepay_time_second_of_day(iv->start) / 60u;
        uint16_t i = 0;
        while (i + 1u < seg->count && seg->start[i + 1u] <= minute) {
            i++;
        }
        prepay_time_t base = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY;
        c->valid = true;
        c->set = set;
        c->band = seg->band[i];
        c->start = base + (prepay_time_t)seg->start[i] * 60;
        c->end = base + (prepay_time_t)seg->start[i + 1u] * 60;
        if (iv->end > c->end) {
            return false;
        }
    }
    const prepay_tariff_t *t = plan->sets[set];
    prepay_energy_t q = iv->energy;
    prepay_power_t power = 0;
    if (q > INT64_MAX - st->cycle_energy ||
        (PREPAY_TARIFF_DEMAND && e->demand && prepay__interval_demand(iv->start, iv->end, q, &power) != PREPAY_OK)) {
        return false;
    }
    if (PREPAY_TARIFF_PROPORTIONAL && e->proportional) {
        e->bands[set][c->band - 1u] += q;
    } else {
        const prepay_energy_t *upper = e->upper[set];
        unsigned tier = prepay__tier_index(upper, t->tier_count, st->cycle_energy);
        if (q > upper[tier] - st->cycle_energy) {
            return false;
        }
        if (q > 0) {
            if (!s->active || s->cycle != st->cycle) {
                if (sink_switch(s, st->cycle) != PREPAY_OK) {
                    return false;
                }
            }
            s->acc[set][c->band - 1u][tier] += q;
        }
    }
    if (PREPAY_TARIFF_DEMAND && e->demand) {
        prepay__demand_note(e->demand, t, c->band, power, iv->start);
    }
    st->cycle_energy += q;
    st->position = iv->end;
    return true;
}

int prepay_tariff_eval_batch(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                             prepay_tariff_state_t *state, const prepay_tariff_interval_t *intervals, size_t count,
                             prepay_tariff_bill_t *bill)
{
    if (!plan || !bill || (!intervals && count > 0) || bill->line_count > bill->line_cap ||
        (!bill->lines && bill->line_cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_tariff_state_t fresh;
    const prepay_tariff_state_t *start = state;
    if (!state) {
        int init = prepay_tariff_state_init(&fresh);
        if (init != PREPAY_OK) {
            return init;
        }
        start = &fresh;
    }
    prepay_tariff_compact_state_t core;
    prepay__state_load(start, &core);
    bool sealed = false;
    int status = prepay__state_check(&core);
    if (status == PREPAY_OK) {
        status = prepay__bands_check(start->band_energy, core.cycle_energy);
    }
    if (status == PREPAY_OK) {
        status = prepay__demand_state_check(&start->demand);
    }
    if (status == PREPAY_OK) {
        status = prepay__plan_check(plan, &sealed);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    batch_sink_t sink;
    memset(&sink, 0, sizeof sink);
    sink.base.energy = sink_energy;
    sink.base.fixed = PREPAY_MAX_FIXED_CHARGES > 0 ? sink_fixed : NULL; /* never called without slots */
    sink.base.charge = sink_charge;
    sink.plan = plan;
    sink.bill = bill;
    prepay__engine_t engine;
    prepay_energy_t work[PREPAY_TARIFF_PRICE_SETS][PREPAY_MAX_TARIFF_INDEX];
    prepay_tariff_demand_state_t demand_work;
    prepay__engine_start(&engine, plan, account, &core, start->band_energy, work, &sink.base);
    prepay__engine_demand(&engine, &start->demand, &demand_work);
    segment_cache_t cache = {false, 0, 0, 0, 0};
    for (size_t i = 0; i < count; i++) {
        const prepay_tariff_interval_t *iv = &intervals[i];
        if (fast_interval(&engine, &sink, &cache, iv)) {
            continue;
        }
        status = prepay__engine_interval(&engine, iv->start, iv->end, iv->energy);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    status = prepay__engine_close(&engine);
    if (status == PREPAY_OK) {
        status = sink_flush(&sink);
    }
    if (status == PREPAY_OK && sink.too_small) {
        status = PREPAY_E_BUFFER_TOO_SMALL;
    }
    if (status == PREPAY_OK) {
        status = prepay_tariff_bill_finish(bill);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    if (state) {
        prepay__engine_fill_cache(&engine, sealed ? prepay__cache_key(plan, account) : 0u);
        prepay__state_store(&engine.st, state);
        if (PREPAY_TARIFF_PROPORTIONAL && engine.proportional) {
            memcpy(state->band_energy, engine.bands, PREPAY__BANDS_SIZE);
        }
        if (engine.demand) {
            state->demand = *engine.demand;
        }
    }
    return PREPAY_OK;
}
