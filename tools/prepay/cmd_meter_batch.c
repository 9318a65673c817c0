/*
 * prepay meter batch SITE.csv COMMAND: the same operation on every meter of a
 * site, now or at a given time. One loop runs every bus at once (a serial
 * port or TCP connection is one bus; with --listen, each DTU is a bus), one
 * meter after another on each bus (DL/T 645-2007 clause 7.3: one request at
 * a time on a bus). Meters that did not answer (timeout, link lost) are
 * tried again in further rounds; refusals are final. Results per meter go
 * to stdout and to --results (CSV or JSON), with a summary on stderr; an
 * interrupted batch (SIGINT, SIGTERM) still writes what it has.
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

#include "meter_cli.h"
#include "prepay/fixed_point.h"

typedef struct site_meter {
    prepay_dlt645_address_t address;
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

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

static int load_site(const char *path, site_meter_t **out, size_t *count, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return METER_EXIT_USAGE;
    }
    site_meter_t *meters = NULL;
    size_t n = 0, space = 0;
    int columns[4] = {0, 1, 2, 3}; /* address, dtu, amount, count */
    char line[1024];
    int number = 0;
    bool first = true;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        number++;
        char *text = trim(line);
        if (text[0] == '\0' || text[0] == '#') {
            continue;
        }
        char *fields[8];
        int nf = 0;
        for (char *p = text; nf < 8;) {
            char *comma = strchr(p, ',');
            if (comma) {
                *comma = '\0';
            }
            fields[nf++] = trim(p);
            if (!comma) {
                break;
            }
            p = comma + 1;
        }
        if (first && strcmp(fields[0], "address") != 0 && !isdigit((unsigned char)fields[0][0]) &&
            toupper((unsigned char)fields[0][0]) != 'A') {
            snprintf(err, cap, "%s:%d: the first column must be the meter address", path, number);
            rc = METER_EXIT_USAGE;
            break;
        }
        if (first && !isdigit((unsigned char)fields[0][0]) && strcmp(fields[0], "address") == 0) {
            /* A header: find the columns by name. */
            for (int k = 0; k < 4; k++) {
                columns[k] = -1;
            }
            static const char *const names[4] = {"address", "dtu", "amount", "count"};
            for (int i = 0; i < nf; i++) {
                for (int k = 0; k < 4; k++) {
                    if (strcmp(fields[i], names[k]) == 0) {
                        columns[k] = i;
                    }
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
                snprintf(err, cap, "out of memory");
                rc = METER_EXIT_FIELD;
                break;
            }
            meters = grown;
        }
        site_meter_t *m = &meters[n];
        memset(m, 0, sizeof *m);
        m->line = number;
        const char *address = columns[0] >= 0 && columns[0] < nf ? fields[columns[0]] : "";
        if (prepay_dlt645_address_from_string(address, strlen(address), &m->address) != PREPAY_OK ||
            prepay_dlt645_address_is_wildcard(&m->address) || prepay_dlt645_address_is_broadcast(&m->address)) {
            snprintf(err, cap, "%s:%d: '%s' is not a meter address (12 digits)", path, number, address);
            rc = METER_EXIT_USAGE;
            break;
        }
        if (columns[1] >= 0 && columns[1] < nf) {
            snprintf(m->dtu, sizeof m->dtu, "%s", fields[columns[1]]);
        }
        if (columns[2] >= 0 && columns[2] < nf && fields[columns[2]][0]) {
            int64_t fen;
            const char *a = fields[columns[2]];
            if (prepay_fixed_parse(a, strlen(a), 2, &fen) != PREPAY_OK || fen <= 0 || fen > 99999999) {
                snprintf(err, cap, "%s:%d: amount '%s' is not 0.01..999999.99 yuan", path, number, a);
                rc = METER_EXIT_USAGE;
                break;
            }
            m->amount = fen;
            m->has_amount = true;
        }
        if (columns[3] >= 0 && columns[3] < nf && fields[columns[3]][0]) {
            char *end;
            unsigned long c = strtoul(fields[columns[3]], &end, 10);
            if (*end != '\0' || c > 99999999ul) {
                snprintf(err, cap, "%s:%d: count '%s' is not a purchase count", path, number, fields[columns[3]]);
                rc = METER_EXIT_USAGE;
                break;
            }
            m->count = (uint32_t)c;
            m->has_count = true;
        }
        n++;
    }
    fclose(f);
    if (rc == 0 && n == 0) {
        snprintf(err, cap, "%s: no meters", path);
        rc = METER_EXIT_USAGE;
    }
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

static void csv_field(FILE *f, const char *text)
{
    if (strpbrk(text, ",\"\n") == NULL) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *p = text; *p; p++) {
        if (*p == '"') {
            fputc('"', f);
        }
        fputc(*p, f);
    }
    fputc('"', f);
}

static int write_results(const char *path, const site_meter_t *meters, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "prepay meter: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t len = strlen(path);
    bool json = len > 5 && strcmp(path + len - 5, ".json") == 0;
    if (json) {
        fputs("[\n", f);
    } else {
        fputs("meter,dtu,status,error,rounds,di,name,value,unit\n", f);
    }
    for (size_t i = 0; i < n; i++) {
        const site_meter_t *m = &meters[i];
        char address[16];
        (void)prepay_dlt645_address_to_string(&m->address, address, sizeof address);
        if (json) {
            meter_op_t view;
            memset(&view, 0, sizeof view);
            view.address = m->address;
            view.outcome = m->outcome;
            snprintf(view.message, sizeof view.message, "%s", m->rounds == 0 && m->outcome == OUT_PENDING
                                                                  ? "not tried"
                                                                  : m->message);
            view.values = m->values;
            view.value_count = m->value_count;
            view.exchanges = m->exchanges;
            fputs("  ", f);
            meter_print(f, &view, true, m->dtu);
            if (i + 1 < n) {
                /* meter_print ended the object with a newline: put the comma before it */
                fseek(f, -1, SEEK_CUR);
                fputs(",\n", f);
            }
            continue;
        }
        size_t rows = m->value_count > 0 ? m->value_count : 1;
        for (size_t k = 0; k < rows; k++) {
            const meter_value_t *v = m->value_count > 0 ? &m->values[k] : NULL;
            fprintf(f, "%s,", address);
            csv_field(f, m->dtu);
            fprintf(f, ",%s,", meter_outcome_name(m->outcome));
            csv_field(f, m->rounds == 0 && m->outcome == OUT_PENDING ? "not tried" : m->message);
            fprintf(f, ",%u,", m->rounds);
            csv_field(f, v ? v->di : "");
            fputc(',', f);
            csv_field(f, v ? v->name : "");
            fputc(',', f);
            csv_field(f, v ? v->value : "");
            fputc(',', f);
            csv_field(f, v ? v->unit : "");
            fputc('\n', f);
        }
    }
    if (json) {
        fputs("]\n", f);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "prepay meter: %s: %s\n", path, strerror(errno));
        return -1;
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

int meter_batch(const meter_options_t *o)
{
    char err[2048];
    site_meter_t *meters = NULL;
    size_t n = 0;
    int rc = load_site(o->site_path, &meters, &n, err, sizeof err);
    if (rc == 0 && (o->command == CMD_PUSH_TARIFF || o->command == CMD_VERIFY_TARIFF)) {
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
        fprintf(stderr, "prepay meter: %s\n", err);
        free(meters);
        return rc;
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

    static meter_station_t st;
    rc = meter_station_open(&st, o, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "prepay meter: %s\n", err);
        free(meters);
        return rc;
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
            fprintf(stderr, "prepay meter: %s\n", buses[b].error);
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
    /* Per-meter results and the summary. */
    size_t counts[OUT_FAILED + 1] = {0};
    for (size_t i = 0; i < n; i++) {
        site_meter_t *m = &meters[i];
        counts[m->outcome]++;
        meter_op_t view;
        memset(&view, 0, sizeof view);
        view.address = m->address;
        view.outcome = m->outcome;
        snprintf(view.message, sizeof view.message, "%s",
                 m->rounds == 0 && m->outcome == OUT_PENDING ? "not tried" : m->message);
        view.values = m->values;
        view.value_count = m->value_count;
        view.exchanges = m->exchanges;
        meter_print(stdout, &view, o->json, o->link == LINK_LISTEN ? m->dtu : NULL);
        if (!o->json && m->outcome != OUT_OK) {
            char address[16];
            (void)prepay_dlt645_address_to_string(&m->address, address, sizeof address);
            printf("%s  %s: %s\n", address, meter_outcome_name(m->outcome), view.message);
        }
    }
    fflush(stdout);
    int exit_code = counts[OUT_OK] == n ? 0 : METER_EXIT_FIELD;
    if (o->results_path[0] && write_results(o->results_path, meters, n) != 0) {
        exit_code = METER_EXIT_FIELD;
    }
    fprintf(stderr,
            "prepay meter: batch of %zu meters in %u round%s: %zu ok, %zu refused, %zu timeout, %zu link, "
            "%zu malformed, %zu different, %zu failed, %zu not done%s\n",
            n, rounds, rounds == 1 ? "" : "s", counts[OUT_OK], counts[OUT_ABNORMAL], counts[OUT_TIMEOUT],
            counts[OUT_LINK], counts[OUT_MALFORMED], counts[OUT_DIFFERENT], counts[OUT_FAILED], counts[OUT_PENDING],
            interrupted ? " (interrupted)" : "");
    for (size_t b = 0; b < bus_count; b++) {
        meter_bus_close(&buses[b].bus);
        free(buses[b].queue);
    }
    for (size_t i = 0; i < n; i++) {
        free(meters[i].values);
    }
    free(buses);
    free(owner);
    free(meters);
    meter_station_close(&st);
    return exit_code;
}
