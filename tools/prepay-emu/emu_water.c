/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: CJ/T 188 water meters on the same link as the DL/T 645 meters, and Modbus RTU
 * water meters on a port of their own (--modbus-port: the library's Modbus handler of the
 * reference meter, register map xintai-water).
 *
 * The meters are the library's reference water meter (prepay/water_meter.h);
 * the emulator only lets water flow through them (a tap profile in L/h by hour
 * of day) and routes CJ/T 188 requests to them. Both protocols start a frame
 * with 68H, so a link tells them apart by shape: DL/T 645-2007 repeats 68H
 * after the six address bytes (68 A0..A5 68 C L DATA CS 16), CJ/T 188-2004
 * puts the meter type and seven address bytes there (68 T A0..A6 C L DATA
 * CS 16, clause 6 of the 2004 edition).
 */
#include <string.h>

#include "emu.h"

static int64_t until_close(const prepay_water_meter_t *m)
{
    int64_t litres = 0;
    return prepay_water_meter_litres_until_close(m, &litres) == PREPAY_OK ? litres : 0;
}

int emu_water_advance(emu_water_t *w, prepay_time_t to)
{
    prepay_water_meter_t *m = &w->meter;
    while (m->clock < to) {
        if (!prepay_water_meter_valve_open(m)) {
            /* A closed valve: no flow, the rest of the span in one call. */
            w->carry_ls = 0;
            return prepay_water_meter_advance(m, to, 0);
        }
        /* One profile hour at most (local time: prepay_time_t counts local seconds from 2000). */
        prepay_time_t hour_end = m->clock - m->clock % 3600 + 3600;
        prepay_time_t end = to < hour_end ? to : hour_end;
        int64_t lph = w->flow_lph[(m->clock % 86400) / 3600];
        int64_t ls = w->carry_ls + lph * (end - m->clock); /* <= 1e6 x 3600 */
        int64_t litres = ls / 3600;
        w->carry_ls = ls % 3600;
        int64_t room = until_close(m);
        if (litres >= room) {
            /* The valve closes on the room-th litre: the tap flows no further. */
            litres = room;
            w->carry_ls = 0;
        }
        int status = prepay_water_meter_advance(m, end, litres);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

static uint64_t next_random(emu_site_t *site)
{
    /* The bus's generator (emu_bus.c): one sequence per seed for both protocols. */
    site->rng ^= site->rng >> 12;
    site->rng ^= site->rng << 25;
    site->rng ^= site->rng >> 27;
    return site->rng * 0x2545F4914F6CDD1Dull;
}

static bool chance(emu_site_t *site, uint32_t ppm)
{
    return ppm > 0 && next_random(site) % 1000000u < ppm;
}

static int answer(emu_site_t *site, emu_water_t *w, const uint8_t *frame, size_t len, uint8_t *out, size_t cap)
{
    w->requests++;
    if (cap < w->preamble + (size_t)PREPAY_WATER_CJT188_REPLY_MAX) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    /* Water flows up to the site's time (the latest any meter reached: the station's last time sync). */
    int status = emu_water_advance(w, site->now);
    if (status != PREPAY_OK) {
        return status;
    }
    int n = prepay_water_meter_handle_cjt188(&w->meter, w->meter.clock, frame, len, out + w->preamble,
                                             cap - w->preamble);
    if (n <= 0) {
        return n;
    }
    memset(out, 0xFE, w->preamble);
    w->replies++;
    return n + (int)w->preamble;
}

int emu_water_handle(emu_site_t *site, const uint8_t *frame, size_t len, uint8_t *reply, size_t reply_cap)
{
    prepay_cjt188_frame_t request;
    if (site->water_count == 0 || prepay_cjt188_decode(frame, len, PREPAY_CJT188_DI_AUTO, &request) <= 0 ||
        request.is_reply) {
        return 0;
    }
    size_t total = 0;
    int answering = 0;
    for (size_t i = 0; i < site->water_count; i++) {
        emu_water_t *w = &site->waters[i];
        if (w->protocol != EMU_WATER_CJT188 || !prepay_cjt188_address_matches(&request.address, &w->meter.address)) {
            continue;
        }
        int n = answer(site, w, frame, len, reply + total, reply_cap - total);
        if (n < 0) {
            return n;
        }
        total += (size_t)n;
        answering += n > 0;
    }
    if (answering > 1) {
        for (size_t i = 0; i < total; i++) {
            reply[i] ^= 0x5Au; /* several meters on the line at once: garbage, as on the DL/T 645 bus */
        }
        return (int)total;
    }
    if (total == 0 || chance(site, site->faults.drop_ppm)) {
        return 0;
    }
    if (chance(site, site->faults.corrupt_ppm)) {
        size_t at = (size_t)(next_random(site) % total);
        reply[at] ^= (uint8_t)(1u + next_random(site) % 255u);
    }
    return (int)total;
}

size_t emu_water_modbus_count(const emu_site_t *site)
{
    size_t n = 0;
    for (size_t i = 0; i < site->water_count; i++) {
        n += site->waters[i].protocol == EMU_WATER_MODBUS;
    }
    return n;
}

int emu_water_handle_modbus(emu_site_t *site, const uint8_t *frame, size_t len, uint8_t *reply, size_t reply_cap)
{
    if (len < 4 || reply_cap < (size_t)PREPAY_WATER_MODBUS_REPLY_MAX) {
        return len < 4 ? 0 : PREPAY_E_BUFFER_TOO_SMALL;
    }
    const uint8_t unit = frame[0];
    int total = 0;
    for (size_t i = 0; i < site->water_count; i++) {
        emu_water_t *w = &site->waters[i];
        if (w->protocol != EMU_WATER_MODBUS || (unit != 0 && w->meter.modbus_unit != unit)) {
            continue;
        }
        int status = emu_water_advance(w, site->now);
        if (status != PREPAY_OK) {
            return status;
        }
        w->requests++;
        /* Units are unique (checked at load): one meter answers, a broadcast gets no reply from any. */
        int n = prepay_water_meter_handle_modbus(&w->meter, w->meter.clock, frame, len, reply, reply_cap);
        if (n < 0) {
            return n;
        }
        if (n > 0) {
            w->replies++;
            total = n;
        }
        if (unit != 0) {
            break;
        }
    }
    if (total == 0 || chance(site, site->faults.drop_ppm)) {
        return 0;
    }
    if (chance(site, site->faults.corrupt_ppm)) {
        size_t at = (size_t)(next_random(site) % (uint64_t)total);
        reply[at] ^= (uint8_t)(1u + next_random(site) % 255u);
    }
    return total;
}

emu_split_t emu_link_split(const uint8_t *in, size_t len, size_t *frame_len)
{
    *frame_len = len;
    size_t i = 0;
    while (i < len && in[i] == 0xFEu) {
        i++;
    }
    if (i == len) {
        /* Only a preamble so far: wait for the frame (a long run of FE is noise). */
        return i <= 16 && len > 0 ? EMU_SPLIT_WAIT : EMU_SPLIT_OTHER;
    }
    if (in[i] != 0x68u) {
        return EMU_SPLIT_OTHER;
    }
    size_t avail = len - i;
    if (avail < 8) {
        return EMU_SPLIT_WAIT;
    }
    if (in[i + 7] == 0x68u) {
        /* DL/T 645 shape: hand over exactly its frame (12 + L bytes) once L is in, so a CJ/T 188
         * frame sent right behind it is not swallowed by the DL/T 645 parser. */
        if (avail >= 10 && avail > 12u + in[i + 9]) {
            *frame_len = i + 12u + in[i + 9];
        }
        return EMU_SPLIT_OTHER;
    }
    if (avail < 11) {
        return EMU_SPLIT_WAIT;
    }
    size_t total = 13u + in[i + 10];
    if (avail < total) {
        return EMU_SPLIT_WAIT;
    }
    prepay_cjt188_frame_t f;
    if (prepay_cjt188_decode(in, i + total, PREPAY_CJT188_DI_AUTO, &f) > 0 && !f.is_reply) {
        *frame_len = i + total;
        return EMU_SPLIT_CJT188;
    }
    /* Neither a DL/T 645 shape nor a good CJ/T 188 frame: drop through this 68H and look again. */
    *frame_len = i + 1;
    return EMU_SPLIT_DROP;
}
