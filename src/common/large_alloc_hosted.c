/* SPDX-License-Identifier: MIT */
/* Hosted: large record arrays on cache lines or huge pages (large_alloc_internal.h). */
#if defined(__linux__)
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#endif

#include <stdint.h>
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "large_alloc_internal.h"

void *prepay__large_alloc(size_t size)
{
    size_t align = size >= PREPAY__HUGE_PAGE ? PREPAY__HUGE_PAGE : (size_t)64u;
    if (size == 0u || size > SIZE_MAX - (align - 1u)) {
        return NULL;
    }
    /* C11 aligned_alloc(): the size a multiple of the alignment. */
    size_t rounded = (size + align - 1u) & ~(align - 1u);
    void *p = aligned_alloc(align, rounded);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p != NULL && align == PREPAY__HUGE_PAGE) {
        (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: the memory is usable either way */
    }
#endif
    return p;
}
