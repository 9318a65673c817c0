/*
 * prepay cjt188: decode CJ/T 188 frames into fields and typed values, and
 * build request frames (hosted: stdio and stdlib are fine here).
 *
 *   prepay cjt188 decode [--json] [--di-order auto|high|low] HEX...   ('-': stdin, one frame per line)
 *   prepay cjt188 encode KIND --address A [--type T] [--ser N] [--di-order high|low] [--preamble N] [--json]
 *       read --di DI | read-address | key-version | valve --open|--close
 *       purchase --serial N --amount YUAN | price-table --prices 'P1 P2 P3' --steps 'V1 V2' --start-day D
 *       time --time 'YYYY-MM-DD hh:mm:ss' | day --di A011|A012 --day D | write-address --new A
 *       base --reading M3 | key --version N --key HEX16 | factory-enable
 *
 * Exit status: 0 ok, 2 bad input (one line on stderr per problem), 1 other failure.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "prepay/civil_time.h"
#include "prepay/cjt188.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

#define EXIT_BAD_INPUT 2

static void usage(FILE *to)
{
    fprintf(to,
            "usage: prepay cjt188 decode [--json] [--di-order auto|high|low] HEX... | -\n"
            "       prepay cjt188 encode KIND --address ADDR [--type T] [--ser N] [--di-order high|low]\n"
            "                            [--preamble N] [--json]\n"
            "  KIND  read --di DI | read-address | key-version | valve --open | valve --close\n"
            "        purchase --serial N --amount YUAN | price-table --prices 'P1 P2 P3' --steps 'M3 M3'\n"
            "        --start-day D | time --time 'YYYY-MM-DD hh:mm:ss' | day --di A011|A012 --day D\n"
            "        write-address --new ADDR | base --reading M3 | key --version N --key HEX16 | factory-enable\n"
            "\n"
            "decode: each argument is one frame in hex (spaces allowed inside quotes); '-' reads frames\n"
            "        from stdin, one per line ('#' lines and blank lines are skipped). The DI byte order\n"
            "        is found from the CJ/T 188-2004 DI set unless --di-order says it.\n"
            "encode: prints the frame as uppercase hex.\n"
            "  ADDR  14 digits, most significant first (AA for wildcards)   T  meter type, hex (default 10)\n"
            "  DI    4 hex digits, e.g. 901F        N  SER, 0..255 (default 0)\n"
            "  YUAN  amount with up to 2 decimals; prices P in yuan per m3 (2 decimals); steps in whole m3\n");
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static int bad_input(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "prepay cjt188: ");
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    return EXIT_BAD_INPUT;
}

/* ---- helpers ---------------------------------------------------------------- */

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = toupper(c);
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int parse_hex_bytes(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int high = -1;
    for (const char *p = text; *p; p++) {
        if (isspace((unsigned char)*p) || *p == ',' || *p == ':') {
            if (high >= 0) {
                return -1;
            }
            continue;
        }
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && high < 0) {
            p++;
            continue;
        }
        int d = hex_digit((unsigned char)*p);
        if (d < 0) {
            return -1;
        }
        if (high < 0) {
            high = d;
        } else {
            if (n >= cap) {
                return -1;
            }
            out[n++] = (uint8_t)(high << 4 | d);
            high = -1;
        }
    }
    return high >= 0 ? -1 : (int)n;
}

static void print_hex(FILE *to, const uint8_t *bytes, size_t len, const char *separator)
{
    for (size_t i = 0; i < len; i++) {
        fprintf(to, "%s%02X", i ? separator : "", bytes[i]);
    }
}

static void json_string(FILE *to, const char *s)
{
    fputc('"', to);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fputc('\\', to);
            fputc(*p, to);
        } else if (*p < 0x20) {
            fprintf(to, "\\u%04X", *p);
        } else {
            fputc(*p, to);
        }
    }
    fputc('"', to);
}

static void format_time(prepay_time_t t, char *out, size_t cap)
{
    prepay_civil_t c;
    if (prepay_time_to_civil(t, &c) != PREPAY_OK) {
        snprintf(out, cap, "?");
        return;
    }
    snprintf(out, cap, "%04d-%02u-%02u %02u:%02u:%02u", (int)c.year, c.month, c.day, c.hour, c.minute, c.second);
}

static bool parse_civil_time(const char *text, prepay_time_t *out)
{
    int year, month, day, hour, minute, second;
    char sep, extra;
    if (sscanf(text, "%4d-%2d-%2d%c%2d:%2d:%2d%c", &year, &month, &day, &sep, &hour, &minute, &second, &extra) != 7 ||
        (sep != ' ' && sep != 'T') || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0 || hour > 23 ||
        minute > 59 || second > 59) {
        return false;
    }
    prepay_civil_t c = {year, (uint8_t)month, (uint8_t)day, (uint8_t)hour, (uint8_t)minute, (uint8_t)second, 0};
    return prepay_time_from_civil(&c, out) == PREPAY_OK;
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
    char text[32];
    if (state == PREPAY_CJT188_CLOCK_VALID) {
        format_time(t, text, sizeof text);
        add(l, "clock", "", "%s", text);
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
    char text[32];
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
        format_time(c.time, text, sizeof text);
        add(l, "time", "", "%s", text);
        break;
    case PREPAY_CJT188_COMMAND_BASE: add_quantity(l, "base reading", &c.base); break;
    case PREPAY_CJT188_COMMAND_VALVE: add(l, "valve", "", "%s", c.valve_open ? "open" : "close"); break;
    case PREPAY_CJT188_COMMAND_WRITE_ADDRESS:
        prepay_cjt188_address_to_string(&c.new_address, text, sizeof text);
        add(l, "new address", "", "%s", text);
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
    print_hex(stdout, f->data, f->length, " ");
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

static void print_json(const prepay_cjt188_frame_t *f, const char *address, const shown_list_t *l)
{
    printf("{\"meter_type\":%u,\"family\":\"%s\",\"address\":\"%s\",\"preamble\":%u,\"control\":%u,\"function\":%u,",
           f->meter_type, family_name(prepay_cjt188_meter_family(f->meter_type)), address, f->preamble, f->control,
           f->function);
    printf("\"function_name\":");
    json_string(stdout, function_name(f->function));
    printf(",\"direction\":\"%s\",\"abnormal\":%s,\"length\":%u,\"data\":\"", f->is_reply ? "reply" : "request",
           f->abnormal ? "true" : "false", f->length);
    print_hex(stdout, f->data, f->length, "");
    printf("\"");
    if (f->has_di) {
        printf(",\"di\":\"%04X\",\"di_name\":", f->di);
        json_string(stdout, di_name(f->di));
        printf(",\"di_order\":\"%s\"", f->di_order == PREPAY_CJT188_DI_LOW_FIRST ? "low" : "high");
    }
    if (f->has_ser) {
        printf(",\"ser\":%u", f->ser);
    }
    if (f->has_status) {
        printf(",\"status\":%u", f->status);
    }
    printf(",\"values\":[");
    for (size_t i = 0; i < l->count; i++) {
        printf("%s{\"name\":", i ? "," : "");
        json_string(stdout, l->items[i].name);
        printf(",\"value\":");
        json_string(stdout, l->items[i].value);
        printf(",\"unit\":");
        json_string(stdout, l->items[i].unit);
        printf("}");
    }
    printf("]");
    if (l->problem != PREPAY_OK) {
        printf(",\"value_error\":");
        json_string(stdout, prepay_strerror(l->problem));
    }
    printf("}\n");
}

static int decode_one(const char *text, bool json, prepay_cjt188_di_order_t order)
{
    static uint8_t bytes[4096];
    int n = parse_hex_bytes(text, bytes, sizeof bytes);
    if (n <= 0) {
        return bad_input("not a hex frame: '%s'", text);
    }
    static prepay_cjt188_frame_t frame;
    int used = prepay_cjt188_decode(bytes, (size_t)n, order, &frame);
    if (used < 0) {
        fprintf(stderr, "prepay cjt188: bad frame '%s': %s\n", text, prepay_strerror(used));
        return EXIT_BAD_INPUT;
    }
    if (used != n) {
        fprintf(stderr, "prepay cjt188: bad frame '%s': %d bytes after the end byte 16\n", text, n - used);
        return EXIT_BAD_INPUT;
    }
    char address[16];
    prepay_cjt188_address_to_string(&frame.address, address, sizeof address);
    static shown_list_t values;
    values.count = 0;
    values.problem = PREPAY_OK;
    if (frame.is_reply) {
        reply_values(&frame, &values);
    } else {
        request_values(&frame, &values);
    }
    if (json) {
        print_json(&frame, address, &values);
    } else {
        print_text(&frame, address, &values);
    }
    return 0;
}

static bool parse_order(const char *text, prepay_cjt188_di_order_t *out)
{
    if (strcmp(text, "auto") == 0) {
        *out = PREPAY_CJT188_DI_AUTO;
    } else if (strcmp(text, "high") == 0) {
        *out = PREPAY_CJT188_DI_HIGH_FIRST;
    } else if (strcmp(text, "low") == 0) {
        *out = PREPAY_CJT188_DI_LOW_FIRST;
    } else {
        return false;
    }
    return true;
}

static int cmd_decode(int argc, char **argv)
{
    bool json = false;
    prepay_cjt188_di_order_t order = PREPAY_CJT188_DI_AUTO;
    int frames = 0, result = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--di-order") == 0) {
            if (i + 1 >= argc || !parse_order(argv[i + 1], &order)) {
                return bad_input("--di-order needs auto, high or low");
            }
            i++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return bad_input("unknown option '%s'", argv[i]);
        }
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            continue;
        }
        if (strcmp(argv[i], "--di-order") == 0) {
            i++;
            continue;
        }
        frames++;
        if (strcmp(argv[i], "-") == 0) {
            char line[8192];
            while (fgets(line, sizeof line, stdin)) {
                size_t len = strlen(line);
                while (len > 0 && isspace((unsigned char)line[len - 1])) {
                    line[--len] = '\0';
                }
                const char *p = line;
                while (isspace((unsigned char)*p)) {
                    p++;
                }
                if (*p == '\0' || *p == '#') {
                    continue;
                }
                if (decode_one(p, json, order) != 0) {
                    result = EXIT_BAD_INPUT;
                }
            }
        } else if (decode_one(argv[i], json, order) != 0) {
            result = EXIT_BAD_INPUT;
        }
        fflush(stdout);
    }
    if (frames == 0) {
        return bad_input("decode: no frames given (HEX arguments or '-')");
    }
    return result;
}

/* ---- encode ---------------------------------------------------------------------- */

typedef struct options {
    const char *address, *type, *ser, *order, *preamble, *di, *serial, *amount, *prices, *steps, *start_day, *time,
        *day, *new_address, *reading, *version, *key;
    bool open, close, json;
} options_t;

static int parse_options(int argc, char **argv, options_t *o)
{
    static const struct {
        const char *flag;
        size_t offset;
    } flags[] = {
        {"--address", offsetof(options_t, address)},   {"--type", offsetof(options_t, type)},
        {"--ser", offsetof(options_t, ser)},           {"--di-order", offsetof(options_t, order)},
        {"--preamble", offsetof(options_t, preamble)}, {"--di", offsetof(options_t, di)},
        {"--serial", offsetof(options_t, serial)},     {"--amount", offsetof(options_t, amount)},
        {"--prices", offsetof(options_t, prices)},     {"--steps", offsetof(options_t, steps)},
        {"--start-day", offsetof(options_t, start_day)}, {"--time", offsetof(options_t, time)},
        {"--day", offsetof(options_t, day)},           {"--new", offsetof(options_t, new_address)},
        {"--reading", offsetof(options_t, reading)},   {"--version", offsetof(options_t, version)},
        {"--key", offsetof(options_t, key)},
    };
    memset(o, 0, sizeof *o);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o->json = true;
            continue;
        }
        if (strcmp(argv[i], "--open") == 0) {
            o->open = true;
            continue;
        }
        if (strcmp(argv[i], "--close") == 0) {
            o->close = true;
            continue;
        }
        bool known = false;
        for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
            if (strcmp(argv[i], flags[k].flag) == 0) {
                if (i + 1 >= argc) {
                    return bad_input("option %s needs a value", flags[k].flag);
                }
                *(const char **)(void *)((char *)o + flags[k].offset) = argv[++i];
                known = true;
                break;
            }
        }
        if (!known) {
            return bad_input("unknown argument '%s'", argv[i]);
        }
    }
    return 0;
}

static bool parse_unsigned(const char *text, unsigned long max, unsigned long *out, int base)
{
    char *end = NULL;
    if (!text || !*text || *text == '-') {
        return false;
    }
    unsigned long v = strtoul(text, &end, base);
    if (!end || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static int builder_failed(int status)
{
    fprintf(stderr, "prepay cjt188: cannot build the frame: %s\n", prepay_strerror(status));
    return EXIT_BAD_INPUT;
}

/* Parses up to n space-separated decimals with `decimals` digits into out. */
static bool parse_decimal_list(const char *text, size_t n, unsigned decimals, int64_t *out)
{
    char copy[256];
    snprintf(copy, sizeof copy, "%s", text);
    size_t k = 0;
    for (char *p = strtok(copy, " ,"); p; p = strtok(NULL, " ,")) {
        if (k == n || prepay_fixed_parse(p, strlen(p), decimals, &out[k]) != PREPAY_OK) {
            return false;
        }
        k++;
    }
    return k == n;
}

static int cmd_encode(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_BAD_INPUT : 0;
    }
    const char *kind = argv[1];
    options_t o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) {
        return rc;
    }
    prepay_cjt188_target_t target;
    target.meter_type = PREPAY_CJT188_TYPE_COLD_WATER;
    target.di_order = PREPAY_CJT188_DI_HIGH_FIRST;
    unsigned long v;
    if (o.type) {
        if (!parse_unsigned(o.type, 0xFF, &v, 16)) {
            return bad_input("bad --type '%s' (2 hex digits, e.g. 10)", o.type);
        }
        target.meter_type = (uint8_t)v;
    }
    if (o.order && (!parse_order(o.order, &target.di_order) || target.di_order == PREPAY_CJT188_DI_AUTO)) {
        return bad_input("--di-order needs high or low");
    }
    if (!o.address) {
        if (strcmp(kind, "read-address") != 0) {
            return bad_input("--address is required");
        }
        target.address = prepay_cjt188_address_wildcard();
        if (!o.type) {
            target.meter_type = PREPAY_CJT188_WILDCARD_BYTE;
        }
    } else if (prepay_cjt188_address_from_string(o.address, strlen(o.address), &target.address) != PREPAY_OK) {
        return bad_input("bad address '%s' (14 digits, most significant first)", o.address);
    }
    uint8_t ser = 0;
    if (o.ser) {
        if (!parse_unsigned(o.ser, 255, &v, 10)) {
            return bad_input("bad --ser '%s' (0..255)", o.ser);
        }
        ser = (uint8_t)v;
    }
    static prepay_cjt188_frame_t frame;
    int status;
    if (strcmp(kind, "read") == 0) {
        if (!o.di || strlen(o.di) != 4 || !parse_unsigned(o.di, 0xFFFF, &v, 16)) {
            return bad_input("read needs --di with 4 hex digits, e.g. 901F");
        }
        status = prepay_cjt188_request_read(&frame, &target, (uint16_t)v, ser);
    } else if (strcmp(kind, "read-address") == 0) {
        status = prepay_cjt188_request_read_address(&frame, &target, ser);
    } else if (strcmp(kind, "key-version") == 0) {
        status = prepay_cjt188_request_read_key_version(&frame, &target, ser);
    } else if (strcmp(kind, "valve") == 0) {
        if (o.open == o.close) {
            return bad_input("valve needs --open or --close");
        }
        status = prepay_cjt188_request_valve(&frame, &target, ser, o.open);
    } else if (strcmp(kind, "purchase") == 0) {
        int64_t fen;
        if (!o.serial || !parse_unsigned(o.serial, 255, &v, 10)) {
            return bad_input("purchase needs --serial 0..255");
        }
        if (!o.amount || prepay_fixed_parse(o.amount, strlen(o.amount), 2, &fen) != PREPAY_OK) {
            return bad_input("purchase needs --amount in yuan with up to 2 decimals");
        }
        status = prepay_cjt188_request_purchase(&frame, &target, ser, (uint8_t)v, fen);
    } else if (strcmp(kind, "price-table") == 0) {
        int64_t prices[3], steps[2];
        if (!o.prices || !parse_decimal_list(o.prices, 3, 8, prices)) {
            return bad_input("price-table needs --prices 'P1 P2 P3' in yuan per m3");
        }
        if (!o.steps || !parse_decimal_list(o.steps, 2, 3, steps)) {
            return bad_input("price-table needs --steps 'V1 V2' in m3");
        }
        if (!o.start_day || !parse_unsigned(o.start_day, 31, &v, 10)) {
            return bad_input("price-table needs --start-day 1..31");
        }
        prepay_cjt188_price_table_t table = {{prices[0], prices[1], prices[2]}, {steps[0], steps[1]}, (uint8_t)v};
        status = prepay_cjt188_request_write_price_table(&frame, &target, ser, &table);
    } else if (strcmp(kind, "time") == 0) {
        prepay_time_t t;
        if (!o.time || !parse_civil_time(o.time, &t)) {
            return bad_input("time needs --time 'YYYY-MM-DD hh:mm:ss'");
        }
        status = prepay_cjt188_request_write_time(&frame, &target, ser, t);
    } else if (strcmp(kind, "day") == 0) {
        unsigned long di, day;
        if (!o.di || !parse_unsigned(o.di, 0xFFFF, &di, 16) || !o.day || !parse_unsigned(o.day, 255, &day, 10)) {
            return bad_input("day needs --di A011|A012 and --day 1..31");
        }
        status = prepay_cjt188_request_write_day(&frame, &target, ser, (uint16_t)di, (uint8_t)day);
    } else if (strcmp(kind, "write-address") == 0) {
        prepay_cjt188_address_t fresh;
        if (!o.new_address || prepay_cjt188_address_from_string(o.new_address, strlen(o.new_address), &fresh) != 0) {
            return bad_input("write-address needs --new with 14 digits");
        }
        status = prepay_cjt188_request_write_address(&frame, &target, ser, &fresh);
    } else if (strcmp(kind, "base") == 0) {
        int64_t hundredths;
        if (!o.reading || prepay_fixed_parse(o.reading, strlen(o.reading), 2, &hundredths) != PREPAY_OK) {
            return bad_input("base needs --reading in m3 with up to 2 decimals");
        }
        prepay_cjt188_quantity_t base = {true, hundredths, 2, PREPAY_CJT188_UNIT_M3};
        status = prepay_cjt188_request_write_base(&frame, &target, ser, &base);
    } else if (strcmp(kind, "key") == 0) {
        uint8_t key[8];
        if (!o.version || !parse_unsigned(o.version, 255, &v, 10) || !o.key || parse_hex_bytes(o.key, key, 8) != 8) {
            return bad_input("key needs --version 0..255 and --key with 16 hex digits");
        }
        status = prepay_cjt188_request_write_key(&frame, &target, ser, (uint8_t)v, key);
    } else if (strcmp(kind, "factory-enable") == 0) {
        status = prepay_cjt188_request_factory_enable(&frame, &target, ser);
    } else {
        return bad_input("unknown frame kind '%s' (read, read-address, key-version, valve, purchase, price-table, "
                         "time, day, write-address, base, key, factory-enable)",
                         kind);
    }
    if (status != PREPAY_OK) {
        return builder_failed(status);
    }
    if (o.preamble) {
        if (!parse_unsigned(o.preamble, 4, &v, 10)) {
            return bad_input("bad --preamble '%s' (0..4)", o.preamble);
        }
        frame.preamble = (uint8_t)v;
    }
    uint8_t out[PREPAY_CJT188_FRAME_MAX];
    int n = prepay_cjt188_encode(&frame, out, sizeof out);
    if (n < 0) {
        fprintf(stderr, "prepay cjt188: cannot encode the frame: %s\n", prepay_strerror(n));
        return 1;
    }
    if (o.json) {
        printf("{\"frame\":\"");
        print_hex(stdout, out, (size_t)n, "");
        printf("\",\"length\":%d}\n", n);
    } else {
        print_hex(stdout, out, (size_t)n, " ");
        printf("\n");
    }
    return 0;
}

int prepay_tool_cjt188(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_BAD_INPUT : 0;
    }
    if (strcmp(argv[1], "decode") == 0) {
        return cmd_decode(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "encode") == 0) {
        return cmd_encode(argc - 1, argv + 1);
    }
    return bad_input("unknown subcommand '%s' (decode, encode)", argv[1]);
}
