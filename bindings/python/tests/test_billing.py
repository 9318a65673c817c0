# SPDX-License-Identifier: MIT
import datetime
import unittest
from decimal import Decimal

import prepay
from prepay import billing
from _vectors import records

D = datetime.date


def day(text):
    return datetime.date.fromisoformat(text)


class BillingTests(unittest.TestCase):
    def test_charge_id(self):
        self.assertEqual(billing.charge_id(7, 3, 2), 7 << 32 | 3 << 16 | 2)
        with self.assertRaises(prepay.BillingError) as cm:
            billing.charge_id(0, 1, 0)
        self.assertEqual(cm.exception.code, prepay.Status.E_BILLING_ID_RANGE)

    def test_add_months(self):
        self.assertEqual(billing.add_months(D(2024, 1, 31), 1), D(2024, 2, 29))

    def test_run_monthly_fee_idempotent(self):
        items = [billing.ChargeItem(1, Decimal("30.00"), D(2025, 1, 1), D(2025, 1, 1), D(2026, 1, 1),
                                    name="property fee")]
        accounts = [billing.BillingAccount(101, D(2025, 1, 1), D(2030, 1, 1)),
                    billing.BillingAccount(102, D(2025, 1, 16), D(2030, 1, 1))]
        charges = billing.run(D(2025, 1, 1), D(2025, 2, 1), items, accounts)
        self.assertEqual([(c.account_id, c.amount, c.name) for c in charges],
                         [(101, Decimal("30.00"), "property fee"), (102, Decimal("30.00"), "property fee")])
        again = billing.run(D(2025, 1, 1), D(2025, 2, 1), items, accounts, {c.charge_id for c in charges})
        self.assertEqual(again, [])
        prorated = [billing.ChargeItem(2, Decimal("31.00"), D(2025, 1, 1), D(2025, 1, 1), D(2026, 1, 1),
                                       proration=prepay.ChargeProration.BY_DAY)]
        c = billing.run(D(2025, 1, 1), D(2025, 2, 1), prorated, accounts[1:])
        self.assertEqual(c[0].amount, Decimal("16.00"))  # 31.00 x 16/31 days
        with self.assertRaises(prepay.BillingError) as cm:
            billing.run(D(2025, 2, 1), D(2025, 1, 1), items, accounts)
        self.assertEqual(cm.exception.code, prepay.Status.E_BILLING_BAD_PERIOD)

    def test_statement_lifecycle(self):
        s = billing.Statement(101, D(2025, 1, 1), D(2025, 2, 1), opening=Decimal("10.00"))
        s.add(billing.StatementLine(prepay.StatementLineKind.ENERGY, Decimal("122.57"), energy=250000, band=3, tier=1))
        s.add(billing.StatementLine(prepay.StatementLineKind.CHARGE_ITEM, Decimal("30.00")))
        s.add(billing.StatementLine(prepay.StatementLineKind.PAYMENT, Decimal("100.00"), date=D(2025, 1, 20)))
        self.assertEqual((s.charges, s.payments, s.closing), (Decimal("152.57"), Decimal("100.00"), Decimal("62.57")))
        s.confirm()
        with self.assertRaises(prepay.BillingError) as cm:
            s.add(billing.StatementLine(prepay.StatementLineKind.CHARGE_ITEM, Decimal("1.00")))
        self.assertEqual(cm.exception.code, prepay.Status.E_BILLING_IMMUTABLE)
        s.issue(D(2025, 2, 1), D(2025, 2, 15))
        self.assertEqual(s.state, prepay.StatementState.ISSUED)
        self.assertNotEqual(s.seal, 0)
        s.verify()
        nxt = billing.Statement(101, D(2025, 2, 1), D(2025, 3, 1), opening=s.closing)
        s.correct(nxt, Decimal("-2.57"), D(2025, 2, 3))
        self.assertEqual(nxt.total(prepay.StatementLineKind.ADJUSTMENT), Decimal("-2.57"))
        self.assertEqual(len(s.lines), 3)

    def test_arrears_vectors(self):
        """tests/vectors/billing_arrears.txt (buckets checked by hand)."""
        n = 0
        for r in records("billing_arrears.txt"):
            if r["_section"] != "arrears":
                continue
            items = []
            for tok in r["items"].split():
                acc, st, due, amount = tok.split(":")
                items.append(billing.ArrearsItem(int(acc), day(due), prepay.fen_to_yuan(int(amount)), int(st)))
            rows = billing.arrears(items, day(r["as_of"]))
            expect = []
            for tok in r["rows"].split():
                acc, nd, b0, b1, b2, b3, total, oldest = (int(x) for x in tok.split(":"))
                expect.append((acc, prepay.fen_to_yuan(nd), tuple(prepay.fen_to_yuan(x) for x in (b0, b1, b2, b3)),
                               prepay.fen_to_yuan(total), oldest))
            self.assertEqual([(w.account_id, w.not_due, w.buckets, w.total, w.oldest_days) for w in rows], expect)
            n += 1
        self.assertGreaterEqual(n, 1)


if __name__ == "__main__":
    unittest.main()
