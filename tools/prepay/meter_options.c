/* SPDX-License-Identifier: MIT */
/*
 * prepay meter: the command line into meter_options_t, through the tools'
 * option parser (cli_options.h, docs/cli.md): one option table per
 * subcommand (the bus and session options shared), values that need more
 * than a kind and a range (a serial spec, a DTU pattern, a password) kept
 * as text by the parser and checked here. Parsing only: no file, device or
 * socket is opened, so a bad command line changes nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "meter_cli.h"
#include "prepay/civil_time.h"
#include "prepay/dlt645_di.h"
#include "prepay/fixed_point.h"

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

bool meter_parse_time(const char *text, prepay_time_t *out)
{
    return prepay_time_parse(text, strlen(text), out) == PREPAY_OK;
}

static bool parse_uint(const char *text, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    if (!isdigit((unsigned char)text[0])) {
        return false;
    }
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* hex digits, most significant first, into wire order (least significant byte first). */
static bool wire_hex(const char *text, size_t bytes, uint8_t *out)
{
    if (strlen(text) != 2 * bytes) {
        return false;
    }
    for (size_t i = 0; i < bytes; i++) {
        unsigned v;
        char pair[3] = {text[2 * i], text[2 * i + 1], 0};
        if (!isxdigit((unsigned char)pair[0]) || !isxdigit((unsigned char)pair[1]) || sscanf(pair, "%2x", &v) != 1) {
            return false;
        }
        out[bytes - 1 - i] = (uint8_t)v;
    }
    return true;
}

static const struct {
    const char *name;
    uint32_t dis[8];
} names[] = {
    {"energy", {PREPAY_DI_FORWARD_ACTIVE_TOTAL}},
    {"energy-tariffs", {PREPAY_DI_FORWARD_ACTIVE_BLOCK}},
    {"reverse", {PREPAY_DI_REVERSE_ACTIVE_TOTAL}},
    {"balance", {PREPAY_DI_REMAINING_AMOUNT}},
    {"overdraft", {PREPAY_DI_OVERDRAFT_AMOUNT}},
    {"voltage", {PREPAY_DI_VOLTAGE_BLOCK}},
    {"current", {PREPAY_DI_CURRENT(PREPAY_DI_PHASE_BLOCK)}},
    {"power", {PREPAY_DI_ACTIVE_POWER(PREPAY_DI_PHASE_BLOCK)}},
    {"reactive-power", {PREPAY_DI_REACTIVE_POWER(PREPAY_DI_PHASE_BLOCK)}},
    {"pf", {PREPAY_DI_POWER_FACTOR(PREPAY_DI_PHASE_BLOCK)}},
    {"frequency", {PREPAY_DI_FREQUENCY}},
    {"date", {PREPAY_DI_DATE}},
    {"time", {PREPAY_DI_TIME}},
    {"address", {PREPAY_DI_ADDRESS}},
    {"meter-number", {PREPAY_DI_METER_NUMBER}},
    {"status3", {PREPAY_DI_STATUS_WORD_3}},
    {"purchase-count", {PREPAY_DI_MONEY_PURCHASE(PREPAY_DI_PURCHASE_COUNT, 1)}},
    {"alarm1", {PREPAY_DI_ALARM_AMOUNT_1}},
    {"alarm2", {PREPAY_DI_ALARM_AMOUNT_2}},
    {"switch-prices", {PREPAY_DI_SWITCH_PRICES}},
    {"counts", {PREPAY_DI_ZONE_COUNT, PREPAY_DI_DAY_TABLE_COUNT, PREPAY_DI_DAY_SLOT_COUNT, PREPAY_DI_TARIFF_COUNT,
                PREPAY_DI_LADDER_COUNT}},
    {"rated-voltage", {PREPAY_DI_RATED_VOLTAGE}},
    {"rated-current", {PREPAY_DI_RATED_CURRENT}},
    {"max-current", {PREPAY_DI_MAXIMUM_CURRENT}},
    {"accuracy", {PREPAY_DI_ACTIVE_ACCURACY}},
    {"model", {PREPAY_DI_METER_MODEL}},
    {"production-date", {PREPAY_DI_PRODUCTION_DATE}},
    {"protocol-version", {PREPAY_DI_PROTOCOL_VERSION}},
    {"nameplate", {PREPAY_DI_RATED_VOLTAGE, PREPAY_DI_RATED_CURRENT, PREPAY_DI_MAXIMUM_CURRENT,
                   PREPAY_DI_ACTIVE_ACCURACY, PREPAY_DI_ACTIVE_CONSTANT, PREPAY_DI_METER_MODEL,
                   PREPAY_DI_PRODUCTION_DATE, PREPAY_DI_PROTOCOL_VERSION}},
};

static int add_di(meter_options_t *o, const char *text, char *err, size_t cap)
{
    size_t len = strlen(text);
    bool hex = len > 0;
    for (size_t i = 0; i < len; i++) {
        hex = hex && isxdigit((unsigned char)text[i]);
    }
    if (hex && (len == 8 || len == 4)) {
        if (o->di_count == METER_MAX_DIS) {
            return bad(err, cap, "too many items to read (at most %d)", METER_MAX_DIS);
        }
        o->dis[o->di_count].di = (uint32_t)strtoul(text, NULL, 16);
        o->dis[o->di_count].is_1997 = len == 4;
        o->di_count++;
        return 0;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(names[i].name, text) != 0) {
            continue;
        }
        for (size_t k = 0; k < 8 && names[i].dis[k] != 0; k++) {
            if (o->di_count == METER_MAX_DIS) {
                return bad(err, cap, "too many items to read (at most %d)", METER_MAX_DIS);
            }
            o->dis[o->di_count].di = names[i].dis[k];
            o->dis[o->di_count].is_1997 = false;
            o->di_count++;
        }
        return 0;
    }
    return bad(err, cap, "'%s' is neither a DI (8 hex digits, or 4 for DL/T 645-1997) nor a known name", text);
}

static const struct {
    const char *name;
    uint8_t code;
} relay_commands[] = {
    {"trip", PREPAY_DLT645_RELAY_TRIP},
    {"allow-close", PREPAY_DLT645_RELAY_CLOSE_ALLOWED},
    {"close-allowed", PREPAY_DLT645_RELAY_CLOSE_ALLOWED},
    {"close", PREPAY_DLT645_RELAY_DIRECT_CLOSE},
    {"alarm", PREPAY_DLT645_RELAY_ALARM},
    {"alarm-release", PREPAY_DLT645_RELAY_ALARM_RELEASE},
    {"keep-power", PREPAY_DLT645_RELAY_KEEP_POWER},
    {"keep-power-release", PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE},
};


static int host_port(const char *text, char *host, size_t host_cap, uint16_t *port, bool host_optional)
{
    const char *colon = strrchr(text, ':');
    unsigned long p;
    if (!colon) {
        if (!host_optional || !parse_uint(text, 65535, &p)) {
            return -1;
        }
        host[0] = '\0';
        *port = (uint16_t)p;
        return 0;
    }
    size_t n = (size_t)(colon - text);
    if (n == 0 || n >= host_cap || !parse_uint(colon + 1, 65535, &p)) {
        return -1;
    }
    memcpy(host, text, n);
    host[n] = '\0';
    *port = (uint16_t)p;
    return 0;
}

static int option(meter_options_t *o, const char *name, const char *v, char *err, size_t cap)
{

    if (strcmp(name, "--serial") == 0) {
        const char *colon = strchr(v, ':');
        size_t len = colon ? (size_t)(colon - v) : strlen(v);
        if (len == 0 || len >= sizeof o->device) {
            return bad(err, cap, "--serial needs a device path");
        }
        memcpy(o->device, v, len);
        o->device[len] = '\0';
        if (colon && prepay_serial_settings_parse(colon + 1, &o->serial) != PREPAY_OK) {
            return bad(err, cap, "--serial %s: settings must be BAUD[:8E1] (1200..115200, 5-8 bits, N/E/O, 1 or 2 "
                                 "stop bits)", v);
        }
        o->link = LINK_SERIAL;
    } else if (strcmp(name, "--tcp") == 0) {
        if (host_port(v, o->host, sizeof o->host, &o->port, false) != 0) {
            return bad(err, cap, "--tcp takes HOST:PORT, not '%s'", v);
        }
        o->link = LINK_TCP;
    } else if (strcmp(name, "--listen") == 0) {
        if (host_port(v, o->listen_host, sizeof o->listen_host, &o->port, true) != 0) {
            return bad(err, cap, "--listen takes [ADDR:]PORT, not '%s'", v);
        }
        o->link = LINK_LISTEN;
    } else if (strcmp(name, "--dtu") == 0) {
        if (strlen(v) == 0 || strlen(v) >= sizeof o->dtu) {
            return bad(err, cap, "--dtu needs an id of 1..%u characters", (unsigned)(sizeof o->dtu - 1));
        }
        snprintf(o->dtu, sizeof o->dtu, "%s", v);
    } else if (strcmp(name, "--dtu-format") == 0 || strcmp(name, "--heartbeat") == 0) {
        bool reg = strcmp(name, "--dtu-format") == 0;
        prepay_dtu_format_t *f = reg ? &o->dtu_format : &o->heartbeat;
        if (prepay_dtu_format_parse(v, strlen(v), f) != PREPAY_OK) {
            return bad(err, cap, "%s '%s': not a pattern ('prefix:TEXT' or 'pattern:TOKENS', see docs/field.md)",
                       name, v);
        }
        if (reg && !prepay_dtu_format_has_id(f)) {
            return bad(err, cap, "--dtu-format '%s' has no id field", v);
        }
        o->has_heartbeat = o->has_heartbeat || !reg;
    } else if (strcmp(name, "--address") == 0) {
        if (prepay_dlt645_address_from_string(v, strlen(v), &o->address) != PREPAY_OK ||
            prepay_dlt645_address_is_broadcast(&o->address)) {
            return bad(err, cap, "--address '%s': 12 digits (AA pairs allowed for reads)", v);
        }
        o->has_address = true;
    } else if (strcmp(name, "--password") == 0) {
        const char *p = v;
        if (strlen(v) == 9 && v[2] == ':') {
            char level[3] = {v[0], v[1], 0};
            if (!wire_hex(level, 1, &o->credentials.level)) {
                return bad(err, cap, "--password '%s': [PA:]PPPPPP in hex", v);
            }
            p = v + 3;
        }
        if (!wire_hex(p, 3, o->credentials.password)) {
            return bad(err, cap, "--password '%s': [PA:]PPPPPP in hex (6 digits, most significant first)", v);
        }
    } else if (strcmp(name, "--level") == 0) {
        if (!wire_hex(v, 1, &o->credentials.level)) {
            return bad(err, cap, "--level '%s': 2 hex digits (02, 04)", v);
        }
    } else if (strcmp(name, "--operator") == 0) {
        if (!wire_hex(v, 4, o->credentials.operator_code)) {
            return bad(err, cap, "--operator '%s': 8 hex digits, most significant first", v);
        }
    } else if (strcmp(name, "--valid-until") == 0) {
        if (strcmp(v, "none") == 0) {
            o->no_time = true;
        } else if (!meter_parse_time(v, &o->time)) {
            return bad(err, cap, "--valid-until takes a local time 'YYYY-MM-DD hh:mm[:ss]' or none, not '%s'", v);
        }
        o->has_time = !o->no_time;
    } else if (strcmp(name, "--at") == 0) {
        unsigned mm, hh, dd, mo;
        char extra;
        if (o->command == CMD_FREEZE && sscanf(v, "%2u:%2u:%2u:%2u%c", &mm, &hh, &dd, &mo, &extra) == 4) {
            o->freeze[0] = (uint8_t)mm;
            o->freeze[1] = (uint8_t)hh;
            o->freeze[2] = (uint8_t)dd;
            o->freeze[3] = (uint8_t)mo;
        } else if (strcmp(v, "now") == 0) {
            o->has_time = false;
        } else if (!meter_parse_time(v, &o->time)) {
            return bad(err, cap, "--at '%s': local time 'YYYY-MM-DD hh:mm[:ss]'%s", v,
                       o->command == CMD_FREEZE ? " or mm:hh:DD:MM (99 = any)" : " or now");
        } else {
            o->has_time = true;
        }
    } else if (strcmp(name, "--results") == 0) {
        if (v[0] == '\0' || strlen(v) >= sizeof o->results_path) {
            return bad(err, cap, "--results takes a file name (FILE.csv or FILE.json)");
        }
        snprintf(o->results_path, sizeof o->results_path, "%s", v);
    } else {
        return bad(err, cap, "unknown option '%s'", name);
    }
    return 0;
}

/* The words after the command name. */
static int arguments(meter_options_t *o, const char *const *words, int count, char *err, size_t cap)
{
    switch (o->command) {
    case CMD_READ:
        if (count == 0) {
            return bad(err, cap, "read needs at least one DI or name");
        }
        for (int i = 0; i < count; i++) {
            int rc = add_di(o, words[i], err, cap);
            if (rc != 0) {
                return rc;
            }
        }
        return 0;
    case CMD_RELAY:
        if (count != 1) {
            return bad(err, cap, "relay takes one command: trip, allow-close, close, alarm, alarm-release, "
                                 "keep-power or keep-power-release");
        }
        for (size_t i = 0; i < sizeof relay_commands / sizeof relay_commands[0]; i++) {
            if (strcmp(relay_commands[i].name, words[0]) == 0) {
                o->relay_command = relay_commands[i].code;
                return 0;
            }
        }
        return bad(err, cap, "relay '%s': not a relay command (trip, allow-close, close, alarm, alarm-release, "
                             "keep-power, keep-power-release)", words[0]);
    case CMD_RECHARGE: {
        int64_t fen;
        if (count != 1 || prepay_fixed_parse(words[0], strlen(words[0]), 2, &fen) != PREPAY_OK || fen <= 0 ||
            fen > 99999999) {
            return bad(err, cap, "recharge takes one amount in yuan, 0.01..999999.99");
        }
        o->amount = fen;
        return 0;
    }
    case CMD_WRITE: {
        if (count != 2 || strlen(words[0]) != 8) {
            return bad(err, cap, "write takes DI (8 hex digits) and VALUE");
        }
        char *end = NULL;
        o->write_di = (uint32_t)strtoul(words[0], &end, 16);
        if (*end != '\0') {
            return bad(err, cap, "write: '%s' is not a DI (8 hex digits)", words[0]);
        }
        prepay_dlt645_value_t value;
        int status = prepay_dlt645_value_parse(o->write_di, words[1], strlen(words[1]), &value);
        if (status != PREPAY_OK) {
            return bad(err, cap, "write %s '%s': %s", words[0], words[1], prepay_strerror(status));
        }
        snprintf(o->write_value, sizeof o->write_value, "%s", words[1]);
        return 0;
    }
    case CMD_PUSH_TARIFF:
    case CMD_VERIFY_TARIFF:
        if (count != 1) {
            return bad(err, cap, "%s takes one tariff file", o->command == CMD_PUSH_TARIFF ? "push-tariff"
                                                                                            : "verify-tariff");
        }
        snprintf(o->tariff_path, sizeof o->tariff_path, "%s", words[0]);
        return 0;
    default:
        if (count != 0) {
            return bad(err, cap, "unexpected argument '%s'", words[0]);
        }
        return 0;
    }
}

static void defaults(meter_options_t *o)
{
    memset(o, 0, sizeof *o);
    prepay_serial_settings_default(&o->serial);
    prepay_station_config_default(&o->station);
    o->credentials.level = PREPAY_DLT645_PASSWORD_LEVEL_2;
    o->connect_timeout_ms = PREPAY_TRANSPORT_DEFAULT_CONNECT_MS;
    (void)prepay_dtu_format_parse("pattern:{id:1-32}", 17, &o->dtu_format);
    o->rounds = 3;
    o->broadcast = true; /* time-sync; freeze overrides below */
    memset(o->freeze, 99, sizeof o->freeze); /* 99 = any field: freeze now */
}

/* ---- the option tables ------------------------------------------------------------------ */

#define T meter_options_t
/* The bus, the meter and the session: every subcommand takes them. */
#define METER_COMMON_OPTIONS                                                                                           \
    {"serial", CLI_OPT_TEXT(T, raw.serial), .arg = "DEV[:BAUD[:8E1]]",                                                \
     .help = "RS-485 / serial port (default 2400 8E1; 1200..115200; N/E/O; 1 or 2 stop bits)"},                       \
        {"tcp", CLI_OPT_TEXT(T, raw.tcp), .arg = "HOST:PORT", .help = "a transparent DTU or serial server"},          \
        {"listen", CLI_OPT_TEXT(T, raw.listen), .arg = "[ADDR:]PORT",                                                 \
         .help = "wait for DTUs to dial in and register (with --dtu ID)"},                                            \
        {"dtu", CLI_OPT_TEXT(T, raw.dtu), .arg = "ID", .help = "with --listen: the DTU whose bus to use"},            \
        {"dtu-format", CLI_OPT_TEXT(T, raw.dtu_format), .arg = "PATTERN",                                             \
         .help = "its registration packet: 'prefix:TEXT' or 'pattern:TOKENS' (default 'pattern:{id:1-32}')"},         \
        {"heartbeat", CLI_OPT_TEXT(T, raw.heartbeat), .arg = "PATTERN", .help = "its heartbeat packet, if any"},       \
        {"connect-timeout", CLI_OPT_INT(T, connect_timeout_ms, 1, 3600000), .arg = "MS",                              \
         .help = "time to connect, or for the DTU to register (default 5000)"},                                       \
        {"verbose", CLI_OPT_FLAG(T, verbose), .help = "DTU registrations, refusals and reconnections on stderr"},     \
        {"protocol", CLI_OPT_CHOICE(T, protocol, protocol_names), .values = protocol_values,                          \
         .help = "dlt645 (default), or a water meter: cjt188 or modbus (docs/water.md)"},                              \
        {"address", CLI_OPT_TEXT(T, raw.address), .arg = "ADDR",                                                      \
         .help = "the meter, 12 digits (CJ/T 188: 14; default: the one meter on the bus, by read-address)"},          \
        {"unit", CLI_OPT_INT(T, unit, 1, 247), CLI_GIVEN(T, has_unit),                                                \
         .help = "Modbus: the meter's unit address, 1..247 (default 1)"},                                             \
        {"map", CLI_OPT_TEXT(T, raw.map), .arg = "NAME",                                                              \
         .help = "Modbus: the register map (default xintai-water; see prepay modbus maps)"},                          \
        {"meter-type", CLI_OPT_TEXT(T, raw.meter_type), .arg = "HEX",                                                 \
         .help = "CJ/T 188: the meter type of requests, 10..13 water, 20..22 heat, 30 gas, 40, AA any (default 10)"}, \
        {"password", CLI_OPT_TEXT(T, raw.password), .arg = "[PA:]PPPPPP",                                             \
         .help = "password level and password in hex (default 02:000000)"},                                           \
        {"level", CLI_OPT_TEXT(T, raw.level), .arg = "PA", .help = "the password level alone (02, 04)"},              \
        {"operator", CLI_OPT_TEXT(T, raw.operator_code), .arg = "CCCCCCCC",                                           \
         .help = "operator code in hex (default 00000000)"},                                                          \
        {"timeout", CLI_OPT_INT(T, station.reply_timeout_ms, 1, 600000), .arg = "MS",                                 \
         .help = "reply timeout per attempt (default 1000)"},                                                          \
        {"retries", CLI_OPT_INT(T, station.retries, 0, 20), .help = "retransmissions after the first (default 2)"},   \
        {"preamble", CLI_OPT_INT(T, station.preamble, 0, PREPAY_DLT645_MAX_PREAMBLE),                                 \
         .help = "FE bytes before each request (default 4)"},                                                         \
        {"broadcast-quiet", CLI_OPT_INT(T, station.broadcast_quiet_ms, 0, 600000), .arg = "MS",                       \
         .help = "pause after a broadcast before the next request"}

#define OPT_TIME                                                                                                       \
    {"time", CLI_OPT_TIME(T, time), CLI_GIVEN(T, has_time), .arg = "TIME", .help = "time-sync: the time (default now)"}
#define OPT_ADDRESSED                                                                                                  \
    {"addressed", CLI_OPT_FLAG(T, addressed_flag),                                                                     \
     .help = "time-sync: write date and time to one meter instead of a broadcast"}
#define OPT_VALID_UNTIL                                                                                                \
    {"valid-until", CLI_OPT_TEXT(T, raw.valid_until), .arg = "TIME|none",                                             \
     .help = "relay: end of the command's validity (default: the meter clock + 10 minutes)"}
#define OPT_COUNT                                                                                                      \
    {"count", CLI_OPT_INT(T, count, 0, 99999999), CLI_GIVEN(T, has_count), .arg = "N",                                \
     .help = "recharge: the purchase number (the meter's count + 1)"}
#define OPT_COUNT_BCD                                                                                                  \
    {"count-bcd", CLI_OPT_FLAG(T, count_bcd),                                                                          \
     .help = "CJ/T 188: purchase serials count in BCD, 00..99 (recharge --count 0..99; read purse shows them)"}
#define OPT_BROADCAST {"broadcast", CLI_OPT_FLAG(T, broadcast_flag), .help = "freeze: every meter on the bus"}
#define OPT_TARIFF_SET                                                                                                 \
    {"tariff-set", CLI_OPT_CHOICE(T, tariff_set, set_names), .values = set_values,                                     \
     .help = "which set of the tariff file (default a)"}
#define OPT_SET                                                                                                        \
    {"set", CLI_OPT_CHOICE(T, meter_set, meter_set_names), .values = meter_set_values,                                \
     .help = "verify-tariff: the meter's set 1 or 2 (default: the one in force after the switch-over)"}

static const char *const protocol_names[] = {"dlt645", "cjt188", "modbus", NULL};
static const int protocol_values[] = {METER_DLT645, METER_CJT188, METER_MODBUS};
static const char *const set_names[] = {"a", "b", NULL};
static const int set_values[] = {0, 1};
static const char *const meter_set_names[] = {"1", "2", NULL};
static const int meter_set_values[] = {1, 2};

static const cli_option_t common_options[] = {METER_COMMON_OPTIONS, {.name = NULL}};
static const cli_option_t time_sync_options[] = {METER_COMMON_OPTIONS, OPT_TIME, OPT_ADDRESSED, {.name = NULL}};
static const cli_option_t relay_options[] = {METER_COMMON_OPTIONS, OPT_VALID_UNTIL, {.name = NULL}};
static const cli_option_t recharge_options[] = {METER_COMMON_OPTIONS, OPT_COUNT, OPT_COUNT_BCD, {.name = NULL}};
static const cli_option_t read_options[] = {METER_COMMON_OPTIONS, OPT_COUNT_BCD, {.name = NULL}};
static const cli_option_t events_options[] = {
    METER_COMMON_OPTIONS,
    {"records", CLI_OPT_TEXT(T, raw.records), .arg = "FILE",
     .help = "write the event records as prepay analyse input (CSV: meter,kind,phase,start,end)"},
    {"all", CLI_OPT_FLAG(T, events_all),
     .help = "every channel's count and newest records, not only the channels of the active-report word"},
    {"acknowledge", CLI_OPT_FLAG(T, events_acknowledge),
     .help = "then reset the active-report bits of the channels read (write 04001503; level-02 password)"},
    {.name = NULL},
};
static const cli_option_t freeze_options[] = {
    METER_COMMON_OPTIONS,
    OPT_BROADCAST,
    {"at", CLI_OPT_TEXT(T, raw.at), .arg = "mm:hh:DD:MM", .help = "set the timed freeze (99 = any) instead of now"},
    {.name = NULL},
};
static const cli_option_t push_options[] = {
    METER_COMMON_OPTIONS,
    {"at", CLI_OPT_TEXT(T, raw.at), .arg = "TIME|now", .help = "the switch-over time (default now)"},
    OPT_TARIFF_SET,
    {.name = NULL},
};
static const cli_option_t verify_options[] = {METER_COMMON_OPTIONS, OPT_SET, OPT_TARIFF_SET, {.name = NULL}};
static const cli_option_t batch_options[] = {
    METER_COMMON_OPTIONS,
    OPT_TIME,
    OPT_ADDRESSED,
    OPT_VALID_UNTIL,
    OPT_COUNT,
    OPT_COUNT_BCD,
    OPT_BROADCAST,
    {"at", CLI_OPT_TEXT(T, raw.at), .arg = "AT", .help = "freeze: mm:hh:DD:MM; push-tariff: TIME|now"},
    OPT_SET,
    OPT_TARIFF_SET,
    {"start", CLI_OPT_TIME(T, start_at), CLI_GIVEN(T, has_start), .arg = "TIME",
     .help = "start the batch at this local time"},
    {"rounds", CLI_OPT_INT(T, rounds, 1, 20), .help = "tries of the meters that did not answer (default 3)"},
    {"results", CLI_OPT_TEXT(T, raw.results), .arg = "FILE", .help = "per-meter results as FILE.csv or FILE.json"},
    {"progress", CLI_OPT_FLAG(T, progress_flag), .help = "a progress line on stderr (default: on a terminal)"},
    {"no-progress", CLI_OPT_FLAG(T, no_progress_flag), .help = "no progress line"},
    {.name = NULL},
};
#undef T

#define METER_NOTES                                                                                                    \
    "Give the bus with --serial, --tcp or --listen (with --dtu). TIME is local time 'YYYY-MM-DD hh:mm[:ss]' (or\n"     \
    "YYYY/MM/DD). Exit status: 0 done, 1 a meter or the link failed (one line on stderr naming the meter and\n"       \
    "the cause), 2 bad command line or input file (nothing sent). See docs/field.md.\n"                                \
    "Water meters (docs/water.md), on any of these buses: --protocol cjt188 (--address: 14 digits, --meter-type)\n"  \
    "defines read, read-address, discover, time-sync, relay open|close (the valve), recharge (--count: the\n"         \
    "purchase serial; --count-bcd), push-tariff and verify-tariff (a water ladder of at most 3 prices); --protocol\n" \
    "modbus (--unit, --map) read and relay open|close; batch runs them over a site file. Other commands are not\n"    \
    "defined for them (exit 2)."

#define METER_SPEC(cmd, usage_text, summary_text, table)                                                               \
    {                                                                                                                  \
        .program = "prepay meter " cmd, .usage = usage_text, .summary = summary_text, .options = table,                \
        .args = "ARGS", .min_args = 0, .max_args = CLI_ARGS_MAX, .json = true, .notes = METER_NOTES                    \
    }

/* Indexed by meter_command_t. */
static const cli_spec_t meter_specs[] = {
    [CMD_READ] = METER_SPEC("read",
                            "BUS [--address ADDR] DI|NAME... [--json]\n"
                            "BUS --protocol cjt188|modbus [--address ADDR|--unit N [--map NAME]] [ITEM...] [--json]",
                            "Reads typed values with names and units (blocks split). DI: 8 hex digits, or 4 for a\n"
                            "DL/T 645-1997 item; NAME: energy, energy-tariffs, reverse, balance, overdraft, voltage,\n"
                            "current, power, reactive-power, pf, frequency, date, time, address, meter-number, status3,\n"
                            "purchase-count, alarm1, alarm2, switch-prices, counts, nameplate (rated-voltage,\n"
                            "rated-current, max-current, accuracy, model, production-date, protocol-version).\n"
                            "CJ/T 188: current (901F, the default), purse (8105), prices (8102), settlement-day,\n"
                            "reading-day, history (D120..D12B), or the DI; Modbus: the map's registers (default all).",
                            read_options),
    [CMD_READ_ADDRESS] = METER_SPEC("read-address", "BUS [--json]", "Reads the address of the (one) meter on the bus.",
                                    common_options),
    [CMD_DISCOVER] = METER_SPEC("discover", "BUS [--protocol cjt188 [ADDR...]] [--json]",
                                "Finds every meter on the bus (wildcard probes, collisions split). CJ/T 188\n"
                                "(--protocol cjt188 [ADDR...]): the wildcard read-address finds the one meter of a\n"
                                "line (CJ/T 188 has no collision avoidance), or give the addresses to scan.",
                                common_options),
    [CMD_TIME_SYNC] = METER_SPEC("time-sync", "BUS [--time TIME] [--addressed --address ADDR] [--json]",
                                 "Broadcasts the time (default now), or writes date and time to one meter.",
                                 time_sync_options),
    [CMD_RELAY] = METER_SPEC("relay",
                             "BUS [--address ADDR] trip|allow-close|close|alarm|alarm-release|keep-power|"
                             "keep-power-release [--valid-until TIME|none] [--json]\n"
                             "BUS --protocol cjt188|modbus [--address ADDR|--unit N] open|close [--json]",
                             "Sends a relay (remote control) command; to a water meter (--protocol cjt188|modbus):\n"
                             "open or close the valve, then read it back.",
                             relay_options),
    [CMD_RECHARGE] = METER_SPEC("recharge", "BUS [--address ADDR] AMOUNT --count N [--count-bcd] [--json]",
                                "Credits AMOUNT yuan (0.01..999999.99) as purchase number N (the meter's count + 1,\n"
                                "so that a repeated recharge is not credited twice).",
                                recharge_options),
    [CMD_WRITE] = METER_SPEC("write", "BUS [--address ADDR] DI VALUE [--json]",
                             "Writes one item (the value as text, e.g. 20.00, '01-01:1 06-01:2').", common_options),
    [CMD_FREEZE] = METER_SPEC("freeze", "BUS [--address ADDR] [--at mm:hh:DD:MM] [--broadcast] [--json]",
                              "Freezes now (default), or sets the timed freeze.", freeze_options),
    [CMD_EVENTS] = METER_SPEC("events", "BUS [--address ADDR] [--records FILE] [--all] [--acknowledge] [--json]",
                              "Reads event counts; from a meter that judges events, its active-report word\n"
                              "(04001501) and the new records of the channels it names (--all: every\n"
                              "channel's records), decoded (--records FILE: as CSV); --acknowledge then\n"
                              "resets those report bits (04001503) so the next poll sees only newer events.",
                              events_options),
    [CMD_PUSH_TARIFF] = METER_SPEC("push-tariff", "BUS [--address ADDR] TARIFF.json [--at TIME|now] [--tariff-set a|b]",
                                   "Programs the meter's second price set from a tariff file, reads it back, then\n"
                                   "sets the switch-over time. A plan the meter cannot hold is refused before any\n"
                                   "write.",
                                   push_options),
    [CMD_VERIFY_TARIFF] = METER_SPEC("verify-tariff",
                                     "BUS [--address ADDR] TARIFF.json [--set 1|2] [--tariff-set a|b] [--json]",
                                     "Reads the tariff tables back and prints the differences (exit 1 if any).",
                                     verify_options),
    [CMD_BATCH] = METER_SPEC("batch",
                             "SITE.csv COMMAND [ARGS] BUS [--start TIME] [--rounds N] [--results FILE] "
                             "[--progress|--no-progress] [--json]",
                             "Runs COMMAND (read, time-sync, relay, recharge, write, freeze, events, push-tariff,\n"
                             "verify-tariff) on every meter of SITE.csv (columns address[,dtu,amount,count]; '-'\n"
                             "reads it from stdin). Meters that did not answer are tried again, up to --rounds.\n"
                             "With --protocol cjt188|modbus the address is 14 digits or the Modbus unit; a header\n"
                             "may name a protocol column (rows of another protocol are not part of the batch).",
                             batch_options),
};

static const struct {
    const char *name;
    meter_command_t command;
} commands[] = {
    {"read", CMD_READ},         {"read-address", CMD_READ_ADDRESS}, {"discover", CMD_DISCOVER},
    {"time-sync", CMD_TIME_SYNC}, {"relay", CMD_RELAY},             {"recharge", CMD_RECHARGE},
    {"write", CMD_WRITE},       {"freeze", CMD_FREEZE},             {"events", CMD_EVENTS},
    {"push-tariff", CMD_PUSH_TARIFF}, {"verify-tariff", CMD_VERIFY_TARIFF}, {"batch", CMD_BATCH},
};

/* The options each command takes in a batch, besides the common ones and the batch's own. */
static const char *batch_takes(meter_command_t command)
{
    switch (command) {
    case CMD_TIME_SYNC: return "time addressed";
    case CMD_RELAY: return "valid-until";
    case CMD_RECHARGE: return "count";
    case CMD_FREEZE: return "broadcast at";
    case CMD_PUSH_TARIFF: return "at tariff-set";
    case CMD_VERIFY_TARIFF: return "set tariff-set";
    default: return "";
    }
}

meter_command_t meter_command_named(const char *name)
{
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (strcmp(commands[k].name, name) == 0) {
            return commands[k].command;
        }
    }
    return CMD_NONE;
}

const cli_spec_t *meter_spec(meter_command_t command)
{
    return command > CMD_NONE && command <= CMD_BATCH ? &meter_specs[command] : NULL;
}

int meter_bus_options(meter_options_t *o, char *err, size_t cap)
{
    const struct {
        const char *name, *value;
    } texts[] = {
        {"--serial", o->raw.serial}, {"--tcp", o->raw.tcp}, {"--listen", o->raw.listen},
        {"--dtu", o->raw.dtu}, {"--dtu-format", o->raw.dtu_format}, {"--heartbeat", o->raw.heartbeat},
    };
    int links = (o->raw.serial != NULL) + (o->raw.tcp != NULL) + (o->raw.listen != NULL);
    if (links > 1) {
        return bad(err, cap, "give one bus: --serial, --tcp or --listen");
    }
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        int rc = texts[i].value ? option(o, texts[i].name, texts[i].value, err, cap) : 0;
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int meter_bus_given(const meter_options_t *o, char *err, size_t cap)
{
    if (o->link == LINK_NONE) {
        return bad(err, cap, "give the bus: --serial DEV, --tcp HOST:PORT or --listen PORT --dtu ID");
    }
    if (o->link == LINK_LISTEN && o->dtu[0] == '\0' && o->site_path[0] == '\0') {
        return bad(err, cap, "--listen needs --dtu ID (the DTU whose bus to use)");
    }
    return 0;
}

/* The texts the parser kept, checked and turned into settings (messages as the parser's). */
static int apply_texts(meter_options_t *o, char *err, size_t cap)
{
    const struct {
        const char *name, *value;
    } texts[] = {
        {"--address", o->raw.address},   {"--password", o->raw.password}, {"--level", o->raw.level},
        {"--operator", o->raw.operator_code}, {"--valid-until", o->raw.valid_until}, {"--at", o->raw.at},
        {"--results", o->raw.results},
    };
    int rc = meter_bus_options(o, err, cap);
    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; i < sizeof texts / sizeof texts[0] && rc == 0; i++) {
        rc = texts[i].value ? option(o, texts[i].name, texts[i].value, err, cap) : 0;
    }
    if (rc != 0) {
        return rc;
    }
    if (o->progress_flag && o->no_progress_flag) {
        return bad(err, cap, "--progress and --no-progress exclude each other");
    }
    o->progress_set = o->progress_flag || o->no_progress_flag;
    o->progress = o->progress_flag;
    if (o->addressed_flag) {
        o->broadcast = false;
    }
    if (o->broadcast_flag) {
        o->broadcast = true;
    }
    return 0;
}

/* batch SITE.csv COMMAND [ARGS]: the command run on every meter, with the options it takes. */
static int batch_command(meter_options_t *o, const cli_args_t *args, char *err, size_t cap)
{
    if (args->count < 2) {
        return bad(err, cap, "batch needs a site file and a command: batch SITE.csv COMMAND [ARGS]");
    }
    if (strlen(args->args[0]) >= sizeof o->site_path || args->args[0][0] == '\0') {
        return bad(err, cap, "batch: the site file name is too long");
    }
    snprintf(o->site_path, sizeof o->site_path, "%s", args->args[0]);
    meter_command_t inner = meter_command_named(args->args[1]);
    if (inner == CMD_NONE || inner == CMD_BATCH || inner == CMD_DISCOVER || inner == CMD_READ_ADDRESS) {
        return bad(err, cap, "batch runs read, time-sync, relay, recharge, write, freeze, events, push-tariff or "
                             "verify-tariff, not '%s'", args->args[1]);
    }
    char allowed[512];
    snprintf(allowed, sizeof allowed,
             "serial tcp listen dtu dtu-format heartbeat connect-timeout verbose address password level operator "
             "timeout retries preamble broadcast-quiet start rounds results progress no-progress %s",
             batch_takes(inner));
    char context[64];
    snprintf(context, sizeof context, "batch %s", args->args[1]);
    if (cli_only(&meter_specs[CMD_BATCH], args, allowed, context, err, cap) != 0) {
        return METER_EXIT_USAGE;
    }
    o->command = inner;
    if ((inner == CMD_PUSH_TARIFF || inner == CMD_VERIFY_TARIFF) && args->count > 2 &&
        strcmp(args->args[0], "-") == 0 && strcmp(args->args[2], "-") == 0) {
        return bad(err, cap, "batch: the site file and the tariff cannot both come from the standard input");
    }
    if (inner == CMD_FREEZE && !o->broadcast_flag) {
        o->broadcast = false;
    }
    return arguments(o, args->args + 2, (int)args->count - 2, err, cap);
}

int meter_options_parse(meter_command_t command, int argc, char **argv, meter_options_t *o, cli_args_t *args,
                        char *err, size_t cap)
{
    defaults(o);
    memset(args, 0, sizeof *args);
    const cli_spec_t *spec = meter_spec(command);
    if (!spec) {
        return bad(err, cap, "no such command");
    }
    o->command = command;
    o->program = spec->program;
    if (command == CMD_FREEZE) {
        o->broadcast = false; /* freeze the addressed meter unless --broadcast */
    }
    int rc = cli_parse(spec, argc, argv, o, args, err, cap);
    if (rc != 0 || args->help || args->version) {
        return rc;
    }
    o->json = args->json;
    if (o->protocol != METER_DLT645) {
        return meter_water_options(o, args, err, cap); /* a water meter: meter_water_options.c */
    }
    if (o->has_unit || o->raw.map) {
        return bad(err, cap, "--unit and --map are for --protocol modbus");
    }
    if (o->raw.meter_type || o->count_bcd) {
        return bad(err, cap, "--meter-type and --count-bcd are for --protocol cjt188");
    }
    /* The command first: what --at means depends on it (freeze or push-tariff, also in a batch). */
    rc = command == CMD_BATCH ? batch_command(o, args, err, cap) : arguments(o, args->args, (int)args->count, err, cap);
    if (rc == 0) {
        rc = apply_texts(o, err, cap);
    }
    if (rc != 0) {
        return rc;
    }
    rc = meter_bus_given(o, err, cap);
    if (rc != 0) {
        return rc;
    }
    if (o->command == CMD_RECHARGE && !o->has_count && o->site_path[0] == '\0') {
        return bad(err, cap, "recharge needs --count N: the purchase number (the meter's count + 1), so that a "
                             "repeated recharge is not credited twice");
    }
    return 0;
}

int meter_find_command(int argc, char **argv)
{
    /* The first argument that is neither an option nor an option's value (docs/cli.md: options go anywhere). */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            return i + 1 < argc ? i + 1 : -1;
        }
        if (a[0] != '-' || a[1] == '\0') {
            return i;
        }
        if (a[1] != '-' || strchr(a, '=') != NULL) {
            continue; /* -h, --opt=value */
        }
        /* water-read / water-valve (cmd_meter_water.c) have options of their own that take a value. */
        static const char *const water_only[] = {"timeout-ms"};
        bool takes_value = false;
        for (const cli_option_t *opt = batch_options; opt->name && !takes_value; opt++) {
            takes_value = opt->kind != CLI_FLAG && strcmp(opt->name, a + 2) == 0;
        }
        for (size_t k = 0; k < sizeof water_only / sizeof water_only[0] && !takes_value; k++) {
            takes_value = strcmp(water_only[k], a + 2) == 0;
        }
        i += takes_value; /* its value */
    }
    return -1;
}
