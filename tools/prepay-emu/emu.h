/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu internals (hosted): a site of emulated prepaid meters behind a
 * DL/T 645 "bus", independent of sockets so that it can be tested and
 * fuzzed directly.
 *
 * The meters are the library's reference meter (prepay/meter.h) — the same
 * core a firmware links. The bus routes each request frame to the meters it
 * addresses, applies the scripted events and the injected faults, and moves
 * simulated time: in `sync` clock mode time advances only when the station
 * sends a broadcast time-sync frame (deterministic runs: the demo and the
 * tests), in `wall` mode it follows the wall clock times a speed-up factor.
 *
 * Simulated time is per meter (each meter's own clock): a broadcast time
 * sync moves the meters of the bus it arrives on, and only those the meter
 * itself would let it move (prepay_meter_check_time_sync(): the meter's
 * time-sync limit). The simulation is resumable: emu_site_run() does a
 * bounded amount of work and says whether more is pending, so the server's
 * event loop never stalls on a large jump.
 */
#ifndef PREPAY_EMU_H
#define PREPAY_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/meter.h"
#include "prepay/tariff_json.h"
#include "prepay/water_meter.h"

#define EMU_ERROR_MAX 512
/* A site file larger than this is refused before it is read. */
#define EMU_SITE_FILE_MAX (16u * 1024u * 1024u)
/* Meters, events and offline windows in one site. */
#define EMU_METERS_MAX 100000u
#define EMU_EVENTS_MAX 1000000u
/* Default time-sync limit of the emulated meters: in sync mode a time sync
 * is how simulated time moves, so the emulator allows a week per frame (a
 * meter in the field defaults to PREPAY_METER_TIME_SYNC_LIMIT, 300 s). */
#define EMU_DEFAULT_TIME_SYNC_LIMIT (7 * 86400)
/* The largest time-sync limit (site file and --sync-limit): 100 years of seconds. */
#define EMU_SYNC_LIMIT_MAX (100LL * 366 * 86400)
/* Work in one emu_site_run() slice of the server loop, in steps of
 * prepay_meter_advance() (prepay_meter_derived_t::steps; a step is a minute
 * or a run of minutes with nothing due inside): tens of milliseconds. */
#define EMU_SLICE_STEPS 43200

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
    prepay_time_t from, to;            /* [from, to) of the meter's simulated time */
} emu_offline_t;

/* Load records kept per meter: two days of quarter-hour records (the default intervals), so
 * that yesterday's whole curve can be read at any time today (168 bytes each). */
#define EMU_LOAD_RECORDS 192

typedef struct emu_faults {
    uint64_t seed;
    uint32_t drop_ppm;                 /* replies dropped, parts per million */
    uint32_t corrupt_ppm;              /* replies with one byte flipped */
    uint32_t delay_ms;                 /* every reply is held this long */
    emu_offline_t *offline;
    size_t offline_count;
} emu_faults_t;

/* What a station reads about the line and the nameplate (site-file fields, docs/emulator.md). */
typedef struct emu_line {
    uint8_t preamble;                  /* FE bytes before each reply, 0..4 */
    uint8_t phases;                    /* 1 (single-phase meter) or 3 */
    uint16_t voltage_dv;               /* nominal phase voltage, 0.1 V */
    uint16_t frequency_chz;            /* 0.01 Hz */
    uint16_t power_factor;             /* 0.001, 1..1000 */
    char nameplate[8][33];             /* 040004 04..08, 0B..0D as ASCII; "" = not present */
    uint32_t active_constant;          /* 04000409, imp/kWh (0 = not present) */
} emu_line_t;

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
    prepay_time_t target;              /* the simulation must bring meter.clock up to this time */
    bool pending;                      /* meter.clock < target (counted in site->pending) */
    size_t events_begin, events_end;   /* this meter's events: site->event_order[events_begin .. events_end) */
    size_t next_event;                 /* the first of them not fired yet */
    uint64_t requests, replies, dropped, corrupted;
    emu_line_t line;                   /* the line as the station sees it (emu_electric.c) */
    prepay_tariff_t *tariff_copy;      /* owned: this meter's own two sets, when the tariff is writable */
    /* The meter's load records (DL/T 645 class 06): a ring of EMU_LOAD_RECORDS, the oldest
     * overwritten. In the state file from format 3 (a format-2 file restores an empty curve). */
    prepay_load_record_t *load_records; /* owned */
    prepay_meter_load_ring_t load_ring;
} emu_meter_t;

/* CJ/T 188 water meters of a site ("water_meters" in the site file, docs/emulator.md). */
/* (duplicate addresses are found pairwise at load: at most 5e7 comparisons) */
#define EMU_WATER_MAX 10000u
/* Largest flow of a profile hour, L/h (a DN50 meter's overload flow is 31 250 L/h). */
#define EMU_WATER_FLOW_MAX 1000000

/* How a water meter talks to the station ("protocol" in the site file). */
typedef enum emu_water_protocol {
    EMU_WATER_CJT188 = 0,              /* CJ/T 188-2004 on the links that carry the whole site */
    EMU_WATER_MODBUS = 1               /* Modbus RTU (xintai-water map) on the Modbus port, at meter.modbus_unit */
} emu_water_protocol_t;

typedef struct emu_water {
    prepay_water_meter_t meter;        /* the library's reference water meter (prepay/water_meter.h) */
    uint8_t protocol;                  /* emu_water_protocol_t */
    int64_t flow_lph[24];              /* tap flow by local hour of day, L/h (flows only while the valve is open) */
    int64_t carry_ls;                  /* litre-seconds of flow not yet a whole litre */
    uint8_t preamble;                  /* FE bytes before each reply, 0..4 */
    uint64_t requests, replies;
} emu_water_t;

typedef struct emu_site {
    char name[160];
    prepay_time_t start;
    prepay_time_t now;                 /* the latest simulated time any meter has reached */
    emu_clock_mode_t clock;            /* set by the front end (default sync) */
    prepay_tariff_doc_t *tariff;       /* shared by every meter (heap) */
    prepay_wallet_policy_t policy;
    emu_meter_t *meters;
    size_t meter_count;
    size_t *order;                     /* meter indexes sorted by address, for lookup */
    emu_event_t *events;
    size_t event_count;
    size_t *event_order;               /* event indexes sorted by (meter, time, file order) */
    size_t pending;                    /* meters behind their target: emu_site_busy() in O(1) */
    emu_faults_t faults;
    uint64_t rng;
    bool tariff_writable;              /* "tariff_writable": each meter has its own writable copy of the sets */
    struct emu_scenario *scenario;     /* --scenario: scripted conditions (emu_scenario.h), or NULL */
    emu_water_t *waters;               /* CJ/T 188 water meters, served on links that carry the whole site */
    size_t water_count;
} emu_site_t;

/* Resolves the site file's "tariff" member into a tariff document. */
typedef int (*emu_tariff_loader_fn)(void *context, const char *reference, prepay_tariff_doc_t *doc, char *err,
                                    size_t err_cap);

/* Loads a site file (format in docs/emulator.md; refused above
 * EMU_SITE_FILE_MAX bytes or if not a regular file; "-" reads the standard
 * input); the tariff path is relative to the site file. On error writes one
 * line naming the file, the JSON path and the problem, and returns non-zero. */
int emu_site_load(const char *path, emu_site_t *site, char *err, size_t err_cap);
/* The same from text in memory, with the caller's tariff resolver; `origin`
 * names the text in messages. */
int emu_site_parse(const char *text, size_t len, const char *origin, emu_tariff_loader_fn load_tariff,
                   void *context, emu_site_t *site, char *err, size_t err_cap);
void emu_site_free(emu_site_t *site);
/* Sets every meter's time-sync limit (seconds, >= 0; 0 = any). */
int emu_site_set_time_sync_limit(emu_site_t *site, int64_t seconds);

/* Asks the simulation to bring meter `index` (and, for an incomer, the
 * meters it feeds) forward to `to`; nothing is simulated yet. */
void emu_site_schedule(emu_site_t *site, size_t index, prepay_time_t to);
/* True while a scheduled time is not reached yet (O(1)). */
bool emu_site_busy(const emu_site_t *site);
/* Recounts meter `index` as pending or not after its clock or target moved
 * outside the simulation (a frame it handled, a restored state). */
void emu_site_note(emu_site_t *site, size_t index);
/* Simulates what is scheduled until about `budget` meter steps are spent
 * (at least one call if anything is; a call is at most a month of one meter). Returns 1 if work is still pending, 0 if
 * none is, or a negative status. */
int emu_site_run(emu_site_t *site, int64_t budget);
/* Schedules every meter to `to` and runs until done (tests and tools). */
int emu_site_advance(emu_site_t *site, prepay_time_t to);

/* First half of handling a frame on a bus of meters `[first, first+count)`:
 * a broadcast time sync in sync mode schedules the simulation of the
 * meters that accept it. Returns 1 if simulation is now pending, else 0. */
int emu_bus_prepare(emu_site_t *site, size_t first, size_t count, const uint8_t *frame, size_t len);
/* Handles one request frame arriving on a bus of meters `[first,
 * first+count)` (count = site->meter_count for the whole site behind one
 * DTU), after finishing any pending simulation. Writes the bytes to send
 * back (possibly none, possibly garbled by a collision or a fault) and
 * sets *delay_ms. Returns the reply length or a negative status. */
int emu_bus_handle(emu_site_t *site, size_t first, size_t count, const uint8_t *frame, size_t len, uint8_t *reply,
                   size_t reply_cap, uint32_t *delay_ms);

/* Water meters (emu_water.c). */
/* Lets the tap flow of water meter `w` run up to `to` (its profile, hour by hour; no flow while the
 * valve is closed; the flow stops at the litre the meter closes its valve on). */
int emu_water_advance(emu_water_t *w, prepay_time_t to);
/* Answers a CJ/T 188 request on a link that carries the whole site: the addressed water meters
 * (brought to the site's time first) answer; several answers collide. Returns the reply length,
 * 0 for none (not a CJ/T 188 request, nobody addressed), or an error. */
int emu_water_handle(emu_site_t *site, const uint8_t *frame, size_t len, uint8_t *reply, size_t reply_cap);
/* Answers a Modbus RTU request (one whole ADU) on the Modbus port: the Modbus water meter at the
 * request's unit (brought to the site's time first) answers through the library's handler; a broadcast
 * (unit 0) reaches every one and is not answered. Returns the reply length, 0 for none, or an error. */
int emu_water_handle_modbus(emu_site_t *site, const uint8_t *frame, size_t len, uint8_t *reply, size_t reply_cap);
/* Water meters of the site that speak Modbus RTU. */
size_t emu_water_modbus_count(const emu_site_t *site);
/* How the received bytes of a link start (both protocols share one link and the 68H start byte). */
typedef enum emu_split { EMU_SPLIT_OTHER = 0, EMU_SPLIT_CJT188 = 1, EMU_SPLIT_WAIT = 2, EMU_SPLIT_DROP = 3 } emu_split_t;
/* EMU_SPLIT_CJT188: a whole CJ/T 188 request of *frame_len bytes (FE included) starts the bytes;
 * EMU_SPLIT_WAIT: one may still be arriving; EMU_SPLIT_OTHER: give the DL/T 645 parser the first
 * *frame_len bytes (a DL/T 645-shaped frame, or everything); EMU_SPLIT_DROP: discard the first *frame_len
 * bytes (a 68H that starts no good frame of either shape). */
emu_split_t emu_link_split(const uint8_t *in, size_t len, size_t *frame_len);

/* The line as the station sees it (emu_electric.c). */
/* Sets a meter's instantaneous quantities (U, I, P, Q, S, PF per phase, f) from its load at its clock. */
void emu_electric_update(emu_meter_t *m);
/* Answers a read of a nameplate item (040004xx) the meter itself does not keep; returns the reply
 * length (no preamble), 0 if the frame is not such a read, or an error. */
int emu_nameplate_answer(const emu_meter_t *m, const prepay_dlt645_frame_t *request, uint8_t *out, size_t cap);
/* Defaults of the electrical and nameplate fields. */
void emu_electric_defaults(emu_line_t *line);
/* Nameplate field names of the site file, in the order of emu_line_t::nameplate. */
extern const char *const emu_nameplate_keys[8];

/* Saves and restores the meters' state (docs/emulator.md, "State file"). */
int emu_state_save(const emu_site_t *site, const char *path, char *err, size_t err_cap);
int emu_state_load(emu_site_t *site, const char *path, char *err, size_t err_cap);
/* The state file in memory: its exact size for this site, the encoder, and
 * the decoder, which checks everything (format, version, this build's
 * dimensions, this site's fingerprint, checksum, every field) before it
 * changes anything. */
/* Bytes of the site's state file as it would be written now (format 3). */
size_t emu_state_size(const emu_site_t *site);
/* The largest state file of this site that can be valid (any format it reads): larger files are refused unread. */
size_t emu_state_size_max(const emu_site_t *site);
int emu_state_encode(const emu_site_t *site, uint8_t *out, size_t cap);
/* The state in format 2 (what prepay-emu wrote before format 3: no demand, no load records)
 * or 3; returns the bytes written or -1. Format 2 is for tests of the reader. */
int emu_state_encode_format(const emu_site_t *site, int format, uint8_t *out, size_t cap);
int emu_state_decode(emu_site_t *site, const uint8_t *bytes, size_t len, char *err, size_t err_cap);

#endif
