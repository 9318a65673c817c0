/* SPDX-License-Identifier: MIT */
/*
 * Benchmark of DL/T 645 decoding, each figure named by exactly what it does:
 *
 *   check         prepay_dlt645_check(): the frame layer's validity test only
 *                 (preamble, 68, 68, L, CS, 16); nothing decoded or copied.
 *   frame         prepay_dlt645_decode(): the frame layer (check + a
 *                 prepay_dlt645_frame_t with the data copied, 0x33 removed).
 *                 No value: the DI is known, the number is not.
 *   frame+value   prepay_dlt645_decode() then prepay_dlt645_value_decode():
 *                 the general two-step path to a typed value.
 *   reading       prepay_dlt645_decode_reading(): frame to typed value in one
 *                 call, catalogue lookup every time (no reader).
 *   reader        prepay_dlt645_reader_decode(): the same with a reader (a
 *                 cache of catalogue lookups), one call per frame.
 *   batch         prepay_dlt645_reader_decode_batch(): 4096 frames laid back
 *                 to back in one buffer, one call; figure per frame.
 *   encode, stream  the frame encoder and the byte-stream parser.
 *
 * Replies: a 20-byte 0x91 energy reply (00010000 = 0.26 kWh, vector
 * legend_read_fwd_active_total_reply), the same behind four FE (24 bytes),
 * a 20-byte remaining-amount reply (00900200), an 18-byte voltage reply
 * (02010100), and a mixed batch cycling through the four.
 *
 * Each figure is the best of 3 runs; time is the thread's CPU time (other
 * processes do not inflate it) and the wall time is printed beside it.
 * Single thread, one core. memcpy bandwidth is printed for scale.
 *
 *   meson setup build/bench-rel --buildtype=release -Dtests=false
 *   ninja -C build/bench-rel bench/bench_dlt645 && build/bench-rel/bench/bench_dlt645 [scale]
 *   build/bench-rel/bench/bench_dlt645 --smoke     # tiny sizes, no figures worth reading (CI)
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/dlt645.h"
#include "prepay/dlt645_data.h"
#include "prepay/dlt645_di.h"
#include "prepay/dlt645_reading.h"

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

typedef struct reply {
    const char *name;
    uint8_t bytes[32];
    size_t len;
    int64_t quantity; /* the expected value, checked before timing */
} reply_t;

/* Vector legend_read_fwd_active_total_reply: 00010000 = 0.26 kWh (20 bytes). */
static const reply_t energy = {"20-byte 0x91 energy 00010000",
                               {0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x91, 0x08, 0x33, 0x33, 0x34,
                                0x33, 0x59, 0x33, 0x33, 0x33, 0x8A, 0x16},
                               20,
                               260};
/* The same behind four FE (24 bytes). */
static const reply_t energy_fe = {"24-byte FE x4 + energy 00010000",
                                  {0xFE, 0xFE, 0xFE, 0xFE, 0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68,
                                   0x91, 0x08, 0x33, 0x33, 0x34, 0x33, 0x59, 0x33, 0x33, 0x33, 0x8A, 0x16},
                                  24,
                                  260};
static reply_t money;   /* 00900200 = 198.56 yuan, built at start */
static reply_t voltage; /* 02010100 = 231.9 V, built at start */

/* Vector plc_log_read_energy_block_reply: 0001FF00 total + 4 tariffs (36 bytes), frame layer only. */
static const uint8_t block_reply[] = {0x68, 0x00, 0x36, 0x19, 0x00, 0x00, 0x00, 0x68, 0x91, 0x18, 0x33, 0x32,
                                      0x34, 0x33, 0x63, 0x69, 0x33, 0x33, 0x89, 0x35, 0x33, 0x33, 0x4C, 0x33,
                                      0x33, 0x33, 0x6B, 0x33, 0x33, 0x33, 0x4A, 0x66, 0x33, 0x33, 0xE9, 0x16};

static void build_reply(reply_t *r, const char *name, uint32_t di, const uint8_t *value, size_t len,
                        int64_t quantity)
{
    uint8_t data[16] = {(uint8_t)di, (uint8_t)(di >> 8), (uint8_t)(di >> 16), (uint8_t)(di >> 24)};
    memcpy(data + 4, value, len);
    prepay_dlt645_address_t address = {{0x01, 0x00, 0x00, 0x00, 0x00, 0x00}};
    prepay_dlt645_frame_t f;
    if (prepay_dlt645_frame_init(&f, PREPAY_DLT645_EDITION_2007, &address, 0x91, data, 4 + len) != PREPAY_OK) {
        abort();
    }
    int n = prepay_dlt645_encode(&f, r->bytes, sizeof r->bytes);
    if (n <= 0) {
        abort();
    }
    r->name = name;
    r->len = (size_t)n;
    r->quantity = quantity;
}

typedef struct timing {
    double cpu;
    double wall;
} timing_t;

static void report(const char *what, const char *reply, size_t items, size_t bytes, timing_t t)
{
    double ns = t.cpu * 1e9 / (double)items;
    double wall_ns = t.wall * 1e9 / (double)items;
    char label[96];
    snprintf(label, sizeof label, "%s, %s", what, reply);
    printf("%-72s %7.2f ns/frame cpu %7.2f wall %7.1f M frames/s %6.3f GB/s\n", label, ns, wall_ns,
           (double)items / t.cpu / 1e6, (double)bytes / t.cpu / 1e9);
}

#define BEST_OF_3(timing, body)                                                                                  \
    do {                                                                                                         \
        (timing).cpu = 1e30;                                                                                     \
        (timing).wall = 1e30;                                                                                    \
        for (int run_ = 0; run_ < 3; run_++) {                                                                   \
            double w0_ = wall_seconds(), t0_ = cpu_seconds();                                                    \
            body;                                                                                                \
            double t_ = cpu_seconds() - t0_, w_ = wall_seconds() - w0_;                                          \
            if (t_ < (timing).cpu) {                                                                             \
                (timing).cpu = t_;                                                                               \
                (timing).wall = w_;                                                                              \
            }                                                                                                    \
        }                                                                                                        \
    } while (0)

static void bench_check(const reply_t *r, size_t n)
{
    timing_t t;
    uint64_t acc = 0;
    BEST_OF_3(t, for (size_t i = 0; i < n; i++) { acc += (uint64_t)prepay_dlt645_check(r->bytes, r->len); });
    if (acc != (uint64_t)n * 3 * r->len) {
        abort();
    }
    sink = acc;
    report("check (frame validity only)", r->name, n, n * r->len, t);
}

static void bench_frame(const char *name, const uint8_t *bytes, size_t len, size_t n)
{
    prepay_dlt645_frame_t f;
    uint64_t acc = 0;
    timing_t t;
    BEST_OF_3(t, for (size_t i = 0; i < n; i++) {
        int rc = prepay_dlt645_decode(bytes, len, &f);
        acc += (uint64_t)rc + f.di + f.data[f.length - 1];
    });
    sink = acc;
    report("frame (decode, no value)", name, n, n * len, t);
}

static void bench_frame_value(const reply_t *r, size_t n)
{
    prepay_dlt645_frame_t f;
    prepay_dlt645_value_t v;
    uint64_t acc = 0;
    timing_t t;
    BEST_OF_3(t, for (size_t i = 0; i < n; i++) {
        int rc = prepay_dlt645_decode(r->bytes, r->len, &f);
        int st = prepay_dlt645_value_decode(f.di, f.data + f.di_size, (size_t)f.length - f.di_size, &v);
        acc += (uint64_t)rc + (uint64_t)st + (uint64_t)v.quantity;
    });
    if (v.quantity != r->quantity) {
        abort();
    }
    sink = acc;
    report("frame+value (decode + value_decode)", r->name, n, n * r->len, t);
}

static void bench_reading(const reply_t *r, size_t n)
{
    prepay_dlt645_reading_t out;
    uint64_t acc = 0;
    timing_t t;
    BEST_OF_3(t, for (size_t i = 0; i < n; i++) {
        acc += (uint64_t)prepay_dlt645_decode_reading(r->bytes, r->len, &out) + (uint64_t)out.quantity;
    });
    if (out.status != PREPAY_OK || out.quantity != r->quantity) {
        abort();
    }
    sink = acc;
    report("reading to value, no reader, single", r->name, n, n * r->len, t);
}

static void bench_reader(const reply_t *r, size_t n)
{
    prepay_dlt645_reader_t reader;
    if (prepay_dlt645_reader_init(&reader) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    prepay_dlt645_reading_t out;
    uint64_t acc = 0;
    timing_t t;
    BEST_OF_3(t, for (size_t i = 0; i < n; i++) {
        acc += (uint64_t)prepay_dlt645_reader_decode(&reader, r->bytes, r->len, &out) + (uint64_t)out.quantity;
    });
    if (out.status != PREPAY_OK || out.quantity != r->quantity) {
        abort();
    }
    sink = acc;
    report("reading to value, reader, single", r->name, n, n * r->len, t);
}

enum { BATCH = 4096 };

/* One call per BATCH frames laid back to back (mixed: cycling through `replies`). */
static void bench_batch(const char *name, const reply_t *const *replies, size_t kinds, size_t n)
{
    static uint8_t buffer[BATCH * 32];
    static prepay_dlt645_reading_t out[BATCH];
    size_t len = 0;
    int64_t expect = 0;
    for (size_t i = 0; i < BATCH; i++) {
        const reply_t *r = replies[i % kinds];
        memcpy(buffer + len, r->bytes, r->len);
        len += r->len;
        expect += r->quantity;
    }
    prepay_dlt645_reader_t reader;
    if (prepay_dlt645_reader_init(&reader) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    prepay_dlt645_batch_t result;
    size_t calls = n / BATCH > 0 ? n / BATCH : 1;
    uint64_t acc = 0;
    timing_t t;
    BEST_OF_3(t, for (size_t c = 0; c < calls; c++) {
        acc += (uint64_t)prepay_dlt645_reader_decode_batch(&reader, buffer, len, out, BATCH, &result);
        acc += (uint64_t)out[c % BATCH].quantity;
    });
    int64_t sum = 0;
    for (size_t i = 0; i < BATCH; i++) {
        if (out[i].status != PREPAY_OK) {
            abort();
        }
        sum += out[i].quantity;
    }
    if (result.count != BATCH || result.used != len || sum != expect) {
        fprintf(stderr, "batch: wrong result\n");
        abort();
    }
    sink = acc;
    report("batch to value, reader, 4096 frames per call", name, calls * BATCH, calls * len, t);
}

static void bench_encode(size_t n)
{
    prepay_dlt645_frame_t f;
    if (prepay_dlt645_decode(energy.bytes, energy.len, &f) <= 0) {
        abort();
    }
    uint8_t out[64];
    uint64_t acc = 0;
    timing_t t;
    BEST_OF_3(t, for (size_t i = 0; i < n; i++) {
        f.data[4] = (uint8_t)i;
        int len = prepay_dlt645_encode(&f, out, sizeof out);
        acc += (uint64_t)len + out[len - 2];
    });
    sink = acc;
    report("encode (frame to wire bytes)", energy.name, n, n * energy.len, t);
}

static void bench_stream(size_t chunk, size_t rounds)
{
    /* 64 KiB of back-to-back replies with two FE each and a byte of garbage between. */
    enum { STREAM_BYTES = 64 * 1024 };
    static uint8_t bytes[STREAM_BYTES];
    size_t len = 0, per_pass = 0;
    while (len + energy.len + 3 <= STREAM_BYTES) {
        bytes[len++] = 0x00;
        bytes[len++] = 0xFE;
        bytes[len++] = 0xFE;
        memcpy(bytes + len, energy.bytes, energy.len);
        len += energy.len;
        per_pass++;
    }
    static prepay_dlt645_stream_t s;
    prepay_dlt645_frame_t f;
    size_t frames = 0;
    timing_t t;
    BEST_OF_3(t, {
        if (prepay_dlt645_stream_init(&s, PREPAY_DLT645_EDITION_AUTO) != PREPAY_OK) {
            abort(); /* a bench whose own step fails would time nothing */
        }
        frames = 0;
        for (size_t r = 0; r < rounds; r++) {
            size_t pos = 0;
            while (pos < len) {
                size_t n = len - pos < chunk ? len - pos : chunk;
                int taken = prepay_dlt645_stream_feed(&s, bytes + pos, n);
                if (taken <= 0) {
                    abort();
                }
                pos += (size_t)taken;
                while (prepay_dlt645_stream_next(&s, &f) == 1) {
                    frames++;
                }
            }
        }
    });
    if (frames != per_pass * rounds) {
        fprintf(stderr, "stream lost frames: %zu of %zu\n", frames, per_pass * rounds);
        abort();
    }
    char what[64];
    snprintf(what, sizeof what, "stream (frame only), %zu-byte chunks", chunk);
    report(what, "garbage + FE x2 + 20-byte reply", frames, len * rounds, t);
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
    printf("%-72s %7.2f GB/s cpu %7.2f GB/s wall (%zu MiB blocks)\n", "memcpy bandwidth",
           (double)size * rounds / t / 1e9, (double)size * rounds / w / 1e9, size >> 20);
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
    const uint8_t money_value[4] = {0x56, 0x98, 0x01, 0x00};
    build_reply(&money, "20-byte 0x91 remaining amount 00900200", PREPAY_DI_REMAINING_AMOUNT, money_value, 4, 19856);
    const uint8_t volt_value[2] = {0x19, 0x23};
    build_reply(&voltage, "18-byte 0x91 voltage A 02010100", PREPAY_DI_VOLTAGE(PREPAY_DI_PHASE_A), volt_value, 2,
                2319);
    const size_t n = smoke ? 2000 : 20000000u * scale;
    printf("libprepay DL/T 645 decoding benchmark (PREPAY_DLT645_MAX_DATA = %d; best of 3; thread CPU and wall "
           "time)%s\n",
           PREPAY_DLT645_MAX_DATA, smoke ? " -- SMOKE RUN, figures meaningless" : "");
    const reply_t *singles[] = {&energy, &energy_fe, &money, &voltage};
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++) {
        bench_check(singles[i], n);
    }
    bench_frame(energy.name, energy.bytes, energy.len, n);
    bench_frame("36-byte 0x91 block 0001FF00", block_reply, sizeof block_reply, n);
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++) {
        bench_frame_value(singles[i], n / 4);
        bench_reading(singles[i], n / 2);
        bench_reader(singles[i], n);
    }
    const reply_t *one[] = {&energy};
    bench_batch(energy.name, one, 1, n);
    bench_batch("mixed: energy, FE x4 energy, money, voltage", singles, 4, n);
    bench_encode(n);
    bench_stream(1, smoke ? 1 : 20 * scale);
    bench_stream(64, smoke ? 1 : 100 * scale);
    bench_stream(4096, smoke ? 1 : 100 * scale);
    bench_memcpy(smoke ? (1u << 20) : (64u << 20));
    return 0;
}
