# SPDX-License-Identifier: MIT
"""Charge items, billing runs, postpaid statements and arrears ageing."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Collection, Iterable, List, Optional, Sequence, Union

from . import c_api as _c
from ._enums import ChargeBasis, ChargeProration, ChargeSchedule, Collection as CollectionMode, StatementLineKind, StatementState
from ._errors import check
from ._units import DecimalLike, fen_to_yuan, from_days, to_days, yuan_to_fen

__all__ = ["charge_id", "add_months", "ChargeItem", "BillingAccount", "Charge", "run", "StatementLine", "Statement",
           "ArrearsItem", "ArrearsRow", "arrears"]

DateLike = Union[int, _dt.date]


def charge_id(account_id: int, item_id: int, occurrence: int) -> int:
    """The idempotency id of a charge (account, item, occurrence)."""
    status, out = _c.prepay_billing_charge_id(account_id, item_id, occurrence)
    check(status)
    return out


def add_months(anchor: DateLike, months: int) -> _dt.date:
    """``anchor`` plus whole months, clamped to the month's last day."""
    status, out = _c.prepay_billing_add_months(to_days(anchor), months)
    check(status)
    return from_days(out)


@dataclass(frozen=True)
class ChargeItem:
    """A charge item (rate Decimal yuan per month, per m2 or per unit) with its schedule and dates."""
    item_id: int
    rate: Decimal
    anchor: DateLike
    effective_from: DateLike
    effective_to: DateLike
    basis: ChargeBasis = ChargeBasis.FIXED
    schedule: ChargeSchedule = ChargeSchedule.MONTHLY
    proration: ChargeProration = ChargeProration.NONE
    collection: CollectionMode = CollectionMode.DEDUCT
    name: str = ""
    account_id: int = 0

    def _c(self):
        c = _c.prepay_charge_item_t()
        c.item_id, c.rate, c.account_id = self.item_id, yuan_to_fen(self.rate), self.account_id
        c.basis, c.schedule, c.proration, c.collection = int(self.basis), int(self.schedule), int(self.proration), int(self.collection)
        c.anchor, c.effective_from, c.effective_to = to_days(self.anchor), to_days(self.effective_from), to_days(self.effective_to)
        c.name = self.name
        return c


@dataclass(frozen=True)
class BillingAccount:
    """An account as billing sees it: active dates, area (0.01 m2) and unit count."""
    account_id: int
    active_from: DateLike
    active_to: DateLike
    area: int = 0   #: 0.01 m2
    units: int = 0

    def _c(self):
        a = _c.prepay_billing_account_t()
        a.account_id, a.area, a.units = self.account_id, self.area, self.units
        a.active_from, a.active_to = to_days(self.active_from), to_days(self.active_to)
        return a


@dataclass(frozen=True)
class Charge:
    """One charge produced by a billing run (amount Decimal yuan) with its idempotency id."""
    charge_id: int
    account_id: int
    item_id: int
    occurrence: int
    name: Optional[str]
    period_start: _dt.date
    period_end: _dt.date
    covered_start: _dt.date
    covered_end: _dt.date
    amount: Decimal
    collection: CollectionMode


def run(start: DateLike, end: DateLike, items: Sequence[ChargeItem], accounts: Sequence[BillingAccount],
        already_charged: Optional[Collection[int]] = None) -> List[Charge]:
    """Charges due in [start, end), skipping charge ids in ``already_charged`` (idempotent re-runs)."""
    status, rows = _c.pyprepay_billing_run(to_days(start), to_days(end), [i._c() for i in items],
                                           [a._c() for a in accounts], already_charged)
    check(status)
    return [Charge(cid, acc, item, occ, name, from_days(ps), from_days(pe), from_days(cs), from_days(ce),
                   fen_to_yuan(amount), CollectionMode(coll))
            for cid, acc, item, occ, name, ps, pe, cs, ce, amount, coll in rows]


@dataclass(frozen=True)
class StatementLine:
    """One line of a statement (amount Decimal yuan; energy Wh)."""
    kind: StatementLineKind
    amount: Decimal
    reference: int = 0
    date: DateLike = 0
    energy: int = 0
    band: int = 0
    tier: int = 0

    def _c(self):
        l = _c.prepay_statement_line_t()
        l.kind, l.amount, l.reference, l.date = int(self.kind), yuan_to_fen(self.amount), self.reference, to_days(self.date)
        l.energy, l.band, l.tier = self.energy, self.band, self.tier
        return l


class Statement:
    """A postpaid statement: draft -> confirmed -> issued (sealed)."""

    def __init__(self, account_id: int, period_start: DateLike, period_end: DateLike, opening: DecimalLike = 0,
                 capacity: int = 256) -> None:
        self._s = _c.pyprepay_statement_t(capacity)
        check(_c.pyprepay_statement_init(self._s, account_id, to_days(period_start), to_days(period_end),
                                         yuan_to_fen(opening)))
        self._h = _c.pyprepay_statement_handle(self._s)

    def add(self, line: StatementLine) -> None:
        """Adds a line to the draft statement (BillingError once confirmed or issued)."""
        check(_c.prepay_billing_statement_add(self._h, line._c()))

    def confirm(self) -> None:
        """Confirms the draft (no more lines)."""
        check(_c.prepay_billing_statement_confirm(self._h))

    def reopen(self) -> None:
        """Reopens a confirmed statement as a draft."""
        check(_c.prepay_billing_statement_reopen(self._h))

    def issue(self, issue_date: DateLike, due_date: DateLike) -> None:
        """Issues and seals the statement with its issue and due dates."""
        check(_c.prepay_billing_statement_issue(self._h, to_days(issue_date), to_days(due_date)))

    def verify(self) -> None:
        """Raises BillingError if the issued statement's seal or sums do not match."""
        check(_c.prepay_billing_statement_verify(self._h))

    def correct(self, next_statement: "Statement", amount: DecimalLike, date: DateLike) -> None:
        """Adds an adjustment line for this issued statement to ``next_statement``."""
        check(_c.prepay_billing_statement_correct(self._h, next_statement._h, yuan_to_fen(amount), to_days(date)))

    @property
    def state(self) -> StatementState:
        """Draft, confirmed or issued."""
        return StatementState(self._h.state)

    @property
    def statement_id(self) -> int:
        """The statement id (``account_id << 32 | period_start``)."""
        return self._h.statement_id

    @property
    def opening(self) -> Decimal:
        """Balance brought forward (Decimal yuan; owed > 0, credit < 0)."""
        return fen_to_yuan(self._h.opening)

    @property
    def charges(self) -> Decimal:
        """Sum of the charges (Decimal yuan)."""
        return fen_to_yuan(self._h.charges)

    @property
    def payments(self) -> Decimal:
        """Sum of the payments (Decimal yuan)."""
        return fen_to_yuan(self._h.payments)

    @property
    def closing(self) -> Decimal:
        """opening + charges - payments (Decimal yuan)."""
        return fen_to_yuan(self._h.closing)

    @property
    def seal(self) -> int:
        """Checksum set on issue (0 before)."""
        return self._h.seal

    def total(self, kind: StatementLineKind) -> Decimal:
        """Sum of the line amounts of one kind (Decimal yuan)."""
        return fen_to_yuan(self._h.total_of(int(kind)))

    @property
    def lines(self) -> List[StatementLine]:
        """The statement's lines in order."""
        return [StatementLine(StatementLineKind(k), fen_to_yuan(a), ref, from_days(d), e, b, t)
                for k, b, t, e, a, ref, d in _c.pyprepay_statement_lines(self._s)]

    def __repr__(self) -> str:
        return (f"<Statement {self.statement_id:#x} {self.state.name} opening={self.opening} charges={self.charges} "
                f"payments={self.payments} closing={self.closing}>")


@dataclass(frozen=True)
class ArrearsItem:
    """One unpaid amount for the arrears report."""
    account_id: int
    due_date: DateLike
    outstanding: Decimal
    statement_id: int = 0

    def _c(self):
        a = _c.prepay_arrears_item_t()
        a.account_id, a.statement_id, a.due_date, a.outstanding = (self.account_id, self.statement_id,
                                                                   to_days(self.due_date), yuan_to_fen(self.outstanding))
        return a


@dataclass(frozen=True)
class ArrearsRow:
    """Arrears of one account aged into buckets (Decimal yuan)."""
    account_id: int
    not_due: Decimal
    buckets: tuple  #: 0-30, 31-60, 61-90, >90 days overdue
    total: Decimal
    oldest_days: int
    items: int


def arrears(items: Sequence[ArrearsItem], as_of: DateLike) -> List[ArrearsRow]:
    """Ages unpaid amounts per account as of a date."""
    status, rows = _c.pyprepay_billing_arrears([i._c() for i in items], to_days(as_of))
    check(status)
    return [ArrearsRow(a, fen_to_yuan(nd), tuple(fen_to_yuan(x) for x in (b0, b1, b2, b3)), fen_to_yuan(t), o, n)
            for a, nd, b0, b1, b2, b3, t, o, n in rows]
