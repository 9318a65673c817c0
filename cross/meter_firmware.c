/* SPDX-License-Identifier: MIT */
/*
 * A minimal electricity meter firmware, linked by scripts/firmware-profile.sh
 * against the firmware build of libprepay with --gc-sections, to measure the
 * flash a prepaid DL/T 645 meter needs: the reference meter stepped once a
 * second and answering the bus (METER_FIRMWARE_PLAIN), the same with its
 * supervision attached (METER_FIRMWARE_SUPERVISED: event judgement, load
 * control, voltage qualification, meter_supervision.h), minus the loop alone
 * (METER_FIRMWARE_BASELINE, with the C library's start-up). The tariff is a
 * const set in a flash parameter page that the meter's programming tool
 * writes (TARIFF_PAGE: outside the image, neither RAM nor image flash), bound
 * read-only: the firmware configuration leaves tariff-programming writes out
 * (PREPAY_METER_TARIFF_WRITES 0). The tool validated and sealed the page
 * (prepay_tariff_page_seal()); the meter checks the seal when it binds it
 * (prepay_meter_bind_page()) and, with PREPAY_METER_TARIFF_SEALED 1, links no
 * tariff validator. Not part of the library; never run.
 */
#include <stdint.h>
#include <string.h>

#include "prepay/meter.h"
#include "prepay/meter_supervision.h"

volatile uint8_t uart_rx[64];
volatile uint32_t uart_rx_len;
volatile int64_t rtc_seconds;
volatile int32_t adc_watts;
volatile uint16_t adc_volts;
volatile uint32_t sensors;
volatile int sink;

#ifndef METER_FIRMWARE_BASELINE
/* The last 2 KB page of a 512 KB Cortex-M4 flash, reserved by the linker script of a real meter. */
#define TARIFF_PAGE ((const prepay_tariff_page_t *)0x0807F800u)
_Static_assert(sizeof(prepay_tariff_page_t) <= 2048, "the sealed tariff fits its flash page");
static prepay_meter_t meter;
#ifdef METER_FIRMWARE_SUPERVISED
static prepay_meter_supervision_t supervision;
#endif
#endif

int main(void)
{
#ifndef METER_FIRMWARE_BASELINE
    prepay_dlt645_address_t address;
    for (size_t i = 0; i < sizeof address.bytes; i++) {
        address.bytes[i] = uart_rx[i];
    }
    sink = prepay_meter_init(&meter, &address, rtc_seconds);
    sink = prepay_meter_bind_page(&meter, TARIFF_PAGE, NULL, NULL, NULL);
#ifdef METER_FIRMWARE_SUPERVISED
    sink = prepay_meter_supervision_init(&supervision, PREPAY_EVENTS_WIRING_SINGLE, 2200, 50000, 600000);
    sink = prepay_meter_attach_supervision(&meter, &supervision);
#endif
#endif
    for (;;) {
        uint8_t rx[64];
        uint8_t tx[PREPAY_DLT645_FRAME_MAX];
        size_t len = uart_rx_len < sizeof rx ? uart_rx_len : sizeof rx;
        for (size_t i = 0; i < len; i++) {
            rx[i] = uart_rx[i];
        }
#ifdef METER_FIRMWARE_BASELINE
        sink = rx[0] + (int)len + (int)rtc_seconds + (int)adc_watts + (int)adc_volts + (int)sensors;
        (void)tx;
#else
        prepay_meter_instant_t in;
        memset(&in, 0, sizeof in);
        in.voltage[0] = adc_volts;
        in.power[0] = in.power[1] = adc_watts * 10;
        in.power_factor[0] = 1000;
        (void)prepay_meter_set_instant(&meter, &in);
#ifdef METER_FIRMWARE_SUPERVISED
        (void)prepay_meter_set_sensors(&meter, (uint8_t)(sensors & PREPAY_EVENTS_FLAGS_ALL));
#endif
        prepay_meter_load_t load;
        memset(&load, 0, sizeof load);
        load.kind = PREPAY_METER_LOAD_CONSTANT;
        load.watts = adc_watts;
        (void)prepay_meter_advance(&meter, 1, &load);
        int n = prepay_meter_handle(&meter, meter.clock, rx, len, tx, sizeof tx);
        sink = n > 0 ? tx[0] : n;
#endif
    }
}
