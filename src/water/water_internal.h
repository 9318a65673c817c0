/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers shared by the files of the water meter module (never installed).
 */
#ifndef PREPAY_WATER_INTERNAL_H
#define PREPAY_WATER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/water_meter.h"

/* "PWTR": marks an initialised water meter. */
#define PREPAY__WATER_MAGIC 0x50575452u

/* The clock range: 2000-01-01 00:00:00 .. 2099-12-31 23:59:59. */
#define PREPAY__WATER_TIME_MIN INT64_C(0)
#define PREPAY__WATER_TIME_MAX INT64_C(3155759999)

/* Longest low-battery delay or window: 30 days. */
#define PREPAY__WATER_RULE_MAX INT64_C(2592000)

/* Low-battery stages (prepay_water_meter_t::battery_stage). */
#define PREPAY__WATER_BATTERY_NONE 0u
#define PREPAY__WATER_BATTERY_WARNED 1u
#define PREPAY__WATER_BATTERY_CLOSED 2u
#define PREPAY__WATER_BATTERY_LOCKED 3u

int prepay__water_check(const prepay_water_meter_t *meter);

/* Events. */
void prepay__water_event(prepay_water_meter_t *meter, unsigned kind, uint32_t detail, uint16_t aux);
void prepay__water_event_start(prepay_water_meter_t *meter, unsigned kind, uint32_t detail);
void prepay__water_event_end(prepay_water_meter_t *meter, unsigned kind, uint32_t detail);
uint32_t prepay__water_clip32(int64_t value);

/* Time: lets every scheduled event at or before t happen, then sets the clock to t (if later). */
void prepay__water_run_time(prepay_water_meter_t *meter, prepay_time_t t);
/* The first cycle or settlement start after t: 00:00 of `day` (clamped) each month
 * (month 0) or each year in `month`. INT64_MAX if the calendar cannot say. */
prepay_time_t prepay__water_next_start(prepay_time_t t, uint8_t day, uint8_t month);
/* The latest start at or before t (as prepay__water_next_start). */
prepay_time_t prepay__water_last_start(prepay_time_t t, uint8_t day, uint8_t month);
/* Recomputes next_cycle and next_settlement from the clock. */
void prepay__water_reschedule(prepay_water_meter_t *meter);
/* Sets the clock (A015): forward lets time pass; backward reschedules from the new time. */
void prepay__water_set_clock(prepay_water_meter_t *meter, prepay_time_t t);

/* Valve: sets or clears holds from the purse and the timers, records the movement. */
void prepay__water_decide(prepay_water_meter_t *meter, unsigned actor);
/* Adds holds (e.g. a station close) and records the movement. */
void prepay__water_hold(prepay_water_meter_t *meter, uint8_t holds, unsigned actor);
/* The holds that would refuse an open by actor (0: allowed). */
uint8_t prepay__water_blocking(const prepay_water_meter_t *meter, unsigned actor);
/* Clears the holds an open by actor clears (call only when blocking is 0). */
void prepay__water_open(prepay_water_meter_t *meter, unsigned actor);

/* Purse: the exact charge of `litres` at the current ladder position and table. */
int prepay__water_price(const prepay_cjt188_price_table_t *table, prepay_energy_t cycle_volume,
                        prepay_energy_t litres, prepay_amount_t *exact);
/* The whole fen due for an exact charge, and the next `charged` and `carry` (the tariff engine's rule). */
int prepay__water_settle(prepay_money_t charged, prepay_amount_t carry, prepay_amount_t exact, prepay_money_t *due,
                         prepay_money_t *charged_out, prepay_amount_t *carry_out);
/* The point at or below which the purse closes the valve: -overdraft limit. */
static inline int64_t prepay__water_close_point(const prepay_water_meter_t *meter)
{
    return -meter->overdraft_limit;
}

/* Purchase with the serial rule (shared by the API and the A013 handler), at the clock. */
int prepay__water_purchase(prepay_water_meter_t *meter, uint8_t serial, int64_t amount);

#endif /* PREPAY_WATER_INTERNAL_H */
