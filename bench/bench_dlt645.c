/*
 * Benchmark of the DL/T 645 frame layer: frames per second for decode (a
 * typical 20-byte 0x91 energy reply and a 36-byte block reply), encode and
 * the stream parser, printed beside the machine's memcpy bandwidth so the
 * figures can be compared across machines. Single thread.
 *
 *   meson setup build/frame-rel --buildtype=release -Dtests=false
 *   ninja -C build/frame-rel bench/bench_dlt645 && build/frame-rel/bench/bench_dlt645
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepay/dlt645.h"

/* Figures use the thread's CPU time, so other processes sharing the machine
 * (parallel builds) do not inflate them; the wall-clock ratio is printed too. */
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

/* Vector legend_read_fwd_active_total_reply: 00010000 = 0.26 kWh (20 bytes). */
static const uint8_t energy_reply[] = {0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x91, 0x08,
                                       0x33, 0x33, 0x34, 0x33, 0x59, 0x33, 0x33, 0x33, 0x8A, 0x16};
/* Vector plc_log_read_energy_block_reply: 0001FF00 total + 4 tariffs (36 bytes). */
static const uint8_t block_reply[] = {0x68, 0x00, 0x36, 0x19, 0x00, 0x00, 0x00, 0x68, 0x91, 0x18, 0x33, 0x32,
                                      0x34, 0x33, 0x63, 0x69, 0x33, 0x33, 0x89, 0x35, 0x33, 0x33, 0x4C, 0x33,
                                      0x33, 0x33, 0x6B, 0x33, 0x33, 0x33, 0x4A, 0x66, 0x33, 0x33, 0xE9, 0x16};

static void report(const char *what, size_t frames, size_t bytes, double seconds, double wall)
{
    double ns = seconds * 1e9 / (double)frames;
    printf("%-34s %8.2f M frames/s  %7.2f ns/frame  %7.3f GB/s  (cpu/wall %.2f)\n", what,
           (double)frames / seconds / 1e6, ns, (double)bytes / seconds / 1e9, seconds / wall);
}

static void bench_decode(const char *what, const uint8_t *frame, size_t len, size_t iterations)
{
    prepay_dlt645_frame_t f;
    uint64_t acc = 0;
    double w0 = wall_seconds(), t0 = cpu_seconds();
    for (size_t i = 0; i < iterations; i++) {
        int rc = prepay_dlt645_decode(frame, len, &f);
        acc += (uint64_t)rc + f.di + f.data[f.length - 1];
    }
    double t = cpu_seconds() - t0, w = wall_seconds() - w0;
    sink = acc;
    report(what, iterations, iterations * len, t, w);
}

static void bench_encode(size_t iterations)
{
    prepay_dlt645_frame_t f;
    if (prepay_dlt645_decode(energy_reply, sizeof energy_reply, &f) <= 0) {
        abort();
    }
    uint8_t out[64];
    uint64_t acc = 0;
    double w0 = wall_seconds(), t0 = cpu_seconds();
    for (size_t i = 0; i < iterations; i++) {
        f.data[4] = (uint8_t)i;
        int n = prepay_dlt645_encode(&f, out, sizeof out);
        acc += (uint64_t)n + out[n - 2];
    }
    double t = cpu_seconds() - t0, w = wall_seconds() - w0;
    sink = acc;
    report("encode 20-byte 0x91 reply", iterations, iterations * sizeof energy_reply, t, w);
}

static void bench_stream(size_t chunk, size_t rounds)
{
    /* 64 KiB of back-to-back replies with two FE each and a byte of garbage between. */
    enum { STREAM_BYTES = 64 * 1024 };
    static uint8_t bytes[STREAM_BYTES];
    size_t len = 0, per_pass = 0;
    while (len + sizeof energy_reply + 3 <= STREAM_BYTES) {
        bytes[len++] = 0x00;
        bytes[len++] = 0xFE;
        bytes[len++] = 0xFE;
        memcpy(bytes + len, energy_reply, sizeof energy_reply);
        len += sizeof energy_reply;
        per_pass++;
    }
    static prepay_dlt645_stream_t s;
    prepay_dlt645_stream_init(&s, PREPAY_DLT645_EDITION_AUTO);
    prepay_dlt645_frame_t f;
    size_t frames = 0;
    double w0 = wall_seconds(), t0 = cpu_seconds();
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
    double t = cpu_seconds() - t0, w = wall_seconds() - w0;
    if (frames != per_pass * rounds) {
        fprintf(stderr, "stream lost frames: %zu of %zu\n", frames, per_pass * rounds);
        abort();
    }
    char what[64];
    snprintf(what, sizeof what, "stream, %zu-byte chunks", chunk);
    report(what, frames, len * rounds, t, w);
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
    size_t scale = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 1;
    if (scale == 0) {
        scale = 1;
    }
    printf("libprepay DL/T 645 frame layer benchmark (PREPAY_DLT645_MAX_DATA = %d; thread CPU time)\n",
           PREPAY_DLT645_MAX_DATA);
    bench_decode("decode 20-byte 0x91 energy reply", energy_reply, sizeof energy_reply, 50000000u * scale);
    bench_decode("decode 36-byte 0x91 block reply", block_reply, sizeof block_reply, 30000000u * scale);
    bench_encode(50000000u * scale);
    bench_stream(1, 100 * scale);
    bench_stream(64, 500 * scale);
    bench_stream(4096, 500 * scale);
    bench_memcpy();
    return 0;
}
