/**
 * @file station.h
 * @brief Station side of DL/T 645: request/response sessions and batch tasks.
 *
 * (This module is under construction; its API lands with its issue.)
 */
#ifndef PREPAY_STATION_H
#define PREPAY_STATION_H

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

#endif /* PREPAY_STATION_H */
