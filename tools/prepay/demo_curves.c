/* SPDX-License-Identifier: MIT */
/*
 * prepay demo: the last day's load curves. At the end of the run the station
 * reads, from every meter (rooms and the building incomer), the class-4 load
 * records (DL/T 645-2007 06040001: forward and reverse active energy
 * registers) of the last 24 hours, a record every 15 minutes, 97 of them
 * (96 in a one-day run: no record at the emulator's first instant),
 * with the follow-up frames the session stitches; the records are decoded by
 * the library's reply decoder (prepay_load_record_decode()). The curve is
 * used twice: the site's day chart (load_day.svg, kW per quarter hour) and a
 * cross-check: each meter's curve adds up, quarter hour by quarter hour, to
 * the advance of the register that the station read at the day's first and
 * last hourly readings (both are the same 0.01 kWh register at the same
 * instants: equal to the Wh).
 *
 * Then each room's curve is priced: the station keeps, beside the settlement,
 * a tariff stream per room fed every hourly register reading exactly as the
 * settlement feeds its own (prepay_tariff_compact_feed_interval(), the room's
 * plan and tariff account), and copies it at the day's first reading: the
 * copy is then in the settlement's state (billing cycle, cumulative energy
 * in the ladder, carried remainder). The 96 quarter hours fed into the copy
 * give the curve's dues; the register-based bill of the same day is what the
 * ledger holds: the READING and READING_DEBT transfers of the day's 24
 * readings, looked up by their settlement ids. Equal to the fen: a quarter
 * never straddles a band edge (the bands change on the hour or quarter) and
 * the stream splits a tier step inside an interval by cumulative energy, so
 * the exact amounts agree and the dues round the same running total.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_text.h"
#include "demo.h"

#define QUARTERS 96
#define RECORDS (QUARTERS + 1)

/* The room's stream fed with this reading, as the settlement prices it (prepay__settle_price: the
 * interval from the previous reading to this one; the first reading only primes). */
static void feed_room_stream(demo_t *d, demo_curve_t *c, prepay_time_t t, prepay_energy_t reading)
{
    if (c->stream_failed) {
        return;
    }
    if (!c->stream_primed) {
        c->stream_failed = prepay_tariff_compact_init(&c->stream) != PREPAY_OK;
        c->stream_primed = true;
    } else {
        prepay_tariff_line_t lines[64];
        prepay_tariff_feed_result_t res;
        if (t <= c->stream_time || reading < c->stream_reading ||
            prepay_tariff_compact_feed_interval(&d->tariffs[0].plan, &d->doc->account, &c->stream, c->stream_time, t,
                                                reading - c->stream_reading, lines, sizeof lines / sizeof lines[0],
                                                &res) < 0) {
            c->stream_failed = true; /* not compared (unmatched) */
            return;
        }
        if (t > d->curve_from && t <= d->curve_to) {
            c->day_readings++;
        }
    }
    c->stream_time = t;
    c->stream_reading = reading;
    if (t == d->curve_from) {
        c->day_start = c->stream;
        c->day_start_kept = true;
    }
}

void demo_curve_note(demo_t *d, size_t meter, prepay_time_t t, prepay_energy_t reading)
{
    if (d->curves == NULL || meter > d->room_count) {
        return;
    }
    demo_curve_t *c = &d->curves[meter];
    if (meter < d->room_count) {
        feed_room_stream(d, c, t, reading);
    }
    if (t == d->curve_from) {
        c->from_reading = reading;
        c->from_read = true;
    }
    if (t == d->curve_to) {
        c->to_reading = reading;
        c->to_read = true;
    }
}

/* Reads and decodes one meter's curve; 0 (read or not: c->records says), -1 link lost. */
static int read_curve(demo_t *d, const prepay_dlt645_address_t *address, demo_curve_t *c)
{
    prepay_dlt645_frame_t request;
    int status = prepay_load_record_request(&request, address, 4, PREPAY_LOAD_RECORD_FROM_TIME, RECORDS,
                                            d->curve_from);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "load-record request: %s", prepay_strerror(status));
        return -1;
    }
    static uint8_t data[RECORDS * PREPAY_LOAD_RECORD_FULL_SIZE];
    prepay_station_result_t result;
    d->requests++;
    if (station_link_exchange(&d->link, &request, data, sizeof data, &result) != PREPAY_OK) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "lost the emulator during a load-record read");
        return -1;
    }
    if (result.status != PREPAY_OK) {
        d->failures++;
        return 0; /* not read (a dropped reply under --drop): reported, not checked */
    }
    static prepay_load_record_t records[RECORDS];
    size_t n = 0;
    if (prepay_load_record_decode(request.di, data, result.data_len, records, RECORDS, &n) != PREPAY_OK) {
        c->garbled = true;
        return 0;
    }
    c->records = (int)n;
    /* A one-day run starts at the curve's first instant, before the meter kept any record: its curve
     * starts at the register the station read then. */
    size_t skip = (d->curve_from == d->start && c->from_read && n == RECORDS - 1) ? 1 : 0;
    c->aligned = n + skip == RECORDS;
    for (size_t k = 0; k < n && c->aligned; k++) {
        c->aligned = records[k].time == d->curve_from + (prepay_time_t)(k + skip) * 900 &&
                     (records[k].classes & 0x08u) != 0;
    }
    if (!c->aligned) {
        return 0;
    }
    c->first_wh = skip ? c->from_reading : records[0].forward_active_wh;
    c->last_wh = records[n - 1].forward_active_wh;
    prepay_energy_t previous = c->first_wh;
    for (size_t k = 0; k < QUARTERS; k++) {
        prepay_energy_t now = records[k + 1 - skip].forward_active_wh;
        c->quarter_wh[k] = now - previous;
        previous = now;
    }
    return 0;
}

int demo_read_curves(demo_t *d)
{
    if (d->curves == NULL) {
        return 0;
    }
    for (size_t i = 0; i <= d->room_count; i++) {
        const prepay_dlt645_address_t *a = i < d->room_count ? &d->rooms[i].address : &d->master_address;
        /* A read of several frames is lost with any one of them (--drop): the station asks again, a few times. */
        for (int attempt = 0; attempt < 4 && !d->curves[i].aligned && !d->curves[i].garbled; attempt++) {
            if (read_curve(d, a, &d->curves[i]) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* The room's charges for the reading at t in the ledger (the wallet part and the part that became
 * debt), by their settlement ids; false if neither is there. */
static bool ledger_charge(const demo_t *d, uint32_t meter_id, prepay_time_t t, prepay_money_t *out)
{
    static const unsigned kinds[2] = {PREPAY_SETTLEMENT_KIND_READING, PREPAY_SETTLEMENT_KIND_READING_DEBT};
    bool found = false;
    *out = 0;
    for (int k = 0; k < 2; k++) {
        prepay_settlement_id_t id;
        uint64_t key;
        if (prepay_settlement_id_make(kinds[k], meter_id, (uint32_t)t, 0, &id) != PREPAY_OK ||
            prepay_settlement_ledger_key(&id, &key) != PREPAY_OK) {
            return false;
        }
        const prepay_ledger_entry_t *e = prepay_ledger_lookup(&d->ledger, key);
        if (e != NULL) {
            *out += e->transfer.amount;
            found = true;
        }
    }
    return found;
}

/* Room i's curve priced from the stream kept at the day's start, against the ledger's charges of the
 * day's 24 register readings. A room whose day lost a reading (or whose stream could not follow the
 * settlement's) is not compared: the settlement priced a longer interval there. */
static void price_room_day(const demo_t *d, size_t i, demo_curve_summary_t *s)
{
    const demo_curve_t *c = &d->curves[i];
    if (!c->day_start_kept || c->stream_failed || c->day_readings != 24) {
        s->priced_unmatched++;
        return;
    }
    prepay_tariff_compact_state_t stream = c->day_start;
    prepay_money_t curve = 0, ledger = 0;
    bool ok = true;
    for (int k = 0; k < QUARTERS && ok; k++) {
        prepay_tariff_line_t lines[64];
        prepay_tariff_feed_result_t res;
        prepay_time_t from = d->curve_from + (prepay_time_t)k * 900;
        ok = prepay_tariff_compact_feed_interval(&d->tariffs[0].plan, &d->doc->account, &stream, from, from + 900,
                                                 c->quarter_wh[k], lines, sizeof lines / sizeof lines[0], &res) >= 0;
        curve += ok ? res.due : 0;
    }
    for (int h = 1; h <= 24 && ok; h++) {
        prepay_money_t charge;
        if (ledger_charge(d, d->rooms[i].id, d->curve_from + (prepay_time_t)h * 3600, &charge)) {
            ledger += charge;
        }
    }
    s->priced++;
    s->curve_fen += curve;
    s->ledger_fen += ledger;
    if (!ok || curve != ledger) {
        s->priced_mismatched++;
    }
}

void demo_curve_summary(const demo_t *d, demo_curve_summary_t *s)
{
    memset(s, 0, sizeof *s);
    if (d->curves == NULL) {
        return;
    }
    for (size_t i = 0; i <= d->room_count; i++) {
        const demo_curve_t *c = &d->curves[i];
        if (c->garbled || (c->records > 0 && !c->aligned)) {
            s->malformed++;
            continue;
        }
        if (!c->aligned) {
            s->unread++;
            continue;
        }
        s->read++;
        prepay_energy_t sum = 0;
        for (int k = 0; k < QUARTERS; k++) {
            sum += c->quarter_wh[k];
            if (i < d->room_count) {
                s->rooms_quarter_wh[k] += c->quarter_wh[k];
            } else {
                s->master_quarter_wh[k] = c->quarter_wh[k];
            }
        }
        if (!c->from_read || !c->to_read) {
            s->unmatched++; /* a register read missed at one end: nothing to compare with */
            continue;
        }
        s->compared++;
        if (sum != c->to_reading - c->from_reading || c->first_wh != c->from_reading || c->last_wh != c->to_reading) {
            s->mismatched++;
        }
        s->energy += sum;
        if (i < d->room_count) {
            price_room_day(d, i, s);
        }
    }
    s->master_read = d->curves[d->room_count].aligned;
}

int demo_write_day_svg(const demo_t *d, FILE *f)
{
    demo_curve_summary_t s;
    demo_curve_summary(d, &s);
    const int width = 960, height = 420, left = 80, right = 30, top = 64, bottom = 70;
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    /* a quarter hour's Wh x 4 = its mean load in W */
    prepay_energy_t peak_w = 0;
    for (int k = 0; k < QUARTERS; k++) {
        peak_w = s.rooms_quarter_wh[k] * 4 > peak_w ? s.rooms_quarter_wh[k] * 4 : peak_w;
        peak_w = s.master_quarter_wh[k] * 4 > peak_w ? s.master_quarter_wh[k] * 4 : peak_w;
    }
    int64_t step = 1, ymax = 1;
    if (demo_chart_axis(peak_w, &step, &ymax) != 0) {
        return -1;
    }
    char a[CLI_TEXT_MAX];
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n",
            width, height, width, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\">"
               "Site load per quarter hour on %s, from the meters' load records (class 4)</text>\n",
            width / 2, cli_time_text(d->curve_from, PREPAY_TIME_TEXT_DATE, a));
    const char *colors[2] = {"#c0392b", "#2471a3"};
    char rooms_name[64];
    snprintf(rooms_name, sizeof rooms_name, "sum of the rooms' meters (%d of %zu read)",
             s.read - (s.master_read ? 1 : 0), d->room_count);
    const char *names[2] = {s.master_read ? "building incomer (master meter)" : "building incomer (not read)",
                            rooms_name};
    demo_chart_legend(f, left, colors, names);
    demo_chart_y_axis(f, left, width - right, top, plot_h, step, ymax, "Load (kW, mean over each quarter hour)");
    /* x: the local time of day, a tick every hour, a label every three */
    for (int h = 0; h <= 24; h++) {
        double x = left + plot_w * h / 24.0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", x, top + plot_h, x,
                top + plot_h + (h % 3 == 0 ? 6 : 3));
        if (h % 3 == 0) {
            fprintf(f, "<text class=\"x-tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%02d:00</text>\n", x,
                    top + plot_h + 20, h % 24);
        }
    }
    fprintf(f, "<text class=\"x-title\" x=\"%.1f\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">"
               "Time of day (local time, hh:mm)</text>\n",
            left + plot_w / 2, height - 16);
    for (int series = 0; series < 2; series++) {
        const prepay_energy_t *v = series == 0 ? s.master_quarter_wh : s.rooms_quarter_wh;
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"", colors[series]);
        for (int k = 0; k < QUARTERS; k++) {
            double x = left + plot_w * (k + 0.5) / QUARTERS;
            double y = top + plot_h - plot_h * (double)(v[k] * 4) / (double)ymax;
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "</svg>\n");
    return ferror(f) ? -1 : 0;
}
