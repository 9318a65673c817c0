/* SPDX-License-Identifier: MIT */
/* prepay_strerror(): dispatch a status code to its module's text table. */
#include "prepay/status.h"

#include "status_internal.h"

#ifdef PREPAY_NO_STRERROR

const char *prepay_strerror(int status)
{
    return status == PREPAY_OK ? "ok" : "error";
}

#else

typedef const char *(*status_text_fn)(int number);

/* Indexed by module number; a module number assigned to a module that is not
 * built (see enum prepay_module) has no entry and names no codes. */
static const status_text_fn module_tables[PREPAY_MODULE_COUNT] = {
    [PREPAY_MODULE_COMMON] = prepay__common_status_text,
    [PREPAY_MODULE_DLT645] = prepay__dlt645_status_text,
    [PREPAY_MODULE_TARIFF] = prepay__tariff_status_text,
    [PREPAY_MODULE_LEDGER] = prepay__ledger_status_text,
    [PREPAY_MODULE_WALLET] = prepay__wallet_status_text,
    [PREPAY_MODULE_JOURNAL] = prepay__journal_status_text,
    [PREPAY_MODULE_ALLOCATION] = prepay__allocation_status_text,
    [PREPAY_MODULE_BILLING] = prepay__billing_status_text,
    [PREPAY_MODULE_METER] = prepay__meter_status_text,
    [PREPAY_MODULE_STATION] = prepay__station_status_text,
    [PREPAY_MODULE_HOSTED] = prepay__hosted_status_text,
    [PREPAY_MODULE_SETTLEMENT] = prepay__settlement_status_text,
    [PREPAY_MODULE_CJT188] = prepay__cjt188_status_text,
    [PREPAY_MODULE_MODBUS] = prepay__modbus_status_text,
    [PREPAY_MODULE_TRANSPORT] = prepay__transport_status_text,
    [PREPAY_MODULE_REPORT] = prepay__report_status_text,
    [PREPAY_MODULE_WATER] = prepay__water_status_text,
    [PREPAY_MODULE_LOADPROFILE] = prepay__loadprofile_status_text,
    [PREPAY_MODULE_EVENTS] = prepay__events_status_text,
    [PREPAY_MODULE_ANALYSIS] = prepay__analysis_status_text,
    [PREPAY_MODULE_PAYMENT] = prepay__payment_status_text,
    [PREPAY_MODULE_OUTBOX] = prepay__outbox_status_text,
};

const char *prepay_strerror(int status)
{
    if (status >= 0) {
        return "ok";
    }
    /* Negate in unsigned arithmetic: -INT_MIN is undefined. */
    unsigned int magnitude = 0u - (unsigned int)status;
    unsigned int module = magnitude >> 8;
    int number = (int)(magnitude & 0xFFu);
    if (module >= PREPAY_MODULE_COUNT || !module_tables[module]) {
        return "unknown status";
    }
    const char *text = module_tables[module](number);
    return text ? text : "unknown status";
}

#endif
