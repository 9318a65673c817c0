/*
 * prepay dlt645: decode DL/T 645 frames into fields and typed values, and
 * build request frames (hosted: stdio and stdlib are fine here).
 *
 *   prepay dlt645 decode [--json] HEX...      one frame per argument ('-': stdin, one per line)
 *   prepay dlt645 encode read    --address A --di DI [--preamble N] [--json]
 *   prepay dlt645 encode write   --address A --di DI --value V [--level L] [--password P] [--operator C]
 *   prepay dlt645 encode relay   --address A --n1 CMD --until 'YYYY-MM-DD hh:mm:ss' [credentials]
 *   prepay dlt645 encode time    --time 'YYYY-MM-DD hh:mm:ss'            (broadcast time sync)
 *   prepay dlt645 encode address [--new A [--address TARGET]]            (read / write address)
 *   prepay dlt645 catalogue [--json]                                     (list the DI catalogue)
 *
 * Exit status: 0 ok, 2 bad input (one line on stderr per problem), 1 other failure.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "prepay/civil_time.h"
#include "prepay/dlt645.h"
#include "prepay/dlt645_data.h"
#include "prepay/status.h"

#define EXIT_BAD_INPUT 2
#define MAX_ITEMS 128

static void usage(FILE *to)
{
    fprintf(to,
            "usage: prepay dlt645 decode [--json] HEX... | -\n"
            "       prepay dlt645 encode read    --address ADDR --di DI [--preamble N] [--json]\n"
            "       prepay dlt645 encode write   --address ADDR --di DI --value V [--level PA] [--password P]\n"
            "                                    [--operator C] [--preamble N] [--json]\n"
            "       prepay dlt645 encode relay   --address ADDR --n1 CMD --until 'YYYY-MM-DD hh:mm:ss'\n"
            "                                    [--level PA] [--password P] [--operator C] [--preamble N] [--json]\n"
            "       prepay dlt645 encode time    --time 'YYYY-MM-DD hh:mm:ss' [--preamble N] [--json]\n"
            "       prepay dlt645 encode address [--new ADDR [--address TARGET]] [--preamble N] [--json]\n"
            "       prepay dlt645 catalogue [--json]\n"
            "\n"
            "decode: each argument is one frame in hex (spaces allowed inside quotes); '-' reads\n"
            "        frames from stdin, one per line ('#' lines and blank lines are skipped).\n"
            "        --json prints one JSON object per frame per line.\n"
            "encode: prints the frame as uppercase hex.\n"
            "  ADDR      12 digits, most significant first (AA bytes allowed for reads)\n"
            "  DI        8 hex digits DI3..DI0, e.g. 0001FF00\n"
            "  V         the value as text: 0.5200, 2016-01-11, 21:53:55, '2024-07-01 12:30',\n"
            "            000000193600, '01-01:1 06-01:2' (zones), '00:00:1 08:00:2' (day slots), hex bytes\n"
            "  PA        password level, 2 hex digits (default 02)\n"
            "  P         password, 6 hex digits, most significant first (default 000000)\n"
            "  C         operator code, 8 hex digits, most significant first (default 00000000)\n"
            "  CMD       trip | close-allowed | close | alarm | alarm-release | keep-power | keep-power-release\n"
            "  N         0..4 FE wake-up bytes (default 0)\n");
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static int bad_input(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "prepay dlt645: ");
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    return EXIT_BAD_INPUT;
}

/* ---- small helpers ----------------------------------------------------------- */

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = toupper(c);
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Parses hex with optional spaces (and "0x" prefixes); returns bytes or -1. */
static int parse_hex_bytes(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int high = -1;
    for (const char *p = text; *p; p++) {
        if (isspace((unsigned char)*p) || *p == ',' || *p == ':') {
            if (high >= 0) {
                return -1; /* odd digit count within a byte */
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

/* Parses exactly `digits` hex digits into a number. */
static bool parse_hex_number(const char *text, size_t digits, uint32_t *out)
{
    if (strlen(text) != digits) {
        return false;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < digits; i++) {
        int d = hex_digit((unsigned char)text[i]);
        if (d < 0) {
            return false;
        }
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return true;
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
        switch (*p) {
        case '"': fputs("\\\"", to); break;
        case '\\': fputs("\\\\", to); break;
        case '\n': fputs("\\n", to); break;
        case '\r': fputs("\\r", to); break;
        case '\t': fputs("\\t", to); break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                fprintf(to, "\\u%04X", *p);
            } else {
                fputc(*p, to);
            }
        }
    }
    fputc('"', to);
}

/* "YYYY-MM-DD hh:mm:ss" (or 'T') to a time. */
static bool parse_civil_time(const char *text, prepay_time_t *out)
{
    int year, month, day, hour, minute, second;
    char sep;
    char extra;
    if (sscanf(text, "%4d-%2d-%2d%c%2d:%2d:%2d%c", &year, &month, &day, &sep, &hour, &minute, &second, &extra) != 7 ||
        (sep != ' ' && sep != 'T') || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0 || hour > 23 ||
        minute > 59 || second > 59) {
        return false;
    }
    prepay_civil_t c = {year, (uint8_t)month, (uint8_t)day, (uint8_t)hour, (uint8_t)minute, (uint8_t)second, 0};
    return prepay_time_from_civil(&c, out) == PREPAY_OK;
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

static const char *function_name(unsigned edition, unsigned function)
{
    if (edition == PREPAY_DLT645_EDITION_1997) {
        switch (function) {
        case 0x01: return "read data";
        case 0x02: return "read follow-up data";
        case 0x04: return "write data";
        case 0x08: return "broadcast time";
        case 0x0A: return "write address";
        case 0x0C: return "change baud rate";
        case 0x0F: return "change password";
        default: return "unknown";
        }
    }
    switch (function) {
    case 0x03: return "security command";
    case 0x08: return "broadcast time";
    case 0x11: return "read data";
    case 0x12: return "read follow-up data";
    case 0x13: return "read address";
    case 0x14: return "write data";
    case 0x15: return "write address";
    case 0x16: return "freeze";
    case 0x17: return "change baud rate";
    case 0x18: return "change password";
    case 0x19: return "clear maximum demand";
    case 0x1A: return "clear meter";
    case 0x1B: return "clear events";
    case 0x1C: return "relay control";
    default: return "unknown";
    }
}

static const struct {
    const char *name;
    uint8_t code;
} relay_commands[] = {
    {"trip", PREPAY_DLT645_RELAY_TRIP},
    {"close-allowed", PREPAY_DLT645_RELAY_CLOSE_ALLOWED},
    {"close", PREPAY_DLT645_RELAY_DIRECT_CLOSE},
    {"alarm", PREPAY_DLT645_RELAY_ALARM},
    {"alarm-release", PREPAY_DLT645_RELAY_ALARM_RELEASE},
    {"keep-power", PREPAY_DLT645_RELAY_KEEP_POWER},
    {"keep-power-release", PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE},
};

static const char *relay_command_name(uint8_t code)
{
    for (size_t i = 0; i < sizeof relay_commands / sizeof relay_commands[0]; i++) {
        if (relay_commands[i].code == code) {
            return relay_commands[i].name;
        }
    }
    return "unknown";
}

static const char *error_text(uint16_t error)
{
    static const char *const bits[] = {"other error",       "no requested data",  "password wrong / unauthorised",
                                       "baud cannot change", "too many year zones", "too many day slots",
                                       "too many tariffs"};
    for (unsigned i = 0; i < 7; i++) {
        if (error & (1u << i)) {
            return bits[i];
        }
    }
    return "no error bit set";
}

/* ---- decoded values ------------------------------------------------------------ */

/* One printable value of a frame. */
typedef struct shown_value {
    bool has_di;
    int di_digits; /* 8 (2007) or 4 (1997) */
    uint32_t di;
    char name[PREPAY_DLT645_NAME_MAX + 64];
    char value[PREPAY_DLT645_VALUE_TEXT_MAX];
    const char *unit;
    const char *kind;
} shown_value_t;

static const char *kind_name(unsigned kind)
{
    static const char *const names[] = {"number", "time", "digits", "table", "text", "bytes", "demand", "absent"};
    return kind < 8 ? names[kind] : "unknown";
}

static void show_item(const prepay_dlt645_value_t *item, bool has_di, bool is_1997, shown_value_t *out)
{
    memset(out, 0, sizeof *out);
    out->has_di = has_di;
    out->di_digits = is_1997 ? 4 : 8;
    out->di = item->di;
    char base[PREPAY_DLT645_NAME_MAX];
    if (!has_di || is_1997 || prepay_dlt645_item_name(item->di, base, sizeof base) < 0) {
        snprintf(base, sizeof base, "%s", item->name ? item->name : "value");
    }
    if (item->field > 0 && item->name) {
        snprintf(out->name, sizeof out->name, "%s: %s", base, item->name);
    } else {
        snprintf(out->name, sizeof out->name, "%s", base);
    }
    if (prepay_dlt645_value_format(item, out->value, sizeof out->value) < 0) {
        snprintf(out->value, sizeof out->value, "?");
    }
    out->unit = item->kind == PREPAY_DLT645_KIND_NUMBER || item->kind == PREPAY_DLT645_KIND_DEMAND
                    ? prepay_dlt645_unit_symbol(item->unit)
                    : "";
    out->kind = kind_name(item->kind);
}

/* Decodes the values a frame carries. Returns the count; *problem is set when the data cannot be decoded. */
static size_t frame_values(const prepay_dlt645_frame_t *f, shown_value_t *shown, size_t cap, int *problem)
{
    static prepay_dlt645_value_t items[MAX_ITEMS];
    *problem = PREPAY_OK;
    size_t count = 0;
    if (f->abnormal) {
        return 0;
    }
    if (f->edition == PREPAY_DLT645_EDITION_1997) {
        if (!f->is_reply || f->di_size != 2 ||
            (f->function != PREPAY_DLT645_1997_FN_READ && f->function != PREPAY_DLT645_1997_FN_READ_FOLLOW_UP)) {
            return 0;
        }
        int n = prepay_dlt645_block_decode_1997((uint16_t)f->di, f->data + 2, f->length - 2u, items, MAX_ITEMS);
        if (n < 0) {
            *problem = n;
            return 0;
        }
        for (int i = 0; i < n && count < cap; i++) {
            show_item(&items[i], true, true, &shown[count++]);
        }
        return count;
    }
    if (f->is_reply && (f->function == PREPAY_DLT645_FN_READ || f->function == PREPAY_DLT645_FN_READ_FOLLOW_UP) &&
        f->di_size == 4) {
        size_t len = f->length - 4u;
        if (f->function == PREPAY_DLT645_FN_READ_FOLLOW_UP && len > 0) {
            len--; /* SEQ */
        }
        int n = prepay_dlt645_block_decode(f->di, f->data + 4, len, items, MAX_ITEMS);
        if (n < 0) {
            *problem = n;
            return 0;
        }
        for (int i = 0; i < n && count < cap; i++) {
            show_item(&items[i], true, false, &shown[count++]);
        }
        return count;
    }
    if (f->is_reply && f->function == PREPAY_DLT645_FN_READ_ADDRESS && f->length == 6) {
        int n = prepay_dlt645_block_decode(0x04000401u, f->data, 6, items, MAX_ITEMS);
        if (n == 1) {
            show_item(&items[0], false, false, &shown[count]);
            snprintf(shown[count].name, sizeof shown[count].name, "address");
            count++;
        } else {
            *problem = n;
        }
        return count;
    }
    if (!f->is_reply && f->function == PREPAY_DLT645_FN_WRITE && f->length > 12) {
        int n = prepay_dlt645_block_decode(f->di, f->data + 12, f->length - 12u, items, MAX_ITEMS);
        if (n < 0) {
            *problem = n;
            return 0;
        }
        for (int i = 0; i < n && count < cap; i++) {
            show_item(&items[i], true, false, &shown[count++]);
        }
        return count;
    }
    if (!f->is_reply && f->function == PREPAY_DLT645_FN_BROADCAST_TIME && f->length == 6) {
        prepay_time_t t;
        int status = prepay_time_from_dlt645_datetime(f->data, &t);
        if (status != PREPAY_OK) {
            *problem = status;
            return 0;
        }
        memset(&shown[0], 0, sizeof shown[0]);
        snprintf(shown[0].name, sizeof shown[0].name, "time");
        format_time(t, shown[0].value, sizeof shown[0].value);
        shown[0].unit = "";
        shown[0].kind = "time";
        return 1;
    }
    if (!f->is_reply && f->function == PREPAY_DLT645_FN_RELAY_CONTROL) {
        prepay_dlt645_relay_request_t relay;
        int status = prepay_dlt645_parse_relay_request(f, &relay);
        if (status != PREPAY_OK) {
            *problem = status;
            return 0;
        }
        memset(shown, 0, 2 * sizeof shown[0]);
        snprintf(shown[0].name, sizeof shown[0].name, "command");
        snprintf(shown[0].value, sizeof shown[0].value, "%s", relay_command_name(relay.command));
        shown[0].unit = "";
        shown[0].kind = "text";
        snprintf(shown[1].name, sizeof shown[1].name, "valid until");
        if (relay.valid_until == PREPAY_DLT645_RELAY_NO_TIME) {
            snprintf(shown[1].value, sizeof shown[1].value, "none");
        } else {
            format_time(relay.valid_until, shown[1].value, sizeof shown[1].value);
        }
        shown[1].unit = "";
        shown[1].kind = "time";
        return 2;
    }
    return 0;
}

/* ---- decode ----------------------------------------------------------------------- */

static void print_frame_text(const prepay_dlt645_frame_t *f, const char *address, const shown_value_t *values,
                             size_t count, int problem)
{
    printf("DL/T 645-%u %s: %s (function %02X, control %02X)%s%s\n", (unsigned)f->edition,
           f->is_reply ? "reply" : "request", function_name(f->edition, f->function), f->function, f->control,
           f->abnormal ? ", abnormal" : "", f->follow_up ? ", follow-up frames" : "");
    printf("  address   %s\n", address);
    if (f->preamble) {
        printf("  preamble  %u x FE\n", f->preamble);
    }
    printf("  length    %u\n", f->length);
    printf("  data      ");
    print_hex(stdout, f->data, f->length, " ");
    printf("\n");
    if (f->di_size == 4) {
        printf("  di        %08X\n", (unsigned)f->di);
    } else if (f->di_size == 2) {
        printf("  di        %04X\n", (unsigned)f->di);
    }
    if (f->has_error) {
        printf("  error     %02X (%s)\n", (unsigned)f->error, error_text(f->error));
    }
    for (size_t i = 0; i < count; i++) {
        const shown_value_t *v = &values[i];
        if (v->has_di) {
            printf("  %0*X  %s = %s%s%s\n", v->di_digits, (unsigned)v->di, v->name, v->value, v->unit[0] ? " " : "",
                   v->unit);
        } else {
            printf("  %s = %s%s%s\n", v->name, v->value, v->unit[0] ? " " : "", v->unit);
        }
    }
    if (problem != PREPAY_OK) {
        printf("  values    not decoded: %s\n", prepay_strerror(problem));
    }
}

static void print_frame_json(const prepay_dlt645_frame_t *f, const char *address, const shown_value_t *values,
                             size_t count, int problem)
{
    printf("{\"address\":");
    json_string(stdout, address);
    printf(",\"edition\":%u,\"preamble\":%u,\"control\":%u,\"function\":%u", (unsigned)f->edition, f->preamble,
           f->control, f->function);
    printf(",\"function_name\":");
    json_string(stdout, function_name(f->edition, f->function));
    printf(",\"direction\":\"%s\",\"abnormal\":%s,\"follow_up\":%s,\"length\":%u,\"data\":\"",
           f->is_reply ? "reply" : "request", f->abnormal ? "true" : "false", f->follow_up ? "true" : "false",
           f->length);
    print_hex(stdout, f->data, f->length, "");
    printf("\"");
    if (f->di_size == 4) {
        printf(",\"di\":\"%08X\"", (unsigned)f->di);
    } else if (f->di_size == 2) {
        printf(",\"di\":\"%04X\"", (unsigned)f->di);
    }
    if (f->has_error) {
        printf(",\"error\":%u,\"error_text\":", (unsigned)f->error);
        json_string(stdout, error_text(f->error));
    }
    printf(",\"values\":[");
    for (size_t i = 0; i < count; i++) {
        const shown_value_t *v = &values[i];
        printf("%s{", i ? "," : "");
        if (v->has_di) {
            printf("\"di\":\"%0*X\",", v->di_digits, (unsigned)v->di);
        }
        printf("\"name\":");
        json_string(stdout, v->name);
        printf(",\"value\":");
        json_string(stdout, v->value);
        printf(",\"unit\":");
        json_string(stdout, v->unit);
        printf(",\"kind\":");
        json_string(stdout, v->kind);
        printf("}");
    }
    printf("]");
    if (problem != PREPAY_OK) {
        printf(",\"value_error\":");
        json_string(stdout, prepay_strerror(problem));
    }
    printf("}\n");
}

/* Decodes and prints one frame given as hex text; returns 0 or EXIT_BAD_INPUT. */
static int decode_one(const char *text, bool json)
{
    static uint8_t bytes[4096];
    int n = parse_hex_bytes(text, bytes, sizeof bytes);
    if (n < 0) {
        return bad_input("not a hex frame: '%s'", text);
    }
    if (n == 0) {
        return bad_input("empty frame");
    }
    static prepay_dlt645_frame_t frame;
    int used = prepay_dlt645_decode(bytes, (size_t)n, &frame);
    if (used < 0) {
        fprintf(stderr, "prepay dlt645: bad frame '%s': %s\n", text, prepay_strerror(used));
        return EXIT_BAD_INPUT;
    }
    if (used != n) {
        fprintf(stderr, "prepay dlt645: bad frame '%s': %d bytes after the end byte 16\n", text, n - used);
        return EXIT_BAD_INPUT;
    }
    char address[16];
    if (prepay_dlt645_address_to_string(&frame.address, address, sizeof address) < 0) {
        snprintf(address, sizeof address, "?");
    }
    static shown_value_t values[MAX_ITEMS];
    int problem;
    size_t count = frame_values(&frame, values, MAX_ITEMS, &problem);
    if (json) {
        print_frame_json(&frame, address, values, count, problem);
    } else {
        print_frame_text(&frame, address, values, count, problem);
    }
    return 0;
}

static int cmd_decode(int argc, char **argv)
{
    bool json = false;
    int frames = 0;
    int result = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
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
        frames++;
        if (strcmp(argv[i], "-") == 0) {
            char line[8192];
            while (fgets(line, sizeof line, stdin)) {
                size_t len = strlen(line);
                if (len == sizeof line - 1 && line[len - 1] != '\n') {
                    fprintf(stderr, "prepay dlt645: input line too long\n");
                    result = EXIT_BAD_INPUT;
                    int c;
                    while ((c = getchar()) != EOF && c != '\n') {
                    }
                    continue;
                }
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
                if (decode_one(p, json) != 0) {
                    result = EXIT_BAD_INPUT;
                }
            }
        } else if (decode_one(argv[i], json) != 0) {
            result = EXIT_BAD_INPUT;
        }
        fflush(stdout);
    }
    if (frames == 0) {
        return bad_input("decode: no frames given (HEX arguments or '-')");
    }
    return result;
}

/* ---- encode ------------------------------------------------------------------------ */

typedef dlt645_encode_options_t encode_options_t;

/* argv: "encode" KIND options... (argv[0] the subcommand). */
int prepay_dlt645_encode_options_parse(int argc, char **argv, encode_options_t *o, char *err, size_t err_cap)
{
    static const struct {
        const char *flag;
        size_t offset;
    } flags[] = {
        {"--address", offsetof(encode_options_t, address)},
        {"--new", offsetof(encode_options_t, new_address)},
        {"--di", offsetof(encode_options_t, di)},
        {"--value", offsetof(encode_options_t, value)},
        {"--level", offsetof(encode_options_t, level)},
        {"--password", offsetof(encode_options_t, password)},
        {"--operator", offsetof(encode_options_t, operator_code)},
        {"--n1", offsetof(encode_options_t, n1)},
        {"--until", offsetof(encode_options_t, until)},
        {"--time", offsetof(encode_options_t, time)},
        {"--preamble", offsetof(encode_options_t, preamble)},
    };
    memset(o, 0, sizeof *o);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        o->help = argc >= 2;
        if (argc < 2) {
            snprintf(err, err_cap, "encode needs a frame kind (read, write, relay, time, address)");
            return EXIT_BAD_INPUT;
        }
        return 0;
    }
    o->what = argv[1];
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o->json = true;
            continue;
        }
        bool known = false;
        for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
            size_t flag_len = strlen(flags[k].flag);
            if (strncmp(argv[i], flags[k].flag, flag_len) != 0) {
                continue;
            }
            const char *value = NULL;
            if (argv[i][flag_len] == '=') {
                value = argv[i] + flag_len + 1;
            } else if (argv[i][flag_len] == '\0') {
                if (i + 1 >= argc) {
                    snprintf(err, err_cap, "option %s needs a value", flags[k].flag);
                    return EXIT_BAD_INPUT;
                }
                value = argv[++i];
            } else {
                continue;
            }
            *(const char **)(void *)((char *)o + flags[k].offset) = value;
            known = true;
            break;
        }
        if (!known) {
            snprintf(err, err_cap, "unknown argument '%.64s'", argv[i]);
            return EXIT_BAD_INPUT;
        }
    }
    return 0;
}

static int need_address(const char *text, const char *what, prepay_dlt645_address_t *out)
{
    if (!text) {
        return bad_input("%s is required", what);
    }
    if (prepay_dlt645_address_from_string(text, strlen(text), out) != PREPAY_OK) {
        return bad_input("bad address '%s' (12 digits, most significant first)", text);
    }
    return 0;
}

static int need_di(const char *text, uint32_t *out)
{
    if (!text) {
        return bad_input("--di is required");
    }
    if (!parse_hex_number(text, 8, out)) {
        return bad_input("bad DI '%s' (8 hex digits DI3..DI0)", text);
    }
    return 0;
}

/* Reads a hex field of n bytes, most significant first, into wire order (least significant first). */
static int wire_field(const char *text, const char *what, size_t n, uint8_t *out)
{
    uint32_t v;
    if (!parse_hex_number(text, 2 * n, &v)) {
        fprintf(stderr, "prepay dlt645: bad %s '%s' (%zu hex digits)\n", what, text, 2 * n);
        return EXIT_BAD_INPUT;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(v >> (8 * i));
    }
    return 0;
}

static int credentials_from(const encode_options_t *o, prepay_dlt645_credentials_t *c)
{
    memset(c, 0, sizeof *c);
    c->level = PREPAY_DLT645_PASSWORD_LEVEL_2;
    if (o->level && wire_field(o->level, "password level", 1, &c->level) != 0) {
        return EXIT_BAD_INPUT;
    }
    if (o->password && wire_field(o->password, "password", 3, c->password) != 0) {
        return EXIT_BAD_INPUT;
    }
    if (o->operator_code && wire_field(o->operator_code, "operator code", 4, c->operator_code) != 0) {
        return EXIT_BAD_INPUT;
    }
    return 0;
}

static int builder_failed(int status)
{
    fprintf(stderr, "prepay dlt645: cannot build the frame: %s\n", prepay_strerror(status));
    return EXIT_BAD_INPUT;
}

static int cmd_encode(int argc, char **argv)
{
    encode_options_t o;
    char err[256];
    if (prepay_dlt645_encode_options_parse(argc, argv, &o, err, sizeof err) != 0) {
        if (argc < 2) {
            usage(stderr);
            return EXIT_BAD_INPUT;
        }
        return bad_input("%s", err);
    }
    if (o.help) {
        usage(stdout);
        return 0;
    }
    const char *what = o.what;
    int rc;
    static prepay_dlt645_frame_t frame;
    prepay_dlt645_address_t address;
    prepay_dlt645_credentials_t credentials;
    uint32_t di;
    int status;
    if (strcmp(what, "read") == 0) {
        if ((rc = need_address(o.address, "--address", &address)) != 0 || (rc = need_di(o.di, &di)) != 0) {
            return rc;
        }
        status = prepay_dlt645_request_read(&frame, &address, di);
    } else if (strcmp(what, "write") == 0) {
        if ((rc = need_address(o.address, "--address", &address)) != 0 || (rc = need_di(o.di, &di)) != 0 ||
            (rc = credentials_from(&o, &credentials)) != 0) {
            return rc;
        }
        if (!o.value) {
            return bad_input("--value is required for write");
        }
        prepay_dlt645_value_t value;
        status = prepay_dlt645_value_parse(di, o.value, strlen(o.value), &value);
        if (status != PREPAY_OK) {
            fprintf(stderr, "prepay dlt645: bad value '%s' for DI %08X: %s\n", o.value, (unsigned)di,
                    prepay_strerror(status));
            return EXIT_BAD_INPUT;
        }
        uint8_t bytes[255];
        int n = prepay_dlt645_value_encode(&value, bytes, sizeof bytes);
        if (n < 0) {
            return builder_failed(n);
        }
        status = prepay_dlt645_request_write(&frame, &address, di, &credentials, bytes, (size_t)n);
    } else if (strcmp(what, "relay") == 0) {
        if ((rc = need_address(o.address, "--address", &address)) != 0 ||
            (rc = credentials_from(&o, &credentials)) != 0) {
            return rc;
        }
        if (!o.n1) {
            return bad_input("--n1 is required for relay");
        }
        int command = -1;
        for (size_t i = 0; i < sizeof relay_commands / sizeof relay_commands[0]; i++) {
            if (strcmp(o.n1, relay_commands[i].name) == 0) {
                command = relay_commands[i].code;
            }
        }
        if (command < 0) {
            return bad_input("bad --n1 '%s' (trip, close-allowed, close, alarm, alarm-release, keep-power, "
                             "keep-power-release)",
                             o.n1);
        }
        prepay_time_t until;
        if (!o.until || !parse_civil_time(o.until, &until)) {
            return bad_input("--until needs 'YYYY-MM-DD hh:mm:ss'");
        }
        status = prepay_dlt645_request_relay_control(&frame, &address, &credentials, (uint8_t)command, until);
    } else if (strcmp(what, "time") == 0) {
        prepay_time_t now;
        if (!o.time || !parse_civil_time(o.time, &now)) {
            return bad_input("--time needs 'YYYY-MM-DD hh:mm:ss'");
        }
        status = prepay_dlt645_request_broadcast_time(&frame, now);
    } else if (strcmp(what, "address") == 0) {
        if (o.new_address) {
            prepay_dlt645_address_t new_address;
            address = prepay_dlt645_address_wildcard();
            if ((rc = need_address(o.new_address, "--new", &new_address)) != 0 ||
                (o.address && (rc = need_address(o.address, "--address", &address)) != 0)) {
                return rc;
            }
            status = prepay_dlt645_request_write_address(&frame, &address, &new_address);
        } else {
            if (o.address) {
                return bad_input("encode address: --address is the target of a write; give --new too");
            }
            status = prepay_dlt645_request_read_address(&frame);
        }
    } else {
        return bad_input("unknown frame kind '%s' (read, write, relay, time, address)", what);
    }
    if (status != PREPAY_OK) {
        return builder_failed(status);
    }
    if (o.preamble) {
        char *end = NULL;
        long preamble = strtol(o.preamble, &end, 10);
        if (!end || *end != '\0' || end == o.preamble || preamble < 0 || preamble > 4) {
            return bad_input("bad --preamble '%s' (0..4)", o.preamble);
        }
        frame.preamble = (uint8_t)preamble;
    }
    uint8_t out[PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(&frame, out, sizeof out);
    if (n < 0) {
        fprintf(stderr, "prepay dlt645: cannot encode the frame: %s\n", prepay_strerror(n));
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

/* ---- catalogue ------------------------------------------------------------------------ */

static const char *format_name(unsigned format)
{
    static const char *const names[] = {"bcd",   "bcd_signed", "YYMMDDWW",  "hhmmss", "YYMMDDhhmm", "YYMMDDhhmmss",
                                        "digits", "zone_table", "day_table", "ascii",  "bytes",      "demand"};
    return format < sizeof names / sizeof names[0] ? names[format] : "unknown";
}

static int cmd_catalogue(int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            return bad_input("catalogue: unknown argument '%s'", argv[i]);
        }
    }
    size_t n = prepay_dlt645_catalogue_size();
    for (size_t i = 0; i < n; i++) {
        prepay_dlt645_item_t item;
        if (prepay_dlt645_catalogue_row(i, &item) != PREPAY_OK) {
            return 1;
        }
        if (json) {
            printf("{\"di_low\":\"%08X\",\"di_high\":\"%08X\",\"name\":", (unsigned)item.di_low,
                   (unsigned)item.di_high);
            json_string(stdout, item.name);
            printf(",\"format\":\"%s\",\"length\":%u,\"decimals\":%u,\"unit\":", format_name(item.format),
                   item.length, item.decimals);
            json_string(stdout, prepay_dlt645_unit_symbol(item.unit));
            printf(",\"fields\":%u,\"qualifier\":%u,\"label\":", item.field_count, item.qualifier);
            json_string(stdout, item.label ? item.label : "");
            if (item.field_count > 0 && item.fields) {
                printf(",\"field_list\":[");
                for (unsigned f = 0; f < item.field_count; f++) {
                    const prepay_dlt645_field_t *field = &item.fields[f];
                    printf("%s{\"name\":", f ? "," : "");
                    json_string(stdout, field->name);
                    printf(",\"format\":\"%s\",\"length\":%u,\"decimals\":%u,\"unit\":", format_name(field->format),
                           field->length, field->decimals);
                    json_string(stdout, prepay_dlt645_unit_symbol(field->unit));
                    printf("}");
                }
                printf("]");
            }
            printf(",\"source\":");
            json_string(stdout, item.source);
            printf("}\n");
        } else if (item.di_low == item.di_high) {
            printf("%08X           %-12s %3u %u %-8s %s\n", (unsigned)item.di_low, format_name(item.format),
                   item.length, item.decimals, prepay_dlt645_unit_symbol(item.unit), item.name);
        } else {
            printf("%08X-%08X  %-12s %3u %u %-8s %s\n", (unsigned)item.di_low, (unsigned)item.di_high,
                   format_name(item.format), item.length, item.decimals, prepay_dlt645_unit_symbol(item.unit),
                   item.name);
        }
    }
    /* The DL/T 645-1997 table: 2-byte DIs. */
    for (uint32_t di = 0; json && di <= 0xFFFFu; di++) {
        prepay_dlt645_item_t item;
        if (prepay_dlt645_catalogue_find_1997((uint16_t)di, &item) != PREPAY_OK) {
            continue;
        }
        printf("{\"edition\":1997,\"di_low\":\"%04X\",\"di_high\":\"%04X\",\"name\":", (unsigned)di, (unsigned)di);
        json_string(stdout, item.name);
        printf(",\"format\":\"%s\",\"length\":%u,\"decimals\":%u,\"unit\":", format_name(item.format), item.length,
               item.decimals);
        json_string(stdout, prepay_dlt645_unit_symbol(item.unit));
        printf(",\"fields\":%u,\"qualifier\":0,\"label\":\"\",\"source\":", item.field_count);
        json_string(stdout, item.source);
        printf("}\n");
    }
    return 0;
}

int prepay_tool_dlt645(int argc, char **argv)
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
    if (strcmp(argv[1], "catalogue") == 0) {
        return cmd_catalogue(argc - 1, argv + 1);
    }
    return bad_input("unknown subcommand '%s' (decode, encode, catalogue)", argv[1]);
}
