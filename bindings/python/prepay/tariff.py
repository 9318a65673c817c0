# SPDX-License-Identifier: MIT
"""Tariffs: load JSON tariff files, price intervals (streaming and batch), bills, vending."""
from __future__ import annotations

import datetime as _dt
import os
from array import array
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from . import c_api as _c
from ._enums import LineKind, Rounding, RoundScope, TariffDocFormat, TariffUnit
from ._errors import HostedError, check, unpack
from ._units import (DecimalLike, TimeLike, amount_to_decimal, check_zone, fen_to_yuan, from_time, price_to_decimal,
                     to_time, yuan_to_fen)

__all__ = ["Tariff", "TariffLine", "Bill", "FeedResult", "TariffStream", "Interval", "load", "intervals_to_arrays"]

Interval = Tuple[TimeLike, TimeLike, int]


@dataclass(frozen=True)
class TariffLine:
    """One charge line: ``quantity`` Wh (or L) at ``price`` per kWh, a fixed charge, or a demand (W at
    ``price`` per kW) or capacity (VA at ``price`` per kVA) line of a month."""
    kind: LineKind
    cycle: int
    price_set: int
    band: int
    tier: int
    quantity: int
    price: Decimal
    amount: Decimal  #: exact, in currency units (yuan)
    money: Decimal   #: rounded to the fen by the tariff's rule
    band_name: str = ""
    fixed_index: int = 0
    item: int = 0

    @property
    def kwh(self) -> Decimal:
        """The quantity in kWh (Decimal, 3 places)."""
        return Decimal(self.quantity).scaleb(-3)

    def __repr__(self) -> str:
        if self.kind == LineKind.FIXED:
            return f"<TariffLine fixed #{self.fixed_index} cycle={self.cycle} amount={self.amount}>"
        if self.kind == LineKind.DEMAND:  # quantity W of this demand tier; band 0 flat, else the TOU demand period
            return (f"<TariffLine demand period={self.band} tier={self.tier} {self.kwh} kW x {self.price}"
                    f" = {self.amount} ({self.money})>")
        if self.kind == LineKind.CAPACITY:  # quantity VA of contracted capacity
            return f"<TariffLine capacity {self.kwh} kVA x {self.price} = {self.amount} ({self.money})>"
        name = f" {self.band_name}" if self.band_name else ""
        return (f"<TariffLine band={self.band}{name} tier={self.tier} {self.kwh} kWh x {self.price} = {self.amount}"
                f" ({self.money})>")


def _line(t, names) -> TariffLine:
    kind, cycle, pset, band, tier, fidx, item, qty, price, units, nanos, money = t
    return TariffLine(LineKind(kind), cycle, pset, band, tier, qty, price_to_decimal(price),
                      amount_to_decimal(units, nanos), fen_to_yuan(money),
                      names[band - 1] if 0 < band <= len(names) else "", fidx, item)


@dataclass(frozen=True)
class Bill:
    """A finished bill. Money is Decimal yuan; ``total_fen`` the total in minor units."""
    lines: Tuple[TariffLine, ...]
    total: Decimal
    total_fen: int
    exact_total: Decimal
    energy_total: int
    energy_subtotal: Decimal
    fixed_subtotal: Decimal
    band_subtotals: Tuple[Decimal, ...]
    tier_subtotals: Tuple[Decimal, ...]
    rounding: Rounding
    scope: RoundScope

    def __repr__(self) -> str:
        return f"<Bill {len(self.lines)} lines, {Decimal(self.energy_total).scaleb(-3)} kWh, total {self.total}>"


@dataclass(frozen=True)
class FeedResult:
    """What one streaming call produced: the lines, their exact sum and the whole fen due now."""
    lines: Tuple[TariffLine, ...]
    exact: Decimal
    due: Decimal
    due_fen: int


def intervals_to_arrays(intervals: Iterable[Interval], zone: Optional[_dt.tzinfo] = None
                        ) -> Tuple[array, array, array]:
    """Splits (start, end, energy) triples into three array('q') buffers for :meth:`Tariff.evaluate_arrays`
    (aware datetimes are converted to ``zone``, see :func:`prepay.to_time`)."""
    s, e, n = array("q"), array("q"), array("q")
    for a, b, en in intervals:
        s.append(to_time(a, zone))
        e.append(to_time(b, zone))
        n.append(int(en))
    return s, e, n


class _BillBuilder:
    def __init__(self, tariff: "Tariff", capacity: int = 4096) -> None:
        self.tariff = tariff
        self.b = _c.pyprepay_bill_t(capacity)
        check(_c.pyprepay_bill_init(self.b, tariff._set(0)))

    def finish(self) -> Bill:
        check(_c.pyprepay_bill_finish(self.b))
        return self.tariff._bill_from(self.b)


class TariffStream:
    """Streaming pricing state of one account: feed intervals or register readings as they come."""

    def __init__(self, tariff: "Tariff", bill: bool = True) -> None:
        self.tariff = tariff
        self._state = _c.prepay_tariff_state_t()
        check(_c.prepay_tariff_state_init(self._state))
        self._bill = _BillBuilder(tariff) if bill else None

    def _call(self, kind: int, a: int, b: int, energy: int) -> FeedResult:
        status, lines, units, nanos, due = _c.pyprepay_feed(self.tariff._plan, self.tariff._account, self._state, kind,
                                                             a, b, energy, self._bill.b if self._bill else None)
        check(status)
        names = self.tariff.band_names
        return FeedResult(tuple(_line(t, names) for t in lines), amount_to_decimal(units, nanos), fen_to_yuan(due), due)

    def feed_interval(self, start: TimeLike, end: TimeLike, energy: int) -> FeedResult:
        """Prices ``energy`` Wh consumed over [start, end)."""
        return self._call(0, self.tariff._time(start), self.tariff._time(end), int(energy))

    def feed_reading(self, at: TimeLike, reading: int) -> FeedResult:
        """Prices the register advance up to ``reading`` Wh at ``at`` (the first reading only primes)."""
        return self._call(1, self.tariff._time(at), 0, int(reading))

    def close_cycle(self) -> FeedResult:
        """Closes the current cycle (proportional mode assigns its tiers now)."""
        return self._call(2, 0, 0, 0)

    @property
    def charged(self) -> Decimal:
        """Sum of the ``due`` figures so far."""
        return fen_to_yuan(self._state.charged)

    def bill(self) -> Bill:
        """The bill of everything fed so far."""
        if not self._bill:
            raise ValueError("stream created with bill=False")
        return self._bill.finish()


class Tariff:
    """A tariff document loaded from a file (libprepay JSON, OpenEI URDB or NREL SAM)."""

    def __init__(self, doc, zone: Optional[_dt.tzinfo] = None) -> None:
        """Wraps a loaded C document; ``zone``: the zone of the tariff's local time (see :attr:`zone`)."""
        self._doc = doc
        self.zone = check_zone(zone)
        self._plan = _c.prepay_tariff_plan_t()
        check(_c.prepay_tariff_doc_plan(doc, self._plan))
        self._account = doc.account
        self.band_names: List[str] = [doc.band_name(b) or "" for b in range(1, doc.set(0).band_count + 1)]

    @classmethod
    def load(cls, path: Union[str, os.PathLike], zone: Optional[_dt.tzinfo] = None) -> "Tariff":
        """Loads a tariff file (format chosen by its ``format`` member). HostedError with the loader's message
        (also a ValueError for a bad document, FileNotFoundError for a missing file). ``zone``: see :attr:`zone`."""
        doc = _c.prepay_tariff_doc_t()
        status, message = _c.prepay_tariff_doc_load_file(os.fspath(path), doc)
        check(status, message, os.fspath(path))
        return cls(doc, zone)

    def _time(self, value: TimeLike) -> int:
        return to_time(value, self.zone)

    @classmethod
    def load_urdb(cls, path: Union[str, os.PathLike], rate_scale: Optional[DecimalLike] = None,
                  zone: Optional[_dt.tzinfo] = None) -> "Tariff":
        """Imports an OpenEI URDB rate or NREL SAM utilityrate5 inputs; ``rate_scale`` scales every price exactly
        (SAM's escalation, e.g. Decimal('1.025') for year 2 at 2.5 %)."""
        if isinstance(rate_scale, float):
            raise TypeError("rate_scale must be Decimal, str or int, never float")
        opts = _c.prepay_tariff_urdb_options_t()
        if rate_scale is not None:
            opts.rate_scale = format(Decimal(rate_scale), "f") if not isinstance(rate_scale, str) else rate_scale
        doc = _c.prepay_tariff_doc_t()
        status, message = _c.prepay_tariff_urdb_load_file(os.fspath(path), opts, doc)
        check(status, message, os.fspath(path))
        return cls(doc, zone)

    @classmethod
    def loads(cls, text: Union[str, bytes], origin: str = "<memory>", zone: Optional[_dt.tzinfo] = None) -> "Tariff":
        """Loads a libprepay tariff JSON document from a string. ``zone``: see :attr:`zone`."""
        doc = _c.prepay_tariff_doc_t()
        status, message = _c.prepay_tariff_json_load_buffer(text, origin, doc)
        check(status, message)
        return cls(doc, zone)

    #: The zone of the tariff's local time (a tzinfo), or None. Tariff documents carry no zone (their
    #: times are local civil time, docs/tariff-json.md), so the caller names it: with a zone, aware
    #: datetimes given to this tariff are converted to it; without, they are refused (ValueError).
    zone: Optional[_dt.tzinfo] = None

    def _set(self, index: int):
        return self._doc.set(index)

    # ---- description ----
    @property
    def name(self) -> str:
        """The tariff's name."""
        return self._doc.name

    @property
    def currency(self) -> str:
        """The currency code (informational)."""
        return self._doc.currency

    @property
    def format(self) -> TariffDocFormat:
        """The source document's format."""
        return TariffDocFormat(self._doc.format)

    @property
    def unit(self) -> TariffUnit:
        """Energy (kWh) or water (m3)."""
        return TariffUnit(self._set(0).unit)

    @property
    def band_count(self) -> int:
        """Number of TOU bands."""
        return self._set(0).band_count

    @property
    def tier_count(self) -> int:
        """Number of ladder tiers."""
        return self._set(0).tier_count

    @property
    def has_set_b(self) -> bool:
        """Whether the document has a second price set."""
        return bool(self._doc.has_set_b)

    def __repr__(self) -> str:
        return f"<Tariff {self.name!r} bands={self.band_names} tiers={self.tier_count}>"

    # ---- queries ----
    def price(self, band: int, tier: int = 1, price_set: int = 0) -> Decimal:
        """Unit price of a band and tier (Decimal, 8 places)."""
        return price_to_decimal(unpack(_c.prepay_tariff_price(self._set(price_set), band, tier)))

    def band_at(self, at: TimeLike) -> int:
        """The band in force at an instant."""
        return unpack(_c.prepay_tariff_band_at(self._set(0), self._time(at)))

    def cycle_of(self, at: TimeLike) -> int:
        """The tier-cycle id containing an instant."""
        return unpack(_c.prepay_tariff_cycle_of(self._set(0), self._time(at)))

    def cycle_bounds(self, cycle: int) -> Tuple[_dt.datetime, _dt.datetime]:
        """[start, end) of a cycle."""
        start, end = unpack(_c.prepay_tariff_cycle_bounds(self._set(0), cycle))
        return from_time(start), from_time(end)

    def tier_bounds(self, cycle: int) -> List[int]:
        """Cumulative tier upper bounds (Wh) of a cycle for the document's account."""
        status, bounds = _c.pyprepay_tier_bounds(self._set(0), self._account, cycle)
        check(status)
        return bounds

    # ---- evaluation ----
    def _bill_from(self, b) -> Bill:
        bill = b.bill
        names = self.band_names
        lines = tuple(_line(t, names) for t in _c.pyprepay_bill_lines(b))
        bands = tuple(amount_to_decimal(u, n) for u, n in _c.pyprepay_bill_band_subtotals(b, self.band_count))
        tiers = tuple(amount_to_decimal(u, n) for u, n in _c.pyprepay_bill_tier_subtotals(b, self.tier_count))
        return Bill(lines, fen_to_yuan(bill.total), bill.total,
                    amount_to_decimal(bill.exact_total.units, bill.exact_total.nanos), bill.energy_total,
                    amount_to_decimal(bill.energy_subtotal.units, bill.energy_subtotal.nanos),
                    amount_to_decimal(bill.fixed_subtotal.units, bill.fixed_subtotal.nanos), bands, tiers,
                    Rounding(bill.rounding), RoundScope(bill.scope))

    def new_bill_buffer(self, capacity: int = 4096):
        """A reusable C bill (for :meth:`evaluate_arrays` in loops over many meters)."""
        return _c.pyprepay_bill_t(capacity)

    def evaluate_arrays(self, starts, ends, energies, *, bill_buffer=None, summary_only: bool = False):
        """Batch evaluation in ONE C call over three int64 buffers (array('q'), numpy int64, memoryview 'q').

        Returns a :class:`Bill`, or with ``summary_only`` just the total in fen (fastest).
        """
        b = bill_buffer if bill_buffer is not None else _c.pyprepay_bill_t(4096)
        check(_c.pyprepay_bill_init(b, self._set(0)))
        status = _c.pyprepay_eval_arrays(self._plan, self._account, None, b, starts, ends, energies, 1)
        if status == _c.PREPAY_E_BUFFER_TOO_SMALL and bill_buffer is None:
            b = _c.pyprepay_bill_t(max(b.bill.lines_needed, 1))
            check(_c.pyprepay_bill_init(b, self._set(0)))
            status = _c.pyprepay_eval_arrays(self._plan, self._account, None, b, starts, ends, energies, 1)
        check(status)
        return b.bill.total if summary_only else self._bill_from(b)

    def evaluate_packed(self, intervals, *, bill_buffer=None, summary_only: bool = False):
        """Batch evaluation of ONE int64 buffer of (start, end, energy) triples, used in place (no copy)."""
        b = bill_buffer if bill_buffer is not None else _c.pyprepay_bill_t(4096)
        check(_c.pyprepay_bill_init(b, self._set(0)))
        check(_c.pyprepay_eval_packed(self._plan, self._account, None, b, intervals, 1))
        return b.bill.total if summary_only else self._bill_from(b)

    def evaluate(self, intervals: Iterable[Interval]) -> Bill:
        """Bills (start, end, energy Wh) intervals in time order (one batch call)."""
        return self.evaluate_arrays(*intervals_to_arrays(intervals, self.zone))

    def stream(self, bill: bool = True) -> TariffStream:
        """A streaming state for one account."""
        return TariffStream(self, bill)

    def vend(self, money: DecimalLike, at: TimeLike, band: int = 0, quantum: int = 1,
             stream: Optional[TariffStream] = None) -> Tuple[int, Decimal]:
        """Energy (Wh, a multiple of ``quantum``) that ``money`` yuan buys at ``at``, and its exact cost."""
        cost = _c.prepay_amount_t()
        energy = unpack(_c.prepay_tariff_vend(self._plan, self._account, stream._state if stream else None,
                                              self._time(at), band, yuan_to_fen(money), quantum, cost))
        return energy, amount_to_decimal(cost.units, cost.nanos)


def load(path: Union[str, os.PathLike], zone: Optional[_dt.tzinfo] = None) -> Tariff:
    """Same as :meth:`Tariff.load`."""
    return Tariff.load(path, zone)
