/* SPDX-License-Identifier: MIT */
/* Streaming states: the public checks of a state restored from storage. */
#include "prepay/tariff.h"
#include "tariff_internal.h"

int prepay_tariff_state_check(const prepay_tariff_state_t *state)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_tariff_compact_state_t core;
    prepay__state_load(state, &core);
    int status = prepay__state_check(&core);
    return status == PREPAY_OK ? prepay__demand_state_check(&state->demand) : status;
}

int prepay_tariff_compact_state_check(const prepay_tariff_compact_state_t *state)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return prepay__state_check(state);
}

int prepay_tariff_compact_energy_only(prepay_tariff_compact_state_t *state)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay__state_check(state);
    if (status == PREPAY_OK) {
        state->flags |= PREPAY__FLAG_ENERGY_ONLY;
    }
    return status;
}
