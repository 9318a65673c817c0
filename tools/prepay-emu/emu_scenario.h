/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: scripted line and tamper conditions (--scenario FILE, docs/emulator.md
 * "Scenarios"). Every meter of a site run with a scenario gets a supervision
 * (meter_supervision.h): its events are judged from what it measures, and the
 * conditions change what it measures at the given times.
 */
#ifndef PREPAY_EMU_SCENARIO_H
#define PREPAY_EMU_SCENARIO_H

#include "emu.h"
#include "prepay/meter_supervision.h"

/* A scenario file larger than this is refused before it is read. */
#define EMU_SCENARIO_FILE_MAX (4u * 1024u * 1024u)
/* Conditions in one scenario. */
#define EMU_CONDITIONS_MAX 100000u

typedef enum emu_inject_kind {
    EMU_INJECT_LOSS_OF_VOLTAGE = 0, /* the phase's voltage lead is open: U = 0, current flows */
    EMU_INJECT_LOSS_OF_CURRENT,     /* the phase's CT is shorted: I = 0 and P = 0 on the phase */
    EMU_INJECT_REVERSED,            /* the phase's CT is reversed: I and P change sign */
    EMU_INJECT_SAG,                 /* the phase's voltage (every phase without "phase") is "volts" */
    EMU_INJECT_COVER_OPEN,          /* the meter cover is open */
    EMU_INJECT_TERMINAL_COVER_OPEN, /* the terminal cover is open */
    EMU_INJECT_MAGNET,              /* a constant magnetic field */
    EMU_INJECT_OVERLOAD,            /* "watts" more at the line's power factor */
    EMU_INJECT_HEATER,              /* "watts" more of a resistive load (PF 1) on phase A */
    EMU_INJECT_KIND_COUNT
} emu_inject_kind_t;

typedef struct emu_condition {
    size_t meter;         /* index into the site's meters */
    prepay_time_t from;   /* in force on [from, to) of the meter's clock */
    prepay_time_t to;     /* INT64_MAX: to the end */
    uint8_t kind;         /* emu_inject_kind_t */
    uint8_t phase;        /* 1..3; 0: every phase (SAG) or phase A */
    int32_t value;        /* SAG: 0.1 V; OVERLOAD, HEATER: W */
} emu_condition_t;

typedef struct emu_scenario {
    emu_condition_t *conditions;          /* owned */
    size_t count;
    prepay_meter_supervision_t *sups;     /* owned: one per meter of the site */
    size_t sup_count;
} emu_scenario_t;

/* Loads a scenario for a loaded site and attaches a supervision to every meter
 * (load control from the file's "load_control"). 0, or -1 with a message. */
int emu_scenario_load(emu_site_t *site, const char *path, char *err, size_t err_cap);
/* The same from text in memory (`origin` names it in messages). */
int emu_scenario_parse(emu_site_t *site, const char *text, size_t len, const char *origin, char *err,
                       size_t err_cap);
void emu_scenario_free(emu_site_t *site);

/* The hook of the simulation: advances meter m to `end` in segments cut at
 * its conditions' edges, each with the meter's line as the conditions make it. */
int emu_scenario_advance(emu_site_t *site, emu_meter_t *m, prepay_time_t end);
/* The hook of the bus: after emu_electric_update(), the conditions in force at
 * the meter's clock change what it shows. */
void emu_scenario_apply(emu_site_t *site, emu_meter_t *m);

#endif
