#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Splits a common-area (公摊) electricity bill among flats by floor area, exactly.

    PYTHONPATH=build/python/bindings/python python3 examples/python/split_common_area.py

The master meter minus the flats' sub-meters is the common energy; it is priced once with a tariff
and split by area (0.01 m2) with the largest-remainder method, so the shares add up to the fen.
A vacant flat's share goes to the owner (developer) account.
"""
import datetime
import pathlib
from decimal import Decimal

import prepay
from prepay import allocation, tariff

ROOT = pathlib.Path(__file__).resolve().parents[2]
OWNER = 900


def main():
    master = 12_345_678  # Wh in March
    subs = {101: 2_100_000, 102: 3_050_500, 201: 1_999_999, 202: 0, 301: 4_000_001}
    area = {101: 8932, 102: 12050, 201: 8932, 202: 12050, 301: 15575}  # 0.01 m2
    vacant = {202}
    res = allocation.residual(master, list(subs.values()))
    print(f"master {prepay.wh_to_kwh(master)} kWh - sub-meters {prepay.wh_to_kwh(res.sub_total)} kWh "
          f"= common {prepay.wh_to_kwh(res.common)} kWh")
    t = tariff.Tariff.load(ROOT / "examples/tariffs/shanghai_residential_per_band.json")
    bill = t.evaluate([(datetime.datetime(2025, 3, 1), datetime.datetime(2025, 4, 1), res.common)])
    print(f"priced once with {t.name!r}: {bill.total}")
    parts = [allocation.Part(flat, area[flat], vacant=flat in vacant) for flat in subs]
    lines = allocation.allocate(parts, energy=res.common, money=bill.total, owner_account_id=OWNER)
    for line in lines:
        who = "owner" if line.account_id == OWNER else f"flat {line.account_id}"
        print(f"  {who:>9}  {Decimal(line.weight).scaleb(-2):>8} m2  {prepay.wh_to_kwh(line.energy):>10} kWh  {line.money:>9}")
    total = sum(l.money for l in lines)
    print(f"  {'sum':>9}  {'':>8}     {prepay.wh_to_kwh(sum(l.energy for l in lines)):>10} kWh  {total:>9}")
    assert total == bill.total


if __name__ == "__main__":
    main()
