# SPDX-License-Identifier: MIT
"""DL/T 645-2007/1997: frames, stream parsing, requests, reply parsing, catalogue and typed values."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from array import array as _array
from operator import itemgetter as _itemgetter
from decimal import Decimal
from typing import Iterable, Iterator, List, Optional, Tuple, Union

from . import c_api as _c

# The hot calls go to the extension module's builtins directly: SWIG's Python shadow of each
# function only forwards its arguments, and costs ~50 ns a call (bench/bench_python_decode.py).
_fast = getattr(_c, "_c_api", _c)
_decode_tuple = _fast.pyprepay_dlt645_decode_tuple
_value_tuple = _fast.pyprepay_dlt645_value_tuple
_reading = _fast.pyprepay_dlt645_reading
_reading_tuple = _fast.pyprepay_dlt645_reading_tuple
from ._enums import Edition, Unit, ValueFormat, ValueKind
from ._errors import DLT645Error, check, error_for, unpack
from ._units import TimeLike, from_time, to_time

BytesLike = Union[bytes, bytearray, memoryview]

_tuple_new = tuple.__new__
#: 10**-k as Decimal: _SCALE[k] * number is number / 10**k exactly (exponent -k); Decimal times int
#: is about twice as fast as Decimal(number) * _SCALE[k] or scaleb.
_SCALE = tuple(Decimal(1).scaleb(-k) for k in range(19))

__all__ = [
    "Address", "Frame", "Credentials", "ReadReply", "StreamStats", "StreamParser", "CatalogueItem", "Value",
    "decode", "decode_all", "encode", "lookup", "item_name", "decode_value", "decode_block", "encode_value",
    "parse_value", "format_value", "checksum", "read", "read_blocks", "read_follow_up", "read_address", "write",
    "write_address", "broadcast_time", "freeze", "change_baud", "clear_demand", "clear_meter", "clear_events",
    "relay_control", "read_1997", "write_1997", "reply_check", "reply_read", "reply_read_address", "reply_ack",
    "reply_change_baud", "parse_write_request", "parse_relay_request", "DI", "Reading", "Readings",
    "decode_reading", "decode_reading_tuple", "decode_readings", "to_decimal", "check_frame",
    "READING_FOLLOW_UP", "READING_1997", "READING_NO_TIME",
]


@dataclass(frozen=True)
class Address:
    """A meter address: 6 bytes in wire order (A0 first); ``str()`` is the 12-digit text on the meter."""

    wire: bytes

    def __post_init__(self) -> None:
        if len(self.wire) != 6:
            raise DLT645Error(-((_c.PREPAY_MODULE_DLT645 << 8) | 8), "an address has 6 bytes")

    @classmethod
    def parse(cls, text: Union[str, "Address", bytes]) -> "Address":
        """From the 12-character text (most significant digit first; ``AA`` wildcards allowed)."""
        if isinstance(text, Address):
            return text
        if isinstance(text, (bytes, bytearray)) and len(text) == 6:
            return cls(bytes(text))
        addr = _c.prepay_dlt645_address_t()
        check(_c.prepay_dlt645_address_from_string(str(text), addr), f"address {text!r}")
        return cls(addr.get_bytes())

    @classmethod
    def broadcast(cls) -> "Address":
        """``999999999999``."""
        return cls(_c.prepay_dlt645_address_broadcast().get_bytes())

    @classmethod
    def wildcard(cls) -> "Address":
        """``AAAAAAAAAAAA``."""
        return cls(_c.prepay_dlt645_address_wildcard().get_bytes())

    def _c(self):
        a = _c.prepay_dlt645_address_t()
        a.set_bytes(self.wire)
        return a

    @property
    def is_broadcast(self) -> bool:
        """Whether this is the broadcast address 999999999999."""
        return bool(_c.prepay_dlt645_address_is_broadcast(self._c()))

    @property
    def is_wildcard(self) -> bool:
        """Whether the address holds AA wildcard bytes."""
        return bool(_c.prepay_dlt645_address_is_wildcard(self._c()))

    def matches(self, meter: "Address") -> bool:
        """Whether a frame sent to this address reaches ``meter``."""
        return bool(_c.prepay_dlt645_address_matches(self._c(), Address.parse(meter)._c()))

    def __str__(self) -> str:
        n, text = _c.prepay_dlt645_address_to_string(self._c())
        check(n)
        return text

    def __repr__(self) -> str:
        return f"Address('{self}')"


def _addr(a: Union[Address, str, bytes]) -> Address:
    return Address.parse(a)


_FRAME_FIELDS = ("size", "address", "control", "data", "preamble", "edition", "function", "is_reply", "abnormal",
                 "follow_up", "di", "di_size", "has_error", "error")


class Frame(tuple):
    """A decoded DL/T 645 frame (data with the 0x33 offset removed, DI bytes included).

    Immutable. :func:`decode` builds it from one C call returning plain ints and bytes (it is a
    tuple underneath, so building it costs one allocation); the :class:`Address` and the
    :class:`Edition` enum are made only when read.
    """

    def __new__(cls, address: Union["Address", str, bytes], control: int, data: BytesLike = b"", preamble: int = 0,
                edition: int = Edition.E2007, function: int = 0, is_reply: bool = False, abnormal: bool = False,
                follow_up: bool = False, di: int = 0, di_size: int = 0, has_error: bool = False, error: int = 0,
                size: int = 0) -> "Frame":
        data = bytes(data)
        return _tuple_new(cls, (size, Address.parse(address).wire, control, data, preamble, int(edition),
                                function, bool(is_reply), bool(abnormal), bool(follow_up), di, di_size,
                                bool(has_error), error, data[di_size:]))

    @classmethod
    def _from_tuple(cls, t) -> "Frame":
        return _tuple_new(cls, t)

    def __setattr__(self, name, value):
        raise AttributeError(f"Frame is immutable: cannot set {name!r}")

    @property
    def address(self) -> "Address":
        """The meter's address (made on first use)."""
        return Address(self[1])

    size = property(_itemgetter(0), doc="bytes the frame occupied in the decoded input (preamble included); 0 if built")
    control = property(_itemgetter(2), doc="the control byte C")
    data = property(_itemgetter(3), doc="data bytes, 0x33 removed (DI included)")
    preamble = property(_itemgetter(4), doc="number of FE bytes before the frame")
    edition = property(lambda self: Edition(self[5]), doc="Edition (1997 or 2007)")
    function = property(_itemgetter(6), doc="C & 0x1F")
    is_reply = property(_itemgetter(7), doc="direction: a reply from the meter")
    abnormal = property(_itemgetter(8), doc="an abnormal reply (the error byte is in error)")
    follow_up = property(_itemgetter(9), doc="the meter has follow-up frames")
    di = property(_itemgetter(10), doc="the data identifier, 0 if none")
    di_size = property(_itemgetter(11), doc="bytes of data holding the DI (0, 2 or 4)")
    has_error = property(_itemgetter(12), doc="an abnormal reply")
    error = property(_itemgetter(13), doc="the error byte (or word) of an abnormal reply")

    @property
    def length(self) -> int:
        """L, the number of data bytes."""
        return len(self[3])

    value = property(_itemgetter(14), doc="the data after the DI")

    def __reduce__(self):
        return (Frame._from_tuple, (tuple(self),))

    @classmethod
    def build(cls, address: Union[Address, str], control: int, data: BytesLike = b"",
              edition: int = 0, preamble: int = 0) -> "Frame":
        """A frame from its parts (prepay_dlt645_frame_init); derived members computed like the decoder."""
        f = _c.prepay_dlt645_frame_t()
        check(_c.prepay_dlt645_frame_init(f, int(edition), _addr(address)._c(), int(control), bytes(data)))
        f.preamble = int(preamble)
        return cls._from_c(f, 0)

    @classmethod
    def _from_c(cls, f, size: int) -> "Frame":
        data = f.get_data()
        return cls._from_tuple((size, f.address.get_bytes(), f.control, data, f.preamble, f.edition,
                                f.function, bool(f.is_reply), bool(f.abnormal), bool(f.follow_up), f.di,
                                f.di_size, bool(f.has_error), f.error, data[f.di_size:]))

    def _c(self):
        f = _c.prepay_dlt645_frame_t()
        a = _c.prepay_dlt645_address_t()
        a.set_bytes(self[1])
        check(_c.prepay_dlt645_frame_init(f, self[5], a, self[2], self[3]))
        f.preamble = self[4]
        return f

    def with_preamble(self, preamble: int) -> "Frame":
        """The same frame with ``preamble`` FE bytes."""
        return _tuple_new(Frame, self[:4] + (int(preamble),) + self[5:])

    def encode(self) -> bytes:
        """The wire bytes (prepay_dlt645_encode)."""
        return encode(self)

    def __bytes__(self) -> bytes:
        return self.encode()

    def __repr__(self) -> str:
        kind = "reply" if self.is_reply else "request"
        extra = f" di={self.di:0{2 * self.di_size}X}" if self.di_size else ""
        err = f" error=0x{self.error:02X}" if self.has_error else ""
        return (f"<Frame {int(self.edition)} "
                f"{kind} {self.address} C={self.control:02X} fn={self.function:02X}{extra} L={self.length} "
                f"data={self.data.hex(' ')}{err}>")


def decode(data: BytesLike, edition: int = 0) -> Frame:
    """Decodes the frame at the start of ``data`` (any bytes-like); ``Frame.size`` is the bytes used."""
    f = _decode_tuple(data, edition, Frame)
    if f.__class__ is int:
        raise error_for(f)
    return f


def decode_all(data: BytesLike, edition: int = 0) -> List[Frame]:
    """Every frame of a byte string through a stream parser (garbage is skipped)."""
    parser = StreamParser(edition)
    return list(parser.feed(data))


def encode(frame: Frame) -> bytes:
    """Encodes a frame to its wire bytes."""
    n, out = _c.prepay_dlt645_encode(frame._c())
    check(n)
    return out


def checksum(data: BytesLike) -> int:
    """Sum mod 256 (the CS byte)."""
    return _c.prepay_dlt645_checksum(data)


@dataclass(frozen=True)
class StreamStats:
    """Counters of a stream parser: bytes_in == bytes_dropped + bytes_framed + bytes_pending."""
    bytes_in: int
    bytes_dropped: int
    bytes_framed: int
    bytes_pending: int
    frames: int


class StreamParser:
    """Byte stream in (any chunks), frames out. ``for frame in parser.feed(chunk): ...``"""

    def __init__(self, edition: int = 0) -> None:
        self._s = _c.prepay_dlt645_stream_t()
        check(_c.prepay_dlt645_stream_init(self._s, int(edition)))

    def feed(self, data: BytesLike) -> Iterator[Frame]:
        """Feeds bytes and yields every whole frame they complete, in arrival order."""
        view = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
        frame = _c.prepay_dlt645_frame_t()
        pos = 0
        while True:
            while True:
                r = check(_c.prepay_dlt645_stream_next(self._s, frame))
                if r != 1:
                    break
                yield Frame._from_c(frame, frame.preamble + 12 + frame.length)
            if pos >= len(view):
                return
            taken = check(_c.prepay_dlt645_stream_feed(self._s, view[pos:]))
            pos += taken

    def __call__(self, data: BytesLike) -> List[Frame]:
        return list(self.feed(data))

    def flush(self) -> int:
        """Drops held bytes (after an inter-byte timeout); returns how many."""
        return check(_c.prepay_dlt645_stream_flush(self._s))

    @property
    def stats(self) -> StreamStats:
        """Byte and frame counters of the parser."""
        st = _c.prepay_dlt645_stream_stats_t()
        check(_c.prepay_dlt645_stream_stats(self._s, st))
        return StreamStats(st.bytes_in, st.bytes_dropped, st.bytes_framed, st.bytes_pending, st.frames)


# ---- requests ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Credentials:
    """Password level PA, password P0 P1 P2 and operator code C0..C3 (wire order)."""
    level: int = 2
    password: bytes = b"\x00\x00\x00"
    operator_code: bytes = b"\x00\x00\x00\x00"

    def _c(self):
        c = _c.prepay_dlt645_credentials_t()
        c.level = self.level
        check(c.set_password(bytes(self.password)), "password has 3 bytes")
        check(c.set_operator_code(bytes(self.operator_code)), "operator code has 4 bytes")
        return c


def _request(fn, *args) -> Frame:
    f = _c.prepay_dlt645_frame_t()
    check(fn(f, *args))
    return Frame._from_c(f, 0)


def read(address: Union[Address, str], di: int) -> Frame:
    """2007 read data (C=11)."""
    return _request(_c.prepay_dlt645_request_read, _addr(address)._c(), di)


def read_blocks(address: Union[Address, str], di: int, blocks: int) -> Frame:
    """2007 read of N blocks (C=11, DI + N)."""
    return _request(_c.prepay_dlt645_request_read_blocks, _addr(address)._c(), di, blocks)


def read_follow_up(address: Union[Address, str], di: int, seq: int) -> Frame:
    """2007 read follow-up data (C=12)."""
    return _request(_c.prepay_dlt645_request_read_follow_up, _addr(address)._c(), di, seq)


def read_address() -> Frame:
    """2007 read communication address (C=13) to AAAAAAAAAAAA."""
    return _request(_c.prepay_dlt645_request_read_address)


def write(address: Union[Address, str], di: int, credentials: Credentials, value: BytesLike) -> Frame:
    """2007 write data (C=14)."""
    return _request(_c.prepay_dlt645_request_write, _addr(address)._c(), di, credentials._c(), bytes(value))


def write_address(target: Union[Address, str], new_address: Union[Address, str]) -> Frame:
    """2007 write communication address (C=15)."""
    return _request(_c.prepay_dlt645_request_write_address, _addr(target)._c(), _addr(new_address)._c())


def broadcast_time(now: TimeLike) -> Frame:
    """Broadcast time synchronisation (C=08)."""
    return _request(_c.prepay_dlt645_request_broadcast_time, to_time(now))


def freeze(address: Union[Address, str], minute: int = 99, hour: int = 99, day: int = 99, month: int = 99) -> Frame:
    """2007 freeze (C=16); 99 is a wildcard."""
    return _request(_c.prepay_dlt645_request_freeze, _addr(address)._c(), minute, hour, day, month)


def change_baud(address: Union[Address, str], baud: int) -> Frame:
    """2007 change communication rate (C=17)."""
    return _request(_c.prepay_dlt645_request_change_baud, _addr(address)._c(), baud)


def clear_demand(address: Union[Address, str], credentials: Credentials) -> Frame:
    """2007 clear maximum demand (C=19)."""
    return _request(_c.prepay_dlt645_request_clear_demand, _addr(address)._c(), credentials._c())


def clear_meter(address: Union[Address, str], credentials: Credentials) -> Frame:
    """2007 clear meter (C=1A)."""
    return _request(_c.prepay_dlt645_request_clear_meter, _addr(address)._c(), credentials._c())


def clear_events(address: Union[Address, str], credentials: Credentials, event_di: int = 0xFFFFFFFF) -> Frame:
    """2007 clear events (C=1B)."""
    return _request(_c.prepay_dlt645_request_clear_events, _addr(address)._c(), credentials._c(), event_di)


def relay_control(address: Union[Address, str], credentials: Credentials, command: int,
                  valid_until: TimeLike) -> Frame:
    """2007 relay control (C=1C): command is a :class:`prepay.RelayCommand`."""
    return _request(_c.prepay_dlt645_request_relay_control, _addr(address)._c(), credentials._c(), int(command),
                    to_time(valid_until))


def read_1997(address: Union[Address, str], di: int) -> Frame:
    """1997 read data (C=01)."""
    return _request(_c.prepay_dlt645_request_read_1997, _addr(address)._c(), di)


def write_1997(address: Union[Address, str], di: int, credentials: Credentials, value: BytesLike) -> Frame:
    """1997 write data (C=04)."""
    return _request(_c.prepay_dlt645_request_write_1997, _addr(address)._c(), di, credentials._c(), bytes(value))


# ---- replies -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReadReply:
    """The useful part of a read reply."""
    di: int
    value: bytes
    follow_up: bool
    seq: Optional[int]


def reply_check(request: Frame, reply: Frame) -> None:
    """Raises unless ``reply`` is a normal reply to ``request`` (abnormal: DLT645Error ABNORMAL, see ``reply.error``)."""
    check(_c.prepay_dlt645_reply_check(request._c(), reply._c()))


def reply_read(request: Frame, reply: Frame) -> ReadReply:
    """Parses a read reply."""
    out = _c.prepay_dlt645_read_reply_t()
    rep = reply._c()
    check(_c.prepay_dlt645_reply_read(request._c(), rep, out), f"error byte 0x{reply.error:02X}" if reply.has_error else None)
    # value points into rep.data right after the DI
    value = rep.get_data()[rep.di_size:rep.di_size + out.value_len]
    return ReadReply(out.di, value, bool(out.follow_up), out.seq if out.has_seq else None)


def reply_read_address(request: Frame, reply: Frame) -> Address:
    """Parses a read-address reply."""
    a = _c.prepay_dlt645_address_t()
    check(_c.prepay_dlt645_reply_read_address(request._c(), reply._c(), a))
    return Address(a.get_bytes())


def reply_ack(request: Frame, reply: Frame) -> None:
    """Checks a reply without data (write, freeze, clears, relay control...)."""
    check(_c.prepay_dlt645_reply_ack(request._c(), reply._c()))


def reply_change_baud(request: Frame, reply: Frame) -> int:
    """Parses a change-baud reply: the rate confirmed."""
    return unpack(_c.prepay_dlt645_reply_change_baud(request._c(), reply._c()))


def parse_write_request(request: Frame) -> Tuple[int, int, bytes]:
    """Meter side: (di, password level, value) of a 2007 write request."""
    out = _c.prepay_dlt645_write_request_t()
    req = request._c()
    check(_c.prepay_dlt645_parse_write_request(req, out))
    return out.di, out.credentials.level, req.get_data()[12:12 + out.value_len]


def parse_relay_request(request: Frame) -> Tuple[int, _dt.datetime]:
    """Meter side: (command N1, valid-until) of a relay-control request."""
    out = _c.prepay_dlt645_relay_request_t()
    check(_c.prepay_dlt645_parse_relay_request(request._c(), out))
    return out.command, from_time(out.valid_until)


# ---- catalogue and typed values ---------------------------------------------------------

@dataclass(frozen=True)
class CatalogueItem:
    """What the catalogue says about a DI."""
    di: int
    name: str
    full_name: str
    format: ValueFormat
    length: int
    decimals: int
    unit: Unit
    source: str
    is_record: bool


def item_name(di: int) -> str:
    """The full name of a DI (e.g. 'forward active energy, tariff 1, current')."""
    n, text = _c.prepay_dlt645_item_name(di)
    check(n, f"DI {di:08X}")
    return text


def lookup(di: int) -> CatalogueItem:
    """Catalogue lookup of a 2007 DI; DLT645Error UNKNOWN_DI if absent."""
    it = _c.prepay_dlt645_item_t()
    check(_c.prepay_dlt645_catalogue_find(di, it), f"DI {di:08X}")
    return CatalogueItem(di, it.name, item_name(di), ValueFormat(it.format), it.length, it.decimals, Unit(it.unit),
                         it.source or "", it.field_count > 0)


_TIMED = (int(ValueKind.TIME), int(ValueKind.DEMAND))


class Value(tuple):
    """A decoded data item. ``decimal`` is the printed number exactly; ``quantity`` is in library units.

    Immutable. :func:`decode_value` builds it from one C call returning plain ints (a tuple
    underneath); the enums (``kind``, ``format``, ``unit``), ``name``, ``text``, ``entries`` and
    ``raw`` are made only when read (from the C value, decoded again from the item's bytes).
    """

    @classmethod
    def _from_tuple(cls, t, data: Optional[bytes]) -> "Value":
        return _tuple_new(cls, t + (data,))

    @classmethod
    def _from_c(cls, v) -> "Value":
        out = _tuple_new(cls, (v.di, v.kind, v.format, v.unit, v.decimals, v.number, v.quantity, v.time, v.weekday,
                               v.field, v.count, None))
        object.__setattr__(out, "_proxy", v)
        return out

    def __setattr__(self, name, value):
        raise AttributeError(f"Value is immutable: cannot set {name!r}")

    def _c(self):
        """The C value (prepay_dlt645_value_t), decoded again from the item's bytes on first use."""
        v = self.__dict__.get("_proxy")
        if v is None:
            v = _c.prepay_dlt645_value_t()
            check(_c.prepay_dlt645_value_decode(self[0], self[11], v), f"DI {self[0]:08X}")
            object.__setattr__(self, "_proxy", v)
        return v

    di = property(_itemgetter(0), doc="data identifier (for record fields: the record's DI)")
    kind = property(lambda self: ValueKind(self[1]), doc="ValueKind")
    format = property(lambda self: ValueFormat(self[2]), doc="ValueFormat of the wire bytes")
    unit = property(lambda self: Unit(self[3]), doc="Unit")
    decimals = property(_itemgetter(4), doc="digits after the point of number")
    number = property(_itemgetter(5), doc="the wire integer (value x 10**decimals); digits")
    quantity = property(_itemgetter(6), doc="the value in the library unit of unit")
    weekday = property(_itemgetter(8), doc="YYMMDDWW: the weekday as sent (0 = Sunday)")
    field_index = property(_itemgetter(9), doc="1-based field of a record DI, 0 otherwise")

    @property
    def time(self) -> Optional[int]:
        """Times and demand: seconds since 2000-01-01 (seconds of the day for hhmmss); else None."""
        return self[7] if self[1] in _TIMED else None

    @property
    def decimal(self) -> Decimal:
        """The number as printed by the meter (number / 10^decimals), exact."""
        return _SCALE[self[4]] * self[5]

    @property
    def datetime(self) -> Optional[_dt.datetime]:
        """The value as a naive local datetime for date/time items, else None."""
        return from_time(self[7]) if self[1] in _TIMED else None

    @property
    def name(self) -> str:
        """Base name of the item (record fields: the field name)."""
        return self._c().name or ""

    @property
    def entries(self) -> Tuple[Tuple[int, int, int], ...]:
        """Tables: (first, second, number) per entry."""
        if self[1] != ValueKind.TABLE:
            return ()
        return tuple(tuple(e) for e in self._c().get_entries())

    @property
    def raw(self) -> bytes:
        """Text and bytes items: the bytes (text in reading order)."""
        if self[1] not in (ValueKind.TEXT, ValueKind.BYTES):
            return b""
        return self._c().get_bytes()

    @property
    def text(self) -> str:
        """prepay_dlt645_value_format() text."""
        n, text = _c.prepay_dlt645_value_format(self._c())
        return text if n >= 0 else ""

    def _key(self):
        return (self.di, self.name, self[1:10], self.entries, self.raw)

    def __eq__(self, other) -> bool:
        return isinstance(other, Value) and self._key() == other._key()

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self):
        return (_value_again, (self[0], self[11])) if self[11] is not None else (tuple, (tuple(self),))

    def __repr__(self) -> str:
        return (f"Value(di=0x{self.di:08X}, name={self.name!r}, kind={self.kind!r}, unit={self.unit!r}, "
                f"decimals={self.decimals}, number={self.number}, quantity={self.quantity}, time={self.time}, "
                f"text={self.text!r})")

    def encode(self) -> bytes:
        """Wire bytes (before +0x33) of the value (prepay_dlt645_value_encode)."""
        n, out = _c.prepay_dlt645_value_encode(self._c())
        check(n)
        return out

    def __str__(self) -> str:
        return self.text


def _value_from_c(v) -> Value:
    return Value._from_c(v)


def _value_again(di: int, data: bytes) -> Value:
    return decode_value(di, data)


def decode_value(di: int, data: BytesLike) -> Value:
    """Decodes one item's data (0x33 removed, DI removed)."""
    v = _value_tuple(di, data, Value)
    if v.__class__ is int:
        raise error_for(v, f"DI {di:08X}")
    return v


def decode_block(di: int, data: BytesLike, edition: int = 2007) -> List[Value]:
    """Decodes a block (FF) or record DI into its items."""
    n, items = _c.pyprepay_block_decode(di, data, 1 if int(edition) == 1997 else 0)
    check(n, f"DI {di:08X}")
    return [_value_from_c(v) for v in items]


def encode_value(value: Value) -> bytes:
    """Wire bytes (before +0x33) of a value."""
    return value.encode()


def parse_value(di: int, text: str) -> Value:
    """Parses the text form of an item (as format_value prints it) into a value ready to encode."""
    v = _c.prepay_dlt645_value_t()
    check(_c.prepay_dlt645_value_parse(di, text, v), f"DI {di:08X} {text!r}")
    return _value_from_c(v)


def format_value(value: Value) -> str:
    """Text of a value (prepay_dlt645_value_format)."""
    return value.text


# ---- named data identifiers ---------------------------------------------------------------

class DI:
    """Named DL/T 645-2007 data identifiers (``PREPAY_DI_*`` of prepay/dlt645_di.h), e.g.
    ``DI.FORWARD_ACTIVE_TOTAL``; families are functions: ``DI.energy(DI.KIND_FORWARD_ACTIVE, 1, 0)``."""

    @staticmethod
    def energy(kind: int, tariff: int = 0, period: int = 0) -> int:
        """DI3 = 00 energy register: kind (DI2), tariff (DI1, 0 total), period (DI0, 0 current)."""
        return (kind << 16) | (tariff << 8) | period

    @staticmethod
    def voltage(phase: int) -> int:
        """0201pp00: voltage of phase 1..3 (0xFF: block)."""
        return 0x02010000 | (phase << 8)

    @staticmethod
    def current(phase: int) -> int:
        """0202pp00: current of phase 1..3."""
        return 0x02020000 | (phase << 8)

    @staticmethod
    def active_power(phase: int = 0) -> int:
        """0203pp00: active power, total (0) or phase."""
        return 0x02030000 | (phase << 8)

    @staticmethod
    def price(price_set: int, tariff: int) -> int:
        """0405sstt: price of a tariff in price set 1 or 2."""
        return 0x04050000 | (price_set << 8) | tariff


for _name in dir(_c):
    if _name.startswith("PREPAY_DI_"):
        setattr(DI, _name[len("PREPAY_DI_"):], int(getattr(_c, _name)))
del _name
# The items dlt645_di.h defines through its family macros (SWIG does not expand those).
DI.COMBINED_ACTIVE_TOTAL = DI.energy(DI.KIND_COMBINED_ACTIVE)
DI.FORWARD_ACTIVE_TOTAL = DI.energy(DI.KIND_FORWARD_ACTIVE)
DI.FORWARD_ACTIVE_BLOCK = DI.energy(DI.KIND_FORWARD_ACTIVE, DI.TARIFF_BLOCK)
DI.REVERSE_ACTIVE_TOTAL = DI.energy(DI.KIND_REVERSE_ACTIVE)
DI.REVERSE_ACTIVE_BLOCK = DI.energy(DI.KIND_REVERSE_ACTIVE, DI.TARIFF_BLOCK)
DI.VOLTAGE_BLOCK = DI.voltage(DI.PHASE_BLOCK)
DI.TRIP_COUNT = (DI.CLASS_TRIP << 24) | 0x0001
DI.CLOSE_COUNT = (DI.CLASS_CLOSE << 24) | 0x0001


# ---- read replies straight to values (prepay/dlt645_reading.h) ------------------------------

READING_FOLLOW_UP = int(_c.PREPAY_DLT645_READING_FOLLOW_UP)  #: Reading.flags: the meter has follow-up frames
READING_1997 = int(_c.PREPAY_DLT645_READING_1997)  #: Reading.flags: a DL/T 645-1997 reply
READING_NO_TIME = int(_c.PREPAY_DLT645_READING_NO_TIME)  #: Reading.flags: a demand without its time


def decode_reading(data: BytesLike) -> "Reading":
    """A read reply straight to its value, in one C call: a :class:`Reading` (a tuple with names
    ``di status number decimals quantity unit kind time address size control flags error``).

    A frame that is not valid raises :class:`DLT645Error` as :func:`decode` does; a valid frame
    without a value (abnormal reply, unknown DI, absent item, ...) gives a reading whose
    ``status`` is the code (see :class:`prepay.Status`), without an exception. The rich objects
    stay available: ``decode(data)`` and ``decode_value(frame.di, frame.value)``.
    """
    r = _reading(data)
    if r.__class__ is int:
        raise error_for(r)
    return r


def decode_reading_tuple(data: BytesLike) -> Tuple[int, int, int, int, int, int, int, int]:
    """The same as a plain tuple ``(di, status, number, decimals, quantity, unit, kind, time)``."""
    r = _reading_tuple(data)
    if r.__class__ is int:
        raise error_for(r)
    return r


def to_decimal(number: int, decimals: int) -> Decimal:
    """``number / 10**decimals`` as an exact Decimal (the printed value of a reading)."""
    return _SCALE[decimals] * number


def check_frame(data: BytesLike) -> int:
    """Bytes the valid frame at the start of ``data`` occupies (prepay_dlt645_check); raises on an invalid frame."""
    n = _c.prepay_dlt645_check(data)
    if n < 0:
        raise error_for(n)
    return n


Reading = type(decode_reading(bytes.fromhex("6861010000000068910833333433593333338A16")))


def _column(code: str, raw: bytes) -> _array:
    a = _array(code)
    a.frombytes(raw)
    return a


class Readings:
    """Many read replies decoded by :func:`decode_readings` in one C call, as columns (``array``):
    ``di`` ('I'), ``status`` ('i'), ``number``, ``quantity``, ``time`` ('q'), ``decimals``, ``unit``,
    ``kind``, ``control``, ``flags`` ('B'), ``error``, ``size`` ('H'), and ``address`` (6 bytes per
    reading). ``used`` is the bytes consumed; ``stop`` 0 or the frame error at ``used``.
    ``readings[i]`` is a :class:`Reading`."""

    __slots__ = ("count", "used", "stop", "di", "status", "number", "quantity", "time", "decimals", "unit", "kind",
                 "control", "flags", "error", "size", "address")

    def __init__(self, t) -> None:
        self.count, self.used, self.stop = t[0], t[1], t[2]
        self.di = _column("I", t[3])
        self.status = _column("i", t[4])
        self.number = _column("q", t[5])
        self.quantity = _column("q", t[6])
        self.time = _column("q", t[7])
        self.decimals = _column("B", t[8])
        self.unit = _column("B", t[9])
        self.kind = _column("B", t[10])
        self.control = _column("B", t[11])
        self.flags = _column("B", t[12])
        self.error = _column("H", t[13])
        self.size = _column("H", t[14])
        self.address = t[15]

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> "Reading":
        if i < 0:
            i += self.count
        if not 0 <= i < self.count:
            raise IndexError(i)
        return Reading((self.di[i], self.status[i], self.number[i], self.decimals[i], self.quantity[i], self.unit[i],
                        self.kind[i], self.time[i], self.address[6 * i:6 * i + 6], self.size[i], self.control[i],
                        self.flags[i], self.error[i]))

    def __iter__(self) -> Iterator["Reading"]:
        return (self[i] for i in range(self.count))

    def decimal(self, i: int) -> Decimal:
        """The printed value of reading ``i``."""
        return _SCALE[self.decimals[i]] * self.number[i]

    def __repr__(self) -> str:
        return f"<Readings count={self.count} used={self.used} stop={self.stop}>"


def decode_readings(data: BytesLike, max_frames: int = 0) -> Readings:
    """Decodes the read replies laid back to back in ``data`` (each with any FE preamble) in ONE C
    call, with the GIL released: a :class:`Readings` of arrays. Stops at the end of the data, after
    ``max_frames`` frames (0: no limit), or at the first invalid frame (``stop`` is its error and
    ``used`` where it starts; an incomplete frame at the end gives E_DLT645_TRUNCATED)."""
    t = _c.pyprepay_dlt645_decode_batch(data, int(max_frames))
    if t.__class__ is int:
        raise error_for(t)
    return Readings(t)
