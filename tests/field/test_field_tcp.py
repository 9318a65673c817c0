# SPDX-License-Identifier: MIT
"""prepay meter over loopback TCP against prepay-emu: every command, a push-tariff
+ verify-tariff round trip after which the meters' own deductions over a
30-day emulated month equal the station's batch bill to the fen, batches,
and the exit codes of bad input.

usage: test_field_tcp.py PREPAY PREPAY_EMU
"""
import csv
import decimal
import json
import os
import sys
import tempfile
import unittest

import fieldlib
from fieldlib import DATA, Emulator, meter, run, values

TOOL = EMU = None


class Commands(unittest.TestCase):
    """Each command once on a four-meter bus."""

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator(EMU, os.path.join(DATA, "month.json"), "--bus-port", "0")
        cls.link = ["--tcp", "127.0.0.1:%d" % cls.emu.port]

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def m(self, *args):
        return meter(TOOL, self.link, *args)

    def test_read_names_dis_blocks_and_1997(self):
        r = self.m("--address", "000000000101", "--json", "read", "energy", "balance", "voltage", "power", "pf",
                   "frequency", "nameplate", "9010", "B611", "0001FF00")
        self.assertEqual(r.code, 0, r)
        v = values(r)
        m = "000000000101"
        self.assertEqual(v[(m, "00900200")], "8000.00")
        self.assertEqual(v[(m, "02010100")], "220.0")          # three-phase meter: every phase at 220 V
        self.assertEqual(v[(m, "02010300")], "220.0")
        self.assertEqual(v[(m, "02030000")], "5.0000")         # 5 kW load
        self.assertEqual(v[(m, "02060000")], "0.900")
        self.assertEqual(v[(m, "02800002")], "50.00")
        self.assertEqual(v[(m, "04000404")], "220V")           # nameplate, ASCII sent last character first
        self.assertEqual(v[(m, "0400040D")], "DL/T645-2007")
        self.assertEqual(v[(m, "04000409")], "1200")
        self.assertEqual(v[(m, "9010")], "0.00")               # a DL/T 645-1997 read
        self.assertEqual(v[(m, "B611")], "220")
        self.assertEqual(v[(m, "00010100")], "0.00")           # the block, split by tariff
        obj = r.json_lines()[0]
        names = {x["di"]: x["name"] for x in obj["values"] if "di" in x}
        self.assertEqual(names["00010000"], "forward active energy, total, current")
        units = {x["di"]: x["unit"] for x in obj["values"] if "di" in x}
        self.assertEqual(units["00900200"], "yuan")
        # Text output: one line per value.
        r = self.m("--address", "000000000102", "read", "balance")
        self.assertEqual(r.code, 0, r)
        self.assertIn("000000000102  00900200  remaining amount = 8000.00 yuan", r.out)

    def test_read_address_and_discover_on_a_bus_of_one(self):
        emu = Emulator(EMU, os.path.join(DATA, "one.json"), "--bus-port", "0")
        try:
            link = ["--tcp", "127.0.0.1:%d" % emu.port]
            r = meter(TOOL, link, "read-address")
            self.assertEqual(r.code, 0, r)
            self.assertIn("address = 000000000201", r.out)
            r = meter(TOOL, link, "--json", "discover")
            self.assertEqual(r.code, 0, r)
            self.assertEqual(json.loads(r.out)["meters"], ["000000000201"])
            # Without --address the one meter is found first.
            r = meter(TOOL, link, "read", "rated-current")
            self.assertEqual(r.code, 0, r)
            self.assertIn("rated current (basic current) = 10A", r.out)
        finally:
            emu.stop()
        # Four meters answer a read-address at once: their replies collide.
        r = self.m("read-address")
        self.assertEqual(r.code, 1, r)
        self.assertIn("several meters answer", r.err)

    def test_relay_write_freeze_events_time(self):
        a = ["--address", "000000000103"]
        r = self.m(*a, "relay", "keep-power")
        self.assertEqual(r.code, 0, r)
        r = self.m(*a, "relay", "trip")
        self.assertEqual(r.code, 1, r)                      # keep-power blocks a trip: abnormal reply
        self.assertIn("000000000103: relay trip (1C 1A) refused: error 01 (other error)", r.err)
        self.assertEqual(len(r.err.strip().splitlines()), 1)
        r = self.m(*a, "relay", "keep-power-release")
        self.assertEqual(r.code, 0, r)
        r = self.m(*a, "--json", "relay", "trip")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(values(r)[("000000000103", "04000503")], "open")
        r = self.m(*a, "relay", "close", "--valid-until", "2027-01-01 01:00")
        self.assertEqual(r.code, 0, r)
        self.assertIn("relay = closed", r.out)
        # A relay command without a valid-until time: the reference meter refuses it (docs/meter.md).
        r = self.m(*a, "relay", "trip", "--valid-until", "none")
        self.assertEqual(r.code, 1, r)
        self.assertIn("refused", r.err)
        # Write a purse parameter and read it back.
        r = self.m(*a, "write", "04001001", "25.00")
        self.assertEqual(r.code, 0, r)
        self.assertIn("alarm amount 1 = 25.00 yuan", r.out)
        # Wrong password: refused, one line.
        r = self.m(*a, "--password", "123456", "write", "04001001", "30.00")
        self.assertEqual(r.code, 1, r)
        self.assertIn("password wrong or unauthorised", r.err)
        r = self.m(*a, "freeze")
        self.assertEqual(r.code, 0, r)
        r = self.m(*a, "--json", "read", "05010001")
        self.assertEqual(r.code, 0, r)
        self.assertEqual(values(r)[("000000000103", "05010001")], "2027-01-01 00:00")
        r = self.m(*a, "--json", "events")
        self.assertEqual(r.code, 0, r)
        v = values(r)
        self.assertEqual(v[("000000000103", "03300000")], "1")    # programming: the one accepted write
        self.assertEqual(v[("000000000103", "1D000001")], "1")    # one trip
        self.assertEqual(v[("000000000103", "1E000001")], "1")    # one close
        # Addressed time sync writes date and time; the meter reads it back.
        r = self.m(*a, "time-sync", "--addressed", "--time", "2027-01-01 00:00:30")
        self.assertEqual(r.code, 0, r)
        r = self.m(*a, "--json", "read", "date", "time")
        self.assertEqual(values(r)[("000000000103", "04000102")], "00:00:30")

    def test_recharge_and_the_purchase_count(self):
        a = ["--address", "000000000104"]
        r = self.m(*a, "--json", "read", "purchase-count")
        self.assertEqual(values(r)[("000000000104", "03330201")], "1")   # the site's opening purse
        r = self.m(*a, "recharge", "12.34", "--count", "2")
        self.assertEqual(r.code, 0, r)
        self.assertIn("12.34 yuan credited as purchase 2", r.out)
        self.assertIn("remaining amount = 8012.34 yuan", r.out)
        r = self.m(*a, "recharge", "12.34", "--count", "2")           # a repeat: nothing credited
        self.assertEqual(r.code, 0, r)
        self.assertIn("already credited", r.out)
        r = self.m(*a, "recharge", "5.00", "--count", "7")            # not the next count: nothing written
        self.assertEqual(r.code, 1, r)
        self.assertIn("does not follow the meter's count 2", r.err)
        r = self.m(*a, "--json", "read", "balance")
        self.assertEqual(values(r)[("000000000104", "00900200")], "8012.34")
        r = self.m(*a, "recharge", "5.00")
        self.assertEqual(r.code, 2, r)
        self.assertIn("--count", r.err)

    def test_bad_input_exits_2_and_sends_nothing(self):
        cases = [
            (["read", "energy"], "give the bus"),
            (self.link + ["--address", "12345", "read", "energy"], "12 digits"),
            (self.link + ["read", "bogus-name"], "neither a DI"),
            (self.link + ["relay", "explode"], "not a relay command"),
            (["--serial", "/dev/null:300", "read", "energy"], "settings"),
            (self.link + ["--serial", "/dev/null", "read", "energy"], "give one bus"),
            (self.link + ["write", "04001001", "abc"], "write 04001001"),
            (self.link + ["frobnicate"], "unknown subcommand"),
            (self.link + ["--timeout", "0", "read", "energy"], "--timeout"),
            (self.link + ["--address", "000000000101", "push-tariff",
                          os.path.join(fieldlib.ROOT, "examples/tariffs/guangzhou_residential_tou.json")],
             "cannot hold this tariff"),
            (self.link + ["--address", "000000000101", "push-tariff", "/no/such/tariff.json"], "tariff.json"),
            (self.link + ["batch", "/no/such/site.csv", "read", "energy"], "site.csv"),
        ]
        for args, text in cases:
            r = run(TOOL, "meter", *args)
            self.assertEqual(r.code, 2, (args, r))
            self.assertIn(text, r.err, (args, r))
            self.assertEqual(len(r.err.strip().splitlines()), 1, r)
        # The refused push wrote nothing: set 2 still holds the site's tariff.
        r = self.m("--address", "000000000101", "verify-tariff", "--set", "2",
                   os.path.join(fieldlib.ROOT, "examples/tariffs/zhejiang_residential_tou.json"))
        self.assertEqual(r.code, 0, r)
        self.assertIn("no differences", r.out)

    def test_a_connection_refused_is_a_field_failure(self):
        r = meter(TOOL, ["--tcp", "127.0.0.1:%d" % fieldlib.free_port()], "read", "energy")
        self.assertEqual(r.code, 1, r)
        self.assertIn("Connection refused", r.err)


class Month(unittest.TestCase):
    """push-tariff, verify-tariff, then 30 emulated days: each meter's own
    deduction equals the station's bill of its readings with the pushed
    tariff, to the fen."""

    def test_pushed_tariff_bills_alike_for_a_month(self):
        emu = Emulator(EMU, os.path.join(DATA, "month.json"), "--bus-port", "0")
        try:
            self.run_month(["--tcp", "127.0.0.1:%d" % emu.port])
        finally:
            emu.stop()

    def run_month(self, link):
        tariff = os.path.join(DATA, "push_tariff.json")
        work = tempfile.mkdtemp(prefix="prepay-month-")
        site = os.path.join(work, "site.csv")
        meters = ["000000000101", "000000000102", "000000000103", "000000000104"]
        with open(site, "w") as f:
            f.write("address\n" + "\n".join(meters) + "\n")
        # Not yet on the meters: differences, exit 1.
        r = meter(TOOL, link, "--address", meters[0], "verify-tariff", tariff)
        self.assertEqual(r.code, 1, r)
        self.assertIn("price of tariff 2", r.out)
        # Pushed to every meter by a batch; then verified by another.
        results = os.path.join(work, "push.json")
        r = meter(TOOL, link, "batch", site, "--results", results, "push-tariff", tariff)
        self.assertEqual(r.code, 0, r)
        with open(results) as f:
            pushed = json.load(f)
        self.assertEqual([p["status"] for p in pushed], ["ok"] * 4)
        r = meter(TOOL, link, "batch", site, "verify-tariff", tariff)
        self.assertEqual(r.code, 0, r)
        self.assertEqual(r.out.count("no differences"), 4, r)

        def batch_read(what, day):
            out = os.path.join(work, "%s-%02d.csv" % (what, day))
            r = meter(TOOL, link, "batch", site, "--results", out, "read", what)
            self.assertEqual(r.code, 0, r)
            with open(out) as f:
                return {row["meter"]: row["value"] for row in csv.DictReader(f)}

        balance_before = batch_read("balance", 0)
        registers = {m: [] for m in meters}
        for day in range(0, 31):
            if day > 0:
                r = meter(TOOL, link, "time-sync", "--time", "2027-01-%02d 00:00:00" % (day + 1))
                self.assertEqual(r.code, 0, r)
            read = batch_read("energy", day)
            for m in meters:
                registers[m].append(("2027-01-%02d 00:00" % (day + 1), read[m]))
        balance_after = batch_read("balance", 30)
        for m in meters:
            readings = os.path.join(work, "readings-%s.csv" % m)
            with open(readings, "w") as f:
                f.write("timestamp,register\n")
                for when, kwh in registers[m]:
                    f.write("%s,%s\n" % (when, kwh))
            r = run(TOOL, "tariff", "bill", tariff, readings, "--json")
            self.assertEqual(r.code, 0, r)
            bill = json.loads(r.out)
            deducted = fen(balance_before[m]) - fen(balance_after[m])
            self.assertEqual(deducted, fen(bill["total"]), (m, balance_before[m], balance_after[m], bill["total"]))
        # The 5 kW meter crossed the 2000 kWh step on day 17: both tiers were billed.
        self.assertEqual(registers["000000000101"][-1][1], "3600.00")


def fen(text):
    """Minor units of a decimal yuan string, exactly."""
    return int(decimal.Decimal(text) * 100)


def main():
    global TOOL, EMU
    TOOL, EMU = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)


if __name__ == "__main__":
    main()
