/*
 * Fuzz target: the command lines of `prepay bill`, `prepay tariff`,
 * `prepay demo`, `prepay dlt645 encode` and `prepay-emu`, through their
 * option parsers, which have no side effects (nothing opened or printed).
 * Input: a selector byte, then NUL-separated arguments (at most 24).
 * (`prepay ledger`'s parser is not reachable this way yet: see the notes of
 * issue 11.)
 *
 * Invariants:
 * - no crash, no out-of-bounds access (sanitizers);
 * - every parser returns 0 or 2, with a message on 2;
 * - on 0, every string it returns is one of the arguments or a suffix of
 *   one (`--opt=value`), and numbers are within their documented ranges.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "demo.h"
#include "emu_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int argc_;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    static char buffer[4096];
    size_t n = size - 1 < sizeof buffer - 1 ? size - 1 : sizeof buffer - 1;
    memcpy(buffer, data + 1, n);
    buffer[n] = '\0';
    static const char *const names[] = {"bill", "tariff", "demo", "encode", "prepay-emu"};
    unsigned which = data[0] % 5;
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
    int rc;
    switch (which) {
    case 0: {
        bill_options_t o;
        rc = prepay_bill_options_parse(argc_, argv_, &o, err, sizeof err);
        check_error(rc, err);
        if (rc == 0) {
            check_points_into_argv(o.path);
            check_points_into_argv(o.csv);
        }
        break;
    }
    case 1: {
        tariff_options_t o;
        rc = prepay_tariff_options_parse(argc_, argv_, &o, err, sizeof err);
        check_error(rc, err);
        if (rc == 0) {
            const char *all[] = {o.sub, o.positional[0], o.positional[1], o.amount, o.used, o.at, o.band,
                                 o.quantum, o.household};
            for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
                check_points_into_argv(all[k]);
            }
            if (o.positional_count > 2) {
                abort();
            }
        }
        break;
    }
    case 2: {
        demo_options_t o;
        bool help;
        rc = prepay_demo_options_parse(argc_, argv_, &o, &help, err, sizeof err);
        check_error(rc, err);
        if (rc == 0 && !help &&
            (o.days < 1 || o.days > 366 || o.meters < 1 || o.meters > 5000 || o.timeout_ms < 1 ||
             o.timeout_ms > 60000)) {
            abort();
        }
        if (rc == 0) {
            check_points_into_argv(o.tariff_path);
            check_points_into_argv(o.emu_path);
            check_points_into_argv(o.drop);
            check_points_into_argv(o.corrupt);
        }
        break;
    }
    case 3: {
        dlt645_encode_options_t o;
        rc = prepay_dlt645_encode_options_parse(argc_, argv_, &o, err, sizeof err);
        check_error(rc, err);
        if (rc == 0) {
            const char *all[] = {o.what,     o.address,       o.new_address, o.di,    o.value, o.level,
                                 o.password, o.operator_code, o.n1,          o.until, o.time,  o.preamble};
            for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
                check_points_into_argv(all[k]);
            }
        }
        break;
    }
    default: {
        emu_options_t o;
        rc = emu_options_parse(argc_, argv_, &o, err, sizeof err);
        check_error(rc, err);
        if (rc == 0 && !o.help) {
            if (o.site_path != argv_[1] || o.server.bus_port > 65535 || o.server.port_base < 0 ||
                o.server.port_base > 65535 || o.server.speed < 1 || o.server.speed > EMU_SPEED_MAX ||
                o.delay_ms > EMU_DELAY_MS_MAX || o.drop_ppm > 1000000 || o.corrupt_ppm > 1000000 ||
                o.sync_limit < 0 || o.sync_limit > EMU_SYNC_LIMIT_MAX) {
                abort();
            }
            check_points_into_argv(o.state_path);
            check_points_into_argv(o.server.ready_file);
            if (strcmp(o.server.listen, "127.0.0.1") != 0) {
                check_points_into_argv(o.server.listen); /* else the default */
            }
        }
        break;
    }
    }
    return 0;
}
