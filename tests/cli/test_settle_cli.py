#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`prepay settle` on the worked example examples/sites/settle (docs/settlement.md, "The prepay settle command").

Usage: test_settle_cli.py PREPAY REPO_ROOT

Expected values worked by hand from the site file (flat 0.50 yuan/kWh; policy alarm 10.00 / 5.00,
no overdraft), never taken from the program's output:
- account 1 (remote, 20.00 opening): meter 11 reads 100 -> 120 -> 130 kWh: 30 kWh = 15.00 yuan;
  common-area share 2.00 (below) -> balance 20.00 - 15.00 - 2.00 = 3.00, no debt; alarm level 2
  (3.00 <= 5.00), relay closed (above zero).
- account 2 (remote, 5.00 opening): meter 12 reads 50 -> 62 -> 64 kWh: 12 kWh = 6.00 of which the wallet
  takes 5.00 and 1.00 is debt; then 2 kWh = 1.00, all debt; share 2.00, all debt -> balance 0.00,
  debt 4.00; cut off (relay open).
- account 3 (postpaid): meter 13 reads 0 -> 40 kWh = 20.00 owed, share 4.00 -> 24.00 owed.
- the incomer (meter 90) reads 1000 -> 1100 kWh; rooms 30 + 14 + 40 = 84 kWh; common area 16 kWh =
  8.00 yuan, split by area 50 : 50 : 100 m2 = 2.00 / 2.00 / 4.00.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

PREPAY = ROOT = None
TIMEOUT = 120  # generous; never the thing measured

EXPECTED = {
    1: dict(kind="remote", energy_kwh="30.000", energy="15.00", common_area="2.00", balance="3.00", debt="0.00",
            alarm_level=2, relay="closed", recharged="20.00"),
    2: dict(kind="remote", energy_kwh="14.000", energy="7.00", common_area="2.00", balance="0.00", debt="4.00",
            relay="open", recharged="5.00"),
    3: dict(kind="postpaid", energy_kwh="40.000", energy="20.00", common_area="4.00", debt="24.00",
            recharged="0.00"),
}


class SettleCli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="settle-cli-")
        self.example = os.path.join(ROOT, "examples", "sites", "settle")
        self.site = os.path.join(self.example, "site.json")
        self.readings = os.path.join(self.example, "readings.csv")
        self.journal = os.path.join(self.dir, "site.journal")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_settle(self, *extra, site=None, readings=None):
        argv = [PREPAY, "settle", site or self.site, readings or self.readings, "--journal", self.journal, "--json"]
        return subprocess.run(argv + list(extra), capture_output=True, text=True, timeout=TIMEOUT)

    def accounts(self, result):
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        self.assertTrue(out["ok"])
        return out, {a["account"]: a for a in out["accounts"]}

    def check_books(self, accounts):
        for account, expected in EXPECTED.items():
            for key, value in expected.items():
                self.assertEqual(accounts[account][key], value, "account %d %s" % (account, key))

    def test_worked_example_and_rerun(self):
        events = os.path.join(self.dir, "events.csv")
        report = os.path.join(self.dir, "report.csv")
        out, accounts = self.accounts(self.run_settle("--close", "--events", events, "--report", report))
        self.check_books(accounts)
        self.assertEqual(out["readings"], 10)
        self.assertGreater(out["transfers"], 0)
        self.assertEqual(out["existed"], 0)
        with open(events, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        kinds = [(r["account"], r["event"]) for r in rows]
        self.assertIn(("2", "cutoff"), kinds)
        self.assertIn(("2", "debt_created"), kinds)
        self.assertIn(("3", "statement"), kinds)
        shares = sorted((r["account"], r["amount_yuan"]) for r in rows if r["event"] == "share")
        self.assertEqual(shares, [("1", "2.00"), ("2", "2.00"), ("3", "4.00")])
        with open(report, encoding="utf-8") as f:
            first_report = f.read()
        # The same inputs on the same journal: every transfer is found, the books and files are the same.
        again, accounts2 = self.accounts(self.run_settle("--close", "--events", events + "2", "--report", report + "2"))
        self.assertEqual(again["transfers"], 0)
        self.assertEqual(again["existed"], out["transfers"])
        self.assertEqual(accounts2, accounts)
        with open(report + "2", encoding="utf-8") as f:
            self.assertEqual(f.read(), first_report)
        with open(events, encoding="utf-8") as f, open(events + "2", encoding="utf-8") as g:
            self.assertEqual(f.read(), g.read())

    def test_without_close_no_shares(self):
        _, accounts = self.accounts(self.run_settle())
        self.assertEqual(accounts[1]["balance"], "5.00")  # 20.00 - 15.00
        self.assertEqual(accounts[2]["debt"], "2.00")  # 1.00 + 1.00, no share yet
        self.assertEqual(accounts[3]["common_area"], "0.00")

    def assert_refused(self, result, words):
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        for w in words:
            self.assertIn(w, result.stderr)
        error = json.loads(result.stdout)
        self.assertFalse(error["ok"])
        self.assertEqual(error["error"]["exit"], 2)
        self.assertEqual(os.listdir(self.dir), [], "a refused run must create no file")

    def assert_extra_reading_refused(self, line, words):
        """The example's readings with `line` added are refused with a message holding `words`."""
        readings = os.path.join(tempfile.mkdtemp(prefix="settle-in-"), "r.csv")
        with open(self.readings, encoding="utf-8") as f:
            text = f.read() + line
        with open(readings, "w", encoding="utf-8") as f:
            f.write(text)
        try:
            self.assert_refused(self.run_settle(readings=readings), words)
        finally:
            shutil.rmtree(os.path.dirname(readings))

    def test_unknown_meter(self):
        self.assert_extra_reading_refused("77,2026-12-01 00:00,1.000\n", ["unknown meter", "\"77\"", ":12:"])

    def test_a_field_with_a_line_break_is_quoted_on_one_line(self):
        """A quoted CSV field may hold a line break (RFC 4180): the message escapes it."""
        self.assert_extra_reading_refused('"7\n7",2026-12-01 00:00,1.000\n', ["unknown meter", "\"7\\n7\""])

    def test_contradicting_sites(self):
        with open(self.site, encoding="utf-8") as f:
            site = json.load(f)
        cases = []
        bad = json.loads(json.dumps(site))
        bad["accounts"][0]["tariff"] = "no\npe"  # a name from the file, escaped: one line
        cases.append((bad, ["$.accounts[0]", "unknown tariff \"no\\npe\""]))
        bad = json.loads(json.dumps(site))
        bad["meters"][2]["account"] = 9
        cases.append((bad, ["$.meters[2]", "unknown account 9"]))
        bad = json.loads(json.dumps(site))
        bad["meters"].append({"id": 11, "account": 1})
        cases.append((bad, ["meter 11 is defined twice"]))
        bad = json.loads(json.dumps(site))
        bad["accounts"][0]["tariff"] = "nope"
        cases.append((bad, ["$.accounts[0]", "unknown tariff \"nope\""]))
        bad = json.loads(json.dumps(site))
        bad["groups"][0]["members"].append(90)
        cases.append((bad, ["$.groups[0]", "group 1"]))
        bad = json.loads(json.dumps(site))
        bad["period"]["end"] = "2026-10-01"
        cases.append((bad, ["$.period.end"]))
        for doc, words in cases:
            scratch = tempfile.mkdtemp(prefix="settle-site-")
            try:
                shutil.copy(os.path.join(self.example, "flat_0.50.json"), scratch)
                path = os.path.join(scratch, "site.json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(doc, f)
                with self.subTest(words=words):
                    self.assert_refused(self.run_settle(site=path), words)
            finally:
                shutil.rmtree(scratch)


def order_id(account, number):
    """The order id of docs/settlement.md section 4 worked by hand: the ledger key of kind 16 (ORDER_PENDING),
    subject the account, period (low 32 bits) the order number: 16 << 59 | account << 32 | number."""
    return 16 << 59 | account << 32 | number


# Payments on the worked example, by hand: account 2 (5.00 opening) pays an order of 30.00 on 11-05 (the
# channel sends the notify twice: credited once) -> 35.00; 11-10 12 kWh = 6.00 -> 29.00; a refund of 5.00
# on 11-20 -> 24.00; 12-01 2 kWh = 1.00 -> 23.00, share 2.00 -> 21.00, no debt, alarm level 0 (above
# 10.00). Account 1's order of 10.00 fails: nothing credited, a payment_failed notification; its order of
# 50.00 is never paid (the channel says "waiting"): expired at the period end, nothing credited.
PAYMENTS = """type,account,number,amount_yuan,time,detail
order,2,1,30.00,2026-11-05 09:00,2026-11-06 09:00
notify,2,1,30.00,2026-11-05 09:01,paid
notify,2,1,30.00,2026-11-05 10:00,paid
order,1,1,10.00,2026-11-06 09:00,2026-11-07 09:00
notify,1,1,10.00,2026-11-06 09:05,failed
refund,2,1,5.00,2026-11-20 12:00,1
order,1,2,50.00,2026-11-25 09:00,2026-11-26 09:00
notify,1,2,50.00,2026-11-25 09:30,waiting
"""


class SettlePayments(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="settle-pay-")
        self.inputs = tempfile.mkdtemp(prefix="settle-pay-in-")
        self.example = os.path.join(ROOT, "examples", "sites", "settle")
        self.journal = os.path.join(self.dir, "site.journal")

    def tearDown(self):
        shutil.rmtree(self.dir)
        shutil.rmtree(self.inputs)

    def write(self, name, text):
        path = os.path.join(self.inputs, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_settle(self, *extra):
        argv = [PREPAY, "settle", os.path.join(self.example, "site.json"), os.path.join(self.example, "readings.csv"),
                "--journal", self.journal, "--json", "--close"]
        return subprocess.run(argv + list(extra), capture_output=True, text=True, timeout=TIMEOUT)

    def test_payments_outbox_statement(self):
        payments = self.write("payments.csv", PAYMENTS)
        statement = self.write("statement.csv", "order_id,amount,status,time\n"
                               f"{order_id(2, 1)},30.00,PAID,2026-11-05 09:01:00\n"
                               f"{order_id(1, 1)},10.00,PAID,2026-11-06 09:05:00\n")
        outbox = os.path.join(self.dir, "outbox.csv")
        result = self.run_settle("--payments", payments, "--statement", statement, "--outbox", outbox)
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        accounts = {a["account"]: a for a in out["accounts"]}
        self.assertEqual((accounts[2]["balance"], accounts[2]["recharged"], accounts[2]["debt"],
                          accounts[2]["alarm_level"]), ("21.00", "35.00", "0.00", 0))
        self.assertEqual((accounts[1]["balance"], accounts[1]["recharged"]), ("3.00", "20.00"))
        self.assertEqual((out["payments"], out["payment_repeats"], out["orders_expired"]), (8, 1, 1))
        rec = out["reconciliation"]
        self.assertEqual((rec["matched"], rec["matched_amount"], rec["missing_in_ledger"], rec["missing_in_statement"],
                          rec["amount_differs"]), (1, "30.00", 1, 0, 0))
        self.assertIn({"order": str(order_id(1, 1)), "match": "missing_in_ledger", "ledger": "0.00",
                       "statement": "10.00"}, rec["lines"])
        with open(outbox, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(out["outbox"], len(rows))
        by = [(r["account"], r["event"], r["amount_yuan"], r["balance_yuan"]) for r in rows]
        self.assertIn(("1", "payment_failed", "10.00", "20.00"), by)
        self.assertIn(("2", "refund", "5.00", "24.00"), by)
        self.assertEqual([b for b in by if b[:2] == ("2", "recharge")],
                         [("2", "recharge", "5.00", "5.00"), ("2", "recharge", "30.00", "35.00")])
        self.assertEqual(len({r["key"] for r in rows}), len(rows))  # dedupe keys are unique
        self.assertTrue(all(r["key"][32] == "-" and len(r["key"]) == 34 for r in rows))
        with open(outbox, encoding="utf-8") as f:
            first = f.read()
        # The same inputs again: nothing posted, the same outbox.
        again = self.run_settle("--payments", payments, "--outbox", outbox + "2")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual((json.loads(again.stdout)["transfers"], json.loads(again.stdout)["orders_expired"]), (0, 0))
        with open(outbox + "2", encoding="utf-8") as f:
            self.assertEqual(f.read(), first)

    def assert_refused(self, result, words):
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        for w in words:
            self.assertIn(w, result.stderr)
        self.assertEqual(os.listdir(self.dir), [], "a refused run must create no file")

    def test_bad_payments_change_nothing(self):
        cases = [
            (PAYMENTS.replace("notify,2,1,30.00,2026-11-05 10:00", "notify,2,1,31.00,2026-11-05 10:00"),
             [":4:", "amount", "30.00", "31.00"]),
            (PAYMENTS + "notify,2,9,1.00,2026-11-21 00:00,paid\n", [":10:", "order 9 of account 2"]),
            (PAYMENTS + "refund,2,2,100.00,2026-11-21 00:00,\n", [":10:", "refund", "refundable"]),
            (PAYMENTS + "refund,2,1,5.01,2026-11-21 00:00,1\n", [":10:", "refund"]),  # the same refund, another amount
            (PAYMENTS + "order,7,1,1.00,2026-11-21 00:00,2026-11-22 00:00\n", [":10:", "account 7"]),
            (PAYMENTS + "bill,2,1,1.00,2026-11-21 00:00,paid\n", [":10:", "order, notify, refund or sale"]),
            (PAYMENTS + "notify,2,1,1.00,2026-11-21 00:00,maybe\n", [":10:", "paid, failed or waiting"]),
            (PAYMENTS + "notify,2,1,1.001,2026-11-21 00:00,paid\n", [":10:", "amount"]),
        ]
        for text, words in cases:
            with self.subTest(words=words):
                self.assert_refused(self.run_settle("--payments", self.write("p.csv", text)), words)
        bad = self.write("s.csv", f"{order_id(2, 1)},30.00,PAID\n")
        self.assert_refused(self.run_settle("--statement", bad), ["s.csv:1"])



# Sales to the purse of a local account's meter (docs/settlement.md section 3, prepay_settlement_sell()), by
# hand: account 4 (local, 50.00 opening, its meter 14 not read) buys 20.00 of water (the meter's purchase 17)
# and 10.00 of electricity for its meter's purse -> wallet 50.00 - 30.00 = 20.00, sold 30.00, recharged 50.00.
SALES = """type,account,number,amount_yuan,time,detail
sale,4,1,20.00,2026-11-10 12:00,water:17
sale,4,2,10.00,2026-11-12 12:00,electricity
"""


class SettleSales(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="settle-sale-")
        self.inputs = tempfile.mkdtemp(prefix="settle-sale-in-")
        example = os.path.join(ROOT, "examples", "sites", "settle")
        with open(os.path.join(example, "site.json"), encoding="utf-8") as f:
            site = json.load(f)
        site["accounts"].append({"id": 4, "kind": "local", "policy": "default", "tariff": "flat", "recharge": "50.00"})
        site["meters"].append({"id": 14, "account": 4})
        for name in os.listdir(example):
            if name != "site.json":
                shutil.copy(os.path.join(example, name), self.inputs)
        self.site = self.write("site.json", json.dumps(site))
        self.readings = os.path.join(self.inputs, "readings.csv")
        self.journal = os.path.join(self.dir, "site.journal")

    def tearDown(self):
        shutil.rmtree(self.dir)
        shutil.rmtree(self.inputs)

    def write(self, name, text):
        path = os.path.join(self.inputs, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_settle(self, payments, *extra):
        argv = [PREPAY, "settle", self.site, self.readings, "--journal", self.journal, "--json",
                "--payments", self.write("sales.csv", payments)]
        return subprocess.run(argv + list(extra), capture_output=True, text=True, timeout=TIMEOUT)

    def test_sales_booked_once(self):
        events = os.path.join(self.dir, "events.csv")
        report = os.path.join(self.dir, "report.csv")
        result = self.run_settle(SALES, "--events", events, "--report", report)
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        a = {x["account"]: x for x in out["accounts"]}[4]
        self.assertEqual((a["kind"], a["recharged"], a["sold"], a["balance"], a["debt"]),
                         ("local", "50.00", "30.00", "20.00", "0.00"))
        self.assertEqual(out["payments"], 2)
        with open(events, encoding="utf-8") as f:
            sales = [(r["account"], r["amount_yuan"], r["balance_yuan"]) for r in csv.DictReader(f)
                     if r["event"] == "sale"]
        self.assertEqual(sales, [("4", "20.00", "30.00"), ("4", "10.00", "20.00")])
        with open(report, encoding="utf-8") as f:
            rows = {r["account"]: r for r in csv.DictReader(f)}
        self.assertEqual((rows["4"]["sold_yuan"], rows["4"]["balance_yuan"]), ("30.00", "20.00"))
        self.assertEqual(rows["1"]["sold_yuan"], "0.00")
        # The same inputs again: every sale is found in the journal, nothing is posted twice.
        again = self.run_settle(SALES)
        self.assertEqual(again.returncode, 0, again.stderr)
        out = json.loads(again.stdout)
        self.assertEqual(out["transfers"], 0)
        a = {x["account"]: x for x in out["accounts"]}[4]
        self.assertEqual((a["sold"], a["balance"]), ("30.00", "20.00"))

    def test_bad_sales_change_nothing(self):
        cases = [
            (SALES + "sale,1,1,1.00,2026-11-13 00:00,water\n", [":4:", "sale 1 of account 1", "local account"]),  # remote
            (SALES + "sale,4,3,20.01,2026-11-13 00:00,water\n", [":4:", "sale 3 of account 4"]),  # beyond the wallet
            (SALES + "sale,4,5,1.00,2026-11-13 00:00,water\n", [":4:", "sale 5"]),  # a gap in the sequence
            (SALES + "sale,4,2,11.00,2026-11-13 00:00,electricity\n", [":4:", "sale 2"]),  # a repeat, another amount
            (SALES + "sale,4,3,1.00,2026-11-13 00:00,gas\n", [":4:", "water or electricity"]),
            (SALES + "sale,4,3,1.00,2026-11-13 00:00,water:x\n", [":4:", "purchase number"]),
            (SALES + "sale,9,1,1.00,2026-11-13 00:00,water\n", [":4:", "account 9"]),
        ]
        for text, words in cases:
            with self.subTest(words=words):
                result = self.run_settle(text)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
                for w in words:
                    self.assertIn(w, result.stderr)
                self.assertEqual(os.listdir(self.dir), [], "a refused run must create no file")


if __name__ == "__main__":
    PREPAY, ROOT = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]], verbosity=2)
