#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""prepay analyse over hand-worked files, and end to end: prepay-emu with a scenario ->
prepay meter events --records (over loopback TCP) -> prepay analyse finds the suspicion.

Usage: test_analyse_cli.py PREPAY PREPAY_EMU REPO_ROOT

Expected values: tests/vectors/analyse_cli/README.md (worked by hand) and
examples/sites/theft/README.md (the scenario's timeline).
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

PREPAY = EMU = ROOT = None
TIMEOUT = 120  # seconds for any one run: generous, never the thing measured


def run(*argv, stdin=None):
    return subprocess.run([PREPAY, *argv], input=stdin, capture_output=True, text=True, timeout=TIMEOUT)


def vector(name):
    return os.path.join(ROOT, "tests", "vectors", "analyse_cli", name)


class HandWorked(unittest.TestCase):
    def test_suspicions_and_rate(self):
        r = run("analyse", vector("events.csv"), "--readings", vector("readings.csv"), "--voltages",
                vector("voltages.csv"), "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertTrue(out["ok"])
        got = [(s["meter"], s["rule"], s["score"], s["from"], s["to"], s["observed"], s["expected"])
               for s in out["suspicions"]]
        self.assertEqual(got, [
            ("000000000303", "reverse_energy", 50, "2026-11-01 00:00:00", "2026-11-02 00:00:00", 2500, 10),
            ("000000000304", "zero_advance", 60, "2026-11-01 00:00:00", "2026-11-02 00:00:00", 0, 3000),
            ("000000000301", "after_tamper", 40, "2026-11-01 10:00:00", "2026-11-01 10:30:00",
             "loss_of_current", "cover_open"),
        ])
        scores = {s["meter"]: s["score"] for s in out["scores"]}
        self.assertEqual(scores, {"000000000301": 40, "000000000302": 0, "000000000303": 50, "000000000304": 60})
        vq = out["voltage_qualification"]
        self.assertEqual(len(vq), 1)
        self.assertEqual((vq[0]["meter"], vq[0]["monitored_minutes"], vq[0]["over_upper_minutes"],
                          vq[0]["under_lower_minutes"], vq[0]["qualified_rate"]),
                         ("000000000302", 10, 1, 0, "90.00"))

    def test_meters_file_exempts_a_producer(self):
        r = run("analyse", vector("events.csv"), "--readings", vector("readings.csv"), "--meters",
                vector("meters.csv"), "--csv")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = list(csv.DictReader(r.stdout.splitlines()))
        self.assertEqual([(x["meter"], x["rule"]) for x in rows],
                         [("000000000304", "zero_advance"), ("000000000301", "after_tamper")])

    def test_standard_input(self):
        with open(vector("events.csv"), encoding="utf-8") as f:
            r = run("analyse", "-", stdin=f.read())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("after_tamper", r.stdout)

    def assert_exit(self, r, code, words):
        self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertTrue(r.stderr.startswith("prepay analyse: "), r.stderr)
        self.assertIn(words, r.stderr)
        self.assertEqual(r.stdout, "")

    def test_bad_input_exits_2(self):
        with tempfile.TemporaryDirectory() as d:
            bad_kind = os.path.join(d, "kind.csv")
            with open(bad_kind, "w", encoding="utf-8") as f:
                f.write("meter,kind,phase,start,end\n000000000301,theft,,2026-11-01 10:00,\n")
            self.assert_exit(run("analyse", bad_kind), 2, "kind.csv:2: 'theft' is not an event kind")
            header = os.path.join(d, "header.csv")
            with open(header, "w", encoding="utf-8") as f:
                f.write("meter,when,forward,reverse\n")
            self.assert_exit(run("analyse", "--readings", header), 2, "the header is not")
            late = os.path.join(d, "late.csv")
            with open(late, "w", encoding="utf-8") as f:
                f.write("meter,kind,phase,start,end\n000000000301,cover_open,,2026-11-01 10:00,2026-11-01 09:00\n")
            self.assert_exit(run("analyse", late), 2, "is not a time at or after the start")
        self.assert_exit(run("analyse"), 2, "nothing to analyse")
        r = run("analyse", vector("events.csv"), "--csv", "--json")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(json.loads(r.stdout)["error"]["message"], "choose one of --csv and --json")
        self.assert_exit(run("analyse", vector("missing.csv")), 2, "missing.csv")

    def test_refused_readings_exit_1(self):
        self.assert_exit(run("analyse", "--readings", vector("backwards.csv")), 1, "went backwards")


class EndToEnd(unittest.TestCase):
    """examples/sites/theft: the scenario's tampering is found from what the meters report over the wire."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="prepay-analyse-")
        ready = os.path.join(self.tmp.name, "ready")
        site = os.path.join(ROOT, "examples", "sites", "theft")
        self.emu = subprocess.Popen([EMU, os.path.join(site, "site.json"), "--scenario",
                                     os.path.join(site, "scenario.json"), "--bus-port=0", "--quiet",
                                     "--ready-file=" + ready, "--exit-with-parent"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(ready) and self.emu.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        with open(ready, encoding="utf-8") as f:
            self.bus = "127.0.0.1:" + f.read().split("bus_port=")[1].split()[0]

    def tearDown(self):
        self.emu.terminate()
        self.emu.wait(timeout=TIMEOUT)
        self.tmp.cleanup()

    def test_scenario_to_suspicion(self):
        r = run("meter", "time-sync", "--tcp", self.bus, "--time", "2026-11-01 06:00")
        self.assertEqual(r.returncode, 0, r.stderr)
        files = []
        for address in ("000000000201", "000000000202", "000000000203"):
            out = os.path.join(self.tmp.name, address + ".csv")
            r = run("meter", "events", "--tcp", self.bus, "--address", address, "--records", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            files.append(out)
        with open(files[0], encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        # The scenario: cover open 01:00-01:05, CT of phase A reversed 01:10-03:00; reverse power is
        # judged after its 60 s delay (01:11) and ends 60 s after the CT is right again (03:01).
        self.assertIn({"meter": "000000000201", "kind": "cover_open", "phase": "",
                       "start": "2026-11-01 01:00:00", "end": "2026-11-01 01:05:00"}, rows)
        self.assertIn({"meter": "000000000201", "kind": "reverse_power", "phase": "A",
                       "start": "2026-11-01 01:11:00", "end": "2026-11-01 03:01:00"}, rows)
        with open(files[2], encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        # 203: a sag to 150.0 V 04:00-04:20 is an under-voltage (below 78 % of 220 V) from 04:01 to 04:21.
        self.assertEqual(rows, [{"meter": "000000000203", "kind": "under_voltage", "phase": "A",
                                 "start": "2026-11-01 04:01:00", "end": "2026-11-01 04:21:00"}])
        # 202: the dormitory heater (1500 W resistive on 300 W) trips the relay by load control.
        r = run("meter", "read", "--tcp", self.bus, "--address", "000000000202", "1D000001", "1D000101", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        values = {v["di"]: v["value"] for v in json.loads(r.stdout)["values"]}
        self.assertEqual(values["1D000001"], "1")
        self.assertEqual(values["1D000101"], "2026-11-01 02:00:05")

        r = run("analyse", *files, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual([(s["meter"], s["rule"], s["score"], s["from"], s["to"], s["observed"], s["expected"])
                          for s in out["suspicions"]],
                         [("000000000201", "after_tamper", 40, "2026-11-01 01:00:00", "2026-11-01 01:11:00",
                           "reverse_power", "cover_open")])

    def test_active_report_polls_new_records_and_acknowledges(self):
        r = run("meter", "time-sync", "--tcp", self.bus, "--time", "2026-11-01 06:00")
        self.assertEqual(r.returncode, 0, r.stderr)
        meter = ["--tcp", self.bus, "--address", "000000000201"]
        def poll(*extra):
            out = os.path.join(self.tmp.name, "poll.csv")
            r = run("meter", "events", *meter, "--records", out, "--json", *extra)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            values = {v["di"]: v["value"] for v in json.loads(r.stdout)["values"] if v.get("di")}
            with open(out, encoding="utf-8") as f:
                return values, [(x["kind"], x["phase"]) for x in csv.DictReader(f)]
        # The word names the two channels with new occurrences; only their records are read.
        values, rows = poll()
        self.assertEqual(values["04001501"], "cover_open (1), reverse_power A (1)")
        self.assertEqual(sorted(rows), [("cover_open", ""), ("reverse_power", "A")])
        # A wrong password: the acknowledgement is refused (exit 1) and the word keeps its bits.
        r = run("meter", "events", *meter, "--password", "123456", "--acknowledge")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("04001503", r.stderr)
        values, rows = poll("--acknowledge")
        self.assertEqual(values["04001501"], "cover_open (1), reverse_power A (1)")
        self.assertEqual(values["04001503"], "acknowledged")
        self.assertEqual(len(rows), 2)
        # Acknowledged: the next poll reads no record; --all still reads every channel's.
        values, rows = poll()
        self.assertEqual(values["04001501"], "no new events")
        self.assertEqual(rows, [])
        values, rows = poll("--all")
        self.assertEqual(sorted(rows), [("cover_open", ""), ("reverse_power", "A")])

    def test_records_file_not_written_when_the_meter_is_silent(self):
        out = os.path.join(self.tmp.name, "none.csv")
        r = run("meter", "events", "--tcp", self.bus, "--address", "000000000999", "--records", out,
                "--timeout", "300")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    PREPAY, EMU, ROOT = sys.argv[1:4]
    unittest.main(argv=sys.argv[:1])
