/* SPDX-License-Identifier: MIT */
/**
 * @file config_fingerprint.h
 * @brief A fingerprint of the configuration, so a program built with other
 *        capacities than the library gets a status instead of a corrupted heap.
 *
 * Struct sizes depend on the `PREPAY_MAX_*` capacities (config.h). A program
 * compiled with `PREPAY_MAX_TIERS 4` that hands a `prepay_tariff_t` to a
 * library compiled with 8 gives the library a struct smaller than the one it
 * writes. ::PREPAY_CONFIG_FINGERPRINT folds every macro that changes a public
 * struct's layout into one number; the library keeps the number it was built
 * with (prepay_config_fingerprint()).
 *
 * The functions that take caller memory to initialise or fill (ledger, tariff,
 * meter, station, stream, report and event-state init, the tariff loaders)
 * are wrapped by function-like macros in their headers: a call such as
 * `prepay_tariff_init(&t)` first checks the caller's fingerprint with
 * prepay_config_check() and returns ::PREPAY_E_CONFIG_MISMATCH, touching
 * nothing, when it differs. Callers need no change; the wrappers check once
 * per such call (an integer compare). A program can also check once at start:
 *
 * @code
 * if (prepay_config_check(PREPAY_CONFIG_FINGERPRINT) != PREPAY_OK) {
 *     fprintf(stderr, "%s\n", prepay_strerror(PREPAY_E_CONFIG_MISMATCH));
 *     return 1;
 * }
 * @endcode
 *
 * Define `PREPAY_NO_CONFIG_GUARDS` to leave the wrappers out (the library's
 * own sources do, being built with one configuration by construction).
 * Taking a wrapped function's address (`&prepay_tariff_init`) still names the
 * exported, unchecked function.
 *
 * Macros that change only behaviour (::PREPAY_NO_STRERROR,
 * ::PREPAY_TARIFF_CHECK_SEALS, `PREPAY_MODBUS_CRC_SMALL`,
 * `PREPAY_METER_PASSWORD_TRIES`, `PREPAY_METER_TIME_SYNC_LIMIT`,
 * `PREPAY_METER_JUMP`: a jump leaves the meter exactly as runs do;
 * `PREPAY_METER_TARIFF_WRITES`, `PREPAY_METER_DLT645_1997`, `PREPAY_TARIFF_DEMAND`,
 * `PREPAY_TARIFF_PROPORTIONAL`, `PREPAY_TARIFF_PRORATION`, `PREPAY_TARIFF_DAILY_LADDERS`: features
 * left out; `PREPAY_METER_TARIFF_SEALED`: bound sets trusted, not validated again;
 * `PREPAY_DIV64_COMPACT`: the same quotients by another routine;
 * the structs keep their members) are left
 * out, so a debug library and a release program still agree.
 * `tests/common/check_config_fingerprint.py` fails when a macro of
 * config_default.h is in neither list.
 */
#ifndef PREPAY_CONFIG_FINGERPRINT_H
#define PREPAY_CONFIG_FINGERPRINT_H

#include <stdint.h>

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

/** @cond PREPAY_INTERNAL */
/* One FNV-1a-style step over a 32-bit value: (h ^ v) * 16777619 mod 2^32. */
#define PREPAY_CONFIG_MIX_(h, v) \
    ((uint32_t)(((uint32_t)(h) ^ (uint32_t)(v)) * UINT32_C(16777619)))
/** @endcond */

/**
 * @def PREPAY_CONFIG_FINGERPRINT
 * @brief The configuration fingerprint of the code being compiled: a 32-bit
 *        hash of every layout-changing configuration macro, in a fixed order.
 *
 * A constant expression of type `uint32_t`. Adding a layout macro to
 * config_default.h means adding it here (the order is part of the value).
 * `PREPAY_METER_DEMAND` is folded with `PREPAY_METER_DEMAND_MINUTES` (the
 * window's minutes, 0 without demand), and `PREPAY_METER_LOAD_RECORDS` with
 * `PREPAY_LOAD_RECORD_REPLY_MAX` (0 without load records, a value that macro
 * cannot have), and `PREPAY_RECORD_TIME32` with `PREPAY_EVENTS_END_ENERGY`
 * (as END_ENERGY + 2 x TIME32), as are `PREPAY_METER_LC_LAST` (+ 4 x !LC_LAST)
 * and `PREPAY_METER_DECISION_PURSE` (+ 8 x !DECISION_PURSE), so the default
 * value is unchanged.
 */
#define PREPAY_CONFIG_FINGERPRINT                                                                              \
    PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(            \
    PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(            \
    PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(            \
    PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(            \
    PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(            \
    PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(            \
    PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(                               \
    PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(PREPAY_CONFIG_MIX_(                               \
    PREPAY_CONFIG_MIX_(UINT32_C(2166136261),                                                                   \
    PREPAY_DLT645_MAX_DATA), PREPAY_DLT645_STREAM_BUFFER), PREPAY_CJT188_MAX_DATA),                            \
    PREPAY_CJT188_STREAM_BUFFER), PREPAY_MODBUS_STREAM_BUFFER), PREPAY_MAX_SEASONS), PREPAY_MAX_DAY_TABLES),   \
    PREPAY_MAX_DAY_SLOTS), PREPAY_MAX_TARIFF_INDEX), PREPAY_MAX_HOLIDAYS), PREPAY_MAX_DATE_OVERRIDES),         \
    PREPAY_MAX_TIERS), PREPAY_MAX_FIXED_CHARGES), PREPAY_MAX_ALARM_LEVELS), PREPAY_MAX_WALLET_WINDOWS),        \
    PREPAY_MAX_WALLET_HOLIDAYS), (PREPAY_METER_LOAD_RECORDS ? PREPAY_LOAD_RECORD_REPLY_MAX : 0)),             \
    PREPAY_METER_TARIFFS),                                                                                     \
    PREPAY_METER_EVENT_RECORDS), PREPAY_METER_FROZEN_DAYS), PREPAY_METER_SETTLEMENTS), PREPAY_EVENTS_PHASES),  \
    PREPAY_MAX_EVENT_RECORDS), (PREPAY_EVENTS_END_ENERGY + 2 * PREPAY_RECORD_TIME32 + 4 * !PREPAY_METER_LC_LAST +     \
      8 * !PREPAY_METER_DECISION_PURSE)),                                                                      \
    PREPAY_VQ_MONTHS),                                                                                         \
    PREPAY_ANALYSIS_HISTORY),                                                                                  \
    PREPAY_MAX_SETTLEMENT_ACCOUNTS), PREPAY_MAX_SETTLEMENT_METERS), PREPAY_MAX_SETTLEMENT_GROUPS),             \
    PREPAY_MAX_SETTLEMENT_MEMBERS), PREPAY_MAX_SETTLEMENT_TARIFFS), PREPAY_MAX_SETTLEMENT_POLICIES),           \
    PREPAY_MAX_SETTLEMENT_ITEMS), PREPAY_SETTLEMENT_USAGE_LINES), PREPAY_WATER_EVENT_RECORDS),                 \
    PREPAY_MAX_DEMAND_PERIODS), PREPAY_MAX_DEMAND_RATES), PREPAY_MAX_DEMAND_TIERS),                                   \
    (PREPAY_METER_DEMAND ? PREPAY_METER_DEMAND_MINUTES : 0))

PREPAY_BEGIN_DECLS

/**
 * @brief The configuration fingerprint the library was compiled with.
 * @return The library's ::PREPAY_CONFIG_FINGERPRINT.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint32_t prepay_config_fingerprint(void);

/**
 * @brief Checks that the caller was compiled with the library's configuration.
 * @param caller_fingerprint the caller's ::PREPAY_CONFIG_FINGERPRINT.
 * @return ::PREPAY_OK when it equals prepay_config_fingerprint().
 *
 * **Errors:**
 * - ::PREPAY_E_CONFIG_MISMATCH: the caller's `PREPAY_MAX_*` capacities (or
 *   another layout macro) differ from the library's; struct sizes differ, so
 *   no caller memory may be handed to the library. Rebuild the program with
 *   the library's configuration file.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_config_check(uint32_t caller_fingerprint);

/**
 * @brief What a wrapped call returns instead of running, when the fingerprints differ.
 * @param caller_fingerprint the caller's ::PREPAY_CONFIG_FINGERPRINT.
 * @param ... the arguments of the refused call; never read.
 * @return ::PREPAY_E_CONFIG_MISMATCH, always.
 *
 * Used by the header wrappers: passing the refused call's arguments here
 * keeps both branches of the wrapper taking the caller's pointers, so
 * compilers do not warn that a struct initialised by the call may be left
 * uninitialised (it is, together with the status, which the caller checks).
 *
 * **Errors:**
 * - ::PREPAY_E_CONFIG_MISMATCH: always.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_config_refuse(uint32_t caller_fingerprint, ...);

PREPAY_END_DECLS

/** @cond PREPAY_INTERNAL */
/* PREPAY_CONFIG_GUARDS is 1 where the headers wrap the memory-taking calls:
 * not in the library itself, not for Doxygen or SWIG's parser. */
#if defined(PREPAY_BUILDING_LIBRARY) || defined(PREPAY_NO_CONFIG_GUARDS) || defined(PREPAY_DOXYGEN) || \
    defined(SWIG)
#define PREPAY_CONFIG_GUARDS 0
#else
#define PREPAY_CONFIG_GUARDS 1
#endif

/* fn(args), or PREPAY_E_CONFIG_MISMATCH without calling fn. Inside a macro
 * named like the function, the function's name is not expanded again
 * (ISO C 6.10.3.4p2), so `fn` reaches the exported function. */
#define PREPAY_CONFIG_GUARDED(fn, ...)                                                    \
    (prepay_config_check(PREPAY_CONFIG_FINGERPRINT) == PREPAY_OK ? fn(__VA_ARGS__)         \
                                                                 : prepay_config_refuse(PREPAY_CONFIG_FINGERPRINT, __VA_ARGS__))
/** @endcond */

#endif /* PREPAY_CONFIG_FINGERPRINT_H */
