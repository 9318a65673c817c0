/* SPDX-License-Identifier: MIT */
/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__allocation_status_text(int number)
{
    switch (number) {
    case 1: return "allocation: no parts to split among";
    case 2: return "allocation: negative weight";
    case 3: return "allocation: every weight is zero";
    case 4: return "allocation: sub-meters exceed the master meter (negative residual)";
    case 5: return "allocation: negative meter consumption";
    case 6: return "allocation: occupied days outside the period";
    case 7: return "allocation: unknown policy";
    default: return (const char *)0;
    }
}
#endif
