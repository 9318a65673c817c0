/* SPDX-License-Identifier: MIT */
/* Text of the payment status codes (prepay_strerror() dispatches here). */
#include "prepay/payment.h"

#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR

const char *prepay__payment_status_text(int number)
{
    switch (number) {
    case 1: return "payment: unknown order";
    case 2: return "payment: notified amount differs from the order's";
    case 3: return "payment: order voided or expired, cannot be credited";
    case 4: return "payment: order already paid, cannot be voided";
    case 5: return "payment: order number exists with other content";
    case 6: return "payment: order field out of range";
    case 7: return "payment: ledger or settlement refused the order's transfer";
    case 8: return "payment: statement record does not parse";
    default: return (const char *)0;
    }
}

#endif
