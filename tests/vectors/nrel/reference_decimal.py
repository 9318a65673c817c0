#!/usr/bin/env python3
"""Independent reference for tests/vectors/nrel_sam_bills.txt (verification aid,
not product code). Reads the SAM-shaped tariff JSON files of this folder and the
load CSV, and prices the year with SSC's monthly ur_calc rule (tier bounds on the
month's total over all periods, each tier shared among periods in proportion to
their energy) in exact decimal.Decimal arithmetic.

Energy modes: exact (the CSV decimals as they are), wh (each hour rounded half-up
to whole Wh), mwh (to whole mWh). Usage: python3 reference_decimal.py"""
import json, os
from decimal import Decimal as D, ROUND_HALF_UP, getcontext

getcontext().prec = 60
HERE = os.path.dirname(os.path.abspath(__file__))
NDAY = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def shortest(x):
    return D(repr(float(x)))  # shortest decimal that reads back as the same double


def load(mode):
    raw = open(os.path.join(HERE, "pvsamv1_residential_load.csv")).read().split()
    assert len(raw) == 8760
    if mode == "exact":
        return [D(x) for x in raw]
    q = {"wh": D(1000), "mwh": D(1000000)}[mode]
    return [(D(x) * q).quantize(D(1), rounding=ROUND_HALF_UP) / q for x in raw]


def tod(wk, we):
    out, wday = [], 5  # util::translate_schedule: Jan 1 is a Monday
    for m in range(12):
        for _ in range(NDAY[m]):
            row = wk if wday > 0 else we
            wday = wday - 1 if wday >= 0 else 5
            out += [row[m][h] for h in range(24)]
    return out


def bill(path, kwh, scale=D(1)):
    t = json.load(open(os.path.join(HERE, path)), parse_float=str, parse_int=str)
    tiers = {}
    for p, tier, mx, units, buy, _sell in t["ur_ec_tou_mat"]:
        tiers.setdefault(int(p), []).append((int(tier), shortest(mx), int(units), shortest(buy)))
    wk = [[int(x) for x in r] for r in t["ur_ec_sched_weekday"]]
    we = [[int(x) for x in r] for r in t["ur_ec_sched_weekend"]]
    per_hour = tod(wk, we)
    total, c = D(0), 0
    for m in range(12):
        per = {}
        for _ in range(NDAY[m] * 24):
            per[per_hour[c]] = per.get(per_hour[c], D(0)) + kwh[c]
            c += 1
        tot = sum(per.values())
        for p, e in per.items():
            prev = D(0)
            for _t, mx, units, buy in sorted(tiers[p]):
                ub = mx * NDAY[m] if units in (2, 3) else mx
                if tot > ub:
                    total += e * (ub - prev) / tot * buy * scale
                    prev = ub
                else:
                    total += e * (tot - prev) / tot * buy * scale
                    break
    return total


if __name__ == "__main__":
    for mode in ("exact", "wh", "mwh"):
        kwh = load(mode)
        for path, scale in (("sam_residential_tou.json", D(1)), ("sam_residential_tou.json", D("1.025")),
                            ("sam_residential_tou_tiers.json", D(1)), ("sam_residential_tou_36_periods.json", D(1))):
            b = bill(path, kwh, scale)
            print("%-5s %-36s x%-5s %s -> %s" % (mode, path, scale, b, b.quantize(D("0.01"), ROUND_HALF_UP)))
