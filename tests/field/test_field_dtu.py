# SPDX-License-Identifier: MIT
"""prepay meter with DTUs that dial in: prepay-emu connects to the station
(--dial), registers (prefix + id) and sends heartbeats; the station serves
several DTUs at once (a batch over two DTUs), ignores peers that send
garbage, and survives a DTU that drops its link in the middle of a batch.

usage: test_field_dtu.py PREPAY PREPAY_EMU
"""
import json
import os
import socket
import sys
import tempfile
import threading
import time
import unittest

import fieldlib
from fieldlib import DATA, Emulator, meter, values

TOOL = EMU = None
FORMAT = ["--dtu-format", "prefix:REG:", "--heartbeat", "pattern:'HB'", "--connect-timeout", "30000"]


def dial_emulator(site, port, dtu, *extra):
    return Emulator(EMU, os.path.join(DATA, site), "--dial", "127.0.0.1:%d" % port, "--dtu-id", dtu,
                    "--register-prefix", "REG:", "--heartbeat", "HB", "--heartbeat-s", "1", *extra,
                    ready=("bus_port",))


class Dtu(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = fieldlib.free_port()
        cls.a = dial_emulator("month.json", cls.port, "DTUA")
        cls.b = dial_emulator("dtu_b.json", cls.port, "DTUB")

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()
        cls.b.stop()

    def listen(self, dtu=None):
        link = ["--listen", "127.0.0.1:%d" % self.port] + FORMAT
        return link + (["--dtu", dtu] if dtu else [])

    def test_commands_through_one_dtu(self):
        r = meter(TOOL, self.listen("DTUA"), "--address", "000000000101", "--json", "read", "balance", "power")
        self.assertEqual(r.code, 0, r)
        obj = r.json_lines()[0]
        self.assertEqual(obj["dtu"], "DTUA")
        self.assertEqual(values(r)[("000000000101", "00900200")], "8000.00")
        r = meter(TOOL, self.listen("DTUB"), "--address", "000000000402", "relay", "trip")
        self.assertEqual(r.code, 0, r)
        r = meter(TOOL, self.listen("DTUB"), "--address", "000000000402", "relay", "close")
        self.assertEqual(r.code, 0, r)
        # A DTU that is not there: one line, exit 1.
        r = fieldlib.run(TOOL, "meter", "--listen", "127.0.0.1:%d" % self.port, "--dtu", "DTUZ",
                         "--dtu-format", "prefix:REG:", "--connect-timeout", "1500", "--address", "000000000101",
                         "read", "energy")
        self.assertEqual(r.code, 1, r)
        self.assertIn("DTU DTUZ did not register within 1500 ms", r.err)

    def test_batch_over_two_dtus_at_once_with_garbage_peers(self):
        work = tempfile.mkdtemp(prefix="prepay-dtu-")
        site = os.path.join(work, "site.csv")
        with open(site, "w") as f:
            f.write("address,dtu\n")
            for m in ["000000000101", "000000000102", "000000000103", "000000000104"]:
                f.write("%s,DTUA\n" % m)
            for m in ["000000000401", "000000000402"]:
                f.write("%s,DTUB\n" % m)
        stop = threading.Event()

        def garbage():
            # Peers that are not DTUs keep connecting while the batch runs.
            while not stop.is_set():
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                        time.sleep(0.05)
                except OSError:
                    time.sleep(0.05)

        thread = threading.Thread(target=garbage, daemon=True)
        thread.start()
        try:
            results = os.path.join(work, "results.json")
            r = meter(TOOL, self.listen(), "--verbose", "batch", site, "--results", results, "read", "energy",
                      "balance")
        finally:
            stop.set()
            thread.join()
        self.assertEqual(r.code, 0, r)
        with open(results) as f:
            rows = json.load(f)
        self.assertEqual(len(rows), 6)
        self.assertEqual({row["status"] for row in rows}, {"ok"})
        self.assertEqual({row["dtu"] for row in rows}, {"DTUA", "DTUB"})
        self.assertIn("not a DTU registration packet", r.err)
        self.assertIn("batch of 6 meters in 1 round: 6 ok", r.err)

    # A second registration replacing the first is covered by tests/transport/test_transport.c,
    # where the timing is under the test's control.


class Reconnect(unittest.TestCase):
    def test_a_dtu_reconnecting_mid_batch(self):
        port = fieldlib.free_port()
        emu = dial_emulator("month.json", port, "DTUC", "--dial-drop-after", "3", "--redial-ms", "200")
        try:
            work = tempfile.mkdtemp(prefix="prepay-dtu-")
            site = os.path.join(work, "site.csv")
            with open(site, "w") as f:
                f.write("000000000101,DTUC\n000000000102,DTUC\n000000000103,DTUC\n000000000104,DTUC\n")
            r = meter(TOOL, ["--listen", "127.0.0.1:%d" % port] + FORMAT, "--verbose", "batch", site, "--json",
                      "read", "energy", "balance")
            self.assertEqual(r.code, 0, r)
            self.assertEqual(len(r.json_lines()), 4)
            self.assertEqual({o["status"] for o in r.json_lines()}, {"ok"})
            self.assertIn("connection lost", r.err)
            self.assertIn("lost its connection; dialling again", emu.output())
        finally:
            emu.stop()


class WaterDtu(unittest.TestCase):
    """CJ/T 188 water meters behind a DTU: examples/sites/water.json dials in as WATR; its meters
    00000000000201 (money purse: 10.00 yuan bought as serial 1) and 00000000000202 (remote, no purse)
    answer on the DTU's bus as they do over --tcp (tests/integration/test_meter_protocols_cli.py)."""

    @classmethod
    def setUpClass(cls):
        cls.port = fieldlib.free_port()
        site = os.path.join(fieldlib.HERE, "..", "..", "examples", "sites", "water.json")
        cls.emu = Emulator(EMU, site, "--dial", "127.0.0.1:%d" % cls.port, "--dtu-id", "WATR",
                           "--register-prefix", "REG:", "--heartbeat", "HB", "--heartbeat-s", "1",
                           ready=("bus_port",))

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def link(self, *dtu, connect_ms="30000"):
        return ["--listen", "127.0.0.1:%d" % self.port, "--protocol", "cjt188", "--dtu-format", "prefix:REG:",
                "--heartbeat", "pattern:'HB'", "--connect-timeout", connect_ms] + list(dtu)

    def test_read_and_valve_through_the_dtu(self):
        r = meter(TOOL, self.link("--dtu", "WATR"), "--address", "00000000000201", "--json", "read", "purse")
        self.assertEqual(r.code, 0, r)
        got = {v["name"]: v["value"] for v in r.json_lines()[0]["values"]}
        self.assertEqual((got["purchase serial"], got["remaining"]), ("1", "10.00"))
        for word, state in (("close", "closed"), ("open", "open")):
            r = meter(TOOL, self.link("--dtu", "WATR"), "--address", "00000000000202", "relay", word)
            self.assertEqual(r.code, 0, r)
            r = meter(TOOL, self.link("--dtu", "WATR"), "--address", "00000000000202", "--json", "read")
            self.assertEqual({v["name"]: v["value"] for v in r.json_lines()[0]["values"]}["valve"], state)
        # --listen without a DTU is refused before anything opens (exit 2).
        r = meter(TOOL, self.link(), "--address", "00000000000201", "read")
        self.assertEqual(r.code, 2, r)
        self.assertIn("--listen needs --dtu", r.err)

    def test_batch_by_dtu_column(self):
        work = tempfile.mkdtemp(prefix="prepay-water-dtu-")
        site = os.path.join(work, "site.csv")
        with open(site, "w") as f:
            f.write("address,dtu\n00000000000201,WATR\n00000000000202,WATR\n00000000000209,NONE\n")
        results = os.path.join(work, "results.json")
        r = meter(TOOL, self.link(connect_ms="1500"), "batch", site, "--results", results, "--rounds", "1",
                  "read", "purse")
        self.assertEqual(r.code, 1, r)  # one meter's DTU never dialled in
        with open(results) as f:
            rows = {row["meter"]: row for row in json.load(f)}
        self.assertEqual({m: (row["status"], row["dtu"]) for m, row in rows.items()},
                         {"00000000000201": ("ok", "WATR"), "00000000000202": ("abnormal", "WATR"),
                          "00000000000209": ("link", "NONE")})
        self.assertIn("DTU NONE did not register within 1500 ms", rows["00000000000209"]["error"])


def main():
    global TOOL, EMU
    TOOL, EMU = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)


if __name__ == "__main__":
    main()
