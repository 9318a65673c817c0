# SPDX-License-Identifier: MIT
"""The reference water meter through the Pythonic layer: the hand-worked valve scenarios of
tests/vectors/water_valve.txt and the exchanges of tests/vectors/water_frames.txt (shared with the C
tests), purchases, records, units."""
import datetime
import re
import unittest
from decimal import Decimal

import prepay
from prepay import cjt188, water
from prepay import WaterActor, WaterCondition, WaterEvent, WaterHold, WaterMode
from _vectors import ROOT, VECTORS, hexbytes, records

T0 = datetime.datetime(2024, 3, 5, 10, 0, 0)
ADDRESS = "00202307160177"


def scenarios():
    """[scenario] records with their `do` steps in order (the shared reader keeps one value per key)."""
    out, current = [], None
    for raw in (VECTORS / "water_valve.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line == "[scenario]":
            current = {"do": []}
            out.append(current)
        elif current is not None and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            if key.strip() == "do":
                current["do"].append(value.strip())
            else:
                current[key.strip()] = value.strip()
    return out


HOLDS = {"alarm": WaterHold.ALARM, "empty": WaterHold.EMPTY, "remote": WaterHold.REMOTE, "magnet": WaterHold.MAGNET,
         "power": WaterHold.POWER, "battery": WaterHold.BATTERY, "lock": WaterHold.BATTERY_LOCK}
CONDITIONS = {"magnet": WaterCondition.MAGNET, "battery": WaterCondition.LOW_BATTERY,
              "power": WaterCondition.POWER_DOWN, "stuck": WaterCondition.VALVE_STUCK}


class StatusNames(unittest.TestCase):
    def test_every_define_is_a_status_member(self):
        text = (ROOT / "include" / "prepay" / "water_meter.h").read_text(encoding="utf-8")
        defs = re.findall(r"#define PREPAY_(E_WATER_[A-Z0-9_]+) PREPAY_STATUS_MAKE\(PREPAY_MODULE_WATER, (\d+)\)", text)
        self.assertEqual(len(defs), 8)
        for name, number in defs:
            self.assertEqual(int(getattr(prepay.Status, name)), -((prepay.c_api.PREPAY_MODULE_WATER << 8) | int(number)))


class ValveScenarios(unittest.TestCase):
    """Each scenario worked by hand from a cited vendor rule; the same script the C test runs."""

    def run_step(self, m, step):
        words = step.split()
        verb = words[0]
        if verb == "init":
            return water.WaterMeter(WaterMode[words[1].upper()], ADDRESS, T0)
        if verb == "purse":
            raw = [int(w) for w in words[1:4]]
            if m.mode == WaterMode.MONEY:
                raw = [Decimal(v) / 100 for v in raw]
            m.set_purse(*raw)
        elif verb == "rules":
            m.set_valve_rules(int(words[1]), int(words[2]))
        elif verb == "flat":
            m.set_prices(cjt188.PriceTable([0, 0, Decimal(int(words[1])) / 10 ** 8], [0, 0]))
        elif verb == "wait":
            m.advance(prepay.to_time(m.clock) + int(words[1]))
        elif verb == "flow":
            m.advance(prepay.to_time(m.clock) + 1, int(words[1]))
        elif verb == "buy":
            amount = int(words[2]) if m.mode != WaterMode.MONEY else Decimal(int(words[2])) / 100
            expected = words[4]
            try:
                got = "ok" if m.purchase(int(words[1]), amount) else "repeat"
            except prepay.WaterError as e:
                got = {prepay.Status.E_WATER_PURCHASE_SERIAL: "serial", prepay.Status.E_WATER_HOARDING_LIMIT: "hoard",
                       prepay.Status.E_WATER_WRONG_MODE: "mode"}[e.code]
            self.assertEqual(got, expected, step)
        elif verb in ("open", "close"):
            actor = WaterActor.TENANT if words[1] == "tenant" else WaterActor.STATION
            try:
                m.valve(verb == "open", actor)
                got = "ok"
            except prepay.WaterError as e:
                self.assertEqual(e.code, prepay.Status.E_WATER_VALVE_REFUSED)
                got = "refused"
            self.assertEqual(got, words[3], step)
        elif verb == "report":
            m.report(CONDITIONS[words[1]], words[2] == "on")
        elif verb == "expect":
            what = words[1]
            if what == "valve":
                self.assertEqual(cjt188.status_valve(m.status_word).name.lower(),
                                 {"open": "open", "closed": "closed", "abnormal": "abnormal"}[words[2]], step)
            elif what == "holds":
                want = WaterHold(0)
                if words[2] != "none":
                    for h in words[2].split(","):
                        want |= HOLDS[h]
                self.assertEqual(m.holds, want, step)
            elif what == "balance":
                want = int(words[2]) if m.mode != WaterMode.MONEY else Decimal(int(words[2])) / 100
                self.assertEqual(m.balance, want, step)
            elif what == "st":
                self.assertEqual(m.status_word, int(words[2], 16), step)
            elif what == "count":
                self.assertEqual(m.event_count(WaterEvent[words[2].upper()]), int(words[3]), step)
            else:
                self.fail(step)
        else:
            self.fail(step)
        self.assertIsNone(m.check_state(), step)
        return m

    def test_scenarios(self):
        all_ = scenarios()
        self.assertEqual(len(all_), 13)
        for sc in all_:
            with self.subTest(scenario=sc["name"]):
                m = None
                for step in sc["do"]:
                    m = self.run_step(m, step)


class Exchanges(unittest.TestCase):
    """tests/vectors/water_frames.txt: replies written by hand, checksums computed independently."""

    def test_exchanges(self):
        cj = water.WaterMeter(WaterMode.MONEY, ADDRESS, T0)
        cj.purchase(1, Decimal("100.00"))
        cj.advance(T0, 12345)
        mb = water.WaterMeter(WaterMode.VOLUME, ADDRESS, T0)
        mb.set_purse(0)
        mb.set_balance(1000)
        played = 0
        for r in records("water_frames.txt"):
            m, handle = (cj, cj.handle_cjt188) if r["_section"] == "cjt188" else (mb, mb.handle_modbus)
            with self.subTest(name=r["name"]):
                want = b"" if r["reply"] == "none" else hexbytes(r["reply"])
                self.assertEqual(handle(hexbytes(r["request"])), want)
                played += 1
        self.assertEqual(played, 27)
        self.assertEqual(cj.balance, Decimal("150.00"))  # the replayed purchase credited once
        self.assertEqual(mb.balance, 545)


class Meter(unittest.TestCase):
    def test_ladder_records_and_history(self):
        m = water.WaterMeter(WaterMode.MONEY, ADDRESS, T0)
        m.set_prices(cjt188.PriceTable([Decimal("3.00"), Decimal("4.00"), Decimal("5.00")], [50000, 200000]))
        self.assertTrue(m.purchase(1, Decimal("1000.00")))
        self.assertFalse(m.purchase(1, Decimal("1000.00")))  # replay: nothing credited
        m.advance(T0 + datetime.timedelta(hours=1), 60000)  # 50 x 3.00 + 10 x 4.00
        self.assertEqual(m.balance, Decimal("810.00"))
        self.assertEqual(m.charged, Decimal("190.00"))
        m.advance(datetime.datetime(2024, 4, 1, 0, 0, 1), 1000)  # new cycle: 3.00
        self.assertEqual(m.balance, Decimal("807.00"))
        self.assertEqual(m.history, [60000])
        self.assertEqual(m.prices.prices[1], Decimal("4.00"))
        self.assertEqual(m.event_count(WaterEvent.PURCHASE), 1)
        kinds = [r.kind for r in m.records]
        self.assertEqual(kinds[:2], [WaterEvent.VALVE_OPEN, WaterEvent.PURCHASE])  # most recent first: the top-up, then the open it caused
        self.assertIsNone(m.check_state())
        with self.assertRaises(prepay.WaterError):
            m.purchase(5, Decimal("1.00"))  # out of sequence
        self.assertEqual(m.event_count(WaterEvent.PURCHASE_REFUSED), 1)

    def test_valve_rules_and_until_close(self):
        m = water.WaterMeter(WaterMode.VOLUME, ADDRESS, T0)
        m.purchase(1, 20000)
        self.assertEqual(m.litres_until_close(), 15000)  # the 5 m3 alarm
        m.report(WaterCondition.MAGNET, True)
        allowed, holds = m.may_open(WaterActor.TENANT)
        self.assertFalse(allowed)
        self.assertEqual(holds, WaterHold.MAGNET)
        m.report(WaterCondition.MAGNET, False)
        m.valve(True, WaterActor.TENANT)
        self.assertTrue(m.valve_open)
        magnet = [r for r in m.records if r.kind == WaterEvent.MAGNET][0]
        self.assertFalse(magnet.ongoing)
        self.assertEqual(magnet.start, T0)
        self.assertIsNone(water.WaterMeter(WaterMode.REMOTE, ADDRESS, T0).litres_until_close())
        with self.assertRaises(prepay.WaterError):
            m.advance(T0 - datetime.timedelta(seconds=1))
        self.assertEqual(m.address, ADDRESS)


if __name__ == "__main__":
    unittest.main()
