/*
 * prepay-emu: serves emulated prepaid meters (libprepay's reference meter)
 * over TCP so that stations and billing servers can be tested without
 * hardware. See docs/emulator.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu_server.h"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: prepay-emu SITE.json [options]\n"
            "  --listen ADDR        IPv4 address to listen on (default 127.0.0.1)\n"
            "  --bus-port N         all meters behind one DTU port (RS-485 bus); 0 = any free port\n"
            "  --port-base N        meter i (site-file order) on port N + i\n"
            "  --clock sync|wall    sync (default): simulated time advances on DL/T 645 time-sync frames;\n"
            "                       wall: it follows the wall clock times --speed\n"
            "  --speed N            simulated seconds per wall second in wall mode (default 60)\n"
            "  --state FILE         load the meters' state from FILE if it exists; save it on shutdown\n"
            "  --drop P --corrupt P --delay-ms N --seed N   fault injection (override the site file)\n"
            "  --ready-file FILE    write bus_port=N to FILE once listening\n"
            "  --quiet\n");
}

static int parse_probability(const char *text, uint32_t *ppm)
{
    int64_t v;
    if (prepay_fixed_parse(text, strlen(text), 6, &v) != PREPAY_OK || v < 0 || v > 1000000) {
        return -1;
    }
    *ppm = (uint32_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    emu_server_options_t opt = {"127.0.0.1", -1, 0, EMU_CLOCK_SYNC, 60, NULL, false};
    const char *state_path = NULL;
    const char *drop = NULL, *corrupt = NULL, *delay = NULL, *seed = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quiet") == 0) {
            opt.quiet = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "prepay-emu: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--listen") == 0) {
            opt.listen = v;
        } else if (strcmp(a, "--bus-port") == 0) {
            opt.bus_port = atoi(v);
        } else if (strcmp(a, "--port-base") == 0) {
            opt.port_base = atoi(v);
        } else if (strcmp(a, "--clock") == 0) {
            if (strcmp(v, "sync") == 0) {
                opt.clock = EMU_CLOCK_SYNC;
            } else if (strcmp(v, "wall") == 0) {
                opt.clock = EMU_CLOCK_WALL;
            } else {
                fprintf(stderr, "prepay-emu: --clock must be sync or wall\n");
                return 2;
            }
        } else if (strcmp(a, "--speed") == 0) {
            opt.speed = (uint32_t)strtoul(v, NULL, 10);
        } else if (strcmp(a, "--state") == 0) {
            state_path = v;
        } else if (strcmp(a, "--ready-file") == 0) {
            opt.ready_file = v;
        } else if (strcmp(a, "--drop") == 0) {
            drop = v;
        } else if (strcmp(a, "--corrupt") == 0) {
            corrupt = v;
        } else if (strcmp(a, "--delay-ms") == 0) {
            delay = v;
        } else if (strcmp(a, "--seed") == 0) {
            seed = v;
        } else {
            fprintf(stderr, "prepay-emu: unknown option %s\n", a);
            return 2;
        }
    }
    if (opt.bus_port < 0 && opt.port_base <= 0) {
        opt.bus_port = 0;
    }
    static emu_site_t site;
    char err[EMU_ERROR_MAX];
    if (emu_site_load(argv[1], &site, err, sizeof err) != 0) {
        fprintf(stderr, "prepay-emu: %s\n", err);
        return 2;
    }
    if ((drop && parse_probability(drop, &site.faults.drop_ppm) != 0) ||
        (corrupt && parse_probability(corrupt, &site.faults.corrupt_ppm) != 0)) {
        fprintf(stderr, "prepay-emu: --drop and --corrupt take a probability such as 0.01\n");
        emu_site_free(&site);
        return 2;
    }
    if (delay) {
        site.faults.delay_ms = (uint32_t)strtoul(delay, NULL, 10);
    }
    if (seed) {
        site.faults.seed = strtoull(seed, NULL, 10);
        site.rng = site.faults.seed * 0x9E3779B97F4A7C15ull + 1;
    }
    if (state_path && access(state_path, F_OK) == 0) {
        if (emu_state_load(&site, state_path, err, sizeof err) != 0) {
            fprintf(stderr, "prepay-emu: %s\n", err);
            emu_site_free(&site);
            return 2;
        }
        if (!opt.quiet) {
            printf("prepay-emu: state restored from %s\n", state_path);
        }
    }
    int rc = emu_serve(&site, &opt);
    if (state_path) {
        if (emu_state_save(&site, state_path, err, sizeof err) != 0) {
            fprintf(stderr, "prepay-emu: %s\n", err);
            rc = 1;
        } else if (!opt.quiet) {
            printf("prepay-emu: state saved to %s\n", state_path);
        }
    }
    emu_site_free(&site);
    return rc;
}
