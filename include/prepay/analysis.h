/* SPDX-License-Identifier: MIT */
/**
 * @file analysis.h
 * @ingroup prepay_analysis
 * @brief Station side: incremental event collection and a deterministic theft-suspicion engine.
 *
 * **Collection.** A station polls one item per meter, the active-report
 * word 04001501 (prepay_events_status_decode()). For each set bit it reads
 * the event's count item, compares it with the per-meter cursor of counts
 * it already holds (::prepay_analysis_cursor_t) and reads only the new
 * records (prepay_analysis_new_records()), then resets the bits it handled
 * with 04001503 (prepay_analysis_reset_word()).
 *
 * **Suspicion engine** (prepay_analysis_run()): deterministic, explainable
 * rules over periodic register readings (e.g. daily frozen data) and
 * collected events; no learning, no floating point. Rules and weights are
 * data (::prepay_analysis_rules_t, defaults from
 * prepay_analysis_rules_default(), documented in docs/events.md
 * "Station-side analysis"). Each suspicion names its rule, its meter, the
 * interval and the evidence numbers the rule compared:
 *
 * | rule | fires when |
 * |---|---|
 * | ZERO_ADVANCE | the forward register did not advance over an interval while the meter reported current above a threshold |
 * | STEP_DROP | the interval's consumption per day fell below a share of the median of the account's previous intervals |
 * | REVERSE_ENERGY | a consumption-only customer's reverse register advanced |
 * | AFTER_TAMPER | a metering event (loss of voltage/current, reverse power, magnetic...) started within a window after a programming or cover-open event |
 * | AREA_LOSS | an allocation group's loss rate (master - sum of subs) / master jumped above the median of its previous intervals |
 * | SHARE_DROP | a sub-meter's share of its group's master fell below a share of its median; scored higher when the group's loss jumped in the same interval |
 */
#ifndef PREPAY_ANALYSIS_H
#define PREPAY_ANALYSIS_H

/** @addtogroup prepay_analysis
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/meter_events.h"
#include "prepay/status.h"

/** @name Status codes (module ::PREPAY_MODULE_ANALYSIS)
 *  @{ */
/** @brief Readings are not sorted by (meter, time), or two readings of a meter share a time.
 *  prepay_strerror(): "analysis input not sorted (meters by id; readings by meter, then time)" */
#define PREPAY_E_ANALYSIS_ORDER PREPAY_STATUS_MAKE(PREPAY_MODULE_ANALYSIS, 1)
/** @brief An input record is malformed (negative register, unknown meter, unknown kind, end before start).
 *  prepay_strerror(): "malformed analysis input record" */
#define PREPAY_E_ANALYSIS_BAD_INPUT PREPAY_STATUS_MAKE(PREPAY_MODULE_ANALYSIS, 2)
/** @brief The rules are out of range (a ratio above 100 %, a zero interval, a negative weight).
 *  prepay_strerror(): "analysis rules out of range" */
#define PREPAY_E_ANALYSIS_BAD_RULES PREPAY_STATUS_MAKE(PREPAY_MODULE_ANALYSIS, 3)
/** @brief A registers reading went backwards (a meter exchange or a reset must be split by the caller).
 *  prepay_strerror(): "a register reading went backwards" */
#define PREPAY_E_ANALYSIS_REGISTER_BACKWARDS PREPAY_STATUS_MAKE(PREPAY_MODULE_ANALYSIS, 4)
/** @} */

/** @brief Rules. */
typedef enum prepay_analysis_rule {
    PREPAY_ANALYSIS_ZERO_ADVANCE = 0,   /**< no advance while current flows */
    PREPAY_ANALYSIS_STEP_DROP = 1,      /**< consumption step-drop against the account's own median */
    PREPAY_ANALYSIS_REVERSE_ENERGY = 2, /**< reverse energy on a consumption-only customer */
    PREPAY_ANALYSIS_AFTER_TAMPER = 3,   /**< metering event after programming or cover opening */
    PREPAY_ANALYSIS_AREA_LOSS = 4,      /**< group loss-rate jump (area line loss) */
    PREPAY_ANALYSIS_SHARE_DROP = 5,     /**< a sub-meter's share of its group fell */
    PREPAY_ANALYSIS_RULE_COUNT = 6      /**< number of rules (not a rule) */
} prepay_analysis_rule_t;

/** @brief Rules and weights (all integers; ratios in 0.01 %). */
typedef struct prepay_analysis_rules {
    int32_t weight[PREPAY_ANALYSIS_RULE_COUNT]; /**< score of each rule when it fires (0 disables it), 0..1000 */
    int32_t zero_current;             /**< ZERO_ADVANCE: current above this counts as flowing, mA */
    int64_t zero_min_seconds;         /**< ZERO_ADVANCE: shortest interval judged, s */
    uint32_t drop_ratio;              /**< STEP_DROP: fires below this share of the median, 0.01 % (5000 = 50 %) */
    int64_t drop_min_median;          /**< STEP_DROP: only if the median is at least this, Wh per day */
    uint32_t drop_history;            /**< STEP_DROP, AREA_LOSS, SHARE_DROP: previous intervals in the median, 3..PREPAY_ANALYSIS_HISTORY */
    int64_t reverse_min;              /**< REVERSE_ENERGY: fires above this reverse advance, Wh */
    int64_t tamper_window;            /**< AFTER_TAMPER: window after programming / cover opening, s */
    int32_t loss_jump;                /**< AREA_LOSS: fires when the loss rate exceeds its median by more than this, 0.01 % points */
    uint32_t share_ratio;             /**< SHARE_DROP: fires below this share of the median share, 0.01 % */
    int32_t coincidence_bonus;        /**< SHARE_DROP: added when the group's loss jumped in the same interval */
} prepay_analysis_rules_t;

/** @brief A meter known to the analysis. */
typedef struct prepay_analysis_meter {
    uint32_t meter;          /**< the caller's meter id */
    uint32_t group;          /**< allocation group id (0 = none) */
    uint8_t role;            /**< in its group: 1 master (area / building meter), 2 sub-meter, 0 none */
    uint8_t consumption_only; /**< 1: a customer who never exports (reverse energy is suspicious) */
} prepay_analysis_meter_t;

/** @brief One register reading (e.g. a daily freeze). */
typedef struct prepay_analysis_reading {
    uint32_t meter;            /**< meter id */
    prepay_time_t time;        /**< time of the reading */
    prepay_energy_t forward;   /**< forward active register, Wh */
    prepay_energy_t reverse;   /**< reverse active register, Wh */
    int32_t current;           /**< largest phase current at (or averaged up to) the reading, mA; -1 unknown */
} prepay_analysis_reading_t;

/** @brief One collected event. */
typedef struct prepay_analysis_event {
    uint32_t meter;            /**< meter id */
    uint8_t kind;              /**< ::prepay_events_kind */
    uint8_t phase;             /**< phase (0 whole meter) */
    prepay_time_t start;       /**< start */
    prepay_time_t end;         /**< end (0 = still active or unknown) */
} prepay_analysis_event_t;

/** @brief One suspicion with its evidence. */
typedef struct prepay_analysis_suspicion {
    uint32_t meter;            /**< the meter suspected (the master for AREA_LOSS) */
    uint8_t rule;              /**< ::prepay_analysis_rule */
    int32_t score;             /**< the rule's weight (+ bonus) */
    prepay_time_t from;        /**< interval start (or the tamper event's start) */
    prepay_time_t to;          /**< interval end (or the metering event's start) */
    int64_t observed;          /**< what was observed: advance Wh, Wh/day, loss or share 0.01 %, event kind */
    int64_t expected;          /**< what was expected: the median, the threshold, the tamper kind */
} prepay_analysis_suspicion_t;

/** @brief Per-meter cursor of collected event counts, one per status-word bit. */
typedef struct prepay_analysis_cursor {
    uint32_t counts[PREPAY_EVENTS_STATUS_BITS]; /**< last count collected per bit */
} prepay_analysis_cursor_t;

PREPAY_BEGIN_DECLS

/**
 * @brief The documented default rules and weights.
 * @param rules the rules.
 * @return ::PREPAY_OK, or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_analysis_rules_default(prepay_analysis_rules_t *rules);

/**
 * @brief Checks rules.
 * @param rules the rules.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_ANALYSIS_BAD_RULES.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_analysis_rules_check(const prepay_analysis_rules_t *rules);

/**
 * @brief Runs every rule over the inputs and lists the suspicions.
 *
 * Order of the list: the reading rules (ZERO_ADVANCE, STEP_DROP,
 * REVERSE_ENERGY) meter by meter in reading order, then AFTER_TAMPER in
 * event order, then the group rules master by master. Meters must be
 * sorted by id (unique); readings by meter id, then time (strictly
 * increasing per meter); group members need readings at the same times as
 * their master for AREA_LOSS and SHARE_DROP (an interval where a member
 * lacks one is skipped). Events need no order. Cost: readings x history for
 * the reading rules, events squared per meter for AFTER_TAMPER, and
 * intervals x history x members x log(readings) for the group rules.
 * @param rules checked rules.
 * @param meters the meters, sorted by id (unique).
 * @param meter_count entries at @p meters.
 * @param readings the readings.
 * @param reading_count entries at @p readings.
 * @param events the events (may be NULL with 0).
 * @param event_count entries at @p events.
 * @param out where suspicions are written.
 * @param out_cap capacity of @p out.
 * @param count suspicions found (may exceed @p out_cap; only @p out_cap are written).
 * @return ::PREPAY_OK (all written), ::PREPAY_E_BUFFER_TOO_SMALL (@p count says how many there are), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_ANALYSIS_BAD_RULES;
 * ::PREPAY_E_ANALYSIS_ORDER; ::PREPAY_E_ANALYSIS_BAD_INPUT;
 * ::PREPAY_E_ANALYSIS_REGISTER_BACKWARDS; ::PREPAY_E_BUFFER_TOO_SMALL; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_analysis_run(const prepay_analysis_rules_t *rules, const prepay_analysis_meter_t *meters,
                                   size_t meter_count, const prepay_analysis_reading_t *readings,
                                   size_t reading_count, const prepay_analysis_event_t *events, size_t event_count,
                                   prepay_analysis_suspicion_t *out, size_t out_cap, size_t *count);

/**
 * @brief Sums the scores of a meter's suspicions.
 * @param suspicions the list.
 * @param count entries.
 * @param meter the meter.
 * @return the total score (saturating at INT32_MAX), 0 for none.
 *
 * **Errors:** none; NULL with count 0 gives 0.
 */
PREPAY_API int32_t prepay_analysis_score(const prepay_analysis_suspicion_t *suspicions, size_t count,
                                         uint32_t meter);

/**
 * @brief Empties a cursor (a meter never collected).
 * @param cursor the cursor.
 * @return ::PREPAY_OK, or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_analysis_cursor_init(prepay_analysis_cursor_t *cursor);

/**
 * @brief After reading a count item: how many records are new, and commits the count to the cursor.
 *
 * A count below the cursor's (the meter's events were cleared) restarts
 * the cursor: every record the meter holds is new.
 * @param cursor the meter's cursor.
 * @param bit the status-word bit of the event (prepay_events_status_bit()).
 * @param count the count read from the meter.
 * @param max_records records the meter keeps per kind (1..10); the result never exceeds it.
 * @return new records to read (0..@p max_records; read last 1..n), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_analysis_new_records(prepay_analysis_cursor_t *cursor, unsigned bit, uint32_t count,
                                           unsigned max_records);

/**
 * @brief The 04001503 data that resets the given bits of a status word (0 = reset, 1 = keep).
 * @param status the word read.
 * @param handled bits the station handled (bit n in handled[n / 8]).
 * @param out 12 bytes to write with 04001503.
 * @return ::PREPAY_OK, or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_analysis_reset_word(const prepay_events_status_t *status,
                                          const uint8_t handled[PREPAY_EVENTS_STATUS_BYTES],
                                          uint8_t out[PREPAY_EVENTS_STATUS_BYTES]);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_analysis_cursor_init(...) PREPAY_CONFIG_GUARDED(prepay_analysis_cursor_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_ANALYSIS_H */
