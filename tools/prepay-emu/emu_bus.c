/* prepay-emu: simulated time, scripted events, and routing frames to the meters of a bus. */
#include <string.h>

#include "emu.h"

/* Reply preamble: meters send 0..4 FE (vendor-dependent); two is common. */
#define REPLY_PREAMBLE 2

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

static int advance_one(emu_meter_t *m, prepay_time_t to, const prepay_meter_load_t *load)
{
    int64_t seconds = to - m->meter.clock;
    if (seconds <= 0) {
        return PREPAY_OK;
    }
    return prepay_meter_advance(&m->meter, seconds, load);
}

/* Fed meters first; then each incomer draws its own load plus what its fed
 * meters consumed in the same interval (and losses), as a constant power
 * whose sub-watt remainder is carried to the next interval. */
static int advance_meters(emu_site_t *site, prepay_time_t to)
{
    for (size_t i = 0; i < site->meter_count; i++) {
        emu_meter_t *m = &site->meters[i];
        if (!m->aggregate) {
            int status = advance_one(m, to, m->has_load ? &m->load : NULL);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    for (size_t i = 0; i < site->meter_count; i++) {
        emu_meter_t *m = &site->meters[i];
        int64_t seconds = to - m->meter.clock;
        if (!m->aggregate || seconds <= 0) {
            continue;
        }
        int64_t fed_wh = 0;
        for (size_t k = 0; k < m->feed_count; k++) {
            const emu_meter_t *f = &site->meters[m->feeds[k]];
            fed_wh += f->meter.forward[0] - f->fed_mark;
        }
        int64_t ws = fed_wh * 3600 + fed_wh * 36 * (int64_t)m->loss_ppm / 10000 + m->carry_ws;
        prepay_meter_load_t load = {0};
        load.kind = PREPAY_METER_LOAD_CONSTANT;
        load.watts = (int32_t)(ws / seconds) + (m->has_load ? m->load.watts : 0);
        m->carry_ws = ws % seconds;
        int status = advance_one(m, to, &load);
        if (status != PREPAY_OK) {
            return status;
        }
        for (size_t k = 0; k < m->feed_count; k++) {
            emu_meter_t *f = &site->meters[m->feeds[k]];
            f->fed_mark = f->meter.forward[0];
        }
    }
    return PREPAY_OK;
}

int emu_site_advance(emu_site_t *site, prepay_time_t to)
{
    if (to <= site->now) {
        return PREPAY_OK;
    }
    for (;;) {
        /* The earliest scripted event due by `to`. */
        emu_event_t *next = NULL;
        for (size_t i = 0; i < site->event_count; i++) {
            emu_event_t *e = &site->events[i];
            if (!e->done && e->at <= to && (!next || e->at < next->at)) {
                next = e;
            }
        }
        if (!next) {
            break;
        }
        int status = advance_meters(site, next->at);
        if (status != PREPAY_OK) {
            return status;
        }
        status = prepay_meter_report(&site->meters[next->meter].meter, next->condition, next->active);
        if (status != PREPAY_OK) {
            return status;
        }
        next->done = true;
    }
    int status = advance_meters(site, to);
    if (status == PREPAY_OK) {
        site->now = to;
    }
    return status;
}

static bool offline(const emu_site_t *site, size_t meter)
{
    for (size_t i = 0; i < site->faults.offline_count; i++) {
        const emu_offline_t *w = &site->faults.offline[i];
        if (w->meter == meter && site->now >= w->from && site->now < w->to) {
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
    m->requests++;
    if (offline(site, index) || cap < REPLY_PREAMBLE) {
        return 0;
    }
    int n = prepay_meter_handle(&m->meter, site->now, frame, len, out + REPLY_PREAMBLE, cap - REPLY_PREAMBLE);
    if (n <= 0) {
        return n;
    }
    memset(out, PREPAY_DLT645_PREAMBLE_BYTE, REPLY_PREAMBLE);
    m->replies++;
    return n + REPLY_PREAMBLE;
}

int emu_bus_handle(emu_site_t *site, size_t first, size_t count, const uint8_t *frame, size_t len, uint8_t *reply,
                   size_t reply_cap, uint32_t *delay_ms)
{
    *delay_ms = 0;
    prepay_dlt645_frame_t request;
    if (prepay_dlt645_decode(frame, len, &request) < 0 || request.is_reply) {
        return 0; /* meters stay silent on bad or foreign frames */
    }
    bool broadcast = prepay_dlt645_address_is_broadcast(&request.address);
    if (request.function == PREPAY_DLT645_FN_BROADCAST_TIME && request.length == 6) {
        /* Time sync: the simulation runs up to the new time first, so that
         * energy flows in the interval (a real meter would just set its clock). */
        prepay_time_t t;
        if (prepay_time_from_dlt645_datetime(request.data, &t) == PREPAY_OK) {
            int status = emu_site_advance(site, t);
            if (status != PREPAY_OK) {
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
