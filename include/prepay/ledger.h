/**
 * @file ledger.h
 * @brief Double-entry prepaid ledger: accounts, transfers, idempotency, limits.
 *
 * (This module is under construction; its API lands with its issue.)
 */
#ifndef PREPAY_LEDGER_H
#define PREPAY_LEDGER_H

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

#endif /* PREPAY_LEDGER_H */
