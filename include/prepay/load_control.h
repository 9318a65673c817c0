/* SPDX-License-Identifier: MIT */
/**
 * @file load_control.h
 * @ingroup prepay_events
 * @brief Load control policy of a prepaid meter: over-power trip, malignant-load detection, auto-restore with a daily cap.
 *
 * A dormitory or rental meter limits what a customer may draw. The policy
 * looks at one measurement cycle at a time (prepay_lc_step(): active power
 * P in W and apparent power S in VA) and returns a relay decision the meter
 * applies:
 *
 * - **Over-power** (超负荷): with a limit set, `|P| > limit` in more than
 *   `over_cycles` consecutive cycles trips; one cycle at or below the limit
 *   resets the run.
 * - **Malignant load** (恶性负载, the resistive-heater signature): over a
 *   window of the last 8 cycles (P_0 oldest .. P_7 newest), each later cycle
 *   i = 1..7 is a comparison that counts when `P_i - P_0 >= step_power` and
 *   the incremental power factor `(P_i - P_0) / |S_i - S_0|` (capped at
 *   1.000, 1.000 when S does not change) is above `pf_threshold`. At least
 *   5 of the 7 comparisons declare a malignant load, unless the step
 *   `P_7 - P_0` lies in one of up to 6 exempt power bands (e.g. a water
 *   dispenser). Active only if 0.500 < pf_threshold < 1.000 and
 *   step_power > 0. The comparison is exact in integers:
 *   `dP * 1000 > threshold * |dS|`.
 * - **Modes**: off, alarm (decisions are alarms, the relay stays closed),
 *   trip.
 * - **Restore**: after a trip the relay closes again `restore_seconds`
 *   later, at most `daily_restores` times a calendar day; after that the
 *   policy locks out until a remote release (prepay_lc_release()). With
 *   `restore_seconds` 0 a trip is latched until released: this is the
 *   reference meter's existing overload (N seconds continuously above the
 *   limit with one cycle per second is `over_cycles = N - 1`).
 *
 * Sources: the published over-power and malignant-load rules of a prepaid
 * meter firmware and the platform parameters listed in docs/load-control.md.
 */
#ifndef PREPAY_LOAD_CONTROL_H
#define PREPAY_LOAD_CONTROL_H

/** @addtogroup prepay_events
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/export.h"
#include "prepay/meter_events.h"

/** @brief Cycles in the malignant-load window. */
#define PREPAY_LC_WINDOW 8u
/** @brief Comparisons (of 7) above the threshold that declare a malignant load. */
#define PREPAY_LC_MALIGNANT_VOTES 5u
/** @brief Exempt power bands (the platform parameter allows up to 6). */
#define PREPAY_LC_BANDS 6u

/** @brief Policy mode. */
typedef enum prepay_lc_mode {
    PREPAY_LC_MODE_OFF = 0,   /**< no decisions */
    PREPAY_LC_MODE_ALARM = 1, /**< alarms only */
    PREPAY_LC_MODE_TRIP = 2   /**< trips, auto-restore, lock-out */
} prepay_lc_mode_t;

/** @brief Decision actions. */
typedef enum prepay_lc_action {
    PREPAY_LC_NONE = 0,    /**< nothing to do */
    PREPAY_LC_ALARM = 1,   /**< raise an alarm (alarm mode) */
    PREPAY_LC_TRIP = 2,    /**< open the relay */
    PREPAY_LC_RESTORE = 3, /**< close the relay (auto-restore or release) */
    PREPAY_LC_LOCKOUT = 4  /**< the daily restore cap is used up: stay open until released */
} prepay_lc_action_t;

/** @brief Why a decision was taken. */
typedef enum prepay_lc_reason {
    PREPAY_LC_REASON_NONE = 0,      /**< no reason */
    PREPAY_LC_REASON_OVER_POWER = 1, /**< over the power limit for too many cycles */
    PREPAY_LC_REASON_MALIGNANT = 2,  /**< malignant (resistive) load detected */
    PREPAY_LC_REASON_TIMER = 3,      /**< the restore timer ran out */
    PREPAY_LC_REASON_RELEASE = 4     /**< remote release */
} prepay_lc_reason_t;

/** @brief Policy parameters (W, VA, 0.001, s). */
typedef struct prepay_lc_params {
    uint8_t mode;                        /**< ::prepay_lc_mode */
    int32_t limit_power;                 /**< over-power limit, W (0 = no over-power control) */
    uint16_t over_cycles;                /**< trip when above the limit in more than this many consecutive cycles */
    int32_t step_power;                  /**< malignant load: smallest step, W (0 = no detection) */
    uint16_t pf_threshold;               /**< malignant load: incremental PF threshold, 0.001 (active within 501..999) */
    uint8_t band_count;                  /**< exempt bands used, 0..::PREPAY_LC_BANDS */
    int32_t band_low[PREPAY_LC_BANDS];   /**< exempt band lower bound, W (inclusive) */
    int32_t band_high[PREPAY_LC_BANDS];  /**< exempt band upper bound, W (inclusive) */
    uint32_t restore_seconds;            /**< auto-restore delay after a trip, s (0 = latched until released) */
    uint8_t daily_restores;              /**< automatic restores allowed per calendar day, 3..5 */
} prepay_lc_params_t;

/** @brief Policy state of one meter. */
typedef struct prepay_lc_state {
    uint32_t magic;                      /**< private: set by prepay_lc_init() */
    int32_t window_p[PREPAY_LC_WINDOW];  /**< private: last active powers, W */
    int32_t window_s[PREPAY_LC_WINDOW];  /**< private: last apparent powers, VA */
    uint8_t window_len;                  /**< private: samples in the window */
    uint8_t window_head;                 /**< private: slot of the oldest sample */
    uint8_t tripped;                     /**< ::prepay_lc_reason of the trip in force, 0 = closed */
    uint8_t locked;                      /**< 1 while locked out (waiting for a remote release) */
    uint8_t restores_today;              /**< automatic restores on @ref day */
    uint8_t alarm;                       /**< ::prepay_lc_reason of the alarm in force (alarm mode) */
    uint16_t over_count;                 /**< consecutive cycles above the limit */
    prepay_days_t day;                   /**< day of @ref restores_today */
    prepay_record_time_t restore_at;     /**< when the relay closes again (0 = no timer; with ::PREPAY_RECORD_TIME32
                                              a time after 2136-02-07 06:28:15, never reached, is kept as that instant) */
    prepay_record_time_t last_time;      /**< time of the last cycle (::PREPAY_RECORD_TIME_NONE before the first) */
    uint32_t trips;                      /**< trips since init */
} prepay_lc_state_t;

/** @brief A relay decision. */
typedef struct prepay_lc_decision {
    uint8_t action;         /**< ::prepay_lc_action */
    uint8_t reason;         /**< ::prepay_lc_reason */
    uint8_t votes;          /**< malignant load: comparisons above the threshold (0..7) */
    int32_t power;          /**< P of the cycle, W */
    int32_t step;           /**< malignant load: P_7 - P_0, W */
    prepay_time_t restore_at; /**< after a trip with auto-restore: when the relay closes again */
} prepay_lc_decision_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Defaults: trip mode, no power limit, 5 cycles, no malignant detection, 300 s restore, 3 restores a day.
 * @param params the parameters.
 * @return ::PREPAY_OK, or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_lc_params_default(prepay_lc_params_t *params);

/**
 * @brief Checks parameters.
 * @param params the parameters.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_PARAMETER
 * (unknown mode, negative power, over_cycles 0, more than 6 bands, daily
 * restores outside 3..5, malignant detection with a threshold outside
 * 501..999 while step_power > 0); ::PREPAY_E_EVENTS_CONTRADICTION (a band
 * whose lower bound exceeds its upper bound).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_lc_params_check(const prepay_lc_params_t *params);

/**
 * @brief Initialises the policy state: relay closed, empty window.
 * @param state the state.
 * @return ::PREPAY_OK, or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_lc_init(prepay_lc_state_t *state);

/**
 * @brief One measurement cycle: returns the decision the meter applies.
 *
 * While tripped, the meter's relay is open and the cycles carry no load;
 * the window and the over-power run restart after a restore.
 * @param state the state.
 * @param params checked parameters.
 * @param time time of the cycle (never before the previous cycle).
 * @param power active power P, W (|P| <= 10 000 000).
 * @param apparent apparent power S, VA (0 <= S <= 10 000 000).
 * @param decision the decision (action NONE when nothing changes).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE;
 * ::PREPAY_E_EVENTS_BAD_SAMPLE; ::PREPAY_E_EVENTS_TIME_ORDER; errors of
 * prepay_lc_params_check().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_lc_step(prepay_lc_state_t *state, const prepay_lc_params_t *params, prepay_time_t time,
                              int32_t power, int32_t apparent, prepay_lc_decision_t *decision);

/**
 * @brief Remote release: ends a trip or a lock-out at once (the restore count of the day is not used).
 * @param state the state.
 * @param decision RESTORE if the relay was open, NONE otherwise.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_lc_release(prepay_lc_state_t *state, prepay_lc_decision_t *decision);

/**
 * @brief The incremental power factor of a step, 0.001, capped at 1000, rounded half-up (for display and evidence).
 * @param delta_p P_i - P_0, W.
 * @param delta_s S_i - S_0, VA.
 * @return 0..1000 (0 for a step that is not positive).
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API int32_t prepay_lc_incremental_pf(int32_t delta_p, int32_t delta_s);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_lc_init(...) PREPAY_CONFIG_GUARDED(prepay_lc_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_LOAD_CONTROL_H */
