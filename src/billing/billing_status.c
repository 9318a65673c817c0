/* SPDX-License-Identifier: MIT */
/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__billing_status_text(int number)
{
    switch (number) {
    case 1: return "billing: malformed charge item";
    case 2: return "billing: empty or reversed period";
    case 3: return "billing: id out of range";
    case 4: return "billing: duplicate item or account id in a run";
    case 5: return "billing: statement state does not allow this transition";
    case 6: return "billing: statement is confirmed or issued and cannot change";
    case 7: return "billing: statement totals or seal do not match";
    case 8: return "billing: malformed statement line";
    default: return (const char *)0;
    }
}
#endif
