/* SPDX-License-Identifier: MIT */
/*
 * Internal: shared helpers of the tariff engine (never installed).
 */
#ifndef PREPAY_TARIFF_INTERNAL_H
#define PREPAY_TARIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/config.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_trusted.h"
#include "../common/size_internal.h"
#include "../common/wide_internal.h"

/* Most segments one day can have: base slots (+1 for the wrap) and two
 * cuts per override plus the override itself. */
#define PREPAY__DAY_SEGMENTS_MAX (PREPAY_MAX_DAY_SLOTS + 2 + 3 * PREPAY_MAX_DATE_OVERRIDES)

#define PREPAY__STATE_MAGIC 0x54415246u /* "TARF" */
#define PREPAY__SEAL_MAGIC 0x5345414Cu  /* "SEAL" */

/* Day-table codes of prepay__tou_day_table(): a day table index (0-based),
 * or one of these. */
#define PREPAY__TABLE_DEFAULT 0xFEu /* no seasons, no override that day: default_band all day */
#define PREPAY__TABLE_BUILD 0xFFu   /* overrides that day: build the day's segments */
#define PREPAY__FLAG_POSITION 0x01u
#define PREPAY__FLAG_CYCLE_OPEN 0x02u
#define PREPAY__FLAG_CYCLE_CLOSED 0x04u
#define PREPAY__FLAG_PRIMED 0x08u
#define PREPAY__FLAG_ENERGY_ONLY 0x10u /* demand and capacity charges not priced (prepay_tariff_compact_energy_only()) */
#define PREPAY__FLAG_ALL 0x1Fu

/* A day's band segments: segment i covers [start[i], start[i+1]) minutes
 * (start[count] = 1440), in band[i]. */
typedef struct prepay__day_segments {
    prepay_days_t day;
    uint16_t count;
    uint16_t start[PREPAY__DAY_SEGMENTS_MAX + 1];
    uint8_t band[PREPAY__DAY_SEGMENTS_MAX];
} prepay__day_segments_t;

/* The season in force on a month-day (schedule with seasons): the last one starting on or before
 * it, else the last of the year (it wraps over the year end). */
const prepay_tou_season_t *prepay__tou_season_of(const prepay_tou_schedule_t *schedule, unsigned month,
                                                 unsigned day);

/* A season's day table for a weekday (0 Sunday .. 6 Saturday), holidays aside. */
unsigned prepay__tou_week_table(const prepay_tou_season_t *season, unsigned weekday);

/* Index of the first holiday on or after `day` (holiday_count when none). */
unsigned prepay__tou_first_holiday(const prepay_tou_schedule_t *schedule, prepay_days_t day);

/* The day table of a day without its overrides (schedule with seasons, validated), 0-based:
 * its holiday's table, else its season's table for its day type. */
int prepay__tou_plain_table(const prepay_tou_schedule_t *schedule, prepay_days_t day, unsigned *index);

/* The segments of day table `index` (without seasons: default_band all day), neighbours with the
 * same band not merged; out->day is not set. */
void prepay__tou_table_segments(const prepay_tariff_t *tariff, unsigned index, prepay__day_segments_t *out);

/* Builds the band segments of one day (tariff already validated). */
int prepay__tou_day_segments(const prepay_tariff_t *tariff, prepay_days_t day, prepay__day_segments_t *out);

/* The day-table code of a day (tariff validated): which table gives its bands. */
int prepay__tou_day_table(const prepay_tariff_t *tariff, prepay_days_t day, uint8_t *table);

/* Band at a minute of a day and the minute its run ends within that day
 * (1..1440; the first later minute with another band), given the day's code
 * from prepay__tou_day_table() (tariff validated). */
int prepay__tou_run(const prepay_tariff_t *tariff, prepay_days_t day, uint8_t table, unsigned minute,
                    unsigned *band, unsigned *end_minute);

/* Band at a minute of a day (tariff already validated). */
int prepay__tou_band_at(const prepay_tariff_t *tariff, prepay_days_t day, unsigned minute, unsigned *band);

/* Energy that repeats every day: the watt-seconds from midnight to each second of the day. */
typedef struct prepay__day_energy {
    /* Cumulative Ws over [midnight, midnight + second), second 0..86400: 0 at 0, non-decreasing. */
    int64_t (*ws_until)(const void *context, int32_t second);
    const void *context;
} prepay__day_energy_t;

/* Adds to wh[band] the Wh that `energy` puts in each band over the whole days [from, to) as a
 * meter counts them (a band gets the Wh that complete inside its segments), and to *total all of
 * them; *remainder_ws (0..3599), the watt-seconds carried at `from`, becomes the carry at `to`.
 * With F(s) the day's energy up to s and E = F(86400), the counter on day k at s is
 * floor((r + k E + F(s)) / 3600). When a day carries whole Wh (E a multiple of 3600: any constant
 * power), the carry is the same every midnight and a day's split depends only on its segments:
 * days are counted per day table (seasons by year, day types by arithmetic, 400-year Gregorian
 * periods at once), holidays and override days moved one by one -- bounded work whatever the
 * span. Otherwise each year's days of one season and weekday form an arithmetic progression
 * summed in closed form (a floor sum, O(log 3600)): O(years x seasons x 7) sums. Returns
 * PREPAY_OK, or PREPAY_E_BAD_DATE for a day outside years 1..9999 (nothing changed). */
int prepay__tou_whole_days(const prepay_tariff_t *tariff, prepay_days_t from, prepay_days_t to,
                           const prepay__day_energy_t *energy, int64_t *remainder_ws, prepay_energy_t *total,
                           prepay_energy_t wh[PREPAY_MAX_TARIFF_INDEX + 1]);

/* Whole days [from, to) of a compact state's open cycle priced in one step, as the runs of one band
 * that make them up would be fed one by one: wh[band] the Wh of each band (wh[0] zero), `total` their
 * sum. Declined (PREPAY_E_INVALID_ARGUMENT, nothing written) unless the state's cache belongs to
 * the plan and account, the days lie in its open cycle and price set, the energy stays within the
 * cycle's current tier, the mode is not proportional and no demand charge is priced; otherwise
 * *out is the state after them and *due the money they charge (tariff_jump.c). */
int prepay__tariff_compact_add_days(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                    const prepay_tariff_compact_state_t *state, prepay_time_t from, prepay_time_t to,
                                    const prepay_energy_t wh[PREPAY_MAX_TARIFF_INDEX + 1], prepay_energy_t total,
                                    prepay_tariff_compact_state_t *out, prepay_money_t *due);


/* Cycle helpers (tariff validated). */
int prepay__cycle_of(const prepay_tariff_t *tariff, prepay_time_t at, int32_t *cycle);
int prepay__cycle_bounds(const prepay_tariff_t *tariff, int32_t cycle, prepay_time_t *start, prepay_time_t *end);
int prepay__tier_bounds(const prepay_tariff_t *tariff, const prepay_tariff_account_t *account, int32_t cycle,
                        prepay_energy_t upper[PREPAY_MAX_TIERS]);

/* Fingerprint of a plan's content (both sets' bytes, the switch time if set B exists); never 0. */
uint64_t prepay__plan_fingerprint(const prepay_tariff_plan_t *plan);

/* The account part of a stream cache key (account non-NULL). */
uint64_t prepay__account_key(uint64_t stamp, const prepay_tariff_t *tariff, const prepay_tariff_account_t *account);

/* Whether the plan's seal holds: sets, switch time and revisions as sealed (O(1)). */
static inline bool prepay__sealed(const prepay_tariff_plan_t *plan)
{
    const prepay_tariff_seal_t *seal = &plan->seal;
    return seal->magic == PREPAY__SEAL_MAGIC && plan->sets[0] && seal->sets[0] == plan->sets[0] &&
           seal->sets[1] == plan->sets[1] && seal->switch_time == plan->switch_time &&
           seal->revision[0] == plan->sets[0]->revision &&
           (!plan->sets[1] || seal->revision[1] == plan->sets[1]->revision);
}

/* Checks a plan before evaluation: a sealed plan is trusted (O(1); with
 * PREPAY_TARIFF_CHECK_SEALS its fingerprint is compared too), an unsealed one
 * validated. *sealed says which. */
static inline int prepay__plan_check(const prepay_tariff_plan_t *plan, bool *sealed)
{
    if (plan && prepay__sealed(plan)) {
#if PREPAY_TARIFF_CHECK_SEALS
        if (prepay__plan_fingerprint(plan) != plan->seal.stamp) {
            return PREPAY_E_TARIFF_SEAL_BROKEN;
        }
#endif
        *sealed = true;
        return PREPAY_OK;
    }
    *sealed = false;
    return prepay_tariff_plan_validate(plan);
}

/* As prepay__plan_check() for callers that seal every plan they pass (the meter under
 * PREPAY_METER_TARIFF_SEALED): an unsealed plan is refused, never validated. */
static inline int prepay__plan_check_sealed(const prepay_tariff_plan_t *plan, bool *sealed)
{
    if (!prepay__sealed(plan)) {
        return PREPAY_E_TARIFF_NOT_SEALED;
    }
#if PREPAY_TARIFF_CHECK_SEALS
    if (prepay__plan_fingerprint(plan) != plan->seal.stamp) {
        return PREPAY_E_TARIFF_SEAL_BROKEN;
    }
#endif
    *sealed = true;
    return PREPAY_OK;
}

/* Key of a stream cache: the sealed plan's stamp mixed with the account parameters the tier bounds use. */
static inline uint64_t prepay__cache_key(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account)
{
    return account ? prepay__account_key(plan->seal.stamp, plan->sets[0], account) : plan->seal.stamp;
}

/* Checks the invariants of a state without its per-band energy (O(1)). */
static inline int prepay__state_check(const prepay_tariff_compact_state_t *s)
{
    /* |carry| < 1 minor unit: units 0, or -1 with a positive fraction. The sign
     * of the carry is data, not a rare case: tested without branching on it. */
    bool bad_carry = (s->carry.nanos >= PREPAY_AMOUNT_NANOS) |
                     ((s->carry.units != 0) & ((s->carry.units != -1) | (s->carry.nanos == 0)));
    if (s->magic != PREPAY__STATE_MAGIC || (s->flags & ~PREPAY__FLAG_ALL) != 0 || s->cycle_energy < 0 || bad_carry) {
        return PREPAY_E_TARIFF_BAD_STATE;
    }
    return PREPAY_OK;
}

/* ---- demand and capacity charges (tariff_demand.c) ---- */

/* Whether a tariff carries demand or capacity charges. */
static inline bool prepay__demand_present(const prepay_tariff_t *t)
{
    return t->demand.rate_count != 0 || t->demand.capacity_price != 0;
}

/* Whether a tariff's demand or capacity charges are priced (never with PREPAY_TARIFF_DEMAND 0:
 * validation refuses them, and the pricing code is left out). */
static inline bool prepay__demand_active(const prepay_tariff_t *t)
{
    return PREPAY_TARIFF_DEMAND && prepay__demand_present(t);
}

/* Whether calls on a state with these flags price the plan's demand and capacity charges. */
static inline bool prepay__demand_priced(const prepay_tariff_plan_t *plan, uint8_t flags)
{
    return !(flags & PREPAY__FLAG_ENERGY_ONLY) &&
           (prepay__demand_active(plan->sets[0]) || (plan->sets[1] && prepay__demand_active(plan->sets[1])));
}

/* Checks a tariff's demand and capacity charges (the rest validated before); with
 * PREPAY_TARIFF_DEMAND 0, refuses any. */
int prepay__demand_validate(const prepay_tariff_t *t);
/* Whether two price sets may share a plan: the same periods and billing-demand rule. */
bool prepay__demand_compatible(const prepay_tariff_t *a, const prepay_tariff_t *b);
/* Checks a demand state's members lie in their domains (O(periods)). */
int prepay__demand_state_check(const prepay_tariff_demand_state_t *d);
/* Starts month `cycle` priced by `set`: peaks cleared, history kept. */
void prepay__demand_begin(prepay_tariff_demand_state_t *d, int32_t cycle, unsigned set);
/* Emits the demand and capacity lines of the month in d (plan checked, d checked) to emit(context, line),
 * then (with `remember`) records the month's billing-demand peak in the history. */
int prepay__demand_close(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                         prepay_tariff_demand_state_t *d, bool remember,
                         int (*emit)(void *context, const prepay_tariff_line_t *line), void *context);

/* Notes one interval's demand in its band (0: none) of set `set`. */
static inline void prepay__demand_note(prepay_tariff_demand_state_t *d, const prepay_tariff_t *t, unsigned band,
                                       prepay_power_t power, prepay_time_t at)
{
    if (power > d->flat_peak) {
        d->flat_peak = power;
        d->flat_time = at;
    }
    unsigned p = band >= 1 && band <= PREPAY_MAX_TARIFF_INDEX ? t->demand.period_of_band[band - 1u] : 0u;
    if (p >= 1 && p <= PREPAY_MAX_DEMAND_PERIODS && power > d->peak[p - 1u]) {
        d->peak[p - 1u] = power;
        d->peak_time[p - 1u] = at;
    }
}

/* Demand of [start, end) with energy (end > start, energy >= 0): round(energy x 3600 / length), half-up. */
static inline int prepay__interval_demand(prepay_time_t start, prepay_time_t end, prepay_energy_t energy,
                                          prepay_power_t *out)
{
    int64_t length = end - start;
    if (energy <= INT64_MAX / 3600) {
        int64_t num = energy * 3600; /* exact: the common case, without the 128-bit path */
        if (length == 900 || length == 3600 || length == 60) {
            *out = num / length; /* 900, 3600 and 60 divide num exactly: no rounding */
            return PREPAY_OK;
        }
    }
    return prepay_i64_muldiv(energy, 3600, length, PREPAY_ROUND_HALF_UP, out);
}

/* Checked int64 addition and subtraction (as prepay_i64_add() and prepay_i64_sub(), inline). */
static inline bool prepay__add(int64_t a, int64_t b, int64_t *out)
{
#if defined(__GNUC__) || defined(__clang__)
    return !__builtin_add_overflow(a, b, out);
#else
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) {
        return false;
    }
    *out = a + b;
    return true;
#endif
}

static inline bool prepay__sub(int64_t a, int64_t b, int64_t *out)
{
#if defined(__GNUC__) || defined(__clang__)
    return !__builtin_sub_overflow(a, b, out);
#else
    if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b)) {
        return false;
    }
    *out = a - b;
    return true;
#endif
}

/* Checks per-band energy against the cycle energy (O(bands)). */
int prepay__bands_check(const prepay_energy_t bands[PREPAY_TARIFF_PRICE_SETS][PREPAY_MAX_TARIFF_INDEX],
                        prepay_energy_t cycle_energy);

/* The members a full and a compact state share, copied between them as one
 * block (tariff_state.c asserts that a full state begins with them). */
static inline void prepay__state_load(const prepay_tariff_state_t *state, prepay_tariff_compact_state_t *core)
{
    memcpy(core, state, sizeof *core);
}

static inline void prepay__state_store(const prepay_tariff_compact_state_t *core, prepay_tariff_state_t *state)
{
    memcpy(state, core, sizeof *core);
}

/* Compares two line keys (cycle, kind, set, band, tier, fixed index). */
int prepay__line_key_compare(const prepay_tariff_line_t *a, const prepay_tariff_line_t *b);

/* Inserts or merges one line into a bill; when full, counts lines_needed and
 * returns PREPAY_E_BUFFER_TOO_SMALL without storing. */
int prepay__bill_insert(prepay_tariff_bill_t *bill, const prepay_tariff_line_t *line);

/* Index of the tier holding Wh number `used` (0-based). */
static inline unsigned prepay__tier_index(const prepay_energy_t *upper, unsigned tier_count, prepay_energy_t used)
{
    unsigned t = 0;
    while (t + 1 < tier_count && used >= upper[t]) {
        t++;
    }
    return t;
}

/* Exact money of the streaming fast path: the library's functions, without
 * the call and the argument checks in the common case (valid, non-negative
 * operands); every other case calls the function itself. */

/* prepay_amount_from_product(): below 2^32 both, the 64-bit product's quotient and remainder by 1e9. */
static inline int prepay__amount_of(prepay_energy_t quantity, prepay_price_t price, prepay_amount_t *out)
{
    if (quantity >= 0 && price >= 0 && (((uint64_t)quantity | (uint64_t)price) >> 32) == 0) {
        uint64_t product = (uint64_t)quantity * (uint64_t)price;
        out->units = (int64_t)prepay__udiv64(product, PREPAY_AMOUNT_NANOS);
        out->nanos = (uint32_t)prepay__umod64(product, PREPAY_AMOUNT_NANOS);
        return PREPAY_OK;
    }
    return prepay_amount_from_product(quantity, price, out);
}

/* prepay_amount_round(): for a non-negative amount below INT64_MAX, the one rounding rule inline.
 * Amounts go by pointer to these helpers, member by member: an amount just written (nanos as 4
 * bytes) and copied whole reloads nanos with its padding as 8 bytes, a load the CPU cannot forward
 * from the store buffer (a stall of 10-20 cycles; x86-64 passes the struct in two registers). */
static inline int prepay__round(const prepay_amount_t *amount, prepay_rounding_t mode, prepay_money_t *out)
{
    int64_t units = amount->units;
    uint32_t nanos = amount->nanos;
    if (units >= 0 && units < INT64_MAX && nanos < PREPAY_AMOUNT_NANOS) {
        int bump = prepay__round_bump((uint64_t)units, nanos, PREPAY_AMOUNT_NANOS, false, (int)mode);
        if (bump >= 0) {
            *out = units + bump;
            return PREPAY_OK;
        }
    }
    return prepay_amount_round(*amount, mode, out);
}

/* prepay_amount_add() of two valid amounts (nanos below 1e9); false on overflow. `out` may be
 * `a` or `b`: both are read before it is written. */
static inline bool prepay__amount_add(const prepay_amount_t *a, const prepay_amount_t *b, prepay_amount_t *out)
{
    uint32_t nanos = a->nanos + b->nanos; /* < 2e9 */
    uint32_t carry = nanos >= PREPAY_AMOUNT_NANOS; /* data: no branch */
    nanos -= carry * (uint32_t)PREPAY_AMOUNT_NANOS;
    int64_t units;
    if (!prepay__add(a->units, b->units, &units) || !prepay__add(units, (int64_t)carry, &units)) {
        return false;
    }
    out->units = units;
    out->nanos = nanos;
    return true;
}

#endif /* PREPAY_TARIFF_INTERNAL_H */
