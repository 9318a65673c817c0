# SPDX-License-Identifier: MIT
import datetime
import re
import unittest
from decimal import Decimal

import prepay
from prepay import cjt188, modbus
from _vectors import ROOT, hexbytes, records


def sections(name, section):
    return [r for r in records(name) if r["_section"] == section]


class StatusNames(unittest.TestCase):
    """The status names the Python layer spells out agree with the headers' #defines."""

    def test_every_define_is_a_status_member(self):
        for header, module in (("cjt188.h", "CJT188"), ("modbus.h", "MODBUS")):
            text = (ROOT / "include" / "prepay" / header).read_text(encoding="utf-8")
            defs = re.findall(r"#define PREPAY_(E_%s_[A-Z0-9_]+) PREPAY_STATUS_MAKE\(PREPAY_MODULE_%s, (\d+)\)"
                              % (module, module), text)
            self.assertGreater(len(defs), 10)
            for name, number in defs:
                with self.subTest(name=name):
                    code = getattr(prepay.Status, name)
                    self.assertEqual(int(code), -((getattr(prepay.c_api, "PREPAY_MODULE_" + module) << 8) | int(number)))


class CJT188Vectors(unittest.TestCase):
    """tests/vectors/cjt188_frames.txt (published third-party frames)."""

    def test_frames(self):
        n = 0
        for r in sections("cjt188_frames.txt", "frame"):
            raw = hexbytes(r["hex"])
            with self.subTest(name=r["name"]):
                if r["valid"] != "yes":
                    with self.assertRaises(prepay.CJT188Error) as ctx:
                        cjt188.decode(raw)
                    self.assertEqual(ctx.exception.code, prepay.Status.E_CJT188_BAD_CHECKSUM)
                    continue
                f = cjt188.decode(raw)
                n += 1
                self.assertEqual(f.size, len(raw))
                self.assertEqual(f.address, r["address"].upper())
                self.assertEqual(f.meter_type, int(r["meter_type"], 16))
                self.assertEqual(f.control, int(r["control"], 16))
                self.assertEqual(f.data, hexbytes(r.get("data", "")))
                self.assertEqual(f.wire, raw)
                if r.get("di"):
                    self.assertEqual(f.di, int(r["di"], 16))
                    self.assertEqual(f.di_order.name, {"high": "HIGH_FIRST", "low": "LOW_FIRST"}[r["di_order"]])
                if r.get("ser"):
                    self.assertEqual(f.ser, int(r["ser"], 16))
                self.assertEqual([g.data for g in cjt188.decode_all(b"\x00\x68\x16" + raw)], [f.data])
                if "current_litres" in r and f.meter_type < 0x20:
                    req = cjt188.read(cjt188.Target(f.address, f.meter_type, f.di_order), f.di, f.ser)
                    cur = cjt188.reply_current(req, f)
                    self.assertEqual(cur.litres, None if r["current_litres"] == "absent" else int(r["current_litres"]))
                    if "settlement_litres" in r:
                        want = r["settlement_litres"]
                        self.assertEqual(cur.settlement_litres, None if want == "absent" else int(want))
                    if cur.litres is not None:
                        self.assertEqual(cjt188.volume_read(req, raw), cur)  # the one-call path agrees
                    else:
                        with self.assertRaises(prepay.CJT188Error) as ctx:
                            cjt188.volume_read(req, raw)
                        self.assertEqual(ctx.exception.code, prepay.Status.E_CJT188_ABSENT)
        self.assertGreaterEqual(n, 40)

    def test_stream_finds_every_frame_behind_garbage(self):
        valid = [hexbytes(r["hex"]) for r in sections("cjt188_frames.txt", "frame") if r["valid"] == "yes"]
        blob = b"".join(b"\x00\x68\x16" + v for v in valid)
        parser = cjt188.StreamParser()
        got = []
        for i in range(0, len(blob), 7):
            got.extend(parser.feed(blob[i:i + 7]))
        self.assertEqual([g.data for g in got], [cjt188.decode(v).data for v in valid])
        s = parser.stats()
        self.assertEqual(s.bytes_in, s.bytes_dropped + s.bytes_framed + s.bytes_pending)


class CJT188Exchanges(unittest.TestCase):
    target = cjt188.Target("00202307160177", cjt188.COLD_WATER, cjt188.DiOrder.LOW_FIRST)

    def test_purchase_idempotent_on_purchase_serial(self):
        last = None
        balance = Decimal("0")
        for ser, serial, amount, credited in ((1, 1, "50.00", True), (2, 1, "50.00", False), (3, 2, "20.50", True)):
            req = cjt188.purchase(self.target, serial, amount, ser=ser)
            cmd = cjt188.parse_request(req)
            self.assertEqual((cmd.purchase_serial, cmd.amount, cmd.ser), (serial, Decimal(amount), ser))
            new = cjt188.purchase_check(last, cmd.purchase_serial)
            self.assertEqual(new, credited)
            if new:
                balance += cmd.amount
                last = cmd.purchase_serial
            rep = cjt188.reply_build(req, self.target, cmd.value)
            ack = cjt188.reply_write(req, rep)
            self.assertEqual((ack.purchase_serial, ack.amount), (serial, Decimal(amount)))
        self.assertEqual(balance, Decimal("70.50"))
        with self.assertRaises(prepay.CJT188Error) as ctx:
            cjt188.purchase_check(2, 7)
        self.assertEqual(ctx.exception.code, prepay.Status.E_CJT188_PURCHASE_SEQUENCE)

    def test_requests_round_trip_through_the_meter_side(self):
        table = cjt188.PriceTable([Decimal("3.00"), Decimal("4.00"), Decimal("5.00")], [50000, 200000], 15)
        req = cjt188.write_price_table(self.target, table, ser=9)
        self.assertEqual(cjt188.parse_request(req).price_table, table)
        self.assertFalse(cjt188.parse_request(cjt188.valve(self.target, False)).valve_open)
        when = datetime.datetime(2024, 5, 6, 7, 8, 9)
        self.assertEqual(cjt188.parse_request(cjt188.write_time(self.target, when)).time, when)
        self.assertEqual(cjt188.parse_request(cjt188.write_key(self.target, 2, bytes(range(8)))).key, bytes(range(8)))
        self.assertEqual(cjt188.parse_request(cjt188.write_address(self.target, "00000000000042")).new_address,
                         "00000000000042")
        self.assertEqual(cjt188.decode(req.wire, cjt188.DiOrder.LOW_FIRST).di, 0xA010)

    def test_abnormal_reply_and_mismatch(self):
        req = cjt188.read(self.target, 0x901F, ser=5)
        ab = cjt188.reply_build_abnormal(req, self.target, 0x0001)
        self.assertTrue(ab.abnormal)
        self.assertEqual(ab.status, 1)
        with self.assertRaises(prepay.CJT188Error) as ctx:
            cjt188.reply_current(req, ab)
        self.assertEqual(ctx.exception.code, prepay.Status.E_CJT188_ABNORMAL)
        with self.assertRaises(prepay.CJT188Error) as ctx:
            cjt188.volume_read(req, ab.wire)
        self.assertEqual(ctx.exception.code, prepay.Status.E_CJT188_ABNORMAL)
        other = cjt188.read(self.target, 0x901F, ser=6)
        late = cjt188.reply_build(other, self.target, bytes(19))
        with self.assertRaises(prepay.CJT188Error) as ctx:
            cjt188.reply_check(req, late)
        self.assertEqual(ctx.exception.code, prepay.Status.E_CJT188_SER_MISMATCH)
        self.assertEqual(cjt188.status_valve(0x0003), cjt188.Valve.ABNORMAL)
        self.assertTrue(cjt188.status_battery_low(0x0004))


class ModbusVectors(unittest.TestCase):
    """tests/vectors/modbus_frames.txt."""

    def test_crc(self):
        for r in sections("modbus_frames.txt", "crc"):
            with self.subTest(name=r["name"]):
                self.assertEqual(modbus.crc16(hexbytes(r["bytes"])).to_bytes(2, "little"), hexbytes(r["crc"]))

    def test_frames_and_pairs(self):
        frames = {r["name"]: r for r in sections("modbus_frames.txt", "frame")}
        directions = {"request": modbus.Direction.REQUEST, "response": modbus.Direction.RESPONSE,
                      "any": modbus.Direction.ANY}
        for name, r in frames.items():
            raw = hexbytes(r["hex"])
            with self.subTest(name=name):
                if r["valid"] != "yes":
                    with self.assertRaises(prepay.ModbusError):
                        modbus.decode(raw, directions[r["direction"]])
                    continue
                a = modbus.decode(raw, directions[r["direction"]])
                self.assertEqual((a.unit, a.function), (int(r["unit"], 16), int(r["function"], 16)))
                self.assertEqual(a.data, hexbytes(r["data"]))
                self.assertEqual(a.wire, raw)
                if "request" in r:
                    req = modbus.decode(hexbytes(frames[r["request"]]["hex"]), modbus.Direction.REQUEST)
                    if r["match"] == "ok":
                        self.assertTrue(modbus.match(req, a))
                        if "registers" in r:
                            self.assertEqual(modbus.registers(req, a), [int(w, 16) for w in r["registers"].split()])
                    elif r["match"] == "not_a_match":
                        self.assertFalse(modbus.match(req, a))
                    else:
                        with self.assertRaises(prepay.ModbusError):
                            modbus.match(req, a)

    def test_floats(self):
        for r in sections("modbus_frames.txt", "float"):
            bits = int(r["bits"], 16)
            for rule in ("exact", "decimal", "round"):
                with self.subTest(name=r["name"], rule=rule):
                    if r[rule] == "inexact":
                        with self.assertRaises(prepay.ModbusError) as ctx:
                            modbus.float_to_fixed(bits, int(r["exponent"]), modbus.Rule[rule.upper()])
                        self.assertEqual(ctx.exception.code, prepay.Status.E_MODBUS_INEXACT)
                    else:
                        self.assertEqual(modbus.float_to_fixed(bits, int(r["exponent"]), modbus.Rule[rule.upper()]),
                                         int(r[rule]))


class ModbusMaps(unittest.TestCase):

    def test_ddsy1352_energy(self):
        req = modbus.read(1, 3, 0, 2)
        self.assertEqual(req.wire, bytes.fromhex("010300000002C40B"))
        rsp = modbus.decode(bytes.fromhex("0103040001E240E2A3"), modbus.Direction.RESPONSE)
        values = modbus.get_map("ddsy1352").decode(req, rsp)
        self.assertEqual(values["energy_total"].value, 1234560)
        self.assertEqual(values["energy_total"].register.unit, "Wh")

    def test_xintai_float_rules(self):
        m = modbus.get_map("xintai-water")
        self.assertEqual(m.value("flow", bytes.fromhex("1E850B3F")), 545)
        with self.assertRaises(prepay.ModbusError):
            m.value("forward_volume", bytes.fromhex("1E850B3F"))
        w = m.write(1, "remaining_volume", 545)
        self.assertEqual(w.wire.hex(), "01100008000204" + "1f850b3f" + "a314")
        self.assertEqual(m.value("remaining_volume", w.data[5:9]), 545)
        self.assertEqual(modbus.maps(), ["ddsy1352", "xintai-water"])

    def test_stream_with_timing(self):
        p = modbus.StreamParser(modbus.Direction.RESPONSE, 9600)
        rsp = bytes.fromhex("0103040001E240E2A3")
        self.assertEqual(list(p.feed(b"\x55\x01", 1000)), [])       # noise, then silence
        got = list(p.feed(rsp, 1000 + 10000))
        self.assertEqual([g.wire for g in got], [rsp])
        s = p.stats()
        self.assertEqual(s.bytes_in, s.bytes_dropped + s.bytes_framed + s.bytes_pending)
        self.assertEqual(modbus.silent_interval_us(9600), 4011)


if __name__ == "__main__":
    unittest.main()
