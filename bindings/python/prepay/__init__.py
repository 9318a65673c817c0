# SPDX-License-Identifier: MIT
"""libprepay for Python: exact prepaid metering (DL/T 645, CJ/T 188, Modbus RTU, tariffs, ledger, wallet,
journal, allocation, billing, reference meters for electricity and water, station side).

Money is :class:`decimal.Decimal` in currency units (yuan) with 2 places, prices Decimal with up to 8;
energy is int Wh; times are naive local ``datetime`` or int seconds since 2000-01-01 (an aware
``datetime`` is converted to the zone of the tariff's local time when one is given, else refused).
Errors raise :class:`prepay.Error` subclasses carrying the C status ``code``, which are also the
built-in types one catches (``ValueError``, ``KeyError``, ``OSError``/``FileNotFoundError``).
"""
from . import c_api
from ._enums import *  # noqa: F401,F403
from ._enums import __all__ as _enum_names
from ._errors import (AllocationError, AnalysisError, BillingError, CJT188Error, DLT645Error, Error, EventsError,
                      HostedError, JournalError, LedgerError, LoadProfileError, MeterError, ModbusError, OutboxError,
                      PaymentError, ReportError, SettlementError, StationError, TariffError, TransportError, WalletError,
                      WaterError, builtin_for, check, error_for, strerror)
from ._units import (EPOCH, amount_to_decimal, money, parse_rounded, decimal_to_price, fen_to_yuan, from_days, from_time, kwh_to_wh,
                     price_to_decimal, to_days, to_time, wh_to_kwh, yuan_to_fen)
from . import (allocation, analysis, billing, cjt188, dlt645, dtu, journal, ledger, meter, modbus, outbox, payment, report,
               settlement, station, tariff, wallet, water)

__version__ = c_api.prepay_version()

__all__ = ["Error", "DLT645Error", "TariffError", "LedgerError", "WalletError", "JournalError", "AllocationError",
           "BillingError", "MeterError", "StationError", "HostedError", "CJT188Error", "ModbusError", "ReportError",
           "LoadProfileError", "EventsError", "AnalysisError", "WaterError", "SettlementError", "PaymentError", "OutboxError",
           "TransportError",
           "builtin_for", "check", "error_for", "strerror",
           "EPOCH", "amount_to_decimal", "money", "parse_rounded", "decimal_to_price", "fen_to_yuan", "from_days", "from_time", "kwh_to_wh",
           "price_to_decimal", "to_days", "to_time", "wh_to_kwh", "yuan_to_fen",
           "allocation", "analysis", "billing", "cjt188", "dlt645", "dtu", "journal", "ledger", "meter", "modbus", "report",
           "outbox", "payment", "settlement", "station", "tariff", "wallet", "water",
           "c_api", "__version__"] + list(_enum_names)
