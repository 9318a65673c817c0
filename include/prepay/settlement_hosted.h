/* SPDX-License-Identifier: MIT */
/**
 * @file settlement_hosted.h
 * @brief Heap allocation of a settlement site's memory and work area (hosted builds only).
 *
 * The settlement module itself (settlement.h) never allocates: the caller
 * gives it memory sized by prepay_settlement_memory_size() and
 * prepay_settlement_work_size(). These helpers take that memory from malloc
 * for servers and tools. Implemented in
 * `src/settlement/settlement_memory_hosted.c`; not part of the firmware
 * profile, so not included by the freestanding umbrella prepay.h
 * (prepay_hosted.h includes it).
 */
#ifndef PREPAY_SETTLEMENT_HOSTED_H
#define PREPAY_SETTLEMENT_HOSTED_H

#include "prepay/export.h"
#include "prepay/settlement.h"

PREPAY_BEGIN_DECLS

/**
 * @brief Allocates a site's memory with malloc (hosted builds only).
 * @param memory out: the memory.
 * @param sizes capacities.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_OVERFLOW; ::PREPAY_E_CAPACITY (out of memory).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_memory_alloc(prepay_settlement_memory_t *memory, const prepay_settlement_sizes_t *sizes);

/**
 * @brief Frees memory from prepay_settlement_memory_alloc() (hosted builds only).
 * @param memory the memory (NULL: nothing).
 *
 * **Errors:** none.
 */
PREPAY_API void prepay_settlement_memory_free(prepay_settlement_memory_t *memory);

/**
 * @brief Allocates a work area with malloc (hosted builds only).
 * @param work out: the work area.
 * @param sizes capacities.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_OVERFLOW; ::PREPAY_E_CAPACITY (out of memory).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_work_alloc(prepay_settlement_work_t *work, const prepay_settlement_work_sizes_t *sizes);

/**
 * @brief Frees a work area from prepay_settlement_work_alloc() (hosted builds only).
 * @param work the work area (NULL: nothing).
 *
 * **Errors:** none.
 */
PREPAY_API void prepay_settlement_work_free(prepay_settlement_work_t *work);

PREPAY_END_DECLS

#endif /* PREPAY_SETTLEMENT_HOSTED_H */
