/* SPDX-License-Identifier: MIT */
/*
 * prepay meter events: after the named counts, the meter's supervision event
 * records (meter_events.h) when it has them. The active-report word
 * (04001501) tells whether the meter judges events at all; then every
 * channel's count and its newest records (start and, where the kind keeps it
 * apart, end item) are read and decoded by prepay_events_decode_record().
 * `--records FILE` writes them as the event input of `prepay analyse`
 * (meter,kind,phase,start,end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"
#include "cli_file.h"
#include "event_kinds.h"
#include "meter_cli.h"

static const char *const kind_names[PREPAY_EVENTS_KIND_COUNT] = {
    "over_voltage",     "under_voltage",       "over_current",  "reverse_power",   "overload",
    "low_power_factor", "power_down",          "cover_open",    "terminal_cover_open", "magnetic",
    "programming",      "clock_change",        "loss_of_voltage", "phase_failure", "loss_of_current",
    "current_cut",      "voltage_reverse_sequence", "current_reverse_sequence", "voltage_unbalance",
    "current_unbalance", "current_severe_unbalance",
};

const char *event_kind_name(unsigned kind)
{
    return kind < PREPAY_EVENTS_KIND_COUNT ? kind_names[kind] : NULL;
}

int event_kind_named(const char *name)
{
    for (unsigned k = 0; k < PREPAY_EVENTS_KIND_COUNT; k++) {
        if (strcmp(name, kind_names[k]) == 0) {
            return (int)k;
        }
    }
    return -1;
}

enum { STAGE_WORD = 0, STAGE_COUNT, STAGE_START, STAGE_END, STAGE_DONE };

struct meter_event_rows {
    int stage;
    unsigned kind, phase;   /* the channel being read */
    uint32_t count;         /* its count */
    unsigned n;             /* the record being read, 1 = newest */
    uint8_t start[PREPAY_EVENTS_READ_MAX];
    size_t start_len;
    meter_event_row_t *rows; /* heap, grows */
    size_t row_count, row_cap;
};

/* The next channel with a count item from (kind, phase) on; false after the last. */
static bool next_channel(unsigned *kind, unsigned *phase)
{
    for (; *kind < PREPAY_EVENTS_KIND_COUNT; (*kind)++, *phase = 0) {
        for (; *phase <= 3; (*phase)++) {
            if (prepay_events_count_di((prepay_events_kind_t)*kind, *phase) > 0) {
                return true;
            }
        }
    }
    return false;
}

static int read_di(meter_op_t *op, int64_t di, prepay_dlt645_frame_t *request)
{
    return prepay_dlt645_request_read(request, &op->address, (uint32_t)di) == PREPAY_OK ? 1 : 0;
}

static void add_row(meter_op_t *op, struct meter_event_rows *r, const prepay_events_record_t *rec, uint32_t di)
{
    if (r->row_count == r->row_cap) {
        size_t cap = r->row_cap ? r->row_cap * 2 : 16;
        meter_event_row_t *grown = realloc(r->rows, cap * sizeof *grown);
        if (!grown) {
            return;
        }
        r->rows = grown;
        r->row_cap = cap;
    }
    meter_event_row_t *row = &r->rows[r->row_count++];
    row->kind = (uint8_t)r->kind;
    row->phase = rec->phase;
    row->start = rec->start;
    row->end = rec->end;
    char di_text[12], start[PREPAY_TIME_TEXT_MAX], end[PREPAY_TIME_TEXT_MAX] = "";
    char name[96], value[128];
    snprintf(di_text, sizeof di_text, "%08X", (unsigned)di);
    (void)prepay_time_format(rec->start, PREPAY_TIME_TEXT_SECOND, start, sizeof start);
    if (rec->end != 0) {
        (void)prepay_time_format(rec->end, PREPAY_TIME_TEXT_SECOND, end, sizeof end);
    }
    snprintf(name, sizeof name, "event %s%s%c record %u", kind_names[r->kind], rec->phase ? " phase " : "",
             rec->phase ? (char)('A' + rec->phase - 1) : ' ', r->n);
    snprintf(value, sizeof value, "%s .. %s", start, rec->end != 0 ? end : "(lasting)");
    meter_op_value(op, di_text, name, value, "");
}

/* After the read of the current item: the next request, or 0 when done. */
int meter_event_records_step(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    struct meter_event_rows *r = op->event_rows;
    if (r == NULL) {
        r = calloc(1, sizeof *r);
        if (r == NULL) {
            meter_op_fail(op, OUT_FAILED, "out of memory");
            return 0;
        }
        op->event_rows = r;
        r->stage = STAGE_WORD;
        return read_di(op, PREPAY_EVENTS_DI_STATUS_WORD, request);
    }
    bool normal = last && last->status == PREPAY_OK && last->result.status == PREPAY_OK;
    bool refused = last && last->status == PREPAY_OK && last->result.status == PREPAY_E_DLT645_ABNORMAL;
    if (!normal && !refused) {
        (void)meter_op_check(op, last, "read of an event item");
        return 0;
    }
    for (;;) {
        switch (r->stage) {
        case STAGE_WORD:
            if (refused) {
                r->stage = STAGE_DONE; /* no supervision: the named counts are all there is */
                op->outcome = OUT_OK;
                return 0;
            }
            r->stage = STAGE_COUNT;
            r->kind = r->phase = 0;
            if (!next_channel(&r->kind, &r->phase)) {
                op->outcome = OUT_OK;
                return 0;
            }
            return read_di(op, prepay_events_count_di((prepay_events_kind_t)r->kind, r->phase), request);
        case STAGE_COUNT:
            r->count = 0;
            if (normal && prepay_events_decode_count(last->data, last->data_len, &r->count) != PREPAY_OK) {
                meter_op_fail(op, OUT_FAILED, "the count of %s does not decode", kind_names[r->kind]);
                return 0;
            }
            r->n = 1;
            if (r->count > 0) {
                r->stage = STAGE_START;
                return read_di(op, prepay_events_record_di((prepay_events_kind_t)r->kind, r->phase, 1), request);
            }
            break; /* the next channel */
        case STAGE_START:
        case STAGE_END: {
            const uint8_t *end_data = NULL;
            size_t end_len = 0;
            if (r->stage == STAGE_START) {
                if (!normal) {
                    break; /* the meter keeps fewer records than it counted: the next channel */
                }
                memcpy(r->start, last->data, last->data_len < sizeof r->start ? last->data_len : sizeof r->start);
                r->start_len = last->data_len < sizeof r->start ? last->data_len : sizeof r->start;
                int64_t end_di = prepay_events_record_end_di((prepay_events_kind_t)r->kind, r->phase, r->n);
                if (end_di > 0) {
                    r->stage = STAGE_END;
                    return read_di(op, end_di, request);
                }
            } else if (normal) {
                end_data = last->data;
                end_len = last->data_len;
            }
            prepay_events_record_t rec;
            int status = prepay_events_decode_record((prepay_events_kind_t)r->kind, r->start, r->start_len, end_data,
                                                     end_len, &rec);
            if (status != PREPAY_OK) {
                meter_op_fail(op, OUT_FAILED, "a record of %s does not decode: %s", kind_names[r->kind],
                              prepay_strerror(status));
                return 0;
            }
            if (rec.phase == 0) {
                rec.phase = (uint8_t)r->phase;
            }
            add_row(op, r, &rec, (uint32_t)prepay_events_record_di((prepay_events_kind_t)r->kind, r->phase, r->n));
            if (r->n < r->count && r->n < PREPAY_MAX_EVENT_RECORDS) {
                r->n++;
                r->stage = STAGE_START;
                return read_di(op, prepay_events_record_di((prepay_events_kind_t)r->kind, r->phase, r->n), request);
            }
            break;
        }
        default:
            op->outcome = OUT_OK;
            return 0;
        }
        /* The next channel. */
        r->phase++;
        if (!next_channel(&r->kind, &r->phase)) {
            r->stage = STAGE_DONE;
            op->outcome = OUT_OK;
            return 0;
        }
        r->stage = STAGE_COUNT;
        return read_di(op, prepay_events_count_di((prepay_events_kind_t)r->kind, r->phase), request);
    }
}

void meter_event_records_free(meter_op_t *op)
{
    struct meter_event_rows *r = op->event_rows;
    if (r) {
        free(r->rows);
        free(r);
        op->event_rows = NULL;
    }
}

int meter_event_records_write(const meter_op_t *op, const char *path, char *err, size_t err_cap)
{
    cli_output_t out;
    if (cli_output_open(&out, path, err, err_cap) != 0) {
        return -1;
    }
    char meter[16];
    meter_address_text(op, meter, sizeof meter);
    fputs("meter,kind,phase,start,end\n", out.file);
    const struct meter_event_rows *r = op->event_rows;
    for (size_t i = 0; r && i < r->row_count; i++) {
        const meter_event_row_t *row = &r->rows[i];
        char start[PREPAY_TIME_TEXT_MAX], end[PREPAY_TIME_TEXT_MAX] = "";
        (void)prepay_time_format(row->start, PREPAY_TIME_TEXT_SECOND, start, sizeof start);
        if (row->end != 0) {
            (void)prepay_time_format(row->end, PREPAY_TIME_TEXT_SECOND, end, sizeof end);
        }
        fprintf(out.file, "%s,%s,%s,%s,%s\n", meter, kind_names[row->kind],
                row->phase ? (const char[]){(char)('A' + row->phase - 1), '\0'} : "", start, end);
    }
    return cli_output_commit(&out, err, err_cap);
}
