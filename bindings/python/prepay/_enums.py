# SPDX-License-Identifier: MIT
"""IntEnum / IntFlag views of the C enums and flag macros, built from the SWIG constants."""
from __future__ import annotations

import enum
from typing import Iterable, Optional

from . import c_api as _c

__all__ = []  # filled below


def _make(name: str, prefix: str, members: Optional[Iterable[str]] = None, exclude: Iterable[str] = (),
          flag: bool = False, extra: Optional[dict] = None):
    if members is None:
        members = [n[len(prefix):] for n in dir(_c) if n.startswith(prefix) and n[len(prefix):] not in exclude]
    values = {("E" + m if m[:1].isdigit() else m): int(getattr(_c, prefix + m)) for m in members}
    values.update(extra or {})
    cls = (enum.IntFlag if flag else enum.IntEnum)(name, values, module=__name__)
    globals()[name] = cls
    __all__.append(name)
    return cls


Module = _make("Module", "PREPAY_MODULE_", exclude=("COUNT",))
Rounding = _make("Rounding", "PREPAY_ROUND_", ["HALF_UP", "HALF_EVEN", "DOWN", "UP", "FLOOR", "CEILING"])
# dlt645
Edition = _make("Edition", "PREPAY_DLT645_EDITION_")
ValueFormat = _make("ValueFormat", "PREPAY_DLT645_FORMAT_")
Unit = _make("Unit", "PREPAY_DLT645_UNIT_", exclude=("COUNT_OF_UNITS",))
ValueKind = _make("ValueKind", "PREPAY_DLT645_KIND_")
Qualifier = _make("Qualifier", "PREPAY_DLT645_QUALIFIER_")
RelayCommand = _make("RelayCommand", "PREPAY_DLT645_RELAY_")
# station
StationAction = _make("StationAction", "PREPAY_STATION_", ["IDLE", "SEND", "WAIT", "DONE"])
ProbeOutcome = _make("ProbeOutcome", "PREPAY_STATION_PROBE_")
# tariff
TariffUnit = _make("TariffUnit", "PREPAY_TARIFF_UNIT_")
TouTierMode = _make("TouTierMode", "PREPAY_TOU_TIER_")
CycleKind = _make("CycleKind", "PREPAY_CYCLE_")
Proration = _make("Proration", "PREPAY_PRORATE_")
RoundScope = _make("RoundScope", "PREPAY_ROUND_", ["PER_LINE", "PER_BILL"])
PriceMode = _make("PriceMode", "PREPAY_PRICE_", ["DIRECT", "DERIVED"])
LineKind = _make("LineKind", "PREPAY_LINE_")
TariffDocFormat = _make("TariffDocFormat", "PREPAY_TARIFF_DOC_")
# ledger
AccountKind = _make("AccountKind", "PREPAY_LEDGER_ACCOUNT_",
                    ["WALLET", "REVENUE", "PAYMENT_CLEARING", "REFUNDS_PAYABLE", "EMERGENCY_CREDIT", "COMMON_AREA",
                     "ADJUSTMENTS", "DEBT"])
AccountFlag = _make("AccountFlag", "PREPAY_LEDGER_ACCOUNT_",
                    ["DEBITS_MUST_NOT_EXCEED_CREDITS", "CREDITS_MUST_NOT_EXCEED_DEBITS", "CLOSED"], flag=True)
Item = _make("Item", "PREPAY_LEDGER_ITEM_")
TransferCode = _make("TransferCode", "PREPAY_LEDGER_CODE_")
TransferFlag = _make("TransferFlag", "PREPAY_LEDGER_TRANSFER_", exclude=("FLAGS_MASK",), flag=True)
PendingState = _make("PendingState", "PREPAY_LEDGER_STATE_")
Period = _make("Period", "PREPAY_LEDGER_PERIOD_")
# wallet
WalletCutoff = _make("WalletCutoff", "PREPAY_WALLET_CUTOFF_")
WalletRelay = _make("WalletRelay", "PREPAY_WALLET_RELAY_")
WalletReason = _make("WalletReason", "PREPAY_WALLET_REASON_")
WalletEvent = _make("WalletEvent", "PREPAY_WALLET_EVENT_", flag=True)
WalletInput = _make("WalletInput", "PREPAY_WALLET_IN_", exclude=("MASK",), flag=True)
WalletStateFlag = _make("WalletStateFlag", "PREPAY_WALLET_STATE_", exclude=("MASK",), flag=True)
# journal
JournalRecordType = _make("JournalRecordType", "PREPAY_JOURNAL_RECORD_",
                          ["ACCOUNT", "TRANSFER", "COMMIT", "CLOSE", "CUT", "EXPIRE"])
# allocation
ResidualPolicy = _make("ResidualPolicy", "PREPAY_ALLOCATION_RESIDUAL_")
Vacancy = _make("Vacancy", "PREPAY_ALLOCATION_VACANT_")
# billing
ChargeBasis = _make("ChargeBasis", "PREPAY_BILLING_", ["FIXED", "PER_AREA", "PER_UNIT"])
ChargeSchedule = _make("ChargeSchedule", "PREPAY_BILLING_", ["ONCE", "MONTHLY", "QUARTERLY", "YEARLY"])
ChargeProration = _make("ChargeProration", "PREPAY_BILLING_PRORATE_")
Collection = _make("Collection", "PREPAY_BILLING_COLLECT_")
StatementState = _make("StatementState", "PREPAY_BILLING_", ["DRAFT", "CONFIRMED", "ISSUED"])
StatementLineKind = _make("StatementLineKind", "PREPAY_BILLING_LINE_", exclude=("KINDS",))
# meter
MeterMode = _make("MeterMode", "PREPAY_METER_MODE_")
MeterEvent = _make("MeterEvent", "PREPAY_METER_EVENT_", exclude=("COUNT",))
MeterCondition = _make("MeterCondition", "PREPAY_METER_CONDITION_", exclude=("COUNT",))
# water meter
WaterMode = _make("WaterMode", "PREPAY_WATER_MODE_")
WaterActor = _make("WaterActor", "PREPAY_WATER_ACTOR_")
WaterCondition = _make("WaterCondition", "PREPAY_WATER_CONDITION_", exclude=("COUNT",))
WaterEvent = _make("WaterEvent", "PREPAY_WATER_EVENT_", exclude=("COUNT",))
WaterHold = _make("WaterHold", "PREPAY_WATER_HOLD_", exclude=("MASK",), flag=True)
# settlement
SettlementAccountKind = _make("SettlementAccountKind", "PREPAY_SETTLEMENT_", ["PREPAID_REMOTE", "PREPAID_LOCAL", "POSTPAID"])
SettlementCommodity = _make("SettlementCommodity", "PREPAY_SETTLEMENT_", ["ELECTRICITY", "WATER"])
SettlementMethod = _make("SettlementMethod", "PREPAY_SETTLEMENT_BY_")
# a payment's failure is an event of the same stream (payment.h: PREPAY_PAYMENT_EVENT_FAILED)
SettlementEvent = _make("SettlementEvent", "PREPAY_SETTLEMENT_EVENT_", exclude=("TYPES",),
                        extra={"PAYMENT_FAILED": _c.PREPAY_PAYMENT_EVENT_FAILED})
SettlementOutcome = _make("SettlementOutcome", "PREPAY_SETTLEMENT_",
                          ["SETTLED", "PRIMED", "DUPLICATE", "LATE", "ROLLOVER", "RESET", "JUMP"])
SettlementKind = _make("SettlementKind", "PREPAY_SETTLEMENT_KIND_")
SettlementRole = _make("SettlementRole", "PREPAY_SETTLEMENT_ROLE_")
SettlementSiteRole = _make("SettlementSiteRole", "PREPAY_SETTLEMENT_SITE_")
# payment orders and the notification outbox
PaymentState = _make("PaymentState", "PREPAY_PAYMENT_", ["CREATED", "PAID", "VOIDED", "EXPIRED"])
PaymentChannelStatus = _make("PaymentChannelStatus", "PREPAY_PAYMENT_CHANNEL_")
PaymentStatementStatus = _make("PaymentStatementStatus", "PREPAY_PAYMENT_STATEMENT_", ["PAID", "REFUNDED"])
PaymentMatch = _make("PaymentMatch", "PREPAY_PAYMENT_",
                     ["MATCHED", "MISSING_IN_LEDGER", "MISSING_IN_STATEMENT", "AMOUNT_DIFFERS"])
OutboxChannel = _make("OutboxChannel", "PREPAY_OUTBOX_", ["SMS", "APP_PUSH", "EMAIL", "VOICE", "WECHAT"])
OutboxState = _make("OutboxState", "PREPAY_OUTBOX_", ["PENDING", "DELIVERED", "EXHAUSTED"])


def _status_members():
    out = {"OK": 0}
    for n in dir(_c):
        if n.startswith("PREPAY_E_") and isinstance(getattr(_c, n), int):
            out[n[len("PREPAY_"):]] = getattr(_c, n)
    # codes declared with #define PREPAY_STATUS_MAKE(...) (SWIG does not evaluate those macros)
    m = lambda module, number: -((module << 8) | number)  # noqa: E731
    names = {
        _c.PREPAY_MODULE_DLT645: ["TRUNCATED", "NO_START", "NO_SECOND_START", "BAD_LENGTH", "BAD_CHECKSUM", "BAD_END",
                                  "DATA_TOO_LONG", "BAD_ADDRESS", "ABNORMAL", "UNEXPECTED_REPLY", "DI_MISMATCH",
                                  "BAD_REPLY", "BAD_BAUD", "BAD_RELAY_COMMAND", "ADDRESS_MISMATCH",
                                  "BAD_PASSWORD_LEVEL", "BAD_FREEZE_TIME", "BAD_FUNCTION", "BAD_REQUEST"],
        _c.PREPAY_MODULE_STATION: ["BUSY", "TIMEOUT", "NOT_DONE", "FOLLOW_UP_OVERFLOW", "BAD_REQUEST",
                                   "TOO_MANY_METERS", "BAD_SEQUENCE"],
        _c.PREPAY_MODULE_METER: ["BAD_STATE", "NO_TARIFF", "TARIFF_UNSUPPORTED", "PURCHASE_COUNT", "HOARDING_LIMIT",
                                 "BAD_LOAD", "KEEP_POWER", "COMMAND_EXPIRED", "BAD_PARAMETER"],
        _c.PREPAY_MODULE_CJT188: ["TRUNCATED", "NO_START", "BAD_LENGTH", "BAD_CHECKSUM", "BAD_END", "DATA_TOO_LONG",
                                  "BAD_ADDRESS", "ABNORMAL", "UNEXPECTED_REPLY", "DI_MISMATCH", "SER_MISMATCH",
                                  "ADDRESS_MISMATCH", "BAD_DATA", "BAD_VALUE", "BAD_UNIT", "INEXACT", "ABSENT",
                                  "BAD_REQUEST", "BAD_VALVE_COMMAND", "PURCHASE_REPEAT", "PURCHASE_SEQUENCE",
                                  "BAD_DI_ORDER"],
        _c.PREPAY_MODULE_MODBUS: ["TRUNCATED", "BAD_LENGTH", "BAD_CRC", "BAD_PDU", "BAD_FUNCTION", "BAD_QUANTITY",
                                  "BAD_UNIT", "EXCEPTION", "NOT_A_MATCH", "BAD_RESPONSE", "INEXACT", "BAD_VALUE",
                                  "BAD_REGISTER", "BROADCAST"],
        _c.PREPAY_MODULE_EVENTS: ["BAD_STATE", "BAD_PARAMETER", "CONTRADICTION", "BAD_SAMPLE", "TIME_ORDER",
                                  "UNKNOWN_DI", "BAD_DATA", "READ_ONLY"],
        _c.PREPAY_MODULE_ANALYSIS: ["ORDER", "BAD_INPUT", "BAD_RULES", "REGISTER_BACKWARDS"],
        _c.PREPAY_MODULE_WATER: ["BAD_STATE", "BAD_PARAMETER", "WRONG_MODE", "PURCHASE_SERIAL", "HOARDING_LIMIT",
                                 "VALVE_REFUSED", "TIME_ORDER", "TARIFF_UNSUPPORTED"],
        # prepay/dtu.h (the hosted transports' codes, 16.., are not wrapped)
        _c.PREPAY_MODULE_TRANSPORT: ["BAD_FORMAT", "NO_MATCH"],
    }
    prefix = {_c.PREPAY_MODULE_DLT645: "E_DLT645_", _c.PREPAY_MODULE_STATION: "E_STATION_",
              _c.PREPAY_MODULE_METER: "E_METER_", _c.PREPAY_MODULE_CJT188: "E_CJT188_",
              _c.PREPAY_MODULE_MODBUS: "E_MODBUS_", _c.PREPAY_MODULE_EVENTS: "E_EVENTS_",
              _c.PREPAY_MODULE_ANALYSIS: "E_ANALYSIS_", _c.PREPAY_MODULE_WATER: "E_WATER_",
              _c.PREPAY_MODULE_TRANSPORT: "E_TRANSPORT_"}
    for module, lst in names.items():
        for i, name in enumerate(lst, start=1):
            out.setdefault(prefix[module] + name, m(module, i))
    return out


#: Every status code by name without the PREPAY_ prefix: Status.E_LEDGER_EXCEEDS_CREDITS ...
Status = enum.IntEnum("Status", _status_members(), module=__name__)
__all__.append("Status")
