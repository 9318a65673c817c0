/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: set-up, purse, relay state machine, events.
 * Freestanding core (see docs/meter.md).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "meter_internal.h"
#include "../tariff/tariff_trusted.h"
#include "../common/wide_internal.h"

int prepay__meter_check(const prepay_meter_t *meter)
{
    if (meter == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (meter->magic != PREPAY__METER_MAGIC || meter->mode > PREPAY_METER_MODE_REMOTE ||
        meter->record_next >= PREPAY_METER_EVENT_RECORDS) {
        return PREPAY_E_METER_BAD_STATE;
    }
    return PREPAY_OK;
}

uint32_t prepay__meter_le32(const uint8_t bytes[4])
{
    return (uint32_t)bytes[0] | ((uint32_t)bytes[1] << 8) | ((uint32_t)bytes[2] << 16) | ((uint32_t)bytes[3] << 24);
}

void prepay__meter_catch_up(prepay_meter_t *meter, prepay_time_t now)
{
    if (now > meter->clock) {
        meter->clock = now;
    }
}

void prepay__meter_plan(const prepay_meter_t *meter, prepay_tariff_plan_t *plan)
{
    /* unsealed; fails only on a NULL pointer, and both are the caller's valid objects */
    (void)prepay_tariff_plan_init(plan, meter->sets[0]);
    plan->sets[1] = meter->sets[1];
    plan->switch_time = meter->switch_time[PREPAY__METER_SWITCH_PRICES];
}

const prepay_tariff_plan_t *prepay__meter_reseal(prepay_meter_t *meter)
{
    prepay_meter_derived_t *d = &meter->derived;
    prepay_tariff_plan_t *plan = &d->plan;
    prepay__meter_plan(meter, plan);
    d->band_from = d->band_until = 0; /* the band run belonged to the old plan */
    d->band = 0;
    if (meter->sets[0] != NULL) {
#if PREPAY_METER_TARIFF_SEALED
        /* Validated when bound (or their pages' seals checked), and never written (config_check.h). */
        prepay__plan_seal_trusted(plan);
#else
        (void)prepay_tariff_plan_seal(plan); /* left unsealed if invalid: every call then says why */
#endif
    }
    return plan;
}

void prepay__meter_event(prepay_meter_t *meter, unsigned kind, prepay_time_t start, prepay_time_t end,
                         uint32_t detail)
{
    if (kind >= PREPAY_METER_EVENT_COUNT) {
        return;
    }
    if (meter->event_counts[kind] < UINT32_MAX) {
        meter->event_counts[kind]++;
    }
    prepay_meter_record_t *r = &meter->records[meter->record_next];
    r->start = prepay__record_time(start);
    r->end = prepay__record_time(end);
    r->detail = detail;
    r->kind = (uint8_t)kind;
    r->used = 1;
    meter->record_next = (uint8_t)((meter->record_next + 1u) % PREPAY_METER_EVENT_RECORDS);
}

void prepay__meter_event_now(prepay_meter_t *meter, unsigned kind, uint32_t detail)
{
    prepay__meter_event(meter, kind, meter->clock, 0, detail);
}

bool prepay__meter_address_ok(const prepay_dlt645_address_t *address)
{
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        uint8_t digit;
        if (prepay_bcd_decode_byte(address->bytes[i], &digit) != PREPAY_OK) {
            return false;
        }
    }
    return !prepay_dlt645_address_is_broadcast(address);
}

static uint32_t to_centi_kwh(prepay_energy_t wh)
{
    /* Registers read as XXXXXX.XX kWh: truncated to 0.01 kWh, rolling over at 10^6 kWh as a display does.
     * (wh / 10) % 10^8 == (wh % 10^9) / 10 for wh >= 0: one 64-bit division, then a 32-bit one. */
    if (wh < 0) {
        return 0;
    }
    return (uint32_t)prepay__smod64(wh, 1000000000) / 10u;
}

void prepay__meter_freeze(const prepay_meter_t *meter, prepay_meter_frozen_t *out)
{
    /* Forward then reverse, each total and tariffs 1..n: one loop, one copy of the conversion. */
    const prepay_energy_t *from[2] = {meter->forward, meter->reverse};
    uint32_t *to[2] = {out->forward, out->reverse};
    out->time = prepay__record_time(meter->clock);
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i <= PREPAY_METER_TARIFFS; i++) {
            to[k][i] = to_centi_kwh(from[k][i]);
        }
    }
}

int prepay__meter_check_purse(const prepay_meter_purse_t *p)
{
    if (p->alarm2 <= 0 || p->alarm1 <= p->alarm2 || p->overdraft_limit < 0 || p->hoarding_limit < 0 ||
        p->close_allowed < 0) {
        return PREPAY_E_METER_BAD_PARAMETER;
    }
    return PREPAY_OK;
}

int prepay_meter_init(prepay_meter_t *meter, const prepay_dlt645_address_t *address, prepay_time_t clock)
{
    if (meter == NULL || address == NULL || !prepay__meter_address_ok(address)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t probe[6];
    if (prepay_time_to_dlt645_datetime(clock, probe) != PREPAY_OK) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    memset(meter, 0, sizeof *meter);
    meter->magic = PREPAY__METER_MAGIC;
    meter->address = *address;
    meter->mode = PREPAY_METER_MODE_LOCAL;
    meter->baud_feature = PREPAY_DLT645_BAUD_2400;
    meter->settlement_day = 1;
    meter->settlement_hour = 0;
    memset(meter->freeze_pattern, 0x99, sizeof meter->freeze_pattern);
    meter->password_failure_day = -1;
    meter->clock = clock;
    meter->overload_since = -1;
    for (size_t i = 0; i < 4; i++) {
        meter->switch_time[i] = PREPAY__METER_NEVER;
    }
    prepay_wallet_state_init(&meter->wallet);
    (void)prepay_tariff_compact_init(&meter->tariff_state);
    /* A meter deducts energy and fixed charges; demand and capacity charges are billed by the station. */
    (void)prepay_tariff_compact_energy_only(&meter->tariff_state);
    meter->purse.alarm1 = 2000;
    meter->purse.alarm2 = 1000;
    meter->instant.frequency = 5000;
    meter->instant.power_factor[0] = 1000;
    meter->instant.power_factor[1] = 1000;
    meter->time_sync_limit = PREPAY_METER_TIME_SYNC_LIMIT;
    prepay__meter_demand_init(meter);
    prepay__meter_profile_init(meter);
    return PREPAY_OK;
}

/* True when a day table of the set has more slots than a DL/T 645 meter holds. */
static PREPAY__ONE_COPY bool slots_too_many(const prepay_tariff_t *set)
{
    const prepay_tou_schedule_t *s = &set->schedule;
    for (unsigned i = 0; i < s->day_table_count && i < PREPAY_MAX_DAY_TABLES; i++) {
        if (s->day_tables[i].slot_count > PREPAY_METER_MAX_DAY_SLOTS) {
            return true;
        }
    }
    return false;
}

static int bind_valid(prepay_meter_t *meter, const prepay_tariff_t *set_a, const prepay_tariff_t *set_b,
                      bool writable, const prepay_wallet_policy_t *policy, const prepay_tariff_account_t *account);

int prepay_meter_bind(prepay_meter_t *meter, const prepay_tariff_t *set_a, const prepay_tariff_t *set_b,
                      bool writable, const prepay_wallet_policy_t *policy, const prepay_tariff_account_t *account)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (set_a == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_tariff_plan_t plan;
    plan.sets[0] = set_a;
    plan.sets[1] = set_b;
    plan.switch_time = meter->switch_time[PREPAY__METER_SWITCH_PRICES];
    status = prepay_tariff_plan_validate(&plan);
    if (status != PREPAY_OK) {
        return status;
    }
    return bind_valid(meter, set_a, set_b, writable, policy, account);
}

int prepay_meter_bind_page(prepay_meter_t *meter, const prepay_tariff_page_t *page_a,
                           const prepay_tariff_page_t *page_b, const prepay_wallet_policy_t *policy,
                           const prepay_tariff_account_t *account)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (page_a == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* The seal stands for the validation the programming tool did (prepay_tariff_page_seal()). */
    status = prepay_tariff_page_check(page_a);
    if (status == PREPAY_OK && page_b != NULL) {
        status = prepay_tariff_page_check(page_b);
        if (status == PREPAY_OK) {
            status = prepay__plan_compatible(&page_a->tariff, &page_b->tariff);
        }
    }
    if (status != PREPAY_OK) {
        return status;
    }
    return bind_valid(meter, &page_a->tariff, page_b != NULL ? &page_b->tariff : NULL, false, policy, account);
}

/* prepay_meter_bind() once the sets are known valid and compatible. */
static int bind_valid(prepay_meter_t *meter, const prepay_tariff_t *set_a, const prepay_tariff_t *set_b,
                      bool writable, const prepay_wallet_policy_t *policy, const prepay_tariff_account_t *account)
{
    int status;
    if (set_a->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL) {
        return PREPAY_E_METER_TARIFF_UNSUPPORTED;
    }
    /* A server may hold hourly day tables (PREPAY_MAX_DAY_SLOTS up to 48);
     * a DL/T 645 meter holds at most 14 slots a day. */
    if (slots_too_many(set_a) || (set_b != NULL && slots_too_many(set_b))) {
        return PREPAY_E_METER_DAY_SLOTS;
    }
    if (policy != NULL) {
        status = prepay_wallet_policy_check(policy);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    meter->sets[0] = set_a;
    meter->sets[1] = set_b;
    /* The caller promised writable memory: the const is only on the read path. */
    meter->writable[0] = writable ? (prepay_tariff_t *)(uintptr_t)set_a : NULL;
    meter->writable[1] = (writable && set_b != NULL) ? (prepay_tariff_t *)(uintptr_t)set_b : NULL;
    meter->policy = policy;
    meter->account = account;
    (void)prepay_tariff_compact_init(&meter->tariff_state);
    /* A meter deducts energy and fixed charges; demand and capacity charges are billed by the station. */
    (void)prepay_tariff_compact_energy_only(&meter->tariff_state);
    meter->unpriced = 0;
    memset(&meter->derived, 0, sizeof meter->derived); /* new plan, new policy: nothing derived holds */
    return PREPAY_OK;
}

int prepay_meter_set_mode(prepay_meter_t *meter, prepay_meter_mode_t mode)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (mode != PREPAY_METER_MODE_LOCAL && mode != PREPAY_METER_MODE_REMOTE) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (mode == PREPAY_METER_MODE_LOCAL && meter->sets[0] == NULL) {
        return PREPAY_E_METER_NO_TARIFF;
    }
    uint8_t old = meter->mode;
    meter->mode = (uint8_t)mode;
    status = prepay__meter_decide(meter, false, PREPAY__METER_LOCAL_OPERATOR);
    if (status != PREPAY_OK) {
        meter->mode = old;
    }
    return status;
}

int prepay_meter_set_purse_parameters(prepay_meter_t *meter, prepay_money_t alarm1, prepay_money_t alarm2,
                                      prepay_money_t overdraft_limit, prepay_money_t hoarding_limit,
                                      prepay_money_t close_allowed)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_meter_purse_t next = meter->purse;
    next.alarm1 = alarm1;
    next.alarm2 = alarm2;
    next.overdraft_limit = overdraft_limit;
    next.hoarding_limit = hoarding_limit;
    next.close_allowed = close_allowed;
    status = prepay__meter_check_purse(&next);
    if (status != PREPAY_OK) {
        return status;
    }
    meter->purse = next;
    prepay__meter_purse_limits_written(meter);
    return PREPAY_OK;
}

int prepay_meter_set_power_limit(prepay_meter_t *meter, int32_t watts, uint32_t seconds)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (watts < 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    meter->power_limit = watts;
    meter->power_limit_seconds = seconds;
    meter->overload_since = -1;
    return PREPAY_OK;
}

int prepay_meter_set_password(prepay_meter_t *meter, unsigned level, const uint8_t password[3])
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (password == NULL || level >= PREPAY_METER_PASSWORD_LEVELS) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memcpy(meter->passwords[level], password, 3);
    return PREPAY_OK;
}

int prepay_meter_set_programming_key(prepay_meter_t *meter, bool pressed)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    meter->programming_key = pressed ? 1u : 0u;
    return PREPAY_OK;
}

int prepay_meter_set_instant(prepay_meter_t *meter, const prepay_meter_instant_t *instant)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (instant == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_meter_instant_t was = meter->instant;
    meter->instant = *instant;
    /* With a supervision the change is observed now, as a meter sampling every second would. */
    status = prepay__meter_sup(meter) ? prepay__meter_sup(meter)->sample_now(meter) : PREPAY_OK;
    if (status != PREPAY_OK) {
        meter->instant = was;
    }
    return status;
}

/* Condition -> event kind. */
static const uint8_t condition_event[PREPAY_METER_CONDITION_COUNT] = {
    PREPAY_METER_EVENT_COVER_OPEN, PREPAY_METER_EVENT_LOSS_OF_VOLTAGE, PREPAY_METER_EVENT_LOSS_OF_CURRENT,
    PREPAY_METER_EVENT_REVERSE_PHASE, PREPAY_METER_EVENT_POWER_DOWN,
};

int prepay_meter_report(prepay_meter_t *meter, prepay_meter_condition_t condition, bool active)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if ((unsigned)condition >= PREPAY_METER_CONDITION_COUNT) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t bit = (uint8_t)(1u << (unsigned)condition);
    bool now_active = (meter->conditions & bit) != 0;
    if (now_active == active) {
        return PREPAY_OK;
    }
    unsigned kind = condition_event[condition];
    if (active) {
        meter->conditions = (uint8_t)(meter->conditions | bit);
        prepay__meter_event_now(meter, kind, 0);
        return PREPAY_OK;
    }
    meter->conditions = (uint8_t)(meter->conditions & (uint8_t)~bit);
    /* Close the newest open record of this kind. */
    for (size_t k = 0; k < PREPAY_METER_EVENT_RECORDS; k++) {
        size_t i = (meter->record_next + PREPAY_METER_EVENT_RECORDS - 1u - k) % PREPAY_METER_EVENT_RECORDS;
        prepay_meter_record_t *r = &meter->records[i];
        if (r->used && r->kind == kind) {
            if (r->end == 0) {
                r->end = prepay__record_time(meter->clock);
            }
            break;
        }
    }
    return PREPAY_OK;
}

/* Builds the wallet policy of this meter on the caller's stack: the base
 * policy with the purse's amounts as the three levels of the meter model. */
static int meter_policy(const prepay_meter_t *meter, prepay_wallet_policy_t *policy)
{
    if (meter->policy != NULL) {
        *policy = *meter->policy;
    } else {
        prepay_wallet_policy_default(policy);
    }
    if (PREPAY_MAX_ALARM_LEVELS < 3) {
        return PREPAY_E_METER_BAD_PARAMETER;
    }
    memset(policy->thresholds, 0, sizeof policy->thresholds);
    policy->thresholds[0] = meter->purse.alarm1;
    policy->thresholds[1] = meter->purse.alarm2;
    policy->thresholds[2] = 0;
    policy->level_count = 3;
    policy->pretrip_level = 2;
    policy->cutoff = PREPAY_WALLET_CUTOFF_AT_OVERDRAFT_LIMIT;
    policy->overdraft_limit = meter->purse.overdraft_limit;
    policy->close_allowed_amount = meter->purse.close_allowed;
    policy->emergency_amount = 0;
    policy->flags = 0;
    return PREPAY_OK;
}

/* Records a decision of the built-in policy (levels alarm1 > alarm2 > 0, cut-off
 * at -overdraft limit) and the balances for which deciding again cannot change
 * it. With the balance falling from B to B' (pricing only takes money), the
 * alarm level L stays while B' > threshold[L] (hysteresis only holds a level,
 * and the held levels stay held at a lower balance), an untripped cut-off stays
 * while B' > -overdraft limit, a tripped one stays (restoring needs a higher
 * balance than B had), and the pre-trip acknowledgement follows the level. */
static void remember_decision(prepay_meter_t *meter)
{
    prepay_meter_derived_t *d = &meter->derived;
    const prepay_meter_purse_t *p = &meter->purse;
    d->decided = 0;
    if (meter->mode != PREPAY_METER_MODE_LOCAL || !prepay__meter_policy_timeless(meter)) {
        return;
    }
    const prepay_money_t thresholds[3] = {p->alarm1, p->alarm2, 0};
    prepay_money_t floor = INT64_MIN;
    if (meter->wallet.level < 3) {
        floor = thresholds[meter->wallet.level];
    }
    if ((meter->wallet.flags & PREPAY_WALLET_STATE_TRIPPED) == 0 && -p->overdraft_limit > floor) {
        floor = -p->overdraft_limit;
    }
    d->decided_balance = p->balance;
    d->decided_floor = floor;
#if PREPAY_METER_DECISION_PURSE
    d->decided_purse[0] = p->alarm1;
    d->decided_purse[1] = p->alarm2;
    d->decided_purse[2] = p->overdraft_limit;
    d->decided_purse[3] = p->close_allowed;
#endif
    d->decided_relay = meter->relay;
    d->decided_level = meter->alarm_level;
    d->decided_wallet = meter->wallet;
    d->decided = 1;
}

bool prepay__meter_decision_holds_call(const prepay_meter_t *meter, bool button)
{
    return prepay__meter_decision_holds_inline(meter, button);
}

int prepay__meter_decide(prepay_meter_t *meter, bool button, uint32_t who)
{
    if (prepay__meter_decision_holds(meter, button)) {
        return PREPAY_OK;
    }
    uint8_t relay = meter->relay;
    bool was_open = (relay & PREPAY_METER_RELAY_OPEN) != 0;
    if (button) {
        /* The button closes after "close allowed" and resets an overload trip. */
        relay = (uint8_t)(relay & (uint8_t)~(PREPAY_METER_RELAY_CLOSE_PENDING | PREPAY_METER_RELAY_OVERLOAD));
    }
    bool remote_trip = (relay & (PREPAY_METER_RELAY_REMOTE_TRIP | PREPAY_METER_RELAY_CLOSE_PENDING)) != 0;
    bool keep = (relay & PREPAY_METER_RELAY_KEEP_POWER) != 0;
    /* An overload trip and a load-control trip both keep the relay open (meter_supervision.h). */
    bool overload = (relay & (PREPAY_METER_RELAY_OVERLOAD | PREPAY_METER_RELAY_LOAD_CONTROL)) != 0;
    bool open;
    prepay_wallet_state_t wallet = meter->wallet;
    uint8_t level = meter->alarm_level;
    if (meter->mode == PREPAY_METER_MODE_LOCAL) {
        prepay_wallet_policy_t policy;
        int status = meter_policy(meter, &policy);
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_wallet_input_t input;
        input.balance = meter->purse.balance;
        input.emergency_outstanding = 0;
        input.now = meter->clock;
        input.flags = 0;
        if (overload) {
            input.flags |= PREPAY_WALLET_IN_FORBID_CLOSE;
        }
        if (keep) {
            input.flags |= PREPAY_WALLET_IN_KEEP_POWER;
        }
        if (remote_trip) {
            input.flags |= PREPAY_WALLET_IN_REMOTE_TRIP;
        }
        if (button) {
            input.flags |= PREPAY_WALLET_IN_ACKNOWLEDGE;
        }
        prepay_wallet_decision_t decision;
        status = prepay_wallet_decide(&policy, &input, &wallet, &decision);
        if (status != PREPAY_OK) {
            return status;
        }
        wallet = decision.next;
        level = decision.level;
        open = decision.relay == PREPAY_WALLET_RELAY_OPEN;
    } else {
        open = overload || (remote_trip && !keep);
        level = 0;
    }
    meter->wallet = wallet;
    meter->alarm_level = level;
    relay = (uint8_t)(relay & (uint8_t)~PREPAY_METER_RELAY_OPEN);
    if (open) {
        relay = (uint8_t)(relay | PREPAY_METER_RELAY_OPEN);
    }
    meter->relay = relay;
    if (open != was_open) {
        prepay__meter_event_now(meter, open ? PREPAY_METER_EVENT_TRIP : PREPAY_METER_EVENT_CLOSE, who);
    }
    remember_decision(meter);
    return PREPAY_OK;
}

int prepay_meter_press_button(prepay_meter_t *meter)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    return prepay__meter_decide(meter, true, PREPAY__METER_LOCAL_OPERATOR);
}

int prepay_meter_relay_command(prepay_meter_t *meter, prepay_time_t now, uint8_t command, prepay_time_t valid_until,
                               uint32_t operator_code)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    uint8_t relay = meter->relay;
    switch (command) {
    case PREPAY_DLT645_RELAY_TRIP:
    case PREPAY_DLT645_RELAY_CLOSE_ALLOWED:
    case PREPAY_DLT645_RELAY_DIRECT_CLOSE:
    case PREPAY_DLT645_RELAY_ALARM:
    case PREPAY_DLT645_RELAY_ALARM_RELEASE:
    case PREPAY_DLT645_RELAY_KEEP_POWER:
    case PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE:
        break;
    default:
        return PREPAY_E_DLT645_BAD_RELAY_COMMAND;
    }
    prepay_time_t t = now > meter->clock ? now : meter->clock;
    if (t > valid_until) {
        return PREPAY_E_METER_COMMAND_EXPIRED;
    }
    switch (command) {
    case PREPAY_DLT645_RELAY_TRIP:
        if (relay & PREPAY_METER_RELAY_KEEP_POWER) {
            return PREPAY_E_METER_KEEP_POWER;
        }
        relay = (uint8_t)((relay | PREPAY_METER_RELAY_REMOTE_TRIP) & (uint8_t)~PREPAY_METER_RELAY_CLOSE_PENDING);
        break;
    case PREPAY_DLT645_RELAY_CLOSE_ALLOWED:
        if (relay & PREPAY_METER_RELAY_REMOTE_TRIP) {
            relay = (uint8_t)((relay & (uint8_t)~PREPAY_METER_RELAY_REMOTE_TRIP) | PREPAY_METER_RELAY_CLOSE_PENDING);
        }
        break;
    case PREPAY_DLT645_RELAY_DIRECT_CLOSE:
        /* A direct close is also load control's remote release (prepay_lc_release()). */
        if (prepay__meter_sup(meter)) {
            prepay__meter_sup(meter)->release(meter);
        }
        relay = (uint8_t)(meter->relay & (uint8_t)~(PREPAY_METER_RELAY_REMOTE_TRIP | PREPAY_METER_RELAY_CLOSE_PENDING |
                                                    PREPAY_METER_RELAY_OVERLOAD));
        break;
    case PREPAY_DLT645_RELAY_ALARM:
        relay = (uint8_t)(relay | PREPAY_METER_RELAY_ALARM);
        break;
    case PREPAY_DLT645_RELAY_ALARM_RELEASE:
        relay = (uint8_t)(relay & (uint8_t)~PREPAY_METER_RELAY_ALARM);
        break;
    case PREPAY_DLT645_RELAY_KEEP_POWER:
        relay = (uint8_t)((relay | PREPAY_METER_RELAY_KEEP_POWER) &
                          (uint8_t)~(PREPAY_METER_RELAY_REMOTE_TRIP | PREPAY_METER_RELAY_CLOSE_PENDING));
        break;
    default: /* PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE */
        relay = (uint8_t)(relay & (uint8_t)~PREPAY_METER_RELAY_KEEP_POWER);
        break;
    }
    /* prepay__meter_decide() changes nothing when it fails: undo only what was set here. */
    prepay_time_t saved_clock = meter->clock;
    uint8_t saved_relay = meter->relay;
    uint32_t saved_operator = meter->last_operator;
    meter->clock = t;
    meter->relay = relay;
    meter->last_operator = operator_code;
    status = prepay__meter_decide(meter, false, operator_code);
    if (status != PREPAY_OK) {
        meter->clock = saved_clock;
        meter->relay = saved_relay;
        meter->last_operator = saved_operator;
    }
    return status;
}

int prepay_meter_recharge(prepay_meter_t *meter, prepay_time_t now, prepay_money_t amount, uint32_t count)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (amount <= 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (count == meter->purse.purchase_count) {
        return PREPAY_METER_RECHARGE_REPEAT;
    }
    if (meter->purse.purchase_count == UINT32_MAX || count != meter->purse.purchase_count + 1u) {
        return PREPAY_E_METER_PURCHASE_COUNT;
    }
    prepay_money_t balance;
    prepay_money_t total;
    if (prepay_i64_add(meter->purse.balance, amount, &balance) != PREPAY_OK ||
        prepay_i64_add(meter->purse.purchase_total, amount, &total) != PREPAY_OK) {
        return PREPAY_E_OVERFLOW;
    }
    if (meter->purse.hoarding_limit > 0 && balance > meter->purse.hoarding_limit) {
        return PREPAY_E_METER_HOARDING_LIMIT;
    }
    /* prepay__meter_decide() changes nothing when it fails: undo only what was set here. */
    prepay_meter_purse_t saved_purse = meter->purse;
    prepay_time_t saved_clock = meter->clock;
    prepay__meter_catch_up(meter, now);
    meter->purse.last_before = meter->purse.balance;
    meter->purse.last_amount = amount;
    meter->purse.last_time = prepay__record_time(meter->clock);
    meter->purse.balance = balance;
    meter->purse.purchase_total = total;
    meter->purse.purchase_count = count;
    status = prepay__meter_decide(meter, false, PREPAY__METER_LOCAL_OPERATOR);
    if (status != PREPAY_OK) {
        meter->purse = saved_purse;
        meter->clock = saved_clock;
    }
    return status;
}

int prepay__meter_set_clock(prepay_meter_t *meter, prepay_time_t t)
{
    uint8_t probe[6];
    if (prepay_time_to_dlt645_datetime(t, probe) != PREPAY_OK) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    if (prepay__meter_sup(meter)) {
        prepay__meter_sup(meter)->clock_changed(meter, meter->clock, t); /* clock-change record, time bases */
    }
    meter->clock = t;
    meter->overload_since = -1;
    return PREPAY_OK;
}

void prepay__meter_clear_energy(prepay_meter_t *meter)
{
    memset(meter->forward, 0, sizeof meter->forward);
    memset(meter->reverse, 0, sizeof meter->reverse);
    meter->forward_remainder = 0;
    meter->reverse_remainder = 0;
    memset(meter->daily, 0, sizeof meter->daily);
    memset(meter->settlement, 0, sizeof meter->settlement);
    memset(&meter->instant_freeze, 0, sizeof meter->instant_freeze);
    /* A meter clear also clears the maximum demand (current and settled) and the load records. */
#if PREPAY_METER_DEMAND
    memset(&meter->demand.max, 0, sizeof meter->demand.max);
    memset(meter->demand.settled, 0, sizeof meter->demand.settled);
    prepay__meter_demand_restart(&meter->demand);
#endif
#if PREPAY_METER_LOAD_RECORDS
    if (meter->load_ring != NULL) {
        meter->load_ring->count = 0;
    }
    meter->load_profile.last = -1;
    meter->load_profile.read_di = 0;
#endif
}

int prepay__meter_clear_events(prepay_meter_t *meter, int kind)
{
    if (kind < 0) {
        if (prepay__meter_sup(meter)) {
            prepay__meter_sup(meter)->clear(meter); /* the judged events too */
        }
        memset(meter->event_counts, 0, sizeof meter->event_counts);
        memset(meter->records, 0, sizeof meter->records);
        meter->record_next = 0;
        return PREPAY_OK;
    }
    if (kind >= (int)PREPAY_METER_EVENT_COUNT) {
        return PREPAY_E_NOT_FOUND;
    }
    meter->event_counts[kind] = 0;
    for (size_t i = 0; i < PREPAY_METER_EVENT_RECORDS; i++) {
        if (meter->records[i].used && meter->records[i].kind == (uint8_t)kind) {
            memset(&meter->records[i], 0, sizeof meter->records[i]);
        }
    }
    return PREPAY_OK;
}
