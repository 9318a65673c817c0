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
    return prepay__state_check(&core);
}

int prepay_tariff_compact_state_check(const prepay_tariff_compact_state_t *state)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return prepay__state_check(state);
}
