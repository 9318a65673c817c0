/* SPDX-License-Identifier: MIT */
/**
 * @file report.h
 * @ingroup prepay_report
 * @brief Energy and income reports: calendar buckets, band totals with fees, YoY / MoM growth, income composition.
 *
 * The reports a property manager and finance read every month, computed
 * exactly over series the caller provides. Freestanding: no allocation, no
 * floating point; the caller owns every array.
 *
 * ## Model
 * - A **row** (::prepay_report_row_t) is one metered interval of one meter:
 *   energy consumed uniformly over `[start, start + seconds)` in one tariff
 *   band, with its exact fee (zero when unpriced).
 * - A **series** (::prepay_report_series_t) is one meter's rows in time
 *   order; rows may leave gaps but never overlap. Each series belongs to one
 *   **key** (an account, a shop, a household): several meters of one account
 *   use the same key and are summed (multi-meter households merged). Rows
 *   may be added in chunks; the series remembers where its meter ended.
 * - A **report** (::prepay_report_t) covers whole local civil days
 *   `[first_day, end_day)` cut into calendar **buckets** of one
 *   ::prepay_report_period (day, ISO 8601 week starting Monday, month, year).
 *   It holds one **cell** (::prepay_report_cell_t) per bucket and key: energy
 *   and exact fee per band slot, the number of row pieces and the seconds of
 *   data. A cell with no row piece has no data: readers must show it as null,
 *   never as zero (prepay_report_cell_has_data()).
 * - **Band slots**: 0 = no band (a flat tariff or a total register),
 *   1 sharp (尖), 2 peak (峰), 3 flat (平), 4 valley (谷), 5 deep valley
 *   (深谷), the band numbers of DL/T 645-2007 and of tariff.h.
 * - **Groups**: prepay_report_roll_up() sums the cells of keys into groups
 *   (shops into buildings, buildings into the site) exactly.
 *
 * ## Rules
 * - **Splitting at midnight.** A row that crosses midnight (or the report's
 *   edge) is split with the tariff engine's spreading rule: the part in
 *   `[a, b)` of a row `[s, e)` with energy E is
 *   `floor(E (b - s) / (e - s)) - floor(E (a - s) / (e - s))`; the fee is split
 *   the same way in nanos of a minor unit. The parts sum exactly to the row.
 *   Parts outside the report's days are dropped (not an error).
 * - **Fees** are kept exact (::prepay_amount_t). A displayed fee is rounded
 *   once from the exact sum by prepay_amount_round(), so a rounded total may
 *   differ from the sum of rounded band fees by the rounding of each part.
 * - **Growth** (同比 year-on-year, 环比 period-on-period) is
 *   `(current - base) / base`, as the statistics definition (see
 *   docs/reports.md), in millionths (::PREPAY_REPORT_RATE_SCALE; 12.5 % is
 *   125000), rounded once by prepay_i64_muldiv() half-up. A growth is never a
 *   silent zero: it is **null** with a reason (::prepay_report_null) when
 *   the current period has no data, the base period is outside the report
 *   or has no data, the base is zero or negative, the period has no
 *   counterpart a year earlier, or a period is only partly inside the report.
 * - **Calendar rules.** Year-on-year compares the same calendar period a
 *   year earlier: the same month (whole months, whatever their lengths), the
 *   same ISO week number of the previous ISO year, the same date. February
 *   29 has no counterpart (null ::PREPAY_REPORT_NULL_NO_COUNTERPART), and
 *   neither has ISO week 53 in a year after one without it; February 28 of
 *   a leap year compares with February 28. Period-on-period compares with
 *   the period just before (day, week, month, year). With
 *   ::PREPAY_REPORT_BASIS_TOTAL the totals are compared as published
 *   statistics do (a 31-day month against a 28-day month as they are); with
 *   ::PREPAY_REPORT_BASIS_PER_DAY the mean per covered day is compared, which
 *   removes the length difference and also allows partial periods.
 *
 * Status codes: module ::PREPAY_MODULE_REPORT.
 */
#ifndef PREPAY_REPORT_H
#define PREPAY_REPORT_H

/** @addtogroup prepay_report
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/ledger.h"
#include "prepay/status.h"

/** @brief Status codes of the report module (module ::PREPAY_MODULE_REPORT). */
enum prepay_report_status {
    /** Unknown period kind, an empty or reversed day range, or days outside years 2..9998.
     *  prepay_strerror(): "report: unknown period, or an empty or out-of-range day range" */
    PREPAY_E_REPORT_BAD_PERIOD = PREPAY_STATUS_MAKE(PREPAY_MODULE_REPORT, 1),
    /** A row starts before the end of the previous row of its series: the series is unordered or overlaps.
     *  prepay_strerror(): "report: a row starts before the end of the previous row of its meter (unordered or overlapping)" */
    PREPAY_E_REPORT_UNORDERED = PREPAY_STATUS_MAKE(PREPAY_MODULE_REPORT, 2),
    /** A row is malformed: 0 seconds or more than ::PREPAY_REPORT_MAX_ROW_SECONDS, negative energy, band slot
     *  above 5, or a fee that is not normalised.
     *  prepay_strerror(): "report: malformed row (length, negative energy, band or fee)" */
    PREPAY_E_REPORT_BAD_ROW = PREPAY_STATUS_MAKE(PREPAY_MODULE_REPORT, 3),
    /** A key (or group) index is not below the report's key count.
     *  prepay_strerror(): "report: key or group index out of range" */
    PREPAY_E_REPORT_BAD_KEY = PREPAY_STATUS_MAKE(PREPAY_MODULE_REPORT, 4),
    /** Two reports do not have the same period and days (prepay_report_roll_up()).
     *  prepay_strerror(): "report: reports differ in period or days" */
    PREPAY_E_REPORT_MISMATCH = PREPAY_STATUS_MAKE(PREPAY_MODULE_REPORT, 5),
    /** A bucket index is not below the report's bucket count.
     *  prepay_strerror(): "report: bucket index out of range" */
    PREPAY_E_REPORT_BAD_BUCKET = PREPAY_STATUS_MAKE(PREPAY_MODULE_REPORT, 6),
    /** The report (or its period) has no data at all, where data is needed (tools and hosted output).
     *  prepay_strerror(): "report: no data in the report period" */
    PREPAY_E_REPORT_NO_DATA = PREPAY_STATUS_MAKE(PREPAY_MODULE_REPORT, 7)
};

/** @brief Band slots of a cell: 0 no band, 1 sharp, 2 peak, 3 flat, 4 valley, 5 deep valley. */
#define PREPAY_REPORT_BANDS 6
/** @brief Band slot of energy without a band (flat tariff, total register). */
#define PREPAY_REPORT_BAND_NONE 0
/** @brief Pass as a band to sum every band slot. */
#define PREPAY_REPORT_ALL_BANDS 255u
/** @brief Scale of growth rates and shares: millionths (1 % = 10000; 100 % = 1000000). */
#define PREPAY_REPORT_RATE_SCALE 1000000
/** @brief Longest row accepted: 366 days (a yearly register difference). */
#define PREPAY_REPORT_MAX_ROW_SECONDS (366u * 86400u)

/** @brief Calendar bucket kinds. */
typedef enum prepay_report_period {
    PREPAY_REPORT_DAY = 1,   /**< local civil day */
    PREPAY_REPORT_WEEK = 2,  /**< ISO 8601 week: Monday to Sunday, numbered in its ISO week-numbering year */
    PREPAY_REPORT_MONTH = 3, /**< calendar month */
    PREPAY_REPORT_YEAR = 4   /**< calendar year */
} prepay_report_period_t;

/** @brief What a growth compares against. */
typedef enum prepay_report_compare_kind {
    PREPAY_REPORT_YOY = 1, /**< 同比: the same calendar period a year earlier */
    PREPAY_REPORT_MOM = 2  /**< 环比: the period just before */
} prepay_report_compare_kind_t;

/** @brief How two periods are compared. */
typedef enum prepay_report_basis {
    PREPAY_REPORT_BASIS_TOTAL = 0,  /**< period totals as they are (statistical practice); partial periods are null */
    PREPAY_REPORT_BASIS_PER_DAY = 1 /**< mean per day of the period inside the report */
} prepay_report_basis_t;

/** @brief What a growth measures. */
typedef enum prepay_report_measure {
    PREPAY_REPORT_ENERGY = 0, /**< energy in Wh */
    PREPAY_REPORT_FEE = 1     /**< fee in minor units, each side rounded half-up as displayed */
} prepay_report_measure_t;

/** @brief Why a value is null (0 = not null). */
enum prepay_report_null {
    PREPAY_REPORT_NOT_NULL = 0,             /**< the value is present */
    PREPAY_REPORT_NULL_NO_DATA = 1,         /**< the current period has no data */
    PREPAY_REPORT_NULL_NO_BASE = 2,         /**< the base period is outside the report or has no data */
    PREPAY_REPORT_NULL_ZERO_BASE = 3,       /**< the base is zero: growth is undefined */
    PREPAY_REPORT_NULL_NEGATIVE_BASE = 4,   /**< the base is negative: a growth rate would mislead */
    PREPAY_REPORT_NULL_NO_COUNTERPART = 5,  /**< February 29, or ISO week 53 with no week 53 a year earlier */
    PREPAY_REPORT_NULL_PARTIAL = 6          /**< a period is only partly inside the report (basis TOTAL) */
};

/** @brief One metered interval of one meter. 40 bytes. */
typedef struct prepay_report_row {
    prepay_time_t start;    /**< interval start, local civil time */
    prepay_energy_t energy; /**< Wh (or L) consumed uniformly over the interval, >= 0 */
    prepay_amount_t fee;    /**< exact fee of the interval (normalised); `{0, 0}` when unpriced */
    uint32_t seconds;       /**< interval length, 1..::PREPAY_REPORT_MAX_ROW_SECONDS */
    uint8_t band;           /**< band slot 0..5 */
} prepay_report_row_t;

/** @brief A meter's cursor: the key it adds to and the end of its last row. */
typedef struct prepay_report_series {
    uint32_t magic;        /**< private: set by prepay_report_series_init() */
    uint32_t key;          /**< the key (account) this meter's rows add to */
    prepay_time_t position; /**< end of the last row added (INT64_MIN before the first) */
    uint64_t rows;         /**< rows added so far */
} prepay_report_series_t;

/** @brief One calendar bucket of a report. */
typedef struct prepay_report_bucket {
    prepay_days_t first_day; /**< first day of the calendar period (not clipped to the report) */
    prepay_days_t end_day;   /**< day after its last day (not clipped) */
    int32_t year;            /**< calendar year; for weeks the ISO week-numbering year */
    uint8_t month;           /**< 1..12 for day and month buckets, else 0 */
    uint8_t week;            /**< 1..53 for week buckets, else 0 */
    uint8_t day;             /**< 1..31 for day buckets, else 0 */
    bool partial;            /**< the report's days cover only part of the period */
} prepay_report_bucket_t;

/** @brief Totals of one key in one bucket. */
typedef struct prepay_report_cell {
    prepay_energy_t energy[PREPAY_REPORT_BANDS]; /**< Wh per band slot */
    prepay_amount_t fee[PREPAY_REPORT_BANDS];    /**< exact fee per band slot */
    uint64_t pieces;                             /**< row pieces added; 0 = no data (null) */
    int64_t seconds;                             /**< seconds of interval data, summed over meters */
} prepay_report_cell_t;

/** @brief A report: buckets x keys cells over caller arrays. */
typedef struct prepay_report {
    uint32_t magic;                  /**< private: set by prepay_report_init() */
    prepay_report_period_t period;   /**< bucket kind */
    prepay_days_t first_day;         /**< first day covered */
    prepay_days_t end_day;           /**< day after the last day covered */
    uint32_t bucket_count;           /**< buckets in use */
    uint32_t key_count;              /**< keys (accounts or groups) */
    prepay_report_bucket_t *buckets; /**< caller array, bucket_count entries */
    prepay_report_cell_t *cells;     /**< caller array, cell (b, k) at `b * key_count + k` */
    prepay_energy_t energy_added;    /**< private: sum of all energy added (overflow guard) */
    prepay_money_t fee_bound;        /**< private: sum of |fee units| + 1 of all rows (overflow guard) */
} prepay_report_t;

/** @brief A growth rate, or null with its reason. */
typedef struct prepay_report_growth {
    int64_t rate;        /**< (current - base) / base in millionths; 0 when null */
    int64_t current;     /**< the current value compared (Wh, minor units, or per-day mean when basis PER_DAY) */
    int64_t base;        /**< the base value compared */
    uint8_t null_reason; /**< ::prepay_report_null; 0 when `rate` is valid */
} prepay_report_growth_t;

/** @brief Income items of the composition (收入组成). */
enum prepay_report_income_item {
    PREPAY_REPORT_INCOME_ELECTRICITY = 0,  /**< ledger item ELECTRICITY */
    PREPAY_REPORT_INCOME_WATER = 1,        /**< ledger item WATER */
    PREPAY_REPORT_INCOME_PROPERTY_FEE = 2, /**< ledger item PROPERTY_FEE */
    PREPAY_REPORT_INCOME_COMMON_AREA = 3,  /**< ledger item COMMON_AREA */
    PREPAY_REPORT_INCOME_OTHER = 4,        /**< every other item (gas, service fees, user items) */
    PREPAY_REPORT_INCOME_ITEMS = 5         /**< number of items (not an item) */
};

/** @brief Income composition of a time range. */
typedef struct prepay_report_income {
    prepay_money_t amount[PREPAY_REPORT_INCOME_ITEMS]; /**< income per item, minor units */
    prepay_money_t total;                              /**< sum of the items */
    int64_t share[PREPAY_REPORT_INCOME_ITEMS];         /**< amount / total in millionths, half-up; 0 when null */
    uint8_t share_null_reason;                         /**< ::prepay_report_null for every share: NO_DATA, ZERO_BASE, NEGATIVE_BASE, or 0 */
    uint32_t transfers;                                /**< ledger transfers counted */
} prepay_report_income_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Number of buckets a report of @p period over days `[first_day, end_day)` needs.
 * @param period ::prepay_report_period.
 * @param first_day first day covered.
 * @param end_day day after the last day covered (> @p first_day).
 * @param count out: the number of buckets; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL @p count);
 * ::PREPAY_E_REPORT_BAD_PERIOD (unknown period, empty range, days outside years 2..9998).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_bucket_count(prepay_report_period_t period, prepay_days_t first_day,
                                          prepay_days_t end_day, uint32_t *count);

/**
 * @brief Initialises an empty report over caller arrays.
 * @param report the report.
 * @param period bucket kind.
 * @param first_day first day covered.
 * @param end_day day after the last day covered.
 * @param key_count number of keys (accounts or groups), >= 1.
 * @param buckets array of at least prepay_report_bucket_count() buckets.
 * @param bucket_cap capacity of @p buckets.
 * @param cells array of at least buckets x @p key_count cells (cleared here).
 * @param cell_cap capacity of @p cells.
 * @return ::PREPAY_OK, or an error; nothing is written on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointer, @p key_count 0);
 * ::PREPAY_E_REPORT_BAD_PERIOD; ::PREPAY_E_BUFFER_TOO_SMALL (a capacity too small).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_init(prepay_report_t *report, prepay_report_period_t period, prepay_days_t first_day,
                                  prepay_days_t end_day, uint32_t key_count, prepay_report_bucket_t *buckets,
                                  size_t bucket_cap, prepay_report_cell_t *cells, size_t cell_cap);

/**
 * @brief Starts a meter's series adding to @p key.
 * @param series the cursor.
 * @param key the key (account) index.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_series_init(prepay_report_series_t *series, uint32_t key);

/**
 * @brief Adds a chunk of one meter's rows to the report.
 *
 * Every row is checked (see the errors); rows are split at midnight and
 * clipped to the report's days by the spreading rule of the file comment,
 * then added to the cell of their bucket and the series' key. On success
 * the series' position moves to the end of the last row.
 * @param report an initialised report.
 * @param series the meter's cursor.
 * @param rows the rows, in time order (may be NULL if @p count is 0).
 * @param count number of rows.
 * @return ::PREPAY_OK, or an error. On error neither the report nor the
 *         series is changed (rows already added are taken back).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, uninitialised report or
 * series); ::PREPAY_E_REPORT_BAD_KEY; ::PREPAY_E_REPORT_BAD_ROW;
 * ::PREPAY_E_REPORT_UNORDERED (a row starts before the end of the previous
 * one, in this chunk or an earlier one); ::PREPAY_E_BAD_DATE (a row outside
 * years 1..9999: an impossible timestamp); ::PREPAY_E_OVERFLOW (sums beyond
 * int64, or the fee of a row crossing midnight beyond ±9.2e9 minor units).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_add(prepay_report_t *report, prepay_report_series_t *series,
                                 const prepay_report_row_t *rows, size_t count);

/**
 * @brief The cell of a bucket and key.
 * @param report an initialised report.
 * @param bucket bucket index.
 * @param key key index.
 * @return the cell, or NULL for a bad argument.
 *
 * **Errors:** none; NULL for every failure.
 */
PREPAY_API const prepay_report_cell_t *prepay_report_cell(const prepay_report_t *report, uint32_t bucket,
                                                          uint32_t key);

/**
 * @brief Whether a cell has data (at least one row piece). A cell without data must be shown as null.
 * @param cell a cell, or NULL.
 * @return true if the cell has data.
 *
 * **Errors:** none; false for NULL.
 */
PREPAY_API bool prepay_report_cell_has_data(const prepay_report_cell_t *cell);

/**
 * @brief Energy and exact fee of a cell for one band slot or all.
 * @param cell the cell.
 * @param band band slot 0..5, or ::PREPAY_REPORT_ALL_BANDS.
 * @param energy out: Wh (may be NULL).
 * @param fee out: exact fee (may be NULL).
 * @return ::PREPAY_OK, or an error; outputs untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL cell, bad band);
 * ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_cell_sum(const prepay_report_cell_t *cell, unsigned band, prepay_energy_t *energy,
                                      prepay_amount_t *fee);

/**
 * @brief Adds every key's cells of @p source into the group cells of @p target.
 *
 * Key k of @p source adds to key `group_of_key[k]` of @p target, bucket by
 * bucket, exactly. Rolling up into one group gives the site total.
 * @param source a report.
 * @param group_of_key group index of each source key (source key_count entries).
 * @param target a report with the same period and days (its keys are the groups).
 * @return ::PREPAY_OK, or an error; @p target unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, uninitialised, same report);
 * ::PREPAY_E_REPORT_MISMATCH; ::PREPAY_E_REPORT_BAD_KEY; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_roll_up(const prepay_report_t *source, const uint32_t *group_of_key,
                                     prepay_report_t *target);

/**
 * @brief Growth of @p current over @p base: `(current - base) / base` in millionths, or null.
 * @param current the current value.
 * @param base the base value.
 * @param out the growth (null ZERO_BASE or NEGATIVE_BASE when the base is not positive).
 * @return ::PREPAY_OK, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_OVERFLOW (the
 * difference or the rate does not fit).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_growth(int64_t current, int64_t base, prepay_report_growth_t *out);

/**
 * @brief Index of the base bucket of @p bucket for a comparison, by the calendar rules of the file comment.
 * @param report an initialised report.
 * @param bucket the current bucket index.
 * @param kind ::PREPAY_REPORT_YOY or ::PREPAY_REPORT_MOM.
 * @param base out: the base bucket index; untouched unless the result is 0.
 * @return ::PREPAY_REPORT_NOT_NULL (0) with @p base set; a null reason
 *         (NO_COUNTERPART, NO_BASE when the base period is outside the
 *         report) as a positive value; or a negative error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, uninitialised, unknown kind);
 * ::PREPAY_E_REPORT_BAD_BUCKET.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_base_bucket(const prepay_report_t *report, uint32_t bucket,
                                         prepay_report_compare_kind_t kind, uint32_t *base);

/**
 * @brief Year-on-year or period-on-period growth of one key's cell.
 * @param report an initialised report.
 * @param bucket the current bucket.
 * @param key the key.
 * @param band band slot 0..5 or ::PREPAY_REPORT_ALL_BANDS.
 * @param measure energy or fee.
 * @param kind YoY or MoM.
 * @param basis totals or per-day means.
 * @param out the growth, or null with its reason.
 * @return ::PREPAY_OK, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, unknown enum, bad band);
 * ::PREPAY_E_REPORT_BAD_BUCKET; ::PREPAY_E_REPORT_BAD_KEY; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_compare(const prepay_report_t *report, uint32_t bucket, uint32_t key, unsigned band,
                                     prepay_report_measure_t measure, prepay_report_compare_kind_t kind,
                                     prepay_report_basis_t basis, prepay_report_growth_t *out);

/**
 * @brief Income composition of `[from, to)` from the ledger's posted revenue (prepay_ledger_income()).
 * @param ledger an initialised ledger.
 * @param from start (inclusive).
 * @param to end (exclusive).
 * @param scratch rows for prepay_ledger_income() (one per distinct revenue item).
 * @param scratch_cap capacity of @p scratch.
 * @param out the composition; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * Ledger items ELECTRICITY, WATER, PROPERTY_FEE and COMMON_AREA map to their
 * own item; every other item counts as OTHER. Shares are null
 * (`share_null_reason`) when there is no income or the total is not positive.
 *
 * **Errors:** those of prepay_ledger_income(); ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_income(const prepay_ledger_t *ledger, prepay_time_t from, prepay_time_t to,
                                    prepay_ledger_income_row_t *scratch, size_t scratch_cap,
                                    prepay_report_income_t *out);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_report_init(...) PREPAY_CONFIG_GUARDED(prepay_report_init, __VA_ARGS__)
#define prepay_report_series_init(...) PREPAY_CONFIG_GUARDED(prepay_report_series_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_REPORT_H */
