# SPDX-License-Identifier: MIT
"""prepay.settlement: the remote flow of tests/settlement/test_settlement_readings.c worked by hand
(0.50 yuan/kWh flat, the default policy: alarm 1 at 20.00, pre-trip at 10.00, cut-off at 0), to the
fen; re-runs that change nothing; bad input that changes nothing; replies; a month close with a
master meter; a journal that survives a reopen."""
import datetime
import os
import tempfile
import unittest
import zoneinfo
from decimal import Decimal

import prepay
from prepay import settlement as st
from prepay.ledger import Ledger
from prepay.tariff import Tariff

FLAT = ('{"format": "prepay-tariff/1", "name": "flat 0.50", "source": {"notice": "test"}, "bands": ["flat"],'
        ' "prices": {"bands": {"flat": "0.50"}}}')
T0 = datetime.datetime(2024, 1, 10)
H = datetime.timedelta(hours=1)
SITE_ELECTRICITY = st.ledger_account_id(0, st.SiteRole.ELECTRICITY)
SITE_CLEARING = st.ledger_account_id(0, st.SiteRole.CLEARING)



def _shanghai():
    """Asia/Shanghai from the system's zone database, or its fixed UTC+8 offset where there is none."""
    try:
        return zoneinfo.ZoneInfo("Asia/Shanghai")
    except zoneinfo.ZoneInfoNotFoundError:
        return datetime.timezone(datetime.timedelta(hours=8), "UTC+08:00")


SHANGHAI = _shanghai()

def one_remote(**kw):
    site = st.Site([Tariff.loads(FLAT, zone=kw.pop("zone", None))], period_start=datetime.date(2024, 1, 1),
                   period_end=datetime.date(2024, 2, 1), accounts=4, meters=8, postpaid=1, **kw)
    site.add_account(st.Account(1))
    site.add_meter(st.Meter(11, account_id=1, address="000000000011"))
    return site


def reply(address, hundredths_kwh):
    """A DL/T 645-2007 read reply (control 0x91) of forward active total energy (DI 00 01 00 00, XXXXXX.XX
    kWh in BCD, least significant byte first; the frame encoder adds 0x33 to each data byte)."""
    bcd = bytes(int(f"{hundredths_kwh:08d}"[i:i + 2], 16) for i in (6, 4, 2, 0))
    data = (0x00010000).to_bytes(4, "little") + bcd
    return prepay.dlt645.Frame.build(address, 0x91, data).encode()


def books(site):
    """Everything that must not change under a refused or repeated input."""
    return ([(a.id, a.balance, a.debt, a.recharged, a.energy, a.recharges, a.level, a.relay) for a in site.accounts()],
            [(m.id, m.time, m.reading, m.total) for m in site.meters()], len(site.ledger),
            site.ledger.balance(SITE_ELECTRICITY).balance)


class RemoteFlowByHand(unittest.TestCase):
    def test_flow(self):
        site = one_remote().open(Ledger(accounts=32, transfers=1024))
        r = site.recharge(1, "50.00", at=T0)
        self.assertEqual(site.account(1).balance, Decimal("50.00"))
        self.assertEqual([e.type for e in r], [st.EventType.RECHARGE])
        self.assertEqual(r.outcomes, ())
        res = site.settle([st.Reading(11, T0, 0)])
        self.assertEqual([o.kind for o in res.outcomes], [st.OutcomeKind.PRIMED])
        # 10 kWh x 0.50 = 5.00
        res = site.settle([st.Reading(11, T0 + H, 10000)])
        self.assertEqual(res.outcomes[0].kind, st.OutcomeKind.SETTLED)
        self.assertEqual(res.posted, Decimal("5.00"))
        self.assertEqual(site.account(1).balance, Decimal("45.00"))
        self.assertEqual(res.of_type(st.EventType.ALARM_LEVEL), [])
        # 50 kWh = 25.00 -> 20.00: alarm 1
        res = site.settle([(11, T0 + 2 * H, 60000)])
        self.assertEqual(site.account(1).balance, Decimal("20.00"))
        (alarm,) = res.of_type(st.EventType.ALARM_LEVEL)
        self.assertEqual((alarm.from_level, alarm.level), (0, 1))
        self.assertEqual(len(res.of_type(st.EventType.LOW_BALANCE)), 1)
        # 20 kWh = 10.00 -> 10.00: pre-trip, a trip command for meter 11
        res = site.settle([(11, T0 + 3 * H, 80000)])
        self.assertEqual(site.account(1).balance, Decimal("10.00"))
        (cmd,) = res.of_type(st.EventType.COMMAND)
        self.assertEqual((cmd.command, cmd.account_id), (prepay.RelayCommand.TRIP, 1))
        self.assertEqual(site.account(1).relay, prepay.WalletRelay.OPEN)
        # 20 kWh -> 0.00: cut-off
        res = site.settle([(11, T0 + 4 * H, 100000)])
        self.assertEqual(site.account(1).balance, Decimal("0.00"))
        self.assertEqual(len(res.of_type(st.EventType.CUTOFF)), 1)
        # 10 kWh more (5.00) cannot come from the wallet: debt
        res = site.settle([(11, T0 + 5 * H, 110000)])
        (debt,) = res.of_type(st.EventType.DEBT_CREATED)
        self.assertEqual(debt.amount, Decimal("5.00"))
        self.assertEqual((site.account(1).balance, site.account(1).debt), (Decimal("0.00"), Decimal("5.00")))
        # recharge 20.00: 5.00 repays the debt, 15.00 credits the balance; restore: close allowed
        r = site.recharge(1, Decimal("20.00"), at=T0 + 6 * H, order_id=77)
        self.assertEqual(r.sequence, 2)
        self.assertEqual(r.split, st.Split(Decimal("0.00"), Decimal("5.00"), Decimal("15.00")))
        self.assertFalse(r.repeat)
        self.assertEqual(site.account(1).balance, Decimal("15.00"))
        self.assertEqual(site.account(1).debt, Decimal("0.00"))
        self.assertEqual(len(r.of_type(st.EventType.RESTORED)), 1)
        self.assertEqual(len(r.of_type(st.EventType.DEBT_REPAID)), 1)
        self.assertEqual(r.events[-1].type, st.EventType.COMMAND)
        self.assertEqual(r.events[-1].command, prepay.RelayCommand.CLOSE_ALLOWED)
        # the books: wallet 15.00, revenue 55.00, clearing -70.00, debt account 0
        self.assertEqual(site.ledger_balance(1), Decimal("15.00"))
        self.assertEqual(site.ledger_balance(0, st.SiteRole.ELECTRICITY), Decimal("55.00"))
        self.assertEqual(site.ledger_balance(0, st.SiteRole.CLEARING), Decimal("-70.00"))
        self.assertEqual(site.ledger_balance(1, st.Role.DEBT), Decimal("0.00"))
        # the recharge transfer carries the settlement id scheme's key
        key = st.transfer_id(st.IdKind.RECHARGE, 1, 2)
        self.assertIsNotNone(site.ledger.lookup(key))
        self.assertEqual(site.ledger.lookup(key).transfer.order_id, 77)
        self.assertEqual(st.split_transfer_id(key), (st.IdKind.RECHARGE, 1, 2, 0))
        # the same recharge again: a harmless repeat with the recorded split; another amount: a conflict
        before = books(site)
        again = site.recharge(1, Decimal("20.00"), at=T0 + 6 * H, sequence=2, order_id=77)
        self.assertTrue(again.repeat)
        self.assertEqual(again.split.to_debt, Decimal("5.00"))
        self.assertEqual(books(site), before)
        with self.assertRaises(prepay.SettlementError) as cm:
            site.recharge(1, Decimal("20.01"), at=T0 + 6 * H, sequence=2)
        self.assertEqual(cm.exception.code, prepay.Status.E_SETTLEMENT_CONFLICT)
        self.assertIsInstance(cm.exception, ValueError)
        with self.assertRaises(prepay.SettlementError) as cm:
            site.recharge(1, Decimal("1.00"), at=T0 + 6 * H, sequence=4)
        self.assertEqual(cm.exception.code, prepay.Status.E_SETTLEMENT_SEQUENCE)
        self.assertEqual(books(site), before)
        site.verify()

    def test_rerun_changes_nothing(self):
        site = one_remote().open()
        site.recharge(1, "50.00", at=T0)
        batch = [st.Reading(11, T0 + i * H, 7000 * i) for i in range(6)]
        first = site.settle(batch)
        self.assertEqual(first.settled, 5)
        before = books(site)
        again = site.settle(reversed(batch))
        self.assertEqual(books(site), before)
        self.assertEqual({o.kind for o in again.outcomes}, {st.OutcomeKind.DUPLICATE, st.OutcomeKind.LATE})
        self.assertEqual(site.account(1).balance, Decimal("50.00") - Decimal("0.50") * 35)
        # a new site over the same ledger re-runs every input: it finds every transfer, same event ids
        site2 = one_remote().open(site.ledger)
        r = site2.recharge(1, "50.00", at=T0)
        self.assertTrue(r.repeat)
        second = site2.settle(batch)
        self.assertEqual(second.transfers, 0)
        self.assertGreater(second.existed, 0)
        self.assertEqual([e.id for e in second], [e.id for e in first])
        self.assertEqual(len(site2.ledger), before[2])
        site2.verify()

    def test_out_of_order_batch_same_books(self):
        batch = [st.Reading(11, T0 + i * H, 9000 * i) for i in range(8)]
        a = one_remote().open()
        a.recharge(1, "30.00", at=T0)
        a.settle(batch)
        b = one_remote().open()
        b.recharge(1, "30.00", at=T0)
        b.settle(batch[::-1])
        self.assertEqual(books(a), books(b))
        self.assertEqual(a.account(1).debt, Decimal("0.50") * 63 - Decimal("30.00"))

    def test_bad_input_changes_nothing(self):
        site = one_remote().open()
        site.recharge(1, "50.00", at=T0)
        site.settle([(11, T0, 0), (11, T0 + H, 1000)])
        before = books(site)
        # an unknown meter anywhere in the batch: nothing of the batch settles
        with self.assertRaises(KeyError) as cm:
            site.settle([(11, T0 + 2 * H, 2000), (99, T0 + 2 * H, 5)])
        self.assertIsInstance(cm.exception, prepay.SettlementError)
        self.assertIn("reading 1 (meter 99", str(cm.exception))
        self.assertEqual(books(site), before)
        # a conflicting value at the last settled time
        with self.assertRaises(ValueError):
            site.settle([(11, T0 + H, 1500)])
        # a negative register value, a value beyond the modulus
        for bad in (-1, st.DLT645_MODULUS):
            with self.assertRaises(prepay.SettlementError):
                site.settle([(11, T0 + 3 * H, bad)])
        # an unknown account, money with three decimals, a float
        with self.assertRaises(KeyError):
            site.recharge(7, "1.00", at=T0)
        with self.assertRaises(ValueError):
            site.recharge(1, "1.001", at=T0)
        with self.assertRaises(TypeError):
            site.recharge(1, 1.5, at=T0)
        self.assertEqual(books(site), before)
        site.verify()

    def test_setup_errors(self):
        site = one_remote()
        with self.assertRaises(prepay.SettlementError) as cm:
            site.add_account(st.Account(1))
        self.assertEqual(cm.exception.code, prepay.Status.E_SETTLEMENT_DUPLICATE_ID)
        with self.assertRaises(KeyError):
            site.add_meter(st.Meter(12, account_id=5))
        with self.assertRaises(ValueError):
            site.add_meter(st.Meter(13, account_id=1, address="12345"))
        with self.assertRaises(prepay.SettlementError):
            site.settle([(11, T0, 0)])  # not open
        self.assertEqual(list(site.account_ids()), [1])
        self.assertEqual([m.id for m in site.meters()], [11])

    def test_replies(self):
        site = one_remote().open()
        site.recharge(1, "50.00", at=T0)
        frames = [(reply("000000000011", kwh), T0 + i * H) for i, kwh in enumerate((0, 1234))]
        res = site.settle_replies(frames)
        self.assertEqual([o.kind for o in res.outcomes], [st.OutcomeKind.PRIMED, st.OutcomeKind.SETTLED])
        self.assertEqual(site.meter(11).reading, 12340)
        self.assertEqual(site.account(1).balance, Decimal("50.00") - Decimal("6.17"))
        with self.assertRaises(prepay.SettlementError) as cm:
            site.reading_from_reply(b"\x68\x00", T0)
        self.assertEqual(cm.exception.code, prepay.Status.E_SETTLEMENT_REPLY)
        other = reply("000000000099", 100)
        with self.assertRaises(KeyError):
            site.reading_from_reply(other, T0)

    def test_aware_datetimes(self):
        site = one_remote().open()
        utc = datetime.timezone.utc
        with self.assertRaises(ValueError) as cm:
            site.recharge(1, "5.00", at=datetime.datetime(2024, 1, 10, tzinfo=utc))
        self.assertIn("zone", str(cm.exception))
        shanghai = SHANGHAI
        zoned = one_remote(zone=shanghai).open()
        self.assertIs(zoned.zone, shanghai)
        # 2024-01-09 16:00 UTC is 2024-01-10 00:00 in Shanghai
        zoned.settle([(11, datetime.datetime(2024, 1, 9, 16, tzinfo=utc), 0)])
        self.assertEqual(zoned.meter(11).time, T0)


# Tariff E of tests/vectors/settlement_building_year.txt: peak 08:00-22:00 0.70, valley 0.40, monthly
# ladder of 300 kWh with a +0.10 surcharge on every band above it, half-up.
TARIFF_E = """{"format": "prepay-tariff/1", "name": "E", "source": {"notice": "tests/vectors/settlement_building_year.txt"},
 "bands": [{"name": "peak", "index": 1}, {"name": "valley", "index": 2}],
 "prices": {"bands": {"peak": "0.70", "valley": "0.40"}, "tier_surcharges": ["0.10"]},
 "schedule": {"day_tables": {"all": [{"start": "08:00", "band": "peak"}, {"start": "22:00", "band": "valley"}]},
              "seasons": [{"start": "01-01", "week": "all"}]},
 "tiers": {"cycle": "month", "bounds": ["300"], "tou_mode": "surcharge"},
 "rounding": {"scope": "bill", "mode": "half_up"}}"""


class BuildingYearVector(unittest.TestCase):
    """January of rooms 4 and 192 of tests/vectors/settlement_building_year.txt (worked by hand there):
    readings every 6 hours at constant power, 100.00 paid on Jan 1, a "prompt" tenant paying 100.00 at
    the first 06:00 round after a low-balance event."""

    def january(self, meters):
        site = st.Site([Tariff.loads(TARIFF_E)], period_start=datetime.date(2024, 1, 1),
                       period_end=datetime.date(2024, 2, 1), accounts=2, meters=4, postpaid=1)
        site.add_account(st.Account(1))
        for meter_id in meters:
            site.add_meter(st.Meter(meter_id, account_id=1))
        site.open()
        site.recharge(1, "100.00", at=datetime.datetime(2024, 1, 1))
        balances, owe_payment = {}, False
        at = datetime.datetime(2024, 1, 1)
        rounds = 0
        while at <= datetime.datetime(2024, 2, 1):
            res = site.settle([(m, at, 6 * p * rounds) for m, p in meters.items()])
            if res.of_type(st.EventType.LOW_BALANCE):
                owe_payment = True
            if owe_payment and at.hour == 6 and not res.of_type(st.EventType.LOW_BALANCE):
                site.recharge(1, "100.00", at=at)
                owe_payment = False
            balances[at] = site.account(1).balance
            at += datetime.timedelta(hours=6)
            rounds += 1
        site.verify()
        return site, balances

    def test_room_4(self):
        # 100 W: 24, 36, 42, 36 fen per interval, 1.38 a day, 42.78 in January; 100.00 - 42.78 = 57.22
        site, balances = self.january({40: 100})
        self.assertEqual(site.account(1).energy, Decimal("42.78"))
        self.assertEqual(balances[datetime.datetime(2024, 2, 1)], Decimal("57.22"))
        self.assertEqual(balances[datetime.datetime(2024, 1, 1, 12)], Decimal("99.40"))  # 0.24 + 0.36

    def test_room_192_household(self):
        # meters 1920 (300 W) and 1921 (200 W) share one ladder and one wallet
        site, balances = self.january({1920: 300, 1921: 200})
        self.assertEqual(balances[datetime.datetime(2024, 1, 12, 18)], Decimal("19.00"))   # low balance
        self.assertEqual(balances[datetime.datetime(2024, 1, 13, 6)], Decimal("116.00"))   # paid after the round
        self.assertEqual(balances[datetime.datetime(2024, 1, 26)], Decimal("27.50"))       # ladder used up
        self.assertEqual(balances[datetime.datetime(2024, 1, 27)], Decimal("19.40"))       # low balance
        self.assertEqual(balances[datetime.datetime(2024, 1, 27, 6)], Decimal("117.90"))
        self.assertEqual(balances[datetime.datetime(2024, 2, 1)], Decimal("78.90"))
        self.assertEqual(site.account(1).energy, Decimal("221.10"))  # 31 x 6.90 + 72 kWh x 0.10
        self.assertEqual(site.account(1).recharged, Decimal("300.00"))


class MonthClose(unittest.TestCase):
    def test_master_meter_and_postpaid(self):
        """Two rooms of 30 and 10 m2 under a master meter; 0.50 yuan/kWh. January: master 100 kWh,
        rooms 40 + 20 kWh: common 40 kWh = 20.00 yuan, by area 15.00 and 5.00."""
        t = Tariff.loads(FLAT)
        site = st.Site([t], period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 2, 1),
                       accounts=4, meters=4, groups=1, members=2, postpaid=1)
        site.add_account(st.Account(1, area="30"))
        site.add_account(st.Account(2, kind=st.AccountKind.POSTPAID, area="10"))
        site.add_meter(st.Meter(10))  # the master meter: a site meter
        site.add_meter(st.Meter(11, account_id=1))
        site.add_meter(st.Meter(12, account_id=2))
        site.add_group(st.Group(1, master_meter_id=10, members=[11, 12], method=st.Method.AREA))
        site.open()
        site.recharge(1, "100.00", at=datetime.datetime(2024, 1, 1))
        start, end = datetime.datetime(2024, 1, 1), datetime.datetime(2024, 2, 1)
        site.settle([(10, start, 0), (11, start, 0), (12, start, 0)])
        site.settle([(10, end, 100000), (11, end, 40000), (12, end, 20000)])
        close = site.close_period(datetime.date(2024, 3, 1))
        shares = {e.account_id: e.amount for e in close.of_type(st.EventType.SHARE)}
        self.assertEqual(shares, {1: Decimal("15.00"), 2: Decimal("5.00")})
        self.assertEqual(site.account(1).balance, Decimal("100.00") - Decimal("20.00") - Decimal("15.00"))
        (statement,) = close.statements
        self.assertEqual(statement.account_id, 2)
        self.assertEqual(statement.closing, Decimal("15.00"))  # 10.00 energy + 5.00 common area
        self.assertEqual(site.account(2).owed, Decimal("15.00"))
        self.assertEqual(site.period[0], datetime.datetime(2024, 2, 1))
        before = books(site)
        self.assertTrue(site.close_period(datetime.date(2024, 3, 1)).repeat or site.periods_closed == 1)
        self.assertEqual(books(site), before)
        site.verify()


class Durable(unittest.TestCase):
    def test_journal_reopen_rerun(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "site.journal")
            batch = [st.Reading(11, T0 + i * H, 5000 * i) for i in range(4)]
            with one_remote().open(journal=path) as site:
                site.recharge(1, "20.00", at=T0)
                site.settle(batch)
                expected = books(site)
            # a new process: recover the ledger from the journal, rebuild the site, re-run the inputs
            with one_remote().open(journal=path) as again:
                self.assertEqual(again.ledger_balance(1), Decimal("12.50"))
                self.assertTrue(again.recharge(1, "20.00", at=T0).repeat)
                res = again.settle(batch)
                self.assertEqual(res.transfers, 0)
                self.assertEqual(books(again), expected)
                again.verify()

    def test_refused_input_writes_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "site.journal")
            with one_remote().open(journal=path) as site:
                site.recharge(1, "20.00", at=T0)
                site.settle([(11, T0, 0), (11, T0 + H, 1000)])
                size = os.path.getsize(path)
                before = books(site)
                with self.assertRaises(KeyError):
                    site.settle([(11, T0 + 2 * H, 2000), (12, T0 + 2 * H, 1)])
                with self.assertRaises(ValueError):
                    site.recharge(1, "5.00", at=T0, sequence=2 + 5)
                self.assertEqual(os.path.getsize(path), size)
                self.assertEqual(books(site), before)
            with self.assertRaises(prepay.SettlementError):
                site.settle([(11, T0 + 3 * H, 3000)])  # its journal is closed

    def test_journal_missing_directory(self):
        with self.assertRaises(FileNotFoundError) as cm:
            one_remote().open(journal="/nonexistent-dir/x.journal")
        self.assertIsInstance(cm.exception, prepay.JournalError)


class Refunds(unittest.TestCase):
    def test_refund_by_hand(self):
        site = one_remote().open(Ledger(accounts=32, transfers=1024))
        site.recharge(1, "50.00", at=T0)
        site.settle([(11, T0, 0), (11, T0 + H, 10000)])  # 10 kWh x 0.50 = 5.00: 45.00 left
        r = site.refund(1, "20.00", at=T0 + 2 * H, order_id=901)
        (e,) = r
        self.assertEqual((e.type, e.amount, e.balance), (st.EventType.REFUND, Decimal("20.00"), Decimal("25.00")))
        self.assertEqual(st.split_transfer_id(e.transfer_id)[:3], (st.IdKind.REFUND, 1, 1))
        view = site.account(1)
        self.assertEqual((view.balance, view.refunded, view.refunds), (Decimal("25.00"), Decimal("20.00"), 1))
        self.assertTrue(site.refund(1, "20.00", at=T0 + 2 * H, sequence=1).repeat)
        with self.assertRaises(ValueError):
            site.refund(1, "20.01", at=T0 + 2 * H, sequence=1)  # the same refund with another amount
        with self.assertRaises(prepay.SettlementError) as cm:
            site.refund(1, "25.01", at=T0 + 3 * H)  # more than the refundable balance
        self.assertEqual(cm.exception.code, prepay.Status.E_SETTLEMENT_BOOKS)
        self.assertIn(prepay.strerror(prepay.Status.E_LEDGER_EXCEEDS_REFUNDABLE), str(cm.exception))
        self.assertEqual(site.account(1).balance, Decimal("25.00"))
        # 10.00 more: 15.00 reaches alarm 1 (20.00)
        r = site.refund(1, "10.00", at=T0 + 3 * H)
        self.assertEqual(len(r.of_type(st.EventType.ALARM_LEVEL)), 1)
        self.assertEqual(site.ledger_balance(0, st.SiteRole.REFUNDS), Decimal("30.00"))
        site.verify()


class Sales(unittest.TestCase):
    def test_sale_to_a_meter_purse(self):
        site = st.Site([Tariff.loads(FLAT)], period_start=datetime.date(2024, 1, 1),
                       period_end=datetime.date(2024, 2, 1), accounts=4, meters=8, postpaid=1)
        site.add_account(st.Account(1, kind=st.AccountKind.PREPAID_LOCAL))
        site.add_account(st.Account(2))
        site.add_meter(st.Meter(11, account_id=1))
        site.open(Ledger(accounts=32, transfers=1024))
        site.recharge(1, "50.00", at=T0)
        site.recharge(2, "50.00", at=T0)
        r = site.sell(1, "25.00", at=T0 + H, order_id=701)  # to the water meter's purse: 25.00 left
        (e,) = r
        self.assertEqual((e.type, e.amount, e.balance), (st.EventType.SALE, Decimal("25.00"), Decimal("25.00")))
        self.assertEqual(st.split_transfer_id(e.transfer_id)[:3], (st.IdKind.SALE, 1, 1))
        self.assertEqual(st.event_name(st.EventType.SALE), "sale")
        view = site.account(1)
        self.assertEqual((view.balance, view.sold, view.sales, view.debt), (Decimal("25.00"), Decimal("25.00"), 1,
                                                                           Decimal("0.00")))
        self.assertEqual(site.ledger_balance(0, st.SiteRole.WATER), Decimal("25.00"))
        self.assertTrue(site.sell(1, "25.00", at=T0 + H, sequence=1).repeat)
        with self.assertRaises(ValueError):
            site.sell(1, "25.01", at=T0 + H, sequence=1)  # the same sale with another amount
        with self.assertRaises(prepay.SettlementError) as cm:
            site.sell(1, "1.00", at=T0 + H, sequence=3)  # a gap
        self.assertEqual(cm.exception.code, prepay.Status.E_SETTLEMENT_SEQUENCE)
        with self.assertRaises(prepay.SettlementError) as cm:
            site.sell(1, "25.01", at=T0 + 2 * H)  # more than the wallet: a sale creates no debt
        self.assertEqual(cm.exception.code, prepay.Status.E_SETTLEMENT_BOOKS)
        self.assertIn(prepay.strerror(prepay.Status.E_LEDGER_EXCEEDS_CREDITS), str(cm.exception))
        with self.assertRaises(prepay.SettlementError) as cm:
            site.sell(2, "1.00", at=T0 + 2 * H)  # a remote account's purse is its wallet
        self.assertEqual(cm.exception.code, prepay.Status.E_SETTLEMENT_BAD_CONFIG)
        self.assertEqual((site.account(1).balance, site.account(2).balance), (Decimal("25.00"), Decimal("50.00")))
        # 10.00 of electricity to another purse: 15.00 reaches alarm 1 (20.00)
        r = site.sell(1, "10.00", at=T0 + 2 * H, commodity=st.Commodity.ELECTRICITY)
        self.assertEqual(len(r.of_type(st.EventType.ALARM_LEVEL)), 1)
        self.assertEqual(site.ledger_balance(0, st.SiteRole.ELECTRICITY), Decimal("10.00"))
        self.assertEqual(site.account(1).sales, 2)
        site.verify()


class Ids(unittest.TestCase):
    def test_scheme(self):
        sid = st.settlement_id(st.IdKind.READING, 2 ** 32 - 1, 2 ** 32 - 1, 0)
        self.assertEqual(st.split_id(sid), (st.IdKind.READING, 2 ** 32 - 1, 2 ** 32 - 1, 0))
        key = st.transfer_id(st.IdKind.READING, 11, T0 + H)
        self.assertEqual(st.split_transfer_id(key)[:3], (st.IdKind.READING, 11, prepay.to_time(T0 + H)))
        self.assertNotEqual(st.transfer_id(st.IdKind.RECHARGE, 255, 1), st.transfer_id(st.IdKind.RECHARGE, 0 + 1, 1))
        with self.assertRaises(prepay.SettlementError):
            st.transfer_id(st.IdKind.READING, 2 ** 27, 1)  # beyond the ledger key's subject range: refused
        self.assertEqual(st.ledger_account_id(3, st.Role.DEBT), 3 << 8 | 2)
        self.assertEqual(st.event_name(st.EventType.CUTOFF), "cutoff")


if __name__ == "__main__":
    unittest.main()
