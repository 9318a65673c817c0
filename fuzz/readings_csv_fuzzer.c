/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the readings CSV parser of `prepay tariff bill`
 * (tools/prepay/readings.h).
 *
 * Invariants:
 * - no crash, no out-of-bounds access (sanitizers);
 * - a refusal carries a one-line message;
 * - accepted intervals have end >= start and energy >= 0, and follow one
 *   another in time without overlap.
 */
#include <stdlib.h>
#include <string.h>

#include "readings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    readings_t list = {NULL, 0, 0};
    char err[READINGS_ERROR_MAX];
    err[0] = '\0';
    if (readings_parse((const char *)data, size, "fuzz", &list, err, sizeof err) != 0) {
        if (err[0] == '\0' || strchr(err, '\n') != NULL) {
            abort();
        }
    } else {
        for (size_t i = 0; i < list.count; i++) {
            const prepay_tariff_interval_t *v = &list.items[i];
            if (v->end < v->start || v->energy < 0 || (i > 0 && v->start < list.items[i - 1].end)) {
                abort();
            }
        }
    }
    readings_free(&list);
    return 0;
}
