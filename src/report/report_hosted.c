/* SPDX-License-Identifier: MIT */
/*
 * Hosted output of reports: CSV and JSON tables, and a small SVG writer for
 * line and stacked-bar charts (see include/prepay/report_output.h). Uses
 * stdio and the heap; never part of the firmware profile. All arithmetic is
 * integer: values stay fixed point, pixel positions are tenths of a pixel.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/report.h"
#include "prepay/report_output.h"
#include "prepay/tariff_json.h" /* PREPAY_E_HOSTED_* */
#include "../common/json_escape_internal.h"
#include "report_internal.h"

/* ---- labels and formatting ----------------------------------------------------- */

int prepay_report_period_label(const prepay_report_t *report, uint32_t bucket, char *out, size_t out_cap)
{
    if (!prepay__report_ready(report) || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (bucket >= report->bucket_count) {
        return PREPAY_E_REPORT_BAD_BUCKET;
    }
    const prepay_report_bucket_t *b = &report->buckets[bucket];
    int n;
    int year = (int)(b->year % 10000);
    switch (report->period) {
    case PREPAY_REPORT_DAY: n = snprintf(out, out_cap, "%04d-%02u-%02u", year, b->month % 100u, b->day % 100u); break;
    case PREPAY_REPORT_WEEK: n = snprintf(out, out_cap, "%04d-W%02u", year, b->week % 100u); break;
    case PREPAY_REPORT_MONTH: n = snprintf(out, out_cap, "%04d-%02u", year, b->month % 100u); break;
    default: n = snprintf(out, out_cap, "%04d", year); break;
    }
    if (n < 0 || (size_t)n >= out_cap) {
        if (out_cap > 0) {
            out[0] = '\0';
        }
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    return n;
}

const char *prepay_report_null_name(unsigned reason)
{
    switch (reason) {
    case PREPAY_REPORT_NOT_NULL: return "";
    case PREPAY_REPORT_NULL_NO_DATA: return "no_data";
    case PREPAY_REPORT_NULL_NO_BASE: return "no_base";
    case PREPAY_REPORT_NULL_ZERO_BASE: return "zero_base";
    case PREPAY_REPORT_NULL_NEGATIVE_BASE: return "negative_base";
    case PREPAY_REPORT_NULL_NO_COUNTERPART: return "no_counterpart";
    case PREPAY_REPORT_NULL_PARTIAL: return "partial";
    default: return "unknown";
    }
}

static void date_text(prepay_days_t d, char out[16])
{
    int32_t y = 0;
    uint8_t m = 0, dd = 0;
    if (prepay_time_date_from_days(d, &y, &m, &dd) != PREPAY_OK ||
        snprintf(out, 16, "%04d-%02u-%02u", (int)(y % 10000), m, dd) >= 16) {
        strcpy(out, "?");
    }
}

/* Column order of the band slots in tables and charts: sharp .. deep valley, then no band. */
static const unsigned band_order[PREPAY_REPORT_BANDS] = {1, 2, 3, 4, 5, 0};
static const char *const band_key[PREPAY_REPORT_BANDS] = {"unbanded", "sharp", "peak", "flat", "valley", "deep_valley"};
static const char *const band_title[PREPAY_REPORT_BANDS] = {"No band", "Sharp", "Peak", "Flat", "Valley", "Deep valley"};

/* One row of a table: the texts of a bucket and key. */
typedef struct table_row {
    char period[PREPAY_REPORT_LABEL_MAX];
    char first[16];
    char last[16];
    char key[64];
    bool has_data;
    char energy[32];
    char band_energy[PREPAY_REPORT_BANDS][32];
    char fee[32];
    char band_fee[PREPAY_REPORT_BANDS][32];
    int32_t days;
    bool partial;
    bool has_yoy, has_mom;
    char yoy[32], mom[32];
    const char *yoy_null, *mom_null;
} table_row_t;

static int money_text(prepay_amount_t a, char *out)
{
    prepay_money_t m = 0;
    int status = prepay_amount_round(a, PREPAY_ROUND_HALF_UP, &m);
    if (status == PREPAY_OK && prepay_fixed_format(m, 2, out, 32) < 0) {
        status = PREPAY_E_OVERFLOW;
    }
    return status;
}

static int build_row(const prepay_report_t *r, uint32_t b, uint32_t k, const prepay_report_output_t *o,
                     table_row_t *row)
{
    memset(row, 0, sizeof *row);
    int status = prepay_report_period_label(r, b, row->period, sizeof row->period);
    if (status < 0) {
        return status;
    }
    const prepay_report_bucket_t *bk = &r->buckets[b];
    prepay_days_t lo = bk->first_day > r->first_day ? bk->first_day : r->first_day;
    prepay_days_t hi = bk->end_day < r->end_day ? bk->end_day : r->end_day;
    date_text(lo, row->first);
    date_text(hi - 1, row->last);
    row->days = hi - lo;
    row->partial = bk->partial;
    if (o->key_names != NULL && o->key_names[k] != NULL) {
        snprintf(row->key, sizeof row->key, "%s", o->key_names[k]);
    } else {
        snprintf(row->key, sizeof row->key, "%" PRIu32, k + 1u);
    }
    const prepay_report_cell_t *c = prepay_report_cell(r, b, k);
    row->has_data = prepay_report_cell_has_data(c);
    if (row->has_data) {
        prepay_energy_t e = 0;
        prepay_amount_t f = {0, 0};
        status = prepay_report_cell_sum(c, PREPAY_REPORT_ALL_BANDS, &e, &f);
        if (status == PREPAY_OK && prepay_fixed_format(e, 3, row->energy, 32) < 0) {
            status = PREPAY_E_OVERFLOW;
        }
        if (status == PREPAY_OK) {
            status = money_text(f, row->fee);
        }
        for (unsigned s = 0; s < PREPAY_REPORT_BANDS && status == PREPAY_OK; s++) {
            if (prepay_fixed_format(c->energy[s], 3, row->band_energy[s], 32) < 0) {
                status = PREPAY_E_OVERFLOW;
            } else {
                status = money_text(c->fee[s], row->band_fee[s]);
            }
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    if (o->growth) {
        prepay_report_growth_t g;
        for (int kind = 0; kind < 2; kind++) {
            status = prepay_report_compare(r, b, k, PREPAY_REPORT_ALL_BANDS, PREPAY_REPORT_ENERGY,
                                           kind == 0 ? PREPAY_REPORT_YOY : PREPAY_REPORT_MOM, o->basis, &g);
            if (status != PREPAY_OK) {
                return status;
            }
            char *text = kind == 0 ? row->yoy : row->mom;
            bool has = g.null_reason == PREPAY_REPORT_NOT_NULL;
            /* rate in millionths = percent with 4 decimals */
            if (has && prepay_fixed_format(g.rate, 4, text, 32) < 0) {
                return PREPAY_E_OVERFLOW;
            }
            if (kind == 0) {
                row->has_yoy = has;
                row->yoy_null = prepay_report_null_name(g.null_reason);
            } else {
                row->has_mom = has;
                row->mom_null = prepay_report_null_name(g.null_reason);
            }
        }
    }
    return PREPAY_OK;
}

static const char *period_name(prepay_report_period_t p)
{
    switch (p) {
    case PREPAY_REPORT_DAY: return "day";
    case PREPAY_REPORT_WEEK: return "week";
    case PREPAY_REPORT_MONTH: return "month";
    default: return "year";
    }
}

/* CSV field: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') {
            fputc('"', out);
        }
        fputc(*s, out);
    }
    fputc('"', out);
}


/* End of the buckets written (first_bucket .. bucket_limit of them). */
static uint32_t bucket_end(const prepay_report_t *r, const prepay_report_output_t *o)
{
    if (o->first_bucket >= r->bucket_count) {
        return o->first_bucket; /* nothing */
    }
    uint32_t left = r->bucket_count - o->first_bucket;
    return o->first_bucket + (o->bucket_limit != 0u && o->bucket_limit < left ? o->bucket_limit : left);
}

static prepay_report_output_t defaults(const prepay_report_output_t *o)
{
    prepay_report_output_t d;
    memset(&d, 0, sizeof d);
    if (o != NULL) {
        d = *o;
    }
    if (d.unit == NULL) {
        d.unit = "kWh";
    }
    return d;
}

int prepay_report_write_csv(FILE *out, const prepay_report_t *report, const prepay_report_output_t *options)
{
    if (out == NULL || !prepay__report_ready(report)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_report_output_t o = defaults(options);
    fputs("period,first_day,last_day,key,energy", out);
    for (unsigned i = 0; i < PREPAY_REPORT_BANDS; i++) {
        fprintf(out, ",%s", band_key[band_order[i]]);
    }
    fputs(",fee", out);
    for (unsigned i = 0; i < PREPAY_REPORT_BANDS; i++) {
        fprintf(out, ",%s_fee", band_key[band_order[i]]);
    }
    fputs(",days,partial", out);
    if (o.growth) {
        fputs(",yoy_pct,yoy_null,mom_pct,mom_null", out);
    }
    fputc('\n', out);
    uint32_t b_end = bucket_end(report, &o);
    for (uint32_t b = o.first_bucket; b < b_end; b++) {
        for (uint32_t k = 0; k < report->key_count; k++) {
            table_row_t row;
            int status = build_row(report, b, k, &o, &row);
            if (status != PREPAY_OK) {
                return status;
            }
            fprintf(out, "%s,%s,%s,", row.period, row.first, row.last);
            csv_field(out, row.key);
            fprintf(out, ",%s", row.energy);
            for (unsigned i = 0; i < PREPAY_REPORT_BANDS; i++) {
                fprintf(out, ",%s", row.band_energy[band_order[i]]);
            }
            fprintf(out, ",%s", row.fee);
            for (unsigned i = 0; i < PREPAY_REPORT_BANDS; i++) {
                fprintf(out, ",%s", row.band_fee[band_order[i]]);
            }
            fprintf(out, ",%d,%s", (int)row.days, row.partial ? "true" : "false");
            if (o.growth) {
                fprintf(out, ",%s,%s,%s,%s", row.yoy, row.yoy_null, row.mom, row.mom_null);
            }
            fputc('\n', out);
        }
    }
    return ferror(out) ? PREPAY_E_HOSTED_IO : PREPAY_OK;
}

static void json_number_or_null(FILE *out, bool present, const char *text)
{
    fputs(present ? text : "null", out);
}

int prepay_report_write_json(FILE *out, const prepay_report_t *report, const prepay_report_output_t *options)
{
    if (out == NULL || !prepay__report_ready(report)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_report_output_t o = defaults(options);
    fprintf(out, "{\"period\": \"%s\", \"unit\": ", period_name(report->period));
    prepay__json_write_string(out, o.unit);
    fputs(", \"rows\": [", out);
    uint32_t b_end = bucket_end(report, &o);
    bool first_row = true;
    for (uint32_t b = o.first_bucket; b < b_end; b++) {
        for (uint32_t k = 0; k < report->key_count; k++) {
            table_row_t row;
            int status = build_row(report, b, k, &o, &row);
            if (status != PREPAY_OK) {
                return status;
            }
            fprintf(out, "%s\n  {\"period\": \"%s\", \"first_day\": \"%s\", \"last_day\": \"%s\", \"key\": ",
                    first_row ? "" : ",", row.period, row.first, row.last);
            first_row = false;
            prepay__json_write_string(out, row.key);
            fputs(", \"energy\": ", out);
            json_number_or_null(out, row.has_data, row.energy);
            for (unsigned i = 0; i < PREPAY_REPORT_BANDS; i++) {
                fprintf(out, ", \"%s\": ", band_key[band_order[i]]);
                json_number_or_null(out, row.has_data, row.band_energy[band_order[i]]);
            }
            fputs(", \"fee\": ", out);
            json_number_or_null(out, row.has_data, row.fee);
            for (unsigned i = 0; i < PREPAY_REPORT_BANDS; i++) {
                fprintf(out, ", \"%s_fee\": ", band_key[band_order[i]]);
                json_number_or_null(out, row.has_data, row.band_fee[band_order[i]]);
            }
            fprintf(out, ", \"days\": %d, \"partial\": %s", (int)row.days, row.partial ? "true" : "false");
            if (o.growth) {
                fputs(", \"yoy_pct\": ", out);
                json_number_or_null(out, row.has_yoy, row.yoy);
                fprintf(out, ", \"yoy_null\": \"%s\", \"mom_pct\": ", row.yoy_null);
                json_number_or_null(out, row.has_mom, row.mom);
                fprintf(out, ", \"mom_null\": \"%s\"", row.mom_null);
            }
            fputc('}', out);
        }
    }
    fputs("\n]}\n", out);
    return ferror(out) ? PREPAY_E_HOSTED_IO : PREPAY_OK;
}

/* ---- SVG ----------------------------------------------------------------------------- */

static void xml_text(FILE *out, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out); break;
        }
    }
}

/* A tenth-of-a-pixel coordinate as text. */
static void px(FILE *out, int64_t tenths)
{
    fprintf(out, "%" PRId64 ".%" PRId64, tenths / 10, tenths % 10);
}

/* Tick label: fixed point, trailing zeros of the fraction dropped ("1.500" -> "1.5"). */
static void tick_label(int64_t v, unsigned decimals, char out[32])
{
    if (prepay_fixed_format(v, decimals, out, 32) < 0) {
        strcpy(out, "?");
        return;
    }
    if (strchr(out, '.') != NULL) {
        size_t n = strlen(out);
        while (n > 0 && out[n - 1] == '0') {
            out[--n] = '\0';
        }
        if (n > 0 && out[n - 1] == '.') {
            out[n - 1] = '\0';
        }
    }
}

/* Round axis: the smallest step 1, 2 or 5 x 10^k (in value units) that
 * covers max in at most 6 steps. */
static void nice_axis(int64_t max, int64_t *step, int64_t *top)
{
    if (max <= 0) {
        max = 1;
    }
    int64_t scale = 1;
    for (;;) {
        static const int64_t mult[3] = {1, 2, 5};
        for (int i = 0; i < 3; i++) {
            int64_t s = mult[i] * scale;
            int64_t n = max / s + (max % s != 0);
            if (n <= 6) {
                *step = s;
                *top = n * s;
                return;
            }
        }
        scale *= 10;
    }
}

/* round(a x b / d) toward minus infinity; the chart's values are bounded, so it cannot fail. */
static int64_t muldiv_floor(int64_t a, int64_t b, int64_t d)
{
    int64_t out = 0;
    (void)prepay_i64_muldiv(a, b, d, PREPAY_ROUND_FLOOR, &out);
    return out;
}

static const char *const palette[12] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};

/* Series colours of a chart: its own palette, or the band colours when the
 * series are named after bands (passed through `colors`). */
static int chart_write(FILE *out, const prepay_svg_chart_t *c, const char *const *colors)
{
    if (out == NULL || c == NULL || c->x_count == 0u || c->x_labels == NULL || c->series == NULL ||
        c->series_count == 0u || c->series_count > 12u || c->decimals > 9u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const int64_t W = c->width ? c->width : 960, H = c->height ? c->height : 480;
    const int64_t left = 90, right = 24, top = 78, bottom = 72;
    const int64_t pw = W - left - right, ph = H - top - bottom;
    if (pw < 100 || ph < 100) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* the largest value (or stack) */
    int64_t max = 0;
    for (size_t x = 0; x < c->x_count; x++) {
        int64_t stack = 0;
        for (size_t s = 0; s < c->series_count; s++) {
            const prepay_svg_series_t *se = &c->series[s];
            if (se->values == NULL) {
                return PREPAY_E_INVALID_ARGUMENT;
            }
            if (se->present != NULL && !se->present[x]) {
                continue;
            }
            int64_t v = se->values[x];
            if (v < 0) {
                return PREPAY_E_INVALID_ARGUMENT;
            }
            if (c->kind == PREPAY_SVG_STACKED_BARS) {
                if (prepay_i64_add(stack, v, &stack) != PREPAY_OK) {
                    return PREPAY_E_OVERFLOW;
                }
            } else if (v > stack) {
                stack = v;
            }
        }
        if (stack > max) {
            max = stack;
        }
    }
    int64_t step = 1, ymax = 1;
    nice_axis(max, &step, &ymax);
    /* y of a value, in tenths of a pixel */
#define Y10(v) (10 * (top + ph) - muldiv_floor((v), 10 * ph, ymax))
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%" PRId64 "\" height=\"%" PRId64
                 "\" viewBox=\"0 0 %" PRId64 " %" PRId64 "\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n",
            W, H, W, H);
    fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%" PRId64 "\" height=\"%" PRId64 "\" fill=\"#ffffff\"/>\n", W, H);
    /* Title: 18 px, smaller for long titles, cut with "..." below 11 px
     * (a glyph is about 0.6 em wide). */
    const char *title = c->title ? c->title : "";
    int64_t title_len = (int64_t)strlen(title);
    int64_t room = (W - 20) * 10 / 6; /* width / 0.6, in px of font size x characters */
    int64_t font = title_len > 0 ? room / title_len : 18;
    font = font > 18 ? 18 : font < 11 ? 11 : font;
    int64_t max_chars = room / font;
    fprintf(out, "<text x=\"%" PRId64 "\" y=\"28\" font-size=\"%" PRId64 "\" font-weight=\"bold\" text-anchor=\"middle\">",
            W / 2, font);
    if (title_len > max_chars && max_chars > 3) {
        char cut[512];
        size_t keep = (size_t)(max_chars - 3) < sizeof cut - 4 ? (size_t)(max_chars - 3) : sizeof cut - 4;
        while (keep > 0 && ((unsigned char)title[keep] & 0xC0u) == 0x80u) {
            keep--; /* do not cut inside a UTF-8 character */
        }
        memcpy(cut, title, keep);
        strcpy(cut + keep, "...");
        xml_text(out, cut);
    } else {
        xml_text(out, title);
    }
    fputs("</text>\n", out);
    /* legend, one row under the title */
    int64_t lx = left;
    for (size_t s = 0; s < c->series_count; s++) {
        const char *name = c->series[s].name ? c->series[s].name : "";
        const char *color = colors ? colors[s] : palette[s];
        if (c->kind == PREPAY_SVG_LINE) {
            fprintf(out, "<line x1=\"%" PRId64 "\" y1=\"51\" x2=\"%" PRId64 "\" y2=\"51\" stroke=\"%s\" stroke-width=\"3\"/>\n",
                    lx, lx + 18, color);
        } else {
            fprintf(out, "<rect x=\"%" PRId64 "\" y=\"45\" width=\"14\" height=\"12\" fill=\"%s\"/>\n", lx, color);
        }
        fprintf(out, "<text x=\"%" PRId64 "\" y=\"56\" font-size=\"13\">", lx + 22);
        xml_text(out, name);
        fputs("</text>\n", out);
        lx += 22 + 8 * (int64_t)strlen(name) + 22;
    }
    /* y grid, ticks and labels */
    for (int64_t v = 0; v <= ymax; v += step) {
        int64_t y = Y10(v);
        fputs("<line x1=\"", out);
        px(out, 10 * left);
        fputs("\" y1=\"", out);
        px(out, y);
        fputs("\" x2=\"", out);
        px(out, 10 * (left + pw));
        fputs("\" y2=\"", out);
        px(out, y);
        fprintf(out, "\" stroke=\"%s\" stroke-width=\"1\"/>\n", v == 0 ? "#333333" : "#dddddd");
        char label[32];
        tick_label(v, c->decimals, label);
        fprintf(out, "<text x=\"%" PRId64 "\" y=\"", left - 8);
        px(out, y + 45);
        fprintf(out, "\" font-size=\"12\" text-anchor=\"end\">%s</text>\n", label);
    }
    fprintf(out, "<text x=\"20\" y=\"%" PRId64 "\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 20 %" PRId64
                 ")\">",
            top + ph / 2, top + ph / 2);
    xml_text(out, c->y_title);
    fputs("</text>\n", out);
    fprintf(out, "<line x1=\"%" PRId64 "\" y1=\"%" PRId64 "\" x2=\"%" PRId64 "\" y2=\"%" PRId64
                 "\" stroke=\"#333333\" stroke-width=\"1\"/>\n",
            left, top, left, top + ph);
    /* x slots: label thinning keeps about 12 labels */
    const int64_t n = (int64_t)c->x_count;
    const int64_t slot10 = 10 * pw / n;
    /* label thinning: every k-th label so that labels (about 7 px a
     * character at 12 px, plus a gap) never overlap */
    int64_t widest = 1;
    for (int64_t x = 0; x < n; x++) {
        int64_t len = (int64_t)strlen(c->x_labels[x] ? c->x_labels[x] : "");
        widest = len > widest ? len : widest;
    }
    int64_t need10 = (7 * widest + 12) * 10;
    int64_t every = slot10 > 0 ? (need10 + slot10 - 1) / slot10 : n;
    every = every < 1 ? 1 : every;
    for (int64_t x = 0; x < n; x++) {
        int64_t cx = 10 * left + slot10 * x + slot10 / 2;
        if (x % every == 0) {
            fputs("<line x1=\"", out);
            px(out, cx);
            fprintf(out, "\" y1=\"%" PRId64 "\" x2=\"", top + ph);
            px(out, cx);
            fprintf(out, "\" y2=\"%" PRId64 "\" stroke=\"#333333\"/>\n", top + ph + 5);
            fputs("<text x=\"", out);
            px(out, cx);
            fprintf(out, "\" y=\"%" PRId64 "\" font-size=\"12\" text-anchor=\"middle\">", top + ph + 20);
            xml_text(out, c->x_labels[x]);
            fputs(c->partial != NULL && c->partial[x] ? "*</text>\n" : "</text>\n", out);
        }
    }
    fprintf(out, "<text x=\"%" PRId64 "\" y=\"%" PRId64 "\" font-size=\"13\" text-anchor=\"middle\">", left + pw / 2,
            H - 16);
    xml_text(out, c->x_title);
    fputs("</text>\n", out);
    bool any_partial = false;
    for (int64_t x = 0; x < n && c->partial != NULL; x++) {
        any_partial = any_partial || c->partial[x];
    }
    if (any_partial) {
        fprintf(out, "<text x=\"%" PRId64 "\" y=\"%" PRId64 "\" font-size=\"11\" fill=\"#555555\" text-anchor=\"end\">"
                     "* partial period (cut by the report's dates), drawn faded</text>\n",
                W - right, H - 16);
    }
    if (c->kind == PREPAY_SVG_STACKED_BARS) {
        int64_t bw = slot10 * 7 / 10;
        for (int64_t x = 0; x < n; x++) {
            int64_t bx = 10 * left + slot10 * x + (slot10 - bw) / 2;
            int64_t base = 0;
            bool any = false;
            for (size_t s = 0; s < c->series_count; s++) {
                const prepay_svg_series_t *se = &c->series[s];
                if (se->present != NULL && !se->present[x]) {
                    continue;
                }
                any = true;
                int64_t v = se->values[x];
                if (v == 0) {
                    continue;
                }
                int64_t y_top = Y10(base + v), y_bottom = Y10(base);
                fputs("<rect x=\"", out);
                px(out, bx);
                fputs("\" y=\"", out);
                px(out, y_top);
                fputs("\" width=\"", out);
                px(out, bw);
                fputs("\" height=\"", out);
                px(out, y_bottom - y_top);
                fprintf(out, "\" fill=\"%s\"%s/>\n", colors ? colors[s] : palette[s],
                        c->partial != NULL && c->partial[x] ? " fill-opacity=\"0.4\"" : "");
                base += v;
            }
            if (!any) {
                /* no data: say so, never draw a zero */
                fputs("<text x=\"", out);
                px(out, bx + bw / 2);
                fprintf(out, "\" y=\"%" PRId64 "\" font-size=\"10\" fill=\"#999999\" text-anchor=\"middle\">n/a</text>\n",
                        top + ph - 4);
            }
        }
    } else {
        for (size_t s = 0; s < c->series_count; s++) {
            const prepay_svg_series_t *se = &c->series[s];
            const char *color = colors ? colors[s] : palette[s];
            bool open = false;
            for (int64_t x = 0; x <= n; x++) {
                bool has = x < n && (se->present == NULL || se->present[x]);
                if (has) {
                    int64_t cx = 10 * left + slot10 * x + slot10 / 2;
                    fputs(open ? " " : "<polyline fill=\"none\" stroke-width=\"2\" points=\"", out);
                    px(out, cx);
                    fputc(',', out);
                    px(out, Y10(se->values[x]));
                    open = true;
                } else if (open) {
                    fprintf(out, "\" stroke=\"%s\"/>\n", color);
                    open = false;
                }
            }
            for (int64_t x = 0; x < n; x++) {
                if (se->present == NULL || se->present[x]) {
                    fputs("<circle cx=\"", out);
                    px(out, 10 * left + slot10 * x + slot10 / 2);
                    fputs("\" cy=\"", out);
                    px(out, Y10(se->values[x]));
                    fprintf(out, "\" r=\"3\" fill=\"%s\"/>\n", color);
                }
            }
        }
    }
#undef Y10
    fputs("</svg>\n", out);
    return ferror(out) ? PREPAY_E_HOSTED_IO : PREPAY_OK;
}

int prepay_svg_chart_write(FILE *out, const prepay_svg_chart_t *chart)
{
    return chart_write(out, chart, NULL);
}

/* Band colours: sharp red, peak orange, flat green, valley blue, deep valley purple, none grey. */
static const char *const band_color[PREPAY_REPORT_BANDS] = {"#7f7f7f", "#c0392b", "#e67e22", "#27ae60", "#2980b9",
                                                            "#8e44ad"};

static const char *x_title_of(prepay_report_period_t p)
{
    switch (p) {
    case PREPAY_REPORT_DAY: return "Day";
    case PREPAY_REPORT_WEEK: return "ISO week";
    case PREPAY_REPORT_MONTH: return "Month";
    default: return "Year";
    }
}

/* Labels of every bucket, in one heap block. */
static char (*bucket_labels(const prepay_report_t *r, const char ***pointers))[PREPAY_REPORT_LABEL_MAX]
{
    char(*labels)[PREPAY_REPORT_LABEL_MAX] = calloc(r->bucket_count, sizeof *labels);
    const char **ptrs = calloc(r->bucket_count, sizeof *ptrs);
    if (labels == NULL || ptrs == NULL) {
        free(labels);
        free(ptrs);
        return NULL;
    }
    for (uint32_t b = 0; b < r->bucket_count; b++) {
        (void)prepay_report_period_label(r, b, labels[b], PREPAY_REPORT_LABEL_MAX);
        ptrs[b] = labels[b];
    }
    *pointers = ptrs;
    return labels;
}

int prepay_report_chart_bands(FILE *out, const prepay_report_t *report, uint32_t key, const char *title,
                              const char *unit)
{
    if (out == NULL || !prepay__report_ready(report)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (key >= report->key_count) {
        return PREPAY_E_REPORT_BAD_KEY;
    }
    size_t n = report->bucket_count;
    int64_t *values = calloc(n * PREPAY_REPORT_BANDS, sizeof *values);
    bool *present = calloc(n, sizeof *present);
    const char **labels_ptr = NULL;
    char(*labels)[PREPAY_REPORT_LABEL_MAX] = bucket_labels(report, &labels_ptr);
    int status = PREPAY_OK;
    if (values == NULL || present == NULL || labels == NULL) {
        status = PREPAY_E_HOSTED_NO_MEMORY;
    } else {
        prepay_svg_series_t series[PREPAY_REPORT_BANDS];
        const char *colors[PREPAY_REPORT_BANDS];
        size_t count = 0;
        for (unsigned i = 0; i < PREPAY_REPORT_BANDS; i++) {
            unsigned band = band_order[i];
            bool used = false;
            for (size_t b = 0; b < n; b++) {
                const prepay_report_cell_t *c = prepay_report_cell(report, (uint32_t)b, key);
                present[b] = prepay_report_cell_has_data(c);
                values[count * n + b] = c->energy[band];
                used = used || c->energy[band] != 0;
            }
            if (used) {
                series[count].name = band_title[band];
                series[count].values = values + count * n;
                series[count].present = present;
                colors[count] = band_color[band];
                count++;
            }
        }
        if (count == 0) { /* no energy at all: one empty series keeps the axes and the n/a marks */
            series[0].name = "Energy";
            series[0].values = values;
            series[0].present = present;
            colors[0] = band_color[0];
            count = 1;
        }
        char y_title[64];
        snprintf(y_title, sizeof y_title, "Energy (%s)", unit ? unit : "kWh");
        bool *partial = calloc(n, sizeof *partial);
        if (partial == NULL) {
            status = PREPAY_E_HOSTED_NO_MEMORY;
        } else {
            for (size_t b = 0; b < n; b++) {
                partial[b] = report->buckets[b].partial;
            }
            prepay_svg_chart_t chart = {PREPAY_SVG_STACKED_BARS, title, x_title_of(report->period), y_title, 3,
                                        labels_ptr, n, series, count, 0, 0, partial};
            status = chart_write(out, &chart, colors);
            free(partial);
        }
    }
    free(values);
    free(present);
    free(labels);
    free(labels_ptr);
    return status;
}

int prepay_report_chart_keys(FILE *out, const prepay_report_t *report, const char *const *key_names,
                             const char *title, const char *unit)
{
    if (out == NULL || !prepay__report_ready(report) || report->key_count > 12u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t n = report->bucket_count, keys = report->key_count;
    int64_t *values = calloc(n * keys, sizeof *values);
    bool *present = calloc(n * keys, sizeof *present);
    const char **labels_ptr = NULL;
    char(*labels)[PREPAY_REPORT_LABEL_MAX] = bucket_labels(report, &labels_ptr);
    char(*names)[32] = calloc(keys, sizeof *names);
    int status = PREPAY_OK;
    if (values == NULL || present == NULL || labels == NULL || names == NULL) {
        status = PREPAY_E_HOSTED_NO_MEMORY;
    } else {
        prepay_svg_series_t series[12];
        for (size_t k = 0; k < keys && status == PREPAY_OK; k++) {
            for (size_t b = 0; b < n && status == PREPAY_OK; b++) {
                const prepay_report_cell_t *c = prepay_report_cell(report, (uint32_t)b, (uint32_t)k);
                present[k * n + b] = prepay_report_cell_has_data(c);
                status = prepay_report_cell_sum(c, PREPAY_REPORT_ALL_BANDS, &values[k * n + b], NULL);
            }
            if (key_names != NULL && key_names[k] != NULL) {
                snprintf(names[k], sizeof names[k], "%s", key_names[k]);
            } else {
                snprintf(names[k], sizeof names[k], "%zu", k + 1u);
            }
            series[k].name = names[k];
            series[k].values = values + k * n;
            series[k].present = present + k * n;
        }
        if (status == PREPAY_OK) {
            char y_title[64];
            snprintf(y_title, sizeof y_title, "Energy (%s)", unit ? unit : "kWh");
            bool *partial = calloc(n, sizeof *partial);
            for (size_t b = 0; partial != NULL && b < n; b++) {
                partial[b] = report->buckets[b].partial;
            }
            prepay_svg_chart_t chart = {PREPAY_SVG_LINE, title, x_title_of(report->period), y_title, 3,
                                        labels_ptr, n, series, keys, 0, 0, partial};
            status = partial ? chart_write(out, &chart, NULL) : PREPAY_E_HOSTED_NO_MEMORY;
            free(partial);
        }
    }
    free(values);
    free(present);
    free(labels);
    free(labels_ptr);
    free(names);
    return status;
}
