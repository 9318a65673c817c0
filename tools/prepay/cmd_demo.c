/*
 * prepay demo [--days N] [--meters M] [--out DIR] [--seed S] [--tariff T.json]
 *
 * Runs a building of prepaid rooms end to end on one machine: the emulator
 * serves the meters over loopback TCP, the station reads them every hour,
 * the platform prices, deducts, alarms, cuts off, restores, recharges and
 * allocates the common area, then prints the month-end report.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "demo.h"

#define DEFAULT_TARIFF "tariffs/guangzhou_residential_tou.json"

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
static int find_tariff(char *out, size_t cap)
{
    const char *rel[] = {"examples/" DEFAULT_TARIFF, "../examples/" DEFAULT_TARIFF};
    for (size_t i = 0; i < 2; i++) {
        if (access(rel[i], R_OK) == 0) {
            snprintf(out, cap, "%s", rel[i]);
            return 0;
        }
    }
    if (PREPAY_DATADIR[0] != '\0' && readable_at(out, cap, PREPAY_DATADIR, "/", DEFAULT_TARIFF)) {
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
        if (readable_at(out, cap, self, "/../share/prepay/", DEFAULT_TARIFF)) {
            return 0;
        }
    }
    if (in_build_tree && PREPAY_SOURCE_DATADIR[0] != '\0' &&
        readable_at(out, cap, PREPAY_SOURCE_DATADIR, "/", DEFAULT_TARIFF)) {
        return 0;
    }
    return -1;
}

static int parse_int(const char *text, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < lo || v > hi) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: prepay demo [--days N] [--meters M] [--out DIR] [--seed S] [--tariff T.json]\n"
                "                   [--drop P] [--corrupt P] [--timeout-ms N] [--emulator PATH]\n"
                "  Runs a building of M prepaid rooms (default 50) for N days (default 30) against the\n"
                "  DL/T 645 emulator over loopback TCP and prints the month-end report. --drop and\n"
                "  --corrupt make the emulator lose or garble that share of its replies.\n"
                "  Exits 1 if any cross-check between ledger, meters and station fails.\n");
}

int prepay_demo_options_parse(int argc, char **argv, demo_options_t *o, bool *help, char *err, size_t err_cap)
{
    memset(o, 0, sizeof *o);
    *help = false;
    o->days = 30;
    o->meters = 50;
    o->seed = 1;
    o->out_dir = "demo-out";
    o->timeout_ms = 500;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *help = true;
            return 0;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            snprintf(err, err_cap, "%.64s needs a value", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--days") == 0) {
            if (parse_int(v, 1, 366, &o->days) != 0) {
                snprintf(err, err_cap, "--days takes 1..366");
                return 2;
            }
        } else if (strcmp(a, "--meters") == 0) {
            if (parse_int(v, 1, 5000, &o->meters) != 0) {
                snprintf(err, err_cap, "--meters takes 1..5000");
                return 2;
            }
        } else if (strcmp(a, "--timeout-ms") == 0) {
            if (parse_int(v, 1, 60000, &o->timeout_ms) != 0) {
                snprintf(err, err_cap, "--timeout-ms takes 1..60000");
                return 2;
            }
        } else if (strcmp(a, "--seed") == 0) {
            int seed;
            if (parse_int(v, 0, INT_MAX, &seed) != 0) {
                snprintf(err, err_cap, "--seed takes a non-negative integer");
                return 2;
            }
            o->seed = (uint64_t)seed;
        } else if (strcmp(a, "--out") == 0) {
            o->out_dir = v;
        } else if (strcmp(a, "--tariff") == 0) {
            o->tariff_path = v;
        } else if (strcmp(a, "--drop") == 0 || strcmp(a, "--corrupt") == 0) {
            int64_t p;
            if (prepay_fixed_parse(v, strlen(v), 6, &p) != PREPAY_OK || p < 0 || p > 500000) {
                snprintf(err, err_cap, "%s takes a probability from 0 to 0.5, e.g. 0.02", a);
                return 2;
            }
            if (a[2] == 'd') {
                o->drop = v;
            } else {
                o->corrupt = v;
            }
        } else if (strcmp(a, "--emulator") == 0) {
            o->emu_path = v;
        } else {
            snprintf(err, err_cap, "unknown option %.64s (try --help)", a);
            return 2;
        }
    }
    return 0;
}

int prepay_tool_demo(int argc, char **argv)
{
    static demo_t d;
    memset(&d, 0, sizeof d);
    char tariff[PATH_MAX];
    bool help = false;
    char why[256];
    if (prepay_demo_options_parse(argc, argv, &d.opt, &help, why, sizeof why) != 0) {
        fprintf(stderr, "prepay demo: %s\n", why);
        return 2;
    }
    if (help) {
        usage(stdout);
        return 0;
    }
    if (!d.opt.tariff_path) {
        if (find_tariff(tariff, sizeof tariff) != 0) {
            fprintf(stderr, "prepay demo: cannot find %s; give --tariff\n", DEFAULT_TARIFF);
            return 2;
        }
        d.opt.tariff_path = tariff;
    }
    if (mkdir(d.opt.out_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "prepay demo: cannot create %s: %s\n", d.opt.out_dir, strerror(errno));
        return 2;
    }
    struct timespec wall0;
    clock_gettime(CLOCK_MONOTONIC, &wall0);
    d.doc = malloc(sizeof *d.doc);
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    if (!d.doc || prepay_tariff_doc_load_file(d.opt.tariff_path, d.doc, err, sizeof err) != PREPAY_OK) {
        fprintf(stderr, "prepay demo: %s\n", d.doc ? err : "out of memory");
        free(d.doc);
        return 2;
    }
    prepay_tariff_doc_plan(d.doc, &d.plan);
    prepay_wallet_policy_default(&d.policy);
    d.policy.pretrip_level = 0; /* nobody presses a meter button in the demo */
    prepay_civil_t start = {2026, 11, 1, 0, 0, 0, 0};
    prepay_time_from_civil(&start, &d.start);
    d.hours = d.opt.days * 24;
    char site_path[PATH_MAX], events_path[PATH_MAX];
    snprintf(site_path, sizeof site_path, "%s/site.json", d.opt.out_dir);
    snprintf(events_path, sizeof events_path, "%s/events.csv", d.opt.out_dir);
    int rc = 1;
    if (demo_make_site(&d, site_path) != 0) {
        goto out;
    }
    d.account_capacity = (uint32_t)(2 * d.room_count + 8);
    d.transfer_capacity = (uint32_t)((size_t)d.hours * d.room_count + 64 * d.room_count + 256);
    d.accounts = calloc(d.account_capacity, sizeof *d.accounts);
    d.account_index = calloc(4 * (size_t)d.account_capacity + 4, sizeof *d.account_index);
    d.entries = calloc(d.transfer_capacity, sizeof *d.entries);
    d.transfer_index = calloc(4 * (size_t)d.transfer_capacity + 4, sizeof *d.transfer_index);
    d.rooms_wh = calloc((size_t)d.hours, sizeof *d.rooms_wh);
    d.master_wh = calloc((size_t)d.hours, sizeof *d.master_wh);
    d.events = fopen(events_path, "w");
    if (!d.accounts || !d.account_index || !d.entries || !d.transfer_index || !d.rooms_wh || !d.master_wh ||
        !d.events) {
        fprintf(stderr, "prepay demo: out of memory or cannot write %s\n", events_path);
        goto out;
    }
    fprintf(d.events, "time,room,event,detail\n");
    printf("prepay demo: %zu rooms for %d days, tariff \"%s\"\n", d.room_count, d.opt.days, d.doc->name);
    if (demo_start_emulator(&d, argv[0], site_path) != 0) {
        goto out;
    }
    printf("emulator: prepay-emu serving %zu meters + the building incomer on 127.0.0.1:%d (one DTU bus)\n",
           d.room_count, d.emu_port);
    if (demo_run(&d) != 0) {
        goto out;
    }
    fclose(d.events);
    d.events = NULL;
    rc = demo_report(&d) == 0 ? 0 : 1;
    struct timespec wall1;
    clock_gettime(CLOCK_MONOTONIC, &wall1);
    double seconds = (double)(wall1.tv_sec - wall0.tv_sec) + (double)(wall1.tv_nsec - wall0.tv_nsec) / 1e9;
    printf("%d simulated days x %zu meters in %.1f s of wall time\n", d.opt.days, d.room_count, seconds);
out:
    demo_stop_emulator(&d);
    if (d.events) {
        fclose(d.events);
    }
    free(d.accounts);
    free(d.account_index);
    free(d.entries);
    free(d.transfer_index);
    free(d.rooms_wh);
    free(d.master_wh);
    free(d.rooms);
    free(d.doc);
    return rc;
}
