/* SPDX-License-Identifier: MIT */
/*
 * Energy per band over whole days of an energy pattern that repeats every day, without a loop
 * over the days (prepay__tou_whole_days): what a simulated meter needs to cross years in one step.
 *
 * With F(s) the pattern's watt-seconds from midnight to second s, E = F(86400) and r the carry
 * at the first midnight, the meter's Wh counter on day k at second s is floor((r + k E + F(s)) /
 * 3600), and a band gets, from a segment [s, e) of its day table, the difference of the counter
 * at e and at s. Over days k0, k0 + d, ..., k0 + (n - 1) d with one table that is n times the
 * whole-Wh part plus two floor sums sum_j floor((a j + b) / 3600) with a, b < 3600 (the
 * Euclid-like reduction, O(log 3600)). The days of one table are, per calendar year, the days of
 * each season range with one weekday: arithmetic progressions of step 7. Holidays and override
 * days (dates, not periodic) are moved one by one.
 *
 * When a day carries whole Wh (E a multiple of 3600, as any constant power: 86 400 s = 24 x
 * 3 600 s) the carry is the same at every midnight, a day's split does not depend on k, and only
 * the number of days per table matters: whole 400-year Gregorian periods (146 097 days = 20 871
 * weeks: dates, seasons and weekdays repeat) are counted once, so the work is bounded whatever
 * the span.
 */
#include "prepay/civil_time.h"
#include "tariff_internal.h"

#define WS_PER_WH 3600
#define GREGORIAN_DAYS 146097 /* 400 years */

/* sum_{j=0}^{n-1} floor((a j + b) / m) for 0 <= a, b < m <= 3600 and n >= 0: each round swaps
 * the roles of a and m as in Euclid's algorithm (no term exceeds n x m). */
static int64_t floor_sum(int64_t n, int64_t m, int64_t a, int64_t b)
{
    int64_t sum = 0;
    for (;;) {
        if (a >= m) {
            sum += n * (n - 1) / 2 * (a / m);
            a %= m;
        }
        if (b >= m) {
            sum += n * (b / m);
            b %= m;
        }
        int64_t top = a * n + b;
        if (top < m) {
            return sum;
        }
        n = top / m;
        b = top % m;
        int64_t swap = m;
        m = a;
        a = swap;
    }
}

/* A table's segments: at most its slots and the one wrapping over midnight. */
#define TABLE_SEGMENTS (PREPAY_MAX_DAY_SLOTS + 1)

/* The pattern, the carry at `from`, where the Wh go, and the table being summed (its bands and F
 * at its segments' bounds, f[count] = E) or the day counts per table. */
typedef struct whole_days {
    const prepay_tariff_t *tariff;
    const prepay__day_energy_t *energy;
    prepay_days_t from, to;
    int64_t carry;   /* r: watt-seconds carried at `from`, 0..3599 */
    int64_t day_mod; /* E mod 3600 */
    prepay_energy_t *wh;
    unsigned table;
    uint16_t count;
    uint8_t band[TABLE_SEGMENTS];
    int64_t f[TABLE_SEGMENTS + 1];
    int64_t *counts; /* non-NULL: count days per table instead of summing */
} whole_days_t;

static int64_t residue(const whole_days_t *w, int64_t k, int64_t f)
{
    return ((k % WS_PER_WH) * w->day_mod % WS_PER_WH + w->carry + f % WS_PER_WH) % WS_PER_WH;
}

/* The Wh that complete between F = fs and F = fe over the days k0, k0 + step, ... (n of them). */
static int64_t segment_wh(const whole_days_t *w, int64_t k0, int64_t step, int64_t n, int64_t fs, int64_t fe)
{
    int64_t rs = residue(w, k0, fs), re = residue(w, k0, fe);
    int64_t done = n * (((fe - fs) - (re - rs)) / WS_PER_WH);
    int64_t a = (step % WS_PER_WH) * w->day_mod % WS_PER_WH;
    if (a != 0) { /* else every day carries the same: the floor sums of b < 3600 are 0 */
        done += floor_sum(n, WS_PER_WH, a, re) - floor_sum(n, WS_PER_WH, a, rs);
    }
    return done;
}

/* Adds sign x the Wh of the loaded table over the days k0, k0 + step, ... (n of them). */
static void add_days(whole_days_t *w, int64_t k0, int64_t step, int64_t n, int64_t sign)
{
    for (uint16_t i = 0; i < w->count; i++) {
        w->wh[w->band[i]] += sign * segment_wh(w, k0, step, n, w->f[i], w->f[i + 1u]);
    }
}

static int64_t ws_until(const whole_days_t *w, unsigned minute)
{
    return w->energy->ws_until(w->energy->context, (int32_t)minute * 60);
}

/* Loads day table `table` into w: its bands and F at their bounds. */
static void load_table(whole_days_t *w, unsigned table)
{
    prepay__day_segments_t seg;
    prepay__tou_table_segments(w->tariff, table, &seg);
    w->table = table;
    w->count = seg.count;
    for (uint16_t i = 0; i <= seg.count; i++) {
        if (i < seg.count) {
            w->band[i] = seg.band[i];
        }
        w->f[i] = ws_until(w, seg.start[i]);
    }
}

/* n days of `table` from day `day` every `step` days, with sign: counted, or summed when `table`
 * is the table being summed. */
static void visit(whole_days_t *w, unsigned table, prepay_days_t day, int64_t step, int64_t n, int64_t sign)
{
    if (n <= 0) {
        return;
    }
    if (w->counts != NULL) {
        w->counts[table] += sign * n;
    } else if (table == w->table) {
        add_days(w, (int64_t)day - (int64_t)w->from, step, n, sign);
    }
}

/* Days of [x, y) whose weekday is `weekday`, the first being `first` (0 Sunday .. 6 Saturday). */
static int64_t weekdays_in(int64_t n, unsigned first, unsigned weekday)
{
    int64_t offset = (int64_t)((weekday + 7u - first) % 7u);
    return n > offset ? (n - offset - 1) / 7 + 1 : 0;
}

/* The days of [x, y) of one season, by day type. */
static void visit_range(whole_days_t *w, const prepay_tou_season_t *se, prepay_days_t x, prepay_days_t y)
{
    if (y <= x) {
        return;
    }
    int64_t n = (int64_t)y - (int64_t)x;
    unsigned first = prepay_time_weekday(x);
    for (unsigned d = 0; d < 7u; d++) {
        unsigned weekday = (first + d) % 7u;
        visit(w, prepay__tou_week_table(se, weekday), (prepay_days_t)(x + (int32_t)d), 7,
              weekdays_in(n, first, weekday), 1);
    }
}

static prepay_days_t max_day(prepay_days_t a, prepay_days_t b)
{
    return a > b ? a : b;
}

static prepay_days_t min_day(prepay_days_t a, prepay_days_t b)
{
    return a < b ? a : b;
}

/* Every day of [from, to) by season and day type, holidays not yet moved (schedule with seasons;
 * both ends valid days). One pass per calendar year. */
static int visit_plain(whole_days_t *w, prepay_days_t from, prepay_days_t to)
{
    const prepay_tou_schedule_t *s = &w->tariff->schedule;
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
            visit_range(w, se, max_day(cut, from), min_day(next, to));
            if (i < s->season_count) {
                se = &s->seasons[i];
                cut = next;
            }
        }
    }
    return PREPAY_OK;
}

/* Every day of [from, to) with its table: the calendar, holidays moved to their tables, override
 * days taken out (they are added with their own segments). */
static int visit_days(whole_days_t *w)
{
    const prepay_tou_schedule_t *s = &w->tariff->schedule;
    if (s->season_count == 0) {
        visit(w, 0, w->from, 1, (int64_t)w->to - (int64_t)w->from, 1); /* default_band all day */
    } else {
        prepay_days_t rest = w->from;
        int64_t periods = ((int64_t)w->to - (int64_t)w->from) / GREGORIAN_DAYS;
        if (w->counts != NULL && periods > 0) {
            /* Whole 400-year periods: the same days per table in each. */
            int64_t *counts = w->counts;
            int64_t period[PREPAY_MAX_DAY_TABLES];
            memset(period, 0, sizeof period);
            w->counts = period;
            int status = visit_plain(w, w->from, (prepay_days_t)(w->from + GREGORIAN_DAYS));
            w->counts = counts;
            if (status != PREPAY_OK) {
                return status;
            }
            for (unsigned i = 0; i < PREPAY_MAX_DAY_TABLES; i++) {
                counts[i] += periods * period[i];
            }
            rest = (prepay_days_t)(w->from + periods * GREGORIAN_DAYS);
        }
        int status = rest < w->to ? visit_plain(w, rest, w->to) : PREPAY_OK;
        if (status != PREPAY_OK) {
            return status;
        }
        for (unsigned h = prepay__tou_first_holiday(s, w->from); h < s->holiday_count && s->holidays[h].day < w->to;
             h++) {
            prepay_days_t day = s->holidays[h].day;
            int32_t y;
            uint8_t m, d;
            unsigned plain;
            (void)prepay_time_date_from_days(day, &y, &m, &d); /* inside [from, to): valid */
            (void)prepay__tou_plain_table(s, day, &plain);
            visit(w, prepay__tou_week_table(prepay__tou_season_of(s, m, d), prepay_time_weekday(day)), day, 1, 1, -1);
            visit(w, plain, day, 1, 1, 1);
        }
    }
    for (unsigned i = 0; i < s->override_count; i++) {
        prepay_days_t day = s->overrides[i].day;
        if (day >= w->from && day < w->to && (i == 0 || s->overrides[i - 1u].day != day)) {
            unsigned plain = 0;
            if (s->season_count != 0) {
                (void)prepay__tou_plain_table(s, day, &plain);
            }
            visit(w, plain, day, 1, 1, -1);
        }
    }
    return PREPAY_OK;
}

int prepay__tou_whole_days(const prepay_tariff_t *t, prepay_days_t from, prepay_days_t to,
                           const prepay__day_energy_t *energy, int64_t *remainder_ws, prepay_energy_t *total,
                           prepay_energy_t wh[PREPAY_MAX_TARIFF_INDEX + 1])
{
    if (to <= from) {
        return PREPAY_OK;
    }
    int32_t y;
    uint8_t m, d;
    prepay_days_t after;
    if (prepay_time_date_from_days(from, &y, &m, &d) != PREPAY_OK ||
        prepay_time_date_from_days(to - 1, &y, &m, &d) != PREPAY_OK ||
        prepay_time_days_from_date(y + 1, 1, 1, &after) != PREPAY_OK) {
        return PREPAY_E_BAD_DATE; /* the calendar walk reaches the start of the year after the last day */
    }
    int64_t day = energy->ws_until(energy->context, PREPAY_SECONDS_PER_DAY);
    int64_t days = (int64_t)to - (int64_t)from;
    /* The total and the carry: days x E + r, kept below 2^63 by taking whole Wh of E first. */
    int64_t spill = *remainder_ws + days * (day % WS_PER_WH);
    prepay_energy_t all = days * (day / WS_PER_WH) + spill / WS_PER_WH;
    if (t != NULL) {
        static const whole_days_t zero;
        whole_days_t w = zero;
        w.tariff = t;
        w.energy = energy;
        w.from = from;
        w.to = to;
        w.carry = *remainder_ws;
        w.day_mod = day % WS_PER_WH;
        w.wh = wh;
        const prepay_tou_schedule_t *s = &t->schedule;
        unsigned tables = s->season_count == 0 ? 1u : s->day_table_count;
        int64_t counts[PREPAY_MAX_DAY_TABLES];
        memset(counts, 0, sizeof counts);
        if (w.day_mod == 0) {
            w.counts = counts; /* one pass: days per table */
            (void)visit_days(&w);
            w.counts = NULL;
        }
        /* The dates were checked above: every walk of the calendar below succeeds. */
        for (unsigned table = 0; table < tables; table++) {
            load_table(&w, table);
            if (w.day_mod == 0) {
                add_days(&w, 0, 1, counts[table], 1);
            } else {
                (void)visit_days(&w);
            }
        }
        /* Override days with their own segments. */
        for (unsigned i = 0; i < s->override_count; i++) {
            prepay_days_t o = s->overrides[i].day;
            if (o >= from && o < to && (i == 0 || s->overrides[i - 1u].day != o)) {
                prepay__day_segments_t seg;
                (void)prepay__tou_day_segments(t, o, &seg);
                for (uint16_t k = 0; k < seg.count; k++) {
                    wh[seg.band[k]] += segment_wh(&w, (int64_t)o - (int64_t)from, 1, 1, ws_until(&w, seg.start[k]),
                                                  ws_until(&w, seg.start[k + 1u]));
                }
            }
        }
    }
    *total += all;
    *remainder_ws = spill % WS_PER_WH;
    return PREPAY_OK;
}
