# SPDX-License-Identifier: MIT
"""Reports: income and deductions from the ledger by day/month/year, energy by period, CSV, today's
figures, and the theft rules over stored readings (a meter that stops advancing under load)."""
from __future__ import annotations

import unittest

from prepay_platform.services import readings, recharge, reports, suspicions

from .support import Fixture

T0 = 1793462400  # 2026-11-01 00:00 +08:00


class ReportsTest(unittest.TestCase):
    def setUp(self):
        self.f = Fixture()
        self.h1, self.h2 = self.f.open_two()
        self.p = self.f.p
        self.m2 = self.p.db.one("SELECT id FROM meters WHERE household_id = ?", (self.h2,))["id"]

    def tearDown(self):
        self.f.close()

    def test_income_energy_and_csv(self):
        recharge.recharge(self.p, self.h2, "100.00", "k", "op")
        readings.ingest(self.p, [{"meter_id": self.m2, "at": T0 + 3600 * h, "value": 1000 * h} for h in range(0, 49)])
        view = self.p.money.account(self.h2)
        income = reports.income(self.p, "year")
        self.assertEqual(sum(r["recharge"] for r in income), 10000)
        self.assertEqual(sum(r["energy"] for r in income), int(view.energy * 100))  # the ledger's own figure
        days = reports.energy(self.p.db, "day")
        self.assertEqual([d["period"] for d in days], ["2026-11-01", "2026-11-02", "2026-11-03"])
        self.assertEqual(sum(d["electricity_wh"] for d in days), 48000)
        self.assertEqual(days[0]["electricity_wh"], 23000)  # 01:00 .. 23:00 (the 00:00 reading primes)
        text = reports.to_csv(days, ["period", "electricity_wh", "water_l"])
        self.assertEqual(text.splitlines()[1], "2026-11-01,23000,0")
        today = reports.today(self.p, self.h2, now=T0 + 86400 + 43200)
        self.assertEqual(today["energy_wh"], 24000)
        self.assertEqual(len(today["hours"]), 24)
        self.assertGreater(today["money_fen"], 0)
        self.assertIn("<polyline", reports.curve_svg(today["hours"]))

    def test_shop_report_adds_up_to_the_ledger(self):
        recharge.recharge(self.p, self.h2, "100.00", "k", "op")
        readings.ingest(self.p, [{"meter_id": self.m2, "at": T0 + 3600 * h, "value": 1000 * h} for h in range(0, 49)])
        rows = reports.shops(self.p, "day")
        self.assertEqual([r["period"] for r in rows][:2], ["2026-11-01", "2026-11-02"])
        self.assertEqual({r["shop"] for r in rows}, {"102"})
        self.assertEqual(sum(r["energy_kwh"] for r in rows), 48)
        self.assertEqual(sum(r["fee"] for r in rows), self.p.money.account(self.h2).energy)
        month = reports.shops(self.p, "month")
        self.assertEqual(len(month), 1)
        self.assertIsNone(month[0]["yoy_pct"])  # no November 2025 to compare with

    def test_a_meter_that_stops_advancing_is_a_suspicion(self):
        rows = [{"meter_id": self.m2, "at": T0 + 3600 * h, "value": 1000 * min(h, 24)} for h in range(0, 24 * 6)]
        recharge.recharge(self.p, self.h2, "500.00", "k", "op")
        readings.ingest(self.p, rows)
        found = suspicions.find(self.p.db)
        self.assertTrue(found, "a register that stops for days after a steady load is flagged")
        self.assertEqual(found[0]["meter_id"], self.m2)


if __name__ == "__main__":
    unittest.main()
