#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""N `prepay ledger` processes recharging one journal at the same time.

Usage: test_ledger_concurrency.py PATH_TO_PREPAY_TOOL

Every recharge a process acknowledged (exit 0, result "ok" or "exists" on a
retry) must be in the ledger exactly once, the balance must be their sum,
and `verify` must pass. Without --wait, a process that finds another writer
is told so at once (exit 1, "in use", the other writer's PID) and retries;
with --wait nobody is refused. Expected values come from the test's own
record of acknowledgements, never from the tool.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

TOOL = None
WORKERS = int(os.environ.get("PREPAY_CONCURRENCY_WORKERS", "6"))
RECHARGES = int(os.environ.get("PREPAY_CONCURRENCY_RECHARGES", "15"))
# The PID is missing only in the instant between the holder's two locks (docs/journal.md).
LOCKED = re.compile(r"journal .* is in use: another writer (?:\(PID (\d+)\) )?holds it")


class Concurrency(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="prepay-ledger-concurrency-")
        self.journal = os.path.join(self.dir, "ledger.journal")
        self.tool("open", "1001", "--kind", "wallet")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def tool(self, *args, wait=False, check=True):
        argv = [TOOL, "ledger", "--journal", self.journal, "--json"] + (["--wait"] if wait else []) + list(args)
        result = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        if check:
            self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def run_workers(self, wait):
        acknowledged = {}  # payment id -> fen
        refusals = []
        failures = []
        lock = threading.Lock()

        def worker(w):
            for i in range(RECHARGES):
                payment = 1000 * (w + 1) + i
                fen = 100 + w * 10 + i
                while True:
                    r = subprocess.run([TOOL, "ledger", "--journal", self.journal, "--json"] +
                                       (["--wait"] if wait else []) +
                                       ["recharge", "1001", "%d.%02d" % divmod(fen, 100), "--payment-id", str(payment)],
                                       capture_output=True, text=True, timeout=600)
                    if r.returncode == 0:
                        doc = json.loads(r.stdout)
                        with lock:
                            if doc["result"] in ("ok", "exists"):
                                acknowledged[payment] = fen
                            else:
                                failures.append(r.stdout)
                        break
                    with lock:
                        if r.returncode == 1 and LOCKED.search(r.stderr):
                            refusals.append(int(LOCKED.search(r.stderr).group(1) or 0))
                        else:
                            failures.append((r.returncode, r.stderr))
                            return

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        return acknowledged, refusals

    def check_ledger(self, acknowledged):
        self.assertEqual(len(acknowledged), WORKERS * RECHARGES)
        verify = json.loads(self.tool("verify").stdout)
        self.assertIs(verify["ok"], True)
        self.assertEqual(verify["truncated_bytes"], 0)
        history = json.loads(self.tool("history", "1001").stdout)["transfers"]
        ids = [t["id"] for t in history]
        self.assertEqual(len(ids), len(set(ids)), "an acknowledged recharge is in the ledger twice")
        self.assertEqual(sorted(ids), sorted(acknowledged), "acknowledged recharges lost (or unknown ones kept)")
        total = sum(acknowledged.values())
        balance = json.loads(self.tool("balance", "1001").stdout)["balance"]
        self.assertEqual(balance, "%d.%02d" % divmod(total, 100))
        self.assertEqual(verify["transfers"], WORKERS * RECHARGES)

    def test_losers_are_told_and_retry(self):
        acknowledged, refusals = self.run_workers(wait=False)
        self.check_ledger(acknowledged)
        # Refusals name the writer's PID (never this test's own); 0 only if it had not yet put it up.
        self.assertTrue(all(pid >= 0 and pid != os.getpid() for pid in refusals), refusals)
        self.assertTrue(sum(pid > 0 for pid in refusals) >= len(refusals) // 2, refusals)
        print("%d workers x %d recharges: %d refusals ('in use by PID n'), all acknowledged kept once"
              % (WORKERS, RECHARGES, len(refusals)), file=sys.stderr)

    def test_waiting_writers_are_never_refused(self):
        acknowledged, refusals = self.run_workers(wait=True)
        self.assertEqual(refusals, [])
        self.check_ledger(acknowledged)


if __name__ == "__main__":
    TOOL = os.path.abspath(sys.argv.pop(1))
    unittest.main()
