/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: a long quiet advance in closed form (prepay__meter_jump), so that a
 * simulation crosses years at a cost that does not grow with the span (docs/meter.md, "Long
 * advances").
 *
 * What an advance leaves behind is of two kinds. Sums — the energy registers and their
 * watt-second remainders — depend on the whole span. History — the daily and settlement freezes
 * and the demand maxima they take, the demand window, the load-record ring — is overwritten by
 * the last months of the span. So a meter without supervision at constant power — in remote mode
 * (nothing priced, no relay decision), or in local mode while nothing flows (relay open or no load)
 * and its relay decision holds — takes the sums to a midnight well before the end in closed form
 * (prepay__tou_whole_days(): Wh per band at constant power over whole days), and the advance then
 * simulates the last JUMP_HISTORY_DAYS as before, which rewrites every piece of history: the
 * result is the same, field for field, as the advance minute by minute (tests/meter/test_meter_jump.c).
 */
#include "meter_internal.h"

#if PREPAY_METER_JUMP

#include "prepay/civil_time.h"
#include "../tariff/tariff_internal.h"

/* Days simulated after a jump: enough for PREPAY_METER_SETTLEMENTS + 1 settlement freezes (the
 * first settles maxima that began before the jump; settlements are at most 31 days apart, the
 * first at most 31 days after it), PREPAY_METER_FROZEN_DAYS midnights, and the demand window's
 * minute counts to saturate (65 535 minutes, 46 days). */
#define JUMP_HISTORY_DAYS (31 * (PREPAY_METER_SETTLEMENTS + 2) + PREPAY_METER_FROZEN_DAYS + 2)

/* The midnight at or before t. */
static prepay_time_t midnight_of(prepay_time_t t)
{
    return t - prepay_time_second_of_day(t);
}

prepay_time_t prepay__meter_jump(prepay_meter_t *meter, const prepay_tariff_plan_t *plan, prepay_time_t end,
                                 int32_t watts, prepay_time_t *skip_until)
{
    prepay_time_t t = meter->clock;
    *skip_until = t;
    const prepay_time_t history = (prepay_time_t)JUMP_HISTORY_DAYS * PREPAY_SECONDS_PER_DAY;
    if (end - t <= history + 2 * PREPAY_SECONDS_PER_DAY) {
        return t;
    }
    prepay_time_t to = midnight_of(end - history);
    prepay_time_t switch_time = meter->switch_time[PREPAY__METER_SWITCH_PRICES];
    if (meter->sets[1] != NULL && t < switch_time && midnight_of(switch_time) < to) {
        to = midnight_of(switch_time); /* the bands of one price set all the way */
    }
    /* Load records: only those the end of this advance overwrites may be left unwritten. */
    prepay_time_t skip;
    bool records = prepay__meter_profile_stop(meter, t, end, &skip) != INT64_MAX;
    if (records && midnight_of(skip) < to) {
        to = midnight_of(skip);
    }
    if (to - t < 2 * PREPAY_SECONDS_PER_DAY) {
        return t;
    }
    const prepay_tariff_t *tariff = NULL;
    if (meter->sets[0] != NULL) {
        tariff = plan->sets[plan->sets[1] != NULL && t >= plan->switch_time ? 1 : 0];
    }
    int64_t magnitude = watts < 0 ? -(int64_t)watts : (int64_t)watts;
    prepay_energy_t *registers = watts < 0 ? meter->reverse : meter->forward;
    int64_t remainder = watts < 0 ? meter->reverse_remainder : meter->forward_remainder;
    prepay_energy_t wh[PREPAY_MAX_TARIFF_INDEX + 1];
    memset(wh, 0, sizeof wh);
    if (tariff != NULL && magnitude != 0 &&
        prepay__tou_whole_days(tariff, prepay_time_day_of(t), prepay_time_day_of(to), magnitude, remainder, wh) !=
            PREPAY_OK) {
        return t; /* a date the calendar cannot place: run by run, as before */
    }
    /* A day carries exactly 24 x W Wh: the remainder at `to` is the remainder at t. */
    registers[0] += 24 * magnitude * ((to - t) / PREPAY_SECONDS_PER_DAY);
    for (unsigned b = 1; b <= PREPAY_METER_TARIFFS && b <= PREPAY_MAX_TARIFF_INDEX; b++) {
        registers[b] += wh[b];
    }
    *skip_until = records ? to : t;
    return to;
}

#endif /* PREPAY_METER_JUMP */

bool prepay_meter_jumps(const prepay_meter_t *meter, const prepay_meter_load_t *load)
{
#if PREPAY_METER_JUMP
    if (meter == NULL || prepay__meter_check(meter) != PREPAY_OK) {
        return false;
    }
    bool open = (meter->relay & PREPAY_METER_RELAY_OPEN) != 0;
    if (load != NULL && load->kind != PREPAY_METER_LOAD_CONSTANT && !open) {
        return false; /* a varying load: only behind an open relay is it a constant 0 W */
    }
    bool flowing = load != NULL && !open && load->watts != 0;
    return prepay__meter_jump_allowed(meter, flowing);
#else
    (void)meter;
    (void)load;
    return false;
#endif
}
