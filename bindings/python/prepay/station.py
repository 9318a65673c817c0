# SPDX-License-Identifier: MIT
"""Station side: a request/reply session driven with bytes and time, and address discovery."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional

from . import c_api as _c
from ._enums import ProbeOutcome, StationAction
from ._errors import check, error_for
from .dlt645 import Address, Frame

__all__ = ["Session", "Result", "Discovery", "exchange"]


@dataclass(frozen=True)
class Result:
    """How a request ended. ``status`` 0 is success; ``reply`` the last reply frame; ``data`` joined read data."""
    status: int
    error: int
    attempts: int
    follow_ups: int
    data: bytes
    reply: Optional[Frame]

    @property
    def ok(self) -> bool:
        """Whether the exchange succeeded."""
        return self.status == 0

    def raise_for_status(self) -> None:
        """Raises the matching error if the exchange failed."""
        if self.status < 0:
            raise error_for(self.status, f"meter error 0x{self.error:02X}" if self.error else None)


class Session:
    """One request at a time on a bus. ``start()`` -> bytes to send; feed replies with ``receive()``."""

    def __init__(self, reply_timeout_ms: Optional[int] = None, retries: Optional[int] = None,
                 preamble: Optional[int] = None) -> None:
        cfg = _c.prepay_station_config_t()
        _c.prepay_station_config_default(cfg)
        if reply_timeout_ms is not None:
            cfg.reply_timeout_ms = reply_timeout_ms
        if retries is not None:
            cfg.retries = retries
        if preamble is not None:
            cfg.preamble = preamble
        self._s = _c.pyprepay_station_t()
        check(_c.prepay_station_init(self._s.session, cfg))

    @property
    def action(self) -> StationAction:
        """What the session asks for next (send, wait, done)."""
        return StationAction(self._s.step.action)

    @property
    def wake_at_ms(self) -> int:
        """When to call again if waiting (milliseconds of the caller's clock)."""
        return self._s.step.wake_at_ms

    def _tx(self) -> bytes:
        return _c.pyprepay_station_tx(self._s)

    def start(self, request: Frame, now_ms: int) -> bytes:
        """Starts a request; returns the bytes to transmit."""
        check(_c.pyprepay_station_start(self._s, request._c(), now_ms))
        return self._tx()

    def receive(self, data: bytes, now_ms: int) -> bytes:
        """Gives received bytes; returns bytes to transmit (a follow-up request) or b''."""
        check(_c.pyprepay_station_receive(self._s, data, now_ms))
        return self._tx()

    def poll(self, now_ms: int) -> bytes:
        """Lets time pass; returns a retransmission or b''."""
        check(_c.pyprepay_station_poll(self._s, now_ms))
        return self._tx()

    @property
    def done(self) -> bool:
        """Whether the session finished."""
        return self.action == StationAction.DONE

    def result(self) -> Result:
        """The session's result (status, reply, retries)."""
        r = _c.prepay_station_result_t()
        check(_c.prepay_station_result(self._s.session, r))
        reply = Frame._from_c(r.reply, 0) if r.status in (0, _c_abnormal()) else None
        return Result(r.status, r.error, r.attempts, r.follow_ups, _c.pyprepay_station_data(self._s, r.data_len), reply)


def _c_abnormal() -> int:
    return -((_c.PREPAY_MODULE_DLT645 << 8) | 9)


def exchange(session: Session, request: Frame, transport: Callable[[bytes], bytes], now_ms: int = 0) -> Result:
    """Runs a request to completion over a synchronous ``transport(tx) -> rx`` (e.g. a simulated meter)."""
    tx = session.start(request, now_ms)
    while not session.done:
        if tx:
            rx = transport(tx)
            now_ms += 10
            tx = session.receive(rx, now_ms) if rx else session.poll(session.wake_at_ms)
            if not rx:
                now_ms = session.wake_at_ms
        else:
            now_ms = max(now_ms, session.wake_at_ms)
            tx = session.poll(now_ms)
    return session.result()


class Discovery:
    """Finds the addresses on a bus by wildcard probes (binary search on address bytes)."""

    def __init__(self) -> None:
        self._d = _c.pyprepay_discovery_t()
        check(_c.pyprepay_discovery_init(self._d))

    def next_probe(self) -> Optional[Frame]:
        """The next probe request, or None when finished."""
        f = _c.prepay_dlt645_frame_t()
        r = check(_c.prepay_station_discovery_next(self._d.discovery, f))
        return Frame._from_c(f, 0) if r == 1 else None

    def report(self, outcome: ProbeOutcome, address: Optional[Address] = None) -> None:
        """Reports the outcome of the last probe (and the address found)."""
        check(_c.prepay_station_discovery_report(self._d.discovery, int(outcome), address._c() if address else None))

    @property
    def found(self) -> List[Address]:
        """The addresses found so far."""
        return [Address(b) for b in _c.pyprepay_discovery_found(self._d)]
