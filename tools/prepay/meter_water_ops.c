/* SPDX-License-Identifier: MIT */
/*
 * prepay meter COMMAND --protocol cjt188|modbus: the run and the output on one water meter (hosted),
 * one exchange at a time through water_link.c (the step water-read and water-valve use).
 *
 * CJ/T 188-2004 (docs/water.md):
 *   read            901F (volume, settlement-day volume, clock, ST); items: 8105 purse, 8102 prices,
 *                   8103 / 8104 days, D120..D12B history
 *   read-address    810A to the given or the wildcard address
 *   discover        the wildcard 810A (one meter per line: CJ/T 188 has no collision avoidance), or
 *                   810A to each address given
 *   time-sync       A015, then 901F for the meter clock
 *   relay open|close  A017, then 901F for the valve
 *   recharge        8105, then A013 with purchase serial --count unless it was credited, then 8105
 *   push-tariff     A010 from a water ladder tariff, then 8102 read back (when it takes effect at once)
 *   verify-tariff   8102 compared with the tariff
 * Modbus RTU (--map, default xintai-water): read (the map's registers), relay (the valve register:
 * 1 open, 2 close; then read back). A meter not given by --address is found first by the wildcard 810A.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_file.h"
#include "cli_text.h"
#include "meter_cli.h"
#include "prepay/civil_time.h"
#include "prepay/hosted_status.h"
#include "prepay/modbus.h"
#include "prepay/tariff_json.h"
#include "prepay/water_meter.h"
#include "water_link.h"

#define WATER_VALUES 64

typedef struct water_op {
    const cli_t *cli;
    const meter_options_t *o;
    meter_station_t station; /* --listen: the DTU server the link's DTU dialled in to */
    water_link_t link;
    prepay_cjt188_target_t target;
    char meter[24];
    meter_value_t values[WATER_VALUES];
    size_t count;
    prepay_cjt188_price_table_t want; /* push-tariff, verify-tariff: the tariff's table */
    bool batch;                       /* a meter of a batch: a failure is kept (status, message), not printed */
    int status;
    char message[METER_TEXT_MAX];
} water_op_t;

static int fail(water_op_t *w, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A failed operation: reported (exit 1), or in a batch kept for the meter's result line. */
static int fail(water_op_t *w, int status, const char *fmt, ...)
{
    char text[METER_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!w->batch) {
        return cli_fail(w->cli, status, "%s", text);
    }
    w->status = status;
    snprintf(w->message, sizeof w->message, "%s", text);
    return CLI_EXIT_FAILED;
}

static void value(water_op_t *w, const char *di, const char *name, const char *unit, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void value(water_op_t *w, const char *di, const char *name, const char *unit, const char *fmt, ...)
{
    if (w->count == WATER_VALUES) {
        return;
    }
    meter_value_t *v = &w->values[w->count++];
    snprintf(v->di, sizeof v->di, "%s", di);
    snprintf(v->name, sizeof v->name, "%s", name);
    snprintf(v->unit, sizeof v->unit, "%s", unit);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->value, sizeof v->value, fmt, ap);
    va_end(ap);
}

/* The result: text lines as the DL/T 645 commands print them, or one JSON object. */
static int emit(water_op_t *w)
{
    const meter_options_t *o = w->o;
    if (!w->cli->json) {
        for (size_t i = 0; i < w->count; i++) {
            const meter_value_t *v = &w->values[i];
            printf("%s  %-8s  %s = %s%s%s\n", w->meter, v->di, v->name, v->value, v->unit[0] ? " " : "", v->unit);
        }
        return CLI_EXIT_OK;
    }
    json_t *r = cli_result();
    cli_set(r, "protocol", json_string(o->protocol == METER_CJT188 ? "cjt188" : "modbus"));
    if (o->protocol == METER_MODBUS) {
        cli_set(r, "unit", json_integer(o->unit));
        cli_set(r, "map", json_string(o->map->name));
    } else {
        cli_set(r, "meter", json_string(w->meter));
    }
    cli_set(r, "exchanges", json_integer(w->link.exchanges));
    json_t *values = json_array();
    for (size_t i = 0; i < w->count; i++) {
        json_t *item = json_object();
        if (w->values[i].di[0]) {
            cli_set(item, "di", cli_json_text(w->values[i].di));
        }
        cli_set(item, "name", cli_json_text(w->values[i].name));
        cli_set(item, "value", cli_json_text(w->values[i].value));
        cli_set(item, "unit", cli_json_text(w->values[i].unit));
        json_array_append_new(values, item);
    }
    cli_set(r, "values", values);
    return cli_emit(w->cli, r);
}

static const char *money(prepay_money_t fen, char buf[CLI_TEXT_MAX])
{
    return cli_fixed_text(fen, 2, buf);
}

/* ---- CJ/T 188 ------------------------------------------------------------------------------------ */

/* One request and the check of its reply (parse: the codec's reply parser of the DI). 0, or an exit
 * status (reported, naming the meter and what failed). */
static int exchange(water_op_t *w, const prepay_cjt188_frame_t *request, prepay_cjt188_frame_t *reply,
                    const char *what)
{
    int status = water_link_cjt188(&w->link, request, reply);
    if (status != PREPAY_OK) {
        return fail(w, status, "%s: %s: %s", w->meter, what, w->link.error);
    }
    status = prepay_cjt188_reply_check(request, reply);
    if (status == PREPAY_E_CJT188_ABNORMAL) {
        return fail(w, status, "%s: %s: the meter refused (abnormal reply, ST %04X)", w->meter, what,
                        (unsigned)reply->status);
    }
    return status == PREPAY_OK ? 0 : fail(w, status, "%s: %s: %s", w->meter, what, prepay_strerror(status));
}

static int decoded(water_op_t *w, int status, const char *what)
{
    return status == PREPAY_OK ? 0 : fail(w, status, "%s: %s: %s", w->meter, what, prepay_strerror(status));
}

static int read_di(water_op_t *w, uint16_t di, prepay_cjt188_frame_t *request, prepay_cjt188_frame_t *reply,
                   const char *what)
{
    int status = prepay_cjt188_request_read(request, &w->target, di, w->link.ser++);
    return status != PREPAY_OK ? decoded(w, status, what) : exchange(w, request, reply, what);
}

static void quantity(water_op_t *w, const char *di, const char *name, const prepay_cjt188_quantity_t *q)
{
    prepay_energy_t litres;
    char m3[CLI_TEXT_MAX];
    if (!q->present) {
        value(w, di, name, "", "none");
    } else if (prepay_cjt188_quantity_litres(q, &litres) == PREPAY_OK) {
        value(w, di, name, "m3", "%s", cli_fixed_text(litres, 3, m3));
    } else {
        value(w, di, name, "", "%lld (unit %02X, %u decimals)", (long long)q->value, q->unit, q->decimals);
    }
}

static const char *valve_text(uint16_t st)
{
    prepay_cjt188_valve_t v = prepay_cjt188_status_valve(st);
    return v == PREPAY_CJT188_VALVE_STATE_OPEN ? "open" : (v == PREPAY_CJT188_VALVE_STATE_CLOSED ? "closed"
                                                                                                 : "abnormal");
}

/* 901F: the current data (shown unless `out` is given). */
static int read_current(water_op_t *w, prepay_cjt188_current_t *out)
{
    prepay_cjt188_frame_t request, reply;
    int rc = read_di(w, PREPAY_CJT188_DI_CURRENT, &request, &reply, "read 901F");
    prepay_cjt188_current_t c;
    rc = rc ? rc : decoded(w, prepay_cjt188_reply_current(&request, &reply, &c), "901F reply");
    if (rc != 0 || out) {
        if (out) {
            *out = c;
        }
        return rc;
    }
    quantity(w, "901F", "volume", &c.reading);
    quantity(w, "901F", "settlement-day volume", &c.settlement);
    char when[PREPAY_TIME_TEXT_MAX] = "invalid";
    if (c.clock_state == PREPAY_CJT188_CLOCK_VALID) {
        (void)prepay_time_format(c.clock, PREPAY_TIME_TEXT_SECOND, when, sizeof when);
    } else if (c.clock_state == PREPAY_CJT188_CLOCK_ABSENT) {
        snprintf(when, sizeof when, "none");
    }
    value(w, "901F", "clock", "", "%s", when);
    value(w, "901F", "valve", "", "%s", valve_text(c.status));
    value(w, "901F", "battery", "", "%s", prepay_cjt188_status_battery_low(c.status) ? "low" : "ok");
    value(w, "901F", "status ST", "", "%04X", (unsigned)c.status);
    return 0;
}

static int read_purse(water_op_t *w, prepay_cjt188_purse_t *p, bool show)
{
    prepay_cjt188_frame_t request, reply;
    int rc = read_di(w, PREPAY_CJT188_DI_PURSE, &request, &reply, "read the purse (8105)");
    rc = rc ? rc : decoded(w, prepay_cjt188_reply_purse(&request, &reply, p), "8105 reply");
    if (rc == 0 && show) {
        char a[CLI_TEXT_MAX];
        unsigned s = p->purchase_serial;
        if (!w->o->count_bcd) {
            value(w, "8105", "purchase serial", "", "%u", s);
        } else if ((s >> 4) <= 9 && (s & 0x0Fu) <= 9) {
            value(w, "8105", "purchase serial", "", "%u", (s >> 4) * 10u + (s & 0x0Fu)); /* as --count takes it */
        } else {
            value(w, "8105", "purchase serial", "", "%02XH (not BCD)", s);
        }
        value(w, "8105", "last purchase", "yuan", "%s", money(p->last_fen, a));
        value(w, "8105", "total purchased", "yuan", "%s", money(p->total_fen, a));
        value(w, "8105", "remaining", "yuan", "%s", money(p->remaining_fen, a));
    }
    return rc;
}

static void show_prices(water_op_t *w, const char *di, const prepay_cjt188_price_table_t *t)
{
    char text[CLI_TEXT_MAX];
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "price %d", i + 1);
        value(w, di, name, "yuan/m3", "%s", cli_fixed_text(t->price[i] / 1000000, 2, text));
    }
    for (int i = 0; i < 2; i++) {
        char name[16];
        snprintf(name, sizeof name, "step %d", i + 1);
        value(w, di, name, "m3", "%s", cli_fixed_text(t->step_litres[i] / 1000, 0, text)); /* whole m3 on the wire */
    }
}

static int read_prices(water_op_t *w, prepay_cjt188_price_table_t *t, bool show)
{
    prepay_cjt188_frame_t request, reply;
    int rc = read_di(w, PREPAY_CJT188_DI_PRICE_TABLE, &request, &reply, "read the price table (8102)");
    rc = rc ? rc : decoded(w, prepay_cjt188_reply_price_table(&request, &reply, t), "8102 reply");
    if (rc == 0 && show) {
        show_prices(w, "8102", t);
    }
    return rc;
}

static int read_item(water_op_t *w, uint16_t di)
{
    if (di == PREPAY_CJT188_DI_CURRENT) {
        return read_current(w, NULL);
    }
    if (di == PREPAY_CJT188_DI_PURSE) {
        prepay_cjt188_purse_t p;
        return read_purse(w, &p, true);
    }
    if (di == PREPAY_CJT188_DI_PRICE_TABLE) {
        prepay_cjt188_price_table_t t;
        return read_prices(w, &t, true);
    }
    char text[8], what[24];
    snprintf(text, sizeof text, "%04X", di);
    snprintf(what, sizeof what, "read %s", text);
    prepay_cjt188_frame_t request, reply;
    int rc = read_di(w, di, &request, &reply, what);
    if (rc != 0) {
        return rc;
    }
    if (di == PREPAY_CJT188_DI_SETTLEMENT_DAY || di == PREPAY_CJT188_DI_READING_DAY) {
        uint8_t day;
        rc = decoded(w, prepay_cjt188_reply_day(&request, &reply, &day), what);
        if (rc == 0) {
            value(w, text, di == PREPAY_CJT188_DI_SETTLEMENT_DAY ? "settlement day" : "reading day", "", "%u", day);
        }
        return rc;
    }
    prepay_cjt188_quantity_t q;
    rc = decoded(w, prepay_cjt188_reply_history(&request, &reply, &q), what);
    if (rc == 0) {
        char name[40];
        snprintf(name, sizeof name, "settlement-day volume, %u month%s ago", di - PREPAY_CJT188_DI_HISTORY_FIRST + 1u,
                 di == PREPAY_CJT188_DI_HISTORY_FIRST ? "" : "s");
        quantity(w, text, name, &q);
    }
    return rc;
}

/* 810A to the target: the meter's type and address. 0, 1 no reply (when `quiet`), or an exit status. */
static int read_address(water_op_t *w, const prepay_cjt188_address_t *address, bool quiet, uint8_t *type,
                        prepay_cjt188_address_t *found)
{
    prepay_cjt188_target_t target = w->target;
    target.meter_type = PREPAY_CJT188_WILDCARD_BYTE;
    target.address = *address;
    prepay_cjt188_frame_t request, reply;
    int status = prepay_cjt188_request_read_address(&request, &target, w->link.ser++);
    status = status ? status : water_link_cjt188(&w->link, &request, &reply);
    if (quiet && status == PREPAY_E_STATION_TIMEOUT) {
        return 1;
    }
    if (status != PREPAY_OK) {
        bool wildcard = address->bytes[0] == PREPAY_CJT188_WILDCARD_BYTE;
        return fail(w, status, "%s: read address (810A): %s%s", w->meter,
                        w->link.error[0] ? w->link.error : prepay_strerror(status),
                        wildcard && status == PREPAY_E_STATION_TIMEOUT
                            ? " (no meter, or several: CJ/T 188 meters on one line answer the wildcard at once and "
                              "garble each other; give --address)"
                            : "");
    }
    return decoded(w, prepay_cjt188_reply_address(&request, &reply, type, found), "810A reply");
}

static void address_text(const prepay_cjt188_address_t *a, char *out, size_t cap)
{
    if (prepay_cjt188_address_to_string(a, out, cap) < 0) {
        snprintf(out, cap, "?");
    }
}

static int discover(water_op_t *w)
{
    const meter_options_t *o = w->o;
    prepay_cjt188_address_t found[METER_MAX_DIS];
    size_t count = 0;
    unsigned probes = 0;
    size_t n = o->scan_count ? o->scan_count : 1;
    for (size_t i = 0; i < n; i++) {
        prepay_cjt188_address_t probe = o->scan_count ? o->scan[i] : prepay_cjt188_address_wildcard();
        uint8_t type;
        probes++;
        int rc = read_address(w, &probe, true, &type, &found[count]);
        if (rc == 0) {
            count++;
        } else if (rc != 1) {
            return rc;
        }
    }
    if (w->cli->json) {
        json_t *r = cli_result();
        json_t *list = json_array();
        for (size_t i = 0; i < count; i++) {
            char text[16];
            address_text(&found[i], text, sizeof text);
            json_array_append_new(list, json_string(text));
        }
        cli_set(r, "protocol", json_string("cjt188"));
        cli_set(r, "meters", list);
        cli_set(r, "probes", json_integer(probes));
        return cli_emit(w->cli, r);
    }
    for (size_t i = 0; i < count; i++) {
        char text[16];
        address_text(&found[i], text, sizeof text);
        printf("%s\n", text);
    }
    fprintf(stderr, "%s: %zu meter%s found in %u probe%s%s\n", w->cli->program, count, count == 1 ? "" : "s", probes,
            probes == 1 ? "" : "s",
            o->scan_count == 0 && count == 0 ? " (the wildcard finds one meter per line: give the addresses to scan)"
                                             : "");
    return CLI_EXIT_OK;
}

/* A write and the check of its reply. */
static int write_frame(water_op_t *w, int built, prepay_cjt188_frame_t *request, const char *what,
                       prepay_cjt188_write_ack_t *ack)
{
    prepay_cjt188_frame_t reply;
    int rc = built != PREPAY_OK ? decoded(w, built, what) : exchange(w, request, &reply, what);
    return rc ? rc : decoded(w, prepay_cjt188_reply_write(request, &reply, ack), what);
}

static int recharge(water_op_t *w)
{
    const meter_options_t *o = w->o;
    prepay_cjt188_purse_t before;
    int rc = read_purse(w, &before, false);
    if (rc != 0) {
        return rc;
    }
    char a[CLI_TEXT_MAX];
    /* The library's rule (the meter's): the same serial is a replay, the next (binary, or BCD 00..99 with
     * --count-bcd) a new purchase. */
    const bool bcd = o->count_bcd;
    const uint8_t last = before.purchase_serial;
    const uint8_t serial = bcd ? (uint8_t)((o->count / 10u) << 4 | (o->count % 10u)) : (uint8_t)o->count;
    const unsigned shown = bcd ? (last >> 4) * 10u + (last & 0x0Fu) : last; /* the meter's serial as --count */
    int check = prepay_cjt188_purchase_check(true, last, serial, bcd);
    if (check == PREPAY_E_CJT188_PURCHASE_REPEAT) {
        value(w, "8105", "recharge", "", "purchase %u was already credited: nothing written", (unsigned)o->count);
        value(w, "8105", "remaining", "yuan", "%s", money(before.remaining_fen, a));
        return 0;
    }
    if (check == PREPAY_E_CJT188_BAD_VALUE) {
        return fail(w, check, "%s: the meter's purchase serial %02X is not BCD (--count-bcd): nothing written",
                    w->meter, (unsigned)last);
    }
    if (check != PREPAY_OK) {
        return fail(w, check,
                    "%s: purchase serial %u does not follow the meter's serial %u (next is %u%s): nothing written",
                    w->meter, (unsigned)o->count, shown, (shown + 1u) % (bcd ? 100u : 256u), bcd ? ", BCD" : "");
    }
    prepay_cjt188_frame_t request;
    prepay_cjt188_write_ack_t ack;
    rc = write_frame(w, prepay_cjt188_request_purchase(&request, &w->target, w->link.ser++, serial, o->amount),
                     &request, "purchase (A013)", &ack);
    if (rc != 0) {
        return rc;
    }
    value(w, "A013", "recharge", "", "%s yuan credited as purchase %u", money(o->amount, a), (unsigned)o->count);
    prepay_cjt188_purse_t after;
    rc = read_purse(w, &after, false);
    if (rc == 0) {
        value(w, "8105", "remaining", "yuan", "%s", money(after.remaining_fen, a));
    }
    return rc;
}

/* The tariff file's price table, loaded once before the bus opens ('-': the standard input); its start
 * day is set when it is written. 0, or an exit status (reported). */
static int tariff_table(water_op_t *w)
{
    static prepay_tariff_doc_t doc;
    char text[PREPAY_TARIFF_JSON_ERROR_MAX];
    const meter_options_t *o = w->o;
    const char *name = cli_input_name(o->tariff_path);
    int status;
    if (strcmp(o->tariff_path, "-") == 0) {
        char *data = NULL;
        size_t len = 0;
        if (cli_read_input("-", 1u << 20, &data, &len, &status, text, sizeof text) != 0) {
            return cli_bad_status(w->cli, status, "%s", text);
        }
        status = prepay_tariff_doc_load_buffer(data, len, name, &doc, text, sizeof text);
        free(data);
    } else {
        status = prepay_tariff_doc_load_file(o->tariff_path, &doc, text, sizeof text);
    }
    if (status != PREPAY_OK) {
        return cli_bad_status(w->cli, status, "%s", text);
    }
    if (o->tariff_set == 1 && !doc.has_set_b) {
        return cli_bad(w->cli, "%s: --tariff-set b, but the file has no set B", name);
    }
    status = prepay_water_price_table_from_tariff(&doc.sets[o->tariff_set], 1, &w->want);
    if (status != PREPAY_OK) {
        return cli_bad_status(w->cli, status,
                              "%s: a CJ/T 188 price table (3 prices, 2 steps) cannot hold this tariff: %s", name,
                              prepay_strerror(status));
    }
    return 0;
}

static int compare(water_op_t *w, const prepay_cjt188_price_table_t *want, const prepay_cjt188_price_table_t *got)
{
    char a[CLI_TEXT_MAX], b[CLI_TEXT_MAX];
    unsigned differences = 0;
    for (int i = 0; i < 3; i++) {
        if (want->price[i] != got->price[i]) {
            value(w, "8102", "difference", "", "price %d: meter %s, tariff %s yuan/m3", i + 1,
                  cli_fixed_text(got->price[i] / 1000000, 2, a), cli_fixed_text(want->price[i] / 1000000, 2, b));
            differences++;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (want->step_litres[i] != got->step_litres[i]) {
            value(w, "8102", "difference", "", "step %d: meter %s, tariff %s m3", i + 1,
                  cli_fixed_text(got->step_litres[i] / 1000, 0, a), cli_fixed_text(want->step_litres[i] / 1000, 0, b));
            differences++;
        }
    }
    if (differences == 0) {
        value(w, "8102", "verify", "", "the meter's price table is the tariff's");
        return 0;
    }
    if (!w->batch) {
        (void)emit(w); /* the differences, then the failure (a batch keeps them as the meter's values) */
    }
    return fail(w, PREPAY_E_DLT645_TARIFF_TABLES,
                    "%s: the meter's price table differs from %s (%u difference%s)",
                    w->meter, cli_input_name(w->o->tariff_path), differences, differences == 1 ? "" : "s");
}

static int tariff(water_op_t *w)
{
    const meter_options_t *o = w->o;
    prepay_cjt188_price_table_t got;
    int rc;
    if (o->command == CMD_PUSH_TARIFF) {
        /* The start day: --at's day (00:00 of the next such day), or the day of the meter's clock (at once). */
        prepay_time_t when = o->time;
        if (!o->has_time) {
            prepay_cjt188_current_t current;
            rc = read_current(w, &current);
            if (rc != 0) {
                return rc;
            }
            if (current.clock_state != PREPAY_CJT188_CLOCK_VALID) {
                return fail(w, PREPAY_E_CJT188_BAD_VALUE,
                                "%s: the meter's clock is not set: sync it (time-sync) or give --at", w->meter);
            }
            when = current.clock;
        }
        prepay_civil_t at;
        if (prepay_time_to_civil(when, &at) != PREPAY_OK) {
            return fail(w, PREPAY_E_OUT_OF_RANGE, "%s: no start day for the table", w->meter);
        }
        w->want.start_day = at.day;
        prepay_cjt188_frame_t request;
        prepay_cjt188_write_ack_t ack;
        rc = write_frame(w, prepay_cjt188_request_write_price_table(&request, &w->target, w->link.ser++, &w->want),
                         &request, "write the price table (A010)", &ack);
        if (rc != 0) {
            return rc;
        }
        show_prices(w, "A010", &w->want);
        value(w, "A010", "start day", "", "%u", w->want.start_day);
        if (o->has_time) {
            return 0; /* in force from the start day: 8102 shows the table in force until then */
        }
    }
    rc = read_prices(w, &got, o->command == CMD_VERIFY_TARIFF);
    return rc ? rc : compare(w, &w->want, &got);
}

static int valve_cjt188(water_op_t *w)
{
    prepay_cjt188_frame_t request;
    prepay_cjt188_write_ack_t ack;
    int rc = write_frame(w, prepay_cjt188_request_valve(&request, &w->target, w->link.ser++, w->o->valve_open),
                         &request, "valve (A017)", &ack);
    if (rc != 0) {
        return rc;
    }
    value(w, "A017", "valve command", "", "%s", w->o->valve_open ? "open" : "close");
    return read_current(w, NULL);
}

static int time_sync(water_op_t *w)
{
    prepay_time_t t = w->o->has_time ? w->o->time : meter_wall_now();
    prepay_cjt188_frame_t request;
    prepay_cjt188_write_ack_t ack;
    int rc = write_frame(w, prepay_cjt188_request_write_time(&request, &w->target, w->link.ser++, t), &request,
                         "write the time (A015)", &ack);
    if (rc != 0) {
        return rc;
    }
    char text[PREPAY_TIME_TEXT_MAX];
    (void)prepay_time_format(t, PREPAY_TIME_TEXT_SECOND, text, sizeof text);
    value(w, "A015", "time written", "", "%s", text);
    return read_current(w, NULL);
}

static int run_cjt188(water_op_t *w)
{
    const meter_options_t *o = w->o;
    w->target.meter_type = o->meter_type;
    w->target.di_order = PREPAY_CJT188_DI_AUTO;
    w->target.address = o->has_water_address ? o->water_address : prepay_cjt188_address_wildcard();
    address_text(&w->target.address, w->meter, sizeof w->meter);
    if (o->command == CMD_DISCOVER) {
        return discover(w);
    }
    if (o->command == CMD_READ_ADDRESS || !o->has_water_address) {
        /* No --address: the one meter on the bus, by the wildcard read-address. */
        uint8_t type = 0;
        prepay_cjt188_address_t found;
        snprintf(w->meter, sizeof w->meter, "%s", o->has_water_address ? w->meter : "bus");
        int rc = read_address(w, &w->target.address, false, &type, &found);
        if (rc != 0) {
            return rc;
        }
        w->target.address = found;
        w->target.meter_type = type;
        address_text(&found, w->meter, sizeof w->meter);
        if (o->command == CMD_READ_ADDRESS) {
            value(w, "810A", "address", "", "%s", w->meter);
            value(w, "810A", "meter type", "", "%02X", type);
            return 0;
        }
    }
    switch (o->command) {
    case CMD_READ:
        for (size_t i = 0; i < o->di_count; i++) {
            int rc = read_item(w, (uint16_t)o->dis[i].di);
            if (rc != 0) {
                return rc;
            }
        }
        return 0;
    case CMD_TIME_SYNC: return time_sync(w);
    case CMD_RELAY: return valve_cjt188(w);
    case CMD_RECHARGE: return recharge(w);
    default: return tariff(w); /* push-tariff, verify-tariff */
    }
}

/* ---- Modbus RTU ------------------------------------------------------------------------------------ */

static int modbus_read(water_op_t *w, const prepay_modbus_register_t *reg, bool tolerate_exception)
{
    prepay_modbus_adu_t request, response;
    uint16_t words[4];
    int64_t v = 0;
    char address[8];
    snprintf(address, sizeof address, "%04X", reg->address);
    int status = prepay_modbus_request_read(&request, (uint8_t)w->o->unit, reg->function, reg->address,
                                            (uint16_t)prepay_modbus_type_words(reg->type));
    status = status ? status : water_link_modbus(&w->link, w->o->unit, &request, &response);
    if (status == PREPAY_E_MODBUS_EXCEPTION && tolerate_exception) {
        value(w, address, reg->name, "", "not read (exception %02X)", w->link.exception);
        return 0;
    }
    if (status != PREPAY_OK) {
        return fail(w, status, "%s: %s: %s", w->meter, reg->name,
                        w->link.error[0] ? w->link.error : prepay_strerror(status));
    }
    int n = prepay_modbus_response_registers(&request, &response, words, 4);
    status = n < 0 ? n : prepay_modbus_value_decode(reg, words, (size_t)n, &v);
    if (status != PREPAY_OK) {
        return fail(w, status, "%s: %s: %s", w->meter, reg->name, prepay_strerror(status));
    }
    /* The map's unit: x 10^exponent; show litres as m3 with 3 decimals, other units as decoded. */
    char text[CLI_TEXT_MAX];
    if (strcmp(reg->name, "valve") == 0) {
        const char *state = (v & 4) ? "abnormal" : (v & 2) ? "closed" : (v & 1) ? "open" : "unknown";
        value(w, address, reg->name, "", "%s", state);
    } else if (reg->unit == PREPAY_MODBUS_UNIT_LITRE) {
        value(w, address, reg->name, "m3", "%s", cli_fixed_text(v, 3, text));
    } else {
        value(w, address, reg->name, prepay_modbus_unit_symbol(reg->unit), "%lld", (long long)v);
    }
    return 0;
}

static int run_modbus(water_op_t *w)
{
    const meter_options_t *o = w->o;
    snprintf(w->meter, sizeof w->meter, "unit %d", o->unit);
    if (o->command == CMD_RELAY) {
        const prepay_modbus_register_t *reg = prepay_modbus_map_find(o->map, "valve");
        prepay_modbus_adu_t request, response;
        int status = prepay_modbus_request_write_register(&request, (uint8_t)o->unit, reg->address,
                                                          o->valve_open ? 1 : 2);
        status = status ? status : water_link_modbus(&w->link, o->unit, &request, &response);
        if (status != PREPAY_OK) {
            return fail(w, status, "%s: valve write: %s", w->meter,
                            w->link.error[0] ? w->link.error : prepay_strerror(status));
        }
        char at[8];
        snprintf(at, sizeof at, "%04X", reg->address);
        value(w, at, "valve command", "", "%s", o->valve_open ? "open" : "close");
        return modbus_read(w, reg, false);
    }
    for (size_t i = 0; i < o->di_count; i++) {
        /* Every register of the map: the optional ones (pressure, temperature) may be missing. */
        int rc = modbus_read(w, &o->map->registers[o->dis[i].di], true);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* What the run of every meter needs first: the tariff's table (push-tariff, verify-tariff: a tariff the
 * table cannot hold is refused before the bus opens), then the bus. 0, or an exit status (reported). */
static int start(water_op_t *w, const cli_t *cli, const meter_options_t *o)
{
    w->cli = cli;
    w->o = o;
    if (o->command == CMD_PUSH_TARIFF || o->command == CMD_VERIFY_TARIFF) {
        int rc = tariff_table(w);
        if (rc != 0) {
            return rc;
        }
    }
    char err[sizeof w->link.error];
    if (meter_station_open(&w->station, o, err, sizeof err) != 0) {
        return cli_fail(cli, w->station.status, "%s", err);
    }
    if (o->link == LINK_LISTEN && o->dtu[0] == '\0') {
        return 0; /* a batch over DTUs named by its site file: meter_water_batch_bus() attaches them */
    }
    int status = meter_transport_open(&w->station, &w->link.t, o->dtu, err, sizeof err);
    if (status != PREPAY_OK) {
        meter_station_close(&w->station);
        return cli_fail(cli, status, "%s", err);
    }
    water_link_adopt(&w->link, o->station.reply_timeout_ms, o->station.retries);
    return 0;
}

/* The link, then the DTU server it may belong to. */
static void stop(water_op_t *w)
{
    water_link_close(&w->link);
    meter_station_close(&w->station);
}

int meter_water_run(const cli_t *cli, const meter_options_t *o)
{
    static water_op_t w;
    memset(&w, 0, sizeof w);
    int rc = start(&w, cli, o);
    if (rc != 0) {
        return rc;
    }
    rc = o->protocol == METER_CJT188 ? run_cjt188(&w) : run_modbus(&w);
    stop(&w);
    if (rc != 0 || o->command == CMD_DISCOVER) {
        return rc;
    }
    return emit(&w);
}

/* ---- batch (cmd_meter_batch.c) ------------------------------------------------------------------------- */

struct meter_water_batch {
    water_op_t w;
    char dtu[PREPAY_DTU_ID_TEXT_MAX]; /* --listen: the DTU the link is on ("" none) */
};

int meter_water_batch_open(const cli_t *cli, const meter_options_t *o, struct meter_water_batch **out)
{
    struct meter_water_batch *b = calloc(1, sizeof *b);
    if (!b) {
        return cli_fail(cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    int rc = start(&b->w, cli, o);
    if (rc != 0) {
        free(b);
        return rc;
    }
    b->w.batch = true;
    if (b->w.link.open) {
        snprintf(b->dtu, sizeof b->dtu, "%s", o->dtu);
    }
    *out = b;
    return 0;
}

bool meter_water_batch_bus(struct meter_water_batch *b, const char *dtu, meter_op_t *op)
{
    water_op_t *w = &b->w;
    if (w->link.open && strcmp(b->dtu, dtu) == 0) {
        return true;
    }
    memset(op, 0, sizeof *op);
    if (dtu[0] == '\0') {
        meter_op_fail(op, OUT_FAILED, "no DTU for this meter (--dtu or a dtu column)");
        return false;
    }
    water_link_close(&w->link);
    b->dtu[0] = '\0';
    char err[sizeof w->link.error];
    int status = meter_transport_open(&w->station, &w->link.t, dtu, err, sizeof err);
    if (status != PREPAY_OK) {
        meter_op_fail(op, OUT_LINK, "%s", err); /* names the DTU */
        return false;
    }
    water_link_adopt(&w->link, w->o->station.reply_timeout_ms, w->o->station.retries);
    snprintf(b->dtu, sizeof b->dtu, "%s", dtu);
    return true;
}

/* The batch outcome of a failed operation's status. */
static meter_outcome_t outcome(int status)
{
    switch (status) {
    case PREPAY_E_STATION_TIMEOUT: return OUT_TIMEOUT;
    case PREPAY_E_CJT188_ABNORMAL:
    case PREPAY_E_MODBUS_EXCEPTION: return OUT_ABNORMAL;
    case PREPAY_E_DLT645_TARIFF_TABLES: return OUT_DIFFERENT;
    case PREPAY_E_TRANSPORT_CLOSED:
    case PREPAY_E_TRANSPORT_IO:
    case PREPAY_E_TRANSPORT_TIMEOUT: return OUT_LINK;
    default: return OUT_FAILED;
    }
}

void meter_water_batch_meter(struct meter_water_batch *b, const meter_options_t *per_meter, meter_op_t *op)
{
    water_op_t *w = &b->w;
    w->o = per_meter;
    w->count = 0;
    w->status = PREPAY_OK;
    w->message[0] = '\0';
    memset(&w->target, 0, sizeof w->target);
    unsigned before = w->link.exchanges;
    int rc = per_meter->protocol == METER_CJT188 ? run_cjt188(w) : run_modbus(w);
    memset(op, 0, sizeof *op);
    op->options = per_meter;
    snprintf(op->meter_text, sizeof op->meter_text, "%s", w->meter);
    for (size_t i = 0; i < w->count; i++) {
        meter_op_value(op, w->values[i].di, w->values[i].name, w->values[i].value, w->values[i].unit);
    }
    op->exchanges = w->link.exchanges - before;
    op->outcome = rc == 0 ? OUT_OK : outcome(w->status);
    /* The result line names the meter: its message without the "METER: " of a single run's. */
    size_t len = strlen(w->meter);
    const char *message = strncmp(w->message, w->meter, len) == 0 && strncmp(w->message + len, ": ", 2) == 0
                              ? w->message + len + 2
                              : w->message;
    snprintf(op->message, sizeof op->message, "%s", message);
}

void meter_water_batch_close(struct meter_water_batch *b)
{
    if (b) {
        stop(&b->w);
        free(b);
    }
}
