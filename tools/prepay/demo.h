/*
 * `prepay demo`: a building of prepaid rooms run end to end (hosted).
 *
 * demo_site.c  makes the site (rooms, loads, tenants' habits) and runs the
 *              emulator (prepay-emu) as a child process on loopback TCP;
 * demo_run.c   is the station and the platform: reads every meter on a
 *              schedule, prices readings (tariff engine), posts to the ledger,
 *              raises alarms and cuts off or restores (wallet policy),
 *              recharges, allocates the common area at month end;
 * demo_report.c writes the month-end report (text, CSV, JSON) and the
 *              site's load curve (SVG), and the cross-checks.
 */
#ifndef PREPAY_TOOL_DEMO_H
#define PREPAY_TOOL_DEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cli.h"
#include "prepay/prepay.h"
#include "prepay/tariff_json.h"
#include "station_link.h"

#define DEMO_LINES 64

typedef enum demo_habit {
    HABIT_PROMPT = 0, /* tops up the morning after the first alarm */
    HABIT_LATE = 1,   /* tops up only a day after being cut off */
    HABIT_NEVER = 2   /* never tops up */
} demo_habit_t;

typedef struct demo_room {
    char name[8];                  /* "R101" */
    char address_text[13];
    prepay_dlt645_address_t address;
    bool local;                    /* local cost control: the meter keeps the purse */
    demo_habit_t habit;
    int64_t area;                  /* 0.01 m2 */
    int32_t profile[24];           /* W per hour of day */
    prepay_money_t initial;
    uint64_t wallet_id;
    /* station's view */
    bool primed;
    prepay_energy_t first_reading, last_reading;
    prepay_time_t last_time;
    prepay_money_t last_remaining; /* local meters: purse as last read */
    prepay_energy_t hour_delta;    /* this hour's energy (0 if unread) */
    prepay_tariff_state_t tariff;
    prepay_wallet_state_t wallet;
    bool relay_open;               /* remote meters: what the station commanded */
    uint32_t purchases;            /* purchase count written to a local meter */
    uint32_t orders;               /* payment orders booked (ids) */
    prepay_time_t topup_at;        /* next recharge the tenant will make (0 = none) */
    prepay_money_t pending_amount; /* local meters: paid, not yet confirmed by the meter */
    prepay_time_t cut_at;          /* time of the last cut-off (0 = none) */
    /* results */
    prepay_energy_t band_energy[PREPAY_MAX_TARIFF_INDEX + 1];
    prepay_energy_t tier_energy[PREPAY_MAX_TIERS + 1];
    prepay_money_t charged;        /* electricity posted to the ledger */
    prepay_money_t station_priced; /* local meters: the station's own pricing of the same readings */
    prepay_money_t allocated;      /* common-area share */
    prepay_money_t recharged;
    int recharges, cutoffs, restores, read_failures;
    int alarms[PREPAY_MAX_ALARM_LEVELS + 1];
    /* end-of-run cross-check: the meter's own registers and purse */
    prepay_energy_t meter_total, meter_bands[5];
    prepay_money_t meter_remaining;
} demo_room_t;

typedef struct demo_options {
    int days;
    int meters;
    uint64_t seed;
    const char *out_dir;
    const char *tariff_path;
    const char *emu_path;
    int timeout_ms;                /* station reply timeout */
    int64_t drop;                  /* emulator faults: reply drop probability, millionths */
    int64_t corrupt;               /* emulator faults: reply corruption probability, millionths */
    bool json;                     /* --json: no report on stdout, one JSON summary line */
} demo_options_t;

typedef struct demo {
    demo_options_t opt;
    const cli_t *cli;                  /* errors and --json */
    prepay_time_t start;
    prepay_tariff_doc_t *doc;
    prepay_tariff_plan_t plan;
    prepay_wallet_policy_t policy;
    demo_room_t *rooms;
    size_t room_count;
    /* the common-area master meter (building incomer) */
    prepay_dlt645_address_t master_address;
    prepay_energy_t master_first, master_last;
    bool master_primed;
    prepay_energy_t residual_carry;    /* negative hourly residual carried forward */
    prepay_energy_t subs_pending;      /* rooms' energy since the last incomer reading */
    prepay_time_t master_time;         /* time of the last incomer reading */
    prepay_tariff_state_t common_tariff;
    prepay_money_t common_due;         /* priced common area not yet allocated */
    prepay_energy_t common_energy, common_energy_pending;
    prepay_money_t common_total;       /* allocated over the run */
    int allocations;
    /* ledger */
    prepay_ledger_t ledger;
    void *ledger_memory; /* prepay_ledger_memory_size(account_capacity, transfer_capacity) bytes */
    uint32_t account_capacity, transfer_capacity;
    /* hourly site load for the SVG */
    int hours;
    prepay_energy_t *rooms_wh, *master_wh;
    /* emulator and station */
    pid_t emu_pid;
    int emu_port;
    station_link_t link;
    uint64_t requests, failures, notifications;
    FILE *events;
    int checks_failed;
} demo_t;

/* Each returns 0, or -1 after reporting the error through d->cli. */
int demo_make_site(demo_t *d, const char *site_path);
int demo_start_emulator(demo_t *d, const char *site_path);
void demo_stop_emulator(demo_t *d);
int demo_run(demo_t *d);
/* Writes the report files and (without --json) prints the report; the totals go into
 * `totals` (a JSON object the caller owns). Returns 0, or -1 (a write failed, reported). */
int demo_report(demo_t *d, json_t *totals);

/* The first of candidates (paths relative to the directory of the running program, each
 * starting with '/') that access(mode) accepts, into out. Returns 0, or -1 if none. */
int demo_beside_self(const char *const *candidates, size_t count, int mode, char *out, size_t cap);

/* Ledger account ids. */
#define DEMO_CLEARING 1u
#define DEMO_REVENUE 2u
#define DEMO_COMMON 3u
#define DEMO_WALLET_BASE 100u

#endif
