# SPDX-License-Identifier: MIT
"""Common-area allocation: exact largest-remainder splits, residual of master vs sub-meters, allocation."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import List, Sequence

from . import c_api as _c
from ._enums import ResidualPolicy, Vacancy
from ._errors import check
from ._units import DecimalLike, fen_to_yuan, yuan_to_fen

__all__ = ["split", "split_money", "Residual", "residual", "Part", "AllocationLine", "allocate", "weight_days"]


def split(total: int, weights: Sequence[int]) -> List[int]:
    """Splits an integer total by weights; the shares add up exactly to the total."""
    status, shares = _c.pyprepay_allocation_split(int(total), [int(w) for w in weights])
    check(status)
    return shares


def split_money(total: DecimalLike, weights: Sequence[int]) -> List[Decimal]:
    """Splits a Decimal amount of money (to the fen) by weights, exactly."""
    return [fen_to_yuan(x) for x in split(yuan_to_fen(total), weights)]


def weight_days(weight: int, days: int) -> int:
    """weight x occupied days, checked."""
    status, out = _c.prepay_allocation_weight_days(weight, days)
    check(status)
    return out


@dataclass(frozen=True)
class Residual:
    """Common consumption of a period (Wh)."""
    master: int
    sub_total: int
    carried_in: int
    raw: int
    common: int
    carry_out: int
    clamped: int
    negative: bool
    loss_bp: int


def residual(master: int, subs: Sequence[int], carried_in: int = 0,
             policy: ResidualPolicy = ResidualPolicy.FAIL) -> Residual:
    """master - sum(subs) (+ carried negative residual), by the policy for a negative result."""
    r = _c.prepay_allocation_residual_t()
    check(_c.pyprepay_allocation_residual(int(master), [int(s) for s in subs], int(carried_in), int(policy), r))
    return Residual(r.master, r.sub_total, r.carried_in, r.raw, r.common, r.carry_out, r.clamped, bool(r.negative),
                    r.loss_bp)


@dataclass(frozen=True)
class Part:
    """A participant: account, weight (ratio, area in 0.01 m2, 1, or usage), occupancy."""
    account_id: int
    weight: int
    occupied_days: int = 0
    vacant: bool = False

    def _c(self):
        p = _c.prepay_allocation_part_t()
        p.account_id, p.weight, p.occupied_days, p.vacant = self.account_id, self.weight, self.occupied_days, self.vacant
        return p


@dataclass(frozen=True)
class AllocationLine:
    """One allocated part: its account, weight, energy (Wh) and money (Decimal yuan)."""
    part_index: int
    account_id: int
    weight: int
    energy: int
    money: Decimal


def allocate(parts: Sequence[Part], energy: int = 0, money: DecimalLike = 0, period_days: int = 0,
             vacancy: Vacancy = Vacancy.OWNER, owner_account_id: int = 0,
             owner_pays_unoccupied: bool = False) -> List[AllocationLine]:
    """Allocates common energy (Wh) and money (yuan) among parts; lines sum exactly to the totals."""
    req = _c.prepay_allocation_request_t()
    req.energy, req.money, req.period_days = int(energy), yuan_to_fen(money), int(period_days)
    req.vacancy, req.owner_account_id, req.owner_pays_unoccupied = int(vacancy), owner_account_id, owner_pays_unoccupied
    status, lines = _c.pyprepay_allocation_allocate(req, [p._c() for p in parts])
    check(status)
    return [AllocationLine(i, a, w, e, fen_to_yuan(m)) for i, a, w, e, m in lines]
