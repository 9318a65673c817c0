# SPDX-License-Identifier: MIT
import datetime
import unittest
from decimal import Decimal

import prepay
from prepay.ledger import Account, Ledger, Transfer

WALLET, CLEARING, REVENUE, REFUNDS = 1, 2, 3, 4
T0 = datetime.datetime(2025, 3, 1, 9, 0)


def setup_ledger():
    led = Ledger(accounts=16, transfers=256)
    led.create_account(Account(WALLET, prepay.AccountKind.WALLET, prepay.AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS))
    led.create_account(Account(CLEARING, prepay.AccountKind.PAYMENT_CLEARING))
    led.create_account(Account(REVENUE, prepay.AccountKind.REVENUE, item=prepay.Item.ELECTRICITY))
    led.create_account(Account(REFUNDS, prepay.AccountKind.REFUNDS_PAYABLE))
    return led


class LedgerTests(unittest.TestCase):
    def test_recharge_deduct_balance(self):
        led = setup_ledger()
        res = led.apply([
            Transfer(100, CLEARING, WALLET, Decimal("100.00"), prepay.TransferCode.RECHARGE, timestamp=T0),
            Transfer(101, WALLET, REVENUE, Decimal("12.34"), prepay.TransferCode.DEDUCTION,
                     timestamp=T0 + datetime.timedelta(hours=1)),
        ])
        self.assertEqual([r.status for r in res], [0, 0])
        b = led.balance(WALLET)
        self.assertEqual((b.credits_posted, b.debits_posted, b.balance), (Decimal("100.00"), Decimal("12.34"),
                                                                           Decimal("87.66")))
        self.assertEqual(led.balance(REVENUE).balance, Decimal("12.34"))
        self.assertEqual(led.balance(CLEARING).balance, Decimal("-100.00"))
        led.verify()

    def test_idempotent_and_refused(self):
        led = setup_ledger()
        t = Transfer(100, CLEARING, WALLET, "50", prepay.TransferCode.RECHARGE)
        self.assertTrue(led.transfer(t))
        self.assertFalse(led.transfer(t))  # identical repeat: EXISTS, nothing changed
        res = led.apply([Transfer(100, CLEARING, WALLET, "51", prepay.TransferCode.RECHARGE),
                         Transfer(102, WALLET, REVENUE, "60", prepay.TransferCode.DEDUCTION),
                         Transfer(103, WALLET, WALLET, "1", prepay.TransferCode.DEDUCTION)])
        self.assertEqual([r.status for r in res], [prepay.Status.E_LEDGER_EXISTS_WITH_DIFFERENT_AMOUNT,
                                                    prepay.Status.E_LEDGER_EXCEEDS_CREDITS,
                                                    prepay.Status.E_LEDGER_ACCOUNTS_MUST_BE_DIFFERENT])
        self.assertIsInstance(res[1].error, prepay.LedgerError)
        with self.assertRaises(prepay.LedgerError) as cm:
            led.transfer(Transfer(104, WALLET, REVENUE, "50.01", prepay.TransferCode.DEDUCTION))
        self.assertEqual(cm.exception.code, prepay.Status.E_LEDGER_EXCEEDS_CREDITS)
        self.assertEqual(led.balance(WALLET).balance, Decimal("50.00"))
        self.assertEqual(len(led), 1)

    def test_linked_chain_atomic(self):
        led = setup_ledger()
        linked = prepay.TransferFlag.LINKED
        res = led.apply([Transfer(1, CLEARING, WALLET, "10", prepay.TransferCode.RECHARGE, flags=linked),
                         Transfer(2, WALLET, REVENUE, "20", prepay.TransferCode.DEDUCTION)])
        self.assertEqual(res[0].status, prepay.Status.E_LEDGER_LINKED_EVENT_FAILED)
        self.assertEqual(res[1].status, prepay.Status.E_LEDGER_EXCEEDS_CREDITS)
        self.assertEqual(led.balance(WALLET).balance, Decimal("0.00"))

    def test_pending_post(self):
        led = setup_ledger()
        led.transfer(Transfer(1, CLEARING, WALLET, "30", prepay.TransferCode.RECHARGE))
        led.transfer(Transfer(2, WALLET, REVENUE, "10", prepay.TransferCode.DEDUCTION,
                              flags=prepay.TransferFlag.PENDING))
        self.assertEqual(led.balance(WALLET).available, Decimal("20.00"))
        led.transfer(Transfer(3, WALLET, REVENUE, "7.50", prepay.TransferCode.DEDUCTION, pending_id=2,
                              flags=prepay.TransferFlag.POST_PENDING))
        b = led.balance(WALLET)
        self.assertEqual((b.balance, b.available, b.debits_pending), (Decimal("22.50"), Decimal("22.50"),
                                                                      Decimal("0.00")))
        self.assertEqual(led.lookup(2).state, prepay.PendingState.POSTED)

    def test_history_iterator_and_summaries(self):
        led = setup_ledger()
        for i in range(5):
            led.transfer(Transfer(10 + i, CLEARING, WALLET, "10", prepay.TransferCode.RECHARGE,
                                  timestamp=T0 + datetime.timedelta(days=i)))
        led.transfer(Transfer(20, WALLET, REVENUE, "3.33", prepay.TransferCode.DEDUCTION, timestamp=T0))
        led.transfer(Transfer(21, WALLET, REFUNDS, "5", prepay.TransferCode.REFUND, timestamp=T0))
        ids = [e.transfer.id for e in led.history(account_id=WALLET, code=prepay.TransferCode.RECHARGE)]
        self.assertEqual(ids, [10, 11, 12, 13, 14])
        ids = [e.transfer.id for e in led.history(since=T0 + datetime.timedelta(days=1),
                                                  until=T0 + datetime.timedelta(days=3))]
        self.assertEqual(ids, [11, 12])
        self.assertEqual(len(list(led)), 7)
        s = led.order_summary(T0, T0 + datetime.timedelta(days=10))
        self.assertEqual((s.recharge_count, s.recharge_sum, s.refund_count, s.refund_sum),
                         (5, Decimal("50.00"), 1, Decimal("5.00")))
        rows = led.income(T0, T0 + datetime.timedelta(days=10), prepay.Period.ALL, by_item=True)
        self.assertEqual([(r.item, r.income) for r in rows], [(prepay.Item.ELECTRICITY, Decimal("3.33"))])
        self.assertEqual([a.id for a in led.accounts()], [1, 2, 3, 4])
        self.assertEqual(led.account(WALLET).kind, prepay.AccountKind.WALLET)

    def test_account_errors(self):
        led = setup_ledger()
        with self.assertRaises(prepay.LedgerError) as cm:
            led.create_account(Account(0, prepay.AccountKind.WALLET))
        self.assertEqual(cm.exception.code, prepay.Status.E_LEDGER_ACCOUNT_ID_MUST_NOT_BE_ZERO)
        with self.assertRaises(prepay.LedgerError) as cm:
            led.balance(99)
        self.assertEqual(cm.exception.code, prepay.Status.E_LEDGER_ACCOUNT_NOT_FOUND)
        self.assertFalse(led.create_account(Account(WALLET, prepay.AccountKind.WALLET,
                                                    prepay.AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS)))
        small = Ledger(accounts=1, transfers=1)
        small.create_account(Account(1, prepay.AccountKind.WALLET))
        with self.assertRaises(prepay.Error) as cm:
            small.create_account(Account(2, prepay.AccountKind.WALLET))
        self.assertEqual(cm.exception.code, prepay.Status.E_CAPACITY)
        self.assertIs(type(cm.exception), prepay.Error)

    def test_build_recharge(self):
        led = setup_ledger()
        transfers = led.build_recharge(WALLET, CLEARING, Decimal("25.00"), recharge_id=500, timestamp=T0)
        self.assertEqual([(t.id, t.amount, t.code) for t in transfers], [(500, Decimal("25.00"),
                                                                          prepay.TransferCode.RECHARGE)])
        led.apply(transfers)
        self.assertEqual(led.balance(WALLET).balance, Decimal("25.00"))


if __name__ == "__main__":
    unittest.main()
