/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: event and voltage-statistics items over DL/T 645 - the
 * station's decoders of untrusted replies (04001501 status word, event
 * records, 0310 entries) and the meter's answers to untrusted DIs and
 * 04001503 resets. Input: a mode byte, then mode-specific bytes.
 * Checks: no read or write outside the lengths; a decoded status word's
 * counts match its bits; a meter reply never exceeds its capacity and, for
 * a reset, the state stays valid.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/meter_events.h"
#include "prepay/voltage_qualification.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void meter_state(prepay_events_state_t *st)
{
    prepay_events_params_t p;
    if (prepay_events_init(st) != PREPAY_OK ||
        prepay_events_params_default(&p, PREPAY_EVENTS_PHASES == 3 ? PREPAY_EVENTS_WIRING_3P4W
                                                                   : PREPAY_EVENTS_WIRING_SINGLE,
                                     2200, 50000, 600000) != PREPAY_OK) {
        abort();
    }
    /* 2024-03-01: a cover opening and an over-voltage on phase A. */
    const prepay_time_t t0 = 762480000;
    prepay_events_sample_t x;
    for (int s = 0; s < 200; s++) {
        memset(&x, 0, sizeof x);
        x.time = t0 + s;
        for (unsigned ph = 0; ph < PREPAY_EVENTS_PHASES; ph++) {
            x.voltage[ph] = 2200;
            x.current[ph] = 5000;
            x.power[ph] = 11000;
        }
        x.voltage[0] = s >= 50 ? 2700 : 2200;
        x.power_factor = 1000;
        x.flags = s == 10 ? PREPAY_EVENTS_FLAG_COVER_OPEN : 0;
        x.forward = 100000 + s;
        if (prepay_events_sample(st, &p, &x) < 0) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    data++;
    size--;
    switch (mode % 5) {
    case 0: {
        prepay_events_status_t s;
        if (prepay_events_status_decode(data, size, &s) == PREPAY_OK) {
            for (unsigned b = 0; b < PREPAY_EVENTS_STATUS_BITS; b++) {
                bool set = (s.word[b / 8] >> (b % 8)) & 1u;
                if (!set && s.counts[b] != 0) {
                    abort();
                }
            }
        }
        break;
    }
    case 1: {
        if (size < 1) {
            return 0;
        }
        prepay_events_kind_t kind = (prepay_events_kind_t)(data[0] % PREPAY_EVENTS_KIND_COUNT);
        prepay_events_record_t r;
        size_t half = (size - 1) / 2;
        (void)prepay_events_decode_record(kind, data + 1, size - 1, NULL, 0, &r);
        (void)prepay_events_decode_record(kind, data + 1, half, data + 1 + half, size - 1 - half, &r);
        break;
    }
    case 2: {
        prepay_vq_stats_t st;
        uint32_t q, o;
        if (prepay_vq_decode(data, size, 2024, &st, &q, &o) == PREPAY_OK) {
            if (q > 10000 || o > 10000 || (uint64_t)st.over_upper + st.under_lower > st.monitored) {
                abort();
            }
        }
        break;
    }
    case 3: {
        if (size < 5) {
            return 0;
        }
        prepay_events_state_t st;
        meter_state(&st);
        uint32_t di = ((uint32_t)data[0] << 24) | ((uint32_t)data[1] << 16) | ((uint32_t)data[2] << 8) | data[3];
        size_t cap = data[4] % (PREPAY_EVENTS_READ_MAX + 1u);
        uint8_t out[PREPAY_EVENTS_READ_MAX + 16];
        memset(out, 0xEE, sizeof out);
        int n = prepay_events_read(&st, di, out, cap);
        if (n > (int)cap) {
            abort();
        }
        for (size_t i = cap; i < sizeof out; i++) {
            if (out[i] != 0xEE) {
                abort(); /* wrote past the capacity */
            }
        }
        prepay_events_record_t r;
        if (n > 0) {
            for (unsigned k = 0; k < PREPAY_EVENTS_KIND_COUNT; k++) {
                (void)prepay_events_decode_record((prepay_events_kind_t)k, out, (size_t)n, NULL, 0, &r);
            }
        }
        break;
    }
    default: {
        prepay_events_state_t st;
        meter_state(&st);
        if (prepay_events_status_reset(&st, data, size) == PREPAY_OK) {
            uint8_t out[PREPAY_EVENTS_STATUS_MAX];
            prepay_events_status_t s;
            int n = prepay_events_status_word(&st, out, sizeof out);
            if (n < 0 || prepay_events_status_decode(out, (size_t)n, &s) != PREPAY_OK) {
                abort();
            }
        }
        break;
    }
    }
    return 0;
}
