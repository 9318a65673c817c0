# SPDX-License-Identifier: MIT
"""Money through the library: the settlement Site with its journal is the source of truth.

The Site is built from the database's description (tariff schemes, households with their alarm
thresholds, meters) and opened on the journal file, which recovers the ledger. Every input given
to the Site (a batch of readings, a recharge, wallet commands) is first recorded in
``site_inputs``; after a restart or a change of the description the Site is rebuilt and the
inputs re-run in order: calls already in the journal find their transfers there and change
nothing (docs/settlement.md section 7), so a restart never credits twice. Inputs still 'pending'
(the process stopped before their events were stored) get their events stored and their relay
commands sent on the re-run. Balances in the database are caches refreshed after each call."""
from __future__ import annotations

import json
import threading
from decimal import Decimal

from prepay import payment as P
from prepay import settlement as S
from prepay import wallet as W
from prepay.journal import Journal
from prepay.ledger import Ledger
from prepay.tariff import Tariff
from prepay._enums import RelayCommand, WalletInput, WalletRelay
from prepay._errors import Error as PrepayError

from . import audit, billing, clock
from .errors import InputError, NotFound

START = 946684800  # 2000-01-01 UTC: the period starts before any reading the platform can take
COMMODITY = {"electricity": S.Commodity.ELECTRICITY, "water": S.Commodity.WATER}


def _date(text: str):
    import datetime as _dt
    return _dt.date.fromisoformat(text)


def yuan(fen: int) -> Decimal:
    """fen -> Decimal yuan (exact)."""
    return Decimal(int(fen)).scaleb(-2)


def fen(amount: Decimal) -> int:
    """Decimal yuan -> fen (the library's amounts have two places)."""
    return int(Decimal(amount).scaleb(2))


class Money:
    """The site of one platform instance. ``station``: an object with the plat-field Station
    interface (``relay(meter_id, action)``) or None: commands are then only recorded."""

    def __init__(self, db, journal_path: str, station=None, make_outbox=None) -> None:
        self.db, self.journal_path, self.station = db, journal_path, station
        self.site = None
        # make_outbox() -> a new prepay.outbox.Outbox: recovered from the journal and attached to the
        # Site, so the Site's events become deliveries in the same journal batch (services/notifications).
        self.make_outbox, self.outbox, self._journal = make_outbox, None, None
        self._lock = threading.RLock()

    # ---- building the site ----
    def _policies(self, households):
        pairs = sorted({(h["alarm1_fen"], h["alarm2_fen"]) for h in households})
        policies = []
        for a1, a2 in pairs or [(2000, 1000)]:
            p = W.Policy.default()
            p.thresholds = [yuan(a1), yuan(a2)]
            p.pretrip_level = 0  # alarms warn; the relay trips at the cut-off only (no acknowledge button yet)
            policies.append(p)
        return policies, {pair: i for i, pair in enumerate(pairs)}

    def rebuild(self) -> None:
        """(Re)builds the Site from the description and re-runs every recorded input."""
        with self._lock:
            self.close()
            tariffs = self.db.query("SELECT * FROM tariffs ORDER BY number")
            if not tariffs:
                return
            numbers = {t["id"]: t["number"] for t in tariffs}
            households = self.db.query("SELECT * FROM households ORDER BY id")
            meters = self.db.query("SELECT * FROM meters ORDER BY id")
            policies, index = self._policies(households)
            n = max(64, 2 * len(households))
            bill = billing.site_config(self.db)  # charge items, groups, postpaid kinds, first period end
            site = S.Site([Tariff.loads(t["document"], origin=t["name"]) for t in tariffs],
                          period_start=bill["period_start"] or clock.local(START).date(),
                          period_end=bill["period_end"] or clock.local(START).date().replace(year=2100),
                          policies=policies, items=bill["items"], accounts=n,
                          meters=max(64, 2 * (len(meters) + len(bill["masters"]))),
                          groups=max(4, len(bill["groups"])), members=max(64, 2 * len(meters)),
                          postpaid=max(4, len(bill["kinds"])))
            for h in households:
                site.add_account(S.Account(h["id"], kind=bill["kinds"].get(h["id"], S.AccountKind.PREPAID_REMOTE),
                                           policy=index[(h["alarm1_fen"], h["alarm2_fen"])],
                                           tariff=numbers[h["tariff_id"]],
                                           water_tariff=numbers.get(h["water_tariff_id"]),
                                           area=bill["areas"].get(h["id"], 0)))
            for m in meters:
                site.add_meter(S.Meter(m["id"], account_id=m["household_id"], commodity=COMMODITY[m["commodity"]],
                                       address=m["address"] if m["commodity"] == "electricity" else None,
                                       modulus=0 if m["commodity"] == "water" else None))
            for m in bill["masters"]:
                site.add_meter(m)
            for g in bill["groups"]:
                site.add_group(g)
            # One transfer per reading: an hourly month of 1 000 meters is 720 000 transfers.
            ledger = Ledger(accounts=3 * len(households) + 16, transfers=max(1 << 20, 1000 * len(meters)))
            if self.make_outbox is not None:
                box = self.make_outbox()
                self._journal = Journal.open(self.journal_path, ledger, outbox=box)
                site.open(ledger, journal=self._journal)
                site.attach_outbox(box)
                self.outbox = box
            else:
                site.open(ledger, journal=self.journal_path)
            self.site = site
            for row in self.db.query("SELECT * FROM site_inputs ORDER BY seq"):
                payload = json.loads(row["payload"])
                result = self._apply(row["kind"], payload)
                if row["state"] == "pending":
                    self._after(row["seq"], result, "recovery", payload)
            self._cache_many(h["id"] for h in households)

    def require(self):
        """The open Site (InputError when no tariff scheme exists yet)."""
        if self.site is None:
            raise InputError("create a tariff scheme and open an account first")
        return self.site

    def close(self) -> None:
        """Closes the journal."""
        with self._lock:
            if self.site is not None:
                self.site.close()
                self.site = None
            if self._journal is not None:
                self._journal.close()
            self.outbox, self._journal = None, None

    # ---- inputs ----
    def _apply(self, kind: str, p: dict):
        site = self.require()
        if kind == "settle":
            return site.settle([S.Reading(m, clock.local(t), v) for m, t, v in p["readings"]])
        if kind == "recharge":
            return site.recharge(p["household"], yuan(p["fen"]), clock.local(p["at"]), sequence=p["sequence"])
        if kind == "refund":
            return site.refund(p["household"], yuan(p["fen"]), clock.local(p["at"]), sequence=p["sequence"],
                               order_id=p["order"])
        if kind == "commands":
            return site.set_commands(p["household"], WalletInput(p["flags"]), clock.local(p["at"]))
        if kind == "pay_create":
            return P.create(site, P.Order(p["household"], p["number"], yuan(p["fen"]), clock.local(p["created"]),
                                          clock.local(p["deadline"])))
        if kind == "pay_notify":
            return P.notify(site, int(p["order"]), yuan(p["fen"]), clock.local(p["at"]), P.ChannelStatus[p["status"]])
        if kind == "close":
            return site.close_period(_date(p["next_end"]))
        raise ValueError(f"unknown site input {kind!r}")

    def _record(self, kind: str, payload: dict, at: int) -> int:
        seq = self.db.next_id("site_inputs")
        self.db.execute("INSERT INTO site_inputs (seq, kind, payload, at) VALUES (?, ?, ?, ?)",
                        (seq, kind, json.dumps(payload, sort_keys=True), at))
        return seq

    def run(self, kind: str, payload: dict, at: int, who: str):
        """Records an input, gives it to the Site, stores its events and sends its relay commands.
        A refused input (SettlementError) is removed again: nothing changed."""
        with self._lock:
            self.require()
            with self.db.transaction():
                seq = self._record(kind, payload, at)
            try:
                result = self._apply(kind, payload)
            except (ValueError, KeyError, PrepayError) as e:  # refused by the library (e.g. a close's work area too small): nothing changed
                self.db.execute("DELETE FROM site_inputs WHERE seq = ?", (seq,))
                raise InputError(str(e)) from None
            self._after(seq, result, who, payload)
            if "household" in payload:
                self._cache(payload["household"])
            elif kind == "settle":  # charges raise no event: refresh every account the batch charged
                ids = {m for m, _, _ in payload["readings"]}
                self._cache_many(self.site.meter(m).account_id for m in ids)
            return result

    def _after(self, seq: int, result, who: str, payload: dict | None = None) -> None:
        if not hasattr(result, "events"):  # an order created: no events, nothing to send
            self.db.execute("UPDATE site_inputs SET state = 'done' WHERE seq = ?", (seq,))
            return
        touched = set()
        commands = []
        with self.db.transaction():
            for e in result.events:
                touched.add(e.account_id)
                if e.type == S.EventType.COMMAND and e.command is not None:
                    commands.append(e)
                if self.db.one("SELECT id FROM events WHERE id = ?", (format(e.id, "032x"),)):
                    continue
                self.db.execute("INSERT INTO events (id, type, at, household_id, meter_id, balance_fen, amount_fen, "
                                "energy, level, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                (format(e.id, "032x"), e.type.name, clock.epoch(e.time), e.account_id, e.meter_id,
                                 fen(e.balance), fen(e.amount), e.energy, e.level,
                                 e.command.name if e.command is not None else ""))
            if payload is not None:
                billing.record_result(self.db, payload, result)  # a close's statements and shares
            self.db.execute("UPDATE site_inputs SET state = 'done' WHERE seq = ?", (seq,))
        for e in commands:
            action = "trip" if e.command == RelayCommand.TRIP else "close"
            for m in self.db.query("SELECT id FROM meters WHERE household_id = ? AND commodity = 'electricity'",
                                   (e.account_id,)):
                self.relay(m["id"], action, f"wallet {e.reason.name.lower()}", who)
        self._cache_many(touched)

    def relay(self, meter_id: int, action: str, cause: str, who: str) -> dict:
        """Sends a relay action through the station (or records it when there is none) and audits it."""
        ok, message = True, "recorded (no station)"
        if self.station is not None:
            try:
                r = self.station.relay(meter_id, action)
                ok = bool(getattr(r, "ok", True))
                message = str(getattr(r, "error", None) or getattr(r, "message", None) or ("ok" if ok else "failed"))
            except Exception as e:  # an offline meter must not lose the record of the command
                ok, message = False, f"station: {e}"
        with self.db.transaction():
            rid = self.db.next_id("relay_commands")
            at = clock.now()
            self.db.execute("INSERT INTO relay_commands (id, meter_id, action, cause, ok, message, at, by_user) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (rid, meter_id, action, cause, int(ok), message, at, who))
            if ok and action in ("trip", "close"):
                self.db.execute("UPDATE meters SET relay_closed = ? WHERE id = ?", (int(action == "close"), meter_id))
            audit.record(self.db, who, f"relay.{action}", f"meter:{meter_id}", {"cause": cause, "ok": ok,
                                                                                 "message": message}, at)
        return {"id": rid, "meter_id": meter_id, "action": action, "ok": ok, "message": message}

    def _cache(self, hid: int) -> None:
        self._cache_many([hid])

    def _cache_many(self, hids) -> None:
        """Refreshes the balance cache of these households from the Site (one statement batch)."""
        rows = []
        now = clock.now()
        for hid in sorted(set(hids)):
            try:
                v = self.site.account(hid)
            except KeyError:
                continue
            keep = int(bool(v.commands & WalletInput.KEEP_POWER))
            rows.append((fen(v.balance), fen(v.debt), v.level, int(v.relay == WalletRelay.OPEN), keep, now, hid))
        with self.db.transaction():
            have = {r["household_id"] for r in self.db.query("SELECT household_id FROM balances")}
            self.db.execute_many("INSERT INTO balances (balance_fen, debt_fen, level, relay_open, keep_power, updated_at, "
                                 "household_id) VALUES (?, ?, ?, ?, ?, ?, ?)", [r for r in rows if r[-1] not in have])
            self.db.execute_many("UPDATE balances SET balance_fen = ?, debt_fen = ?, level = ?, relay_open = ?, "
                                 "keep_power = ?, updated_at = ? WHERE household_id = ?", [r for r in rows if r[-1] in have])

    # ---- views ----
    def account(self, hid: int):
        """The Site's view of a household's account."""
        try:
            return self.require().account(hid)
        except KeyError:
            raise NotFound(f"account {hid}") from None

    def verify(self) -> None:
        """The library's cross-check of the site against its ledger."""
        self.require().verify()
