# SPDX-License-Identifier: MIT
"""CJ/T 188-2004 water, heat and gas meters: frames, stream parsing, requests, reply parsing, meter side.

Volumes are int litres, money Decimal yuan (2 places), prices Decimal yuan per m3, times naive local
datetimes. A thin layer over ``prepay/cjt188.h``; see docs/water.md.
"""
from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator, List, Optional, Sequence, Union

from . import c_api as _c
from ._enums import Status
from ._errors import CJT188Error, check
from ._units import (DecimalLike, TimeLike, _parse, decimal_to_price, fen_to_yuan, from_time, price_to_decimal,
                     to_time, yuan_to_fen)

BytesLike = Union[bytes, bytearray, memoryview]


__all__ = [
    "DiOrder", "Valve", "Frame", "Target", "StreamParser", "StreamStats", "Current", "PriceTable", "Purse",
    "WriteAck", "Command", "decode", "decode_all", "encode", "checksum", "address_text", "read", "read_address",
    "read_key_version", "write_price_table", "write_day", "purchase", "write_key", "write_time", "valve",
    "factory_enable", "write_address", "write_base", "reply_check", "reply_current", "volume_read", "reply_history",
    "reply_price_table", "reply_day", "reply_purse", "reply_key_version", "reply_address", "reply_write",
    "parse_request", "reply_build", "reply_build_abnormal", "purchase_check", "status_valve",
    "status_battery_low",
]

#: Meter types (T).
COLD_WATER, HOT_WATER, DRINKING_WATER, RECLAIMED_WATER = 0x10, 0x11, 0x12, 0x13
HEAT, COOLING, HEAT_COOLING, GAS, CUSTOM = 0x20, 0x21, 0x22, 0x30, 0x40


class DiOrder(enum.IntEnum):
    """Byte order of the data identifier on the wire."""
    AUTO = _c.PREPAY_CJT188_DI_AUTO                #: decoding: the 2004 DI set in either order
    HIGH_FIRST = _c.PREPAY_CJT188_DI_HIGH_FIRST    #: ``90 1F`` (2004 tables)
    LOW_FIRST = _c.PREPAY_CJT188_DI_LOW_FIRST      #: ``1F 90`` (2018 edition, many meters)


class Valve(enum.IntEnum):
    """Valve state, ST bits 1..0."""
    OPEN = 0
    CLOSED = 1
    RESERVED = 2
    ABNORMAL = 3


def _address_c(text: Union[str, bytes]):
    a = _c.prepay_cjt188_address_t()
    if isinstance(text, (bytes, bytearray)):
        check(a.set_bytes(bytes(text)), "address")
    else:
        check(_c.prepay_cjt188_address_from_string(str(text), a), f"address {text!r}")
    return a


def address_text(wire: bytes) -> str:
    """The 14-character text (most significant digit first) of 7 address bytes in wire order."""
    n, text = _c.prepay_cjt188_address_to_string(_address_c(wire))
    check(n)
    return text


@dataclass(frozen=True)
class Target:
    """Where a request goes: meter type T, 14-character address, DI byte order to send."""
    address: str
    meter_type: int = COLD_WATER
    di_order: DiOrder = DiOrder.HIGH_FIRST

    def _c(self):
        t = _c.prepay_cjt188_target_t()
        t.meter_type = int(self.meter_type)
        t.address = _address_c(self.address)
        t.di_order = int(self.di_order)
        return t


@dataclass(frozen=True)
class Frame:
    """A decoded (or built) CJ/T 188 frame. ``wire`` is its encoding (preamble included)."""
    meter_type: int
    address: str
    control: int
    function: int
    is_reply: bool
    abnormal: bool
    preamble: int
    data: bytes
    di_order: DiOrder
    di: Optional[int]       #: None if the frame carries no DI
    ser: Optional[int]      #: None if the frame carries no SER
    status: Optional[int]   #: ST of an abnormal reply
    wire: bytes
    size: int = 0           #: bytes used in the decoded input (0 if built)

    @property
    def length(self) -> int:
        """L, the number of data bytes."""
        return len(self.data)

    @classmethod
    def _from_c(cls, f, size: int = 0) -> "Frame":
        n, wire = _c.prepay_cjt188_encode(f)
        check(n)
        return cls(meter_type=f.meter_type, address=address_text(f.address.get_bytes()), control=f.control,
                   function=f.function, is_reply=bool(f.is_reply), abnormal=bool(f.abnormal), preamble=f.preamble,
                   data=f.get_data(), di_order=DiOrder(f.di_order), di=f.di if f.has_di else None,
                   ser=f.ser if f.has_ser else None, status=f.status if f.has_status else None, wire=wire,
                   size=size)

    @classmethod
    def build(cls, meter_type: int, address: str, control: int, data: BytesLike = b"",
              di_order: int = DiOrder.AUTO, preamble: int = 0) -> "Frame":
        """A frame from its parts; DI, SER and ST derived as the decoder derives them."""
        f = _c.prepay_cjt188_frame_t()
        check(_c.prepay_cjt188_frame_init(f, int(di_order), int(meter_type), _address_c(address), int(control),
                                          bytes(data)))
        f.preamble = int(preamble)
        return cls._from_c(f)

    def _c(self):
        f = _c.prepay_cjt188_frame_t()
        order = self.di_order if self.di is not None else DiOrder.AUTO
        check(_c.prepay_cjt188_frame_init(f, int(order), self.meter_type, _address_c(self.address), self.control,
                                          self.data))
        f.preamble = min(self.preamble, 255)
        return f

    def encode(self) -> bytes:
        """The wire bytes."""
        return self.wire

    def __bytes__(self) -> bytes:
        return self.wire

    def __repr__(self) -> str:
        kind = ("abnormal reply" if self.abnormal else "reply") if self.is_reply else "request"
        di = f" di={self.di:04X}" if self.di is not None else ""
        ser = f" ser={self.ser}" if self.ser is not None else ""
        return (f"<cjt188.Frame {kind} T={self.meter_type:02X} {self.address} C={self.control:02X}{di}{ser} "
                f"L={self.length} data={self.data.hex(' ')}>")


def decode(data: BytesLike, di_order: int = DiOrder.AUTO) -> Frame:
    """Decodes the frame at the start of ``data``; ``Frame.size`` is the bytes used."""
    f = _c.prepay_cjt188_frame_t()
    n = _c.prepay_cjt188_decode(data, int(di_order), f)
    check(n)
    return Frame._from_c(f, n)


def decode_all(data: BytesLike, di_order: int = DiOrder.AUTO) -> List[Frame]:
    """Every frame of a byte string, through a stream parser (garbage is skipped)."""
    return list(StreamParser(di_order).feed(data))


def encode(frame: Frame) -> bytes:
    """The wire bytes of a frame (re-encoded from its parts)."""
    n, out = _c.prepay_cjt188_encode(frame._c())
    check(n)
    return out


def checksum(data: BytesLike) -> int:
    """Sum mod 256 (the CS byte)."""
    return _c.prepay_cjt188_checksum(data)


@dataclass(frozen=True)
class StreamStats:
    """Counters: bytes_in == bytes_dropped + bytes_framed + bytes_pending."""
    bytes_in: int
    bytes_dropped: int
    bytes_framed: int
    bytes_pending: int
    frames: int


class StreamParser:
    """Bytes in (any chunks), frames out: ``for frame in parser.feed(chunk): ...``"""

    def __init__(self, di_order: int = DiOrder.AUTO) -> None:
        self._s = _c.prepay_cjt188_stream_t()
        check(_c.prepay_cjt188_stream_init(self._s, int(di_order)))

    def feed(self, data: BytesLike) -> Iterator[Frame]:
        """Gives bytes; yields the frames they complete."""
        view = memoryview(bytes(data))
        while True:
            taken = check(_c.prepay_cjt188_stream_feed(self._s, view)) if len(view) else 0
            view = view[taken:]
            f = _c.prepay_cjt188_frame_t()
            while check(_c.prepay_cjt188_stream_next(self._s, f)) == 1:
                yield Frame._from_c(f)
                f = _c.prepay_cjt188_frame_t()
            if not len(view):
                return

    def flush(self) -> int:
        """Drops held bytes (after an idle line); returns how many."""
        return check(_c.prepay_cjt188_stream_flush(self._s))

    def stats(self) -> StreamStats:
        """Byte and frame counters of the parser."""
        s = _c.prepay_cjt188_stream_stats_t()
        check(_c.prepay_cjt188_stream_stats(self._s, s))
        return StreamStats(s.bytes_in, s.bytes_dropped, s.bytes_framed, s.bytes_pending, s.frames)


# ---- requests (station side) -------------------------------------------------------------------

def _target(t: Union[Target, str]) -> Target:
    return t if isinstance(t, Target) else Target(str(t))


def _request(fn, target: Union[Target, str], *args) -> Frame:
    f = _c.prepay_cjt188_frame_t()
    check(fn(f, _target(target)._c(), *args))
    return Frame._from_c(f)


def read(target: Union[Target, str], di: int, ser: int = 0) -> Frame:
    """Read data (C = 01): 901F, D120..D12B, 8102..8105 or a vendor DI."""
    return _request(_c.prepay_cjt188_request_read, target, int(di), int(ser))


def read_address(target: Union[Target, str] = Target("AAAAAAAAAAAAAA", 0xAA), ser: int = 0) -> Frame:
    """Read address (C = 03, DI 810A), by default to the wildcard type and address."""
    return _request(_c.prepay_cjt188_request_read_address, target, int(ser))


def read_key_version(target: Union[Target, str], ser: int = 0) -> Frame:
    """Read key version (C = 09, DI 8106)."""
    return _request(_c.prepay_cjt188_request_read_key_version, target, int(ser))


@dataclass(frozen=True)
class PriceTable:
    """Three prices (Decimal yuan per m3) and two ladder steps (litres); start_day for A010 (0 when read)."""
    prices: Sequence[Decimal]
    steps_litres: Sequence[int]
    start_day: int = 0

    def _c(self):
        t = _c.prepay_cjt188_price_table_t()
        if len(self.prices) != 3 or len(self.steps_litres) != 2:
            raise CJT188Error(_c.PREPAY_E_INVALID_ARGUMENT, "a price table has 3 prices and 2 steps")
        for i, p in enumerate(self.prices):
            check(t.set_price(i, decimal_to_price(p)))
        for i, s in enumerate(self.steps_litres):
            check(t.set_step(i, int(s)))
        t.start_day = int(self.start_day)
        return t

    @classmethod
    def _from_c(cls, t) -> "PriceTable":
        return cls([price_to_decimal(t.get_price(i)) for i in range(3)], [t.get_step(i) for i in range(2)],
                   t.start_day)


def write_price_table(target: Union[Target, str], table: PriceTable, ser: int = 0) -> Frame:
    """Write price table (A010)."""
    return _request(_c.prepay_cjt188_request_write_price_table, target, int(ser), table._c())


def write_day(target: Union[Target, str], di: int, day: int, ser: int = 0) -> Frame:
    """Write settlement day (A011) or reading day (A012)."""
    return _request(_c.prepay_cjt188_request_write_day, target, int(ser), int(di), int(day))


def purchase(target: Union[Target, str], purchase_serial: int, amount: DecimalLike, ser: int = 0) -> Frame:
    """Purchase (A013): purchase serial + amount in yuan. The serial, not SER, identifies the top-up."""
    return _request(_c.prepay_cjt188_request_purchase, target, int(ser), int(purchase_serial), yuan_to_fen(amount))


def write_key(target: Union[Target, str], version: int, key: BytesLike, ser: int = 0) -> Frame:
    """Write new key (A014): version + 8 key bytes."""
    return _request(_c.pyprepay_cjt188_request_write_key, target, int(ser), int(version), bytes(key))


def write_time(target: Union[Target, str], now: TimeLike, ser: int = 0) -> Frame:
    """Write standard time (A015)."""
    return _request(_c.prepay_cjt188_request_write_time, target, int(ser), to_time(now))


def valve(target: Union[Target, str], open: bool, ser: int = 0) -> Frame:
    """Valve control (A017): 55H open, 99H close."""
    return _request(_c.prepay_cjt188_request_valve, target, int(ser), bool(open))


def factory_enable(target: Union[Target, str], ser: int = 0) -> Frame:
    """Factory enable (A019)."""
    return _request(_c.prepay_cjt188_request_factory_enable, target, int(ser))


def write_address(target: Union[Target, str], new_address: str, ser: int = 0) -> Frame:
    """Write address (C = 15H, A018)."""
    return _request(_c.prepay_cjt188_request_write_address, target, int(ser), _address_c(new_address))


def write_base(target: Union[Target, str], reading_m3: DecimalLike, ser: int = 0) -> Frame:
    """Write base reading (C = 16H, A016): a volume in m3 with up to 2 decimals."""
    q = _c.prepay_cjt188_quantity_t()
    q.present = True
    q.value = _parse(reading_m3, 2, "base reading")
    q.decimals = 2
    q.unit = _c.PREPAY_CJT188_UNIT_M3
    return _request(_c.prepay_cjt188_request_write_base, target, int(ser), q)


# ---- replies (station side) ---------------------------------------------------------------------

def status_valve(status: int) -> Valve:
    """Valve state of an ST word."""
    return Valve(_c.prepay_cjt188_status_valve(int(status)))


def status_battery_low(status: int) -> bool:
    """Battery-low bit of an ST word."""
    return bool(_c.prepay_cjt188_status_battery_low(int(status)))


def _litres(q) -> Optional[int]:
    if not q.present:
        return None
    status, litres = _c.prepay_cjt188_quantity_litres(q)
    check(status)
    return litres


@dataclass(frozen=True)
class Current:
    """901F current data of a water or gas meter (volumes in litres; None if the meter sent FF)."""
    litres: Optional[int]
    settlement_litres: Optional[int]
    clock: Optional[_dt.datetime]   #: None if absent or not a real time
    clock_state: int                #: 0 absent, 1 valid, 2 invalid
    status: int

    @property
    def valve(self) -> Valve:
        """Valve state from the status word."""
        return status_valve(self.status)

    @property
    def battery_low(self) -> bool:
        """Whether the status word flags a low battery."""
        return status_battery_low(self.status)


def reply_check(request: Frame, reply: Frame) -> None:
    """Raises unless ``reply`` is the normal reply to ``request`` (direction, function, meter, SER, DI)."""
    check(_c.prepay_cjt188_reply_check(request._c(), reply._c()))


def reply_current(request: Frame, reply: Frame) -> Current:
    """A 901F reply of a water or gas meter (heat meters: use the raw c_api for the heat block)."""
    cur = _c.prepay_cjt188_current_t()
    check(_c.prepay_cjt188_reply_current(request._c(), reply._c(), cur))
    clock = from_time(cur.clock) if cur.clock_state == _c.PREPAY_CJT188_CLOCK_VALID else None
    return Current(_litres(cur.reading), _litres(cur.settlement), clock, cur.clock_state, cur.status)


def volume_read(request: Frame, data: BytesLike) -> Current:
    """A 901F reply straight from its received bytes (one C call, no frame object): what
    ``reply_current(request, decode(data))`` gives, with the current volume required in whole litres.

    Raises CJT188Error as decode(), reply_current() and the litres conversion would (e.g. E_CJT188_ABSENT for a
    meter that sent no current volume, E_CJT188_INEXACT for one that litres cannot express)."""
    v = _c.prepay_cjt188_volume_t()
    n = _c.prepay_cjt188_volume_read(request._c(), data, v)
    check(n)
    clock = from_time(v.clock) if v.clock_state == _c.PREPAY_CJT188_CLOCK_VALID else None
    return Current(v.litres, v.settlement_litres if v.has_settlement else None, clock, v.clock_state, v.status)


def reply_history(request: Frame, reply: Frame) -> Optional[int]:
    """A D120..D12B reply: the settlement-day reading of that month in litres (None if absent)."""
    q = _c.prepay_cjt188_quantity_t()
    check(_c.prepay_cjt188_reply_history(request._c(), reply._c(), q))
    return _litres(q)


def reply_price_table(request: Frame, reply: Frame) -> PriceTable:
    """An 8102 reply."""
    t = _c.prepay_cjt188_price_table_t()
    check(_c.prepay_cjt188_reply_price_table(request._c(), reply._c(), t))
    return PriceTable._from_c(t)


def reply_day(request: Frame, reply: Frame) -> int:
    """An 8103 / 8104 reply: the day."""
    status, day = _c.prepay_cjt188_reply_day(request._c(), reply._c())
    check(status)
    return day


@dataclass(frozen=True)
class Purse:
    """The 8105 meter-side purse, in yuan."""
    purchase_serial: int
    last: Decimal
    total: Decimal
    remaining: Decimal
    status: int


def reply_purse(request: Frame, reply: Frame) -> Purse:
    """An 8105 reply."""
    p = _c.prepay_cjt188_purse_t()
    check(_c.prepay_cjt188_reply_purse(request._c(), reply._c(), p))
    return Purse(p.purchase_serial, fen_to_yuan(p.last_fen), fen_to_yuan(p.total_fen), fen_to_yuan(p.remaining_fen),
                 p.status)


def reply_key_version(request: Frame, reply: Frame) -> int:
    """An 8106 reply: the key version."""
    status, version = _c.prepay_cjt188_reply_key_version(request._c(), reply._c())
    check(status)
    return version


def reply_address(request: Frame, reply: Frame) -> Target:
    """An 810A reply: the meter's type and address."""
    a = _c.prepay_cjt188_address_t()
    status, meter_type = _c.prepay_cjt188_reply_address(request._c(), reply._c(), a)
    check(status)
    return Target(address_text(a.get_bytes()), meter_type, reply.di_order)


@dataclass(frozen=True)
class WriteAck:
    """What a write reply carries besides DI and SER."""
    di: int
    status: Optional[int]             #: A010, A016, A017
    purchase_serial: Optional[int]    #: A013 echo
    amount: Optional[Decimal]         #: A013 echo, yuan
    key_version: Optional[int]        #: A014


def reply_write(request: Frame, reply: Frame) -> WriteAck:
    """The reply to a write (A010..A019); an A013 echo must equal the request."""
    a = _c.prepay_cjt188_write_ack_t()
    check(_c.prepay_cjt188_reply_write(request._c(), reply._c(), a))
    return WriteAck(a.di, a.status if a.has_status else None,
                    a.purchase_serial if a.has_purchase else None,
                    fen_to_yuan(a.amount_fen) if a.has_purchase else None,
                    a.key_version if a.has_key_version else None)


# ---- meter side --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    """A request parsed on the meter side. Fields not used by ``kind`` are None."""
    kind: int       #: PREPAY_CJT188_COMMAND_* (c_api)
    di: int
    ser: int
    value: bytes    #: the bytes after DI + SER
    purchase_serial: Optional[int] = None
    amount: Optional[Decimal] = None
    valve_open: Optional[bool] = None
    day: Optional[int] = None
    time: Optional[_dt.datetime] = None
    new_address: Optional[str] = None
    price_table: Optional[PriceTable] = None
    key_version: Optional[int] = None
    key: Optional[bytes] = None


def parse_request(request: Frame) -> Command:
    """Parses a request addressed to a meter."""
    c = _c.prepay_cjt188_command_t()
    f = request._c()
    check(_c.prepay_cjt188_parse_request(f, c))
    k = c.kind
    return Command(
        kind=k, di=c.di, ser=c.ser, value=c.get_value(),
        purchase_serial=c.purchase_serial if k == _c.PREPAY_CJT188_COMMAND_PURCHASE else None,
        amount=fen_to_yuan(c.amount_fen) if k == _c.PREPAY_CJT188_COMMAND_PURCHASE else None,
        valve_open=bool(c.valve_open) if k == _c.PREPAY_CJT188_COMMAND_VALVE else None,
        day=c.day if k in (_c.PREPAY_CJT188_COMMAND_SETTLEMENT_DAY, _c.PREPAY_CJT188_COMMAND_READING_DAY) else None,
        time=from_time(c.time) if k == _c.PREPAY_CJT188_COMMAND_TIME else None,
        new_address=address_text(c.new_address.get_bytes()) if k == _c.PREPAY_CJT188_COMMAND_WRITE_ADDRESS else None,
        price_table=PriceTable._from_c(c.price_table) if k == _c.PREPAY_CJT188_COMMAND_PRICE_TABLE else None,
        key_version=c.key_version if k == _c.PREPAY_CJT188_COMMAND_KEY else None,
        key=c.get_key() if k == _c.PREPAY_CJT188_COMMAND_KEY else None)


def reply_build(request: Frame, self_target: Target, value: BytesLike = b"") -> Frame:
    """A normal reply: DI and SER echoed in the request's order, then ``value``."""
    f = _c.prepay_cjt188_frame_t()
    check(_c.prepay_cjt188_reply_build(f, request._c(), self_target._c(), bytes(value)))
    return Frame._from_c(f)


def reply_build_abnormal(request: Frame, self_target: Target, status: int) -> Frame:
    """An abnormal reply: SER + ST."""
    f = _c.prepay_cjt188_frame_t()
    check(_c.prepay_cjt188_reply_build_abnormal(f, request._c(), self_target._c(), int(status)))
    return Frame._from_c(f)


def purchase_check(last_serial: Optional[int], serial: int, bcd: bool = False) -> bool:
    """The purchase-serial rule: True for a new purchase, False for a replay (credit nothing);
    raises :class:`CJT188Error` for a serial out of sequence. ``last_serial`` None: no purchase yet."""
    status = _c.prepay_cjt188_purchase_check(last_serial is not None, int(last_serial or 0), int(serial), bool(bcd))
    if status == Status.E_CJT188_PURCHASE_REPEAT:
        return False
    check(status)
    return True
