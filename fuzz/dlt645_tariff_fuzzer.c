/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a meter's tariff tables read back by a station
 * (prepay/dlt645_tariff.h) — the verify-tariff / push-tariff read-back path.
 * The values come from a meter's replies (untrusted). Input: records of
 * [selector, length, value...]; the selector picks a table DI (zones, day
 * table n, price n, ladder value or price n, of set 1 or 2) or, with the top
 * bit set, takes the next 4 bytes as a raw DI. Each record is absorbed.
 * Checks: a refused reply leaves the tables unchanged; error codes are the
 * documented ones; tables that pass the check rebuild into a tariff that
 * compiles back to tables without a difference from them; compiled tables
 * programmed item by item (write_item) and absorbed again are the same
 * tables; diff of any tables with themselves is empty.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/dlt645_tariff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static prepay_tariff_t rebuilt; /* static: large */

static uint32_t table_di(uint8_t selector)
{
    unsigned set = (selector & 0x40u) ? 2u : 1u;
    unsigned n = (selector & 0x3Fu);
    switch (n % 6u) {
    case 0: return 0x04000000u | (set << 16); /* zones */
    case 1: return 0x04000000u | (set << 16) | (1u + (n / 6u) % 9u); /* day table 1..9 (9: not one) */
    case 2: return 0x04050000u | (set << 8) | (1u + n / 6u);        /* price */
    case 3: return (set == 1u ? 0x04060000u : 0x04060200u) | (1u + (n / 6u) % 8u); /* ladder value */
    case 4: return (set == 1u ? 0x04060100u : 0x04060300u) | (1u + (n / 6u) % 8u); /* ladder price */
    default: return 0x04000200u | (n / 6u);                        /* counts: not table items */
    }
}

static bool documented(int status)
{
    return status == PREPAY_E_NOT_FOUND || status == PREPAY_E_DLT645_VALUE_LENGTH || status == PREPAY_E_BAD_BCD ||
           status == PREPAY_E_DLT645_TARIFF_TABLES;
}

static void round_trip(const prepay_dlt645_tariff_tables_t *tables)
{
    int writes = prepay_dlt645_tariff_write_count(tables);
    if (writes <= 0) {
        abort();
    }
    for (unsigned set = 1; set <= 2; set++) {
        prepay_dlt645_tariff_tables_t back;
        (void)prepay_dlt645_tariff_tables_init(&back);
        for (int i = 0; i < writes; i++) {
            prepay_dlt645_tariff_write_t w;
            if (prepay_dlt645_tariff_write_item(tables, set, (size_t)i, &w) != PREPAY_OK) {
                abort();
            }
            int status = prepay_dlt645_tariff_absorb(&back, w.di, w.value, w.length);
            /* The count writes are not table items; everything else goes back in. */
            if (status != PREPAY_OK && !(status == PREPAY_E_NOT_FOUND && (w.di & 0xFFFFFF00u) == 0x04000200u)) {
                abort();
            }
        }
        if (prepay_dlt645_tariff_check(&back) != PREPAY_OK || prepay_dlt645_tariff_diff(tables, &back, NULL, 0) != 0) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prepay_dlt645_tariff_tables_t tables;
    if (prepay_dlt645_tariff_tables_init(&tables) != PREPAY_OK) {
        abort();
    }
    size_t at = 0;
    while (at + 2u <= size) {
        uint8_t selector = data[at];
        uint32_t di;
        at++;
        if (selector & 0x80u) {
            if (at + 4u > size) {
                break;
            }
            di = (uint32_t)data[at] << 24 | (uint32_t)data[at + 1] << 16 | (uint32_t)data[at + 2] << 8 | data[at + 3];
            at += 4;
            if (at >= size) {
                break;
            }
        } else {
            di = table_di(selector);
        }
        size_t len = data[at++];
        if (len > size - at) {
            len = size - at;
        }
        prepay_dlt645_tariff_tables_t before = tables;
        int status = prepay_dlt645_tariff_absorb(&tables, di, data + at, len);
        if (status != PREPAY_OK) {
            if (!documented(status) || memcmp(&before, &tables, sizeof tables) != 0) {
                abort();
            }
        }
        at += len;
    }
    int checked = prepay_dlt645_tariff_check(&tables);
    if (checked != PREPAY_OK) {
        if (checked != PREPAY_E_DLT645_TARIFF_TABLES || prepay_dlt645_tariff_diff(&tables, &tables, NULL, 0) != checked ||
            prepay_dlt645_tariff_rebuild(&tables, NULL, &rebuilt) != checked) {
            abort();
        }
        return 0;
    }
    if (prepay_dlt645_tariff_diff(&tables, &tables, NULL, 0) != 0) {
        abort();
    }
    int status = prepay_dlt645_tariff_rebuild(&tables, NULL, &rebuilt);
    if (status != PREPAY_OK) {
        abort(); /* tables that pass the check are a tariff */
    }
    prepay_dlt645_tariff_tables_t again;
    prepay_dlt645_tariff_problem_t problem;
    status = prepay_dlt645_tariff_compile(&rebuilt, &again, &problem);
    if (status != PREPAY_OK) {
        abort(); /* what was rebuilt from a meter's tables fits a meter */
    }
    if (prepay_dlt645_tariff_diff(&tables, &again, NULL, 0) != 0) {
        abort();
    }
    round_trip(&again);
    return 0;
}
