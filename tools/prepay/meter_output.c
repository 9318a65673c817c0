/*
 * prepay meter: printing a meter's result, as text or as one JSON object per
 * meter per line (the --json form of every prepay command).
 */
#include <stdio.h>
#include <string.h>

#include "json_internal.h"
#include "meter_cli.h"

void meter_json_string(FILE *to, const char *text)
{
    (void)prepay__json_write_string(to, text ? text : "");
}

void meter_address_text(const meter_op_t *op, char *out, size_t cap)
{
    if (op->broadcast) {
        snprintf(out, cap, "broadcast");
        return;
    }
    if (prepay_dlt645_address_to_string(&op->address, out, cap) < 0) {
        snprintf(out, cap, "?");
    }
}

void meter_print(FILE *to, const meter_op_t *op, bool json, const char *dtu)
{
    char address[16];
    meter_address_text(op, address, sizeof address);
    if (json) {
        fprintf(to, "{\"meter\":");
        meter_json_string(to, address);
        if (dtu && dtu[0]) {
            fprintf(to, ",\"dtu\":");
            meter_json_string(to, dtu);
        }
        fprintf(to, ",\"status\":\"%s\"", meter_outcome_name(op->outcome));
        if (op->message[0]) {
            fprintf(to, ",\"error\":");
            meter_json_string(to, op->message);
        }
        fprintf(to, ",\"exchanges\":%u,\"values\":[", op->exchanges);
        for (size_t i = 0; i < op->value_count; i++) {
            const meter_value_t *v = &op->values[i];
            fprintf(to, "%s{", i ? "," : "");
            if (v->di[0]) {
                fprintf(to, "\"di\":");
                meter_json_string(to, v->di);
                fputc(',', to);
            }
            fprintf(to, "\"name\":");
            meter_json_string(to, v->name);
            fprintf(to, ",\"value\":");
            meter_json_string(to, v->value);
            fprintf(to, ",\"unit\":");
            meter_json_string(to, v->unit);
            fputc('}', to);
        }
        fprintf(to, "]}\n");
        return;
    }
    for (size_t i = 0; i < op->value_count; i++) {
        const meter_value_t *v = &op->values[i];
        fprintf(to, "%s  %-8s  %s = %s%s%s\n", address, v->di, v->name, v->value, v->unit[0] ? " " : "", v->unit);
    }
}
