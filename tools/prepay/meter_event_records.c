/* SPDX-License-Identifier: MIT */
/*
 * prepay meter events: after the named counts, the meter's supervision event
 * records (meter_events.h) when it has them. The active-report word
 * (04001501, DL/T 645-2007 A.5 and the State Grid bit table of docs/events.md)
 * comes first: it names the channels with new occurrences and how many, so by
 * default only those channels' newest records are read (one item per record
 * instead of every channel's count); `--all` reads every channel's count and
 * records. `--acknowledge` then writes 04001503 with the bits handled cleared
 * (bits written 0 are reset, bits written 1 kept), so the next poll sees only
 * what happened since. Records are decoded by prepay_events_decode_record();
 * `--records FILE` writes them as the event input of `prepay analyse`
 * (meter,kind,phase,start,end).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/analysis.h"

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

enum { STAGE_WORD = 0, STAGE_COUNT, STAGE_START, STAGE_END, STAGE_ACK, STAGE_DONE };

struct meter_event_rows {
    int stage;
    bool flagged_only;      /* the channels of the word's set bits (default), not every channel */
    prepay_events_status_t status; /* the word as read */
    uint8_t handled[PREPAY_EVENTS_STATUS_BYTES]; /* bits whose channels were read */
    unsigned bit;           /* flagged_only: the bit being read */
    unsigned kind, phase;   /* the channel being read */
    uint32_t count;         /* records to read (its count, or its new occurrences) */
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

/* The next set bit of the word from r->bit on that names a channel with records; false after the last.
 * Bits no kind here uses are left set (not handled, so never acknowledged). */
static bool next_flagged(struct meter_event_rows *r)
{
    for (; r->bit < PREPAY_EVENTS_STATUS_BITS; r->bit++) {
        if ((r->status.word[r->bit / 8u] >> (r->bit % 8u) & 1u) == 0) {
            continue;
        }
        prepay_events_kind_t kind;
        unsigned phase;
        if (prepay_events_status_kind(r->bit, &kind, &phase) == PREPAY_OK &&
            prepay_events_count_di(kind, phase) > 0) {
            r->kind = (unsigned)kind;
            r->phase = phase;
            r->handled[r->bit / 8u] |= (uint8_t)(1u << (r->bit % 8u));
            return true;
        }
    }
    return false;
}

/* Every set bit whose channel exists, for --all (every channel was read). */
static void mark_all_handled(struct meter_event_rows *r)
{
    for (unsigned bit = 0; bit < PREPAY_EVENTS_STATUS_BITS; bit++) {
        prepay_events_kind_t kind;
        unsigned phase;
        if ((r->status.word[bit / 8u] >> (bit % 8u) & 1u) != 0 && prepay_events_status_kind(bit, &kind, &phase) == PREPAY_OK &&
            prepay_events_count_di(kind, phase) > 0) {
            r->handled[bit / 8u] |= (uint8_t)(1u << (bit % 8u));
        }
    }
}

/* The word as a value row: "reverse_power A (1), cover_open (1)" or "no new events". */
static void add_word_row(meter_op_t *op, const struct meter_event_rows *r)
{
    char text[PREPAY_DLT645_VALUE_TEXT_MAX] = "";
    size_t used = 0;
    for (unsigned bit = 0; bit < PREPAY_EVENTS_STATUS_BITS; bit++) {
        if ((r->status.word[bit / 8u] >> (bit % 8u) & 1u) == 0) {
            continue;
        }
        prepay_events_kind_t kind;
        unsigned phase;
        char item[64];
        const char *sep = used ? ", " : "";
        unsigned count = r->status.counts[bit];
        bool known = prepay_events_status_kind(bit, &kind, &phase) == PREPAY_OK;
        if (known && phase != 0) {
            snprintf(item, sizeof item, "%s%s %c (%u)", sep, kind_names[kind], (char)('A' + phase - 1), count);
        } else if (known) {
            snprintf(item, sizeof item, "%s%s (%u)", sep, kind_names[kind], count);
        } else {
            snprintf(item, sizeof item, "%sbit %u (%u)", sep, bit, count);
        }
        size_t n = strlen(item);
        if (used + n + 1 < sizeof text) {
            memcpy(text + used, item, n + 1);
            used += n;
        }
    }
    meter_op_value(op, "04001501", "active report status word", used ? text : "no new events", "");
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
    char phase[10] = "";
    if (rec->phase) {
        snprintf(phase, sizeof phase, " phase %c", (char)('A' + rec->phase - 1));
    }
    snprintf(name, sizeof name, "event %s%s record %u", kind_names[r->kind], phase, r->n);
    snprintf(value, sizeof value, "%s .. %s", start, rec->end != 0 ? end : "(lasting)");
    meter_op_value(op, di_text, name, value, "");
}

/* flagged_only: the newest records of the channel of r->bit, as many as its new occurrences. */
static int start_flagged(meter_op_t *op, struct meter_event_rows *r, prepay_dlt645_frame_t *request)
{
    r->count = r->status.counts[r->bit];
    if (r->count == 0) {
        r->count = 1; /* a set bit with a count of 0 (a count byte that wrapped): at least the newest */
    }
    r->n = 1;
    r->stage = STAGE_START;
    return read_di(op, prepay_events_record_di((prepay_events_kind_t)r->kind, r->phase, 1), request);
}

/* --acknowledge: 04001503 with the handled bits 0 and every other bit 1 (prepay_analysis_reset_word();
 * docs/events.md: a bit written 0 is reset, a bit written 1 kept), so a bit that was clear when the
 * word was read and set since is kept for the next poll; else done. */
static int acknowledge(meter_op_t *op, struct meter_event_rows *r, prepay_dlt645_frame_t *request)
{
    if (!op->options->events_acknowledge) {
        r->stage = STAGE_DONE;
        op->outcome = OUT_OK;
        return 0;
    }
    uint8_t word[PREPAY_EVENTS_STATUS_BYTES];
    if (prepay_analysis_reset_word(&r->status, r->handled, word) != PREPAY_OK) {
        meter_op_fail(op, OUT_FAILED, "the acknowledgement (04001503) could not be built");
        return 0;
    }
    r->stage = STAGE_ACK;
    return meter_op_write_request(op, PREPAY_EVENTS_DI_STATUS_RESET, word, sizeof word, request) == PREPAY_OK ? 1 : 0;
}

/* The first request of the next channel to read, or the acknowledgement, or 0 when done. */
static int next_channel_request(meter_op_t *op, struct meter_event_rows *r, prepay_dlt645_frame_t *request)
{
    if (r->flagged_only) {
        r->bit++;
        if (next_flagged(r)) {
            return start_flagged(op, r, request);
        }
    } else {
        r->phase++;
        if (next_channel(&r->kind, &r->phase)) {
            r->stage = STAGE_COUNT;
            return read_di(op, prepay_events_count_di((prepay_events_kind_t)r->kind, r->phase), request);
        }
    }
    return acknowledge(op, r, request);
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
        r->flagged_only = !op->options->events_all;
        return read_di(op, PREPAY_EVENTS_DI_STATUS_WORD, request);
    }
    if (r->stage == STAGE_ACK) {
        if (meter_op_check(op, last, "acknowledgement (04001503)")) {
            return 0;
        }
        meter_op_value(op, "04001503", "active report reset", "acknowledged", "");
        r->stage = STAGE_DONE;
        op->outcome = OUT_OK;
        return 0;
    }
    bool normal = last && last->status == PREPAY_OK && last->result.status == PREPAY_OK;
    bool refused = last && last->status == PREPAY_OK && last->result.status == PREPAY_E_DLT645_ABNORMAL;
    if (!normal && !refused) {
        (void)meter_op_check(op, last, "read of an event item");
        return 0;
    }
    switch (r->stage) {
    case STAGE_WORD:
        if (refused) {
            if (op->options->events_acknowledge) {
                meter_op_fail(op, OUT_FAILED, "the meter has no active-report word (04001501 refused): nothing to "
                                              "acknowledge");
                return 0;
            }
            r->stage = STAGE_DONE; /* no supervision: the named counts are all there is */
            op->outcome = OUT_OK;
            return 0;
        }
        if (prepay_events_status_decode(last->data, last->data_len, &r->status) != PREPAY_OK) {
            meter_op_fail(op, OUT_FAILED, "the active-report word (04001501) does not decode");
            return 0;
        }
        add_word_row(op, r);
        if (r->flagged_only) {
            r->bit = 0;
            return next_flagged(r) ? start_flagged(op, r, request) : acknowledge(op, r, request);
        }
        mark_all_handled(r);
        r->kind = r->phase = 0;
        if (!next_channel(&r->kind, &r->phase)) {
            return acknowledge(op, r, request);
        }
        r->stage = STAGE_COUNT;
        return read_di(op, prepay_events_count_di((prepay_events_kind_t)r->kind, r->phase), request);
    case STAGE_COUNT:
        r->count = 0;
        if (normal && prepay_events_decode_count(last->data, last->data_len, &r->count) != PREPAY_OK) {
            meter_op_fail(op, OUT_FAILED, "the count of %s does not decode", kind_names[r->kind]);
            return 0;
        }
        if (r->count > 0) {
            r->n = 1;
            r->stage = STAGE_START;
            return read_di(op, prepay_events_record_di((prepay_events_kind_t)r->kind, r->phase, 1), request);
        }
        return next_channel_request(op, r, request);
    case STAGE_START:
    case STAGE_END: {
        const uint8_t *end_data = NULL;
        size_t end_len = 0;
        if (r->stage == STAGE_START) {
            if (!normal) {
                return next_channel_request(op, r, request); /* the meter keeps fewer records than it counted */
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
        return next_channel_request(op, r, request);
    }
    default:
        op->outcome = OUT_OK;
        return 0;
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
