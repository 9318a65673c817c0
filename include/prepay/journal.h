/**
 * @file journal.h
 * @brief Durable, checksummed, append-only journal of ledger transfers.
 *
 * (This module is under construction; its API lands with its issue.)
 */
#ifndef PREPAY_JOURNAL_H
#define PREPAY_JOURNAL_H

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

#endif /* PREPAY_JOURNAL_H */
