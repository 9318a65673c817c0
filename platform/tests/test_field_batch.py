# SPDX-License-Identifier: MIT
"""Batch tasks and schedules: progress, scheduled start, offline retries with backoff, cancel,
resume after a simulated crash without a double recharge (a real settlement Site with its
journal), a relay batch against prepay-emu with an offline meter; hourly reads and daily freezes
in accelerated time."""
import datetime
import os
import shutil
import tempfile
import unittest
from decimal import Decimal

from prepay import settlement as st
from prepay.tariff import Tariff

from prepay_platform.field.batch import BatchRunner, recharge_handler, station_handlers
from prepay_platform.field.schedule import DAY, HOUR, Scheduler
from prepay_platform.field.station import Endpoint, Reading, Station
from tests.field_support import HERE, Emulator, open_db

T0 = 1798761600        # 2027-01-01 00:00:00 UTC
FLAT = ('{"format": "prepay-tariff/1", "name": "flat 0.50", "source": {"notice": "test"}, "bands": ["flat"],'
        ' "prices": {"bands": {"flat": "0.50"}}}')


class Crash(BaseException):
    """The process dies here (not an Exception: the runner must not catch it)."""


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="prepay-platform-batch-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.db = open_db(os.path.join(self.dir, "platform.db"))
        self.addCleanup(self.db.close)


class BatchTest(Base):
    def test_progress_and_per_item_results(self):
        calls = []

        def handler(item):
            calls.append((item["target"], item["idempotency_key"]))
            return (item["target"] != 3, "ok" if item["target"] != 3 else "refused: password wrong")

        runner = BatchRunner(self.db, {"relay": handler}, clock=lambda: T0)
        task = runner.create("relay", [1, 2, 3], {"action": "trip"}, None, "op1")
        self.assertEqual(runner.get(task)["counts"]["pending"], 3)
        self.assertEqual(runner.run_due(T0, limit=1), 1)
        self.assertEqual(runner.get(task)["counts"]["ok"], 1)
        self.assertEqual(runner.get(task)["state"], "running")
        self.assertEqual(runner.run_due(T0), 2)
        t = runner.get(task)
        self.assertEqual((t["counts"]["ok"], t["counts"]["failed"], t["state"]), (2, 1, "failed"))
        self.assertEqual([i["state"] for i in t["items"]], ["ok", "ok", "failed"])
        self.assertEqual(t["items"][2]["message"], "refused: password wrong")
        self.assertEqual(calls[0], (1, f"batch:{task}:1"))
        self.assertEqual(runner.run_due(T0 + DAY), 0)          # nothing left
        self.assertEqual([x["id"] for x in runner.list()], [task])

    def test_scheduled_start(self):
        runner = BatchRunner(self.db, {"params": lambda item: (True, "ok")}, clock=lambda: T0)
        task = runner.create("params", [7], {"time": T0}, T0 + 3600, "op1")
        self.assertEqual(runner.run_due(T0 + 3599), 0)
        self.assertEqual(runner.get(task)["state"], "scheduled")
        self.assertEqual(runner.run_due(T0 + 3600), 1)
        self.assertEqual(runner.get(task)["state"], "done")

    def test_offline_retries_with_backoff_then_succeeds_or_gives_up(self):
        online = {1: False, 2: False}

        def handler(item):
            return (True, "ok") if online[item["target"]] else (False, "offline: no reply after 3 attempts")

        runner = BatchRunner(self.db, {"relay": handler}, backoff=(60, 300), max_attempts=3, clock=lambda: T0)
        task = runner.create("relay", [1, 2], {"action": "close"}, None, "op1")
        self.assertEqual(runner.run_due(T0), 2)
        items = runner.get(task)["items"]
        self.assertEqual([(i["state"], i["attempts"], i["next_at"]) for i in items],
                         [("retry", 1, T0 + 60), ("retry", 1, T0 + 60)])
        self.assertEqual(runner.run_due(T0 + 59), 0)            # not before the backoff
        online[1] = True
        self.assertEqual(runner.run_due(T0 + 60), 2)
        items = runner.get(task)["items"]
        self.assertEqual([(i["state"], i["attempts"]) for i in items], [("ok", 2), ("retry", 2)])
        self.assertEqual(items[1]["next_at"], T0 + 60 + 300)
        self.assertEqual(runner.run_due(T0 + 360), 1)
        t = runner.get(task)
        self.assertEqual((t["items"][1]["state"], t["items"][1]["attempts"]), ("failed", 3))
        self.assertIn("gave up after 3 attempts", t["items"][1]["message"])
        self.assertEqual(t["state"], "failed")

    def test_handler_exception_is_retried(self):
        def handler(item):
            raise RuntimeError("database is locked")

        runner = BatchRunner(self.db, {"params": handler}, clock=lambda: T0)
        task = runner.create("params", [1], {}, None, "op1")
        runner.run_due(T0)
        item = runner.get(task)["items"][0]
        self.assertEqual(item["state"], "retry")
        self.assertIn("database is locked", item["message"])

    def test_two_runners_run_each_item_once(self):
        calls = []
        other = {}

        def handler(item):
            calls.append(item["item_id"])
            other["runner"].run_due(T0)         # e.g. a "run now" button pressed meanwhile: nothing to take
            return True, "ok"

        a = BatchRunner(self.db, {"relay": handler}, clock=lambda: T0)
        other["runner"] = BatchRunner(self.db, {"relay": handler}, clock=lambda: T0)
        task = a.create("relay", [1, 2, 3], {"action": "trip"}, None, "op1")
        self.assertEqual(a.run_due(T0), 3)
        self.assertEqual(calls, [1, 2, 3])
        self.assertEqual(a.get(task)["state"], "done")

    def test_cancel(self):
        runner = BatchRunner(self.db, {"relay": lambda item: (True, "ok")}, clock=lambda: T0)
        task = runner.create("relay", [1, 2, 3], {"action": "trip"}, None, "op1")
        runner.run_due(T0, limit=1)
        t = runner.cancel(task, "op2")
        self.assertEqual(t["state"], "cancelled")
        self.assertEqual(t["cancelled_by"], "op2")
        self.assertEqual([i["state"] for i in t["items"]], ["ok", "cancelled", "cancelled"])
        self.assertEqual(runner.run_due(T0 + DAY), 0)

    def test_bad_input_changes_nothing(self):
        runner = BatchRunner(self.db, {"relay": lambda item: (True, "ok")}, clock=lambda: T0)
        for args in (("nope", [1]), ("relay", []), ("relay", [1, 1])):
            with self.assertRaises(ValueError):
                runner.create(args[0], args[1], {}, None, "op1")
        with self.assertRaises(ValueError):
            runner.create("relay", [1], {}, None, "")
        self.assertEqual(runner.list(), [])
        with self.assertRaises(KeyError):
            runner.get(99)


class CrashResumeTest(Base):
    """A recharge batch killed after the Site credited an account but before the runner recorded
    the outcome: the restarted platform re-runs the item with the same idempotency key and the
    Site sees the same recharge sequence, so the account is credited once."""

    def site(self):
        site = st.Site([Tariff.loads(FLAT)], period_start=datetime.date(2027, 1, 1),
                       period_end=datetime.date(2027, 2, 1), accounts=4, meters=4, postpaid=1)
        site.add_account(st.Account(1))
        site.add_account(st.Account(2))
        return site.open(journal=os.path.join(self.dir, "site.journal"))

    def test_resume_without_double_recharge(self):
        site = self.site()
        inner = recharge_handler(site, self.db)
        calls = []

        def crashing(item):
            calls.append(item["idempotency_key"])
            result = inner(item)
            if item["target"] == 2:
                raise Crash()           # credited, outcome not recorded: the process dies
            return result

        runner = BatchRunner(self.db, {"recharge": crashing}, clock=lambda: T0)
        task = runner.create("recharge", [1, 2], {"amount": "50.00"}, None, "op1")
        with self.assertRaises(Crash):
            runner.run_due(T0)
        self.assertEqual([i["state"] for i in runner.get(task)["items"]], ["ok", "running"])
        self.assertEqual(site.account(2).balance, Decimal("50.00"))
        site.close()

        # restart: a new Site recovered from its journal, a new runner on the same database
        # (the ledger, recovered from the journal, holds the money; the Site's account views are
        # rebuilt by re-running inputs: docs/settlement.md 7)
        site = self.site()
        self.assertEqual(site.ledger_balance(2), Decimal("50.00"))
        runner = BatchRunner(self.db, {"recharge": recharge_handler(site, self.db)}, clock=lambda: T0 + 60)
        self.assertEqual(runner.run_due(T0 + 60), 1)
        t = runner.get(task)
        self.assertEqual([i["state"] for i in t["items"]], ["ok", "ok"])
        self.assertEqual(t["items"][1]["attempts"], 2)
        self.assertIn("repeat", t["items"][1]["message"])
        self.assertEqual(site.ledger_balance(1), Decimal("50.00"))
        self.assertEqual(site.ledger_balance(2), Decimal("50.00"))       # once, not 100.00
        self.assertEqual(site.account(2).balance, Decimal("50.00"))
        self.assertEqual(site.account(2).recharges, 1)
        self.assertEqual(t["state"], "done")
        site.close()

    def test_rerun_in_a_live_process_is_a_repeat(self):
        # The runner died between the credit and its own record, the Site lived on (its views are up
        # to date: a fresh "next sequence" would credit again); the key's recorded sequence prevents it.
        site = self.site()
        inner = recharge_handler(site, self.db)

        def crashing(item):
            inner(item)
            raise Crash()

        runner = BatchRunner(self.db, {"recharge": crashing}, clock=lambda: T0)
        task = runner.create("recharge", [1], {"amount": "20.00"}, None, "op1")
        with self.assertRaises(Crash):
            runner.run_due(T0)
        runner = BatchRunner(self.db, {"recharge": recharge_handler(site, self.db)}, clock=lambda: T0)
        self.assertEqual(runner.run_due(T0 + 1), 1)
        self.assertEqual(runner.get(task)["state"], "done")
        self.assertEqual(site.account(1).balance, Decimal("20.00"))
        self.assertEqual(site.account(1).recharges, 1)
        self.assertEqual(site.ledger_balance(1), Decimal("20.00"))
        site.close()

    def test_bad_amount_fails_the_item(self):
        site = self.site()
        runner = BatchRunner(self.db, {"recharge": recharge_handler(site, self.db)}, clock=lambda: T0)
        task = runner.create("recharge", [1], {"amount": "0.001"}, None, "op1")
        runner.run_due(T0)
        self.assertEqual(runner.get(task)["items"][0]["state"], "failed")
        self.assertEqual(site.account(1).balance, Decimal("0.00"))
        site.close()


class RelayBatchOnEmulatorTest(Base):
    def test_relay_batch_with_an_offline_meter(self):
        emu = Emulator(os.path.join(HERE, "data", "field_two.json"))
        try:
            station = Station([Endpoint(1, "000000000301", port=emu.port), Endpoint(2, "000000000302", port=emu.port),
                               Endpoint(3, "000000000388", port=emu.port, timeout=0.2)],   # never answers
                              timeout=3.0, retries=0)
            runner = BatchRunner(self.db, station_handlers(station), backoff=(60,), max_attempts=2, clock=lambda: T0)
            task = runner.create("relay", [1, 2, 3], {"action": "trip"}, None, "op1")
            self.assertEqual(runner.run_due(T0), 3)
            t = runner.get(task)
            self.assertEqual([i["state"] for i in t["items"]], ["ok", "ok", "retry"])
            self.assertIn("offline", t["items"][2]["message"])
            self.assertEqual(t["counts"]["retry"], 1)
            self.assertFalse(station.read(1).relay_closed)
            self.assertFalse(station.read(2).relay_closed)
            runner.run_due(T0 + 60)
            self.assertEqual(runner.get(task)["items"][2]["state"], "failed")
            params = runner.create("params", [1, 2], {"items": {"04001001": "25.00"}}, None, "op1")
            self.assertEqual(runner.run_due(T0 + 120), 2)
            t = runner.get(params)
            self.assertEqual(t["state"], "done")
            self.assertEqual(t["items"][0]["message"], "04001001 = 25.00")
            station.close()
        finally:
            emu.stop()


class FakeStation:
    def __init__(self):
        self.energy = {1: 0, 2: 0}
        self.reads = 0

    def read(self, meter_id):
        self.reads += 1
        if meter_id == 2:
            return Reading(meter_id, False, "offline: no reply")
        self.energy[meter_id] += 1000
        return Reading(meter_id, True, "", energy_wh=self.energy[meter_id])

    freeze = read


class ScheduleTest(Base):
    def test_hourly_reads_and_daily_freezes_in_accelerated_time(self):
        station = FakeStation()
        hourly, daily = [], []
        sched = Scheduler(self.db)
        sched.hourly_reads(station, lambda: [1, 2], lambda r, slot: hourly.append((slot, r.meter_id, r.ok)))
        sched.daily_freezes(station, lambda: [1], lambda r, slot: daily.append((slot, r.energy_wh)), utc_offset=8 * HOUR)
        for minute in range(0, 2 * 24 * 60, 15):               # two days, every 15 minutes
            sched.run_due(T0 + minute * 60)
        self.assertEqual(len(hourly), 48 * 2)
        self.assertEqual(len({s for s, _, _ in hourly}), 48)
        self.assertEqual(sum(1 for _, m, ok in hourly if m == 2 and not ok), 48)
        # days start at 16:00 UTC (midnight UTC+8): slots 2026-12-31 16:00, 2027-01-01 16:00, 2027-01-02 16:00
        self.assertEqual([s for s, _ in daily], [T0 - 8 * HOUR, T0 + 16 * HOUR, T0 + 40 * HOUR])
        runs = sched.runs("hourly-read")
        self.assertEqual(runs[0]["failed_count"], 1)
        self.assertIn("offline", runs[0]["message"])

    def test_slot_left_running_is_run_again(self):
        station = FakeStation()
        sched = Scheduler(self.db)
        sched.hourly_reads(station, lambda: [1], lambda r, slot: None)
        self.db.execute("INSERT INTO schedule_runs (job, slot, state, started_at, ok_count, failed_count, message) "
                        "VALUES ('hourly-read', ?, 'running', ?, 0, 0, '')", (T0, T0))
        self.assertEqual(len(sched.run_due(T0 + 10)), 1)
        self.assertEqual(sched.run_due(T0 + 20), [])
        self.assertEqual(station.reads, 1)


if __name__ == "__main__":
    unittest.main()
