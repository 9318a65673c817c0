# SPDX-License-Identifier: MIT
"""prepay.outbox: deliveries routed by policy, the retry schedule worked by hand (backoff 60 s, 600 s:
attempts at 0, 60, 660 s, exhausted from 1260 s), acks and their repeats, dedupe keys, a full outbox
that is reported, and an outbox recovered from the site's journal with its attempts and acks."""
import datetime
import os
import tempfile
import unittest
from decimal import Decimal

import prepay
from prepay import outbox as ob
from prepay import payment as pay
from prepay import settlement as st
from prepay.journal import Journal
from prepay.ledger import Ledger
from prepay.tariff import Tariff

FLAT = ('{"format": "prepay-tariff/1", "name": "flat 0.50", "source": {"notice": "test"}, "bands": ["flat"],'
        ' "prices": {"bands": {"flat": "0.50"}}}')
T0 = datetime.datetime(2024, 1, 10, 9, 0)
S = datetime.timedelta(seconds=1)
E = st.EventType
C = ob.Channel

DEFAULT = ob.Policy(0, {E.RECHARGE: {C.SMS, C.APP_PUSH}, E.CUTOFF: C.SMS, E.PAYMENT_FAILED: {C.WECHAT}})
QUIET = ob.Policy(2, {E.RECHARGE: {C.EMAIL}})


def site_of():
    site = st.Site([Tariff.loads(FLAT)], period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 2, 1),
                   accounts=4, meters=4, postpaid=1)
    site.add_account(st.Account(1))
    site.add_account(st.Account(2))
    site.add_meter(st.Meter(11, account_id=1))
    return site


class Routing(unittest.TestCase):
    def test_policy(self):
        box = ob.Outbox([QUIET, DEFAULT], backoff=[60])
        self.assertEqual(box.route(1, E.RECHARGE), {C.SMS, C.APP_PUSH})
        self.assertEqual(box.route(2, E.RECHARGE), {C.EMAIL})   # its own policy
        self.assertEqual(box.route(2, E.CUTOFF), set())         # ... which does not route cut-offs
        self.assertEqual(box.route(1, E.ALARM_LEVEL), set())
        self.assertEqual(box.route(1, 200), set())
        everything = ob.Outbox([ob.Policy.every({C.VOICE})], backoff=[60])
        self.assertEqual(everything.route(9, E.DEBT_CREATED), {C.VOICE})
        self.assertEqual(everything.route(9, E.PAYMENT_FAILED), {C.VOICE})

    def test_bad_configuration(self):
        for kw in ({"backoff": []}, {"backoff": [0]}, {"backoff": [60] * 33}, {"policies": [DEFAULT, DEFAULT]},
                   {"backoff": [datetime.timedelta(milliseconds=1500)]}):
            with self.assertRaises(prepay.OutboxError) as cm:
                ob.Outbox(**kw)
            self.assertIsInstance(cm.exception, ValueError)
        with self.assertRaises(ValueError):
            ob.Policy(0, {64: {C.SMS}})._c()
        with self.assertRaises(ValueError):
            ob.Policy(0, {E.CUTOFF: {8}})._c()
        with self.assertRaises(ValueError):
            ob.Outbox(capacity=0)

    def test_dedupe_key(self):
        self.assertEqual(ob.dedupe_key(0x0123456789ABCDEF << 64 | 0xFEDCBA9876543210, 3),
                         "0123456789abcdeffedcba9876543210-3")
        with self.assertRaises(ValueError):
            ob.dedupe_key(1, 8)
        with self.assertRaises(ValueError):
            ob.dedupe_key(1 << 128, 0)


class Delivery(unittest.TestCase):
    def setUp(self):
        self.site = site_of().open(Ledger(accounts=32, transfers=1024))
        self.box = ob.Outbox([DEFAULT, QUIET], backoff=[60, 600])
        self.site.attach_outbox(self.box)

    def test_schedule_by_hand(self):
        site, box = self.site, self.box
        (recharge,) = site.recharge(1, "50.00", at=T0)
        self.assertEqual(len(box), 2)
        sms = box.find(recharge.id, C.SMS)
        self.assertEqual((sms.type, sms.account_id, sms.amount, sms.balance, sms.state, sms.attempts, sms.due),
                         (E.RECHARGE, 1, Decimal("50.00"), Decimal("50.00"), ob.State.PENDING, 0, T0))
        self.assertEqual(sms.dedupe_key, ob.dedupe_key(recharge.id, C.SMS))
        self.assertIsNone(box.find(recharge.id, C.EMAIL))
        self.assertEqual(box.take_due(T0 - S), [])
        first = box.take_due(T0)
        self.assertEqual([(d.channel, d.attempts, d.last_attempt, d.due) for d in first],
                         [(C.SMS, 1, T0, T0 + 60 * S), (C.APP_PUSH, 1, T0, T0 + 60 * S)])
        self.assertTrue(box.ack(first[1], T0 + S))
        self.assertFalse(box.ack((recharge.id, C.APP_PUSH), T0 + 2 * S))  # the channel acked twice
        self.assertEqual(box.find(recharge.id, C.APP_PUSH).acked, T0 + S)
        self.assertEqual(box.take_due(T0 + 59 * S), [])
        (second,) = box.take_due(T0 + 60 * S)
        self.assertEqual((second.channel, second.attempts, second.due), (C.SMS, 2, T0 + 660 * S))
        (third,) = box.take_due(T0 + 660 * S)  # the last attempt still waits one step for its ack
        self.assertEqual((third.attempts, third.state, third.due), (3, ob.State.PENDING, T0 + 1260 * S))
        self.assertEqual(box.take_due(T0 + 1260 * S), [])
        self.assertEqual(box.find(recharge.id, C.SMS).state, ob.State.EXHAUSTED)
        self.assertEqual(box.counts(), ob.Counts(0, 1, 1))
        self.assertEqual([d.state for d in box.deliveries(ob.State.EXHAUSTED)], [ob.State.EXHAUSTED])
        self.assertIn("exhausted after 3 attempt(s)", str(box.find(recharge.id, C.SMS)))
        self.assertEqual(box.compact(), 2)
        self.assertEqual(len(box), 0)

    def test_take_due_limit_and_account_policy(self):
        site, box = self.site, self.box
        site.recharge(1, "50.00", at=T0)
        site.recharge(2, "10.00", at=T0)
        self.assertEqual(len(box), 3)
        taken = box.take_due(T0, limit=2)
        self.assertEqual(len(taken), 2)
        (last,) = box.take_due(T0)
        self.assertEqual((last.account_id, last.channel), (2, C.EMAIL))
        self.assertEqual(box.take_due(T0, limit=0), [])

    def test_repeats_add_nothing(self):
        site, box = self.site, self.box
        site.recharge(1, "50.00", at=T0, sequence=1)
        site.recharge(1, "50.00", at=T0, sequence=1)  # a repeat: the same event id
        self.assertEqual(len(box), 2)
        (event,) = site_of().open(Ledger(accounts=32, transfers=1024)).recharge(1, "50.00", at=T0)
        self.assertEqual(box.add(event), 0)  # already held: the dedupe memory
        with self.assertRaises(KeyError) as cm:
            box.ack((event.id, C.EMAIL), T0)
        self.assertIsInstance(cm.exception, prepay.OutboxError)

    def test_payment_failure_is_delivered(self):
        oid = pay.create(self.site, pay.Order(1, 1, "20.00", T0, T0 + 3600 * S)).order_id
        (failed,) = pay.notify(self.site, oid, "20.00", at=T0 + S, status=pay.ChannelStatus.FAILED)
        d = self.box.find(failed.id, C.WECHAT)
        self.assertEqual((d.type, d.amount), (E.PAYMENT_FAILED, Decimal("20.00")))

    def test_add_by_hand(self):
        box = ob.Outbox([DEFAULT], backoff=[60])
        (event,) = site_of().open(Ledger(accounts=32, transfers=1024)).recharge(1, "50.00", at=T0)
        self.assertEqual(box.add(event), 2)
        self.assertEqual(box.add(event), 0)
        self.assertEqual({d.channel for d in box}, {C.SMS, C.APP_PUSH})

    def test_full_outbox_is_reported(self):
        site = site_of().open(Ledger(accounts=32, transfers=1024))
        box = ob.Outbox([DEFAULT], backoff=[60], capacity=1)
        site.attach_outbox(box)
        with self.assertRaises(prepay.OutboxError) as cm:
            site.recharge(1, "50.00", at=T0)  # two deliveries, room for one: none recorded
        self.assertEqual(cm.exception.code, prepay.Status.E_OUTBOX_FULL)
        self.assertIn("books were posted", str(cm.exception))
        self.assertEqual(site.account(1).balance, Decimal("50.00"))
        self.assertEqual(len(box), 0)
        site.attach_outbox(None)
        site.recharge(1, "10.00", at=T0)  # detached: nothing recorded, nothing raised
        self.assertEqual(len(box), 0)


class Durable(unittest.TestCase):
    def test_recovered_with_the_ledger(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "site.journal")
            ledger = Ledger(accounts=32, transfers=1024)
            box = ob.Outbox([DEFAULT], backoff=[60, 600])
            with Journal.open(path, ledger, outbox=box) as journal:
                self.assertIs(box.journal, journal)
                site = site_of().open(ledger, journal)
                site.attach_outbox(box)
                (event,) = site.recharge(1, "50.00", at=T0)
                taken = box.take_due(T0)
                box.ack(taken[0], T0 + S)
                before = [(d.event_id, d.channel, d.state, d.attempts, d.due, d.acked) for d in box]
                with self.assertRaises(ValueError):  # an outbox bound to another journal
                    other = site_of().open(Ledger(accounts=32, transfers=1024))
                    other.attach_outbox(ob.Outbox([DEFAULT], journal=journal))
            # a new process: the ledger and the outbox come back together
            ledger = Ledger(accounts=32, transfers=1024)
            again = ob.Outbox([DEFAULT], backoff=[60, 600])
            with Journal.open(path, ledger, outbox=again) as journal:
                self.assertEqual([(d.event_id, d.channel, d.state, d.attempts, d.due, d.acked) for d in again], before)
                site = site_of().open(ledger, journal)
                site.attach_outbox(again)
                self.assertTrue(site.recharge(1, "50.00", at=T0, sequence=1).repeat)
                self.assertEqual(len(again), 2)
                (retry,) = again.take_due(T0 + 60 * S)
                self.assertEqual((retry.event_id, retry.attempts), (event.id, 2))
                with self.assertRaises(ValueError):  # only a new, empty outbox can be recovered into
                    Journal.open(os.path.join(tmp, "other.journal"), Ledger(), outbox=again)


if __name__ == "__main__":
    unittest.main()
