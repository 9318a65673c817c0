/* SPDX-License-Identifier: MIT */
/*
 * `prepay demo`: a building of prepaid rooms run end to end (hosted).
 *
 * demo_site.c  makes the site (rooms, loads, tenants' habits) and runs the
 *              emulator (prepay-emu) as a child process on loopback TCP;
 * demo_books.c the platform: the settlement site (prepay/settlement.h) with
 *              one account and meter per room, the incomer as a site meter
 *              and a group by floor area; its events become notifications;
 * demo_run.c   the scenario: the clock, the station reading every meter
 *              each hour (replies decoded by the library into readings for
 *              prepay_settlement_settle()), relay commands from COMMAND
 *              events, tenants' recharges by their habits, month-end closes;
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
#include "cli_text.h"
#include "prepay/prepay.h"
#include "prepay/settlement.h"
#include "prepay/tariff_json.h"
#include "station_link.h"

typedef enum demo_habit {
    HABIT_PROMPT = 0, /* tops up the morning after the first alarm */
    HABIT_LATE = 1,   /* tops up only a day after being cut off */
    HABIT_NEVER = 2   /* never tops up */
} demo_habit_t;

/* Tier cycles of the water ladder a run can touch (366 days: 2 years, or 13 months). */
/* Polls of a meter at the run's two ends (first and last readings, the registers and purse read at the
 * end, the water meters' last reading and valve): the cross-checks compare them with the settlement, so
 * the station asks again, as a station re-polls a month-end read, where an hourly reading lost in between
 * is covered by the next one. At the fault test's worst rates (10 % dropped, 5 % garbled) eight polls of
 * one exchange leave a meter unanswered about once in 4 x 10^7 (a DL/T 645 poll is 1 + retries exchanges). */
#define DEMO_END_POLLS 8
#define DEMO_WATER_CYCLES 16
/* A local room's recharge: the water meter is topped up to this purse (fen), with at most half of what reached
 * the wallet; the rest goes to the electricity meter. */
#define DEMO_WATER_TARGET 10000

typedef struct demo_room {
    char name[8];                  /* "R101" */
    char address_text[13];
    prepay_dlt645_address_t address;
    bool local;                    /* local cost control: the meter keeps the purse */
    demo_habit_t habit;
    int64_t area;                  /* 0.01 m2 */
    int32_t profile[24];           /* W per hour of day */
    prepay_money_t initial;
    uint32_t id;                   /* settlement account id and meter id (room index + 1) */
    /* the station's view of the room (the books are the settlement account's) */
    bool primed;
    prepay_energy_t first_reading, last_reading; /* register, Wh, as read */
    bool relay_open;               /* remote meters: what the meter confirmed */
    int relay_want;                /* remote meters: the last COMMAND not yet confirmed (-1: none) */
    uint32_t purchases;            /* purchase count written to a local meter */
    prepay_time_t topup_at;        /* next recharge the tenant will make (0 = none) */
    prepay_money_t pending_amount; /* local meters: paid, not yet confirmed by the meter */
    prepay_time_t cut_at;          /* time of the last cut-off (0 = none) */
    /* results, counted from the settlement events */
    int cutoffs, restores, read_failures, notifications;
    int alarms[PREPAY_MAX_ALARM_LEVELS + 1];
    /* the meter's own registers (Wh: total, then bands 1..4) at the first and the last reading, and its purse */
    prepay_energy_t meter_first[5], meter_last[5];
    prepay_money_t meter_remaining;
    /* The room's CJ/T 188 water meter (demo_water.c). Remote rooms: remote mode, its valve driven by the
     * station from the account's COMMAND events; the litres settled on the same wallet. Local rooms: below. */
    bool water;                    /* the room has one */
    uint32_t water_id;             /* its settlement meter id (remote rooms; a local room's is not settled) */
    char water_address_text[15];
    prepay_cjt188_address_t water_address;
    int water_scale;               /* its tap flow, % of the site's profile */
    bool water_primed;
    prepay_energy_t water_first, water_last; /* register, L, as read (0.01 m3 steps) */
    prepay_time_t water_time;      /* when water_last was read */
    int water_valve_want;          /* the valve state the account's last COMMAND asks for (-1: none pending) */
    bool water_valve_open;         /* what the meter confirmed */
    int water_closes, water_opens, water_read_failures;
    bool water_final_read;         /* the meter read after the run: register and ST */
    prepay_energy_t water_final;
    bool water_final_open;
    prepay_money_t water_money;    /* water on the wallet: remote, the settle calls' charges; local, the sales */
    prepay_energy_t water_cycle_l[DEMO_WATER_CYCLES]; /* litres per tier cycle (intervals spread over cycles) */
    /* Local rooms' water meters (money purse on the meter): the station programs the price table (A010), sells
     * purchases (A013, idempotent on the purchase serial) and reads 901F and 8105; the meter deducts and closes.
     * A purchase is booked on the wallet once, when sold: a sale to the meter's purse (prepay_settlement_sell(),
     * the account's sale sequence = water_purchases + 1); water_money is then the purchases booked. */
    prepay_money_t water_opening;  /* the opening balance's water part (purchase serial 1) */
    prepay_money_t water_booked;   /* purchases booked on the wallet (fen): the account's sales */
    int water_purchases;           /* purchases booked (count) */
    int water_credited;            /* purchases the meter confirmed (count) */
    uint8_t water_serial;          /* serial of the last purchase the meter confirmed (0: none yet) */
    prepay_money_t water_pending;  /* the purchase in flight (serial water_serial + 1), 0: none */
    prepay_money_t water_queued;   /* booked, sold after the one in flight */
    bool water_table_ok;           /* the meter confirmed the A010 price table */
    bool water_purse_read;         /* the 8105 read after the run answered */
    prepay_cjt188_purse_t water_purse; /* the last 8105 read (serial, totals, remaining, ST) */
} demo_room_t;

/* A meter's load curve of the last day (demo_curves.c): 97 class-4 records, 15 minutes apart. */
typedef struct demo_curve {
    bool from_read, to_read;             /* the station's hourly register reads at the day's ends */
    prepay_energy_t from_reading, to_reading;
    int records;                         /* records decoded */
    bool aligned;                        /* 97 records at the expected instants, with class 4 */
    bool garbled;                        /* a reply that did not decode */
    prepay_energy_t first_wh, last_wh;   /* the register in the first and last record */
    prepay_energy_t quarter_wh[96];      /* energy per quarter hour */
    /* Rooms: the tariff stream fed every reading the settlement priced (as it feeds its own), so that
     * at the day's start it is in the settlement's state (cycle, tier position, carried remainder). */
    bool stream_primed, stream_failed;
    prepay_time_t stream_time;           /* the last reading fed */
    prepay_energy_t stream_reading;
    prepay_tariff_compact_state_t stream;
    bool day_start_kept;                 /* `day_start` holds the stream at the day's first reading */
    prepay_tariff_compact_state_t day_start;
    int day_readings;                    /* readings fed inside the day (24 when none was lost) */
} demo_curve_t;

typedef struct demo_curve_summary {
    int read, unread, malformed, compared, unmatched, mismatched;
    bool master_read;
    prepay_energy_t energy;                 /* Wh of the curves compared */
    /* The rooms' curves priced by the tariff stream against the day's register-based bill in the ledger. */
    int priced, priced_mismatched, priced_unmatched;
    prepay_money_t curve_fen, ledger_fen;   /* the priced rooms' day: curve dues and ledger charges */
    prepay_energy_t rooms_quarter_wh[96];   /* sum of the rooms' curves */
    prepay_energy_t master_quarter_wh[96];  /* the incomer's curve */
} demo_curve_summary_t;

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
    /* [0] the electricity tariff: rooms (with the file's household) and the common area; [1] the water tariff */
    prepay_settlement_tariff_t tariffs[2];
    prepay_tariff_doc_t *water_doc;
    /* Every room has a CJ/T 188 water meter on its account (demo_water.c): water and electricity from one
     * wallet. The water ladder's service period is the run (see docs/water.md). */
    bool has_water;
    size_t water_count;                /* rooms with a water meter (every room) */
    uint8_t water_ser;                 /* CJ/T 188 SER of the next request */
    int water_cycles;                  /* tier cycles the run touches */
    int32_t water_cycle_id[DEMO_WATER_CYCLES];
    prepay_time_t water_cycle_end[DEMO_WATER_CYCLES];
    /* Local rooms' water meters: the price table the station programs (the ladder's prices; steps = annual
     * bounds / 12 in whole m3, monthly cycles from the 1st) and their monthly cycles over the run. */
    size_t water_local_count;
    prepay_cjt188_price_table_t water_table;
    int local_cycles;
    prepay_time_t local_cycle_end[DEMO_WATER_CYCLES];
    prepay_wallet_policy_t policy;
    demo_room_t *rooms;
    size_t room_count;
    /* the common-area master meter (building incomer): a site meter, group 1 by floor area */
    prepay_dlt645_address_t master_address;
    uint32_t master_id;
    bool master_primed;
    prepay_energy_t master_first, master_last; /* register, Wh, as read */
    prepay_energy_t common_energy;     /* common energy of the closed periods (Wh) */
    prepay_money_t common_total;       /* common charge of the closed periods */
    int closes;
    /* settlement: the site, its books, work areas, and the events of the last call */
    prepay_settlement_memory_t site_memory;
    prepay_settlement_site_t site;
    prepay_settlement_books_t books;
    prepay_settlement_work_t work, close_work;
    bool has_memory, has_work, has_close_work;
    prepay_settlement_reading_t *batch;
    prepay_settlement_event_t *events_buf;
    size_t event_count, event_cap;
    bool event_overflow;
    prepay_ledger_t ledger;
    void *ledger_memory; /* prepay_ledger_memory_size(account_capacity, transfer_capacity) bytes */
    uint32_t account_capacity, transfer_capacity;
    /* hourly site load for the SVG */
    int hours;
    prepay_energy_t *rooms_wh, *master_wh;
    /* the last day's load curves: rooms, then the incomer (demo_curves.c) */
    demo_curve_t *curves;
    prepay_time_t curve_from, curve_to;
    /* emulator and station */
    pid_t emu_pid;
    int emu_port;
    station_link_t link;
    prepay_dlt645_reader_t reader;     /* the library's reply decoder (its DI cache) */
    uint64_t requests, failures, notifications;
    FILE *events;                      /* events.csv: every settlement event */
    FILE *notices;                     /* notifications.csv: what would be sent to tenants */
    int checks_failed;
} demo_t;

/* Each returns 0, or -1 after reporting the error through d->cli. */
int demo_make_site(demo_t *d, const char *site_path);
int demo_start_emulator(demo_t *d, const char *site_path);
void demo_stop_emulator(demo_t *d);
/* The settlement site and its books for the rooms (demo_make_site() first). */
int demo_settlement_open(demo_t *d);
void demo_settlement_free(demo_t *d);
/* End of the period that contains t: the next month start, or the run's end if sooner. */
prepay_time_t demo_period_end(const demo_t *d, prepay_time_t t);
/* Writes an event to events.csv and, if a tenant is told about it, to notifications.csv. */
void demo_record_event(demo_t *d, const prepay_settlement_event_t *e);
int demo_run(demo_t *d);
/* Load curves (demo_curves.c): the station's register read of meter `meter` (room index, or
 * room_count for the incomer) at t; the curves read from every meter; their summary; the day chart. */
void demo_curve_note(demo_t *d, size_t meter, prepay_time_t t, prepay_energy_t reading);
int demo_read_curves(demo_t *d);
void demo_curve_summary(const demo_t *d, demo_curve_summary_t *s);
/* The rooms' water meters over CJ/T 188 (demo_water.c): the tier cycles of the run (0, or -1 reported);
 * the valve command the account's last COMMAND asked for (0, or -1 link lost); one settle call for the water readings
 * of a round, each room's charge kept (0, or -1 reported); after the run, the final reads (settled where
 * the last hourly one was lost). */
int demo_water_cycles(demo_t *d);
/* A round's reads of every water meter (the pending valve commands first), several requests on the wire at
 * once: the readings into out[0..*n). 0, or -1 link lost. */
int demo_water_round(demo_t *d, prepay_time_t t, prepay_settlement_reading_t *out, size_t *n);
int demo_water_valve(demo_t *d, demo_room_t *r, prepay_time_t t);
int demo_water_settle(demo_t *d, const prepay_settlement_reading_t *readings, size_t count);
int demo_water_final(demo_t *d, prepay_time_t t);
/* After the final settle's events: the pending valve commands, then each valve's state read again. */
int demo_water_confirm(demo_t *d, prepay_time_t t);
/* Room r's water by tier over the run (L, up to 3 tiers: the last holds every tier above the second) and
 * the ladder applied to those litres (fen, half-up): computed from the readings and the tariff, not the
 * settlement. 0, or a negative status. */
int demo_water_tiers(const demo_t *d, const demo_room_t *r, prepay_energy_t litres[3], prepay_money_t *money);
/* Local rooms' water meters: the price table from the water ladder and the monthly cycles (0, or -1 reported);
 * a purchase sold out of the wallet (prepay_settlement_sell()) and to the meter (A013), retried until confirmed
 * (0, or -1 reported). */
/* The water part of a room's energy charges (books.energy): a remote room's water charges; a local room's water
 * purchases are sales (books.sold), not charges. */
static inline prepay_money_t demo_water_charged(const demo_room_t *r)
{
    return r->local ? 0 : r->water_money;
}
int demo_water_local_setup(demo_t *d);
int demo_water_buy(demo_t *d, demo_room_t *r, prepay_time_t t, prepay_money_t amount);
/* The purse the station believes a local water meter holds (fen): the last 8105 read, 0 once its valve was seen
 * shut. */
prepay_money_t demo_water_purse_view(const demo_room_t *r);
/* What a local water meter's purse holds when the slack of the register's resolution is allowed for: the money
 * the meter's own table gives the litres read, and the largest difference the 10 L register steps allow (fen). */
int demo_water_local_money(const demo_t *d, const demo_room_t *r, prepay_energy_t litres[3], prepay_money_t *money,
                           prepay_money_t *slack);
/* water.csv: one line per water meter. 0, or -1 if a write failed. */
int demo_water_write_csv(const demo_t *d, FILE *f);
int demo_write_day_svg(const demo_t *d, FILE *f);
/* Writes the report files and (without --json) prints the report; the totals go into
 * `totals` (a JSON object the caller owns). Returns 0, or -1 (a write failed, reported). */
int demo_report(demo_t *d, json_t *totals);
/* The hourly load of the run as a chart (load.svg: dated x axis, kW y axis with round
 * ticks, both titled, a legend) and as a table (load.csv, kWh per hour). 0, or -1 if a
 * write failed. */
int demo_chart_write_svg(const demo_t *d, FILE *f);
int demo_chart_write_csv(const demo_t *d, FILE *f);
/* Round axis for values up to max: the smallest step 1, 2 or 5 x 10^k covering max in
 * at most 6 steps, and the axis top (a multiple of the step >= max). 0, or -1 if none fits. */
int demo_chart_axis(int64_t max, int64_t *step, int64_t *top);
/* W as kW text, trailing zeros of the fraction dropped ("1.500" -> "1.5", "2.000" -> "2"). */
const char *demo_chart_kw_text(int64_t watts, char out[CLI_TEXT_MAX]);
/* The charts' legend (two series, one row under the title) and their y axis: grid lines and
 * round kW ticks from 0 to ymax (W) every step, the axis line and its title. */
void demo_chart_legend(FILE *f, int left, const char *const colors[2], const char *const names[2]);
void demo_chart_y_axis(FILE *f, int left, int right_x, int top, double plot_h, int64_t step, int64_t ymax,
                       const char *title);

/* The first of candidates (paths relative to the directory of the running program, each
 * starting with '/') that access(mode) accepts, into out. Returns 0, or -1 if none. */
int demo_beside_self(const char *const *candidates, size_t count, int mode, char *out, size_t cap);

#endif
