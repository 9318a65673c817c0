/* SPDX-License-Identifier: MIT */
/*
 * prepay meter: a meter's result as text or as JSON (docs/cli.md: one object
 * per line, starting with "ok"; a meter that failed in a batch is an error
 * object carrying the meter's members too).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "meter_cli.h"
#include "prepay/hosted_status.h"

void meter_address_text(const meter_op_t *op, char *out, size_t cap)
{
    if (op->broadcast) {
        snprintf(out, cap, "broadcast");
        return;
    }
    if (op->meter_text[0]) {
        snprintf(out, cap, "%s", op->meter_text);
        return;
    }
    if (prepay_dlt645_address_to_string(&op->address, out, cap) < 0) {
        snprintf(out, cap, "?");
    }
}

int meter_outcome_status(meter_outcome_t outcome)
{
    switch (outcome) {
    case OUT_OK: return PREPAY_OK;
    case OUT_ABNORMAL: return PREPAY_E_DLT645_ABNORMAL;
    case OUT_TIMEOUT: return PREPAY_E_STATION_TIMEOUT;
    case OUT_MALFORMED: return PREPAY_E_STATION_MALFORMED_REPLY;
    case OUT_LINK: return PREPAY_E_TRANSPORT_CLOSED;
    case OUT_DIFFERENT: return PREPAY_E_DLT645_TARIFF_TABLES;
    case OUT_PENDING: return PREPAY_E_STATION_NOT_DONE;
    default: return PREPAY_E_DLT645_UNEXPECTED_REPLY;
    }
}

/* Adds a meter's members to o (after what o already holds). */
/* A meter's members. `error_text`: the failure as a string member "error" (results files, and a single
 * meter's result line); a failed meter of a batch stream has the error object of the conventions there. */
static void meter_members(json_t *o, const meter_op_t *op, const char *dtu, bool error_text)
{
    char address[16];
    meter_address_text(op, address, sizeof address);
    cli_set(o, "meter", cli_json_text(address));
    if (dtu && dtu[0]) {
        cli_set(o, "dtu", cli_json_text(dtu));
    }
    cli_set(o, "status", json_string(meter_outcome_name(op->outcome)));
    if (error_text && op->message[0]) {
        cli_set(o, "error", cli_json_text(op->message));
    }
    cli_set(o, "exchanges", json_integer(op->exchanges));
    json_t *values = json_array();
    for (size_t i = 0; i < op->value_count; i++) {
        const meter_value_t *v = &op->values[i];
        json_t *item = json_object();
        if (v->di[0]) {
            cli_set(item, "di", cli_json_text(v->di));
        }
        cli_set(item, "name", cli_json_text(v->name));
        cli_set(item, "value", cli_json_text(v->value));
        cli_set(item, "unit", cli_json_text(v->unit));
        json_array_append_new(values, item);
    }
    cli_set(o, "values", values);
}

json_t *meter_json(const meter_op_t *op, const char *dtu)
{
    json_t *o = json_object();
    meter_members(o, op, dtu, true);
    return o;
}

/* The error member of a JSON error line (the shape of cli_error()'s). */
static json_t *error_member(int status, const char *message, int exit_code)
{
    json_t *e = json_object();
    cli_set(e, "code", json_integer(status));
    cli_set(e, "status", cli_json_text(prepay_strerror(status)));
    cli_set(e, "message", cli_json_text(message));
    cli_set(e, "exit", json_integer(exit_code));
    return e;
}

int meter_emit(const cli_t *cli, const meter_op_t *op, const char *dtu, bool stream)
{
    char address[16];
    meter_address_text(op, address, sizeof address);
    if (!cli->json) {
        for (size_t i = 0; i < op->value_count; i++) {
            const meter_value_t *v = &op->values[i];
            printf("%s  %-8s  %s = %s%s%s\n", address, v->di, v->name, v->value, v->unit[0] ? " " : "", v->unit);
        }
        return 0;
    }
    json_t *line;
    bool failed_in_stream = op->outcome != OUT_OK && stream;
    if (!failed_in_stream) {
        line = cli_result();
    } else {
        char message[METER_TEXT_MAX + 32];
        snprintf(message, sizeof message, "%s: %s", address, op->message);
        line = json_object();
        cli_set(line, "ok", json_false());
        cli_set(line, "error", error_member(meter_outcome_status(op->outcome), message, CLI_EXIT_FAILED));
    }
    meter_members(line, op, dtu, !failed_in_stream);
    return cli_emit(cli, line);
}
