/* SPDX-License-Identifier: MIT */
/*
 * The station's half of the DL/T 645 two-set tariff scheme as a sans-I/O
 * task (prepay/tariff_push.h). The tables themselves are
 * prepay/dlt645_tariff.h's; this file only orders the requests and checks
 * every reply. Set 1 prices before the price switch-over time 04000108 (or
 * always, when it is all zero), set 2 from it on (docs/meter.md), so the
 * set in force is never written: a push writes set 2, or first makes set 1
 * a copy of set 2 when set 2 is in force.
 */
#include <string.h>

#include "prepay/bcd.h"
#include "prepay/dlt645_di.h"
#include "prepay/tariff_push.h"

static void plan_reads(prepay_tariff_push_t *t, unsigned set)
{
    t->result.set = (uint8_t)set;
    t->read_count = 0;
    t->index = 0;
    t->reads[t->read_count++] = PREPAY_DI_ZONE_TABLE(set);
    for (unsigned d = 1; d <= t->result.tables && d <= PREPAY_DLT645_TARIFF_MAX_DAY_TABLES; d++) {
        t->reads[t->read_count++] = PREPAY_DI_DAY_TABLE(set, d);
    }
    for (unsigned k = 1; k <= t->result.tariffs && k <= PREPAY_DLT645_TARIFF_MAX_TARIFFS; k++) {
        t->reads[t->read_count++] = PREPAY_DI_PRICE(set, k);
    }
    for (unsigned k = 1; k <= PREPAY_DLT645_TARIFF_MAX_LADDER_VALUES; k++) {
        t->reads[t->read_count++] = PREPAY_DI_LADDER_VALUE(set, k);
    }
    for (unsigned k = 1; k <= PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES; k++) {
        t->reads[t->read_count++] = PREPAY_DI_LADDER_PRICE(set, k);
    }
    (void)prepay_dlt645_tariff_tables_init(&t->back);
}

static int stop(prepay_tariff_push_t *t, int status)
{
    t->result.status = status;
    return status;
}

/* The next request: a read of `di`. */
static int read_request(prepay_tariff_push_t *t, uint32_t di, prepay_dlt645_frame_t *request)
{
    int status = prepay_dlt645_request_read(request, &t->options.address, di);
    if (status != PREPAY_OK) {
        return stop(t, status);
    }
    t->result.di = di;
    t->result.exchanges++;
    return PREPAY_TARIFF_PUSH_EXCHANGE;
}

static int write_request(prepay_tariff_push_t *t, uint32_t di, const uint8_t *value, size_t len,
                         prepay_dlt645_frame_t *request)
{
    int status = prepay_dlt645_request_write(request, &t->options.address, di, &t->options.credentials, value, len);
    if (status != PREPAY_OK) {
        return stop(t, status);
    }
    t->result.di = di;
    t->result.exchanges++;
    return PREPAY_TARIFF_PUSH_EXCHANGE;
}

/* Compares `want` with what was read back; keeps the differences. */
static int compare(prepay_tariff_push_t *t, const prepay_dlt645_tariff_tables_t *want)
{
    int n = prepay_dlt645_tariff_diff(want, &t->back, t->result.differences, PREPAY_TARIFF_PUSH_MAX_DIFFERENCES);
    t->result.di = 0;
    if (n < 0) {
        return stop(t, n);
    }
    t->result.difference_count = n;
    return n == 0 ? PREPAY_OK : stop(t, PREPAY_E_STATION_TARIFF_DIFFERS);
}

/* After the counts: verify reads, promotion of set 2, or the counts and set 2. */
static void after_counts(prepay_tariff_push_t *t)
{
    t->index = 0;
    if (t->mode == PREPAY_TARIFF_PUSH_MODE_VERIFY) {
        unsigned set = t->options.verify_set;
        if (set == 0) {
            set = t->result.switch_never ? 1u : 2u; /* the set in force after the switch-over */
        }
        plan_reads(t, set);
        t->result.phase = PREPAY_TARIFF_PUSH_VERIFY_READ;
        return;
    }
    bool set2_in_force = !t->result.switch_never && t->result.switch_time <= t->result.clock;
    if (set2_in_force) {
        plan_reads(t, 2);
        t->result.phase = PREPAY_TARIFF_PUSH_PROMOTE_READ;
    } else {
        t->result.phase = PREPAY_TARIFF_PUSH_WRITE_COUNTS;
    }
}

static void start_writes(prepay_tariff_push_t *t, const prepay_dlt645_tariff_tables_t *tables, unsigned set,
                         uint8_t phase)
{
    t->writing = tables;
    t->result.set = (uint8_t)set;
    int n = prepay_dlt645_tariff_write_count(tables);
    t->result.write_count = n > 0 ? (size_t)n : 0u;
    t->index = 0;
    t->result.phase = phase;
}

int prepay_tariff_push_init(prepay_tariff_push_t *task, prepay_tariff_push_mode_t mode,
                            const prepay_dlt645_tariff_tables_t *plan, const prepay_tariff_push_options_t *options)
{
    if (!task || !plan || !options || (mode != PREPAY_TARIFF_PUSH_MODE_PUSH && mode != PREPAY_TARIFF_PUSH_MODE_VERIFY) ||
        options->verify_set > 2u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay_dlt645_tariff_check(plan);
    if (status != PREPAY_OK) {
        return status;
    }
    if (options->has_switch_at) {
        uint8_t minute[5];
        if (prepay_time_to_dlt645_minute(options->switch_at, minute) != PREPAY_OK) {
            return PREPAY_E_OUT_OF_RANGE;
        }
    }
    memset(task, 0, sizeof *task);
    task->options = *options;
    task->mode = (uint8_t)mode;
    task->plan = *plan;
    task->result.phase = PREPAY_TARIFF_PUSH_READ_DATE;
    task->result.di = PREPAY_DI_DATE;
    return PREPAY_OK;
}

/* A read-back reply: taken into t->back. */
static int absorb(prepay_tariff_push_t *t, const uint8_t *data, size_t len)
{
    int status = prepay_dlt645_tariff_absorb(&t->back, t->result.di, data, len);
    return status == PREPAY_OK ? PREPAY_OK : stop(t, status);
}

/* The four switch-over times: 04000106, 07, 09 first; 04000108 (prices, which the reference meter uses for the whole set) last. */
static int write_switch(prepay_tariff_push_t *t, bool clear, prepay_dlt645_frame_t *request)
{
    static const uint32_t order[4] = {PREPAY_DI_SWITCH_ZONE_TABLE, PREPAY_DI_SWITCH_DAY_TABLES,
                                      PREPAY_DI_SWITCH_LADDERS, PREPAY_DI_SWITCH_PRICES};
    uint8_t value[5] = {0, 0, 0, 0, 0};
    if (!clear && prepay_time_to_dlt645_minute(t->result.switch_at, value) != PREPAY_OK) {
        return stop(t, PREPAY_E_OUT_OF_RANGE);
    }
    return write_request(t, order[t->index++], value, sizeof value, request);
}

static int decode_count(const uint8_t *data, size_t len, unsigned max, uint8_t *out)
{
    uint64_t n;
    if (prepay_bcd_decode(data, len, &n) != PREPAY_OK || n < 1u || n > max) {
        return PREPAY_E_STATION_BAD_VALUE;
    }
    *out = (uint8_t)n;
    return PREPAY_OK;
}

int prepay_tariff_push_step(prepay_tariff_push_t *task, const prepay_station_result_t *reply, const uint8_t *data,
                            size_t data_len, prepay_dlt645_frame_t *request)
{
    if (!task || !request) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_tariff_push_t *t = task;
    prepay_tariff_push_result_t *r = &t->result;
    if (r->status != PREPAY_OK) {
        return r->status;
    }
    if (r->phase == PREPAY_TARIFF_PUSH_DONE) {
        return PREPAY_OK;
    }
    if ((reply == NULL) == t->started || (data == NULL && data_len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!t->started) {
        t->started = true;
        return read_request(t, PREPAY_DI_DATE, request);
    }
    if (reply->status != PREPAY_OK) {
        return stop(t, reply->status); /* a refusal, a timeout, a malformed reply: the meter keeps what it has */
    }
    static const uint8_t none[1] = {0};
    if (data == NULL) {
        data = none;
    }
    bool have_reply = true;
    prepay_dlt645_value_t v;
    for (;;) {
        switch (r->phase) {
        case PREPAY_TARIFF_PUSH_READ_DATE:
            if (prepay_dlt645_value_decode(PREPAY_DI_DATE, data, data_len, &v) != PREPAY_OK) {
                return stop(t, PREPAY_E_STATION_BAD_VALUE);
            }
            t->date_part = v.time;
            r->phase = PREPAY_TARIFF_PUSH_READ_TIME;
            return read_request(t, PREPAY_DI_TIME, request);
        case PREPAY_TARIFF_PUSH_READ_TIME:
            if (prepay_dlt645_value_decode(PREPAY_DI_TIME, data, data_len, &v) != PREPAY_OK) {
                return stop(t, PREPAY_E_STATION_BAD_VALUE);
            }
            r->clock = t->date_part + v.time;
            r->phase = PREPAY_TARIFF_PUSH_READ_SWITCH;
            return read_request(t, PREPAY_DI_SWITCH_PRICES, request);
        case PREPAY_TARIFF_PUSH_READ_SWITCH: {
            static const uint8_t zero[5] = {0, 0, 0, 0, 0};
            r->switch_never = data_len == 5u && memcmp(data, zero, 5) == 0;
            if (!r->switch_never &&
                (data_len != 5u || prepay_time_from_dlt645_minute(data, &r->switch_time) != PREPAY_OK)) {
                return stop(t, PREPAY_E_STATION_BAD_VALUE);
            }
            r->phase = PREPAY_TARIFF_PUSH_READ_TABLES;
            return read_request(t, PREPAY_DI_DAY_TABLE_COUNT, request);
        }
        case PREPAY_TARIFF_PUSH_READ_TABLES:
            if (decode_count(data, data_len, PREPAY_DLT645_TARIFF_MAX_DAY_TABLES, &r->tables) != PREPAY_OK) {
                return stop(t, PREPAY_E_STATION_BAD_VALUE);
            }
            r->phase = PREPAY_TARIFF_PUSH_READ_TARIFFS;
            return read_request(t, PREPAY_DI_TARIFF_COUNT, request);
        case PREPAY_TARIFF_PUSH_READ_TARIFFS:
            if (decode_count(data, data_len, PREPAY_DLT645_TARIFF_MAX_TARIFFS, &r->tariffs) != PREPAY_OK) {
                return stop(t, PREPAY_E_STATION_BAD_VALUE);
            }
            after_counts(t);
            have_reply = false;
            continue;
        case PREPAY_TARIFF_PUSH_PROMOTE_READ:
        case PREPAY_TARIFF_PUSH_PROMOTE_CHECK:
        case PREPAY_TARIFF_PUSH_CHECK:
        case PREPAY_TARIFF_PUSH_VERIFY_READ: {
            if (have_reply && absorb(t, data, data_len) != PREPAY_OK) {
                return r->status;
            }
            if (t->index < t->read_count) {
                return read_request(t, t->reads[t->index++], request);
            }
            if (r->phase == PREPAY_TARIFF_PUSH_PROMOTE_READ) {
                r->di = 0;
                t->copy = t->back;
                if (prepay_dlt645_tariff_check(&t->copy) != PREPAY_OK) {
                    return stop(t, PREPAY_E_DLT645_TARIFF_TABLES); /* nothing was written */
                }
                start_writes(t, &t->copy, 1, PREPAY_TARIFF_PUSH_PROMOTE_WRITE);
                have_reply = false;
                continue;
            }
            const prepay_dlt645_tariff_tables_t *want = r->phase == PREPAY_TARIFF_PUSH_PROMOTE_CHECK ? &t->copy : &t->plan;
            int status = compare(t, want);
            if (status != PREPAY_OK) {
                return status; /* CHECK: the switch-over time is not written, the meter keeps the set in force */
            }
            if (r->phase == PREPAY_TARIFF_PUSH_VERIFY_READ) {
                r->phase = PREPAY_TARIFF_PUSH_DONE;
                return PREPAY_OK;
            }
            t->index = 0;
            r->phase = r->phase == PREPAY_TARIFF_PUSH_CHECK ? PREPAY_TARIFF_PUSH_WRITE_SWITCH
                                                            : PREPAY_TARIFF_PUSH_PROMOTE_SWITCH;
            if (r->phase == PREPAY_TARIFF_PUSH_WRITE_SWITCH) {
                r->switch_at = t->options.has_switch_at ? t->options.switch_at : r->clock - r->clock % 60;
            }
            have_reply = false;
            continue;
        }
        case PREPAY_TARIFF_PUSH_PROMOTE_WRITE:
        case PREPAY_TARIFF_PUSH_WRITE:
            /* A write's reply was checked above (status OK); nothing else to take from it. */
            if (t->index < r->write_count) {
                prepay_dlt645_tariff_write_t w;
                int status = prepay_dlt645_tariff_write_item(t->writing, r->set, t->index++, &w);
                if (status != PREPAY_OK) {
                    return stop(t, status);
                }
                return write_request(t, w.di, w.value, w.length, request);
            }
            if (r->phase == PREPAY_TARIFF_PUSH_PROMOTE_WRITE) {
                plan_reads(t, 1);
                r->phase = PREPAY_TARIFF_PUSH_PROMOTE_CHECK;
            } else {
                plan_reads(t, 2);
                r->phase = PREPAY_TARIFF_PUSH_CHECK;
            }
            have_reply = false;
            continue;
        case PREPAY_TARIFF_PUSH_PROMOTE_SWITCH:
        case PREPAY_TARIFF_PUSH_WRITE_SWITCH: {
            bool promote = r->phase == PREPAY_TARIFF_PUSH_PROMOTE_SWITCH;
            if (t->index < 4u) {
                return write_switch(t, promote, request);
            }
            t->index = 0;
            if (promote) {
                r->promoted = true;
                r->switch_never = true;
                r->phase = PREPAY_TARIFF_PUSH_WRITE_COUNTS;
                have_reply = false;
                continue;
            }
            r->switch_written = true;
            r->di = 0;
            r->set = 2;
            r->write_count = (size_t)prepay_dlt645_tariff_write_count(&t->plan);
            r->phase = PREPAY_TARIFF_PUSH_DONE;
            return PREPAY_OK;
        }
        case PREPAY_TARIFF_PUSH_WRITE_COUNTS: {
            uint8_t value;
            if (t->plan.day_table_count > r->tables) {
                r->tables = t->plan.day_table_count;
                (void)prepay_bcd_encode_byte(r->tables, &value);
                r->counts_written++;
                return write_request(t, PREPAY_DI_DAY_TABLE_COUNT, &value, 1, request);
            }
            if (t->plan.tariff_count > r->tariffs) {
                r->tariffs = t->plan.tariff_count;
                (void)prepay_bcd_encode_byte(r->tariffs, &value);
                r->counts_written++;
                return write_request(t, PREPAY_DI_TARIFF_COUNT, &value, 1, request);
            }
            start_writes(t, &t->plan, 2, PREPAY_TARIFF_PUSH_WRITE);
            have_reply = false;
            continue;
        }
        default:
            return stop(t, PREPAY_E_INVALID_ARGUMENT);
        }
    }
}

const prepay_tariff_push_result_t *prepay_tariff_push_result(const prepay_tariff_push_t *task)
{
    return task ? &task->result : NULL;
}

const char *prepay_tariff_push_phase_name(unsigned phase)
{
    static const char *const names[] = {
        "read the meter date",        "read the meter time",       "read the switch-over time",
        "read the number of day tables", "read the number of tariffs", "read set 2 (in force)",
        "copy set 2 into set 1",      "read set 1 back",           "clear the switch-over times",
        "write larger counts",        "write set 2",               "read set 2 back",
        "write the switch-over times", "read the set back",        "done",
    };
    return phase < sizeof names / sizeof names[0] ? names[phase] : "unknown phase";
}
