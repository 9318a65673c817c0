/* SPDX-License-Identifier: MIT */
/*
 * Fixtures shared by the water meter tests: a meter at a fixed address and
 * time, and helpers to compare two meters apart from their event log.
 */
#ifndef WATER_FIXTURES_H
#define WATER_FIXTURES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/civil_time.h"
#include "prepay/cjt188.h"
#include "prepay/water_meter.h"

/* The meter's CJ/T 188 address, text form (A6 first). */
#define WX_ADDRESS "00202307160177"
#define WX_UNIT 1

static inline prepay_time_t wx_time(int year, int month, int day, int hour, int minute, int second)
{
    prepay_civil_t c;
    memset(&c, 0, sizeof c);
    c.year = year;
    c.month = (uint8_t)month;
    c.day = (uint8_t)day;
    c.hour = (uint8_t)hour;
    c.minute = (uint8_t)minute;
    c.second = (uint8_t)second;
    prepay_time_t t;
    assert_int_equal(prepay_time_from_civil(&c, &t), PREPAY_OK);
    return t;
}

/* 2024-03-05 10:00:00, the start of every scenario. */
static inline prepay_time_t wx_t0(void)
{
    return wx_time(2024, 3, 5, 10, 0, 0);
}

static inline void wx_init(prepay_water_meter_t *m, prepay_water_mode_t mode, prepay_time_t t)
{
    prepay_cjt188_address_t a;
    assert_int_equal(prepay_cjt188_address_from_string(WX_ADDRESS, 14, &a), PREPAY_OK);
    assert_int_equal(prepay_water_meter_init(m, mode, PREPAY_CJT188_TYPE_COLD_WATER, &a, WX_UNIT, t), PREPAY_OK);
}

/* A copy of m with the event log (counts and records) taken from other: the
 * only part a refused request may change. */
static inline void wx_mask_events(prepay_water_meter_t *m, const prepay_water_meter_t *other)
{
    memcpy(m->event_counts, other->event_counts, sizeof m->event_counts);
    memcpy(m->records, other->records, sizeof m->records);
    m->record_next = other->record_next;
}

static inline bool wx_same_but_events(const prepay_water_meter_t *a, const prepay_water_meter_t *b)
{
    prepay_water_meter_t x;
    memcpy(&x, a, sizeof x); /* memcpy, not assignment: padding bytes too */
    wx_mask_events(&x, b);
    return memcmp(&x, b, sizeof x) == 0;
}

#endif
