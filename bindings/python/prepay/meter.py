# SPDX-License-Identifier: MIT
"""The reference prepaid meter: clock, energy registers, purse, relay, DL/T 645 frames in and out."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Optional, Union

from . import c_api as _c
from ._enums import MeterCondition, MeterMode
from ._errors import check
from ._units import DecimalLike, TimeLike, fen_to_yuan, from_time, to_time, yuan_to_fen
from .dlt645 import Address
from .tariff import Tariff
from .wallet import Policy

__all__ = ["Meter"]


class Meter:
    """A simulated prepaid meter answering DL/T 645 frames."""

    def __init__(self, address: Union[Address, str], clock: TimeLike) -> None:
        self._m = _c.prepay_meter_t()
        self._keep = []
        self._supervision = None
        check(_c.prepay_meter_init(self._m, Address.parse(address)._c(), to_time(clock)))

    def bind(self, tariff: Tariff, policy: Optional[Policy] = None, writable: bool = False) -> None:
        """Binds a tariff (its price sets) and a wallet policy for local cost control."""
        p = policy._c() if policy is not None else None
        self._keep = [tariff, p]
        check(_c.prepay_meter_bind(self._m, tariff._set(0), tariff._set(1) if tariff.has_set_b else None, writable,
                                   p, tariff._account))

    def set_mode(self, mode: MeterMode) -> None:
        """Sets the cost-control mode."""
        check(_c.prepay_meter_set_mode(self._m, int(mode)))

    def set_purse_parameters(self, alarm1: DecimalLike, alarm2: DecimalLike, overdraft_limit: DecimalLike = 0,
                             hoarding_limit: DecimalLike = 0, close_allowed: DecimalLike = 0) -> None:
        """Sets the purse's alarm amounts, overdraft, hoarding and close-allowed limits (Decimal yuan)."""
        check(_c.prepay_meter_set_purse_parameters(self._m, yuan_to_fen(alarm1), yuan_to_fen(alarm2),
                                                   yuan_to_fen(overdraft_limit), yuan_to_fen(hoarding_limit),
                                                   yuan_to_fen(close_allowed)))

    def supervise(self, wiring: int = 0, rated_voltage: int = 2200, basic_current: int = 50000,
                  max_current: int = 600000, limit_watts: int = 0, over_cycles: int = 5,
                  restore_seconds: int = 300) -> None:
        """Attaches event judgement, load control and voltage statistics (meter_supervision.h).

        ``wiring`` 0 single phase, 1 three-phase four-wire, 2 three-wire; Un in 0.1 V, Ib and Imax in
        0.1 mA (the published defaults follow from them); load control trips above ``limit_watts``
        (0: none) for more than ``over_cycles`` seconds and restores after ``restore_seconds``.
        """
        sup = _c.prepay_meter_supervision_t()
        check(_c.prepay_meter_supervision_init(sup, int(wiring), int(rated_voltage), int(basic_current),
                                               int(max_current)))
        sup.lc_params.limit_power = int(limit_watts)
        sup.lc_params.over_cycles = int(over_cycles)
        sup.lc_params.restore_seconds = int(restore_seconds)
        check(_c.prepay_meter_attach_supervision(self._m, sup))
        self._supervision = sup  # the meter keeps a pointer to it

    def set_sensors(self, flags: int) -> None:
        """Sets the sensor flags (PREPAY_EVENTS_FLAG_*: cover 4, terminal cover 8, magnet 16) now."""
        check(_c.prepay_meter_set_sensors(self._m, int(flags)))

    def event_count(self, kind: int, phase: int = 0) -> int:
        """Events of a kind (``prepay_events_kind_t``) started since the last clear (needs supervise())."""
        r = _c.pyprepay_events_counts(self._supervision.events, int(kind), int(phase))
        check(r[0])
        return r[1]

    def set_password(self, level: int, password: bytes) -> None:
        """Sets the password of a level (3 bytes)."""
        check(_c.pyprepay_meter_set_password(self._m, level, bytes(password)))

    def advance(self, seconds: int, watts: int) -> None:
        """Lets ``seconds`` pass under a constant load of ``watts``."""
        check(_c.pyprepay_meter_advance_constant(self._m, int(seconds), int(watts)))

    def recharge(self, amount: DecimalLike, count: int, now: Optional[TimeLike] = None) -> bool:
        """Adds money (purchase count must be the meter's + 1); False for a repeated recharge."""
        r = check(_c.prepay_meter_recharge(self._m, to_time(now) if now is not None else self._m.clock,
                                           yuan_to_fen(amount), count))
        return r == 0

    def press_button(self) -> None:
        """Presses the meter's button (acknowledges a pre-trip)."""
        check(_c.prepay_meter_press_button(self._m))

    def report(self, condition: MeterCondition, active: bool) -> None:
        """Reports a condition (cover open, ...) as active or cleared."""
        check(_c.prepay_meter_report(self._m, int(condition), active))

    def handle(self, request: Union[bytes, bytearray, memoryview], now: Optional[TimeLike] = None) -> bytes:
        """Answers a request frame; returns the reply bytes (b'' when no reply is due)."""
        n, reply = _c.prepay_meter_handle(self._m, to_time(now) if now is not None else self._m.clock, request)
        check(n)
        return reply

    def read(self, di: int) -> bytes:
        """The data a read of ``di`` returns (0x33 removed)."""
        n, data = _c.prepay_meter_read(self._m, di)
        check(n, f"DI {di:08X}")
        return data

    @property
    def clock(self) -> _dt.datetime:
        """The meter's clock (naive local datetime)."""
        return from_time(self._m.clock)

    @property
    def balance(self) -> Decimal:
        """The purse balance (Decimal yuan)."""
        return fen_to_yuan(self._m.purse.balance)

    @property
    def purchase_count(self) -> int:
        """Purchases accepted so far."""
        return self._m.purse.purchase_count

    @property
    def relay_open(self) -> bool:
        """Whether the relay is open."""
        return bool(self._m.relay & _c.PREPAY_METER_RELAY_OPEN)

    @property
    def alarm_level(self) -> int:
        """The purse alarm level."""
        return self._m.alarm_level

    def energy(self, tariff: int = 0, reverse: bool = False) -> int:
        """Energy register in Wh: 0 = total, i = tariff i."""
        return self._m.reverse_wh(tariff) if reverse else self._m.forward_wh(tariff)

    @property
    def address(self) -> Address:
        """The meter's DL/T 645 address."""
        return Address(self._m.address.get_bytes())
