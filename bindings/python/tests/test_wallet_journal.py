# SPDX-License-Identifier: MIT
import datetime
import os
import tempfile
import unittest
from decimal import Decimal

import prepay
from prepay import wallet
from prepay.journal import Journal
from prepay.ledger import Account, Ledger, Transfer

NOW = datetime.datetime(2025, 3, 3, 10, 0)  # a Monday


class WalletTests(unittest.TestCase):
    def test_month_of_decisions(self):
        w = wallet.Wallet()  # default: alarms at 20, 10 (pre-trip), 0 (cut-off), hysteresis 1
        d = w.decide(Decimal("50.00"), NOW)
        self.assertEqual((d.relay, d.level), (prepay.WalletRelay.CLOSED, 0))
        d = w.decide(Decimal("19.99"), NOW)
        self.assertEqual(d.level, 1)
        self.assertTrue(d.events & prepay.WalletEvent.LEVEL_CHANGED)
        d = w.decide(Decimal("9.00"), NOW)
        self.assertEqual((d.relay, d.reason), (prepay.WalletRelay.OPEN, prepay.WalletReason.PRETRIP))
        d = w.decide(Decimal("9.00"), NOW, flags=prepay.WalletInput.ACKNOWLEDGE)
        self.assertEqual(d.relay, prepay.WalletRelay.CLOSED)
        d = w.decide(Decimal("0.00"), NOW)
        self.assertEqual((d.relay, d.reason), (prepay.WalletRelay.OPEN, prepay.WalletReason.CUTOFF))
        d = w.decide(Decimal("30.00"), NOW)
        self.assertEqual(d.relay, prepay.WalletRelay.CLOSED)
        self.assertTrue(d.events & prepay.WalletEvent.RESTORED)

    def test_no_disconnect_window(self):
        p = wallet.Policy.default()
        p.windows = [(8 * 3600, 20 * 3600)]
        w = wallet.Wallet(p)
        self.assertTrue(w.no_disconnect(NOW))
        d = w.decide(Decimal("-5.00"), NOW)
        self.assertEqual((d.relay, d.reason), (prepay.WalletRelay.CLOSED, prepay.WalletReason.NO_DISCONNECT))
        d = w.decide(Decimal("-5.00"), NOW.replace(hour=21))
        self.assertEqual(d.relay, prepay.WalletRelay.OPEN)

    def test_bad_policy(self):
        p = wallet.Policy.default()
        p.thresholds = [Decimal("5"), Decimal("10")]  # must decrease
        with self.assertRaises(prepay.WalletError) as cm:
            wallet.Wallet(p)
        self.assertEqual(cm.exception.code, prepay.Status.E_WALLET_BAD_THRESHOLDS)

    def test_split_recharge(self):
        self.assertEqual(wallet.split_recharge("100", "10", "20"),
                         (Decimal("10.00"), Decimal("20.00"), Decimal("70.00")))
        self.assertEqual(wallet.split_recharge("15", "10", "20"),
                         (Decimal("10.00"), Decimal("5.00"), Decimal("0.00")))


def new_ledger():
    return Ledger(accounts=8, transfers=64)


class JournalTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "ledger.journal")

    def tearDown(self):
        self.dir.cleanup()

    def test_durable_and_recovered(self):
        led = new_ledger()
        with Journal.open(self.path, led) as j:
            self.assertTrue(j.create_account(Account(1, prepay.AccountKind.WALLET,
                                                     prepay.AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS)))
            j.create_account(Account(2, prepay.AccountKind.PAYMENT_CLEARING))
            res = j.submit([Transfer(10, 2, 1, "88.80", prepay.TransferCode.RECHARGE),
                            Transfer(11, 1, 2, "100", prepay.TransferCode.REFUND)])
            self.assertEqual([r.status for r in res], [0, prepay.Status.E_LEDGER_EXCEEDS_CREDITS])
        self.assertTrue(j.closed)
        again = new_ledger()
        with Journal.open(self.path, again) as j2:
            self.assertEqual(j2.recovery.records, 3)
            self.assertEqual(again.balance(1).balance, Decimal("88.80"))
            j2.stage([Transfer(12, 2, 1, "1.20", prepay.TransferCode.RECHARGE)])
            j2.commit()
        third = new_ledger()
        with Journal.open(self.path, third):
            self.assertEqual(third.balance(1).balance, Decimal("90.00"))
            third.verify()

    def test_snapshot_and_compaction(self):
        snap = os.path.join(self.dir.name, "ledger.snapshot")
        led = new_ledger()
        with Journal.open(self.path, led, snapshot_path=snap) as j:
            j.create_account(Account(1, prepay.AccountKind.WALLET))
            j.create_account(Account(2, prepay.AccountKind.PAYMENT_CLEARING))
            j.submit([Transfer(10, 2, 1, "5.00", prepay.TransferCode.RECHARGE)])
            j.snapshot(compact=True)
            j.submit([Transfer(11, 2, 1, "2.50", prepay.TransferCode.RECHARGE)])
        again = new_ledger()
        with Journal.open(self.path, again, snapshot_path=snap) as j:
            self.assertEqual(j.recovery.snapshot_records, 3)
            self.assertEqual(j.recovery.records, 1)
            self.assertEqual(again.balance(1).balance, Decimal("7.50"))
        with Journal.open(os.path.join(self.dir.name, "plain"), new_ledger()) as j:
            with self.assertRaises(prepay.Error) as cm:
                j.snapshot()
            self.assertEqual(cm.exception.code, prepay.Status.E_BAD_STATE)

    def test_deadline_and_expiry_are_durable(self):
        # Journal format 2 holds deadlines and EXPIRE records (type 6; CUT has 5).
        self.assertEqual((prepay.JournalRecordType.CUT, prepay.JournalRecordType.EXPIRE), (5, 6))
        self.assertLess(prepay.Status.E_JOURNAL_FORMAT, 0)
        snap = os.path.join(self.dir.name, "ledger.snapshot")
        hour = datetime.timedelta(hours=1)
        with Journal.open(self.path, new_ledger(), snapshot_path=snap) as j:
            j.create_account(Account(1, prepay.AccountKind.WALLET))
            j.create_account(Account(2, prepay.AccountKind.PAYMENT_CLEARING))
            j.create_account(Account(3, prepay.AccountKind.REVENUE, item=prepay.Item.ELECTRICITY))
            j.submit([Transfer(10, 2, 1, "5.00", prepay.TransferCode.RECHARGE, timestamp=NOW)])
            j.submit([Transfer(11, 1, 3, "2.00", prepay.TransferCode.DEDUCTION, flags=prepay.TransferFlag.PENDING,
                               timestamp=NOW, deadline=NOW + hour)])
            self.assertEqual(j.ledger.balance(1).debits_pending, Decimal("2.00"))
            self.assertEqual(j.expire(NOW + hour / 2), [])
            self.assertEqual(j.expire(NOW + hour), [11])
        again = new_ledger()
        with Journal.open(self.path, again, snapshot_path=snap) as j:
            self.assertEqual(j.recovery.version, 2)
            self.assertEqual(again.lookup(11).state, prepay.PendingState.EXPIRED)
            self.assertEqual(again.balance(1).debits_pending, Decimal("0.00"))
            j.snapshot(compact=True)
        third = new_ledger()
        with Journal.open(self.path, third, snapshot_path=snap) as j:
            self.assertEqual(j.recovery.snapshot_records, 5)
            self.assertEqual(third.lookup(11).state, prepay.PendingState.EXPIRED)
            self.assertEqual(third.balance(1).balance, Decimal("5.00"))

    def test_torn_tail_truncated(self):
        led = new_ledger()
        with Journal.open(self.path, led) as j:
            j.create_account(Account(1, prepay.AccountKind.WALLET))
        with open(self.path, "ab") as f:
            f.write(b"\x40\x00\x00")  # a torn record
        led2 = new_ledger()
        with Journal.open(self.path, led2) as j:
            self.assertEqual(j.recovery.truncated_bytes, 3)
            self.assertEqual(len(list(led2.accounts())), 1)
        # The cut is recorded in the journal; one writer at a time.
        with Journal.open(self.path, new_ledger()) as j:
            self.assertEqual((j.recovery.version, j.recovery.earlier_cuts, j.recovery.earlier_cut_bytes), (2, 1, 3))
            with self.assertRaises(prepay.JournalError) as cm:
                Journal.open(self.path, new_ledger())
            self.assertEqual(cm.exception.code, prepay.Status.E_JOURNAL_LOCKED)

    def test_errors(self):
        with open(self.path, "wb") as f:
            f.write(b"not a journal header at all....")
        with self.assertRaises(prepay.JournalError) as cm:
            Journal.open(self.path, new_ledger())
        self.assertEqual(cm.exception.code, prepay.Status.E_JOURNAL_BAD_HEADER)
        led = new_ledger()
        led.create_account(Account(1, prepay.AccountKind.WALLET))
        with self.assertRaises(prepay.Error) as cm:
            Journal.open(os.path.join(self.dir.name, "other"), led)  # the ledger must be empty
        self.assertEqual(cm.exception.code, prepay.Status.E_BAD_STATE)
        with self.assertRaises(prepay.JournalError) as cm:
            Journal.open(os.path.join(self.dir.name, "no", "such", "dir"), new_ledger())
        self.assertEqual(cm.exception.code, prepay.Status.E_JOURNAL_IO)

    def test_crc32c_check_value(self):
        from prepay.journal import crc32c
        self.assertEqual(crc32c(b"123456789"), prepay.c_api.PREPAY_JOURNAL_CRC32C_CHECK)


if __name__ == "__main__":
    unittest.main()
