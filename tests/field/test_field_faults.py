# SPDX-License-Identifier: MIT
"""Faults between the station and the meters: lost replies, garbled replies
(bad checksums), a dead meter, an interrupted batch, and a push-tariff whose
link goes quiet half way. Batches try again only the meters that did not
answer, and always write their results; a push cut short leaves the meter
pricing with the set it had.

usage: test_field_faults.py PREPAY PREPAY_EMU
"""
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import fieldlib
from fieldlib import DATA, Emulator, meter, values

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


# push-tariff first reads the meter's clock, switch-over times and counts, then writes the passive set
# (tens of writes): the 12th request is one of those writes.
MUTE_AFTER_REQUESTS = 12


class MutingProxy(fieldlib.RecordingProxy):
    """A link that stops answering: forwards every request to the meter, but no reply once the station has
    sent `mute_after` requests (each request is one write of the station's, one chunk here)."""

    def __init__(self, target_port, mute_after):
        self.mute_after = mute_after
        self.requests = 0
        super().__init__(target_port)

    def _pump(self, src, dst, direction):
        while True:
            try:
                data = src.recv(4096)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            with self.lock:
                if direction == 0:
                    self.requests += 1
                muted = direction == 1 and self.requests >= self.mute_after
            if not muted:
                dst.sendall(data)


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

    def test_a_push_cut_short_leaves_the_set_in_force(self):
        """push-tariff whose replies stop in the middle of the passive set's writes (the last write reached
        the meter, its reply did not): the push stops there, exit 1; the set in force is the one the meter
        had, and its switch-over time is not written. Pushed again, the tariff verifies."""
        emu = Emulator(EMU, os.path.join(DATA, "month.json"), "--bus-port", "0")
        proxy = MutingProxy(emu.port, mute_after=MUTE_AFTER_REQUESTS)
        try:
            direct = ["--tcp", "127.0.0.1:%d" % emu.port]
            cut = ["--tcp", "127.0.0.1:%d" % proxy.port]
            a = ["--address", "000000000101"]
            in_force = os.path.join(fieldlib.ROOT, "examples", "tariffs", "zhejiang_residential_tou.json")
            pushed = os.path.join(DATA, "push_tariff.json")
            switch_over = ["read", "04000106", "04000107", "04000108", "04000109"]
            r = meter(TOOL, direct, *a, "verify-tariff", in_force)
            self.assertEqual(r.code, 0, r)
            before = meter(TOOL, direct, *a, "--json", *switch_over)
            self.assertEqual(before.code, 0, before)
            r = meter(TOOL, cut, *a, "--retries", "0", "push-tariff", pushed)
            self.assertEqual(r.code, 1, r)
            self.assertEqual(len(r.err.strip().split("\n")), 1, r)
            self.assertIn("000000000101: no reply to write ", r.err)  # cut during the writes of set 2
            self.assertIn("set 2 is not in force", r.err)
            self.assertGreater(proxy.requests, MUTE_AFTER_REQUESTS - 1)  # it got as far as the cut
            # The meter: the same set in force, the same switch-over times; set 2 is partly written.
            r = meter(TOOL, direct, *a, "verify-tariff", in_force)
            self.assertEqual(r.code, 0, r)
            after = meter(TOOL, direct, *a, "--json", *switch_over)
            self.assertEqual(values(after), values(before))
            r = meter(TOOL, direct, *a, "verify-tariff", pushed, "--set", "2")
            self.assertEqual(r.code, 1, r)
            # Pushed again on a good link: in force and identical.
            r = meter(TOOL, direct, *a, "push-tariff", pushed)
            self.assertEqual(r.code, 0, r)
            r = meter(TOOL, direct, *a, "verify-tariff", pushed)
            self.assertEqual(r.code, 0, r)
            self.assertIn("no differences", r.out)
        finally:
            proxy.stop()
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
