/* SPDX-License-Identifier: MIT */
/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"
#include "prepay/wallet.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__wallet_status_text(int number)
{
    switch (number) {
    case 1: return "wallet: more alarm levels than PREPAY_MAX_ALARM_LEVELS, or thresholds not strictly decreasing";
    case 2: return "wallet: a negative hysteresis, overdraft limit, close-allowed amount, debt cap or emergency amount";
    case 3: return "wallet: a time window outside 0..86400 s, too many windows or holidays, or an unknown mode or flag";
    case 4: return "wallet: the previous state is not one prepay_wallet_state_init() or prepay_wallet_decide() produced";
    default: return (const char *)0;
    }
}
#endif
