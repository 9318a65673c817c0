/* SPDX-License-Identifier: MIT */
/*
 * Internal entry points of the tariff module for callers that hold only
 * validated sets and sealed plans: the reference meter under
 * PREPAY_METER_TARIFF_SEALED, whose bound sets were validated once (by the
 * programming tool that sealed their pages, prepay_tariff_page_seal(), or by
 * prepay_meter_bind()) and never change. None of them validates a tariff, so
 * a firmware that calls only these links no validator.
 */
#ifndef PREPAY_TARIFF_TRUSTED_H
#define PREPAY_TARIFF_TRUSTED_H

#include <stdbool.h>
#include <stddef.h>

#include "prepay/tariff.h"

/* Price of (band, tier), tariff validated, band/tier in range. */
int prepay__tariff_price(const prepay_tariff_t *tariff, unsigned band, unsigned tier, prepay_price_t *out);

/* The checks prepay_tariff_plan_validate() makes between two valid sets (unit, tier mode, cycle,
 * rounding, ladders in proportional mode, demand): PREPAY_OK or PREPAY_E_TARIFF_SWITCH_MISMATCH. */
int prepay__plan_compatible(const prepay_tariff_t *a, const prepay_tariff_t *b);

/* Seals a plan without validating it (prepay_tariff_plan_seal() minus the validation): only for a
 * plan whose sets are valid and compatible. */
void prepay__plan_seal_trusted(prepay_tariff_plan_t *plan);

/* prepay_tariff_next_change() for a sealed plan: an unsealed one gives PREPAY_E_TARIFF_NOT_SEALED. */
int prepay__next_change_sealed(const prepay_tariff_plan_t *plan, prepay_time_t at, prepay_time_t limit,
                               prepay_tariff_run_t *run);

/* prepay_tariff_compact_feed_interval() for a sealed plan: an unsealed one gives
 * PREPAY_E_TARIFF_NOT_SEALED. */
int prepay__compact_feed_interval_sealed(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                         prepay_tariff_compact_state_t *state, prepay_time_t start,
                                         prepay_time_t end, prepay_energy_t energy, prepay_tariff_line_t *lines,
                                         size_t line_cap, prepay_tariff_feed_result_t *result);

#endif
