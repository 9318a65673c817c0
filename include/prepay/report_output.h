/* SPDX-License-Identifier: MIT */
/**
 * @file report_output.h
 * @ingroup prepay_report
 * @brief Hosted output of reports: CSV and JSON tables, and SVG charts (line and stacked bars).
 *
 * Part of the hosted build only (stdio). Tables have one row per bucket and
 * key; energy is printed in kWh (m3 for water) with 3 decimals, exactly;
 * fees in currency units with 2 decimals, rounded once from the exact sum
 * by prepay_amount_round() half-up; growth in percent with 4 decimals. A
 * cell without data prints empty CSV fields and JSON `null`, never 0; a
 * null growth prints its reason (`zero_base`, `no_base`, ...) in a
 * companion column.
 *
 * The SVG writer draws what a person can read: a title, a y axis with
 * round ticks (1, 2 or 5 x 10^k) and its unit, dated x labels (thinned when
 * many), a legend, and gaps for null values. Values are fixed-point
 * integers with a number of decimals, as everywhere in the library.
 */
#ifndef PREPAY_REPORT_OUTPUT_H
#define PREPAY_REPORT_OUTPUT_H

/** @addtogroup prepay_report
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "prepay/export.h"
#include "prepay/report.h"

/** @brief Options of the table writers. */
typedef struct prepay_report_output {
    const char *const *key_names; /**< one name per key, or NULL for "1", "2", ... */
    const char *unit;             /**< energy unit text, "kWh" by default (NULL) */
    bool growth;                  /**< add YoY and MoM growth of total energy */
    prepay_report_basis_t basis;  /**< how growth compares periods */
    uint32_t first_bucket;        /**< first bucket written (0 for all) */
    uint32_t bucket_limit;        /**< most buckets written (0 for all) */
} prepay_report_output_t;

/** @brief Chart kinds. */
typedef enum prepay_svg_kind {
    PREPAY_SVG_LINE = 0,        /**< one line per series; nulls break the line */
    PREPAY_SVG_STACKED_BARS = 1 /**< one bar per x label, series stacked bottom up */
} prepay_svg_kind_t;

/** @brief One series of a chart. */
typedef struct prepay_svg_series {
    const char *name;       /**< legend text */
    const int64_t *values;  /**< x_count values, fixed point with the chart's decimals, >= 0 */
    const bool *present;    /**< x_count flags, or NULL for all present */
} prepay_svg_series_t;

/** @brief A chart. */
typedef struct prepay_svg_chart {
    prepay_svg_kind_t kind;             /**< line or stacked bars */
    const char *title;                  /**< title text */
    const char *x_title;                /**< x axis title, e.g. "Month" */
    const char *y_title;                /**< y axis title with its unit, e.g. "Energy (kWh)" */
    unsigned decimals;                  /**< decimals of the values (3 for Wh shown as kWh) */
    const char *const *x_labels;        /**< x_count labels (dates) */
    size_t x_count;                     /**< points or bars, >= 1 */
    const prepay_svg_series_t *series;  /**< the series */
    size_t series_count;                /**< 1..12 */
    unsigned width;                     /**< pixels, 0 for 960 */
    unsigned height;                    /**< pixels, 0 for 480 */
    const bool *partial;                /**< x_count flags: point covers only part of its period (drawn faded,
                                             label marked "*"), or NULL */
} prepay_svg_chart_t;

/** @brief Capacity that always holds a period label ("2024-03-15", "2024-W09", "2024-03", "2024"). */
#define PREPAY_REPORT_LABEL_MAX 16

PREPAY_BEGIN_DECLS

/**
 * @brief The label of a bucket: `YYYY-MM-DD`, `YYYY-Www` (ISO week), `YYYY-MM` or `YYYY`.
 * @param report an initialised report.
 * @param bucket the bucket.
 * @param out destination.
 * @param out_cap capacity (::PREPAY_REPORT_LABEL_MAX always suffices).
 * @return the label length, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_REPORT_BAD_BUCKET; ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_period_label(const prepay_report_t *report, uint32_t bucket, char *out, size_t out_cap);

/**
 * @brief Name of a null reason ("zero_base", "no_base", ...), or "" for ::PREPAY_REPORT_NOT_NULL.
 * @param reason a ::prepay_report_null value.
 * @return a static string; "unknown" for other values.
 *
 * **Errors:** none.
 */
PREPAY_API const char *prepay_report_null_name(unsigned reason);

/**
 * @brief Writes the report as CSV: a header line, then one line per bucket and key.
 * @param out the stream.
 * @param report an initialised report.
 * @param options options, or NULL for defaults.
 * @return ::PREPAY_OK, or an error.
 *
 * Columns: period, first_day, last_day, key, energy, sharp, peak, flat,
 * valley, deep_valley, unbanded, fee, the six band fees, days, partial, and
 * with growth: yoy_pct, yoy_null, mom_pct, mom_null.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_HOSTED_IO (a write failed);
 * ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_write_csv(FILE *out, const prepay_report_t *report, const prepay_report_output_t *options);

/**
 * @brief Writes the report as JSON: `{"period": ..., "unit": ..., "rows": [{...}, ...]}` with the CSV's columns.
 * @param out the stream.
 * @param report an initialised report.
 * @param options options, or NULL for defaults.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_report_write_csv().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_write_json(FILE *out, const prepay_report_t *report,
                                        const prepay_report_output_t *options);

/**
 * @brief Writes a chart as a standalone SVG document.
 * @param out the stream.
 * @param chart the chart.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, no points, 0 or more than 12
 * series, negative values, decimals above 9); ::PREPAY_E_OVERFLOW (stacked
 * values beyond int64); ::PREPAY_E_HOSTED_IO.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_svg_chart_write(FILE *out, const prepay_svg_chart_t *chart);

/**
 * @brief Stacked-bar chart of one key's energy per bucket, split by band (sharp, peak, flat, valley, ...).
 * @param out the stream.
 * @param report an initialised report.
 * @param key the key.
 * @param title chart title.
 * @param unit energy unit text ("kWh" when NULL).
 * @return ::PREPAY_OK, or an error.
 *
 * Bands with no energy in any bucket are left out of the legend; buckets
 * without data are drawn empty.
 *
 * **Errors:** those of prepay_svg_chart_write(); ::PREPAY_E_REPORT_BAD_KEY;
 * ::PREPAY_E_HOSTED_NO_MEMORY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_chart_bands(FILE *out, const prepay_report_t *report, uint32_t key, const char *title,
                                         const char *unit);

/**
 * @brief Line chart of the total energy of each key per bucket (at most 12 keys).
 * @param out the stream.
 * @param report an initialised report.
 * @param key_names one name per key, or NULL.
 * @param title chart title.
 * @param unit energy unit text ("kWh" when NULL).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** those of prepay_svg_chart_write(); ::PREPAY_E_HOSTED_NO_MEMORY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_report_chart_keys(FILE *out, const prepay_report_t *report, const char *const *key_names,
                                        const char *title, const char *unit);

PREPAY_END_DECLS

/** @} */

#endif /* PREPAY_REPORT_OUTPUT_H */
