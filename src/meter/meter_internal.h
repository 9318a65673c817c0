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
int prepay__meter_check_purse(prepay_money_t alarm1, prepay_money_t alarm2, prepay_money_t overdraft_limit,
                              prepay_money_t hoarding_limit, prepay_money_t close_allowed);
int prepay__meter_set_clock(prepay_meter_t *meter, prepay_time_t t);
int prepay__meter_clear_events(prepay_meter_t *meter, int kind);
void prepay__meter_clear_energy(prepay_meter_t *meter);
uint32_t prepay__meter_le32(const uint8_t bytes[4]);
/* Answers a decoded DL/T 645-1997 request (meter_read_1997.c): reply length, 0 for none, or an error. */
int prepay__meter_handle_1997(prepay_meter_t *meter, prepay_time_t now, const prepay_dlt645_frame_t *req,
                              uint8_t *reply, size_t reply_cap);

#endif /* PREPAY_METER_INTERNAL_H */
