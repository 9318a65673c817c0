/* SPDX-License-Identifier: MIT */
/* prepay demo: the building (rooms, loads, habits) and the emulator process. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_file.h"
#include "cli_text.h"
#include "demo.h"

extern char **environ;

static uint32_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*state >> 33);
}

/* A plausible residential day: base load, a morning and an evening peak. */
static void make_profile(uint64_t *rng, int32_t profile[24])
{
    int32_t base = 60 + (int32_t)(next_random(rng) % 120);
    int32_t morning = 250 + (int32_t)(next_random(rng) % 500);
    int32_t day = (int32_t)(next_random(rng) % 250);
    int32_t evening = 500 + (int32_t)(next_random(rng) % 1200);
    for (int h = 0; h < 24; h++) {
        int32_t w = base;
        if (h >= 6 && h < 9) {
            w += morning;
        } else if (h >= 9 && h < 18) {
            w += day;
        } else if (h >= 18 && h < 23) {
            w += evening - (h == 22 ? evening / 2 : 0);
        }
        profile[h] = w;
    }
}

/* The site file for prepay-emu (docs/emulator.md), written through jansson. */
static json_t *site_document(const demo_t *d, const char *tariff_abs)
{
    char text[CLI_TEXT_MAX];
    json_t *site = json_object();
    cli_set(site, "format", json_string("prepay-site/1"));
    snprintf(text, sizeof text, "Demo building: %zu prepaid rooms", d->room_count);
    cli_set(site, "name", json_string(text));
    cli_set(site, "start", cli_json_time(d->start, PREPAY_TIME_TEXT_MINUTE));
    cli_set(site, "tariff", cli_json_text(tariff_abs));
    json_t *policy = json_object();
    cli_set(policy, "pretrip", json_false());
    cli_set(site, "policy", policy);
    json_t *defaults = json_object();
    cli_set(defaults, "mode", json_string("remote"));
    cli_set(defaults, "alarm1", json_string("20.00"));
    cli_set(defaults, "alarm2", json_string("10.00"));
    cli_set(site, "defaults", defaults);
    json_t *meters = json_array();
    for (size_t i = 0; i < d->room_count; i++) {
        const demo_room_t *r = &d->rooms[i];
        json_t *m = json_object();
        cli_set(m, "address", json_string(r->address_text));
        cli_set(m, "mode", json_string(r->local ? "local" : "remote"));
        /* A local room's opening balance is split: its water part goes to the water meter as purchase 1. */
        cli_set(m, "purse", cli_json_fixed(r->local ? r->initial - r->water_opening : 0, 2));
        json_t *load = json_object(), *profile = json_array();
        cli_set(load, "step", json_integer(3600));
        for (int h = 0; h < 24; h++) {
            json_array_append_new(profile, json_integer(r->profile[h]));
        }
        cli_set(load, "profile", profile);
        cli_set(m, "load", load);
        json_array_append_new(meters, m);
    }
    /* The building incomer: every room, plus 1.5 kW of lifts and corridor lighting, plus 2 % line losses. */
    json_t *incomer = json_object(), *constant = json_object();
    cli_set(incomer, "address", json_string("000000999999"));
    cli_set(incomer, "mode", json_string("remote"));
    cli_set(incomer, "feeds", json_string("all"));
    cli_set(incomer, "losses", json_string("0.02"));
    cli_set(constant, "watts", json_integer(1500));
    cli_set(incomer, "load", constant);
    json_array_append_new(meters, incomer);
    cli_set(site, "meters", meters);
    if (d->has_water && d->water_count > 0) {
        /* The rooms' taps, L/h by hour: showers in the morning and the evening, little at night (575 L a
         * day), scaled per room (water_scale %). */
        static const int flow[24] = {0, 0, 0, 0, 0, 5, 60, 80, 30, 10, 10, 20, 40, 20, 10, 10, 10, 20, 60, 80, 60, 40, 10, 0};
        json_t *waters = json_array();
        for (size_t i = 0; i < d->room_count; i++) {
            const demo_room_t *r = &d->rooms[i];
            if (!r->water) {
                continue;
            }
            json_t *w = json_object(), *profile = json_array();
            cli_set(w, "address", json_string(r->water_address_text));
            if (r->local) {
                /* Its own purse: no opening purse and free water until the station programs the price table
                 * (A010) and sells purchase 1 (A013); an empty purse holds the valve shut. Closes only at zero. */
                cli_set(w, "mode", json_string("money"));
                cli_set(w, "alarm", json_string("0.00"));
            } else {
                cli_set(w, "mode", json_string("remote"));
            }
            for (int h = 0; h < 24; h++) {
                json_array_append_new(profile, json_integer(flow[h] * r->water_scale / 100));
            }
            cli_set(w, "flow", profile);
            json_array_append_new(waters, w);
        }
        cli_set(site, "water_meters", waters);
    }
    json_t *faults = json_object();
    cli_set(faults, "seed", cli_json_u64(d->opt.seed));
    cli_set(faults, "drop", cli_json_fixed(d->opt.drop, 6));
    cli_set(faults, "corrupt", cli_json_fixed(d->opt.corrupt, 6));
    cli_set(site, "faults", faults);
    return site;
}

int demo_make_site(demo_t *d, const char *site_path)
{
    uint64_t rng = d->opt.seed * 2654435761u + 12345u;
    d->room_count = (size_t)d->opt.meters;
    d->rooms = calloc(d->room_count, sizeof *d->rooms);
    if (!d->rooms) {
        cli_fail(d->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        unsigned floor = (unsigned)(i / 10) + 1, number = (unsigned)(i % 10) + 1;
        snprintf(r->name, sizeof r->name, "R%u%02u", floor % 1000u, number);
        snprintf(r->address_text, sizeof r->address_text, "%012u", 100000u + floor * 100u + number);
        int status = prepay_dlt645_address_from_string(r->address_text, 12, &r->address);
        if (status != PREPAY_OK) {
            cli_fail(d->cli, status, "room %s: address %s: %s", r->name, r->address_text, prepay_strerror(status));
            return -1;
        }
        r->local = i % 10 == 9;
        r->habit = i == 2 ? HABIT_NEVER : (i % 7 == 5 ? HABIT_LATE : HABIT_PROMPT);
        r->area = 4000 + (int64_t)(i % 6) * 1250; /* 40.00 .. 102.50 m2 */
        r->initial = 4000 + (prepay_money_t)(i % 5) * 1000;
        r->id = (uint32_t)i + 1u;
        make_profile(&rng, r->profile);
    }
    d->master_id = (uint32_t)d->room_count + 1u;
    for (size_t i = 0; i < d->room_count && d->has_water; i++) {
        /* A water meter in every room. Remote rooms: remote mode, its valve driven from the account's relay
         * commands. Local rooms (the electricity meter keeps its own purse and decides its relay): a money-mode
         * meter with its own purse, topped up by purchases sold out of the same wallet (prepay_settlement_sell());
         * it is not a settlement meter. */
        demo_room_t *r = &d->rooms[i];
        r->water_valve_want = -1;
        r->water = true;
        r->water_id = d->master_id + 1u + (uint32_t)i;
        r->water_valve_open = true; /* remote: starts open; local: counted from the opening purchase */
        if (r->local) {
            /* The opening balance's water part: the recharge rule of demo_run.c (half, up to the target). */
            r->water_opening = r->initial / 2 < DEMO_WATER_TARGET ? r->initial / 2 : DEMO_WATER_TARGET;
            d->water_local_count++;
        }
        r->water_scale = 60 + (int)(next_random(&rng) % 101u); /* 60 .. 160 % of the profile */
        snprintf(r->water_address_text, sizeof r->water_address_text, "00%s", r->address_text);
        int ws = prepay_cjt188_address_from_string(r->water_address_text, 14, &r->water_address);
        if (ws != PREPAY_OK) {
            cli_fail(d->cli, ws, "water meter address %s: %s", r->water_address_text, prepay_strerror(ws));
            return -1;
        }
        d->water_count++;
    }
    int status = prepay_dlt645_address_from_string("000000999999", 12, &d->master_address);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "incomer address: %s", prepay_strerror(status));
        return -1;
    }
    char tariff_abs[PATH_MAX], err[CLI_MESSAGE_MAX];
    if (!realpath(d->opt.tariff_path, tariff_abs)) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "cannot find the tariff %s: %s", d->opt.tariff_path, strerror(errno));
        return -1;
    }
    cli_output_t out;
    if (cli_output_open(&out, site_path, err, sizeof err) != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "%s", err);
        return -1;
    }
    json_t *site = site_document(d, tariff_abs);
    int written = site ? json_dumpf(site, out.file, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
    json_decref(site);
    if (written != 0 || fputc('\n', out.file) == EOF) {
        cli_output_abort(&out);
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "cannot write %s", site_path);
        return -1;
    }
    if (cli_output_commit(&out, err, sizeof err) != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "%s", err);
        return -1;
    }
    return 0;
}

static int find_emulator(const demo_t *d, char *out, size_t cap)
{
    if (d->opt.emu_path) {
        snprintf(out, cap, "%s", d->opt.emu_path);
        return 0;
    }
    const char *env = getenv("PREPAY_EMU");
    if (env && *env) {
        snprintf(out, cap, "%s", env);
        return 0;
    }
    static const char *const beside[] = {"/../prepay-emu/prepay-emu", "/prepay-emu"};
    if (demo_beside_self(beside, 2, X_OK, out, cap) != 0) {
        snprintf(out, cap, "prepay-emu"); /* on PATH */
    }
    return 0;
}

int demo_beside_self(const char *const *candidates, size_t count, int mode, char *out, size_t cap)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
    if (slash == NULL) {
        return -1;
    }
    *slash = '\0';
    for (size_t i = 0; i < count; i++) {
        int w = snprintf(out, cap, "%s%s", self, candidates[i]);
        if (w > 0 && (size_t)w < cap && access(out, mode) == 0) {
            return 0;
        }
    }
    return -1;
}

int demo_start_emulator(demo_t *d, const char *site_path)
{
    char emu[PATH_MAX], ready[PATH_MAX];
    find_emulator(d, emu, sizeof emu);
    snprintf(ready, sizeof ready, "%s/emulator.ready", d->opt.out_dir);
    unlink(ready);
    /* posix_spawn takes mutable strings: copy the constant arguments. The
     * emulator exits with the demo (--exit-with-parent) and logs to a file,
     * so a demo that dies never leaves a process holding its caller's
     * stdout or stderr (a test runner would wait for them to close). */
    char site[PATH_MAX], log[PATH_MAX], bus_flag[] = "--bus-port", any_port[] = "0", ready_flag[] = "--ready-file",
                                        quiet[] = "--quiet", with_parent[] = "--exit-with-parent";
    snprintf(site, sizeof site, "%s", site_path);
    snprintf(log, sizeof log, "%s/emulator.log", d->opt.out_dir);
    char *args[] = {emu, site, bus_flag, any_port, ready_flag, ready, quiet, with_parent, NULL};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = posix_spawnp(&d->emu_pid, emu, &actions, NULL, args, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "cannot start the emulator %s: %s", emu, strerror(rc));
        return -1;
    }
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(ready, "r");
        if (f) {
            int port = -1;
            int got = fscanf(f, "bus_port=%d", &port);
            fclose(f);
            if (got == 1 && port > 0) {
                d->emu_port = port;
                return 0;
            }
        }
        int status;
        if (waitpid(d->emu_pid, &status, WNOHANG) == d->emu_pid) {
            cli_fail(d->cli, PREPAY_E_HOSTED_IO, "the emulator exited during start-up (see %s)", log);
            d->emu_pid = 0;
            return -1;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cli_fail(d->cli, PREPAY_E_HOSTED_IO, "the emulator did not start within 10 s (see %s)", log);
    return -1;
}

void demo_stop_emulator(demo_t *d)
{
    if (d->emu_pid > 0) {
        kill(d->emu_pid, SIGTERM);
        int status;
        waitpid(d->emu_pid, &status, 0);
        d->emu_pid = 0;
    }
}
