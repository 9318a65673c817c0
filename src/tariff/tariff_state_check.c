/* Streaming state: the public check of a state restored from storage. */
#include "prepay/tariff.h"
#include "tariff_internal.h"

int prepay_tariff_state_check(const prepay_tariff_state_t *state)
{
    if (!state) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return prepay__state_check(state);
}
