/**
 * @file config_default.h
 * @brief Default values of every configuration macro (see config.h).
 *
 * Each macro is only defined here if the configuration file or the compiler
 * command line has not defined it already. The defaults fit the largest
 * tables DL/T 645-2007 allows, so a server build accepts anything a meter
 * can hold. A firmware build shrinks them (see `cross/firmware_config.h`).
 */
#ifndef PREPAY_CONFIG_DEFAULT_H
#define PREPAY_CONFIG_DEFAULT_H

/* ---- common ------------------------------------------------------------ */

/**
 * @def PREPAY_NO_STRERROR
 * @brief Define to compile out the status strings of prepay_strerror().
 *
 * Saves a few kilobytes of flash in firmware; prepay_strerror() then
 * returns the same short string for every code. Not defined by default.
 */
#if defined(PREPAY_DOXYGEN)
#define PREPAY_NO_STRERROR
#endif

/* ---- protocol (DL/T 645) ----------------------------------------------- */

/**
 * @def PREPAY_DLT645_MAX_DATA
 * @brief Largest data field (the L byte) the codec accepts, 0..255.
 *
 * DL/T 645-2007 clause 7.1 limits the data field to 200 bytes for reads and
 * 50 for writes, but the length byte can say up to 255 and real meters
 * exceed the limit; the default accepts the full byte and lets the caller
 * be stricter.
 */
#ifndef PREPAY_DLT645_MAX_DATA
#define PREPAY_DLT645_MAX_DATA 255
#endif

/* ---- tariff ------------------------------------------------------------ */

/**
 * @def PREPAY_MAX_SEASONS
 * @brief Seasons (year time zones) per tariff. DL/T 645-2007 04000201: at most 14.
 */
#ifndef PREPAY_MAX_SEASONS
#define PREPAY_MAX_SEASONS 14
#endif

/**
 * @def PREPAY_MAX_DAY_TABLES
 * @brief Day tables (daily time-slot tables) per tariff. DL/T 645-2007 04000202: at most 8.
 */
#ifndef PREPAY_MAX_DAY_TABLES
#define PREPAY_MAX_DAY_TABLES 8
#endif

/**
 * @def PREPAY_MAX_DAY_SLOTS
 * @brief Time slots per day table. DL/T 645-2007 04000203: at most 14.
 */
#ifndef PREPAY_MAX_DAY_SLOTS
#define PREPAY_MAX_DAY_SLOTS 14
#endif

/**
 * @def PREPAY_MAX_TARIFF_INDEX
 * @brief Tariff indices (bands) per tariff. DL/T 645-2007 04000204: at most 63.
 *
 * Real tariffs use 4 or 5 (sharp, peak, flat, valley, deep valley); the
 * default keeps the full range so a server can hold any meter's table.
 */
#ifndef PREPAY_MAX_TARIFF_INDEX
#define PREPAY_MAX_TARIFF_INDEX 63
#endif

/**
 * @def PREPAY_MAX_HOLIDAYS
 * @brief Public holidays per tariff. DL/T 645-2007 04000205: at most 254.
 */
#ifndef PREPAY_MAX_HOLIDAYS
#define PREPAY_MAX_HOLIDAYS 254
#endif

/**
 * @def PREPAY_MAX_DATE_OVERRIDES
 * @brief Per-date band overrides (e.g. weather-triggered sharp days) per tariff.
 */
#ifndef PREPAY_MAX_DATE_OVERRIDES
#define PREPAY_MAX_DATE_OVERRIDES 64
#endif

/**
 * @def PREPAY_MAX_TIERS
 * @brief Tiers (ladder steps) per tariff. Published ladders use 3 to 6 steps.
 */
#ifndef PREPAY_MAX_TIERS
#define PREPAY_MAX_TIERS 8
#endif

/**
 * @def PREPAY_MAX_FIXED_CHARGES
 * @brief Fixed charges per tariff cycle.
 */
#ifndef PREPAY_MAX_FIXED_CHARGES
#define PREPAY_MAX_FIXED_CHARGES 4
#endif

/* ---- ledger and wallet -------------------------------------------------- */

/**
 * @def PREPAY_MAX_ALARM_LEVELS
 * @brief Balance alarm levels a wallet policy can hold (3 are used by default).
 */
#ifndef PREPAY_MAX_ALARM_LEVELS
#define PREPAY_MAX_ALARM_LEVELS 8
#endif

/* ---- allocation and billing -------------------------------------------- */

/* (module sections are added here as modules land) */

/* ---- meter ------------------------------------------------------------- */

#endif /* PREPAY_CONFIG_DEFAULT_H */
