/* SPDX-License-Identifier: MIT */
/* Exact money amounts: energy x price without rounding (see fixed_point.h). */
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "wide_internal.h"

#define NANOS ((uint64_t)PREPAY_AMOUNT_NANOS)

/* Checked unsigned multiply, from the 128-bit product. */
static bool mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    prepay__u128_t p = prepay__u128_mul(a, b);
    *out = p.lo;
    return p.hi == 0;
}

static bool add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    *out = a + b;
    return *out >= a;
}

/* Builds a normalised amount from the sign and magnitude of
 * (whole + fraction / 1e9) minor units. */
static int amount_from_magnitude(bool negative, uint64_t whole, uint64_t fraction, prepay_amount_t *out)
{
    prepay_amount_t a;
    if (!negative || (whole == 0 && fraction == 0)) {
        if (whole > (uint64_t)INT64_MAX) {
            return PREPAY_E_OVERFLOW;
        }
        a.units = (int64_t)whole;
        a.nanos = (uint32_t)fraction;
    } else if (fraction == 0) {
        if (whole > (uint64_t)INT64_MAX + 1u) {
            return PREPAY_E_OVERFLOW;
        }
        a.units = whole == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)whole;
        a.nanos = 0;
    } else {
        /* -(w + f) = -(w + 1) + (1 - f) */
        if (whole >= (uint64_t)INT64_MAX + 1u) {
            return PREPAY_E_OVERFLOW;
        }
        a.units = -(int64_t)whole - 1;
        a.nanos = (uint32_t)(NANOS - fraction);
    }
    *out = a;
    return PREPAY_OK;
}

int prepay_amount_from_product(prepay_energy_t energy, prepay_price_t price, prepay_amount_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* 1 Wh x 1e-8 /kWh = 1e-11 currency = 1e-9 minor unit, so the product of
     * the raw integers counts nanos. Split both factors at 1e9 so that every
     * step is a 64-bit operation with an overflow check:
     *   e*p/1e9 = e*p1 + e1*p0 + (e0*p0)/1e9, remainder (e0*p0) % 1e9
     * where p = p1*1e9 + p0 and e = e1*1e9 + e0. */
    uint64_t e = prepay__magnitude(energy), p = prepay__magnitude(price);
    bool negative = (energy < 0) != (price < 0);
    if ((e | p) >> 32 == 0) {
        /* Both below 2^32 (up to 4294 kWh at up to 42.9 per kWh): the product fits in
         * 64 bits, and its quotient and remainder by 1e9 are those of the split below. */
        uint64_t product = e * p;
        return amount_from_magnitude(negative, prepay__udiv64(product, NANOS), prepay__umod64(product, NANOS), out);
    }
    uint64_t p1 = prepay__udiv64(p, NANOS), p0 = prepay__umod64(p, NANOS);
    uint64_t e1 = prepay__udiv64(e, NANOS), e0 = prepay__umod64(e, NANOS);
    uint64_t low = e0 * p0; /* < 1e18 */
    uint64_t whole, term;
    if (!mul_u64(e, p1, &whole) || !mul_u64(e1, p0, &term) || !add_u64(whole, term, &whole) ||
        !add_u64(whole, prepay__udiv64(low, NANOS), &whole)) {
        return PREPAY_E_OVERFLOW;
    }
    return amount_from_magnitude(negative, whole, prepay__umod64(low, NANOS), out);
}

prepay_amount_t prepay_amount_from_money(prepay_money_t money)
{
    prepay_amount_t a = {money, 0};
    return a;
}

int prepay_amount_add(prepay_amount_t a, prepay_amount_t b, prepay_amount_t *out)
{
    if (!out || a.nanos >= NANOS || b.nanos >= NANOS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t nanos = a.nanos + b.nanos; /* < 2e9 fits uint32 */
    int64_t carry = 0;
    if (nanos >= NANOS) {
        nanos -= (uint32_t)NANOS;
        carry = 1;
    }
    int64_t units;
    if (prepay_i64_add(a.units, b.units, &units) != PREPAY_OK || prepay_i64_add(units, carry, &units) != PREPAY_OK) {
        return PREPAY_E_OVERFLOW;
    }
    out->units = units;
    out->nanos = nanos;
    return PREPAY_OK;
}

int prepay_amount_sub(prepay_amount_t a, prepay_amount_t b, prepay_amount_t *out)
{
    if (!out || a.nanos >= NANOS || b.nanos >= NANOS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int64_t borrow = 0;
    uint32_t nanos;
    if (a.nanos >= b.nanos) {
        nanos = a.nanos - b.nanos;
    } else {
        nanos = (uint32_t)(NANOS - b.nanos + a.nanos);
        borrow = 1;
    }
    int64_t units;
    if (prepay_i64_sub(a.units, b.units, &units) != PREPAY_OK || prepay_i64_sub(units, borrow, &units) != PREPAY_OK) {
        return PREPAY_E_OVERFLOW;
    }
    out->units = units;
    out->nanos = nanos;
    return PREPAY_OK;
}

int prepay_amount_compare(prepay_amount_t a, prepay_amount_t b)
{
    if (a.units != b.units) {
        return a.units < b.units ? -1 : 1;
    }
    if (a.nanos != b.nanos) {
        return a.nanos < b.nanos ? -1 : 1;
    }
    return 0;
}

int prepay_amount_round(prepay_amount_t amount, prepay_rounding_t mode, prepay_money_t *out)
{
    if (!out || amount.nanos >= NANOS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Express the amount as sign and magnitude (q + r/1e9) and apply the
     * shared rounding rule. */
    bool negative = amount.units < 0;
    uint64_t q, r;
    if (!negative) {
        q = (uint64_t)amount.units;
        r = amount.nanos;
    } else if (amount.nanos == 0) {
        q = prepay__magnitude(amount.units);
        r = 0;
    } else {
        /* units + f with units < 0: magnitude = (|units| - 1) + (1 - f) */
        q = prepay__magnitude(amount.units) - 1u;
        r = NANOS - amount.nanos;
    }
    int64_t result;
    int status = prepay__round_quotient(q, r, NANOS, negative, (int)mode, &result);
    if (status == PREPAY_OK) {
        *out = result;
    }
    return status;
}
