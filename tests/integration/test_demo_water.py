#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The demo's water report: `prepay demo` on a small building for a month, then water.csv,
report.csv and report.json are read and checked against the rules of docs/emulator.md (the
demo's water meters), not against the demo's own cross-checks.

Usage: test_demo_water.py PREPAY PREPAY_EMU TARIFF.json WATER_TARIFF.json

Checked:
- one water meter per room (address "00" + the room's address): remote mode in remote rooms, its own purse
  in local rooms (their mode in water.csv);
- each meter's litres by tier add up to its litres and fill the tiers in order under the
  cycle's bounds in report.json (the annual ladder prorated by month: a 30-day run from
  2026-11-01 touches one month, bounds / 12), and the run reaches the third tier somewhere;
- each room's water money is the ladder's prices (read here from the water tariff file)
  applied to its litres by tier, half-up to the fen; report.csv's water column agrees;
- valve closures and reopenings alternate (a valve is shut at the end iff it closed once
  more than it opened) and some valve was closed and reopened;
- local rooms' meters: the price table the station programmed is the ladder's prices with the annual
  bounds / 12 in whole m3 (half-up); the litres by tier fill those steps in order; the tiers priced
  here from the tariff file (half-up to the fen) are the row's ladder_yuan, and the money the meter
  deducted (water_yuan) is within the register's 10 L steps of it (9 L at the top price + 1 fen); the
  purse at the end = purchases - deducted; report.csv's water column is the purchases; the valve is
  open iff the purse is above zero;
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

    def test_a_meter_in_every_room(self):
        self.assertEqual(len(self.rooms), ROOMS)
        self.assertEqual({w['room']: (w['water_meter'], w['mode']) for w in self.water},
                         {r['room']: ('00' + r['address'], r['mode']) for r in self.rooms})
        modes = [w['mode'] for w in self.water]
        self.assertIn('local', modes)
        self.assertIn('remote', modes)

    def local_steps(self):
        """The local meters' A010 steps from the tariff file: annual bounds / 12 in whole m3, half-up, in L."""
        return [int((decimal.Decimal(b) / 12000).to_integral_value(decimal.ROUND_HALF_UP)) * 1000 for b in self.annual]

    def test_local_price_table_is_the_ladder(self):
        local = self.report['water']['local']
        self.assertEqual(local['steps_l'], self.local_steps())
        self.assertEqual([decimal.Decimal(p) for p in local['prices_yuan_per_m3']], self.prices)
        self.assertEqual(local['cycle_starts'], ['2026-11-01'])

    def test_bounds_are_the_annual_ladder_for_one_month(self):
        cycles = self.report['water']['cycles']
        self.assertEqual(len(cycles), 1)
        self.assertEqual(cycles[0]['tier_bounds_l'],
                         [int((decimal.Decimal(b) / 12).to_integral_value(decimal.ROUND_HALF_UP)) for b in self.annual])

    def test_tiers_fill_in_order(self):
        bounds = self.report['water']['cycles'][0]['tier_bounds_l']
        steps = self.local_steps()
        third = 0
        for w in self.water:
            b = steps if w['mode'] == 'local' else bounds
            widths = [b[0], b[1] - b[0]]
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
        # A local meter counts every litre; the station reads its register to 10 L: 9 L at the top price.
        slack = decimal.Decimal(9) / 1000 * max(self.prices) + decimal.Decimal('0.01')
        deducted = 0
        for w in self.water:
            tiers = [int(w['tier1_l']), int(w['tier2_l']), int(w['tier3_l'])]
            exact = sum(decimal.Decimal(litres) / 1000 * price for litres, price in zip(tiers, self.prices))
            fen = exact.quantize(decimal.Decimal('0.01'), decimal.ROUND_HALF_UP)
            self.assertEqual(decimal.Decimal(w['ladder_yuan']), fen, w['room'])
            if w['mode'] == 'remote':
                self.assertEqual(decimal.Decimal(w['water_yuan']), fen, w['room'])
                self.assertEqual(decimal.Decimal(by_room[w['room']]['water_yuan']), fen, w['room'])
                continue
            water, bought, purse = (decimal.Decimal(w[k]) for k in ('water_yuan', 'purchased_yuan', 'purse_yuan'))
            self.assertLessEqual(abs(water - fen), slack, w['room'])
            self.assertEqual(purse, bought - water, w['room'])
            self.assertGreaterEqual(purse, 0, w['room'])
            self.assertGreater(int(w['purchases']), 0, w['room'])
            # The wallet's water line for a local room is what it bought for its water meter.
            self.assertEqual(decimal.Decimal(by_room[w['room']]['water_yuan']), bought, w['room'])
            deducted += water > 0
        self.assertGreater(deducted, 0, 'no local water meter deducted anything')

    def test_valves(self):
        cycled = 0
        for w in self.water:
            closes, opens = int(w['valve_closes']), int(w['valve_opens'])
            self.assertIn(closes - opens, (0, 1), w['room'])
            self.assertEqual(w['valve_open'], 'yes' if closes == opens else 'no', w['room'])
            if w['mode'] == 'local':
                self.assertEqual(w['valve_open'], 'yes' if decimal.Decimal(w['purse_yuan']) > 0 else 'no', w['room'])
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
        local = [w for w in self.water if w['mode'] == 'local']
        self.assertEqual(water['local']['meters'], len(local))
        self.assertEqual(totals['purchases'], sum(int(w['purchases']) for w in local))
        self.assertEqual(decimal.Decimal(totals['purchased']), sum(decimal.Decimal(w['purchased_yuan']) for w in local))


if __name__ == '__main__':
    if len(sys.argv) < 5:
        sys.exit('usage: test_demo_water.py PREPAY PREPAY_EMU TARIFF.json WATER_TARIFF.json')
    PREPAY, EMU, TARIFF, WATER = sys.argv[1:5]
    unittest.main(argv=sys.argv[:1] + sys.argv[5:])
