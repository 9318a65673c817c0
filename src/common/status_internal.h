/* SPDX-License-Identifier: MIT */
/*
 * Internal: per-module status text tables behind prepay_strerror().
 *
 * Each module keeps the names of its own codes beside its code
 * (src/<module>/<module>_status.c), so adding a code touches one module.
 * Each function takes the number within the module (the low byte of the
 * negated code) and returns a static string, or NULL if the number is
 * unknown. With PREPAY_NO_STRERROR they are not compiled.
 */
#ifndef PREPAY_STATUS_INTERNAL_H
#define PREPAY_STATUS_INTERNAL_H

#include "prepay/config.h"

/* Keeps each status file a non-empty translation unit (ISO C) when the
 * texts are compiled out. */
typedef int prepay__status_text_unit;

#ifndef PREPAY_NO_STRERROR
const char *prepay__common_status_text(int number);
const char *prepay__dlt645_status_text(int number);
const char *prepay__tariff_status_text(int number);
const char *prepay__ledger_status_text(int number);
const char *prepay__wallet_status_text(int number);
const char *prepay__journal_status_text(int number);
const char *prepay__allocation_status_text(int number);
const char *prepay__billing_status_text(int number);
const char *prepay__meter_status_text(int number);
const char *prepay__station_status_text(int number);
const char *prepay__hosted_status_text(int number);
const char *prepay__settlement_status_text(int number);
const char *prepay__transport_status_text(int number);
const char *prepay__payment_status_text(int number);
const char *prepay__outbox_status_text(int number);
const char *prepay__report_status_text(int number);
const char *prepay__loadprofile_status_text(int number);
const char *prepay__cjt188_status_text(int number);
const char *prepay__modbus_status_text(int number);
const char *prepay__water_status_text(int number);
const char *prepay__events_status_text(int number);
const char *prepay__analysis_status_text(int number);
#endif

#endif /* PREPAY_STATUS_INTERNAL_H */
