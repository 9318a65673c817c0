#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`prepay meter water-read` and `water-valve` against prepay-emu, over loopback TCP.

Usage: test_meter_water_cli.py PREPAY PREPAY_EMU SITE.json

The emulator serves examples/sites/water_modbus.json: Modbus water meters at units 1 (100 L/h)
and 2 on --modbus-port, a CJ/T 188 water meter 00000000000303 (50 L/h) on the bus port. The
site's time moves with DL/T 645 broadcast time syncs sent here on the bus port; the CLI is run
against both ports. Expected values by hand (start 2026-11-01 00:00):
- at 12:00 unit 1 has 1200 L, meter 303 600 L, both valves open;
- closed at 12:00, unit 1 and 303 stay at 1200 L and 600 L to 18:00 (the CLI reads the valve back
  as closed); opened again, at 20:00 unit 1 has 1400 L and 303 has 700 L.
Errors: no meter at unit 5 -> exit 1 with a message; --address with Modbus, --unit with CJ/T 188,
an action other than open/close, no bus -> exit 2.
"""
import json
import os
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'field'))
import fieldlib  # noqa: E402  the emulator child process of the field tests

PREPAY = EMU = SITE = None
BUDGET = 60.0


def bcd(n):
    return (n // 10) << 4 | n % 10


def time_sync(day, hour):
    data = bytes((bcd(v) + 0x33) & 0xFF for v in (0, 0, hour, day, 11, 26))
    frame = bytes([0x68] + [0x99] * 6 + [0x68, 0x08, len(data)]) + data
    return frame + bytes([sum(frame) & 0xFF, 0x16])


class MeterWaterCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = fieldlib.Emulator(EMU, SITE, '--bus-port', '0', '--modbus-port', '0',
                                    ready=('bus_port', 'modbus_port'))
        cls.bus_addr = '127.0.0.1:' + cls.emu.info['bus_port']
        cls.modbus_addr = '127.0.0.1:' + cls.emu.info['modbus_port']
        cls.sync_link = socket.create_connection(('127.0.0.1', int(cls.emu.info['bus_port'])), timeout=BUDGET)

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, 'sync_link'):
            cls.sync_link.close()
        cls.emu.stop()

    def run_cli(self, *args, expect=0):
        run = subprocess.run([PREPAY, 'meter', *args], capture_output=True, text=True, timeout=BUDGET)
        self.assertEqual(run.returncode, expect, f'{args}: {run.stdout}{run.stderr}')
        return run

    def read(self, *args):
        out = json.loads(self.run_cli('water-read', *args, '--json').stdout)
        self.assertTrue(out['ok'])
        return out

    def modbus(self, unit):
        return ['--tcp', self.modbus_addr, '--protocol', 'modbus', '--unit', str(unit)]

    def cjt188(self):
        return ['--tcp', self.bus_addr, '--protocol', 'cjt188', '--address', '00000000000303']

    def test_read_and_valve(self):
        self.sync_link.sendall(time_sync(1, 12))
        first = self.read(*self.modbus(1))
        self.assertEqual((first['protocol'], first['unit'], first['litres'], first['volume_m3'], first['valve']),
                         ('modbus', 1, 1200, '1.200', 'open'))
        water = self.read(*self.cjt188())
        self.assertEqual((water['protocol'], water['meter'], water['litres'], water['valve']),
                         ('cjt188', '00000000000303', 600, 'open'))
        closed = json.loads(self.run_cli('water-valve', 'close', *self.modbus(1), '--json').stdout)
        self.assertEqual((closed['command'], closed['valve'], closed['litres']), ('close', 'closed', 1200))
        closed = json.loads(self.run_cli('water-valve', 'close', *self.cjt188(), '--json').stdout)
        self.assertEqual((closed['command'], closed['valve'], closed['litres']), ('close', 'closed', 600))
        self.sync_link.sendall(time_sync(1, 18))
        self.assertEqual(self.read(*self.modbus(1))['litres'], 1200)
        self.assertEqual(self.read(*self.cjt188())['litres'], 600)
        self.assertEqual(self.read(*self.modbus(2))['valve'], 'open')  # the other meter is untouched
        text = self.run_cli('water-valve', 'open', *self.modbus(1)).stdout
        self.assertIn('valve   open', text)
        self.assertIn('unit 1 (Modbus RTU)', text)
        self.assertEqual(self.read_after_open(), ('open', 'open'))
        self.sync_link.sendall(time_sync(1, 20))
        self.assertEqual(self.read(*self.modbus(1))['litres'], 1400)
        self.assertEqual(self.read(*self.cjt188())['litres'], 700)

    def read_after_open(self):
        opened = json.loads(self.run_cli('water-valve', 'open', *self.cjt188(), '--json').stdout)
        return self.read(*self.modbus(1))['valve'], opened['valve']

    def test_errors(self):
        run = self.run_cli('water-read', *self.modbus(5), '--timeout-ms', '200', expect=1)
        self.assertIn('no reply', run.stderr)
        self.run_cli('water-read', '--tcp', self.modbus_addr, '--protocol', 'modbus', '--address', '00000000000301',
                     expect=2)
        self.run_cli('water-read', '--tcp', self.bus_addr, '--unit', '1', expect=2)
        self.run_cli('water-valve', 'shut', *self.modbus(1), expect=2)
        self.run_cli('water-read', '--protocol', 'modbus', expect=2)
        help_text = self.run_cli('water-valve', '--help').stdout
        self.assertIn('--protocol', help_text)


if __name__ == '__main__':
    if len(sys.argv) < 4:
        sys.exit('usage: test_meter_water_cli.py PREPAY PREPAY_EMU SITE.json')
    PREPAY, EMU, SITE = sys.argv[1:4]
    unittest.main(argv=sys.argv[:1] + sys.argv[4:])
