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

int demo_make_site(demo_t *d, const char *site_path)
{
    uint64_t rng = d->opt.seed * 2654435761u + 12345u;
    d->room_count = (size_t)d->opt.meters;
    d->rooms = calloc(d->room_count, sizeof *d->rooms);
    if (!d->rooms) {
        return -1;
    }
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        unsigned floor = (unsigned)(i / 10) + 1, number = (unsigned)(i % 10) + 1;
        snprintf(r->name, sizeof r->name, "R%u%02u", floor % 1000u, number);
        snprintf(r->address_text, sizeof r->address_text, "%012u", 100000u + floor * 100u + number);
        prepay_dlt645_address_from_string(r->address_text, 12, &r->address);
        r->local = i % 10 == 9;
        r->habit = i == 2 ? HABIT_NEVER : (i % 7 == 5 ? HABIT_LATE : HABIT_PROMPT);
        r->area = 4000 + (int64_t)(i % 6) * 1250; /* 40.00 .. 102.50 m2 */
        r->initial = 4000 + (prepay_money_t)(i % 5) * 1000;
        r->wallet_id = DEMO_WALLET_BASE + i;
        make_profile(&rng, r->profile);
    }
    prepay_dlt645_address_from_string("000000999999", 12, &d->master_address);

    char tariff_abs[PATH_MAX];
    if (!realpath(d->opt.tariff_path, tariff_abs)) {
        fprintf(stderr, "prepay demo: cannot find the tariff %s\n", d->opt.tariff_path);
        return -1;
    }
    FILE *f = fopen(site_path, "w");
    if (!f) {
        fprintf(stderr, "prepay demo: cannot write %s\n", site_path);
        return -1;
    }
    char start[32];
    prepay_civil_t c;
    prepay_time_to_civil(d->start, &c);
    snprintf(start, sizeof start, "%04d-%02u-%02u %02u:%02u", c.year, c.month, c.day, c.hour, c.minute);
    fprintf(f, "{\n  \"format\": \"prepay-site/1\",\n  \"name\": \"Demo building: %zu prepaid rooms\",\n", d->room_count);
    fprintf(f, "  \"start\": \"%s\",\n  \"tariff\": \"%s\",\n", start, tariff_abs);
    fprintf(f, "  \"policy\": {\"pretrip\": false},\n");
    fprintf(f, "  \"defaults\": {\"mode\": \"remote\", \"alarm1\": \"20.00\", \"alarm2\": \"10.00\"},\n  \"meters\": [\n");
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        fprintf(f, "    {\"address\": \"%s\", \"mode\": \"%s\", \"purse\": \"%lld.%02lld\", \"load\": {\"step\": 3600, \"profile\": [",
                r->address_text, r->local ? "local" : "remote", (long long)(r->local ? r->initial / 100 : 0),
                (long long)(r->local ? r->initial % 100 : 0));
        for (int h = 0; h < 24; h++) {
            fprintf(f, "%s%d", h ? ", " : "", r->profile[h]);
        }
        fprintf(f, "]}},\n");
    }
    /* The building incomer: every room, plus 1.5 kW of lifts and corridor
     * lighting, plus 2 % line losses. */
    fprintf(f, "    {\"address\": \"000000999999\", \"mode\": \"remote\", \"feeds\": \"all\", \"losses\": \"0.02\", "
               "\"load\": {\"watts\": 1500}}\n  ],\n");
    fprintf(f, "  \"faults\": {\"seed\": %llu, \"drop\": \"%s\", \"corrupt\": \"%s\"}\n}\n",
            (unsigned long long)d->opt.seed, d->opt.drop ? d->opt.drop : "0", d->opt.corrupt ? d->opt.corrupt : "0");
    if (fclose(f) != 0) {
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
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            const char *candidates[] = {"/../prepay-emu/prepay-emu", "/prepay-emu"};
            for (size_t i = 0; i < 2; i++) {
                int w = snprintf(out, cap, "%s%s", self, candidates[i]);
                if (w > 0 && (size_t)w < cap && access(out, X_OK) == 0) {
                    return 0;
                }
            }
        }
    }
    snprintf(out, cap, "prepay-emu");
    return 0;
}

int demo_start_emulator(demo_t *d, const char *argv0, const char *site_path)
{
    (void)argv0;
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
        fprintf(stderr, "prepay demo: cannot start the emulator %s: %s\n", emu, strerror(rc));
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
            fprintf(stderr, "prepay demo: the emulator exited during start-up (see %s)\n", log);
            d->emu_pid = 0;
            return -1;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "prepay demo: the emulator did not start\n");
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
