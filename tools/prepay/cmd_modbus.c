/*
 * prepay modbus: decode Modbus RTU frames (and register values through a
 * register map), build request frames, list the shipped maps (hosted).
 *
 *   prepay modbus decode [--json] [--request|--response] [--map NAME --start ADDR] HEX... | -
 *   prepay modbus encode read --unit U --function 1|2|3|4 --address A --count N [--json]
 *   prepay modbus encode write-register --unit U --address A --value V
 *   prepay modbus encode write-registers --unit U --address A --values 'V1 V2 ...'
 *   prepay modbus encode write-coil --unit U --address A --on|--off
 *   prepay modbus encode write-value --unit U --map NAME --register NAME --value DECIMAL
 *   prepay modbus maps [--json]
 *
 * Addresses and register values are decimal or 0x-prefixed hex. Exit status:
 * 0 ok, 2 bad input, 1 other failure.
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
#include "prepay/fixed_point.h"
#include "prepay/modbus.h"
#include "prepay/status.h"

#define EXIT_BAD_INPUT 2

static void usage(FILE *to)
{
    fprintf(to, "usage: prepay modbus decode [--json] [--request|--response] [--map NAME --start ADDR] HEX... | -\n"
                "       prepay modbus encode read --unit U --function 1|2|3|4 --address A --count N [--json]\n"
                "       prepay modbus encode write-register --unit U --address A --value V [--json]\n"
                "       prepay modbus encode write-registers --unit U --address A --values 'V1 V2 ...' [--json]\n"
                "       prepay modbus encode write-coil --unit U --address A --on|--off [--json]\n"
                "       prepay modbus encode write-value --unit U --map NAME --register NAME --value DECIMAL [--json]\n"
                "       prepay modbus maps [--json]\n"
                "\n"
                "decode: one RTU frame (unit, PDU, CRC) per argument; '-' reads one per line from stdin.\n"
                "        Without --request / --response the PDU structure is not checked. With --map and\n"
                "        --start (the address the block was read from), register values of a 03/04 response\n"
                "        are decoded to fixed point in the map's units.\n"
                "write-value: the value in the register's unit (e.g. litres for a volume); written with 06\n"
                "        for one register, 10H for two.\n"
                "maps:  ddsy1352 (Acrel DDSY1352 electricity meter), xintai-water (Kaifeng Xintai valve water meter)\n");
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static int bad_input(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "prepay modbus: ");
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    return EXIT_BAD_INPUT;
}

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

static void print_hex(const uint8_t *bytes, size_t len, const char *separator)
{
    for (size_t i = 0; i < len; i++) {
        printf("%s%02X", i ? separator : "", bytes[i]);
    }
}

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            putchar('\\');
            putchar(*p);
        } else if (*p < 0x20) {
            printf("\\u%04X", *p);
        } else {
            putchar(*p);
        }
    }
    putchar('"');
}

/* Decimal or 0x-hex, 0..max. */
static bool parse_number(const char *text, unsigned long max, unsigned long *out)
{
    char *end = NULL;
    if (!text || !*text || *text == '-') {
        return false;
    }
    unsigned long v = strtoul(text, &end, 0);
    if (!end || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static const char *function_name(uint8_t function)
{
    switch (function & 0x7Fu) {
    case 0x01: return "read coils";
    case 0x02: return "read discrete inputs";
    case 0x03: return "read holding registers";
    case 0x04: return "read input registers";
    case 0x05: return "write single coil";
    case 0x06: return "write single register";
    case 0x0F: return "write multiple coils";
    case 0x10: return "write multiple registers";
    default: return "other";
    }
}

static const char *exception_name(uint8_t code)
{
    switch (code) {
    case 0x01: return "illegal function";
    case 0x02: return "illegal data address";
    case 0x03: return "illegal data value";
    case 0x04: return "server device failure";
    case 0x05: return "acknowledge";
    case 0x06: return "server device busy";
    case 0x08: return "memory parity error";
    case 0x0A: return "gateway path unavailable";
    case 0x0B: return "gateway target failed to respond";
    default: return "unknown";
    }
}

static const char *type_name(uint8_t type)
{
    static const char *const names[] = {"UINT16", "INT16", "UINT32", "INT32", "FLOAT32", "BCD16", "BCD32"};
    return type < 7 ? names[type] : "?";
}

static const char *order_name(uint8_t order)
{
    static const char *const names[] = {"ABCD", "CDAB", "BADC", "DCBA"};
    return order < 4 ? names[order] : "?";
}

static const char *rule_name(uint8_t rule)
{
    static const char *const names[] = {"exact", "decimal", "round"};
    return rule < 3 ? names[rule] : "?";
}

typedef struct decode_options {
    bool json;
    prepay_modbus_direction_t direction;
    const prepay_modbus_map_t *map;
    long start; /* -1: none */
} decode_options_t;

static int decode_one(const char *text, const decode_options_t *o)
{
    uint8_t bytes[512];
    int n = parse_hex_bytes(text, bytes, sizeof bytes);
    if (n < 0) {
        return bad_input("not a hex frame: '%s'", text);
    }
    prepay_modbus_adu_t adu;
    int rc = prepay_modbus_decode(bytes, (size_t)n, o->direction, &adu);
    if (rc != PREPAY_OK) {
        fprintf(stderr, "prepay modbus: bad frame '%s': %s\n", text, prepay_strerror(rc));
        return EXIT_BAD_INPUT;
    }
    /* Register words of a 03/04 response (byte count + words). */
    uint16_t words[126];
    size_t count = 0;
    bool has_words = !adu.is_exception &&
                     (adu.function == PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS ||
                      adu.function == PREPAY_MODBUS_FN_READ_INPUT_REGISTERS) &&
                     adu.length >= 1 && adu.data[0] == adu.length - 1u && (adu.data[0] & 1u) == 0 &&
                     o->direction != PREPAY_MODBUS_REQUEST;
    if (has_words) {
        count = adu.data[0] / 2u;
        for (size_t i = 0; i < count; i++) {
            words[i] = (uint16_t)(adu.data[1 + 2 * i] << 8 | adu.data[2 + 2 * i]);
        }
    }
    prepay_modbus_value_t values[64];
    int nvalues = 0;
    if (has_words && o->map && o->start >= 0) {
        nvalues = prepay_modbus_map_decode(o->map, adu.function, (uint16_t)o->start, words, count, values, 64);
        if (nvalues < 0) {
            nvalues = 0;
        }
    }
    uint16_t crc = (uint16_t)(bytes[n - 2] | bytes[n - 1] << 8);
    if (o->json) {
        printf("{\"unit\":%u,\"function\":%u,\"function_name\":", adu.unit, adu.function);
        json_string(function_name(adu.function));
        printf(",\"exception\":%u", adu.exception);
        if (adu.is_exception) {
            printf(",\"exception_name\":");
            json_string(exception_name(adu.exception));
        }
        printf(",\"length\":%u,\"data\":\"", adu.length);
        print_hex(adu.data, adu.length, "");
        printf("\",\"crc\":\"%04X\"", crc);
        if (has_words) {
            printf(",\"registers\":[");
            for (size_t i = 0; i < count; i++) {
                printf("%s%u", i ? "," : "", words[i]);
            }
            printf("]");
        }
        if (nvalues > 0) {
            printf(",\"values\":[");
            for (int i = 0; i < nvalues; i++) {
                printf("%s{\"name\":", i ? "," : "");
                json_string(values[i].reg->name);
                printf(",\"address\":%u", values[i].reg->address);
                if (values[i].status == PREPAY_OK) {
                    printf(",\"value\":%lld,\"unit\":", (long long)values[i].value);
                    json_string(prepay_modbus_unit_symbol(values[i].reg->unit));
                } else {
                    printf(",\"error\":");
                    json_string(prepay_strerror(values[i].status));
                }
                printf("}");
            }
            printf("]");
        }
        printf("}\n");
        return 0;
    }
    printf("Modbus RTU unit %u: %s (function %02X)%s\n", adu.unit, function_name(adu.function), adu.function,
           adu.is_exception ? ", exception" : "");
    if (adu.is_exception) {
        printf("  exception %02X (%s)\n", adu.exception, exception_name(adu.exception));
    }
    printf("  data      ");
    print_hex(adu.data, adu.length, " ");
    printf("\n  crc       %04X (sent %02X %02X)\n", crc, bytes[n - 2], bytes[n - 1]);
    if (has_words) {
        printf("  registers");
        for (size_t i = 0; i < count; i++) {
            printf(" %04X", words[i]);
        }
        printf("\n");
    }
    for (int i = 0; i < nvalues; i++) {
        if (values[i].status == PREPAY_OK) {
            printf("  %04XH %s = %lld %s\n", values[i].reg->address, values[i].reg->name, (long long)values[i].value,
                   prepay_modbus_unit_symbol(values[i].reg->unit));
        } else {
            printf("  %04XH %s: %s\n", values[i].reg->address, values[i].reg->name,
                   prepay_strerror(values[i].status));
        }
    }
    return 0;
}

static int cmd_decode(int argc, char **argv)
{
    decode_options_t o = {false, PREPAY_MODBUS_ANY, NULL, -1};
    int frames = 0, result = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o.json = true;
        } else if (strcmp(argv[i], "--request") == 0) {
            o.direction = PREPAY_MODBUS_REQUEST;
        } else if (strcmp(argv[i], "--response") == 0) {
            o.direction = PREPAY_MODBUS_RESPONSE;
        } else if (strcmp(argv[i], "--map") == 0) {
            if (i + 1 >= argc || !(o.map = prepay_modbus_map_by_name(argv[i + 1]))) {
                return bad_input("--map needs ddsy1352 or xintai-water");
            }
            i++;
        } else if (strcmp(argv[i], "--start") == 0) {
            unsigned long v;
            if (i + 1 >= argc || !parse_number(argv[i + 1], 0xFFFF, &v)) {
                return bad_input("--start needs a register address 0..65535");
            }
            o.start = (long)v;
            i++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return bad_input("unknown option '%s'", argv[i]);
        }
    }
    if ((o.map != NULL) != (o.start >= 0)) {
        return bad_input("--map and --start go together");
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            if (strcmp(argv[i], "--map") == 0 || strcmp(argv[i], "--start") == 0) {
                i++;
            }
            continue;
        }
        frames++;
        if (strcmp(argv[i], "-") == 0) {
            char line[4096];
            while (fgets(line, sizeof line, stdin)) {
                char *p = line;
                while (isspace((unsigned char)*p)) {
                    p++;
                }
                if (*p == '\0' || *p == '#') {
                    continue;
                }
                if (decode_one(p, &o) != 0) {
                    result = EXIT_BAD_INPUT;
                }
            }
        } else if (decode_one(argv[i], &o) != 0) {
            result = EXIT_BAD_INPUT;
        }
        fflush(stdout);
    }
    if (frames == 0) {
        return bad_input("decode: no frames given (HEX arguments or '-')");
    }
    return result;
}

typedef struct encode_options {
    const char *unit, *function, *address, *count, *value, *values, *map, *reg;
    bool on, off, json;
} encode_options_t;

static int parse_encode_options(int argc, char **argv, encode_options_t *o)
{
    static const struct {
        const char *flag;
        size_t offset;
    } flags[] = {
        {"--unit", offsetof(encode_options_t, unit)},       {"--function", offsetof(encode_options_t, function)},
        {"--address", offsetof(encode_options_t, address)}, {"--count", offsetof(encode_options_t, count)},
        {"--value", offsetof(encode_options_t, value)},     {"--values", offsetof(encode_options_t, values)},
        {"--map", offsetof(encode_options_t, map)},         {"--register", offsetof(encode_options_t, reg)},
    };
    memset(o, 0, sizeof *o);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o->json = true;
            continue;
        }
        if (strcmp(argv[i], "--on") == 0 || strcmp(argv[i], "--off") == 0) {
            *(argv[i][3] == 'n' ? &o->on : &o->off) = true;
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

static int cmd_encode(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_BAD_INPUT : 0;
    }
    const char *kind = argv[1];
    encode_options_t o;
    int rc = parse_encode_options(argc, argv, &o);
    if (rc != 0) {
        return rc;
    }
    unsigned long unit, address = 0, v;
    if (!parse_number(o.unit, 255, &unit)) {
        return bad_input("--unit is required (0..247)");
    }
    if (strcmp(kind, "write-value") != 0 && !parse_number(o.address, 0xFFFF, &address)) {
        return bad_input("--address is required (0..65535)");
    }
    prepay_modbus_adu_t adu;
    int status;
    if (strcmp(kind, "read") == 0) {
        unsigned long function, count;
        if (!parse_number(o.function, 255, &function) || !parse_number(o.count, 0xFFFF, &count)) {
            return bad_input("read needs --function 1..4 and --count");
        }
        status = prepay_modbus_request_read(&adu, (uint8_t)unit, (uint8_t)function, (uint16_t)address, (uint16_t)count);
    } else if (strcmp(kind, "write-register") == 0) {
        if (!parse_number(o.value, 0xFFFF, &v)) {
            return bad_input("write-register needs --value 0..65535");
        }
        status = prepay_modbus_request_write_register(&adu, (uint8_t)unit, (uint16_t)address, (uint16_t)v);
    } else if (strcmp(kind, "write-registers") == 0) {
        uint16_t values[PREPAY_MODBUS_MAX_WRITE_REGISTERS + 1];
        size_t count = 0;
        char copy[2048];
        snprintf(copy, sizeof copy, "%s", o.values ? o.values : "");
        for (char *p = strtok(copy, " ,"); p; p = strtok(NULL, " ,")) {
            if (count > PREPAY_MODBUS_MAX_WRITE_REGISTERS || !parse_number(p, 0xFFFF, &v)) {
                return bad_input("write-registers needs --values with 1..123 numbers 0..65535");
            }
            values[count++] = (uint16_t)v;
        }
        status = prepay_modbus_request_write_registers(&adu, (uint8_t)unit, (uint16_t)address, values, count);
    } else if (strcmp(kind, "write-coil") == 0) {
        if (o.on == o.off) {
            return bad_input("write-coil needs --on or --off");
        }
        status = prepay_modbus_request_write_coil(&adu, (uint8_t)unit, (uint16_t)address, o.on);
    } else if (strcmp(kind, "write-value") == 0) {
        const prepay_modbus_map_t *map = prepay_modbus_map_by_name(o.map);
        const prepay_modbus_register_t *reg = map ? prepay_modbus_map_find(map, o.reg) : NULL;
        if (!reg) {
            return bad_input("write-value needs --map (ddsy1352, xintai-water) and --register (see 'prepay modbus maps')");
        }
        if (!reg->writable) {
            return bad_input("register %s is read-only", reg->name);
        }
        int64_t value;
        if (!o.value || prepay_fixed_parse(o.value, strlen(o.value), 0, &value) != PREPAY_OK) {
            return bad_input("write-value needs --value, a whole number in %s", prepay_modbus_unit_symbol(reg->unit));
        }
        uint16_t words[2];
        int n = prepay_modbus_value_encode(reg, value, words, 2);
        if (n < 0) {
            fprintf(stderr, "prepay modbus: cannot write %lld to %s: %s\n", (long long)value, reg->name,
                    prepay_strerror(n));
            return EXIT_BAD_INPUT;
        }
        status = n == 1 ? prepay_modbus_request_write_register(&adu, (uint8_t)unit, reg->address, words[0])
                        : prepay_modbus_request_write_registers(&adu, (uint8_t)unit, reg->address, words, 2);
    } else {
        return bad_input("unknown frame kind '%s' (read, write-register, write-registers, write-coil, write-value)",
                         kind);
    }
    if (status != PREPAY_OK) {
        fprintf(stderr, "prepay modbus: cannot build the frame: %s\n", prepay_strerror(status));
        return EXIT_BAD_INPUT;
    }
    uint8_t out[PREPAY_MODBUS_ADU_MAX];
    int n = prepay_modbus_encode(&adu, out, sizeof out);
    if (n < 0) {
        return 1;
    }
    if (o.json) {
        printf("{\"frame\":\"");
        print_hex(out, (size_t)n, "");
        printf("\",\"length\":%d}\n", n);
    } else {
        print_hex(out, (size_t)n, " ");
        printf("\n");
    }
    return 0;
}

static int cmd_maps(int argc, char **argv)
{
    bool json = argc > 1 && strcmp(argv[1], "--json") == 0;
    if (argc > 2 || (argc == 2 && !json)) {
        return bad_input("maps: unknown argument '%s'", argv[argc - 1]);
    }
    for (size_t m = 0; prepay_modbus_map_builtin(m); m++) {
        const prepay_modbus_map_t *map = prepay_modbus_map_builtin(m);
        if (!json) {
            printf("%s: %s\n", map->name, map->source);
        }
        for (size_t i = 0; i < map->count; i++) {
            const prepay_modbus_register_t *r = &map->registers[i];
            if (json) {
                printf("{\"map\":");
                json_string(map->name);
                printf(",\"name\":");
                json_string(r->name);
                printf(",\"address\":%u,\"function\":%u,\"type\":\"%s\",\"order\":\"%s\",\"exponent\":%d,\"unit\":",
                       r->address, r->function, type_name(r->type), order_name(r->order), r->exponent);
                json_string(prepay_modbus_unit_symbol(r->unit));
                printf(",\"rule\":\"%s\",\"writable\":%s}\n", rule_name(r->rule), r->writable ? "true" : "false");
            } else {
                printf("  %04XH %-18s %-7s %s 10^%-3d %-8s %-7s %s\n", r->address, r->name, type_name(r->type),
                       order_name(r->order), r->exponent, prepay_modbus_unit_symbol(r->unit), rule_name(r->rule),
                       r->writable ? "R/W" : "R");
            }
        }
    }
    return 0;
}

int prepay_tool_modbus(int argc, char **argv)
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
    if (strcmp(argv[1], "maps") == 0) {
        return cmd_maps(argc - 1, argv + 1);
    }
    return bad_input("unknown subcommand '%s' (decode, encode, maps)", argv[1]);
}
