/* SPDX-License-Identifier: MIT */
/*
 * Benchmark of the meter-side event judgement, voltage statistics and load
 * control. Figures (single thread, CPU time of the thread, best of 3):
 *
 * - phase-samples judged per second: prepay_events_sample() on three-phase
 *   samples (each sample = 3 phase-samples: every per-phase and whole-meter
 *   condition judged, with an event starting and ending now and then: a
 *   loss of voltage on phase A for 90 s in every 600 s);
 * - voltage minutes per second: prepay_vq_minute() on three phases with a
 *   day rollover every 1440 minutes;
 * - load-control cycles per second: prepay_lc_step() with over-power and
 *   malignant-load detection on.
 *
 *   meson setup build/rel --buildtype=release -Dtests=false
 *   ninja -C build/rel bench/bench_events && build/rel/bench/bench_events
 *   build/rel/bench/bench_events --smoke      (tiny sizes; what the test suite runs)
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/load_control.h"
#include "prepay/meter_events.h"
#include "prepay/voltage_qualification.h"

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define POOL 600

static volatile int sink;

static double judge(long samples)
{
    prepay_events_params_t p;
    prepay_events_state_t st;
    if (prepay_events_params_default(&p, PREPAY_EVENTS_PHASES == 3 ? PREPAY_EVENTS_WIRING_3P4W
                                                                   : PREPAY_EVENTS_WIRING_SINGLE,
                                     2200, 50000, 600000) != PREPAY_OK ||
        prepay_events_init(&st) != PREPAY_OK) {
        abort();
    }
    static prepay_events_sample_t pool[POOL];
    for (int i = 0; i < POOL; i++) {
        prepay_events_sample_t *x = &pool[i];
        memset(x, 0, sizeof *x);
        for (unsigned ph = 0; ph < PREPAY_EVENTS_PHASES; ph++) {
            x->voltage[ph] = 2200 + (i * 7 + (int)ph * 13) % 40 - 20;
            x->current[ph] = 5000 + (i * 11 + (int)ph * 17) % 200;
            x->power[ph] = 11000 + (i * 5) % 300;
        }
        if (i >= 100 && i < 190) {
            x->voltage[0] = 1700; /* a loss of voltage on phase A */
        }
        x->power_total = 33000;
        x->power_factor = 980;
        x->forward = 1000000;
    }
    const prepay_time_t t0 = 762480000;
    double start = cpu_seconds();
    int changes = 0;
    for (long i = 0; i < samples; i++) {
        prepay_events_sample_t *x = &pool[i % POOL];
        x->time = t0 + i;
        changes += prepay_events_sample(&st, &p, x);
    }
    double elapsed = cpu_seconds() - start;
    sink = changes;
    return elapsed;
}

static double minutes(long count)
{
    prepay_vq_params_t p;
    prepay_vq_state_t st;
    if (prepay_vq_params_default(&p, PREPAY_EVENTS_PHASES == 3 ? PREPAY_EVENTS_WIRING_3P4W
                                                               : PREPAY_EVENTS_WIRING_SINGLE,
                                 2200) != PREPAY_OK ||
        prepay_vq_init(&st) != PREPAY_OK) {
        abort();
    }
    int32_t v[PREPAY_EVENTS_PHASES];
    const prepay_time_t t0 = 762480000;
    double start = cpu_seconds();
    for (long i = 0; i < count; i++) {
        for (unsigned ph = 0; ph < PREPAY_EVENTS_PHASES; ph++) {
            v[ph] = 1900 + (int32_t)((i * 37 + ph * 11) % 500);
        }
        if (prepay_vq_minute(&st, &p, t0 + i * 60, v) != PREPAY_OK) {
            abort();
        }
    }
    double elapsed = cpu_seconds() - start;
    sink = (int)st.this_month[0].monitored;
    return elapsed;
}

static double cycles(long count)
{
    prepay_lc_params_t p;
    prepay_lc_state_t st;
    if (prepay_lc_params_default(&p) != PREPAY_OK || prepay_lc_init(&st) != PREPAY_OK) {
        abort();
    }
    p.mode = PREPAY_LC_MODE_ALARM;
    p.limit_power = 2500;
    p.step_power = 500;
    p.pf_threshold = 900;
    const prepay_time_t t0 = 762480000;
    prepay_lc_decision_t d;
    int alarms = 0;
    double start = cpu_seconds();
    for (long i = 0; i < count; i++) {
        int32_t w = (i / 16) % 4 == 3 ? 1600 : 300 + (int32_t)(i % 7) * 10;
        if (prepay_lc_step(&st, &p, t0 + i, w, w + 40, &d) != PREPAY_OK) {
            abort();
        }
        alarms += d.action != PREPAY_LC_NONE;
    }
    double elapsed = cpu_seconds() - start;
    sink = alarms;
    return elapsed;
}

static double best(double (*fn)(long), long n)
{
    double b = 1e30;
    for (int r = 0; r < 3; r++) {
        double s = fn(n);
        if (s < b) {
            b = s;
        }
    }
    return b > 0 ? b : 1e-9;
}

int main(int argc, char **argv)
{
    int smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
    long n_samples = smoke ? 2000 : 20000000;
    long n_minutes = smoke ? 3000 : 5000000;
    long n_cycles = smoke ? 3000 : 10000000;
    printf("state sizes: prepay_events_state_t %zu, prepay_events_params_t %zu, prepay_vq_state_t %zu, "
           "prepay_lc_state_t %zu bytes (PREPAY_EVENTS_PHASES %d, PREPAY_MAX_EVENT_RECORDS %d)\n",
           sizeof(prepay_events_state_t), sizeof(prepay_events_params_t), sizeof(prepay_vq_state_t),
           sizeof(prepay_lc_state_t), PREPAY_EVENTS_PHASES, PREPAY_MAX_EVENT_RECORDS);
    double s = best(judge, n_samples);
    printf("events: %ld samples x %d phases in %.3f s CPU: %.1f M phase-samples/s (%.1f ns per sample)\n", n_samples,
           PREPAY_EVENTS_PHASES, s, (double)n_samples * PREPAY_EVENTS_PHASES / s / 1e6, s / (double)n_samples * 1e9);
    s = best(minutes, n_minutes);
    printf("voltage qualification: %ld minutes x %d phases in %.3f s CPU: %.1f M minutes/s\n", n_minutes,
           PREPAY_EVENTS_PHASES, s, (double)n_minutes / s / 1e6);
    s = best(cycles, n_cycles);
    printf("load control: %ld cycles in %.3f s CPU: %.1f M cycles/s\n", n_cycles, s, (double)n_cycles / s / 1e6);
    return 0;
}
