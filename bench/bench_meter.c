/* SPDX-License-Identifier: MIT */
/*
 * Benchmark of the reference prepaid meter: the size of one meter's state,
 * the cost of prepay_meter_advance() in local cost control (band lookup,
 * exact pricing through the tariff engine, the relay decision, freezes) as a
 * firmware calls it (one call per second: "tick") and in one-minute steps
 * ("minute": one call per simulated day), remote mode, and DL/T 645 requests
 * handled per second (read of 00010000, read of the 0001FF00 block, a
 * password-checked write of 04001001). Constant 850 W load, a 4-band TOU
 * tariff, 64 meters stepped in turn. Single thread, CPU time of the thread.
 *
 *   meson setup build/meter-rel --buildtype=release -Dtests=false
 *   ninja -C build/meter-rel bench/bench_meter && build/meter-rel/bench/bench_meter
 *   build/meter-rel/bench/bench_meter tick|minute|all [meters [hours]]   (defaults: all 64 24)
 *
 * Instruction counts, independent of the machine's load (the firmware configuration on the host):
 *   meson setup build/fwhost --buildtype=release -Dtests=false -Dconfig_file=../cross/firmware_config.h
 *   ninja -C build/fwhost bench/bench_meter
 *   valgrind --tool=callgrind --toggle-collect=prepay_meter_advance build/fwhost/bench/bench_meter tick 1 24
 *   -> "Collected" / calls printed = instructions per one-second step
 * Maximum demand and load records (every step feeds the demand window; meters[0..] record 15-minute
 * load records into a ring when "profile" is given as the 4th argument):
 *   valgrind --tool=callgrind --toggle-collect=prepay__meter_demand_minute build/fwhost/bench/bench_meter minute 1 240
 *   -> "Collected" / steps printed = instructions of the demand window per one-minute step
 *   valgrind --tool=callgrind --toggle-collect=prepay__meter_profile_minute \
 *       build/fwhost/bench/bench_meter minute 1 240 profile   -> per minute, records every 15 minutes
 * With a supervision attached (meter_supervision.h: event judgement, load control with an
 * over-power limit and malignant-load detection, voltage qualification; 220 V, 3.9 A, PF 0.99):
 *   valgrind --tool=callgrind --toggle-collect=prepay_meter_advance build/fwhost/bench/bench_meter tick 1 24 supervised
 *   -> "Collected" / calls printed = instructions per one-second step with the supervision
 */
#define _POSIX_C_SOURCE 199309L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/dlt645.h"
#include "prepay/load_record.h"
#include "prepay/meter.h"
#include "prepay/meter_supervision.h"
#include "prepay/tariff.h"

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static prepay_tariff_t tariff;

static void make_tariff(void)
{
    (void)prepay_tariff_init(&tariff);
    tariff.band_count = 4;
    tariff.schedule.season_count = 1;
    tariff.schedule.seasons[0].start_month = 1;
    tariff.schedule.seasons[0].start_day = 1;
    tariff.schedule.day_table_count = 1;
    static const uint16_t starts[7] = {0, 480, 600, 720, 1080, 1260, 1380};
    static const uint8_t bands[7] = {4, 3, 2, 3, 2, 3, 4};
    prepay_tou_day_table_t *d = &tariff.schedule.day_tables[0];
    d->slot_count = 7;
    for (int i = 0; i < 7; i++) {
        d->slots[i].start_minute = starts[i];
        d->slots[i].band = bands[i];
    }
    static const prepay_price_t prices[4] = {100000000, 80000000, 50000000, 30000000};
    memcpy(tariff.prices.band_price, prices, sizeof prices);
    if (prepay_tariff_validate(&tariff) != PREPAY_OK) {
        abort();
    }
}

static void make_meter(prepay_meter_t *m, unsigned n)
{
    prepay_dlt645_address_t a;
    char text[13];
    snprintf(text, sizeof text, "%012u", n);
    if (prepay_dlt645_address_from_string(text, 12, &a) != PREPAY_OK ||
        prepay_meter_init(m, &a, 24 * 366 * 86400LL) != PREPAY_OK ||
        prepay_meter_bind(m, &tariff, NULL, false, NULL, NULL) != PREPAY_OK ||
        prepay_meter_recharge(m, m->clock, 99999900, 1) != PREPAY_OK) {
        abort();
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "all";
    int meter_count = argc > 2 ? atoi(argv[2]) : 64;
    int hours = argc > 3 ? atoi(argv[3]) : 24;
    bool profile = argc > 4 && strcmp(argv[4], "profile") == 0;
    bool supervised = argc > 4 && strcmp(argv[4], "supervised") == 0;
    if (meter_count < 1 || meter_count > 64 || hours < 1) {
        fprintf(stderr, "usage: bench_meter tick|minute|all [meters 1..64 [hours [profile|supervised]]]\n");
        return 2;
    }
    bool all = strcmp(mode, "all") == 0;
    make_tariff();
    printf("sizeof(prepay_meter_t)            %6zu bytes (tariff tables shared, not counted)\n",
           sizeof(prepay_meter_t));
    printf("  of which the pricing state      %6zu bytes (PREPAY_MAX_TARIFF_INDEX = %d)\n",
           sizeof(((prepay_meter_t *)0)->tariff_state), PREPAY_MAX_TARIFF_INDEX);
    printf("sizeof(prepay_tariff_t)           %6zu bytes (shared by any number of meters)\n",
           sizeof(prepay_tariff_t));
    printf("  of the meter: maximum demand    %6zu bytes (PREPAY_METER_DEMAND_MINUTES = %d)\n",
           sizeof(((prepay_meter_t *)0)->demand), PREPAY_METER_DEMAND_MINUTES);
    printf("  of the meter: load-record state %6zu bytes (records in a caller ring, %zu bytes each)\n",
           sizeof(((prepay_meter_t *)0)->load_profile), sizeof(prepay_load_record_t));

    static prepay_meter_t meters[64];
    static prepay_load_record_t records[64][96];
    static prepay_meter_load_ring_t rings[64];
    for (int i = 0; i < meter_count; i++) {
        make_meter(&meters[i], (unsigned)i + 1);
        if (profile || (all && i == 1)) { /* a day of quarter-hour records, the oldest overwritten */
            if (prepay_meter_load_ring_init(&rings[i], records[i], 96) != PREPAY_OK) {
                abort(); /* a bench whose own step fails would time nothing */
            }
            if (prepay_meter_attach_load_ring(&meters[i], &rings[i]) != PREPAY_OK) {
                abort(); /* a bench whose own step fails would time nothing */
            }
        }
        if (supervised) {
            static prepay_meter_supervision_t sups[64];
            prepay_meter_instant_t in;
            memset(&in, 0, sizeof in);
            in.voltage[0] = 2200;
            in.current[0] = 3902; /* 850 W / (220 V x 0.99) */
            in.power[0] = in.power[1] = 8500;
            in.power_factor[0] = in.power_factor[1] = 990;
            if (prepay_meter_supervision_init(&sups[i], PREPAY_EVENTS_WIRING_SINGLE, 2200, 50000, 600000) != PREPAY_OK) {
                abort();
            }
            sups[i].lc_params.limit_power = 5000;
            sups[i].lc_params.step_power = 1000;
            sups[i].lc_params.pf_threshold = 900;
            if (prepay_meter_attach_supervision(&meters[i], &sups[i]) != PREPAY_OK ||
                prepay_meter_set_instant(&meters[i], &in) != PREPAY_OK) {
                abort();
            }
        }
    }
    if (supervised) {
        printf("  supervision (caller-owned)       %6zu bytes per meter\n", sizeof(prepay_meter_supervision_t));
    }
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_CONSTANT;
    load.watts = 850;
    double t0, dt;
    if (all || strcmp(mode, "tick") == 0) {
        /* What a firmware does: one call per second (one step each; priced when a whole Wh is due). */
        long calls = (long)meter_count * hours * 3600;
        t0 = cpu_seconds();
        for (int s = 0; s < hours * 3600; s++) {
            for (int i = 0; i < meter_count; i++) {
                if (prepay_meter_advance(&meters[i], 1, &load) != PREPAY_OK) {
                    abort();
                }
            }
        }
        dt = cpu_seconds() - t0;
        printf("tick:   advance(1 s) per call, local  %10ld calls  %8.1f ns/call (one step each)\n", calls,
               dt * 1e9 / (double)calls);
    }
    if (all || strcmp(mode, "minute") == 0) {
        int days = hours / 24 > 0 ? hours / 24 : 1;
        long steps = (long)meter_count * days * 1440;
        t0 = cpu_seconds();
        for (int day = 0; day < days; day++) {
            for (int i = 0; i < meter_count; i++) {
                if (prepay_meter_advance(&meters[i], 86400, &load) != PREPAY_OK) {
                    abort();
                }
            }
        }
        dt = cpu_seconds() - t0;
        printf("minute: advance(1 day) in 1-min steps %10ld steps  %8.1f ns/step  (%ld calls)\n", steps,
               dt * 1e9 / (double)steps, (long)meter_count * days);
    }
    if (!all) {
        return 0;
    }
    if (prepay_meter_set_mode(&meters[0], PREPAY_METER_MODE_REMOTE) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    t0 = cpu_seconds();
    for (int day = 0; day < 20; day++) {
        if (prepay_meter_advance(&meters[0], 86400, &load) != PREPAY_OK) {
            abort();
        }
    }
    dt = cpu_seconds() - t0;
    printf("remote: advance(1 day) in 1-min steps %10d steps  %8.1f ns/step\n", 20 * 1440,
           dt * 1e9 / (20.0 * 1440));

    /* Long jumps (an emulator time sync of years with --sync-limit 0): one call of 10 and of 73 years
       at constant load (docs/meter.md, "Long advances"). Remote: the registers jump to a midnight
       months before the end in closed form, the last months in runs of whole minutes (a cost that
       does not grow with the span). Local with the relay closed: the purse pays for whole days of
       one tariff cycle in one step, the runs take the first day of each cycle (O(cycles)); the
       purse of 999 999 yuan lasts the 73 years at 850 W (about 4 700 yuan a year). Last, 73 years
       of an hourly profile in remote mode (a day of whole Wh) and a quarter-hour one whose day is
       not (floor sums per year, season and weekday). */
    static const int32_t hourly[24] = {300, 250, 200, 200, 250, 400, 900, 1500, 1200, 800, 700, 900,
                                       1100, 800, 700, 700, 900, 1600, 2400, 2600, 2200, 1500, 900, 501};
    static int32_t quarters[96];
    for (int i = 0; i < 96; i++) {
        quarters[i] = hourly[i / 4] + (i % 4);
    }
    quarters[0]++; /* a day of 900 Ws beyond whole Wh */
    static const int row_years[6] = {10, 73, 10, 73, 73, 73};
    static const char *const what[6] = {"remote", "remote", "local ", "local ", "remote, hourly profile",
                                        "remote, quarter-hour profile"};
    for (int row = 0; row < 6; row++) {
        static prepay_meter_t jump;
        int local = row == 2 || row == 3;
        prepay_meter_load_t shape = load;
        if (row >= 4) {
            memset(&shape, 0, sizeof shape);
            shape.kind = PREPAY_METER_LOAD_PROFILE;
            shape.profile = row == 4 ? hourly : quarters;
            shape.profile_len = row == 4 ? 24 : 96;
            shape.step = row == 4 ? 3600 : 900;
        }
        make_meter(&jump, 900u + (unsigned)local);
        if (!local && prepay_meter_set_mode(&jump, PREPAY_METER_MODE_REMOTE) != PREPAY_OK) {
            abort();
        }
        const int64_t years = row_years[row], span = years * 365 * 86400;
        shape.start = jump.clock;
        t0 = cpu_seconds();
        if (prepay_meter_advance(&jump, span, &shape) != PREPAY_OK || (local && (jump.relay & PREPAY_METER_RELAY_OPEN))) {
            abort(); /* the purse must last the span */
        }
        dt = cpu_seconds() - t0;
        printf("jump:   advance(%2d years) in one call, %s %8u steps (%.2f a day)  %8.2f ms CPU\n", (int)years,
               what[row], jump.derived.steps, (double)jump.derived.steps / (double)(years * 365), dt * 1e3);
    }

    /* Handler: requests per second. */
    prepay_meter_t *m = &meters[meter_count > 1 ? 1 : 0];
    prepay_dlt645_frame_t frame;
    uint8_t wire[5][PREPAY_DLT645_FRAME_MAX];
    int len[5];
    const char *names[5] = {"handle read 00010000", "handle read block 0001FF00", "handle write 04001001 (pw)",
                            "handle read 0101FF00 (max demand)", "handle read 06000002 latest record"};
    prepay_dlt645_address_t a = m->address;
    if (prepay_dlt645_request_read(&frame, &a, 0x00010000u) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    len[0] = prepay_dlt645_encode(&frame, wire[0], sizeof wire[0]);
    if (prepay_dlt645_request_read(&frame, &a, 0x0001FF00u) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    len[1] = prepay_dlt645_encode(&frame, wire[1], sizeof wire[1]);
    prepay_dlt645_credentials_t c;
    memset(&c, 0, sizeof c);
    c.level = 2;
    static const uint8_t value[4] = {0x00, 0x30, 0x00, 0x00};
    if (prepay_dlt645_request_write(&frame, &a, 0x04001001u, &c, value, 4) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    len[2] = prepay_dlt645_encode(&frame, wire[2], sizeof wire[2]);
    if (prepay_dlt645_request_read(&frame, &a, 0x0101FF00u) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    len[3] = prepay_dlt645_encode(&frame, wire[3], sizeof wire[3]);
    if (prepay_load_record_request(&frame, &a, 0, PREPAY_LOAD_RECORD_LATEST, 1, 0) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    len[4] = prepay_dlt645_encode(&frame, wire[4], sizeof wire[4]);
    for (int k = 0; k < 5; k++) {
        uint8_t reply[PREPAY_DLT645_FRAME_MAX];
        const int n = 200000;
        t0 = cpu_seconds();
        for (int i = 0; i < n; i++) {
            if (prepay_meter_handle(m, m->clock, wire[k], (size_t)len[k], reply, sizeof reply) <= 0) {
                abort();
            }
        }
        dt = cpu_seconds() - t0;
        printf("%-34s %10.0f requests/s  %8.0f ns/request\n", names[k], n / dt, dt * 1e9 / n);
    }
    return 0;
}
