/* SPDX-License-Identifier: MIT */
/*
 * Internal (hosted): memory for large record arrays — a settlement site, its
 * work area, a ledger — that a server reads at random (one meter, account,
 * wallet and transfer index slot per reading, docs/settlement.md section 9).
 */
#ifndef PREPAY_LARGE_ALLOC_INTERNAL_H
#define PREPAY_LARGE_ALLOC_INTERNAL_H

#include <stddef.h>

/* The page size of transparent huge pages on x86-64 and AArch64 (4 KiB base pages). */
#define PREPAY__HUGE_PAGE ((size_t)2u << 20)

/*
 * size bytes (rounded up) on a cache line, or, from PREPAY__HUGE_PAGE bytes on, on a
 * PREPAY__HUGE_PAGE boundary and advised to transparent huge pages where the system
 * has them (Linux madvise(MADV_HUGEPAGE); advice only: base pages if refused). A
 * record array of some 100 MB read at random with 4 KiB pages misses the TLB on
 * almost every record, and each miss walks the page tables. NULL when out of memory
 * or size is 0 or too large. free() releases it.
 */
void *prepay__large_alloc(size_t size);

#endif /* PREPAY_LARGE_ALLOC_INTERNAL_H */
