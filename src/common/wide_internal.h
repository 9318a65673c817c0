/* SPDX-License-Identifier: MIT */
/*
 * Internal: 128-bit unsigned helpers built from 32/64-bit operations only.
 *
 * Cortex-M has no __int128, and the library must give the same answer on a
 * meter and on a server, so there is one portable path and no
 * compiler-specific fast path.
 */
#ifndef PREPAY_WIDE_INTERNAL_H
#define PREPAY_WIDE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "prepay/config.h"
#include "prepay/fixed_point.h"

typedef struct prepay__u128 {
    uint64_t hi;
    uint64_t lo;
} prepay__u128_t;

/* Full 64 x 64 -> 128 product. */
prepay__u128_t prepay__u128_mul(uint64_t a, uint64_t b);

/* n / d with quotient and remainder. Returns false (and writes nothing) if
 * d == 0 or the quotient does not fit in 64 bits (n.hi >= d). */
bool prepay__u128_divmod(prepay__u128_t n, uint64_t d, uint64_t *quotient, uint64_t *remainder);

/* |v| as an unsigned value, defined for INT64_MIN too. */
static inline uint64_t prepay__magnitude(int64_t v)
{
    return v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
}

/* 64-bit division with C's operators' results (C11 6.5.5p6: the quotient truncated toward
 * zero, the remainder with the dividend's sign; d != 0, and not INT64_MIN / -1).
 * PREPAY_DIV64_COMPACT 1 (config_default.h): one small out-of-line routine (a hardware
 * 32-bit divide when both operands fit 32 bits, else a restoring loop, wide.c) instead of
 * libgcc's __aeabi_ldivmod, __aeabi_uldivmod and __udivmoddi4 (908 bytes on a Cortex-M4);
 * 0: the operators themselves. */
#if PREPAY_DIV64_COMPACT
uint64_t prepay__udiv64(uint64_t n, uint64_t d);
uint64_t prepay__umod64(uint64_t n, uint64_t d);
int64_t prepay__sdiv64(int64_t n, int64_t d);
int64_t prepay__smod64(int64_t n, int64_t d);
#else
static inline uint64_t prepay__udiv64(uint64_t n, uint64_t d)
{
    return n / d;
}
static inline uint64_t prepay__umod64(uint64_t n, uint64_t d)
{
    return n % d;
}
static inline int64_t prepay__sdiv64(int64_t n, int64_t d)
{
    return n / d;
}
static inline int64_t prepay__smod64(int64_t n, int64_t d)
{
    return n % d;
}
#endif

/* The library's one rounding rule: whether a mode rounds the magnitude
 * quotient q with remainder r over divisor d (r < d) up by one (1) or not
 * (0), given the sign of the exact value; -1 for an unknown mode.
 * prepay__round_quotient() applies it; hot paths may inline it. */
static inline int prepay__round_bump(uint64_t q, uint64_t r, uint64_t d, bool negative, int mode)
{
    uint64_t other = d - r; /* distance to the next multiple */
    if (mode == PREPAY_ROUND_HALF_UP) {
        return r != 0 && r >= other; /* the default rule: tested first, without a jump table */
    }
    switch (mode) {
    case PREPAY_ROUND_HALF_UP: return r != 0 && r >= other;
    case PREPAY_ROUND_HALF_EVEN: return r != 0 && (r > other || (r == other && (q & 1u) != 0));
    case PREPAY_ROUND_DOWN: return 0;
    case PREPAY_ROUND_UP: return r != 0;
    case PREPAY_ROUND_FLOOR: return r != 0 && negative;
    case PREPAY_ROUND_CEILING: return r != 0 && !negative;
    default: return -1;
    }
}

/* Applies a rounding mode to a magnitude quotient q with remainder r over
 * divisor d (r < d), then the sign (prepay__round_bump()).
 * Returns PREPAY_OK, PREPAY_E_BAD_ROUNDING or PREPAY_E_OVERFLOW. */
int prepay__round_quotient(uint64_t q, uint64_t r, uint64_t d, bool negative, int mode, int64_t *out);

#endif /* PREPAY_WIDE_INTERNAL_H */
