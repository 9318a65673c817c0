/* SPDX-License-Identifier: MIT */
/**
 * @file tariff_json.h
 * @ingroup prepay_tariff
 * @brief Hosted tariff loaders: the libprepay tariff JSON format, OpenEI URDB and NREL SAM rates.
 *
 * These functions are part of the hosted build only (they use the heap, files
 * and jansson); the firmware profile does not have them. They parse a tariff
 * description into a ::prepay_tariff_doc_t: one or two core tariffs
 * (::prepay_tariff_t, price sets A and B), the switch-over time, default
 * account parameters (household adjustment of the tier bounds) and the
 * metadata the core does not keep (name, source citation, band names).
 * After parsing, the core's prepay_tariff_plan_validate() runs; a document
 * is returned only if it passes.
 *
 * Errors are reported as a status code and, in a caller buffer, one line of
 * text naming the file (or the origin given for a buffer), the JSON path of
 * the offending value and what is wrong, e.g.
 * `tariff.json: $.schedule.seasons[2].start: "13-01" is not a month-day MM-DD`.
 * On error the output document is not touched: there is never a partially
 * loaded tariff.
 *
 * The file format is described in docs/tariff-json.md. All prices, money,
 * ratios and quantities are decimal strings parsed exactly with
 * prepay_fixed_parse(); JSON reals are refused in the libprepay format
 * (URDB and SAM files, which publish binary numbers, are converted by the
 * shortest round-trip rule documented in docs/tariff-json.md).
 */
#ifndef PREPAY_TARIFF_JSON_H
#define PREPAY_TARIFF_JSON_H

/** @addtogroup prepay_tariff
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/hosted_status.h"
#include "prepay/status.h"
#include "prepay/tariff.h"

/** @brief A suitable size for error message buffers (one line; longer messages are truncated). */
#define PREPAY_TARIFF_JSON_ERROR_MAX 512
/** @brief Capacity of ::prepay_tariff_doc::name, including the NUL. */
#define PREPAY_TARIFF_JSON_NAME_MAX 160
/** @brief Capacity of the source citation strings of ::prepay_tariff_doc, including the NUL. */
#define PREPAY_TARIFF_JSON_TEXT_MAX 1024
/** @brief Capacity of a band name, including the NUL. */
#define PREPAY_TARIFF_JSON_BAND_NAME_MAX 24

/** @brief Input formats understood by prepay_tariff_doc_load_file(). */
typedef enum prepay_tariff_doc_format {
    PREPAY_TARIFF_DOC_JSON = 0, /**< libprepay `prepay-tariff/1` (docs/tariff-json.md) */
    PREPAY_TARIFF_DOC_URDB = 1, /**< OpenEI URDB rate record (energyratestructure, 12x24 schedules) */
    PREPAY_TARIFF_DOC_SAM = 2   /**< NREL SAM utilityrate5 inputs (ur_ec_tou_mat, ur_ec_sched_*) */
} prepay_tariff_doc_format_t;

/**
 * @brief A loaded tariff document: core tariffs plus what the core does not keep.
 *
 * Plain data (no pointers), about 25 kB; allocate it statically or on the heap.
 */
typedef struct prepay_tariff_doc {
    prepay_tariff_doc_format_t format;         /**< the format it was read from */
    prepay_tariff_t sets[PREPAY_TARIFF_PRICE_SETS]; /**< [0] price set A; [1] set B if has_set_b */
    bool has_set_b;                            /**< a second price set with a switch-over time exists */
    prepay_time_t switch_time;                 /**< when set B takes effect (if has_set_b) */
    prepay_tariff_account_t account;           /**< default account: household adjustment of the file */
    char name[PREPAY_TARIFF_JSON_NAME_MAX];    /**< `name` of the file */
    char notice[PREPAY_TARIFF_JSON_TEXT_MAX];  /**< `source.notice`: the notice the figures come from */
    char url[PREPAY_TARIFF_JSON_TEXT_MAX];     /**< `source.url`, or empty */
    char note[PREPAY_TARIFF_JSON_TEXT_MAX];    /**< `source.note`, or empty */
    char currency[8];                          /**< `currency`, or empty */
    /** Names of the fixed charges (index as in ::prepay_tariff::fixed_charges). */
    char fixed_names[PREPAY_MAX_FIXED_CHARGES > 0 ? PREPAY_MAX_FIXED_CHARGES : 1][PREPAY_TARIFF_JSON_BAND_NAME_MAX];
    /** Band names; band b is at index b - 1 (URDB/SAM periods are named p1, p2, ...). */
    char band_names[PREPAY_MAX_TARIFF_INDEX][PREPAY_TARIFF_JSON_BAND_NAME_MAX];
    /** Names of the TOU demand periods; period p is at index p - 1 (URDB/SAM demand periods: d1, d2, ...). */
    char demand_period_names[PREPAY_MAX_DEMAND_PERIODS][PREPAY_TARIFF_JSON_BAND_NAME_MAX];
} prepay_tariff_doc_t;

/** @brief Options of the URDB / SAM importer. */
typedef struct prepay_tariff_urdb_options {
    /**
     * Decimal factor applied exactly to every energy price (NULL or "1": none).
     * SAM's rate escalation for year n is `(1 + inflation)^(n-1)`, e.g. "1.025"
     * for year 2 at 2.5 %. A scaled price needing more than 8 decimals is an error.
     */
    const char *rate_scale;
} prepay_tariff_urdb_options_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Loads a libprepay tariff JSON document from memory.
 * @param data the JSON text (need not be NUL-terminated).
 * @param len its length in bytes.
 * @param origin name used in error messages (e.g. the file name); NULL gives "<memory>".
 * @param out the document; written only on success.
 * @param err buffer for a one-line message (may be NULL if @p err_cap is 0).
 * @param err_cap capacity of @p err (::PREPAY_TARIFF_JSON_ERROR_MAX is enough).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL @p data or @p out);
 * ::PREPAY_E_HOSTED_JSON_SYNTAX; ::PREPAY_E_HOSTED_JSON_TYPE;
 * ::PREPAY_E_HOSTED_JSON_VALUE; ::PREPAY_E_CAPACITY (more bands, seasons,
 * day tables, slots, holidays, overrides, tiers or fixed charges than the
 * PREPAY_MAX_* configuration holds; the message names the macro);
 * ::PREPAY_E_HOSTED_TARIFF_INVALID; ::PREPAY_E_HOSTED_NO_MEMORY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_json_load_buffer(const char *data, size_t len, const char *origin,
                                              prepay_tariff_doc_t *out, char *err, size_t err_cap);

/**
 * @brief Loads a libprepay tariff JSON file.
 * @param path the file.
 * @param out the document; written only on success.
 * @param err buffer for a one-line message.
 * @param err_cap capacity of @p err.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_HOSTED_IO and those of prepay_tariff_json_load_buffer().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_json_load_file(const char *path, prepay_tariff_doc_t *out, char *err, size_t err_cap);

/**
 * @brief Imports an OpenEI URDB rate or NREL SAM utilityrate5 inputs from memory.
 *
 * Accepts either a bare rate object, a URDB API answer `{"items": [rate]}`
 * (the first item is used), or SAM's `ur_ec_tou_mat` / `ur_ec_sched_weekday`
 * / `ur_ec_sched_weekend` names. See docs/tariff-json.md for the mapping.
 * @param data the JSON text.
 * @param len its length.
 * @param origin name for error messages, or NULL.
 * @param options importer options, or NULL for the defaults.
 * @param out the document; written only on success.
 * @param err buffer for a one-line message.
 * @param err_cap capacity of @p err.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_HOSTED_JSON_SYNTAX;
 * ::PREPAY_E_HOSTED_JSON_TYPE; ::PREPAY_E_HOSTED_JSON_VALUE;
 * ::PREPAY_E_HOSTED_UNSUPPORTED (demand or minimum charges, kWh/kW tiers,
 * fixed charges not per month); ::PREPAY_E_CAPACITY (more periods, tiers,
 * period changes a day or distinct day schedules than the PREPAY_MAX_*
 * configuration holds);
 * ::PREPAY_E_HOSTED_TARIFF_INVALID; ::PREPAY_E_HOSTED_NO_MEMORY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_urdb_load_buffer(const char *data, size_t len, const char *origin,
                                              const prepay_tariff_urdb_options_t *options, prepay_tariff_doc_t *out,
                                              char *err, size_t err_cap);

/**
 * @brief Imports an OpenEI URDB rate or NREL SAM utilityrate5 inputs from a file.
 * @param path the file.
 * @param options importer options, or NULL.
 * @param out the document; written only on success.
 * @param err buffer for a one-line message.
 * @param err_cap capacity of @p err.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_HOSTED_IO and those of prepay_tariff_urdb_load_buffer().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_urdb_load_file(const char *path, const prepay_tariff_urdb_options_t *options,
                                            prepay_tariff_doc_t *out, char *err, size_t err_cap);

/**
 * @brief Loads a tariff file of any supported format, chosen by its top-level `format` member.
 *
 * `"prepay-tariff/1"` is the libprepay format; `"urdb"` or `"sam-utilityrate5"`,
 * or no `format` with `energyratestructure`, `items` or `ur_ec_tou_mat`
 * present, goes to the URDB / SAM importer with default options.
 * @param path the file.
 * @param out the document; written only on success.
 * @param err buffer for a one-line message.
 * @param err_cap capacity of @p err.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** those of prepay_tariff_json_load_file() and prepay_tariff_urdb_load_file().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_doc_load_file(const char *path, prepay_tariff_doc_t *out, char *err, size_t err_cap);

/**
 * @brief Loads a tariff of any supported format from memory, chosen as prepay_tariff_doc_load_file() chooses.
 * @param data the JSON text.
 * @param len its length.
 * @param origin name used in error messages (e.g. the file name, "<stdin>"); NULL gives "<memory>".
 * @param out the document; written only on success.
 * @param err buffer for a one-line message.
 * @param err_cap capacity of @p err.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** those of prepay_tariff_json_load_buffer() and prepay_tariff_urdb_load_buffer().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_doc_load_buffer(const char *data, size_t len, const char *origin, prepay_tariff_doc_t *out,
                                             char *err, size_t err_cap);

/**
 * @brief Makes the evaluation plan of a document (set A, and set B with its switch time).
 * @param doc a loaded document (must outlive the plan).
 * @param plan the plan to fill.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if a pointer is NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_doc_plan(const prepay_tariff_doc_t *doc, prepay_tariff_plan_t *plan);

/**
 * @brief Parses a decimal string of any length and rounds it exactly to @p decimals places.
 *
 * Unlike prepay_fixed_parse(), extra digits are rounded (once, exactly, by
 * @p mode through prepay_i64_div_round()) instead of refused; used for
 * meter data such as SAM's 17-digit kW figures ("0.40864765644073486" kWh
 * with 3 decimals and half-up is 409 Wh). Accepts an optional sign, digits
 * and an optional point with digits; no exponent, no spaces.
 * @param text the characters (need not be NUL-terminated).
 * @param len number of characters.
 * @param decimals scale of the result, 0..16.
 * @param mode rounding rule.
 * @param out the value; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, malformed text, @p decimals
 * above 16); ::PREPAY_E_BAD_ROUNDING; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_json_parse_rounded(const char *text, size_t len, unsigned decimals,
                                                prepay_rounding_t mode, int64_t *out);

/**
 * @brief Parses a local instant `YYYY-MM-DD hh:mm[:ss]` (a `T` may replace the space).
 *
 * The same as prepay_time_parse_date_time() (civil_time.h), which is the one
 * date-time grammar of libprepay (`YYYY/MM/DD` dates are read too); kept
 * for existing callers.
 * @param text the characters (need not be NUL-terminated).
 * @param len number of characters.
 * @param out the instant; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL or malformed text);
 * ::PREPAY_E_BAD_DATE; ::PREPAY_E_BAD_TIME.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_json_parse_time(const char *text, size_t len, prepay_time_t *out);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_tariff_json_load_buffer(...) PREPAY_CONFIG_GUARDED(prepay_tariff_json_load_buffer, __VA_ARGS__)
#define prepay_tariff_json_load_file(...) PREPAY_CONFIG_GUARDED(prepay_tariff_json_load_file, __VA_ARGS__)
#define prepay_tariff_urdb_load_buffer(...) PREPAY_CONFIG_GUARDED(prepay_tariff_urdb_load_buffer, __VA_ARGS__)
#define prepay_tariff_urdb_load_file(...) PREPAY_CONFIG_GUARDED(prepay_tariff_urdb_load_file, __VA_ARGS__)
#define prepay_tariff_doc_load_file(...) PREPAY_CONFIG_GUARDED(prepay_tariff_doc_load_file, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_TARIFF_JSON_H */
