/* SPDX-License-Identifier: MIT */
/**
 * @file water_meter.h
 * @ingroup prepay_water
 * @brief Reference prepaid water meter: volume register, purse (money or volume), CJ/T 188
 *        price table with ladder, purchase serial rule, valve state machine with vendor rules,
 *        events, and the meter side of CJ/T 188-2004 and of a Modbus RTU register map.
 *
 * A complete valve-controlled prepaid water meter as plain caller-owned data
 * (::prepay_water_meter_t) and pure functions over it: freestanding, no
 * allocation, no floating point and no clock of its own (the caller moves
 * time forward). The same code runs in Cortex-M firmware and in the
 * emulator. See docs/water.md for the rules and their sources.
 *
 * - **Volume register** in litres (the library's volume unit), read over
 *   CJ/T 188 as XXXXXX.XX m³ (truncated to 10 L) and over Modbus as a
 *   FLOAT32 in m³.
 * - **Purse** in one of three modes (::prepay_water_mode): money (fen,
 *   priced by the meter's price table), volume (litres), or remote (no purse
 *   on the meter: the station keeps it and drives the valve).
 * - **Price table** (CJ/T 188 A010 / 8102): three prices and two ladder
 *   steps, applied to the litres of the current ladder cycle (a month from
 *   the settlement day, or a year from a start month), plus a pending table
 *   that takes effect at a scheduled time (A010's start day). Charges are
 *   exact (::prepay_amount_t); whole fen are deducted with the tariff
 *   engine's rule (round the running exact total half-up, carry the rest),
 *   so the meter's deductions equal the tariff engine's dues for the same
 *   water ladder to the fen (proved by tests/water/test_water_purse.c).
 * - **Purchases** are credited once per purchase serial
 *   (prepay_cjt188_purchase_check(): a replay with the same serial credits
 *   nothing and is answered as the first time), refused above the hoarding
 *   limit.
 * - **Valve** closed by "holds" (::PREPAY_WATER_HOLD_ALARM ...), each set by
 *   a rule and cleared by the actor the rule allows (tenant card or button,
 *   station command, a top-up, the end of a condition); an open that a rule
 *   forbids is refused and recorded.
 * - **Events** with counts and the last ::PREPAY_WATER_EVENT_RECORDS records
 *   (start, end, detail).
 * - **Meter side** of CJ/T 188-2004 (prepay_water_meter_handle_cjt188()) and
 *   of the Kaifeng Xintai Modbus register map
 *   (prepay_water_meter_handle_modbus()): request bytes in, reply bytes out;
 *   malformed, unaddressed or unauthorised frames change nothing.
 *
 * **Time.** Every function that takes `now` first lets time pass up to it:
 * ladder cycles restart, the monthly settlement reading is frozen, a pending
 * price table takes effect, low-battery timers fire. A `now` before the
 * meter clock is refused by prepay_water_meter_advance() and ignored (the
 * clock stays) elsewhere.
 *
 * **Persistence.** The struct is plain data with no pointers: store it byte
 * for byte; check a stored copy with prepay_water_meter_check_state() before
 * trusting it.
 */
#ifndef PREPAY_WATER_METER_H
#define PREPAY_WATER_METER_H

/** @addtogroup prepay_water
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/cjt188.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/config_fingerprint.h"
#include "prepay/status.h"
#include "prepay/tariff.h"

/* ======================================================================== */
/** @name Status codes (module ::PREPAY_MODULE_WATER)
 *  @{ */
/* ======================================================================== */

/** @brief The meter struct was not initialised by prepay_water_meter_init(), or is corrupt.
 *  prepay_strerror(): "water meter: not initialised or corrupt" */
#define PREPAY_E_WATER_BAD_STATE PREPAY_STATUS_MAKE(PREPAY_MODULE_WATER, 1)
/** @brief A parameter is out of its domain (thresholds, price table, days, valve rules, address, unit).
 *  prepay_strerror(): "water meter: parameter out of its domain" */
#define PREPAY_E_WATER_BAD_PARAMETER PREPAY_STATUS_MAKE(PREPAY_MODULE_WATER, 2)
/** @brief The operation needs another purse mode (a purchase on a remote-mode meter, a volume write in money mode).
 *  prepay_strerror(): "water meter: not possible in this purse mode" */
#define PREPAY_E_WATER_WRONG_MODE PREPAY_STATUS_MAKE(PREPAY_MODULE_WATER, 3)
/** @brief Purchase refused: its serial is neither the last accepted one (a replay) nor the next one.
 *  prepay_strerror(): "water meter: purchase serial is neither the last one nor the next one" */
#define PREPAY_E_WATER_PURCHASE_SERIAL PREPAY_STATUS_MAKE(PREPAY_MODULE_WATER, 4)
/** @brief Purchase refused: the balance would exceed the hoarding limit.
 *  prepay_strerror(): "water meter: the balance would exceed the hoarding limit" */
#define PREPAY_E_WATER_HOARDING_LIMIT PREPAY_STATUS_MAKE(PREPAY_MODULE_WATER, 5)
/** @brief Valve open refused: a hold is in force that this actor may not clear (recorded as ::PREPAY_WATER_EVENT_OPEN_REFUSED).
 *  prepay_strerror(): "water meter: valve open refused by the valve rules" */
#define PREPAY_E_WATER_VALVE_REFUSED PREPAY_STATUS_MAKE(PREPAY_MODULE_WATER, 6)
/** @brief A time before the meter clock where time must move forward (prepay_water_meter_advance()).
 *  prepay_strerror(): "water meter: time before the meter clock" */
#define PREPAY_E_WATER_TIME_ORDER PREPAY_STATUS_MAKE(PREPAY_MODULE_WATER, 7)
/** @brief A tariff a CJ/T 188 price table (three prices, two steps) cannot express: TOU bands, seasonal or
 *  per-day ladders, more than three tiers, fixed charges, or an electricity tariff.
 *  prepay_strerror(): "water meter: the tariff does not fit a 3-price 2-step price table" */
#define PREPAY_E_WATER_TARIFF_UNSUPPORTED PREPAY_STATUS_MAKE(PREPAY_MODULE_WATER, 8)
/** @} */

/* ======================================================================== */
/** @name Constants
 *  @{ */
/* ======================================================================== */

/** @brief Return value of prepay_water_meter_purchase() for a replay (same serial as the last accepted): nothing credited. */
#define PREPAY_WATER_PURCHASE_REPEAT 1
/** @brief Settlement-day readings kept: last month and 11 before it (CJ/T 188 D120..D12B). */
#define PREPAY_WATER_HISTORY_MONTHS 12u
/** @brief Most litres one call of prepay_water_meter_advance() may register (10^9 L = 10^6 m³). */
#define PREPAY_WATER_MAX_STEP_LITRES INT64_C(1000000000)
/** @brief Largest purse amount, threshold or limit: 10^12 fen or litres (so sums cannot overflow). */
#define PREPAY_WATER_MAX_AMOUNT INT64_C(1000000000000)
/** @brief Largest ladder step: 10^12 L. */
#define PREPAY_WATER_MAX_STEP INT64_C(1000000000000)
/** @brief Time meaning "never" (no pending price table, no timer). */
#define PREPAY_WATER_NEVER INT64_MAX
/**
 * @brief Bytes a CJ/T 188 reply can need (no preamble): the 901F water reply,
 *        13 + 16H. prepay_water_meter_handle_cjt188() wants at least this much room.
 */
#define PREPAY_WATER_CJT188_REPLY_MAX 35u
/**
 * @brief Bytes a Modbus reply can need: a read of the whole map (1EH registers),
 *        5 + 60. prepay_water_meter_handle_modbus() wants at least this much room.
 */
#define PREPAY_WATER_MODBUS_REPLY_MAX 65u
/** @brief Registers of the Modbus map the meter serves: 0000H..001DH (Kaifeng Xintai map, docs/modbus.md). */
#define PREPAY_WATER_MODBUS_REGISTERS 0x1Eu
/** @brief Default low-battery reopen window: 3 days (hg0881.cn product page: "三天后水表关阀且不可再开阀"). */
#define PREPAY_WATER_BATTERY_WINDOW_DEFAULT INT64_C(259200)
/** @} */

/* ======================================================================== */
/** @name Valve holds: why the valve is closed
 *
 * The valve is open exactly when no hold is set. Each hold names the rule
 * that set it; which actor may clear it is part of the rule
 * (docs/water.md, "Valve rules").
 *  @{ */
/* ======================================================================== */

/** @brief Alarm close: the balance fell to the alarm threshold. Tenant or station may reopen, once per alarm episode. */
#define PREPAY_WATER_HOLD_ALARM 0x01u
/** @brief Purse exhausted: balance at or below minus the overdraft limit. Only a top-up clears it. */
#define PREPAY_WATER_HOLD_EMPTY 0x02u
/** @brief Station close (CJ/T 188 A017 99H, Modbus 001CH = 2). Only a station open clears it. */
#define PREPAY_WATER_HOLD_REMOTE 0x04u
/** @brief Magnetic attack: latched at the attack; tenant or station may reopen once the attack has ended. */
#define PREPAY_WATER_HOLD_MAGNET 0x08u
/** @brief Power removed or battery door opened: latched; tenant or station may reopen once power is back. */
#define PREPAY_WATER_HOLD_POWER 0x10u
/** @brief Low-battery close: tenant or station may reopen within the reopen window; cleared when the battery is changed. */
#define PREPAY_WATER_HOLD_BATTERY 0x20u
/** @brief Low-battery lock: the reopen window has passed; nobody may open until the battery is changed. */
#define PREPAY_WATER_HOLD_BATTERY_LOCK 0x40u
/** @brief Every hold bit. */
#define PREPAY_WATER_HOLD_MASK 0x7Fu
/** @} */

/* ======================================================================== */
/** @name Status word ST (CJ/T 188): standard and reference-meter bits
 *
 * Bits 1..0 and 2 are CJ/T 188's (valve, battery low). Bits 3..15 are
 * manufacturer-defined in the standard; this is the reference meter's use
 * of them (a libprepay convention, not a published vendor's).
 *  @{ */
/* ======================================================================== */

/** @brief ST bit 3: balance at or below the alarm threshold (money and volume modes). */
#define PREPAY_WATER_ST_ALARM 0x0008u
/** @brief ST bit 4: balance below zero (overdraft in use). */
#define PREPAY_WATER_ST_OVERDRAFT 0x0010u
/** @brief ST bit 5: ::PREPAY_WATER_HOLD_EMPTY in force. */
#define PREPAY_WATER_ST_EMPTY 0x0020u
/** @brief ST bit 6: magnetic attack in force or its close not yet reopened. */
#define PREPAY_WATER_ST_MAGNET 0x0040u
/** @brief ST bit 7: power removed / battery door open, or its close not yet reopened. */
#define PREPAY_WATER_ST_POWER 0x0080u
/** @brief ST bit 8: station close in force. */
#define PREPAY_WATER_ST_REMOTE 0x0100u
/** @brief ST bit 9: low-battery lock in force. */
#define PREPAY_WATER_ST_BATTERY_LOCK 0x0200u
/** @brief ST bit 10: water registered while the valve was commanded closed (since the last open). */
#define PREPAY_WATER_ST_FLOW_CLOSED 0x0400u
/** @} */

/** @brief Where the purse lives and what it counts. */
typedef enum prepay_water_mode {
    PREPAY_WATER_MODE_MONEY = 0,  /**< purse in fen; each litre priced by the price table and its ladder */
    PREPAY_WATER_MODE_VOLUME = 1, /**< purse in litres (the Xintai meter's 0008H "remaining volume") */
    PREPAY_WATER_MODE_REMOTE = 2  /**< no purse on the meter: the station keeps it and drives the valve */
} prepay_water_mode_t;

/** @brief Who asks for a valve movement. */
typedef enum prepay_water_actor {
    PREPAY_WATER_ACTOR_TENANT = 0,  /**< the tenant at the meter: user card, button */
    PREPAY_WATER_ACTOR_STATION = 1, /**< a remote command: CJ/T 188 A017, Modbus 001CH */
    PREPAY_WATER_ACTOR_METER = 2    /**< the meter's own rules (recorded with automatic movements) */
} prepay_water_actor_t;

/** @brief Physical conditions the caller (the meter's sensors) reports. */
typedef enum prepay_water_condition {
    PREPAY_WATER_CONDITION_MAGNET = 0,      /**< magnetic field at the sensor (强磁干扰) */
    PREPAY_WATER_CONDITION_LOW_BATTERY = 1, /**< battery under-voltage (欠压) */
    PREPAY_WATER_CONDITION_POWER_DOWN = 2,  /**< power removed or battery door opened (断电) */
    PREPAY_WATER_CONDITION_VALVE_STUCK = 3, /**< the valve's position switch disagrees with the command (阀门异常) */
    PREPAY_WATER_CONDITION_PIPE_EMPTY = 4,  /**< empty pipe (Modbus 0007H 55H); informative */
    PREPAY_WATER_CONDITION_COUNT = 5        /**< number of conditions (not a condition) */
} prepay_water_condition_t;

/** @brief Event kinds, each with a count and records. */
typedef enum prepay_water_event {
    /** Balance fell to the alarm threshold and the valve closed (instant; detail: balance, clipped to 32 bits). */
    PREPAY_WATER_EVENT_PURSE_ALARM = 0,
    /** Purse exhausted: from the close to the top-up that cleared it (detail: minus the balance at the close). */
    PREPAY_WATER_EVENT_PURSE_EMPTY = 1,
    /** Magnetic attack, start to end. */
    PREPAY_WATER_EVENT_MAGNET = 2,
    /** Low battery, start to end (battery changed). */
    PREPAY_WATER_EVENT_LOW_BATTERY = 3,
    /** Low-battery reopen window passed: valve locked (instant). */
    PREPAY_WATER_EVENT_BATTERY_LOCK = 4,
    /** Power removed or battery door opened, start to end. */
    PREPAY_WATER_EVENT_POWER_DOWN = 5,
    /** Valve stuck, start to end. */
    PREPAY_WATER_EVENT_VALVE_STUCK = 6,
    /** The valve opened (instant; detail: holds cleared; aux: ::prepay_water_actor). */
    PREPAY_WATER_EVENT_VALVE_OPEN = 7,
    /** The valve closed (instant; detail: holds set; aux: ::prepay_water_actor). */
    PREPAY_WATER_EVENT_VALVE_CLOSE = 8,
    /** An open was refused (instant; detail: the holds that refused it; aux: ::prepay_water_actor). */
    PREPAY_WATER_EVENT_OPEN_REFUSED = 9,
    /** A purchase was credited (instant; detail: amount, clipped to 32 bits; aux: serial). */
    PREPAY_WATER_EVENT_PURCHASE = 10,
    /** A purchase was refused (instant; detail: amount; aux: serial | reason << 8, 1 serial, 2 hoarding). */
    PREPAY_WATER_EVENT_PURCHASE_REFUSED = 11,
    /** The remaining volume was written (Modbus 0008H; instant; detail: new balance in litres). */
    PREPAY_WATER_EVENT_PURSE_SET = 12,
    /** A parameter was written (instant; detail: CJ/T 188 DI or Modbus register; aux: 0 CJ/T 188, 1 Modbus). */
    PREPAY_WATER_EVENT_PROGRAMMING = 13,
    /** Water registered while the valve was commanded closed, from the first litre to the next open (detail: litres). */
    PREPAY_WATER_EVENT_FLOW_WHILE_CLOSED = 14,
    PREPAY_WATER_EVENT_COUNT = 15 /**< number of kinds (not a kind) */
} prepay_water_event_t;

/** @brief Record flag: the slot holds a record. */
#define PREPAY_WATER_RECORD_USED 0x01u
/** @brief Record flag: the event is still going on (`end` not yet set). */
#define PREPAY_WATER_RECORD_ONGOING 0x02u

/** @brief One event record. */
typedef struct prepay_water_record {
    prepay_time_t start; /**< start, or the instant */
    prepay_time_t end;   /**< end (0 while ongoing and for instant events) */
    uint32_t detail;     /**< what the kind says (see ::prepay_water_event) */
    uint16_t aux;        /**< what the kind says */
    uint8_t kind;        /**< ::prepay_water_event */
    uint8_t flags;       /**< PREPAY_WATER_RECORD_* */
} prepay_water_record_t;

/**
 * @brief The vendor rules of the low-battery close, as data.
 *
 * When the battery goes low at time t: the valve closes at t + close_delay;
 * tenant or station may reopen it until t + reopen_window; from
 * t + max(close_delay, reopen_window) it is locked until the battery is
 * changed, when the meter opens it again by itself (if nothing else holds
 * it). Defaults (hg0881.cn product page): close_delay 0, reopen_window
 * 3 days. The other published rule (refuse to open while under-voltage,
 * close after 15 minutes) is close_delay 900, reopen_window 0.
 */
typedef struct prepay_water_valve_rules {
    int64_t battery_close_delay;   /**< seconds from the low-battery start to the close, 0..30 days */
    int64_t battery_reopen_window; /**< seconds from the low-battery start during which opens are allowed, 0..30 days */
} prepay_water_valve_rules_t;

/**
 * @brief One water meter: caller-owned, plain data, size fixed at compile time.
 *
 * Read members freely; change them only through the functions here.
 */
typedef struct prepay_water_meter {
    uint32_t magic;                   /**< private: set by prepay_water_meter_init() */
    uint8_t mode;                     /**< ::prepay_water_mode */
    uint8_t meter_type;               /**< CJ/T 188 meter type T (10H..19H water) */
    prepay_cjt188_address_t address;  /**< CJ/T 188 address A0..A6 (14 BCD digits, no wildcard) */
    uint8_t modbus_unit;              /**< Modbus unit address 1..247 (Xintai 000EH) */
    uint8_t programming;              /**< 1 while the programming switch is on (wildcard A018 accepted) */
    uint8_t factory_enabled;          /**< 1 after A019 factory enable */
    uint8_t key_version;              /**< A014 key version (answered by 8106) */
    uint8_t key[8];                   /**< A014 key bytes as written (2004 edition: carried in clear) */
    uint8_t settlement_day;           /**< settlement day of month 1..31 (8103/A011); clamped to short months */
    uint8_t reading_day;              /**< reading day 1..31 (8104/A012); stored for the station */
    uint8_t cycle_month;              /**< ladder cycle: 0 monthly from the settlement day; 1..12 yearly from this month */
    uint8_t holds;                    /**< PREPAY_WATER_HOLD_* in force; the valve is open iff 0 */
    uint8_t conditions;               /**< bit c: ::prepay_water_condition c in force */
    uint8_t alarm_armed;              /**< 1: the next fall to the alarm threshold closes the valve */
    uint8_t battery_stage;            /**< low battery: 0 none, 1 warned, 2 closed (reopenable), 3 locked */
    uint8_t purchase_serial_bcd;      /**< 1: purchase serials count 00..99 in BCD; 0: 00..FFH */
    uint8_t has_purchase;             /**< 1 once a purchase has been accepted */
    uint8_t purchase_serial;          /**< serial of the last accepted purchase */
    uint16_t pulse_coefficient;       /**< litres per pulse for prepay_water_meter_pulses() (Modbus 001DH), >= 1 */
    int32_t battery_mv;               /**< battery voltage in mV (Modbus 001AH) */
    prepay_time_t clock;              /**< meter clock, local seconds since 2000 */
    prepay_time_t cycle_start;        /**< start of the current ladder cycle */
    prepay_time_t next_cycle;         /**< next ladder cycle start */
    prepay_time_t next_settlement;    /**< next monthly settlement (00:00 of the settlement day) */
    prepay_time_t switch_time;        /**< the pending price table takes effect here (::PREPAY_WATER_NEVER: none) */
    prepay_time_t battery_since;      /**< start of the low-battery condition (valid while battery_stage > 0) */
    prepay_water_valve_rules_t rules; /**< low-battery rules */
    prepay_cjt188_price_table_t prices[2]; /**< [0] in force, [1] pending (start_day unused) */
    prepay_energy_t volume;           /**< forward volume register, L */
    prepay_energy_t reverse_volume;   /**< reverse volume register, L (Modbus 0003H; written only) */
    prepay_energy_t cycle_volume;     /**< litres in the current ladder cycle */
    prepay_energy_t closed_flow;      /**< litres registered while the valve was commanded closed (lifetime) */
    prepay_energy_t closed_flow_episode; /**< litres registered closed since the last open */
    int64_t flow_lph;                 /**< flow over the last advance, L/h (Modbus 0005H) */
    prepay_energy_t history[PREPAY_WATER_HISTORY_MONTHS]; /**< settlement-day readings, [0] last month */
    uint8_t history_count;            /**< readings held in `history` */
    int64_t balance;                  /**< purse: fen (money) or L (volume); < 0 in overdraft; 0 in remote mode */
    int64_t purchase_total;           /**< purchased in total, purse units */
    int64_t last_purchase;            /**< amount of the last accepted purchase, purse units */
    int64_t alarm;                    /**< alarm threshold, purse units, >= 0 (alarm close when balance <= it) */
    int64_t overdraft_limit;          /**< overdraft, purse units, >= 0 (close when balance <= -limit) */
    int64_t hoarding_limit;           /**< most balance after a purchase, purse units (0 = no limit) */
    prepay_money_t charged;           /**< money charged in total (money mode), fen: the sum of deductions */
    prepay_amount_t carry;            /**< exact charge minus `charged`, |carry| < 1 fen (money mode) */
    uint32_t event_counts[PREPAY_WATER_EVENT_COUNT]; /**< count per ::prepay_water_event */
    uint8_t record_next;              /**< next slot of `records` */
    prepay_water_record_t records[PREPAY_WATER_EVENT_RECORDS]; /**< last records, all kinds */
} prepay_water_meter_t;

PREPAY_BEGIN_DECLS

/* ======================================================================== */
/** @name Set-up
 *  @{ */
/* ======================================================================== */

/**
 * @brief Initialises a meter: zero registers, empty purse, free water (all prices 0).
 *
 * Defaults: settlement and reading day 1, monthly ladder cycle, binary
 * purchase serials, no overdraft, no hoarding limit, alarm threshold
 * 10.00 yuan (money) or 5 m³ (volume; a vendor's published default:
 * cpooo.com IC-card meter page), low-battery rules
 * {0, ::PREPAY_WATER_BATTERY_WINDOW_DEFAULT}, 3600 mV battery, 1 L per
 * pulse. In money and volume modes the empty purse holds the valve closed
 * until the first top-up.
 * @param meter the meter.
 * @param mode a ::prepay_water_mode.
 * @param meter_type CJ/T 188 type, 10H..19H (water family).
 * @param address the CJ/T 188 address: 14 BCD digits, no `AA`.
 * @param modbus_unit Modbus unit address 1..247.
 * @param clock the initial clock, 2000-01-01 .. 2099-12-31.
 * @return ::PREPAY_OK, or an error; @p meter untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_WATER_BAD_PARAMETER
 * (mode, type, address, unit); ::PREPAY_E_OUT_OF_RANGE (clock).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_init(prepay_water_meter_t *meter, prepay_water_mode_t mode, uint8_t meter_type,
                                       const prepay_cjt188_address_t *address, uint8_t modbus_unit,
                                       prepay_time_t clock);

/**
 * @brief Sets the purse thresholds (in purse units: fen or litres) and decides the valve again.
 * @param meter the meter.
 * @param alarm alarm threshold, 0..::PREPAY_WATER_MAX_AMOUNT (0 with no overdraft: no separate alarm close).
 * @param overdraft_limit 0..::PREPAY_WATER_MAX_AMOUNT.
 * @param hoarding_limit 0 (none) or 1..::PREPAY_WATER_MAX_AMOUNT.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE;
 * ::PREPAY_E_WATER_BAD_PARAMETER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_set_purse(prepay_water_meter_t *meter, int64_t alarm, int64_t overdraft_limit,
                                            int64_t hoarding_limit);

/**
 * @brief Sets whether purchase serials count in BCD (00..99) or binary (00..FFH).
 * @param meter the meter.
 * @param bcd true for BCD.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE;
 * ::PREPAY_E_WATER_BAD_PARAMETER (BCD while the last serial is not BCD).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_set_serial_bcd(prepay_water_meter_t *meter, bool bcd);

/**
 * @brief Sets the low-battery valve rules.
 * @param meter the meter.
 * @param rules the rules (each 0..30 days).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE;
 * ::PREPAY_E_WATER_BAD_PARAMETER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_set_valve_rules(prepay_water_meter_t *meter,
                                                  const prepay_water_valve_rules_t *rules);

/**
 * @brief Checks a price table: prices per prepay_price_check(), steps 0 <= step 1 <= step 2 <= ::PREPAY_WATER_MAX_STEP.
 * @param table the table (start_day is not checked).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_PARAMETER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_price_table_check(const prepay_cjt188_price_table_t *table);

/**
 * @brief Puts a price table in force now (and drops a pending one).
 * @param meter the meter.
 * @param table the table.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE; as prepay_water_price_table_check().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_set_prices(prepay_water_meter_t *meter, const prepay_cjt188_price_table_t *table);

/**
 * @brief Schedules a price table to take effect at @p at (replacing a pending one); at or before the clock it takes effect now.
 * @param meter the meter.
 * @param table the table.
 * @param at when it takes effect (clamped to the clock if earlier).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE; as prepay_water_price_table_check().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_schedule_prices(prepay_water_meter_t *meter,
                                                  const prepay_cjt188_price_table_t *table, prepay_time_t at);

/**
 * @brief The CJ/T 188 price table (8102 / A010) that stands for a water ladder tariff.
 *
 * Tier prices become price 1..3 and the ladder's upper bounds volume 1 and 2.
 * A tariff of one tier gives three equal prices and steps 0 (one price for
 * every litre); two tiers repeat the second price and bound. The meter's
 * ladder cycle (monthly or yearly from its settlement day) is its own
 * setting, not part of the table: set it to the tariff's cycle apart.
 * @param tariff a valid water tariff (unit ::PREPAY_TARIFF_UNIT_WATER).
 * @param start_day the table's start day, 1..31 (see prepay_water_price_start()).
 * @param out the table; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); errors of prepay_tariff_price() for an
 * invalid tariff; ::PREPAY_E_WATER_TARIFF_UNSUPPORTED (electricity, several bands, several
 * ladders, per-day bounds, more than three tiers, fixed charges); ::PREPAY_E_CJT188_INEXACT
 * (a price finer than a fen per m3 or a bound finer than a m3); ::PREPAY_E_OUT_OF_RANGE (a price
 * above 9999.99, a bound above 999999 m3, or @p start_day outside 1..31).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_price_table_from_tariff(const prepay_tariff_t *tariff, uint8_t start_day,
                                                    prepay_cjt188_price_table_t *out);

/**
 * @brief When an A010 table with start day @p start_day written at @p now takes effect:
 *        00:00 of the first date on or after @p now's date whose day of month is
 *        @p start_day (the month's last day in months too short for it).
 * @param now the time of the write.
 * @param start_day 1..31.
 * @param out the instant; at or before @p now means at once.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_OUT_OF_RANGE (dates the calendar functions refuse).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_price_start(prepay_time_t now, uint8_t start_day, prepay_time_t *out);

/**
 * @brief Sets the settlement day and the ladder cycle (monthly, or yearly from a start month).
 *
 * Cycles and settlements start at 00:00 of the settlement day (the last day
 * of months too short for it). The current cycle goes on until the next
 * cycle start under the new setting.
 * @param meter the meter.
 * @param settlement_day 1..31.
 * @param cycle_month 0 for monthly cycles; 1..12 for yearly cycles starting in that month.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE; ::PREPAY_E_WATER_BAD_PARAMETER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_set_cycle(prepay_water_meter_t *meter, uint8_t settlement_day, uint8_t cycle_month);

/**
 * @brief Turns the programming switch on or off (a wildcard A018 write-address is accepted only while on).
 * @param meter the meter.
 * @param on true while on.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_set_programming(prepay_water_meter_t *meter, bool on);

/**
 * @brief Checks every member of a meter restored from storage against the domain the meter's functions keep it in.
 * @param meter the meter.
 * @param member out (may be NULL): the name of the first member out of its domain, or NULL.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL meter); ::PREPAY_E_WATER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_check_state(const prepay_water_meter_t *meter, const char **member);
/** @} */

/* ======================================================================== */
/** @name Operation
 *  @{ */
/* ======================================================================== */

/**
 * @brief Registers @p litres that passed the meter by @p now, deducts them from the purse, decides the valve.
 *
 * Time first passes to `now - 1` (cycle starts, settlement, price switch,
 * battery timers at or before it), then the litres are priced as flowing in
 * the second before @p now (the ladder position and price table in force
 * then; the same attribution as a tariff-engine interval [now - 1, now)),
 * deducted, and the valve decided; then time passes to @p now. The
 * register counts every litre measured, also with the valve commanded
 * closed (a leaking or stuck valve): such litres are counted in
 * `closed_flow` and recorded. With @p now equal to the clock, nothing but
 * the litres happens.
 * @param meter the meter.
 * @param now the time the litres had passed by, >= the clock.
 * @param litres 0..::PREPAY_WATER_MAX_STEP_LITRES.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE;
 * ::PREPAY_E_WATER_TIME_ORDER (@p now before the clock); ::PREPAY_E_OUT_OF_RANGE
 * (litres, or @p now after 2099); ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_advance(prepay_water_meter_t *meter, prepay_time_t now, prepay_energy_t litres);

/**
 * @brief prepay_water_meter_advance() with @p pulses x `pulse_coefficient` litres.
 * @param meter the meter.
 * @param now as prepay_water_meter_advance().
 * @param pulses pulses counted, >= 0.
 * @return as prepay_water_meter_advance().
 *
 * **Errors:** as prepay_water_meter_advance().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_pulses(prepay_water_meter_t *meter, prepay_time_t now, int64_t pulses);

/**
 * @brief Litres that can still flow before the purse rules close the valve (alarm close or exhausted purse).
 *
 * For a simulator that wants to stop the flow exactly when the meter
 * closes: after registering this many litres (at the current ladder
 * position and price table) the valve closes; one litre fewer keeps it
 * open. 0 if the valve is already closed. INT64_MAX when the purse cannot
 * close it (remote mode, or free water).
 * @param meter the meter.
 * @param out the litres.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_litres_until_close(const prepay_water_meter_t *meter, int64_t *out);

/**
 * @brief Credits a purchase under the purchase-serial rule and decides the valve.
 *
 * The serial is checked by prepay_cjt188_purchase_check(): the last
 * accepted serial is a replay (nothing credited, ::PREPAY_WATER_PURCHASE_REPEAT),
 * the next one is credited (refused when the balance would exceed the
 * hoarding limit), any other is refused. A refusal is recorded as
 * ::PREPAY_WATER_EVENT_PURCHASE_REFUSED. The top-up repays an overdraft
 * first (the balance is signed); a top-up that lifts the balance above the
 * close point clears ::PREPAY_WATER_HOLD_EMPTY, and above the alarm
 * threshold also the alarm close.
 * @param meter the meter (money or volume mode).
 * @param now the time (time passes to it first; an earlier time is taken as the clock).
 * @param serial the purchase serial.
 * @param amount fen (money mode) or litres (volume mode), 1..::PREPAY_WATER_MAX_AMOUNT.
 * @return ::PREPAY_OK (credited), ::PREPAY_WATER_PURCHASE_REPEAT, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE;
 * ::PREPAY_E_WATER_WRONG_MODE (remote mode); ::PREPAY_E_WATER_PURCHASE_SERIAL;
 * ::PREPAY_E_WATER_HOARDING_LIMIT; ::PREPAY_E_WATER_BAD_PARAMETER (a serial that is
 * not BCD in BCD counting).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_purchase(prepay_water_meter_t *meter, prepay_time_t now, uint8_t serial,
                                           int64_t amount);

/**
 * @brief Sets the balance (volume mode): what a Modbus write of 0008H "remaining volume" does.
 * @param meter the meter (volume mode).
 * @param now the time (time passes to it first).
 * @param litres the new balance, 0..hoarding limit (or ::PREPAY_WATER_MAX_AMOUNT without one).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE;
 * ::PREPAY_E_WATER_WRONG_MODE; ::PREPAY_E_WATER_BAD_PARAMETER (negative);
 * ::PREPAY_E_WATER_HOARDING_LIMIT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_set_balance(prepay_water_meter_t *meter, prepay_time_t now, int64_t litres);

/**
 * @brief Opens or closes the valve on request of a tenant or the station, under the valve rules.
 *
 * Close: only the station may close (::PREPAY_WATER_HOLD_REMOTE). Open:
 * clears every hold the actor may clear (tenant: alarm once, magnet and
 * power after the condition ended, low battery within the window; station:
 * the same and its own close); if a hold would remain that the actor may
 * not clear (an exhausted purse, the battery lock, a station close for the
 * tenant, a magnet or power condition still present, a low battery past
 * the window), nothing changes, the refusal is recorded
 * (::PREPAY_WATER_EVENT_OPEN_REFUSED) and ::PREPAY_E_WATER_VALVE_REFUSED
 * returned. An open with no hold in force changes nothing.
 * @param meter the meter.
 * @param now the time (time passes to it first).
 * @param actor ::PREPAY_WATER_ACTOR_TENANT or ::PREPAY_WATER_ACTOR_STATION.
 * @param open true to open, false to close.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, another actor, a tenant close);
 * ::PREPAY_E_WATER_BAD_STATE; ::PREPAY_E_WATER_VALVE_REFUSED.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_valve(prepay_water_meter_t *meter, prepay_time_t now, prepay_water_actor_t actor,
                                        bool open);

/**
 * @brief Whether prepay_water_meter_valve() would open for @p actor at the current clock (changes nothing).
 * @param meter the meter.
 * @param actor the actor.
 * @param blocking out (may be NULL): the holds that would refuse the open (0 if allowed).
 * @return ::PREPAY_OK if allowed, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE; ::PREPAY_E_WATER_VALVE_REFUSED.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_may_open(const prepay_water_meter_t *meter, prepay_water_actor_t actor,
                                           uint8_t *blocking);

/**
 * @brief Reports a physical condition starting or ending, and applies its valve rule.
 *
 * Magnet: closes and latches ::PREPAY_WATER_HOLD_MAGNET. Power down: closes
 * and latches ::PREPAY_WATER_HOLD_POWER. Low battery: starts the
 * low-battery timers (::prepay_water_valve_rules); its end clears the
 * battery holds. Valve stuck: the status word reports the valve abnormal
 * (ST bits 1..0 = 11) while it lasts. Start and end are recorded.
 * @param meter the meter.
 * @param now the time (time passes to it first).
 * @param condition a ::prepay_water_condition.
 * @param active true when it starts, false when it ends; repeating the current state does nothing.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_report(prepay_water_meter_t *meter, prepay_time_t now,
                                         prepay_water_condition_t condition, bool active);

/**
 * @brief Sets the battery voltage the meter reports (Modbus 001AH). Does not change the low-battery condition.
 * @param meter the meter.
 * @param millivolts 0..65535.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_WATER_BAD_STATE; ::PREPAY_E_WATER_BAD_PARAMETER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_set_battery_voltage(prepay_water_meter_t *meter, int32_t millivolts);

/**
 * @brief The status word ST: valve (bits 1..0: 00 open, 01 closed, 11 stuck), battery low (bit 2),
 *        and the reference meter's bits 3..10 (PREPAY_WATER_ST_*).
 * @param meter the meter (NULL gives 0).
 * @return ST, byte 0 | byte 1 << 8.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint16_t prepay_water_meter_status_word(const prepay_water_meter_t *meter);

/**
 * @brief Whether the valve is commanded open (no hold in force). A stuck valve may disagree.
 * @param meter the meter (NULL gives false).
 * @return true if open.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_water_meter_valve_open(const prepay_water_meter_t *meter);
/** @} */

/* ======================================================================== */
/** @name Meter side of the protocols
 *  @{ */
/* ======================================================================== */

/**
 * @brief Answers one CJ/T 188-2004 request frame as the meter would.
 *
 * No reply and no change for: bytes that do not decode as one frame, replies,
 * another meter type or address, vendor functions, and writes sent with
 * wildcards (except A018 while the programming switch is on). A request
 * addressed to the meter whose data is malformed, or that the meter refuses
 * (a DI it does not have, a purchase out of sequence or above the hoarding
 * limit, an open its rules forbid, a value it cannot store), gets an
 * abnormal reply with ST and changes nothing but time and the refusal
 * record (docs/water.md lists every DI and what it does). DIs are answered
 * in the byte order of the request.
 * @param meter the meter.
 * @param now the time of reception (time passes to it before a request addressed to the meter is acted on).
 * @param request the received bytes (any `FE` preamble, then one frame).
 * @param request_len bytes at @p request.
 * @param reply where the reply frame is written (no preamble).
 * @param reply_cap capacity of @p reply, at least ::PREPAY_WATER_CJT188_REPLY_MAX.
 * @return the reply length (> 0), 0 for no reply, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointers); ::PREPAY_E_WATER_BAD_STATE;
 * ::PREPAY_E_BUFFER_TOO_SMALL (@p reply_cap below ::PREPAY_WATER_CJT188_REPLY_MAX;
 * nothing was acted on).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_handle_cjt188(prepay_water_meter_t *meter, prepay_time_t now,
                                                const uint8_t *request, size_t request_len, uint8_t *reply,
                                                size_t reply_cap);

/**
 * @brief Answers one Modbus RTU request ADU as a Kaifeng Xintai valve water meter would (map `xintai-water`).
 *
 * Function 03 reads 0000H..001DH (unmapped words read 0); 06 writes 000EH
 * (unit), 001CH (valve: 1 open, 2 close, as the station) and 001DH (pulse
 * coefficient); 10H writes those and the FLOAT32 pairs 0001H (forward
 * volume), 0003H (reverse volume) and 0008H (remaining volume, volume mode
 * only). Other functions: exception 01; addresses outside the map, a
 * float's half, read-only registers, 0008H outside volume mode: exception
 * 02; values that are refused (not exact litres, out of range, above the
 * hoarding limit): exception 03; an open the valve rules refuse: exception
 * 04 (recorded). Exceptions change nothing but time and the refusal record.
 * Frames that do not decode (CRC, structure), frames for another unit and
 * broadcasts get no reply and change nothing.
 * @param meter the meter.
 * @param now the time of reception.
 * @param request the received ADU bytes.
 * @param request_len bytes at @p request.
 * @param reply where the response ADU is written.
 * @param reply_cap capacity of @p reply, at least ::PREPAY_WATER_MODBUS_REPLY_MAX.
 * @return the reply length (> 0), 0 for no reply, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointers); ::PREPAY_E_WATER_BAD_STATE;
 * ::PREPAY_E_BUFFER_TOO_SMALL (nothing was acted on).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_water_meter_handle_modbus(prepay_water_meter_t *meter, prepay_time_t now,
                                                const uint8_t *request, size_t request_len, uint8_t *reply,
                                                size_t reply_cap);
/** @} */

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_water_meter_init(...) PREPAY_CONFIG_GUARDED(prepay_water_meter_init, __VA_ARGS__)
#endif

/** @} */

#endif /* PREPAY_WATER_METER_H */
