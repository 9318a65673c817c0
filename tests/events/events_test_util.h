/* SPDX-License-Identifier: MIT */
/* Shared helpers of the events tests. */
#ifndef EVENTS_TEST_UTIL_H
#define EVENTS_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/prepay.h"
#include "test_support.h"

static inline prepay_time_t ev_time(int32_t y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    prepay_civil_t c;
    memset(&c, 0, sizeof c);
    c.year = y;
    c.month = (uint8_t)mo;
    c.day = (uint8_t)d;
    c.hour = (uint8_t)h;
    c.minute = (uint8_t)mi;
    c.second = (uint8_t)s;
    prepay_time_t t = 0;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
    return t;
}

/* The meter of tests/vectors/events_judge.txt: 220 V, Ib 1.5 A, Imax 60 A. */
static inline void ev_params(prepay_events_params_t *p, prepay_events_wiring_t wiring)
{
    if (PREPAY_EVENTS_PHASES == 1) {
        wiring = PREPAY_EVENTS_WIRING_SINGLE; /* the only wiring a single-phase build judges */
    }
    assert_int_equal(prepay_events_params_default(p, wiring, 2200, 15000, 600000), PREPAY_OK);
}

static inline void ev_sample(prepay_events_sample_t *x, prepay_time_t t, int32_t u, int32_t i, int32_t p)
{
    memset(x, 0, sizeof *x);
    x->time = t;
    for (unsigned ph = 0; ph < PREPAY_EVENTS_PHASES; ph++) {
        x->voltage[ph] = u;
        x->current[ph] = i;
        x->power[ph] = p;
    }
    x->power_total = p * (int32_t)PREPAY_EVENTS_PHASES;
    x->power_factor = 1000;
    x->forward = 1234560;
    x->reverse = 7890;
}

#endif
