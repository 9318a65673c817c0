/* SPDX-License-Identifier: MIT */
/* prepay-emu: a pseudo-terminal for serial mode, a connection for dial-in DTU mode (emu_links.c). */
#ifndef PREPAY_EMU_LINKS_H
#define PREPAY_EMU_LINKS_H

#include <stddef.h>

/* Opens a pseudo-terminal pair and makes `link` a symlink to the slave's
 * device (named in `device`). Returns 0, or -1 with a message. */
int emu_open_pty(const char *link, int *master, int *slave, char *device, size_t cap, char *err, size_t err_cap);

/* Connects to a station at "HOST:PORT" and sends the registration packet
 * (prefix + id). Returns the connected, non-blocking socket, or -1 with a message. */
int emu_dial(const char *host_port, const char *prefix, const char *id, char *err, size_t err_cap);

#endif
