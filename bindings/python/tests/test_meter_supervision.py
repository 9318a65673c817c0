# SPDX-License-Identifier: MIT
"""The reference meter with its supervision (events, load control) from Python: the values
tests/meter/test_meter_supervision.c works by hand, through the wrapper."""
import datetime
import unittest

from prepay import c_api, meter

ADDR = "000000193600"
T0 = datetime.datetime(2024, 3, 1)


def fresh():
    m = meter.Meter(ADDR, T0)
    m.set_mode(1)  # remote cost control: no tariff needed, the relay obeys commands and load control
    return m


class MeterSupervision(unittest.TestCase):
    def test_cover_open_is_counted_at_once(self):
        m = fresh()
        m.supervise()
        self.assertEqual(m.event_count(c_api.PREPAY_EVENTS_COVER_OPEN), 0)
        m.set_sensors(c_api.PREPAY_EVENTS_FLAG_COVER_OPEN)
        self.assertEqual(m.event_count(c_api.PREPAY_EVENTS_COVER_OPEN), 1)
        m.advance(10, 100)
        m.set_sensors(0)
        m.set_sensors(c_api.PREPAY_EVENTS_FLAG_COVER_OPEN)
        self.assertEqual(m.event_count(c_api.PREPAY_EVENTS_COVER_OPEN), 2)

    def test_load_control_trips_on_the_sixth_second(self):
        m = fresh()
        m.supervise(limit_watts=2000)
        m.advance(5, 3000)
        self.assertFalse(m.relay_open)
        m.advance(1, 3000)  # more than 5 consecutive cycles above 2000 W
        self.assertTrue(m.relay_open)
        self.assertEqual(m.energy(), 5)  # 3000 W x 6 s = 18000 W.s: 5 whole Wh
        m.advance(300, 3000)  # the restore timer: closed again after 300 s, and over the limit again
        self.assertFalse(m.relay_open)

    def test_bad_input(self):
        m = fresh()
        with self.assertRaises(Exception):
            m.set_sensors(0)  # no supervision attached
        with self.assertRaises(Exception):
            m.supervise(over_cycles=0)


if __name__ == "__main__":
    unittest.main()
