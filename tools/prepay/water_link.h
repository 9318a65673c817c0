/* SPDX-License-Identifier: MIT */
/*
 * One water meter exchange at a time over a serial port or a TCP connection (hosted): the
 * send/receive step of `prepay meter water-read|water-valve` (cmd_meter_water.c) and of the
 * `prepay meter` subcommands with --protocol cjt188|modbus (meter_water_ops.c). Requests and
 * replies go through the library's CJ/T 188 and Modbus RTU stream parsers. A failure leaves one
 * line in link->error; the caller reports it.
 */
#ifndef PREPAY_TOOL_WATER_LINK_H
#define PREPAY_TOOL_WATER_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/cjt188.h"
#include "prepay/modbus.h"
#include "prepay/transport.h"

typedef struct water_link {
    prepay_transport_t t;
    bool open;
    uint32_t timeout_ms;  /* per attempt */
    unsigned retries;     /* more attempts after a timeout */
    uint8_t ser;          /* CJ/T 188 SER of the next request */
    uint8_t exception;    /* the Modbus exception of the last exchange (PREPAY_E_MODBUS_EXCEPTION) */
    unsigned exchanges;   /* requests sent */
    char error[320];
} water_link_t;

/* Opens --tcp HOST:PORT or --serial DEV[:BAUD[:8E1]] (exactly one non-NULL; the default line is 2400 8E1
 * for CJ/T 188 and 9600 8N1 for Modbus). 0; 2 for a bad HOST:PORT or serial text; or a negative status
 * (the link failed). The message is in link->error. */
int water_link_open(water_link_t *link, const char *tcp, const char *serial, bool modbus, uint32_t timeout_ms);
/* Takes a transport already opened in link->t (a serial port, a TCP connection or a DTU's connection, see
 * meter_transport_open()) as the link, with its reply timeout per attempt and retries after a timeout. */
void water_link_adopt(water_link_t *link, uint32_t timeout_ms, unsigned retries);
void water_link_close(water_link_t *link);

/* One CJ/T 188 request: PREPAY_OK with its reply (normal or abnormal: check it with the codec's reply
 * parsers), or a negative status (PREPAY_E_STATION_TIMEOUT, a transport error, an encoder error). */
int water_link_cjt188(water_link_t *link, const prepay_cjt188_frame_t *request, prepay_cjt188_frame_t *reply);
/* One Modbus request to unit `unit`: PREPAY_OK with its normal response, PREPAY_E_MODBUS_EXCEPTION
 * (link->exception), or another negative status. */
int water_link_modbus(water_link_t *link, int unit, const prepay_modbus_adu_t *request,
                      prepay_modbus_adu_t *response);

#endif
