/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: event-threshold and voltage-limit parameter writes over
 * DL/T 645 (prepay_events_params_write(), prepay_vq_params_write()), which
 * take untrusted bytes from a station. Input: DI3..DI0, then the data.
 * Checks: a refused write changes nothing; an accepted write leaves a set
 * that passes the check and reads back as the bytes written.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/meter_events.h"
#include "prepay/voltage_qualification.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) {
        return 0;
    }
    uint32_t di = ((uint32_t)data[0] << 24) | ((uint32_t)data[1] << 16) | ((uint32_t)data[2] << 8) | data[3];
    /* Let the fuzzer reach the 0409 items easily: DI3 byte 0xFF means "0409 DI1 DI0". */
    if (data[0] == 0xFF) {
        di = 0x04090000u | ((uint32_t)data[2] << 8) | data[3];
    }
    const uint8_t *value = data + 4;
    size_t len = size - 4;
    prepay_events_params_t p, before;
    if (prepay_events_params_default(&p, PREPAY_EVENTS_PHASES == 3 ? PREPAY_EVENTS_WIRING_3P4W
                                                                   : PREPAY_EVENTS_WIRING_SINGLE,
                                     2200, 50000, 600000) != PREPAY_OK) {
        abort();
    }
    before = p;
    int status = prepay_events_params_write(&p, di, value, len);
    if (status != PREPAY_OK) {
        if (memcmp(&p, &before, sizeof p) != 0) {
            abort();
        }
    } else {
        uint8_t back[8];
        if (prepay_events_params_check(&p) != PREPAY_OK ||
            prepay_events_params_read(&p, di, back, sizeof back) != (int)len || memcmp(back, value, len) != 0) {
            abort();
        }
    }
    prepay_vq_params_t q, qbefore;
    if (prepay_vq_params_default(&q, PREPAY_EVENTS_WIRING_SINGLE, 2200) != PREPAY_OK) {
        abort();
    }
    qbefore = q;
    status = prepay_vq_params_write(&q, di, value, len);
    if (status != PREPAY_OK) {
        if (memcmp(&q, &qbefore, sizeof q) != 0) {
            abort();
        }
    } else {
        uint8_t back[2];
        if (prepay_vq_params_check(&q) != PREPAY_OK || prepay_vq_params_read(&q, di, back, sizeof back) != 2 ||
            memcmp(back, value, 2) != 0) {
            abort();
        }
    }
    return 0;
}
