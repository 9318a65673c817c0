/* SPDX-License-Identifier: MIT */
/* The evaluation engine: splitting, spreading, tier filling and proportional assignment. */
#include <string.h>

#include "../common/wide_internal.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_engine_internal.h"

void prepay__engine_start(prepay__engine_t *e, const prepay_tariff_plan_t *plan,
                          const prepay_tariff_account_t *account, const prepay_tariff_compact_state_t *state,
                          const prepay_energy_t (*bands)[PREPAY_MAX_TARIFF_INDEX],
                          prepay_energy_t (*work)[PREPAY_MAX_TARIFF_INDEX], prepay__sink_t *sink)
{
    e->plan = plan;
    e->account = account;
    e->st = *state;
    e->proportional = PREPAY_TARIFF_PROPORTIONAL && plan->sets[0]->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL;
    e->bands = (prepay_energy_t(*)[PREPAY_MAX_TARIFF_INDEX])0;
    if (PREPAY_TARIFF_PROPORTIONAL && e->proportional) {
        memcpy(work, bands, PREPAY__BANDS_SIZE);
        e->bands = work;
    }
    e->sink = sink;
    e->demand = (prepay_tariff_demand_state_t *)0;
    e->cycle_cached = false;
    e->seg_valid[0] = e->seg_valid[1] = false;
}

void prepay__engine_demand(prepay__engine_t *e, const prepay_tariff_demand_state_t *demand,
                           prepay_tariff_demand_state_t *work)
{
    if (!PREPAY_TARIFF_DEMAND || !demand || !prepay__demand_priced(e->plan, e->st.flags)) {
        return;
    }
    *work = *demand;
    e->demand = work;
    /* A state that opened its month without demand (another plan, a restored state) starts measuring now. */
    if ((e->st.flags & PREPAY__FLAG_CYCLE_OPEN) && work->cycle != e->st.cycle) {
        prepay__demand_begin(work, e->st.cycle, prepay__set_at(e->plan, e->st.position));
    }
}

static int cache_cycle(prepay__engine_t *e)
{
    if (e->cycle_cached && e->cached_cycle == e->st.cycle) {
        return PREPAY_OK;
    }
    const prepay_tariff_t *a = e->plan->sets[0];
    int status = prepay__cycle_bounds(a, e->st.cycle, &e->cycle_start, &e->cycle_end);
    for (unsigned k = 0; status == PREPAY_OK && k < PREPAY_TARIFF_PRICE_SETS; k++) {
        if (e->plan->sets[k]) {
            status = prepay__tier_bounds(e->plan->sets[k], e->account, e->st.cycle, e->upper[k]);
        }
    }
    if (status != PREPAY_OK) {
        e->cycle_cached = false;
        return status;
    }
    e->cycle_cached = true;
    e->cached_cycle = e->st.cycle;
    return PREPAY_OK;
}

/* Proportional assignment of the open cycle (NREL SAM monthly rule), exact. */
static int close_proportional(prepay__engine_t *e)
{
    prepay_tariff_compact_state_t *st = &e->st;
    prepay_energy_t total = st->cycle_energy;
    if (total == 0) {
        return PREPAY_OK;
    }
    int status = cache_cycle(e);
    if (status != PREPAY_OK) {
        return status;
    }
    const prepay_energy_t *upper = e->upper[0];
    unsigned tiers = e->plan->sets[0]->tier_count;
    enum { PARTS = PREPAY_TARIFF_PRICE_SETS * PREPAY_MAX_TARIFF_INDEX };
    prepay_energy_t remaining[PARTS];
    prepay_energy_t alloc[PARTS];
    uint64_t remainder[PARTS];
    bool bumped[PARTS];
    for (unsigned p = 0; p < PARTS; p++) {
        remaining[p] = e->bands[p / PREPAY_MAX_TARIFF_INDEX][p % PREPAY_MAX_TARIFF_INDEX];
    }
    prepay_energy_t below = 0; /* cumulative bound of the previous tier, capped at total */
    for (unsigned t = 0; t < tiers && below < total; t++) {
        prepay_energy_t top = upper[t] < total ? upper[t] : total;
        prepay_energy_t quantity = top - below;
        below = top;
        if (quantity == 0) {
            continue;
        }
        if (top == total) {
            /* The last tier reached takes what each band has left: rows sum exactly. */
            for (unsigned p = 0; p < PARTS; p++) {
                alloc[p] = remaining[p];
            }
        } else {
            prepay_energy_t given = 0;
            for (unsigned p = 0; p < PARTS; p++) {
                alloc[p] = 0;
                remainder[p] = 0;
                bumped[p] = false;
                if (remaining[p] == 0) {
                    continue;
                }
                prepay_energy_t weight = e->bands[p / PREPAY_MAX_TARIFF_INDEX][p % PREPAY_MAX_TARIFF_INDEX];
                uint64_t q, r;
                prepay__u128_t product = prepay__u128_mul((uint64_t)quantity, (uint64_t)weight);
                (void)prepay__u128_divmod(product, (uint64_t)total, &q, &r); /* q <= quantity: fits */
                prepay_energy_t share = (prepay_energy_t)q;
                alloc[p] = share < remaining[p] ? share : remaining[p];
                remainder[p] = r;
                given += alloc[p];
            }
            /* Largest remainder: one Wh each, larger remainder first, ties to the lower (set, band). */
            prepay_energy_t left = quantity - given;
            while (left > 0) {
                int best = -1;
                for (unsigned p = 0; p < PARTS; p++) {
                    if (bumped[p] || alloc[p] >= remaining[p]) {
                        continue;
                    }
                    if (best < 0 || remainder[p] > remainder[best]) {
                        best = (int)p;
                    }
                }
                if (best < 0) {
                    /* Every part got one this pass: start another pass. */
                    bool any = false;
                    for (unsigned p = 0; p < PARTS; p++) {
                        bumped[p] = false;
                        any = any || alloc[p] < remaining[p];
                    }
                    if (!any) {
                        return PREPAY_E_TARIFF_BAD_STATE; /* cannot happen: sum(remaining) >= quantity */
                    }
                    continue;
                }
                alloc[best]++;
                bumped[best] = true;
                left--;
            }
        }
        for (unsigned p = 0; p < PARTS; p++) {
            if (alloc[p] == 0) {
                continue;
            }
            remaining[p] -= alloc[p];
            status = e->sink->energy(e->sink, st->cycle, p / PREPAY_MAX_TARIFF_INDEX,
                                     p % PREPAY_MAX_TARIFF_INDEX + 1u, t + 1u, alloc[p]);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    return PREPAY_OK;
}

static int emit_charge(void *context, const prepay_tariff_line_t *line)
{
    prepay__sink_t *sink = context;
    return sink->charge(sink, line);
}

int prepay__engine_close(prepay__engine_t *e)
{
    prepay_tariff_compact_state_t *st = &e->st;
    if (!(st->flags & PREPAY__FLAG_CYCLE_OPEN) || (st->flags & PREPAY__FLAG_CYCLE_CLOSED)) {
        return PREPAY_OK;
    }
    if (!(PREPAY_TARIFF_PROPORTIONAL && e->proportional) && !e->demand) {
        return PREPAY_OK;
    }
    int status = PREPAY_TARIFF_PROPORTIONAL && e->proportional ? close_proportional(e) : PREPAY_OK;
    if (PREPAY_TARIFF_DEMAND && status == PREPAY_OK && e->demand) {
        status = prepay__demand_close(e->plan, e->account, e->demand, true, emit_charge, e->sink);
    }
    if (status == PREPAY_OK) {
        st->flags |= PREPAY__FLAG_CYCLE_CLOSED;
    }
    return status;
}

int prepay__engine_enter_cycle(prepay__engine_t *e, prepay_time_t at)
{
    prepay_tariff_compact_state_t *st = &e->st;
    int32_t cycle;
    int status = prepay__cycle_of(e->plan->sets[0], at, &cycle);
    if (status != PREPAY_OK) {
        return status;
    }
    if (st->flags & PREPAY__FLAG_CYCLE_OPEN) {
        if (cycle == st->cycle) {
            if (st->flags & PREPAY__FLAG_CYCLE_CLOSED) {
                return PREPAY_E_TARIFF_CYCLE_CLOSED;
            }
            return cache_cycle(e);
        }
        if (cycle < st->cycle) {
            return PREPAY_E_TARIFF_TIME_ORDER;
        }
        status = prepay__engine_close(e);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    st->cycle = cycle;
    st->cycle_energy = 0;
    if (PREPAY_TARIFF_PROPORTIONAL && e->proportional) {
        memset(e->bands, 0, PREPAY__BANDS_SIZE);
    }
    st->flags = (uint8_t)((st->flags | PREPAY__FLAG_CYCLE_OPEN) & ~PREPAY__FLAG_CYCLE_CLOSED);
    status = cache_cycle(e);
    if (status != PREPAY_OK) {
        return status;
    }
    unsigned set = prepay__set_at(e->plan, at);
    const prepay_tariff_t *t = e->plan->sets[set];
    if (PREPAY_TARIFF_DEMAND && e->demand) {
        prepay__demand_begin(e->demand, cycle, set);
    }
    /* Constant condition: without fixed-charge slots (validation refuses a nonzero count) the
     * loop and the sinks' fixed() handlers fold away. */
    for (unsigned i = 0; PREPAY_MAX_FIXED_CHARGES > 0 && i < t->fixed_charge_count; i++) {
        status = e->sink->fixed(e->sink, cycle, set, i);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

int prepay__engine_day(prepay__engine_t *e, unsigned set, prepay_days_t day)
{
    if (e->seg_valid[set] && e->seg[set].day == day) {
        return PREPAY_OK;
    }
    int status = prepay__tou_day_segments(e->plan->sets[set], day, &e->seg[set]);
    e->seg_valid[set] = status == PREPAY_OK;
    return status;
}

/* One piece: energy q in one (cycle, set, band). Fills tiers in consumption order,
 * or accumulates for proportional assignment at cycle end. */
static PREPAY__ONE_COPY int engine_piece(prepay__engine_t *e, unsigned set, unsigned band, prepay_energy_t q)
{
    prepay_tariff_compact_state_t *st = &e->st;
    if (q == 0) {
        return PREPAY_OK;
    }
    if (q > INT64_MAX - st->cycle_energy) {
        return PREPAY_E_OVERFLOW;
    }
    const prepay_tariff_t *t = e->plan->sets[set];
    if (PREPAY_TARIFF_PROPORTIONAL && e->proportional) {
        e->bands[set][band - 1] += q;
        st->cycle_energy += q;
        return PREPAY_OK;
    }
    const prepay_energy_t *upper = e->upper[set];
    while (q > 0) {
        unsigned tier = prepay__tier_index(upper, t->tier_count, st->cycle_energy);
        prepay_energy_t room = upper[tier] - st->cycle_energy;
        prepay_energy_t take = q < room ? q : room;
        int status = e->sink->energy(e->sink, st->cycle, set, band, tier + 1u, take);
        if (status != PREPAY_OK) {
            return status;
        }
        st->cycle_energy += take;
        q -= take;
    }
    return PREPAY_OK;
}

/* Cumulative energy of [start, x): floor(E (x - start) / (end - start)). */
static int spread(prepay_time_t start, prepay_time_t end, prepay_energy_t energy, prepay_time_t x,
                  prepay_energy_t *out)
{
    if (x >= end) {
        *out = energy;
        return PREPAY_OK;
    }
    return prepay_i64_muldiv(energy, x - start, end - start, PREPAY_ROUND_FLOOR, out);
}

int prepay__engine_interval(prepay__engine_t *e, prepay_time_t start, prepay_time_t end, prepay_energy_t energy)
{
    prepay_tariff_compact_state_t *st = &e->st;
    int64_t length;
    if (end < start || energy < 0 || prepay_i64_sub(end, start, &length) != PREPAY_OK ||
        (length == 0 && energy != 0)) {
        return PREPAY_E_TARIFF_BAD_INTERVAL;
    }
    if ((st->flags & PREPAY__FLAG_POSITION) && start < st->position) {
        return PREPAY_E_TARIFF_TIME_ORDER;
    }
    prepay_power_t power = 0;
    if (PREPAY_TARIFF_DEMAND && e->demand && length > 0) {
        int status = prepay__interval_demand(start, end, energy, &power);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    prepay_time_t a = start;
    prepay_energy_t before = 0;
    while (a < end) {
        unsigned set = prepay__set_at(e->plan, a);
        int status = prepay__engine_enter_cycle(e, a);
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_time_t b = end < e->cycle_end ? end : e->cycle_end;
        if (set == 0 && e->plan->sets[1] && e->plan->switch_time > a && e->plan->switch_time < b) {
            b = e->plan->switch_time;
        }
        prepay_days_t day = prepay_time_day_of(a);
        status = prepay__engine_day(e, set, day);
        if (status != PREPAY_OK) {
            return status;
        }
        const prepay__day_segments_t *seg = &e->seg[set];
        unsigned minute = (unsigned)prepay_time_second_of_day(a) / 60u;
        uint16_t i = 0;
        while (i + 1u < seg->count && seg->start[i + 1u] <= minute) {
            i++;
        }
        prepay_time_t seg_end = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY + (prepay_time_t)seg->start[i + 1u] * 60;
        if (seg_end < b) {
            b = seg_end;
        }
        prepay_energy_t upto;
        status = spread(start, end, energy, b, &upto);
        if (status == PREPAY_OK) {
            status = engine_piece(e, set, seg->band[i], upto - before);
        }
        if (PREPAY_TARIFF_DEMAND && e->demand) {
            prepay__demand_note(e->demand, e->plan->sets[set], seg->band[i], power, start);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        before = upto;
        a = b;
    }
    if (!(st->flags & PREPAY__FLAG_POSITION) || end > st->position) {
        st->position = end;
    }
    st->flags |= PREPAY__FLAG_POSITION;
    return PREPAY_OK;
}

void prepay__engine_fill_cache(prepay__engine_t *e, uint64_t key)
{
    prepay_tariff_compact_state_t *st = &e->st;
    prepay_tariff_cache_t c;
    memset(&c, 0, sizeof c);
    st->cache = c;
    const uint8_t need = PREPAY__FLAG_POSITION | PREPAY__FLAG_CYCLE_OPEN;
    if (key == 0 || (st->flags & (need | PREPAY__FLAG_CYCLE_CLOSED)) != need || cache_cycle(e) != PREPAY_OK) {
        return;
    }
    prepay_time_t p = st->position;
    if (p < e->cycle_start || p >= e->cycle_end) {
        return; /* the next interval starts a cycle: the engine's work */
    }
    const prepay_tariff_plan_t *plan = e->plan;
    unsigned set = prepay__set_at(plan, p);
    const prepay_tariff_t *t = plan->sets[set];
    prepay_days_t day = prepay_time_day_of(p);
    uint8_t table;
    unsigned band, end_minute;
    if (prepay__tou_day_table(t, day, &table) != PREPAY_OK ||
        prepay__tou_run(t, day, table, (unsigned)prepay_time_second_of_day(p) / 60u, &band, &end_minute) !=
            PREPAY_OK) {
        return;
    }
    prepay_time_t end = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY + (prepay_time_t)end_minute * 60;
    if (end > e->cycle_end) {
        end = e->cycle_end;
    }
    if (set == 0 && plan->sets[1] && plan->switch_time > p && plan->switch_time < end) {
        end = plan->switch_time;
    }
    if (PREPAY_TARIFF_PROPORTIONAL && e->proportional) {
        c.tier = 0;
        c.tier_high = INT64_MAX;
        c.price = 0;
    } else {
        unsigned tier = prepay__tier_index(e->upper[set], t->tier_count, st->cycle_energy);
        if (prepay__tariff_price(t, band, tier + 1u, &c.price) != PREPAY_OK) {
            return;
        }
        c.tier = (uint8_t)(tier + 1u);
        c.tier_high = e->upper[set][tier];
    }
    c.end = end;
    c.cycle_end = e->cycle_end;
    c.day = day;
    c.set = (uint8_t)set;
    c.band = (uint8_t)band;
    c.table = table;
    c.key = key;
    st->cache = c;
}
