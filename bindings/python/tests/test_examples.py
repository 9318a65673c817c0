"""Runs examples/python/*.py (smoke tests with known results)."""
import os
import subprocess
import sys
import unittest

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

    def test_split_common_area(self):
        self.assertIn("sum", run("split_common_area.py"))


if __name__ == "__main__":
    unittest.main()
