/* prepay-emu: the TCP front end (hosted). */
#ifndef PREPAY_EMU_SERVER_H
#define PREPAY_EMU_SERVER_H

#include "emu.h"

typedef struct emu_server_options {
    const char *listen;      /* IPv4 address to listen on, e.g. 127.0.0.1 */
    int bus_port;            /* all meters behind one DTU port; 0 = any free port; -1 = none */
    int port_base;           /* meter i on port_base + i; 0 = none */
    emu_clock_mode_t clock;  /* sync: time moves on time-sync frames; wall: follows the wall clock */
    uint32_t speed;          /* wall mode: simulated seconds per wall second */
    const char *ready_file;  /* written with "bus_port=N" once listening, or NULL */
    bool quiet;
} emu_server_options_t;

/* Serves until SIGINT or SIGTERM; returns 0 after a clean shutdown. */
int emu_serve(emu_site_t *site, const emu_server_options_t *opt);

#endif
