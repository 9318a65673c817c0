/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the emulator's state-file decoder (emu_state_decode) on a
 * fixed three-meter site. Mode 0 decodes the input as it is; mode 1 starts
 * from this site's real state (after some simulated hours), applies the
 * input as (offset, value) patches and recomputes the checksum, so that
 * forged files get past the framing and test the field checks.
 *
 * Invariants:
 * - no crash, no out-of-bounds access (sanitizers);
 * - a refused file changes nothing in the site (DL/T 645 and water meters);
 * - an accepted file leaves every meter passing prepay_meter_check_state,
 *   and every water meter prepay_water_meter_check_state, and encoding the site again gives back exactly the accepted bytes
 *   (format 4; an accepted format-2 or 3 file is written again as format 4).
 */
#include "emu_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reseal(uint8_t *bytes, size_t size)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i + 8 < size; i++) {
        h = (h ^ bytes[i]) * 0x100000001B3ull;
    }
    for (size_t i = 0; i < 8; i++) {
        bytes[size - 8 + i] = (uint8_t)(h >> (8 * i));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static emu_site_t site;
    fuzz_site(&site);
    uint8_t *bytes;
    size_t len;
    if (size > 0 && data[0] == 1) {
        /* A real state of this site (made once: 7.5 hours, so 30 load records a meter and a
         * demand window in use), then patches. */
        static uint8_t *real;
        static size_t real_size;
        if (!real) {
            static emu_site_t lived;
            fuzz_site(&lived);
            if (emu_site_advance(&lived, lived.start + 7 * 3600 + 1800) != PREPAY_OK) {
                abort();
            }
            for (size_t i = 0; i < lived.water_count; i++) { /* the taps ran too (money meter: closed at 2.00 yuan) */
                if (emu_water_advance(&lived.waters[i], lived.start + 7 * 3600 + 1800) != PREPAY_OK) {
                    abort();
                }
            }
            real_size = emu_state_size(&lived);
            real = malloc(real_size);
            if (!real || emu_state_encode(&lived, real, real_size) != 0) {
                abort();
            }
            emu_site_free(&lived);
        }
        bytes = malloc(real_size);
        if (!bytes) {
            abort();
        }
        memcpy(bytes, real, real_size);
        len = real_size;
        for (size_t i = 1; i + 2 < size; i += 3) {
            size_t at = ((size_t)data[i] << 8 | data[i + 1]) % len;
            bytes[at] = data[i + 2];
        }
        if (len >= 8) {
            reseal(bytes, len);
        }
    } else {
        len = size > 0 ? size - 1 : 0;
        bytes = malloc(len + 1);
        if (!bytes) {
            abort();
        }
        if (len) {
            memcpy(bytes, data + 1, len);
        }
    }
    static emu_meter_t before[3];
    static emu_water_t waters_before[2];
    if (site.meter_count != 3 || site.water_count != 2) {
        abort();
    }
    memcpy(before, site.meters, sizeof before);
    memcpy(waters_before, site.waters, sizeof waters_before);
    char err[EMU_ERROR_MAX];
    if (emu_state_decode(&site, bytes, len, err, sizeof err) != 0) {
        if (memcmp(before, site.meters, sizeof before) != 0 ||
            memcmp(waters_before, site.waters, sizeof waters_before) != 0) {
            abort();
        }
    } else {
        for (size_t i = 0; i < site.meter_count; i++) {
            if (prepay_meter_check_state(&site.meters[i].meter, NULL) != PREPAY_OK) {
                abort();
            }
        }
        for (size_t i = 0; i < site.water_count; i++) {
            if (prepay_water_meter_check_state(&site.waters[i].meter, NULL) != PREPAY_OK) {
                abort();
            }
        }
        /* A format-4 file comes back byte for byte (format-2 and 3 files are written as format 4). */
        size_t state_size = emu_state_size(&site);
        uint8_t *again = malloc(state_size);
        if (!again || emu_state_encode(&site, again, state_size) != 0 ||
            (bytes[9] == '4' && (len != state_size || memcmp(again, bytes, state_size) != 0))) {
            abort();
        }
        free(again);
    }
    free(bytes);
    emu_site_free(&site);
    return 0;
}
