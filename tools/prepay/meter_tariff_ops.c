/* SPDX-License-Identifier: MIT */
/*
 * prepay meter push-tariff / verify-tariff: the station's half of the
 * DL/T 645 two-set scheme (prepay/dlt645_tariff.h does the tables).
 *
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

enum phase {
    P_DATE = 0,
    P_TIME,
    P_SWITCH,
    P_TABLE_COUNT,
    P_TARIFF_COUNT,
    P_PROMOTE_READ,   /* set 2 in force: read it */
    P_PROMOTE_WRITE,  /* copy it into set 1 */
    P_PROMOTE_CHECK,  /* read set 1 back */
    P_PROMOTE_SWITCH, /* clear the switch-over times: set 1 in force */
    P_COUNTS,         /* larger counts */
    P_WRITE,          /* set 2 */
    P_CHECK,          /* read set 2 back */
    P_SWITCH_WRITE,   /* switch-over times */
    P_VERIFY_READ,    /* verify-tariff */
    P_TARIFFS_READ,   /* the reply to the read of 04000204 */
    P_DONE
};

#define MAX_READS (1u + 8u + 63u + 6u + 7u)
#define MAX_DIFFERENCES 64

typedef struct tariff_state {
    prepay_dlt645_tariff_tables_t file;  /* the plan, compiled */
    prepay_dlt645_tariff_tables_t back;  /* what a set reads back */
    prepay_dlt645_tariff_tables_t copy;  /* set 2 in force, to copy into set 1 */
    prepay_time_t date_part;
    prepay_time_t clock;
    bool switch_never;
    prepay_time_t switch_time;
    unsigned tables, tariffs;            /* the meter's counts */
    unsigned set;                        /* the set read or written now */
    const prepay_dlt645_tariff_tables_t *writing;
    size_t write_count;
    uint32_t reads[MAX_READS];
    size_t read_count;
    prepay_time_t switch_at;
    unsigned counts_written;
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
    int status = meter_tariff_load(op->options, &s->file, err, err_cap);
    if (status != 0) {
        free(s);
        return status;
    }
    op->extra = s;
    return 0;
}

void meter_tariff_op_free(meter_op_t *op)
{
    free(op->extra);
    op->extra = NULL;
}

/* The reads that bring a set's tables back. */
static void plan_reads(tariff_state_t *s, unsigned set)
{
    s->set = set;
    s->read_count = 0;
    s->reads[s->read_count++] = PREPAY_DI_ZONE_TABLE(set);
    for (unsigned d = 1; d <= s->tables && d <= 8; d++) {
        s->reads[s->read_count++] = PREPAY_DI_DAY_TABLE(set, d);
    }
    for (unsigned k = 1; k <= s->tariffs && k <= 63; k++) {
        s->reads[s->read_count++] = PREPAY_DI_PRICE(set, k);
    }
    for (unsigned k = 1; k <= 6; k++) {
        s->reads[s->read_count++] = PREPAY_DI_LADDER_VALUE(set, k);
    }
    for (unsigned k = 1; k <= 7; k++) {
        s->reads[s->read_count++] = PREPAY_DI_LADDER_PRICE(set, k);
    }
    (void)prepay_dlt645_tariff_tables_init(&s->back);
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

/* Lists the differences between the plan (a) and what the meter holds (b) as values; returns their number. */
static int differences(meter_op_t *op, const prepay_dlt645_tariff_tables_t *a, const prepay_dlt645_tariff_tables_t *b)
{
    prepay_dlt645_tariff_difference_t d[MAX_DIFFERENCES];
    int n = prepay_dlt645_tariff_diff(a, b, d, MAX_DIFFERENCES);
    if (n < 0) {
        meter_op_fail(op, OUT_FAILED, "the tables read back are not a valid tariff (%s)", prepay_strerror(n));
        return n;
    }
    for (int i = 0; i < n && i < MAX_DIFFERENCES; i++) {
        char name[64], text[128];
        describe(&d[i], name, sizeof name, text, sizeof text);
        meter_op_value(op, "", name, text, "");
    }
    return n;
}

static int read_next(meter_op_t *op, tariff_state_t *s, prepay_dlt645_frame_t *request)
{
    return prepay_dlt645_request_read(request, &op->address, s->reads[op->index++]) == PREPAY_OK ? 1 : 0;
}

/* A read-back reply: absorbed. Returns false (and fails the op) on a refusal or bad data. */
static bool absorb(meter_op_t *op, tariff_state_t *s, const meter_exchange_t *last)
{
    uint32_t di = s->reads[op->index - 1];
    char what[40];
    snprintf(what, sizeof what, "read back %08X", (unsigned)di);
    if (meter_op_check(op, last, what)) {
        return false;
    }
    int status = prepay_dlt645_tariff_absorb(&s->back, di, last->data, last->data_len);
    if (status != PREPAY_OK) {
        meter_op_fail(op, OUT_FAILED, "%s: %s", what, prepay_strerror(status));
        return false;
    }
    return true;
}

static int write_item(meter_op_t *op, tariff_state_t *s, prepay_dlt645_frame_t *request)
{
    prepay_dlt645_tariff_write_t w;
    if (prepay_dlt645_tariff_write_item(s->writing, s->set, op->index++, &w) != PREPAY_OK) {
        meter_op_fail(op, OUT_FAILED, "the tables do not encode");
        return 0;
    }
    return meter_op_write_request(op, w.di, w.value, w.length, request) == PREPAY_OK ? 1 : 0;
}

static int write_switch(meter_op_t *op, prepay_time_t at, bool never, prepay_dlt645_frame_t *request)
{
    /* 04000106, 07, 09 first; 04000108 (prices, which the reference meter uses for the whole set) last. */
    static const uint32_t order[4] = {PREPAY_DI_SWITCH_ZONE_TABLE, PREPAY_DI_SWITCH_DAY_TABLES,
                                      PREPAY_DI_SWITCH_LADDERS, PREPAY_DI_SWITCH_PRICES};
    uint8_t value[5] = {0, 0, 0, 0, 0};
    if (!never && prepay_time_to_dlt645_minute(at, value) != PREPAY_OK) {
        meter_op_fail(op, OUT_FAILED, "switch-over time outside 2000..2099");
        return 0;
    }
    return meter_op_write_request(op, order[op->index++], value, 5, request) == PREPAY_OK ? 1 : 0;
}

/* Decides the next phase after the counts are known. */
static void after_counts(meter_op_t *op, tariff_state_t *s)
{
    op->index = 0;
    if (op->options->command == CMD_VERIFY_TARIFF) {
        unsigned set = (unsigned)op->options->meter_set;
        if (set == 0) {
            set = s->switch_never ? 1u : 2u; /* the set in force after the switch-over */
        }
        plan_reads(s, set);
        op->phase = P_VERIFY_READ;
        return;
    }
    bool set2_in_force = !s->switch_never && s->switch_time <= s->clock;
    if (set2_in_force) {
        plan_reads(s, 2);
        op->phase = P_PROMOTE_READ;
    } else {
        op->phase = P_COUNTS;
    }
}

int meter_tariff_op_step(meter_op_t *op, const meter_exchange_t *last, prepay_dlt645_frame_t *request)
{
    tariff_state_t *s = op->extra;
    const meter_options_t *o = op->options;
    prepay_dlt645_value_t v;
    char text[96];
    for (;;) {
        switch (op->phase) {
        case P_DATE:
            if (last) {
                return 0;
            }
            op->phase = P_TIME;
            return prepay_dlt645_request_read(request, &op->address, PREPAY_DI_DATE) == PREPAY_OK ? 1 : 0;
        case P_TIME:
            if (meter_op_check(op, last, "read the meter date (04000101)") ||
                prepay_dlt645_value_decode(PREPAY_DI_DATE, last->data, last->data_len, &v) != PREPAY_OK) {
                if (op->outcome == OUT_PENDING) {
                    meter_op_fail(op, OUT_FAILED, "the meter's date does not decode");
                }
                return 0;
            }
            s->date_part = v.time;
            op->phase = P_SWITCH;
            return prepay_dlt645_request_read(request, &op->address, PREPAY_DI_TIME) == PREPAY_OK ? 1 : 0;
        case P_SWITCH:
            if (meter_op_check(op, last, "read the meter time (04000102)") ||
                prepay_dlt645_value_decode(PREPAY_DI_TIME, last->data, last->data_len, &v) != PREPAY_OK) {
                if (op->outcome == OUT_PENDING) {
                    meter_op_fail(op, OUT_FAILED, "the meter's time does not decode");
                }
                return 0;
            }
            s->clock = s->date_part + v.time;
            op->phase = P_TABLE_COUNT;
            return prepay_dlt645_request_read(request, &op->address, PREPAY_DI_SWITCH_PRICES) == PREPAY_OK ? 1 : 0;
        case P_TABLE_COUNT: {
            if (meter_op_check(op, last, "read the switch-over time (04000108)")) {
                return 0;
            }
            static const uint8_t zero[5] = {0, 0, 0, 0, 0};
            s->switch_never = last->data_len == 5 && memcmp(last->data, zero, 5) == 0;
            if (!s->switch_never && (last->data_len != 5 ||
                                     prepay_time_from_dlt645_minute(last->data, &s->switch_time) != PREPAY_OK)) {
                meter_op_fail(op, OUT_FAILED, "the meter's switch-over time does not decode");
                return 0;
            }
            op->phase = P_TARIFF_COUNT;
            return prepay_dlt645_request_read(request, &op->address, PREPAY_DI_DAY_TABLE_COUNT) == PREPAY_OK ? 1 : 0;
        }
        case P_TARIFF_COUNT: {
            uint64_t n;
            if (meter_op_check(op, last, "read the number of day tables (04000202)")) {
                return 0;
            }
            if (prepay_bcd_decode(last->data, last->data_len, &n) != PREPAY_OK || n < 1 || n > 8) {
                meter_op_fail(op, OUT_FAILED, "the meter's number of day tables does not decode");
                return 0;
            }
            s->tables = (unsigned)n;
            op->phase = P_TARIFFS_READ;
            return prepay_dlt645_request_read(request, &op->address, PREPAY_DI_TARIFF_COUNT) == PREPAY_OK ? 1 : 0;
        }
        case P_TARIFFS_READ: {
            uint64_t n;
            if (meter_op_check(op, last, "read the number of tariffs (04000204)")) {
                return 0;
            }
            if (prepay_bcd_decode(last->data, last->data_len, &n) != PREPAY_OK || n < 1 || n > 63) {
                meter_op_fail(op, OUT_FAILED, "the meter's number of tariffs does not decode");
                return 0;
            }
            s->tariffs = (unsigned)n;
            after_counts(op, s);
            last = NULL;
            continue;
        }
        case P_PROMOTE_READ:
        case P_PROMOTE_CHECK:
        case P_CHECK:
        case P_VERIFY_READ:
            if (last && !absorb(op, s, last)) {
                return 0;
            }
            if (op->index < s->read_count) {
                return read_next(op, s, request);
            }
            if (op->phase == P_PROMOTE_READ) {
                s->copy = s->back;
                if (prepay_dlt645_tariff_check(&s->copy) != PREPAY_OK) {
                    meter_op_fail(op, OUT_FAILED, "set 2, in force, does not read back as a valid tariff: nothing "
                                                  "was written");
                    return 0;
                }
                s->writing = &s->copy;
                s->set = 1;
                s->write_count = (size_t)prepay_dlt645_tariff_write_count(&s->copy);
                op->index = 0;
                op->phase = P_PROMOTE_WRITE;
                last = NULL;
                continue;
            }
            if (op->phase == P_VERIFY_READ) {
                int n = differences(op, &s->file, &s->back);
                if (n < 0) {
                    return 0;
                }
                snprintf(text, sizeof text, "%s", n == 0 ? "no differences" : "differs");
                meter_op_value(op, "", s->set == 1 ? "tariff set 1" : "tariff set 2", text, "");
                if (n > 0) {
                    meter_op_fail(op, OUT_DIFFERENT, "tariff set %u differs from %s in %d place%s", s->set,
                                  o->tariff_path, n, n == 1 ? "" : "s");
                } else {
                    op->outcome = OUT_OK;
                }
                return 0;
            }
            {
                const prepay_dlt645_tariff_tables_t *want = op->phase == P_CHECK ? &s->file : &s->copy;
                int n = differences(op, want, &s->back);
                if (n != 0) {
                    if (n > 0) {
                        meter_op_fail(op, OUT_DIFFERENT, "set %u reads back different from what was written (%d "
                                                         "difference%s): switch-over time not written, the meter "
                                                         "keeps the set in force", s->set, n, n == 1 ? "" : "s");
                    }
                    return 0;
                }
            }
            op->index = 0;
            op->phase = op->phase == P_CHECK ? P_SWITCH_WRITE : P_PROMOTE_SWITCH;
            last = NULL;
            continue;
        case P_PROMOTE_WRITE:
        case P_WRITE:
            if (last) {
                prepay_dlt645_tariff_write_t w;
                (void)prepay_dlt645_tariff_write_item(s->writing, s->set, op->index - 1, &w);
                char what[48];
                snprintf(what, sizeof what, "write %08X of set %u", (unsigned)w.di, s->set);
                if (meter_op_check(op, last, what)) {
                    if (op->phase == P_WRITE) {
                        snprintf(op->message + strlen(op->message), sizeof op->message - strlen(op->message),
                                 "; set 2 is not in force, the meter keeps its tariff");
                    }
                    return 0;
                }
            }
            if (op->index < s->write_count) {
                return write_item(op, s, request);
            }
            op->index = 0;
            if (op->phase == P_PROMOTE_WRITE) {
                plan_reads(s, 1);
                op->phase = P_PROMOTE_CHECK;
            } else {
                plan_reads(s, 2);
                op->phase = P_CHECK;
            }
            last = NULL;
            continue;
        case P_PROMOTE_SWITCH:
        case P_SWITCH_WRITE: {
            bool promote = op->phase == P_PROMOTE_SWITCH;
            if (last && meter_op_check(op, last, "write the switch-over time")) {
                return 0;
            }
            if (op->index < 4) {
                prepay_time_t at = o->has_time ? o->time : s->clock - s->clock % 60;
                s->switch_at = at;
                return write_switch(op, at, promote, request);
            }
            op->index = 0;
            if (promote) {
                meter_op_value(op, "", "set 1", "now a copy of set 2, in force (switch-over time cleared)", "");
                s->switch_never = true;
                op->phase = P_COUNTS;
                last = NULL;
                continue;
            }
            snprintf(text, sizeof text, "%zu writes, read back identical", s->write_count);
            meter_op_value(op, "", "tariff set 2", text, "");
            char when[32];
            (void)prepay_time_format(s->switch_at, PREPAY_TIME_TEXT_MINUTE, when, sizeof when);
            meter_op_value(op, "04000108", "switch-over to set 2", when, "");
            op->outcome = OUT_OK;
            return 0;
        }
        case P_COUNTS: {
            if (last && meter_op_check(op, last, "write a count (04000202 / 04000204)")) {
                return 0;
            }
            uint8_t value;
            if (s->file.day_table_count > s->tables) {
                s->tables = s->file.day_table_count;
                (void)prepay_bcd_encode_byte(s->tables, &value);
                s->counts_written++;
                return meter_op_write_request(op, PREPAY_DI_DAY_TABLE_COUNT, &value, 1, request) == PREPAY_OK ? 1 : 0;
            }
            if (s->file.tariff_count > s->tariffs) {
                s->tariffs = s->file.tariff_count;
                (void)prepay_bcd_encode_byte(s->tariffs, &value);
                s->counts_written++;
                return meter_op_write_request(op, PREPAY_DI_TARIFF_COUNT, &value, 1, request) == PREPAY_OK ? 1 : 0;
            }
            s->writing = &s->file;
            s->set = 2;
            s->write_count = (size_t)prepay_dlt645_tariff_write_count(&s->file);
            op->index = 0;
            op->phase = P_WRITE;
            last = NULL;
            continue;
        }
        default:
            return 0;
        }
    }
}
