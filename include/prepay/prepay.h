/**
 * @file prepay.h
 * @ingroup prepay_common
 * @brief Umbrella header: includes every public header of libprepay.
 *
 * libprepay is an integer-exact engine for prepaid electricity and water
 * metering that runs unchanged inside a meter's firmware and inside a
 * billing server. See README.md and docs/ for the guide.
 */
#ifndef PREPAY_PREPAY_H
#define PREPAY_PREPAY_H

/** @addtogroup prepay_common
 *  @{ */

#include "prepay/config.h"
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
#include "prepay/dtu.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"
#include "prepay/ledger.h"
#include "prepay/wallet.h"
#include "prepay/journal.h"
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
#include "prepay/analysis.h"
#include "prepay/settlement.h"

/** @} */

#endif /* PREPAY_PREPAY_H */
