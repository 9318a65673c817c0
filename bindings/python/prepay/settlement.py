# SPDX-License-Identifier: MIT
"""Settlement: meter readings to priced charges, ledger transfers, wallet decisions and events
(include/prepay/settlement.h, docs/settlement.md).

A :class:`Site` holds accounts, meters, allocation groups, tariffs, wallet policies and charge
items; opened on a :class:`prepay.ledger.Ledger` (optionally with a journal file for durability)
it settles readings (register values or DL/T 645 reply frames), recharges, wallet commands, meter
replacements and period closes. Every call is all or nothing: a refused input raises
:class:`prepay.SettlementError` (also a ``ValueError`` or ``KeyError``) naming the item, and nothing
changed. Every input is idempotent: settling the same readings again, repeating a recharge or a
close finds its transfers in the ledger and changes nothing.

Money is Decimal yuan, energy int Wh (water: L), times naive local datetimes (or aware ones with the
site's ``zone``). Transfer ids follow the one settlement id scheme (:func:`transfer_id`); use it for
your own transfers too::

    site = Site([tariff], period_start=date(2024, 1, 1), period_end=date(2024, 2, 1))
    site.add_account(Account(1))
    site.add_meter(Meter(11, account_id=1))
    site.open(Ledger())
    site.recharge(1, Decimal("50.00"), at=datetime(2024, 1, 10))
    for event in site.settle([Reading(11, datetime(2024, 1, 10), 0), Reading(11, datetime(2024, 1, 10, 1), 10000)]):
        print(event)
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from . import c_api as _c
from ._enums import (RelayCommand, ResidualPolicy, SettlementAccountKind, SettlementCommodity, SettlementEvent,
                     SettlementKind, SettlementMethod, SettlementOutcome, SettlementRole, SettlementSiteRole,
                     StatementLineKind, StatementState, Vacancy, WalletInput, WalletReason, WalletRelay)
from ._errors import SettlementError, check, error_for
from ._units import (DecimalLike, TimeLike, _parse, check_zone, fen_to_yuan, from_days, from_time, to_days, to_time,
                     yuan_to_fen)
from .billing import ChargeItem
from .dlt645 import Address
from .journal import Journal
from .ledger import Ledger
from .tariff import Tariff
from .wallet import Policy

__all__ = ["Account", "Meter", "Group", "Member", "Reading", "Event", "Outcome", "Result", "Split", "RechargeResult",
           "StatementLine", "Statement", "AccountView", "MeterView", "Site", "settlement_id", "split_id",
           "transfer_id", "split_transfer_id", "ledger_account_id", "event_name",
           "AccountKind", "Commodity", "Method", "EventType", "OutcomeKind", "IdKind", "Role", "SiteRole",
           "NONE", "DLT645_MODULUS"]

AccountKind = SettlementAccountKind
Commodity = SettlementCommodity
Method = SettlementMethod
EventType = SettlementEvent
OutcomeKind = SettlementOutcome
IdKind = SettlementKind
Role = SettlementRole
SiteRole = SettlementSiteRole

#: "none" for a tariff number (PREPAY_SETTLEMENT_NONE16).
NONE = _c.PREPAY_SETTLEMENT_NONE16
#: The default register modulus: DL/T 645 energy is XXXXXX.XX kWh, so 10^9 Wh.
DLT645_MODULUS = _c.PREPAY_SETTLEMENT_DLT645_MODULUS
_NO_INDEX = _c.PREPAY_SETTLEMENT_NONE
_DEFAULT_DI = 0x00010000  # PREPAY_DI_FORWARD_ACTIVE_TOTAL (a macro SWIG does not evaluate): DL/T 645-2007 00 01 00 00


# ---- ids --------------------------------------------------------------------------------------------

def settlement_id(kind: int, subject: int, period: int, sequence: int = 0) -> int:
    """The 128-bit settlement id of (kind, subject, period, sequence) as an int (``hi << 64 | lo``).
    A packing, never a hash: distinct tuples give distinct ids (docs/settlement.md section 4)."""
    status, hi, lo = _c.pyprepay_settlement_id(int(kind), int(subject), int(period), int(sequence))
    check(status, f"settlement id ({kind}, {subject}, {period}, {sequence})")
    return hi << 64 | lo


def split_id(value: int) -> Tuple[IdKind, int, int, int]:
    """(kind, subject, period, sequence) of a 128-bit settlement id (the inverse of :func:`settlement_id`)."""
    if not 0 <= value < 1 << 128:
        raise error_for(_c.PREPAY_E_OUT_OF_RANGE, f"settlement id {value} is not 128-bit")
    kind, subject, period, sequence = _c.pyprepay_settlement_id_split(value >> 64, value & (1 << 64) - 1)
    return (IdKind(kind) if kind in IdKind._value2member_map_ else kind), subject, period, sequence


def transfer_id(kind: int, subject: int, period: Union[int, TimeLike], sequence: int = 0) -> int:
    """The ledger transfer id (64-bit key) of a settlement id: what every caller uses as a transfer id.

    ``kind`` an :class:`IdKind` (1..31), ``subject`` the account or meter id (1..2^27-1), ``period`` the
    kind's period (a reading time may be given as a datetime), ``sequence`` as the kind says. Ranges
    outside the documented ones are refused (SettlementError ID_RANGE), never folded."""
    if not isinstance(period, int) or isinstance(period, bool):
        period = to_time(period)
    status, hi, lo = _c.pyprepay_settlement_id(int(kind), int(subject), int(period), int(sequence))
    check(status, f"settlement id ({kind}, {subject}, {period}, {sequence})")
    status, key = _c.pyprepay_settlement_key(hi, lo)
    check(status, f"ledger key of ({kind}, {subject}, {period}, {sequence})")
    return key


def split_transfer_id(key: int) -> Tuple[IdKind, int, int, int]:
    """(kind, subject, period, sequence) of a ledger transfer id made by :func:`transfer_id`."""
    status, hi, lo = _c.pyprepay_settlement_key_split(int(key))
    check(status, f"transfer id {key}")
    return split_id(hi << 64 | lo)


def ledger_account_id(account_id: int, role: int) -> int:
    """The ledger account id of a site account's role (``account_id << 8 | role``); account 0 holds the
    site's accounts (:class:`SiteRole`: clearing, revenue, common area, ...)."""
    return _c.prepay_settlement_ledger_account_id(int(account_id), int(role))


def event_name(event_type: int) -> str:
    """The name of an event type (``"CUTOFF"``, ...)."""
    return _c.prepay_settlement_event_name(int(event_type))


def _area(value: DecimalLike) -> int:
    return _parse(value, 2, "area (m2, at most 2 decimals)")


def _days(value) -> int:
    if value is None:
        raise TypeError("a date is required")
    return to_days(value)


# ---- configuration ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    """An account of the site. ``tariff``/``water_tariff``: tariff numbers (indexes in the site's tariffs)
    or None; ``area`` built area in m2 (Decimal, 2 places); money Decimal yuan."""
    id: int
    kind: AccountKind = AccountKind.PREPAID_REMOTE
    policy: int = 0
    tariff: Optional[int] = 0
    water_tariff: Optional[int] = None
    area: DecimalLike = Decimal("0")
    units: int = 0
    active_from: Optional[Union[int, _dt.date]] = None
    active_to: Optional[Union[int, _dt.date]] = None
    max_balance: DecimalLike = Decimal("0")
    opening: DecimalLike = Decimal("0")
    vacant: bool = False


@dataclass(frozen=True)
class Meter:
    """A meter: billing ``account_id`` (0: a site meter such as a master meter, only allocated).
    ``tariff`` None: the account's tariff for the commodity; ``address`` the 6-byte DL/T 645 address
    (bytes, or a 12-digit string as printed on the meter) for reply frames; ``modulus`` the register's
    rollover modulus in Wh (None: DL/T 645's 10^9 Wh, 0: never rolls over); ``max_power`` W (0: none);
    ``initial`` (time, register) at installation."""
    id: int
    account_id: int = 0
    commodity: Commodity = Commodity.ELECTRICITY
    tariff: Optional[int] = None
    di: int = _DEFAULT_DI
    address: Optional[Union[bytes, str, Address]] = None
    modulus: Optional[int] = None
    max_power: int = 0
    initial: Optional[Tuple[TimeLike, int]] = None


@dataclass(frozen=True)
class Member:
    """A sub-meter of a group; ``ratio`` its weight under :attr:`Method.RATIO`."""
    meter_id: int
    ratio: int = 0


@dataclass(frozen=True)
class Group:
    """A common-area allocation group: master meter minus sub-meters, priced by ``tariff`` and split."""
    number: int
    master_meter_id: int
    members: Sequence[Union[int, Member]] = ()
    method: Method = Method.AREA
    tariff: int = 0
    residual_policy: ResidualPolicy = ResidualPolicy.CLAMP
    vacancy: Vacancy = Vacancy.OWNER
    owner_account_id: int = 0
    by_days: bool = False
    owner_pays_unoccupied: bool = False


@dataclass(frozen=True)
class Reading:
    """A register reading: ``value`` Wh (L) of meter ``meter_id`` at ``time``; ``di`` 0: the meter's register."""
    meter_id: int
    time: TimeLike
    value: int
    di: int = 0


# ---- results ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    """An event of a call (docs/settlement.md section 3). ``id`` the deterministic 128-bit id (dedupe
    key of an outbox); money Decimal yuan; ``command`` the relay command of COMMAND events."""
    id: int
    type: EventType
    time: _dt.datetime
    account_id: int
    meter_id: int
    balance: Decimal
    amount: Decimal
    detail: Decimal
    energy: int
    transfer_id: int
    level: int
    from_level: int
    command: Optional[RelayCommand]
    reason: WalletReason
    relay: WalletRelay

    @classmethod
    def _from(cls, t) -> "Event":
        hi, lo, time, balance, amount, detail, energy, transfer, account, meter, typ, level, from_level, command, \
            reason, relay = t
        return cls(hi << 64 | lo, EventType(typ), from_time(time), account, meter, fen_to_yuan(balance),
                   fen_to_yuan(amount), fen_to_yuan(detail), energy, transfer, level, from_level,
                   RelayCommand(command) if command else None, WalletReason(reason), WalletRelay(relay))

    @property
    def name(self) -> str:
        """The event type's name."""
        return self.type.name

    def __str__(self) -> str:
        """One readable line: time, type, account/meter and the figures that matter for the type."""
        who = f"account {self.account_id}" + (f" meter {self.meter_id}" if self.meter_id else "")
        extra = f" {self.command.name}" if self.command is not None else ""
        if self.type in (EventType.RECHARGE, EventType.DEBT_CREATED, EventType.DEBT_REPAID, EventType.SHARE,
                         EventType.CHARGE, EventType.EMERGENCY, EventType.STATEMENT):
            extra += f" amount {self.amount}"
        if self.type in (EventType.ALARM_LEVEL, EventType.LOW_BALANCE):
            extra += f" level {self.from_level}->{self.level}"
        return f"{self.time:%Y-%m-%d %H:%M} {self.type.name:<16} {who}{extra} balance {self.balance}"


@dataclass(frozen=True)
class Outcome:
    """What happened to one reading (input order)."""
    reading: Reading
    kind: OutcomeKind


@dataclass(frozen=True)
class StatementLine:
    """One line of a postpaid statement (money Decimal yuan, energy Wh)."""
    kind: StatementLineKind
    band: int
    tier: int
    energy: int
    amount: Decimal
    reference: int
    date: _dt.date


@dataclass(frozen=True)
class Statement:
    """An issued postpaid statement handed out by a period close."""
    statement_id: int
    account_id: int
    period_start: _dt.date
    period_end: _dt.date
    issue_date: _dt.date
    due_date: _dt.date
    opening: Decimal
    charges: Decimal
    payments: Decimal
    closing: Decimal
    state: StatementState
    lines: Tuple[StatementLine, ...]

    @classmethod
    def _from(cls, t) -> "Statement":
        sid, account, ps, pe, issue, due, opening, charges, payments, closing, state, lines = t
        return cls(sid, account, from_days(ps), from_days(pe), from_days(issue), from_days(due), fen_to_yuan(opening),
                   fen_to_yuan(charges), fen_to_yuan(payments), fen_to_yuan(closing), StatementState(state),
                   tuple(StatementLine(StatementLineKind(k), b, ti, en, fen_to_yuan(a), ref, from_days(d))
                         for k, b, ti, en, a, ref, d in lines))


@dataclass(frozen=True)
class Result:
    """The result of one call: its events and statements (iterate it for the events), outcomes of a
    settle call, and the counts. ``repeat`` is True when the call was a harmless repeat (everything
    it would post was already in the ledger)."""
    events: Tuple[Event, ...]
    statements: Tuple[Statement, ...] = ()
    outcomes: Tuple[Outcome, ...] = ()
    count: int = 0
    settled: int = 0
    primed: int = 0
    ignored: int = 0
    anomalies: int = 0
    transfers: int = 0
    existed: int = 0
    posted: Decimal = Decimal("0.00")
    repeat: bool = False

    def __iter__(self) -> Iterator[Event]:
        """Iterates the call's events in order."""
        return iter(self.events)

    def __len__(self) -> int:
        """Number of events."""
        return len(self.events)

    def of_type(self, *types: EventType) -> List[Event]:
        """The events of the given types."""
        return [e for e in self.events if e.type in types]


@dataclass(frozen=True)
class Split:
    """How a recharge was used: repaid emergency credit, repaid debt, credited to the balance (a local
    meter must be sent ``to_balance``)."""
    to_emergency: Decimal
    to_debt: Decimal
    to_balance: Decimal


@dataclass(frozen=True)
class RechargeResult(Result):
    """A recharge's result with its :class:`Split` and ``sequence``."""
    split: Split = Split(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    sequence: int = 0


@dataclass(frozen=True)
class AccountView:
    """An account as the site sees it now (money Decimal yuan). ``owed`` is what a postpaid account
    owes (debt - balance)."""
    id: int
    kind: AccountKind
    vacant: bool
    policy: int
    area: Decimal
    units: int
    balance: Decimal
    debt: Decimal
    emergency: Decimal
    recharged: Decimal
    energy: Decimal
    shares: Decimal
    items: Decimal
    debt_created: Decimal
    debt_repaid: Decimal
    emergency_granted: Decimal
    emergency_repaid: Decimal
    recharges: int
    level: int
    relay: WalletRelay
    commands: WalletInput
    meter_ids: Tuple[int, ...]
    refunded: Decimal = Decimal("0.00")
    refunds: int = 0
    sold: Decimal = Decimal("0.00")
    sales: int = 0

    @property
    def owed(self) -> Decimal:
        """debt - balance (what a postpaid account owes; negative: in credit)."""
        return self.debt - self.balance


@dataclass(frozen=True)
class MeterView:
    """A meter as the site sees it now: its last settled reading (``time`` None before the first)."""
    id: int
    account_id: int
    commodity: Commodity
    di: int
    address: Optional[bytes]
    modulus: int
    max_power: int
    time: Optional[_dt.datetime]
    reading: int
    total: int


def _address(value) -> Optional[bytes]:
    """A DL/T 645 address as its 6 wire bytes from a :class:`prepay.dlt645.Address`, the 6 wire bytes or
    the 12-digit text printed on the meter."""
    if value is None:
        return None
    return Address.parse(value).wire


# ---- the site ---------------------------------------------------------------------------------------

class Site:
    """A settlement site on its own memory.

    ``tariffs``: :class:`prepay.tariff.Tariff` objects, numbered by position (a ``(tariff, version)``
    pair sets the version copied into its transfers; default 1); ``policies``: wallet
    :class:`prepay.wallet.Policy` objects (default: one default policy); ``items``: charge items run
    at each period close; ``period_start``/``period_end``: the first period (midnights);
    ``gap``: a reading interval longer than this raises a GAP event; ``zone``: the zone of the
    tariffs' local time for aware datetimes (default: the tariffs' own :attr:`Tariff.zone`).
    Capacities (``accounts``, ``meters``, ``groups``, ``members``, ``postpaid``) size the memory.
    """

    def __init__(self, tariffs: Sequence[Union[Tariff, Tuple[Tariff, int]]], *,
                 period_start: Union[_dt.date, TimeLike], period_end: Union[_dt.date, TimeLike],
                 policies: Optional[Sequence[Policy]] = None, items: Sequence[ChargeItem] = (),
                 gap: Optional[_dt.timedelta] = None, due_days: int = 0,
                 restore_command: RelayCommand = RelayCommand.CLOSE_ALLOWED, zone: Optional[_dt.tzinfo] = None,
                 accounts: int = 1024, meters: int = 1024, groups: int = 16, members: int = 1024,
                 postpaid: int = 64) -> None:
        """Sizes and initialises the site (SettlementError BAD_CONFIG etc. for a bad configuration)."""
        pairs = [t if isinstance(t, tuple) else (t, 1) for t in tariffs]
        for t, _ in pairs:
            if not isinstance(t, Tariff):
                raise TypeError(f"tariffs must be prepay.tariff.Tariff objects, not {type(t).__name__}")
        self._tariffs = [t for t, _ in pairs]  # keeps the documents the plans point into alive
        zones = {id(t.zone): t.zone for t in self._tariffs if t.zone is not None}
        self.zone = check_zone(zone) if zone is not None else (next(iter(zones.values())) if len(zones) == 1 else None)
        self.policies = list(policies) if policies is not None else [Policy.default()]
        self.items = list(items)
        self._s = _c.pyprepay_site_t()
        gap_seconds = 0 if gap is None else int(gap.total_seconds())
        status = _c.pyprepay_site_setup(self._s, accounts, meters, groups, members, postpaid,
                                        [t._plan for t in self._tariffs], [int(v) for _, v in pairs],
                                        [p._c() for p in self.policies], [i._c() for i in self.items],
                                        self._time(period_start), self._time(period_end), gap_seconds, int(due_days),
                                        int(restore_command))
        self._check(status, "site configuration")
        self.ledger: Optional[Ledger] = None
        self.journal: Optional[Journal] = None
        self._own_journal = False
        self.outbox = None  # the attached prepay.outbox.Outbox (attach_outbox)

    # ---- helpers ----
    def _time(self, value: TimeLike) -> int:
        return to_time(value, self.zone)

    def _check(self, status: int, what: str = "", index_names: Optional[Sequence[str]] = None) -> int:
        if status >= 0:
            return status
        r = _c.pyprepay_site_last_result(self._s)
        index, err_id, detail = r[9], r[10], r[11]
        parts = [what] if what else []
        if index != _NO_INDEX and index_names is not None and index < len(index_names):
            parts.append(index_names[index])
        elif index != _NO_INDEX and index_names is not None:
            parts.append(f"input {index}")
        if err_id:
            parts.append(f"id {err_id}")
        if detail:
            parts.append(f"cause: {_c.prepay_strerror(detail)}")
        raise error_for(status, ", ".join(parts) if parts else None)

    def _result(self, out, cls=Result, **extra) -> Result:
        status, events, statements, r, _ = out
        count, settled, primed, ignored, anomalies, transfers, existed, _n, posted = r[:9]
        return cls(tuple(Event._from(e) for e in events), tuple(Statement._from(s) for s in statements),
                   extra.pop("outcomes", ()), count, settled, primed, ignored, anomalies, transfers, existed,
                   fen_to_yuan(posted), status == _c.PREPAY_LEDGER_EXISTS or (transfers == 0 and existed > 0), **extra)

    def _ready(self) -> None:
        """Refuses a call on a site whose journal was closed (its file handle is gone)."""
        if self.journal is not None and self.journal.closed:
            raise error_for(_c.PREPAY_E_SETTLEMENT_NOT_OPEN, "the site's journal is closed")

    def _call(self, out, what: str, names: Optional[Sequence[str]] = None):
        if out[0] < 0:
            self._check(out[0], what, names)
        self._after_call()
        return out

    def _after_call(self) -> None:
        """Raises OutboxError if the attached outbox could not record an event of the call just made
        (the books were posted: size the outbox so it never fills)."""
        if self.outbox is not None:
            self.outbox._check_sink()

    def attach_outbox(self, outbox) -> None:
        """Attaches a :class:`prepay.outbox.Outbox` (None detaches): every event of every later call is
        recorded in it before the call commits, in the same journal batch as the call's transfers when
        the outbox is bound to the site's journal (open the journal with ``Journal.open(...,
        outbox=outbox)`` to recover it after a crash, and attach it after :meth:`open`). An outbox bound to a
        journal the site does not write to is refused (ValueError); a memory-only outbox goes with any site."""
        status = _c.pyprepay_site_attach_outbox(self._s, outbox._o if outbox is not None else None)
        check(status, "outbox of another journal" if status == _c.PREPAY_E_INVALID_ARGUMENT else "outbox")
        if outbox is not None:
            outbox._check_sink(reset=True)
        self.outbox = outbox

    # ---- building ----
    def add_account(self, account: Account) -> None:
        """Adds an account (SettlementError: duplicate id, unknown tariff or policy, ...; nothing added)."""
        a = account
        tariff = NONE if a.tariff is None else int(a.tariff)
        water = NONE if a.water_tariff is None else int(a.water_tariff)
        active_from = -(2 ** 31) if a.active_from is None else _days(a.active_from)
        active_to = 2 ** 31 - 1 if a.active_to is None else _days(a.active_to)
        tariff_account = None
        if a.tariff is not None and 0 <= a.tariff < len(self._tariffs):
            tariff_account = self._tariffs[a.tariff]._account
        status = _c.pyprepay_site_add_account(self._s, a.id, int(a.kind), int(bool(a.vacant)), a.policy, tariff, water,
                                              _area(a.area), int(a.units), active_from, active_to,
                                              yuan_to_fen(a.max_balance), yuan_to_fen(a.opening), tariff_account)
        self._check(status, f"account {a.id}")

    def add_meter(self, meter: Meter) -> None:
        """Adds a meter (SettlementError: duplicate id, unknown account, a tariff of the other commodity, ...)."""
        m = meter
        flags, itime, ireading = 0, 0, 0
        if m.initial is not None:
            flags = _c.PREPAY_SETTLEMENT_METER_INITIAL
            itime, ireading = self._time(m.initial[0]), int(m.initial[1])
        modulus = DLT645_MODULUS if m.modulus is None else int(m.modulus)
        status = _c.pyprepay_site_add_meter(self._s, m.id, m.account_id, int(m.di), NONE if m.tariff is None else m.tariff,
                                            int(m.commodity), flags, _address(m.address), modulus, int(m.max_power),
                                            itime, ireading)
        self._check(status, f"meter {m.id}")

    def add_group(self, group: Group) -> None:
        """Adds an allocation group and its members (SettlementError GROUP / BAD_REFERENCE ...)."""
        g = group
        flags = (_c.PREPAY_SETTLEMENT_GROUP_BY_DAYS if g.by_days else 0) | \
            (_c.PREPAY_SETTLEMENT_GROUP_OWNER_PAYS_UNOCCUPIED if g.owner_pays_unoccupied else 0)
        status = _c.pyprepay_site_add_group(self._s, g.number, int(g.method), int(g.residual_policy), int(g.vacancy),
                                            flags, g.tariff, g.master_meter_id, g.owner_account_id)
        self._check(status, f"group {g.number}")
        for m in g.members:
            member = m if isinstance(m, Member) else Member(int(m))
            self._check(_c.pyprepay_site_add_member(self._s, g.number, member.meter_id, int(member.ratio)),
                        f"group {g.number} member {member.meter_id}")

    # ---- books ----
    def open(self, ledger: Optional[Ledger] = None, journal: Optional[Union[Journal, str, os.PathLike]] = None,
             readings_per_call: int = 1024) -> "Site":
        """Opens the books: creates the ledger accounts (idempotent) on ``ledger`` (default: a new one
        sized for the site). ``journal``: an open :class:`prepay.journal.Journal` of that ledger, or a
        path: the journal file is opened (created if missing) and recovered into the ledger first, and
        every later call is one durable batch. Re-open after a crash with the same site description
        and re-run the inputs: calls already in the journal find their transfers (docs/settlement.md 7)."""
        if self.ledger is not None:
            raise error_for(_c.PREPAY_E_BAD_STATE, "the site is already open")
        if ledger is None:
            n = len(list(self.account_ids()))
            ledger = Ledger(accounts=3 * n + 16, transfers=max(65536, 64 * n))
        own = False
        if journal is not None and not isinstance(journal, Journal):
            journal = Journal.open(os.fspath(journal), ledger)
            own = True
        if isinstance(journal, Journal) and journal.ledger is not ledger:
            raise error_for(_c.PREPAY_E_INVALID_ARGUMENT, "the journal belongs to another ledger")
        status = _c.pyprepay_site_open(self._s, ledger._l, journal._j if journal is not None else None,
                                       int(readings_per_call))
        if status < 0:
            if own:
                journal.close()
            self._check(status, "open")
        self.ledger, self.journal, self._own_journal = ledger, journal, own
        return self

    def close(self) -> None:
        """Closes the journal the site opened itself (idempotent); the site stays readable."""
        if self._own_journal and self.journal is not None:
            self.journal.close()
            self._own_journal = False

    def __enter__(self) -> "Site":
        """Context manager: closes the site's own journal at the end."""
        return self

    def __exit__(self, *exc) -> None:
        """Closes the site's own journal."""
        self.close()

    # ---- inputs ----
    def settle(self, readings: Iterable[Union[Reading, Tuple[int, TimeLike, int]]]) -> Result:
        """Settles a batch of readings (:class:`Reading` or ``(meter_id, time, value)``) in one call: any
        arrival order, duplicates and late readings are harmless; a bad reading (unknown meter, another
        register's DI, a conflicting value, a value beyond the modulus) raises naming it and changes
        nothing. The result's ``outcomes`` say what happened to each reading."""
        self._ready()
        batch = [r if isinstance(r, Reading) else Reading(*r) for r in readings]
        rows = [(r.meter_id, r.di, self._time(r.time), int(r.value)) for r in batch]
        out = self._call(_c.pyprepay_site_settle(self._s, rows), "reading",
                         [f"reading {i} (meter {r.meter_id} at {r.time})" for i, r in enumerate(batch)])
        outcomes = tuple(Outcome(r, OutcomeKind(o)) for r, o in zip(batch, out[4]))
        return self._result(out, outcomes=outcomes)

    def reading_from_reply(self, frame: bytes, at: TimeLike) -> Reading:
        """The reading of a DL/T 645 reply frame (wire bytes, any FE preamble), the meter found by its
        address; SettlementError REPLY (not a valid frame, or no value), UNKNOWN_METER, WRONG_DI."""
        status, reading, detail = _c.pyprepay_site_decode_reply(self._s, frame, self._time(at))
        if status < 0:
            raise error_for(status, f"reply {bytes(frame).hex()}" + (f": {_c.prepay_strerror(detail)}" if detail else ""))
        meter, di, t, value = reading
        return Reading(meter, from_time(t), value, di)

    def settle_replies(self, replies: Iterable[Tuple[bytes, TimeLike]]) -> Result:
        """Decodes ``(frame, time)`` reply frames and settles them as one batch (nothing settles if one
        frame is bad)."""
        return self.settle([self.reading_from_reply(f, t) for f, t in replies])

    def recharge(self, account_id: int, amount: DecimalLike, at: TimeLike, sequence: Optional[int] = None,
                 order_id: int = 0, pending_id: int = 0) -> RechargeResult:
        """Credits a recharge: repays emergency credit, then debt, then tops up (:class:`Split`), and
        decides the relay (a restore). ``sequence``: the account's recharge number (default: the next);
        repeating a sequence with the same amount is a harmless repeat returning the recorded split
        (``repeat`` True); another amount is a conflict (SettlementError CONFLICT)."""
        self._ready()
        if sequence is None:
            view = self.account(account_id)
            sequence = view.recharges + 1
        out = self._call(_c.pyprepay_site_recharge(self._s, account_id, int(sequence), yuan_to_fen(amount),
                                                   int(order_id), int(pending_id), self._time(at)),
                         f"recharge {sequence} of account {account_id}")
        e, d, b, _ = out[4]
        return self._result(out, RechargeResult, split=Split(fen_to_yuan(e), fen_to_yuan(d), fen_to_yuan(b)),
                            sequence=int(sequence))

    def refund(self, account_id: int, amount: DecimalLike, at: TimeLike, sequence: Optional[int] = None,
               order_id: int = 0) -> Result:
        """Pays a refund out of the account's wallet back to the payment channel (wallet -> site REFUNDS):
        at most the refundable balance (the balance less emergency credit owed; SettlementError BOOKS,
        cause ``ledger_exceeds_refundable``, nothing changed), then the wallet decision as after a charge
        (alarm, cut-off: the result's events). ``sequence``: the account's refund number (default: the
        next); repeating it with the same amount is a harmless repeat (``repeat`` True), another amount a
        conflict. ``order_id``: the refund order, kept in the transfer. Pay the channel once this returned."""
        self._ready()
        if sequence is None:
            sequence = self.account(account_id).refunds + 1
        out = self._call(_c.pyprepay_site_refund(self._s, int(account_id), int(sequence), yuan_to_fen(amount),
                                                 int(order_id), self._time(at)),
                         f"refund {sequence} of account {account_id}")
        return self._result(out)

    def sell(self, account_id: int, amount: DecimalLike, at: TimeLike, commodity: Commodity = Commodity.WATER,
             sequence: Optional[int] = None, order_id: int = 0) -> Result:
        """Sells ``amount`` of ``commodity`` to a meter that keeps its own purse (a prepaid local account's
        water meter in money mode, ...): wallet -> the commodity's site revenue, then the wallet decision as
        after a charge. Only prepaid local accounts sell (SettlementError BAD_CONFIG for remote and postpaid:
        their purse is the wallet); the wallet must cover all of it (SettlementError BOOKS, cause
        ``ledger_exceeds_credits``, nothing changed). ``sequence``: the account's sale number (default: the
        next); repeating it with the same amount is a harmless repeat (``repeat`` True), another amount a
        conflict. ``order_id``: the purchase, kept in the transfer. Send the amount to the meter once this
        returned."""
        self._ready()
        if sequence is None:
            sequence = self.account(account_id).sales + 1
        out = self._call(_c.pyprepay_site_sell(self._s, int(account_id), int(sequence), int(commodity),
                                               yuan_to_fen(amount), int(order_id), self._time(at)),
                         f"sale {sequence} of account {account_id}")
        return self._result(out)

    def set_commands(self, account_id: int, commands: WalletInput, at: TimeLike) -> Result:
        """Sets the wallet input commands in force for an account (:class:`prepay.WalletInput`: manual
        trip, keep power, acknowledge, ...) and decides its relay."""
        self._ready()
        out = self._call(_c.pyprepay_site_set_commands(self._s, account_id, int(commands), self._time(at)),
                         f"commands of account {account_id}")
        return self._result(out)

    def replace_meter(self, meter_id: int, at: TimeLike, final_reading: int, initial_reading: int,
                      modulus: int = 0) -> Result:
        """Replaces a meter's register: the old register's ``final_reading`` is settled at ``at``, then the
        meter reads the new register from ``initial_reading`` (``modulus`` 0: keep the old one's).
        Repeating it is harmless; another replacement at that time is a conflict."""
        self._ready()
        out = self._call(_c.pyprepay_site_replace_meter(self._s, meter_id, self._time(at), int(final_reading),
                                                        int(initial_reading), int(modulus)),
                         f"replacement of meter {meter_id}")
        return self._result(out)

    def close_period(self, next_end: Union[_dt.date, TimeLike]) -> Result:
        """Closes the open period (common-area shares, charge items, postpaid statements) and opens
        ``[period_end, next_end)``. Repeating a close is harmless (``repeat`` True)."""
        self._ready()
        out = self._call(_c.pyprepay_site_close_period(self._s, self._time(next_end)), "period close")
        return self._result(out)

    # ---- views ----
    @property
    def period(self) -> Tuple[_dt.datetime, _dt.datetime]:
        """The open period [start, end)."""
        start, end, _ = _c.pyprepay_site_period(self._s)
        return from_time(start), from_time(end)

    @property
    def periods_closed(self) -> int:
        """Periods closed so far."""
        return _c.pyprepay_site_period(self._s)[2]

    def account(self, account_id: int) -> AccountView:
        """The view of an account (SettlementError UNKNOWN_ACCOUNT, also a KeyError)."""
        t = _c.pyprepay_site_account(self._s, int(account_id))
        if t is None:
            raise error_for(_c.PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT, f"account {account_id}")
        (aid, kind, flags, policy, area, units, _af, _at, _mb, balance, debt, emergency, recharged, energy, shares,
         items, debt_created, debt_repaid, granted, repaid, recharges, level, relay, commands, _te, _tw, refunded,
         refunds, sold, sales) = t
        return AccountView(aid, AccountKind(kind), bool(flags & _c.PREPAY_SETTLEMENT_ACCOUNT_VACANT), policy,
                           Decimal(area).scaleb(-2), units, *(fen_to_yuan(x) for x in (
                               balance, debt, emergency, recharged, energy, shares, items, debt_created, debt_repaid,
                               granted, repaid)),
                           recharges, level, WalletRelay(relay), WalletInput(commands),
                           tuple(_c.pyprepay_site_meter_ids(self._s, aid)), fen_to_yuan(refunded), refunds,
                           fen_to_yuan(sold), sales)

    def meter(self, meter_id: int) -> MeterView:
        """The view of a meter (SettlementError UNKNOWN_METER, also a KeyError)."""
        t = _c.pyprepay_site_meter(self._s, int(meter_id))
        if t is None:
            raise error_for(_c.PREPAY_E_SETTLEMENT_UNKNOWN_METER, f"meter {meter_id}")
        mid, account, di, commodity, _tariff, address, modulus, max_power, time, reading, total = t
        primed = time != 0 or reading != 0 or total != 0
        return MeterView(mid, account, Commodity(commodity), di, address if any(address) else None, modulus, max_power,
                         from_time(time) if primed else None, reading, total)

    def account_ids(self) -> Iterator[int]:
        """Iterates the account ids in the order they were added."""
        return iter(_c.pyprepay_site_account_ids(self._s))

    def accounts(self) -> Iterator[AccountView]:
        """Iterates the accounts' views in the order they were added."""
        return (self.account(i) for i in _c.pyprepay_site_account_ids(self._s))

    def meters(self, account_id: int = 0) -> Iterator[MeterView]:
        """Iterates the meters' views (of one account, or all with 0) in the order they were added."""
        return (self.meter(i) for i in _c.pyprepay_site_meter_ids(self._s, int(account_id)))

    def __iter__(self) -> Iterator[AccountView]:
        """Iterates the accounts' views."""
        return self.accounts()

    def __len__(self) -> int:
        """Number of accounts."""
        return len(_c.pyprepay_site_account_ids(self._s))

    def ledger_balance(self, account_id: int, role: int = Role.WALLET) -> Decimal:
        """The ledger's balance (credits - debits, Decimal yuan) of an account's role, or of a site
        account with ``account_id`` 0 and a :class:`SiteRole`."""
        if self.ledger is None:
            raise error_for(_c.PREPAY_E_SETTLEMENT_NOT_OPEN, "open the site first")
        return self.ledger.balance(ledger_account_id(account_id, role)).balance

    def verify(self) -> None:
        """Checks the ledger's invariants and the site against the ledger (every balance, and wallet =
        recharges + emergency lent - charges taken - debt repaid - emergency repaid); raises
        SettlementError MISMATCH or LedgerError INVARIANT naming the account."""
        if self.ledger is None:
            raise error_for(_c.PREPAY_E_SETTLEMENT_NOT_OPEN, "open the site first")
        self.ledger.verify()
        status, _ = _c.pyprepay_site_verify(self._s)
        self._check(status, "verify")
