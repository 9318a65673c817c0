/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: sliding-window maximum demand (DL/T 645-2007
 * 04000103 demand period, 04000104 sliding time; A.2 maximum demand 01xxxxxx;
 * A.3 02800004 current active demand).
 *
 * The rule is the one open meter firmware applies (docs/load-curves.md,
 * "Maximum demand in the meter"): energy per whole minute into a ring of up
 * to PREPAY_METER_DEMAND_MINUTES minutes; after power-up, a clear or a
 * parameter change, wait for the next whole minute; compute the demand when
 * the minutes counted reach the period and are a multiple of the sliding
 * time; keep the maximum per total and per tariff band, the band count
 * restarting at every band switch. The cost per minute is O(1): running
 * window sums, no scan of the ring.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "meter_internal.h"

#if PREPAY_METER_DEMAND

#define DEFAULT_PERIOD 15u
#define DEFAULT_SLIDE 1u

void prepay__meter_demand_restart(prepay_meter_demand_t *d)
{
    d->minute_start = 0;
    d->minutes = 0;
    d->band_minutes = 0;
    d->band = 0;
    d->head = 0;
    d->forward_ws = 0;
    d->reverse_ws = 0;
    d->forward_sum = 0;
    d->reverse_sum = 0;
    d->current = 0;
    memset(d->forward_ring, 0, sizeof d->forward_ring);
    memset(d->reverse_ring, 0, sizeof d->reverse_ring);
}

void prepay__meter_demand_init(prepay_meter_t *meter)
{
    prepay_meter_demand_t *d = &meter->demand;
    memset(d, 0, sizeof *d);
    d->period = (uint8_t)(DEFAULT_PERIOD <= PREPAY_METER_DEMAND_MINUTES ? DEFAULT_PERIOD : PREPAY_METER_DEMAND_MINUTES);
    d->slide = DEFAULT_SLIDE;
    prepay__meter_demand_restart(d);
}

static PREPAY__ONE_COPY uint32_t clamp_u32(int64_t ws)
{
    return ws <= 0 ? 0u : ws >= (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)ws;
}

/* Window energy -> 0.1 W, truncated (as a meter's display), clamped to int32. A window below
 * 430 kWh fits a 32-bit division (no 64-bit division routine on a Cortex-M). */
static int32_t demand_of(int64_t ws, unsigned period)
{
    if (ws <= (int64_t)(UINT32_MAX / 10u)) {
        return (int32_t)((uint32_t)ws * 10u / (period * 60u));
    }
    int64_t v = ws * 10 / ((int64_t)period * 60);
    return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

/* `minute` is the window's end in minutes (worked out once per demand: a 64-bit division on a
 * 32-bit target is a library call). */
static void note_max(prepay_meter_max_demand_t *m, int32_t value, uint32_t minute)
{
    if (value > m->value) {
        m->value = value;
        m->minute = minute;
    }
}

void prepay__meter_demand_minute(prepay_meter_t *meter, prepay_time_t t, unsigned band)
{
    prepay_meter_demand_t *d = &meter->demand;
    bool powered = (meter->conditions & (1u << PREPAY_METER_CONDITION_POWER_DOWN)) == 0;
    if (!powered) {
        prepay__meter_demand_restart(d); /* off: the window starts again after power-up */
        return;
    }
    if (d->minute_start == 0 || t != d->minute_start + 60) {
        /* After power-up, a clear, a parameter write or a clock jump: the minute that ends here
         * was not measured whole. Count from this whole minute on. */
        prepay__meter_demand_restart(d);
        d->minute_start = t;
        return;
    }
    unsigned period = d->period;
    uint32_t f = clamp_u32(d->forward_ws), r = clamp_u32(d->reverse_ws);
    unsigned head = d->head;
    if (d->minutes >= period) {
        unsigned leaving = head >= period ? head - period : head + PREPAY_METER_DEMAND_MINUTES - period;
        d->forward_sum -= d->forward_ring[leaving];
        d->reverse_sum -= d->reverse_ring[leaving];
    }
    d->forward_ring[head] = f;
    d->reverse_ring[head] = r;
    d->forward_sum += f;
    d->reverse_sum += r;
    d->head = (uint8_t)(head + 1u < PREPAY_METER_DEMAND_MINUTES ? head + 1u : 0u);
    if (d->minutes < UINT16_MAX) {
        d->minutes++;
    }
    if (band != d->band) {
        d->band = (uint8_t)band; /* the band count restarts at a band switch */
        d->band_minutes = 0;
    }
    if (d->band_minutes < UINT16_MAX) {
        d->band_minutes++;
    }
    d->forward_ws = 0;
    d->reverse_ws = 0;
    d->minute_start = t;
    if (d->minutes < period || (d->slide > 1 && d->minutes % d->slide != 0)) {
        return;
    }
    /* Forward and reverse through one copy of demand_of() (an empty window's demand is 0). */
    const int64_t sums[2] = {d->forward_sum, d->reverse_sum};
    int32_t demands[2];
    for (unsigned k = 0; k < 2; k++) {
        demands[k] = sums[k] == 0 ? 0 : demand_of(sums[k], period);
    }
    int32_t forward = demands[0];
    int32_t reverse = demands[1];
    d->current = forward >= reverse ? forward : -reverse;
    uint32_t minute = (uint32_t)(t / 60); /* t is a whole minute of 2000..2099 */
    note_max(&d->max.forward[0], forward, minute);
    note_max(&d->max.reverse[0], reverse, minute);
    if (band >= 1 && band <= PREPAY_METER_TARIFFS && d->band_minutes >= period &&
        (d->slide == 1 || d->band_minutes % d->slide == 0)) {
        note_max(&d->max.forward[band], forward, minute);
        note_max(&d->max.reverse[band], reverse, minute);
    }
}

/* `count` whole minutes ending at first_end, first_end + 60, ... with `watts` constant and the
 * same band, exactly as that many calls of prepay__meter_demand_add(watts, 60) and
 * prepay__meter_demand_minute(). Once the window holds only this minute's energy and both
 * counts have passed a full window and a slide, every further minute writes the same value,
 * computes the same demand (already noted: maxima only rise) and moves the head: those
 * minutes are applied at once, so a long constant run costs O(window), not O(minutes). */
void prepay__meter_demand_minutes(prepay_meter_t *meter, prepay_time_t first_end, int64_t count, int32_t watts,
                                  unsigned band)
{
    prepay_meter_demand_t *d = &meter->demand;
    if (count > 0 && (meter->conditions & (1u << PREPAY_METER_CONDITION_POWER_DOWN)) != 0) {
        prepay__meter_demand_restart(d); /* what every minute of a powered-down meter does */
        return;
    }
    unsigned settle = 2u * ((unsigned)d->period + (unsigned)d->slide) + 2u;
    int64_t i = 0;
    for (; i < count; i++) {
        bool steady = i >= (int64_t)settle && d->minutes >= settle && d->band_minutes >= settle && d->band == band;
        if (steady) {
            break;
        }
        prepay__meter_demand_add(meter, watts, 60);
        prepay__meter_demand_minute(meter, first_end + i * 60, band);
    }
    int64_t rest = count - i;
    if (rest <= 0) {
        return;
    }
    uint32_t f = watts > 0 ? clamp_u32((int64_t)watts * 60) : 0u;
    uint32_t r = watts < 0 ? clamp_u32(-(int64_t)watts * 60) : 0u;
    unsigned head = d->head;
    int64_t writes = rest < PREPAY_METER_DEMAND_MINUTES ? rest : PREPAY_METER_DEMAND_MINUTES;
    for (int64_t k = 0; k < writes; k++) {
        d->forward_ring[head] = f;
        d->reverse_ring[head] = r;
        head = head + 1u < PREPAY_METER_DEMAND_MINUTES ? head + 1u : 0u;
    }
    d->head = (uint8_t)((d->head + (uint64_t)rest) % PREPAY_METER_DEMAND_MINUTES);
    d->minutes = (uint16_t)(d->minutes + rest >= UINT16_MAX ? UINT16_MAX : d->minutes + rest);
    d->band_minutes = (uint16_t)(d->band_minutes + rest >= UINT16_MAX ? UINT16_MAX : d->band_minutes + rest);
    d->forward_ws = 0;
    d->reverse_ws = 0;
    d->minute_start = first_end + (count - 1) * 60;
}

void prepay__meter_demand_settle(prepay_meter_t *meter)
{
    prepay_meter_demand_t *d = &meter->demand;
    memmove(&d->settled[1], &d->settled[0], (PREPAY_METER_SETTLEMENTS - 1u) * sizeof d->settled[0]);
    d->settled[0] = d->max;
    memset(&d->max, 0, sizeof d->max);
}

const char *prepay__meter_demand_check(const prepay_meter_t *meter)
{
    const prepay_meter_demand_t *d = &meter->demand;
    if (d->period < 1 || d->period > PREPAY_METER_DEMAND_MINUTES || d->slide < 1 || d->slide > d->period) {
        return "demand.period";
    }
    if (d->head >= PREPAY_METER_DEMAND_MINUTES || d->band > PREPAY_MAX_TARIFF_INDEX) {
        return "demand.head";
    }
    if (d->forward_ws < 0 || d->reverse_ws < 0 || d->forward_sum < 0 || d->reverse_sum < 0) {
        return "demand.forward_ws";
    }
    const prepay_meter_demand_registers_t *sets[1 + PREPAY_METER_SETTLEMENTS];
    sets[0] = &d->max;
    for (unsigned i = 0; i < PREPAY_METER_SETTLEMENTS; i++) {
        sets[1 + i] = &d->settled[i];
    }
    for (unsigned k = 0; k <= PREPAY_METER_SETTLEMENTS; k++) {
        for (unsigned i = 0; i <= PREPAY_METER_TARIFFS; i++) {
            if (sets[k]->forward[i].value < 0 || sets[k]->reverse[i].value < 0) {
                return "demand.max";
            }
        }
    }
    return NULL;
}

/* ---- public ------------------------------------------------------------------------------- */

int prepay_meter_set_demand_period(prepay_meter_t *meter, unsigned period, unsigned slide)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (period < 1 || period > PREPAY_METER_DEMAND_MINUTES || slide < 1 || slide > period) {
        return PREPAY_E_METER_BAD_PROFILE;
    }
    meter->demand.period = (uint8_t)period;
    meter->demand.slide = (uint8_t)slide;
    prepay__meter_demand_restart(&meter->demand);
    return PREPAY_OK;
}

int prepay_meter_clear_demand(prepay_meter_t *meter)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    memset(&meter->demand.max, 0, sizeof meter->demand.max);
    prepay__meter_demand_restart(&meter->demand);
    return PREPAY_OK;
}

/* ---- DL/T 645 items ------------------------------------------------------------------------- */

/* XX.XXXX kW (3 bytes, clamped to 99.9999) + YYMMDDhhmm (5 bytes, zeros when none). */
static int put_max(const prepay_meter_max_demand_t *m, prepay__meter_cursor_t *c)
{
    uint8_t b[8] = {0};
    uint64_t v = m->value < 0 ? 0u : m->value > 999999 ? 999999u : (uint64_t)m->value;
    (void)prepay_bcd_encode(v, b, 3);
    if (m->minute != 0 && prepay_time_to_dlt645_minute((prepay_time_t)m->minute * 60, b + 3) != PREPAY_OK) {
        memset(b + 3, 0, 5);
    }
    return prepay__meter_put(c, b, sizeof b);
}

int prepay__meter_read_demand(const prepay_meter_t *meter, uint32_t di, prepay__meter_cursor_t *c)
{
    unsigned kind = (di >> 16) & 0xFFu;
    unsigned tariff = (di >> 8) & 0xFFu;
    unsigned period = di & 0xFFu;
    if ((di >> 24) != 0x01u || kind < 1 || kind > 2 || period > PREPAY_METER_SETTLEMENTS) {
        return PREPAY_E_NOT_FOUND;
    }
    const prepay_meter_demand_registers_t *regs =
        period == 0 ? &meter->demand.max : &meter->demand.settled[period - 1u];
    const prepay_meter_max_demand_t *m = kind == 1 ? regs->forward : regs->reverse;
    unsigned n = PREPAY_METER_TARIFFS;
    if (meter->sets[0] != NULL && meter->sets[0]->band_count < n) {
        n = meter->sets[0]->band_count;
    }
    unsigned first = tariff, last = tariff;
    if (tariff == 0xFFu) {
        first = 0;
        last = n;
    } else if (tariff > n) {
        return PREPAY_E_NOT_FOUND;
    }
    for (unsigned i = first; i <= last; i++) {
        int status = put_max(&m[i], c);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

int prepay__meter_read_current_demand(const prepay_meter_t *meter, prepay__meter_cursor_t *c)
{
    uint8_t b[3];
    int64_t v = meter->demand.current;
    v = v > 799999 ? 799999 : v < -799999 ? -799999 : v; /* signed XX.XXXX kW */
    (void)prepay_bcd_encode_signed(v, b, 3);
    return prepay__meter_put(c, b, 3);
}

/* 04000103 demand period, 04000104 sliding time: NN minutes, one BCD byte. */
int prepay__meter_demand_parameter_read(const prepay_meter_t *meter, uint32_t di, prepay__meter_cursor_t *c)
{
    uint8_t b;
    (void)prepay_bcd_encode_byte(di == PREPAY__DI_DEMAND_PERIOD ? meter->demand.period : meter->demand.slide, &b);
    return prepay__meter_put(c, &b, 1);
}

int prepay__meter_demand_parameter_write(prepay_meter_t *meter, uint32_t di, const uint8_t *v, size_t len)
{
    uint8_t n;
    if (len != 1 || prepay_bcd_decode_byte(v[0], &n) != PREPAY_OK) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned period = di == PREPAY__DI_DEMAND_PERIOD ? n : meter->demand.period;
    unsigned slide = di == PREPAY__DI_DEMAND_PERIOD ? meter->demand.slide : n;
    return prepay_meter_set_demand_period(meter, period, slide) == PREPAY_OK ? PREPAY_OK
                                                                               : PREPAY_E_INVALID_ARGUMENT;
}

#else /* PREPAY_METER_DEMAND 0: the meter keeps no demand (config_default.h). */

int prepay_meter_set_demand_period(prepay_meter_t *meter, unsigned period, unsigned slide)
{
    (void)period, (void)slide;
    int status = prepay__meter_check(meter);
    return status != PREPAY_OK ? status : PREPAY_E_NOT_FOUND;
}

int prepay_meter_clear_demand(prepay_meter_t *meter)
{
    return prepay__meter_check(meter);
}

#endif
