/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: the simulation. Each meter has its own simulated time (its
 * clock) and a target; emu_site_run() moves meters towards their targets in
 * bounded slices (counted in the meter's own steps), firing scripted
 * events at their times, so that a long jump costs the event loop many
 * short turns instead of one long stall; a meter's step covers a run of
 * minutes with nothing due inside, so a jump of years costs O(band changes),
 * and a meter that jumps (prepay_meter_jumps(): a load that repeats every
 * day, no supervision) crosses any span in one call whose cost does not grow
 * with the span, or, a local meter drawing power, in five-year calls that
 * cost O(tariff cycles).
 */
#include <string.h>

#include "emu.h"
#include "emu_scenario.h"

/* Longest single prepay_meter_advance() call of an incomer: its power is
 * the average of its fed meters over one call, so its calls stay short. */
#define CHUNK_SECONDS 86400
/* Longest call of any other meter. The meter takes runs of whole minutes
 * with nothing due inside as one step (band runs, days, the load records it
 * keeps), so a call costs O(band changes), not O(minutes); a month bounds
 * the worst case (a meter that must step every minute) to ~46 000 steps. */
#define LONG_CHUNK_SECONDS (32 * 86400)
/* A local meter drawing power jumps from tariff cycle to tariff cycle (its purse pays for whole
 * days of one cycle at once; the first day of each cycle is simulated run by run): O(cycles) per
 * call, so it gets slices of five years, each long enough to jump (a jump needs more than the
 * months it simulates after it) and about a millisecond of work. */
#define DRAWING_CHUNK_SECONDS (5 * 365 * 86400)

static void note(emu_site_t *site, emu_meter_t *m)
{
    bool behind = m->meter.clock < m->target;
    if (behind != m->pending) {
        m->pending = behind;
        if (behind) {
            site->pending++;
        } else {
            site->pending--;
        }
    }
}

void emu_site_note(emu_site_t *site, size_t index)
{
    if (index < site->meter_count) {
        note(site, &site->meters[index]);
    }
}

void emu_site_schedule(emu_site_t *site, size_t index, prepay_time_t to)
{
    if (index >= site->meter_count) {
        return;
    }
    emu_meter_t *m = &site->meters[index];
    if (to > m->target) {
        m->target = to;
        note(site, m);
    }
    /* An incomer measures what its meters draw: their time passes with its own. */
    for (size_t k = 0; k < m->feed_count; k++) {
        emu_meter_t *f = &site->meters[m->feeds[k]];
        if (to > f->target) {
            f->target = to;
            note(site, f);
        }
    }
}

bool emu_site_busy(const emu_site_t *site)
{
    return site->pending > 0;
}

/* The next event of meter m not yet fired, or NULL. */
static emu_event_t *next_event(emu_site_t *site, emu_meter_t *m)
{
    return m->next_event < m->events_end ? &site->events[site->event_order[m->next_event]] : NULL;
}

/* Fires the meter's events due at or before its clock. */
static int fire_due(emu_site_t *site, emu_meter_t *m)
{
    emu_event_t *e;
    while ((e = next_event(site, m)) != NULL && e->at <= m->meter.clock) {
        if (!e->done) {
            int status = prepay_meter_report(&m->meter, e->condition, e->active);
            if (status != PREPAY_OK) {
                return status;
            }
            e->done = true;
        }
        m->next_event++;
    }
    return PREPAY_OK;
}

/* End of the next step of meter m: its target, at most a chunk away, and
 * not past its next event. */
static prepay_time_t step_end(emu_site_t *site, emu_meter_t *m)
{
    prepay_time_t clock = m->meter.clock;
    int64_t span = m->target - clock;
    int64_t chunk = m->aggregate ? CHUNK_SECONDS : LONG_CHUNK_SECONDS;
    if (!m->aggregate && site->scenario == NULL && prepay_meter_jumps(&m->meter, m->has_load ? &m->load : NULL)) {
        bool drawing = m->meter.mode == PREPAY_METER_MODE_LOCAL && m->has_load &&
                       (m->meter.relay & PREPAY_METER_RELAY_OPEN) == 0;
        /* the meter jumps: one call costs the same whatever the span (drawing: per tariff cycle) */
        chunk = drawing ? DRAWING_CHUNK_SECONDS : INT64_MAX;
    }
    if (span > chunk) {
        span = chunk;
    }
    prepay_time_t end = clock + span;
    emu_event_t *e = next_event(site, m);
    if (e != NULL && e->at > clock && e->at < end) {
        end = e->at;
    }
    return end;
}

static int advance_plain(emu_site_t *site, emu_meter_t *m, prepay_time_t end)
{
    if (site->scenario != NULL) {
        return emu_scenario_advance(site, m, end); /* scripted conditions: emu_scenario.c */
    }
    return prepay_meter_advance(&m->meter, end - m->meter.clock, m->has_load ? &m->load : NULL);
}

/* An incomer draws its own load plus what its fed meters consumed since
 * its last step (and losses), as a constant power whose sub-watt remainder
 * is carried to the next step. */
static int advance_incomer(emu_site_t *site, emu_meter_t *m, prepay_time_t end)
{
    int64_t seconds = end - m->meter.clock;
    int64_t fed_wh = 0;
    for (size_t k = 0; k < m->feed_count; k++) {
        const emu_meter_t *f = &site->meters[m->feeds[k]];
        fed_wh += f->meter.forward[0] - f->fed_mark;
    }
    int64_t ws = fed_wh * 3600 + fed_wh * 36 * (int64_t)m->loss_ppm / 10000 + m->carry_ws;
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_CONSTANT;
    int64_t watts = ws / seconds + (m->has_load ? m->load.watts : 0);
    if (watts > INT32_MAX || watts < INT32_MIN) {
        return PREPAY_E_OVERFLOW;
    }
    load.watts = (int32_t)watts;
    int status = prepay_meter_advance(&m->meter, seconds, &load);
    if (status != PREPAY_OK) {
        return status;
    }
    m->carry_ws = ws % seconds;
    for (size_t k = 0; k < m->feed_count; k++) {
        emu_meter_t *f = &site->meters[m->feeds[k]];
        f->fed_mark = f->meter.forward[0];
    }
    return PREPAY_OK;
}

/* An incomer may not run ahead of a fed meter that is still catching up
 * (its consumption in that time is not known yet). */
static prepay_time_t incomer_limit(const emu_site_t *site, const emu_meter_t *m, prepay_time_t end)
{
    for (size_t k = 0; k < m->feed_count; k++) {
        const emu_meter_t *f = &site->meters[m->feeds[k]];
        if (f->meter.clock < f->target && f->meter.clock < end) {
            end = f->meter.clock;
        }
    }
    return end;
}

static int run_meter(emu_site_t *site, emu_meter_t *m, int64_t *budget)
{
    int status = fire_due(site, m);
    while (status == PREPAY_OK && m->meter.clock < m->target && *budget > 0) {
        prepay_time_t end = step_end(site, m);
        if (m->aggregate) {
            end = incomer_limit(site, m, end);
            if (end <= m->meter.clock) {
                return PREPAY_OK; /* wait for the fed meters */
            }
        }
        status = m->aggregate ? advance_incomer(site, m, end) : advance_plain(site, m, end);
        if (status == PREPAY_OK) {
            *budget -= (int64_t)m->meter.derived.steps; /* the work the meter did, not the time it covered */
            if (m->meter.clock > site->now) {
                site->now = m->meter.clock;
            }
            status = fire_due(site, m);
        }
    }
    note(site, m);
    return status;
}

int emu_site_run(emu_site_t *site, int64_t budget)
{
    /* Fed meters first, then incomers, so that an incomer sees its meters' energy. */
    for (int pass = 0; pass < 2 && site->pending > 0; pass++) {
        for (size_t i = 0; i < site->meter_count && budget > 0; i++) {
            emu_meter_t *m = &site->meters[i];
            if (!m->pending || m->aggregate != (pass == 1)) {
                continue;
            }
            int status = run_meter(site, m, &budget);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    return emu_site_busy(site) ? 1 : 0;
}

int emu_site_advance(emu_site_t *site, prepay_time_t to)
{
    for (size_t i = 0; i < site->meter_count; i++) {
        emu_site_schedule(site, i, to);
    }
    int status;
    do {
        status = emu_site_run(site, INT64_MAX);
    } while (status == 1);
    return status;
}
