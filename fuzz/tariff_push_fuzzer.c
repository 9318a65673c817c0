/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the station's tariff push and verify (prepay/tariff_push.h)
 * fed with untrusted replies. Input: byte 0 picks push or verify (bit 0) and
 * the verify set (bits 1-2); then records of [kind, length, value...], one
 * per request: kind % 4 is the reply's status (OK, refused, timeout,
 * malformed), the value its read data. Checks: every return is a request,
 * done or a negative status, and a stopped task stays stopped; a verify
 * never writes; set 1's tables are written only while copying set 2 into
 * it (promotion), the switch-over times only in their two phases; the
 * number of requests stays within the sequence's bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/tariff_push.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static prepay_tariff_push_t task; /* static: about 5 kB */

static int is_set1_item(uint32_t di)
{
    return (di & 0xFFFF0000u) == 0x04010000u || (di & 0xFFFFFF00u) == 0x04050100u ||
           (di & 0xFFFFFF00u) == 0x04060000u || (di & 0xFFFFFF00u) == 0x04060100u;
}

static int is_switch(uint32_t di)
{
    return di >= 0x04000106u && di <= 0x04000109u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    /* The plan: one zone from 01-01 on day table 1, slots 00:00 tariff 1 and 08:00 tariff 2, two prices. */
    prepay_dlt645_tariff_tables_t plan;
    (void)prepay_dlt645_tariff_tables_init(&plan);
    plan.zone_count = 1;
    plan.day_table_count = 1;
    plan.tariff_count = 2;
    plan.zones[0] = (prepay_dlt645_entry_t){1, 1, 1};
    plan.slot_count[0] = 2;
    plan.slots[0][0] = (prepay_dlt645_entry_t){0, 0, 1};
    plan.slots[0][1] = (prepay_dlt645_entry_t){8, 0, 2};
    plan.prices[0] = 50000000;
    plan.prices[1] = 30000000;
    prepay_tariff_push_options_t o;
    memset(&o, 0, sizeof o);
    o.verify_set = (uint8_t)((data[0] >> 1) % 3u);
    prepay_tariff_push_mode_t mode = (data[0] & 1u) ? PREPAY_TARIFF_PUSH_MODE_VERIFY : PREPAY_TARIFF_PUSH_MODE_PUSH;
    if (prepay_tariff_push_init(&task, mode, &plan, &o) != PREPAY_OK) {
        abort();
    }
    static const int statuses[4] = {PREPAY_OK, PREPAY_E_DLT645_ABNORMAL, PREPAY_E_STATION_TIMEOUT,
                                    PREPAY_E_STATION_MALFORMED_REPLY};
    const size_t bound = 5u + 4u * PREPAY_TARIFF_PUSH_MAX_READS + 2u * PREPAY_DLT645_TARIFF_MAX_WRITES + 8u + 2u;
    prepay_dlt645_frame_t request;
    int r = prepay_tariff_push_step(&task, NULL, NULL, 0, &request);
    size_t at = 1, requests = 0;
    while (r == PREPAY_TARIFF_PUSH_EXCHANGE) {
        const prepay_tariff_push_result_t *res = prepay_tariff_push_result(&task);
        if (++requests > bound) {
            abort();
        }
        if (request.control == 0x14) {
            if (mode == PREPAY_TARIFF_PUSH_MODE_VERIFY) {
                abort();
            }
            if (is_set1_item(request.di) && res->phase != PREPAY_TARIFF_PUSH_PROMOTE_WRITE) {
                abort();
            }
            if (is_switch(request.di) && res->phase != PREPAY_TARIFF_PUSH_WRITE_SWITCH &&
                res->phase != PREPAY_TARIFF_PUSH_PROMOTE_SWITCH) {
                abort();
            }
        }
        if (at + 2u > size) {
            return 0;
        }
        prepay_station_result_t reply;
        memset(&reply, 0, sizeof reply);
        reply.status = statuses[data[at] % 4u];
        size_t len = data[at + 1];
        at += 2;
        if (len > size - at) {
            len = size - at;
        }
        reply.data_len = len;
        r = prepay_tariff_push_step(&task, &reply, len ? data + at : NULL, len, &request);
        at += len;
    }
    if (r > 0) {
        abort();
    }
    if (r < 0) {
        prepay_station_result_t reply;
        memset(&reply, 0, sizeof reply);
        if (prepay_tariff_push_step(&task, &reply, NULL, 0, &request) != r ||
            prepay_tariff_push_result(&task)->status != r) {
            abort();
        }
    }
    return 0;
}
