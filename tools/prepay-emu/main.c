/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: serves emulated prepaid meters (libprepay's reference meter)
 * over TCP so that stations and billing servers can be tested without
 * hardware. See docs/emulator.md; conventions (options, messages, exit
 * status, --json): docs/cli.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_options.h"
#include "emu_scenario.h"
#include "emu_server.h"

/* One line on stdout (text, or a JSON object with --json) about what the emulator did with its state. */
static void say_state(const cli_t *cli, bool quiet, const char *event, const char *words, const char *path)
{
    if (quiet) {
        return;
    }
    if (cli->json) {
        json_t *o = cli_result();
        cli_set(o, "event", json_string(event));
        cli_set(o, "file", cli_json_text(path));
        (void)cli_emit(cli, o); /* a failed write is reported by cli_finish() */
        return;
    }
    printf("prepay-emu: state %s %s\n", words, path);
}

/* Input: the command line and the site file (and a saved state), read and checked. */
static int load(const cli_t *cli, emu_options_t *opt, emu_site_t *site)
{
    char err[EMU_ERROR_MAX];
    if (emu_site_load(opt->site_path, site, err, sizeof err) != 0) {
        return cli_bad(cli, "%s", err);
    }
    if (emu_options_check_site(opt, site, err, sizeof err) != 0) {
        emu_site_free(site);
        return cli_bad(cli, "%s", err);
    }
    site->clock = opt->server.clock;
    site->faults.drop_ppm = opt->has_drop ? opt->drop_ppm : site->faults.drop_ppm;
    site->faults.corrupt_ppm = opt->has_corrupt ? opt->corrupt_ppm : site->faults.corrupt_ppm;
    site->faults.delay_ms = opt->has_delay ? opt->delay_ms : site->faults.delay_ms;
    if (opt->has_seed) {
        site->faults.seed = opt->seed;
        site->rng = site->faults.seed * 0x9E3779B97F4A7C15ull + 1;
    }
    if (opt->state_path && access(opt->state_path, F_OK) == 0) {
        if (emu_state_load(site, opt->state_path, err, sizeof err) != 0) {
            emu_site_free(site);
            return cli_bad(cli, "%s", err);
        }
        say_state(cli, opt->server.quiet, "state_restored", "restored from", opt->state_path);
    }
    /* After a restore, so that the command line wins over the saved meters. */
    int status = opt->has_sync_limit ? emu_site_set_time_sync_limit(site, opt->sync_limit) : PREPAY_OK;
    if (status != PREPAY_OK) {
        emu_site_free(site);
        return cli_bad_status(cli, status, "--sync-limit: %s", prepay_strerror(status));
    }
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    emu_options_t opt;
    cli_args_t args;
    char err[EMU_ERROR_MAX];
    int parsed = emu_options_parse(argc, argv, &opt, err, sizeof err);
    memset(&args, 0, sizeof args);
    args.help = opt.help;
    args.version = opt.version;
    args.json = opt.json;
    cli_t cli;
    int rc = cli_begin(&cli, &emu_spec, &args, parsed, err);
    if (rc >= 0) {
        return cli_finish(&cli, rc);
    }
    opt.server.cli = &cli;
    static emu_site_t site;
    if ((rc = load(&cli, &opt, &site)) != CLI_EXIT_OK) {
        return cli_finish(&cli, rc);
    }
    if (opt.scenario_path && emu_scenario_load(&site, opt.scenario_path, err, sizeof err) != 0) {
        emu_site_free(&site);
        return cli_finish(&cli, cli_bad(&cli, "%s", err));
    }
    rc = emu_serve(&site, &opt.server);
    /* Saved only after a clean run: a run that failed (a port in use) leaves no file behind. */
    if (opt.state_path && rc == 0) {
        if (emu_state_save(&site, opt.state_path, err, sizeof err) != 0) {
            rc = cli_fail(&cli, PREPAY_E_HOSTED_IO, "%s", err);
        } else {
            say_state(&cli, opt.server.quiet, "state_saved", "saved to", opt.state_path);
        }
    }
    emu_scenario_free(&site);
    emu_site_free(&site);
    return cli_finish(&cli, rc);
}
