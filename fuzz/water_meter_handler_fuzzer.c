/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the reference water meter's protocol handlers
 * (prepay_water_meter_handle_cjt188, prepay_water_meter_handle_modbus).
 *
 * Input: byte 0 picks the purse mode (money with the published A010 ladder
 * and a top-up, volume with a remaining volume, or remote); then a sequence
 * of operations, each an opcode byte (value mod 4) and its arguments:
 *   0 len bytes...   a CJ/T 188 request (bytes as received)
 *   1 len bytes...   a Modbus RTU request ADU
 *   2 a b            water: advance the clock by a mod 120 s with b x 37 litres
 *   3 a b            report condition a mod 5 active (b & 1)
 * Frames are handled at the meter clock (no time passes in the handler).
 *
 * Invariants checked after every operation:
 * - no crash, no read or write outside the buffers (sanitizers); no error
 *   status with a full-size reply buffer; the meter passes
 *   prepay_water_meter_check_state();
 * - a CJ/T 188 reply decodes, is a reply to the request's function and comes
 *   from the meter (its address before an A018 write); a Modbus reply
 *   decodes as a response that prepay_modbus_match() pairs with the request
 *   (normal or exception);
 * - reads (CJ/T 188 functions 01, 03, 09; Modbus 03) change nothing at all;
 * - a frame with no reply, an abnormal reply or an exception changes nothing
 *   but the event log (the refusal records: open refused, purchase refused).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/cjt188.h"
#include "prepay/modbus.h"
#include "prepay/water_meter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static prepay_water_meter_t meter;
static prepay_water_meter_t before;

static void setup(uint8_t mode_byte)
{
    prepay_cjt188_address_t a;
    prepay_water_mode_t mode = (prepay_water_mode_t)(mode_byte % 3);
    if (prepay_cjt188_address_from_string("00202307160177", 14, &a) != PREPAY_OK ||
        prepay_water_meter_init(&meter, mode, PREPAY_CJT188_TYPE_COLD_WATER, &a, 1, 24 * 366 * 86400LL) != PREPAY_OK) {
        abort();
    }
    if (mode == PREPAY_WATER_MODE_MONEY) {
        prepay_cjt188_price_table_t t;
        memset(&t, 0, sizeof t);
        t.price[0] = 300000000;
        t.price[1] = 400000000;
        t.price[2] = 500000000;
        t.step_litres[0] = 50000;
        t.step_litres[1] = 200000;
        if (prepay_water_meter_set_prices(&meter, &t) != PREPAY_OK ||
            prepay_water_meter_purchase(&meter, meter.clock, 1, 20000) != PREPAY_OK) {
            abort();
        }
    } else if (mode == PREPAY_WATER_MODE_VOLUME) {
        if (prepay_water_meter_set_balance(&meter, meter.clock, 8000) != PREPAY_OK) {
            abort();
        }
    }
}

static void check_state(void)
{
    if (prepay_water_meter_check_state(&meter, NULL) != PREPAY_OK) {
        abort();
    }
}

/* No change but the event log. */
static void unchanged_but_events(void)
{
    memcpy(before.event_counts, meter.event_counts, sizeof meter.event_counts);
    memcpy(before.records, meter.records, sizeof meter.records);
    before.record_next = meter.record_next;
    if (memcmp(&before, &meter, sizeof meter) != 0) {
        abort();
    }
}

static void cjt188_frame(const uint8_t *frame, size_t len)
{
    static uint8_t reply[PREPAY_CJT188_FRAME_MAX];
    memcpy(&before, &meter, sizeof meter);
    int r = prepay_water_meter_handle_cjt188(&meter, meter.clock, frame, len, reply, sizeof reply);
    if (r < 0 || (size_t)r > sizeof reply) {
        abort();
    }
    prepay_cjt188_frame_t req;
    bool decoded = prepay_cjt188_decode(frame, len, PREPAY_CJT188_DI_AUTO, &req) > 0;
    bool abnormal = false;
    if (r > 0) {
        prepay_cjt188_frame_t rep;
        if (!decoded || prepay_cjt188_decode(reply, (size_t)r, PREPAY_CJT188_DI_AUTO, &rep) != r || !rep.is_reply ||
            rep.function != req.function || rep.meter_type != before.meter_type ||
            memcmp(rep.address.bytes, before.address.bytes, PREPAY_CJT188_ADDRESS_SIZE) != 0) {
            abort();
        }
        abnormal = rep.abnormal;
    }
    bool is_read = decoded && (req.function == PREPAY_CJT188_FN_READ || req.function == PREPAY_CJT188_FN_READ_ADDRESS ||
                               req.function == PREPAY_CJT188_FN_READ_KEY_VERSION);
    if (is_read && memcmp(&before, &meter, sizeof meter) != 0) {
        abort();
    }
    if (r == 0 || abnormal) {
        unchanged_but_events();
    }
}

static void modbus_frame(const uint8_t *frame, size_t len)
{
    static uint8_t reply[PREPAY_MODBUS_ADU_MAX];
    memcpy(&before, &meter, sizeof meter);
    int r = prepay_water_meter_handle_modbus(&meter, meter.clock, frame, len, reply, sizeof reply);
    if (r < 0 || (size_t)r > sizeof reply) {
        abort();
    }
    prepay_modbus_adu_t req;
    bool decoded = prepay_modbus_decode(frame, len, PREPAY_MODBUS_REQUEST, &req) == PREPAY_OK;
    bool exception = false;
    if (r > 0) {
        prepay_modbus_adu_t rsp;
        if (!decoded || prepay_modbus_decode(reply, (size_t)r, PREPAY_MODBUS_RESPONSE, &rsp) != PREPAY_OK ||
            req.unit != before.modbus_unit) {
            abort();
        }
        int m = prepay_modbus_match(&req, &rsp);
        exception = rsp.is_exception;
        if (m != PREPAY_OK && !(exception && m == PREPAY_E_MODBUS_EXCEPTION) &&
            !(exception && m == PREPAY_E_MODBUS_BAD_FUNCTION)) {
            abort(); /* BAD_FUNCTION: the matcher cannot parse a request of an unknown function */
        }
    }
    if (decoded && req.function == PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS && memcmp(&before, &meter, sizeof meter) != 0) {
        abort();
    }
    if (r == 0 || exception) {
        unchanged_but_events();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    setup(data[0]);
    size_t at = 1;
    while (at < size) {
        uint8_t op = data[at++] % 4;
        if (op < 2) {
            if (at >= size) {
                break;
            }
            size_t len = data[at++];
            if (len > size - at) {
                len = size - at;
            }
            if (op == 0) {
                cjt188_frame(data + at, len);
            } else {
                modbus_frame(data + at, len);
            }
            at += len;
        } else {
            if (size - at < 2) {
                break;
            }
            uint8_t a = data[at], b = data[at + 1];
            at += 2;
            if (op == 2) {
                if (prepay_water_meter_advance(&meter, meter.clock + a % 120, (prepay_energy_t)b * 37) != PREPAY_OK) {
                    abort();
                }
            } else if (prepay_water_meter_report(&meter, meter.clock, (prepay_water_condition_t)(a % 5), (b & 1) != 0) !=
                       PREPAY_OK) {
                abort();
            }
        }
        check_state();
    }
    return 0;
}
