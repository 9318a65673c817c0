/* SPDX-License-Identifier: MIT */
/**
 * @file voltage_qualification.h
 * @ingroup prepay_events
 * @brief Voltage qualification rate (电压合格率): per-minute counting, day and month statistics, DL/T 645 0310xxxx.
 *
 * Once a minute the meter (or a station replaying minute values) passes the
 * voltage of each phase to prepay_vq_minute(). For each judged phase:
 *
 * 1. Only if `assessment lower < U < assessment upper` (strict; default
 *    70 % .. 120 % Un) is the minute monitored. A minute with an outage
 *    (U at or below the assessment lower limit, e.g. 0 V) is therefore not
 *    monitored: it counts neither as qualified nor as out of limits.
 * 2. A monitored minute with `U > upper limit` is over the upper limit;
 *    with `U < lower limit` under the lower limit; a value exactly on a
 *    limit is qualified.
 * 3. In three-phase three-wire wiring phase B is forced qualified (each
 *    minute is monitored and qualified; it sets no extreme).
 * 4. Extremes (highest and lowest monitored voltage, first time reached)
 *    are kept with their minute.
 *
 * Rates in 0.01 %: over-limit rate = round((over + under) x 10000 /
 * monitored) by prepay_i64_div_round() half-up (the library's one rounding
 * rule), qualified rate = 10000 - over-limit rate (the two add up to
 * 100.00 %); no monitored minute gives 0 for both. This equals the meter
 * firmware formula `floor((floor((over+under) x 100000 / monitored) + 5) / 10)`
 * for every input (docs/voltage-qualification.md shows why).
 *
 * Day statistics roll over at the day change (today -> yesterday) and month
 * statistics at the month change (this month -> last months, 0310xx01..);
 * a clock change crossing a day or month rolls over the same way
 * (prepay_vq_clock_changed()). The total is the sum of the judged phases
 * (monitored and out-of-limit minutes added; extremes over all phases).
 *
 * Limits (GB/T 12325-2008): 220 V single-phase +7 % / -10 % of Un;
 * three-phase at 20 kV and below +-7 % (prepay_vq_params_default()).
 * Voltages are 0.1 V, as DL/T 645 XXX.X.
 */
#ifndef PREPAY_VOLTAGE_QUALIFICATION_H
#define PREPAY_VOLTAGE_QUALIFICATION_H

/** @addtogroup prepay_events
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/meter_events.h"

/** @brief Bytes of one DL/T 645 0310xxxx statistics entry. */
#define PREPAY_VQ_ENTRY_BYTES 27u

/** @brief Limits of voltage qualification (0.1 V). */
typedef struct prepay_vq_params {
    uint8_t wiring;           /**< ::prepay_events_wiring */
    uint16_t upper_limit;     /**< qualified upper limit (合格上限, 04000E03) */
    uint16_t lower_limit;     /**< qualified lower limit (合格下限, 04000E04) */
    uint16_t assess_upper;    /**< assessment upper limit (考核上限, 04090C01): monitored only below it */
    uint16_t assess_lower;    /**< assessment lower limit (考核下限, 04090C02): monitored only above it */
} prepay_vq_params_t;

/** @brief Statistics of one phase (or the total) over a day or a month. */
typedef struct prepay_vq_stats {
    uint32_t monitored;        /**< monitored minutes */
    uint32_t over_upper;       /**< minutes above the upper limit */
    uint32_t under_lower;      /**< minutes below the lower limit */
    uint16_t max_voltage;      /**< highest monitored voltage, 0.1 V (0 = none) */
    uint16_t min_voltage;      /**< lowest monitored voltage, 0.1 V (0 = none) */
    prepay_record_time_t max_time; /**< minute of the highest (0 = none) */
    prepay_record_time_t min_time; /**< minute of the lowest (0 = none) */
} prepay_vq_stats_t;

/** @brief Which statistics to read. */
typedef enum prepay_vq_period {
    PREPAY_VQ_TODAY = 0,      /**< the current day */
    PREPAY_VQ_YESTERDAY = 1,  /**< the previous day (frozen at the day change) */
    PREPAY_VQ_THIS_MONTH = 2, /**< the current month */
    PREPAY_VQ_LAST_MONTH = 3  /**< months back: 3 = last month ... 2 + ::PREPAY_VQ_MONTHS */
} prepay_vq_period_t;

/** @brief Voltage statistics of one meter. */
typedef struct prepay_vq_state {
    uint32_t magic;                                              /**< private: set by prepay_vq_init() */
    prepay_record_time_t last_minute;                            /**< private: the last minute counted (::PREPAY_RECORD_TIME_NONE: none) */
    prepay_days_t day;                                           /**< private: the day of @ref today (-1: none) */
    int32_t month;                                               /**< private: year x 12 + month - 1 of @ref this_month */
    prepay_vq_stats_t today[PREPAY_EVENTS_PHASES];               /**< the current day, per phase */
    prepay_vq_stats_t yesterday[PREPAY_EVENTS_PHASES];           /**< the previous day, per phase */
    prepay_vq_stats_t this_month[PREPAY_EVENTS_PHASES];          /**< the current month, per phase */
    prepay_vq_stats_t months[PREPAY_VQ_MONTHS][PREPAY_EVENTS_PHASES]; /**< [0] last month, [1] the month before ... */
} prepay_vq_state_t;

PREPAY_BEGIN_DECLS

/**
 * @brief GB/T 12325 limits for a rated voltage; assessment band 70 % .. 120 % Un.
 *
 * Single-phase: upper Un + 7 %, lower Un - 10 % (220 V: 235.4 V, 198.0 V);
 * three-phase (<= 20 kV): +-7 %. Percentages rounded half-up to 0.1 V.
 * @param params the limits.
 * @param wiring ::prepay_events_wiring.
 * @param rated_voltage Un, 0.1 V, 1..8332 (so that 120 % fits XXX.X).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_PARAMETER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_params_default(prepay_vq_params_t *params, prepay_events_wiring_t wiring,
                                        uint16_t rated_voltage);

/**
 * @brief Checks limits: assess_lower < lower <= upper < assess_upper, all <= 999.9 V.
 * @param params the limits.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_PARAMETER; ::PREPAY_E_EVENTS_CONTRADICTION.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_params_check(const prepay_vq_params_t *params);

/**
 * @brief Initialises empty statistics.
 * @param state the state.
 * @return ::PREPAY_OK, or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_init(prepay_vq_state_t *state);

/**
 * @brief Counts one minute (rolling the day and month over first if @p time is in a new one).
 * @param state the state.
 * @param params checked limits.
 * @param time any second of the minute; the minute must be later than the last one counted.
 * @param voltage per-phase voltage of the minute, 0.1 V, 0..9999.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE;
 * ::PREPAY_E_EVENTS_BAD_SAMPLE; ::PREPAY_E_EVENTS_TIME_ORDER; ::PREPAY_E_BAD_DATE;
 * errors of prepay_vq_params_check().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_minute(prepay_vq_state_t *state, const prepay_vq_params_t *params, prepay_time_t time,
                                const int32_t voltage[PREPAY_EVENTS_PHASES]);

/**
 * @brief The clock was set to @p now: roll over if it crosses a day or a month, and accept minutes from @p now on.
 * @param state the state.
 * @param now the new clock.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE; ::PREPAY_E_BAD_DATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_clock_changed(prepay_vq_state_t *state, prepay_time_t now);

/**
 * @brief Statistics of a period for a phase (1..::PREPAY_EVENTS_PHASES) or the total (0).
 * @param state the state.
 * @param params the limits (for the wiring: which phases the total sums).
 * @param period a ::prepay_vq_period (LAST_MONTH + k for k months further back).
 * @param phase 0 total, 1..::PREPAY_EVENTS_PHASES a phase.
 * @param out the statistics.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_stats(const prepay_vq_state_t *state, const prepay_vq_params_t *params, unsigned period,
                               unsigned phase, prepay_vq_stats_t *out);

/**
 * @brief Qualified and over-limit rates in 0.01 % (rounded by the library's rule; they add up to 10000).
 * @param stats the statistics.
 * @param qualified qualified rate, 0..10000 (0 with no monitored minute).
 * @param over over-limit rate, 0..10000 (0 with no monitored minute).
 * @return ::PREPAY_OK, or ::PREPAY_E_INVALID_ARGUMENT (NULL, or more out-of-limit than monitored minutes).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_rates(const prepay_vq_stats_t *stats, uint32_t *qualified, uint32_t *over);

/**
 * @brief Encodes a 0310xxxx item: DI1 00 total, 01..03 phase; DI0 00 this month, 01..0C months back.
 * @param state the state.
 * @param params the limits (for the total).
 * @param di the data identifier.
 * @param out the 27 value bytes.
 * @param out_cap capacity.
 * @return 27, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_STATE;
 * ::PREPAY_E_EVENTS_UNKNOWN_DI (not 0310xxxx, a phase or month not kept here); ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_read(const prepay_vq_state_t *state, const prepay_vq_params_t *params, uint32_t di,
                              uint8_t *out, size_t out_cap);

/**
 * @brief Decodes a 0310xxxx entry (station side).
 *
 * The extremes' times carry month, day, hour and minute only: @p year
 * completes them (the year of the statistics month).
 * @param data the 27 value bytes.
 * @param len must be ::PREPAY_VQ_ENTRY_BYTES.
 * @param year the year of the extremes.
 * @param out the statistics.
 * @param qualified the qualified rate as sent, 0.01 % (may be NULL).
 * @param over the over-limit rate as sent, 0.01 % (may be NULL).
 * @return ::PREPAY_OK, or an error; nothing is written on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_BAD_DATA (length, BCD, a date that
 * does not exist, rates above 100.00 % or not adding up to 100.00 %, more out-of-limit than monitored minutes;
 * with ::PREPAY_RECORD_TIME32, an extreme's time that 32-bit seconds from 2000 cannot hold).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_decode(const uint8_t *data, size_t len, int32_t year, prepay_vq_stats_t *out,
                                uint32_t *qualified, uint32_t *over);

/**
 * @brief Reads a limit parameter: 04000E03 upper, 04000E04 lower, 04090C01 assessment upper, 04090C02 assessment lower.
 * @param params the limits.
 * @param di the data identifier.
 * @param out 2 bytes XXX.X.
 * @param out_cap capacity.
 * @return 2, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_UNKNOWN_DI; ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_params_read(const prepay_vq_params_t *params, uint32_t di, uint8_t *out, size_t out_cap);

/**
 * @brief Writes a limit parameter with validation (all or nothing).
 * @param params the limits.
 * @param di the data identifier.
 * @param data 2 bytes XXX.X.
 * @param len must be 2.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_EVENTS_UNKNOWN_DI; ::PREPAY_E_EVENTS_BAD_DATA;
 * errors of prepay_vq_params_check().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_vq_params_write(prepay_vq_params_t *params, uint32_t di, const uint8_t *data, size_t len);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_vq_init(...) PREPAY_CONFIG_GUARDED(prepay_vq_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_VOLTAGE_QUALIFICATION_H */
