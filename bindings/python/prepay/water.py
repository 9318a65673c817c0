# SPDX-License-Identifier: MIT
"""The reference prepaid water meter: volume register, purse, price table, valve rules, CJ/T 188 and Modbus.

Volumes are int litres; in money mode amounts are Decimal yuan (2 places), in volume mode int litres;
prices Decimal yuan per m3; times naive local datetimes or int seconds since 2000-01-01. A thin layer
over ``prepay/water_meter.h``; see docs/water.md (valve rules and their sources).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from typing import List, Optional, Tuple, Union

from . import c_api as _c
from ._enums import Status, WaterActor, WaterCondition, WaterEvent, WaterHold, WaterMode
from ._errors import WaterError, check
from ._units import DecimalLike, TimeLike, fen_to_yuan, from_time, to_time, yuan_to_fen
from .cjt188 import COLD_WATER, PriceTable, _address_c, address_text

BytesLike = Union[bytes, bytearray, memoryview]
Amount = Union[Decimal, int]

__all__ = ["WaterMeter", "Record", "REPEAT"]

#: Returned by :meth:`WaterMeter.purchase` for a replayed purchase serial (nothing credited).
REPEAT = "repeat"


@dataclass(frozen=True)
class Record:
    """One event record (most recent first in :attr:`WaterMeter.records`)."""
    kind: WaterEvent
    start: _dt.datetime
    end: Optional[_dt.datetime]   #: None while ongoing and for instant events
    detail: int
    aux: int
    ongoing: bool


class WaterMeter:
    """A simulated valve-controlled prepaid water meter answering CJ/T 188 and Modbus RTU requests."""

    def __init__(self, mode: WaterMode, address: str, clock: TimeLike, meter_type: int = COLD_WATER,
                 modbus_unit: int = 1) -> None:
        self._m = _c.prepay_water_meter_t()
        check(_c.prepay_water_meter_init(self._m, int(mode), int(meter_type), _address_c(address), int(modbus_unit),
                                         to_time(clock)))

    # ---- units ---------------------------------------------------------------------------
    def _to_purse(self, amount: Union[DecimalLike, int]) -> int:
        """Purse units: fen in money mode, litres otherwise."""
        if self.mode == WaterMode.MONEY:
            return yuan_to_fen(amount)
        if isinstance(amount, int):
            return amount
        raise WaterError(_c.PREPAY_E_INVALID_ARGUMENT, "volume purses count whole litres (int)")

    def _from_purse(self, units: int) -> Amount:
        return fen_to_yuan(units) if self.mode == WaterMode.MONEY else int(units)

    def _now(self, now: Optional[TimeLike]) -> int:
        return to_time(now) if now is not None else self._m.clock

    # ---- set-up -------------------------------------------------------------------------
    def set_purse(self, alarm: Union[DecimalLike, int], overdraft_limit: Union[DecimalLike, int] = 0,
                  hoarding_limit: Union[DecimalLike, int] = 0) -> None:
        """Alarm threshold, overdraft and hoarding limit (0 = none), in yuan (money) or litres (volume)."""
        check(_c.prepay_water_meter_set_purse(self._m, self._to_purse(alarm), self._to_purse(overdraft_limit),
                                              self._to_purse(hoarding_limit)))

    def set_serial_bcd(self, bcd: bool) -> None:
        """Whether purchase serials are BCD on the wire."""
        check(_c.prepay_water_meter_set_serial_bcd(self._m, bool(bcd)))

    def set_valve_rules(self, battery_close_delay: int, battery_reopen_window: int) -> None:
        """Low-battery rules in seconds (default 0 and 3 days)."""
        r = _c.prepay_water_valve_rules_t()
        r.battery_close_delay = int(battery_close_delay)
        r.battery_reopen_window = int(battery_reopen_window)
        check(_c.prepay_water_meter_set_valve_rules(self._m, r))

    def set_prices(self, table: PriceTable) -> None:
        """Sets the price table now."""
        check(_c.prepay_water_meter_set_prices(self._m, table._c()))

    def schedule_prices(self, table: PriceTable, at: TimeLike) -> None:
        """Schedules a price table to take effect at ``at``."""
        check(_c.prepay_water_meter_schedule_prices(self._m, table._c(), to_time(at)))

    def set_cycle(self, settlement_day: int, cycle_month: int = 0) -> None:
        """Settlement day 1..31; ladder cycle monthly (0) or yearly from a month (1..12)."""
        check(_c.prepay_water_meter_set_cycle(self._m, int(settlement_day), int(cycle_month)))

    def set_programming(self, on: bool) -> None:
        """Switches programming mode on or off."""
        check(_c.prepay_water_meter_set_programming(self._m, bool(on)))

    def set_battery_voltage(self, millivolts: int) -> None:
        """Sets the measured battery voltage (mV)."""
        check(_c.prepay_water_meter_set_battery_voltage(self._m, int(millivolts)))

    # ---- operation ------------------------------------------------------------------------
    def advance(self, now: TimeLike, litres: int = 0) -> None:
        """Registers ``litres`` that passed by ``now`` (priced in the second before it)."""
        check(_c.prepay_water_meter_advance(self._m, to_time(now), int(litres)))

    def pulses(self, now: TimeLike, count: int) -> None:
        """Counts ``count`` flow pulses at ``now``."""
        check(_c.prepay_water_meter_pulses(self._m, to_time(now), int(count)))

    def litres_until_close(self) -> Optional[int]:
        """Litres before the purse rules close the valve; None when they cannot (remote mode, free water)."""
        status, litres = _c.prepay_water_meter_litres_until_close(self._m)
        check(status)
        return None if litres >= 2 ** 63 - 1 else litres

    def purchase(self, serial: int, amount: Union[DecimalLike, int], now: Optional[TimeLike] = None) -> bool:
        """Credits a top-up; False for a replay of the last serial (nothing credited). Raises on refusal."""
        r = check(_c.prepay_water_meter_purchase(self._m, self._now(now), int(serial), self._to_purse(amount)))
        return r == 0

    def set_balance(self, litres: int, now: Optional[TimeLike] = None) -> None:
        """Volume mode: sets the remaining volume (what a Modbus 0008H write does)."""
        check(_c.prepay_water_meter_set_balance(self._m, self._now(now), int(litres)))

    def valve(self, open: bool, actor: WaterActor = WaterActor.STATION, now: Optional[TimeLike] = None) -> None:
        """Opens or closes under the valve rules; raises WaterError (VALVE_REFUSED) if an open is refused."""
        check(_c.prepay_water_meter_valve(self._m, self._now(now), int(actor), bool(open)))

    def may_open(self, actor: WaterActor = WaterActor.STATION) -> Tuple[bool, WaterHold]:
        """Whether an open by ``actor`` would be allowed, and the holds that would refuse it."""
        status, blocking = _c.prepay_water_meter_may_open(self._m, int(actor))
        if status not in (0, Status.E_WATER_VALVE_REFUSED):
            check(status)
        return status == 0, WaterHold(blocking)

    def report(self, condition: WaterCondition, active: bool, now: Optional[TimeLike] = None) -> None:
        """Reports a condition as active or cleared."""
        check(_c.prepay_water_meter_report(self._m, self._now(now), int(condition), bool(active)))

    def handle_cjt188(self, request: BytesLike, now: Optional[TimeLike] = None) -> bytes:
        """Answers a CJ/T 188 request frame; b'' when no reply is due."""
        n, reply = _c.prepay_water_meter_handle_cjt188(self._m, self._now(now), bytes(request))
        check(n)
        return reply

    def handle_modbus(self, request: BytesLike, now: Optional[TimeLike] = None) -> bytes:
        """Answers a Modbus RTU request ADU; b'' when no reply is due."""
        n, reply = _c.prepay_water_meter_handle_modbus(self._m, self._now(now), bytes(request))
        check(n)
        return reply

    def check_state(self) -> Optional[str]:
        """None if every member is in its domain, else the name of the first that is not."""
        return _c.pyprepay_water_meter_check_state(self._m)

    # ---- state ------------------------------------------------------------------------------
    @property
    def mode(self) -> WaterMode:
        """Money or volume purse."""
        return WaterMode(self._m.mode)

    @property
    def clock(self) -> _dt.datetime:
        """The meter's clock (naive local datetime)."""
        return from_time(self._m.clock)

    @property
    def address(self) -> str:
        """The CJ/T 188 address text."""
        return address_text(self._m.get_address())

    @property
    def modbus_unit(self) -> int:
        """The Modbus unit id."""
        return self._m.modbus_unit

    @property
    def volume(self) -> int:
        """Forward volume register, litres."""
        return self._m.volume

    @property
    def cycle_volume(self) -> int:
        """Litres in the current ladder cycle."""
        return self._m.cycle_volume

    @property
    def balance(self) -> Amount:
        """Purse: Decimal yuan (money mode) or int litres (volume mode); 0 in remote mode."""
        return self._from_purse(self._m.balance)

    @property
    def charged(self) -> Decimal:
        """Money charged in total (money mode)."""
        return fen_to_yuan(self._m.charged)

    @property
    def purchase_total(self) -> Amount:
        """Sum of the purchases accepted."""
        return self._from_purse(self._m.purchase_total)

    @property
    def purchase_serial(self) -> Optional[int]:
        """The last purchase serial, or None before the first."""
        return self._m.purchase_serial if self._m.has_purchase else None

    @property
    def valve_open(self) -> bool:
        """Whether the valve is open."""
        return bool(_c.prepay_water_meter_valve_open(self._m))

    @property
    def holds(self) -> WaterHold:
        """Reasons the valve is held closed."""
        return WaterHold(self._m.holds)

    @property
    def status_word(self) -> int:
        """ST: valve bits 1..0, battery bit 2, reference-meter bits 3..10 (docs/water.md)."""
        return _c.prepay_water_meter_status_word(self._m)

    @property
    def prices(self) -> PriceTable:
        """The price table in force."""
        return PriceTable._from_c(self._m.price_table_at(0))

    @property
    def history(self) -> List[int]:
        """Settlement-day readings in litres, last month first."""
        return [self._m.history_at(i) for i in range(self._m.history_count)]

    def event_count(self, kind: WaterEvent) -> int:
        """How many times an event kind occurred."""
        return self._m.event_count(int(kind))

    @property
    def records(self) -> List[Record]:
        """The kept event records, most recent first."""
        out = []
        for i in range(64):  # PREPAY_WATER_EVENT_RECORDS <= 64 (config_check.h); record_at() is zeroed past it
            r = self._m.record_at(i)
            if not r.flags & _c.PREPAY_WATER_RECORD_USED:
                continue
            ongoing = bool(r.flags & _c.PREPAY_WATER_RECORD_ONGOING)
            ended = not ongoing and r.end != 0
            out.append(Record(WaterEvent(r.kind), from_time(r.start), from_time(r.end) if ended else None, r.detail,
                              r.aux, ongoing))
        return out
