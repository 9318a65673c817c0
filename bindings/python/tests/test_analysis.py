# SPDX-License-Identifier: MIT
"""Station-side theft analysis from Python: the hand-worked site of tests/vectors/analysis_site.txt
(the same expectations as tests/events/test_analysis.c) and the voltage-qualification rates."""
import unittest

import prepay
from prepay import analysis
from _vectors import records

DAY = 86400
T0 = 762480000  # 2024-03-01 00:00:00 local, seconds since 2000


def load_site():
    meters, readings, events, expect = [], [], [], []
    for rec in records("analysis_site.txt"):
        section = rec["_section"]
        if section == "meter":
            mid = int(rec["id"])
            meters.append(analysis.Meter(mid, int(rec["group"]), int(rec["role"]), rec["consumption_only"] == "1"))
            fwd = [int(x) for x in rec["forward"].split()]
            rev = [int(x) for x in rec.get("reverse", " ".join("0" * len(fwd))).split()]
            cur = [int(x) for x in rec.get("current", " ".join(["-1"] * len(fwd))).split()]
            for day, (f, r, c) in enumerate(zip(fwd, rev, cur)):
                readings.append(analysis.Reading(mid, T0 + day * DAY, f, r, c))
        elif section == "event":
            m, kind, day, hour = (int(x) for x in rec["event"].split())
            events.append(analysis.Event(m, kind, T0 + day * DAY + hour * 3600))
        elif section == "expect":
            expect.append([int(x) for x in rec["expect"].split()])
    return meters, readings, events, expect


class AnalysisTests(unittest.TestCase):
    def test_site(self):
        meters, readings, events, expect = load_site()
        found = analysis.run(meters, readings, events)
        self.assertEqual(len(found), len(expect))
        for s, (meter, rule, d0, h0, d1, h1, sc, observed, expected) in zip(found, expect):
            self.assertEqual(s.meter, meter)
            self.assertEqual(s.rule, analysis.Rule(rule))
            self.assertEqual(prepay.to_time(s.start), T0 + d0 * DAY + h0 * 3600)
            self.assertEqual(prepay.to_time(s.end), T0 + d1 * DAY + h1 * 3600)
            self.assertEqual((s.score, s.observed, s.expected), (sc, observed, expected))
        self.assertEqual(analysis.score(found, 12), 210)
        self.assertEqual(analysis.score(found, 20), 150)

    def test_rules_are_data(self):
        meters, readings, events, _ = load_site()
        rules = analysis.Rules()
        rules.set_weight(analysis.Rule.AREA_LOSS, 0)
        rules.set_weight(analysis.Rule.SHARE_DROP, 0)
        self.assertEqual(len(analysis.run(meters, readings, events, rules)), 4)
        with self.assertRaises(prepay.AnalysisError):
            analysis.run(meters, readings, events, analysis.Rules(drop_ratio=10001))

    def test_bad_input(self):
        meters, readings, events, _ = load_site()
        broken = list(readings)
        broken[3] = analysis.Reading(broken[3].meter, broken[3].time, 1)  # register going backwards
        with self.assertRaises(prepay.AnalysisError) as cm:
            analysis.run(meters, broken, events)
        self.assertEqual(cm.exception.code, prepay.Status.E_ANALYSIS_REGISTER_BACKWARDS)

    def test_vq_rates(self):
        # tests/vectors/voltage_qualification.txt: 4 of 7 minutes out -> 57.14 %; 1 / 20000 -> 0.01 %.
        self.assertEqual(analysis.vq_rates(7, 2, 2), (4286, 5714))
        self.assertEqual(analysis.vq_rates(20000, 1, 0), (9999, 1))
        self.assertEqual(analysis.vq_rates(0, 0, 0), (0, 0))
        with self.assertRaises(prepay.Error):
            analysis.vq_rates(1, 2, 0)


if __name__ == "__main__":
    unittest.main()
