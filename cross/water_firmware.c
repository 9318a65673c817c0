/* SPDX-License-Identifier: MIT */
/*
 * A minimal water meter firmware, linked by scripts/firmware-profile.sh
 * against the firmware build of libprepay with --gc-sections, to measure
 * the flash a valve-controlled prepaid water meter needs: what this program
 * reaches (the CJ/T 188 codec's meter side, purse, ladder, valve rules,
 * events), with WATER_FIRMWARE_CHECK also the check of the state restored
 * from flash at boot (prepay_water_meter_check_state()), with
 * WATER_FIRMWARE_MODBUS also the Modbus handler and codec; minus the same
 * program with WATER_FIRMWARE_BASELINE (the loop alone, with the C
 * library's start-up). Not part of the library; never run.
 */
#include <stdint.h>
#include <string.h>

#include "prepay/water_meter.h"

volatile uint8_t uart_rx[64];
volatile uint32_t uart_rx_len;
volatile int64_t rtc_seconds;
volatile uint32_t pulses;
volatile uint32_t sensors;
volatile int sink;

#ifndef WATER_FIRMWARE_BASELINE
static prepay_water_meter_t meter;
#endif

int main(void)
{
#ifndef WATER_FIRMWARE_BASELINE
    prepay_cjt188_address_t address;
    for (size_t i = 0; i < sizeof address.bytes; i++) {
        address.bytes[i] = uart_rx[i];
    }
    sink = prepay_water_meter_init(&meter, PREPAY_WATER_MODE_MONEY, PREPAY_CJT188_TYPE_COLD_WATER, &address, 1,
                                   rtc_seconds);
#if defined(WATER_FIRMWARE_CHECK) || defined(WATER_FIRMWARE_MODBUS)
    if (prepay_water_meter_check_state(&meter, NULL) != PREPAY_OK) {
        sink = 1;
    }
#endif
#endif
    for (;;) {
        uint8_t rx[64];
        uint8_t tx[PREPAY_WATER_MODBUS_REPLY_MAX];
        size_t len = uart_rx_len < sizeof rx ? uart_rx_len : sizeof rx;
        for (size_t i = 0; i < len; i++) {
            rx[i] = uart_rx[i];
        }
#ifdef WATER_FIRMWARE_BASELINE
        sink = rx[0] + (int)len + (int)rtc_seconds + (int)pulses + (int)sensors;
        (void)tx;
#else
        const prepay_time_t now = rtc_seconds;
        (void)prepay_water_meter_pulses(&meter, now, pulses);
        (void)prepay_water_meter_report(&meter, now, (prepay_water_condition_t)(sensors & 7), (sensors & 8) != 0);
        if (sensors & 16) {
            (void)prepay_water_meter_valve(&meter, now, PREPAY_WATER_ACTOR_TENANT, true); /* card or button */
        }
        int n = prepay_water_meter_handle_cjt188(&meter, now, rx, len, tx, sizeof tx);
#ifdef WATER_FIRMWARE_MODBUS
        if (n == 0) {
            n = prepay_water_meter_handle_modbus(&meter, now, rx, len, tx, sizeof tx);
        }
#endif
        sink = n > 0 ? tx[0] : n;
#endif
    }
}
