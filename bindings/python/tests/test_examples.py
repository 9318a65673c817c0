# SPDX-License-Identifier: MIT
"""Runs examples/python/*.py (smoke tests with known results)."""
import os
import subprocess
import sys
import tempfile
import unittest

from prepay import settlement as st
from prepay.journal import Journal
from prepay.ledger import Ledger

from _vectors import ROOT


def run(name, *args):
    env = dict(os.environ)
    return subprocess.run([sys.executable, str(ROOT / "examples/python" / name), *args], env=env, check=True,
                          capture_output=True, text=True, timeout=120).stdout


class Examples(unittest.TestCase):
    def test_bill_csv(self):
        # hand computation in the CSV: 2880 x 0.4883 + 1920 x 0.5383 + 200 x 0.7883 = 2597.50
        self.assertIn("2597.50", run("bill_csv.py"))

    def test_decode_capture(self):
        out = run("decode_capture.py")
        self.assertIn("forward active energy, total, current: 36.30 kWh", out)

    def test_wallet_month(self):
        out = run("wallet_month.py")
        self.assertIn("CUTOFF", out)
        self.assertIn("RESTORED", out)

    def test_wallet_month_uses_the_settlement_ids(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "w.journal")
            run("wallet_month.py", path)
            led = Ledger(accounts=8, transfers=1024)
            with Journal.open(path, led):
                pass
            kinds = {st.split_transfer_id(e.transfer.id)[0] for e in led}
            self.assertEqual(kinds, {st.IdKind.RECHARGE, st.IdKind.READING})
            self.assertEqual({a.id for a in led.accounts()},
                             {st.ledger_account_id(1, st.Role.WALLET), st.ledger_account_id(0, st.SiteRole.CLEARING),
                              st.ledger_account_id(0, st.SiteRole.ELECTRICITY)})

    def test_settle_building(self):
        out = run("settle_building.py")
        self.assertIn("COMMAND          account 103 meter 1032 TRIP", out)
        self.assertIn("STATEMENT        account 201", out)
        self.assertIn("identity ok", out)
        self.assertIn("books verified; re-run over the journal", out)
        self.assertIn("nothing doubled", out)

    def test_split_common_area(self):
        self.assertIn("sum", run("split_common_area.py"))


if __name__ == "__main__":
    unittest.main()
