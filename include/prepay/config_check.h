/* SPDX-License-Identifier: MIT */
/**
 * @file config_check.h
 * @ingroup prepay_common
 * @brief Compile-time refusal of impossible configurations.
 *
 * Included last by config.h. Each check names the macro and the limit so a
 * firmware engineer sees at once what to change.
 */
#ifndef PREPAY_CONFIG_CHECK_H
#define PREPAY_CONFIG_CHECK_H

/** @addtogroup prepay_common
 *  @{ */

#if PREPAY_DLT645_MAX_DATA < 0 || PREPAY_DLT645_MAX_DATA > 255
#error "PREPAY_DLT645_MAX_DATA must be 0..255: the DL/T 645 length field is one byte"
#endif

#if PREPAY_DLT645_STREAM_BUFFER < (16 + PREPAY_DLT645_MAX_DATA) || PREPAY_DLT645_STREAM_BUFFER > 65536
#error "PREPAY_DLT645_STREAM_BUFFER must be 16 + PREPAY_DLT645_MAX_DATA .. 65536 (4 FE + 12 frame bytes + data)"
#endif

#if PREPAY_CJT188_MAX_DATA < 46 || PREPAY_CJT188_MAX_DATA > 255
#error "PREPAY_CJT188_MAX_DATA must be 46..255: the L byte is one byte, and a heat meter's 901F reply is 2EH bytes"
#endif

#if PREPAY_CJT188_STREAM_BUFFER < (17 + PREPAY_CJT188_MAX_DATA) || PREPAY_CJT188_STREAM_BUFFER > 65536
#error "PREPAY_CJT188_STREAM_BUFFER must be 17 + PREPAY_CJT188_MAX_DATA .. 65536 (4 FE + 13 frame bytes + data)"
#endif

#if PREPAY_MODBUS_STREAM_BUFFER < 256 || PREPAY_MODBUS_STREAM_BUFFER > 65536
#error "PREPAY_MODBUS_STREAM_BUFFER must be 256..65536: an RTU ADU is up to 256 bytes"
#endif

#if PREPAY_MAX_SEASONS < 1 || PREPAY_MAX_SEASONS > 14
#error "PREPAY_MAX_SEASONS must be 1..14 (DL/T 645-2007 04000201)"
#endif

#if PREPAY_MAX_DAY_TABLES < 1 || PREPAY_MAX_DAY_TABLES > 8
#error "PREPAY_MAX_DAY_TABLES must be 1..8 (DL/T 645-2007 04000202)"
#endif

/* DL/T 645-2007 04000203: a meter's day table holds at most 14 slots. A server
 * (billing hourly URDB 12x24 or NREL SAM schedules, which change band up to
 * 24 times a day) may hold more, up to 48 (half-hourly). The meter module
 * (prepay_meter_bind(), DL/T 645 writes of 040100nn/040200nn) and the DL/T 645
 * value codec (PREPAY_DLT645_MAX_TABLE_ENTRIES) still refuse more than 14. */
#if PREPAY_MAX_DAY_SLOTS < 1 || PREPAY_MAX_DAY_SLOTS > 48
#error "PREPAY_MAX_DAY_SLOTS must be 1..48 (meters hold at most 14, DL/T 645-2007 04000203; servers may hold more)"
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

#if PREPAY_MAX_DEMAND_PERIODS < 1 || PREPAY_MAX_DEMAND_PERIODS > 32
#error "PREPAY_MAX_DEMAND_PERIODS must be 1..32"
#endif
#if PREPAY_MAX_DEMAND_TIERS < 1 || PREPAY_MAX_DEMAND_TIERS > 32
#error "PREPAY_MAX_DEMAND_TIERS must be 1..32"
#endif
#if PREPAY_MAX_DEMAND_RATES < 1 || PREPAY_MAX_DEMAND_RATES > 255
#error "PREPAY_MAX_DEMAND_RATES must be 1..255"
#endif
#if PREPAY_MAX_FIXED_CHARGES < 0 || PREPAY_MAX_FIXED_CHARGES > 32
#error "PREPAY_MAX_FIXED_CHARGES must be 0..32"
#endif

#if PREPAY_TARIFF_CHECK_SEALS != 0 && PREPAY_TARIFF_CHECK_SEALS != 1
#error "PREPAY_TARIFF_CHECK_SEALS must be 0 or 1"
#endif

#if PREPAY_MAX_ALARM_LEVELS < 1 || PREPAY_MAX_ALARM_LEVELS > 16
#error "PREPAY_MAX_ALARM_LEVELS must be 1..16"
#endif

#if PREPAY_MAX_WALLET_WINDOWS < 0 || PREPAY_MAX_WALLET_WINDOWS > 16
#error "PREPAY_MAX_WALLET_WINDOWS must be 0..16"
#endif

#if PREPAY_MAX_WALLET_HOLIDAYS < 0 || PREPAY_MAX_WALLET_HOLIDAYS > 366
#error "PREPAY_MAX_WALLET_HOLIDAYS must be 0..366"
#endif

#if PREPAY_MAX_SETTLEMENT_ACCOUNTS < 1 || PREPAY_MAX_SETTLEMENT_ACCOUNTS > 134217727
#error "PREPAY_MAX_SETTLEMENT_ACCOUNTS must be 1..2^27-1 (the subject field of a settlement ledger key)"
#endif

#if PREPAY_MAX_SETTLEMENT_METERS < 1 || PREPAY_MAX_SETTLEMENT_METERS > 134217727
#error "PREPAY_MAX_SETTLEMENT_METERS must be 1..2^27-1 (the subject field of a settlement ledger key)"
#endif

#if PREPAY_MAX_SETTLEMENT_GROUPS < 1 || PREPAY_MAX_SETTLEMENT_GROUPS > 4095
#error "PREPAY_MAX_SETTLEMENT_GROUPS must be 1..4095 (12 bits of an allocation transfer id)"
#endif

#if PREPAY_MAX_SETTLEMENT_MEMBERS < 1 || PREPAY_MAX_SETTLEMENT_MEMBERS > 134217727
#error "PREPAY_MAX_SETTLEMENT_MEMBERS must be 1..2^27-1"
#endif

#if PREPAY_MAX_SETTLEMENT_TARIFFS < 1 || PREPAY_MAX_SETTLEMENT_TARIFFS > 65534
#error "PREPAY_MAX_SETTLEMENT_TARIFFS must be 1..65534 (tariff numbers are 16-bit, 65535 means none)"
#endif

#if PREPAY_MAX_SETTLEMENT_POLICIES < 1 || PREPAY_MAX_SETTLEMENT_POLICIES > 65534
#error "PREPAY_MAX_SETTLEMENT_POLICIES must be 1..65534"
#endif

#if PREPAY_MAX_SETTLEMENT_ITEMS < 0 || PREPAY_MAX_SETTLEMENT_ITEMS > 65535
#error "PREPAY_MAX_SETTLEMENT_ITEMS must be 0..65535 (billing item ids are 16-bit)"
#endif

#if PREPAY_SETTLEMENT_USAGE_LINES < 1 || PREPAY_SETTLEMENT_USAGE_LINES > 1024
#error "PREPAY_SETTLEMENT_USAGE_LINES must be 1..1024"
#endif

#if PREPAY_METER_TARIFFS < 1 || PREPAY_METER_TARIFFS > 32
#error "PREPAY_METER_TARIFFS must be 1..32 (a block read must fit the 200-byte read limit)"
#endif

#if PREPAY_METER_EVENT_RECORDS < 1 || PREPAY_METER_EVENT_RECORDS > 64
#error "PREPAY_METER_EVENT_RECORDS must be 1..64"
#endif

#if PREPAY_METER_FROZEN_DAYS < 1 || PREPAY_METER_FROZEN_DAYS > 62
#error "PREPAY_METER_FROZEN_DAYS must be 1..62 (DL/T 645-2007 A.6 daily freezes 01..3E)"
#endif

#if PREPAY_METER_DEMAND_MINUTES < 1 || PREPAY_METER_DEMAND_MINUTES > 99
#error "PREPAY_METER_DEMAND_MINUTES must be 1..99 (DL/T 645-2007 04000103 is NN minutes)"
#endif
#if PREPAY_TARIFF_PROPORTIONAL != 0 && PREPAY_TARIFF_PROPORTIONAL != 1
#error "PREPAY_TARIFF_PROPORTIONAL must be 0 or 1"
#endif
#if PREPAY_METER_DEMAND != 0 && PREPAY_METER_DEMAND != 1
#error "PREPAY_METER_DEMAND must be 0 or 1"
#endif
#if PREPAY_METER_TARIFF_SEALED != 0 && PREPAY_METER_TARIFF_SEALED != 1
#error "PREPAY_METER_TARIFF_SEALED must be 0 or 1"
#endif
#if PREPAY_METER_TARIFF_SEALED && PREPAY_METER_TARIFF_WRITES
#error "PREPAY_METER_TARIFF_SEALED 1 needs PREPAY_METER_TARIFF_WRITES 0: a trusted set must not be written"
#endif
#if PREPAY_DIV64_COMPACT != 0 && PREPAY_DIV64_COMPACT != 1
#error "PREPAY_DIV64_COMPACT must be 0 or 1"
#endif
#if PREPAY_METER_SETTLEMENTS < 1 || PREPAY_METER_SETTLEMENTS > 12
#error "PREPAY_METER_SETTLEMENTS must be 1..12 (DL/T 645-2007 A.1 settlement periods 01..0C)"
#endif

#if PREPAY_WATER_EVENT_RECORDS < 1 || PREPAY_WATER_EVENT_RECORDS > 64
#error "PREPAY_WATER_EVENT_RECORDS must be 1..64"
#endif

#if PREPAY_METER_PASSWORD_TRIES < 1 || PREPAY_METER_PASSWORD_TRIES > 255
#error "PREPAY_METER_PASSWORD_TRIES must be 1..255"
#endif

#if PREPAY_METER_TIME_SYNC_LIMIT < 0
#error "PREPAY_METER_TIME_SYNC_LIMIT must be >= 0"
#endif

#if PREPAY_DLT645_MAX_DATA < 4 + 4 * (PREPAY_METER_TARIFFS + 1)
#error "PREPAY_DLT645_MAX_DATA must hold a meter register block: 4 + 4 * (PREPAY_METER_TARIFFS + 1)"
#endif

#if PREPAY_LOAD_RECORD_REPLY_MAX < 103 || PREPAY_LOAD_RECORD_REPLY_MAX > 65535
#error "PREPAY_LOAD_RECORD_REPLY_MAX must be 103..65535 (one full load record is 103 bytes)"
#endif

#if PREPAY_EVENTS_PHASES != 1 && PREPAY_EVENTS_PHASES != 3
#error "PREPAY_EVENTS_PHASES must be 1 (single-phase meter) or 3"
#endif

#if PREPAY_MAX_EVENT_RECORDS < 1 || PREPAY_MAX_EVENT_RECORDS > 10
#error "PREPAY_MAX_EVENT_RECORDS must be 1..10 (DL/T 645-2007 A.4: last 1..10 records)"
#endif

#if PREPAY_EVENTS_END_ENERGY != 0 && PREPAY_EVENTS_END_ENERGY != 1
#error "PREPAY_EVENTS_END_ENERGY must be 0 or 1"
#endif

#if PREPAY_VQ_MONTHS < 1 || PREPAY_VQ_MONTHS > 12
#error "PREPAY_VQ_MONTHS must be 1..12 (DL/T 645-2007 0310xx01..0C)"
#endif

#if PREPAY_ANALYSIS_HISTORY < 3 || PREPAY_ANALYSIS_HISTORY > 64
#error "PREPAY_ANALYSIS_HISTORY must be 3..64"
#endif

/** @} */

#endif /* PREPAY_CONFIG_CHECK_H */
