/* SPDX-License-Identifier: MIT */
/* Status texts of the station side, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__station_status_text(int number)
{
    switch (number) {
    case 1: return "station: a request is already outstanding on this bus";
    case 2: return "station: no reply before the timeout, after every retry";
    case 3: return "station: no finished request to report";
    case 4: return "station: follow-up data exceed the buffer or the follow-up limit";
    case 5: return "station: the request frame cannot be sent";
    case 6: return "station: discovery found more meters than the array holds";
    case 7: return "station: follow-up reply with an unexpected sequence number";
    case 8: return "station: the addressed meter sent a malformed reply (its length contradicts its control code)";
    case 9: return "station: a reply's value does not decode";
    case 10: return "station: the tariff tables read back differ from the plan";
    default: return (const char *)0;
    }
}
#endif
