/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: prepay_report_add() (include/prepay/report.h) over arbitrary
 * rows. Input: 1 byte period, 2 bytes day span, then 24-byte rows (start 8,
 * seconds 4, energy 8 with the top bits masked so sums stay checkable, band 1,
 * fee units 2, fee nanos 1 byte scaled) added in chunks to two keys.
 * Checks: a refused chunk leaves the report and the series byte for byte as
 * before (the take-back is exact); after each accepted chunk, the energy in
 * all cells never exceeds the energy added and every fee stays normalised.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/report.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_BUCKETS 400
static prepay_report_bucket_t buckets[MAX_BUCKETS];
static prepay_report_cell_t cells[2 * MAX_BUCKETS], before[2 * MAX_BUCKETS];
static prepay_report_row_t rows[256];

static uint64_t read_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) {
        return 0;
    }
    prepay_report_period_t period = (prepay_report_period_t)(1 + data[0] % 4);
    prepay_days_t first = 8800 + (prepay_days_t)(data[1] % 64); /* around 2024 */
    prepay_days_t end = first + 1 + (prepay_days_t)(data[2] % 120);
    prepay_report_t rep;
    if (prepay_report_init(&rep, period, first, end, 2, buckets, MAX_BUCKETS, cells, 2 * MAX_BUCKETS) != PREPAY_OK) {
        abort();
    }
    size_t cell_bytes = (size_t)rep.bucket_count * 2u * sizeof cells[0];
    prepay_report_series_t series[2];
    if (prepay_report_series_init(&series[0], 0) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    if (prepay_report_series_init(&series[1], 1) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    data += 3;
    size -= 3;
    size_t n = size / 24u;
    if (n > 256u) {
        n = 256u;
    }
    prepay_time_t base = (prepay_time_t)first * 86400 - 86400;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = data + 24u * i;
        prepay_report_row_t *r = &rows[i];
        memset(r, 0, sizeof *r);
        uint64_t raw_start = read_u64(p);
        /* mostly near the report, sometimes anywhere (impossible times) */
        r->start = (raw_start >> 63) ? (prepay_time_t)raw_start : base + (prepay_time_t)(raw_start % (200u * 86400u));
        r->seconds = (uint32_t)(p[8] | p[9] << 8 | p[10] << 16 | (uint32_t)(p[11] & 0x03u) << 24);
        r->energy = (int64_t)(read_u64(p + 12) >> 20) - (p[23] & 0x80u ? 1 : 0);
        r->band = (uint8_t)(p[20] % 7u);
        r->fee.units = (int16_t)(p[21] | p[22] << 8);
        r->fee.nanos = (uint32_t)(p[23] & 0x7Fu) * 10000000u;
    }
    size_t pos = 0;
    unsigned which = 0;
    while (pos < n) {
        size_t chunk = 1 + (rows[pos].seconds % 7u);
        if (chunk > n - pos) {
            chunk = n - pos;
        }
        prepay_report_t rep_before = rep;
        prepay_report_series_t s_before = series[which];
        memcpy(before, cells, cell_bytes);
        int status = prepay_report_add(&rep, &series[which], rows + pos, chunk);
        if (status != PREPAY_OK) {
            if (memcmp(&rep, &rep_before, sizeof rep) != 0 || memcmp(&series[which], &s_before, sizeof s_before) != 0 ||
                memcmp(cells, before, cell_bytes) != 0) {
                abort(); /* a refused chunk must change nothing */
            }
        } else {
            int64_t total = 0;
            for (size_t c = 0; c < (size_t)rep.bucket_count * 2u; c++) {
                for (unsigned b = 0; b < PREPAY_REPORT_BANDS; b++) {
                    if (cells[c].energy[b] < 0 || cells[c].fee[b].nanos >= 1000000000u) {
                        abort();
                    }
                    total += cells[c].energy[b];
                }
            }
            if (total > rep.energy_added) {
                abort();
            }
        }
        pos += chunk;
        which ^= 1u;
    }
    return 0;
}
