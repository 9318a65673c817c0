# SPDX-License-Identifier: MIT
"""Dial-in DTUs (field/dtu.py): prepay-emu dials in to the station's listener as a GPRS/4G DTU
(--dial, --register-prefix, --heartbeat) and the meters behind it are read, tripped and closed,
sent a tariff, set in time and credited through the same Station API as TCP meters; the
platform seeded from a site file polls them and sends relay commands through the DTU; a meter
behind a DTU that is not connected is offline. The listener's own rules (refused peers, a DTU that
registers again, heartbeats, a dropped connection) are checked with plain sockets as DTUs."""
import datetime
import json
import os
import shutil
import socket
import tempfile
import time
import unittest

import prepay

from prepay_platform.field.dtu import DtuListener
from prepay_platform.field.station import Endpoint, Station
from tests.field_support import HERE, ROOT, START_BUDGET, Emulator, tool

SITE = os.path.join(HERE, "data", "field_two.json")
TARIFF = os.path.join(ROOT, "examples", "tariffs", "zhejiang_residential_tou.json")
TIMEOUT = 3.0       # generous (see test_field_station.py): a missing meter costs it, a reply does not
REGISTER = "prefix:REG:"
HEARTBEAT = "pattern:'HB'"


def dial(port: int, packet: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=START_BUDGET)
    s.sendall(packet)
    return s


def closed_by_peer(s: socket.socket) -> bool:
    """Waits (bounded) for the station to close the connection."""
    s.settimeout(START_BUDGET)
    try:
        while True:
            data = s.recv(64)
            if not data:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class EmulatorDialsIn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.listener = DtuListener(REGISTER, HEARTBEAT)
        cls.emu = Emulator(SITE, "--dial", f"127.0.0.1:{cls.listener.port}", "--dtu-id", "DTU01",
                           "--register-prefix", "REG:", "--heartbeat", "HB", "--heartbeat-s", "1")
        if not cls.listener.wait_for("DTU01", START_BUDGET):
            cls.emu.stop()
            cls.listener.close()
            raise RuntimeError("prepay-emu did not register as DTU01")
        cls.station = Station([Endpoint(1, "000000000301", dtu="DTU01"),
                               Endpoint(2, "000000000302", dtu="DTU01"),
                               Endpoint(7, "000000000301", dtu="NOT-HERE")],    # its DTU never dials in
                              timeout=TIMEOUT, retries=1, tool=tool("prepay"), dtu=cls.listener)

    @classmethod
    def tearDownClass(cls):
        cls.station.close()
        cls.emu.stop()
        cls.listener.close()

    def test_read(self):
        r = self.station.read(1)
        self.assertTrue(r.ok, r.error)
        self.assertEqual(r.energy_wh, 0)
        self.assertTrue(r.relay_closed)
        self.assertEqual(r.balance_fen, 10000)
        self.assertEqual([x.ok for x in self.station.read_many([1, 2])], [True, True])

    def test_relay_trip_close_read_back(self):
        trip = self.station.relay(2, "trip")
        self.assertTrue(trip.ok, trip.error)
        self.assertEqual(trip.values["relay"], "open")
        self.assertFalse(self.station.read(2).relay_closed)
        close = self.station.relay(2, "close")
        self.assertTrue(close.ok, close.error)
        self.assertTrue(self.station.read(2).relay_closed)

    def test_push_and_verify_tariff(self):
        with open(TARIFF, encoding="utf-8") as f:
            doc = json.load(f)
        r = self.station.push_tariff(1, doc)
        self.assertTrue(r.ok, r.error)
        self.assertIn("read back identical", r.values["tariff set 2"])
        v = self.station.verify_tariff(1, doc)
        self.assertTrue(v.ok, v.error)

    def test_set_time_and_broadcast_sync(self):
        at = int(datetime.datetime(2027, 1, 1, 6, 30, tzinfo=datetime.timezone.utc).timestamp())
        r = self.station.set_time(1, at)
        self.assertTrue(r.ok, r.error)
        self.assertEqual(r.values["time"], "2027-01-01 06:30:00")
        # one broadcast per reachable bus: DTU01 once (meters 1 and 2), NOT-HERE skipped
        self.assertEqual(self.station.sync_time(at, [1, 2, 7]), 1)
        self.assertTrue(self.station.read(1).ok)

    def test_recharge_through_the_tool_bridged_to_the_dtu(self):
        before = self.station.read(1).balance_fen
        r = self.station.recharge_meter(1, 1000, 2)     # the site's opening purse is purchase 1
        self.assertTrue(r.ok, r.error)
        self.assertIn("credited as purchase 2", r.values["recharge"])
        self.assertEqual(self.station.read(1).balance_fen, before + 1000)

    def test_heartbeats_are_not_bus_bytes(self):
        # the emulator sends "HB" after 1 s of silence: wait (bounded) until one came, then read
        self.listener.connection("DTU01")
        t0 = time.monotonic()
        while self.listener.heartbeats("DTU01") == 0 and time.monotonic() - t0 < START_BUDGET:
            time.sleep(0.05)
        self.assertGreater(self.listener.heartbeats("DTU01"), 0)
        self.assertTrue(self.station.read(1).ok)

    def test_meter_behind_an_unconnected_dtu_is_offline(self):
        r = self.station.read(7)
        self.assertFalse(r.ok)
        self.assertTrue(r.offline, r.error)
        self.assertIn("NOT-HERE is not connected", r.error)
        self.assertTrue(self.station.relay(7, "trip").offline)
        self.assertTrue(self.station.recharge_meter(7, 100, 2).offline)
        self.assertTrue(self.station.freeze(7).offline)

    def test_station_without_listener(self):
        lone = Station([Endpoint(1, "000000000301", dtu="DTU01")], timeout=TIMEOUT, retries=1)
        self.addCleanup(lone.close)
        r = lone.read(1)
        self.assertTrue(r.offline)
        self.assertIn("no DTU listener", r.error)


class EmulatorRedials(unittest.TestCase):
    def test_connection_lost_mid_request_then_redialled(self):
        lines = []
        listener = DtuListener(REGISTER, log=lines.append)
        self.addCleanup(listener.close)
        emu = Emulator(SITE, "--dial", f"127.0.0.1:{listener.port}", "--dtu-id", "DTU02", "--register-prefix", "REG:",
                       "--dial-drop-after", "1", "--redial-ms", "100")
        self.addCleanup(emu.stop)
        self.assertTrue(listener.wait_for("DTU02", START_BUDGET))
        # the endpoint's timeout is also how long a DTU lost during a request is waited for: generous,
        # a loaded machine may take seconds to let the emulator dial again (a reply costs nothing of it)
        station = Station([Endpoint(1, "000000000301", dtu="DTU02", timeout=START_BUDGET)], timeout=TIMEOUT,
                          retries=1, dtu=listener)
        self.addCleanup(station.close)
        # the first request's reply never comes (the DTU drops the link); the DTU dials again and
        # the request is sent again on the new connection
        r = station.read(1)
        self.assertTrue(r.ok, f"{r.error}; listener: {lines}; emulator: {emu.output()}")
        self.assertGreaterEqual(listener.registrations, 2)
        emu.stop()                                          # the DTU is gone: its meters are offline
        self.assertTrue(listener.wait_gone("DTU02", START_BUDGET))
        self.assertTrue(station.read(1).offline)


class ListenerRules(unittest.TestCase):
    def setUp(self):
        self.lines = []
        self.listener = DtuListener(REGISTER, HEARTBEAT, registration_timeout=START_BUDGET, log=self.lines.append)
        self.addCleanup(self.listener.close)

    def test_bad_registration_is_refused(self):
        with dial(self.listener.port, b"GET / HTTP/1.0\r\n\r\n") as s:
            self.assertTrue(closed_by_peer(s))
        self.assertEqual(self.listener.ids(), [])
        self.assertEqual(self.listener.refused, 1)
        self.assertIn("not a registration packet", "\n".join(self.lines))

    def test_register_again_replaces_and_close_goes_offline(self):
        first = dial(self.listener.port, b"REG:X1")
        self.addCleanup(first.close)
        self.assertTrue(self.listener.wait_for("X1", START_BUDGET))
        old = self.listener.connection("X1")
        second = dial(self.listener.port, b"REG:X1")
        self.addCleanup(second.close)
        self.assertTrue(closed_by_peer(first))             # the older connection is closed
        self.assertIsNot(self.listener.connection("X1"), old)
        self.assertEqual(self.listener.ids(), ["X1"])
        second.sendall(b"HB")
        station = Station([Endpoint(1, "000000000301", dtu="X1")], timeout=0.2, retries=0, dtu=self.listener)
        self.addCleanup(station.close)
        self.assertTrue(station.read(1).offline)            # nobody answers behind X1
        second.close()
        self.assertTrue(self.listener.wait_gone("X1", START_BUDGET))
        r = station.read(1)
        self.assertTrue(r.offline)
        self.assertIn("not connected", r.error)

    def test_registration_naming_another_id_closes(self):
        s = dial(self.listener.port, b"REG:X2")
        self.addCleanup(s.close)
        self.assertTrue(self.listener.wait_for("X2", START_BUDGET))
        s.sendall(b"REG:OTHER")
        self.assertTrue(closed_by_peer(s))
        self.assertTrue(self.listener.wait_gone("X2", START_BUDGET))
        self.assertFalse(self.listener.connected("OTHER"))

    def test_bytes_while_held_are_the_bus_and_idle_bytes_are_not(self):
        s = dial(self.listener.port, b"REG:X4")
        self.addCleanup(s.close)
        self.assertTrue(self.listener.wait_for("X4", START_BUDGET))
        link = self.listener.link("X4")
        with link.hold():                                   # a station's request in flight
            link.send(b"\xfe\x68request")
            s.settimeout(START_BUDGET)
            self.assertEqual(s.recv(64), b"\xfe\x68request")
            s.sendall(b"REG:OTHER")                         # a reply chunk that looks like a packet
            got = b""
            while len(got) < 9:
                chunk = link.recv(START_BUDGET)
                self.assertTrue(chunk)
                got += chunk
            self.assertEqual(got, b"REG:OTHER")
        self.assertTrue(self.listener.connected("X4"))
        s.sendall(b"HB")                                    # idle: a heartbeat, counted, not the bus's
        deadline = time.monotonic() + START_BUDGET
        while self.listener.heartbeats("X4") == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.listener.heartbeats("X4"), 1)
        with link.hold():
            self.assertEqual(link.recv(0.05), b"")
        self.assertIn("X4", self.listener.ids())

    def test_silent_dtu_is_dropped(self):
        quick = DtuListener(REGISTER, HEARTBEAT, dead_after=0.3)
        self.addCleanup(quick.close)
        s = dial(quick.port, b"REG:X3")
        self.addCleanup(s.close)
        self.assertTrue(quick.wait_for("X3", START_BUDGET))
        self.assertTrue(quick.wait_gone("X3", START_BUDGET))
        self.assertTrue(closed_by_peer(s))

    def test_bad_patterns(self):
        with self.assertRaises(prepay.TransportError):
            DtuListener("pattern:ZZ")
        with self.assertRaises(ValueError):
            DtuListener("pattern:'REG'")       # no id


class PlatformThroughDtu(unittest.TestCase):
    """The platform seeded from the emulator's site: meters put behind DTU01 (migration 0102),
    polled and commanded through the station the CLI builds (--dtu-listen, --meter-dtu)."""

    def setUp(self):
        from prepay_platform.platform import Platform
        from tests.support import database_url
        self.tmp = tempfile.mkdtemp(prefix="prepay_platform_dtu_")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.p = Platform(database_url(self.tmp), os.path.join(self.tmp, "data"))
        self.addCleanup(self.p.close)

    def test_poll_and_relay_through_the_dtu(self):
        from prepay_platform.__main__ import _station
        from prepay_platform.services import readings, recharge, seed
        site = os.path.join(ROOT, "examples", "sites", "platform.json")
        made = seed.seed_site(self.p, site)
        for _, hid, _ in made:
            recharge.recharge(self.p, hid, "50.00", f"k{hid}", "op")
        self.assertEqual(seed.set_meter_dtu(self.p.db, "*", "DTU01"), 8)
        self.assertEqual(seed.set_meter_dtu(self.p.db, "000000000204", "ELSEWHERE"), 1)
        with self.assertRaises(ValueError):
            seed.set_meter_dtu(self.p.db, "999999999999", "DTU01")
        with self.assertRaises(ValueError):
            seed.set_meter_dtu(self.p.db, "000000000101", "has space")
        listener = DtuListener(REGISTER, HEARTBEAT)
        self.addCleanup(listener.close)
        emu = Emulator(site, "--dial", f"127.0.0.1:{listener.port}", "--dtu-id", "DTU01", "--register-prefix", "REG:")
        self.addCleanup(emu.stop)
        self.assertTrue(listener.wait_for("DTU01", START_BUDGET))
        station = _station(self.p.db, 0, listener)
        self.addCleanup(station.close)
        station.timeout, station.retries = TIMEOUT, 1
        self.p.station = self.p.money.station = station
        ids = {m["address"]: m["id"] for m in self.p.db.query("SELECT id, address FROM meters")}
        self.assertEqual(station.endpoints[ids["000000000101"]].dtu, "DTU01")
        out = readings.poll(self.p)
        self.assertEqual(out["offline"], 1)                 # 204: its DTU never dialled in
        online = {m["address"]: m["online"] for m in self.p.db.query("SELECT address, online FROM meters")}
        self.assertEqual(online["000000000101"], 1)
        self.assertEqual(online["000000000204"], 0)
        m101 = ids["000000000101"]
        trip = self.p.money.relay(m101, "trip", "test", "op")
        self.assertTrue(trip["ok"], trip["message"])
        self.assertFalse(station.read(m101).relay_closed)
        self.assertEqual(self.p.db.one("SELECT relay_closed FROM meters WHERE id = ?", (m101,))["relay_closed"], 0)
        close = self.p.money.relay(m101, "close", "test", "op")
        self.assertTrue(close["ok"], close["message"])
        self.assertTrue(station.read(m101).relay_closed)
        gone = self.p.money.relay(ids["000000000204"], "trip", "test", "op")
        self.assertFalse(gone["ok"])
        self.assertIn("offline", gone["message"])


if __name__ == "__main__":
    unittest.main()
