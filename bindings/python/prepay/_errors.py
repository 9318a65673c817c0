# SPDX-License-Identifier: MIT
"""Exceptions of the Pythonic layer: one class per status-code module (see prepay/status.h).

Each raised exception is also an instance of the built-in type a Python caller would catch for
it: :class:`ValueError` for input that is malformed, out of range or inconsistent (a bad frame, a
bad tariff, an invalid transfer), :class:`KeyError` for an id that names nothing (an unknown
account, meter or transfer), :class:`OSError` for I/O (and :class:`FileNotFoundError` when the
file named is missing), :class:`MemoryError` when the hosted allocator failed. Codes that are none
of these (a full ledger, insufficient funds, a bad state) raise the module class alone.
``except prepay.LedgerError`` and ``except KeyError`` both catch an unknown ledger account.
"""
from __future__ import annotations

import errno as _errno
import os as _os
from typing import Dict, Optional, Tuple, Type

from . import c_api as _c

__all__ = [
    "Error", "DLT645Error", "TariffError", "LedgerError", "WalletError", "JournalError",
    "AllocationError", "BillingError", "MeterError", "StationError", "HostedError", "ReportError",
    "LoadProfileError", "CJT188Error", "ModbusError", "EventsError", "AnalysisError", "WaterError",
    "SettlementError", "PaymentError", "OutboxError", "TransportError", "error_for", "builtin_for", "check", "strerror", "status_module",
]


class Error(Exception):
    """A libprepay call failed. ``code`` is the negative status; ``strerror`` its text.

    Generic codes (module 0: invalid argument, overflow, capacity, ...) raise this class
    itself; module codes raise the module's subclass.
    """

    module = _c.PREPAY_MODULE_COMMON

    def __init__(self, code: int, detail: Optional[str] = None) -> None:
        self.code = int(code)
        self.strerror = _c.prepay_strerror(self.code)
        self.detail = detail
        text = f"{self.strerror} (status {self.code})"
        if detail:
            text += f": {detail}"
        super().__init__(text)

    def __str__(self) -> str:
        """The message (also for the KeyError flavour, which would otherwise print it quoted)."""
        return str(self.args[0]) if self.args else ""


class DLT645Error(Error):
    """DL/T 645 codec, stream parser, catalogue and typed values (module 1)."""
    module = _c.PREPAY_MODULE_DLT645


class TariffError(Error):
    """Tariff model and evaluation (module 2)."""
    module = _c.PREPAY_MODULE_TARIFF


class LedgerError(Error):
    """Double-entry ledger (module 3)."""
    module = _c.PREPAY_MODULE_LEDGER


class WalletError(Error):
    """Wallet policy (module 4)."""
    module = _c.PREPAY_MODULE_WALLET


class JournalError(Error):
    """Durable journal (module 5)."""
    module = _c.PREPAY_MODULE_JOURNAL


class AllocationError(Error):
    """Common-area allocation (module 6)."""
    module = _c.PREPAY_MODULE_ALLOCATION


class BillingError(Error):
    """Charge items, statements, arrears (module 7)."""
    module = _c.PREPAY_MODULE_BILLING


class MeterError(Error):
    """Reference prepaid meter (module 8)."""
    module = _c.PREPAY_MODULE_METER


class StationError(Error):
    """Station-side sessions and discovery (module 9)."""
    module = _c.PREPAY_MODULE_STATION


class HostedError(Error):
    """Hosted extras: JSON tariff loaders, files (module 10)."""
    module = _c.PREPAY_MODULE_HOSTED


class SettlementError(Error):
    """Settlement: readings to charges, transfers and events (module 11)."""
    module = _c.PREPAY_MODULE_SETTLEMENT


class PaymentError(Error):
    """Payment orders: online recharges, notifies, statements (module 20)."""
    module = _c.PREPAY_MODULE_PAYMENT


class OutboxError(Error):
    """Notification outbox: deliveries of events to the caller's channels (module 21)."""
    module = _c.PREPAY_MODULE_OUTBOX


class TransportError(Error):
    """DTU registration and heartbeat packets (module 14; the serial and TCP transports are C only)."""
    module = _c.PREPAY_MODULE_TRANSPORT


class ReportError(Error):
    """Energy and income reports (module 17)."""
    module = _c.PREPAY_MODULE_REPORT


class LoadProfileError(Error):
    """Load records (DL/T 645 class 06) and maximum demand (module 19)."""
    module = _c.PREPAY_MODULE_LOADPROFILE


class CJT188Error(Error):
    """CJ/T 188 codec (module 12)."""
    module = _c.PREPAY_MODULE_CJT188


class ModbusError(Error):
    """Modbus RTU codec and register maps (module 13)."""
    module = _c.PREPAY_MODULE_MODBUS


class EventsError(Error):
    """Meter-side events, load control, voltage qualification (module 15)."""
    module = _c.PREPAY_MODULE_EVENTS


class AnalysisError(Error):
    """Station-side event collection and theft analysis (module 16)."""
    module = _c.PREPAY_MODULE_ANALYSIS


class WaterError(Error):
    """Reference water meter (module 18)."""
    module = _c.PREPAY_MODULE_WATER


_BY_MODULE = {cls.module: cls for cls in (Error, DLT645Error, TariffError, LedgerError, WalletError,
                                          JournalError, AllocationError, BillingError, MeterError,
                                          StationError, HostedError, ReportError, LoadProfileError,
                                          CJT188Error, ModbusError, EventsError, AnalysisError, WaterError,
                                          SettlementError, PaymentError, OutboxError, TransportError)}

# Modules whose codes are all about the value given (decoders, validators), unless listed below.
_VALUE_MODULES = {_c.PREPAY_MODULE_DLT645, _c.PREPAY_MODULE_TARIFF, _c.PREPAY_MODULE_WALLET,
                  _c.PREPAY_MODULE_ALLOCATION, _c.PREPAY_MODULE_BILLING, _c.PREPAY_MODULE_CJT188,
                  _c.PREPAY_MODULE_MODBUS, _c.PREPAY_MODULE_LOADPROFILE, _c.PREPAY_MODULE_REPORT,
                  _c.PREPAY_MODULE_SETTLEMENT, _c.PREPAY_MODULE_HOSTED, _c.PREPAY_MODULE_PAYMENT,
                  _c.PREPAY_MODULE_OUTBOX}
_COMMON_VALUE = ("INVALID_ARGUMENT", "OVERFLOW", "OUT_OF_RANGE", "DIVIDE_BY_ZERO", "BAD_BCD", "BAD_DATE", "BAD_TIME",
                 "BAD_WEEKDAY", "BAD_ROUNDING")
# Codes of those modules that are not about the value: a state or a capacity.
_NOT_VALUE = ("E_TARIFF_CAPACITY", "E_TARIFF_CYCLE_CLOSED", "E_TARIFF_BAD_STATE", "E_TARIFF_SEAL_BROKEN",
              "E_WALLET_BAD_STATE", "E_BILLING_IMMUTABLE", "E_BILLING_BAD_TRANSITION", "E_SETTLEMENT_NOT_OPEN",
              "E_SETTLEMENT_BOOKS", "E_SETTLEMENT_MISMATCH", "E_HOSTED_NO_MEMORY", "E_HOSTED_IO",
              "E_PAYMENT_CLOSED", "E_PAYMENT_ALREADY_PAID", "E_PAYMENT_BOOKS", "E_OUTBOX_FULL")
_LEDGER_VALUE = ("MUST_", "EXISTS_WITH_DIFFERENT", "RESERVED_FLAG", "MUTUALLY_EXCLUSIVE", "BAD_KIND", "BAD_LIMIT",
                 "INTERVAL_INVALID")
_NAMES: Dict[int, str] = {}


def _name(code: int) -> str:
    if not _NAMES:
        from ._enums import Status
        _NAMES.update({int(m): m.name for m in Status})
    return _NAMES.get(int(code), "")


def builtin_for(code: int) -> Optional[Type[BaseException]]:
    """The built-in exception type a status code also raises as (ValueError, KeyError, OSError,
    MemoryError), or None."""
    name = _name(code)
    module = status_module(code)
    if name.endswith("NOT_FOUND") or name in ("E_SETTLEMENT_UNKNOWN_METER", "E_SETTLEMENT_UNKNOWN_ACCOUNT",
                                              "E_PAYMENT_UNKNOWN_ORDER", "E_OUTBOX_UNKNOWN"):
        return KeyError
    if name in ("E_TRANSPORT_BAD_FORMAT", "E_TRANSPORT_NO_MATCH"):
        return ValueError   # a pattern text or bytes from the network that are not what was asked
    if name in ("E_HOSTED_IO", "E_JOURNAL_IO", "E_JOURNAL_LOCKED"):
        return OSError
    if name == "E_HOSTED_NO_MEMORY":
        return MemoryError
    if module == _c.PREPAY_MODULE_COMMON:
        return ValueError if name[2:] in _COMMON_VALUE else None
    if module == _c.PREPAY_MODULE_LEDGER:
        return ValueError if any(k in name for k in _LEDGER_VALUE) else None
    if module in _VALUE_MODULES and name not in _NOT_VALUE:
        return ValueError
    return None


_COMBINED: Dict[Tuple[type, type], type] = {}


def _combined(cls: type, base: type) -> type:
    """``cls`` that is also a ``base`` (made once per pair): e.g. LedgerKeyError(LedgerError, KeyError)."""
    key = (cls, base)
    if key not in _COMBINED:
        stem = cls.__name__[:-len("Error")] if cls is not Error else "Prepay"
        name = stem + base.__name__
        _COMBINED[key] = type(name, (cls, base), {
            "__module__": __name__, "__qualname__": name,
            "__doc__": f"{cls.__name__} that is also a {base.__name__} (see prepay._errors)."})
    return _COMBINED[key]


def status_module(code: int) -> int:
    """The module number of a negative status (PREPAY_STATUS_MODULE)."""
    return (-int(code)) >> 8


def strerror(code: int) -> str:
    """prepay_strerror(): the text of a status code."""
    return _c.prepay_strerror(int(code))


def error_for(code: int, detail: Optional[str] = None, filename: Optional[str] = None) -> Error:
    """The exception for a negative status code: the module's class, also deriving from the
    matching built-in (:func:`builtin_for`). ``filename``: the file an I/O error concerns; if it does
    not exist the exception is a :class:`FileNotFoundError` with ``errno`` ENOENT."""
    cls = _BY_MODULE.get(status_module(code), Error)
    base = builtin_for(code)
    if base is OSError and filename is not None and not _os.path.exists(filename):
        base = FileNotFoundError
    err = (_combined(cls, base) if base is not None else cls)(code, detail)
    if isinstance(err, OSError):
        if base is FileNotFoundError:
            err.errno = _errno.ENOENT
        err.filename = filename
        err.strerror = _c.prepay_strerror(int(code))
    return err


def check(status: int, detail: Optional[str] = None, filename: Optional[str] = None) -> int:
    """Raises the matching :class:`Error` for a negative status; returns it otherwise."""
    if status < 0:
        raise error_for(status, detail, filename)
    return status


def unpack(result, detail: Optional[str] = None):
    """Checks the status of a SWIG ``[status, out...]`` result and returns the outputs."""
    if isinstance(result, list):
        check(result[0], detail)
        return result[1] if len(result) == 2 else tuple(result[1:])
    return check(result, detail)
