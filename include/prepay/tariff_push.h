/* SPDX-License-Identifier: MIT */
/**
 * @file tariff_push.h
 * @ingroup prepay_station
 * @brief Station side of the DL/T 645 two-set tariff scheme: push a tariff into set 2 safely, or verify a set.
 *
 * A DL/T 645 prepaid meter holds two tariff sets (prepay/dlt645_tariff.h);
 * set 1 prices before the price switch-over time 04000108 (or always, when
 * it is all zero), set 2 from it on. A **push** never writes the set in
 * force: it reads the meter clock, the switch-over time and the counts
 * (04000202, 04000204). If set 2 is in force, set 1 is first made a copy of
 * it (written, read back, compared) and the switch-over times cleared, so
 * set 1 is in force with the same tables. Then larger counts are written if
 * the plan needs them, set 2 is written item by item (each reply checked),
 * read back and compared with the plan; only when it is identical are the
 * switch-over times 04000106, 07, 09 and 08 written. A refusal, a timeout,
 * a value that does not decode or a difference stops the push there: the
 * meter keeps pricing with the set in force. A **verify** reads the counts
 * and one set back and lists its differences from the plan.
 *
 * Like the sessions of prepay/station.h the task is **sans-I/O**: each call
 * of prepay_tariff_push_step() takes the reply to the previous request and
 * returns the next request frame; the caller moves it over a session (or
 * any link) and calls again with the result. Caller-owned state, no
 * allocation, no clock.
 */
#ifndef PREPAY_TARIFF_PUSH_H
#define PREPAY_TARIFF_PUSH_H

/** @addtogroup prepay_station
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/civil_time.h"
#include "prepay/dlt645.h"
#include "prepay/dlt645_tariff.h"
#include "prepay/export.h"
#include "prepay/station.h"
#include "prepay/status.h"

/** @name Status codes of the tariff push (module ::PREPAY_MODULE_STATION)
 *  @{ */
/** @brief A reply's value does not decode (the meter clock, the switch-over time, a count, a read-back table item).
 *  prepay_strerror(): "station: a reply's value does not decode" */
#define PREPAY_E_STATION_BAD_VALUE PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 9)
/** @brief The tables read back differ from the plan (the differences are in the task's result).
 *  prepay_strerror(): "station: the tariff tables read back differ from the plan" */
#define PREPAY_E_STATION_TARIFF_DIFFERS PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 10)
/** @} */

/** @brief prepay_tariff_push_step() returned a request: send it, then call again with its result. */
#define PREPAY_TARIFF_PUSH_EXCHANGE 1
/** @brief Differences kept in a task's result (further ones are counted only). */
#define PREPAY_TARIFF_PUSH_MAX_DIFFERENCES 64u
/** @brief Most reads that bring one set back (zone table, 8 day tables, 63 prices, 6 ladder values, 7 ladder prices). */
#define PREPAY_TARIFF_PUSH_MAX_READS                                                                            \
    (1u + PREPAY_DLT645_TARIFF_MAX_DAY_TABLES + PREPAY_DLT645_TARIFF_MAX_TARIFFS +                              \
     PREPAY_DLT645_TARIFF_MAX_LADDER_VALUES + PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES)

/** @brief What a task does. */
typedef enum prepay_tariff_push_mode {
    PREPAY_TARIFF_PUSH_MODE_PUSH = 0,  /**< write the plan into set 2, then the switch-over times */
    PREPAY_TARIFF_PUSH_MODE_VERIFY = 1 /**< read a set back and compare it with the plan; writes nothing */
} prepay_tariff_push_mode_t;

/** @brief Where a task is: the request outstanding, or where it stopped. */
typedef enum prepay_tariff_push_phase {
    PREPAY_TARIFF_PUSH_READ_DATE = 0,       /**< read the meter date 04000101 */
    PREPAY_TARIFF_PUSH_READ_TIME = 1,       /**< read the meter time 04000102 */
    PREPAY_TARIFF_PUSH_READ_SWITCH = 2,     /**< read the switch-over time 04000108 */
    PREPAY_TARIFF_PUSH_READ_TABLES = 3,     /**< read the number of day tables 04000202 */
    PREPAY_TARIFF_PUSH_READ_TARIFFS = 4,    /**< read the number of tariffs 04000204 */
    PREPAY_TARIFF_PUSH_PROMOTE_READ = 5,    /**< set 2 in force: read it */
    PREPAY_TARIFF_PUSH_PROMOTE_WRITE = 6,   /**< copy it into set 1 */
    PREPAY_TARIFF_PUSH_PROMOTE_CHECK = 7,   /**< read set 1 back */
    PREPAY_TARIFF_PUSH_PROMOTE_SWITCH = 8,  /**< clear the switch-over times: set 1 in force */
    PREPAY_TARIFF_PUSH_WRITE_COUNTS = 9,    /**< write larger counts */
    PREPAY_TARIFF_PUSH_WRITE = 10,          /**< write set 2 item by item */
    PREPAY_TARIFF_PUSH_CHECK = 11,          /**< read set 2 back */
    PREPAY_TARIFF_PUSH_WRITE_SWITCH = 12,   /**< write the switch-over times */
    PREPAY_TARIFF_PUSH_VERIFY_READ = 13,    /**< verify: read the set back */
    PREPAY_TARIFF_PUSH_DONE = 14            /**< finished (or stopped: see the status) */
} prepay_tariff_push_phase_t;

/** @brief Settings of a task. */
typedef struct prepay_tariff_push_options {
    prepay_dlt645_address_t address;         /**< the meter */
    prepay_dlt645_credentials_t credentials; /**< password level, password and operator code of the writes */
    bool has_switch_at;                      /**< push: switch over at `switch_at` (else at the meter clock, to the minute) */
    prepay_time_t switch_at;                 /**< push: the switch-over time to write (2000..2099) */
    uint8_t verify_set;                      /**< verify: set 1 or 2, or 0 for the set in force after the switch-over */
} prepay_tariff_push_options_t;

/** @brief What a task found and did (valid at any time; final when it has stopped). */
typedef struct prepay_tariff_push_result {
    int status;                  /**< ::PREPAY_OK while running or when done; the error that stopped it */
    uint8_t phase;               /**< ::prepay_tariff_push_phase: the request outstanding, or where it stopped */
    uint32_t di;                 /**< DI of the outstanding request, or of the reply that stopped it (0: a whole-set check) */
    uint8_t set;                 /**< the set being read or written (1 or 2) */
    prepay_time_t clock;         /**< the meter clock, when read */
    bool switch_never;           /**< the meter's switch-over time was all zero (set 1 in force) */
    prepay_time_t switch_time;   /**< the meter's switch-over time as read (when not `switch_never`) */
    uint8_t tables;              /**< the meter's number of day tables (after any count write) */
    uint8_t tariffs;             /**< the meter's number of tariffs (after any count write) */
    bool promoted;               /**< set 2 was in force and set 1 is now a copy of it, in force */
    uint8_t counts_written;      /**< count writes done (04000202, 04000204) */
    size_t write_count;          /**< writes of the set being written (or last written) */
    size_t exchanges;            /**< requests returned so far */
    bool switch_written;         /**< the switch-over times to set 2 were written: the push is complete */
    prepay_time_t switch_at;     /**< the switch-over time written (or to be written) */
    int difference_count;        /**< differences of the last comparison (all of them, even beyond the array) */
    prepay_dlt645_tariff_difference_t differences[PREPAY_TARIFF_PUSH_MAX_DIFFERENCES]; /**< the first of them: a = plan, b = meter */
} prepay_tariff_push_result_t;

/**
 * @brief Caller-owned state of one push or verify (about 5 kB).
 *
 * Members are private; use the `prepay_tariff_push_*` functions.
 */
typedef struct prepay_tariff_push {
    prepay_tariff_push_options_t options;   /**< private */
    uint8_t mode;                           /**< private */
    prepay_dlt645_tariff_tables_t plan;     /**< private: the plan, compiled */
    prepay_dlt645_tariff_tables_t back;     /**< private: what a set reads back */
    prepay_dlt645_tariff_tables_t copy;     /**< private: set 2 in force, to copy into set 1 */
    prepay_time_t date_part;                /**< private */
    const prepay_dlt645_tariff_tables_t *writing; /**< private */
    uint32_t reads[PREPAY_TARIFF_PUSH_MAX_READS]; /**< private */
    size_t read_count;                      /**< private */
    size_t index;                           /**< private */
    bool started;                           /**< private */
    prepay_tariff_push_result_t result;     /**< private: see prepay_tariff_push_result() */
} prepay_tariff_push_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Starts a push or verify of @p plan on one meter.
 * @param task the state to initialise.
 * @param mode ::PREPAY_TARIFF_PUSH_MODE_PUSH or ::PREPAY_TARIFF_PUSH_MODE_VERIFY.
 * @param plan the tables to push or compare with (prepay_dlt645_tariff_compile()); copied.
 * @param options the meter, the credentials and the switch-over time or set (NULL: defaults; then no address).
 * @return ::PREPAY_OK, or an error; @p task is unusable after an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL @p task, @p plan or
 * @p options, an unknown mode, or a `verify_set` other than 0, 1 or 2;
 * ::PREPAY_E_DLT645_TARIFF_TABLES if @p plan is not valid tables;
 * ::PREPAY_E_OUT_OF_RANGE if `switch_at` is given and outside 2000..2099.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_push_init(prepay_tariff_push_t *task, prepay_tariff_push_mode_t mode,
                                       const prepay_dlt645_tariff_tables_t *plan,
                                       const prepay_tariff_push_options_t *options);

/**
 * @brief Takes the reply to the previous request and gives the next request.
 *
 * The first call passes NULL for @p reply; every later call passes the
 * result of the request the previous call returned (a finished
 * ::prepay_station_result_t, with the read data it joined in @p data).
 * @param task the task.
 * @param reply the result of the previous request (NULL on the first call).
 * @param data the value bytes of a read reply (`reply->data_len` of them; NULL if none).
 * @param data_len bytes at @p data.
 * @param request the next request frame, written when the return is ::PREPAY_TARIFF_PUSH_EXCHANGE.
 * @return ::PREPAY_TARIFF_PUSH_EXCHANGE (send @p request), ::PREPAY_OK (done:
 *         pushed, or verified identical), or the error that stopped the task
 *         (every later call returns it again).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL @p task or @p request, a
 * NULL @p reply after the first call or a @p reply on the first call; the
 * reply's own status when it is not ::PREPAY_OK (::PREPAY_E_DLT645_ABNORMAL
 * for a refusal, ::PREPAY_E_STATION_TIMEOUT, ::PREPAY_E_STATION_MALFORMED_REPLY ...);
 * ::PREPAY_E_STATION_BAD_VALUE when the clock, the switch-over time or a
 * count does not decode; the errors of prepay_dlt645_tariff_absorb() for a
 * read-back item (with its DI in the result);
 * ::PREPAY_E_DLT645_TARIFF_TABLES when a set read back is not a valid
 * tariff (DI 0 in the result; in ::PREPAY_TARIFF_PUSH_PROMOTE_READ nothing
 * was written); ::PREPAY_E_STATION_TARIFF_DIFFERS when a set read back
 * differs from what it should hold; ::PREPAY_E_OUT_OF_RANGE when the
 * switch-over time (the meter clock) is outside 2000..2099; errors of the
 * request builders.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_push_step(prepay_tariff_push_t *task, const prepay_station_result_t *reply,
                                       const uint8_t *data, size_t data_len, prepay_dlt645_frame_t *request);

/**
 * @brief What the task found and did so far.
 * @param task the task.
 * @return its result (valid while @p task lives), or NULL for a NULL @p task.
 *
 * **Errors:** none; NULL for a NULL @p task.
 */
PREPAY_API const prepay_tariff_push_result_t *prepay_tariff_push_result(const prepay_tariff_push_t *task);

/**
 * @brief English name of a phase ("write set 2", ...).
 * @param phase a ::prepay_tariff_push_phase.
 * @return a static string; "unknown phase" for other values.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API const char *prepay_tariff_push_phase_name(unsigned phase);

PREPAY_END_DECLS

/** @} */

#endif
