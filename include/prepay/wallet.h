/**
 * @file wallet.h
 * @brief Wallet policy: alarm levels, overdraft, cut-off and restore decisions.
 *
 * (This module is under construction; its API lands with its issue.)
 */
#ifndef PREPAY_WALLET_H
#define PREPAY_WALLET_H

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

#endif /* PREPAY_WALLET_H */
