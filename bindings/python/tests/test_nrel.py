# SPDX-License-Identifier: MIT
"""NREL SAM utilityrate5 year bills (tests/vectors/nrel_sam_bills.txt, expected values independent of
the code: SAM's own assertions and a Decimal re-computation)."""
import datetime
import unittest
from array import array
from decimal import Decimal

import prepay
from prepay import tariff
from _vectors import VECTORS, records


def hourly_wh():
    lines = (VECTORS / "nrel/pvsamv1_residential_load.csv").read_text().split()
    return array("q", (prepay.parse_rounded(x, 3, prepay.Rounding.HALF_UP) for x in lines))


class NrelSam(unittest.TestCase):
    def test_year_bills(self):
        energies = hourly_wh()
        self.assertEqual(len(energies), 8760)
        self.assertEqual(sum(energies), 6019809)  # per the vector file's notes
        start = prepay.to_time(datetime.datetime(2001, 1, 1))  # a Monday, non-leap, as SAM's year
        starts = array("q", (start + 3600 * i for i in range(8760)))
        ends = array("q", (start + 3600 * (i + 1) for i in range(8760)))
        n = 0
        for r in records("nrel_sam_bills.txt"):
            if r["_section"] != "bill":
                continue
            with self.subTest(tariff=r["tariff"], rate_scale=r["rate_scale"]):
                try:
                    t = tariff.Tariff.load_urdb(VECTORS / "nrel" / r["tariff"], rate_scale=Decimal(r["rate_scale"]))
                except prepay.Error as e:
                    if e.code == prepay.Status.E_CAPACITY:
                        continue  # a build with smaller PREPAY_MAX_* tables
                    raise
                bill = t.evaluate_arrays(starts, ends, energies)
                self.assertEqual(bill.total, Decimal(r["total_wh"]))
                self.assertLessEqual(abs(bill.total - Decimal(r["sam_assert"])), Decimal(r["sam_tol"]))
                n += 1
        self.assertGreaterEqual(n, 3)

    def test_float_scale_refused(self):
        with self.assertRaises(TypeError):
            tariff.Tariff.load_urdb(VECTORS / "nrel/sam_residential_tou.json", rate_scale=1.025)


if __name__ == "__main__":
    unittest.main()
