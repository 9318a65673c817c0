/* SPDX-License-Identifier: MIT */
/* Time-of-use resolution: seasons, day types, holidays, day tables and per-date overrides. */
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_internal.h"

/* Index of the first override on or after a day (overrides sorted by day). */
static unsigned first_override(const prepay_tou_schedule_t *s, prepay_days_t day)
{
    unsigned lo = 0, hi = s->override_count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2u;
        if (s->overrides[mid].day < day) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const prepay_tou_season_t *prepay__tou_season_of(const prepay_tou_schedule_t *s, unsigned month, unsigned day)
{
    unsigned mmdd = month * 100u + day;
    /* The last season starting on or before the date; before the first start, the last season (year wrap). */
    unsigned season = s->season_count - 1u;
    for (unsigned i = 0; i < s->season_count; i++) {
        if ((unsigned)s->seasons[i].start_month * 100u + s->seasons[i].start_day <= mmdd) {
            season = i;
        } else {
            break;
        }
    }
    return &s->seasons[season];
}

unsigned prepay__tou_week_table(const prepay_tou_season_t *se, unsigned weekday)
{
    return weekday == PREPAY_SUNDAY     ? se->sunday_table
           : weekday == PREPAY_SATURDAY ? se->saturday_table
                                        : se->weekday_table;
}

unsigned prepay__tou_first_holiday(const prepay_tou_schedule_t *s, prepay_days_t day)
{
    unsigned lo = 0, hi = s->holiday_count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2u;
        if (s->holidays[mid].day < day) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return lo;
}

int prepay__tou_plain_table(const prepay_tou_schedule_t *s, prepay_days_t day, unsigned *out)
{
    int32_t y;
    uint8_t m, d;
    if (prepay_time_date_from_days(day, &y, &m, &d) != PREPAY_OK) {
        return PREPAY_E_BAD_DATE;
    }
    const prepay_tou_season_t *se = prepay__tou_season_of(s, m, d);
    unsigned h = prepay__tou_first_holiday(s, day);
    if (h < s->holiday_count && s->holidays[h].day == day) {
        *out = s->holidays[h].table ? s->holidays[h].table - 1u : se->holiday_table;
    } else {
        *out = prepay__tou_week_table(se, prepay_time_weekday(day));
    }
    return PREPAY_OK;
}

int prepay__tou_day_table(const prepay_tariff_t *t, prepay_days_t day, uint8_t *table)
{
    const prepay_tou_schedule_t *s = &t->schedule;
    unsigned o = first_override(s, day);
    bool overridden = o < s->override_count && s->overrides[o].day == day;
    if (s->season_count == 0) {
        int32_t y;
        uint8_t m, d;
        if (prepay_time_date_from_days(day, &y, &m, &d) != PREPAY_OK) {
            return PREPAY_E_BAD_DATE;
        }
        *table = overridden ? PREPAY__TABLE_BUILD : PREPAY__TABLE_DEFAULT;
        return PREPAY_OK;
    }
    unsigned index;
    int status = prepay__tou_plain_table(s, day, &index);
    if (status == PREPAY_OK) {
        *table = overridden ? PREPAY__TABLE_BUILD : (uint8_t)index;
    }
    return status;
}

int prepay__tou_run(const prepay_tariff_t *t, prepay_days_t day, uint8_t table, unsigned minute, unsigned *band,
                    unsigned *end_minute)
{
    if (table == PREPAY__TABLE_DEFAULT) {
        *band = t->schedule.default_band;
        *end_minute = PREPAY_MINUTES_PER_DAY;
        return PREPAY_OK;
    }
    if (table == PREPAY__TABLE_BUILD) {
        prepay__day_segments_t seg;
        int status = prepay__tou_day_segments(t, day, &seg);
        if (status != PREPAY_OK) {
            return status;
        }
        uint16_t i = 0;
        while (i + 1u < seg.count && seg.start[i + 1u] <= minute) {
            i++;
        }
        *band = seg.band[i];
        *end_minute = seg.start[i + 1u];
        return PREPAY_OK;
    }
    /* The same runs as prepay__tou_day_segments() without overrides: the slot
     * starting last at or before the minute (before the first start, the last
     * slot, which wraps over midnight), until the next start whose band differs
     * (neighbours with the same band are one run). */
    const prepay_tou_day_table_t *d = &t->schedule.day_tables[table];
    unsigned count = d->slot_count;
    unsigned next = 0;
    while (next < count && d->slots[next].start_minute <= minute) {
        next++;
    }
    unsigned b = d->slots[next > 0 ? next - 1u : count - 1u].band;
    while (next < count && d->slots[next].band == b) {
        next++;
    }
    *band = b;
    *end_minute = next < count ? d->slots[next].start_minute : PREPAY_MINUTES_PER_DAY;
    return PREPAY_OK;
}

/* Paints [from, to) minutes with band over the segment list. */
static PREPAY__ONE_COPY void paint(prepay__day_segments_t *seg, uint16_t from, uint16_t to, uint8_t band)
{
    prepay__day_segments_t out;
    uint16_t n = 0;
    seg->start[seg->count] = PREPAY_MINUTES_PER_DAY;
    bool painted = false;
    for (uint16_t i = 0; i < seg->count; i++) {
        uint16_t a = seg->start[i], b = seg->start[i + 1];
        if (b <= from || a >= to) {
            if (a >= to && !painted) {
                out.start[n] = from;
                out.band[n++] = band;
                painted = true;
            }
            out.start[n] = a;
            out.band[n++] = seg->band[i];
            continue;
        }
        if (a < from) {
            out.start[n] = a;
            out.band[n++] = seg->band[i];
        }
        if (!painted) {
            out.start[n] = from;
            out.band[n++] = band;
            painted = true;
        }
        if (b > to) {
            out.start[n] = to;
            out.band[n++] = seg->band[i];
        }
    }
    if (!painted) {
        out.start[n] = from;
        out.band[n++] = band;
    }
    memcpy(seg->start, out.start, n * sizeof out.start[0]);
    memcpy(seg->band, out.band, n * sizeof out.band[0]);
    seg->count = n;
    seg->start[n] = PREPAY_MINUTES_PER_DAY;
}

void prepay__tou_table_segments(const prepay_tariff_t *t, unsigned index, prepay__day_segments_t *out)
{
    const prepay_tou_schedule_t *s = &t->schedule;
    uint16_t n = 0;
    if (s->season_count == 0) {
        out->start[n] = 0;
        out->band[n++] = s->default_band;
    } else {
        const prepay_tou_day_table_t *table = &s->day_tables[index];
        unsigned last = table->slot_count - 1u;
        if (table->slots[0].start_minute > 0) {
            /* Before the first slot the last slot is in force (it crosses midnight). */
            out->start[n] = 0;
            out->band[n++] = table->slots[last].band;
        }
        for (unsigned k = 0; k <= last; k++) {
            out->start[n] = table->slots[k].start_minute;
            out->band[n++] = table->slots[k].band;
        }
    }
    out->count = n;
    out->start[n] = PREPAY_MINUTES_PER_DAY;
}

int prepay__tou_day_segments(const prepay_tariff_t *t, prepay_days_t day, prepay__day_segments_t *out)
{
    const prepay_tou_schedule_t *s = &t->schedule;
    prepay__day_segments_t seg;
    unsigned index = 0;
    if (s->season_count == 0) {
        int32_t y;
        uint8_t m, d;
        if (prepay_time_date_from_days(day, &y, &m, &d) != PREPAY_OK) {
            return PREPAY_E_BAD_DATE;
        }
    } else {
        int status = prepay__tou_plain_table(s, day, &index);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    prepay__tou_table_segments(t, index, &seg);
    seg.day = day;
    seg.start[seg.count] = PREPAY_MINUTES_PER_DAY;
    /* Overrides of this day (sorted by day, then start). */
    for (unsigned i = first_override(s, day); i < s->override_count && s->overrides[i].day == day; i++) {
        paint(&seg, s->overrides[i].start_minute, s->overrides[i].end_minute, s->overrides[i].band);
    }
    /* Merge neighbours with the same band. */
    uint16_t n = 0;
    for (uint16_t i = 0; i < seg.count; i++) {
        if (n > 0 && seg.band[n - 1] == seg.band[i]) {
            continue;
        }
        seg.start[n] = seg.start[i];
        seg.band[n++] = seg.band[i];
    }
    seg.count = n;
    seg.start[n] = PREPAY_MINUTES_PER_DAY;
    *out = seg;
    return PREPAY_OK;
}

int prepay__tou_band_at(const prepay_tariff_t *t, prepay_days_t day, unsigned minute, unsigned *band)
{
    uint8_t table;
    unsigned end;
    int status = prepay__tou_day_table(t, day, &table);
    if (status == PREPAY_OK) {
        status = prepay__tou_run(t, day, table, minute, band, &end);
    }
    return status;
}

int prepay_tariff_band_at(const prepay_tariff_t *tariff, prepay_time_t at, unsigned *band)
{
    if (!tariff || !band) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay_tariff_validate(tariff);
    if (status != PREPAY_OK) {
        return status;
    }
    return prepay__tou_band_at(tariff, prepay_time_day_of(at), (unsigned)prepay_time_second_of_day(at) / 60u, band);
}
