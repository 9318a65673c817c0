# SPDX-License-Identifier: MIT
"""Server-side validation of form and API values into the platform's units (fen, Wh, ids)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .errors import InputError

_MONEY = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
_NAME = re.compile(r"^[^\x00-\x1f<>]{1,64}$")
_ADDRESS = re.compile(r"^\d{12}$")


def money_fen(value, field: str = "amount", allow_zero: bool = False) -> int:
    """'12.34' yuan -> 1234 fen; at most 2 decimals, positive (or zero when allowed), below 10^9 yuan."""
    text = str(value if value is not None else "").strip()
    if not _MONEY.match(text):
        raise InputError(f"{field}: give an amount in yuan with at most 2 decimals, e.g. 50.00 (got {text!r})", field)
    fen = int((Decimal(text) * 100).to_integral_value())
    if fen == 0 and not allow_zero:
        raise InputError(f"{field}: must be more than 0.00", field)
    return fen


def name(value, field: str = "name") -> str:
    """A display name: 1..64 characters, no control characters or angle brackets."""
    text = str(value if value is not None else "").strip()
    if not _NAME.match(text):
        raise InputError(f"{field}: 1 to 64 characters, no control characters or < >", field)
    return text


def ident(value, field: str = "id") -> int:
    """A positive integer id."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise InputError(f"{field}: must be a whole number", field) from None
    if not 0 < n < 2 ** 27:
        raise InputError(f"{field}: must be between 1 and {2 ** 27 - 1}", field)
    return n


def address(value, field: str = "address") -> str:
    """A DL/T 645 / CJ/T 188 address as printed on the meter: 12 digits."""
    text = str(value if value is not None else "").strip()
    if not _ADDRESS.match(text):
        raise InputError(f"{field}: 12 digits as printed on the meter (got {text!r})", field)
    return text


def area_centi(value, field: str = "area") -> int:
    """m2 with at most 2 decimals -> hundredths."""
    text = str(value if value is not None else "0").strip() or "0"
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise InputError(f"{field}: a number of m2, e.g. 35.50", field) from None
    if d < 0 or d >= 10 ** 6 or d != d.quantize(Decimal("0.01")):
        raise InputError(f"{field}: a number of m2 from 0 to 999999.99 with at most 2 decimals", field)
    return int(d * 100)


def choice(value, allowed, field: str) -> str:
    """One of ``allowed``."""
    text = str(value if value is not None else "").strip()
    if text not in allowed:
        raise InputError(f"{field}: one of {', '.join(allowed)}", field)
    return text
