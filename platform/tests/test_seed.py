# SPDX-License-Identifier: MIT
"""The demo's seeding from the emulator's site file (once), and a station poll: readings of the
plat-field Reading shape are settled, a failed read marks the meter offline."""
from __future__ import annotations

import os
import shutil
import tempfile
import unittest
from types import SimpleNamespace

from prepay_platform.platform import Platform
from prepay_platform.services import readings, recharge, seed

from .support import ROOT, database_url

SITE = os.path.join(ROOT, "examples", "sites", "platform.json")
T0 = 1793462400


class Station:
    def __init__(self):
        self.value = 0

    def read_many(self, ids):
        self.value += 1000
        return [SimpleNamespace(meter_id=i, ok=i != 8, error="" if i != 8 else "offline: no reply", at=T0 + self.value,
                                energy_wh=self.value, litres=None, relay_closed=True) for i in ids]


class SeedTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="prepay_platform_seed_")
        self.p = Platform(database_url(self.tmp), os.path.join(self.tmp, "data"))

    def tearDown(self):
        self.p.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_seed_once_and_poll(self):
        made = seed.seed_site(self.p, SITE)
        self.assertEqual([name for name, _, _ in made], ["101", "102", "103", "104", "201", "202", "203", "204"])
        self.assertEqual(seed.seed_site(self.p, SITE), [])
        self.assertEqual(self.p.db.scalar("SELECT COUNT(*) FROM floors"), 2)
        self.assertEqual(len(seed.endpoints(self.p.db, 1)), 8)
        for _, hid, _ in made:
            recharge.recharge(self.p, hid, "10.00", "k", "op")
        self.p.station = self.p.money.station = Station()
        readings.poll(self.p)
        out = readings.poll(self.p)
        self.assertEqual((out["settled"], out["offline"]), (7, 1))
        self.assertEqual(self.p.db.one("SELECT online FROM meters WHERE id = 8")["online"], 0)
        self.assertEqual(self.p.db.one("SELECT online FROM meters WHERE id = 1")["online"], 1)
        self.assertLess(self.p.money.account(made[0][1]).balance, 10)  # 1 kWh charged
        self.p.money.verify()


if __name__ == "__main__":
    unittest.main()
