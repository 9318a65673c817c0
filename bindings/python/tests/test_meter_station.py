# SPDX-License-Identifier: MIT
import datetime
import unittest
from decimal import Decimal

import prepay
from prepay import dlt645, meter, station, tariff
from _vectors import ROOT

ADDR = "000000193600"
T0 = datetime.datetime(2025, 3, 1)


def new_meter():
    m = meter.Meter(ADDR, T0)
    m.bind(tariff.Tariff.load(ROOT / "examples/tariffs/beijing_residential_annual.json"))
    return m


class MeterTests(unittest.TestCase):
    def test_recharge_consume_read(self):
        m = new_meter()
        self.assertTrue(m.recharge(Decimal("100.00"), 1))
        self.assertFalse(m.recharge(Decimal("100.00"), 1))  # repeat of purchase 1
        with self.assertRaises(prepay.MeterError) as cm:
            m.recharge(Decimal("10.00"), 5)
        self.assertEqual(cm.exception.code, prepay.Status.E_METER_PURCHASE_COUNT)
        m.advance(3600, 2000)  # 2 kWh at 0.4883 = 0.9766 -> 0.98
        self.assertEqual(m.energy(), 2000)
        self.assertEqual(m.balance, Decimal("99.02"))
        self.assertEqual(m.clock, T0 + datetime.timedelta(hours=1))
        v = dlt645.decode_value(dlt645.DI.FORWARD_ACTIVE_TOTAL, m.read(dlt645.DI.FORWARD_ACTIVE_TOTAL))
        self.assertEqual(v.decimal, Decimal("2.00"))

    def test_frames_in_and_out(self):
        m = new_meter()
        m.recharge(Decimal("20.00"), 1)  # with no money the relay opens at once
        m.advance(1800, 1000)
        reply = dlt645.decode(m.handle(dlt645.read(ADDR, dlt645.DI.FORWARD_ACTIVE_TOTAL).encode()))
        self.assertTrue(reply.is_reply)
        rr = dlt645.reply_read(dlt645.read(ADDR, dlt645.DI.FORWARD_ACTIVE_TOTAL), reply)
        self.assertEqual(dlt645.decode_value(rr.di, rr.value).quantity, 500)
        self.assertEqual(m.handle(dlt645.read("000000000001", dlt645.DI.FORWARD_ACTIVE_TOTAL).encode()), b"")  # not addressed
        addr = dlt645.reply_read_address(dlt645.read_address(), dlt645.decode(m.handle(dlt645.read_address().encode())))
        self.assertEqual(str(addr), ADDR)

    def test_unbound_local_meter(self):
        m = meter.Meter(ADDR, T0)
        with self.assertRaises(prepay.MeterError):
            m.advance(60, 100)


class StationTests(unittest.TestCase):
    def test_session_with_meter(self):
        m = new_meter()
        m.recharge(Decimal("50.00"), 1)
        s = station.Session()
        r = station.exchange(s, dlt645.read(ADDR, dlt645.DI.REMAINING_AMOUNT), m.handle)
        self.assertTrue(r.ok)
        self.assertEqual(dlt645.decode_value(dlt645.DI.REMAINING_AMOUNT, r.data).quantity, 5000)  # remaining money, fen
        self.assertEqual(r.attempts, 1)

    def test_timeout(self):
        s = station.Session(reply_timeout_ms=100, retries=1)
        tx = s.start(dlt645.read(ADDR, dlt645.DI.FORWARD_ACTIVE_TOTAL), 0)
        self.assertTrue(tx)
        self.assertEqual(s.action, prepay.StationAction.SEND)
        t = 0
        while not s.done:
            t = max(t + 1, s.wake_at_ms)
            s.poll(t)
        r = s.result()
        self.assertEqual((r.status, r.attempts), (prepay.Status.E_STATION_TIMEOUT, 2))
        with self.assertRaises(prepay.StationError) as cm:
            r.raise_for_status()
        self.assertEqual(cm.exception.code, prepay.Status.E_STATION_TIMEOUT)

    def test_busy(self):
        s = station.Session()
        s.start(dlt645.read(ADDR, dlt645.DI.FORWARD_ACTIVE_TOTAL), 0)
        with self.assertRaises(prepay.StationError) as cm:
            s.start(dlt645.read(ADDR, dlt645.DI.FORWARD_ACTIVE_TOTAL), 1)
        self.assertEqual(cm.exception.code, prepay.Status.E_STATION_BUSY)

    def test_discovery(self):
        meters = [new_meter_at(a) for a in ("000000193600", "000000193601", "000000200000")]
        d = station.Discovery()
        while True:
            probe = d.next_probe()
            if probe is None:
                break
            replies = [mm.handle(probe.encode()) for mm in meters]
            replies = [r for r in replies if r]
            if not replies:
                d.report(prepay.ProbeOutcome.SILENT)
            elif len(replies) == 1:
                d.report(prepay.ProbeOutcome.ANSWERED, dlt645.decode(replies[0]).address)
            else:
                d.report(prepay.ProbeOutcome.COLLISION)
        self.assertEqual(sorted(str(a) for a in d.found), ["000000193600", "000000193601", "000000200000"])


def new_meter_at(addr):
    return meter.Meter(addr, T0)


if __name__ == "__main__":
    unittest.main()
