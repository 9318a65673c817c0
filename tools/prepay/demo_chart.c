/* SPDX-License-Identifier: MIT */
/* prepay demo: the site's hourly load as a chart (load.svg) and as a table (load.csv).
 *
 * The chart is read by a property manager: a title that names the period, a y
 * axis in kW with round ticks (1, 2 or 5 x 10^k), a dated x axis with a tick at
 * each local midnight, both axis titles with their units, and a legend. The
 * CSV holds the same two curves, one row per hour, units in the header. */
#include <string.h>

#include "cli_text.h"
#include "demo.h"

enum { HOUR_SECONDS = 3600, DAY_SECONDS = 86400 };

/* Largest value of both curves (Wh in an hour, so the mean W of the hour). */
static prepay_energy_t peak_of(const demo_t *d)
{
    prepay_energy_t peak = 0;
    for (int h = 0; h < d->hours; h++) {
        peak = d->master_wh[h] > peak ? d->master_wh[h] : peak;
        peak = d->rooms_wh[h] > peak ? d->rooms_wh[h] : peak;
    }
    return peak;
}

int demo_chart_axis(int64_t max, int64_t *step, int64_t *top)
{
    if (max <= 0) {
        max = 1;
    }
    for (int64_t scale = 1; scale <= INT64_MAX / 50; scale *= 10) {
        static const int64_t mult[3] = {1, 2, 5};
        for (int i = 0; i < 3; i++) {
            int64_t s = mult[i] * scale;
            int64_t n = max / s + (max % s != 0);
            if (n <= 6) {
                *step = s;
                *top = n * s;
                return 0;
            }
        }
    }
    return -1;
}

const char *demo_chart_kw_text(int64_t watts, char out[CLI_TEXT_MAX])
{
    cli_fixed_text(watts, 3, out);
    char *dot = strchr(out, '.');
    if (dot != NULL) {
        size_t n = strlen(out);
        while (out[n - 1] == '0') {
            out[--n] = '\0';
        }
        if (out[n - 1] == '.') {
            out[n - 1] = '\0';
        }
    }
    return out;
}

void demo_chart_legend(FILE *f, int left, const char *const colors[2], const char *const names[2])
{
    for (int s = 0; s < 2; s++) {
        int x = left + s * 300;
        fprintf(f, "<line x1=\"%d\" y1=\"44\" x2=\"%d\" y2=\"44\" stroke=\"%s\" stroke-width=\"3\"/>\n", x, x + 20,
                colors[s]);
        fprintf(f, "<text x=\"%d\" y=\"48\" font-size=\"13\">%s</text>\n", x + 26, names[s]);
    }
}

void demo_chart_y_axis(FILE *f, int left, int right_x, int top, double plot_h, int64_t step, int64_t ymax,
                       const char *title)
{
    char a[CLI_TEXT_MAX];
    for (int64_t v = 0; v <= ymax; v += step) {
        double y = top + plot_h - plot_h * (double)v / (double)ymax;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>\n", left, y, right_x, y,
                v == 0 ? "#333" : "#ddd");
        fprintf(f, "<text class=\"y-tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 8, y + 4,
                demo_chart_kw_text(v, a));
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>\n", left, top, left, top + plot_h);
    fprintf(f, "<text class=\"y-title\" x=\"20\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 20 %.1f)\">%s</text>\n",
            top + plot_h / 2, top + plot_h / 2, title);
}

/* Days between date labels: at most about ten labels whatever the run's length. */
static int label_every(int days)
{
    static const int steps[] = {1, 2, 5, 7, 14, 28};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (days <= 10 * steps[i]) {
            return steps[i];
        }
    }
    return (days + 9) / 10;
}

int demo_chart_write_svg(const demo_t *d, FILE *f)
{
    const int width = 960, height = 420, left = 80, right = 48, top = 64, bottom = 70; /* right: half a date label */
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    const int64_t span = (int64_t)(d->hours > 0 ? d->hours : 1) * HOUR_SECONDS;
    int64_t step = 1, ymax = 1;
    if (demo_chart_axis(peak_of(d), &step, &ymax) != 0) {
        return -1;
    }
    char a[CLI_TEXT_MAX], b[CLI_TEXT_MAX];
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n",
            width, height, width, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\" text-anchor=\"middle\">"
               "Site load, hourly, %s to %s</text>\n",
            width / 2, cli_time_text(d->start, PREPAY_TIME_TEXT_MINUTE, a),
            cli_time_text(d->start + span, PREPAY_TIME_TEXT_MINUTE, b));
    /* legend, one row under the title */
    const char *colors[2] = {"#c0392b", "#2471a3"};
    const char *names[2] = {"building incomer (master meter)", "sum of the rooms' meters"};
    demo_chart_legend(f, left, colors, names);
    demo_chart_y_axis(f, left, width - right, top, plot_h, step, ymax, "Load (kW, mean over each hour)");
    /* x: a tick at each local midnight inside the run, a date label every few days */
    int32_t second = prepay_time_second_of_day(d->start);
    prepay_time_t midnight = d->start + (second == 0 ? 0 : DAY_SECONDS - second);
    int every = label_every((int)(span / DAY_SECONDS) + 1);
    for (int day = 0; midnight <= d->start + span; midnight += DAY_SECONDS, day++) {
        double x = left + plot_w * (double)(midnight - d->start) / (double)span;
        bool labelled = day % every == 0;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", x, top + plot_h, x,
                top + plot_h + (labelled ? 6 : 3));
        if (labelled) {
            fprintf(f, "<text class=\"x-tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x,
                    top + plot_h + 20, cli_time_text(midnight, PREPAY_TIME_TEXT_DATE, a));
        }
    }
    fprintf(f, "<text class=\"x-title\" x=\"%.1f\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">"
               "Date (local time; ticks at midnight)</text>\n",
            left + plot_w / 2, height - 16);
    /* the curves: each hour's mean load drawn at the middle of the hour */
    for (int s = 0; s < 2; s++) {
        const prepay_energy_t *series = s == 0 ? d->master_wh : d->rooms_wh;
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"", colors[s]);
        for (int h = 0; h < d->hours; h++) {
            double x = left + plot_w * ((double)h + 0.5) / (double)d->hours;
            double y = top + plot_h - plot_h * (double)series[h] / (double)ymax;
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "</svg>\n");
    return ferror(f) ? -1 : 0;
}

int demo_chart_write_csv(const demo_t *d, FILE *f)
{
    char a[CLI_TEXT_MAX], b[CLI_TEXT_MAX];
    fprintf(f, "hour_start,hour_end,building_incomer_kWh,sum_of_rooms_kWh\n");
    for (int h = 0; h < d->hours; h++) {
        prepay_time_t t = d->start + (prepay_time_t)h * HOUR_SECONDS;
        fprintf(f, "%s,", cli_time_text(t, PREPAY_TIME_TEXT_MINUTE, a));
        fprintf(f, "%s,", cli_time_text(t + HOUR_SECONDS, PREPAY_TIME_TEXT_MINUTE, b));
        fprintf(f, "%s,", cli_fixed_text(d->master_wh[h], 3, a));
        fprintf(f, "%s\n", cli_fixed_text(d->rooms_wh[h], 3, b));
    }
    return ferror(f) ? -1 : 0;
}
