#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The command-line conventions (docs/cli.md) over every command of prepay and prepay-emu.

Usage: test_cli_conventions.py PREPAY PREPAY_EMU REPO_ROOT

For every command and subcommand:
- `--help` exits 0 and prints its usage on stdout, nothing on stderr;
- `--version` exits 0 with "PROGRAM VERSION", `--version --json` with one JSON object;
- a run that uses the `--opt=value` spelling succeeds (exit 0), and with --json every line on
  stdout is a JSON object starting with "ok": true;
- where the command reads a file, '-' reads it from the standard input;
- a bad command line or input with --json exits 2, writes exactly one line on stderr and exactly
  one JSON object on stdout: {"ok": false, "error": {"code": <negative status>, "status": ...,
  "message": <the stderr line without the program prefix>, "exit": 2}};
- where the operation itself can fail, it exits 1 (same error shape).
The table COMMANDS must name every command `prepay --help` lists and every subcommand each command's
`--help` lists: a command added without its conventions checked here fails this test.
"""
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

PREPAY = EMU = ROOT = None
TIMEOUT = 120  # seconds for any one run: generous, never the thing measured


def path(*parts):
    return os.path.join(ROOT, *parts)


def run(argv, stdin=None, cwd=None):
    if stdin is None and argv[1:4] == ["meter", "batch", "-"]:
        stdin = METER + "\n"  # the batch's site file
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd)


class Fixtures:
    """Input files of the repository and a scratch directory."""

    def __init__(self, scratch):
        self.scratch = scratch
        self.beijing = path("examples", "tariffs", "beijing_residential_annual.json")
        self.guangzhou = path("examples", "tariffs", "guangzhou_residential_tou.json")
        self.guangdong = path("examples", "tariffs", "guangdong_ci_tou_sharp.json")
        self.registers = path("tests", "vectors", "tariff_cli", "beijing_registers.csv")
        self.site_month = path("tests", "vectors", "billing_site_month.json")
        self.tiny = path("tests", "vectors", "report_cli", "tiny.csv")
        self.site = path("examples", "sites", "small.json")
        self.journal = os.path.join(scratch, "ledger.journal")
        self.field_site = path("tests", "field", "data", "one.json")
        self.push_tariff = path("tests", "field", "data", "push_tariff.json")
        self.bus = None  # "127.0.0.1:PORT" of the emulator the meter commands talk to (Conventions.setUpClass)
        self.dead = None  # a port nobody listens on
        self.water_site = path("examples", "sites", "water_modbus.json")
        self.water_bus = self.modbus = None  # the water meters' emulator: CJ/T 188 on its bus, Modbus on its own port
        self.settle_site = path("examples", "sites", "settle", "site.json")
        self.settle_readings = path("examples", "sites", "settle", "readings.csv")
        self.settle_journal = os.path.join(scratch, "settle.journal")
        self.analyse_events = path("tests", "vectors", "analyse_cli", "events.csv")
        self.analyse_readings = path("tests", "vectors", "analyse_cli", "readings.csv")
        self.analyse_voltages = path("tests", "vectors", "analyse_cli", "voltages.csv")
        self.analyse_backwards = path("tests", "vectors", "analyse_cli", "backwards.csv")

    def read(self, name):
        with open(name, encoding="utf-8") as f:
            return f.read()


DLT645_FRAME = "68 12 00 00 00 10 20 68 91 08 33 35 C3 33 89 CB 34 33 C4 16"
CJT188_FRAME = ("68 10 44 33 22 11 00 33 78 81 16 1F 90 00 00 77 66 55 2C 00 77 66 55 2C 31 01 22 11 05 15 20 21"
                " 84 13 16")
MODBUS_FRAME = "01 03 04 1E 85 0B 3F AA D2"


def commands(fx):
    """Every command: how to run it well (with --opt=value), from stdin, badly, and failing."""
    return {
        ("analyse",): dict(
            ok=["analyse", fx.analyse_events, "--readings=" + fx.analyse_readings, "--voltages=" + fx.analyse_voltages],
            json_ok=["analyse", fx.analyse_events, "--readings", fx.analyse_readings],
            stdin=(["analyse", "-", "--csv"], fx.read(fx.analyse_events)),
            bad=["analyse", fx.analyse_events, "--rated=twenty"],
            fails=["analyse", "--readings", fx.analyse_backwards]),
        ("bill",): dict(
            ok=["bill", fx.site_month, "--csv=statements"], json_ok=["bill", fx.site_month],
            stdin=(["bill", "-", "--csv=arrears"], fx.read(fx.site_month)),
            bad=["bill", fx.site_month, "--csv=nope"]),
        ("tariff", "check"): dict(
            ok=["tariff", "check", fx.beijing], json_ok=["tariff", "check", fx.beijing],
            stdin=(["tariff", "check", "-"], fx.read(fx.beijing)),
            bad=["tariff", "check", fx.beijing, "--frob=1"]),
        ("tariff", "bill"): dict(
            ok=["tariff", "bill", fx.beijing, fx.registers, "--household-add=100"],
            json_ok=["tariff", "bill", fx.beijing, fx.registers],
            stdin=(["tariff", "bill", fx.beijing, "-"], fx.read(fx.registers)),
            bad=["tariff", "bill", fx.beijing]),
        ("tariff", "vend"): dict(
            ok=["tariff", "vend", fx.beijing, "--amount=100", "--at=2025-03-01 00:00"],
            json_ok=["tariff", "vend", fx.beijing, "--amount", "100", "--used=2800", "--at", "2025/03/01"],
            stdin=(["tariff", "vend", "-", "--amount=1", "--at=2025-03-01"], fx.read(fx.beijing)),
            bad=["tariff", "vend", fx.beijing, "--amount=1.234"]),
        ("report", "monthly"): dict(
            ok=["report", "monthly", fx.tiny, "--tariff=" + fx.guangdong, "--month=2025-03"],
            json_ok=["report", "monthly", fx.tiny, "--tariff", fx.guangdong, "--month", "2025-03"],
            stdin=(["report", "monthly", "-", "--tariff=" + fx.guangdong, "--month=2025-03", "--csv"],
                   fx.read(fx.tiny)),
            bad=["report", "monthly", fx.tiny, "--tariff", fx.guangdong, "--month=2025-13"],
            fails=["report", "monthly", fx.tiny, "--tariff", fx.guangdong, "--month", "2023-05"]),
        ("report", "energy"): dict(
            ok=["report", "energy", fx.tiny, "--period=day", "--from=2025-03-09", "--to=2025/03/10", "--by=meter"],
            json_ok=["report", "energy", fx.tiny, "--period", "month", "--from", "2025-03-01", "--to", "2025-03-31"],
            stdin=(["report", "energy", "-", "--period=day", "--from=2025-03-09", "--to=2025-03-10"],
                   fx.read(fx.tiny)),
            bad=["report", "energy", fx.tiny, "--period=fortnight", "--from=2025-03-01", "--to=2025-03-31"],
            fails=["report", "energy", fx.tiny, "--period=month", "--from=2020-01-01", "--to=2020-12-31"]),
        ("dlt645", "decode"): dict(
            ok=["dlt645", "decode", DLT645_FRAME], json_ok=["dlt645", "decode", DLT645_FRAME, DLT645_FRAME],
            stdin=(["dlt645", "decode", "-"], "# frames\n" + DLT645_FRAME + "\n\n" + DLT645_FRAME + "\n"),
            bad=["dlt645", "decode", "zz"]),
        ("dlt645", "encode"): dict(
            ok=["dlt645", "encode", "read", "--address=000000193600", "--di=0001FF00", "--preamble=1"],
            json_ok=["dlt645", "encode", "time", "--time=2017-06-05 10:22:51"],
            bad=["dlt645", "encode", "read", "--address=12", "--di=0001FF00"]),
        ("dlt645", "catalogue"): dict(
            ok=["dlt645", "catalogue"], json_ok=["dlt645", "catalogue"],
            bad=["dlt645", "catalogue", "--bogus"]),
        ("cjt188", "decode"): dict(
            ok=["cjt188", "decode", "--di-order=auto", CJT188_FRAME], json_ok=["cjt188", "decode", CJT188_FRAME],
            stdin=(["cjt188", "decode", "-"], CJT188_FRAME + "\n"),
            bad=["cjt188", "decode", "68"]),
        ("cjt188", "encode"): dict(
            ok=["cjt188", "encode", "read", "--address=78330011223344", "--di=901F", "--di-order=low"],
            json_ok=["cjt188", "encode", "key", "--address", "00010203040506", "--key-version=1",
                     "--key=0011223344556677"],
            bad=["cjt188", "encode", "purchase", "--address=00202307160177", "--serial=1", "--amount=1.234"]),
        ("modbus", "decode"): dict(
            ok=["modbus", "decode", "--response", "--map=xintai-water", "--start=5", MODBUS_FRAME],
            json_ok=["modbus", "decode", "--response", MODBUS_FRAME],
            stdin=(["modbus", "decode", "--response", "-"], MODBUS_FRAME + "\n"),
            bad=["modbus", "decode", "11 03"]),
        ("modbus", "encode"): dict(
            ok=["modbus", "encode", "read", "--unit=0x11", "--function=3", "--address=0x6B", "--count=3"],
            json_ok=["modbus", "encode", "write-coil", "--unit", "17", "--address", "172", "--on"],
            bad=["modbus", "encode", "read", "--unit=1", "--function=3", "--address=0", "--count=126"]),
        ("modbus", "maps"): dict(
            ok=["modbus", "maps"], json_ok=["modbus", "maps"], bad=["modbus", "maps", "--bogus"]),
        ("ledger",): dict(
            ok=["ledger", "--journal=" + fx.journal, "open", "1", "--kind=wallet", "--max-balance=500"],
            json_ok=["ledger", "--journal", fx.journal, "recharge", "1", "12.34", "--payment-id=WX-1",
                     "--time=2026/11/03 10:00"],
            bad=["ledger", "--journal", fx.journal, "recharge", "1", "-5", "--payment-id", "2"],
            fails=["ledger", "--journal", os.path.join(fx.scratch, "missing.journal"), "balance", "1"]),
        ("settle",): dict(
            ok=["settle", fx.settle_site, fx.settle_readings, "--journal=" + fx.settle_journal, "--close",
                "--events=" + os.path.join(fx.scratch, "settle-events.csv")],
            json_ok=["settle", fx.settle_site, fx.settle_readings, "--journal", fx.settle_journal + "2"],
            stdin=(["settle", fx.settle_site, "-", "--journal=" + fx.settle_journal + "3"], fx.read(fx.settle_readings)),
            bad=["settle", fx.settle_site, fx.settle_readings, "--journal=" + fx.settle_journal, "--frob"],
            fails=["settle", fx.settle_site, fx.settle_readings,
                   "--journal=" + os.path.join(fx.scratch, "no-such-dir", "settle.journal")]),
        ("demo",): dict(
            ok=["demo", "--days=1", "--meters=3", "--timeout-ms=200", "--out=" + os.path.join(fx.scratch, "demo"),
                "--tariff=" + fx.guangzhou, "--emulator=" + EMU],
            json_ok=["demo", "--days", "1", "--meters", "2", "--out", os.path.join(fx.scratch, "demo-json"),
                     "--tariff", fx.guangzhou, "--emulator", EMU],
            bad=["demo", "--days=0"],
            fails=["demo", "--days=1", "--meters=2", "--out=" + os.path.join(fx.scratch, "demo-fails"),
                   "--tariff=" + fx.guangzhou, "--emulator=" + os.path.join(fx.scratch, "no-such-emulator")]),
        ("version",): dict(ok=["version"], json_ok=["version"], bad=["version", "extra"]),
    } | meter_commands(fx)


METER = "000000000201"  # the one meter of tests/field/data/one.json


def meter_commands(fx):
    """prepay meter: every subcommand against the emulator (fx.bus); options before or after the subcommand.

    Not a "fails" case of the table (their output is not one error line): verify-tariff that finds differences
    (its result line, then the error line) and a batch with failed meters (a stream: each failed meter is an error
    object carrying the meter's members, the summary on stderr); test_meter_failures_exit_1 checks both."""
    bus, meter, dead = "--tcp=" + fx.bus, "--address=" + METER, "--tcp=" + fx.dead
    site = METER + "\n"
    return {
        ("meter", "read"): dict(
            ok=["meter", "read", bus, meter, "energy"], json_ok=["meter", "--tcp", fx.bus, "read", "voltage", "0001FF00"],
            bad=["meter", "read", bus, "bogus-name"],
            fails=["meter", "read", dead, meter, "energy"]),
        ("meter", "read-address"): dict(
            ok=["meter", "read-address", bus], json_ok=["meter", "read-address", "--tcp", fx.bus],
            bad=["meter", "read-address", bus, "extra"], fails=["meter", "read-address", dead]),
        ("meter", "discover"): dict(
            ok=["meter", "discover", bus], json_ok=["meter", "discover", bus],
            bad=["meter", "discover", "--tcp=nohost"], fails=["meter", "discover", dead]),
        ("meter", "time-sync"): dict(
            ok=["meter", "time-sync", bus, "--time=2027-01-01 00:00:05"],
            json_ok=["meter", "time-sync", bus, meter, "--addressed", "--time", "2027/01/01 00:00:10"],
            bad=["meter", "time-sync", bus, "--time=2027-02-30 00:00"],
            fails=["meter", "time-sync", dead, "--time=2027-01-01 00:00:05"]),
        ("meter", "relay"): dict(
            ok=["meter", "relay", bus, meter, "allow-close"],
            json_ok=["meter", "relay", bus, meter, "alarm", "--valid-until", "2027/01/02"],
            bad=["meter", "relay", bus, meter, "explode"], fails=["meter", "relay", dead, meter, "allow-close"]),
        ("meter", "recharge"): dict(
            ok=["meter", "recharge", bus, meter, "1.00", "--count=2"],
            json_ok=["meter", "recharge", bus, meter, "2.50", "--count", "3"],
            bad=["meter", "recharge", bus, meter, "1.234", "--count=4"],
            fails=["meter", "recharge", dead, meter, "1.00", "--count=9"]),
        ("meter", "write"): dict(
            ok=["meter", "write", bus, meter, "04001001", "20.00"],
            json_ok=["meter", "write", bus, meter, "04001002", "10.00"],
            bad=["meter", "write", bus, meter, "04001001", "abc"],
            fails=["meter", "write", bus, meter, "04000B01", "01"]),
        ("meter", "freeze"): dict(
            ok=["meter", "freeze", bus, meter], json_ok=["meter", "freeze", bus, meter],
            bad=["meter", "freeze", bus, meter, "--at=25:99:99:99x"], fails=["meter", "freeze", dead, meter]),
        ("meter", "events"): dict(
            ok=["meter", "events", bus, meter, "--records=" + os.path.join(fx.scratch, "records.csv")],
            json_ok=["meter", "events", bus, meter],
            bad=["meter", "events", bus, meter, "--count=1"],
            fails=["meter", "events", dead, meter, "--records", os.path.join(fx.scratch, "never.csv")]),
        ("meter", "push-tariff"): dict(
            ok=["meter", "push-tariff", bus, meter, fx.push_tariff, "--at=now"],
            json_ok=["meter", "push-tariff", bus, meter, fx.push_tariff, "--tariff-set", "a"],
            bad=["meter", "push-tariff", bus, meter, path("examples", "tariffs", "guangzhou_residential_tou.json")],
            fails=["meter", "push-tariff", dead, meter, fx.push_tariff]),
        ("meter", "verify-tariff"): dict(
            ok=["meter", "verify-tariff", bus, meter, fx.push_tariff, "--set=2"],
            json_ok=["meter", "verify-tariff", bus, meter, fx.push_tariff, "--set", "1"],
            stdin=(["meter", "verify-tariff", bus, meter, "-", "--set=2"], fx.read(fx.push_tariff)),
            bad=["meter", "verify-tariff", bus, meter, fx.push_tariff, "--set=3"],
            fails=["meter", "verify-tariff", dead, meter, fx.push_tariff]),
        ("meter", "batch"): dict(
            ok=["meter", "batch", "-", "read", "energy", bus, "--results=" + os.path.join(fx.scratch, "r.csv")],
            json_ok=["meter", "batch", "-", "read", "energy", "--tcp", fx.bus],
            stdin=(["meter", "batch", "-", "read", "energy", bus], site),
            bad=["meter", "batch", "-", "read", "energy", bus, "--count=3"]),
        ("meter", "water-read"): dict(
            ok=["meter", "water-read", "--tcp=" + fx.modbus, "--protocol=modbus", "--unit=2"],
            json_ok=["meter", "--tcp", fx.water_bus, "water-read", "--address", "00000000000303"],
            bad=["meter", "water-read", "--tcp=" + fx.modbus, "--protocol=modbus", "--unit=248"],
            fails=["meter", "water-read", dead, "--protocol=modbus"]),
        ("meter", "water-valve"): dict(
            ok=["meter", "water-valve", "open", "--tcp=" + fx.water_bus, "--address=00000000000303"],
            json_ok=["meter", "water-valve", "--tcp", fx.modbus, "--protocol", "modbus", "--unit", "2", "open"],
            bad=["meter", "water-valve", "shut", "--tcp=" + fx.modbus, "--protocol=modbus"],
            fails=["meter", "water-valve", "open", "--tcp=" + fx.modbus, "--protocol=modbus", "--unit=9",
                   "--timeout-ms=200"]),
    }


class Conventions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="prepay-cli-")
        cls.fx = Fixtures(cls.tmp.name)
        # The meter commands talk to one emulated meter (its tariff writable, for push-tariff).
        ready = os.path.join(cls.tmp.name, "meter-ready")
        cls.meter_emu = subprocess.Popen([EMU, cls.fx.field_site, "--bus-port=0", "--quiet", "--ready-file=" + ready,
                                          "--exit-with-parent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(ready) and cls.meter_emu.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        with open(ready, encoding="utf-8") as f:
            cls.fx.bus = "127.0.0.1:" + f.read().split("bus_port=")[1].split()[0]
        # The water commands talk to a second emulator: Modbus water meters on --modbus-port, CJ/T 188 on its bus.
        water_ready = os.path.join(cls.tmp.name, "water-ready")
        cls.water_emu = subprocess.Popen([EMU, cls.fx.water_site, "--bus-port=0", "--modbus-port=0", "--quiet",
                                          "--ready-file=" + water_ready, "--exit-with-parent"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not os.path.exists(water_ready) and cls.water_emu.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        with open(water_ready, encoding="utf-8") as f:
            ports = dict(line.strip().split("=", 1) for line in f if "=" in line)
        cls.fx.water_bus = "127.0.0.1:" + ports["bus_port"]
        cls.fx.modbus = "127.0.0.1:" + ports["modbus_port"]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            cls.fx.dead = "127.0.0.1:%d" % probe.getsockname()[1]  # closed again: connections are refused
        cls.table = commands(cls.fx)
        cls.version = run([PREPAY, "version"]).stdout.split()[1]  # "prepay VERSION", then the source line

    @classmethod
    def tearDownClass(cls):
        for emu in (cls.meter_emu, cls.water_emu):
            emu.terminate()
            emu.wait(timeout=TIMEOUT)
        cls.tmp.cleanup()

    # ---- helpers ------------------------------------------------------------------------------

    def program(self, name):
        return "prepay " + " ".join(name)

    def assert_json_lines(self, result, where):
        lines = result.stdout.splitlines()
        self.assertGreater(len(lines), 0, where + ": no JSON on stdout")
        for line in lines:
            doc = json.loads(line)
            self.assertIsInstance(doc, dict, where)
            self.assertIs(next(iter(doc.items()))[1], True, where + ": the first member is not \"ok\": true")
            self.assertEqual(next(iter(doc)), "ok", where)

    def assert_error(self, result, program, exit_code, where):
        self.assertEqual(result.returncode, exit_code, where + ": " + result.stderr)
        err_lines = result.stderr.strip("\n").split("\n")
        self.assertEqual(len(err_lines), 1, where + ": not one line on stderr: " + result.stderr)
        self.assertTrue(err_lines[0].startswith(program + ": "), where + ": " + err_lines[0])
        out_lines = result.stdout.splitlines()
        self.assertEqual(len(out_lines), 1, where + ": not one JSON line on stdout: " + result.stdout)
        doc = json.loads(out_lines[0])
        self.assertEqual(list(doc), ["ok", "error"], where)
        self.assertIs(doc["ok"], False, where)
        error = doc["error"]
        self.assertEqual(list(error), ["code", "status", "message", "exit"], where)
        self.assertIsInstance(error["code"], int, where)
        self.assertLess(error["code"], 0, where)
        self.assertTrue(error["status"], where)
        self.assertEqual(error["exit"], exit_code, where)
        self.assertEqual(program + ": " + error["message"], err_lines[0], where)

    # ---- every command is in the table ----------------------------------------------------------

    def listed(self, argv):
        """The commands a `--help` lists (the lines under "commands:")."""
        out = run(argv + ["--help"]).stdout.splitlines()
        names = []
        if "commands:" in out:
            for line in out[out.index("commands:") + 1:]:
                if not line.startswith("  "):
                    break
                names.append(line.split()[0])
        return names

    def test_every_command_is_checked(self):
        top = self.listed([PREPAY])
        self.assertGreaterEqual(len(top), 9, "prepay --help lists no commands")
        expected = set()
        for name in top:
            subs = self.listed([PREPAY, name])
            expected |= {(name, sub) for sub in subs} if subs else {(name,)}
        self.assertEqual(expected, set(self.table),
                         "commands without a conventions entry (or entries without a command)")

    # ---- the conventions, for every command -------------------------------------------------------

    def test_help(self):
        for name in self.table:
            with self.subTest(command=name):
                result = run([PREPAY, *name, "--help"])
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertTrue(result.stdout.startswith("usage: " + self.program(name)), result.stdout[:200])
                self.assertIn("--version", result.stdout)
                self.assertEqual(result.stderr, "")
                # -h means the same, and wins over the rest of the line.
                self.assertEqual(run([PREPAY, *name, "--no-such-option", "-h"]).returncode, 0)

    def test_version(self):
        for name in self.table:
            with self.subTest(command=name):
                result = run([PREPAY, *name, "--version"])
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stdout, self.program(name) + " " + self.version + "\n")
                doc = json.loads(run([PREPAY, *name, "--version", "--json"]).stdout)
                self.assertEqual((doc["ok"], doc["version"]), (True, self.version))

    def test_runs_with_opt_equals_value(self):
        for name, how in self.table.items():
            with self.subTest(command=name):
                result = run([PREPAY, *how["ok"]])
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertTrue(result.stdout, "no output")
                result = run([PREPAY, *how["json_ok"], "--json"])
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assert_json_lines(result, str(name))

    def test_standard_input(self):
        for name, how in self.table.items():
            if "stdin" not in how:
                continue
            with self.subTest(command=name):
                argv, text = how["stdin"]
                from_stdin = run([PREPAY, *argv], stdin=text)
                self.assertEqual(from_stdin.returncode, 0, from_stdin.stderr)
                self.assertTrue(from_stdin.stdout)

    def test_json_error_shape_and_exit_2(self):
        for name, how in self.table.items():
            with self.subTest(command=name):
                self.assert_error(run([PREPAY, *how["bad"], "--json"]), self.program(name), 2, str(name))
                # Without --json: the same line on stderr, nothing on stdout.
                plain = run([PREPAY, *how["bad"]])
                self.assertEqual(plain.returncode, 2)
                self.assertEqual(plain.stdout, "")
                self.assertEqual(len(plain.stderr.strip("\n").split("\n")), 1, plain.stderr)

    def test_failure_exits_1(self):
        failing = [name for name, how in self.table.items() if "fails" in how]
        self.assertGreaterEqual(len(failing), 4)
        for name in failing:
            with self.subTest(command=name):
                self.assert_error(run([PREPAY, *self.table[name]["fails"], "--json"]), self.program(name), 1,
                                  str(name))

    def assert_stream_error(self, doc, program, where):
        """A failed item of a stream: the error object of the conventions first, then the item's own members."""
        self.assertEqual(list(doc)[:2], ["ok", "error"], where)
        self.assertIs(doc["ok"], False, where)
        error = doc["error"]
        self.assertEqual(list(error), ["code", "status", "message", "exit"], where)
        self.assertLess(error["code"], 0, where)
        self.assertEqual(error["exit"], 1, where)
        return error

    def test_meter_failures_exit_1(self):
        program = "prepay meter batch"
        bus, dead = "--tcp=" + self.fx.bus, "--tcp=" + self.fx.dead
        absent = "000000000999"  # no meter answers for it
        # A batch where one meter answers and one does not: exit 1, a line per meter in site order, the
        # failed one an error naming the meter; the summary on stderr; the results file has both rows.
        results = os.path.join(self.fx.scratch, "partial.csv")
        result = run([PREPAY, "meter", "batch", "-", "read", "energy", bus, "--retries=0", "--rounds=1",
                      "--results=" + results, "--json"], stdin=METER + "\n" + absent + "\n")
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual([line["meter"] for line in lines], [METER, absent])
        self.assertIs(lines[0]["ok"], True)
        error = self.assert_stream_error(lines[1], program, "absent meter")
        self.assertTrue(error["message"].startswith(absent + ": "), error["message"])
        self.assertEqual(lines[1]["status"], "timeout")
        err_lines = result.stderr.strip("\n").split("\n")
        self.assertTrue(err_lines[-1].startswith(program + ": batch of 2 meters in 1 round: 1 ok, 0 refused, 1 timeout"),
                        result.stderr)
        with open(results, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual({row["meter"]: row["status"] for row in rows}, {METER: "ok", absent: "timeout"})
        # Without --json: the failed meter on stdout with its cause, the summary on stderr, exit 1.
        plain = run([PREPAY, "meter", "batch", "-", "read", "energy", bus, "--retries=0", "--rounds=1"],
                    stdin=absent + "\n")
        self.assertEqual(plain.returncode, 1, plain.stderr)
        self.assertIn(absent + "  timeout: ", plain.stdout)
        self.assertIn(program + ": batch of 1 meters in 1 round: 0 ok", plain.stderr)
        # A link that cannot be opened: every meter fails (exit 1), the results are still written.
        results = os.path.join(self.fx.scratch, "dead.json")
        result = run([PREPAY, "meter", "batch", "-", "read", "energy", dead, "--rounds=1", "--results=" + results,
                      "--json"])
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual(len(lines), 1, result.stdout)
        self.assert_stream_error(lines[0], program, "dead link")
        self.assertEqual(lines[0]["status"], "link")
        with open(results, encoding="utf-8") as f:
            self.assertEqual([row["status"] for row in json.load(f)], ["link"])
        # verify-tariff that finds differences: the result line (ok, with the differences), then the error
        # line (exit 1). A tariff nobody pushed to this meter differs from both of its sets.
        other = path("examples", "tariffs", "beijing_ci_tou_sharp.json")
        result = run([PREPAY, "meter", "verify-tariff", bus, "--address=" + METER, other, "--set=1", "--json"])
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual(len(lines), 2, result.stdout)
        self.assertIs(lines[0]["ok"], True)
        self.assertEqual(list(lines[1]), ["ok", "error"])
        self.assertIs(lines[1]["ok"], False)
        self.assertEqual(lines[1]["error"]["exit"], 1)
        self.assertEqual(result.stderr.strip("\n").split("\n"),
                         ["prepay meter verify-tariff: " + lines[1]["error"]["message"]])

    def test_meter_batch_at_a_given_time(self):
        # --start: the batch waits until that local time (whole seconds), with a progress line when asked for.
        start = time.time() + 3
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(start))
        began = time.time()
        result = run([PREPAY, "meter", "batch", "-", "read", "energy", "--tcp=" + self.fx.bus, "--start=" + when,
                      "--progress"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertGreaterEqual(time.time(), int(start))  # not before the start second
        self.assertGreater(time.time() - began, 1.0)
        self.assertIn("waiting ", result.stderr)
        self.assertIn(METER, result.stdout)

    def test_prepay_itself(self):
        self.assertEqual(run([PREPAY, "--help"]).returncode, 0)
        self.assertEqual(run([PREPAY, "--version"]).stdout, "prepay " + self.version + "\n")
        # `prepay version`: the library version, then the source revision (git describe, or the version)
        lines = run([PREPAY, "version"]).stdout.splitlines()
        self.assertEqual(lines[0], "prepay " + self.version)
        self.assertRegex(lines[1], r"^source \S+$")
        self.assertEqual(lines[1], "source " + json.loads(run([PREPAY, "--version", "--json"]).stdout)["source"])
        self.assertEqual(run([PREPAY]).returncode, 2)
        self.assert_error(run([PREPAY, "frobnicate", "--json"]), "prepay", 2, "unknown command")
        self.assert_error(run([PREPAY, "tariff", "frobnicate", "--json"]), "prepay tariff", 2, "unknown subcommand")
        self.assert_error(run([PREPAY, "dlt645", "--json"]), "prepay dlt645", 2, "no subcommand")
        # Writing to a full device is a failure of the operation, said once.
        if os.path.exists("/dev/full"):
            with open("/dev/full", "w") as full:
                result = subprocess.run([PREPAY, "dlt645", "catalogue"], stdout=full, stderr=subprocess.PIPE,
                                        text=True, timeout=TIMEOUT)
            self.assertEqual(result.returncode, 1)
            self.assertIn("No space left on device", result.stderr)

    # ---- prepay-emu ------------------------------------------------------------------------------------

    def serve(self, args, cwd=None, stdin_text=None):
        """Starts prepay-emu; returns the process once its ready file exists (or it exited)."""
        ready = os.path.join(self.tmp.name, "ready-%d" % time.monotonic_ns())
        proc = subprocess.Popen([EMU, *args, "--ready-file=" + ready, "--exit-with-parent"], cwd=cwd,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if stdin_text is not None:
            proc.stdin.write(stdin_text)
        proc.stdin.close()
        proc.stdin = None  # written and closed: communicate() must not touch it
        deadline = time.monotonic() + TIMEOUT
        while not os.path.exists(ready) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return proc

    def stop(self, proc):
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=TIMEOUT)
        return proc.returncode, out, err

    def test_emulator(self):
        self.assertTrue(run([EMU, "--help"]).stdout.startswith("usage: prepay-emu "))
        self.assertEqual(run([EMU, "--version"]).stdout, "prepay-emu " + self.version + "\n")
        self.assert_error(run([EMU, self.fx.site, "--bus-port=70000", "--json"]), "prepay-emu", 2, "bad port")
        # --opt=value and --json: the listening line is a JSON object.
        proc = self.serve([self.fx.site, "--bus-port=0", "--json"])
        code, out, err = self.stop(proc)
        self.assertEqual(code, 0, err)
        lines = [json.loads(line) for line in out.splitlines()]
        self.assertEqual((lines[0]["ok"], lines[0]["event"], lines[0]["meters"]), (True, "listening", 4))
        self.assertGreater(lines[0]["bus_port"], 0)
        # The site from stdin: its tariff path is relative to the working directory.
        proc = self.serve(["-", "--bus-port", "0", "--quiet"], cwd=os.path.dirname(self.fx.site),
                          stdin_text=self.fx.read(self.fx.site))
        code, out, err = self.stop(proc)
        self.assertEqual(code, 0, err)
        bad_site = self.fx.read(self.fx.site).replace('"purse": "5.00"', '"purs": "5.00"')
        result = run([EMU, "-", "--json"], stdin=bad_site, cwd=os.path.dirname(self.fx.site))
        self.assert_error(result, "prepay-emu", 2, "bad site")
        self.assertIn("<stdin>: $.meters[1].purs: unknown member", result.stderr)
        # A port already taken: the operation fails, exit 1.
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            self.assert_error(run([EMU, self.fx.site, "--bus-port=%d" % port, "--json"]), "prepay-emu", 1,
                              "port in use")


if __name__ == "__main__":
    PREPAY, EMU, ROOT = (os.path.abspath(a) for a in sys.argv[1:4])
    del sys.argv[1:4]
    unittest.main()
