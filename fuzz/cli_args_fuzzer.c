/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the command lines of every `prepay` command and of
 * `prepay-emu`, through their input stages (the tools layer's one option
 * parser, cli_options.h, and each command's own checks), which have no
 * side effects: nothing opened or printed. Input: a selector byte, then
 * NUL-separated arguments (at most 24).
 *
 * Invariants:
 * - no crash, no out-of-bounds access (sanitizers);
 * - every parser returns 0 or 2, with a one-line message shorter than its
 *   buffer on 2;
 * - on 0, every string it returns is one of the arguments or a suffix of
 *   one (`--opt=value`), and numbers are within their documented ranges.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "demo.h"
#include "emu_server.h"
#include "meter_cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int argc_;
static unsigned selector_; /* the first byte: which command, and for `meter` which subcommand */
static char *argv_[26];

/* NULL, or a pointer into one of the arguments. */
static void check_points_into_argv(const char *p)
{
    if (p == NULL) {
        return;
    }
    for (int i = 0; i < argc_; i++) {
        size_t n = strlen(argv_[i]);
        if (p >= argv_[i] && p <= argv_[i] + n) {
            return;
        }
    }
    abort();
}

static void check_error(int rc, const char *err)
{
    /* (The message may quote an argument, which may itself hold a newline.) */
    if (rc != 0 && (rc != 2 || err[0] == '\0' || strlen(err) >= 256)) {
        abort();
    }
}

static void check_args(const cli_args_t *args)
{
    if (args->count > CLI_ARGS_MAX) {
        abort();
    }
    for (size_t i = 0; i < args->count; i++) {
        check_points_into_argv(args->args[i]);
    }
}

static void check_all(const char *const *strings, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        check_points_into_argv(strings[k]);
    }
}

/* The commands whose input stage is reachable without opening anything. */
static const char *const names[] = {"bill", "check", "bill", "vend", "demo", "encode", "encode", "encode",
                                    "monthly", "energy", "ledger", "prepay-emu", "meter",
                                    "settle"};
#define COMMANDS (sizeof names / sizeof names[0])

static int parse(unsigned which, cli_args_t *args, char *err, size_t cap)
{
    int rc;
    switch (which) {
    case 0: {
        bill_options_t o;
        rc = prepay_bill_options_parse(argc_, argv_, &o, args, err, cap);
        if (rc == 0 && !args->help && !args->version) {
            check_points_into_argv(o.path);
            if (o.csv < BILL_CSV_NONE || o.csv > BILL_CSV_CHARGES) {
                abort();
            }
        }
        return rc;
    }
    case 1:
    case 2:
    case 3: {
        tariff_options_t o;
        rc = prepay_tariff_options_parse(argc_, argv_, &o, args, err, cap);
        if (rc == 0 && !args->help && !args->version) {
            const char *all[] = {o.tariff, o.readings, o.band};
            check_all(all, 3);
            if (o.amount < 0 || o.used < 0 || o.quantum < 1 || o.household < 0) {
                abort();
            }
        }
        return rc;
    }
    case 4: {
        demo_options_t o;
        rc = prepay_demo_options_parse(argc_, argv_, &o, args, err, cap);
        if (rc == 0 && !args->help && !args->version) {
            if (o.days < 1 || o.days > 366 || o.meters < 1 || o.meters > 5000 || o.timeout_ms < 1 ||
                o.timeout_ms > 60000 || o.drop < 0 || o.drop > 500000 || o.corrupt < 0 || o.corrupt > 500000) {
                abort();
            }
            const char *all[] = {o.tariff_path, o.emu_path};
            check_all(all, 2);
        }
        return rc;
    }
    case 5: {
        dlt645_encode_options_t o;
        rc = prepay_dlt645_encode_options_parse(argc_, argv_, &o, args, err, cap);
        if (rc == 0 && !args->help && !args->version) {
            check_points_into_argv(o.value);
            if (o.preamble < 0 || o.preamble > 4 || o.kind < 0 || o.kind > 4) {
                abort();
            }
        }
        return rc;
    }
    case 6: {
        cjt188_encode_options_t o;
        rc = prepay_cjt188_encode_options_parse(argc_, argv_, &o, args, err, cap);
        if (rc == 0 && !args->help && !args->version && (o.preamble < 0 || o.preamble > 4 || o.ser > 255)) {
            abort();
        }
        return rc;
    }
    case 7: {
        modbus_encode_options_t o;
        rc = prepay_modbus_encode_options_parse(argc_, argv_, &o, args, err, cap);
        if (rc == 0 && !args->help && !args->version) {
            const char *all[] = {o.value, o.reg};
            check_all(all, 2);
            if (o.unit > 247 || o.address > 0xFFFF || o.values.count > PREPAY_MODBUS_MAX_WRITE_REGISTERS) {
                abort();
            }
        }
        return rc;
    }
    case 8:
    case 9: {
        report_options_t o;
        rc = prepay_report_options_parse(argc_, argv_, &o, args, err, cap);
        if (rc == 0 && !args->help && !args->version) {
            const char *all[] = {o.readings, o.tariff, o.svg};
            check_all(all, 3);
            if (!o.monthly && o.to < o.from) {
                abort();
            }
        }
        return rc;
    }
    case 10: {
        ledger_request_t r;
        rc = prepay_ledger_options_parse(argc_, argv_, &r, args, err, cap);
        if (rc == 0 && !args->help && !args->version) {
            check_points_into_argv(r.journal);
            if (r.command < LEDGER_OPEN || r.command > LEDGER_SNAPSHOT || r.journal == NULL) {
                abort();
            }
        }
        return rc;
    }
    case 12: {
        /* prepay meter SUBCOMMAND: the subcommand from the selector byte (argv_[0] stands for its name). */
        static meter_options_t o;
        meter_command_t command = (meter_command_t)(CMD_READ + (selector_ / COMMANDS) % CMD_BATCH);
        rc = meter_options_parse(command, argc_, argv_, &o, args, err, cap);
        if (rc == 0 && !args->help && !args->version) {
            if (o.link == LINK_NONE || o.di_count > METER_MAX_DIS || o.command == CMD_NONE ||
                o.command == CMD_BATCH || (o.command == CMD_RECHARGE && !o.has_count && !o.site_path[0]) ||
                o.station.preamble > PREPAY_DLT645_MAX_PREAMBLE || o.rounds < 1 || o.rounds > 20) {
                abort();
            }
            const char *all[] = {o.raw.serial, o.raw.tcp, o.raw.listen, o.raw.dtu, o.raw.address, o.raw.at,
                                 o.raw.results};
            check_all(all, sizeof all / sizeof all[0]);
        }
        return rc;
    }
    case 13: {
        settle_options_t o;
        rc = prepay_settle_options_parse(argc_, argv_, &o, args, err, cap);
        if (rc == 0 && !args->help && !args->version) {
            if (o.journal == NULL) {
                abort();
            }
            const char *all[] = {o.journal, o.events, o.report};
            check_all(all, 3);
        }
        return rc;
    }
    default: {
        emu_options_t o;
        rc = emu_options_parse(argc_, argv_, &o, err, cap);
        args->count = 0;
        if (rc == 0 && !o.help && !o.version) {
            if (o.server.bus_port > 65535 || o.server.port_base < 0 || o.server.port_base > 65535 ||
                o.server.speed < 1 || o.server.speed > EMU_SPEED_MAX || o.delay_ms > EMU_DELAY_MS_MAX ||
                o.drop_ppm > 1000000 || o.corrupt_ppm > 1000000 || o.sync_limit < 0 ||
                o.sync_limit > EMU_SYNC_LIMIT_MAX || o.site_path == NULL) {
                abort();
            }
            const char *all[] = {o.site_path, o.state_path, o.server.ready_file};
            check_all(all, 3);
            if (strcmp(o.server.listen, "127.0.0.1") != 0) {
                check_points_into_argv(o.server.listen); /* else the default */
            }
        }
        return rc;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    static char buffer[4096];
    size_t n = size - 1 < sizeof buffer - 1 ? size - 1 : sizeof buffer - 1;
    memcpy(buffer, data + 1, n);
    buffer[n] = '\0';
    unsigned which = data[0] % COMMANDS;
    selector_ = data[0];
    static char name[16];
    snprintf(name, sizeof name, "%s", names[which]);
    argc_ = 0;
    argv_[argc_++] = name;
    for (size_t at = 0; at <= n && argc_ < 25;) {
        argv_[argc_++] = buffer + at;
        at += strlen(buffer + at) + 1;
    }
    argv_[argc_] = NULL;
    char err[256];
    err[0] = '\0';
    cli_args_t args;
    memset(&args, 0, sizeof args);
    int rc = parse(which, &args, err, sizeof err);
    check_error(rc, err);
    if (rc == 0) {
        check_args(&args);
    }
    return 0;
}
