#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Modbus RTU water meters in prepay-emu, over loopback TCP.

Usage: test_emulator_modbus.py PREPAY_EMU SITE.json

Starts prepay-emu (tests/field/fieldlib.py) on examples/sites/water_modbus.json with --bus-port 0 --modbus-port 0 and
reads both ports from the ready file. The site's time moves with DL/T 645 broadcast time syncs
on the bus port; the Modbus port carries RTU frames (unit, PDU, CRC) to the water meters of the
xintai-water map (docs/modbus.md): 0001H forward volume (FLOAT32 m3, bytes DCBA), 001CH valve
(read: bit 1 open, bit 2 closed; write 06: 1 open, 2 close).

Expected values by hand (site start 2026-11-01 00:00):
- unit 1 (100 L/h) at 12:00: 1200 L; closed at 12:00, still 1200 L at 18:00; opened, 1400 L at
  20:00.
- unit 2 (60 L/h from 06:00 to 22:00) at 12:00: 360 L.
- unit 3 has no meter, the CJ/T 188 meter 303 is not on the Modbus port, a frame with a bad CRC
  is dropped: no reply to any of them, and the next good request is answered.
"""
import os
import socket
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'field'))
import fieldlib  # noqa: E402  the emulator child process of the field tests

EMU = SITE = None
BUDGET = 60.0  # seconds: a loaded machine is slow, a hang still ends


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def rtu(unit, pdu):
    frame = bytes([unit]) + pdu
    return frame + struct.pack('<H', crc16(frame))


def bcd(n):
    return (n // 10) << 4 | n % 10


def time_sync(day, hour, minute=0):
    """DL/T 645-2007 broadcast time (08H): ss mm hh DD MM YY, each byte + 33H."""
    data = bytes((bcd(v) + 0x33) & 0xFF for v in (0, minute, hour, day, 11, 26))
    frame = bytes([0x68] + [0x99] * 6 + [0x68, 0x08, len(data)]) + data
    return b'\xfe\xfe\xfe\xfe' + frame + bytes([sum(frame) & 0xFF, 0x16])


def cjt188_read(address):
    """CJ/T 188-2004 read of 901F (SER 0) to a cold-water meter, address as 14 digits."""
    digits = bytes.fromhex(address)[::-1]
    frame = bytes([0x68, 0x10]) + digits + bytes([0x01, 0x03, 0x90, 0x1F, 0x00])
    return frame + bytes([sum(frame) & 0xFF, 0x16])


class EmulatorModbusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = fieldlib.Emulator(EMU, SITE, '--bus-port', '0', '--modbus-port', '0',
                                    ready=('bus_port', 'modbus_port'))
        cls.bus = socket.create_connection(('127.0.0.1', int(cls.emu.info['bus_port'])), timeout=BUDGET)
        cls.modbus = socket.create_connection(('127.0.0.1', int(cls.emu.info['modbus_port'])), timeout=BUDGET)

    @classmethod
    def tearDownClass(cls):
        for name in ('bus', 'modbus'):
            if hasattr(cls, name):
                getattr(cls, name).close()
        cls.emu.stop()

    def exchange(self, frame, expect_reply=True):
        self.modbus.sendall(frame)
        if not expect_reply:
            self.modbus.settimeout(0.3)
            try:
                extra = self.modbus.recv(256)
            except socket.timeout:
                extra = b''
            finally:
                self.modbus.settimeout(BUDGET)
            self.assertEqual(extra, b'', 'a reply to a frame that must get none')
            return None
        reply = b''
        while True:
            reply += self.modbus.recv(256)
            if len(reply) >= 5:
                function = reply[1]
                need = 5 if function & 0x80 else (5 + reply[2] if function in (3, 4) else 8)
                if len(reply) >= need:
                    self.assertEqual(len(reply), need)
                    self.assertEqual(struct.unpack('<H', reply[-2:])[0], crc16(reply[:-2]), 'reply CRC')
                    return reply

    def sync(self, day, hour, minute=0):
        self.bus.sendall(time_sync(day, hour, minute))

    def litres(self, unit):
        reply = self.exchange(rtu(unit, struct.pack('>BHH', 3, 0x0001, 2)))
        self.assertEqual(reply[:3], bytes([unit, 3, 4]))
        return round(struct.unpack('<f', reply[3:7])[0] * 1000)

    def valve(self, unit):
        reply = self.exchange(rtu(unit, struct.pack('>BHH', 3, 0x001C, 1)))
        self.assertEqual(reply[:3], bytes([unit, 3, 2]))
        return struct.unpack('>H', reply[3:5])[0]

    def set_valve(self, unit, value):
        request = rtu(unit, struct.pack('>BHH', 6, 0x001C, value))
        self.assertEqual(self.exchange(request), request)  # 06 is answered with an echo

    def test_volume_and_valve(self):
        self.sync(1, 12)
        self.assertEqual(self.litres(1), 1200)
        self.assertEqual(self.litres(2), 360)
        self.assertTrue(self.valve(1) & 1, 'open at first')
        self.set_valve(1, 2)
        self.assertEqual(self.valve(1) & 3, 2, 'closed after 06 001CH = 2')
        self.sync(1, 18)
        self.assertEqual(self.litres(1), 1200, 'no flow through a closed valve')
        self.assertEqual(self.litres(2), 720, 'the other meter still flows')
        self.set_valve(1, 1)
        self.assertEqual(self.valve(1) & 3, 1, 'open after 06 001CH = 1')
        self.sync(1, 20)
        self.assertEqual(self.litres(1), 1400)

    def test_no_reply(self):
        self.exchange(rtu(3, struct.pack('>BHH', 3, 0x0001, 2)), expect_reply=False)
        bad = bytearray(rtu(1, struct.pack('>BHH', 3, 0x0001, 2)))
        bad[-1] ^= 0xFF
        self.exchange(bytes(bad), expect_reply=False)
        self.exchange(rtu(0, struct.pack('>BHH', 6, 0x001C, 2)), expect_reply=False)  # broadcast: no answer
        self.set_valve(1, 1)
        self.set_valve(2, 1)
        self.assertEqual(self.valve(1) & 3, 1)

    def bus_reply(self, frame):
        self.bus.sendall(frame)
        self.bus.settimeout(1.0)
        try:
            return self.bus.recv(256)
        except socket.timeout:
            return b''
        finally:
            self.bus.settimeout(BUDGET)

    def test_cjt188_meter_not_on_modbus(self):
        reply = self.bus_reply(cjt188_read('00000000000303'))
        self.assertIn(bytes([0x68, 0x10, 0x03, 0x03]), reply, 'the CJ/T 188 meter answers on the bus')
        self.assertEqual(self.bus_reply(cjt188_read('00000000000301')), b'', 'a Modbus meter is not on CJ/T 188')

    def test_exception(self):
        reply = self.exchange(rtu(1, struct.pack('>BHH', 3, 0x0040, 2)))
        self.assertEqual(reply[:3], bytes([1, 0x83, 2]), 'illegal data address')


if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit('usage: test_emulator_modbus.py PREPAY_EMU SITE.json')
    EMU, SITE = sys.argv[1:3]
    unittest.main(argv=sys.argv[:1] + sys.argv[3:])
