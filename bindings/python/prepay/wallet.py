# SPDX-License-Identifier: MIT
"""Wallet policy: balance alarms, cut-off, no-disconnect periods, emergency credit; relay decisions."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import List, Optional, Sequence, Tuple

from . import c_api as _c
from ._enums import WalletCutoff, WalletEvent, WalletReason, WalletRelay
from ._errors import check
from ._units import DecimalLike, TimeLike, fen_to_yuan, to_days, to_time, yuan_to_fen

__all__ = ["Policy", "Decision", "Wallet", "split_recharge"]


@dataclass
class Policy:
    """A wallet policy (Decimal yuan). Defaults are prepay_wallet_policy_default()."""
    thresholds: List[Decimal] = field(default_factory=list)
    hysteresis: Decimal = Decimal("0")
    overdraft_limit: Decimal = Decimal("0")
    close_allowed_amount: Decimal = Decimal("0")
    window_debt_cap: Optional[Decimal] = None  #: None = no cap
    emergency_amount: Decimal = Decimal("0")
    emergency_threshold: Decimal = Decimal("0")
    windows: List[Tuple[int, int]] = field(default_factory=list)  #: (start_second, end_second)
    holidays: List[object] = field(default_factory=list)  #: dates or day numbers
    pretrip_level: int = 0
    cutoff: WalletCutoff = WalletCutoff.AT_ZERO
    weekend_mask: int = 0
    flags: int = 0

    @classmethod
    def default(cls) -> "Policy":
        """prepay_wallet_policy_default(): alarms at 20.00 and 10.00 (pre-trip), cut-off at 0."""
        p = _c.prepay_wallet_policy_t()
        _c.prepay_wallet_policy_default(p)
        cap = None if p.window_debt_cap == 2 ** 63 - 1 else fen_to_yuan(p.window_debt_cap)
        return cls([fen_to_yuan(p.get_threshold(i)) for i in range(p.level_count)], fen_to_yuan(p.hysteresis),
                   fen_to_yuan(p.overdraft_limit), fen_to_yuan(p.close_allowed_amount), cap,
                   fen_to_yuan(p.emergency_amount), fen_to_yuan(p.emergency_threshold), [], [], p.pretrip_level,
                   WalletCutoff(p.cutoff), p.weekend_mask, p.flags)

    def _c(self):
        p = _c.prepay_wallet_policy_t()
        _c.prepay_wallet_policy_default(p)
        p.level_count = len(self.thresholds)
        for i, t in enumerate(self.thresholds):
            check(p.set_threshold(i, yuan_to_fen(t)))
        p.hysteresis, p.overdraft_limit = yuan_to_fen(self.hysteresis), yuan_to_fen(self.overdraft_limit)
        p.close_allowed_amount = yuan_to_fen(self.close_allowed_amount)
        p.window_debt_cap = 2 ** 63 - 1 if self.window_debt_cap is None else yuan_to_fen(self.window_debt_cap)
        p.emergency_amount, p.emergency_threshold = yuan_to_fen(self.emergency_amount), yuan_to_fen(self.emergency_threshold)
        for i, (a, b) in enumerate(self.windows):
            check(p.set_window(i, a, b))
        p.window_count = len(self.windows)
        for i, d in enumerate(self.holidays):
            check(p.set_holiday(i, to_days(d)))
        p.holiday_count = len(self.holidays)
        p.pretrip_level, p.cutoff, p.weekend_mask, p.flags = self.pretrip_level, int(self.cutoff), self.weekend_mask, self.flags
        return p

    def check(self) -> None:
        """Raises WalletError if the policy is inconsistent."""
        check(_c.prepay_wallet_policy_check(self._c()))


@dataclass(frozen=True)
class Decision:
    """One relay decision."""
    relay: WalletRelay
    reason: WalletReason
    level: int
    from_level: int
    events: WalletEvent
    emergency_grant: Decimal
    no_disconnect: bool


class Wallet:
    """Carries the wallet state between decisions: ``wallet.decide(balance, now)``."""

    def __init__(self, policy: Optional[Policy] = None) -> None:
        self.policy = policy or Policy.default()
        self._p = self.policy._c()
        check(_c.prepay_wallet_policy_check(self._p))
        self._state = _c.prepay_wallet_state_t()
        _c.prepay_wallet_state_init(self._state)

    def decide(self, balance: DecimalLike, now: TimeLike, flags: int = 0,
               emergency_outstanding: DecimalLike = 0) -> Decision:
        """Decides the relay for the available balance (yuan) at ``now``; input flags are WalletInput."""
        inp = _c.prepay_wallet_input_t()
        inp.balance, inp.now, inp.flags = yuan_to_fen(balance), to_time(now), int(flags)
        inp.emergency_outstanding = yuan_to_fen(emergency_outstanding)
        out = _c.prepay_wallet_decision_t()
        check(_c.prepay_wallet_decide(self._p, inp, self._state, out))
        self._state.level, self._state.flags = out.next.level, out.next.flags
        return Decision(WalletRelay(out.relay), WalletReason(out.reason), out.level, out.from_level,
                        WalletEvent(out.events), fen_to_yuan(out.emergency_grant), bool(out.no_disconnect))

    def no_disconnect(self, now: TimeLike) -> bool:
        """Whether ``now`` falls in a no-disconnect period of the policy."""
        return bool(_c.prepay_wallet_no_disconnect(self._p, to_time(now)))

    @property
    def level(self) -> int:
        """The alarm level now."""
        return self._state.level


def split_recharge(amount: DecimalLike, emergency_owed: DecimalLike = 0, debt_owed: DecimalLike = 0
                   ) -> Tuple[Decimal, Decimal, Decimal]:
    """How a recharge repays emergency credit, then debt, then tops up: (to_emergency, to_debt, to_balance)."""
    status, e, d, b = _c.prepay_wallet_split_recharge(yuan_to_fen(amount), yuan_to_fen(emergency_owed),
                                                      yuan_to_fen(debt_owed))
    check(status)
    return fen_to_yuan(e), fen_to_yuan(d), fen_to_yuan(b)
