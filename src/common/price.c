/* SPDX-License-Identifier: MIT */
/* The one validation of a price (see fixed_point.h). */
#include "prepay/fixed_point.h"
#include "prepay/status.h"

int prepay_price_check(prepay_price_t price)
{
    return (price < 0 || price > PREPAY_PRICE_MAX) ? PREPAY_E_OUT_OF_RANGE : PREPAY_OK;
}
