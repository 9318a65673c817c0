# SPDX-License-Identifier: MIT
"""The per-shop report split by TOU band: energy and fee per band (sharp, peak, flat, valley, deep
valley) per shop and period, with year-on-year growth, bucketed by the library's report engine
(prepay.report.energy_report).

Each electricity meter's intervals (the usage rows between two readings) are priced by the tariff
engine with the household's tariff scheme (prepay.tariff.TariffStream.feed_interval, the engine the
settlement Site charges with): its energy lines carry the band slot, the Wh and the exact amount.
One report series per (meter, band) keeps the rows of a series non-overlapping. The rows carry the
engine's exact amounts (to 1e-11 yuan) and the report engine rounds each bucket's band fee to the
fen; the ledger's settled fees are rounded per reading, so a bucket's band fees may differ from the
settled total by under a fen per reading. YoY per band compares
with the same period label one year earlier when that year is in the report's range."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from prepay import report
from prepay.tariff import LineKind, Tariff

from . import clock

BANDS = report.BAND_NAMES[1:]  # sharp, peak, flat, valley, deep_valley (slots 1..5)
PERIODS = ("month", "year", "week", "day")


def _growth(cur, prev):
    if cur is None or prev in (None, 0) or Decimal(prev) == 0:
        return None
    return ((Decimal(cur) - Decimal(prev)) * 100 / Decimal(prev)).quantize(Decimal("0.01"))


def _minus_year(label: str):
    head, _, rest = label.partition("-")
    return f"{int(head) - 1}{'-' + rest if rest else ''}" if head.isdigit() else None


def shops_by_band(platform, period: str = "month", first_day=None, last_day=None) -> list:
    """Rows per (period, shop): ``energy_kwh``, ``fee``, ``<band>_kwh``, ``<band>_fee``, ``yoy_pct`` (total
    energy, the engine's), ``<band>_yoy_pct`` (band energy) for the five TOU bands."""
    if period not in PERIODS:
        raise ValueError(f"period: one of {', '.join(PERIODS)}")
    db = platform.db
    tariffs = {t["id"]: Tariff.loads(t["document"], origin=t["name"]) for t in db.query("SELECT * FROM tariffs")}
    series, lo, hi = [], None, None
    for m in db.query("SELECT m.id, r.name, h.tariff_id FROM meters m JOIN households h ON h.id = m.household_id "
                      "JOIN rooms r ON r.id = h.room_id WHERE m.commodity = 'electricity' ORDER BY r.name, m.id"):
        stream = tariffs[m["tariff_id"]].stream(bill=False)
        per_band = {}
        prev = None
        for u in db.query("SELECT at, delta FROM usage WHERE meter_id = ? ORDER BY at", (m["id"],)):
            end = clock.local(u["at"])
            if prev is not None and end > prev:
                sums = {}
                for line in stream.feed_interval(prev, end, int(u["delta"])).lines:
                    if line.kind != LineKind.ENERGY:
                        continue
                    wh, fee = sums.get(line.band, (0, Decimal(0)))
                    sums[line.band] = (wh + line.quantity, fee + line.amount)
                seconds = int((end - prev).total_seconds())
                for band, (wh, fee) in sums.items():
                    per_band.setdefault(band, []).append((prev, seconds, wh, band if 0 <= band <= 5 else 0,
                                                          fee.quantize(Decimal("1e-11"))))
                lo = prev if lo is None or prev < lo else lo
                hi = end if hi is None or end > hi else hi
            prev = end
        for band in sorted(per_band):
            series.append(report.Series(m["name"], per_band[band]))
    if lo is None:
        return []
    first = first_day or lo.date()
    last = last_day or (hi - _dt.timedelta(seconds=1)).date()
    rows = []
    for r in report.energy_report(period, first, last, series):
        row = {"period": r["period"], "shop": r["key"], "energy_kwh": r["energy_kwh"], "fee": r["fee"],
               "days": r["days"], "partial": r["partial"], "yoy_pct": r["yoy_pct"]}
        for b in BANDS:
            row[f"{b}_kwh"], row[f"{b}_fee"] = r[f"{b}_kwh"], r[f"{b}_fee"]
        rows.append(row)
    index = {(r["period"], r["shop"]): r for r in rows}
    for r in rows:
        before = index.get((_minus_year(r["period"]), r["shop"])) if period in ("month", "year") else None
        for b in BANDS:
            r[f"{b}_yoy_pct"] = _growth(r[f"{b}_kwh"], before[f"{b}_kwh"]) if before else None
    return rows


def columns() -> list:
    out = ["period", "shop", "energy_kwh", "fee", "yoy_pct"]
    for b in BANDS:
        out += [f"{b}_kwh", f"{b}_fee", f"{b}_yoy_pct"]
    return out + ["days", "partial"]
