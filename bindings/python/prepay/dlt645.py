"""DL/T 645-2007/1997: frames, stream parsing, requests, reply parsing, catalogue and typed values."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field as _field
from decimal import Decimal
from typing import Iterable, Iterator, List, Optional, Tuple, Union

from . import c_api as _c
from ._enums import Edition, Unit, ValueFormat, ValueKind
from ._errors import DLT645Error, check, unpack
from ._units import TimeLike, from_time, to_time

BytesLike = Union[bytes, bytearray, memoryview]

__all__ = [
    "Address", "Frame", "Credentials", "ReadReply", "StreamStats", "StreamParser", "CatalogueItem", "Value",
    "decode", "decode_all", "encode", "lookup", "item_name", "decode_value", "decode_block", "encode_value",
    "parse_value", "format_value", "checksum", "read", "read_blocks", "read_follow_up", "read_address", "write",
    "write_address", "broadcast_time", "freeze", "change_baud", "clear_demand", "clear_meter", "clear_events",
    "relay_control", "read_1997", "write_1997", "reply_check", "reply_read", "reply_read_address", "reply_ack",
    "reply_change_baud", "parse_write_request", "parse_relay_request",
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
        return bool(_c.prepay_dlt645_address_is_broadcast(self._c()))

    @property
    def is_wildcard(self) -> bool:
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


@dataclass(frozen=True)
class Frame:
    """A decoded DL/T 645 frame (data with the 0x33 offset removed, DI bytes included)."""

    address: Address
    control: int
    data: bytes = b""
    preamble: int = 0
    edition: Edition = Edition.E2007
    function: int = 0
    is_reply: bool = False
    abnormal: bool = False
    follow_up: bool = False
    di: int = 0
    di_size: int = 0
    has_error: bool = False
    error: int = 0
    size: int = 0  #: bytes the frame occupied in the decoded input (preamble included); 0 if built

    @property
    def length(self) -> int:
        """L, the number of data bytes."""
        return len(self.data)

    @property
    def value(self) -> bytes:
        """The data after the DI."""
        return self.data[self.di_size:]

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
        return cls(address=Address(f.address.get_bytes()), control=f.control, data=f.get_data(),
                   preamble=f.preamble, edition=Edition(f.edition), function=f.function, is_reply=bool(f.is_reply),
                   abnormal=bool(f.abnormal), follow_up=bool(f.follow_up), di=f.di, di_size=f.di_size,
                   has_error=bool(f.has_error), error=f.error, size=size)

    def _c(self):
        f = _c.prepay_dlt645_frame_t()
        check(_c.prepay_dlt645_frame_init(f, int(self.edition), self.address._c(), self.control, self.data))
        f.preamble = self.preamble
        return f

    def with_preamble(self, preamble: int) -> "Frame":
        """The same frame with ``preamble`` FE bytes."""
        return Frame(**{**self.__dict__, "preamble": preamble})

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
    f = _c.prepay_dlt645_frame_t()
    n = _c.prepay_dlt645_decode_edition(data, int(edition), f)
    check(n)
    return Frame._from_c(f, n)


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


@dataclass(frozen=True)
class Value:
    """A decoded data item. ``decimal`` is the printed number exactly; ``quantity`` is in library units."""
    di: int
    name: str
    kind: ValueKind
    format: ValueFormat
    unit: Unit
    decimals: int
    number: int = 0
    quantity: int = 0
    time: Optional[int] = None
    weekday: int = 0
    entries: Tuple[Tuple[int, int, int], ...] = ()
    raw: bytes = b""
    field_index: int = 0  #: 1-based field of a record DI, 0 otherwise
    text: str = ""  #: prepay_dlt645_value_format() text
    _c_value: object = _field(default=None, repr=False, compare=False)

    @property
    def decimal(self) -> Decimal:
        """The number as printed by the meter (number / 10^decimals), exact."""
        return Decimal(self.number).scaleb(-self.decimals)

    @property
    def datetime(self) -> Optional[_dt.datetime]:
        return from_time(self.time) if self.time is not None and self.kind in (ValueKind.TIME, ValueKind.DEMAND) else None

    def encode(self) -> bytes:
        """Wire bytes (before +0x33) of the value (prepay_dlt645_value_encode)."""
        n, out = _c.prepay_dlt645_value_encode(self._c_value)
        check(n)
        return out

    def __str__(self) -> str:
        return self.text


def _value_from_c(v) -> Value:
    n, text = _c.prepay_dlt645_value_format(v)
    kind = ValueKind(v.kind)
    return Value(di=v.di, name=v.name or "", kind=kind, format=ValueFormat(v.format), unit=Unit(v.unit),
                 decimals=v.decimals, number=v.number, quantity=v.quantity,
                 time=v.time if kind in (ValueKind.TIME, ValueKind.DEMAND) else None, weekday=v.weekday,
                 entries=tuple(tuple(e) for e in v.get_entries()) if kind == ValueKind.TABLE else (),
                 raw=v.get_bytes() if kind in (ValueKind.TEXT, ValueKind.BYTES) else b"", field_index=v.field,
                 text=text if n >= 0 else "", _c_value=v)


def decode_value(di: int, data: BytesLike) -> Value:
    """Decodes one item's data (0x33 removed, DI removed)."""
    v = _c.prepay_dlt645_value_t()
    check(_c.prepay_dlt645_value_decode(di, data, v), f"DI {di:08X}")
    return _value_from_c(v)


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
