/* SPDX-License-Identifier: MIT */
/* Checked int64 arithmetic and the library's one rounding rule (see fixed_point.h). */
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "wide_internal.h"

int prepay_i64_add(int64_t a, int64_t b, int64_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) {
        return PREPAY_E_OVERFLOW;
    }
    *out = a + b;
    return PREPAY_OK;
}

int prepay_i64_sub(int64_t a, int64_t b, int64_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b)) {
        return PREPAY_E_OVERFLOW;
    }
    *out = a - b;
    return PREPAY_OK;
}

int prepay_i64_mul(int64_t a, int64_t b, int64_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    bool negative = (a < 0) != (b < 0);
    prepay__u128_t p = prepay__u128_mul(prepay__magnitude(a), prepay__magnitude(b));
    if (p.hi != 0) {
        return PREPAY_E_OVERFLOW;
    }
    /* Exact product: rounding cannot change it (remainder 0). */
    return prepay__round_quotient(p.lo, 0, 1, negative, PREPAY_ROUND_DOWN, out);
}

int prepay_i64_div_round(int64_t num, int64_t den, prepay_rounding_t mode, int64_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (den == 0) {
        return PREPAY_E_DIVIDE_BY_ZERO;
    }
    uint64_t n = prepay__magnitude(num), d = prepay__magnitude(den);
    int64_t result;
    int status = prepay__round_quotient(prepay__udiv64(n, d), prepay__umod64(n, d), d, (num < 0) != (den < 0), (int)mode,
                                        &result);
    if (status == PREPAY_OK) {
        *out = result;
    }
    return status;
}

int prepay_i64_muldiv(int64_t a, int64_t b, int64_t den, prepay_rounding_t mode, int64_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (den == 0) {
        return PREPAY_E_DIVIDE_BY_ZERO;
    }
    prepay__u128_t p = prepay__u128_mul(prepay__magnitude(a), prepay__magnitude(b));
    uint64_t d = prepay__magnitude(den);
    uint64_t q, r;
    if (!prepay__u128_divmod(p, d, &q, &r)) {
        /* Check the rounding mode first so a bad mode is reported as such. */
        if ((unsigned)mode > (unsigned)PREPAY_ROUND_CEILING) {
            return PREPAY_E_BAD_ROUNDING;
        }
        return PREPAY_E_OVERFLOW;
    }
    bool negative = ((a < 0) != (b < 0)) != (den < 0);
    if (p.hi == 0 && p.lo == 0) {
        negative = false;
    }
    int64_t result;
    int status = prepay__round_quotient(q, r, d, negative, (int)mode, &result);
    if (status == PREPAY_OK) {
        *out = result;
    }
    return status;
}
