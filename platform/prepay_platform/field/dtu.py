# SPDX-License-Identifier: MIT
"""Dial-in DTUs: GPRS/4G DTUs in client mode connect to the platform's station, identify themselves
with a registration packet and send heartbeats while idle; everything else on the connection is the
meters' bus (docs/platform.md "Dial-in DTUs", docs/field.md "DTUs that dial in").

The packets are matched by the library (``prepay.dtu``, C ``prepay/dtu.h``); this module only keeps
connections, as the library's ``prepay_dtu_server_t`` does for ``prepay meter --listen``:

- one thread accepts connections on a listening socket and reads every connection;
- a peer that sends no valid registration within ``registration_timeout`` seconds is dropped;
- a DTU that registers again from a new connection replaces its older one (a half-dead link);
- while idle a DTU's heartbeats (or a repeated registration) keep it known and other bytes are
  dropped; a registration that names another id closes the connection. While a station holds the
  bus (:meth:`DtuLink.hold`) every byte goes to it: the frame parser skips a heartbeat, and a reply
  split over TCP segments is never mistaken for a packet; a connection closed by the peer, or silent for
  ``dead_after`` seconds, is dropped: the meters behind it read as offline until the DTU dials again.

A station uses a DTU through :class:`DtuLink` (``send``/``recv``/``close``, as its TCP and serial
links): a meter whose DTU is not connected is offline at once; a DTU that reconnects during a
request is waited for (up to the link's wait) and the request sent again.
"""
from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Union

from prepay.dtu import REGISTRATION, DtuFormat

from .station import Offline

__all__ = ["DEFAULT_FORMAT", "DtuListener", "DtuLink", "DtuConnection"]

DEFAULT_FORMAT = "pattern:{id:1-32}"    # the id alone, as `prepay meter --listen` by default
GAP = 0.05                              # silence that ends a packet whose id runs to its end


@dataclass(eq=False)
class DtuConnection:
    """One registered DTU connection (internal to the listener and its links)."""
    dtu_id: str
    sock: socket.socket
    peer: str
    since: float
    last_seen: float
    heartbeats: int = 0
    dead: str = ""                     # why it ended ("" while alive)
    inbox: bytearray = field(default_factory=bytearray)


@dataclass(eq=False)
class _Pending:
    sock: socket.socket
    peer: str
    since: float
    last_rx: float
    buf: bytearray = field(default_factory=bytearray)


class DtuListener:
    """Accepts dial-in DTUs on ``host:port`` (0: any free port, see :attr:`port`) and keeps the
    registered connection of each DTU id. ``registration``/``heartbeat``: pattern texts or a
    :class:`prepay.dtu.DtuFormat` (bad patterns raise :class:`prepay.TransportError`)."""

    def __init__(self, registration: Union[str, DtuFormat] = DEFAULT_FORMAT, heartbeat: Optional[str] = None,
                 host: str = "127.0.0.1", port: int = 0, registration_timeout: float = 10.0,
                 dead_after: Optional[float] = None, log: Optional[Callable[[str], None]] = None) -> None:
        self.format = registration if isinstance(registration, DtuFormat) else DtuFormat(registration, heartbeat)
        self.host, self.registration_timeout, self.dead_after = host, registration_timeout, dead_after
        self.log = log or (lambda line: None)
        self._sock = socket.create_server((host, port))
        self._sock.setblocking(False)
        self.port: int = self._sock.getsockname()[1]
        self._cond = threading.Condition()
        self._dtus: Dict[str, DtuConnection] = {}
        self._pending: List[_Pending] = []
        self._busy: Dict[str, int] = {}    # DTU id -> holders (a station's request): every byte is the bus's
        self._stop = False
        self.registrations = 0
        self.refused = 0
        # the loop wakes on this pair's read end when a link wants a connection closed now
        self._wake_r, self._wake_w = socket.socketpair()
        self._thread = threading.Thread(target=self._loop, name=f"dtu-listener-{self.port}", daemon=True)
        self._thread.start()

    # -- what the station asks --
    def ids(self) -> List[str]:
        """The ids of the DTUs connected now."""
        with self._cond:
            return sorted(self._dtus)

    def connected(self, dtu_id: str) -> bool:
        """Whether the DTU is registered on a live connection."""
        with self._cond:
            return dtu_id in self._dtus

    def connection(self, dtu_id: str, wait: float = 0.0) -> Optional[DtuConnection]:
        """The DTU's live connection, waiting up to ``wait`` seconds for it to dial in; None if it does not."""
        deadline = time.monotonic() + max(0.0, wait)
        with self._cond:
            while True:
                conn = self._dtus.get(dtu_id)
                left = deadline - time.monotonic()
                if conn is not None or left <= 0 or self._stop:
                    return conn
                self._cond.wait(left)

    def wait_for(self, dtu_id: str, timeout: float) -> bool:
        """Waits up to ``timeout`` seconds for the DTU to be connected."""
        return self.connection(dtu_id, timeout) is not None

    def wait_gone(self, dtu_id: str, timeout: float) -> bool:
        """Waits up to ``timeout`` seconds for the DTU's connection to end."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while dtu_id in self._dtus:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def heartbeats(self, dtu_id: str) -> int:
        """Heartbeats (and repeated registrations) received on the DTU's current connection."""
        with self._cond:
            conn = self._dtus.get(dtu_id)
            return conn.heartbeats if conn else 0

    def link(self, dtu_id: str, wait: float = 2.0) -> "DtuLink":
        """A station link to the meters behind the DTU (``wait``: how long a lost DTU is waited for)."""
        return DtuLink(self, dtu_id, wait)

    def drop(self, conn: DtuConnection, why: str) -> None:
        """Ends a connection (its DTU is offline until it dials again)."""
        with self._cond:
            self._end(conn, why)
        try:
            self._wake_w.send(b"x")     # the loop stops watching the closed socket
        except OSError:
            pass

    def close(self) -> None:
        """Stops listening and closes every connection."""
        with self._cond:
            if self._stop:
                return
            self._stop = True
        self._wake_w.send(b"x")
        self._thread.join()
        with self._cond:
            for conn in list(self._dtus.values()):
                self._end(conn, "listener closed")
            for p in self._pending:
                p.sock.close()
            self._pending.clear()
        self._sock.close()
        self._wake_r.close()
        self._wake_w.close()

    # -- the loop --
    def _end(self, conn: DtuConnection, why: str) -> None:
        """(with self._cond) closes a connection and forgets it if it is still its DTU's."""
        if not conn.dead:
            conn.dead = why
            try:
                conn.sock.close()
            except OSError:
                pass
            self.log(f"DTU {conn.dtu_id} ({conn.peer}): {why}")
        if self._dtus.get(conn.dtu_id) is conn:
            del self._dtus[conn.dtu_id]
        self._cond.notify_all()

    def _register(self, p: _Pending, dtu_id: str, rest: bytes) -> None:
        now = time.monotonic()
        conn = DtuConnection(dtu_id, p.sock, p.peer, now, now)
        with self._cond:
            old = self._dtus.get(dtu_id)
            if old is not None:
                self._end(old, f"replaced by a new connection from {p.peer}")
            self._dtus[dtu_id] = conn
            self.registrations += 1
            conn.inbox += rest
            self._cond.notify_all()
        self.log(f"DTU {dtu_id} registered from {p.peer}")

    def _refuse(self, p: _Pending, why: str) -> None:
        self.refused += 1
        self.log(f"{p.peer}: {why}; connection closed")
        p.sock.close()

    def _pending_step(self, p: _Pending, complete: bool) -> bool:
        """Tries the registration; True when the pending connection is settled (registered or refused)."""
        try:
            packet = self.format.match(bytes(p.buf), complete=complete)
        except ValueError as e:     # prepay.TransportError (NO_MATCH)
            self._refuse(p, f"not a registration packet ({e})")
            return True
        if packet is None:
            return False
        if packet.kind != REGISTRATION:
            del p.buf[:packet.length]         # a heartbeat before the registration: no id to go by
            return self._pending_step(p, complete) if p.buf else False
        self._register(p, packet.id, bytes(p.buf[packet.length:]))
        return True

    def _idle_bytes(self, conn: DtuConnection, data: bytes) -> None:
        """Bytes of an idle DTU: heartbeats and repeated registrations are counted, the rest dropped."""
        while data:
            try:
                packet = self.format.match(data, complete=True)
            except ValueError:
                return
            if packet is None or packet.length <= 0:
                return
            if packet.kind == REGISTRATION and packet.id != conn.dtu_id:
                with self._cond:
                    self._end(conn, f"registered again as {packet.id}")
                return
            conn.heartbeats += 1
            data = data[packet.length:]

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._stop:
                    return
                live = list(self._dtus.values())
            pending = list(self._pending)
            now = time.monotonic()
            timeout = 0.5
            for p in pending:
                if p.buf:
                    timeout = min(timeout, max(0.0, p.last_rx + GAP - now))
                timeout = min(timeout, max(0.0, p.since + self.registration_timeout - now))
            socks = [self._sock, self._wake_r] + [p.sock for p in pending] + [c.sock for c in live]
            try:
                readable, _, _ = select.select(socks, [], [], timeout)
            except (OSError, ValueError):
                readable = []       # a socket closed meanwhile by a link: the next round leaves it out
                time.sleep(0.01)
            now = time.monotonic()
            if self._wake_r in readable:
                try:
                    self._wake_r.recv(64)
                except OSError:
                    pass
            if self._sock in readable:
                self._accept(now)
            for p in pending:
                if p.sock in readable:
                    try:
                        data = p.sock.recv(4096)
                    except OSError:
                        data = b""
                    if not data:
                        self._pending.remove(p)
                        self._refuse(p, "closed before registering")
                        continue
                    p.buf += data
                    p.last_rx = now
                    if self._pending_step(p, False):
                        self._pending.remove(p)
                elif p.buf and now - p.last_rx >= GAP:
                    if self._pending_step(p, True):
                        self._pending.remove(p)
                if p in self._pending and now - p.since >= self.registration_timeout:
                    self._pending.remove(p)
                    self._refuse(p, f"no registration within {self.registration_timeout:g} s")
            for conn in live:
                if conn.dead:
                    continue
                if conn.sock in readable:
                    try:
                        data = conn.sock.recv(4096)
                    except OSError as e:
                        data, why = b"", f"connection lost: {e.strerror or e}"
                    else:
                        why = "connection closed by the DTU"
                    if not data:
                        with self._cond:
                            self._end(conn, why)
                        continue
                    conn.last_seen = now
                    with self._cond:
                        if self._busy.get(conn.dtu_id):
                            conn.inbox += data
                            self._cond.notify_all()
                            continue
                    self._idle_bytes(conn, data)
                elif self.dead_after and now - conn.last_seen >= self.dead_after:
                    with self._cond:
                        self._end(conn, f"silent for {self.dead_after:g} s")

    def _accept(self, now: float) -> None:
        try:
            sock, addr = self._sock.accept()
        except (BlockingIOError, OSError):
            return
        sock.setblocking(True)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._pending.append(_Pending(sock, f"{addr[0]}:{addr[1]}", now, now))


class DtuLink:
    """A station link to the bus behind a dial-in DTU (the station's bus lock keeps one request at a
    time). Raises :class:`Offline` when the DTU is not connected or its connection ends."""

    reconnects = True       # the station sends a request again once after a lost connection

    def __init__(self, listener: DtuListener, dtu_id: str, wait: float = 2.0) -> None:
        self.listener, self.dtu_id, self.wait = listener, dtu_id, wait
        self.where = f"DTU {dtu_id}"
        self.conn: Optional[DtuConnection] = None
        self._lost = False       # the last connection ended: the next open waits for a new one

    def open(self) -> None:
        """Takes the DTU's live connection. Offline if there is none; but a DTU whose connection
        ended during this hold (a request in flight) is waited for up to ``wait`` seconds."""
        if self.conn is not None and not self.conn.dead:
            return
        if self.conn is not None:
            self._lost = True
        conn = self.listener.connection(self.dtu_id, self.wait if self._lost else 0.0)
        if conn is None:
            self.conn = None
            raise Offline(f"DTU {self.dtu_id} is not connected")
        self.conn, self._lost = conn, False

    @contextlib.contextmanager
    def hold(self):
        """While held (the station's bus lock), every byte from the DTU is the bus's; outside, the
        listener takes heartbeats and drops the rest (also on a connection that replaces this one)."""
        self.conn, self._lost = None, False     # a connection lost between requests: not waited for
        busy = self.listener._busy
        with self.listener._cond:
            busy[self.dtu_id] = busy.get(self.dtu_id, 0) + 1
        try:
            yield self
        finally:
            with self.listener._cond:
                busy[self.dtu_id] -= 1
                if not busy[self.dtu_id]:
                    del busy[self.dtu_id]

    def _gone(self, conn: DtuConnection) -> Offline:
        self.conn, self._lost = None, True
        return Offline(f"DTU {self.dtu_id}: {conn.dead or 'connection lost'}")

    def send(self, data: bytes) -> None:
        self.open()
        conn = self.conn
        with self.listener._cond:
            conn.inbox.clear()          # stale replies and idle bytes: not an answer to this request
        try:
            conn.sock.sendall(data)
        except OSError as e:
            self.listener.drop(conn, f"connection lost: {e.strerror or e}")
            raise self._gone(conn) from None

    def recv(self, timeout: float) -> bytes:
        """Bus bytes that arrive within ``timeout`` seconds (b'' if none)."""
        self.open()
        conn = self.conn
        deadline = time.monotonic() + max(0.0, timeout)
        cond = self.listener._cond
        with cond:
            while not conn.inbox and not conn.dead:
                left = deadline - time.monotonic()
                if left <= 0:
                    return b""
                cond.wait(left)
            if conn.inbox:
                data = bytes(conn.inbox)
                conn.inbox.clear()
                return data
        raise self._gone(conn)

    def close(self) -> None:
        """Detaches from the connection (the DTU's connection stays: the DTU dialled in, not the station)."""
        self.conn = None
