/* SPDX-License-Identifier: MIT */
/*
 * Benchmark of the reference water meter: the size of one meter's state, the
 * cost of one flow step and of one request through each protocol handler,
 * printed beside the machine's memcpy bandwidth. Single thread, CPU time of
 * the thread (the wall-clock ratio is printed too; on a loaded machine it
 * falls below 1 and the figures are noisy).
 *
 * What each line times, per call:
 * - "step money": prepay_water_meter_advance(now + 1 s, 0..3 L) on a money
 *   meter with the published A010 ladder (3.00/4.00/5.00 yuan, steps 50/200
 *   m3): time passing, ladder pricing (exact amount), deduction, valve
 *   decision; 64 meters stepped in turn;
 * - "step volume": the same on a volume purse;
 * - "step idle": advance(now + 1 s, 0 L), money meter;
 * - "cjt188 901F read": prepay_water_meter_handle_cjt188 of a 16-byte read of
 *   the current data: decode, checks, 901F encoding, reply build and encode;
 * - "cjt188 8105 read", "cjt188 A013 replay" (a purchase repeated: the serial
 *   rule and the echo), "cjt188 A017 close+open" (two requests per call);
 * - "modbus read map": prepay_water_meter_handle_modbus of a read of the
 *   whole map (1EH registers: four FLOAT32 encodings, CRC of 65 bytes);
 * - "modbus read valve", "modbus write valve close+open" (two requests).
 *
 *   meson setup build/rel --buildtype=release -Dtests=false
 *   ninja -C build/rel bench/bench_water_meter && build/rel/bench/bench_water_meter
 *   build/rel/bench/bench_water_meter --smoke        (tiny counts, for the test suite)
 *   build/rel/bench/bench_water_meter [--smoke] money|volume|idle|cjt188|modbus   (one part)
 *
 * Instruction counts, independent of the machine's load (per call = "Collected" / calls):
 *   valgrind --tool=callgrind --toggle-collect=prepay_water_meter_advance \
 *       build/rel/bench/bench_water_meter --smoke money          (640 calls)
 *   valgrind --tool=callgrind --toggle-collect=prepay_water_meter_handle_cjt188 \
 *       build/rel/bench/bench_water_meter --smoke cjt188         (100 calls per line; A017 line 2 frames)
 */
#define _POSIX_C_SOURCE 199309L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/cjt188.h"
#include "prepay/modbus.h"
#include "prepay/water_meter.h"

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static volatile uint64_t sink;

static void report(const char *what, long calls, double cpu, double wall)
{
    printf("%-34s %10ld calls  %8.1f ns/call  %8.2f M calls/s  (cpu/wall %.2f)\n", what, calls,
           cpu * 1e9 / (double)calls, (double)calls / cpu / 1e6, cpu / wall);
}

static void make_meter(prepay_water_meter_t *m, prepay_water_mode_t mode, unsigned n)
{
    prepay_cjt188_address_t a;
    char text[15];
    snprintf(text, sizeof text, "%014u", n);
    if (prepay_cjt188_address_from_string(text, 14, &a) != PREPAY_OK ||
        prepay_water_meter_init(m, mode, PREPAY_CJT188_TYPE_COLD_WATER, &a, 1, 24 * 366 * 86400LL) != PREPAY_OK) {
        abort();
    }
    prepay_cjt188_price_table_t t;
    memset(&t, 0, sizeof t);
    t.price[0] = 300000000;
    t.price[1] = 400000000;
    t.price[2] = 500000000;
    t.step_litres[0] = 50000;
    t.step_litres[1] = 200000;
    if (prepay_water_meter_set_prices(m, &t) != PREPAY_OK ||
        prepay_water_meter_purchase(m, m->clock, 1, mode == PREPAY_WATER_MODE_MONEY ? 99999999 : 999999999) !=
            PREPAY_OK) {
        abort();
    }
}

static void bench_steps(const char *what, prepay_water_mode_t mode, bool idle, long seconds)
{
    static prepay_water_meter_t meters[64];
    for (unsigned i = 0; i < 64; i++) {
        make_meter(&meters[i], mode, i + 1);
    }
    double w0 = wall_seconds(), t0 = cpu_seconds();
    for (long s = 0; s < seconds; s++) {
        for (unsigned i = 0; i < 64; i++) {
            if (prepay_water_meter_advance(&meters[i], meters[i].clock + 1, idle ? 0 : (s + i) & 3) != PREPAY_OK) {
                abort();
            }
        }
    }
    report(what, seconds * 64, cpu_seconds() - t0, wall_seconds() - w0);
    sink = (uint64_t)meters[0].balance;
}

typedef int (*handler_t)(prepay_water_meter_t *, prepay_time_t, const uint8_t *, size_t, uint8_t *, size_t);

/* Times `count` calls sending each of the `frames` requests in turn (one call = all of them). */
static void bench_handler(const char *what, prepay_water_meter_t *m, handler_t handle, uint8_t frames[][64],
                          const int *lens, int frame_count, long count)
{
    uint8_t reply[PREPAY_MODBUS_ADU_MAX];
    double w0 = wall_seconds(), t0 = cpu_seconds();
    for (long i = 0; i < count; i++) {
        for (int k = 0; k < frame_count; k++) {
            int n = handle(m, m->clock, frames[k], (size_t)lens[k], reply, sizeof reply);
            if (n <= 0) {
                abort();
            }
            sink += reply[n - 1];
        }
    }
    report(what, count, cpu_seconds() - t0, wall_seconds() - w0);
}

static int cjt188_request(const prepay_cjt188_frame_t *f, uint8_t out[64])
{
    int n = prepay_cjt188_encode(f, out, 64);
    if (n <= 0) {
        abort();
    }
    return n;
}

static int modbus_request(const prepay_modbus_adu_t *a, uint8_t out[64])
{
    int n = prepay_modbus_encode(a, out, 64);
    if (n <= 0) {
        abort();
    }
    return n;
}

static void bench_memcpy(void)
{
    const size_t size = 64u << 20;
    uint8_t *a = malloc(size), *b = malloc(size);
    if (!a || !b) {
        abort();
    }
    memset(a, 1, size);
    memset(b, 2, size);
    const int rounds = 10;
    double w0 = wall_seconds(), t0 = cpu_seconds();
    for (int r = 0; r < rounds; r++) {
        memcpy((r & 1) ? a : b, (r & 1) ? b : a, size);
    }
    double t = cpu_seconds() - t0, w = wall_seconds() - w0;
    sink = a[size / 2] + b[size / 3];
    printf("%-34s %8.2f GB/s (64 MiB blocks)  (cpu/wall %.2f)\n", "memcpy bandwidth", (double)size * rounds / t / 1e9,
           t / w);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    const bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
    /* An optional last argument runs one part only: money volume idle cjt188 modbus. */
    const char *only = argc > (smoke ? 2 : 1) ? argv[argc - 1] : "";
    const long seconds = smoke ? 10 : 20000;
    const long requests = smoke ? 100 : 500000;
    printf("sizeof(prepay_water_meter_t)       %6zu bytes (PREPAY_WATER_EVENT_RECORDS = %d)\n",
           sizeof(prepay_water_meter_t), PREPAY_WATER_EVENT_RECORDS);
    if (!*only || strcmp(only, "money") == 0) {
        bench_steps("step money: advance(1 s, 0..3 L)", PREPAY_WATER_MODE_MONEY, false, seconds);
    }
    if (!*only || strcmp(only, "volume") == 0) {
        bench_steps("step volume: advance(1 s, 0..3 L)", PREPAY_WATER_MODE_VOLUME, false, seconds);
    }
    if (!*only || strcmp(only, "idle") == 0) {
        bench_steps("step idle: advance(1 s, 0 L)", PREPAY_WATER_MODE_MONEY, true, seconds);
    }
    if (*only && strcmp(only, "cjt188") != 0 && strcmp(only, "modbus") != 0) {
        return 0;
    }

    static prepay_water_meter_t m;
    make_meter(&m, PREPAY_WATER_MODE_MONEY, 177);
    prepay_cjt188_target_t t = {PREPAY_CJT188_TYPE_COLD_WATER, m.address, PREPAY_CJT188_DI_HIGH_FIRST};
    prepay_cjt188_frame_t f;
    uint8_t frames[2][64];
    int lens[2];
    if (*only && strcmp(only, "cjt188") != 0) {
        goto modbus;
    }
    if (prepay_cjt188_request_read(&f, &t, PREPAY_CJT188_DI_CURRENT, 1) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    lens[0] = cjt188_request(&f, frames[0]);
    bench_handler("cjt188 901F read", &m, prepay_water_meter_handle_cjt188, frames, lens, 1, requests);
    if (prepay_cjt188_request_read(&f, &t, PREPAY_CJT188_DI_PURSE, 2) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    lens[0] = cjt188_request(&f, frames[0]);
    bench_handler("cjt188 8105 read", &m, prepay_water_meter_handle_cjt188, frames, lens, 1, requests);
    if (prepay_cjt188_request_purchase(&f, &t, 3, 1, 99999999) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    } /* serial 1 was the set-up purchase */
    lens[0] = cjt188_request(&f, frames[0]);
    bench_handler("cjt188 A013 replay", &m, prepay_water_meter_handle_cjt188, frames, lens, 1, requests);
    if (prepay_cjt188_request_valve(&f, &t, 4, false) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    lens[0] = cjt188_request(&f, frames[0]);
    if (prepay_cjt188_request_valve(&f, &t, 5, true) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    lens[1] = cjt188_request(&f, frames[1]);
    bench_handler("cjt188 A017 close+open (2 frames)", &m, prepay_water_meter_handle_cjt188, frames, lens, 2,
                  requests);

    if (*only) {
        return 0;
    }
modbus:;
    static prepay_water_meter_t v;
    make_meter(&v, PREPAY_WATER_MODE_VOLUME, 178);
    prepay_modbus_adu_t a;
    if (prepay_modbus_request_read(&a, 1, PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0, PREPAY_WATER_MODBUS_REGISTERS) !=
        PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    lens[0] = modbus_request(&a, frames[0]);
    bench_handler("modbus read map (1EH registers)", &v, prepay_water_meter_handle_modbus, frames, lens, 1, requests);
    if (prepay_modbus_request_read(&a, 1, PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS, 0x1C, 1) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    lens[0] = modbus_request(&a, frames[0]);
    bench_handler("modbus read valve", &v, prepay_water_meter_handle_modbus, frames, lens, 1, requests);
    if (prepay_modbus_request_write_register(&a, 1, 0x1C, 2) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    lens[0] = modbus_request(&a, frames[0]);
    if (prepay_modbus_request_write_register(&a, 1, 0x1C, 1) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    lens[1] = modbus_request(&a, frames[1]);
    bench_handler("modbus write valve close+open (2)", &v, prepay_water_meter_handle_modbus, frames, lens, 2,
                  requests);
    if (!smoke) {
        bench_memcpy();
    }
    return 0;
}
