/* SPDX-License-Identifier: MIT */
/**
 * @file deprecated.h
 * @brief Old names kept for one release after 0.1.0: each is an alias of its new name and warns when used.
 *
 * Renamed after 0.1.0 because the old names were traps (issue 20):
 * - prepay_time_from_dlt645_date_time() (a 4-byte date and a separate
 *   3-byte time) was one letter from prepay_time_from_dlt645_datetime()
 *   (one 6-byte field): it is now prepay_time_from_dlt645_date_and_time();
 * - the allocation module's `prepay_alloc_*` names did not match the module
 *   (`allocation`, `PREPAY_E_ALLOCATION_*`, allocation.h) and read like
 *   memory allocation: they are now `prepay_allocation_*` (functions,
 *   types) and `PREPAY_ALLOCATION_*` (constants).
 *
 * Every old function is still exported by the library (a program built
 * against 0.1 links), and every old name still compiles, with a
 * ::PREPAY_DEPRECATED warning naming the replacement (the old constants are
 * plain macros and do not warn). The old struct and
 * enum tags (`struct prepay_alloc_part` ...) are not kept: use the typedefs.
 * prepay.h includes this header; it is freestanding.
 */
#ifndef PREPAY_DEPRECATED_H
#define PREPAY_DEPRECATED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/allocation.h"
#include "prepay/civil_time.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"

PREPAY_BEGIN_DECLS

/** @deprecated Use ::prepay_allocation_residual_policy_t. @brief Old name of ::prepay_allocation_residual_policy_t. */
typedef prepay_allocation_residual_policy_t prepay_alloc_residual_policy_t
    PREPAY_DEPRECATED("use prepay_allocation_residual_policy_t");
/** @deprecated Use ::prepay_allocation_residual_t. @brief Old name of ::prepay_allocation_residual_t. */
typedef prepay_allocation_residual_t prepay_alloc_residual_t PREPAY_DEPRECATED("use prepay_allocation_residual_t");
/** @deprecated Use ::prepay_allocation_vacancy_t. @brief Old name of ::prepay_allocation_vacancy_t. */
typedef prepay_allocation_vacancy_t prepay_alloc_vacancy_t PREPAY_DEPRECATED("use prepay_allocation_vacancy_t");
/** @deprecated Use ::prepay_allocation_part_t. @brief Old name of ::prepay_allocation_part_t. */
typedef prepay_allocation_part_t prepay_alloc_part_t PREPAY_DEPRECATED("use prepay_allocation_part_t");
/** @deprecated Use ::prepay_allocation_request_t. @brief Old name of ::prepay_allocation_request_t. */
typedef prepay_allocation_request_t prepay_alloc_request_t PREPAY_DEPRECATED("use prepay_allocation_request_t");
/** @deprecated Use ::prepay_allocation_line_t. @brief Old name of ::prepay_allocation_line_t. */
typedef prepay_allocation_line_t prepay_alloc_line_t PREPAY_DEPRECATED("use prepay_allocation_line_t");

/*
 * The old constant names are macros for the new enumerators (so they keep the
 * enum's type): a macro cannot carry the deprecated attribute, so these do
 * not warn.
 */
/** @deprecated Use ::PREPAY_ALLOCATION_RESIDUAL_FAIL. @brief Old name of ::PREPAY_ALLOCATION_RESIDUAL_FAIL. */
#define PREPAY_ALLOC_RESIDUAL_FAIL PREPAY_ALLOCATION_RESIDUAL_FAIL
/** @deprecated Use ::PREPAY_ALLOCATION_RESIDUAL_CLAMP. @brief Old name of ::PREPAY_ALLOCATION_RESIDUAL_CLAMP. */
#define PREPAY_ALLOC_RESIDUAL_CLAMP PREPAY_ALLOCATION_RESIDUAL_CLAMP
/** @deprecated Use ::PREPAY_ALLOCATION_RESIDUAL_CARRY. @brief Old name of ::PREPAY_ALLOCATION_RESIDUAL_CARRY. */
#define PREPAY_ALLOC_RESIDUAL_CARRY PREPAY_ALLOCATION_RESIDUAL_CARRY
/** @deprecated Use ::PREPAY_ALLOCATION_VACANT_OWNER. @brief Old name of ::PREPAY_ALLOCATION_VACANT_OWNER. */
#define PREPAY_ALLOC_VACANT_OWNER PREPAY_ALLOCATION_VACANT_OWNER
/** @deprecated Use ::PREPAY_ALLOCATION_VACANT_SKIP. @brief Old name of ::PREPAY_ALLOCATION_VACANT_SKIP. */
#define PREPAY_ALLOC_VACANT_SKIP PREPAY_ALLOCATION_VACANT_SKIP

/**
 * @deprecated Use prepay_time_from_dlt645_date_and_time().
 * @copydoc prepay_time_from_dlt645_date_and_time()
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_from_dlt645_date_time(const uint8_t date[4], const uint8_t *time, bool check_weekday,
                                                 prepay_time_t *out)
    PREPAY_DEPRECATED("use prepay_time_from_dlt645_date_and_time (prepay_time_from_dlt645_datetime is the 6-byte form)");

/**
 * @deprecated Use prepay_allocation_split().
 * @copydoc prepay_allocation_split()
 */
PREPAY_NODISCARD
PREPAY_API int prepay_alloc_split(int64_t total, const int64_t *weights, size_t count, int64_t *shares)
    PREPAY_DEPRECATED("use prepay_allocation_split");

/**
 * @deprecated Use prepay_allocation_weight_days().
 * @copydoc prepay_allocation_weight_days()
 */
PREPAY_NODISCARD
PREPAY_API int prepay_alloc_weight_days(int64_t weight, int32_t days, int64_t *out)
    PREPAY_DEPRECATED("use prepay_allocation_weight_days");

/**
 * @deprecated Use prepay_allocation_residual().
 * @copydoc prepay_allocation_residual()
 */
PREPAY_NODISCARD
PREPAY_API int prepay_alloc_residual(prepay_energy_t master, const prepay_energy_t *subs, size_t sub_count,
                                     prepay_energy_t carried_in, prepay_allocation_residual_policy_t policy,
                                     prepay_allocation_residual_t *out) PREPAY_DEPRECATED("use prepay_allocation_residual");

/**
 * @deprecated Use prepay_allocation_price_energy().
 * @copydoc prepay_allocation_price_energy()
 */
PREPAY_NODISCARD
PREPAY_API int prepay_alloc_price_energy(prepay_energy_t energy, prepay_price_t price, prepay_rounding_t mode,
                                         prepay_money_t *out) PREPAY_DEPRECATED("use prepay_allocation_price_energy");

/**
 * @deprecated Use prepay_allocation_allocate().
 * @copydoc prepay_allocation_allocate()
 */
PREPAY_NODISCARD
PREPAY_API int prepay_alloc_allocate(const prepay_allocation_request_t *request, const prepay_allocation_part_t *parts,
                                     size_t count, prepay_allocation_line_t *lines, size_t lines_cap,
                                     size_t *line_count) PREPAY_DEPRECATED("use prepay_allocation_allocate");

PREPAY_END_DECLS

#endif /* PREPAY_DEPRECATED_H */
