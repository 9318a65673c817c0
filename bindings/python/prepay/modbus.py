# SPDX-License-Identifier: MIT
"""Modbus RTU: CRC, frames, requests, matching, stream parsing, register maps with exact fixed-point values.

Register values come out as ints in the map's unit (Wh, L, fen, W, ...); FLOAT32 registers are decoded
exactly (or refused with :class:`ModbusError`), never through Python floats. A thin layer over
``prepay/modbus.h``; see docs/modbus.md.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Union

from . import c_api as _c
from ._enums import Status
from ._errors import ModbusError, check, error_for

BytesLike = Union[bytes, bytearray, memoryview]


__all__ = [
    "Direction", "Rule", "Adu", "Register", "RegisterMap", "Value", "StreamParser", "StreamStats", "crc16",
    "decode", "encode", "read", "write_coil", "write_register", "write_registers", "match", "registers", "bits",
    "exception_response", "silent_interval_us", "float_to_fixed", "fixed_to_float", "maps", "get_map",
]


class Direction(enum.IntEnum):
    """What a frame's PDU is checked against."""
    ANY = _c.PREPAY_MODBUS_ANY
    REQUEST = _c.PREPAY_MODBUS_REQUEST
    RESPONSE = _c.PREPAY_MODBUS_RESPONSE


class Rule(enum.IntEnum):
    """What to do with a value that is not a whole number of the register's unit."""
    EXACT = _c.PREPAY_MODBUS_RULE_EXACT
    DECIMAL = _c.PREPAY_MODBUS_RULE_DECIMAL
    ROUND = _c.PREPAY_MODBUS_RULE_ROUND


def crc16(data: BytesLike) -> int:
    """CRC-16/MODBUS (sent low byte first): ``crc16(bytes.fromhex('010300000002')) == 0x0BC4``."""
    return _c.prepay_modbus_crc16(data)


@dataclass(frozen=True)
class Adu:
    """One RTU frame. ``wire`` is its encoding with the CRC."""
    unit: int
    function: int
    data: bytes
    is_exception: bool
    exception: int
    wire: bytes

    @classmethod
    def _from_c(cls, a) -> "Adu":
        n, wire = _c.prepay_modbus_encode(a)
        check(n)
        return cls(a.unit, a.function, a.get_data(), bool(a.is_exception), a.exception, wire)

    def _c(self):
        a = _c.prepay_modbus_adu_t()
        check(_c.prepay_modbus_decode(self.wire, _c.PREPAY_MODBUS_ANY, a))
        return a

    def __bytes__(self) -> bytes:
        return self.wire

    def __repr__(self) -> str:
        ex = f" exception={self.exception:02X}" if self.is_exception else ""
        return f"<modbus.Adu unit={self.unit} fn={self.function:02X}{ex} data={self.data.hex(' ')}>"


def decode(data: BytesLike, direction: int = Direction.ANY) -> Adu:
    """Decodes one complete ADU (exactly the bytes given)."""
    a = _c.prepay_modbus_adu_t()
    check(_c.prepay_modbus_decode(data, int(direction), a))
    return Adu._from_c(a)


def encode(adu: Adu) -> bytes:
    """The wire bytes of an ADU."""
    return adu.wire


def _build(fn, *args) -> Adu:
    a = _c.prepay_modbus_adu_t()
    check(fn(a, *args))
    return Adu._from_c(a)


def read(unit: int, function: int, address: int, count: int) -> Adu:
    """Read request: 01 coils, 02 discrete inputs, 03 holding or 04 input registers."""
    return _build(_c.prepay_modbus_request_read, int(unit), int(function), int(address), int(count))


def write_coil(unit: int, address: int, on: bool) -> Adu:
    """Write single coil (05)."""
    return _build(_c.prepay_modbus_request_write_coil, int(unit), int(address), bool(on))


def write_register(unit: int, address: int, value: int) -> Adu:
    """Write single register (06)."""
    return _build(_c.prepay_modbus_request_write_register, int(unit), int(address), int(value))


def write_registers(unit: int, address: int, values: Sequence[int]) -> Adu:
    """Write multiple registers (10H)."""
    data = b"".join(int(v).to_bytes(2, "big") for v in values)
    return _build(_c.pyprepay_modbus_request_write_registers, int(unit), int(address), data)


def match(request: Adu, response: Adu) -> bool:
    """True if ``response`` is the normal response to ``request``; False if it is another unit's or
    function's frame (ignore it and keep waiting). Raises for an exception response or a bad echo."""
    status = _c.prepay_modbus_match(request._c(), response._c())
    if status == Status.E_MODBUS_NOT_A_MATCH:
        return False
    if status < 0:
        err = error_for(status, f"exception {response.exception:02X}" if response.is_exception else None)
        raise err
    return True


def registers(request: Adu, response: Adu) -> List[int]:
    """The register values of a 03/04 response."""
    n, values = _c.pyprepay_modbus_registers(request._c(), response._c())
    check(n)
    return values


def bits(request: Adu, response: Adu) -> List[bool]:
    """The bit values of a 01/02 response."""
    n, packed = _c.pyprepay_modbus_bits(request._c(), response._c())
    check(n)
    return [bool(packed[i // 8] >> (i % 8) & 1) for i in range(n)]


def exception_response(request: Adu, code: int) -> Adu:
    """The exception response refusing ``request`` (server side)."""
    a = _c.prepay_modbus_adu_t()
    check(_c.prepay_modbus_response_exception(a, request._c(), int(code)))
    return Adu._from_c(a)


def silent_interval_us(baud: int) -> int:
    """t3.5 in microseconds (1750 above 19200 bit/s)."""
    return _c.prepay_modbus_silent_interval_us(int(baud))


def float_to_fixed(bits: int, exponent: int, rule: int = Rule.EXACT) -> int:
    """The binary32 ``bits`` times 10**exponent as an exact int (or rounded under Rule.ROUND)."""
    status, out = _c.prepay_modbus_float_to_fixed(int(bits), int(exponent), int(rule))
    check(status)
    return out


def fixed_to_float(value: int, exponent: int) -> int:
    """The bits of the binary32 nearest to value / 10**exponent."""
    status, out = _c.prepay_modbus_fixed_to_float(int(value), int(exponent))
    check(status)
    return out


@dataclass(frozen=True)
class StreamStats:
    """Counters: bytes_in == bytes_dropped + bytes_framed + bytes_pending."""
    bytes_in: int
    bytes_dropped: int
    bytes_framed: int
    bytes_pending: int
    frames: int


class StreamParser:
    """RTU framing without I/O: give bytes with their arrival time (µs), or call :meth:`gap` on an idle line."""

    def __init__(self, direction: int = Direction.RESPONSE, baud: int = 0) -> None:
        self._s = _c.prepay_modbus_stream_t()
        check(_c.prepay_modbus_stream_init(self._s, int(direction), int(baud)))

    def _drain(self) -> Iterator[Adu]:
        a = _c.prepay_modbus_adu_t()
        while check(_c.prepay_modbus_stream_next(self._s, a)) == 1:
            yield Adu._from_c(a)
            a = _c.prepay_modbus_adu_t()

    def feed(self, data: BytesLike, now_us: int = 0) -> Iterator[Adu]:
        """Gives one chunk (as the UART delivered it) that ended at ``now_us``; yields completed frames."""
        view = memoryview(bytes(data))
        while True:
            taken = check(_c.prepay_modbus_stream_feed(self._s, view, int(now_us)))
            view = view[taken:]
            yield from self._drain()
            if not len(view):
                return

    def gap(self) -> Iterator[Adu]:
        """The line has been silent for t3.5: yields what the held bytes form."""
        check(_c.prepay_modbus_stream_gap(self._s))
        yield from self._drain()

    def stats(self) -> StreamStats:
        """Byte and frame counters of the parser."""
        s = _c.prepay_modbus_stream_stats_t()
        check(_c.prepay_modbus_stream_stats(self._s, s))
        return StreamStats(s.bytes_in, s.bytes_dropped, s.bytes_framed, s.bytes_pending, s.frames)


@dataclass(frozen=True)
class Register:
    """One mapped register (see prepay_modbus_register_t)."""
    name: str
    address: int
    function: int
    type: int
    order: int
    exponent: int
    unit: str
    rule: Rule
    writable: bool
    _index: int = -1


@dataclass(frozen=True)
class Value:
    """A decoded register value: ``value`` in ``register.unit``, or ``error`` (e.g. inexact)."""
    register: Register
    value: Optional[int]
    error: Optional[ModbusError]


class RegisterMap:
    """A shipped register map ("ddsy1352", "xintai-water")."""

    def __init__(self, name: str) -> None:
        self._m = _c.prepay_modbus_map_by_name(str(name))
        if self._m is None:
            raise ModbusError(_c.PREPAY_E_INVALID_ARGUMENT, f"no register map named {name!r}")
        self.name: str = self._m.name
        self.source: str = self._m.source
        regs = []
        for i in range(self._m.count):
            r = self._m.reg(i)
            regs.append(Register(r.name, r.address, r.function, r.type, r.order, r.exponent,
                                 _c.prepay_modbus_unit_symbol(r.unit), Rule(r.rule), bool(r.writable), i))
        self.registers: List[Register] = regs

    def __getitem__(self, name: str) -> Register:
        for r in self.registers:
            if r.name == name:
                return r
        raise KeyError(name)

    def decode(self, request: Adu, response: Adu) -> Dict[str, Value]:
        """Every register of the map that a 03/04 read covers, by name."""
        words = registers(request, response)
        start = int.from_bytes(request.data[0:2], "big")
        data = b"".join(w.to_bytes(2, "big") for w in words)
        n, items = _c.pyprepay_modbus_map_decode(self._m, request.function, start, data)
        check(n)
        out = {}
        for index, status, value in items:
            reg = self.registers[index]
            out[reg.name] = Value(reg, value if status == 0 else None,
                                  None if status == 0 else error_for(status, reg.name))
        return out

    def value(self, name: str, register_bytes: BytesLike) -> int:
        """One register's value from its register bytes as received (big-endian words)."""
        reg = self[name]
        status, value = _c.pyprepay_modbus_value_decode(self._m.reg(reg._index), bytes(register_bytes))
        check(status, name)
        return value

    def write(self, unit: int, name: str, value: int) -> Adu:
        """The write request (06 or 10H) setting ``name`` to ``value`` (in the register's unit)."""
        reg = self[name]
        n, data = _c.pyprepay_modbus_value_encode(self._m.reg(reg._index), int(value))
        check(n, name)
        if n == 1:
            return write_register(unit, reg.address, int.from_bytes(data, "big"))
        return write_registers(unit, reg.address, [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)])


def maps() -> List[str]:
    """Names of the shipped register maps."""
    names, i = [], 0
    while True:
        m = _c.prepay_modbus_map_builtin(i)
        if m is None:
            return names
        names.append(m.name)
        i += 1


def get_map(name: str) -> RegisterMap:
    """A shipped register map by name."""
    return RegisterMap(name)
