/* SPDX-License-Identifier: MIT */
/*
 * Internal: the evaluation engine shared by streaming and batch.
 *
 * The engine walks intervals piece by piece (band, cycle and price-set
 * boundaries), fills tiers, and hands each (cycle, set, band, tier,
 * quantity) and each fixed charge to a sink. Streaming's sink writes charge
 * lines; batch's sink accumulates energy per set, band and tier. Both see
 * exactly the same calls, so both give the same bill.
 */
#ifndef PREPAY_TARIFF_ENGINE_INTERNAL_H
#define PREPAY_TARIFF_ENGINE_INTERNAL_H

#include "tariff_internal.h"

typedef struct prepay__sink prepay__sink_t;
struct prepay__sink {
    int (*energy)(prepay__sink_t *sink, int32_t cycle, unsigned set, unsigned band, unsigned tier,
                  prepay_energy_t quantity);
    int (*fixed)(prepay__sink_t *sink, int32_t cycle, unsigned set, unsigned index);
    /* A finished demand or capacity line (amount and money set). */
    int (*charge)(prepay__sink_t *sink, const prepay_tariff_line_t *line);
};

typedef struct prepay__engine {
    const prepay_tariff_plan_t *plan;
    const prepay_tariff_account_t *account;
    prepay_tariff_compact_state_t st; /* working copy, committed by the caller on success */
    bool proportional;                /* per-band energy kept in `bands` */
    prepay_energy_t (*bands)[PREPAY_MAX_TARIFF_INDEX]; /* working copy [set][band - 1] (proportional), or NULL */
    prepay__sink_t *sink;
    prepay_tariff_demand_state_t *demand; /* working copy of the demand state, or NULL: demand not priced */
    bool cycle_cached;        /* the fields below belong to st.cycle */
    int32_t cached_cycle;
    prepay_time_t cycle_start, cycle_end;
    prepay_energy_t upper[PREPAY_TARIFF_PRICE_SETS][PREPAY_MAX_TIERS];
    bool seg_valid[PREPAY_TARIFF_PRICE_SETS];
    prepay__day_segments_t seg[PREPAY_TARIFF_PRICE_SETS];
} prepay__engine_t;

/* Starts an engine on a copy of `state`. In proportional mode the state's
 * per-band energy `bands` is copied into the caller's `work` array (both
 * non-NULL then), the engine's working copy; otherwise neither is used (a
 * compact state has none, and its callers need no such array on the stack). */
void prepay__engine_start(prepay__engine_t *e, const prepay_tariff_plan_t *plan,
                          const prepay_tariff_account_t *account, const prepay_tariff_compact_state_t *state,
                          const prepay_energy_t (*bands)[PREPAY_MAX_TARIFF_INDEX],
                          prepay_energy_t (*work)[PREPAY_MAX_TARIFF_INDEX], prepay__sink_t *sink);

/* Gives the engine a full state's demand state (copied into the caller's `work`, the engine's
 * working copy) when the plan's demand charges are priced with the state's flags; otherwise
 * demand stays off. Call right after prepay__engine_start(). */
void prepay__engine_demand(prepay__engine_t *e, const prepay_tariff_demand_state_t *demand,
                           prepay_tariff_demand_state_t *work);

/* Bytes of a state's per-band energy. */
#define PREPAY__BANDS_SIZE (sizeof(prepay_energy_t) * PREPAY_TARIFF_PRICE_SETS * PREPAY_MAX_TARIFF_INDEX)
int prepay__engine_interval(prepay__engine_t *e, prepay_time_t start, prepay_time_t end, prepay_energy_t energy);
int prepay__engine_close(prepay__engine_t *e);
/* Makes sure the cycle containing `at` is open (closing the previous one) and cached. */
int prepay__engine_enter_cycle(prepay__engine_t *e, prepay_time_t at);
/* Makes sure seg[set] holds the segments of `day`. */
int prepay__engine_day(prepay__engine_t *e, unsigned set, prepay_days_t day);
/* Fills the working state's cache for its position under `key` (a sealed
 * plan's cache key), or empties it (key 0, or nothing to cache). Never fails. */
void prepay__engine_fill_cache(prepay__engine_t *e, uint64_t key);

/* The streaming fast path's settle(): due = round(charged + carry + exact) - charged with the
 * rounding given, the new charged total and carry; writes only on success (tariff_stream.c). */
int prepay__tariff_settle(prepay_money_t charged, prepay_amount_t carry, prepay_amount_t exact,
                          prepay_rounding_t rounding, prepay_money_t *due, prepay_money_t *charged_out,
                          prepay_amount_t *carry_out);

static inline unsigned prepay__set_at(const prepay_tariff_plan_t *plan, prepay_time_t t)
{
    return (plan->sets[1] && t >= plan->switch_time) ? 1u : 0u;
}

#endif /* PREPAY_TARIFF_ENGINE_INTERNAL_H */
