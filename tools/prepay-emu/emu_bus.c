/* SPDX-License-Identifier: MIT */
/* prepay-emu: routing frames to the meters of a bus, with collisions and injected faults. */
#include <string.h>

#include "emu.h"
#include "emu_scenario.h"

/* Reply preamble: meters send 0..4 FE (vendor-dependent; some stations refuse any):
 * each meter's own count, "preamble" in the site file (default 2). */

static uint64_t next_random(emu_site_t *site)
{
    /* xorshift64*: deterministic per seed, so a faulty run can be replayed. */
    site->rng ^= site->rng >> 12;
    site->rng ^= site->rng << 25;
    site->rng ^= site->rng >> 27;
    return site->rng * 0x2545F4914F6CDD1Dull;
}

static bool chance(emu_site_t *site, uint32_t ppm)
{
    return ppm > 0 && next_random(site) % 1000000u < ppm;
}

/* Offline windows are in the meter's own simulated time. */
static bool offline(const emu_site_t *site, size_t meter)
{
    prepay_time_t now = site->meters[meter].meter.clock;
    for (size_t i = 0; i < site->faults.offline_count; i++) {
        const emu_offline_t *w = &site->faults.offline[i];
        if (w->meter == meter && now >= w->from && now < w->to) {
            return true;
        }
    }
    return false;
}

/* Index of the meter with exactly this address within [first, first+count), or count. */
static size_t find_exact(const emu_site_t *site, size_t first, size_t count, const prepay_dlt645_address_t *a)
{
    if (count == 1) {
        return memcmp(site->meters[first].meter.address.bytes, a->bytes, sizeof a->bytes) == 0 ? first : SIZE_MAX;
    }
    size_t lo = 0, hi = site->meter_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const uint8_t *b = site->meters[site->order[mid]].meter.address.bytes;
        int cmp = 0;
        for (int k = PREPAY_DLT645_ADDRESS_SIZE - 1; k >= 0 && cmp == 0; k--) {
            cmp = b[k] < a->bytes[k] ? -1 : (b[k] > a->bytes[k] ? 1 : 0);
        }
        if (cmp == 0) {
            size_t index = site->order[mid];
            return index >= first && index < first + count ? index : SIZE_MAX;
        }
        if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return SIZE_MAX;
}

/* One meter answers; returns the reply length (0 = none) or an error. */
static int answer(emu_site_t *site, size_t index, const uint8_t *frame, size_t len, uint8_t *out, size_t cap)
{
    emu_meter_t *m = &site->meters[index];
    const size_t preamble = m->line.preamble;
    m->requests++;
    if (offline(site, index) || cap < preamble) {
        return 0;
    }
    /* U, I, P, Q, PF and f follow the load at the meter's clock. */
    emu_electric_update(m);
    emu_scenario_apply(site, m); /* and the scripted conditions in force (emu_scenario.c) */
    prepay_dlt645_frame_t request;
    int n = 0;
    if (prepay_dlt645_decode(frame, len, &request) > 0) {
        n = emu_nameplate_answer(m, &request, out + preamble, cap - preamble);
    }
    if (n == 0) {
        /* At the meter's own clock: handling never moves time (no energy would flow in a gap). */
        n = prepay_meter_handle(&m->meter, m->meter.clock, frame, len, out + preamble, cap - preamble);
        emu_site_note(site, index); /* a time sync or a clock write may have moved the clock back */
    }
    if (n <= 0) {
        return n;
    }
    memset(out, PREPAY_DLT645_PREAMBLE_BYTE, preamble);
    m->replies++;
    return n + (int)preamble;
}

/* A broadcast time sync (function 08, L = 6) and the time it carries. */
static bool is_time_sync(const prepay_dlt645_frame_t *request, prepay_time_t *t)
{
    return request->function == PREPAY_DLT645_FN_BROADCAST_TIME && request->length == 6 &&
           prepay_dlt645_address_is_broadcast(&request->address) &&
           prepay_time_from_dlt645_datetime(request->data, t) == PREPAY_OK;
}

int emu_bus_prepare(emu_site_t *site, size_t first, size_t count, const uint8_t *frame, size_t len)
{
    prepay_dlt645_frame_t request;
    prepay_time_t t;
    if (site->clock != EMU_CLOCK_SYNC || prepay_dlt645_decode(frame, len, &request) < 0 || request.is_reply ||
        !is_time_sync(&request, &t)) {
        return 0;
    }
    /* In sync mode the sync is how time passes: the meters of this bus that
     * would accept it are simulated up to it first (energy flows in the
     * interval), so that when the frame reaches them their clock is already
     * there. A meter that would refuse it (beyond its limit) moves nothing
     * and records the refusal when the frame reaches it. */
    for (size_t i = first; i < first + count && i < site->meter_count; i++) {
        emu_meter_t *m = &site->meters[i];
        if (t > m->meter.clock && prepay_meter_check_time_sync(&m->meter, t) == PREPAY_OK) {
            emu_site_schedule(site, i, t);
        }
    }
    return emu_site_busy(site) ? 1 : 0;
}

int emu_bus_handle(emu_site_t *site, size_t first, size_t count, const uint8_t *frame, size_t len, uint8_t *reply,
                   size_t reply_cap, uint32_t *delay_ms)
{
    *delay_ms = 0;
    if (count == 0 || first >= site->meter_count || count > site->meter_count - first) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_dlt645_frame_t request;
    if (prepay_dlt645_decode(frame, len, &request) < 0 || request.is_reply) {
        if (site->water_count == 0 || first != 0 || count != site->meter_count) {
            return 0; /* meters stay silent on bad or foreign frames */
        }
        /* Not DL/T 645: a CJ/T 188 request for the water meters, on a link that carries the whole site. */
        int status;
        do {
            status = site->clock == EMU_CLOCK_SYNC ? emu_site_run(site, INT64_MAX) : 0;
        } while (status == 1);
        if (status < 0) {
            return status;
        }
        int n = emu_water_handle(site, frame, len, reply, reply_cap);
        if (n > 0) {
            *delay_ms = site->faults.delay_ms;
        }
        return n;
    }
    bool broadcast = prepay_dlt645_address_is_broadcast(&request.address);
    if (site->clock == EMU_CLOCK_SYNC) {
        /* A time sync's simulation (already done by a server that ran it in slices). */
        (void)emu_bus_prepare(site, first, count, frame, len);
        int status;
        do {
            status = emu_site_run(site, INT64_MAX);
        } while (status == 1);
        if (status < 0) {
            return status;
        }
    }
    prepay_time_t synced;
    if (site->water_count > 0 && first == 0 && count == site->meter_count && is_time_sync(&request, &synced)) {
        /* The water meters of the site take its time with the sync (their tap runs up to it). */
        for (size_t i = 0; i < site->water_count; i++) {
            int status = emu_water_advance(&site->waters[i], site->now);
            if (status < 0) {
                return status;
            }
        }
    }
    size_t total = 0;
    int answering = 0;
    size_t answered_by = 0;
    if (!broadcast && !prepay_dlt645_address_is_wildcard(&request.address) &&
        memchr(request.address.bytes, PREPAY_DLT645_ADDRESS_WILDCARD_BYTE, PREPAY_DLT645_ADDRESS_SIZE) == NULL) {
        size_t index = find_exact(site, first, count, &request.address);
        if (index != SIZE_MAX) {
            int n = answer(site, index, frame, len, reply, reply_cap);
            if (n < 0) {
                return n;
            }
            total = (size_t)n;
            answering = n > 0;
            answered_by = index;
        }
    } else {
        for (size_t i = first; i < first + count; i++) {
            if (!broadcast && !prepay_dlt645_address_matches(&request.address, &site->meters[i].meter.address)) {
                continue;
            }
            int n = answer(site, i, frame, len, reply + total, reply_cap - total);
            if (n < 0) {
                return n;
            }
            if (n > 0) {
                total += (size_t)n;
                answering++;
                answered_by = i;
            }
        }
    }
    if (answering > 1) {
        /* Several meters drive the RS-485 line at once: the station receives
         * garbage, which is how it learns that a wildcard matched several. */
        for (size_t i = 0; i < total; i++) {
            reply[i] ^= 0x5Au;
        }
        return (int)total;
    }
    if (total == 0) {
        return 0;
    }
    if (chance(site, site->faults.drop_ppm)) {
        site->meters[answered_by].dropped++;
        return 0;
    }
    if (chance(site, site->faults.corrupt_ppm)) {
        site->meters[answered_by].corrupted++;
        size_t at = (size_t)(next_random(site) % total);
        reply[at] ^= (uint8_t)(1u + next_random(site) % 255u);
    }
    *delay_ms = site->faults.delay_ms;
    return (int)total;
}
