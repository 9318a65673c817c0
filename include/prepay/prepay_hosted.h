/* SPDX-License-Identifier: MIT */
/**
 * @file prepay_hosted.h
 * @brief Hosted umbrella header: the freestanding core (prepay.h) and every hosted extra.
 *
 * For servers, tools and bindings (a hosted C library: heap, stdio, POSIX
 * files, jansson). Firmware includes prepay.h instead. The hosted headers:
 *
 * - hosted_status.h: the status codes of the hosted loaders;
 * - journal_posix.h: journal and snapshot storage in POSIX files;
 * - ledger_hosted.h: a ledger's memory from the heap (huge pages when large);
 * - tariff_json.h: the tariff JSON, OpenEI URDB and NREL SAM loaders;
 * - settlement_hosted.h: a settlement site's memory and work area from the heap;
 * - report_output.h: CSV, JSON and SVG output of reports (stdio);
 * - payment_hosted.h: a payment channel's statement file;
 * - transport.h: serial, TCP and dial-in DTU transports (POSIX).
 */
#ifndef PREPAY_PREPAY_HOSTED_H
#define PREPAY_PREPAY_HOSTED_H

#include "prepay/prepay.h"

#include "prepay/hosted_status.h"
#include "prepay/journal_posix.h"
#include "prepay/ledger_hosted.h"
#include "prepay/payment_hosted.h"
#include "prepay/report_output.h"
#include "prepay/settlement_hosted.h"
#include "prepay/tariff_json.h"
#include "prepay/transport.h"

#endif /* PREPAY_PREPAY_HOSTED_H */
