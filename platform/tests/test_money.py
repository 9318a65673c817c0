# SPDX-License-Identifier: MIT
"""Services over the settlement Site: opening accounts, idempotent recharges, readings to cut-off
and restore with relay commands, restart without double credits, bad input changes nothing."""
from __future__ import annotations

import unittest
from decimal import Decimal

from prepay_platform.services import audit, controls, readings, recharge, site
from prepay_platform.services.errors import InputError

from .support import Fixture

T0 = 1793462400  # 2026-11-01 00:00 +08:00


class FakeStation:
    def __init__(self):
        self.sent = []

    def relay(self, meter_id, action):
        self.sent.append((meter_id, action))
        return type("R", (), {"ok": True, "error": None})()


class MoneyTest(unittest.TestCase):
    def setUp(self):
        self.station = FakeStation()
        self.f = Fixture(self.station)
        self.h1, self.h2 = self.f.open_two()
        self.p = self.f.p

    def tearDown(self):
        self.f.close()

    def balance(self, hid):
        return self.p.money.account(hid).balance

    def test_recharge_is_idempotent_by_request_key(self):
        o = recharge.recharge(self.p, self.h1, "50.00", "k1", "op")
        self.assertFalse(o["repeat"])
        again = recharge.recharge(self.p, self.h1, "50.00", "k1", "op")
        self.assertTrue(again["repeat"])
        self.assertEqual(self.balance(self.h1), Decimal("50.00"))
        recharge.recharge(self.p, self.h1, "10.00", "k2", "op")
        self.assertEqual(self.balance(self.h1), Decimal("60.00"))
        with self.assertRaises(InputError):
            recharge.recharge(self.p, self.h1, "11.00", "k2", "op")
        self.assertEqual(self.balance(self.h1), Decimal("60.00"))
        self.assertEqual(len(audit.recent(self.p.db, subject_prefix=f"household:{self.h1}")), 3)  # open + 2 credits
        self.p.money.verify()

    def test_bad_amounts_change_nothing(self):
        for bad in ("", "0", "-5", "1.234", "abc", "1e3", "10000000000"):
            with self.assertRaises(InputError, msg=bad):
                recharge.recharge(self.p, self.h1, bad, "kb", "op")
        self.assertEqual(recharge.orders(self.p.db), [])
        self.assertEqual(self.balance(self.h1), Decimal("0.00"))

    def test_readings_cut_off_and_recharge_restores(self):
        meter = self.p.db.one("SELECT id FROM meters WHERE address = '000000000101'")["id"]
        recharge.recharge(self.p, self.h1, "5.00", "k1", "op")
        readings.ingest(self.p, [{"meter_id": meter, "at": T0, "value": 0}])
        out = readings.ingest(self.p, [{"meter_id": meter, "at": T0 + 3600 * 10, "value": 20000}])
        self.assertIn("CUTOFF", out["events"])
        self.assertIn((meter, "trip"), self.station.sent)
        view = self.p.money.account(self.h1)
        self.assertLessEqual(view.balance, Decimal("0"))
        self.assertEqual(self.p.db.one("SELECT relay_closed FROM meters WHERE id = ?", (meter,))["relay_closed"], 0)
        recharge.recharge(self.p, self.h1, "100.00", "k2", "op")
        self.assertEqual(self.station.sent[-1], (meter, "close"))
        self.assertEqual(self.p.db.one("SELECT relay_closed FROM meters WHERE id = ?", (meter,))["relay_closed"], 1)
        types = {r["type"] for r in self.p.db.query("SELECT type FROM events WHERE household_id = ?", (self.h1,))}
        self.assertTrue({"RECHARGE", "CUTOFF", "RESTORED"} <= types, types)
        self.p.money.verify()

    def test_restart_rebuilds_the_same_books_without_double_credit(self):
        meter = self.p.db.one("SELECT id FROM meters WHERE address = '000000000102'")["id"]
        recharge.recharge(self.p, self.h2, "30.00", "k1", "op")
        readings.ingest(self.p, [{"meter_id": meter, "at": T0, "value": 1000},
                                 {"meter_id": meter, "at": T0 + 3600, "value": 3000}])
        before = self.balance(self.h2)
        p = self.f.restart()
        self.assertEqual(p.money.account(self.h2).balance, before)
        recharge.recharge(p, self.h2, "30.00", "k1", "op")  # the same request again after the restart
        self.assertEqual(p.money.account(self.h2).balance, before)
        p.money.verify()

    def test_pending_order_is_finished_once_after_a_crash(self):
        # The process stopped after writing the order, before the Site was called.
        db = self.p.db
        db.execute("INSERT INTO recharge_orders (id, household_id, request_key, sequence, amount_fen, channel, state, "
                   "created_at, created_by) VALUES (?, ?, 'crash', 1, 2500, 'api', 'pending', ?, 'op')",
                   (db.next_id("recharge_orders"), self.h1, T0))
        p = self.f.restart()
        self.assertEqual(p.money.account(self.h1).balance, Decimal("25.00"))
        p = self.f.restart()
        self.assertEqual(p.money.account(self.h1).balance, Decimal("25.00"))

    def test_manual_trip_close_and_keep_power(self):
        recharge.recharge(self.p, self.h2, "30.00", "k1", "op")
        meter = self.p.db.one("SELECT id FROM meters WHERE household_id = ?", (self.h2,))["id"]
        out = controls.relay_action(self.p, self.h2, "trip", "op")
        self.assertTrue(out["relay_open"])
        self.assertEqual(self.station.sent[-1], (meter, "trip"))
        out = controls.relay_action(self.p, self.h2, "close", "op")
        self.assertFalse(out["relay_open"])
        self.assertEqual(self.station.sent[-1], (meter, "close"))
        controls.relay_action(self.p, self.h2, "keep", "op")
        self.assertEqual(self.station.sent[-1], (meter, "keep"))
        self.assertEqual(self.p.db.one("SELECT keep_power FROM balances WHERE household_id = ?",
                                       (self.h2,))["keep_power"], 1)
        actions = [a["action"] for a in audit.recent(self.p.db)]
        self.assertIn("relay.trip", actions)
        self.assertIn("control.keep", actions)
        with self.assertRaises(InputError):
            controls.relay_action(self.p, self.h2, "explode", "op")

    def test_open_account_refuses_bad_input_and_changes_nothing(self):
        room3 = site.add_room(self.p.db, self.p.db.one("SELECT id FROM floors")["id"], "103", "0", "t")
        cases = [
            dict(meters=[("000000000101", "electricity")]),           # address in use
            dict(meters=[("12345", "electricity")]),                  # bad address
            dict(meters=[("000000000201", "water")]),                 # no electricity meter, no water tariff
            dict(meters=[("000000000201", "electricity")], alarm1="5", alarm2="10"),
            dict(meters=[("000000000201", "electricity")], tariff=self.f.water),
        ]
        for c in cases:
            with self.assertRaises(InputError, msg=str(c)):
                site.open_account(self.p, room3, c.get("tariff", self.f.tariff), c["meters"], "op",
                                  alarm1=c.get("alarm1", "20"), alarm2=c.get("alarm2", "10"))
        self.assertEqual(self.p.db.scalar("SELECT COUNT(*) FROM households"), 2)
        with self.assertRaises(InputError):
            site.open_account(self.p, self.f.room1, self.f.tariff, [("000000000301", "electricity")], "op")

    def test_thresholds_raise_alarms(self):
        controls.set_thresholds(self.p, self.h2, "80.00", "40.00", "op")
        recharge.recharge(self.p, self.h2, "50.00", "k1", "op")
        self.assertEqual(self.p.money.account(self.h2).level, 1)
        with self.assertRaises(InputError):
            controls.set_thresholds(self.p, self.h2, "10.00", "40.00", "op")


if __name__ == "__main__":
    unittest.main()
