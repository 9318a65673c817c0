# SPDX-License-Identifier: MIT
"""The platform's station: talks to meters over TCP (a transparent DTU, a serial device server,
``prepay-emu``), a local serial port, or a GPRS/4G DTU that dialled in to the station's listener
(``field/dtu.py``), through the library's codecs and sessions.

Nothing of the protocols is written here: DL/T 645 requests are built and replies parsed by
``prepay.dlt645``, retries and reply timeouts are decided by the library's sans-I/O station
session (``prepay.station.Session``), CJ/T 188 water-meter requests and replies by
``prepay.cjt188``. This module only moves bytes and keeps time.

Tariff pushes and verifies run the library's sans-I/O task (``prepay.station.TariffPush``, C
``prepay_tariff_push_*``: the safe two-set sequence of docs/field.md "push-tariff and
verify-tariff": passive set written, read back, compared, only then the switch-over time) over
this station's own link, so the sequence exists once, in C. Purse recharges still run the tool's
``prepay meter recharge`` (the bus link is released while the tool holds it).

A meter that does not answer is reported, never raised: ``Reading(ok=False, error="offline: ...")``
after the session's retries.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import json
import os
import select
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Union

import prepay
from prepay import cjt188, dlt645, station

__all__ = ["Endpoint", "Reading", "CommandResult", "Station", "TcpLink", "SerialLink"]

# DL/T 645-2007 Appendix A data items the station reads (catalogue names in prepay.dlt645).
DI_ENERGY = 0x00010000      # forward active energy, total, current (kWh, XXXXXX.XX)
DI_BALANCE = 0x00900200     # remaining amount (yuan, XXXXXX.XX)
DI_STATUS_3 = 0x04000503    # meter status word 3: bit 4 relay open (docs/meter.md)
DI_DATE = 0x04000101        # date and week day
DI_TIME = 0x04000102        # time
RELAY_VALID_S = 600         # a relay command is valid for the meter's clock + 10 min (as `prepay meter relay`)

_RELAY = {
    "trip": prepay.RelayCommand.TRIP,
    "close": prepay.RelayCommand.DIRECT_CLOSE,
    "allow-close": prepay.RelayCommand.CLOSE_ALLOWED,
    "keep": prepay.RelayCommand.KEEP_POWER,
    "unkeep": prepay.RelayCommand.KEEP_POWER_RELEASE,
}


@dataclass
class Endpoint:
    """Where a meter is: its bus (TCP host:port, or a serial device) and its address on the bus."""
    meter_id: int
    address: str
    kind: str = "dlt645"            # "dlt645" (electricity) or "cjt188" (water)
    host: str = "127.0.0.1"
    port: int = 0
    device: Optional[str] = None    # serial device path instead of TCP ("DEV[:BAUD]", 8E1)
    meter_type: int = 0x10          # CJ/T 188 meter type T (10H cold water)
    timeout: Optional[float] = None  # reply timeout of this meter (a slow DTU link), default the station's
    dtu: Optional[str] = None       # the id of the dial-in DTU the meter is behind, instead of TCP / serial

    @property
    def bus(self) -> str:
        """The bus key: meters on one bus share one link and are asked one at a time."""
        if self.dtu:
            return f"dtu:{self.dtu}"
        return f"serial:{self.device}" if self.device else f"tcp:{self.host}:{self.port}"


@dataclass
class Reading:
    """One read of a meter. ``ok`` False: ``error`` says why ("offline: ..." when it did not answer)."""
    meter_id: int
    ok: bool
    error: str = ""
    at: int = 0                           # station time of the read, seconds since the epoch (UTC)
    energy_wh: Optional[int] = None       # electricity: forward active energy total
    litres: Optional[int] = None          # water: accumulated volume
    relay_closed: Optional[bool] = None   # electricity relay / water valve closed-circuit (True = supply on)
    balance_fen: Optional[int] = None     # the meter's own remaining amount, when it keeps one
    raw: Dict[str, str] = field(default_factory=dict)   # DI (hex) -> reply data (hex)

    @property
    def offline(self) -> bool:
        return not self.ok and self.error.startswith("offline")


@dataclass
class CommandResult:
    """The outcome of a command. ``ok`` False: ``error`` ("offline: ...", "refused: ...", ...)."""
    meter_id: int
    ok: bool
    error: str = ""
    values: Dict[str, str] = field(default_factory=dict)

    @property
    def offline(self) -> bool:
        return not self.ok and self.error.startswith("offline")


class Offline(Exception):
    """The link could not be opened or the meter did not answer (internal)."""


class Refused(Exception):
    """The meter answered with a refusal or a reply that does not parse (internal)."""


# ---- links ------------------------------------------------------------------------------------

class TcpLink:
    """A TCP connection to a transparent DTU / serial server / prepay-emu bus port."""

    reconnects = True       # a connection lost during a request is reopened once and the request sent again

    def __init__(self, host: str, port: int, connect_timeout: float) -> None:
        self.where = f"{host}:{port}"
        self.host, self.port, self.connect_timeout = host, port, connect_timeout
        self.sock: Optional[socket.socket] = None

    def open(self) -> None:
        if self.sock is None:
            try:
                self.sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
                # One small frame per request: without this, a frame sent right after one that gets no
                # reply (a broadcast time sync) waits for the peer's delayed ACK (Nagle), ~40 ms.
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError as e:
                raise Offline(f"cannot connect to {self.where}: {e.strerror or e}") from None

    def send(self, data: bytes) -> None:
        self.open()
        try:
            self.sock.sendall(data)
        except OSError as e:
            self.close()
            raise Offline(f"{self.where}: connection lost: {e.strerror or e}") from None

    def recv(self, timeout: float) -> bytes:
        """Bytes that arrive within ``timeout`` seconds (b'' if none)."""
        self.open()
        r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not r:
            return b""
        try:
            data = self.sock.recv(4096)
        except OSError as e:
            self.close()
            raise Offline(f"{self.where}: connection lost: {e.strerror or e}") from None
        if not data:
            self.close()
            raise Offline(f"{self.where}: connection closed by the peer")
        return data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class SerialLink:
    """A local serial port (RS-485 adapter), raw, DL/T 645's default 2400 8E1 (clause 7.3), via termios."""

    RATES = {1200: "B1200", 2400: "B2400", 4800: "B4800", 9600: "B9600", 19200: "B19200"}

    def __init__(self, spec: str) -> None:
        path, _, baud = spec.partition(":")
        self.where, self.path = path, path
        self.baud = int(baud) if baud else 2400
        if self.baud not in self.RATES:
            raise ValueError(f"{spec}: unsupported rate {self.baud}")
        self.fd: Optional[int] = None

    def open(self) -> None:
        if self.fd is not None:
            return
        import fcntl
        import termios
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as e:
            if e.errno == errno.EBUSY:
                raise Offline(f"{self.path}: in use by another program (busy)") from None
            raise Offline(f"{self.path}: {e.strerror}") from None
        try:
            attrs = termios.tcgetattr(fd)
        except termios.error:
            os.close(fd)
            raise Offline(f"{self.path}: not a serial port (not a terminal device)") from None
        try:
            # exclusive, as the library's serial transport: two stations on one bus garble every exchange
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise Offline(f"{self.path}: in use by another program (locked)") from None
        speed = getattr(termios, self.RATES[self.baud])
        attrs[0] = 0                                                   # iflag: raw
        attrs[1] = 0                                                   # oflag
        attrs[2] = termios.CS8 | termios.PARENB | termios.CREAD | termios.CLOCAL   # 8E1
        attrs[3] = 0                                                   # lflag: no echo, no canonical
        attrs[4] = attrs[5] = speed
        try:
            termios.tcsetattr(fd, termios.TCSANOW, attrs)
        except termios.error as e:
            if not self._pty_took(fd, attrs):
                os.close(fd)
                raise Offline(f"{self.path}: cannot set {self.baud} 8E1: {e}") from None
        try:
            fcntl.ioctl(fd, termios.TIOCEXCL)
        except OSError:
            pass
        self.fd = fd

    @staticmethod
    def _pty_took(fd: int, want: list) -> bool:
        """A pseudo-terminal has no line: Linux forces CS8 and clears PARENB, and tcsetattr() reports
        EINVAL as the settings read back differ. Accepted on a Unix98 pty slave (majors 136..143) when
        the speed and the raw mode took, as the library's serial transport does (serial_posix.c)."""
        import stat
        import termios
        st = os.fstat(fd)
        if not stat.S_ISCHR(st.st_mode) or not 136 <= os.major(st.st_rdev) <= 143:
            return False
        got = termios.tcgetattr(fd)
        frame = termios.CSIZE | termios.PARENB | termios.PARODD | termios.CSTOPB | termios.CBAUD
        return (got[5] == want[5] and (got[2] & ~frame) == (want[2] & ~frame)
                and got[3] & (termios.ICANON | termios.ECHO | termios.ISIG) == 0)

    def send(self, data: bytes) -> None:
        import termios
        self.open()
        os.write(self.fd, data)
        termios.tcdrain(self.fd)    # the reply timeout starts when the request has left the wire

    def recv(self, timeout: float) -> bytes:
        self.open()
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not r:
            return b""
        try:
            return os.read(self.fd, 4096)
        except BlockingIOError:
            return b""

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _Unreachable:
    """A bus that cannot be reached (a DTU meter on a station without a listener): always offline."""

    def __init__(self, why: str) -> None:
        self.where = self.why = why

    def open(self) -> None:
        raise Offline(self.why)

    def send(self, data: bytes) -> None:
        self.open()

    def recv(self, timeout: float) -> bytes:
        self.open()
        return b""

    def close(self) -> None:
        pass


class _ToolBridge:
    """A loopback TCP port that carries one client's bytes to a link and back: ``prepay meter --tcp``
    reaches the meters behind a dial-in DTU through the station's connection to it."""

    def __init__(self, link) -> None:
        self.link = link
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.error = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="dtu-tool-bridge", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        self.server.settimeout(0.2)
        client = None
        while client is None and not self._stop.is_set():
            try:
                client, _ = self.server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
        if client is None:
            return
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with client:
            while not self._stop.is_set():
                try:
                    r, _, _ = select.select([client], [], [], 0.0)
                    if r:
                        data = client.recv(4096)
                        if not data:
                            return
                        self.link.send(data)
                    back = self.link.recv(0.01)
                    if back:
                        client.sendall(back)
                except Offline as e:
                    self.error = str(e)
                    return      # the tool sees its connection closed: offline
                except OSError:
                    return

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


# ---- the station ---------------------------------------------------------------------------------

# PREPAY_E_STATION_TIMEOUT (include/prepay/station.h: PREPAY_STATUS_MAKE(PREPAY_MODULE_STATION, 2))
_STATION_TIMEOUT = -((prepay.c_api.PREPAY_MODULE_STATION << 8) | 2)


def _difference_name(d: "station.TariffDifference") -> str:
    names = {0: "number of zones", 2: f"day table {d.index}, number of slots", 4: f"price of tariff {d.index}",
             5: "number of ladder values", 6: f"ladder value {d.index}", 7: f"ladder price {d.index}"}
    if d.part == 1:
        return f"zone {d.index}"
    if d.part == 3:
        return f"day table {d.index}, slot {d.slot}"
    return names.get(d.part, f"part {d.part} {d.index}")


def _difference_value(d: "station.TariffDifference", plan: bool) -> str:
    entry, value = (d.a_entry, d.a_value) if plan else (d.b_entry, d.b_value)
    if d.part in (1, 3):
        if entry is None:
            return "(none)"
        return f"{entry[0]:02d}-{entry[1]:02d} -> day table {entry[2]}" if d.part == 1 else \
            f"{entry[0]:02d}:{entry[1]:02d} -> tariff {entry[2]}"
    if d.part in (4, 7):
        return "(none)" if value < 0 else f"{value / 1e8:.4f} yuan/kWh"
    if d.part == 6:
        return f"{value / 1000:.2f} kWh"
    return str(value)


def _status_text(status: int) -> str:
    return prepay.strerror(status) if hasattr(prepay, "strerror") else f"status {status}"


class Station:
    """Reads and commands meters; one request at a time per bus, buses independent (thread-safe)."""

    def __init__(self, endpoints: Iterable[Endpoint], timeout: float = 2.0, retries: int = 2,
                 tool: Optional[str] = None, clock: Callable[[], float] = time.time,
                 credentials: Optional[dlt645.Credentials] = None, zone: Optional[_dt.tzinfo] = None,
                 dtu=None) -> None:
        """``dtu``: the :class:`~prepay_platform.field.dtu.DtuListener` the meters of ``Endpoint(dtu=ID)``
        are reached through (without it they are offline)."""
        self.endpoints: Dict[int, Endpoint] = {}
        for ep in endpoints:
            self.add(ep)
        self.timeout, self.retries = timeout, retries
        self.tool = tool or os.environ.get("PREPAY_TOOL") or shutil.which("prepay")
        self.clock = clock
        self.credentials = credentials or dlt645.Credentials()
        self.zone = zone or _dt.timezone.utc    # meters keep local civil time: epoch seconds are shown in this zone
        self._links: Dict[str, object] = {}
        self._locks: Dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._ser = 0
        self.dtu = dtu

    # -- endpoints and links --
    def add(self, ep: Endpoint) -> None:
        if ep.kind not in ("dlt645", "cjt188"):
            raise ValueError(f"meter {ep.meter_id}: unknown kind {ep.kind!r}")
        self.endpoints[ep.meter_id] = ep

    def attach(self, bus: str, link) -> None:
        """Uses ``link`` (send(bytes), recv(timeout) -> bytes, close()) for a bus (e.g. an in-process meter)."""
        with self._guard:
            self._links[bus] = link

    def _endpoint(self, meter_id: int) -> Endpoint:
        ep = self.endpoints.get(meter_id)
        if ep is None:
            raise KeyError(f"meter {meter_id} has no endpoint")
        return ep

    def _bus(self, ep: Endpoint):
        with self._guard:
            lock = self._locks.setdefault(ep.bus, threading.Lock())
            link = self._links.get(ep.bus)
            if link is None:
                if ep.dtu:
                    link = _Unreachable(f"DTU {ep.dtu}: the station has no DTU listener") if self.dtu is None \
                        else self.dtu.link(ep.dtu, wait=self._timeout(ep))
                else:
                    link = SerialLink(ep.device) if ep.device else TcpLink(ep.host, ep.port, self.timeout)
                self._links[ep.bus] = link
        return lock, link

    def close(self) -> None:
        with self._guard:
            for link in self._links.values():
                link.close()
            self._links.clear()

    # -- DL/T 645 exchanges through the library's session --
    def _timeout(self, ep: Endpoint) -> float:
        return ep.timeout if ep.timeout is not None else self.timeout

    def _exchange(self, link, ep: Endpoint, request: dlt645.Frame, what: str) -> station.Result:
        """Runs one request to its end; raises Offline (no reply after the retries) or Refused."""
        session = station.Session(reply_timeout_ms=max(1, int(self._timeout(ep) * 1000)), retries=self.retries)
        t0 = time.monotonic()

        def now_ms() -> int:
            return int((time.monotonic() - t0) * 1000)

        reconnected = False
        tx = session.start(request, now_ms())
        while not session.done:
            try:
                if tx:
                    link.send(tx)
                    tx = b""
                rx = link.recv((session.wake_at_ms - now_ms()) / 1000.0)
            except Offline:
                # a lost connection is reopened once and the request sent again (docs/field.md)
                if reconnected or not getattr(link, "reconnects", False):
                    raise
                reconnected = True
                link.close()
                link.open()
                session = station.Session(reply_timeout_ms=max(1, int(self._timeout(ep) * 1000)), retries=self.retries)
                tx = session.start(request, now_ms())
                continue
            tx = session.receive(rx, now_ms()) if rx else session.poll(now_ms())
        result = session.result()
        if result.ok:
            return result
        if result.status == _STATION_TIMEOUT:
            raise Offline(f"no reply to {what} after {result.attempts} attempts")
        if result.error:
            raise Refused(f"refused: {what}: meter error 0x{result.error:02X} ({_status_text(result.status)})")
        raise Refused(f"{what}: {_status_text(result.status)}")

    def _read_di(self, link, ep: Endpoint, di: int, raw: Dict[str, str]) -> bytes:
        result = self._exchange(link, ep, dlt645.read(ep.address, di), f"read {di:08X}")
        raw[f"{di:08X}"] = result.data.hex()
        return result.data

    def _meter_clock(self, link, ep: Endpoint, raw: Dict[str, str]) -> _dt.datetime:
        day = dlt645.decode_value(DI_DATE, self._read_di(link, ep, DI_DATE, raw)).datetime
        hms = dlt645.decode_value(DI_TIME, self._read_di(link, ep, DI_TIME, raw)).datetime
        return _dt.datetime.combine(day.date(), hms.time())

    @staticmethod
    @contextlib.contextmanager
    def _holding(lock, link):
        """The bus lock, and the link told it is held (a dial-in DTU's bytes are then all the bus's)."""
        with lock:
            hold = getattr(link, "hold", None)
            if hold is None:
                yield link
            else:
                with hold():
                    yield link

    def _run(self, meter_id: int, fn):
        ep = self._endpoint(meter_id)
        lock, link = self._bus(ep)
        with self._holding(lock, link):
            return fn(ep, link)

    # -- the interface --
    def read(self, meter_id: int) -> Reading:
        """Energy (or volume), relay (or valve) state and the meter's balance."""
        at = int(self.clock())
        raw: Dict[str, str] = {}

        def go(ep: Endpoint, link) -> Reading:
            if ep.kind == "cjt188":
                return self._read_water(ep, link, at, raw)
            energy = dlt645.decode_value(DI_ENERGY, self._read_di(link, ep, DI_ENERGY, raw)).decimal
            status3 = self._read_di(link, ep, DI_STATUS_3, raw)
            reading = Reading(meter_id, True, "", at, energy_wh=prepay.kwh_to_wh(energy),
                              relay_closed=not (status3[0] & 0x10), raw=raw)
            try:
                bal = dlt645.decode_value(DI_BALANCE, self._read_di(link, ep, DI_BALANCE, raw)).decimal
                reading.balance_fen = int(bal * 100)
            except Refused:
                pass        # a meter without a purse (remote mode) may refuse the item: not an error of the read
            return reading

        try:
            return self._run(meter_id, go)
        except Offline as e:
            return Reading(meter_id, False, f"offline: {e}", at, raw=raw)
        except (Refused, prepay.Error) as e:
            return Reading(meter_id, False, str(e), at, raw=raw)

    def read_many(self, meter_ids: Iterable[int], max_buses: int = 16) -> List[Reading]:
        """Reads meters, in the order given: the meters of one bus one after the other (a bus carries
        one request at a time), up to ``max_buses`` buses at once (threads)."""
        ids = list(meter_ids)
        by_bus: Dict[str, List[int]] = {}
        for m in ids:
            by_bus.setdefault(self._endpoint(m).bus, []).append(m)
        if len(by_bus) <= 1 or max_buses <= 1:
            return [self.read(m) for m in ids]
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=min(max_buses, len(by_bus))) as pool:
            done = pool.map(lambda group: [self.read(m) for m in group], by_bus.values())
            readings = {r.meter_id: r for group in done for r in group}
        return [readings[m] for m in ids]

    def relay(self, meter_id: int, action: str) -> CommandResult:
        """"trip" | "close" | "allow-close" | "keep" | "unkeep"; the state is read back after the command."""
        if action not in _RELAY:
            raise ValueError(f"relay action {action!r}: one of {', '.join(_RELAY)}")

        def go(ep: Endpoint, link) -> CommandResult:
            raw: Dict[str, str] = {}
            if ep.kind == "cjt188":
                return self._water_valve(ep, link, action)
            until = self._meter_clock(link, ep, raw) + _dt.timedelta(seconds=RELAY_VALID_S)
            self._exchange(link, ep, dlt645.relay_control(ep.address, self.credentials, _RELAY[action], until),
                           f"relay {action}")
            status3 = self._read_di(link, ep, DI_STATUS_3, raw)
            closed = not (status3[0] & 0x10)
            return CommandResult(meter_id, True, "", {"relay": "closed" if closed else "open",
                                                      "valid_until": until.strftime("%Y-%m-%d %H:%M:%S")})

        return self._command(meter_id, go)

    def set_time(self, meter_id: int, at: Union[int, _dt.datetime]) -> CommandResult:
        """Addressed writes of date (04000101) and time (04000102), then read back. ``at``: epoch
        seconds or an aware datetime (shown in the station's ``zone``), or a naive local datetime."""
        when = self._local(at)

        def go(ep: Endpoint, link) -> CommandResult:
            if ep.kind == "cjt188":
                self._exchange_cjt188(link, ep, lambda s: cjt188.write_time(self._target(ep), when, ser=s), "write time")
                return CommandResult(meter_id, True, "", {"time": when.strftime("%Y-%m-%d %H:%M:%S")})
            for di, text in ((DI_DATE, f"{when:%Y-%m-%d}"), (DI_TIME, f"{when:%H:%M:%S}")):
                value = dlt645.encode_value(dlt645.parse_value(di, text))
                self._exchange(link, ep, dlt645.write(ep.address, di, self.credentials, value), f"write {di:08X}")
            clock = self._meter_clock(link, ep, {})
            if abs((clock - when).total_seconds()) > 60:
                return CommandResult(meter_id, False, f"read back {clock} after setting {when}")
            return CommandResult(meter_id, True, "", {"time": clock.strftime("%Y-%m-%d %H:%M:%S")})

        return self._command(meter_id, go)

    def _local(self, at: Union[int, _dt.datetime]) -> _dt.datetime:
        if isinstance(at, _dt.datetime):
            return at.astimezone(self.zone).replace(tzinfo=None) if at.tzinfo else at
        return _dt.datetime.fromtimestamp(int(at), self.zone).replace(tzinfo=None)

    def sync_time(self, at: Union[int, _dt.datetime], meter_ids: Optional[Iterable[int]] = None) -> int:
        """Broadcast time sync (DL/T 645 C=08, no reply) once on the bus of each DL/T 645 meter given
        (default: every one): every meter on a bus takes it. ``at`` as :meth:`set_time`. Returns the
        number of buses it was sent on; a bus that cannot be reached (offline) is skipped."""
        frame = dlt645.broadcast_time(self._local(at)).encode()
        ids = list(self.endpoints) if meter_ids is None else list(meter_ids)
        buses: Dict[str, Endpoint] = {}
        for m in ids:
            ep = self._endpoint(m)
            if ep.kind == "dlt645":
                buses.setdefault(ep.bus, ep)
        sent = 0
        for ep in buses.values():
            lock, link = self._bus(ep)
            try:
                with self._holding(lock, link):
                    link.send(frame)
                sent += 1
            except Offline:
                pass
        return sent

    def write_params(self, meter_id: int, items: Dict[str, str]) -> CommandResult:
        """Writes parameters (DL/T 645 C=14), each ``{"DI in hex": "value as text"}`` parsed by the
        library's catalogue (``prepay dlt645 catalogue``: e.g. ``"04001001": "20.00"`` alarm amount 1),
        each read back and compared. Stops at the first refusal (items before it stay written)."""
        parsed = []
        try:
            for di_text, text in items.items():
                di = int(di_text, 16)
                parsed.append((di, dlt645.encode_value(dlt645.parse_value(di, str(text)))))
        except (ValueError, prepay.Error) as e:
            return CommandResult(meter_id, False, f"bad parameter: {e}")
        if not parsed:
            return CommandResult(meter_id, False, "no parameters")

        def go(ep: Endpoint, link) -> CommandResult:
            if ep.kind != "dlt645":
                return CommandResult(meter_id, False, "parameters: DL/T 645 meters only")
            values: Dict[str, str] = {}
            for di, value in parsed:
                self._exchange(link, ep, dlt645.write(ep.address, di, self.credentials, value), f"write {di:08X}")
                back = self._read_di(link, ep, di, {})
                if back != value:
                    return CommandResult(meter_id, False, f"{di:08X}: read back {back.hex()} after writing {value.hex()}",
                                         values)
                values[f"{di:08X}"] = dlt645.decode_value(di, back).text
            return CommandResult(meter_id, True, "", values)

        return self._command(meter_id, go)

    def freeze(self, meter_id: int) -> Reading:
        """Freezes now (DL/T 645 C=16 with 99999999: the meter keeps a frozen record) and reads the
        energy and relay state at that moment; water meters are read (CJ/T 188 has no freeze command)."""
        ep = self._endpoint(meter_id)
        if ep.kind == "dlt645":
            lock, link = self._bus(ep)
            try:
                with self._holding(lock, link):
                    self._exchange(link, ep, dlt645.freeze(ep.address), "freeze")
            except Offline as e:
                return Reading(meter_id, False, f"offline: {e}", int(self.clock()))
            except (Refused, prepay.Error) as e:
                return Reading(meter_id, False, str(e), int(self.clock()))
        return self.read(meter_id)

    @staticmethod
    def _load_tariff(tariff: Union[str, dict]) -> "prepay.tariff.Tariff":
        if isinstance(tariff, dict):
            return prepay.tariff.Tariff.loads(json.dumps(tariff))
        if isinstance(tariff, str) and tariff.lstrip().startswith("{"):
            return prepay.tariff.Tariff.loads(tariff)
        return prepay.tariff.Tariff.load(tariff)

    def _tariff_task(self, meter_id: int, tariff: Union[str, dict], verify: bool, at: Optional[str] = None,
                     verify_set: int = 0) -> CommandResult:
        """Runs the library's push or verify task (prepay.station.TariffPush) over this station's link."""
        what = "verify-tariff" if verify else "tariff push"
        try:
            doc = self._load_tariff(tariff)
            when = _dt.datetime.strptime(at, "%Y-%m-%d %H:%M") if at else None
        except (prepay.Error, ValueError, OSError) as e:
            return CommandResult(meter_id, False, f"{what}: {e}")

        def go(ep: Endpoint, link) -> CommandResult:
            if ep.kind != "dlt645":
                return CommandResult(meter_id, False, f"{what}: only DL/T 645 meters hold tariff tables")
            try:
                task = station.TariffPush(doc, ep.address, verify=verify, credentials=self.credentials,
                                          switch_at=when, verify_set=verify_set)
            except prepay.Error as e:
                return CommandResult(meter_id, False, f"{what}: {e}; nothing was written")
            values: Dict[str, str] = {}
            try:
                task.run(lambda request: self._exchange(link, ep, request, f"{task.phase_name} ({request.di:08X})"))
            except prepay.Error as e:
                for d in task.differences:
                    values[_difference_name(d)] = f"file {_difference_value(d, True)}, meter {_difference_value(d, False)}"
                if task.promoted:
                    values["set 1"] = "now a copy of set 2, in force (switch-over time cleared)"
                keeps = "" if verify else "; the meter keeps the set in force"
                return CommandResult(meter_id, False, f"{what}: {e}{keeps}", values)
            if task.promoted:
                values["set 1"] = "now a copy of set 2, in force (switch-over time cleared)"
            if verify:
                values[f"tariff set {task.set}"] = "no differences"
            else:
                values["tariff set 2"] = f"{task.write_count} writes, read back identical"
                values["switch-over to set 2"] = task.switch_at.strftime("%Y-%m-%d %H:%M")
            return CommandResult(meter_id, True, "", values)

        return self._command(meter_id, go)

    def push_tariff(self, meter_id: int, tariff: Union[str, dict], at: Optional[str] = None) -> CommandResult:
        """Pushes a ``prepay-tariff/1`` price set (a dict, JSON text or a file path) with the library's
        tariff push (``prepay.station.TariffPush``, the sequence of ``prepay meter push-tariff``) over
        this station's link: the set in force is never written; set 2 is written, read back and
        compared before the switch-over. ``at``: the switch-over time ("YYYY-MM-DD hh:mm", default
        the meter clock)."""
        return self._tariff_task(meter_id, tariff, False, at)

    def verify_tariff(self, meter_id: int, tariff: Union[str, dict], meter_set: int = 0) -> CommandResult:
        """Reads a tariff set back (``meter_set`` 1, 2, or 0 for the set in force after the
        switch-over) and compares it with a price set; ok only if there are no differences."""
        return self._tariff_task(meter_id, tariff, True, verify_set=meter_set)

    def recharge_meter(self, meter_id: int, amount_fen: int, count: int) -> CommandResult:
        """Credits a meter that keeps its own purse (local prepayment) with ``prepay meter recharge``:
        070102FF with the amount and the purchase ``count``; the meter's count is read first, so the
        same count again is "already credited: nothing written" (the idempotency of a re-run), and a
        count that does not follow the meter's is refused before anything is written."""
        amount_fen, count = int(amount_fen), int(count)
        if amount_fen <= 0 or count <= 0:
            return CommandResult(meter_id, False, "recharge: a positive amount and purchase count")
        command = ["recharge", f"{amount_fen // 100}.{amount_fen % 100:02d}", "--count", str(count)]

        def go(ep: Endpoint, link) -> CommandResult:
            if ep.kind != "dlt645":
                return CommandResult(meter_id, False, "recharge: DL/T 645 meters only")
            return self._run_tool(ep, link, command, None, 8)

        return self._command(meter_id, go)

    def _run_tool(self, ep: Endpoint, link, command: List[str], stdin: Optional[str], exchanges: int) -> CommandResult:
        """Runs ``prepay meter COMMAND --json`` on the meter's bus (this station's link released meanwhile)."""
        if not self.tool:
            return CommandResult(ep.meter_id, False, f"{command[0]}: the prepay tool is not found (PREPAY_TOOL)")
        bridge = None
        if ep.dtu:
            link.open()                 # offline now if the DTU is not connected
            bridge = _ToolBridge(link)  # the DTU dialled in to this station: the tool goes through it
            bus = ["--tcp", f"127.0.0.1:{bridge.port}"]
        else:
            bus = ["--serial", ep.device] if ep.device else ["--tcp", f"{ep.host}:{ep.port}"]
            link.close()    # two stations on one bus garble every exchange
        timeout_ms = max(1, int(self._timeout(ep) * 1000))
        args = [self.tool, "meter", *bus, "--address", ep.address, "--timeout", str(timeout_ms),
                "--retries", str(self.retries), "--json", *command]
        budget = (self._timeout(ep) * (self.retries + 1) + 1.0) * exchanges + 60.0
        try:
            done = subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=budget)
        finally:
            if bridge is not None:
                bridge.close()
        values: Dict[str, str] = {}
        error = ""
        for line in done.stdout.splitlines():
            if not line.startswith("{"):
                continue
            obj = json.loads(line)
            for v in obj.get("values", []):
                values[v.get("name", v.get("di", ""))] = v.get("value", "")
            if not obj.get("ok"):
                err = obj.get("error", {})
                error = err.get("message", "failed")
                code = int(err.get("code", 0) or 0)
                # no reply, or the port / connection / DTU (docs/field.md --json): the meter is offline
                if code == _STATION_TIMEOUT or (code < 0 and (-code) >> 8 == prepay.c_api.PREPAY_MODULE_TRANSPORT):
                    error = "offline: " + error
        if done.returncode == 0:
            return CommandResult(ep.meter_id, True, "", values)
        return CommandResult(ep.meter_id, False, error or done.stderr.strip() or f"exit {done.returncode}", values)

    def _command(self, meter_id: int, fn) -> CommandResult:
        try:
            return self._run(meter_id, fn)
        except Offline as e:
            return CommandResult(meter_id, False, f"offline: {e}")
        except (Refused, prepay.Error, ValueError) as e:
            return CommandResult(meter_id, False, str(e))

    # -- CJ/T 188 water meters: the library's requests and reply parsers, retries here --
    def _target(self, ep: Endpoint) -> cjt188.Target:
        return cjt188.Target(ep.address, ep.meter_type)

    def _exchange_cjt188(self, link, ep: Endpoint, build, what: str) -> cjt188.Frame:
        for attempt in range(self.retries + 1):
            self._ser = (self._ser + 1) & 0xFF
            request = build(self._ser)
            link.send(request.encode())
            parser = cjt188.StreamParser()
            deadline = time.monotonic() + self._timeout(ep)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                data = link.recv(left)
                for reply in parser.feed(data):
                    if reply.is_reply and reply.address == request.address:
                        try:
                            cjt188.reply_check(request, reply)
                        except prepay.Error as e:
                            raise Refused(f"refused: {what}: {e}") from None
                        return request, reply
        raise Offline(f"no reply to {what} after {self.retries + 1} attempts")

    def _read_water(self, ep: Endpoint, link, at: int, raw: Dict[str, str]) -> Reading:
        request, reply = self._exchange_cjt188(link, ep, lambda s: cjt188.read(self._target(ep), 0x901F, ser=s),
                                               "read 901F")
        raw["901F"] = reply.data.hex()
        cur = cjt188.reply_current(request, reply)
        return Reading(ep.meter_id, True, "", at, litres=cur.litres, relay_closed=cur.valve == cjt188.Valve.OPEN,
                       raw=raw)

    def _water_valve(self, ep: Endpoint, link, action: str) -> CommandResult:
        if action not in ("trip", "close"):
            return CommandResult(ep.meter_id, False, f"a water meter's valve takes trip or close, not {action}")
        self._exchange_cjt188(link, ep, lambda s: cjt188.valve(self._target(ep), action == "close", ser=s),
                              f"valve {action}")
        reading = self._read_water(ep, link, int(self.clock()), {})
        return CommandResult(ep.meter_id, True, "", {"valve": "open" if reading.relay_closed else "closed"})
