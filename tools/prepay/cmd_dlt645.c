/* SPDX-License-Identifier: MIT */
/*
 * prepay dlt645: decode DL/T 645 frames into fields and typed values, build
 * request frames, list the data-identifier catalogue (hosted).
 *
 *   prepay dlt645 decode [--json] HEX...      one frame per argument ('-': stdin, one per line)
 *   prepay dlt645 encode read    --address A --di DI [--preamble N] [--json]
 *   prepay dlt645 encode write   --address A --di DI --value V [--level L] [--password P] [--operator C]
 *   prepay dlt645 encode relay   --address A --n1 CMD --until 'YYYY-MM-DD hh:mm:ss' [credentials]
 *   prepay dlt645 encode time    --time 'YYYY-MM-DD hh:mm:ss'            (broadcast time sync)
 *   prepay dlt645 encode address [--new A [--address TARGET]]            (read / write address)
 *   prepay dlt645 catalogue [--json]                                     (list the DI catalogue)
 *
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
#include "prepay/civil_time.h"
#include "prepay/dlt645.h"
#include "prepay/dlt645_data.h"
#include "prepay/status.h"

#define MAX_ITEMS 128
/* Longest frame line read from the standard input. */
#define LINE_MAX_BYTES 8191u

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

static const char *relay_command_name(uint8_t code);

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
        cli_time_text(t, PREPAY_TIME_TEXT_SECOND, shown[0].value);
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
            snprintf(shown[1].value, sizeof shown[1].value, "none"); /* all-zero field: no time given */
        } else {
            cli_time_text(relay.valid_until, PREPAY_TIME_TEXT_SECOND, shown[1].value);
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
    cli_print_hex(f->data, f->length, " ");
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

static int print_frame_json(const cli_t *cli, const prepay_dlt645_frame_t *f, const char *address,
                            const shown_value_t *values, size_t count, int problem)
{
    char di[16];
    json_t *o = cli_result();
    cli_set(o, "address", cli_json_text(address));
    cli_set(o, "edition", json_integer(f->edition));
    cli_set(o, "preamble", json_integer(f->preamble));
    cli_set(o, "control", json_integer(f->control));
    cli_set(o, "function", json_integer(f->function));
    cli_set(o, "function_name", json_string(function_name(f->edition, f->function)));
    cli_set(o, "direction", json_string(f->is_reply ? "reply" : "request"));
    cli_set(o, "abnormal", json_boolean(f->abnormal));
    cli_set(o, "follow_up", json_boolean(f->follow_up));
    cli_set(o, "length", json_integer(f->length));
    cli_set(o, "data", cli_json_hex(f->data, f->length));
    if (f->di_size == 4 || f->di_size == 2) {
        snprintf(di, sizeof di, "%0*X", f->di_size == 4 ? 8 : 4, (unsigned)f->di);
        cli_set(o, "di", json_string(di));
    }
    if (f->has_error) {
        cli_set(o, "error", json_integer(f->error));
        cli_set(o, "error_text", json_string(error_text(f->error)));
    }
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++) {
        const shown_value_t *v = &values[i];
        json_t *item = json_object();
        if (v->has_di) {
            snprintf(di, sizeof di, "%0*X", v->di_digits, (unsigned)v->di);
            cli_set(item, "di", json_string(di));
        }
        cli_set(item, "name", cli_json_text(v->name));
        cli_set(item, "value", cli_json_text(v->value));
        cli_set(item, "unit", cli_json_text(v->unit));
        cli_set(item, "kind", json_string(v->kind));
        json_array_append_new(list, item);
    }
    cli_set(o, "values", list);
    if (problem != PREPAY_OK) {
        cli_set(o, "value_error", json_string(prepay_strerror(problem)));
    }
    return cli_emit(cli, o);
}

typedef struct decode_run {
    cli_t cli;
    bool json;
} decode_run_t;

/* Decodes and prints one frame given as hex text; returns 0 or the exit status of its error. */
static int decode_one(const char *text, void *context)
{
    const decode_run_t *run = context;
    const cli_t *cli = &run->cli;
    static uint8_t bytes[4096];
    int n = cli_parse_hex_bytes(text, bytes, sizeof bytes);
    if (n < 0) {
        return cli_bad(cli, "not a hex frame: '%.80s'", text);
    }
    if (n == 0) {
        return cli_bad(cli, "empty frame");
    }
    static prepay_dlt645_frame_t frame;
    int used = prepay_dlt645_decode(bytes, (size_t)n, &frame);
    if (used < 0) {
        return cli_bad_status(cli, used, "bad frame '%.80s': %s", text, prepay_strerror(used));
    }
    if (used != n) {
        return cli_bad_status(cli, PREPAY_E_DLT645_BAD_LENGTH, "bad frame '%.80s': %d bytes after the end byte 16",
                              text, n - used);
    }
    char address[16];
    if (prepay_dlt645_address_to_string(&frame.address, address, sizeof address) < 0) {
        snprintf(address, sizeof address, "?");
    }
    static shown_value_t values[MAX_ITEMS];
    int problem;
    size_t count = frame_values(&frame, values, MAX_ITEMS, &problem);
    if (run->json) {
        return print_frame_json(cli, &frame, address, values, count, problem);
    }
    print_frame_text(&frame, address, values, count, problem);
    return 0;
}

static int decode_input_failed(const char *message, void *context)
{
    return cli_bad(&((const decode_run_t *)context)->cli, "%s", message);
}

static const cli_spec_t decode_spec = {
    .program = "prepay dlt645 decode",
    .usage = "[--json] HEX... | -",
    .summary = "Decodes DL/T 645-2007 (and -1997) frames: header, data identifier, typed values.\n"
               CLI_FRAMES_HELP,
    .args = "HEX",
    .min_args = 1,
    .max_args = CLI_ARGS_MAX,
    .json = true,
    .notes = CLI_FRAMES_JSON_NOTES,
};

static int cmd_decode(int argc, char **argv)
{
    decode_run_t run;
    cli_args_t args;
    int rc = cli_start(&run.cli, &decode_spec, argc, argv, NULL, &args);
    if (rc >= 0) {
        return rc;
    }
    run.json = args.json;
    return cli_each_input(args.args, args.count, LINE_MAX_BYTES, decode_one, decode_input_failed, &run);
}

/* ---- encode ------------------------------------------------------------------------ */

/* A hex field of n bytes, most significant first, into wire order (least significant first). */
static int wire_field(const char *text, size_t n, uint8_t *out, char *err, size_t err_cap)
{
    uint64_t v;
    if (cli_parse_hex_digits(text, 2 * n, &v) != 0) {
        snprintf(err, err_cap, "'%.32s' is not %zu hex digits", text, 2 * n);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (uint8_t)(v >> (8 * i));
    }
    return 0;
}

static int parse_level(const char *text, void *out, char *err, size_t err_cap)
{
    return wire_field(text, 1, out, err, err_cap);
}

static int parse_password(const char *text, void *out, char *err, size_t err_cap)
{
    return wire_field(text, 3, out, err, err_cap);
}

static int parse_operator(const char *text, void *out, char *err, size_t err_cap)
{
    return wire_field(text, 4, out, err, err_cap);
}

static int parse_di(const char *text, void *out, char *err, size_t err_cap)
{
    uint64_t v;
    if (cli_parse_hex_digits(text, 8, &v) != 0) {
        snprintf(err, err_cap, "bad DI '%.32s' (8 hex digits DI3..DI0, e.g. 0001FF00)", text);
        return -1;
    }
    uint32_t di = (uint32_t)v;
    memcpy(out, &di, sizeof di);
    return 0;
}

static int parse_address(const char *text, void *out, char *err, size_t err_cap)
{
    if (prepay_dlt645_address_from_string(text, strlen(text), out) != PREPAY_OK) {
        snprintf(err, err_cap, "bad address '%.32s' (12 digits, most significant first; AA for wildcards)", text);
        return -1;
    }
    return 0;
}

enum { KIND_READ, KIND_WRITE, KIND_RELAY, KIND_TIME, KIND_ADDRESS };
/* The frame kinds: the options each takes (besides --preamble) and needs. */
static const cli_form_t kinds[] = {
    [KIND_READ] = {"read", "address di", "address di"},
    [KIND_WRITE] = {"write", "address di value level password operator", "address di value"},
    [KIND_RELAY] = {"relay", "address n1 until level password operator", "address n1 until"},
    [KIND_TIME] = {"time", "time", "time"},
    [KIND_ADDRESS] = {"address", "address new", ""},
    {NULL, NULL, NULL},
};

static const char *const relay_names[] = {"trip",          "close-allowed", "close",
                                          "alarm",         "alarm-release", "keep-power",
                                          "keep-power-release", NULL};
static const int relay_codes[] = {PREPAY_DLT645_RELAY_TRIP,          PREPAY_DLT645_RELAY_CLOSE_ALLOWED,
                                  PREPAY_DLT645_RELAY_DIRECT_CLOSE,  PREPAY_DLT645_RELAY_ALARM,
                                  PREPAY_DLT645_RELAY_ALARM_RELEASE, PREPAY_DLT645_RELAY_KEEP_POWER,
                                  PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE};

static const char *relay_command_name(uint8_t code)
{
    for (size_t i = 0; relay_names[i] != NULL; i++) {
        if (relay_codes[i] == code) {
            return relay_names[i];
        }
    }
    return "unknown";
}

typedef dlt645_encode_options_t encode_options_t;

static const cli_option_t encode_options[] = {
    {"address", CLI_OPT_CUSTOM(encode_options_t, address, parse_address), CLI_GIVEN(encode_options_t, has_address),
     .arg = "ADDR", .help = "the meter: 12 digits, most significant first (AA bytes allowed for reads)"},
    {"di", CLI_OPT_CUSTOM(encode_options_t, di, parse_di), CLI_GIVEN(encode_options_t, has_di), .arg = "DI",
     .help = "data identifier, 8 hex digits DI3..DI0, e.g. 0001FF00"},
    {"value", CLI_OPT_TEXT(encode_options_t, value), .arg = "V",
     .help = "write: the value as text (0.5200, 2016-01-11, 21:53:55, '01-01:1 06-01:2', hex bytes)"},
    {"level", CLI_OPT_CUSTOM(encode_options_t, credentials.level, parse_level), .arg = "PA",
     .help = "password level, 2 hex digits (default 02)"},
    {"password", CLI_OPT_CUSTOM(encode_options_t, credentials.password, parse_password), .arg = "P",
     .help = "password, 6 hex digits, most significant first (default 000000)"},
    {"operator", CLI_OPT_CUSTOM(encode_options_t, credentials.operator_code, parse_operator), .arg = "C",
     .help = "operator code, 8 hex digits, most significant first (default 00000000)"},
    {"n1", CLI_OPT_CHOICE(encode_options_t, n1, relay_names), .values = relay_codes, CLI_GIVEN(encode_options_t, has_n1),
     .arg = "CMD", .help = "relay command: trip, close-allowed, close, alarm, alarm-release, keep-power(-release)"},
    {"until", CLI_OPT_TIME(encode_options_t, until), CLI_GIVEN(encode_options_t, has_until), .arg = "TIME",
     .help = "relay: valid until 'YYYY-MM-DD hh:mm:ss' (local)"},
    {"time", CLI_OPT_TIME(encode_options_t, time), CLI_GIVEN(encode_options_t, has_time), .arg = "TIME",
     .help = "time: the broadcast time 'YYYY-MM-DD hh:mm:ss' (local)"},
    {"new", CLI_OPT_CUSTOM(encode_options_t, new_address, parse_address), CLI_GIVEN(encode_options_t, has_new),
     .arg = "ADDR", .help = "address: the new address to write (else the address is read)"},
    {"preamble", CLI_OPT_INT(encode_options_t, preamble, 0, 4), .help = "FE wake-up bytes before the frame (default 0)"},
    {.name = NULL},
};

static const cli_spec_t encode_spec = {
    .program = "prepay dlt645 encode",
    .usage = "read    --address ADDR --di DI [--preamble N] [--json]\n"
             "write   --address ADDR --di DI --value V [--level PA] [--password P] [--operator C] [--json]\n"
             "relay   --address ADDR --n1 CMD --until TIME [--level PA] [--password P] [--operator C] [--json]\n"
             "time    --time TIME [--preamble N] [--json]\n"
             "address [--new ADDR [--address TARGET]] [--preamble N] [--json]",
    .summary = "Builds a DL/T 645-2007 request frame and prints it as uppercase hex.",
    .options = encode_options,
    .args = "KIND",
    .min_args = 1,
    .max_args = 1,
    .json = true,
};

/* argv[0] is "encode"; the first argument is the frame kind. */
int prepay_dlt645_encode_options_parse(int argc, char **argv, encode_options_t *o, cli_args_t *args, char *err,
                                       size_t err_cap)
{
    memset(o, 0, sizeof *o);
    o->credentials.level = PREPAY_DLT645_PASSWORD_LEVEL_2;
    int rc = cli_parse(&encode_spec, argc, argv, o, args, err, err_cap);
    if (rc != 0 || args->help || args->version) {
        return rc;
    }
    o->json = args->json;
    o->kind = cli_pick_form(&encode_spec, args, kinds, "preamble", "frame kind", "encode", err, err_cap);
    if (o->kind < 0) {
        return CLI_EXIT_USAGE;
    }
    if (o->kind == KIND_ADDRESS && o->has_address && !o->has_new) {
        snprintf(err, err_cap, "encode address needs --new with --address (the meter whose address is written)");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* Builds the request of the options into frame; returns a status. */
static int build_request(const cli_t *cli, const encode_options_t *o, prepay_dlt645_frame_t *frame, int *exit_code)
{
    *exit_code = CLI_EXIT_OK;
    switch (o->kind) {
    case KIND_READ: return prepay_dlt645_request_read(frame, &o->address, o->di);
    case KIND_WRITE: {
        prepay_dlt645_value_t value;
        int status = prepay_dlt645_value_parse(o->di, o->value, strlen(o->value), &value);
        if (status != PREPAY_OK) {
            *exit_code = cli_bad_status(cli, status, "bad value '%.64s' for DI %08X: %s", o->value, (unsigned)o->di,
                                        prepay_strerror(status));
            return status;
        }
        uint8_t bytes[255];
        int n = prepay_dlt645_value_encode(&value, bytes, sizeof bytes);
        return n < 0 ? n : prepay_dlt645_request_write(frame, &o->address, o->di, &o->credentials, bytes, (size_t)n);
    }
    case KIND_RELAY:
        return prepay_dlt645_request_relay_control(frame, &o->address, &o->credentials, (uint8_t)o->n1, o->until);
    case KIND_TIME: return prepay_dlt645_request_broadcast_time(frame, o->time);
    default:
        if (o->has_new) {
            prepay_dlt645_address_t target = o->has_address ? o->address : prepay_dlt645_address_wildcard();
            return prepay_dlt645_request_write_address(frame, &target, &o->new_address);
        }
        return prepay_dlt645_request_read_address(frame);
    }
}

static int cmd_encode(int argc, char **argv)
{
    cli_t cli;
    cli_args_t args;
    encode_options_t o;
    char err[CLI_MESSAGE_MAX];
    int rc = cli_begin(&cli, &encode_spec, &args,
                       prepay_dlt645_encode_options_parse(argc, argv, &o, &args, err, sizeof err), err);
    if (rc >= 0) {
        return rc;
    }
    static prepay_dlt645_frame_t frame;
    int status = build_request(&cli, &o, &frame, &rc);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (status != PREPAY_OK) {
        return cli_bad_status(&cli, status, "cannot build the frame: %s", prepay_strerror(status));
    }
    frame.preamble = (uint8_t)o.preamble;
    uint8_t out[PREPAY_DLT645_FRAME_MAX];
    int n = prepay_dlt645_encode(&frame, out, sizeof out);
    return n < 0 ? cli_fail(&cli, n, "cannot encode the frame: %s", prepay_strerror(n))
                 : cli_emit_frame(&cli, out, (size_t)n);
}

/* ---- catalogue ------------------------------------------------------------------------ */

static const char *format_name(unsigned format)
{
    static const char *const names[] = {"bcd",   "bcd_signed", "YYMMDDWW",  "hhmmss", "YYMMDDhhmm", "YYMMDDhhmmss",
                                        "digits", "zone_table", "day_table", "ascii",  "bytes",      "demand"};
    return format < sizeof names / sizeof names[0] ? names[format] : "unknown";
}

/* The fields of a composite item (a record: time + value, ...), as a JSON array. */
static json_t *catalogue_fields(const prepay_dlt645_item_t *item)
{
    json_t *list = json_array();
    for (unsigned f = 0; f < item->field_count; f++) {
        const prepay_dlt645_field_t *field = &item->fields[f];
        json_t *o = json_object();
        cli_set(o, "name", cli_json_text(field->name));
        cli_set(o, "format", json_string(format_name(field->format)));
        cli_set(o, "length", json_integer(field->length));
        cli_set(o, "decimals", json_integer(field->decimals));
        cli_set(o, "unit", cli_json_text(prepay_dlt645_unit_symbol(field->unit)));
        json_array_append_new(list, o);
    }
    return list;
}

static const cli_spec_t catalogue_spec = {
    .program = "prepay dlt645 catalogue",
    .usage = "[--json]",
    .summary = "Lists the data identifiers the library decodes: DI range, format, length, decimals, unit, name.",
    .json = true,
    .notes = "With --json: one JSON object per row, one per line; then the DL/T 645-1997 rows (2-byte DIs,\n"
             "\"edition\":1997).",
};

static int cmd_catalogue(int argc, char **argv)
{
    cli_t cli;
    cli_args_t args;
    int rc = cli_start(&cli, &catalogue_spec, argc, argv, NULL, &args);
    if (rc >= 0) {
        return rc;
    }
    size_t n = prepay_dlt645_catalogue_size();
    for (size_t i = 0; i < n && rc <= 0; i++) {
        prepay_dlt645_item_t item;
        int status = prepay_dlt645_catalogue_row(i, &item);
        if (status != PREPAY_OK) {
            return cli_fail(&cli, status, "catalogue row %zu: %s", i, prepay_strerror(status));
        }
        char low[12], high[12];
        snprintf(low, sizeof low, "%08X", (unsigned)item.di_low);
        snprintf(high, sizeof high, "%08X", (unsigned)item.di_high);
        if (args.json) {
            json_t *o = cli_result();
            cli_set(o, "di_low", json_string(low));
            cli_set(o, "di_high", json_string(high));
            cli_set(o, "name", cli_json_text(item.name));
            cli_set(o, "format", json_string(format_name(item.format)));
            cli_set(o, "length", json_integer(item.length));
            cli_set(o, "decimals", json_integer(item.decimals));
            cli_set(o, "unit", cli_json_text(prepay_dlt645_unit_symbol(item.unit)));
            cli_set(o, "fields", json_integer(item.field_count));
            cli_set(o, "qualifier", json_integer(item.qualifier));
            cli_set(o, "label", cli_json_text(item.label ? item.label : ""));
            if (item.field_count > 0 && item.fields) {
                cli_set(o, "field_list", catalogue_fields(&item));
            }
            cli_set(o, "source", cli_json_text(item.source));
            rc = cli_emit(&cli, o) != 0 ? CLI_EXIT_FAILED : -1;
        } else if (item.di_low == item.di_high) {
            printf("%s           %-12s %3u %u %-8s %s\n", low, format_name(item.format), item.length, item.decimals,
                   prepay_dlt645_unit_symbol(item.unit), item.name);
        } else {
            printf("%s-%s  %-12s %3u %u %-8s %s\n", low, high, format_name(item.format), item.length,
                   item.decimals, prepay_dlt645_unit_symbol(item.unit), item.name);
        }
    }
    /* The DL/T 645-1997 table (2-byte DIs), in the JSON listing only. */
    for (uint32_t di = 0; args.json && rc <= 0 && di <= 0xFFFFu; di++) {
        prepay_dlt645_item_t item;
        if (prepay_dlt645_catalogue_find_1997((uint16_t)di, &item) != PREPAY_OK) {
            continue;
        }
        char text[8];
        snprintf(text, sizeof text, "%04X", (unsigned)di);
        json_t *o = cli_result();
        cli_set(o, "edition", json_integer(1997));
        cli_set(o, "di_low", json_string(text));
        cli_set(o, "di_high", json_string(text));
        cli_set(o, "name", cli_json_text(item.name));
        cli_set(o, "format", json_string(format_name(item.format)));
        cli_set(o, "length", json_integer(item.length));
        cli_set(o, "decimals", json_integer(item.decimals));
        cli_set(o, "unit", cli_json_text(prepay_dlt645_unit_symbol(item.unit)));
        cli_set(o, "fields", json_integer(item.field_count));
        cli_set(o, "qualifier", json_integer(0));
        cli_set(o, "label", json_string(""));
        cli_set(o, "source", cli_json_text(item.source));
        rc = cli_emit(&cli, o) != 0 ? CLI_EXIT_FAILED : -1;
    }
    return rc > 0 ? rc : CLI_EXIT_OK;
}

static const cli_command_t dlt645_commands[] = {
    {"decode", cmd_decode, "decode frames given in hex"},
    {"encode", cmd_encode, "build a request frame"},
    {"catalogue", cmd_catalogue, "list the data-identifier catalogue"},
};

int prepay_tool_dlt645(int argc, char **argv)
{
    return cli_dispatch("prepay dlt645", dlt645_commands, sizeof dlt645_commands / sizeof dlt645_commands[0], argc,
                        argv);
}
