/* SPDX-License-Identifier: MIT */
/*
 * prepay report: readings CSV -> per-meter report rows.
 *
 * The file has a header naming its columns: `meter,account,time,register`
 * (register readings, kWh) or `meter,account,start,end,energy` (interval
 * energy, kWh), each optionally with `band` (sharp, peak, flat, valley,
 * deep_valley or 1..5). Quantities are decimals with at most 3 places,
 * parsed exactly into Wh; times by the library's one grammar (YYYY-MM-DD or
 * YYYY/MM/DD, then hh:mm[:ss]). The tools' CSV reader takes a UTF-8 byte
 * order mark, quoted fields and '#' comments (cli_csv.h). Rows of different
 * meters may interleave; each meter's rows must be in time order (the
 * report module checks). '-' reads the standard input.
 *
 * With a tariff, every interval is cut at the band boundaries of the
 * tariff's schedule (DL/T 645 bands) and each piece is priced by the tariff
 * engine's streaming evaluation, one tariff state per meter, so a meter's
 * pieces get exactly the amounts the engine bills. The energy of a piece is
 * the engine's spreading rule, floor(E (b - s) / L) - floor(E (a - s) / L).
 */
#include "report_readings.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/tariff/tariff_internal.h" /* prepay__tou_day_segments: a day's band boundaries */
#include "cli.h"
#include "cli_csv.h"
#include "cli_file.h"
#include "cli_text.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"

typedef struct raw {
    char meter[READINGS_NAME_MAX];
    char account[READINGS_NAME_MAX];
    unsigned long line;
    prepay_time_t start; /* register: reading time */
    prepay_time_t end;
    int64_t value;       /* Wh: register value or interval energy */
    int band;            /* -1: none */
} raw_t;

#define TIME_FORMS "('YYYY-MM-DD hh:mm[:ss]', 'YYYY/MM/DD hh:mm[:ss]' or a date alone)"
/* Largest readings file read. */
#define REPORT_READINGS_FILE_MAX (1024u * 1024u * 1024u)


/* A time by the library's one grammar: a date (YYYY-MM-DD or YYYY/MM/DD) and optionally hh:mm[:ss]. */
static int parse_time(const char *text, prepay_time_t *out)
{
    return prepay_time_parse(text, strlen(text), out);
}

static int parse_band(const char *s)
{
    static const char *const names[] = {"", "sharp", "peak", "flat", "valley", "deep_valley"};
    for (int b = 1; b <= 5; b++) {
        if (strcmp(s, names[b]) == 0 || (s[0] == (char)('0' + b) && s[1] == '\0')) {
            return b;
        }
    }
    return s[0] == '\0' ? -1 : -2;
}

static const char *band_name(unsigned slot)
{
    static const char *const names[] = {"none", "sharp", "peak", "flat", "valley", "deep_valley"};
    return slot < 6 ? names[slot] : "?";
}

static int compare_raw(const void *a, const void *b)
{
    const raw_t *x = a, *y = b;
    int c = strcmp(x->meter, y->meter);
    if (c != 0) {
        return c;
    }
    return x->line < y->line ? -1 : x->line > y->line;
}

static int compare_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* ---- reading the file ------------------------------------------------------------ */

enum { COL_METER, COL_ACCOUNT, COL_TIME, COL_REGISTER, COL_START, COL_END, COL_ENERGY, COL_BAND, COL_COUNT };
static const char *const column_names[COL_COUNT] = {"meter", "account", "time", "register",
                                                    "start", "end",     "energy", "band"};

/* The header record: which column holds what. */
static int read_header(const cli_csv_t *csv, int col[COL_COUNT], bool *registers, char *err, size_t cap)
{
    for (int i = 0; i < COL_COUNT; i++) {
        col[i] = -1;
    }
    for (size_t i = 0; i < csv->count; i++) {
        int known = -1;
        for (int c = 0; c < COL_COUNT; c++) {
            if (strcmp(csv->fields[i], column_names[c]) == 0) {
                known = c;
            }
        }
        if (known < 0 || col[known] >= 0) {
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: %s column '%.32s' (expected meter,account,time,register or "
                        "meter,account,start,end,energy, optionally band)",
                        csv->origin, csv->record_line, known < 0 ? "unknown" : "repeated", csv->fields[i]);
        }
        col[known] = (int)i;
    }
    bool reg = col[COL_TIME] >= 0 && col[COL_REGISTER] >= 0 && col[COL_START] < 0 && col[COL_END] < 0 &&
               col[COL_ENERGY] < 0;
    bool ivl = col[COL_START] >= 0 && col[COL_END] >= 0 && col[COL_ENERGY] >= 0 && col[COL_TIME] < 0 &&
               col[COL_REGISTER] < 0;
    if (col[COL_METER] < 0 || col[COL_ACCOUNT] < 0 || (!reg && !ivl)) {
        return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: header must be meter,account,time,register or "
                    "meter,account,start,end,energy (optionally band)", csv->origin, csv->record_line);
    }
    *registers = reg;
    return PREPAY_OK;
}

/* One data record into r. */
static int read_row(const cli_csv_t *csv, const int col[COL_COUNT], bool registers, raw_t *r, char *err, size_t cap)
{
    const char *origin = csv->origin;
    unsigned long line = csv->record_line;
    memset(r, 0, sizeof *r);
    r->line = line;
    const char *meter = csv->fields[col[COL_METER]], *account = csv->fields[col[COL_ACCOUNT]];
    if (meter[0] == '\0' || strlen(meter) >= READINGS_NAME_MAX || account[0] == '\0' ||
        strlen(account) >= READINGS_NAME_MAX) {
        return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: meter and account must be 1..%d characters", origin, line,
                    READINGS_NAME_MAX - 1);
    }
    strcpy(r->meter, meter);
    strcpy(r->account, account);
    const char *qty = csv->fields[col[registers ? COL_REGISTER : COL_ENERGY]];
    if (prepay_fixed_parse(qty, strlen(qty), 3, &r->value) != PREPAY_OK || r->value < 0) {
        return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: '%.32s' is not a quantity in kWh (at most 3 decimals, not negative)", origin,
                    line, qty);
    }
    const char *t1 = csv->fields[col[registers ? COL_TIME : COL_START]];
    if (parse_time(t1, &r->start) != PREPAY_OK) {
        return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: '%.32s' is not a time " TIME_FORMS, origin, line, t1);
    }
    if (!registers) {
        const char *t2 = csv->fields[col[COL_END]];
        if (parse_time(t2, &r->end) != PREPAY_OK) {
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: '%.32s' is not a time " TIME_FORMS, origin, line, t2);
        }
        if (r->end <= r->start) {
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: the interval ends before it starts", origin, line);
        }
    }
    r->band = col[COL_BAND] >= 0 ? parse_band(csv->fields[col[COL_BAND]]) : -1;
    if (r->band == -2) {
        return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: unknown band '%.32s' (sharp, peak, flat, valley, deep_valley or 1..5)", origin,
                    line, csv->fields[col[COL_BAND]]);
    }
    return PREPAY_OK;
}

static int read_raw(const char *path, raw_t **out, size_t *out_count, bool *registers, char *err, size_t cap)
{
    char *text = NULL;
    size_t len = 0;
    if (cli_read_input(path, REPORT_READINGS_FILE_MAX, &text, &len, NULL, err, cap) != 0) {
        return PREPAY_E_HOSTED_IO;
    }
    cli_csv_t csv;
    cli_csv_init(&csv, text, len, cli_input_name(path));
    int col[COL_COUNT];
    bool have_header = false;
    size_t columns = 0;
    raw_t *items = NULL;
    size_t count = 0, items_cap = 0;
    int status = PREPAY_OK, got;
    while (status == PREPAY_OK && (got = cli_csv_next(&csv, err, cap)) != 0) {
        if (got < 0) {
            status = PREPAY_E_HOSTED_CSV;
            break;
        }
        if (!have_header) {
            status = read_header(&csv, col, registers, err, cap);
            have_header = true;
            columns = csv.count;
            continue;
        }
        if (csv.count != columns) {
            status = cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: %zu fields, the header has %zu", csv.origin, csv.record_line, csv.count,
                          columns);
            break;
        }
        if (count == items_cap) {
            size_t grown_cap = items_cap ? items_cap * 2 : 1024;
            raw_t *grown = realloc(items, grown_cap * sizeof *grown);
            if (!grown) {
                status = cli_message(PREPAY_E_HOSTED_CSV, err, cap, "out of memory");
                break;
            }
            items = grown;
            items_cap = grown_cap;
        }
        status = read_row(&csv, col, *registers, &items[count], err, cap);
        count += status == PREPAY_OK;
    }
    cli_csv_free(&csv);
    free(text);
    if (status == PREPAY_OK && !have_header) {
        status = cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s: no header line", cli_input_name(path));
    }
    if (status != PREPAY_OK) {
        free(items);
        return status;
    }
    *out = items;
    *out_count = count;
    return PREPAY_OK;
}

/* ---- pricing -------------------------------------------------------------------------- */

typedef struct row_list {
    prepay_report_row_t *rows;
    size_t count, cap;
} row_list_t;

static int push_row(row_list_t *l, prepay_time_t start, int64_t seconds, int64_t energy, prepay_amount_t fee,
                    unsigned slot)
{
    if (seconds <= 0 || seconds > (int64_t)PREPAY_REPORT_MAX_ROW_SECONDS) {
        return PREPAY_E_REPORT_BAD_ROW;
    }
    if (l->count == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 256;
        prepay_report_row_t *g = realloc(l->rows, nc * sizeof *g);
        if (!g) {
            return PREPAY_E_HOSTED_NO_MEMORY;
        }
        l->rows = g;
        l->cap = nc;
    }
    prepay_report_row_t *r = &l->rows[l->count++];
    memset(r, 0, sizeof *r);
    r->start = start;
    r->seconds = (uint32_t)seconds;
    r->energy = energy;
    r->fee = fee;
    r->band = (uint8_t)slot;
    return PREPAY_OK;
}

typedef struct pricer {
    const prepay_tariff_doc_t *doc;
    prepay_tariff_plan_t plan;
    prepay_tariff_state_t state;
    prepay_tariff_line_t lines[64];
} pricer_t;

/* The tariff (price set) in force at t. */
static const prepay_tariff_t *set_at(const pricer_t *p, prepay_time_t t)
{
    return (p->doc->has_set_b && t >= p->doc->switch_time) ? &p->doc->sets[1] : &p->doc->sets[0];
}

/* The end of the band piece starting at t (before limit) and its band. */
static int band_piece(const pricer_t *p, prepay_time_t t, prepay_time_t limit, prepay_time_t *piece_end, unsigned *band)
{
    const prepay_tariff_t *tariff = set_at(p, t);
    prepay_days_t d = prepay_time_day_of(t);
    prepay__day_segments_t seg;
    int status = prepay__tou_day_segments(tariff, d, &seg);
    if (status != PREPAY_OK) {
        return status;
    }
    int64_t minute = prepay_time_second_of_day(t) / 60;
    prepay_time_t day0 = (prepay_time_t)d * PREPAY_SECONDS_PER_DAY;
    prepay_time_t end = day0 + PREPAY_SECONDS_PER_DAY;
    for (unsigned i = 0; i < seg.count; i++) {
        if (minute >= seg.start[i] && minute < seg.start[i + 1]) {
            *band = seg.band[i];
            end = day0 + (prepay_time_t)seg.start[i + 1] * 60;
            break;
        }
    }
    if (p->doc->has_set_b && t < p->doc->switch_time && end > p->doc->switch_time) {
        end = p->doc->switch_time;
    }
    *piece_end = end < limit ? end : limit;
    return PREPAY_OK;
}

static unsigned slot_of(const prepay_tariff_doc_t *doc, unsigned band)
{
    return doc->sets[0].band_count == 1 ? 0u : band;
}

/* Prices [s, e) with energy E into rows, one per band piece. */
static int price_interval(pricer_t *p, prepay_time_t s, prepay_time_t e, int64_t energy, int csv_band, row_list_t *out,
                          char *err, size_t cap, const char *meter, unsigned long line)
{
    prepay_time_t a = s;
    int64_t len = e - s;
    while (a < e) {
        prepay_time_t b = e;
        unsigned band = 0;
        int status = band_piece(p, a, e, &b, &band);
        if (status != PREPAY_OK) {
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "meter %s line %lu: %s", meter, line, prepay_strerror(status));
        }
        int64_t hi = 0, lo = 0;
        if (prepay_i64_muldiv(energy, b - s, len, PREPAY_ROUND_FLOOR, &hi) != PREPAY_OK ||
            prepay_i64_muldiv(energy, a - s, len, PREPAY_ROUND_FLOOR, &lo) != PREPAY_OK) {
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "meter %s line %lu: energy too large", meter, line);
        }
        int64_t part = hi - lo;
        prepay_tariff_feed_result_t res;
        int n = prepay_tariff_feed_interval(&p->plan, &p->doc->account, &p->state, a, b, part, p->lines, 64, &res);
        if (n < 0) {
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "meter %s line %lu: the tariff refuses the interval: %s", meter, line,
                        prepay_strerror(n));
        }
        prepay_amount_t fee = {0, 0};
        int64_t priced = 0;
        for (int i = 0; i < n; i++) {
            if (p->lines[i].kind != PREPAY_LINE_ENERGY) {
                continue; /* fixed charges are billed by 'prepay bill', not energy reports */
            }
            if (p->lines[i].band != band || prepay_amount_add(fee, p->lines[i].amount, &fee) != PREPAY_OK) {
                return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "meter %s line %lu: pricing does not match the band schedule", meter, line);
            }
            priced += p->lines[i].quantity;
        }
        if (priced != part) {
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "meter %s line %lu: pricing does not match the energy", meter, line);
        }
        unsigned slot = slot_of(p->doc, band);
        if (slot >= PREPAY_REPORT_BANDS) {
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "meter %s line %lu: tariff band %u is beyond deep valley (5)", meter, line, band);
        }
        if (csv_band > 0 && (unsigned)csv_band != slot) {
            char when[CLI_TEXT_MAX];
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "meter %s line %lu: band '%s' in the file, but the tariff's band at %s is '%s'",
                        meter, line, band_name((unsigned)csv_band), cli_time_text(a, PREPAY_TIME_TEXT_MINUTE, when),
                        band_name(slot));
        }
        status = push_row(out, a, b - a, part, fee, slot);
        if (status != PREPAY_OK) {
            return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "meter %s line %lu: %s", meter, line, prepay_strerror(status));
        }
        a = b;
    }
    return PREPAY_OK;
}

/* ---- the whole file ------------------------------------------------------------------ */

void report_readings_free(report_readings_t *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->meter_count; i++) {
        free(r->meters[i].rows);
    }
    free(r->meters);
    free(r->accounts);
    memset(r, 0, sizeof *r);
}

static size_t account_index(const report_readings_t *r, const char *name)
{
    const char *hit = bsearch(name, r->accounts, r->account_count, sizeof r->accounts[0], compare_name);
    return (size_t)(hit - (const char *)r->accounts) / sizeof r->accounts[0];
}

int report_readings_load(const char *file, const prepay_tariff_doc_t *doc, report_readings_t *out, char *err, size_t cap)
{
    const char *path = cli_input_name(file); /* in messages */
    raw_t *raw = NULL;
    size_t n = 0;
    bool registers = false;
    int status = read_raw(file, &raw, &n, &registers, err, cap);
    if (status != PREPAY_OK) {
        return status;
    }
    if (n == 0) {
        free(raw);
        return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s: no readings", path);
    }
    if (doc != NULL && doc->sets[0].tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL) {
        free(raw);
        return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "the tariff assigns tiers in proportion at cycle end (SAM rule): per-interval fees "
                    "need tiers filled in consumption order");
    }
    qsort(raw, n, sizeof *raw, compare_raw);
    report_readings_t r;
    memset(&r, 0, sizeof r);
    r.first = INT64_MAX;
    r.last = INT64_MIN;
    /* accounts: sorted, unique */
    r.accounts = malloc(n * sizeof r.accounts[0]);
    r.meters = calloc(n, sizeof r.meters[0]);
    pricer_t *pricer = malloc(sizeof *pricer);
    if (!r.accounts || !r.meters || !pricer) {
        free(raw);
        free(pricer);
        report_readings_free(&r);
        return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(r.accounts[i], raw[i].account, READINGS_NAME_MAX);
    }
    qsort(r.accounts, n, sizeof r.accounts[0], compare_name);
    for (size_t i = 0; i < n; i++) {
        if (r.account_count == 0 || strcmp(r.accounts[r.account_count - 1], r.accounts[i]) != 0) {
            memmove(r.accounts[r.account_count++], r.accounts[i], READINGS_NAME_MAX);
        }
    }
    status = PREPAY_OK;
    for (size_t i = 0; i < n && status == PREPAY_OK;) {
        size_t j = i;
        while (j < n && strcmp(raw[j].meter, raw[i].meter) == 0) {
            if (strcmp(raw[j].account, raw[i].account) != 0) {
                status = cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: meter %s belongs to account %s on line %lu", path, raw[j].line,
                              raw[j].meter, raw[i].account, raw[i].line);
                break;
            }
            j++;
        }
        if (status != PREPAY_OK) {
            break;
        }
        readings_meter_t *m = &r.meters[r.meter_count++];
        memcpy(m->name, raw[i].meter, READINGS_NAME_MAX);
        m->account = account_index(&r, raw[i].account);
        row_list_t list = {NULL, 0, 0};
        if (doc != NULL) {
            pricer->doc = doc;
            status = prepay_tariff_doc_plan(doc, &pricer->plan);
            if (status == PREPAY_OK) {
                status = prepay_tariff_state_init(&pricer->state);
            }
            if (status != PREPAY_OK) {
                status = cli_message(PREPAY_E_HOSTED_CSV, err, cap, "meter %s: the tariff: %s", raw[i].meter, prepay_strerror(status));
                break;
            }
        }
        for (size_t k = i; k < j && status == PREPAY_OK; k++) {
            prepay_time_t s, e;
            int64_t energy;
            if (registers) {
                if (k == i) {
                    continue; /* the first reading primes */
                }
                s = raw[k - 1].start;
                e = raw[k].start;
                if (e <= s) {
                    status = cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: meter %s: reading not after the one on line %lu", path,
                                  raw[k].line, raw[k].meter, raw[k - 1].line);
                    break;
                }
                if (raw[k].value < raw[k - 1].value) {
                    status = cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: meter %s: register goes backwards", path, raw[k].line,
                                  raw[k].meter);
                    break;
                }
                energy = raw[k].value - raw[k - 1].value;
            } else {
                s = raw[k].start;
                e = raw[k].end;
                energy = raw[k].value;
                if (k > i && s < raw[k - 1].end) {
                    status = cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: meter %s: interval starts before the one on line %lu ends",
                                  path, raw[k].line, raw[k].meter, raw[k - 1].line);
                    break;
                }
            }
            if (doc != NULL) {
                status = price_interval(pricer, s, e, energy, raw[k].band, &list, err, cap, raw[k].meter, raw[k].line);
            } else {
                prepay_amount_t zero = {0, 0};
                status = push_row(&list, s, e - s, energy, zero, raw[k].band > 0 ? (unsigned)raw[k].band : 0u);
                if (status != PREPAY_OK) {
                    status = cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s:%lu: interval longer than 366 days", path, raw[k].line);
                }
            }
            if (status == PREPAY_OK) {
                r.first = s < r.first ? s : r.first;
                r.last = e > r.last ? e : r.last;
            }
        }
        m->rows = list.rows;
        m->count = list.count;
        r.row_total += list.count;
        i = j;
    }
    free(raw);
    free(pricer);
    if (status != PREPAY_OK) {
        report_readings_free(&r);
        return status;
    }
    if (r.row_total == 0) {
        report_readings_free(&r);
        return cli_message(PREPAY_E_HOSTED_CSV, err, cap, "%s: no intervals (a register file needs two readings of a meter)", path);
    }
    *out = r;
    return PREPAY_OK;
}
