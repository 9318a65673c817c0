# SPDX-License-Identifier: MIT
"""Double-entry prepaid ledger: accounts, idempotent transfers, balances, history, summaries."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Iterator, List, Optional, Sequence

from . import c_api as _c
from ._enums import AccountKind, PendingState, Period, TransferCode
from ._errors import LedgerError, check, error_for
from ._units import DecimalLike, TimeLike, fen_to_yuan, from_days, money, to_time, yuan_to_fen

__all__ = ["Account", "Transfer", "Balance", "Entry", "TransferResult", "OrderSummary", "IncomeRow", "Ledger",
           "EXISTS"]

#: Result of an idempotent repeat: identical account/transfer already there.
EXISTS = _c.PREPAY_LEDGER_EXISTS


@dataclass(frozen=True)
class Account:
    """An account. Money fields are Decimal yuan."""
    id: int
    kind: AccountKind
    flags: int = 0
    item: int = 0
    overdraft_limit: Decimal = Decimal("0.00")
    max_balance: Decimal = Decimal("0.00")
    emergency_account_id: int = 0
    debt_account_id: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "overdraft_limit", money(self.overdraft_limit))
        object.__setattr__(self, "max_balance", money(self.max_balance))

    def _c(self):
        a = _c.prepay_ledger_account_t()
        a.id, a.kind, a.flags, a.item = self.id, int(self.kind), int(self.flags), int(self.item)
        a.overdraft_limit, a.max_balance = yuan_to_fen(self.overdraft_limit), yuan_to_fen(self.max_balance)
        a.emergency_account_id, a.debt_account_id = self.emergency_account_id, self.debt_account_id
        return a

    @classmethod
    def _from_c(cls, a) -> "Account":
        return cls(a.id, AccountKind(a.kind), a.flags, a.item, fen_to_yuan(a.overdraft_limit),
                   fen_to_yuan(a.max_balance), a.emergency_account_id, a.debt_account_id)


@dataclass(frozen=True)
class Transfer:
    """A transfer: ``amount`` Decimal yuan from ``debit_account_id`` to ``credit_account_id``."""
    id: int
    debit_account_id: int
    credit_account_id: int
    amount: Decimal
    code: int
    flags: int = 0
    pending_id: int = 0
    timestamp: int = 0
    meter_id: int = 0
    interval_start: int = 0
    interval_end: int = 0
    order_id: int = 0
    reference_id: int = 0
    tariff_version: int = 0
    deadline: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", money(self.amount))

    @property
    def amount_fen(self) -> int:
        """The amount in fen (int)."""
        return yuan_to_fen(self.amount)

    def _c(self):
        t = _c.prepay_ledger_transfer_t()
        t.id, t.debit_account_id, t.credit_account_id = self.id, self.debit_account_id, self.credit_account_id
        t.amount, t.code, t.flags, t.pending_id = yuan_to_fen(self.amount), int(self.code), int(self.flags), self.pending_id
        t.timestamp, t.meter_id = to_time(self.timestamp), self.meter_id
        t.interval_start, t.interval_end = to_time(self.interval_start), to_time(self.interval_end)
        t.order_id, t.reference_id, t.tariff_version = self.order_id, self.reference_id, self.tariff_version
        t.deadline = to_time(self.deadline)
        return t

    @classmethod
    def _from_c(cls, t) -> "Transfer":
        code = TransferCode(t.code) if t.code in TransferCode._value2member_map_ else t.code
        return cls(t.id, t.debit_account_id, t.credit_account_id, fen_to_yuan(t.amount), code, t.flags, t.pending_id,
                   t.timestamp, t.meter_id, t.interval_start, t.interval_end, t.order_id, t.reference_id,
                   t.tariff_version, t.deadline)


@dataclass(frozen=True)
class Balance:
    """Balances of one account (Decimal yuan)."""
    debits_pending: Decimal
    debits_posted: Decimal
    credits_pending: Decimal
    credits_posted: Decimal
    balance: Decimal
    available: Decimal


@dataclass(frozen=True)
class Entry:
    """One entry of the transfer log."""
    transfer: Transfer
    state: PendingState
    resolved_by: int


@dataclass(frozen=True)
class TransferResult:
    """Per-transfer result of :meth:`Ledger.apply`: ``status`` 0 applied, 1 already there, < 0 refused."""
    transfer: Transfer
    status: int

    @property
    def ok(self) -> bool:
        """Whether the transfer was applied or already there."""
        return self.status >= 0

    @property
    def error(self) -> Optional[LedgerError]:
        """The LedgerError of a refused transfer, else None."""
        return error_for(self.status) if self.status < 0 else None


@dataclass(frozen=True)
class OrderSummary:
    """Recharge and refund counts and sums (Decimal yuan) over a time range."""
    recharge_count: int
    recharge_sum: Decimal
    refund_count: int
    refund_sum: Decimal


@dataclass(frozen=True)
class IncomeRow:
    """Income of one period (and item) in Decimal yuan with its transfer count."""
    period_start: object
    item: int
    income: Decimal
    count: int


def _transfers(transfers: Iterable[Transfer]) -> list:
    return [t._c() for t in transfers]


class Ledger:
    """A ledger on its own memory: ``Ledger(accounts=1000, transfers=100000)``."""

    def __init__(self, accounts: int = 1024, transfers: int = 65536) -> None:
        self._l = _c.pyprepay_ledger_t()
        check(_c.pyprepay_ledger_setup(self._l, accounts, transfers))
        self._h = _c.pyprepay_ledger_handle(self._l)

    def create_account(self, account: Account) -> bool:
        """Creates an account; False if an identical one exists (idempotent)."""
        return check(_c.prepay_ledger_create_account(self._h, account._c()), f"account {account.id}") == 0

    def close_account(self, account_id: int) -> bool:
        """Closes an account; False if already closed."""
        return check(_c.prepay_ledger_close_account(self._h, account_id)) == 0

    def apply(self, transfers: Iterable[Transfer]) -> List[TransferResult]:
        """Applies a batch (linked chains atomic); a result per transfer (no exception for refusals)."""
        batch = list(transfers)
        applied, results = _c.pyprepay_ledger_apply(self._l, _transfers(batch))
        check(applied)
        return [TransferResult(t, r) for t, r in zip(batch, results)]

    def transfer(self, transfer: Transfer) -> bool:
        """Applies one transfer; raises LedgerError if refused; False if it was already there."""
        (res,) = self.apply([transfer])
        check(res.status, f"transfer {transfer.id}")
        return res.status == 0

    def balance(self, account_id: int) -> Balance:
        """Balances of an account (LedgerError ACCOUNT_NOT_FOUND, also a KeyError)."""
        b = _c.prepay_ledger_balance_t()
        check(_c.prepay_ledger_balance(self._h, account_id, b), f"account {account_id}")
        return Balance(*(fen_to_yuan(x) for x in (b.debits_pending, b.debits_posted, b.credits_pending,
                                                     b.credits_posted, b.balance, b.available)))

    def account(self, account_id: int) -> Account:
        """An account by id (LedgerError ACCOUNT_NOT_FOUND, also a KeyError)."""
        a = _c.prepay_ledger_account(self._h, account_id)
        if a is None:
            raise error_for(_c.PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND, f"account {account_id}")
        return Account._from_c(a)

    def accounts(self) -> Iterator[Account]:
        """Iterates the accounts in creation order."""
        for i in range(_c.prepay_ledger_account_count(self._h)):
            yield Account._from_c(_c.prepay_ledger_account_at(self._h, i))

    def __len__(self) -> int:
        """Number of log entries."""
        return _c.prepay_ledger_transfer_count(self._h)

    def lookup(self, transfer_id: int) -> Optional[Entry]:
        """The log entry of a transfer id, or None."""
        e = _c.prepay_ledger_lookup(self._h, transfer_id)
        return _entry(e) if e is not None else None

    def history(self, account_id: int = 0, code: int = 0, flags_all: int = 0, since: Optional[TimeLike] = None,
                until: Optional[TimeLike] = None) -> Iterator[Entry]:
        """Iterates the log in order, filtered (prepay_ledger_query_next)."""
        q = _c.prepay_ledger_query_t()
        q.account_id, q.code, q.flags_all = account_id, int(code), int(flags_all)
        if since is not None or until is not None:
            q.use_time = True
            q.time_from = to_time(since) if since is not None else -(2 ** 63)
            q.time_to = to_time(until) if until is not None else 2 ** 63 - 1
        while True:
            status, e = _c.pyprepay_ledger_query_next(self._l, q)
            check(status)
            if status == 0 or e is None:
                return
            yield _entry(e)

    def __iter__(self) -> Iterator[Entry]:
        return self.history()

    def order_summary(self, since: TimeLike, until: TimeLike) -> OrderSummary:
        """Recharge and refund counts and sums in [since, until)."""
        o = _c.prepay_ledger_order_summary_t()
        check(_c.prepay_ledger_order_summary(self._h, to_time(since), to_time(until), o))
        return OrderSummary(o.recharge_count, fen_to_yuan(o.recharge_sum), o.refund_count, fen_to_yuan(o.refund_sum))

    def income(self, since: TimeLike, until: TimeLike, period: Period = Period.ALL, by_item: bool = False
               ) -> List[IncomeRow]:
        """Income rows per period (and per item with ``by_item``) in [since, until)."""
        status, rows = _c.pyprepay_ledger_income(self._l, to_time(since), to_time(until), int(period), int(by_item))
        check(status)
        return [IncomeRow(from_days(d), item, fen_to_yuan(inc), n) for d, item, inc, n in rows]

    def build_recharge(self, wallet_id: int, clearing_id: int, amount: DecimalLike, recharge_id: int,
                       repay_emergency_id: int = 0, repay_debt_id: int = 0, order_id: int = 0,
                       timestamp: TimeLike = 0) -> List[Transfer]:
        """The linked transfers of a recharge (repaying emergency credit and debt first)."""
        r = _c.prepay_ledger_recharge_t()
        r.wallet_id, r.clearing_id, r.amount, r.recharge_id = wallet_id, clearing_id, yuan_to_fen(amount), recharge_id
        r.repay_emergency_id, r.repay_debt_id, r.order_id, r.timestamp = (repay_emergency_id, repay_debt_id, order_id,
                                                                           to_time(timestamp))
        status, transfers = _c.pyprepay_ledger_build_recharge(self._l, r)
        check(status)
        return [Transfer._from_c(t) for t in transfers]

    def expire(self, now: TimeLike, limit: int = 1024) -> List[int]:
        """Expires the pending transfers whose ``deadline`` is at or before ``now`` (at most ``limit``,
        earliest deadline first), releasing their reservations; returns their ids. In memory only:
        use :meth:`prepay.journal.Journal.expire` to make the expiries durable."""
        status, ids = _c.pyprepay_ledger_expire(self._l, to_time(now), int(limit))
        check(status)
        return ids

    def verify(self) -> None:
        """Raises LedgerError INVARIANT if an invariant is broken."""
        check(_c.pyprepay_ledger_verify(self._l))


def _entry(e) -> Entry:
    return Entry(Transfer._from_c(e.transfer), PendingState(e.state), e.resolved_by)
