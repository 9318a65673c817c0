/* SPDX-License-Identifier: MIT */
/* Streaming states, full and compact: initialisation, invariants, conversion. */
#include <stddef.h>
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_internal.h"

int prepay__bands_check(const prepay_energy_t bands[PREPAY_TARIFF_PRICE_SETS][PREPAY_MAX_TARIFF_INDEX],
                        prepay_energy_t cycle_energy)
{
    prepay_energy_t sum = 0;
    for (unsigned k = 0; k < PREPAY_TARIFF_PRICE_SETS; k++) {
        for (unsigned b = 0; b < PREPAY_MAX_TARIFF_INDEX; b++) {
            prepay_energy_t v = bands[k][b];
            if (v < 0 || v > cycle_energy - sum) {
                return PREPAY_E_TARIFF_BAD_STATE;
            }
            sum += v;
        }
    }
    return PREPAY_OK;
}

/* A full state begins with exactly the members of a compact state, in the
 * same order: it can be loaded and stored as one block. */
#define SAME_MEMBER(m)                                                                                                 \
    _Static_assert(offsetof(prepay_tariff_state_t, m) == offsetof(prepay_tariff_compact_state_t, m),                  \
                   "prepay_tariff_state_t and prepay_tariff_compact_state_t must share the member " #m)
SAME_MEMBER(magic);
SAME_MEMBER(flags);
SAME_MEMBER(cycle);
SAME_MEMBER(position);
SAME_MEMBER(cycle_energy);
SAME_MEMBER(register_time);
SAME_MEMBER(register_value);
SAME_MEMBER(charged);
SAME_MEMBER(carry);
SAME_MEMBER(cache);
_Static_assert(offsetof(prepay_tariff_state_t, band_energy) >= sizeof(prepay_tariff_compact_state_t),
               "the per-band energy follows the shared members");
_Static_assert(offsetof(prepay_tariff_state_t, demand) > offsetof(prepay_tariff_state_t, band_energy),
               "the demand state follows the per-band energy");

int prepay_tariff_state_init(prepay_tariff_state_t *state)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(state, 0, sizeof *state);
    state->magic = PREPAY__STATE_MAGIC;
    return PREPAY_OK;
}

int prepay_tariff_compact_init(prepay_tariff_compact_state_t *state)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(state, 0, sizeof *state);
    state->magic = PREPAY__STATE_MAGIC;
    return PREPAY_OK;
}

int prepay_tariff_compact_to_state(const prepay_tariff_compact_state_t *compact, prepay_tariff_state_t *state)
{
    if (!compact || !state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay__state_check(compact);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_tariff_compact_state_t core = *compact; /* compact and state may not alias, but be safe */
    memset(state, 0, sizeof *state);
    prepay__state_store(&core, state);
    return PREPAY_OK;
}

int prepay_tariff_compact_from_state(const prepay_tariff_state_t *state, prepay_tariff_compact_state_t *compact)
{
    if (!state || !compact) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_tariff_compact_state_t core;
    memset(&core, 0, sizeof core);
    prepay__state_load(state, &core);
    int status = prepay__state_check(&core);
    if (status == PREPAY_OK) {
        status = prepay__bands_check(state->band_energy, state->cycle_energy);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    for (unsigned k = 0; k < PREPAY_TARIFF_PRICE_SETS; k++) {
        for (unsigned b = 0; b < PREPAY_MAX_TARIFF_INDEX; b++) {
            if (state->band_energy[k][b] != 0) {
                return PREPAY_E_TARIFF_NEEDS_BANDS;
            }
        }
    }
    /* Peaks or a billing-demand history would be lost. */
    const prepay_tariff_demand_state_t *d = &state->demand;
    bool held = d->cycle != 0 || d->flat_peak != 0;
    for (unsigned i = 0; i < 12; i++) {
        held = held || d->history_cycle[i] != 0;
    }
    if (held) {
        return prepay__demand_state_check(&state->demand) == PREPAY_OK ? PREPAY_E_TARIFF_NEEDS_DEMAND
                                                                        : PREPAY_E_TARIFF_BAD_STATE;
    }
    *compact = core;
    return PREPAY_OK;
}
