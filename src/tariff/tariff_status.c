/* SPDX-License-Identifier: MIT */
/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__tariff_status_text(int number)
{
    switch (number) {
    case 1: return "tariff: unknown enum value";
    case 2: return "tariff: table count exceeds its capacity";
    case 3: return "tariff: seasons not sorted by start date";
    case 4: return "tariff: two seasons start on the same date";
    case 5: return "tariff: date does not exist";
    case 6: return "tariff: day-table slots not strictly increasing";
    case 7: return "tariff: slot start minute out of range";
    case 8: return "tariff: day table has no slot (gap)";
    case 9: return "tariff: reference to a missing day table";
    case 10: return "tariff: bad band (tariff index)";
    case 11: return "tariff: holidays not strictly increasing";
    case 12: return "tariff: overrides unsorted or overlapping";
    case 13: return "tariff: override minute range empty or out of range";
    case 14: return "tariff: tier bounds not strictly increasing";
    case 15: return "tariff: last tier must be unbounded";
    case 16: return "tariff: negative or bad price";
    case 17: return "tariff: bad price derivation (ratio or quantum)";
    case 18: return "tariff: bad cycle definition";
    case 19: return "tariff: negative fixed charge";
    case 20: return "tariff: the two price sets are incompatible";
    case 21: return "tariff: interval before what was already priced";
    case 22: return "tariff: malformed interval";
    case 23: return "tariff: register reading went backwards";
    case 24: return "tariff: cycle already closed";
    case 25: return "tariff: bad account adjustment";
    case 26: return "tariff: marginal price is zero (unlimited energy)";
    case 27: return "tariff: state not initialised or corrupt";
    case 28: return "tariff: a sealed plan's tariff changed without prepay_tariff_touch()";
    case 29: return "tariff: proportional mode needs the full state (per-band energy)";
    case 30: return "tariff: malformed demand or capacity charge";
    case 31: return "tariff: demand or capacity charges need the full state (monthly peaks)";
    default: return (const char *)0;
    }
}
#endif
