# SPDX-License-Identifier: MIT
"""Energy reports, income composition and DL/T 645 load records as rows a pandas user can load.

Every function returns a list of plain dicts (one per row), so ``pandas.DataFrame(rows)`` works
directly, and :func:`columns` turns the rows into a dict of lists (arrays) for other tools. pandas is
never imported. Exact values stay exact: energy as :class:`~decimal.Decimal` kWh (3 places), money as
Decimal yuan rounded once half-up from the exact sum (2 places), growth as Decimal percent
(4 places). A value without data is ``None``, never 0; a null growth names its reason in
``yoy_null`` / ``mom_null``.

    rows = report.energy_report("month", date(2024, 3, 1), date(2025, 3, 31), [
        report.Series("A-shop", [(datetime(2025, 3, 10, 7), 7200, 10000, report.VALLEY, "1.278")]),
    ])
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import c_api as _c
from ._errors import Error, check
from ._units import DecimalLike, TimeLike, from_days, from_time, to_days, to_time

__all__ = ["NONE", "SHARP", "PEAK", "FLAT", "VALLEY", "DEEP_VALLEY", "BAND_NAMES", "Series", "energy_report",
           "income_composition", "decode_load_records", "columns"]

#: Band slots (prepay/report.h): 0 no band, 1 sharp (尖), 2 peak (峰), 3 flat (平), 4 valley (谷), 5 deep valley.
NONE, SHARP, PEAK, FLAT, VALLEY, DEEP_VALLEY = range(6)
BAND_NAMES = ("unbanded", "sharp", "peak", "flat", "valley", "deep_valley")
_PERIODS = {"day": _c.PREPAY_REPORT_DAY, "week": _c.PREPAY_REPORT_WEEK, "month": _c.PREPAY_REPORT_MONTH,
            "year": _c.PREPAY_REPORT_YEAR}
_BASIS = {"total": _c.PREPAY_REPORT_BASIS_TOTAL, "per_day": _c.PREPAY_REPORT_BASIS_PER_DAY}
_NULL_NAMES = {0: "", 1: "no_data", 2: "no_base", 3: "zero_base", 4: "negative_base", 5: "no_counterpart",
               6: "partial"}
_NANOS = 1_000_000_000

Row = Tuple[TimeLike, int, int, int, Any]


@dataclass
class Series:
    """One meter's interval rows, added to ``key`` (an account or shop; several meters may share one).

    A row is ``(start, seconds, energy_wh, band, fee)``: start a naive local datetime or prepay_time_t,
    band a slot 0..5, fee a Decimal/str yuan amount (any number of decimals down to 1e-11 yuan) or
    None. Rows must be in time order and must not overlap. ``rows`` may also be an int64 buffer
    (``array('q')`` or a numpy int64 array) of 6 values per row: start, seconds, energy_wh, band,
    fee fen, fee nanos of a fen.
    """
    key: Any
    rows: Union[Sequence[Row], Any]


def _fee_parts(fee: Optional[DecimalLike]) -> Tuple[int, int]:
    """Exact yuan amount -> (fen, nanos of a fen), floor-normalised like prepay_amount_t."""
    if fee is None:
        return 0, 0
    if isinstance(fee, float):
        raise TypeError("fee must be Decimal, str or int, never float")
    d = Decimal(fee) if not isinstance(fee, Decimal) else fee
    total = d.scaleb(11)  # yuan -> 1e-9 fen
    if total != total.to_integral_value():
        raise Error(_c.PREPAY_E_INVALID_ARGUMENT, f"fee {fee} has more than 11 decimals")
    t = int(total)
    return t // _NANOS, t % _NANOS


def _c_rows(rows: Any) -> Any:
    if hasattr(rows, "__buffer__") or (not isinstance(rows, (list, tuple)) and hasattr(rows, "tobytes")):
        return rows  # an int64 buffer, passed as is
    out = []
    for r in rows:
        start, seconds, energy, band, fee = r
        units, nanos = _fee_parts(fee)
        out.append((to_time(start), int(seconds), int(energy), int(band), units, nanos))
    return out


def _kwh(wh: int) -> Decimal:
    return Decimal(wh).scaleb(-3).quantize(Decimal("0.001"))


def _yuan(units: int, nanos: int) -> Decimal:
    """Exact amount rounded once, half-up, to the fen (as prepay_amount_round does), as Decimal yuan."""
    a = _c.prepay_amount_t()
    a.units, a.nanos = int(units), int(nanos)
    status, fen = _c.prepay_amount_round(a, _c.PREPAY_ROUND_HALF_UP)
    check(status)
    return Decimal(fen).scaleb(-2).quantize(Decimal("0.01"))


def energy_report(period: str, first_day: Union[_dt.date, int], last_day: Union[_dt.date, int],
                  series: Iterable[Series], basis: str = "total") -> List[Dict[str, Any]]:
    """Buckets the series by ``period`` (day, week, month, year) over ``[first_day, last_day]`` (inclusive).

    One row per bucket and key (keys in first-seen order): period label, first and last day, key,
    energy and fee in total and per band, days, partial (the dates cut the period), YoY and MoM
    growth of total energy in percent with their null reasons, seconds of data and row pieces.
    """
    if period not in _PERIODS:
        raise ValueError(f"period must be one of {sorted(_PERIODS)}")
    if basis not in _BASIS:
        raise ValueError(f"basis must be one of {sorted(_BASIS)}")
    keys: List[Any] = []
    index: Dict[Any, int] = {}
    c_series = []
    for s in series:
        if s.key not in index:
            index[s.key] = len(keys)
            keys.append(s.key)
        c_series.append((index[s.key], _c_rows(s.rows)))
    first = to_days(first_day)
    end = to_days(last_day) + 1
    status, failed, buckets, cells = _c.pyprepay_report_run(_PERIODS[period], first, end, max(len(keys), 1),
                                                            c_series, _BASIS[basis])
    check(status, f"series {failed} (key {keys[failed]!r})" if failed >= 0 else None)
    rows: List[Dict[str, Any]] = []
    for (label, lo, hi, partial), per_key in zip(buckets, cells):
        for k, key in enumerate(keys):
            cell = per_key[k]
            row: Dict[str, Any] = {"period": label, "first_day": from_days(lo), "last_day": from_days(hi - 1),
                                   "key": key}
            if cell is None:
                row["energy_kwh"] = None
                for name in BAND_NAMES:
                    row[f"{name}_kwh"] = None
                row["fee"] = None
                for name in BAND_NAMES:
                    row[f"{name}_fee"] = None
                row.update(days=hi - lo, partial=partial, yoy_pct=None, yoy_null="no_data", mom_pct=None,
                           mom_null="no_data", seconds=0, pieces=0)
            else:
                energy, fee_units, fee_nanos, pieces, seconds, yoy, yoy_null, mom, mom_null = cell
                row["energy_kwh"] = _kwh(sum(energy))
                for b, name in enumerate(BAND_NAMES):
                    row[f"{name}_kwh"] = _kwh(energy[b])
                total = sum(u * _NANOS + n for u, n in zip(fee_units, fee_nanos))
                row["fee"] = _yuan(total // _NANOS, total % _NANOS)
                for b, name in enumerate(BAND_NAMES):
                    row[f"{name}_fee"] = _yuan(fee_units[b], fee_nanos[b])
                row.update(days=hi - lo, partial=partial,
                           yoy_pct=Decimal(yoy).scaleb(-4) if yoy_null == 0 else None,
                           yoy_null=_NULL_NAMES.get(yoy_null, "unknown"),
                           mom_pct=Decimal(mom).scaleb(-4) if mom_null == 0 else None,
                           mom_null=_NULL_NAMES.get(mom_null, "unknown"), seconds=seconds, pieces=pieces)
            rows.append(row)
    return rows


_INCOME_ITEMS = ("electricity", "water", "property_fee", "common_area", "other")


def income_composition(ledger: Any, since: TimeLike, until: TimeLike) -> List[Dict[str, Any]]:
    """Income by item (electricity, water, property fee, common area, other) of ``[since, until)``.

    ``ledger`` is a :class:`prepay.ledger.Ledger`. One row per item plus a ``total`` row: amount in
    Decimal yuan, share in percent (Decimal, 4 places, half-up) or None when there is no positive
    income (``share_null`` names why).
    """
    status, (amounts, total, shares, null_reason, transfers) = _c.pyprepay_report_income(
        ledger._l, to_time(since), to_time(until))
    check(status)
    null_name = _NULL_NAMES.get(null_reason, "unknown")
    rows = []
    for name, amount, share in zip(_INCOME_ITEMS, amounts, shares):
        rows.append({"item": name, "amount": Decimal(amount).scaleb(-2).quantize(Decimal("0.01")),
                     "share_pct": Decimal(share).scaleb(-4) if null_reason == 0 else None, "share_null": null_name})
    rows.append({"item": "total", "amount": Decimal(total).scaleb(-2).quantize(Decimal("0.01")),
                 "share_pct": Decimal(100).quantize(Decimal("0.0001")) if null_reason == 0 else None,
                 "share_null": null_name, "transfers": transfers})
    return rows


def _fixed(value: int, places: int) -> Decimal:
    return Decimal(value).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def decode_load_records(di: int, data: bytes) -> List[Dict[str, Any]]:
    """Decodes the data of a DL/T 645-2007 load-record reply (after the DI, 0x33 removed) into rows.

    Values are Decimal in V, A, Hz, kW, kvar, kWh, kvarh; a class the meter did not record, or a value
    it sent as FF bytes, is None.
    """
    status, recs = _c.pyprepay_load_record_decode(int(di), bytes(data))
    check(status)
    out = []
    for (t, classes, marked, absent, volt, amp, hz, p, q, pf, fwd, rev, comb, quad, pd, qd) in recs:
        def val(cls: int, bit: int, v: int, places: int) -> Optional[Decimal]:
            if marked or not (classes >> (cls - 1)) & 1 or (absent >> bit) & 1:
                return None
            return _fixed(v, places)
        row: Dict[str, Any] = {"time": from_time(t), "classes": classes, "marked_bad": marked}
        for i, ph in enumerate("abc"):
            row[f"voltage_{ph}_v"] = val(1, i, volt[i], 1)
            row[f"current_{ph}_a"] = val(1, 3 + i, amp[i], 3)
        row["frequency_hz"] = val(1, 6, hz, 2)
        for i, ph in enumerate(("total", "a", "b", "c")):
            row[f"active_power_{ph}_kw"] = val(2, 7 + i, p[i], 4)
            row[f"reactive_power_{ph}_kvar"] = val(2, 11 + i, q[i], 4)
            row[f"power_factor_{ph}"] = val(3, 15 + i, pf[i], 3)
        row["forward_active_kwh"] = val(4, 19, fwd, 3)
        row["reverse_active_kwh"] = val(4, 20, rev, 3)
        row["combined_reactive_1_kvarh"] = val(4, 21, comb[0], 3)
        row["combined_reactive_2_kvarh"] = val(4, 22, comb[1], 3)
        for i in range(4):
            row[f"quadrant_{i + 1}_reactive_kvarh"] = val(5, 23 + i, quad[i], 3)
        row["active_demand_kw"] = val(6, 27, pd, 4)
        row["reactive_demand_kvar"] = val(6, 28, qd, 4)
        out.append(row)
    return out


def columns(rows: Sequence[Dict[str, Any]]) -> Dict[str, List[Any]]:
    """Rows (dicts with the same keys) to a dict of columns (lists), e.g. for numpy or pyarrow."""
    if not rows:
        return {}
    return {name: [r.get(name) for r in rows] for name in rows[0]}
