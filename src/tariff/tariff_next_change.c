/* SPDX-License-Identifier: MIT */
/*
 * The next instant at which the band or the price set changes
 * (prepay_tariff_next_change()): a meter or a stream prices everything before
 * it with one band and skips the lookups in between.
 */
#include "prepay/civil_time.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_engine_internal.h"

/* How many midnights a run may be followed across before the search stops
 * (a schedule that keeps one band all year): one year and a day. */
#define MAX_MIDNIGHTS 367

/* First day after `day` with an override, or -1 (overrides sorted by day). */
static prepay_days_t next_override_day(const prepay_tou_schedule_t *s, prepay_days_t day)
{
    unsigned lo = 0, hi = s->override_count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2u;
        if (s->overrides[mid].day <= day) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return lo < s->override_count ? s->overrides[lo].day : -1;
}

static int next_change(const prepay_tariff_plan_t *plan, prepay_time_t at, prepay_time_t limit,
                       prepay_tariff_run_t *run);

int prepay_tariff_next_change(const prepay_tariff_plan_t *plan, prepay_time_t at, prepay_time_t limit,
                              prepay_tariff_run_t *run)
{
    if (!plan || !run || limit <= at) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    bool sealed;
    int status = prepay__plan_check(plan, &sealed);
    if (status != PREPAY_OK) {
        return status;
    }
    return next_change(plan, at, limit, run);
}

int prepay__next_change_sealed(const prepay_tariff_plan_t *plan, prepay_time_t at, prepay_time_t limit,
                               prepay_tariff_run_t *run)
{
    if (!plan || !run || limit <= at) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    bool sealed;
    int status = prepay__plan_check_sealed(plan, &sealed);
    if (status != PREPAY_OK) {
        return status;
    }
    return next_change(plan, at, limit, run);
}

/* The run at `at` in a checked plan. */
static int next_change(const prepay_tariff_plan_t *plan, prepay_time_t at, prepay_time_t limit,
                       prepay_tariff_run_t *run)
{
    int status;
    unsigned set = prepay__set_at(plan, at);
    const prepay_tariff_t *t = plan->sets[set];
    /* Set A ends at the switch-over: the price changes there even if the band does not. */
    prepay_time_t set_end = INT64_MAX;
    if (set == 0 && plan->sets[1] && plan->switch_time > at) {
        set_end = plan->switch_time;
    }
    prepay_time_t stop = set_end < limit ? set_end : limit;
    prepay_days_t day = prepay_time_day_of(at);
    uint8_t table;
    unsigned band, end_minute;
    status = prepay__tou_day_table(t, day, &table);
    if (status == PREPAY_OK) {
        status = prepay__tou_run(t, day, table, (unsigned)prepay_time_second_of_day(at) / 60u, &band, &end_minute);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_time_t until = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY + (prepay_time_t)end_minute * 60;
    bool changes = true;
    for (unsigned midnights = 0; until < stop && end_minute == PREPAY_MINUTES_PER_DAY; midnights++) {
        /* The run reaches midnight: it goes on if the next day starts in the same band. */
        if (midnights == MAX_MIDNIGHTS) {
            changes = false;
            break;
        }
        day++;
        if (t->schedule.season_count == 0 && band == t->schedule.default_band) {
            /* Without seasons the band is default_band until the next day with an override. */
            prepay_days_t next = next_override_day(&t->schedule, day - 1);
            if (next < 0) {
                until = INT64_MAX;
                break;
            }
            if (next > day) {
                day = next;
                until = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY;
                if (until >= stop) {
                    break;
                }
            }
        }
        unsigned next_band;
        status = prepay__tou_day_table(t, day, &table);
        if (status == PREPAY_OK) {
            status = prepay__tou_run(t, day, table, 0, &next_band, &end_minute);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        if (next_band != band) {
            break; /* changes at this midnight */
        }
        until = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY + (prepay_time_t)end_minute * 60;
    }
    if (until >= stop) {
        until = stop;
        changes = stop == set_end;
    }
    run->until = until;
    run->band = (uint8_t)band;
    run->price_set = (uint8_t)set;
    run->changes = changes ? 1u : 0u;
    return PREPAY_OK;
}
