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

/* (hi * 2^64 + lo) / d for hi < d: restoring long division, one quotient bit per step.
 * rem < d always; rem may need 65 bits after the shift, tracked by the carry-out. */
static uint64_t long_divide(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *remainder)
{
    uint64_t rem = hi;
    uint64_t q = 0;
    for (int bit = 63; bit >= 0; --bit) {
        bool carry = (rem >> 63) != 0;
        rem = (rem << 1) | ((lo >> bit) & 1u);
        q <<= 1;
        if (carry || rem >= d) {
            rem -= d;
            q |= 1u;
        }
    }
    *remainder = rem;
    return q;
}

#if PREPAY_DIV64_COMPACT
/* n / d and n % d without libgcc's 64-bit division (wide_internal.h). */
static uint64_t udivmod(uint64_t n, uint64_t d, uint64_t *remainder)
{
    if (((n | d) >> 32) == 0) {
        /* Both fit 32 bits (times in seconds since 2000, most energies and prices): one hardware divide. */
        uint32_t q = (uint32_t)n / (uint32_t)d;
        *remainder = (uint32_t)n - q * (uint32_t)d;
        return q;
    }
    return long_divide(0, n, d, remainder);
}

uint64_t prepay__udiv64(uint64_t n, uint64_t d)
{
    uint64_t r;
    return udivmod(n, d, &r);
}

uint64_t prepay__umod64(uint64_t n, uint64_t d)
{
    uint64_t r;
    (void)udivmod(n, d, &r);
    return r;
}

/* Two's complement of a magnitude (conversion modulo 2^64, as every target of the library does). */
static int64_t negate_if(uint64_t v, bool negative)
{
    return (int64_t)(negative ? 0u - v : v);
}

int64_t prepay__sdiv64(int64_t n, int64_t d)
{
    uint64_t r;
    return negate_if(udivmod(prepay__magnitude(n), prepay__magnitude(d), &r), (n < 0) != (d < 0));
}

int64_t prepay__smod64(int64_t n, int64_t d)
{
    uint64_t r;
    (void)udivmod(prepay__magnitude(n), prepay__magnitude(d), &r);
    return negate_if(r, n < 0);
}
#endif

bool prepay__u128_divmod(prepay__u128_t n, uint64_t d, uint64_t *quotient, uint64_t *remainder)
{
    if (d == 0 || n.hi >= d) {
        return false;
    }
    if (n.hi == 0) {
        *quotient = prepay__udiv64(n.lo, d);
        *remainder = prepay__umod64(n.lo, d);
        return true;
    }
    *quotient = long_divide(n.hi, n.lo, d, remainder);
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
