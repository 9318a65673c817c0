/* SPDX-License-Identifier: MIT */
/*
 * Streaming evaluation: feed intervals or register readings, get charge lines.
 *
 * Two paths give the same lines, dues and state. The fast path serves a call
 * on a sealed plan whose interval lies in the run (band, price set, cycle,
 * tier) cached in the state, or in another run of the same day, set, cycle
 * and tier that the day's table gives directly: one line, no engine. Every
 * other call (unsealed plan, a cycle, switch-over or tier boundary, an
 * interval split across runs, any error) takes the engine, which then
 * refills the cache for the new position.
 */
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_engine_internal.h"

/* A full state's per-band energy, or NULL for a compact state. */
typedef prepay_energy_t (*bands_t)[PREPAY_MAX_TARIFF_INDEX];
typedef const prepay_energy_t (*const_bands_t)[PREPAY_MAX_TARIFF_INDEX];
/* A full state's demand state, or NULL for a compact state. */
typedef prepay_tariff_demand_state_t *demand_t;

typedef struct stream_sink {
    prepay__sink_t base; /* first member: the engine's sink pointer is this struct */
    const prepay_tariff_plan_t *plan;
    prepay_tariff_line_t *lines;
    size_t cap;
    size_t count; /* lines produced (stored while count <= cap) */
    bool pending_set;
    prepay_tariff_line_t pending;
    prepay_amount_t exact;
} stream_sink_t;

static int sink_flush(stream_sink_t *s)
{
    if (!s->pending_set) {
        return PREPAY_OK;
    }
    prepay_tariff_line_t *line = &s->pending;
    const prepay_tariff_t *t = s->plan->sets[line->price_set];
    int status = PREPAY_OK;
    if (line->kind == PREPAY_LINE_ENERGY) {
        status = prepay_amount_from_product(line->quantity, line->price, &line->amount);
    }
    if (status == PREPAY_OK) {
        status = prepay_amount_round(line->amount, t->rounding, &line->money);
    }
    if (status == PREPAY_OK) {
        status = prepay_amount_add(s->exact, line->amount, &s->exact);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    if (s->count < s->cap) {
        s->lines[s->count] = *line;
    }
    s->count++;
    s->pending_set = false;
    return PREPAY_OK;
}

static int sink_energy(prepay__sink_t *base, int32_t cycle, unsigned set, unsigned band, unsigned tier,
                       prepay_energy_t quantity)
{
    stream_sink_t *s = (stream_sink_t *)base;
    prepay_tariff_line_t *p = &s->pending;
    if (s->pending_set && p->kind == PREPAY_LINE_ENERGY && p->cycle == cycle && p->price_set == set &&
        p->band == band && p->tier == tier) {
        return prepay_i64_add(p->quantity, quantity, &p->quantity);
    }
    int status = sink_flush(s);
    if (status != PREPAY_OK) {
        return status;
    }
    memset(p, 0, sizeof *p);
    p->kind = PREPAY_LINE_ENERGY;
    p->cycle = cycle;
    p->price_set = (uint8_t)set;
    p->band = (uint8_t)band;
    p->tier = (uint8_t)tier;
    p->quantity = quantity;
    status = prepay__tariff_price(s->plan->sets[set], band, tier, &p->price);
    if (status == PREPAY_OK) {
        s->pending_set = true;
    }
    return status;
}

static int sink_fixed(prepay__sink_t *base, int32_t cycle, unsigned set, unsigned index)
{
    stream_sink_t *s = (stream_sink_t *)base;
    int status = sink_flush(s);
    if (status != PREPAY_OK) {
        return status;
    }
    const prepay_fixed_charge_t *charge = &s->plan->sets[set]->fixed_charges[index];
    prepay_tariff_line_t *p = &s->pending;
    memset(p, 0, sizeof *p);
    p->kind = PREPAY_LINE_FIXED;
    p->cycle = cycle;
    p->price_set = (uint8_t)set;
    p->fixed_index = (uint8_t)index;
    p->item = charge->item;
    p->amount = prepay_amount_from_money(charge->amount);
    s->pending_set = true;
    return sink_flush(s);
}

static int sink_charge(prepay__sink_t *base, const prepay_tariff_line_t *line)
{
    stream_sink_t *s = (stream_sink_t *)base;
    int status = sink_flush(s);
    if (status != PREPAY_OK) {
        return status;
    }
    memcpy(&s->pending, line, sizeof *line); /* padding too */
    s->pending_set = true;
    return sink_flush(s);
}

static PREPAY__ONE_COPY void sink_init(stream_sink_t *s, const prepay_tariff_plan_t *plan, prepay_tariff_line_t *lines,
                                       size_t cap)
{
    memset(s, 0, sizeof *s);
    s->base.energy = sink_energy;
    s->base.fixed = PREPAY_MAX_FIXED_CHARGES > 0 ? sink_fixed : NULL; /* never called without slots */
    s->base.charge = sink_charge;
    s->plan = plan;
    s->lines = lines;
    s->cap = lines ? cap : 0;
}

/* Speed builds also take an interval across one run boundary (a band change or midnight, 3 of
 * a day's 96 quarter-hours with a two-band tariff: a day's share of a site's readings) on the
 * fast path: two lines, or one when the band stays. Size builds (-Os, the firmware profile, whose
 * meter prices a minute at a time) leave it to the engine and save the code. */
#if defined(__OPTIMIZE_SIZE__)
#define FAST_SPLIT 0
#else
#define FAST_SPLIT 1
#endif

#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
/* Speed builds inline the fast path into each entry point (it saves a call
 * with twelve arguments); size builds (the firmware profile, -Os) keep one copy. */
#define FAST_INLINE __attribute__((always_inline)) inline
#define SHARED_INLINE FAST_INLINE
#elif defined(__GNUC__) || defined(__clang__)
#define FAST_INLINE
/* Size builds keep one copy of settle() for the fast path and finish() (GCC would inline it
 * into both: about 150 bytes more on a Cortex-M4). */
#define SHARED_INLINE __attribute__((noinline))
#else
#define FAST_INLINE
#define SHARED_INLINE
#endif

/* Turns the exact amount of a call into the whole minor units due now:
 * running exact total = charged + carry + exact; due = round(running) -
 * charged; carry = running - charged - due. `charged` is whole, so the
 * running total's fraction is that of carry + exact. Writes only on success; `carry_out` may be
 * `carry` (read first). Amounts by pointer: see prepay__round(). */
static SHARED_INLINE int settle(prepay_money_t charged, const prepay_amount_t *carry, const prepay_amount_t *exact,
                              prepay_rounding_t rounding, prepay_money_t *due_out, prepay_money_t *charged_out,
                              prepay_amount_t *carry_out)
{
    prepay_amount_t sum, running;
    prepay_money_t rounded, due, next_charged;
    /* carry is checked with the state, exact is a sum of valid amounts */
    if (!prepay__amount_add(carry, exact, &sum)) {
        return PREPAY_E_OVERFLOW;
    }
    running.nanos = sum.nanos;
    if (!prepay__add(sum.units, charged, &running.units)) {
        return PREPAY_E_OVERFLOW;
    }
    int status = prepay__round(&running, rounding, &rounded);
    if (status != PREPAY_OK) {
        return status;
    }
    if (!prepay__sub(rounded, charged, &due) || !prepay__sub(sum.units, due, &sum.units) ||
        !prepay__add(charged, due, &next_charged)) {
        return PREPAY_E_OVERFLOW;
    }
    *due_out = due;
    *charged_out = next_charged;
    carry_out->units = sum.units; /* member by member: a stored state keeps deterministic padding */
    carry_out->nanos = sum.nanos;
    return PREPAY_OK;
}

/* Finishes an engine call: buffer check, due and carry, cache, commit. */
static int finish(prepay__engine_t *e, stream_sink_t *sink, uint64_t key, prepay_tariff_compact_state_t *state,
                  bands_t bands, demand_t demand, prepay_tariff_feed_result_t *result)
{
    int status = sink_flush(sink);
    if (status != PREPAY_OK) {
        return status;
    }
    if (sink->count > sink->cap) {
        memset(result, 0, sizeof *result);
        result->line_count = sink->count;
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay_money_t due;
    status = settle(e->st.charged, &e->st.carry, &sink->exact, e->plan->sets[0]->rounding, &due, &e->st.charged,
                    &e->st.carry);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay__engine_fill_cache(e, key);
    *state = e->st;
    if (PREPAY_TARIFF_PROPORTIONAL && e->proportional) {
        memcpy(bands, e->bands, PREPAY__BANDS_SIZE);
    }
    if (PREPAY_TARIFF_DEMAND && e->demand) {
        *demand = *e->demand;
    }
    result->line_count = sink->count;
    result->exact = sink->exact;
    result->due = due;
    return (int)(sink->count > (size_t)INT32_MAX ? INT32_MAX : sink->count);
}

/* The fast path declines: the engine takes the call. */
#define NOT_FAST INT32_MIN

/* Moves a cache copy to the run holding `at` when that is a lookup in the same
 * cycle and price set (the tier stays, the band and its price may change). */
static bool seek(const prepay_tariff_plan_t *plan, bool proportional, prepay_tariff_cache_t *c, prepay_time_t at)
{
    if (at >= c->cycle_end || prepay__set_at(plan, at) != c->set) {
        return false;
    }
    const prepay_tariff_t *t = plan->sets[c->set];
    prepay_days_t day = prepay_time_day_of(at);
    uint8_t table = c->table;
    if (day != c->day) {
        if (prepay__tou_day_table(t, day, &table) != PREPAY_OK) {
            return false;
        }
    } else if (table < PREPAY__TABLE_DEFAULT && table >= t->schedule.day_table_count) {
        return false; /* a corrupt cache: let the engine rebuild it */
    }
    unsigned band, end_minute;
    if (prepay__tou_run(t, day, table, (unsigned)prepay_time_second_of_day(at) / 60u, &band, &end_minute) !=
        PREPAY_OK) {
        return false;
    }
    prepay_time_t end = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY + (prepay_time_t)end_minute * 60;
    if (end > c->cycle_end) {
        end = c->cycle_end;
    }
    if (c->set == 0 && plan->sets[1] && plan->switch_time > at && plan->switch_time < end) {
        end = plan->switch_time;
    }
    if (!proportional && band != c->band &&
        (c->tier < 1 || c->tier > t->tier_count || prepay__tariff_price(t, band, c->tier, &c->price) != PREPAY_OK)) {
        return false;
    }
    c->day = day;
    c->table = table;
    c->band = (uint8_t)band;
    c->end = end;
    return true;
}

/* An energy line of the fast path, as the engine's sink writes it. */
static FAST_INLINE void energy_line(prepay_tariff_line_t *line, int32_t cycle, const prepay_tariff_cache_t *run,
                                    prepay_energy_t quantity, const prepay_amount_t *exact, prepay_money_t money)
{
    memset(line, 0, sizeof *line); /* padding too: the engine's lines are zeroed the same way */
    line->kind = PREPAY_LINE_ENERGY;
    line->cycle = cycle;
    line->price_set = run->set;
    line->band = run->band;
    line->tier = run->tier;
    line->quantity = quantity;
    line->price = run->price;
    line->amount.units = exact->units; /* member by member: no padding copied from the stack */
    line->amount.nanos = exact->nanos;
    line->money = money;
}

/* Prices [s, e) with q from the state's cache: one line at most (two with FAST_SPLIT), no engine.
 * The plan must be sealed (and, where PREPAY_TARIFF_CHECK_SEALS, its
 * fingerprint checked); arguments non-NULL. With `reading`, the register
 * becomes (e, value) too. Returns the line count, ::PREPAY_E_BUFFER_TOO_SMALL
 * (as the engine would), or NOT_FAST for anything else, including every
 * error, which the engine then reports. Changes nothing unless it succeeds. */

static FAST_INLINE int fast(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                prepay_tariff_compact_state_t *state, prepay_tariff_cache_t *c, bands_t bands, demand_t demand,
                prepay_time_t s, prepay_time_t e, prepay_energy_t q, bool reading, prepay_energy_t value,
                prepay_tariff_line_t *lines, size_t line_cap, prepay_tariff_feed_result_t *result)
{
    const uint8_t need = PREPAY__FLAG_POSITION | PREPAY__FLAG_CYCLE_OPEN;
    bool proportional = PREPAY_TARIFF_PROPORTIONAL && plan->sets[0]->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL;
    if (prepay__state_check(state) != PREPAY_OK || (proportional && !bands) ||
        c->key != prepay__cache_key(plan, account) || (state->flags & (need | PREPAY__FLAG_CYCLE_CLOSED)) != need ||
        e <= s || s < state->position || q < 0 || c->set >= PREPAY_TARIFF_PRICE_SETS || !plan->sets[c->set]) {
        return NOT_FAST;
    }
    const prepay_tariff_t *t = plan->sets[c->set];
    if (c->band < 1 || c->band > t->band_count) {
        return NOT_FAST;
    }
    /* Demand charges: the interval's demand goes to the month's peaks (a full state's, for the open month). */
    bool priced = prepay__demand_priced(plan, state->flags);
    prepay_power_t power = 0;
    if (priced && (!demand || demand->cycle != state->cycle || prepay__interval_demand(s, e, q, &power) != PREPAY_OK)) {
        return NOT_FAST;
    }
    prepay_tariff_cache_t moved, next;
    const prepay_tariff_cache_t *run = c;
    /* With FAST_SPLIT, an interval that ends in the run after s's: [s, run end) and [run end, e)
     * get the engine's spread (floor(q (run end - s) / (e - s)) to the first), in one tier. */
    const prepay_tariff_cache_t *second = NULL;
    if (e > c->end) {
        moved = *c;
        if (!seek(plan, proportional, &moved, s)) {
            return NOT_FAST;
        }
        run = &moved;
        if (e > moved.end) {
            next = moved;
            if (!FAST_SPLIT || proportional || priced || !seek(plan, false, &next, moved.end) || e > next.end) {
                return NOT_FAST;
            }
            second = &next;
        }
    }
    prepay_energy_t used = state->cycle_energy;
    prepay_amount_t exact = {0, 0};
    prepay_money_t money = 0;
    size_t count = 0;
    /* The first line's quantity; the split's second line (quantity, amount, money) when the band
     * changes. */
    prepay_energy_t q1 = q;
    prepay_energy_t q2 = 0;
    prepay_amount_t exact2 = {0, 0};
    prepay_money_t money2 = 0;
    size_t count2 = 0;
    if (proportional) {
        prepay_energy_t band_used = bands[run->set][run->band - 1u];
        if (q > INT64_MAX - used || band_used < 0 || band_used > used) {
            return NOT_FAST;
        }
    } else {
        if (q > run->tier_high - used) {
            return NOT_FAST; /* crosses a tier bound (or the cache is corrupt) */
        }
        if (second != NULL) {
            if (second->band == run->band) {
                run = second; /* the engine's two pieces make one line: same cycle, set, band and tier */
            } else {
                if (second->band < 1 || second->band > t->band_count ||
                    prepay_i64_muldiv(q, moved.end - s, e - s, PREPAY_ROUND_FLOOR, &q1) != PREPAY_OK) {
                    return NOT_FAST;
                }
                q2 = q - q1;
                if (q2 > 0) {
                    if (prepay__amount_of(q2, second->price, &exact2) != PREPAY_OK ||
                        prepay__round(&exact2, t->rounding, &money2) != PREPAY_OK) {
                        return NOT_FAST;
                    }
                    count2 = 1;
                }
            }
        }
        if (q1 > 0) {
            if (prepay__amount_of(q1, run->price, &exact) != PREPAY_OK ||
                prepay__round(&exact, t->rounding, &money) != PREPAY_OK) {
                return NOT_FAST;
            }
            count = 1;
        }
    }
    /* The call's exact amount: the engine's sum of its lines. Member by member: a whole-struct
     * copy reloads `nanos` with its padding as 8 bytes after a 4-byte store, which the CPU cannot
     * forward from the store buffer (a stall of some 10-20 cycles on every reading). */
    prepay_amount_t total;
    total.units = exact.units;
    total.nanos = exact.nanos;
    if (count2 > 0 && !prepay__amount_add(&exact, &exact2, &total)) {
        return NOT_FAST;
    }
    if (count + count2 > line_cap) {
        memset(result, 0, sizeof *result);
        result->line_count = count + count2;
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay_money_t due, charged;
    prepay_amount_t carry;
    if (settle(state->charged, &state->carry, &total, plan->sets[0]->rounding, &due, &charged, &carry) != PREPAY_OK) {
        return NOT_FAST;
    }
    /* Commit. */
    if (count > 0) {
        energy_line(&lines[0], state->cycle, run, q1, &exact, money);
    }
    if (count2 > 0) {
        energy_line(&lines[count], state->cycle, second, q2, &exact2, money2);
    }
    if (proportional) {
        bands[run->set][run->band - 1u] += q;
    }
    if (priced) {
        prepay__demand_note(demand, t, run->band, power, s);
    }
    if (second != NULL) {
        *c = *second;
    } else if (run != c) {
        *c = moved;
    }
    state->carry.units = carry.units;
    state->carry.nanos = carry.nanos;
    state->charged = charged;
    state->cycle_energy = used + q;
    state->position = e;
    if (reading) {
        state->register_time = e;
        state->register_value = value;
    }
    result->line_count = count + count2;
    result->exact = total;
    result->due = due;
    return (int)(count + count2);
}

/* The fast path may go first, before any other check, when a seal is trusted
 * on sight; builds that check seals take the general path, which checks the
 * fingerprint and then tries the fast path. */
#define FAST_FIRST (PREPAY_TARIFF_CHECK_SEALS == 0)

/* Whether a call may try the fast path before any other check. */
static FAST_INLINE bool fast_first(const prepay_tariff_plan_t *plan, const void *state,
                                   const prepay_tariff_line_t *lines, size_t line_cap,
                                   const prepay_tariff_feed_result_t *result)
{
    return FAST_FIRST && plan && state && result && (lines || line_cap == 0) && prepay__sealed(plan);
}

/* Argument, state and plan checks of the general path. */
static int check_call(const prepay_tariff_plan_t *plan, const prepay_tariff_compact_state_t *state,
                      const_bands_t bands, const prepay_tariff_demand_state_t *demand,
                      const prepay_tariff_line_t *lines, size_t line_cap, const prepay_tariff_feed_result_t *result,
                      bool *sealed, bool sealed_only)
{
    if (!plan || !state || !result || (!lines && line_cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay__state_check(state);
    if (status == PREPAY_OK) {
        /* sealed_only: a constant at every call, so a caller that never validates links no validator. */
        status = sealed_only ? prepay__plan_check_sealed(plan, sealed) : prepay__plan_check(plan, sealed);
    }
    if (status == PREPAY_OK && plan->sets[0]->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL && !bands) {
        status = PREPAY_E_TARIFF_NEEDS_BANDS;
    }
    if (status == PREPAY_OK && bands) {
        status = prepay__bands_check(bands, state->cycle_energy);
    }
    if (status == PREPAY_OK && !demand && prepay__demand_priced(plan, state->flags)) {
        status = PREPAY_E_TARIFF_NEEDS_DEMAND;
    }
    if (status == PREPAY_OK && demand) {
        status = prepay__demand_state_check(demand);
    }
    return status;
}

/* The general path of an interval: every check, the fast path if not tried
 * yet, else the engine. `work` is the engine's copy of a full state's
 * per-band energy (NULL with a compact state). */
static int slow_interval(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                         prepay_tariff_compact_state_t *state, bands_t bands, bands_t work, demand_t demand,
                         prepay_time_t start, prepay_time_t end, prepay_energy_t energy, prepay_tariff_line_t *lines,
                         size_t line_cap, prepay_tariff_feed_result_t *result, bool fast_tried, bool sealed_only)
{
    bool sealed = false;
    int status = check_call(plan, state, (const_bands_t)bands, demand, lines, line_cap, result, &sealed,
                            sealed_only);
    if (status != PREPAY_OK) {
        return status;
    }
    /* With FAST_FIRST the fast path was tried whenever the plan is sealed: check_call() has just
     * checked the same arguments fast_first() did, and sets `sealed` only for a sealed plan. */
    if (!FAST_FIRST && sealed && !fast_tried) {
        status = fast(plan, account, state, &state->cache, bands, demand, start, end, energy, false, 0, lines,
                      line_cap, result);
        if (status != NOT_FAST) {
            return status;
        }
    }
    stream_sink_t sink;
    sink_init(&sink, plan, lines, line_cap);
    prepay__engine_t engine;
    prepay_tariff_demand_state_t demand_work;
    prepay__engine_start(&engine, plan, account, state, (const_bands_t)bands, work, &sink.base);
    prepay__engine_demand(&engine, demand, &demand_work);
    status = prepay__engine_interval(&engine, start, end, energy);
    if (status != PREPAY_OK) {
        return status;
    }
    return finish(&engine, &sink, sealed ? prepay__cache_key(plan, account) : 0u, state, bands, demand, result);
}

static FAST_INLINE int feed_interval(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                     prepay_tariff_compact_state_t *state, bands_t bands, bands_t work,
                                     demand_t demand, prepay_time_t start, prepay_time_t end, prepay_energy_t energy,
                                     prepay_tariff_line_t *lines, size_t line_cap,
                                     prepay_tariff_feed_result_t *result, bool sealed_only)
{
    bool tried = fast_first(plan, state, lines, line_cap, result);
    if (tried) {
        int status = fast(plan, account, state, &state->cache, bands, demand, start, end, energy, false, 0, lines,
                      line_cap, result);
        if (status != NOT_FAST) {
            return status;
        }
    }
    return slow_interval(plan, account, state, bands, work, demand, start, end, energy, lines, line_cap, result,
                         tried, sealed_only);
}

/* The fast path of a reading: a primed state, a later time, a register not lower. */
static FAST_INLINE int fast_reading(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                    prepay_tariff_compact_state_t *state, prepay_tariff_cache_t *c, bands_t bands,
                                    demand_t demand, prepay_time_t at, prepay_energy_t reading,
                                    prepay_tariff_line_t *lines, size_t line_cap, prepay_tariff_feed_result_t *result)
{
    prepay_energy_t energy;
    if (!(state->flags & PREPAY__FLAG_PRIMED) || reading < state->register_value || at <= state->register_time ||
        !prepay__sub(reading, state->register_value, &energy)) {
        return NOT_FAST;
    }
    return fast(plan, account, state, c, bands, demand, state->register_time, at, energy, true, reading, lines,
                line_cap, result);
}

/* The general path of a reading (as slow_interval()). */
static int slow_reading(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                        prepay_tariff_compact_state_t *state, bands_t bands, bands_t work, demand_t demand,
                        prepay_time_t at, prepay_energy_t reading, prepay_tariff_line_t *lines, size_t line_cap,
                        prepay_tariff_feed_result_t *result, bool fast_tried)
{
    bool sealed = false;
    int status = check_call(plan, state, (const_bands_t)bands, demand, lines, line_cap, result, &sealed, false);
    if (status != PREPAY_OK) {
        return status;
    }
    if (!FAST_FIRST && sealed && !fast_tried && /* as in slow_interval() */
        (status = fast_reading(plan, account, state, &state->cache, bands, demand, at, reading, lines, line_cap,
                               result)) !=
            NOT_FAST) {
        return status;
    }
    stream_sink_t sink;
    sink_init(&sink, plan, lines, line_cap);
    prepay__engine_t engine;
    prepay_tariff_demand_state_t demand_work;
    prepay__engine_start(&engine, plan, account, state, (const_bands_t)bands, work, &sink.base);
    prepay__engine_demand(&engine, demand, &demand_work);
    prepay_tariff_compact_state_t *st = &engine.st;
    if (st->flags & PREPAY__FLAG_PRIMED) {
        prepay_energy_t energy;
        if (reading < st->register_value) {
            return PREPAY_E_TARIFF_REGISTER_BACKWARDS;
        }
        if (at < st->register_time) {
            return PREPAY_E_TARIFF_TIME_ORDER;
        }
        if (prepay_i64_sub(reading, st->register_value, &energy) != PREPAY_OK) {
            return PREPAY_E_OVERFLOW;
        }
        status = prepay__engine_interval(&engine, st->register_time, at, energy);
        if (status != PREPAY_OK) {
            return status;
        }
    } else if ((st->flags & PREPAY__FLAG_POSITION) && at < st->position) {
        return PREPAY_E_TARIFF_TIME_ORDER;
    }
    st->flags |= PREPAY__FLAG_PRIMED;
    st->register_time = at;
    st->register_value = reading;
    return finish(&engine, &sink, sealed ? prepay__cache_key(plan, account) : 0u, state, bands, demand, result);
}

static FAST_INLINE int feed_reading(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                    prepay_tariff_compact_state_t *state, bands_t bands, bands_t work,
                                    demand_t demand, prepay_time_t at, prepay_energy_t reading,
                                    prepay_tariff_line_t *lines, size_t line_cap, prepay_tariff_feed_result_t *result)
{
    bool tried = fast_first(plan, state, lines, line_cap, result);
    if (tried) {
        int status =
            fast_reading(plan, account, state, &state->cache, bands, demand, at, reading, lines, line_cap, result);
        if (status != NOT_FAST) {
            return status;
        }
    }
    return slow_reading(plan, account, state, bands, work, demand, at, reading, lines, line_cap, result, tried);
}

/* The fast path on a full state works on the state's own cache and on a
 * compact copy of its other members, loaded and stored member by member.
 * Copying the whole block (as the general path does) reads with wide loads
 * members that were just written one by one (by the previous call, or by
 * the fast path): the processor cannot forward such stores to such loads
 * and waits for them to reach the cache. A proportional call (full state)
 * took 20-26 ns per interval with block copies, 15-16 ns without
 * (bench_tariff, the same minutes). The copy's cache and padding are left
 * undefined, never read nor stored: the state's padding stays as it was,
 * as with the block copy (which stored back the padding it had read). */
static FAST_INLINE void fast_load(const prepay_tariff_state_t *state, prepay_tariff_compact_state_t *core,
                                  bool reading)
{
    core->magic = state->magic;
    core->flags = state->flags;
    core->cycle = state->cycle;
    core->position = state->position;
    core->cycle_energy = state->cycle_energy;
    if (reading) { /* an interval neither reads nor changes the register */
        core->register_time = state->register_time;
        core->register_value = state->register_value;
    }
    core->charged = state->charged;
    core->carry.units = state->carry.units;
    core->carry.nanos = state->carry.nanos;
}

/* What a successful fast path may change besides the cache (never magic, flags or cycle). */
static FAST_INLINE void fast_store(const prepay_tariff_compact_state_t *core, prepay_tariff_state_t *state,
                                   bool reading)
{
    state->position = core->position;
    state->cycle_energy = core->cycle_energy;
    if (reading) {
        state->register_time = core->register_time;
        state->register_value = core->register_value;
    }
    state->charged = core->charged;
    state->carry.units = core->carry.units;
    state->carry.nanos = core->carry.nanos;
}

int prepay_tariff_feed_interval(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                prepay_tariff_state_t *state, prepay_time_t start, prepay_time_t end,
                                prepay_energy_t energy, prepay_tariff_line_t *lines, size_t line_cap,
                                prepay_tariff_feed_result_t *result)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_tariff_compact_state_t core;
    bool tried = fast_first(plan, state, lines, line_cap, result);
    if (tried) {
        fast_load(state, &core, false);
        int status = fast(plan, account, &core, &state->cache, state->band_energy, &state->demand, start, end,
                          energy, false, 0, lines, line_cap, result);
        if (status != NOT_FAST) {
            if (status >= 0) {
                fast_store(&core, state, false);
            }
            return status;
        }
    }
    prepay__state_load(state, &core); /* the general path works on an exact copy, padding included */
    prepay_energy_t work[PREPAY_TARIFF_PRICE_SETS][PREPAY_MAX_TARIFF_INDEX];
    int status = slow_interval(plan, account, &core, state->band_energy, work, &state->demand, start, end, energy,
                               lines, line_cap, result, tried, false);
    if (status >= 0) {
        prepay__state_store(&core, state);
    }
    return status;
}

int prepay_tariff_feed_reading(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                               prepay_tariff_state_t *state, prepay_time_t at, prepay_energy_t reading,
                               prepay_tariff_line_t *lines, size_t line_cap, prepay_tariff_feed_result_t *result)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_tariff_compact_state_t core;
    bool tried = fast_first(plan, state, lines, line_cap, result);
    if (tried) {
        fast_load(state, &core, true);
        int status = fast_reading(plan, account, &core, &state->cache, state->band_energy, &state->demand, at,
                                  reading, lines, line_cap, result);
        if (status != NOT_FAST) {
            if (status >= 0) {
                fast_store(&core, state, true);
            }
            return status;
        }
    }
    prepay__state_load(state, &core); /* the general path works on an exact copy, padding included */
    prepay_energy_t work[PREPAY_TARIFF_PRICE_SETS][PREPAY_MAX_TARIFF_INDEX];
    int status = slow_reading(plan, account, &core, state->band_energy, work, &state->demand, at, reading, lines,
                              line_cap, result, tried);
    if (status >= 0) {
        prepay__state_store(&core, state);
    }
    return status;
}

int prepay_tariff_compact_feed_interval(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                        prepay_tariff_compact_state_t *state, prepay_time_t start, prepay_time_t end,
                                        prepay_energy_t energy, prepay_tariff_line_t *lines, size_t line_cap,
                                        prepay_tariff_feed_result_t *result)
{
    return feed_interval(plan, account, state, NULL, NULL, NULL, start, end, energy, lines, line_cap, result, false);
}

int prepay__compact_feed_interval_sealed(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                         prepay_tariff_compact_state_t *state, prepay_time_t start,
                                         prepay_time_t end, prepay_energy_t energy, prepay_tariff_line_t *lines,
                                         size_t line_cap, prepay_tariff_feed_result_t *result)
{
    return feed_interval(plan, account, state, NULL, NULL, NULL, start, end, energy, lines, line_cap, result, true);
}

int prepay_tariff_compact_feed_reading(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                       prepay_tariff_compact_state_t *state, prepay_time_t at,
                                       prepay_energy_t reading, prepay_tariff_line_t *lines, size_t line_cap,
                                       prepay_tariff_feed_result_t *result)
{
    return feed_reading(plan, account, state, NULL, NULL, NULL, at, reading, lines, line_cap, result);
}

int prepay_tariff_close_cycle(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                              prepay_tariff_state_t *state, prepay_tariff_line_t *lines, size_t line_cap,
                              prepay_tariff_feed_result_t *result)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_tariff_compact_state_t core;
    prepay__state_load(state, &core);
    bool sealed = false;
    int status = check_call(plan, &core, (const_bands_t)state->band_energy, &state->demand, lines, line_cap, result,
                            &sealed, false);
    if (status != PREPAY_OK) {
        return status;
    }
    stream_sink_t sink;
    sink_init(&sink, plan, lines, line_cap);
    prepay__engine_t engine;
    prepay_energy_t work[PREPAY_TARIFF_PRICE_SETS][PREPAY_MAX_TARIFF_INDEX];
    prepay_tariff_demand_state_t demand_work;
    prepay__engine_start(&engine, plan, account, &core, (const_bands_t)state->band_energy, work, &sink.base);
    prepay__engine_demand(&engine, &state->demand, &demand_work);
    status = prepay__engine_close(&engine);
    if (status == PREPAY_OK) {
        status = finish(&engine, &sink, sealed ? prepay__cache_key(plan, account) : 0u, &core, state->band_energy,
                        &state->demand, result);
    }
    if (status >= 0) {
        prepay__state_store(&core, state);
    }
    return status;
}

#if PREPAY_METER_JUMP /* for prepay__tariff_compact_add_days() (tariff_jump.c) */
int prepay__tariff_settle(prepay_money_t charged, prepay_amount_t carry, prepay_amount_t exact,
                          prepay_rounding_t rounding, prepay_money_t *due, prepay_money_t *charged_out,
                          prepay_amount_t *carry_out)
{
    return settle(charged, &carry, &exact, rounding, due, charged_out, carry_out);
}
#endif
