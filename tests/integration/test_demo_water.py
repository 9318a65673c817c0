#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The demo's water report: `prepay demo` on a small building for a month, then water.csv,
report.csv and report.json are read and checked against the rules of docs/emulator.md (the
demo's water meters), not against the demo's own cross-checks.

Usage: test_demo_water.py PREPAY PREPAY_EMU TARIFF.json WATER_TARIFF.json

Checked:
- one water meter per remote room (address "00" + the room's address), none in local rooms;
- each meter's litres by tier add up to its litres and fill the tiers in order under the
  cycle's bounds in report.json (the annual ladder prorated by month: a 30-day run from
  2026-11-01 touches one month, bounds / 12), and the run reaches the third tier somewhere;
- each room's water money is the ladder's prices (read here from the water tariff file)
  applied to its litres by tier, half-up to the fen; report.csv's water column agrees;
- valve closures and reopenings alternate (a valve is shut at the end iff it closed once
  more than it opened) and some valve was closed and reopened;
- report.json's water totals are the sums of the rows, and no cross-check failed.
"""
import csv
import decimal
import json
import os
import subprocess
import sys
import tempfile
import unittest

PREPAY = EMU = TARIFF = WATER = None
DAYS = 30
ROOMS = 12


class DemoWaterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        out = os.path.join(cls.tmp.name, 'demo')
        run = subprocess.run([PREPAY, 'demo', '--days', str(DAYS), '--meters', str(ROOMS), '--timeout-ms', '200',
                              '--out', out, '--emulator', EMU, '--tariff', TARIFF, '--json'],
                             capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            raise AssertionError(f'prepay demo failed ({run.returncode}): {run.stdout}{run.stderr}')
        with open(os.path.join(out, 'water.csv'), newline='') as f:
            cls.water = list(csv.DictReader(f))
        with open(os.path.join(out, 'report.csv'), newline='') as f:
            cls.rooms = list(csv.DictReader(f))
        with open(os.path.join(out, 'report.json')) as f:
            cls.report = json.load(f)
        with open(WATER) as f:
            tariff = json.load(f)
        cls.prices = [decimal.Decimal(p) for p in tariff['prices']['bands']['water']]
        cls.annual = [int(decimal.Decimal(b) * 1000) for b in tariff['tiers']['bounds']]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_a_meter_in_every_remote_room(self):
        remote = {r['room']: r['address'] for r in self.rooms if r['mode'] == 'remote'}
        self.assertEqual(len(self.rooms), ROOMS)
        self.assertLess(len(remote), ROOMS)  # the building has local rooms, without water meters
        self.assertEqual({w['room']: w['water_meter'] for w in self.water},
                         {room: '00' + address for room, address in remote.items()})

    def test_bounds_are_the_annual_ladder_for_one_month(self):
        cycles = self.report['water']['cycles']
        self.assertEqual(len(cycles), 1)
        self.assertEqual(cycles[0]['tier_bounds_l'],
                         [int((decimal.Decimal(b) / 12).to_integral_value(decimal.ROUND_HALF_UP)) for b in self.annual])

    def test_tiers_fill_in_order(self):
        bounds = self.report['water']['cycles'][0]['tier_bounds_l']
        widths = [bounds[0], bounds[1] - bounds[0]]
        third = 0
        for w in self.water:
            tiers = [int(w['tier1_l']), int(w['tier2_l']), int(w['tier3_l'])]
            self.assertEqual(sum(tiers), int(w['total_l']), w['room'])
            self.assertLessEqual(tiers[0], widths[0], w['room'])
            self.assertLessEqual(tiers[1], widths[1], w['room'])
            if tiers[1] > 0:
                self.assertEqual(tiers[0], widths[0], w['room'])
            if tiers[2] > 0:
                self.assertEqual(tiers[1], widths[1], w['room'])
                third += 1
        self.assertGreater(third, 0, 'no room reached the third tier in a month')

    def test_money_is_the_ladder(self):
        by_room = {r['room']: r for r in self.rooms}
        for w in self.water:
            tiers = [int(w['tier1_l']), int(w['tier2_l']), int(w['tier3_l'])]
            exact = sum(decimal.Decimal(litres) / 1000 * price for litres, price in zip(tiers, self.prices))
            fen = exact.quantize(decimal.Decimal('0.01'), decimal.ROUND_HALF_UP)
            self.assertEqual(decimal.Decimal(w['water_yuan']), fen, w['room'])
            self.assertEqual(decimal.Decimal(by_room[w['room']]['water_yuan']), fen, w['room'])
        for r in self.rooms:
            if r['mode'] == 'local':
                self.assertEqual(decimal.Decimal(r['water_yuan']), 0, r['room'])

    def test_valves(self):
        cycled = 0
        for w in self.water:
            closes, opens = int(w['valve_closes']), int(w['valve_opens'])
            self.assertIn(closes - opens, (0, 1), w['room'])
            self.assertEqual(w['valve_open'], 'yes' if closes == opens else 'no', w['room'])
            cycled += closes > 0 and opens > 0
        self.assertGreater(cycled, 0, 'no valve was closed and reopened')

    def test_json_totals(self):
        water = self.report['water']
        self.assertEqual(self.report['checks_failed'], 0)
        self.assertEqual(len(water['meters']), len(self.water))
        totals = water['totals']
        self.assertEqual(totals['meters'], len(self.water))
        self.assertEqual(totals['litres'], sum(int(w['total_l']) for w in self.water))
        self.assertEqual(totals['litres_by_tier'],
                         [sum(int(w[f'tier{t}_l']) for w in self.water) for t in (1, 2, 3)])
        self.assertEqual(decimal.Decimal(totals['water']), sum(decimal.Decimal(w['water_yuan']) for w in self.water))
        self.assertEqual(totals['valve_closes'], sum(int(w['valve_closes']) for w in self.water))


if __name__ == '__main__':
    if len(sys.argv) < 5:
        sys.exit('usage: test_demo_water.py PREPAY PREPAY_EMU TARIFF.json WATER_TARIFF.json')
    PREPAY, EMU, TARIFF, WATER = sys.argv[1:5]
    unittest.main(argv=sys.argv[:1] + sys.argv[5:])
