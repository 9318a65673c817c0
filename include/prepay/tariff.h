/**
 * @file tariff.h
 * @brief Tariff model (flat, time-of-use, tiers, fixed charges) and its evaluation.
 *
 * (This module is under construction; its API lands with its issue.)
 */
#ifndef PREPAY_TARIFF_H
#define PREPAY_TARIFF_H

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

#endif /* PREPAY_TARIFF_H */
