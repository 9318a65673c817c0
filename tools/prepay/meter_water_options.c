/* SPDX-License-Identifier: MIT */
/*
 * prepay meter COMMAND --protocol cjt188|modbus: the command line of a water meter checked (parsing
 * only, nothing opened). Which subcommands a protocol defines, and what they do, is in
 * meter_water_ops.c and docs/water.md; a subcommand the protocol does not define is refused here
 * with one line, so nothing is sent.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "meter_cli.h"
#include "prepay/fixed_point.h"
#include "prepay/modbus.h"

static int bad(char *err, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int bad(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return METER_EXIT_USAGE;
}

/* CJ/T 188 read items: a name or the DI itself (4 hex digits). */
static const struct {
    const char *name;
    uint16_t first, last;
} cjt188_items[] = {
    {"current", PREPAY_CJT188_DI_CURRENT, PREPAY_CJT188_DI_CURRENT},
    {"purse", PREPAY_CJT188_DI_PURSE, PREPAY_CJT188_DI_PURSE},
    {"prices", PREPAY_CJT188_DI_PRICE_TABLE, PREPAY_CJT188_DI_PRICE_TABLE},
    {"settlement-day", PREPAY_CJT188_DI_SETTLEMENT_DAY, PREPAY_CJT188_DI_SETTLEMENT_DAY},
    {"reading-day", PREPAY_CJT188_DI_READING_DAY, PREPAY_CJT188_DI_READING_DAY},
    {"history", PREPAY_CJT188_DI_HISTORY_FIRST, PREPAY_CJT188_DI_HISTORY_LAST},
};

static int add_item(meter_options_t *o, uint32_t di, char *err, size_t cap)
{
    if (o->di_count == METER_MAX_DIS) {
        return bad(err, cap, "too many items to read (at most %d)", METER_MAX_DIS);
    }
    o->dis[o->di_count].di = di;
    o->dis[o->di_count].is_1997 = false;
    o->di_count++;
    return 0;
}

static int cjt188_read_items(meter_options_t *o, const cli_args_t *args, char *err, size_t cap)
{
    if (args->count == 0) {
        return add_item(o, PREPAY_CJT188_DI_CURRENT, err, cap);
    }
    for (size_t i = 0; i < args->count; i++) {
        const char *word = args->args[i];
        bool found = false;
        char *end = NULL;
        unsigned long di = strlen(word) == 4 && isxdigit((unsigned char)word[0]) ? strtoul(word, &end, 16) : 0;
        for (size_t k = 0; k < sizeof cjt188_items / sizeof cjt188_items[0] && !found; k++) {
            bool named = strcmp(word, cjt188_items[k].name) == 0;
            bool by_di = end && *end == '\0' && di >= cjt188_items[k].first && di <= cjt188_items[k].last;
            if (named || by_di) {
                found = true;
                for (uint32_t d = named ? cjt188_items[k].first : (uint32_t)di;
                     d <= (named ? cjt188_items[k].last : (uint32_t)di); d++) {
                    int rc = add_item(o, d, err, cap);
                    if (rc != 0) {
                        return rc;
                    }
                }
            }
        }
        if (!found) {
            return bad(err, cap, "'%s': not a CJ/T 188 item (current, purse, prices, settlement-day, reading-day, "
                                 "history, or the DI 901F, 8102..8105, D120..D12B)", word);
        }
    }
    return 0;
}

static int modbus_read_items(meter_options_t *o, const cli_args_t *args, char *err, size_t cap)
{
    if (args->count == 0) {
        for (size_t i = 0; i < o->map->count; i++) {
            int rc = add_item(o, (uint32_t)i, err, cap);
            if (rc != 0) {
                return rc;
            }
        }
        return 0;
    }
    for (size_t i = 0; i < args->count; i++) {
        const prepay_modbus_register_t *reg = prepay_modbus_map_find(o->map, args->args[i]);
        if (!reg) {
            return bad(err, cap, "'%s': the map %s has no such register (see prepay modbus maps)", args->args[i],
                       o->map->name);
        }
        int rc = add_item(o, (uint32_t)(reg - o->map->registers), err, cap);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static bool defined(meter_command_t command, int protocol)
{
    switch (command) {
    case CMD_READ:
    case CMD_RELAY:
    case CMD_RECHARGE:
        return true;
    case CMD_READ_ADDRESS:
    case CMD_DISCOVER:
    case CMD_TIME_SYNC:
    case CMD_PUSH_TARIFF:
    case CMD_VERIFY_TARIFF:
        return protocol == METER_CJT188;
    case CMD_BATCH: /* of the commands above that take one meter (meter_water_batch_options()) */
        return true;
    default: /* write, freeze, events */
        return false;
    }
}

/* The options a command takes on a water meter, besides the bus and the meter. */
static const char *takes(meter_command_t command)
{
    switch (command) {
    case CMD_READ: return "count-bcd";
    case CMD_TIME_SYNC: return "time addressed";
    case CMD_RECHARGE: return "count count-bcd";
    case CMD_PUSH_TARIFF: return "at tariff-set";
    case CMD_VERIFY_TARIFF: return "tariff-set";
    default: return "";
    }
}

static int amount(meter_options_t *o, const cli_args_t *args, char *err, size_t cap)
{
    int64_t fen;
    if (args->count != 1 || prepay_fixed_parse(args->args[0], strlen(args->args[0]), 2, &fen) != PREPAY_OK ||
        fen <= 0 || fen > 99999999) {
        return bad(err, cap, "recharge takes one amount in yuan, 0.01..999999.99");
    }
    o->amount = fen;
    if (o->site_path[0] && !o->has_count) {
        return 0; /* a batch: the count column of the site file, checked per meter */
    }
    if (!o->has_count) {
        return bad(err, cap, "recharge needs --count N: the purchase serial (the meter's last serial + 1), so that "
                             "a repeated recharge is not credited twice");
    }
    if (o->protocol == METER_CJT188 && o->count > (o->count_bcd ? 99u : 255u)) {
        return bad(err, cap, "--count %u: a CJ/T 188 purchase serial is 0..%s", (unsigned)o->count,
                   o->count_bcd ? "99 (--count-bcd)" : "255");
    }
    return 0;
}

/* The CJ/T 188 meter types (the T byte) --meter-type accepts. */
static bool known_meter_type(unsigned t)
{
    return (t >= 0x10 && t <= 0x13) || (t >= 0x20 && t <= 0x22) || t == 0x30 || t == 0x40 ||
           t == PREPAY_CJT188_WILDCARD_BYTE;
}

/* batch SITE.csv COMMAND [ARGS] --protocol cjt188|modbus: the command run on every meter of the file
 * (cmd_meter_batch.c), one at a time on the one bus. `args` is left holding the command's own words. */
static int batch_words(meter_options_t *o, cli_args_t *args, const char *name, char *err, size_t cap)
{
    if (args->count < 2) {
        return bad(err, cap, "batch needs a site file and a command: batch SITE.csv COMMAND [ARGS]");
    }
    if (strlen(args->args[0]) >= sizeof o->site_path || args->args[0][0] == '\0') {
        return bad(err, cap, "batch: the site file name is too long");
    }
    snprintf(o->site_path, sizeof o->site_path, "%s", args->args[0]);
    meter_command_t inner = meter_command_named(args->args[1]);
    if (inner == CMD_NONE || inner == CMD_BATCH || inner == CMD_DISCOVER || inner == CMD_READ_ADDRESS ||
        !defined(inner, o->protocol)) {
        return bad(err, cap, "batch --protocol %s runs %s, not '%s'", name,
                   o->protocol == METER_CJT188 ? "read, time-sync, relay, recharge, push-tariff or verify-tariff"
                                               : "read or relay",
                   args->args[1]);
    }
    char allowed[256], context[64];
    snprintf(allowed, sizeof allowed,
             "serial tcp listen dtu dtu-format heartbeat connect-timeout verbose protocol map meter-type timeout "
             "retries start rounds results progress no-progress %s",
             takes(inner));
    snprintf(context, sizeof context, "batch %s --protocol %s", args->args[1], name);
    if (cli_only(meter_spec(CMD_BATCH), args, allowed, context, err, cap) != 0) {
        return METER_EXIT_USAGE;
    }
    if (o->raw.address || o->has_unit) {
        return bad(err, cap, "batch: the meters are the site file's (its address column), not --address or --unit");
    }
    if ((inner == CMD_PUSH_TARIFF || inner == CMD_VERIFY_TARIFF) && args->count > 2 &&
        strcmp(args->args[0], "-") == 0 && strcmp(args->args[2], "-") == 0) {
        return bad(err, cap, "batch: the site file and the tariff cannot both come from the standard input");
    }
    if (o->progress_flag && o->no_progress_flag) {
        return bad(err, cap, "--progress and --no-progress exclude each other");
    }
    o->progress_set = o->progress_flag || o->no_progress_flag;
    o->progress = o->progress_flag;
    if (o->raw.results) {
        if (o->raw.results[0] == '\0' || strlen(o->raw.results) >= sizeof o->results_path) {
            return bad(err, cap, "--results takes a file name (FILE.csv or FILE.json)");
        }
        snprintf(o->results_path, sizeof o->results_path, "%s", o->raw.results);
    }
    o->command = inner;
    args->count -= 2;
    memmove(args->args, args->args + 2, args->count * sizeof args->args[0]);
    return 0;
}

int meter_water_options(meter_options_t *o, const cli_args_t *given, char *err, size_t cap)
{
    const char *name = o->protocol == METER_CJT188 ? "cjt188" : "modbus";
    if (!defined(o->command, o->protocol)) {
        return bad(err, cap, "not defined for --protocol %s", name);
    }
    static cli_args_t words; /* the command's words (a batch: after SITE.csv COMMAND) */
    words = *given;
    cli_args_t *args = &words;
    if (o->command == CMD_BATCH) {
        int rc = batch_words(o, args, name, err, cap);
        if (rc != 0) {
            return rc;
        }
    } else {
        char allowed[224], context[32];
        snprintf(allowed, sizeof allowed,
                 "serial tcp listen dtu dtu-format heartbeat connect-timeout verbose protocol address unit map "
                 "meter-type timeout retries %s",
                 takes(o->command));
        snprintf(context, sizeof context, "--protocol %s", name);
        if (cli_only(meter_spec(o->command), args, allowed, context, err, cap) != 0) {
            return METER_EXIT_USAGE;
        }
    }
    int rc = meter_bus_options(o, err, cap); /* the bus as for DL/T 645: meter_options.c */
    if (rc == 0) {
        rc = meter_bus_given(o, err, cap);
    }
    if (rc != 0) {
        return rc;
    }
    if (o->protocol == METER_MODBUS && o->link == LINK_SERIAL && !strchr(o->raw.serial, ':')) {
        /* Modbus RTU's usual line (Modbus over serial line V1.02 §2.5.1: even parity is the default,
           but water meters ship at 9600 8N1, as both shipped maps say) instead of DL/T 645's 2400 8E1. */
        (void)prepay_serial_settings_parse("9600:8N1", &o->serial);
    }
    if (o->protocol == METER_MODBUS) {
        if (o->raw.address) {
            return bad(err, cap, "--address is for CJ/T 188; a Modbus meter is chosen by --unit");
        }
        if (o->raw.meter_type || o->count_bcd) {
            return bad(err, cap, "--meter-type and --count-bcd are for CJ/T 188");
        }
        o->unit = o->has_unit ? o->unit : 1;
        const char *map = o->raw.map ? o->raw.map : "xintai-water";
        o->map = prepay_modbus_map_by_name(map);
        if (!o->map) {
            return bad(err, cap, "--map %s: no such register map (see prepay modbus maps)", map);
        }
    } else {
        if (o->has_unit || o->raw.map) {
            return bad(err, cap, "--unit and --map are for Modbus; a CJ/T 188 meter is chosen by --address");
        }
        o->meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
        if (o->raw.meter_type) {
            char *end = NULL;
            unsigned long t = strtoul(o->raw.meter_type, &end, 16);
            if (strlen(o->raw.meter_type) != 2 || !isxdigit((unsigned char)o->raw.meter_type[0]) || *end != '\0' ||
                !known_meter_type((unsigned)t)) {
                return bad(err, cap, "--meter-type %s: 2 hex digits, 10..13 water, 20..22 heat, 30 gas, 40 custom, "
                                     "or AA any", o->raw.meter_type);
            }
            o->meter_type = (uint8_t)t;
        }
        if (o->raw.address) {
            if (prepay_cjt188_address_from_string(o->raw.address, strlen(o->raw.address), &o->water_address) !=
                PREPAY_OK) {
                return bad(err, cap, "--address %s: 14 digits A6..A0 (pairs of BCD or AA)", o->raw.address);
            }
            o->has_water_address = true;
        }
    }
    switch (o->command) {
    case CMD_READ:
        return o->protocol == METER_CJT188 ? cjt188_read_items(o, args, err, cap)
                                           : modbus_read_items(o, args, err, cap);
    case CMD_RELAY:
        if (args->count != 1 || (strcmp(args->args[0], "open") != 0 && strcmp(args->args[0], "close") != 0)) {
            return bad(err, cap, "relay on a water meter takes open or close (the valve)");
        }
        o->valve_open = strcmp(args->args[0], "open") == 0;
        if (o->protocol == METER_MODBUS && !prepay_modbus_map_find(o->map, "valve")) {
            return bad(err, cap, "not defined by the map %s (it has no valve register)", o->map->name);
        }
        return 0;
    case CMD_RECHARGE:
        if (o->protocol == METER_MODBUS && !prepay_modbus_map_find(o->map, "purchase")) {
            return bad(err, cap, "not defined by the map %s (it has no purchase register)", o->map->name);
        }
        return amount(o, args, err, cap);
    case CMD_PUSH_TARIFF:
    case CMD_VERIFY_TARIFF:
        if (args->count != 1) {
            return bad(err, cap, "%s takes one tariff file", o->command == CMD_PUSH_TARIFF ? "push-tariff"
                                                                                            : "verify-tariff");
        }
        snprintf(o->tariff_path, sizeof o->tariff_path, "%s", args->args[0]);
        if (o->raw.at && strcmp(o->raw.at, "now") != 0) {
            if (!meter_parse_time(o->raw.at, &o->time)) {
                return bad(err, cap, "--at '%s': local time 'YYYY-MM-DD hh:mm[:ss]' or now", o->raw.at);
            }
            o->has_time = true;
        }
        return 0;
    case CMD_DISCOVER:
        for (size_t i = 0; i < args->count; i++) {
            if (o->scan_count == METER_MAX_DIS ||
                prepay_cjt188_address_from_string(args->args[i], strlen(args->args[i]), &o->scan[o->scan_count]) !=
                    PREPAY_OK) {
                return bad(err, cap, "discover: '%s' is not a 14-digit CJ/T 188 address (at most %d)", args->args[i],
                           METER_MAX_DIS);
            }
            o->scan_count++;
        }
        return 0;
    default:
        if (args->count != 0) {
            return bad(err, cap, "unexpected argument '%s'", args->args[0]);
        }
        return 0;
    }
}
