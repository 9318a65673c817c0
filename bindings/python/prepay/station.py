# SPDX-License-Identifier: MIT
"""Station side: a request/reply session driven with bytes and time, address discovery, and the
DL/T 645 two-set tariff push (the library's sans-I/O task, prepay/tariff_push.h)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple, Union

from . import c_api as _c
from ._enums import ProbeOutcome, StationAction
from ._errors import check, error_for
from ._units import TimeLike, from_time, to_time
from .dlt645 import Address, Credentials, Frame

__all__ = ["Session", "Result", "Discovery", "exchange", "TariffPush", "TariffDifference"]


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


# ---- tariff push ---------------------------------------------------------------------------

_PUSH_PHASES = ("read the meter date", "read the meter time", "read the switch-over time",
                "read the number of day tables", "read the number of tariffs", "read set 2 (in force)",
                "copy set 2 into set 1", "read set 1 back", "clear the switch-over times", "write larger counts",
                "write set 2", "read set 2 back", "write the switch-over times", "read the set back", "done")


@dataclass(frozen=True)
class TariffDifference:
    """One difference between the plan (a) and the meter (b), as prepay_dlt645_tariff_difference_t.

    ``part`` 0 zone count, 1 zone, 2 slot count, 3 slot, 4 price, 5 ladder count, 6 ladder value, 7 ladder
    price; entries are (month, day, day table) or (hour, minute, tariff) or None; values are counts, prices in
    1e-8 yuan/kWh or ladder values in Wh."""
    part: int
    index: int
    slot: int
    a_entry: Optional[Tuple[int, int, int]]
    b_entry: Optional[Tuple[int, int, int]]
    a_value: int
    b_value: int


class TariffPush:
    """Pushes a tariff into set 2 of a DL/T 645 meter (or verifies a set) with the library's task.

    The sequence is the C library's (``prepay_tariff_push_*``): the set in force is never written; if set 2 is
    in force set 1 first becomes a copy of it; larger counts, set 2 item by item, a read-back compared with the
    plan, and only then the switch-over times. Any refusal, timeout or difference stops it.

    Drive it with :meth:`run` and a callable ``exchange(request: Frame) -> Result`` (e.g. a :class:`Session`
    over a link, see :meth:`run_session`), or step by step with :meth:`step`.
    """

    def __init__(self, tariff, address: Union[Address, str], *, verify: bool = False, set_index: int = 0,
                 credentials: Optional[Credentials] = None, switch_at: Optional[TimeLike] = None,
                 verify_set: int = 0) -> None:
        """``tariff`` a :class:`prepay.tariff.Tariff` (its set A, or B with ``set_index=1``); ``verify`` reads
        back instead of writing (``verify_set`` 1, 2 or 0 for the set in force after the switch-over);
        ``switch_at`` the switch-over time to write (default: the meter clock, to the minute)."""
        if set_index == 1 and not tariff.has_set_b:
            raise error_for(_c.PREPAY_E_INVALID_ARGUMENT, "the tariff has no set B")
        self._tariff = tariff
        self._p = _c.pyprepay_tariff_push_new()
        if self._p is None:
            raise MemoryError("tariff push")
        c = (credentials or Credentials())._c()
        r = _c.pyprepay_tariff_push_init(self._p, 1 if verify else 0, tariff._set(set_index),
                                         Address.parse(address)._c(), c, switch_at is not None,
                                         to_time(switch_at) if switch_at is not None else 0, int(verify_set))
        if r < 0:
            reason, index, value, text = _c.pyprepay_tariff_push_problem(self._p)
            detail = f"a DL/T 645 meter cannot hold this tariff: {text}" if reason else None
            raise error_for(r, detail)
        self._started = False
        self._last: Optional[Frame] = None

    def __del__(self) -> None:
        p = getattr(self, "_p", None)
        if p is not None:
            _c.pyprepay_tariff_push_free(p)
            self._p = None

    def step(self, result: Optional[Result] = None) -> Optional[Frame]:
        """Gives the previous request's result (None on the first call); returns the next request, or None
        when the task is done. Raises the error that stopped it (a refusal, a timeout, a difference ...)."""
        f = _c.prepay_dlt645_frame_t()
        if result is None:
            r = _c.pyprepay_tariff_push_step(self._p, 0, 0, 0, b"", f)
        else:
            r = _c.pyprepay_tariff_push_step(self._p, 1, int(result.status), int(result.error), bytes(result.data), f)
        if r == 1:
            self._last = Frame._from_c(f, 0)
            return self._last
        if r < 0:
            raise error_for(r, f"tariff push stopped at: {self.phase_name}"
                               + (f" (DI {self.di:08X})" if self.di else ""))
        return None

    def run(self, exchange: Callable[[Frame], Result]) -> "TariffPush":
        """Runs to the end with ``exchange(request) -> Result``; returns self. Raises on a stop."""
        request = self.step(None)
        while request is not None:
            request = self.step(exchange(request))
        return self

    def run_session(self, session: Session, transport: Callable[[bytes], bytes], now_ms: int = 0) -> "TariffPush":
        """Runs to the end over a :class:`Session` and a synchronous ``transport(tx) -> rx``."""
        return self.run(lambda request: exchange(session, request, transport, now_ms))

    def _r(self):
        return _c.pyprepay_tariff_push_result(self._p)

    @property
    def status(self) -> int:
        """0 while running or when done; the error that stopped the task."""
        return self._r()[0]

    @property
    def phase(self) -> int:
        """The phase (prepay_tariff_push_phase_t) of the outstanding request, or where it stopped."""
        return self._r()[1]

    @property
    def phase_name(self) -> str:
        """The phase in words ("write set 2", ...)."""
        p = self.phase
        return _PUSH_PHASES[p] if 0 <= p < len(_PUSH_PHASES) else "unknown phase"

    @property
    def di(self) -> int:
        """DI of the outstanding request or of the reply that stopped it (0: a whole-set check)."""
        return self._r()[2]

    @property
    def set(self) -> int:
        """The set being read or written (1 or 2)."""
        return self._r()[3]

    @property
    def meter_clock(self):
        """The meter clock as read (naive local datetime), or None before it is read."""
        return from_time(self._r()[4]) if self.phase > 1 else None

    @property
    def promoted(self) -> bool:
        """Set 2 was in force and set 1 is now a copy of it, in force."""
        return bool(self._r()[9])

    @property
    def counts_written(self) -> int:
        """Count writes done (04000202, 04000204)."""
        return self._r()[10]

    @property
    def write_count(self) -> int:
        """Writes of the set written."""
        return self._r()[11]

    @property
    def exchanges(self) -> int:
        """Requests made."""
        return self._r()[12]

    @property
    def switch_written(self) -> bool:
        """The switch-over times were written: the push is complete."""
        return bool(self._r()[13])

    @property
    def switch_at(self):
        """The switch-over time written (naive local datetime), or None if not written."""
        r = self._r()
        return from_time(r[14]) if r[13] else None

    @property
    def difference_count(self) -> int:
        """Differences of the last comparison (all of them)."""
        return self._r()[15]

    @property
    def differences(self) -> List[TariffDifference]:
        """The differences kept (at most 64), plan (a) against meter (b)."""
        return [TariffDifference(*d) for d in _c.pyprepay_tariff_push_differences(self._p)]
