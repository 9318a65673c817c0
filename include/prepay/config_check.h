/**
 * @file config_check.h
 * @brief Compile-time refusal of impossible configurations.
 *
 * Included last by config.h. Each check names the macro and the limit so a
 * firmware engineer sees at once what to change.
 */
#ifndef PREPAY_CONFIG_CHECK_H
#define PREPAY_CONFIG_CHECK_H

#if PREPAY_DLT645_MAX_DATA < 0 || PREPAY_DLT645_MAX_DATA > 255
#error "PREPAY_DLT645_MAX_DATA must be 0..255: the DL/T 645 length field is one byte"
#endif

#if PREPAY_MAX_SEASONS < 1 || PREPAY_MAX_SEASONS > 14
#error "PREPAY_MAX_SEASONS must be 1..14 (DL/T 645-2007 04000201)"
#endif

#if PREPAY_MAX_DAY_TABLES < 1 || PREPAY_MAX_DAY_TABLES > 8
#error "PREPAY_MAX_DAY_TABLES must be 1..8 (DL/T 645-2007 04000202)"
#endif

#if PREPAY_MAX_DAY_SLOTS < 1 || PREPAY_MAX_DAY_SLOTS > 14
#error "PREPAY_MAX_DAY_SLOTS must be 1..14 (DL/T 645-2007 04000203)"
#endif

#if PREPAY_MAX_TARIFF_INDEX < 1 || PREPAY_MAX_TARIFF_INDEX > 63
#error "PREPAY_MAX_TARIFF_INDEX must be 1..63 (DL/T 645-2007 04000204)"
#endif

#if PREPAY_MAX_HOLIDAYS < 0 || PREPAY_MAX_HOLIDAYS > 254
#error "PREPAY_MAX_HOLIDAYS must be 0..254 (DL/T 645-2007 04000205)"
#endif

#if PREPAY_MAX_DATE_OVERRIDES < 0 || PREPAY_MAX_DATE_OVERRIDES > 4096
#error "PREPAY_MAX_DATE_OVERRIDES must be 0..4096"
#endif

#if PREPAY_MAX_TIERS < 1 || PREPAY_MAX_TIERS > 32
#error "PREPAY_MAX_TIERS must be 1..32"
#endif

#if PREPAY_MAX_FIXED_CHARGES < 0 || PREPAY_MAX_FIXED_CHARGES > 32
#error "PREPAY_MAX_FIXED_CHARGES must be 0..32"
#endif

#if PREPAY_MAX_ALARM_LEVELS < 1 || PREPAY_MAX_ALARM_LEVELS > 16
#error "PREPAY_MAX_ALARM_LEVELS must be 1..16"
#endif

#endif /* PREPAY_CONFIG_CHECK_H */
