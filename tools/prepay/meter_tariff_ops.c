/* SPDX-License-Identifier: MIT */
/*
 * prepay meter push-tariff / verify-tariff: the station's half of the
 * DL/T 645 two-set scheme (prepay/dlt645_tariff.h does the tables).
 *
 * The sequence is the library's (prepay/tariff_push.h); this file loads the
 * tariff file, words the replies and failures, and lists the differences.
 * push-tariff never writes the set in force. It reads the meter clock, the
 * price switch-over time (04000108) and the counts; set 1 is in force
 * before the switch-over time (or always, when it is all zero), set 2 from
 * it on (docs/meter.md). If set 2 is in force, set 1 is first made a copy of
 * it (written, read back, compared) and the switch-over time cleared, so set
 * 1 is in force with the same tables. Then larger counts are written if the
 * plan needs them, set 2 is written item by item (each reply checked), read
 * back and compared with the plan; only when it is identical are the
 * switch-over times written. A refusal, a timeout or a difference stops the
 * push there: the meter keeps pricing with the set in force.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_file.h"
#include "meter_cli.h"
#include "prepay/bcd.h"
#include "prepay/civil_time.h"
#include "prepay/dlt645_di.h"
#include "prepay/tariff_push.h"

typedef struct tariff_state {
    prepay_tariff_push_t task;  /* the library's sequence (prepay/tariff_push.h) */
    bool promotion_reported;
} tariff_state_t;

/* The tariff file, loaded and compiled once per run (a batch pushes it to every meter). */
static char cached_path[512];
static int cached_set = -1;
static prepay_dlt645_tariff_tables_t cached;

int meter_tariff_load(const meter_options_t *o, prepay_dlt645_tariff_tables_t *tables, char *err, size_t err_cap)
{
    if (cached_set == o->tariff_set && strcmp(cached_path, o->tariff_path) == 0) {
        *tables = cached;
        return 0;
    }
    static prepay_tariff_doc_t doc;
    char text[PREPAY_TARIFF_JSON_ERROR_MAX];
    const char *name = cli_input_name(o->tariff_path);
    int status;
    if (strcmp(o->tariff_path, "-") == 0) {
        /* From the standard input (docs/cli.md), read whole before anything is sent. */
        char *data = NULL;
        size_t len = 0;
        if (cli_read_input("-", 1u << 20, &data, &len, NULL, err, err_cap) != 0) {
            return METER_EXIT_USAGE;
        }
        status = prepay_tariff_doc_load_buffer(data, len, name, &doc, text, sizeof text);
        free(data);
    } else {
        status = prepay_tariff_doc_load_file(o->tariff_path, &doc, text, sizeof text);
    }
    if (status != PREPAY_OK) {
        snprintf(err, err_cap, "%s", text);
        return METER_EXIT_USAGE;
    }
    if (o->tariff_set == 1 && !doc.has_set_b) {
        snprintf(err, err_cap, "%s: --tariff-set b, but the file has no set B", name);
        return METER_EXIT_USAGE;
    }
    prepay_dlt645_tariff_problem_t problem;
    status = prepay_dlt645_tariff_compile(&doc.sets[o->tariff_set], tables, &problem);
    if (status != PREPAY_OK) {
        char where[96] = "";
        if (problem.reason == PREPAY_DLT645_TARIFF_PRICE_PRECISION || problem.reason == PREPAY_DLT645_TARIFF_LADDER_PRICE) {
            char price[40];
            (void)prepay_fixed_format(problem.value, 8, price, sizeof price);
            snprintf(where, sizeof where, " (%s %u: %s yuan/kWh)",
                     problem.reason == PREPAY_DLT645_TARIFF_PRICE_PRECISION ? "band" : "tier", problem.index, price);
        } else if (problem.reason == PREPAY_DLT645_TARIFF_LADDER_PRECISION) {
            char kwh[40];
            (void)prepay_fixed_format(problem.value, 3, kwh, sizeof kwh);
            snprintf(where, sizeof where, " (tier bound %u: %s kWh)", problem.index, kwh);
        } else if (problem.reason == PREPAY_DLT645_TARIFF_INVALID) {
            snprintf(where, sizeof where, " (%s)", prepay_strerror((int)problem.value));
        } else if (problem.index > 0) {
            snprintf(where, sizeof where, " (%u)", problem.index);
        }
        snprintf(err, err_cap, "%s: a DL/T 645 meter cannot hold this tariff: %s%s; nothing was written", name, prepay_dlt645_tariff_reason_text(problem.reason), where);
        return METER_EXIT_USAGE;
    }
    snprintf(cached_path, sizeof cached_path, "%s", o->tariff_path);
    cached_set = o->tariff_set;
    cached = *tables;
    return 0;
}

int meter_tariff_op_init(meter_op_t *op, char *err, size_t err_cap)
{
    tariff_state_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_cap, "out of memory");
        return METER_EXIT_FIELD;
    }
    const meter_options_t *o = op->options;
    prepay_dlt645_tariff_tables_t plan;
    int status = meter_tariff_load(o, &plan, err, err_cap);
    if (status != 0) {
        free(s);
        return status;
    }
    prepay_tariff_push_options_t options;
    memset(&options, 0, sizeof options);
    options.address = op->address;
    options.credentials = o->credentials;
    options.has_switch_at = o->has_time;
    options.switch_at = o->time;
    options.verify_set = (uint8_t)o->meter_set;
    status = prepay_tariff_push_init(&s->task,
                                     o->command == CMD_VERIFY_TARIFF ? PREPAY_TARIFF_PUSH_MODE_VERIFY
                                                                     : PREPAY_TARIFF_PUSH_MODE_PUSH,
                                     &plan, &options);
    if (status != PREPAY_OK) {
        free(s);
        snprintf(err, err_cap, "%s", status == PREPAY_E_OUT_OF_RANGE ? "switch-over time outside 2000..2099"
                                                                     : prepay_strerror(status));
        return METER_EXIT_USAGE;
    }
    op->extra = s;
    return 0;
}

void meter_tariff_op_free(meter_op_t *op)
{
    free(op->extra);
    op->extra = NULL;
}

static void describe(const prepay_dlt645_tariff_difference_t *d, char *name, size_t name_cap, char *text,
                     size_t text_cap)
{
    char a[48], b[48];
    switch (d->part) {
    case PREPAY_DLT645_TARIFF_PART_ZONE_COUNT:
        snprintf(name, name_cap, "number of zones");
        snprintf(text, text_cap, "file %lld, meter %lld", (long long)d->a_value, (long long)d->b_value);
        return;
    case PREPAY_DLT645_TARIFF_PART_ZONE:
    case PREPAY_DLT645_TARIFF_PART_SLOT: {
        bool zone = d->part == PREPAY_DLT645_TARIFF_PART_ZONE;
        const prepay_dlt645_entry_t *entries[2] = {d->a_present ? &d->a_entry : NULL, d->b_present ? &d->b_entry : NULL};
        char *texts[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            const prepay_dlt645_entry_t *e = entries[k];
            if (!e) {
                snprintf(texts[k], sizeof a, "(none)");
            } else if (zone) {
                snprintf(texts[k], sizeof a, "%02u-%02u -> day table %u", e->first, e->second, e->number);
            } else {
                snprintf(texts[k], sizeof a, "%02u:%02u -> tariff %u", e->first, e->second, e->number);
            }
        }
        if (zone) {
            snprintf(name, name_cap, "zone %u", d->index);
        } else {
            snprintf(name, name_cap, "day table %u, slot %u", d->index, d->slot);
        }
        snprintf(text, text_cap, "file %s, meter %s", a, b);
        return;
    }
    case PREPAY_DLT645_TARIFF_PART_SLOT_COUNT:
        snprintf(name, name_cap, "day table %u, number of slots", d->index);
        snprintf(text, text_cap, "file %lld, meter %lld", (long long)d->a_value, (long long)d->b_value);
        return;
    case PREPAY_DLT645_TARIFF_PART_PRICE:
    case PREPAY_DLT645_TARIFF_PART_LADDER_PRICE:
        if (d->a_value < 0) {
            snprintf(a, sizeof a, "(none)");
        } else {
            (void)prepay_fixed_format(d->a_value / PREPAY_DLT645_TARIFF_PRICE_QUANTUM, 4, a, sizeof a);
        }
        if (d->b_value < 0) {
            snprintf(b, sizeof b, "(none)");
        } else {
            (void)prepay_fixed_format(d->b_value / PREPAY_DLT645_TARIFF_PRICE_QUANTUM, 4, b, sizeof b);
        }
        snprintf(name, name_cap, d->part == PREPAY_DLT645_TARIFF_PART_PRICE ? "price of tariff %u" : "ladder price %u",
                 d->index);
        snprintf(text, text_cap, "file %s, meter %s yuan/kWh", a, b);
        return;
    case PREPAY_DLT645_TARIFF_PART_LADDER_COUNT:
        snprintf(name, name_cap, "number of ladder values");
        snprintf(text, text_cap, "file %lld, meter %lld", (long long)d->a_value, (long long)d->b_value);
        return;
    default:
        (void)prepay_fixed_format(d->a_value / PREPAY_DLT645_TARIFF_ENERGY_QUANTUM, 2, a, sizeof a);
        (void)prepay_fixed_format(d->b_value / PREPAY_DLT645_TARIFF_ENERGY_QUANTUM, 2, b, sizeof b);
        snprintf(name, name_cap, "ladder value %u", d->index);
        snprintf(text, text_cap, "file %s, meter %s kWh", a, b);
        return;
    }
}

/* Lists the differences the task found as values; returns their number. */
static int differences(meter_op_t *op, const prepay_tariff_push_result_t *r)
{
    int n = r->difference_count;
    for (int i = 0; i < n && i < (int)PREPAY_TARIFF_PUSH_MAX_DIFFERENCES; i++) {
        char name[64], text[128];
        describe(&r->differences[i], name, sizeof name, text, sizeof text);
        meter_op_value(op, "", name, text, "");
    }
    return n;
}

/* What the outstanding request is, in the words of a failure message. */
static void request_text(const prepay_tariff_push_result_t *r, char *what, size_t cap)
{
    switch (r->phase) {
    case PREPAY_TARIFF_PUSH_READ_DATE: snprintf(what, cap, "read the meter date (04000101)"); return;
    case PREPAY_TARIFF_PUSH_READ_TIME: snprintf(what, cap, "read the meter time (04000102)"); return;
    case PREPAY_TARIFF_PUSH_READ_SWITCH: snprintf(what, cap, "read the switch-over time (04000108)"); return;
    case PREPAY_TARIFF_PUSH_READ_TABLES: snprintf(what, cap, "read the number of day tables (04000202)"); return;
    case PREPAY_TARIFF_PUSH_READ_TARIFFS: snprintf(what, cap, "read the number of tariffs (04000204)"); return;
    case PREPAY_TARIFF_PUSH_PROMOTE_WRITE:
    case PREPAY_TARIFF_PUSH_WRITE: snprintf(what, cap, "write %08X of set %u", (unsigned)r->di, (unsigned)r->set); return;
    case PREPAY_TARIFF_PUSH_PROMOTE_SWITCH:
    case PREPAY_TARIFF_PUSH_WRITE_SWITCH: snprintf(what, cap, "write the switch-over time"); return;
    case PREPAY_TARIFF_PUSH_WRITE_COUNTS: snprintf(what, cap, "write a count (04000202 / 04000204)"); return;
    default: snprintf(what, cap, "read back %08X", (unsigned)r->di); return;
    }
}

/* Words the error that stopped the task (the reply itself was good). */
static void fail_text(meter_op_t *op, const prepay_tariff_push_result_t *r)
{
    static const char *const decode[] = {"date", "time", "switch-over time", "number of day tables",
                                         "number of tariffs"};
    char what[64];
    if (r->status == PREPAY_E_STATION_BAD_VALUE && r->phase <= PREPAY_TARIFF_PUSH_READ_TARIFFS) {
        meter_op_fail(op, OUT_FAILED, "the meter's %s does not decode", decode[r->phase]);
        return;
    }
    switch (r->phase) {
    case PREPAY_TARIFF_PUSH_PROMOTE_READ:
    case PREPAY_TARIFF_PUSH_PROMOTE_CHECK:
    case PREPAY_TARIFF_PUSH_CHECK:
    case PREPAY_TARIFF_PUSH_VERIFY_READ:
        if (r->di != 0) {
            request_text(r, what, sizeof what);
            meter_op_fail(op, OUT_FAILED, "%s: %s", what, prepay_strerror(r->status));
        } else if (r->phase == PREPAY_TARIFF_PUSH_PROMOTE_READ) {
            meter_op_fail(op, OUT_FAILED, "set 2, in force, does not read back as a valid tariff: nothing was written");
        } else if (r->status == PREPAY_E_STATION_TARIFF_DIFFERS) {
            int n = differences(op, r);
            if (r->phase == PREPAY_TARIFF_PUSH_VERIFY_READ) {
                meter_op_value(op, "", r->set == 1 ? "tariff set 1" : "tariff set 2", "differs", "");
                meter_op_fail(op, OUT_DIFFERENT, "tariff set %u differs from %s in %d place%s", (unsigned)r->set,
                              op->options->tariff_path, n, n == 1 ? "" : "s");
            } else {
                meter_op_fail(op, OUT_DIFFERENT, "set %u reads back different from what was written (%d "
                                                 "difference%s): switch-over time not written, the meter "
                                                 "keeps the set in force", (unsigned)r->set, n, n == 1 ? "" : "s");
            }
        } else {
            meter_op_fail(op, OUT_FAILED, "the tables read back are not a valid tariff (%s)", prepay_strerror(r->status));
        }
        return;
    case PREPAY_TARIFF_PUSH_PROMOTE_WRITE:
    case PREPAY_TARIFF_PUSH_WRITE:
        meter_op_fail(op, OUT_FAILED, "the tables do not encode");
        return;
    case PREPAY_TARIFF_PUSH_WRITE_SWITCH:
        if (r->status == PREPAY_E_OUT_OF_RANGE) {
            meter_op_fail(op, OUT_FAILED, "switch-over time outside 2000..2099");
            return;
        }
        break;
    default:
        break;
    }
    request_text(r, what, sizeof what);
    meter_op_fail(op, OUT_FAILED, "%s: %s", what, prepay_strerror(r->status));
}

int meter_tariff_op_step(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    tariff_state_t *s = op->extra;
    const prepay_tariff_push_result_t *r = prepay_tariff_push_result(&s->task);
    if (last) {
        char what[64];
        request_text(r, what, sizeof what);
        if (meter_op_check(op, last, what)) {
            if (r->phase == PREPAY_TARIFF_PUSH_WRITE) {
                snprintf(op->message + strlen(op->message), sizeof op->message - strlen(op->message),
                         "; set 2 is not in force, the meter keeps its tariff");
            }
            return 0;
        }
    }
    int status = prepay_tariff_push_step(&s->task, last ? &last->result : NULL, last ? last->data : NULL,
                                         last ? last->data_len : 0, request);
    if (r->promoted && !s->promotion_reported) {
        s->promotion_reported = true;
        meter_op_value(op, "", "set 1", "now a copy of set 2, in force (switch-over time cleared)", "");
    }
    if (status == PREPAY_TARIFF_PUSH_EXCHANGE) {
        op->index++;
        return 1;
    }
    if (status != PREPAY_OK) {
        fail_text(op, r);
        return 0;
    }
    char text[96];
    if (r->phase == PREPAY_TARIFF_PUSH_DONE && !r->switch_written) {
        /* verify: identical */
        meter_op_value(op, "", r->set == 1 ? "tariff set 1" : "tariff set 2", "no differences", "");
        op->outcome = OUT_OK;
        return 0;
    }
    snprintf(text, sizeof text, "%zu writes, read back identical", r->write_count);
    meter_op_value(op, "", "tariff set 2", text, "");
    char when[32];
    (void)prepay_time_format(r->switch_at, PREPAY_TIME_TEXT_MINUTE, when, sizeof when);
    meter_op_value(op, "04000108", "switch-over to set 2", when, "");
    op->outcome = OUT_OK;
    return 0;
}
