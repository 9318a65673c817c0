/* SPDX-License-Identifier: MIT */
/* Internal helpers shared by the billing sources. */
#ifndef PREPAY_BILLING_INTERNAL_H
#define PREPAY_BILLING_INTERNAL_H

#include "prepay/billing.h"

/* Largest account id that fits the 32-bit field of charge and statement ids. */
#define PREPAY__BILLING_MAX_ACCOUNT 0xFFFFFFFFu

static inline prepay_days_t prepay__days_max(prepay_days_t a, prepay_days_t b)
{
    return a > b ? a : b;
}

static inline prepay_days_t prepay__days_min(prepay_days_t a, prepay_days_t b)
{
    return a < b ? a : b;
}

#endif /* PREPAY_BILLING_INTERNAL_H */
