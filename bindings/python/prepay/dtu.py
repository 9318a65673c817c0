# SPDX-License-Identifier: MIT
"""DTU registration and heartbeat packets: the library's byte-pattern matcher (``prepay/dtu.h``).

A GPRS/4G DTU that *dials in* to the station sends a registration packet naming itself, then
heartbeats while idle; everything else on its connection is the bus. The packet forms are set in
the vendor's configuration tool, so the station is told what to expect with a pattern text:

- ``prefix:TEXT`` — the bytes of TEXT then the id (1..32 printable ASCII characters), e.g.
  ``prefix:REG:`` matches ``b"REG:DTU0042"`` with id ``DTU0042``;
- ``pattern:TOKENS`` — hex bytes, ``'TEXT'``, ``??``, ``{id:N}``, ``{id:N-M}``, ``{idhex:N}``, e.g.
  ``pattern:7B 01 00 16 {id:11} 7B``.

Malformed patterns raise :class:`prepay.TransportError` (also a :class:`ValueError`) with code
``Status.E_TRANSPORT_BAD_FORMAT``; bytes that are not a packet raise it with
``Status.E_TRANSPORT_NO_MATCH``. See docs/field.md and ``prepay meter --listen PORT --dtu ID``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from . import c_api as _c
from ._enums import Status
from ._errors import check, error_for

BytesLike = Union[bytes, bytearray, memoryview]

__all__ = ["REGISTRATION", "HEARTBEAT", "ID_MAX", "DtuPacket", "DtuPattern", "DtuFormat"]

REGISTRATION = "registration"
HEARTBEAT = "heartbeat"
#: Most id bytes on the wire (PREPAY_DTU_ID_MAX).
ID_MAX = int(_c.PREPAY_DTU_ID_MAX)


@dataclass(frozen=True)
class DtuPacket:
    """A matched packet: ``kind`` (``"registration"`` or ``"heartbeat"``), the DTU ``id`` as text
    (hex digits when ``id_hex``; ``""`` if the pattern has no id), and its ``length`` in bytes
    from the start of the input."""
    kind: str
    id: str
    length: int
    id_hex: bool = False


class DtuPattern:
    """One compiled pattern text (``prepay_dtu_format_parse()``)."""

    __slots__ = ("text", "_format")

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError("a DTU pattern is a text (prefix:... or pattern:...)")
        fmt = _c.prepay_dtu_format_t()
        check(_c.prepay_dtu_format_parse(text, fmt), repr(text))
        self.text = text
        self._format = fmt

    @property
    def has_id(self) -> bool:
        """True if one of the pattern's tokens is the DTU id."""
        return bool(_c.prepay_dtu_format_has_id(self._format))

    def match(self, data: BytesLike, complete: bool = False) -> Optional[DtuPacket]:
        """Matches a packet at the start of ``data`` (as ``kind`` "registration"): the packet, or
        None if ``data`` is the beginning of one and more bytes are needed (never when ``complete``:
        no more bytes of this packet can come). Raises :class:`prepay.TransportError` (NO_MATCH)."""
        return self._match(data, complete, REGISTRATION)

    def _match(self, data: BytesLike, complete: bool, kind: str) -> Optional[DtuPacket]:
        packet = _c.prepay_dtu_packet_t()
        n = _c.prepay_dtu_match(self._format, bytes(data), bool(complete), packet)
        check(n)
        if n == 0:
            return None
        return DtuPacket(kind, packet.id or "", int(n), bool(packet.id_hex))

    def __repr__(self) -> str:
        return f"DtuPattern({self.text!r})"


class DtuFormat:
    """What a station expects of its dial-in DTUs: a registration pattern (must carry the id) and
    optionally a heartbeat pattern (DTUs that send none, or send the registration again, need none).

    ``DtuFormat("prefix:REG:", "pattern:'HB'")``: ``match(b"REG:DTU1", complete=True)`` is
    ``DtuPacket("registration", "DTU1", 8)``; ``match(b"HB")`` is a heartbeat."""

    __slots__ = ("registration", "heartbeat")

    def __init__(self, registration: str, heartbeat: Optional[str] = None) -> None:
        reg = DtuPattern(registration)
        if not reg.has_id:
            raise error_for(int(Status.E_TRANSPORT_BAD_FORMAT), f"{registration!r}: a registration pattern needs an id")
        self.registration = reg
        self.heartbeat = DtuPattern(heartbeat) if heartbeat else None

    def match(self, data: BytesLike, complete: bool = False) -> Optional[DtuPacket]:
        """The registration or heartbeat packet at the start of ``data``; None if more bytes are
        needed to tell (never when ``complete``). A complete match wins over a beginning of the other
        kind. Raises :class:`prepay.TransportError` (NO_MATCH) if ``data`` starts neither packet."""
        data = bytes(data)
        waiting = False
        last: Optional[BaseException] = None
        for pattern, kind in ((self.registration, REGISTRATION), (self.heartbeat, HEARTBEAT)):
            if pattern is None:
                continue
            try:
                packet = pattern._match(data, complete, kind)
            except Exception as e:  # noqa: BLE001 - a TransportError; the other kind may still match
                if getattr(e, "code", None) != int(Status.E_TRANSPORT_NO_MATCH):
                    raise
                last = e
                continue
            if packet is not None:
                return packet
            waiting = True
        if waiting:
            return None
        assert last is not None
        raise last

    def __repr__(self) -> str:
        hb = f", {self.heartbeat.text!r}" if self.heartbeat else ""
        return f"DtuFormat({self.registration.text!r}{hb})"
