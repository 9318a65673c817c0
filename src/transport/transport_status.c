/* SPDX-License-Identifier: MIT */
/* Status texts of the transport module (PREPAY_MODULE_TRANSPORT), for prepay_strerror().
 * Numbers 1..15: DTU registration packets (prepay/dtu.h, core);
 * numbers 16..: serial and TCP transports (prepay/transport.h, hosted). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__transport_status_text(int number)
{
    switch (number) {
    case 1: return "transport: malformed DTU registration or heartbeat pattern";
    case 2: return "transport: bytes are not a packet of the DTU format";
    case 16: return "transport: cannot open the device or connect to the host";
    case 17: return "transport: the device is in use by another program";
    case 18: return "transport: serial settings the device or this library do not support";
    case 19: return "transport: the connection was closed by the other end";
    case 20: return "transport: read or write on the device or connection failed";
    case 21: return "transport: the DTU did not register within the time allowed";
    case 22: return "transport: connecting took longer than the time allowed";
    case 23: return "transport: the host name or address cannot be resolved";
    default: return (const char *)0;
    }
}
#endif
