/* SPDX-License-Identifier: MIT */
/**
 * @file meter.h
 * @ingroup prepay_meter
 * @brief Reference prepaid meter: registers, purse, relay, events, DL/T 645 meter side.
 *
 * A complete single-phase (three-phase readable) prepaid electricity meter as
 * plain caller-owned data (::prepay_meter_t) and pure functions over it:
 * freestanding, no allocation, no floating point and no clock of its own (the
 * caller moves time forward). The same code runs in Cortex-M firmware and in
 * the TCP emulator (`tools/prepay-emu`).
 *
 * - **Registers.** Forward and reverse active energy, total and per tariff
 *   index 1..::PREPAY_METER_TARIFFS, in Wh (read over DL/T 645 as XXXXXX.XX
 *   kWh, truncated to 0.01 kWh as meters display). prepay_meter_advance()
 *   integrates a load exactly in integers (watt-seconds; the sub-Wh remainder
 *   is carried in the state) and splits time at every minute boundary, so
 *   registers switch band exactly at a slot edge (slots have one-minute
 *   resolution) and at the price-set switch-over second.
 * - **Tariff tables** are not copied: the meter points to caller-owned
 *   ::prepay_tariff_t sets (prepay_meter_bind()), so many meters can share
 *   one table. Writes of prices, ladders, zone and day tables over DL/T 645
 *   change the shared table (every meter pointing to it sees the change) and
 *   are refused unless the sets were bound writable.
 * - **Cost control.** ::PREPAY_METER_MODE_LOCAL: the meter keeps the purse,
 *   prices each step through the tariff engine's streaming API
 *   (prepay_tariff_feed_interval()) and deducts the whole minor units due;
 *   prepay_wallet_decide() gives alarm level, pre-trip, cut-off and restore.
 *   ::PREPAY_METER_MODE_REMOTE: no deduction; the relay obeys station
 *   trip/close commands (function 1C) only.
 * - **Relay** state machine of the State Grid 1C commands, keep-power,
 *   overload trip, customer button.
 * - **Events**: meter-cover open, loss of voltage, loss of current, reverse
 *   phase sequence, power down, programming, clears, trips and closes, with
 *   counts and the last ::PREPAY_METER_EVENT_RECORDS records.
 * - **Frozen data**: daily (00:00) and settlement-day snapshots, instant
 *   freeze (function 16).
 * - **DL/T 645 meter side**: prepay_meter_handle() answers request frames
 *   exactly as a plain (non-ESAM) meter does; see docs/meter.md for the list
 *   of data identifiers and the password levels.
 *
 * **Recharge convention.** ESAM meters take a recharge by the
 * security-authenticated function 03 with DI 070102FF (amount, purchase
 * count, MAC, customer number). A plain meter has no ESAM; libprepay's
 * plain-meter convention (not a published standard) reuses the DI with a
 * write (function 14) protected by a level-02 password, data
 * `amount XXXXXX.XX` (4 bytes BCD, yuan) followed by `purchase count
 * NNNNNNNN` (4 bytes BCD), 8 bytes. The purchase-count rule of the ESAM
 * meters is kept: count = meter count + 1 credits the purse (refused above
 * the hoarding limit), equal count is a harmless repeat (normal reply, no
 * change, so a station retry after a lost reply is safe), any other count
 * is refused (abnormal reply, error bit 0).
 *
 * **Persistence.** The struct is plain data apart from the bound pointers
 * (tariff sets, policy, account): a caller may store it byte for byte and
 * bind the pointers again after loading. The `derived` member is a cache
 * (the sealed tariff plan, the band run, the last relay decision) that the
 * meter rebuilds when what it was built from changes; zero it after loading
 * if the tariffs may have changed while the meter was stored.
 */
#ifndef PREPAY_METER_H
#define PREPAY_METER_H

/** @addtogroup prepay_meter
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/dlt645.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/load_record.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "prepay/wallet.h"

/* ======================================================================== */
/** @name Status codes (module ::PREPAY_MODULE_METER)
 *  @{ */
/* ======================================================================== */

/** @brief The meter struct was not initialised by prepay_meter_init() (or is corrupt).
 *  prepay_strerror(): "meter: not initialised or corrupt" */
#define PREPAY_E_METER_BAD_STATE PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 1)
/** @brief Local cost control needs a tariff: none is bound, or the bound plan is invalid.
 *  prepay_strerror(): "meter: local cost control needs a valid tariff" */
#define PREPAY_E_METER_NO_TARIFF PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 2)
/** @brief The tariff uses proportional TOU x tier assignment, which a meter cannot apply step by step.
 *  prepay_strerror(): "meter: proportional TOU x tier tariffs cannot be applied by a meter" */
#define PREPAY_E_METER_TARIFF_UNSUPPORTED PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 3)
/** @brief Recharge refused: the purchase count is neither the meter's count + 1 nor equal to it.
 *  prepay_strerror(): "meter: purchase count is neither the meter's count + 1 nor equal to it" */
#define PREPAY_E_METER_PURCHASE_COUNT PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 4)
/** @brief Recharge refused: the balance would exceed the hoarding limit.
 *  prepay_strerror(): "meter: the balance would exceed the hoarding limit" */
#define PREPAY_E_METER_HOARDING_LIMIT PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 5)
/** @brief A load description is malformed (unknown kind, empty profile, zero step, NULL callback).
 *  prepay_strerror(): "meter: malformed load" */
#define PREPAY_E_METER_BAD_LOAD PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 6)
/** @brief A relay command was refused: a trip while keep-power is in force.
 *  prepay_strerror(): "meter: trip refused while keep-power is in force" */
#define PREPAY_E_METER_KEEP_POWER PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 7)
/** @brief A relay command arrived after its valid-until time.
 *  prepay_strerror(): "meter: relay command arrived after its valid-until time" */
#define PREPAY_E_METER_COMMAND_EXPIRED PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 8)
/** @brief Purse parameters are inconsistent (alarm 1 must exceed alarm 2, which must exceed 0; limits >= 0).
 *  prepay_strerror(): "meter: inconsistent purse parameters" */
#define PREPAY_E_METER_BAD_PARAMETER PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 9)
/** @brief Demand or load-record parameters out of range (period, sliding time, intervals, mode word).
 *  prepay_strerror(): "meter: demand or load-record parameter out of range" */
#define PREPAY_E_METER_BAD_PROFILE PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 12)
/** @brief A day table of the tariff has more than ::PREPAY_METER_MAX_DAY_SLOTS slots, more than a DL/T 645 meter holds.
 *  prepay_strerror(): "meter: a day table has more than 14 time slots (DL/T 645-2007 04000203)" */
#define PREPAY_E_METER_DAY_SLOTS PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 10)
/** @brief A time sync would move the clock further than the meter's limit (prepay_meter_set_time_sync_limit()).
 *  prepay_strerror(): "meter: time sync refused: it would move the clock further than the meter's limit" */
#define PREPAY_E_METER_TIME_SYNC_REFUSED PREPAY_STATUS_MAKE(PREPAY_MODULE_METER, 11)
/** @} */

/* ======================================================================== */
/** @name Constants
 *  @{ */
/* ======================================================================== */

/** @brief Return value of prepay_meter_recharge() for a repeated recharge (count equal to the meter's). */
#define PREPAY_METER_RECHARGE_REPEAT 1
/** @brief DI of the plain-meter recharge write (libprepay convention; DI taken from the ESAM recharge 070102FF). */
#define PREPAY_METER_DI_RECHARGE 0x070102FFu
/** @brief Bytes of the recharge write data: amount XXXXXX.XX (4 BCD) + purchase count (4 BCD). */
#define PREPAY_METER_RECHARGE_DATA_SIZE 8u
/** @brief Password levels the meter keeps (DL/T 645-2007 04000C01..04000C0A: levels 0..9). */
#define PREPAY_METER_PASSWORD_LEVELS 10u
/**
 * @brief Phases of the instantaneous quantities: A, B, C, or A only in a single-phase build
 * (::PREPAY_EVENTS_PHASES 1), whose reads of phases B and C get "no requested data".
 */
#define PREPAY_METER_PHASES (PREPAY_EVENTS_PHASES + 0u)
/**
 * @brief Most time slots a meter's day table holds (DL/T 645-2007 04000203: 14).
 *
 * ::PREPAY_MAX_DAY_SLOTS may be larger on a server (hourly schedules); the
 * meter refuses such tariffs (prepay_meter_bind(): ::PREPAY_E_METER_DAY_SLOTS)
 * and day-table writes of more slots (DL/T 645 error bit 5, day slots).
 */
#define PREPAY_METER_MAX_DAY_SLOTS 14u
/** @} */

/** @brief Cost-control mode. */
typedef enum prepay_meter_mode {
    PREPAY_METER_MODE_LOCAL = 0, /**< local cost control (本地费控): the meter deducts and decides */
    PREPAY_METER_MODE_REMOTE = 1 /**< remote cost control (远程费控): the station decides; the meter obeys 1C */
} prepay_meter_mode_t;

/** @brief Event kinds with counts and records (DL/T 645-2007 A.4 and State Grid extensions). */
typedef enum prepay_meter_event {
    PREPAY_METER_EVENT_COVER_OPEN = 0,      /**< meter cover opened (03300D00 count, 03300D0n records) */
    PREPAY_METER_EVENT_LOSS_OF_VOLTAGE = 1, /**< loss of voltage, phase A (10000001 count, 1001010n/1001250n) */
    PREPAY_METER_EVENT_LOSS_OF_CURRENT = 2, /**< loss of current, phase A (18000001 count, 1801010n/1801210n) */
    PREPAY_METER_EVENT_REVERSE_PHASE = 3,   /**< voltage reverse phase sequence (14000001 count, 1400010n) */
    PREPAY_METER_EVENT_POWER_DOWN = 4,      /**< power down (03110000 count, 0311000n records) */
    PREPAY_METER_EVENT_PROGRAMMING = 5,     /**< a successful write (03300000 count, 0330000n records) */
    PREPAY_METER_EVENT_CLEAR_METER = 6,     /**< meter clear, function 1A (03300100 count) */
    PREPAY_METER_EVENT_CLEAR_EVENTS = 7,    /**< event clear, function 1B (03300300 count) */
    PREPAY_METER_EVENT_CLEAR_DEMAND = 8,    /**< demand clear, function 19 (03300200 count) */
    PREPAY_METER_EVENT_TRIP = 9,            /**< relay opened (1D000001 count, 1D00010n time, 1D00020n operator) */
    PREPAY_METER_EVENT_CLOSE = 10,          /**< relay closed (1E000001 count, 1E00010n time, 1E00020n operator) */
    /** A broadcast time sync refused because it would move the clock further than the limit
     *  (libprepay extension, no DL/T 645 item). Record: `start` the meter clock, `end` the time
     *  asked for; consecutive refusals share one record (the count still counts each). */
    PREPAY_METER_EVENT_TIME_SYNC_REFUSED = 11,
    PREPAY_METER_EVENT_COUNT = 12           /**< number of kinds (not a kind) */
} prepay_meter_event_t;

/** @brief Physical conditions the caller reports (each starts and ends an event). */
typedef enum prepay_meter_condition {
    PREPAY_METER_CONDITION_COVER_OPEN = 0,      /**< the meter cover is open */
    PREPAY_METER_CONDITION_LOSS_OF_VOLTAGE = 1, /**< phase voltage lost while current flows */
    PREPAY_METER_CONDITION_LOSS_OF_CURRENT = 2, /**< phase current lost while others flow */
    PREPAY_METER_CONDITION_REVERSE_PHASE = 3,   /**< voltage phase sequence reversed */
    PREPAY_METER_CONDITION_POWER_DOWN = 4,      /**< the meter lost its supply */
    PREPAY_METER_CONDITION_COUNT = 5            /**< number of conditions (not a condition) */
} prepay_meter_condition_t;

/** @brief Relay flag: the relay is open (supply off). */
#define PREPAY_METER_RELAY_OPEN 0x01u
/** @brief Relay flag: a station trip (1C 1A) is in force. */
#define PREPAY_METER_RELAY_REMOTE_TRIP 0x02u
/** @brief Relay flag: close allowed (1C 1B) received; waiting for the customer's button. */
#define PREPAY_METER_RELAY_CLOSE_PENDING 0x04u
/** @brief Relay flag: keep-power (1C 3A) in force; trips are blocked. */
#define PREPAY_METER_RELAY_KEEP_POWER 0x08u
/** @brief Relay flag: station alarm (1C 2A) in force. */
#define PREPAY_METER_RELAY_ALARM 0x10u
/** @brief Relay flag: overload trip latched (active power above the limit for the configured time). */
#define PREPAY_METER_RELAY_OVERLOAD 0x20u
/** @brief Relay flag: the customer pressed the button since the last decision (acknowledges a pre-trip). */
#define PREPAY_METER_RELAY_BUTTON 0x40u

/** @brief Kinds of load for prepay_meter_advance(). */
typedef enum prepay_meter_load_kind {
    PREPAY_METER_LOAD_CONSTANT = 0, /**< `watts` all the time */
    PREPAY_METER_LOAD_PROFILE = 1,  /**< `profile[i]` watts for step i of `step` seconds from `start`, repeating */
    PREPAY_METER_LOAD_CALLBACK = 2  /**< `callback(context, t)` watts, held for `step` seconds from t */
} prepay_meter_load_kind_t;

/**
 * @brief A load: active power drawn by the customer (positive: forward/import; negative: reverse/export).
 *
 * Power is in whole watts; the load only flows while the relay is closed.
 */
typedef struct prepay_meter_load {
    prepay_meter_load_kind_t kind;   /**< how power is given */
    int32_t watts;                   /**< CONSTANT: the power */
    const int32_t *profile;          /**< PROFILE: powers, one per step */
    size_t profile_len;              /**< PROFILE: entries, >= 1 */
    prepay_time_t start;             /**< PROFILE: time of profile[0] (repeats every profile_len steps, before too) */
    uint32_t step;                   /**< PROFILE and CALLBACK: seconds each value holds, >= 1 */
    int32_t (*callback)(void *context, prepay_time_t at); /**< CALLBACK: power from @p at for `step` seconds */
    void *context;                   /**< CALLBACK: passed to callback */
} prepay_meter_load_t;

/** @brief Instantaneous quantities (DL/T 645-2007 A.3 units). */
typedef struct prepay_meter_instant {
    uint16_t voltage[PREPAY_METER_PHASES];     /**< 0.1 V (0201xx00, XXX.X) */
    int32_t current[PREPAY_METER_PHASES];      /**< mA (0202xx00, XXX.XXX A, signed) */
    int32_t power[PREPAY_METER_PHASES + 1];    /**< 0.1 W: [0] total, [1..::PREPAY_METER_PHASES] A..C (0203xx00, XX.XXXX kW) */
    int16_t power_factor[PREPAY_METER_PHASES + 1]; /**< 0.001: [0] total, [1..3] A..C (020600xx, X.XXX) */
    uint16_t frequency;                        /**< 0.01 Hz (02800002) */
    int32_t reactive[PREPAY_METER_PHASES + 1]; /**< 0.1 var: [0] total, [1..3] A..C (0204xx00, XX.XXXX kvar) */
    int32_t apparent[PREPAY_METER_PHASES + 1]; /**< 0.1 VA: [0] total, [1..3] A..C (0205xx00, XX.XXXX kVA) */
} prepay_meter_instant_t;

/** @brief One event record. */
typedef struct prepay_meter_record {
    prepay_record_time_t start; /**< start (or the instant) */
    prepay_record_time_t end;   /**< end; 0 while the condition lasts or for instant events */
    uint32_t detail;     /**< operator code C0..C3 (little-endian) or programmed DI */
    uint8_t kind;        /**< ::prepay_meter_event */
    uint8_t used;        /**< 1 if the slot holds a record */
} prepay_meter_record_t;

/** @brief A frozen snapshot of the energy registers (0.01 kWh, as read). */
typedef struct prepay_meter_frozen {
    prepay_record_time_t time;                       /**< when frozen; 0 = empty */
    uint32_t forward[PREPAY_METER_TARIFFS + 1];      /**< forward active total and tariffs 1..n, 0.01 kWh */
    uint32_t reverse[PREPAY_METER_TARIFFS + 1];      /**< reverse active total and tariffs 1..n, 0.01 kWh */
} prepay_meter_frozen_t;

/** @brief The purse and its parameters (money in minor units, fen). */
typedef struct prepay_meter_purse {
    prepay_money_t balance;              /**< remaining (> 0) or minus the overdraft (< 0) */
    prepay_money_t purchase_total;       /**< cumulative purchased amount */
    prepay_money_t alarm1;               /**< alarm amount 1 (04001001) */
    prepay_money_t alarm2;               /**< alarm amount 2 (04001002), pre-trip */
    prepay_money_t overdraft_limit;      /**< overdraft limit (04001003); cut-off at -limit */
    prepay_money_t hoarding_limit;       /**< maximum balance after a recharge (04001004); 0 = none */
    prepay_money_t close_allowed;        /**< after a cut-off, restore only above this (04001005) */
    prepay_money_t last_amount;          /**< amount of the last purchase */
    prepay_money_t last_before;          /**< balance before the last purchase */
    prepay_record_time_t last_time;      /**< time of the last purchase; 0 = none */
    uint32_t purchase_count;             /**< purchases accepted */
} prepay_meter_purse_t;

/** @brief A maximum demand and when it occurred (DL/T 645-2007 A.2: XX.XXXX kW + YYMMDDhhmm). */
typedef struct prepay_meter_max_demand {
    int32_t value;   /**< 0.1 W */
    uint32_t minute; /**< end of the window that set it, in minutes since 2000-01-01 00:00 (time / 60); 0 = none */
} prepay_meter_max_demand_t;

/** @brief Maximum-demand registers of one period (current or a settlement): forward and reverse active. */
typedef struct prepay_meter_demand_registers {
    prepay_meter_max_demand_t forward[PREPAY_METER_TARIFFS + 1]; /**< [0] total (0101 00 pp), [i] tariff i (0101 ii pp) */
    prepay_meter_max_demand_t reverse[PREPAY_METER_TARIFFS + 1]; /**< [0] total (0102 00 pp), [i] tariff i */
} prepay_meter_demand_registers_t;

/**
 * @brief Sliding-window maximum demand (DL/T 645-2007 04000103 period, 04000104 sliding time).
 *
 * The meter adds the energy of each whole minute to a ring. After
 * power-up, a demand clear, a parameter write or a clock jump it waits for
 * the next whole minute and counts minutes from there. When at least
 * `period` minutes are counted and the count is a multiple of `slide`, the
 * demand is the energy of the last `period` minutes over their length (in
 * 0.1 W, truncated); it is the current demand (02800004), and the total
 * maximum if higher. The tariff maximum of the band in force uses a second
 * count that restarts whenever the band changes, so it only ever sees
 * windows wholly inside its band. Settlement freezes the maxima (0101xx01)
 * and starts them again.
 */
typedef struct prepay_meter_demand {
    uint8_t period;                   /**< demand period, minutes (04000103), slide..::PREPAY_METER_DEMAND_MINUTES */
    uint8_t slide;                    /**< sliding time, minutes (04000104), 1..period */
    uint8_t head;                     /**< slot of the next minute in the rings */
    uint8_t band;                     /**< band of the band count (0 none) */
    uint16_t minutes;                 /**< whole minutes counted since the last restart (saturates) */
    uint16_t band_minutes;            /**< whole minutes counted in `band` since it last changed (saturates) */
    prepay_time_t minute_start;       /**< start of the minute being measured; 0: waiting for the next whole minute */
    int64_t forward_ws;               /**< forward W.s of the minute being measured */
    int64_t reverse_ws;               /**< reverse W.s of the minute being measured */
    int64_t forward_sum;              /**< forward W.s of the last `period` minutes in the ring */
    int64_t reverse_sum;              /**< reverse W.s of the last `period` minutes in the ring */
    uint32_t forward_ring[PREPAY_METER_DEMAND_MINUTES]; /**< forward W.s per minute (clamped at UINT32_MAX) */
    uint32_t reverse_ring[PREPAY_METER_DEMAND_MINUTES]; /**< reverse W.s per minute */
    int32_t current;                  /**< current active demand (02800004), 0.1 W: forward, or minus reverse */
    prepay_meter_demand_registers_t max;                           /**< since the last settlement or clear */
    prepay_meter_demand_registers_t settled[PREPAY_METER_SETTLEMENTS]; /**< at settlements, [0] the most recent */
} prepay_meter_demand_t;

/**
 * @brief Caller-owned storage of a meter's load records (a ring; the oldest is overwritten).
 *
 * Prepare with prepay_meter_load_ring_init(), attach with
 * prepay_meter_attach_load_ring(). Plain data around the caller's array.
 */
typedef struct prepay_meter_load_ring {
    prepay_load_record_t *records; /**< caller array of `capacity` records */
    size_t capacity;               /**< records it holds */
    size_t first;                  /**< index of the oldest record */
    size_t count;                  /**< records held */
    /** private: the meter's entry points into the load-record code, set by
     *  prepay_meter_load_ring_init() and prepay_meter_attach_load_ring() (reached through this
     *  table, a firmware that never uses a ring does not link the recording and the read answers). */
    const struct prepay__meter_ring_ops *ops;
} prepay_meter_load_ring_t;

/**
 * @brief Load-record parameters (DL/T 645-2007 04000901, 04000A01..07) and the state of a follow-up read.
 *
 * Class k (1..6) is recorded when bit k - 1 of `mode` is set, at the
 * instants `start + n x interval[k - 1]` minutes (n >= 0); one record holds
 * every class due at its instant. Nothing is recorded while the meter is
 * powered down (::PREPAY_METER_CONDITION_POWER_DOWN), in a clock jump, or
 * when no ring is attached: the curve has a gap there.
 */
typedef struct prepay_meter_load_profile {
    uint8_t mode;             /**< 04000901: bit k - 1 records class k (default 0x3F, all six) */
    uint16_t interval[PREPAY_LOAD_RECORD_CLASSES]; /**< 04000A02..07: minutes between records of class k, 1..1440 (default 15) */
    prepay_time_t start;      /**< 04000A01: first record instant (MMDDhhmm in the clock's year when written) */
    prepay_time_t last;       /**< time of the newest record written (records only move forward) */
    uint32_t read_di;         /**< the load-record read being answered in frames (0: none) */
    uint8_t read_count;       /**< its N */
    uint8_t read_seq;         /**< SEQ the next follow-up request must carry */
    prepay_time_t read_from;  /**< time of its first record */
    uint32_t read_offset;     /**< bytes of its data already sent */
} prepay_meter_load_profile_t;

/**
 * @brief What a meter derives to skip repeated work. Private: a cache, never needed for a correct result.
 *
 * The plan is the bound sets and price switch-over time, sealed with
 * prepay_tariff_plan_seal() and rebuilt whenever they (or a set's revision)
 * change; the band run comes from prepay_tariff_next_change() on that plan;
 * the decision fields let the meter skip a relay decision that cannot come out
 * differently (built-in policy, same inputs, balance still inside the range
 * where level and cut-off stay).
 */
typedef struct prepay_meter_derived {
    prepay_tariff_plan_t plan;      /**< private: sealed plan of the bound sets */
    prepay_time_t band_from;        /**< private: `band` is in force on [band_from, band_until) */
    prepay_time_t band_until;       /**< private: end of the band run */
    prepay_money_t decided_balance; /**< private: balance at the last relay decision */
    prepay_money_t decided_floor;   /**< private: the decision holds for balances in (floor, decided_balance] */
#if PREPAY_METER_DECISION_PURSE
    prepay_money_t decided_purse[4]; /**< private: alarm1, alarm2, overdraft limit, close-allowed it used */
#endif /* absent with PREPAY_METER_DECISION_PURSE 0: limit writes forget the decision instead */
    uint8_t band;                   /**< private: band of the run (0: none) */
    uint8_t decided;                /**< private: 1 if the decided_* fields describe the last decision */
    uint8_t decided_relay;          /**< private: relay flags after it */
    uint8_t decided_level;          /**< private: alarm level after it */
    prepay_wallet_state_t decided_wallet; /**< private: wallet state after it */
    uint32_t steps;                 /**< private: steps the last prepay_meter_advance() took (a run of
                                         whole minutes with nothing due inside is one step) */
} prepay_meter_derived_t;

/**
 * @brief One meter: caller-owned, size fixed at compile time (see sizeof in bench/bench_meter.c).
 *
 * Read members freely; change them only through the functions here.
 */
typedef struct prepay_meter {
    uint32_t magic;                       /**< private: set by prepay_meter_init() */
    prepay_dlt645_address_t address;      /**< communication address (04000401) */
    uint8_t mode;                         /**< ::prepay_meter_mode */
    uint8_t relay;                        /**< PREPAY_METER_RELAY_* flags */
    uint8_t alarm_level;                  /**< wallet alarm level (0 none, 1 alarm 1, 2 pre-trip, 3 zero or below) */
    uint8_t programming_key;              /**< 1 while the programming key is pressed (write address allowed) */
    uint8_t password_failures_today;      /**< wrong passwords on @ref password_failure_day */
    uint8_t baud_feature;                 /**< communication rate feature word (function 17) */
    prepay_wallet_state_t wallet;         /**< wallet policy state */
    uint8_t passwords[PREPAY_METER_PASSWORD_LEVELS][3]; /**< P0 P1 P2 per level (04000C01..0A) */
    uint8_t settlement_day;               /**< settlement day of month 1..28 (04000B01 DD) */
    uint8_t settlement_hour;              /**< settlement hour 0..23 (04000B01 hh) */
    uint8_t freeze_pattern[4];            /**< timed freeze mm hh DD MM (99 = any), function 16 */
    prepay_days_t password_failure_day;   /**< day of the failures counted today */
    uint32_t password_failures;           /**< wrong passwords since init (never reset) */
    uint32_t last_operator;               /**< operator code of the last relay command (C0..C3 little-endian) */
    int32_t power_limit;                  /**< overload limit in W (0 = none) */
    uint32_t power_limit_seconds;         /**< seconds above the limit before the overload trip */
    prepay_time_t clock;                  /**< meter clock, local seconds since 2000 */
    prepay_time_t overload_since;         /**< start of the current run above the limit, or -1 */
    prepay_time_t switch_time[4];         /**< 04000106..09: zones, day tables, prices, ladders */
    const prepay_tariff_t *sets[PREPAY_TARIFF_PRICE_SETS]; /**< bound tariff sets (caller-owned) */
    prepay_tariff_t *writable[PREPAY_TARIFF_PRICE_SETS];   /**< the same sets if bound writable, else NULL */
    const prepay_wallet_policy_t *policy; /**< base wallet policy (caller-owned), or NULL for the default */
    const prepay_tariff_account_t *account; /**< tier account (caller-owned), or NULL */
    prepay_tariff_compact_state_t tariff_state; /**< streaming pricing state (a meter refuses proportional tariffs) */
    prepay_energy_t unpriced;             /**< Wh waiting for the clock to pass the priced position (clock set back) */
    prepay_energy_t forward[PREPAY_METER_TARIFFS + 1]; /**< forward active Wh: [0] total, [i] tariff i */
    prepay_energy_t reverse[PREPAY_METER_TARIFFS + 1]; /**< reverse active Wh: [0] total, [i] tariff i */
    int64_t forward_remainder;            /**< watt-seconds not yet a whole Wh (0..3599) */
    int64_t reverse_remainder;            /**< watt-seconds not yet a whole Wh (0..3599) */
    prepay_meter_instant_t instant;       /**< instantaneous quantities */
    prepay_meter_purse_t purse;           /**< purse and purse parameters */
    uint32_t event_counts[PREPAY_METER_EVENT_COUNT]; /**< count per ::prepay_meter_event */
    uint8_t conditions;                   /**< bit c: condition c in force */
    uint8_t record_next;                  /**< next slot of @ref records */
    prepay_meter_record_t records[PREPAY_METER_EVENT_RECORDS]; /**< last records, all kinds */
    prepay_meter_frozen_t daily[PREPAY_METER_FROZEN_DAYS];     /**< [0] most recent daily freeze */
    prepay_meter_frozen_t settlement[PREPAY_METER_SETTLEMENTS]; /**< [0] most recent settlement */
    prepay_meter_frozen_t instant_freeze; /**< last freeze by command (function 16) */
    /** Largest clock correction (s) one broadcast time sync may make, >= 0; 0 = any. Set by
     *  prepay_meter_set_time_sync_limit(); ::PREPAY_METER_TIME_SYNC_LIMIT after init. With
     *  ::PREPAY_RECORD_TIME32 32 bits: a larger limit is kept as UINT32_MAX, which refuses no
     *  correction between two times of 2000..2099 either. */
#if PREPAY_RECORD_TIME32
    uint32_t time_sync_limit;
#else
    int64_t time_sync_limit;
#endif
#if PREPAY_METER_DEMAND
    prepay_meter_demand_t demand;         /**< maximum demand (04000103/04, 01xxxxxx) */ /* absent with PREPAY_METER_DEMAND 0 */
#endif
#if PREPAY_METER_LOAD_RECORDS
    prepay_meter_load_profile_t load_profile; /**< load-record parameters and follow-up read (04000901, 04000A0x, 06xxxxxx) */
    prepay_meter_load_ring_t *load_ring;  /**< caller-owned load records (prepay_meter_attach_load_ring()), or NULL */
#endif /* both absent with PREPAY_METER_LOAD_RECORDS 0 */
    /** Caller-owned event judgement, load control and voltage statistics
     *  (prepay_meter_attach_supervision(), meter_supervision.h), or NULL. */
    struct prepay_meter_supervision *supervision;
    prepay_meter_derived_t derived;       /**< private: cache (see ::prepay_meter_derived_t) */
} prepay_meter_t;

PREPAY_BEGIN_DECLS

/* ======================================================================== */
/** @name Set-up
 *  @{ */
/* ======================================================================== */

/**
 * @brief Initialises a meter: zero registers, empty purse, relay closed, local mode, no tariff bound.
 *
 * Defaults: passwords of every level 000000, alarm 1 = 20.00, alarm 2 =
 * 10.00 yuan, no overdraft, no hoarding limit, close-allowed 0, settlement
 * day 1 at 00:00, 2400 bit/s, no power limit, switch-over times far in the
 * future.
 * @param meter the meter.
 * @param address its communication address (12 BCD digits, no wildcard, not broadcast).
 * @param clock the initial clock (2000..2099).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, or a bad address);
 * ::PREPAY_E_OUT_OF_RANGE (clock outside 2000..2099).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_init(prepay_meter_t *meter, const prepay_dlt645_address_t *address, prepay_time_t clock);

/**
 * @brief Binds the tariff sets (and optionally a wallet policy and account); resets the pricing state.
 *
 * Set B (may be NULL) takes effect at the price switch-over time
 * (04000108, prepay_meter_t::switch_time[2]). With @p writable the meter may
 * change the sets when a station writes prices, ladders or tables; they are
 * shared by every meter bound to them.
 * @param meter an initialised meter.
 * @param set_a the set in force (must stay valid while bound).
 * @param set_b the pending set, or NULL.
 * @param writable allow DL/T 645 writes to change the sets (then the pointers must point to writable memory).
 * @param policy base wallet policy (windows, holidays, hysteresis...), or NULL for prepay_wallet_policy_default();
 *        thresholds, overdraft and close-allowed amounts come from the purse.
 * @param account tier account, or NULL.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL meter or set A);
 * ::PREPAY_E_METER_BAD_STATE; errors of prepay_tariff_plan_validate();
 * ::PREPAY_E_METER_TARIFF_UNSUPPORTED (proportional tier mode);
 * ::PREPAY_E_METER_DAY_SLOTS (a day table of either set has more than
 * ::PREPAY_METER_MAX_DAY_SLOTS slots); errors of prepay_wallet_policy_check().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_bind(prepay_meter_t *meter, const prepay_tariff_t *set_a, const prepay_tariff_t *set_b,
                                 bool writable, const prepay_wallet_policy_t *policy,
                                 const prepay_tariff_account_t *account);

/**
 * @brief Binds sealed tariff pages read-only: prepay_meter_bind() with the pages' seals checked instead of
 * the sets validated.
 *
 * For a firmware whose tariff is a const page in flash that its programming
 * tool validated and sealed (prepay_tariff_page_seal(), built with the
 * meter's configuration): binding checks each page's seal
 * (prepay_tariff_page_check(), O(size)) and the two sets' compatibility,
 * and never runs the tariff validator, so with ::PREPAY_METER_TARIFF_SEALED 1
 * a firmware that binds only pages links none (docs/firmware.md). The sets
 * are bound as with @p writable false. An unsealed, damaged or foreign page
 * is refused and nothing changes.
 * @param meter an initialised meter.
 * @param page_a the page of the set in force (must stay valid while bound).
 * @param page_b the page of the pending set, or NULL.
 * @param policy base wallet policy, or NULL (as for prepay_meter_bind()).
 * @param account tier account, or NULL.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL meter or page A);
 * ::PREPAY_E_METER_BAD_STATE; ::PREPAY_E_TARIFF_NOT_SEALED,
 * ::PREPAY_E_CONFIG_MISMATCH, ::PREPAY_E_TARIFF_SEAL_BROKEN (errors of
 * prepay_tariff_page_check()); ::PREPAY_E_TARIFF_SWITCH_MISMATCH (the sets
 * are incompatible); ::PREPAY_E_METER_TARIFF_UNSUPPORTED;
 * ::PREPAY_E_METER_DAY_SLOTS; errors of prepay_wallet_policy_check().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_bind_page(prepay_meter_t *meter, const prepay_tariff_page_t *page_a,
                                      const prepay_tariff_page_t *page_b, const prepay_wallet_policy_t *policy,
                                      const prepay_tariff_account_t *account);

/**
 * @brief Sets the cost-control mode (local or remote) and decides the relay again.
 * @param meter the meter.
 * @param mode ::PREPAY_METER_MODE_LOCAL or ::PREPAY_METER_MODE_REMOTE.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE;
 * ::PREPAY_E_METER_NO_TARIFF (local mode without a tariff).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_mode(prepay_meter_t *meter, prepay_meter_mode_t mode);

/**
 * @brief Sets the purse parameters (the same checks as their DL/T 645 writes).
 * @param meter the meter.
 * @param alarm1 alarm amount 1, > @p alarm2.
 * @param alarm2 alarm amount 2, > 0.
 * @param overdraft_limit >= 0.
 * @param hoarding_limit >= 0 (0 = none).
 * @param close_allowed >= 0.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE;
 * ::PREPAY_E_METER_BAD_PARAMETER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_purse_parameters(prepay_meter_t *meter, prepay_money_t alarm1, prepay_money_t alarm2,
                                                 prepay_money_t overdraft_limit, prepay_money_t hoarding_limit,
                                                 prepay_money_t close_allowed);

/**
 * @brief Sets the overload limit: the relay trips after @p seconds continuously above @p watts.
 * @param meter the meter.
 * @param watts the limit (0 = none), >= 0.
 * @param seconds time above the limit before the trip.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_power_limit(prepay_meter_t *meter, int32_t watts, uint32_t seconds);

/**
 * @brief Sets how far one broadcast time sync may move the clock (policy as data).
 *
 * A time sync (function 08) asking for a time more than @p seconds away
 * from the meter clock, either way, is refused: the clock is kept and a
 * ::PREPAY_METER_EVENT_TIME_SYNC_REFUSED event is recorded. This guards
 * against a master that sends a plausible but wrong time (bytes in the
 * wrong order, a wrong year) and would otherwise move the meter years away
 * in one frame. The default after prepay_meter_init() is
 * ::PREPAY_METER_TIME_SYNC_LIMIT (300 s: State Grid practice allows
 * +-5 minutes per correction).
 * @param meter the meter.
 * @param seconds the limit in seconds, >= 0; 0 accepts any correction (with ::PREPAY_RECORD_TIME32
 *        a limit above UINT32_MAX is kept as UINT32_MAX: the same answers, as no correction within
 *        2000..2099 reaches it).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL meter or a negative limit); ::PREPAY_E_METER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_time_sync_limit(prepay_meter_t *meter, int64_t seconds);

/**
 * @brief Says whether the meter would apply a broadcast time sync to @p t (changes nothing).
 *
 * The same rule prepay_meter_handle() applies to a time-sync frame: the
 * emulator asks it before simulating the time up to a sync, so that a sync
 * the meter refuses moves nothing.
 * @param meter the meter.
 * @param t the time the sync carries.
 * @return ::PREPAY_OK if it would be applied, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_METER_BAD_STATE;
 * ::PREPAY_E_OUT_OF_RANGE (@p t outside 2000..2099, which DL/T 645 cannot carry);
 * ::PREPAY_E_METER_TIME_SYNC_REFUSED (further from the clock than the limit).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_check_time_sync(const prepay_meter_t *meter, prepay_time_t t);

/**
 * @brief Checks every plain-data member of a meter restored from storage (flash, a state file).
 *
 * A stored meter may be damaged or forged: before it is trusted, each
 * member must lie in the domain the meter's own functions keep it in
 * (mode, relay flags, alarm level, settlement day, freeze pattern, clock
 * and switch-over times within 2000..2099, purse parameters as
 * prepay_meter_set_purse_parameters() requires, energy registers that are
 * non-negative with bands adding up to at most the total, remainders below
 * 1 Wh, event records of known kinds, the tariff streaming state as
 * prepay_tariff_state_check() requires). The bound pointers are the
 * caller's and are not checked; bind them again after loading.
 * @param meter the meter.
 * @param member out (may be NULL): the name of the first member found out of its domain, or NULL.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL meter); ::PREPAY_E_METER_BAD_STATE (a member out of its domain).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_check_state(const prepay_meter_t *meter, const char **member);

/**
 * @brief Sets the password of a level (local operation, as by the factory).
 * @param meter the meter.
 * @param level 0..9.
 * @param password P0 P1 P2 in wire order.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_password(prepay_meter_t *meter, unsigned level, const uint8_t password[3]);
/** @} */

/* ======================================================================== */
/** @name Operation
 *  @{ */
/* ======================================================================== */

/**
 * @brief Runs the meter for @p seconds under @p load: registers, purse, relay, events, freezes.
 *
 * Time is cut into steps at every minute boundary, at the price-set
 * switch-over and at load steps; each step's energy (W x s, exact, the
 * sub-Wh remainder carried) goes to the total and to the register of the
 * band in force (prepay_tariff_next_change(), looked up once per band run);
 * in local mode the step is priced by prepay_tariff_compact_feed_interval()
 * on the sealed plan of the bound sets and the due minor units are deducted,
 * then prepay_wallet_decide() sets the relay (skipped when it cannot decide
 * otherwise). No energy flows while the
 * relay is open. Daily (00:00), settlement-day and timed freezes happen at
 * their minute.
 * @param meter the meter.
 * @param seconds how long, >= 0.
 * @param load the load (NULL: no load).
 * @return ::PREPAY_OK, or an error. On error the meter holds the state of
 *         the last completed step (time up to that step has passed).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE;
 * ::PREPAY_E_METER_BAD_LOAD; ::PREPAY_E_METER_NO_TARIFF; ::PREPAY_E_OVERFLOW;
 * errors of prepay_tariff_feed_interval() and prepay_wallet_decide().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_advance(prepay_meter_t *meter, int64_t seconds, const prepay_meter_load_t *load);

/**
 * @brief Whether a long prepay_meter_advance() of this meter under this load jumps: its cost then
 * does not grow with the span (docs/meter.md, "Long advances").
 *
 * A meter without supervision, without a timed freeze, powered, whose load repeats every day (a
 * constant power, none, a profile whose period divides a day, or any load behind an open relay)
 * within its power limit jumps in remote mode, and in local mode while its relay decision holds
 * (a wallet policy without time windows, nothing left unpriced) and no demand price applies. The
 * energy registers are brought to a midnight months before the end in closed form, and the last
 * months are simulated run by run, which rewrites every freeze, demand maximum and load record,
 * so the result is the one minute-by-minute calls give. An advance of years then costs about the
 * same as one of a few months. A local meter drawing power pays for whole days of one tariff cycle
 * and tier at once and stops before a tier bound, the cycle's end and the balance at which its
 * relay decision would change, which the runs then locate: O(tariff cycles + tier crossings)
 * steps. Other meters take O(band runs + days) steps (supervision and timed freezes need every
 * minute). Always false when the library is built with ::PREPAY_METER_JUMP 0.
 * @param meter the meter (NULL or a damaged meter: false).
 * @param load the load that will be passed to prepay_meter_advance(), or NULL.
 * @return true if a long advance jumps.
 */
PREPAY_API bool prepay_meter_jumps(const prepay_meter_t *meter, const prepay_meter_load_t *load);

/**
 * @brief Credits a purchase with the purchase-count rule (what the recharge write does).
 * @param meter the meter.
 * @param now the meter clock (the clock is moved forward to it if later).
 * @param amount minor units, > 0.
 * @param count the purchase count carried by the recharge.
 * @return ::PREPAY_OK (credited), ::PREPAY_METER_RECHARGE_REPEAT (count equal: nothing changed), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE;
 * ::PREPAY_E_METER_PURCHASE_COUNT; ::PREPAY_E_METER_HOARDING_LIMIT;
 * ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_recharge(prepay_meter_t *meter, prepay_time_t now, prepay_money_t amount, uint32_t count);

/**
 * @brief The customer presses the button: closes after "close allowed", acknowledges a pre-trip, resets an overload trip.
 * @param meter the meter.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE; errors of prepay_wallet_decide().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_press_button(prepay_meter_t *meter);

/**
 * @brief Presses or releases the programming key (needed to write the address).
 * @param meter the meter.
 * @param pressed true while pressed.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_programming_key(prepay_meter_t *meter, bool pressed);

/**
 * @brief Reports a physical condition starting or ending (records the event at the meter clock).
 * @param meter the meter.
 * @param condition ::prepay_meter_condition.
 * @param active true when it starts, false when it ends; a repeat of the current state does nothing.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_report(prepay_meter_t *meter, prepay_meter_condition_t condition, bool active);

/**
 * @brief Sets the instantaneous quantities (voltage, current, power factor...). Active power is also set by advance.
 * @param meter the meter.
 * @param instant the quantities.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_instant(prepay_meter_t *meter, const prepay_meter_instant_t *instant);

/**
 * @brief Applies a relay command (what a 1C frame does after its password check).
 * @param meter the meter.
 * @param now the meter clock (moved forward to it if later).
 * @param command N1, a `PREPAY_DLT645_RELAY_*` value.
 * @param valid_until the command is refused once the clock has passed it.
 * @param operator_code C0..C3 as a little-endian number (recorded with trips and closes).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * Trip (1A) sets a remote trip (refused under keep-power); close allowed
 * (1B) turns a remote trip into "close pending" (the relay closes when the
 * customer presses the button; ignored with no trip in force); direct close
 * (1C) clears the remote trip and an overload latch; alarm (2A) and alarm
 * release (2B) set and clear the station alarm; keep power (3A) clears a
 * remote trip and blocks trips until keep-power release (3B).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE;
 * ::PREPAY_E_DLT645_BAD_RELAY_COMMAND; ::PREPAY_E_METER_COMMAND_EXPIRED;
 * ::PREPAY_E_METER_KEEP_POWER; errors of prepay_wallet_decide().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_relay_command(prepay_meter_t *meter, prepay_time_t now, uint8_t command,
                                          prepay_time_t valid_until, uint32_t operator_code);

/**
 * @brief Answers one DL/T 645-2007 request frame as the meter would.
 *
 * Frames not addressed to the meter, replies, and frames with a bad checksum
 * or structure get no reply. DL/T 645-1997 reads (function 01) of the
 * common 1997 items are answered in the 1997 formats (see docs/meter.md);
 * other 1997 functions get an abnormal 1997 reply. Broadcast frames (time sync, only
 * taken from the broadcast address and only within the meter's limit, see
 * prepay_meter_set_time_sync_limit(); freeze) are acted on without reply; `AA` wildcards are honoured for read
 * (11) and read address (13) and, with the programming key, write address
 * (15); other functions sent with wildcards are ignored. A refused request
 * gets an abnormal reply and changes nothing except the wrong-password
 * counters (see docs/meter.md).
 * @param meter the meter.
 * @param now the meter clock at reception (moved forward to it if later; no energy flows in the gap).
 * @param request the received bytes (any `FE` preamble, then one frame).
 * @param request_len bytes at @p request.
 * @param reply where the reply frame is written (with no preamble).
 * @param reply_cap capacity of @p reply; ::PREPAY_DLT645_FRAME_MAX_NO_PREAMBLE always suffices.
 * @return the reply length (> 0), 0 for no reply, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointers);
 * ::PREPAY_E_METER_BAD_STATE; ::PREPAY_E_BUFFER_TOO_SMALL (the reply does
 * not fit; the request was not acted on).
 *
 * @par Example
 * A meter firmware's side (uart_send is the caller's):
 * @code
 * static prepay_meter_t meter;  // all of the meter's state, in caller memory
 * prepay_dlt645_address_t address;
 * prepay_dlt645_address_from_string("000000000101", 12, &address);
 * int status = prepay_meter_init(&meter, &address, now);
 * if (status == PREPAY_OK) {
 *     status = prepay_meter_bind(&meter, &tariff, NULL, false, NULL, NULL);  // price set A, default policy
 * }
 * // ... in the main loop: prepay_meter_advance(&meter, seconds, &load) moves time and
 * // energy (deducting from the purse); each request received on the RS-485 port:
 * uint8_t reply[PREPAY_DLT645_FRAME_MAX_NO_PREAMBLE];
 * int n = prepay_meter_handle(&meter, now, rx, rx_len, reply, sizeof reply);
 * if (n > 0) {
 *     uart_send(reply, (size_t)n);  // 0: no reply is due (another address, a broadcast)
 * }
 * @endcode
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_handle(prepay_meter_t *meter, prepay_time_t now, const uint8_t *request,
                                   size_t request_len, uint8_t *reply, size_t reply_cap);

/**
 * @brief Encodes the value of a data identifier as the meter would send it in a read reply (after the DI).
 * @param meter the meter.
 * @param di the data identifier.
 * @param out the value bytes (before +0x33).
 * @param out_cap capacity of @p out.
 * @return bytes written, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE;
 * ::PREPAY_E_NOT_FOUND (the meter does not have the item);
 * ::PREPAY_E_METER_DAY_SLOTS (a day table with more than ::PREPAY_METER_MAX_DAY_SLOTS slots);
 * ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_read(const prepay_meter_t *meter, uint32_t di, uint8_t *out, size_t out_cap);
/** @} */

/* ======================================================================== */
/** @name Maximum demand and load records (meter_demand.c, meter_load_profile.c)
 *  @{ */
/* ======================================================================== */

/**
 * @brief Sets the demand period and sliding time (what writes of 04000103 / 04000104 do) and restarts the window.
 * @param meter the meter.
 * @param period minutes, 1..::PREPAY_METER_DEMAND_MINUTES.
 * @param slide minutes, 1..@p period (a sliding time longer than the period is refused).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE; ::PREPAY_E_METER_BAD_PROFILE;
 * ::PREPAY_E_NOT_FOUND: built with ::PREPAY_METER_DEMAND 0 (the meter keeps no demand).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_demand_period(prepay_meter_t *meter, unsigned period, unsigned slide);

/**
 * @brief Clears the maximum-demand registers and restarts the window (what a demand clear, function 19, does).
 *
 * The settled maxima (0101xx01..) are kept; the window waits for the next whole minute. With
 * ::PREPAY_METER_DEMAND 0 there is nothing to clear (::PREPAY_OK).
 * @param meter the meter.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_METER_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_clear_demand(prepay_meter_t *meter);

/**
 * @brief Prepares caller storage for load records.
 * @param ring the ring.
 * @param records the caller's array.
 * @param capacity records it holds, >= 1.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, capacity 0).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_load_ring_init(prepay_meter_load_ring_t *ring, prepay_load_record_t *records,
                                           size_t capacity);

/**
 * @brief Attaches load-record storage to a meter (NULL detaches: nothing is recorded, reads find no data).
 *
 * The ring is the caller's and must outlive the attachment; like the tariff
 * sets it is a bound pointer, not part of the meter's stored bytes.
 * @param meter the meter.
 * @param ring a prepared ring, or NULL.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (a ring with no array or more records than its capacity);
 * ::PREPAY_E_METER_BAD_STATE; ::PREPAY_E_NOT_FOUND: a ring, built with ::PREPAY_METER_LOAD_RECORDS 0
 * (the meter keeps no load records; NULL is accepted, there is nothing to detach).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_attach_load_ring(prepay_meter_t *meter, prepay_meter_load_ring_t *ring);

/**
 * @brief Sets the load-record parameters (what writes of 04000901, 04000A01..07 do).
 * @param meter the meter.
 * @param mode bit k - 1 records class k (0..0x3F).
 * @param start first record instant (2000..2099; seconds are dropped).
 * @param interval minutes between records of classes 1..6, each 1..1440.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_METER_BAD_STATE; ::PREPAY_E_METER_BAD_PROFILE;
 * ::PREPAY_E_NOT_FOUND: built with ::PREPAY_METER_LOAD_RECORDS 0 (no load records kept).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_load_profile(prepay_meter_t *meter, uint8_t mode, prepay_time_t start,
                                             const uint16_t interval[PREPAY_LOAD_RECORD_CLASSES]);

/**
 * @brief The records a class-06 read would answer, decoded (for a caller that holds the meter itself).
 *
 * The same selection as a DL/T 645 read of `06 cc 00 mode`: the earliest
 * @p count records holding class cc (00: any class), those from @p from, or
 * the latest @p count, in time order; for cc = 01..06 each record keeps only
 * class cc.
 * @param meter the meter.
 * @param di the load-record DI (`06 cc 00 mm`).
 * @param count N, 1..255.
 * @param from the first time for mode 01 (ignored otherwise).
 * @param out records.
 * @param out_cap capacity of @p out.
 * @param written out: records written.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, count 0); ::PREPAY_E_METER_BAD_STATE;
 * ::PREPAY_E_LOADPROFILE_BAD_DI; ::PREPAY_E_NOT_FOUND (no such record; always with
 * ::PREPAY_METER_LOAD_RECORDS 0); ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_load_records(const prepay_meter_t *meter, uint32_t di, unsigned count, prepay_time_t from,
                                         prepay_load_record_t *out, size_t out_cap, size_t *written);
/** @} */


PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_meter_init(...) PREPAY_CONFIG_GUARDED(prepay_meter_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_METER_H */
