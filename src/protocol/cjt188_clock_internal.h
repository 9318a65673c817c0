/* SPDX-License-Identifier: MIT */
/*
 * The CJ/T 188 clock (ss mm hh DD MM YY YY, BCD: CJ/T 188-2004, real time
 * field of 901F) to prepay_time_t, inlined into the 901F decoders where it is
 * a quarter of the work; prepay_cjt188_clock_decode() is its public form.
 */
#ifndef PREPAY_CJT188_CLOCK_INTERNAL_H
#define PREPAY_CJT188_CLOCK_INTERNAL_H

#include <stdint.h>

#include "../common/civil_time_internal.h"
#include "cjt188_internal.h"
#include "prepay/civil_time.h"
#include "prepay/cjt188.h"

/* A ::prepay_cjt188_clock state; *out written only when VALID. */
static inline int prepay__cjt188_clock_read(const uint8_t in[7], prepay_time_t *out)
{
    const uint32_t low = prepay__cjt188_gather32(in, 4);      /* ss mm hh DD */
    const uint32_t high = prepay__cjt188_gather32(in + 4, 3); /* MM YY YY */
    if ((low == 0 && high == 0) || (low == 0xFFFFFFFFu && high == 0xFFFFFFu)) {
        return PREPAY_CJT188_CLOCK_ABSENT;
    }
    if (!prepay__cjt188_bcd_wide_ok((uint64_t)high << 32 | low)) {
        return PREPAY_CJT188_CLOCK_INVALID;
    }
    /* Every byte to 0..99 at once (four bytes of a word in parallel). */
    const uint32_t lo = (low & 0x0F0F0F0Fu) + ((low >> 4) & 0x0F0F0F0Fu) * 10u;
    const uint32_t hi = (high & 0x0F0F0F0Fu) + ((high >> 4) & 0x0F0F0F0Fu) * 10u;
    const unsigned f[7] = {lo & 0xFFu, (lo >> 8) & 0xFFu, (lo >> 16) & 0xFFu, lo >> 24,
                           hi & 0xFFu, (hi >> 8) & 0xFFu, (hi >> 16) & 0xFFu};
    /* ss mm hh DD MM YY(low) YY(high) */
    if (f[0] > 59 || f[1] > 59 || f[2] > 23) {
        return PREPAY_CJT188_CLOCK_INVALID;
    }
    prepay_days_t days;
    const int32_t year = (int32_t)(f[6] * 100u + f[5]);
    if (!prepay__days_from_date(year, f[4], f[3], &days)) {
        return PREPAY_CJT188_CLOCK_INVALID;
    }
    *out = (prepay_time_t)days * PREPAY_SECONDS_PER_DAY + (prepay_time_t)(f[2] * 3600u + f[1] * 60u + f[0]);
    return PREPAY_CJT188_CLOCK_VALID;
}

#endif /* PREPAY_CJT188_CLOCK_INTERNAL_H */
