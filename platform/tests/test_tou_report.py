# SPDX-License-Identifier: MIT
"""The per-shop report split by TOU band. Expected figures worked by hand from the Zhejiang
residential scheme in examples/tariffs/zhejiang_residential_tou.json (peak 08:00-22:00 at 0.568,
valley 22:00-08:00 at 0.288 yuan/kWh, first annual tier), 1 kWh per hour:
  one day (24 intervals from 00:00): peak 14 kWh = 7.952, valley 10 kWh = 2.880;
  two days: peak 28 kWh = 15.904, valley 20 kWh = 5.760; band YoY against one day a year before: +100.00 %.
The report engine gives each bucket's band fee rounded to the fen (7.95, 15.90)."""
from __future__ import annotations

import re
import unittest
from decimal import Decimal

from prepay_platform.app import create_app
from prepay_platform.services import readings, recharge, tou_report

from .support import Fixture

T0 = 1793462400          # 2026-11-01 00:00 +08:00
Y0 = T0 - 365 * 86400    # 2025-11-01 00:00 +08:00


class TouReportTest(unittest.TestCase):
    def setUp(self):
        self.f = Fixture()
        self.h1, self.h2 = self.f.open_two()
        self.p = self.f.p
        self.m2 = self.p.db.one("SELECT id FROM meters WHERE household_id = ?", (self.h2,))["id"]
        recharge.recharge(self.p, self.h2, "500.00", "k", "op")
        readings.ingest(self.p, [{"meter_id": self.m2, "at": Y0 + 3600 * h, "value": 1000 * h} for h in range(25)])
        readings.ingest(self.p, [{"meter_id": self.m2, "at": T0 + 3600 * h, "value": 24000 + 1000 * h}
                                 for h in range(49)])

    def tearDown(self):
        self.f.close()

    def test_month_split_by_band_with_yoy(self):
        rows = {r["period"]: r for r in tou_report.shops_by_band(self.p, "month")}
        nov25, nov26 = rows["2025-11"], rows["2026-11"]
        self.assertEqual((nov25["peak_kwh"], nov25["valley_kwh"]), (Decimal("14"), Decimal("10")))
        self.assertEqual((nov25["peak_fee"], nov25["valley_fee"]), (Decimal("7.95"), Decimal("2.88")))
        self.assertEqual((nov26["peak_kwh"], nov26["valley_kwh"]), (Decimal("28"), Decimal("20")))
        self.assertEqual((nov26["peak_fee"], nov26["valley_fee"]), (Decimal("15.90"), Decimal("5.76")))
        self.assertEqual(nov26["flat_kwh"], Decimal("0"))
        self.assertEqual((nov26["peak_yoy_pct"], nov26["valley_yoy_pct"]), (Decimal("100.00"), Decimal("100.00")))
        self.assertIsNone(nov25["peak_yoy_pct"])
        self.assertEqual(nov26["energy_kwh"], Decimal("48"))
        # The settled charges in the ledger are these fees rounded per reading: within a fen per reading.
        ledger = self.p.money.account(self.h2).energy
        self.assertLessEqual(abs(ledger - (nov25["fee"] + nov26["fee"])), Decimal("0.01") * 72)

    def test_page_csv_api_and_bad_period(self):
        app = create_app({"platform": self.p, "secret_key": "t"})
        c = app.test_client()
        tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
        c.post("/login", data={"login": "ro", "password": self.f.passwords["ro"], "csrf_token": tok})
        page = c.get("/reports/shops/bands").get_data(as_text=True)
        self.assertIn("band-report", page)
        self.assertIn("15.90", page)
        csv = c.get("/reports/shops/bands?period=year&format=csv").get_data(as_text=True).splitlines()
        self.assertTrue(csv[0].startswith("period,shop,energy_kwh,fee,yoy_pct,sharp_kwh"))
        self.assertEqual(len(csv), 3)  # 2025 and 2026
        self.assertEqual(c.get("/reports/shops/bands?period=decade").status_code, 400)
        self.assertEqual(c.get("/api/reports/shops/bands?period=month").status_code, 200)
        t = app.test_client()
        tok = re.search(r'name="csrf_token" value="([^"]+)"', t.get("/login").get_data(as_text=True)).group(1)
        t.post("/login", data={"login": "t1", "password": self.f.passwords["t1"], "csrf_token": tok})
        self.assertEqual(t.get("/reports/shops/bands").status_code, 403)


if __name__ == "__main__":
    unittest.main()
