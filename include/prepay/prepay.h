/* SPDX-License-Identifier: MIT */
/**
 * @file prepay.h
 * @ingroup prepay_common
 * @brief Freestanding umbrella header: includes every public header of the libprepay core.
 *
 * libprepay is an integer-exact engine for prepaid electricity and water
 * metering that runs unchanged inside a meter's firmware and inside a
 * billing server. See README.md and docs/ for the guide.
 *
 * This header declares only what the freestanding core implements (no heap,
 * no stdio, no files), so firmware can include it whole; it needs nothing
 * from the C library beyond `<stdint.h> <stddef.h> <stdbool.h>`. The hosted
 * extras (POSIX journal files, JSON tariff loaders, heap helpers, report
 * writers) are declared in their own headers, all included by
 * prepay_hosted.h. The test `freestanding-umbrella` checks that no function
 * of a `*_hosted.c` / `*_posix.c` file is reachable from here.
 */
#ifndef PREPAY_PREPAY_H
#define PREPAY_PREPAY_H

/** @addtogroup prepay_common
 *  @{ */

#include "prepay/config.h"
#include "prepay/config_fingerprint.h"
#include "prepay/export.h"
#include "prepay/version.h"
#include "prepay/status.h"
#include "prepay/fixed_point.h"
#include "prepay/civil_time.h"
#include "prepay/bcd.h"
#include "prepay/dlt645.h"
#include "prepay/dlt645_data.h"
#include "prepay/dlt645_di.h"
#include "prepay/dlt645_reading.h"
#include "prepay/dlt645_tariff.h"
#include "prepay/station.h"
#include "prepay/tariff_push.h"
#include "prepay/dtu.h"
#include "prepay/tariff.h"
#include "prepay/ledger.h"
#include "prepay/wallet.h"
#include "prepay/journal.h"
#include "prepay/journal_format.h"
#include "prepay/allocation.h"
#include "prepay/billing.h"
#include "prepay/meter.h"
#include "prepay/load_record.h"
#include "prepay/report.h"
#include "prepay/cjt188.h"
#include "prepay/modbus.h"
#include "prepay/water_meter.h"
#include "prepay/meter_events.h"
#include "prepay/load_control.h"
#include "prepay/voltage_qualification.h"
#include "prepay/meter_supervision.h"
#include "prepay/analysis.h"
#include "prepay/settlement.h"
#include "prepay/payment.h"
#include "prepay/outbox.h"
#include "prepay/deprecated.h"

/** @} */

#endif /* PREPAY_PREPAY_H */
