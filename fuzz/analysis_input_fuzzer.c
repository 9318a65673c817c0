/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the station's theft analysis over untrusted inputs
 * (readings and events gathered from meters). Input bytes build up to 4
 * meters, readings and events; rules from the defaults with a few fields
 * taken from the input. Checks: the run never reads or writes outside the
 * arrays; every suspicion names a known meter and rule; the count of a
 * short buffer equals the count of a large one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_READINGS 64
#define MAX_EVENTS 16

typedef struct reader {
    const uint8_t *data;
    size_t size, at;
} reader_t;

static uint32_t take(reader_t *r, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v = (v << 8) | (r->at < r->size ? r->data[r->at++] : 0u);
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader_t r = {data, size, 0};
    prepay_analysis_rules_t rules;
    if (prepay_analysis_rules_default(&rules) != PREPAY_OK) {
        abort();
    }
    rules.drop_history = 3u + take(&r, 1) % 5u;
    rules.zero_min_seconds = 1 + (int64_t)take(&r, 2);
    prepay_analysis_meter_t meters[4];
    size_t meter_count = 1u + take(&r, 1) % 4u;
    for (size_t i = 0; i < meter_count; i++) {
        uint32_t b = take(&r, 1);
        meters[i].meter = (uint32_t)(i + 1u);
        meters[i].group = b & 1u;
        meters[i].role = (uint8_t)(meters[i].group ? (i == 0 ? 1u : 2u) : 0u);
        meters[i].consumption_only = (uint8_t)((b >> 1) & 1u);
    }
    prepay_analysis_reading_t readings[MAX_READINGS];
    size_t reading_count = take(&r, 1) % (MAX_READINGS + 1u);
    prepay_time_t t = 762480000;
    prepay_energy_t fwd[4] = {0}, rev[4] = {0};
    size_t meter = 0;
    for (size_t i = 0; i < reading_count; i++) {
        uint32_t step = take(&r, 1);
        if ((step & 0x80u) && meter + 1 < meter_count) {
            meter++;
            t = 762480000;
        }
        t += 3600 * (prepay_time_t)(1u + (step & 0x3Fu));
        fwd[meter] += (prepay_energy_t)take(&r, 2);
        rev[meter] += (prepay_energy_t)(take(&r, 1) & 0x0Fu);
        readings[i].meter = meters[meter].meter;
        readings[i].time = t;
        readings[i].forward = fwd[meter];
        readings[i].reverse = rev[meter];
        readings[i].current = (int32_t)take(&r, 2) - 1;
    }
    prepay_analysis_event_t events[MAX_EVENTS];
    size_t event_count = take(&r, 1) % (MAX_EVENTS + 1u);
    for (size_t i = 0; i < event_count; i++) {
        events[i].meter = 1u + take(&r, 1) % (uint32_t)meter_count;
        events[i].kind = (uint8_t)(take(&r, 1) % PREPAY_EVENTS_KIND_COUNT);
        events[i].phase = (uint8_t)(take(&r, 1) % 4u);
        events[i].start = 762480000 + (prepay_time_t)take(&r, 3);
        events[i].end = 0;
    }
    /* Raw bytes may also override a reading to break the order or the registers. */
    if (reading_count > 0 && take(&r, 1) == 0xA5) {
        readings[take(&r, 1) % reading_count].forward = (prepay_energy_t)take(&r, 2);
    }
    prepay_analysis_suspicion_t big[512], small[2];
    size_t count = 0, count_small = 0;
    int status = prepay_analysis_run(&rules, meters, meter_count, readings, reading_count, events, event_count, big,
                                     512, &count);
    if (status == PREPAY_OK || status == PREPAY_E_BUFFER_TOO_SMALL) {
        size_t shown = count < 512 ? count : 512;
        for (size_t i = 0; i < shown; i++) {
            if (big[i].meter < 1 || big[i].meter > meter_count || big[i].rule >= PREPAY_ANALYSIS_RULE_COUNT) {
                abort();
            }
        }
        int again = prepay_analysis_run(&rules, meters, meter_count, readings, reading_count, events, event_count,
                                        small, 2, &count_small);
        if ((again != PREPAY_OK && again != PREPAY_E_BUFFER_TOO_SMALL) || count_small != count) {
            abort();
        }
    }
    return 0;
}
