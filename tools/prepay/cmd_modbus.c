/* SPDX-License-Identifier: MIT */
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
 * Addresses and register values are decimal or 0x-prefixed hex.
 * Conventions (options, --json lines, exit status): docs/cli.md.
 */
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
#include "prepay/fixed_point.h"
#include "prepay/modbus.h"
#include "prepay/status.h"

/* Longest frame line read from the standard input. */
#define LINE_MAX_BYTES 4095u

static int parse_map(const char *text, void *out, char *err, size_t err_cap)
{
    const prepay_modbus_map_t *map = prepay_modbus_map_by_name(text);
    if (map == NULL) {
        snprintf(err, err_cap, "no map '%.32s' (ddsy1352, xintai-water; see 'prepay modbus maps')", text);
        return -1;
    }
    memcpy(out, &map, sizeof map);
    return 0;
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

/* ---- decode ----------------------------------------------------------------------- */

typedef struct decode_run {
    cli_t cli;
    bool json, request, response, has_start;
    const prepay_modbus_map_t *map;
    int start;
    prepay_modbus_direction_t direction;
} decode_run_t;

/* Register words of a 03/04 response (byte count + words); returns their count. */
static size_t response_words(const prepay_modbus_adu_t *adu, prepay_modbus_direction_t direction, uint16_t *words)
{
    bool has_words = !adu->is_exception &&
                     (adu->function == PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS ||
                      adu->function == PREPAY_MODBUS_FN_READ_INPUT_REGISTERS) &&
                     adu->length >= 1 && adu->data[0] == adu->length - 1u && (adu->data[0] & 1u) == 0 &&
                     direction != PREPAY_MODBUS_REQUEST;
    size_t count = has_words ? adu->data[0] / 2u : 0;
    for (size_t i = 0; i < count; i++) {
        words[i] = (uint16_t)(adu->data[1 + 2 * i] << 8 | adu->data[2 + 2 * i]);
    }
    return count;
}

static int decoded_json(const cli_t *cli, const prepay_modbus_adu_t *adu, uint16_t crc, const uint16_t *words,
                        size_t count, const prepay_modbus_value_t *values, int nvalues)
{
    char text[8];
    json_t *o = cli_result();
    cli_set(o, "unit", json_integer(adu->unit));
    cli_set(o, "function", json_integer(adu->function));
    cli_set(o, "function_name", json_string(function_name(adu->function)));
    cli_set(o, "exception", json_integer(adu->exception));
    if (adu->is_exception) {
        cli_set(o, "exception_name", json_string(exception_name(adu->exception)));
    }
    cli_set(o, "length", json_integer(adu->length));
    cli_set(o, "data", cli_json_hex(adu->data, adu->length));
    snprintf(text, sizeof text, "%04X", crc);
    cli_set(o, "crc", json_string(text));
    if (count > 0) {
        json_t *registers = json_array();
        for (size_t i = 0; i < count; i++) {
            json_array_append_new(registers, json_integer(words[i]));
        }
        cli_set(o, "registers", registers);
    }
    if (nvalues > 0) {
        json_t *list = json_array();
        for (int i = 0; i < nvalues; i++) {
            json_t *v = json_object();
            cli_set(v, "name", cli_json_text(values[i].reg->name));
            cli_set(v, "address", json_integer(values[i].reg->address));
            if (values[i].status == PREPAY_OK) {
                cli_set(v, "value", json_integer(values[i].value));
                cli_set(v, "unit", cli_json_text(prepay_modbus_unit_symbol(values[i].reg->unit)));
            } else {
                cli_set(v, "error", json_string(prepay_strerror(values[i].status)));
            }
            json_array_append_new(list, v);
        }
        cli_set(o, "values", list);
    }
    return cli_emit(cli, o);
}

static void decoded_text(const prepay_modbus_adu_t *adu, const uint8_t *bytes, int n, uint16_t crc,
                         const uint16_t *words, size_t count, const prepay_modbus_value_t *values, int nvalues)
{
    printf("Modbus RTU unit %u: %s (function %02X)%s\n", adu->unit, function_name(adu->function), adu->function,
           adu->is_exception ? ", exception" : "");
    if (adu->is_exception) {
        printf("  exception %02X (%s)\n", adu->exception, exception_name(adu->exception));
    }
    printf("  data      ");
    cli_print_hex(adu->data, adu->length, " ");
    printf("\n  crc       %04X (sent %02X %02X)\n", crc, bytes[n - 2], bytes[n - 1]);
    if (count > 0) {
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
}

static int decode_one(const char *text, void *context)
{
    const decode_run_t *run = context;
    uint8_t bytes[512];
    int n = cli_parse_hex_bytes(text, bytes, sizeof bytes);
    if (n < 0) {
        return cli_bad(&run->cli, "not a hex frame: '%.80s'", text);
    }
    prepay_modbus_adu_t adu;
    int rc = prepay_modbus_decode(bytes, (size_t)n, run->direction, &adu);
    if (rc != PREPAY_OK) {
        return cli_bad_status(&run->cli, rc, "bad frame '%.80s': %s", text, prepay_strerror(rc));
    }
    uint16_t words[126];
    size_t count = response_words(&adu, run->direction, words);
    prepay_modbus_value_t values[64];
    int nvalues = 0;
    if (count > 0 && run->map) {
        nvalues = prepay_modbus_map_decode(run->map, adu.function, (uint16_t)run->start, words, count, values, 64);
        if (nvalues < 0) {
            nvalues = 0; /* the block does not cover a whole register of the map: shown as words only */
        }
    }
    uint16_t crc = (uint16_t)(bytes[n - 2] | bytes[n - 1] << 8);
    if (run->json) {
        return decoded_json(&run->cli, &adu, crc, words, count, values, nvalues);
    }
    decoded_text(&adu, bytes, n, crc, words, count, values, nvalues);
    return 0;
}

static int decode_input_failed(const char *message, void *context)
{
    return cli_bad(&((const decode_run_t *)context)->cli, "%s", message);
}

static const cli_option_t decode_options[] = {
    {"request", CLI_OPT_FLAG(decode_run_t, request), .help = "the frames are requests (their PDU is checked)"},
    {"response", CLI_OPT_FLAG(decode_run_t, response), .help = "the frames are responses (their PDU is checked)"},
    {"map", CLI_OPT_CUSTOM(decode_run_t, map, parse_map), .arg = "NAME",
     .help = "decode 03/04 register values with this map (ddsy1352, xintai-water)"},
    {"start", CLI_OPT_INT(decode_run_t, start, 0, 0xFFFF), CLI_GIVEN(decode_run_t, has_start),
     .flags = CLI_NUMBER_PREFIX, .arg = "ADDR", .help = "with --map: the register address the block was read from"},
    {.name = NULL},
};

static const cli_spec_t decode_spec = {
    .program = "prepay modbus decode",
    .usage = "[--json] [--request|--response] [--map NAME --start ADDR] HEX... | -",
    .summary = "Decodes Modbus RTU frames (unit, PDU, CRC). Without --request / --response the PDU structure is\n"
               "not checked.\n" CLI_FRAMES_HELP,
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
    cli_args_t args;
    char err[CLI_MESSAGE_MAX];
    int parsed = cli_parse(&decode_spec, argc, argv, &run, &args, err, sizeof err);
    if (parsed == 0 && run.request && run.response) {
        parsed = CLI_EXIT_USAGE;
        snprintf(err, sizeof err, "--request and --response exclude each other");
    } else if (parsed == 0 && (run.map != NULL) != run.has_start) {
        parsed = CLI_EXIT_USAGE;
        snprintf(err, sizeof err, "--map and --start go together");
    }
    int rc = cli_begin(&run.cli, &decode_spec, &args, parsed, err);
    if (rc >= 0) {
        return rc;
    }
    run.json = args.json;
    run.direction = run.request ? PREPAY_MODBUS_REQUEST : run.response ? PREPAY_MODBUS_RESPONSE : PREPAY_MODBUS_ANY;
    return cli_each_input(args.args, args.count, LINE_MAX_BYTES, decode_one, decode_input_failed, &run);
}

/* ---- encode ------------------------------------------------------------------------ */

typedef modbus_encode_options_t encode_options_t;

/* Space- or comma-separated register values, decimal or 0x-hex, 1..123 of them. */
static int parse_values(const char *text, void *out, char *err, size_t err_cap)
{
    struct modbus_words *list = out;
    size_t count = 0;
    const char *p = text;
    while (*p) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, " ,");
        if (len == 0) {
            break;
        }
        char word[24];
        int64_t v = 0;
        snprintf(word, sizeof word, "%.*s", (int)(len < 23 ? len : 23), p);
        if (len > 23 || count == PREPAY_MODBUS_MAX_WRITE_REGISTERS ||
            cli_parse_int(word, 0, 0xFFFF, CLI_NUMBER_PREFIX, &v) != 0) {
            snprintf(err, err_cap, "needs 1..%d numbers 0..65535", PREPAY_MODBUS_MAX_WRITE_REGISTERS);
            return -1;
        }
        list->words[count++] = (uint16_t)v;
        p += len;
    }
    if (count == 0) {
        snprintf(err, err_cap, "needs 1..%d numbers 0..65535", PREPAY_MODBUS_MAX_WRITE_REGISTERS);
        return -1;
    }
    list->count = count;
    return 0;
}

enum { KIND_READ, KIND_WRITE_REGISTER, KIND_WRITE_REGISTERS, KIND_WRITE_COIL, KIND_WRITE_VALUE };
/* The frame kinds: the options each takes and needs. */
static const cli_form_t kinds[] = {
    [KIND_READ] = {"read", "unit function address count", "unit function address count"},
    [KIND_WRITE_REGISTER] = {"write-register", "unit address value", "unit address value"},
    [KIND_WRITE_REGISTERS] = {"write-registers", "unit address values", "unit address values"},
    [KIND_WRITE_COIL] = {"write-coil", "unit address on off", "unit address"},
    [KIND_WRITE_VALUE] = {"write-value", "unit map register value", "unit map register value"},
    {NULL, NULL, NULL},
};

static const cli_option_t encode_options[] = {
    {"unit", CLI_OPT_INT(encode_options_t, unit, 0, 247), .flags = CLI_NUMBER_PREFIX, .arg = "U",
     .help = "the unit (slave) address, 0..247 (0: broadcast)"},
    {"function", CLI_OPT_INT(encode_options_t, function, 1, 4), .help = "read: the function code 1, 2, 3 or 4"},
    {"address", CLI_OPT_INT(encode_options_t, address, 0, 0xFFFF), .flags = CLI_NUMBER_PREFIX, .arg = "A",
     .help = "the first register or coil address"},
    {"count", CLI_OPT_INT(encode_options_t, count, 1, 2000), .help = "read: how many registers or coils"},
    {"value", CLI_OPT_TEXT(encode_options_t, value), .arg = "V",
     .help = "write-register: 0..65535; write-value: a whole number in the register's unit"},
    {"values", CLI_OPT_CUSTOM(encode_options_t, values, parse_values), .arg = "'V1 V2 ...'",
     .help = "write-registers: 1..123 values 0..65535"},
    {"on", CLI_OPT_FLAG(encode_options_t, on), .help = "write-coil: on"},
    {"off", CLI_OPT_FLAG(encode_options_t, off), .help = "write-coil: off"},
    {"map", CLI_OPT_CUSTOM(encode_options_t, map, parse_map), .arg = "NAME",
     .help = "write-value: the register map (ddsy1352, xintai-water)"},
    {"register", CLI_OPT_TEXT(encode_options_t, reg), .arg = "NAME",
     .help = "write-value: the register's name (see 'prepay modbus maps')"},
    {.name = NULL},
};

static const cli_spec_t encode_spec = {
    .program = "prepay modbus encode",
    .usage = "read --unit U --function 1|2|3|4 --address A --count N [--json]\n"
             "write-register --unit U --address A --value V [--json]\n"
             "write-registers --unit U --address A --values 'V1 V2 ...' [--json]\n"
             "write-coil --unit U --address A --on|--off [--json]\n"
             "write-value --unit U --map NAME --register NAME --value DECIMAL [--json]",
    .summary = "Builds a Modbus RTU request frame (CRC included) and prints it as uppercase hex. Numbers are\n"
               "decimal or 0x-prefixed hex. write-value writes a value in the register's unit (e.g. litres)\n"
               "with 06 for one register, 10H for two.",
    .options = encode_options,
    .args = "KIND",
    .min_args = 1,
    .max_args = 1,
    .json = true,
};

/* argv[0] is "encode"; the first argument is the frame kind. */
int prepay_modbus_encode_options_parse(int argc, char **argv, encode_options_t *o, cli_args_t *args, char *err,
                                       size_t err_cap)
{
    memset(o, 0, sizeof *o);
    int rc = cli_parse(&encode_spec, argc, argv, o, args, err, err_cap);
    if (rc != 0 || args->help || args->version) {
        return rc;
    }
    o->json = args->json;
    o->kind = cli_pick_form(&encode_spec, args, kinds, "", "frame kind", "encode", err, err_cap);
    if (o->kind < 0) {
        return CLI_EXIT_USAGE;
    }
    if (o->kind == KIND_WRITE_COIL && o->on == o->off) {
        snprintf(err, err_cap, "encode write-coil needs --on or --off");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* The request of the options, built into adu; returns a status, or the exit status through *exit_code. */
static int build_request(const cli_t *cli, const encode_options_t *o, prepay_modbus_adu_t *adu, int *exit_code)
{
    *exit_code = CLI_EXIT_OK;
    uint8_t unit = (uint8_t)o->unit;
    uint16_t address = (uint16_t)o->address;
    int64_t v = 0;
    switch (o->kind) {
    case KIND_READ: return prepay_modbus_request_read(adu, unit, (uint8_t)o->function, address, (uint16_t)o->count);
    case KIND_WRITE_REGISTER:
        if (cli_parse_int(o->value, 0, 0xFFFF, CLI_NUMBER_PREFIX, &v) != 0) {
            *exit_code = cli_bad(cli, "encode write-register: --value takes 0..65535, not '%.32s'", o->value);
            return PREPAY_E_INVALID_ARGUMENT;
        }
        return prepay_modbus_request_write_register(adu, unit, address, (uint16_t)v);
    case KIND_WRITE_REGISTERS:
        return prepay_modbus_request_write_registers(adu, unit, address, o->values.words, o->values.count);
    case KIND_WRITE_COIL: return prepay_modbus_request_write_coil(adu, unit, address, o->on);
    default: break;
    }
    const prepay_modbus_register_t *reg = prepay_modbus_map_find(o->map, o->reg);
    if (reg == NULL) {
        *exit_code = cli_bad(cli, "map %s has no register '%.32s' (see 'prepay modbus maps')", o->map->name, o->reg);
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!reg->writable) {
        *exit_code = cli_bad(cli, "register %s is read-only", reg->name);
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (cli_parse_decimal(o->value, 0, INT64_MIN, INT64_MAX, &v) != 0) {
        *exit_code = cli_bad(cli, "encode write-value: --value takes a whole number in %s, not '%.32s'",
                             prepay_modbus_unit_symbol(reg->unit), o->value);
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint16_t words[2];
    int n = prepay_modbus_value_encode(reg, v, words, 2);
    if (n < 0) {
        *exit_code = cli_bad_status(cli, n, "cannot write %lld to %s: %s", (long long)v, reg->name, prepay_strerror(n));
        return n;
    }
    return n == 1 ? prepay_modbus_request_write_register(adu, unit, reg->address, words[0])
                  : prepay_modbus_request_write_registers(adu, unit, reg->address, words, 2);
}

static int cmd_encode(int argc, char **argv)
{
    cli_t cli;
    cli_args_t args;
    encode_options_t o;
    char err[CLI_MESSAGE_MAX];
    int rc = cli_begin(&cli, &encode_spec, &args,
                       prepay_modbus_encode_options_parse(argc, argv, &o, &args, err, sizeof err), err);
    if (rc >= 0) {
        return rc;
    }
    prepay_modbus_adu_t adu;
    int status = build_request(&cli, &o, &adu, &rc);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (status != PREPAY_OK) {
        return cli_bad_status(&cli, status, "cannot build the frame: %s", prepay_strerror(status));
    }
    uint8_t out[PREPAY_MODBUS_ADU_MAX];
    int n = prepay_modbus_encode(&adu, out, sizeof out);
    return n < 0 ? cli_fail(&cli, n, "cannot encode the frame: %s", prepay_strerror(n))
                 : cli_emit_frame(&cli, out, (size_t)n);
}

/* ---- maps ---------------------------------------------------------------------------- */

static const cli_spec_t maps_spec = {
    .program = "prepay modbus maps",
    .usage = "[--json]",
    .summary = "Lists the shipped register maps: ddsy1352 (Acrel DDSY1352 electricity meter), xintai-water\n"
               "(Kaifeng Xintai valve water meter).",
    .json = true,
    .notes = "With --json: one JSON object per register, one per line.",
};

static int cmd_maps(int argc, char **argv)
{
    cli_t cli;
    cli_args_t args;
    int rc = cli_start(&cli, &maps_spec, argc, argv, NULL, &args);
    if (rc >= 0) {
        return rc;
    }
    rc = CLI_EXIT_OK;
    for (size_t m = 0; prepay_modbus_map_builtin(m) && rc == CLI_EXIT_OK; m++) {
        const prepay_modbus_map_t *map = prepay_modbus_map_builtin(m);
        if (!args.json) {
            printf("%s: %s\n", map->name, map->source);
        }
        for (size_t i = 0; i < map->count && rc == CLI_EXIT_OK; i++) {
            const prepay_modbus_register_t *r = &map->registers[i];
            if (args.json) {
                json_t *o = cli_result();
                cli_set(o, "map", cli_json_text(map->name));
                cli_set(o, "name", cli_json_text(r->name));
                cli_set(o, "address", json_integer(r->address));
                cli_set(o, "function", json_integer(r->function));
                cli_set(o, "type", json_string(type_name(r->type)));
                cli_set(o, "order", json_string(order_name(r->order)));
                cli_set(o, "exponent", json_integer(r->exponent));
                cli_set(o, "unit", cli_json_text(prepay_modbus_unit_symbol(r->unit)));
                cli_set(o, "rule", json_string(rule_name(r->rule)));
                cli_set(o, "writable", json_boolean(r->writable));
                rc = cli_emit(&cli, o);
            } else {
                printf("  %04XH %-18s %-7s %s 10^%-3d %-8s %-7s %s\n", r->address, r->name, type_name(r->type),
                       order_name(r->order), r->exponent, prepay_modbus_unit_symbol(r->unit), rule_name(r->rule),
                       r->writable ? "R/W" : "R");
            }
        }
    }
    return rc;
}

static const cli_command_t modbus_commands[] = {
    {"decode", cmd_decode, "decode RTU frames given in hex"},
    {"encode", cmd_encode, "build a request frame"},
    {"maps", cmd_maps, "list the shipped register maps"},
};

int prepay_tool_modbus(int argc, char **argv)
{
    return cli_dispatch("prepay modbus", modbus_commands, sizeof modbus_commands / sizeof modbus_commands[0], argc,
                        argv);
}
