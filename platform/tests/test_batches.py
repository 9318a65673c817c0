# SPDX-License-Identifier: MIT
"""Batch handlers of the platform: a recharge item re-run with the same idempotency key (a restart
mid-batch) credits once; relay items go through the wallet commands; a tariff item without a
station is reported offline (retried). With plat-field's BatchRunner present, a tariff push task
runs end to end over a fake station with one offline meter."""
from __future__ import annotations

import time
import unittest

from prepay_platform.services import batches

from .support import Fixture


def item(kind, target, payload, task=1, number=1):
    return {"task_id": task, "item_id": number, "target": target, "kind": kind, "payload": payload, "attempt": 1,
            "idempotency_key": f"batch:{task}:{number}", "now": 1793462400}


class Result:
    def __init__(self, ok, error=""):
        self.ok, self.error, self.values = ok, error, {}


class FakeStation:
    def __init__(self, offline=()):
        self.offline, self.pushed = set(offline), []

    def push_tariff(self, meter_id, document, at=None):
        if meter_id in self.offline:
            return Result(False, "offline: no reply")
        self.pushed.append(meter_id)
        return Result(True)

    def relay(self, meter_id, action):
        return Result(True)


class BatchTest(unittest.TestCase):
    def setUp(self):
        self.f = Fixture()
        self.h1, self.h2 = self.f.open_two()
        self.p = self.f.p
        self.h = batches.handlers(self.p)

    def tearDown(self):
        self.f.close()

    def test_a_recharge_item_run_twice_credits_once(self):
        ok, message = self.h["recharge"](item("recharge", self.h1, {"amount": "20.00"}))
        self.assertTrue(ok, message)
        ok, message = self.h["recharge"](item("recharge", self.h1, {"amount": "20.00"}))
        self.assertTrue(ok)
        self.assertIn("repeat", message)
        self.assertEqual(str(self.p.money.account(self.h1).balance), "20.00")
        ok, message = self.h["recharge"](item("recharge", self.h1, {"amount": "-1"}, number=2))
        self.assertFalse(ok)
        self.assertIn("amount", message)

    def test_relay_and_tariff_items(self):
        ok, message = self.h["relay"](item("relay", self.h2, {"action": "trip"}))
        self.assertTrue(ok, message)
        self.assertTrue(self.p.money.account(self.h2).relay)
        ok, message = self.h["tariff"](item("tariff", 1, {"tariff_id": self.f.tariff}))
        self.assertFalse(ok)
        self.assertTrue(message.startswith("offline"))

    def test_a_tariff_push_task_end_to_end(self):
        try:
            from prepay_platform.field.batch import BatchRunner  # noqa: F401 (plat-field's adapter)
        except ImportError:
            self.skipTest("plat-field's BatchRunner is not in this tree")
        meters = [m["id"] for m in self.p.db.query("SELECT id FROM meters WHERE commodity = 'electricity'")]
        self.p.station = FakeStation(offline={meters[-1]})
        runner = batches.runner(self.p)
        task = runner.create("tariff", meters, {"tariff_id": self.f.tariff}, None, "op")
        runner.run_due(int(time.time()) + 1)
        got = runner.get(task)
        states = {i["target"]: i["state"] for i in got["items"]}
        self.assertEqual(states[meters[0]], "ok")
        self.assertEqual(states[meters[-1]], "retry")


if __name__ == "__main__":
    unittest.main()
