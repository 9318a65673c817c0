/* SPDX-License-Identifier: MIT */
/*
 * The payments file of `prepay settle` (--payments): payment orders, their
 * notifies and refunds as CSV (docs/settlement.md, "The prepay settle
 * command"), read with the tools' CSV reader.
 */
#ifndef PREPAY_SETTLE_PAYMENTS_H
#define PREPAY_SETTLE_PAYMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "prepay/payment.h"

enum { PAY_ORDER = 1, PAY_NOTIFY = 2, PAY_REFUND = 3, PAY_SALE = 4 };

/* One payment input and the CSV line it came from. */
typedef struct settle_payment {
    int type;                           /* PAY_ORDER, PAY_NOTIFY, PAY_REFUND or PAY_SALE */
    uint32_t account, number, refunded; /* refunded: a refund's order number (0: none) */
    uint32_t purchase;                  /* a sale's purchase number (the meter's serial; 0: none) */
    uint8_t commodity;                  /* a sale's prepay_settlement_commodity */
    prepay_money_t amount;
    prepay_time_t time, deadline;       /* deadline: an order's */
    uint8_t status;                     /* a notify's prepay_payment_channel_status */
    unsigned long line;
} settle_payment_t;

/* Parses `type,account,number,amount_yuan,time,detail` records (header optional) into a new array sorted by
 * time, then line (free() it; NULL when there are none). Returns PREPAY_OK, PREPAY_E_INVALID_ARGUMENT for a bad
 * record (err: "ORIGIN:LINE: what is wrong", one line) or PREPAY_E_HOSTED_NO_MEMORY; nothing is kept on error. */
int settle_payments_parse(const char *text, size_t len, const char *origin, settle_payment_t **out, size_t *count,
                          char *err, size_t err_cap);

#endif
