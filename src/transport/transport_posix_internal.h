/* SPDX-License-Identifier: MIT */
/*
 * Internal to the hosted transports (src/transport/ *_posix.c): error text,
 * the DTU server's part of a poll round, and attaching a DTU without waiting.
 */
#ifndef PREPAY_TRANSPORT_INTERNAL_H
#define PREPAY_TRANSPORT_INTERNAL_H

#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/transport.h"

/* Writes one line into an error buffer of PREPAY_TRANSPORT_ERROR_MAX bytes. */
void prepay__transport_error(char *error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Adds the server's listening socket and its unattached connections to fds
 * (at most cap), lowers *timeout_ms to the next registration deadline, and
 * returns the number added. */
size_t prepay__dtu_server_fill(prepay_dtu_server_t *server, struct pollfd *fds, size_t cap, uint64_t now_ms,
                               int *timeout_ms);

/* Handles the events of the n entries prepay__dtu_server_fill() added, and
 * drops connections past their registration deadline. */
void prepay__dtu_server_serve(prepay_dtu_server_t *server, const struct pollfd *fds, size_t n, uint64_t now_ms);

/* Gives DTU id's registered connection to t without waiting: PREPAY_OK,
 * PREPAY_E_TRANSPORT_NO_DTU (not registered now) or PREPAY_E_BAD_STATE. */
int prepay__dtu_server_try_attach(prepay_dtu_server_t *server, const char *id, prepay_transport_t *t);

/* The connection of a DTU transport is dead: its slot is freed. */
void prepay__dtu_server_release_dead(prepay_dtu_server_t *server, int fd);

/* A DTU transport is done with its connection, which stays registered. */
void prepay__dtu_server_release(prepay_dtu_server_t *server, int fd);

#endif /* PREPAY_TRANSPORT_INTERNAL_H */
