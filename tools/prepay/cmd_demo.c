/* SPDX-License-Identifier: MIT */
/*
 * prepay demo [--days N] [--meters M] [--out DIR] [--seed S] [--tariff T.json] [--json]
 *
 * Runs a building of prepaid rooms end to end on one machine: the emulator
 * serves the meters over loopback TCP, the station reads them every hour,
 * the platform prices, deducts, alarms, cuts off, restores, recharges and
 * allocates the common area, then prints the month-end report. Input
 * (options, the tariff) is read and checked before the output directory
 * is touched; conventions: docs/cli.md.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_file.h"
#include "cli_options.h"
#include "commands.h"
#include "demo.h"

#define DEFAULT_TARIFF "tariffs/guangzhou_residential_tou.json"
/* The water tariff of the rooms' water meters (shipped, found like the default tariff). */
#define WATER_TARIFF "tariffs/beijing_water_residential.json"
/* Largest tariff file read. */
#define TARIFF_FILE_MAX (64u * 1024u * 1024u)

/* Where the example data lives: the meson build compiles in the installed
 * data directory (<prefix>/<datadir>/prepay, with examples/tariffs and
 * examples/sites installed there) and the source tree's examples/ for runs
 * of the executable inside its build directory, before anything is
 * installed (an installed copy never falls back to the source tree). */
#ifndef PREPAY_DATADIR
#define PREPAY_DATADIR ""
#endif
#ifndef PREPAY_SOURCE_DATADIR
#define PREPAY_SOURCE_DATADIR ""
#endif
#ifndef PREPAY_BUILD_ROOT
#define PREPAY_BUILD_ROOT ""
#endif

static bool readable_at(char *out, size_t cap, const char *dir, const char *sep, const char *file)
{
    int w = snprintf(out, cap, "%s%s%s", dir, sep, file);
    return w > 0 && (size_t)w < cap && access(out, R_OK) == 0;
}

/* Order: ./examples (a run from the source tree), the installed data
 * directory, the data directory beside the executable (a relocated or
 * DESTDIR-staged install: <prefix>/bin/../share/prepay), then, for an
 * executable inside the build tree, the source tree the build came from. */
static int find_data(const char *name, char *out, size_t cap)
{
    const char *rel[] = {"examples/", "../examples/"};
    for (size_t i = 0; i < 2; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s%s", rel[i], name);
        if (access(path, R_OK) == 0) {
            snprintf(out, cap, "%s", path);
            return 0;
        }
    }
    if (PREPAY_DATADIR[0] != '\0' && readable_at(out, cap, PREPAY_DATADIR, "/", name)) {
        return 0;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        return -1;
    }
    self[n] = '\0';
    size_t root_len = strlen(PREPAY_BUILD_ROOT);
    bool in_build_tree = root_len > 0 && strncmp(self, PREPAY_BUILD_ROOT, root_len) == 0 && self[root_len] == '/';
    char *slash = strrchr(self, '/');
    if (slash) {
        *slash = '\0';
        if (readable_at(out, cap, self, "/../share/prepay/", name)) {
            return 0;
        }
    }
    if (in_build_tree && PREPAY_SOURCE_DATADIR[0] != '\0' &&
        readable_at(out, cap, PREPAY_SOURCE_DATADIR, "/", name)) {
        return 0;
    }
    return -1;
}

static const cli_option_t demo_options[] = {
    {"days", CLI_OPT_INT(demo_options_t, days, 1, 366), .help = "simulated days (default 30)"},
    {"meters", CLI_OPT_INT(demo_options_t, meters, 1, 5000), .help = "prepaid rooms (default 50)"},
    {"out", CLI_OPT_TEXT(demo_options_t, out_dir), .arg = "DIR",
     .help = "where the report, events, site file and chart go (default demo-out)"},
    {"seed", CLI_OPT_U64(demo_options_t, seed), .help = "the simulation's seed (default 1)"},
    {"tariff", CLI_OPT_TEXT(demo_options_t, tariff_path), .arg = "T.json",
     .help = "the tariff (default: the shipped Guangzhou residential TOU tariff)"},
    {"drop", CLI_OPT_DECIMAL(demo_options_t, drop, 6, 0, 500000), .arg = "P",
     .help = "the emulator drops this share of its replies (0..0.5, e.g. 0.02)"},
    {"corrupt", CLI_OPT_DECIMAL(demo_options_t, corrupt, 6, 0, 500000), .arg = "P",
     .help = "the emulator garbles this share of its replies (0..0.5)"},
    {"timeout-ms", CLI_OPT_INT(demo_options_t, timeout_ms, 1, 60000), .arg = "N",
     .help = "the station's reply timeout (default 500)"},
    {"emulator", CLI_OPT_TEXT(demo_options_t, emu_path), .arg = "PATH",
     .help = "the prepay-emu program (default: beside prepay, or $PREPAY_EMU, or on PATH)"},
    {.name = NULL},
};

static const cli_spec_t demo_spec = {
    .program = "prepay demo",
    .usage = "[--days N] [--meters M] [--out DIR] [--seed S] [--tariff T.json] [--drop P] [--corrupt P]\n"
             " [--timeout-ms N] [--emulator PATH] [--json]",
    .summary = "Runs a building of M prepaid rooms for N days against the DL/T 645 emulator over loopback TCP\n"
               "(a CJ/T 188 water meter in every room, on the same wallet) and prints the month-end\n"
               "report; writes report.csv, report.json, water.csv, events.csv, notifications.csv, site.json,\n"
               "load.svg and load.csv into DIR.",
    .options = demo_options,
    .json = true,
    .notes = "Exits 1 if any cross-check between ledger, meters and station fails. With --json the report is\n"
             "not printed; one JSON object sums it up (the files as in text mode).",
};

int prepay_demo_options_parse(int argc, char **argv, demo_options_t *o, cli_args_t *args, char *err, size_t err_cap)
{
    memset(o, 0, sizeof *o);
    o->days = 30;
    o->meters = 50;
    o->seed = 1;
    o->out_dir = "demo-out";
    o->timeout_ms = 500;
    int rc = cli_parse(&demo_spec, argc, argv, o, args, err, err_cap);
    o->json = args->json;
    if (rc == 0 && !args->help && !args->version && (o->out_dir[0] == '\0' || strcmp(o->out_dir, "-") == 0)) {
        snprintf(err, err_cap, "--out needs a directory");
        return CLI_EXIT_USAGE;
    }
    return rc;
}

static void demo_free(demo_t *d)
{
    demo_stop_emulator(d);
    if (d->events) {
        fclose(d->events);
    }
    if (d->notices) {
        fclose(d->notices);
    }
    demo_settlement_free(d);
    free(d->rooms_wh);
    free(d->master_wh);
    free(d->curves);
    free(d->rooms);
    free(d->doc);
    free(d->water_doc);
}

/* The water meters' tariff (a water ladder), read and checked before anything is written. */
static int load_water_tariff(demo_t *d)
{
    char path[PATH_MAX], err[PREPAY_TARIFF_JSON_ERROR_MAX];
    if (find_data(WATER_TARIFF, path, sizeof path) != 0) {
        return cli_bad(d->cli, "cannot find %s (the water tariff)", WATER_TARIFF);
    }
    char *text = NULL;
    size_t len = 0;
    int status = PREPAY_OK;
    if (cli_read_input(path, TARIFF_FILE_MAX, &text, &len, &status, err, sizeof err) != 0) {
        return cli_bad_status(d->cli, status, "%s", err);
    }
    d->water_doc = malloc(sizeof *d->water_doc);
    status = d->water_doc ? prepay_tariff_doc_load_buffer(text, len, cli_input_name(path), d->water_doc, err,
                                                          sizeof err)
                          : PREPAY_E_HOSTED_NO_MEMORY;
    free(text);
    if (status == PREPAY_OK && d->water_doc->sets[0].cycle_kind == PREPAY_CYCLE_YEAR &&
        d->water_doc->sets[0].proration == PREPAY_PRORATE_NONE) {
        /* An annual ladder prorated by month: bounds x months of the year the service (the run) touches / 12,
         * so that a month's run meets the tiers a household meets in a month (docs/water.md). */
        d->water_doc->sets[0].proration = PREPAY_PRORATE_BY_MONTH;
        if (d->water_doc->has_set_b) {
            d->water_doc->sets[1].proration = PREPAY_PRORATE_BY_MONTH;
        }
    }
    if (status == PREPAY_OK) {
        status = prepay_tariff_doc_plan(d->water_doc, &d->tariffs[1].plan);
    }
    if (status != PREPAY_OK) {
        return cli_bad_status(d->cli, status, "%s", d->water_doc ? err : "out of memory");
    }
    d->has_water = true;
    return CLI_EXIT_OK;
}

/* Input: the tariff, read and checked before anything is written. */
static int load_tariff(demo_t *d, char *tariff, size_t cap)
{
    if (!d->opt.tariff_path) {
        if (find_data(DEFAULT_TARIFF, tariff, cap) != 0) {
            return cli_bad(d->cli, "cannot find %s; give --tariff", DEFAULT_TARIFF);
        }
        d->opt.tariff_path = tariff;
    }
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    char *text = NULL;
    size_t len = 0;
    int status = PREPAY_OK;
    if (cli_read_input(d->opt.tariff_path, TARIFF_FILE_MAX, &text, &len, &status, err, sizeof err) != 0) {
        return cli_bad_status(d->cli, status, "%s", err);
    }
    d->doc = malloc(sizeof *d->doc);
    status = d->doc ? prepay_tariff_doc_load_buffer(text, len, cli_input_name(d->opt.tariff_path), d->doc, err,
                                                    sizeof err)
                    : PREPAY_E_HOSTED_NO_MEMORY;
    free(text);
    if (status == PREPAY_OK) {
        status = prepay_tariff_doc_plan(d->doc, &d->tariffs[0].plan);
    }
    if (status != PREPAY_OK) {
        return cli_bad_status(d->cli, status, "%s", d->doc ? err : "out of memory");
    }
    return load_water_tariff(d);
}

/* The run's memory and files; returns 0 or reports. */
static int prepare(demo_t *d, const char *events_path, const char *notices_path)
{
    d->rooms_wh = calloc((size_t)d->hours, sizeof *d->rooms_wh);
    d->master_wh = calloc((size_t)d->hours, sizeof *d->master_wh);
    if (!d->rooms_wh || !d->master_wh) {
        return cli_fail(d->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    d->events = fopen(events_path, "w");
    d->notices = d->events ? fopen(notices_path, "w") : NULL;
    if (!d->events || !d->notices) {
        return cli_fail(d->cli, PREPAY_E_HOSTED_IO, "cannot write %s: %s", d->events ? notices_path : events_path,
                        strerror(errno));
    }
    fprintf(d->events, "time,room,event,amount_yuan,balance_yuan,alarm_level,energy_wh\n");
    fprintf(d->notices, "time,room,channel,message\n");
    return CLI_EXIT_OK;
}

/* Run and output: the site, the emulator, the simulated days, the report. Returns the exit status. */
static int run(demo_t *d, const char *site_path, const char *events_path, const char *notices_path)
{
    struct timespec wall0, wall1;
    clock_gettime(CLOCK_MONOTONIC, &wall0);
    if (demo_make_site(d, site_path) != 0 || prepare(d, events_path, notices_path) != CLI_EXIT_OK) {
        return CLI_EXIT_FAILED;
    }
    if (!d->opt.json) {
        printf("prepay demo: %zu rooms for %d days, tariff \"%s\"\n", d->room_count, d->opt.days, d->doc->name);
    }
    if (demo_start_emulator(d, site_path) != 0) {
        return CLI_EXIT_FAILED;
    }
    if (!d->opt.json) {
        printf("emulator: prepay-emu serving %zu meters + the building incomer on 127.0.0.1:%d (one DTU bus)\n",
               d->room_count, d->emu_port);
    }
    if (demo_run(d) != 0) {
        return CLI_EXIT_FAILED;
    }
    int closed = fclose(d->events);
    d->events = NULL;
    if (closed != 0) {
        return cli_fail(d->cli, PREPAY_E_HOSTED_IO, "cannot write %s: %s", events_path, strerror(errno));
    }
    closed = fclose(d->notices);
    d->notices = NULL;
    if (closed != 0) {
        return cli_fail(d->cli, PREPAY_E_HOSTED_IO, "cannot write %s: %s", notices_path, strerror(errno));
    }
    json_t *totals = json_object();
    int rc = demo_report(d, totals) != 0 ? CLI_EXIT_FAILED
             : d->checks_failed > 0      ? cli_fail(d->cli, PREPAY_E_BAD_STATE, "%d cross-checks failed (see the report)",
                                                    d->checks_failed)
                                         : CLI_EXIT_OK;
    if (rc == CLI_EXIT_OK && d->opt.json) {
        json_t *o = cli_result();
        cli_set(o, "tariff", cli_json_text(d->doc->name));
        cli_set(o, "rooms", json_integer((json_int_t)d->room_count));
        cli_set(o, "days", json_integer(d->opt.days));
        cli_set(o, "out", cli_json_text(d->opt.out_dir));
        cli_set(o, "totals", json_incref(totals));
        cli_set(o, "checks_failed", json_integer(d->checks_failed));
        rc = cli_emit(d->cli, o);
    } else if (rc == CLI_EXIT_OK) {
        clock_gettime(CLOCK_MONOTONIC, &wall1);
        double seconds = (double)(wall1.tv_sec - wall0.tv_sec) + (double)(wall1.tv_nsec - wall0.tv_nsec) / 1e9;
        printf("%d simulated days x %zu meters in %.1f s of wall time\n", d->opt.days, d->room_count, seconds);
    }
    json_decref(totals);
    return rc;
}

int prepay_tool_demo(int argc, char **argv)
{
    static demo_t d;
    memset(&d, 0, sizeof d);
    cli_t cli;
    cli_args_t args;
    char err[CLI_MESSAGE_MAX], tariff[PATH_MAX];
    int rc = cli_begin(&cli, &demo_spec, &args, prepay_demo_options_parse(argc, argv, &d.opt, &args, err, sizeof err),
                       err);
    d.cli = &cli;
    if (rc >= 0 || (rc = load_tariff(&d, tariff, sizeof tariff)) != CLI_EXIT_OK) {
        free(d.doc);
        return rc;
    }
    if (mkdir(d.opt.out_dir, 0755) != 0 && errno != EEXIST) {
        free(d.doc);
        return cli_fail(&cli, PREPAY_E_HOSTED_IO, "cannot create %s: %s", d.opt.out_dir, strerror(errno));
    }
    prepay_wallet_policy_default(&d.policy);
    d.policy.pretrip_level = 0; /* nobody presses a meter button in the demo */
    prepay_civil_t start = {2026, 11, 1, 0, 0, 0, 0};
    int status = prepay_time_from_civil(&start, &d.start);
    d.hours = d.opt.days * 24;
    char site_path[PATH_MAX], events_path[PATH_MAX], notices_path[PATH_MAX];
    snprintf(site_path, sizeof site_path, "%s/site.json", d.opt.out_dir);
    snprintf(events_path, sizeof events_path, "%s/events.csv", d.opt.out_dir);
    snprintf(notices_path, sizeof notices_path, "%s/notifications.csv", d.opt.out_dir);
    rc = status == PREPAY_OK ? run(&d, site_path, events_path, notices_path)
                             : cli_fail(&cli, status, "the start time: %s", prepay_strerror(status));
    demo_free(&d);
    return rc;
}
