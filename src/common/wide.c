/* SPDX-License-Identifier: MIT */
/* 128-bit unsigned multiply and divide from 64-bit operations (see wide_internal.h). */
#include "wide_internal.h"

#include "prepay/fixed_point.h"
#include "prepay/status.h"

prepay__u128_t prepay__u128_mul(uint64_t a, uint64_t b)
{
    uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    uint64_t lo_lo = a_lo * b_lo;
    uint64_t hi_lo = a_hi * b_lo;
    uint64_t lo_hi = a_lo * b_hi;
    uint64_t hi_hi = a_hi * b_hi;
    /* Middle column: three terms below 2^32 each, so no overflow. */
    uint64_t middle = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFFu) + (lo_hi & 0xFFFFFFFFu);
    prepay__u128_t r;
    r.lo = (middle << 32) | (lo_lo & 0xFFFFFFFFu);
    r.hi = hi_hi + (hi_lo >> 32) + (lo_hi >> 32) + (middle >> 32);
    return r;
}

bool prepay__u128_divmod(prepay__u128_t n, uint64_t d, uint64_t *quotient, uint64_t *remainder)
{
    if (d == 0 || n.hi >= d) {
        return false;
    }
    if (n.hi == 0) {
        *quotient = n.lo / d;
        *remainder = n.lo % d;
        return true;
    }
    /* Restoring long division, one quotient bit per step. rem < d always;
     * rem may need 65 bits after the shift, tracked by the carry-out. */
    uint64_t rem = n.hi;
    uint64_t q = 0;
    for (int bit = 63; bit >= 0; --bit) {
        bool carry = (rem >> 63) != 0;
        rem = (rem << 1) | ((n.lo >> bit) & 1u);
        q <<= 1;
        if (carry || rem >= d) {
            rem -= d;
            q |= 1u;
        }
    }
    *quotient = q;
    *remainder = rem;
    return true;
}

int prepay__round_quotient(uint64_t q, uint64_t r, uint64_t d, bool negative, int mode, int64_t *out)
{
    int bump = prepay__round_bump(q, r, d, negative, mode);
    if (bump < 0) {
        return PREPAY_E_BAD_ROUNDING;
    }
    /* Whether to bump depends on the data (a remainder): added, not branched on. */
    if ((bump != 0) & (q == UINT64_MAX)) {
        return PREPAY_E_OVERFLOW;
    }
    q += (uint64_t)bump;
    if (negative) {
        if (q > (uint64_t)INT64_MAX + 1u) {
            return PREPAY_E_OVERFLOW;
        }
        *out = q == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)q;
    } else {
        if (q > (uint64_t)INT64_MAX) {
            return PREPAY_E_OVERFLOW;
        }
        *out = (int64_t)q;
    }
    return PREPAY_OK;
}
