/* SPDX-License-Identifier: MIT */
/**
 * @file ledger_hosted.h
 * @brief Heap allocation of a ledger's memory (hosted builds only).
 *
 * The ledger (ledger.h) never allocates: the caller gives it memory sized by
 * prepay_ledger_memory_size() and cut up by prepay_ledger_memory_layout().
 * This helper takes that memory from the heap for servers and tools, as
 * prepay_settlement_memory_alloc() does for a settlement site: from 2 MiB on,
 * on a 2 MiB boundary and advised to transparent huge pages where the system
 * has them (Linux), since a server reads a large ledger's wallets and
 * transfer index at random (docs/settlement.md section 9). Implemented in
 * `src/ledger/ledger_memory_hosted.c`; not part of the firmware profile, so
 * not included by the freestanding umbrella prepay.h (prepay_hosted.h
 * includes it).
 */
#ifndef PREPAY_LEDGER_HOSTED_H
#define PREPAY_LEDGER_HOSTED_H

#include <stdint.h>

#include "prepay/export.h"
#include "prepay/ledger.h"

PREPAY_BEGIN_DECLS

/**
 * @brief Allocates and lays out a ledger's memory (hosted builds only).
 * @param memory out: the arrays of a ledger of these capacities, ready for prepay_ledger_init();
 *        unchanged on error.
 * @param accounts account capacity, 1 .. ::PREPAY_LEDGER_MAX_SIZED_CAPACITY.
 * @param transfers transfer capacity, 1 .. ::PREPAY_LEDGER_MAX_SIZED_CAPACITY.
 * @return ::PREPAY_OK, or an error.
 *
 * The memory's contents are unspecified until prepay_ledger_init() (which needs none of them).
 * Free it with prepay_ledger_memory_free().
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL memory, a capacity out of range, or a size this
 * machine cannot address); ::PREPAY_E_CAPACITY (out of memory).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_memory_alloc(prepay_ledger_memory_t *memory, uint32_t accounts, uint32_t transfers);

/**
 * @brief Frees memory from prepay_ledger_memory_alloc() and zeroes @p memory (hosted builds only).
 * @param memory the memory (NULL, or zeroed: nothing).
 *
 * **Errors:** none.
 */
PREPAY_API void prepay_ledger_memory_free(prepay_ledger_memory_t *memory);

PREPAY_END_DECLS

#endif /* PREPAY_LEDGER_HOSTED_H */
