/* SPDX-License-Identifier: MIT */
/**
 * @file dlt645_di.h
 * @ingroup prepay_dlt645
 * @brief Named DL/T 645-2007 data identifiers (DIs): the items libprepay, its reference meter,
 *        its tools and its tests read and write.
 *
 * A DI is written most significant byte first, `DI3 DI2 DI1 DI0` (`0x00010000` is forward
 * active energy, total, current period); on the wire it is sent DI0 first with 0x33 added
 * to each byte (DL/T 645-2007 clause 7.1.4). The catalogue (dlt645_data.h) says what each
 * DI holds (format, length, decimals, unit); this header only gives the numbers names, so
 * that code says `PREPAY_DI_REMAINING_AMOUNT` instead of `0x00900200u`.
 *
 * Families are function-like macros over the bytes that vary (tariff, period, phase,
 * record number), each a constant expression of type `uint32_t`; the fixed items are
 * plain constants. Sources: DL/T 645-2007 appendix A (tables A.1 energy, A.3 variables,
 * A.4 events, A.5 parameters, A.6 frozen data) and the State Grid prepaid-meter
 * extensions (Q/GDW 1354/1355: prepaid items, ladders, event classes 10..1F, purchase
 * records), as cited row by row in `src/protocol/dlt645_catalogue_table.c`.
 */
#ifndef PREPAY_DLT645_DI_H
#define PREPAY_DLT645_DI_H

/** @addtogroup prepay_dlt645
 *  @{ */

#include <stdint.h>

/* ======================================================================== */
/** @name Energy (DL/T 645-2007 table A.1): DI3 = 00, DI2 kind, DI1 tariff, DI0 period
 *  @{ */
/* ======================================================================== */

/**
 * @brief An energy register: @p kind (a `PREPAY_DI_KIND_*`), @p tariff (0 total, 1..63
 *        tariff n, 0xFF block), @p period (0 current, 1..12 settlement periods back).
 * @param kind DI2.
 * @param tariff DI1.
 * @param period DI0.
 */
#define PREPAY_DI_ENERGY(kind, tariff, period)                                                                  \
    ((uint32_t)(((uint32_t)(kind) << 16) | ((uint32_t)(tariff) << 8) | (uint32_t)(period)))
/** @brief DI2 = 00: combined active energy (signed). */
#define PREPAY_DI_KIND_COMBINED_ACTIVE 0x00u
/** @brief DI2 = 01: forward active energy. */
#define PREPAY_DI_KIND_FORWARD_ACTIVE 0x01u
/** @brief DI2 = 02: reverse active energy. */
#define PREPAY_DI_KIND_REVERSE_ACTIVE 0x02u
/** @brief DI2 = 03: combined reactive energy 1. */
#define PREPAY_DI_KIND_COMBINED_REACTIVE_1 0x03u
/** @brief DI2 = 04: combined reactive energy 2. */
#define PREPAY_DI_KIND_COMBINED_REACTIVE_2 0x04u
/** @brief DI1 = FF: every tariff (total first) in one reply. */
#define PREPAY_DI_TARIFF_BLOCK 0xFFu

/** @brief 00000000: combined active energy, total, current (XXXXXX.XX kWh, signed). */
#define PREPAY_DI_COMBINED_ACTIVE_TOTAL PREPAY_DI_ENERGY(PREPAY_DI_KIND_COMBINED_ACTIVE, 0, 0)
/** @brief 00010000: forward active energy, total, current (XXXXXX.XX kWh). */
#define PREPAY_DI_FORWARD_ACTIVE_TOTAL PREPAY_DI_ENERGY(PREPAY_DI_KIND_FORWARD_ACTIVE, 0, 0)
/** @brief 0001FF00: forward active energy, total and every tariff, current (block). */
#define PREPAY_DI_FORWARD_ACTIVE_BLOCK PREPAY_DI_ENERGY(PREPAY_DI_KIND_FORWARD_ACTIVE, PREPAY_DI_TARIFF_BLOCK, 0)
/** @brief 00020000: reverse active energy, total, current (XXXXXX.XX kWh). */
#define PREPAY_DI_REVERSE_ACTIVE_TOTAL PREPAY_DI_ENERGY(PREPAY_DI_KIND_REVERSE_ACTIVE, 0, 0)
/** @brief 0002FF00: reverse active energy, total and every tariff, current (block). */
#define PREPAY_DI_REVERSE_ACTIVE_BLOCK PREPAY_DI_ENERGY(PREPAY_DI_KIND_REVERSE_ACTIVE, PREPAY_DI_TARIFF_BLOCK, 0)
/** @} */

/* ======================================================================== */
/** @name Prepaid balances (Q/GDW prepaid items; DI3 = 00, DI2 = 90)
 *  @{ */
/* ======================================================================== */

/** @brief 00900100: remaining energy of an energy-type prepaid meter (XXXXXX.XX kWh). */
#define PREPAY_DI_REMAINING_ENERGY 0x00900100u
/** @brief 00900101: overdraft energy (XXXXXX.XX kWh). */
#define PREPAY_DI_OVERDRAFT_ENERGY 0x00900101u
/** @brief 00900200: remaining amount of a money-type prepaid meter (XXXXXX.XX yuan). */
#define PREPAY_DI_REMAINING_AMOUNT 0x00900200u
/** @brief 00900201: overdraft amount (XXXXXX.XX yuan). */
#define PREPAY_DI_OVERDRAFT_AMOUNT 0x00900201u
/** @} */

/* ======================================================================== */
/** @name Instantaneous variables (DL/T 645-2007 table A.3): DI3 = 02
 *  @{ */
/* ======================================================================== */

/** @brief DI1 = 00: total (powers) or the block base; 01..03: phase A..C. */
#define PREPAY_DI_PHASE_TOTAL 0x00u
/** @brief DI1 = 01: phase A. */
#define PREPAY_DI_PHASE_A 0x01u
/** @brief DI1 = 02: phase B. */
#define PREPAY_DI_PHASE_B 0x02u
/** @brief DI1 = 03: phase C. */
#define PREPAY_DI_PHASE_C 0x03u
/** @brief DI1 = FF: every phase in one reply. */
#define PREPAY_DI_PHASE_BLOCK 0xFFu

/** @brief 0201pp00: voltage of phase @p phase (1..3; FF block), XXX.X V. @param phase DI1. */
#define PREPAY_DI_VOLTAGE(phase) ((uint32_t)(0x02010000u | ((uint32_t)(phase) << 8)))
/** @brief 0202pp00: current of phase @p phase, XXX.XXX A (signed). @param phase DI1. */
#define PREPAY_DI_CURRENT(phase) ((uint32_t)(0x02020000u | ((uint32_t)(phase) << 8)))
/** @brief 0203pp00: active power, total (0) or phase @p phase, XX.XXXX kW (signed). @param phase DI1. */
#define PREPAY_DI_ACTIVE_POWER(phase) ((uint32_t)(0x02030000u | ((uint32_t)(phase) << 8)))
/** @brief 0204pp00: reactive power, XX.XXXX kvar (signed). @param phase DI1. */
#define PREPAY_DI_REACTIVE_POWER(phase) ((uint32_t)(0x02040000u | ((uint32_t)(phase) << 8)))
/** @brief 0205pp00: apparent power, XX.XXXX kVA (signed). @param phase DI1. */
#define PREPAY_DI_APPARENT_POWER(phase) ((uint32_t)(0x02050000u | ((uint32_t)(phase) << 8)))
/** @brief 0206pp00: power factor, X.XXX (signed). @param phase DI1. */
#define PREPAY_DI_POWER_FACTOR(phase) ((uint32_t)(0x02060000u | ((uint32_t)(phase) << 8)))
/** @brief 0207pp00: phase angle, XXX.X degrees. @param phase DI1. */
#define PREPAY_DI_PHASE_ANGLE(phase) ((uint32_t)(0x02070000u | ((uint32_t)(phase) << 8)))
/** @brief 0201FF00: the three phase voltages (block). */
#define PREPAY_DI_VOLTAGE_BLOCK PREPAY_DI_VOLTAGE(PREPAY_DI_PHASE_BLOCK)
/** @brief 02800001: neutral current, XXX.XXX A (signed). */
#define PREPAY_DI_NEUTRAL_CURRENT 0x02800001u
/** @brief 02800002: grid frequency, XX.XX Hz. */
#define PREPAY_DI_FREQUENCY 0x02800002u
/** @brief 02800007: meter temperature, XXX.X degrees Celsius (signed). */
#define PREPAY_DI_METER_TEMPERATURE 0x02800007u
/** @brief 0280000B: current ladder price, XXXX.XXXX yuan/kWh (Q/GDW). */
#define PREPAY_DI_CURRENT_LADDER_PRICE 0x0280000Bu
/** @brief 02800020: current price, XXXX.XXXX yuan/kWh (Q/GDW). */
#define PREPAY_DI_CURRENT_PRICE 0x02800020u
/** @} */

/* ======================================================================== */
/** @name Events (DL/T 645-2007 table A.4; State Grid event classes 10..1F)
 *  @{ */
/* ======================================================================== */

/** @brief 03010000: loss-of-voltage totals per phase (record). */
#define PREPAY_DI_LOSS_OF_VOLTAGE_TOTALS 0x03010000u
/** @brief 03070000: voltage reverse phase sequence totals (record). */
#define PREPAY_DI_REVERSE_SEQUENCE_TOTALS 0x03070000u
/** @brief 030B0000: loss-of-current totals per phase (record). */
#define PREPAY_DI_LOSS_OF_CURRENT_TOTALS 0x030B0000u
/** @brief 03110000: power-down count, XXXXXX. */
#define PREPAY_DI_POWER_DOWN_COUNT 0x03110000u
/** @brief 031100nn: the last @p n (1..10) power-down record (start and end times). @param n DI0. */
#define PREPAY_DI_POWER_DOWN_RECORD(n) ((uint32_t)(0x03110000u | (uint32_t)(n)))
/** @brief 03300000: programming count. */
#define PREPAY_DI_PROGRAMMING_COUNT 0x03300000u
/** @brief 033000nn: the last @p n (1..10) programming record. @param n DI0. */
#define PREPAY_DI_PROGRAMMING_RECORD(n) ((uint32_t)(0x03300000u | (uint32_t)(n)))
/** @brief 03300100: meter clear count. */
#define PREPAY_DI_CLEAR_METER_COUNT 0x03300100u
/** @brief 03300200: demand clear count. */
#define PREPAY_DI_CLEAR_DEMAND_COUNT 0x03300200u
/** @brief 03300300: event clear count. */
#define PREPAY_DI_CLEAR_EVENTS_COUNT 0x03300300u
/** @brief 03300D00: meter-cover open count. */
#define PREPAY_DI_COVER_OPEN_COUNT 0x03300D00u
/** @brief 03300Dnn: the last @p n (1..10) meter-cover open record. @param n DI0. */
#define PREPAY_DI_COVER_OPEN_RECORD(n) ((uint32_t)(0x03300D00u | (uint32_t)(n)))

/** @brief State Grid event class 10: loss of voltage. */
#define PREPAY_DI_CLASS_LOSS_OF_VOLTAGE 0x10u
/** @brief State Grid event class 14: voltage reverse phase sequence. */
#define PREPAY_DI_CLASS_REVERSE_SEQUENCE 0x14u
/** @brief State Grid event class 18: loss of current. */
#define PREPAY_DI_CLASS_LOSS_OF_CURRENT 0x18u
/** @brief State Grid event class 19: over-current. */
#define PREPAY_DI_CLASS_OVER_CURRENT 0x19u
/** @brief State Grid event class 1D: trip (relay opened). */
#define PREPAY_DI_CLASS_TRIP 0x1Du
/** @brief State Grid event class 1E: close (relay closed). */
#define PREPAY_DI_CLASS_CLOSE 0x1Eu
/**
 * @brief ccpp0001: event count of class @p cls, phase @p phase (0 total, 1..3 A..C), XXXXXX.
 * @param cls DI3, a `PREPAY_DI_CLASS_*`.
 * @param phase DI2.
 */
#define PREPAY_DI_EVENT_COUNT(cls, phase) ((uint32_t)(((uint32_t)(cls) << 24) | ((uint32_t)(phase) << 16) | 0x0001u))
/**
 * @brief ccpp0002: cumulative time of class @p cls, phase @p phase, XXXXXX minutes.
 * @param cls DI3.
 * @param phase DI2.
 */
#define PREPAY_DI_EVENT_TIME(cls, phase) ((uint32_t)(((uint32_t)(cls) << 24) | ((uint32_t)(phase) << 16) | 0x0002u))
/**
 * @brief ccpp01nn: start time (YYMMDDhhmmss) of the last @p n event of class @p cls, phase @p phase.
 * @param cls DI3.
 * @param phase DI2 (1..3).
 * @param n DI0 (1..10).
 */
#define PREPAY_DI_EVENT_START(cls, phase, n)                                                                    \
    ((uint32_t)(((uint32_t)(cls) << 24) | ((uint32_t)(phase) << 16) | 0x0100u | (uint32_t)(n)))
/**
 * @brief ccppeenn: end time of the last @p n event; @p end_di1 is the class's end-time DI1
 *        (25 for the voltage classes, 21 for the current classes; see the catalogue).
 * @param cls DI3.
 * @param phase DI2 (1..3).
 * @param end_di1 DI1.
 * @param n DI0 (1..10).
 */
#define PREPAY_DI_EVENT_END(cls, phase, end_di1, n)                                                             \
    ((uint32_t)(((uint32_t)(cls) << 24) | ((uint32_t)(phase) << 16) | ((uint32_t)(end_di1) << 8) | (uint32_t)(n)))
/** @brief DI1 of the end time of the voltage event classes (10..13): 25. */
#define PREPAY_DI_VOLTAGE_EVENT_END 0x25u
/** @brief DI1 of the end time of the current event classes (18..1A): 21. */
#define PREPAY_DI_CURRENT_EVENT_END 0x21u
/** @brief 1D000001: trip count. */
#define PREPAY_DI_TRIP_COUNT PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_TRIP, 0)
/** @brief 1D0001nn: time of the last @p n trip (YYMMDDhhmmss). @param n DI0 (1..10). */
#define PREPAY_DI_TRIP_TIME(n) ((uint32_t)(0x1D000100u | (uint32_t)(n)))
/** @brief 1D0002nn: operator code of the last @p n trip. @param n DI0 (1..10). */
#define PREPAY_DI_TRIP_OPERATOR(n) ((uint32_t)(0x1D000200u | (uint32_t)(n)))
/** @brief 1E000001: close count. */
#define PREPAY_DI_CLOSE_COUNT PREPAY_DI_EVENT_COUNT(PREPAY_DI_CLASS_CLOSE, 0)
/** @brief 1E0001nn: time of the last @p n close. @param n DI0 (1..10). */
#define PREPAY_DI_CLOSE_TIME(n) ((uint32_t)(0x1E000100u | (uint32_t)(n)))
/** @brief 1E0002nn: operator code of the last @p n close. @param n DI0 (1..10). */
#define PREPAY_DI_CLOSE_OPERATOR(n) ((uint32_t)(0x1E000200u | (uint32_t)(n)))
/** @} */

/* ======================================================================== */
/** @name Purchase records (Q/GDW): 0332iinn energy-type, 0333iinn money-type meters
 *  @{ */
/* ======================================================================== */

/**
 * @brief 0333iinn: item @p item (a `PREPAY_DI_PURCHASE_*`) of the last @p n purchase of a money-type meter.
 * @param item DI1.
 * @param n DI0 (1..10).
 */
#define PREPAY_DI_MONEY_PURCHASE(item, n) ((uint32_t)(0x03330000u | ((uint32_t)(item) << 8) | (uint32_t)(n)))
/**
 * @brief 0332iinn: the same for an energy-type meter (amounts in kWh).
 * @param item DI1.
 * @param n DI0 (1..10).
 */
#define PREPAY_DI_ENERGY_PURCHASE(item, n) ((uint32_t)(0x03320000u | ((uint32_t)(item) << 8) | (uint32_t)(n)))
/** @brief Item 01: purchase time (YYMMDDhhmm). */
#define PREPAY_DI_PURCHASE_TIME 0x01u
/** @brief Item 02: purchase count after the purchase (NNNN). */
#define PREPAY_DI_PURCHASE_COUNT 0x02u
/** @brief Item 03: purchased amount. */
#define PREPAY_DI_PURCHASE_AMOUNT 0x03u
/** @brief Item 04: remaining amount before the purchase. */
#define PREPAY_DI_PURCHASE_BEFORE 0x04u
/** @brief Item 05: remaining amount after the purchase. */
#define PREPAY_DI_PURCHASE_AFTER 0x05u
/** @brief Item 06: cumulative purchased amount. */
#define PREPAY_DI_PURCHASE_TOTAL 0x06u
/** @} */

/* ======================================================================== */
/** @name Parameters (DL/T 645-2007 table A.5; Q/GDW prepaid parameters): DI3 = 04
 *  @{ */
/* ======================================================================== */

/** @brief 04000101: date and weekday (YYMMDDWW). */
#define PREPAY_DI_DATE 0x04000101u
/** @brief 04000102: time of day (hhmmss). */
#define PREPAY_DI_TIME 0x04000102u
/** @brief 04000106: switch-over time to the second zone table (YYMMDDhhmm). */
#define PREPAY_DI_SWITCH_ZONE_TABLE 0x04000106u
/** @brief 04000107: switch-over time to the second day tables. */
#define PREPAY_DI_SWITCH_DAY_TABLES 0x04000107u
/** @brief 04000108: switch-over time to the second price set. */
#define PREPAY_DI_SWITCH_PRICES 0x04000108u
/** @brief 04000109: switch-over time to the second ladder set. */
#define PREPAY_DI_SWITCH_LADDERS 0x04000109u
/** @brief 04000201: number of year zones (<= 14). */
#define PREPAY_DI_ZONE_COUNT 0x04000201u
/** @brief 04000202: number of day tables (<= 8). */
#define PREPAY_DI_DAY_TABLE_COUNT 0x04000202u
/** @brief 04000203: number of day slots (<= 14). */
#define PREPAY_DI_DAY_SLOT_COUNT 0x04000203u
/** @brief 04000204: number of tariffs (<= 63). */
#define PREPAY_DI_TARIFF_COUNT 0x04000204u
/** @brief 04000205: number of public holidays (<= 254). */
#define PREPAY_DI_HOLIDAY_COUNT 0x04000205u
/** @brief 04000207: number of ladders (Q/GDW). */
#define PREPAY_DI_LADDER_COUNT 0x04000207u
/** @brief 04000401: communication address (NNNNNNNNNNNN). */
#define PREPAY_DI_ADDRESS 0x04000401u
/** @brief 04000402: meter number. */
#define PREPAY_DI_METER_NUMBER 0x04000402u
/** @brief 04000403: asset management code (32 ASCII characters). */
#define PREPAY_DI_ASSET_NUMBER 0x04000403u
/** @brief 04000404: rated voltage (6 ASCII characters, e.g. "220V"). */
#define PREPAY_DI_RATED_VOLTAGE 0x04000404u
/** @brief 04000405: rated (basic) current (6 ASCII characters, e.g. "5A"). */
#define PREPAY_DI_RATED_CURRENT 0x04000405u
/** @brief 04000406: maximum current (6 ASCII characters, e.g. "60A"). */
#define PREPAY_DI_MAXIMUM_CURRENT 0x04000406u
/** @brief 04000407: active accuracy class (4 ASCII characters, e.g. "2.0"). */
#define PREPAY_DI_ACTIVE_ACCURACY 0x04000407u
/** @brief 04000408: reactive accuracy class (4 ASCII characters). */
#define PREPAY_DI_REACTIVE_ACCURACY 0x04000408u
/** @brief 04000409: active constant, imp/kWh (XXXXXX). */
#define PREPAY_DI_ACTIVE_CONSTANT 0x04000409u
/** @brief 0400040B: meter model (10 ASCII characters). */
#define PREPAY_DI_METER_MODEL 0x0400040Bu
/** @brief 0400040C: production date (10 ASCII characters). */
#define PREPAY_DI_PRODUCTION_DATE 0x0400040Cu
/** @brief 0400040D: protocol version (16 ASCII characters, e.g. "DL/T645-2007"). */
#define PREPAY_DI_PROTOCOL_VERSION 0x0400040Du
/** @brief 04000503: meter status word 3 (relay state, prepaid state). */
#define PREPAY_DI_STATUS_WORD_3 0x04000503u
/** @brief 04000B01: first settlement day (DDhh). */
#define PREPAY_DI_SETTLEMENT_DAY_1 0x04000B01u
/** @brief 04001001: alarm amount 1 (XXXXXX.XX yuan). */
#define PREPAY_DI_ALARM_AMOUNT_1 0x04001001u
/** @brief 04001002: alarm amount 2. */
#define PREPAY_DI_ALARM_AMOUNT_2 0x04001002u
/** @brief 04001003: overdraft amount limit. */
#define PREPAY_DI_OVERDRAFT_LIMIT 0x04001003u
/** @brief 04001004: hoarding (maximum balance) amount limit. */
#define PREPAY_DI_HOARDING_LIMIT 0x04001004u
/** @brief 04001005: close-allowed amount. */
#define PREPAY_DI_CLOSE_ALLOWED_AMOUNT 0x04001005u
/**
 * @brief 04ss0000: year zone table of set @p set (1 first, 2 second), 14 x MMDDNN.
 * @param set 1 or 2 (DI2).
 */
#define PREPAY_DI_ZONE_TABLE(set) ((uint32_t)(0x04000000u | ((uint32_t)(set) << 16)))
/**
 * @brief 04ss00nn: day table @p n (1..8) of set @p set, 14 x hhmmNN.
 * @param set 1 or 2 (DI2).
 * @param n DI0.
 */
#define PREPAY_DI_DAY_TABLE(set, n) ((uint32_t)(0x04000000u | ((uint32_t)(set) << 16) | (uint32_t)(n)))
/**
 * @brief 0405sstt: price of tariff @p tariff (1..63) in price set @p set (1 or 2), XXXX.XXXX yuan/kWh.
 * @param set DI1.
 * @param tariff DI0.
 */
#define PREPAY_DI_PRICE(set, tariff) ((uint32_t)(0x04050000u | ((uint32_t)(set) << 8) | (uint32_t)(tariff)))
/**
 * @brief 040600nn / 040602nn: ladder value @p n (1..6) of ladder set @p set (1 or 2), XXXXXX.XX kWh.
 * @param set 1 or 2.
 * @param n DI0.
 */
#define PREPAY_DI_LADDER_VALUE(set, n) ((uint32_t)(0x04060000u | ((uint32_t)((set) - 1u) << 9) | (uint32_t)(n)))
/**
 * @brief 040601nn / 040603nn: ladder price @p n (1..7) of ladder set @p set, XXXX.XXXX yuan/kWh.
 * @param set 1 or 2.
 * @param n DI0.
 */
#define PREPAY_DI_LADDER_PRICE(set, n)                                                                          \
    ((uint32_t)(0x04060100u | ((uint32_t)((set) - 1u) << 9) | (uint32_t)(n)))
/** @} */

/* ======================================================================== */
/** @name Frozen data and load records (DL/T 645-2007 tables A.6, A.7)
 *  @{ */
/* ======================================================================== */

/** @brief 050100nn: time of the last @p n instant freeze (YYMMDDhhmm). @param n DI0 (1..3). */
#define PREPAY_DI_INSTANT_FREEZE_TIME(n) ((uint32_t)(0x05010000u | (uint32_t)(n)))
/** @brief 050600nn: time of the last @p n daily freeze. @param n DI0 (1..62). */
#define PREPAY_DI_DAILY_FREEZE_TIME(n) ((uint32_t)(0x05060000u | (uint32_t)(n)))
/** @brief 050601nn: forward active energy block of the last @p n daily freeze. @param n DI0. */
#define PREPAY_DI_DAILY_FREEZE_FORWARD_ACTIVE(n) ((uint32_t)(0x05060100u | (uint32_t)(n)))
/** @brief 06000001: the oldest load record (read with N blocks and a start time). */
#define PREPAY_DI_LOAD_RECORD_OLDEST 0x06000001u
/** @} */

/** @} */

#endif /* PREPAY_DLT645_DI_H */
