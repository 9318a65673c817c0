/* SPDX-License-Identifier: MIT */
/*
 * Energy per band over whole days at constant power, without a loop over the days
 * (prepay__tou_whole_days): what a simulated meter needs to cross years in one step.
 *
 * Constant power W puts exactly 24 W Wh in every day (86 400 s = 24 x 3 600 s), so the
 * watt-seconds carried at midnight are the same every day, and the Wh that complete inside a
 * segment [s, e) of a day are floor((r + W e) / 3600) - floor((r + W s) / 3600) on every day with
 * that segment. A span is therefore counted as days per day table: each year's season ranges
 * split by day type (Saturdays and Sundays counted by arithmetic), a multiple of 400 years taken
 * at once (146 097 days = 20 871 weeks: the Gregorian calendar, seasons and weekdays repeat), then
 * the listed holidays and override days (dates, not periodic) moved one by one.
 */
#include "prepay/civil_time.h"
#include "tariff_internal.h"

#define GREGORIAN_DAYS 146097 /* 400 years */

/* Days of [x, y) whose weekday is `weekday`, the first being `first` (0 Sunday .. 6 Saturday). */
static int64_t weekdays_in(int64_t n, unsigned first, unsigned weekday)
{
    int64_t offset = (int64_t)((weekday + 7u - first) % 7u);
    return n > offset ? (n - offset - 1) / 7 + 1 : 0;
}

/* Adds the days of [x, y) of one season to its tables by day type. */
static void add_range(const prepay_tou_season_t *se, prepay_days_t x, prepay_days_t y,
                      int64_t counts[PREPAY_MAX_DAY_TABLES])
{
    if (y <= x) {
        return;
    }
    int64_t n = (int64_t)y - (int64_t)x;
    unsigned first = prepay_time_weekday(x);
    int64_t sat = weekdays_in(n, first, PREPAY_SATURDAY);
    int64_t sun = weekdays_in(n, first, PREPAY_SUNDAY);
    counts[se->saturday_table] += sat;
    counts[se->sunday_table] += sun;
    counts[se->weekday_table] += n - sat - sun;
}

static prepay_days_t max_day(prepay_days_t a, prepay_days_t b)
{
    return a > b ? a : b;
}

static prepay_days_t min_day(prepay_days_t a, prepay_days_t b)
{
    return a < b ? a : b;
}

/* Days of [from, to) per day table by season and day type, holidays not yet moved (schedule with
 * seasons; both ends valid days). One pass per calendar year. */
static int count_plain(const prepay_tou_schedule_t *s, prepay_days_t from, prepay_days_t to,
                       int64_t counts[PREPAY_MAX_DAY_TABLES])
{
    int32_t year, last_year;
    uint8_t m, d;
    if (prepay_time_date_from_days(from, &year, &m, &d) != PREPAY_OK ||
        prepay_time_date_from_days(to - 1, &last_year, &m, &d) != PREPAY_OK) {
        return PREPAY_E_BAD_DATE;
    }
    const prepay_tou_season_t *wrap = &s->seasons[s->season_count - 1u]; /* in force from 1 January */
    for (; year <= last_year; year++) {
        prepay_days_t cut = 0, next = 0;
        if (prepay_time_days_from_date(year, 1, 1, &cut) != PREPAY_OK) {
            return PREPAY_E_BAD_DATE;
        }
        const prepay_tou_season_t *se = wrap;
        for (unsigned i = 0; i <= s->season_count; i++) {
            /* [cut, next) is in season se: up to the next season's start, or the next year. */
            int status = i < s->season_count
                             ? prepay_time_days_from_date(year, s->seasons[i].start_month, s->seasons[i].start_day,
                                                          &next)
                             : prepay_time_days_from_date(year + 1, 1, 1, &next);
            if (status != PREPAY_OK) {
                return PREPAY_E_BAD_DATE;
            }
            add_range(se, max_day(cut, from), min_day(next, to), counts);
            if (i < s->season_count) {
                se = &s->seasons[i];
                cut = next;
            }
        }
    }
    return PREPAY_OK;
}

/* Adds `count` days of segments `seg` to wh. */
static void add_days(const prepay__day_segments_t *seg, int64_t count, int64_t watts, int64_t remainder_ws,
                     prepay_energy_t wh[PREPAY_MAX_TARIFF_INDEX + 1])
{
    for (uint16_t k = 0; k < seg->count; k++) {
        int64_t s = (int64_t)seg->start[k] * 60, e = (int64_t)seg->start[k + 1u] * 60;
        int64_t done = (remainder_ws + watts * e) / 3600 - (remainder_ws + watts * s) / 3600;
        wh[seg->band[k]] += count * done;
    }
}

int prepay__tou_whole_days(const prepay_tariff_t *t, prepay_days_t from, prepay_days_t to, int64_t watts,
                           int64_t remainder_ws, prepay_energy_t wh[PREPAY_MAX_TARIFF_INDEX + 1])
{
    const prepay_tou_schedule_t *s = &t->schedule;
    if (to <= from) {
        return PREPAY_OK;
    }
    int32_t y;
    uint8_t m, d;
    if (prepay_time_date_from_days(from, &y, &m, &d) != PREPAY_OK ||
        prepay_time_date_from_days(to - 1, &y, &m, &d) != PREPAY_OK) {
        return PREPAY_E_BAD_DATE;
    }
    int64_t counts[PREPAY_MAX_DAY_TABLES];
    memset(counts, 0, sizeof counts);
    if (s->season_count == 0) {
        counts[0] = (int64_t)to - (int64_t)from; /* default_band all day (prepay__tou_table_segments) */
    } else {
        int64_t periods = ((int64_t)to - (int64_t)from) / GREGORIAN_DAYS;
        prepay_days_t rest = from;
        if (periods > 0) {
            int64_t period[PREPAY_MAX_DAY_TABLES];
            memset(period, 0, sizeof period);
            int status = count_plain(s, from, from + GREGORIAN_DAYS, period);
            if (status != PREPAY_OK) {
                return status;
            }
            for (unsigned i = 0; i < PREPAY_MAX_DAY_TABLES; i++) {
                counts[i] = periods * period[i];
            }
            rest = (prepay_days_t)(from + periods * GREGORIAN_DAYS);
        }
        int status = rest < to ? count_plain(s, rest, to, counts) : PREPAY_OK;
        if (status != PREPAY_OK) {
            return status;
        }
        /* Holidays take their own table (override days are moved below). */
        for (unsigned h = prepay__tou_first_holiday(s, from); h < s->holiday_count && s->holidays[h].day < to; h++) {
            prepay_days_t day = s->holidays[h].day;
            unsigned plain;
            (void)prepay_time_date_from_days(day, &y, &m, &d); /* inside [from, to): valid */
            (void)prepay__tou_plain_table(s, day, &plain);
            counts[prepay__tou_week_table(prepay__tou_season_of(s, m, d), prepay_time_weekday(day))]--;
            counts[plain]++;
        }
    }
    /* An override day has its own segments: out of its table's count, added as it is. */
    prepay__day_segments_t seg;
    for (unsigned i = 0; i < s->override_count; i++) {
        prepay_days_t day = s->overrides[i].day;
        if (day < from || day >= to || (i > 0 && s->overrides[i - 1u].day == day)) {
            continue;
        }
        unsigned plain = 0;
        if (s->season_count != 0) {
            (void)prepay__tou_plain_table(s, day, &plain);
        }
        counts[plain]--;
        (void)prepay__tou_day_segments(t, day, &seg);
        add_days(&seg, 1, watts, remainder_ws, wh);
    }
    for (unsigned i = 0; i < PREPAY_MAX_DAY_TABLES; i++) {
        if (counts[i] != 0) {
            prepay__tou_table_segments(t, i, &seg);
            add_days(&seg, counts[i], watts, remainder_ws, wh);
        }
    }
    return PREPAY_OK;
}
