/**
 * @file billing.h
 * @brief Charge items, billing cycles, postpaid statements and arrears.
 *
 * (This module is under construction; its API lands with its issue.)
 */
#ifndef PREPAY_BILLING_H
#define PREPAY_BILLING_H

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

#endif /* PREPAY_BILLING_H */
