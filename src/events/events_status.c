/* SPDX-License-Identifier: MIT */
/* Status texts of the events module (PREPAY_MODULE_EVENTS), for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__events_status_text(int number)
{
    switch (number) {
    case 1: return "event, load-control or voltage-statistics state not initialised";
    case 2: return "event parameter out of range (delay of 0, value too large for its DL/T 645 format)";
    case 3: return "event parameters contradict each other";
    case 4: return "sample outside the physical range of its format";
    case 5: return "time went backwards without a clock change";
    case 6: return "data identifier not handled by the events module";
    case 7: return "data bytes of the wrong length or not BCD";
    case 8: return "the item is read-only";
    default: return (const char *)0;
    }
}
#endif
