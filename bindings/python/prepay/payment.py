# SPDX-License-Identifier: MIT
"""Payment orders: online recharges through a payment channel (WeChat Pay, Alipay, a bank), on a
settlement :class:`prepay.settlement.Site` (include/prepay/payment.h, docs/payment.md).

An order is a pending ledger transfer (site clearing -> the account's wallet) with a deadline; its
whole state lives in the ledger, so a journal makes it durable and there is no order table. A paid
notify credits it as a recharge (emergency credit and debt repaid first, a restore decided, the
events raised); the same notify again changes nothing (``duplicate`` True: channels retry for about
a day); a notify with another amount is refused (:class:`prepay.PaymentError`, also a
``ValueError``, naming both amounts); a failed payment voids the order and raises a
``PAYMENT_FAILED`` event; past its deadline :meth:`prepay.ledger.Ledger.expire` releases it.
A channel's settlement statement (CSV: order id, amount, status, time) reconciles against the
ledger::

    order = payment.create(site, payment.Order(1, 7, Decimal("50.00"), created=t0, deadline=t0 + day))
    result = payment.notify(site, order.order_id, Decimal("50.00"), at=t1)
    print(result.split, list(result))               # the recharge's split and its events
    report = payment.reconcile(site.ledger, payment.load_statement("alipay-2024-01-10.csv"), day0, day1)

Money is Decimal yuan, times naive local datetimes (aware ones are converted to the site's ``zone``)
or int seconds since 2000-01-01, as everywhere in the package.
"""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Iterator, List, Optional, Tuple, Union

from . import c_api as _c
from ._enums import PaymentChannelStatus, PaymentMatch, PaymentState, PaymentStatementStatus
from ._errors import check, error_for
from ._units import DecimalLike, TimeLike, fen_to_yuan, from_time, to_time, yuan_to_fen
from .ledger import Ledger
from .settlement import Result, Site, Split

__all__ = ["Order", "OrderInfo", "NotifyResult", "StatementRecord", "ReconcileLine", "Reconciliation",
           "order_id", "create", "notify", "lookup", "reconcile", "parse_statement", "load_statement",
           "match_name", "State", "ChannelStatus", "StatementStatus", "Match", "KIND_PENDING", "KIND_VOID"]

State = PaymentState
ChannelStatus = PaymentChannelStatus
StatementStatus = PaymentStatementStatus
Match = PaymentMatch

#: Settlement-id kind of an order's pending transfer (its ledger key is the order id).
KIND_PENDING = _c.PREPAY_PAYMENT_KIND_PENDING
#: Settlement-id kind of an order's void transfer.
KIND_VOID = _c.PREPAY_PAYMENT_KIND_VOID


def order_id(account_id: int, number: int) -> int:
    """The order id of (account, order number): the ledger key of the order's pending transfer in the
    settlement id scheme (kind :data:`KIND_PENDING`). PaymentError FIELD for number 0, SettlementError
    ID_RANGE for an account outside the scheme."""
    status, out = _c.prepay_payment_order_id(int(account_id), int(number))
    check(status, f"order {number} of account {account_id}")
    return out


def match_name(match: int) -> str:
    """The name of a reconciliation outcome (``"matched"``, ``"missing_in_ledger"``, ...)."""
    return _c.prepay_payment_match_name(int(match))


# ---- values -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Order:
    """A new order: ``amount`` Decimal yuan (> 0) to credit to settlement account ``account_id``;
    ``number`` the caller's order number for this account (>= 1, unique per account); the reservation
    expires at ``deadline`` (after ``created``)."""
    account_id: int
    number: int
    amount: DecimalLike
    created: TimeLike
    deadline: TimeLike


@dataclass(frozen=True)
class OrderInfo:
    """An order as the ledger holds it. ``resolved`` the time of its post or void (None while open or
    once expired); ``resolved_by`` the ledger id of the posting recharge or of the void (0: none)."""
    order_id: int
    account_id: int
    number: int
    amount: Decimal
    created: _dt.datetime
    deadline: _dt.datetime
    resolved: Optional[_dt.datetime]
    resolved_by: int
    state: State

    @classmethod
    def _from(cls, t) -> "OrderInfo":
        oid, account, number, amount, created, deadline, resolved, resolved_by, state = t
        return cls(oid, account, number, fen_to_yuan(amount), from_time(created), from_time(deadline),
                   from_time(resolved) if resolved else None, resolved_by, State(state))

    @property
    def open(self) -> bool:
        """Whether the order still waits for the channel (CREATED)."""
        return self.state == State.CREATED


@dataclass(frozen=True)
class NotifyResult(Result):
    """What a notify (or a query's answer) did: the settlement :class:`prepay.settlement.Result` of the
    call (its events: RECHARGE and its chain when paid, PAYMENT_FAILED when voided), the ``order``
    after the call, the recharge's ``split`` when paid, and ``duplicate`` True when the notify had
    already been applied (nothing changed; the recorded outcome is returned)."""
    order: Optional[OrderInfo] = None
    split: Split = Split(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    duplicate: bool = False


@dataclass(frozen=True)
class StatementRecord:
    """One record of a channel's settlement statement: our ``order_id`` (the merchant order number the
    channel echoes), ``amount`` Decimal yuan, payment ``time``, ``status``."""
    order_id: int
    amount: Decimal
    time: _dt.datetime
    status: StatementStatus = StatementStatus.PAID

    def _c(self, zone: Optional[_dt.tzinfo]) -> Tuple[int, int, int, int]:
        return int(self.order_id), yuan_to_fen(self.amount), to_time(self.time, zone), int(self.status)


@dataclass(frozen=True)
class ReconcileLine:
    """One reconciliation line: the amounts credited in the ledger and paid in the statement (0.00:
    none), the outcome, and the ledger's state of the order (None: no such order)."""
    order_id: int
    ledger_amount: Decimal
    statement_amount: Decimal
    match: Match
    ledger_state: Optional[State]

    def __str__(self) -> str:
        """``order_id match ledger_amount statement_amount``."""
        return f"{self.order_id} {match_name(self.match)} {self.ledger_amount} {self.statement_amount}"


@dataclass(frozen=True)
class Reconciliation:
    """A statement reconciled against the ledger: every line (iterate it) and the totals."""
    lines: Tuple[ReconcileLine, ...]
    matched: int
    missing_in_ledger: int
    missing_in_statement: int
    amount_differs: int
    refunded: int
    matched_amount: Decimal

    def __iter__(self) -> Iterator[ReconcileLine]:
        """Iterates the lines in the order the library reports them."""
        return iter(self.lines)

    def __len__(self) -> int:
        """Number of lines."""
        return len(self.lines)

    @property
    def clean(self) -> bool:
        """True when every line matched (nothing missing, no amount differs)."""
        return self.missing_in_ledger == 0 and self.missing_in_statement == 0 and self.amount_differs == 0

    def of(self, *matches: Match) -> List[ReconcileLine]:
        """The lines with the given outcomes."""
        return [line for line in self.lines if line.match in matches]


# ---- calls ------------------------------------------------------------------------------------------

def _ledger_of(books: Union[Site, Ledger]) -> Ledger:
    if isinstance(books, Site):
        if books.ledger is None:
            raise error_for(_c.PREPAY_E_SETTLEMENT_NOT_OPEN, "the site is not open")
        return books.ledger
    if isinstance(books, Ledger):
        return books
    raise TypeError(f"a prepay.settlement.Site or prepay.ledger.Ledger is required, not {type(books).__name__}")


def _failure(status: int, what: str, r) -> None:
    info, _split, expected, notified, detail = r
    parts = [what]
    if status == _c.PREPAY_E_PAYMENT_AMOUNT_MISMATCH:
        parts.append(f"the order is {fen_to_yuan(expected)}, the channel says {fen_to_yuan(notified)}")
    if detail:
        parts.append(f"cause: {_c.prepay_strerror(detail)}")
    raise error_for(status, ", ".join(parts))


def create(site: Site, order: Order) -> OrderInfo:
    """Creates an order: a pending transfer clearing -> wallet with the order's deadline (one durable
    batch with a journal). The same order again returns it unchanged; the same number with another
    amount, account or deadline raises PaymentError CONFLICT; an unknown account SettlementError
    UNKNOWN_ACCOUNT (a ``KeyError``). Nothing changes on error."""
    site._ready()
    status, r = _c.pyprepay_payment_create(site._s, int(order.account_id), int(order.number),
                                           yuan_to_fen(order.amount), site._time(order.created),
                                           site._time(order.deadline))
    if status < 0:
        _failure(status, f"order {order.number} of account {order.account_id}", r)
    return OrderInfo._from(r[0])


def notify(site: Site, order_id: int, amount: DecimalLike, at: TimeLike,
           status: ChannelStatus = ChannelStatus.PAID) -> NotifyResult:
    """Applies a channel's payment notify, or the answer to a status query, to order ``order_id``.

    PAID credits the order as the account's next recharge; FAILED voids it and raises a
    PAYMENT_FAILED event; WAITING (a query's answer) changes nothing. Already applied: nothing
    changes and ``duplicate`` is True. Errors (nothing changes): PaymentError UNKNOWN_ORDER (a
    ``KeyError``), AMOUNT_MISMATCH (a ``ValueError`` naming both amounts), CLOSED (PAID for a voided
    or expired order: refund it at the channel), ALREADY_PAID (FAILED for a paid order), BOOKS (the
    ledger refused, its cause named)."""
    site._ready()
    out = _c.pyprepay_payment_notify(site._s, int(order_id), yuan_to_fen(amount), site._time(at), int(status))
    rc = out[0]
    if rc < 0:
        if out[4] is None:
            site._check(rc, f"notify of order {order_id}")
        _failure(rc, f"notify of order {order_id}", out[4])
    info, (e, d, b, _), _expected, _notified, _detail = out[4]
    site._after_call()
    return site._result(out, NotifyResult, order=OrderInfo._from(info),
                        split=Split(fen_to_yuan(e), fen_to_yuan(d), fen_to_yuan(b)),
                        duplicate=rc == _c.PREPAY_PAYMENT_DUPLICATE)


def lookup(books: Union[Site, Ledger], order_id: int) -> OrderInfo:
    """The order ``order_id`` as the ledger (of a site, or a ledger itself) holds it; PaymentError
    UNKNOWN_ORDER (a ``KeyError``) if it is no order of this ledger."""
    ledger = _ledger_of(books)
    status, info = _c.pyprepay_payment_lookup(ledger._l, int(order_id))
    check(status, f"order {order_id}")
    return OrderInfo._from(info)


def reconcile(books: Union[Site, Ledger], records: Iterable[StatementRecord], start: TimeLike, end: TimeLike,
              zone: Optional[_dt.tzinfo] = None) -> Reconciliation:
    """Reconciles a channel's statement against the ledger's orders created in [``start``, ``end``):
    each PAID record is MATCHED (same amount paid in the ledger), AMOUNT_DIFFERS or MISSING_IN_LEDGER;
    then each order paid in the ledger that no PAID record names is MISSING_IN_STATEMENT. REFUNDED
    records are counted, not compared. ``zone``: for aware datetimes (default: the site's zone).
    PaymentError STATEMENT for a record with an unknown status or an amount <= 0 (nothing reported)."""
    ledger = _ledger_of(books)
    if zone is None and isinstance(books, Site):
        zone = books.zone
    rows = [r._c(zone) for r in records]
    status, lines, summary = _c.pyprepay_payment_reconcile(ledger._l, rows, to_time(start, zone), to_time(end, zone))
    check(status, "statement")
    matched, missing_ledger, missing_statement, differs, refunded, matched_amount = summary
    return Reconciliation(tuple(ReconcileLine(oid, fen_to_yuan(la), fen_to_yuan(sa), Match(m), State(st) if st else None)
                                for oid, la, sa, m, st in lines),
                          matched, missing_ledger, missing_statement, differs, refunded, fen_to_yuan(matched_amount))


def _records(status: int, rows, line: int, what: str, filename: Optional[str] = None) -> List[StatementRecord]:
    if status < 0:
        detail = f"{what}, line {line}" if line else what
        raise error_for(status, detail, filename)
    return [StatementRecord(oid, fen_to_yuan(amount), from_time(t), StatementStatus(st)) for oid, amount, t, st in rows]


def parse_statement(text: Union[str, bytes]) -> List[StatementRecord]:
    """Parses a channel statement in CSV (``order_id,amount,status,time`` per record; an optional header
    whose first field is ``order_id``; amounts in yuan, status PAID/SUCCESS or REFUNDED/REFUND, times
    ``2024-01-05 10:00:00``; RFC 4180 quoting, '#' comments and a UTF-8 BOM accepted). PaymentError
    STATEMENT (a ``ValueError``) names the first bad line."""
    status, rows, line = _c.pyprepay_payment_statement_parse(text)
    return _records(status, rows, line, "statement")


def load_statement(path: Union[str, os.PathLike]) -> List[StatementRecord]:
    """Reads a statement CSV file with :func:`parse_statement`'s rules (``FileNotFoundError`` if it is
    missing)."""
    p = os.fspath(path)
    status, rows, line = _c.pyprepay_payment_statement_load(p)
    return _records(status, rows, line, p, p)
