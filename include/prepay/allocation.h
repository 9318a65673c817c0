/**
 * @file allocation.h
 * @brief Exact splitting of quantities and amounts: common-area allocation.
 *
 * (This module is under construction; its API lands with its issue.)
 */
#ifndef PREPAY_ALLOCATION_H
#define PREPAY_ALLOCATION_H

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

#endif /* PREPAY_ALLOCATION_H */
