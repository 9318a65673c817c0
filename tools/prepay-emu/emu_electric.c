/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: what a station reads about the line. Every emulated meter
 * shows voltage, current, active, reactive and apparent power, power factor
 * per phase and the grid frequency consistent with its load at its own
 * clock (P = the load while the relay is closed; I = P / (U x PF); Q = P x
 * tan(acos PF); S = U x I), on phase A for a single-phase meter and split
 * evenly for a three-phase one; and the nameplate items (040004xx) that the
 * reference meter does not keep, from the site file. All in integers.
 */
#include <stdio.h>
#include <string.h>

#include "emu.h"
#include "prepay/bcd.h"
#include "prepay/dlt645_data.h"
#include "prepay/dlt645_di.h"

/* Nameplate DIs in the order of emu_meter_t::nameplate. */
static const uint32_t nameplate_dis[8] = {
    PREPAY_DI_RATED_VOLTAGE,     PREPAY_DI_RATED_CURRENT, PREPAY_DI_MAXIMUM_CURRENT, PREPAY_DI_ACTIVE_ACCURACY,
    PREPAY_DI_REACTIVE_ACCURACY, PREPAY_DI_METER_MODEL,   PREPAY_DI_PRODUCTION_DATE, PREPAY_DI_PROTOCOL_VERSION,
};

const char *const emu_nameplate_keys[8] = {"rated_voltage",     "rated_current", "max_current",
                                           "accuracy",          "reactive_accuracy", "model",
                                           "production_date",   "protocol_version"};

void emu_electric_defaults(emu_line_t *line)
{
    static const char *const values[8] = {"220V", "5A", "60A", "2.0", "", "PREPAY-EMU", "2026-01-01",
                                          "DL/T645-2007"};
    memset(line, 0, sizeof *line);
    line->preamble = 2;
    line->phases = 1;
    line->voltage_dv = 2200;
    line->frequency_chz = 5000;
    line->power_factor = 950;
    for (int i = 0; i < 8; i++) {
        snprintf(line->nameplate[i], sizeof line->nameplate[i], "%s", values[i]);
    }
    line->active_constant = 1200;
}

/* Integer square root (floor). */
static uint64_t isqrt(uint64_t v)
{
    uint64_t r = 0, bit = (uint64_t)1 << 62;
    while (bit > v) {
        bit >>= 2;
    }
    while (bit != 0) {
        if (v >= r + bit) {
            v -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

/* a x b / c rounded half away from zero, for the small magnitudes here. */
static int32_t scale(int64_t a, int64_t b, int64_t c)
{
    int64_t r;
    if (c == 0 || prepay_i64_muldiv(a, b, c, PREPAY_ROUND_HALF_UP, &r) != PREPAY_OK) {
        return 0;
    }
    return (int32_t)(r > INT32_MAX ? INT32_MAX : (r < INT32_MIN ? INT32_MIN : r));
}

static int32_t watts_now(const emu_meter_t *m)
{
    if (!m->has_load || (m->meter.relay & PREPAY_METER_RELAY_OPEN)) {
        return 0;
    }
    const prepay_meter_load_t *load = &m->load;
    if (load->kind == PREPAY_METER_LOAD_PROFILE && load->profile_len > 0 && load->step > 0) {
        int64_t since = m->meter.clock - load->start;
        int64_t step = since / (int64_t)load->step;
        int64_t i = step % (int64_t)load->profile_len;
        if (i < 0) {
            i += (int64_t)load->profile_len;
        }
        return load->profile[i];
    }
    return load->kind == PREPAY_METER_LOAD_CONSTANT ? load->watts : 0;
}

void emu_electric_update(emu_meter_t *m)
{
    prepay_meter_instant_t in;
    memset(&in, 0, sizeof in);
    int32_t watts = watts_now(m);
    unsigned phases = m->line.phases == 3 ? 3u : 1u;
    int64_t pf = m->line.power_factor > 0 ? m->line.power_factor : 1000;
    /* sin(acos PF) in 1e-6: sqrt(1 - PF^2) with PF in 0.001. */
    int64_t sine = (int64_t)isqrt((uint64_t)(1000000 - pf * pf) * 1000000u);
    int64_t total_tenths = (int64_t)watts * 10;
    for (unsigned p = 1; p <= 3; p++) {
        if (p > phases) {
            continue;
        }
        in.voltage[p - 1u] = m->line.voltage_dv;
        /* Even split; phase A takes the remainder. */
        int64_t share = total_tenths / (int64_t)phases + (p == 1 ? total_tenths % (int64_t)phases : 0);
        in.power[p] = (int32_t)share;
        in.power_factor[p] = (int16_t)(share < 0 ? -pf : pf);
        if (share == 0) {
            in.power_factor[p] = 1000;
        }
        /* I (mA) = P (0.1 W) x 1e6 / (U (0.1 V) x PF (0.001)); signed with P. */
        in.current[p - 1u] = scale(share, 1000000, (int64_t)m->line.voltage_dv * pf);
        in.reactive[p] = scale(share < 0 ? -share : share, sine, pf * 1000);
        in.apparent[p] = scale(share, 1000, pf);
    }
    in.power[0] = (int32_t)total_tenths;
    in.power_factor[0] = (int16_t)(total_tenths < 0 ? -pf : (total_tenths == 0 ? 1000 : pf));
    in.reactive[0] = in.reactive[1] + in.reactive[2] + in.reactive[3];
    in.apparent[0] = in.apparent[1] + in.apparent[2] + in.apparent[3];
    in.frequency = m->line.frequency_chz;
    (void)prepay_meter_set_instant(&m->meter, &in);
}

int emu_nameplate_answer(const emu_meter_t *m, const prepay_dlt645_frame_t *request, uint8_t *out, size_t cap)
{
    if (request->is_reply || request->edition != PREPAY_DLT645_EDITION_2007 ||
        request->function != PREPAY_DLT645_FN_READ || request->length != 4 ||
        (request->di & 0xFFFFFF00u) != 0x04000400u || prepay_dlt645_address_is_broadcast(&request->address) ||
        !prepay_dlt645_address_matches(&request->address, &m->meter.address)) {
        return 0;
    }
    uint8_t data[4 + 32];
    memcpy(data, request->data, 4);
    size_t len = 0;
    if (request->di == PREPAY_DI_ACTIVE_CONSTANT && m->line.active_constant > 0) {
        (void)prepay_bcd_encode(m->line.active_constant, data + 4, 3);
        len = 3;
    }
    for (int i = 0; i < 8 && len == 0; i++) {
        if (request->di != nameplate_dis[i] || m->line.nameplate[i][0] == '\0') {
            continue;
        }
        prepay_dlt645_value_t v;
        const char *text = m->line.nameplate[i];
        if (prepay_dlt645_value_parse(request->di, text, strlen(text), &v) != PREPAY_OK) {
            return 0;
        }
        int n = prepay_dlt645_value_encode(&v, data + 4, sizeof data - 4);
        if (n <= 0) {
            return 0;
        }
        len = (size_t)n;
    }
    if (len == 0) {
        return 0; /* not a nameplate item the site gives: the meter answers (no data) */
    }
    prepay_dlt645_frame_t reply;
    if (prepay_dlt645_frame_init(&reply, PREPAY_DLT645_EDITION_2007, &m->meter.address, 0x91, data, 4 + len) !=
        PREPAY_OK) {
        return 0;
    }
    return prepay_dlt645_encode(&reply, out, cap);
}
