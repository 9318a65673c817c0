# SPDX-License-Identifier: MIT
"""prepay.payment: an order's life worked by hand (created 50.00 -> a wrong-amount notify refused ->
paid -> the same notify again changes nothing), a failed and an expired order, a statement parsed and
reconciled line by line, refused input that changes nothing, and orders that survive a journal
reopen."""
import datetime
import os
import tempfile
import unittest
import zoneinfo
from decimal import Decimal

import prepay
from prepay import payment as pay
from prepay import settlement as st
from prepay.journal import Journal
from prepay.ledger import Ledger
from prepay.tariff import Tariff

FLAT = ('{"format": "prepay-tariff/1", "name": "flat 0.50", "source": {"notice": "test"}, "bands": ["flat"],'
        ' "prices": {"bands": {"flat": "0.50"}}}')
T0 = datetime.datetime(2024, 1, 10, 9, 0)
DAY = datetime.timedelta(days=1)
MIN = datetime.timedelta(minutes=1)


def site_of(zone=None, **kw):
    site = st.Site([Tariff.loads(FLAT, zone=zone)], period_start=datetime.date(2024, 1, 1),
                   period_end=datetime.date(2024, 2, 1), accounts=4, meters=4, postpaid=1, **kw)
    site.add_account(st.Account(1))
    site.add_account(st.Account(2))
    site.add_meter(st.Meter(11, account_id=1))
    return site


def books(site):
    """Everything a refused input must leave alone."""
    return ([(a.id, a.balance, a.debt, a.recharged, a.recharges) for a in site.accounts()], len(site.ledger),
            site.ledger_balance(0, st.SiteRole.CLEARING))


class OrderLife(unittest.TestCase):
    def setUp(self):
        self.site = site_of().open(Ledger(accounts=32, transfers=1024))

    def test_paid_once(self):
        site = self.site
        info = pay.create(site, pay.Order(1, 7, "50.00", created=T0, deadline=T0 + DAY))
        self.assertEqual(info.order_id, pay.order_id(1, 7))
        self.assertEqual((info.state, info.amount, info.created, info.deadline), (pay.State.CREATED, Decimal("50.00"),
                                                                                  T0, T0 + DAY))
        self.assertTrue(info.open)
        self.assertIsNone(info.resolved)
        self.assertEqual(site.account(1).balance, Decimal("0.00"))  # reserved, not credited
        # the same order again: unchanged
        self.assertEqual(pay.create(site, pay.Order(1, 7, Decimal("50.00"), T0, T0 + DAY)), info)
        before = books(site)
        # a wrong amount: refused, both amounts named, nothing changed
        with self.assertRaises(prepay.PaymentError) as cm:
            pay.notify(site, info.order_id, "49.99", at=T0 + MIN)
        self.assertIsInstance(cm.exception, ValueError)
        self.assertEqual(cm.exception.code, prepay.Status.E_PAYMENT_AMOUNT_MISMATCH)
        self.assertIn("50.00", str(cm.exception))
        self.assertIn("49.99", str(cm.exception))
        self.assertEqual(books(site), before)
        # a query that says "still waiting": nothing to do
        r = pay.notify(site, info.order_id, "50.00", at=T0 + MIN, status=pay.ChannelStatus.WAITING)
        self.assertEqual((r.order.state, len(r), r.duplicate), (pay.State.CREATED, 0, False))
        self.assertEqual(books(site), before)
        # paid: 50.00 credited as the account's first recharge
        r = pay.notify(site, info.order_id, "50.00", at=T0 + 2 * MIN)
        self.assertFalse(r.duplicate)
        self.assertEqual(r.order.state, pay.State.PAID)
        self.assertEqual(r.order.resolved, T0 + 2 * MIN)
        self.assertEqual(st.split_transfer_id(r.order.resolved_by)[0], st.IdKind.RECHARGE)
        self.assertEqual(r.split, st.Split(Decimal("0.00"), Decimal("0.00"), Decimal("50.00")))
        self.assertEqual([e.type for e in r], [st.EventType.RECHARGE])
        self.assertEqual(r.events[0].amount, Decimal("50.00"))
        self.assertEqual((site.account(1).balance, site.account(1).recharges), (Decimal("50.00"), 1))
        self.assertEqual(pay.lookup(site, info.order_id), r.order)
        self.assertEqual(pay.lookup(site.ledger, info.order_id), r.order)
        # the channel retries the same notify: nothing changes, the recorded outcome comes back
        after = books(site)
        again = pay.notify(site, info.order_id, "50.00", at=T0 + 3 * MIN)
        self.assertTrue(again.duplicate)
        self.assertEqual(again.order, r.order)
        self.assertEqual(books(site), after)
        # a paid order cannot fail any more
        with self.assertRaises(prepay.PaymentError) as cm:
            pay.notify(site, info.order_id, "50.00", at=T0 + 4 * MIN, status=pay.ChannelStatus.FAILED)
        self.assertEqual(cm.exception.code, prepay.Status.E_PAYMENT_ALREADY_PAID)
        self.assertNotIsInstance(cm.exception, ValueError)
        site.verify()

    def test_failed_then_paid_is_closed(self):
        site = self.site
        oid = pay.create(site, pay.Order(2, 1, "20.00", T0, T0 + DAY)).order_id
        r = pay.notify(site, oid, "20.00", at=T0 + MIN, status=pay.ChannelStatus.FAILED)
        self.assertEqual(r.order.state, pay.State.VOIDED)
        (failed,) = r.events
        self.assertEqual((failed.type, failed.account_id, failed.amount),
                         (st.EventType.PAYMENT_FAILED, 2, Decimal("20.00")))
        self.assertEqual(st.split_transfer_id(r.order.resolved_by)[0], pay.KIND_VOID)
        self.assertTrue(pay.notify(site, oid, "20.00", at=T0 + MIN, status=pay.ChannelStatus.FAILED).duplicate)
        before = books(site)
        with self.assertRaises(prepay.PaymentError) as cm:
            pay.notify(site, oid, "20.00", at=T0 + 2 * MIN)
        self.assertEqual(cm.exception.code, prepay.Status.E_PAYMENT_CLOSED)
        self.assertEqual(books(site), before)
        self.assertEqual(site.account(2).balance, Decimal("0.00"))

    def test_expired(self):
        site = self.site
        oid = pay.create(site, pay.Order(1, 3, "10.00", T0, T0 + DAY)).order_id
        self.assertEqual(site.ledger.expire(T0 + DAY - MIN), [])
        self.assertEqual(site.ledger.expire(T0 + DAY), [oid])
        self.assertEqual(pay.lookup(site, oid).state, pay.State.EXPIRED)
        with self.assertRaises(prepay.PaymentError) as cm:
            pay.notify(site, oid, "10.00", at=T0 + DAY)
        self.assertEqual(cm.exception.code, prepay.Status.E_PAYMENT_CLOSED)

    def test_refused_input_changes_nothing(self):
        site = self.site
        pay.create(site, pay.Order(1, 7, "50.00", T0, T0 + DAY))
        before = books(site)
        with self.assertRaises(KeyError) as cm:
            pay.notify(site, pay.order_id(1, 99), "50.00", at=T0)
        self.assertIsInstance(cm.exception, prepay.PaymentError)
        with self.assertRaises(KeyError):
            pay.lookup(site, pay.order_id(1, 99))
        with self.assertRaises(KeyError):
            pay.lookup(site, st.transfer_id(st.IdKind.RECHARGE, 1, 1))  # a transfer, but no order
        with self.assertRaises(ValueError) as cm:  # the same number, another amount
            pay.create(site, pay.Order(1, 7, "50.01", T0, T0 + DAY))
        self.assertEqual(cm.exception.code, prepay.Status.E_PAYMENT_CONFLICT)
        with self.assertRaises(KeyError):  # no such account
            pay.create(site, pay.Order(3, 1, "5.00", T0, T0 + DAY))
        for bad in (pay.Order(1, 8, "0.00", T0, T0 + DAY), pay.Order(1, 8, "5.00", T0, T0),
                    pay.Order(1, 0, "5.00", T0, T0 + DAY)):
            with self.assertRaises(ValueError):
                pay.create(site, bad)
        with self.assertRaises(ValueError):
            pay.create(site, pay.Order(1, 8, "5.001", T0, T0 + DAY))  # more than 2 decimals: never rounded
        with self.assertRaises(ValueError):
            pay.notify(site, pay.order_id(1, 7), "50.00", at=T0, status=9)
        self.assertEqual(books(site), before)
        with self.assertRaises(ValueError):
            pay.order_id(1, 0)

    def test_aware_times_use_the_site_zone(self):
        shanghai = _shanghai()
        site = site_of(zone=shanghai).open(Ledger(accounts=32, transfers=1024))
        utc = datetime.timezone.utc
        info = pay.create(site, pay.Order(1, 1, "5.00", datetime.datetime(2024, 1, 10, 1, 0, tzinfo=utc),
                                          datetime.datetime(2024, 1, 11, 1, 0, tzinfo=utc)))
        self.assertEqual(info.created, datetime.datetime(2024, 1, 10, 9, 0))  # UTC+8 local time
        with self.assertRaises(ValueError):  # no zone known: refused, never misread
            pay.create(self.site, pay.Order(1, 1, "5.00", datetime.datetime(2024, 1, 10, tzinfo=utc), T0 + DAY))


def _shanghai():
    try:
        return zoneinfo.ZoneInfo("Asia/Shanghai")
    except zoneinfo.ZoneInfoNotFoundError:
        return datetime.timezone(datetime.timedelta(hours=8), "UTC+08:00")


class Statements(unittest.TestCase):
    def test_parse(self):
        oid = pay.order_id(1, 7)
        text = ("\ufefforder_id,amount,status,time\r\n"
                "# a comment\n"
                f"{oid},50.00,PAID,2024-01-10 09:02:00\n"
                "\n"
                f" \"{pay.order_id(1, 8)}\" , 1.5 ,SUCCESS,\"2024-01-10 10:00:00\"\n"
                f"{pay.order_id(2, 1)},20,REFUND,2024-01-11 00:00:00")
        records = pay.parse_statement(text)
        self.assertEqual(records, [
            pay.StatementRecord(oid, Decimal("50.00"), datetime.datetime(2024, 1, 10, 9, 2), pay.StatementStatus.PAID),
            pay.StatementRecord(pay.order_id(1, 8), Decimal("1.50"), datetime.datetime(2024, 1, 10, 10),
                                pay.StatementStatus.PAID),
            pay.StatementRecord(pay.order_id(2, 1), Decimal("20.00"), datetime.datetime(2024, 1, 11),
                                pay.StatementStatus.REFUNDED)])
        self.assertEqual(pay.parse_statement(text.encode("utf-8")), records)
        self.assertEqual(pay.parse_statement(""), [])

    def test_bad_line_is_named(self):
        oid = pay.order_id(1, 7)
        for bad, line in ((f"{oid},50.00,PAID,2024-01-10 09:02:00\n{oid},50.001,PAID,2024-01-10 09:02:00", 2),
                          (f"{oid},50.00,PAID", 1), (f"{oid},50.00,MAYBE,2024-01-10 09:02:00", 1),
                          (f"{oid},-1.00,PAID,2024-01-10 09:02:00", 1), (f"x{oid},1.00,PAID,2024-01-10 09:02:00", 1)):
            with self.assertRaises(prepay.PaymentError) as cm:
                pay.parse_statement(bad)
            self.assertIsInstance(cm.exception, ValueError)
            self.assertEqual(cm.exception.code, prepay.Status.E_PAYMENT_STATEMENT)
            self.assertIn(f"line {line}", str(cm.exception))

    def test_load(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "statement.csv")
            rows = "".join(f"{pay.order_id(1, n)},{n}.00,PAID,2024-01-10 09:00:00\n" for n in range(1, 3001))
            with open(path, "w", encoding="utf-8") as f:
                f.write("order_id,amount,status,time\n" + rows)
            records = pay.load_statement(path)
            self.assertEqual(len(records), 3000)  # more than one read buffer's worth
            self.assertEqual(records[-1].amount, Decimal("3000.00"))
            with self.assertRaises(FileNotFoundError) as cm:
                pay.load_statement(os.path.join(tmp, "missing.csv"))
            self.assertIsInstance(cm.exception, prepay.Error)

    def test_reconcile_by_hand(self):
        site = site_of().open(Ledger(accounts=32, transfers=1024))
        orders = {n: pay.create(site, pay.Order(1, n, amount, T0, T0 + DAY)).order_id
                  for n, amount in ((7, "50.00"), (10, "30.00"), (11, "10.00"), (12, "5.00"))}
        for n, amount in ((7, "50.00"), (10, "30.00"), (11, "10.00")):
            pay.notify(site, orders[n], amount, at=T0 + MIN)
        late = pay.create(site, pay.Order(2, 1, "8.00", T0 + DAY, T0 + 2 * DAY)).order_id  # created after the period
        pay.notify(site, late, "8.00", at=T0 + DAY)
        at = T0 + MIN
        statement = [pay.StatementRecord(orders[7], Decimal("50.00"), at),          # matched
                     pay.StatementRecord(orders[10], Decimal("31.00"), at),         # the channel says 31.00
                     pay.StatementRecord(orders[12], Decimal("5.00"), at),          # paid, never notified
                     pay.StatementRecord(orders[11], Decimal("10.00"), at, pay.StatementStatus.REFUNDED)]
        rec = pay.reconcile(site, statement, datetime.date(2024, 1, 10), datetime.date(2024, 1, 11))
        self.assertEqual((rec.matched, rec.amount_differs, rec.missing_in_ledger, rec.missing_in_statement,
                          rec.refunded, rec.matched_amount), (1, 1, 1, 1, 1, Decimal("50.00")))
        self.assertFalse(rec.clean)
        by_order = {line.order_id: line for line in rec}
        self.assertEqual(len(rec), 4)
        self.assertEqual(by_order[orders[7]].match, pay.Match.MATCHED)
        self.assertEqual((by_order[orders[10]].match, by_order[orders[10]].ledger_amount,
                          by_order[orders[10]].statement_amount),
                         (pay.Match.AMOUNT_DIFFERS, Decimal("30.00"), Decimal("31.00")))
        self.assertEqual((by_order[orders[12]].match, by_order[orders[12]].ledger_state),
                         (pay.Match.MISSING_IN_LEDGER, pay.State.CREATED))
        # order 11 was credited but the statement lists it only as refunded
        self.assertEqual((by_order[orders[11]].match, by_order[orders[11]].ledger_amount),
                         (pay.Match.MISSING_IN_STATEMENT, Decimal("10.00")))
        self.assertNotIn(late, by_order)
        self.assertEqual(pay.match_name(pay.Match.MISSING_IN_LEDGER), "missing_in_ledger")
        self.assertEqual(str(by_order[orders[7]]), f"{orders[7]} matched 50.00 50.00")
        self.assertEqual(rec.of(pay.Match.MATCHED), [by_order[orders[7]]])
        paid = [pay.StatementRecord(orders[n], Decimal(a), at) for n, a in ((7, "50.00"), (10, "30.00"), (11, "10.00"))]
        clean = pay.reconcile(site.ledger, paid, T0, T0 + MIN)
        self.assertTrue(clean.clean)
        self.assertEqual((clean.matched, clean.matched_amount), (3, Decimal("90.00")))
        with self.assertRaises(ValueError):
            pay.reconcile(site, [pay.StatementRecord(orders[7], Decimal("0.00"), at)], T0, T0 + DAY)


class Durable(unittest.TestCase):
    def test_orders_survive_a_reopen(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "site.journal")
            with site_of().open(journal=path) as site:
                paid = pay.create(site, pay.Order(1, 1, "50.00", T0, T0 + DAY)).order_id
                waiting = pay.create(site, pay.Order(1, 2, "9.00", T0, T0 + DAY)).order_id
                pay.notify(site, paid, "50.00", at=T0 + MIN)
            ledger = Ledger(accounts=32, transfers=1024)
            with Journal.open(path, ledger) as journal:
                again = site_of().open(ledger, journal)
                self.assertEqual(pay.lookup(again, paid).state, pay.State.PAID)
                self.assertEqual(pay.lookup(again, waiting).state, pay.State.CREATED)
                self.assertTrue(pay.notify(again, paid, "50.00", at=T0 + 2 * MIN).duplicate)
                pay.notify(again, waiting, "9.00", at=T0 + 2 * MIN)
                self.assertEqual(again.ledger_balance(1), Decimal("59.00"))
                again.verify()


if __name__ == "__main__":
    unittest.main()
