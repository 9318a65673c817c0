# SPDX-License-Identifier: MIT
import unittest
from decimal import Decimal

import prepay
from prepay import allocation
from _vectors import records

ERRORS = {"zero_weights": prepay.Status.E_ALLOCATION_ZERO_WEIGHTS, "no_parts": prepay.Status.E_ALLOCATION_NO_PARTS,
          "negative_weight": prepay.Status.E_ALLOCATION_NEGATIVE_WEIGHT}


class SplitVectors(unittest.TestCase):
    """tests/vectors/allocation_split.txt (largest remainder, published examples)."""

    def test_split(self):
        n = 0
        for r in records("allocation_split.txt"):
            if r["_section"] != "split":
                continue
            weights = [int(w) for w in r["weights"].split()]
            with self.subTest(source=r["source"]):
                if "error" in r:
                    with self.assertRaises(prepay.AllocationError) as cm:
                        allocation.split(int(r["total"]), weights)
                    self.assertEqual(cm.exception.code, ERRORS[r["error"]])
                else:
                    shares = allocation.split(int(r["total"]), weights)
                    self.assertEqual(shares, [int(s) for s in r["shares"].split()])
                    self.assertEqual(sum(shares), int(r["total"]))
            n += 1
        self.assertGreaterEqual(n, 30)

    def test_split_money(self):
        parts = allocation.split_money(Decimal("100.00"), [1, 1, 1])
        self.assertEqual(parts, [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")])
        self.assertEqual(sum(parts), Decimal("100.00"))


class ResidualAndAllocate(unittest.TestCase):
    def test_residual(self):
        r = allocation.residual(10000, [3000, 4000, 2000])
        self.assertEqual((r.common, r.raw, r.negative), (1000, 1000, False))
        with self.assertRaises(prepay.AllocationError) as cm:
            allocation.residual(1000, [3000])
        self.assertEqual(cm.exception.code, prepay.Status.E_ALLOCATION_NEGATIVE_RESIDUAL)
        c = allocation.residual(1000, [3000], policy=prepay.ResidualPolicy.CARRY)
        self.assertEqual((c.common, c.carry_out), (0, -2000))
        nxt = allocation.residual(10000, [5000], carried_in=c.carry_out, policy=prepay.ResidualPolicy.CARRY)
        self.assertEqual(nxt.common, 3000)

    def test_allocate_by_area(self):
        parts = [allocation.Part(11, 8000), allocation.Part(12, 12000), allocation.Part(13, 10000, vacant=True)]
        lines = allocation.allocate(parts, energy=3001, money=Decimal("100.01"), owner_account_id=99)
        self.assertEqual(sum(l.energy for l in lines), 3001)
        self.assertEqual(sum(l.money for l in lines), Decimal("100.01"))
        self.assertEqual([l.account_id for l in lines], [11, 12, 99])
        skip = allocation.allocate(parts, energy=3000, money=Decimal("100.00"), vacancy=prepay.Vacancy.SKIP)
        self.assertEqual([(l.account_id, l.energy) for l in skip if l.energy], [(11, 1200), (12, 1800)])
        with self.assertRaises(prepay.AllocationError) as cm:
            allocation.allocate([allocation.Part(1, -1)], energy=1)
        self.assertEqual(cm.exception.code, prepay.Status.E_ALLOCATION_NEGATIVE_WEIGHT)


if __name__ == "__main__":
    unittest.main()
