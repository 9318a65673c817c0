/**
 * @file meter.h
 * @brief Reference prepaid meter: registers, purse, relay, events, DL/T 645 meter side.
 *
 * (This module is under construction; its API lands with its issue.)
 */
#ifndef PREPAY_METER_H
#define PREPAY_METER_H

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

#endif /* PREPAY_METER_H */
