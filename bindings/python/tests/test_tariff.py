# SPDX-License-Identifier: MIT
import datetime
import os
import tempfile
import unittest
from array import array
from decimal import Decimal

import prepay
from prepay import tariff
from _vectors import ROOT, records


def parse_time(text):
    return datetime.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")


def examples():
    out = []
    for r in records("tariff_examples.txt"):
        if r["_section"] != "bill":
            continue
        intervals = []
        i = 1
        while f"interval_{i}" in r:
            a, b, kwh = r[f"interval_{i}"].split(",")
            intervals.append((parse_time(a), parse_time(b), prepay.kwh_to_wh(kwh.strip())))
            i += 1
        lines = []
        i = 1
        while f"line_{i}" in r:
            name, tier, kwh, amount = r[f"line_{i}"].split()
            lines.append((name, int(tier), prepay.kwh_to_wh(kwh), Decimal(amount)))
            i += 1
        out.append((ROOT / r["tariff"], intervals, Decimal(r["total"]), lines))
    return out


class TariffExamples(unittest.TestCase):
    """tests/vectors/tariff_examples.txt: the examples/tariffs JSON files, totals checked by hand."""

    def test_batch_bills(self):
        cases = examples()
        self.assertGreaterEqual(len(cases), 7)
        for path, intervals, total, lines in cases:
            with self.subTest(tariff=path.name):
                t = tariff.Tariff.load(path)
                bill = t.evaluate(intervals)
                self.assertEqual(bill.total, total)
                self.assertEqual(bill.total_fen, prepay.yuan_to_fen(total))
                for name, tier, wh, amount in lines:
                    # the vectors give each (band, tier) summed over cycles
                    match = [l for l in bill.lines if l.band_name == name and l.tier == tier]
                    self.assertTrue(match, (name, tier, bill.lines))
                    self.assertEqual(sum(l.quantity for l in match), wh)
                    self.assertEqual(sum(l.amount for l in match), amount)
                self.assertEqual(sum(l.quantity for l in bill.lines if l.kind == prepay.LineKind.ENERGY),
                                 sum(i[2] for i in intervals))

    def test_streaming_equals_batch(self):
        for path, intervals, total, _ in examples():
            with self.subTest(tariff=path.name):
                t = tariff.Tariff.load(path)
                s = t.stream()
                due = Decimal(0)
                for a, b, e in intervals:
                    r = s.feed_interval(a, b, e)
                    due += r.due
                bill = s.bill()
                self.assertEqual(bill.total, total)
                self.assertEqual(bill.lines, t.evaluate(intervals).lines)
                # the sum of the dues is the exact total rounded once
                self.assertLessEqual(abs(due - bill.exact_total), Decimal("0.005"))

    def test_arrays_and_buffers(self):
        t = tariff.Tariff.load(ROOT / "examples/tariffs/guangzhou_residential_tou.json")
        start = prepay.to_time(datetime.datetime(2025, 1, 1))
        n = 35040
        starts = array("q", (start + 900 * i for i in range(n)))
        ends = array("q", (start + 900 * (i + 1) for i in range(n)))
        energies = array("q", (100 + (i % 7) * 10 for i in range(n)))
        bill = t.evaluate_arrays(starts, ends, energies)
        self.assertEqual(bill.energy_total, sum(energies))
        self.assertEqual(sum(l.quantity for l in bill.lines), sum(energies))
        # memoryview of the same buffers, and the fast total-only path
        total = t.evaluate_arrays(memoryview(starts), memoryview(ends), memoryview(energies), summary_only=True)
        self.assertEqual(total, bill.total_fen)
        # a year priced in one call equals twelve streamed months
        s = t.stream()
        for i in range(0, n, 2920):
            s.feed_interval(starts[i], ends[min(i + 2920, n) - 1], sum(energies[i:i + 2920]))
        with self.assertRaises(TypeError):
            t.evaluate_arrays(array("i", [0]), array("i", [1]), array("i", [1]))

    def test_queries(self):
        t = tariff.Tariff.load(ROOT / "examples/tariffs/beijing_residential_annual.json")
        self.assertEqual(t.price(1, 1), Decimal("0.4883"))
        self.assertEqual(t.price(1, 3), Decimal("0.7883"))
        self.assertEqual(t.band_at(datetime.datetime(2025, 3, 1, 12)), 1)
        cycle = t.cycle_of(datetime.datetime(2025, 3, 1))
        start, end = t.cycle_bounds(cycle)
        self.assertEqual((start, end), (datetime.datetime(2025, 1, 1), datetime.datetime(2026, 1, 1)))
        self.assertEqual(t.tier_bounds(cycle)[:2], [2880000, 4800000])
        with self.assertRaises(prepay.TariffError) as cm:
            t.price(2, 1)
        self.assertEqual(cm.exception.code, prepay.Status.E_TARIFF_BAD_BAND)

    def test_vend(self):
        t = tariff.Tariff.load(ROOT / "examples/tariffs/beijing_residential_annual.json")
        # 100 yuan at 0.4883 yuan/kWh on an empty year: floor(100 / 0.4883 kWh) to the Wh = 204792 Wh
        energy, cost = t.vend(Decimal("100.00"), datetime.datetime(2025, 3, 1))
        self.assertEqual(energy, 204792)
        self.assertEqual(cost, Decimal("204.792") * Decimal("0.4883"))
        self.assertLessEqual(cost, Decimal("100"))

    def test_errors(self):
        with self.assertRaises(prepay.HostedError) as cm:
            tariff.Tariff.load("/nonexistent/tariff.json")
        self.assertEqual(cm.exception.code, prepay.Status.E_HOSTED_IO)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write("{ not json")
        try:
            with self.assertRaises(prepay.HostedError) as cm:
                tariff.Tariff.load(f.name)
            self.assertEqual(cm.exception.code, prepay.Status.E_HOSTED_JSON_SYNTAX)
            self.assertTrue(cm.exception.detail)
        finally:
            os.unlink(f.name)
        t = tariff.Tariff.load(ROOT / "examples/tariffs/beijing_residential_annual.json")
        s = t.stream()
        s.feed_interval(datetime.datetime(2025, 1, 2), datetime.datetime(2025, 1, 3), 1000)
        with self.assertRaises(prepay.TariffError) as cm:
            s.feed_interval(datetime.datetime(2025, 1, 1), datetime.datetime(2025, 1, 2), 1000)
        self.assertEqual(cm.exception.code, prepay.Status.E_TARIFF_TIME_ORDER)
        with self.assertRaises(prepay.TariffError) as cm:
            t.evaluate([(datetime.datetime(2025, 1, 2), datetime.datetime(2025, 1, 1), 10)])
        self.assertEqual(cm.exception.code, prepay.Status.E_TARIFF_BAD_INTERVAL)


if __name__ == "__main__":
    unittest.main()
