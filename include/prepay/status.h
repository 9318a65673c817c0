/* SPDX-License-Identifier: MIT */
/**
 * @file status.h
 * @ingroup prepay_common
 * @brief Status codes shared by every module, and prepay_strerror().
 *
 * Every fallible function returns an `int`: 0 (::PREPAY_OK) on success, a
 * negative status on failure, and sometimes a non-negative length or count
 * on success (the function says so). A status is
 * `-(module << 8 | number)`, in the way SQLite's extended codes and mbedTLS's
 * module bits work: the module is readable from the code alone with
 * ::PREPAY_STATUS_MODULE, so a log line with just a number says what failed.
 *
 * The generic codes below (module 0) are used by every module for the same
 * meaning; each module's header adds its own codes with
 * `PREPAY_STATUS_MAKE(PREPAY_MODULE_x, n)`.
 *
 * On error, a function leaves everything the caller owns unchanged unless its
 * documentation says exactly what it changed.
 */
#ifndef PREPAY_STATUS_H
#define PREPAY_STATUS_H

/** @addtogroup prepay_common
 *  @{ */

#include "prepay/export.h"

/** @brief Builds a status code from a module number and a number within it (1..255). */
#define PREPAY_STATUS_MAKE(module, number) (-(((module) << 8) | (number)))
/** @brief The module number of a negative status code (0 for generic codes). */
#define PREPAY_STATUS_MODULE(code) ((-(code)) >> 8)

/** @brief Module numbers used in status codes. */
enum prepay_module {
    PREPAY_MODULE_COMMON = 0,     /**< generic codes, numbers, time, BCD */
    PREPAY_MODULE_DLT645 = 1,     /**< DL/T 645 codec, stream parser, data identifiers */
    PREPAY_MODULE_TARIFF = 2,     /**< tariff model and evaluation */
    PREPAY_MODULE_LEDGER = 3,     /**< double-entry ledger */
    PREPAY_MODULE_WALLET = 4,     /**< wallet policy (alarms, relay decisions) */
    PREPAY_MODULE_JOURNAL = 5,    /**< durable journal */
    PREPAY_MODULE_ALLOCATION = 6, /**< common-area allocation */
    PREPAY_MODULE_BILLING = 7,    /**< charge items, cycles, statements */
    PREPAY_MODULE_METER = 8,      /**< reference prepaid meter */
    PREPAY_MODULE_STATION = 9,    /**< station-side sessions and batch tasks */
    PREPAY_MODULE_HOSTED = 10,    /**< hosted extras: JSON loaders, files, sockets */
    PREPAY_MODULE_SETTLEMENT = 11, /**< settlement: readings to charges, transfers and events */
    PREPAY_MODULE_CJT188 = 12,    /**< CJ/T 188 water/heat/gas meter codec */
    PREPAY_MODULE_MODBUS = 13,    /**< Modbus RTU codec and register maps */
    PREPAY_MODULE_TRANSPORT = 14, /**< DTU registration packets (core); serial and TCP transports (hosted) */
    PREPAY_MODULE_EVENTS = 15,    /**< meter-side events, load control, voltage qualification */
    PREPAY_MODULE_ANALYSIS = 16,  /**< station-side event collection and theft analysis */
    PREPAY_MODULE_REPORT = 17,    /**< energy and income reports */
    PREPAY_MODULE_WATER = 18,     /**< reference prepaid water meter */
    PREPAY_MODULE_LOADPROFILE = 19, /**< load records (DL/T 645 class 06), maximum demand */
    PREPAY_MODULE_PAYMENT = 20,   /**< payment orders (online recharge, notifies, reconciliation) */
    PREPAY_MODULE_OUTBOX = 21,    /**< notification outbox (durable, at-least-once delivery) */
    PREPAY_MODULE_COUNT = 22      /**< number of modules (not a module) */
};

/** @brief Generic status codes (module 0). */
enum prepay_status {
    /** Success. */
    PREPAY_OK = 0,
    /** A required pointer was NULL or an argument is outside its documented domain.
     *  prepay_strerror(): "invalid argument" */
    PREPAY_E_INVALID_ARGUMENT = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 1),
    /** The output buffer is too small; nothing was written.
     *  prepay_strerror(): "output buffer too small" */
    PREPAY_E_BUFFER_TOO_SMALL = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 2),
    /** An arithmetic result does not fit its type; no value was stored.
     *  prepay_strerror(): "arithmetic overflow" */
    PREPAY_E_OVERFLOW = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 3),
    /** A value is outside the range its field can hold.
     *  prepay_strerror(): "value out of range" */
    PREPAY_E_OUT_OF_RANGE = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 4),
    /** Division by zero was requested.
     *  prepay_strerror(): "division by zero" */
    PREPAY_E_DIVIDE_BY_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 5),
    /** A byte is not valid packed BCD (a nibble above 9).
     *  prepay_strerror(): "invalid BCD digit" */
    PREPAY_E_BAD_BCD = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 6),
    /** A calendar date does not exist (e.g. 2023-02-29) or is outside the supported range.
     *  prepay_strerror(): "invalid or unsupported date" */
    PREPAY_E_BAD_DATE = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 7),
    /** A time of day does not exist (e.g. 24:00:00) or is outside the supported range.
     *  prepay_strerror(): "invalid time of day" */
    PREPAY_E_BAD_TIME = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 8),
    /** A fixed-capacity table is full (see the PREPAY_MAX_* macros).
     *  prepay_strerror(): "fixed-capacity table is full" */
    PREPAY_E_CAPACITY = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 9),
    /** The requested item does not exist.
     *  prepay_strerror(): "not found" */
    PREPAY_E_NOT_FOUND = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 10),
    /** The object was not initialised, or its state forbids the call.
     *  prepay_strerror(): "object not initialised or in the wrong state" */
    PREPAY_E_BAD_STATE = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 11),
    /** The weekday given does not match the date.
     *  prepay_strerror(): "weekday does not match the date" */
    PREPAY_E_BAD_WEEKDAY = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 12),
    /** An unknown rounding mode was requested.
     *  prepay_strerror(): "unknown rounding mode" */
    PREPAY_E_BAD_ROUNDING = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 13),
    /** The caller was compiled with other layout macros (`PREPAY_MAX_*`) than
     *  the library, so struct sizes differ (config_fingerprint.h).
     *  prepay_strerror(): "configuration mismatch: the program was built with other PREPAY_MAX_* settings than the library" */
    PREPAY_E_CONFIG_MISMATCH = PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 14)
};

PREPAY_BEGIN_DECLS

/**
 * @brief Names a status code.
 * @param status any value returned by a libprepay function.
 * @return A static, NUL-terminated English description; never NULL. Unknown
 *         codes give "unknown status". With ::PREPAY_NO_STRERROR every code
 *         gives the same short string.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API const char *prepay_strerror(int status);

/**
 * @brief The symbolic name of a status code, for programs to compare.
 * @param status any value returned by a libprepay function.
 * @return The code's enum name in lower case without the `PREPAY_E_` prefix
 *         (::PREPAY_E_LEDGER_EXCEEDS_CREDITS gives "ledger_exceeds_credits"),
 *         "ok" for any status >= 0, or NULL for a negative value that is not
 *         a libprepay code. Names are stable across releases, while the words
 *         of prepay_strerror() may change. With ::PREPAY_NO_STRERROR every
 *         negative status gives NULL.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API const char *prepay_status_name(int status);

PREPAY_END_DECLS

/** @} */

#endif /* PREPAY_STATUS_H */
