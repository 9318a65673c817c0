# SPDX-License-Identifier: MIT
"""Exact conversions at the edges: money, prices, energy and time. Never through float."""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Optional, Union

from . import c_api as _c
from ._errors import Error, check, error_for

__all__ = [
    "DecimalLike", "TimeLike", "fen_to_yuan", "yuan_to_fen", "price_to_decimal", "decimal_to_price",
    "amount_to_decimal", "money", "parse_rounded", "wh_to_kwh", "kwh_to_wh", "to_time", "from_time", "to_days", "from_days",
    "check_zone", "EPOCH",
]

DecimalLike = Union[Decimal, str, int]
TimeLike = Union[int, _dt.datetime, _dt.date]

#: prepay_time_t 0: 2000-01-01 00:00:00 local civil time.
EPOCH = _dt.datetime(2000, 1, 1)
_ONE_SECOND = _dt.timedelta(seconds=1)


def _fixed_text(value: int, decimals: int) -> str:
    n, text = _c.prepay_fixed_format(int(value), decimals)
    check(n)
    return text


def _parse(value: DecimalLike, decimals: int, what: str) -> int:
    if isinstance(value, float):
        raise TypeError(f"{what} must be Decimal, str or int, never float (binary floats are not exact)")
    if isinstance(value, bool):
        raise TypeError(f"{what} must be Decimal, str or int")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise Error(_c.PREPAY_E_INVALID_ARGUMENT, f"{what} is not finite: {value}")
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise TypeError(f"{what} must be Decimal, str or int, not {type(value).__name__}")
    status, out = _c.prepay_fixed_parse(text, decimals)
    check(status, f"{what} {text!r} (at most {decimals} decimals)")
    return out


def fen_to_yuan(fen: int) -> Decimal:
    """Minor units (fen) to a Decimal with 2 places: 1234 -> Decimal('12.34')."""
    return Decimal(_fixed_text(fen, 2))


def yuan_to_fen(yuan: DecimalLike) -> int:
    """A Decimal, str or int amount to fen, exactly; more than 2 decimals is refused (no rounding)."""
    return _parse(yuan, 2, "money")


def price_to_decimal(price: int) -> Decimal:
    """A price in 1e-8 per kWh to a Decimal with 8 places: 58886875 -> Decimal('0.58886875')."""
    return Decimal(_fixed_text(price, 8))


def decimal_to_price(value: DecimalLike) -> int:
    """A Decimal/str/int price per kWh to 1e-8 units, exactly; more than 8 decimals is refused."""
    return _parse(value, 8, "price")


def amount_to_decimal(units: int, nanos: int = 0) -> Decimal:
    """An exact prepay_amount_t (fen + nanos of a fen) to Decimal yuan (11 places when nanos != 0)."""
    if nanos == 0:
        return fen_to_yuan(units)
    total = int(units) * 1_000_000_000 + int(nanos)
    text = format(Decimal(total).scaleb(-11), "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    return Decimal(f"{whole}.{frac.ljust(2, '0')}")


def money(value: DecimalLike) -> Decimal:
    """Normalises a money value to Decimal yuan with 2 places (exactly; more decimals are refused)."""
    return fen_to_yuan(yuan_to_fen(value))


def wh_to_kwh(wh: int) -> Decimal:
    """Wh to a Decimal kWh with 3 places."""
    return Decimal(_fixed_text(wh, 3))


def kwh_to_wh(kwh: DecimalLike) -> int:
    """A Decimal/str/int kWh to Wh, exactly (at most 3 decimals)."""
    return _parse(kwh, 3, "energy")


def parse_rounded(text: str, decimals: int, mode: int = 0) -> int:
    """A decimal string of any length rounded exactly (once) to ``decimals`` places, as a scaled integer:
    ('0.40864765644073486', 3) -> 409 (half-up by default; ``mode`` is a :class:`prepay.Rounding`)."""
    status, out = _c.prepay_tariff_json_parse_rounded(text, decimals, int(mode))
    check(status, repr(text))
    return out


def to_time(value: TimeLike, zone: Optional[_dt.tzinfo] = None) -> int:
    """prepay_time_t (local civil seconds since 2000-01-01) from an int, a naive datetime or a date.

    libprepay's times are the meters' and tariffs' local civil time (no zone: docs/units.md). A
    timezone-aware datetime is converted to ``zone`` (a :class:`zoneinfo.ZoneInfo` or a fixed
    :class:`datetime.timezone` offset: the zone of the tariff's local time) and then used as local
    time. Without ``zone`` an aware datetime is refused (ValueError): its zone would otherwise be
    silently ignored and a server holding UTC would get the wrong band.
    """
    if isinstance(value, bool):
        raise TypeError("time must be int, datetime or date")
    if isinstance(value, int):
        return value
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            if zone is None:
                raise error_for(_c.PREPAY_E_INVALID_ARGUMENT,
                                f"timezone-aware datetime {value.isoformat()} but no local zone is known: tariff times "
                                "are local civil time; give the zone (Tariff.load(path, zone=ZoneInfo('Asia/Shanghai')), "
                                "Site(..., zone=...)) or pass a naive local datetime "
                                "(value.astimezone(zone).replace(tzinfo=None))")
            value = value.astimezone(zone)
        value = value.replace(tzinfo=None)
        return (value - EPOCH) // _ONE_SECOND
    if isinstance(value, _dt.date):
        return (_dt.datetime(value.year, value.month, value.day) - EPOCH) // _ONE_SECOND
    raise TypeError(f"time must be int, datetime or date, not {type(value).__name__}")


def check_zone(zone: Optional[_dt.tzinfo]) -> Optional[_dt.tzinfo]:
    """Returns ``zone`` if it is None or a :class:`datetime.tzinfo`; raises TypeError otherwise."""
    if zone is not None and not isinstance(zone, _dt.tzinfo):
        raise TypeError(f"zone must be a datetime.tzinfo (zoneinfo.ZoneInfo or datetime.timezone), not "
                        f"{type(zone).__name__}")
    return zone


def from_time(t: int) -> _dt.datetime:
    """A naive local datetime from prepay_time_t."""
    return EPOCH + _dt.timedelta(seconds=int(t))


def to_days(value: Union[int, _dt.date]) -> int:
    """prepay_days_t (days since 2000-01-01) from an int or a date."""
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return (value - EPOCH.date()).days
    return int(value)


def from_days(days: int) -> _dt.date:
    """A date from prepay_days_t."""
    return EPOCH.date() + _dt.timedelta(days=int(days))
