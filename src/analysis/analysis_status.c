/* SPDX-License-Identifier: MIT */
/* Status texts of the analysis module (PREPAY_MODULE_ANALYSIS), for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__analysis_status_text(int number)
{
    switch (number) {
    case 1: return "analysis input not sorted (meters by id; readings by meter, then time)";
    case 2: return "malformed analysis input record";
    case 3: return "analysis rules out of range";
    case 4: return "a register reading went backwards";
    default: return (const char *)0;
    }
}
#endif
