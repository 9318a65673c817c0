/*
 * IEEE-754 binary32 <-> fixed point with integer arithmetic only (the core
 * has no floating point; Cortex-M4 builds use the soft-float ABI and must
 * not call soft-float helpers).
 *
 * A binary32 x = m x 2^E (m < 2^24). Decoding asks for N = x x 10^d:
 * - exact if x x 10^d is an integer;
 * - otherwise, when binary32 steps near x are finer than 10^-d (ulp x 10^d
 *   < 1, so at most one d-decimal number rounds to x), N is accepted if
 *   N / 10^d lies in x's rounding interval, i.e. x is the binary32 nearest
 *   to N / 10^d (ties to even, as IEEE-754 rounds). A meter that computed
 *   0.545 m³/h and sent it as a float sent 0x3F0B851E; with d = 3 this
 *   decodes to 545 L/h and to nothing else.
 * Everything else is PREPAY_E_MODBUS_INEXACT: nothing is rounded away.
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
 * bound the tie goes to x if its mantissa is even.
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

static int finish(u128 n, bool negative, int64_t *out)
{
    if (n.hi != 0 || n.lo > (uint64_t)INT64_MAX) {
        return PREPAY_E_OVERFLOW;
    }
    *out = negative ? -(int64_t)n.lo : (int64_t)n.lo;
    return PREPAY_OK;
}

int prepay_modbus_float_to_fixed(uint32_t bits, int exponent, bool strict, int64_t *out)
{
    if (!out || exponent < -18 || exponent > 18) {
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
    const int e = biased == 0 ? -149 : (int)biased - 150;
    /* The step below x is half the step above at a power of two (not for subnormals or the smallest normal). */
    const bool narrow = fraction == 0 && biased > 1;
    const bool even = (m & 1u) == 0;
    if (exponent >= 0) {
        const uint64_t p = pow10_u64[exponent];
        u128 w = prepay__u128_mul(m, p); /* x x 10^d x 2^-e, < 2^84 */
        if (e >= 0) {
            if (e >= 64 || cmp(w, shr(u128_of((uint64_t)INT64_MAX), (unsigned)e)) > 0) {
                return PREPAY_E_OVERFLOW;
            }
            return finish(shl(w, (unsigned)e), negative, out);
        }
        const unsigned k = (unsigned)-e;
        if (k >= 128) {
            return PREPAY_E_MODBUS_INEXACT; /* 0 < x x 10^d < 2^-43: not a whole number, and no decimal rounds to x */
        }
        u128 q = shr(w, k);
        u128 r = low_bits(w, k);
        if (is_zero(r)) {
            return finish(q, negative, out);
        }
        /* Units of 2^-k: x -> w, a step of x -> p, candidate N -> N x 2^k. */
        if (strict || (k < 64 && p >= (1ull << k))) {
            return PREPAY_E_MODBUS_INEXACT; /* steps of x coarser than 10^-d: no unique decimal */
        }
        if (cmp(shl(r, 1), shl(u128_of(1), k)) >= 0) {
            q = add(q, u128_of(1));
        }
        if (is_zero(q)) {
            return PREPAY_E_MODBUS_INEXACT;
        }
        if (!in_interval(shl(q, k), w, u128_of(p), narrow, even)) {
            return PREPAY_E_MODBUS_INEXACT;
        }
        return finish(q, negative, out);
    }
    const uint64_t d = pow10_u64[-exponent];
    if (e < 0) {
        /* x has a fraction and the unit is 10^|d| >= 10: only exact multiples qualify. */
        const unsigned k = (unsigned)-e;
        if (k >= 24) {
            return PREPAY_E_MODBUS_INEXACT;
        }
        u128 z = shl(u128_of(d), k);
        if (z.hi != 0 || m % z.lo != 0) {
            return PREPAY_E_MODBUS_INEXACT;
        }
        return finish(u128_of(m / z.lo), negative, out);
    }
    /* Units of 1: x -> w = m x 2^e, a step of x -> 2^e, candidate N -> N x 10^|d|. */
    u128 w = shl(u128_of(m), (unsigned)e);
    uint64_t q, r;
    if (!prepay__u128_divmod(w, d, &q, &r)) {
        return PREPAY_E_OVERFLOW;
    }
    if (r == 0) {
        return finish(u128_of(q), negative, out);
    }
    if (strict || e >= 60 || (1ull << e) >= d) {
        return PREPAY_E_MODBUS_INEXACT;
    }
    if (r >= d - r) {
        q++;
    }
    if (q == 0) {
        return PREPAY_E_MODBUS_INEXACT;
    }
    if (!in_interval(prepay__u128_mul(q, d), w, u128_of(1ull << e), narrow, even)) {
        return PREPAY_E_MODBUS_INEXACT;
    }
    return finish(u128_of(q), negative, out);
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
