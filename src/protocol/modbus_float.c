/* SPDX-License-Identifier: MIT */
/*
 * IEEE-754 binary32 <-> fixed point with integer arithmetic only (the core
 * has no floating point; Cortex-M4 builds use the soft-float ABI and must
 * not call soft-float helpers).
 *
 * A binary32 x = m x 2^e (m < 2^24). Decoding asks for N = x x 10^d:
 * - EXACT: x x 10^d must be a whole number;
 * - DECIMAL: also, when binary32 steps near x are finer than 10^-d (so at
 *   most one d-decimal number rounds to x), N is accepted if N / 10^d lies
 *   in x's rounding interval, i.e. x is the binary32 nearest to N / 10^d
 *   (ties to even, as IEEE-754 rounds): 0x3F0B851F is 0.545 and, with
 *   d = 3, decodes to 545 and to nothing else;
 * - ROUND: x x 10^d rounded to the nearest whole number, halves away from
 *   zero (PREPAY_ROUND_HALF_UP, the library's rule), for registers a map
 *   declares to be measurements.
 * Anything else is PREPAY_E_MODBUS_INEXACT. Worked example from a vendor
 * document: 1E 85 0B 3F (little-endian) is 0x3F0B851E = 0.5449999570846558,
 * one step below the binary32 of 0.545: EXACT and DECIMAL refuse it, ROUND
 * gives 545 (L/h with d = 3).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/wide_internal.h"
#include "prepay/modbus.h"

typedef prepay__u128_t u128;

static const uint64_t pow10_u64[19] = {1u,
                                       10u,
                                       100u,
                                       1000u,
                                       10000u,
                                       100000u,
                                       1000000u,
                                       10000000u,
                                       100000000u,
                                       1000000000u,
                                       10000000000u,
                                       100000000000u,
                                       1000000000000u,
                                       10000000000000u,
                                       100000000000000u,
                                       1000000000000000u,
                                       10000000000000000u,
                                       100000000000000000u,
                                       1000000000000000000u};

static u128 u128_of(uint64_t v)
{
    u128 r = {0, v};
    return r;
}

static u128 shl(u128 a, unsigned k) /* k < 128 */
{
    if (k == 0) {
        return a;
    }
    u128 r;
    if (k >= 64) {
        r.hi = a.lo << (k - 64);
        r.lo = 0;
    } else {
        r.hi = a.hi << k | a.lo >> (64 - k);
        r.lo = a.lo << k;
    }
    return r;
}

static u128 shr(u128 a, unsigned k) /* k < 128 */
{
    if (k == 0) {
        return a;
    }
    u128 r;
    if (k >= 64) {
        r.lo = a.hi >> (k - 64);
        r.hi = 0;
    } else {
        r.lo = a.lo >> k | a.hi << (64 - k);
        r.hi = a.hi >> k;
    }
    return r;
}

static int cmp(u128 a, u128 b)
{
    if (a.hi != b.hi) {
        return a.hi < b.hi ? -1 : 1;
    }
    if (a.lo != b.lo) {
        return a.lo < b.lo ? -1 : 1;
    }
    return 0;
}

static u128 sub(u128 a, u128 b) /* a >= b */
{
    u128 r;
    r.lo = a.lo - b.lo;
    r.hi = a.hi - b.hi - (a.lo < b.lo ? 1u : 0u);
    return r;
}

static u128 add(u128 a, u128 b)
{
    u128 r;
    r.lo = a.lo + b.lo;
    r.hi = a.hi + b.hi + (r.lo < a.lo ? 1u : 0u);
    return r;
}

static bool is_zero(u128 a)
{
    return a.hi == 0 && a.lo == 0;
}

/* Low k bits of a (k < 128). */
static u128 low_bits(u128 a, unsigned k)
{
    return sub(a, shl(shr(a, k), k));
}

/*
 * Whether candidate C lies in the rounding interval of x = W (both in the
 * same units), whose binary32 step is `ulp` units: |C - W| < ulp / 2 above,
 * < ulp / 2 (ulp / 4 at a power-of-two boundary) below; at exactly the
 * bound the tie goes to x if its mantissa is even (IEEE-754 ties to even).
 */
static bool in_interval(u128 c, u128 w, u128 ulp, bool lower_half_narrow, bool mantissa_even)
{
    if (cmp(c, w) >= 0) {
        u128 twice = shl(sub(c, w), 1);
        int r = cmp(twice, ulp);
        return r < 0 || (r == 0 && mantissa_even);
    }
    u128 diff = sub(w, c);
    u128 scaled = shl(diff, lower_half_narrow ? 2u : 1u);
    int r = cmp(scaled, ulp);
    return r < 0 || (r == 0 && mantissa_even);
}

/* The exact problem: |x| x 10^d = w / unit, where a binary32 step of x is
 * `ulp` in the units of w and a candidate N stands for N x unit. */
typedef struct problem {
    u128 w;
    u128 unit;      /* 2^k (power_of_two) or < 2^64 */
    bool power_of_two;
    unsigned k;     /* unit = 2^k when power_of_two */
    u128 ulp;
    bool unique;    /* steps of x finer than the candidates' spacing */
} problem_t;

/* q = floor(w / unit), and the remainder against half the unit (-1 below, 0 at, 1 above). */
static bool divide(const problem_t *p, u128 *q, bool *exact, int *half)
{
    u128 r;
    if (p->power_of_two) {
        *q = shr(p->w, p->k);
        r = low_bits(p->w, p->k);
    } else if (p->unit.hi == 0) {
        uint64_t qq, rr;
        if (!prepay__u128_divmod(p->w, p->unit.lo, &qq, &rr)) {
            return false; /* quotient >= 2^64 */
        }
        *q = u128_of(qq);
        r = u128_of(rr);
    } else {
        *q = u128_of(0); /* unit >= 2^64 > w */
        r = p->w;
    }
    *exact = is_zero(r);
    *half = cmp(shl(r, 1), p->unit);
    return true;
}

static u128 times_unit(const problem_t *p, u128 n)
{
    return p->power_of_two ? shl(n, p->k) : prepay__u128_mul(n.lo, p->unit.lo);
}

static int finish(u128 n, bool negative, int64_t *out)
{
    if (n.hi != 0 || n.lo > (uint64_t)INT64_MAX) {
        return PREPAY_E_OVERFLOW;
    }
    *out = negative ? -(int64_t)n.lo : (int64_t)n.lo;
    return PREPAY_OK;
}

/*
 * The commonest case in 64-bit arithmetic: a value with a fraction
 * (e = -1..-61) read at d = 0..11 decimals. The problem below with unit 2^k
 * (k = -e): w = m x 10^d < 2^24 x 10^11 < 2^61, every candidate times the
 * unit is at most w + 2^k < 2^62 and every doubled or quadrupled distance is
 * below 2^63, so nothing overflows; the steps are those of the general path.
 */
static int to_fixed_64(uint32_t m, int e, int exponent, prepay_modbus_rule_t rule, bool narrow, bool negative,
                       int64_t *out)
{
    const unsigned k = (unsigned)-e;
    const uint64_t ten = pow10_u64[exponent];
    const uint64_t w = (uint64_t)m * ten;
    const uint64_t unit = (uint64_t)1 << k;
    uint64_t q = w >> k;
    const uint64_t r = w & (unit - 1u);
    if (r != 0) {
        if (rule == PREPAY_MODBUS_RULE_ROUND) {
            q += (r << 1) >= unit ? 1u : 0u;
        } else if (rule == PREPAY_MODBUS_RULE_DECIMAL && ten < unit) {
            const bool even = (m & 1u) == 0;
            uint64_t found = UINT64_MAX;
            for (uint64_t candidate = q; candidate <= q + 1u; candidate++) {
                const uint64_t c = candidate << k;
                uint64_t scaled;
                if (c >= w) {
                    scaled = (c - w) << 1;
                } else {
                    scaled = (w - c) << (narrow ? 2u : 1u);
                }
                if (scaled < ten || (scaled == ten && even)) {
                    found = candidate;
                    break;
                }
            }
            if (found == UINT64_MAX) {
                return PREPAY_E_MODBUS_INEXACT;
            }
            q = found;
        } else {
            return PREPAY_E_MODBUS_INEXACT;
        }
    }
    *out = negative ? -(int64_t)q : (int64_t)q;
    return PREPAY_OK;
}

int prepay_modbus_float_to_fixed(uint32_t bits, int exponent, prepay_modbus_rule_t rule, int64_t *out)
{
    if (!out || exponent < -18 || exponent > 18 ||
        (rule != PREPAY_MODBUS_RULE_EXACT && rule != PREPAY_MODBUS_RULE_DECIMAL && rule != PREPAY_MODBUS_RULE_ROUND)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const bool negative = (bits >> 31) != 0;
    const unsigned biased = (bits >> 23) & 0xFFu;
    const uint32_t fraction = bits & 0x7FFFFFu;
    if (biased == 0xFFu) {
        return PREPAY_E_MODBUS_BAD_VALUE; /* infinity or NaN */
    }
    if (biased == 0 && fraction == 0) {
        *out = 0;
        return PREPAY_OK;
    }
    const uint32_t m = biased == 0 ? fraction : (fraction | 0x800000u);
    const int e = biased == 0 ? -149 : (int)biased - 150; /* |x| = m x 2^e */
    if (exponent >= 0 && exponent <= 11 && e < 0 && e >= -61) {
        return to_fixed_64(m, e, exponent, rule, fraction == 0 && biased > 1, negative, out);
    }
    problem_t p;
    p.power_of_two = false;
    p.k = 0;
    p.unit = u128_of(1);
    if (exponent >= 0) {
        const uint64_t ten = pow10_u64[exponent];
        if (e >= 0) {
            /* A whole number: m x 10^d x 2^e. */
            u128 w = prepay__u128_mul(m, ten); /* < 2^84 */
            if (e >= 64 || cmp(w, shr(u128_of((uint64_t)INT64_MAX), (unsigned)e)) > 0) {
                return PREPAY_E_OVERFLOW;
            }
            return finish(shl(w, (unsigned)e), negative, out);
        }
        /* Units of 2^-k: w = m x 10^d, unit 2^k, a step of x is 10^d units. */
        p.k = (unsigned)-e;
        if (p.k >= 128) {
            /* 0 < |x| x 10^d < 2^-43: rounds to 0; no decimal stands for it */
            if (rule == PREPAY_MODBUS_RULE_ROUND) {
                *out = 0;
                return PREPAY_OK;
            }
            return PREPAY_E_MODBUS_INEXACT;
        }
        p.w = prepay__u128_mul(m, ten);
        p.power_of_two = true;
        p.unit = shl(u128_of(1), p.k);
        p.ulp = u128_of(ten);
        p.unique = p.k >= 64 || ten < (1ull << p.k);
    } else {
        const uint64_t ten = pow10_u64[-exponent];
        if (e >= 0) {
            /* Units of 1: w = m x 2^e, unit 10^|d|, a step of x is 2^e. */
            p.w = shl(u128_of(m), (unsigned)e);
            p.unit = u128_of(ten);
            p.ulp = shl(u128_of(1), (unsigned)e);
            p.unique = e < 60 && (1ull << e) < ten;
        } else {
            /* Units of 2^-k: w = m, unit 10^|d| x 2^k, a step of x is 1 unit of w:
             * only exact multiples lie within half a step. */
            unsigned k = (unsigned)-e;
            p.w = u128_of(m);
            p.unit = k < 64 ? shl(u128_of(ten), k) : shl(u128_of(1), 127);
            p.ulp = u128_of(1);
            p.unique = false; /* no candidate but an exact one is within half a step */
        }
    }
    u128 q;
    bool exact;
    int half;
    if (!divide(&p, &q, &exact, &half)) {
        return PREPAY_E_OVERFLOW;
    }
    if (exact) {
        return finish(q, negative, out);
    }
    switch (rule) {
    case PREPAY_MODBUS_RULE_ROUND:
        return finish(half >= 0 ? add(q, u128_of(1)) : q, negative, out);
    case PREPAY_MODBUS_RULE_DECIMAL: {
        if (!p.unique || q.hi != 0 || q.lo == UINT64_MAX) {
            return PREPAY_E_MODBUS_INEXACT;
        }
        /* Fraction 0 only below a power-of-two boundary for normal numbers. */
        const bool narrow = fraction == 0 && biased > 1;
        const bool even = (m & 1u) == 0;
        for (unsigned i = 0; i < 2; i++) {
            u128 candidate = add(q, u128_of(i));
            if (in_interval(times_unit(&p, candidate), p.w, p.ulp, narrow, even)) {
                return finish(candidate, negative, out);
            }
        }
        return PREPAY_E_MODBUS_INEXACT;
    }
    default:
        return PREPAY_E_MODBUS_INEXACT;
    }
}

static unsigned bit_length(u128 a)
{
    unsigned n = 0;
    while (!is_zero(a)) {
        a = shr(a, 1);
        n++;
    }
    return n;
}

/* Packs a positive value q x 2^e2 (q < 2^64) with remainder r over half = divisor:
 * `cmp_half` < 0 below half, 0 at half, > 0 above. Rounds half to even. */
static int pack(uint64_t q, int cmp_half, int e2, bool negative, uint32_t *bits)
{
    /* q is in [2^23, 2^24) before rounding */
    if (cmp_half > 0 || (cmp_half == 0 && (q & 1u))) {
        q++;
    }
    if (q == (1ull << 24)) {
        q >>= 1;
        e2++;
    }
    int biased = e2 + 150;
    if (biased >= 255) {
        return PREPAY_E_OVERFLOW;
    }
    if (biased <= 0) {
        return PREPAY_E_OVERFLOW; /* not reached: |value| >= 10^-18 is a normal binary32 */
    }
    *bits = (negative ? 0x80000000u : 0u) | (uint32_t)biased << 23 | ((uint32_t)q & 0x7FFFFFu);
    return PREPAY_OK;
}

int prepay_modbus_fixed_to_float(int64_t value, int exponent, uint32_t *bits)
{
    if (!bits || exponent < -18 || exponent > 18) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (value == 0) {
        *bits = 0;
        return PREPAY_OK;
    }
    const bool negative = value < 0;
    const uint64_t v = prepay__magnitude(value);
    if (exponent <= 0) {
        /* x = v x 10^|d|, an integer below 2^123 */
        u128 x = prepay__u128_mul(v, pow10_u64[-exponent]);
        unsigned n = bit_length(x);
        if (n <= 24) {
            return pack(x.lo << (24 - n), -1, (int)n - 24, negative, bits);
        }
        unsigned t = n - 24;
        u128 q = shr(x, t);
        u128 r = low_bits(x, t);
        u128 half = shl(u128_of(1), t - 1);
        return pack(q.lo, cmp(r, half), (int)t, negative, bits);
    }
    /* x = v / 10^d: find s with q = floor(v x 2^s / p) in [2^23, 2^24) */
    const uint64_t p = pow10_u64[exponent];
    int s = 24 - (int)bit_length(u128_of(v)) + (int)bit_length(u128_of(p));
    for (int attempt = 0; attempt < 3; attempt++) {
        uint64_t q, r;
        int half_cmp;
        if (s >= 0) {
            u128 num = shl(u128_of(v), (unsigned)s); /* < 2^(24 + 60) */
            if (!prepay__u128_divmod(num, p, &q, &r)) {
                return PREPAY_E_OVERFLOW;
            }
            half_cmp = r > p - r ? 1 : (r == p - r ? 0 : -1);
        } else {
            unsigned t = (unsigned)-s;
            uint64_t q1 = v / p, r1 = v % p;
            q = q1 >> t;
            uint64_t r2 = q1 & ((1ull << t) - 1u);
            /* remainder (r2 x p + r1) against half of p x 2^t */
            u128 rem = add(prepay__u128_mul(r2, p), u128_of(r1));
            u128 half = shl(u128_of(p), t - 1);
            half_cmp = cmp(rem, half);
        }
        if (q >= (1ull << 24)) {
            s--;
            continue;
        }
        if (q < (1ull << 23)) {
            s++;
            continue;
        }
        return pack(q, half_cmp, -s, negative, bits);
    }
    return PREPAY_E_OVERFLOW; /* not reached: the first estimate is off by at most one */
}
