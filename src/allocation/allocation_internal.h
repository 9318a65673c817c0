/* SPDX-License-Identifier: MIT */
/*
 * Internal: the largest-remainder split over strided arrays, so that
 * prepay_allocation_allocate() can split straight into its output lines without
 * a scratch array.
 */
#ifndef PREPAY_ALLOCATION_INTERNAL_H
#define PREPAY_ALLOCATION_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Same contract as prepay_allocation_split(): weight i is the int64_t at
 * weights + i * weight_stride, share i is written to shares + i * share_stride
 * (both unaligned-safe, copied with memcpy). The weight and share objects must
 * not overlap. Validates everything before writing anything.
 */
int prepay__alloc_split_strided(int64_t total, const unsigned char *weights, size_t weight_stride,
                                unsigned char *shares, size_t share_stride, size_t count);

#endif /* PREPAY_ALLOCATION_INTERNAL_H */
