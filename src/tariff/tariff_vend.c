/* SPDX-License-Identifier: MIT */
/* Vending inverse: how much energy an amount of money buys at the account's position. */
#include <string.h>

#include "../common/wide_internal.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_engine_internal.h"

/* Exact cost of `energy` Wh consumed from cycle position `used`, in one band, incremental tiers. */
static int cost_of(const prepay_tariff_t *t, const prepay_energy_t *upper, unsigned band, prepay_energy_t used,
                   prepay_energy_t energy, prepay_amount_t *out)
{
    prepay_amount_t total = {0, 0};
    while (energy > 0) {
        unsigned tier = prepay__tier_index(upper, t->tier_count, used);
        prepay_energy_t room = upper[tier] - used;
        prepay_energy_t take = energy < room ? energy : room;
        prepay_price_t price;
        prepay_amount_t part;
        int status = prepay__tariff_price(t, band, tier + 1u, &price);
        if (status == PREPAY_OK) {
            status = prepay_amount_from_product(take, price, &part);
        }
        if (status == PREPAY_OK) {
            status = prepay_amount_add(total, part, &total);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        used += take;
        energy -= take;
    }
    *out = total;
    return PREPAY_OK;
}

/* floor(amount / price) energy units, capped at INT64_MAX; amount >= 0, price > 0. */
static prepay_energy_t affordable(prepay_amount_t amount, prepay_price_t price)
{
    /* amount in nanos of a minor unit = units x 1e9 + nanos; one Wh at price p costs p nanos. */
    prepay__u128_t n = prepay__u128_mul((uint64_t)amount.units, PREPAY_AMOUNT_NANOS);
    uint64_t lo = n.lo + amount.nanos;
    n.hi += lo < n.lo ? 1u : 0u;
    n.lo = lo;
    uint64_t q, r;
    if (!prepay__u128_divmod(n, (uint64_t)price, &q, &r) || q > (uint64_t)INT64_MAX) {
        return INT64_MAX;
    }
    return (prepay_energy_t)q;
}

int prepay_tariff_vend(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                       const prepay_tariff_state_t *state, prepay_time_t at, unsigned band, prepay_money_t money,
                       prepay_energy_t quantum, prepay_energy_t *energy, prepay_amount_t *cost)
{
    if (!plan || !energy || money < 0 || quantum < 1) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    bool sealed;
    int status = prepay__plan_check(plan, &sealed);
    if (status == PREPAY_OK && state) {
        prepay_tariff_compact_state_t core;
        prepay__state_load(state, &core);
        status = prepay__state_check(&core);
        if (status == PREPAY_OK) {
            status = prepay__bands_check(state->band_energy, state->cycle_energy);
        }
    }
    if (status != PREPAY_OK) {
        return status;
    }
    const prepay_tariff_t *t = plan->sets[prepay__set_at(plan, at)];
    if (band == 0) {
        status = prepay__tou_band_at(t, prepay_time_day_of(at), (unsigned)prepay_time_second_of_day(at) / 60u, &band);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    if (band > t->band_count) {
        return PREPAY_E_TARIFF_BAD_BAND;
    }
    int32_t cycle;
    status = prepay__cycle_of(t, at, &cycle);
    prepay_energy_t upper[PREPAY_MAX_TIERS];
    if (status == PREPAY_OK) {
        status = prepay__tier_bounds(t, account, cycle, upper);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_energy_t used = 0;
    if (state && (state->flags & PREPAY__FLAG_CYCLE_OPEN) && state->cycle == cycle) {
        used = state->cycle_energy;
    }
    /* Walk the tiers from the position: whole tiers while affordable, then the affordable part. */
    prepay_amount_t budget = prepay_amount_from_money(money);
    prepay_amount_t spent = {0, 0};
    prepay_energy_t bought = 0;
    for (;;) {
        prepay_energy_t position = used + bought;
        unsigned tier = prepay__tier_index(upper, t->tier_count, position);
        prepay_energy_t room = upper[tier] - position;
        prepay_price_t price;
        status = prepay__tariff_price(t, band, tier + 1u, &price);
        if (status != PREPAY_OK) {
            return status;
        }
        bool unbounded = upper[tier] == PREPAY_TIER_UNBOUNDED;
        if (price == 0) {
            if (unbounded) {
                return PREPAY_E_TARIFF_FREE_ENERGY;
            }
            bought += room;
            continue;
        }
        prepay_amount_t left;
        status = prepay_amount_sub(budget, spent, &left);
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_energy_t can = affordable(left, price);
        if (unbounded || can < room) {
            if (can > INT64_MAX - position) {
                can = INT64_MAX - position;
            }
            bought += can;
            break;
        }
        prepay_amount_t part;
        status = prepay_amount_from_product(room, price, &part);
        if (status == PREPAY_OK) {
            status = prepay_amount_add(spent, part, &spent);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        bought += room;
    }
    bought -= bought % quantum;
    prepay_amount_t exact;
    status = cost_of(t, upper, band, used, bought, &exact);
    if (status != PREPAY_OK) {
        return status;
    }
    *energy = bought;
    if (cost) {
        *cost = exact;
    }
    return PREPAY_OK;
}
