/* SPDX-License-Identifier: MIT */
/* Status texts of the load-profile module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__loadprofile_status_text(int number)
{
    switch (number) {
    case 1: return "load record: reply does not start with the block start A0 A0 (or E0 E0)";
    case 2: return "load record: reply ends before the record does";
    case 3: return "load record: record length byte disagrees with its blocks";
    case 4: return "load record: a block separator AA or the end byte E5 is missing";
    case 5: return "load record: record checksum mismatch";
    case 6: return "load record: a class block has the wrong size for its class";
    case 7: return "load record: invalid BCD value or time in a record";
    case 8: return "load record: not a load-record data identifier (06 DI2 00 DI0)";
    case 9: return "load record: follow-up frames out of order or from another read";
    case 10: return "load record: record time goes backwards";
    default: return (const char *)0;
    }
}
#endif
