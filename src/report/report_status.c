/* SPDX-License-Identifier: MIT */
/* Status texts of the report module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__report_status_text(int number)
{
    switch (number) {
    case 1: return "report: unknown period, or an empty or out-of-range day range";
    case 2: return "report: a row starts before the end of the previous row of its meter (unordered or overlapping)";
    case 3: return "report: malformed row (length, negative energy, band or fee)";
    case 4: return "report: key or group index out of range";
    case 5: return "report: reports differ in period or days";
    case 6: return "report: bucket index out of range";
    case 7: return "report: no data in the report period";
    default: return (const char *)0;
    }
}
#endif
