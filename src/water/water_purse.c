/* SPDX-License-Identifier: MIT */
/*
 * Reference water meter: the price table with its ladder, the flow, the
 * purse and purchases.
 *
 * Price table (CJ/T 188 A010 / 8102): price 1 for the litres of the ladder
 * cycle below step 1, price 2 from step 1 to step 2, price 3 above (each
 * litre at the price of the step it falls in: the first litre past a step
 * is priced at the next price). Prices are per m³ in 1e-8 yuan, so a litre
 * at price p costs exactly p x 1e-11 yuan = p nanofen: the charge of n
 * litres is an exact prepay_amount_t (prepay_amount_from_product()).
 *
 * Deduction: the tariff engine's streaming rule (src/tariff/tariff_stream.c
 * settle()): due = round(charged + carry + exact) - charged, half-up, the
 * library's one rounding rule; carry keeps what is not yet a whole fen. So
 * the fen deducted over many small flows equal the rounded exact total, and
 * equal the tariff engine's dues for the same water ladder
 * (tests/water/test_water_purse.c checks it).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "water_internal.h"

/* Lowest balance the meter keeps (water registered with the valve closed can
 * push it down without end): far below any purse, far above overflow. */
#define BALANCE_FLOOR (-(INT64_MAX / 4))

int prepay__water_price(const prepay_cjt188_price_table_t *table, prepay_energy_t cycle_volume, prepay_energy_t litres,
                        prepay_amount_t *exact)
{
    prepay_amount_t total = {0, 0};
    prepay_energy_t at = cycle_volume;
    prepay_energy_t left = litres;
    for (size_t tier = 0; tier < 3 && left > 0; tier++) {
        prepay_energy_t top = tier < 2 ? table->step_litres[tier] : INT64_MAX;
        if (at >= top) {
            continue;
        }
        prepay_energy_t n = top - at < left ? top - at : left;
        prepay_amount_t part;
        int rc = prepay_amount_from_product(n, table->price[tier], &part);
        if (rc != PREPAY_OK || (rc = prepay_amount_add(total, part, &total)) != PREPAY_OK) {
            return rc;
        }
        at += n;
        left -= n;
    }
    *exact = total;
    return PREPAY_OK;
}

int prepay__water_settle(prepay_money_t charged, prepay_amount_t carry, prepay_amount_t exact, prepay_money_t *due,
                         prepay_money_t *charged_out, prepay_amount_t *carry_out)
{
    /* running = charged + carry + exact; charged is whole, so the running total's
     * fraction is that of carry + exact, and carry' = carry + exact - due. */
    prepay_amount_t sum, running;
    prepay_money_t rounded, d, next;
    int rc;
    if ((rc = prepay_amount_add(carry, exact, &sum)) != PREPAY_OK ||
        (rc = prepay_i64_add(sum.units, charged, &running.units)) != PREPAY_OK) {
        return rc;
    }
    running.nanos = sum.nanos;
    if ((rc = prepay_amount_round(running, PREPAY_ROUND_HALF_UP, &rounded)) != PREPAY_OK ||
        (rc = prepay_i64_sub(rounded, charged, &d)) != PREPAY_OK || (rc = prepay_i64_add(charged, d, &next)) != PREPAY_OK) {
        return rc;
    }
    *due = d;
    *charged_out = next;
    carry_out->units = sum.units - d; /* |carry + exact - due| < 1: no overflow */
    carry_out->nanos = sum.nanos;     /* member by member: a stored meter keeps deterministic padding */
    return PREPAY_OK;
}

/* Whether nothing is scheduled at or before t (the common case of a step: no
 * time passing work but moving the clock). */
static inline bool quiet_until(const prepay_water_meter_t *meter, prepay_time_t t)
{
    return t < meter->switch_time && t < meter->next_settlement && t < meter->next_cycle &&
           meter->battery_stage == 0;
}

static inline void pass_time(prepay_water_meter_t *meter, prepay_time_t t)
{
    if (quiet_until(meter, t)) {
        if (t > meter->clock) {
            meter->clock = t;
        }
        return;
    }
    prepay__water_run_time(meter, t);
}

int prepay_water_meter_advance(prepay_water_meter_t *meter, prepay_time_t now, prepay_energy_t litres)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (litres < 0 || litres > PREPAY_WATER_MAX_STEP_LITRES || now > PREPAY__WATER_TIME_MAX) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    if (now < meter->clock) {
        return PREPAY_E_WATER_TIME_ORDER;
    }
    if (meter->volume > INT64_MAX - litres) {
        return PREPAY_E_OVERFLOW;
    }
    /* Price first, on what the meter will hold at the second before now, so
     * that an error changes nothing. */
    const prepay_time_t at = now > meter->clock ? now - 1 : now;
    const prepay_cjt188_price_table_t *table = meter->switch_time <= at ? &meter->prices[1] : &meter->prices[0];
    const prepay_energy_t cycle_volume = meter->next_cycle <= at ? 0 : meter->cycle_volume;
    const int64_t balance_before = meter->balance;
    int64_t balance = balance_before;
    prepay_money_t charged = meter->charged;
    prepay_amount_t carry = meter->carry;
    if (meter->mode == PREPAY_WATER_MODE_MONEY && litres > 0) {
        prepay_amount_t exact;
        prepay_money_t due;
        if ((rc = prepay__water_price(table, cycle_volume, litres, &exact)) != PREPAY_OK ||
            (rc = prepay__water_settle(charged, carry, exact, &due, &charged, &carry)) != PREPAY_OK ||
            (rc = prepay_i64_sub(balance, due, &balance)) != PREPAY_OK) {
            return rc;
        }
    } else if (meter->mode == PREPAY_WATER_MODE_VOLUME) {
        balance -= litres; /* litres <= 1e9, balance >= BALANCE_FLOOR */
    }
    if (balance < BALANCE_FLOOR) {
        return PREPAY_E_OVERFLOW;
    }
    const prepay_time_t before = meter->clock;
    pass_time(meter, at);
    meter->volume += litres;
    meter->cycle_volume += litres;
    meter->balance = balance;
    meter->charged = charged;
    meter->carry.units = carry.units; /* member by member: deterministic padding */
    meter->carry.nanos = carry.nanos;
    if (meter->holds != 0 && litres > 0) {
        meter->closed_flow += litres;
        if (meter->closed_flow_episode == 0) {
            prepay__water_event_start(meter, PREPAY_WATER_EVENT_FLOW_WHILE_CLOSED, 0);
        }
        meter->closed_flow_episode += litres;
    }
    if (balance != balance_before) {
        prepay__water_decide(meter, PREPAY_WATER_ACTOR_METER); /* same balance: the last decision holds */
    }
    pass_time(meter, now);
    if (now > before) {
        /* L/h over the step (Modbus 0005H); one-second steps and no water need no division */
        const int64_t dt = now - before;
        int64_t lph = litres * 3600;
        if (dt == 1 || litres == 0 || prepay_i64_div_round(lph, dt, PREPAY_ROUND_HALF_UP, &lph) == PREPAY_OK) {
            meter->flow_lph = lph;
        }
    }
    return PREPAY_OK;
}

int prepay_water_meter_pulses(prepay_water_meter_t *meter, prepay_time_t now, int64_t pulses)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (pulses < 0 || pulses > PREPAY_WATER_MAX_STEP_LITRES) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    return prepay_water_meter_advance(meter, now, pulses * (int64_t)meter->pulse_coefficient);
}

/* Money mode: the fen that registering n more litres would deduct. */
static int due_for(const prepay_water_meter_t *meter, int64_t n, prepay_money_t *due)
{
    prepay_amount_t exact, carry;
    prepay_money_t charged;
    int rc = prepay__water_price(&meter->prices[0], meter->cycle_volume, n, &exact);
    if (rc != PREPAY_OK) {
        return rc;
    }
    return prepay__water_settle(meter->charged, meter->carry, exact, due, &charged, &carry);
}

int prepay_water_meter_litres_until_close(const prepay_water_meter_t *meter, int64_t *out)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (meter->holds != 0) {
        *out = 0;
        return PREPAY_OK;
    }
    if (meter->mode == PREPAY_WATER_MODE_REMOTE) {
        *out = INT64_MAX;
        return PREPAY_OK;
    }
    const int64_t close_point = prepay__water_close_point(meter);
    const int64_t threshold = meter->alarm_armed && meter->alarm > close_point ? meter->alarm : close_point;
    const int64_t need = meter->balance - threshold; /* the valve closes once this much is deducted */
    if (need <= 0) {
        *out = 0;
        return PREPAY_OK;
    }
    if (meter->mode == PREPAY_WATER_MODE_VOLUME) {
        *out = need;
        return PREPAY_OK;
    }
    /* Money: the smallest n whose due reaches `need` (due grows with n). */
    int64_t low = 0, high = 1;
    prepay_money_t due;
    for (;;) {
        if ((rc = due_for(meter, high, &due)) != PREPAY_OK) {
            return rc;
        }
        if (due >= need) {
            break;
        }
        low = high;
        if (high > (INT64_C(1) << 50)) {
            *out = INT64_MAX; /* free or nearly free water: the purse does not close the valve */
            return PREPAY_OK;
        }
        high *= 2;
    }
    while (high - low > 1) {
        int64_t mid = low + (high - low) / 2;
        if ((rc = due_for(meter, mid, &due)) != PREPAY_OK) {
            return rc;
        }
        if (due >= need) {
            high = mid;
        } else {
            low = mid;
        }
    }
    *out = high;
    return PREPAY_OK;
}

int prepay__water_purchase(prepay_water_meter_t *meter, uint8_t serial, int64_t amount)
{
    int rc = prepay_cjt188_purchase_check(meter->has_purchase != 0, meter->purchase_serial, serial,
                                          meter->purchase_serial_bcd != 0);
    if (rc == PREPAY_E_CJT188_PURCHASE_REPEAT) {
        return PREPAY_WATER_PURCHASE_REPEAT; /* a replay: credit nothing */
    }
    if (rc == PREPAY_E_CJT188_BAD_VALUE) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    uint32_t detail = prepay__water_clip32(amount);
    if (rc != PREPAY_OK) {
        prepay__water_event(meter, PREPAY_WATER_EVENT_PURCHASE_REFUSED, detail, (uint16_t)(serial | 1u << 8));
        return PREPAY_E_WATER_PURCHASE_SERIAL;
    }
    int64_t balance, total;
    if (prepay_i64_add(meter->balance, amount, &balance) != PREPAY_OK ||
        (meter->hoarding_limit > 0 && balance > meter->hoarding_limit)) {
        prepay__water_event(meter, PREPAY_WATER_EVENT_PURCHASE_REFUSED, detail, (uint16_t)(serial | 2u << 8));
        return PREPAY_E_WATER_HOARDING_LIMIT;
    }
    if ((rc = prepay_i64_add(meter->purchase_total, amount, &total)) != PREPAY_OK) {
        return rc;
    }
    meter->balance = balance;
    meter->purchase_total = total;
    meter->last_purchase = amount;
    meter->purchase_serial = serial;
    meter->has_purchase = 1;
    prepay__water_event(meter, PREPAY_WATER_EVENT_PURCHASE, detail, serial);
    prepay__water_decide(meter, PREPAY_WATER_ACTOR_METER);
    return PREPAY_OK;
}

int prepay_water_meter_purchase(prepay_water_meter_t *meter, prepay_time_t now, uint8_t serial, int64_t amount)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (meter->mode == PREPAY_WATER_MODE_REMOTE) {
        return PREPAY_E_WATER_WRONG_MODE;
    }
    if (amount < 1 || amount > PREPAY_WATER_MAX_AMOUNT) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    prepay__water_run_time(meter, now);
    return prepay__water_purchase(meter, serial, amount);
}

int prepay_water_meter_set_balance(prepay_water_meter_t *meter, prepay_time_t now, int64_t litres)
{
    int rc = prepay__water_check(meter);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (meter->mode != PREPAY_WATER_MODE_VOLUME) {
        return PREPAY_E_WATER_WRONG_MODE;
    }
    if (litres < 0 || litres > PREPAY_WATER_MAX_AMOUNT) {
        return PREPAY_E_WATER_BAD_PARAMETER;
    }
    if (meter->hoarding_limit > 0 && litres > meter->hoarding_limit) {
        return PREPAY_E_WATER_HOARDING_LIMIT;
    }
    prepay__water_run_time(meter, now);
    meter->balance = litres;
    prepay__water_event(meter, PREPAY_WATER_EVENT_PURSE_SET, prepay__water_clip32(litres), 0);
    prepay__water_decide(meter, PREPAY_WATER_ACTOR_METER);
    return PREPAY_OK;
}
