/*
 * Internal helpers shared by the files of the meter module (never installed).
 */
#ifndef PREPAY_METER_INTERNAL_H
#define PREPAY_METER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/meter.h"

/* "PMTR": marks an initialised meter. */
#define PREPAY__METER_MAGIC 0x504D5452u

/* Switch-over time meaning "never" (reads as 00000000 00). */
#define PREPAY__METER_NEVER INT64_MAX

/* Index of the price switch-over time (04000108) in prepay_meter_t::switch_time. */
#define PREPAY__METER_SWITCH_PRICES 2

/* Operator code recorded for the meter's own decisions (money, overload). */
#define PREPAY__METER_LOCAL_OPERATOR 0xFFFFFFFFu

/* Lines a single step can produce: tiers crossed, plus fixed charges of a new cycle. */
#define PREPAY__METER_STEP_LINES (PREPAY_MAX_TIERS + PREPAY_MAX_FIXED_CHARGES + 1)

int prepay__meter_check(const prepay_meter_t *meter);
void prepay__meter_catch_up(prepay_meter_t *meter, prepay_time_t now);
int prepay__meter_decide(prepay_meter_t *meter, bool button, uint32_t who);
void prepay__meter_event(prepay_meter_t *meter, unsigned kind, prepay_time_t start, prepay_time_t end,
                         uint32_t detail);
void prepay__meter_freeze(const prepay_meter_t *meter, prepay_meter_frozen_t *out);
void prepay__meter_plan(const prepay_meter_t *meter, prepay_tariff_plan_t *plan);
/* Rebuilds and seals the derived plan from the bound sets and price switch
 * time, forgetting the band run. An invalid plan stays unsealed, so pricing
 * with it reports why. */
const prepay_tariff_plan_t *prepay__meter_reseal(prepay_meter_t *meter);

/* The bound sets and price switch time as a sealed plan (resealed when they or a set's revision changed). */
static inline const prepay_tariff_plan_t *prepay__meter_sealed_plan(prepay_meter_t *meter)
{
    const prepay_tariff_plan_t *plan = &meter->derived.plan;
    if (plan->sets[0] == meter->sets[0] && plan->sets[1] == meter->sets[1] &&
        plan->switch_time == meter->switch_time[PREPAY__METER_SWITCH_PRICES] && prepay_tariff_plan_is_sealed(plan)) {
        return plan;
    }
    return prepay__meter_reseal(meter);
}

/* Whether the last relay decision still holds without deciding again: local
 * mode, built-in policy (no time windows: the decision depends on the balance
 * and the flags only), no button, the same purse parameters, relay flags and
 * wallet state as the decision left, and a balance that has only fallen and
 * stays above the point where the alarm level would rise or the cut-off trip
 * (see remember_decision() in meter.c). prepay_wallet_decide() would return
 * exactly its previous output then. */
static inline bool prepay__meter_decision_holds(const prepay_meter_t *meter, bool button)
{
    const prepay_meter_derived_t *d = &meter->derived;
    const prepay_meter_purse_t *p = &meter->purse;
    return !button && d->decided && p->balance <= d->decided_balance && p->balance > d->decided_floor &&
           meter->mode == PREPAY_METER_MODE_LOCAL && meter->policy == NULL && meter->relay == d->decided_relay &&
           meter->alarm_level == d->decided_level && meter->wallet.level == d->decided_wallet.level &&
           meter->wallet.flags == d->decided_wallet.flags && p->alarm1 == d->decided_purse[0] &&
           p->alarm2 == d->decided_purse[1] && p->overdraft_limit == d->decided_purse[2] &&
           p->close_allowed == d->decided_purse[3];
}
int prepay__meter_check_purse(prepay_money_t alarm1, prepay_money_t alarm2, prepay_money_t overdraft_limit,
                              prepay_money_t hoarding_limit, prepay_money_t close_allowed);
int prepay__meter_set_clock(prepay_meter_t *meter, prepay_time_t t);
void prepay__meter_refuse_time_sync(prepay_meter_t *meter, prepay_time_t t);
int prepay__meter_clear_events(prepay_meter_t *meter, int kind);
void prepay__meter_clear_energy(prepay_meter_t *meter);
uint32_t prepay__meter_le32(const uint8_t bytes[4]);
/* Answers a decoded DL/T 645-1997 request (meter_read_1997.c): reply length, 0 for none, or an error. */
int prepay__meter_handle_1997(prepay_meter_t *meter, prepay_time_t now, const prepay_dlt645_frame_t *req,
                              uint8_t *reply, size_t reply_cap);

#endif /* PREPAY_METER_INTERNAL_H */
