/*
 * prepay meter: the command line into meter_options_t. Parsing only: no file,
 * device or socket is opened here, so a bad command line changes nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter_cli.h"
#include "prepay/civil_time.h"
#include "prepay/dlt645_di.h"
#include "prepay/fixed_point.h"

void meter_usage(FILE *to)
{
    fprintf(to,
            "usage: prepay meter CONNECTION [--address ADDR] [SESSION] [--json] COMMAND [ARGS]\n"
            "\n"
            "CONNECTION (one of):\n"
            "  --serial DEV[:BAUD[:8E1]]   RS-485 / serial port (default 2400 8E1; 1200..115200; N/E/O; 1 or 2 stop bits)\n"
            "  --tcp HOST:PORT             a transparent DTU or serial server\n"
            "  --listen [ADDR:]PORT --dtu ID\n"
            "                              wait for DTU ID to dial in and register\n"
            "      --dtu-format PATTERN    its registration packet (default 'pattern:{id:1-32}': the id alone);\n"
            "                              'prefix:TEXT' or 'pattern:HH 'ASCII' ?? {id:N} {id:N-M} {idhex:N}'\n"
            "      --heartbeat PATTERN     its heartbeat packet, if it sends one\n"
            "  --connect-timeout MS        time to connect, or for the DTU to register (default 5000)\n"
            "  --verbose                   DTU registrations, refusals and reconnections on stderr\n"
            "METER: --address ADDR (12 digits); without it the one meter on the bus is found by read-address\n"
            "SESSION: --password [PA:]PPPPPP (default 02:000000) --operator CCCCCCCC (default 00000000)\n"
            "         --timeout MS (reply timeout, default 1000) --retries N (default 2)\n"
            "         --preamble N (FE bytes, 0..4, default 4) --broadcast-quiet MS (pause after a broadcast)\n"
            "\n"
            "COMMANDS:\n"
            "  read DI|NAME...             typed values with names and units (blocks split); DI: 8 hex digits,\n"
            "                              or 4 for a DL/T 645-1997 item; NAME: energy, energy-tariffs, reverse,\n"
            "                              balance, overdraft, voltage, current, power, pf, frequency, date, time,\n"
            "                              address, meter-number, status3, purchase-count, alarm1, alarm2,\n"
            "                              nameplate (rated-voltage, rated-current, max-current, accuracy, model,\n"
            "                              production-date, protocol-version), switch-prices, counts\n"
            "  read-address                the address of the (one) meter on the bus\n"
            "  discover                    every meter on the bus (wildcard probes, collisions split)\n"
            "  time-sync [--time T] [--addressed]\n"
            "                              broadcast time (default: now) or write date and time to one meter\n"
            "  relay trip|allow-close|close|alarm|alarm-release|keep-power|keep-power-release\n"
            "        [--valid-until T|none]  default: the meter clock + 10 minutes\n"
            "  recharge AMOUNT --count N   credit AMOUNT yuan as purchase number N (the meter's count + 1)\n"
            "  write DI VALUE              write one item (value as text, e.g. 20.00, '01-01:1 06-01:2')\n"
            "  freeze [--at mm:hh:DD:MM] [--broadcast]   freeze now (default) or set the timed freeze\n"
            "  events                      event counts and the last records\n"
            "  push-tariff TARIFF.json [--at T|now] [--tariff-set a|b]\n"
            "                              program the second set, read it back, then set the switch-over time\n"
            "  verify-tariff TARIFF.json [--set 1|2] [--tariff-set a|b]\n"
            "                              read the tables back and print the differences (exit 1 if any)\n"
            "  batch SITE.csv [--start T] [--rounds N] [--results FILE.csv|FILE.json] [--progress|--no-progress]\n"
            "        COMMAND [ARGS]        the command on every meter of SITE.csv (columns address[,dtu,amount,count]);\n"
            "                              meters that did not answer are tried again, up to N rounds (default 3)\n"
            "\n"
            "T is local time 'YYYY-MM-DD hh:mm[:ss]'. Exit status: 0 ok, 1 a meter or the link failed,\n"
            "2 bad command line or input file. See docs/field.md.\n");
}

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

static const struct {
    const char *name;
    meter_command_t command;
} commands[] = {
    {"read", CMD_READ},         {"read-address", CMD_READ_ADDRESS}, {"discover", CMD_DISCOVER},
    {"time-sync", CMD_TIME_SYNC}, {"relay", CMD_RELAY},             {"recharge", CMD_RECHARGE},
    {"write", CMD_WRITE},       {"freeze", CMD_FREEZE},             {"events", CMD_EVENTS},
    {"push-tariff", CMD_PUSH_TARIFF}, {"verify-tariff", CMD_VERIFY_TARIFF}, {"batch", CMD_BATCH},
};

/* Options that take a value. */
static const char *const valued[] = {
    "--serial", "--tcp", "--listen", "--dtu", "--dtu-format", "--heartbeat", "--connect-timeout", "--address",
    "--password", "--level", "--operator", "--timeout", "--retries", "--preamble", "--broadcast-quiet", "--time",
    "--valid-until", "--count", "--at", "--set", "--tariff-set", "--rounds", "--results", "--start",
};

static bool takes_value(const char *option)
{
    for (size_t i = 0; i < sizeof valued / sizeof valued[0]; i++) {
        if (strcmp(valued[i], option) == 0) {
            return true;
        }
    }
    return false;
}

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
    unsigned long n;
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
    } else if (strcmp(name, "--connect-timeout") == 0) {
        if (!parse_uint(v, 3600000, &n) || n == 0) {
            return bad(err, cap, "--connect-timeout takes milliseconds, 1..3600000");
        }
        o->connect_timeout_ms = (uint32_t)n;
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
    } else if (strcmp(name, "--timeout") == 0) {
        if (!parse_uint(v, 600000, &n) || n == 0) {
            return bad(err, cap, "--timeout takes milliseconds, 1..600000");
        }
        o->station.reply_timeout_ms = (uint32_t)n;
    } else if (strcmp(name, "--retries") == 0) {
        if (!parse_uint(v, 20, &n)) {
            return bad(err, cap, "--retries takes 0..20");
        }
        o->station.retries = (uint8_t)n;
    } else if (strcmp(name, "--preamble") == 0) {
        if (!parse_uint(v, PREPAY_DLT645_MAX_PREAMBLE, &n)) {
            return bad(err, cap, "--preamble takes 0..4");
        }
        o->station.preamble = (uint8_t)n;
    } else if (strcmp(name, "--broadcast-quiet") == 0) {
        if (!parse_uint(v, 600000, &n)) {
            return bad(err, cap, "--broadcast-quiet takes milliseconds");
        }
        o->station.broadcast_quiet_ms = (uint32_t)n;
    } else if (strcmp(name, "--time") == 0 || strcmp(name, "--valid-until") == 0) {
        if (strcmp(name, "--valid-until") == 0 && strcmp(v, "none") == 0) {
            o->no_time = true;
        } else if (!meter_parse_time(v, &o->time)) {
            return bad(err, cap, "%s '%s': local time 'YYYY-MM-DD hh:mm[:ss]'", name, v);
        }
        o->has_time = !o->no_time;
    } else if (strcmp(name, "--count") == 0) {
        if (!parse_uint(v, 99999999, &n)) {
            return bad(err, cap, "--count takes a purchase count, 0..99999999");
        }
        o->count = (uint32_t)n;
        o->has_count = true;
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
    } else if (strcmp(name, "--start") == 0) {
        if (!meter_parse_time(v, &o->start_at)) {
            return bad(err, cap, "--start '%s': local time 'YYYY-MM-DD hh:mm[:ss]'", v);
        }
        o->has_start = true;
    } else if (strcmp(name, "--set") == 0) {
        if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0) {
            return bad(err, cap, "--set takes 1 or 2");
        }
        o->meter_set = v[0] - '0';
    } else if (strcmp(name, "--tariff-set") == 0) {
        if (strcmp(v, "a") != 0 && strcmp(v, "b") != 0) {
            return bad(err, cap, "--tariff-set takes a or b");
        }
        o->tariff_set = v[0] == 'b';
    } else if (strcmp(name, "--rounds") == 0) {
        if (!parse_uint(v, 20, &n) || n == 0) {
            return bad(err, cap, "--rounds takes 1..20");
        }
        o->rounds = (unsigned)n;
    } else if (strcmp(name, "--results") == 0) {
        snprintf(o->results_path, sizeof o->results_path, "%s", v);
    } else {
        return bad(err, cap, "unknown option '%s'", name);
    }
    return 0;
}

static int flag(meter_options_t *o, const char *name, char *err, size_t cap)
{
    if (strcmp(name, "--json") == 0) {
        o->json = true;
    } else if (strcmp(name, "--broadcast") == 0) {
        o->broadcast = true;
    } else if (strcmp(name, "--addressed") == 0) {
        o->broadcast = false;
    } else if (strcmp(name, "--verbose") == 0) {
        o->verbose = true;
    } else if (strcmp(name, "--progress") == 0 || strcmp(name, "--no-progress") == 0) {
        o->progress = strcmp(name, "--progress") == 0;
        o->progress_set = true;
    } else {
        return bad(err, cap, "unknown option '%s'", name);
    }
    return 0;
}

/* The words after the command name. */
static int arguments(meter_options_t *o, char **words, int count, char *err, size_t cap)
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

int meter_command_parse(int argc, char **argv, meter_options_t *o, char *err, size_t cap)
{
    char *words[64];
    int word_count = 0;
    o->command = CMD_NONE;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) == 0) {
            if (takes_value(a)) {
                if (i + 1 >= argc) {
                    return bad(err, cap, "%s needs a value", a);
                }
                int rc = option(o, a, argv[++i], err, cap);
                if (rc != 0) {
                    return rc;
                }
            } else {
                int rc = flag(o, a, err, cap);
                if (rc != 0) {
                    return rc;
                }
            }
            continue;
        }
        if (o->command == CMD_NONE) {
            for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
                if (strcmp(commands[k].name, a) == 0) {
                    o->command = commands[k].command;
                }
            }
            if (o->command == CMD_NONE) {
                return bad(err, cap, "unknown command '%s' (try 'prepay meter --help')", a);
            }
            if (o->command == CMD_FREEZE) {
                o->broadcast = false;
            }
            if (o->command == CMD_BATCH) {
                if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
                    return bad(err, cap, "batch needs a site file: batch SITE.csv COMMAND [ARGS]");
                }
                snprintf(o->site_path, sizeof o->site_path, "%s", argv[++i]);
                /* The rest is the command run on every meter (its options included). */
                meter_options_t inner = *o;
                int rc = meter_command_parse(argc - i - 1, argv + i + 1, &inner, err, cap);
                if (rc != 0) {
                    return rc;
                }
                if (inner.command == CMD_NONE || inner.command == CMD_BATCH || inner.command == CMD_DISCOVER ||
                    inner.command == CMD_READ_ADDRESS) {
                    return bad(err, cap, "batch runs read, time-sync, relay, recharge, write, freeze, events, "
                                         "push-tariff or verify-tariff");
                }
                *o = inner; /* o->site_path set: a batch of this command */
                return 0;
            }
            continue;
        }
        if (word_count == 64) {
            return bad(err, cap, "too many arguments");
        }
        words[word_count++] = argv[i];
    }
    if (o->command == CMD_NONE) {
        return bad(err, cap, "no command (try 'prepay meter --help')");
    }
    return arguments(o, words, word_count, err, cap);
}

int meter_options_parse(int argc, char **argv, meter_options_t *o, FILE *out, char *err, size_t cap)
{
    defaults(o);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            meter_usage(out);
            return -1;
        }
    }
    int rc = meter_command_parse(argc - 1, argv + 1, o, err, cap);
    if (rc != 0) {
        return rc;
    }
    if (o->link == LINK_NONE) {
        return bad(err, cap, "give the bus: --serial DEV, --tcp HOST:PORT or --listen PORT --dtu ID");
    }
    if (o->link == LINK_LISTEN && o->dtu[0] == '\0' && o->site_path[0] == '\0') {
        return bad(err, cap, "--listen needs --dtu ID (the DTU whose bus to use)");
    }
    if (o->command == CMD_RECHARGE && !o->has_count && o->site_path[0] == '\0') {
        return bad(err, cap, "recharge needs --count N: the purchase number (the meter's count + 1), so that a "
                             "repeated recharge is not credited twice");
    }
    return 0;
}
