/* SPDX-License-Identifier: MIT */
/**
 * @file meter_events.h
 * @ingroup prepay_events
 * @brief Meter-side events: per-phase threshold-and-delay judgement, records, the active-report word, DL/T 645 items.
 *
 * A meter samples its metering chip (voltage, current, active power, power
 * factor per phase) and judges abnormal conditions from the samples: loss of
 * voltage, phase failure, loss of current, over/under-voltage, unbalance,
 * reverse sequence, reverse power, overload, low power factor, power down,
 * plus conditions reported by sensors (meter cover, terminal cover,
 * constant magnetic field) and operations (programming, clock change).
 *
 * - **Thresholds and delays are data** (::prepay_events_params_t, State Grid
 *   style defaults from prepay_events_params_default(), each citing its
 *   source in docs/events.md), read and written over DL/T 645 as the
 *   0409xxxx parameters (prepay_events_params_read(), prepay_events_params_write()).
 * - **Judgement** (prepay_events_sample()): a condition must be observed
 *   continuously for the judgement delay before the event starts, and its
 *   end condition for the same delay before it ends. "Observed for the
 *   delay" means: the sample at which `time - time of the first sample
 *   showing the condition >= delay`. With one sample a second and a 60 s
 *   delay the event starts at the 61st consecutive sample, not one sample
 *   earlier. Time between samples counts with the state of the later sample.
 * - **Records**: each event kind keeps a ring of the last
 *   ::PREPAY_MAX_EVENT_RECORDS records (start, end, energy registers at start
 *   and end as supplied by the caller, voltage and current at onset), and
 *   each (kind, phase) a count and a cumulative duration.
 * - **Active report** (DL/T 645-2007 04001501): every new event sets its bit
 *   of the 96-bit status word and counts the new occurrences; a station
 *   reads the word and only the new records, then resets the bits it
 *   handled with 04001503 (prepay_events_status_reset()).
 * - **DL/T 645 items**: prepay_events_read() answers the event DIs (base
 *   A.4 totals, State Grid classes 10..20, records of power down, covers,
 *   programming, clock changes and magnetic interference, 04001501);
 *   prepay_events_status_decode(), prepay_events_decode_count() and
 *   prepay_events_decode_record() are the station side.
 *
 * **Units** (the DL/T 645-2007 A.3 resolutions, as prepay_meter_instant_t):
 * voltage 0.1 V, current mA (signed, negative = reverse), active power 0.1 W
 * (signed), power factor 0.001 (signed). Thresholds use the 0409xxxx
 * formats: voltage 0.1 V (XXX.X), current 0.1 mA (XX.XXXX A), over-current
 * 0.1 A (XX.X), power 0.1 W (XX.XXXX kW), unbalance 0.01 % (XX.XX), power
 * factor 0.001 (X.XXX), delays whole seconds (NN, 1..99). Energy registers
 * are `prepay_energy_t` Wh and are kept in records as 0.01 kWh (truncated,
 * as meters display them).
 *
 * Everything is caller-owned plain data and pure functions: no allocation,
 * no floating point, no clock of its own. A meter embeds
 * ::prepay_events_state_t and ::prepay_events_params_t and calls
 * prepay_events_sample() once per measurement (typically each second).
 */
#ifndef PREPAY_METER_EVENTS_H
#define PREPAY_METER_EVENTS_H

/** @addtogroup prepay_events
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/* ======================================================================== */
/** @name Status codes (module ::PREPAY_MODULE_EVENTS, shared with load_control.h and voltage_qualification.h)
 *  @{ */
/* ======================================================================== */

/** @brief The state was not initialised by its init function (or is corrupt).
 *  prepay_strerror(): "event, load-control or voltage-statistics state not initialised" */
#define PREPAY_E_EVENTS_BAD_STATE PREPAY_STATUS_MAKE(PREPAY_MODULE_EVENTS, 1)
/** @brief A parameter is outside its range (a delay of 0, a threshold too large for its DL/T 645 format, an unknown wiring).
 *  prepay_strerror(): "event parameter out of range (delay of 0, value too large for its DL/T 645 format)" */
#define PREPAY_E_EVENTS_BAD_PARAMETER PREPAY_STATUS_MAKE(PREPAY_MODULE_EVENTS, 2)
/** @brief Parameters contradict each other (recovery at or below onset, severe unbalance at or below unbalance...).
 *  prepay_strerror(): "event parameters contradict each other" */
#define PREPAY_E_EVENTS_CONTRADICTION PREPAY_STATUS_MAKE(PREPAY_MODULE_EVENTS, 3)
/** @brief A sample is outside the physical range of its DL/T 645 format (negative voltage, |PF| > 1, unknown flag...).
 *  prepay_strerror(): "sample outside the physical range of its format" */
#define PREPAY_E_EVENTS_BAD_SAMPLE PREPAY_STATUS_MAKE(PREPAY_MODULE_EVENTS, 4)
/** @brief Time went backwards (a sample or minute before the previous one) without a clock change.
 *  prepay_strerror(): "time went backwards without a clock change" */
#define PREPAY_E_EVENTS_TIME_ORDER PREPAY_STATUS_MAKE(PREPAY_MODULE_EVENTS, 5)
/** @brief The data identifier is not one this module answers (or not in this configuration).
 *  prepay_strerror(): "data identifier not handled by the events module" */
#define PREPAY_E_EVENTS_UNKNOWN_DI PREPAY_STATUS_MAKE(PREPAY_MODULE_EVENTS, 6)
/** @brief Data bytes of a DI have the wrong length or are not valid BCD.
 *  prepay_strerror(): "data bytes of the wrong length or not BCD" */
#define PREPAY_E_EVENTS_BAD_DATA PREPAY_STATUS_MAKE(PREPAY_MODULE_EVENTS, 7)
/** @brief The item is read-only (a write was attempted).
 *  prepay_strerror(): "the item is read-only" */
#define PREPAY_E_EVENTS_READ_ONLY PREPAY_STATUS_MAKE(PREPAY_MODULE_EVENTS, 8)
/** @} */

/* ======================================================================== */
/** @name Constants
 *  @{ */
/* ======================================================================== */

/** @brief Bytes of the active-report status word (DL/T 645-2007 04001501 / 04001503: 96 bits). */
#define PREPAY_EVENTS_STATUS_BYTES 12u
/** @brief Bits of the active-report status word. */
#define PREPAY_EVENTS_STATUS_BITS 96u
/** @brief Largest reply of prepay_events_status_word(): word, AA, one count per bit, AA. */
#define PREPAY_EVENTS_STATUS_MAX (PREPAY_EVENTS_STATUS_BYTES + 2u + PREPAY_EVENTS_STATUS_BITS)
/** @brief Largest value any prepay_events_read() reply needs (the 60-byte cover-open record). */
#define PREPAY_EVENTS_READ_MAX 120u
/** @brief DI of the active-report status word (DL/T 645-2007, State Grid 2013 extension). */
#define PREPAY_EVENTS_DI_STATUS_WORD 0x04001501u
/** @brief DI of the active-report status-word reset (write, 12 bytes). */
#define PREPAY_EVENTS_DI_STATUS_RESET 0x04001503u
/** @brief Largest judgement delay in seconds (one BCD byte, NN). */
#define PREPAY_EVENTS_MAX_DELAY 99u
/** @} */

/** @brief Event kinds. The first ::PREPAY_EVENTS_SINGLE_PHASE_KINDS exist on single-phase meters too. */
typedef enum prepay_events_kind {
    PREPAY_EVENTS_OVER_VOLTAGE = 0,         /**< 过压, per phase (State Grid class 12, A.4 0303) */
    PREPAY_EVENTS_UNDER_VOLTAGE = 1,        /**< 欠压, per phase (class 11, A.4 0302) */
    PREPAY_EVENTS_OVER_CURRENT = 2,         /**< 过流, per phase (class 19, A.4 030C) */
    PREPAY_EVENTS_REVERSE_POWER = 3,        /**< 潮流反向 / power reversal, per phase (class 1B, A.4 030E) */
    PREPAY_EVENTS_OVERLOAD = 4,             /**< 过载, per phase (class 1C, A.4 030F) */
    PREPAY_EVENTS_LOW_POWER_FACTOR = 5,     /**< 总功率因数超下限, total (class 1F, DI2 00) */
    PREPAY_EVENTS_POWER_DOWN = 6,           /**< 掉电 (031100xx) */
    PREPAY_EVENTS_COVER_OPEN = 7,           /**< 开表盖, instantaneous (03300Dxx) */
    PREPAY_EVENTS_TERMINAL_COVER_OPEN = 8,  /**< 开端钮盖, instantaneous (03300Exx) */
    PREPAY_EVENTS_MAGNETIC = 9,             /**< 恒定磁场干扰 (0335xxxx) */
    PREPAY_EVENTS_PROGRAMMING = 10,         /**< 编程: a parameter write (033000xx) */
    PREPAY_EVENTS_CLOCK_CHANGE = 11,        /**< 校时: the clock was set (033004xx) */
    PREPAY_EVENTS_LOSS_OF_VOLTAGE = 12,     /**< 失压, per phase, three-phase only (class 10, A.4 0301) */
    PREPAY_EVENTS_PHASE_FAILURE = 13,       /**< 断相, per phase, three-phase only (class 13, A.4 0304) */
    PREPAY_EVENTS_LOSS_OF_CURRENT = 14,     /**< 失流, per phase, three-phase only (class 18, A.4 030B) */
    PREPAY_EVENTS_CURRENT_CUT = 15,         /**< 断流, per phase, three-phase only (class 1A, A.4 030D) */
    PREPAY_EVENTS_VOLTAGE_REVERSE_SEQUENCE = 16, /**< 电压逆相序 (class 14, A.4 0307) */
    PREPAY_EVENTS_CURRENT_REVERSE_SEQUENCE = 17, /**< 电流逆相序 (class 15, A.4 0308) */
    PREPAY_EVENTS_VOLTAGE_UNBALANCE = 18,   /**< 电压不平衡 (class 16, A.4 0309) */
    PREPAY_EVENTS_CURRENT_UNBALANCE = 19,   /**< 电流不平衡 (class 17, A.4 030A) */
    PREPAY_EVENTS_CURRENT_SEVERE_UNBALANCE = 20, /**< 电流严重不平衡 (class 20) */
    PREPAY_EVENTS_KIND_COUNT = 21           /**< number of kinds (not a kind) */
} prepay_events_kind_t;

/** @brief Kinds that exist on a single-phase meter (0..11). */
#define PREPAY_EVENTS_SINGLE_PHASE_KINDS 12u
#if PREPAY_EVENTS_PHASES == 1 || defined(PREPAY_DOXYGEN)
/** @brief Kinds with storage in this configuration (all 21 with ::PREPAY_EVENTS_PHASES 3, 12 with 1). */
#define PREPAY_EVENTS_KINDS 12u
/** @brief (kind, phase) channels: 9 per-phase kinds times 3 phases plus 12 whole-meter kinds (39), or 12 on a single-phase meter. */
#define PREPAY_EVENTS_CHANNELS 12u
/** @brief One bit per channel (the state's private masks): 32 bits for the 12 channels of a
 *  single-phase meter, 64 for the 39 of ::PREPAY_EVENTS_PHASES 3. */
typedef uint32_t prepay_events_mask_t;
#else
#define PREPAY_EVENTS_KINDS 21u
#define PREPAY_EVENTS_CHANNELS 39u
typedef uint64_t prepay_events_mask_t;
#endif

/** @brief Wiring of the meter. */
typedef enum prepay_events_wiring {
    PREPAY_EVENTS_WIRING_SINGLE = 0, /**< single phase (phase A only) */
    PREPAY_EVENTS_WIRING_3P4W = 1,   /**< three-phase four-wire (A, B, C) */
    PREPAY_EVENTS_WIRING_3P3W = 2    /**< three-phase three-wire: phase B is not judged (no B-phase element) */
} prepay_events_wiring_t;

/** @brief Sample flag: the metering chip reports a reversed voltage phase sequence. */
#define PREPAY_EVENTS_FLAG_VOLTAGE_REVERSE_SEQUENCE 0x01u
/** @brief Sample flag: the metering chip reports a reversed current phase sequence. */
#define PREPAY_EVENTS_FLAG_CURRENT_REVERSE_SEQUENCE 0x02u
/** @brief Sample flag: the meter-cover switch is open. */
#define PREPAY_EVENTS_FLAG_COVER_OPEN 0x04u
/** @brief Sample flag: the terminal-cover switch is open. */
#define PREPAY_EVENTS_FLAG_TERMINAL_COVER_OPEN 0x08u
/** @brief Sample flag: the magnetic sensor detects a constant field. */
#define PREPAY_EVENTS_FLAG_MAGNETIC 0x10u
/** @brief Every defined sample flag. */
#define PREPAY_EVENTS_FLAGS_ALL 0x1Fu

/**
 * @brief Thresholds and judgement delays (the DL/T 645 0409xxxx parameters and a few meter constants).
 *
 * A trigger threshold of 0 disables its event. Delays are whole seconds
 * 1..99 (0 is refused: an event must not start on a single sample). See
 * docs/events.md for the default of each member and its source.
 */
typedef struct prepay_events_params {
    uint8_t wiring;                     /**< ::prepay_events_wiring */
    uint16_t rated_voltage;             /**< Un, 0.1 V (04000404 names it as text; here a number), > 0 */
    int32_t basic_current;              /**< Ib, 0.1 mA, > 0 */
    int32_t max_current;                /**< Imax, 0.1 mA, >= Ib */
    uint16_t loss_voltage_trigger;      /**< 04090101: loss of voltage below this, 0.1 V */
    uint16_t loss_voltage_recovery;     /**< 04090102: ends above this, 0.1 V; > trigger */
    int32_t loss_voltage_current;       /**< 04090103: only while the phase current is above this, 0.1 mA */
    uint8_t loss_voltage_delay;         /**< 04090104: s */
    uint16_t under_voltage_trigger;     /**< 04090201: under-voltage below this, 0.1 V */
    uint8_t under_voltage_delay;        /**< 04090202: s */
    uint16_t over_voltage_trigger;      /**< 04090301: over-voltage above this, 0.1 V */
    uint8_t over_voltage_delay;         /**< 04090302: s */
    uint16_t phase_failure_voltage;     /**< 04090401: phase failure below this voltage, 0.1 V */
    int32_t phase_failure_current;      /**< 04090402: ... and below this current, 0.1 mA */
    uint8_t phase_failure_delay;        /**< 04090403: s */
    uint16_t voltage_unbalance_limit;   /**< 04090501: (max - min) / max above this, 0.01 % */
    uint8_t voltage_unbalance_delay;    /**< 04090502: s */
    uint16_t current_unbalance_limit;   /**< 04090601: 0.01 % */
    uint8_t current_unbalance_delay;    /**< 04090602: s */
    uint16_t loss_current_voltage;      /**< 04090701: loss of current only above this voltage, 0.1 V */
    int32_t loss_current_upper;         /**< 04090702: phase current below this, 0.1 mA */
    int32_t loss_current_lower;         /**< 04090703: while another phase carries more than this, 0.1 mA; > upper */
    uint8_t loss_current_delay;         /**< 04090704: s */
    uint16_t over_current_trigger;      /**< 04090801: over-current above this, 0.1 A */
    uint8_t over_current_delay;         /**< 04090802: s */
    uint16_t current_cut_voltage;       /**< 04090901: current cut only above this voltage, 0.1 V */
    int32_t current_cut_current;        /**< 04090902: phase current below this, 0.1 mA */
    uint8_t current_cut_delay;          /**< 04090903: s */
    int32_t reverse_power_trigger;      /**< 04090A01: reverse active power above this, 0.1 W */
    uint8_t reverse_power_delay;        /**< 04090A02: s */
    int32_t overload_trigger;           /**< 04090B01: active power above this, 0.1 W */
    uint8_t overload_delay;             /**< 04090B02: s */
    uint16_t power_factor_limit;        /**< 04090E01: total power factor below this, 0.001 */
    uint8_t power_factor_delay;         /**< 04090E02: s */
    uint16_t severe_unbalance_limit;    /**< 04090F01: severe current unbalance above this, 0.01 %; > current_unbalance_limit */
    uint8_t severe_unbalance_delay;     /**< 04090F02: s */
    uint16_t critical_voltage;          /**< power down: every phase below this voltage (临界电压), 0.1 V */
    uint8_t power_down_delay;           /**< power down: s */
    uint8_t sequence_delay;             /**< voltage and current reverse sequence: s */
    uint8_t magnetic_delay;             /**< constant magnetic field: s */
} prepay_events_params_t;

/**
 * @brief One sample of the metering chip.
 *
 * Per-phase arrays hold phase A (and B, C with ::PREPAY_EVENTS_PHASES 3).
 * The energy registers are the meter's own (they go into the records).
 */
typedef struct prepay_events_sample {
    prepay_time_t time;                        /**< local time of the sample, never before the previous sample */
    int32_t voltage[PREPAY_EVENTS_PHASES];     /**< 0.1 V, 0..9999 */
    int32_t current[PREPAY_EVENTS_PHASES];     /**< mA, signed, |I| <= 999999 */
    int32_t power[PREPAY_EVENTS_PHASES];       /**< active power per phase, 0.1 W, signed, |P| <= 9999999 */
    int32_t power_total;                       /**< total active power, 0.1 W, signed, |P| <= 9999999 */
    int16_t power_factor;                      /**< total power factor, 0.001, -1000..1000 */
    uint8_t flags;                             /**< PREPAY_EVENTS_FLAG_* */
    prepay_energy_t forward;                   /**< forward active energy register, Wh, >= 0 */
    prepay_energy_t reverse;                   /**< reverse active energy register, Wh, >= 0 */
} prepay_events_sample_t;

/** @brief One event record. */
typedef struct prepay_events_record {
    prepay_record_time_t start; /**< start (judgement instant); clock change: the time before the change */
    prepay_record_time_t end;   /**< end; 0 while the event lasts; instantaneous kinds: = start; clock change: the time after */
    uint32_t forward_start;     /**< forward active energy at start, 0.01 kWh */
    uint32_t reverse_start;     /**< reverse active energy at start, 0.01 kWh */
#if PREPAY_EVENTS_END_ENERGY
    uint32_t forward_end;       /**< forward active energy at end, 0.01 kWh (with ::PREPAY_EVENTS_END_ENERGY) */
    uint32_t reverse_end;       /**< reverse active energy at end, 0.01 kWh (with ::PREPAY_EVENTS_END_ENERGY) */
#endif
    int32_t current;            /**< current of the phase at onset, mA (the largest phase for whole-meter kinds) */
    uint32_t detail;            /**< programming: the DI written; unbalance: the rate at onset in 0.01 %; else 0 */
    uint32_t operator_code;     /**< programming and clock change: operator code C0..C3 (little-endian); else 0 */
    uint16_t voltage;           /**< voltage of the phase at onset, 0.1 V (the lowest phase for whole-meter kinds) */
    uint8_t phase;              /**< 1..3 for per-phase kinds, 0 for whole-meter kinds */
    uint8_t used;               /**< 1 if the slot holds a record */
} prepay_events_record_t;

/** @brief Counters of one (kind, phase) channel (read them with prepay_events_counts()). */
typedef struct prepay_events_channel {
    uint32_t count;      /**< events started since the last clear */
    uint32_t seconds;    /**< cumulative duration, s (saturates) */
    uint16_t held;       /**< private: seconds the pending transition has been observed */
    uint8_t flags;       /**< private: active, observing */
    uint8_t pending;     /**< new occurrences not yet reset by the station (saturates at 255) */
} prepay_events_channel_t;

/** @brief The last write refused by the meter's handler (prepay_events_refuse()). */
typedef struct prepay_events_refusal {
    prepay_record_time_t time;   /**< when; 0 = none */
    uint32_t di;                 /**< the DI of the refused write or clear */
    uint32_t operator_code;      /**< operator code of the request */
    int32_t reason;              /**< the status code the refusal was given */
} prepay_events_refusal_t;

/** @brief Event state of one meter: caller-owned, size fixed at compile time. */
typedef struct prepay_events_state {
    uint32_t magic;                                       /**< private: set by prepay_events_init() */
    prepay_record_time_t last_time;                       /**< time of the last sample; ::PREPAY_RECORD_TIME_NONE before the first */
    prepay_events_mask_t active_mask;                     /**< private: bit c set while channel c is active */
    prepay_events_mask_t observing_mask;                  /**< private: bit c set while channel c observes a transition */
    prepay_events_channel_t channels[PREPAY_EVENTS_CHANNELS]; /**< counters per (kind, phase) */
    uint8_t next[PREPAY_EVENTS_KINDS];                    /**< private: next ring slot per kind */
    prepay_events_record_t records[PREPAY_EVENTS_KINDS][PREPAY_MAX_EVENT_RECORDS]; /**< rings per kind */
    uint32_t refused_count;                               /**< writes or clears refused since init */
    prepay_events_refusal_t refused_last;                 /**< the last of them */
} prepay_events_state_t;

/** @brief A decoded active-report status word (station side). */
typedef struct prepay_events_status {
    uint8_t word[PREPAY_EVENTS_STATUS_BYTES];  /**< the 96 bits, bit n in word[n / 8] bit n % 8 */
    uint8_t counts[PREPAY_EVENTS_STATUS_BITS]; /**< new occurrences per set bit (0 for clear bits) */
} prepay_events_status_t;

PREPAY_BEGIN_DECLS

/* ======================================================================== */
/** @name Parameters
 *  @{ */
/* ======================================================================== */

/**
 * @brief Fills the State Grid style defaults for a meter's rated quantities.
 *
 * Percentages of Un, Ib and Imax, exact in integers (rounded half-up by
 * prepay_i64_muldiv() where a percentage of a rating is not whole); every
 * default and its source is listed in docs/events.md.
 * @param params the parameters to fill.
 * @param wiring ::prepay_events_wiring (single phase needs ::PREPAY_EVENTS_PHASES 1 or 3; three-phase needs 3).
 * @param rated_voltage Un in 0.1 V (e.g. 2200), 1..9999.
 * @param basic_current Ib in 0.1 mA (e.g. 50000 for 5 A), > 0.
 * @param max_current Imax in 0.1 mA, >= Ib.
 * @return ::PREPAY_OK, or an error; @p params is unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL);
 * ::PREPAY_E_EVENTS_BAD_PARAMETER (a rating out of range, a wiring this
 * configuration cannot judge, or a default that would not fit its DL/T 645 format).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_params_default(prepay_events_params_t *params, prepay_events_wiring_t wiring,
                                            uint16_t rated_voltage, int32_t basic_current, int32_t max_current);

/**
 * @brief Checks a parameter set: ranges, formats and contradictions.
 * @param params the parameters.
 * @return ::PREPAY_OK, or the first error found.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_PARAMETER
 * (a delay of 0 or above 99, a value too large for its DL/T 645 format, an
 * unknown wiring, ratings out of range); ::PREPAY_E_EVENTS_CONTRADICTION
 * (loss-of-voltage recovery at or below its trigger, loss-of-current "other
 * phase" current at or below the lost-phase current, severe unbalance at or
 * below unbalance, over-voltage at or below under-voltage).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_params_check(const prepay_events_params_t *params);

/**
 * @brief Encodes a 0409xxxx threshold parameter as a meter replies to a read.
 * @param params the parameters.
 * @param di the data identifier (04090101..04090F02 as listed in docs/events.md).
 * @param out the value bytes (DL/T 645 order, before +0x33).
 * @param out_cap capacity of @p out.
 * @return bytes written (1..3), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_UNKNOWN_DI;
 * ::PREPAY_E_BUFFER_TOO_SMALL; ::PREPAY_E_EVENTS_BAD_DATA (the stored value
 * does not fit its format: the parameters were not checked).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_params_read(const prepay_events_params_t *params, uint32_t di, uint8_t *out,
                                         size_t out_cap);

/**
 * @brief Applies a 0409xxxx parameter write with validation: all or nothing.
 *
 * The value is decoded, set on a copy, and the copy must pass
 * prepay_events_params_check() before @p params changes. Authorisation
 * (password level) is the caller's; a refused write is recorded with
 * prepay_events_refuse().
 * @param params the parameters.
 * @param di the data identifier.
 * @param data the value bytes (before +0x33 was added, i.e. as decoded from the frame).
 * @param len bytes at @p data; must equal the item's length.
 * @return ::PREPAY_OK, or an error; @p params is unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_UNKNOWN_DI;
 * ::PREPAY_E_EVENTS_BAD_DATA (wrong length, not BCD); errors of prepay_events_params_check().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_params_write(prepay_events_params_t *params, uint32_t di, const uint8_t *data,
                                          size_t len);
/** @} */

/* ======================================================================== */
/** @name Judgement and records
 *  @{ */
/* ======================================================================== */

/**
 * @brief Initialises an event state: no event, no record, no sample yet.
 * @param state the state.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_init(prepay_events_state_t *state);

/**
 * @brief Judges one sample: starts and ends events whose condition held for their delay.
 *
 * The sample is checked first; a bad sample or a time before the previous
 * sample changes nothing. @p params should have passed
 * prepay_events_params_check() (an unchecked set cannot corrupt the state,
 * but may judge nonsense).
 * @param state the state.
 * @param params the thresholds and delays.
 * @param sample the sample.
 * @return the number of events started or ended by this sample (>= 0), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE;
 * ::PREPAY_E_EVENTS_BAD_SAMPLE; ::PREPAY_E_EVENTS_TIME_ORDER; ::PREPAY_E_BAD_DATE (time outside 2000..2099).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_sample(prepay_events_state_t *state, const prepay_events_params_t *params,
                                    const prepay_events_sample_t *sample);

/**
 * @brief Records a completed power-down the meter slept through (called at power-up).
 *
 * The meter cannot sample while it has no supply: at power-up it reports
 * the outage, which is recorded as a power-down event if it lasted at least
 * the power-down delay. The sample clock moves to @p up.
 * @param state the state.
 * @param params the parameters.
 * @param down when the supply was lost (>= the last sample).
 * @param up when it came back (>= @p down).
 * @param forward forward active energy register at power-down, Wh.
 * @param reverse reverse active energy register at power-down, Wh.
 * @return 1 if an event was recorded, 0 if the outage was shorter than the delay, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE;
 * ::PREPAY_E_EVENTS_TIME_ORDER; ::PREPAY_E_BAD_DATE; ::PREPAY_E_EVENTS_BAD_SAMPLE (negative energy).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_outage(prepay_events_state_t *state, const prepay_events_params_t *params,
                                    prepay_time_t down, prepay_time_t up, prepay_energy_t forward,
                                    prepay_energy_t reverse);

/**
 * @brief Records a programming event (an accepted parameter write).
 * @param state the state.
 * @param time when.
 * @param di the data identifier written.
 * @param operator_code operator code C0..C3 as a little-endian number.
 * @param forward forward active energy register, Wh.
 * @param reverse reverse active energy register, Wh.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE; ::PREPAY_E_BAD_DATE; ::PREPAY_E_EVENTS_BAD_SAMPLE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_programmed(prepay_events_state_t *state, prepay_time_t time, uint32_t di,
                                        uint32_t operator_code, prepay_energy_t forward, prepay_energy_t reverse);

/**
 * @brief Records a clock change (校时) and moves the sample clock to the new time.
 *
 * Durations already observed (pending delays, cumulative times) are kept:
 * a clock change neither shortens nor lengthens an event. The next sample
 * may be at or after @p after.
 * @param state the state.
 * @param before the clock before the change.
 * @param after the clock after the change (earlier or later).
 * @param operator_code operator code C0..C3 as a little-endian number (FFFFFFFF for a broadcast sync).
 * @param forward forward active energy register, Wh.
 * @param reverse reverse active energy register, Wh.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE; ::PREPAY_E_BAD_DATE; ::PREPAY_E_EVENTS_BAD_SAMPLE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_clock_changed(prepay_events_state_t *state, prepay_time_t before, prepay_time_t after,
                                           uint32_t operator_code, prepay_energy_t forward,
                                           prepay_energy_t reverse);

/**
 * @brief Records a write or clear that the meter's handler refused (the hook for unauthorised requests).
 * @param state the state.
 * @param time when.
 * @param di the DI of the request (FFFFFFFF for a clear of every event).
 * @param operator_code operator code of the request.
 * @param reason the status the refusal was given.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_refuse(prepay_events_state_t *state, prepay_time_t time, uint32_t di,
                                    uint32_t operator_code, int reason);

/**
 * @brief Clears events: counts, durations, records, pending report bits, and the judgement in progress.
 * @param state the state.
 * @param kind a ::prepay_events_kind, or -1 for every kind.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (unknown kind or one without storage here); ::PREPAY_E_EVENTS_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_clear(prepay_events_state_t *state, int kind);

/**
 * @brief Whether an event is in force.
 * @param state the state.
 * @param kind the kind.
 * @param phase 1..::PREPAY_EVENTS_PHASES for per-phase kinds, 0 for whole-meter kinds.
 * @return 1 if active, 0 if not, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, unknown kind or phase); ::PREPAY_E_EVENTS_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_active(const prepay_events_state_t *state, prepay_events_kind_t kind, unsigned phase);

/**
 * @brief Count and cumulative duration of a (kind, phase); phase 0 of a per-phase kind sums the phases.
 * @param state the state.
 * @param kind the kind.
 * @param phase 0..::PREPAY_EVENTS_PHASES.
 * @param count events since the last clear.
 * @param seconds cumulative duration, s (may be NULL).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_counts(const prepay_events_state_t *state, prepay_events_kind_t kind, unsigned phase,
                                    uint32_t *count, uint32_t *seconds);

/**
 * @brief The n-th most recent record of a kind (n = 1 newest), optionally of one phase only.
 * @param state the state.
 * @param kind the kind.
 * @param phase 0 for any phase, else only records of that phase are counted.
 * @param n 1..::PREPAY_MAX_EVENT_RECORDS.
 * @param out the record.
 * @return ::PREPAY_OK, or ::PREPAY_E_NOT_FOUND if fewer records are kept, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE; ::PREPAY_E_NOT_FOUND.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_record(const prepay_events_state_t *state, prepay_events_kind_t kind, unsigned phase,
                                    unsigned n, prepay_events_record_t *out);
/** @} */

/* ======================================================================== */
/** @name Active report (04001501 / 04001503)
 *  @{ */
/* ======================================================================== */

/**
 * @brief The status-word bit of a (kind, phase), per the State Grid bit table (docs/events.md).
 * @param kind the kind.
 * @param phase 1..3 for per-phase kinds, 0 for whole-meter kinds.
 * @return the bit 0..95, or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (unknown kind or phase).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_status_bit(prepay_events_kind_t kind, unsigned phase);

/**
 * @brief The (kind, phase) of a status-word bit (the inverse of prepay_events_status_bit()).
 * @param bit 0..95.
 * @param kind the kind.
 * @param phase the phase (0 for whole-meter kinds).
 * @return ::PREPAY_OK, or ::PREPAY_E_NOT_FOUND for a bit no event kind here uses.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_NOT_FOUND.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_status_kind(unsigned bit, prepay_events_kind_t *kind, unsigned *phase);

/**
 * @brief Encodes the 04001501 reply: the 12-byte word, AA, one count byte per set bit (low bit first), AA.
 * @param state the state.
 * @param out the value bytes.
 * @param out_cap capacity (::PREPAY_EVENTS_STATUS_MAX always suffices).
 * @return bytes written (14 + set bits), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE; ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_status_word(const prepay_events_state_t *state, uint8_t *out, size_t out_cap);

/**
 * @brief Applies a 04001503 reset: every bit written as 0 is reset (its new-occurrence count cleared); bits written 1 are kept.
 * @param state the state.
 * @param data the 12 bytes of the write (the word as read, with the handled bits cleared).
 * @param len must be ::PREPAY_EVENTS_STATUS_BYTES.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE; ::PREPAY_E_EVENTS_BAD_DATA.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_status_reset(prepay_events_state_t *state, const uint8_t *data, size_t len);

/**
 * @brief Decodes a 04001501 reply (station side).
 * @param data the value bytes after the DI.
 * @param len bytes at @p data.
 * @param out the decoded word and counts.
 * @return ::PREPAY_OK, or an error; @p out is unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_DATA (too short, missing AA
 * separators, a count number that does not match the set bits).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_status_decode(const uint8_t *data, size_t len, prepay_events_status_t *out);
/** @} */

/* ======================================================================== */
/** @name DL/T 645 event items
 *  @{ */
/* ======================================================================== */

/**
 * @brief Encodes an event item as a meter replies to a read (the list of DIs is in docs/events.md).
 *
 * Counts (XXXXXX, 3 BCD) and cumulative times (minutes, truncated) of the
 * State Grid classes and the A.4 totals, start and end times of the last
 * 1..10 records, the records of power down (031100nn), meter and terminal
 * cover (03300Dnn / 03300Enn), programming (033000nn), clock change
 * (033004nn) and magnetic interference (033500nn), and 04001501. A record
 * not (yet) held reads as zeros.
 * @param state the state.
 * @param di the data identifier.
 * @param out the value bytes.
 * @param out_cap capacity (::PREPAY_EVENTS_READ_MAX always suffices).
 * @return bytes written, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE;
 * ::PREPAY_E_EVENTS_UNKNOWN_DI; ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_read(const prepay_events_state_t *state, uint32_t di, uint8_t *out, size_t out_cap);

/**
 * @brief The count DI a station reads for a (kind, phase) (State Grid class count, or the A.4 count item).
 * @param kind the kind.
 * @param phase 1..3 for per-phase kinds, 0 for whole-meter kinds.
 * @return the DI (as a non-negative int64 in the low 32 bits) or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_API int64_t prepay_events_count_di(prepay_events_kind_t kind, unsigned phase);

/**
 * @brief The DI of the n-th last record (start time item for classes 10..20, full record for the others).
 * @param kind the kind.
 * @param phase 1..3 for per-phase kinds, 0 for whole-meter kinds.
 * @param n 1..10.
 * @return the DI, or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_API int64_t prepay_events_record_di(prepay_events_kind_t kind, unsigned phase, unsigned n);

/**
 * @brief The DI of the n-th last record's end time (classes 10..20 keep it in a separate item), or the record DI.
 * @param kind the kind.
 * @param phase 1..3 for per-phase kinds, 0 for whole-meter kinds.
 * @param n 1..10.
 * @return the DI, or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_API int64_t prepay_events_record_end_di(prepay_events_kind_t kind, unsigned phase, unsigned n);

/**
 * @brief Decodes a count reply (3 BCD bytes) for the station.
 * @param data the value bytes.
 * @param len must be 3.
 * @param count the count.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_DATA.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_decode_count(const uint8_t *data, size_t len, uint32_t *count);

/**
 * @brief Decodes a record reply of @p kind into start/end (and energies where the layout has them).
 *
 * For classes 10..20 pass the start-time item (6 bytes) and, if read, the
 * end-time item in @p end_data (NULL: end unknown, 0). For the other kinds
 * pass the full record; @p end_data is ignored. All-zero times decode as 0.
 * @param kind the kind.
 * @param data the record or start-time bytes.
 * @param len bytes at @p data.
 * @param end_data the end-time item (6 bytes) or NULL.
 * @param end_len bytes at @p end_data.
 * @param out the record (phase and detail as far as the layout carries them).
 * @return ::PREPAY_OK, or an error; @p out is unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_DATA.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_events_decode_record(prepay_events_kind_t kind, const uint8_t *data, size_t len,
                                           const uint8_t *end_data, size_t end_len, prepay_events_record_t *out);
/** @} */

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_events_init(...) PREPAY_CONFIG_GUARDED(prepay_events_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_METER_EVENTS_H */
