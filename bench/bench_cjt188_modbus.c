/* SPDX-License-Identifier: MIT */
/*
 * Benchmark of the CJ/T 188 and Modbus RTU codecs: frames decoded per second
 * all the way to a typed value in the library's units, for short replies,
 * printed beside the machine's memcpy bandwidth. Single thread; figures use
 * the thread's CPU time (the wall-clock ratio is printed too).
 *
 * Each figure is the best of 3 runs (the machine may be shared). "frame
 * only" rows time the frame layer alone (check + prepay_cjt188_frame_t or
 * prepay_modbus_adu_t, no value); the other rows time, per iteration:
 * - "cjt188 A017 ack -> ST": prepay_cjt188_decode of a 18-byte valve reply
 *   (L = 5) and prepay_cjt188_reply_write against the request (DI, SER,
 *   address checks; ST out);
 * - "cjt188 8105 purse -> fen": decode of a 31-byte purse reply and
 *   prepay_cjt188_reply_purse (three BCD amounts to fen);
 * - "cjt188 901F -> litres": decode of a 35-byte current-data reply,
 *   prepay_cjt188_reply_current (BCD volumes, clock to prepay_time_t, ST)
 *   and prepay_cjt188_quantity_litres;
 * - "cjt188 901F -> litres, one call": the same reply and the same result
 *   through prepay_cjt188_volume_read() (frame checks, matching and the
 *   volumes, clock and ST read where they lie: no frame copy);
 * - "modbus 03 UINT32 -> Wh": prepay_modbus_decode of a 9-byte response
 *   (CRC), prepay_modbus_response_registers (the matcher) and
 *   prepay_modbus_value_decode of the DDSY1352 total-energy register;
 * - "modbus 03 FLOAT32 -> L": the same for the Xintai forward volume
 *   (binary32 to litres with integer arithmetic);
 * - "modbus stream": the RTU stream parser splitting back-to-back 9-byte
 *   responses by length inference, 64-byte chunks.
 *
 *   meson setup build/rel --buildtype=release -Dtests=false
 *   ninja -C build/rel bench/bench_cjt188_modbus && taskset -c 1 build/rel/bench/bench_cjt188_modbus [scale]
 *   build/rel/bench/bench_cjt188_modbus --smoke    # tiny sizes, no figures worth reading (CI)
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/cjt188.h"
#include "prepay/modbus.h"

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

static void report(const char *what, size_t frames, size_t bytes, double seconds, double wall)
{
    printf("%-36s %8.2f M frames/s  %7.2f ns/frame  %7.3f GB/s  (cpu/wall %.2f)\n", what,
           (double)frames / seconds / 1e6, seconds * 1e9 / (double)frames, (double)bytes / seconds / 1e9,
           seconds / wall);
}

/* Runs `body` three times and keeps the run with the least CPU time in (s, w). */
#define BEST_OF_3(s, w, body)                                                                                    \
    do {                                                                                                         \
        (s) = 1e30;                                                                                              \
        (w) = 1e30;                                                                                              \
        for (int run_ = 0; run_ < 3; run_++) {                                                                   \
            double w0_ = wall_seconds(), t0_ = cpu_seconds();                                                    \
            body;                                                                                                \
            double t_ = cpu_seconds() - t0_, w_ = wall_seconds() - w0_;                                          \
            if (t_ < (s)) {                                                                                      \
                (s) = t_;                                                                                        \
                (w) = w_;                                                                                        \
            }                                                                                                    \
        }                                                                                                        \
    } while (0)

static void check(int rc)
{
    if (rc < 0) {
        fprintf(stderr, "benchmark setup failed: %d\n", rc);
        abort();
    }
}

/* Builds a request and the meter's reply to it through the library (both ways checked once). */
static size_t make_reply(const prepay_cjt188_frame_t *request, const uint8_t *value, size_t len, uint8_t *wire)
{
    prepay_cjt188_target_t self = {request->meter_type, request->address,
                                   (prepay_cjt188_di_order_t)request->di_order};
    prepay_cjt188_frame_t reply;
    check(prepay_cjt188_reply_build(&reply, request, &self, value, len));
    int n = prepay_cjt188_encode(&reply, wire, 64);
    check(n);
    return (size_t)n;
}

static void bench_cjt188(size_t iterations)
{
    prepay_cjt188_target_t t = {PREPAY_CJT188_TYPE_COLD_WATER, {{0x77, 0x01, 0x16, 0x07, 0x23, 0x20, 0x00}},
                                PREPAY_CJT188_DI_LOW_FIRST};
    prepay_cjt188_frame_t valve, purse, current, f;
    check(prepay_cjt188_request_valve(&valve, &t, 1, false));
    check(prepay_cjt188_request_read(&purse, &t, PREPAY_CJT188_DI_PURSE, 2));
    check(prepay_cjt188_request_read(&current, &t, PREPAY_CJT188_DI_CURRENT, 3));
    uint8_t ack_wire[64], purse_wire[64], current_wire[64];
    const uint8_t st[2] = {0x01, 0x00};
    size_t ack_len = make_reply(&valve, st, 2, ack_wire);
    const uint8_t purse_value[15] = {7, 0x00, 0x00, 0x01, 0x00, 0x00, 0x50, 0x02, 0x00, 0x65, 0x87, 0x00, 0x00, 0, 0};
    size_t purse_len = make_reply(&purse, purse_value, 15, purse_wire);
    const uint8_t current_value[19] = {0x45, 0x23, 0x01, 0x00, 0x2C, 0x00, 0x00, 0x01, 0x00, 0x2C,
                                       0x58, 0x59, 0x23, 0x29, 0x02, 0x24, 0x20, 0x05, 0x00};
    size_t current_len = make_reply(&current, current_value, 19, current_wire);

    uint64_t acc = 0;
    double s, w;
    const struct {
        const char *name;
        const uint8_t *wire;
        size_t len;
    } frames[] = {{"cjt188 A017 ack, frame only", ack_wire, ack_len},
                  {"cjt188 8105 purse, frame only", purse_wire, purse_len},
                  {"cjt188 901F current, frame only", current_wire, current_len}};
    for (size_t k = 0; k < sizeof frames / sizeof frames[0]; k++) {
        BEST_OF_3(s, w, for (size_t i = 0; i < iterations; i++) {
            int rc = prepay_cjt188_decode(frames[k].wire, frames[k].len, PREPAY_CJT188_DI_AUTO, &f);
            acc += (uint64_t)rc + f.di + f.data[f.length - 1];
        });
        report(frames[k].name, iterations, iterations * frames[k].len, s, w);
    }

    BEST_OF_3(s, w, for (size_t i = 0; i < iterations; i++) {
        prepay_cjt188_write_ack_t ack;
        ack.status = 0;
        int rc = prepay_cjt188_decode(ack_wire, ack_len, PREPAY_CJT188_DI_AUTO, &f);
        rc |= prepay_cjt188_reply_write(&valve, &f, &ack);
        acc += (uint64_t)rc + ack.status;
    });
    report("cjt188 A017 ack -> ST", iterations, iterations * ack_len, s, w);

    BEST_OF_3(s, w, for (size_t i = 0; i < iterations; i++) {
        prepay_cjt188_purse_t p;
        p.remaining_fen = 0;
        int rc = prepay_cjt188_decode(purse_wire, purse_len, PREPAY_CJT188_DI_AUTO, &f);
        rc |= prepay_cjt188_reply_purse(&purse, &f, &p);
        acc += (uint64_t)rc + (uint64_t)p.remaining_fen;
    });
    report("cjt188 8105 purse -> fen", iterations, iterations * purse_len, s, w);

    BEST_OF_3(s, w, for (size_t i = 0; i < iterations; i++) {
        prepay_cjt188_current_t c;
        prepay_energy_t litres = 0;
        int rc = prepay_cjt188_decode(current_wire, current_len, PREPAY_CJT188_DI_AUTO, &f);
        rc |= prepay_cjt188_reply_current(&current, &f, &c);
        rc |= prepay_cjt188_quantity_litres(&c.reading, &litres);
        acc += (uint64_t)rc + (uint64_t)litres + (uint64_t)c.clock;
    });
    report("cjt188 901F -> litres", iterations, iterations * current_len, s, w);
    BEST_OF_3(s, w, for (size_t i = 0; i < iterations; i++) {
        prepay_cjt188_volume_t v;
        v.litres = 0;
        int rc = prepay_cjt188_volume_read(&current, current_wire, current_len, &v);
        acc += (uint64_t)rc + (uint64_t)v.litres + (uint64_t)v.clock;
    });
    report("cjt188 901F -> litres, one call", iterations, iterations * current_len, s, w);
    sink = acc;
}

static void bench_modbus(size_t iterations)
{
    prepay_modbus_adu_t request, response, a;
    const prepay_modbus_map_t *ddsy = prepay_modbus_map_by_name("ddsy1352");
    const prepay_modbus_map_t *xintai = prepay_modbus_map_by_name("xintai-water");
    const prepay_modbus_register_t *energy = prepay_modbus_map_find(ddsy, "energy_total");
    const prepay_modbus_register_t *volume = prepay_modbus_map_find(xintai, "forward_volume");
    uint8_t energy_wire[16], volume_wire[16];
    uint16_t regs[2] = {0x0001, 0xE240};
    check(prepay_modbus_request_read(&request, 1, 3, 0, 2));
    check(prepay_modbus_response_build(&response, &request, regs, NULL));
    size_t energy_len = (size_t)prepay_modbus_encode(&response, energy_wire, sizeof energy_wire);
    check(prepay_modbus_value_encode(volume, 12345, regs, 2));
    prepay_modbus_adu_t volume_request;
    check(prepay_modbus_request_read(&volume_request, 1, 3, 1, 2));
    check(prepay_modbus_response_build(&response, &volume_request, regs, NULL));
    size_t volume_len = (size_t)prepay_modbus_encode(&response, volume_wire, sizeof volume_wire);

    uint64_t acc = 0;
    double s, w;
    BEST_OF_3(s, w, for (size_t i = 0; i < iterations; i++) {
        int rc = prepay_modbus_decode(energy_wire, energy_len, PREPAY_MODBUS_RESPONSE, &a);
        acc += (uint64_t)rc + a.data[a.length - 1];
    });
    report("modbus 03 9-byte, frame only", iterations, iterations * energy_len, s, w);

    BEST_OF_3(s, w, for (size_t i = 0; i < iterations; i++) {
        uint16_t words[2];
        int64_t wh = 0;
        int rc = prepay_modbus_decode(energy_wire, energy_len, PREPAY_MODBUS_RESPONSE, &a);
        rc |= prepay_modbus_response_registers(&request, &a, words, 2);
        rc |= prepay_modbus_value_decode(energy, words, 2, &wh);
        acc += (uint64_t)rc + (uint64_t)wh;
    });
    report("modbus 03 UINT32 -> Wh", iterations, iterations * energy_len, s, w);

    BEST_OF_3(s, w, for (size_t i = 0; i < iterations; i++) {
        uint16_t words[2];
        int64_t litres = 0;
        int rc = prepay_modbus_decode(volume_wire, volume_len, PREPAY_MODBUS_RESPONSE, &a);
        rc |= prepay_modbus_response_registers(&volume_request, &a, words, 2);
        rc |= prepay_modbus_value_decode(volume, words, 2, &litres);
        acc += (uint64_t)rc + (uint64_t)litres;
    });
    report("modbus 03 FLOAT32 -> L", iterations, iterations * volume_len, s, w);

    enum { STREAM_BYTES = 64 * 1024 };
    static uint8_t bytes[STREAM_BYTES];
    size_t len = 0, per_pass = 0;
    while (len + energy_len <= STREAM_BYTES) {
        memcpy(bytes + len, energy_wire, energy_len);
        len += energy_len;
        per_pass++;
    }
    static prepay_modbus_stream_t stream;
    size_t frames = 0, rounds = iterations / per_pass + 1;
    BEST_OF_3(s, w, {
        check(prepay_modbus_stream_init(&stream, PREPAY_MODBUS_RESPONSE, 0));
        frames = 0;
        for (size_t r = 0; r < rounds; r++) {
            for (size_t pos = 0; pos < len;) {
                size_t n = len - pos < 64 ? len - pos : 64;
                int taken = prepay_modbus_stream_feed(&stream, bytes + pos, n, 0);
                if (taken <= 0) {
                    abort();
                }
                pos += (size_t)taken;
                while (prepay_modbus_stream_next(&stream, &a) == 1) {
                    frames++;
                }
            }
        }
    });
    if (frames != per_pass * rounds) {
        fprintf(stderr, "stream lost frames\n");
        abort();
    }
    report("modbus stream, 64-byte chunks", frames, len * rounds, s, w);
    sink = acc;
}

static void bench_memcpy(size_t size)
{
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
    printf("%-36s %8.2f GB/s (%zu MiB blocks)  (cpu/wall %.2f)\n", "memcpy bandwidth",
           (double)size * rounds / t / 1e9, size >> 20, t / w);
    free(a);
    free(b);
}

int main(int argc, char **argv)
{
    size_t scale = 1;
    int smoke = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) {
            smoke = 1;
        } else {
            scale = (size_t)strtoul(argv[i], NULL, 10);
        }
    }
    if (scale == 0) {
        scale = 1;
    }
    printf("libprepay CJ/T 188 and Modbus RTU codec benchmark (best of 3, thread CPU time; frame only or decode to "
           "typed value)%s\n",
           smoke ? " -- SMOKE RUN, figures meaningless" : "");
    const size_t n = smoke ? 2000 : 20000000u * scale;
    bench_cjt188(n);
    bench_modbus(n);
    bench_memcpy(smoke ? (1u << 20) : (64u << 20));
    return 0;
}
