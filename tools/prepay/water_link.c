/* SPDX-License-Identifier: MIT */
/*
 * The water meter send/receive step (water_link.h): drop stale bytes, send one encoded request, feed
 * what comes back to the protocol's stream parser until the reply that answers the request arrives
 * or the timeout passes; a timeout is tried again `retries` times.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/hosted_status.h"
#include "water_link.h"

static int fail(water_link_t *link, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(water_link_t *link, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(link->error, sizeof link->error, fmt, ap);
    va_end(ap);
    return status;
}

static int transport_fail(water_link_t *link, int status)
{
    return fail(link, status, "%s", link->t.error[0] ? link->t.error : prepay_strerror(status));
}

int water_link_open(water_link_t *link, const char *tcp, const char *serial, bool modbus, uint32_t timeout_ms)
{
    memset(link, 0, sizeof *link);
    link->timeout_ms = timeout_ms;
    int status;
    if (tcp) {
        const char *colon = strrchr(tcp, ':');
        char host[PREPAY_TRANSPORT_NAME_MAX];
        long port = colon ? strtol(colon + 1, NULL, 10) : 0;
        if (!colon || colon == tcp || (size_t)(colon - tcp) >= sizeof host || port < 1 || port > 65535) {
            return fail(link, 2, "--tcp %s: HOST:PORT with a port 1..65535", tcp);
        }
        memcpy(host, tcp, (size_t)(colon - tcp));
        host[colon - tcp] = '\0';
        status = prepay_transport_open_tcp(&link->t, host, (uint16_t)port, 0);
    } else if (serial) {
        char device[PREPAY_TRANSPORT_NAME_MAX];
        prepay_serial_settings_t settings;
        prepay_serial_settings_default(&settings);
        const char *colon = strchr(serial, ':');
        size_t len = colon ? (size_t)(colon - serial) : strlen(serial);
        if (len == 0 || len >= sizeof device) {
            return fail(link, 2, "--serial %s: a device path", serial);
        }
        memcpy(device, serial, len);
        device[len] = '\0';
        const char *line = colon ? colon + 1 : (modbus ? "9600:8N1" : NULL);
        if (line && prepay_serial_settings_parse(line, &settings) != PREPAY_OK) {
            return fail(link, 2, "--serial %s: settings must be BAUD[:8E1]", serial);
        }
        status = prepay_transport_open_serial(&link->t, device, &settings);
    } else {
        return fail(link, 2, "give one bus: --tcp HOST:PORT or --serial DEV");
    }
    if (status != PREPAY_OK) {
        return transport_fail(link, status);
    }
    link->open = true;
    return 0;
}

void water_link_adopt(water_link_t *link, uint32_t timeout_ms, unsigned retries)
{
    link->timeout_ms = timeout_ms;
    link->retries = retries;
    link->ser = 0;
    link->exception = 0;
    link->exchanges = 0;
    link->error[0] = '\0';
    link->open = true;
}

void water_link_close(water_link_t *link)
{
    if (link->open) {
        prepay_transport_close(&link->t);
        link->open = false;
    }
}

/* Sends an encoded request (n: the encoder's result) after dropping stale bytes. */
static int send_request(water_link_t *link, const char *protocol, const uint8_t *raw, int n)
{
    if (n <= 0) {
        int status = n < 0 ? n : PREPAY_E_HOSTED_IO;
        return fail(link, status, "%s request: %s", protocol, prepay_strerror(status));
    }
    (void)prepay_transport_drain(&link->t);
    int status = prepay_transport_send(&link->t, raw, (size_t)n);
    if (status != PREPAY_OK) {
        return transport_fail(link, status);
    }
    link->exchanges++;
    return PREPAY_OK;
}

/* Waits for bytes until the deadline: >0 bytes, 0 none in time, <0 the link failed. */
static int receive_some(water_link_t *link, uint8_t *buf, size_t cap, uint64_t deadline)
{
    uint64_t now = prepay_transport_now_ms();
    if (now >= deadline) {
        return 0;
    }
    int n = prepay_transport_receive(&link->t, buf, cap, (uint32_t)(deadline - now));
    return n < 0 ? transport_fail(link, n) : n;
}

static int cjt188_once(water_link_t *link, const prepay_cjt188_frame_t *request, prepay_cjt188_frame_t *reply)
{
    uint8_t raw[PREPAY_CJT188_FRAME_MAX];
    int status = send_request(link, "CJ/T 188", raw, prepay_cjt188_encode(request, raw, sizeof raw));
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_cjt188_stream_t stream;
    (void)prepay_cjt188_stream_init(&stream, PREPAY_CJT188_DI_AUTO); /* cannot fail: a stream and a DI order */
    uint64_t deadline = prepay_transport_now_ms() + (uint64_t)link->timeout_ms;
    uint8_t in[256];
    size_t at = 0, len = 0;
    for (;;) {
        while (prepay_cjt188_stream_next(&stream, reply) > 0) {
            if (reply->is_reply && prepay_cjt188_reply_check(request, reply) != PREPAY_E_CJT188_SER_MISMATCH &&
                (request->address.bytes[0] == PREPAY_CJT188_WILDCARD_BYTE ||
                 memcmp(reply->address.bytes, request->address.bytes, sizeof reply->address.bytes) == 0)) {
                return PREPAY_OK;
            }
        }
        if (at < len) {
            int taken = prepay_cjt188_stream_feed(&stream, in + at, len - at);
            at += taken > 0 ? (size_t)taken : len - at;
            continue;
        }
        int got = receive_some(link, in, sizeof in, deadline);
        if (got < 0) {
            return got;
        }
        if (got == 0) {
            return fail(link, PREPAY_E_STATION_TIMEOUT, "no reply from the water meter within %u ms",
                        (unsigned)link->timeout_ms);
        }
        at = 0;
        len = (size_t)got;
    }
}

int water_link_cjt188(water_link_t *link, const prepay_cjt188_frame_t *request, prepay_cjt188_frame_t *reply)
{
    int status;
    unsigned attempt = 0;
    do {
        status = cjt188_once(link, request, reply);
    } while (status == PREPAY_E_STATION_TIMEOUT && attempt++ < link->retries);
    return status;
}

static int modbus_once(water_link_t *link, int unit, const prepay_modbus_adu_t *request,
                       prepay_modbus_adu_t *response)
{
    uint8_t raw[PREPAY_MODBUS_ADU_MAX];
    int status = send_request(link, "Modbus", raw, prepay_modbus_encode(request, raw, sizeof raw));
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_modbus_stream_t stream;
    (void)prepay_modbus_stream_init(&stream, PREPAY_MODBUS_RESPONSE, 0); /* cannot fail: a stream, a direction */
    uint64_t deadline = prepay_transport_now_ms() + (uint64_t)link->timeout_ms;
    uint8_t in[256];
    size_t at = 0, len = 0;
    for (;;) {
        while (prepay_modbus_stream_next(&stream, response) > 0) {
            status = prepay_modbus_match(request, response);
            if (status == PREPAY_E_MODBUS_EXCEPTION || (status == PREPAY_OK && response->is_exception)) {
                link->exception = response->exception;
                return fail(link, PREPAY_E_MODBUS_EXCEPTION, "the water meter answered exception %02X",
                            response->exception);
            }
            if (status == PREPAY_OK) {
                return PREPAY_OK;
            }
        }
        if (at < len) {
            int taken = prepay_modbus_stream_feed(&stream, in + at, len - at, prepay_transport_now_ms() * 1000u);
            at += taken > 0 ? (size_t)taken : len - at;
            continue;
        }
        int got = receive_some(link, in, sizeof in, deadline);
        if (got < 0) {
            return got;
        }
        if (got == 0) {
            return fail(link, PREPAY_E_STATION_TIMEOUT, "no reply from unit %d within %u ms", unit,
                        (unsigned)link->timeout_ms);
        }
        at = 0;
        len = (size_t)got;
    }
}

int water_link_modbus(water_link_t *link, int unit, const prepay_modbus_adu_t *request,
                      prepay_modbus_adu_t *response)
{
    int status;
    unsigned attempt = 0;
    link->exception = 0;
    do {
        status = modbus_once(link, unit, request, response);
    } while (status == PREPAY_E_STATION_TIMEOUT && attempt++ < link->retries);
    return status;
}
