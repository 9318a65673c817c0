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
            "  --bus-port N         all meters behind one DTU port (RS-485 bus), 0..65535; 0 = any free port\n"
            "  --port-base N        meter i (site-file order) on port N + i\n"
            "  --clock sync|wall    sync (default): simulated time advances on DL/T 645 broadcast time syncs;\n"
            "                       wall: it follows the wall clock times --speed\n"
            "  --speed N            simulated seconds per wall second in wall mode, 1..1000000 (default 60)\n"
            "  --sync-limit S       seconds one time sync may move a meter's clock, 0 = any\n"
            "                       (default: the site file's, else 604800 = 7 days)\n"
            "  --state FILE         load the meters' state from FILE if it exists; save it on shutdown\n"
            "  --drop P --corrupt P --delay-ms N --seed N   fault injection (override the site file)\n"
            "  --serial PATH        the whole bus on a pseudo-terminal; PATH becomes a symlink to its device\n"
            "                       (open it as a serial port: prepay meter --serial PATH)\n"
            "  --dial HOST:PORT --dtu-id ID   a DTU dialling in: connect to a station, register, serve the bus;\n"
            "                       connect again when the connection is lost\n"
            "      --register-prefix TEXT   bytes before the id in the registration packet (default none)\n"
            "      --heartbeat TEXT --heartbeat-s N   a heartbeat packet after N s of silence (default 30)\n"
            "      --dial-drop-after N      fault: drop the connection once after N frames\n"
            "      --redial-ms N            wait before connecting again (default 500)\n"
            "  --ready-file FILE    write bus_port=N (and serial=PATH, dial=HOST:PORT) to FILE once serving\n"
            "  --exit-with-parent   shut down when the process that started it is gone\n"
            "  --quiet\n");
}

int main(int argc, char **argv)
{
    emu_options_t opt;
    char err[EMU_ERROR_MAX];
    if (emu_options_parse(argc, argv, &opt, err, sizeof err) != 0) {
        fprintf(stderr, "prepay-emu: %s\n", err);
        if (argc < 2) {
            usage(stderr);
        }
        return 2;
    }
    if (opt.help) {
        usage(stdout);
        return 0;
    }
    static emu_site_t site;
    if (emu_site_load(opt.site_path, &site, err, sizeof err) != 0) {
        fprintf(stderr, "prepay-emu: %s\n", err);
        return 2;
    }
    if (emu_options_check_site(&opt, &site, err, sizeof err) != 0) {
        fprintf(stderr, "prepay-emu: %s\n", err);
        emu_site_free(&site);
        return 2;
    }
    site.clock = opt.server.clock;
    if (opt.has_drop) {
        site.faults.drop_ppm = opt.drop_ppm;
    }
    if (opt.has_corrupt) {
        site.faults.corrupt_ppm = opt.corrupt_ppm;
    }
    if (opt.has_delay) {
        site.faults.delay_ms = opt.delay_ms;
    }
    if (opt.has_seed) {
        site.faults.seed = opt.seed;
        site.rng = site.faults.seed * 0x9E3779B97F4A7C15ull + 1;
    }
    if (opt.state_path && access(opt.state_path, F_OK) == 0) {
        if (emu_state_load(&site, opt.state_path, err, sizeof err) != 0) {
            fprintf(stderr, "prepay-emu: %s\n", err);
            emu_site_free(&site);
            return 2;
        }
        if (!opt.server.quiet) {
            printf("prepay-emu: state restored from %s\n", opt.state_path);
        }
    }
    /* After a restore, so that the command line wins over the saved meters. */
    if (opt.has_sync_limit) {
        (void)emu_site_set_time_sync_limit(&site, opt.sync_limit);
    }
    int rc = emu_serve(&site, &opt.server);
    /* Saved only after a clean run: a run that failed (a port in use) leaves no file behind. */
    if (opt.state_path && rc == 0) {
        if (emu_state_save(&site, opt.state_path, err, sizeof err) != 0) {
            fprintf(stderr, "prepay-emu: %s\n", err);
            rc = 1;
        } else if (!opt.server.quiet) {
            printf("prepay-emu: state saved to %s\n", opt.state_path);
        }
    }
    emu_site_free(&site);
    return rc;
}
