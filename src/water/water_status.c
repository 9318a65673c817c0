/* SPDX-License-Identifier: MIT */
/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__water_status_text(int number)
{
    switch (number) {
    case 1: return "water meter: not initialised or corrupt";
    case 2: return "water meter: parameter out of its domain";
    case 3: return "water meter: not possible in this purse mode";
    case 4: return "water meter: purchase serial is neither the last one nor the next one";
    case 5: return "water meter: the balance would exceed the hoarding limit";
    case 6: return "water meter: valve open refused by the valve rules";
    case 7: return "water meter: time before the meter clock";
    default: return (const char *)0;
    }
}
#endif
