/* SPDX-License-Identifier: MIT */
/*
 * Reports: calendar buckets (day, ISO week, month, year), adding series
 * (midnight splits, clipping, multi-meter merge), bad input that must
 * change nothing, roll-up into groups, and a property test against an
 * independent 128-bit reference of the spreading rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/report.h"
#include "prepay/status.h"
#include "report_test_util.h"
#include "test_support.h"

__extension__ typedef __int128 i128;

#define MAX_BUCKETS 800
#define MAX_CELLS 4000

static prepay_report_bucket_t g_buckets[MAX_BUCKETS];
static prepay_report_cell_t g_cells[MAX_CELLS];

static void test_iso_weeks(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("report_growth.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "iso_week") != 0) {
            continue;
        }
        int y = 0, m = 0, d = 0;
        assert_int_equal(sscanf(tv_need(r, "date"), "%d-%d-%d", &y, &m, &d), 3);
        prepay_days_t day = day_of(y, (unsigned)m, (unsigned)d);
        prepay_report_t rep;
        assert_int_equal(prepay_report_init(&rep, PREPAY_REPORT_WEEK, day, day + 1, 1, g_buckets, MAX_BUCKETS,
                                            g_cells, MAX_CELLS),
                         PREPAY_OK);
        assert_int_equal(rep.bucket_count, 1);
        assert_int_equal(g_buckets[0].year, atoi(tv_need(r, "year")));
        assert_int_equal(g_buckets[0].week, atoi(tv_need(r, "week")));
        /* the week runs Monday to Sunday around the date */
        assert_true(g_buckets[0].first_day <= day && day < g_buckets[0].end_day);
        assert_int_equal(g_buckets[0].end_day - g_buckets[0].first_day, 7);
        assert_int_equal(prepay_time_weekday(g_buckets[0].first_day), 1);
        assert_true(g_buckets[0].partial);
        checked++;
    }
    assert_int_equal(checked, 13);
    tv_free(&file);
}

static void test_bucket_counts(void **state)
{
    (void)state;
    uint32_t n = 0;
    /* 2024-01-15 .. 2025-03-10 (exclusive): months Jan 2024 .. Mar 2025 = 15 */
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_MONTH, day_of(2024, 1, 15), day_of(2025, 3, 10), &n),
                     PREPAY_OK);
    assert_int_equal(n, 15);
    /* years 2023, 2024, 2025 */
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_YEAR, day_of(2023, 12, 31), day_of(2025, 1, 2), &n),
                     PREPAY_OK);
    assert_int_equal(n, 3);
    /* 2024 is a leap year: 366 days */
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_DAY, day_of(2024, 1, 1), day_of(2025, 1, 1), &n),
                     PREPAY_OK);
    assert_int_equal(n, 366);
    /* 2024-12-30 (Mon, W01 of 2025) .. 2025-01-13: 2 weeks; one more if it starts on Sunday 12-29 */
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_WEEK, day_of(2024, 12, 30), day_of(2025, 1, 13), &n),
                     PREPAY_OK);
    assert_int_equal(n, 2);
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_WEEK, day_of(2024, 12, 29), day_of(2025, 1, 13), &n),
                     PREPAY_OK);
    assert_int_equal(n, 3);

    /* month buckets: labels, bounds, partial flags */
    prepay_report_t rep;
    assert_int_equal(prepay_report_init(&rep, PREPAY_REPORT_MONTH, day_of(2024, 1, 15), day_of(2025, 3, 10), 2,
                                        g_buckets, MAX_BUCKETS, g_cells, MAX_CELLS),
                     PREPAY_OK);
    assert_int_equal(rep.bucket_count, 15);
    assert_int_equal(g_buckets[0].year, 2024);
    assert_int_equal(g_buckets[0].month, 1);
    assert_int_equal(g_buckets[0].first_day, day_of(2024, 1, 1));
    assert_true(g_buckets[0].partial);
    assert_int_equal(g_buckets[1].end_day - g_buckets[1].first_day, 29); /* February 2024 */
    assert_false(g_buckets[1].partial);
    assert_int_equal(g_buckets[14].month, 3);
    assert_int_equal(g_buckets[14].year, 2025);
    assert_true(g_buckets[14].partial);
    assert_false(prepay_report_cell_has_data(prepay_report_cell(&rep, 3, 1)));
    assert_null(prepay_report_cell(&rep, 15, 0));
    assert_null(prepay_report_cell(&rep, 0, 2));
}

static void test_bad_periods(void **state)
{
    (void)state;
    uint32_t n = 77;
    prepay_days_t d = day_of(2024, 5, 1);
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_DAY, d, d, &n), PREPAY_E_REPORT_BAD_PERIOD);
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_DAY, d, d - 1, &n), PREPAY_E_REPORT_BAD_PERIOD);
    assert_int_equal(prepay_report_bucket_count((prepay_report_period_t)9, d, d + 1, &n), PREPAY_E_REPORT_BAD_PERIOD);
    assert_int_equal(prepay_report_bucket_count((prepay_report_period_t)0, d, d + 1, &n), PREPAY_E_REPORT_BAD_PERIOD);
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_WEEK, day_of(1, 1, 1), d, &n),
                     PREPAY_E_REPORT_BAD_PERIOD);
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_YEAR, d, day_of(9999, 12, 31), &n),
                     PREPAY_E_REPORT_BAD_PERIOD);
    assert_int_equal(prepay_report_bucket_count(PREPAY_REPORT_DAY, d, d + 1, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(n, 77);
    prepay_report_t rep;
    memset(&rep, 0x5a, sizeof rep);
    prepay_report_t before = rep;
    assert_int_equal(prepay_report_init(&rep, PREPAY_REPORT_DAY, d, d + 10, 3, g_buckets, 9, g_cells, MAX_CELLS),
                     PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_report_init(&rep, PREPAY_REPORT_DAY, d, d + 10, 3, g_buckets, 10, g_cells, 29),
                     PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_report_init(&rep, PREPAY_REPORT_DAY, d, d + 10, 0, g_buckets, 10, g_cells, 30),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_memory_equal(&rep, &before, sizeof rep);
    assert_int_equal(prepay_report_init(&rep, PREPAY_REPORT_DAY, d, d + 10, 3, g_buckets, 10, g_cells, 30), PREPAY_OK);
    prepay_report_series_t s;
    assert_int_equal(prepay_report_series_init(&s, 3), PREPAY_OK);
    prepay_report_row_t one = row_of(at(2024, 5, 1, 0, 0), 900, 1, 0, 0, 0);
    assert_int_equal(prepay_report_add(&rep, &s, &one, 1), PREPAY_E_REPORT_BAD_KEY);
    prepay_report_series_t junk;
    memset(&junk, 0, sizeof junk);
    assert_int_equal(prepay_report_add(&rep, &junk, &one, 1), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_report_add(&rep, &s, NULL, 1), PREPAY_E_INVALID_ARGUMENT);
}

/* The day report worked by hand in the comments (March 2024, two keys). */
static void build_march(prepay_report_t *rep)
{
    assert_int_equal(prepay_report_init(rep, PREPAY_REPORT_DAY, day_of(2024, 3, 1), day_of(2024, 3, 4), 2, g_buckets,
                                        MAX_BUCKETS, g_cells, MAX_CELLS),
                     PREPAY_OK);
    /* Meter A (key 0): 96 quarter hours of 10 Wh on 03-01; hours 0-7 valley (4),
     * 8-11 and 18-20 peak (2), the rest flat (3); each row's fee 0.3 fen
     * (10 Wh at 0.3 yuan/kWh = 0.003 yuan). */
    prepay_report_row_t rows[98];
    for (unsigned q = 0; q < 96; q++) {
        unsigned h = q / 4;
        uint8_t band = h < 8 ? 4 : ((h >= 8 && h < 12) || (h >= 18 && h < 21)) ? 2 : 3;
        rows[q] = row_of(at(2024, 3, 1, h, (q % 4) * 15), 900, 10, band, 0, 300000000u);
    }
    /* 03-02 23:00 -> 03-03 01:00, 7 Wh, fee 1 fen, valley: split 3 | 4 Wh and 0.5 | 0.5 fen. */
    rows[96] = row_of(at(2024, 3, 2, 23, 0), 7200, 7, 4, 1, 0);
    /* after the report: dropped */
    rows[97] = row_of(at(2024, 3, 4, 10, 0), 900, 1000, 3, 5, 0);
    prepay_report_series_t a;
    assert_int_equal(prepay_report_series_init(&a, 0), PREPAY_OK);
    assert_int_equal(prepay_report_add(rep, &a, rows, 50), PREPAY_OK); /* in two chunks */
    assert_int_equal(prepay_report_add(rep, &a, rows + 50, 48), PREPAY_OK);
    assert_int_equal(a.position, at(2024, 3, 4, 10, 15));
    /* Meter B, same account (key 0): 100 Wh flat at noon, fee 6.5 fen. */
    prepay_report_series_t b;
    assert_int_equal(prepay_report_series_init(&b, 0), PREPAY_OK);
    prepay_report_row_t rb = row_of(at(2024, 3, 1, 12, 0), 1800, 100, 3, 6, 500000000u);
    assert_int_equal(prepay_report_add(rep, &b, &rb, 1), PREPAY_OK);
    /* Meter C (key 1): 02-29 23:30 -> 03-01 00:30, 60 Wh: the 30 Wh before the report are dropped. */
    prepay_report_series_t c;
    assert_int_equal(prepay_report_series_init(&c, 1), PREPAY_OK);
    prepay_report_row_t rc = row_of(at(2024, 2, 29, 23, 30), 3600, 60, 0, 0, 0);
    assert_int_equal(prepay_report_add(rep, &c, &rc, 1), PREPAY_OK);
}

static void test_add_known_answers(void **state)
{
    (void)state;
    prepay_report_t rep;
    build_march(&rep);
    const prepay_report_cell_t *c = prepay_report_cell(&rep, 0, 0);
    /* valley 8 h x 4 x 10 = 320; peak 7 h x 40 = 280; flat 9 h x 40 + 100 (meter B) = 460 */
    assert_int_equal(c->energy[4], 320);
    assert_int_equal(c->energy[2], 280);
    assert_int_equal(c->energy[3], 460);
    assert_int_equal(c->energy[0] + c->energy[1] + c->energy[5], 0);
    /* valley fee 32 x 0.3 = 9.6 fen; flat 36 x 0.3 + 6.5 = 17.3 fen */
    assert_int_equal(c->fee[4].units, 9);
    assert_int_equal(c->fee[4].nanos, 600000000u);
    assert_int_equal(c->fee[3].units, 17);
    assert_int_equal(c->fee[3].nanos, 300000000u);
    assert_int_equal(c->pieces, 97);
    assert_int_equal(c->seconds, 86400 + 1800);
    prepay_energy_t e = 0;
    prepay_amount_t f;
    assert_int_equal(prepay_report_cell_sum(c, PREPAY_REPORT_ALL_BANDS, &e, &f), PREPAY_OK);
    assert_int_equal(e, 1060);
    /* 96 x 0.3 + 6.5 = 35.3 fen */
    assert_int_equal(f.units, 35);
    assert_int_equal(f.nanos, 300000000u);
    assert_int_equal(prepay_report_cell_sum(c, 6, &e, &f), PREPAY_E_INVALID_ARGUMENT);
    /* the midnight split: floor(7 x 3600 / 7200) = 3 on 03-02, 4 on 03-03; fee 0.5 | 0.5 fen */
    c = prepay_report_cell(&rep, 1, 0);
    assert_int_equal(c->energy[4], 3);
    assert_int_equal(c->fee[4].units, 0);
    assert_int_equal(c->fee[4].nanos, 500000000u);
    assert_int_equal(c->seconds, 3600);
    c = prepay_report_cell(&rep, 2, 0);
    assert_int_equal(c->energy[4], 4);
    assert_int_equal(c->fee[4].nanos, 500000000u);
    /* meter C: 60 Wh over 23:30-00:30; floor(60 x 1800 / 3600) = 30 before midnight, 30 after */
    c = prepay_report_cell(&rep, 0, 1);
    assert_int_equal(c->energy[0], 30);
    assert_int_equal(c->seconds, 1800);
    assert_true(prepay_report_cell_has_data(c));
    /* no data on 03-02 and 03-03 for key 1: null, not zero */
    assert_false(prepay_report_cell_has_data(prepay_report_cell(&rep, 1, 1)));
    assert_false(prepay_report_cell_has_data(prepay_report_cell(&rep, 2, 1)));
}

static void test_bad_rows_change_nothing(void **state)
{
    (void)state;
    prepay_report_t rep;
    build_march(&rep);
    size_t cell_bytes = (size_t)rep.bucket_count * rep.key_count * sizeof g_cells[0];
    static prepay_report_cell_t before[MAX_CELLS];
    memcpy(before, g_cells, cell_bytes);
    prepay_report_t rep_before = rep;
    prepay_report_series_t s;
    assert_int_equal(prepay_report_series_init(&s, 1), PREPAY_OK);
    prepay_report_row_t ok1 = row_of(at(2024, 3, 2, 10, 0), 900, 5, 2, 1, 0);
    prepay_report_row_t ok2 = row_of(at(2024, 3, 2, 23, 45), 1800, 9, 4, 3, 999999999u); /* split row */
    struct {
        prepay_report_row_t bad;
        int want;
    } cases[] = {
        {row_of(at(2024, 3, 2, 10, 10), 900, 5, 2, 0, 0), PREPAY_E_REPORT_UNORDERED}, /* overlaps ok1 */
        {row_of(at(2024, 3, 2, 9, 0), 900, 5, 2, 0, 0), PREPAY_E_REPORT_UNORDERED},   /* before ok1 */
        {row_of(at(2024, 3, 3, 9, 0), 0, 0, 2, 0, 0), PREPAY_E_REPORT_BAD_ROW},       /* no length */
        {row_of(at(2024, 3, 3, 9, 0), 900, -1, 2, 0, 0), PREPAY_E_REPORT_BAD_ROW},    /* negative energy */
        {row_of(at(2024, 3, 3, 9, 0), 900, 1, 6, 0, 0), PREPAY_E_REPORT_BAD_ROW},     /* band slot 6 */
        {row_of(at(2024, 3, 3, 9, 0), 900, 1, 2, 0, 1000000000u), PREPAY_E_REPORT_BAD_ROW}, /* nanos */
        {row_of(at(2024, 3, 3, 9, 0), PREPAY_REPORT_MAX_ROW_SECONDS + 1u, 1, 2, 0, 0), PREPAY_E_REPORT_BAD_ROW},
        {row_of(INT64_MAX - 100, 900, 1, 2, 0, 0), PREPAY_E_BAD_DATE},               /* impossible time */
        {row_of(at(9999, 12, 31, 23, 50), 900, 1, 2, 0, 0), PREPAY_E_BAD_DATE},      /* ends after 9999 */
        {row_of(at(2024, 3, 3, 9, 0), 900, INT64_MAX, 2, 0, 0), PREPAY_E_OVERFLOW},  /* energy guard */
        {row_of(at(2024, 3, 3, 9, 0), 900, 1, 2, INT64_MIN, 0), PREPAY_E_OVERFLOW},   /* fee guard */
        {row_of(at(2024, 3, 3, 23, 0), 7200, 1, 2, INT64_MAX / 2, 0), PREPAY_E_OVERFLOW}, /* split fee in nanos */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        prepay_report_row_t chunk[3] = {ok1, ok2, cases[k].bad};
        if (cases[k].want == PREPAY_E_REPORT_UNORDERED) {
            chunk[1] = cases[k].bad; /* right after ok1 */
            chunk[2] = ok2;
        }
        prepay_report_series_t s_before = s;
        assert_int_equal(prepay_report_add(&rep, &s, chunk, 3), cases[k].want);
        assert_memory_equal(&s, &s_before, sizeof s);
        assert_memory_equal(g_cells, before, cell_bytes);
        assert_memory_equal(&rep, &rep_before, sizeof rep);
    }
    /* the good rows alone go in; a later chunk may not start before their end */
    prepay_report_row_t good[2] = {ok1, ok2};
    assert_int_equal(prepay_report_add(&rep, &s, good, 2), PREPAY_OK);
    assert_int_equal(prepay_report_add(&rep, &s, &ok1, 1), PREPAY_E_REPORT_UNORDERED);
    /* ok2 = 9 Wh over 23:45-00:15: floor(9 x 900 / 1800) = 4 on 03-02, 5 on 03-03;
     * fee 3.999999999 fen = 3999999999 nanos: floor(/2) = 1999999999 | 2000000000 */
    const prepay_report_cell_t *c = prepay_report_cell(&rep, 1, 1);
    assert_int_equal(c->energy[4], 4);
    assert_int_equal(c->fee[4].units, 1);
    assert_int_equal(c->fee[4].nanos, 999999999u);
    c = prepay_report_cell(&rep, 2, 1);
    assert_int_equal(c->energy[4], 5);
    assert_int_equal(c->fee[4].units, 2);
    assert_int_equal(c->fee[4].nanos, 0u);
}

static void test_roll_up(void **state)
{
    (void)state;
    prepay_report_t rep;
    build_march(&rep);
    static prepay_report_bucket_t gb[8];
    static prepay_report_cell_t gc[8];
    prepay_report_t site;
    assert_int_equal(prepay_report_init(&site, PREPAY_REPORT_DAY, day_of(2024, 3, 1), day_of(2024, 3, 4), 1, gb, 8,
                                        gc, 8),
                     PREPAY_OK);
    uint32_t bad_groups[2] = {0, 1};
    assert_int_equal(prepay_report_roll_up(&rep, bad_groups, &site), PREPAY_E_REPORT_BAD_KEY);
    uint32_t groups[2] = {0, 0};
    assert_int_equal(prepay_report_roll_up(&rep, groups, &site), PREPAY_OK);
    const prepay_report_cell_t *c = prepay_report_cell(&site, 0, 0);
    prepay_energy_t e = 0;
    prepay_amount_t f;
    assert_int_equal(prepay_report_cell_sum(c, PREPAY_REPORT_ALL_BANDS, &e, &f), PREPAY_OK);
    assert_int_equal(e, 1060 + 30);
    assert_int_equal(c->pieces, 98);
    /* a second roll-up doubles it exactly */
    assert_int_equal(prepay_report_roll_up(&rep, groups, &site), PREPAY_OK);
    assert_int_equal(prepay_report_cell(&site, 2, 0)->energy[4], 8);
    assert_int_equal(prepay_report_cell(&site, 1, 0)->fee[4].units, 1); /* 0.5 + 0.5 fen */
    assert_int_equal(prepay_report_cell(&site, 1, 0)->fee[4].nanos, 0u);
    prepay_report_t other;
    assert_int_equal(prepay_report_init(&other, PREPAY_REPORT_DAY, day_of(2024, 3, 1), day_of(2024, 3, 5), 1, gb, 8,
                                        gc, 8),
                     PREPAY_OK);
    assert_int_equal(prepay_report_roll_up(&rep, groups, &other), PREPAY_E_REPORT_MISMATCH);
    assert_int_equal(prepay_report_roll_up(&rep, groups, &rep), PREPAY_E_INVALID_ARGUMENT);
}

/* Reference: the energy of row [s, s+len) inside [a, b), spread uniformly, in 128 bits. */
static int64_t ref_part(int64_t x, int64_t s, int64_t len, int64_t a, int64_t b)
{
    int64_t lo = a > s ? a : s;
    int64_t hi = b < s + len ? b : s + len;
    if (hi <= lo) {
        return 0;
    }
    i128 p_hi = (i128)x * (hi - s);
    i128 p_lo = (i128)x * (lo - s);
    /* floor division for non-negative x */
    return (int64_t)(p_hi / len - p_lo / len);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t next_rand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_property_against_reference(void **state)
{
    (void)state;
    for (int round = 0; round < 40; round++) {
        prepay_days_t first = day_of(2023, 12, 20) + (prepay_days_t)(next_rand() % 30);
        prepay_days_t end = first + 1 + (prepay_days_t)(next_rand() % 60);
        prepay_report_t rep;
        assert_int_equal(prepay_report_init(&rep, PREPAY_REPORT_DAY, first, end, 1, g_buckets, MAX_BUCKETS, g_cells,
                                            MAX_CELLS),
                         PREPAY_OK);
        static prepay_report_row_t rows[600];
        size_t n = 1 + next_rand() % 600;
        prepay_time_t t = (prepay_time_t)(first - 3) * 86400 + (prepay_time_t)(next_rand() % 86400);
        for (size_t i = 0; i < n; i++) {
            uint32_t len = 1u + (uint32_t)(next_rand() % (i % 7 == 0 ? 3u * 86400u : 7200u));
            rows[i] = row_of(t, len, (int64_t)(next_rand() % 5000000), (uint8_t)(next_rand() % 6), 0, 0);
            t += len + (prepay_time_t)(next_rand() % 4 == 0 ? next_rand() % 5000 : 0);
        }
        prepay_report_series_t s;
        assert_int_equal(prepay_report_series_init(&s, 0), PREPAY_OK);
        assert_int_equal(prepay_report_add(&rep, &s, rows, n), PREPAY_OK);
        for (uint32_t b = 0; b < rep.bucket_count; b++) {
            int64_t want[PREPAY_REPORT_BANDS] = {0};
            int64_t a0 = (int64_t)(first + (prepay_days_t)b) * 86400;
            for (size_t i = 0; i < n; i++) {
                want[rows[i].band] += ref_part(rows[i].energy, rows[i].start, rows[i].seconds, a0, a0 + 86400);
            }
            const prepay_report_cell_t *c = prepay_report_cell(&rep, b, 0);
            for (unsigned k = 0; k < PREPAY_REPORT_BANDS; k++) {
                assert_int_equal(c->energy[k], want[k]);
            }
        }
    }
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_weeks),
        cmocka_unit_test(test_bucket_counts),
        cmocka_unit_test(test_bad_periods),
        cmocka_unit_test(test_add_known_answers),
        cmocka_unit_test(test_bad_rows_change_nothing),
        cmocka_unit_test(test_roll_up),
        cmocka_unit_test(test_property_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
