/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the emulator's link splitter (emu_link_split: CJ/T 188 or DL/T 645 at the start of
 * received bytes) and the CJ/T 188 frames it yields, handed to the bus of the fuzz site's two water
 * meters (emu_bus_handle -> emu_water_handle -> prepay_water_meter_handle_cjt188).
 *
 * Invariants:
 * - no crash, no out-of-bounds access (sanitizers);
 * - the splitter's lengths stay within the bytes given, and every verdict but WAIT consumes at least
 *   one byte, so a link always makes progress;
 * - a reply fits the buffer, and the water meters stay in their domain
 *   (prepay_water_meter_check_state).
 */
#include "emu_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static emu_site_t site;
    static bool loaded;
    if (!loaded) {
        fuzz_site(&site);
        loaded = true;
    }
    size_t at = 0;
    while (at < size) {
        size_t len = 0;
        emu_split_t kind = emu_link_split(data + at, size - at, &len);
        if (kind == EMU_SPLIT_WAIT) {
            break;
        }
        if (len == 0 || len > size - at) {
            abort();
        }
        if (kind == EMU_SPLIT_CJT188) {
            uint8_t reply[1024];
            uint32_t delay = 0;
            int n = emu_bus_handle(&site, 0, site.meter_count, data + at, len, reply, sizeof reply, &delay);
            if (n < 0 || (size_t)n > sizeof reply) {
                abort();
            }
        }
        at += len;
    }
    for (size_t i = 0; i < site.water_count; i++) {
        if (prepay_water_meter_check_state(&site.waters[i].meter, NULL) != PREPAY_OK) {
            abort();
        }
    }
    return 0;
}
