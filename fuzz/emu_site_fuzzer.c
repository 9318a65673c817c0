/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the emulator's site-file loader (emu_site_parse), then a
 * short life of whatever it accepts: an hour of simulation through a
 * broadcast time sync, a read of every meter and an addressed time sync.
 *
 * Invariants:
 * - no crash, no leak, no out-of-bounds access (sanitizers);
 * - a refused site leaves nothing allocated and says why;
 * - an accepted site is within its bounds (meters, events), its address
 *   index is sorted without duplicates, every meter passes the meter's own
 *   state check before and after the simulation, and an addressed time
 *   sync moves no meter.
 */
#include "emu_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_meters(const emu_site_t *site)
{
    for (size_t i = 0; i < site->meter_count; i++) {
        if (prepay_meter_check_state(&site->meters[i].meter, NULL) != PREPAY_OK) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static emu_site_t site;
    char err[EMU_ERROR_MAX];
    err[0] = '\0';
    if (emu_site_parse((const char *)data, size, "fuzz", fuzz_load_tariff, NULL, &site, err, sizeof err) != 0) {
        if (err[0] == '\0' || site.meters != NULL || site.tariff != NULL) {
            abort();
        }
        return 0;
    }
    if (site.meter_count == 0 || site.meter_count > EMU_METERS_MAX || site.event_count > EMU_EVENTS_MAX) {
        abort();
    }
    for (size_t k = 1; k < site.meter_count; k++) {
        const uint8_t *x = site.meters[site.order[k - 1]].meter.address.bytes;
        const uint8_t *y = site.meters[site.order[k]].meter.address.bytes;
        int cmp = 0;
        for (int b = PREPAY_DLT645_ADDRESS_SIZE - 1; b >= 0 && cmp == 0; b--) {
            cmp = x[b] < y[b] ? -1 : (x[b] > y[b] ? 1 : 0);
        }
        if (cmp >= 0) {
            abort();
        }
    }
    check_meters(&site);
    if (site.meter_count <= 64) {
        uint8_t raw[PREPAY_DLT645_FRAME_MAX], reply[8 * PREPAY_DLT645_FRAME_MAX];
        uint32_t delay;
        prepay_dlt645_frame_t f;
        /* An addressed sync moves nothing. */
        prepay_time_t before = site.meters[0].meter.clock;
        if (prepay_dlt645_request_broadcast_time(&f, site.start + 3600) == PREPAY_OK) {
            f.address = site.meters[0].meter.address;
            int n = prepay_dlt645_encode(&f, raw, sizeof raw);
            if (n > 0 && emu_bus_handle(&site, 0, site.meter_count, raw, (size_t)n, reply, sizeof reply, &delay) < 0) {
                abort();
            }
            if (site.meters[0].meter.clock != before) {
                abort();
            }
            f.address = prepay_dlt645_address_broadcast();
            n = prepay_dlt645_encode(&f, raw, sizeof raw);
            if (n > 0) {
                (void)emu_bus_handle(&site, 0, site.meter_count, raw, (size_t)n, reply, sizeof reply, &delay);
            }
        }
        for (size_t i = 0; i < site.meter_count; i++) {
            if (prepay_dlt645_request_read(&f, &site.meters[i].meter.address, 0x00010000u) == PREPAY_OK) {
                int n = prepay_dlt645_encode(&f, raw, sizeof raw);
                if (n > 0 && emu_bus_handle(&site, 0, site.meter_count, raw, (size_t)n, reply, sizeof reply,
                                            &delay) < 0) {
                    abort();
                }
            }
        }
        check_meters(&site);
    }
    emu_site_free(&site);
    return 0;
}
