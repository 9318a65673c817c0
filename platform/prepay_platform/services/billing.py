# SPDX-License-Identifier: MIT
"""Billing over the settlement Site: charge items, common-area groups, postpaid accounts, period
close and postpaid statements (issue 19).

The Site is the one place money moves: charge items and groups are part of the Site's description
(``site_config`` feeds ``Money.rebuild``), a period close is a Site input (kind ``close``) recorded in
``site_inputs`` and re-run on restart like every other input, and the statements and common-area
shares the close hands out are stored from its result. The first close fixes the end of the first
period (``billing_settings.first_end``; until then the Site's period runs to 2100): the Site is rebuilt
with that end and every recorded input re-run, then closed. Later closes are month ends, one after
the other (``[end, end + 1 month)``).

A description change re-runs every input on a rebuilt Site, and the library's groups and account
kinds have no start date: a change of them after a close would re-price closed periods. So groups,
master meters and account kinds are fixed once a period has been closed (refused with a message);
charge items carry their own dates and may be added or ended at any time from the open period's
start on (never back-dating into a closed period).

Postpaid statements: the Site issues one per postpaid account at each close; the platform keeps
them as 'generated', finance confirms them (the lines are loaded into a ``prepay.billing.Statement``
whose sums must equal the Site's) and issues them (the library seals the statement with its issue
and due dates). Arrears are aged by ``prepay.billing.arrears`` from the issued statements."""
from __future__ import annotations

import csv
import datetime as _dt
import io
import json
from decimal import Decimal

from prepay import billing as B
from prepay import settlement as S
from prepay._errors import Error as PrepayError
from prepay._enums import ChargeBasis, ChargeSchedule, StatementLineKind

from . import audit, clock
from .errors import InputError, NotFound

FAR_END = _dt.date(2100, 1, 1)
BASES = {"fixed": ChargeBasis.FIXED, "per_area": ChargeBasis.PER_AREA, "per_unit": ChargeBasis.PER_UNIT}
SCHEDULES = {"monthly": ChargeSchedule.MONTHLY, "quarterly": ChargeSchedule.QUARTERLY,
             "yearly": ChargeSchedule.YEARLY, "once": ChargeSchedule.ONCE}
METHODS = {"area": S.Method.AREA, "ratio": S.Method.RATIO, "usage": S.Method.USAGE, "equal": S.Method.EQUAL}
KINDS = {"prepaid": S.AccountKind.PREPAID_REMOTE, "postpaid": S.AccountKind.POSTPAID}
MAX_RATE_FEN = 10_000_000  # 100 000.00 yuan a month per item: beyond is a typing error


# ---- parsing (server-side validation; every message names the field) ----

def _date(value, field: str) -> _dt.date:
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"{field}: a date as YYYY-MM-DD", field) from None


def _month_start(value, field: str) -> _dt.date:
    d = _date(value, field)
    if d.day != 1:
        raise InputError(f"{field}: periods end at a month's start (day 1), not {d}", field)
    return d


def _rate(value, field: str = "rate") -> int:
    text = str(value if value is not None else "").strip()
    try:
        d = Decimal(text)
    except Exception:
        raise InputError(f"{field}: an amount in yuan with at most 2 decimals", field) from None
    if not d.is_finite() or d.as_tuple().exponent < -2 or d <= 0:
        raise InputError(f"{field}: a positive amount in yuan with at most 2 decimals (discounts are adjustments)",
                         field)
    f = int(d.scaleb(2))
    if f > MAX_RATE_FEN:
        raise InputError(f"{field}: at most {MAX_RATE_FEN // 100} yuan", field)
    return f


def _choice(value, allowed: dict, field: str) -> str:
    v = str(value or "").strip()
    if v not in allowed:
        raise InputError(f"{field}: one of {', '.join(allowed)}", field)
    return v


def _name(value, field: str = "name") -> str:
    v = str(value or "").strip()
    if not v or len(v) > 64 or any(c in v for c in "<>") or any(ord(c) < 32 for c in v):
        raise InputError(f"{field}: 1 to 64 printable characters", field)
    return v


def _int(value, field: str) -> int:
    try:
        v = int(str(value).strip())
    except (TypeError, ValueError):
        raise InputError(f"{field}: a whole number", field) from None
    return v


def add_months(d: _dt.date, months: int) -> _dt.date:
    """A month start moved by ``months`` (either sign)."""
    n = d.year * 12 + d.month - 1 + months
    return _dt.date(n // 12, n % 12 + 1, 1)


# ---- settings and the state of the periods ----

def setting(db, key: str, default=None):
    row = db.one("SELECT value FROM billing_settings WHERE key = ?", (key,))
    return row["value"] if row else default


def _set(db, key: str, value: str) -> None:
    if db.one("SELECT key FROM billing_settings WHERE key = ?", (key,)):
        db.execute("UPDATE billing_settings SET value = ? WHERE key = ?", (value, key))
    else:
        db.execute("INSERT INTO billing_settings (key, value) VALUES (?, ?)", (key, value))


def closes(db) -> list:
    """The recorded period closes, in order: [{'end':, 'next_end':, 'seq':, 'at':}]."""
    out = []
    for r in db.query("SELECT seq, payload, at FROM site_inputs WHERE kind = 'close' ORDER BY seq"):
        p = json.loads(r["payload"])
        out.append({"end": p["end"], "next_end": p["next_end"], "seq": r["seq"], "at": r["at"]})
    return out


def period(platform) -> dict:
    """The open period and how many were closed."""
    site = platform.money.site
    done = closes(platform.db)
    if site is None:
        return {"start": None, "end": None, "closed": len(done), "first_close": not done}
    start, end = site.period
    return {"start": start.date().isoformat(), "end": None if end.date() >= FAR_END else end.date().isoformat(),
            "closed": site.periods_closed, "first_close": not done}


def _frozen(db) -> bool:
    return bool(db.one("SELECT seq FROM site_inputs WHERE kind = 'close'"))


def _refuse_if_frozen(db, what: str) -> None:
    if _frozen(db):
        raise InputError(f"{what} are fixed once a period has been closed (the library's site re-prices closed "
                         f"periods from its description); create charge items with dates instead")


# ---- the Site's description (Money.rebuild) ----

def site_config(db) -> dict:
    """What Money.rebuild needs from billing: period end, items, account kinds, master meters, groups."""
    first = setting(db, "first_end")
    items = []
    for r in db.query("SELECT * FROM billing_items ORDER BY id"):
        items.append(B.ChargeItem(int(r["id"]), Decimal(int(r["rate_fen"])).scaleb(-2), _date(r["anchor"], "anchor"),
                                  _date(r["effective_from"], "from"), _date(r["effective_to"], "to"),
                                  basis=BASES[r["basis"]], schedule=SCHEDULES[r["schedule"]], name=r["name"][:31],
                                  account_id=int(r["household_id"])))
    kinds = {r["household_id"]: KINDS[r["kind"]] for r in db.query("SELECT * FROM billing_accounts")}
    areas = {r["id"]: Decimal(int(r["area_centi"])).scaleb(-2) for r in db.query(
        "SELECT h.id, r.area_centi FROM households h JOIN rooms r ON r.id = h.room_id")}
    masters = [S.Meter(int(m["id"]), account_id=0, address=m["address"])
               for m in db.query("SELECT * FROM billing_master_meters ORDER BY id")]
    groups = []
    for g in db.query("SELECT * FROM billing_groups ORDER BY number"):
        members = [S.Member(int(m["meter_id"]), int(m["ratio"])) for m in db.query(
            "SELECT * FROM billing_members WHERE group_number = ? ORDER BY meter_id", (g["number"],))]
        groups.append(S.Group(int(g["number"]), int(g["master_meter_id"]), members, method=METHODS[g["method"]],
                              tariff=int(g["tariff_number"])))
    start = setting(db, "first_start")
    return {"period_start": _date(start, "first_start") if start else None,
            "period_end": _date(first, "first_end") if first else None, "items": items, "kinds": kinds,
            "areas": areas, "masters": masters, "groups": groups}


def _check_site(platform) -> None:
    """Rebuilds the Site from the (changed) description; on a refusal the caller's transaction is
    rolled back by raising, and the Site is rebuilt from the restored rows."""
    try:
        platform.money.rebuild()
    except (ValueError, KeyError) as e:
        raise InputError(f"the settlement site refused the change: {e}") from None


def _changing(platform, change) -> None:
    """Runs ``change()`` (database rows) in a transaction and rebuilds the Site from it; a refusal
    undoes the rows and rebuilds the Site as it was."""
    db = platform.db
    try:
        with db.transaction():
            change()
            _check_site(platform)
    except InputError:
        platform.money.rebuild()
        raise


# ---- charge items ----

def items(db) -> list:
    return db.query("SELECT * FROM billing_items ORDER BY id")


def item(db, item_id: int) -> dict:
    r = db.one("SELECT * FROM billing_items WHERE id = ?", (int(item_id),))
    if r is None:
        raise NotFound(f"charge item {item_id}")
    return r


def _item_fields(platform, form: dict) -> dict:
    db = platform.db
    f = {"name": _name(form.get("name")), "basis": _choice(form.get("basis", "fixed"), BASES, "basis"),
         "rate_fen": _rate(form.get("rate")), "schedule": _choice(form.get("schedule", "monthly"), SCHEDULES,
                                                                     "schedule")}
    start = _date(form.get("effective_from"), "effective_from")
    to_text = str(form.get("effective_to") or "").strip()
    end = _date(to_text, "effective_to") if to_text else FAR_END
    if end <= start:
        raise InputError("effective_to: after effective_from", "effective_to")
    anchor = _date(form.get("anchor") or start, "anchor")
    hid = _int(form.get("household_id") or 0, "household_id")
    if hid and not db.one("SELECT id FROM households WHERE id = ?", (hid,)):
        raise InputError(f"household_id: no open account {hid}", "household_id")
    f.update(effective_from=start.isoformat(), effective_to=end.isoformat(), anchor=anchor.isoformat(),
             household_id=hid)
    return f


def _open_start(platform) -> _dt.date:
    site = platform.money.require()
    return site.period[0].date()


def add_item(platform, form: dict, who: str) -> int:
    """A charge item applied at each period close from ``effective_from`` (not before the open period)."""
    f = _item_fields(platform, form)
    if _frozen(platform.db) and _dt.date.fromisoformat(f["effective_from"]) < _open_start(platform):
        raise InputError(f"effective_from: not before the open period's start {_open_start(platform)} "
                         f"(closed periods are not re-billed)", "effective_from")
    db = platform.db
    holder = {}

    def change():
        iid = holder["id"] = db.next_id("billing_items")
        if iid > 0xFFFF:
            raise InputError("too many charge items")
        db.execute("INSERT INTO billing_items (id, name, basis, rate_fen, schedule, anchor, effective_from, "
                   "effective_to, household_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (iid, f["name"], f["basis"], f["rate_fen"], f["schedule"], f["anchor"], f["effective_from"],
                    f["effective_to"], f["household_id"], clock.now(), who))
        audit.record(db, who, "billing.item.add", f"item:{iid}", f)
    _changing(platform, change)
    return holder["id"]


def edit_item(platform, item_id: int, form: dict, who: str) -> None:
    """Edits an item. Once a period has been closed under the item only its end date may move (not
    into a closed period): a changed rate is a new item from the open period on."""
    db = platform.db
    old = item(db, item_id)
    f = _item_fields(platform, form)
    if _frozen(db):
        start = _open_start(platform)
        if _dt.date.fromisoformat(old["effective_from"]) < start:
            same = all(str(old[k]) == str(f[k]) for k in ("name", "basis", "rate_fen", "schedule", "anchor",
                                                          "effective_from", "household_id"))
            if not same:
                raise InputError("this item has billed closed periods: only its end date can change "
                                 "(end it and add a new item for a new rate)")
            if _dt.date.fromisoformat(f["effective_to"]) < start:
                raise InputError(f"effective_to: not before the open period's start {start}", "effective_to")
        elif _dt.date.fromisoformat(f["effective_from"]) < start:
            raise InputError(f"effective_from: not before the open period's start {start}", "effective_from")

    def change():
        db.execute("UPDATE billing_items SET name = ?, basis = ?, rate_fen = ?, schedule = ?, anchor = ?, "
                   "effective_from = ?, effective_to = ?, household_id = ? WHERE id = ?",
                   (f["name"], f["basis"], f["rate_fen"], f["schedule"], f["anchor"], f["effective_from"],
                    f["effective_to"], f["household_id"], int(item_id)))
        audit.record(db, who, "billing.item.edit", f"item:{item_id}", {"before": {k: old[k] for k in f}, "after": f})
    _changing(platform, change)


# ---- postpaid accounts ----

def account_kind(db, hid: int) -> str:
    r = db.one("SELECT kind FROM billing_accounts WHERE household_id = ?", (int(hid),))
    return r["kind"] if r else "prepaid"


def set_account_kind(platform, hid: int, kind: str, who: str) -> None:
    """Prepaid or postpaid. Only before the account has any money movement and before any close:
    the Site posts a postpaid account's charges as debt, so a later change would re-price the past."""
    db = platform.db
    kind = _choice(kind, KINDS, "kind")
    if not db.one("SELECT id FROM households WHERE id = ?", (int(hid),)):
        raise NotFound(f"account {hid}")
    _refuse_if_frozen(db, "account kinds")
    v = platform.money.account(int(hid))
    if v.recharges or v.energy or v.debt or v.balance:
        raise InputError("the account already has readings or recharges: its kind is fixed")

    def change():
        if db.one("SELECT household_id FROM billing_accounts WHERE household_id = ?", (int(hid),)):
            db.execute("UPDATE billing_accounts SET kind = ? WHERE household_id = ?", (kind, int(hid)))
        else:
            db.execute("INSERT INTO billing_accounts (household_id, kind) VALUES (?, ?)", (int(hid), kind))
        audit.record(db, who, "billing.account.kind", f"household:{hid}", {"kind": kind})
    _changing(platform, change)


# ---- master meters and common-area groups ----

def masters(db) -> list:
    return db.query("SELECT * FROM billing_master_meters ORDER BY id")


def add_master(platform, form: dict, who: str) -> int:
    """A site meter (no account) measuring a common area, the master of a group."""
    db = platform.db
    name = _name(form.get("name"))
    address = str(form.get("address") or "").strip()
    if len(address) != 12 or not address.isdigit():
        raise InputError("address: the meter's 12-digit address", "address")
    if db.one("SELECT id FROM meters WHERE address = ?", (address,)) or \
            db.one("SELECT id FROM billing_master_meters WHERE address = ?", (address,)):
        raise InputError(f"address: {address} is already used", "address")
    _refuse_if_frozen(db, "master meters")
    holder = {}

    def change():
        mid = holder["id"] = db.next_id("meters")  # one id space with the rooms' meters
        db.execute("INSERT INTO billing_master_meters (id, name, address) VALUES (?, ?, ?)", (mid, name, address))
        audit.record(db, who, "billing.master.add", f"meter:{mid}", {"name": name, "address": address})
    _changing(platform, change)
    return holder["id"]


def read_master(platform, meter_id: int, at: int, value_wh: int, who: str):
    """A master meter's register reading, settled through the Site (a logged input)."""
    db = platform.db
    if not db.one("SELECT id FROM billing_master_meters WHERE id = ?", (int(meter_id),)):
        raise NotFound(f"master meter {meter_id}")
    value = _int(value_wh, "value")
    if value < 0:
        raise InputError("value: a register reading in Wh (>= 0)", "value")
    at = _int(at, "at")
    audit.record(db, who, "billing.master.read", f"meter:{meter_id}", {"at": at, "value": value})
    return platform.money.run("settle", {"readings": [[int(meter_id), at, value]]}, at, who)


def groups(db) -> list:
    out = []
    for g in db.query("SELECT * FROM billing_groups ORDER BY number"):
        g = dict(g)
        g["members"] = db.query("SELECT bm.meter_id, bm.ratio, m.household_id, m.address FROM billing_members bm "
                                "JOIN meters m ON m.id = bm.meter_id WHERE bm.group_number = ? ORDER BY bm.meter_id",
                                (g["number"],))
        out.append(g)
    return out


def add_group(platform, form: dict, who: str) -> int:
    """A common-area group: master meter, member meters (``members``: [{"meter_id":, "ratio":}] or
    "id:ratio, id:ratio" text), method area (the rooms' areas) or ratio (the weights), tariff."""
    db = platform.db
    name = _name(form.get("name"))
    master = _int(form.get("master_meter_id"), "master_meter_id")
    if not db.one("SELECT id FROM billing_master_meters WHERE id = ?", (master,)):
        raise InputError(f"master_meter_id: no master meter {master}", "master_meter_id")
    if db.one("SELECT number FROM billing_groups WHERE master_meter_id = ?", (master,)):
        raise InputError(f"master_meter_id: meter {master} is already a group's master", "master_meter_id")
    method = _choice(form.get("method", "area"), METHODS, "method")
    tariff = db.one("SELECT number FROM tariffs WHERE id = ? AND commodity = 'electricity'",
                    (_int(form.get("tariff_id"), "tariff_id"),))
    if tariff is None:
        raise InputError("tariff_id: an electricity tariff scheme", "tariff_id")
    raw = form.get("members")
    if isinstance(raw, str):
        pairs = []
        for part in raw.replace("\n", ",").split(","):
            if part.strip():
                mid, _, ratio = part.partition(":")
                pairs.append({"meter_id": mid, "ratio": ratio or 0})
        raw = pairs
    if not isinstance(raw, list) or not raw:
        raise InputError("members: at least one room meter (meter_id[:weight], ...)", "members")
    members = {}
    for m in raw:
        if not isinstance(m, dict):
            raise InputError("members: objects with meter_id and ratio", "members")
        mid = _int(m.get("meter_id"), "members")
        ratio = _int(m.get("ratio") or 0, "members")
        if ratio < 0 or ratio > 1_000_000:
            raise InputError(f"members: weight of meter {mid} between 0 and 1000000", "members")
        if method == "ratio" and ratio == 0:
            raise InputError(f"members: meter {mid} needs a weight > 0 for the ratio method", "members")
        if not db.one("SELECT id FROM meters WHERE id = ? AND commodity = 'electricity'", (mid,)):
            raise InputError(f"members: no room electricity meter {mid}", "members")
        if mid in members:
            raise InputError(f"members: meter {mid} twice", "members")
        members[mid] = ratio
    _refuse_if_frozen(db, "common-area groups")
    holder = {}

    def change():
        row = db.one("SELECT MAX(number) AS n FROM billing_groups")
        number = holder["n"] = (row["n"] or 0) + 1 if row else 1
        db.execute("INSERT INTO billing_groups (number, name, master_meter_id, method, tariff_number, created_at, "
                   "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)", (number, name, master, method, tariff["number"],
                                                                clock.now(), who))
        for mid, ratio in members.items():
            db.execute("INSERT INTO billing_members (group_number, meter_id, ratio) VALUES (?, ?, ?)",
                       (number, mid, ratio))
        audit.record(db, who, "billing.group.add", f"group:{number}", {"name": name, "master": master,
                                                                        "method": method, "members": members})
    _changing(platform, change)
    return holder["n"]


def shares(db, hid: int) -> list:
    """A household's common-area memberships (group, weight, area) and the shares charged at closes."""
    rows = db.query("SELECT g.number, g.name, g.method, bm.meter_id, bm.ratio FROM billing_members bm "
                    "JOIN billing_groups g ON g.number = bm.group_number JOIN meters m ON m.id = bm.meter_id "
                    "WHERE m.household_id = ? ORDER BY g.number", (int(hid),))
    charged = db.query("SELECT * FROM billing_shares WHERE household_id = ? ORDER BY period_end, group_number",
                       (int(hid),))
    return {"groups": rows, "charged": charged}


# ---- period close ----

def close(platform, end, who: str, now: int | None = None):
    """Closes the open period at ``end`` (a month start, not in the future) and opens the next month.
    The first close fixes the first period's end (the Site is rebuilt with it); later closes must be
    the open period's end."""
    with platform.money._lock:  # one close at a time (the page and the scheduled close)
        return _close(platform, end, who, now)


def _close(platform, end, who: str, now: int | None):
    db = platform.db
    money = platform.money
    end = _month_start(end, "end")
    today = clock.local(clock.now() if now is None else now).date()
    if end > today:
        raise InputError(f"end: {end} has not come yet (today is {today})", "end")
    site = money.require()
    start, open_end = (d.date() for d in site.period)
    first = not _frozen(db)
    if first:
        if end <= start:
            raise InputError(f"end: after the period's start {start}", "end")
        last = db.one("SELECT MAX(last_read_at) AS t FROM meters")
        if last and last["t"] is not None and clock.local(last["t"]).date() >= end:
            pass  # later readings are attributed to the next period by the Site (docs/settlement.md 5)
    elif end != open_end:
        raise InputError(f"end: the open period ends {open_end}; close it first", "end")
    next_end = add_months(end, 1)
    payload = {"end": end.isoformat(), "next_end": next_end.isoformat()}
    at = clock.now() if now is None else now
    if first:
        # The first period starts at the month of the first input (not the platform's year 2000 start):
        # a group is priced over its whole period, and a ladder tariff over 26 years has more tier
        # resets than a close's price lines. Rebuilding must leave every account as it was.
        begin = min([end] + [clock.local(t).date() for t in _input_times(db)])
        begin = min(begin.replace(day=1), add_months(end, -1))
        views = {a.id: a for a in site.accounts()}
        with db.transaction():
            _set(db, "first_end", end.isoformat())
            _set(db, "first_start", begin.isoformat())
        try:
            money.rebuild()
            after = {a.id: a for a in money.require().accounts()}
            if after != views:
                raise ValueError("the accounts would change when the first period is fixed")
        except (ValueError, KeyError, PrepayError) as e:
            _unfix(money)
            raise InputError(f"the settlement site refused the period end: {e}") from None
    try:
        result = money.run("close", payload, at, who)
    except InputError:
        if first:
            _unfix(money)
        raise
    audit.record(db, who, "billing.close", f"period:{end.isoformat()}",
                 {"next_end": next_end.isoformat(), "statements": len(result.statements),
                  "events": len(result.events)})
    money._cache_many(site_account_ids(platform))
    return result


def _input_times(db) -> list:
    """Every time a recorded input carries (its own and its readings')."""
    out = []
    for r in db.query("SELECT kind, payload, at FROM site_inputs"):
        out.append(int(r["at"]))
        if r["kind"] == "settle":
            out.extend(int(t) for _, t, _ in json.loads(r["payload"])["readings"])
    return out


def _unfix(money) -> None:
    with money.db.transaction():
        money.db.execute("DELETE FROM billing_settings WHERE key IN ('first_end', 'first_start')")
    money.rebuild()


def site_account_ids(platform) -> list:
    return [r["id"] for r in platform.db.query("SELECT id FROM households")]


def close_due(platform, now: int, who: str = "scheduler") -> int:
    """The scheduled month-end close: closes every period whose end has come, when the schedule is
    on (``billing_settings.schedule`` = 'monthly'); the first close then is this month's start.
    Returns the periods closed. Driven by ``now`` so tests run in accelerated time."""
    if setting(platform.db, "schedule", "off") != "monthly" or platform.money.site is None:
        return 0
    done = 0
    today = clock.local(now).date()
    while True:
        p = period(platform)
        end = _dt.date.fromisoformat(p["end"]) if p["end"] else today.replace(day=1)
        if end > today or (p["start"] and end <= _dt.date.fromisoformat(p["start"])):
            return done
        close(platform, end, who, now)
        done += 1


def job(platform):
    """The scheduled close as a plat-field Scheduler job: checked daily at local midnight (UTC+8),
    it closes whatever :func:`close_due` finds due (nothing while the schedule is off)."""
    from ..field.schedule import DAY, Job

    def run(slot: int):
        # the slot is the local midnight just begun; close_due looks at the local date of slot + 1 s
        n = close_due(platform, slot + 1)
        return n, 0, f"{n} period(s) closed"
    offset = int(clock.LOCAL.utcoffset(None).total_seconds())
    return Job("billing-close", DAY, run, offset=-offset)


def set_schedule(platform, value: str, who: str) -> None:
    v = _choice(value, {"off": 0, "monthly": 1}, "schedule")
    with platform.db.transaction():
        _set(platform.db, "schedule", v)
        audit.record(platform.db, who, "billing.schedule", "billing", {"schedule": v})


def record_result(db, payload: dict, result) -> None:
    """Stores the statements and common-area shares of a close's result (idempotent: a re-run on
    restart finds them). Called by Money after a 'close' input."""
    if "end" not in payload:
        return
    for st in result.statements:
        if db.one("SELECT statement_id FROM billing_statements WHERE statement_id = ?", (st.statement_id,)):
            continue
        lines = [{"kind": ln.kind.name, "band": ln.band, "tier": ln.tier, "energy": ln.energy,
                  "amount_fen": int(ln.amount.scaleb(2)), "reference": ln.reference, "date": ln.date.isoformat()}
                 for ln in st.lines]
        db.execute("INSERT INTO billing_statements (statement_id, household_id, period_start, period_end, "
                   "site_issue_date, opening_fen, charges_fen, payments_fen, closing_fen, lines) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (st.statement_id, st.account_id, st.period_start.isoformat(), st.period_end.isoformat(),
                    st.issue_date.isoformat(), int(st.opening.scaleb(2)), int(st.charges.scaleb(2)),
                    int(st.payments.scaleb(2)), int(st.closing.scaleb(2)), json.dumps(lines)))
    for e in result.events:
        if e.type != S.EventType.SHARE:
            continue
        group = (e.id & 0xFFFFFFFFFFFF) & 0xFFFF  # event sequence: cause 3 << 48 | group (docs/settlement.md 4)
        key = (payload["end"], e.account_id, group)
        if db.one("SELECT amount_fen FROM billing_shares WHERE period_end = ? AND household_id = ? AND "
                  "group_number = ?", key):
            continue
        db.execute("INSERT INTO billing_shares (period_end, household_id, group_number, amount_fen) "
                   "VALUES (?, ?, ?, ?)", key + (int(e.amount.scaleb(2)),))


# ---- statements ----

def statements(db, hid: int | None = None) -> list:
    if hid is None:
        return db.query("SELECT * FROM billing_statements ORDER BY period_end DESC, household_id")
    return db.query("SELECT * FROM billing_statements WHERE household_id = ? ORDER BY period_end DESC", (int(hid),))


def statement(db, sid: int) -> dict:
    r = db.one("SELECT * FROM billing_statements WHERE statement_id = ?", (int(sid),))
    if r is None:
        raise NotFound(f"statement {sid}")
    r = dict(r)
    r["line_list"] = json.loads(r["lines"])
    return r


def _library_statement(row: dict) -> B.Statement:
    """The statement rebuilt in prepay.billing from the Site's lines; its sums must be the Site's."""
    lines = json.loads(row["lines"])
    st = B.Statement(int(row["household_id"]), _date(row["period_start"], "period_start"),
                     _date(row["period_end"], "period_end"), Decimal(int(row["opening_fen"])).scaleb(-2),
                     capacity=max(8, len(lines) + 1))
    for ln in lines:
        st.add(B.StatementLine(StatementLineKind[ln["kind"]], Decimal(int(ln["amount_fen"])).scaleb(-2),
                               int(ln["reference"]), _date(ln["date"], "date"), int(ln["energy"]), int(ln["band"]),
                               int(ln["tier"])))
    for field, value in (("charges_fen", st.charges), ("payments_fen", st.payments), ("closing_fen", st.closing)):
        if int(value.scaleb(2)) != int(row[field]):
            raise InputError(f"statement {row['statement_id']}: {field} of the lines {value} differs from the site's")
    return st


def confirm(platform, sid: int, who: str) -> None:
    db = platform.db
    row = statement(db, sid)
    if row["state"] != "generated":
        raise InputError(f"statement is {row['state']}: only a generated statement can be confirmed")
    try:
        _library_statement(row).confirm()
    except PrepayError as e:
        raise InputError(f"statement {sid}: {e}") from None
    with db.transaction():
        db.execute("UPDATE billing_statements SET state = 'confirmed', confirmed_by = ? WHERE statement_id = ? "
                   "AND state = 'generated'", (who, int(sid)))
        audit.record(db, who, "billing.statement.confirm", f"statement:{sid}", {"closing_fen": row["closing_fen"]})


def issue(platform, sid: int, issue_date, due_date, who: str) -> int:
    """Issues a confirmed statement: the library seals it with the dates; returns the seal."""
    db = platform.db
    row = statement(db, sid)
    if row["state"] != "confirmed":
        raise InputError(f"statement is {row['state']}: confirm it before issuing")
    i = _date(issue_date, "issue_date")
    d = _date(due_date, "due_date")
    if i < _date(row["period_end"], "period_end"):
        raise InputError("issue_date: not before the period's end", "issue_date")
    if d < i:
        raise InputError("due_date: not before the issue date", "due_date")
    try:
        st = _library_statement(row)
        st.confirm()
        st.issue(i, d)
        st.verify()
    except PrepayError as e:
        raise InputError(f"statement {sid}: {e}") from None
    with db.transaction():
        db.execute("UPDATE billing_statements SET state = 'issued', issue_date = ?, due_date = ?, seal = ?, "
                   "issued_by = ? WHERE statement_id = ? AND state = 'confirmed'",
                   (i.isoformat(), d.isoformat(), int(st.seal) & 0x7FFFFFFFFFFFFFFF, who, int(sid)))
        audit.record(db, who, "billing.statement.issue", f"statement:{sid}",
                     {"issue_date": i.isoformat(), "due_date": d.isoformat()})
    return st.seal


def arrears(platform, as_of) -> list:
    """Aged arrears of the postpaid accounts from their latest issued statement: outstanding is what
    the account still owes now (the Site's debt - balance), at most the statement's closing."""
    db = platform.db
    day = _date(as_of, "as_of")
    rows = db.query("SELECT * FROM billing_statements WHERE state = 'issued' ORDER BY household_id, period_end")
    latest = {}
    for r in rows:
        latest[r["household_id"]] = r
    items_ = []
    for hid, r in sorted(latest.items()):
        owed = int(platform.money.account(hid).owed.scaleb(2))
        outstanding = max(0, min(owed, int(r["closing_fen"])))
        if outstanding:
            items_.append(B.ArrearsItem(int(hid), _date(r["due_date"], "due_date"),
                                        Decimal(outstanding).scaleb(-2), int(r["statement_id"])))
    if not items_:
        return []
    return [{"household_id": a.account_id, "not_due_fen": int(a.not_due.scaleb(2)),
             "buckets_fen": [int(b.scaleb(2)) for b in a.buckets], "total_fen": int(a.total.scaleb(2)),
             "oldest_days": a.oldest_days} for a in B.arrears(items_, day)]


def statements_csv(db) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["statement_id", "household_id", "period_start", "period_end", "state", "opening", "charges",
                "payments", "closing", "issue_date", "due_date"])
    y = lambda f: str(Decimal(int(f)).scaleb(-2))
    for r in db.query("SELECT * FROM billing_statements ORDER BY period_end, household_id"):
        w.writerow([r["statement_id"], r["household_id"], r["period_start"], r["period_end"], r["state"],
                    y(r["opening_fen"]), y(r["charges_fen"]), y(r["payments_fen"]), y(r["closing_fen"]),
                    r["issue_date"] or "", r["due_date"] or ""])
    return out.getvalue()
