/* SPDX-License-Identifier: MIT */
/*
 * prepay cjt188: decode CJ/T 188 frames into fields and typed values, and
 * build request frames (hosted).
 *
 *   prepay cjt188 decode [--json] [--di-order auto|high|low] HEX...   ('-': stdin, one frame per line)
 *   prepay cjt188 encode KIND --address A [--type T] [--ser N] [--di-order high|low] [--preamble N] [--json]
 *       read --di DI | read-address | key-version | valve --open|--close
 *       purchase --serial N --amount YUAN | price-table --prices 'P1 P2 P3' --steps 'V1 V2' --start-day D
 *       time --time 'YYYY-MM-DD hh:mm:ss' | day --di A011|A012 --day D | write-address --new A
 *       base --reading M3 | key --key-version N --key HEX16 | factory-enable
 *
 * Conventions (options, --json lines, exit status): docs/cli.md.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_file.h"
#include "cli_options.h"
#include "cli_text.h"
#include "commands.h"
#include "prepay/civil_time.h"
#include "prepay/cjt188.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/* Longest frame line read from the standard input. */
#define LINE_MAX_BYTES 8191u

/* The 14 digits of an address, or "?" */
static const char *address_text(const prepay_cjt188_address_t *a, char buf[CLI_TEXT_MAX])
{
    return prepay_cjt188_address_to_string(a, buf, CLI_TEXT_MAX) < 0 ? strcpy(buf, "?") : buf;
}

static const char *function_name(unsigned function)
{
    switch (function) {
    case PREPAY_CJT188_FN_READ: return "read data";
    case PREPAY_CJT188_FN_READ_ADDRESS: return "read address";
    case PREPAY_CJT188_FN_WRITE: return "write data";
    case PREPAY_CJT188_FN_READ_KEY_VERSION: return "read key version";
    case PREPAY_CJT188_FN_WRITE_ADDRESS: return "write address";
    case PREPAY_CJT188_FN_WRITE_BASE: return "write base reading";
    default: return function & PREPAY_CJT188_FN_VENDOR_FLAG ? "manufacturer-defined" : "reserved";
    }
}

static const char *di_name(uint16_t di)
{
    if (di >= PREPAY_CJT188_DI_HISTORY_FIRST && di <= PREPAY_CJT188_DI_HISTORY_LAST) {
        return "history: settlement-day reading";
    }
    switch (di) {
    case PREPAY_CJT188_DI_CURRENT: return "current data";
    case PREPAY_CJT188_DI_PRICE_TABLE: return "price table";
    case PREPAY_CJT188_DI_SETTLEMENT_DAY: return "settlement day";
    case PREPAY_CJT188_DI_READING_DAY: return "reading day";
    case PREPAY_CJT188_DI_PURSE: return "purchased amount (purse)";
    case PREPAY_CJT188_DI_KEY_VERSION: return "key version";
    case PREPAY_CJT188_DI_ADDRESS: return "address";
    case PREPAY_CJT188_DI_WRITE_PRICE_TABLE: return "write price table";
    case PREPAY_CJT188_DI_WRITE_SETTLEMENT_DAY: return "write settlement day";
    case PREPAY_CJT188_DI_WRITE_READING_DAY: return "write reading day";
    case PREPAY_CJT188_DI_WRITE_PURCHASE: return "purchase";
    case PREPAY_CJT188_DI_WRITE_KEY: return "write key";
    case PREPAY_CJT188_DI_WRITE_TIME: return "write time";
    case PREPAY_CJT188_DI_WRITE_BASE: return "write base reading";
    case PREPAY_CJT188_DI_WRITE_VALVE: return "valve control";
    case PREPAY_CJT188_DI_WRITE_ADDRESS: return "write address";
    case PREPAY_CJT188_DI_FACTORY_ENABLE: return "factory enable";
    default: return "unknown";
    }
}

static const char *family_name(prepay_cjt188_family_t f)
{
    static const char *const names[] = {"unknown", "water", "heat", "gas", "custom", "any"};
    return (unsigned)f < 6 ? names[f] : "unknown";
}

static const char *unit_symbol(uint8_t unit)
{
    switch (unit) {
    case PREPAY_CJT188_UNIT_J: return "J";
    case PREPAY_CJT188_UNIT_WH: return "Wh";
    case PREPAY_CJT188_UNIT_KWH: return "kWh";
    case PREPAY_CJT188_UNIT_MWH: return "MWh";
    case PREPAY_CJT188_UNIT_MWH_100: return "x100 MWh";
    case PREPAY_CJT188_UNIT_KJ: return "kJ";
    case PREPAY_CJT188_UNIT_MJ: return "MJ";
    case PREPAY_CJT188_UNIT_GJ: return "GJ";
    case PREPAY_CJT188_UNIT_GJ_100: return "x100 GJ";
    case PREPAY_CJT188_UNIT_W: return "W";
    case PREPAY_CJT188_UNIT_KW: return "kW";
    case PREPAY_CJT188_UNIT_MW: return "MW";
    case PREPAY_CJT188_UNIT_L: return "L";
    case PREPAY_CJT188_UNIT_M3: return "m3";
    case PREPAY_CJT188_UNIT_L_PER_H: return "L/h";
    case PREPAY_CJT188_UNIT_M3_PER_H: return "m3/h";
    default: return "";
    }
}

/* ---- decoded values, collected as name/value/unit lines ------------------------ */

#define MAX_VALUES 24
typedef struct shown {
    char name[48];
    char value[64];
    char unit[16];
} shown_t;

typedef struct shown_list {
    shown_t items[MAX_VALUES];
    size_t count;
    int problem; /* a typed decoder's error, or PREPAY_OK */
} shown_list_t;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static void add(shown_list_t *l, const char *name, const char *unit, const char *fmt, ...)
{
    if (l->count == MAX_VALUES) {
        return;
    }
    shown_t *s = &l->items[l->count++];
    snprintf(s->name, sizeof s->name, "%s", name);
    snprintf(s->unit, sizeof s->unit, "%s", unit);
    va_list args;
    va_start(args, fmt);
    vsnprintf(s->value, sizeof s->value, fmt, args);
    va_end(args);
}

static void add_fixed(shown_list_t *l, const char *name, const char *unit, int64_t value, unsigned decimals)
{
    char text[40];
    if (prepay_fixed_format(value, decimals, text, sizeof text) < 0) {
        snprintf(text, sizeof text, "?");
    }
    add(l, name, unit, "%s", text);
}

static void add_quantity(shown_list_t *l, const char *name, const prepay_cjt188_quantity_t *q)
{
    if (!q->present) {
        add(l, name, "", "absent");
        return;
    }
    add_fixed(l, name, unit_symbol(q->unit), q->value, q->decimals);
    prepay_energy_t litres;
    char litre_name[56];
    snprintf(litre_name, sizeof litre_name, "%s (L)", name);
    if ((q->unit == PREPAY_CJT188_UNIT_M3 || q->unit == PREPAY_CJT188_UNIT_L) &&
        prepay_cjt188_quantity_litres(q, &litres) == PREPAY_OK) {
        add(l, litre_name, "L", "%lld", (long long)litres);
    }
}

static void add_status(shown_list_t *l, uint16_t st)
{
    static const char *const valve[] = {"open", "closed", "reserved (10)", "abnormal"};
    add(l, "status ST", "", "%04X", st);
    add(l, "valve", "", "%s", valve[prepay_cjt188_status_valve(st)]);
    add(l, "battery low", "", "%s", prepay_cjt188_status_battery_low(st) ? "yes" : "no");
}

static void add_clock(shown_list_t *l, uint8_t state, prepay_time_t t)
{
    char text[CLI_TEXT_MAX];
    if (state == PREPAY_CJT188_CLOCK_VALID) {
        add(l, "clock", "", "%s", cli_time_text(t, PREPAY_TIME_TEXT_SECOND, text));
    } else {
        add(l, "clock", "", "%s", state == PREPAY_CJT188_CLOCK_ABSENT ? "absent" : "invalid");
    }
}

static void add_price_table(shown_list_t *l, const prepay_cjt188_price_table_t *t)
{
    add_fixed(l, "price 1", "yuan/m3", t->price[0] / 1000000, 2);
    add_fixed(l, "volume 1", "m3", t->step_litres[0] / 1000, 0);
    add_fixed(l, "price 2", "yuan/m3", t->price[1] / 1000000, 2);
    add_fixed(l, "volume 2", "m3", t->step_litres[1] / 1000, 0);
    add_fixed(l, "price 3", "yuan/m3", t->price[2] / 1000000, 2);
    if (t->start_day) {
        add(l, "start day", "", "%u", t->start_day);
    }
}

/* Values of a reply, read as an answer to the request it would answer. */
static void reply_values(const prepay_cjt188_frame_t *f, shown_list_t *l)
{
    if (f->abnormal) {
        add_status(l, f->status);
        return;
    }
    if (!f->has_di) {
        return;
    }
    const uint8_t *v = f->data + PREPAY_CJT188_DI_SER_SIZE;
    size_t n = (size_t)f->length - PREPAY_CJT188_DI_SER_SIZE;
    int rc = PREPAY_OK;
    if (f->function == PREPAY_CJT188_FN_READ && f->di == PREPAY_CJT188_DI_CURRENT) {
        prepay_cjt188_current_t c;
        rc = prepay_cjt188_current_decode(f->meter_type, v, n, &c);
        if (rc == PREPAY_OK) {
            if (c.family == PREPAY_CJT188_FAMILY_HEAT) {
                add_quantity(l, "settlement-day heat", &c.settlement);
                add_quantity(l, "current heat", &c.heat.current_heat);
                add_quantity(l, "heat power", &c.heat.power);
                add_quantity(l, "flow", &c.heat.flow);
                add_quantity(l, "cumulative volume", &c.reading);
                add_fixed(l, "supply temperature", "degC", c.heat.supply_temperature.value, 2);
                add_fixed(l, "return temperature", "degC", c.heat.return_temperature.value, 2);
                add(l, "working time", "h", "%lld", (long long)c.heat.working_hours.value);
            } else {
                add_quantity(l, "current volume", &c.reading);
                add_quantity(l, "settlement-day volume", &c.settlement);
            }
            add_clock(l, c.clock_state, c.clock);
            add_status(l, c.status);
        }
    } else if (f->function == PREPAY_CJT188_FN_READ && f->di >= PREPAY_CJT188_DI_HISTORY_FIRST &&
               f->di <= PREPAY_CJT188_DI_HISTORY_LAST) {
        prepay_cjt188_quantity_t q;
        rc = n == 5 ? prepay_cjt188_quantity_decode(v, 4, 2, true, &q) : PREPAY_E_CJT188_BAD_DATA;
        if (rc == PREPAY_OK) {
            char name[48];
            snprintf(name, sizeof name, "settlement-day volume, %u month(s) back", (unsigned)(f->di - 0xD11Fu));
            add_quantity(l, name, &q);
        }
    } else if (f->function == PREPAY_CJT188_FN_READ && f->di == PREPAY_CJT188_DI_PRICE_TABLE) {
        prepay_cjt188_price_table_t t;
        rc = n == 15 ? prepay_cjt188_price_table_decode(v, &t) : PREPAY_E_CJT188_BAD_DATA;
        if (rc == PREPAY_OK) {
            add_price_table(l, &t);
        }
    } else if (f->function == PREPAY_CJT188_FN_READ && f->di == PREPAY_CJT188_DI_PURSE) {
        prepay_cjt188_purse_t p;
        rc = n == 15 ? prepay_cjt188_purse_decode(v, &p) : PREPAY_E_CJT188_BAD_DATA;
        if (rc == PREPAY_OK) {
            add(l, "purchase serial", "", "%u", p.purchase_serial);
            add_fixed(l, "last purchase", "yuan", p.last_fen, 2);
            add_fixed(l, "total purchased", "yuan", p.total_fen, 2);
            add_fixed(l, "remaining", "yuan", p.remaining_fen, 2);
            add_status(l, p.status);
        }
    } else if (f->function == PREPAY_CJT188_FN_READ &&
               (f->di == PREPAY_CJT188_DI_SETTLEMENT_DAY || f->di == PREPAY_CJT188_DI_READING_DAY) && n == 1) {
        add(l, "day", "", "%02X", v[0]);
    } else if (f->function == PREPAY_CJT188_FN_READ_KEY_VERSION && n == 1) {
        add(l, "key version", "", "%u", v[0]);
    } else if (f->function == PREPAY_CJT188_FN_WRITE && f->di == PREPAY_CJT188_DI_WRITE_PURCHASE && n == 5) {
        add(l, "purchase serial", "", "%u", v[0]);
        uint64_t amount = 0;
        for (int i = 4; i >= 1; i--) {
            amount = amount * 100 + (uint64_t)(v[i] >> 4) * 10 + (v[i] & 0x0F);
        }
        add_fixed(l, "amount", "yuan", (int64_t)amount, 2);
    } else if ((f->function == PREPAY_CJT188_FN_WRITE || f->function == PREPAY_CJT188_FN_WRITE_BASE) && n == 2) {
        add_status(l, (uint16_t)(v[0] | v[1] << 8));
    }
    l->problem = rc;
}

static void request_values(const prepay_cjt188_frame_t *f, shown_list_t *l)
{
    if (!f->has_di) {
        return;
    }
    prepay_cjt188_command_t c;
    int rc = prepay_cjt188_parse_request(f, &c);
    l->problem = rc;
    if (rc != PREPAY_OK) {
        return;
    }
    char text[CLI_TEXT_MAX];
    switch (c.kind) {
    case PREPAY_CJT188_COMMAND_PRICE_TABLE: add_price_table(l, &c.price_table); break;
    case PREPAY_CJT188_COMMAND_SETTLEMENT_DAY:
    case PREPAY_CJT188_COMMAND_READING_DAY: add(l, "day", "", "%u", c.day); break;
    case PREPAY_CJT188_COMMAND_PURCHASE:
        add(l, "purchase serial", "", "%u", c.purchase_serial);
        add_fixed(l, "amount", "yuan", c.amount_fen, 2);
        break;
    case PREPAY_CJT188_COMMAND_KEY:
        add(l, "key version", "", "%u", c.key_version);
        add(l, "key", "", "%02X%02X%02X%02X%02X%02X%02X%02X", c.key[0], c.key[1], c.key[2], c.key[3], c.key[4],
            c.key[5], c.key[6], c.key[7]);
        break;
    case PREPAY_CJT188_COMMAND_TIME:
        add(l, "time", "", "%s", cli_time_text(c.time, PREPAY_TIME_TEXT_SECOND, text));
        break;
    case PREPAY_CJT188_COMMAND_BASE: add_quantity(l, "base reading", &c.base); break;
    case PREPAY_CJT188_COMMAND_VALVE: add(l, "valve", "", "%s", c.valve_open ? "open" : "close"); break;
    case PREPAY_CJT188_COMMAND_WRITE_ADDRESS:
        add(l, "new address", "", "%s", address_text(&c.new_address, text));
        break;
    default: break;
    }
}

/* ---- decode --------------------------------------------------------------------- */

static void print_text(const prepay_cjt188_frame_t *f, const char *address, const shown_list_t *l)
{
    printf("CJ/T 188 %s: %s (function %02X, control %02X)%s\n", f->is_reply ? "reply" : "request",
           function_name(f->function), f->function, f->control, f->abnormal ? ", abnormal" : "");
    printf("  meter     type %02X (%s), address %s\n", f->meter_type,
           family_name(prepay_cjt188_meter_family(f->meter_type)), address);
    if (f->preamble) {
        printf("  preamble  %u x FE\n", f->preamble);
    }
    printf("  length    %u\n  data      ", f->length);
    cli_print_hex(f->data, f->length, " ");
    printf("\n");
    if (f->has_di) {
        printf("  di        %04X %s (%s byte first)\n", f->di, di_name(f->di),
               f->di_order == PREPAY_CJT188_DI_LOW_FIRST ? "low" : "high");
    }
    if (f->has_ser) {
        printf("  ser       %02X\n", f->ser);
    }
    for (size_t i = 0; i < l->count; i++) {
        const shown_t *s = &l->items[i];
        printf("  %s = %s%s%s\n", s->name, s->value, s->unit[0] ? " " : "", s->unit);
    }
    if (l->problem != PREPAY_OK) {
        printf("  values    not decoded: %s\n", prepay_strerror(l->problem));
    }
}

static int print_json(const cli_t *cli, const prepay_cjt188_frame_t *f, const char *address, const shown_list_t *l)
{
    char di[8];
    json_t *o = cli_result();
    cli_set(o, "meter_type", json_integer(f->meter_type));
    cli_set(o, "family", json_string(family_name(prepay_cjt188_meter_family(f->meter_type))));
    cli_set(o, "address", cli_json_text(address));
    cli_set(o, "preamble", json_integer(f->preamble));
    cli_set(o, "control", json_integer(f->control));
    cli_set(o, "function", json_integer(f->function));
    cli_set(o, "function_name", json_string(function_name(f->function)));
    cli_set(o, "direction", json_string(f->is_reply ? "reply" : "request"));
    cli_set(o, "abnormal", json_boolean(f->abnormal));
    cli_set(o, "length", json_integer(f->length));
    cli_set(o, "data", cli_json_hex(f->data, f->length));
    if (f->has_di) {
        snprintf(di, sizeof di, "%04X", f->di);
        cli_set(o, "di", json_string(di));
        cli_set(o, "di_name", json_string(di_name(f->di)));
        cli_set(o, "di_order", json_string(f->di_order == PREPAY_CJT188_DI_LOW_FIRST ? "low" : "high"));
    }
    if (f->has_ser) {
        cli_set(o, "ser", json_integer(f->ser));
    }
    if (f->has_status) {
        cli_set(o, "status", json_integer(f->status));
    }
    json_t *values = json_array();
    for (size_t i = 0; i < l->count; i++) {
        json_t *v = json_object();
        cli_set(v, "name", cli_json_text(l->items[i].name));
        cli_set(v, "value", cli_json_text(l->items[i].value));
        cli_set(v, "unit", cli_json_text(l->items[i].unit));
        json_array_append_new(values, v);
    }
    cli_set(o, "values", values);
    if (l->problem != PREPAY_OK) {
        cli_set(o, "value_error", json_string(prepay_strerror(l->problem)));
    }
    return cli_emit(cli, o);
}

static const char *const order_names[] = {"auto", "high", "low", NULL};
static const int order_values[] = {PREPAY_CJT188_DI_AUTO, PREPAY_CJT188_DI_HIGH_FIRST, PREPAY_CJT188_DI_LOW_FIRST};

typedef struct decode_run {
    cli_t cli;
    bool json;
    prepay_cjt188_di_order_t order;
} decode_run_t;

static int decode_one(const char *text, void *context)
{
    const decode_run_t *run = context;
    const cli_t *cli = &run->cli;
    static uint8_t bytes[4096];
    int n = cli_parse_hex_bytes(text, bytes, sizeof bytes);
    if (n <= 0) {
        return cli_bad(cli, "not a hex frame: '%.80s'", text);
    }
    static prepay_cjt188_frame_t frame;
    int used = prepay_cjt188_decode(bytes, (size_t)n, run->order, &frame);
    if (used < 0) {
        return cli_bad_status(cli, used, "bad frame '%.80s': %s", text, prepay_strerror(used));
    }
    if (used != n) {
        return cli_bad_status(cli, PREPAY_E_CJT188_BAD_LENGTH, "bad frame '%.80s': %d bytes after the end byte 16",
                              text, n - used);
    }
    char address[CLI_TEXT_MAX];
    address_text(&frame.address, address);
    static shown_list_t values;
    values.count = 0;
    values.problem = PREPAY_OK;
    if (frame.is_reply) {
        reply_values(&frame, &values);
    } else {
        request_values(&frame, &values);
    }
    if (run->json) {
        return print_json(cli, &frame, address, &values);
    }
    print_text(&frame, address, &values);
    return 0;
}

static int decode_input_failed(const char *message, void *context)
{
    return cli_bad(&((const decode_run_t *)context)->cli, "%s", message);
}

static const cli_option_t decode_options[] = {
    {"di-order", CLI_OPT_CHOICE(decode_run_t, order, order_names), .values = order_values,
     .help = "the DI byte order (default auto: found from the CJ/T 188-2004 DI set)"},
    {.name = NULL},
};

static const cli_spec_t decode_spec = {
    .program = "prepay cjt188 decode",
    .usage = "[--json] [--di-order auto|high|low] HEX... | -",
    .summary = "Decodes CJ/T 188-2004 frames (water, heat, gas meters): header, DI, typed values.\n"
               CLI_FRAMES_HELP,
    .options = decode_options,
    .args = "HEX",
    .min_args = 1,
    .max_args = CLI_ARGS_MAX,
    .json = true,
    .notes = CLI_FRAMES_JSON_NOTES,
};

static int cmd_decode(int argc, char **argv)
{
    decode_run_t run;
    memset(&run, 0, sizeof run);
    run.order = PREPAY_CJT188_DI_AUTO;
    cli_args_t args;
    int rc = cli_start(&run.cli, &decode_spec, argc, argv, &run, &args);
    if (rc >= 0) {
        return rc;
    }
    run.json = args.json;
    return cli_each_input(args.args, args.count, LINE_MAX_BYTES, decode_one, decode_input_failed, &run);
}

/* ---- encode ---------------------------------------------------------------------- */

typedef cjt188_encode_options_t options_t;

static int parse_address(const char *text, void *out, char *err, size_t err_cap)
{
    if (prepay_cjt188_address_from_string(text, strlen(text), out) != PREPAY_OK) {
        snprintf(err, err_cap, "bad address '%.32s' (14 digits, most significant first; AA for wildcards)", text);
        return -1;
    }
    return 0;
}

/* Space- or comma-separated decimals with `decimals` places: exactly `n` of them. */
static int parse_decimal_list(const char *text, size_t n, unsigned decimals, int64_t *out, char *err, size_t err_cap)
{
    size_t k = 0;
    const char *p = text;
    while (*p) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, " ,");
        if (len == 0) {
            break;
        }
        if (k == n || prepay_fixed_parse(p, len, decimals, &out[k]) != PREPAY_OK) {
            snprintf(err, err_cap, "'%.64s' is not %zu decimals with at most %u places", text, n, decimals);
            return -1;
        }
        k++;
        p += len;
    }
    if (k != n) {
        snprintf(err, err_cap, "'%.64s' is not %zu decimals with at most %u places", text, n, decimals);
        return -1;
    }
    return 0;
}

static int parse_prices(const char *text, void *out, char *err, size_t err_cap)
{
    return parse_decimal_list(text, 3, 8, out, err, err_cap);
}

static int parse_steps(const char *text, void *out, char *err, size_t err_cap)
{
    return parse_decimal_list(text, 2, 3, out, err, err_cap);
}

static int parse_key(const char *text, void *out, char *err, size_t err_cap)
{
    if (cli_parse_hex_bytes(text, out, 8) != 8) {
        snprintf(err, err_cap, "'%.32s' is not 16 hex digits", text);
        return -1;
    }
    return 0;
}

enum {
    KIND_READ, KIND_READ_ADDRESS, KIND_KEY_VERSION, KIND_VALVE, KIND_PURCHASE, KIND_PRICE_TABLE, KIND_TIME, KIND_DAY,
    KIND_WRITE_ADDRESS, KIND_BASE, KIND_KEY, KIND_FACTORY_ENABLE
};
/* The frame kinds: the options each takes (besides the target's) and needs. */
static const cli_form_t kinds[] = {
    [KIND_READ] = {"read", "di", "di"},
    [KIND_READ_ADDRESS] = {"read-address", "", ""},
    [KIND_KEY_VERSION] = {"key-version", "", ""},
    [KIND_VALVE] = {"valve", "open close", ""},
    [KIND_PURCHASE] = {"purchase", "serial amount", "serial amount"},
    [KIND_PRICE_TABLE] = {"price-table", "prices steps start-day", "prices steps start-day"},
    [KIND_TIME] = {"time", "time", "time"},
    [KIND_DAY] = {"day", "di day", "di day"},
    [KIND_WRITE_ADDRESS] = {"write-address", "new", "new"},
    [KIND_BASE] = {"base", "reading", "reading"},
    [KIND_KEY] = {"key", "key-version key", "key-version key"},
    [KIND_FACTORY_ENABLE] = {"factory-enable", "", ""},
    {NULL, NULL, NULL},
};

static const cli_option_t encode_options[] = {
    {"address", CLI_OPT_CUSTOM(options_t, target.address, parse_address), CLI_GIVEN(options_t, has_address),
     .arg = "ADDR", .help = "the meter: 14 digits, most significant first (AA for wildcards)"},
    {"type", CLI_OPT_INT(options_t, target.meter_type, 0, 0xFF), CLI_GIVEN(options_t, has_type),
     .flags = CLI_NUMBER_HEX, .arg = "T", .help = "meter type, 2 hex digits (default 10, cold water)"},
    {"ser", CLI_OPT_INT(options_t, ser, 0, 255), .help = "the SER sequence byte (default 0)"},
    {"di-order", CLI_OPT_CHOICE(options_t, target.di_order, order_names + 1), .values = order_values + 1,
     .help = "the DI byte order on the wire (default high)"},
    {"preamble", CLI_OPT_INT(options_t, preamble, 0, 4), .help = "FE wake-up bytes before the frame (default 0)"},
    {"di", CLI_OPT_INT(options_t, di, 0, 0xFFFF), .flags = CLI_NUMBER_HEX, .arg = "DI",
     .help = "read, day: the data identifier, 4 hex digits (e.g. 901F, A011)"},
    {"open", CLI_OPT_FLAG(options_t, open), .help = "valve: open"},
    {"close", CLI_OPT_FLAG(options_t, close), .help = "valve: close"},
    {"serial", CLI_OPT_INT(options_t, serial, 0, 255), .help = "purchase: the purchase serial 0..255"},
    {"amount", CLI_OPT_DECIMAL(options_t, amount, 2, 0, INT64_MAX), .arg = "YUAN",
     .help = "purchase: the amount, at most 2 decimals"},
    {"prices", CLI_OPT_CUSTOM(options_t, prices, parse_prices), .arg = "'P1 P2 P3'",
     .help = "price-table: three prices in yuan per m3"},
    {"steps", CLI_OPT_CUSTOM(options_t, steps, parse_steps), .arg = "'V1 V2'",
     .help = "price-table: the two step volumes in m3"},
    {"start-day", CLI_OPT_INT(options_t, start_day, 1, 31), .arg = "D", .help = "price-table: the start day"},
    {"time", CLI_OPT_TIME(options_t, time), .arg = "TIME", .help = "time: 'YYYY-MM-DD hh:mm:ss' (local)"},
    {"day", CLI_OPT_INT(options_t, day, 0, 255), .arg = "D", .help = "day: the settlement or reading day"},
    {"new", CLI_OPT_CUSTOM(options_t, new_address, parse_address), .arg = "ADDR",
     .help = "write-address: the new address"},
    {"reading", CLI_OPT_DECIMAL(options_t, reading, 2, 0, INT64_MAX), .arg = "M3",
     .help = "base: the base reading in m3, at most 2 decimals"},
    {"key-version", CLI_OPT_INT(options_t, key_version, 0, 255), .arg = "N", .help = "key: the key version"},
    {"key", CLI_OPT_CUSTOM(options_t, key, parse_key), .arg = "HEX16", .help = "key: the key, 16 hex digits"},
    {.name = NULL},
};

static const cli_spec_t encode_spec = {
    .program = "prepay cjt188 encode",
    .usage = "KIND --address ADDR [--type T] [--ser N] [--di-order high|low] [--preamble N] [--json]\n"
             "  read --di DI | read-address | key-version | valve --open|--close\n"
             "  purchase --serial N --amount YUAN | price-table --prices 'P1 P2 P3' --steps 'V1 V2' --start-day D\n"
             "  time --time TIME | day --di A011|A012 --day D | write-address --new ADDR\n"
             "  base --reading M3 | key --key-version N --key HEX16 | factory-enable",
    .summary = "Builds a CJ/T 188-2004 request frame and prints it as uppercase hex.",
    .options = encode_options,
    .args = "KIND",
    .min_args = 1,
    .max_args = 1,
    .json = true,
};

/* argv[0] is "encode"; the first argument is the frame kind. */
int prepay_cjt188_encode_options_parse(int argc, char **argv, options_t *o, cli_args_t *args, char *err,
                                       size_t err_cap)
{
    memset(o, 0, sizeof *o);
    o->target.meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
    o->target.di_order = PREPAY_CJT188_DI_HIGH_FIRST;
    int rc = cli_parse(&encode_spec, argc, argv, o, args, err, err_cap);
    if (rc != 0 || args->help || args->version) {
        return rc;
    }
    o->json = args->json;
    o->kind = cli_pick_form(&encode_spec, args, kinds, "address type ser di-order preamble", "frame kind", "encode",
                            err, err_cap);
    if (o->kind < 0) {
        return CLI_EXIT_USAGE;
    }
    if (o->kind == KIND_VALVE && o->open == o->close) {
        snprintf(err, err_cap, "encode valve needs --open or --close");
        return CLI_EXIT_USAGE;
    }
    if (!o->has_address && o->kind != KIND_READ_ADDRESS) {
        snprintf(err, err_cap, "encode %s needs --address", kinds[o->kind].name);
        return CLI_EXIT_USAGE;
    }
    if (!o->has_address) {
        o->target.address = prepay_cjt188_address_wildcard();
        if (!o->has_type) {
            o->target.meter_type = PREPAY_CJT188_WILDCARD_BYTE;
        }
    }
    return 0;
}

/* The request of the options, built into frame; returns a status. */
static int build_request(const options_t *o, prepay_cjt188_frame_t *frame)
{
    const prepay_cjt188_target_t *t = &o->target;
    uint8_t ser = (uint8_t)o->ser;
    switch (o->kind) {
    case KIND_READ: return prepay_cjt188_request_read(frame, t, (uint16_t)o->di, ser);
    case KIND_READ_ADDRESS: return prepay_cjt188_request_read_address(frame, t, ser);
    case KIND_KEY_VERSION: return prepay_cjt188_request_read_key_version(frame, t, ser);
    case KIND_VALVE: return prepay_cjt188_request_valve(frame, t, ser, o->open);
    case KIND_PURCHASE: return prepay_cjt188_request_purchase(frame, t, ser, (uint8_t)o->serial, o->amount);
    case KIND_PRICE_TABLE: {
        prepay_cjt188_price_table_t table = {{o->prices[0], o->prices[1], o->prices[2]},
                                             {o->steps[0], o->steps[1]},
                                             (uint8_t)o->start_day};
        return prepay_cjt188_request_write_price_table(frame, t, ser, &table);
    }
    case KIND_TIME: return prepay_cjt188_request_write_time(frame, t, ser, o->time);
    case KIND_DAY: return prepay_cjt188_request_write_day(frame, t, ser, (uint16_t)o->di, (uint8_t)o->day);
    case KIND_WRITE_ADDRESS: return prepay_cjt188_request_write_address(frame, t, ser, &o->new_address);
    case KIND_BASE: {
        prepay_cjt188_quantity_t base = {true, o->reading, 2, PREPAY_CJT188_UNIT_M3};
        return prepay_cjt188_request_write_base(frame, t, ser, &base);
    }
    case KIND_KEY: return prepay_cjt188_request_write_key(frame, t, ser, (uint8_t)o->key_version, o->key);
    default: return prepay_cjt188_request_factory_enable(frame, t, ser);
    }
}

static int cmd_encode(int argc, char **argv)
{
    cli_t cli;
    cli_args_t args;
    options_t o;
    char err[CLI_MESSAGE_MAX];
    int rc = cli_begin(&cli, &encode_spec, &args,
                       prepay_cjt188_encode_options_parse(argc, argv, &o, &args, err, sizeof err), err);
    if (rc >= 0) {
        return rc;
    }
    static prepay_cjt188_frame_t frame;
    int status = build_request(&o, &frame);
    if (status != PREPAY_OK) {
        return cli_bad_status(&cli, status, "cannot build the frame: %s", prepay_strerror(status));
    }
    frame.preamble = (uint8_t)o.preamble;
    uint8_t out[PREPAY_CJT188_FRAME_MAX];
    int n = prepay_cjt188_encode(&frame, out, sizeof out);
    return n < 0 ? cli_fail(&cli, n, "cannot encode the frame: %s", prepay_strerror(n))
                 : cli_emit_frame(&cli, out, (size_t)n);
}

static const cli_command_t cjt188_commands[] = {
    {"decode", cmd_decode, "decode frames given in hex"},
    {"encode", cmd_encode, "build a request frame"},
};

int prepay_tool_cjt188(int argc, char **argv)
{
    return cli_dispatch("prepay cjt188", cjt188_commands, sizeof cjt188_commands / sizeof cjt188_commands[0], argc,
                        argv);
}
