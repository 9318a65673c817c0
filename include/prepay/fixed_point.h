/* SPDX-License-Identifier: MIT */
/**
 * @file fixed_point.h
 * @ingroup prepay_common
 * @brief The one representation of energy, price and money, and exact arithmetic on them.
 *
 * libprepay never uses floating point. Quantities are signed 64-bit counts
 * of a small unit, fixed once for the whole library (see `docs/units.md`):
 *
 * | type              | unit                                          | example               |
 * |-------------------|-----------------------------------------------|-----------------------|
 * | ::prepay_energy_t | 1 Wh for electricity, 1 L for water           | 1.5 kWh = 1500        |
 * | ::prepay_price_t  | 1e-8 currency unit per kWh (or per m3)        | 0.58886875 = 58886875 |
 * | ::prepay_money_t  | the minor unit: 0.01 currency unit (fen, cent)| 12.34 yuan = 1234     |
 * | ::prepay_amount_t | an exact charge: minor units + 1e-9 of one    | see below             |
 *
 * A charge is energy x price. With the units above, 1 Wh x 1e-8 /kWh is
 * exactly 1e-9 of a minor unit, so every charge is exactly representable
 * as an ::prepay_amount_t (whole minor units plus nanos). Sums of amounts
 * are exact, so the charges of many small intervals add up to the charge
 * of their total. The product is computed without `__int128` (Cortex-M has
 * none) and overflow is reported, never wrapped.
 *
 * Rounding happens in one place: prepay_i64_div_round() (and the functions
 * built on it, prepay_i64_muldiv() and prepay_amount_round()), with the
 * rule chosen by ::prepay_rounding. The default everywhere is
 * ::PREPAY_ROUND_HALF_UP (half away from zero, "四舍五入").
 */
#ifndef PREPAY_FIXED_POINT_H
#define PREPAY_FIXED_POINT_H

/** @addtogroup prepay_common
 *  @{ */

#include <stddef.h>
#include <stdint.h>

#include "prepay/export.h"

/** @brief Energy in Wh (electricity) or volume in L (water). */
typedef int64_t prepay_energy_t;
/** @brief Price in 1e-8 currency unit per kWh (electricity) or per m3 (water). */
typedef int64_t prepay_price_t;
/** @brief Money in minor units: 0.01 currency unit (fen, cent). */
typedef int64_t prepay_money_t;

/** @brief Energy units (Wh) per kWh; also litres per m3. */
#define PREPAY_ENERGY_PER_KWH 1000
/** @brief Price units per currency unit (8 decimal places). */
#define PREPAY_PRICE_SCALE 100000000
/** @brief Money units (minor units) per currency unit. */
#define PREPAY_MONEY_SCALE 100
/** @brief Nanos per minor unit in ::prepay_amount_t. */
#define PREPAY_AMOUNT_NANOS 1000000000
/**
 * @brief Largest price the library accepts anywhere: (2^63 - 1) / 4 units
 *        (about 2.3e10 currency units per kWh), leaving headroom for sums.
 *
 * The smallest is 0: a negative price would turn a charge into a credit.
 * See prepay_price_check(), the one check every price input goes through
 * (tariff tables, derived prices, common-area prices, the CLI).
 */
#define PREPAY_PRICE_MAX (INT64_MAX / 4)

/**
 * @brief An exact amount of money: `units + nanos / 1e9` minor units.
 *
 * Normalised so that `0 <= nanos < 1e9` (like a timespec), also for
 * negative amounts: -0.25 fen is `{ -1, 750000000 }`.
 */
typedef struct prepay_amount {
    prepay_money_t units; /**< whole minor units (floor of the exact value) */
    uint32_t nanos;       /**< billionths of a minor unit, 0..999999999 */
} prepay_amount_t;

/** @brief Rounding rules. The library default is ::PREPAY_ROUND_HALF_UP. */
typedef enum prepay_rounding {
    PREPAY_ROUND_HALF_UP = 0,   /**< nearest; ties away from zero (四舍五入) */
    PREPAY_ROUND_HALF_EVEN = 1, /**< nearest; ties to the even neighbour (banker's) */
    PREPAY_ROUND_DOWN = 2,      /**< toward zero (truncate) */
    PREPAY_ROUND_UP = 3,        /**< away from zero */
    PREPAY_ROUND_FLOOR = 4,     /**< toward minus infinity */
    PREPAY_ROUND_CEILING = 5    /**< toward plus infinity */
} prepay_rounding_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Checked addition: `*out = a + b`.
 * @param a first operand.
 * @param b second operand.
 * @param out result; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_OVERFLOW if the sum does not fit in int64_t.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_i64_add(int64_t a, int64_t b, int64_t *out);

/**
 * @brief Checked subtraction: `*out = a - b`.
 * @param a minuend.
 * @param b subtrahend.
 * @param out result; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_OVERFLOW if the difference does not fit in int64_t.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_i64_sub(int64_t a, int64_t b, int64_t *out);

/**
 * @brief Checked multiplication: `*out = a * b`.
 * @param a first factor.
 * @param b second factor.
 * @param out result; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_OVERFLOW if the product does not fit in int64_t.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_i64_mul(int64_t a, int64_t b, int64_t *out);

/**
 * @brief The library's one rounding rule: `*out = round(num / den)` under @p mode.
 * @param num numerator.
 * @param den denominator (non-zero; may be negative).
 * @param mode rounding rule.
 * @param out result; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_DIVIDE_BY_ZERO if @p den is 0; ::PREPAY_E_BAD_ROUNDING for an
 * unknown @p mode; ::PREPAY_E_OVERFLOW for INT64_MIN / -1.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_i64_div_round(int64_t num, int64_t den, prepay_rounding_t mode, int64_t *out);

/**
 * @brief Exact `*out = round(a * b / den)` with a 128-bit intermediate product.
 * @param a first factor.
 * @param b second factor.
 * @param den denominator (non-zero; may be negative).
 * @param mode rounding rule, applied once to the exact quotient.
 * @param out result; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * Used for proration (bound x days / days in cycle), shares (total x weight /
 * sum of weights) and derived prices. The product never overflows; only a
 * quotient outside int64_t is an error. Does not depend on `__int128`.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_DIVIDE_BY_ZERO if @p den is 0; ::PREPAY_E_BAD_ROUNDING for an
 * unknown @p mode; ::PREPAY_E_OVERFLOW if the rounded quotient does not fit.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_i64_muldiv(int64_t a, int64_t b, int64_t den, prepay_rounding_t mode, int64_t *out);

/**
 * @brief The exact charge of @p energy at @p price: `energy x price`.
 * @param energy energy in Wh (or L).
 * @param price price in 1e-8 per kWh (or per m3).
 * @param out exact amount, normalised; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * Exact: no rounding happens. Computed with 64-bit operations only.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_OVERFLOW if the whole minor units do not fit in int64_t.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_amount_from_product(prepay_energy_t energy, prepay_price_t price, prepay_amount_t *out);

/**
 * @brief Checks that a price is one the library accepts: `0 <= price <= PREPAY_PRICE_MAX`.
 *
 * The one price validation of the library: the tariff model
 * (prepay_tariff_validate()), the allocation's common-area pricing
 * (prepay_allocation_price_energy()) and the tools all use it, so a price one
 * of them refuses is refused by all.
 * @param price the price in 1e-8 currency units per kWh (or per m3).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_OUT_OF_RANGE if the price is negative or above ::PREPAY_PRICE_MAX.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_price_check(prepay_price_t price);

/**
 * @brief An exact amount equal to a whole number of minor units.
 * @param money minor units.
 * @return `{ money, 0 }`.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API prepay_amount_t prepay_amount_from_money(prepay_money_t money);

/**
 * @brief Checked exact addition of two amounts.
 * @param a first amount (normalised).
 * @param b second amount (normalised).
 * @param out normalised sum; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL or an input has
 * `nanos >= 1e9`; ::PREPAY_E_OVERFLOW if the sum does not fit.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_amount_add(prepay_amount_t a, prepay_amount_t b, prepay_amount_t *out);

/**
 * @brief Checked exact subtraction of two amounts: `*out = a - b`.
 * @param a minuend (normalised).
 * @param b subtrahend (normalised).
 * @param out normalised difference; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL or an input has
 * `nanos >= 1e9`; ::PREPAY_E_OVERFLOW if the difference does not fit.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_amount_sub(prepay_amount_t a, prepay_amount_t b, prepay_amount_t *out);

/**
 * @brief Compares two normalised amounts.
 * @param a first amount.
 * @param b second amount.
 * @return -1 if a < b, 0 if equal, 1 if a > b.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_amount_compare(prepay_amount_t a, prepay_amount_t b);

/**
 * @brief Rounds an exact amount to whole minor units: where money leaves the engine.
 * @param amount exact amount (normalised).
 * @param mode rounding rule (::PREPAY_ROUND_HALF_UP by default in the library).
 * @param out rounded minor units; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL or
 * `nanos >= 1e9`; ::PREPAY_E_BAD_ROUNDING for an unknown @p mode;
 * ::PREPAY_E_OVERFLOW if rounding up passes INT64_MAX.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_amount_round(prepay_amount_t amount, prepay_rounding_t mode, prepay_money_t *out);

/**
 * @brief Formats a fixed-point integer as a decimal string, e.g. (123456, 2) → "1234.56".
 * @param value the scaled integer.
 * @param decimals digits after the point (0..18); 0 prints no point.
 * @param out destination buffer.
 * @param out_cap capacity of @p out in bytes, including the terminating NUL.
 * @return the string length (excluding NUL) on success, or an error.
 *
 * Writes at most @p out_cap bytes. A buffer of 22 + 1 bytes always suffices.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL or @p decimals > 18;
 * ::PREPAY_E_BUFFER_TOO_SMALL if the text and NUL do not fit (nothing useful
 * is written; `out[0]` is set to NUL when @p out_cap > 0).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_fixed_format(int64_t value, unsigned decimals, char *out, size_t out_cap);

/**
 * @brief Parses an exact decimal string into a fixed-point integer, e.g. ("0.58886875", 8) → 58886875.
 * @param text the characters to parse (need not be NUL-terminated).
 * @param text_len number of characters in @p text.
 * @param decimals scale of the result (0..18).
 * @param out parsed value; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * Accepts an optional sign, digits, and an optional point followed by at
 * most @p decimals digits (more would need rounding, which is refused so
 * that a price is never silently changed). No exponent, no spaces.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for a NULL pointer, an empty or
 * malformed string, too many decimals or @p decimals > 18;
 * ::PREPAY_E_OVERFLOW if the value does not fit in int64_t.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_fixed_parse(const char *text, size_t text_len, unsigned decimals, int64_t *out);

PREPAY_END_DECLS

/** @} */

#endif /* PREPAY_FIXED_POINT_H */
