# SPDX-License-Identifier: MIT
"""Station against a real prepay-emu on a loopback port: read, relay trip/close read back, tariff
push verified, time set, an offline meter reported after its retries; water meters (CJ/T 188)
against the library's reference water meter in process."""
import datetime
import json
import os
import shutil
import unittest

import prepay
from prepay import cjt188, water

from prepay_platform.field.station import Endpoint, Station
from tests.field_support import HERE, ROOT, Emulator, free_port, tool

SITE = os.path.join(HERE, "data", "field_two.json")
TARIFF = os.path.join(ROOT, "examples", "tariffs", "zhejiang_residential_tou.json")
# Generous: a reply from the emulator on loopback takes milliseconds; a missing meter costs
# (retries + 1) x TIMEOUT, which is what the offline case waits, not what it asserts.
TIMEOUT = 3.0


class StationEmulatorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(SITE)
        cls.station = Station([Endpoint(1, "000000000301", port=cls.emu.port),
                               Endpoint(2, "000000000302", port=cls.emu.port),
                               Endpoint(9, "000000000399", port=cls.emu.port),   # not on the bus
                               Endpoint(10, "000000000301", port=free_port())],  # nobody listening
                              timeout=TIMEOUT, retries=1, tool=tool("prepay"))
        # only meters that never answer are asked through this one: a short reply timeout costs nothing
        cls.quick = Station([Endpoint(9, "000000000399", port=cls.emu.port)], timeout=0.2, retries=1,
                            tool=tool("prepay"))

    @classmethod
    def tearDownClass(cls):
        cls.station.close()
        cls.quick.close()
        cls.emu.stop()

    def test_read(self):
        r = self.station.read(1)
        self.assertTrue(r.ok, r.error)
        self.assertEqual(r.energy_wh, 0)                  # the site starts at 0 kWh
        self.assertTrue(r.relay_closed)
        self.assertEqual(r.balance_fen, 10000)            # purse 100.00 of the site file
        self.assertEqual(r.raw["00900200"], "00000100")   # XXXXXX.XX BCD, low byte first: 100.00

    def test_read_many(self):
        readings = self.station.read_many([1, 2])
        self.assertEqual([r.ok for r in readings], [True, True])

    def test_relay_trip_close_read_back(self):
        trip = self.station.relay(2, "trip")
        self.assertTrue(trip.ok, trip.error)
        self.assertEqual(trip.values["relay"], "open")
        self.assertFalse(self.station.read(2).relay_closed)
        close = self.station.relay(2, "close")
        self.assertTrue(close.ok, close.error)
        self.assertEqual(close.values["relay"], "closed")
        self.assertTrue(self.station.read(2).relay_closed)

    def test_bad_relay_action(self):
        with self.assertRaises(ValueError):
            self.station.relay(1, "explode")

    def test_push_tariff_verified(self):
        with open(TARIFF, encoding="utf-8") as f:
            doc = json.load(f)
        r = self.station.push_tariff(1, doc)
        self.assertTrue(r.ok, r.error)
        self.assertIn("read back identical", r.values["tariff set 2"])
        v = self.station.verify_tariff(1, doc)      # the library's verify over the same link
        self.assertTrue(v.ok, v.error)
        self.assertEqual(v.values["tariff set 2"], "no differences")
        other = self.station.verify_tariff(1, os.path.join(ROOT, "tests", "field", "data", "push_tariff.json"))
        self.assertFalse(other.ok)
        self.assertIn("differ", other.error)
        # independent check with the tool's verify-tariff (reads every table of the set in force)
        self.station.close()
        done = prepay_meter("--tcp", f"127.0.0.1:{self.emu.port}", "--address", "000000000301",
                            "verify-tariff", TARIFF)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("no differences", done.stdout)

    def test_push_tariff_refused_before_writing(self):
        r = self.station.push_tariff(1, os.path.join(ROOT, "examples", "tariffs", "shanghai_residential_per_band.json"))
        self.assertFalse(r.ok)
        self.assertIn("cannot hold", r.error)
        self.assertFalse(r.offline)

    def test_set_time(self):
        at = int(datetime.datetime(2027, 1, 1, 6, 30, tzinfo=datetime.timezone.utc).timestamp())
        r = self.station.set_time(1, at)
        self.assertTrue(r.ok, r.error)
        self.assertEqual(r.values["time"], "2027-01-01 06:30:00")

    def test_recharge_meter_idempotent_by_purchase_count(self):
        # meter 302: the site's opening purse is purchase 1 (prepay-emu, docs/emulator.md)
        before = self.station.read(2).balance_fen
        r = self.station.recharge_meter(2, 5000, 2)
        self.assertTrue(r.ok, r.error)
        self.assertIn("credited as purchase 2", r.values["recharge"])
        again = self.station.recharge_meter(2, 5000, 2)               # a re-run after a crash
        self.assertTrue(again.ok, again.error)
        self.assertIn("already credited", again.values["recharge"])
        gap = self.station.recharge_meter(2, 5000, 9)
        self.assertFalse(gap.ok)
        self.assertFalse(gap.offline)
        self.assertIn("does not follow", gap.error)
        self.assertEqual(self.station.read(2).balance_fen, before + 5000)
        self.assertTrue(self.quick.recharge_meter(9, 100, 1).offline)

    def test_freeze_then_read(self):
        r = self.station.freeze(1)
        self.assertTrue(r.ok, r.error)
        self.assertIsNotNone(r.energy_wh)
        self.assertTrue(self.quick.freeze(9).offline)

    def test_write_params_read_back(self):
        r = self.station.write_params(2, {"04001001": "30.00", "04001002": "10.00"})
        self.assertTrue(r.ok, r.error)
        self.assertEqual(r.values, {"04001001": "30.00", "04001002": "10.00"})
        bad = self.station.write_params(2, {"04001001": "not a number"})
        self.assertFalse(bad.ok)
        self.assertIn("bad parameter", bad.error)

    def test_offline_meter_reported_after_retries(self):
        r = self.quick.read(9)
        self.assertFalse(r.ok)
        self.assertTrue(r.offline)
        self.assertIn("after 2 attempts", r.error)
        c = self.quick.relay(9, "trip")
        self.assertTrue(c.offline, c.error)

    def test_unreachable_bus_is_offline(self):
        r = self.station.read(10)
        self.assertTrue(r.offline, r.error)
        self.assertIn("cannot connect", r.error)

    def test_unknown_meter(self):
        with self.assertRaises(KeyError):
            self.station.read(404)


class StationTwoBusesTest(unittest.TestCase):
    def test_read_many_over_two_buses_keeps_the_order(self):
        a, b = Emulator(SITE), Emulator(SITE)
        station = Station([Endpoint(1, "000000000301", port=a.port), Endpoint(2, "000000000302", port=a.port),
                           Endpoint(3, "000000000301", port=b.port)], timeout=TIMEOUT, retries=0)
        quick = Station([Endpoint(4, "000000000399", port=b.port)], timeout=0.2, retries=0)   # never answers
        try:
            readings = station.read_many([3, 1, 2])
            self.assertEqual([r.meter_id for r in readings], [3, 1, 2])
            self.assertTrue(all(r.ok for r in readings), [r.error for r in readings])
            self.assertTrue(quick.read_many([4])[0].offline)
        finally:
            station.close()
            quick.close()
            a.stop()
            b.stop()


class StationReconnectTest(unittest.TestCase):
    def test_lost_connection_is_reopened_once(self):
        emu = Emulator(SITE)
        port = emu.port
        station = Station([Endpoint(1, "000000000301", port=port)], timeout=TIMEOUT, retries=0)
        try:
            self.assertTrue(station.read(1).ok)
            emu.stop()                                  # the DTU drops the link ...
            emu = Emulator(SITE, port=port)             # ... and comes back on the same port
            r = station.read(1)
            self.assertTrue(r.ok, r.error)
            emu.stop()
            r = station.read(1)                         # nobody there any more
            self.assertTrue(r.offline, r.error)
        finally:
            station.close()
            emu.stop()


class StationSerialTest(unittest.TestCase):
    """The same station on a serial port: the emulator's bus on a pseudo-terminal (raw 2400 8E1)."""

    def test_read_relay_push_over_serial(self):
        import tempfile
        path = os.path.join(tempfile.mkdtemp(prefix="prepay-platform-tty-"), "ttyMETER")
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        emu = Emulator(SITE, "--serial", path)
        station = Station([Endpoint(1, "000000000301", device=path)], timeout=TIMEOUT, retries=0, tool=tool("prepay"))
        quick = Station([Endpoint(2, "000000000399", device=path)], timeout=0.2, retries=0)
        try:
            self.assertTrue(station.read(1).ok)
            self.assertEqual(station.relay(1, "trip").values["relay"], "open")
            second = quick.read(2)
            self.assertTrue(second.offline)
            self.assertIn("in use by another program", second.error)     # one station per bus
            r = station.push_tariff(1, TARIFF)
            self.assertTrue(r.ok, r.error)
            self.assertIn("read back identical", r.values["tariff set 2"])
            self.assertFalse(station.read(1).relay_closed)      # the link is reopened after the tool
            station.close()
            self.assertTrue(quick.read(2).offline)
            self.assertIn("no reply", quick.read(2).error)
        finally:
            station.close()
            quick.close()
            emu.stop()


def prepay_meter(*args):
    import subprocess
    return subprocess.run([tool("prepay"), "meter", "--timeout", str(int(TIMEOUT * 1000)), *args],
                          capture_output=True, text=True, timeout=600)


class InProcessWaterLink:
    """A bus with the library's reference water meter on it (prepay.water), answering in process."""

    def __init__(self, meter, silent=False):
        self.meter, self.silent, self.pending = meter, silent, b""

    def send(self, data):
        if not self.silent:
            self.pending += self.meter.handle_cjt188(data)

    def recv(self, timeout):
        data, self.pending = self.pending, b""
        return data

    def close(self):
        pass


class StationWaterTest(unittest.TestCase):
    """prepay-emu serves DL/T 645 meters only on this branch: CJ/T 188 is tested at codec level
    against prepay.water's reference meter through an in-process link."""

    ADDRESS = "00000000001234"

    def setUp(self):
        self.meter = water.WaterMeter(prepay.WaterMode.VOLUME, self.ADDRESS, datetime.datetime(2027, 1, 1))
        self.meter.set_balance(10000, datetime.datetime(2027, 1, 1))   # prepaid litres: the valve may open
        self.meter.advance(datetime.datetime(2027, 1, 1, 1), litres=1234)
        self.station = Station([Endpoint(5, self.ADDRESS, kind="cjt188", port=1)], timeout=0.2, retries=1)
        self.station.attach("tcp:127.0.0.1:1", InProcessWaterLink(self.meter))

    def test_read_litres(self):
        r = self.station.read(5)
        self.assertTrue(r.ok, r.error)
        self.assertEqual(r.litres, 1230)     # 901F carries XXXXXX.XX m3: 10-litre resolution
        self.assertTrue(r.relay_closed)      # valve open: water flows

    def test_valve_close_and_open(self):
        c = self.station.relay(5, "trip")
        self.assertTrue(c.ok, c.error)
        self.assertEqual(c.values["valve"], "closed")
        self.assertFalse(self.station.read(5).relay_closed)
        o = self.station.relay(5, "close")
        self.assertTrue(o.ok, o.error)
        self.assertEqual(o.values["valve"], "open")

    def test_keep_power_refused_for_water(self):
        self.assertFalse(self.station.relay(5, "keep").ok)

    def test_water_meter_behind_a_tcp_server(self):
        # a transparent serial server in front of the reference water meter: bytes over loopback TCP
        import socketserver
        import threading
        meter = self.meter

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                parser = cjt188.StreamParser()       # a request may arrive in pieces
                while True:
                    data = self.request.recv(4096)
                    if not data:
                        return
                    for frame in parser.feed(data):
                        self.request.sendall(meter.handle_cjt188(frame.wire))

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        station = Station([Endpoint(6, self.ADDRESS, kind="cjt188", port=server.server_address[1])],
                          timeout=TIMEOUT, retries=0)
        try:
            r = station.read(6)
            self.assertTrue(r.ok, r.error)
            self.assertEqual(r.litres, 1230)
            self.assertEqual(station.relay(6, "trip").values["valve"], "closed")
        finally:
            station.close()
            server.shutdown()
            server.server_close()

    def test_silent_water_meter_offline(self):
        self.station.attach("tcp:127.0.0.1:1", InProcessWaterLink(self.meter, silent=True))
        r = self.station.read(5)
        self.assertTrue(r.offline, r.error)


if __name__ == "__main__":
    unittest.main()
