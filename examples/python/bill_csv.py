#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Bills a CSV of meter readings with a tariff JSON file.

    PYTHONPATH=build/python/bindings/python python3 examples/python/bill_csv.py [readings.csv] [tariff.json]

CSV rows are either `timestamp,register_kwh` (cumulative register readings) or
`start,end,kwh` (interval energy); times `YYYY-MM-DD hh:mm[:ss]`; `#` lines and a header are skipped.
Defaults: tests/vectors/tariff_cli/beijing_registers.csv with examples/tariffs/beijing_residential_annual.json
(hand-computed total 2597.50). kWh are converted to Wh exactly (Decimal), never through float.
"""
import csv
import datetime
import pathlib
import sys

import prepay
from prepay import tariff

ROOT = pathlib.Path(__file__).resolve().parents[2]


def when(text):
    text = text.strip().replace("T", " ")
    fmt = "%Y-%m-%d %H:%M:%S" if text.count(":") == 2 else "%Y-%m-%d %H:%M"
    return datetime.datetime.strptime(text, fmt)


def main():
    readings = sys.argv[1] if len(sys.argv) > 1 else ROOT / "tests/vectors/tariff_cli/beijing_registers.csv"
    path = sys.argv[2] if len(sys.argv) > 2 else ROOT / "examples/tariffs/beijing_residential_annual.json"
    t = tariff.Tariff.load(path)
    stream = t.stream()
    with open(readings, newline="", encoding="utf-8") as f:
        for row in csv.reader(line for line in f if not line.startswith("#")):
            if not row or not row[0][:1].isdigit():
                continue
            if len(row) == 2:
                stream.feed_reading(when(row[0]), prepay.kwh_to_wh(row[1].strip()))
            else:
                stream.feed_interval(when(row[0]), when(row[1]), prepay.kwh_to_wh(row[2].strip()))
    bill = stream.bill()
    print(f"{t.name} ({t.currency or 'CNY'})")
    for line in bill.lines:
        if line.kind == prepay.LineKind.FIXED:
            print(f"  fixed charge #{line.fixed_index:<27} {line.money:>12}")
        else:
            print(f"  {line.band_name or line.band:>8} tier {line.tier}  {line.kwh:>12} kWh x {line.price:<12} "
                  f"{line.money:>12}")
    print(f"  {'energy':>8} {prepay.wh_to_kwh(bill.energy_total):>19} kWh")
    print(f"  {'total':>8} {bill.total:>45}")


if __name__ == "__main__":
    main()
