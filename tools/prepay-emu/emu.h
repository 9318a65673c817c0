/*
 * prepay-emu internals (hosted): a site of emulated prepaid meters behind a
 * DL/T 645 "bus", independent of sockets so that it can be tested directly.
 *
 * The meters are the library's reference meter (prepay/meter.h) — the same
 * core a firmware links. The bus routes each request frame to the meters it
 * addresses, applies the scripted events and the injected faults, and moves
 * simulated time: in `sync` clock mode time advances only when the station
 * sends a time-sync frame (deterministic runs: the demo and the tests), in
 * `wall` mode it follows the wall clock times a speed-up factor.
 */
#ifndef PREPAY_EMU_H
#define PREPAY_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/meter.h"
#include "prepay/tariff_json.h"

#define EMU_ERROR_MAX 512

typedef enum emu_clock_mode { EMU_CLOCK_SYNC = 0, EMU_CLOCK_WALL = 1 } emu_clock_mode_t;

typedef struct emu_event {
    prepay_time_t at;
    size_t meter;                      /* index into the site's meters */
    prepay_meter_condition_t condition;
    bool active;
    bool done;
} emu_event_t;

typedef struct emu_offline {
    size_t meter;
    prepay_time_t from, to;            /* [from, to) of simulated time */
} emu_offline_t;

typedef struct emu_faults {
    uint64_t seed;
    uint32_t drop_ppm;                 /* replies dropped, parts per million */
    uint32_t corrupt_ppm;              /* replies with one byte flipped */
    uint32_t delay_ms;                 /* every reply is held this long */
    emu_offline_t *offline;
    size_t offline_count;
} emu_faults_t;

typedef struct emu_meter {
    prepay_meter_t meter;
    prepay_meter_load_t load;
    int32_t *profile;                  /* owned copy of a load profile */
    bool has_load;
    /* A building incomer ("feeds"): besides its own constant load it
     * measures what the meters it feeds consumed, plus line losses. */
    bool aggregate;
    size_t *feeds;                     /* owned: indexes of the fed meters */
    size_t feed_count;
    uint32_t loss_ppm;                 /* losses as parts per million of the fed energy */
    int64_t carry_ws;                  /* watt-seconds not yet turned into whole watts */
    prepay_energy_t fed_mark;          /* fed meters: forward total already passed to the incomer */
    uint64_t requests, replies, dropped, corrupted;
} emu_meter_t;

typedef struct emu_site {
    char name[160];
    prepay_time_t start;
    prepay_time_t now;                 /* simulated time all meters have reached */
    prepay_tariff_doc_t *tariff;       /* shared by every meter (heap) */
    prepay_wallet_policy_t policy;
    emu_meter_t *meters;
    size_t meter_count;
    size_t *order;                     /* meter indexes sorted by address, for lookup */
    emu_event_t *events;
    size_t event_count;
    emu_faults_t faults;
    uint64_t rng;
} emu_site_t;

/* Loads a site file (format in docs/emulator.md). On error writes one line
 * naming the file, the JSON path and the problem, and returns non-zero. */
int emu_site_load(const char *path, emu_site_t *site, char *err, size_t err_cap);
void emu_site_free(emu_site_t *site);

/* Advances every meter (with its load and the scripted events) to `to`. */
int emu_site_advance(emu_site_t *site, prepay_time_t to);

/* Handles one request frame arriving on a bus of meters `[first, first+count)`
 * (count = site->meter_count for the whole site behind one DTU). Writes the
 * bytes to send back (possibly none, possibly garbled by a collision or a
 * fault) and sets *delay_ms. Returns the reply length or a negative status. */
int emu_bus_handle(emu_site_t *site, size_t first, size_t count, const uint8_t *frame, size_t len, uint8_t *reply,
                   size_t reply_cap, uint32_t *delay_ms);

/* Saves and restores the meters' state (binary, checksummed). */
int emu_state_save(const emu_site_t *site, const char *path, char *err, size_t err_cap);
int emu_state_load(emu_site_t *site, const char *path, char *err, size_t err_cap);

#endif
