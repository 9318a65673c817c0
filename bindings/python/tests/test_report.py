# SPDX-License-Identifier: MIT
"""prepay.report: rows a pandas user can load (lists of dicts), hand-worked figures, explicit nulls,
income composition, and DL/T 645 load records (tests/vectors/dlt645_load_records.txt)."""
import unittest
from array import array
from datetime import date, datetime
from decimal import Decimal

import prepay
from prepay import ledger, report
from prepay._enums import AccountKind, Item

from _vectors import hexbytes, records


def _by(rows, period, key):
    (row,) = [r for r in rows if r["period"] == period and r["key"] == key]
    return row


class EnergyReportTest(unittest.TestCase):
    # The CLI test's hand-worked case (tests/report/test_report_cli.sh), fees given exactly:
    # A 2024-03 8 kWh flat 5.38 yuan; 2025-02 4 kWh peak 4.5732; 2025-03 5 valley 1.278 + 5 flat 3.3625.
    # B 2025-03 two meters, 1 + 2 kWh peak, 1.1433 and 2.2866 yuan.
    def rows(self, period="month", basis="total"):
        return report.energy_report(period, date(2024, 3, 1), date(2025, 3, 31), [
            report.Series("A", [(datetime(2024, 3, 10, 12), 3600, 8000, report.FLAT, "5.38"),
                                (datetime(2025, 2, 10, 10), 3600, 4000, report.PEAK, "4.5732"),
                                (datetime(2025, 3, 10, 7), 3600, 5000, report.VALLEY, "1.278"),
                                (datetime(2025, 3, 10, 8), 3600, 5000, report.FLAT, "3.3625")]),
            report.Series("B", [(datetime(2025, 3, 10, 10), 3600, 1000, report.PEAK, "1.1433")]),
            report.Series("B", [(datetime(2025, 3, 10, 10), 3600, 2000, report.PEAK, Decimal("2.2866"))]),
        ], basis=basis)

    def test_monthly_figures(self):
        rows = self.rows()
        self.assertEqual(len(rows), 13 * 2)
        a = _by(rows, "2025-03", "A")
        self.assertEqual(a["energy_kwh"], Decimal("10.000"))
        self.assertEqual(a["valley_kwh"], Decimal("5.000"))
        self.assertEqual(a["flat_fee"], Decimal("3.36"))      # 3.3625 half-up
        self.assertEqual(a["valley_fee"], Decimal("1.28"))
        self.assertEqual(a["fee"], Decimal("4.64"))           # 4.6405 rounded once
        self.assertEqual(a["yoy_pct"], Decimal("25.0000"))    # 10 / 8 - 1
        self.assertEqual(a["mom_pct"], Decimal("150.0000"))   # 10 / 4 - 1
        b = _by(rows, "2025-03", "B")                          # two meters merged
        self.assertEqual(b["peak_kwh"], Decimal("3.000"))
        self.assertEqual(b["fee"], Decimal("3.43"))           # 3.4299
        self.assertIsNone(b["yoy_pct"])
        self.assertEqual(b["yoy_null"], "no_base")
        self.assertEqual(a["first_day"], date(2025, 3, 1))
        self.assertEqual(a["last_day"], date(2025, 3, 31))
        self.assertEqual(a["days"], 31)

    def test_no_data_is_none_not_zero(self):
        row = _by(self.rows(), "2024-05", "A")
        self.assertIsNone(row["energy_kwh"])
        self.assertIsNone(row["fee"])
        self.assertEqual(row["yoy_null"], "no_data")

    def test_rows_load_as_columns(self):
        cols = report.columns(self.rows())
        self.assertEqual(len(cols["period"]), 26)
        self.assertEqual(cols["key"][:2], ["A", "B"])
        self.assertEqual(report.columns([]), {})

    def test_buffer_rows(self):
        # int64 buffer: start, seconds, energy, band, fee fen, fee nanos
        start = prepay.to_time(datetime(2025, 3, 10, 23))
        rows = report.energy_report("day", date(2025, 3, 10), date(2025, 3, 11), [
            report.Series("M", array("q", [start, 7200, 7, report.VALLEY, 1, 0]))])
        # split at midnight by the spreading rule: floor(7 x 3600 / 7200) = 3, then 4
        self.assertEqual(_by(rows, "2025-03-10", "M")["valley_kwh"], Decimal("0.003"))
        self.assertEqual(_by(rows, "2025-03-11", "M")["valley_kwh"], Decimal("0.004"))

    def test_bad_input_raises(self):
        with self.assertRaises(prepay.ReportError):  # overlapping rows of one meter
            report.energy_report("day", date(2025, 3, 10), date(2025, 3, 10), [report.Series("M", [
                (datetime(2025, 3, 10, 1), 3600, 1, 0, None), (datetime(2025, 3, 10, 1, 30), 3600, 1, 0, None)])])
        with self.assertRaises(prepay.ReportError):  # empty day range
            report.energy_report("day", date(2025, 3, 10), date(2025, 3, 9), [])
        with self.assertRaises(TypeError):
            report.energy_report("day", date(2025, 3, 10), date(2025, 3, 10),
                                 [report.Series("M", [(datetime(2025, 3, 10), 60, 1, 0, 0.5)])])
        with self.assertRaises(ValueError):
            report.energy_report("fortnight", date(2025, 3, 10), date(2025, 3, 10), [])


class IncomeTest(unittest.TestCase):
    def test_composition(self):
        led = ledger.Ledger(accounts=16, transfers=32)
        led.create_account(ledger.Account(1, AccountKind.WALLET))
        items = [(11, Item.ELECTRICITY, "6.00"), (12, Item.WATER, "2.00"), (13, Item.PROPERTY_FEE, "1.50"),
                 (14, Item.COMMON_AREA, "0.30"), (15, Item.GAS, "0.20")]
        t = datetime(2024, 5, 10, 12)
        for n, (acc, item, amount) in enumerate(items):
            led.create_account(ledger.Account(acc, AccountKind.REVENUE, item=int(item)))
            led.transfer(ledger.Transfer(n + 1, 1, acc, Decimal(amount), int(prepay.TransferCode.DEDUCTION),
                                         timestamp=t))
        rows = report.income_composition(led, datetime(2024, 5, 1), datetime(2024, 6, 1))
        by = {r["item"]: r for r in rows}
        self.assertEqual(by["total"]["amount"], Decimal("10.00"))
        self.assertEqual(by["electricity"]["share_pct"], Decimal("60.0000"))
        self.assertEqual(by["other"]["amount"], Decimal("0.20"))
        empty = report.income_composition(led, datetime(2024, 1, 1), datetime(2024, 2, 1))
        self.assertIsNone(empty[0]["share_pct"])
        self.assertEqual(empty[0]["share_null"], "no_data")


class LoadRecordTest(unittest.TestCase):
    def test_vectors(self):
        good = bad = 0
        for r in records("dlt645_load_records.txt"):
            if r["_section"] != "decode":
                continue
            di = int(r["di"], 16)
            data = hexbytes(r.get("hex", ""))
            if "error" in r:
                with self.assertRaises(prepay.Error):
                    report.decode_load_records(di, data)
                bad += 1
                continue
            rows = report.decode_load_records(di, data)
            self.assertEqual(len(rows), int(r["records"]))
            good += 1
            if r["name"] == "full":
                x = rows[0]
                self.assertEqual(x["time"], datetime(2024, 3, 15, 10, 15))
                self.assertEqual(x["voltage_a_v"], Decimal("220.1"))
                self.assertEqual(x["current_c_a"], Decimal("-1.500"))
                self.assertEqual(x["frequency_hz"], Decimal("50.01"))
                self.assertEqual(x["active_power_total_kw"], Decimal("2.5000"))
                self.assertIsNone(x["reactive_power_b_kvar"])        # sent as FF
                self.assertEqual(x["power_factor_c"], Decimal("-0.500"))
                self.assertEqual(x["forward_active_kwh"], Decimal("12345.670"))
                self.assertEqual(x["quadrant_4_reactive_kvarh"], Decimal("4.000"))
                self.assertEqual(x["reactive_demand_kvar"], Decimal("0.2500"))
            if r["name"] == "classes-1-and-4":
                self.assertIsNone(rows[0]["power_factor_total"])     # class 3 not recorded
        self.assertEqual((good, bad), (9, 13))


if __name__ == "__main__":
    unittest.main()
