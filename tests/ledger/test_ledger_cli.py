#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of `prepay ledger` over a journal file.

Usage: test_ledger_cli.py PATH_TO_PREPAY_TOOL

Expected values are worked out by hand from the commands (amounts in yuan,
balances = recharges - deductions - refunds), never taken from the tool.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOOL = None


class LedgerCli(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="prepay-ledger-cli-")
        self.journal = os.path.join(self.dir, "ledger.journal")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_tool(self, *args, json_output=False):
        argv = [TOOL, "ledger", "--journal", self.journal]
        if json_output:
            argv.append("--json")
        argv += list(args)
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    def ok_json(self, *args):
        result = self.run_tool(*args, json_output=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stdout)
        doc = json.loads(lines[0])
        self.assertIs(doc["ok"], True)
        return doc

    def open_wallet(self, account="1001", *extra):
        return self.ok_json("open", account, "--kind", "wallet", *extra)

    def test_recharge_is_idempotent(self):
        self.open_wallet()
        first = self.ok_json("recharge", "1001", "12.34", "--payment-id", "WX-0001")
        self.assertEqual(first["result"], "ok")
        self.assertEqual(first["balance"], "12.34")
        size = os.path.getsize(self.journal)
        again = self.ok_json("recharge", "1001", "12.34", "--payment-id", "WX-0001")
        self.assertEqual(again["result"], "exists")
        self.assertEqual(again["balance"], "12.34")
        self.assertEqual(os.path.getsize(self.journal), size, "a retry must write nothing")
        text = self.run_tool("recharge", "1001", "12.34", "--payment-id", "WX-0001")
        self.assertEqual(text.returncode, 0)
        self.assertIn("exists", text.stdout)
        self.assertEqual(self.ok_json("balance", "1001")["balance"], "12.34")
        # Same payment id, different amount: refused, nothing changes.
        diff = self.run_tool("recharge", "1001", "20.00", "--payment-id", "WX-0001")
        self.assertEqual(diff.returncode, 1)
        self.assertEqual(self.ok_json("balance", "1001")["balance"], "12.34")

    def test_json_keys_of_every_command(self):
        doc = self.open_wallet("7", "--overdraft", "5", "--max-balance", "1000")
        self.assertEqual({"ok", "command", "account", "kind", "result"} - doc.keys(), set())
        self.assertEqual((doc["command"], doc["account"], doc["kind"], doc["result"]), ("open", 7, "wallet", "created"))
        doc = self.ok_json("recharge", "7", "100", "--payment-id", "42", "--time", "2026-11-03T10:00")
        self.assertEqual({"ok", "command", "account", "amount", "id", "result", "balance", "available"} - doc.keys(), set())
        self.assertEqual((doc["amount"], doc["id"], doc["balance"]), ("100.00", 42, "100.00"))
        doc = self.ok_json("deduct", "7", "30.25", "--item", "electricity", "--id", "43", "--meter", "9",
                           "--from", "2026-11-03", "--to", "2026-11-04", "--time", "2026-11-04T00:00")
        self.assertEqual((doc["command"], doc["balance"]), ("deduction", "69.75"))
        doc = self.ok_json("deduct", "7", "0.75", "--item", "water", "--id", "44", "--time", "2026-12-01")
        self.assertEqual(doc["balance"], "69.00")
        doc = self.ok_json("refund", "7", "9.00", "--id", "45", "--time", "2026-12-02")
        self.assertEqual((doc["command"], doc["balance"]), ("refund", "60.00"))
        doc = self.ok_json("balance", "7")
        self.assertEqual({"ok", "command", "account", "balance", "available", "credits_posted", "debits_posted",
                          "credits_pending", "debits_pending"} - doc.keys(), set())
        self.assertEqual((doc["balance"], doc["credits_posted"], doc["debits_posted"]), ("60.00", "100.00", "40.00"))
        doc = self.ok_json("history", "7")
        self.assertEqual([t["id"] for t in doc["transfers"]], [42, 43, 44, 45])
        self.assertEqual([t["direction"] for t in doc["transfers"]], ["credit", "debit", "debit", "debit"])
        self.assertEqual(doc["transfers"][1]["meter"], 9)
        self.assertEqual({"id", "time", "code", "direction", "amount", "counterparty"} - doc["transfers"][0].keys(),
                         set())
        doc = self.ok_json("summary", "--by", "month")
        self.assertEqual((doc["recharge_count"], doc["recharge_sum"], doc["refund_count"], doc["refund_sum"]),
                         (1, "100.00", 1, "9.00"))
        rows = {(r["period"], r["item"]): r["income"] for r in doc["rows"]}
        self.assertEqual(rows, {("2026-11", "electricity"): "30.25", ("2026-12", "water"): "0.75"})
        doc = self.ok_json("summary", "--by", "year", "--from", "2026-12-01", "--to", "2027-01-01")
        self.assertEqual([(r["period"], r["income"]) for r in doc["rows"]], [("2026", "0.75")])
        doc = self.ok_json("verify")
        self.assertEqual({"ok", "command", "accounts", "transfers", "batches", "records", "snapshot_sequence",
                          "last_sequence", "truncated_bytes"} - doc.keys(), set())
        # wallet, clearing, electricity revenue, water revenue, refunds payable
        self.assertEqual((doc["accounts"], doc["transfers"]), (5, 4))

    def test_overdraft_and_limits(self):
        self.open_wallet("5", "--overdraft", "10", "--max-balance", "50")
        self.assertEqual(self.ok_json("deduct", "5", "10", "--item", "electricity", "--id", "1")["balance"], "-10.00")
        over = self.run_tool("deduct", "5", "0.01", "--item", "electricity", "--id", "2")
        self.assertEqual(over.returncode, 1)
        self.assertEqual(len(over.stderr.strip().splitlines()), 1)
        hoard = self.run_tool("recharge", "5", "60.01", "--payment-id", "3")
        self.assertEqual(hoard.returncode, 1)
        self.assertEqual(self.ok_json("balance", "5")["balance"], "-10.00")

    def test_bad_input_exits_2(self):
        self.open_wallet()
        cases = [
            ("recharge", "1001", "12.345", "--payment-id", "1"),
            ("recharge", "1001", "-5", "--payment-id", "1"),
            ("recharge", "1001", "1e3", "--payment-id", "1"),
            ("recharge", "1001", "5"),
            ("recharge", "abc", "5", "--payment-id", "1"),
            ("recharge", "0", "5", "--payment-id", "1"),
            ("open", "1002", "--kind", "piggybank"),
            ("open", "1002"),
            ("deduct", "1001", "1", "--id", "2"),
            ("deduct", "1001", "1", "--id", "2", "--item", "electricity", "--from", "2026-02-30", "--to", "2026-03-01"),
            ("summary", "--by", "week"),
            ("balance",),
            ("frobnicate",),
            ("verify", "--kind", "wallet"),
            ("recharge", "1001", "5", "--payment-id", "1", "--bogus", "x"),
        ]
        for args in cases:
            with self.subTest(args=args):
                result = self.run_tool(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        no_journal = subprocess.run([TOOL, "ledger", "verify"], capture_output=True, text=True)
        self.assertEqual(no_journal.returncode, 2)
        self.assertEqual(self.ok_json("balance", "1001")["balance"], "0.00")

    def test_torn_tail_and_corruption(self):
        self.open_wallet()
        self.ok_json("recharge", "1001", "1.00", "--payment-id", "1")
        self.ok_json("recharge", "1001", "2.00", "--payment-id", "2")
        good = os.path.getsize(self.journal)
        with open(self.journal, "ab") as f:
            f.write(b"\x74\x00\x00\x00\x02\x00\x00\x00\x07")  # half a record: a crash mid-append
        # A reader reports the tail and leaves it: only a writer cuts.
        doc = self.ok_json("verify")
        self.assertEqual((doc["truncated_bytes"], doc["cuts"]), (9, 0))
        self.assertEqual(os.path.getsize(self.journal), good + 9)
        self.assertEqual(self.ok_json("balance", "1001")["balance"], "3.00")
        self.assertEqual(os.path.getsize(self.journal), good + 9)
        # The next writer cuts it, says so, and records the cut for later readers.
        result = self.run_tool("recharge", "1001", "4.00", "--payment-id", "3", json_output=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("cut a torn tail of 9 bytes", result.stderr)
        doc = self.ok_json("verify")
        self.assertEqual((doc["truncated_bytes"], doc["cuts"], doc["cut_bytes"]), (0, 1, 9))
        self.assertEqual(self.ok_json("balance", "1001")["balance"], "7.00")
        # Damage inside the log (the first recharge's transfer record): reported, never skipped.
        # Layout: header 24, wallet batch 100 + 2 x 36, then clearing account 100, transfer 116.
        size = os.path.getsize(self.journal)
        with open(self.journal, "r+b") as f:
            f.seek(24 + 172 + 100 + 40)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0x01]))
        bad = self.run_tool("verify", json_output=True)
        self.assertEqual(bad.returncode, 1)
        self.assertIs(json.loads(bad.stdout)["ok"], False)
        self.assertIn("corrupt", bad.stderr)
        again = self.run_tool("recharge", "1001", "1.00", "--payment-id", "4")
        self.assertEqual(again.returncode, 1)
        self.assertEqual(os.path.getsize(self.journal), size, "corruption must not be truncated away")

    def test_snapshot_and_compaction(self):
        self.open_wallet()
        for i in range(1, 6):
            self.ok_json("recharge", "1001", "1.50", "--payment-id", str(i))
        doc = self.ok_json("snapshot")
        self.assertGreater(doc["sequence"], 0)
        self.assertEqual(os.path.getsize(self.journal), 24)
        self.assertTrue(os.path.exists(self.journal + ".snapshot"))
        self.assertEqual(self.ok_json("recharge", "1001", "1.50", "--payment-id", "3")["result"], "exists")
        self.assertEqual(self.ok_json("recharge", "1001", "0.50", "--payment-id", "6")["balance"], "8.00")
        doc = self.ok_json("verify")
        # 6 batches: open wallet (record + commit), the first recharge with the
        # clearing account opened on first use (2 records + commit), 4 more
        # recharges (record + commit): sequences 1..13.
        self.assertEqual(doc["snapshot_sequence"], 13)
        self.assertEqual(doc["records"], 1)

    # ---- no side effects on failure (issue 11) ---------------------------------

    def test_bad_input_creates_no_journal(self):
        cases = [
            ("recharge", "1001", "12.345", "--payment-id", "1"),
            ("recharge", "1001", "abc", "--payment-id", "1"),
            ("deduct", "1001", "1", "--item", "electricity", "--id", "2", "--from", "2026-02-30", "--to", "2026-03-01"),
            ("open", "1002", "--kind", "piggybank"),
            ("open", "1002", "--kind", "wallet", "--overdraft", "-1"),
            ("summary", "--by", "week"),
        ]
        for args in cases:
            with self.subTest(args=args):
                result = self.run_tool(*args)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertFalse(os.path.exists(self.journal), "bad input created the journal")

    def test_only_open_creates_a_journal(self):
        for args in (("recharge", "1001", "5", "--payment-id", "1"), ("balance", "1001"), ("verify",),
                     ("snapshot",), ("deduct", "1001", "1", "--item", "water", "--id", "3")):
            with self.subTest(args=args):
                result = self.run_tool(*args)
                self.assertEqual(result.returncode, 1, result.stderr)
                self.assertIn("No such file or directory", result.stderr)
                self.assertFalse(os.path.exists(self.journal), "a mistyped path created a journal")
        self.open_wallet()
        self.assertTrue(os.path.exists(self.journal))

    def test_os_error_text_kept(self):
        missing_dir = os.path.join(self.dir, "no-such-dir", "ledger.journal")
        result = subprocess.run([TOOL, "ledger", "--journal", missing_dir, "open", "1", "--kind", "wallet"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 1)
        self.assertIn("No such file or directory", result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        self.assertFalse(os.path.exists(os.path.dirname(missing_dir)))

    def test_refused_operation_journals_nothing(self):
        self.open_wallet("5", "--max-balance", "50")
        size = os.path.getsize(self.journal)
        with open(self.journal, "rb") as f:
            before = f.read()
        # The clearing account does not exist yet: a refused first recharge must not journal it.
        hoard = self.run_tool("recharge", "5", "60.01", "--payment-id", "1")
        self.assertEqual(hoard.returncode, 1, hoard.stderr)
        refused = self.run_tool("deduct", "5", "0.01", "--item", "gas", "--id", "2")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        refused = self.run_tool("refund", "5", "1", "--id", "3")
        self.assertEqual(refused.returncode, 1, refused.stderr)
        again = self.run_tool("open", "5", "--kind", "revenue")  # exists with different fields
        self.assertEqual(again.returncode, 1, again.stderr)
        with open(self.journal, "rb") as f:
            self.assertEqual(f.read(), before, "a refused operation changed the journal")
        self.assertEqual(os.path.getsize(self.journal), size)
        doc = self.ok_json("verify")
        self.assertEqual((doc["accounts"], doc["transfers"]), (1, 0))

    def test_read_only_commands_never_modify(self):
        self.open_wallet()
        self.ok_json("recharge", "1001", "3.00", "--payment-id", "1", "--time", "2026-05-01")
        with open(self.journal, "ab") as f:
            f.write(b"\x00" * 30)  # a zero-filled tail, as a crash can leave
        with open(self.journal, "rb") as f:
            before = f.read()
        for args in (("balance", "1001"), ("history", "1001"), ("summary", "--by", "day"), ("verify",)):
            with self.subTest(args=args):
                self.ok_json(*args)
                with open(self.journal, "rb") as f:
                    self.assertEqual(f.read(), before, "a read-only command modified the journal")
        doc = self.ok_json("verify")
        self.assertEqual((doc["truncated_bytes"], doc["tail_records"], doc["tail_batches"]), (30, 0, 0))
        text = self.run_tool("verify")
        self.assertIn("torn tail: 30 bytes", text.stdout)

    def test_verify_reports_dropped_batches(self):
        """A batch whose records are whole but whose commit never landed: cut once, reported ever after."""
        self.open_wallet()
        self.ok_json("recharge", "1001", "1.00", "--payment-id", "1")
        good = os.path.getsize(self.journal)
        self.ok_json("recharge", "1001", "2.00", "--payment-id", "2")
        with open(self.journal, "rb") as f:
            data = f.read()
        with open(self.journal, "wb") as f:
            f.write(data[:-72])  # the last batch without both copies of its commit record
        doc = self.ok_json("verify")
        self.assertEqual((doc["truncated_bytes"], doc["tail_records"], doc["tail_batches"]), (116, 1, 1))
        self.assertEqual(self.ok_json("balance", "1001")["balance"], "1.00")
        cut = self.run_tool("recharge", "1001", "4.00", "--payment-id", "3")
        self.assertEqual(cut.returncode, 0, cut.stderr)
        self.assertIn("1 complete records", cut.stderr)
        self.assertGreater(os.path.getsize(self.journal), good)
        for _ in range(2):  # every later verify still says so
            doc = self.ok_json("verify")
            self.assertEqual((doc["cuts"], doc["cut_bytes"], doc["cut_records"], doc["cut_batches"]), (1, 116, 1, 1))
            text = self.run_tool("verify")
            self.assertIn("warning: earlier recoveries dropped 1 complete records", text.stderr)
        self.ok_json("snapshot")  # compaction keeps the totals
        doc = self.ok_json("verify")
        self.assertEqual((doc["cuts"], doc["cut_records"]), (1, 1))

    def test_damaged_final_commit_detected(self):
        self.open_wallet()
        self.ok_json("recharge", "1001", "1.00", "--payment-id", "1")
        self.ok_json("recharge", "1001", "2.00", "--payment-id", "2")
        size = os.path.getsize(self.journal)
        with open(self.journal, "r+b") as f:
            f.seek(size - 72 + 20)  # inside the payload of the final commit record's first copy
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0x08]))
        doc = self.ok_json("verify")
        self.assertEqual((doc["damaged_commits"], doc["truncated_bytes"], doc["transfers"]), (1, 0, 2))
        self.assertIn("damaged commit records: 1", self.run_tool("verify").stdout)
        self.assertEqual(self.ok_json("balance", "1001")["balance"], "3.00")
        self.assertEqual(self.ok_json("recharge", "1001", "4.00", "--payment-id", "3")["balance"], "7.00")
        self.assertEqual(self.ok_json("verify")["damaged_commits"], 1)

    def test_second_writer_refused_or_waits(self):
        import fcntl
        self.open_wallet()
        size = os.path.getsize(self.journal)
        with open(self.journal, "r+b") as holder:
            fcntl.lockf(holder, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)  # the writer's byte
            refused = self.run_tool("recharge", "1001", "1.00", "--payment-id", "1", json_output=True)
            self.assertEqual(refused.returncode, 1)
            self.assertIn("is in use", refused.stderr)
            self.assertIn("--wait", refused.stderr)
            self.assertIs(json.loads(refused.stdout)["ok"], False)
            self.assertEqual(os.path.getsize(self.journal), size)
            # Readers are not held up by a writer.
            self.assertEqual(self.ok_json("balance", "1001")["balance"], "0.00")
            waiting = subprocess.Popen([TOOL, "ledger", "--journal", self.journal, "--wait", "recharge", "1001",
                                        "2.00", "--payment-id", "2"], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
            try:
                # It cannot finish while the lock is held (if it is merely slow, this passes too).
                with self.assertRaises(subprocess.TimeoutExpired):
                    waiting.wait(timeout=1.5)
            finally:
                fcntl.lockf(holder, fcntl.LOCK_UN, 1, 0)
            out, err = waiting.communicate(timeout=60)
        self.assertEqual(waiting.returncode, 0, err)
        self.assertEqual(self.ok_json("balance", "1001")["balance"], "2.00")


if __name__ == "__main__":
    TOOL = os.path.abspath(sys.argv.pop(1))
    unittest.main()
