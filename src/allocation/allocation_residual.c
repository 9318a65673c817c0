/* SPDX-License-Identifier: MIT */
/* Master minus sub-meters: common consumption, fault policy, loss ratio (see allocation.h). */
#include "prepay/allocation.h"

int prepay_allocation_residual(prepay_energy_t master, const prepay_energy_t *subs, size_t sub_count,
                          prepay_energy_t carried_in, prepay_allocation_residual_policy_t policy,
                          prepay_allocation_residual_t *out)
{
    if (!out || (!subs && sub_count > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (master < 0 || carried_in > 0) {
        return PREPAY_E_ALLOCATION_NEGATIVE_READING;
    }
    if (policy != PREPAY_ALLOCATION_RESIDUAL_FAIL && policy != PREPAY_ALLOCATION_RESIDUAL_CLAMP &&
        policy != PREPAY_ALLOCATION_RESIDUAL_CARRY) {
        return PREPAY_E_ALLOCATION_BAD_POLICY;
    }
    prepay_energy_t sub_total = 0;
    for (size_t i = 0; i < sub_count; i++) {
        if (subs[i] < 0) {
            return PREPAY_E_ALLOCATION_NEGATIVE_READING;
        }
        int status = prepay_i64_add(sub_total, subs[i], &sub_total);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    /* master >= 0 and sub_total >= 0, so the difference always fits. */
    prepay_energy_t own = master - sub_total;
    prepay_energy_t raw;
    int status = prepay_i64_add(own, carried_in, &raw);
    if (status != PREPAY_OK) {
        return status;
    }
    if (raw < 0 && policy == PREPAY_ALLOCATION_RESIDUAL_FAIL) {
        return PREPAY_E_ALLOCATION_NEGATIVE_RESIDUAL;
    }
    if (raw == INT64_MIN) {
        return PREPAY_E_OVERFLOW; /* -raw (the clamped excess) would not fit */
    }
    int64_t loss_bp = 0;
    if (master > 0) {
        /* |own| <= max(master, sub_total); the quotient can still exceed int64 only
         * for absurd sub-meter totals, which is reported. */
        status = prepay_i64_muldiv(own, 10000, master, PREPAY_ROUND_HALF_UP, &loss_bp);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    prepay_allocation_residual_t r;
    r.master = master;
    r.sub_total = sub_total;
    r.carried_in = carried_in;
    r.raw = raw;
    r.negative = raw < 0;
    r.common = raw < 0 ? 0 : raw;
    r.carry_out = (raw < 0 && policy == PREPAY_ALLOCATION_RESIDUAL_CARRY) ? raw : 0;
    r.clamped = (raw < 0 && policy == PREPAY_ALLOCATION_RESIDUAL_CLAMP) ? -raw : 0;
    r.loss_bp = loss_bp;
    *out = r;
    return PREPAY_OK;
}

int prepay_allocation_price_energy(prepay_energy_t energy, prepay_price_t price, prepay_rounding_t mode,
                              prepay_money_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* The library's one price check: a negative common-area price would credit tenants. */
    int status = prepay_price_check(price);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_amount_t amount;
    status = prepay_amount_from_product(energy, price, &amount);
    if (status != PREPAY_OK) {
        return status;
    }
    return prepay_amount_round(amount, mode, out);
}
