/* SPDX-License-Identifier: MIT */
/*
 * A station session (prepay/station.h) over a TCP connection (hosted): the
 * blocking loop that moves bytes between a socket and the sans-I/O session.
 * Used by `prepay demo` and the emulator tests.
 */
#ifndef PREPAY_TOOL_STATION_LINK_H
#define PREPAY_TOOL_STATION_LINK_H

#include <stdint.h>

#include "prepay/station.h"

typedef struct station_link {
    int fd;
    prepay_station_session_t session;
    uint64_t bytes_sent, bytes_received;
} station_link_t;

/* Connects to host:port (IPv4). Returns 0 or -1 (errno set). */
int station_link_open(station_link_t *link, const char *host, int port, const prepay_station_config_t *config);

/* Runs one request to its end: a reply, an abnormal reply or a timeout.
 * Returns the library status of the call (the request's own outcome is in
 * result->status); -1 for a socket error. */
int station_link_exchange(station_link_t *link, const prepay_dlt645_frame_t *request, uint8_t *data, size_t data_cap,
                          prepay_station_result_t *result);

void station_link_close(station_link_t *link);

/* Milliseconds of a monotonic clock. */
uint64_t station_link_now_ms(void);

#endif
