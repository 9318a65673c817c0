/* SPDX-License-Identifier: MIT */
/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__meter_status_text(int number)
{
    switch (number) {
    case 1: return "meter: not initialised or corrupt";
    case 2: return "meter: local cost control needs a valid tariff";
    case 3: return "meter: proportional TOU x tier tariffs cannot be applied by a meter";
    case 4: return "meter: purchase count is neither the meter's count + 1 nor equal to it";
    case 5: return "meter: the balance would exceed the hoarding limit";
    case 6: return "meter: malformed load";
    case 7: return "meter: trip refused while keep-power is in force";
    case 8: return "meter: relay command arrived after its valid-until time";
    case 9: return "meter: inconsistent purse parameters";
    case 10: return "meter: a day table has more than 14 time slots (DL/T 645-2007 04000203)";
    case 11: return "meter: time sync refused: it would move the clock further than the meter's limit";
    case 12: return "meter: demand or load-record parameter out of range";
    default: return (const char *)0;
    }
}
#endif
