/* SPDX-License-Identifier: MIT */
/*
 * Demand and capacity charges: validation, billing demand (ratchets), the
 * lines of a month, the demand state's invariants.
 *
 * The rules are NREL SAM utilityrate5's (shared/lib_utility_rate_equations.cpp:
 * rate_data::get_demand_charge() and get_billing_demand(); read, not copied):
 * a month's flat charge bills its (billing) demand, each TOU demand period
 * its own peak, both through cumulative demand tiers; the billing demand is
 * the largest of a minimum, a share of each looked-back month's peak and,
 * where enabled, the month's own peak. See prepay_tariff_demand_t.
 */
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_internal.h"

/* Ratios are millionths; a carried share above 10x the peak is not a tariff. */
#define RATIO_MAX (10u * (uint32_t)PREPAY_RATIO_SCALE)

static PREPAY__ONE_COPY int check_rate(const prepay_demand_rate_t *r)
{
    if (r->tier_count < 1 || r->tier_count > PREPAY_MAX_DEMAND_TIERS) {
        return PREPAY_E_TARIFF_BAD_DEMAND;
    }
    for (unsigned i = 0; i < r->tier_count; i++) {
        bool last = i + 1u == r->tier_count;
        if (r->price[i] < 0 || (last ? r->upper[i] != PREPAY_DEMAND_UNBOUNDED
                                     : (r->upper[i] <= 0 || r->upper[i] == PREPAY_DEMAND_UNBOUNDED ||
                                        (i > 0 && r->upper[i] <= r->upper[i - 1u])))) {
            return PREPAY_E_TARIFF_BAD_DEMAND;
        }
    }
    return PREPAY_OK;
}

int prepay__demand_validate(const prepay_tariff_t *t)
{
    if (!PREPAY_TARIFF_DEMAND) {
        /* Demand and capacity charges are left out of this build: a tariff with one is refused. */
        return prepay__demand_present(t) ? PREPAY_E_TARIFF_BAD_DEMAND : PREPAY_OK;
    }
    const prepay_tariff_demand_t *d = &t->demand;
    if (d->rate_count > PREPAY_MAX_DEMAND_RATES || d->period_count > PREPAY_MAX_DEMAND_PERIODS ||
        d->ratchet > 1 || d->ratchet_months > 12 || (d->ratchet_current >> 12) != 0 || d->ratchet_minimum < 0 ||
        d->capacity_price < 0 || d->capacity < 0) {
        return PREPAY_E_TARIFF_BAD_DEMAND;
    }
    if (d->period_count < 32 && (d->ratchet_periods >> d->period_count) != 0) {
        return PREPAY_E_TARIFF_BAD_DEMAND;
    }
    for (unsigned m = 0; m < 12; m++) {
        if (d->flat_rate[m] > d->rate_count || d->ratchet_ratio[m] > RATIO_MAX) {
            return PREPAY_E_TARIFF_BAD_DEMAND;
        }
        for (unsigned p = 0; p < PREPAY_MAX_DEMAND_PERIODS; p++) {
            if (d->period_rate[p][m] > (p < d->period_count ? d->rate_count : 0u)) {
                return PREPAY_E_TARIFF_BAD_DEMAND;
            }
        }
    }
    for (unsigned b = 0; b < PREPAY_MAX_TARIFF_INDEX; b++) {
        if (d->period_of_band[b] > (b < t->band_count ? d->period_count : 0u)) {
            return PREPAY_E_TARIFF_BAD_DEMAND;
        }
    }
    for (unsigned r = 0; r < d->rate_count; r++) {
        int status = check_rate(&d->rates[r]);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    bool any = d->rate_count != 0 || d->capacity_price != 0 || d->period_count != 0 || d->ratchet != 0;
    /* Demand is a monthly quantity of electric power. */
    if (any && (t->unit != PREPAY_TARIFF_UNIT_ENERGY || t->cycle_kind != PREPAY_CYCLE_MONTH)) {
        return PREPAY_E_TARIFF_BAD_DEMAND;
    }
    return PREPAY_OK;
}

bool prepay__demand_compatible(const prepay_tariff_t *a, const prepay_tariff_t *b)
{
    if (!PREPAY_TARIFF_DEMAND) {
        return true; /* validation refused every demand charge */
    }
    const prepay_tariff_demand_t *x = &a->demand, *y = &b->demand;
    return prepay__demand_active(a) == prepay__demand_active(b) && x->period_count == y->period_count &&
           x->ratchet == y->ratchet && x->ratchet_months == y->ratchet_months &&
           x->ratchet_current == y->ratchet_current && x->ratchet_periods == y->ratchet_periods &&
           x->ratchet_minimum == y->ratchet_minimum &&
           memcmp(x->ratchet_ratio, y->ratchet_ratio, sizeof x->ratchet_ratio) == 0;
}

int prepay__demand_state_check(const prepay_tariff_demand_state_t *d)
{
    bool bad = (d->cycle != 0 && d->cycle < 12) || d->set >= PREPAY_TARIFF_PRICE_SETS || d->flat_peak < 0;
    for (unsigned p = 0; p < PREPAY_MAX_DEMAND_PERIODS; p++) {
        bad = bad || d->peak[p] < 0;
    }
    for (unsigned i = 0; i < 12; i++) {
        int32_t c = d->history_cycle[i];
        bad = bad || d->history[i] < 0 || (c != 0 && (c < 12 || c % 12 != (int32_t)i));
    }
    return bad ? PREPAY_E_TARIFF_BAD_STATE : PREPAY_OK;
}

void prepay__demand_begin(prepay_tariff_demand_state_t *d, int32_t cycle, unsigned set)
{
    d->cycle = cycle;
    d->set = (uint8_t)set;
    d->flat_peak = 0;
    d->flat_time = 0;
    memset(d->peak, 0, sizeof d->peak);
    memset(d->peak_time, 0, sizeof d->peak_time);
}

/* The peak that sets the billing demand of the month in d. */
static PREPAY__ONE_COPY prepay_power_t ratchet_peak(const prepay_tariff_demand_t *rule,
                                                   const prepay_tariff_demand_state_t *d)
{
    if (rule->ratchet_periods == 0) {
        return d->flat_peak;
    }
    prepay_power_t peak = 0;
    for (unsigned p = 0; p < rule->period_count && p < PREPAY_MAX_DEMAND_PERIODS; p++) {
        if (((rule->ratchet_periods >> p) & 1u) && d->peak[p] > peak) {
            peak = d->peak[p];
        }
    }
    return peak;
}

/* Month index 0..11 of a cycle (cycle ids are year x 12 + month - 1). */
static unsigned month_of(int32_t cycle)
{
    return (unsigned)(cycle % 12);
}

/* The billing demand: the flat peak, or with ratchets the SAM rule. */
static int billing_demand(const prepay_tariff_demand_t *rule, const prepay_tariff_demand_state_t *d,
                          prepay_power_t *out)
{
    if (!rule->ratchet) {
        *out = d->flat_peak;
        return PREPAY_OK;
    }
    prepay_power_t own = ratchet_peak(rule, d);
    prepay_power_t billing = rule->ratchet_minimum;
    for (int32_t back = (int32_t)rule->ratchet_months; back >= 0; back--) {
        int32_t c = d->cycle - back;
        unsigned slot = month_of(c);
        prepay_power_t peak = back == 0 ? own : (c >= 12 && d->history_cycle[slot] == c ? d->history[slot] : 0);
        prepay_power_t carried;
        int status = prepay_i64_muldiv(peak, (int64_t)rule->ratchet_ratio[slot], PREPAY_RATIO_SCALE,
                                       PREPAY_ROUND_HALF_UP, &carried);
        if (status != PREPAY_OK) {
            return status;
        }
        if (carried > billing) {
            billing = carried;
        }
    }
    if (((rule->ratchet_current >> month_of(d->cycle)) & 1u) && own > billing) {
        billing = own;
    }
    *out = billing;
    return PREPAY_OK;
}

typedef struct emitter {
    const prepay_tariff_t *tariff;
    const prepay_tariff_demand_state_t *d;
    int (*emit)(void *context, const prepay_tariff_line_t *line);
    void *context;
} emitter_t;

static int emit_line(const emitter_t *e, prepay_line_kind_t kind, unsigned band, unsigned tier,
                     prepay_power_t quantity, prepay_price_t price)
{
    prepay_tariff_line_t line;
    memset(&line, 0, sizeof line);
    line.kind = kind;
    line.cycle = e->d->cycle;
    line.price_set = e->d->set;
    line.band = (uint8_t)band;
    line.tier = (uint8_t)tier;
    line.quantity = quantity;
    line.price = price;
    int status = prepay_amount_from_product(quantity, price, &line.amount);
    if (status == PREPAY_OK) {
        status = prepay_amount_round(line.amount, e->tariff->rounding, &line.money);
    }
    return status == PREPAY_OK ? e->emit(e->context, &line) : status;
}

/* The lines of one charge: demand D through the rate's cumulative tiers. */
static int emit_tiers(const emitter_t *e, unsigned band, const prepay_demand_rate_t *rate, prepay_power_t demand)
{
    prepay_power_t lower = 0;
    for (unsigned i = 0; i < rate->tier_count && i < PREPAY_MAX_DEMAND_TIERS && demand > lower; i++) {
        prepay_power_t top = demand < rate->upper[i] ? demand : rate->upper[i];
        int status = emit_line(e, PREPAY_LINE_DEMAND, band, i + 1u, top - lower, rate->price[i]);
        if (status != PREPAY_OK) {
            return status;
        }
        lower = top;
    }
    return PREPAY_OK;
}

int prepay__demand_close(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                         prepay_tariff_demand_state_t *d, bool remember,
                         int (*emit)(void *context, const prepay_tariff_line_t *line), void *context)
{
    const prepay_tariff_t *t = plan->sets[d->set] ? plan->sets[d->set] : plan->sets[0];
    const prepay_tariff_demand_t *rule = &t->demand;
    emitter_t e = {t, d, emit, context};
    unsigned month = month_of(d->cycle);
    prepay_power_t billing;
    int status = billing_demand(rule, d, &billing);
    unsigned flat = rule->flat_rate[month];
    if (status == PREPAY_OK && flat >= 1 && flat <= rule->rate_count) {
        status = emit_tiers(&e, 0, &rule->rates[flat - 1u], billing);
    }
    for (unsigned p = 0; status == PREPAY_OK && p < rule->period_count && p < PREPAY_MAX_DEMAND_PERIODS; p++) {
        unsigned r = rule->period_rate[p][month];
        if (r >= 1 && r <= rule->rate_count) {
            bool billed = rule->ratchet && ((rule->ratchet_periods >> p) & 1u);
            status = emit_tiers(&e, p + 1u, &rule->rates[r - 1u], billed ? billing : d->peak[p]);
        }
    }
    prepay_power_t capacity = account && account->capacity > 0 ? account->capacity : rule->capacity;
    if (status == PREPAY_OK && rule->capacity_price > 0 && capacity > 0) {
        status = emit_line(&e, PREPAY_LINE_CAPACITY, 0, 0, capacity, rule->capacity_price);
    }
    if (status == PREPAY_OK && remember) {
        d->history[month] = ratchet_peak(rule, d);
        d->history_cycle[month] = d->cycle;
    }
    return status;
}

/* ---- public ------------------------------------------------------------------------------- */

int prepay_tariff_interval_demand(prepay_time_t start, prepay_time_t end, prepay_energy_t energy,
                                  prepay_power_t *demand)
{
    if (!demand) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int64_t length;
    if (end <= start || energy < 0 || prepay_i64_sub(end, start, &length) != PREPAY_OK) {
        return PREPAY_E_TARIFF_BAD_INTERVAL;
    }
    return prepay__interval_demand(start, end, energy, demand);
}

static int check_demand_call(const prepay_tariff_plan_t *plan, const prepay_tariff_demand_state_t *d)
{
    bool sealed;
    if (!plan || !d || d->cycle == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay__plan_check(plan, &sealed);
    if (status == PREPAY_OK) {
        status = prepay__demand_state_check(d);
    }
    if (status == PREPAY_OK && !plan->sets[d->set]) {
        status = PREPAY_E_INVALID_ARGUMENT;
    }
    return status;
}

int prepay_tariff_demand_billing(const prepay_tariff_plan_t *plan, const prepay_tariff_demand_state_t *demand,
                                 prepay_power_t *billing)
{
    if (!billing) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = check_demand_call(plan, demand);
    prepay_power_t out = 0;
    if (status == PREPAY_OK) {
        status = billing_demand(&plan->sets[demand->set]->demand, demand, &out);
    }
    if (status == PREPAY_OK) {
        *billing = out;
    }
    return status;
}

typedef struct buffer {
    prepay_tariff_line_t *lines;
    size_t cap;
    size_t count;
} buffer_t;

static int to_buffer(void *context, const prepay_tariff_line_t *line)
{
    buffer_t *b = context;
    if (b->count < b->cap) {
        memcpy(&b->lines[b->count], line, sizeof *line); /* padding too: lines compare byte for byte */
    }
    b->count++;
    return PREPAY_OK;
}

int prepay_tariff_demand_lines(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                               const prepay_tariff_demand_state_t *demand, prepay_tariff_line_t *lines,
                               size_t line_cap, size_t *count)
{
    if (!count || (!lines && line_cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = check_demand_call(plan, demand);
    if (status != PREPAY_OK) {
        return status;
    }
    buffer_t b = {lines, lines ? line_cap : 0u, 0};
    prepay_tariff_demand_state_t copy = *demand;
    status = prepay__demand_close(plan, account, &copy, false, to_buffer, &b);
    if (status != PREPAY_OK) {
        return status;
    }
    *count = b.count;
    return b.count > b.cap ? PREPAY_E_BUFFER_TOO_SMALL : PREPAY_OK;
}

int prepay_tariff_demand_remember(prepay_tariff_demand_state_t *demand, int32_t cycle, prepay_power_t peak)
{
    if (!demand || cycle < 12 || peak < 0 || (demand->cycle != 0 && cycle >= demand->cycle)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned slot = month_of(cycle);
    demand->history[slot] = peak;
    demand->history_cycle[slot] = cycle;
    return PREPAY_OK;
}
