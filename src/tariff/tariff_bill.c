/* SPDX-License-Identifier: MIT */
/* Bills: canonical line order, merging, rounding per line or per bill, totals. */
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_internal.h"

int prepay_tariff_bill_init(prepay_tariff_bill_t *bill, const prepay_tariff_t *tariff, prepay_tariff_line_t *lines,
                            size_t line_cap)
{
    if (!bill || !tariff || (!lines && line_cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if ((unsigned)tariff->rounding > PREPAY_ROUND_CEILING || (unsigned)tariff->round_scope > PREPAY_ROUND_PER_BILL) {
        return PREPAY_E_TARIFF_BAD_ENUM;
    }
    memset(bill, 0, sizeof *bill);
    bill->lines = lines;
    bill->line_cap = line_cap;
    bill->rounding = tariff->rounding;
    bill->scope = tariff->round_scope;
    return PREPAY_OK;
}

static int cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

int prepay__line_key_compare(const prepay_tariff_line_t *a, const prepay_tariff_line_t *b)
{
    int c = cmp_i64(a->cycle, b->cycle);
    if (c == 0) {
        c = cmp_i64((int64_t)a->kind, (int64_t)b->kind);
    }
    if (c == 0) {
        c = cmp_i64(a->price_set, b->price_set);
    }
    if (c == 0) {
        c = cmp_i64(a->band, b->band);
    }
    if (c == 0) {
        c = cmp_i64(a->tier, b->tier);
    }
    if (c == 0) {
        c = cmp_i64(a->fixed_index, b->fixed_index);
    }
    return c;
}

/* Position of the first line with key >= line's key. */
static size_t lower_bound(const prepay_tariff_bill_t *bill, const prepay_tariff_line_t *line)
{
    size_t lo = 0, hi = bill->line_count;
    /* Lines usually arrive in order: check the end first. */
    if (hi > 0 && prepay__line_key_compare(&bill->lines[hi - 1], line) < 0) {
        return hi;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2u;
        if (prepay__line_key_compare(&bill->lines[mid], line) < 0) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static bool line_ok(const prepay_tariff_line_t *l)
{
    if ((unsigned)l->kind > PREPAY_LINE_CAPACITY || l->amount.nanos >= PREPAY_AMOUNT_NANOS ||
        l->price_set >= PREPAY_TARIFF_PRICE_SETS || l->quantity < 0) {
        return false;
    }
    switch (l->kind) {
    case PREPAY_LINE_ENERGY:
        return l->band >= 1 && l->band <= PREPAY_MAX_TARIFF_INDEX && l->tier >= 1 && l->tier <= PREPAY_MAX_TIERS &&
               l->fixed_index == 0;
    case PREPAY_LINE_FIXED:
        /* Without slots no fixed line is valid (the slot count keeps the comparison in range). */
        return PREPAY_MAX_FIXED_CHARGES > 0 && l->band == 0 && l->tier == 0 &&
               l->fixed_index < PREPAY__FIXED_CHARGE_SLOTS;
    case PREPAY_LINE_DEMAND:
        return l->band <= PREPAY_MAX_DEMAND_PERIODS && l->tier >= 1 && l->tier <= PREPAY_MAX_DEMAND_TIERS &&
               l->fixed_index == 0;
    default: /* PREPAY_LINE_CAPACITY */
        return l->band == 0 && l->tier == 0 && l->fixed_index == 0;
    }
}

int prepay__bill_insert(prepay_tariff_bill_t *bill, const prepay_tariff_line_t *line)
{
    size_t pos = lower_bound(bill, line);
    if (pos < bill->line_count && prepay__line_key_compare(&bill->lines[pos], line) == 0) {
        prepay_tariff_line_t *have = &bill->lines[pos];
        if (have->price != line->price) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        prepay_energy_t quantity;
        prepay_amount_t amount;
        int status = prepay_i64_add(have->quantity, line->quantity, &quantity);
        if (status == PREPAY_OK) {
            status = prepay_amount_add(have->amount, line->amount, &amount);
        }
        if (status == PREPAY_OK) {
            have->quantity = quantity;
            have->amount = amount;
        }
        return status;
    }
    if (bill->line_count >= bill->line_cap) {
        bill->lines_needed++;
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memmove(&bill->lines[pos + 1], &bill->lines[pos], (bill->line_count - pos) * sizeof bill->lines[0]);
    bill->lines[pos] = *line;
    bill->line_count++;
    bill->lines_needed++;
    return PREPAY_OK;
}

int prepay_tariff_bill_add(prepay_tariff_bill_t *bill, const prepay_tariff_line_t *lines, size_t count)
{
    if (!bill || (!lines && count > 0) || bill->line_count > bill->line_cap || (!bill->lines && bill->line_cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Check first: malformed lines and the capacity needed. */
    size_t fresh = 0;
    for (size_t i = 0; i < count; i++) {
        if (!line_ok(&lines[i])) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        size_t pos = lower_bound(bill, &lines[i]);
        if (pos < bill->line_count && prepay__line_key_compare(&bill->lines[pos], &lines[i]) == 0) {
            continue;
        }
        bool repeated = false;
        for (size_t j = 0; j < i && !repeated; j++) {
            repeated = prepay__line_key_compare(&lines[j], &lines[i]) == 0;
        }
        if (!repeated) {
            fresh++;
        }
    }
    if (fresh > bill->line_cap - bill->line_count) {
        bill->lines_needed = bill->line_count + fresh;
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    for (size_t i = 0; i < count; i++) {
        int status = prepay__bill_insert(bill, &lines[i]);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

int prepay_tariff_bill_finish(prepay_tariff_bill_t *bill)
{
    if (!bill || bill->line_count > bill->line_cap || (!bill->lines && bill->line_count > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_amount_t zero = {0, 0};
    prepay_amount_t band[PREPAY_MAX_TARIFF_INDEX];
    prepay_amount_t tier[PREPAY_MAX_TIERS];
    for (unsigned i = 0; i < PREPAY_MAX_TARIFF_INDEX; i++) {
        band[i] = zero;
    }
    for (unsigned i = 0; i < PREPAY_MAX_TIERS; i++) {
        tier[i] = zero;
    }
    prepay_amount_t exact = zero, energy_part = zero, fixed_part = zero, demand_part = zero, capacity_part = zero;
    prepay_energy_t energy_total = 0;
    prepay_money_t money_total = 0;
    bool per_line = bill->scope == PREPAY_ROUND_PER_LINE;
    if ((unsigned)bill->scope > PREPAY_ROUND_PER_BILL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    for (size_t i = 0; i < bill->line_count; i++) {
        prepay_tariff_line_t *l = &bill->lines[i];
        if (!line_ok(l)) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        prepay_money_t money;
        int status = prepay_amount_round(l->amount, bill->rounding, &money);
        if (status != PREPAY_OK) {
            return status;
        }
        l->money = money;
        prepay_amount_t part = per_line ? prepay_amount_from_money(money) : l->amount;
        status = prepay_amount_add(exact, l->amount, &exact);
        if (status == PREPAY_OK) {
            status = prepay_i64_add(money_total, money, &money_total);
        }
        if (status == PREPAY_OK && l->kind == PREPAY_LINE_ENERGY) {
            status = prepay_amount_add(energy_part, part, &energy_part);
            if (status == PREPAY_OK) {
                status = prepay_amount_add(band[l->band - 1], part, &band[l->band - 1]);
            }
            if (status == PREPAY_OK) {
                status = prepay_amount_add(tier[l->tier - 1], part, &tier[l->tier - 1]);
            }
            if (status == PREPAY_OK) {
                status = prepay_i64_add(energy_total, l->quantity, &energy_total);
            }
        } else if (status == PREPAY_OK) {
            prepay_amount_t *sum = l->kind == PREPAY_LINE_FIXED    ? &fixed_part
                                   : l->kind == PREPAY_LINE_DEMAND ? &demand_part
                                                                   : &capacity_part;
            status = prepay_amount_add(*sum, part, sum);
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    prepay_money_t total = money_total;
    if (!per_line) {
        int status = prepay_amount_round(exact, bill->rounding, &total);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    bill->energy_total = energy_total;
    bill->exact_total = exact;
    bill->energy_subtotal = energy_part;
    bill->fixed_subtotal = fixed_part;
    bill->demand_subtotal = demand_part;
    bill->capacity_subtotal = capacity_part;
    memcpy(bill->band_subtotal, band, sizeof band);
    memcpy(bill->tier_subtotal, tier, sizeof tier);
    bill->total = total;
    return PREPAY_OK;
}
