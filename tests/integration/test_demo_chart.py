#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The demo's load chart and table read well: `prepay demo` on a small building, then
load.svg is parsed as XML and load.csv as CSV.

Usage: test_demo_chart.py PREPAY PREPAY_EMU TARIFF.json

What is checked (from the chart's contract in docs/emulator.md, not from its output):
- both axes have a title with a unit: "kW" on y, "Date" on x;
- the y ticks start at 0, are evenly spaced by 1, 2 or 5 x 10^k kW, and the top tick is at or
  above the largest hourly value of load.csv;
- the x tick labels are the dates of the run's local midnights (YYYY-MM-DD), in order;
- a legend names both curves; each curve has one point per hour;
- load_day.svg (the last day's quarter-hour curves) keeps the same rules: axis titles with
  units, round y ticks from 0 covering its curves, the hours of the day on x, a legend, and
  96 points per curve;
- load.csv has one row per hour of the run (hour_start, hour_end one hour apart), units in
  the header, and its rooms' column sums to no more than the incomer's (the common area
  uses the rest).
"""
import csv
import datetime
import decimal
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

PREPAY = EMU = TARIFF = None
DAYS = 3
NS = '{http://www.w3.org/2000/svg}'


def is_round_step(step):
    """1, 2 or 5 x 10^k for an integer k."""
    mantissa = step.normalize().as_tuple()
    digits = ''.join(str(d) for d in mantissa.digits).rstrip('0')
    return digits in ('1', '2', '5')


class DemoChartTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        out = os.path.join(cls.tmp.name, 'demo')
        run = subprocess.run([PREPAY, 'demo', '--days', str(DAYS), '--meters', '4', '--timeout-ms', '200',
                              '--out', out, '--emulator', EMU, '--tariff', TARIFF, '--json'],
                             capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            raise AssertionError(f'prepay demo failed ({run.returncode}): {run.stdout}{run.stderr}')
        cls.svg = ET.parse(os.path.join(out, 'load.svg')).getroot()
        cls.day = ET.parse(os.path.join(out, 'load_day.svg')).getroot()
        with open(os.path.join(out, 'load.csv'), newline='') as f:
            cls.rows = list(csv.reader(f))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def texts(self, cls_name, svg=None):
        return [t.text for t in (svg if svg is not None else self.svg).iter(NS + 'text') if t.get('class') == cls_name]

    def test_day_chart_reads_like_the_run_chart(self):
        (y_title,) = self.texts('y-title', self.day)
        (x_title,) = self.texts('x-title', self.day)
        self.assertIn('(kW', y_title)
        self.assertIn('Time of day', x_title)
        ticks = [decimal.Decimal(t) for t in self.texts('y-tick', self.day)]
        self.assertGreaterEqual(len(ticks), 2)
        self.assertEqual(ticks[0], 0)
        step = ticks[1] - ticks[0]
        self.assertTrue(is_round_step(step), f'step {step} is not 1, 2 or 5 x 10^k')
        for a, b in zip(ticks, ticks[1:]):
            self.assertEqual(b - a, step)
        self.assertEqual(self.texts('x-tick', self.day), [f'{h % 24:02d}:00' for h in range(0, 25, 3)])
        legend = ' '.join(t.text for t in self.day.iter(NS + 'text'))
        self.assertIn('building incomer', legend)
        self.assertIn('rooms', legend)
        lines = list(self.day.iter(NS + 'polyline'))
        self.assertEqual(len(lines), 2)
        top = float(min(float(p.split(',')[1]) for line in lines for p in line.get('points').split()))
        for line in lines:
            self.assertEqual(len(line.get('points').split()), 96)
        # the highest point of the curves lies inside the plot (at or below the top tick's grid line)
        grid = [float(l.get('y1')) for l in self.day.iter(NS + 'line') if l.get('stroke') in ('#ddd', '#333')
                and l.get('y1') == l.get('y2')]
        self.assertGreaterEqual(top, min(grid))

    def test_axis_titles_name_units(self):
        (y_title,) = self.texts('y-title')
        (x_title,) = self.texts('x-title')
        self.assertIn('(kW', y_title)
        self.assertIn('Date', x_title)

    def test_y_ticks_are_round_and_cover_the_peak(self):
        ticks = [decimal.Decimal(t) for t in self.texts('y-tick')]
        self.assertGreaterEqual(len(ticks), 2)
        self.assertEqual(ticks[0], 0)
        step = ticks[1] - ticks[0]
        self.assertTrue(is_round_step(step), f'step {step} is not 1, 2 or 5 x 10^k')
        for a, b in zip(ticks, ticks[1:]):
            self.assertEqual(b - a, step)
        peak = max(decimal.Decimal(v) for row in self.rows[1:] for v in row[2:4])
        self.assertGreaterEqual(ticks[-1], peak)
        self.assertLess(ticks[-2], peak)  # no empty step above the curves

    def test_x_ticks_are_the_run_dates(self):
        labels = self.texts('x-tick')
        first = datetime.datetime.strptime(self.rows[1][0], '%Y-%m-%d %H:%M')
        last = datetime.datetime.strptime(self.rows[-1][1], '%Y-%m-%d %H:%M')
        midnights = []
        day = first.replace(hour=0, minute=0)
        if day < first:
            day += datetime.timedelta(days=1)
        while day <= last:
            midnights.append(day.strftime('%Y-%m-%d'))
            day += datetime.timedelta(days=1)
        self.assertEqual(labels, midnights)  # 3 days: every midnight labelled

    def test_legend_and_one_point_per_hour(self):
        legend = ' '.join(t.text for t in self.svg.iter(NS + 'text'))
        self.assertIn('building incomer', legend)
        self.assertIn('rooms', legend)
        lines = list(self.svg.iter(NS + 'polyline'))
        self.assertEqual(len(lines), 2)
        for line in lines:
            self.assertEqual(len(line.get('points').split()), DAYS * 24)

    def test_csv_one_row_per_hour_with_units(self):
        self.assertEqual(self.rows[0], ['hour_start', 'hour_end', 'building_incomer_kWh', 'sum_of_rooms_kWh'])
        self.assertEqual(len(self.rows), 1 + DAYS * 24)
        for row in self.rows[1:]:
            start = datetime.datetime.strptime(row[0], '%Y-%m-%d %H:%M')
            end = datetime.datetime.strptime(row[1], '%Y-%m-%d %H:%M')
            self.assertEqual(end - start, datetime.timedelta(hours=1))
        incomer = sum(decimal.Decimal(r[2]) for r in self.rows[1:])
        rooms = sum(decimal.Decimal(r[3]) for r in self.rows[1:])
        self.assertGreater(rooms, 0)
        self.assertLessEqual(rooms, incomer)


if __name__ == '__main__':
    PREPAY, EMU, TARIFF = sys.argv[1:4]
    unittest.main(argv=sys.argv[:1])
