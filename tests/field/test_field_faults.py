# SPDX-License-Identifier: MIT
"""Faults between the station and the meters: lost replies, garbled replies
(bad checksums), a dead meter, and an interrupted batch. Batches try again
only the meters that did not answer, and always write their results.

usage: test_field_faults.py PREPAY PREPAY_EMU
"""
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import fieldlib
from fieldlib import DATA, Emulator, meter

TOOL = EMU = None


def site_csv(work, meters):
    path = os.path.join(work, "site.csv")
    with open(path, "w") as f:
        f.write("# a site file: one address per line, a header line\naddress\n")
        for m in meters:
            f.write(m + "\n")
    return path


def read_results(path):
    with open(path) as f:
        return list(csv.DictReader(f))


class Faults(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="prepay-faults-")

    def test_lost_replies_are_retried_until_every_meter_answered(self):
        emu = Emulator(EMU, os.path.join(DATA, "month.json"), "--bus-port", "0", "--drop", "0.4", "--seed", "11")
        try:
            link = ["--tcp", "127.0.0.1:%d" % emu.port]
            site = site_csv(self.work, ["000000000101", "000000000102", "000000000103", "000000000104"])
            out = os.path.join(self.work, "drops.csv")
            # Short replies are lost, not late: the emulator drops them; a retry
            # is cheap, so a smaller reply timeout is enough here.
            r = meter(TOOL, link, "--retries", "1", "batch", site, "--rounds", "10", "--results", out, "read",
                      "energy", "balance")
            self.assertEqual(r.code, 0, r)
            rows = read_results(out)
            self.assertEqual({row["status"] for row in rows}, {"ok"})
            self.assertEqual(len({row["meter"] for row in rows}), 4)
        finally:
            emu.stop()

    def test_garbled_replies(self):
        emu = Emulator(EMU, os.path.join(DATA, "month.json"), "--bus-port", "0", "--corrupt", "0.5", "--seed", "3")
        try:
            link = ["--tcp", "127.0.0.1:%d" % emu.port]
            site = site_csv(self.work, ["000000000101", "000000000102", "000000000103", "000000000104"])
            r = meter(TOOL, link, "--retries", "1", "batch", site, "--rounds", "12", "--json", "read", "balance")
            self.assertEqual(r.code, 0, r)
            self.assertEqual({o["status"] for o in r.json_lines()}, {"ok"})
            self.assertEqual({o["values"][0]["value"] for o in r.json_lines()}, {"8000.00"})
            # Without retries some reads see only garbage: a timeout naming the garbled bytes.
            seen_garbled = False
            for _ in range(12):
                r = meter(TOOL, link, "--retries", "0", "--address", "000000000101", "read", "balance")
                if r.code == 1:
                    self.assertIn("000000000101: no valid reply to read 00900200", r.err)
                    seen_garbled = seen_garbled or "garbled bytes" in r.err
                else:
                    self.assertIn("8000.00", r.out)
            self.assertTrue(seen_garbled)
        finally:
            emu.stop()

    def test_a_dead_meter_times_out_and_the_others_answer(self):
        emu = Emulator(EMU, os.path.join(DATA, "dead.json"), "--bus-port", "0")
        try:
            link = ["--tcp", "127.0.0.1:%d" % emu.port]
            site = site_csv(self.work, ["000000000301", "000000000302", "000000000303", "000000000304"])
            out = os.path.join(self.work, "dead.csv")
            r = meter(TOOL, link, "--retries", "1", "batch", site, "--rounds", "2", "--results", out, "read",
                      "energy")
            self.assertEqual(r.code, 1, r)
            rows = {row["meter"]: row for row in read_results(out)}
            self.assertEqual(rows["000000000303"]["status"], "timeout")
            self.assertEqual(rows["000000000303"]["rounds"], "2")  # tried again: it never answered
            self.assertIn("no reply to read 00010000 after 2 attempts", rows["000000000303"]["error"])
            for m in ["000000000301", "000000000302", "000000000304"]:
                self.assertEqual(rows[m]["status"], "ok")
                self.assertEqual(rows[m]["rounds"], "1")  # answered: not tried again
            self.assertIn("3 ok", r.err)
            self.assertIn("1 timeout", r.err)
            # A single read of the dead meter: one line naming it.
            r = meter(TOOL, link, "--retries", "0", "--address", "000000000303", "read", "energy")
            self.assertEqual(r.code, 1, r)
            self.assertEqual(r.err.strip(), "prepay meter read: 000000000303: no reply to read 00010000 after 1 attempts")
        finally:
            emu.stop()

    def test_an_interrupted_batch_writes_what_it_has(self):
        emu = Emulator(EMU, os.path.join(DATA, "dead.json"), "--bus-port", "0")
        try:
            link = ["--tcp", "127.0.0.1:%d" % emu.port]
            # The dead meter first, with long timeouts: the batch is still on it when interrupted.
            site = site_csv(self.work, ["000000000303", "000000000301", "000000000302", "000000000304"])
            out = os.path.join(self.work, "interrupted.csv")
            process = subprocess.Popen([TOOL, "meter"] + link + ["--timeout", "60000", "batch", site, "--progress",
                                                                 "--results", out, "read", "energy"],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            # Interrupt once the batch is running (its progress line is out), not before.
            seen = b""
            deadline = time.monotonic() + fieldlib.START_BUDGET
            while b"round 1" not in seen and time.monotonic() < deadline:
                chunk = os.read(process.stderr.fileno(), 4096)
                if not chunk:
                    break
                seen += chunk
            self.assertIn(b"round 1", seen)
            process.send_signal(signal.SIGINT)
            stdout, rest = process.communicate(timeout=fieldlib.COMMAND_BUDGET)
            stderr = (seen + rest).decode()
            self.assertEqual(process.returncode, 1, stderr)
            self.assertIn("(interrupted)", stderr)
            rows = read_results(out)
            self.assertEqual(len(rows), 4)
            self.assertEqual({row["status"] for row in rows}, {"pending"})
        finally:
            emu.stop()


def main():
    global TOOL, EMU
    TOOL, EMU = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)


if __name__ == "__main__":
    main()
