/* SPDX-License-Identifier: MIT */
/* Text of the settlement status codes (prepay_strerror() dispatches here). */
#include "prepay/settlement.h"

#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR

const char *prepay__settlement_status_text(int number)
{
    switch (number) {
    case 1: return "settlement: unknown meter";
    case 2: return "settlement: unknown account";
    case 3: return "settlement: id already in the site";
    case 4: return "settlement: id, time or number outside the transfer-id scheme";
    case 5: return "settlement: invalid configuration field";
    case 6: return "settlement: tariff or policy number out of range, or no tariff for the commodity";
    case 7: return "settlement: tariff meters another commodity";
    case 8: return "settlement: allocation group contradicts the site";
    case 9: return "settlement: reading outside the register";
    case 10: return "settlement: reading of another register (DI or unit)";
    case 11: return "settlement: reply carries no value";
    case 12: return "settlement: same key with other content";
    case 13: return "settlement: recharge sequence skips numbers";
    case 14: return "settlement: period boundary not after the open period, or not at midnight";
    case 15: return "settlement: books not opened for the account";
    case 16: return "settlement: ledger refused a settlement transfer";
    case 17: return "settlement: site balances disagree with the ledger";
    default: return (const char *)0;
    }
}

#endif
