/* SPDX-License-Identifier: MIT */
/*
 * prepay meter batch SITE.csv COMMAND: the same operation on every meter of a
 * site, now or at a given time. One loop runs every bus at once (a serial
 * port or TCP connection is one bus; with --listen, each DTU is a bus), one
 * meter after another on each bus (DL/T 645-2007 clause 7.3: one request at
 * a time on a bus). Meters that did not answer (timeout, link lost) are
 * tried again in further rounds; refusals are final. Results per meter go
 * to stdout and to --results (CSV or JSON), with a summary on stderr; an
 * interrupted batch (SIGINT, SIGTERM) still writes what it has. With
 * --protocol cjt188|modbus the meters are water meters on the one bus, run
 * one after another by meter_water_ops.c, with the same results and rounds.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_csv.h"
#include "cli_file.h"
#include "meter_cli.h"
#include "prepay/hosted_status.h"
#include "prepay/fixed_point.h"

typedef struct site_meter {
    prepay_dlt645_address_t address;
    prepay_cjt188_address_t water_address; /* --protocol cjt188: the address column */
    int unit;                              /* --protocol modbus: the address column, the unit 1..247 */
    char meter_text[24];                   /* a water meter as its results name it */
    char dtu[PREPAY_DTU_ID_TEXT_MAX];
    bool has_amount, has_count;
    prepay_money_t amount;
    uint32_t count;
    int line;
    /* result */
    meter_outcome_t outcome;
    char message[METER_TEXT_MAX];
    meter_value_t *values;
    size_t value_count;
    unsigned rounds, exchanges;
    bool broadcast;
} site_meter_t;

typedef struct batch_bus {
    meter_bus_t bus;
    bool usable;
    char error[METER_TEXT_MAX];
    size_t *queue; /* meter indexes of this bus */
    size_t queued, next;
    meter_op_t op;
    meter_options_t op_options;
    bool busy;      /* an operation is under way */
    size_t current; /* its meter */
    meter_exchange_t ex;
} batch_bus_t;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* ---- the site file ------------------------------------------------------------------ */

/* The site file: CSV (docs/cli.md "CSV input"), columns address[,dtu,amount,count], or a header naming them
 * (and then optionally protocol: dlt645, cjt188 or modbus; empty: the batch's --protocol). The address is
 * the protocol's: 12 digits (DL/T 645), 14 digits (CJ/T 188), or the unit 1..247 (Modbus). 0, 1 a meter of
 * another protocol than the batch's (not one of the batch), or METER_EXIT_USAGE with the message in err. */
static int site_meter(const cli_csv_t *csv, const int columns[5], const meter_options_t *o, site_meter_t *m,
                      char *err, size_t cap)
{
    const char *origin = csv->origin;
    unsigned long number = csv->record_line;
    memset(m, 0, sizeof *m);
    m->line = (int)number;
    const char *field[5];
    for (int k = 0; k < 5; k++) {
        field[k] = columns[k] >= 0 && (size_t)columns[k] < csv->count ? csv->fields[columns[k]] : "";
    }
    static const char *const protocols[] = {"dlt645", "cjt188", "modbus"};
    int protocol = field[4][0] ? -1 : o->protocol; /* empty: the batch's */
    for (int k = 0; k < 3; k++) {
        protocol = strcmp(field[4], protocols[k]) == 0 ? k : protocol;
    }
    if (protocol < 0) {
        return cli_message(METER_EXIT_USAGE, err, cap, "%s:%lu: protocol '%s' is not dlt645, cjt188 or modbus",
                           origin, number, field[4]);
    }
    if (field[4][0] && protocol != o->protocol) {
        return 1;
    }
    char *unit_end = NULL;
    long unit = o->protocol == METER_MODBUS ? strtol(field[0], &unit_end, 10) : 0;
    if (o->protocol == METER_CJT188) {
        if (prepay_cjt188_address_from_string(field[0], strlen(field[0]), &m->water_address) != PREPAY_OK ||
            memchr(m->water_address.bytes, PREPAY_CJT188_WILDCARD_BYTE, sizeof m->water_address.bytes)) {
            return cli_message(METER_EXIT_USAGE, err, cap,
                               "%s:%lu: '%s' is not a CJ/T 188 meter address (14 digits)", origin, number, field[0]);
        }
        (void)prepay_cjt188_address_to_string(&m->water_address, m->meter_text, sizeof m->meter_text);
    } else if (o->protocol == METER_MODBUS) {
        if (!isdigit((unsigned char)field[0][0]) || *unit_end != '\0' || unit < 1 || unit > 247) {
            return cli_message(METER_EXIT_USAGE, err, cap, "%s:%lu: '%s' is not a Modbus unit (1..247)", origin,
                               number, field[0]);
        }
        m->unit = (int)unit;
        snprintf(m->meter_text, sizeof m->meter_text, "unit %d", m->unit);
    } else if (prepay_dlt645_address_from_string(field[0], strlen(field[0]), &m->address) != PREPAY_OK ||
               prepay_dlt645_address_is_wildcard(&m->address) || prepay_dlt645_address_is_broadcast(&m->address)) {
        return cli_message(METER_EXIT_USAGE, err, cap, "%s:%lu: '%s' is not a meter address (12 digits)", origin,
                           number, field[0]);
    }
    if (strlen(field[1]) >= sizeof m->dtu) {
        return cli_message(METER_EXIT_USAGE, err, cap, "%s:%lu: dtu '%s' is longer than %zu characters", origin,
                           number, field[1], sizeof m->dtu - 1);
    }
    snprintf(m->dtu, sizeof m->dtu, "%s", field[1]);
    if (field[2][0]) {
        int64_t fen;
        if (prepay_fixed_parse(field[2], strlen(field[2]), 2, &fen) != PREPAY_OK || fen <= 0 || fen > 99999999) {
            return cli_message(METER_EXIT_USAGE, err, cap, "%s:%lu: amount '%s' is not 0.01..999999.99 yuan", origin,
                               number, field[2]);
        }
        m->amount = fen;
        m->has_amount = true;
    }
    if (field[3][0]) {
        char *end;
        unsigned long c = strtoul(field[3], &end, 10);
        if (!isdigit((unsigned char)field[3][0]) || *end != '\0' || c > 99999999ul) {
            return cli_message(METER_EXIT_USAGE, err, cap, "%s:%lu: count '%s' is not a purchase count", origin,
                               number, field[3]);
        }
        m->count = (uint32_t)c;
        m->has_count = true;
        unsigned most = o->count_bcd ? 99u : 255u;
        if (o->protocol == METER_CJT188 && c > most) {
            return cli_message(METER_EXIT_USAGE, err, cap, "%s:%lu: count %lu: a CJ/T 188 purchase serial is 0..%u",
                               origin, number, c, most);
        }
    }
    return 0;
}

static int load_site(const meter_options_t *o, site_meter_t **out, size_t *count, char *err, size_t cap)
{
    const char *path = o->site_path;
    char *text = NULL;
    size_t len = 0;
    if (cli_read_input(path, 64u << 20, &text, &len, NULL, err, cap) != 0) {
        return METER_EXIT_USAGE;
    }
    cli_csv_t csv;
    cli_csv_init(&csv, text, len, cli_input_name(path));
    site_meter_t *meters = NULL;
    size_t n = 0, space = 0;
    int columns[5] = {0, 1, 2, 3, -1}; /* address, dtu, amount, count, protocol (by a header only) */
    bool first = true;
    int rc = 0, got = 0;
    while (rc == 0 && (got = cli_csv_next(&csv, err, cap)) == 1) {
        const char *head = csv.fields[0];
        if (first && strcmp(head, "address") == 0) {
            /* A header: find the columns by name. */
            static const char *const names[5] = {"address", "dtu", "amount", "count", "protocol"};
            for (int k = 0; k < 5; k++) {
                columns[k] = -1;
                for (size_t i = 0; i < csv.count; i++) {
                    columns[k] = strcmp(csv.fields[i], names[k]) == 0 ? (int)i : columns[k];
                }
            }
            first = false;
            continue;
        }
        first = false;
        if (n == space) {
            space = space ? space * 2 : 64;
            site_meter_t *grown = realloc(meters, space * sizeof *grown);
            if (!grown) {
                rc = cli_message(METER_EXIT_FIELD, err, cap, "out of memory");
                break;
            }
            meters = grown;
        }
        rc = site_meter(&csv, columns, o, &meters[n], err, cap);
        n += rc == 0;
        rc = rc == 1 ? 0 : rc; /* another protocol's meter */
    }
    if (rc == 0 && got < 0) {
        rc = METER_EXIT_USAGE; /* the reader's message is in err */
    }
    if (rc == 0 && n == 0) {
        rc = cli_message(METER_EXIT_USAGE, err, cap, "%s: no meters%s", cli_input_name(path),
                         o->protocol != METER_DLT645 ? " of the protocol" : "");
    }
    cli_csv_free(&csv);
    free(text);
    if (rc != 0) {
        free(meters);
        return rc;
    }
    *out = meters;
    *count = n;
    return 0;
}

/* ---- running ----------------------------------------------------------------------------- */

static void record(site_meter_t *m, meter_op_t *op)
{
    free(m->values);
    m->outcome = op->outcome;
    snprintf(m->message, sizeof m->message, "%s", op->message);
    m->values = op->values;
    m->value_count = op->value_count;
    m->exchanges += op->exchanges;
    op->values = NULL;
    op->value_count = op->value_cap = 0;
    meter_op_free(op);
}

static bool start_next(batch_bus_t *b, site_meter_t *meters, const meter_options_t *o, unsigned round)
{
    while (b->next < b->queued && !interrupted) {
        size_t index = b->queue[b->next++];
        site_meter_t *m = &meters[index];
        if (m->rounds > 0 && !meter_outcome_retryable(m->outcome)) {
            continue;
        }
        m->rounds = round;
        b->op_options = *o;
        if (m->has_amount) {
            b->op_options.amount = m->amount;
        }
        if (m->has_count) {
            b->op_options.count = m->count;
            b->op_options.has_count = true;
        }
        if (o->command == CMD_RECHARGE && !b->op_options.has_count) {
            meter_op_init(&b->op, &b->op_options, &m->address);
            meter_op_fail(&b->op, OUT_FAILED, "no purchase count (--count or a count column)");
            record(m, &b->op);
            continue;
        }
        if (meter_op_init(&b->op, &b->op_options, &m->address) != 0) {
            record(m, &b->op);
            continue;
        }
        b->current = index;
        if (meter_bus_start(&b->bus, &b->op, NULL)) {
            b->busy = true;
            return true;
        }
        record(m, &b->op);
    }
    return false;
}

static void progress(const site_meter_t *meters, size_t n, unsigned round, bool final)
{
    size_t counts[OUT_FAILED + 1] = {0};
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        if (meters[i].rounds > 0 && meters[i].outcome != OUT_PENDING) {
            counts[meters[i].outcome]++;
            done++;
        }
    }
    fprintf(stderr, "\rround %u: %zu/%zu meters: %zu ok, %zu refused, %zu timeout, %zu link, %zu other%s", round,
            done, n, counts[OUT_OK], counts[OUT_ABNORMAL], counts[OUT_TIMEOUT], counts[OUT_LINK],
            counts[OUT_MALFORMED] + counts[OUT_DIFFERENT] + counts[OUT_FAILED], final ? "\n" : "   ");
    fflush(stderr);
}

/* One round over every bus at once. */
static void run_round(meter_station_t *st, batch_bus_t *buses, size_t bus_count, site_meter_t *meters,
                      size_t meter_count, const meter_options_t *o, unsigned round, bool show)
{
    prepay_link_t **links = calloc(bus_count, sizeof *links);
    for (size_t i = 0; i < bus_count; i++) {
        buses[i].next = 0;
        buses[i].busy = false;
        if (buses[i].usable) {
            links[i] = &buses[i].bus.link;
            (void)start_next(&buses[i], meters, o, round);
        }
    }
    uint64_t last_shown = 0;
    for (;;) {
        if (interrupted) {
            /* Stop at once: requests under way are abandoned, their meters left not done. */
            for (size_t i = 0; i < bus_count; i++) {
                batch_bus_t *b = &buses[i];
                if (b->busy) {
                    (void)prepay_station_cancel(&b->bus.link.session);
                    b->bus.link.state = PREPAY_LINK_IDLE;
                    meter_op_fail(&b->op, OUT_PENDING, "interrupted");
                    record(&meters[b->current], &b->op);
                    b->busy = false;
                }
            }
            break;
        }
        bool any = false;
        for (size_t i = 0; i < bus_count; i++) {
            any = any || buses[i].busy;
        }
        if (!any) {
            break;
        }
        int status = prepay_links_poll(st->server_open ? &st->server : NULL, links, bus_count, 500);
        if (status != PREPAY_OK) {
            break;
        }
        for (size_t i = 0; i < bus_count; i++) {
            batch_bus_t *b = &buses[i];
            if (!b->busy || !prepay_link_done(&b->bus.link)) {
                continue;
            }
            meter_bus_collect(&b->bus, &b->ex);
            if (!interrupted && meter_bus_start(&b->bus, &b->op, &b->ex)) {
                continue;
            }
            if (interrupted && b->op.outcome == OUT_PENDING) {
                meter_op_fail(&b->op, OUT_PENDING, "interrupted");
            }
            record(&meters[b->current], &b->op);
            b->busy = false;
            (void)start_next(b, meters, o, round);
        }
        uint64_t now = prepay_transport_now_ms();
        if (show && now - last_shown >= 200) {
            progress(meters, meter_count, round, false);
            last_shown = now;
        }
    }
    free(links);
    if (show) {
        progress(meters, meter_count, round, true);
    }
}

/* ---- results --------------------------------------------------------------------------------- */

/* The per-meter results file (CSV or JSON by its name), written whole or not at all (cli_output). */
static int write_results(const cli_t *cli, const char *path, const site_meter_t *meters, size_t n)
{
    char err[CLI_MESSAGE_MAX];
    cli_output_t out;
    if (cli_output_open(&out, path, err, sizeof err) != 0) {
        return cli_fail(cli, PREPAY_E_HOSTED_IO, "%s", err);
    }
    FILE *f = out.file;
    size_t len = strlen(path);
    bool json = len > 5 && strcmp(path + len - 5, ".json") == 0;
    fputs(json ? "[\n" : "meter,dtu,status,error,rounds,di,name,value,unit\n", f);
    for (size_t i = 0; i < n; i++) {
        const site_meter_t *m = &meters[i];
        const char *message = m->rounds == 0 && m->outcome == OUT_PENDING ? "not tried" : m->message;
        if (json) {
            meter_op_t view;
            memset(&view, 0, sizeof view);
            view.address = m->address;
            snprintf(view.meter_text, sizeof view.meter_text, "%s", m->meter_text);
            view.outcome = m->outcome;
            snprintf(view.message, sizeof view.message, "%s", message);
            view.values = m->values;
            view.value_count = m->value_count;
            view.exchanges = m->exchanges;
            json_t *o = meter_json(&view, m->dtu);
            fputs("  ", f);
            (void)json_dumpf(o, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fputs(i + 1 < n ? ",\n" : "\n", f);
            json_decref(o);
            continue;
        }
        char address[24];
        if (m->meter_text[0]) {
            snprintf(address, sizeof address, "%s", m->meter_text);
        } else {
            (void)prepay_dlt645_address_to_string(&m->address, address, sizeof address);
        }
        size_t rows = m->value_count > 0 ? m->value_count : 1;
        for (size_t k = 0; k < rows; k++) {
            const meter_value_t *v = m->value_count > 0 ? &m->values[k] : NULL;
            fprintf(f, "%s,", address);
            (void)cli_csv_write_field(f, m->dtu);
            fprintf(f, ",%s,", meter_outcome_name(m->outcome));
            (void)cli_csv_write_field(f, message);
            fprintf(f, ",%u,", m->rounds);
            (void)cli_csv_write_field(f, v ? v->di : "");
            fputc(',', f);
            (void)cli_csv_write_field(f, v ? v->name : "");
            fputc(',', f);
            (void)cli_csv_write_field(f, v ? v->value : "");
            fputc(',', f);
            (void)cli_csv_write_field(f, v ? v->unit : "");
            fputc('\n', f);
        }
    }
    if (json) {
        fputs("]\n", f);
    }
    if (cli_output_commit(&out, err, sizeof err) != 0) {
        return cli_fail(cli, PREPAY_E_HOSTED_IO, "%s", err);
    }
    return 0;
}

static void wait_until(prepay_time_t start, bool show)
{
    for (;;) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        prepay_civil_t c = {tm.tm_year + 1900, (uint8_t)(tm.tm_mon + 1), (uint8_t)tm.tm_mday, (uint8_t)tm.tm_hour,
                            (uint8_t)tm.tm_min, (uint8_t)tm.tm_sec, 0};
        prepay_time_t t = 0;
        (void)prepay_time_from_civil(&c, &t);
        if (t >= start || interrupted) {
            return;
        }
        if (show) {
            fprintf(stderr, "\rwaiting %lld s for the batch start   ", (long long)(start - t));
            fflush(stderr);
        }
        sleep(1);
    }
}

/* DL/T 645: every bus at once (run_round()). 0 with the rounds run, or an exit status (reported). */
static int run_dlt645(const cli_t *cli, const meter_options_t *o, site_meter_t *meters, size_t n, bool show,
                      unsigned *rounds_run)
{
    char err[2048];
    int rc;
    static meter_station_t st;
    rc = meter_station_open(&st, o, err, sizeof err);
    if (rc != 0) {
        return cli_fail(cli, st.status ? st.status : PREPAY_E_TRANSPORT_OPEN, "%s", err);
    }
    /* The buses: one for a serial port or TCP connection; one per DTU. */
    size_t bus_count = 0;
    batch_bus_t *buses = calloc(n, sizeof *buses);
    size_t *owner = calloc(n, sizeof *owner);
    for (size_t i = 0; i < n; i++) {
        size_t b = 0;
        while (b < bus_count && o->link == LINK_LISTEN && strcmp(buses[b].bus.dtu, meters[i].dtu) != 0) {
            b++;
        }
        if (b == bus_count) {
            snprintf(buses[b].bus.dtu, sizeof buses[b].bus.dtu, "%s", meters[i].dtu);
            buses[b].queue = calloc(n, sizeof *buses[b].queue);
            bus_count++;
        }
        buses[b].queue[buses[b].queued++] = i;
        owner[i] = b;
    }
    for (size_t b = 0; b < bus_count; b++) {
        char dtu[PREPAY_DTU_ID_TEXT_MAX];
        snprintf(dtu, sizeof dtu, "%s", buses[b].bus.dtu);
        if (meter_bus_open(&st, &buses[b].bus, dtu, buses[b].error, sizeof buses[b].error) == 0) {
            buses[b].usable = true;
        } else {
            snprintf(buses[b].bus.dtu, sizeof buses[b].bus.dtu, "%s", dtu);
            fprintf(stderr, "%s: %s\n", cli->program, buses[b].error); /* its meters fail with OUT_LINK */
        }
    }
    unsigned rounds = 0;
    for (unsigned round = 1; round <= o->rounds && !interrupted; round++) {
        bool wanted = false;
        for (size_t i = 0; i < n; i++) {
            wanted = wanted || meters[i].rounds == 0 || meter_outcome_retryable(meters[i].outcome);
        }
        if (!wanted) {
            break;
        }
        rounds = round;
        run_round(&st, buses, bus_count, meters, n, o, round, show);
        /* A bus that could not be opened fails its meters. */
        for (size_t i = 0; i < n; i++) {
            batch_bus_t *b = &buses[owner[i]];
            if (!b->usable) {
                meters[i].outcome = OUT_LINK;
                meters[i].rounds = round;
                snprintf(meters[i].message, sizeof meters[i].message, "%s", b->error);
            }
        }
    }
    *rounds_run = rounds;
    for (size_t b = 0; b < bus_count; b++) {
        meter_bus_close(&buses[b].bus);
        free(buses[b].queue);
    }
    free(buses);
    free(owner);
    meter_station_close(&st);
    return 0;
}

/* CJ/T 188 / Modbus: one meter after another on the one bus, each run by meter_water_ops.c. 0 with the
 * rounds run, or an exit status (reported: the bus or the tariff file). */
static int run_water(const cli_t *cli, const meter_options_t *o, site_meter_t *meters, size_t n, bool show,
                     unsigned *rounds_run)
{
    struct meter_water_batch *wb = NULL;
    int rc = meter_water_batch_open(cli, o, &wb);
    if (rc != 0) {
        return rc;
    }
    static meter_options_t each; /* the options of the meter under way */
    for (unsigned round = 1; round <= o->rounds && !interrupted; round++) {
        bool wanted = false;
        for (size_t i = 0; i < n; i++) {
            wanted = wanted || meters[i].rounds == 0 || meter_outcome_retryable(meters[i].outcome);
        }
        if (!wanted) {
            break;
        }
        *rounds_run = round;
        for (size_t i = 0; i < n && !interrupted; i++) {
            site_meter_t *m = &meters[i];
            if (m->rounds > 0 && !meter_outcome_retryable(m->outcome)) {
                continue;
            }
            m->rounds = round;
            each = *o;
            each.water_address = m->water_address;
            each.has_water_address = true;
            each.unit = m->unit;
            each.has_unit = true;
            each.amount = m->has_amount ? m->amount : o->amount;
            each.count = m->has_count ? m->count : o->count;
            each.has_count = m->has_count || o->has_count;
            meter_op_t op;
            if (o->command == CMD_RECHARGE && !each.has_count) {
                memset(&op, 0, sizeof op);
                meter_op_fail(&op, OUT_FAILED, "no purchase count (--count or a count column)");
            } else if (o->link == LINK_LISTEN && !meter_water_batch_bus(wb, m->dtu[0] ? m->dtu : o->dtu, &op)) {
                /* op says why: the meter's DTU did not dial in (tried again next round) */
            } else {
                meter_water_batch_meter(wb, &each, &op);
            }
            record(m, &op);
            if (show) {
                progress(meters, n, round, false);
            }
        }
        if (show) {
            progress(meters, n, round, true);
        }
    }
    meter_water_batch_close(wb);
    return 0;
}

/* The per-meter result lines (or JSON records), the results file and the summary. The exit status. */
static int report(const cli_t *cli, const meter_options_t *o, site_meter_t *meters, size_t n, unsigned rounds)
{
    /* Per-meter results and the summary. */
    size_t counts[OUT_FAILED + 1] = {0};
    int exit_code = CLI_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        site_meter_t *m = &meters[i];
        counts[m->outcome]++;
        meter_op_t view;
        memset(&view, 0, sizeof view);
        view.address = m->address;
        snprintf(view.meter_text, sizeof view.meter_text, "%s", m->meter_text);
        view.outcome = m->outcome;
        snprintf(view.message, sizeof view.message, "%s",
                 m->rounds == 0 && m->outcome == OUT_PENDING ? "not tried" : m->message);
        view.values = m->values;
        view.value_count = m->value_count;
        view.exchanges = m->exchanges;
        if (meter_emit(cli, &view, o->link == LINK_LISTEN ? m->dtu : NULL, true) != 0) {
            exit_code = CLI_EXIT_FAILED;
        }
        if (!o->json && m->outcome != OUT_OK) {
            char address[24];
            meter_address_text(&view, address, sizeof address);
            printf("%s  %s: %s\n", address, meter_outcome_name(m->outcome), view.message);
        }
    }
    fflush(stdout);
    if (counts[OUT_OK] != n) {
        exit_code = CLI_EXIT_FAILED;
    }
    if (o->results_path[0] && write_results(cli, o->results_path, meters, n) != 0) {
        exit_code = CLI_EXIT_FAILED;
    }
    fprintf(stderr,
            "%s: batch of %zu meters in %u round%s: %zu ok, %zu refused, %zu timeout, %zu link, "
            "%zu malformed, %zu different, %zu failed, %zu not done%s\n",
            cli->program, n, rounds, rounds == 1 ? "" : "s", counts[OUT_OK], counts[OUT_ABNORMAL], counts[OUT_TIMEOUT],
            counts[OUT_LINK], counts[OUT_MALFORMED], counts[OUT_DIFFERENT], counts[OUT_FAILED], counts[OUT_PENDING],
            interrupted ? " (interrupted)" : "");
    return exit_code;
}

int meter_batch(const cli_t *cli, const meter_options_t *o)
{
    char err[2048];
    site_meter_t *meters = NULL;
    size_t n = 0;
    int rc = load_site(o, &meters, &n, err, sizeof err);
    if (rc == 0 && o->protocol == METER_DLT645 &&
        (o->command == CMD_PUSH_TARIFF || o->command == CMD_VERIFY_TARIFF)) {
        prepay_dlt645_tariff_tables_t tables;
        rc = meter_tariff_load(o, &tables, err, sizeof err);
    }
    if (rc == 0 && o->link == LINK_LISTEN) {
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (meters[i].dtu[0] == '\0' && o->dtu[0] == '\0') {
                snprintf(err, sizeof err, "%s:%d: no dtu for meter (a dtu column, or --dtu)", o->site_path,
                         meters[i].line);
                rc = METER_EXIT_USAGE;
            }
        }
    }
    if (rc != 0) {
        free(meters);
        return rc == METER_EXIT_USAGE ? cli_bad(cli, "%s", err) : cli_fail(cli, PREPAY_E_HOSTED_NO_MEMORY, "%s", err);
    }
    for (size_t i = 0; i < n; i++) {
        if (meters[i].dtu[0] == '\0' && o->link == LINK_LISTEN) {
            snprintf(meters[i].dtu, sizeof meters[i].dtu, "%s", o->dtu);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    bool show = o->progress_set ? o->progress : isatty(STDERR_FILENO) != 0;
    if (o->has_start) {
        wait_until(o->start_at, show);
    }

    unsigned rounds = 0;
    rc = o->protocol == METER_DLT645 ? run_dlt645(cli, o, meters, n, show, &rounds)
                                     : run_water(cli, o, meters, n, show, &rounds);
    int exit_code = rc != 0 ? rc : report(cli, o, meters, n, rounds);
    for (size_t i = 0; i < n; i++) {
        free(meters[i].values);
    }
    free(meters);
    return exit_code;
}
