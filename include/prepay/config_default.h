/* SPDX-License-Identifier: MIT */
/**
 * @file config_default.h
 * @ingroup prepay_common
 * @brief Default values of every configuration macro (see config.h).
 *
 * Each macro is only defined here if the configuration file or the compiler
 * command line has not defined it already. The defaults fit the largest
 * tables DL/T 645-2007 allows, so a server build accepts anything a meter
 * can hold. A firmware build shrinks them (see `cross/firmware_config.h`).
 */
#ifndef PREPAY_CONFIG_DEFAULT_H
#define PREPAY_CONFIG_DEFAULT_H

/** @addtogroup prepay_common
 *  @{ */

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

/**
 * @def PREPAY_DLT645_STREAM_BUFFER
 * @brief Bytes a DL/T 645 stream parser (prepay_dlt645_stream_t) holds while it waits for a frame.
 *
 * Must hold the largest frame with its preamble: at least
 * 4 + 12 + ::PREPAY_DLT645_MAX_DATA (271 with the default). A larger buffer
 * lets prepay_dlt645_stream_feed() take bigger chunks at once; 512 suits a
 * server, firmware with small frames can go down to the minimum.
 */
#ifndef PREPAY_DLT645_STREAM_BUFFER
#define PREPAY_DLT645_STREAM_BUFFER 512
#endif

/* ---- protocol (CJ/T 188) ----------------------------------------------- */

/**
 * @def PREPAY_CJT188_MAX_DATA
 * @brief Largest CJ/T 188 data field (the L byte) the codec accepts, 46..255.
 *
 * CJ/T 188-2004 limits L to 64H for reads and 32H for writes, but the byte
 * can say up to 255 and vendor frames exceed the limit; the default accepts
 * the full byte. The floor 46 (2EH) is the heat meter's 901F reply.
 */
#ifndef PREPAY_CJT188_MAX_DATA
#define PREPAY_CJT188_MAX_DATA 255
#endif

/**
 * @def PREPAY_CJT188_STREAM_BUFFER
 * @brief Bytes a CJ/T 188 stream parser (prepay_cjt188_stream_t) holds while it waits for a frame.
 *
 * At least 4 + 13 + ::PREPAY_CJT188_MAX_DATA (272 with the default).
 */
#ifndef PREPAY_CJT188_STREAM_BUFFER
#define PREPAY_CJT188_STREAM_BUFFER 512
#endif

/* ---- protocol (Modbus RTU) --------------------------------------------- */

/**
 * @def PREPAY_MODBUS_CRC_SMALL
 * @brief Define to keep one 512-byte CRC-16/MODBUS table instead of four (2 KiB).
 *
 * The four tables let the CRC take four bytes per step (about twice as fast
 * on a server); firmware short of flash keeps one. Not defined by default.
 */
#if defined(PREPAY_DOXYGEN)
#define PREPAY_MODBUS_CRC_SMALL
#endif

/**
 * @def PREPAY_MODBUS_STREAM_BUFFER
 * @brief Bytes a Modbus RTU stream parser (prepay_modbus_stream_t) holds: at least one
 *        whole ADU, 256 bytes (Modbus over Serial Line V1.02, 2.5.1.1).
 */
#ifndef PREPAY_MODBUS_STREAM_BUFFER
#define PREPAY_MODBUS_STREAM_BUFFER 512
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
 * @brief Time slots per day table, 1..48 (default 24).
 *
 * DL/T 645-2007 04000203: a meter holds at most 14 slots a day, and the meter
 * module refuses larger day tables (::PREPAY_METER_MAX_DAY_SLOTS). A hosted
 * server holds hourly schedules (URDB 12x24 matrices, NREL SAM), which can
 * change band up to 24 times a day; set 14 or less on a meter.
 */
#ifndef PREPAY_MAX_DAY_SLOTS
#define PREPAY_MAX_DAY_SLOTS 24
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
 *
 * 0 is allowed: tariffs then hold no fixed charges (a meter whose station bills its monthly
 * service and capacity fees), prepay_tariff_validate() refuses a nonzero
 * prepay_tariff_t::fixed_charge_count with ::PREPAY_E_TARIFF_CAPACITY, the JSON and URDB
 * loaders refuse fixed charges with ::PREPAY_E_CAPACITY, and the code that charges them is
 * left out.
 */
#ifndef PREPAY_MAX_FIXED_CHARGES
#define PREPAY_MAX_FIXED_CHARGES 4
#endif

/**
 * @def PREPAY_MAX_DEMAND_PERIODS
 * @brief Time-of-use demand periods a tariff can charge (URDB `demandratestructure`, SAM `ur_dc_tou_mat`).
 *
 * Each band of a tariff belongs to at most one demand period; a period's
 * charge applies to the highest demand measured in its bands during a month.
 * Published TOU demand charges use 1 to 4 periods; URDB allows 12. At most
 * 32 (a 32-bit mask says which periods set the billing demand).
 */
#ifndef PREPAY_MAX_DEMAND_PERIODS
#define PREPAY_MAX_DEMAND_PERIODS 12
#endif

/**
 * @def PREPAY_MAX_DEMAND_TIERS
 * @brief Tiers of one demand charge (cumulative kW blocks, SAM `ur_dc_*_mat` tiers).
 */
#ifndef PREPAY_MAX_DEMAND_TIERS
#define PREPAY_MAX_DEMAND_TIERS 6
#endif

/**
 * @def PREPAY_MAX_DEMAND_RATES
 * @brief Distinct demand charge rates (tier ladders with their prices) a tariff holds.
 *
 * Flat monthly charges and TOU period charges refer to these by index, so a
 * rate that recurs in many months or periods is stored once.
 */
#ifndef PREPAY_MAX_DEMAND_RATES
#define PREPAY_MAX_DEMAND_RATES 16
#endif

/**
 * @def PREPAY_TARIFF_CHECK_SEALS
 * @brief 1: every call that trusts a sealed plan first checks a fingerprint of its tariffs' content.
 *
 * A sealed plan (prepay_tariff_plan_seal()) is trusted after an O(1) check
 * of its sets, switch time and revisions; a tariff changed without
 * prepay_tariff_touch() goes unnoticed. With 1, each trusted call also
 * hashes the tariffs (O(size), about a microsecond on a server) and fails
 * with ::PREPAY_E_TARIFF_SEAL_BROKEN on a mismatch: a debugging aid. The
 * build sets 1 for debug and debugoptimized builds (not the firmware
 * profile); the default is 0.
 */
#ifndef PREPAY_TARIFF_CHECK_SEALS
#define PREPAY_TARIFF_CHECK_SEALS 0
#endif

/**
 * @def PREPAY_TARIFF_DEMAND
 * @brief 1: tariffs may carry demand and capacity charges (docs/demand.md), priced with the full
 * state; 0: they are left out (~2.2 KB of flash less in a meter, whose compact state is
 * energy-only anyway): prepay_tariff_validate() refuses a tariff with a demand rate or a
 * capacity price (::PREPAY_E_TARIFF_BAD_DEMAND) and no call prices one.
 */
#ifndef PREPAY_TARIFF_DEMAND
#define PREPAY_TARIFF_DEMAND 1
#endif

/**
 * @def PREPAY_TARIFF_PRORATION
 * @brief 1: a tariff may prorate its tier bounds to an account's service period
 * (::PREPAY_PRORATE_BY_MONTH, ::PREPAY_PRORATE_BY_DAY: the bills of the cycles an account opens
 * or closes in); 0: proration is left out (~380 bytes of flash less in a meter, whose account
 * spans its whole service: the station bills a move-in or move-out cycle):
 * prepay_tariff_validate() refuses a tariff whose proration is not ::PREPAY_PRORATE_NONE
 * (::PREPAY_E_TARIFF_BAD_ENUM), and no call prorates a bound.
 */
#ifndef PREPAY_TARIFF_PRORATION
#define PREPAY_TARIFF_PRORATION 1
#endif

/**
 * @def PREPAY_TARIFF_DAILY_LADDERS
 * @brief 1: a tier ladder may give its bounds per day, multiplied by the days of the cycle
 * (`prepay_tier_ladder_t.per_day`, URDB "kWh daily" tiers); 0: they are left out (~100 bytes of
 * flash less in a meter: DL/T 645-2007 ladder values are per settlement cycle, and
 * prepay_dlt645_tariff_compile() refuses a per-day ladder anyway): prepay_tariff_validate()
 * refuses a ladder whose `per_day` is not 0 (::PREPAY_E_TARIFF_BAD_ENUM).
 */
#ifndef PREPAY_TARIFF_DAILY_LADDERS
#define PREPAY_TARIFF_DAILY_LADDERS 1
#endif

/* ---- ledger and wallet -------------------------------------------------- */

/**
 * @def PREPAY_MAX_ALARM_LEVELS
 * @brief Balance alarm levels a wallet policy can hold (3 are used by default).
 */
#ifndef PREPAY_MAX_ALARM_LEVELS
#define PREPAY_MAX_ALARM_LEVELS 8
#endif

/**
 * @def PREPAY_MAX_WALLET_WINDOWS
 * @brief Daily no-disconnect ("friendly") windows a wallet policy can hold.
 */
#ifndef PREPAY_MAX_WALLET_WINDOWS
#define PREPAY_MAX_WALLET_WINDOWS 4
#endif

/**
 * @def PREPAY_MAX_WALLET_HOLIDAYS
 * @brief Holidays (whole no-disconnect days) a wallet policy can hold.
 */
#ifndef PREPAY_MAX_WALLET_HOLIDAYS
#define PREPAY_MAX_WALLET_HOLIDAYS 32
#endif

/* ---- load records ------------------------------------------------------ */

/**
 * @def PREPAY_LOAD_RECORD_REPLY_MAX
 * @brief Bytes of load-record data one ::prepay_load_record_reply_t can stitch from follow-up frames, 103..65535.
 *
 * A full aggregate record (DL/T 645-2007 load-record layout, all six
 * classes) is 103 bytes; a station that asks for N records at once needs
 * about N x 103. The default holds 40 full records.
 */
#ifndef PREPAY_LOAD_RECORD_REPLY_MAX
#define PREPAY_LOAD_RECORD_REPLY_MAX 4120
#endif

/* ---- allocation and billing -------------------------------------------- */

/* (module sections are added here as modules land) */

/* ---- settlement ---------------------------------------------------------- */

/**
 * @def PREPAY_MAX_SETTLEMENT_ACCOUNTS
 * @brief Most accounts a settlement site may hold (its memory is sized at run time up to this).
 *
 * Account ids are 1..::PREPAY_SETTLEMENT_SUBJECT_MAX whatever this is (the
 * 64-bit ledger key holds 27 bits of subject, see settlement.h).
 */
#ifndef PREPAY_MAX_SETTLEMENT_ACCOUNTS
#define PREPAY_MAX_SETTLEMENT_ACCOUNTS 16777216
#endif

/**
 * @def PREPAY_MAX_SETTLEMENT_METERS
 * @brief Most meters a settlement site may hold.
 */
#ifndef PREPAY_MAX_SETTLEMENT_METERS
#define PREPAY_MAX_SETTLEMENT_METERS 16777216
#endif

/**
 * @def PREPAY_MAX_SETTLEMENT_GROUPS
 * @brief Most allocation groups a site may hold (group numbers 1..4095 are part of the allocation transfer ids).
 */
#ifndef PREPAY_MAX_SETTLEMENT_GROUPS
#define PREPAY_MAX_SETTLEMENT_GROUPS 4095
#endif

/**
 * @def PREPAY_MAX_SETTLEMENT_MEMBERS
 * @brief Most sub-meters (members) over all allocation groups of a site.
 */
#ifndef PREPAY_MAX_SETTLEMENT_MEMBERS
#define PREPAY_MAX_SETTLEMENT_MEMBERS 16777216
#endif

/**
 * @def PREPAY_MAX_SETTLEMENT_TARIFFS
 * @brief Most tariff plans a site may refer to.
 */
#ifndef PREPAY_MAX_SETTLEMENT_TARIFFS
#define PREPAY_MAX_SETTLEMENT_TARIFFS 256
#endif

/**
 * @def PREPAY_MAX_SETTLEMENT_POLICIES
 * @brief Most wallet policies a site may refer to.
 */
#ifndef PREPAY_MAX_SETTLEMENT_POLICIES
#define PREPAY_MAX_SETTLEMENT_POLICIES 64
#endif

/**
 * @def PREPAY_MAX_SETTLEMENT_ITEMS
 * @brief Most charge items (billing.h) a site may refer to.
 */
#ifndef PREPAY_MAX_SETTLEMENT_ITEMS
#define PREPAY_MAX_SETTLEMENT_ITEMS 256
#endif

/**
 * @def PREPAY_SETTLEMENT_USAGE_LINES
 * @brief Energy lines (band, tier) a postpaid account keeps for its next statement.
 *
 * Usage beyond this many distinct (commodity, band, tier) keys in one
 * statement period is merged into the last line (band and tier 0), so the
 * statement still adds up.
 */
#ifndef PREPAY_SETTLEMENT_USAGE_LINES
#define PREPAY_SETTLEMENT_USAGE_LINES 16
#endif

/* ---- meter ------------------------------------------------------------- */

/**
 * @def PREPAY_METER_TARIFFS
 * @brief Tariff energy registers the reference meter keeps per direction (DI1 01..n), 1..32.
 *
 * Real prepaid meters keep 4 (sharp, peak, flat, valley; DL/T 645-2007
 * 04000204). Energy of a band above this number is still counted in the
 * total register. The limit 32 keeps a block read (total + n registers of
 * 4 bytes) within the 200-byte read limit of DL/T 645-2007 clause 7.1.
 */
#ifndef PREPAY_METER_TARIFFS
#define PREPAY_METER_TARIFFS 4
#endif

/**
 * @def PREPAY_TARIFF_PROPORTIONAL
 * @brief 1: the tariff engine prices ::PREPAY_TOU_TIER_PROPORTIONAL tariffs (per-band tiers
 * assigned in proportion at cycle end, NREL SAM's monthly rule); 0: leaves that code out and
 * prepay_tariff_validate() refuses such tariffs (::PREPAY_E_TARIFF_BAD_ENUM). For a firmware meter,
 * whose tariff prices energy as it flows (surcharge or chronological per-band tiers) and never
 * proportionally; the station prices proportional tariffs from readings.
 */
#ifndef PREPAY_TARIFF_PROPORTIONAL
#define PREPAY_TARIFF_PROPORTIONAL 1
#endif

/**
 * @def PREPAY_METER_DEMAND_MINUTES
 * @brief Longest maximum-demand period (04000103) the reference meter accepts, minutes, 1..99.
 *
 * The meter keeps the energy of each of the last this many minutes (two
 * 4-byte rings, forward and reverse) to slide its demand window; DL/T
 * 645-2007 writes the period as NN minutes (15 is the common setting).
 */
#ifndef PREPAY_METER_DEMAND_MINUTES
#define PREPAY_METER_DEMAND_MINUTES 60
#endif

/**
 * @def PREPAY_METER_EVENT_RECORDS
 * @brief Event records (start, end, detail) the meter keeps, shared by all event kinds, 1..64.
 *
 * Counts are kept per kind without limit; only the last records are kept.
 * DL/T 645-2007 appendix A.4 lets a station read the last 10 of a kind.
 */
#ifndef PREPAY_METER_EVENT_RECORDS
#define PREPAY_METER_EVENT_RECORDS 8
#endif

/**
 * @def PREPAY_METER_FROZEN_DAYS
 * @brief Daily frozen snapshots (at 00:00) kept, 1..62 (DL/T 645-2007 A.6: 05060001..0506003E).
 */
#ifndef PREPAY_METER_FROZEN_DAYS
#define PREPAY_METER_FROZEN_DAYS 3
#endif

/**
 * @def PREPAY_METER_SETTLEMENTS
 * @brief Settlement-day snapshots kept, 1..12 (energy DI0 = 01..0C, DL/T 645-2007 A.1).
 */
#ifndef PREPAY_METER_SETTLEMENTS
#define PREPAY_METER_SETTLEMENTS 2
#endif

/**
 * @def PREPAY_METER_PASSWORD_TRIES
 * @brief Wrong passwords in one day after which the meter refuses every password until the next day, 1..255.
 */
#ifndef PREPAY_METER_PASSWORD_TRIES
#define PREPAY_METER_PASSWORD_TRIES 5
#endif

/**
 * @def PREPAY_METER_TIME_SYNC_LIMIT
 * @brief Default of the largest clock correction (seconds) a broadcast time sync (C = 08) may make.
 *
 * The initial value of prepay_meter_t::time_sync_limit; each meter may be
 * given its own with prepay_meter_set_time_sync_limit(). Larger corrections
 * are refused and recorded as events. State Grid practice allows +-5
 * minutes; 0 accepts any correction.
 */
#ifndef PREPAY_METER_TIME_SYNC_LIMIT
#define PREPAY_METER_TIME_SYNC_LIMIT 300
#endif

/**
 * @def PREPAY_METER_JUMP
 * @brief 1: prepay_meter_advance() crosses a long quiet stretch of a remote-mode meter in closed form
 * (docs/meter.md, "Long advances"); 0: leaves it out (a firmware meter lives in real time and never
 * jumps: the code is ~1 KB of flash it does not need).
 */
#ifndef PREPAY_METER_JUMP
#define PREPAY_METER_JUMP 1
#endif

/**
 * @def PREPAY_METER_TARIFF_WRITES
 * @brief 1: the reference meter takes tariff-programming writes (zones 0401/0402, prices 0405,
 * ladders 0406, the day-table and tariff counts 04000202/04000204) into sets bound writable;
 * 0: it refuses them as for sets bound read-only (an abnormal reply, "unauthorised": DL/T
 * 645-2007 error word bit 2) and the code is left out (~1.5 KB of flash; with ::PREPAY_METER_DLT645_1997 0,
 * 2.3 KB together, cross/meter_firmware.c). For a firmware whose tariff is a const
 * set in flash, changed by other means than DL/T 645 writes.
 */
#ifndef PREPAY_METER_TARIFF_WRITES
#define PREPAY_METER_TARIFF_WRITES 1
#endif

/**
 * @def PREPAY_METER_TARIFF_SEALED
 * @brief 1: the reference meter trusts the sets it binds once they are bound, and a firmware that
 * binds sealed tariff pages (prepay_meter_bind_page()) links no tariff validator (~1.4 KB of flash,
 * cross/meter_firmware.c); 0: the meter validates the sets again whenever their revision changes.
 *
 * Either way prepay_meter_bind() validates the sets and prepay_meter_bind_page() checks the pages'
 * seals (prepay_tariff_page_check(): the programming tool validated and sealed them with
 * prepay_tariff_page_seal()). With 1, what the meter does afterwards with the bound sets (band
 * look-ups, pricing, price reads) relies on that check instead of validating them again, so the
 * sets must not change while bound: requires ::PREPAY_METER_TARIFF_WRITES 0 (a const tariff in
 * flash). With 0 the meter behaves as it always has.
 */
#ifndef PREPAY_METER_TARIFF_SEALED
#define PREPAY_METER_TARIFF_SEALED 0
#endif

/**
 * @def PREPAY_DIV64_COMPACT
 * @brief 1: the 64-bit divisions of the meter's path (calendar, money, BCD, tariff cycles,
 * meter, events) go through one small routine of the library instead of the C library's
 * (libgcc's `__udivmoddi4` and its wrappers, ~900 bytes on a Cortex-M4); 0: C's operators.
 *
 * The results are the same either way (C's truncating quotient and remainder): a firmware
 * choice of size over speed. The routine divides with the processor's 32-bit divide when both
 * operands fit 32 bits (times in seconds, most energies and prices) and bit by bit otherwise
 * (64 steps), so leave it 0 on a server.
 */
#ifndef PREPAY_DIV64_COMPACT
#define PREPAY_DIV64_COMPACT 0
#endif

/**
 * @def PREPAY_TARIFF_PROPORTIONAL
 * @brief 1: the tariff engine prices ::PREPAY_TOU_TIER_PROPORTIONAL tariffs (per-band tiers
 * assigned in proportion at cycle end, NREL SAM's monthly rule); 0: leaves that code out and
 * prepay_tariff_validate() refuses such tariffs (::PREPAY_E_TARIFF_BAD_ENUM). For a firmware meter,
 * whose tariff prices energy as it flows (surcharge or chronological per-band tiers) and never
 * proportionally; the station prices proportional tariffs from readings.
 */
#ifndef PREPAY_TARIFF_PROPORTIONAL
#define PREPAY_TARIFF_PROPORTIONAL 1
#endif

/**
 * @def PREPAY_METER_DEMAND
 * @brief 1: the reference meter keeps maximum demand (the sliding window of 04000103/04000104, the
 * maxima 01xxxxxx current and settled, the current demand 02800004; docs/demand.md); 0: it keeps
 * none (`prepay_meter_t` has no `demand` member, ~1.9 KB of flash and, with the firmware's
 * 15-minute window, 416 bytes of RAM less): reads of those DIs get the abnormal reply "no
 * requested data" (DL/T 645-2007 error word bit 1), writes of 04000103/04000104 likewise,
 * prepay_meter_set_demand_period() returns ::PREPAY_E_NOT_FOUND and a demand clear (function 19)
 * clears nothing. For a single-phase meter of Q/GDW 1364, which keeps no maximum demand: demand
 * charges are billed by the station (see also ::PREPAY_TARIFF_DEMAND).
 */
#ifndef PREPAY_METER_DEMAND
#define PREPAY_METER_DEMAND 1
#endif

/**
 * @def PREPAY_METER_LOAD_RECORDS
 * @brief 1: the reference meter keeps load records (DL/T 645-2007 class 06 负荷记录: the
 * parameters 04000901 and 04000A01..07 in `prepay_meter_t::load_profile`, the records in a
 * caller-owned ring, prepay_meter_attach_load_ring(); docs/load-curves.md); 0: it keeps none
 * (`prepay_meter_t` has neither `load_profile` nor `load_ring`, 60 bytes of RAM on a 32-bit
 * target, and the parameter and read code is left out): reads of 06xxxxxx, follow-up reads
 * (function 12) and reads and writes of 04000901/04000A01..07 get the abnormal reply "no requested
 * data" (DL/T 645-2007 error word bit 1); prepay_meter_attach_load_ring() refuses a ring and
 * prepay_meter_set_load_profile() and prepay_meter_load_records() return ::PREPAY_E_NOT_FOUND.
 * For a firmware meter whose load curve is collected by the station (Q/GDW 1364 single-phase
 * meters need not keep load curves; the concentrator reads the registers every interval).
 */
#ifndef PREPAY_METER_LOAD_RECORDS
#define PREPAY_METER_LOAD_RECORDS 1
#endif

/**
 * @def PREPAY_RECORD_TIME32
 * @brief 0: event and freeze records keep their times as ::prepay_time_t (64 bits); 1: as
 * `uint32_t` seconds since 2000-01-01 00:00:00 (::prepay_record_time_t), 8 bytes less per
 * meter event record (prepay_meter_record_t), 4 per frozen record (prepay_meter_frozen_t), 8
 * per supervision event record (prepay_events_record_t), and the same for the other record times:
 * the last purchase (prepay_meter_purse_t::last_time), the last refused write
 * (prepay_events_refusal_t) and the voltage extremes (prepay_vq_stats_t; prepay_vq_decode() refuses
 * a year that puts them outside the 32 bits); the last-sample times of the events, voltage
 * statistics and load-control states ("none" is then ::PREPAY_RECORD_TIME_NONE, UINT32_MAX, not
 * INT64_MIN) and the load-control restore time (one after 2136, never reached, kept as 2136); and
 * the meter's time-sync limit (`uint32_t`, a larger limit kept as UINT32_MAX,
 * which no correction within 2000..2099 reaches). Enough for every time such a record
 * holds: DL/T 645-2007 record times are YYMMDDhhmmss with a two-digit year (2000..2099), the
 * meter clock and the judged samples are kept within 2000..2099, and 32 bits of seconds from
 * 2000 reach 2136-02-07 06:28:15. A time outside 0..UINT32_MAX given to the library for a
 * record is clamped (prepay__record_time(): before 2000 becomes 0, which records read as "none",
 * after 2136-02-07 06:28:15 becomes that instant); the library's own callers never pass one.
 */
#ifndef PREPAY_RECORD_TIME32
#define PREPAY_RECORD_TIME32 0
#endif

/**
 * @def PREPAY_METER_LC_LAST
 * @brief 1: a supervision keeps a copy of the last load-control decision with an action
 * (`prepay_meter_supervision_t::lc_last`, 24 bytes on a 32-bit target) for the caller to inspect;
 * 0: it keeps none (the member is absent). The meter acts on every decision when it is taken
 * (the relay flag ::PREPAY_METER_RELAY_LOAD_CONTROL, the relay decision and its records), and
 * the lasting outcome stays readable in `prepay_meter_supervision_t::lc` (tripped, locked,
 * restore time, trips): the copy is never read by the library, so a firmware that has nobody to
 * show it to leaves it out.
 */
#ifndef PREPAY_METER_LC_LAST
#define PREPAY_METER_LC_LAST 1
#endif

/**
 * @def PREPAY_METER_DECISION_PURSE
 * @brief 1: the meter's relay-decision cache (`prepay_meter_derived_t`) keeps copies of the four
 * purse limits the last decision used (alarm 1, alarm 2, overdraft limit, close-allowed; 32
 * bytes) and decides again when any differs, even after a direct write to
 * `prepay_meter_t::purse`; 0: it keeps none, and every write of those limits through the library
 * (prepay_meter_set_purse_parameters(), DL/T 645 writes of 04001001..05) forgets the cached
 * decision instead. The results are the same for a caller that changes members only through
 * the library's functions, as meter.h asks; a direct write of a limit is then noticed at the
 * next decision that is not skipped (a recharge, a mode or relay change, a balance crossing a
 * threshold). For a firmware meter, whose own code is the only writer.
 */
#ifndef PREPAY_METER_DECISION_PURSE
#define PREPAY_METER_DECISION_PURSE 1
#endif

/**
 * @def PREPAY_METER_DLT645_1997
 * @brief 1: prepay_meter_handle() answers DL/T 645-1997 frames (the common 1997 reads, an
 * abnormal 1997 reply to the rest; docs/meter.md); 0: a 2007-only meter, 1997 frames get no
 * reply (~0.8 KB of flash less).
 */
#ifndef PREPAY_METER_DLT645_1997
#define PREPAY_METER_DLT645_1997 1
#endif

/* ---- water meter ------------------------------------------------------- */

/**
 * @def PREPAY_WATER_EVENT_RECORDS
 * @brief Event records (start, end, detail) the reference water meter keeps, shared by all kinds, 1..64.
 *
 * Counts are kept per kind without limit; only the last records are kept
 * (a slot is 24 bytes).
 */
#ifndef PREPAY_WATER_EVENT_RECORDS
#define PREPAY_WATER_EVENT_RECORDS 10
#endif

/* ---- events, load control, voltage qualification ------------------------ */

/**
 * @def PREPAY_EVENTS_PHASES
 * @brief Phases the event judgement and the voltage statistics keep: 1 (single-phase meter) or 3.
 *
 * With 1, the three-phase-only events (loss of voltage, phase failure, loss of
 * current, current cut, reverse sequences, unbalance) have no storage and are
 * never judged, which keeps a single-phase firmware meter small.
 */
#ifndef PREPAY_EVENTS_PHASES
#define PREPAY_EVENTS_PHASES 3
#endif

/**
 * @def PREPAY_MAX_EVENT_RECORDS
 * @brief Records kept per event kind (a ring, newest first), 1..10.
 *
 * DL/T 645-2007 appendix A.4 lets a station read the last 10 records of a
 * kind (DI0 = 01..0A); counts and cumulative times are kept without limit.
 */
#ifndef PREPAY_MAX_EVENT_RECORDS
#define PREPAY_MAX_EVENT_RECORDS 10
#endif

/**
 * @def PREPAY_EVENTS_END_ENERGY
 * @brief 1: event records keep the energy registers at the end too (cover-open, magnetic and class records); 0: start only.
 *
 * Each record is 48 bytes with, 40 without (x86-64 and Cortex-M4). Without
 * them the end registers read as zeros over DL/T 645. The firmware profile
 * drops them to keep a meter within 2 KB of RAM.
 */
#ifndef PREPAY_EVENTS_END_ENERGY
#define PREPAY_EVENTS_END_ENERGY 1
#endif

/**
 * @def PREPAY_VQ_MONTHS
 * @brief Past months of voltage-qualification statistics kept, 1..12 (DL/T 645-2007 0310xx01..0C).
 */
#ifndef PREPAY_VQ_MONTHS
#define PREPAY_VQ_MONTHS 12
#endif

/**
 * @def PREPAY_ANALYSIS_HISTORY
 * @brief Past intervals the station-side theft rules compare against (median window), 3..64.
 */
#ifndef PREPAY_ANALYSIS_HISTORY
#define PREPAY_ANALYSIS_HISTORY 14
#endif

/** @} */

#endif /* PREPAY_CONFIG_DEFAULT_H */
