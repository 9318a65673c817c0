# SPDX-License-Identifier: MIT
"""prepay.station.TariffPush (the library's DL/T 645 two-set push) against the reference meter in process."""
import datetime
import json
import unittest

import prepay
from prepay import dlt645, meter, station, tariff
from _vectors import ROOT

ADDR = "000000193600"
T0 = datetime.datetime(2025, 3, 1, 10, 0)
PUSHED = ROOT / "tests/field/data/push_tariff.json"
PW2 = dlt645.Credentials(2, b"\x22\x22\x22", b"\x78\x56\x34\x12")


def meter_with_two_sets():
    """A meter holding set A of push_tariff.json with other prices, and a set B (writable)."""
    doc = json.loads(PUSHED.read_text(encoding="utf-8"))
    doc["prices"]["bands"] = {"peak": "0.5000", "valley": "0.3000"}
    doc["prices_b"] = {"bands": {"peak": "0.5000", "valley": "0.3000"}, "tier_surcharges": ["0.07", "0.35"],
                       "switch_at": "2030-01-01 00:00"}
    m = meter.Meter(ADDR, T0)
    bound = tariff.Tariff.loads(json.dumps(doc))
    m.bind(bound, writable=True)
    m.set_password(2, b"\x22\x22\x22")
    return m, bound


def exchange_with(m, log):
    def go(request):
        log.append(request)
        return station.exchange(station.Session(), request, m.handle)
    return go


class TariffPushTests(unittest.TestCase):
    def test_push_then_verify(self):
        m, _ = meter_with_two_sets()
        plan = tariff.Tariff.load(PUSHED)
        before = {di: m.read(di) for di in (0x04010000, 0x04010001, 0x04050102, 0x04050104)}
        log = []
        task = station.TariffPush(plan, ADDR, credentials=PW2).run(exchange_with(m, log))
        self.assertTrue(task.switch_written)
        self.assertFalse(task.promoted)
        self.assertEqual(task.status, 0)
        self.assertEqual(task.phase_name, "done")
        self.assertEqual(task.switch_at, T0)                       # the meter clock, to the minute
        self.assertEqual(task.exchanges, len(log))
        # set 1 (in force) untouched; nothing of set 1 written
        self.assertEqual({di: m.read(di) for di in before}, before)
        writes = [f for f in log if f.control == 0x14]
        self.assertFalse([f for f in writes if (f.di >> 16) == 0x0401 or (f.di >> 8) in (0x040501, 0x040600, 0x040601)])
        # the switch-over time 04000108 is the last write
        self.assertEqual(writes[-1].di, 0x04000108)
        v = station.TariffPush(plan, ADDR, verify=True).run(exchange_with(m, []))
        self.assertEqual(v.set, 2)
        self.assertEqual(v.differences, [])

    def test_verify_differences(self):
        m, _ = meter_with_two_sets()
        plan = tariff.Tariff.load(PUSHED)          # peak 0.6120, valley 0.3050; the meter's set 1: 0.5000, 0.3000
        task = station.TariffPush(plan, ADDR, verify=True, verify_set=1)
        with self.assertRaises(prepay.StationError) as cm:
            task.run(exchange_with(m, []))
        self.assertEqual(cm.exception.code, task.status)
        self.assertEqual(task.difference_count, 2)
        prices = {d.index: (d.a_value, d.b_value) for d in task.differences if d.part == 4}
        self.assertEqual(prices, {2: (61200000, 50000000), 4: (30500000, 30000000)})   # 1e-8 yuan/kWh

    def test_refusal_stops_before_switch_over(self):
        m, _ = meter_with_two_sets()
        plan = tariff.Tariff.load(PUSHED)
        switch_before = m.read(0x04000108)
        bad = dlt645.Credentials(2, b"\x99\x99\x99", b"\x78\x56\x34\x12")
        task = station.TariffPush(plan, ADDR, credentials=bad)
        with self.assertRaises(prepay.DLT645Error):
            task.run(exchange_with(m, []))
        self.assertFalse(task.switch_written)
        self.assertEqual(m.read(0x04000108), switch_before)

    def test_tariff_a_meter_cannot_hold(self):
        per_band = tariff.Tariff.load(ROOT / "examples/tariffs/shanghai_residential_per_band.json")
        with self.assertRaises(prepay.DLT645Error) as cm:
            station.TariffPush(per_band, ADDR)
        self.assertIn("cannot hold", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
