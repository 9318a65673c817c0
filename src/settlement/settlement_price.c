/* SPDX-License-Identifier: MIT */
/*
 * Pricing: the one place settlement calls the tariff stream
 * (prepay_tariff_feed_interval()), so that a faster stream (a sealed plan, a
 * compact state) is one change here.
 *
 * A meter alone on its account's ladder feeds its interval as it is, so its
 * dues are exactly those of the tariff stream (and of a batch bill of the
 * same intervals). Meters sharing a ladder (one household, several meters)
 * keep their own stream (their own bands, position and remainder) but take
 * their tiers from the account's counter: an interval is first split at
 * cycle boundaries (by the spread rule), and each piece is fed with tier
 * bounds lowered by what the other meters already used in that cycle
 * (docs/settlement.md, "Shared ladders").
 */
#include <string.h>

#include "settlement_internal.h"

/* Folds an interval's lines into a postpaid account's usage. */
static void record_usage(prepay_settlement_usage_t *u, unsigned commodity, const prepay_tariff_line_t *lines,
                         size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const prepay_tariff_line_t *l = &lines[i];
        uint8_t band = l->kind == PREPAY_LINE_ENERGY ? l->band : 0u;
        uint8_t tier = l->kind == PREPAY_LINE_ENERGY ? l->tier : 0u;
        prepay_settlement_usage_line_t *slot = NULL;
        for (uint32_t k = 0; k < u->count; k++) {
            prepay_settlement_usage_line_t *c = &u->lines[k];
            if (c->commodity == commodity && c->band == band && c->tier == tier) {
                slot = c;
                break;
            }
        }
        if (!slot) {
            if (u->count < PREPAY_SETTLEMENT_USAGE_LINES) {
                slot = &u->lines[u->count++];
                memset(slot, 0, sizeof *slot);
                slot->commodity = (uint8_t)commodity;
                slot->band = band;
                slot->tier = tier;
                slot->used = 1;
            } else {
                /* Full: the last line becomes the catch-all (band and tier 0). */
                slot = &u->lines[PREPAY_SETTLEMENT_USAGE_LINES - 1u];
                slot->band = 0;
                slot->tier = 0;
            }
        }
        slot->energy += l->quantity;
        (void)prepay_amount_add(slot->amount, l->amount, &slot->amount);
    }
}

/* Meters: a compact stream on a sealed plan (the cheap path of the tariff engine); groups: a full
 * state (few of them; any tier mode). */
static int feed(prepay__settle_call_t *call, const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                prepay_tariff_compact_state_t *stream, prepay_tariff_state_t *full, prepay_time_t start,
                prepay_time_t end, prepay_energy_t energy, prepay_money_t *due, prepay_amount_t *exact, size_t *lines)
{
    prepay_settlement_work_t *work = call->work;
    prepay_tariff_feed_result_t res;
    int status = stream ? prepay_tariff_compact_feed_interval(plan, account, stream, start, end, energy, work->lines,
                                                              work->sizes.lines, &res)
                        : prepay_tariff_feed_interval(plan, account, full, start, end, energy, work->lines,
                                                      work->sizes.lines, &res);
    if (status < 0) {
        return status;
    }
    *due = res.due;
    if (exact) {
        *exact = res.exact;
    }
    *lines = res.line_count;
    return PREPAY_OK;
}

/* The ladder counter slot of a cycle (0 current, 1 previous), opening a new current
 * cycle when it is later; -1 for a cycle older than both (counted from zero). */
static int ladder_slot(prepay_settlement_account_t *a, unsigned commodity, int32_t cycle)
{
    int32_t *c = a->ladder_cycle[commodity];
    prepay_energy_t *e = a->ladder_energy[commodity];
    if (c[0] == cycle) {
        return 0;
    }
    if (c[1] == cycle) {
        return 1;
    }
    if (c[0] == INT32_MIN || cycle > c[0]) {
        c[1] = c[0];
        e[1] = e[0];
        c[0] = cycle;
        e[0] = 0;
        return 0;
    }
    return -1;
}

/* Tier bounds lowered by what the other meters used: tier_add gives target bounds
 * max(effective - others, 0) on top of the tariff's own (unadjusted) bounds. */
static int shifted_account(const prepay_tariff_t *tariff, const prepay_tariff_account_t *base, int32_t cycle,
                           prepay_energy_t others, prepay_tariff_account_t *out)
{
    prepay_energy_t eff[PREPAY_MAX_TIERS], raw[PREPAY_MAX_TIERS];
    int n = prepay_tariff_tier_bounds(tariff, base, cycle, eff, PREPAY_MAX_TIERS);
    if (n < 0) {
        return n;
    }
    int status = prepay_tariff_tier_bounds(tariff, NULL, cycle, raw, PREPAY_MAX_TIERS);
    if (status < 0) {
        return status;
    }
    (void)prepay_tariff_account_init(out);
    for (int i = 0; i + 1 < n; i++) {
        prepay_energy_t target = eff[i] > others ? eff[i] - others : 0;
        out->tier_add[i] = target - raw[i];
    }
    return PREPAY_OK;
}

static int price_shared(prepay__settle_call_t *call, prepay_settlement_meter_t *m, prepay_settlement_account_t *a,
                        const prepay_tariff_plan_t *plan, prepay_time_t start, prepay_time_t end,
                        prepay_energy_t energy, prepay_money_t *due, prepay_settlement_usage_t *usage)
{
    const prepay_tariff_t *tariff = plan->sets[0];
    unsigned commodity = m->config.commodity;
    prepay_amount_t total = {0, 0};
    prepay_energy_t before = 0;
    prepay_time_t s = start;
    do {
        int32_t cycle;
        prepay_time_t cycle_end;
        int status = prepay_tariff_cycle_of(tariff, s, &cycle);
        if (status == PREPAY_OK) {
            status = prepay_tariff_cycle_bounds(tariff, cycle, NULL, &cycle_end);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_time_t e = end < cycle_end ? end : cycle_end;
        prepay_energy_t upto = energy;
        if (e < end) {
            /* The spread rule of the tariff engine: floor(E (x - start) / (end - start)). */
            status = prepay_i64_muldiv(energy, e - start, end - start, PREPAY_ROUND_FLOOR, &upto);
            if (status != PREPAY_OK) {
                return status;
            }
        }
        prepay_energy_t piece = upto - before;
        before = upto;
        int slot = ladder_slot(a, commodity, cycle);
        prepay_energy_t counter = slot >= 0 ? a->ladder_energy[commodity][slot] : 0;
        prepay_energy_t own = m->stream.cycle == cycle ? m->stream.cycle_energy : 0;
        prepay_energy_t others = counter > own ? counter - own : 0;
        prepay_tariff_account_t shifted;
        status = shifted_account(tariff, &a->config.tariff_account, cycle, others, &shifted);
        prepay_money_t part = 0;
        prepay_amount_t exact = {0, 0};
        size_t lines = 0;
        if (status == PREPAY_OK) {
            status = feed(call, plan, &shifted, &m->stream, NULL, s, e, piece, &part, &exact, &lines);
        }
        if (status == PREPAY_OK) {
            status = prepay_amount_add(total, exact, &total);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        if (usage) {
            record_usage(usage, commodity, call->work->lines, lines);
        }
        if (slot >= 0) {
            a->ladder_energy[commodity][slot] += piece;
        }
        s = e;
    } while (s < end);
    /* One remainder per ladder, not per meter: the household's dues add up to its exact total
     * rounded once, whichever meter's reading comes first (docs/settlement.md). */
    prepay_amount_t carry, running;
    prepay_money_t rounded, charged = a->ladder_charged[commodity];
    int status = prepay_amount_add(a->ladder_carry[commodity], total, &carry);
    if (status == PREPAY_OK) {
        status = prepay_amount_add(carry, prepay_amount_from_money(charged), &running);
    }
    if (status == PREPAY_OK) {
        status = prepay_amount_round(running, tariff->rounding, &rounded);
    }
    if (status == PREPAY_OK) {
        status = prepay_amount_sub(running, prepay_amount_from_money(rounded), &a->ladder_carry[commodity]);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    a->ladder_charged[commodity] = rounded;
    *due = rounded - charged;
    return PREPAY_OK;
}

int prepay__settle_price(prepay__settle_call_t *call, uint32_t meter, prepay_time_t start, prepay_time_t end,
                         prepay_energy_t energy, prepay_money_t *due)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_meter_t *m = &site->memory.meters[meter];
    prepay_settlement_account_t *a = &site->memory.accounts[m->account];
    const prepay_tariff_plan_t *plan = &site->config.tariffs[m->tariff].plan;
    prepay_settlement_usage_t *usage = a->usage != PREPAY_SETTLEMENT_NONE ? &site->memory.usage[a->usage] : NULL;
    unsigned commodity = m->config.commodity;
    int status;
    prepay_money_t d = 0;
    if (a->meter_count[commodity] > 1u && start < end) {
        /* The ladder counters change: the whole record is saved, not its books alone. */
        status = prepay__settle_touch(call, PREPAY__UNDO_ACCOUNT, m->account);
        if (status == PREPAY_OK) {
            status = price_shared(call, m, a, plan, start, end, energy, &d, usage);
        }
    } else {
        size_t lines = 0;
        const prepay_tariff_account_t *parameters = a->tariff_defaults ? NULL : &a->config.tariff_account;
        status = feed(call, plan, parameters, &m->stream, NULL, start, end, energy, &d, NULL, &lines);
        if (status == PREPAY_OK && usage) {
            record_usage(usage, commodity, call->work->lines, lines);
        }
    }
    if (status != PREPAY_OK) {
        return status;
    }
    if (usage) {
        usage->posted += d;
    }
    *due = d;
    return PREPAY_OK;
}

int prepay__settle_price_group(prepay__settle_call_t *call, uint32_t group, prepay_time_t start, prepay_time_t end,
                               prepay_energy_t energy, prepay_money_t *due)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_group_t *g = &site->memory.groups[group];
    const prepay_tariff_plan_t *plan = &site->config.tariffs[g->config.tariff].plan;
    size_t lines = 0;
    return feed(call, plan, NULL, NULL, &g->stream, start, end, energy, due, NULL, &lines);
}
