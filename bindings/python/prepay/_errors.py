"""Exceptions of the Pythonic layer: one class per status-code module (see prepay/status.h)."""
from __future__ import annotations

from typing import Optional

from . import c_api as _c

__all__ = [
    "Error", "DLT645Error", "TariffError", "LedgerError", "WalletError", "JournalError",
    "AllocationError", "BillingError", "MeterError", "StationError", "HostedError", "ReportError",
    "LoadProfileError", "CJT188Error", "ModbusError", "EventsError", "AnalysisError", "WaterError",
    "error_for", "check", "strerror", "status_module",
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
                                          CJT188Error, ModbusError, EventsError, AnalysisError, WaterError)}


def status_module(code: int) -> int:
    """The module number of a negative status (PREPAY_STATUS_MODULE)."""
    return (-int(code)) >> 8


def strerror(code: int) -> str:
    """prepay_strerror(): the text of a status code."""
    return _c.prepay_strerror(int(code))


def error_for(code: int, detail: Optional[str] = None) -> Error:
    """The exception (right subclass) for a negative status code."""
    return _BY_MODULE.get(status_module(code), Error)(code, detail)


def check(status: int, detail: Optional[str] = None) -> int:
    """Raises the matching :class:`Error` for a negative status; returns it otherwise."""
    if status < 0:
        raise error_for(status, detail)
    return status


def unpack(result, detail: Optional[str] = None):
    """Checks the status of a SWIG ``[status, out...]`` result and returns the outputs."""
    if isinstance(result, list):
        check(result[0], detail)
        return result[1] if len(result) == 2 else tuple(result[1:])
    return check(result, detail)
