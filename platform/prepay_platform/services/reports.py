# SPDX-License-Identifier: MIT
"""Finance and energy reports. Money figures come from the settlement ledger (recharges and
deductions by the kind of their settlement id, docs/settlement.md section 4); energy from the
usage rows of the readings; CSV export of any report."""
from __future__ import annotations

import csv
import datetime as _dt
import io

from prepay import settlement as S
from prepay._units import from_time

from . import clock
from .money import fen

PERIODS = {"day": 10, "month": 7, "year": 4}
_KIND = {S.IdKind.RECHARGE: "recharge", S.IdKind.READING: "energy", S.IdKind.READING_DEBT: "energy",
         S.IdKind.ALLOCATION: "common area", S.IdKind.ALLOCATION_DEBT: "common area", S.IdKind.CHARGE: "charge items",
         S.IdKind.CHARGE_DEBT: "charge items"}


def ledger_rows(platform, account_id: int = 0) -> list:
    """(local datetime, composition, fen, account id) of every recharge and deduction in the ledger."""
    site = platform.money.site
    if site is None:
        return []
    out = []
    for entry in site.ledger.history():
        t = entry.transfer
        try:
            kind, subject, _, _ = S.split_transfer_id(t.id)
        except (ValueError, KeyError):
            continue
        name = _KIND.get(kind)
        if name is None:
            continue
        acct = (t.credit_account_id if name == "recharge" else t.debit_account_id) >> 8
        if account_id and acct != account_id:
            continue
        out.append((from_time(t.timestamp), name, fen(t.amount), acct))
    return out


def reading_fees(platform) -> dict:
    """(meter id, interval end as local datetime) -> fen charged for that reading by the ledger."""
    site = platform.money.site
    out = {}
    if site is None:
        return out
    for entry in site.ledger.history():
        t = entry.transfer
        try:
            kind = S.split_transfer_id(t.id)[0]
        except (ValueError, KeyError):
            continue
        if kind in (S.IdKind.READING, S.IdKind.READING_DEBT) and t.meter_id:
            key = (t.meter_id, from_time(t.interval_end))
            out[key] = out.get(key, 0) + fen(t.amount)
    return out


def shops(platform, period: str = "month", first_day=None, last_day=None) -> list:
    """Per shop (room) and period: electricity kWh and fee from the ledger, with YoY and MoM growth,
    bucketed by the library's report engine (prepay.report.energy_report). Fees are the settled
    charges of each reading; energy is not split by TOU band here (docs/platform.md)."""
    from prepay import report
    db = platform.db
    fees = reading_fees(platform)
    series, lo, hi = [], None, None
    for m in db.query("SELECT m.id, r.name FROM meters m JOIN households h ON h.id = m.household_id "
                      "JOIN rooms r ON r.id = h.room_id WHERE m.commodity = 'electricity' ORDER BY r.name, m.id"):
        rows, prev = [], None
        for u in db.query("SELECT at, delta FROM usage WHERE meter_id = ? ORDER BY at", (m["id"],)):
            end = clock.local(u["at"])
            if prev is not None:
                fee = fees.get((m["id"], end), 0)
                rows.append((prev, int((end - prev).total_seconds()), u["delta"], 0, f"{fee / 100:.2f}"))
                lo = prev if lo is None or prev < lo else lo
                hi = end if hi is None or end > hi else hi
            prev = end
        series.append(report.Series(m["name"], rows))
    if lo is None:
        return []
    first = first_day or lo.date()
    last = last_day or (hi - _dt.timedelta(seconds=1)).date()
    out = []
    for r in report.energy_report(period, first, last, [s for s in series if s.rows]):
        out.append({"period": r["period"], "shop": r["key"], "energy_kwh": r["energy_kwh"], "fee": r["fee"],
                    "days": r["days"], "partial": r["partial"], "yoy_pct": r["yoy_pct"], "mom_pct": r["mom_pct"]})
    return out


def income(platform, period: str = "day") -> list:
    """Per period: recharges and deductions by composition (fen)."""
    n = PERIODS[period]
    rows = {}
    for at, name, amount, _ in ledger_rows(platform):
        key = at.strftime("%Y-%m-%d")[:n]
        r = rows.setdefault(key, {"period": key, "recharge": 0, "energy": 0, "common area": 0, "charge items": 0})
        r[name] += amount
    return [rows[k] for k in sorted(rows)]


def energy(db, period: str = "day", household_id=None) -> list:
    """Per period: electricity Wh and water L from the usage rows."""
    n = PERIODS[period]
    sql = ("SELECT u.at, u.delta, m.commodity FROM usage u JOIN meters m ON m.id = u.meter_id"
           + (" WHERE m.household_id = ?" if household_id else ""))
    rows = {}
    for r in db.query(sql, (household_id,) if household_id else ()):
        key = clock.day(r["at"])[:n]
        row = rows.setdefault(key, {"period": key, "electricity_wh": 0, "water_l": 0})
        row["electricity_wh" if r["commodity"] == "electricity" else "water_l"] += r["delta"]
    return [rows[k] for k in sorted(rows)]


def today(platform, household_id: int, now=None) -> dict:
    """Today's energy (Wh), money (fen, charged by the ledger) and the hourly curve (Wh per hour)."""
    now = clock.now() if now is None else now
    start_local = clock.local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start = clock.epoch(start_local)
    hours = [0] * 24
    for r in platform.db.query("SELECT u.at, u.delta FROM usage u JOIN meters m ON m.id = u.meter_id "
                               "WHERE m.household_id = ? AND m.commodity = 'electricity' AND u.at > ? AND u.at <= ?",
                               (household_id, start, start + 86400)):
        hours[min(23, (r["at"] - start - 1) // 3600)] += r["delta"]
    money = sum(a for at, name, a, _ in ledger_rows(platform, household_id)
                if name != "recharge" and start_local <= at < start_local + _dt.timedelta(days=1))
    return {"energy_wh": sum(hours), "money_fen": money, "hours": hours}


def curve_svg(hours, width: int = 480, height: int = 120) -> str:
    """An inline SVG polyline of 24 hourly values (no script, no external asset)."""
    top = max(hours) or 1
    step = width / 23
    pts = " ".join(f"{i * step:.1f},{height - 10 - (v / top) * (height - 20):.1f}" for i, v in enumerate(hours))
    return (f'<svg class="curve" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="energy per hour today"><polyline fill="none" stroke="currentColor" stroke-width="2" '
            f'points="{pts}"/><text x="2" y="10" font-size="10">{top} Wh</text></svg>')


def to_csv(rows: list, columns: list) -> str:
    """CSV text (RFC 4180) of dict rows."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([r.get(c, "") for c in columns])
    return buf.getvalue()
