# SPDX-License-Identifier: MIT
"""prepay meter over a serial port: prepay-emu serves its bus on a
pseudo-terminal (--serial PATH) and the station opens PATH through the
termios transport, at every rate, with settings as given; the port is opened
exclusively, and a missing or busy device is one line naming it.

usage: test_field_serial.py PREPAY PREPAY_EMU
"""
import fcntl
import os
import sys
import tempfile
import unittest

from fieldlib import DATA, Emulator, meter, values

TOOL = EMU = None


class Serial(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tty = os.path.join(tempfile.mkdtemp(prefix="prepay-tty-"), "ttyMETER")
        cls.emu = Emulator(EMU, os.path.join(DATA, "month.json"), "--serial", cls.tty, ready=("serial",))

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_every_rate_and_frame_setting(self):
        for spec in ["1200", "2400", "2400:8E1", "4800:8O1", "9600:8N1", "19200:8E2", "38400", "57600", "115200:8N2"]:
            r = meter(TOOL, ["--serial", "%s:%s" % (self.tty, spec)], "--address", "000000000102", "--json",
                      "read", "balance", "energy")
            self.assertEqual(r.code, 0, (spec, r))
            # (the other test may have moved the clock on: the meter has spent a little since)
            self.assertGreater(float(values(r)[("000000000102", "00900200")]), 7000.0, spec)

    def test_commands_over_serial(self):
        link = ["--serial", self.tty]
        a = ["--address", "000000000101"]
        r = meter(TOOL, link, *a, "--json", "read", "voltage", "current", "9010")
        self.assertEqual(r.code, 0, r)
        v = values(r)
        self.assertEqual(v[("000000000101", "02010200")], "220.0")
        self.assertEqual(v[("000000000101", "9010")], "0.00")
        r = meter(TOOL, link, *a, "relay", "alarm")
        self.assertEqual(r.code, 0, r)
        r = meter(TOOL, link, *a, "relay", "alarm-release")
        self.assertEqual(r.code, 0, r)
        r = meter(TOOL, link, *a, "write", "04001002", "12.00")
        self.assertEqual(r.code, 0, r)
        r = meter(TOOL, link, *a, "--json", "events")
        self.assertEqual(r.code, 0, r)
        r = meter(TOOL, link, *a, "push-tariff", os.path.join(DATA, "push_tariff.json"))
        self.assertEqual(r.code, 0, r)
        r = meter(TOOL, link, *a, "verify-tariff", os.path.join(DATA, "push_tariff.json"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("no differences", r.out)
        # A plan needing more day tables than the meter has: the counts are written first.
        r = meter(TOOL, link, *a, "push-tariff", os.path.join(DATA, "four_tables.json"))
        self.assertEqual(r.code, 0, r)
        r = meter(TOOL, link, *a, "verify-tariff", os.path.join(DATA, "four_tables.json"))
        self.assertEqual(r.code, 0, r)
        r = meter(TOOL, link, *a, "--json", "read", "counts")
        self.assertEqual(values(r)[("000000000101", "04000202")], "2")
        # Broadcast time sync; no preamble from the station at all.
        r = meter(TOOL, link, "--preamble", "0", "time-sync", "--time", "2027-01-01 00:10:00")
        self.assertEqual(r.code, 0, r)
        r = meter(TOOL, link, "--preamble", "0", *a, "--json", "read", "time")
        self.assertEqual(values(r)[("000000000101", "04000102")], "00:10:00")

    def test_a_busy_port_and_a_missing_one(self):
        # O_NOCTTY: under meson the test is a session leader without a terminal,
        # and the pty would become its controlling terminal (SIGHUP later).
        with os.fdopen(os.open(self.tty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK), "rb", buffering=0) as held:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            r = meter(TOOL, ["--serial", self.tty], "--address", "000000000101", "read", "energy")
            self.assertEqual(r.code, 1, r)
            self.assertIn("in use by another program", r.err)
            self.assertIn(self.tty, r.err)
            self.assertEqual(len(r.err.strip().splitlines()), 1)
        missing = self.tty + "-missing"
        r = meter(TOOL, ["--serial", missing], "--address", "000000000101", "read", "energy")
        self.assertEqual(r.code, 1, r)
        self.assertEqual(r.err.strip(), "prepay meter read: %s: No such file or directory" % missing)
        r = meter(TOOL, ["--serial", "/dev/null"], "--address", "000000000101", "read", "energy")
        self.assertEqual(r.code, 1, r)
        self.assertIn("not a serial port", r.err)


def main():
    global TOOL, EMU
    TOOL, EMU = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)


if __name__ == "__main__":
    main()
