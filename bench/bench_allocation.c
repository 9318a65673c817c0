/* SPDX-License-Identifier: MIT */
/*
 * Allocation and billing throughput: largest-remainder splits of a common
 * charge over buildings of 10 to 20000 parts (areas with 2 decimals, the
 * worst case for leftover units), full allocations (energy + money columns),
 * and a monthly charge-item run over many accounts. Prints time per call.
 *
 *   meson setup build/alloc-rel --buildtype=release -Dtests=false && ninja -C build/alloc-rel
 *   build/alloc-rel/bench/bench_allocation
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "prepay/allocation.h"
#include "prepay/billing.h"
#include "prepay/civil_time.h"
#include "prepay/status.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 12345;
static uint64_t next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

int main(void)
{
    static const size_t sizes[] = {10, 100, 1000, 5000, 20000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        int64_t *weights = malloc(n * sizeof *weights);
        int64_t *shares = malloc(n * sizeof *shares);
        prepay_allocation_part_t *parts = malloc(n * sizeof *parts);
        prepay_allocation_line_t *lines = malloc(2 * n * sizeof *lines);
        if (!weights || !shares || !parts || !lines) {
            return 1;
        }
        for (size_t i = 0; i < n; i++) {
            weights[i] = 4000 + (int64_t)(next() % 16000); /* 40.00 .. 200.00 m² */
            parts[i].account_id = i + 1;
            parts[i].weight = weights[i];
            parts[i].occupied_days = (int32_t)(next() % 31) + 1;
            parts[i].vacant = next() % 10 == 0;
        }
        int rounds = n <= 1000 ? 200 : 10;
        double t0 = now();
        int64_t total = 123456789;
        for (int r = 0; r < rounds; r++) {
            if (prepay_allocation_split(total + r, weights, n, shares) != PREPAY_OK) {
                return 1;
            }
        }
        double split = (now() - t0) / rounds;
        prepay_allocation_request_t request = {12345678, 2355500, 31, PREPAY_ALLOCATION_VACANT_OWNER, 999999, true};
        size_t count = 0;
        t0 = now();
        for (int r = 0; r < rounds; r++) {
            request.money += 1;
            if (prepay_allocation_allocate(&request, parts, n, lines, 2 * n, &count) != PREPAY_OK) {
                return 1;
            }
        }
        double allocate = (now() - t0) / rounds;
        printf("parts %6zu: split %10.1f us, allocate (2 columns, owner lines) %10.1f us\n", n, split * 1e6,
               allocate * 1e6);
        free(weights);
        free(shares);
        free(parts);
        free(lines);
    }

    /* A monthly run: 3 items over 5000 accounts. */
    size_t n = 5000;
    prepay_billing_account_t *accounts = malloc(n * sizeof *accounts);
    prepay_charge_t *charges = malloc(3 * n * sizeof *charges);
    if (!accounts || !charges) {
        return 1;
    }
    prepay_days_t jan = 0, oct = 0, nov = 0, far = 0;
    if (prepay_time_days_from_date(2026, 1, 1, &jan) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    if (prepay_time_days_from_date(2026, 10, 1, &oct) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    if (prepay_time_days_from_date(2026, 11, 1, &nov) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    if (prepay_time_days_from_date(2100, 1, 1, &far) != PREPAY_OK) {
        abort(); /* a bench whose own step fails would time nothing */
    }
    for (size_t i = 0; i < n; i++) {
        accounts[i].account_id = i + 1;
        accounts[i].area = 4000 + (int64_t)(next() % 16000);
        accounts[i].units = 1;
        accounts[i].active_from = jan + (prepay_days_t)(next() % 300);
        accounts[i].active_to = far;
    }
    prepay_charge_item_t items[3] = {
        {1, "property fee", 0, PREPAY_BILLING_PER_AREA, 250, PREPAY_BILLING_MONTHLY, jan, jan, far,
         PREPAY_BILLING_PRORATE_BY_DAY, PREPAY_BILLING_COLLECT_BILL},
        {2, "service", 0, PREPAY_BILLING_FIXED, 1000, PREPAY_BILLING_QUARTERLY, jan, jan, far,
         PREPAY_BILLING_PRORATE_BY_DAY, PREPAY_BILLING_COLLECT_DEDUCT},
        {3, "parking", 0, PREPAY_BILLING_PER_UNIT, 12000, PREPAY_BILLING_YEARLY, jan, jan, far,
         PREPAY_BILLING_PRORATE_NONE, PREPAY_BILLING_COLLECT_DEDUCT},
    };
    size_t count = 0;
    double t0 = now();
    if (prepay_billing_run(oct, nov, items, 3, accounts, n, NULL, NULL, charges, 3 * n, &count) != PREPAY_OK) {
        return 1;
    }
    printf("charge run: 3 items x %zu accounts for one month: %zu charges in %.1f ms\n", n, count,
           (now() - t0) * 1e3);
    free(accounts);
    free(charges);
    return 0;
}
