/* SPDX-License-Identifier: MIT */
/*
 * The old names of include/prepay/deprecated.h, kept for one release: each
 * calls its new name, so a program built against 0.1 still links and gets
 * the same answer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/deprecated.h"

int prepay_time_from_dlt645_date_time(const uint8_t date[4], const uint8_t *time, bool check_weekday, prepay_time_t *out)
{
    return prepay_time_from_dlt645_date_and_time(date, time, check_weekday, out);
}

int prepay_alloc_split(int64_t total, const int64_t *weights, size_t count, int64_t *shares)
{
    return prepay_allocation_split(total, weights, count, shares);
}

int prepay_alloc_weight_days(int64_t weight, int32_t days, int64_t *out)
{
    return prepay_allocation_weight_days(weight, days, out);
}

int prepay_alloc_residual(prepay_energy_t master, const prepay_energy_t *subs, size_t sub_count,
                          prepay_energy_t carried_in, prepay_allocation_residual_policy_t policy,
                          prepay_allocation_residual_t *out)
{
    return prepay_allocation_residual(master, subs, sub_count, carried_in, policy, out);
}

int prepay_alloc_price_energy(prepay_energy_t energy, prepay_price_t price, prepay_rounding_t mode, prepay_money_t *out)
{
    return prepay_allocation_price_energy(energy, price, mode, out);
}

int prepay_alloc_allocate(const prepay_allocation_request_t *request, const prepay_allocation_part_t *parts, size_t count,
                          prepay_allocation_line_t *lines, size_t lines_cap, size_t *line_count)
{
    return prepay_allocation_allocate(request, parts, count, lines, lines_cap, line_count);
}
