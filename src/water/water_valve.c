/* SPDX-License-Identifier: MIT */
/*
 * Reference water meter: the valve state machine.
 *
 * The valve is open exactly when no hold is set (PREPAY_WATER_HOLD_*). The
 * rules, from published vendor behaviour (CJ/T 188 defines only the ST bits;
 * what a meter does with its valve is vendor-defined; sources in
 * docs/water.md and tests/vectors/water_valve.txt):
 *
 * - balance <= -overdraft limit: close until a top-up lifts it above
 *   (tawydq.com FAQ 170: 剩余金额或者水量为0时 ... 充值后 ...; hg0881.cn:
 *   透支 ... 只有将用户卡重新充值购水，才可使水表阀门开启);
 * - balance <= alarm threshold: close once; tenant (card) or station may
 *   reopen and use the rest; a balance above the threshold re-arms it
 *   (hg0881.cn 告警功能; cpooo.com: 剩余水量为5立方米时 ... 关闭阀门 ...
 *   插入 ... 重新启动; 超过5m3时，"警报"消失);
 * - magnetic attack: close and record; reopen by card once the attack has
 *   ended (hg0881.cn 保护功能; tawydq.com: 解除攻击，再次刷卡即可正常用水);
 * - power removed / battery door: close; reopen by card after power is back
 *   (hg0881.cn 断电关阀功能);
 * - low battery: close, reopen by card within 3 days, then locked until the
 *   battery is changed, when the meter opens by itself (hg0881.cn 电池欠压
 *   提示功能); the delays are data (prepay_water_valve_rules_t);
 * - station close (A017 99H / Modbus 001CH = 2): only a station open clears it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "water_internal.h"

static bool condition(const prepay_water_meter_t *meter, unsigned c)
{
    return (meter->conditions & (1u << c)) != 0;
}

/* Records a movement between two hold sets. */
static void movement(prepay_water_meter_t *meter, uint8_t before, unsigned actor)
{
    if (before == 0 && meter->holds != 0) {
        prepay__water_event(meter, PREPAY_WATER_EVENT_VALVE_CLOSE, meter->holds, (uint16_t)actor);
    } else if (before != 0 && meter->holds == 0) {
        prepay__water_event(meter, PREPAY_WATER_EVENT_VALVE_OPEN, before, (uint16_t)actor);
        if (meter->closed_flow_episode > 0) {
            prepay__water_event_end(meter, PREPAY_WATER_EVENT_FLOW_WHILE_CLOSED,
                                    prepay__water_clip32(meter->closed_flow_episode));
            meter->closed_flow_episode = 0;
        }
    }
}

void prepay__water_hold(prepay_water_meter_t *meter, uint8_t holds, unsigned actor)
{
    uint8_t before = meter->holds;
    meter->holds = (uint8_t)(meter->holds | holds);
    movement(meter, before, actor);
}

void prepay__water_decide(prepay_water_meter_t *meter, unsigned actor)
{
    uint8_t before = meter->holds;
    uint8_t holds = before;
    if (meter->mode == PREPAY_WATER_MODE_REMOTE) {
        holds = (uint8_t)(holds & ~(PREPAY_WATER_HOLD_EMPTY | PREPAY_WATER_HOLD_ALARM));
    } else {
        const int64_t close_point = prepay__water_close_point(meter);
        if (meter->balance <= close_point) {
            if (!(holds & PREPAY_WATER_HOLD_EMPTY)) {
                holds |= PREPAY_WATER_HOLD_EMPTY;
                prepay__water_event_start(meter, PREPAY_WATER_EVENT_PURSE_EMPTY,
                                          prepay__water_clip32(-meter->balance));
            }
        } else if (holds & PREPAY_WATER_HOLD_EMPTY) {
            holds = (uint8_t)(holds & ~PREPAY_WATER_HOLD_EMPTY);
            prepay__water_event_end(meter, PREPAY_WATER_EVENT_PURSE_EMPTY, 0);
        }
        if (meter->balance > meter->alarm) {
            /* Above the threshold: a new alarm episode may start; a top-up ends the alarm close. */
            meter->alarm_armed = 1;
            holds = (uint8_t)(holds & ~PREPAY_WATER_HOLD_ALARM);
        } else if (meter->alarm_armed) {
            /* The first fall to the threshold in an episode closes once; a fall
             * straight past the close point spends the warning too. */
            meter->alarm_armed = 0;
            if (meter->balance > close_point) {
                holds |= PREPAY_WATER_HOLD_ALARM;
                prepay__water_event(meter, PREPAY_WATER_EVENT_PURSE_ALARM, prepay__water_clip32(meter->balance), 0);
            }
        }
    }
    meter->holds = holds;
    movement(meter, before, actor);
}

/* The holds an open by this actor clears. */
static uint8_t clearable(unsigned actor)
{
    uint8_t c = PREPAY_WATER_HOLD_ALARM | PREPAY_WATER_HOLD_MAGNET | PREPAY_WATER_HOLD_POWER |
                PREPAY_WATER_HOLD_BATTERY;
    if (actor == PREPAY_WATER_ACTOR_STATION) {
        c |= PREPAY_WATER_HOLD_REMOTE;
    }
    return c;
}

uint8_t prepay__water_blocking(const prepay_water_meter_t *meter, unsigned actor)
{
    if (meter->holds == 0) {
        return 0; /* already open: nothing to refuse */
    }
    uint8_t b = (uint8_t)(meter->holds & ~clearable(actor));
    if (condition(meter, PREPAY_WATER_CONDITION_MAGNET)) {
        b |= PREPAY_WATER_HOLD_MAGNET;
    }
    if (condition(meter, PREPAY_WATER_CONDITION_POWER_DOWN)) {
        b |= PREPAY_WATER_HOLD_POWER;
    }
    if (condition(meter, PREPAY_WATER_CONDITION_LOW_BATTERY) &&
        meter->clock >= meter->battery_since + meter->rules.battery_reopen_window) {
        b |= PREPAY_WATER_HOLD_BATTERY_LOCK; /* past the window: no opens while the battery is low */
    }
    return b;
}

void prepay__water_open(prepay_water_meter_t *meter, unsigned actor)
{
    uint8_t before = meter->holds;
    meter->holds = (uint8_t)(meter->holds & ~clearable(actor));
    movement(meter, before, actor);
}

static bool actor_ok(prepay_water_actor_t actor)
{
    return actor == PREPAY_WATER_ACTOR_TENANT || actor == PREPAY_WATER_ACTOR_STATION;
}

int prepay_water_meter_may_open(const prepay_water_meter_t *meter, prepay_water_actor_t actor, uint8_t *blocking)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (!actor_ok(actor)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t b = prepay__water_blocking(meter, (unsigned)actor);
    if (blocking) {
        *blocking = b;
    }
    return b == 0 ? PREPAY_OK : PREPAY_E_WATER_VALVE_REFUSED;
}

int prepay_water_meter_valve(prepay_water_meter_t *meter, prepay_time_t now, prepay_water_actor_t actor, bool open)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (!actor_ok(actor) || (!open && actor != PREPAY_WATER_ACTOR_STATION)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__water_run_time(meter, now);
    if (!open) {
        prepay__water_hold(meter, PREPAY_WATER_HOLD_REMOTE, (unsigned)actor);
        return PREPAY_OK;
    }
    uint8_t b = prepay__water_blocking(meter, (unsigned)actor);
    if (b != 0) {
        prepay__water_event(meter, PREPAY_WATER_EVENT_OPEN_REFUSED, b, (uint16_t)actor);
        return PREPAY_E_WATER_VALVE_REFUSED;
    }
    prepay__water_open(meter, (unsigned)actor);
    return PREPAY_OK;
}

int prepay_water_meter_report(prepay_water_meter_t *meter, prepay_time_t now, prepay_water_condition_t cond,
                              bool active)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if ((unsigned)cond >= PREPAY_WATER_CONDITION_COUNT) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__water_run_time(meter, now);
    const uint8_t bit = (uint8_t)(1u << (unsigned)cond);
    if (active == ((meter->conditions & bit) != 0)) {
        return PREPAY_OK;
    }
    meter->conditions = active ? (uint8_t)(meter->conditions | bit) : (uint8_t)(meter->conditions & ~bit);
    switch (cond) {
    case PREPAY_WATER_CONDITION_MAGNET:
    case PREPAY_WATER_CONDITION_POWER_DOWN: {
        unsigned kind = cond == PREPAY_WATER_CONDITION_MAGNET ? PREPAY_WATER_EVENT_MAGNET : PREPAY_WATER_EVENT_POWER_DOWN;
        if (active) {
            prepay__water_event_start(meter, kind, 0);
            prepay__water_hold(meter,
                               cond == PREPAY_WATER_CONDITION_MAGNET ? PREPAY_WATER_HOLD_MAGNET : PREPAY_WATER_HOLD_POWER,
                               PREPAY_WATER_ACTOR_METER);
        } else {
            prepay__water_event_end(meter, kind, 0); /* the close stays until a card or the station reopens */
        }
        break;
    }
    case PREPAY_WATER_CONDITION_LOW_BATTERY:
        if (active) {
            meter->battery_since = meter->clock;
            meter->battery_stage = PREPAY__WATER_BATTERY_WARNED;
            prepay__water_event_start(meter, PREPAY_WATER_EVENT_LOW_BATTERY, 0);
            prepay__water_run_time(meter, meter->clock); /* a close or lock due at once */
        } else {
            uint8_t before = meter->holds;
            meter->battery_stage = PREPAY__WATER_BATTERY_NONE;
            prepay__water_event_end(meter, PREPAY_WATER_EVENT_LOW_BATTERY, 0);
            /* New battery: the meter opens by itself if nothing else holds it (hg0881.cn). */
            meter->holds = (uint8_t)(meter->holds & ~(PREPAY_WATER_HOLD_BATTERY | PREPAY_WATER_HOLD_BATTERY_LOCK));
            movement(meter, before, PREPAY_WATER_ACTOR_METER);
        }
        break;
    case PREPAY_WATER_CONDITION_VALVE_STUCK:
        if (active) {
            prepay__water_event_start(meter, PREPAY_WATER_EVENT_VALVE_STUCK, 0);
        } else {
            prepay__water_event_end(meter, PREPAY_WATER_EVENT_VALVE_STUCK, 0);
        }
        break;
    default: /* pipe empty: reported, no rule */
        break;
    }
    return PREPAY_OK;
}
