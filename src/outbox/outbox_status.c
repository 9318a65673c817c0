/* SPDX-License-Identifier: MIT */
/* Text of the outbox status codes (prepay_strerror() dispatches here). */
#include "prepay/outbox.h"

#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR

const char *prepay__outbox_status_text(int number)
{
    switch (number) {
    case 1: return "outbox: inconsistent configuration (policies, retry schedule)";
    case 2: return "outbox: no room for the event's deliveries";
    case 3: return "outbox: no such delivery";
    case 4: return "outbox: event type or channel out of range";
    case 5: return "outbox: journal record of the outbox does not decode";
    default: return (const char *)0;
    }
}

#endif
