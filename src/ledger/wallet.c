/* SPDX-License-Identifier: MIT */
/*
 * Wallet policy: alarm levels with hysteresis, cut-off and restore, pre-trip
 * acknowledgement, no-disconnect periods with a debt cap, emergency credit,
 * and the relay priority. A pure function; freestanding.
 * See include/prepay/wallet.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/wallet.h"

void prepay_wallet_policy_default(prepay_wallet_policy_t *policy)
{
    if (policy == NULL) {
        return;
    }
    memset(policy, 0, sizeof *policy);
#if PREPAY_MAX_ALARM_LEVELS >= 3
    policy->level_count = 3;
    policy->thresholds[0] = 2000; /* alarm 1: 20.00 */
    policy->thresholds[1] = 1000; /* alarm 2 (pre-trip): 10.00 */
    policy->thresholds[2] = 0;    /* zero: overdraft begins */
    policy->pretrip_level = 2;
#else
    policy->level_count = 1;
    policy->thresholds[0] = 0;
    policy->pretrip_level = 0;
#endif
    policy->hysteresis = 100;
    policy->cutoff = PREPAY_WALLET_CUTOFF_AT_ZERO;
    policy->window_debt_cap = INT64_MAX;
}

int prepay_wallet_policy_check(const prepay_wallet_policy_t *policy)
{
    if (policy == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (policy->level_count > PREPAY_MAX_ALARM_LEVELS) {
        return PREPAY_E_WALLET_BAD_THRESHOLDS;
    }
    for (unsigned i = 1; i < policy->level_count; i++) {
        if (policy->thresholds[i] >= policy->thresholds[i - 1u]) {
            return PREPAY_E_WALLET_BAD_THRESHOLDS;
        }
    }
    if (policy->hysteresis < 0 || policy->overdraft_limit < 0 || policy->close_allowed_amount < 0 ||
        policy->window_debt_cap < 0 || policy->emergency_amount < 0) {
        return PREPAY_E_WALLET_BAD_AMOUNT;
    }
    if ((policy->flags & (uint8_t)~PREPAY_WALLET_POLICY_FLAGS_MASK) != 0u ||
        policy->pretrip_level > policy->level_count || policy->cutoff > PREPAY_WALLET_CUTOFF_AT_OVERDRAFT_LIMIT ||
        policy->window_count > PREPAY_MAX_WALLET_WINDOWS || policy->holiday_count > PREPAY_MAX_WALLET_HOLIDAYS) {
        return PREPAY_E_WALLET_BAD_POLICY;
    }
    for (unsigned i = 0; i < policy->window_count; i++) {
        const prepay_wallet_window_t *w = &policy->windows[i];
        if (w->start_second < 0 || w->start_second >= PREPAY_SECONDS_PER_DAY || w->end_second < 0 ||
            w->end_second > PREPAY_SECONDS_PER_DAY) {
            return PREPAY_E_WALLET_BAD_POLICY;
        }
    }
    return PREPAY_OK;
}

void prepay_wallet_state_init(prepay_wallet_state_t *state)
{
    if (state == NULL) {
        return;
    }
    state->level = 0;
    state->flags = (uint8_t)(PREPAY_WALLET_STATE_FRESH | PREPAY_WALLET_STATE_RELAY_CLOSED);
}

bool prepay_wallet_no_disconnect(const prepay_wallet_policy_t *policy, prepay_time_t now)
{
    if (policy == NULL) {
        return false;
    }
    prepay_days_t day = prepay_time_day_of(now);
    int32_t second = prepay_time_second_of_day(now);
    unsigned weekday = prepay_time_weekday(day);
    if ((policy->weekend_mask & (1u << weekday)) != 0u) {
        return true;
    }
    unsigned holidays = policy->holiday_count <= PREPAY_MAX_WALLET_HOLIDAYS ? policy->holiday_count : 0u;
    for (unsigned i = 0; i < holidays; i++) {
        if (policy->holidays[i] == day) {
            return true;
        }
    }
    unsigned windows = policy->window_count <= PREPAY_MAX_WALLET_WINDOWS ? policy->window_count : 0u;
    for (unsigned i = 0; i < windows; i++) {
        int32_t start = policy->windows[i].start_second;
        int32_t end = policy->windows[i].end_second;
        if (start < end ? (second >= start && second < end) : (start > end && (second >= start || second < end))) {
            return true;
        }
    }
    return false;
}

/* Alarm level with hysteresis (see wallet.h). */
static uint8_t next_level(const prepay_wallet_policy_t *policy, prepay_money_t balance, uint8_t previous, bool fresh)
{
    uint8_t up = 0;
    while (up < policy->level_count && balance <= policy->thresholds[up]) {
        up++;
    }
    if (fresh || up >= previous) {
        return up;
    }
    /* Falling: stay at level k while balance <= thresholds[k-1] + hysteresis. */
    uint8_t hold = 0;
    while (hold < previous) {
        prepay_money_t limit;
        if (prepay_i64_add(policy->thresholds[hold], policy->hysteresis, &limit) != PREPAY_OK) {
            limit = INT64_MAX;
        }
        if (balance > limit) {
            break;
        }
        hold++;
    }
    return hold > up ? hold : up;
}

int prepay_wallet_decide(const prepay_wallet_policy_t *policy, const prepay_wallet_input_t *input,
                         const prepay_wallet_state_t *previous, prepay_wallet_decision_t *out)
{
    if (policy == NULL || input == NULL || previous == NULL || out == NULL ||
        (input->flags & ~(uint32_t)PREPAY_WALLET_IN_MASK) != 0u || input->emergency_outstanding < 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay_wallet_policy_check(policy);
    if (status != PREPAY_OK) {
        return status;
    }
    if ((previous->flags & (uint8_t)~PREPAY_WALLET_STATE_MASK) != 0u || previous->level > policy->level_count) {
        return PREPAY_E_WALLET_BAD_STATE;
    }
    const bool fresh = (previous->flags & PREPAY_WALLET_STATE_FRESH) != 0u;
    const uint8_t from_level = fresh ? 0u : previous->level;
    uint32_t events = 0;
    uint8_t flags = previous->flags;

    /* Emergency credit: repaid, then (re)activation. */
    prepay_money_t grant = 0;
    if ((flags & PREPAY_WALLET_STATE_EMERGENCY) != 0u && input->emergency_outstanding == 0) {
        flags = (uint8_t)(flags & ~PREPAY_WALLET_STATE_EMERGENCY);
        events |= PREPAY_WALLET_EVENT_EMERGENCY_REPAID;
    }
    if (policy->emergency_amount > 0 && (flags & PREPAY_WALLET_STATE_EMERGENCY) == 0u &&
        input->emergency_outstanding == 0 && input->balance <= policy->emergency_threshold &&
        ((input->flags & PREPAY_WALLET_IN_EMERGENCY_REQUEST) != 0u ||
         (policy->flags & PREPAY_WALLET_POLICY_EMERGENCY_AUTO) != 0u)) {
        grant = policy->emergency_amount;
        flags = (uint8_t)(flags | PREPAY_WALLET_STATE_EMERGENCY);
        events |= PREPAY_WALLET_EVENT_EMERGENCY_ACTIVATED;
    }
    prepay_money_t balance;
    if (prepay_i64_add(input->balance, grant, &balance) != PREPAY_OK) {
        return PREPAY_E_OVERFLOW;
    }

    /* Alarm level. */
    uint8_t level = next_level(policy, balance, from_level, fresh);
    if (level != from_level) {
        events |= PREPAY_WALLET_EVENT_LEVEL_CHANGED;
    }

    /* Cut-off latch and restore. */
    const prepay_money_t cutoff =
        policy->cutoff == PREPAY_WALLET_CUTOFF_AT_ZERO ? 0 : -policy->overdraft_limit;
    bool tripped = (flags & PREPAY_WALLET_STATE_TRIPPED) != 0u;
    if (!tripped && balance <= cutoff) {
        tripped = true;
        events |= PREPAY_WALLET_EVENT_CUTOFF;
    } else if (tripped && balance > cutoff &&
               (policy->close_allowed_amount == 0 || balance > policy->close_allowed_amount)) {
        tripped = false;
        events |= PREPAY_WALLET_EVENT_RESTORED;
    }

    /* Pre-trip and its acknowledgement (per descent below the pre-trip level). */
    bool acknowledged = (flags & PREPAY_WALLET_STATE_ACKNOWLEDGED) != 0u;
    bool pretrip = false;
    if (policy->pretrip_level == 0u || level < policy->pretrip_level) {
        acknowledged = false;
    } else {
        if (!acknowledged && (input->flags & PREPAY_WALLET_IN_ACKNOWLEDGE) != 0u) {
            acknowledged = true;
            events |= PREPAY_WALLET_EVENT_ACKNOWLEDGED;
        }
        pretrip = !acknowledged;
    }

    /* Debt cap of no-disconnect periods: trip anyway at balance <= cutoff - cap. */
    const bool no_disconnect = prepay_wallet_no_disconnect(policy, input->now);
    prepay_money_t cap_point;
    bool cap_reached = false;
    if (prepay_i64_sub(cutoff, policy->window_debt_cap, &cap_point) == PREPAY_OK) {
        cap_reached = balance <= cap_point;
    }

    /* Relay priority. */
    uint8_t relay = PREPAY_WALLET_RELAY_CLOSED;
    uint8_t reason = PREPAY_WALLET_REASON_NORMAL;
    bool held = false;
    if ((input->flags & PREPAY_WALLET_IN_FORBID_CLOSE) != 0u) {
        relay = PREPAY_WALLET_RELAY_OPEN;
        reason = PREPAY_WALLET_REASON_FORBID_CLOSE;
    } else if ((input->flags & PREPAY_WALLET_IN_KEEP_POWER) != 0u) {
        reason = PREPAY_WALLET_REASON_KEEP_POWER;
    } else if ((input->flags & PREPAY_WALLET_IN_REMOTE_TRIP) != 0u) {
        relay = PREPAY_WALLET_RELAY_OPEN;
        reason = PREPAY_WALLET_REASON_REMOTE_TRIP;
    } else if (tripped || pretrip) {
        if (no_disconnect && !(tripped && cap_reached)) {
            reason = PREPAY_WALLET_REASON_NO_DISCONNECT;
            held = true;
        } else {
            relay = PREPAY_WALLET_RELAY_OPEN;
            reason = tripped ? PREPAY_WALLET_REASON_CUTOFF : PREPAY_WALLET_REASON_PRETRIP;
            if (no_disconnect && (flags & PREPAY_WALLET_STATE_HELD) != 0u) {
                events |= PREPAY_WALLET_EVENT_DEBT_CAP_REACHED;
            }
        }
    }
    if (held && (flags & PREPAY_WALLET_STATE_HELD) == 0u) {
        events |= PREPAY_WALLET_EVENT_TRIP_HELD;
    }
    const bool was_closed = (flags & PREPAY_WALLET_STATE_RELAY_CLOSED) != 0u;
    if (relay == PREPAY_WALLET_RELAY_OPEN && was_closed) {
        events |= PREPAY_WALLET_EVENT_RELAY_OPENED;
    } else if (relay == PREPAY_WALLET_RELAY_CLOSED && !was_closed) {
        events |= PREPAY_WALLET_EVENT_RELAY_CLOSED;
    }

    uint8_t next_flags = (uint8_t)(flags & PREPAY_WALLET_STATE_EMERGENCY);
    if (tripped) {
        next_flags |= PREPAY_WALLET_STATE_TRIPPED;
    }
    if (acknowledged) {
        next_flags |= PREPAY_WALLET_STATE_ACKNOWLEDGED;
    }
    if (relay == PREPAY_WALLET_RELAY_CLOSED) {
        next_flags |= PREPAY_WALLET_STATE_RELAY_CLOSED;
    }
    if (held) {
        next_flags |= PREPAY_WALLET_STATE_HELD;
    }
    out->next.level = level;
    out->next.flags = next_flags;
    out->emergency_grant = grant;
    out->events = events;
    out->level = level;
    out->from_level = from_level;
    out->relay = relay;
    out->reason = reason;
    out->no_disconnect = no_disconnect;
    return PREPAY_OK;
}

int prepay_wallet_split_recharge(prepay_money_t amount, prepay_money_t emergency_owed, prepay_money_t debt_owed,
                                 prepay_money_t *to_emergency, prepay_money_t *to_debt, prepay_money_t *to_balance)
{
    if (to_emergency == NULL || to_debt == NULL || to_balance == NULL || amount < 0 || emergency_owed < 0 ||
        debt_owed < 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_money_t ec = amount < emergency_owed ? amount : emergency_owed;
    prepay_money_t rest = amount - ec;
    prepay_money_t debt = rest < debt_owed ? rest : debt_owed;
    *to_emergency = ec;
    *to_debt = debt;
    *to_balance = rest - debt;
    return PREPAY_OK;
}
