/* SPDX-License-Identifier: MIT */
/*
 * prepay meter: talking to real meters (hosted). Shared by the files of the
 * command, which keep parsing, running and printing apart, on the tools
 * layer (tools/common, docs/cli.md):
 *   meter_options.c      parse: command line -> meter_options_t (no I/O), the option tables
 *   meter_connect.c      run:   open the bus (serial, TCP, dial-in DTU), one exchange
 *   meter_ops.c          run:   one operation on one meter as a step machine
 *   meter_tariff_ops.c   run:   push-tariff and verify-tariff step machines
 *   meter_output.c       print: results as text or JSON
 *   cmd_meter.c          the entry point: one meter, discover
 *   cmd_meter_batch.c    batch over a site file (water meters: one meter_water_batch_meter() after another)
 *   meter_water_options.c, meter_water_ops.c   --protocol cjt188|modbus: the same subcommands on a water
 *                        meter, one blocking exchange at a time (water_link.c, shared with water-read)
 * Operations are step machines (meter_op_step()) so that one loop can run
 * them on many buses at once (batch over many DTUs) as well as one after
 * another on one bus.
 */
#ifndef PREPAY_TOOL_METER_CLI_H
#define PREPAY_TOOL_METER_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "prepay/cjt188.h"
#include "prepay/dlt645.h"
#include "prepay/dlt645_data.h"
#include "prepay/dlt645_tariff.h"
#include "prepay/station.h"
#include "prepay/tariff_json.h"
#include "prepay/transport.h"

#define METER_EXIT_FIELD 1 /* the meter or the link failed */
#define METER_EXIT_USAGE 2 /* bad command line or input file */
#define METER_MAX_DIS 64
#define METER_TEXT_MAX 320
#define METER_DATA_MAX 1024 /* joined read data (follow-up frames included) */

/* ---- parsed command line ----------------------------------------------------- */

typedef enum meter_link_kind { LINK_NONE = 0, LINK_SERIAL, LINK_TCP, LINK_LISTEN } meter_link_kind_t;

/* --protocol: DL/T 645 electricity meters (the default), CJ/T 188 or Modbus RTU water meters. */
typedef enum meter_protocol { METER_DLT645 = 0, METER_CJT188, METER_MODBUS } meter_protocol_t;

typedef enum meter_command {
    CMD_NONE = 0,
    CMD_READ,
    CMD_READ_ADDRESS,
    CMD_DISCOVER,
    CMD_TIME_SYNC,
    CMD_RELAY,
    CMD_RECHARGE,
    CMD_WRITE,
    CMD_FREEZE,
    CMD_EVENTS,
    CMD_PUSH_TARIFF,
    CMD_VERIFY_TARIFF,
    CMD_BATCH
} meter_command_t;

/* One item to read: a 2007 DI (8 hex digits or a name) or a 1997 DI (4 hex digits). */
typedef struct meter_di {
    uint32_t di;
    bool is_1997;
} meter_di_t;

/* Option values the parser keeps as text (pointers into argv), checked by meter_options_parse(). */
typedef struct meter_option_texts {
    const char *serial, *tcp, *listen, *dtu, *dtu_format, *heartbeat, *address, *password, *level, *operator_code,
        *valid_until, *at, *results, *records, *map, *meter_type;
} meter_option_texts_t;

typedef struct meter_options {
    meter_option_texts_t raw;
    bool addressed_flag, broadcast_flag, progress_flag, no_progress_flag; /* as given */
    /* the bus */
    meter_link_kind_t link;
    char device[PREPAY_TRANSPORT_NAME_MAX];
    prepay_serial_settings_t serial;
    char host[PREPAY_TRANSPORT_NAME_MAX];
    uint16_t port;
    char listen_host[64];
    char dtu[PREPAY_DTU_ID_TEXT_MAX]; /* --dtu: the DTU to use (single-meter commands) */
    prepay_dtu_format_t dtu_format;
    prepay_dtu_format_t heartbeat;
    bool has_heartbeat;
    uint32_t connect_timeout_ms;
    /* the protocol; water meters (meter_water_options.c) */
    int protocol;                /* meter_protocol_t */
    int unit;                    /* --unit: Modbus unit 1..247 */
    bool has_unit;
    const struct prepay_modbus_map *map; /* --map, default xintai-water */
    bool has_water_address;
    prepay_cjt188_address_t water_address; /* --address with --protocol cjt188 (14 digits) */
    uint8_t meter_type;          /* --meter-type: the CJ/T 188 type T of requests (default 10H, cold water) */
    bool count_bcd;              /* --count-bcd: the meter counts CJ/T 188 purchase serials in BCD 00..99 */
    prepay_cjt188_address_t scan[METER_MAX_DIS]; /* discover ADDR...: the CJ/T 188 addresses to probe */
    size_t scan_count;
    bool valve_open;             /* relay open|close on a water meter */
    /* the meter and the session */
    bool has_address;
    prepay_dlt645_address_t address;
    prepay_dlt645_credentials_t credentials;
    prepay_station_config_t station;
    bool json;
    const char *program; /* "prepay meter read": the prefix of messages */
    /* the command */
    meter_command_t command;
    meter_di_t dis[METER_MAX_DIS];
    size_t di_count;
    bool broadcast;              /* time-sync, freeze */
    bool has_time;
    prepay_time_t time;          /* time-sync --time, relay --valid-until, push-tariff --at */
    bool no_time;                /* relay --valid-until none */
    uint8_t relay_command;
    prepay_money_t amount;       /* recharge */
    bool has_count;
    uint32_t count;              /* recharge --count */
    uint32_t write_di;
    char write_value[256];
    uint8_t freeze[4];           /* mm hh DD MM, 99 = any */
    char tariff_path[512];
    int tariff_set;              /* which set of the file: 0 (A) or 1 (B) */
    int meter_set;               /* verify-tariff --set: 0 = the one in force after the switch-over, 1 or 2 */
    /* batch */
    char site_path[512];
    char results_path[512];
    bool has_start;
    prepay_time_t start_at;      /* batch --at (local wall time) */
    unsigned rounds;
    bool progress;
    bool progress_set;
    bool verbose;                /* --verbose: DTU server events on stderr */
    bool events_all;             /* events --all: every channel, not only the active-report word's */
    bool events_acknowledge;     /* events --acknowledge: write 04001503 for the channels read */
} meter_options_t;

struct cli_spec;
struct cli_args;
/* The command line of one subcommand (its --help). NULL for CMD_NONE. */
const struct cli_spec *meter_spec(meter_command_t command);
/* The subcommand of a name ("push-tariff"), or CMD_NONE. */
meter_command_t meter_command_named(const char *name);
/* Input stage of `prepay meter COMMAND` (argv[0] = the subcommand's name):
 * the line parsed by the tools' option parser and checked. Returns 0 (with
 * args->help / args->version possibly set), or METER_EXIT_USAGE with one
 * line in err. Opens no file and no device. */
int meter_options_parse(meter_command_t command, int argc, char **argv, meter_options_t *o, struct cli_args *args,
                        char *err, size_t err_cap);
/* The index in argv of the subcommand's name: the first argument that is not an option or an option's value
 * (options may come before it: `prepay meter --tcp HOST:PORT read energy`); -1 if none. */
int meter_find_command(int argc, char **argv);

/* ---- results --------------------------------------------------------------- */

/* How an operation on one meter ended (the batch summary counts these). */
typedef enum meter_outcome {
    OUT_PENDING = 0,  /* not tried, or cut short */
    OUT_OK,           /* done */
    OUT_ABNORMAL,     /* the meter refused (abnormal reply) */
    OUT_TIMEOUT,      /* no reply after every retry */
    OUT_MALFORMED,    /* a malformed reply */
    OUT_LINK,         /* the bus or the DTU was lost */
    OUT_DIFFERENT,    /* verify-tariff: the meter's tables differ */
    OUT_FAILED        /* anything else (a reply that does not decode, a refused plan) */
} meter_outcome_t;

const char *meter_outcome_name(meter_outcome_t outcome);
/* Worth another round of a batch: the meter never answered. */
bool meter_outcome_retryable(meter_outcome_t outcome);

/* One value shown for a meter. */
typedef struct meter_value {
    char di[12];      /* "00010000", "9010", or "" */
    char name[160];
    char value[PREPAY_DLT645_VALUE_TEXT_MAX];
    char unit[16];
} meter_value_t;

/* ---- operations ----------------------------------------------------------- */

/* What the last exchange gave an operation. */
typedef struct meter_exchange {
    int status;                       /* library / transport status of the exchange */
    prepay_station_result_t result;   /* valid when status is PREPAY_OK */
    const uint8_t *data;              /* joined read data */
    size_t data_len;
    uint64_t bytes_dropped;           /* garbled bytes received during it (collisions) */
    const char *error_text;           /* the transport's message when status is not PREPAY_OK */
} meter_exchange_t;

typedef struct meter_op meter_op_t;

typedef struct meter_op {
    const meter_options_t *options;
    prepay_dlt645_address_t address;
    bool broadcast;
    int phase;
    size_t index;
    meter_outcome_t outcome;
    char message[METER_TEXT_MAX];
    meter_value_t *values; /* heap, grows */
    size_t value_count, value_cap;
    unsigned exchanges;
    /* state of the operations */
    prepay_time_t clock;      /* the meter clock, when read */
    bool have_date, have_time;
    prepay_time_t date_part;
    int32_t time_part;
    uint32_t count_before;    /* recharge: purchase count read before */
    bool have_count_before;
    void *extra;              /* heap: push/verify-tariff state */
    struct meter_event_rows *event_rows; /* heap: events, the supervision's records (meter_event_records.c) */
    prepay_dlt645_frame_t last_request;
    char meter_text[24];      /* the meter when it is not a DL/T 645 address: a CJ/T 188 address, "unit N" */
} meter_op_t;

/* Starts an operation of o->command on one meter (broadcast: no meter). */
int meter_op_init(meter_op_t *op, const meter_options_t *o, const prepay_dlt645_address_t *address);
/* The next request of the operation: 1 (in *request), or 0 when it has ended
 * (op->outcome says how). `last` is the previous exchange, NULL the first time. */
int meter_op_step(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request);
void meter_op_free(meter_op_t *op);

/* Helpers of the operations. */
void meter_op_value(meter_op_t *op, const char *di, const char *name, const char *value, const char *unit);
void meter_op_fail(meter_op_t *op, meter_outcome_t outcome, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The outcome of an exchange that did not give a normal reply; false if it did. */
bool meter_op_check(meter_op_t *op, const meter_exchange_t *last, const char *what);
/* Credentials-bearing write request. */
int meter_op_write_request(meter_op_t *op, uint32_t di, const uint8_t *value, size_t len,
                           prepay_dlt645_frame_t *request);
/* Text of an abnormal reply's error byte. */
const char *meter_error_text(uint16_t error);

/* push-tariff / verify-tariff (meter_tariff_ops.c). */
int meter_tariff_op_init(meter_op_t *op, char *err, size_t err_cap);
int meter_tariff_op_step(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request);
void meter_tariff_op_free(meter_op_t *op);
/* events: the supervision's records after the named counts (meter_event_records.c). */
typedef struct meter_event_row {
    uint8_t kind, phase;      /* prepay_events_kind_t; 1..3, 0 whole meter */
    prepay_time_t start, end; /* end 0: lasting */
} meter_event_row_t;
int meter_event_records_step(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request);
void meter_event_records_free(meter_op_t *op);
/* Writes the records as `prepay analyse` event input (meter,kind,phase,start,end). 0, or -1 with a message. */
int meter_event_records_write(const meter_op_t *op, const char *path, char *err, size_t err_cap);
/* Loads and compiles the tariff file of o (once, before any meter is touched). */
int meter_tariff_load(const meter_options_t *o, prepay_dlt645_tariff_tables_t *tables, char *err, size_t err_cap);

/* ---- the bus ---------------------------------------------------------------- */

typedef struct meter_bus {
    prepay_transport_t transport;
    prepay_link_t link;
    char dtu[PREPAY_DTU_ID_TEXT_MAX];
    bool open;
    int status; /* why meter_bus_open() failed */
    uint8_t data[METER_DATA_MAX];
    uint64_t dropped_before;
} meter_bus_t;

typedef struct meter_station {
    const meter_options_t *options;
    prepay_dtu_server_t server;
    prepay_dtu_connection_t *connections;
    bool server_open;
    bool quiet;
    int status; /* why meter_station_open() failed */
} meter_station_t;

/* The bus options (--serial, --tcp, --listen, --dtu, --dtu-format, --heartbeat) checked and applied: 0, or an
 * exit status with the message in err. The water meter commands take them too (meter_water_options.c). */
int meter_bus_options(meter_options_t *o, char *err, size_t cap);
/* After the command's words (a batch has its site file): a bus was given, and --listen has --dtu unless a
 * batch's site file names the DTUs. 0, or an exit status with the message in err. */
int meter_bus_given(const meter_options_t *o, char *err, size_t cap);
/* Opens what the options say (a serial port, a TCP connection, or a DTU server). */
int meter_station_open(meter_station_t *st, const meter_options_t *o, char *err, size_t err_cap);
void meter_station_close(meter_station_t *st);
/* Opens the transport the options say into t: the serial port, the TCP connection, or DTU `dtu` of the
 * station's server (--listen). PREPAY_OK, or a status with the transport's message in err. */
int meter_transport_open(meter_station_t *st, prepay_transport_t *t, const char *dtu, char *err, size_t err_cap);
/* Opens a bus: the serial port / TCP connection, or DTU `dtu` of the server. */
int meter_bus_open(meter_station_t *st, meter_bus_t *bus, const char *dtu, char *err, size_t err_cap);
void meter_bus_close(meter_bus_t *bus);
/* Starts the operation's next request on the bus; false when the operation has ended. */
bool meter_bus_start(meter_bus_t *bus, meter_op_t *op, const meter_exchange_t *last);
/* After the link is done: the exchange as the operation sees it. */
void meter_bus_collect(meter_bus_t *bus, meter_exchange_t *out);
/* Runs one operation to its end on the bus (blocking). */
void meter_run(meter_station_t *st, meter_bus_t *bus, meter_op_t *op);

/* ---- output ------------------------------------------------------------------- */

struct cli;
/* The libprepay status that stands for an outcome (the "code" of a JSON error). */
int meter_outcome_status(meter_outcome_t outcome);
/* One meter's result as JSON members: meter, dtu (if any), status, error (if any), exchanges, values. */
json_t *meter_json(const meter_op_t *op, const char *dtu);
/* Prints one meter's result: text lines, or one JSON line (docs/cli.md): {"ok":true,"meter":...} for a
 * result; in a stream (`stream`, a batch) a meter that failed is {"ok":false,"error":{...},"meter":...}.
 * Returns 0, or CLI_EXIT_FAILED after a write error (reported). */
int meter_emit(const struct cli *cli, const meter_op_t *op, const char *dtu, bool stream);
/* The meter's address as text (12 digits), or "broadcast". */
void meter_address_text(const meter_op_t *op, char *out, size_t cap);

/* Entry points. */
int meter_discover(const struct cli *cli, meter_station_t *st, meter_bus_t *bus, const meter_options_t *o);
int meter_batch(const struct cli *cli, const meter_options_t *o);

/* Water meters (--protocol cjt188|modbus): the words after the command and the options checked
 * (meter_water_options.c; METER_EXIT_USAGE with one line in err, e.g. a command the protocol does not
 * define), then the run and the output (meter_water_ops.c). */
int meter_water_options(meter_options_t *o, const struct cli_args *args, char *err, size_t err_cap);
int meter_water_run(const struct cli *cli, const meter_options_t *o);
/* batch --protocol cjt188|modbus: one water operation per meter over one bus, opened once (and the tariff
 * of push-tariff / verify-tariff loaded once). open: 0, or an exit status (reported). meter: the command
 * of `per_meter` (its --address / --unit, amount and count are the meter's) on one meter; the result goes
 * to op (outcome, message, values, exchanges; nothing printed). */
struct meter_water_batch;
int meter_water_batch_open(const struct cli *cli, const meter_options_t *o, struct meter_water_batch **out);
void meter_water_batch_meter(struct meter_water_batch *b, const meter_options_t *per_meter, meter_op_t *op);
/* --listen: puts the batch's link on DTU `dtu` (the meter's dtu column, or --dtu), attaching it unless it is the
 * DTU in use. true, or false with op failed (no DTU given, or it did not dial in). */
bool meter_water_batch_bus(struct meter_water_batch *b, const char *dtu, meter_op_t *op);
void meter_water_batch_close(struct meter_water_batch *b);
/* The local wall time of the station. */
prepay_time_t meter_wall_now(void);

/* Parses 'YYYY-MM-DD hh:mm[:ss]' (local). */
bool meter_parse_time(const char *text, prepay_time_t *out);

#endif
