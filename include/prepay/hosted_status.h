/* SPDX-License-Identifier: MIT */
/**
 * @file hosted_status.h
 * @ingroup prepay_common
 * @brief Status codes of the hosted extras (files, JSON and CSV loaders): module ::PREPAY_MODULE_HOSTED.
 *
 * Hosted builds only use these codes; they are declared apart from any one
 * loader so that every hosted part (tariff files, site files, the JSON
 * reader) reports with the same numbers. prepay_strerror() names each.
 */
#ifndef PREPAY_HOSTED_STATUS_H
#define PREPAY_HOSTED_STATUS_H

/** @addtogroup prepay_common
 *  @{ */

#include "prepay/status.h"

/** @brief Status codes of the hosted loaders (module ::PREPAY_MODULE_HOSTED, numbers 1..31). */
enum prepay_hosted_status {
    /** A file cannot be opened or read.
     *  prepay_strerror(): "cannot open or read the file" */
    PREPAY_E_HOSTED_IO = PREPAY_STATUS_MAKE(PREPAY_MODULE_HOSTED, 1),
    /** The text is not JSON (the message gives line and column).
     *  prepay_strerror(): "JSON syntax error" */
    PREPAY_E_HOSTED_JSON_SYNTAX = PREPAY_STATUS_MAKE(PREPAY_MODULE_HOSTED, 2),
    /** A JSON value has the wrong type, a required member is missing or a member is unknown.
     *  prepay_strerror(): "JSON value has the wrong type or a required member is missing" */
    PREPAY_E_HOSTED_JSON_TYPE = PREPAY_STATUS_MAKE(PREPAY_MODULE_HOSTED, 3),
    /** A JSON value is malformed or out of range (bad decimal, date, name, order).
     *  prepay_strerror(): "JSON value is malformed or out of range" */
    PREPAY_E_HOSTED_JSON_VALUE = PREPAY_STATUS_MAKE(PREPAY_MODULE_HOSTED, 4),
    /** The tariff was built but the core's validation refused it (the message names the core error).
     *  prepay_strerror(): "tariff rejected by the tariff model's validation" */
    PREPAY_E_HOSTED_TARIFF_INVALID = PREPAY_STATUS_MAKE(PREPAY_MODULE_HOSTED, 5),
    /** The input uses a feature the importer does not support (demand charges, kWh/kW tiers, ...).
     *  prepay_strerror(): "input uses a feature the importer does not support" */
    PREPAY_E_HOSTED_UNSUPPORTED = PREPAY_STATUS_MAKE(PREPAY_MODULE_HOSTED, 6),
    /** Memory could not be allocated.
     *  prepay_strerror(): "out of memory" */
    PREPAY_E_HOSTED_NO_MEMORY = PREPAY_STATUS_MAKE(PREPAY_MODULE_HOSTED, 7),
    /** A CSV line is malformed (readings files of the command-line tool).
     *  prepay_strerror(): "malformed CSV input" */
    PREPAY_E_HOSTED_CSV = PREPAY_STATUS_MAKE(PREPAY_MODULE_HOSTED, 8)
};

/** @} */

#endif /* PREPAY_HOSTED_STATUS_H */
