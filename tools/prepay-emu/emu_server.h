/* SPDX-License-Identifier: MIT */
/* prepay-emu: the TCP front end (hosted) and its command line. */
#ifndef PREPAY_EMU_SERVER_H
#define PREPAY_EMU_SERVER_H

#include "cli.h"
#include "emu.h"

typedef struct emu_server_options {
    const char *listen;      /* IPv4 address to listen on, e.g. 127.0.0.1 */
    int bus_port;            /* all meters behind one DTU port; 0 = any free port; -1 = none */
    int port_base;           /* meter i on port_base + i; 0 = none */
    int modbus_port;         /* the Modbus RTU water meters behind one port; 0 = any free port; -1 = none */
    emu_clock_mode_t clock;  /* sync: time moves on time-sync frames; wall: follows the wall clock */
    uint32_t speed;          /* wall mode: simulated seconds per wall second */
    const char *ready_file;  /* written with "bus_port=N" (and "modbus_port=N") once listening, or NULL */
    bool quiet;
    bool exit_with_parent;   /* shut down (saving state) as soon as the parent process is gone */
    /* Serial mode: the whole bus on a pseudo-terminal; a symlink at this path names its device. */
    const char *serial_link;
    /* Dial-in DTU mode: the whole bus behind a DTU that connects to a station and registers. */
    const char *dial_host;       /* "HOST:PORT" as given */
    int dial_port;
    const char *dtu_id;          /* the id in the registration packet */
    const char *register_prefix; /* bytes before the id (default none) */
    const char *heartbeat;       /* heartbeat packet, or NULL */
    uint32_t heartbeat_ms;       /* sent after this much silence */
    uint32_t dial_drop_after;    /* fault: close the connection once after answering this many frames (0: never) */
    uint32_t redial_ms;          /* wait before connecting again */
    const cli_t *cli;        /* messages, and --json for what is said on stdout */
} emu_server_options_t;

/* Serves until SIGINT or SIGTERM; returns 0 after a clean shutdown. */
int emu_serve(emu_site_t *site, const emu_server_options_t *opt);

/* Everything on the command line, parsed and range-checked; nothing is opened. */
typedef struct emu_options {
    const char *site_path;
    emu_server_options_t server;
    const char *state_path;
    const char *scenario_path; /* --scenario FILE, or NULL */
    bool help, version, json;
    bool has_drop, has_corrupt, has_delay, has_seed, has_sync_limit;
    uint32_t drop_ppm, corrupt_ppm, delay_ms;
    uint64_t seed;
    int64_t sync_limit;
    uint32_t heartbeat_s; /* --heartbeat-s, 0: not given */
} emu_options_t;

/* Limits of the numeric options (docs/emulator.md). */
#define EMU_SPEED_MAX 1000000u
#define EMU_DELAY_MS_MAX 60000u

/* The command line of prepay-emu (its --help). */
struct cli_spec;
extern const struct cli_spec emu_spec;
/* Parses argv (argv[0] the program). Returns 0, or 2 with a one-line message
 * in err for a usage error. Has no side effects. */
int emu_options_parse(int argc, char **argv, emu_options_t *out, char *err, size_t err_cap);
/* Checks what depends on the site: the per-meter ports must fit in 1..65535. */
int emu_options_check_site(const emu_options_t *options, const emu_site_t *site, char *err, size_t err_cap);

#endif
