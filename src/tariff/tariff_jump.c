/* SPDX-License-Identifier: MIT */
/*
 * Internal: whole days priced in one step on a compact state (prepay__tariff_compact_add_days), for
 * a meter that crosses months in closed form while it draws power (src/meter/meter_jump.c).
 *
 * Inside one open cycle, one price set and one tier, the streaming engine prices each run of one
 * band as quantity x price exactly and turns the running exact total into whole minor units with
 * the one rounding rule (docs/units.md): due = round(charged + carry + exact) - charged. So a
 * sequence of such runs charges round(total exact) - charged whatever the order and size of its
 * pieces, and the exact total is sum over bands of (Wh in the band) x (its price at this tier):
 * one step gives the state and the money that run-by-run feeding gives. Anything outside that case
 * (another cycle, a tier bound crossed, demand prices, proportional assignment, a cache that does
 * not belong to the plan and account) is declined, and the caller prices run by run.
 */
#include "tariff_engine_internal.h"

#if PREPAY_METER_JUMP /* its only caller; a firmware build leaves both out */

int prepay__tariff_compact_add_days(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                    const prepay_tariff_compact_state_t *state, prepay_time_t from, prepay_time_t to,
                                    const prepay_energy_t wh[PREPAY_MAX_TARIFF_INDEX + 1], prepay_energy_t total,
                                    prepay_tariff_compact_state_t *out, prepay_money_t *due)
{
    const uint8_t need = PREPAY__FLAG_POSITION | PREPAY__FLAG_CYCLE_OPEN;
    const prepay_tariff_cache_t *c = &state->cache;
    if (prepay__state_check(state) != PREPAY_OK || c->key == 0u || c->key != prepay__cache_key(plan, account) ||
        (state->flags & (need | PREPAY__FLAG_CYCLE_CLOSED)) != need || from < state->position || to <= from ||
        to > c->cycle_end || c->set >= PREPAY_TARIFF_PRICE_SETS || plan->sets[c->set] == NULL ||
        prepay__set_at(plan, from) != c->set || prepay__set_at(plan, to - 1) != c->set ||
        plan->sets[0]->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL || prepay__demand_priced(plan, state->flags)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay_tariff_t *t = plan->sets[c->set];
    prepay_energy_t used = state->cycle_energy;
    if (c->tier < 1 || c->tier > t->tier_count || total < 0 || total > c->tier_high - used) {
        return PREPAY_E_INVALID_ARGUMENT; /* a tier bound inside: the engine splits it */
    }
    prepay_amount_t exact = {0, 0};
    prepay_energy_t counted = 0;
    for (unsigned b = 1; b <= t->band_count; b++) {
        prepay_price_t price;
        prepay_amount_t amount;
        if (wh[b] < 0 || (wh[b] != 0 && (prepay__tariff_price(t, b, c->tier, &price) != PREPAY_OK || price < 0 ||
                                          prepay__amount_of(wh[b], price, &amount) != PREPAY_OK ||
                                          !prepay__amount_add(&exact, &amount, &exact)))) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        counted += wh[b];
    }
    if (counted != total || wh[0] != 0) {
        return PREPAY_E_INVALID_ARGUMENT; /* energy outside the bands: not what runs would price */
    }
    *out = *state;
    if (total == 0) {
        *due = 0; /* runs of no energy are not fed: nothing changes */
        return PREPAY_OK;
    }
    int status = prepay__tariff_settle(state->charged, state->carry, exact, plan->sets[0]->rounding, due,
                                       &out->charged, &out->carry);
    if (status != PREPAY_OK) {
        return status;
    }
    out->cycle_energy = used + total;
    out->position = to;
    return PREPAY_OK;
}

#endif /* PREPAY_METER_JUMP */
